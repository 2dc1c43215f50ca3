//! Decoders between the file and the chunker: zstd that survives truncation, and
//! byte-order marks (UTF-8's dropped, UTF-16 decoded to UTF-8).

use std::io::{self, Read};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// A zstd frame decoder that hands out everything decoded before a truncation, then
/// the error. ruzstd keeps the last window of output (often the whole file) until the
/// frame's last block, and a cut file has none: its `StreamingDecoder` gave nothing of
/// the blocks it had decoded, while gzip kept them. So a [`ZstdFramer`] between the file
/// and the decoder passes on whole blocks only and, when the input ends inside one,
/// ends the frame there with an empty last block; the decoder then releases all it
/// decoded, and this reader reports the truncation after it.
pub(crate) struct ZstdReader<R> {
    decoder: ruzstd::decoding::FrameDecoder,
    source: ZstdFramer<R>,
    error: Option<io::Error>,
}

impl<R: Read> ZstdReader<R> {
    pub(crate) fn new(inner: R) -> Result<Self, String> {
        let mut source = ZstdFramer::new(inner);
        let mut decoder = ruzstd::decoding::FrameDecoder::new();
        decoder.init(&mut source).map_err(|e| e.to_string())?;
        Ok(ZstdReader {
            decoder,
            source,
            error: None,
        })
    }
}

impl<R: Read> Read for ZstdReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            if self.decoder.can_collect() > 0 {
                return self.decoder.read(buf);
            }
            if let Some(e) = self.error.take() {
                return Err(e);
            }
            if self.decoder.is_finished() {
                if let Some(at) = self.source.truncated_at.take() {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        format!("unexpected end of stream inside the block at compressed byte {at}"),
                    ));
                }
                return Ok(0);
            }
            let strategy = ruzstd::decoding::BlockDecodingStrategy::UptoBytes(buf.len());
            if let Err(e) = self.decoder.decode_blocks(&mut self.source, strategy) {
                // Corrupt, not cut: what the window still holds cannot be had.
                return Err(io::Error::new(io::ErrorKind::InvalidData, e.to_string()));
            }
        }
    }
}

/// Passes one zstd frame through block by block (see [`ZstdReader`]).
struct ZstdFramer<R> {
    inner: R,
    /// Bytes ready to hand to the decoder.
    out: Vec<u8>,
    pos: usize,
    /// Compressed bytes consumed from `inner`.
    consumed: u64,
    stage: Stage,
    checksum: bool,
    /// Where the cut block began, once the input ended inside one.
    truncated_at: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Header,
    Blocks,
    /// The frame's last block (and checksum) has been passed on.
    Done,
}

impl<R: Read> ZstdFramer<R> {
    fn new(inner: R) -> Self {
        ZstdFramer {
            inner,
            out: Vec::new(),
            pos: 0,
            consumed: 0,
            stage: Stage::Header,
            checksum: false,
            truncated_at: None,
        }
    }

    /// Appends up to `n` bytes from the input to `out`; true when all `n` came.
    fn take(&mut self, n: usize) -> io::Result<bool> {
        let start = self.out.len();
        self.out.resize(start + n, 0);
        let mut have = 0;
        while have < n {
            match self.inner.read(&mut self.out[start + have..]) {
                Ok(0) => break,
                Ok(k) => have += k,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.out.truncate(start + have);
                    return Err(e);
                }
            }
        }
        self.consumed += have as u64;
        self.out.truncate(start + have);
        Ok(have == n)
    }

    /// Queues the next piece of the frame in `out`.
    fn refill(&mut self) -> io::Result<()> {
        self.out.clear();
        self.pos = 0;
        match self.stage {
            Stage::Header => {
                // Magic and descriptor, then the optional fields the descriptor announces.
                // A cut header is passed on as it is: the decoder reports it.
                if !self.take(5)? {
                    self.stage = Stage::Done;
                    return Ok(());
                }
                let fhd = self.out[4];
                let single_segment = fhd & 0x20 != 0;
                self.checksum = fhd & 0x04 != 0;
                let did = [0, 1, 2, 4][(fhd & 0x03) as usize];
                let fcs = match fhd >> 6 {
                    0 => usize::from(single_segment),
                    1 => 2,
                    2 => 4,
                    _ => 8,
                };
                let complete = self.take(usize::from(!single_segment) + did + fcs)?;
                self.stage = if complete { Stage::Blocks } else { Stage::Done };
            }
            Stage::Blocks => {
                let block_start = self.consumed;
                let mut whole = self.take(3)?;
                if whole {
                    let h = u32::from(self.out[0]) | (u32::from(self.out[1]) << 8) | (u32::from(self.out[2]) << 16);
                    let last = h & 1 != 0;
                    // RLE blocks carry one byte; raw and compressed ones `size` bytes.
                    let content = if (h >> 1) & 3 == 1 { 1 } else { (h >> 3) as usize };
                    whole = self.take(content)?;
                    if whole && last {
                        self.stage = Stage::Done;
                        if self.checksum {
                            // The decoder does not verify it: a cut checksum loses nothing.
                            let before = self.out.len();
                            self.take(4)?;
                            let got = self.out.len() - before;
                            self.out.extend(std::iter::repeat_n(0, 4 - got));
                        }
                    }
                }
                if !whole {
                    // Cut inside this block: end the frame before it with an empty last block.
                    self.truncated_at = Some(block_start);
                    self.stage = Stage::Done;
                    self.out.clear();
                    self.out.extend_from_slice(&[0x01, 0x00, 0x00]);
                    if self.checksum {
                        self.out.extend_from_slice(&[0; 4]);
                    }
                }
            }
            Stage::Done => {}
        }
        Ok(())
    }
}

impl<R: Read> Read for ZstdFramer<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos == self.out.len() {
            if self.stage == Stage::Done {
                return Ok(0);
            }
            self.refill()?;
        }
        let n = (self.out.len() - self.pos).min(buf.len());
        buf[..n].copy_from_slice(&self.out[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// The text encoding of a source, from its byte-order mark or, for UTF-16 without one,
/// from the NUL bytes of its first characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    /// UTF-8 (or anything ASCII-compatible) without a BOM.
    #[default]
    Utf8,
    /// UTF-8 with its BOM, which is dropped (else the first header would not parse).
    Utf8Bom,
    /// UTF-16 with a BOM (Windows tools write these), decoded to UTF-8.
    Utf16Le,
    Utf16Be,
    /// UTF-16 without a BOM (a redirect in some Windows shells, Java's `UTF-16LE`
    /// writers): mostly ASCII text with a NUL in every other byte, decoded to UTF-8.
    Utf16LeUnmarked,
    Utf16BeUnmarked,
}

impl Encoding {
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Utf8Bom => "UTF-8 with BOM",
            Encoding::Utf16Le => "UTF-16LE",
            Encoding::Utf16Be => "UTF-16BE",
            Encoding::Utf16LeUnmarked => "UTF-16LE (no BOM)",
            Encoding::Utf16BeUnmarked => "UTF-16BE (no BOM)",
        }
    }

    /// UTF-16 of either byte order, with or without a BOM.
    pub fn is_utf16(self) -> bool {
        matches!(
            self,
            Encoding::Utf16Le | Encoding::Utf16Be | Encoding::Utf16LeUnmarked | Encoding::Utf16BeUnmarked
        )
    }

    /// Length of the byte-order mark dropped from the stream's start.
    pub fn bom_len(self) -> u64 {
        match self {
            Encoding::Utf8 | Encoding::Utf16LeUnmarked | Encoding::Utf16BeUnmarked => 0,
            Encoding::Utf8Bom => 3,
            Encoding::Utf16Le | Encoding::Utf16Be => 2,
        }
    }
}

/// Reads up to `n` bytes from the start of `r` (fewer only at the end).
pub(crate) fn read_prefix(r: &mut dyn Read, n: usize) -> io::Result<Vec<u8>> {
    let mut head = vec![0u8; n];
    let mut have = 0;
    while have < n {
        match r.read(&mut head[have..]) {
            Ok(0) => break,
            Ok(k) => have += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    head.truncate(have);
    Ok(head)
}

/// Replays a few already-read bytes before the rest of a stream.
pub(crate) struct Prefixed<R> {
    pub(crate) prefix: Vec<u8>,
    pub(crate) pos: usize,
    pub(crate) inner: R,
}

impl<R: Read> Read for Prefixed<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos < self.prefix.len() {
            let n = (self.prefix.len() - self.pos).min(buf.len());
            buf[..n].copy_from_slice(&self.prefix[self.pos..self.pos + n]);
            self.pos += n;
            return Ok(n);
        }
        self.inner.read(buf)
    }
}

/// UTF-16 (LE or BE) to UTF-8, block by block, with U+FFFD (counted) for what does
/// not decode: a lone surrogate or an odd last byte.
struct Utf16Reader<R> {
    inner: R,
    big_endian: bool,
    raw: Vec<u8>,
    /// An odd byte left from the previous block.
    carry: Option<u8>,
    /// A high surrogate waiting for its low half.
    high: Option<u16>,
    out: Vec<u8>,
    pos: usize,
    eof: bool,
    errors: Arc<AtomicU64>,
}

impl<R: Read> Utf16Reader<R> {
    fn push_char(&mut self, c: char) {
        let mut b = [0u8; 4];
        self.out.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
    }

    fn bad(&mut self) {
        self.errors.fetch_add(1, Ordering::Relaxed);
        self.push_char('\u{FFFD}');
    }

    fn unit(&mut self, u: u16) {
        if let Some(h) = self.high.take() {
            if (0xDC00..0xE000).contains(&u) {
                let c = 0x10000 + ((u32::from(h) - 0xD800) << 10) + (u32::from(u) - 0xDC00);
                match char::from_u32(c) {
                    Some(c) => self.push_char(c),
                    None => self.bad(),
                }
                return;
            }
            self.bad();
        }
        if (0xD800..0xDC00).contains(&u) {
            self.high = Some(u);
        } else {
            match char::from_u32(u32::from(u)) {
                Some(c) => self.push_char(c),
                None => self.bad(),
            }
        }
    }

    fn pair(&self, a: u8, b: u8) -> u16 {
        if self.big_endian {
            u16::from_be_bytes([a, b])
        } else {
            u16::from_le_bytes([a, b])
        }
    }
}

impl<R: Read> Read for Utf16Reader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.pos == self.out.len() && !self.eof {
            self.out.clear();
            self.pos = 0;
            let n = loop {
                match self.inner.read(&mut self.raw) {
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    other => break other?,
                }
            };
            if n == 0 {
                self.eof = true;
                if self.carry.take().is_some() {
                    self.bad();
                }
                if self.high.take().is_some() {
                    self.bad();
                }
                break;
            }
            let raw = std::mem::take(&mut self.raw);
            let mut bytes = &raw[..n];
            if let Some(first) = self.carry.take() {
                let u = self.pair(first, bytes[0]);
                self.unit(u);
                bytes = &bytes[1..];
            }
            let mut pairs = bytes.chunks_exact(2);
            for p in &mut pairs {
                let u = self.pair(p[0], p[1]);
                self.unit(u);
            }
            self.carry = pairs.remainder().first().copied();
            self.raw = raw;
        }
        let n = (self.out.len() - self.pos).min(buf.len());
        buf[..n].copy_from_slice(&self.out[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// Bytes looked at to recognise UTF-16 without a BOM.
const UNMARKED_UTF16_PROBE: usize = 512;

/// UTF-16 without a BOM, when the probe is at least 16 bytes of which nearly every
/// code unit is an ASCII character: a NUL at every odd byte (LE) or even byte (BE) and a
/// non-NUL beside it. Text in UTF-8 has no NULs, and a binary file's NULs do not
/// alternate for hundreds of bytes, so 90 % of the units leaves room for a few non-ASCII
/// characters only.
fn unmarked_utf16(head: &[u8]) -> Option<Encoding> {
    let units = head.len() / 2;
    if units < 8 {
        return None;
    }
    let ascii = |text: u8, zero: u8| zero == 0 && (text >= 0x20 || matches!(text, b'\t' | b'\n' | b'\r'));
    let le = head.chunks_exact(2).filter(|u| ascii(u[0], u[1])).count();
    let be = head.chunks_exact(2).filter(|u| ascii(u[1], u[0])).count();
    if le * 10 >= units * 9 {
        Some(Encoding::Utf16LeUnmarked)
    } else if be * 10 >= units * 9 {
        Some(Encoding::Utf16BeUnmarked)
    } else {
        None
    }
}

/// Looks for a byte-order mark at the start of the (decompressed) stream: UTF-8's is
/// dropped, UTF-16 is decoded to UTF-8; anything else is passed on as it is.
pub(crate) fn decode_bom(
    mut reader: Box<dyn Read + Send>,
    errors: &Arc<AtomicU64>,
) -> io::Result<(Box<dyn Read + Send>, Encoding)> {
    let head = read_prefix(&mut reader, UNMARKED_UTF16_PROBE)?;
    let encoding = match head.as_slice() {
        [0xEF, 0xBB, 0xBF, ..] => Encoding::Utf8Bom,
        [0xFF, 0xFE, ..] => Encoding::Utf16Le,
        [0xFE, 0xFF, ..] => Encoding::Utf16Be,
        _ => unmarked_utf16(&head).unwrap_or(Encoding::Utf8),
    };
    let rest = Prefixed {
        prefix: head[encoding.bom_len() as usize..].to_vec(),
        pos: 0,
        inner: reader,
    };
    Ok(match encoding {
        Encoding::Utf16Le | Encoding::Utf16Be | Encoding::Utf16LeUnmarked | Encoding::Utf16BeUnmarked => (
            Box::new(Utf16Reader {
                inner: rest,
                big_endian: matches!(encoding, Encoding::Utf16Be | Encoding::Utf16BeUnmarked),
                raw: vec![0; 64 * 1024],
                carry: None,
                high: None,
                out: Vec::new(),
                pos: 0,
                eof: false,
                errors: errors.clone(),
            }),
            encoding,
        ),
        _ => (Box::new(rest), encoding),
    })
}
