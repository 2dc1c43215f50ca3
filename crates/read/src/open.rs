//! Opening a source and undoing its compression, recognised by magic bytes rather than
//! by file name (rotated files are often `.1` with gzip inside, or `.gz` holding text).

use std::fs::File;
use std::io::{self, Read};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::decode::{decode_bom, Encoding, Prefixed, ZstdReader};
use crate::{ReadError, Source};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Zstd,
}

impl Compression {
    pub fn name(self) -> &'static str {
        match self {
            Compression::None => "plain",
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
        }
    }
}

/// A source opened for reading, decompressed when needed.
pub struct OpenedSource {
    pub reader: Box<dyn Read + Send>,
    pub compression: Compression,
    /// Size on disk, when known (for progress and ETA).
    pub size_on_disk: Option<u64>,
    /// Bytes consumed from the underlying file so far (compressed bytes for gzip/zstd),
    /// so that a corrupt stream can be reported with its offset.
    pub raw_offset: Arc<AtomicU64>,
    /// Encoding found from the byte-order mark; the reader delivers UTF-8 either way.
    pub encoding: Encoding,
    /// UTF-16 code units that did not decode, each replaced by U+FFFD.
    pub decode_errors: Arc<AtomicU64>,
}

/// Counts the bytes read through it.
struct CountingReader<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Opens a source and wraps it in the decoder its magic bytes call for.
pub fn open_source(source: &Source) -> Result<OpenedSource, ReadError> {
    let (raw, size, path): (Box<dyn Read + Send>, Option<u64>, std::path::PathBuf) = match source {
        Source::Stdin => (Box::new(io::stdin()), None, "-".into()),
        Source::File(p) => {
            let file = File::open(p).map_err(|e| ReadError::Io {
                path: p.clone(),
                source: e,
            })?;
            let size = file.metadata().ok().map(|m| m.len());
            (Box::new(file), size, p.clone())
        }
    };
    let counter = Arc::new(AtomicU64::new(0));
    let mut counted = CountingReader {
        inner: raw,
        count: counter.clone(),
    };
    let mut magic = [0u8; 4];
    let mut have = 0;
    while have < magic.len() {
        match counted.read(&mut magic[have..]) {
            Ok(0) => break,
            Ok(n) => have += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(ReadError::Io { path, source: e }),
        }
    }
    let compression = if have >= 2 && magic[..2] == [0x1f, 0x8b] {
        Compression::Gzip
    } else if have >= 4 && magic == [0x28, 0xb5, 0x2f, 0xfd] {
        Compression::Zstd
    } else {
        Compression::None
    };
    let replay = Prefixed {
        prefix: magic[..have].to_vec(),
        pos: 0,
        inner: counted,
    };
    let reader: Box<dyn Read + Send> = match compression {
        Compression::None => Box::new(replay),
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(io::BufReader::with_capacity(
            256 * 1024,
            replay,
        ))),
        Compression::Zstd => Box::new(
            ZstdReader::new(io::BufReader::with_capacity(256 * 1024, replay)).map_err(|message| {
                ReadError::Corrupt {
                    path: path.clone(),
                    compression: "zstd",
                    compressed_offset: 0,
                    decompressed_offset: 0,
                    message,
                }
            })?,
        ),
    };
    let decode_errors = Arc::new(AtomicU64::new(0));
    let (reader, encoding) = decode_bom(reader, &decode_errors).map_err(|e| match compression {
        Compression::None => ReadError::Io {
            path: path.clone(),
            source: e,
        },
        c => ReadError::Corrupt {
            path: path.clone(),
            compression: c.name(),
            compressed_offset: counter.load(Ordering::Relaxed),
            decompressed_offset: 0,
            message: e.to_string(),
        },
    })?;
    Ok(OpenedSource {
        reader,
        compression,
        size_on_disk: size,
        raw_offset: counter,
        encoding,
        decode_errors,
    })
}
