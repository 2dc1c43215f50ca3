//! `triage-read`: the first stage of the flow. It owns *getting bytes*: expanding the
//! paths a user names (files, directories, globs, `-`) into an ordered list of sources,
//! ordering rotated sets oldest first, recognising gzip/zstd by magic bytes, refusing
//! binary files, capping absurdly long lines, and cutting the stream into line-aligned
//! chunks that later stages can process in parallel.
//!
//! It does not know what a log record is: where a chunk may be cut is decided by a
//! predicate the caller supplies (see [`ChunkReader::next_chunk`]), so multi-line
//! records are never split across chunks.

mod chunk;
mod decode;
mod error;
mod input;
mod open;
mod pool;

pub use chunk::{Chunk, ChunkReader, ReadLimits, ReadStats};
pub use decode::Encoding;
pub use error::ReadError;
pub use input::{expand_inputs, Expanded, SkipReason, Source};
pub use open::{open_source, Compression, OpenedSource};
pub use pool::BufferPool;
