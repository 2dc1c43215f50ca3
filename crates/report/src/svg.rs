//! Inline SVG for the HTML report's charts: plain elements (rect, path, line, text),
//! tooltips as `<title>` children, no scripts, no external references. Coordinates are
//! in a fixed viewBox; CSS scales the drawing to the page width.

use std::fmt::Write as _;

use crate::chart::{BandKind, Chart, ChartBody, EventRow, Layer, MarkerKind, Sparkline, TimeAxis};
use crate::document::Tone;
use crate::html::escape;

/// viewBox width of the full-width charts.
const W: f64 = 1000.0;
const MARGIN_LEFT: f64 = 56.0;
const MARGIN_RIGHT: f64 = 14.0;
/// Room under the plot for the time labels.
const MARGIN_BOTTOM: f64 = 26.0;
/// Heat-map label column.
const HEAT_LABELS: f64 = 230.0;
const HEAT_ROW: f64 = 22.0;
/// At most this many heat-map columns (adjacent buckets are summed).
const HEAT_COLUMNS: usize = 120;

/// Colour-blind-friendly categorical palette (stacked layers, legend swatches).
pub(crate) const PALETTE: [&str; 8] = [
    "#0969da", "#cf222e", "#1a7f37", "#bc4c00", "#8250df", "#1b7c83", "#bf3989", "#6e7781",
];
const RECORDS: &str = "#0969da";
const ERRORS: &str = "#cf222e";
/// The darkest heat-map cell.
const ERRORS_DARK: &str = "#a40e26";
const WINDOW_FILL: &str = "#ddf4ff";
const BASELINE_FILL: &str = "#eaeef2";
const SPIKE_FILL: &str = "#fbe3a0";
const ERROR_SPIKE_FILL: &str = "#ffcecb";
const CHANGE: &str = "#bc4c00";
const ONSET: &str = "#8250df";
const GRID: &str = "#d8dee4";
const MUTED: &str = "#59636e";

/// One legend entry under a chart.
pub(crate) struct LegendEntry {
    pub color: &'static str,
    pub label: String,
    pub href: Option<String>,
    /// Shown after the label (a count), may be empty.
    pub value: String,
    /// Line marker instead of a filled swatch.
    pub line: bool,
}

/// A number for SVG coordinates: one decimal, none when whole.
fn n(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r == r.trunc() {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}

/// `1234` → `1.2k`, `2500000` → `2.5M`: axis labels only (exact numbers are in the tables).
fn compact(v: f64) -> String {
    let trim = |s: String| s.strip_suffix(".0").map(str::to_string).unwrap_or(s);
    if v >= 1e6 {
        format!("{}M", trim(format!("{:.1}", v / 1e6)))
    } else if v >= 1e4 {
        format!("{}k", trim(format!("{:.0}", v / 1e3)))
    } else if v >= 1e3 {
        format!("{}k", trim(format!("{:.1}", v / 1e3)))
    } else if v == v.trunc() {
        format!("{}", v as i64)
    } else {
        format!("{v:.1}")
    }
}

/// Tick step (1, 2 or 5 × 10^k) giving at most `ticks` intervals up to `max`.
fn nice_step(max: f64, ticks: f64) -> f64 {
    if max.is_nan() || max <= 0.0 || !max.is_finite() {
        return 1.0;
    }
    let raw = max / ticks;
    let e = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * e)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * e)
}

/// (year, month, day, hour, minute, second) of Unix seconds, UTC (jiff does the
/// calendar; a time outside its range, ±9999 years, is clamped to it).
fn civil(t: i64) -> (i64, i64, i64, i64, i64, i64) {
    let ts = jiff::Timestamp::from_second(t).unwrap_or(if t < 0 {
        jiff::Timestamp::MIN
    } else {
        jiff::Timestamp::MAX
    });
    let dt = jiff::tz::Offset::UTC.to_datetime(ts);
    let n = |v: i8| i64::from(v);
    (
        i64::from(dt.year()),
        n(dt.month()),
        n(dt.day()),
        n(dt.hour()),
        n(dt.minute()),
        n(dt.second()),
    )
}

/// `2026-03-04 09:12:30` at UTC offset `offset` (seconds), for tooltips.
pub(crate) fn full_time(t: i64, offset: i64) -> String {
    let (y, mo, d, h, mi, s) = civil(t + offset);
    format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
}

/// Time-axis ticks: (time, label).
fn time_ticks(axis: TimeAxis, max_ticks: i64) -> Vec<(i64, String)> {
    const STEPS: [i64; 18] = [
        1, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 604800,
    ];
    let span = (axis.end - axis.start).max(1);
    let step = STEPS.iter().copied().find(|s| span / s <= max_ticks).unwrap_or(span);
    // Ticks fall on round times of the shown zone (midnight there, not in UTC).
    let mut t = (axis.start + axis.offset).div_euclid(step) * step - axis.offset;
    if t < axis.start {
        t += step;
    }
    let mut out = Vec::new();
    while t <= axis.end {
        let (_, mo, d, h, mi, s) = civil(t + axis.offset);
        let label = if step >= 86400 {
            format!("{mo:02}-{d:02}")
        } else if span > 86400 {
            format!("{mo:02}-{d:02} {h:02}:{mi:02}")
        } else if step < 60 {
            format!("{h:02}:{mi:02}:{s:02}")
        } else {
            format!("{h:02}:{mi:02}")
        };
        out.push((t, label));
        t += step;
    }
    out
}

/// Maps times and values to viewBox coordinates.
struct Plot {
    axis: TimeAxis,
    left: f64,
    right: f64,
    top: f64,
    bottom: f64,
    y_max: f64,
}

impl Plot {
    fn x(&self, t: i64) -> f64 {
        let span = (self.axis.end - self.axis.start).max(1) as f64;
        self.left + (t - self.axis.start) as f64 / span * (self.right - self.left)
    }
    fn y(&self, v: f64) -> f64 {
        let v = if self.y_max > 0.0 {
            (v / self.y_max).clamp(0.0, 1.0)
        } else {
            0.0
        };
        self.bottom - v * (self.bottom - self.top)
    }
}

/// A step-shaped band between `lower` and `upper` (one value per bucket), as path data.
fn step_band(plot: &Plot, start: i64, bucket: i64, upper: &[f64], lower: &[f64]) -> String {
    let mut d = String::new();
    let len = upper.len();
    if len == 0 {
        return d;
    }
    let x = |i: usize| plot.x(start + i as i64 * bucket);
    let _ = write!(d, "M{},{}", n(x(0)), n(plot.y(upper[0])));
    for (i, v) in upper.iter().enumerate() {
        if i > 0 {
            let _ = write!(d, "V{}", n(plot.y(*v)));
        }
        let _ = write!(d, "H{}", n(x(i + 1)));
    }
    for i in (0..len).rev() {
        let _ = write!(d, "V{}", n(plot.y(lower[i])));
        let _ = write!(d, "H{}", n(x(i)));
    }
    d.push('Z');
    d
}

/// The top edge of a step series, as path data.
fn step_line(plot: &Plot, start: i64, bucket: i64, values: &[f64]) -> String {
    let mut d = String::new();
    let x = |i: usize| plot.x(start + i as i64 * bucket);
    for (i, v) in values.iter().enumerate() {
        if i == 0 {
            let _ = write!(d, "M{},{}", n(x(0)), n(plot.y(*v)));
        } else {
            let _ = write!(d, "V{}", n(plot.y(*v)));
        }
        let _ = write!(d, "H{}", n(x(i + 1)));
    }
    d
}

fn open_svg(out: &mut String, height: f64, label: &str) {
    let _ = write!(
        out,
        "<svg class=\"chart\" viewBox=\"0 0 {W} {h}\" width=\"{W}\" height=\"{h}\" role=\"img\" aria-label=\"{label}\">",
        h = n(height),
        label = escape(label)
    );
}

/// Shaded spans with their labels and tooltips.
fn bands(out: &mut String, chart: &Chart, plot: &Plot) {
    // Label rows: (baseline y, where the last label of the row ends).
    let mut labels = String::new();
    let mut rows: Vec<(f64, f64)> = vec![
        (plot.top + 12.0, f64::NEG_INFINITY),
        (plot.top + 25.0, f64::NEG_INFINITY),
        (plot.top + 38.0, f64::NEG_INFINITY),
    ];
    for kind in [
        BandKind::Baseline,
        BandKind::Window,
        BandKind::Spike,
        BandKind::ErrorSpike,
    ] {
        for b in chart.bands.iter().filter(|b| b.kind == kind) {
            let (x0, x1) = (plot.x(b.from), plot.x(b.to));
            let (fill, opacity, first_row) = match kind {
                BandKind::Baseline => (BASELINE_FILL, 0.7, 0),
                BandKind::Window => (WINDOW_FILL, 0.8, 0),
                BandKind::Spike => (SPIKE_FILL, 0.5, 1),
                BandKind::ErrorSpike => (ERROR_SPIKE_FILL, 0.55, 1),
            };
            let _ = write!(
                out,
                "<g class=\"band\"><title>{}</title><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{fill}\" fill-opacity=\"{opacity}\"/>",
                escape(&b.title),
                n(x0),
                n(plot.top),
                n((x1 - x0).max(0.5)),
                n(plot.bottom - plot.top)
            );
            // A label fits inside its band and does not run into another one.
            let width = 6.5 * b.label.chars().count() as f64 + 8.0;
            if x1 - x0 >= width {
                if let Some(row) = rows[first_row..].iter_mut().find(|(_, end)| *end < x0) {
                    let _ = write!(
                        labels,
                        "<text x=\"{}\" y=\"{}\" class=\"band-label\">{}</text>",
                        n(x0 + 4.0),
                        n(row.0),
                        escape(&b.label)
                    );
                    row.1 = x0 + width;
                }
            }
            out.push_str("</g>");
        }
    }
    // Over every band, so a later band's tint does not fade an earlier label.
    out.push_str(&labels);
}

/// Horizontal grid lines and value labels on the left.
fn y_grid(out: &mut String, plot: &Plot, step: f64) {
    let mut v = 0.0;
    while v <= plot.y_max + step * 0.01 {
        let y = plot.y(v);
        let _ = write!(
            out,
            "<line x1=\"{}\" x2=\"{}\" y1=\"{y}\" y2=\"{y}\" stroke=\"{GRID}\" stroke-width=\"{}\"/><text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            n(plot.left),
            n(plot.right),
            if v == 0.0 { "1" } else { "0.5" },
            n(plot.left - 6.0),
            n(y + 4.0),
            compact(v),
            y = n(y)
        );
        v += step;
    }
}

/// Time labels under the plot (the zone is said in the legend).
fn x_axis(out: &mut String, plot: &Plot) {
    let ticks = time_ticks(plot.axis, 10);
    for (t, label) in &ticks {
        let x = plot.x(*t);
        // A label centred on the right edge would be cut by the viewBox.
        if x > plot.right - 16.0 {
            continue;
        }
        let _ = write!(
            out,
            "<line x1=\"{x}\" x2=\"{x}\" y1=\"{}\" y2=\"{}\" stroke=\"{MUTED}\"/><text x=\"{x}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            n(plot.bottom),
            n(plot.bottom + 4.0),
            n(plot.bottom + 16.0),
            escape(label),
            x = n(x)
        );
    }
    let _ = write!(
        out,
        "<line x1=\"{}\" x2=\"{}\" y1=\"{b}\" y2=\"{b}\" stroke=\"{MUTED}\"/>",
        n(plot.left),
        n(plot.right),
        b = n(plot.bottom)
    );
}

/// Vertical marker lines with labels in up to three rows so neighbours do not overlap.
/// Markers of one kind this close (viewBox units) share a label: `#1,#3,#4`.
const MARKER_CLUSTER: f64 = 12.0;

fn markers(out: &mut String, chart: &Chart, plot: &Plot) {
    let mut ordered: Vec<&crate::chart::Marker> = chart.markers.iter().collect();
    ordered.sort_by_key(|m| (m.kind == MarkerKind::Change, m.t));
    // Clusters of nearby markers of one kind: (x of the first, markers).
    let mut clusters: Vec<(f64, Vec<&crate::chart::Marker>)> = Vec::new();
    for m in ordered {
        let x = plot.x(m.t);
        match clusters.last_mut() {
            Some((cx, members)) if members[0].kind == m.kind && x - *cx <= MARKER_CLUSTER => members.push(m),
            _ => clusters.push((x, vec![m])),
        }
    }
    let mut placed: Vec<(f64, f64, usize)> = Vec::new();
    for (cx, members) in clusters {
        let kind = members[0].kind;
        let (color, dash) = match kind {
            MarkerKind::Change => (CHANGE, "5 3"),
            MarkerKind::Onset => (ONSET, "2 2"),
        };
        // Labels in their own order (#1,#2 — C1,C2), whatever the times.
        let mut names: Vec<&str> = members.iter().map(|m| m.label.as_str()).collect();
        names.sort_by_key(|l| {
            (
                l.trim_start_matches(|c: char| !c.is_ascii_digit())
                    .parse::<u32>()
                    .unwrap_or(u32::MAX),
                l.to_string(),
            )
        });
        let label = names.join(",");
        let width = 7.0 * label.chars().count() as f64 + 6.0;
        let (lo, hi) = (cx - width / 2.0, cx + width / 2.0);
        let row = (0..3)
            .find(|r| !placed.iter().any(|(a, b, pr)| pr == r && lo < *b && *a < hi))
            .unwrap_or(2);
        placed.push((lo, hi, row));
        let label_y = 10.0 + 11.0 * row as f64;
        out.push_str("<g class=\"marker\">");
        let _ = write!(
            out,
            "<title>{}</title>",
            escape(&members.iter().map(|m| m.title.as_str()).collect::<Vec<_>>().join("\n"))
        );
        for m in &members {
            let x = n(plot.x(m.t));
            let _ = write!(
                out,
                "<line x1=\"{x}\" x2=\"{x}\" y1=\"{}\" y2=\"{}\" stroke=\"{color}\" stroke-width=\"1.5\" stroke-dasharray=\"{dash}\"/>\
                 <line x1=\"{x}\" x2=\"{x}\" y1=\"{}\" y2=\"{}\" stroke=\"#000\" stroke-opacity=\"0\" stroke-width=\"9\"/>",
                n(label_y + 2.0),
                n(plot.bottom),
                n(label_y + 2.0),
                n(plot.bottom)
            );
        }
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"{color}\" class=\"marker-label\">{}</text></g>",
            n(cx),
            n(label_y),
            escape(&label)
        );
    }
}

/// Invisible per-bucket rectangles whose tooltips give the exact figures.
fn hover_columns(out: &mut String, plot: &Plot, bucket: i64, count: usize, title: impl Fn(usize) -> Option<String>) {
    out.push_str("<g class=\"hover\">");
    for i in 0..count {
        let Some(text) = title(i) else { continue };
        let t = plot.axis.start + i as i64 * bucket;
        let (x0, x1) = (plot.x(t), plot.x(t + bucket));
        let _ = write!(
            out,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"><title>{}</title></rect>",
            n(x0),
            n(plot.top),
            n((x1 - x0).max(0.5)),
            n(plot.bottom - plot.top),
            escape(&text)
        );
    }
    out.push_str("</g>");
}

/// `2026-03-04 09:12:00 – 09:13:00 UTC+08:00`, in the axis's zone.
fn bucket_span(t: i64, bucket: i64, offset: i64) -> String {
    let end = full_time(t + bucket, offset);
    format!(
        "{} – {} UTC{}",
        full_time(t, offset),
        end.get(11..).unwrap_or(&end),
        crate::chart::offset_suffix(offset)
    )
}

/// The SVG of a full-width chart.
pub(crate) fn chart_svg(chart: &Chart) -> String {
    match &chart.body {
        ChartBody::Volume { records, errors } => volume_svg(chart, records, errors),
        ChartBody::Stacked { layers } => stacked_svg(chart, layers),
        ChartBody::Heatmap { rows } => heatmap_svg(chart, rows),
        ChartBody::Events { rows } => events_svg(chart, rows),
    }
}

/// Colour of a timeline kind's dots.
fn event_color(kind: &str) -> &'static str {
    match kind {
        "change" => CHANGE,
        "spike" => ERRORS,
        "onset" => ONSET,
        "first_seen" => "#1b7c83",
        "metric" => "#9a6700",
        _ => "#6e7781",
    }
}

fn events_svg(chart: &Chart, rows: &[EventRow]) -> String {
    let label_width = 130.0;
    let top = 6.0;
    let height = top + HEAT_ROW * rows.len() as f64 + MARGIN_BOTTOM + 4.0;
    let plot = Plot {
        axis: chart.axis,
        left: label_width,
        right: W - MARGIN_RIGHT,
        top,
        bottom: top + HEAT_ROW * rows.len() as f64,
        y_max: 1.0,
    };
    let mut out = String::new();
    open_svg(&mut out, height, &chart.title);
    for (r, EventRow { kind, label, events }) in rows.iter().enumerate() {
        let y = top + HEAT_ROW * r as f64;
        let mid = n(y + HEAT_ROW / 2.0);
        let _ = write!(
            out,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#f6f8fa\"/><line x1=\"{}\" x2=\"{}\" y1=\"{mid}\" y2=\"{mid}\" stroke=\"{GRID}\"/><text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            n(plot.left),
            n(y + 1.0),
            n(plot.right - plot.left),
            n(HEAT_ROW - 2.0),
            n(plot.left),
            n(plot.right),
            n(plot.left - 8.0),
            n(y + HEAT_ROW / 2.0 + 4.0),
            escape(label)
        );
        let color = event_color(kind);
        for (t, title) in events {
            let _ = write!(
                out,
                "<circle cx=\"{}\" cy=\"{mid}\" r=\"5\" fill=\"{color}\" fill-opacity=\"0.75\" stroke=\"#fff\"><title>{}</title></circle>",
                n(plot.x(*t)),
                escape(title)
            );
        }
    }
    x_axis(&mut out, &plot);
    out.push_str("</svg>");
    out
}

fn volume_svg(chart: &Chart, records: &[u64], errors: &[u64]) -> String {
    let height = 250.0;
    let max = records.iter().copied().max().unwrap_or(0) as f64;
    let step = nice_step(max, 4.0);
    let mut plot = Plot {
        axis: chart.axis,
        left: MARGIN_LEFT,
        right: W - MARGIN_RIGHT,
        top: 36.0,
        bottom: height - MARGIN_BOTTOM,
        y_max: 0.0,
    };
    plot.y_max = ((max / step).ceil() * step).max(step);
    let mut out = String::new();
    open_svg(&mut out, height, &chart.title);
    bands(&mut out, chart, &plot);
    y_grid(&mut out, &plot, step);
    let rec: Vec<f64> = records.iter().map(|&v| v as f64).collect();
    let err: Vec<f64> = errors.iter().map(|&v| v as f64).collect();
    let zero = vec![0.0; rec.len()];
    let start = chart.axis.start;
    let _ = write!(
        out,
        "<path d=\"{}\" fill=\"{RECORDS}\" fill-opacity=\"0.22\"/><path d=\"{}\" fill=\"none\" stroke=\"{RECORDS}\" stroke-width=\"1.3\"/>",
        step_band(&plot, start, chart.bucket, &rec, &zero),
        step_line(&plot, start, chart.bucket, &rec)
    );
    let _ = write!(
        out,
        "<path d=\"{}\" fill=\"{ERRORS}\" fill-opacity=\"0.35\"/><path d=\"{}\" fill=\"none\" stroke=\"{ERRORS}\" stroke-width=\"1.3\"/>",
        step_band(&plot, start, chart.bucket, &err, &zero),
        step_line(&plot, start, chart.bucket, &err)
    );
    hover_columns(&mut out, &plot, chart.bucket, records.len(), |i| {
        let t = start + i as i64 * chart.bucket;
        Some(format!(
            "{}: {} {}, {} {}",
            bucket_span(t, chart.bucket, chart.axis.offset),
            chart.words.records,
            records[i],
            chart.words.errors,
            errors.get(i).copied().unwrap_or(0)
        ))
    });
    markers(&mut out, chart, &plot);
    x_axis(&mut out, &plot);
    out.push_str("</svg>");
    out
}

fn stacked_svg(chart: &Chart, layers: &[Layer]) -> String {
    let height = 230.0;
    let buckets = layers.iter().map(|l| l.counts.len()).max().unwrap_or(0);
    let mut cumulative: Vec<Vec<f64>> = Vec::new();
    let mut below = vec![0.0; buckets];
    for layer in layers {
        let top: Vec<f64> = (0..buckets)
            .map(|i| below[i] + layer.counts.get(i).copied().unwrap_or(0) as f64)
            .collect();
        cumulative.push(top.clone());
        below = top;
    }
    let max = below.iter().copied().fold(0.0, f64::max);
    let step = nice_step(max, 4.0);
    let mut plot = Plot {
        axis: chart.axis,
        left: MARGIN_LEFT,
        right: W - MARGIN_RIGHT,
        top: 22.0,
        bottom: height - MARGIN_BOTTOM,
        y_max: 0.0,
    };
    plot.y_max = ((max / step).ceil() * step).max(step);
    let mut out = String::new();
    open_svg(&mut out, height, &chart.title);
    bands(&mut out, chart, &plot);
    y_grid(&mut out, &plot, step);
    let zero = vec![0.0; buckets];
    for (k, layer) in layers.iter().enumerate() {
        let lower = if k == 0 { &zero } else { &cumulative[k - 1] };
        let _ = write!(
            out,
            "<path d=\"{}\" fill=\"{}\" fill-opacity=\"0.8\"><title>{}. {}: {} {}</title></path>",
            step_band(&plot, chart.axis.start, chart.bucket, &cumulative[k], lower),
            PALETTE[k % PALETTE.len()],
            k + 1,
            escape(&layer.label),
            layer.in_window,
            escape(&chart.words.in_window)
        );
    }
    hover_columns(&mut out, &plot, chart.bucket, buckets, |i| {
        let parts: Vec<String> = layers
            .iter()
            .enumerate()
            .filter_map(|(k, l)| l.counts.get(i).filter(|c| **c > 0).map(|c| format!("{}: {c}", k + 1)))
            .collect();
        (!parts.is_empty()).then(|| {
            format!(
                "{} — {}",
                bucket_span(
                    chart.axis.start + i as i64 * chart.bucket,
                    chart.bucket,
                    chart.axis.offset
                ),
                parts.join(" · ")
            )
        })
    });
    x_axis(&mut out, &plot);
    out.push_str("</svg>");
    out
}

/// White-to-red for 0..1 (square-root scaled by the caller).
fn heat(fraction: f64) -> String {
    let f = fraction.clamp(0.0, 1.0);
    let mix = |a: f64, b: f64| (a + (b - a) * f).round() as u8;
    format!(
        "#{:02x}{:02x}{:02x}",
        mix(255.0, 164.0),
        mix(220.0, 14.0),
        mix(214.0, 38.0)
    )
}

fn heatmap_svg(chart: &Chart, rows: &[Layer]) -> String {
    let top = 8.0;
    let height = top + HEAT_ROW * rows.len() as f64 + MARGIN_BOTTOM + 4.0;
    let buckets = rows.iter().map(|r| r.counts.len()).max().unwrap_or(0);
    let merge = buckets.div_ceil(HEAT_COLUMNS).max(1);
    let column = chart.bucket * merge as i64;
    let merged: Vec<Vec<u64>> = rows
        .iter()
        .map(|r| r.counts.chunks(merge).map(|c| c.iter().sum()).collect())
        .collect();
    let max = merged.iter().flatten().copied().max().unwrap_or(0).max(1) as f64;
    let plot = Plot {
        axis: chart.axis,
        left: HEAT_LABELS,
        right: W - MARGIN_RIGHT,
        top,
        bottom: top + HEAT_ROW * rows.len() as f64,
        y_max: 1.0,
    };
    let mut out = String::new();
    open_svg(&mut out, height, &chart.title);
    for (r, (row, cells)) in rows.iter().zip(&merged).enumerate() {
        let y = top + HEAT_ROW * r as f64;
        let short: String = if row.label.chars().count() > 34 {
            let tail: Vec<char> = row.label.chars().collect();
            format!("…{}", tail[tail.len() - 33..].iter().collect::<String>())
        } else {
            row.label.clone()
        };
        let _ = write!(
            out,
            "<g class=\"row\"><title>{}: {} {}</title><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#f6f8fa\"/><text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text></g>",
            escape(&row.label),
            row.in_window,
            escape(&chart.words.in_window),
            n(plot.left),
            n(y + 1.0),
            n(plot.right - plot.left),
            n(HEAT_ROW - 2.0),
            n(plot.left - 8.0),
            n(y + HEAT_ROW / 2.0 + 4.0),
            escape(&short)
        );
        for (c, &v) in cells.iter().enumerate() {
            if v == 0 {
                continue;
            }
            let t = chart.axis.start + c as i64 * column;
            let (x0, x1) = (plot.x(t), plot.x((t + column).min(chart.axis.end)));
            let _ = write!(
                out,
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"><title>{} · {}: {} {}</title></rect>",
                n(x0),
                n(y + 1.0),
                n((x1 - x0).max(0.5)),
                n(HEAT_ROW - 2.0),
                heat((v as f64 / max).sqrt()),
                escape(&row.label),
                bucket_span(t, column, chart.axis.offset),
                chart.words.errors,
                v
            );
        }
    }
    for b in &chart.bands {
        let (x0, x1) = (plot.x(b.from), plot.x(b.to));
        let _ = write!(
            out,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"{RECORDS}\" stroke-width=\"1.2\" stroke-dasharray=\"4 3\"><title>{}</title></rect>",
            n(x0),
            n(plot.top),
            n(x1 - x0),
            n(plot.bottom - plot.top),
            escape(&b.title)
        );
    }
    x_axis(&mut out, &plot);
    out.push_str("</svg>");
    out
}

/// The legend of a full-width chart.
pub(crate) fn legend(chart: &Chart) -> Vec<LegendEntry> {
    let mut out = Vec::new();
    match &chart.body {
        ChartBody::Volume { .. } => {
            out.push(LegendEntry {
                color: RECORDS,
                label: chart.words.records.clone(),
                href: None,
                value: String::new(),
                line: false,
            });
            out.push(LegendEntry {
                color: ERRORS,
                label: chart.words.errors.clone(),
                href: None,
                value: String::new(),
                line: false,
            });
        }
        ChartBody::Stacked { layers } => {
            for (k, layer) in layers.iter().enumerate() {
                out.push(LegendEntry {
                    color: PALETTE[k % PALETTE.len()],
                    label: format!("{}. {}", k + 1, layer.label),
                    href: layer.href.clone(),
                    value: format!("{} {}", layer.in_window, chart.words.in_window),
                    line: false,
                });
            }
        }
        ChartBody::Heatmap { rows } => {
            let merge = rows
                .iter()
                .map(|r| r.counts.len())
                .max()
                .unwrap_or(0)
                .div_ceil(HEAT_COLUMNS)
                .max(1);
            let max = rows
                .iter()
                .map(|r| r.counts.chunks(merge).map(|c| c.iter().sum::<u64>()).max().unwrap_or(0))
                .max()
                .unwrap_or(0);
            out.push(LegendEntry {
                color: ERRORS_DARK,
                label: chart.words.errors.clone(),
                href: None,
                value: format!("1–{max}"),
                line: false,
            });
        }
        ChartBody::Events { rows } => {
            for row in rows {
                out.push(LegendEntry {
                    color: event_color(&row.kind),
                    label: row.label.clone(),
                    href: None,
                    value: String::new(),
                    line: false,
                });
            }
        }
    }
    let mut seen: Vec<(BandKind, &str)> = Vec::new();
    for b in &chart.bands {
        if seen.contains(&(b.kind, b.label.as_str())) {
            continue;
        }
        seen.push((b.kind, b.label.as_str()));
        let color = match b.kind {
            BandKind::Baseline => BASELINE_FILL,
            BandKind::Window => WINDOW_FILL,
            BandKind::Spike => SPIKE_FILL,
            BandKind::ErrorSpike => ERROR_SPIKE_FILL,
        };
        let line = matches!(chart.body, ChartBody::Heatmap { .. });
        out.push(LegendEntry {
            color: if line { RECORDS } else { color },
            label: b.label.clone(),
            href: None,
            value: String::new(),
            line,
        });
    }
    out.push(LegendEntry {
        color: "",
        label: chart.words.times.clone(),
        href: None,
        value: String::new(),
        line: false,
    });
    out
}

/// A small chart of one metric: window shading, baseline average (dashed), the values.
pub(crate) fn sparkline_svg(s: &Sparkline) -> String {
    let (w, h) = (260.0, 64.0);
    let lo = s
        .points
        .iter()
        .map(|p| p.1)
        .chain(s.baseline_avg)
        .fold(f64::INFINITY, f64::min);
    let hi = s
        .points
        .iter()
        .map(|p| p.1)
        .chain(s.baseline_avg)
        .fold(f64::NEG_INFINITY, f64::max);
    let (lo, hi) = if hi - lo > f64::EPSILON * hi.abs().max(1.0) {
        (lo, hi)
    } else {
        (lo - 1.0, hi + 1.0)
    };
    let plot = Plot {
        axis: s.axis,
        left: 2.0,
        right: w - 2.0,
        top: 4.0,
        bottom: h - 4.0,
        y_max: 1.0,
    };
    let y = |v: f64| plot.y((v - lo) / (hi - lo));
    let color = match s.tone {
        Some(Tone::Bad) => ERRORS,
        Some(Tone::Warn) => "#9a6700",
        _ => RECORDS,
    };
    let mut out = String::new();
    let _ = write!(
        out,
        "<svg class=\"spark\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" aria-label=\"{} {}\"><title>{} {}: {}</title>",
        escape(&s.host),
        escape(&s.metric),
        escape(&s.host),
        escape(&s.metric),
        escape(&s.stats)
    );
    if let Some((a, b)) = s.window {
        let _ = write!(
            out,
            "<rect x=\"{}\" y=\"0\" width=\"{}\" height=\"{h}\" fill=\"{WINDOW_FILL}\" fill-opacity=\"0.8\"/>",
            n(plot.x(a)),
            n(plot.x(b) - plot.x(a))
        );
    }
    if let Some(b) = s.baseline_avg {
        let _ = write!(
            out,
            "<line x1=\"{}\" x2=\"{}\" y1=\"{yb}\" y2=\"{yb}\" stroke=\"#8c959f\" stroke-dasharray=\"3 3\"/>",
            n(plot.left),
            n(plot.right),
            yb = n(y(b))
        );
    }
    if s.points.len() == 1 {
        let (t, v) = s.points[0];
        let _ = write!(
            out,
            "<circle cx=\"{}\" cy=\"{}\" r=\"2.5\" fill=\"{color}\"/>",
            n(plot.x(t)),
            n(y(v))
        );
    } else {
        let pts: Vec<String> = s
            .points
            .iter()
            .map(|(t, v)| format!("{},{}", n(plot.x(*t)), n(y(*v))))
            .collect();
        let _ = write!(
            out,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"1.5\"/>",
            pts.join(" ")
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_steps() {
        assert_eq!(n(12.04), "12");
        assert_eq!(n(12.26), "12.3");
        assert_eq!(compact(1260.0), "1.3k");
        assert_eq!(compact(25000.0), "25k");
        assert_eq!(compact(2_000_000.0), "2M");
        assert_eq!(nice_step(1230.0, 4.0), 500.0);
        assert_eq!(nice_step(0.0, 4.0), 1.0);
    }

    #[test]
    fn civil_time_round_trips() {
        assert_eq!(full_time(0, 0), "1970-01-01 00:00:00");
        assert_eq!(full_time(1_772_615_524, 0), "2026-03-04 09:12:04");
        assert_eq!(full_time(1_772_615_524, 8 * 3600), "2026-03-04 17:12:04");
        let axis = TimeAxis {
            start: 1_772_614_800,
            end: 1_772_614_800 + 1800,
            offset: 0,
        };
        let ticks = time_ticks(axis, 10);
        assert_eq!(ticks.first().map(|t| t.1.as_str()), Some("09:00"));
        assert!(ticks.len() <= 11);
        // India (+05:30): ticks on the local quarter hours, labelled in local time.
        let local = time_ticks(TimeAxis { offset: 19_800, ..axis }, 10);
        assert_eq!(local.first().map(|t| t.1.as_str()), Some("14:30"));
        assert_eq!(
            bucket_span(1_772_614_800, 60, 19_800),
            "2026-03-04 14:30:00 – 14:31:00 UTC+05:30"
        );
    }
}
