#!/usr/bin/env python3
"""Template-mining throughput of `triage templates` beside the Rust Drain miners, Drain3
and `wc -l`, with the floors of issue 18 checked every run.

usage: bench/templates_bench.py [--lines 100000] [--mb 256] [--big-mb 0] [--runs 10] [--no-floors]

1. Mixed file: --lines lines drawn round-robin from the 16 Loghub systems of a corpus
   made by ../shared/eval/make_bench_corpus.py, reduced to their messages (one per
   line, via `triage parse`), so Drain3 and Triage see exactly the same text.
   The Rust peers — the `logdrain` and `drain3` crates, default configurations, in
   bench/peers (its own Cargo workspace, built here) — and Triage
   (`triage templates FILE --format jsonl > /dev/null`) are timed as whole processes on
   that file, best of --runs, the three taking turns in each round; the ratio to the
   fastest peer is printed (floor: 2x), and beside it each one's CPU seconds (user +
   system): Triage uses every core, the peers one, so on a busy machine the wall-clock
   ratio drops while the CPU figures stay put.
   Drain3 in Python (../shared/eval/drain3_baseline.py, installed into bench/.venv from
   PyPI) is timed in memory by its own script, for reference.
2. Corpus: `triage templates CORPUS --format jsonl > /dev/null` over the --mb corpus:
   MB/s (floor: 500 MB/s for 256 MB) and peak RSS, beside `wc -l`. Then the same corpus
   with a unique token appended to every line (` seq=N`): about two thirds of the
   corpus's messages are exact repeats, which the per-chunk cache of masked messages
   makes nearly free, so this is the figure for logs that never repeat a line exactly.
3. With --big-mb N (e.g. 1024): peak RSS of the same on an N MB corpus.

Exit status 1 when a floor is missed (unless --no-floors): wall-clock figures on a busy
machine are low, so the load average is printed beside them.
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


def cpu_seconds(cmd):
    """User + system CPU seconds of one run of cmd (all its threads)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    run_timed(cmd)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def best_interleaved(cmds, runs):
    """Best wall time of each command over `runs` rounds, the commands taking turns in
    every round, so that a busy spell on the machine falls on all of them alike."""
    best = {name: float("inf") for name in cmds}
    for _ in range(runs):
        for name, cmd in cmds.items():
            best[name] = min(best[name], run_timed(cmd))
    return best


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


def unique_variant(src):
    """`src` (a corpus directory) with ` seq=N` appended to every line, N unique."""
    d = src.rstrip("/") + "-unique"
    if not os.path.isdir(d) or not os.listdir(d):
        os.makedirs(d, exist_ok=True)
        n = 0
        for name in sorted(os.listdir(src)):
            with open(os.path.join(src, name), "rb") as r, open(os.path.join(d, name), "wb") as w:
                for line in r:
                    w.write(line.rstrip(b"\n") + b" seq=%d\n" % n)
                    n += 1
    return d


def build_peers():
    """The Rust peer harness (bench/peers), built in release mode; its binary."""
    peers = os.path.join(ROOT, "bench", "peers")
    subprocess.run(["cargo", "build", "--release", "-q"], cwd=peers, check=True)
    return os.path.join(peers, "target", "release", "triage-bench-peers")


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
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--no-floors", action="store_true", help="report the floors but exit 0")
    a = ap.parse_args()
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "triage"], cwd=ROOT, check=True)
    peers_exe = build_peers()
    missed = []
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
    mb = os.path.getsize(mixed) / 1e6
    cmds = {"triage": [exe, "templates", "-q", "--format", "jsonl", mixed]}
    cmds.update({name: [peers_exe, name, mixed] for name in ("logdrain", "drain3")})
    best = best_interleaved(cmds, a.runs)
    tri = best.pop("triage")
    peers = best
    cpu = {name: min(cpu_seconds(cmd) for _ in range(3)) for name, cmd in cmds.items()}
    wc = min(run_timed(["wc", "-l", mixed]) for _ in range(a.runs))
    py = ensure_drain3()
    # Drain3 (Python) is best of --runs too: one run here varies from 47k to 69k lines/s.
    d3 = subprocess.run([py, os.path.join(SHARED, "eval", "drain3_baseline.py"), mixed, "--repeat", str(a.runs)],
                        capture_output=True, text=True, check=True)
    d3_rate = None
    for l in d3.stdout.splitlines():
        if l.startswith("lines_per_s:"):
            d3_rate = float(l.split(":")[1])
    print(f"mixed file: {mixed} ({n} messages, {mb:.1f} MB), load average {os.getloadavg()[0]:.2f}")
    print(f"  whole process, best of {a.runs} (taking turns); CPU = user + system seconds, best of 3:")
    print(f"  triage templates:     {n / tri:>12,.0f} lines/s {mb / tri:7.1f} MB/s ({tri:.3f} s, CPU {cpu['triage']:.3f} s)")
    for name, t in peers.items():
        print(f"  {name + ' (crate):':<21} {n / t:>12,.0f} lines/s {mb / t:7.1f} MB/s ({t:.3f} s, CPU {cpu[name]:.3f} s)")
    print(f"  wc -l:                {n / wc:>12,.0f} lines/s")
    if d3_rate:
        print(f"  drain3 (Python, in memory): {d3_rate:,.0f} lines/s; triage / drain3: {n / tri / d3_rate:.1f}x")
    fastest = min(peers, key=peers.get)
    ratio = peers[fastest] / tri
    ok = ratio >= 2.0
    print(f"  triage / fastest Rust peer ({fastest}): {ratio:.2f}x (floor 2x{'' if ok else ': MISSED'})")
    if not ok:
        missed.append(f"mixed file: {ratio:.2f}x the fastest Rust peer < 2x")

    # 2. The corpus, as made and with a unique token per line.
    for label, d in (("corpus", c), ("corpus, unique token per line", unique_variant(c))):
        fs = sorted(os.path.join(d, f) for f in os.listdir(d))
        size = sum(os.path.getsize(f) for f in fs)
        subprocess.run(["cat", *fs], stdout=subprocess.DEVNULL)
        t = min(run_timed([exe, "templates", "-q", "--format", "jsonl", d]) for _ in range(a.runs))
        w = min(run_timed(["wc", "-l", *fs]) for _ in range(a.runs))
        rss = peak_rss_mib([exe, "templates", "-q", "--format", "jsonl", d])
        # Other work on the machine changes wall-clock figures a lot; say how busy it was.
        print(f"{label}: {d} ({size / 1e6:.0f} MB), cores: {os.cpu_count()}, load average: {os.getloadavg()[0]:.2f}")
        rate = size / 1e6 / t
        floor = 500 if a.mb >= 256 and label == "corpus" else 0
        verdict = "" if not floor else f" (floor {floor} MB/s{'' if rate >= floor else ': MISSED'})"
        print(f"  triage templates --format jsonl > /dev/null: {rate:.0f} MB/s ({t:.2f} s){verdict}, peak RSS {rss:.0f} MiB")
        print(f"  wc -l: {size / 1e6 / w:.0f} MB/s")
        if floor and label == "corpus" and rate < floor:
            missed.append(f"corpus: {rate:.0f} MB/s < {floor} MB/s")
    if a.big_mb:
        big = corpus(a.big_mb)
        rss = peak_rss_mib([exe, "templates", "-q", "--format", "jsonl", big])
        print(f"  {a.big_mb} MB corpus: peak RSS {rss:.0f} MiB")
    if missed:
        print("floors missed: " + "; ".join(missed))
        if not a.no_floors:
            sys.exit(1)


if __name__ == "__main__":
    main()
