//! Terminal colour codes in a log file: what a program wrote for a terminal, saved or
//! piped to a file (Rust `tracing` and `env_logger`, Spring Boot with colour forced,
//! zerolog's console writer, npm and Gradle output, `docker logs` of such programs).
//!
//! ```text
//! \x1b[2m2024-05-01T08:00:00.123456Z\x1b[0m \x1b[31mERROR\x1b[0m \x1b[2morders::api\x1b[0m\x1b[2m:\x1b[0m connection refused
//! ```
//!
//! Escape sequences sit between a header's fields, so no format reads the line as it
//! is. When enough of the sample's lines hold them, the format is detected on the lines
//! without them and its parser wrapped: each line is read with its escape sequences
//! removed (a line without any is handed over as it is). Removed: CSI sequences
//! (`ESC [` parameters, then a final byte: colours, cursor moves, erasing), OSC
//! sequences (`ESC ]` … `BEL` or `ESC \`: titles, hyperlinks, whose text stays) and
//! other two-byte escapes (`ESC (B`).

use std::borrow::Cow;
use std::sync::Arc;

use super::{Candidate, LineParser};
use crate::timestamp::TimeContext;
use crate::Record;

const ESC: u8 = 0x1b;

/// Share of the non-blank sample lines that must hold an escape sequence for the file's
/// format to be detected on the lines without them.
const COLOURED_SHARE: f64 = 0.2;

/// `line` without its terminal escape sequences.
pub fn strip(line: &str) -> Cow<'_, str> {
    let b = line.as_bytes();
    let Some(first) = memchr::memchr(ESC, b) else {
        return Cow::Borrowed(line);
    };
    let mut out = Vec::with_capacity(b.len());
    out.extend_from_slice(&b[..first]);
    let mut i = first;
    while i < b.len() {
        if b[i] != ESC {
            // Copy up to the next escape at once.
            let next = memchr::memchr(ESC, &b[i..]).map_or(b.len(), |k| i + k);
            out.extend_from_slice(&b[i..next]);
            i = next;
            continue;
        }
        i = match b.get(i + 1) {
            // CSI: parameter and intermediate bytes, then one final byte.
            Some(b'[') => {
                let mut j = i + 2;
                while j < b.len() && (0x20..=0x3f).contains(&b[j]) {
                    j += 1;
                }
                if j < b.len() && (0x40..=0x7e).contains(&b[j]) {
                    j + 1
                } else {
                    j
                }
            }
            // OSC: up to BEL or ST (`ESC \`); a hyperlink's text follows it and stays.
            Some(b']') => {
                let mut j = i + 2;
                loop {
                    match b.get(j) {
                        None => break j,
                        Some(0x07) => break j + 1,
                        Some(&ESC) if b.get(j + 1) == Some(&b'\\') => break j + 2,
                        Some(_) => j += 1,
                    }
                }
            }
            // A two-byte escape (`ESC (`, `ESC =`) takes its ASCII byte with it.
            Some(c) if c.is_ascii() => {
                let mut j = i + 2;
                // Character-set designations carry one more byte (`ESC ( B`).
                if matches!(c, b'(' | b')' | b'*' | b'+') && b.get(j).is_some_and(u8::is_ascii_graphic) {
                    j += 1;
                }
                j
            }
            _ => i + 1,
        };
    }
    // Only ASCII sequences were removed between whole characters.
    match String::from_utf8(out) {
        Ok(s) => Cow::Owned(s),
        Err(e) => Cow::Owned(String::from_utf8_lossy(e.as_bytes()).into_owned()),
    }
}

/// Whether enough of the sample's lines hold escape sequences to read the file without them.
pub fn coloured(sample: &[&str]) -> bool {
    let mut nonblank = 0usize;
    let mut with = 0usize;
    for line in sample {
        if line.trim().is_empty() {
            continue;
        }
        nonblank += 1;
        if line.contains("\x1b[") || line.contains("\x1b]") {
            with += 1;
        }
    }
    with > 0 && with as f64 >= COLOURED_SHARE * nonblank as f64
}

/// A parser reading lines without their escape sequences.
pub struct AnsiParser {
    inner: Arc<dyn LineParser>,
}

impl LineParser for AnsiParser {
    fn parse_line(&self, line: &str, ctx: &TimeContext, rec: &mut Record) -> bool {
        self.inner.parse_line(&strip(line), ctx, rec)
    }

    fn parse_facets(&self, line: &str, ctx: &TimeContext, rec: &mut Record) -> bool {
        self.inner.parse_facets(&strip(line), ctx, rec)
    }

    fn parse_message(&self, line: &str, ctx: &TimeContext, rec: &mut Record) -> bool {
        self.inner.parse_message(&strip(line), ctx, rec)
    }

    fn continuation_text<'a>(&self, line: &'a str, ctx: &TimeContext) -> Cow<'a, str> {
        match strip(line) {
            Cow::Borrowed(_) => self.inner.continuation_text(line, ctx),
            Cow::Owned(s) => Cow::Owned(self.inner.continuation_text(&s, ctx).into_owned()),
        }
    }

    fn has_directives(&self) -> bool {
        self.inner.has_directives()
    }

    fn is_directive(&self, line: &str) -> bool {
        self.inner.is_directive(&strip(line))
    }

    fn starts_record(&self, line: &str, ctx: &TimeContext) -> bool {
        self.inner.starts_record(&strip(line), ctx)
    }
}

/// `inner`, detected on the sample without escape sequences, reading lines without them.
pub fn wrap(inner: Candidate) -> Candidate {
    Candidate {
        name: format!("ansi({})", inner.name),
        parser: Arc::new(AnsiParser { inner: inner.parser }),
        ts_layout: inner.ts_layout,
        specificity: inner.specificity,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::testing::ctx;
    use crate::record::rfc3339;
    use crate::Level;

    #[test]
    fn escape_sequences_are_removed() {
        assert_eq!(strip("plain"), "plain");
        assert!(matches!(strip("plain"), Cow::Borrowed(_)));
        assert_eq!(strip("\x1b[2m10:00\x1b[0m \x1b[1;31mERROR\x1b[0m x"), "10:00 ERROR x");
        assert_eq!(strip("\x1b[38;5;196mred\x1b[m"), "red");
        assert_eq!(strip("\x1b]8;;http://x\x07link\x1b]8;;\x1b\\ end"), "link end");
        assert_eq!(strip("\x1b(Bé\x1b[K"), "é");
        // Cut sequences at the end of a line, and non-ASCII after an escape.
        assert_eq!(strip("a\x1b["), "a");
        assert_eq!(strip("a\x1b[12"), "a");
        assert_eq!(strip("a\x1b"), "a");
        assert_eq!(strip("a\x1bé"), "aé");
    }

    /// Rust `tracing`'s default format with colours, as written to a file.
    #[test]
    fn coloured_tracing_lines_are_read_as_their_format() {
        let lines = [
            "\x1b[2m2024-05-01T08:00:00.123456Z\x1b[0m \x1b[32m INFO\x1b[0m \x1b[2morders::api\x1b[0m\x1b[2m:\x1b[0m started",
            "\x1b[2m2024-05-01T08:00:01.000001Z\x1b[0m \x1b[33m WARN\x1b[0m \x1b[2morders::db\x1b[0m\x1b[2m:\x1b[0m slow query",
            "\x1b[2m2024-05-01T08:00:02.000001Z\x1b[0m \x1b[31mERROR\x1b[0m \x1b[2morders::db\x1b[0m\x1b[2m:\x1b[0m connection refused",
        ];
        assert!(coloured(&lines));
        let det = crate::detect::detect(&lines, &ctx());
        assert!(det.candidate.name.starts_with("ansi("), "{}", det.candidate.name);
        let mut r = Record::default();
        assert!(det.parser().parse_line(lines[2], &ctx(), &mut r));
        assert_eq!(rfc3339(r.ts.unwrap()), "2024-05-01T08:00:02.000001Z");
        assert_eq!(r.level, Some(Level::Error));
        assert_eq!(r.module.as_deref(), Some("orders::db"));
        assert_eq!(r.message, "connection refused");
        // A file with no colour is not wrapped.
        let plain: Vec<String> = lines.iter().map(|l| strip(l).into_owned()).collect();
        let refs: Vec<&str> = plain.iter().map(String::as_str).collect();
        assert!(!coloured(&refs));
        // One stray escape in a plain file does not make it a coloured one.
        let mut mostly_plain = refs.repeat(4);
        mostly_plain.push(lines[0]);
        assert!(!coloured(&mostly_plain));
        assert!(!crate::detect::detect(&refs, &ctx()).candidate.name.starts_with("ansi("));
    }
}
