//! Per-template anomalies: the window count against the baseline rate (quasi-Poisson
//! mid-p test, Benjamini–Hochberg across templates), templates new since the baseline,
//! and the onset of each (a Poisson change point, or the first occurrence). A log whose
//! messages rarely repeat sets a higher bar for "new" ([`long_tail`]).

use triage_mine::miner::Templates;
use triage_parse::Level;

use crate::aggregate::{Aggregates, TemplateCounts};
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

/// Which of the templates that first appeared in the stretch before the window sets the
/// bar for new ones (see [`long_tail`]): the third biggest, so that one earlier event
/// with many records does not raise it.
pub const LONG_TAIL_RANK: usize = 3;

/// The long tail of rare messages, measured where nothing is anomalous by assumption:
/// the stretch of one window length just before the window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LongTail {
    /// Templates first seen in that stretch with at least [`MIN_NEW_COUNT`] records there.
    pub before: usize,
    /// Fewest window records a template never seen before needs to be new (0: no bar).
    pub bar: u64,
    /// Templates new in the window with [`MIN_NEW_COUNT`] records or more, but under the bar.
    pub below: usize,
}

/// A log whose messages rarely repeat (random words, one-off ids the masks miss) shows
/// templates never seen before in every stretch of time, the window included: that is
/// its normal, and a template new in the window is news only when it stands out from
/// the templates that were new in the same length of time before the window. So when
/// [`LONG_TAIL_RANK`] or more templates first appeared in the stretch before the window
/// (with [`MIN_NEW_COUNT`] records each), a new template needs more than twice as many
/// records as the third biggest of them. A log with a stable vocabulary has none there,
/// and its new templates keep the plain [`MIN_NEW_COUNT`]. Needs the baseline to cover
/// that stretch (its records are baseline counts) and data from before it.
pub fn long_tail(templates: &Templates, agg: &Aggregates, frame: &Frame, data_start: Option<i64>) -> LongTail {
    let (w0, w1) = frame.window;
    let stretch = (w0 - (w1 - w0), w0);
    let covered = frame.baselines.iter().any(|b| b.0 <= stretch.0 && stretch.1 <= b.1);
    if !covered || data_start.is_none_or(|s| s >= stretch.0) {
        return LongTail::default();
    }
    // All records of a template first seen in the stretch, up to the window, are there.
    let mut before: Vec<u64> = templates
        .templates
        .iter()
        .zip(&agg.templates)
        .filter(|(t, c)| t.first_ts.is_some_and(|f| stretch.0 <= f && f < stretch.1) && c.baseline >= MIN_NEW_COUNT)
        .map(|(_, c)| c.baseline)
        .collect();
    if before.len() < LONG_TAIL_RANK {
        return LongTail {
            before: before.len(),
            ..LongTail::default()
        };
    }
    before.sort_unstable_by(|a, b| b.cmp(a));
    let bar = 2 * before[LONG_TAIL_RANK - 1] + 1;
    let below = templates
        .templates
        .iter()
        .zip(&agg.templates)
        .filter(|(t, c)| {
            t.first_ts.is_some_and(|f| f >= w0) && c.baseline == 0 && (MIN_NEW_COUNT..bar).contains(&c.window)
        })
        .count();
    LongTail {
        before: before.len(),
        bar,
        below,
    }
}

/// Whether data before the window can tell what is new although the baseline spans hold
/// none of it (a sparse log, silent for hours before the window): at least as many
/// earlier records as the window holds, so "none of them" means something.
pub fn earlier_history(agg: &Aggregates) -> bool {
    agg.baseline_records == 0 && agg.records_before_window > 0 && agg.records_before_window >= agg.window_records
}

pub fn judge(templates: &Templates, agg: &Aggregates, frame: &Frame, data_start: Option<i64>) -> Vec<TemplateVerdict> {
    let tail = long_tail(templates, agg, frame, data_start);
    let window_len = frame.window_len() as f64;
    let base_len = agg.baseline_active as f64;
    let has_history = data_start.is_some_and(|s| s < frame.window.0) && agg.baseline_records > 0;
    // Only where there is no baseline (see `earlier_history`), so never with `has_history`.
    let older_history = earlier_history(agg);
    let window_first = frame.window_first_bucket();
    let exposure: Vec<f64> = agg.active_buckets.iter().map(|&a| if a { 1.0 } else { 0.0 }).collect();
    let mut out: Vec<TemplateVerdict> = Vec::with_capacity(templates.templates.len());
    let mut tested: Vec<(usize, f64, Option<i64>)> = Vec::new();
    for (i, t) in templates.templates.iter().enumerate() {
        let c = &agg.templates[i];
        // Records of a lead-in count with the window and leave the baseline, over their
        // time: the rates compared are those since the onset and before it.
        let lead = lead_in(c, agg, frame, window_first).filter(|l| (l.span as f64) < base_len);
        let (lead_n, lead_span) = lead.map_or((0, 0.0), |l| (l.records, l.span as f64));
        let x = c.window + lead_n;
        let baseline = c.baseline - lead_n;
        let (window_len, base_len) = (window_len + lead_span, base_len - lead_span);
        let expected = if base_len > 0.0 {
            baseline as f64 * window_len / base_len
        } else {
            0.0
        };
        let ratio = (baseline > 0 && base_len > 0.0).then(|| x as f64 / expected);
        let mut v = TemplateVerdict {
            verdict: Verdict::Steady,
            ratio,
            // In the window proper, at the rate before the onset.
            expected: expected * frame.window_len() as f64 / window_len,
            q_value: None,
            onset: None,
        };
        let never_before = t.first_ts.is_some_and(|f| f >= frame.window.0) && c.baseline == 0;
        if x > 0 && has_history {
            if never_before {
                if x >= MIN_NEW_COUNT.max(tail.bar) {
                    v.verdict = Verdict::New;
                    v.onset = c.first_in_window;
                }
            } else if base_len > 0.0 {
                // Smoothing: a template absent from a baseline that had data is treated as
                // half a record, so "0 → 40" tests as a large but finite ratio.
                let lambda = expected.max(0.5 * window_len / base_len);
                let phi = if c.in_series() {
                    dispersion(&c.series_counts(frame.buckets), &agg.active_buckets, window_first)
                } else {
                    1.0
                };
                // A rate estimated from a few baseline records is not known: the exact
                // test of the window's share of the template's records bounds the p-value
                // from below (1 baseline record and 5 in the window is p ≈ 0.005 by it, not
                // the 3·10⁻⁵ of a known rate; among 20,000 rare templates, chance).
                let share = window_len / (window_len + base_len);
                let mut p = count_test_p(x, lambda, phi);
                if baseline > 0 {
                    p = p.max(binomial_sf(x, x + baseline, share));
                }
                tested.push((i, p, lead.map(|l| l.first)));
            }
        } else if x > 0 && older_history {
            // No baseline to measure rates against, but earlier data to say what is new:
            // an error template none of it holds. Only errors: a quiet host's next boot
            // prints templates its earlier boots did not, and that alone is no incident.
            let errors: u64 = c.levels[Level::Warn as usize..=Level::Fatal as usize].iter().sum();
            if never_before && errors >= MIN_NEW_COUNT {
                v.verdict = Verdict::New;
                v.onset = c.first_in_window;
            }
        }
        out.push(v);
    }
    let q = benjamini_hochberg(&tested.iter().map(|t| t.1).collect::<Vec<_>>());
    for ((i, _, lead_first), q) in tested.iter().zip(q) {
        let c = &agg.templates[*i];
        let v = &mut out[*i];
        v.q_value = Some(q);
        let ratio_ok = v.ratio.is_none_or(|r| r >= MIN_RATIO);
        if q <= Q_LEVEL && c.window >= MIN_COUNT && ratio_ok {
            v.verdict = Verdict::Surge;
            let (series, first) = (c.series_counts(frame.buckets), c.series_firsts(frame.buckets));
            v.onset = lead_first.or_else(|| onset_of(&series, &first, &exposure, frame).or(c.first_in_window));
        }
    }
    out
}

/// P(X ≥ k) for X ~ Binomial(n, f): the exact test of two Poisson rates conditioned on
/// their total. Past a few hundred records the baseline rate is well known and the
/// count test alone decides, so larger `n` returns 0 (no bound).
fn binomial_sf(k: u64, n: u64, f: f64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    if n > 500 || k > n || !(0.0..1.0).contains(&f) || f <= 0.0 {
        return 0.0;
    }
    let (ln_f, ln_q) = (f.ln(), (1.0 - f).ln());
    let ln_choose = |j: u64| {
        crate::stats::ln_gamma(n as f64 + 1.0)
            - crate::stats::ln_gamma(j as f64 + 1.0)
            - crate::stats::ln_gamma((n - j) as f64 + 1.0)
    };
    (k..=n)
        .map(|j| (ln_choose(j) + j as f64 * ln_f + (n - j) as f64 * ln_q).exp())
        .sum::<f64>()
        .min(1.0)
}

/// Buckets just before the window a template's records may run in and still be the
/// start of what the window holds: the lead-in a spike's attribution takes too.
pub const LEAD_IN_BUCKETS: usize = 2;

/// Records of a template that began just before the window and ran on into it.
#[derive(Debug, Clone, Copy, PartialEq)]
struct LeadIn {
    records: u64,
    /// Nanoseconds of baseline the run covers.
    span: i64,
    first: i64,
}

/// A burst that started seconds before the window is this incident, not the baseline's
/// routine: its records there would make the window look like "the usual rate" (a
/// sparse log's 90 errors in the baseline's last minute and 110 in the window). A
/// lead-in is a run of baseline buckets ending at the window, at most
/// [`LEAD_IN_BUCKETS`] of them holding the template, that continues into the window's
/// first bucket with records and follows a bucket with records but none of the
/// template. Buckets without any record (a sparse log's silence) neither break nor
/// lengthen the run. A template in every bucket has no lead-in: it is routine.
fn lead_in(c: &TemplateCounts, agg: &Aggregates, frame: &Frame, window_first: usize) -> Option<LeadIn> {
    if c.baseline == 0 || c.window == 0 || window_first == 0 || !c.in_series() {
        return None;
    }
    let counts = c.series_counts(frame.buckets);
    let logged = |b: usize| agg.total_series.get(b).is_some_and(|&n| n > 0);
    // Unbroken into the window: every bucket with records up to the template's first
    // window record holds it. (The window's first bucket may begin before the window.)
    let first_in = frame.bucket_of(c.first_in_window?)?;
    if (window_first..first_in).any(|b| logged(b) && counts[b] == 0) {
        return None;
    }
    let (mut start, mut held) = (window_first, 0);
    let mut b = window_first;
    while b > 0 {
        b -= 1;
        if !frame.in_baseline(frame.bucket_start(b)) {
            break;
        }
        if counts[b] > 0 {
            held += 1;
            if held > LEAD_IN_BUCKETS {
                return None;
            }
            start = b;
        } else if logged(b) {
            break;
        }
    }
    // The series holds the baseline just before the window and the window: what it
    // holds outside the window and from the run on is the lead-in.
    let before_window = c.series_total().saturating_sub(c.window);
    let earlier: u64 = counts[..start].iter().map(|&n| n as u64).sum();
    let records = before_window.saturating_sub(earlier).min(c.baseline);
    if records == 0 {
        return None;
    }
    let exposed = (start..window_first)
        .filter(|&b| agg.active_buckets.get(b).copied().unwrap_or(false))
        .count() as i64;
    let firsts = c.series_firsts(frame.buckets);
    Some(LeadIn {
        records,
        span: exposed * frame.bucket + (frame.window.0 - frame.bucket_start(window_first)).max(0),
        first: if firsts[start] != 0 {
            firsts[start]
        } else {
            frame.bucket_start(start)
        },
    })
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
