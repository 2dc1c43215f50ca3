//! Per-template anomalies: the window count against the baseline rate (quasi-Poisson
//! mid-p test, Benjamini–Hochberg across templates), templates new since the baseline,
//! and the onset of each (a Poisson change point, or the first occurrence).

use triage_mine::miner::Templates;

use crate::aggregate::Aggregates;
use crate::frame::Frame;
use crate::stats::{benjamini_hochberg, change_point_up, count_test_p};

/// Fewest window records for a surge to count (Grafana Sift's minimum).
pub const MIN_COUNT: u64 = 5;
/// Fewest window records for a new template to be an anomaly (one stray line is not).
pub const MIN_NEW_COUNT: u64 = 3;
/// Smallest window/baseline rate ratio reported as a surge.
pub const MIN_RATIO: f64 = 2.0;
/// FDR level.
pub const Q_LEVEL: f64 = 0.05;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Not in any data before the window (and there is data before the window).
    New,
    /// Significantly above its baseline rate.
    Surge,
    /// Nothing unusual (or too few records to say).
    Steady,
}

#[derive(Debug, Clone)]
pub struct TemplateVerdict {
    pub verdict: Verdict,
    /// Window rate over baseline rate (None without baseline records or baseline time).
    pub ratio: Option<f64>,
    /// Records expected in the window at the baseline rate.
    pub expected: f64,
    pub q_value: Option<f64>,
    pub onset: Option<i64>,
}

impl TemplateVerdict {
    pub fn anomalous(&self) -> bool {
        self.verdict != Verdict::Steady
    }
}

/// Baseline dispersion (variance over mean of the per-bucket counts).
fn dispersion(series: &[u32], active: &[bool], window_first: usize) -> f64 {
    let vals: Vec<f64> = series
        .iter()
        .zip(active)
        .take(window_first)
        .filter(|(_, a)| **a)
        .map(|(c, _)| *c as f64)
        .collect();
    if vals.len() < 10 {
        return 1.0;
    }
    let mean = vals.iter().sum::<f64>() / vals.len() as f64;
    if mean <= 0.0 {
        return 1.0;
    }
    let var = vals.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (vals.len() - 1) as f64;
    (var / mean).max(1.0)
}

pub fn judge(templates: &Templates, agg: &Aggregates, frame: &Frame, data_start: Option<i64>) -> Vec<TemplateVerdict> {
    let window_len = frame.window_len() as f64;
    let base_len = agg.baseline_active as f64;
    let has_history = data_start.is_some_and(|s| s < frame.window.0) && agg.baseline_records > 0;
    let window_first = frame.window_first_bucket();
    let exposure: Vec<f64> = agg.active_buckets.iter().map(|&a| if a { 1.0 } else { 0.0 }).collect();
    let mut out: Vec<TemplateVerdict> = Vec::with_capacity(templates.templates.len());
    let mut tested: Vec<(usize, f64)> = Vec::new();
    for (i, t) in templates.templates.iter().enumerate() {
        let c = &agg.templates[i];
        let x = c.window;
        let expected = if base_len > 0.0 {
            c.baseline as f64 * window_len / base_len
        } else {
            0.0
        };
        let ratio = (c.baseline > 0 && base_len > 0.0).then(|| x as f64 / expected);
        let mut v = TemplateVerdict {
            verdict: Verdict::Steady,
            ratio,
            expected,
            q_value: None,
            onset: None,
        };
        if x > 0 && has_history {
            let never_before = t.first_ts.is_some_and(|f| f >= frame.window.0) && c.baseline == 0;
            if never_before {
                if x >= MIN_NEW_COUNT {
                    v.verdict = Verdict::New;
                    v.onset = c.first_in_window;
                }
            } else if base_len > 0.0 {
                // Smoothing: a template absent from a baseline that had data is treated as
                // half a record, so "0 → 40" tests as a large but finite ratio.
                let lambda = expected.max(0.5 * window_len / base_len);
                let phi = if c.series.is_empty() {
                    1.0
                } else {
                    dispersion(&c.series, &agg.active_buckets, window_first)
                };
                tested.push((i, count_test_p(x, lambda, phi)));
            }
        }
        out.push(v);
    }
    let q = benjamini_hochberg(&tested.iter().map(|t| t.1).collect::<Vec<_>>());
    for ((i, _), q) in tested.iter().zip(q) {
        let c = &agg.templates[*i];
        let v = &mut out[*i];
        v.q_value = Some(q);
        let ratio_ok = v.ratio.is_none_or(|r| r >= MIN_RATIO);
        if q <= Q_LEVEL && c.window >= MIN_COUNT && ratio_ok {
            v.verdict = Verdict::Surge;
            v.onset = onset_of(c.series.as_slice(), &c.series_first, &exposure, frame).or(c.first_in_window);
        }
    }
    out
}

/// The first record of the bucket where the rate steps up.
fn onset_of(series: &[u32], first: &[i64], exposure: &[f64], frame: &Frame) -> Option<i64> {
    if series.is_empty() {
        return None;
    }
    let counts: Vec<u64> = series.iter().map(|&c| c as u64).collect();
    let cp = change_point_up(&counts, exposure)?;
    // The change point may land in a quiet bucket; the onset is the first record after it.
    (cp..series.len())
        .find(|&b| series[b] > 0)
        .map(|b| if first[b] != 0 { first[b] } else { frame.bucket_start(b) })
}
