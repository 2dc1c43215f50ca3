//! Volume and error-volume spikes in the window, and what explains them: every
//! attribution item (endpoint, field value, binned parameter, template, service, host)
//! is tested spike-vs-baseline with the G-test, BH-corrected, and kept when it is
//! over-represented (lift ≥ 2 or absent before) and explains part of the excess.

use rustc_hash::FxHashMap;
use triage_mine::miner::Templates;

use crate::aggregate::Aggregates;
use crate::collect::{Collected, NONE};
use crate::facets::split_item;
use crate::frame::Frame;
use crate::model::Explanation;
use crate::stats::{benjamini_hochberg, count_test_p, g_test_p};

/// A spike's excess must be at least this many records.
const MIN_EXCESS: f64 = 20.0;
/// Peak rate over the baseline rate.
const MIN_SPIKE_RATIO: f64 = 2.0;
const MAX_EXPLANATIONS: usize = 12;
/// Fewest baseline records for the share (G-) test; below it items are tested by rate.
const MIN_SHARE_BASELINE: u64 = 30;

#[derive(Debug, Clone)]
pub struct SpikeDraft {
    pub errors_only: bool,
    pub from: i64,
    pub to: i64,
    /// Records in `[from, to)` (WARN+ for an error spike), exact once attributed.
    pub count: u64,
    /// `per_minute` × the minutes of `[from, to)`.
    pub expected: f64,
    /// Baseline records (WARN+ for an error spike) per minute of baseline time with data.
    /// Never below half a record per bucket; `rate_floored` says when it is the floor.
    pub per_minute: f64,
    /// The baseline had fewer records than the floor: `per_minute` is the floor.
    pub rate_floored: bool,
    /// Peak bucket over the mean baseline bucket.
    pub ratio: f64,
    /// Start of the span the explanations are counted over (a lead-in before `from`).
    pub attribution_from: i64,
    /// Records in `[attribution_from, to)` (WARN+ for an error spike).
    pub attribution_records: u64,
    pub explained_by: Vec<Explanation>,
}

impl SpikeDraft {
    /// `count / expected`: how many times the baseline rate the spike ran at overall.
    pub fn overall_ratio(&self) -> f64 {
        self.count as f64 / self.expected.max(f64::MIN_POSITIVE)
    }
}

/// Baseline records (or WARN+ records) per minute of baseline time that holds data: the
/// rate every "expected" count in the report is this rate times a duration.
pub fn baseline_per_minute(agg: &Aggregates, errors_only: bool) -> f64 {
    let n = if errors_only {
        agg.baseline_errors
    } else {
        agg.baseline_records
    };
    let minutes = agg.baseline_active as f64 / crate::frame::MINUTE as f64;
    if minutes > 0.0 {
        n as f64 / minutes
    } else {
        0.0
    }
}

/// Finds runs of buckets far above the baseline rate inside the window.
pub fn detect(agg: &Aggregates, frame: &Frame, errors_only: bool) -> Vec<SpikeDraft> {
    let series = if errors_only {
        &agg.error_series
    } else {
        &agg.total_series
    };
    let first = frame.window_first_bucket();
    // Baseline per-bucket rate from the active buckets before the window.
    let base: Vec<f64> = series
        .iter()
        .zip(&agg.active_buckets)
        .take(first)
        .filter(|(_, a)| **a)
        .map(|(c, _)| *c as f64)
        .collect();
    if base.len() < 4 {
        return Vec::new();
    }
    let mean = base.iter().sum::<f64>() / base.len() as f64;
    let var = base.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (base.len() - 1) as f64;
    let phi = if mean > 0.0 { (var / mean).max(1.0) } else { 1.0 };
    let mu = mean.max(0.5);
    let hot: Vec<bool> = (0..series.len())
        .map(|b| {
            b >= first && {
                let c = series[b];
                c as f64 >= MIN_SPIKE_RATIO * mu && count_test_p(c, mu, phi) < 1e-3
            }
        })
        .collect();
    let mut out = Vec::new();
    let mut b = first;
    while b < series.len() {
        if !hot[b] {
            b += 1;
            continue;
        }
        let start = b;
        let mut end = b + 1;
        // Bridge one quiet bucket inside a spike.
        while end < series.len() && (hot[end] || (end + 1 < series.len() && hot[end + 1])) {
            end += 1;
        }
        let count: u64 = series[start..end].iter().sum();
        let from = frame.bucket_start(start).max(frame.window.0);
        let to = frame.bucket_start(end).min(frame.window.1);
        // A half-record floor per bucket, as in the test above, so "0 → 40" stays finite.
        let measured = baseline_per_minute(agg, errors_only);
        let floor = 0.5 * crate::frame::MINUTE as f64 / frame.bucket as f64;
        let per_minute = measured.max(floor);
        let expected = per_minute * (to - from) as f64 / crate::frame::MINUTE as f64;
        let peak = series[start..end].iter().copied().max().unwrap_or(0) as f64;
        if count as f64 - expected >= MIN_EXCESS {
            out.push(SpikeDraft {
                errors_only,
                from,
                to,
                count,
                expected,
                per_minute,
                rate_floored: measured < floor,
                ratio: peak / mu,
                attribution_from: from - 2 * frame.bucket,
                attribution_records: 0,
                explained_by: Vec::new(),
            });
        }
        b = end;
    }
    // The largest excess first; a handful is enough.
    out.sort_by(|a, b| (b.count as f64 - b.expected).total_cmp(&(a.count as f64 - a.expected)));
    out.truncate(3);
    out
}

/// Item key spaces inside one counting map.
const TEMPLATE_BASE: u64 = 1 << 40;
const SERVICE_BASE: u64 = 2 << 40;
const HOST_BASE: u64 = 3 << 40;

/// Fills `explained_by` of each spike (one more pass over the rows).
pub fn attribute(
    spikes: &mut [SpikeDraft],
    c: &mut Collected,
    templates: &Templates,
    shape_template: &[u32],
    agg: &Aggregates,
    frame: &Frame,
) -> std::io::Result<()> {
    if spikes.is_empty() {
        return Ok(());
    }
    let multi_service = c.services.len() > 1;
    let multi_host = c.hosts.len() > 1;
    // Per spike: item → (in spike, in baseline); totals.
    let mut counts: Vec<FxHashMap<u64, (u64, u64)>> = vec![FxHashMap::default(); spikes.len()];
    let mut totals: Vec<(u64, u64)> = vec![(0, 0); spikes.len()];
    // The cause often precedes the flood it triggers (a request logged as it starts, a
    // batch job's first line): the attribution span starts two buckets early.
    let ranges: Vec<(i64, i64, bool)> = spikes
        .iter()
        .map(|s| (s.attribution_from, s.to, s.errors_only))
        .collect();
    // For an error spike, the span's other records (not errors), per item: what is as
    // common among them as among the errors does not tell the errors apart.
    let mut others: Vec<FxHashMap<u64, u64>> = vec![FxHashMap::default(); spikes.len()];
    let mut others_total: Vec<u64> = vec![0; spikes.len()];
    // Exact records in each spike's own span (the bucket series may start before the
    // window, the span does not).
    let mut exact: Vec<u64> = vec![0; spikes.len()];
    let spikes_from: Vec<i64> = spikes.iter().map(|s| s.from).collect();
    c.for_each_row(|row, items| {
        let Some(ts) = row.time() else { return };
        let in_base = frame.in_baseline(ts);
        for (k, &(from, to, errors_only)) in ranges.iter().enumerate() {
            if errors_only && !row.is_error() {
                if from <= ts && ts < to {
                    others_total[k] += 1;
                    for &i in items {
                        *others[k].entry(i as u64).or_insert(0) += 1;
                    }
                }
                continue;
            }
            let in_spike = from <= ts && ts < to;
            if !in_spike && !in_base {
                continue;
            }
            if in_spike && ts >= spikes_from[k] {
                exact[k] += 1;
            }
            let m = &mut counts[k];
            let mut add = |key: u64| {
                let e = m.entry(key).or_insert((0, 0));
                if in_spike {
                    e.0 += 1;
                } else {
                    e.1 += 1;
                }
            };
            for &i in items {
                add(i as u64);
            }
            add(TEMPLATE_BASE + shape_template.get(row.shape as usize).copied().unwrap_or(0) as u64);
            if multi_service && row.service != NONE {
                add(SERVICE_BASE + row.service as u64);
            }
            if multi_host && row.host != NONE {
                add(HOST_BASE + row.host as u64);
            }
            if in_spike {
                totals[k].0 += 1;
            } else {
                totals[k].1 += 1;
            }
        }
    })?;
    for (k, spike) in spikes.iter_mut().enumerate() {
        let (n1, n0) = totals[k];
        spike.count = exact[k];
        spike.attribution_records = n1;
        let r = (spike.to - spike.attribution_from) as f64 / (agg.baseline_active.max(1)) as f64;
        let excess = (n1 as f64 - r * n0 as f64).max(1.0);
        let mut cand: Vec<(u64, u64, u64, f64)> = Vec::new();
        for (&key, &(a, b)) in &counts[k] {
            if a < 5 {
                continue;
            }
            // With few baseline records a share comparison has no power (every item of
            // an error burst over a near-silent baseline is "new"): compare the item's
            // rate instead, its baseline count scaled to the span (half a record floor).
            let p = if n0 < MIN_SHARE_BASELINE {
                count_test_p(a, (r * b as f64).max(0.5 * r), 1.0)
            } else {
                g_test_p(a, n1, b, n0)
            };
            cand.push((key, a, b, p));
        }
        // Records in the span per field (template, service, host or item field name).
        let field_of = |key: u64| -> &str {
            match key {
                k if k >= HOST_BASE => "host",
                k if k >= SERVICE_BASE => "service",
                k if k >= TEMPLATE_BASE => "template",
                k => split_item(c.items.get(k as u32).unwrap_or("")).0,
            }
        };
        let mut per_field: FxHashMap<&str, u64> = FxHashMap::default();
        for (&key, &(a, _)) in &counts[k] {
            *per_field.entry(field_of(key)).or_insert(0) += a;
        }
        let q = benjamini_hochberg(&cand.iter().map(|c| c.3).collect::<Vec<_>>());
        let mut kept: Vec<Explanation> = Vec::new();
        for ((key, a, b, p), q) in cand.into_iter().zip(q) {
            // Absent from the baseline: smoothed with half a record, so the lift stays finite.
            // Over a near-empty baseline the lift is of rates, like the test.
            let lift = if n0 < MIN_SHARE_BASELINE {
                a as f64 / (r * (b as f64).max(0.5))
            } else {
                (a as f64 / n1.max(1) as f64) / ((b as f64).max(0.5) / n0.max(1) as f64)
            };
            if p >= 0.02 || q > 0.05 || lift < 2.0 {
                continue;
            }
            let share = ((a as f64 - r * b as f64) / excess).clamp(0.0, 1.0);
            let field_share = a as f64 / per_field.get(field_of(key)).copied().unwrap_or(a).max(1) as f64;
            let other_share = match others_total[k] {
                0 => 0.0,
                n => others[k].get(&key).copied().unwrap_or(0) as f64 / n as f64,
            };
            let (field, value) = describe(key, c, templates);
            kept.push(Explanation {
                field,
                value,
                count: a,
                baseline_count: b,
                lift,
                share,
                q_value: q,
                field_share,
                other_share,
            });
        }
        // By share of the excess; rare-but-new items (a handful of export calls behind
        // a flood of lines) follow, ordered by count.
        // Among equal shares (every item of an error burst over an error-free baseline
        // explains all of it), what sets the errors apart from the span's other records.
        kept.sort_by(|x, y| {
            y.share
                .total_cmp(&x.share)
                .then(x.other_share.total_cmp(&y.other_share))
                .then(y.count.cmp(&x.count))
                .then_with(|| x.field.cmp(&y.field))
                .then_with(|| x.value.cmp(&y.value))
        });
        let mut chosen: Vec<Explanation> = kept
            .iter()
            .filter(|e| e.share >= 0.05)
            .take(MAX_EXPLANATIONS)
            .cloned()
            .collect();
        let request_items: Vec<Explanation> = kept
            .iter()
            .filter(|e| {
                e.share < 0.05
                    && (e.baseline_count == 0 || e.lift >= 5.0)
                    && !matches!(e.field.as_str(), "template" | "service" | "host")
            })
            .take(MAX_EXPLANATIONS.saturating_sub(chosen.len()).min(6))
            .cloned()
            .collect();
        chosen.extend(request_items);
        spike.explained_by = chosen;
    }
    Ok(())
}

/// Field and value of an item key.
fn describe(key: u64, c: &Collected, templates: &Templates) -> (String, String) {
    if key >= HOST_BASE {
        return (
            "host".into(),
            c.hosts.get((key - HOST_BASE) as u32).unwrap_or("").to_string(),
        );
    }
    if key >= SERVICE_BASE {
        return (
            "service".into(),
            c.services.get((key - SERVICE_BASE) as u32).unwrap_or("").to_string(),
        );
    }
    if key >= TEMPLATE_BASE {
        let t = templates.templates.get((key - TEMPLATE_BASE) as usize);
        return ("template".into(), t.map_or(String::new(), |t| t.text.clone()));
    }
    let (f, v) = split_item(c.items.get(key as u32).unwrap_or(""));
    (f.to_string(), v.to_string())
}
