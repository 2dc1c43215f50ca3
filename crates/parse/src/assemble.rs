//! Turning a chunk of lines into records: one header line plus its continuation lines,
//! with line numbers, a size cap and timestamp inheritance. Shared by every format.

use std::sync::Arc;

use crate::formats::LineParser;
use crate::timestamp::TimeContext;
use crate::Record;

/// What intake did with the lines it saw; summed over chunks and files for the
/// one-line intake summary and the report's data-quality section.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IntakeCounts {
    pub lines: u64,
    pub records: u64,
    /// Lines joined to the record above them (stack frames, wrapped text).
    pub continuation_lines: u64,
    pub blank_lines: u64,
    /// Lines that were not valid UTF-8 (decoded with U+FFFD replacements).
    pub invalid_utf8_lines: u64,
    /// Records without a timestamp that took the previous record's.
    pub ts_inherited: u64,
    /// Records with no timestamp at all (nothing to inherit).
    pub no_ts: u64,
    /// Records cut at the record size cap.
    pub truncated_records: u64,
    /// Bytes dropped by that cap.
    pub truncated_bytes: u64,
    /// Continuation lines with no record above them (start of file), kept as records.
    pub orphan_lines: u64,
    /// Lines the file's format defines as directives (W3C `#Fields:`), dropped.
    pub directive_lines: u64,
    /// Timestamps earlier than the record before them in the same file.
    pub out_of_order: u64,
    /// Times the format changed mid-file: a line that did not start a record in the
    /// file's format but did in another (a log appended to another, `cat a.log b.log`),
    /// from where the lines were parsed in that format.
    pub format_changes: u64,
    /// Records begun because the record above had reached the size cap (the lines
    /// after the cap are records again rather than dropped).
    pub split_records: u64,
    /// Timestamps that cannot be (year 9999 or 0001, Feb 30, a Unix time out of range):
    /// the record took the previous record's time instead (counted in `ts_inherited`
    /// or `no_ts` too).
    pub invalid_ts: u64,
}

impl IntakeCounts {
    pub fn add(&mut self, o: &IntakeCounts) {
        self.lines += o.lines;
        self.records += o.records;
        self.continuation_lines += o.continuation_lines;
        self.blank_lines += o.blank_lines;
        self.invalid_utf8_lines += o.invalid_utf8_lines;
        self.ts_inherited += o.ts_inherited;
        self.no_ts += o.no_ts;
        self.truncated_records += o.truncated_records;
        self.truncated_bytes += o.truncated_bytes;
        self.orphan_lines += o.orphan_lines;
        self.directive_lines += o.directive_lines;
        self.out_of_order += o.out_of_order;
        self.format_changes += o.format_changes;
        self.split_records += o.split_records;
        self.invalid_ts += o.invalid_ts;
    }
}

/// Formats detected afresh in one chunk at most (each costs a detection over up to
/// [`crate::detect::SAMPLE_LINES`] lines); past it, foreign heads are records as they are.
const MAX_REDETECTIONS: usize = 8;

/// `first` and the non-blank lines after it in `rest`, up to the detector's sample size.
fn sample_from<'a>(first: &'a str, rest: &'a [u8]) -> Vec<std::borrow::Cow<'a, str>> {
    let mut out = vec![std::borrow::Cow::Borrowed(first)];
    for l in rest.split(|&b| b == b'\n') {
        if out.len() >= crate::detect::SAMPLE_LINES {
            break;
        }
        let l = l.strip_suffix(b"\r").unwrap_or(l);
        if !l.iter().all(u8::is_ascii_whitespace) {
            out.push(String::from_utf8_lossy(l));
        }
    }
    out
}

/// How much of each record to build: consumers that use less let parsers skip work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[repr(u8)]
pub enum Detail {
    /// `ts`, `level`, `message` and line numbers (template mining).
    Messages = 0,
    /// Also module, host, service and descriptive fields, but no positional header
    /// columns, process or thread ids (analysis).
    Facets = 1,
    /// Everything the format holds (`parse`).
    #[default]
    All = 2,
}

pub struct Assembler<'a> {
    pub parser: &'a dyn LineParser,
    pub ctx: &'a TimeContext,
    /// Records longer than this are cut (continuation lines beyond it are counted, not kept).
    pub max_record_bytes: usize,
}

impl Assembler<'_> {
    /// Parses `data` (whole lines; the first line is line `first_line` of the file).
    pub fn assemble(&self, data: &[u8], first_line: u64, counts: &mut IntakeCounts) -> Vec<Record> {
        let mut out = Vec::new();
        self.assemble_impl::<{ Detail::All as u8 }>(data, first_line, counts, &mut out);
        out
    }

    /// [`Assembler::assemble`] at the given [`Detail`] (fewer fields filled below
    /// [`Detail::All`]), into `out`, which is cleared first: a caller that assembles
    /// chunk after chunk reuses one vector (a fresh one per chunk showed in profiles as
    /// the kernel zeroing new pages).
    pub fn assemble_into(
        &self,
        detail: Detail,
        data: &[u8],
        first_line: u64,
        counts: &mut IntakeCounts,
        out: &mut Vec<Record>,
    ) {
        match detail {
            Detail::All => self.assemble_impl::<{ Detail::All as u8 }>(data, first_line, counts, out),
            Detail::Facets => self.assemble_impl::<{ Detail::Facets as u8 }>(data, first_line, counts, out),
            Detail::Messages => self.assemble_impl::<{ Detail::Messages as u8 }>(data, first_line, counts, out),
        }
    }

    /// Parses `line` as a head with `parser` at this detail level.
    #[inline(always)]
    fn head<const DETAIL: u8>(parser: &dyn LineParser, line: &str, ctx: &TimeContext, rec: &mut Record) -> bool {
        match DETAIL {
            d if d == Detail::All as u8 => parser.parse_line(line, ctx, rec),
            d if d == Detail::Facets as u8 => parser.parse_facets(line, ctx, rec),
            _ => parser.parse_message(line, ctx, rec),
        }
    }

    fn assemble_impl<const DETAIL: u8>(
        &self,
        data: &[u8],
        first_line: u64,
        counts: &mut IntakeCounts,
        out: &mut Vec<Record>,
    ) {
        // Sized from the line length of the first 16 KiB (at most one record a line):
        // growing a vector of records copies all of them, which showed in profiles of
        // short-line files; counting every line costs a pass over the chunk.
        let probe = &data[..data.len().min(16 * 1024)];
        let probe_lines = memchr::memchr_iter(b'\n', probe).count().max(1);
        let estimate = (data.len() as u64 * probe_lines as u64 / probe.len().max(1) as u64) * 9 / 8 + 16;
        out.clear();
        out.reserve(estimate as usize);
        let mut last_ts: Option<i64> = None;
        let mut line_no = first_line;
        let mut start = 0usize;
        // Formats met in this chunk besides the file's own (see `format_changes`), and
        // the one in force: an index into `others`, or None for the file's parser.
        let mut others: Vec<Arc<dyn LineParser>> = Vec::new();
        let mut current: Option<usize> = None;
        let mut redetections = 0usize;
        // The record above reached the size cap: lines that do not look like a
        // continuation are records of their own until the next head.
        let mut overflow = false;
        let directives = self.parser.has_directives();
        while start < data.len() {
            let end = memchr::memchr(b'\n', &data[start..]).map_or(data.len(), |i| start + i);
            let mut raw = &data[start..end];
            if raw.last() == Some(&b'\r') {
                raw = &raw[..raw.len() - 1];
            }
            start = end + 1;
            let this_line = line_no;
            line_no += 1;
            counts.lines += 1;
            let owned;
            let line: &str = match simdutf8::basic::from_utf8(raw) {
                Ok(s) => s,
                Err(_) => {
                    counts.invalid_utf8_lines += 1;
                    owned = String::from_utf8_lossy(raw).into_owned();
                    &owned
                }
            };
            if line.trim().is_empty() {
                counts.blank_lines += 1;
                continue;
            }
            if directives && self.parser.is_directive(line) {
                counts.directive_lines += 1;
                continue;
            }
            let mut rec = Record::default();
            let parser: &dyn LineParser = match current {
                Some(k) => others[k].as_ref(),
                None => self.parser,
            };
            let mut head = Self::head::<DETAIL>(parser, line, self.ctx, &mut rec);
            if !head && current.is_some() {
                // Back to the file's own format?
                rec = Record::default();
                if Self::head::<DETAIL>(self.parser, line, self.ctx, &mut rec) {
                    current = None;
                    counts.format_changes += 1;
                    head = true;
                }
            }
            // Judged on what the line holds inside its wrapper (a CRI or journald prefix
            // starts every line with a date, stack frames too).
            if !head && crate::detect::looks_like_foreign_head(&parser.continuation_text(line, self.ctx), self.ctx) {
                let known = others.iter().position(|p| p.starts_record(line, self.ctx));
                let found = known.or_else(|| {
                    if redetections >= MAX_REDETECTIONS {
                        return None;
                    }
                    redetections += 1;
                    let sample = sample_from(line, &data[start.min(data.len())..]);
                    let refs: Vec<&str> = sample.iter().map(|l| l.as_ref()).collect();
                    let detection = crate::detect::detect(&refs, self.ctx);
                    // Plain text takes every line as a head: never switch to it.
                    let useful =
                        detection.candidate.name != "plain" && detection.parser().starts_record(line, self.ctx);
                    useful.then(|| {
                        others.push(detection.parser().clone());
                        others.len() - 1
                    })
                });
                rec = Record::default();
                match found {
                    Some(k) => {
                        head = Self::head::<DETAIL>(others[k].as_ref(), line, self.ctx, &mut rec);
                        if current != Some(k) {
                            current = Some(k);
                            counts.format_changes += 1;
                        }
                    }
                    None => {
                        // A head in no format learned here: the line is a record as it is,
                        // with the time it starts with.
                        let t = line.trim_start();
                        rec.ts =
                            crate::timestamp::scan(t.trim_start_matches('[').as_bytes(), self.ctx).map(|m| m.nanos);
                        rec.message.push_str(line);
                        head = true;
                    }
                }
            }
            if head {
                overflow = false;
                rec.line = this_line;
                rec.line_count = 1;
                self.settle_ts(&mut rec, &mut last_ts, counts);
                self.cap(&mut rec, counts);
                counts.records += 1;
                out.push(rec);
            } else if let Some(prev) = out.last_mut() {
                counts.continuation_lines += 1;
                let text = match current {
                    Some(k) => others[k].continuation_text(line, self.ctx),
                    None => self.parser.continuation_text(line, self.ctx),
                };
                let fits = !prev.truncated && prev.message.len() + 1 + text.len() <= self.max_record_bytes;
                let joins = fits && (!overflow || crate::detect::looks_like_continuation(line));
                if joins {
                    prev.line_count += 1;
                    if prev.line_count == 2 && prev.level.is_none() {
                        // The layout may have taken the class for a logger already.
                        if let Some((level, message)) = second_line_level(prev.module.as_deref(), &prev.message, &text)
                        {
                            // A two-line header: the first line named the source.
                            prev.level = Some(level);
                            let first = std::mem::take(&mut prev.message);
                            let source = match prev.module.take() {
                                Some(m) if !first.is_empty() => format!("{m} {first}"),
                                Some(m) => m,
                                None => first,
                            };
                            prev.module = Some(source);
                            prev.message.push_str(message);
                            continue;
                        }
                    }
                    prev.message.push('\n');
                    prev.message.push_str(&text);
                } else {
                    // The record above is full (or this line does not continue a cut
                    // record): the line starts a record of its own, nothing is dropped.
                    if !fits && !prev.truncated {
                        prev.truncated = true;
                        counts.truncated_records += 1;
                    }
                    overflow = true;
                    counts.continuation_lines -= 1;
                    counts.split_records += 1;
                    counts.records += 1;
                    let mut rec = Record {
                        line: this_line,
                        line_count: 1,
                        message: text.into_owned(),
                        ..Record::default()
                    };
                    self.settle_ts(&mut rec, &mut last_ts, counts);
                    self.cap(&mut rec, counts);
                    out.push(rec);
                }
            } else {
                // A continuation with nothing above it (the chunk or file starts mid-record).
                counts.orphan_lines += 1;
                counts.records += 1;
                let mut rec = Record {
                    line: this_line,
                    line_count: 1,
                    message: line.to_string(),
                    ..Record::default()
                };
                self.settle_ts(&mut rec, &mut last_ts, counts);
                self.cap(&mut rec, counts);
                out.push(rec);
            }
        }
    }

    /// A head's time: its own (counted when out of order), else the previous record's
    /// (counted), else none (counted). An impossible time the parser flagged is
    /// counted and treated as absent.
    fn settle_ts(&self, rec: &mut Record, last_ts: &mut Option<i64>, counts: &mut IntakeCounts) {
        if rec.ts_invalid {
            counts.invalid_ts += 1;
            rec.ts = None;
        }
        match rec.ts {
            Some(ts) => {
                if last_ts.is_some_and(|prev| ts < prev) {
                    counts.out_of_order += 1;
                }
                *last_ts = Some(ts);
            }
            None => match *last_ts {
                Some(prev) => {
                    rec.ts = Some(prev);
                    rec.ts_inherited = true;
                    counts.ts_inherited += 1;
                }
                None => counts.no_ts += 1,
            },
        }
    }

    fn cap(&self, rec: &mut Record, counts: &mut IntakeCounts) {
        if rec.message.len() > self.max_record_bytes {
            let cut = triage_text::cut_bytes(&rec.message, self.max_record_bytes).len();
            counts.truncated_bytes += (rec.message.len() - cut) as u64;
            rec.message.truncate(cut);
            rec.truncated = true;
            counts.truncated_records += 1;
        }
    }
}

/// The level and message of a record whose header takes two lines, as
/// java.util.logging's default `SimpleFormatter` writes it: the first line is the time
/// and the source (`Dec 07, 2026 9:00:00 AM com.acme.OrderService handle`), the second
/// `SEVERE: message`. Only when the first line's text is such a source (one or two
/// words, the first a dotted name) and the second opens with a level word in capitals
/// and a colon, so that an ordinary multi-line message keeps its lines. The source's
/// words are the layout's logger (`module`), if it took one, then the first line's text.
fn second_line_level<'a>(module: Option<&str>, first: &str, second: &'a str) -> Option<(crate::Level, &'a str)> {
    let mut words = module
        .unwrap_or("")
        .split_ascii_whitespace()
        .chain(first.split_ascii_whitespace());
    let class = words.next()?;
    let method = words.next();
    let name = |w: &str| {
        !w.is_empty()
            && w.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'$' | b'_' | b'<' | b'>'))
    };
    if words.next().is_some() || !class.contains('.') || !name(class) || !method.is_none_or(name) {
        return None;
    }
    let (word, rest) = second.split_once(": ")?;
    if word.is_empty() || !word.bytes().all(|b| b.is_ascii_uppercase()) {
        return None;
    }
    Some((crate::Level::from_word(word)?, rest.trim_start()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::layout;

    #[test]
    fn stack_traces_join_their_head_and_lines_are_numbered() {
        let text = "2024-01-01 10:00:00,000 ERROR [main] a.B: failed\n\
java.lang.IllegalStateException: boom\n\
\tat a.B.run(B.java:10)\n\
Caused by: java.io.IOException: disk\n\
\t... 3 more\n\
\n\
2024-01-01 10:00:01,000 INFO [main] a.B: next\n\
Traceback (most recent call last):\n\
  File \"x.py\", line 1, in <module>\n\
ValueError: bad\n\
2024-01-01 10:00:00,500 INFO [main] a.B: earlier\n";
        let ctx = TimeContext::default();
        let sample: Vec<&str> = text.lines().collect();
        let cand = layout::detect(&sample, &ctx).unwrap();
        let asm = Assembler {
            parser: cand.parser.as_ref(),
            ctx: &ctx,
            max_record_bytes: 1 << 20,
        };
        let mut counts = IntakeCounts::default();
        let mut bytes = text.as_bytes().to_vec();
        bytes.extend_from_slice(b"\xfe\xfe continued\n");
        let recs = asm.assemble(&bytes, 10, &mut counts);
        assert_eq!(recs.len(), 3);
        assert_eq!(recs[0].line, 10);
        assert_eq!(recs[0].line_count, 5);
        assert!(recs[0]
            .message
            .starts_with("failed\njava.lang.IllegalStateException: boom\n\tat a.B.run"));
        assert!(recs[0].message.ends_with("\t... 3 more"));
        assert_eq!(recs[1].line, 16);
        assert!(recs[1].message.ends_with("ValueError: bad"));
        assert_eq!(recs[2].line, 20);
        assert_eq!(counts.blank_lines, 1);
        assert_eq!(counts.out_of_order, 1);
        assert_eq!(counts.invalid_utf8_lines, 1);
        assert_eq!(counts.records, 3);
    }

    #[test]
    fn records_are_capped() {
        let ctx = TimeContext::default();
        let parser = layout::detect(&["2024-01-01 10:00:00 INFO x: y"], &ctx).unwrap();
        let asm = Assembler {
            parser: parser.parser.as_ref(),
            ctx: &ctx,
            max_record_bytes: 100,
        };
        let mut text = String::from("2024-01-01 10:00:00 INFO x: head\n");
        for _ in 0..50 {
            text.push_str("\tat some.frame.Method(File.java:1)\n");
        }
        let mut counts = IntakeCounts::default();
        let recs = asm.assemble(text.as_bytes(), 1, &mut counts);
        // The record ends at the cap; the frames after it are records again, so every
        // line is in a record and no byte is dropped.
        assert!(recs.len() > 1);
        assert!(recs[0].truncated && recs[0].message.len() <= 100);
        assert!(recs.iter().all(|r| r.message.len() <= 100));
        assert_eq!(recs.iter().map(|r| r.line_count as u64).sum::<u64>(), 51);
        assert_eq!(counts.split_records, recs.len() as u64 - 1);
        assert_eq!(counts.truncated_bytes, 0);
        assert!(recs[1..].iter().all(|r| r.ts == recs[0].ts && r.ts_inherited));
    }
}

#[cfg(test)]
mod format_change_tests {
    use super::*;
    use crate::detect::detect;

    #[test]
    fn a_log_appended_to_another_is_re_detected() {
        let ctx = TimeContext {
            zone: crate::timestamp::Zone::utc(),
            reference: (2024, 12, 31),
        };
        let mut text = String::new();
        for i in 0..250 {
            text.push_str(&format!(
                "2015-10-18 18:01:{:02},978 INFO [main] org.apache.hadoop.App: step {i}\n",
                i % 60
            ));
        }
        text.push_str("\tat org.apache.hadoop.App.run(App.java:1)\n");
        for i in 0..300 {
            text.push_str(&format!(
                "{{\"time\":\"2015-10-18T18:10:{:02}Z\",\"level\":\"ERROR\",\"msg\":\"db down {i}\"}}\n",
                i % 60
            ));
        }
        for i in 0..100 {
            text.push_str(&format!(
                "Dec 10 06:55:{:02} LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186 {i}\n",
                i % 60
            ));
        }
        text.push_str("2015-10-18 18:20:00,000 WARN [main] org.apache.hadoop.App: back\n");
        let sample: Vec<&str> = text.lines().take(crate::detect::SAMPLE_LINES).collect();
        let detection = detect(&sample, &ctx);
        let asm = Assembler {
            parser: detection.parser().as_ref(),
            ctx: &ctx,
            max_record_bytes: 64 * 1024,
        };
        let mut counts = IntakeCounts::default();
        let recs = asm.assemble(text.as_bytes(), 1, &mut counts);
        assert_eq!(recs.len(), 651, "{counts:?}");
        assert_eq!(recs[249].line_count, 2, "the stack frame stays with its record");
        let json = &recs[250];
        assert_eq!(
            (json.level, json.message.as_str()),
            (Some(crate::Level::Error), "db down 0")
        );
        let ssh = &recs[550];
        assert_eq!(ssh.module.as_deref(), Some("sshd"), "{ssh:?}");
        assert_eq!(recs[650].level, Some(crate::Level::Warn));
        assert_eq!(counts.format_changes, 3);
        assert_eq!(counts.split_records + counts.truncated_records, 0);
    }
}

/// Every detail level must accept the same lines and agree on what both fill: checked on
/// the real Loghub samples (every learned layout family is among them).
#[cfg(test)]
mod detail_tests {
    use super::*;
    use crate::detect::detect;
    use crate::timestamp::Zone;

    #[test]
    fn detail_levels_agree_on_loghub() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/loghub-2k");
        if !root.is_dir() && std::env::var_os("CI").is_none() {
            // A fresh clone without ../shared: one SKIP line, which scripts/test.sh counts.
            let line = format!(
                "SKIP assemble::detail_levels_agree_on_loghub: {} is missing\n",
                root.display()
            );
            eprint!("{line}");
            if let Some(log) = std::env::var_os("TRIAGE_SKIP_LOG") {
                use std::io::Write;
                let file = std::fs::OpenOptions::new().create(true).append(true).open(log);
                let _ = file.and_then(|mut f| f.write_all(line.as_bytes()));
            }
            return;
        }
        let dirs = std::fs::read_dir(&root)
            .unwrap_or_else(|e| panic!("{}: {e} (the shared Loghub data is needed)", root.display()));
        let ctx = TimeContext {
            zone: Zone::utc(),
            reference: (2024, 12, 31),
        };
        let mut systems = 0;
        for dir in dirs.flatten() {
            let name = dir.file_name().to_string_lossy().into_owned();
            let Ok(text) = std::fs::read_to_string(dir.path().join(format!("{name}_2k.log"))) else {
                continue;
            };
            let lines: Vec<&str> = text.lines().collect();
            let detection = detect(&lines, &ctx);
            let parser = detection.parser();
            systems += 1;
            for (k, line) in lines.iter().enumerate() {
                let (mut all, mut facets, mut message) = (Record::default(), Record::default(), Record::default());
                let heads = (
                    parser.parse_line(line, &ctx, &mut all),
                    parser.parse_facets(line, &ctx, &mut facets),
                    parser.parse_message(line, &ctx, &mut message),
                );
                assert_eq!(heads.0, heads.1, "{name} line {}: {line}", k + 1);
                assert_eq!(heads.0, heads.2, "{name} line {}: {line}", k + 1);
                for r in [&facets, &message] {
                    assert_eq!(
                        (r.ts, r.level, &r.message),
                        (all.ts, all.level, &all.message),
                        "{name} line {}: {line}",
                        k + 1
                    );
                }
                assert_eq!(
                    (&facets.module, &facets.host, &facets.service),
                    (&all.module, &all.host, &all.service),
                    "{name} line {}",
                    k + 1
                );
                // Facets keep every field but positional columns and process/thread ids.
                let kept: Vec<_> = all
                    .fields
                    .iter()
                    .filter(|(n, _)| !(n.starts_with("col") || matches!(n.as_ref(), "pid" | "tid" | "thread")))
                    .collect();
                assert_eq!(
                    facets.fields.iter().collect::<Vec<_>>(),
                    kept,
                    "{name} line {}: {line}",
                    k + 1
                );
            }
        }
        assert!(
            systems >= 16,
            "only {systems} Loghub systems found under {}",
            root.display()
        );
    }

    /// java.util.logging's default two-line records: the level and the message are on
    /// the second line; an ordinary message whose second line starts with `ERROR:` keeps
    /// both lines.
    #[test]
    fn a_two_line_header_gives_its_level_and_message() {
        assert_eq!(
            second_line_level(None, "com.acme.OrderService handle", "SEVERE: payment failed: timeout"),
            Some((crate::Level::Error, "payment failed: timeout"))
        );
        assert_eq!(
            second_line_level(
                None,
                "org.apache.catalina.startup.Catalina",
                "INFO: Server startup in 840 ms"
            ),
            Some((crate::Level::Info, "Server startup in 840 ms"))
        );
        assert_eq!(
            second_line_level(None, "Request failed for user 42", "ERROR: timeout"),
            None
        );
        assert_eq!(
            second_line_level(None, "com.acme.OrderService handle", "Caused by: x.Y"),
            None
        );
        assert_eq!(second_line_level(None, "handle", "SEVERE: x"), None);
    }
}
