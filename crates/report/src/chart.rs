//! Charts as data: what the HTML report draws, built from the model's `series` (and the
//! window, baseline, spikes, changes and problems it is read with). Nothing here is
//! computed beyond picking and clipping; `svg.rs` turns these into inline SVG.

use std::collections::{HashMap, HashSet};

use triage_analyze::model::{Report, Series};

use crate::document::{Inline, Tone};
use crate::format;
use crate::labels::{self, Labels};
use crate::Lang;

/// A time range in Unix seconds, `[start, end)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct TimeAxis {
    pub start: i64,
    pub end: i64,
    /// UTC offset (seconds) the times are shown in: the model's own (`--tz`), read from
    /// its times, so the charts read like the tables.
    pub offset: i64,
}

impl TimeAxis {
    fn clip(&self, from: i64, to: i64) -> Option<(i64, i64)> {
        let (a, b) = (from.max(self.start), to.min(self.end));
        (a < b).then_some((a, b))
    }
    pub fn contains(&self, t: i64) -> bool {
        self.start <= t && t < self.end
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum BandKind {
    Baseline,
    Window,
    /// A volume spike (all records).
    Spike,
    /// A spike of WARN+ records.
    ErrorSpike,
}

/// A shaded span (window, baseline, spike) with a short label and a tooltip.
pub(crate) struct Band {
    pub from: i64,
    pub to: i64,
    pub kind: BandKind,
    pub label: String,
    pub title: String,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum MarkerKind {
    Change,
    Onset,
}

/// A vertical line at a time, labelled (`C1`, `#2`) with a tooltip.
pub(crate) struct Marker {
    pub t: i64,
    pub kind: MarkerKind,
    pub label: String,
    pub title: String,
}

/// One stacked layer or heat-map row.
pub(crate) struct Layer {
    pub label: String,
    /// In-page link (`#problem-…`).
    pub href: Option<String>,
    pub counts: Vec<u64>,
    /// Total inside the window (shown in the legend).
    pub in_window: u64,
}

pub(crate) enum ChartBody {
    /// All records and WARN+ records per bucket.
    Volume {
        records: Vec<u64>,
        errors: Vec<u64>,
    },
    Stacked {
        layers: Vec<Layer>,
    },
    Heatmap {
        rows: Vec<Layer>,
    },
    /// Timeline entries as dots, one row per kind.
    Events {
        rows: Vec<EventRow>,
    },
}

/// One row of the timeline strip: the entry kind, its label, (time, tooltip) per entry.
pub(crate) struct EventRow {
    pub kind: String,
    pub label: String,
    pub events: Vec<(i64, String)>,
}

pub(crate) struct Chart {
    /// Element id (`chart-volume`), the target of in-page links.
    pub id: String,
    pub title: String,
    /// Whether the title is printed above the chart (not when the section heading
    /// already says it).
    pub caption: bool,
    pub axis: TimeAxis,
    /// Bucket length in seconds.
    pub bucket: i64,
    pub bands: Vec<Band>,
    pub markers: Vec<Marker>,
    pub body: ChartBody,
    /// Lines under the chart: what each marker is, what lies outside the chart.
    pub notes: Vec<Vec<Inline>>,
    /// Words the SVG needs: records, errors, window, "times in UTC".
    pub words: ChartWords,
}

pub(crate) struct ChartWords {
    pub records: String,
    pub errors: String,
    pub in_window: String,
    pub times: String,
}

/// A small chart of one host metric.
pub(crate) struct Sparkline {
    pub id: String,
    pub metric: String,
    pub host: String,
    pub axis: TimeAxis,
    pub window: Option<(i64, i64)>,
    pub points: Vec<(i64, f64)>,
    pub baseline_avg: Option<f64>,
    /// `avg 1.2 · min 0.5 · max 3.1` (window figures from the summary).
    pub stats: String,
    pub status: String,
    pub tone: Option<Tone>,
}

/// `2026-03-04T09:12:04Z`, `…04.123Z`, `…04+08:00` → Unix seconds.
pub(crate) fn parse_time(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't' | b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> { text.get(r)?.parse::<i64>().ok() };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let offset = parse_offset(text)?;
    // jiff does the calendar (and refuses February 30).
    let date = jiff::civil::Date::new(i16::try_from(year).ok()?, month as i8, day as i8).ok()?;
    let days = date.since(jiff::civil::date(1970, 1, 1)).ok()?.get_days();
    Some(i64::from(days) * 86400 + hour * 3600 + minute * 60 + second - offset)
}

/// The UTC offset of an RFC 3339 time in seconds: `Z` → 0, `+08:00` → 28800,
/// `-05:30` → -19800 (also `+0800`, as some writers emit).
pub(crate) fn parse_offset(text: &str) -> Option<i64> {
    let mut rest = text.get(19..)?;
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        rest = &frac[digits..];
    }
    let sign = match rest.as_bytes().first()? {
        b'Z' | b'z' if rest.len() == 1 => return Some(0),
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let (h, m) = match rest.len() {
        6 if &rest[3..4] == ":" => (&rest[1..3], &rest[4..6]),
        5 => (&rest[1..3], &rest[3..5]),
        _ => return None,
    };
    let (h, m): (i64, i64) = (h.parse().ok()?, m.parse().ok()?);
    (h <= 23 && m <= 59).then_some(sign * (h * 3600 + m * 60))
}

/// `+08:00` for 28800, `-05:30` for -19800, empty for UTC.
pub(crate) fn offset_suffix(offset: i64) -> String {
    if offset == 0 {
        return String::new();
    }
    let sign = if offset < 0 { '-' } else { '+' };
    let a = offset.abs();
    format!("{sign}{:02}:{:02}", a / 3600, a % 3600 / 60)
}

/// Letters, digits, `-` and `_` kept; anything else becomes `-`.
pub(crate) fn slug(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// Anchors of problems (`problem-P-T7`) and metric charts, unique within the page.
pub(crate) struct Anchors {
    pub problems: HashMap<String, String>,
    /// One per `series.metrics` entry, same order.
    pub metrics: Vec<String>,
}

impl Anchors {
    pub fn new(report: &Report) -> Anchors {
        let mut used: HashSet<String> = HashSet::new();
        let mut unique = |base: String| -> String {
            let mut id = base.clone();
            let mut n = 2;
            while used.contains(&id) {
                id = format!("{base}-{n}");
                n += 1;
            }
            used.insert(id.clone());
            id
        };
        // Only listed problems have a section to link to.
        let problems = problem_numbers(report)
            .into_iter()
            .take(MAX_LISTED_PROBLEMS)
            .map(|(_, p)| (p.id.clone(), unique(format!("problem-{}", slug(&p.id)))))
            .collect();
        let metrics = report
            .series
            .metrics
            .iter()
            .map(|m| unique(format!("chart-metric-{}-{}", slug(&m.host), slug(&m.metric))))
            .collect();
        Anchors { problems, metrics }
    }
}

pub(crate) const VOLUME_ID: &str = "chart-volume";
pub(crate) const TEMPLATES_ID: &str = "chart-templates";
pub(crate) const MODULES_ID: &str = "chart-modules";
pub(crate) const TIMELINE_ID: &str = "chart-timeline";

/// The series' time axis and bucket length, when the model has a series.
pub(crate) fn axis_of(series: &Series) -> Option<(TimeAxis, i64)> {
    let bucket = series.bucket_seconds as i64;
    if bucket <= 0 || series.points.is_empty() {
        return None;
    }
    let start = parse_time(&series.start)?;
    Some((
        TimeAxis {
            start,
            end: start + bucket * series.points.len() as i64,
            offset: parse_offset(&series.start).unwrap_or(0),
        },
        bucket,
    ))
}

/// `offset`: the axis's UTC offset, named after "times in UTC" when not zero.
fn words(l: &Labels, offset: i64) -> ChartWords {
    ChartWords {
        records: l.chart_records.to_string(),
        errors: l.chart_errors.to_string(),
        in_window: l.chart_in_window.to_string(),
        times: format!("{}{}", l.chart_times, offset_suffix(offset)),
    }
}

fn window_of(report: &Report) -> Option<(i64, i64)> {
    Some((parse_time(&report.window.from)?, parse_time(&report.window.to)?))
}

/// Window and baseline shading, clipped to the axis.
fn frame_bands(report: &Report, axis: TimeAxis, l: &Labels, lang: Lang) -> Vec<Band> {
    let mut bands = Vec::new();
    for span in &report.baseline {
        if let (Some(f), Some(t)) = (parse_time(&span.from), parse_time(&span.to)) {
            if let Some((a, b)) = axis.clip(f, t) {
                let title = format!("{}{}{} – {}", l.baseline, colon(lang), span.from, span.to);
                bands.push(Band {
                    from: a,
                    to: b,
                    kind: BandKind::Baseline,
                    label: l.chart_baseline.to_string(),
                    title,
                });
            }
        }
    }
    if let Some((f, t)) = window_of(report) {
        if let Some((a, b)) = axis.clip(f, t) {
            let title = format!(
                "{}{}{} – {}",
                l.window,
                colon(lang),
                report.window.from,
                report.window.to
            );
            bands.push(Band {
                from: a,
                to: b,
                kind: BandKind::Window,
                label: l.chart_window.to_string(),
                title,
            });
        }
    }
    bands
}

fn colon(lang: Lang) -> &'static str {
    match lang {
        Lang::En => ": ",
        Lang::Zh => "：",
    }
}

fn text(s: impl Into<String>) -> Inline {
    Inline::Text(s.into())
}

fn strong(s: impl Into<String>) -> Inline {
    Inline::Strong(s.into())
}

fn link(href: &str, inner: Vec<Inline>) -> Inline {
    Inline::Link {
        href: format!("#{href}"),
        inner,
    }
}

/// Most problems the Markdown and HTML reports list (the JSON report has them all): 3,000
/// distinct error templates would otherwise make a report of megabytes.
pub(crate) const MAX_LISTED_PROBLEMS: usize = 50;

/// Problems in the order (and with the numbers) of the problems section.
pub(crate) fn problem_numbers(report: &Report) -> Vec<(usize, &triage_analyze::model::Problem)> {
    let mut ordered: Vec<&triage_analyze::model::Problem> = report.problems.iter().collect();
    ordered.sort_by_key(|p| format::priority_rank(&p.priority));
    ordered.into_iter().enumerate().map(|(i, p)| (i + 1, p)).collect()
}

/// Log volume with window/baseline shading, spikes, change and onset markers.
pub(crate) fn volume(report: &Report, lang: Lang, anchors: &Anchors) -> Option<Chart> {
    let l = labels::labels(lang);
    let series = &report.series;
    let (axis, bucket) = axis_of(series)?;
    let mut bands = frame_bands(report, axis, l, lang);
    for spike in &report.spikes {
        let (Some(f), Some(t)) = (parse_time(&spike.from), parse_time(&spike.to)) else {
            continue;
        };
        let Some((a, b)) = axis.clip(f, t) else { continue };
        let title = match lang {
            Lang::En => format!(
                "{} {} – {}: {} records vs {} expected ({})",
                labels::spike_kind(lang, &spike.kind),
                spike.from,
                spike.to,
                spike.count,
                format::expected(spike.expected),
                format::ratio(spike.ratio)
            ),
            Lang::Zh => format!(
                "{} {} ~ {}：{} 条，预期 {} 条（{}）",
                labels::spike_kind(lang, &spike.kind),
                spike.from,
                spike.to,
                spike.count,
                format::expected(spike.expected),
                format::ratio(spike.ratio)
            ),
        };
        let kind = if spike.kind == "errors" {
            BandKind::ErrorSpike
        } else {
            BandKind::Spike
        };
        bands.push(Band {
            from: a,
            to: b,
            kind,
            label: labels::spike_kind(lang, &spike.kind),
            title,
        });
    }
    let mut markers = Vec::new();
    let mut notes = Vec::new();
    // Changes in time order: C1, C2, … (the ones outside the chart listed once).
    let mut changes: Vec<(i64, &triage_analyze::model::ChangeScore)> = report
        .changes
        .iter()
        .filter_map(|c| Some((parse_time(&c.time)?, c)))
        .collect();
    changes.sort_by_key(|(t, _)| *t);
    let mut outside: Vec<String> = Vec::new();
    let mut n = 0;
    for (t, c) in &changes {
        let what = format!(
            "{} {} {}{}",
            c.time,
            labels::change_kind(lang, &c.kind),
            c.service,
            c.version.as_ref().map_or(String::new(), |v| format!(" {v}"))
        );
        if !axis.contains(*t) {
            outside.push(what);
            continue;
        }
        n += 1;
        let label = format!("C{n}");
        let score = match lang {
            Lang::En => format!("score {}", format::score(c.score)),
            Lang::Zh => format!("评分 {}", format::score(c.score)),
        };
        let title = format!("{label} {what}{}{} ({score})", colon(lang), c.description);
        markers.push(Marker {
            t: *t,
            kind: MarkerKind::Change,
            label: label.clone(),
            title,
        });
        notes.push(vec![
            strong(label),
            text(format!(" {what}{}{} ({score})", colon(lang), c.description)),
        ]);
    }
    // Onsets of the first problems (numbered as in the problems section).
    for (number, p) in problem_numbers(report).into_iter().take(6) {
        let Some(t) = p.onset.as_deref().and_then(parse_time) else {
            continue;
        };
        if !axis.contains(t) {
            continue;
        }
        let label = format!("#{number}");
        let title = format!(
            "{label} {}{}{} {}",
            p.title,
            colon(lang),
            l.onset,
            p.onset.as_deref().unwrap_or_default()
        );
        markers.push(Marker {
            t,
            kind: MarkerKind::Onset,
            label: label.clone(),
            title,
        });
        let name = match anchors.problems.get(&p.id) {
            Some(anchor) => link(anchor, vec![text(&p.title)]),
            None => text(&p.title),
        };
        notes.push(vec![
            strong(label),
            text(" "),
            name,
            text(format!(
                "{}{} {}",
                colon(lang),
                l.onset,
                p.onset.as_deref().unwrap_or_default()
            )),
        ]);
    }
    if !outside.is_empty() {
        let sep = if lang == Lang::Zh { "；" } else { "; " };
        notes.push(vec![
            strong(l.chart_other_changes),
            text(format!("{}{}", colon(lang), outside.join(sep))),
        ]);
    }
    Some(Chart {
        id: VOLUME_ID.to_string(),
        title: l.chart_volume.to_string(),
        caption: true,
        axis,
        bucket,
        bands,
        markers,
        body: ChartBody::Volume {
            records: series.points.iter().map(|p| p.records).collect(),
            errors: series.points.iter().map(|p| p.errors).collect(),
        },
        notes,
        words: words(l, axis.offset),
    })
}

/// Counts inside the window per layer (bucket starts inside the window).
fn window_total(counts: &[u64], axis: TimeAxis, bucket: i64, window: Option<(i64, i64)>) -> u64 {
    let Some((from, to)) = window else {
        return counts.iter().sum();
    };
    counts
        .iter()
        .enumerate()
        .filter(|(i, _)| (from..to).contains(&(axis.start + *i as i64 * bucket)))
        .map(|(_, n)| n)
        .sum()
}

/// The top templates stacked over time.
pub(crate) fn templates(report: &Report, lang: Lang, anchors: &Anchors) -> Option<Chart> {
    let l = labels::labels(lang);
    let series = &report.series;
    let (axis, bucket) = axis_of(series)?;
    if series.templates.is_empty() {
        return None;
    }
    let window = window_of(report);
    let layers = series
        .templates
        .iter()
        .map(|t| Layer {
            label: t.label.clone(),
            href: t
                .problem
                .as_ref()
                .and_then(|p| anchors.problems.get(p))
                .map(|a| format!("#{a}")),
            counts: t.counts.clone(),
            in_window: window_total(&t.counts, axis, bucket, window),
        })
        .collect();
    Some(Chart {
        id: TEMPLATES_ID.to_string(),
        title: l.chart_templates.to_string(),
        caption: true,
        axis,
        bucket,
        bands: frame_bands(report, axis, l, lang),
        markers: Vec::new(),
        body: ChartBody::Stacked { layers },
        notes: Vec::new(),
        words: words(l, axis.offset),
    })
}

/// Errors per module as a heat map (rows: modules, columns: time).
pub(crate) fn modules(report: &Report, lang: Lang) -> Option<Chart> {
    let l = labels::labels(lang);
    let series = &report.series;
    let (axis, bucket) = axis_of(series)?;
    if series.modules.is_empty() {
        return None;
    }
    let window = window_of(report);
    let rows = series
        .modules
        .iter()
        .map(|m| Layer {
            label: m.name.clone(),
            href: None,
            counts: m.errors.clone(),
            in_window: window_total(&m.errors, axis, bucket, window),
        })
        .collect();
    Some(Chart {
        id: MODULES_ID.to_string(),
        title: l.chart_modules.to_string(),
        caption: true,
        axis,
        bucket,
        bands: frame_bands(report, axis, l, lang)
            .into_iter()
            .filter(|b| b.kind == BandKind::Window)
            .collect(),
        markers: Vec::new(),
        body: ChartBody::Heatmap { rows },
        notes: Vec::new(),
        words: words(l, axis.offset),
    })
}

/// The timeline's entries over the window, one row per kind (changes, spikes, onsets,
/// first seen, metrics, then any other kind in order of appearance).
pub(crate) fn timeline(report: &Report, lang: Lang) -> Option<Chart> {
    let l = labels::labels(lang);
    let (from, to) = window_of(report)?;
    if from >= to || report.timeline.is_empty() {
        return None;
    }
    let axis = TimeAxis {
        start: from,
        end: to,
        offset: parse_offset(&report.window.from).unwrap_or(0),
    };
    let mut kinds: Vec<String> = ["change", "spike", "onset", "first_seen", "metric"]
        .iter()
        .map(|k| k.to_string())
        .collect();
    for e in &report.timeline {
        if !kinds.contains(&e.kind) {
            kinds.push(e.kind.clone());
        }
    }
    let rows: Vec<EventRow> = kinds
        .into_iter()
        .map(|kind| {
            let events = report
                .timeline
                .iter()
                .filter(|e| e.kind == kind)
                .filter_map(|e| Some((parse_time(&e.time)?, format!("{} {}", e.time, e.text))))
                .filter(|(t, _)| axis.contains(*t))
                .collect();
            EventRow {
                label: labels::event_kind(lang, &kind),
                kind,
                events,
            }
        })
        .filter(|row| !row.events.is_empty())
        .collect();
    if rows.is_empty() {
        return None;
    }
    Some(Chart {
        id: TIMELINE_ID.to_string(),
        title: l.timeline.to_string(),
        caption: false,
        axis,
        bucket: 0,
        bands: Vec::new(),
        markers: Vec::new(),
        body: ChartBody::Events { rows },
        notes: Vec::new(),
        words: words(l, axis.offset),
    })
}

/// One sparkline per metric of `host` that the series holds, in the series' order.
pub(crate) fn sparklines(report: &Report, lang: Lang, anchors: &Anchors, host: &str) -> Vec<Sparkline> {
    let l = labels::labels(lang);
    let Some((axis, _)) = axis_of(&report.series) else {
        return Vec::new();
    };
    let window = window_of(report).and_then(|(f, t)| axis.clip(f, t));
    let mut out = Vec::new();
    for (i, m) in report.series.metrics.iter().enumerate().filter(|(_, m)| m.host == host) {
        let points: Vec<(i64, f64)> = m
            .points
            .iter()
            .filter_map(|(t, v)| Some((parse_time(t)?, *v)))
            .filter(|(_, v)| v.is_finite())
            .collect();
        if points.is_empty() {
            continue;
        }
        let summary = report.metrics.iter().find(|s| s.host == m.host && s.metric == m.metric);
        let stats = match summary {
            Some(s) => {
                let mut text = format!(
                    "{} {} · {} {} · {} {}",
                    l.avg,
                    format::metric_value(s.avg),
                    l.min,
                    format::metric_value(s.min),
                    l.max,
                    format::metric_value(s.max)
                );
                if let Some(b) = s.baseline_avg {
                    text.push_str(&format!(" · {} {}", l.baseline_avg, format::metric_value(b)));
                }
                text
            }
            None => String::new(),
        };
        out.push(Sparkline {
            id: anchors
                .metrics
                .get(i)
                .cloned()
                .unwrap_or_else(|| format!("chart-metric-{i}")),
            metric: m.metric.clone(),
            host: m.host.clone(),
            axis,
            window,
            points,
            baseline_avg: summary.and_then(|s| s.baseline_avg),
            stats,
            status: summary
                .map(|s| labels::metric_status(lang, &s.status))
                .unwrap_or_default(),
            tone: summary.and_then(|s| match s.status.as_str() {
                "normal" => None,
                "critical" => Some(Tone::Bad),
                _ => Some(Tone::Warn),
            }),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_model_times() {
        assert_eq!(parse_time("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_time("2026-03-04T09:12:04Z"), Some(1_772_615_524));
        assert_eq!(parse_time("2026-03-04T09:12:04.250Z"), Some(1_772_615_524));
        assert_eq!(parse_time("2026-03-04T17:12:04+08:00"), Some(1_772_615_524));
        assert_eq!(parse_time("2026-03-04 09:12"), None);
        assert_eq!(parse_time("2026-03-04T03:42:04-05:30"), Some(1_772_615_524));
        assert_eq!(parse_time("2026-03-04T17:12:04.5+0800"), Some(1_772_615_524));
        assert_eq!(parse_offset("2026-03-04T17:12:04+08:00"), Some(28_800));
        assert_eq!(parse_offset("2026-03-04T17:12:04.123-05:30"), Some(-19_800));
        assert_eq!(parse_offset("2026-03-04T17:12:04Z"), Some(0));
        assert_eq!(offset_suffix(28_800), "+08:00");
        assert_eq!(offset_suffix(-19_800), "-05:30");
        assert_eq!(parse_time(""), None);
        // Fixed dates across leap days and centuries (seconds from `date -u -d … +%s`).
        assert_eq!(parse_time("2024-02-29T00:00:00Z"), Some(1_709_164_800));
        assert_eq!(parse_time("2000-03-01T00:00:00Z"), Some(951_868_800));
        assert_eq!(parse_time("1969-12-31T23:59:59Z"), Some(-1));
        assert_eq!(parse_time("2100-03-01T00:00:00Z"), Some(4_107_542_400));
        assert_eq!(parse_time("2023-02-29T00:00:00Z"), None, "not a leap year");
        assert_eq!(parse_time("2026-04-31T00:00:00Z"), None);
    }

    #[test]
    fn slugs_are_safe_ids() {
        assert_eq!(slug("P-T7"), "P-T7");
        assert_eq!(slug("web 1/\"cpu\""), "web-1--cpu-");
    }
}
