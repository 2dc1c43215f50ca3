#!/usr/bin/env python3
"""Logs written the way real programs write them, in about 45 layouts, each holding the
same 30 minutes of an app's life (requests, cache hits, a job, slow queries) and, from
minute 25, a burst of "Failed to connect to payments-db ..." errors. For each layout it
runs `triage parse` (records, records with a time, messages found intact, levels) and
`triage analyze` with the default window (status, first problem and its count) and
prints one row per layout; the last line counts the layouts where every record has its
time and message and the burst is the first problem with its exact count (for request
logs: every 5xx an error, and a root cause naming the status).

usage: bench/formats_sweep.py [--triage BIN] [--keep DIR] [LAYOUT...]

This is how the layouts in crates/cli/tests/formats.rs were found wrong (no level, no
time, a header left in the message); it covers more than the test, including layouts
still read imperfectly (their rows say how). Levels are shown as Triage gives them, for a
reader to judge: a layout's own names differ (Redis has no error level: `#` is warning).
"""
import argparse, datetime, glob, json, os, random, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
rng = random.Random(7)
START = datetime.datetime(2026, 12, 7, 9, 0, 0, tzinfo=datetime.timezone.utc)
MIN = 30; BURST_AT = 25; RATE = 4  # lines/s normal
NORMAL = [
    ("INFO", "Started GET /api/orders/{n} for 10.0.{a}.{b}"),
    ("INFO", "Completed request in {ms} ms status=200 user={u}"),
    ("DEBUG", "cache hit key=order:{n}"),
    ("INFO", "scheduled job sync-inventory finished in {ms} ms"),
    ("WARN", "slow query took {ms} ms"),
]
BURST = ("ERROR", "Failed to connect to payments-db 10.0.3.{b}:5432: Connection refused (attempt {k})")
def events():
    t = START; out = []
    end = START + datetime.timedelta(minutes=MIN)
    while t < end:
        t += datetime.timedelta(microseconds=rng.randint(50_000, 450_000))
        w = rng.random()
        lvl, tpl = NORMAL[0 if w < .35 else 1 if w < .75 else 2 if w < .93 else 3 if w < .99 else 4]
        out.append((t, lvl, tpl.format(n=rng.randint(1000, 99999), a=rng.randint(0, 9), b=rng.randint(1, 254), ms=rng.randint(2, 900), u=rng.choice(["alice", "bob", "carol", "dave"]))))
        if t >= START + datetime.timedelta(minutes=BURST_AT) and rng.random() < 0.5:
            t2 = t + datetime.timedelta(microseconds=rng.randint(1, 9000))
            lvl, tpl = BURST
            out.append((t2, lvl, tpl.format(b=rng.randint(1, 254), k=rng.randint(1, 5))))
    return out
EV = events()
def L(l, table): return table.get(l, l)
fmts = {}
def fmt(name):
    def deco(f): fmts[name] = f; return f
    return deco
@fmt("klog")
def _(t,l,m): return f"{ {'INFO':'I','DEBUG':'I','WARN':'W','ERROR':'E'}[l]}{t:%m%d %H:%M:%S}.{t.microsecond:06d}    4321 handler.go:{len(m)}] {m}"
@fmt("rails")
def _(t,l,m): return f"{l[0]}, [{t:%Y-%m-%dT%H:%M:%S}.{t.microsecond:06d} #4321] {L(l,{'WARN':'WARN'}):>5} -- : {m}"
@fmt("postgres")
def _(t,l,m): return f"{t:%Y-%m-%d %H:%M:%S}.{t.microsecond//1000:03d} UTC [4321] {L(l,{'WARN':'WARNING','INFO':'LOG','DEBUG':'DEBUG1'})}:  {m}"
@fmt("mysql_err")
def _(t,l,m): return f"{t:%Y-%m-%dT%H:%M:%S}.{t.microsecond:06d}Z 12 [{L(l,{'WARN':'Warning','INFO':'Note','DEBUG':'Note','ERROR':'ERROR'})}] [MY-010000] [Server] {m}"
@fmt("redis")
def _(t,l,m): return f"4321:M {t:%d %b %Y %H:%M:%S}.{t.microsecond//1000:03d} {L(l,{'DEBUG':'.','INFO':'*','WARN':'#','ERROR':'#'})} {m}"
@fmt("elasticsearch")
def _(t,l,m): return f"[{t:%Y-%m-%dT%H:%M:%S},{t.microsecond//1000:03d}][{l:<5}][o.e.c.r.a.OrderService] [node-1] {m}"
@fmt("nginx_error")
def _(t,l,m): return f"{t:%Y/%m/%d %H:%M:%S} [{L(l,{'WARN':'warn','INFO':'info','DEBUG':'debug','ERROR':'error'})}] 4321#4321: *{len(m)} {m}"
@fmt("kafka")
def _(t,l,m): return f"[{t:%Y-%m-%d %H:%M:%S},{t.microsecond//1000:03d}] {l} [Controller id=1] {m} (kafka.controller.KafkaController)"
@fmt("mongodb")
def _(t,l,m): return json.dumps({"t":{"$date":f"{t:%Y-%m-%dT%H:%M:%S}.{t.microsecond//1000:03d}+00:00"},"s":{'INFO':'I','DEBUG':'D1','WARN':'W','ERROR':'E'}[l],"c":"NETWORK","id":22943,"ctx":"conn12","msg":m,"attr":{"remote":"10.0.0.1:5000"}})
@fmt("journal_iso")
def _(t,l,m): return f"{t:%Y-%m-%dT%H:%M:%S}+0000 web-1 orders[4321]: {l}: {m}"
@fmt("rabbitmq")
def _(t,l,m): return f"{t:%Y-%m-%d %H:%M:%S}.{t.microsecond:06d}+00:00 [{L(l,{'WARN':'warning'}).lower()}] <0.{len(m)}.0> {m}"
@fmt("cassandra")
def _(t,l,m): return f"{l:<5} [Native-Transport-Requests-1] {t:%Y-%m-%d %H:%M:%S},{t.microsecond//1000:03d} OrderService.java:{len(m)} - {m}"
@fmt("gunicorn")
def _(t,l,m): return f"[{t:%Y-%m-%d %H:%M:%S} +0000] [4321] [{l}] {m}"
@fmt("winston_json")
def _(t,l,m): return json.dumps({"level":l.lower().replace('warn','warn'),"message":m,"timestamp":f"{t:%Y-%m-%dT%H:%M:%S}.{t.microsecond//1000:03d}Z","service":"orders"})
@fmt("log4net")
def _(t,l,m): return f"{t:%Y-%m-%d %H:%M:%S},{t.microsecond//1000:03d} [12] {l:<5} Orders.Api.OrderController - {m}"
@fmt("celery")
def _(t,l,m): return f"[{t:%Y-%m-%d %H:%M:%S},{t.microsecond//1000:03d}: {L(l,{'WARN':'WARNING'})}/MainProcess] {m}"
@fmt("python_default")
def _(t,l,m): return f"{t:%Y-%m-%d %H:%M:%S},{t.microsecond//1000:03d} - orders.api - {L(l,{'WARN':'WARNING'})} - {m}"
@fmt("serilog_text")
def _(t,l,m): return f"{t:%Y-%m-%d %H:%M:%S}.{t.microsecond//1000:03d} +00:00 [{ {'INFO':'INF','DEBUG':'DBG','WARN':'WRN','ERROR':'ERR'}[l]}] {m}"
@fmt("logback_spring")
def _(t,l,m): return f"{t:%Y-%m-%d %H:%M:%S}.{t.microsecond//1000:03d} {l:>5} 4321 --- [nio-8080-exec-{len(m)%9}] c.e.orders.OrderController              : {m}"
@fmt("syslog3164")
def _(t,l,m): return f"{t:%b %e %H:%M:%S} web-1 orders[4321]: <{l.lower()}> {m}"
@fmt("logfmt")
def _(t,l,m): return f'time="{t:%Y-%m-%dT%H:%M:%S}.{t.microsecond//1000:03d}Z" level={l.lower()} msg="{m}" service=orders'
@fmt("zap_console")
def _(t,l,m): return f"{t:%Y-%m-%dT%H:%M:%S}.{t.microsecond//1000:03d}Z\t{l.lower()}\torders/handler.go:{len(m)}\t{m}"
@fmt("haproxy_syslog")
def _(t,l,m): return f"<{ {'INFO':134,'DEBUG':135,'WARN':132,'ERROR':131}[l]}>{t:%b %e %H:%M:%S} lb-1 haproxy[4321]: {m}"
@fmt("apache_error")
def _(t,l,m): return f"[{t:%a %b %d %H:%M:%S}.{t.microsecond:06d} {t:%Y}] [orders:{L(l,{'WARN':'warn'}).lower()}] [pid 4321:tid 140] {m}"
@fmt("glog_python_absl")
def _(t,l,m): return f"{ {'INFO':'I','DEBUG':'I','WARN':'W','ERROR':'E'}[l]}{t:%m%d %H:%M:%S}.{t.microsecond:06d} 140 server.py:{len(m)}] {m}"
@fmt("dotnet_console")
def _(t,l,m): return f"{ {'INFO':'info','DEBUG':'dbug','WARN':'warn','ERROR':'fail'}[l]}: Orders.Api.OrderController[0]\n      {m}"

@fmt("jenkins")
def _(t,l,m): return f"{t:%Y-%m-%d %H:%M:%S}.{t.microsecond//1000:03d}+0000 [id={len(m)}]\t{L(l,{'WARN':'WARNING','ERROR':'SEVERE','DEBUG':'FINE'})}\thudson.model.Queue#maintain: {m}"
@fmt("tomcat_jul")
def _(t,l,m): return f"{t:%d-%b-%Y %H:%M:%S}.{t.microsecond//1000:03d} {L(l,{'WARN':'WARNING','ERROR':'SEVERE','DEBUG':'FINE'})} [http-nio-8080-exec-{len(m)%9}] org.apache.catalina.core.StandardWrapperValve.invoke {m}"
@fmt("jul_simple")
def _(t,l,m): return f"{t:%b %d, %Y} {t.hour%12 or 12}:{t:%M:%S} {'AM' if t.hour<12 else 'PM'} com.acme.orders.OrderService handle\n{L(l,{'WARN':'WARNING','ERROR':'SEVERE','DEBUG':'FINE'})}: {m}"
@fmt("envoy")
def _(t,l,m): return f"[{t:%Y-%m-%d %H:%M:%S}.{t.microsecond//1000:03d}][14][{L(l,{'WARN':'warning'}).lower()}][upstream] [source/common/upstream/cluster_manager_impl.cc:{len(m)}] {m}"
@fmt("hclog")
def _(t,l,m): return f"{t:%Y-%m-%dT%H:%M:%S}.{t.microsecond//1000:03d}Z [{l}] agent.server: {m}"
@fmt("clickhouse")
def _(t,l,m): return f"{t:%Y.%m.%d %H:%M:%S}.{t.microsecond:06d} [ 4321 ] {{}} <{ {'INFO':'Information','DEBUG':'Debug','WARN':'Warning','ERROR':'Error'}[l]}> executeQuery: {m}"
@fmt("airflow")
def _(t,l,m): return f"[{t:%Y-%m-%dT%H:%M:%S}.{t.microsecond//1000:03d}+0000] {{taskinstance.py:{len(m)}}} {l} - {m}"
@fmt("supervisor")
def _(t,l,m): return f"{t:%Y-%m-%d %H:%M:%S},{t.microsecond//1000:03d} {L(l,{'WARN':'WARN','DEBUG':'DEBG'})} {m}"
@fmt("rsyslog_precise")
def _(t,l,m): return f"{t:%Y-%m-%dT%H:%M:%S}.{t.microsecond:06d}+00:00 web-1 orders[4321]: {m}" if l!='ERROR' else f"{t:%Y-%m-%dT%H:%M:%S}.{t.microsecond:06d}+00:00 web-1 orders[4321]: error: {m}"
@fmt("mssql")
def _(t,l,m): return f"{t:%Y-%m-%d %H:%M:%S}.{t.microsecond//10000:02d} spid{len(m)}      {('Error: 18456, Severity: 14, State: 8. ' if l=='ERROR' else '')}{m}"
@fmt("docker_daemon")
def _(t,l,m): return f'time="{t:%Y-%m-%dT%H:%M:%S}.{t.microsecond*1000:09d}Z" level={l.lower()} msg="{m}"'
@fmt("go_std_log")
def _(t,l,m): return f"{t:%Y/%m/%d %H:%M:%S} {'[ERROR] ' if l=='ERROR' else '[WARN] ' if l=='WARN' else ''}{m}"
@fmt("php_fpm")
def _(t,l,m): return f"[{t:%d-%b-%Y %H:%M:%S}] {L(l,{'WARN':'WARNING','INFO':'NOTICE'})}: [pool www] {m}"
@fmt("uwsgi_django")
def _(t,l,m): return f"{l} {t:%Y-%m-%d %H:%M:%S},{t.microsecond//1000:03d} views {len(m)} 140 {m}"
@fmt("k8s_event_text")
def _(t,l,m): return f"{t:%Y-%m-%dT%H:%M:%S}.{t.microsecond:06d}Z stderr F {l} {m}"
@fmt("iis_w3c")
def _(t,l,m): return f"{t:%Y-%m-%d %H:%M:%S} W3SVC1 10.0.0.5 GET /api/orders/{len(m)} - 443 - 10.0.1.{len(m)%200} Mozilla/5.0 - {500 if l=='ERROR' else 200} 0 0 {len(m)*3}"
@fmt("nginx_access")
def _(t,l,m): return f'10.0.1.{len(m)%200} - - [{t:%d/%b/%Y:%H:%M:%S} +0000] "GET /api/orders/{len(m)} HTTP/1.1" {502 if l=="ERROR" else 200} {len(m)*10} "-" "curl/8.0"'


def check(triage, path, events, burst, access):
    p = subprocess.run([triage, "parse", path], capture_output=True, text=True)
    recs = [json.loads(l) for l in p.stdout.splitlines()]
    with_ts = sum(1 for r in recs if r["ts"])
    intact = sum(1 for r, e in zip(recs, events) if e[2] in r["message"])
    levels = {}
    for r in recs:
        levels[r["level"] or "-"] = levels.get(r["level"] or "-", 0) + 1
    a = subprocess.run([triage, "analyze", path, "--format", "json", "-q"], capture_output=True, text=True)
    try:
        report = json.loads(a.stdout)
        status = report["status"]
        top = report["problems"][0] if report["problems"] else {"title": "-", "count": 0}
    except (json.JSONDecodeError, KeyError):
        status, top = f"exit {a.returncode}", {"title": a.stderr.strip()[:60], "count": 0}
    if access:
        # A request log: the message is the request, the burst is of 5xx statuses.
        cause = report["root_causes"][0]["summary"] if status == "incident" and report["root_causes"] else ""
        found = status == "incident" and "status=5" in cause and levels.get("ERROR") == burst
        intact = len(events)
        top = {"title": cause, "count": levels.get("ERROR", 0)}
    else:
        found = status == "incident" and "payments-db" in top["title"] and top["count"] == burst
    ok = len(recs) == len(events) and with_ts == len(events) and intact == len(events) and found
    return ok, len(recs), with_ts, intact, levels, status, top


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--triage", default=os.path.join(ROOT, "target", "release", "triage"))
    ap.add_argument("--keep", help="write the files here (default: a temporary directory)")
    ap.add_argument("layouts", nargs="*")
    a = ap.parse_args()
    out = a.keep or tempfile.mkdtemp(prefix="triage-formats-")
    os.makedirs(out, exist_ok=True)
    burst = sum(1 for e in EV if e[1] == "ERROR")
    good = total = 0
    for name, write in sorted(fmts.items()):
        if a.layouts and name not in a.layouts:
            continue
        path = os.path.join(out, name + ".log")
        with open(path, "w") as fh:
            if name == "iis_w3c":
                fh.write(IIS_HEADER)
            for t, l, m in EV:
                fh.write(write(t, l, m) + "\n")
        ok, n, with_ts, intact, levels, status, top = check(a.triage, path, EV, burst, name in ACCESS)
        total += 1
        good += ok
        lv = " ".join(f"{k}:{v}" for k, v in sorted(levels.items()))
        print(f"{'ok  ' if ok else 'MISS'} {name:18s} records {n:5d}/{len(EV)} timed {with_ts:5d} intact {intact:5d}  "
              f"levels {lv}  | {status}: {top['title'][:50]!r} x{top['count']}")
    print(f"files in {out}", file=sys.stderr)
    print(f"{good} of {total} layouts: every record timed and intact, the burst first with its count ({burst})")


# Request logs: no app message; the burst is of 5xx statuses, the root cause must name one.
ACCESS = {"iis_w3c", "nginx_access"}

IIS_HEADER = ("#Software: Microsoft Internet Information Services 10.0\n#Version: 1.0\n#Date: 2026-12-07 09:00:00\n"
              "#Fields: date time s-sitename s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip "
              "cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\n")

if __name__ == "__main__":
    main()
