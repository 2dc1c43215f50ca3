//! `triage redis`: flags, password from the environment, a progress bar with ETA on a
//! terminal, and the report as a table, Markdown or JSON. The diagnosis itself is
//! `triage_redis::diagnose`.

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use triage_redis::{
    DiagnoseOptions, HotKeyEntry, HotKeyMethod, HotKeyOptions, Progress, RedisReport, ScanOptions, Target,
    DEFAULT_MAX_OPS_PER_SEC, DEFAULT_URL,
};

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum RedisFormat {
    /// Aligned text tables.
    Table,
    /// The report as one JSON document.
    Json,
    /// Markdown tables (for an incident ticket).
    Md,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum HotMethodArg {
    /// lfu when the server's maxmemory-policy is LFU, monitor otherwise.
    Auto,
    /// OBJECT FREQ counters, read twice --duration apart.
    Lfu,
    /// A MONITOR sample of --duration.
    Monitor,
}

/// With none of --bigkeys, --hotkeys, --slowlog: big keys and the slow log.
#[derive(clap::Args, Debug)]
pub struct RedisArgs {
    /// Server: redis://[user:pass@]HOST:PORT/DB, rediss://… for TLS, or HOST:PORT. Without
    /// a password in the URL, TRIAGE_REDIS_PASSWORD or REDISCLI_AUTH is used.
    #[arg(long, default_value = DEFAULT_URL, value_name = "URL")]
    pub url: String,
    /// Connect with TLS (as rediss://).
    #[arg(long)]
    pub tls: bool,
    /// Big keys by MEMORY USAGE bytes: top-N overall and per type, size histogram,
    /// prefix roll-ups. SCAN + TYPE + MEMORY USAGE only (none of them touches LRU/LFU).
    #[arg(long)]
    pub bigkeys: bool,
    /// Hot keys with estimated bytes/s per key (reads × value size); see --hot-method.
    #[arg(long)]
    pub hotkeys: bool,
    /// The slow log grouped by command and key pattern.
    #[arg(long)]
    pub slowlog: bool,
    /// Only keys matching this glob (SCAN MATCH; also filters MONITOR keys).
    #[arg(long = "match", value_name = "PATTERN")]
    pub match_pattern: Option<String>,
    /// Entries per list.
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub top: usize,
    /// Commands per second sent to the server (each pipelined command counts); 0 = no limit.
    #[arg(long, default_value_t = DEFAULT_MAX_OPS_PER_SEC, value_name = "N")]
    pub max_ops_per_sec: u64,
    /// Hot-key sampling window (MONITOR) or the wait between LFU readings: 500ms, 5s, 1m.
    #[arg(long, default_value = "5s", value_parser = parse_duration, value_name = "DUR")]
    pub duration: Duration,
    /// How hot keys are found.
    #[arg(long, value_enum, default_value_t = HotMethodArg::Auto)]
    pub hot_method: HotMethodArg,
    /// Resume a big-key scan from this SCAN cursor (printed when a scan stops early).
    #[arg(long, default_value_t = 0, value_name = "CURSOR")]
    pub cursor: u64,
    /// Stop the scan after about N keys and print the cursor to resume from.
    #[arg(long, value_name = "N")]
    pub max_keys: Option<u64>,
    /// MEMORY USAGE SAMPLES: elements sampled per aggregate (server default 5; 0 = all, slow on big keys).
    #[arg(long, value_name = "N")]
    pub samples: Option<u32>,
    /// Longest wait for the server to connect or answer one command; a server that
    /// hangs longer ends the run with what was found so far.
    #[arg(long, default_value = "10s", value_parser = parse_duration, value_name = "DUR")]
    pub timeout: Duration,
    /// Output format.
    #[arg(long, value_enum, default_value_t = RedisFormat::Table)]
    pub format: RedisFormat,
    /// No progress bar.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// `500ms`, `5s`, `2m`, `1h30m`: the one duration parser (`--last` reads the same).
fn parse_duration(s: &str) -> std::result::Result<Duration, String> {
    let ns = triage_analyze::timespec::parse_duration(s).map_err(|e| e.to_string())?;
    Ok(Duration::from_nanos(ns.unsigned_abs()))
}

pub fn cmd_redis(args: RedisArgs) -> Result<ExitCode> {
    let none_chosen = !args.bigkeys && !args.hotkeys && !args.slowlog;
    let password = ["TRIAGE_REDIS_PASSWORD", "REDISCLI_AUTH"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|p| !p.is_empty()));
    let target = Target {
        url: Some(args.url.clone()),
        tls: args.tls,
        password,
        timeout: args.timeout.max(Duration::from_millis(10)),
    };
    let opts = DiagnoseOptions {
        bigkeys: args.bigkeys || none_chosen,
        hotkeys: args.hotkeys.then_some(HotKeyOptions {
            method: match args.hot_method {
                HotMethodArg::Auto => HotKeyMethod::Auto,
                HotMethodArg::Lfu => HotKeyMethod::Lfu,
                HotMethodArg::Monitor => HotKeyMethod::Monitor,
            },
            duration: args.duration,
        }),
        slowlog: args.slowlog || none_chosen,
        scan: ScanOptions {
            match_pattern: args.match_pattern.clone(),
            cursor: args.cursor,
            max_keys: args.max_keys,
            // Keep one pipeline to ~1/20 s of the rate budget so a low limit sends small bursts.
            count: if args.max_ops_per_sec == 0 {
                1000
            } else {
                (args.max_ops_per_sec / 40).clamp(10, 1000) as u32
            },
            samples: args.samples,
        },
        top: args.top.max(1),
        max_ops_per_sec: args.max_ops_per_sec,
    };
    let bar = ScanBar::new(!args.quiet && io::stderr().is_terminal());
    let result = triage_redis::diagnose(&target, &opts, &mut |p| bar.update(p));
    bar.finish();
    let report = result.context("triage redis")?;
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    match args.format {
        RedisFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &report).context("writing the report")?;
            writeln!(out)?;
        }
        RedisFormat::Table | RedisFormat::Md => write_report(&report, args.format == RedisFormat::Md, &mut out)?,
    }
    out.flush()?;
    if let Some(b) = report.bigkeys.as_ref().filter(|b| !b.complete) {
        eprintln!(
            "triage: scan stopped after {} keys; resume with --cursor {}",
            b.keys_scanned, b.next_cursor
        );
    }
    // The partial report is printed above; the run still failed.
    if let Some(why) = &report.interrupted {
        crate::say(format!("triage: error: {why}"));
        return Ok(ExitCode::from(2));
    }
    Ok(ExitCode::SUCCESS)
}

/// Progress bar with ETA, one phase at a time (big-key scan, LFU window, MONITOR sample).
struct ScanBar {
    bar: Option<ProgressBar>,
    phase: std::cell::Cell<&'static str>,
}

impl ScanBar {
    const STEPS: u64 = 10_000;

    fn new(enabled: bool) -> Self {
        let bar = enabled.then(|| {
            let bar = ProgressBar::with_draw_target(Some(Self::STEPS), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("{spinner} {msg} [{bar:30}] {percent}% ETA {eta}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar
        });
        ScanBar {
            bar,
            phase: std::cell::Cell::new(""),
        }
    }

    fn update(&self, p: &Progress) {
        let Some(bar) = &self.bar else { return };
        if self.phase.get() != p.phase {
            self.phase.set(p.phase);
            bar.reset();
        }
        bar.set_position((p.fraction.clamp(0.0, 1.0) * Self::STEPS as f64) as u64);
        let msg = if p.cursor != 0 {
            format!("{}: {} keys, cursor {}", p.phase, p.keys, p.cursor)
        } else {
            format!("{}: {}", p.phase, p.keys)
        };
        bar.set_message(msg);
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// 1536 → "1.5 KiB".
fn fmt_bytes(b: f64) -> String {
    const UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut v = b;
    let mut unit = 0;
    while v >= 1024.0 && unit + 1 < UNITS.len() {
        v /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{v:.0} B")
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}

fn fmt_rate(r: Option<f64>) -> String {
    match r {
        None => "-".to_string(),
        Some(r) if r >= 100.0 => format!("{r:.0}"),
        Some(r) => format!("{r:.1}"),
    }
}

/// Text from the server (key names, patterns, slow-log arguments, INFO fields) made
/// safe for the output: control characters visible, and for Markdown every character
/// that could start markup backslash-escaped (`<img …>`, `[x](javascript:…)`, `*`, `|`),
/// so a key name is shown, never rendered.
fn shown(text: &str, md: bool) -> String {
    let text = triage_text::visible(text);
    if !md {
        return text.into_owned();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '(' | ')' | '<' | '>' | '#' | '|' | '!' | '~' | '&' | '{' | '}' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Writes one table, aligned text or Markdown; every cell goes through [`shown`].
fn table(out: &mut impl Write, md: bool, headers: &[&str], rows: &[Vec<String>]) -> io::Result<()> {
    let rows: Vec<Vec<String>> = rows.iter().map(|r| r.iter().map(|c| shown(c, md)).collect()).collect();
    if md {
        writeln!(out, "| {} |", headers.join(" | "))?;
        writeln!(out, "|{}|", headers.iter().map(|_| "---").collect::<Vec<_>>().join("|"))?;
        for r in &rows {
            writeln!(out, "| {} |", r.join(" | "))?;
        }
        return writeln!(out);
    }
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let mut s = String::from("  ");
        for (i, (c, w)) in cells.iter().zip(&widths).enumerate() {
            if i + 1 == cells.len() {
                s.push_str(c);
            } else {
                s.push_str(&format!("{c:<w$}  "));
            }
        }
        s.trim_end().to_string()
    };
    writeln!(out, "{}", line(headers.to_vec()))?;
    for r in &rows {
        writeln!(out, "{}", line(r.iter().map(String::as_str).collect()))?;
    }
    writeln!(out)
}

fn heading(out: &mut impl Write, md: bool, level: usize, text: &str) -> io::Result<()> {
    let text = &shown(text, md);
    if md {
        writeln!(out, "{} {text}\n", "#".repeat(level + 1))
    } else if level == 1 {
        writeln!(out, "{text}\n{}", "=".repeat(text.chars().count()))
    } else {
        writeln!(out, "{text}")
    }
}

fn write_report(r: &RedisReport, md: bool, out: &mut impl Write) -> Result<()> {
    let esc = |text: &str| shown(text, md);
    let s = &r.server;
    heading(out, md, 1, &format!("Redis {} db {}", s.addr, s.db))?;
    writeln!(
        out,
        "version {}, role {}, maxmemory-policy {}, used_memory {}, {} keys in db {}; {} commands sent in {:.1} s (limit {})\n",
        esc(s.version.as_deref().unwrap_or("?")),
        esc(s.role.as_deref().unwrap_or("?")),
        esc(s.maxmemory_policy.as_deref().unwrap_or("?")),
        s.used_memory.map_or("?".into(), |b| fmt_bytes(b as f64)),
        s.dbsize.map_or("?".into(), |n| n.to_string()),
        s.db,
        r.commands_sent,
        r.elapsed_secs,
        if r.max_ops_per_sec == 0 { "none".to_string() } else { format!("{}/s", r.max_ops_per_sec) },
    )?;
    if let Some(b) = &r.bigkeys {
        heading(out, md, 2, "Big keys (MEMORY USAGE bytes)")?;
        writeln!(
            out,
            "{} keys scanned in {:.1} s{}, {} in all{}; {}\n",
            b.keys_scanned,
            b.elapsed_secs,
            b.match_pattern
                .as_ref()
                .map_or(String::new(), |m| format!(" matching {}", esc(m))),
            fmt_bytes(b.total_bytes as f64),
            if b.keys_vanished > 0 {
                format!(", {} vanished during the scan", b.keys_vanished)
            } else {
                String::new()
            },
            if b.complete {
                "complete".to_string()
            } else {
                format!("stopped early: resume with --cursor {}", b.next_cursor)
            },
        )?;
        let counts = b.element_counts;
        let key_row = |i: usize, e: &triage_redis::KeyEntry| {
            let mut row = vec![
                (i + 1).to_string(),
                e.key.clone(),
                e.kind.clone(),
                fmt_bytes(e.bytes as f64),
            ];
            if counts {
                row.push(e.elements.map_or("-".into(), |n| n.to_string()));
            }
            row
        };
        let mut headers = vec!["#", "key", "type", "bytes"];
        if counts {
            headers.push("elements");
        }
        heading(out, md, 3, "Top keys")?;
        table(
            out,
            md,
            &headers,
            &b.top.iter().enumerate().map(|(i, e)| key_row(i, e)).collect::<Vec<_>>(),
        )?;
        heading(out, md, 3, "By type")?;
        let rows: Vec<Vec<String>> = b
            .by_type
            .iter()
            .map(|t| {
                vec![
                    t.kind.clone(),
                    t.keys.to_string(),
                    fmt_bytes(t.bytes as f64),
                    format!("{:.1}%", 100.0 * t.bytes as f64 / b.total_bytes.max(1) as f64),
                    t.top
                        .first()
                        .map_or("-".into(), |e| format!("{} ({})", e.key, fmt_bytes(e.bytes as f64))),
                ]
            })
            .collect();
        table(out, md, &["type", "keys", "bytes", "share", "biggest"], &rows)?;
        for t in &b.by_type {
            heading(out, md, 3, &format!("Top {} keys", t.kind))?;
            table(
                out,
                md,
                &headers,
                &t.top.iter().enumerate().map(|(i, e)| key_row(i, e)).collect::<Vec<_>>(),
            )?;
        }
        heading(out, md, 3, "Key prefixes")?;
        let rows: Vec<Vec<String>> = b
            .prefixes
            .iter()
            .map(|p| {
                vec![
                    p.pattern.clone(),
                    p.keys.to_string(),
                    fmt_bytes(p.bytes as f64),
                    format!("{:.1}%", 100.0 * p.share),
                    format!("{} ({})", p.largest_key, fmt_bytes(p.largest_bytes as f64)),
                ]
            })
            .collect();
        table(out, md, &["pattern", "keys", "bytes", "share", "largest"], &rows)?;
        if b.prefix_overflow_keys > 0 {
            writeln!(
                out,
                "(further {} keys, {}, in patterns beyond the {} tracked)\n",
                b.prefix_overflow_keys,
                fmt_bytes(b.prefix_overflow_bytes as f64),
                b.prefixes_tracked
            )?;
        }
        heading(out, md, 3, "Size histogram")?;
        let rows: Vec<Vec<String>> = b
            .histogram
            .iter()
            .map(|h| {
                vec![
                    format!("{} – {}", fmt_bytes(h.min_bytes as f64), fmt_bytes(h.max_bytes as f64)),
                    h.keys.to_string(),
                    fmt_bytes(h.bytes as f64),
                ]
            })
            .collect();
        table(out, md, &["size", "keys", "bytes"], &rows)?;
    }
    if let Some(h) = &r.hotkeys {
        let method = match h.method {
            HotKeyMethod::Lfu => "lfu",
            HotKeyMethod::Monitor => "monitor",
            HotKeyMethod::Auto => "auto",
        };
        heading(out, md, 2, &format!("Hot keys (method: {method})"))?;
        writeln!(out, "{}; window {:.1} s", esc(&h.reason), h.window_secs)?;
        if let Some(n) = h.ops_seen {
            writeln!(out, "{n} commands seen for this database")?;
        }
        writeln!(out)?;
        let lfu = h.method == HotKeyMethod::Lfu;
        let mut headers = vec!["#", "key", "type", "value", "ops/s"];
        if lfu {
            headers.push("LFU before→after");
        } else {
            headers.extend(["full reads/s", "partial reads/s", "writes/s"]);
        }
        headers.push("est. bytes/s");
        let hot_row = |i: usize, e: &HotKeyEntry| {
            let mut row = vec![
                (i + 1).to_string(),
                e.key.clone(),
                e.kind.clone().unwrap_or_else(|| "-".into()),
                e.value_bytes.map_or("-".into(), |b| fmt_bytes(b as f64)),
            ];
            let ops = fmt_rate(e.ops_per_sec);
            row.push(if e.saturated {
                "saturated".into()
            } else if e.rate_is_lower_bound {
                format!("≥{ops}")
            } else {
                ops
            });
            if lfu {
                row.push(format!(
                    "{}→{}",
                    e.lfu_counter_before.map_or("-".into(), |c| c.to_string()),
                    e.lfu_counter_after.map_or("-".into(), |c| c.to_string())
                ));
            } else {
                row.extend([
                    fmt_rate(e.full_reads_per_sec),
                    fmt_rate(e.partial_reads_per_sec),
                    fmt_rate(e.writes_per_sec),
                ]);
            }
            row.push(
                e.est_bytes_per_sec
                    .map_or("-".into(), |b| format!("{}/s", fmt_bytes(b))),
            );
            row
        };
        table(
            out,
            md,
            &headers,
            &h.keys
                .iter()
                .enumerate()
                .map(|(i, e)| hot_row(i, e))
                .collect::<Vec<_>>(),
        )?;
        heading(out, md, 3, "By estimated bytes/s")?;
        table(
            out,
            md,
            &headers,
            &h.by_bytes_per_sec
                .iter()
                .enumerate()
                .map(|(i, e)| hot_row(i, e))
                .collect::<Vec<_>>(),
        )?;
        heading(out, md, 3, "Limits of this method")?;
        for l in &h.limits {
            writeln!(out, "- {}", esc(l))?;
        }
        writeln!(out)?;
    }
    if let Some(sl) = &r.slowlog {
        heading(out, md, 2, "Slow log")?;
        writeln!(
            out,
            "{} entries read (log length {}, threshold {})\n",
            sl.entries_read,
            sl.log_length,
            sl.threshold_us.map_or("?".into(), |t| format!("{t} µs"))
        )?;
        let rows: Vec<Vec<String>> = sl
            .groups
            .iter()
            .map(|g| {
                vec![
                    g.command.clone(),
                    g.key_pattern.clone().unwrap_or_else(|| "-".into()),
                    g.count.to_string(),
                    format!("{:.1}", g.total_us as f64 / 1000.0),
                    format!("{:.1}", g.worst_us as f64 / 1000.0),
                    g.worst_example.clone(),
                ]
            })
            .collect();
        if rows.is_empty() {
            writeln!(out, "(no entries)\n")?;
        } else {
            table(
                out,
                md,
                &[
                    "command",
                    "key pattern",
                    "count",
                    "total ms",
                    "worst ms",
                    "worst example",
                ],
                &rows,
            )?;
        }
    }
    if !r.notes.is_empty() {
        heading(out, md, 2, "Notes")?;
        for n in &r.notes {
            writeln!(out, "- {}", esc(n))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_with_units() {
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse_duration("5s").unwrap(), Duration::from_secs(5));
        assert_eq!(parse_duration("1m").unwrap(), Duration::from_secs(60));
        assert_eq!(parse_duration("1h30m").unwrap(), Duration::from_secs(5400));
        // A bare number is refused as `--last 15` is: seconds or minutes would be a guess.
        assert!(parse_duration("2").unwrap_err().contains("missing unit"));
        assert!(parse_duration("5 parsecs").is_err());
        assert!(parse_duration("").is_err());
    }

    #[test]
    fn bytes_are_human() {
        assert_eq!(fmt_bytes(512.0), "512 B");
        assert_eq!(fmt_bytes(1536.0), "1.5 KiB");
        assert_eq!(fmt_bytes(61.0 * 1024.0 * 1024.0), "61.0 MiB");
    }
}
