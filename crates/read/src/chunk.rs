//! Cutting a decompressed stream into chunks that end on a record boundary.

use std::io::{ErrorKind, Read};
use std::path::PathBuf;
use std::sync::atomic::Ordering;

use crate::{BufferPool, OpenedSource, ReadError};

/// How much to read at a time and how long a line may get.
#[derive(Debug, Clone, Copy)]
pub struct ReadLimits {
    /// Target size of one chunk (the unit of parallel work).
    pub chunk_bytes: usize,
    /// Lines longer than this are cut to it; the rest of the line is dropped and counted.
    pub max_line_bytes: usize,
}

impl Default for ReadLimits {
    fn default() -> Self {
        ReadLimits {
            chunk_bytes: 1 << 20,
            max_line_bytes: 1 << 20,
        }
    }
}

/// What the reader saw, for the intake summary.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadStats {
    /// Decompressed bytes delivered (including dropped parts of long lines).
    pub bytes: u64,
    /// Bytes read from the underlying file (compressed size for gzip/zstd).
    pub raw_bytes: u64,
    /// Lines cut at `max_line_bytes`.
    pub long_lines: u64,
    /// Bytes dropped from those lines.
    pub long_line_bytes_dropped: u64,
    /// NUL bytes skipped (a file truncated in place by `copytruncate` while its writer
    /// kept its offset starts with a run of them; so do preallocated files).
    pub nul_bytes_skipped: u64,
    /// Encoding from the byte-order mark; the bytes above are counted after decoding.
    pub encoding: crate::Encoding,
    /// Byte-order-mark bytes dropped from the start.
    pub bom_bytes: u64,
    /// UTF-16 code units that did not decode (each became U+FFFD).
    pub decode_errors: u64,
}

/// A run of whole lines. Its first line starts a record whenever the caller's predicate
/// could find such a place, so a chunk can be parsed without looking at its neighbours.
#[derive(Debug)]
pub struct Chunk {
    pub data: Vec<u8>,
    /// 1-based number of the chunk's first line in its file.
    pub first_line: u64,
    /// Decompressed byte offset of the chunk's start in its file.
    pub offset: u64,
}

/// Bytes of text (NULs not counted) looked at to tell a binary file from a log.
const BINARY_PROBE: usize = 8192;

/// What the start of a stream looked like, to refuse binary files.
#[derive(Debug, Default)]
struct Probe {
    /// Non-NUL bytes seen.
    text: usize,
    /// Control bytes other than tab, newlines, form feed and ESC.
    control: usize,
    /// Separate runs of NUL bytes.
    nul_runs: usize,
    in_nul_run: bool,
    /// Stream offset of the first NUL or control byte.
    first_odd: Option<u64>,
    done: bool,
}

impl Probe {
    fn feed(&mut self, block: &[u8], at: u64) {
        for (k, &b) in block.iter().enumerate() {
            if self.text >= BINARY_PROBE {
                self.done = true;
                return;
            }
            if b == 0 {
                if !self.in_nul_run {
                    self.nul_runs += 1;
                    self.in_nul_run = true;
                }
                self.first_odd.get_or_insert(at + k as u64);
                continue;
            }
            self.in_nul_run = false;
            self.text += 1;
            if (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0b | 0x0c | 0x1b)) || b == 0x7f {
                self.control += 1;
                self.first_odd.get_or_insert(at + k as u64);
            }
        }
    }

    /// A log may start with a NUL run or carry a few; a binary file has control bytes
    /// throughout, or NULs scattered between its bytes (UTF-16 without a BOM too).
    fn binary(&self) -> bool {
        self.control * 20 > self.text || (self.nul_runs > 1 && self.nul_runs * 16 > self.text)
    }
}
/// How many lines back from a chunk's end to look for a record start.
const MAX_BACKTRACK_LINES: usize = 4096;

/// Reads one source as a sequence of [`Chunk`]s.
pub struct ChunkReader {
    path: PathBuf,
    source: OpenedSource,
    limits: ReadLimits,
    buf: Vec<u8>,
    block: Vec<u8>,
    cur_line_len: usize,
    skipping: bool,
    probe: Probe,
    /// Stream bytes read so far (NULs included).
    stream_offset: u64,
    next_line: u64,
    next_offset: u64,
    eof: bool,
    binary_reported: bool,
    pending_error: Option<ReadError>,
    stats: ReadStats,
    pool: BufferPool,
}

impl ChunkReader {
    pub fn new(path: PathBuf, source: OpenedSource, limits: ReadLimits) -> Self {
        let limits = ReadLimits {
            chunk_bytes: limits.chunk_bytes.max(1024),
            max_line_bytes: limits.max_line_bytes.max(64),
        };
        ChunkReader {
            path,
            source,
            limits,
            buf: Vec::new(),
            block: vec![0; (256 * 1024).min(limits.chunk_bytes)],
            cur_line_len: 0,
            skipping: false,
            probe: Probe::default(),
            stream_offset: 0,
            next_line: 1,
            next_offset: 0,
            eof: false,
            binary_reported: false,
            pending_error: None,
            stats: ReadStats::default(),
            pool: BufferPool::default(),
        }
    }

    /// Takes chunk buffers from (and lets consumers return them to) `pool`.
    pub fn with_pool(mut self, pool: BufferPool) -> Self {
        self.pool = pool;
        self
    }

    pub fn stats(&self) -> ReadStats {
        let mut s = self.stats.clone();
        s.raw_bytes = self.source.raw_offset.load(Ordering::Relaxed);
        s.encoding = self.source.encoding;
        s.bom_bytes = self.source.encoding.bom_len();
        s.decode_errors = self.source.decode_errors.load(Ordering::Relaxed);
        s
    }

    pub fn size_on_disk(&self) -> Option<u64> {
        self.source.size_on_disk
    }

    pub fn compression(&self) -> crate::Compression {
        self.source.compression
    }

    /// Returns the next chunk. `is_record_start` tells whether a line begins a record; the
    /// chunk is cut before such a line so that continuation lines (stack traces) stay with
    /// their head. Returns `Ok(None)` at the end; an error is returned once, after the
    /// chunks read before it.
    pub fn next_chunk(&mut self, is_record_start: &dyn Fn(&[u8]) -> bool) -> Result<Option<Chunk>, ReadError> {
        self.fill(self.limits.chunk_bytes)?;
        // A line longer than a chunk: read on to its end (lines are capped, so this is bounded).
        while !self.eof && memchr::memrchr(b'\n', &self.buf).is_none() {
            let more = self.buf.len() + self.block.len();
            self.fill(more)?;
        }
        if self.buf.is_empty() {
            return match self.pending_error.take() {
                Some(e) => Err(e),
                None => Ok(None),
            };
        }
        let cut = if self.eof {
            self.buf.len()
        } else {
            self.find_cut(is_record_start)
        };
        let mut rest = self.pool.get(self.limits.chunk_bytes + self.block.len() + 4096);
        rest.extend_from_slice(&self.buf[cut..]);
        self.buf.truncate(cut);
        let data = std::mem::replace(&mut self.buf, rest);
        let lines = memchr::memchr_iter(b'\n', &data).count() as u64;
        let chunk = Chunk {
            first_line: self.next_line,
            offset: self.next_offset,
            data,
        };
        self.next_line += lines;
        self.next_offset += chunk.data.len() as u64;
        Ok(Some(chunk))
    }

    /// The bytes of the next chunk-to-be without consuming them (to detect the format
    /// before the first cut). Up to `chunk_bytes`, whole lines plus a partial last one.
    pub fn peek(&mut self) -> Result<&[u8], ReadError> {
        self.fill(self.limits.chunk_bytes)?;
        Ok(&self.buf)
    }

    /// Reads until the buffer holds `target` bytes or the input ends.
    fn fill(&mut self, target: usize) -> Result<(), ReadError> {
        if self.buf.capacity() == 0 {
            // The first chunk's buffer at full size (grown block by block, it was copied
            // a dozen times).
            self.buf = self.pool.get(self.limits.chunk_bytes + self.block.len() + 4096);
        }
        // Until the probe has seen enough text, read on even past `target`: nothing is
        // handed out of a file that may turn out binary.
        while !self.eof && (self.buf.len() < target || !self.probe.done) {
            if self.probe.done && !self.skipping && self.cur_line_len + self.block.len() <= self.limits.max_line_bytes {
                self.read_direct();
                continue;
            }
            // A whole block per step (a short one only at the end), so that where chunks
            // are cut never depends on how much each `read` returned.
            let (n, error) = read_full(&mut self.source.reader, &mut self.block);
            if n < self.block.len() {
                self.eof = true;
            }
            if n > 0 {
                if !self.probe.done {
                    self.probe.feed(&self.block[..n], self.stream_offset);
                }
                self.stream_offset += n as u64;
                self.stats.bytes += n as u64;
                let mut block = std::mem::take(&mut self.block);
                let kept = self.drop_nuls(&mut block[..n]);
                self.push_block(&block[..kept]);
                self.block = block;
            }
            if let Some(e) = error {
                self.pending_error = Some(self.stream_error(e));
            }
        }
        if !self.probe.done {
            // The whole input was shorter than the probe.
            self.probe.done = true;
        }
        if self.probe.binary() && !self.binary_reported {
            self.binary_reported = true;
            self.eof = true;
            self.buf.clear();
            self.pending_error = None;
            return Err(ReadError::Binary {
                path: self.path.clone(),
                offset: self.probe.first_odd.unwrap_or(0),
            });
        }
        Ok(())
    }

    /// Removes NUL bytes from `block` in place (counted); returns the length kept.
    /// One read straight into the chunk buffer, for the common case where no line can
    /// reach the line cap within it (as in [`Self::push_block`]'s fast path) and the
    /// probe is done: reading through `block` copied every byte once more.
    fn read_direct(&mut self) {
        let start = self.buf.len();
        let want = self.block.len() as u64;
        let result = std::io::Read::read_to_end(&mut (&mut self.source.reader).take(want), &mut self.buf);
        let n = self.buf.len() - start;
        self.stream_offset += n as u64;
        self.stats.bytes += n as u64;
        let mut new = std::mem::take(&mut self.buf);
        let kept = self.drop_nuls(&mut new[start..]);
        new.truncate(start + kept);
        self.buf = new;
        let added = &self.buf[start..];
        self.cur_line_len = match memchr::memrchr(b'\n', added) {
            Some(i) => added.len() - i - 1,
            None => self.cur_line_len + added.len(),
        };
        match result {
            // Short of `want`: the stream ended.
            Ok(got) if (got as u64) < want => self.eof = true,
            Ok(_) => {}
            Err(e) => {
                self.eof = true;
                self.pending_error = Some(self.stream_error(e));
            }
        }
    }

    fn drop_nuls(&mut self, block: &mut [u8]) -> usize {
        let Some(first) = memchr::memchr(0, block) else {
            return block.len();
        };
        let mut w = first;
        for r in first..block.len() {
            let b = block[r];
            if b != 0 {
                block[w] = b;
                w += 1;
            }
        }
        self.stats.nul_bytes_skipped += (block.len() - w) as u64;
        w
    }

    fn stream_error(&self, e: std::io::Error) -> ReadError {
        match self.source.compression {
            crate::Compression::None => ReadError::Io {
                path: self.path.clone(),
                source: e,
            },
            c => ReadError::Corrupt {
                path: self.path.clone(),
                compression: c.name(),
                compressed_offset: self.source.raw_offset.load(Ordering::Relaxed),
                decompressed_offset: self.stats.bytes,
                message: if e.kind() == ErrorKind::UnexpectedEof {
                    "unexpected end of stream".to_string()
                } else {
                    e.to_string()
                },
            },
        }
    }

    /// The cut position: the start of the last complete line that begins a record.
    fn find_cut(&self, is_record_start: &dyn Fn(&[u8]) -> bool) -> usize {
        let buf = &self.buf;
        let Some(last_nl) = memchr::memrchr(b'\n', buf) else {
            return buf.len();
        };
        // `end` is the exclusive end of the line being examined (its newline).
        let mut end = last_nl;
        let fallback = last_nl + 1;
        for _ in 0..MAX_BACKTRACK_LINES {
            let start = memchr::memrchr(b'\n', &buf[..end]).map_or(0, |i| i + 1);
            if start == 0 {
                break;
            }
            if is_record_start(&buf[start..end]) {
                return start;
            }
            end = start - 1;
        }
        fallback
    }

    /// Appends a block to the buffer, cutting lines longer than `max_line_bytes`.
    fn push_block(&mut self, block: &[u8]) {
        let max = self.limits.max_line_bytes;
        // Common case: no line can reach the cap within this block (the cap is far
        // above the block size), so the block is copied at once, not line by line.
        if !self.skipping && self.cur_line_len + block.len() <= max {
            self.buf.extend_from_slice(block);
            self.cur_line_len = match memchr::memrchr(b'\n', block) {
                Some(i) => block.len() - i - 1,
                None => self.cur_line_len + block.len(),
            };
            return;
        }
        let mut rest = block;
        while !rest.is_empty() {
            if self.skipping {
                match memchr::memchr(b'\n', rest) {
                    Some(i) => {
                        self.stats.long_line_bytes_dropped += i as u64;
                        self.skipping = false;
                        rest = &rest[i..];
                    }
                    None => {
                        self.stats.long_line_bytes_dropped += rest.len() as u64;
                        return;
                    }
                }
            }
            match memchr::memchr(b'\n', rest) {
                Some(i) => {
                    let body = i;
                    if self.cur_line_len + body > max {
                        let keep = max.saturating_sub(self.cur_line_len);
                        self.buf.extend_from_slice(&rest[..keep]);
                        self.stats.long_lines += 1;
                        self.stats.long_line_bytes_dropped += (body - keep) as u64;
                    } else {
                        self.buf.extend_from_slice(&rest[..body]);
                    }
                    self.buf.push(b'\n');
                    self.cur_line_len = 0;
                    rest = &rest[i + 1..];
                }
                None => {
                    if self.cur_line_len + rest.len() > max {
                        let keep = max.saturating_sub(self.cur_line_len);
                        self.buf.extend_from_slice(&rest[..keep]);
                        self.stats.long_lines += 1;
                        self.stats.long_line_bytes_dropped += (rest.len() - keep) as u64;
                        self.cur_line_len = max;
                        self.skipping = true;
                    } else {
                        self.buf.extend_from_slice(rest);
                        self.cur_line_len += rest.len();
                    }
                    return;
                }
            }
        }
    }
}

/// Reads into `buf` until it is full or the stream ends; the bytes read, and the error
/// that stopped it early, if any (the bytes before it are kept).
fn read_full(reader: &mut impl Read, buf: &mut [u8]) -> (usize, Option<std::io::Error>) {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return (filled, Some(e)),
        }
    }
    (filled, None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{open_source, Source};
    use std::io::Write;

    fn reader_for(bytes: &[u8], limits: ReadLimits) -> (tempfile::TempDir, ChunkReader) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("in.log");
        std::fs::write(&path, bytes).unwrap();
        let src = open_source(&Source::File(path.clone())).unwrap();
        (dir, ChunkReader::new(path, src, limits))
    }

    /// All chunks of `bytes` joined, and the reader's figures.
    fn read_joined(bytes: &[u8], chunk_bytes: usize, max_line_bytes: usize) -> (Vec<u8>, ReadStats) {
        let (_d, mut r) = reader_for(
            bytes,
            ReadLimits {
                chunk_bytes,
                max_line_bytes,
            },
        );
        let joined = all_chunks(&mut r, &|_| true)
            .iter()
            .flat_map(|c| c.data.clone())
            .collect();
        (joined, r.stats())
    }

    fn all_chunks(r: &mut ChunkReader, pred: &dyn Fn(&[u8]) -> bool) -> Vec<Chunk> {
        let mut out = Vec::new();
        while let Some(c) = r.next_chunk(pred).unwrap() {
            out.push(c);
        }
        out
    }

    #[test]
    fn chunks_are_cut_before_record_starts_only() {
        let mut text = String::new();
        for i in 0..2000 {
            text.push_str(&format!(
                "2024-01-01 00:00:00 ERROR boom {i}\n\tat a.b.C(C.java:1)\n\tat a.b.D(D.java:2)\n"
            ));
        }
        let (_d, mut r) = reader_for(
            text.as_bytes(),
            ReadLimits {
                chunk_bytes: 4096,
                max_line_bytes: 1 << 20,
            },
        );
        let chunks = all_chunks(&mut r, &|l: &[u8]| l.starts_with(b"2024"));
        assert!(chunks.len() > 10);
        let mut line = 1;
        for c in &chunks {
            assert!(c.data.starts_with(b"2024"), "chunk must start at a record head");
            assert_eq!(c.first_line, line);
            line += c.data.iter().filter(|&&b| b == b'\n').count() as u64;
        }
        let joined: Vec<u8> = chunks.iter().flat_map(|c| c.data.clone()).collect();
        assert_eq!(joined, text.as_bytes());
    }

    #[test]
    fn long_lines_are_capped_and_counted() {
        let mut text = b"short\n".to_vec();
        text.extend(std::iter::repeat_n(b'x', 5_000_000));
        text.extend_from_slice(b"\nafter\n");
        let (joined, s) = read_joined(&text, 1 << 16, 1000);
        let lines: Vec<&[u8]> = joined.split(|&b| b == b'\n').collect();
        assert_eq!(lines[0], b"short");
        assert_eq!(lines[1].len(), 1000);
        assert_eq!(lines[2], b"after");

        assert_eq!(s.long_lines, 1);
        assert_eq!(s.long_line_bytes_dropped, 5_000_000 - 1000);
    }

    #[test]
    fn truncated_gzip_keeps_what_was_read_and_names_the_offset() {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        for i in 0..20000 {
            writeln!(
                enc,
                "2024-01-01 00:00:{:02} INFO line number {i} with some padding text",
                i % 60
            )
            .unwrap();
        }
        let full = enc.finish().unwrap();
        let cut = &full[..full.len() / 2];
        let (_d, mut r) = reader_for(cut, ReadLimits::default());
        let mut got = 0usize;
        let err = loop {
            match r.next_chunk(&|_| true) {
                Ok(Some(c)) => got += c.data.len(),
                Ok(None) => panic!("expected an error"),
                Err(e) => break e,
            }
        };
        assert!(got > 0, "data before the truncation is kept");
        let msg = err.to_string();
        assert!(
            msg.contains("in.log") && msg.contains("gzip") && msg.contains("offset"),
            "{msg}"
        );
    }

    #[test]
    fn truncated_zstd_keeps_what_was_decoded() {
        let mut text = String::new();
        let mut i = 0;
        while text.len() < 600_000 {
            text.push_str(&format!(
                "2024-01-01 00:00:{:02} INFO line {i} {}\n",
                i % 60,
                i * 7919 % 10007
            ));
            i += 1;
        }
        let full = ruzstd::encoding::compress_to_vec(text.as_bytes(), ruzstd::encoding::CompressionLevel::Fastest);
        let (_d, mut r) = reader_for(&full[..full.len() / 2], ReadLimits::default());
        let mut got = Vec::new();
        let err = loop {
            match r.next_chunk(&|_| true) {
                Ok(Some(c)) => got.extend_from_slice(&c.data),
                Ok(None) => panic!("expected an error"),
                Err(e) => break e,
            }
        };
        // At least the first 128 KiB block decodes; what came out is the text's start.
        assert!(got.len() >= 131_072, "kept {} bytes", got.len());
        assert!(text.as_bytes().starts_with(&got));
        let msg = err.to_string();
        assert!(msg.contains("zstd") && msg.contains("offset"), "{msg}");
    }

    #[test]
    fn binary_files_are_refused() {
        let mut elf = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0\x3e\0\x01\0\0\0".to_vec();
        for i in 0..2000u32 {
            elf.extend_from_slice(&i.to_le_bytes());
            elf.extend_from_slice(b"sym\0");
        }
        let (_d, mut r) = reader_for(&elf, ReadLimits::default());
        assert!(matches!(
            r.next_chunk(&|_| true),
            Err(ReadError::Binary { offset: 0, .. })
        ));
        assert!(matches!(r.next_chunk(&|_| true), Ok(None)));
    }

    #[test]
    fn nul_runs_are_skipped_and_counted() {
        // copytruncate: the writer kept its offset, so the file starts with a hole,
        // longer than the probe; a second, short run mid-file.
        let mut bytes = vec![0u8; 100_000];
        bytes.extend_from_slice(b"2024-01-01 00:00:00 INFO after truncate\n");
        bytes.extend_from_slice(&[0; 10]);
        bytes.extend_from_slice(b"2024-01-01 00:00:01 INFO later\n");
        let (_d, mut r) = reader_for(&bytes, ReadLimits::default());
        let chunks = all_chunks(&mut r, &|_| true);
        let joined: Vec<u8> = chunks.iter().flat_map(|c| c.data.clone()).collect();
        assert_eq!(
            joined,
            b"2024-01-01 00:00:00 INFO after truncate\n2024-01-01 00:00:01 INFO later\n"
        );
        let s = r.stats();
        assert_eq!(s.nul_bytes_skipped, 100_010);
        assert_eq!(s.bytes, bytes.len() as u64);
    }

    /// Regression for the direct read (no copy through `block`): NUL runs and a long
    /// line far past the probe are handled as through the copying path, and the reader
    /// switches between the two paths as line lengths change.
    #[test]
    fn nuls_and_long_lines_past_the_probe_read_alike_on_both_paths() {
        let mut bytes = Vec::new();
        let mut expected = Vec::new();
        for i in 0..60_000 {
            let line = format!("2024-01-01 00:00:00 INFO line {i}\n");
            bytes.extend_from_slice(line.as_bytes());
            expected.extend_from_slice(line.as_bytes());
            if i == 40_000 {
                bytes.extend_from_slice(&[0; 300]);
            }
            if i == 50_000 {
                bytes.extend(std::iter::repeat_n(b'x', 500_000));
                bytes.push(b'\n');
                expected.extend(std::iter::repeat_n(b'x', 200_000));
                expected.push(b'\n');
            }
        }
        let (joined, s) = read_joined(&bytes, 1 << 16, 200_000);
        assert!(
            joined == expected,
            "{} bytes read, {} expected",
            joined.len(),
            expected.len()
        );

        assert_eq!(s.nul_bytes_skipped, 300);
        assert_eq!((s.long_lines, s.long_line_bytes_dropped), (1, 300_000));
        assert_eq!(s.bytes, bytes.len() as u64);
    }

    /// Regression: the chunks of a stream depended on how much each `read` returned (a
    /// gzip decoder returns a few KiB at a time), so compressed input was cut elsewhere
    /// than the same bytes read whole. Past the probe they are read in fixed steps.
    #[test]
    fn chunks_do_not_depend_on_read_sizes() {
        struct Stutter(std::io::Cursor<Vec<u8>>, usize);
        impl std::io::Read for Stutter {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                self.1 = self.1 % 7919 + 1009;
                let n = buf.len().min(self.1);
                self.0.read(&mut buf[..n])
            }
        }
        let mut text = String::new();
        for i in 0..60_000 {
            text.push_str(&format!("2024-01-01 00:00:00 INFO line {i} {}\n", "x".repeat(i % 97)));
        }
        let chunks_of = |reader: Box<dyn Read + Send>| {
            let src = OpenedSource {
                reader,
                compression: crate::Compression::None,
                size_on_disk: None,
                raw_offset: Default::default(),
                encoding: Default::default(),
                decode_errors: Default::default(),
            };
            let mut r = ChunkReader::new(PathBuf::from("s"), src, ReadLimits::default());
            all_chunks(&mut r, &|_| true)
                .iter()
                .map(|c| (c.offset, c.data.len()))
                .collect::<Vec<_>>()
        };
        let whole = chunks_of(Box::new(std::io::Cursor::new(text.clone().into_bytes())));
        let stuttering = chunks_of(Box::new(Stutter(std::io::Cursor::new(text.into_bytes()), 0)));
        assert!(whole.len() > 4);
        assert_eq!(whole, stuttering);
    }

    #[test]
    fn utf16_with_bom_is_decoded() {
        let text = "2024-01-01 00:00:00 INFO café ☕ 𝄞 done\r\nsecond line\r\n";
        for (bom, be) in [([0xFF, 0xFE], false), ([0xFE, 0xFF], true)] {
            let mut bytes = bom.to_vec();
            for u in text.encode_utf16() {
                bytes.extend_from_slice(&if be { u.to_be_bytes() } else { u.to_le_bytes() });
            }
            let (_d, mut r) = reader_for(&bytes, ReadLimits::default());
            let chunks = all_chunks(&mut r, &|_| true);
            let joined: Vec<u8> = chunks.iter().flat_map(|c| c.data.clone()).collect();
            assert_eq!(String::from_utf8(joined).unwrap(), text);
            let s = r.stats();
            assert_eq!(
                s.encoding,
                if be {
                    crate::Encoding::Utf16Be
                } else {
                    crate::Encoding::Utf16Le
                }
            );
            assert_eq!((s.bom_bytes, s.decode_errors, s.nul_bytes_skipped), (2, 0, 0));
        }
        // Without a BOM (regression: such a file was refused as binary), either order.
        for be in [false, true] {
            let wide: Vec<u8> = text
                .encode_utf16()
                .flat_map(|u| if be { u.to_be_bytes() } else { u.to_le_bytes() })
                .collect();
            let (_d, mut r) = reader_for(&wide, ReadLimits::default());
            let chunks = all_chunks(&mut r, &|_| true);
            let joined: Vec<u8> = chunks.iter().flat_map(|c| c.data.clone()).collect();
            assert_eq!(String::from_utf8(joined).unwrap(), text);
            let expected = if be {
                crate::Encoding::Utf16BeUnmarked
            } else {
                crate::Encoding::Utf16LeUnmarked
            };
            assert_eq!((r.stats().encoding, r.stats().bom_bytes), (expected, 0));
        }
        // A UTF-8 BOM is dropped, so the first header parses.
        let (_d, mut r) = reader_for(b"\xEF\xBB\xBFline\n", ReadLimits::default());
        let chunks = all_chunks(&mut r, &|_| true);
        assert_eq!(chunks[0].data, b"line\n");
    }
}
