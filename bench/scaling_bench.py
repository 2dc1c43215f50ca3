#!/usr/bin/env python3
"""Cost against distinct templates (issue 18, item 6): lines vs seconds vs peak RSS.

usage: bench/scaling_bench.py [--quick]

1. Induction: `session opened for user <u> by <v>` with every name distinct (no two
   lines share all but one word), 20k / 40k / 300k lines, and 200k distinct user names in
   one position: `triage templates` time, peak RSS and template count. Induction was
   quadratic here (20k lines: 15.5 s; 300k: over 10 minutes) and must now grow about
   linearly and give one template (300k passes the 200,000-shape cap: the rest is
   grouped by token count and said so).
2. Long tail: 1M timestamped lines drawn from 200k distinct random-word messages, beside
   1M lines of 500 messages (same size): `triage analyze` with 1 and 2 threads — time,
   RSS, status and P1/P2 problems (random data is not an incident).
Generated files are cached under $TMPDIR/triage-scaling. CPU seconds (user+sys) are
printed beside wall time: on a shared machine they are the steadier figure.
"""
import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXE = os.path.join(ROOT, "target", "release", "triage")
DIR = os.path.join(tempfile.gettempdir(), "triage-scaling")


def word(rng, lo=4, hi=9):
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(lo, hi)))


def make(name, write):
    path = os.path.join(DIR, name)
    if not os.path.exists(path):
        os.makedirs(DIR, exist_ok=True)
        with open(path + ".tmp", "w") as f:
            write(f)
        os.rename(path + ".tmp", path)
    return path


def sessions(n):
    def write(f):
        rng, seen = random.Random(n), set()
        while len(seen) < 2 * n:
            seen.add(word(rng, 6, 10))
        names = sorted(seen)
        rng.shuffle(names)
        for i in range(n):
            f.write(f"session opened for user {names[2 * i]} by {names[2 * i + 1]}\n")
    return make(f"sessions-{n}.log", write)


def users(n):
    def write(f):
        rng, seen = random.Random(n + 1), set()
        while len(seen) < n:
            seen.add(word(rng, 8, 12))
        for i, u in enumerate(sorted(seen)):
            f.write(f"Accepted password for {u} from 10.0.{i % 256}.{i // 256 % 256} port 22 ssh2\n")
    return make(f"users-{n}.log", write)


def random_words(lines, distinct):
    def write(f):
        rng = random.Random(11)
        vocab = [word(rng, 3, 9) for _ in range(20000)]
        msgs = [" ".join(rng.choice(vocab) for _ in range(rng.randint(4, 9))) for _ in range(distinct)]
        levels = ["INFO"] * 18 + ["WARN", "ERROR"]
        lv = [rng.choice(levels) for _ in range(distinct)]
        t0 = 1765000000
        for i in range(lines):
            t = t0 + i * 3600 / lines
            k = rng.randrange(distinct)
            ts = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t)) + ",%03d" % int((t % 1) * 1000)
            f.write(f"{ts} {lv[k]} {msgs[k]}\n")
    return make(f"random-{lines}-{distinct}.log", write)


def measure(cmd):
    """(wall s, cpu s, peak RSS MiB, stdout) of one run in a fresh child."""
    code = ("import resource,subprocess,sys,time;t=time.perf_counter();"
            "p=subprocess.run(sys.argv[1:],stdout=subprocess.PIPE,stderr=subprocess.DEVNULL,check=True);"
            "u=resource.getrusage(resource.RUSAGE_CHILDREN);"
            "sys.stderr.buffer.write(p.stdout);"
            "print(time.perf_counter()-t,u.ru_utime+u.ru_stime,u.ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", code, *cmd], capture_output=True, check=True)
    wall, cpu, rss = out.stdout.split()
    return float(wall), float(cpu), int(rss) / 1024, out.stderr


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="skip the 300k and 1M-line inputs")
    a = ap.parse_args()
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "triage"], cwd=ROOT, check=True)
    print(f"cores: {os.cpu_count()}, load average: {os.getloadavg()[0]:.2f}")
    print("induction: triage templates --format jsonl")
    inputs = [("sessions", sessions(20_000), 20_000), ("sessions", sessions(40_000), 40_000)]
    if not a.quick:
        inputs += [("sessions", sessions(300_000), 300_000), ("distinct users", users(200_000), 200_000)]
    for label, path, n in inputs:
        wall, cpu, rss, out = measure([EXE, "templates", "-q", "--format", "jsonl", path])
        ids = {json.loads(l)["template_id"] for l in out.splitlines()}
        print(f"  {label:<15} {n:>8,} lines  {wall:6.2f} s wall {cpu:6.2f} s cpu  {rss:6.0f} MiB  {len(ids)} templates")
    if a.quick:
        return
    print("long tail: triage analyze --format json")
    for label, path in (("200k distinct", random_words(1_000_000, 200_000)), ("500 distinct", random_words(1_000_000, 500))):
        for j in (1, 2):
            wall, cpu, rss, out = measure([EXE, "analyze", "-q", "-j", str(j), "--format", "json", path])
            r = json.loads(out)
            urgent = sum(1 for p in r["problems"] if p["priority"] != "P3")
            print(f"  {label:<14} -j{j}  {wall:6.2f} s wall {cpu:6.2f} s cpu  {rss:6.0f} MiB  "
                  f"status {r['status']}, {urgent} P1/P2 of {len(r['problems'])} problems")


if __name__ == "__main__":
    main()
