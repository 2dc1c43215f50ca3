//! JSON lines: one JSON object per line, as written by structured loggers.
//!
//! ```text
//! {"@timestamp":"2024-01-01T10:00:00.123Z","log":{"level":"ERROR","logger":"c.a.Billing"},"message":"charge failed","user":{"id":42}}
//! {"t":{"$date":"2026-12-07T09:25:00.058+00:00"},"s":"E","c":"STORAGE","id":22435,"ctx":"conn9","msg":"WiredTiger error"}
//! ```
//!
//! The object is flattened (`user.id`) and well-known keys are lifted into the record
//! header. Each role has a set of keys ranked by priority; the best-ranked key whose value
//! passes the role's value check wins, and the others stay in `fields`:
//!
//! * time: `@timestamp` `timestamp` `time` `ts` `t` `datetime` `date` `asctime` `eventTime`
//!   `@t` `timeMillis` `__REALTIME_TIMESTAMP` `written_at` `date_time` `timeUnixNano` …;
//!   MongoDB's `t.$date` (any `X.$date`, also `{"$numberLong":"…"}` epoch ms); split
//!   seconds and nanoseconds (Google's `timestamp.seconds`/`.nanos` and
//!   `timestampSeconds`/`Nanos`, log4j2's `instant.epochSecond`/`.nanoOfSecond`)
//! * level: `level` `log.level` `severity` `lvl` `levelname` `loglevel` `log_level` `@l`
//!   `level_name` `severityText` `error_severity` `PRIORITY` `severityNumber`
//! * message: `message` `msg` `event` `log` `text` `@m` `@mt` `textPayload`
//!   `short_message` `body`
//! * module: `logger` `logger_name` `log.logger` `loggerName` `logger.name` `SourceContext`
//!   `module` `module_path` `component` `target` `channel` `category` `caller` and source
//!   file keys (`log.origin.file.name`, Google's `sourceLocation.file`, slog's `source.file`)
//! * host: `host` `hostname` `host.name` `host.hostname` `source_host`
//! * service: `service` `service.name` `app` `application` `name` `serviceName`
//!   `SYSLOG_IDENTIFIER` `programname` `appname` `systemd_unit` `kubernetes.container_name`
//!
//! Keys are matched exactly, then case-insensitively (`Message`, `LogLevel`), then without
//! leading `@`/`_` (hclog's `@level`, journald's `_HOSTNAME`, GELF's `_logger_name`),
//! then inside a known envelope (`jsonPayload.message`, `_source.@timestamp`,
//! `fields.message`), each step at a lower rank. Last come short or generic keys that
//! count only with a value of the role's exact shape: `s` (MongoDB; a level letter or word,
//! `D1`–`D5`), `c` (MongoDB's component: an upper-case word), `ctx` (renamed `thread`),
//! and HTTP status keys (`status`, `status_code`, …: a 1xx–5xx code gives INFO/WARN/ERROR
//! as for access logs, `status: "error"` a level word). These are JSON-only; logfmt and
//! CSV use [`key_role`].
//!
//! Values: strings through [`timestamp::parse_text`] (which also reads digit strings as
//! Unix times: journald's microseconds, `$numberLong`), numbers by the magnitude rules of
//! [`timestamp::from_epoch_number`] (pino's milliseconds, zap's float seconds), read from
//! the decimal text so no nanoseconds are lost; a number too short to be a Unix time
//! (`"t": 12`) is no time rather than an impossible one. Levels through [`Level::parse_loose`] plus `eror`/`dbug` (log15), `LOG`
//! (PostgreSQL), `NOTE` (MySQL), `D1`/`DEBUG5`; a number 0–7 is a syslog severity (GELF,
//! journald), others Bunyan/pino (10–60); `severityNumber` is OpenTelemetry's 1–24.
//! Google's `DEFAULT` severity is no level; Heroku's `at` is a level key (a value that is
//! no level word, such as a time, leaves it a field). An HTTP status that gave the level
//! stays a field (`status`: what a 5xx burst is attributed to). A record without a message
//! key that describes an HTTP request (a method and a path, or a request line, and a
//! status) gets the message an access log line has: `GET /x 503`. A Serilog CLEF record
//! (`@t`) without `@l` is Information. A candidate value that does not parse (a `time` holding `"12ms"`, a
//! `service` holding `"18ms"`) stays in `fields` and the next key is tried. A `:<digits>`
//! suffix is cut from the module (`caller: "pkg/file.go:42"`).
//!
//! Limits:
//! * Every line starting with `{` is a record head. One that is not valid JSON (a
//!   pretty-printed object's first line, a line cut by the reader's line cap) keeps the
//!   raw line as its message plus a `parse_error` field; header values found in the
//!   valid prefix (typically the timestamp and level) are still used.
//! * Arrays are kept as compact JSON text under their key; `null` values are dropped.
//! * A record with no message key has an empty message (everything is in `fields`).

use std::borrow::Cow;
use std::sync::Arc;

use serde::de::{DeserializeSeed, MapAccess, SeqAccess, Visitor};

use crate::formats::{specificity, Candidate, LineParser};
use crate::timestamp::{self, TextTime, TimeContext};
use crate::{Level, Record};

/// What a well-known key means for the record header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Ts = 0,
    Level = 1,
    Msg = 2,
    Module = 3,
    Host = 4,
    Service = 5,
    /// A thread-like context (MongoDB's `ctx`): kept as a field, renamed `thread`.
    Thread = 6,
}

const ROLES: usize = 7;

/// Rank added to a key matched case-insensitively.
const RANK_CASE: u8 = 32;
/// Rank added to a key matched without its leading `@`/`_`.
const RANK_BARE: u8 = 64;
/// Rank added to a key inside an envelope object (`jsonPayload.message`).
const RANK_ENVELOPE: u8 = 128;
/// Ranks from here on are weak keys: short or generic names that count only when the
/// value has the role's exact shape (see [`level_value`], [`weak_module`]).
const RANK_WEAK: u8 = 200;
/// Weak level key holding a level letter or word (MongoDB's `s`).
const WEAK_LEVEL_LETTER: u8 = RANK_WEAK;
/// Weak level key holding an HTTP status or a level word (`status`).
const WEAK_LEVEL_STATUS: u8 = RANK_WEAK + 1;
/// Weak level key holding a level word (MySQL's `label`).
const WEAK_LEVEL_WORD: u8 = RANK_WEAK + 2;

/// A JSON object whose record has a time (see [`JsonParser`]): the head of a JSON log
/// record, not a payload printed under a text record.
pub fn object_with_time(line: &str, ctx: &TimeContext) -> bool {
    let mut rec = Record::default();
    JsonParser::new().parse_line(line, ctx, &mut rec) && rec.ts.is_some() && rec.field("parse_error").is_none()
}

/// Role and rank (lower wins) of a key under the conventions shared by the JSON, logfmt
/// and CSV formats: exact spellings first, then case-insensitive, then without leading
/// `@`/`_` (`@level`, `_HOSTNAME`).
pub(crate) fn key_role(key: &str) -> Option<(Role, u8)> {
    if let Some(r) = cased_role(key) {
        return Some(r);
    }
    let bare = key.trim_start_matches(['@', '_']);
    if bare.len() == key.len() || bare.is_empty() {
        return None;
    }
    cased_role(bare).map(|(role, rank)| (role, rank + RANK_BARE))
}

/// [`exact_role`], then case-insensitively at a lower rank.
fn cased_role(key: &str) -> Option<(Role, u8)> {
    if let Some(r) = exact_role(key) {
        return Some(r);
    }
    let b = key.as_bytes();
    if b.len() > 24 || !b.iter().any(u8::is_ascii_uppercase) {
        return None;
    }
    let mut buf = [0u8; 24];
    for (d, s) in buf.iter_mut().zip(b) {
        *d = s.to_ascii_lowercase();
    }
    let lower = std::str::from_utf8(buf.get(..b.len())?).ok()?;
    exact_role(lower).map(|(role, rank)| (role, rank + RANK_CASE))
}

fn exact_role(key: &str) -> Option<(Role, u8)> {
    Some(match key {
        "@timestamp" => (Role::Ts, 1),
        "timestamp" => (Role::Ts, 2),
        "time" => (Role::Ts, 3),
        "ts" => (Role::Ts, 4),
        "t" => (Role::Ts, 5),
        "datetime" => (Role::Ts, 6),
        "date" => (Role::Ts, 7),
        "asctime" => (Role::Ts, 8),
        "eventTime" | "eventtime" => (Role::Ts, 9),
        "@t" => (Role::Ts, 10),
        // log4j2 JsonLayout.
        "timeMillis" | "timemillis" => (Role::Ts, 11),
        // journald JSON export: microseconds as a digit string.
        "__REALTIME_TIMESTAMP" => (Role::Ts, 13),
        // python json-logging.
        "written_at" => (Role::Ts, 14),
        // ClickHouse server JSON logs.
        "date_time" => (Role::Ts, 15),
        // OpenTelemetry log records.
        "timeUnixNano" | "timeunixnano" | "time_unix_nano" => (Role::Ts, 16),
        // nginx `log_format … escape=json`.
        "time_iso8601" => (Role::Ts, 17),
        "time_local" => (Role::Ts, 18),

        "level" => (Role::Level, 1),
        "log.level" => (Role::Level, 2),
        "severity" => (Role::Level, 3),
        "lvl" => (Role::Level, 4),
        "levelname" => (Role::Level, 5),
        "loglevel" => (Role::Level, 6),
        "log_level" => (Role::Level, 7),
        "@l" => (Role::Level, 8),
        // Monolog writes a numeric `level` (400) beside `level_name`.
        "level_name" => (Role::Level, 9),
        "severityText" | "severitytext" | "severity_text" => (Role::Level, 10),
        // PostgreSQL jsonlog.
        "error_severity" => (Role::Level, 11),
        // journald: syslog severity as a digit string.
        "PRIORITY" => (Role::Level, 12),
        "severityNumber" | "severitynumber" | "severity_number" => (Role::Level, 13),
        // Heroku's router and platform (`at=error code=H12 …`); a value that is no level
        // word (a time) leaves the key a field.
        "at" => (Role::Level, 14),

        "message" => (Role::Msg, 1),
        "msg" => (Role::Msg, 2),
        "event" => (Role::Msg, 3),
        "log" => (Role::Msg, 4),
        "text" => (Role::Msg, 5),
        "@m" => (Role::Msg, 6),
        "@mt" => (Role::Msg, 7),
        // Google Cloud Logging entries.
        "textPayload" | "textpayload" => (Role::Msg, 8),
        // GELF.
        "short_message" => (Role::Msg, 9),

        "logger" => (Role::Module, 1),
        "logger_name" => (Role::Module, 2),
        "log.logger" => (Role::Module, 3),
        "loggerName" | "loggername" => (Role::Module, 4),
        "logger.name" => (Role::Module, 5),
        // Serilog's logger name.
        "SourceContext" | "sourcecontext" => (Role::Module, 6),
        "module" => (Role::Module, 7),
        "module_path" => (Role::Module, 8),
        "component" => (Role::Module, 9),
        "caller" => (Role::Module, 10),
        "log.origin.file.name" => (Role::Module, 11),

        "host" => (Role::Host, 1),
        "hostname" => (Role::Host, 2),
        "host.name" => (Role::Host, 3),
        "host.hostname" => (Role::Host, 4),
        "source_host" => (Role::Host, 5),

        "service" => (Role::Service, 1),
        "service.name" => (Role::Service, 2),
        "app" => (Role::Service, 3),
        "application" => (Role::Service, 4),
        "name" => (Role::Service, 5),
        "serviceName" | "servicename" | "service_name" => (Role::Service, 6),
        "SYSLOG_IDENTIFIER" | "syslog_identifier" => (Role::Service, 7),
        "programname" => (Role::Service, 8),
        "appname" | "app_name" => (Role::Service, 9),
        "systemd_unit" => (Role::Service, 10),
        _ => return None,
    })
}

/// Role and rank of a (flattened) JSON key: [`key_role`], then the JSON-only keys —
/// nested shapes, envelopes, and names too generic for logfmt and CSV, whose columns get
/// no value check.
pub(crate) fn json_role(key: &str) -> Option<(Role, u8)> {
    key_role(key).or_else(|| json_only_role(key))
}

/// Objects whose members are the log record itself: Google's `jsonPayload`, an
/// Elasticsearch hit's `_source`, Filebeat's `json`, tracing-subscriber's `fields`, and a
/// merged log line (`log`, Fluent Bit's `log_processed`).
const ENVELOPES: [&str; 6] = ["jsonPayload", "_source", "json", "fields", "log", "log_processed"];

fn json_only_role(key: &str) -> Option<(Role, u8)> {
    let r = match key {
        "timestamp.seconds" => (Role::Ts, 2),
        "instant.epochSecond" => (Role::Ts, 12),
        "timestampSeconds" => (Role::Ts, 12),
        "start_time" => (Role::Ts, 20),
        "observedTimeUnixNano" | "observed_time_unix_nano" => (Role::Ts, 21),
        "receiveTimestamp" => (Role::Ts, 22),
        "requestReceivedTimestamp" => (Role::Ts, 23),
        // nginx `$msec`: float seconds.
        "msec" => (Role::Ts, 24),

        "body" | "Body" => (Role::Msg, 20),
        "body.stringValue" => (Role::Msg, 21),
        // Splunk exports.
        "_raw" => (Role::Msg, 22),

        // tracing, log4rs.
        "target" => (Role::Module, 20),
        // Monolog.
        "channel" => (Role::Module, 21),
        // .NET JsonConsoleFormatter.
        "category" | "Category" => (Role::Module, 22),
        "subsystem" => (Role::Module, 23),
        "logging.googleapis.com/sourceLocation.file" => (Role::Module, 24),
        // slog's AddSource.
        "source.file" => (Role::Module, 25),

        "program" => (Role::Service, 20),
        "kubernetes.container_name" => (Role::Service, 21),

        "s" => (Role::Level, WEAK_LEVEL_LETTER),
        "status"
        | "status_code"
        | "statusCode"
        | "response_code"
        | "http.response.status_code"
        | "httpRequest.status"
        | "DownstreamStatus"
        | "res.statusCode" => (Role::Level, WEAK_LEVEL_STATUS),
        "label" => (Role::Level, WEAK_LEVEL_WORD),
        "c" => (Role::Module, RANK_WEAK),
        "ctx" => (Role::Thread, RANK_WEAK),
        _ => {
            // MongoDB extended JSON: `{"t":{"$date":…}}`, `{"$date":{"$numberLong":"…"}}`.
            if let Some(base) = key
                .strip_suffix(".$date")
                .or_else(|| key.strip_suffix(".$date.$numberLong"))
            {
                let rank = match key_role(base) {
                    Some((Role::Ts, rank)) => rank,
                    _ => RANK_ENVELOPE + 40,
                };
                return Some((Role::Ts, rank));
            }
            let (envelope, inner) = key.split_once('.')?;
            if !ENVELOPES.contains(&envelope) {
                return None;
            }
            let (role, rank) = exact_role(inner)?;
            return Some((role, rank + RANK_ENVELOPE));
        }
    };
    Some(r)
}

/// `pkg/file.go:42` → `pkg/file.go`: a module is a file or logger, never a line number.
pub(crate) fn strip_line_number(s: &str) -> &str {
    if let Some(colon) = s.rfind(':') {
        let tail = &s[colon + 1..];
        if colon > 0 && !tail.is_empty() && tail.bytes().all(|b| b.is_ascii_digit()) {
            return &s[..colon];
        }
    }
    s
}

/// A level written as text: [`Level::parse_loose`], plus the words it does not know
/// (see [`extra_level_word`]); a bare number 0–7 is a syslog severity, other numbers
/// Bunyan's scale ([`numeric_level`]).
pub(crate) fn level_text(v: &str) -> Option<Level> {
    let t = v.trim();
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
        return t.parse().ok().and_then(numeric_level);
    }
    Level::parse_loose(t).or_else(|| extra_level_word(t))
}

/// Level spellings of particular loggers that [`Level::parse_loose`] does not know (it
/// has PostgreSQL's `LOG`/`DEBUGn` and MySQL's `NOTE`): log15's `eror`/`dbug` (Grafana,
/// go-ethereum) and MongoDB's debug verbosities `D1`–`D5`.
fn extra_level_word(t: &str) -> Option<Level> {
    match t.as_bytes() {
        [b'd' | b'D', b'1'..=b'5'] => Some(Level::Debug),
        w if w.eq_ignore_ascii_case(b"dbug") => Some(Level::Debug),
        w if w.eq_ignore_ascii_case(b"eror") => Some(Level::Error),
        _ => None,
    }
}

/// A numeric level: 0–7 is a syslog severity (GELF `level`, journald `PRIORITY`; Bunyan
/// and pino start at 10), others Bunyan/pino's scale (10 trace … 60 fatal).
fn numeric_level(n: i64) -> Option<Level> {
    match u8::try_from(n) {
        Ok(sev @ 0..=7) => Some(Level::from_syslog_severity(sev)),
        _ => Level::from_bunyan(n),
    }
}

/// OpenTelemetry's `SeverityNumber`: 1–4 trace, 5–8 debug … 21–24 fatal.
fn otel_severity(n: i64) -> Option<Level> {
    Some(match n {
        1..=4 => Level::Trace,
        5..=8 => Level::Debug,
        9..=12 => Level::Info,
        13..=16 => Level::Warn,
        17..=20 => Level::Error,
        21..=24 => Level::Fatal,
        _ => return None,
    })
}

/// The level a level-role value gives, by the key's rank (weak keys accept only their
/// exact shapes) and, for numbers, the key's scale.
fn level_value(key: &str, v: &str, is_num: bool, rank: u8) -> Option<Level> {
    let t = v.trim();
    let digits = !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    let word = || Level::from_word(t).or_else(|| extra_level_word(t));
    match rank {
        // `status: 503` as an access log would read it; `status: "error"` (Datadog).
        WEAK_LEVEL_STATUS if digits => {
            return match t.as_bytes() {
                [b'5', _, _] => Some(Level::Error),
                [b'4', _, _] => Some(Level::Warn),
                [b'1'..=b'3', _, _] => Some(Level::Info),
                _ => None,
            }
        }
        WEAK_LEVEL_STATUS | WEAK_LEVEL_WORD => return word(),
        // MongoDB's `s`: `I`, `E`, `D2`; never a number, never `"small"`.
        WEAK_LEVEL_LETTER.. => return Level::from_letter(t).or_else(word),
        _ => {}
    }
    if is_num || digits {
        let n: i64 = t.parse().ok()?;
        return if key.eq_ignore_ascii_case("severityNumber") || key.eq_ignore_ascii_case("severity_number") {
            otel_severity(n)
        } else {
            numeric_level(n)
        };
    }
    level_text(t)
}

/// MongoDB's component (`c`): an upper-case word such as `NETWORK` or `REPL_HB`, so a
/// short data key `c` holding `"pink"` or `3` is no module.
fn weak_module(v: &str) -> bool {
    let b = v.as_bytes();
    (2..=32).contains(&b.len())
        && b.iter().any(u8::is_ascii_uppercase)
        && b.iter()
            .all(|&c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == b'_' || c == b'.')
}

/// The time a time-role value gives. A number too short to be a Unix time (`"t": 12`,
/// a duration) is no time; a long one out of range is an impossible time.
fn ts_value(v: &str, is_num: bool, ctx: &TimeContext) -> TextTime {
    let t = v.trim();
    if !is_num {
        // Digit strings (journald's microseconds, `$numberLong`) are epochs to the scanner too.
        return timestamp::parse_text_checked(t, ctx);
    }
    if let Some(ns) = epoch_from_number_text(t) {
        return TextTime::Valid(ns);
    }
    let int_digits = t.bytes().take_while(|b| b.is_ascii_digit() || *b == b'-').count();
    if int_digits >= 9 || t.contains(['e', 'E']) {
        TextTime::Impossible
    } else {
        TextTime::None
    }
}

/// Seconds keys whose sub-second part is a sibling key: Google's protobuf Timestamp
/// (`timestamp.seconds`/`.nanos`, `timestampSeconds`/`timestampNanos`) and log4j2's
/// `instant.epochSecond`/`.nanoOfSecond`.
const SECONDS_NANOS: [(&str, &str); 3] = [
    (".seconds", ".nanos"),
    (".epochSecond", ".nanoOfSecond"),
    ("Seconds", "Nanos"),
];

/// For a time read from a whole-seconds key, the index in `pairs` and value of its
/// nanoseconds sibling.
fn nanos_sibling(pairs: &[(crate::record::FieldName, String)], key: &str, value: &str) -> Option<(usize, i64)> {
    if value.len() > 11 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (base, nanos_suffix) = SECONDS_NANOS
        .iter()
        .find_map(|(s, n)| key.strip_suffix(s).map(|base| (base, n)))?;
    let i = pairs.iter().position(|(k, _)| {
        k.len() == base.len() + nanos_suffix.len() && k.starts_with(base) && k.ends_with(nanos_suffix)
    })?;
    let nanos: i64 = pairs[i].1.parse().ok()?;
    (0..1_000_000_000).contains(&nanos).then_some((i, nanos))
}

/// Unix time from a JSON number's text, magnitude rules of
/// [`timestamp::from_epoch_number`], but exact for decimal text: through f64, zap's
/// `1700000000.123456` would come out a few nanoseconds off.
pub(crate) fn epoch_from_number_text(text: &str) -> Option<i64> {
    let (neg, body) = match text.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, text),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    let decimal = !int.is_empty()
        && int.len() <= 18
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit());
    if !decimal {
        return text
            .parse::<f64>()
            .ok()
            .and_then(timestamp::from_epoch_number)
            .filter(|ns| timestamp::EPOCH_RANGE.contains(ns));
    }
    let whole: i64 = int.parse().ok()?;
    let frac_digits = match whole {
        0..=99_999_999_999 => 9,
        100_000_000_000..=99_999_999_999_999 => 6,
        100_000_000_000_000..=99_999_999_999_999_999 => 3,
        _ => 0,
    };
    let mut ns = whole.checked_mul(10i64.pow(frac_digits))?;
    let mut f = frac.bytes();
    let mut part = 0i64;
    for _ in 0..frac_digits {
        part = part * 10 + f.next().map_or(0, |b| (b - b'0') as i64);
    }
    ns = ns.checked_add(part)?;
    let ns = if neg { -ns } else { ns };
    timestamp::EPOCH_RANGE.contains(&ns).then_some(ns)
}

/// `12`, `0.5s`, `1ms`: a number, maybe with a short unit. Heroku's router writes
/// `service=1ms` (a duration), which is no service name.
fn is_quantity(v: &str) -> bool {
    let num = v.bytes().take_while(|b| b.is_ascii_digit() || *b == b'.').count();
    num > 0 && v.len() - num <= 3 && v.bytes().skip(num).all(|b| b.is_ascii_alphabetic())
}

/// Sets the message, reusing the string's buffer when the record has none yet.
pub(crate) fn set_message(rec: &mut Record, text: String) {
    if rec.message.is_empty() {
        rec.message = text;
    } else {
        rec.message.push_str(&text);
    }
}

/// Lifts header values out of `rec.fields[base..]` (pairs pushed in the order met) into
/// the record, removing the pairs used. `numeric` has bit `i` set when pair `base + i`
/// was a JSON number (pairs past 64 are treated as text, which parses the same way).
pub(crate) fn apply_roles<F>(rec: &mut Record, base: usize, numeric: u64, ctx: &TimeContext, role_of: F)
where
    F: Fn(&str) -> Option<(Role, u8)>,
{
    // Per role: (rank, index into fields[base..]).
    let mut best: [Option<(u8, usize)>; ROLES] = [None; ROLES];
    let mut ts = None;
    // Index of the nanoseconds key completing the chosen whole-seconds time.
    let mut ts_nanos = None;
    let mut impossible_ts = false;
    let mut level = None;
    let Some(pairs) = rec.fields.get(base..) else { return };
    for (i, (k, v)) in pairs.iter().enumerate() {
        let Some((role, rank)) = role_of(k) else { continue };
        let slot = role as usize;
        if best[slot].is_some_and(|(r, _)| r <= rank) {
            continue;
        }
        let is_num = i < 64 && (numeric >> i) & 1 == 1;
        match role {
            Role::Ts => match ts_value(v, is_num, ctx) {
                TextTime::Valid(t) => {
                    ts_nanos = None;
                    ts = Some(match nanos_sibling(pairs, k, v.trim()) {
                        Some((at, nanos)) => {
                            ts_nanos = Some(at);
                            t.saturating_add(nanos)
                        }
                        None => t,
                    });
                }
                TextTime::Impossible => {
                    impossible_ts = true;
                    continue;
                }
                TextTime::None => continue,
            },
            Role::Level => match level_value(k, v, is_num, rank) {
                Some(l) => level = Some(l),
                None => continue,
            },
            Role::Msg => {}
            Role::Host | Role::Module | Role::Service => {
                let t = v.trim();
                // `-` is a missing value (Kibana, MongoDB's default component).
                if t.is_empty() || t == "-" || (role != Role::Host && is_quantity(v)) {
                    continue;
                }
                if role == Role::Module && rank >= RANK_WEAK && !weak_module(t) {
                    continue;
                }
            }
            Role::Thread => {
                if v.is_empty() || v.len() > 64 || v.contains(char::is_whitespace) {
                    continue;
                }
            }
        }
        best[slot] = Some((rank, i));
    }
    if ts.is_none() && impossible_ts {
        rec.ts_invalid = true;
    }
    if best.iter().all(Option::is_none) {
        return;
    }
    if ts.is_some() {
        rec.ts = ts;
    }
    if level.is_some() {
        rec.level = level;
    } else if best[Role::Ts as usize].is_some_and(|(_, i)| pairs[i].0 == "@t") && !pairs.iter().any(|(k, _)| k == "@l")
    {
        // Serilog's compact format leaves out `@l` for Information.
        rec.level = Some(Level::Info);
    }
    if let Some((_, i)) = best[Role::Thread as usize] {
        if !pairs.iter().any(|(k, _)| k == "thread") {
            rec.fields[base + i].0 = Cow::Borrowed("thread");
        }
    }
    let mut take = |slot: Role| best[slot as usize].map(|(_, i)| std::mem::take(&mut rec.fields[base + i].1));
    let msg = take(Role::Msg);
    let module = take(Role::Module);
    let host = take(Role::Host);
    let service = take(Role::Service);
    if let Some(m) = msg {
        set_message(rec, m);
    } else if rec.message.is_empty() {
        if let Some(m) = request_message(&rec.fields[base..]) {
            rec.message = m;
        }
    }
    if let Some(mut m) = module {
        let keep = strip_line_number(&m).len();
        m.truncate(keep);
        rec.module = Some(m);
    }
    if host.is_some() {
        rec.host = host;
    }
    if service.is_some() {
        rec.service = service;
    }
    // An HTTP status that gave the level stays a field too: it is the request's status
    // (what a 5xx burst is attributed to), not only a severity.
    let status_level = best[Role::Level as usize].filter(|&(rank, _)| rank == WEAK_LEVEL_STATUS);
    let used = |i: usize| {
        ts_nanos == Some(i)
            || best[..Role::Thread as usize]
                .iter()
                .flatten()
                .any(|&(_, at)| at == i && status_level.is_none_or(|(_, s)| s != i))
    };
    let mut idx = 0usize;
    rec.fields.retain(|_| {
        let keep = idx < base || !used(idx - base);
        idx += 1;
        keep
    });
}

/// For a record without a message that describes an HTTP request (a JSON or logfmt
/// request log: GitLab's `production_json.log`, Echo's, Heroku's router, nginx's
/// `escape=json`), the message an access log line gets: `METHOD path status` (`GET
/// /api/orders/7 503`), or the request line and status (`GET /x HTTP/1.1 502`). None
/// unless a status and a method with a path or URL, or a request line, are among the
/// fields.
fn request_message(fields: &[(crate::record::FieldName, String)]) -> Option<String> {
    let pick = |names: &[&str]| {
        names.iter().find_map(|n| {
            fields
                .iter()
                .find(|(k, v)| k == n && !v.is_empty())
                .map(|(_, v)| v.as_str())
        })
    };
    let status = pick(&[
        "status",
        "status_code",
        "statusCode",
        "http_status",
        "http.response.status_code",
        "response_code",
        "res.statusCode",
    ])?;
    if status.len() != 3 || !status.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let method = pick(&[
        "method",
        "request_method",
        "http_method",
        "http.request.method",
        "verb",
        "req.method",
    ]);
    let path = pick(&[
        "path",
        "uri",
        "request_uri",
        "url",
        "request_path",
        "url.path",
        "url.original",
        "req.url",
    ]);
    match (method, path) {
        (Some(method), Some(path)) if method.len() <= 16 && method.bytes().all(|b| b.is_ascii_alphabetic()) => {
            Some(format!("{method} {path} {status}"))
        }
        _ => {
            let request = pick(&["request", "request_line"])?;
            let method = request.split(' ').next()?;
            (method.len() <= 16 && method.bytes().all(|b| b.is_ascii_uppercase()))
                .then(|| format!("{request} {status}"))
        }
    }
}

// ---- streaming flattener --------------------------------------------------------------

/// Deserialises a JSON object straight into dotted (key, value) pairs, in document order
/// (serde_json's `Value` map is sorted) and without building a `Value` tree.
struct Flatten<'a> {
    prefix: &'a str,
    out: &'a mut Vec<(crate::record::FieldName, String)>,
    numeric: &'a mut u64,
}

impl<'de> DeserializeSeed<'de> for Flatten<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Flatten<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(k) = map.next_key_seed(KeySeed)? {
            let key = if self.prefix.is_empty() {
                k.into_owned()
            } else {
                let mut key = String::with_capacity(self.prefix.len() + 1 + k.len());
                key.push_str(self.prefix);
                key.push('.');
                key.push_str(&k);
                key
            };
            map.next_value_seed(FlatValue {
                key,
                out: &mut *self.out,
                numeric: &mut *self.numeric,
            })?;
        }
        Ok(())
    }
}

/// An object key, borrowed from the line when it has no escapes (saves an allocation
/// for nested keys, which are copied into their dotted form anyway).
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Cow<'de, str>;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Cow<'de, str>;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an object key")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v))
    }
}

struct FlatValue<'a> {
    key: String,
    out: &'a mut Vec<(crate::record::FieldName, String)>,
    numeric: &'a mut u64,
}

impl FlatValue<'_> {
    fn push(self, value: String, is_num: bool) {
        let i = self.out.len();
        if is_num && i < 64 {
            *self.numeric |= 1 << i;
        }
        self.out.push((self.key.into(), value));
    }
}

impl<'de> DeserializeSeed<'de> for FlatValue<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for FlatValue<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<(), E> {
        self.push(if v { "true" } else { "false" }.to_string(), false);
        Ok(())
    }
    fn visit_i64<E>(self, v: i64) -> Result<(), E> {
        self.push(v.to_string(), true);
        Ok(())
    }
    fn visit_u64<E>(self, v: u64) -> Result<(), E> {
        self.push(v.to_string(), true);
        Ok(())
    }
    fn visit_f64<E>(self, v: f64) -> Result<(), E> {
        // Same text as `Value::to_string`, so fields match `flatten_json`.
        let text = serde_json::Number::from_f64(v)
            .map(|n| n.to_string())
            .unwrap_or_else(|| v.to_string());
        self.push(text, true);
        Ok(())
    }
    fn visit_str<E>(self, v: &str) -> Result<(), E> {
        self.push(v.to_string(), false);
        Ok(())
    }
    fn visit_string<E>(self, v: String) -> Result<(), E> {
        self.push(v, false);
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_none<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        Flatten {
            prefix: &self.key,
            out: self.out,
            numeric: self.numeric,
        }
        .visit_map(map)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut items = Vec::new();
        while let Some(v) = seq.next_element::<serde_json::Value>()? {
            items.push(v);
        }
        self.push(serde_json::Value::Array(items).to_string(), false);
        Ok(())
    }
}

/// Flattens the JSON object `text` onto `out`. On error, the pairs read before it stay.
fn flatten_into(
    text: &str,
    out: &mut Vec<(crate::record::FieldName, String)>,
    numeric: &mut u64,
) -> Result<(), serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    Flatten {
        prefix: "",
        out,
        numeric,
    }
    .deserialize(&mut de)?;
    de.end()
}

// ---- parser -------------------------------------------------------------------------

/// `--json-fields ts=…,msg=…,level=…`: keys (dotted for nested objects) that take
/// precedence over the conventional ones.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JsonFieldMap {
    pub ts: Option<String>,
    pub msg: Option<String>,
    pub level: Option<String>,
}

impl JsonFieldMap {
    /// Same as the free [`parse_spec`].
    pub fn parse_spec(spec: &str) -> Result<JsonFieldMap, String> {
        parse_spec(spec)
    }
}

/// Parses `ts=time,msg=body,level=sev` (also `timestamp=`, `time=`, `message=`,
/// `severity=`, `lvl=` as names). Each name at most once; at least one.
pub fn parse_spec(spec: &str) -> Result<JsonFieldMap, String> {
    let mut map = JsonFieldMap::default();
    for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((name, key)) = part.split_once('=') else {
            return Err(format!(
                "{part:?} is not NAME=KEY (want e.g. ts=time,msg=message,level=severity)"
            ));
        };
        let key = key.trim();
        if key.is_empty() {
            return Err(format!("no JSON key given for {:?}", name.trim()));
        }
        let slot = match name.trim().to_ascii_lowercase().as_str() {
            "ts" | "time" | "timestamp" => &mut map.ts,
            "msg" | "message" => &mut map.msg,
            "level" | "lvl" | "severity" => &mut map.level,
            other => return Err(format!("unknown field {other:?} (want ts, msg or level)")),
        };
        if slot.is_some() {
            return Err(format!("{:?} given twice", name.trim()));
        }
        *slot = Some(key.to_string());
    }
    if map == JsonFieldMap::default() {
        return Err("empty field map (want e.g. ts=time,msg=message,level=severity)".to_string());
    }
    Ok(map)
}

/// Parses JSON lines; see the module documentation.
#[derive(Debug, Clone, Default)]
pub struct JsonParser {
    map: JsonFieldMap,
}

impl JsonParser {
    pub fn new() -> Self {
        JsonParser::default()
    }

    pub fn with_fields(map: JsonFieldMap) -> Self {
        JsonParser { map }
    }

    fn role(&self, key: &str) -> Option<(Role, u8)> {
        let m = &self.map;
        if m.ts.as_deref() == Some(key) {
            Some((Role::Ts, 0))
        } else if m.msg.as_deref() == Some(key) {
            Some((Role::Msg, 0))
        } else if m.level.as_deref() == Some(key) {
            Some((Role::Level, 0))
        } else {
            json_role(key)
        }
    }
}

/// The line without a UTF-8 byte-order mark (first line of a file).
fn strip_bom(line: &str) -> &str {
    line.strip_prefix('\u{feff}').unwrap_or(line)
}

impl LineParser for JsonParser {
    fn parse_line(&self, line: &str, ctx: &TimeContext, rec: &mut Record) -> bool {
        let text = strip_bom(line);
        if !text.starts_with('{') {
            return false;
        }
        let base = rec.fields.len();
        rec.fields.reserve(8);
        let mut numeric = 0u64;
        match flatten_into(text, &mut rec.fields, &mut numeric) {
            Ok(()) => apply_roles(rec, base, numeric, ctx, |k| self.role(k)),
            Err(e) => {
                // Keep header values from the valid prefix; the raw line is the message.
                apply_roles(rec, base, numeric, ctx, |k| {
                    self.role(k).filter(|(r, _)| *r != Role::Msg)
                });
                rec.fields.truncate(base);
                rec.message.push_str(line);
                rec.fields.push(("parse_error".into(), e.to_string()));
            }
        }
        true
    }

    fn starts_record(&self, line: &str, _ctx: &TimeContext) -> bool {
        strip_bom(line).starts_with('{')
    }
}

/// The JSON candidate with the default key conventions.
pub fn candidate() -> Candidate {
    candidate_with(JsonFieldMap::default())
}

/// The JSON candidate with `map`'s keys taking precedence (`--json-fields`).
pub fn candidate_with(map: JsonFieldMap) -> Candidate {
    Candidate {
        name: "json".to_string(),
        parser: Arc::new(JsonParser::with_fields(map)),
        ts_layout: None,
        specificity: specificity::JSON,
    }
}

/// Whether `line` is one complete JSON object.
pub(crate) fn is_json_object(line: &str) -> bool {
    let text = strip_bom(line).trim_end();
    text.starts_with('{') && serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok()
}

/// JSON lines when at least 60% of the non-empty sample lines are complete JSON objects
/// (the rest being raw text such as stack traces printed between them).
pub fn detect(sample: &[&str], _ctx: &TimeContext) -> Option<Candidate> {
    let mut nonempty = 0usize;
    let mut objects = 0usize;
    for line in sample {
        if line.trim().is_empty() {
            continue;
        }
        nonempty += 1;
        if is_json_object(line) {
            objects += 1;
        }
    }
    (objects > 0 && objects * 10 >= nonempty * 6).then(candidate)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::testing::{ctx, fields, parse_with};
    use crate::record::rfc3339;

    fn parse(line: &str) -> Record {
        parse_with(&JsonParser::new(), line).expect("record head")
    }

    fn ts(rec: &Record) -> String {
        rfc3339(rec.ts.expect("timestamp"))
    }

    #[test]
    fn ecs_logstash_nested() {
        let r = parse(
            r#"{"@timestamp":"2024-03-01T10:00:00.123Z","log":{"level":"ERROR","logger":"com.acme.billing.ChargeService","origin":{"file":{"name":"ChargeService.java","line":88}}},"message":"charge failed","host":{"name":"web-01"},"service":{"name":"billing"},"http":{"request":{"method":"POST"}},"labels":["a","b"],"trace":null}"#,
        );
        assert_eq!(ts(&r), "2024-03-01T10:00:00.123Z");
        assert_eq!(r.level, Some(Level::Error));
        assert_eq!(r.module.as_deref(), Some("com.acme.billing.ChargeService"));
        assert_eq!(r.host.as_deref(), Some("web-01"));
        assert_eq!(r.service.as_deref(), Some("billing"));
        assert_eq!(r.message, "charge failed");
        assert_eq!(
            fields(&r),
            vec![
                ("log.origin.file.name", "ChargeService.java"),
                ("log.origin.file.line", "88"),
                ("http.request.method", "POST"),
                ("labels", r#"["a","b"]"#),
            ]
        );
    }

    #[test]
    fn logstash_logback_encoder() {
        let r = parse(
            r#"{"@timestamp":"2024-03-01T11:22:33.456+01:00","@version":"1","message":"Started App in 3.2 seconds","logger_name":"com.acme.App","thread_name":"main","level":"INFO","level_value":20000}"#,
        );
        assert_eq!(ts(&r), "2024-03-01T10:22:33.456Z");
        assert_eq!(r.level, Some(Level::Info));
        assert_eq!(r.module.as_deref(), Some("com.acme.App"));
        assert_eq!(r.message, "Started App in 3.2 seconds");
        assert_eq!(
            fields(&r),
            vec![("@version", "1"), ("thread_name", "main"), ("level_value", "20000")]
        );
    }

    #[test]
    fn bunyan() {
        let r = parse(
            r#"{"name":"myapp","hostname":"banana.local","pid":40161,"level":30,"msg":"hi","time":"2013-01-04T18:46:23.851Z","v":0}"#,
        );
        assert_eq!(ts(&r), "2013-01-04T18:46:23.851Z");
        assert_eq!(r.level, Some(Level::Info));
        assert_eq!(r.service.as_deref(), Some("myapp"));
        assert_eq!(r.host.as_deref(), Some("banana.local"));
        assert_eq!(r.message, "hi");
        assert_eq!(r.module, None);
        assert_eq!(fields(&r), vec![("pid", "40161"), ("v", "0")]);
    }

    #[test]
    fn pino() {
        let r = parse(
            r#"{"level":50,"time":1700000000123,"pid":7,"hostname":"api-7d9f","req":{"id":1,"method":"GET","url":"/x"},"err":{"type":"Error","message":"boom","stack":"Error: boom\n    at f (/app/x.js:1:1)"},"msg":"request errored"}"#,
        );
        assert_eq!(ts(&r), "2023-11-14T22:13:20.123Z");
        assert_eq!(r.level, Some(Level::Error));
        assert_eq!(r.host.as_deref(), Some("api-7d9f"));
        assert_eq!(r.message, "request errored");
        assert_eq!(
            fields(&r),
            vec![
                ("pid", "7"),
                ("req.id", "1"),
                ("req.method", "GET"),
                ("req.url", "/x"),
                ("err.type", "Error"),
                ("err.message", "boom"),
                ("err.stack", "Error: boom\n    at f (/app/x.js:1:1)"),
            ]
        );
    }

    #[test]
    fn zap_production() {
        let r = parse(
            r#"{"level":"warn","ts":1700000000.5,"logger":"http","caller":"server/handler.go:142","msg":"slow request","path":"/api/v1/items","latency":1.234,"stacktrace":"main.main\n\t/app/main.go:20"}"#,
        );
        assert_eq!(ts(&r), "2023-11-14T22:13:20.500Z");
        assert_eq!(r.level, Some(Level::Warn));
        assert_eq!(
            epoch_from_number_text("1700000000.123456"),
            Some(1_700_000_000_123_456_000)
        );
        assert_eq!(epoch_from_number_text("1700000000123"), Some(1_700_000_000_123_000_000));
        assert_eq!(
            epoch_from_number_text("1700000000123456"),
            Some(1_700_000_000_123_456_000)
        );
        assert_eq!(epoch_from_number_text("1.7e9"), Some(1_700_000_000_000_000_000));
        assert_eq!(r.module.as_deref(), Some("http"));
        assert_eq!(r.message, "slow request");
        assert_eq!(
            fields(&r),
            vec![
                ("caller", "server/handler.go:142"),
                ("path", "/api/v1/items"),
                ("latency", "1.234"),
                ("stacktrace", "main.main\n\t/app/main.go:20"),
            ]
        );
        // Without a named logger the caller is the module, line number stripped.
        let r = parse(
            r#"{"level":"error","ts":1700000000.25,"caller":"pkg/db/conn.go:42","msg":"dial failed","error":"connection refused"}"#,
        );
        assert_eq!(r.module.as_deref(), Some("pkg/db/conn.go"));
        assert_eq!(r.level, Some(Level::Error));
        assert_eq!(fields(&r), vec![("error", "connection refused")]);
    }

    #[test]
    fn logrus() {
        let r = parse(
            r#"{"animal":"walrus","level":"warning","msg":"The group's number increased tremendously!","number":122,"omg":true,"time":"2014-03-10T19:57:38.562471297-04:00"}"#,
        );
        assert_eq!(ts(&r), "2014-03-10T23:57:38.562471297Z");
        assert_eq!(r.level, Some(Level::Warn));
        assert_eq!(r.message, "The group's number increased tremendously!");
        assert_eq!(
            fields(&r),
            vec![("animal", "walrus"), ("number", "122"), ("omg", "true")]
        );
    }

    #[test]
    fn structlog() {
        let r = parse(
            r#"{"event": "user logged in", "user": "alice", "logger": "app.auth", "level": "info", "timestamp": "2024-05-01T08:00:00.000001Z"}"#,
        );
        assert_eq!(ts(&r), "2024-05-01T08:00:00.000001Z");
        assert_eq!(r.level, Some(Level::Info));
        assert_eq!(r.module.as_deref(), Some("app.auth"));
        assert_eq!(r.message, "user logged in");
        assert_eq!(fields(&r), vec![("user", "alice")]);
    }

    #[test]
    fn python_json_logger_and_serilog() {
        let r = parse(
            r#"{"asctime": "2024-05-01 08:00:00,123", "levelname": "CRITICAL", "name": "root", "message": "disk full"}"#,
        );
        assert_eq!(ts(&r), "2024-05-01T08:00:00.123Z");
        assert_eq!(r.level, Some(Level::Fatal));
        assert_eq!(r.service.as_deref(), Some("root"));
        assert_eq!(r.message, "disk full");
        let r = parse(r#"{"@t":"2024-05-01T08:00:00.5Z","@mt":"Hello {User}","@l":"Warning","User":"bob"}"#);
        assert_eq!(ts(&r), "2024-05-01T08:00:00.500Z");
        assert_eq!(r.level, Some(Level::Warn));
        assert_eq!(r.message, "Hello {User}");
        assert_eq!(fields(&r), vec![("User", "bob")]);
        // Capitalised keys match at a lower rank.
        let r = parse(r#"{"Timestamp":"2024-05-01T08:00:00Z","Level":"Error","Message":"x","message":"y"}"#);
        assert_eq!(r.level, Some(Level::Error));
        assert_eq!(r.message, "y");
        assert_eq!(fields(&r), vec![("Message", "x")]);
    }

    #[test]
    fn unparseable_candidates_fall_through() {
        let r = parse(r#"{"time":"12ms","ts":"2024-01-01T00:00:00Z","level":"chatty","severity":"ERROR","msg":"m"}"#);
        assert_eq!(ts(&r), "2024-01-01T00:00:00Z");
        assert_eq!(r.level, Some(Level::Error));
        assert_eq!(fields(&r), vec![("time", "12ms"), ("level", "chatty")]);
    }

    #[test]
    fn field_map_override() {
        let map = parse_spec("ts=meta.when, msg=body,level=sev").unwrap();
        assert_eq!(map.ts.as_deref(), Some("meta.when"));
        let p = JsonParser::with_fields(map);
        let r = parse_with(&p, r#"{"time":"2020-01-01T00:00:00Z","meta":{"when":"2024-01-01T00:00:00Z"},"msg":"m","body":"b","level":"info","sev":"E"}"#)
            .unwrap();
        assert_eq!(ts(&r), "2024-01-01T00:00:00Z");
        assert_eq!(r.message, "b");
        assert_eq!(r.level, Some(Level::Error));
        assert_eq!(
            fields(&r),
            vec![("time", "2020-01-01T00:00:00Z"), ("msg", "m"), ("level", "info")]
        );
        assert!(parse_spec("").is_err());
        assert!(parse_spec("foo=bar").is_err());
        assert!(parse_spec("ts=").is_err());
        assert!(parse_spec("ts=a,ts=b").is_err());
        assert!(parse_spec("msg").is_err());
        assert_eq!(
            JsonFieldMap::parse_spec("msg=m").map(candidate_with).unwrap().name,
            "json"
        );
    }

    #[test]
    fn invalid_json_is_a_head_with_parse_error() {
        let line = r#"{"ts":"2024-01-01T00:00:00Z","level":"error","msg":"cut off he"#;
        let r = parse(line);
        assert_eq!(r.message, line);
        assert_eq!(ts(&r), "2024-01-01T00:00:00Z");
        assert_eq!(r.level, Some(Level::Error));
        assert_eq!(r.fields.len(), 1);
        assert_eq!(r.fields[0].0, "parse_error");
        assert!(r.fields[0].1.contains("EOF"), "{}", r.fields[0].1);
        let r = parse("{");
        assert_eq!(r.message, "{");
        let r = parse(r#"{"a":1} trailing"#);
        assert_eq!(r.field("parse_error").map(|e| e.contains("trailing")), Some(true));
    }

    #[test]
    fn continuations_are_not_heads() {
        let p = JsonParser::new();
        for line in [
            "java.lang.IllegalStateException: boom",
            "\tat com.acme.X.run(X.java:10)",
            "",
            " {\"a\":1}",
            "[1,2]",
        ] {
            assert!(parse_with(&p, line).is_none(), "{line:?}");
            assert!(!p.starts_record(line, &ctx()));
        }
        assert!(parse_with(&p, "\u{feff}{\"msg\":\"x\"}").is_some());
    }

    #[test]
    fn garbage_does_not_panic() {
        let deep = "{\"a\":".repeat(500);
        for line in [
            "{",
            "{}",
            "{\"",
            "{\"a\":}",
            "{\"a\":[1,{\"b\":",
            "{\"\u{0}\":\"\\ud800\"}",
            "{\"a\":1e999}",
            &deep,
            "{\"time\":-1e300,\"level\":-5,\"caller\":\":\",\"host\":\"\"}",
            "{\"ts\":\"9999-99-99\"}",
        ] {
            let mut rec = Record::default();
            assert!(JsonParser::new().parse_line(line, &ctx(), &mut rec));
        }
        let r = parse(r#"{"caller":":12","host":"  ","ts":1e300,"level":99999}"#);
        assert_eq!(r.module.as_deref(), Some(":12"));
        assert_eq!(r.host, None);
        assert_eq!(r.ts, None);
        assert_eq!(r.level, None);
    }

    /// (ts, level, message, module) of a parsed line, for the one-line layout checks.
    fn header(line: &str) -> (Option<String>, Option<Level>, String, Option<String>) {
        let r = parse(line);
        (r.ts.map(rfc3339), r.level, r.message, r.module)
    }

    fn want(
        ts: &str,
        level: Option<Level>,
        msg: &str,
        module: Option<&str>,
    ) -> (Option<String>, Option<Level>, String, Option<String>) {
        (Some(ts.to_string()), level, msg.to_string(), module.map(str::to_string))
    }

    #[test]
    fn mongodb_structured() {
        let r = parse(
            r#"{"t":{"$date":"2026-12-07T09:25:00.058+00:00"},"s":"E","c":"STORAGE","id":22435,"ctx":"conn9","msg":"WiredTiger error","attr":{"error":13}}"#,
        );
        assert_eq!(ts(&r), "2026-12-07T09:25:00.058Z");
        assert_eq!(r.level, Some(Level::Error));
        assert_eq!(r.module.as_deref(), Some("STORAGE"));
        assert_eq!(r.message, "WiredTiger error");
        assert_eq!(
            fields(&r),
            vec![("id", "22435"), ("thread", "conn9"), ("attr.error", "13")]
        );
        // Older exports: epoch milliseconds as `$numberLong`; debug verbosity `D2`; `-`
        // is the default component, no module.
        assert_eq!(
            header(
                r#"{"t":{"$date":{"$numberLong":"1796634301000"}},"s":"D2","c":"-","ctx":"initandlisten","msg":"About to run"}"#
            ),
            want("2026-12-07T09:05:01Z", Some(Level::Debug), "About to run", None)
        );
        assert_eq!(
            header(r#"{"t":{"$date":"2026-12-07T09:00:00.219Z"},"s":"F","c":"REPL_HB","msg":"Fatal assertion"}"#),
            want(
                "2026-12-07T09:00:00.219Z",
                Some(Level::Fatal),
                "Fatal assertion",
                Some("REPL_HB")
            )
        );
        // The same shape is a foreign head inside a text log.
        assert!(object_with_time(
            r#"{"t":{"$date":"2026-12-07T09:00:00.219Z"},"s":"I","msg":"x"}"#,
            &ctx()
        ));
        assert!(!object_with_time(r#"{"t":"tomato","msg":"x"}"#, &ctx()));
    }

    #[test]
    fn short_keys_are_only_taken_with_their_shape() {
        // `t`, `s`, `c` as ordinary data keys: the real level and time stay.
        let r = parse(r#"{"t":"tomato","s":"small","msg":"x","level":"info"}"#);
        assert_eq!(r.ts, None);
        assert!(!r.ts_invalid);
        assert_eq!(r.level, Some(Level::Info));
        assert_eq!(fields(&r), vec![("t", "tomato"), ("s", "small")]);
        let r = parse(r#"{"t":"tomato","s":"E","msg":"x","level":"info","time":"2024-05-01T08:00:00Z"}"#);
        assert_eq!(ts(&r), "2024-05-01T08:00:00Z");
        assert_eq!(r.level, Some(Level::Info));
        let r = parse(r#"{"t":12,"s":30,"c":"pink","ctx":"a b","msg":"x"}"#);
        assert_eq!(
            (r.ts, r.ts_invalid, r.level, r.module.as_deref()),
            (None, false, None, None)
        );
        assert_eq!(
            fields(&r),
            vec![("t", "12"), ("s", "30"), ("c", "pink"), ("ctx", "a b")]
        );
    }

    #[test]
    fn google_cloud_logging() {
        let r = parse(
            r#"{"severity":"ERROR","timestamp":{"seconds":1714550400,"nanos":123000000},"message":"db down","logging.googleapis.com/sourceLocation":{"file":"main.py","line":"42"}}"#,
        );
        assert_eq!(
            (ts(&r), r.level, r.message.as_str(), r.module.as_deref()),
            (
                "2024-05-01T08:00:00.123Z".to_string(),
                Some(Level::Error),
                "db down",
                Some("main.py")
            )
        );
        assert_eq!(fields(&r), vec![("logging.googleapis.com/sourceLocation.line", "42")]);
        // An exported LogEntry: payload nested, `textPayload`, numeric-free severities.
        assert_eq!(
            header(
                r#"{"insertId":"a","jsonPayload":{"message":"payload msg","logger":"app.x"},"timestamp":"2024-05-01T08:00:02.5Z","severity":"WARNING","receiveTimestamp":"2024-05-01T08:00:03Z"}"#
            ),
            want(
                "2024-05-01T08:00:02.500Z",
                Some(Level::Warn),
                "payload msg",
                Some("app.x")
            )
        );
        assert_eq!(
            header(r#"{"textPayload":"disk","timestamp":"2024-05-01T08:00:02Z","severity":"EMERGENCY"}"#),
            want("2024-05-01T08:00:02Z", Some(Level::Fatal), "disk", None)
        );
        // DEFAULT is "no severity assigned".
        assert_eq!(
            header(r#"{"severity":"DEFAULT","timestampSeconds":1714550400,"timestampNanos":5,"message":"m"}"#),
            want("2024-05-01T08:00:00.000000005Z", None, "m", None)
        );
    }

    #[test]
    fn log4j2_json_layout() {
        let r = parse(
            r#"{"instant":{"epochSecond":1714550400,"nanoOfSecond":123456789},"thread":"main","level":"INFO","loggerName":"com.acme.App","message":"Starting","endOfBatch":false}"#,
        );
        assert_eq!(
            (ts(&r), r.level, r.message.as_str(), r.module.as_deref()),
            (
                "2024-05-01T08:00:00.123456789Z".to_string(),
                Some(Level::Info),
                "Starting",
                Some("com.acme.App")
            )
        );
        assert_eq!(fields(&r), vec![("thread", "main"), ("endOfBatch", "false")]);
        assert_eq!(
            header(
                r#"{"timeMillis":1714550400123,"thread":"main","level":"ERROR","loggerName":"com.acme.Db","message":"failed","thrown":{"name":"java.lang.RuntimeException"}}"#
            ),
            want(
                "2024-05-01T08:00:00.123Z",
                Some(Level::Error),
                "failed",
                Some("com.acme.Db")
            )
        );
    }

    #[test]
    fn serilog_clef_defaults_to_information() {
        assert_eq!(
            header(
                r#"{"@t":"2024-05-01T08:00:00.1234567Z","@mt":"Hello {User}","User":"bob","SourceContext":"MyApp.Worker"}"#
            ),
            want(
                "2024-05-01T08:00:00.123456700Z",
                Some(Level::Info),
                "Hello {User}",
                Some("MyApp.Worker")
            )
        );
        // An `@l` that is there but unreadable gives no level, not Information.
        assert_eq!(
            parse(r#"{"@t":"2024-05-01T08:00:00Z","@m":"x","@l":"Custom"}"#).level,
            None
        );
        // Only CLEF's `@t` implies it.
        assert_eq!(parse(r#"{"time":"2024-05-01T08:00:00Z","msg":"x"}"#).level, None);
    }

    #[test]
    fn journald_export() {
        let r = parse(
            r#"{"__CURSOR":"s=abc;i=1","__REALTIME_TIMESTAMP":"1714550400123456","PRIORITY":"3","SYSLOG_IDENTIFIER":"sshd","_PID":"123","_HOSTNAME":"web1","MESSAGE":"error: kex failed","_SYSTEMD_UNIT":"ssh.service"}"#,
        );
        assert_eq!(
            (
                ts(&r),
                r.level,
                r.message.as_str(),
                r.service.as_deref(),
                r.host.as_deref()
            ),
            (
                "2024-05-01T08:00:00.123456Z".to_string(),
                Some(Level::Error),
                "error: kex failed",
                Some("sshd"),
                Some("web1")
            )
        );
        assert_eq!(
            fields(&r),
            vec![
                ("__CURSOR", "s=abc;i=1"),
                ("_PID", "123"),
                ("_SYSTEMD_UNIT", "ssh.service")
            ]
        );
        assert_eq!(
            parse(r#"{"__REALTIME_TIMESTAMP":"1714550400123456","PRIORITY":"6","MESSAGE":"m"}"#).level,
            Some(Level::Info)
        );
    }

    #[test]
    fn hclog_and_gelf_prefixed_keys() {
        // HashiCorp hclog: `@`-prefixed keys.
        assert_eq!(
            header(
                r#"{"@level":"error","@message":"rpc failed","@module":"agent.server","@timestamp":"2024-05-01T08:00:00.123456Z"}"#
            ),
            want(
                "2024-05-01T08:00:00.123456Z",
                Some(Level::Error),
                "rpc failed",
                Some("agent.server")
            )
        );
        // GELF: syslog severity 0–7 in `level`, additional fields prefixed `_`.
        let r = parse(
            r#"{"version":"1.1","host":"gh","short_message":"gelf msg","full_message":"long","timestamp":1714550400.123,"level":3,"_logger_name":"com.acme.G"}"#,
        );
        assert_eq!(
            (ts(&r), r.level, r.message.as_str(), r.module.as_deref()),
            (
                "2024-05-01T08:00:00.123Z".to_string(),
                Some(Level::Error),
                "gelf msg",
                Some("com.acme.G")
            )
        );
        assert_eq!(r.host.as_deref(), Some("gh"));
    }

    #[test]
    fn monolog_postgres_tracing_otel() {
        // Monolog: numeric `level` (400) is no Bunyan level; `level_name` is.
        assert_eq!(
            header(
                r#"{"message":"monolog err","context":{},"level":400,"level_name":"ERROR","channel":"app","datetime":"2024-05-01T08:00:00.123456+00:00"}"#
            ),
            want(
                "2024-05-01T08:00:00.123456Z",
                Some(Level::Error),
                "monolog err",
                Some("app")
            )
        );
        // PostgreSQL jsonlog: `LOG` is its info level.
        assert_eq!(
            header(
                r#"{"timestamp":"2024-05-01 08:00:00.123 UTC","pid":1,"error_severity":"LOG","message":"checkpoint","backend_type":"checkpointer"}"#
            ),
            want("2024-05-01T08:00:00.123Z", Some(Level::Info), "checkpoint", None)
        );
        assert_eq!(
            parse(r#"{"timestamp":"2024-05-01 08:00:00 UTC","error_severity":"DEBUG3","message":"x"}"#).level,
            Some(Level::Debug)
        );
        // Rust tracing-subscriber: the message is inside `fields`.
        assert_eq!(
            header(
                r#"{"timestamp":"2024-05-01T08:00:00.1Z","level":"WARN","fields":{"message":"slow","user":"bob"},"target":"app::db"}"#
            ),
            want("2024-05-01T08:00:00.100Z", Some(Level::Warn), "slow", Some("app::db"))
        );
        // OpenTelemetry records: nanosecond string, severityText or severityNumber, body.
        assert_eq!(
            header(
                r#"{"Timestamp":"2024-05-01T08:00:00Z","SeverityText":"WARN","ServiceName":"cart","Body":"otel body"}"#
            ),
            want("2024-05-01T08:00:00Z", Some(Level::Warn), "otel body", None)
        );
        assert_eq!(
            header(r#"{"timeUnixNano":"1714550400123456789","severityNumber":17,"body":{"stringValue":"otel err"}}"#),
            want("2024-05-01T08:00:00.123456789Z", Some(Level::Error), "otel err", None)
        );
    }

    #[test]
    fn envelopes_and_access_logs() {
        // An Elasticsearch hit.
        let r = parse(
            r#"{"_index":"logs","_id":"x","_source":{"@timestamp":"2024-05-01T08:00:00.123Z","log.level":"error","message":"es hit","service.name":"api"}}"#,
        );
        assert_eq!(
            (ts(&r), r.level, r.message.as_str()),
            ("2024-05-01T08:00:00.123Z".to_string(), Some(Level::Error), "es hit")
        );
        assert_eq!(r.service.as_deref(), Some("api"));
        // nginx JSON access log: no level key, the status gives it as for access logs.
        assert_eq!(
            parse(r#"{"time_local":"01/May/2024:08:00:00 +0000","request":"GET / HTTP/1.1","status":"502"}"#).level,
            Some(Level::Error)
        );
        assert_eq!(
            parse(r#"{"time_iso8601":"2024-05-01T08:00:00+00:00","status":404}"#).level,
            Some(Level::Warn)
        );
        assert_eq!(
            parse(r#"{"start_time":"2024-05-01T08:00:00Z","response_code":200}"#).level,
            Some(Level::Info)
        );
        // A logger's own level wins over the status; Datadog's `status` is a level word.
        assert_eq!(
            parse(r#"{"ts":"2024-05-01T08:00:00Z","level":"info","status":500}"#).level,
            Some(Level::Info)
        );
        assert_eq!(
            parse(r#"{"date":"2024-05-01T08:00:00Z","status":"error","message":"dd"}"#).level,
            Some(Level::Error)
        );
        assert_eq!(
            parse(r#"{"status":"active","status_code":"abc","label":"E"}"#).level,
            None
        );
        // `-` is a missing value, not a name.
        assert_eq!(
            parse(r#"{"logger":"-","component":"db","msg":"x"}"#).module.as_deref(),
            Some("db")
        );
        // MySQL's JSON error log.
        assert_eq!(
            parse(r#"{"prio":1,"msg":"x","time":"2024-05-01T08:00:00Z","label":"Error"}"#).level,
            Some(Level::Error)
        );
    }

    /// A request log's status that gave the level is still the request's status (what
    /// a burst of 5xx is attributed to); a request without a message gets the message an
    /// access log line would have.
    #[test]
    fn request_logs_keep_their_status_and_get_a_message() {
        let r = parse(
            r#"{"method":"GET","path":"/api/orders/7","format":"json","status":502,"time":"2024-05-01T08:00:00.123Z","duration_s":0.012}"#,
        );
        assert_eq!(r.level, Some(Level::Error));
        assert_eq!(r.field("status"), Some("502"));
        assert_eq!(r.message, "GET /api/orders/7 502");
        // Echo's access log: `uri`, and `error` is no message.
        let r = parse(
            r#"{"time":"2024-05-01T08:00:00.123Z","remote_ip":"10.0.1.5","method":"GET","uri":"/x?a=1","status":200,"error":""}"#,
        );
        assert_eq!((r.level, r.message.as_str()), (Some(Level::Info), "GET /x?a=1 200"));
        // nginx `escape=json`: the request line.
        let r = parse(r#"{"time_local":"01/May/2024:08:00:00 +0000","request":"GET / HTTP/1.1","status":"404"}"#);
        assert_eq!(r.message, "GET / HTTP/1.1 404");
        assert_eq!(r.field("status"), Some("404"));
        // A record's own message stays; a status that is no HTTP code makes none.
        let r = parse(r#"{"ts":1714550400,"msg":"handled request","method":"GET","uri":"/x","status":503}"#);
        assert_eq!(r.message, "handled request");
        let r = parse(r#"{"ts":1714550400,"method":"GET","path":"/x","status":"error"}"#);
        assert_eq!(r.message, "");
        // A level key's own level leaves the status a field as any other.
        let r = parse(r#"{"ts":1714550400,"level":"info","msg":"m","status":500}"#);
        assert_eq!((r.level, r.field("status")), (Some(Level::Info), Some("500")));
    }

    /// Heroku's `at=` is a level only with a level word (JSON `at` times stay fields).
    #[test]
    fn heroku_at_is_a_level_word() {
        let r = parse(r#"{"at":"error","code":"H12","ts":1714550400}"#);
        assert_eq!(r.level, Some(Level::Error));
        let r = parse(r#"{"at":"2024-05-01T08:00:00Z","ts":1714550400}"#);
        assert_eq!((r.level, r.field("at")), (None, Some("2024-05-01T08:00:00Z")));
    }

    #[test]
    fn python_json_logging_and_clickhouse() {
        assert_eq!(
            header(
                r#"{"written_at":"2024-05-01T08:00:00.123Z","written_ts":1714550400123000000,"type":"log","logger":"root","level":"ERROR","msg":"json-logging"}"#
            ),
            want(
                "2024-05-01T08:00:00.123Z",
                Some(Level::Error),
                "json-logging",
                Some("root")
            )
        );
        assert_eq!(
            header(
                r##"{"date_time":"1714550400.123456","thread_name":"#1","level":"Trace","logger_name":"BaseDaemon","message":"ch"}"##
            ),
            want(
                "2024-05-01T08:00:00.123456Z",
                Some(Level::Trace),
                "ch",
                Some("BaseDaemon")
            )
        );
    }

    #[test]
    fn numeric_level_scales() {
        assert_eq!(level_text("3"), Some(Level::Error));
        assert_eq!(level_text("6"), Some(Level::Info));
        assert_eq!(level_text("0"), Some(Level::Fatal));
        assert_eq!(level_text("30"), Some(Level::Info));
        assert_eq!(level_text("50"), Some(Level::Error));
        assert_eq!(level_text("400"), None);
        assert_eq!(level_text("LOG"), Some(Level::Info));
        assert_eq!(level_text("D5"), Some(Level::Debug));
        assert_eq!(level_text("X5"), None);
        assert_eq!(level_text("eror"), Some(Level::Error));
        assert_eq!(level_value("severityNumber", "13", true, 13), Some(Level::Warn));
        assert_eq!(level_value("severityNumber", "25", true, 13), None);
        assert_eq!(level_value("s", "30", false, WEAK_LEVEL_LETTER), None);
        assert_eq!(level_value("status", "200", true, WEAK_LEVEL_STATUS), Some(Level::Info));
        assert_eq!(level_value("status", "600", true, WEAK_LEVEL_STATUS), None);
    }

    #[test]
    fn detection() {
        let lines = [
            r#"{"level":"info","ts":1700000000.1,"msg":"a"}"#,
            r#"{"level":"error","ts":1700000000.2,"msg":"b"}"#,
            "java.lang.RuntimeException: x",
            "\tat a.b.C(C.java:1)",
            r#"{"level":"info","ts":1700000000.3,"msg":"c"}"#,
            "",
            r#"{"level":"info","ts":1700000000.4,"msg":"d"}"#,
        ];
        let c = detect(&lines, &ctx()).expect("json");
        assert_eq!(c.name, "json");
        assert_eq!(c.specificity, specificity::JSON);
        assert!(detect(&["2024-01-01 INFO hello", "{not json}", "plain"], &ctx()).is_none());
        assert!(detect(&[], &ctx()).is_none());
    }
}
