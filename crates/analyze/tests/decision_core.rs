//! The decision core of the analysis on count tables small enough to check on paper:
//! the mid-p Poisson test and its quasi-Poisson widening, Benjamini–Hochberg, the
//! G-test, the change point, the per-template verdicts (`anomaly::judge`), the spike
//! detector and its attribution (`spikes`), the aggregation over spilled rows and the
//! grouping into problems — with the edge cases: no baseline, zero counts, a single
//! bucket, ties.
//!
//! Expected values were computed by hand or with an independent script (Python,
//! `math.lgamma` sums), never with the functions under test.

use triage_analyze::aggregate::{aggregate, Aggregates, TemplateCounts};
use triage_analyze::anomaly::{judge, Verdict, MIN_COUNT};
use triage_analyze::collect::{digest_chunk, Collector};
use triage_analyze::frame::{Frame, SECOND};
use triage_analyze::problems;
use triage_analyze::rules::Rules;
use triage_analyze::spikes;
use triage_analyze::stats::{benjamini_hochberg, change_point_up, count_test_p, g_test_p, poisson_mid_p_upper};
use triage_mine::mask::Masker;
use triage_mine::miner::{induce, Template, Templates};
use triage_parse::{Level, Record};

/// Relative closeness, for p-values spanning many orders of magnitude.
fn close(got: f64, want: f64, rel: f64) -> bool {
    (got - want).abs() <= rel * want.abs().max(1e-300)
}

macro_rules! assert_close {
    ($got:expr, $want:expr) => {
        assert_close!($got, $want, 1e-6)
    };
    ($got:expr, $want:expr, $rel:expr) => {{
        let (g, w) = ($got, $want);
        assert!(close(g, w, $rel), "{} = {g:e}, expected {w:e}", stringify!($got));
    }};
}

// ------------------------------------------------------------------------------------------
// stats

#[test]
fn mid_p_on_paper() {
    // k = 0, λ = 1: P(X > 0) + ½P(X = 0) = (1 − e⁻¹) + ½e⁻¹ = 1 − ½e⁻¹.
    let e = std::f64::consts::E;
    assert_close!(poisson_mid_p_upper(0, 1.0), 1.0 - 0.5 / e, 1e-12);
    // k = 2, λ = 1: 1 − e⁻¹(1 + 1 + ½) + ½·½e⁻¹ = 1 − 2.25/e.
    assert_close!(poisson_mid_p_upper(2, 1.0), 1.0 - 2.25 / e, 1e-12);
    // No expected records: any record at all is infinitely surprising, none is not.
    assert_eq!(poisson_mid_p_upper(0, 0.0), 1.0);
    assert_eq!(poisson_mid_p_upper(3, 0.0), 0.0);
}

#[test]
fn quasi_poisson_divides_both_counts_by_the_dispersion() {
    // 30 seen, 10 expected, φ = 4: tested as ⌊30/4⌋ = 7 against 10/4 = 2.5.
    assert_close!(count_test_p(30, 10.0, 4.0), 0.009_217_003_740_128_935, 1e-9);
    assert_eq!(count_test_p(30, 10.0, 4.0), poisson_mid_p_upper(7, 2.5));
    // φ below 1 (underdispersed) is not allowed to sharpen the test.
    assert_eq!(count_test_p(30, 10.0, 0.3), count_test_p(30, 10.0, 1.0));
    // Zero observed: nothing to flag.
    assert!(count_test_p(0, 10.0, 1.0) > 0.99);
}

#[test]
fn benjamini_hochberg_on_paper_with_ties() {
    // Sorted: 0.01 (rank 1), 0.01 (rank 2), 0.04 (rank 3), 0.2 (rank 4); n = 4.
    // q(rank 4) = 0.2; q(3) = min(0.2, 0.04·4/3); q(2) = min(…, 0.01·4/2 = 0.02);
    // q(1) = min(0.02, 0.01·4) = 0.02: tied p-values get the same q.
    let q = benjamini_hochberg(&[0.04, 0.01, 0.2, 0.01]);
    assert_close!(q[0], 0.04 * 4.0 / 3.0, 1e-12);
    assert_close!(q[1], 0.02, 1e-12);
    assert_close!(q[2], 0.2, 1e-12);
    assert_close!(q[3], 0.02, 1e-12);
    // Capped at 1 and monotone: [0.9, 0.8] → rank 2 gives 0.9, rank 1 min(0.9, 1.6).
    assert_eq!(benjamini_hochberg(&[0.9, 0.8]), vec![0.9, 0.9]);
    assert_eq!(benjamini_hochberg(&[0.3]), vec![0.3]);
    assert!(benjamini_hochberg(&[]).is_empty());
}

#[test]
fn g_test_on_paper() {
    // 10 of 100 in the foreground, 50 of 1000 in the background. Smoothing (PValueScore):
    // ε(10) = ⌊0.5 + 0.5⌋ = 1 → a = 11 of 101; ε(50) = ⌊2.5 + 0.5⌋ = 3 → b = 53 of 1003,
    // and the 5% guard raises b to 55.65. G = 2·LLR = 3.8666, p = P(χ²₁ > 3.8666) = 0.049256.
    assert_close!(g_test_p(10, 100, 50, 1000), 0.049_255_557_730_405_85, 1e-9);
    // 20 of 100 against 10 of 1000: G = 64.118, p = 1.17e-15. (The χ² tail is computed as
    // 1 − P(½, x/2), so below ~1e-15 only the order of magnitude is right.)
    assert!(g_test_p(20, 100, 10, 1000) < 2e-15);
    // No background or no foreground: no evidence.
    assert_eq!(g_test_p(20, 100, 10, 0), 1.0);
    assert_eq!(g_test_p(0, 0, 10, 1000), 1.0);
    // Zero in the foreground is never over-represented.
    assert_eq!(g_test_p(0, 100, 10, 1000), 1.0);
}

#[test]
fn change_point_edge_cases() {
    let ones = [1.0; 8];
    // Step from 1 to 10 at bucket 4: gain = 40·ln 10 − 44·ln 5.5 = 17.09, 2·gain = 34.2 > 10.83.
    assert_eq!(change_point_up(&[1, 1, 1, 1, 10, 10, 10, 10], &ones), Some(4));
    // One bucket, all zero, no exposure: no change point.
    assert_eq!(change_point_up(&[50], &[1.0]), None);
    assert_eq!(change_point_up(&[0; 8], &ones), None);
    assert_eq!(change_point_up(&[1, 1, 1, 1, 10, 10, 10, 10], &[0.0; 8]), None);
    // A drop is not an onset.
    assert_eq!(change_point_up(&[10, 10, 10, 10, 1, 1, 1, 1], &ones), None);
    // 2 → 5 over 4+4 buckets: gain = 8 ln 2 + 20 ln 5 − 28 ln 3.5 = 2.66, 2·gain = 5.3 < 10.83.
    assert_eq!(change_point_up(&[2, 2, 2, 2, 5, 5, 5, 5], &ones), None);
}

// ------------------------------------------------------------------------------------------
// anomaly::judge on a hand-built count table

const MIN: i64 = 60 * SECOND;

/// Window [10 min, 15 min), one baseline [0, 10 min), 1-minute buckets: buckets 0–9 are
/// the baseline, 10–14 the window.
fn frame() -> Frame {
    Frame {
        window: (10 * MIN, 15 * MIN),
        baselines: vec![(0, 10 * MIN)],
        series_start: 0,
        bucket: MIN,
        buckets: 15,
    }
}

fn template(text: &str, first_ts: i64) -> Template {
    Template {
        id: format!("{:016x}", text.len()),
        text: text.to_string(),
        count: 0,
        shapes: vec![],
        first_ts: Some(first_ts),
        last_ts: None,
        levels: [0; 7],
        sample: text.to_string(),
        params: vec![],
    }
}

/// Counts from a per-bucket series (15 buckets).
fn counts(series: [u32; 15]) -> TemplateCounts {
    let f = frame();
    let first = f.window_first_bucket();
    let mut series_first = vec![0i64; 15];
    for (b, &c) in series.iter().enumerate() {
        if c > 0 {
            series_first[b] = f.bucket_start(b) + SECOND;
        }
    }
    let in_window: Vec<usize> = (first..15).filter(|&b| series[b] > 0).collect();
    TemplateCounts {
        window: series[first..].iter().map(|&c| c as u64).sum(),
        baseline: series[..first].iter().map(|&c| c as u64).sum(),
        levels: [0; 7],
        inferred: 0,
        first_in_window: in_window.first().map(|&b| series_first[b]),
        last_in_window: in_window.last().map(|&b| series_first[b]),
        series: series.to_vec(),
        series_first,
        sparse: Vec::new(),
    }
}

fn table(rows: Vec<(Template, TemplateCounts)>, baseline_active: i64) -> (Templates, Aggregates) {
    let (t, c): (Vec<Template>, Vec<TemplateCounts>) = rows.into_iter().unzip();
    let agg = Aggregates {
        baseline_records: c.iter().map(|c| c.baseline).sum(),
        window_records: c.iter().map(|c| c.window).sum(),
        templates: c,
        active_buckets: vec![true; 15],
        baseline_active,
        ..Default::default()
    };
    (
        Templates {
            templates: t,
            shape_template: vec![],
        },
        agg,
    )
}

fn rep(base: u32, window: u32) -> [u32; 15] {
    let mut s = [0u32; 15];
    s[..10].iter_mut().for_each(|c| *c = base);
    s[10..].iter_mut().for_each(|c| *c = window);
    s
}

#[test]
fn judge_on_paper() {
    let before = -100 * MIN;
    let mut only_12 = [0u32; 15];
    only_12[12] = 6;
    let mut four = [0u32; 15];
    four[13] = 4;
    let mut new3 = [0u32; 15];
    new3[11] = 3;
    let mut new2 = [0u32; 15];
    new2[13] = 2;
    let (templates, agg) = table(
        vec![
            // 0: 1 per baseline minute, 8 per window minute. Expected in the window:
            //    10 baseline records × 5/10 min = 5; ratio 40/5 = 8.
            (template("surge", before), counts(rep(1, 8))),
            // 1: 2 per minute throughout: expected 10, seen 10.
            (template("steady", before), counts(rep(2, 2))),
            // 2: first seen inside the window, 3 records: new.
            (template("new three", 11 * MIN), counts(new3)),
            // 3: first seen inside the window, 2 records: one stray pair is not new.
            (template("new two", 13 * MIN), counts(new2)),
            // 4: seen long before the baseline, absent from it, 6 in the window: tested
            //    against half a record (λ = 0.5 × 5/10 = 0.25).
            (template("back again", before), counts(only_12)),
            // 5: the same table as 0 (a tie).
            (template("surge twin", before), counts(rep(1, 8))),
            // 6: like 4 but 4 records: significant, yet under MIN_COUNT.
            (template("back four", before), counts(four)),
            // 7: 10 → 18 per minute: significant (p 4.3e-5) but only 1.8× its rate.
            (template("mild rise", before), counts(rep(10, 18))),
            // 8: no record in the window at all.
            (template("silent", before), counts(rep(3, 0))),
        ],
        10 * MIN,
    );
    let v = judge(&templates, &agg, &frame(), Some(before));
    assert_eq!(v.len(), 9);

    assert_eq!(v[0].verdict, Verdict::Surge);
    assert_close!(v[0].expected, 5.0, 1e-12);
    assert_close!(v[0].ratio.unwrap(), 8.0, 1e-12);
    // Six templates were tested (0, 1, 4, 5, 6, 7). With baseline records, p is the
    // larger of the count test's and the exact binomial test's (window share 5/15 of
    // the time): for 0, P(X ≥ 40 | n = 50, 1/3) = 1.665e-11 (the count test alone,
    // taking 5 as a known rate, says 4.79e-23). 0 and 5 tie at the smallest p, so both
    // take rank 2's q = p·6/2.
    assert_close!(v[0].q_value.unwrap(), 4.994_961_635_802_049e-11, 1e-6);
    assert_eq!(v[0].q_value, v[5].q_value);
    assert_eq!(v[5].verdict, Verdict::Surge);
    // The rate steps up at bucket 10: the onset is its first record.
    assert_eq!(v[0].onset, Some(10 * MIN + SECOND));

    assert_eq!(v[1].verdict, Verdict::Steady);
    assert_close!(v[1].expected, 10.0, 1e-12);
    assert_close!(v[1].ratio.unwrap(), 1.0, 1e-12);
    // P(X ≥ 10 | n = 30, 1/3) = 0.568 (the largest p: q = p).
    assert_close!(v[1].q_value.unwrap(), 0.568_255_644_421_481_7, 1e-6);

    assert_eq!(v[2].verdict, Verdict::New);
    assert_eq!(v[2].onset, Some(11 * MIN + SECOND));
    assert_eq!((v[2].ratio, v[2].q_value, v[2].expected), (None, None, 0.0));
    assert_eq!(v[3].verdict, Verdict::Steady);
    assert_eq!(v[3].q_value, None);

    assert_eq!(v[4].verdict, Verdict::Surge);
    assert_eq!(v[4].ratio, None, "no baseline records: no ratio");
    // No baseline records: the count test alone, p = 1.418e-7 at rank 3: q = p·6/3.
    assert_close!(v[4].q_value.unwrap(), 2.835_480_851_880_135e-7, 1e-6);
    assert_eq!(v[4].onset, Some(12 * MIN + SECOND));

    const { assert!(4 < MIN_COUNT) };
    assert_eq!(v[6].verdict, Verdict::Steady);
    assert_close!(v[6].q_value.unwrap(), 8.398_881_664_505_809e-5, 1e-6);

    assert_eq!(v[7].verdict, Verdict::Steady, "ratio 1.8 < MIN_RATIO");
    assert_close!(v[7].ratio.unwrap(), 1.8, 1e-12);
    // P(X ≥ 90 | n = 190, 1/3) = 4.25e-5 at rank 4: q = p·6/4.
    assert_close!(v[7].q_value.unwrap(), 6.375_077_366_745_956e-5, 1e-6);

    assert_eq!(v[8].verdict, Verdict::Steady);
    assert_eq!(v[8].q_value, None, "nothing in the window: not tested");
}

#[test]
fn judge_without_a_baseline_calls_nothing_anomalous() {
    // All data inside the window: no history to compare with.
    let (templates, agg) = table(vec![(template("burst", 10 * MIN), counts(rep(0, 50)))], 0);
    let v = judge(&templates, &agg, &frame(), Some(10 * MIN));
    assert_eq!(v[0].verdict, Verdict::Steady);
    assert_eq!((v[0].expected, v[0].ratio, v[0].q_value), (0.0, None, None));
    // No data start at all (no record had a time): the same.
    let v = judge(&templates, &agg, &frame(), None);
    assert_eq!(v[0].verdict, Verdict::Steady);
}

// ------------------------------------------------------------------------------------------
// spikes::detect on a hand-built series

fn series_agg(series: [u64; 15], active_from: usize) -> Aggregates {
    // The baseline totals the spike's stated rate comes from: records per minute of
    // baseline buckets holding data (the buckets before the window).
    let first = frame().window_first_bucket();
    let active: Vec<bool> = (0..15).map(|b| b >= active_from).collect();
    let base: Vec<usize> = (0..first).filter(|&b| active[b]).collect();
    Aggregates {
        total_series: series.to_vec(),
        error_series: vec![0; 15],
        baseline_records: base.iter().map(|&b| series[b]).sum(),
        baseline_active: base.len() as i64 * frame().bucket,
        active_buckets: active,
        ..Default::default()
    }
}

#[test]
fn spike_detection_on_paper() {
    let f = frame();
    // Baseline 10 per minute (mean 10, variance 0 → φ = 1, μ = 10); 60 at minute 12:
    // p(60 | 10) = 3.8e-27, excess 50 ≥ 20.
    let s = spikes::detect(
        &series_agg([10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 60, 10, 10], 0),
        &f,
        false,
    );
    assert_eq!(s.len(), 1);
    assert_eq!((s[0].from, s[0].to, s[0].count), (12 * MIN, 13 * MIN, 60));
    assert_close!(s[0].expected, 10.0, 1e-12);
    assert_close!(s[0].ratio, 6.0, 1e-12);
    // Only the error series counts for an error spike.
    assert!(spikes::detect(
        &series_agg([10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 60, 10, 10], 0),
        &f,
        true
    )
    .is_empty());

    // 30, 10, 30: one quiet minute inside a spike is bridged: 70 records against 30.
    let s = spikes::detect(
        &series_agg([10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 30, 10, 30, 10, 10], 0),
        &f,
        false,
    );
    assert_eq!(s.len(), 1);
    assert_eq!((s[0].from, s[0].to, s[0].count), (10 * MIN, 13 * MIN, 70));
    assert_close!(s[0].expected, 30.0, 1e-12);
    assert_close!(s[0].ratio, 3.0, 1e-12);

    // 25 at minute 10 is significant (p = 3.2e-5) but its excess, 15, is under 20.
    let s = spikes::detect(
        &series_agg([10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 25, 10, 10, 10, 10], 0),
        &f,
        false,
    );
    assert!(s.is_empty(), "{s:?}");

    // Buckets without data are gaps, not quiet time: μ is 10 over the 5 active ones.
    let s = spikes::detect(
        &series_agg([0, 0, 0, 0, 0, 10, 10, 10, 10, 10, 10, 10, 60, 10, 10], 5),
        &f,
        false,
    );
    assert_eq!(s.len(), 1);
    assert_close!(s[0].expected, 10.0, 1e-12);
    // Fewer than four baseline buckets with data: no baseline rate, no spike.
    let s = spikes::detect(
        &series_agg([0, 0, 0, 0, 0, 0, 0, 10, 10, 10, 10, 10, 60, 10, 10], 7),
        &f,
        false,
    );
    assert!(s.is_empty());
}

// ------------------------------------------------------------------------------------------
// The whole core over real records: collect → aggregate → judge → spikes → problems

fn record(ts: i64, service: &str, level: Level, message: &str) -> Record {
    Record {
        ts: Some(ts),
        level: Some(level),
        service: Some(service.to_string()),
        message: message.to_string(),
        ..Record::default()
    }
}

/// Baseline minutes 0–9: 10 `checkout` lines a minute. Window minutes 10–14: the same,
/// plus 50 `payments` errors in minute 12.
fn incident() -> Vec<Record> {
    let mut out = Vec::new();
    for minute in 0..15 {
        for i in 0..10 {
            let ts = minute * MIN + i * SECOND;
            out.push(record(ts, "checkout", Level::Info, "order placed for cart"));
        }
        if minute == 12 {
            for i in 0..50 {
                out.push(record(
                    minute * MIN + i * SECOND,
                    "payments",
                    Level::Error,
                    "payment gateway unreachable",
                ));
            }
        }
    }
    out.sort_by_key(|r| r.ts);
    out
}

#[test]
fn the_core_on_a_small_incident() {
    let records = incident();
    let masker = Masker::default();
    let mut collector = Collector::new().unwrap();
    // Two chunks, to go through the fold as the real pass does.
    let (a, b) = records.split_at(records.len() / 2);
    collector.absorb(digest_chunk(&masker, "app.log", a, i64::MIN)).unwrap();
    collector.absorb(digest_chunk(&masker, "app.log", b, i64::MIN)).unwrap();
    let mut c = collector.finish().unwrap();
    assert_eq!(c.records, 200);
    assert_eq!((c.min_ts, c.max_ts), (Some(0), Some(14 * MIN + 9 * SECOND)));

    let templates = induce(&c.shapes);
    let shape_template = templates.shape_template.clone();
    let f = frame();
    let agg = aggregate(&mut c, &f, &shape_template, templates.templates.len(), false).unwrap();
    // 100 baseline records over 10 active minutes; 100 in the window (50 + 50).
    assert_eq!((agg.baseline_records, agg.window_records), (100, 100));
    assert_eq!(agg.baseline_active, 10 * MIN);
    assert_eq!(
        agg.total_series,
        vec![10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 60, 10, 10]
    );
    assert_eq!(agg.error_series[12], 50);
    assert_eq!(agg.error_series.iter().sum::<u64>(), 50);
    let t_of = |text: &str| templates.templates.iter().position(|t| t.text == text).unwrap();
    let (order, pay) = (t_of("order placed for cart"), t_of("payment gateway unreachable"));
    assert_eq!((agg.templates[order].baseline, agg.templates[order].window), (100, 50));
    assert_eq!((agg.templates[pay].baseline, agg.templates[pay].window), (0, 50));
    let payments = c.services.find("payments").unwrap();
    let g = &agg.services[&payments];
    assert_eq!((g.records, g.errors, g.baseline_records), (50, 50, 0));
    assert_eq!(g.first_error, Some(12 * MIN));

    let v = judge(&templates, &agg, &f, c.min_ts);
    assert_eq!(v[pay].verdict, Verdict::New);
    assert_eq!(v[pay].onset, Some(12 * MIN));
    // 100 baseline lines × 5/10 min = 50 expected, 50 seen.
    assert_eq!(v[order].verdict, Verdict::Steady);
    assert_close!(v[order].expected, 50.0, 1e-12);

    // The spike: minute 12, 60 against μ = 10.
    let mut s = spikes::detect(&agg, &f, false);
    assert_eq!(s.len(), 1);
    assert_eq!((s[0].from, s[0].to, s[0].count), (12 * MIN, 13 * MIN, 60));
    spikes::attribute(&mut s, &mut c, &templates, &shape_template, &agg, &f).unwrap();
    // Attribution span: two minutes early, [10, 13) min: n1 = 10 + 10 + 60 = 80 records,
    // n0 = 100 baseline records. r = 3 min / 10 min = 0.3, excess = 80 − 0.3·100 = 50.
    // payments: 50 in the span, 0 before: lift = (50/80) / (0.5/100) = 125, share = 50/50.
    let e = &s[0].explained_by;
    let service = e
        .iter()
        .find(|x| x.field == "service")
        .unwrap_or_else(|| panic!("{e:?}"));
    assert_eq!(service.value, "payments");
    assert_eq!((service.count, service.baseline_count), (50, 0));
    assert_close!(service.lift, 125.0, 1e-12);
    assert_close!(service.share, 1.0, 1e-12);
    let tpl = e.iter().find(|x| x.field == "template").unwrap();
    assert_eq!(tpl.value, "payment gateway unreachable");
    assert_close!(tpl.share, 1.0, 1e-12);
    // checkout is under-represented in the spike (30/80 against 100/100): never an explanation.
    assert!(
        !e.iter()
            .any(|x| x.value == "checkout" || x.value == "order placed for cart"),
        "{e:?}"
    );
    // Ties on share and count are ordered by field name: service before template.
    assert_eq!(e[0].field, "service");
    assert_eq!(e[1].field, "template");

    let p = problems::build(&templates, &v, &agg, &c, &Rules::builtin());
    assert_eq!(p.len(), 1, "only the payments errors make a problem: {p:?}");
    assert_eq!((p[0].count, p[0].baseline_count, p[0].errors()), (50, 0, 50));
    assert_eq!(p[0].verdict, Verdict::New);
    assert_eq!(p[0].services, vec![("payments".to_string(), 50)]);
    assert_eq!(p[0].onset, Some(12 * MIN));
}
