//! `triage analyze`: glue between intake, the collector, the side inputs (metrics,
//! changes, rules), the analysis and the renderers.

use std::io::{self, IsTerminal, Read};
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use triage_analyze::analysis::{analyze, AnalyzeOptions, SideInputs};
use triage_analyze::changes::load_changes;
use triage_analyze::collect::{digest_chunk, Collector};
use triage_analyze::frame::{FrameRequest, ItemHorizon};
use triage_analyze::metrics::{load_metrics, MetricsInput};
use triage_analyze::rules::Rules;
use triage_analyze::timespec::{parse_duration, parse_time};
use triage_mine::mask::Masker;
use triage_parse::intake::{self, IntakeEvent};

use crate::{warn_event, InputArgs};

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportFormat {
    /// Markdown: the full report.
    Md,
    /// JSON, schema version 1 (docs/report-schema.md).
    Json,
    /// One self-contained HTML file.
    Html,
    /// A short summary, coloured on a terminal (the default when neither --format nor
    /// an -o extension says otherwise).
    Summary,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportLang {
    En,
    Zh,
}

#[derive(clap::Args, Debug)]
pub struct AnalyzeArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Host metrics: CSV, long (`timestamp,host,metric,value`) or wide
    /// (`timestamp,host,<metric>...`), or a Prometheus server `http://HOST:PORT`
    /// (node_exporter CPU, memory, filesystem, disk IO, load, network per instance, plus
    /// --promql queries). Repeatable.
    #[arg(long, value_name = "FILE|URL")]
    pub metrics: Vec<PathBuf>,
    #[command(flatten)]
    pub prometheus: crate::prometheus::PromArgs,
    #[command(flatten)]
    pub clickhouse: crate::clickhouse::ChArgs,
    /// Change ledger: JSON lines `{"time","kind","service","version","description"}` or
    /// CSV with those columns. Repeatable.
    #[arg(long, value_name = "FILE")]
    pub changes: Vec<PathBuf>,
    /// Window start: RFC 3339 or `YYYY-MM-DD HH:MM[:SS]` (in --tz).
    #[arg(long, value_name = "T")]
    pub from: Option<String>,
    /// Window end (exclusive).
    #[arg(long, value_name = "T")]
    pub to: Option<String>,
    /// Window length ending at the last record (default 15m), e.g. 30m, 2h.
    #[arg(long, value_name = "DUR", conflicts_with_all = ["from"])]
    pub last: Option<String>,
    /// Baseline start (default: up to 4× the window before it, plus the same time a day
    /// earlier when the data has it).
    #[arg(long, value_name = "T", requires = "baseline_to")]
    pub baseline_from: Option<String>,
    #[arg(long, value_name = "T", requires = "baseline_from")]
    pub baseline_to: Option<String>,
    /// Report format (default: from the -o extension, else the summary, whatever stdout
    /// is; --format md for the full report on stdout).
    #[arg(long, value_enum)]
    pub format: Option<ReportFormat>,
    /// Write the report here instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Report language.
    #[arg(long, value_enum, default_value = "en")]
    pub lang: ReportLang,
    /// Extra rule file (TOML) for categories and recommendations; tried before the
    /// built-in rules. Repeatable.
    #[arg(long, value_name = "FILE")]
    pub rules: Vec<PathBuf>,
    /// Exit with status 1 (after writing the report) when the report's status is
    /// `incident`, or, with `problem`, also when any P1 or P2 problem is listed. For
    /// scripts and CI gates; see the README's exit codes.
    #[arg(long, value_enum, value_name = "WHEN")]
    pub fail_on: Option<FailOn>,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailOn {
    /// The status is `incident`.
    Incident,
    /// The status is `incident`, or a P1/P2 problem is listed.
    Problem,
}

/// Exit status when the report says there was nothing to analyse in the window
/// (`no_data`): the report is written, but a script must not read it as "healthy".
pub const EXIT_NO_DATA: u8 = 3;
/// Exit status when `--fail-on` matched.
pub const EXIT_FAIL_ON: u8 = 1;

/// What of the input the analysis could not use, one phrase each, for the report.
fn data_loss(summary: &intake::IntakeSummary) -> Vec<String> {
    let mut out = Vec::new();
    if summary.files_skipped > 0 || !summary.problems.is_empty() {
        let named: Vec<String> = summary
            .problems
            .iter()
            .take(5)
            .map(|(source, why)| format!("{source} ({why})"))
            .collect();
        out.push(format!(
            "{} source(s) skipped or cut short: {}{}",
            summary.problems.len().max(summary.files_skipped),
            named.join(", "),
            if summary.problems.len() > 5 { ", …" } else { "" }
        ));
    }
    if summary.long_lines > 0 {
        out.push(format!(
            "{} over-long lines cut ({} bytes dropped)",
            summary.long_lines, summary.long_line_bytes_dropped
        ));
    }
    if summary.special_files_skipped > 0 {
        out.push(format!(
            "{} special files (FIFOs, sockets, devices) found in directories not read",
            summary.special_files_skipped
        ));
    }
    if summary.decode_errors > 0 {
        out.push(format!("{} undecodable byte sequences dropped", summary.decode_errors));
    }
    let c = &summary.counts;
    if c.truncated_records > 0 {
        out.push(format!(
            "{} records cut at the size cap ({} bytes dropped)",
            c.truncated_records, c.truncated_bytes
        ));
    }
    out
}

pub fn cmd_analyze(args: AnalyzeArgs) -> Result<std::process::ExitCode> {
    let mut opts = args.input.options()?;
    // The analysis reads no positional header columns or process/thread ids.
    opts.detail = intake::Detail::Facets;
    let zone = opts.zone.clone();
    let time = |flag: &str, v: &Option<String>| -> Result<Option<i64>> {
        v.as_deref()
            .map(|t| parse_time(t, &zone).with_context(|| format!("--{flag}")))
            .transpose()
    };
    let frame = FrameRequest {
        from: time("from", &args.from)?,
        to: time("to", &args.to)?,
        last: args
            .last
            .as_deref()
            .map(|d| parse_duration(d).context("--last"))
            .transpose()?,
        baseline: match (
            time("baseline-from", &args.baseline_from)?,
            time("baseline-to", &args.baseline_to)?,
        ) {
            (Some(a), Some(b)) if a < b => Some((a, b)),
            (Some(_), Some(_)) => bail!("--baseline-from must be before --baseline-to"),
            _ => None,
        },
    };
    if let (Some(f), Some(t)) = (frame.from, frame.to) {
        if f >= t {
            bail!("--from must be before --to");
        }
    }
    let mut rules = Rules::builtin();
    for path in args.rules.iter().rev() {
        // Read under a cap: a rule file is a few KiB, `--rules /dev/zero` is not one.
        const MAX_RULES_BYTES: u64 = 1 << 20;
        let mut text = String::new();
        std::fs::File::open(path)
            .and_then(|f| f.take(MAX_RULES_BYTES + 1).read_to_string(&mut text))
            .with_context(|| format!("reading rules {}", path.display()))?;
        if text.len() as u64 > MAX_RULES_BYTES {
            bail!("reading rules {}: larger than 1 MiB (not a rule file?)", path.display());
        }
        let mut user = Rules::from_toml(&text, &path.display().to_string())?;
        user.extend(rules);
        rules = user;
    }
    let mut side = SideInputs::default();
    let mut metrics: Option<MetricsInput> = None;
    let urls: Vec<&str> = args
        .metrics
        .iter()
        .filter_map(|p| p.to_str())
        .filter(|p| crate::prometheus::is_url(p))
        .collect();
    let (sources, notes) = crate::prometheus::sources(&urls, &args.prometheus)?;
    side.metric_sources = sources;
    side.notes.extend(notes);
    for path in args
        .metrics
        .iter()
        .filter(|p| !p.to_str().is_some_and(crate::prometheus::is_url))
    {
        match load_metrics(path, &zone) {
            Ok(m) => {
                for w in m.warnings.iter().take(5) {
                    crate::say(format!("triage: warning: {w}"));
                }
                match &mut metrics {
                    Some(all) => {
                        all.series.extend(m.series);
                        all.rows += m.rows;
                        all.skipped += m.skipped;
                    }
                    None => metrics = Some(m),
                }
            }
            Err(e) => {
                crate::say(format!("triage: warning: {e}"));
                side.notes.push(format!("metrics not used: {e}"));
            }
        }
    }
    side.metrics = metrics;
    for path in &args.changes {
        match load_changes(path, &zone) {
            Ok(c) => {
                for w in c.warnings.iter().take(5) {
                    crate::say(format!("triage: warning: {w}"));
                }
                // Skipped entries and a ledger read only in part are said in the report too.
                side.notes.extend(c.warnings.iter().map(|w| format!("changes: {w}")));
                side.changes.extend(c.changes);
            }
            Err(e) => {
                crate::say(format!("triage: warning: {e}"));
                side.notes.push(format!("changes not used: {e}"));
            }
        }
    }
    side.changes.sort_by_key(|c| c.time);

    let masker = Masker::default();
    let clickhouse: Vec<&String> = args
        .input
        .paths
        .iter()
        .filter(|p| crate::clickhouse::is_clickhouse_url(p))
        .collect();
    if !clickhouse.is_empty() {
        if args.input.paths.len() > 1 {
            bail!("a clickhouse:// source is analysed alone, not together with files or other sources");
        }
        // The same analysis over rows that ClickHouse grouped and counted.
        let first_change = side.changes.first().map(|c| c.time);
        let fetched = crate::clickhouse::collect(
            clickhouse[0],
            &args.clickhouse,
            &frame,
            &masker,
            args.input.quiet,
            first_change,
        )?;
        side.files = 1;
        side.intake = format!(
            "clickhouse: {} records, {} bytes received",
            fetched.stats.records, fetched.stats.bytes_received
        );
        side.notes.extend(fetched.notes);
        side.data_loss = fetched.data_loss;
        return finish(fetched.collected, side, frame, rules, &args, &zone);
    }
    let horizon = ItemHorizon::new(&frame);
    let progress = crate::progress::Progress::new(!args.input.quiet && io::stderr().is_terminal());
    let mut collector = Collector::new().context("creating a temporary file for records")?;
    let mut spill_error: Option<io::Error> = None;
    let summary = intake::run(
        &args.input.paths,
        &opts,
        |info, records, _| {
            let n = records.len() as u64;
            if let Some(newest) = records.iter().filter_map(|r| r.ts).max() {
                horizon.observe(newest);
            }
            (digest_chunk(&masker, &info.name, records, horizon.needed_from()), n)
        },
        |event| {
            warn_event(&event);
            match event {
                IntakeEvent::FileStarted(info) => progress.start_file(&info),
                IntakeEvent::Chunk(_, (digest, n), bytes) => {
                    progress.advance(bytes, n);
                    if let Err(e) = collector.absorb(digest) {
                        spill_error = Some(e);
                        return false;
                    }
                }
                _ => {}
            }
            true
        },
    );
    progress.finish();
    if let Some(e) = spill_error {
        return Err(e).context("writing records to a temporary file");
    }
    let collected = collector.finish().context("writing records to a temporary file")?;
    if summary.files_read == 0 && side.metrics.is_none() && side.metric_sources.is_empty() && side.changes.is_empty() {
        crate::say(summary.one_line());
        eprintln!("triage: nothing could be read");
        return Ok(std::process::ExitCode::from(2));
    }
    if !args.input.quiet {
        crate::say(summary.one_line());
    }
    side.files = summary.files_read;
    side.intake = summary.one_line();
    side.data_loss = data_loss(&summary);
    finish(collected, side, frame, rules, &args, &zone)
}

/// The analysis and the report, whatever the records came from.
fn finish(
    collected: triage_analyze::collect::Collected,
    side: SideInputs,
    frame: FrameRequest,
    rules: Rules,
    args: &AnalyzeArgs,
    zone: &triage_parse::timestamp::Zone,
) -> Result<std::process::ExitCode> {
    let lang = match args.lang {
        ReportLang::En => triage_analyze::rules::Lang::En,
        ReportLang::Zh => triage_analyze::rules::Lang::Zh,
    };
    let mut report =
        analyze(collected, side, &AnalyzeOptions { frame, rules, lang }).context("analysing the records")?;
    // One pass over every text of the finished model: whatever a log line put anywhere
    // in the report is masked, whichever section shows it.
    if !args.input.no_redact {
        triage_analyze::redact::redact_report(&mut report);
    }
    // Computed in UTC; shown in the reader's zone (--tz), sentences included.
    triage_analyze::zone::localize_report(&mut report, zone);

    let format = args.format.unwrap_or_else(|| {
        match crate::output_extension(args.output.as_deref()) {
            Some("json") => ReportFormat::Json,
            Some("html" | "htm") => ReportFormat::Html,
            Some(_) => ReportFormat::Md,
            // The summary also when piped (a script, `| less`): the full report is asked
            // for with --format or -o, never dumped by surprise.
            None => ReportFormat::Summary,
        }
    });
    let report_lang = match args.lang {
        ReportLang::En => triage_report::Lang::En,
        ReportLang::Zh => triage_report::Lang::Zh,
    };
    let text = match format {
        ReportFormat::Json => triage_report::render_json(&report),
        ReportFormat::Md => triage_report::render_markdown(&report, report_lang),
        ReportFormat::Html => triage_report::render_html(&report, report_lang),
        ReportFormat::Summary => {
            triage_report::render_terminal(&report, args.output.is_none() && io::stdout().is_terminal())
        }
    };
    crate::write_report(args.output.as_deref(), &text)?;
    let failed = match args.fail_on {
        Some(FailOn::Incident) => report.status == "incident",
        Some(FailOn::Problem) => {
            report.status == "incident" || report.problems.iter().any(|p| p.priority == "P1" || p.priority == "P2")
        }
        None => false,
    };
    Ok(if failed {
        std::process::ExitCode::from(EXIT_FAIL_ON)
    } else if report.status == "no_data" {
        std::process::ExitCode::from(EXIT_NO_DATA)
    } else {
        std::process::ExitCode::SUCCESS
    })
}
