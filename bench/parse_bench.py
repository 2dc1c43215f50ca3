#!/usr/bin/env python3
"""Throughput of `triage parse` beside `wc -l`, on a corpus of real Loghub lines.

usage: bench/parse_bench.py [--mb 256] [--runs 3] [--corpus DIR] [--threads N]

Builds the release binary, makes (or reuses) a corpus with
../shared/eval/make_bench_corpus.py (16 files, one per Loghub system), then times,
best of --runs each:
  baseline  wc -l over the corpus files
  triage    triage parse CORPUS --quiet > /dev/null   (JSON lines, all cores)
and prints MB/s, records/s, peak RSS and the ratio to wc -l.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(ROOT), "shared")


def timed(cmd, stdout=subprocess.DEVNULL):
    """Wall seconds and peak RSS (KiB) of one run. The RSS is measured in a fresh
    intermediate process, so earlier children (cargo, wc) do not count."""
    code = ("import resource,subprocess,sys,time;t=time.perf_counter();"
            "p=subprocess.run(sys.argv[1:],stdout=subprocess.DEVNULL,stderr=subprocess.PIPE);"
            "d=time.perf_counter()-t;"
            "print(p.returncode,d,resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", code, *cmd], capture_output=True, text=True)
    rc, dt, rss = out.stdout.split()
    if rc != "0":
        sys.exit(f"{' '.join(cmd)} failed with {rc}")
    return float(dt), int(rss), ""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=int, default=256)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--corpus")
    ap.add_argument("--threads", type=int)
    a = ap.parse_args()

    subprocess.run(["cargo", "build", "--release", "-q", "-p", "triage"], cwd=ROOT, check=True)
    exe = os.path.join(ROOT, "target", "release", "triage")
    corpus = a.corpus or os.path.join(tempfile.gettempdir(), f"triage-bench-{a.mb}mb")
    if not os.path.isdir(corpus) or not os.listdir(corpus):
        subprocess.run([sys.executable, os.path.join(SHARED, "eval", "make_bench_corpus.py"), corpus, "--mb", str(a.mb)],
                       check=True, stdout=subprocess.DEVNULL)
    files = sorted(os.path.join(corpus, f) for f in os.listdir(corpus))
    size = sum(os.path.getsize(f) for f in files)
    lines = int(subprocess.run(["wc", "-l", *files], capture_output=True, text=True).stdout.strip().splitlines()[-1].split()[0])
    # Warm the page cache so both sides read from memory.
    subprocess.run(["cat", *files], stdout=subprocess.DEVNULL)

    wc = min(timed(["wc", "-l", *files])[0] for _ in range(a.runs))
    cmd = [exe, "parse", "--quiet", corpus] + (["-j", str(a.threads)] if a.threads else [])
    best, rss = None, 0
    for _ in range(a.runs):
        dt, r, _ = timed(cmd)
        best = dt if best is None else min(best, dt)
        rss = max(rss, r)
    mb = size / 1e6
    print(f"corpus: {corpus} ({len(files)} files, {mb:.0f} MB, {lines} lines), cores: {os.cpu_count()}")
    print(f"{'command':<28}{'seconds':>9}{'MB/s':>9}{'lines/s':>13}")
    print(f"{'wc -l':<28}{wc:>9.3f}{mb / wc:>9.0f}{lines / wc:>13.0f}")
    print(f"{'triage parse > /dev/null':<28}{best:>9.3f}{mb / best:>9.0f}{lines / best:>13.0f}")
    print(f"triage/wc time ratio: {best / wc:.1f}x; triage peak RSS: {rss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
