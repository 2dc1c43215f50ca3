//! The intake pipeline: sources → chunks (one reader thread) → records (all cores) →
//! the caller's sink, in input order.
//!
//! Memory stays bounded: at most a few batches of chunks are in flight, whatever the
//! input size. Each file's format is detected from its first lines before its first
//! chunk is cut, so chunks always end on record boundaries.

use std::sync::mpsc;
use std::sync::Arc;

use triage_read::{
    expand_inputs, open_source, BufferPool, ChunkReader, Compression, ReadError, ReadLimits, ReadStats, SkipReason,
    Source,
};

pub use crate::assemble::Detail;
use crate::assemble::{Assembler, IntakeCounts};
use crate::detect::{self, Detection, SAMPLE_LINES};
use crate::formats::{line_format::LineFormat, Candidate};
use crate::timestamp::{TimeContext, Zone};
use crate::Record;

/// A format the user imposed instead of detection.
#[derive(Debug, Clone)]
pub enum ForcedFormat {
    /// Loghub `log_format` syntax.
    LineFormat(String),
    /// `ts=…,msg=…,level=…` for JSON lines.
    JsonFields(String),
}

impl ForcedFormat {
    /// Checks the spec once, up front, so a typo is one clear error and not one per file.
    pub fn candidate(&self) -> Result<Candidate, String> {
        match self {
            ForcedFormat::LineFormat(spec) => LineFormat::compile(spec).map(LineFormat::candidate),
            ForcedFormat::JsonFields(spec) => {
                crate::formats::json::JsonFieldMap::parse_spec(spec).map(crate::formats::json::candidate_with)
            }
        }
    }
}

/// How to read.
#[derive(Debug, Clone)]
pub struct IntakeOptions {
    pub zone: Zone,
    pub limits: ReadLimits,
    pub max_record_bytes: usize,
    pub forced: Option<ForcedFormat>,
    /// Half the number of messages (chunks, file events) allowed between the reader
    /// and the sink at once; bounds memory whatever the input size.
    pub batch_chunks: usize,
    /// Where chunk buffers come from and go back to.
    pub pool: BufferPool,
    /// How much of each record to build ([`Detail::All`] by default): some formats parse
    /// much faster when the consumer needs less, such as template mining (only `ts`,
    /// `level` and `message`).
    pub detail: Detail,
}

impl Default for IntakeOptions {
    fn default() -> Self {
        IntakeOptions {
            zone: Zone::utc(),
            limits: ReadLimits::default(),
            max_record_bytes: 64 * 1024,
            forced: None,
            batch_chunks: 2 * rayon::current_num_threads().max(1),
            pool: BufferPool::default(),
            detail: Detail::All,
        }
    }
}

/// What is known about a file once its format is detected.
#[derive(Debug)]
pub struct FileInfo {
    /// Position among the sources, from 0.
    pub index: usize,
    pub name: Arc<str>,
    pub detection: Detection,
    pub ctx: TimeContext,
    pub compression: Compression,
    pub size_on_disk: Option<u64>,
}

/// Events delivered to the sink, in input order.
pub enum IntakeEvent<T> {
    /// A file's format is known; its chunks follow.
    FileStarted(Arc<FileInfo>),
    /// The mapped result of one chunk, with the chunk's size in bytes.
    Chunk(Arc<FileInfo>, T, u64),
    /// A file ended; the error, if any, is why it ended early.
    FileFinished(Arc<FileInfo>, ReadStats, Option<ReadError>),
    /// A source that could not be read at all (missing, binary, unreadable).
    FileFailed(String, ReadError),
}

/// Totals over a run, for the one-line intake summary.
#[derive(Debug, Clone, Default)]
pub struct IntakeSummary {
    pub files_read: usize,
    /// (source, reason) for sources skipped or cut short.
    pub problems: Vec<(String, String)>,
    pub files_skipped: usize,
    /// Of `files_skipped`: paths that were the same file as an earlier input (symlinks,
    /// a path named twice, symlink loops), read once.
    pub duplicates_skipped: usize,
    /// Of `files_skipped`: FIFOs, sockets and devices found inside directories.
    pub special_files_skipped: usize,
    pub bytes: u64,
    pub raw_bytes: u64,
    pub long_lines: u64,
    pub long_line_bytes_dropped: u64,
    /// NUL bytes skipped (copytruncate holes, preallocated files).
    pub nul_bytes_skipped: u64,
    /// Files decoded from UTF-16 (with or without a byte-order mark) to UTF-8.
    pub utf16_files: usize,
    /// UTF-16 code units that did not decode (each became U+FFFD).
    pub decode_errors: u64,
    pub counts: IntakeCounts,
}

impl IntakeSummary {
    /// `intake: 3 files, 12.3 MB, 45678 records from 50000 lines; skipped: …`.
    pub fn one_line(&self) -> String {
        let c = &self.counts;
        let mut s = format!(
            "intake: {} file{} read, {} skipped; {} bytes; {} records from {} lines",
            self.files_read,
            if self.files_read == 1 { "" } else { "s" },
            self.files_skipped,
            self.bytes,
            c.records,
            c.lines
        );
        let mut notes = Vec::new();
        if self.long_lines > 0 {
            notes.push(format!(
                "{} over-long lines cut ({} bytes dropped)",
                self.long_lines, self.long_line_bytes_dropped
            ));
        }
        if self.nul_bytes_skipped > 0 {
            notes.push(format!("{} NUL bytes skipped", self.nul_bytes_skipped));
        }
        if self.utf16_files > 0 {
            notes.push(format!("{} UTF-16 file(s) decoded", self.utf16_files));
        }
        if self.decode_errors > 0 {
            notes.push(format!(
                "{} undecodable UTF-16 units replaced by U+FFFD",
                self.decode_errors
            ));
        }
        if c.truncated_records > 0 {
            notes.push(format!(
                "{} records cut at the size cap ({} bytes dropped)",
                c.truncated_records, c.truncated_bytes
            ));
        }
        if c.invalid_utf8_lines > 0 {
            notes.push(format!(
                "{} lines with invalid UTF-8 decoded lossily",
                c.invalid_utf8_lines
            ));
        }
        if c.ts_inherited > 0 {
            notes.push(format!(
                "{} records without timestamp took the previous one",
                c.ts_inherited
            ));
        }
        if c.no_ts > 0 {
            notes.push(format!("{} records without any timestamp", c.no_ts));
        }
        if c.out_of_order > 0 {
            notes.push(format!("{} timestamps out of order", c.out_of_order));
        }
        if c.format_changes > 0 {
            notes.push(format!(
                "format changed {} time(s) mid-file (lines re-detected)",
                c.format_changes
            ));
        }
        if c.split_records > 0 {
            notes.push(format!(
                "{} records begun where the record above reached the size cap",
                c.split_records
            ));
        }
        if c.invalid_ts > 0 {
            notes.push(format!(
                "{} impossible timestamps replaced by the previous record's",
                c.invalid_ts
            ));
        }
        if c.directive_lines > 0 {
            notes.push(format!("{} directive lines skipped", c.directive_lines));
        }
        if c.orphan_lines > 0 {
            notes.push(format!("{} continuation lines with no record above", c.orphan_lines));
        }
        if !self.problems.is_empty() {
            let mut reasons: Vec<&str> = self.problems.iter().map(|(_, r)| r.as_str()).collect();
            reasons.sort();
            reasons.dedup();
            notes.push(format!(
                "{} file problem(s): {}",
                self.problems.len(),
                reasons.join(", ")
            ));
        }
        if !notes.is_empty() {
            s.push_str("; ");
            s.push_str(&notes.join("; "));
        }
        s
    }
}

/// Sources to read, and what could not or should not be read (as errors, so that each
/// is one warning and counted among the skipped files).
fn expanded(paths: &[String]) -> (Vec<Source>, Vec<ReadError>) {
    let triage_read::Expanded {
        sources,
        mut errors,
        skipped,
    } = expand_inputs(paths);
    errors.extend(
        skipped
            .into_iter()
            .map(|(path, reason)| ReadError::Skipped { path, reason }),
    );
    (sources, errors)
}

/// Short reason class for a read error, for the summary.
fn reason(e: &ReadError) -> String {
    match e {
        ReadError::NotFound { .. } => "not found".into(),
        ReadError::BadGlob { .. } => "bad glob".into(),
        ReadError::Io { .. } => "unreadable".into(),
        ReadError::Binary { .. } => "binary".into(),
        ReadError::Corrupt { .. } => "truncated/corrupt compressed data".into(),
        ReadError::Skipped {
            reason: SkipReason::Duplicate,
            ..
        } => "duplicate of an earlier input".into(),
        ReadError::Skipped {
            reason: SkipReason::Special(_),
            ..
        } => "not a regular file".into(),
        _ => "read error".into(),
    }
}

enum Msg {
    Started(Arc<FileInfo>),
    Chunk(Arc<FileInfo>, triage_read::Chunk),
    Finished(Arc<FileInfo>, ReadStats, Option<ReadError>),
    Failed(String, ReadError),
}

/// Reads `paths`, calling `map` on each chunk's records (in parallel) and `sink` on
/// every event (sequentially, in input order). Returns the totals.
pub fn run<T, M, S>(paths: &[String], opts: &IntakeOptions, map: M, mut sink: S) -> IntakeSummary
where
    T: Send,
    M: Fn(&FileInfo, &[Record], &mut IntakeCounts) -> T + Sync,
    S: FnMut(IntakeEvent<T>) -> bool,
{
    let (sources, errors) = expanded(paths);
    let mut summary = IntakeSummary::default();
    for e in errors {
        summary.files_skipped += 1;
        match &e {
            ReadError::Skipped {
                reason: SkipReason::Duplicate,
                ..
            } => summary.duplicates_skipped += 1,
            ReadError::Skipped { .. } => summary.special_files_skipped += 1,
            _ => {}
        }
        summary.problems.push((String::new(), reason(&e)));
        if !sink(IntakeEvent::FileFailed(String::new(), e)) {
            return summary;
        }
    }
    let forced = opts.forced.as_ref().and_then(|f| f.candidate().ok());
    let workers = rayon::current_num_threads().max(1);
    // Messages between the reader taking a permit and the sink consuming the result.
    let max_in_flight = opts.batch_chunks.max(1) * 2;
    let (permit_tx, permit_rx) = mpsc::sync_channel::<()>(max_in_flight);
    let (work_tx, work_rx) = mpsc::sync_channel::<(u64, Msg)>(max_in_flight);
    let work_rx = std::sync::Mutex::new(work_rx);
    let (done_tx, done_rx) = mpsc::channel::<(u64, Done<T>)>();
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let done_tx = done_tx.clone();
            let (work_rx, map) = (&work_rx, &map);
            scope.spawn(move || {
                // Reused from chunk to chunk (see `Assembler::assemble_into`).
                let mut records = Vec::new();
                loop {
                    let next = match work_rx.lock() {
                        Ok(rx) => rx.recv(),
                        Err(_) => return,
                    };
                    let Ok((seq, msg)) = next else { return };
                    if done_tx.send((seq, process(msg, opts, map, &mut records))).is_err() {
                        return;
                    }
                }
            });
        }
        // The reader last: started first, it took a core before the workers existed, and
        // they began 2 ms after the first chunk was ready on a 2-core machine.
        scope.spawn(|| read_all(&sources, opts, forced.as_ref(), work_tx, permit_tx));
        drop(done_tx);
        // Results arrive in any order; the sink sees them in input order.
        let mut waiting: std::collections::BTreeMap<u64, Done<T>> = std::collections::BTreeMap::new();
        let mut next_seq = 0u64;
        for (seq, done) in done_rx.iter() {
            waiting.insert(seq, done);
            while let Some(done) = waiting.remove(&next_seq) {
                next_seq += 1;
                let _ = permit_rx.recv();
                if !deliver(done, &mut sink, &mut summary) {
                    // The sink is done (e.g. a closed pipe): dropping the channels stops
                    // the reader and the workers.
                    drop(permit_rx);
                    drop(done_rx);
                    return;
                }
            }
        }
    });
    summary
}

/// A message after a worker has handled it.
enum Done<T> {
    Started(Arc<FileInfo>),
    Chunk(Arc<FileInfo>, T, IntakeCounts, u64),
    Finished(Arc<FileInfo>, ReadStats, Option<ReadError>),
    Failed(String, ReadError),
}

fn process<T, M>(msg: Msg, opts: &IntakeOptions, map: &M, records: &mut Vec<Record>) -> Done<T>
where
    M: Fn(&FileInfo, &[Record], &mut IntakeCounts) -> T,
{
    match msg {
        Msg::Chunk(info, chunk) => {
            let mut counts = IntakeCounts::default();
            let asm = Assembler {
                parser: info.detection.parser().as_ref(),
                ctx: &info.ctx,
                max_record_bytes: opts.max_record_bytes,
            };
            asm.assemble_into(opts.detail, &chunk.data, chunk.first_line, &mut counts, records);
            let out = map(&info, records, &mut counts);
            let bytes = chunk.data.len() as u64;
            opts.pool.put(chunk.data);
            Done::Chunk(info, out, counts, bytes)
        }
        Msg::Started(info) => Done::Started(info),
        Msg::Finished(info, stats, err) => Done::Finished(info, stats, err),
        Msg::Failed(name, err) => Done::Failed(name, err),
    }
}

/// Hands one result to the sink and adds it to the totals. False when the sink is done.
fn deliver<T, S>(done: Done<T>, sink: &mut S, summary: &mut IntakeSummary) -> bool
where
    S: FnMut(IntakeEvent<T>) -> bool,
{
    match done {
        Done::Started(info) => {
            summary.files_read += 1;
            sink(IntakeEvent::FileStarted(info))
        }
        Done::Chunk(info, out, counts, bytes) => {
            summary.counts.add(&counts);
            sink(IntakeEvent::Chunk(info, out, bytes))
        }
        Done::Finished(info, stats, err) => {
            summary.bytes += stats.bytes;
            summary.raw_bytes += stats.raw_bytes;
            summary.long_lines += stats.long_lines;
            summary.long_line_bytes_dropped += stats.long_line_bytes_dropped;
            summary.nul_bytes_skipped += stats.nul_bytes_skipped;
            summary.decode_errors += stats.decode_errors;
            if stats.encoding.is_utf16() {
                summary.utf16_files += 1;
            }
            if let Some(e) = &err {
                summary.problems.push((info.name.to_string(), reason(e)));
            }
            sink(IntakeEvent::FileFinished(info, stats, err))
        }
        Done::Failed(name, e) => {
            summary.files_skipped += 1;
            summary.problems.push((name.clone(), reason(&e)));
            sink(IntakeEvent::FileFailed(name, e))
        }
    }
}

/// Opens a source and detects its format from its first lines.
fn open_and_detect(
    index: usize,
    source: &Source,
    opts: &IntakeOptions,
    forced: Option<&Candidate>,
) -> Result<(Arc<FileInfo>, ChunkReader), (String, ReadError)> {
    let name: Arc<str> = Arc::from(source.display_name());
    let opened = open_source(source).map_err(|e| (name.to_string(), e))?;
    let mtime = match source {
        Source::File(p) => std::fs::metadata(p).and_then(|m| m.modified()).ok(),
        Source::Stdin => None,
    }
    .unwrap_or_else(std::time::SystemTime::now)
    // A modification time in the future (a skewed clock) must not date records there.
    .min(std::time::SystemTime::now());
    let mtime_secs = mtime
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let ctx = TimeContext {
        zone: opts.zone.clone(),
        reference: (1970, 1, 1),
    }
    .with_reference_unix(mtime_secs);
    let path = match source {
        Source::File(p) => p.clone(),
        Source::Stdin => "-".into(),
    };
    let compression = opened.compression;
    let size_on_disk = opened.size_on_disk;
    let limits = ReadLimits {
        chunk_bytes: balanced_chunk_bytes(opts.limits.chunk_bytes, compression, size_on_disk),
        ..opts.limits
    };
    let mut reader = ChunkReader::new(path, opened, limits).with_pool(opts.pool.clone());
    let head = reader.peek().map_err(|e| (name.to_string(), e))?;
    let owned = sample_lines(&head[..head.len().min(1 << 20)]);
    let sample: Vec<&str> = owned.iter().map(|l| l.as_ref()).collect();
    let detection = match forced {
        Some(c) => detect::forced(c.clone(), &sample, &ctx),
        None => detect::detect(&sample, &ctx),
    };
    let reached_end = head.len() < limits.chunk_bytes;
    let ctx = anchor_year_less(source, compression, &detection, ctx, mtime_secs, head, reached_end);
    Ok((
        Arc::new(FileInfo {
            index,
            name,
            detection,
            ctx,
            compression,
            size_on_disk,
        }),
        reader,
    ))
}

/// For a format whose dates have no year (syslog `Jun  9 06:06:20`, logcat
/// `03-17 16:13:38`), the reference date becomes the date of the file's *last* record,
/// placed at the latest date not after the file's modification time (or now). Years
/// then follow from it (see `TimeContext::infer_year`): a log copied months after it
/// was written is not dated in the future, and one that runs from June to February
/// crosses the new year once, where the months jump back. The last record comes from
/// the file's last 64 KiB (an uncompressed file) or from the head already read when
/// it holds the whole input; otherwise the modification date is the reference.
fn anchor_year_less(
    source: &Source,
    compression: Compression,
    detection: &Detection,
    ctx: TimeContext,
    reference_secs: i64,
    head: &[u8],
    reached_end: bool,
) -> TimeContext {
    use crate::timestamp::TsLayout;
    if !matches!(
        detection.candidate.ts_layout,
        Some(TsLayout::Syslog | TsLayout::MonthDay)
    ) {
        return ctx;
    }
    let tail: Option<std::borrow::Cow<'_, [u8]>> = match source {
        Source::File(p) if compression == Compression::None => read_tail(p, 64 * 1024).map(std::borrow::Cow::Owned),
        _ if reached_end => Some(std::borrow::Cow::Borrowed(head)),
        _ => None,
    };
    let Some(tail) = tail else { return ctx };
    let parser = detection.parser();
    let mut dated_column = None;
    let last = tail.split(|&b| b == b'\n').rev().find_map(|line| {
        let line = String::from_utf8_lossy(line);
        let mut rec = Record::default();
        let ts = (parser.parse_line(&line, &ctx, &mut rec) && !rec.ts_invalid)
            .then_some(rec.ts)
            .flatten();
        if ts.is_some() {
            dated_column = rec.fields.iter().find_map(|(_, v)| column_date(v, reference_secs));
        }
        ts
    });
    let Some(mut last) = last else { return ctx };
    if let Some(days) = dated_column {
        // The line says its own year (Thunderbird: `1131566461 2005.11.09 dn228 Nov 9
        // 12:01:01 …`): that date, a day later for a zone ahead of the column's, is the
        // reference, not the modification time of a file copied years later.
        let (y, m, d) = crate::timestamp::civil_from_days(days + 1);
        return TimeContext {
            reference: (y as i32, m, d),
            ..ctx
        };
    }
    let reference_ns = reference_secs.saturating_mul(1_000_000_000);
    if last > reference_ns {
        // The reference day itself, but later in the day than the reference: last year.
        let (y, _, _) = ctx.reference;
        let earlier = TimeContext {
            zone: ctx.zone.clone(),
            reference: (y - 1, 12, 31),
        };
        if let Some(t) = tail.split(|&b| b == b'\n').rev().find_map(|line| {
            let mut rec = Record::default();
            (parser.parse_line(&String::from_utf8_lossy(line), &earlier, &mut rec) && !rec.ts_invalid)
                .then_some(rec.ts)
                .flatten()
        }) {
            last = t;
        }
    }
    ctx.with_reference_unix(last.div_euclid(1_000_000_000))
}

/// The day (days since 1970-01-01) a header column gives, when it is a whole date with
/// a year (`2005.11.09`, `2005-11-09`, `2005/11/09`) or Unix seconds (ten digits, from
/// 2001 to a day past `now_secs`). Anything else — an id, a count — is not a date.
fn column_date(value: &str, now_secs: i64) -> Option<i64> {
    let b = value.as_bytes();
    if b.len() == 10 && b.iter().all(u8::is_ascii_digit) {
        let secs: i64 = value.parse().ok()?;
        return (1_000_000_000..=now_secs + 86_400)
            .contains(&secs)
            .then(|| secs.div_euclid(86_400));
    }
    if b.len() != 10 || b[4] != b[7] || !matches!(b[4], b'-' | b'.' | b'/') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r.clone()]
            .iter()
            .all(u8::is_ascii_digit)
            .then(|| value[r].parse().ok())
            .flatten()
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let days = crate::timestamp::days_from_civil(y as i64, m, d);
    ((1970..=2200).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&d) && days * 86_400 <= now_secs + 86_400)
        .then_some(days)
}

/// The last `n` bytes of a regular file, or None.
fn read_tail(path: &std::path::Path, n: u64) -> Option<Vec<u8>> {
    use std::io::{Read, Seek, SeekFrom};
    // Checked before opening: opening a FIFO again could block or take its data.
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() {
        return None;
    }
    let mut f = std::fs::File::open(path).ok()?;
    let from = meta.len().saturating_sub(n);
    f.seek(SeekFrom::Start(from)).ok()?;
    let mut buf = Vec::with_capacity(n as usize);
    f.take(n).read_to_end(&mut buf).ok()?;
    Some(buf)
}

/// Chunk size for a file: `configured`, but small enough that an uncompressed file of
/// known size makes about sixteen chunks (not under 256 KiB, where per-chunk costs
/// start to show). With one or two big chunks per core, the last chunk runs alone
/// while the other cores idle: a 7 MB file took 10 % longer in 1 MiB chunks. The size
/// depends on the file only, never on the thread count, so results (the parameter
/// sketches merge per chunk) are the same on any machine.
fn balanced_chunk_bytes(configured: usize, compression: Compression, size_on_disk: Option<u64>) -> usize {
    const FLOOR: u64 = 256 * 1024;
    match (compression, size_on_disk) {
        (Compression::None, Some(size)) => configured.min((size / 16).max(FLOOR) as usize),
        _ => configured,
    }
}

/// The first [`SAMPLE_LINES`] non-blank lines of `head`, as `str::lines` over its lossy
/// UTF-8 decoding would give them; decoding only those lines, not the whole
/// megabyte (a `\n` never sits inside a UTF-8 sequence, so line by line is the same).
fn sample_lines(head: &[u8]) -> Vec<std::borrow::Cow<'_, str>> {
    let mut out = Vec::with_capacity(SAMPLE_LINES);
    let mut rest = head;
    while !rest.is_empty() && out.len() < SAMPLE_LINES {
        let line = match memchr::memchr(b'\n', rest) {
            Some(i) => {
                let l = &rest[..i];
                rest = &rest[i + 1..];
                // `lines` drops a `\r` only before a `\n`.
                l.strip_suffix(b"\r").unwrap_or(l)
            }
            None => std::mem::take(&mut rest),
        };
        let text = String::from_utf8_lossy(line);
        if !text.trim().is_empty() {
            out.push(text);
        }
    }
    out
}

/// What `inspect` shows for one file.
pub struct Inspection {
    pub info: Arc<FileInfo>,
    /// The first records of the file (up to the number asked for).
    pub samples: Vec<Record>,
}

/// Detects the format of each source and parses its first records, reading no more
/// than the first chunk of each.
pub fn inspect(paths: &[String], opts: &IntakeOptions, samples: usize) -> Vec<Result<Inspection, (String, ReadError)>> {
    let (sources, errors) = expanded(paths);
    let forced = opts.forced.as_ref().and_then(|f| f.candidate().ok());
    let mut out: Vec<Result<Inspection, (String, ReadError)>> =
        errors.into_iter().map(|e| Err((String::new(), e))).collect();
    for (index, source) in sources.iter().enumerate() {
        out.push(
            open_and_detect(index, source, opts, forced.as_ref()).and_then(|(info, mut reader)| {
                let head = reader.peek().map_err(|e| (info.name.to_string(), e))?;
                let cut = memchr::memrchr(b'\n', head).map_or(head.len(), |i| i + 1);
                let asm = Assembler {
                    parser: info.detection.parser().as_ref(),
                    ctx: &info.ctx,
                    max_record_bytes: opts.max_record_bytes,
                };
                let mut counts = IntakeCounts::default();
                let mut records = asm.assemble(&head[..cut], 1, &mut counts);
                records.truncate(samples);
                Ok(Inspection { info, samples: records })
            }),
        );
    }
    out
}

/// Sends messages to the workers, numbered in input order, each after taking a permit
/// so that no more than a bounded number are in flight.
struct Sender {
    work: mpsc::SyncSender<(u64, Msg)>,
    permits: mpsc::SyncSender<()>,
    seq: u64,
}

impl Sender {
    /// False when the consumer has gone away.
    fn send(&mut self, msg: Msg) -> bool {
        if self.permits.send(()).is_err() {
            return false;
        }
        let seq = self.seq;
        self.seq += 1;
        self.work.send((seq, msg)).is_ok()
    }
}

/// The reader thread: opens each source, detects its format and sends its chunks.
fn read_all(
    sources: &[Source],
    opts: &IntakeOptions,
    forced: Option<&Candidate>,
    work: mpsc::SyncSender<(u64, Msg)>,
    permits: mpsc::SyncSender<()>,
) {
    let mut tx = Sender { work, permits, seq: 0 };
    for (index, source) in sources.iter().enumerate() {
        let (info, mut reader) = match open_and_detect(index, source, opts, forced) {
            Ok(x) => x,
            Err((name, e)) => {
                if !tx.send(Msg::Failed(name, e)) {
                    return;
                }
                continue;
            }
        };
        if !tx.send(Msg::Started(info.clone())) {
            return;
        }
        let parser = info.detection.parser().clone();
        let ctx = info.ctx.clone();
        // Cut before heads of the file's format, and before heads of another format
        // (where the assembler switches formats, see `IntakeCounts::format_changes`).
        let starts_or_foreign =
            move |s: &str| parser.starts_record(s, &ctx) || detect::looks_like_foreign_head(s, &ctx);
        let starts = move |line: &[u8]| match std::str::from_utf8(line) {
            Ok(s) => starts_or_foreign(s),
            Err(_) => starts_or_foreign(&String::from_utf8_lossy(line)),
        };
        let mut error = None;
        loop {
            match reader.next_chunk(&starts) {
                Ok(Some(chunk)) => {
                    if !tx.send(Msg::Chunk(info.clone(), chunk)) {
                        return;
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    error = Some(e);
                    break;
                }
            }
        }
        if !tx.send(Msg::Finished(info.clone(), reader.stats(), error)) {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_columns_that_are_dates_give_their_day() {
        let now = 1_796_600_000; // 2026-12
        let day = |y, m, d| crate::timestamp::days_from_civil(y, m, d);
        assert_eq!(column_date("2005.11.09", now), Some(day(2005, 11, 9)));
        assert_eq!(column_date("2005-11-09", now), Some(day(2005, 11, 9)));
        assert_eq!(column_date("1131566461", now), Some(day(2005, 11, 9)));
        // Not dates: mixed separators, impossible months, ids, the future, short epochs.
        for v in [
            "2005.11-09",
            "2005.13.09",
            "dn228",
            "4294967295",
            "2099.01.01",
            "113156646",
            "-",
        ] {
            assert_eq!(column_date(v, now), None, "{v}");
        }
    }

    /// Regression: Loghub Thunderbird lines carry Unix seconds and a dated column before
    /// a year-less syslog time; records were dated in the year of the file's copy (2026),
    /// not 2005.
    #[test]
    fn a_dated_header_column_gives_year_less_times_their_year() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tb.log");
        std::fs::write(
            &path,
            "- 1131566461 2005.11.09 dn228 Nov 9 12:01:01 dn228/dn228 crond[2916]: (root) CMD (run-parts)\n\
             - 1131566521 2005.11.09 dn228 Nov 9 12:02:01 dn228/dn228 crond[2917]: (root) CMD (run-parts)\n\
             - 1131566581 2005.11.09 dn228 Nov 9 12:03:01 dn228/dn228 crond[2918]: (root) CMD (run-parts)\n",
        )
        .unwrap();
        let found = inspect(&[path.display().to_string()], &IntakeOptions::default(), 3);
        let Ok(inspection) = &found[0] else { panic!("not read") };
        let ts = inspection.samples[0].ts.expect("a timestamp");
        // 2005-11-09T12:01:01Z
        assert_eq!(ts, 1_131_537_661 * 1_000_000_000);
    }

    #[test]
    fn chunks_are_sized_from_the_file_alone() {
        const MIB: usize = 1 << 20;
        // A 7.3 MB file: sixteen chunks, whatever the thread count.
        assert_eq!(
            balanced_chunk_bytes(MIB, Compression::None, Some(7_270_018)),
            7_270_018 / 16
        );
        // Big files keep the configured size; small ones do not go under 256 KiB.
        assert_eq!(balanced_chunk_bytes(MIB, Compression::None, Some(1 << 30)), MIB);
        assert_eq!(balanced_chunk_bytes(MIB, Compression::None, Some(100_000)), 256 * 1024);
        // A smaller configured size wins; compressed or unknown sizes keep it.
        assert_eq!(balanced_chunk_bytes(4096, Compression::None, Some(1 << 30)), 4096);
        assert_eq!(balanced_chunk_bytes(MIB, Compression::Gzip, Some(7_270_018)), MIB);
        assert_eq!(balanced_chunk_bytes(MIB, Compression::None, None), MIB);
    }
}
