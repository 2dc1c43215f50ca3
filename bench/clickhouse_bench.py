#!/usr/bin/env python3
"""`triage analyze` over ClickHouse against `triage analyze` over the same files, in one run.

usage: bench/clickhouse_bench.py [--corpus DIR] [--mb 1024] [--keep]

Without --corpus, a corpus of --mb megabytes is generated with
../shared/eval/make_bench_corpus.py. A two-shard ClickHouse cluster (Debian's 18.16,
scripts/ensure-clickhouse.sh) is started on free loopback ports; the corpus is loaded
with `triage ingest` through a Distributed table (MB/s reported), then both analyses
run. Printed: wall time and peak RSS of each, bytes received from ClickHouse against
the raw bytes of the messages in the window and baselines (floor: <= 1 %), the ratio
of wall times (floor: ClickHouse <= 3x files on this 2-core machine, both shards on
it), and the differences between the two reports over the fields the equality tests
compare (crates/cli/tests/clickhouse.rs), which should be none.
"""
import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "triage")
GEN = os.path.join(ROOT, "..", "shared", "eval", "make_bench_corpus.py")
SCRIPT = os.path.join(ROOT, "scripts", "ensure-clickhouse.sh")


def timed(cmd):
    """Wall seconds, peak RSS (MiB) and exit status of one child."""
    wrapper = (
        "import resource,subprocess,sys,time;t=time.time();"
        "r=subprocess.run(sys.argv[1:],stdout=subprocess.DEVNULL).returncode;"
        "print(time.time()-t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss/1024, r)"
    )
    out = subprocess.run([sys.executable, "-c", wrapper] + cmd, capture_output=True, text=True, check=True).stdout.split()
    return float(out[0]), float(out[1]), int(out[2])


def free_base():
    for base in range(23100, 60000, 37):
        ok = True
        for p in (base, base + 1, base + 10, base + 11, base + 20, base + 21):
            with socket.socket() as s:
                try:
                    s.bind(("127.0.0.1", p))
                except OSError:
                    ok = False
                    break
        if ok:
            return base
    sys.exit("no free ports")


def q(port, sql):
    req = urllib.request.Request(f"http://127.0.0.1:{port}/", data=sql.encode())
    return urllib.request.urlopen(req, timeout=600).read().decode()


def to_second(s):
    s = s or ""
    dot = s.find(".")
    zone = max(s.rfind("Z"), s.rfind("+"), s.rfind("-"))
    return s[:dot] + s[zone:] if dot >= 0 and zone > dot else s


def comparable(r):
    """The fields crates/cli/tests/clickhouse.rs compares."""
    totals = dict(r["totals"])
    totals.pop("availability", None)
    return {
        "status": r["status"],
        "window": r["window"],
        "baseline": r["baseline"],
        "totals": totals,
        "services": r["services"],
        "modules": r["modules"],
        "hosts": r["hosts"],
        "problems": [
            {
                k: (to_second(p[k]) if k in ("onset", "first_seen", "last_seen") else p[k])
                for k in ("title", "priority", "count", "baseline_count", "ratio", "levels", "new", "category",
                          "services", "modules", "hosts", "onset", "first_seen", "last_seen")
            }
            | {"templates": [[t["template"], t["count"]] for t in p["templates"]]}
            for p in r["problems"]
        ],
        "spikes": [{k: s[k] for k in ("from", "to", "kind", "count", "expected")} for s in r["spikes"]],
        "changes": [[c["description"], c["score"], c["linked_problems"]] for c in r["changes"]],
        "root_causes": [{k: c.get(k) for k in ("kind", "service", "problems", "score")} for c in r["root_causes"]],
    }


def diff(a, b, path="", out=None):
    if type(a) is not type(b):
        out.append(f"{path}: {str(a)[:80]} | {str(b)[:80]}")
    elif isinstance(a, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                out.append(f"{path}.{k}: only in one")
            else:
                diff(a[k], b[k], f"{path}.{k}", out)
    elif isinstance(a, list):
        if len(a) != len(b):
            out.append(f"{path}: {len(a)} items | {len(b)} items")
        for i, (x, y) in enumerate(zip(a, b)):
            diff(x, y, f"{path}[{i}]", out)
    elif a != b:
        out.append(f"{path}: {str(a)[:80]} | {str(b)[:80]}")
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus")
    ap.add_argument("--mb", type=int, default=1024)
    ap.add_argument("--keep", action="store_true", help="leave the cluster's directory (not the servers)")
    a = ap.parse_args()
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "triage"], cwd=ROOT, check=True)
    tmp = tempfile.TemporaryDirectory()
    corpus = a.corpus
    if not corpus:
        corpus = os.path.join(tmp.name, "corpus")
        subprocess.run([sys.executable, GEN, corpus, "--mb", str(a.mb)], check=True, stdout=subprocess.DEVNULL)
    size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(corpus) for f in fs)
    print(f"corpus {corpus}: {size / 1e6:.0f} MB; load {os.getloadavg()[0]:.2f}")
    cluster = os.path.join(tmp.name, "cluster")
    port = free_base()
    subprocess.run([SCRIPT, "start", cluster, str(port)], check=True, stdout=subprocess.DEVNULL)
    try:
        for p in (port, port + 1):
            q(p, "CREATE TABLE otel_logs_local (Timestamp DateTime, TraceId String, SpanId String, SeverityText String, "
                 "SeverityNumber UInt8, ServiceName String, Body String, ResourceAttributes Nested(key String, value String), "
                 "LogAttributes Nested(key String, value String)) ENGINE = MergeTree() PARTITION BY toDate(Timestamp) "
                 "ORDER BY (ServiceName, Timestamp)")
        q(port, "CREATE TABLE otel_logs AS otel_logs_local ENGINE = Distributed(triage_two_shards, default, otel_logs_local, rand())")
        url = f"clickhouse://127.0.0.1:{port}/default?table=otel_logs"
        t_in, rss_in, rc = timed([BIN, "ingest", "-q", corpus, "--to", url])
        if rc != 0:
            sys.exit(f"ingest failed ({rc})")
        # Inserts through a Distributed table are forwarded asynchronously.
        n_prev, stable = -1, 0
        while stable < 3:
            n = sum(int(q(p, "SELECT count() FROM otel_logs_local").strip()) for p in (port, port + 1))
            stable = stable + 1 if n == n_prev else 0
            n_prev = n
            time.sleep(1)
        shards = [int(q(p, "SELECT count() FROM otel_logs_local").strip()) for p in (port, port + 1)]
        print(f"ingest: {t_in:.1f} s, {size / 1e6 / t_in:.1f} MB/s, peak RSS {rss_in:.0f} MiB; rows per shard {shards}")
        f_json = os.path.join(tmp.name, "files.json")
        c_json = os.path.join(tmp.name, "clickhouse.json")
        t_f, rss_f, rc_f = timed([BIN, "analyze", "-q", "--format", "json", "-o", f_json, corpus])
        t_c, rss_c, rc_c = timed([BIN, "analyze", "-q", "--format", "json", "-o", c_json, url])
        files, ch = json.load(open(f_json)), json.load(open(c_json))
        intake = ch["input"]["intake"]
        received = int(intake.split(", ")[1].split()[0])
        # Raw message bytes in the window and the baselines (the push-down's floor
        # counts against these; whole lines are larger, so this is conservative).
        spans = [ch["window"]] + list(ch["baseline"] or [])
        cond = " OR ".join(
            f"(Timestamp >= parseDateTimeBestEffort('{s['from']}') AND Timestamp < parseDateTimeBestEffort('{s['to']}'))"
            for s in spans
        )
        raw = int(q(port, f"SELECT sum(length(Body)) FROM otel_logs WHERE {cond}").strip() or 0)
        print(f"analyze files:      {t_f:.1f} s, peak RSS {rss_f:.0f} MiB (exit {rc_f})")
        print(f"analyze clickhouse: {t_c:.1f} s, peak RSS {rss_c:.0f} MiB (exit {rc_c}); ratio {t_c / t_f:.2f} (floor 3)")
        print(f"bytes received: {received} = {100 * received / max(raw, 1):.3f} % of {raw} message bytes in the window "
              f"and baselines (floor 1 %); {100 * received / size:.4f} % of the corpus")
        d = diff(comparable(files), comparable(ch), "", [])
        print(f"report differences (compared fields): {len(d)}")
        for line in d[:20]:
            print("  " + line)
    finally:
        subprocess.run([SCRIPT, "stop", cluster], check=False)
        if a.keep:
            print(f"kept {tmp.name}")
            tmp._finalizer.detach()


if __name__ == "__main__":
    main()
