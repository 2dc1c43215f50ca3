//! Container runtime wrappers around an application's own log lines.
//!
//! ```text
//! {"log":"2024-01-01 10:00:00 INFO started\n","stream":"stdout","time":"2024-01-01T10:00:00.123456789Z"}
//! 2016-10-06T00:17:09.669794202Z stdout F 2016-10-06 00:17:09 INFO started
//! ```
//!
//! Docker's `json-file` driver (first line) and the Kubernetes CRI format written by
//! containerd and CRI-O under `/var/log/pods` (second line: time, stream, `P`artial or
//! `F`ull tag, content). The wrapper is removed (Docker's trailing `\n` too) and the
//! content handed to an inner parser, detected from the unwrapped sample lines; the
//! candidate is named `docker-json(<inner>)` or `cri(<inner>)`. The record gets the
//! inner parser's header, the wrapper's time when the content has none, and a `stream`
//! field (`stdout`/`stderr`). A line whose content the inner parser calls a
//! continuation (a stack frame) is a continuation here too.
//!
//! Limits:
//! * The assembler appends continuation lines as they are in the file, so a stack
//!   frame joined to a record still carries its wrapper (`{"log":"\tat …` or
//!   `2016-… stdout F \tat …`). [`ContainerParser::unwrap_line`] gives the content for
//!   an assembler that wants to join that instead.
//! * Parsing is per line and stateless, so a long line the runtime split in pieces
//!   (CRI `P` entries, Docker entries without the final `\n`) is not glued back: each
//!   later piece is a new record or, when the inner parser says so, a continuation
//!   joined with a newline. Detection does glue them, to show the inner detector whole
//!   lines.

use std::borrow::Cow;
use std::sync::Arc;

use crate::formats::{specificity, Candidate, LineParser};
use crate::timestamp::{self, TimeContext, TsLayout};
use crate::Record;

/// Which wrapper a file uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContainerKind {
    /// Docker `json-file`: `{"log":…,"stream":…,"time":…}`.
    DockerJson,
    /// Kubernetes CRI: `<RFC 3339 time> <stream> <P|F> <content>`.
    Cri,
}

/// The content of one wrapped line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unwrapped<'a> {
    /// The application's line, without Docker's trailing newline.
    pub text: Cow<'a, str>,
    pub stream: &'a str,
    /// The runtime's time for the line.
    pub ts: Option<i64>,
    /// The runtime split a longer line here; the next entry continues it.
    pub partial: bool,
}

#[derive(serde::Deserialize)]
struct DockerLine<'a> {
    #[serde(borrow)]
    log: Cow<'a, str>,
    // Docker never escapes these, so they borrow (a line where they would need an
    // escape does not deserialise and is not taken for Docker's).
    #[serde(default)]
    stream: Option<&'a str>,
    #[serde(default)]
    time: Option<&'a str>,
}

fn docker<'a>(line: &'a str, ctx: &TimeContext) -> Option<Unwrapped<'a>> {
    let line = line.strip_prefix('\u{feff}').unwrap_or(line);
    if !line.starts_with('{') {
        return None;
    }
    let d: DockerLine = serde_json::from_str(line).ok()?;
    let partial = !d.log.ends_with('\n');
    let text = match d.log {
        Cow::Borrowed(s) => {
            let s = s.strip_suffix('\n').unwrap_or(s);
            Cow::Borrowed(s.strip_suffix('\r').unwrap_or(s))
        }
        Cow::Owned(mut s) => {
            if s.ends_with('\n') {
                s.pop();
                if s.ends_with('\r') {
                    s.pop();
                }
            }
            Cow::Owned(s)
        }
    };
    let ts = d.time.and_then(|t| timestamp::parse_text(t, ctx));
    Some(Unwrapped {
        text,
        stream: d.stream.unwrap_or(""),
        ts,
        partial,
    })
}

fn cri<'a>(line: &'a str, ctx: &TimeContext) -> Option<Unwrapped<'a>> {
    let b = line.as_bytes();
    if !b.first().is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let m = timestamp::parse_with(TsLayout::Iso, b, ctx)?;
    if !m.zoned || b.get(m.len) != Some(&b' ') {
        return None;
    }
    let rest = line.get(m.len + 1..)?;
    let (stream, rest) = rest.split_once(' ')?;
    if stream != "stdout" && stream != "stderr" {
        return None;
    }
    let (tag, content) = rest.split_once(' ').unwrap_or((rest, ""));
    let tag = tag.strip_suffix('\r').unwrap_or(tag);
    // Tags are `:`-separated; the first is P (partial) or F (full).
    let partial = match tag.split(':').next() {
        Some("P") => true,
        Some("F") => false,
        _ => return None,
    };
    let content = content.strip_suffix('\r').unwrap_or(content);
    Some(Unwrapped {
        text: Cow::Borrowed(content),
        stream,
        ts: Some(m.nanos),
        partial,
    })
}

/// Unwraps container lines and parses their content with an inner parser.
#[derive(Clone)]
pub struct ContainerParser {
    kind: ContainerKind,
    inner: Arc<dyn LineParser>,
    /// The content's own time lacks the date or the year (klog `I0115 10:00:00.123456`
    /// reads as a bare time of day, syslog has no year): the runtime's complete time is
    /// the record's, rather than one with an invented date.
    runtime_time_wins: bool,
}

impl ContainerParser {
    pub fn new(kind: ContainerKind, inner: Arc<dyn LineParser>) -> Self {
        ContainerParser {
            kind,
            inner,
            runtime_time_wins: false,
        }
    }

    /// For content whose timestamps follow `layout` (see `runtime_time_wins`).
    pub fn with_inner_layout(mut self, layout: Option<TsLayout>) -> Self {
        self.runtime_time_wins = matches!(layout, Some(TsLayout::TimeOnly | TsLayout::MonthDay | TsLayout::Syslog));
        self
    }

    pub fn kind(&self) -> ContainerKind {
        self.kind
    }

    /// The content of a wrapped line, or `None` when the line is not wrapped this way.
    pub fn unwrap_line<'a>(&self, line: &'a str, ctx: &TimeContext) -> Option<Unwrapped<'a>> {
        match self.kind {
            ContainerKind::DockerJson => docker(line, ctx),
            ContainerKind::Cri => cri(line, ctx),
        }
    }
}

impl LineParser for ContainerParser {
    fn continuation_text<'a>(&self, line: &'a str, ctx: &TimeContext) -> Cow<'a, str> {
        match self.unwrap_line(line, ctx) {
            Some(u) => Cow::Owned(u.text.into_owned()),
            None => Cow::Borrowed(line),
        }
    }

    fn parse_line(&self, line: &str, ctx: &TimeContext, rec: &mut Record) -> bool {
        let Some(u) = self.unwrap_line(line, ctx) else {
            return false;
        };
        if !self.inner.parse_line(&u.text, ctx, rec) {
            return false;
        }
        if rec.ts.is_none() || (self.runtime_time_wins && u.ts.is_some()) {
            rec.ts = u.ts;
        }
        if !u.stream.is_empty() {
            rec.fields.push(("stream".into(), u.stream.to_string()));
        }
        true
    }

    fn starts_record(&self, line: &str, ctx: &TimeContext) -> bool {
        self.unwrap_line(line, ctx)
            .is_some_and(|u| self.inner.starts_record(&u.text, ctx))
    }
}

/// Docker `json-file` or CRI when at least 80% of the non-empty sample lines are wrapped
/// that way; the inner format comes from `detect_inner` run on the unwrapped lines (CRI
/// partial entries glued to the entry that ends them).
pub fn detect(sample: &[&str], ctx: &TimeContext, detect_inner: &dyn Fn(&[&str]) -> Candidate) -> Option<Candidate> {
    let nonempty = sample.iter().filter(|l| !l.trim().is_empty()).count();
    if nonempty == 0 {
        return None;
    }
    for (kind, label) in [(ContainerKind::DockerJson, "docker-json"), (ContainerKind::Cri, "cri")] {
        let unwrap = |l: &'_ str| match kind {
            ContainerKind::DockerJson => docker(l, ctx).map(|u| (u.text.into_owned(), u.partial)),
            ContainerKind::Cri => cri(l, ctx).map(|u| (u.text.into_owned(), u.partial)),
        };
        let mut wrapped = 0usize;
        let mut inner_lines: Vec<String> = Vec::new();
        let mut pending = String::new();
        for line in sample.iter().filter(|l| !l.trim().is_empty()) {
            let Some((text, partial)) = unwrap(line) else { continue };
            wrapped += 1;
            pending.push_str(&text);
            if !partial {
                inner_lines.push(std::mem::take(&mut pending));
            }
        }
        if !pending.is_empty() {
            inner_lines.push(pending);
        }
        if wrapped == 0 || wrapped * 5 < nonempty * 4 {
            continue;
        }
        let refs: Vec<&str> = inner_lines.iter().map(String::as_str).collect();
        let inner = detect_inner(&refs);
        return Some(Candidate {
            name: format!("{label}({})", inner.name),
            parser: Arc::new(ContainerParser::new(kind, inner.parser).with_inner_layout(inner.ts_layout)),
            ts_layout: match inner.ts_layout {
                Some(TsLayout::TimeOnly | TsLayout::MonthDay | TsLayout::Syslog) | None => Some(TsLayout::Iso),
                complete => complete,
            },
            specificity: specificity::CONTAINER,
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::testing::{ctx, fields, parse_with};
    use crate::formats::{json, PlainParser};
    use crate::record::rfc3339;
    use crate::Level;

    /// A minimal text format for the tests: `<timestamp> <LEVEL> <message>`; lines not
    /// starting with a timestamp are continuations.
    struct TsText;

    impl LineParser for TsText {
        fn parse_line(&self, line: &str, ctx: &TimeContext, rec: &mut Record) -> bool {
            let Some(m) = timestamp::scan(line.as_bytes(), ctx) else {
                return false;
            };
            rec.ts = Some(m.nanos);
            let rest = line.get(m.len..).unwrap_or("").trim_start();
            let (word, msg) = rest.split_once(' ').unwrap_or((rest, ""));
            rec.level = Level::from_word(word);
            rec.message.push_str(msg);
            true
        }
    }

    fn named(name: &str, parser: Arc<dyn LineParser>) -> Candidate {
        Candidate {
            name: name.to_string(),
            parser,
            ts_layout: None,
            specificity: 0,
        }
    }

    fn parse(p: &Arc<dyn LineParser>, line: &str) -> Option<Record> {
        parse_with(p.as_ref(), line)
    }

    const DOCKER_TEXT: [&str; 4] = [
        r#"{"log":"2024-01-01 10:00:00.500 ERROR request failed\n","stream":"stderr","time":"2024-01-01T10:00:00.123456789Z"}"#,
        r#"{"log":"java.lang.IllegalStateException: boom\n","stream":"stderr","time":"2024-01-01T10:00:00.123500000Z"}"#,
        r#"{"log":"\tat com.acme.Foo.bar(Foo.java:10)\r\n","stream":"stderr","time":"2024-01-01T10:00:00.123600000Z"}"#,
        r#"{"log":"2024-01-01 10:00:01 INFO ok\n","stream":"stdout","time":"2024-01-01T10:00:01.000000001Z","attrs":{"tag":"x"}}"#,
    ];

    #[test]
    fn docker_json_with_text_inside() {
        let seen = std::cell::RefCell::new(Vec::new());
        let inner = |lines: &[&str]| {
            seen.borrow_mut().extend(lines.iter().map(|l| l.to_string()));
            named("text", Arc::new(TsText))
        };
        let c = detect(&DOCKER_TEXT, &ctx(), &inner).unwrap();
        assert_eq!(c.name, "docker-json(text)");
        assert_eq!(c.specificity, specificity::CONTAINER);
        assert_eq!(seen.borrow()[2], "\tat com.acme.Foo.bar(Foo.java:10)");
        let p = c.parser;
        let r = parse(&p, DOCKER_TEXT[0]).unwrap();
        assert_eq!(
            rfc3339(r.ts.unwrap()),
            "2024-01-01T10:00:00.500Z",
            "the content's own time wins"
        );
        assert_eq!(r.level, Some(Level::Error));
        assert_eq!(r.message, "request failed");
        assert_eq!(fields(&r), vec![("stream", "stderr")]);
        assert!(parse(&p, DOCKER_TEXT[1]).is_none(), "continuation inside the wrapper");
        assert!(parse(&p, DOCKER_TEXT[2]).is_none());
        assert!(!p.starts_record(DOCKER_TEXT[2], &ctx()));
        assert!(p.starts_record(DOCKER_TEXT[3], &ctx()));
        assert!(parse(&p, "2024-01-01 10:00:01 INFO not wrapped").is_none());
    }

    #[test]
    fn docker_json_with_plain_and_json_inside() {
        let c = detect(&DOCKER_TEXT[1..3], &ctx(), &|_| named("plain", Arc::new(PlainParser))).unwrap();
        let r = parse(&c.parser, DOCKER_TEXT[1]).unwrap();
        assert_eq!(
            rfc3339(r.ts.unwrap()),
            "2024-01-01T10:00:00.123500Z",
            "outer time when the content has none"
        );
        assert_eq!(r.message, "java.lang.IllegalStateException: boom");

        let lines = [
            r#"{"log":"{\"level\":\"warn\",\"ts\":1700000000.5,\"caller\":\"main.go:7\",\"msg\":\"slow\",\"ms\":912}\n","stream":"stdout","time":"2024-01-01T10:00:00Z"}"#,
            r#"{"log":"{\"level\":\"info\",\"msg\":\"no time\"}\n","stream":"stdout","time":"2024-01-01T10:00:02Z"}"#,
        ];
        let c = detect(&lines, &ctx(), &|l| json::detect(l, &ctx()).unwrap()).unwrap();
        assert_eq!(c.name, "docker-json(json)");
        let r = parse(&c.parser, lines[0]).unwrap();
        assert_eq!(rfc3339(r.ts.unwrap()), "2023-11-14T22:13:20.500Z");
        assert_eq!(r.level, Some(Level::Warn));
        assert_eq!(r.module.as_deref(), Some("main.go"));
        assert_eq!(r.message, "slow");
        assert_eq!(fields(&r), vec![("ms", "912"), ("stream", "stdout")]);
        let r = parse(&c.parser, lines[1]).unwrap();
        assert_eq!(rfc3339(r.ts.unwrap()), "2024-01-01T10:00:02Z");
    }

    const CRI: [&str; 5] = [
        "2016-10-06T00:17:09.669794202Z stdout F 2016-10-06 00:17:09,123 WARN disk almost full",
        "2016-10-06T00:17:09.669794203Z stderr F \tat java.lang.Thread.run(Thread.java:750)",
        "2016-10-06T00:17:10.000000000Z stdout P 2016-10-06 00:17:10 INFO first half of a ",
        "2016-10-06T00:17:10.000000001Z stdout F very long line",
        "2016-10-06T00:17:11.000000000+02:00 stdout F",
    ];

    #[test]
    fn cri_with_text_inside() {
        let seen = std::cell::RefCell::new(Vec::new());
        let inner = |lines: &[&str]| {
            seen.borrow_mut().extend(lines.iter().map(|l| l.to_string()));
            named("text", Arc::new(TsText))
        };
        let c = detect(&CRI, &ctx(), &inner).unwrap();
        assert_eq!(c.name, "cri(text)");
        assert_eq!(
            seen.borrow()[2],
            "2016-10-06 00:17:10 INFO first half of a very long line",
            "partials glued"
        );
        assert_eq!(seen.borrow()[3], "");
        let p = c.parser;
        let r = parse(&p, CRI[0]).unwrap();
        assert_eq!(rfc3339(r.ts.unwrap()), "2016-10-06T00:17:09.123Z");
        assert_eq!(r.level, Some(Level::Warn));
        assert_eq!(r.message, "disk almost full");
        assert_eq!(fields(&r), vec![("stream", "stdout")]);
        assert!(parse(&p, CRI[1]).is_none());
        assert!(parse(&p, CRI[2]).is_some());
        assert!(
            parse(&p, CRI[3]).is_none(),
            "the tail of a split line is a continuation for this inner format"
        );

        let plain: Arc<dyn LineParser> = Arc::new(ContainerParser::new(ContainerKind::Cri, Arc::new(PlainParser)));
        let r = parse(&plain, CRI[4]).unwrap();
        assert_eq!(rfc3339(r.ts.unwrap()), "2016-10-05T22:17:11Z");
        assert_eq!(r.message, "");
        let u = ContainerParser::new(ContainerKind::Cri, Arc::new(PlainParser))
            .unwrap_line(CRI[2], &ctx())
            .unwrap();
        assert!(u.partial);
        assert_eq!(u.stream, "stdout");
    }

    #[test]
    fn not_container() {
        let never = |_: &[&str]| -> Candidate { panic!("inner detection must not run") };
        assert!(detect(&["2024-01-01 10:00:00 INFO x", "plain"], &ctx(), &never).is_none());
        assert!(detect(&[r#"{"msg":"x","level":"info"}"#], &ctx(), &never).is_none());
        assert!(detect(&["2016-10-06T00:17:09Z stdin F x"], &ctx(), &never).is_none());
        assert!(
            detect(&["2016-10-06T00:17:09 stdout F x"], &ctx(), &never).is_none(),
            "CRI times carry a zone"
        );
        assert!(detect(&["2016-10-06T00:17:09Z stdout X x"], &ctx(), &never).is_none());
        assert!(detect(&[], &ctx(), &never).is_none());
    }

    #[test]
    fn garbage_does_not_panic() {
        for kind in [ContainerKind::DockerJson, ContainerKind::Cri] {
            let p = ContainerParser::new(kind, Arc::new(PlainParser));
            for line in [
                "",
                "{",
                "{\"log\":1}",
                "{\"log\":\"\"}",
                "{\"log\":\"\\n\",\"stream\":\"std\\u006fut\"}",
                "{\"log\":\"\\ud800\"}",
                "2016-10-06T00:17:09Z",
                "2016-10-06T00:17:09Z stdout",
                "2016-10-06T00:17:09Z stdout ",
                "2016-10-06T00:17:09Z stdout F:x",
                "2016-10-06T00:17:09Z stdout é",
                "9999-99-99T99:99:99Z stdout F x",
            ] {
                let mut rec = Record::default();
                p.parse_line(line, &ctx(), &mut rec);
                p.starts_record(line, &ctx());
            }
        }
        let p = ContainerParser::new(ContainerKind::DockerJson, Arc::new(PlainParser));
        let u = p.unwrap_line(r#"{"log":"no newline"}"#, &ctx()).unwrap();
        assert_eq!(
            (u.text.as_ref(), u.stream, u.ts, u.partial),
            ("no newline", "", None, true)
        );
        let u = ContainerParser::new(ContainerKind::Cri, Arc::new(PlainParser))
            .unwrap_line("2016-10-06T00:17:09Z stdout F:x", &ctx())
            .unwrap();
        assert_eq!(u.text, "");
    }

    #[test]
    fn klog_content_takes_the_runtime_time() {
        // klog's `I0115` glues month and day to the level: only the time of day reads
        // as a timestamp, so the runtime's time (with its date) is the record's.
        let lines: Vec<String> = (0..20)
            .map(|i| {
                format!(
                    r#"{{"log":"I0115 10:00:{i:02}.123456       1 server.go:42] reconcile {i}\n","stream":"stderr","time":"2024-01-15T10:00:{i:02}.123499Z"}}"#
                )
            })
            .collect();
        let sample: Vec<&str> = lines.iter().map(String::as_str).collect();
        let det = crate::detect::detect(&sample, &ctx());
        assert!(det.candidate.name.starts_with("docker-json"), "{}", det.candidate.name);
        let mut r = Record::default();
        assert!(det.parser().parse_line(&lines[3], &ctx(), &mut r));
        assert_eq!(rfc3339(r.ts.unwrap()), "2024-01-15T10:00:03.123499Z");
    }
}
