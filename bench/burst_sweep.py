#!/usr/bin/env python3
"""Does `triage analyze` call an injected error burst an incident, on real logs it was not
tuned on? For each Loghub-2k system, 200 lines "Failed to connect to payments-db
10.0.3.N:5432: Connection refused (attempt K, request id R)" are written into a copy of
its 2k log, 10 after each of 20 consecutive real lines, each carrying the header of the
line before it (its time, host, component), with the level field, where the system has
one, set to the most severe level the system uses. Then the copy is analysed and the row
says the status, where the injected problem ranks and its count.

usage: bench/burst_sweep.py [--at end|mid] [--window default|around] [--triage BIN] [SYSTEM...]

  --at end        the burst follows the file's last 20 lines (the default window, the
                  last 15 minutes, holds it when the file is in time order)
  --at mid        it follows the lines from 60 % of the file on
  --window around --from/--to five minutes either side of the burst's records (as `triage
                  parse` dates them), instead of the default window

Needs ../shared/data/loghub-2k (the structured CSVs give each line's message, so the
header is what precedes it). The copies are left in a temporary directory named on stderr.
Files not in time order (HPC, Zookeeper) put an end burst outside the default window, and
where 20 lines span more than the window (Apache, Mac) part of it lands in the baseline.
"""
import argparse
import csv
import datetime
import json
import os
import random
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LOGHUB = os.path.join(os.path.dirname(ROOT), "shared", "data", "loghub-2k")
SEVERE_FIRST = ["FATAL", "fatal", "CRITICAL", "SEVERE", "ERROR", "error", "Error", "E", "err", "WARN", "WARNING", "W"]


def burst_copy(system, at, out_dir, rng):
    path = os.path.join(LOGHUB, system, f"{system}_2k.log")
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    with open(path + "_structured.csv", encoding="utf-8", errors="replace") as f:
        rows = list(csv.DictReader(f))
    if len(rows) != len(lines):
        return None, 0
    levels = {r.get("Level", "") for r in rows} if "Level" in rows[0] else set()
    severe = next((l for l in SEVERE_FIRST if l in levels), None)
    if levels and severe is None:
        severe = "ERROR" if any(x.isupper() and len(x) > 1 for x in levels) else "E"
    start = len(lines) - 20 if at == "end" else int(len(lines) * 0.6)
    out, n = [], 0
    for i, line in enumerate(lines):
        out.append(line)
        message = rows[i]["Content"]
        if not (start <= i < start + 20) or not message or not line.endswith(message):
            continue
        head = line[: len(line) - len(message)]
        level = rows[i].get("Level")
        if severe and level and head.rfind(level) >= 0:
            k = head.rfind(level)
            head = head[:k] + severe + head[k + len(level):]
        for j in range(10):
            n += 1
            out.append(
                head + f"Failed to connect to payments-db 10.0.3.{17 + j % 3}:5432: Connection refused "
                f"(attempt {n % 4 + 1}, request id r{rng.randrange(1 << 30):x})"
            )
    copy = os.path.join(out_dir, f"{system}.log")
    with open(copy, "w") as f:
        f.write("\n".join(out) + "\n")
    return copy, n


def window_around(triage, copy):
    stamps = []
    out = subprocess.run([triage, "parse", copy], capture_output=True, text=True).stdout
    for line in out.splitlines():
        r = json.loads(line)
        if "payments-db" in r.get("message", "") and r.get("ts"):
            stamps.append(datetime.datetime.fromisoformat(r["ts"].replace("Z", "+00:00")))
    if not stamps:
        return []
    five = datetime.timedelta(minutes=5)
    return ["--from", (min(stamps) - five).isoformat(), "--to", (max(stamps) + five).isoformat()]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--at", choices=["end", "mid"], default="end")
    ap.add_argument("--window", choices=["default", "around"], default="default")
    ap.add_argument("--triage", default=os.path.join(ROOT, "target", "release", "triage"))
    ap.add_argument("systems", nargs="*")
    a = ap.parse_args()
    if not os.path.isdir(LOGHUB):
        sys.exit(f"{LOGHUB} not found: this benchmark needs the shared Loghub-2k data")
    out_dir = tempfile.mkdtemp(prefix="triage-bursts-")
    print(f"copies in {out_dir}", file=sys.stderr)
    rng = random.Random(18)
    incidents = total = 0
    for system in a.systems or sorted(os.listdir(LOGHUB)):
        if not os.path.isfile(os.path.join(LOGHUB, system, f"{system}_2k.log")):
            continue
        copy, injected = burst_copy(system, a.at, out_dir, rng)
        if copy is None:
            print(f"{system:12s} skipped: structured CSV does not match the log line for line")
            continue
        extra = window_around(a.triage, copy) if a.window == "around" else []
        run = subprocess.run([a.triage, "analyze", copy, "--format", "json", "-q", *extra], capture_output=True, text=True)
        report = json.loads(run.stdout)
        problems = report["problems"]
        rank = next((k + 1 for k, p in enumerate(problems) if "payments-db" in p["title"]), None)
        count = problems[rank - 1]["count"] if rank else "-"
        total += 1
        incidents += report["status"] == "incident"
        print(f"{system:12s} injected {injected:3d}  status {report['status']:9s} injected problem: rank {rank or '-'}, count {count}")
    print(f"{incidents} of {total} systems: incident")


if __name__ == "__main__":
    main()
