#!/usr/bin/env python3
"""Writes the hostile-but-fair intake corpus (issue 16) into a directory.

Usage: generate.py OUT_DIR

Every input is made here, at test time, from text (no binaries are committed):
crates/cli/tests/hostile.rs runs this script and checks what `triage` makes of each
file. Deterministic: the same files on every run (mtimes are set explicitly).
"""

import gzip
import os
import shutil
import subprocess
import sys

# 2026-12-06 12:00:00 UTC: the modification time given to files with year-less dates.
MTIME = 1796558400


def write(out, name, data, mtime=None):
    path = os.path.join(out, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode("utf-8"))
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def hadoop(n, start=0):
    return "".join(
        f"2015-10-18 18:{(i // 60) % 60:02}:{i % 60:02},{i % 1000:03} INFO [main] "
        f"org.apache.hadoop.mapreduce.v2.app.MRAppMaster: Executing with tokens: step {i}\n"
        for i in range(start, start + n)
    )


def openssh(n):
    return "".join(
        f"Dec 10 {6 + i // 3600:02}:{(i // 60) % 60:02}:{i % 60:02} LabSZ sshd[{24200 + i}]: "
        f"Invalid user webmaster from 173.234.31.{i % 250}\n"
        for i in range(n)
    )


def spring(frames, start_inside=False):
    out = []
    if start_inside:
        out.append("\tat com.example.demo.Tail.run(Tail.java:9)\n\t... 12 more\n")
    for i in range(40):
        out.append(
            f"2024-03-01 10:{i // 60:02}:{i % 60:02}.123  INFO 4242 --- [           main] "
            f"c.e.demo.Worker                          : tick {i}\n"
        )
        out.append(
            f"2024-03-01 10:{i // 60:02}:{i % 60:02}.456 ERROR 4242 --- [nio-8080-exec-1] "
            f"c.e.demo.Controller                      : request {i} failed\n"
        )
        out.append("java.lang.IllegalStateException: boom\n")
        out.extend(f"\tat com.example.demo.Layer{f}.call(Layer{f}.java:{f + 10})\n" for f in range(frames))
        out.append("Caused by: java.io.IOException: disk full\n\t... 3 more\n")
    return "".join(out)


def python_tracebacks(depth):
    out = []
    for i in range(40):
        out.append(f"2024-03-01 10:00:{i % 60:02},001 - worker - ERROR - job {i} failed\n")
        out.append("Traceback (most recent call last):\n")
        for d in range(depth):
            out.append(f'  File "/srv/app/mod{d}.py", line {d + 3}, in step{d}\n    step{d + 1}()\n')
        out.append("ValueError: bad input\n")
    return "".join(out)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)

    # 1. Format changes: after the 200 sampled lines, and a second log appended.
    write(out, "format/late_json.log", hadoop(200) + "".join(
        f'{{"time":"2015-10-18T18:10:{i % 60:02}Z","level":"ERROR","msg":"payment db down {i}"}}\n'
        for i in range(300)))
    write(out, "format/concat.log", hadoop(1000) + openssh(1000))

    # 2. Logs dominated by stack traces.
    for frames in (5, 20, 60):
        write(out, f"traces/spring_{frames}.log", spring(frames))
    write(out, "traces/spring_60_inside.log", spring(60, start_inside=True))
    write(out, "traces/python_30.log", python_tracebacks(30))

    # 3. NUL runs and UTF-16.
    write(out, "encoding/copytruncate.log", b"\0" * 100_000 + hadoop(50).encode() + b"\0" * 64 + hadoop(50, 50).encode())
    text = hadoop(30)
    write(out, "encoding/utf16le.log", b"\xff\xfe" + text.encode("utf-16-le"))
    write(out, "encoding/utf16be.log", b"\xfe\xff" + text.encode("utf-16-be"))

    # 4. Impossible and year-less dates.
    write(out, "dates/impossible.log",
          "2024-02-28 10:00:00,000 INFO [main] a.B: before\n"
          "9999-01-01 10:00:01,000 ERROR [main] a.B: year 9999\n"
          "0001-01-01 10:00:02,000 ERROR [main] a.B: year 0001\n"
          "2024-02-30 10:00:03,000 ERROR [main] a.B: february 30\n"
          "2024-02-28 10:00:04,000 INFO [main] a.B: after\n")
    write(out, "dates/epoch.json",
          '{"ts":1709200000,"level":"info","msg":"before"}\n'
          '{"ts":253402300800,"level":"error","msg":"year 10000 in seconds"}\n'
          '{"ts":1709200004,"level":"info","msg":"after"}\n')
    months = ["Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb"]
    write(out, "dates/rollover.log", "".join(
        f"{m} {d:2} 06:{i:02}:20 combo sshd(pam_unix)[{1000 + i}]: session opened for user root\n"
        for i, m in enumerate(months) for d in (9, 28)), mtime=MTIME)
    # Copied on Dec 6: the Dec 7 line belongs to last year, not to tomorrow.
    write(out, "dates/copied.log",
          "Nov 30 10:00:00 host app[1]: a\nDec  7 10:00:00 host app[1]: b\n", mtime=MTIME)

    # 5. Symlinks: an alias, a loop, the same file named twice.
    write(out, "links/app.log", hadoop(10))
    os.symlink("app.log", os.path.join(out, "links/current.log"))
    os.symlink(".", os.path.join(out, "links/loop"))

    # 6. Truncated zstd (needs the zstd command; the test skips loudly without it).
    big = "".join(f"2024-01-01 00:{i // 60 % 60:02}:{i % 60:02}.000 INFO [main] a.B: event {i} {i * 7919 % 10007}\n"
                  for i in range(20000)).encode()
    zstd = shutil.which("zstd")
    if zstd:
        packed = subprocess.run([zstd, "-q", "-c", "-3"], input=big, stdout=subprocess.PIPE, check=True).stdout
        write(out, "zstd/cut.log.zst", packed[: len(packed) // 2])
    write(out, "zstd/cut.log.gz", gzip.compress(big, mtime=0)[:60_000])

    # 8. Docker json-file around klog; Elasticsearch's log4j2 layout.
    write(out, "formats/docker_klog.log", "".join(
        f'{{"log":"I0115 10:00:{i:02}.123456       1 server.go:42] reconcile {i}\\n",'
        f'"stream":"stderr","time":"2024-01-15T10:00:{i:02}.123499Z"}}\n' for i in range(20)))
    write(out, "formats/elasticsearch.log",
          "[2024-01-15T10:00:00,123][WARN ][o.e.c.r.a.DiskThresholdMonitor] [node-1] high disk watermark [90%] exceeded\n"
          "[2024-01-15T10:00:01,456][INFO ][o.e.n.Node               ] [node-1] started\n"
          "[2024-01-15T10:00:02,789][ERROR][o.e.b.ElasticsearchUncaughtExceptionHandler] [node-1] uncaught exception\n"
          "org.elasticsearch.bootstrap.StartupException: java.lang.IllegalStateException: failed\n"
          "\tat org.elasticsearch.bootstrap.Elasticsearch.init(Elasticsearch.java:163)\n"
          "[2024-01-15T10:00:03,000][DEBUG][o.e.a.s.TransportSearchAction] [node-1] [idx][0] failed\n")

    # 9. A FIFO inside a directory (no writer).
    write(out, "special/app.log", hadoop(5))
    os.mkfifo(os.path.join(out, "special/pipe.log"))

    # 10. A small file for `-j 5000`.
    write(out, "threads/small.log", hadoop(50))


if __name__ == "__main__":
    main()
