//! Host and service metrics from a CSV file: loading (long or wide form), recognising
//! what a metric measures from its name, per-series summaries for the report, and a
//! robust deviation of the incident window from the baseline that the ranking of
//! hosts and services uses.
//!
//! Owns nothing about logs; the log ↔ metric cross-checks (a log claiming "memory
//! insufficient" while memory is normal) are made by the caller from [`MetricSummary`]s.

use std::path::{Path, PathBuf};

use rustc_hash::FxHashMap;
use triage_parse::timestamp::Zone;

use crate::model::MetricSummary;
use crate::timespec::parse_time;

/// Line numbers of skipped rows quoted in warnings; the rest are only counted.
const MAX_ROW_WARNINGS: usize = 5;
/// Most bytes of a metrics file read: at about 50 bytes a row, 20 million points (some
/// 300 MB held). Past it the rest is left out with a warning, so an endless stream
/// (`--metrics /dev/stdin` fed forever, a file of newlines) ends.
const MAX_METRICS_BYTES: u64 = 1 << 30;
/// Window deviation (robust z, bad direction) from which a series is `anomalous`.
pub const ANOMALOUS_Z: f64 = 4.0;

#[derive(Debug, thiserror::Error)]
pub enum MetricsError {
    #[error("{}: cannot read metrics file: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{}:{line}: cannot read metrics CSV: {message}", path.display())]
    Csv { path: PathBuf, line: u64, message: String },
    #[error("{}: {reason}", path.display())]
    Header { path: PathBuf, reason: String },
    #[error("{}: no usable metric rows ({rows} data rows read, {skipped} skipped){}", path.display(), if warnings.is_empty() { String::new() } else { format!(": {}", warnings.join("; ")) })]
    Empty {
        path: PathBuf,
        rows: u64,
        skipped: u64,
        warnings: Vec<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MetricKind {
    Cpu,
    Memory,
    Disk,
    DiskIo,
    Load,
    Network,
    Latency,
    ClientLatency,
    SuccessRate,
    ErrorRate,
    Throughput,
    Other,
}

impl MetricKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MetricKind::Cpu => "cpu",
            MetricKind::Memory => "memory",
            MetricKind::Disk => "disk",
            MetricKind::DiskIo => "disk_io",
            MetricKind::Load => "load",
            MetricKind::Network => "network",
            MetricKind::Latency => "latency",
            MetricKind::ClientLatency => "client_latency",
            MetricKind::SuccessRate => "success_rate",
            MetricKind::ErrorRate => "error_rate",
            MetricKind::Throughput => "throughput",
            MetricKind::Other => "other",
        }
    }

    /// Report order: the host resources people read first, then service-level signals.
    fn order(self) -> u8 {
        self as u8
    }
}

/// Which way a metric moves when things get worse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Up,
    Down,
    Both,
}

/// Resource use, latency and error rates hurt when they rise; success rates when they
/// fall. Traffic (throughput, network bytes) and unrecognised metrics are bad either
/// way: a surge is a storm, a collapse means callers stopped getting through.
pub fn bad_direction(kind: MetricKind) -> Direction {
    match kind {
        MetricKind::SuccessRate => Direction::Down,
        MetricKind::Throughput | MetricKind::Network | MetricKind::Other => Direction::Both,
        _ => Direction::Up,
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct MetricSeries {
    pub host: String,
    pub metric: String,
    pub kind: MetricKind,
    /// Sorted by time; several points may share a time (several pods under one name).
    pub points: Vec<(i64, f64)>,
}

#[derive(Debug, Clone, Default)]
pub struct MetricsInput {
    pub series: Vec<MetricSeries>,
    pub warnings: Vec<String>,
    /// Data rows read (header excluded).
    pub rows: u64,
    /// Rows (long form) or rows without any usable cell (wide form) dropped as bad.
    /// Empty and `NaN` values are missing data, not bad rows, and are not counted.
    pub skipped: u64,
}

/// A live source of metric series (a Prometheus server), asked once the analysis knows
/// its window and baselines.
pub trait MetricSource {
    /// What the source is, for notes: `prometheus http://127.0.0.1:9090`.
    fn describe(&self) -> String;
    /// Series covering `spans` (`[from, to)` in ns: the window first, then the baseline
    /// spans). Partial failures (one query failing, no data) are one-line `warnings`
    /// (they become report notes); `Err` when nothing could be fetched at all.
    fn fetch(&self, spans: &[(i64, i64)]) -> Result<MetricsInput, Box<dyn std::error::Error + Send + Sync>>;
}

/// Splits a metric name into lower-case words at punctuation and camelCase humps:
/// `PodServerLatencyP99(s)` → pod, server, latency, p99, s.
fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if c.is_alphanumeric() {
            if c.is_uppercase() && prev_lower && !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = c.is_lowercase() || c.is_ascii_digit();
            cur.extend(c.to_lowercase());
        } else {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Recognises what a metric measures from its name alone (Prometheus, Telegraf,
/// node-exporter, cloud-console and camelCase names).
pub fn classify(metric_name: &str) -> MetricKind {
    let w = words(metric_name);
    let has = |t: &str| w.iter().any(|x| x == t);
    let starts = |p: &str| w.iter().any(|x| x.starts_with(p));
    let latency_word = has("latency")
        || starts("latenc")
        || has("rt")
        || has("duration")
        || has("elapsed")
        || (has("response") && has("time"))
        || has("responsetime");
    if latency_word && (has("client") || has("outbound") || has("downstream")) {
        return MetricKind::ClientLatency;
    }
    if latency_word {
        return MetricKind::Latency;
    }
    if starts("success") || has("availability") || has("sla") {
        return MetricKind::SuccessRate;
    }
    if starts("error") || has("err") || starts("fail") || has("5xx") || starts("exception") || starts("fault") {
        return MetricKind::ErrorRate;
    }
    if has("workload")
        || has("requests")
        || has("invocations")
        || has("calls")
        || has("hits")
        || has("qps")
        || has("rps")
        || has("tps")
        || has("ops")
        || has("throughput")
        || (starts("request") && (has("per") || has("rate") || has("total") || has("count")))
    {
        return MetricKind::Throughput;
    }
    if has("net")
        || starts("network")
        || has("rx")
        || has("tx")
        || has("receive")
        || has("transmit")
        || has("bandwidth")
        || starts("packet")
        || has("download")
        || has("upload")
    {
        return MetricKind::Network;
    }
    let disk_word =
        starts("disk") || starts("filesystem") || has("fs") || has("inode") || has("inodes") || has("storage");
    if has("io")
        || has("iops")
        || has("iowait")
        || has("ioutil")
        || has("diskio")
        || (disk_word && (starts("read") || starts("write") || has("await") || has("busy") || has("queue")))
    {
        return MetricKind::DiskIo;
    }
    if disk_word || has("partition") || has("volume") {
        return MetricKind::Disk;
    }
    if starts("mem") || has("heap") || has("rss") || has("swap") {
        return MetricKind::Memory;
    }
    if starts("cpu") || has("processor") {
        return MetricKind::Cpu;
    }
    if starts("load") {
        return MetricKind::Load;
    }
    // A bare percentile (`p99_ms`) is almost always a latency, and so is a name whose
    // only unit is a time (`api_ms`, `checkout(s)`, `backend_seconds`).
    if w.iter()
        .any(|x| x.len() >= 3 && x.starts_with('p') && x[1..].bytes().all(|b| b.is_ascii_digit()))
    {
        return MetricKind::Latency;
    }
    if w.iter().skip(1).any(|x| {
        matches!(
            x.as_str(),
            "ms" | "msec" | "millis" | "milliseconds" | "s" | "sec" | "seconds" | "us"
        )
    }) {
        return MetricKind::Latency;
    }
    MetricKind::Other
}

// ---- loading --------------------------------------------------------------------------

#[derive(Clone, Copy)]
enum Layout {
    Long {
        time: usize,
        host: Option<usize>,
        metric: usize,
        value: usize,
    },
    Wide {
        time: usize,
        host: Option<usize>,
    },
}

fn header_layout(headers: &[String]) -> Result<Layout, String> {
    let find = |names: &[&str]| headers.iter().position(|h| names.contains(&h.as_str()));
    let time = find(&["timestamp", "time", "ts", "datetime", "date", "@timestamp"]).ok_or_else(|| {
        format!(
            "no time column (want timestamp, time or ts; found {})",
            headers.join(",")
        )
    })?;
    let host = find(&["host", "hostname", "instance", "pod", "service", "node"]);
    let metric = find(&["metric", "name", "metric_name"]);
    let value = find(&["value", "val"]);
    match (metric, value) {
        (Some(metric), Some(value)) => Ok(Layout::Long {
            time,
            host,
            metric,
            value,
        }),
        _ => {
            if headers.len() <= 1 + host.is_some() as usize {
                return Err(format!(
                    "no metric columns: want long form timestamp,host,metric,value or wide form timestamp,host,<metric>... (found {})",
                    headers.join(",")
                ));
            }
            Ok(Layout::Wide { time, host })
        }
    }
}

/// A metric cell: `42`, `42%`, `1.2e3`. `Ok(None)` for missing data (empty, `NaN`,
/// `null`, `-`, infinities).
fn parse_value(cell: &str) -> Result<Option<f64>, ()> {
    let t = cell.trim();
    let t = t.strip_suffix('%').map(str::trim_end).unwrap_or(t);
    if t.is_empty()
        || t == "-"
        || t.eq_ignore_ascii_case("nan")
        || t.eq_ignore_ascii_case("null")
        || t.eq_ignore_ascii_case("none")
        || t.eq_ignore_ascii_case("n/a")
    {
        return Ok(None);
    }
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(Some(v)),
        Ok(_) => Ok(None),
        Err(_) => Err(()),
    }
}

struct Builder {
    /// host → metric → index into `series`; two-level so a row is looked up by `&str`
    /// without allocating.
    index: FxHashMap<String, FxHashMap<String, usize>>,
    series: Vec<MetricSeries>,
}

impl Builder {
    fn push(&mut self, host: &str, metric: &str, t: i64, v: f64) {
        let idx = match self.index.get(host).and_then(|m| m.get(metric)) {
            Some(&i) => i,
            None => {
                let i = self.series.len();
                self.series.push(MetricSeries {
                    host: host.to_string(),
                    metric: metric.to_string(),
                    kind: classify(metric),
                    points: Vec::new(),
                });
                self.index
                    .entry(host.to_string())
                    .or_default()
                    .insert(metric.to_string(), i);
                i
            }
        };
        self.series[idx].points.push((t, v));
    }
}

/// Loads a metrics CSV. Long form: `timestamp,host,metric,value`; wide form:
/// `timestamp,host,<metric>,<metric>...`. Header names are case-insensitive; a file
/// without a host column takes its file stem as the host. Zone-less timestamps are
/// read in `zone`.
pub fn load_metrics(path: &Path, zone: &Zone) -> Result<MetricsInput, MetricsError> {
    load_metrics_capped(path, zone, MAX_METRICS_BYTES)
}

/// [`load_metrics`] reading at most `max_bytes` of the file.
fn load_metrics_capped(path: &Path, zone: &Zone, max_bytes: u64) -> Result<MetricsInput, MetricsError> {
    let io_err = |source| MetricsError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut file = std::fs::File::open(path).map_err(io_err)?;
    let file_len = file.metadata().map_err(io_err)?.len();
    let ends_with_newline = last_byte(&mut file, file_len).map_err(io_err)? == Some(b'\n');
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::All)
        // Under the line cap: `--metrics /dev/zero` stops at line 1 instead of never.
        .from_reader(std::io::BufReader::with_capacity(
            1 << 16,
            crate::capped::Capped::new(file, crate::capped::MAX_LINE_BYTES, max_bytes),
        ));
    let header_err = |e: csv::Error| match e.into_kind() {
        csv::ErrorKind::Io(source) => MetricsError::Io {
            path: path.to_path_buf(),
            source,
        },
        other => MetricsError::Csv {
            path: path.to_path_buf(),
            line: 1,
            message: format!("{other:?}"),
        },
    };
    let raw_headers = rdr.byte_headers().map_err(header_err)?.clone();
    let headers: Vec<String> = raw_headers
        .iter()
        .map(|h| {
            String::from_utf8_lossy(h)
                .trim()
                .trim_start_matches('\u{feff}')
                .to_string()
        })
        .collect();
    if headers.iter().all(|h| h.is_empty()) {
        return Err(MetricsError::Header {
            path: path.to_path_buf(),
            reason: "empty file or empty header line".into(),
        });
    }
    let lower: Vec<String> = headers.iter().map(|h| h.to_lowercase()).collect();
    let layout = header_layout(&lower).map_err(|reason| MetricsError::Header {
        path: path.to_path_buf(),
        reason,
    })?;
    let default_host = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "host".into());

    let shown = path.display().to_string();
    let mut input = MetricsInput::default();
    let mut b = Builder {
        index: FxHashMap::default(),
        series: Vec::new(),
    };
    let mut bad_lines: Vec<String> = Vec::new();
    // Rows of one time are usually adjacent: parse each distinct time text once.
    let mut last_time: (Vec<u8>, i64) = (Vec::new(), 0);
    let mut rec = csv::ByteRecord::new();
    loop {
        let line_before = rdr.position().line();
        match rdr.read_byte_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                if let csv::ErrorKind::Io(source) = e.into_kind() {
                    // Past the size cap (an endless stream, a huge file): keep the rows
                    // read and say where reading stopped.
                    if let Some(stop @ crate::capped::Stop::Large { .. }) = &rdr.get_ref().get_ref().stop {
                        input.warnings.push(format!(
                            "{shown}:{}: {stop}; the rows after it are not used",
                            stop.line()
                        ));
                        break;
                    }
                    return Err(MetricsError::Io {
                        path: path.to_path_buf(),
                        source,
                    });
                }
                input.rows += 1;
                input.skipped += 1;
                if bad_lines.len() < MAX_ROW_WARNINGS {
                    bad_lines.push(format!("{shown}:{line_before}: malformed CSV row"));
                }
                continue;
            }
        }
        // The record's own start position would point at any blank lines the reader
        // skipped before it; its end does not.
        let end = rdr.position();
        let line = if end.byte() == file_len && !ends_with_newline {
            end.line()
        } else {
            end.line().saturating_sub(1).max(line_before)
        };
        if rec.iter().all(|c| c.is_empty()) {
            continue; // blank line
        }
        input.rows += 1;
        let mut bad = |reason: String, input: &mut MetricsInput| {
            input.skipped += 1;
            if bad_lines.len() < MAX_ROW_WARNINGS {
                bad_lines.push(format!("{shown}:{line}: {reason}"));
            }
        };
        let cell = |i: usize| rec.get(i).map(|c| String::from_utf8_lossy(c));
        let (time_idx, host_idx) = match layout {
            Layout::Long { time, host, .. } | Layout::Wide { time, host } => (time, host),
        };
        let Some(time_bytes) = rec.get(time_idx) else {
            bad("missing time cell".into(), &mut input);
            continue;
        };
        let t = if !last_time.0.is_empty() && last_time.0 == time_bytes {
            last_time.1
        } else {
            let text = String::from_utf8_lossy(time_bytes);
            match parse_time(&text, zone) {
                Ok(t) => {
                    last_time = (time_bytes.to_vec(), t);
                    t
                }
                Err(_) => {
                    bad(
                        format!("unreadable timestamp {:?}", triage_text::cut_chars(&text, 40)),
                        &mut input,
                    );
                    continue;
                }
            }
        };
        let host = match host_idx {
            Some(i) => match cell(i) {
                Some(h) if !h.is_empty() => h,
                _ => {
                    bad("missing host".into(), &mut input);
                    continue;
                }
            },
            None => std::borrow::Cow::Borrowed(default_host.as_str()),
        };
        match layout {
            Layout::Long { metric, value, .. } => {
                let (Some(name), Some(val)) = (cell(metric), cell(value)) else {
                    bad("missing metric or value cell".into(), &mut input);
                    continue;
                };
                if name.is_empty() {
                    bad("missing metric name".into(), &mut input);
                    continue;
                }
                match parse_value(&val) {
                    Ok(Some(v)) => b.push(&host, &name, t, v),
                    Ok(None) => {}
                    Err(()) => bad(
                        format!("value {:?} is not a number", triage_text::cut_chars(&val, 40)),
                        &mut input,
                    ),
                }
            }
            Layout::Wide { time, host: hcol } => {
                let mut unreadable = None;
                let mut any = false;
                for (i, name) in headers.iter().enumerate() {
                    if i == time || Some(i) == hcol || name.is_empty() {
                        continue;
                    }
                    let Some(c) = cell(i) else { continue };
                    match parse_value(&c) {
                        Ok(Some(v)) => {
                            any = true;
                            b.push(&host, name, t, v);
                        }
                        Ok(None) => {}
                        Err(()) => {
                            unreadable = Some(format!("{name}={:?} is not a number", triage_text::cut_chars(&c, 40)))
                        }
                    }
                }
                if let (false, Some(reason)) = (any, unreadable) {
                    bad(reason, &mut input);
                }
            }
        }
    }
    if input.skipped > 0 {
        let quoted = bad_lines.len() as u64;
        input.warnings.extend(bad_lines);
        if input.skipped > quoted {
            input.warnings.push(format!(
                "{shown}: {} more bad rows skipped ({} in all)",
                input.skipped - quoted,
                input.skipped
            ));
        }
    }
    b.series.retain(|s| !s.points.is_empty());
    if b.series.is_empty() {
        return Err(MetricsError::Empty {
            path: path.to_path_buf(),
            rows: input.rows,
            skipped: input.skipped,
            warnings: input.warnings,
        });
    }
    for s in &mut b.series {
        // Stable: rows of one time keep file order. Usually already sorted.
        if !s.points.windows(2).all(|w| w[0].0 <= w[1].0) {
            s.points.sort_by_key(|p| p.0);
        }
    }
    input.series = b.series;
    Ok(input)
}

fn last_byte(file: &mut std::fs::File, len: u64) -> std::io::Result<Option<u8>> {
    use std::io::{Read, Seek, SeekFrom};
    if len == 0 {
        return Ok(None);
    }
    file.seek(SeekFrom::Start(len - 1))?;
    let mut b = [0u8; 1];
    file.read_exact(&mut b)?;
    file.seek(SeekFrom::Start(0))?;
    Ok(Some(b[0]))
}

// ---- statistics -------------------------------------------------------------------------

/// Points with time in `[from, to)` (points are sorted by time).
fn slice(points: &[(i64, f64)], span: (i64, i64)) -> &[(i64, f64)] {
    let lo = points.partition_point(|p| p.0 < span.0);
    let hi = points.partition_point(|p| p.0 < span.1);
    &points[lo..hi.max(lo)]
}

fn baseline_values(points: &[(i64, f64)], baselines: &[(i64, i64)]) -> Vec<f64> {
    // Overlapping spans must not count a point twice.
    let mut spans: Vec<(i64, i64)> = baselines.iter().copied().filter(|s| s.0 < s.1).collect();
    spans.sort_unstable();
    let mut merged: Vec<(i64, i64)> = Vec::new();
    for s in spans {
        match merged.last_mut() {
            Some(last) if s.0 <= last.1 => last.1 = last.1.max(s.1),
            _ => merged.push(s),
        }
    }
    merged
        .iter()
        .flat_map(|&s| slice(points, s).iter().map(|p| p.1))
        .collect()
}

/// The usual spacing of a series' points (median positive gap), 0 with fewer than two times.
fn typical_step(points: &[(i64, f64)]) -> i64 {
    let mut gaps: Vec<i64> = points.windows(2).map(|w| w[1].0 - w[0].0).filter(|&g| g > 0).collect();
    if gaps.is_empty() {
        return 0;
    }
    gaps.sort_unstable();
    gaps[gaps.len() / 2]
}

/// The points that speak for the window, and the time they start at. A coarse series
/// (5-minute points) holds one point or none in a short window: then the point whose
/// period covers the window's start (stamped up to one step before it) counts too, and
/// failing that the first point within one step after the window.
fn window_points(points: &[(i64, f64)], window: (i64, i64)) -> (&[(i64, f64)], i64) {
    let win = slice(points, window);
    if win.len() >= 2 {
        return (win, window.0);
    }
    let step = typical_step(points);
    if step <= 0 || step <= (window.1 - window.0) / 2 {
        return (win, window.0);
    }
    let from = window.0 - step + 1;
    let wider = slice(points, (from, window.1));
    if wider.len() > win.len() {
        return (wider, wider[0].0);
    }
    if win.is_empty() {
        return (slice(points, (window.0, window.1 + step)), window.0);
    }
    (win, window.0)
}

/// Baseline values strictly before `before`.
fn baselines_before(points: &[(i64, f64)], baselines: &[(i64, i64)], before: i64) -> Vec<f64> {
    let clipped: Vec<(i64, i64)> = baselines
        .iter()
        .map(|&(a, b)| (a, b.min(before)))
        .filter(|s| s.0 < s.1)
        .collect();
    baseline_values(points, &clipped)
}

fn median(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}

/// Linear-interpolated quantile of sorted values.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let pos = q.clamp(0.0, 1.0) * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

fn mean(v: impl Iterator<Item = f64>) -> f64 {
    let (s, n) = v.fold((0.0, 0usize), |(s, n), x| (s + x, n + 1));
    if n == 0 {
        f64::NAN
    } else {
        s / n as f64
    }
}

/// How a metric's values are scaled, read from its name and its values.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Scale {
    /// 0–100.
    Percent,
    /// 0–1, shown as a percent ×100.
    Fraction,
    /// Bytes, seconds, counts, cores…: no percentage thresholds.
    Absolute,
}

/// Highest value a series named as a percentage may reach and still be read as 0–100.
const PERCENT_OVERSHOOT: f64 = 120.0;

fn scale_of(name: &str, values: impl Iterator<Item = f64> + Clone) -> Scale {
    let lower = name.to_lowercase();
    let w = words(name);
    let has = |t: &str| w.iter().any(|x| x == t);
    let explicit_percent = lower.contains('%') || has("percent") || has("pct") || has("percentage");
    let unit_words = [
        "bytes",
        "byte",
        "b",
        "kb",
        "mb",
        "gb",
        "kib",
        "mib",
        "gib",
        "mi",
        "gi",
        "ki",
        "m",
        "s",
        "ms",
        "us",
        "seconds",
        "second",
        "sec",
        "millis",
        "count",
        "total",
        "cores",
        "core",
        "millicores",
        "ops",
        "num",
        "number",
        "qps",
    ];
    if !explicit_percent && w.iter().any(|x| unit_words.contains(&x.as_str())) {
        return Scale::Absolute;
    }
    let (mut min, mut max) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values {
        min = min.min(v);
        max = max.max(v);
    }
    // A percentage of a limit derived from counters over a scrape interval overshoots a
    // little when the interval ran long (CPU 104.9 % of its limit); far beyond 100 it is
    // a multi-core percentage (400 % = four cores), which has no percent thresholds.
    let percent_max = if explicit_percent { PERCENT_OVERSHOOT } else { 100.0 };
    if min < -1e-9 || max > percent_max + 1e-6 {
        return Scale::Absolute;
    }
    if explicit_percent {
        return Scale::Percent;
    }
    if max <= 1.0 {
        Scale::Fraction
    } else {
        Scale::Percent
    }
}

/// Robust deviation of the window from the baseline, in the bad direction.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Deviation {
    /// (window mean − baseline median) / robust sigma, signed so that positive means
    /// worse (for [`Direction::Both`]: the absolute value). Bounded in practice: the
    /// sigma floors keep a jump from a flat baseline near ±100 instead of ±∞.
    pub z: f64,
    pub window_avg: f64,
    pub baseline_avg: f64,
    /// (window_avg − baseline_avg) / |baseline_avg|; ±∞ when the baseline average is 0
    /// and the window's is not.
    pub relative_change: f64,
    /// First window point beyond baseline median + 3 robust sigmas in the bad direction.
    pub first_bad: Option<i64>,
}

/// Compares the window with the baseline spans robustly (median and MAD, so that one
/// earlier spike in the baseline does not hide the incident). The sigma is floored at
/// the baseline's 90th (10th) percentile distance from the median, at 5% of |median|,
/// at 1% of the largest |value| seen, and for percentages at one percentage point: a
/// flat baseline (MAD 0) would otherwise turn noise into huge z.
/// None without baseline or window points.
pub fn deviation(series: &MetricSeries, window: (i64, i64), baselines: &[(i64, i64)]) -> Option<Deviation> {
    let (win, from) = window_points(&series.points, window);
    let mut base = baseline_values(&series.points, baselines);
    if from < window.0 {
        // The point read for the window is not baseline too.
        base = baselines_before(&series.points, baselines, from);
    }
    if win.is_empty() || base.is_empty() {
        return None;
    }
    let window_avg = mean(win.iter().map(|p| p.1));
    let baseline_avg = mean(base.iter().copied());
    let all = base.iter().copied().chain(win.iter().map(|p| p.1));
    let max_abs = all.clone().fold(0.0f64, |m, v| m.max(v.abs()));
    let scale = scale_of(&series.metric, all);
    drop_breaches_of_a_healthy_baseline(&mut base, series.kind, scale);
    base.sort_unstable_by(f64::total_cmp);
    let med = median(&base);
    let mut dev: Vec<f64> = base.iter().map(|v| (v - med).abs()).collect();
    dev.sort_unstable_by(f64::total_cmp);
    let mad = median(&dev);
    let direction = bad_direction(series.kind);
    // A success rate's median (~100) says nothing about its noise: only the
    // percentage-point floor applies to it.
    let rel_floor = if series.kind == MetricKind::SuccessRate && scale != Scale::Absolute {
        0.0
    } else {
        0.05 * med.abs()
    };
    let unit_floor = match scale {
        Scale::Percent => 1.0,
        Scale::Fraction => 0.01,
        Scale::Absolute => 0.01 * max_abs,
    };
    // The baseline's own tail in the bad direction, read as a normal quantile: a
    // series that is mostly 0 with regular bursts has MAD 0, yet a window at the burst
    // level is ordinary for it. One outlier among many points barely moves the decile.
    let up_tail = (quantile(&base, 0.9) - med) / 1.2816;
    let down_tail = (med - quantile(&base, 0.1)) / 1.2816;
    let tail = match direction {
        Direction::Up => up_tail,
        Direction::Down => down_tail,
        Direction::Both => up_tail.max(down_tail),
    };
    let sigma = (1.4826 * mad).max(tail).max(rel_floor).max(unit_floor).max(1e-12);
    let signed = |v: f64| {
        let d = (v - med) / sigma;
        match direction {
            Direction::Up => d,
            Direction::Down => -d,
            Direction::Both => d.abs(),
        }
    };
    let z = signed(window_avg);
    let first_bad = win.iter().find(|p| signed(p.1) > 3.0).map(|p| p.0);
    let relative_change = if baseline_avg != 0.0 {
        (window_avg - baseline_avg) / baseline_avg.abs()
    } else if window_avg == 0.0 {
        0.0
    } else {
        f64::INFINITY.copysign(window_avg)
    };
    Some(Deviation {
        z,
        window_avg,
        baseline_avg,
        relative_change,
        first_bad,
    })
}

/// A baseline is meant to be normal behaviour, but it may hold an earlier incident (a
/// CPU pinned at its limit for two of its seven minutes). Readings past the warning
/// threshold are not normal by definition: when they are at most a third of the
/// baseline they are left out of its statistics, so the earlier incident neither hides
/// this one (through a wide tail) nor sets its level. A series past the line more often
/// lives there (a batch job pinning the CPU every few minutes), and keeps every reading.
fn drop_breaches_of_a_healthy_baseline(base: &mut Vec<f64>, kind: MetricKind, scale: Scale) {
    let Some((warn, _)) = thresholds(kind) else { return };
    let factor = match scale {
        Scale::Percent => 1.0,
        Scale::Fraction => 100.0,
        Scale::Absolute => return,
    };
    let breach = |v: f64| {
        if kind == MetricKind::SuccessRate {
            v * factor < warn
        } else {
            v * factor >= warn
        }
    };
    let breaches = base.iter().filter(|&&v| breach(v)).count();
    if breaches > 0 && 3 * breaches <= base.len() {
        base.retain(|&v| !breach(v));
    }
}

/// (warning, critical) thresholds in percent for the kinds that have them.
fn thresholds(kind: MetricKind) -> Option<(f64, f64)> {
    match kind {
        MetricKind::Cpu => Some((75.0, 90.0)),
        MetricKind::Memory | MetricKind::Disk => Some((80.0, 90.0)),
        MetricKind::DiskIo => Some((70.0, 90.0)),
        // Below these: warning under 99%, critical under 95%.
        MetricKind::SuccessRate => Some((99.0, 95.0)),
        _ => None,
    }
}

fn threshold_status(series: &MetricSeries, avg: f64, min: f64, max: f64) -> Option<&'static str> {
    let (warn, crit) = thresholds(series.kind)?;
    let factor = match scale_of(&series.metric, series.points.iter().map(|p| p.1)) {
        Scale::Percent => 1.0,
        Scale::Fraction => 100.0,
        Scale::Absolute => return None,
    };
    let (avg, min, max) = (avg * factor, min * factor, max * factor);
    if series.kind == MetricKind::SuccessRate {
        if avg < crit {
            Some("critical")
        } else if avg < warn || min < crit {
            Some("warning")
        } else {
            None
        }
    } else if avg >= crit {
        Some("critical")
    } else if avg >= warn || max >= crit {
        Some("warning")
    } else {
        None
    }
}

/// One summary per host × metric with points in the window `[from, to)`, ordered by
/// host, kind (cpu, memory, disk, disk_io, load, network, then the others) and name.
/// Status: `critical`/`warning` from percentage thresholds (on the window average; a
/// peak past the critical line alone is a warning), else `anomalous` when the
/// deviation from the baseline reaches [`ANOMALOUS_Z`] in the bad direction, else
/// `normal`.
pub fn summarise(input: &MetricsInput, window: (i64, i64), baselines: &[(i64, i64)]) -> Vec<MetricSummary> {
    let mut out: Vec<(MetricKind, MetricSummary)> = Vec::new();
    for s in &input.series {
        let (win, from) = window_points(&s.points, window);
        if win.is_empty() {
            continue;
        }
        let avg = mean(win.iter().map(|p| p.1));
        let min = win.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
        let max = win.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
        let base = if from < window.0 {
            baselines_before(&s.points, baselines, from)
        } else {
            baseline_values(&s.points, baselines)
        };
        let baseline_avg = if base.is_empty() {
            None
        } else {
            Some(mean(base.iter().copied()))
        };
        let status = threshold_status(s, avg, min, max).unwrap_or_else(|| match deviation(s, window, baselines) {
            Some(d) if d.z >= ANOMALOUS_Z => "anomalous",
            _ => "normal",
        });
        out.push((
            s.kind,
            MetricSummary {
                host: s.host.clone(),
                metric: s.metric.clone(),
                kind: s.kind.as_str().to_string(),
                avg,
                min,
                max,
                baseline_avg,
                status: status.to_string(),
                samples: win.len() as u64,
            },
        ));
    }
    out.sort_by(|a, b| {
        a.1.host
            .cmp(&b.1.host)
            .then(a.0.order().cmp(&b.0.order()))
            .then_with(|| a.1.metric.cmp(&b.1.metric))
    });
    out.into_iter().map(|(_, m)| m).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    const S: i64 = 1_000_000_000;
    const MIN: i64 = 60 * S;
    // 2025-12-19T02:00:00Z
    const T0: i64 = 1_766_109_600 * S;

    fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
        let p = dir.path().join(name);
        std::fs::File::create(&p).unwrap().write_all(text.as_bytes()).unwrap();
        p
    }

    fn series(metric: &str, points: &[(i64, f64)]) -> MetricSeries {
        MetricSeries {
            host: "web-1".into(),
            metric: metric.into(),
            kind: classify(metric),
            points: points.to_vec(),
        }
    }

    #[test]
    fn classifies_common_metric_names() {
        use MetricKind::*;
        let cases = [
            ("cpu_usage", Cpu),
            ("CpuUsageRate(%)", Cpu),
            ("CpuUsage(m)", Cpu),
            ("node_cpu_busy", Cpu),
            ("NodeCpuUsageRate(%)", Cpu),
            ("mem_used_percent", Memory),
            ("MemoryUsageRate(%)", Memory),
            ("jvm_heap_used_bytes", Memory),
            ("disk_used_pct", Disk),
            ("filesystem_used", Disk),
            ("disk_io_util", DiskIo),
            ("io_util", DiskIo),
            ("disk_read_bytes", DiskIo),
            ("load5", Load),
            ("load_avg_5m", Load),
            ("node_load15", Load),
            ("net_rx_bytes", Network),
            ("NetworkReceiveBytes", Network),
            ("NodeNetworkReceiveBytes", Network),
            ("PodServerLatencyP99(s)", Latency),
            ("LatencyP50(s)", Latency),
            ("http_request_duration_seconds", Latency),
            ("p99_ms", Latency),
            ("PodClientLatencyP99(s)", ClientLatency),
            ("PodSuccessRate(%)", SuccessRate),
            ("SuccessRate(%)", SuccessRate),
            ("error_rate", ErrorRate),
            ("http_5xx", ErrorRate),
            ("PodWorkload(Ops)", Throughput),
            ("qps", Throughput),
            ("requests_per_sec", Throughput),
            ("SyscallRead", Other),
            ("gc_pause_count", Other),
        ];
        for (name, want) in cases {
            assert_eq!(classify(name), want, "{name}");
        }
        assert_eq!(MetricKind::DiskIo.as_str(), "disk_io");
        assert_eq!(MetricKind::ClientLatency.as_str(), "client_latency");
    }

    #[test]
    fn classifies_generic_service_metric_names() {
        use MetricKind::*;
        let cases = [
            ("requests", Throughput),
            ("Invocations", Throughput),
            ("calls", Throughput),
            ("availability", SuccessRate),
            ("Availability(%)", SuccessRate),
            ("faults", ErrorRate),
            ("FaultRate", ErrorRate),
            ("latency", Latency),
            ("latency_p90_ms", Latency),
            ("checkout_ms", Latency),
            ("backend(s)", Latency),
            ("SyscallRead", Other),
        ];
        for (name, want) in cases {
            assert_eq!(classify(name), want, "{name}");
        }
    }

    #[test]
    fn coarse_series_speak_for_a_short_window() {
        // 5-minute points; a 3-minute window holds none of them.
        let pts: Vec<(i64, f64)> = (0..13)
            .map(|i| (T0 + i * 5 * MIN, if i == 12 { 90.0 } else { 10.0 + (i % 3) as f64 }))
            .collect();
        let s = series("latency_ms", &pts);
        let window = (T0 + 61 * MIN, T0 + 64 * MIN);
        // The point stamped 11:00 (T0 + 60 min) covers the window's start.
        let (win, from) = window_points(&s.points, window);
        assert_eq!((win.len(), from), (1, T0 + 60 * MIN));
        let d = deviation(&s, window, &[(T0, T0 + 61 * MIN)]).unwrap();
        // …and is no longer baseline: 90 against the 12 points before it (10, 11, 12
        // repeating: median 11, MAD 1 → sigma 1.4826; the 5% floor is 0.55, the 1%
        // floor 0.9, the upper tail (11.9 − 11) / 1.2816): z = 79 / 1.4826.
        assert_eq!(d.window_avg, 90.0);
        assert!((d.z - 79.0 / 1.4826).abs() < 1e-9, "{d:?}");
        // A window between the last point and the next: the next one within a step counts.
        let pts2: Vec<(i64, f64)> = pts[..12].to_vec();
        let s2 = series("latency_ms", &pts2);
        assert!(deviation(&s2, (T0 + 56 * MIN, T0 + 58 * MIN), &[(T0, T0 + 50 * MIN)]).is_some());
        // Minute data with a gap in the window is not widened: the gap is missing data.
        let minute: Vec<(i64, f64)> = (0..60)
            .filter(|i| !(20..25).contains(i))
            .map(|i| (T0 + i * MIN, 1.0))
            .collect();
        let (win, from) = window_points(&minute, (T0 + 20 * MIN, T0 + 24 * MIN));
        assert_eq!((win.len(), from), (0, T0 + 20 * MIN));
    }

    #[test]
    fn directions() {
        assert_eq!(bad_direction(MetricKind::SuccessRate), Direction::Down);
        assert_eq!(bad_direction(MetricKind::Cpu), Direction::Up);
        assert_eq!(bad_direction(MetricKind::Latency), Direction::Up);
        assert_eq!(bad_direction(MetricKind::Throughput), Direction::Both);
    }

    #[test]
    fn loads_long_form_with_aliases_percent_and_bad_rows() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            &dir,
            "m.csv",
            "\u{feff}Time,Instance,Name,Value\n\
             2025-12-19T02:00:00Z,web-1,cpu_usage,42%\n\
             2025-12-19T02:00:00Z,web-1,mem_used_percent,1.2e1\n\
             2025-12-19 10:01:00,web-1,cpu_usage,50\n\
             not-a-time,web-1,cpu_usage,1\n\
             1766109720,web-2,cpu_usage,NaN\n\
             1766109720000,web-2,cpu_usage,7\n\
             2025-12-19T02:03:00Z,web-2,cpu_usage,lots\n\
             \n\
             2025-12-19T02:04:00Z,,cpu_usage,3\n",
        );
        let m = load_metrics(&p, &Zone::parse("+08:00").unwrap()).unwrap();
        assert_eq!(m.rows, 8);
        assert_eq!(m.skipped, 3);
        assert_eq!(m.warnings.len(), 3, "{:?}", m.warnings);
        assert!(
            m.warnings[0].ends_with("m.csv:5: unreadable timestamp \"not-a-time\""),
            "{:?}",
            m.warnings
        );
        assert!(
            m.warnings[1].contains("m.csv:8: value \"lots\" is not a number"),
            "{:?}",
            m.warnings
        );
        assert!(m.warnings[2].contains("m.csv:10: missing host"), "{:?}", m.warnings);
        let cpu1 = m
            .series
            .iter()
            .find(|s| s.host == "web-1" && s.metric == "cpu_usage")
            .unwrap();
        assert_eq!(cpu1.kind, MetricKind::Cpu);
        // The zone-less row is in +08:00: 10:01 local is 02:01Z.
        assert_eq!(cpu1.points, vec![(T0, 42.0), (T0 + MIN, 50.0)]);
        let mem = m.series.iter().find(|s| s.metric == "mem_used_percent").unwrap();
        assert_eq!(mem.points, vec![(T0, 12.0)]);
        let cpu2 = m.series.iter().find(|s| s.host == "web-2").unwrap();
        assert_eq!(cpu2.points, vec![(T0 + 2 * MIN, 7.0)]);
    }

    #[test]
    fn loads_wide_form_sorted_with_file_stem_as_host() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            &dir,
            "db-01.csv",
            "ts,CPU_Usage,disk_used_pct,load5\n\
             2025-12-19T02:01:00Z,80,55,1.5\n\
             2025-12-19T02:00:00Z,70,,1.0\n\
             2025-12-19T02:02:00Z,x,y,z\n",
        );
        let m = load_metrics(&p, &Zone::utc()).unwrap();
        assert_eq!(m.rows, 3);
        assert_eq!(m.skipped, 1);
        assert!(m.warnings[0].contains("db-01.csv:4:"), "{:?}", m.warnings);
        assert_eq!(m.series.len(), 3);
        let cpu = &m.series[0];
        assert_eq!(
            (cpu.host.as_str(), cpu.metric.as_str(), cpu.kind),
            ("db-01", "CPU_Usage", MetricKind::Cpu)
        );
        assert_eq!(cpu.points, vec![(T0, 70.0), (T0 + MIN, 80.0)]);
        assert_eq!(m.series[1].points, vec![(T0 + MIN, 55.0)]);
        assert_eq!(m.series[2].kind, MetricKind::Load);
    }

    #[test]
    fn errors_name_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope.csv");
        let e = load_metrics(&missing, &Zone::utc()).unwrap_err();
        assert!(
            matches!(e, MetricsError::Io { .. }) && e.to_string().contains("nope.csv"),
            "{e}"
        );

        let p = write(&dir, "bad.csv", "timestamp,host,metric,value\ngarbage,h,cpu,1\n");
        let e = load_metrics(&p, &Zone::utc()).unwrap_err();
        let msg = e.to_string();
        assert!(
            matches!(
                e,
                MetricsError::Empty {
                    rows: 1,
                    skipped: 1,
                    ..
                }
            ),
            "{msg}"
        );
        assert!(
            msg.contains("bad.csv") && msg.contains("bad.csv:2: unreadable timestamp"),
            "{msg}"
        );

        let p = write(&dir, "empty.csv", "");
        assert!(load_metrics(&p, &Zone::utc())
            .unwrap_err()
            .to_string()
            .contains("empty.csv"));

        let p = write(&dir, "notime.csv", "host,cpu\nh,1\n");
        let msg = load_metrics(&p, &Zone::utc()).unwrap_err().to_string();
        assert!(msg.contains("notime.csv") && msg.contains("no time column"), "{msg}");
    }

    /// Regression: a metrics stream that never ends (newlines forever, a huge file) was
    /// read forever. Past the size cap the rows read are kept and a warning says where
    /// reading stopped.
    #[test]
    fn a_metrics_file_past_the_size_cap_keeps_its_first_rows() {
        let dir = tempfile::tempdir().unwrap();
        let mut text = String::from("timestamp,host,metric,value\n");
        for k in 0..1000 {
            text.push_str(&format!("2025-12-19T02:{:02}:{:02}Z,h,cpu,{k}\n", k / 60 % 60, k % 60));
        }
        let path = write(&dir, "m.csv", &text);
        let m = load_metrics_capped(&path, &Zone::utc(), 4096).unwrap();
        assert!(m.rows > 50 && m.rows < 1000, "{}", m.rows);
        let points: usize = m.series.iter().map(|s| s.points.len()).sum();
        assert_eq!(points as u64, m.rows);
        let warning = m.warnings.last().expect("a warning");
        assert!(
            warning.contains("m.csv:") && warning.contains("file larger than"),
            "{warning}"
        );
        // Blank lines count towards the cap too: a stream of newlines ends.
        let blank = write(
            &dir,
            "blank.csv",
            &format!("timestamp,host,metric,value\n{}", "\n".repeat(100_000)),
        );
        match load_metrics_capped(&blank, &Zone::utc(), 4096) {
            Err(MetricsError::Empty { rows: 0, warnings, .. }) => {
                assert!(warnings.iter().any(|w| w.contains("file larger than")), "{warnings:?}")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn many_bad_rows_are_counted_but_only_a_few_quoted() {
        let dir = tempfile::tempdir().unwrap();
        let mut text = String::from("timestamp,host,metric,value\n2025-12-19T02:00:00Z,h,cpu,1\n");
        for _ in 0..20 {
            text.push_str("2025-12-19T02:00:00Z,h,cpu,oops\n");
        }
        let m = load_metrics(&write(&dir, "m.csv", &text), &Zone::utc()).unwrap();
        assert_eq!(m.skipped, 20);
        assert_eq!(m.warnings.len(), MAX_ROW_WARNINGS + 1);
        assert!(m
            .warnings
            .last()
            .unwrap()
            .contains("15 more bad rows skipped (20 in all)"));
    }

    #[test]
    fn last_row_without_newline_keeps_its_line_number() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            &dir,
            "m.csv",
            "timestamp,host,metric,value\r\n\r\n2025-12-19T02:00:00Z,h,cpu,1\r\n2025-12-19T02:00:00Z,h,cpu,bad",
        );
        let m = load_metrics(&p, &Zone::utc()).unwrap();
        assert_eq!(
            m.warnings,
            vec![format!("{}:4: value \"bad\" is not a number", p.display())]
        );
    }

    fn minute_points(values: &[f64], start: i64) -> Vec<(i64, f64)> {
        values
            .iter()
            .enumerate()
            .map(|(i, &v)| (start + i as i64 * MIN, v))
            .collect()
    }

    #[test]
    fn deviation_is_robust_and_signed_by_bad_direction() {
        let base = [
            20.0, 22.0, 21.0, 19.0, 20.0, 95.0, /* one earlier spike */ 21.0, 20.0, 22.0, 19.0, 20.0, 22.0, 21.0,
            19.0, 20.0, 21.0, 21.0, 20.0, 22.0, 19.0,
        ];
        let mut pts = minute_points(&base, T0);
        pts.extend(minute_points(&[21.0, 60.0, 85.0, 90.0], T0 + 30 * MIN));
        let s = series("cpu_usage", &pts);
        let baselines = [(T0, T0 + 20 * MIN)];
        let window = (T0 + 30 * MIN, T0 + 34 * MIN);
        let d = deviation(&s, window, &baselines).unwrap();
        // The spike at 95 is past CPU's warning line in 1 of 20 readings: an earlier
        // incident, left out. The other 19: median 20, MAD 1 (1.48), 90th percentile 22
        // → sigma (22 − 20) / 1.2816.
        assert!((d.window_avg - 64.0).abs() < 1e-9);
        assert!((d.z - (64.0 - 20.0) / (2.0 / 1.2816)).abs() < 1e-6, "{}", d.z);
        assert!((d.baseline_avg - 24.2).abs() < 1e-9);
        assert_eq!(d.first_bad, Some(T0 + 31 * MIN));

        // The same move in a success rate is good news: negative z.
        let s = series("PodSuccessRate(%)", &pts);
        assert!(deviation(&s, window, &baselines).unwrap().z < 0.0);
        // No baseline points → None.
        assert!(deviation(&s, window, &[(T0 - 100 * MIN, T0 - 50 * MIN)]).is_none());
        assert!(deviation(&s, (T0 + 100 * MIN, T0 + 110 * MIN), &baselines).is_none());
    }

    #[test]
    fn flat_baselines_do_not_explode() {
        // Success rate flat at 100: a drop to 99.9 is noise, a drop to 90 is not.
        let mut pts = minute_points(&[100.0; 10], T0);
        pts.extend(minute_points(&[99.9, 99.9], T0 + 20 * MIN));
        let s = series("PodSuccessRate(%)", &pts);
        let w = (T0 + 20 * MIN, T0 + 22 * MIN);
        let b = [(T0, T0 + 10 * MIN)];
        let d = deviation(&s, w, &b).unwrap();
        assert!(d.z > 0.0 && d.z < 1.0, "{}", d.z);
        assert_eq!(d.first_bad, None);
        let mut pts = minute_points(&[100.0; 10], T0);
        pts.extend(minute_points(&[90.0, 80.0], T0 + 20 * MIN));
        let d = deviation(&series("PodSuccessRate(%)", &pts), w, &b).unwrap();
        assert!((d.z - 15.0).abs() < 1e-9, "{}", d.z);
        assert_eq!(d.first_bad, Some(T0 + 20 * MIN));

        // Latency in seconds flat at 0: a jump stays finite (1% of the largest value).
        let mut pts = minute_points(&[0.0; 10], T0);
        pts.extend(minute_points(&[2.0, 2.0], T0 + 20 * MIN));
        let d = deviation(&series("PodServerLatencyP99(s)", &pts), w, &b).unwrap();
        assert!((d.z - 100.0).abs() < 1e-9, "{}", d.z);
        assert!(d.relative_change.is_infinite());

        // Mostly idle with regular bursts: a window at the burst level is ordinary,
        // ten times the burst level is not.
        let bursty: Vec<f64> = (0..30).map(|i| if i % 4 == 0 { 0.5 } else { 0.0 }).collect();
        let mut pts = minute_points(&bursty, T0 - 20 * MIN);
        pts.extend(minute_points(&[0.5, 0.0], T0 + 20 * MIN));
        let b30 = [(T0 - 20 * MIN, T0 + 10 * MIN)];
        let d = deviation(&series("PodServerLatencyP99(s)", &pts), w, &b30).unwrap();
        assert!(d.z < 1.0 && d.first_bad.is_none(), "{d:?}");
        let mut pts = minute_points(&bursty, T0 - 20 * MIN);
        pts.extend(minute_points(&[5.0, 5.0], T0 + 20 * MIN));
        let d = deviation(&series("PodServerLatencyP99(s)", &pts), w, &b30).unwrap();
        assert!(d.z > 10.0 && d.first_bad == Some(T0 + 20 * MIN), "{d:?}");

        // Throughput collapsing is bad too (both directions).
        let mut pts = minute_points(&[500.0, 510.0, 490.0, 505.0, 495.0], T0);
        pts.extend(minute_points(&[20.0, 10.0], T0 + 20 * MIN));
        let d = deviation(&series("PodWorkload(Ops)", &pts), w, &b).unwrap();
        assert!(d.z > 10.0, "{}", d.z);
        assert!(d.relative_change < -0.9);
    }

    #[test]
    fn summaries_have_thresholds_anomalies_and_a_stable_order() {
        let b = [(T0, T0 + 10 * MIN)];
        let w = (T0 + 20 * MIN, T0 + 25 * MIN);
        let mk = |host: &str, metric: &str, base: f64, win: &[f64]| {
            let mut pts = minute_points(&[base, base * 1.02, base * 0.98, base, base * 1.01, base * 0.99], T0);
            pts.extend(minute_points(win, T0 + 20 * MIN));
            pts.push((T0 + 25 * MIN, 0.0)); // just after the window: excluded
            MetricSeries {
                host: host.into(),
                metric: metric.into(),
                kind: classify(metric),
                points: pts,
            }
        };
        let input = MetricsInput {
            series: vec![
                mk("b-host", "qps", 100.0, &[100.0, 101.0]),
                mk("a-host", "PodSuccessRate(%)", 98.0, &[97.0, 97.0, 98.0]),
                mk("a-host", "mem_used_percent", 50.0, &[85.0, 86.0]),
                mk("a-host", "cpu_usage", 0.2, &[0.95, 0.93]), // a fraction: 95%
                mk("a-host", "load5", 1.0, &[9.0, 9.5]),
                mk("a-host", "disk_used_pct", 40.0, &[41.0]),
                MetricSeries {
                    host: "a-host".into(),
                    metric: "net_rx_bytes".into(),
                    kind: MetricKind::Network,
                    points: vec![(T0, 1.0)],
                },
            ],
            ..Default::default()
        };
        let out = summarise(&input, w, &b);
        let got: Vec<(&str, &str, &str)> = out
            .iter()
            .map(|m| (m.host.as_str(), m.metric.as_str(), m.status.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("a-host", "cpu_usage", "critical"),
                ("a-host", "mem_used_percent", "warning"),
                ("a-host", "disk_used_pct", "normal"),
                ("a-host", "load5", "anomalous"),
                ("a-host", "PodSuccessRate(%)", "warning"),
                ("b-host", "qps", "normal"),
            ]
        );
        let cpu = &out[0];
        assert_eq!(cpu.kind, "cpu");
        assert_eq!(cpu.samples, 2);
        assert!((cpu.avg - 0.94).abs() < 1e-9 && cpu.max == 0.95 && cpu.min == 0.93);
        assert!((cpu.baseline_avg.unwrap() - 0.2).abs() < 1e-9);
        // Without a baseline: thresholds still apply, nothing is "anomalous".
        let out = summarise(&input, w, &[]);
        assert_eq!(out[3].status, "normal");
        assert_eq!(out[3].baseline_avg, None);
        assert_eq!(out[0].status, "critical");
    }

    #[test]
    fn absolute_units_get_no_percent_thresholds() {
        // MemoryUsage(Mi) of 95 is 95 MiB, not 95%.
        let pts = minute_points(&[95.0, 96.0], T0);
        let input = MetricsInput {
            series: vec![series("MemoryUsage(Mi)", &pts)],
            ..Default::default()
        };
        let out = summarise(&input, (T0, T0 + 10 * MIN), &[]);
        assert_eq!(out[0].status, "normal");
        assert_eq!(out[0].kind, "memory");
    }

    #[test]
    fn an_earlier_incident_in_the_baseline_is_left_out_of_it() {
        // Regression: two baseline minutes of an earlier CPU incident widened the tail
        // so far that the next one, at its limit for three minutes, read z 1.3.
        let base = [104.9, 87.7, 23.6, 19.7, 20.7, 25.7, 27.2];
        let mut pts = minute_points(&base, T0);
        pts.extend(minute_points(&[99.6, 99.9, 80.3], T0 + 7 * MIN));
        let baselines = [(T0, T0 + 7 * MIN)];
        let window = (T0 + 7 * MIN, T0 + 10 * MIN);
        let d = deviation(&series("CpuUsageRate(%)", &pts), window, &baselines).unwrap();
        assert!(d.z > 10.0, "{}", d.z);
        // A series past the line in more than a third of its baseline lives there (a
        // batch job pinning the CPU every few minutes): nothing is left out, and the
        // same window is ordinary for it.
        let base = [88.0, 23.0, 91.0, 22.0, 86.0, 24.0, 25.0];
        let mut pts = minute_points(&base, T0);
        pts.extend(minute_points(&[99.6, 99.9, 80.3], T0 + 7 * MIN));
        let d = deviation(&series("CpuUsageRate(%)", &pts), window, &baselines).unwrap();
        assert!(d.z < 3.0, "{}", d.z);
        // A success rate's earlier dips are its breaches.
        let base = [100.0, 100.0, 90.0, 100.0, 99.9, 100.0, 100.0];
        let mut pts = minute_points(&base, T0);
        pts.extend(minute_points(&[97.0, 97.5, 96.0], T0 + 7 * MIN));
        let d = deviation(&series("SuccessRate(%)", &pts), window, &baselines).unwrap();
        assert!(d.z > 3.0, "{}", d.z);
    }

    #[test]
    fn a_percentage_that_overshoots_a_little_keeps_its_thresholds() {
        // Regression: one baseline reading of 104.9 % (a counter rate over a long scrape
        // interval) made CPU at 93 % of its limit "normal" — no thresholds at all.
        let pts = minute_points(&[26.7, 104.9, 87.7, 23.6, 25.7, 99.6, 99.9, 80.3], T0);
        let input = MetricsInput {
            series: vec![series("CpuUsageRate(%)", &pts)],
            ..Default::default()
        };
        let out = summarise(&input, (T0 + 5 * MIN, T0 + 8 * MIN), &[(T0, T0 + 5 * MIN)]);
        assert_eq!(out[0].status, "critical");
        // Far past 100 a percentage counts cores: no percent thresholds.
        let pts = minute_points(&[150.0, 160.0, 390.0, 395.0], T0);
        let input = MetricsInput {
            series: vec![series("process_cpu_percent", &pts)],
            ..Default::default()
        };
        let out = summarise(&input, (T0 + 2 * MIN, T0 + 4 * MIN), &[(T0, T0 + 2 * MIN)]);
        assert_ne!(out[0].status, "critical");
        assert_ne!(out[0].status, "warning");
    }
}
