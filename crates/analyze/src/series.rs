//! The report's time series ([`model::Series`]): per-bucket counts over the baseline
//! just before the window plus the window, for the HTML charts. Everything here is
//! already counted by `aggregate`; this module only picks, merges and downsamples, so
//! the charts and the rest of the report can never disagree.

use crate::aggregate::Aggregates;
use crate::collect::Dictionary;
use crate::frame::{Frame, SECOND};
use crate::metrics::MetricsInput;
use crate::model::{MetricSummary, Series, SeriesMetric, SeriesModule, SeriesPoint, SeriesTemplate};
use crate::model_time;
use crate::problems::ProblemDraft;
use triage_mine::miner::Templates;

/// More buckets than this are merged (only very long windows get there).
const MAX_POINTS: usize = 600;
/// Templates drawn stacked.
const MAX_TEMPLATES: usize = 8;
/// Modules in the error chart.
const MAX_MODULES: usize = 8;
/// Points per metric series.
const MAX_METRIC_POINTS: usize = 120;
/// Metric series (abnormal ones are kept first when there are more).
const MAX_METRICS: usize = 100;
/// Label length in characters.
const MAX_LABEL: usize = 160;

pub struct SeriesInputs<'a> {
    pub frame: &'a Frame,
    pub agg: &'a Aggregates,
    pub templates: &'a Templates,
    /// In report order.
    pub problems: &'a [ProblemDraft],
    pub modules: &'a Dictionary,
    pub metrics: Option<&'a MetricsInput>,
    pub summaries: &'a [MetricSummary],
}

pub fn build(inp: SeriesInputs) -> Series {
    let SeriesInputs {
        frame,
        agg,
        templates,
        problems,
        modules,
        metrics,
        summaries,
    } = inp;
    if agg.total_series.is_empty() || frame.bucket <= 0 {
        return Series::default();
    }
    let buckets = agg.total_series.len();
    let step = buckets.div_ceil(MAX_POINTS).max(1);
    let merge = |v: &[u64]| -> Vec<u64> { v.chunks(step).map(|c| c.iter().sum()).collect() };
    let merge32 = |v: &[u32]| -> Vec<u64> { v.chunks(step).map(|c| c.iter().map(|&x| x as u64).sum()).collect() };
    let records = merge(&agg.total_series);
    let errors = merge(&agg.error_series);
    let bucket = frame.bucket * step as i64;
    let points = records
        .iter()
        .zip(&errors)
        .enumerate()
        .map(|(i, (&r, &e))| SeriesPoint {
            t: model_time(frame.series_start + i as i64 * bucket),
            records: r,
            errors: e,
        })
        .collect();

    // Templates: each problem's main template in report order, then the most frequent.
    let owner = |i: usize| problems.iter().find(|p| p.templates.contains(&i)).map(|p| p.id.clone());
    let mut chosen: Vec<SeriesTemplate> = Vec::new();
    let mut taken: Vec<usize> = Vec::new();
    for p in problems {
        if chosen.len() >= MAX_TEMPLATES {
            break;
        }
        let Some(&main) = p.templates.first() else { continue };
        if taken.contains(&main) || agg.templates.get(main).is_none_or(|t| !t.in_series()) {
            continue;
        }
        taken.push(main);
        chosen.push(SeriesTemplate {
            id: templates.templates[main].id.clone(),
            problem: Some(p.id.clone()),
            label: triage_text::cut_chars(&p.title, MAX_LABEL).into_owned(),
            counts: merge32(&agg.templates[main].series_counts(frame.buckets)),
        });
    }
    let mut by_volume: Vec<(u64, usize)> = agg
        .templates
        .iter()
        .enumerate()
        .filter(|(i, _)| !taken.contains(i))
        .map(|(i, t)| (t.series_total(), i))
        .filter(|(n, _)| *n > 0)
        .collect();
    by_volume.sort_by(|a, b| {
        b.0.cmp(&a.0)
            .then_with(|| templates.templates[a.1].id.cmp(&templates.templates[b.1].id))
    });
    for (_, i) in by_volume.into_iter().take(MAX_TEMPLATES.saturating_sub(chosen.len())) {
        let t = &templates.templates[i];
        chosen.push(SeriesTemplate {
            id: t.id.clone(),
            problem: owner(i),
            label: triage_text::cut_chars(&t.text, MAX_LABEL).into_owned(),
            counts: merge32(&agg.templates[i].series_counts(frame.buckets)),
        });
    }

    // Modules with the most errors in the window (then in the whole series).
    let mut mods: Vec<(u64, u64, &str, &Vec<u32>)> = agg
        .module_error_series
        .iter()
        .filter_map(|(&id, s)| {
            let name = modules.get(id)?;
            let window = agg.modules.get(&id).map_or(0, |g| g.errors);
            Some((window, s.iter().map(|&n| n as u64).sum::<u64>(), name, s))
        })
        .filter(|m| m.1 > 0)
        .collect();
    mods.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)).then_with(|| a.2.cmp(b.2)));
    let modules_out = mods
        .into_iter()
        .take(MAX_MODULES)
        .map(|(_, _, name, s)| SeriesModule {
            name: name.to_string(),
            errors: merge32(s),
        })
        .collect();

    let span = (frame.series_start, frame.window.1);
    Series {
        bucket_seconds: (bucket / SECOND).max(0) as u64,
        start: model_time(frame.series_start),
        points,
        templates: chosen,
        modules: modules_out,
        metrics: metrics.map(|m| metric_series(m, summaries, span)).unwrap_or_default(),
    }
}

/// One series per metric summary (same order), abnormal ones first when over the cap.
fn metric_series(input: &MetricsInput, summaries: &[MetricSummary], span: (i64, i64)) -> Vec<SeriesMetric> {
    let mut picked: Vec<&MetricSummary> = summaries.iter().collect();
    if picked.len() > MAX_METRICS {
        let abnormal: Vec<&MetricSummary> = picked.iter().copied().filter(|m| m.status != "normal").collect();
        let normal = picked.iter().copied().filter(|m| m.status == "normal");
        let keep: Vec<&MetricSummary> = abnormal.iter().copied().chain(normal).take(MAX_METRICS).collect();
        picked.retain(|m| keep.iter().any(|k| std::ptr::eq(*k, *m)));
    }
    let mut out = Vec::new();
    for m in picked {
        let Some(s) = input.series.iter().find(|s| s.host == m.host && s.metric == m.metric) else {
            continue;
        };
        let points = downsample(&s.points, span);
        if points.is_empty() {
            continue;
        }
        out.push(SeriesMetric {
            host: s.host.clone(),
            metric: s.metric.clone(),
            kind: s.kind.as_str().to_string(),
            points: points.into_iter().map(|(t, v)| (model_time(t), v)).collect(),
        });
    }
    out
}

/// Points inside `[from, to)`, finite only, averaged per equal-width step when there
/// are more than [`MAX_METRIC_POINTS`] distinct times (several pods may share a time).
fn downsample(points: &[(i64, f64)], (from, to): (i64, i64)) -> Vec<(i64, f64)> {
    let inside: Vec<(i64, f64)> = points
        .iter()
        .copied()
        .filter(|(t, v)| *t >= from && *t < to && v.is_finite())
        .collect();
    let mut distinct: Vec<i64> = inside.iter().map(|p| p.0).collect();
    distinct.dedup();
    let steps = if distinct.len() <= MAX_METRIC_POINTS {
        None
    } else {
        Some(MAX_METRIC_POINTS as i128)
    };
    let width = (to - from).max(1) as i128;
    // (first time, sum, n) per step.
    let mut out: Vec<(i64, f64, u32)> = Vec::new();
    let mut last_key: Option<i128> = None;
    for (t, v) in inside {
        let key = match steps {
            Some(n) => (t - from) as i128 * n / width,
            None => t as i128,
        };
        match out.last_mut() {
            Some(e) if last_key == Some(key) => {
                e.1 += v;
                e.2 += 1;
            }
            _ => {
                out.push((t, v, 1));
                last_key = Some(key);
            }
        }
    }
    out.into_iter()
        .map(|(t, sum, n)| (t, significant(sum / n as f64)))
        .collect()
}

/// Four significant digits: enough for a chart, and the JSON stays small.
fn significant(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let digits = 4 - 1 - x.abs().log10().floor() as i32;
    if digits <= 0 {
        return x.round();
    }
    let scale = 10f64.powi(digits.min(12));
    (x * scale).round() / scale
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn downsampling_keeps_at_most_120_points_and_averages_shared_times() {
        let pts: Vec<(i64, f64)> = (0..1000).map(|i| (i * SECOND, i as f64)).collect();
        let d = downsample(&pts, (0, 1000 * SECOND));
        assert!(
            d.len() <= MAX_METRIC_POINTS && d.len() >= MAX_METRIC_POINTS - 1,
            "{}",
            d.len()
        );
        assert_eq!(d[0].0, 0);
        let shared = downsample(
            &[
                (0, 1.0),
                (0, 3.0),
                (SECOND, f64::NAN),
                (2 * SECOND, 5.0),
                (9 * SECOND, 1.0),
            ],
            (0, 5 * SECOND),
        );
        assert_eq!(shared, vec![(0, 2.0), (2 * SECOND, 5.0)]);
    }

    #[test]
    fn four_significant_digits() {
        assert_eq!(significant(21.0449), 21.04);
        assert_eq!(significant(0.0131234), 0.01312);
        assert_eq!(significant(123456.7), 123457.0);
        assert_eq!(significant(-2.5), -2.5);
    }
}
