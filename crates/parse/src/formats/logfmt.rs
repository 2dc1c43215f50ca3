//! logfmt: space-separated `key=value` pairs, values double-quoted when they hold spaces.
//!
//! ```text
//! time=2024-01-01T10:00:00Z level=info msg="user logged in" user=alice dur=12ms
//! ```
//!
//! Written by go-kit/log, logrus' text formatter without a TTY, Heroku, Grafana/Loki
//! (`t=… lvl=…`), Prometheus (`ts=… caller=…`) and others. Header keys follow the JSON
//! conventions ([`super::json`]): `ts`/`time`/`t`, `level`/`lvl`, `msg`/`message`,
//! `logger`/`caller`/`module`/`component`, `host`, `service`… Quoted values understand
//! `\"`, `\\`, `\n`, `\t`, `\r` and `\uXXXX`; values in single quotes are read as
//! Python's `repr` writes them (structlog's `KeyValueRenderer`: `event='user logged in'`).
//!
//! A line is a record head when it starts (no indentation) with a `key=value` pair.
//! Limits: words that are not pairs (`msg=hello world` written without quotes) are
//! appended to the message with a space; a key without `=` is treated the same way;
//! an unterminated quote takes the rest of the line as the value.

use std::borrow::Cow;
use std::sync::Arc;

use crate::formats::json::{apply_roles, key_role};
use crate::formats::{specificity, Candidate, LineParser};
use crate::timestamp::TimeContext;
use crate::Record;

/// Parses logfmt lines; see the module documentation.
#[derive(Debug, Clone, Copy, Default)]
pub struct LogfmtParser;

/// One token of a logfmt line.
enum Token<'a> {
    Pair {
        key: &'a str,
        value: Cow<'a, str>,
    },
    /// A word that is not `key=value`.
    Word(&'a str),
}

/// Whether `b` may appear in a key.
fn key_byte(b: u8) -> bool {
    !(b.is_ascii_whitespace() || b.is_ascii_control() || b == b'=' || b == b'"')
}

/// Splits a line into tokens; `pos` is the byte offset of the next token.
struct Tokens<'a> {
    line: &'a str,
    pos: usize,
}

impl<'a> Tokens<'a> {
    fn new(line: &'a str) -> Self {
        Tokens { line, pos: 0 }
    }
}

impl<'a> Iterator for Tokens<'a> {
    /// (token, byte span length)
    type Item = (Token<'a>, usize);

    fn next(&mut self) -> Option<Self::Item> {
        let bytes = self.line.as_bytes();
        while bytes
            .get(self.pos)
            .is_some_and(|b| *b == b' ' || *b == b'\t' || *b == b'\r')
        {
            self.pos += 1;
        }
        let start = self.pos;
        if start >= bytes.len() {
            return None;
        }
        let mut i = start;
        while bytes.get(i).is_some_and(|&b| key_byte(b)) {
            i += 1;
        }
        if i > start && bytes.get(i) == Some(&b'=') {
            let key = &self.line[start..i];
            let vstart = i + 1;
            let single = match bytes.get(vstart) {
                Some(b'\'') => single_quoted(self.line, vstart + 1),
                _ => None,
            };
            let (value, end) = if let Some(v) = single {
                v
            } else if bytes.get(vstart) == Some(&b'"') {
                quoted(self.line, vstart + 1)
            } else {
                let mut e = vstart;
                while bytes.get(e).is_some_and(|&b| b != b' ' && b != b'\t') {
                    e += 1;
                }
                let v = self.line[vstart..e].trim_end_matches('\r');
                (Cow::Borrowed(v), e)
            };
            self.pos = end;
            return Some((Token::Pair { key, value }, end - start));
        }
        // A plain word: up to the next blank.
        let mut e = start;
        while bytes.get(e).is_some_and(|&b| b != b' ' && b != b'\t') {
            e += 1;
        }
        self.pos = e;
        Some((Token::Word(self.line[start..e].trim_end_matches('\r')), e - start))
    }
}

/// Reads a quoted value whose text starts at `from` (after the opening quote). Returns the
/// decoded value and the offset after the closing quote (line end when unterminated).
fn quoted(line: &str, from: usize) -> (Cow<'_, str>, usize) {
    let bytes = line.as_bytes();
    let Some(rest) = line.get(from..) else {
        return (Cow::Borrowed(""), bytes.len());
    };
    // Fast path: no escapes before the closing quote.
    match rest.bytes().position(|b| b == b'"' || b == b'\\') {
        Some(p) if bytes.get(from + p) == Some(&b'"') => return (Cow::Borrowed(&rest[..p]), from + p + 1),
        None => return (Cow::Borrowed(rest.trim_end_matches('\r')), bytes.len()),
        Some(_) => {}
    }
    let mut out = String::with_capacity(rest.len());
    let mut chars = rest.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return (Cow::Owned(out), from + i + 1),
            '\\' => match chars.next() {
                Some((_, 'n')) => out.push('\n'),
                Some((_, 't')) => out.push('\t'),
                Some((_, 'r')) => out.push('\r'),
                Some((_, '"')) => out.push('"'),
                Some((_, '\\')) => out.push('\\'),
                Some((j, 'u')) => {
                    let hex = rest.get(j + 1..j + 5);
                    match hex
                        .and_then(|h| u32::from_str_radix(h, 16).ok())
                        .and_then(char::from_u32)
                    {
                        Some(ch) => {
                            out.push(ch);
                            for _ in 0..4 {
                                chars.next();
                            }
                        }
                        None => out.push_str("\\u"),
                    }
                }
                Some((_, other)) => {
                    out.push('\\');
                    out.push(other);
                }
                None => out.push('\\'),
            },
            _ => out.push(c),
        }
    }
    if out.ends_with('\r') {
        out.pop();
    }
    (Cow::Owned(out), bytes.len())
}

/// A value in single quotes whose text starts at `from`, as Python's `repr` writes a
/// string (structlog's `KeyValueRenderer`: `event='user logged in'`), with its `\'`,
/// `\\`, `\n`, `\t`, `\r` and `\xNN` escapes. Only when the closing quote ends the token
/// (a blank or the line end follows); otherwise the `'` is a bare value's first
/// character (`msg='twas`). Returns the decoded value and the offset after the quote.
fn single_quoted(line: &str, from: usize) -> Option<(Cow<'_, str>, usize)> {
    let bytes = line.as_bytes();
    let mut i = from;
    let mut escaped = false;
    loop {
        match *bytes.get(i)? {
            b'\\' => {
                escaped = true;
                i += 2;
            }
            b'\'' => break,
            _ => i += 1,
        }
    }
    let end = i + 1;
    if !bytes.get(end).is_none_or(|&b| b == b' ' || b == b'\t' || b == b'\r') {
        return None;
    }
    let text = line.get(from..i)?;
    if !escaped {
        return Some((Cow::Borrowed(text), end));
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('x') => {
                let hex: String = chars.by_ref().take(2).collect();
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(ch) if hex.len() == 2 => out.push(ch),
                    _ => {
                        out.push_str("\\x");
                        out.push_str(&hex);
                    }
                }
            }
            Some(other) => {
                // `\'` and `\\` stand for the character; others stay as written.
                if other != '\'' && other != '\\' {
                    out.push('\\');
                }
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    Some((Cow::Owned(out), end))
}

/// Whether the line opens with a `key=value` pair whose key looks like an identifier.
fn opens_with_pair(line: &str) -> bool {
    let b = line.as_bytes();
    if !b
        .first()
        .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_' || *c == b'@')
    {
        return false;
    }
    let key_len = b
        .iter()
        .take_while(|&&c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-' | b'@' | b'/'))
        .count();
    b.get(key_len) == Some(&b'=')
}

/// Reads logfmt text behind a learned text header (`… heroku[router]: at=error code=H13
/// status=503 …`, logrus or Grafana under journald): the pairs become fields, the
/// header keys' roles apply (level, a richer time, `msg`), and without a message key the
/// text itself stays the message. False (nothing changed) when the text opens with no pair.
pub(crate) fn read_body(text: &str, ctx: &TimeContext, rec: &mut Record) -> bool {
    if !opens_with_pair(text) {
        return false;
    }
    let had_message = !rec.message.is_empty();
    LogfmtParser.parse_line(text, ctx, rec);
    if !had_message && rec.message.is_empty() {
        rec.message.push_str(text);
    }
    true
}

impl LineParser for LogfmtParser {
    fn parse_line(&self, line: &str, ctx: &TimeContext, rec: &mut Record) -> bool {
        if !opens_with_pair(line) {
            return false;
        }
        let base = rec.fields.len();
        let mut stray = String::new();
        for (tok, _) in Tokens::new(line) {
            match tok {
                Token::Pair { key, value } => rec.fields.push((key.to_string().into(), value.into_owned())),
                Token::Word(w) => {
                    if !stray.is_empty() {
                        stray.push(' ');
                    }
                    stray.push_str(w);
                }
            }
        }
        apply_roles(rec, base, 0, ctx, key_role);
        if !stray.is_empty() {
            if !rec.message.is_empty() {
                rec.message.push(' ');
            }
            rec.message.push_str(&stray);
        }
        true
    }

    fn starts_record(&self, line: &str, _ctx: &TimeContext) -> bool {
        opens_with_pair(line)
    }
}

/// Whether a line is clearly logfmt: it opens with a pair, has at least three, and the
/// pairs cover at least 80% of its non-blank bytes.
pub(crate) fn strong_line(line: &str) -> bool {
    if !opens_with_pair(line) {
        return false;
    }
    let mut pairs = 0usize;
    let mut covered = 0usize;
    let mut total = 0usize;
    for (tok, len) in Tokens::new(line) {
        total += len;
        if let Token::Pair { .. } = tok {
            pairs += 1;
            covered += len;
        }
    }
    pairs >= 3 && covered * 10 >= total * 8
}

/// logfmt when at least 75% of the non-empty sample lines are clearly logfmt, so that
/// text with an occasional `a=b` is not taken for it.
pub fn detect(sample: &[&str], _ctx: &TimeContext) -> Option<Candidate> {
    let mut nonempty = 0usize;
    let mut strong = 0usize;
    for line in sample {
        if line.trim().is_empty() {
            continue;
        }
        nonempty += 1;
        if strong_line(line) {
            strong += 1;
        }
    }
    (strong > 0 && strong * 4 >= nonempty * 3).then(|| Candidate {
        name: "logfmt".to_string(),
        parser: Arc::new(LogfmtParser),
        ts_layout: None,
        specificity: specificity::LOGFMT,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::testing::{ctx, fields, parse_with};
    use crate::record::rfc3339;
    use crate::Level;

    fn parse(line: &str) -> Option<Record> {
        parse_with(&LogfmtParser, line)
    }

    #[test]
    fn basic_line() {
        let r = parse(r#"time=2024-01-01T10:00:00Z level=info msg="user logged in" user=alice dur=12ms"#).unwrap();
        assert_eq!(rfc3339(r.ts.unwrap()), "2024-01-01T10:00:00Z");
        assert_eq!(r.level, Some(Level::Info));
        assert_eq!(r.message, "user logged in");
        assert_eq!(fields(&r), vec![("user", "alice"), ("dur", "12ms")]);
    }

    #[test]
    fn go_kit_with_caller() {
        let r = parse(r#"ts=2024-02-03T04:05:06.789012Z caller=main.go:42 level=error component=tsdb msg="compaction failed" err="open /data/01H: no such file""#)
            .unwrap();
        assert_eq!(rfc3339(r.ts.unwrap()), "2024-02-03T04:05:06.789012Z");
        assert_eq!(r.level, Some(Level::Error));
        assert_eq!(r.module.as_deref(), Some("tsdb"));
        assert_eq!(r.message, "compaction failed");
        assert_eq!(
            fields(&r),
            vec![("caller", "main.go:42"), ("err", "open /data/01H: no such file")]
        );
        let r =
            parse(r#"level=warn ts=2024-02-03T04:05:06Z caller=scrape/scrape.go:1313 msg="Append failed""#).unwrap();
        assert_eq!(r.module.as_deref(), Some("scrape/scrape.go"));
    }

    #[test]
    fn grafana_and_logrus_text() {
        let r = parse(r#"t=2024-05-06T07:08:09+0200 lvl=eror msg="Failed to send alert" logger=alerting.notifier host=grafana-0 error="dial tcp: i/o timeout""#)
            .unwrap();
        assert_eq!(rfc3339(r.ts.unwrap()), "2024-05-06T05:08:09Z");
        assert_eq!(r.level, Some(Level::Error));
        assert_eq!(r.module.as_deref(), Some("alerting.notifier"));
        assert_eq!(r.host.as_deref(), Some("grafana-0"));
        assert_eq!(fields(&r), vec![("error", "dial tcp: i/o timeout")]);
        let r = parse(r#"time="2015-03-26T01:27:38-04:00" level=warning msg="The group's number increased tremendously!" number=122 omg=true service=zoo"#)
            .unwrap();
        assert_eq!(rfc3339(r.ts.unwrap()), "2015-03-26T05:27:38Z");
        assert_eq!(r.level, Some(Level::Warn));
        assert_eq!(r.service.as_deref(), Some("zoo"));
        assert_eq!(fields(&r), vec![("number", "122"), ("omg", "true")]);
    }

    #[test]
    fn heroku_router() {
        let r = parse(r#"at=info method=GET path="/users?page=2" host=myapp.herokuapp.com request_id=8601b555-6a83-4c12-8269-97c8e32cdb22 fwd="204.204.204.204" dyno=web.1 connect=1ms service=18ms status=200 bytes=13 protocol=https"#)
            .unwrap();
        assert_eq!(r.host.as_deref(), Some("myapp.herokuapp.com"));
        assert_eq!(r.service, None, "`service=18ms` is a duration");
        // `at=` is Heroku's level; the request is the message, as an access log's.
        assert_eq!(r.level, Some(Level::Info));
        assert_eq!(r.message, "GET /users?page=2 200");
        assert_eq!(r.field("service"), Some("18ms"));
        assert_eq!(r.field("path"), Some("/users?page=2"));
        assert_eq!(r.field("status"), Some("200"));
        assert_eq!(r.fields.len(), 10);
        let r = parse(r#"at=error code=H12 desc="Request timeout" method=GET path="/" host=a.herokuapp.com fwd="1.2.3.4" dyno=web.1 connect=0ms service=30000ms status=503 bytes=0"#).unwrap();
        assert_eq!(r.level, Some(Level::Error));
        assert_eq!(r.field("code"), Some("H12"));
    }

    /// structlog's `KeyValueRenderer` writes values as Python's `repr`: single quotes.
    #[test]
    fn python_repr_values_in_single_quotes() {
        let r = parse(r#"event='user logged in' level='warning' logger='app.auth' timestamp='2024-05-01T08:00:00.000001Z' user='bob'"#).unwrap();
        assert_eq!(r.message, "user logged in");
        assert_eq!(r.level, Some(Level::Warn));
        assert_eq!(rfc3339(r.ts.unwrap()), "2024-05-01T08:00:00.000001Z");
        assert_eq!(r.module.as_deref(), Some("app.auth"));
        assert_eq!(fields(&r), vec![("user", "bob")]);
        // Escapes as `repr` writes them.
        let r = parse(r#"event='it\'s\x41\n' path='C:\\tmp' level=info"#).unwrap();
        assert_eq!(r.message, "it'sA\n");
        assert_eq!(r.field("path"), Some("C:\\tmp"));
        // A quote that does not close the token is part of a bare value.
        let r = parse("msg='twas brillig level=info").unwrap();
        assert_eq!(r.message, "'twas brillig");
        assert_eq!(r.level, Some(Level::Info));
        let r = parse("msg='tis level='info'").unwrap();
        assert_eq!((r.message.as_str(), r.level), ("'tis", Some(Level::Info)));
        // Detected as logfmt.
        let lines = [r#"event='a b' level='info' timestamp='2024-05-01T08:00:00Z'"#; 5];
        assert!(detect(&lines, &ctx()).is_some());
    }

    #[test]
    fn escapes_epochs_and_strays() {
        let r = parse(r#"ts=1700000000.250 level=debug msg="say \"hi\"\n\tnext \u00e9 \q" path="C:\\tmp""#).unwrap();
        assert_eq!(rfc3339(r.ts.unwrap()), "2023-11-14T22:13:20.250Z");
        assert_eq!(r.level, Some(Level::Debug));
        assert_eq!(r.message, "say \"hi\"\n\tnext \u{e9} \\q");
        assert_eq!(fields(&r), vec![("path", "C:\\tmp")]);
        let r = parse("level=info msg=hello world again k=v").unwrap();
        assert_eq!(r.message, "hello world again");
        assert_eq!(fields(&r), vec![("k", "v")]);
        let r = parse("at=info method=GET path=/ dyno=web.1 connect=1ms\r").unwrap();
        assert_eq!(r.message, "");
        assert_eq!(fields(&r).last(), Some(&("connect", "1ms")));
        let r = parse(r#"msg="unterminated and more"#).unwrap();
        assert_eq!(r.message, "unterminated and more");
        let r = parse("a= b=\"\" c").unwrap();
        assert_eq!(fields(&r), vec![("a", ""), ("b", "")]);
        assert_eq!(r.message, "c");
    }

    #[test]
    fn continuations() {
        for line in [
            "goroutine 1 [running]:",
            "\tmain.main()",
            "  x = 1",
            "panic: runtime error: index out of range [3] with length 3",
            "= nothing",
            "",
            "1a=b",
        ] {
            assert!(parse(line).is_none(), "{line:?}");
            assert!(!LogfmtParser.starts_record(line, &ctx()));
        }
    }

    #[test]
    fn garbage_does_not_panic() {
        for line in [
            "a=\"\\",
            "a=\"\\u12",
            "a=\"\\u00zz\"",
            "a=\"é\\",
            "k=\u{0}",
            "a=\"\"\"\"",
            "x=y=z",
            "é=1",
            "a=\"\\uD800\"",
        ] {
            let mut rec = Record::default();
            LogfmtParser.parse_line(line, &ctx(), &mut rec);
        }
        assert_eq!(fields(&parse("x=y=z").unwrap()), vec![("x", "y=z")]);
    }

    #[test]
    fn detection() {
        let lines = [
            r#"level=info ts=2024-01-01T00:00:00Z msg="starting" version=1.2"#,
            r#"level=info ts=2024-01-01T00:00:01Z msg="listening" addr=:8080"#,
            "",
            r#"level=warn ts=2024-01-01T00:00:02Z msg="slow" dur=2s"#,
        ];
        let c = detect(&lines, &ctx()).expect("logfmt");
        assert_eq!(c.name, "logfmt");
        let text = [
            "2024-01-01 10:00:00 INFO starting server port=8080",
            "2024-01-01 10:00:01 INFO user=bob logged in",
            "retry=3 giving up on host db1 after many attempts",
            "a=1 b=2 c=3 and then a long tail of words that are not pairs at all",
        ];
        assert!(detect(&text, &ctx()).is_none());
    }
}
