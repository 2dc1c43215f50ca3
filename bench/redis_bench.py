#!/usr/bin/env python3
"""Full big-key scan: `triage redis --bigkeys` beside `redis-cli --bigkeys` and
`redis-cli --memkeys`, on the same server in the same run.

usage: bench/redis_bench.py [--keys 1000000] [--runs 1] [--no-build]

Starts its own redis-server (loopback, free port, temporary directory, --save ''),
loads --keys small keys (user:<n>:profile and session:<hex> strings) plus the big ones
(a 4 MB string, a 200k-field hash, a 20k-item list, 14 promo:strategy:* strings) with
`redis-cli --pipe`, then times, best of --runs each:
  redis-cli --bigkeys   one biggest key per type, by item count (COUNT 10 in 7.0)
  redis-cli --memkeys   one biggest key per type, by MEMORY USAGE
  triage redis --bigkeys  top-N overall and per type, histogram, prefix roll-ups
                          (default --max-ops-per-sec, and unlimited)
checks that triage found the big keys, prints the ratios, and stops the server.
Needs redis-server and redis-cli (scripts/ensure-redis.sh installs them).
"""
import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def resp(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


def write_seed(path, keys):
    with open(path, "wb") as f:
        users = keys * 6 // 10
        buf = []
        for i in range(keys):
            if i < users:
                buf.append(resp("SET", f"user:{i}:profile", "n=%08d;plan=basic;region=eu" % i))
            else:
                buf.append(resp("SET", "session:%016x" % (i * 2654435761 % (1 << 64)), "uid=%d" % i))
            if len(buf) >= 10000:
                f.write(b"".join(buf))
                buf = []
        f.write(b"".join(buf))
        f.write(resp("SET", "big:string", b"x" * (4 << 20)))
        for j in range(200):
            args = ["HSET", "big:hash"]
            for i in range(j * 1000, (j + 1) * 1000):
                args += [f"field:{i}", f"value-{i}"]
            f.write(resp(*args))
        for j in range(20):
            f.write(resp("RPUSH", "queue:jobs", *[f"job-{j * 1000 + i}" for i in range(1000)]))
        for i, name in enumerate("alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike oscar".split()):
            f.write(resp("SET", f"promo:strategy:{name}", b"p" * (64 << 10)))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def best_of(runs, cmd):
    best = None
    for _ in range(runs):
        t = time.perf_counter()
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        dt = time.perf_counter() - t
        if p.returncode != 0:
            sys.exit(f"{' '.join(cmd)} failed ({p.returncode}): {p.stderr.decode(errors='replace')[-500:]}")
        if best is None or dt < best[0]:
            best = (dt, p.stdout)
    return best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--keys", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--no-build", action="store_true")
    a = ap.parse_args()
    for tool in ("redis-server", "redis-cli"):
        if not shutil.which(tool):
            sys.exit(f"{tool} not found: run scripts/ensure-redis.sh")
    if not a.no_build:
        subprocess.run(["cargo", "build", "--release", "-q", "-p", "triage"], cwd=ROOT, check=True)
    exe = os.path.join(ROOT, "target", "release", "triage")

    tmp = tempfile.mkdtemp(prefix="triage-redis-bench-")
    port = free_port()
    server = subprocess.Popen(
        ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--dir", tmp, "--save", "", "--appendonly", "no",
         "--logfile", os.path.join(tmp, "redis.log")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        cli = ["redis-cli", "-h", "127.0.0.1", "-p", str(port)]
        for _ in range(200):
            if subprocess.run(cli + ["PING"], capture_output=True).stdout.strip() == b"PONG":
                break
            time.sleep(0.05)
        else:
            sys.exit("redis-server did not answer PING")
        seed = os.path.join(tmp, "seed.resp")
        t = time.perf_counter()
        write_seed(seed, a.keys)
        with open(seed, "rb") as f:
            subprocess.run(cli + ["--pipe"], stdin=f, stdout=subprocess.DEVNULL, check=True)
        os.remove(seed)
        dbsize = int(subprocess.run(cli + ["DBSIZE"], capture_output=True).stdout)
        version = subprocess.run(["redis-server", "--version"], capture_output=True, text=True).stdout.split()[2]
        print(f"redis-server {version}, {dbsize} keys loaded in {time.perf_counter() - t:.1f} s; "
              f"{os.cpu_count()} cores, best of {a.runs}")

        url = f"redis://127.0.0.1:{port}"
        rows = []
        rows.append(("redis-cli --bigkeys", best_of(a.runs, cli + ["--bigkeys"])[0]))
        rows.append(("redis-cli --memkeys", best_of(a.runs, cli + ["--memkeys"])[0]))
        dt, out = best_of(a.runs, [exe, "redis", "--url", url, "--bigkeys", "--format", "json", "-q"])
        rows.append(("triage redis --bigkeys", dt))
        dt0, _ = best_of(a.runs, [exe, "redis", "--url", url, "--bigkeys", "--format", "json", "-q",
                                  "--max-ops-per-sec", "0"])
        rows.append(("triage ... --max-ops-per-sec 0", dt0))

        report = json.loads(out)["bigkeys"]
        top = [e["key"] for e in report["top"]]
        assert report["complete"] and report["keys_scanned"] >= dbsize, report["keys_scanned"]
        assert {"big:hash", "big:string", "queue:jobs"} <= set(top), top
        promo = next(p for p in report["prefixes"] if p["pattern"] == "promo:strategy:*")
        assert promo["keys"] == 14, promo

        memkeys = rows[1][1]
        print(f"{'command':34} {'seconds':>8} {'keys/s':>10} {'vs --memkeys':>13}")
        for name, secs in rows:
            print(f"{name:34} {secs:8.2f} {dbsize / secs:10.0f} {memkeys / secs:12.2f}x")
        print(f"triage found: top {top[:3]}, {len(report['by_type'])} types, "
              f"promo:strategy:* = {promo['keys']} keys / {promo['bytes']} bytes")
        if rows[2][1] > memkeys:
            print("FAIL: triage --bigkeys is slower than redis-cli --memkeys", file=sys.stderr)
            sys.exit(1)
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
