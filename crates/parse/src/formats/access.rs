//! Web server access logs: NCSA common and combined log formats (nginx, Apache, and the
//! many proxies that copy them).
//!
//! ```text
//! 127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif?a=1&b=2 HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08" 0.123
//! ```
//!
//! Recognised: `[vhost[:port]] client ident user [time] "request" status bytes`, then
//! optionally `"referer" "user-agent"`, then extra fields. Fields: `vhost` (Apache
//! `vhost_combined`), `client_ip`, `user` (omitted when `-`), `method`, `path` (raw,
//! without the query), `protocol`, `status`, `bytes` (`-` read as `0`), `referer` and
//! `user_agent` (omitted when `-`), `query.<name>` for each query parameter
//! (percent-decoded, `+` as space) and `request_time_ms`. The message is the request
//! line plus the status (`GET /x?a=1 HTTP/1.1 200`); the level is ERROR for 5xx, WARN
//! for 4xx, INFO otherwise.
//!
//! Extras after the user agent: `rt=`/`request_time=` (seconds) and the first bare
//! decimal number (nginx `$request_time`) become `request_time_ms`;
//! `upstream_response_time=`/`urt=` become `upstream_response_time_ms` when a single
//! number; other `key=value` extras keep their key; any other extra (quoted strings such
//! as `$http_x_forwarded_for`, bare integers such as Apache `%D`) is `extraN` by
//! position among those unnamed extras, `-` values skipped. Limits: the request line is
//! not required to be well-formed (a TLS handshake logged as `"\x16\x03..."` gives no
//! method or path), and the user field may not contain spaces.

use std::borrow::Cow;
use std::sync::Arc;

use crate::formats::{specificity, Candidate, LineParser};
use crate::timestamp::{self, TimeContext, TsLayout};
use crate::{Level, Record};

/// Parses access log lines; see the module documentation.
#[derive(Debug, Clone, Copy, Default)]
pub struct AccessParser;

/// The borrowed pieces of one access log line.
struct Parts<'a> {
    vhost: Option<&'a str>,
    client: &'a str,
    user: &'a str,
    ts: i64,
    request: &'a str,
    status: &'a str,
    bytes: &'a str,
    referer: Option<&'a str>,
    user_agent: Option<&'a str>,
    rest: &'a str,
}

/// A quoted string starting at `at` (on the opening quote), backslash escapes skipped
/// over. Returns the inner text and the offset after the closing quote.
fn quoted_at(line: &str, at: usize) -> Option<(&str, usize)> {
    let b = line.as_bytes();
    if b.get(at) != Some(&b'"') {
        return None;
    }
    let mut i = at + 1;
    while let Some(&c) = b.get(i) {
        match c {
            b'\\' => i += 2,
            b'"' => return Some((line.get(at + 1..i)?, i + 1)),
            _ => i += 1,
        }
    }
    None
}

/// A run of non-blank bytes starting at `at`; returns it and the offset after it.
fn word_at(line: &str, at: usize) -> (&str, usize) {
    let b = line.as_bytes();
    let mut e = at;
    while b.get(e).is_some_and(|c| *c != b' ' && *c != b'\t') {
        e += 1;
    }
    (line.get(at..e).unwrap_or(""), e)
}

fn host_like(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b':' | b'-' | b'_' | b'%' | b'[' | b']'))
}

fn scan<'a>(line: &'a str, ctx: &TimeContext) -> Option<Parts<'a>> {
    let b = line.as_bytes();
    if !b
        .first()
        .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b':' || *c == b'[')
    {
        return None;
    }
    // The prefix before ` [time]` is `client ident user` or `vhost client ident user`.
    let open = memchr::memmem::find(b, b" [")?;
    let mut head = line.get(..open)?.split(' ');
    let (vhost, client, user) = match (head.next(), head.next(), head.next(), head.next(), head.next()) {
        (Some(c), Some(_ident), Some(u), None, None) => (None, c, u),
        (Some(v), Some(c), Some(_ident), Some(u), None) => (Some(v), c, u),
        _ => return None,
    };
    if !host_like(client) || user.is_empty() || vhost.is_some_and(|v| !host_like(v)) {
        return None;
    }
    let tstart = open + 2;
    let m = timestamp::parse_with(TsLayout::Clf, b.get(tstart..)?, ctx)?;
    let mut i = tstart + m.len;
    if b.get(i) != Some(&b']') || b.get(i + 1) != Some(&b' ') {
        return None;
    }
    let (request, after) = quoted_at(line, i + 2)?;
    i = after;
    if b.get(i) != Some(&b' ') {
        return None;
    }
    let (status, after) = word_at(line, i + 1);
    if status.len() != 3 || !status.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    i = after;
    let mut bytes = "-";
    if b.get(i) == Some(&b' ') {
        let (w, after) = word_at(line, i + 1);
        let w = w.trim_end_matches('\r');
        if w == "-" || (!w.is_empty() && w.bytes().all(|c| c.is_ascii_digit())) {
            bytes = w;
            i = after;
        } else {
            return None;
        }
    }
    let (mut referer, mut user_agent) = (None, None);
    if b.get(i) == Some(&b' ') {
        if let Some((r, after)) = quoted_at(line, i + 1) {
            if b.get(after) == Some(&b' ') {
                if let Some((ua, after_ua)) = quoted_at(line, after + 1) {
                    referer = Some(r);
                    user_agent = Some(ua);
                    i = after_ua;
                }
            }
        }
    }
    let rest = line.get(i..).unwrap_or("").trim();
    Some(Parts {
        vhost,
        client,
        user,
        ts: m.nanos,
        request,
        status,
        bytes,
        referer,
        user_agent,
        rest,
    })
}

/// Seconds as text (`0.123`) to milliseconds as text (`123`, `0.5`), to the microsecond.
fn secs_to_ms(text: &str) -> Option<String> {
    let t = text.trim().trim_matches('"');
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    let secs: f64 = t.parse().ok()?;
    if !secs.is_finite() || secs > 1e9 {
        return None;
    }
    let micros = (secs * 1e6).round() as u64;
    let (ms, frac) = (micros / 1000, micros % 1000);
    Some(if frac == 0 {
        ms.to_string()
    } else {
        let f = format!("{frac:03}");
        format!("{ms}.{}", f.trim_end_matches('0'))
    })
}

/// Percent-decodes `s` (`+` as space, as in query strings). Bad escapes stay literal.
fn percent_decode(s: &str) -> Cow<'_, str> {
    let b = s.as_bytes();
    if !b.iter().any(|&c| c == b'%' || c == b'+') {
        return Cow::Borrowed(s);
    }
    let hex = |c: u8| (c as char).to_digit(16);
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        match c {
            b'+' => out.push(b' '),
            b'%' => match (b.get(i + 1).and_then(|&h| hex(h)), b.get(i + 2).and_then(|&l| hex(l))) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            _ => out.push(c),
        }
        i += 1;
    }
    Cow::Owned(String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
}

/// Adds `method`, `path`, `protocol` and `query.*` from a request line.
pub(crate) fn request_fields(request: &str, fields: &mut Vec<(crate::record::FieldName, String)>) {
    let mut parts = request.split(' ').filter(|p| !p.is_empty());
    let (Some(method), Some(target)) = (parts.next(), parts.next()) else {
        return;
    };
    let protocol = parts.next();
    if parts.next().is_some() || !method.bytes().all(|c| c.is_ascii_uppercase() || c == b'-' || c == b'_') {
        return;
    }
    if protocol.is_some_and(|p| !p.starts_with("HTTP/")) {
        return;
    }
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (target, None),
    };
    fields.push(("method".into(), method.to_string()));
    fields.push(("path".into(), path.to_string()));
    if let Some(p) = protocol {
        fields.push(("protocol".into(), p.to_string()));
    }
    for param in query.unwrap_or("").split('&') {
        let (name, value) = param.split_once('=').unwrap_or((param, ""));
        if name.is_empty() {
            continue;
        }
        let name = percent_decode(name);
        let mut key = String::with_capacity(6 + name.len());
        key.push_str("query.");
        key.push_str(&name);
        fields.push((key.into(), percent_decode(value).into_owned()));
    }
}

/// Interprets the text after the user agent; see the module documentation.
fn extra_fields(rest: &str, fields: &mut Vec<(crate::record::FieldName, String)>) {
    let mut i = 0;
    let mut unnamed = 0;
    let mut have_rt = false;
    let b = rest.as_bytes();
    while i < b.len() {
        if b.get(i) == Some(&b' ') || b.get(i) == Some(&b'\t') {
            i += 1;
            continue;
        }
        // A quoted string, `key=value` (value possibly quoted) or a bare word.
        let (key, value, next) = if let Some((q, after)) = quoted_at(rest, i) {
            (None, q, after)
        } else {
            let (w, after) = word_at(rest, i);
            match w.split_once('=') {
                Some((k, _))
                    if !k.is_empty() && k.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'.') =>
                {
                    let vstart = i + k.len() + 1;
                    match quoted_at(rest, vstart) {
                        Some((q, after)) => (Some(k), q, after),
                        None => (Some(k), rest.get(vstart..after).unwrap_or(""), after),
                    }
                }
                _ => (None, w, after),
            }
        };
        i = next.max(i + 1);
        match key {
            Some(k @ ("rt" | "request_time")) => match secs_to_ms(value) {
                Some(ms) if !have_rt => {
                    fields.push(("request_time_ms".into(), ms));
                    have_rt = true;
                }
                _ => fields.push((k.to_string().into(), value.to_string())),
            },
            Some(k @ ("urt" | "upstream_response_time" | "upstream_time")) => match secs_to_ms(value) {
                Some(ms) => fields.push(("upstream_response_time_ms".into(), ms)),
                None => fields.push((k.to_string().into(), value.to_string())),
            },
            Some(k) => fields.push((k.to_string().into(), value.to_string())),
            None => {
                unnamed += 1;
                let decimal = value.contains('.') && value.bytes().all(|c| c.is_ascii_digit() || c == b'.');
                if decimal && !have_rt {
                    if let Some(ms) = secs_to_ms(value) {
                        fields.push(("request_time_ms".into(), ms));
                        have_rt = true;
                        continue;
                    }
                }
                if value != "-" && !value.is_empty() {
                    fields.push((format!("extra{unnamed}").into(), value.to_string()));
                }
            }
        }
    }
}

impl LineParser for AccessParser {
    fn parse_line(&self, line: &str, ctx: &TimeContext, rec: &mut Record) -> bool {
        let Some(p) = scan(line, ctx) else { return false };
        rec.ts = Some(p.ts);
        rec.level = Some(match p.status.as_bytes().first() {
            Some(b'5') => Level::Error,
            Some(b'4') => Level::Warn,
            _ => Level::Info,
        });
        rec.message.reserve(p.request.len() + 4);
        rec.message.push_str(p.request);
        rec.message.push(' ');
        rec.message.push_str(p.status);
        let f = &mut rec.fields;
        f.reserve(10);
        if let Some(v) = p.vhost {
            f.push(("vhost".into(), v.to_string()));
        }
        f.push(("client_ip".into(), p.client.to_string()));
        if p.user != "-" {
            f.push(("user".into(), p.user.to_string()));
        }
        request_fields(p.request, f);
        f.push(("status".into(), p.status.to_string()));
        f.push(("bytes".into(), if p.bytes == "-" { "0" } else { p.bytes }.to_string()));
        if let Some(r) = p.referer.filter(|r| *r != "-") {
            f.push(("referer".into(), r.to_string()));
        }
        if let Some(ua) = p.user_agent.filter(|u| *u != "-") {
            f.push(("user_agent".into(), ua.to_string()));
        }
        if !p.rest.is_empty() {
            extra_fields(p.rest, f);
        }
        true
    }

    fn starts_record(&self, line: &str, ctx: &TimeContext) -> bool {
        scan(line, ctx).is_some()
    }
}

/// Access log when at least 80% of the non-empty sample lines parse; named
/// `access-combined` when most carry referer and user agent, else `access-common`.
pub fn detect(sample: &[&str], ctx: &TimeContext) -> Option<Candidate> {
    let mut nonempty = 0usize;
    let mut parsed = 0usize;
    let mut combined = 0usize;
    for line in sample {
        if line.trim().is_empty() {
            continue;
        }
        nonempty += 1;
        if let Some(p) = scan(line, ctx) {
            parsed += 1;
            if p.user_agent.is_some() {
                combined += 1;
            }
        }
    }
    if parsed == 0 || parsed * 5 < nonempty * 4 {
        return None;
    }
    let name = if combined * 2 >= parsed {
        "access-combined"
    } else {
        "access-common"
    };
    Some(Candidate {
        name: name.to_string(),
        parser: Arc::new(AccessParser),
        ts_layout: Some(TsLayout::Clf),
        specificity: specificity::ACCESS,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::testing::{ctx, fields, parse_with};
    use crate::record::rfc3339;

    fn parse(line: &str) -> Option<Record> {
        parse_with(&AccessParser, line)
    }

    #[test]
    fn apache_combined() {
        let r = parse(r#"127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif?a=1&b=2 HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)""#)
            .unwrap();
        assert_eq!(rfc3339(r.ts.unwrap()), "2000-10-10T20:55:36Z");
        assert_eq!(r.level, Some(Level::Info));
        assert_eq!(r.message, "GET /apache_pb.gif?a=1&b=2 HTTP/1.0 200");
        assert_eq!(
            fields(&r),
            vec![
                ("client_ip", "127.0.0.1"),
                ("user", "frank"),
                ("method", "GET"),
                ("path", "/apache_pb.gif"),
                ("protocol", "HTTP/1.0"),
                ("query.a", "1"),
                ("query.b", "2"),
                ("status", "200"),
                ("bytes", "2326"),
                ("referer", "http://www.example.com/start.html"),
                ("user_agent", "Mozilla/4.08 [en] (Win98; I ;Nav)"),
            ]
        );
    }

    #[test]
    fn common_log_format() {
        let r =
            parse(r#"192.168.2.20 - - [28/Jul/2006:10:27:10 -0300] "GET /cgi-bin/try/ HTTP/1.0" 200 3395"#).unwrap();
        assert_eq!(rfc3339(r.ts.unwrap()), "2006-07-28T13:27:10Z");
        assert_eq!(r.message, "GET /cgi-bin/try/ HTTP/1.0 200");
        assert_eq!(
            fields(&r),
            vec![
                ("client_ip", "192.168.2.20"),
                ("method", "GET"),
                ("path", "/cgi-bin/try/"),
                ("protocol", "HTTP/1.0"),
                ("status", "200"),
                ("bytes", "3395"),
            ]
        );
        let r = parse(r#"::1 - - [28/Jul/2006:10:22:04 -0300] "GET / HTTP/1.0" 304 -"#).unwrap();
        assert_eq!(r.field("bytes"), Some("0"));
        assert_eq!(r.field("client_ip"), Some("::1"));
    }

    #[test]
    fn nginx_with_request_time_and_forwarded_for() {
        let r = parse(r#"10.1.2.3 - - [12/Mar/2024:06:25:24 +0000] "POST /api/v1/orders?id=7&q=caf%C3%A9+au+lait HTTP/1.1" 502 157 "-" "curl/8.4.0" "203.0.113.9" 0.123"#)
            .unwrap();
        assert_eq!(r.level, Some(Level::Error));
        assert_eq!(r.message, "POST /api/v1/orders?id=7&q=caf%C3%A9+au+lait HTTP/1.1 502");
        assert_eq!(
            fields(&r),
            vec![
                ("client_ip", "10.1.2.3"),
                ("method", "POST"),
                ("path", "/api/v1/orders"),
                ("protocol", "HTTP/1.1"),
                ("query.id", "7"),
                ("query.q", "café au lait"),
                ("status", "502"),
                ("bytes", "157"),
                ("user_agent", "curl/8.4.0"),
                ("extra1", "203.0.113.9"),
                ("request_time_ms", "123"),
            ]
        );
        let r = parse(r#"10.0.0.1 - bob [12/Mar/2024:06:25:24 +0000] "GET /missing HTTP/2.0" 404 0 "https://ex.com/" "Go-http-client/2.0" rt=1.5 uct="0.000" urt="0.0005" upstream_addr=10.0.0.9:8080 "-""#)
            .unwrap();
        assert_eq!(r.level, Some(Level::Warn));
        assert_eq!(
            fields(&r)[7..],
            [
                ("referer", "https://ex.com/"),
                ("user_agent", "Go-http-client/2.0"),
                ("request_time_ms", "1500"),
                ("uct", "0.000"),
                ("upstream_response_time_ms", "0.5"),
                ("upstream_addr", "10.0.0.9:8080"),
            ]
        );
        let r = parse(r#"10.0.0.1 - - [12/Mar/2024:06:25:24 +0000] "GET / HTTP/1.1" 200 12 "-" "-" request_time=0.002 upstream_response_time=0.001, 0.002"#).unwrap();
        assert_eq!(r.field("request_time_ms"), Some("2"));
        assert_eq!(r.field("upstream_response_time"), Some("0.001,"));
    }

    #[test]
    fn vhost_combined_and_odd_requests() {
        let r = parse(r#"www.example.com:443 198.51.100.7 - - [01/Feb/2024:00:00:01 +0100] "GET /index.html HTTP/1.1" 200 512 "-" "Mozilla/5.0" 2345"#).unwrap();
        assert_eq!(rfc3339(r.ts.unwrap()), "2024-01-31T23:00:01Z");
        assert_eq!(r.field("vhost"), Some("www.example.com:443"));
        assert_eq!(r.field("client_ip"), Some("198.51.100.7"));
        assert_eq!(r.field("extra1"), Some("2345"));
        assert_eq!(r.field("referer"), None);
        // A TLS handshake on the plain-HTTP port, nginx-escaped.
        let r =
            parse(r#"45.1.2.3 - - [01/Feb/2024:00:00:02 +0000] "\x16\x03\x01\x00\xCA\x01" 400 157 "-" "-""#).unwrap();
        assert_eq!(r.message, r#"\x16\x03\x01\x00\xCA\x01 400"#);
        assert_eq!(r.field("method"), None);
        assert_eq!(r.level, Some(Level::Warn));
        let r = parse(r#"45.1.2.3 - - [01/Feb/2024:00:00:02 +0000] "GET /a\"b HTTP/1.1" 200 1 "-" "x""#).unwrap();
        assert_eq!(r.field("path"), Some(r#"/a\"b"#));
        let r = parse(r#"45.1.2.3 - - [01/Feb/2024:00:00:02 +0000] "-" 400 0 "-" "-""#).unwrap();
        assert_eq!(r.message, "- 400");
        let r = parse(r#"h - - [01/Feb/2024:00:00:02 +0000] "GET /?%zz=%4&=x&flag HTTP/1.1" 200 1"#).unwrap();
        assert_eq!(fields(&r)[4..6], [("query.%zz", "%4"), ("query.flag", "")]);
    }

    /// Python's Werkzeug (Flask's development server) writes the common log format with
    /// a space before the clock and no zone.
    #[test]
    fn werkzeug_time_without_a_colon() {
        let r = parse(r#"127.0.0.1 - - [10/Oct/2000 13:55:36] "GET /x HTTP/1.1" 500 -"#).unwrap();
        assert_eq!(rfc3339(r.ts.unwrap()), "2000-10-10T13:55:36Z");
        assert_eq!(r.level, Some(Level::Error));
        assert_eq!(r.message, "GET /x HTTP/1.1 500");
    }

    #[test]
    fn non_access_lines() {
        for line in [
            "",
            "2024-01-01 10:00:00 INFO hello",
            r#"127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 20 1"#,
            r#"127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0 200 1"#,
            r#"a b c d e [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 1"#,
            "127.0.0.1 - - [",
            "\tat x",
        ] {
            assert!(parse(line).is_none(), "{line:?}");
        }
    }

    #[test]
    fn garbage_does_not_panic() {
        for line in [
            "a - - [10/Oct/2000:13:55:36 -0700] \"",
            "a - - [10/Oct/2000:13:55:36 -0700] \"\\",
            "a - - [10/Oct/2000:13:55:36 -0700] \"x\" 200 1 \"\\",
            "a - - [10/Oct/2000:13:55:36 -0700] \"x\" 200 1 \"r\" \"u\" \"é\\",
            "a - - [10/Oct/2000:13:55:36 -0700] \"x\" 200 1 k= =v \"é\" rt=é 99999999999.9",
            "é - - [10/Oct/2000:13:55:36 -0700] \"GET /%é HTTP/1.1\" 200 1",
        ] {
            let mut rec = Record::default();
            AccessParser.parse_line(line, &ctx(), &mut rec);
        }
        assert_eq!(secs_to_ms("0.0004"), Some("0.4".to_string()));
        assert_eq!(secs_to_ms("abc"), None);
        assert_eq!(percent_decode("%C3%A9%ff"), "é\u{fffd}");
    }

    #[test]
    fn detection() {
        let lines = [
            r#"1.1.1.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 1 "-" "x""#,
            r#"1.1.1.2 - - [10/Oct/2000:13:55:37 -0700] "GET /a HTTP/1.0" 404 1 "-" "x""#,
            "",
            r#"1.1.1.3 - - [10/Oct/2000:13:55:38 -0700] "GET /b HTTP/1.0" 200 1 "-" "x""#,
        ];
        let c = detect(&lines, &ctx()).unwrap();
        assert_eq!(c.name, "access-combined");
        assert_eq!(c.ts_layout, Some(TsLayout::Clf));
        let c = detect(
            &[r#"1.1.1.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 1"#],
            &ctx(),
        )
        .unwrap();
        assert_eq!(c.name, "access-common");
        assert!(detect(&["hello", "world", lines[0]], &ctx()).is_none());
    }
}
