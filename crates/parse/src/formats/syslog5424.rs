//! Syslog lines that start with a `<PRI>`: RFC 5424, and RFC 3164 as sent over the wire.
//!
//! ```text
//! <165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog 1234 ID47 [exampleSDID@32473 iut="3" eventSource="Application"] An application event log entry...
//! <34>Oct 11 22:14:15 mymachine su[123]: 'su root' failed for lonvick on /dev/pts/8
//! ```
//!
//! RFC 5424: the level comes from the PRI's severity, the `facility` field is the
//! facility's name (`local4`), HOSTNAME is the host, APP-NAME is both service and
//! module, PROCID is `pid`, MSGID is `msgid`, each SD-PARAM is `sd.<SD-ID>.<name>`; `-`
//! (NILVALUE) fields are left out and a BOM before the message is dropped.
//!
//! RFC 3164: `<PRI>TIMESTAMP HOSTNAME TAG[PID]: MSG`. The timestamp is usually
//! `Mmm dd HH:MM:SS` (year inferred) but any layout [`timestamp::scan`] knows is taken
//! (rsyslog forwards RFC 3339 times in this shape). The tag is module and service. A
//! missing hostname (`<13>Oct 11 22:14:15 su: msg`, as written to `/dev/log`) is
//! recognised by the token ending in `:` or holding `[`.
//!
//! Every line starting with a valid PRI (`<0>`–`<191>`) is a record head; what follows
//! is parsed as far as it fits, the rest being the message. Plain RFC 3164 without a PRI
//! is left to the inferred text layouts. Limits: malformed structured data ends SD
//! parsing and the rest of the line becomes the message.

use std::sync::Arc;

use crate::formats::{specificity, Candidate, LineParser};
use crate::timestamp::{self, TimeContext, TsLayout};
use crate::{Level, Record};

/// Parses `<PRI>`-prefixed syslog lines of either RFC; see the module documentation.
#[derive(Debug, Clone, Copy, Default)]
pub struct SyslogParser;

const FACILITIES: [&str; 24] = [
    "kern",
    "user",
    "mail",
    "daemon",
    "auth",
    "syslog",
    "lpr",
    "news",
    "uucp",
    "cron",
    "authpriv",
    "ftp",
    "ntp",
    "security",
    "console",
    "solaris-cron",
    "local0",
    "local1",
    "local2",
    "local3",
    "local4",
    "local5",
    "local6",
    "local7",
];

/// `<PRI>` at the start: (pri, bytes).
fn pri(b: &[u8]) -> Option<(u8, usize)> {
    if b.first() != Some(&b'<') {
        return None;
    }
    let mut v = 0u32;
    let mut i = 1;
    while let Some(&c) = b.get(i) {
        if c == b'>' {
            break;
        }
        if !c.is_ascii_digit() || i > 3 {
            return None;
        }
        v = v * 10 + (c - b'0') as u32;
        i += 1;
    }
    if i == 1 || b.get(i) != Some(&b'>') || v > 191 {
        return None;
    }
    Some((v as u8, i + 1))
}

/// The RFC 5424 VERSION after the PRI (`1 `): bytes including the space.
fn version(b: &[u8], at: usize) -> Option<usize> {
    let first = *b.get(at)?;
    if !(b'1'..=b'9').contains(&first) {
        return None;
    }
    let mut i = at + 1;
    if b.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    (b.get(i) == Some(&b' ')).then_some(i + 1 - at)
}

/// Next space-delimited token from `*pos`, advancing past one following space.
fn token<'a>(line: &'a str, pos: &mut usize) -> &'a str {
    let b = line.as_bytes();
    let start = (*pos).min(b.len());
    let mut e = start;
    while b.get(e).is_some_and(|c| *c != b' ') {
        e += 1;
    }
    *pos = if e < b.len() { e + 1 } else { e };
    line.get(start..e).unwrap_or("")
}

fn nil(s: &str) -> Option<&str> {
    (!s.is_empty() && s != "-").then_some(s)
}

/// Which RFC a line follows, with its timestamp layout for 3164.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Rfc5424,
    Rfc3164(Option<TsLayout>),
}

/// Parses the SD-ELEMENTs at `*pos`, pushing `sd.<id>.<param>` fields and moving `*pos`
/// past each complete element. Stops at a malformed element, leaving none of its fields.
fn structured_data(line: &str, pos: &mut usize, fields: &mut Vec<(crate::record::FieldName, String)>) {
    while line.as_bytes().get(*pos) == Some(&b'[') {
        let before = fields.len();
        match sd_element(line, *pos, fields) {
            Some(end) => *pos = end,
            None => {
                fields.truncate(before);
                return;
            }
        }
    }
}

/// Whether `c` may appear in an SD-ID or PARAM-NAME.
fn sd_name_byte(c: u8) -> bool {
    !matches!(c, b' ' | b']' | b'=' | b'"')
}

/// One SD-ELEMENT starting at `at` (on its `[`); returns the offset after its `]`.
fn sd_element(line: &str, at: usize, fields: &mut Vec<(crate::record::FieldName, String)>) -> Option<usize> {
    let b = line.as_bytes();
    let mut j = at + 1;
    while b.get(j).is_some_and(|&c| sd_name_byte(c)) {
        j += 1;
    }
    let id = line.get(at + 1..j).filter(|s| !s.is_empty())?;
    loop {
        match *b.get(j)? {
            b']' => return Some(j + 1),
            b' ' => j += 1,
            _ => {
                let name_start = j;
                while b.get(j).is_some_and(|&c| sd_name_byte(c)) {
                    j += 1;
                }
                if j == name_start || b.get(j) != Some(&b'=') || b.get(j + 1) != Some(&b'"') {
                    return None;
                }
                let name = line.get(name_start..j)?;
                j += 2;
                // PARAM-VALUE: `"`, `\` and `]` are escaped with a backslash.
                let mut value = String::new();
                let mut seg = j;
                loop {
                    match *b.get(j)? {
                        b'"' => break,
                        b'\\' if matches!(b.get(j + 1), Some(b'"' | b'\\' | b']')) => {
                            value.push_str(line.get(seg..j)?);
                            seg = j + 1;
                            j += 2;
                        }
                        _ => j += 1,
                    }
                }
                value.push_str(line.get(seg..j)?);
                j += 1;
                fields.push((format!("sd.{id}.{name}").into(), value));
            }
        }
    }
}

/// Fills `rec` from an RFC 5424 line whose header starts at `pos` (after the version).
fn parse_5424(line: &str, mut pos: usize, ctx: &TimeContext, rec: &mut Record) {
    let ts = token(line, &mut pos);
    if let Some(t) = nil(ts) {
        rec.ts = timestamp::parse_text(t, ctx);
    }
    let host = nil(token(line, &mut pos));
    let app = nil(token(line, &mut pos));
    let procid = nil(token(line, &mut pos));
    let msgid = nil(token(line, &mut pos));
    rec.host = host.map(str::to_string);
    if let Some(a) = app {
        rec.service = Some(a.to_string());
        rec.module = Some(a.to_string());
    }
    if let Some(p) = procid {
        rec.fields.push(("pid".into(), p.to_string()));
    }
    if let Some(m) = msgid {
        rec.fields.push(("msgid".into(), m.to_string()));
    }
    let b = line.as_bytes();
    if b.get(pos) == Some(&b'-') && matches!(b.get(pos + 1), None | Some(b' ')) {
        pos += 1;
    } else {
        structured_data(line, &mut pos, &mut rec.fields);
    }
    if b.get(pos) == Some(&b' ') {
        pos += 1;
    }
    let msg = line.get(pos..).unwrap_or("");
    let msg = msg.strip_prefix('\u{feff}').unwrap_or(msg);
    rec.message.push_str(msg.trim_end_matches('\r'));
}

/// Fills `rec` from an RFC 3164 line whose header starts at `pos` (after the PRI);
/// returns the timestamp layout when there was one.
fn parse_3164(line: &str, mut pos: usize, ctx: &TimeContext, rec: &mut Record) -> Option<TsLayout> {
    let b = line.as_bytes();
    let layout = match timestamp::scan(b.get(pos..).unwrap_or(&[]), ctx) {
        Some(m) if matches!(b.get(pos + m.len), Some(b' ') | None) => {
            rec.ts = Some(m.nanos);
            pos += m.len;
            if b.get(pos) == Some(&b' ') {
                pos += 1;
            }
            Some(m.layout)
        }
        _ => None,
    };
    if layout.is_some() {
        let mut p = pos;
        let first = token(line, &mut p);
        let tag_like = |t: &str| t.ends_with(':') || t.contains('[');
        let tag_at = if !first.is_empty() && !tag_like(first) {
            rec.host = Some(first.to_string());
            p
        } else {
            pos
        };
        let mut q = tag_at;
        let tag_tok = token(line, &mut q);
        if tag_like(tag_tok) {
            let (tag, pid) = match tag_tok.split_once('[') {
                Some((t, rest)) => {
                    let pid = rest.split_once(']').map(|(p, _)| p);
                    (t, pid)
                }
                None => (tag_tok.trim_end_matches(':'), None),
            };
            // Only a tag when the token ends the header with `:` (`su[123]:`).
            if tag_tok.ends_with(':') && !tag.is_empty() {
                rec.module = Some(tag.to_string());
                rec.service = Some(tag.to_string());
                if let Some(p) = pid.filter(|p| !p.is_empty()) {
                    rec.fields.push(("pid".into(), p.to_string()));
                }
                pos = q;
            } else {
                pos = tag_at;
            }
        } else {
            pos = tag_at;
        }
    }
    rec.message
        .push_str(line.get(pos..).unwrap_or("").trim_end_matches('\r'));
    layout
}

/// Parses a line; `None` when it has no PRI.
fn parse_any(line: &str, ctx: &TimeContext, rec: &mut Record) -> Option<Kind> {
    let b = line.as_bytes();
    let (p, plen) = pri(b)?;
    rec.level = Some(Level::from_syslog_severity(p % 8));
    let facility = FACILITIES.get((p / 8) as usize).copied().unwrap_or("unknown");
    rec.fields.push(("facility".into(), facility.to_string()));
    Some(match version(b, plen) {
        Some(vlen) => {
            parse_5424(line, plen + vlen, ctx, rec);
            Kind::Rfc5424
        }
        None => Kind::Rfc3164(parse_3164(line, plen, ctx, rec)),
    })
}

impl LineParser for SyslogParser {
    fn parse_line(&self, line: &str, ctx: &TimeContext, rec: &mut Record) -> bool {
        parse_any(line, ctx, rec).is_some()
    }

    fn starts_record(&self, line: &str, _ctx: &TimeContext) -> bool {
        pri(line.as_bytes()).is_some()
    }
}

/// `<PRI>` syslog when at least 80% of the non-empty sample lines have a PRI and a
/// timestamp. Named `syslog-rfc5424` or `syslog-rfc3164` after the majority of lines
/// (the parser reads both kinds either way).
pub fn detect(sample: &[&str], ctx: &TimeContext) -> Option<Candidate> {
    let mut nonempty = 0usize;
    let mut n5424 = 0usize;
    let mut n3164 = 0usize;
    let mut layout3164 = None;
    for line in sample {
        if line.trim().is_empty() {
            continue;
        }
        nonempty += 1;
        let mut rec = Record::default();
        match parse_any(line, ctx, &mut rec) {
            Some(Kind::Rfc5424) if rec.ts.is_some() => n5424 += 1,
            Some(Kind::Rfc3164(Some(l))) => {
                n3164 += 1;
                layout3164.get_or_insert(l);
            }
            _ => {}
        }
    }
    let good = n5424 + n3164;
    if good == 0 || good * 5 < nonempty * 4 {
        return None;
    }
    let (name, ts_layout) = if n5424 >= n3164 {
        ("syslog-rfc5424", Some(TsLayout::Iso))
    } else {
        ("syslog-rfc3164", layout3164)
    };
    Some(Candidate {
        name: name.to_string(),
        parser: Arc::new(SyslogParser),
        ts_layout,
        specificity: specificity::SYSLOG5424,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::testing::{ctx, fields, parse_with};
    use crate::record::rfc3339;

    fn parse(line: &str) -> Option<Record> {
        parse_with(&SyslogParser, line)
    }

    #[test]
    fn rfc5424_with_structured_data() {
        let r = parse(r#"<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog 1234 ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"][examplePriority@32473 class="high"] An application event log entry..."#)
            .unwrap();
        assert_eq!(rfc3339(r.ts.unwrap()), "2003-10-11T22:14:15.003Z");
        assert_eq!(r.level, Some(Level::Info));
        assert_eq!(r.host.as_deref(), Some("mymachine.example.com"));
        assert_eq!(r.service.as_deref(), Some("evntslog"));
        assert_eq!(r.module.as_deref(), Some("evntslog"));
        assert_eq!(r.message, "An application event log entry...");
        assert_eq!(
            fields(&r),
            vec![
                ("facility", "local4"),
                ("pid", "1234"),
                ("msgid", "ID47"),
                ("sd.exampleSDID@32473.iut", "3"),
                ("sd.exampleSDID@32473.eventSource", "Application"),
                ("sd.exampleSDID@32473.eventID", "1011"),
                ("sd.examplePriority@32473.class", "high"),
            ]
        );
    }

    #[test]
    fn rfc5424_nil_values_bom_and_escapes() {
        let r = parse("<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - \u{feff}'su root' failed for lonvick on /dev/pts/8").unwrap();
        assert_eq!(r.level, Some(Level::Fatal));
        assert_eq!(r.message, "'su root' failed for lonvick on /dev/pts/8");
        assert_eq!(fields(&r), vec![("facility", "auth"), ("msgid", "ID47")]);
        let r = parse(
            "<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the do-nuts.",
        )
        .unwrap();
        assert_eq!(rfc3339(r.ts.unwrap()), "2003-08-24T12:14:15.000003Z");
        assert_eq!(r.host.as_deref(), Some("192.0.2.1"));
        assert_eq!(r.message, "%% It's time to make the do-nuts.");
        let r = parse("<14>1 - - - - - -").unwrap();
        assert_eq!((r.ts, r.host.as_deref(), r.message.as_str()), (None, None, ""));
        let r = parse(r#"<11>1 2024-01-01T00:00:00Z h app - - [meta x="a\"b\]c\\d\n"]"#).unwrap();
        assert_eq!(r.level, Some(Level::Error));
        assert_eq!(r.field("sd.meta.x"), Some(r#"a"b]c\d\n"#));
        assert_eq!(r.message, "");
        // Malformed SD: the rest is the message.
        let r = parse(r#"<11>1 2024-01-01T00:00:00Z h app - - [meta x=1] boom"#).unwrap();
        assert_eq!(r.message, "[meta x=1] boom");
    }

    #[test]
    fn rfc3164_with_pri() {
        let r = parse("<34>Oct 11 22:14:15 mymachine su[123]: 'su root' failed for lonvick on /dev/pts/8").unwrap();
        assert_eq!(rfc3339(r.ts.unwrap()), "2023-10-11T22:14:15Z");
        assert_eq!(r.level, Some(Level::Fatal));
        assert_eq!(r.host.as_deref(), Some("mymachine"));
        assert_eq!(r.module.as_deref(), Some("su"));
        assert_eq!(r.service.as_deref(), Some("su"));
        assert_eq!(r.message, "'su root' failed for lonvick on /dev/pts/8");
        assert_eq!(fields(&r), vec![("facility", "auth"), ("pid", "123")]);

        let r = parse("<86>Jun  3 09:01:02 web-1 postfix/smtpd[4242]: connect from unknown[10.0.0.5]").unwrap();
        assert_eq!(rfc3339(r.ts.unwrap()), "2024-06-03T09:01:02Z");
        assert_eq!(r.module.as_deref(), Some("postfix/smtpd"));
        assert_eq!(r.level, Some(Level::Info));
        assert_eq!(r.message, "connect from unknown[10.0.0.5]");
        assert_eq!(fields(&r), vec![("facility", "authpriv"), ("pid", "4242")]);

        // No hostname (local /dev/log), tag without pid.
        let r = parse("<13>Feb  5 17:32:18 myscript: hello world").unwrap();
        assert_eq!(r.host, None);
        assert_eq!(r.module.as_deref(), Some("myscript"));
        assert_eq!(r.message, "hello world");
        assert_eq!(r.level, Some(Level::Info));

        // No tag at all.
        let r = parse("<189>Feb  5 17:32:18 10.0.0.99 Use the BFG!").unwrap();
        assert_eq!(r.host.as_deref(), Some("10.0.0.99"));
        assert_eq!(r.module, None);
        assert_eq!(r.message, "Use the BFG!");
        assert_eq!(fields(&r), vec![("facility", "local7")]);

        // rsyslog forwarding with an RFC 3339 time.
        let r = parse("<30>2024-03-01T10:00:00.5+01:00 node-3 systemd[1]: Started Session 42 of user root.\r").unwrap();
        assert_eq!(rfc3339(r.ts.unwrap()), "2024-03-01T09:00:00.500Z");
        assert_eq!(r.module.as_deref(), Some("systemd"));
        assert_eq!(r.message, "Started Session 42 of user root.");

        // PRI but no timestamp: still a record, the rest is the message.
        let r = parse("<6>[    1.234567] Linux version 6.1").unwrap();
        assert_eq!(r.ts, None);
        assert_eq!(r.message, "[    1.234567] Linux version 6.1");
    }

    #[test]
    fn not_syslog() {
        for line in [
            "Jun 14 15:16:01 combo sshd[19939]: msg",
            "<192>1 x",
            "<>x",
            "<1234>x",
            "<a>",
            "",
            "<",
            "\tat x",
            "< 1>",
        ] {
            assert!(parse(line).is_none(), "{line:?}");
            assert!(!SyslogParser.starts_record(line, &ctx()));
        }
    }

    #[test]
    fn garbage_does_not_panic() {
        for line in [
            "<1>",
            "<1>1",
            "<1>1 ",
            "<1>1 - - - - - [",
            "<1>1 - - - - - [a",
            "<1>1 - - - - - [a b",
            "<1>1 - - - - - [a b=\"",
            "<1>1 - - - - - [a b=\"\\",
            "<1>1 - - - - - [a b=\"é\\\"",
            "<1>Oct 11 22:14:15",
            "<1>Oct 11 22:14:15 ",
            "<1>Oct 11 22:14:15 h x[",
            "<1>Oct 11 22:14:15 h x[é:",
            "<1>Oct 11 22:14:15 [",
            "<191>99 é",
        ] {
            let mut rec = Record::default();
            assert!(SyslogParser.parse_line(line, &ctx(), &mut rec), "{line:?}");
        }
    }

    #[test]
    fn detection() {
        let l5424 = [
            "<165>1 2003-10-11T22:14:15.003Z h app 1 - - a",
            "<165>1 2003-10-11T22:14:16.003Z h app 1 - - b",
            "",
            "<34>Oct 11 22:14:15 mymachine su[123]: c",
        ];
        let c = detect(&l5424, &ctx()).unwrap();
        assert_eq!((c.name.as_str(), c.ts_layout), ("syslog-rfc5424", Some(TsLayout::Iso)));
        let l3164 = [
            "<34>Oct 11 22:14:15 mymachine su[123]: c",
            "<34>Oct 11 22:14:16 mymachine su[123]: d",
        ];
        let c = detect(&l3164, &ctx()).unwrap();
        assert_eq!(
            (c.name.as_str(), c.ts_layout),
            ("syslog-rfc3164", Some(TsLayout::Syslog))
        );
        assert!(detect(&["Jun 14 15:16:01 combo sshd[19939]: msg"], &ctx()).is_none());
        assert!(detect(&["<6>[    1.234567] Linux version 6.1"], &ctx()).is_none());
    }
}
