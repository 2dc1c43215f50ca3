use std::path::PathBuf;

/// Errors met while locating or reading an input. None of them aborts a run: the
/// caller reports them and goes on with the other inputs.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    #[error("{path}: no such file, directory or matching glob")]
    NotFound { path: String },
    #[error("{path}: invalid glob pattern: {message}")]
    BadGlob { path: String, message: String },
    #[error("{path}: cannot read: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Left out on purpose (see [`crate::SkipReason`]): counted, not an error of the input.
    #[error("{}: {}; skipped", path.display(), reason.describe())]
    Skipped { path: PathBuf, reason: crate::SkipReason },
    #[error("{path}: looks binary (NUL byte at offset {offset}); skipped")]
    Binary { path: PathBuf, offset: u64 },
    #[error(
        "{path}: {compression} stream is truncated or corrupt at compressed byte offset {compressed_offset} \
         (after {decompressed_offset} decompressed bytes): {message}; records before it were kept"
    )]
    Corrupt {
        path: PathBuf,
        compression: &'static str,
        compressed_offset: u64,
        decompressed_offset: u64,
        message: String,
    },
}
