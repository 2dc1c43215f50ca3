//! `triage jvm threads`, `triage jvm gc` and `triage slowlog`: one file in, one report
//! out. The facts are `triage_diagnose`'s, the long-form rendering `triage_report`'s;
//! here: flags, masking the finished report, output.

use std::io;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use serde::{de::DeserializeOwned, Serialize};
use triage_diagnose::{Diagnosis, Options};
use triage_read::Source;
use triage_report::diagnostics::DocFormat;

#[derive(clap::Subcommand, Debug)]
pub enum JvmCommand {
    /// A Java thread dump (jstack [-l], jcmd Thread.print, kill -3 output in a log,
    /// ThreadMXBean text, VisualVM): threads per state, JVM-reported deadlocks, the most
    /// contended locks with their owner and waiters. Several dumps in one file are
    /// reported one by one.
    Threads(DiagnoseArgs),
    /// A JVM GC log, unified (-Xlog:gc*) or older (-XX:+PrintGCDetails, -verbose:gc), any
    /// collector: stop-the-world pauses by type (young, mixed, full, other), their total
    /// and the longest.
    Gc(DiagnoseArgs),
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiagnoseFormat {
    /// Markdown (also readable on a terminal).
    Md,
    /// The report as one JSON document.
    Json,
    /// One self-contained HTML file.
    Html,
}

#[derive(clap::Args, Debug)]
pub struct DiagnoseArgs {
    /// The file (gzip, zstd and UTF-16 are recognised), or `-` for stdin.
    #[arg(value_name = "PATH")]
    pub path: String,
    /// Report format (default: from the -o extension, else Markdown).
    #[arg(long, value_enum)]
    pub format: Option<DiagnoseFormat>,
    /// Write the report here instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Entries per list (query classes, locks, threads); counts always cover the whole
    /// file.
    #[arg(long, default_value_t = 20, value_name = "N")]
    pub top: usize,
    /// Show secrets and personal data (passwords in queries, e-mail addresses) as
    /// written instead of a typed mark (`<secret:password>`).
    #[arg(long)]
    pub no_redact: bool,
}

pub fn cmd_jvm(command: JvmCommand) -> Result<ExitCode> {
    match command {
        JvmCommand::Threads(args) => run(&args, "threads", triage_diagnose::threads::analyse, |d, f| {
            triage_report::diagnostics::render_threads(d, f)
        }),
        JvmCommand::Gc(args) => run(&args, "gc", triage_diagnose::gc::analyse, |d, f| {
            triage_report::diagnostics::render_gc(d, f)
        }),
    }
}

pub fn cmd_slowlog(args: DiagnoseArgs) -> Result<ExitCode> {
    run(&args, "slowlog", triage_diagnose::slowlog::analyse, |d, f| {
        triage_report::diagnostics::render_slowlog(d, f)
    })
}

type FileLines = triage_diagnose::Lines<io::BufReader<Box<dyn io::Read + Send>>>;

fn run<T: Serialize + DeserializeOwned>(
    args: &DiagnoseArgs,
    kind: &str,
    analyse: fn(&mut FileLines, &Options) -> T,
    render: fn(&Diagnosis<T>, DocFormat) -> String,
) -> Result<ExitCode> {
    let source = if args.path == "-" {
        Source::Stdin
    } else {
        Source::File(PathBuf::from(&args.path))
    };
    let options = Options { top: args.top.max(1) };
    let diagnosis = triage_diagnose::diagnose(&source, kind, |lines| analyse(lines, &options))
        .with_context(|| format!("reading {}", args.path))?;
    // Masked once, on the finished report, whatever part of it a line of the file reached.
    let mut value = serde_json::to_value(&diagnosis).context("serialising the report")?;
    if !args.no_redact {
        redact_strings(&mut value);
    }
    let format = args
        .format
        .unwrap_or_else(|| match crate::output_extension(args.output.as_deref()) {
            Some("json") => DiagnoseFormat::Json,
            Some("html" | "htm") => DiagnoseFormat::Html,
            _ => DiagnoseFormat::Md,
        });
    let text = match format {
        DiagnoseFormat::Json => {
            let mut json = serde_json::to_string_pretty(&value).context("serialising the report")?;
            json.push('\n');
            json
        }
        DiagnoseFormat::Md | DiagnoseFormat::Html => {
            let masked: Diagnosis<T> = serde_json::from_value(value).context("re-reading the masked report")?;
            let doc = if format == DiagnoseFormat::Md {
                DocFormat::Markdown
            } else {
                DocFormat::Html
            };
            render(&masked, doc)
        }
    };
    crate::write_report(args.output.as_deref(), &text)?;
    for skipped in &diagnosis.input.skipped {
        eprintln!(
            "triage: {}: {} {} skipped from line {}: {}",
            triage_text::visible(&diagnosis.input.file),
            skipped.count,
            skipped.what,
            skipped.first_line,
            skipped.reason
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Every string of the report (and every map key) through `triage_text::redact`.
fn redact_strings(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::String(s) => {
            if let std::borrow::Cow::Owned(masked) = triage_text::redact(s) {
                *s = masked;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_strings),
        Value::Object(map) => {
            let entries = std::mem::take(map);
            for (key, mut item) in entries {
                redact_strings(&mut item);
                map.insert(triage_text::redact(&key).into_owned(), item);
            }
        }
        _ => {}
    }
}
