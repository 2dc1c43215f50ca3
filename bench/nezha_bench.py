#!/usr/bin/env python3
"""Nezha benchmark: which service is at fault in real microservice incidents.

Unpacks ../shared/data/nezha-dev/scenarios.tar.zst into a temporary folder, runs
../shared/eval/nezha_eval.py on every scenario (or the NAME prefixes given) and prints
its per-case table, the totals and the wall time.

usage: bench/nezha_bench.py [--bin target/release/triage] [--archive PATH] [-j 2] [NAME ...]
Build first: cargo build --release -p triage
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(ROOT, "..", "shared")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "triage"))
    ap.add_argument("--archive", default=os.path.join(SHARED, "data", "nezha-dev", "scenarios.tar.zst"))
    ap.add_argument("--eval", default=os.path.join(SHARED, "eval", "nezha_eval.py"))
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("names", nargs="*")
    args = ap.parse_args()
    for path, what in ((args.bin, "triage binary (cargo build --release -p triage)"), (args.archive, "scenario archive"), (args.eval, "evaluator")):
        if not os.path.exists(path):
            sys.exit(f"missing {what}: {path}")
    tmp = tempfile.mkdtemp(prefix="nezha-bench-")
    try:
        subprocess.run(["tar", "--zstd", "-xf", args.archive, "-C", tmp], check=True)
        scen = os.path.join(tmp, "nezha-dev")
        start = time.monotonic()
        out = subprocess.run(
            [sys.executable, args.eval, args.bin, scen, *args.names, "-j", str(args.jobs)],
            capture_output=True, text=True,
        )
        wall = time.monotonic() - start
        sys.stdout.write(out.stdout)
        sys.stderr.write(out.stderr)
        cases = sum(1 for line in out.stdout.splitlines() if line.startswith(("HIT", "MISS")))
        print(f"wall: {wall:.1f} s for {cases} cases with -j {args.jobs}")
        return out.returncode
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
