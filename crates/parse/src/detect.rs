//! Choosing a file's format from its first lines.

use crate::formats::{self, Candidate, LineParser, PlainParser};
use crate::timestamp::{TimeContext, TsLayout};
use crate::Record;
use std::sync::Arc;

/// Lines of a file looked at to choose its format.
pub const SAMPLE_LINES: usize = 200;

/// The format chosen for a file and how well it fit the sample.
#[derive(Debug, Clone)]
pub struct Detection {
    pub candidate: Candidate,
    /// Share of sample lines explained by the format (record heads, or plausible
    /// continuation lines), 0–1.
    pub confidence: f64,
    /// Share of the sample's records that carried a timestamp, 0–1.
    pub ts_share: f64,
}

/// Looks like a line that continues a record rather than starting one: indented,
/// a stack frame, an exception line, a traceback or goroutine header.
pub fn looks_like_continuation(line: &str) -> bool {
    let t = line.trim_start();
    if t.len() != line.len() || t.is_empty() {
        return true;
    }
    const PREFIXES: [&str; 8] = [
        "at ",
        "Caused by:",
        "...",
        "Traceback ",
        "goroutine ",
        "Suppressed:",
        "panic:",
        "File \"",
    ];
    if PREFIXES.iter().any(|p| t.starts_with(p)) {
        return true;
    }
    // `java.lang.IllegalStateException: boom`, `ValueError: bad`, `main.main()`.
    let head = t.split([':', ' ']).next().unwrap_or("");
    head.ends_with("Exception")
        || head.ends_with("Error")
        || head.ends_with("Throwable")
        || t.ends_with(')') && t.contains("(") && !t.contains(' ')
}

/// Looks like the head of a record in *some* known format: not a continuation line,
/// and a dated timestamp in its first columns (optionally in `[`…`]` or after a syslog
/// `<PRI>`), or a whole JSON object. Used where a file's own format says a line
/// continues a record: such a line is where another log was appended (`cat a.log b.log`,
/// a service that changed its layout), and gluing it on would bury that log in one
/// record.
pub fn looks_like_foreign_head(line: &str, ctx: &TimeContext) -> bool {
    let t = line.trim_end();
    if t.is_empty() || looks_like_continuation(t) {
        return false;
    }
    let b = t.as_bytes();
    if b[0] == b'{' {
        return b[b.len() - 1] == b'}' && formats::json::object_with_time(t, ctx);
    }
    // Past a syslog priority (`<34>`, `<34>1 `).
    let mut i = 0;
    if b[0] == b'<' {
        match b.iter().take(6).position(|&c| c == b'>') {
            Some(close) if close > 1 && b[1..close].iter().all(u8::is_ascii_digit) => {
                i = close + 1;
                if b.get(i).is_some_and(u8::is_ascii_digit) && b.get(i + 1) == Some(&b' ') {
                    i += 2;
                }
            }
            _ => return false,
        }
    }
    // The timestamp may follow one column (a level letter, a host, a `-`, a file name).
    for _ in 0..2 {
        let at = if b.get(i) == Some(&b'[') { i + 1 } else { i };
        if let Some(m) = b.get(at..).and_then(|rest| crate::timestamp::scan(rest, ctx)) {
            // A bare time of day is too common in text to mark a head.
            return m.layout != TsLayout::TimeOnly;
        }
        let Some(space) = b[i..].iter().take(64).position(|&c| c == b' ') else {
            return false;
        };
        i += space + 1;
        while b.get(i) == Some(&b' ') {
            i += 1;
        }
    }
    false
}

/// Scores one candidate over the sample.
fn score(c: &Candidate, sample: &[&str], ctx: &TimeContext) -> (f64, f64, f64) {
    let mut n = 0usize;
    let mut heads = 0usize;
    let mut heads_ts = 0usize;
    let mut cont = 0usize;
    let directives = c.parser.has_directives();
    for line in sample {
        if line.trim().is_empty() || directives && c.parser.is_directive(line) {
            continue;
        }
        n += 1;
        let mut r = Record::default();
        if c.parser.parse_line(line, ctx, &mut r) {
            heads += 1;
            if r.ts.is_some() {
                heads_ts += 1;
            }
        } else if looks_like_continuation(&c.parser.continuation_text(line, ctx)) {
            cont += 1;
        }
    }
    if n == 0 || heads == 0 {
        return (0.0, 0.0, 0.0);
    }
    let explained = (heads + cont) as f64 / n as f64;
    let ts_share = heads_ts as f64 / heads as f64;
    let s = (heads_ts as f64 + 0.4 * (heads - heads_ts) as f64 + 0.9 * cont as f64) / n as f64
        + c.specificity as f64 / 1000.0;
    (s, explained, ts_share)
}

/// Detects the format of a file from its first lines.
pub fn detect(sample: &[&str], ctx: &TimeContext) -> Detection {
    let sample = &sample[..sample.len().min(SAMPLE_LINES)];
    if let Some(d) = without_colours(sample, &|lines| detect(lines, ctx)) {
        return d;
    }
    let mut candidates: Vec<Candidate> = Vec::new();
    let inner = |lines: &[&str]| detect_flat(lines, ctx).candidate;
    candidates.extend(formats::container::detect(sample, ctx, &inner));
    candidates.extend(flat_candidates(sample, ctx));
    pick(candidates, sample, ctx)
}

fn flat_candidates(sample: &[&str], ctx: &TimeContext) -> Vec<Candidate> {
    let mut c = Vec::new();
    c.extend(formats::json::detect(sample, ctx));
    c.extend(formats::csv::detect(sample, ctx));
    c.extend(formats::access::detect(sample, ctx));
    c.extend(formats::w3c::detect(sample, ctx));
    c.extend(formats::syslog5424::detect(sample, ctx));
    c.extend(formats::logfmt::detect(sample, ctx));
    c.extend(formats::glog::detect(sample, ctx));
    c.extend(formats::layout::detect(sample, ctx));
    c
}

/// Detection without container unwrapping (for the inner lines of a container log).
fn detect_flat(sample: &[&str], ctx: &TimeContext) -> Detection {
    if let Some(d) = without_colours(sample, &|lines| detect_flat(lines, ctx)) {
        return d;
    }
    pick(flat_candidates(sample, ctx), sample, ctx)
}

/// A sample coloured for a terminal is detected without its escape sequences, and the
/// format found reads each line without them (see [`formats::ansi`]).
fn without_colours(sample: &[&str], detect: &dyn Fn(&[&str]) -> Detection) -> Option<Detection> {
    if !formats::ansi::coloured(sample) {
        return None;
    }
    let plain: Vec<String> = sample.iter().map(|l| formats::ansi::strip(l).into_owned()).collect();
    let refs: Vec<&str> = plain.iter().map(String::as_str).collect();
    let inner = detect(&refs);
    Some(Detection {
        candidate: formats::ansi::wrap(inner.candidate),
        confidence: inner.confidence,
        ts_share: inner.ts_share,
    })
}

fn pick(candidates: Vec<Candidate>, sample: &[&str], ctx: &TimeContext) -> Detection {
    let plain = Candidate {
        name: "plain".into(),
        parser: Arc::new(PlainParser),
        ts_layout: None,
        specificity: 0,
    };
    let mut best = Detection {
        candidate: plain.clone(),
        confidence: 1.0,
        ts_share: 0.0,
    };
    let (mut best_score, _, _) = score(&plain, sample, ctx);
    for c in candidates {
        let (s, explained, ts_share) = score(&c, sample, ctx);
        if s > best_score {
            best_score = s;
            best = Detection {
                candidate: c,
                confidence: explained,
                ts_share,
            };
        }
    }
    best
}

/// A detection for a user-given parser (`--line-format`, `--json-fields`).
pub fn forced(candidate: Candidate, sample: &[&str], ctx: &TimeContext) -> Detection {
    let (_, confidence, ts_share) = score(&candidate, sample, ctx);
    Detection {
        candidate,
        confidence,
        ts_share,
    }
}

impl Detection {
    pub fn parser(&self) -> &Arc<dyn LineParser> {
        &self.candidate.parser
    }
}
