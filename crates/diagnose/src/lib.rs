//! `triage-diagnose`: facts from the artefacts a process or server writes about itself
//! during an incident, one file at a time:
//!
//! * [`threads`]: Java thread dumps (jstack, `jcmd Thread.print`, ThreadMXBean text,
//!   VisualVM): threads per state, JVM-reported deadlocks, the most contended locks and
//!   who holds them.
//! * [`gc`]: JVM GC logs (unified `-Xlog:gc*` and the older `-XX:+PrintGC*` forms of every
//!   collector): stop-the-world pauses by type, total and longest pause.
//! * [`slowlog`]: MySQL / Percona / MariaDB slow-query logs: events grouped by query
//!   fingerprint (the way pt-query-digest groups them), ranked by total time.
//!
//! It owns reading such a file (streaming, line by line, through `triage-read`, so gzip,
//! zstd and UTF-16 work as everywhere else) and the numbers. It does not render (that is
//! `triage-report`), mask secrets (the CLI masks the finished report) or look at time
//! windows (that is `triage-analyze`). Lines it cannot place are counted in the report's
//! [`InputSummary`], never dropped silently; a read error ends the file but keeps what
//! was read.

pub mod gc;
mod lines;
pub mod slowlog;
pub mod threads;

use serde::{Deserialize, Serialize};
use triage_read::{open_source, Source};

pub use lines::{Lines, MAX_LINE_BYTES};

/// Errors at the boundary: the file cannot be opened at all. Anything after that is a
/// note in the report.
#[derive(Debug, thiserror::Error)]
pub enum DiagnoseError {
    #[error(transparent)]
    Read(#[from] triage_read::ReadError),
}

/// Settings shared by the analysers.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Longest list kept in a report (query classes, locks, threads per group).
    pub top: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options { top: 20 }
    }
}

/// One diagnosed file: what was read, and the analyser's facts beside it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Diagnosis<T> {
    /// Which analyser wrote `facts`: `threads`, `gc` or `slowlog`.
    pub kind: String,
    pub input: InputSummary,
    pub facts: T,
}

/// What was read from the file and what could not be used.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct InputSummary {
    pub file: String,
    /// `UTF-8`, `UTF-16LE`, … as found from the byte-order mark or the bytes.
    pub encoding: String,
    /// `plain`, `gzip` or `zstd`.
    pub compression: String,
    /// Lines read (after decompression and decoding).
    pub lines: u64,
    /// Bytes read (after decompression and decoding).
    pub bytes: u64,
    /// Everything left out, grouped by reason, with the first line number.
    pub skipped: Vec<Skipped>,
}

/// Lines (or events) left out for one reason.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Skipped {
    /// What was left out: `lines`, `events`, `bytes`, `dumps`.
    pub what: String,
    pub count: u64,
    /// 1-based line number of the first one.
    pub first_line: u64,
    pub reason: String,
}

/// Opens `source` and runs `analyse` over its lines.
pub fn diagnose<T>(
    source: &Source,
    kind: &str,
    analyse: impl FnOnce(&mut Lines<std::io::BufReader<Box<dyn std::io::Read + Send>>>) -> T,
) -> Result<Diagnosis<T>, DiagnoseError> {
    let opened = open_source(source)?;
    let encoding = opened.encoding.name().to_string();
    let compression = opened.compression.name().to_string();
    let mut lines = Lines::new(std::io::BufReader::with_capacity(256 * 1024, opened.reader));
    let facts = analyse(&mut lines);
    // Drain what the analyser did not read, so the counts cover the whole file.
    while lines.next_line().is_some() {}
    let undecodable = opened.decode_errors.load(std::sync::atomic::Ordering::Relaxed);
    if undecodable > 0 {
        lines.skip_many(
            0,
            undecodable,
            "characters",
            "UTF-16 code units that do not decode, shown as U+FFFD",
        );
    }
    let input = InputSummary {
        file: source.display_name(),
        encoding,
        compression,
        lines: lines.line_count(),
        bytes: lines.byte_count(),
        skipped: lines.take_skipped(),
    };
    Ok(Diagnosis {
        kind: kind.to_string(),
        input,
        facts,
    })
}
