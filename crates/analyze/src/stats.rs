//! The statistics behind every claim: Poisson tail probabilities (with a quasi-Poisson
//! correction for overdispersed baselines), the binomial G-test used by Elasticsearch's
//! `p_value` significance heuristic, Benjamini–Hochberg FDR, and a Poisson change point.

/// ln Γ(x) (Lanczos, g = 7, n = 9); accurate to ~1e-13 for x > 0.
pub fn ln_gamma(x: f64) -> f64 {
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection keeps small arguments accurate.
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = C[0];
    let t = x + 7.5;
    for (i, c) in C.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// Regularised lower incomplete gamma P(a, x).
pub fn gamma_p(a: f64, x: f64) -> f64 {
    if x <= 0.0 || a <= 0.0 {
        return if x <= 0.0 { 0.0 } else { 1.0 };
    }
    if x < a + 1.0 {
        // Series.
        let mut sum = 1.0 / a;
        let mut term = sum;
        let mut n = a;
        for _ in 0..10_000 {
            n += 1.0;
            term *= x / n;
            sum += term;
            if term.abs() < sum.abs() * 1e-15 {
                break;
            }
        }
        (sum.ln() - x + a * x.ln() - ln_gamma(a)).exp().min(1.0)
    } else {
        1.0 - gamma_q_cf(a, x)
    }
}

/// Regularised upper incomplete gamma Q(a, x) by Lentz's continued fraction (x ≥ a+1).
fn gamma_q_cf(a: f64, x: f64) -> f64 {
    let tiny = 1e-300;
    let mut b = x + 1.0 - a;
    let mut c = 1.0 / tiny;
    let mut d = 1.0 / b;
    let mut h = d;
    for i in 1..10_000 {
        let an = -(i as f64) * (i as f64 - a);
        b += 2.0;
        d = an * d + b;
        if d.abs() < tiny {
            d = tiny;
        }
        c = b + an / c;
        if c.abs() < tiny {
            c = tiny;
        }
        d = 1.0 / d;
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() < 1e-15 {
            break;
        }
    }
    ((-x + a * x.ln() - ln_gamma(a)).exp() * h).clamp(0.0, 1.0)
}

/// P(X ≥ k) for X ~ Poisson(λ).
pub fn poisson_sf(k: u64, lambda: f64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    if lambda <= 0.0 {
        return 0.0;
    }
    // P(X ≥ k) = P(k, λ) (lower regularised gamma).
    gamma_p(k as f64, lambda)
}

/// One-sided mid-p value for an excess: P(X > k) + ½·P(X = k).
pub fn poisson_mid_p_upper(k: u64, lambda: f64) -> f64 {
    if lambda <= 0.0 {
        return if k == 0 { 1.0 } else { 0.0 };
    }
    let pmf = (k as f64 * lambda.ln() - lambda - ln_gamma(k as f64 + 1.0)).exp();
    (poisson_sf(k, lambda) - 0.5 * pmf).clamp(0.0, 1.0)
}

/// Count test of `observed` against `expected`, with dispersion φ = var/mean of the
/// baseline buckets (quasi-Poisson: both counts are divided by φ ≥ 1, which widens the
/// test for bursty templates instead of calling every burst significant).
pub fn count_test_p(observed: u64, expected: f64, dispersion: f64) -> f64 {
    let phi = dispersion.max(1.0);
    let k = (observed as f64 / phi).floor() as u64;
    poisson_mid_p_upper(k, (expected / phi).max(1e-9))
}

/// χ²₁ survival function.
pub fn chi2_sf_1(x: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    1.0 - gamma_p(0.5, x / 2.0)
}

/// The one-sided binomial likelihood-ratio test of Elasticsearch's `p_value` heuristic:
/// is a term over-represented in the foreground (`a` of `n1`) relative to the background
/// (`b` of `n0`)? Smoothing and the 5% effect guard follow `PValueScore`.
pub fn g_test_p(a: u64, n1: u64, b: u64, n0: u64) -> f64 {
    if n1 == 0 || n0 == 0 {
        return 1.0;
    }
    let (a, n1, b, n0) = (a as f64, n1 as f64, b as f64, n0 as f64);
    if a / n1 <= b / n0 {
        return 1.0;
    }
    let eps = |n: f64| (0.05 * n + 0.5).floor().max(1.0);
    let (ea, eb) = (eps(a), eps(b));
    let (a, n1) = (a + ea, n1 + ea);
    let (b, n0) = (b + eb, n0 + eb);
    // Ratio changes under 5% do not count.
    let b = (1.05 * b).min(a / n1 * n0);
    let p1 = a / n1;
    let p0 = b / n0;
    let p = (a + b) / (n1 + n0);
    let log_bin = |k: f64, n: f64, p: f64| -> f64 {
        let mut v = 0.0;
        if k > 0.0 {
            v += k * p.max(1e-300).ln();
        }
        if n - k > 0.0 {
            v += (n - k) * (1.0 - p).max(1e-300).ln();
        }
        v
    };
    let llr = log_bin(a, n1, p1) + log_bin(b, n0, p0) - log_bin(a, n1, p) - log_bin(b, n0, p);
    chi2_sf_1(2.0 * llr.max(0.0))
}

/// Benjamini–Hochberg adjusted p-values (q-values), in the input order.
pub fn benjamini_hochberg(p: &[f64]) -> Vec<f64> {
    let n = p.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    let mut q = vec![1.0; n];
    let mut running = 1.0f64;
    for (rank, &i) in order.iter().enumerate().rev() {
        let v = p[i] * n as f64 / (rank + 1) as f64;
        running = running.min(v);
        q[i] = running.min(1.0);
    }
    q
}

/// The bucket where a count series most likely changes rate upward (one Poisson change
/// point by maximum likelihood), or None when one constant rate explains it as well.
/// `exposure[i]` is the length of bucket i (0 for gaps without data), so gaps do not
/// read as drops.
pub fn change_point_up(counts: &[u64], exposure: &[f64]) -> Option<usize> {
    let n = counts.len().min(exposure.len());
    if n < 2 {
        return None;
    }
    let total_c: f64 = counts[..n].iter().map(|&c| c as f64).sum();
    let total_e: f64 = exposure[..n].iter().sum();
    if total_c == 0.0 || total_e == 0.0 {
        return None;
    }
    let ll = |c: f64, e: f64| if c > 0.0 && e > 0.0 { c * (c / e).ln() - c } else { 0.0 };
    let base = ll(total_c, total_e);
    let (mut best, mut best_gain) = (None, 0.0f64);
    let (mut lc, mut le) = (0.0, 0.0);
    for i in 1..n {
        lc += counts[i - 1] as f64;
        le += exposure[i - 1];
        let (rc, re) = (total_c - lc, total_e - le);
        if le == 0.0 || re == 0.0 {
            continue;
        }
        // Only upward changes: the rate after the split must be higher.
        if rc / re <= lc / le {
            continue;
        }
        let gain = ll(lc, le) + ll(rc, re) - base;
        if gain > best_gain {
            best_gain = gain;
            best = Some(i);
        }
    }
    // 2·gain ~ χ²₁ under no change; demand a clear change (p < 0.001 ⇒ 2·gain > 10.83).
    best.filter(|_| 2.0 * best_gain > 10.83)
}

/// A clear upward step in a count series, for a window with nothing before it to compare
/// with: the split that maximises the Poisson likelihood gain, kept only when
/// - at least `min_before` buckets with data precede it (the "before" rate is measured),
/// - the gain is significant after allowing for overdispersion: 2·gain divided by the
///   Pearson dispersion of the two-rate fit exceeds 10.83 (χ²₁, p < 0.001), so a bursty
///   but steady series does not pass,
/// - the rate after is at least `min_ratio` times the rate before, and the records after
///   it exceed what the rate before predicts by `min_excess`.
///
/// Returns the first bucket of the higher rate.
pub fn step_up(counts: &[u64], exposure: &[f64], min_before: usize, min_ratio: f64, min_excess: f64) -> Option<usize> {
    let n = counts.len().min(exposure.len());
    let total_c: f64 = counts[..n].iter().map(|&c| c as f64).sum();
    let total_e: f64 = exposure[..n].iter().sum();
    if n < 2 || total_c == 0.0 || total_e == 0.0 {
        return None;
    }
    let ll = |c: f64, e: f64| if c > 0.0 && e > 0.0 { c * (c / e).ln() - c } else { 0.0 };
    let base = ll(total_c, total_e);
    let (mut best, mut best_gain) = (None, 0.0f64);
    let (mut lc, mut le, mut active_before) = (0.0, 0.0, 0usize);
    for i in 1..n {
        lc += counts[i - 1] as f64;
        le += exposure[i - 1];
        if exposure[i - 1] > 0.0 {
            active_before += 1;
        }
        let (rc, re) = (total_c - lc, total_e - le);
        if active_before < min_before || re == 0.0 || rc / re <= lc / le {
            continue;
        }
        let gain = ll(lc, le) + ll(rc, re) - base;
        if gain > best_gain {
            best_gain = gain;
            best = Some(i);
        }
    }
    let mut cp = best?;
    let (bc, be): (f64, f64) = (
        counts[..cp].iter().map(|&c| c as f64).sum(),
        exposure[..cp].iter().sum(),
    );
    let (ac, ae) = (total_c - bc, total_e - be);
    let (before, after) = (bc / be, ac / ae);
    // Pearson dispersion of the two-rate fit over the buckets with data.
    let mut pearson = 0.0;
    let mut used = 0usize;
    for i in 0..n {
        if exposure[i] <= 0.0 {
            continue;
        }
        used += 1;
        let mu = if i < cp { before } else { after } * exposure[i];
        if mu > 0.0 {
            pearson += (counts[i] as f64 - mu).powi(2) / mu;
        }
    }
    let phi = if used > 2 {
        (pearson / (used - 2) as f64).max(1.0)
    } else {
        1.0
    };
    let significant = 2.0 * best_gain / phi > 10.83;
    let big_enough = after >= min_ratio * before && ac - before * ae >= min_excess;
    if !(significant && big_enough) {
        return None;
    }
    // A burst that starts late in a bucket leaves that bucket only partly raised, so the
    // split lands one bucket late: step back over buckets already well above the rate
    // before (3 standard deviations), so the onset is not after the burst began.
    while cp > 1 {
        let mu = before * exposure[cp - 1];
        if exposure[cp - 1] > 0.0 && counts[cp - 1] as f64 > mu + 3.0 * (mu * phi).sqrt() + 2.0 {
            cp -= 1;
        } else {
            break;
        }
    }
    Some(cp)
}

/// The first bucket of a burst in a count series with nothing before it to compare with.
/// Where [`step_up`] looks for a lasting change (and the overdispersion of a burst that
/// falls back defeats it), this finds a bucket far above the series' usual rate: the
/// median of the buckets with data (a burst of a few buckets does not move it), or the
/// mean of those at or under the 90th percentile when that is higher, with the
/// dispersion of the same buckets. A bucket is a burst when at least `min_before` buckets
/// with data precede it and it exceeds that rate `min_ratio` times, by `min_excess`
/// records, and with a quasi-Poisson p under 0.001 divided by the buckets tested.
pub fn burst_up(counts: &[u64], exposure: &[f64], min_before: usize, min_ratio: f64, min_excess: f64) -> Option<usize> {
    let n = counts.len().min(exposure.len());
    let mut active: Vec<f64> = (0..n)
        .filter(|&i| exposure[i] > 0.0)
        .map(|i| counts[i] as f64)
        .collect();
    if active.len() <= min_before {
        return None;
    }
    active.sort_by(f64::total_cmp);
    let median = active[active.len() / 2];
    let lower = &active[..(active.len() * 9).div_ceil(10)];
    let mean = lower.iter().sum::<f64>() / lower.len() as f64;
    let var = lower.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (lower.len().max(2) - 1) as f64;
    let rate = median.max(mean);
    let phi = if mean > 0.0 { (var / mean).max(1.0) } else { 1.0 };
    let alpha = 0.001 / active.len() as f64;
    let mut seen = 0usize;
    for i in 0..n {
        if exposure[i] <= 0.0 {
            continue;
        }
        let c = counts[i] as f64;
        if seen >= min_before
            && c >= min_ratio * rate
            && c - rate >= min_excess
            && count_test_p(counts[i], rate.max(0.5), phi) < alpha
        {
            return Some(i);
        }
        seen += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_that_falls_back_is_found_where_a_step_is_not() {
        // About one error per bucket, then 130 in one bucket, then back to one.
        let mut counts: Vec<u64> = (0..30).map(|i| [1, 0, 2, 1][i % 4]).collect();
        counts[18] = 130;
        let exposure = vec![1.0; counts.len()];
        assert_eq!(step_up(&counts, &exposure, 3, 2.0, 20.0), None);
        assert_eq!(burst_up(&counts, &exposure, 3, 2.0, 20.0), Some(18));
        // Bursty but steady: every fifth bucket holds 25, none stands out from the rest.
        let steady: Vec<u64> = (0..30).map(|i| if i % 5 == 0 { 25 } else { 3 }).collect();
        assert_eq!(burst_up(&steady, &exposure, 3, 2.0, 20.0), None);
        // Too small to matter: 15 over a rate of one.
        counts[18] = 16;
        assert_eq!(burst_up(&counts, &exposure, 3, 2.0, 20.0), None);
    }

    #[test]
    fn poisson_tail_matches_known_values() {
        // P(X ≥ 10 | λ = 3) = 0.001102...
        assert!((poisson_sf(10, 3.0) - 0.001_102_488).abs() < 1e-7);
        // P(X ≥ 1 | λ = 1) = 1 − e⁻¹
        assert!((poisson_sf(1, 1.0) - (1.0 - (-1.0f64).exp())).abs() < 1e-12);
        assert!(poisson_sf(5, 50.0) > 0.999_999);
        assert!(poisson_sf(500, 50.0) < 1e-100);
    }

    #[test]
    fn quasi_poisson_widens_the_test() {
        let plain = count_test_p(30, 10.0, 1.0);
        let bursty = count_test_p(30, 10.0, 4.0);
        assert!(plain < 1e-5, "{plain}");
        assert!(bursty > plain * 100.0, "{bursty} vs {plain}");
    }

    #[test]
    fn g_test_flags_over_representation_only() {
        // 7 of 100 in the spike, 1 of 10 000 in the baseline.
        assert!(g_test_p(70, 1000, 1, 10_000) < 1e-10);
        // Same share: nothing.
        assert_eq!(g_test_p(10, 100, 100, 1000), 1.0);
        // Under-represented: nothing.
        assert_eq!(g_test_p(1, 100, 500, 1000), 1.0);
        // A 3% difference is below the 5% guard.
        assert!(g_test_p(103, 1000, 1000, 10_000) > 0.5);
    }

    #[test]
    fn bh_is_monotone_and_bounded() {
        let q = benjamini_hochberg(&[0.01, 0.04, 0.03, 0.5]);
        assert!((q[0] - 0.04).abs() < 1e-12);
        // 0.03 at rank 2 gives 0.06, but the larger 0.04 at rank 3 gives 0.0533: monotone.
        assert!((q[2] - 0.04 * 4.0 / 3.0).abs() < 1e-12);
        assert!((q[1] - 0.04 * 4.0 / 3.0).abs() < 1e-12);
        assert_eq!(q[3], 0.5);
    }

    #[test]
    fn change_point_finds_the_step() {
        let mut counts = vec![2u64; 40];
        for c in counts.iter_mut().skip(30) {
            *c = 20;
        }
        let exposure = vec![1.0; 40];
        assert_eq!(change_point_up(&counts, &exposure), Some(30));
        assert_eq!(change_point_up(&[3, 2, 3, 4, 2, 3, 3, 2], &[1.0; 8]), None);
        // A gap without data is not a drop.
        let mut e = vec![1.0; 40];
        e[10..20].iter_mut().for_each(|x| *x = 0.0);
        let mut c = counts.clone();
        c[10..20].iter_mut().for_each(|x| *x = 0);
        assert_eq!(change_point_up(&c, &e), Some(30));
    }
}
