#!/usr/bin/env python3
"""Template-mining throughput of `triage templates` beside Drain3 and `wc -l`.

usage: bench/templates_bench.py [--lines 100000] [--mb 256] [--big-mb 0] [--runs 3]

1. Mixed file: --lines lines drawn round-robin from the 16 Loghub systems of a corpus
   made by ../shared/eval/make_bench_corpus.py, reduced to their messages (one per
   line, via `triage parse`), so Drain3 and Triage see exactly the same text.
   Drain3 (../shared/eval/drain3_baseline.py, installed into bench/.venv from PyPI) is
   timed in memory by its own script; Triage is timed as a whole process
   (`triage templates FILE --format jsonl > /dev/null`). Prints lines/s and the ratio.
2. Corpus: `triage templates CORPUS --format jsonl > /dev/null` over the --mb corpus:
   MB/s and peak RSS, beside `wc -l`.
3. With --big-mb N (e.g. 1024): peak RSS of the same on an N MB corpus.
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(ROOT), "shared")
VENV = os.path.join(ROOT, "bench", ".venv")


def run_timed(cmd, **kw):
    t0 = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kw)
    dt = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit(f"{' '.join(cmd)}: {p.stderr.decode(errors='replace')[-500:]}")
    return dt


def peak_rss_mib(cmd):
    """Peak RSS of one run of cmd, in MiB (a fresh child each time)."""
    code = ("import resource,subprocess,sys;"
            "subprocess.run(sys.argv[1:],stdout=subprocess.DEVNULL,stderr=subprocess.DEVNULL,check=True);"
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", code, *cmd], capture_output=True, text=True, check=True)
    return int(out.stdout.strip()) / 1024


def corpus(mb):
    d = os.path.join(tempfile.gettempdir(), f"triage-bench-{mb}mb")
    if not os.path.isdir(d) or not os.listdir(d):
        subprocess.run([sys.executable, os.path.join(SHARED, "eval", "make_bench_corpus.py"), d, "--mb", str(mb)],
                       check=True, stdout=subprocess.DEVNULL)
    return d


def ensure_drain3():
    py = os.path.join(VENV, "bin", "python")
    if not os.path.exists(py):
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
    if subprocess.run([py, "-c", "import drain3"], capture_output=True).returncode != 0:
        subprocess.run([py, "-m", "pip", "install", "-q", "drain3"], check=True)
    return py


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=100_000)
    ap.add_argument("--mb", type=int, default=256)
    ap.add_argument("--big-mb", type=int, default=0)
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "triage"], cwd=ROOT, check=True)
    exe = os.path.join(ROOT, "target", "release", "triage")
    c = corpus(a.mb)
    files = sorted(os.path.join(c, f) for f in os.listdir(c))

    # 1. The mixed message file.
    mixed = os.path.join(tempfile.gettempdir(), f"triage-mixed-{a.lines}.txt")
    if not os.path.exists(mixed):
        per = a.lines // len(files) + 1
        msgs = []
        for f in files:
            out = subprocess.run(f"head -n {per} {f} | {exe} parse -q -", shell=True, capture_output=True, text=True, check=True)
            msgs.append([json.loads(l)["message"].split("\n")[0] for l in out.stdout.splitlines()])
        with open(mixed, "w") as w:
            for i in range(per):
                for m in msgs:
                    if i < len(m):
                        w.write(m[i].replace("\r", " ") + "\n")
        subprocess.run(f"head -n {a.lines} {mixed} > {mixed}.tmp && mv {mixed}.tmp {mixed}", shell=True, check=True)
    n = a.lines
    py = ensure_drain3()
    # Best of --runs for both sides: a single Drain3 run here varies from 47k to 69k
    # lines/s (its first pass warms the interpreter), and Triage is timed best-of too.
    d3 = subprocess.run([py, os.path.join(SHARED, "eval", "drain3_baseline.py"), mixed, "--repeat", str(a.runs)],
                        capture_output=True, text=True, check=True)
    d3_rate = None
    for l in d3.stdout.splitlines():
        if l.startswith("lines_per_s:"):
            d3_rate = float(l.split(":")[1])
    tri = min(run_timed([exe, "templates", "-q", "--format", "jsonl", mixed]) for _ in range(a.runs))
    wc = min(run_timed(["wc", "-l", mixed]) for _ in range(a.runs))
    print(f"mixed file: {mixed} ({n} messages, {os.path.getsize(mixed) / 1e6:.1f} MB)")
    print(f"  drain3 (in memory, best of {a.runs}):     {d3_rate or 0:,.0f} lines/s")
    print(f"  triage templates (whole process, best of {a.runs}): {n / tri:,.0f} lines/s ({tri:.3f} s)")
    print(f"  wc -l:                             {n / wc:,.0f} lines/s")
    if d3_rate:
        print(f"  triage / drain3 throughput ratio:  {n / tri / d3_rate:.1f}x")

    # 2. The corpus.
    size = sum(os.path.getsize(f) for f in files)
    subprocess.run(["cat", *files], stdout=subprocess.DEVNULL)
    t = min(run_timed([exe, "templates", "-q", "--format", "jsonl", c]) for _ in range(a.runs))
    w = min(run_timed(["wc", "-l", *files]) for _ in range(a.runs))
    rss = peak_rss_mib([exe, "templates", "-q", "--format", "jsonl", c])
    # Other work on the machine changes wall-clock figures a lot; say how busy it was.
    print(f"corpus: {c} ({size / 1e6:.0f} MB), cores: {os.cpu_count()}, load average: {os.getloadavg()[0]:.2f}")
    print(f"  triage templates --format jsonl > /dev/null: {size / 1e6 / t:.0f} MB/s ({t:.2f} s), peak RSS {rss:.0f} MiB")
    print(f"  wc -l: {size / 1e6 / w:.0f} MB/s")
    if a.big_mb:
        big = corpus(a.big_mb)
        rss = peak_rss_mib([exe, "templates", "-q", "--format", "jsonl", big])
        print(f"  {a.big_mb} MB corpus: peak RSS {rss:.0f} MiB")


if __name__ == "__main__":
    main()
