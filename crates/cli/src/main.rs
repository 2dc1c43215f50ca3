//! `triage`: the command-line glue. Argument parsing, progress and output live here;
//! everything that reads, parses or analyses lives in the library crates.

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use triage_parse::intake::{self, ForcedFormat, IntakeEvent, IntakeOptions, IntakeSummary};
use triage_parse::record::rfc3339;
use triage_parse::timestamp::Zone;
use triage_read::ReadLimits;

mod analyze;
mod clickhouse;
mod diagnose;
mod progress;
mod prometheus;
mod redis;
mod templates;

// glibc's allocator spends a quarter of `parse` in malloc/free under many threads
// churning small strings; mimalloc (a small C build) removes most of that.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Triage reads the logs of an incident window and tells what is wrong.
///
/// Inputs are files, directories (read recursively), globs or `-` for standard input;
/// gzip and zstd are recognised by their magic bytes, and rotated sets (app.log.2.gz,
/// app.log.1, app.log) are read oldest first. Each file's format is detected from its
/// first lines (`triage inspect` shows what was chosen).
#[derive(Parser, Debug)]
#[command(name = "triage", version, about, long_about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

// One value, parsed once at start-up: boxing the big variant would save nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand, Debug)]
enum Command {
    /// Print every record as one JSON line: {ts, level, module, host, service, message,
    /// fields, source, line}.
    ///
    /// `ts` is RFC 3339 in UTC, `line` the 1-based number of the record's first line in
    /// its file, `message` the text after the header; continuation lines (stack traces)
    /// are joined to their record with newlines. A one-line intake summary goes to
    /// stderr. Exits non-zero only when nothing could be read.
    Parse(ParseArgs),
    /// Mine message templates: group records whose messages differ only in their
    /// values (`export alarm id=<num> from <ip>`), with stable template ids.
    Templates(templates::TemplatesArgs),
    /// Show, per file, the detected format, confidence, timestamp layout, zone assumption
    /// and three parsed sample records. Reads only the beginning of each file.
    Inspect(InspectArgs),
    /// Analyse an incident: logs of a window (default: the last 15 minutes of the data)
    /// against a baseline, with host metrics and recent changes, into a ranked,
    /// evidence-backed report (summary, problems, spikes, endpoints, metrics, changes,
    /// root causes, actions, timeline) as Markdown, JSON, HTML or a terminal summary.
    Analyze(analyze::AnalyzeArgs),
    /// Diagnose a live Redis server, read-only: big keys by bytes (top-N overall and per
    /// type, size histogram, prefix roll-ups), hot keys with bytes/s per key (LFU counters
    /// or a bounded MONITOR sample) and the slow log grouped by command and key pattern.
    Redis(redis::RedisArgs),
    /// Load log files into ClickHouse (an `otel_logs`-shaped table), parsed as `analyze`
    /// parses them, in gzip batches; idempotent per file (a ledger table notes what was
    /// loaded), so a rerun does not duplicate rows.
    Ingest(clickhouse::IngestArgs),
    /// Diagnose a JVM from what it wrote: a thread dump (`jvm threads`) or a GC log
    /// (`jvm gc`).
    #[command(subcommand)]
    Jvm(diagnose::JvmCommand),
    /// A MySQL / Percona / MariaDB slow-query log: events grouped by query fingerprint
    /// (as pt-query-digest groups them), ranked by total time, with counts, time
    /// percentiles, rows examined and a masked sample per class.
    Slowlog(diagnose::DiagnoseArgs),
}

/// Options shared by every command that reads logs.
#[derive(Args, Debug, Clone)]
pub struct InputArgs {
    /// Files, directories, globs, or `-` for stdin.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<String>,
    /// Zone for timestamps that carry none: an IANA name (Asia/Shanghai) or an offset
    /// (+08:00).
    #[arg(long, default_value = "UTC", value_name = "TZ")]
    tz: String,
    /// Header layout in Loghub `log_format` syntax instead of detection, e.g.
    /// '<Date> <Time> <Pid> <Level> <Component>: <Content>'. `<Content>` is the message,
    /// other `<Field>`s become fields; other text is a regular expression and spaces
    /// match runs of whitespace.
    #[arg(long, value_name = "FORMAT", conflicts_with = "json_fields")]
    line_format: Option<String>,
    /// JSON lines with non-standard keys: `ts=KEY,msg=KEY,level=KEY` (dotted keys for
    /// nested objects).
    #[arg(long, value_name = "MAP")]
    json_fields: Option<String>,
    /// Lines longer than this are cut (the rest is counted and dropped).
    #[arg(long, default_value_t = 1 << 20, value_name = "BYTES")]
    max_line_bytes: usize,
    /// Records (with their continuation lines) longer than this are cut.
    #[arg(long, default_value_t = 64 * 1024, value_name = "BYTES")]
    max_record_bytes: usize,
    /// Worker threads (default: all cores).
    #[arg(long, short = 'j', value_name = "N")]
    threads: Option<usize>,
    /// No progress bar and no intake summary on stderr.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Show secrets as logged. By default passwords, tokens, JWTs, cloud keys, URL
    /// credentials, card numbers, e-mail addresses and phone numbers are replaced by a
    /// typed mark (`<secret:jwt>`) in every output.
    #[arg(long)]
    pub no_redact: bool,
}

#[derive(Args, Debug)]
struct ParseArgs {
    #[command(flatten)]
    input: InputArgs,
}

#[derive(Args, Debug)]
struct InspectArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Parsed sample records to show per file.
    #[arg(long, default_value_t = 3, value_name = "N")]
    samples: usize,
}

impl InputArgs {
    pub fn options(&self) -> Result<IntakeOptions> {
        if let Some(n) = self.threads {
            let n = capped_threads(n, std::thread::available_parallelism().map_or(1, |c| c.get()));
            // Ignore the error when a pool already exists (tests call main twice).
            let _ = rayon::ThreadPoolBuilder::new().num_threads(n).build_global();
        }
        let zone = Zone::parse(&self.tz).map_err(anyhow::Error::msg).context("--tz")?;
        let forced = match (&self.line_format, &self.json_fields) {
            (Some(f), _) => Some(ForcedFormat::LineFormat(f.clone())),
            (None, Some(j)) => Some(ForcedFormat::JsonFields(j.clone())),
            _ => None,
        };
        if let Some(f) = &forced {
            f.candidate().map_err(anyhow::Error::msg)?;
        }
        Ok(IntakeOptions {
            zone,
            limits: ReadLimits {
                max_line_bytes: self.max_line_bytes,
                ..ReadLimits::default()
            },
            max_record_bytes: self.max_record_bytes.max(256),
            forced,
            ..IntakeOptions::default()
        })
    }
}

/// Threads per core `-j` may ask for. More only adds stacks, per-worker buffers and
/// scheduling (`-j 5000` on a 50-line file took 35 s and 843 MB): intake is CPU-bound,
/// so a few threads per core already cover any waiting on I/O.
const MAX_THREADS_PER_CORE: usize = 4;

/// `-j N` bounded to [`MAX_THREADS_PER_CORE`] × `cores` (and at least 1), with a warning
/// on stderr when it had to be lowered.
fn capped_threads(requested: usize, cores: usize) -> usize {
    let cap = MAX_THREADS_PER_CORE * cores.max(1);
    if requested > cap {
        eprintln!(
            "triage: warning: -j {requested} lowered to {cap} ({MAX_THREADS_PER_CORE} threads per core, {cores} cores)"
        );
        return cap;
    }
    requested.max(1)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Parse(args) => cmd_parse(args),
        Command::Inspect(args) => cmd_inspect(args),
        Command::Templates(args) => templates::cmd_templates(args),
        Command::Analyze(args) => analyze::cmd_analyze(args),
        Command::Redis(args) => redis::cmd_redis(args),
        Command::Ingest(args) => clickhouse::cmd_ingest(args),
        Command::Jvm(command) => diagnose::cmd_jvm(command),
        Command::Slowlog(args) => diagnose::cmd_slowlog(args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            if is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            say(format!("triage: error: {err:#}"));
            ExitCode::from(2)
        }
    }
}

/// The extension of `-o FILE`, which picks the report format when --format is not given.
pub(crate) fn output_extension(output: Option<&std::path::Path>) -> Option<&str> {
    output.and_then(std::path::Path::extension).and_then(|e| e.to_str())
}

/// A report to `-o FILE`, or to stdout.
pub(crate) fn write_report(output: Option<&std::path::Path>, text: &str) -> Result<()> {
    match output {
        Some(path) => std::fs::write(path, text.as_bytes()).with_context(|| format!("writing {}", path.display())),
        None => {
            let mut out = io::stdout().lock();
            out.write_all(text.as_bytes())?;
            out.flush()?;
            Ok(())
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// A message for stderr: file names and other text from the input may carry terminal
/// escapes, shown visibly instead of acted on.
pub fn say(message: impl std::fmt::Display) {
    eprintln!("{}", triage_text::visible(&message.to_string()));
}

/// Prints read problems as they happen and the summary at the end; picks the exit code.
fn finish(summary: &IntakeSummary, quiet: bool) -> ExitCode {
    if !quiet {
        say(summary.one_line());
    }
    if summary.files_read == 0 {
        eprintln!("triage: nothing could be read");
        return ExitCode::from(2);
    }
    ExitCode::SUCCESS
}

fn warn_event<T>(event: &IntakeEvent<T>) {
    match event {
        IntakeEvent::FileFailed(_, e) => say(format!("triage: warning: {e}")),
        IntakeEvent::FileFinished(_, _, Some(e)) => say(format!("triage: warning: {e}")),
        _ => {}
    }
}

/// `record` with its secrets masked (message, header fields, fields by name), or `None`
/// when it holds none: the common case costs one scan per text and no copy.
pub fn redacted(record: &triage_parse::record::Record) -> Option<triage_parse::record::Record> {
    use std::borrow::Cow;
    let owned = |c: Cow<'_, str>| matches!(c, Cow::Owned(_));
    let header = [&record.module, &record.host, &record.service];
    let secret = owned(triage_text::redact(&record.message))
        || header
            .iter()
            .any(|v| v.as_deref().is_some_and(|v| owned(triage_text::redact(v))))
        || record
            .fields
            .iter()
            .any(|(k, v)| owned(triage_text::redact_pair(k.as_ref(), v)));
    if !secret {
        return None;
    }
    // Rare: mask a copy.
    let mut out = record.clone();
    let mask = |text: &mut String| {
        if let Cow::Owned(m) = triage_text::redact(text) {
            *text = m;
        }
    };
    mask(&mut out.message);
    for v in [&mut out.module, &mut out.host, &mut out.service].into_iter().flatten() {
        mask(v);
    }
    for (k, v) in &mut out.fields {
        if let Cow::Owned(m) = triage_text::redact_pair(k.as_ref(), v) {
            *v = m;
        }
    }
    Some(out)
}

fn cmd_parse(args: ParseArgs) -> Result<ExitCode> {
    let opts = args.input.options()?;
    let redact = !args.input.no_redact;
    let stdout = io::stdout();
    let mut out = io::BufWriter::with_capacity(1 << 20, stdout.lock());
    let mut write_error: Option<io::Error> = None;
    let progress = progress::Progress::new(!args.input.quiet && io::stderr().is_terminal());
    let out_pool = triage_read::BufferPool::default();
    let summary = intake::run(
        &args.input.paths,
        &opts,
        |info, records, _counts| {
            let mut buf = out_pool.get(records.iter().map(|r| r.message.len() + 160).sum::<usize>() * 5 / 4);
            let mut source = Vec::with_capacity(info.name.len() + 2);
            triage_parse::record::write_json_str(&info.name, &mut source);
            for r in records {
                match redact.then(|| redacted(r)).flatten() {
                    Some(masked) => masked.write_json_with_source(&source, &mut buf),
                    None => r.write_json_with_source(&source, &mut buf),
                }
            }
            (buf, records.len())
        },
        |event| {
            warn_event(&event);
            match event {
                IntakeEvent::FileStarted(info) => progress.start_file(&info),
                IntakeEvent::Chunk(_, (buf, n), bytes) => {
                    progress.advance(bytes, n as u64);
                    let written = out.write_all(&buf);
                    out_pool.put(buf);
                    if let Err(e) = written {
                        write_error = Some(e);
                        return false;
                    }
                }
                _ => {}
            }
            true
        },
    );
    progress.finish();
    if let Some(e) = write_error {
        return Err(e).context("writing records");
    }
    out.flush().context("writing records")?;
    Ok(finish(&summary, args.input.quiet))
}

fn cmd_inspect(args: InspectArgs) -> Result<ExitCode> {
    let opts = args.input.options()?;
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let mut read_any = false;
    for result in intake::inspect(&args.input.paths, &opts, args.samples) {
        match result {
            Err((_, e)) => say(format!("triage: warning: {e}")),
            Ok(insp) => {
                read_any = true;
                let info = &insp.info;
                let d = &info.detection;
                writeln!(out, "{}", triage_text::visible(&info.name))?;
                writeln!(out, "  format:      {}", d.candidate.name)?;
                writeln!(out, "  compression: {}", info.compression.name())?;
                writeln!(
                    out,
                    "  confidence:  {:.0}% of sampled lines explained",
                    d.confidence * 100.0
                )?;
                let layout = d
                    .candidate
                    .ts_layout
                    .map_or("per record (format-defined)".to_string(), |l| l.describe().to_string());
                writeln!(
                    out,
                    "  timestamps:  {layout}; {:.0}% of sampled records have one",
                    d.ts_share * 100.0
                )?;
                writeln!(
                    out,
                    "  zone:        times without an offset are read as {} (--tz)",
                    args.input.tz
                )?;
                for r in &insp.samples {
                    let mut line = Vec::new();
                    let masked = (!args.input.no_redact).then(|| redacted(r)).flatten();
                    masked.as_ref().unwrap_or(r).write_json(&info.name, &mut line);
                    write!(out, "  sample:      {}", String::from_utf8_lossy(&line))?;
                }
                if insp.samples.is_empty() {
                    writeln!(out, "  sample:      (no records)")?;
                }
                if let Some(ts) = insp.samples.iter().find_map(|r| r.ts) {
                    writeln!(out, "  first time:  {}", rfc3339(ts))?;
                }
            }
        }
    }
    Ok(if read_any { ExitCode::SUCCESS } else { ExitCode::from(2) })
}
