//! The one way the analysers read a file: decoded lines with their 1-based numbers,
//! streamed, each cut at [`MAX_LINE_BYTES`]; what is cut, mis-encoded or unreadable is
//! counted for the report instead of being dropped silently.

use std::io::BufRead;

use crate::Skipped;

/// Longest line kept; the rest of a longer line is counted and dropped. A slow log's
/// statement is one line however long (a multi-row `INSERT`, a 10,000-id `IN` list, a
/// BLOB), and pt-query-digest fingerprints all of it, so the cap is generous; only one
/// line is held at a time.
pub const MAX_LINE_BYTES: usize = 16 << 20;

/// Lines of one input, read on demand.
pub struct Lines<R> {
    reader: R,
    raw: Vec<u8>,
    text: String,
    line_no: u64,
    bytes: u64,
    max_line: usize,
    done: bool,
    last_newline: bool,
    last_cut: bool,
    skipped: Vec<Skipped>,
}

impl<R: BufRead> Lines<R> {
    pub fn new(reader: R) -> Self {
        Self::with_max_line(reader, MAX_LINE_BYTES)
    }

    pub fn with_max_line(reader: R, max_line: usize) -> Self {
        Lines {
            reader,
            raw: Vec::new(),
            text: String::new(),
            line_no: 0,
            bytes: 0,
            max_line,
            done: false,
            last_newline: false,
            last_cut: false,
            skipped: Vec::new(),
        }
    }

    /// The next line without its line ending (`\n` or `\r\n`), and its 1-based number.
    /// Bytes that are not UTF-8 are read as Latin-1 (and counted). After a read error the error is
    /// noted and the input ends.
    pub fn next_line(&mut self) -> Option<(u64, &str)> {
        if self.done {
            return None;
        }
        self.raw.clear();
        let mut cut = 0u64;
        self.last_newline = false;
        // Read in pieces so a line without newlines cannot grow memory past the cap.
        loop {
            let available = match self.reader.fill_buf() {
                Ok(buf) => buf,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    let at = self.line_no + 1;
                    self.skip(
                        at,
                        "bytes",
                        &format!("read error, the rest of the input is unread: {e}"),
                    );
                    self.done = true;
                    break;
                }
            };
            if available.is_empty() {
                self.done = true;
                break;
            }
            let (piece, ends) = match memchr::memchr(b'\n', available) {
                Some(i) => (&available[..=i], true),
                None => (available, false),
            };
            let take = piece.len();
            let room = self.max_line.saturating_sub(self.raw.len());
            let keep = take.min(room);
            self.raw.extend_from_slice(&piece[..keep]);
            cut += (take - keep) as u64;
            self.bytes += take as u64;
            self.reader.consume(take);
            if ends {
                self.last_newline = true;
                break;
            }
        }
        if self.done && self.raw.is_empty() && cut == 0 {
            return None;
        }
        self.line_no += 1;
        while matches!(self.raw.last(), Some(b'\n' | b'\r')) {
            self.raw.pop();
        }
        self.last_cut = cut > 0;
        if cut > 0 {
            let at = self.line_no;
            self.skip_many(
                at,
                cut,
                "bytes",
                "line longer than the line cap, the rest of it dropped",
            );
        }
        self.text.clear();
        match std::str::from_utf8(&self.raw) {
            Ok(s) => self.text.push_str(s),
            Err(_) => {
                // Each byte that is not UTF-8 is read as Latin-1 (what such a log most often
                // is): distinct bytes stay distinct, so `café` and `cafè` in a latin1 slow
                // log stay two query classes, as they are for pt-query-digest.
                for chunk in self.raw.utf8_chunks() {
                    self.text.push_str(chunk.valid());
                    self.text.extend(chunk.invalid().iter().map(|&b| char::from(b)));
                }
                let at = self.line_no;
                self.skip(at, "lines", "invalid UTF-8, its bad bytes read as Latin-1");
            }
        }
        Some((self.line_no, &self.text))
    }

    /// Notes one thing left out at line `line`.
    pub fn skip(&mut self, line: u64, what: &str, reason: &str) {
        self.skip_many(line, 1, what, reason);
    }

    /// Notes `count` things left out for one reason; the first line is kept.
    pub fn skip_many(&mut self, line: u64, count: u64, what: &str, reason: &str) {
        if let Some(entry) = self.skipped.iter_mut().find(|s| s.what == what && s.reason == reason) {
            entry.count += count;
            entry.first_line = entry.first_line.min(line);
            return;
        }
        self.skipped.push(Skipped {
            what: what.to_string(),
            count,
            first_line: line,
            reason: reason.to_string(),
        });
    }

    /// Whether the line last returned ended with a line break (only a file's last line
    /// can lack one).
    pub fn last_line_ended_with_newline(&self) -> bool {
        self.last_newline
    }

    /// Whether the line last returned was cut at the line cap.
    pub fn last_line_was_cut(&self) -> bool {
        self.last_cut
    }

    pub fn line_count(&self) -> u64 {
        self.line_no
    }

    pub fn byte_count(&self) -> u64 {
        self.bytes
    }

    pub fn take_skipped(&mut self) -> Vec<Skipped> {
        std::mem::take(&mut self.skipped)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(input: &[u8], max: usize) -> (Vec<(u64, String)>, Vec<Skipped>) {
        let mut lines = Lines::with_max_line(input, max);
        let mut out = Vec::new();
        while let Some((n, l)) = lines.next_line() {
            out.push((n, l.to_string()));
        }
        (out, lines.take_skipped())
    }

    #[test]
    fn lines_are_numbered_and_lose_their_endings() {
        let (lines, skipped) = all(b"a\r\nb\n\nc", 100);
        let got: Vec<_> = lines.iter().map(|(n, l)| (*n, l.as_str())).collect();
        assert_eq!(got, vec![(1, "a"), (2, "b"), (3, ""), (4, "c")]);
        assert!(skipped.is_empty());
    }

    #[test]
    fn long_lines_are_cut_and_counted() {
        let mut reader = Lines::with_max_line(&b"abcdef\nxy"[..], 3);
        reader.next_line();
        assert!(reader.last_line_was_cut() && reader.last_line_ended_with_newline());
        reader.next_line();
        assert!(!reader.last_line_was_cut() && !reader.last_line_ended_with_newline());
        let (lines, skipped) = all(b"abcdef\nxy\n", 3);
        assert_eq!(lines[0].1, "abc");
        assert_eq!(lines[1].1, "xy");
        assert_eq!(skipped.len(), 1);
        assert_eq!((skipped[0].count, skipped[0].first_line), (4, 1));
    }

    #[test]
    fn invalid_utf8_is_replaced_and_counted() {
        let (lines, skipped) = all(b"ok\ncaf\xe9 \xe8\n", 100);
        assert_eq!(lines[1].1, "caf\u{e9} \u{e8}");
        assert_eq!((skipped[0].count, skipped[0].first_line), (1, 2));
    }
}
