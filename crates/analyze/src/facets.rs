//! What a record says besides its message: the service, host and module it came from,
//! the HTTP request it describes (endpoint, status, latency), and the attribution items
//! (`field=value` pairs, numbers binned) that spike attribution tests. Field names are
//! recognised generically (access logs, JSON, logfmt), never per data set.

use triage_mine::mask::{Kind, Param};
use triage_parse::Record;

/// Separates field and value inside an item key.
pub const ITEM_SEP: char = '\u{1f}';

/// Most attribution items taken from one record.
pub const MAX_ITEMS_PER_RECORD: usize = 24;

/// Longest field value kept as an item (longer ones are ids or free text).
const MAX_ITEM_VALUE: usize = 64;

pub fn split_item(key: &str) -> (&str, &str) {
    key.split_once(ITEM_SEP).unwrap_or((key, ""))
}

/// The first field (by candidate order) for each thing a record can say about itself,
/// found in one pass over its fields: asking per question costs a scan per candidate
/// name, and every record is asked for its service, host, module and request.
#[derive(Debug, Default, Clone, Copy)]
struct FieldRoles<'a> {
    service: Pick<'a>,
    host: Pick<'a>,
    module: Pick<'a>,
    path: Pick<'a>,
    status: Pick<'a>,
    method: Pick<'a>,
    request: Pick<'a>,
}

/// The best candidate so far: a lower rank wins, and the first of equal ranks.
#[derive(Debug, Default, Clone, Copy)]
struct Pick<'a>(Option<(u8, &'a str)>);

impl<'a> Pick<'a> {
    #[inline]
    fn offer(&mut self, rank: u8, value: &'a str) {
        if self.0.is_none_or(|(r, _)| rank < r) {
            self.0 = Some((rank, value));
        }
    }
    /// Offers non-empty values up to `max` bytes only.
    #[inline]
    fn offer_short(&mut self, rank: u8, value: &'a str, max: usize) {
        if !value.is_empty() && value.len() <= max {
            self.offer(rank, value);
        }
    }
    fn get(self) -> Option<&'a str> {
        self.0.map(|(_, v)| v)
    }
}

impl<'a> FieldRoles<'a> {
    fn of(rec: &'a Record) -> FieldRoles<'a> {
        let mut r = FieldRoles::default();
        for (name, value) in &rec.fields {
            let v = value.as_str();
            let name: &str = name.as_ref();
            // Most fields are none of these: skip the comparisons by length and first byte.
            if name.len() > 25 || !ROLE_INITIALS[name.as_bytes().first().copied().unwrap_or(0) as usize] {
                continue;
            }
            match name {
                // Heroku's router writes `service=12ms` (time spent in the app): a
                // measure names no service.
                "service" if !is_measure(v) => r.service.offer_short(0, v, 100),
                "service.name" => r.service.offer_short(1, v, 100),
                "app" if !is_measure(v) => r.service.offer_short(2, v, 100),
                "application" => r.service.offer_short(3, v, 100),
                "container" => r.service.offer_short(4, v, 100),
                "container_name" => r.service.offer_short(5, v, 100),
                "pod" => r.service.offer_short(6, v, 100),
                "pod_name" => r.service.offer_short(7, v, 100),
                "kubernetes.pod_name" => r.service.offer_short(8, v, 100),
                "kubernetes.container_name" => r.service.offer_short(9, v, 100),
                "host" => r.host.offer_short(0, v, 100),
                "hostname" => r.host.offer_short(1, v, 100),
                "host.name" => r.host.offer_short(2, v, 100),
                "instance" => r.host.offer_short(3, v, 100),
                "node" => r.host.offer_short(4, v, 100),
                "nodename" => r.host.offer_short(5, v, 100),
                "logger" => r.module.offer_short(0, v, 200),
                "logger_name" => r.module.offer_short(1, v, 200),
                "log.logger" => r.module.offer_short(2, v, 200),
                "module" => r.module.offer_short(3, v, 200),
                "component" => r.module.offer_short(4, v, 200),
                "class" => r.module.offer_short(5, v, 200),
                "file" => r.module.offer_short(6, v, 200),
                "caller" => r.module.offer_short(7, v, 200),
                "path" => r.path.offer(0, v),
                "uri" => r.path.offer(1, v),
                "url" => r.path.offer(2, v),
                "endpoint" => r.path.offer(3, v),
                "route" => r.path.offer(4, v),
                "request_path" => r.path.offer(5, v),
                "http.path" => r.path.offer(6, v),
                "http.url" => r.path.offer(7, v),
                "url.path" => r.path.offer(8, v),
                "request_uri" => r.path.offer(9, v),
                // Caddy's JSON access log nests the request.
                "request.uri" => r.path.offer(10, v),
                "status" => r.status.offer(0, v),
                "status_code" => r.status.offer(1, v),
                "http_status" => r.status.offer(2, v),
                "http.status_code" => r.status.offer(3, v),
                "response_code" => r.status.offer(4, v),
                "http.response.status_code" => r.status.offer(5, v),
                "method" => r.method.offer(0, v),
                "http_method" => r.method.offer(1, v),
                "http.method" => r.method.offer(2, v),
                "verb" => r.method.offer(3, v),
                "http.request.method" => r.method.offer(4, v),
                "request.method" => r.method.offer(5, v),
                "request" => r.request.offer(0, v),
                _ => {}
            }
        }
        r
    }
}

/// A number with at most a time or size unit (`12ms`, `0.5`, `30s`, `4kb`): a measure,
/// not a name (`2fa` is a name).
fn is_measure(v: &str) -> bool {
    const UNITS: [&str; 12] = ["", "ns", "us", "ms", "s", "m", "h", "b", "k", "kb", "mb", "gb"];
    // Runs for every record with a `service` field: a name (no leading digit) costs one
    // byte test, and nothing allocates.
    let digits = v.bytes().take_while(|b| b.is_ascii_digit() || *b == b'.').count();
    digits > 0 && UNITS.iter().any(|u| v[digits..].eq_ignore_ascii_case(u))
}

/// First bytes of the field names [`FieldRoles::of`] recognises.
static ROLE_INITIALS: [bool; 256] = {
    let mut t = [false; 256];
    let initials = b"sacpkhinlmfuerv";
    let mut i = 0;
    while i < initials.len() {
        t[initials[i] as usize] = true;
        i += 1;
    }
    t
};

/// What a record says about where it came from and what it served.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordFacets<'a> {
    pub service: &'a str,
    pub host: Option<&'a str>,
    pub module: Option<&'a str>,
    pub request: Option<Request>,
}

/// The facets of a record; `file_service` is the service its file name gives
/// ([`service_of_file`]), used when the record names none.
pub fn facets_of<'a>(rec: &'a Record, file_service: &'a str) -> RecordFacets<'a> {
    let roles = FieldRoles::of(rec);
    // Its own `service` (header or field), a service-like field, a pod name reduced to
    // its workload, or the log file's name.
    let service = match rec.service.as_deref().filter(|s| !s.is_empty()).or(roles.service.get()) {
        Some(s) => workload_of(s),
        None => file_service,
    };
    RecordFacets {
        service,
        host: rec.host.as_deref().filter(|h| !h.is_empty()).or(roles.host.get()),
        module: rec.module.as_deref().filter(|m| !m.is_empty()).or(roles.module.get()),
        request: if rec.fields.len() < 2 {
            None
        } else {
            request_from(rec, &roles)
        },
    }
}

/// `order-service-5b67c48447-fj8b7` → `order-service` (Deployment pods carry a
/// ReplicaSet hash and a 5-character suffix; StatefulSet pods an ordinal, kept).
pub fn workload_of(name: &str) -> &str {
    // Checked without allocating: this runs for every record.
    let Some(i) = name.rfind('-') else { return name };
    let (rest, suffix) = (&name[..i], &name[i + 1..]);
    let Some(j) = rest.rfind('-') else { return name };
    let (base, hash) = (&rest[..j], &rest[j + 1..]);
    let is_suffix = suffix.len() == 5 && suffix.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    let is_hash = (6..=10).contains(&hash.len())
        && hash.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        && hash.bytes().any(|b| b.is_ascii_digit());
    if is_suffix && is_hash && !base.is_empty() {
        base
    } else {
        name
    }
}

/// The service a log file speaks for, from its name: `payment-access.log.1.gz` →
/// `payment`; generic names (`app.log`, `access.log`) take the folder's name.
pub fn service_of_file(path: &str) -> String {
    // Names that say what a log holds or where it runs, not whose it is: Rails writes
    // `log/production.log`, winston `combined.log`, many apps `logs/info.log`.
    const GENERIC: [&str; 24] = [
        "app",
        "application",
        "access",
        "error",
        "server",
        "output",
        "service",
        "main",
        "log",
        "logs",
        "messages",
        "syslog",
        "stdout",
        "current",
        "production",
        "development",
        "staging",
        "combined",
        "console",
        "debug",
        "info",
        "warn",
        "warning",
        "trace",
    ];
    const ROLE_SUFFIXES: [&str; 9] = [
        "access", "error", "app", "debug", "info", "stdout", "stderr", "out", "err",
    ];
    let p = std::path::Path::new(path);
    let file = p.file_name().and_then(|f| f.to_str()).unwrap_or(path);
    // A pod's log speaks for its workload: `order-svc-5b67c48447-fj8b7.log`, and the
    // kubelet's `/var/log/containers/<pod>_<namespace>_<container>-<id>.log`, are
    // `order-svc` (each pod was a service of its own, so callers and callee were never
    // matched by name).
    let base = file.split('.').next().unwrap_or(file);
    let kubelet = |b: &str| -> Option<usize> {
        let mut parts = b.split('_');
        let (pod, _namespace, container) = (parts.next()?, parts.next()?, parts.next()?);
        let (_, id) = container.rsplit_once('-')?;
        (parts.next().is_none() && id.len() >= 12 && id.bytes().all(|c| c.is_ascii_hexdigit())).then_some(pod.len())
    };
    let base = kubelet(base).map_or(base, |n| &base[..n]);
    let mut stem = workload_of(base).to_string();
    for role in ROLE_SUFFIXES {
        for sep in ['-', '_'] {
            let suffix = format!("{sep}{role}");
            if stem.len() > suffix.len() && stem.ends_with(&suffix) {
                stem.truncate(stem.len() - suffix.len());
            }
        }
    }
    let generic = |name: &str| GENERIC.contains(&name.to_ascii_lowercase().as_str());
    if stem.is_empty() || generic(&stem) {
        // The folder's name; past a log folder (`shop/log/production.log`), its parent's.
        let folders = folder_names(p);
        let named = match folders.as_slice() {
            [first, ..] if !generic(first) => Some(first),
            [first, second, ..]
                if LOG_FOLDERS.contains(&first.as_str())
                    && !generic(second)
                    && !SYSTEM_FOLDERS.contains(&second.as_str()) =>
            {
                Some(second)
            }
            _ => None,
        };
        if let Some(name) = named {
            return name.clone();
        }
        return if stem.is_empty() { "app".into() } else { stem };
    }
    stem
}

/// Folders that hold an app's logs, named for that: their parent names the app.
const LOG_FOLDERS: [&str; 3] = ["log", "logs", "Logs"];

/// Folders of the file system's own layout (`/var/log`): never an app's name.
const SYSTEM_FOLDERS: [&str; 10] = [
    "var", "tmp", "home", "root", "srv", "opt", "usr", "mnt", "data", "private",
];

/// The names of the folders holding `path`, nearest first (up to two), the same however
/// the path was typed: `app.log`, `./app.log` and `/srv/checkout/app.log` run from
/// `/srv/checkout` all give `checkout` first (a relative path without a folder was named
/// by its file alone, so the same logs got another service, and other problems, when
/// given by absolute path). Standard input (`-`) has no folder.
fn folder_names(path: &std::path::Path) -> Vec<String> {
    folder_names_from(path, || std::env::current_dir().ok())
}

/// [`folder_names`] with the working folder given (tests cannot change the process's).
fn folder_names_from(path: &std::path::Path, cwd: impl FnOnce() -> Option<std::path::PathBuf>) -> Vec<String> {
    use std::path::Component;
    // Names of the folders, nearest first, up to a `..`, `.` or the root.
    let names = |dir: &std::path::Path| -> Vec<String> {
        dir.components()
            .rev()
            .map_while(|c| match c {
                Component::Normal(n) => n.to_str().map(str::to_string),
                _ => None,
            })
            .take(2)
            .collect()
    };
    let Some(parent) = path.parent() else { return Vec::new() };
    let lexical = names(parent);
    if lexical.len() == 2 || path.as_os_str() == "-" {
        return lexical;
    }
    // `app.log`, `./app.log`, `../app.log`, `log/production.log`: the folders as the
    // absolute path names them (`..` resolved through the file system).
    let Some(absolute) = cwd().map(|d| d.join(parent)) else {
        return lexical;
    };
    if absolute
        .components()
        .any(|c| matches!(c, Component::ParentDir | Component::CurDir))
    {
        if let Ok(resolved) = std::fs::canonicalize(&absolute) {
            return names(&resolved);
        }
    }
    let found = names(&absolute);
    if found.len() > lexical.len() {
        found
    } else {
        lexical
    }
}

/// An HTTP request a record describes (access logs; JSON request logs).
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// `GET /api/orders/{id}`.
    pub endpoint: String,
    pub status: u16,
    pub latency_ms: Option<f64>,
}

impl Request {
    /// A failed request from the user's side: server errors, time-outs, throttling and
    /// requests the client gave up on (nginx 499).
    pub fn failed(&self) -> bool {
        self.status >= 500 || matches!(self.status, 408 | 429 | 499)
    }
}

fn request_from(rec: &Record, roles: &FieldRoles<'_>) -> Option<Request> {
    let request_line = roles.request.get();
    let raw_path = roles
        .path
        .get()
        .or_else(|| request_line.and_then(|r| r.split_whitespace().nth(1)))?;
    let status: u16 = roles
        .status
        .get()
        .and_then(|s| s.trim().parse().ok())
        .filter(|s| (100..600).contains(s))?;
    let method = roles
        .method
        .get()
        .or_else(|| request_line.and_then(|r| r.split_whitespace().next()))
        .unwrap_or("");
    let latency_ms = latency_of(rec);
    let path = normalise_path(raw_path);
    let endpoint = if method.is_empty() {
        path
    } else {
        format!("{} {}", method.to_ascii_uppercase(), path)
    };
    Some(Request {
        endpoint,
        status,
        latency_ms,
    })
}

fn latency_of(rec: &Record) -> Option<f64> {
    for (name, value) in &rec.fields {
        let n = name.to_ascii_lowercase();
        let base = n
            .trim_end_matches("_ms")
            .trim_end_matches("_millis")
            .trim_end_matches("_s")
            .trim_end_matches("_sec")
            .trim_end_matches("_seconds");
        if !matches!(
            base,
            "request_time"
                | "duration"
                | "latency"
                | "elapsed"
                | "response_time"
                | "took"
                | "rt"
                | "time_taken"
                | "upstream_response_time"
        ) || n.starts_with("upstream")
        {
            continue;
        }
        let v = value.trim();
        let (num, unit) = split_unit(v);
        let Ok(x) = num.parse::<f64>() else { continue };
        let ms = match unit {
            "ms" => x,
            "s" => x * 1000.0,
            "us" | "µs" => x / 1000.0,
            "" if n.ends_with("_ms") || n.ends_with("_millis") => x,
            "" if n.ends_with("_s") || n.ends_with("_sec") || n.ends_with("_seconds") => x * 1000.0,
            // A bare fractional number is seconds (nginx `$request_time`), an integer ms.
            "" if num.contains('.') => x * 1000.0,
            "" => x,
            _ => continue,
        };
        return Some(ms);
    }
    None
}

fn split_unit(v: &str) -> (&str, &str) {
    let end = v
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == 'e' || c == '+'))
        .unwrap_or(v.len());
    (&v[..end], v[end..].trim())
}

/// Strips the query and replaces id-like path segments, so `/orders/123` and
/// `/orders/456` are one endpoint.
pub fn normalise_path(raw: &str) -> String {
    let mut path = raw;
    if let Some(i) = path.find("://") {
        path = path[i + 3..].find('/').map_or("/", |j| &path[i + 3 + j..]);
    }
    let path = path.split(['?', '#']).next().unwrap_or("");
    let mut out = String::with_capacity(path.len());
    for (i, seg) in path.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        out.push_str(segment_shape(seg));
    }
    if out.is_empty() {
        out.push('/');
    }
    out
}

fn segment_shape(seg: &str) -> &str {
    if seg.is_empty() {
        return seg;
    }
    let digits = seg.bytes().filter(u8::is_ascii_digit).count();
    if digits == seg.len() {
        return "{id}";
    }
    if seg.len() == 36 && seg.bytes().filter(|&b| b == b'-').count() == 4 {
        return "{uuid}";
    }
    if seg.len() >= 16 && seg.bytes().all(|b| b.is_ascii_hexdigit()) {
        return "{hex}";
    }
    if seg.len() >= 10
        && digits * 3 >= seg.len()
        && seg.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return "{id}";
    }
    seg
}

/// Field names that never explain a spike (time, text, per-request ids, positions).
fn is_noise_field(name: &str) -> bool {
    let name = name.as_bytes();
    let last = name.iter().rposition(|&c| c == b'.').map_or(name, |i| &name[i + 1..]);
    // Lower-cased on the stack and compared as bytes: this runs for every field of
    // every record.
    let mut buf = [0u8; 32];
    if last.len() > buf.len() {
        return true;
    }
    let last = &mut buf[..last.len()];
    last.copy_from_slice(&name[name.len() - last.len()..]);
    last.make_ascii_lowercase();
    let last: &[u8] = last;
    matches!(
        last,
        b"ts"
            | b"time"
            | b"timestamp"
            | b"@timestamp"
            | b"date"
            | b"message"
            | b"msg"
            | b"level"
            | b"severity"
            | b"line"
            | b"lineno"
            | b"pid"
            | b"tid"
            | b"thread"
            | b"thread_name"
            | b"caller"
            | b"logger"
            | b"logger_name"
            | b"module"
            | b"file"
            | b"class"
            | b"function"
            | b"func"
            | b"bytes"
            | b"size"
            | b"referer"
            | b"referrer"
            | b"user_agent"
            | b"useragent"
            | b"protocol"
            | b"path"
            | b"uri"
            | b"url"
            | b"request"
            | b"method"
            | b"hostname"
            | b"host"
            | b"status"
            | b"status_code"
            | b"stack"
            | b"stacktrace"
            | b"exception"
            | b"stack_trace"
            | b"seq"
            | b"offset"
            | b"traceid"
            | b"spanid"
            | b"requestid"
    ) || last.ends_with(b"trace_id")
        || last.ends_with(b"span_id")
        || last.ends_with(b"request_id")
        || last.ends_with(b"_ms")
        || last.starts_with(b"extra")
        || last.starts_with(b"col")
}

/// A status code as text without allocating per record.
fn itoa_status(status: u16) -> StatusText {
    let mut b = [b'0'; 3];
    let mut v = status.min(999);
    for i in (0..3).rev() {
        b[i] = b'0' + (v % 10) as u8;
        v /= 10;
    }
    StatusText(b)
}

struct StatusText([u8; 3]);

impl StatusText {
    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("000")
    }
}

/// A year (`2020`) when `v` starts with a plausible date.
fn year_of(v: &str) -> Option<u32> {
    let b = v.as_bytes();
    if b.len() >= 7 && b[..4].iter().all(u8::is_ascii_digit) && (b[4] == b'-' || b[4] == b'/') && b[5].is_ascii_digit()
    {
        let y: u32 = v[..4].parse().ok()?;
        return (1970..2100).contains(&y).then_some(y);
    }
    None
}

/// Days since 1970 of a date-like value.
fn day_of(v: &str) -> Option<i64> {
    let b = v.as_bytes();
    if b.len() < 10 || year_of(v).is_none() || !(b[7] == b'-' || b[7] == b'/') {
        return None;
    }
    let y: i64 = v[..4].parse().ok()?;
    let m: u32 = v[5..7].parse().ok()?;
    let d: u32 = v[8..10].parse().ok()?;
    ((1..=12).contains(&m) && (1..=31).contains(&d)).then(|| triage_parse::timestamp::days_from_civil(y, m, d))
}

/// Decimal text on the stack (items are built for every record: no allocation).
pub struct NumText {
    bytes: [u8; 48],
    len: usize,
}

impl Default for NumText {
    fn default() -> Self {
        NumText { bytes: [0; 48], len: 0 }
    }
}

impl NumText {
    fn clear(&mut self) {
        self.len = 0;
    }
    fn push_u64(&mut self, v: u64) {
        let mut digits = [0u8; 20];
        self.push_bytes(triage_parse::record::decimal(v, 1, &mut digits));
    }
    fn push_bytes(&mut self, b: &[u8]) {
        let n = b.len().min(self.bytes.len() - self.len);
        self.bytes[self.len..self.len + n].copy_from_slice(&b[..n]);
        self.len += n;
    }
    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.bytes[..self.len]).unwrap_or("")
    }
}

/// A decimal number: plain integers without the float parser (most values are), text
/// that cannot start a number without trying it.
fn number_of(v: &str) -> Option<f64> {
    let b = v.as_bytes();
    if !b.is_empty() && b.len() <= 15 && b.iter().all(u8::is_ascii_digit) {
        return Some(b.iter().fold(0u64, |n, &d| n * 10 + u64::from(d - b'0')) as f64);
    }
    match b.first() {
        Some(c) if c.is_ascii_digit() || matches!(c, b'-' | b'+' | b'.') => v.parse().ok(),
        _ => None,
    }
}

/// Numbers are binned by powers of two so that a 10 000-id list and a 9 000-id list
/// fall together while 10 and 10 000 do not.
fn log2_bin_into(x: f64, out: &mut NumText) -> &str {
    out.clear();
    if x < 16.0 {
        out.push_u64(x.max(0.0).floor() as u64);
    } else {
        // 2^k ≤ x < 2^(k+1) holds for x exactly when it holds for ⌊x⌋, so the bin comes
        // from the integer's highest bit (no floating-point log).
        let v = x as u64;
        let lo = 1u64 << (63 - v.leading_zeros());
        out.push_u64(lo);
        out.push_bytes(b"-");
        out.push_u64(lo.checked_mul(2).map_or(u64::MAX, |v| v - 1));
    }
    out.as_str()
}

/// Bins a day count the way people talk about ranges.
fn range_bin(days: i64) -> String {
    let d = days.abs();
    match d {
        0..=1 => format!("{d}d"),
        2..=7 => "2-7d".into(),
        8..=31 => "8-31d".into(),
        32..=92 => "32-92d".into(),
        93..=366 => "93-366d".into(),
        _ => ">1y".into(),
    }
}

/// Pushes the attribution items of a record: request facts, short field values,
/// binned query parameters and binned message parameters.
/// Hands each item to `emit(field, value)`; at most [`MAX_ITEMS_PER_RECORD`].
pub fn items_of(
    rec: &Record,
    request: Option<&Request>,
    text: &str,
    params: &[Param],
    emit: &mut dyn FnMut(&str, &str),
) {
    let mut n = 0usize;
    let mut out = |field: &str, value: &str| {
        if n < MAX_ITEMS_PER_RECORD {
            n += 1;
            emit(field, value);
        }
    };
    if let Some(r) = request {
        out("endpoint", &r.endpoint);
        out("status", itoa_status(r.status).as_str());
    }
    let mut dates: Vec<i64> = Vec::new();
    let mut num = NumText::default();
    for (name, value) in &rec.fields {
        if is_noise_field(name) || value.is_empty() || value.len() > MAX_ITEM_VALUE {
            continue;
        }
        if let Some(y) = year_of(value) {
            out(&format!("{name}.year"), &y.to_string());
            if let Some(d) = day_of(value) {
                dates.push(d);
            }
            continue;
        }
        match number_of(value) {
            Some(x) if x.is_finite() && value.len() > 2 => out(name, log2_bin_into(x, &mut num)),
            _ => out(name, value),
        }
    }
    if dates.len() >= 2 {
        let (lo, hi) = dates
            .iter()
            .fold((i64::MAX, i64::MIN), |(lo, hi), d| (lo.min(*d), hi.max(*d)));
        out("range_days", &range_bin(hi - lo));
    }
    // Message parameters: keyed values (`range=30d`, `start=2020-06-01`), the year of
    // embedded timestamps, list sizes.
    let mut msg_days: Vec<i64> = Vec::new();
    // Every address in the message, keyed or not, is also one `ip` item: a client that
    // floods (a scanner, a brute force) shows in many templates, only some with a key.
    let mut ips: [&str; 2] = [""; 2];
    for p in params {
        let value = text.get(p.start as usize..p.end as usize).unwrap_or("");
        if p.kind == Kind::Ip {
            let host = host_of_address(value);
            if !host.is_empty() && host.len() <= MAX_ITEM_VALUE && !ips.contains(&host) {
                if let Some(slot) = ips.iter_mut().find(|s| s.is_empty()) {
                    *slot = host;
                    out("ip", host);
                }
            }
        }
        // Only some kinds are named by their key; finding it is not free.
        let key = match p.kind {
            Kind::Ts
            | Kind::Num
            | Kind::Duration
            | Kind::Size
            | Kind::Bool
            | Kind::Var
            | Kind::Custom(_)
            | Kind::Ip
            | Kind::Email
            | Kind::Path => key_before(text, p.start as usize),
            _ => None,
        };
        match p.kind {
            Kind::Ts => {
                if let Some(y) = year_of(value) {
                    out(&format!("{}.year", key.unwrap_or("ts")), &y.to_string());
                }
                if let Some(d) = day_of(value) {
                    msg_days.push(d);
                }
            }
            Kind::List => out("list_size", log2_bin_into(p.items as f64, &mut num)),
            Kind::Num => {
                if let (Some(k), Some(x)) = (key, number_of(value)) {
                    out(k, log2_bin_into(x, &mut num));
                }
            }
            Kind::Duration | Kind::Size | Kind::Bool | Kind::Var | Kind::Custom(_) => {
                if let Some(k) = key {
                    if value.len() <= MAX_ITEM_VALUE {
                        out(k, value);
                    }
                }
            }
            Kind::Ip | Kind::Email | Kind::Path => {
                if let Some(k) = key {
                    if value.len() <= MAX_ITEM_VALUE {
                        out(k, value);
                    }
                }
            }
            _ => {}
        }
    }
    if msg_days.len() >= 2 {
        let (lo, hi) = msg_days
            .iter()
            .fold((i64::MAX, i64::MIN), |(lo, hi), d| (lo.min(*d), hi.max(*d)));
        out("range_days", &range_bin(hi - lo));
    }
    // Keyed words in the message (`tenant=acme`, `state=FAILED`): the masker leaves a
    // word without digits as text, so it is no parameter, yet it names what a spike is
    // about as a field would.
    let mut words = 0;
    for eq in text.bytes().enumerate().filter(|(_, b)| *b == b'=').map(|(i, _)| i) {
        if words == MAX_MESSAGE_WORDS {
            break;
        }
        let Some(value) = keyed_word(text, eq + 1) else {
            continue;
        };
        let (from, to) = (eq + 1, eq + 1 + value.len() + 2);
        if params
            .iter()
            .any(|p| (p.start as usize) < to && (p.end as usize) > from)
        {
            continue;
        }
        if let Some(key) = key_before(text, eq + 1).filter(|k| k.len() <= 32 && !is_noise_field(k)) {
            out(key, value);
            words += 1;
        }
    }
}

/// Most keyed message words taken as items from one record.
const MAX_MESSAGE_WORDS: usize = 4;

/// The word right after `at` (a `key=` end), optionally quoted: 2 to 32 letters, `-`,
/// `_` or `.`, no digit (a value with digits is a masked parameter already) and not a
/// mark (`<*>`).
fn keyed_word(text: &str, at: usize) -> Option<&str> {
    let rest = text.get(at..)?;
    let quote = rest.chars().next().filter(|c| matches!(c, '"' | '\''));
    let body = match quote {
        Some(q) => rest[1..].split(q).next()?,
        None => rest
            .split(|c: char| c.is_whitespace() || ",;&)]}>|".contains(c))
            .next()?,
    };
    let ok = (2..=32).contains(&body.chars().count())
        && body.chars().all(|c| c.is_alphabetic() || matches!(c, '-' | '_' | '.'))
        && body.chars().next().is_some_and(char::is_alphabetic);
    ok.then_some(body)
}

/// An address without its port (`10.0.0.7:443` → `10.0.0.7`, `[::1]:80` → `::1`).
fn host_of_address(v: &str) -> &str {
    if let Some(rest) = v.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    match v.rfind(':') {
        // IPv4 with a port: one colon.
        Some(i) if v.matches(':').count() == 1 => &v[..i],
        _ => v,
    }
}

/// The key a value is attached to: `start=<v>`, `user: <v>`, `"start":"<v>"`.
fn key_before(text: &str, at: usize) -> Option<&str> {
    let b = text.as_bytes();
    let mut e = at.min(b.len());
    let unquote = |mut e: usize| {
        while e > 0 && matches!(b[e - 1], b'"' | b'\'') {
            e -= 1;
        }
        e
    };
    e = unquote(e);
    e = if e >= 1 && b[e - 1] == b'=' {
        e - 1
    } else if e >= 2 && &b[e - 2..e] == b": " {
        e - 2
    } else if e >= 1 && b[e - 1] == b':' {
        e - 1
    } else {
        return None;
    };
    e = unquote(e);
    // Back over the key's bytes; non-ASCII bytes are whole characters judged below.
    let mut s = e;
    while s > 0 && (b[s - 1].is_ascii_alphanumeric() || matches!(b[s - 1], b'_' | b'.' | b'-') || b[s - 1] >= 0x80) {
        s -= 1;
    }
    let mut key = text.get(s..e)?;
    if !key.is_ascii() {
        // A non-alphanumeric character ends the key, as in ASCII.
        let cut = key
            .rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.' || c == '-'))
            .map_or(0, |i| i + key[i..].chars().next().map_or(1, char::len_utf8));
        key = &key[cut..];
    }
    (!key.is_empty() && key.len() <= 40 && key.chars().next().is_some_and(char::is_alphabetic)).then_some(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pods_map_to_workloads() {
        assert_eq!(workload_of("ts-order-service-5b67c48447-fj8b7"), "ts-order-service");
        assert_eq!(workload_of("redis-0"), "redis-0");
        assert_eq!(workload_of("payment-service"), "payment-service");
        assert_eq!(workload_of("web-7d9f8b6c5-x2x9q"), "web");
    }

    #[test]
    fn file_names_give_services() {
        assert_eq!(service_of_file("logs/ts-order-service.log"), "ts-order-service");
        assert_eq!(service_of_file("/var/log/payment-access.log.1.gz"), "payment");
        assert_eq!(service_of_file("/srv/checkout/app.log"), "checkout");
        assert_eq!(service_of_file("/var/log/app.log"), "app");
        assert_eq!(service_of_file("/var/log/syslog"), "syslog");
        assert_eq!(service_of_file("logs/order-svc-5b67c48447-fj8b7.log"), "order-svc");
        assert_eq!(
            service_of_file("/var/log/containers/web-7d9f8b6c5-x2x9q_shop_web-0123456789abcdef.log"),
            "web"
        );
        assert_eq!(service_of_file("/var/log/nginx/shop_access_log.log"), "shop_access_log");
    }

    /// Regression: `app.log` given from its folder was service `app`, and
    /// `/srv/checkout/app.log` service `checkout`.
    #[test]
    fn a_generic_file_name_takes_its_folder_however_the_path_is_typed() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("checkout");
        std::fs::create_dir_all(folder.join("sub")).unwrap();
        assert_eq!(service_of_file(folder.join("app.log").to_str().unwrap()), "checkout");
        let from = |p: &str, cwd: &std::path::Path| {
            folder_names_from(std::path::Path::new(p), || Some(cwd.into()))
                .first()
                .cloned()
        };
        assert_eq!(from("app.log", &folder).as_deref(), Some("checkout"));
        assert_eq!(from("./app.log", &folder).as_deref(), Some("checkout"));
        assert_eq!(from("../app.log", &folder.join("sub")).as_deref(), Some("checkout"));
        assert_eq!(from("-", &folder), None);
        // Past a log folder, its parent names the app: Rails' `log/production.log`,
        // however typed (regression: the service was `production`).
        let rails = folder.join("log");
        std::fs::create_dir_all(&rails).unwrap();
        assert_eq!(
            service_of_file(rails.join("production.log").to_str().unwrap()),
            "checkout"
        );
        let names = |p: &str, cwd: &std::path::Path| folder_names_from(std::path::Path::new(p), || Some(cwd.into()));
        assert_eq!(names("log/production.log", &folder), ["log", "checkout"]);
        assert_eq!(names("production.log", &rails), ["log", "checkout"]);
        assert_eq!(service_of_file("/srv/shop/logs/combined.log"), "shop");
    }

    #[test]
    fn roles_come_from_any_known_field_name() {
        let rec = Record {
            fields: vec![
                ("kubernetes.pod_name".into(), "web-7d9f8b6c5-x2x9q".into()),
                ("nodename".into(), "n1".into()),
                ("verb".into(), "post".into()),
                ("route".into(), "/a/1".into()),
                ("http.response.status_code".into(), "503".into()),
                ("caller".into(), "main.go:12".into()),
            ],
            ..Default::default()
        };
        let f = facets_of(&rec, "file");
        assert_eq!((f.service, f.host, f.module), ("web", Some("n1"), Some("main.go:12")));
        let req = f.request.expect("a request");
        assert_eq!((req.endpoint.as_str(), req.status), ("POST /a/{id}", 503));
        let mut num = NumText::default();
        assert_eq!(log2_bin_into(10_000.0, &mut num), "8192-16383");
        assert_eq!(log2_bin_into(16.0, &mut num), "16-31");
        assert_eq!(
            log2_bin_into(1e30, &mut num),
            "9223372036854775808-18446744073709551615"
        );
    }

    #[test]
    fn paths_are_normalised() {
        assert_eq!(normalise_path("/api/orders/12345?x=1"), "/api/orders/{id}");
        assert_eq!(
            normalise_path("https://h:8080/a/3fa85f64-5717-4562-b3fc-2c963f66afa6/b"),
            "/a/{uuid}/b"
        );
        assert_eq!(normalise_path("/api/alarm/export"), "/api/alarm/export");
    }

    /// Regressions from the formats sweep: Heroku's router `service=12ms` became the
    /// service ("80ms: error volume…"), and Caddy's nested `request.uri` / `request.method`
    /// were not read, so no endpoint and no request.
    #[test]
    fn a_measure_names_no_service_and_nested_requests_are_read() {
        let rec = Record {
            fields: vec![("service".into(), "12ms".into()), ("status".into(), "503".into())],
            ..Default::default()
        };
        assert_eq!(facets_of(&rec, "router").service, "router");
        for name in ["orders", "orders-2", "s3proxy", "web.1", "2fa"] {
            let rec = Record {
                fields: vec![("service".into(), name.into()), ("x".into(), "y".into())],
                ..Default::default()
            };
            assert_eq!(facets_of(&rec, "file").service, name);
        }
        let rec = Record {
            fields: vec![
                ("request.method".into(), "GET".into()),
                ("request.uri".into(), "/api/orders/7".into()),
                ("status".into(), "502".into()),
            ],
            ..Default::default()
        };
        let req = facets_of(&rec, "caddy").request.expect("a request");
        assert!(req.endpoint.starts_with("GET /api/orders"), "{}", req.endpoint);
        assert!(req.failed());
    }

    #[test]
    fn items_bin_dates_ranges_and_lists() {
        let rec = Record {
            fields: vec![
                ("method".into(), "GET".into()),
                ("path".into(), "/api/alarm/export".into()),
                ("query.start".into(), "2020-06-01".into()),
                ("query.end".into(), "2025-12-01".into()),
                ("user".into(), "ops7".into()),
                ("status".into(), "504".into()),
                ("request_time_ms".into(), "30000".into()),
            ],
            ..Default::default()
        };
        let req = facets_of(&rec, "app").request.expect("a request");
        assert_eq!(req.endpoint, "GET /api/alarm/export");
        assert_eq!(req.latency_ms, Some(30000.0));
        assert!(req.failed());
        let mut items: Vec<String> = Vec::new();
        let text = "query ids IN (<list>) range=30d occurred=2020-06-03";
        let params = [
            Param {
                kind: Kind::List,
                start: 14,
                end: 20,
                items: 10_000,
                token: 3,
            },
            Param {
                kind: Kind::Duration,
                start: 28,
                end: 31,
                items: 0,
                token: 4,
            },
            Param {
                kind: Kind::Ts,
                start: 41,
                end: 51,
                items: 0,
                token: 5,
            },
        ];
        items_of(&rec, Some(&req), text, &params, &mut |f, v| {
            items.push(format!("{f}={v}"))
        });
        for want in [
            "endpoint=GET /api/alarm/export",
            "query.start.year=2020",
            "range_days=>1y",
            "user=ops7",
            "list_size=8192-16383",
            "range=30d",
            "occurred.year=2020",
        ] {
            assert!(items.iter().any(|i| i == want), "{want} missing from {items:?}");
        }
        assert!(!items.iter().any(|i| i.starts_with("request_time_ms")), "{items:?}");
    }
    /// Keyed words of the message become items (regression: `tenant=acme` in a message
    /// was no attribution item, so a spike of one tenant's errors did not name it);
    /// parameters, marks, words with digits and one-letter words do not.
    #[test]
    fn keyed_words_in_the_message_are_items() {
        let rec = Record::default();
        let text = "payment failed tenant=acme gateway=\"stripe\" order=964095 user=<*> code=E42 x=a state=[RUNNING]";
        let params = [Param {
            kind: Kind::Num,
            start: 50,
            end: 56,
            items: 0,
            token: 5,
        }];
        let mut items: Vec<String> = Vec::new();
        items_of(&rec, None, text, &params, &mut |f, v| items.push(format!("{f}={v}")));
        assert_eq!(items, ["order=524288-1048575", "tenant=acme", "gateway=stripe"]);
    }
}
