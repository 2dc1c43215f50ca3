#!/usr/bin/env python3
"""Generate acceptance scenarios for `triage analyze` (Python 3 standard library only).

usage: generate.py OUTDIR [--seed N] [--only KIND[,KIND...]]

Writes one folder per scenario, laid out like the Nezha scenarios Triage is also scored on:

    OUTDIR/<name>/logs/<service>.log ...   application and access logs (one or more files per service)
    OUTDIR/<name>/metrics.csv              timestamp,host,metric,value (one row per host, metric and minute)
    OUTDIR/<name>/changes.jsonl            {"time", "kind", "service", "version"?, "description"}
    OUTDIR/<name>/truth.json               {"kind", "args", "expect", "notes"}

Kinds (two variants of each per seed; see README.md): export_storm, lock_after_release,
report_15min, big_key, healthy. The seed picks services, wording, time zones, dates, volumes and
formats; the variant index forces the axes that must differ (log formats, explicit window vs the
default last 15 minutes). Output is a pure function of (seed, kind, variant): `--only` does not
change what the other kinds would have been.

Every count in truth.json is computed from the records as written (timestamps as they will be
parsed: access logs have whole seconds), inside the window the scenario's args select.
"""

import argparse
import json
import math
import os
import random
import sys
from datetime import datetime, timedelta, timezone

KINDS = ["export_storm", "lock_after_release", "report_15min", "big_key", "healthy"]
VARIANTS = 2

MIN = 60_000  # one minute in ms
SEC = 1000
HOUR = 60 * MIN

# Zones without daylight saving time in the years used, so a fixed offset is exact.
ZONES = [
    ("UTC", 0),
    ("Asia/Shanghai", 480),
    ("Asia/Kolkata", 330),
    ("Europe/Moscow", 180),
    ("America/Sao_Paulo", -180),
    ("Asia/Tokyo", 540),
    ("Asia/Singapore", 480),
]

LEVEL_NORM = {
    "TRACE": "TRACE", "DEBUG": "DEBUG", "INFO": "INFO", "WARN": "WARN", "WARNING": "WARN",
    "ERROR": "ERROR", "CRITICAL": "FATAL", "FATAL": "FATAL",
}


# --------------------------------------------------------------------------------------------
# time helpers (all times are integer milliseconds since the Unix epoch, UTC)

_TZ = {}
_DT = {}


def tzinfo(off_min):
    z = _TZ.get(off_min)
    if z is None:
        z = _TZ[off_min] = timezone(timedelta(minutes=off_min))
    return z


def dt_local(t, off_min):
    return datetime.fromtimestamp(t / 1000, tz=tzinfo(off_min))


def _sec_text(t, off, fmt):
    """strftime of the whole second, cached (most records share their second with others)."""
    k = (t // 1000, off, fmt)
    v = _DT.get(k)
    if v is None:
        if len(_DT) > 200_000:
            _DT.clear()
        v = _DT[k] = dt_local(t - t % 1000, off).strftime(fmt)
    return v


def off_text(off_min, colon=True):
    sign = "+" if off_min >= 0 else "-"
    a = abs(off_min)
    return f"{sign}{a // 60:02d}{':' if colon else ''}{a % 60:02d}"


def ts_space_ms(t, off, sep="."):
    return _sec_text(t, off, "%Y-%m-%d %H:%M:%S") + f"{sep}{t % 1000:03d}"


def ts_iso_ms(t, off):
    z = "Z" if off == 0 else off_text(off)
    return _sec_text(t, off, "%Y-%m-%dT%H:%M:%S") + f".{t % 1000:03d}{z}"


def ts_rfc3339(t, off=0):
    """Whole seconds, `Z` in UTC or the offset."""
    d = dt_local(t, off)
    z = "Z" if off == 0 else off_text(off)
    return d.strftime("%Y-%m-%dT%H:%M:%S") + z


def ts_clf(t, off):
    return _sec_text(t, off, "%d/%b/%Y:%H:%M:%S") + " " + off_text(off, colon=False)


def local_to_utc_ms(y, mo, d, h, mi, s, off):
    return int(datetime(y, mo, d, h, mi, s, tzinfo=tzinfo(off)).timestamp() * 1000)


def floor_min(t):
    return t - t % MIN


def ceil_min(t):
    return t if t % MIN == 0 else floor_min(t) + MIN


def pick_day(rng):
    """A weekday between 2023-02 and 2025-11 (civil date)."""
    base = datetime(2023, 2, 1)
    while True:
        d = base + timedelta(days=rng.randrange(0, 1000))
        if d.weekday() < 5:
            return d.year, d.month, d.day


# --------------------------------------------------------------------------------------------
# random helpers

def poisson(rng, lam):
    if lam <= 0:
        return 0
    if lam < 30:
        limit, k, p = math.exp(-lam), 0, 1.0
        while True:
            p *= rng.random()
            if p <= limit:
                return k
            k += 1
    return max(0, int(round(rng.gauss(lam, math.sqrt(lam)))))


def arrivals(rng, t0, t1, per_min, regular=False):
    """Event times in [t0, t1); `per_min(t)` is the rate at minute start t. `regular`: the
    count per minute varies by at most one around the rate (chronic, steady events)."""
    out = []
    m = floor_min(t0)
    while m < t1:
        lo, hi = max(m, t0), min(m + MIN, t1)
        if hi > lo:
            lam = per_min(m) * (hi - lo) / MIN
            if regular:
                n = int(lam) + (1 if rng.random() < lam - int(lam) else 0)
            else:
                n = poisson(rng, lam)
            out.extend(rng.randrange(lo, hi) for _ in range(n))
        m += MIN
    out.sort()
    return out


def hexid(rng, n):
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def pod_suffix(rng):
    return hexid(rng, 9) + "-" + "".join(rng.choice("bcdfghjklmnpqrstvwxz2456789") for _ in range(5))


def ip(rng, prefix="10"):
    return f"{prefix}.{rng.randrange(1, 250)}.{rng.randrange(1, 250)}.{rng.randrange(2, 250)}"


UAS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
    "okhttp/4.11.0",
    "Apache-HttpClient/4.5.14 (Java/17.0.9)",
    "python-requests/2.31.0",
]

APP_UAS = ["okhttp/4.11.0", "ChatApp/5.2.1 (iPhone; iOS 17.1)", "ChatApp/5.2.0 (Android 14; SM-S918B)", "Dalvik/2.1.0 (Linux; U; Android 13)"]


# --------------------------------------------------------------------------------------------
# log files

def abbreviate_logger(name, width=39):
    parts = name.split(".")
    i = 0
    while len(".".join(parts)) > width and i < len(parts) - 1:
        parts[i] = parts[i][0]
        i += 1
    return ".".join(parts)


class LogFile:
    """One log file in one format. Keeps (time, seq, text) lines and one meta row per record:
    the record's time as it will be parsed, its normalised level, module and first line."""

    def __init__(self, scen, fname, style, service, off=0, host=None, app=None):
        self.scen, self.fname, self.style, self.service = scen, fname, style, service
        self.off, self.host, self.app = off, host, app or service
        self.pid = scen.rng.randrange(1000, 65000)
        self.lines = []
        self.records = []
        self.seq = 0
        scen.files.append(self)

    def _add(self, t, text, meta):
        self.seq += 1
        self.lines.append((t, self.seq, text))
        self.records.append(meta)

    def log(self, t, level, logger, msg, thread="main", stack=None, lineno=None):
        """An application record. `level` as the logger spells it (WARNING, CRITICAL...)."""
        st = self.style
        norm = LEVEL_NORM[level.upper()]
        module = logger
        if st == "spring2":
            lg = abbreviate_logger(logger)
            head = f"{ts_space_ms(t, self.off)} {level.upper():>5} {self.pid} --- [{thread[-15:]:>15}] {lg:<40.40} : "
            text = head + msg
            module = lg
        elif st == "spring3":
            lg = abbreviate_logger(logger)
            head = f"{ts_iso_ms(t, self.off)} {level.upper():>5} {self.pid} --- [{self.app}] [{thread[-15:]:>15}] {lg:<40.40} : "
            text = head + msg
            module = lg
        elif st == "logback":
            text = f"{ts_space_ms(t, self.off, ',')} [{thread}] {level.upper():<5} {logger} - {msg}"
        elif st == "py_dash":
            text = f"{ts_space_ms(t, self.off, ',')} - {logger} - {level.upper()} - {msg}"
        elif st == "py_bracket":
            text = f"{ts_space_ms(t, self.off, ',')} {level.upper()} [{logger}:{lineno or 1}] {msg}"
        elif st == "json_java":
            obj = {"@timestamp": ts_iso_ms(t, self.off), "level": level.upper(), "logger_name": logger,
                   "thread_name": thread, "message": msg, "service": self.service}
            if self.host:
                obj["host"] = self.host
            if stack:
                obj["stack_trace"] = "\n".join(stack)
            text = json.dumps(obj, ensure_ascii=False)
            stack = None
        elif st == "json_simple":
            obj = {"ts": ts_iso_ms(t, self.off), "level": level.lower(), "logger": logger, "msg": msg,
                   "service": self.service}
            if self.host:
                obj["host"] = self.host
            if stack:
                obj["error"] = stack[0]
                obj["stack"] = "\n".join(stack[1:])
            text = json.dumps(obj, ensure_ascii=False)
            stack = None
        elif st == "json_python":
            # python-json-logger: asctime without a zone, module without `.py`
            obj = {"asctime": ts_space_ms(t, self.off, ","), "levelname": level.upper(), "name": self.service,
                   "module": logger, "filename": logger + ".py", "lineno": lineno or 1, "message": msg}
            if self.host:
                obj["host"] = self.host
            if stack:
                obj["exc_info"] = "\n".join(stack)
            text = json.dumps(obj, ensure_ascii=False)
            stack = None
        else:
            raise ValueError(st)
        if stack:
            text = text + "\n" + "\n".join(stack)
        self._add(t, text, (t, norm, module, msg.split("\n")[0]))

    def access(self, t, client, user, method, uri, status, nbytes, referer, ua, rt):
        """One access-log line, written when the request completes (t)."""
        t = t - t % SEC  # the access log has whole seconds
        req = f"{method} {uri} HTTP/1.1"
        head = f'{client} - {user or "-"} [{ts_clf(t, self.off)}] "{req}" {status} {nbytes} "{referer or "-"}" "{ua}"'
        if self.style == "nginx_rt":
            text = f"{head} {rt:.3f}"
        elif self.style == "nginx_kv":
            text = f'{head} rt={rt:.3f} uct="0.000" urt={max(0.0, rt - 0.001):.3f}'
        else:
            raise ValueError(self.style)
        level = "ERROR" if status >= 500 else ("WARN" if status >= 400 else "INFO")
        path = uri.split("?")[0]
        self._add(t, text, (t, level, None, f"{method} {path} {status}"))

    def drop_between(self, a, b):
        """Removes the records in [a, b) (the process was down)."""
        keep = [i for i, r in enumerate(self.records) if not (a <= r[0] < b)]
        self.lines = [self.lines[i] for i in keep]
        self.records = [self.records[i] for i in keep]

    def write(self, logdir):
        self.lines.sort(key=lambda x: (x[0], x[1]))
        self.records.sort(key=lambda r: r[0])
        with open(os.path.join(logdir, self.fname), "w", encoding="utf-8", newline="\n") as fh:
            for _, _, text in self.lines:
                fh.write(text)
                fh.write("\n")


class Scenario:
    def __init__(self, name, kind, rng):
        self.name, self.kind, self.rng = name, kind, rng
        self.files = []
        self.metrics = []  # (t, host, metric, value)
        self.changes = []  # dicts with "_t" (ms)
        self.metric_off = 0
        self.change_off = 0
        self.shuffle_ledger = False
        self._ledger = None

    def ledger(self):
        """The ledger's row order: by time, or shuffled (a ledger merged from several systems)."""
        if self._ledger is None or len(self._ledger) != len(self.changes):
            order = sorted(self.changes, key=lambda x: x["_t"])
            if self.shuffle_ledger:
                self.rng.shuffle(order)
            self._ledger = order
        return self._ledger

    def metric_series(self, host, metric, t0, t1, fn, digits=2):
        m = ceil_min(t0)
        while m <= t1:
            v = fn(m)
            self.metrics.append((m, host, metric, round(v, digits) if digits is not None else int(v)))
            m += MIN

    def change(self, t, kind, service, description, version=None):
        c = {"_t": t, "kind": kind, "service": service, "description": description}
        if version:
            c["version"] = version
        self.changes.append(c)
        return c

    def last_log_time(self):
        return max(r[0] for f in self.files for r in f.records)

    def all_records(self):
        for f in self.files:
            for r in f.records:
                yield f, r

    def write(self, outdir, args, expect, notes, shuffle_changes=True):
        d = os.path.join(outdir, self.name)
        logdir = os.path.join(d, "logs")
        os.makedirs(logdir, exist_ok=True)
        for f in self.files:
            f.write(logdir)
        self.metrics.sort(key=lambda r: (r[0], r[1], r[2]))
        with open(os.path.join(d, "metrics.csv"), "w", encoding="utf-8", newline="\n") as fh:
            fh.write("timestamp,host,metric,value\n")
            for t, host, metric, v in self.metrics:
                fh.write(f"{ts_rfc3339(t, self.metric_off)},{host},{metric},{v}\n")
        # Indices in truth.json refer to the rows of this file.
        order = self.ledger()
        with open(os.path.join(d, "changes.jsonl"), "w", encoding="utf-8", newline="\n") as fh:
            for c in order:
                row = {"time": ts_rfc3339(c["_t"], self.change_off), "kind": c["kind"], "service": c["service"]}
                if "version" in c:
                    row["version"] = c["version"]
                row["description"] = c["description"]
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        truth = {"kind": self.kind, "name": self.name, "args": args, "expect": expect, "notes": notes}
        with open(os.path.join(d, "truth.json"), "w", encoding="utf-8", newline="\n") as fh:
            json.dump(truth, fh, indent=1, ensure_ascii=False)
            fh.write("\n")

    def change_index(self, c):
        return self.ledger().index(c)


def java_stack(exc, msg, frames, cause=None, omitted=None):
    out = [f"{exc}: {msg}" if msg else exc]
    out += [f"\tat {f}" for f in frames]
    if cause:
        out.append(f"Caused by: {cause[0]}: {cause[1]}")
        out += [f"\tat {f}" for f in cause[2]]
    if omitted:
        out.append(f"\t... {omitted} common frames omitted")
    return out


def window_args(F, T, off, zone_name, need_tz):
    a = ["--from", ts_rfc3339(F, off), "--to", ts_rfc3339(T, off)]
    if need_tz:
        a += ["--tz", zone_name]
    return a


def default_window(scen):
    """The default window: the last 15 minutes of the data (ending at the last record)."""
    last = scen.last_log_time()
    return last - 15 * MIN, last


def in_window(t, F, T):
    return F <= t < T


STEADY_JITTER = 0.08


# ============================================================================================
# 1. export storm

EXPORT_THEMES = [
    dict(service="alarm-center", pkg="com.netops.alarm", noun="alarm", path="/api/alarm/export",
         cls="AlarmExportService", job="alarm export",
         rec="export alarm record id={id} level={sev} device={dev} raised_at={ts} cleared={clr}",
         words=["alarm", "record", "raised_at"],
         others=[("GET", "/api/alarm/list?page={p}&size=20&status=active", 30, 60),
                 ("GET", "/api/alarm/{id}", 15, 25), ("POST", "/api/alarm/{id}/ack", 5, 40),
                 ("GET", "/api/dashboard/summary", 10, 120), ("GET", "/api/device/{id}/status", 12, 35),
                 ("POST", "/api/auth/refresh", 4, 15)]),
    dict(service="report-hub", pkg="io.finops.report", noun="report", path="/report/download",
         cls="ReportDownloadController", job="report download",
         rec="writing report row txn={id} account={dev} booked {ts} amount={amt}",
         words=["writing", "report", "row"],
         others=[("GET", "/report/templates", 10, 30), ("GET", "/report/{id}/preview", 18, 90),
                 ("POST", "/report/schedule", 3, 60), ("GET", "/api/accounts?page={p}", 20, 45),
                 ("GET", "/api/user/profile", 12, 20)]),
    dict(service="audit-svc", pkg="com.secops.audit", noun="audit", path="/audit/records/dump",
         cls="AuditDumpJob", job="audit dump",
         rec="dumping audit entry seq={id} actor={dev} action={act} at {ts}",
         words=["dumping", "audit", "entry"],
         others=[("GET", "/audit/records?page={p}&size=50", 25, 70), ("GET", "/audit/records/{id}", 10, 25),
                 ("GET", "/audit/stats/daily", 6, 150), ("POST", "/audit/search", 8, 200),
                 ("GET", "/api/session/check", 15, 10)]),
    dict(service="ticket-desk", pkg="com.helpdesk.ticket", noun="ticket", path="/api/tickets/export",
         cls="TicketExportService", job="ticket export",
         rec="exporting ticket #{id} opened {ts} by {dev} state={st}",
         words=["exporting", "ticket", "opened"],
         others=[("GET", "/api/tickets?page={p}&assignee=me", 30, 55), ("GET", "/api/tickets/{id}", 20, 30),
                 ("POST", "/api/tickets/{id}/comments", 6, 45), ("PUT", "/api/tickets/{id}/state", 4, 50),
                 ("GET", "/api/kb/search?q=vpn", 8, 80)]),
    dict(service="device-monitor", pkg="net.iot.monitor", noun="event", path="/api/events/export-all",
         cls="EventExporter", job="event export",
         rec="export event {id} from sensor {dev} recorded {ts} value={amt}",
         words=["export", "event", "sensor"],
         others=[("GET", "/api/events/recent?limit=100", 25, 40), ("GET", "/api/sensors/{id}", 15, 20),
                 ("GET", "/api/sensors/{id}/history?hours=24", 8, 160), ("POST", "/api/rules/{id}/enable", 2, 30),
                 ("GET", "/api/overview", 12, 90)]),
]

EXPORT_PARAMS = [("start", "end"), ("from", "to"), ("startDate", "endDate"), ("begin", "finish")]
OTHER_SERVICES = ["user-center", "billing-api", "notify-worker", "search-gateway", "cms-admin", "geo-service",
                  "file-store", "sso-auth"]


def gen_export_storm(name, rng, variant):
    th = rng.choice(EXPORT_THEMES)
    svc = th["service"]
    zone, off = rng.choice(ZONES)
    pstart, pend = rng.choice(EXPORT_PARAMS)
    y, mo, d = pick_day(rng)
    O = local_to_utc_ms(y, mo, d, rng.randrange(9, 17), rng.randrange(0, 60), rng.randrange(0, 60), off)
    E = O + rng.randrange(10 * MIN, 13 * MIN) + rng.randrange(0, 59) * SEC  # data end
    S = O - rng.randrange(65, 95) * MIN  # data start
    scen = Scenario(name, "export_storm", rng)
    scen.shuffle_ledger = variant == 1
    scen.metric_off = rng.choice([0, off])
    scen.change_off = rng.choice([0, off])
    host = f"{svc}-{pod_suffix(rng)}"
    if variant == 0:
        app = LogFile(scen, f"{svc}.log", "spring2", svc, off)
        acc = LogFile(scen, f"{svc}.access.log", "nginx_rt", svc, off)
        need_tz = off != 0
    else:
        app = LogFile(scen, f"{svc}.log", "json_java", svc, off, host=host)
        acc = LogFile(scen, f"{svc}-access.log", "nginx_kv", svc, off)
        need_tz = False  # every timestamp carries its offset
    pkg, cls = th["pkg"], th["cls"]
    users = [f"{rng.choice(['ops', 'noc', 'fin', 'sec', 'sup'])}_{rng.choice(['zhang', 'li', 'wang', 'kumar', 'silva', 'tanaka', 'ivanov', 'chen'])}{i}" for i in range(25)]
    clients = [ip(rng, "172") for _ in range(40)]
    culprit_user, culprit_ip = users[3], clients[7]

    # ---- export jobs: (start, duration, full?, user, ip)
    jobs = []
    n_full = rng.randrange(5, 10)
    n_part = rng.randrange(10, 16)
    # variant a: the pod is restarted a few minutes in ("service not responding"); it does not
    # help, the same user starts the full export again
    R = O + rng.randrange(4 * MIN, 6 * MIN) if variant == 0 else None
    fstarts = sorted([O] + [O + rng.randrange(20 * SEC, 8 * MIN) for _ in range(n_full - 3)]
                     + [(R or O) + rng.randrange(60 * SEC, 4 * MIN) for _ in range(2)])
    storm_rows = rng.randrange(13000, 18000) if variant == 0 else rng.randrange(7000, 9500)  # keeps files < 5 MB
    for s in fstarts:
        jobs.append(dict(s=s, full=True, user=culprit_user, ip=culprit_ip,
                         dur=rng.randrange(8 * MIN, 16 * MIN), rows=storm_rows // n_full + rng.randrange(-150, 150),
                         step=rng.randrange(12 * MIN, 30 * MIN)))
    for _ in range(n_part):
        s = O + rng.randrange(30 * SEC, (E - O) - 3 * MIN)
        u = rng.randrange(len(users))
        jobs.append(dict(s=s, full=False, user=users[u], ip=clients[u], dur=rng.randrange(8 * SEC, 50 * SEC),
                         rows=rng.randrange(40, 260)))
    for _ in range(rng.randrange(2, 5)):  # ordinary partial exports in the baseline
        s = S + rng.randrange(5 * MIN, (O - S) - 25 * MIN)
        u = rng.randrange(len(users))
        jobs.append(dict(s=s, full=False, user=users[u], ip=clients[u], dur=rng.randrange(2 * SEC, 9 * SEC),
                         rows=rng.randrange(30, 150), base=True))
    jobs.sort(key=lambda j: j["s"])

    def alive_end(j):
        """When the job stops: it finishes, or the restart kills it."""
        end = j["s"] + j["dur"]
        return R if R is not None and j["s"] < R < end else end

    def load(t):
        return sum(1 for j in jobs if j["full"] and j["s"] <= t < alive_end(j))

    def day_ago(t, days):
        return t - days * 86400_000

    # ---- app lines of the jobs
    sevs = ["CRITICAL", "MAJOR", "MINOR", "WARNING"]
    for k, j in enumerate(jobs):
        jid = hexid(rng, 12)
        thread = f"export-pool-{k % 8 + 1}"
        if j["full"]:
            d0 = local_to_utc_ms(2020, 6, 1, 0, 0, 0, off)
            start_day = "2020-06-01"
        else:
            back = rng.randrange(1, 31)
            d0 = day_ago(j["s"], back)
            start_day = dt_local(d0, off).strftime("%Y-%m-%d")
        end_day = dt_local(j["s"], off).strftime("%Y-%m-%d")
        j["query"] = f"{pstart}={start_day}&{pend}={end_day}"
        if th["noun"] == "report":
            j["query"] += "&format=xlsx"
        app.log(j["s"] + rng.randrange(5, 80), "INFO", f"{pkg}.web.{cls.replace('Service', 'Controller').replace('Job', 'Controller')}",
                f"{th['job']} requested by {j['user']} {pstart}={start_day} {pend}={end_day} job={jid}",
                thread=f"http-nio-8080-exec-{rng.randrange(1, 200)}")
        rows = j["rows"]
        dur = j["dur"]
        step = dur / rows
        span_ms = max(1, (j["s"] - d0))
        rid = rng.randrange(100000, 900000)
        for r in range(rows):
            t = j["s"] + 200 + int(r * step) + rng.randrange(0, max(1, int(step)))
            if t >= E or t >= alive_end(j):
                break
            if j["full"]:
                # oldest first: a few thousand rows cover the first weeks of June 2020
                emb = d0 + r * j["step"] + rng.randrange(0, j["step"])
            else:
                emb = d0 + int(span_ms * r / rows) + rng.randrange(0, 3600_000)
            msg = th["rec"].format(id=rid + r, sev=rng.choice(sevs), dev=f"{rng.choice(['olt', 'sw', 'rtr', 'acc', 'usr'])}-{rng.randrange(1, 99)}-{rng.randrange(1, 48)}",
                                   ts=dt_local(emb, off).strftime("%Y-%m-%d %H:%M:%S"), clr=rng.choice(["true", "false"]),
                                   amt=f"{rng.randrange(1, 99999)}.{rng.randrange(0, 99):02d}", act=rng.choice(["LOGIN", "UPDATE", "DELETE", "GRANT"]),
                                   st=rng.choice(["closed", "resolved", "open"]))
            app.log(t, "INFO", f"{pkg}.export.{cls}", msg, thread=thread)
        endt = j["s"] + dur + rng.randrange(100, 900)
        if endt < E and alive_end(j) == j["s"] + dur:
            app.log(endt, "INFO", f"{pkg}.export.{cls}", f"{th['job']} job={jid} finished rows={rows} cost={dur}ms", thread=thread)

    # ---- requests (access log + a little app logging)
    base_rate = rng.uniform(28, 45)
    weights = [o[2] for o in th["others"]]
    req_times = arrivals(rng, S, E, lambda m: base_rate * (1 + rng.uniform(-STEADY_JITTER, STEADY_JITTER)))
    for t in req_times:
        method, tmpl, _, base_ms = rng.choices(th["others"], weights=weights)[0]
        uri = tmpl.format(p=rng.randrange(1, 30), id=rng.randrange(1000, 99999))
        u = rng.randrange(len(users))
        ld = load(t)
        rt = max(0.002, rng.lognormvariate(math.log(base_ms / 1000), 0.5))
        status = 200 if method == "GET" else rng.choice([200, 200, 201, 204])
        if rng.random() < 0.01:
            status, rt = rng.choice([400, 401, 404]), rt / 3
        if ld >= 1:
            rt = rt * (1 + 6 * ld) + rng.uniform(0, 2 * ld)
            if rng.random() < min(0.7, 0.12 * ld):
                status, rt = rng.choice([504, 504, 504, 502]), (60.0 + rng.uniform(0, 0.05) if True else rt)
        done = t + int(rt * 1000)
        if R is not None and (R <= t < R + 35 * SEC or t < R < done):
            # the pod is down or restarting: nginx answers 502 at once or cuts the request
            if t >= R:
                rt = rng.uniform(0.001, 0.004)
                done = t + int(rt * 1000)
            else:
                done, rt = R, (R - t) / 1000
            status = 502
            acc.access(done, clients[u], None, method, uri, status, 157, None, rng.choice(UAS), rt)
            continue
        if done >= E:
            continue
        nbytes = rng.randrange(200, 9000) if status < 400 else rng.randrange(150, 600)
        acc.access(done, clients[u], users[u] if rng.random() < 0.6 else None, method, uri, status, nbytes,
                   f"https://{svc}.example.com/" if rng.random() < 0.5 else None, rng.choice(UAS), rt)
        if status >= 500 and status != 502:
            if rng.random() < 0.5:
                app.log(t + 30_000 + rng.randrange(0, 500), "ERROR", "com.zaxxer.hikari.pool.HikariPool",
                        "HikariPool-1 - Connection is not available, request timed out after 30000ms.",
                        thread=f"http-nio-8080-exec-{rng.randrange(1, 200)}",
                        stack=java_stack("java.sql.SQLTransientConnectionException",
                                         "HikariPool-1 - Connection is not available, request timed out after 30000ms.",
                                         ["com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:696)",
                                          "com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:197)",
                                          f"{pkg}.dao.{th['noun'].capitalize()}Dao.query({th['noun'].capitalize()}Dao.java:{rng.randrange(40, 300)})"],
                                         omitted=rng.randrange(30, 90)))
            else:
                app.log(t + int(rt * 1000) - 5, "WARN", f"{pkg}.web.RequestTimingFilter",
                        f"slow request {method} {uri.split('?')[0]} took {int(rt * 1000)} ms",
                        thread=f"http-nio-8080-exec-{rng.randrange(1, 200)}")
        elif rng.random() < 0.45:
            app.log(t + int(rt * 500), "INFO", f"{pkg}.web.AccessAuditFilter",
                    f"user={users[u]} {method} {uri.split('?')[0]} status={status} cost={int(rt * 1000)}ms",
                    thread=f"http-nio-8080-exec-{rng.randrange(1, 200)}")
    # export requests: nginx gives up after 60 s; the backend keeps going
    for j in jobs:
        if j["full"]:
            rt, status = 60.0 + rng.uniform(0.0, 0.02), 504
        else:
            rt = j["dur"] / 1000 + rng.uniform(0.05, 0.4)
            status = 200
            if rt > 60:
                rt, status = 60.0 + rng.uniform(0, 0.02), 504
            elif not j.get("base") and load(j["s"]) >= 3 and rng.random() < 0.6:
                rt, status = min(rt, rng.uniform(20, 59)), 502
        done = j["s"] + int(rt * 1000)
        if R is not None and j["s"] < R < done:
            done, rt, status = R, (R - j["s"]) / 1000, 502
        j["done"], j["status"] = done, status
        if done >= E:
            j["logged"] = False
            continue
        j["logged"] = True
        acc.access(done, j["ip"], j["user"], "GET", f"{th['path']}?{j['query']}", status,
                   rng.randrange(50_000, 900_000) if status == 200 else 0, f"https://{svc}.example.com/{th['noun']}",
                   UAS[0], rt)

    # background app noise: scheduler + chronic warnings
    for t in arrivals(rng, S, E, lambda m: 2.0, regular=True):
        app.log(t, "INFO", f"{pkg}.task.HeartbeatTask", f"heartbeat ok, queue={rng.randrange(0, 5)} db_pool_active={rng.randrange(1, 6) + 3 * load(t)}",
                thread="scheduling-1")
    for t in arrivals(rng, S, E, lambda m: 0.3, regular=True):
        app.log(t, "WARN", f"{pkg}.client.SmsClient", f"sms provider slow, retry {rng.randrange(1, 3)} for template {rng.randrange(100, 120)}",
                thread="async-sms-1")
    # CPU-starved JVM complains during the storm
    for t in arrivals(rng, O + 90 * SEC, E, lambda m: 1.5 if load(m) >= 2 else 0.0):
        app.log(t, "WARN", "com.zaxxer.hikari.pool.HikariPool",
                f"HikariPool-1 - Thread starvation or clock leap detected (housekeeper delta={rng.randrange(40, 90)}s).",
                thread="HikariPool-1 housekeeper")

    if R is not None:
        app.drop_between(R, R + 35 * SEC)
        app.log(R - 150, "INFO", "org.springframework.boot.web.embedded.tomcat.GracefulShutdown",
                "Commencing graceful shutdown. Waiting for active requests to complete", thread="SpringApplicationShutdownHook")
        main_cls = th["cls"].replace("Service", "").replace("Controller", "").replace("Job", "").replace("Exporter", "Export")
        app.log(R + 21_000 + rng.randrange(0, 900), "INFO", f"{pkg}.{main_cls}Application",
                f"Starting {main_cls}Application using Java 17.0.9 with PID 1", thread="main")
        app.log(R + 33_000 + rng.randrange(0, 900), "INFO", f"{pkg}.{main_cls}Application",
                f"Started {main_cls}Application in {rng.uniform(10, 13):.3f} seconds (process running for {rng.uniform(11, 14):.3f})", thread="main")

    # ---- metrics
    other = rng.choice([s for s in OTHER_SERVICES])
    db = rng.choice(["mysql-primary-0", "pg-main-0", "mysql-01"])

    def cpu(m):
        return min(99.6, rng.uniform(18, 26) + 27 * load(m)) if load(m) else rng.uniform(15, 28)

    scen.metric_series(host, "cpu_usage_percent", S, E, cpu)
    scen.metric_series(host, "mem_used_percent", S, E, lambda m: rng.uniform(61, 63) + min(20, 3 * load(m)))
    scen.metric_series(host, "load5", S, E, lambda m: rng.uniform(0.6, 1.4) + 1.6 * load(m))
    scen.metric_series(host, "net_rx_bytes", S, E, lambda m: rng.uniform(2.0e6, 2.6e6) * (1 + 0.3 * load(m)), digits=None)
    scen.metric_series(host, "disk_used_percent", S, E, lambda m: 38.2 + (m - S) / HOUR * 0.05)
    scen.metric_series(db, "cpu_usage_percent", S, E, lambda m: rng.uniform(22, 30) + 6 * load(m))
    scen.metric_series(db, "disk_io_util_percent", S, E, lambda m: rng.uniform(8, 14) + 9 * load(m))
    scen.metric_series(f"{other}-{pod_suffix(rng)}", "cpu_usage_percent", S, E, lambda m: rng.uniform(10, 16))

    # ---- changes: all distractors
    other2 = rng.choice([s for s in OTHER_SERVICES if s != other])
    scen.change(O - rng.randrange(2, 6) * 86400_000 - rng.randrange(0, 8) * HOUR, "deploy", other,
                     f"release {other} with {rng.choice(['new invoice layout', 'SSO login page', 'search suggestions', 'retry policy update'])}",
                     version=f"v{rng.randrange(1, 4)}.{rng.randrange(0, 20)}.{rng.randrange(0, 9)}")
    scen.change(O - rng.randrange(2 * HOUR, 7 * HOUR), "flag", other2,
                     f"enable feature flag {rng.choice(['new_checkout_banner', 'dark_mode_beta', 'geo_fallback', 'async_audit'])} for {rng.choice([10, 25, 50])}% of users")
    if variant == 0:
        scen.change(R, "restart", svc, f"restart {svc} pod {host}: service not responding")
    else:
        scen.change(O - rng.randrange(20, 30) * HOUR, "config", other, "raise connection pool max size 20 -> 40")

    # ---- window and truth
    if variant == 0:
        F = floor_min(O) - rng.randrange(3, 6) * MIN
        T = ceil_min(E) + MIN
        args = window_args(F, T, off, zone, need_tz)
    else:
        F, T = default_window(scen)
        T += 1  # the last record is inside
        args = ["--tz", zone] if need_tz else []
    logged = [j for j in jobs if j["logged"] and in_window(j["done"] - j["done"] % SEC, F, T)]
    ok = sum(1 for j in logged if j["status"] < 400)
    after = [scen.change_index(c) for c in scen.changes if c["_t"] > O]
    expect = {
        "status": "incident",
        "service": svc,
        "services": [svc, other, other2],
        "endpoint_path": th["path"],
        "endpoint_method": "GET",
        "endpoint_requests": len(logged),
        "endpoint_success_rate": round(ok / len(logged), 4),
        "full_exports": sum(1 for j in logged if j["full"]),
        "param": pstart,
        "param_value_year": "2020",
        "template_words": th["words"],
        "blamed_change": None,
        "distractor_changes": sorted(scen.change_index(c) for c in scen.changes),
        "after_onset_changes": after,
        "onset": ts_rfc3339(O),
        "recommend_patterns": ["lock", "concurren", "rate limit", "rate-limit", "throttl", "semaphore", "mutex",
                               "single-flight", "singleflight", "debounce", "at most one"],
    }
    notes = (f"{n_full} full exports ({pstart}=2020-06-01) by {culprit_user} from {ts_rfc3339(O)} plus {n_part} partial ones; "
             f"CPU of {host} pegged; other endpoints time out (504). No change caused it.")
    return scen, args, expect, notes


# ============================================================================================
# 2. lock after release

LOCK_THEMES = [
    dict(service="chat-service", pkg="com.imhub.chat", feature="one-key read (mark all chats as read)",
         api="/api/chat/oneKeyRead", fn="oneKeyRead", lockkey="chat:lock:{u}:{c}", entity="chat",
         fail="user: {u}, chat: {c}, one-key read failed", table="group_msg"),
    dict(service="inbox-service", pkg="io.mailbox.inbox", feature="mark all messages as read",
         api="/api/inbox/read-all", fn="markAllRead", lockkey="inbox:read:lock:{u}:{c}", entity="thread",
         fail="mark-all-read failed for user {u} thread {c}", table="inbox_msg"),
    dict(service="notice-center", pkg="com.workhub.notice", feature="clear all notifications",
         api="/api/notice/clear-all", fn="clearAll", lockkey="notice:lock:{u}:{c}", entity="channel",
         fail="clear-all failed: user={u} channel={c}", table="notice_item"),
    dict(service="message-hub", pkg="net.talk.message", feature="bulk mark conversations read",
         api="/api/conversations/bulk-read", fn="bulkRead", lockkey="conv:ack:lock:{u}:{c}", entity="conversation",
         fail="bulk read failed, uid={u} conversation={c}", table="conv_message"),
]
CALLERS = ["im-gateway", "web-bff", "app-api", "portal-bff", "edge-gateway"]


def gen_lock_after_release(name, rng, variant):
    th = rng.choice(LOCK_THEMES)
    X = th["service"]
    caller = rng.choice(CALLERS)
    unrelated = rng.sample(OTHER_SERVICES, 2)
    zone, off = rng.choice(ZONES)
    y, mo, d = pick_day(rng)
    D = local_to_utc_ms(y, mo, d, rng.randrange(21, 24), rng.randrange(0, 60), rng.randrange(0, 60), off)
    # next morning after the ramp (09:00-10:15 local): 9 to 13.25 hours after the deploy
    O = local_to_utc_ms(y, mo, d, 9, 0, 0, off) + 86400_000 + rng.randrange(0, 75 * MIN) + rng.randrange(0, 60) * SEC
    E = O + rng.randrange(11 * MIN, 13 * MIN) + rng.randrange(0, 59) * SEC
    S = D - rng.randrange(40, 70) * MIN
    scen = Scenario(name, "lock_after_release", rng)
    scen.shuffle_ledger = variant == 1
    scen.metric_off = rng.choice([0, off])
    scen.change_off = rng.choice([0, off])
    ver_old = f"{rng.randrange(1, 4)}.{rng.randrange(10, 30)}.{rng.randrange(0, 9)}"
    major, minor, _ = ver_old.split(".")
    ver = f"{major}.{int(minor) + 1}.0"
    if variant == 0:
        xl = LogFile(scen, f"{X}.log", "spring2", X, off)
        cl = LogFile(scen, f"{caller}.log", "logback", caller, off)
        ul = LogFile(scen, f"{unrelated[0]}.log", "spring2", unrelated[0], off)
        acc = LogFile(scen, f"{caller}.access.log", "nginx_rt", caller, off)
        need_tz = off != 0
    else:
        xl = LogFile(scen, f"{X}.log", "spring3", X, off)
        cl = LogFile(scen, f"{caller}.log", "json_simple", caller, off)
        ul = LogFile(scen, f"{unrelated[0]}.log", "json_java", unrelated[0], off)
        acc = LogFile(scen, f"{caller}-access.log", "nginx_kv", caller, off)
        need_tz = False
    pkg = th["pkg"]
    xhosts = [f"{X}-{pod_suffix(rng)}" for _ in range(2)]

    def hour_local(t):
        dl = dt_local(t, off)
        return dl.hour + dl.minute / 60

    def traffic(t):
        """Requests per minute: evening tail, quiet night, morning ramp to the peak."""
        h = hour_local(t)
        if h >= 20:
            return max(2.0, 20 - (h - 20) * 5)
        if h < 6.5:
            return 2.0
        if h < 9:
            return 2 + (h - 6.5) * 15
        return 40

    def contention(t):
        """0 before the onset; rises to 1 within two minutes of it."""
        return 0.0 if t < O else min(1.0, (t - O) / (2 * MIN) + 0.3)

    exec_t = lambda: f"http-nio-8080-exec-{rng.randrange(1, 200)}"

    # deploy: shutdown and startup lines of X around D
    for i, hname in enumerate(xhosts):
        t0 = D + i * 95 * SEC
        xl.log(t0, "INFO", "org.springframework.boot.web.embedded.tomcat.GracefulShutdown", "Commencing graceful shutdown. Waiting for active requests to complete", thread="SpringApplicationShutdownHook")
        xl.log(t0 + 1800, "INFO", "org.springframework.boot.web.embedded.tomcat.GracefulShutdown", "Graceful shutdown complete", thread="tomcat-shutdown")
        xl.log(t0 + 21_000, "INFO", f"{pkg}.{X.split('-')[0].capitalize()}Application", f"Starting {X.split('-')[0].capitalize()}Application v{ver} using Java 17.0.9 with PID {rng.randrange(1, 99)}", thread="main")
        xl.log(t0 + 33_000, "INFO", "org.redisson.Version", "Redisson 3.23.4", thread="main")
        xl.log(t0 + 41_000, "INFO", f"{pkg}.{X.split('-')[0].capitalize()}Application", f"Started {X.split('-')[0].capitalize()}Application in {rng.uniform(11, 19):.3f} seconds (process running for {rng.uniform(13, 22):.3f})", thread="main")

    # ordinary requests through the caller to X
    ep_x = [("GET", f"/api/{th['entity']}/list?page={{p}}", 40, 35), ("GET", f"/api/{th['entity']}/{{id}}/messages?limit=50", 30, 45),
            ("POST", f"/api/{th['entity']}/{{id}}/send", 15, 60), ("GET", "/api/user/unread-count", 20, 12)]
    users = list(range(10001, 10001 + 400))
    clients = [ip(rng, "100") for _ in range(60)]
    for t in arrivals(rng, S, E, lambda m: traffic(m) * rng.uniform(0.93, 1.07)):
        m, tmpl, _, base = rng.choices(ep_x, weights=[e[2] for e in ep_x])[0]
        uri = tmpl.format(p=rng.randrange(1, 9), id=rng.randrange(100000, 999999))
        c = contention(t)
        rt = max(0.003, rng.lognormvariate(math.log(base / 1000), 0.45)) * (1 + 25 * c * rng.random())
        status = 200
        if rng.random() < 0.006:
            status = rng.choice([401, 404])
        if c > 0 and rng.random() < 0.25 * c:
            status, rt = 504, 10.0 + rng.uniform(0, 0.03)
        done = t + int(rt * 1000)
        if done >= E:
            continue
        ci = rng.randrange(len(clients))
        acc.access(done, clients[ci], None, m, uri, status, rng.randrange(300, 8000) if status == 200 else 167, None,
                   rng.choice(APP_UAS), rt)
        if status == 504:
            cl.log(done - 3, "ERROR", f"com.{caller.replace('-', '')}.client.{X.split('-')[0].capitalize()}Client",
                   f"call {X} {uri.split('?')[0]} timed out after 10000 ms", thread=exec_t(),
                   stack=java_stack("java.net.SocketTimeoutException", "Read timed out",
                                    ["java.base/sun.nio.ch.NioSocketImpl.timedRead(NioSocketImpl.java:288)",
                                     "okhttp3.internal.connection.RealCall.execute(RealCall.kt:154)",
                                     f"com.{caller.replace('-', '')}.client.{X.split('-')[0].capitalize()}Client.get({X.split('-')[0].capitalize()}Client.java:{rng.randrange(50, 180)})"],
                                    omitted=rng.randrange(40, 80)))
        elif rng.random() < 0.35:
            cl.log(done - 1, "INFO", f"com.{caller.replace('-', '')}.filter.AccessLogFilter",
                   f"{m} {uri.split('?')[0]} -> {X} {status} {int(rt * 1000)}ms uid={rng.choice(users)}", thread=exec_t())
        if rng.random() < 0.35:
            xl.log(t + 2, "DEBUG" if rng.random() < 0.3 else "INFO", f"{pkg}.service.{th['entity'].capitalize()}QueryService",
                   f"list {th['entity']}s uid={rng.choice(users)} size={rng.randrange(0, 50)} cost={int(rt * 900)}ms", thread=exec_t())

    # the new feature: used from the deploy on; under the morning peak the per-item lock contends
    def feature_rate(t):
        return 0.0 if t < D + 3 * MIN else traffic(t) * 0.08

    lock_logger, lock_msg = rng.choice([
        ("org.redisson.RedissonLock", "tryLock waited 10000 ms for lock {key}, giving up"),
        (f"{pkg}.support.DistributedLocks", "failed to acquire lock {key} within 10000 ms"),
        (f"{pkg}.support.LockTemplate", "Unable to acquire redis lock {key} after waiting 10s"),
    ])
    for t in arrivals(rng, D + 3 * MIN, E, feature_rate):
        uid = rng.choice(users)
        rng_days = rng.choices(["1d", "7d", "30d"], weights=[5, 3, 2])[0]
        chats = {"1d": rng.randrange(3, 40), "7d": rng.randrange(40, 600), "30d": rng.randrange(2500, 5200)}[rng_days]
        c = contention(t)
        tid = exec_t()
        xl.log(t, "INFO", f"{pkg}.service.ReadService", f"{th['fn']} start uid={uid} range={rng_days} {th['entity']}s={chats}", thread=tid)
        fails = 0
        if c > 0:
            fails = min(chats, int(chats * rng.uniform(0.02, 0.08) * c) + rng.randrange(0, 3))
        if rng_days == "30d" and variant == 1 and t >= O:
            ids = chats * 2 + rng.randrange(0, 500)
            xl.log(t + rng.randrange(3000, 9000), "WARN", f"{pkg}.mapper.{th['table'].title().replace('_', '')}Mapper",
                   f"slow sql {rng.randrange(3500, 9000)} ms: UPDATE {th['table']} SET read_flag = 1 WHERE {th['entity']}_id IN (...) list_size={ids} range={rng_days}",
                   thread=tid)
        for k in range(min(fails, 12)):
            tk = t + 10_000 * (k + 1) + rng.randrange(0, 400)
            if tk >= E:
                break
            cid = rng.randrange(100000, 999999)
            key = th["lockkey"].format(u=uid, c=cid)
            xl.log(tk - 3, "WARN", lock_logger, lock_msg.format(key=key), thread=f"task-{rng.randrange(1, 64)}")
            xl.log(tk, "ERROR", f"{pkg}.service.ReadService", th["fail"].format(u=uid, c=cid),
                   thread=f"task-{rng.randrange(1, 64)}",
                   stack=java_stack(f"{pkg}.common.BizException", "message read failed",
                                    [f"{pkg}.service.ReadService.oneKeyReadMessage(ReadService.java:{rng.choice([212, 214])})",
                                     f"{pkg}.service.ReadService.lambda$processChats$3(ReadService.java:187)",
                                     "java.base/java.util.concurrent.CompletableFuture$AsyncRun.run(CompletableFuture.java:1804)",
                                     "java.base/java.lang.Thread.run(Thread.java:833)"]))
        if fails == 0 and t + 2000 < E:
            xl.log(t + rng.randrange(200, 1800), "INFO", f"{pkg}.service.ReadService", f"{th['fn']} done uid={uid} {th['entity']}s={chats}", thread=tid)
        # the caller's access log for the feature endpoint
        rt = rng.uniform(0.08, 0.6) if c == 0 else rng.uniform(2, 9.9)
        status = 200
        if c > 0 and (rng_days == "30d" or rng.random() < 0.3 * c):
            status, rt = 504, 10.0 + rng.uniform(0, 0.03)
        done = t + int(rt * 1000)
        if done < E:
            ci = rng.randrange(len(clients))
            acc.access(done, clients[ci], None, "POST", f"{th['api']}?range={rng_days}", status, 96 if status == 200 else 167,
                       None, rng.choice(APP_UAS), rt)
            if status == 504:
                cl.log(done - 2, "ERROR", f"com.{caller.replace('-', '')}.client.{X.split('-')[0].capitalize()}Client",
                       f"call {X} {th['api']} timed out after 10000 ms", thread=exec_t(),
                       stack=java_stack("java.net.SocketTimeoutException", "Read timed out",
                                        ["java.base/sun.nio.ch.NioSocketImpl.timedRead(NioSocketImpl.java:288)",
                                         "okhttp3.internal.connection.RealCall.execute(RealCall.kt:154)"], omitted=55))

    # redisson watchdog / netty complaints once the lock pool is saturated
    for t in arrivals(rng, O + 40 * SEC, E, lambda m: 3.0 * contention(m)):
        xl.log(t, "WARN", "org.redisson.connection.pool.MasterConnectionPool",
               f"Unable to acquire connection from pool within {rng.choice([3000, 3000, 5000])} ms, pending commands: {rng.randrange(600, 4000)}",
               thread=f"redisson-netty-2-{rng.randrange(1, 32)}")
    # chronic background in X and the caller
    for t in arrivals(rng, S, E, lambda m: 0.4, regular=True):
        xl.log(t, "WARN", f"{pkg}.push.ApnsPusher", f"push to device token {hexid(rng, 8)}... rejected: BadDeviceToken", thread="push-1")
    for t in arrivals(rng, S, E, lambda m: 1.0, regular=True):
        cl.log(t, "INFO", f"com.{caller.replace('-', '')}.health.HealthReporter", f"upstreams healthy={rng.randrange(5, 7)}/6", thread="health-1")
    # the unrelated service: steady, its own config change changes nothing visible
    for t in arrivals(rng, S, E, lambda m: max(2.0, traffic(m) * 0.3)):
        if rng.random() < 0.02:
            ul.log(t, "WARN", f"com.{unrelated[0].replace('-', '')}.cache.LocalCache", f"cache miss storm for key prefix prof:{rng.randrange(1, 9)}, reloading", thread=exec_t())
        else:
            ul.log(t, "INFO", f"com.{unrelated[0].replace('-', '')}.api.QueryController", f"query ok uid={rng.choice(users)} cost={rng.randrange(3, 80)}ms", thread=exec_t())

    # metrics
    def xcpu(m):
        c = contention(m)
        return min(99.0, rng.uniform(12, 20) + traffic(m) * 0.22 + 65 * c)

    for hname in xhosts:
        scen.metric_series(hname, "cpu_usage_percent", S, E, xcpu)
        scen.metric_series(hname, "load5", S, E, lambda m: 0.5 + xcpu(m) / 22)
        scen.metric_series(hname, "mem_used_percent", S, E, lambda m: rng.uniform(55, 58) + 6 * contention(m))
    ch = f"{caller}-{pod_suffix(rng)}"
    scen.metric_series(ch, "cpu_usage_percent", S, E, lambda m: rng.uniform(8, 12) + traffic(m) * 0.1)
    scen.metric_series(f"{unrelated[0]}-{pod_suffix(rng)}", "cpu_usage_percent", S, E, lambda m: rng.uniform(9, 14) + traffic(m) * 0.05)
    scen.metric_series("redis-0", "cpu_usage_percent", S, E, lambda m: rng.uniform(6, 10) + 40 * contention(m))
    scen.metric_series("redis-0", "net_rx_bytes", S, E, lambda m: rng.uniform(3e5, 4e5) * (1 + traffic(m) / 20) * (1 + 8 * contention(m)), digits=None)

    # changes
    blamed = scen.change(D, "deploy", X, f"release {ver}: {th['feature']}", version=f"v{ver}")
    cfg = scen.change(O - rng.randrange(60 * MIN, 120 * MIN), "config", unrelated[0],
                      rng.choice(["raise ES bulk size 500 -> 1000", "rotate TLS certificate for the admin API",
                                  "lower cache TTL of profile pages from 600s to 300s"]))
    rst = scen.change(O + rng.randrange(4 * MIN, 7 * MIN), "restart", X, f"restart {X} pods to recover (CPU 99%)")
    app_cls = X.split("-")[0].capitalize() + "Application"
    for i in range(len(xhosts)):  # a rolling restart: the errors come back with the traffic
        t0 = rst["_t"] + i * 70 * SEC
        if t0 + 40 * SEC >= E:
            break
        xl.log(t0, "INFO", "org.springframework.boot.web.embedded.tomcat.GracefulShutdown", "Commencing graceful shutdown. Waiting for active requests to complete", thread="SpringApplicationShutdownHook")
        xl.log(t0 + 22_000, "INFO", f"{pkg}.{app_cls}", f"Starting {app_cls} v{ver} using Java 17.0.9 with PID {rng.randrange(1, 99)}", thread="main")
        xl.log(t0 + 36_000, "INFO", f"{pkg}.{app_cls}", f"Started {app_cls} in {rng.uniform(11, 19):.3f} seconds (process running for {rng.uniform(13, 22):.3f})", thread="main")
    dists = [cfg, rst]
    if variant == 0:
        d2 = scen.change(D - rng.randrange(30, 80) * MIN, "deploy", unrelated[1],
                         f"release {unrelated[1]}: {rng.choice(['new invoice layout', 'faster search ranking', 'audit export'])}",
                         version=f"v{rng.randrange(2, 6)}.{rng.randrange(0, 9)}.{rng.randrange(0, 9)}")
        ul2 = LogFile(scen, f"{unrelated[1]}.log", "spring2", unrelated[1], off)
        for t in arrivals(rng, S, E, lambda m: max(1.5, traffic(m) * 0.15)):
            ul2.log(t, "INFO", f"com.{unrelated[1].replace('-', '')}.web.Api", f"handled request id={hexid(rng, 10)} in {rng.randrange(2, 60)}ms", thread=exec_t())
        dists.append(d2)
    else:
        fl = scen.change(O - rng.randrange(3 * HOUR, 5 * HOUR), "flag", caller,
                         "enable flag show_new_emoji_panel for 100% of users")
        dists.append(fl)

    if variant == 0:
        F = floor_min(O) - rng.randrange(5, 11) * MIN
        T = ceil_min(E) + MIN
        args = window_args(F, T, off, zone, need_tz)
    else:
        F, T = default_window(scen)
        T += 1
        args = ["--tz", zone] if need_tz else []
    expect = {
        "status": "incident",
        "service": X,
        "caller": caller,
        "services": [X, caller] + unrelated,
        "version": ver,
        "blamed_change": scen.change_index(blamed),
        "blamed_min_score": 0.5,
        "distractor_changes": sorted(scen.change_index(c) for c in dists),
        "after_onset_changes": sorted(scen.change_index(c) for c in scen.changes if c["_t"] > O),
        "after_onset_max_score": 0.2,
        "onset": ts_rfc3339(O),
        "new_problem_words": ["lock"],
        "cause_words": ["lock", th["fn"].lower()],
        "recommend_patterns": ["rollback", "roll back", "roll-back", "revert", "kill switch", "kill-switch",
                               "feature flag", "feature switch", "feature toggle", "switch off", "turn off",
                               "disable the feature", "previous version"],
        "param": "range",
        "param_value": "30d",
    }
    notes = (f"{X} v{ver} deployed {ts_rfc3339(D)} with '{th['feature']}' (per-item Redisson tryLock 10 s); "
             f"morning ramp; lock waits and '{th['fail'].split('{')[0].strip()}' errors from {ts_rfc3339(O)}; "
             f"{caller} times out calling {X}; restart after the onset does not help.")
    return scen, args, expect, notes


# ============================================================================================
# 3. the 15-minute report (seed 002)

PY_MODULES = ["api_gateway", "order_handler", "notification_service", "user_service", "database_connector",
              "data_processor", "payment_processor", "cache_manager", "auth_middleware", "file_uploader"]

# (key, level, message maker, modules it occurs in (indices into PY_MODULES), weight)
def report_problems(rng):
    ips = [f"{rng.randrange(1, 223)}.{rng.randrange(0, 255)}.{rng.randrange(0, 255)}.{rng.randrange(1, 254)}" for _ in range(6)]
    return [
        ("payment_down", "CRITICAL", lambda: "Payment system completely unavailable", list(range(10)), 5),
        ("db_sync", "CRITICAL", lambda: "Database master-slave sync failed, data may be inconsistent", [4, 6, 3, 8], 3),
        ("memory", "CRITICAL", lambda: "System memory insufficient, service will stop", [4, 8, 3], 3),
        ("crash", "CRITICAL", lambda: "Core service crashed, restarting", [9, 2, 7, 0, 8, 3], 4),
        ("security", "CRITICAL", lambda: f"Security vulnerability detected: abnormal access from {rng.choice(ips)}", [4, 8, 5], 3),
        ("db_conn", "ERROR", lambda: "Database connection failed: error=" + rng.choice(["network error", "invalid credentials", "connection timeout"]),
         [4, 8, 3, 6, 7, 1, 2, 9, 0], 6),
        ("auth_fail", "ERROR", lambda: f"User authentication failed: user_id={rng.randrange(10000, 99999)}, reason=token expired", [3, 8, 0], 3),
        ("pay_api", "ERROR", lambda: f"Payment API call exception: code={rng.choice([500, 502, 503])}, order_id=ORD{rng.randrange(100000, 999999)}", [1, 6, 0], 3),
        ("ext_slow_err", "ERROR", lambda: f"External service response slow: service={rng.choice(['payment', 'storage', 'notification'])}, latency={rng.randrange(3000, 9000)}ms", [2, 7, 9, 5, 4, 8], 2),
        ("disk", "WARNING", lambda: f"Disk space low ({rng.randrange(70, 91)}% used)", [3, 9, 4, 5, 7, 0, 8], 4),
        ("cache", "WARNING", lambda: "Cache space insufficient, cleaning expired data", [8, 5, 1, 7, 4, 3, 6], 4),
        ("rate", "WARNING", lambda: f"API call frequency too high: {rng.randrange(248, 548)} calls/min", [6, 9, 3, 7], 3),
        ("db_retry", "WARNING", lambda: "Database connection timeout, retrying", [4, 6, 3], 3),
        ("ext_slow", "WARNING", lambda: f"External service response slow: service={rng.choice(['payment', 'storage', 'notification'])}, latency={rng.randrange(1000, 3000)}ms", [2, 7, 9, 5, 4, 8], 3),
    ]


def info_message(rng):
    return rng.choice([
        lambda: f"Request processed successfully: /api/{rng.choice(['orders', 'users', 'files', 'payments', 'items'])}, {rng.randrange(5, 400)}ms",
        lambda: f"User {rng.randrange(10000, 99999)} logged in from {rng.randrange(1, 223)}.{rng.randrange(0, 255)}.{rng.randrange(0, 255)}.{rng.randrange(1, 254)}",
        lambda: f"Cache hit ratio {rng.uniform(0.7, 0.99):.2f}",
        lambda: f"Scheduled task {rng.choice(['data_sync', 'report_build', 'token_cleanup'])} completed in {rng.uniform(0.1, 9):.1f}s",
        lambda: f"Order ORD{rng.randrange(100000, 999999)} created, amount={rng.randrange(1, 9999)}.{rng.randrange(0, 99):02d}",
        lambda: f"File uploaded: {hexid(rng, 8)}.{rng.choice(['png', 'pdf', 'csv'])} size={rng.randrange(1, 9000)}KB",
        lambda: f"Notification sent to user {rng.randrange(10000, 99999)} via {rng.choice(['email', 'sms', 'push'])}",
    ])()


PY_TRACEBACK = {
    "db_conn": lambda rng, m: ["Traceback (most recent call last):",
                               f'  File "/app/{m}.py", line {rng.randrange(40, 300)}, in connect',
                               "    conn = pool.get_connection(timeout=5)",
                               '  File "/usr/local/lib/python3.11/site-packages/pymysql/connections.py", line 649, in connect',
                               "    raise exc",
                               "pymysql.err.OperationalError: (2003, \"Can't connect to MySQL server on 'db-master' (timed out)\")"],
    "pay_api": lambda rng, m: ["Traceback (most recent call last):",
                               f'  File "/app/{m}.py", line {rng.randrange(40, 300)}, in charge',
                               "    resp.raise_for_status()",
                               "requests.exceptions.HTTPError: 503 Server Error: Service Unavailable for url: https://pay.internal/v2/charge"],
}


def gen_report_15min(name, rng, variant):
    zone, off = rng.choice([z for z in ZONES if z[1] != 0])
    y, mo, d = pick_day(rng)
    F = local_to_utc_ms(y, mo, d, rng.randrange(8, 20), rng.randrange(0, 60), rng.randrange(0, 60), off)
    wlen = rng.choice([rng.randrange(8 * 60, 9 * 60), 15 * 60, rng.randrange(10 * 60, 15 * 60)]) * SEC
    T = F + wlen
    base_len = rng.randrange(40, 61) * MIN
    S = F - base_len
    A = T + rng.randrange(80, 150) * SEC  # data continues a little after the window end
    scen = Scenario(name, "report_15min", rng)
    scen.metric_off = rng.choice([0, off])
    hostip = f"{rng.randrange(11, 60)}.{rng.randrange(1, 254)}.{rng.randrange(1, 254)}.{rng.randrange(2, 254)}"
    svc = rng.choice(["bk-demo-app", "order-platform", "shop-backend", "pay-portal"])
    mods = list(PY_MODULES)
    if variant == 0:
        style = rng.choice(["py_dash", "py_bracket"])
        modname = lambda m: m + ".py"
        # rotated: older half in .log.1
        f_old = LogFile(scen, f"{svc}.log.1", style, svc, off)
        f_new = LogFile(scen, f"{svc}.log", style, svc, off)
        rot = F - rng.randrange(5, 20) * MIN
        pick_file = lambda t: f_old if t < rot else f_new
        need_tz = True
    else:
        style = "json_python"
        modname = lambda m: m
        f_one = LogFile(scen, f"{svc}.log", style, svc, off, host=hostip)
        pick_file = lambda t: f_one
        need_tz = True
    probs = report_problems(rng)
    bykey = {p[0]: p for p in probs}
    lineno = {m: rng.randrange(20, 400) for m in mods}

    def emit(t, key_or_none, level=None):
        if key_or_none is None:
            m = rng.choice(mods)
            pick_file(t).log(t, "INFO", modname(m), info_message(rng), lineno=lineno[m])
            return "INFO", modname(m), None
        key, lvl, mk, mod_idx, _ = bykey[key_or_none]
        m = mods[rng.choice(mod_idx)]
        msg = mk()
        stack = None
        if key in PY_TRACEBACK and rng.random() < 0.3:
            stack = PY_TRACEBACK[key](rng, m)
        pick_file(t).log(t, lvl, modname(m), msg, lineno=lineno[m], stack=stack)
        return lvl, modname(m), msg

    # ---- window: exact totals
    N = rng.randrange(1500, 2300)
    n_crit = rng.randrange(150, 220)
    n_err = rng.randrange(140, 200)
    n_warn = rng.randrange(150, 210)
    n_info = N - n_crit - n_err - n_warn
    times = sorted(rng.randrange(F + SEC, T - SEC) for _ in range(N))
    levels = ["CRITICAL"] * n_crit + ["ERROR"] * n_err + ["WARNING"] * n_warn + ["INFO"] * n_info
    rng.shuffle(levels)
    keys_by_level = {}
    for p in probs:
        keys_by_level.setdefault(p[1], []).append(p)
    win_stats = {"modules": {}, "db_variants": {}, "db_retry": 0, "by_key": {}}
    for t, lv in zip(times, levels):
        if lv == "INFO":
            _, mname, _ = emit(t, None)
            key = None
        else:
            cands = keys_by_level[lv]
            p = rng.choices(cands, weights=[c[4] for c in cands])[0]
            key = p[0]
            _, mname, msg = emit(t, key)
            win_stats["by_key"][key] = win_stats["by_key"].get(key, 0) + 1
            if key == "db_conn":
                v = msg.split("error=")[1]
                win_stats["db_variants"][v] = win_stats["db_variants"].get(v, 0) + 1
            if key == "db_retry":
                win_stats["db_retry"] += 1
        ms = win_stats["modules"].setdefault(mname, {"records": 0, "errors": 0})
        ms["records"] += 1
        if lv != "INFO":
            ms["errors"] += 1
    # every db variant at least once (the grouping check needs all three)
    assert len(win_stats["db_variants"]) == 3, win_stats["db_variants"]

    # ---- baseline: lower error rate, payment outage and security alerts absent
    base_keys = [p for p in probs if p[0] not in ("payment_down", "security", "memory")]
    for t in arrivals(rng, S, F, lambda m: rng.uniform(95, 110)):
        if t >= F - SEC:
            continue
        if rng.random() < 0.07:
            p = rng.choices(base_keys, weights=[c[4] for c in base_keys])[0]
            emit(t, p[0])
        else:
            emit(t, None)
    # ---- after the window: the seed's stray 10:47 entries
    for t in arrivals(rng, T + SEC, A, lambda m: 100):
        r = rng.random()
        if r < 0.06:
            emit(t, "memory")
        elif r < 0.12:
            emit(t, "cache")
        elif r < 0.2:
            emit(t, "db_conn")
        else:
            emit(t, None)

    # ---- metrics: all normal
    scen.metric_series(hostip, "cpu_usage_percent", S, A, lambda m: rng.uniform(0.35, 0.5))
    scen.metric_series(hostip, "mem_used_percent", S, A, lambda m: rng.uniform(2.60, 2.62))
    scen.metric_series(hostip, "disk_used_percent", S, A, lambda m: 21.04)
    scen.metric_series(hostip, "disk_io_util_percent", S, A, lambda m: rng.uniform(0.011, 0.016), digits=3)
    scen.metric_series(hostip, "load5", S, A, lambda m: rng.uniform(0.02, 0.17))

    # ---- truth from the records as written
    recs = [r for _, r in scen.all_records() if in_window(r[0], F, T)]
    by_level = {}
    for r in recs:
        by_level[r[1]] = by_level.get(r[1], 0) + 1
    assert len(recs) == N, (len(recs), N)
    mods_truth = {}
    for r in recs:
        s = mods_truth.setdefault(r[2], {"records": 0, "errors": 0})
        s["records"] += 1
        if r[1] in ("WARN", "ERROR", "FATAL"):
            s["errors"] += 1
    assert mods_truth == win_stats["modules"], (mods_truth, win_stats["modules"])
    args = window_args(F, T, off, zone, need_tz)
    expect = {
        "status": "incident",
        "service": svc,
        "host": hostip,
        "window": {"from": ts_rfc3339(F), "to": ts_rfc3339(T)},
        "records": N,
        "errors": n_crit + n_err + n_warn,
        "by_level": {k: v for k, v in sorted(by_level.items())},
        "modules": {k: mods_truth[k] for k in sorted(mods_truth)},
        "db_prefix": "Database connection failed",
        "db_variants": sorted(win_stats["db_variants"]),
        "db_variant_count": sum(win_stats["db_variants"].values()),
        "db_retry_count": win_stats["db_retry"],
        "mismatch": ["memory", "disk"],
        "records_after_window": sum(1 for _, r in scen.all_records() if r[0] >= T),
        "md_forbidden": ["many times"],
    }
    notes = (f"One host {hostip}, Python service {svc}; window {ts_rfc3339(F, off)} .. {ts_rfc3339(T, off)} "
             f"holds exactly {N} records; {expect['records_after_window']} records follow the window end; "
             "the app claims memory/disk exhaustion while host metrics are normal.")
    return scen, args, expect, notes


# ============================================================================================
# 4. big key after a config push

BIGKEY_THEMES = [
    dict(service="promotion-service", pkg="com.shopx.promo", key="promo:strategy:all", prefix="promo:strategy",
         what="AOI promotion strategies", unit="area codes", api="/promo/calculate", app="PromotionApplication"),
    dict(service="discount-engine", pkg="io.retail.discount", key="discount:rules:active", prefix="discount:rules",
         what="regional discount rules", unit="city codes", api="/discount/evaluate", app="DiscountEngineApplication"),
    dict(service="coupon-service", pkg="com.mall.coupon", key="coupon:policy:global", prefix="coupon:policy",
         what="coupon policies", unit="store ids", api="/coupon/match", app="CouponApplication"),
    dict(service="marketing-rules", pkg="net.deals.mkt", key="mkt:campaign:online", prefix="mkt:campaign",
         what="campaign targeting rules", unit="district codes", api="/campaign/apply", app="MarketingRulesApplication"),
]
PAYERS = ["payment-service", "checkout-service", "cashier-api", "order-pay"]


def gen_big_key(name, rng, variant):
    th = rng.choice(BIGKEY_THEMES)
    P = th["service"]
    payer = rng.choice(PAYERS)
    unrelated = rng.choice(["user-center", "logistics-svc", "sms-gateway", "review-service"])
    zone, off = rng.choice(ZONES)
    y, mo, d = pick_day(rng)
    C = local_to_utc_ms(y, mo, d, rng.randrange(19, 21), rng.randrange(0, 60), rng.randrange(0, 60), off)
    O = C + rng.randrange(int(18.5 * HOUR), int(20 * HOUR))  # next afternoon peak
    E = O + rng.randrange(11 * MIN, 13 * MIN) + rng.randrange(0, 59) * SEC
    S = O - rng.randrange(65, 90) * MIN
    scen = Scenario(name, "big_key", rng)
    scen.shuffle_ledger = variant == 1
    scen.metric_off = rng.choice([0, off])
    scen.change_off = rng.choice([0, off])
    n_strat = rng.randrange(9, 18)
    per = rng.randrange(200, 400)
    big_mb = round(n_strat * per * 0.00105 + rng.uniform(0.3, 1.2), 1)
    small_kb = rng.randrange(12, 40)
    if variant == 0:
        pl = LogFile(scen, f"{P}.log", "spring2", P, off)
        yl = LogFile(scen, f"{payer}.log", "logback", payer, off)
        ul = LogFile(scen, f"{unrelated}.log", "spring2", unrelated, off)
        acc = None
        need_tz = off != 0
    else:
        pl = LogFile(scen, f"{P}.log", "json_java", P, off)
        yl = LogFile(scen, f"{payer}.log", "spring3", payer, off)
        ul = LogFile(scen, f"{unrelated}.log", "json_simple", unrelated, off)
        acc = LogFile(scen, f"{P}.access.log", "nginx_rt", P, off)
        need_tz = False
    pkg = th["pkg"]
    pods = [f"{P}-{pod_suffix(rng)}" for _ in range(3)]
    exec_t = lambda: f"http-nio-8080-exec-{rng.randrange(1, 200)}"
    segments = [(S, E)]
    if variant == 0:
        segments.insert(0, (C - rng.randrange(25, 40) * MIN, C + rng.randrange(35, 50) * MIN))

    def traffic(t):
        dl = dt_local(t, off)
        h = dl.hour + dl.minute / 60
        if 14 <= h < 17:
            return 55 + min(35, (h - 14) * 35)
        if h >= 19:
            return 32 - (h - 19) * 4
        return 40

    def stress(t):
        """How far the big key drags the service down: 0 before the onset, 1 at full collapse."""
        return 0.0 if t < O else min(1.0, 0.4 + (t - O) / (3 * MIN))

    # periodic cache refresh shows the key's size
    for (a, b) in segments:
        for pi, pod in enumerate(pods):
            t = a + rng.randrange(0, 5 * MIN)
            while t < b:
                big = t >= C + 40 * SEC
                n = n_strat + rng.randrange(3, 6) if big else rng.randrange(3, 6)
                size = f"{big_mb + rng.uniform(-0.05, 0.05):.2f} MB" if big else f"{small_kb + rng.randrange(0, 3)} KB"
                pl.log(t, "INFO", f"{pkg}.cache.StrategyCacheRefresher", f"refreshed {th['what']} from config center: count={n} redis key {th['key']} size={size}", thread="refresh-scheduler-1")
                t += 5 * MIN + rng.randrange(-3000, 3000)

    slow_msg = rng.choice([
        "slow redis command GET {key} cost={ms}ms bytes={bytes}",
        "Redis GET {key} took {ms} ms (value {mb} MB)",
        "redis read of {key} is slow: {ms}ms, payload {kb} KB",
    ])
    pool_msg, pool_word = rng.choice([
        ("Thread pool exhausted: active=200, max=200, queued={q}, rejecting request", "thread pool"),
        ("All threads (200) are currently busy, waiting. Increase maxThreads (200) or check the servlet status", "all threads"),
        ("http-nio-8080 worker pool saturated (200/200 busy, {q} queued)", "worker pool"),
    ])
    brk = O + rng.randrange(8, 10) * MIN  # the payer's circuit breaker opens
    # requests
    users = list(range(200000, 200900))
    for (a, b) in segments:
        for t in arrivals(rng, a, b, lambda m: traffic(m) * rng.uniform(0.95, 1.05)):
            s = stress(t)
            big = t >= C
            get_ms = rng.uniform(1, 4) if not big else (rng.uniform(25, 60) if s == 0 else rng.uniform(400, 3000) * s)
            oid = f"{rng.randrange(10**11, 10**12)}"
            uid = rng.choice(users)
            if s > 0 and rng.random() < 0.85 * s:
                # slow read of the big key, then maybe a time-out
                nb = int(big_mb * 1048576) + rng.randrange(0, 4000)
                pl.log(t + int(get_ms), "WARN", f"{pkg}.cache.RedisStrategyCache",
                       slow_msg.format(key=th["key"], ms=int(get_ms), bytes=nb, mb=f"{nb / 1048576:.1f}", kb=nb // 1024),
                       thread=exec_t())
                if rng.random() < 0.35 * s:
                    pl.log(t + 3000, "ERROR", f"{pkg}.cache.RedisStrategyCache", f"read {th['key']} failed, falling back to empty strategy list", thread=exec_t(),
                           stack=java_stack("org.springframework.dao.QueryTimeoutException", "Redis command timed out",
                                            ["org.springframework.data.redis.connection.lettuce.LettuceExceptionConverter.convert(LettuceExceptionConverter.java:70)",
                                             "org.springframework.data.redis.core.DefaultValueOperations.get(DefaultValueOperations.java:58)",
                                             f"{pkg}.cache.RedisStrategyCache.load(RedisStrategyCache.java:{rng.randrange(60, 140)})"],
                                            cause=("io.lettuce.core.RedisCommandTimeoutException", "Command timed out after 3 second(s)",
                                                   ["io.lettuce.core.internal.ExceptionFactory.createTimeoutException(ExceptionFactory.java:59)"]),
                                            omitted=rng.randrange(60, 110)))
            elif rng.random() < 0.3:
                pl.log(t + int(get_ms) + rng.randrange(2, 20), "INFO", f"{pkg}.api.CalcController",
                       f"calc order={oid} uid={uid} matched={rng.randrange(0, 4)} cost={int(get_ms) + rng.randrange(3, 30)}ms", thread=exec_t())
            # the payer calls us (once its circuit breaker is open, only half-open probes get through)
            if t >= brk and rng.random() > 0.05:
                status, rt = (504, 3.0 + rng.uniform(0, 0.2)) if rng.random() < 0.6 * s else (200, (get_ms + rng.uniform(5, 40)) / 1000)
            elif s > 0 and rng.random() < 0.6 * s:
                yl.log(t + 3000 + rng.randrange(0, 30), "ERROR", f"com.{payer.replace('-', '')}.client.PromotionClient",
                       f"call {P} {th['api']} timed out after 3000 ms, order={oid}", thread=exec_t(),
                       stack=java_stack("feign.RetryableException", f"Read timed out executing POST http://{P}{th['api']}",
                                        ["feign.FeignException.errorExecuting(FeignException.java:268)",
                                         "feign.SynchronousMethodHandler.executeAndDecode(SynchronousMethodHandler.java:131)"],
                                        cause=("java.net.SocketTimeoutException", "Read timed out",
                                               ["java.base/sun.nio.ch.NioSocketImpl.timedRead(NioSocketImpl.java:288)"]),
                                        omitted=rng.randrange(30, 70)))
                status, rt = 504, 3.0 + rng.uniform(0, 0.2)
            else:
                if rng.random() < 0.35:
                    yl.log(t + 60, "INFO", f"com.{payer.replace('-', '')}.service.PayService", f"pay order={oid} amount={rng.randrange(1, 3000)}.{rng.randrange(0, 99):02d} discount applied", thread=exec_t())
                status, rt = 200, (get_ms + rng.uniform(5, 40)) / 1000
            if acc is not None:
                acc.access(t + int(rt * 1000), f"10.8.{rng.randrange(0, 8)}.{rng.randrange(2, 250)}", None, "POST", th["api"], status,
                           rng.randrange(300, 1200) if status == 200 else 0, None, "Apache-HttpClient/4.5.14 (Java/17.0.9)", rt)

    # thread pool exhaustion and restarts, some seconds after the first slow reads
    pool_start = O + rng.randrange(40, 90) * SEC
    for t in arrivals(rng, pool_start, E, lambda m: 6.0 * stress(m)):
        pl.log(t, "WARN", "org.apache.tomcat.util.threads.ThreadPoolExecutor",
               pool_msg.format(q=rng.randrange(200, 1000)), thread="http-nio-8080-Acceptor")
    for t in arrivals(rng, pool_start, E, lambda m: 2.0 * stress(m)):
        pl.log(t, "ERROR", "org.apache.catalina.core.ContainerBase",
               "Servlet.service() for servlet [dispatcherServlet] threw exception: request processing timed out", thread=exec_t(),
               stack=java_stack("org.springframework.web.context.request.async.AsyncRequestTimeoutException", None,
                                ["org.springframework.web.context.request.async.TimeoutDeferredResultProcessingInterceptor.handleTimeout(TimeoutDeferredResultProcessingInterceptor.java:42)"]))
    if brk < E:
        yl.log(brk, "WARN", "io.github.resilience4j.circuitbreaker.internal.CircuitBreakerStateMachine",
               f"CircuitBreaker '{P}' changed state from CLOSED to OPEN", thread=exec_t())
        for t in arrivals(rng, brk + SEC, E, lambda m: 20):
            yl.log(t, "WARN", f"com.{payer.replace('-', '')}.client.PromotionFallback",
                   f"{P} unavailable (circuit open), paying order={rng.randrange(10**11, 10**12)} without discount", thread=exec_t())
    restarts = [O + rng.randrange(6 * MIN, 8 * MIN), O + rng.randrange(9 * MIN, 10 * MIN)]
    for rt0 in restarts:
        if rt0 + 40 * SEC >= E:
            continue
        pl.log(rt0, "INFO", "org.springframework.boot.web.embedded.tomcat.GracefulShutdown", "Commencing graceful shutdown. Waiting for active requests to complete", thread="SpringApplicationShutdownHook")
        pl.log(rt0 + 25_000, "INFO", f"{pkg}.{th['app']}", f"Starting {th['app']} using Java 17.0.9 with PID 1", thread="main")
        pl.log(rt0 + 38_000, "INFO", f"{pkg}.{th['app']}", f"Started {th['app']} in {rng.uniform(11, 15):.3f} seconds (process running for {rng.uniform(13, 17):.3f})", thread="main")
    # chronic background + the unrelated service
    for (a, b) in segments:
        for t in arrivals(rng, a, b, lambda m: 0.5, regular=True):
            pl.log(t, "WARN", f"{pkg}.risk.BlacklistLoader", f"blacklist entry {hexid(rng, 6)} has no expiry, skipped", thread="refresh-scheduler-1")
        for t in arrivals(rng, a, b, lambda m: traffic(m) * 0.25):
            ul.log(t, "INFO", f"com.{unrelated.replace('-', '')}.api.Handler", f"ok uid={rng.choice(users)} cost={rng.randrange(2, 50)}ms", thread=exec_t())
        for t in arrivals(rng, a, b, lambda m: 0.2, regular=True):
            ul.log(t, "ERROR", f"com.{unrelated.replace('-', '')}.mq.Consumer", f"message {hexid(rng, 16)} rejected: schema version 3 unsupported", thread="mq-consumer-2")

    # metrics
    for (a, b) in segments:
        for pod in pods:
            scen.metric_series(pod, "cpu_usage_percent", a, b, lambda m: rng.uniform(20, 28) + traffic(m) * 0.1 + 45 * stress(m))
            scen.metric_series(pod, "net_rx_bytes", a, b, lambda m: (rng.uniform(1.5e6, 2.0e6) if m < C else rng.uniform(3e7, 5e7) * traffic(m) / 60) * (1 + 12 * stress(m)), digits=None)
            scen.metric_series(pod, "mem_used_percent", a, b, lambda m: rng.uniform(58, 62) + 10 * stress(m))
        scen.metric_series("redis-master-0", "net_tx_bytes", a, b, lambda m: (rng.uniform(5e6, 7e6) if m < C else rng.uniform(2.0e8, 3.0e8) * traffic(m) / 60) * (1 + 6 * stress(m)), digits=None)
        scen.metric_series("redis-master-0", "cpu_usage_percent", a, b, lambda m: rng.uniform(10, 15) + 50 * stress(m))
        scen.metric_series(f"{payer}-{pod_suffix(rng)}", "cpu_usage_percent", a, b, lambda m: rng.uniform(15, 22))

    # changes
    blamed = scen.change(C, "config", P, f"config center: publish {n_strat} {th['what']} (~{per} {th['unit']} each, all users)")
    dep = scen.change(O - rng.randrange(5 * HOUR, 7 * HOUR), "deploy", unrelated,
                      f"release {unrelated}: {rng.choice(['new avatar upload', 'address book sync', 'rate limiter tuning'])}",
                      version=f"v{rng.randrange(2, 9)}.{rng.randrange(0, 20)}.{rng.randrange(0, 9)}")
    scale = scen.change(O + rng.randrange(4 * MIN, 5 * MIN + 30 * SEC), "scale", P, f"scale out {P} from {len(pods) + 5} to {len(pods) + 9} replicas")
    rsts = [scen.change(r, "restart", P, f"rolling restart of {P} ({i + 1})") for i, r in enumerate(restarts)]
    dists = [dep, scale] + rsts
    if variant == 1:
        fl = scen.change(brk + 20 * SEC, "flag", payer, f"{payer}: switch off promotion calls (degrade to original price)")
        dists.append(fl)

    if variant == 0:
        F = floor_min(O) - rng.randrange(4, 8) * MIN
        T = ceil_min(E) + MIN
        args = window_args(F, T, off, zone, need_tz)
    else:
        F, T = default_window(scen)
        T += 1
        args = ["--tz", zone] if need_tz else []
    expect = {
        "status": "incident",
        "service": P,
        "caller": payer,
        "services": [P, payer, unrelated],
        "key": th["key"],
        "key_prefix": th["prefix"],
        "blamed_change": scen.change_index(blamed),
        "blamed_min_score": 0.5,
        "distractor_changes": sorted(scen.change_index(c) for c in dists),
        "after_onset_changes": sorted(scen.change_index(c) for c in scen.changes if c["_t"] > O),
        "after_onset_max_score": 0.2,
        "onset": ts_rfc3339(O),
        "cache_words": ["redis", th["prefix"]],
        "symptom_words": [pool_word, "timed out after 3000", "request processing timed out", "circuit"],
    }
    notes = (f"config push {ts_rfc3339(C)} makes {th['key']} ~{big_mb} MB; at the afternoon peak "
             f"({ts_rfc3339(O)}) slow GETs, Tomcat pool exhaustion, {payer} time-outs, restarts/scale-out that do not help.")
    return scen, args, expect, notes


# ============================================================================================
# 5. healthy control

HEALTHY_SERVICES = [
    ("order-service", "com.shop.order", "spring2"), ("inventory-service", "com.shop.inventory", "json_java"),
    ("user-service", "com.shop.user", "logback"), ("search-api", "io.find.search", "json_simple"),
    ("notification-worker", "notify", "py_dash"), ("billing-api", "billing", "py_bracket"),
]


def gen_healthy(name, rng, variant):
    zone, off = rng.choice(ZONES)
    picked = rng.sample(HEALTHY_SERVICES, rng.randrange(3, 5))
    y, mo, d = pick_day(rng)
    S = local_to_utc_ms(y, mo, d, rng.randrange(9, 17), rng.randrange(0, 60), 0, off)
    L = rng.randrange(80, 110) * MIN
    E = S + L
    scen = Scenario(name, "healthy", rng)
    scen.shuffle_ledger = variant == 1
    scen.metric_off = rng.choice([0, off])
    scen.change_off = rng.choice([0, off])
    exec_t = lambda: f"http-nio-8080-exec-{rng.randrange(1, 200)}"
    # a routine deploy: in the middle (variant 0) or inside the last 15 minutes (variant 1)
    dep_svc, dep_pkg, _ = picked[0]
    D = S + L // 2 + rng.randrange(-5, 5) * MIN if variant == 0 else E - rng.randrange(7, 11) * MIN
    hosts = {}
    ver = f"{rng.randrange(1, 5)}.{rng.randrange(0, 30)}.{rng.randrange(0, 9)}"
    for svc, pkg, style in picked:
        f = LogFile(scen, f"{svc}.log", style, svc, off, host=f"{svc}-{pod_suffix(rng)}" if style.startswith("json") else None)
        py = style.startswith("py")
        hosts[svc] = f"{svc}-{pod_suffix(rng)}"
        rate = rng.uniform(25, 60)
        lg = (lambda n: n) if py else (lambda n, pkg=pkg: f"{pkg}.{n}")
        names = ["api.RequestHandler", "service.Worker", "repo.Dao"] if not py else ["handler.py", "worker.py", "dao.py"]
        if py:
            names = ["handler.py", "worker.py", "dao.py"]
        for t in arrivals(rng, S, E, lambda m: rate * rng.uniform(0.95, 1.05)):
            if svc == dep_svc and D <= t < D + 70 * SEC:
                continue  # the pod is restarting
            r = rng.random()
            if r < 0.6:
                f.log(t, "INFO", lg(names[0]), f"handled {rng.choice(['GET', 'POST'])} /{svc.split('-')[0]}/{rng.choice(['list', 'detail', 'update'])} status=200 cost={rng.randrange(3, 120)}ms", thread=exec_t())
            elif r < 0.85:
                f.log(t, "INFO", lg(names[1]), f"processed batch id={hexid(rng, 8)} items={rng.randrange(1, 50)}", thread="worker-1")
            else:
                f.log(t, "DEBUG", lg(names[2]), f"query took {rng.randrange(1, 30)}ms rows={rng.randrange(0, 100)}", thread=exec_t())
        # chronic errors: same steady rate everywhere
        chronic = [
            ("WARN", names[0], lambda: f"upstream {rng.choice(['geo', 'sms', 'avatar'])}-provider slow: {rng.randrange(1100, 1900)}ms (threshold 1000ms)", 1.0),
            ("ERROR", names[2], lambda: f"Deadlock found when trying to get lock; try restarting transaction (attempt {rng.randrange(1, 3)})", 0.3),
            ("WARN", names[1], lambda: f"message {hexid(rng, 12)} redelivered {rng.randrange(2, 5)} times", 0.6),
        ]
        for lvl, nm, mk, r in chronic:
            for t in arrivals(rng, S, E, lambda m, r=r: r, regular=True):
                f.log(t, lvl, lg(nm), mk(), thread=exec_t())
        if svc == dep_svc:
            app = svc.split("-")[0].capitalize() + "Application"
            if py:
                f.log(D, "INFO", "app.py", "Received SIGTERM, draining workers", lineno=41)
                f.log(D + 60 * SEC, "INFO", "app.py", f"Worker started, version {ver}, pid {rng.randrange(7, 90)}", lineno=58)
            else:
                f.log(D, "INFO", "org.springframework.boot.web.embedded.tomcat.GracefulShutdown", "Commencing graceful shutdown. Waiting for active requests to complete", thread="SpringApplicationShutdownHook")
                f.log(D + 60 * SEC, "INFO", lg(app), f"Started {app} v{ver} in {rng.uniform(7, 12):.3f} seconds", thread="main")
        scen.metric_series(hosts[svc], "cpu_usage_percent", S, E, lambda m: rng.uniform(22, 30) + (10 if svc == dep_svc and D <= m < D + 2 * MIN else 0))
        scen.metric_series(hosts[svc], "mem_used_percent", S, E, lambda m: rng.uniform(54, 57))
        scen.metric_series(hosts[svc], "disk_used_percent", S, E, lambda m: 41.3)
        scen.metric_series(hosts[svc], "load5", S, E, lambda m: rng.uniform(0.8, 1.3))
    # nginx in front
    if variant == 1 or rng.random() < 0.5:
        acc = LogFile(scen, "nginx-access.log", "nginx_rt" if variant == 0 else "nginx_kv", "nginx", off)
        paths = [("GET", f"/{s.split('-')[0]}/list?page={{p}}") for s, _, _ in picked] + [("GET", "/favicon.ico"), ("POST", "/api/login")]
        for t in arrivals(rng, S, E, lambda m: rng.uniform(38, 42)):
            m, p = rng.choice(paths)
            st = 404 if p == "/favicon.ico" else (200 if rng.random() > 0.004 else 502)
            rt = rng.lognormvariate(math.log(0.04), 0.5)
            acc.access(t + int(rt * 1000), ip(rng, "58"), None, m, p.format(p=rng.randrange(1, 20)), st, rng.randrange(100, 5000),
                       None, rng.choice(UAS), rt)
    scen.change(D, "deploy", dep_svc, f"routine release {ver}: dependency bumps and log message cleanup", version=f"v{ver}")
    if variant == 1:
        scen.change(S + rng.randrange(10, 30) * MIN, "config", picked[1][0], "raise HTTP client timeout from 2s to 3s")
    if variant == 0:
        F = S + L - rng.randrange(15, 25) * MIN
        F = floor_min(F)
        T = ceil_min(E)
        need_tz = any(f.style in ("spring2", "logback", "py_dash", "py_bracket") for f in scen.files) and off != 0
        args = window_args(F, T, off, zone, need_tz)
    else:
        need_tz = any(f.style in ("spring2", "logback", "py_dash", "py_bracket") for f in scen.files) and off != 0
        args = ["--tz", zone] if need_tz else []
    expect = {
        "status": "healthy",
        "services": [s for s, _, _ in picked],
        "max_root_cause_score": 0.5,
        "forbidden_priority": "P1",
        "max_spike_ratio": 2.0,
    }
    notes = f"{len(picked)} services at steady rates, chronic warnings at the same rate throughout, routine deploy of {dep_svc} at {ts_rfc3339(D)}."
    return scen, args, expect, notes


GENERATORS = {
    "export_storm": gen_export_storm,
    "lock_after_release": gen_lock_after_release,
    "report_15min": gen_report_15min,
    "big_key": gen_big_key,
    "healthy": gen_healthy,
}


def parse_rfc3339_ms(s):
    d = datetime.fromisoformat(s.replace("Z", "+00:00"))
    return int(round(d.timestamp() * 1000))


def verify(scen, outdir, args, expect, triage_bin):
    """Runs `triage parse` on every generated file and checks that each record comes back with the
    time, level, module and message the generator meant; then recounts the exact figures of
    truth.json from the parsed records alone. Returns a list of problems."""
    import subprocess
    tz = args[args.index("--tz") + 1] if "--tz" in args else "UTC"
    problems = []
    parsed = []
    for f in scen.files:
        path = os.path.join(outdir, scen.name, "logs", f.fname)
        out = subprocess.run([triage_bin, "parse", "-q", "--tz", tz, path], capture_output=True, text=True, check=False)
        got = [json.loads(l) for l in out.stdout.splitlines() if l.strip()]
        parsed.extend(got)
        if len(got) != len(f.records):
            problems.append(f"{f.fname}: {len(got)} records parsed, {len(f.records)} written")
            continue
        bad = 0
        for g, (t, level, module, msg) in zip(got, f.records):
            why = []
            if g.get("ts") is None or parse_rfc3339_ms(g["ts"]) != t:
                why.append(f"ts {g.get('ts')} != {ts_iso_ms(t, 0)}")
            if g.get("level") != level:
                why.append(f"level {g.get('level')} != {level}")
            if module is not None and g.get("module") != module:
                why.append(f"module {g.get('module')!r} != {module!r}")
            if module is not None and (g.get("message") or "").split("\n")[0] != msg:
                why.append(f"message {(g.get('message') or '')[:60]!r} != {msg[:60]!r}")
            if module is None and not (g.get("fields") or {}).get("path"):
                why.append("access record without a path")
            if why:
                bad += 1
                if bad <= 3:
                    problems.append(f"{f.fname}:{g.get('line')}: " + "; ".join(why))
        if bad > 3:
            problems.append(f"{f.fname}: {bad} records differ in all")
    problems += recount(scen.kind, parsed, args, expect)
    return problems


def recount(kind, parsed, args, expect):
    """The exact figures of truth.json, counted again from `triage parse` output."""
    times = [parse_rfc3339_ms(g["ts"]) for g in parsed if g.get("ts")]
    if "--from" in args:
        F = parse_rfc3339_ms(args[args.index("--from") + 1])
        T = parse_rfc3339_ms(args[args.index("--to") + 1])
    else:
        T = max(times) + 1
        F = T - 1 - 15 * MIN
    inside = [g for g in parsed if g.get("ts") and F <= parse_rfc3339_ms(g["ts"]) < T]
    out = []
    if kind == "report_15min":
        by_level, mods = {}, {}
        for g in inside:
            by_level[g["level"]] = by_level.get(g["level"], 0) + 1
            m = mods.setdefault(g["module"], {"records": 0, "errors": 0})
            m["records"] += 1
            m["errors"] += g["level"] in ("WARN", "ERROR", "FATAL")
        if len(inside) != expect["records"]:
            out.append(f"recount: {len(inside)} records in the window, truth says {expect['records']}")
        if by_level != expect["by_level"]:
            out.append(f"recount: by_level {by_level}, truth says {expect['by_level']}")
        if mods != expect["modules"]:
            out.append(f"recount: modules {mods}, truth says {expect['modules']}")
        db = [g for g in inside if g["message"].startswith(expect["db_prefix"])]
        if len(db) != expect["db_variant_count"]:
            out.append(f"recount: {len(db)} db variants, truth says {expect['db_variant_count']}")
    elif kind == "export_storm":
        exp = [g for g in inside if (g.get("fields") or {}).get("path") == expect["endpoint_path"]]
        ok = sum(1 for g in exp if int(g["fields"]["status"]) < 400)
        if len(exp) != expect["endpoint_requests"] or abs(ok / max(1, len(exp)) - expect["endpoint_success_rate"]) > 1e-3:
            out.append(f"recount: {len(exp)} export requests ({ok} ok) in the window, truth says "
                       f"{expect['endpoint_requests']} at {expect['endpoint_success_rate']}")
        edge = [g for g in exp if min(abs(parse_rfc3339_ms(g["ts"]) - F), abs(parse_rfc3339_ms(g["ts"]) - T)) < MIN]
        if edge:
            out.append(f"recount: {len(edge)} export requests within a minute of a window edge (ambiguous counts)")
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--only", default="", help="comma-separated kinds (default: all)")
    ap.add_argument("--verify", metavar="TRIAGE_BIN",
                    help="check every written file with `TRIAGE_BIN parse` (times, levels, modules, messages)")
    a = ap.parse_args(argv)
    kinds = [k for k in a.only.split(",") if k] or KINDS
    for k in kinds:
        if k not in GENERATORS:
            ap.error(f"unknown kind {k!r} (kinds: {', '.join(KINDS)})")
    os.makedirs(a.outdir, exist_ok=True)
    failed = False
    for kind in kinds:
        for v in range(VARIANTS):
            name = f"{kind}-s{a.seed}-{'ab'[v]}"
            rng = random.Random(f"triage-scenario:{a.seed}:{kind}:{v}")
            scen, args, expect, notes = GENERATORS[kind](name, rng, v)
            scen.write(a.outdir, args, expect, notes)
            print(f"{name}: {sum(len(f.lines) for f in scen.files)} log records, {len(scen.metrics)} metric rows, "
                  f"{len(scen.changes)} changes", file=sys.stderr)
            if a.verify:
                problems = verify(scen, a.outdir, args, expect, a.verify)
                for p in problems:
                    print(f"  VERIFY {name}: {p}", file=sys.stderr)
                failed = failed or bool(problems)
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
