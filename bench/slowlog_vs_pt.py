#!/usr/bin/env python3
"""`triage slowlog` against Percona's pt-query-digest on slow logs written the way MySQL,
Percona Server and MariaDB write them: agreement per query class, and speed.

usage: bench/slowlog_vs_pt.py [--events N] [--seed S] [--triage BIN] [--pt PT_QUERY_DIGEST] [--keep DIR]

Writes one log per server dialect (MySQL 5.1, 5.7, 8.0 with log_slow_extra, Percona 8.0
with log_slow_verbosity=full, MariaDB 10) with N events each, drawn from query families
that exercise what fingerprinting must undo: numbers (also inside identifiers, negative,
decimal, hex), quoted strings with escaped quotes, NULL/TRUE/FALSE, IN and VALUES lists of
any length, multi-row INSERTs, UNION, LIMIT/OFFSET, ORDER BY ... ASC, comments of three
kinds, CALL, `use`, mysqldump's SELECT, administrator commands, multi-line text, server
restart banners between events. Every log goes through both tools; the classes are
compared by pt-query-digest's checksum (the MD5 of the fingerprint, so equal checksums
mean equal fingerprint texts) on count and total Query_time. Then one larger log is timed
with both, best of 3, whole process.

Needs pt-query-digest 3.5 or later (`--pt PATH`, else the one on PATH). Older ones (3.2.1 is what
Ubuntu 22.04's `percona-toolkit` installs) fingerprint quoted strings by the rules before PT-1900
(an escaped quote, a doubled quote, a string right after a backslash), so the classes of the
families with such literals differ from triage's, which follows 3.5.
"""
import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def words(r, n):
    return " ".join(r.choice(["alpha", "beta", "gamma", "delta", "x1", "y_2", "zeta"]) for _ in range(n))


def lit(r):
    """A string literal in one of the quoting styles MySQL accepts."""
    s = r.choice(["O\\'Brien", "it''s", "plain", "with \\\"dq\\\"", "a,b,(c)", "50% off", "ünïcode 楽器", ""])
    return r.choice(["'%s'", '"%s"']) % s


def num(r):
    return r.choice([str(r.randint(0, 10**6)), "-%d" % r.randint(1, 99), "%d.%d" % (r.randint(0, 99), r.randint(0, 99)),
                     "0x%X" % r.randint(0, 2**31), "1e%d" % r.randint(1, 9)])


def in_list(r):
    n = r.randint(1, 30)
    sep = r.choice([",", ", ", " , ", ",\n  "])
    return sep.join(num(r) if r.random() < .7 else lit(r) for _ in range(n))


FAMILIES = [
    lambda r: "SELECT * FROM users WHERE id = %s" % num(r),
    lambda r: "select name, email from users where email = %s and status in (%s)" % (lit(r), in_list(r)),
    lambda r: "SELECT * FROM orders WHERE created_at BETWEEN '2024-01-%02d' AND '2024-02-%02d' ORDER BY id ASC, total ASC LIMIT %d, %d"
    % (r.randint(1, 28), r.randint(1, 28), r.randint(0, 999), r.randint(1, 99)),
    lambda r: "SELECT id FROM orders ORDER BY id DESC LIMIT %d OFFSET %d" % (r.randint(1, 50), r.randint(0, 5000)),
    lambda r: "INSERT INTO audit_log (a, b, c) VALUES " + ", ".join(
        "(%s, %s, NULL)" % (num(r), lit(r)) for _ in range(r.randint(1, 12))),
    lambda r: "REPLACE INTO kv VALUES (%s,%s)" % (lit(r), num(r)),
    lambda r: 'UPDATE t_2023 SET x = x + %s WHERE k = "%s"' % (num(r), r.choice(["a", "b\\\"c", "d"])),
    lambda r: "/* app:checkout trace=%d */ SELECT sku, qty FROM cart WHERE user_id=%s AND deleted = FALSE"
    % (r.randint(0, 10**9), num(r)),
    lambda r: "CALL refresh_stats(%s, %s)" % (num(r), lit(r)),
    lambda r: "SELECT a FROM t1 WHERE b = %s UNION ALL SELECT a FROM t1 WHERE b = %s" % (num(r), num(r)),
    lambda r: "SELECT * FROM db2.tuning_%d WHERE c%d = TRUE AND d IS NULL" % (r.randint(1, 3), r.randint(1, 3)),
    lambda r: "SELECT /*!40001 SQL_NO_CACHE */ * FROM `big_table_%d`" % r.randint(1, 5),
    lambda r: "select\n    u.id,\n\tu.name\nfrom users u\n  join orders o on o.user_id = u.id\nwhere o.total > %s -- filter\n  and u.region = %s"
    % (num(r), lit(r)),
    lambda r: "DELETE FROM sessions WHERE expires < %d # old ones" % r.randint(10**9, 2 * 10**9),
    lambda r: "SELECT COUNT(*) FROM `events` WHERE `type` IN (%s) AND ts >= NOW() - INTERVAL %d DAY"
    % (in_list(r), r.randint(1, 30)),
    lambda r: "SET autocommit=%d" % r.randint(0, 1),
    lambda r: "COMMIT",
    lambda r: "SHOW GLOBAL STATUS LIKE %s" % lit(r),
    lambda r: "select md5_col from h where h = 'a%032x'" % r.getrandbits(128),
    lambda r: "SELECT * FROM t WHERE a = %s AND b = %s" % (words(r, 1), num(r)),
]


def header(r, dialect, t, qt, db):
    ts = time.gmtime(t)
    lock, sent, exam = r.random() / 1000, r.randint(0, 50), r.randint(0, 100000)
    out = []
    if dialect == "mysql51":
        out.append("# Time: %s" % time.strftime("%y%m%d %k:%M:%S", ts))
        out.append("# User@Host: app[app] @ web%d [10.0.0.%d]" % (r.randint(1, 3), r.randint(1, 254)))
        out.append("# Query_time: %.6f  Lock_time: %.6f Rows_sent: %d  Rows_examined: %d" % (qt, lock, sent, exam))
    elif dialect == "mysql57":
        out.append("# Time: %s.%06dZ" % (time.strftime("%Y-%m-%dT%H:%M:%S", ts), r.randint(0, 999999)))
        out.append("# User@Host: app[app] @  [10.0.0.%d]  Id: %5d" % (r.randint(1, 254), r.randint(1, 9999)))
        out.append("# Query_time: %.6f  Lock_time: %.6f Rows_sent: %d  Rows_examined: %d" % (qt, lock, sent, exam))
    elif dialect == "mysql80extra":
        out.append("# Time: %s.%06dZ" % (time.strftime("%Y-%m-%dT%H:%M:%S", ts), r.randint(0, 999999)))
        out.append("# User@Host: app[app] @ localhost []  Id: %5d" % r.randint(1, 9999))
        out.append("# Query_time: %.6f  Lock_time: %.6f Rows_sent: %d  Rows_examined: %d Thread_id: %d Errno: 0 Killed: 0 "
                   "Bytes_received: 0 Bytes_sent: %d Read_first: 0 Read_last: 0 Read_key: 1 Read_next: 0 Read_prev: 0 "
                   "Read_rnd: 0 Read_rnd_next: %d Sort_merge_passes: 0 Sort_range_count: 0 Sort_rows: 0 Sort_scan_count: 0 "
                   "Created_tmp_disk_tables: 0 Created_tmp_tables: 0 Start: %s.000000Z End: %s.%06dZ"
                   % (qt, lock, sent, exam, r.randint(1, 999), r.randint(50, 5000), exam,
                      time.strftime("%Y-%m-%dT%H:%M:%S", ts), time.strftime("%Y-%m-%dT%H:%M:%S", ts), int(qt * 1e6) % 10**6))
    elif dialect == "percona80":
        out.append("# Time: %s.%06dZ" % (time.strftime("%Y-%m-%dT%H:%M:%S", ts), r.randint(0, 999999)))
        out.append("# User@Host: root[root] @ localhost []  Id: %5d" % r.randint(1, 9999))
        out.append("# Schema: %s  Last_errno: 0  Killed: 0" % db)
        out.append("# Query_time: %.6f  Lock_time: %.6f  Rows_sent: %d  Rows_examined: %d  Rows_affected: 0" % (qt, lock, sent, exam))
        out.append("# Bytes_sent: %d  Tmp_tables: 0  Tmp_disk_tables: 0  Tmp_table_sizes: 0" % r.randint(50, 5000))
        out.append("# InnoDB_trx_id: %X" % r.randint(0, 2**40))
        out.append("# Full_scan: %s  Full_join: No  Tmp_table: No  Tmp_table_on_disk: No" % r.choice(["Yes", "No"]))
        out.append("# Filesort: No  Filesort_on_disk: No  Merge_passes: 0")
        out.append("#   InnoDB_IO_r_ops: 0  InnoDB_IO_r_bytes: 0  InnoDB_IO_r_wait: 0.000000")
        out.append("#   InnoDB_rec_lock_wait: 0.000000  InnoDB_queue_wait: 0.000000")
        out.append("#   InnoDB_pages_distinct: %d" % r.randint(1, 999))
    elif dialect == "mariadb10":
        out.append("# Time: %s" % time.strftime("%y%m%d %H:%M:%S", ts))
        out.append("# User@Host: app[app] @ localhost []")
        out.append("# Thread_id: %d  Schema: %s  QC_hit: No" % (r.randint(1, 9999), db))
        out.append("# Query_time: %.6f  Lock_time: %.6f  Rows_sent: %d  Rows_examined: %d" % (qt, lock, sent, exam))
        out.append("# Rows_affected: 0  Bytes_sent: %d" % r.randint(50, 5000))
    return out


BANNER = ["/usr/sbin/mysqld, Version: 8.0.36 (MySQL Community Server - GPL). started with:",
          "Tcp port: 3306  Unix socket: /var/run/mysqld/mysqld.sock",
          "Time                 Id Command    Argument"]
DIALECTS = ["mysql51", "mysql57", "mysql80extra", "percona80", "mariadb10"]


def write_log(path, dialect, events, seed):
    r = random.Random(seed)
    t = 1_700_000_000
    db = "shop"
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(BANNER) + "\n")
        for i in range(events):
            t += r.randint(0, 3)
            if r.random() < 0.002:
                f.write("\n".join(BANNER) + "\n")
            qt = r.expovariate(1 / 0.3)
            f.write("\n".join(header(r, dialect, t, qt, db)) + "\n")
            if r.random() < 0.05:
                db = r.choice(["shop", "billing", "audit"])
                f.write("use %s;\n" % db)
            f.write("SET timestamp=%d;\n" % t)
            if r.random() < 0.03:
                f.write("# administrator command: %s;\n" % r.choice(["Ping", "Quit", "Prepare"]))
            else:
                f.write(r.choice(FAMILIES)(r) + ";\n")


PT = "pt-query-digest"


def pt_version():
    p = subprocess.run([PT, "--version"], capture_output=True, text=True)
    words = (p.stdout + p.stderr).split()
    return words[-1] if words else "unknown"


def pt_has_current_quote_rules(out):
    """Whether PT fingerprints an escaped backslash before a closing quote as 3.5 does (PT-1900)."""
    probe = os.path.join(out, "probe.log")
    with open(probe, "w") as f:
        f.write("# Query_time: 1\nSELECT * FROM t WHERE a = 'x\\\\' AND b = 1;\n")
    _, classes = pt_classes(probe)
    os.remove(probe)
    return any(fp == "select * from t where a = ? and b = ?" for _, _, fp in classes.values())


def pt_classes(path):
    p = subprocess.run([PT, "--output", "json", "--limit", "100000", "--no-version-check", path],
                       capture_output=True, text=True, check=True)
    doc = json.loads(p.stdout[p.stdout.index("{"):])
    classes = {c["checksum"]: (c["query_count"], float(c["metrics"]["Query_time"]["sum"]), c["fingerprint"])
               for c in doc["classes"]}
    return doc["global"]["query_count"], classes


def triage_classes(binary, path):
    p = subprocess.run([binary, "slowlog", path, "--format", "json", "--top", "100000"], capture_output=True, text=True,
                       check=True)
    facts = json.loads(p.stdout)["facts"]
    classes = {c["checksum"]: (c["count"], float(c["query_time_sum_s"]), c["fingerprint"]) for c in facts["classes"]}
    return facts["queries"], classes


def best_of(cmd, runs=3):
    best = None
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        dt = time.perf_counter() - t0
        best = dt if best is None else min(best, dt)
    return best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--triage", default=os.path.join(ROOT, "target/release/triage"))
    ap.add_argument("--pt", default="pt-query-digest", help="the pt-query-digest to compare with (3.5 or later)")
    ap.add_argument("--keep", help="write the logs here and keep them")
    ap.add_argument("--speed-events", type=int, default=200_000)
    a = ap.parse_args()
    global PT
    PT = a.pt
    if not shutil.which(PT):
        sys.exit("%s not found (Percona Toolkit 3.5 or later)" % PT)
    print("pt-query-digest %s (%s)" % (pt_version(), shutil.which(PT)))
    out = a.keep or tempfile.mkdtemp(prefix="slowlog-vs-pt-")
    os.makedirs(out, exist_ok=True)
    if not pt_has_current_quote_rules(out):
        print("warning: this pt-query-digest fingerprints quoted strings by the rules before PT-1900 "
              "(3.5 has the new ones); classes with escaped or doubled quotes will differ")
    all_ok = True
    for k, dialect in enumerate(DIALECTS):
        path = os.path.join(out, "%s.log" % dialect)
        write_log(path, dialect, a.events, a.seed + k)
        pq, pc = pt_classes(path)
        tq, tc = triage_classes(a.triage, path)
        same = [c for c in pc if c in tc and tc[c][0] == pc[c][0] and abs(tc[c][1] - pc[c][1]) <= 1e-6 * max(1, pc[c][1]) + 1e-5]
        ok = pq == tq and len(same) == len(pc) == len(tc)
        all_ok &= ok
        print("%-13s events %d/%d, classes %d (pt) / %d (triage), identical %d %s"
              % (dialect, tq, pq, len(pc), len(tc), len(same), "ok" if ok else "DIFFER"))
        if not ok:
            for c in pc:
                if c not in same:
                    print("   pt only or differs: %s %r" % (pc[c][:2], pc[c][2][:150]))
            for c in tc:
                if c not in pc:
                    print("   triage only:        %s %r" % (tc[c][:2], tc[c][2][:150]))
    big = os.path.join(out, "speed.log")
    write_log(big, "mysql57", a.speed_events, a.seed + 99)
    size = os.path.getsize(big) / 1e6
    tt = best_of([a.triage, "slowlog", big, "--format", "json"])
    pt = best_of([PT, "--output", "json", "--no-version-check", big], runs=1)
    print("speed: %.1f MB, %d events: triage %.2f s (%.1f MB/s), pt-query-digest %.2f s (%.1f MB/s): %.1fx"
          % (size, a.speed_events, tt, size / tt, pt, size / pt, pt / tt))
    if not a.keep:
        shutil.rmtree(out)
    sys.exit(0 if all_ok else 1)


main()
