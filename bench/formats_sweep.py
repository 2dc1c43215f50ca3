#!/usr/bin/env python3
"""Logs written the way real programs write them, in about 110 layouts, each holding the
same 30 minutes of an app's life (requests, cache hits, a job, slow queries) and, from
minute 25, a burst of "Failed to connect to payments-db ..." errors. For each layout it
runs `triage parse` (records, records with the right time, messages found intact,
levels) and `triage analyze` with the default window (status, first problem and its
count) and prints one row per layout, with what was wrong in brackets; the last line
counts the layouts where every record has its time (within a second of the event's; the
time of day for layouts without a date; files are dated two days after their events, as
a copied log is) and message, every record has a level and the burst's are errors (where
the tool writes a level on every line), and the burst is the first problem with its
exact count (for request logs: every 5xx an error, and a root cause naming the status).

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


# ---- more layouts, each in its tool's default output --------------------------------
def iso_ms(t): return f"{t:%Y-%m-%dT%H:%M:%S}.{t.microsecond//1000:03d}Z"
def iso_us(t): return f"{t:%Y-%m-%dT%H:%M:%S}.{t.microsecond:06d}Z"
def epoch(t): return t.timestamp()
def hexid(m, n=24): return f"{sum(ord(c) * 131 ** i for i, c in enumerate(m)) % 16**n:0{n}x}"
PINO = {'DEBUG': 20, 'INFO': 30, 'WARN': 40, 'ERROR': 50}
def J(d): return json.dumps(d, separators=(",", ":"))
@fmt("pino")
def _(t,l,m): return J({"level": PINO[l], "time": int(epoch(t)*1000), "pid": 4321, "hostname": "web-1", "msg": m})
@fmt("bunyan")
def _(t,l,m): return J({"name": "orders", "hostname": "web-1", "pid": 4321, "level": PINO[l], "msg": m, "time": iso_ms(t), "v": 0})
@fmt("zerolog_json")
def _(t,l,m): return J({"level": l.lower(), "time": f"{t:%Y-%m-%dT%H:%M:%S}Z", "message": m})
@fmt("rust_tracing")
def _(t,l,m): return f"{iso_us(t)} {l:>5} orders::api: {m}"
TRACING_COLOUR = {'DEBUG': 34, 'INFO': 32, 'WARN': 33, 'ERROR': 31}
@fmt("rust_tracing_ansi")
def _(t,l,m): return f"\x1b[2m{iso_us(t)}\x1b[0m \x1b[{TRACING_COLOUR[l]}m{l:>5}\x1b[0m \x1b[2morders::api\x1b[0m\x1b[2m:\x1b[0m {m}"
@fmt("rust_env_logger")
def _(t,l,m): return f"[{t:%Y-%m-%dT%H:%M:%S}Z {l:<5} orders::api] {m}"
@fmt("elixir_logger")
def _(t,l,m): return f"\n{t:%H:%M:%S}.{t.microsecond//1000:03d} [{L(l,{'WARN':'warning'}).lower()}] {m}"
@fmt("phoenix")
def _(t,l,m): return f"{t:%H:%M:%S}.{t.microsecond//1000:03d} {'request_id=F' + hexid(m, 19) + ' ' if 'GET' in m or 'request' in m else ''}[{L(l,{'WARN':'warning'}).lower()}] {m}"
@fmt("etcd_json")
def _(t,l,m): return J({"level": l.lower(), "ts": iso_us(t), "caller": f"etcdserver/server.go:{len(m)}", "msg": m})
@fmt("k8s_json")
def _(t,l,m): return J({"ts": round(epoch(t)*1000, 3), "caller": f"app/handler.go:{len(m)}", "msg": m, **({"err": "connection refused"} if l == "ERROR" else {"v": 0})})
@fmt("prometheus_gokit")
def _(t,l,m): return f'ts={iso_ms(t)} caller=main.go:{len(m)} level={l.lower()} msg="{m}"'
LOG15 = {'DEBUG': 'dbug', 'INFO': 'info', 'WARN': 'warn', 'ERROR': 'eror'}
@fmt("grafana_log15")
def _(t,l,m): return f't={t:%Y-%m-%dT%H:%M:%S}+0000 lvl={LOG15[l]} msg="{m}" logger=orders'
@fmt("coredns_cri")
def _(t,l,m): return f"{t:%Y-%m-%dT%H:%M:%S}.{t.microsecond*1000:09d}Z stdout F [{L(l,{'WARN':'WARNING'})}] plugin/orders: {m}"
@fmt("caddy_json")
def _(t,l,m): return J({"level": l.lower(), "ts": round(epoch(t), 7), "logger": "http.handlers.orders", "msg": m})
ZEROLOG = {'DEBUG': 'DBG', 'INFO': 'INF', 'WARN': 'WRN', 'ERROR': 'ERR'}
@fmt("traefik_v3")
def _(t,l,m): return f"{t:%Y-%m-%dT%H:%M:%S}Z {ZEROLOG[l]} {m} providerName=docker"
@fmt("sidekiq")
def _(t,l,m): return f"{iso_ms(t)} pid=4321 tid=ovxs9x6m9{' class=OrderWorker jid=' + hexid(m) if l in ('DEBUG', 'ERROR') or 'job' in m else ''} {l}: {m}"
@fmt("ecs_json")
def _(t,l,m): return J({"@timestamp": iso_ms(t), "log.level": l, "message": m, "ecs.version": "1.2.0", "service.name": "orders", "event.dataset": "orders", "process.thread.name": "http-nio-8080-exec-1", "log.logger": "com.acme.orders.OrderService"})
@fmt("structlog_console")
def _(t,l,m): return f"{t:%Y-%m-%d %H:%M:%S} [{L(l,{'WARN':'warning'}).lower():<9}] {m:<30}"
@fmt("structlog_kv")
def _(t,l,m): return f"event={m!r} level={L(l,{'WARN':'warning'}).lower()!r} logger='orders.api' timestamp={iso_us(t)!r}"
@fmt("structlog_json")
def _(t,l,m): return json.dumps({"event": m, "level": L(l,{'WARN':'warning'}).lower(), "logger": "orders.api", "timestamp": iso_us(t)})
@fmt("log4j2_json")
def _(t,l,m): return J({"instant": {"epochSecond": int(epoch(t)), "nanoOfSecond": t.microsecond*1000}, "thread": "main", "level": l, "loggerName": "com.acme.orders.OrderService", "message": m, "endOfBatch": False, "loggerFqcn": "org.apache.logging.log4j.spi.AbstractLogger", "threadId": 1, "threadPriority": 5})
@fmt("windows_event_text")
def _(t,l,m): return f"{ {'DEBUG':'Verbose','INFO':'Information','WARN':'Warning','ERROR':'Error'}[l]}\t{t.month}/{t.day}/{t.year} {t.hour%12 or 12}:{t:%M:%S} {'AM' if t.hour<12 else 'PM'}\tOrders\t{1000 + len(m)%7}\tNone\t{m}"
@fmt("macos_log_show")
def _(t,l,m): return f"{t:%Y-%m-%d %H:%M:%S}.{t.microsecond:06d}+0000 0x{len(m)*4099:<8x} { {'DEBUG':'Debug','INFO':'Default','WARN':'Default','ERROR':'Error'}[l]:<11} 0x0                  4321   0    orders: (OrdersKit) [com.acme.orders:api] {m}"
@fmt("syslog5424_sd")
def _(t,l,m): return f"<{ {'INFO':134,'DEBUG':135,'WARN':132,'ERROR':131}[l]}>1 {iso_us(t)} web-1 orders 4321 api [meta sequenceId=\"{len(m)}\"][origin ip=\"10.0.0.5\" software=\"orders\"] {m}"
@fmt("gitlab_json")
def _(t,l,m): return J({"severity": l, "time": iso_ms(t), "correlation_id": "01HX" + hexid(m, 22).upper(), "message": m})
@fmt("pm2")
def _(t,l,m): return f"0|orders   | {t:%Y-%m-%dT%H:%M:%S}: {l.lower()}: {m}"
@fmt("docker_json_text")
def _(t,l,m): return J({"log": f"{t:%Y-%m-%d %H:%M:%S}.{t.microsecond//1000:03d} {l:>5} 1 --- [nio-8080-exec-{len(m)%9}] c.a.orders.OrderController              : {m}\n", "stream": "stdout", "time": f"{t:%Y-%m-%dT%H:%M:%S}.{t.microsecond*1000+417:09d}Z"})
@fmt("mariadb")
def _(t,l,m): return f"{t:%Y-%m-%d} {t.hour:2d}:{t:%M:%S} {len(m)} [{L(l,{'WARN':'Warning','INFO':'Note','DEBUG':'Note'})}] {m}"
@fmt("nlog")
def _(t,l,m): return f"{t:%Y-%m-%d %H:%M:%S}.{t.microsecond//100:04d}|{l}|Orders.Api.OrderController|{m}"
@fmt("loguru")
def _(t,l,m): return f"{t:%Y-%m-%d %H:%M:%S}.{t.microsecond//1000:03d} | {L(l,{'WARN':'WARNING'}):<8} | orders.api:handle:{len(m)} - {m}"
@fmt("monolog")
def _(t,l,m): return f"[{t:%Y-%m-%dT%H:%M:%S}.{t.microsecond:06d}+00:00] app.{L(l,{'WARN':'WARNING'})}: {m} [] []"
@fmt("quarkus")
def _(t,l,m): return f"{t:%Y-%m-%d %H:%M:%S},{t.microsecond//1000:03d} {l:<5} [com.acm.ord.OrderResource] (executor-thread-{len(m)%4}) {m}"
@fmt("go_slog_default")
def _(t,l,m): return f"{t:%Y/%m/%d %H:%M:%S} {l} {m}"
@fmt("journal_precise")
def _(t,l,m): return f"{t:%b %d %H:%M:%S}.{t.microsecond:06d} web-1 orders[4321]: {L(l,{'WARN':'WARNING'})}: {m}"

# Request logs (5xx during the burst).
@fmt("squid")
def _(t,l,m): return f"{epoch(t):.3f} {len(m)*7:6d} 10.0.1.{len(m)%200} TCP_MISS/{502 if l=='ERROR' else 200} {len(m)*10} GET http://orders.example.com/api/orders/{len(m)} - HIER_DIRECT/10.0.0.7 {'text/html' if l=='ERROR' else 'application/json'}"
@fmt("aws_alb")
def _(t,l,m):
    e = l == "ERROR"
    return (f'https {iso_us(t)} app/orders-alb/50dc6c495c0c9188 10.0.1.{len(m)%200}:{40000+len(m)} 10.0.0.7:8080 0.000 {-1 if e else 0.012} 0.000 '
            f'{502 if e else 200} {"-" if e else 200} 34 {len(m)*10} "GET https://orders.example.com:443/api/orders/{len(m)} HTTP/1.1" "curl/8.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 '
            f'arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/orders/73e2d6bc24d8a067 "Root=1-58337262-{hexid(m)}" "orders.example.com" '
            f'"arn:aws:acm:us-east-2:123456789012:certificate/12345678-1234-1234-1234-123456789012" 0 {iso_us(t)} "forward" "-" "-" "10.0.0.7:8080" "{"-" if e else 200}" "-" "-"')
@fmt("heroku_router")
def _(t,l,m):
    e = l == "ERROR"; h = hexid(m, 32)
    return (f'{t:%Y-%m-%dT%H:%M:%S}.{t.microsecond:06d}+00:00 heroku[router]: '
            + ('at=error code=H13 desc="Connection closed without response" ' if e else 'at=info ')
            + f'method=GET path="/api/orders/{len(m)}" host=orders.herokuapp.com request_id={h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]} '
            f'fwd="10.0.1.{len(m)%200}" dyno=web.1 connect=0ms service={len(m)}ms status={503 if e else 200} bytes={0 if e else len(m)*10} protocol=https')
@fmt("traefik_access")
def _(t,l,m): return f'10.0.1.{len(m)%200} - - [{t:%d/%b/%Y:%H:%M:%S} +0000] "GET /api/orders/{len(m)} HTTP/1.1" {502 if l=="ERROR" else 200} {len(m)*10} "-" "curl/8.0" {len(m)} "orders@docker" "http://10.0.0.7:8080" {len(m)}ms'
@fmt("envoy_access")
def _(t,l,m):
    e = l == "ERROR"; h = hexid(m, 32)
    return f'[{iso_ms(t)}] "GET /api/orders/{len(m)} HTTP/1.1" {503 if e else 200} {"UF" if e else "-"} 0 {0 if e else len(m)*10} {len(m)} {"-" if e else len(m)-1} "10.0.1.{len(m)%200}" "curl/8.0" "{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}" "orders.example.com" "10.0.0.7:8080"'
@fmt("haproxy_http")
def _(t,l,m):
    e = l == "ERROR"
    return f'{t:%b %e %H:%M:%S} lb-1 haproxy[4321]: 10.0.1.{len(m)%200}:{40000+len(m)} [{t:%d/%b/%Y:%H:%M:%S}.{t.microsecond//1000:03d}] fe_main be_orders/srv1 0/0/{-1 if e else 1}/{-1 if e else len(m)}/{len(m)+1} {503 if e else 200} {len(m)*10} - - {"SC--" if e else "----"} 1/1/0/0/{3 if e else 0} 0/0 "GET /api/orders/{len(m)} HTTP/1.1"'
@fmt("caddy_access")
def _(t,l,m): return J({"level": "error" if l == "ERROR" else "info", "ts": round(epoch(t), 7), "logger": "http.log.access.log0", "msg": "handled request", "request": {"remote_ip": f"10.0.1.{len(m)%200}", "remote_port": str(40000+len(m)), "proto": "HTTP/1.1", "method": "GET", "host": "orders.example.com", "uri": f"/api/orders/{len(m)}", "headers": {"User-Agent": ["curl/8.0"]}}, "bytes_read": 0, "user_id": "", "duration": len(m)/1000, "size": len(m)*10, "status": 502 if l == "ERROR" else 200, "resp_headers": {"Content-Type": ["application/json"]}})
@fmt("gitlab_production")
def _(t,l,m): return J({"method": "GET", "path": f"/api/orders/{len(m)}", "format": "json", "controller": "OrdersController", "action": "show", "status": 502 if l == "ERROR" else 200, "time": iso_ms(t), "params": [], "remote_ip": f"10.0.1.{len(m)%200}", "user_id": 1, "username": "alice", "ua": "curl/8.0", "correlation_id": "01HX" + hexid(m, 22).upper(), "duration_s": len(m)/1000, "db_duration_s": 0.003})

# ---- and more: cloud runtimes, web frameworks, CI --------------------------------
@fmt("kubectl_ts_json")
def _(t,l,m): return f"{t:%Y-%m-%dT%H:%M:%S}.{t.microsecond*1000:09d}Z " + J({"level": l.lower(), "ts": round(epoch(t), 6), "msg": m})
LOGRUS = {'DEBUG': 'DEBU', 'INFO': 'INFO', 'WARN': 'WARN', 'ERROR': 'ERRO'}
@fmt("logrus_tty_full")
def _(t,l,m): return f"{LOGRUS[l]}[{t:%Y-%m-%dT%H:%M:%S}Z] {m:<44} service=orders"
GHA = {'DEBUG': '##[debug]', 'INFO': '', 'WARN': '##[warning]', 'ERROR': '##[error]'}
@fmt("github_actions")
def _(t,l,m): return f"{t:%Y-%m-%dT%H:%M:%S}.{t.microsecond*10:07d}Z {GHA[l]}{m}"
@fmt("gin")
def _(t,l,m): return f'[GIN] {t:%Y/%m/%d - %H:%M:%S} | {503 if l=="ERROR" else 200} | {len(m)*37/1000:>9.3f}ms | {"10.0.1." + str(len(m)%200):>15} | GET      "/api/orders/{len(m)}"'
@fmt("echo_json")
def _(t,l,m): return J({"time": f"{t:%Y-%m-%dT%H:%M:%S}.{t.microsecond:06d}Z", "id": "", "remote_ip": f"10.0.1.{len(m)%200}", "host": "orders.example.com", "method": "GET", "uri": f"/api/orders/{len(m)}", "user_agent": "curl/8.0", "status": 503 if l == "ERROR" else 200, "error": "upstream down" if l == "ERROR" else "", "latency": len(m)*1000, "latency_human": f"{len(m)}µs", "bytes_in": 0, "bytes_out": len(m)*10})
@fmt("django_runserver")
def _(t,l,m): return f'[{t:%d/%b/%Y %H:%M:%S}] "GET /api/orders/{len(m)} HTTP/1.1" {500 if l=="ERROR" else 200} {len(m)*10}'
@fmt("flask_werkzeug")
def _(t,l,m): return f'10.0.1.{len(m)%200} - - [{t:%d/%b/%Y %H:%M:%S}] "GET /api/orders/{len(m)} HTTP/1.1" {500 if l=="ERROR" else 200} -'
@fmt("logcat_time")
def _(t,l,m): return f"{t:%m-%d %H:%M:%S}.{t.microsecond//1000:03d} {l[0]}/Orders  ( 4321): {m}"
@fmt("erlang_otp")
def _(t,l,m): return f"{t:%Y-%m-%dT%H:%M:%S}.{t.microsecond:06d}+00:00 {L(l,{'WARN':'warning'}).lower()}: {m}"
@fmt("journal_json")
def _(t,l,m): return J({"__CURSOR": "s=" + hexid(m, 32), "__REALTIME_TIMESTAMP": str(int(epoch(t)*1e6)), "__MONOTONIC_TIMESTAMP": "123456789", "_BOOT_ID": hexid("boot", 32), "PRIORITY": str({'DEBUG':7,'INFO':6,'WARN':4,'ERROR':3}[l]), "_HOSTNAME": "web-1", "SYSLOG_IDENTIFIER": "orders", "_PID": "4321", "MESSAGE": m})
@fmt("gcp_json")
def _(t,l,m): return J({"insertId": hexid(m, 14), "jsonPayload": {"message": m, "logger": "orders.api"}, "resource": {"type": "k8s_container", "labels": {"cluster_name": "prod", "container_name": "orders"}}, "timestamp": f"{t:%Y-%m-%dT%H:%M:%S}.{t.microsecond*1000:09d}Z", "severity": {'WARN': 'WARNING'}.get(l, l), "logName": "projects/acme/logs/stdout", "receiveTimestamp": f"{t:%Y-%m-%dT%H:%M:%S}.{t.microsecond*1000+51234:09d}Z"})
@fmt("lambda_node")
def _(t,l,m): return f"{iso_ms(t)}\t{hexid('req' + str(t.second), 8)}-1c3e-4f6a-9b2d-{hexid(m, 12)}\t{l}\t{m}"
@fmt("lambda_python")
def _(t,l,m): return f"[{L(l,{'WARN':'WARNING'})}]\t{iso_ms(t)}\t{hexid('req' + str(t.second), 8)}-1c3e-4f6a-9b2d-{hexid(m, 12)}\t{m}"
@fmt("log4j2_default")
def _(t,l,m): return f"{t:%H:%M:%S}.{t.microsecond//1000:03d} [main] {l:<5} com.acme.orders.OrderService - {m}"
@fmt("logback_default")
def _(t,l,m): return f"{t:%H:%M:%S}.{t.microsecond//1000:03d} [http-nio-8080-exec-{len(m)%9}] {l:<5} c.a.orders.OrderService -- {m}"
@fmt("mongodb_legacy")
def _(t,l,m): return f"{t:%Y-%m-%dT%H:%M:%S}.{t.microsecond//1000:03d}+0000 { {'DEBUG':'D1','INFO':'I','WARN':'W','ERROR':'E'}[l]} {'NETWORK':<8} [conn{len(m)}] {m}"
@fmt("fluentd")
def _(t,l,m): return f"{t:%Y-%m-%d %H:%M:%S} +0000 [{l.lower()}]: #0 {m}"
@fmt("telegraf")
def _(t,l,m): return f"{t:%Y-%m-%dT%H:%M:%S}Z {l[0]}! [outputs.orders] {m}"
@fmt("squid_cache")
def _(t,l,m): return f"{t:%Y/%m/%d %H:%M:%S} kid1| {'ERROR: ' if l=='ERROR' else 'WARNING: ' if l=='WARN' else ''}{m}"
@fmt("nginx_json")
def _(t,l,m): return J({"time_local": f"{t:%d/%b/%Y:%H:%M:%S} +0000", "remote_addr": f"10.0.1.{len(m)%200}", "request": f"GET /api/orders/{len(m)} HTTP/1.1", "status": "502" if l == "ERROR" else "200", "body_bytes_sent": str(len(m)*10), "request_time": f"{len(m)/1000:.3f}", "http_user_agent": "curl/8.0"})
@fmt("python_levelname_name")
def _(t,l,m): return f"{t:%Y-%m-%d %H:%M:%S},{t.microsecond//1000:03d} {L(l,{'WARN':'WARNING'})} orders.api {m}"
@fmt("spark")
def _(t,l,m): return f"{t:%y/%m/%d %H:%M:%S} {l} scheduler.DAGScheduler: {m}"
@fmt("zookeeper")
def _(t,l,m): return f"{t:%Y-%m-%d %H:%M:%S},{t.microsecond//1000:03d} [myid:1] - {l:<5} [QuorumPeer[myid=1](plain=0.0.0.0:2181)(secure=disabled):o.a.z.s.q.Leader@{len(m)}] - {m}"

@fmt("postgres_csvlog")
def _(t,l,m):
    lv = {'DEBUG': 'DEBUG1', 'INFO': 'LOG', 'WARN': 'WARNING', 'ERROR': 'ERROR'}[l]
    q = m.replace('"', '""')
    return (f'{t:%Y-%m-%d %H:%M:%S}.{t.microsecond//1000:03d} UTC,"app","orders",4321,"10.0.1.5:52345",6570a1b2.10e1,{len(m)},"SELECT",'
            f'2026-12-07 08:59:00 UTC,3/12,0,{lv},{"08006" if l == "ERROR" else "00000"},"{q}",,,,,,,,,"psql","client backend",,0')
@fmt("cisco_ios")
def _(t,l,m): return f"*{t:%b %e %H:%M:%S}.{t.microsecond//1000:03d}: %ORDERS-{ {'DEBUG':7,'INFO':6,'WARN':4,'ERROR':3}[l]}-EVENT: {m}"


def close_in_time(ts, t, time_of_day):
    got = datetime.datetime.fromisoformat(ts.replace("Z", "+00:00"))
    d = abs((got - t).total_seconds())
    return d < 1.0 or time_of_day and min(d % 86400, 86400 - d % 86400) < 1.0


def check(triage, path, events, burst, name):
    """Returns (ok, why-not, counts…) for one written file."""
    access = name in ACCESS
    p = subprocess.run([triage, "parse", path], capture_output=True, text=True)
    recs = [json.loads(l) for l in p.stdout.splitlines()]
    # A header an export starts with (column names) may be a record of its own, untimed.
    preamble = sum(1 for l in HEADERS.get(name, "").splitlines() if not l.startswith("#"))
    while preamble and len(recs) > len(events) and not recs[0]["ts"]:
        recs.pop(0)
        preamble -= 1
    # Timed: a time within a second of the event's (the layouts write whole seconds at
    # least); for a layout that writes no date, its time of day.
    with_ts = sum(1 for r, e in zip(recs, events) if r["ts"] and close_in_time(r["ts"], e[0], name in NO_DATE))
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
        report, status, top = {}, f"exit {a.returncode}", {"title": a.stderr.strip()[:60], "count": 0}
    if access:
        # A request log: the message is the request, the burst is of 5xx statuses.
        cause = report["root_causes"][0]["summary"] if status == "incident" and report.get("root_causes") else ""
        found = status == "incident" and "status=5" in cause and levels.get("ERROR") == burst
        intact = len(events)
        top = {"title": cause, "count": levels.get("ERROR", 0)}
    else:
        found = status == "incident" and "payments-db" in top["title"] and top["count"] == burst
    # Levels: where the tool writes one on every line, every record has one and the
    # burst's are errors; where it marks only some lines, the burst's are still errors.
    if name in NO_LEVELS:
        levels_ok = True
    elif name in NO_ERROR_LEVEL:
        levels_ok = "-" not in levels
    elif name in SOME_LEVELS:
        levels_ok = levels.get("ERROR") == burst
    else:
        levels_ok = "-" not in levels and levels.get("ERROR") == burst
    why = [w for w, bad in [("records", len(recs) != len(events)), ("time", with_ts != len(events)),
                            ("message", intact != len(events)), ("level", not levels_ok), ("burst", not found)] if bad]
    return not why, why, len(recs), with_ts, intact, levels, status, top


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
        with open(path, "w", newline="\n") as fh:
            fh.write(HEADERS.get(name, ""))
            for t, l, m in EV:
                fh.write(write(t, l, m) + "\n")
        # A log copied days after it was written: a layout that writes no date gets the
        # copy's, and a date taken from anywhere but the line shows.
        copied = (START + datetime.timedelta(days=2, hours=5)).timestamp()
        os.utime(path, (copied, copied))
        ok, why, n, with_ts, intact, levels, status, top = check(a.triage, path, EV, burst, name)
        total += 1
        good += ok
        lv = " ".join(f"{k}:{v}" for k, v in sorted(levels.items()))
        print(f"{'ok  ' if ok else 'MISS'} {name:18s} records {n:5d}/{len(EV)} timed {with_ts:5d} intact {intact:5d}  "
              f"levels {lv}  | {status}: {top['title'][:50]!r} x{top['count']}" + (f"  [{' '.join(why)}]" if why else ""))
    print(f"files in {out}", file=sys.stderr)
    print(f"{good} of {total} layouts: every record timed, levelled and intact, the burst first with its count ({burst})")


# Request logs: no app message; the burst is of 5xx statuses, the root cause must name one.
ACCESS = {"iis_w3c", "nginx_access", "squid", "aws_alb", "heroku_router", "traefik_access", "envoy_access",
          "haproxy_http", "caddy_access", "gitlab_production", "gin", "echo_json", "django_runserver",
          "flask_werkzeug", "nginx_json"}
# Tools that mark only some lines with a level (Go's log, SQL Server, a syslog app that
# prefixes only its errors), one whose levels have no error (Redis: `#` is warning), and
# Kubernetes' JSON (klog writes `v` or `err`, no level).
SOME_LEVELS = {"go_std_log", "mssql", "rsyslog_precise", "github_actions", "squid_cache"}
NO_ERROR_LEVEL = {"redis"}
NO_LEVELS = {"k8s_json", "dotnet_console"}

# Layouts that write a time of day without a date.
NO_DATE = {"elixir_logger", "phoenix", "log4j2_default", "logback_default"}

# What an export writes before its records.
HEADERS = {
    "iis_w3c": "#Software: Microsoft Internet Information Services 10.0\n#Version: 1.0\n#Date: 2026-12-07 09:00:00\n"
               "#Fields: date time s-sitename s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip "
               "cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\n",
    "windows_event_text": "Level\tDate and Time\tSource\tEvent ID\tTask Category\n",
    "macos_log_show": "Timestamp                       Thread     Type        Activity             PID    TTL  \n",
}

if __name__ == "__main__":
    main()
