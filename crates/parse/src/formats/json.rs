//! JSON lines: one JSON object per line, as written by structured loggers.
//!
//! ```text
//! {"@timestamp":"2024-01-01T10:00:00.123Z","log":{"level":"ERROR","logger":"c.a.Billing"},"message":"charge failed","user":{"id":42}}
//! ```
//!
//! The object is flattened (`user.id`) and well-known keys are lifted into the record
//! header, first present wins within each group:
//!
//! * time: `@timestamp` `timestamp` `time` `ts` `t` `datetime` `date` `asctime` `eventTime` `@t`
//! * level: `level` `log.level` `severity` `lvl` `levelname` `loglevel` `log_level` `@l`
//! * message: `message` `msg` `event` `log` `text` `@m` `@mt`
//! * module: `logger` `logger_name` `log.logger` `loggerName` `module` `component` `caller`
//!   `log.origin.file.name`
//! * host: `host` `hostname` `host.name` `host.hostname`
//! * service: `service` `service.name` `app` `application` `name`
//!
//! This covers ECS/Logstash, Bunyan, pino, zap, logrus, structlog, python-json-logger and
//! Serilog's compact format; logfmt and CSV use the same lists. Keys are matched exactly,
//! then case-insensitively (`Message`, `Level`) at a lower rank. String timestamps go
//! through [`timestamp::parse_text`], numbers by the magnitude rules of
//! [`timestamp::from_epoch_number`] (pino's milliseconds, zap's float seconds), read from
//! the number's decimal text so no nanoseconds are lost; string levels through
//! [`Level::parse_loose`] (plus log15's `eror`/`dbug`), numbers through
//! [`Level::from_bunyan`]. A candidate value that does not parse (a `time` holding
//! `"12ms"`, a `service` holding `"18ms"`) stays in `fields` and the next key is tried.
//! A `:<digits>` suffix is cut from the module (`caller: "pkg/file.go:42"`).
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
use crate::timestamp::{self, TimeContext};
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
}

/// A JSON object with a top-level time under a timestamp key (see [`key_role`]): the
/// head of a JSON log record, not a payload printed under a text record.
pub fn object_with_time(line: &str, ctx: &TimeContext) -> bool {
    let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(line) else {
        return false;
    };
    map.iter().any(|(k, v)| {
        matches!(key_role(k), Some((Role::Ts, _)))
            && match v {
                serde_json::Value::String(t) => crate::timestamp::parse_text(t, ctx).is_some(),
                serde_json::Value::Number(n) => n.as_f64().and_then(crate::timestamp::from_epoch_number).is_some(),
                _ => false,
            }
    })
}

/// Role and rank (lower wins) of a key under the conventions shared by the JSON, logfmt
/// and CSV formats. Exact spellings first; a case-insensitive match ranks after them.
pub(crate) fn key_role(key: &str) -> Option<(Role, u8)> {
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
    exact_role(lower).map(|(role, rank)| (role, rank + 32))
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

        "level" => (Role::Level, 1),
        "log.level" => (Role::Level, 2),
        "severity" => (Role::Level, 3),
        "lvl" => (Role::Level, 4),
        "levelname" => (Role::Level, 5),
        "loglevel" => (Role::Level, 6),
        "log_level" => (Role::Level, 7),
        "@l" => (Role::Level, 8),

        "message" => (Role::Msg, 1),
        "msg" => (Role::Msg, 2),
        "event" => (Role::Msg, 3),
        "log" => (Role::Msg, 4),
        "text" => (Role::Msg, 5),
        "@m" => (Role::Msg, 6),
        "@mt" => (Role::Msg, 7),

        "logger" => (Role::Module, 1),
        "logger_name" => (Role::Module, 2),
        "log.logger" => (Role::Module, 3),
        "loggerName" | "loggername" => (Role::Module, 4),
        "module" => (Role::Module, 5),
        "component" => (Role::Module, 6),
        "caller" => (Role::Module, 7),
        "log.origin.file.name" => (Role::Module, 8),

        "host" => (Role::Host, 1),
        "hostname" => (Role::Host, 2),
        "host.name" => (Role::Host, 3),
        "host.hostname" => (Role::Host, 4),

        "service" => (Role::Service, 1),
        "service.name" => (Role::Service, 2),
        "app" => (Role::Service, 3),
        "application" => (Role::Service, 4),
        "name" => (Role::Service, 5),
        _ => return None,
    })
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

/// A level written as text: [`Level::parse_loose`], plus log15's four-letter `eror` and
/// `dbug` (Grafana, go-ethereum), which it does not know.
pub(crate) fn level_text(v: &str) -> Option<Level> {
    Level::parse_loose(v).or_else(|| {
        let t = v.trim();
        if t.eq_ignore_ascii_case("eror") {
            Some(Level::Error)
        } else if t.eq_ignore_ascii_case("dbug") {
            Some(Level::Debug)
        } else {
            None
        }
    })
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
    let mut best: [Option<(u8, usize)>; 6] = [None; 6];
    let mut ts = None;
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
            Role::Ts => {
                let parsed = if is_num {
                    match epoch_from_number_text(v) {
                        Some(t) => timestamp::TextTime::Valid(t),
                        None => timestamp::TextTime::Impossible,
                    }
                } else {
                    timestamp::parse_text_checked(v, ctx)
                };
                match parsed {
                    timestamp::TextTime::Valid(t) => ts = Some(t),
                    timestamp::TextTime::Impossible => {
                        impossible_ts = true;
                        continue;
                    }
                    timestamp::TextTime::None => continue,
                }
            }
            Role::Level => {
                let parsed = if is_num {
                    v.parse::<i64>().ok().and_then(Level::from_bunyan)
                } else {
                    level_text(v)
                };
                match parsed {
                    Some(l) => level = Some(l),
                    None => continue,
                }
            }
            Role::Msg => {}
            Role::Host => {
                if v.trim().is_empty() {
                    continue;
                }
            }
            Role::Module | Role::Service => {
                if v.trim().is_empty() || is_quantity(v) {
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
    }
    let mut take = |slot: Role| best[slot as usize].map(|(_, i)| std::mem::take(&mut rec.fields[base + i].1));
    let msg = take(Role::Msg);
    let module = take(Role::Module);
    let host = take(Role::Host);
    let service = take(Role::Service);
    if let Some(m) = msg {
        set_message(rec, m);
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
    let mut idx = 0usize;
    rec.fields.retain(|_| {
        let used = idx >= base && best.iter().flatten().any(|&(_, i)| i == idx - base);
        idx += 1;
        !used
    });
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
            key_role(key)
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
