//! W3C Extended Log File Format: Microsoft IIS's default log, also written by Azure App
//! Service (HTTP logs), HTTP.sys (`HTTPERR`), IIS FTP and SMTP, Windows Firewall
//! (`pfirewall.log`), Amazon CloudFront (tab-separated) and Exchange (comma-separated).
//!
//! ```text
//! #Software: Microsoft Internet Information Services 10.0
//! #Version: 1.0
//! #Date: 2026-12-07 09:00:00
//! #Fields: date time s-sitename s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken
//! 2026-12-07 09:00:00 W3SVC1 10.0.0.5 GET /api/orders/42 id=7&x=1 443 - 10.0.1.9 Mozilla/5.0+(Windows+NT+10.0) - 500 0 0 15
//! ```
//!
//! Lines starting with `#` are directives; `#Fields:` names the columns. Values are
//! separated by spaces (tabs in CloudFront's logs, told from the sample's rows; commas,
//! CSV-quoted, where the `#Fields:` names are comma-separated, as in Exchange's); `-` is
//! an empty value. Mapping: `date` + `time` (or a lone `datetime`/`date-time`, or a
//! lone `time` on the date of the `#Date:` directive) give the timestamp, in UTC as
//! IIS writes them whatever the context zone, or in the context zone under
//! `#Time Format: Local` (Windows Firewall). The level is ERROR for a 5xx `sc-status`,
//! WARN for 4xx, INFO otherwise (as for access logs); without a status column a
//! `level`/`severity` column gives it, else there is none. The message is the request
//! line and the status, as the access log parser writes it (`GET /a?x=1 HTTP/1.1 500`;
//! `cs-version` only when logged): method, `cs-uri-stem` plus `?cs-uri-query` (or
//! `cs-uri`), version, status, each left out when `-`. A row with none of those
//! (a firewall, an idle-connection line in `HTTPERR`) has its values, `-` left out,
//! as its message. Fields: `client_ip` (`c-ip`), `user` (`cs-username`), `method`,
//! `path`, `protocol`, `query.<name>` (as [`super::access`] reads a request line),
//! `status`, `substatus`, `win32_status`, `request_time_ms` (`time-taken`: integer
//! milliseconds in IIS; a decimal is seconds, as in CloudFront), `user_agent`
//! (`cs(User-Agent)`: `+` is a space in space-separated logs, percent-escapes are
//! decoded in the others), `referer`, `vhost` (`cs-host`, `cs(Host)`), `bytes`
//! (`sc-bytes`), and every other column under its own name; `s-computername` is the
//! record's host and `s-sitename` its service. Empty values are left out.
//!
//! Which `#Fields:` applies: the parser is shared by chunks parsed in parallel, so it
//! cannot follow directives in file order. It knows every distinct `#Fields:` line in
//! the detection sample (IIS repeats the block after each restart, usually unchanged)
//! and reads each row with the one whose column count it has and whose typed columns
//! (date, time, status, ports, addresses, numbers) its values fit. Where several fit,
//! the columns they name alike are read and the others are `colN` (1-based). A row that
//! fits none (a `#Fields:` past the sample changed the columns) is never read with the
//! wrong names: when it starts with a date and time it is a record with that time, the
//! whole line as its message, no level and a field `unmatched_columns` (its column
//! count); otherwise it is not a record head. Without any `#Fields:` in the sample, the
//! default column sets of IIS 6 to 10 are tried (a file cut from its header), strictly.
//!
//! Directive lines are [`LineParser::is_directive`]: the assembler counts and drops
//! them wherever they are. They are no record heads either, and their continuation
//! text is empty (a `#Date: 2026-…` line is not taken for the head of an appended log).

use std::borrow::Cow;
use std::sync::Arc;

use crate::formats::{Candidate, LineParser};
use crate::record::FieldName;
use crate::timestamp::{self, TimeContext, TsLayout, Zone};
use crate::{Level, Record};

/// Above CSV with a header (70): the `#Fields:` directive and typed columns make a
/// match certain; below JSON (80), which never contends.
const SPECIFICITY: u8 = 75;

/// Most columns a row may have (CloudFront writes 33).
const MAX_COLS: usize = 64;

/// What a column holds, from its W3C name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Date,
    Time,
    DateTime,
    Method,
    UriStem,
    UriQuery,
    Uri,
    Version,
    Status,
    Substatus,
    Win32Status,
    TimeTaken,
    ClientIp,
    User,
    UserAgent,
    Referer,
    Computer,
    Site,
    Vhost,
    Bytes,
    Level,
    Other,
}

/// What a column's values must look like (`-` and empty always fit but in `Date` and
/// `Time`). Checked on every row, so that a row written under another `#Fields:` line
/// with as many columns is not read with this one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Any,
    /// `YYYY-MM-DD`.
    Date,
    /// `HH:MM:SS[.fff]`.
    Time,
    Digits,
    /// Digits with at most one `.`.
    Number,
    /// IPv4 or IPv6 characters.
    Ip,
    /// No `/` (an HTTP or FTP verb).
    Verb,
    /// Upper-case letters, `-` and `_` only (an HTTP method; headerless defaults).
    Method,
    /// Starts with `/` (a URI path; headerless defaults).
    Path,
}

impl Shape {
    fn fits(self, v: &str) -> bool {
        let b = v.as_bytes();
        match self {
            Shape::Date => date_parts(b).is_some(),
            Shape::Time => time_parts(b).is_some(),
            _ if v == "-" || v.is_empty() => true,
            Shape::Any => true,
            Shape::Digits => !b.is_empty() && b.len() <= 20 && b.iter().all(u8::is_ascii_digit),
            Shape::Number => {
                !b.is_empty()
                    && b.len() <= 24
                    && b.iter().all(|c| c.is_ascii_digit() || *c == b'.')
                    && b.iter().filter(|c| **c == b'.').count() <= 1
                    && b.iter().any(u8::is_ascii_digit)
            }
            Shape::Ip => {
                !b.is_empty()
                    && b.len() <= 64
                    && b.iter()
                        .all(|c| c.is_ascii_hexdigit() || matches!(c, b'.' | b':' | b'[' | b']' | b'%'))
            }
            Shape::Verb => !b.is_empty() && !b.contains(&b'/'),
            Shape::Method => !b.is_empty() && b.iter().all(|c| c.is_ascii_uppercase() || matches!(c, b'-' | b'_')),
            Shape::Path => b.first() == Some(&b'/'),
        }
    }
}

#[derive(Debug, Clone)]
struct Column {
    role: Role,
    shape: Shape,
    /// The field name a value of role `Other` is kept under.
    name: FieldName,
}

/// One `#Fields:` line, read.
#[derive(Debug, Clone)]
struct Layout {
    /// The names as written, for telling layouts apart.
    names: Vec<String>,
    cols: Vec<Column>,
    date: Option<usize>,
    time: Option<usize>,
    datetime: Option<usize>,
    method: Option<usize>,
    stem: Option<usize>,
    query: Option<usize>,
    uri: Option<usize>,
    version: Option<usize>,
    status: Option<usize>,
    level: Option<usize>,
    /// Days since 1970 of the `#Date:` directive before this `#Fields:`, for rows with
    /// a time and no date.
    day: Option<i64>,
}

/// Common column names kept as static strings (no allocation per row).
const STATIC_NAMES: [&str; 12] = [
    "s-ip",
    "s-port",
    "cs-bytes",
    "cs(Cookie)",
    "cs-protocol",
    "x-edge-location",
    "x-edge-result-type",
    "x-edge-request-id",
    "x-host-header",
    "x-forwarded-for",
    "s-reason",
    "action",
];

fn role_of(name: &str) -> Role {
    let lower = name.to_ascii_lowercase();
    match lower.as_str() {
        "date" => Role::Date,
        "time" => Role::Time,
        "datetime" | "date-time" => Role::DateTime,
        "cs-method" => Role::Method,
        "cs-uri-stem" => Role::UriStem,
        "cs-uri-query" => Role::UriQuery,
        "cs-uri" => Role::Uri,
        "cs-version" | "cs-protocol-version" => Role::Version,
        "sc-status" => Role::Status,
        "sc-substatus" => Role::Substatus,
        "sc-win32-status" => Role::Win32Status,
        "time-taken" => Role::TimeTaken,
        "c-ip" => Role::ClientIp,
        "cs-username" => Role::User,
        "cs(user-agent)" => Role::UserAgent,
        "cs(referer)" | "cs(referrer)" => Role::Referer,
        "s-computername" => Role::Computer,
        "s-sitename" => Role::Site,
        "cs-host" | "cs(host)" => Role::Vhost,
        "sc-bytes" => Role::Bytes,
        "level" | "severity" | "s-level" | "s-severity" | "x-level" | "x-severity" => Role::Level,
        _ => Role::Other,
    }
}

fn shape_of(role: Role, name: &str, strict: bool) -> Shape {
    let lower = name.to_ascii_lowercase();
    match role {
        Role::Date => Shape::Date,
        Role::Time => Shape::Time,
        Role::Status | Role::Substatus | Role::Win32Status | Role::Bytes => Shape::Digits,
        Role::TimeTaken => Shape::Number,
        Role::ClientIp => Shape::Ip,
        Role::Method if strict => Shape::Method,
        Role::Method => Shape::Verb,
        Role::UriStem if strict => Shape::Path,
        Role::Other if lower.ends_with("-ip") => Shape::Ip,
        Role::Other if lower.ends_with("port") || lower.ends_with("-bytes") => Shape::Digits,
        _ => Shape::Any,
    }
}

impl Layout {
    /// A layout from the names of a `#Fields:` line; `strict` for the guessed defaults.
    fn new(names: &[&str], day: Option<i64>, strict: bool) -> Layout {
        let mut l = Layout {
            names: names.iter().map(|n| n.to_string()).collect(),
            cols: Vec::with_capacity(names.len()),
            date: None,
            time: None,
            datetime: None,
            method: None,
            stem: None,
            query: None,
            uri: None,
            version: None,
            status: None,
            level: None,
            day,
        };
        for (i, &name) in names.iter().enumerate() {
            let role = role_of(name);
            let slot = match role {
                Role::Date => Some(&mut l.date),
                Role::Time => Some(&mut l.time),
                Role::DateTime => Some(&mut l.datetime),
                Role::Method => Some(&mut l.method),
                Role::UriStem => Some(&mut l.stem),
                Role::UriQuery => Some(&mut l.query),
                Role::Uri => Some(&mut l.uri),
                Role::Version => Some(&mut l.version),
                Role::Status => Some(&mut l.status),
                Role::Level => Some(&mut l.level),
                _ => None,
            };
            // A name given twice: the first column has the role, the second is kept
            // under its name.
            let role = match slot {
                Some(s) if s.is_some() => Role::Other,
                Some(s) => {
                    *s = Some(i);
                    role
                }
                None => role,
            };
            let static_name = STATIC_NAMES.iter().find(|s| **s == name);
            l.cols.push(Column {
                role,
                shape: shape_of(role, name, strict),
                name: match static_name {
                    Some(s) => Cow::Borrowed(*s),
                    None => Cow::Owned(name.to_string()),
                },
            });
        }
        l
    }

    /// Several layouts with as many columns, as one: the columns all of them name alike
    /// keep their role; the others are `colN`, checked against nothing.
    fn merged(layouts: &[&Layout]) -> Layout {
        let first = layouts[0];
        let names: Vec<String> = (0..first.names.len())
            .map(|i| {
                let n = &first.names[i];
                if layouts.iter().all(|l| l.names[i].eq_ignore_ascii_case(n)) {
                    n.clone()
                } else {
                    format!("col{}", i + 1)
                }
            })
            .collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let mut merged = Layout::new(&refs, first.day, false);
        for (i, c) in merged.cols.iter_mut().enumerate() {
            if c.role != first.cols[i].role {
                continue;
            }
            c.shape = first.cols[i].shape;
        }
        merged
    }

    fn fits(&self, cols: &[&str]) -> bool {
        cols.len() == self.cols.len() && self.cols.iter().zip(cols).all(|(c, v)| c.shape.fits(v))
    }
}

/// `YYYY-MM-DD` as numbers (shape only).
fn date_parts(b: &[u8]) -> Option<(i64, u32, u32)> {
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let n = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter()
            .try_fold(0u32, |acc, c| c.is_ascii_digit().then(|| acc * 10 + (c - b'0') as u32))
    };
    Some((n(0..4)? as i64, n(5..7)?, n(8..10)?))
}

/// `HH:MM:SS[.fff]` as (seconds of day, nanoseconds), shape only.
fn time_parts(b: &[u8]) -> Option<(u32, u32, u32, i64)> {
    if b.len() < 8 || b[2] != b':' || b[5] != b':' {
        return None;
    }
    let two = |i: usize| -> Option<u32> {
        let (h, l) = (b[i], b[i + 1]);
        (h.is_ascii_digit() && l.is_ascii_digit()).then(|| ((h - b'0') * 10 + (l - b'0')) as u32)
    };
    let (h, m, s) = (two(0)?, two(3)?, two(6)?);
    let mut nanos = 0i64;
    if b.len() > 8 {
        let frac = &b[9..];
        if b[8] != b'.' || frac.is_empty() || frac.len() > 9 || !frac.iter().all(u8::is_ascii_digit) {
            return None;
        }
        for i in 0..9 {
            nanos = nanos * 10 + frac.get(i).map_or(0, |c| (c - b'0') as i64);
        }
    }
    Some((h, m, s, nanos))
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

/// Days since 1970 of a `YYYY-MM-DD` that names a real date.
fn day_number(b: &[u8]) -> Option<i64> {
    let (y, m, d) = date_parts(b)?;
    ((1..=12).contains(&m) && d >= 1 && d <= days_in_month(y, m)).then(|| timestamp::days_from_civil(y, m, d))
}

/// What a row's time columns say.
enum RowTime {
    At(i64),
    Impossible,
    Missing,
}

/// Unix nanoseconds of a day and a `HH:MM:SS[.fff]`, in UTC or in the context zone.
fn at_day(day: Option<i64>, time: &str, local: bool, ctx: &TimeContext) -> RowTime {
    let (Some(day), Some((h, m, s, nanos))) = (day, time_parts(time.as_bytes())) else {
        return RowTime::Impossible;
    };
    if h > 23 || m > 59 || s > 60 {
        return RowTime::Impossible;
    }
    let mut secs = day * 86_400 + (h * 3600 + m * 60 + s) as i64;
    if local {
        secs -= ctx.zone.offset_at_local(secs) as i64;
    }
    match secs.checked_mul(1_000_000_000).and_then(|n| n.checked_add(nanos)) {
        Some(ns) => RowTime::At(ns),
        None => RowTime::Impossible,
    }
}

/// `-` is an empty value.
fn value(v: &str) -> Option<&str> {
    (v != "-" && !v.is_empty()).then_some(v)
}

/// What separates values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sep {
    /// The W3C draft and IIS: spaces, `+` for a space inside a value.
    Space,
    /// CloudFront: tabs, values URL-encoded.
    Tab,
    /// Exchange (message tracking, protocol logs): commas, CSV quoting.
    Comma,
}

/// Splits a row into `out` (the first [`MAX_COLS`] values); returns the column count.
/// Space-separated rows may have runs of spaces (read as one) and trailing blanks;
/// a comma-separated value may be quoted (`"a, b"`; its `""` stay doubled).
fn split<'a>(line: &'a str, sep: Sep, out: &mut [&'a str; MAX_COLS]) -> usize {
    let mut n = 0;
    let mut push = |v: &'a str| {
        if let Some(slot) = out.get_mut(n) {
            *slot = v;
        }
        n += 1;
    };
    match sep {
        Sep::Space => {
            for v in line.split([' ', '\t', '\r']).filter(|v| !v.is_empty()) {
                push(v);
            }
        }
        Sep::Tab => {
            for v in line.trim_end_matches(['\r', ' ']).split('\t') {
                push(v);
            }
        }
        Sep::Comma => {
            let line = line.trim_end_matches('\r');
            let b = line.as_bytes();
            let mut i = 0;
            loop {
                let mut end = i;
                let v = if b.get(i) == Some(&b'"') {
                    let mut j = i + 1;
                    while j < b.len() && !(b[j] == b'"' && b.get(j + 1) != Some(&b'"')) {
                        j += if b[j] == b'"' { 2 } else { 1 };
                    }
                    end = j;
                    line.get(i + 1..j.min(b.len())).unwrap_or("")
                } else {
                    ""
                };
                while end < b.len() && b[end] != b',' {
                    end += 1;
                }
                push(if b.get(i) == Some(&b'"') {
                    v
                } else {
                    line.get(i..end).unwrap_or("")
                });
                if end >= b.len() {
                    break;
                }
                i = end + 1;
            }
        }
    }
    n
}

/// Decodes `%XX` escapes (CloudFront's user agents); bad escapes stay literal.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: Option<&u8>| c.and_then(|c| (*c as char).to_digit(16));
        match (b[i], hex(b.get(i + 1)), hex(b.get(i + 2))) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// `time-taken` in milliseconds: IIS writes integer milliseconds, CloudFront decimal
/// seconds.
fn time_taken_ms(v: &str) -> String {
    if !v.contains('.') {
        return v.to_string();
    }
    let Ok(secs) = v.parse::<f64>() else {
        return v.to_string();
    };
    if !secs.is_finite() || secs > 1e9 {
        return v.to_string();
    }
    let micros = (secs * 1e6).round() as u64;
    let (ms, frac) = (micros / 1000, micros % 1000);
    if frac == 0 {
        ms.to_string()
    } else {
        let f = format!("{frac:03}");
        format!("{ms}.{}", f.trim_end_matches('0'))
    }
}

/// Is this line a directive (`#Fields:`, `#Date:`…), byte-order mark allowed?
fn is_directive(line: &str) -> bool {
    line.trim_start_matches('\u{feff}').starts_with('#')
}

/// How much of a record to fill.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Detail {
    /// `ts`, `level`, `message`.
    Message,
    /// Everything.
    All,
}

/// Parses W3C extended log rows; see the module documentation.
#[derive(Debug, Clone)]
pub struct W3cParser {
    /// Distinct `#Fields:` layouts in sample order (or the IIS defaults).
    layouts: Vec<Layout>,
    /// For each layout: the merge of all layouts with its column count, when there are
    /// several.
    merged: Vec<Option<usize>>,
    /// The merged layouts `merged` points into.
    merges: Vec<Layout>,
    sep: Sep,
    /// `#Time Format: Local`: times are in the context zone, not UTC.
    local: bool,
}

impl W3cParser {
    fn new(layouts: Vec<Layout>, sep: Sep, local: bool) -> W3cParser {
        let mut merges = Vec::new();
        let mut merged = vec![None; layouts.len()];
        for i in 0..layouts.len() {
            if merged[i].is_some() {
                continue;
            }
            let n = layouts[i].cols.len();
            let same: Vec<usize> = (i..layouts.len()).filter(|&j| layouts[j].cols.len() == n).collect();
            if same.len() > 1 {
                let group: Vec<&Layout> = same.iter().map(|&j| &layouts[j]).collect();
                merges.push(Layout::merged(&group));
                for j in same {
                    merged[j] = Some(merges.len() - 1);
                }
            }
        }
        W3cParser {
            layouts,
            merged,
            merges,
            sep,
            local,
        }
    }

    /// The layout a row is read with, if any.
    fn layout_for(&self, cols: &[&str]) -> Option<&Layout> {
        let mut found: Option<usize> = None;
        for (i, l) in self.layouts.iter().enumerate() {
            if !l.fits(cols) {
                continue;
            }
            match found {
                None => found = Some(i),
                // Two layouts fit: only what they agree on is read.
                Some(_) => return self.merged[i].map(|m| &self.merges[m]),
            }
        }
        found.map(|i| &self.layouts[i])
    }

    fn time_of(&self, l: &Layout, cols: &[&str], ctx: &TimeContext) -> RowTime {
        if let (Some(d), Some(t)) = (l.date, l.time) {
            return at_day(day_number(cols[d].as_bytes()), cols[t], self.local, ctx);
        }
        if let Some(dt) = l.datetime {
            let Some(v) = value(cols[dt]) else {
                return RowTime::Missing;
            };
            let utc;
            let tctx = if self.local {
                ctx
            } else {
                utc = TimeContext {
                    zone: Zone::utc(),
                    reference: ctx.reference,
                };
                &utc
            };
            return match timestamp::parse_text_checked(v, tctx) {
                timestamp::TextTime::Valid(ns) => RowTime::At(ns),
                timestamp::TextTime::Impossible => RowTime::Impossible,
                timestamp::TextTime::None => RowTime::Missing,
            };
        }
        if let Some(t) = l.time {
            let (y, m, d) = ctx.reference;
            let day = l.day.unwrap_or_else(|| timestamp::days_from_civil(y as i64, m, d));
            return at_day(Some(day), cols[t], self.local, ctx);
        }
        RowTime::Missing
    }

    fn read(&self, line: &str, ctx: &TimeContext, rec: &mut Record, detail: Detail) -> bool {
        if is_directive(line) {
            return false;
        }
        let mut buf = [""; MAX_COLS];
        let n = split(line, self.sep, &mut buf);
        let cols = &buf[..n.min(MAX_COLS)];
        let Some(l) = self.layout_for(cols).filter(|_| n <= MAX_COLS) else {
            return self.unmatched(line, cols, n, ctx, rec, detail);
        };
        match self.time_of(l, cols, ctx) {
            RowTime::At(ns) => rec.ts = Some(ns),
            RowTime::Impossible => rec.ts_invalid = true,
            RowTime::Missing => {}
        }
        let status = l.status.and_then(|i| value(cols[i]));
        rec.level = match (l.status, l.level) {
            (Some(_), _) => Some(match status.map(str::as_bytes) {
                Some([b'5', _, _]) => Level::Error,
                Some([b'4', _, _]) => Level::Warn,
                _ => Level::Info,
            }),
            (None, Some(i)) => value(cols[i]).and_then(Level::from_word),
            (None, None) => None,
        };
        // The request line, then the status, as access logs give it.
        let method = l.method.and_then(|i| value(cols[i]));
        let stem = l.uri.or(l.stem).and_then(|i| value(cols[i]));
        let query = l.query.and_then(|i| value(cols[i]));
        let version = l.version.and_then(|i| value(cols[i]));
        let msg = &mut rec.message;
        for part in [method, stem].into_iter().flatten() {
            if !msg.is_empty() {
                msg.push(' ');
            }
            msg.push_str(part);
        }
        if let Some(q) = query.filter(|_| stem.is_some()) {
            msg.push('?');
            msg.push_str(q);
        }
        if let Some(v) = version.filter(|_| !msg.is_empty()) {
            msg.push(' ');
            msg.push_str(v);
        }
        let request_len = msg.len();
        if let Some(s) = status {
            if !msg.is_empty() {
                msg.push(' ');
            }
            msg.push_str(s);
        }
        if msg.is_empty() {
            // No request: the row's values are its message.
            for (c, v) in l.cols.iter().zip(cols) {
                if matches!(c.role, Role::Date | Role::Time | Role::DateTime) {
                    continue;
                }
                if let Some(v) = value(v) {
                    if !msg.is_empty() {
                        msg.push(' ');
                    }
                    msg.push_str(v);
                }
            }
        }
        if detail == Detail::Message {
            return true;
        }
        let mut request_done = false;
        let f = &mut rec.fields;
        f.reserve(cols.len());
        for (c, v) in l.cols.iter().zip(cols) {
            if matches!(
                c.role,
                Role::Method | Role::UriStem | Role::UriQuery | Role::Uri | Role::Version
            ) {
                if !request_done {
                    request_done = true;
                    request_fields(&rec.message[..request_len], method, stem, version, f);
                }
                continue;
            }
            let Some(v) = value(v) else { continue };
            let name: &'static str = match c.role {
                Role::Date | Role::Time | Role::DateTime | Role::Level => continue,
                Role::Computer => {
                    rec.host = Some(v.to_string());
                    continue;
                }
                Role::Site => {
                    rec.service = Some(v.to_string());
                    continue;
                }
                Role::Other => {
                    f.push((c.name.clone(), v.to_string()));
                    continue;
                }
                Role::TimeTaken => {
                    f.push(("request_time_ms".into(), time_taken_ms(v)));
                    continue;
                }
                Role::UserAgent | Role::User => {
                    let text = if self.sep == Sep::Space {
                        v.replace('+', " ")
                    } else {
                        percent_decode(v)
                    };
                    let name = if c.role == Role::User { "user" } else { "user_agent" };
                    f.push((name.into(), text));
                    continue;
                }
                Role::Status => "status",
                Role::Substatus => "substatus",
                Role::Win32Status => "win32_status",
                Role::ClientIp => "client_ip",
                Role::Referer => "referer",
                Role::Vhost => "vhost",
                Role::Bytes => "bytes",
                Role::Method | Role::UriStem | Role::UriQuery | Role::Uri | Role::Version => continue,
            };
            f.push((name.into(), v.to_string()));
        }
        true
    }

    /// A row no known `#Fields:` line fits: a record with its time and the whole line
    /// when it starts with a date and time, else no record head.
    fn unmatched(
        &self,
        line: &str,
        cols: &[&str],
        count: usize,
        ctx: &TimeContext,
        rec: &mut Record,
        detail: Detail,
    ) -> bool {
        let [d, t, ..] = cols else { return false };
        if !Shape::Date.fits(d) || !Shape::Time.fits(t) {
            return false;
        }
        match at_day(day_number(d.as_bytes()), t, self.local, ctx) {
            RowTime::At(ns) => rec.ts = Some(ns),
            _ => rec.ts_invalid = true,
        }
        rec.message.push_str(line.trim());
        if detail == Detail::All {
            rec.fields.push(("unmatched_columns".into(), count.to_string()));
        }
        true
    }
}

/// The request fields of a row: [`super::access`]'s reading of its request line
/// (`method`, `path`, `protocol`, `query.*`), or, for what is no HTTP request line (an
/// FTP verb, a lone path), the parts as they are.
fn request_fields(
    request: &str,
    method: Option<&str>,
    stem: Option<&str>,
    version: Option<&str>,
    f: &mut Vec<(FieldName, String)>,
) {
    let before = f.len();
    if method.is_some() && stem.is_some() {
        super::access::request_fields(request, f);
        if f.len() > before {
            return;
        }
    }
    if let Some(m) = method {
        f.push(("method".into(), m.to_string()));
    }
    if let Some(s) = stem {
        f.push(("path".into(), s.split_once('?').map_or(s, |(p, _)| p).to_string()));
    }
    if let Some(v) = version {
        f.push(("protocol".into(), v.to_string()));
    }
}

impl LineParser for W3cParser {
    fn parse_line(&self, line: &str, ctx: &TimeContext, rec: &mut Record) -> bool {
        self.read(line, ctx, rec, Detail::All)
    }

    fn parse_message(&self, line: &str, ctx: &TimeContext, rec: &mut Record) -> bool {
        self.read(line, ctx, rec, Detail::Message)
    }

    fn starts_record(&self, line: &str, ctx: &TimeContext) -> bool {
        let mut scratch = Record::default();
        self.read(line, ctx, &mut scratch, Detail::Message)
    }

    fn has_directives(&self) -> bool {
        true
    }

    fn is_directive(&self, line: &str) -> bool {
        is_directive(line)
    }

    /// A directive adds nothing to the record above it (and is not taken for the head
    /// of a foreign log: `#Date: 2026-…` starts with a date after one word).
    fn continuation_text<'a>(&self, line: &'a str, _ctx: &TimeContext) -> Cow<'a, str> {
        if is_directive(line) {
            Cow::Borrowed("")
        } else {
            Cow::Borrowed(line)
        }
    }
}

/// IIS's default column sets, for a file without its `#Fields:` line: IIS 8.5 and
/// later, IIS 7 and 7.5, the same with the site name (IIS 6 style), IIS 6.
const IIS_DEFAULTS: [&str; 4] = [
    "date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken",
    "date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) sc-status sc-substatus sc-win32-status time-taken",
    "date time s-sitename s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken",
    "date time s-sitename s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) sc-status sc-substatus sc-win32-status",
];

/// A W3C extended log when the sample has a `#Fields:` directive (or rows in one of
/// IIS's default column sets, without directives) and at least 80% of its other
/// non-empty lines are rows that a layout fits.
pub fn detect(sample: &[&str], _ctx: &TimeContext) -> Option<Candidate> {
    let mut layouts: Vec<Layout> = Vec::new();
    let mut day = None;
    let mut local = false;
    let mut comma = false;
    let mut rows: Vec<&str> = Vec::new();
    for line in sample {
        let line = line.trim_start_matches('\u{feff}');
        let t = line.trim_end();
        if t.is_empty() {
            continue;
        }
        let Some(directive) = t.strip_prefix('#') else {
            rows.push(line);
            continue;
        };
        let (name, rest) = directive.split_once(':').unwrap_or((directive, ""));
        let rest = rest.trim();
        match name.trim().to_ascii_lowercase().as_str() {
            "fields" => {
                // Exchange separates the names (and values) with commas.
                comma |= layouts.is_empty() && rest.contains(',');
                let names: Vec<&str> = if comma {
                    rest.split(',').map(str::trim).collect()
                } else {
                    rest.split_whitespace().collect()
                };
                if !names.is_empty()
                    && names.len() <= MAX_COLS
                    && !layouts
                        .iter()
                        .any(|l| l.names.iter().map(String::as_str).eq(names.iter().copied()))
                {
                    layouts.push(Layout::new(&names, day, false));
                }
            }
            "date" => day = rest.get(..10).and_then(|d| day_number(d.as_bytes())),
            "time format" => local = rest.eq_ignore_ascii_case("local"),
            _ => {}
        }
    }
    if rows.is_empty() {
        return None;
    }
    let tabbed = rows.iter().filter(|r| r.contains('\t')).count();
    let sep = if comma {
        Sep::Comma
    } else if tabbed * 2 > rows.len() {
        Sep::Tab
    } else {
        Sep::Space
    };
    let headerless = layouts.is_empty();
    if headerless {
        for names in IIS_DEFAULTS {
            let names: Vec<&str> = names.split(' ').collect();
            layouts.push(Layout::new(&names, None, true));
        }
    }
    let parser = W3cParser::new(layouts, sep, local);
    let mut fitting = 0usize;
    let mut buf = [""; MAX_COLS];
    for row in &rows {
        let n = split(row, sep, &mut buf);
        if n <= MAX_COLS && parser.layout_for(&buf[..n]).is_some() {
            fitting += 1;
        }
    }
    // Without a header the guess must be all but certain.
    let enough = if headerless {
        fitting >= 2 && fitting * 10 >= rows.len() * 9
    } else {
        fitting >= 1 && fitting * 5 >= rows.len() * 4
    };
    if !enough {
        return None;
    }
    let first = &parser.layouts[0];
    let ts_layout = if (first.date.is_some() && first.time.is_some()) || first.datetime.is_some() {
        Some(TsLayout::Iso)
    } else if first.time.is_some() {
        Some(TsLayout::TimeOnly)
    } else {
        None
    };
    Some(Candidate {
        name: if headerless { "w3c-iis-default" } else { "w3c" }.to_string(),
        parser: Arc::new(parser),
        ts_layout,
        specificity: SPECIFICITY,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::testing::{ctx, fields};
    use crate::record::rfc3339;

    const IIS: [&str; 6] = [
        "#Software: Microsoft Internet Information Services 10.0",
        "#Version: 1.0",
        "#Date: 2026-12-07 09:00:00",
        "#Fields: date time s-sitename s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken",
        "2026-12-07 09:00:00 W3SVC1 10.0.0.5 GET /api/orders/42 id=7&x=1 443 - 10.0.1.9 Mozilla/5.0+(Windows+NT+10.0) - 500 0 0 15",
        "2026-12-07 09:00:01 W3SVC1 10.0.0.5 POST /login - 443 CONTOSO\\jane+doe 10.0.1.7 curl/8.4.0 https://ex.com/a?b=1 404 2 64 120",
    ];

    fn parser_for(sample: &[&str]) -> Arc<dyn LineParser> {
        detect(sample, &ctx()).expect("detected").parser
    }

    fn parse(p: &dyn LineParser, line: &str) -> Option<Record> {
        crate::formats::testing::parse_with(p, line)
    }

    #[test]
    fn iis_rows_are_read_by_their_fields_directive() {
        let c = detect(&IIS, &ctx()).unwrap();
        assert_eq!((c.name.as_str(), c.ts_layout), ("w3c", Some(TsLayout::Iso)));
        let p = c.parser;
        let r = parse(p.as_ref(), IIS[4]).unwrap();
        assert_eq!(rfc3339(r.ts.unwrap()), "2026-12-07T09:00:00Z");
        assert_eq!(r.level, Some(Level::Error));
        assert_eq!(r.message, "GET /api/orders/42?id=7&x=1 500");
        assert_eq!(r.service.as_deref(), Some("W3SVC1"));
        assert_eq!(r.host, None);
        assert_eq!(
            fields(&r),
            vec![
                ("s-ip", "10.0.0.5"),
                ("method", "GET"),
                ("path", "/api/orders/42"),
                ("query.id", "7"),
                ("query.x", "1"),
                ("s-port", "443"),
                ("client_ip", "10.0.1.9"),
                ("user_agent", "Mozilla/5.0 (Windows NT 10.0)"),
                ("status", "500"),
                ("substatus", "0"),
                ("win32_status", "0"),
                ("request_time_ms", "15"),
            ]
        );
        let r = parse(p.as_ref(), IIS[5]).unwrap();
        assert_eq!(r.level, Some(Level::Warn));
        assert_eq!(r.message, "POST /login 404");
        assert_eq!(r.field("user"), Some("CONTOSO\\jane doe"));
        assert_eq!(r.field("user_agent"), Some("curl/8.4.0"));
        assert_eq!(r.field("referer"), Some("https://ex.com/a?b=1"));
        assert_eq!(r.field("substatus"), Some("2"));
        assert_eq!(r.field("win32_status"), Some("64"));
        assert_eq!(r.field("request_time_ms"), Some("120"));
        assert_eq!(r.field("query.b"), None);
        // 3xx and 2xx are INFO.
        let ok = IIS[4].replace(" 500 0 0 15", " 302 0 0 15");
        assert_eq!(parse(p.as_ref(), &ok).unwrap().level, Some(Level::Info));
    }

    #[test]
    fn times_are_utc_whatever_the_context_zone() {
        let p = parser_for(&IIS);
        let tokyo = TimeContext {
            zone: Zone::parse("+09:00").unwrap(),
            reference: (2026, 12, 7),
        };
        let mut r = Record::default();
        assert!(p.parse_line(IIS[4], &tokyo, &mut r));
        assert_eq!(rfc3339(r.ts.unwrap()), "2026-12-07T09:00:00Z");
        // Fractions are kept; an impossible date is flagged, the row still a record.
        let r = parse(p.as_ref(), &IIS[4].replace("09:00:00", "09:00:00.250")).unwrap();
        assert_eq!(rfc3339(r.ts.unwrap()), "2026-12-07T09:00:00.250Z");
        let r = parse(p.as_ref(), &IIS[4].replace("2026-12-07", "2026-02-30")).unwrap();
        assert!(r.ts_invalid);
        assert_eq!(r.level, Some(Level::Error));
    }

    #[test]
    fn directives_are_not_heads_and_add_nothing() {
        let p = parser_for(&IIS);
        for d in &IIS[..4] {
            assert!(parse(p.as_ref(), d).is_none(), "{d}");
            assert!(!p.starts_record(d, &ctx()));
            assert_eq!(p.continuation_text(d, &ctx()), "");
        }
        assert!(parse(p.as_ref(), "\u{feff}#Software: x").is_none());
        assert_eq!(p.continuation_text(IIS[4], &ctx()), IIS[4]);
        // Not taken for the head of an appended log either.
        assert!(!crate::detect::looks_like_foreign_head(
            &p.continuation_text(IIS[2], &ctx()),
            &ctx()
        ));
    }

    #[test]
    fn fewer_columns_and_a_row_that_fits_no_fields_line() {
        let sample = [
            "#Version: 1.0",
            "#Fields: date time c-ip cs-method cs-uri-stem sc-status",
            "2026-12-07 09:00:00 10.0.0.1 GET /health 200",
            "2026-12-07 09:00:01 10.0.0.1 GET /x 503",
        ];
        let p = parser_for(&sample);
        let r = parse(p.as_ref(), sample[3]).unwrap();
        assert_eq!(r.message, "GET /x 503");
        assert_eq!(r.level, Some(Level::Error));
        assert_eq!(
            fields(&r),
            vec![
                ("client_ip", "10.0.0.1"),
                ("method", "GET"),
                ("path", "/x"),
                ("status", "503")
            ]
        );
        // A column too many: never read with the wrong names.
        let line = "2026-12-07 09:00:02 10.0.0.1 GET /x 443 503";
        let r = parse(p.as_ref(), line).unwrap();
        assert_eq!(rfc3339(r.ts.unwrap()), "2026-12-07T09:00:02Z");
        assert_eq!((r.level, r.message.as_str()), (None, line));
        assert_eq!(fields(&r), vec![("unmatched_columns", "7")]);
        // As many columns, but a value of the wrong shape (a path where a status goes).
        let r = parse(p.as_ref(), "2026-12-07 09:00:03 10.0.0.1 GET 503 /x").unwrap();
        assert_eq!(r.level, None);
        assert_eq!(r.field("unmatched_columns"), Some("6"));
        // Past the most columns read, too.
        let long = format!("2026-12-07 09:00:04{}", " x".repeat(70));
        let r = parse(p.as_ref(), &long).unwrap();
        assert_eq!(r.field("unmatched_columns"), Some("72"));
        // Without a leading date and time it heads no record.
        assert!(parse(p.as_ref(), "10.0.0.1 GET /x 443 503").is_none());
    }

    #[test]
    fn fields_repeated_mid_file_after_a_restart() {
        let sample = [
            "#Software: Microsoft Internet Information Services 10.0",
            "#Version: 1.0",
            "#Date: 2026-12-07 09:00:00",
            "#Fields: date time c-ip cs-method cs-uri-stem sc-status time-taken",
            "2026-12-07 09:00:00 10.0.0.1 GET /a 200 5",
            // The same block again (a restart): nothing changes.
            "#Software: Microsoft Internet Information Services 10.0",
            "#Version: 1.0",
            "#Date: 2026-12-07 09:10:00",
            "#Fields: date time c-ip cs-method cs-uri-stem sc-status time-taken",
            "2026-12-07 09:10:00 10.0.0.1 GET /b 500 7",
            // Logging changed: a column more, and one with as many columns as the first.
            "#Date: 2026-12-07 09:20:00",
            "#Fields: date time c-ip cs-method cs-uri-stem sc-status sc-bytes time-taken",
            "2026-12-07 09:20:00 10.0.0.1 GET /c 404 512 9",
            "#Fields: date time s-computername cs-method cs-uri-stem sc-status time-taken",
            "2026-12-07 09:30:00 WEB01 GET /d 200 3",
        ];
        let c = detect(&sample, &ctx()).unwrap();
        let p = c.parser;
        let r = parse(p.as_ref(), sample[4]).unwrap();
        assert_eq!(
            (r.message.as_str(), r.field("request_time_ms")),
            ("GET /a 200", Some("5"))
        );
        // An address is also a host name: both 7-column layouts fit, so the column they
        // name differently is kept by position.
        assert_eq!((r.field("client_ip"), r.field("col3")), (None, Some("10.0.0.1")));
        let r = parse(p.as_ref(), sample[9]).unwrap();
        assert_eq!((r.level, r.field("request_time_ms")), (Some(Level::Error), Some("7")));
        let r = parse(p.as_ref(), sample[12]).unwrap();
        assert_eq!(r.message, "GET /c 404");
        assert_eq!((r.field("bytes"), r.field("request_time_ms")), (Some("512"), Some("9")));
        // A host name is no address: only the later layout fits.
        let r = parse(p.as_ref(), sample[14]).unwrap();
        assert_eq!((r.host.as_deref(), r.field("client_ip")), (Some("WEB01"), None));
        let r = parse(p.as_ref(), "2026-12-07 09:31:00 10.0.0.9 GET /e 503 4").unwrap();
        assert_eq!(r.message, "GET /e 503");
        assert_eq!(r.level, Some(Level::Error));
        assert_eq!((r.host.as_deref(), r.field("client_ip")), (None, None));
        assert_eq!(r.field("col3"), Some("10.0.0.9"));
        assert_eq!(r.field("request_time_ms"), Some("4"));
        // Every directive line of the sample is explained (none is a head).
        for l in sample.iter().filter(|l| l.starts_with('#')) {
            assert!(parse(p.as_ref(), l).is_none());
        }
    }

    #[test]
    fn cloudfront_tabs_seconds_and_escaped_user_agents() {
        let sample = [
            "#Version: 1.0",
            "#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken",
            "2019-12-04\t21:02:31\tLAX1-C3\t392\t192.0.2.100\tGET\td111111abcdef8.cloudfront.net\t/index.html\t502\t-\tMozilla/5.0%20(Windows%20NT%2010.0;%20+http://x)\ta=b+c\t-\tError\tSOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==\td111111abcdef8.cloudfront.net\thttps\t23\t0.001",
        ];
        let p = parser_for(&sample);
        let r = parse(p.as_ref(), sample[2]).unwrap();
        assert_eq!(rfc3339(r.ts.unwrap()), "2019-12-04T21:02:31Z");
        assert_eq!(r.level, Some(Level::Error));
        assert_eq!(r.message, "GET /index.html?a=b+c 502");
        assert_eq!(r.field("user_agent"), Some("Mozilla/5.0 (Windows NT 10.0; +http://x)"));
        assert_eq!(r.field("query.a"), Some("b c"));
        assert_eq!(r.field("vhost"), Some("d111111abcdef8.cloudfront.net"));
        assert_eq!(r.field("bytes"), Some("392"));
        assert_eq!(r.field("request_time_ms"), Some("1"));
        assert_eq!(r.field("x-edge-result-type"), Some("Error"));
    }

    #[test]
    fn exchange_comma_separated_with_quotes() {
        let sample = [
            "#Software: Microsoft Exchange Server",
            "#Log-type: Message Tracking Log",
            "#Date: 2023-01-01T00:00:02.543Z",
            "#Fields: date-time,client-ip,server-hostname,source,event-id,recipient-status,total-bytes,message-subject",
            "2023-01-01T00:00:02.543Z,,EX01,SMTP,RECEIVE,,1234,Weekly report",
            r#"2023-01-01T00:00:04.100Z,10.0.0.5,EX02,SMTP,FAIL,"550 5.1.1 RESOLVER.ADR.RecipNotFound, not found",2234,"Re: ""x"", y""#,
        ];
        let p = parser_for(&sample);
        let r = parse(p.as_ref(), sample[5]).unwrap();
        assert_eq!(rfc3339(r.ts.unwrap()), "2023-01-01T00:00:04.100Z");
        assert_eq!(r.level, None);
        assert_eq!(
            fields(&r),
            vec![
                ("client-ip", "10.0.0.5"),
                ("server-hostname", "EX02"),
                ("source", "SMTP"),
                ("event-id", "FAIL"),
                ("recipient-status", "550 5.1.1 RESOLVER.ADR.RecipNotFound, not found"),
                ("total-bytes", "2234"),
                ("message-subject", r#"Re: ""x"", y"#),
            ]
        );
        let r = parse(p.as_ref(), sample[4]).unwrap();
        assert_eq!(r.message, "EX01 SMTP RECEIVE 1234 Weekly report");
    }

    #[test]
    fn firewall_local_times_and_rows_without_a_request() {
        let sample = [
            "#Version: 1.5",
            "#Software: Microsoft Windows Firewall",
            "#Time Format: Local",
            "#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin icmptype icmpcode info path",
            "",
            "2019-10-21 09:13:39 DROP UDP 192.168.1.1 239.255.255.250 1900 1900 0 - - - - - - - RECEIVE",
            "2019-10-21 09:13:40 ALLOW TCP fe80::1 fe80::2 50000 443 0 - - - - - - - SEND",
        ];
        let p = parser_for(&sample);
        let plus2 = TimeContext {
            zone: Zone::parse("+02:00").unwrap(),
            reference: (2019, 10, 21),
        };
        let mut r = Record::default();
        assert!(p.parse_line(sample[5], &plus2, &mut r));
        assert_eq!(rfc3339(r.ts.unwrap()), "2019-10-21T07:13:39Z");
        assert_eq!(r.level, None);
        assert_eq!(r.message, "DROP UDP 192.168.1.1 239.255.255.250 1900 1900 0 RECEIVE");
        assert_eq!(r.field("action"), Some("DROP"));
        assert_eq!(r.field("dst-port"), Some("1900"));
        assert_eq!(r.field("tcpflags"), None);
        assert!(parse(p.as_ref(), sample[6]).is_some());
    }

    #[test]
    fn time_only_rows_take_the_date_directive() {
        // IIS SMTP and HTTP.sys-style logs.
        let sample = [
            "#Software: Microsoft Internet Information Services 6.0",
            "#Date: 2024-03-01 00:00:02",
            "#Fields: time c-ip cs-method cs-uri-stem sc-status",
            "00:00:02 10.0.0.1 EHLO - 250",
            "00:00:03 10.0.0.1 RCPT - 550",
        ];
        let c = detect(&sample, &ctx()).unwrap();
        assert_eq!(c.ts_layout, Some(TsLayout::TimeOnly));
        let r = parse(c.parser.as_ref(), sample[4]).unwrap();
        assert_eq!(rfc3339(r.ts.unwrap()), "2024-03-01T00:00:03Z");
        assert_eq!((r.message.as_str(), r.level), ("RCPT 550", Some(Level::Error)));
        assert_eq!(
            fields(&r),
            vec![("client_ip", "10.0.0.1"), ("method", "RCPT"), ("status", "550")]
        );
        // HTTP.sys: the full URI, the version, a reason; a line with no request.
        let sample = [
            "#Software: Microsoft HTTP API 2.0",
            "#Fields: date time c-ip c-port s-ip s-port cs-version cs-method cs-uri streamid sc-status s-siteid s-reason s-queuename",
            "2019-10-21 09:07:07 ::1 50243 ::1 80 HTTP/1.1 GET /q?a=1 - 503 - N/A DefaultAppPool",
            "2019-10-21 09:07:08 10.0.0.2 50244 10.0.0.1 80 - - - - - - Timer_ConnectionIdle -",
        ];
        let p = parser_for(&sample);
        let r = parse(p.as_ref(), sample[2]).unwrap();
        assert_eq!(r.message, "GET /q?a=1 HTTP/1.1 503");
        assert_eq!(r.field("protocol"), Some("HTTP/1.1"));
        assert_eq!(r.field("query.a"), Some("1"));
        assert_eq!(r.field("s-reason"), Some("N/A"));
        let r = parse(p.as_ref(), sample[3]).unwrap();
        assert_eq!(r.level, Some(Level::Info));
        assert_eq!(r.message, "10.0.0.2 50244 10.0.0.1 80 Timer_ConnectionIdle");
    }

    #[test]
    fn headerless_iis_defaults_and_non_w3c_files() {
        let rows = [
            "2024-01-01 10:00:00 10.0.0.5 GET /a - 80 - 10.0.0.9 Mozilla/5.0 - 200 0 0 12",
            "2024-01-01 10:00:01 10.0.0.5 GET /b x=1 80 - 10.0.0.9 Mozilla/5.0 - 500 0 0 40",
            "2024-01-01 10:00:02 10.0.0.5 GET /c - 80 - 10.0.0.9 Mozilla/5.0 - 404 0 2 3",
        ];
        let c = detect(&rows, &ctx()).unwrap();
        assert_eq!(c.name, "w3c-iis-default");
        let r = parse(c.parser.as_ref(), rows[1]).unwrap();
        assert_eq!((r.message.as_str(), r.level), ("GET /b?x=1 500", Some(Level::Error)));
        assert_eq!(r.field("request_time_ms"), Some("40"));
        for sample in [
            &["2024-01-01 10:00:00 INFO hello world", "2024-01-01 10:00:01 WARN again"][..],
            &[r#"1.1.1.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 1"#],
            &["# a comment", "key=value"],
            &["#Fields: date time x", "nothing like it", "at all"],
            &[],
        ] {
            assert!(detect(sample, &ctx()).is_none(), "{sample:?}");
        }
        // Headerless lines must fit every typed column: a lower-case method does not.
        let lower = rows.map(|r| r.replace(" GET ", " get "));
        assert!(detect(&lower.iter().map(String::as_str).collect::<Vec<_>>(), &ctx()).is_none());
    }

    #[test]
    fn detection_beats_the_other_formats() {
        let det = crate::detect::detect(&IIS, &ctx());
        assert_eq!(det.candidate.name, "w3c");
        let mut r = Record::default();
        assert!(det.parser().parse_line(IIS[4], &ctx(), &mut r));
        assert_eq!(r.message, "GET /api/orders/42?id=7&x=1 500");
    }

    #[test]
    fn message_detail_agrees_with_all() {
        let p = parser_for(&IIS);
        for line in IIS
            .iter()
            .chain(["2026-12-07 09:00:00 x", "2026-12-07 09:00:00 a b c"].iter())
        {
            let (mut all, mut msg) = (Record::default(), Record::default());
            let heads = (
                p.parse_line(line, &ctx(), &mut all),
                p.parse_message(line, &ctx(), &mut msg),
            );
            assert_eq!(heads.0, heads.1, "{line}");
            assert_eq!(heads.0, p.starts_record(line, &ctx()), "{line}");
            assert_eq!(
                (all.ts, all.level, &all.message),
                (msg.ts, msg.level, &msg.message),
                "{line}"
            );
        }
    }

    #[test]
    fn the_assembler_drops_and_counts_directives() {
        let p = parser_for(&IIS);
        let mut text = IIS.join("\n");
        text.push('\n');
        // A restart mid-file writes the block again.
        for l in IIS {
            text.push_str(l);
            text.push('\n');
        }
        let asm = crate::assemble::Assembler {
            parser: p.as_ref(),
            ctx: &ctx(),
            max_record_bytes: 1 << 16,
        };
        let mut counts = crate::assemble::IntakeCounts::default();
        let recs = asm.assemble(text.as_bytes(), 1, &mut counts);
        let got: Vec<(u64, &str)> = recs.iter().map(|r| (r.line, r.message.as_str())).collect();
        assert_eq!(
            got,
            [
                (5, "GET /api/orders/42?id=7&x=1 500"),
                (6, "POST /login 404"),
                (11, "GET /api/orders/42?id=7&x=1 500"),
                (12, "POST /login 404"),
            ]
        );
        assert_eq!(
            (counts.directive_lines, counts.orphan_lines, counts.continuation_lines),
            (8, 0, 0)
        );
        assert_eq!((counts.lines, counts.records), (12, 4));
    }

    #[test]
    fn garbage_does_not_panic() {
        let p = parser_for(&IIS);
        let long = "a ".repeat(200);
        for line in [
            "",
            "#",
            "é",
            "2026-12-07 9:00:00 é é é",
            "2026-12-07 09:00:00.",
            "2026-12-07 09:00:00.1234567890 W3SVC1",
            "2026-12-07 99:99:99 W3SVC1 10.0.0.5 GET /a - 443 - 10.0.1.9 UA - 500 0 0 15",
            "2026-12-07 09:00:00 W3SVC1 10.0.0.5 GET /a - 443 - 10.0.1.9 %zz%4 - 500 0 0 99999999999999999999",
            long.as_str(),
        ] {
            let mut rec = Record::default();
            p.parse_line(line, &ctx(), &mut rec);
        }
        assert_eq!(percent_decode("%41%zz%4"), "A%zz%4");
        assert_eq!(time_taken_ms("0.0015"), "1.5");
        assert_eq!(time_taken_ms("1e999"), "1e999");
    }
}
