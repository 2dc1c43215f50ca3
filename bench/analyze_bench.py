#!/usr/bin/env python3
"""Times `triage analyze` against `triage templates` on the same corpus in the same run.

usage: bench/analyze_bench.py [--corpus DIR] [--mb 256] [--runs 3]

Without --corpus, a corpus of --mb megabytes is generated with
../shared/eval/make_bench_corpus.py into a temporary folder. Prints, per run, the wall
time and peak RSS of both commands and the ratio analyze/templates; the issue's floor is
analyze ≤ 1.5× templates on a 1 GB corpus.
"""
import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "triage")
GEN = os.path.join(ROOT, "..", "shared", "eval", "make_bench_corpus.py")


def timed(cmd):
    """Wall seconds and peak RSS (MiB) of one child, measured in an isolated child."""
    wrapper = (
        "import resource,subprocess,sys,time;t=time.time();"
        "r=subprocess.run(sys.argv[1:],stdout=subprocess.DEVNULL).returncode;"
        "print(time.time()-t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss/1024, r)"
    )
    out = subprocess.run([sys.executable, "-c", wrapper] + cmd, capture_output=True, text=True, check=True).stdout.split()
    if out[2] != "0":
        sys.exit(f"command failed ({out[2]}): {' '.join(cmd)}")
    return float(out[0]), float(out[1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus")
    ap.add_argument("--mb", type=int, default=256)
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "triage"], cwd=ROOT, check=True)
    tmp = None
    corpus = a.corpus
    if not corpus:
        tmp = tempfile.TemporaryDirectory()
        corpus = tmp.name
        subprocess.run([sys.executable, GEN, corpus, "--mb", str(a.mb)], check=True)
    size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(corpus) for f in fs)
    out_json = os.path.join(tempfile.gettempdir(), "triage-analyze-bench.json")
    print(f"corpus {corpus}: {size / 1e6:.0f} MB; load {os.getloadavg()[0]:.2f}")
    ratios = []
    for run in range(a.runs):
        t_tpl, rss_tpl = timed([BIN, "templates", "-q", "--format", "jsonl", corpus])
        t_an, rss_an = timed([BIN, "analyze", "-q", "--format", "json", "-o", out_json, corpus])
        ratios.append(t_an / t_tpl)
        print(
            f"run {run + 1}: templates {t_tpl:.2f} s ({size / 1e6 / t_tpl:.0f} MB/s, {rss_tpl:.0f} MiB) | "
            f"analyze {t_an:.2f} s ({size / 1e6 / t_an:.0f} MB/s, {rss_an:.0f} MiB) | ratio {t_an / t_tpl:.2f}"
        )
    print(f"analyze/templates: best {min(ratios):.2f}, median {sorted(ratios)[len(ratios) // 2]:.2f} (floor 1.5)")


if __name__ == "__main__":
    main()
