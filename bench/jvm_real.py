#!/usr/bin/env python3
"""`triage jvm threads` and `triage jvm gc` on what a real JVM writes, here and now.

usage: bench/jvm_real.py [--triage BIN]

Needs a JDK (`java`, `javac`, `jstack`, `jcmd`; Debian: openjdk-17-jdk-headless).

Thread dumps: `bench/jvm/Scenarios.java` builds four situations with known answers (an
"exporter" thread spinning inside a monitor that 8 `http-worker-*` threads block on; a
two-thread monitor deadlock dl-A/dl-B; a ReentrantLock held by `rl-holder` with 3 parked
waiters; an idle fixed pool parked on its queue, which is not contention). The running JVM is
dumped four ways (jstack -l, jstack, jcmd Thread.print -l, kill -3 into its stdout) and each
report must name the same deadlock, the monitor's 8 waiters and owner, and the
ReentrantLock's 3 waiters (its owner only where -l printed the ownable synchronizers).

GC logs: `bench/jvm/Alloc.java` allocates for 3 s (with a System.gc() now and then) under
every collector the JDK has (Serial, Parallel, G1, Shenandoah, ZGC), logged with -Xlog:gc,
-Xlog:gc* and -Xlog:gc*,safepoint. Each log's pauses are also counted by a one-line reading
of the rule (a `[gc]` or `[gc,phases]` line `GC(n) [Y: ]Pause … <t>ms`), and the report must
agree on the count and the total.
"""
import argparse
import glob
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PAUSE = re.compile(r"\[(?:gc|gc,phases)\s*\]\s*GC\(\d+\) (?:[YyO]: )?Pause .*? ([\d.]+)ms\s*$")


def report(binary, kind, path):
    p = subprocess.run([binary, "jvm", kind, path, "--format", "json"], capture_output=True, text=True, check=True)
    return json.loads(p.stdout)["facts"]


def threads(binary, work):
    java = subprocess.Popen(["java", "-cp", work, "Scenarios", "15000"], stdout=open(os.path.join(work, "kill3.txt"), "w"),
                            stderr=subprocess.STDOUT)
    pid = None
    for _ in range(100):
        time.sleep(0.1)
        m = re.search(r"READY (\d+)", open(os.path.join(work, "kill3.txt")).read())
        if m:
            pid = m.group(1)
            break
    if not pid:
        sys.exit("Scenarios did not start")
    time.sleep(1.0)
    dumps = {
        "jstack -l": ["jstack", "-l", pid],
        "jstack": ["jstack", pid],
        "jcmd Thread.print -l": ["jcmd", pid, "Thread.print", "-l"],
    }
    for name, cmd in dumps.items():
        with open(os.path.join(work, name.replace(" ", "_") + ".txt"), "w") as f:
            subprocess.run(cmd, stdout=f, check=True)
    os.kill(int(pid), signal.SIGQUIT)
    time.sleep(1.0)
    java.kill()
    ok = True
    for name in list(dumps) + ["kill -3"]:
        path = os.path.join(work, "kill3.txt" if name == "kill -3" else name.replace(" ", "_") + ".txt")
        dump = report(binary, "threads", path)["dumps"][0]
        locks = {l["class"].split(".")[-1]: l for l in dump["contended_locks"]}
        monitor = max(dump["contended_locks"], key=lambda l: l["waiters"])
        rl = locks.get("ReentrantLock$NonfairSync", {})
        cycles = [sorted(t["name"] for t in c["threads"]) for c in dump["deadlocks"]]
        with_owners = name != "jstack" and name != "kill -3"
        good = (cycles == [["dl-A", "dl-B"]] and monitor["waiters"] == 8 and monitor["owners"] == ["exporter"]
                and rl.get("waiters") == 3 and rl.get("owners") == (["rl-holder"] if with_owners else []))
        ok &= good
        print("%-22s %d threads, deadlock %s, monitor %d waiters held by %s, ReentrantLock %s waiters held by %s: %s"
              % (name, dump["threads"], cycles, monitor["waiters"], monitor["owners"], rl.get("waiters"), rl.get("owners"),
                 "ok" if good else "WRONG"))
    return ok


def gc(binary, work):
    ok = True
    for collector in ["Serial", "Parallel", "G1", "Shenandoah", "Z"]:
        for tags in ["gc", "gc*", "gc*,safepoint"]:
            path = os.path.join(work, "gc-%s-%s.log" % (collector, tags.replace("*", "all").replace(",", "-")))
            r = subprocess.run(["java", "-Xmx256m", "-XX:+Use%sGC" % collector,
                                "-Xlog:%s:file=%s:time,uptime,level,tags" % (tags, path), "-cp", work, "Alloc", "3000"],
                               capture_output=True, text=True)
            if r.returncode != 0:
                print("%-12s %-14s not available in this JDK" % (collector, tags))
                continue
            n, total = 0, 0.0
            for line in open(path, errors="replace"):
                m = PAUSE.search(line)
                if m:
                    n += 1
                    total += float(m.group(1)) / 1000
            facts = report(binary, "gc", path)
            good = facts["pauses"] == n and abs(facts["total_pause_s"] - total) < 1e-6
            ok &= good
            print("%-12s %-14s %5d pauses %.6f s by rule; report %s %5d %s %.6f s: %s"
                  % (collector, tags, n, total, facts["collector"], facts["pauses"], facts["pauses_by_type"],
                     facts["total_pause_s"], "ok" if good else "WRONG"))
    return ok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--triage", default=os.path.join(ROOT, "target/release/triage"))
    a = ap.parse_args()
    for tool in ["java", "javac", "jstack", "jcmd"]:
        if not shutil.which(tool):
            sys.exit("%s not found (a JDK is needed: apt-get install openjdk-17-jdk-headless)" % tool)
    work = tempfile.mkdtemp(prefix="jvm-real-")
    subprocess.run(["javac", "-d", work] + glob.glob(os.path.join(ROOT, "bench/jvm/*.java")), check=True)
    print(subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0])
    ok = threads(a.triage, work) & gc(a.triage, work)
    shutil.rmtree(work)
    sys.exit(0 if ok else 1)


main()
