//! A byte stream read under caps, for side inputs read whole by a parser (the change
//! ledger, the metrics CSV): a line longer than the cap (`/dev/zero`, a binary file) or
//! a file past the size cap stops the stream with an error that names the line, instead
//! of a read that never ends or fills memory.

use std::io::Read;

/// Longest line a side input may hold. A change entry or a metrics row is a few hundred
/// bytes; a line past this is not such a file (`/dev/zero`, a binary file).
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// Why reading stopped early.
#[derive(Debug, Clone)]
pub(crate) enum Stop {
    LongLine {
        line: usize,
        cap: usize,
    },
    Large {
        line: usize,
        cap: u64,
    },
    /// The file could not be read on (a disk error, a directory).
    Io {
        line: usize,
        error: String,
    },
}

/// The ledger's bytes, read as a stream under the line and size caps: past a cap it
/// returns an error (and remembers where), so every reader on top (lines, serde_json,
/// csv) stops there. A missing final newline is supplied, so every line ends in one.
pub(crate) struct Capped<R> {
    inner: R,
    max_line: usize,
    max_total: u64,
    /// 1-based line of the next byte.
    line: usize,
    line_len: usize,
    total: u64,
    last: Option<u8>,
    ended: bool,
    pub(crate) stop: Option<Stop>,
}

impl<R: Read> Capped<R> {
    pub(crate) fn new(inner: R, max_line: usize, max_total: u64) -> Capped<R> {
        Capped {
            inner,
            max_line,
            max_total,
            line: 1,
            line_len: 0,
            total: 0,
            last: None,
            ended: false,
            stop: None,
        }
    }
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if let Some(stop) = &self.stop {
            return Err(std::io::Error::other(format!("line {}: {}", stop.line(), stop)));
        }
        if buf.is_empty() || self.ended {
            return Ok(0);
        }
        let n = match self.inner.read(buf) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => return Err(e),
            Err(e) => {
                self.stop = Some(Stop::Io {
                    line: self.line,
                    error: e.to_string(),
                });
                return Err(e);
            }
        };
        if n == 0 {
            self.ended = true;
            if self.last.is_some_and(|b| b != b'\n') {
                buf[0] = b'\n';
                return Ok(1);
            }
            return Ok(0);
        }
        for (i, &b) in buf[..n].iter().enumerate() {
            self.total += 1;
            if self.total > self.max_total {
                self.stop = Some(Stop::Large {
                    line: self.line,
                    cap: self.max_total,
                });
            } else if b == b'\n' {
                self.line += 1;
                self.line_len = 0;
            } else {
                self.line_len += 1;
                if self.line_len > self.max_line {
                    self.stop = Some(Stop::LongLine {
                        line: self.line,
                        cap: self.max_line,
                    });
                }
            }
            if let Some(stop) = &self.stop {
                // The bytes before the cap are handed on and the next read fails; with
                // none before it, this one fails (Ok(0) would read as the end of the file).
                if i == 0 {
                    return Err(std::io::Error::other(format!("line {}: {}", stop.line(), stop)));
                }
                return Ok(i);
            }
            self.last = Some(b);
        }
        Ok(n)
    }
}

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        let text = match self {
            Stop::Io { error, .. } => format!("cannot read on: {error}"),
            Stop::LongLine { cap, .. } => format!("line longer than {} (not a text file?)", size_text(*cap as u64)),
            Stop::Large { cap, .. } => format!("file larger than {}", size_text(*cap)),
        };
        f.write_str(&text)
    }
}

/// `1 MiB`, or bytes when not a whole number of MiB.
fn size_text(bytes: u64) -> String {
    if bytes >= 1 << 20 && bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else {
        format!("{bytes} bytes")
    }
}

impl Stop {
    /// The line it stopped at (1-based).
    pub(crate) fn line(&self) -> usize {
        match *self {
            Stop::LongLine { line, .. } | Stop::Large { line, .. } | Stop::Io { line, .. } => line,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression: a cap met on the first byte of a read returned Ok(0), which readers
    /// take for the end of the file (`--metrics /dev/zero` read a 1 MiB header of NULs).
    #[test]
    fn a_cap_on_a_read_boundary_is_an_error_not_the_end() {
        let mut r = Capped::new(std::io::Cursor::new(vec![b'x'; 300]), 100, u64::MAX);
        let mut buf = [0u8; 100];
        assert_eq!(r.read(&mut buf).unwrap(), 100);
        let e = r.read(&mut buf).unwrap_err();
        assert_eq!(e.to_string(), "line 1: line longer than 100 bytes (not a text file?)");
        assert!(r.read(&mut buf).is_err(), "it stays stopped");
    }

    #[test]
    fn lines_and_sizes_are_counted_and_a_final_newline_supplied() {
        let mut r = Capped::new(std::io::Cursor::new(b"ab\ncd".to_vec()), 10, 100);
        let mut out = Vec::new();
        r.read_to_end(&mut out).unwrap();
        assert_eq!(out, b"ab\ncd\n");
        let mut r = Capped::new(std::io::Cursor::new(b"ab\ncd\nef\n".to_vec()), 10, 7);
        let mut out = Vec::new();
        let e = r.read_to_end(&mut out).unwrap_err();
        assert_eq!(out, b"ab\ncd\ne", "the bytes before the cap are handed on");
        assert_eq!(e.to_string(), "line 3: file larger than 7 bytes");
    }
}
