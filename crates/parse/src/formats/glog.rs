//! The glog header: Go glog and klog (Kubernetes components, etcd, CoreDNS), C++ glog
//! and Abseil, Python absl-logging.
//!
//! ```text
//! I1207 09:00:00.219781    4321 handler.go:47] scheduled job finished in 842 ms
//! E1207 09:25:00.058345    4321 handler.go:91] Failed to connect to payments-db 10.0.3.7:5432: connection refused
//! I1207 09:25:01.000000       1 event.go:294] "Event occurred" object="ns/pod" kind="Pod" reason="Failed"
//! W20240102 03:04:05.678901 140234567890 server.cc:12] glog >= 0.6 writes the year
//! Dec 07 09:00:00 node-1 kubelet[4321]: I1207 09:00:00.219781    4321 handler.go:47] via journalctl
//! ```
//!
//! `Lmmdd hh:mm:ss.uuuuuu id file:line] msg`. Fields: the level from the letter
//! ([`Level::from_letter`]: `I W E F`, and `D V T A C`); the time from `mmdd` with the
//! year inferred as for syslog stamps (the `MonthDay` layout of [`timestamp`]), or from
//! `yyyymmdd` (glog 0.6+ `log_year_in_prefix`), with a fraction of any length or none;
//! `module` is the file without its line (klog's `-add_dir_header` keeps the directory);
//! the number is `pid` for a Go file (glog and klog print the process id) and `tid`
//! otherwise (C++ glog and absl print a thread id; decimal, or `0x…` where the platform
//! prints a pointer); the message is everything after `] `, klog's structured
//! `"msg" key="value"` form included.
//!
//! A line with the header's shape but a date that names no real time
//! (`I1332 25:61:00.0 1 a.go:1] x`) is still a record head, with no time and
//! `ts_invalid` set: the shape alone (letter, date digits, clock, number, `file:line]`)
//! is specific enough, and the assembler counts impossible times. Every other line
//! (Go panics and `goroutine 1 [running]:` dumps, klog's indented multi-line values,
//! wrapped text) continues the record above.
//!
//! Under journald or a syslog file (`journalctl -u kubelet`), each line carries a
//! `time host tag[pid]: ` prefix: the glog head after it is read the same way, plus
//! `host` and `service` (the tag); prefixed lines whose text is not a glog head are
//! records with the prefix's time and no level (the unit's own messages), or, when the
//! text looks like a stack frame or a goroutine dump, continue the record above with the
//! text after the prefix.

use std::borrow::Cow;
use std::sync::Arc;

use crate::detect::looks_like_continuation;
use crate::formats::{Candidate, LineParser};
use crate::timestamp::{self, TimeContext, TsLayout, TsMatch};
use crate::{Level, Record};

/// Above the learned layouts (30), which read a glog line as `<col1> <time> <num>
/// <message>`, and logfmt (40), which klog's structured lines could half-satisfy; below
/// the self-describing formats, which never parse a glog line anyway.
pub const SPECIFICITY: u8 = 50;

/// Longest `file:line` looked at: a path, never a sentence.
const MAX_CALLER: usize = 300;

const MESSAGE: u8 = 0;
const FACETS: u8 = 1;
const ALL: u8 = 2;

/// Parses glog heads; see the module documentation.
#[derive(Debug, Clone, Copy, Default)]
pub struct GlogParser {
    /// Lines start with a syslog/journald `time host tag[pid]: ` prefix.
    pub syslog_prefix: bool,
}

/// Byte offsets of a glog head in a line, found without converting anything.
struct Head {
    level: Level,
    /// Offset of the level letter.
    at: usize,
    /// Date digits after the letter: 4 (`mmdd`) or 8 (`yyyymmdd`).
    date_len: usize,
    /// End of the clock `hh:mm:ss[.f…]` (which starts after the date and a space).
    clock_end: usize,
    id: (usize, usize),
    /// The file, without `:line`.
    file: (usize, usize),
    msg: usize,
}

fn count_digits(b: &[u8], at: usize) -> usize {
    b.get(at..)
        .map_or(0, |r| r.iter().take_while(|c| c.is_ascii_digit()).count())
}

/// The glog head starting at `at`.
fn head(b: &[u8], at: usize) -> Option<Head> {
    let level = Level::from_letter_bytes(b.get(at..at + 1)?)?;
    let date_len = count_digits(b, at + 1);
    if date_len != 4 && date_len != 8 {
        return None;
    }
    let mut i = at + 1 + date_len;
    if b.get(i) != Some(&b' ') {
        return None;
    }
    i += 1;
    // `hh:mm:ss`, two digits each: every implementation pads them.
    let clock = b.get(i..i + 8)?;
    let clock_ok = clock.iter().enumerate().all(|(k, c)| {
        if k == 2 || k == 5 {
            *c == b':'
        } else {
            c.is_ascii_digit()
        }
    });
    if !clock_ok {
        return None;
    }
    i += 8;
    if b.get(i) == Some(&b'.') {
        let f = count_digits(b, i + 1);
        if f == 0 {
            return None;
        }
        i += 1 + f;
    }
    let clock_end = i;
    // Spaces, then the id (klog pads it to seven columns, absl to five).
    while b.get(i) == Some(&b' ') {
        i += 1;
    }
    if i == clock_end {
        return None;
    }
    let id_start = i;
    if b.get(i..i + 2) == Some(b"0x") {
        i += 2;
        let h = b[i..].iter().take_while(|c| c.is_ascii_hexdigit()).count();
        if h == 0 {
            return None;
        }
        i += h;
    } else {
        // An empty id fails the space check below (spaces were skipped).
        i += count_digits(b, i);
    }
    let id = (id_start, i);
    if b.get(i) != Some(&b' ') {
        return None;
    }
    i += 1;
    // `file:line]`. The file may hold spaces (absl's `<frozen importlib._bootstrap>`).
    let span = &b[i..b.len().min(i + MAX_CALLER)];
    let close = memchr::memchr(b']', span)?;
    let caller = &span[..close];
    let colon = caller.iter().rposition(|&c| c == b':')?;
    let line_no = &caller[colon + 1..];
    if colon == 0 || line_no.is_empty() || !line_no.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let file = (i, i + colon);
    let after = i + close + 1;
    let msg = match b.get(after) {
        None => after,
        Some(b' ') => after + 1,
        Some(_) => return None,
    };
    Some(Head {
        level,
        at,
        date_len,
        clock_end,
        id,
        file,
        msg,
    })
}

/// The head's time, read by the `MonthDay` (year inferred from the context) or `Iso`
/// recogniser from a copy respelled in their layout. `valid: false` for a date that
/// names no real time.
fn head_time(b: &[u8], h: &Head, ctx: &TimeContext) -> Option<TsMatch> {
    // `yyyy-mm-dd hh:mm:ss.fffffffff`: 29 bytes at most (digits past nanoseconds dropped).
    let mut buf = [0u8; 32];
    let mut n = 0;
    let mut put = |bytes: &[u8]| {
        buf[n..n + bytes.len()].copy_from_slice(bytes);
        n += bytes.len();
    };
    let date = &b[h.at + 1..h.at + 1 + h.date_len];
    let layout = if h.date_len == 8 {
        put(&date[..4]);
        put(b"-");
        put(&date[4..6]);
        put(b"-");
        put(&date[6..]);
        TsLayout::Iso
    } else {
        put(&date[..2]);
        put(b"-");
        put(&date[2..]);
        TsLayout::MonthDay
    };
    put(b" ");
    let clock_start = h.at + 1 + h.date_len + 1;
    let clock_len = (h.clock_end - clock_start).min(8 + 1 + 9);
    put(&b[clock_start..clock_start + clock_len]);
    timestamp::parse_with_checked(layout, &buf[..n], ctx)
}

/// Offsets in a `time host tag[pid]: ` prefix.
struct Prefix {
    ts: TsMatch,
    host: (usize, usize),
    tag: (usize, usize),
    /// Where the text after the prefix starts.
    rest: usize,
}

fn token_end(b: &[u8], at: usize) -> usize {
    at + b.get(at..).map_or(0, |r| r.iter().take_while(|c| **c != b' ').count())
}

/// A journald/syslog prefix: a dated timestamp, a host, and a tag ending in `:`.
fn syslog_prefix(b: &[u8], ctx: &TimeContext) -> Option<Prefix> {
    let ts = timestamp::scan_checked(b, ctx).filter(|m| m.layout != TsLayout::TimeOnly)?;
    if b.get(ts.len) != Some(&b' ') {
        return None;
    }
    let host_start = ts.len + 1;
    let host_end = token_end(b, host_start);
    if host_end == host_start || b.get(host_end) != Some(&b' ') {
        return None;
    }
    let tag_start = host_end + 1;
    let tag_end = token_end(b, tag_start);
    let tag_tok = &b[tag_start..tag_end];
    if tag_tok.len() < 2 || tag_tok.last() != Some(&b':') {
        return None;
    }
    // `kubelet[4321]:` names the service `kubelet`.
    let name_len = tag_tok.iter().position(|&c| c == b'[').unwrap_or(tag_tok.len() - 1);
    let rest = match b.get(tag_end) {
        Some(b' ') => tag_end + 1,
        _ => tag_end,
    };
    Some(Prefix {
        ts,
        host: (host_start, host_end),
        tag: (tag_start, tag_start + name_len),
        rest,
    })
}

/// `line[a..b]`, or "" off a char boundary (offsets here sit next to ASCII, so never).
fn sub(line: &str, (a, b): (usize, usize)) -> &str {
    line.get(a..b).unwrap_or("")
}

fn set_time(m: Option<TsMatch>, rec: &mut Record) {
    match m {
        Some(m) if m.valid => rec.ts = Some(m.nanos),
        _ => rec.ts_invalid = true,
    }
}

/// Fills `rec` from a glog head; see [`GlogParser::parse`] for `MODE`.
#[inline(always)]
fn fill<const MODE: u8>(line: &str, h: &Head, ctx: &TimeContext, rec: &mut Record) -> bool {
    let b = line.as_bytes();
    rec.level = Some(h.level);
    set_time(head_time(b, h, ctx), rec);
    if MODE >= FACETS {
        rec.module = Some(sub(line, h.file).to_string());
    }
    if MODE == ALL {
        let name = if b[h.file.0..h.file.1].ends_with(b".go") {
            "pid"
        } else {
            "tid"
        };
        rec.fields.push((name.into(), sub(line, h.id).to_string()));
    }
    rec.message.push_str(line.get(h.msg..).unwrap_or(""));
    true
}

impl GlogParser {
    /// Parses a head line. `MODE` is [`ALL`], [`FACETS`] (no process or thread id) or
    /// [`MESSAGE`] (only `ts`, `level` and `message`).
    #[inline(always)]
    fn parse<const MODE: u8>(&self, line: &str, ctx: &TimeContext, rec: &mut Record) -> bool {
        let b = line.as_bytes();
        if !self.syslog_prefix {
            return match head(b, 0) {
                Some(h) => fill::<MODE>(line, &h, ctx, rec),
                None => false,
            };
        }
        let Some(p) = syslog_prefix(b, ctx) else {
            return false;
        };
        let glog = head(b, p.rest);
        let rest = line.get(p.rest..).unwrap_or("");
        // journald prefixes every line of a stack trace too.
        if glog.is_none() && looks_like_continuation(rest) {
            return false;
        }
        if MODE >= FACETS {
            rec.host = Some(sub(line, p.host).to_string());
            let tag = sub(line, p.tag);
            if !tag.is_empty() {
                rec.service = Some(tag.to_string());
            }
        }
        match glog {
            Some(h) => fill::<MODE>(line, &h, ctx, rec),
            None => {
                // The unit's own text (`Started kubelet.`, an unprefixed panic).
                set_time(Some(p.ts), rec);
                rec.message.push_str(rest);
                true
            }
        }
    }
}

impl LineParser for GlogParser {
    fn parse_line(&self, line: &str, ctx: &TimeContext, rec: &mut Record) -> bool {
        self.parse::<ALL>(line, ctx, rec)
    }

    fn parse_facets(&self, line: &str, ctx: &TimeContext, rec: &mut Record) -> bool {
        self.parse::<FACETS>(line, ctx, rec)
    }

    fn parse_message(&self, line: &str, ctx: &TimeContext, rec: &mut Record) -> bool {
        self.parse::<MESSAGE>(line, ctx, rec)
    }

    fn continuation_text<'a>(&self, line: &'a str, ctx: &TimeContext) -> Cow<'a, str> {
        // Under a prefix, what a stack frame adds is the text after it.
        match self
            .syslog_prefix
            .then(|| syslog_prefix(line.as_bytes(), ctx))
            .flatten()
        {
            Some(p) => Cow::Borrowed(line.get(p.rest..).unwrap_or(line)),
            None => Cow::Borrowed(line),
        }
    }

    fn starts_record(&self, line: &str, ctx: &TimeContext) -> bool {
        let b = line.as_bytes();
        if !self.syslog_prefix {
            return head(b, 0).is_some();
        }
        syslog_prefix(b, ctx)
            .is_some_and(|p| head(b, p.rest).is_some() || !looks_like_continuation(line.get(p.rest..).unwrap_or("")))
    }
}

/// Lines C++ glog writes besides records: the header of each log file and the line
/// before a `CHECK` failure's stack trace. They do not count against detection, which
/// matters on short files.
fn glog_preamble(line: &str) -> bool {
    const PREFIXES: [&str; 5] = [
        "Log file created at: ",
        "Running on machine: ",
        "Running duration (h:mm:ss): ",
        "Log line format: ",
        "*** Check failure stack trace: ***",
    ];
    PREFIXES.iter().any(|p| line.starts_with(p))
}

/// glog when glog heads are at least half of the sample's lines that are not
/// continuations (stack frames, goroutine dumps) or glog's own preamble, at the line
/// start or, for most of them, after a syslog prefix. Named `glog`, or `syslog(glog)`
/// with the prefix; the layout is that of the majority's dates.
pub fn detect(sample: &[&str], ctx: &TimeContext) -> Option<Candidate> {
    let mut counted = 0usize;
    let mut plain = 0usize;
    let mut prefixed = 0usize;
    let mut with_year = 0usize;
    for line in sample {
        if line.trim().is_empty() {
            continue;
        }
        let b = line.as_bytes();
        let h = head(b, 0).or_else(|| {
            let h = syslog_prefix(b, ctx).and_then(|p| head(b, p.rest));
            prefixed += h.is_some() as usize;
            h
        });
        match h {
            Some(h) => {
                plain += (h.at == 0) as usize;
                with_year += (h.date_len == 8) as usize;
                counted += 1;
            }
            None if looks_like_continuation(line) || glog_preamble(line) => {}
            None => counted += 1,
        }
    }
    let heads = plain + prefixed;
    if heads == 0 || heads * 2 < counted {
        return None;
    }
    let syslog_prefix = prefixed > plain;
    let name = if syslog_prefix { "syslog(glog)" } else { "glog" };
    Some(Candidate {
        name: name.to_string(),
        parser: Arc::new(GlogParser { syslog_prefix }),
        ts_layout: Some(if with_year * 2 > heads {
            TsLayout::Iso
        } else {
            TsLayout::MonthDay
        }),
        specificity: SPECIFICITY,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::testing::{ctx, fields, parse_with};
    use crate::record::rfc3339;
    use crate::timestamp::Zone;

    const PLAIN: GlogParser = GlogParser { syslog_prefix: false };
    const PREFIXED: GlogParser = GlogParser { syslog_prefix: true };

    fn parse(line: &str) -> Option<Record> {
        parse_with(&PLAIN, line)
    }

    const KUBELET: [&str; 8] = [
        "I1207 09:00:00.219781    4321 handler.go:47] scheduled job finished in 842 ms",
        "E1207 09:25:00.058345    4321 handler.go:91] Failed to connect to payments-db 10.0.3.7:5432: connection refused",
        "W0102 03:04:05.678901 1 reflector.go:324] k8s.io/client-go/informers/factory.go:134: watch of *v1.Pod ended",
        "F1207 09:26:00.000001   12 main.go:10] fatal: cannot start",
        "goroutine 1 [running]:",
        "main.main()",
        "\t/src/main.go:10 +0x1d",
        "I1207 09:00:00.219781 140234567 server.py:47] absl python line",
    ];

    #[test]
    fn go_klog_head() {
        let r = parse(KUBELET[0]).unwrap();
        assert_eq!(rfc3339(r.ts.unwrap()), "2023-12-07T09:00:00.219781Z");
        assert!(!r.ts_invalid);
        assert_eq!(r.level, Some(Level::Info));
        assert_eq!(r.module.as_deref(), Some("handler.go"));
        assert_eq!(r.message, "scheduled job finished in 842 ms");
        assert_eq!(fields(&r), vec![("pid", "4321")]);
        assert_eq!((r.host, r.service), (None, None));

        let r = parse(KUBELET[1]).unwrap();
        assert_eq!(r.level, Some(Level::Error));
        assert_eq!(
            r.message,
            "Failed to connect to payments-db 10.0.3.7:5432: connection refused"
        );
        let r = parse(KUBELET[2]).unwrap();
        assert_eq!(rfc3339(r.ts.unwrap()), "2024-01-02T03:04:05.678901Z");
        assert_eq!(r.level, Some(Level::Warn));
        assert_eq!(r.module.as_deref(), Some("reflector.go"));
        assert_eq!(fields(&r), vec![("pid", "1")]);
        assert_eq!(
            r.message,
            "k8s.io/client-go/informers/factory.go:134: watch of *v1.Pod ended"
        );
        let r = parse(KUBELET[3]).unwrap();
        assert_eq!(r.level, Some(Level::Fatal));
        assert_eq!(r.message, "fatal: cannot start");
    }

    #[test]
    fn cpp_and_python_heads_give_a_thread_id() {
        let r = parse(KUBELET[7]).unwrap();
        assert_eq!(r.module.as_deref(), Some("server.py"));
        assert_eq!(fields(&r), vec![("tid", "140234567")]);
        assert_eq!(r.message, "absl python line");
        // glog >= 0.6 writes the year; libc++ prints the thread id as a pointer.
        let r = parse("E20240102 03:04:05.678901 0x7ff85a8b2640 db_client.cc:88] lost connection").unwrap();
        assert_eq!(rfc3339(r.ts.unwrap()), "2024-01-02T03:04:05.678901Z");
        assert_eq!(r.level, Some(Level::Error));
        assert_eq!(r.module.as_deref(), Some("db_client.cc"));
        assert_eq!(fields(&r), vec![("tid", "0x7ff85a8b2640")]);
        // absl for code without a source file.
        let r = parse("I0630 10:00:00.000001 140000 <frozen importlib._bootstrap>:219] imported").unwrap();
        assert_eq!(r.module.as_deref(), Some("<frozen importlib._bootstrap>"));
        assert_eq!(r.message, "imported");
    }

    #[test]
    fn klog_variants() {
        // Structured form: the whole text is the message.
        let line =
            r#"I1207 09:00:01.5       1 event.go:294] "Event occurred" object="ns/pod" kind="Pod" reason="Failed""#;
        let r = parse(line).unwrap();
        assert_eq!(
            r.message,
            r#""Event occurred" object="ns/pod" kind="Pod" reason="Failed""#
        );
        assert_eq!(rfc3339(r.ts.unwrap()), "2023-12-07T09:00:01.500Z");
        // `-add_dir_header`: the directory stays in the module.
        let r = parse("I1207 09:00:01.000000       1 k8s.io/kubernetes/pkg/kubelet/kubelet.go:1234] x").unwrap();
        assert_eq!(r.module.as_deref(), Some("k8s.io/kubernetes/pkg/kubelet/kubelet.go"));
        // No fraction, an over-long one, an empty message, other letters.
        let r = parse("W0630 10:00:00 7 a.go:1]").unwrap();
        assert_eq!(
            (rfc3339(r.ts.unwrap()).as_str(), r.message.as_str()),
            ("2024-06-30T10:00:00Z", "")
        );
        let r = parse("D0630 10:00:00.1234567891234 7 a.go:1] x").unwrap();
        assert_eq!(rfc3339(r.ts.unwrap()), "2024-06-30T10:00:00.123456789Z");
        assert_eq!(r.level, Some(Level::Debug));
        assert_eq!(parse("V0630 10:00:00.1 7 a.go:1] x").unwrap().level, Some(Level::Trace));
    }

    #[test]
    fn other_lines_continue_the_record() {
        for line in [
            "goroutine 1 [running]:",
            "main.main()",
            "\t/src/main.go:10 +0x1d",
            "panic: runtime error: invalid memory address or nil pointer dereference",
            "\tline one of a klog multi-line value",
            " >",
            "",
            "I",
            "I1207",
            "I1207 09:00:00.219781",
            "I1207 09:00:00.219781    4321",
            "I1207 09:00:00.219781    4321 handler.go]",
            "I1207 09:00:00.219781    4321 handler.go:x] a",
            "I1207 09:00:00.219781    4321 :47] a",
            "I1207 09:00:00.219781    4321 handler.go:47]x",
            "I1207 09:00:00.219781    4321 handler.go:47 no bracket",
            "I1207 09:00:00.219781 handler.go:47] no id",
            "I1207 09:00:00. 4321 handler.go:47] empty fraction",
            "I1207 9:00:00.1 4321 handler.go:47] unpadded",
            "I1207 09-00-00 4321 handler.go:47] not a clock",
            "I1207 09:00:0a 4321 handler.go:47] not a clock",
            "I1207 09:00:00.219781    0x handler.go:47] x",
            "X1207 09:00:00.219781    4321 handler.go:47] unknown letter",
            "I120 09:00:00.219781    4321 handler.go:47] short date",
            "I12071 09:00:00.219781    4321 handler.go:47] five digits",
            " I1207 09:00:00.219781    4321 handler.go:47] indented",
            "Log file created at: 2024/01/02 03:04:05",
            "Dec 07 09:00:00 node-1 kubelet[4321]: I1207 09:00:00.219781 4321 a.go:1] prefixed",
            "I1207 09:00:00.1 1 é:1] non-ASCII file is fine",
        ] {
            let head = parse(line).is_some();
            assert_eq!(head, PLAIN.starts_record(line, &ctx()), "{line:?}");
            assert_eq!(head, line.ends_with("is fine"), "{line:?}");
        }
    }

    #[test]
    fn impossible_dates_are_heads_without_a_time() {
        for line in [
            "I1332 25:61:00.0 1 a.go:1] x",
            "E0230 10:00:00.0 1 a.go:1] x",
            "E99991301 10:00:00.0 1 a.cc:1] x",
        ] {
            let r = parse(line).unwrap_or_else(|| panic!("{line}"));
            assert_eq!((r.ts, r.ts_invalid), (None, true), "{line}");
            assert_eq!(
                r.level,
                Some(Level::Error)
                    .filter(|_| line.starts_with('E'))
                    .or(Some(Level::Info))
            );
            assert_eq!(r.message, "x");
        }
    }

    #[test]
    fn year_rolls_back_across_new_year() {
        // The reference is the date of the file's last record (see `intake`).
        let c = TimeContext {
            zone: Zone::utc(),
            reference: (2025, 1, 2),
        };
        let at = |line: &str| {
            let mut r = Record::default();
            assert!(PLAIN.parse_line(line, &c, &mut r));
            rfc3339(r.ts.unwrap())
        };
        assert_eq!(at("I1231 23:59:59.999999 1 a.go:1] x"), "2024-12-31T23:59:59.999999Z");
        assert_eq!(at("I0102 00:00:01.000000 1 a.go:1] x"), "2025-01-02T00:00:01Z");
        // The context zone applies to the zone-less stamp.
        let c = TimeContext {
            zone: Zone::parse("+02:00").unwrap(),
            reference: (2025, 1, 2),
        };
        let mut r = Record::default();
        assert!(PLAIN.parse_line("I0101 02:00:00.0 1 a.go:1] x", &c, &mut r));
        assert_eq!(rfc3339(r.ts.unwrap()), "2025-01-01T00:00:00Z");
    }

    #[test]
    fn lighter_modes_agree() {
        for line in KUBELET {
            let full = parse(line);
            let mut facets = Record::default();
            let mut message = Record::default();
            assert_eq!(PLAIN.parse_facets(line, &ctx(), &mut facets), full.is_some());
            assert_eq!(PLAIN.parse_message(line, &ctx(), &mut message), full.is_some());
            if let Some(full) = full {
                assert_eq!(
                    (facets.ts, facets.level, &facets.module),
                    (full.ts, full.level, &full.module)
                );
                assert_eq!(facets.message, full.message);
                assert!(facets.fields.is_empty());
                assert_eq!((message.ts, message.level), (full.ts, full.level));
                assert_eq!((message.message, message.module), (full.message, None));
            }
        }
    }

    #[test]
    fn journald_prefix() {
        let r = parse_with(
            &PREFIXED,
            "Dec 07 09:00:00 node-1 kubelet[4321]: E1207 09:00:00.219781    4321 kubelet.go:2412] \"Error syncing pod\" err=\"boom\"",
        )
        .unwrap();
        assert_eq!(rfc3339(r.ts.unwrap()), "2023-12-07T09:00:00.219781Z");
        assert_eq!(r.level, Some(Level::Error));
        assert_eq!(r.host.as_deref(), Some("node-1"));
        assert_eq!(r.service.as_deref(), Some("kubelet"));
        assert_eq!(r.module.as_deref(), Some("kubelet.go"));
        assert_eq!(r.message, "\"Error syncing pod\" err=\"boom\"");
        // The unit's own lines are records with the prefix's time.
        let r = parse_with(
            &PREFIXED,
            "2024-06-30T10:00:00+0000 node-1 systemd[1]: Started kubelet: The Kubernetes Node Agent.",
        )
        .unwrap();
        assert_eq!(rfc3339(r.ts.unwrap()), "2024-06-30T10:00:00Z");
        assert_eq!((r.level, r.service.as_deref()), (None, Some("systemd")));
        assert_eq!(r.message, "Started kubelet: The Kubernetes Node Agent.");
        // Prefixed stack frames continue the record, and add the text after the prefix.
        for line in [
            "Jun 30 10:00:00 node-1 kubelet[4321]: goroutine 1 [running]:",
            "Jun 30 10:00:00 node-1 kubelet[4321]: \t/src/main.go:10 +0x1d",
        ] {
            assert!(parse_with(&PREFIXED, line).is_none(), "{line}");
            assert!(!PREFIXED.starts_record(line, &ctx()), "{line}");
            let text = PREFIXED.continuation_text(line, &ctx());
            assert!(text.starts_with("goroutine") || text.starts_with('\t'), "{text}");
        }
        assert!(PREFIXED.starts_record("Jun 30 10:00:00 node-1 systemd[1]: Started kubelet.", &ctx()));
        assert_eq!(
            PLAIN.continuation_text("Jun 30 10:00:00 h k[1]: \tx", &ctx()),
            "Jun 30 10:00:00 h k[1]: \tx"
        );
        for line in [
            "-- Logs begin at Mon 2024-06-24 10:00:00 UTC. --",
            "\tcontinued",
            KUBELET[0],
        ] {
            assert!(parse_with(&PREFIXED, line).is_none(), "{line}");
            assert!(!PREFIXED.starts_record(line, &ctx()), "{line}");
        }
    }

    #[test]
    fn detection() {
        let c = detect(&KUBELET, &ctx()).unwrap();
        assert_eq!((c.name.as_str(), c.ts_layout), ("glog", Some(TsLayout::MonthDay)));
        assert_eq!(c.specificity, SPECIFICITY);
        let c = detect(
            &[
                "Log file created at: 2024/01/02 03:04:05",
                "Running on machine: host-1",
                "Running duration (h:mm:ss): 0:00:00",
                "Log line format: [IWEF]yyyymmdd hh:mm:ss.uuuuuu threadid file:line] msg",
                "I20240102 03:04:05.000001 12345 main.cc:10] a",
                "E20240102 03:04:06.000001 12345 main.cc:11] Check failed: x ",
                "*** Check failure stack trace: ***",
                "    @     0x7f3a1c2b3d4e  google::LogMessage::Fail()",
            ],
            &ctx(),
        )
        .unwrap();
        assert_eq!((c.name.as_str(), c.ts_layout), ("glog", Some(TsLayout::Iso)));
        let journal = [
            "-- Logs begin at Mon 2024-06-24 10:00:00 UTC. --",
            "Jun 30 10:00:00 node-1 systemd[1]: Started kubelet.",
            "Jun 30 10:00:01 node-1 kubelet[4321]: I0630 10:00:01.000001    4321 server.go:1] a",
            "Jun 30 10:00:02 node-1 kubelet[4321]: I0630 10:00:02.000001    4321 server.go:2] b",
        ];
        assert_eq!(detect(&journal, &ctx()).unwrap().name, "syslog(glog)");
        for other in [
            &["2024-01-01 10:00:00 INFO starting", "2024-01-01 10:00:01 ERROR boom"][..],
            &["Jun 30 10:00:00 node-1 sshd[1]: a", "Jun 30 10:00:01 node-1 sshd[1]: b"][..],
            &[
                "I1207 09:00:00.1 1 a.go:1] one glog line among text",
                "some text",
                "more text",
            ][..],
            &["03-17 16:13:38.811  1702  2395 D WindowManager: logcat"][..],
        ] {
            assert!(detect(other, &ctx()).is_none(), "{other:?}");
        }
    }

    #[test]
    fn hostile_input_does_not_panic() {
        for line in [
            "I1207 09:00:00.ééé",
            "I1207 09:00:00.1 1 é",
            "I1207 09:00:00.1 1 a.go:é]",
            "I12071207 09:00:00.1 0xé",
            "Iéééé 09:00:00",
            "Jun 30 10:00:00 é é: Ié",
            "Jun 30 10:00:00 h t:",
            "Jun 30 10:00:00 h t: I1207 09:00:00.1 1 a.go:1]",
        ] {
            let mut r = Record::default();
            let _ = PLAIN.parse_line(line, &ctx(), &mut r);
            let _ = PREFIXED.parse_line(line, &ctx(), &mut r);
            let _ = PLAIN.starts_record(line, &ctx());
            let _ = PREFIXED.starts_record(line, &ctx());
        }
    }
}
