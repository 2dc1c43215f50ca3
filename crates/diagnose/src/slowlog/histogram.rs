//! The 95th percentile of a class's `Query_time` without keeping every value:
//! pt-query-digest's log-scale buckets (each 5 % wider than the one before, from 1 µs),
//! kept sparse, and its way of reading the percentile off them.

const BUCKET_GROWTH: f64 = 1.05;
const MIN_VALUE: f64 = 0.000_001;
const BUCKETS: usize = 1000;

/// Counts per bucket index, sorted by index; at most [`BUCKETS`] entries.
#[derive(Debug, Default, Clone)]
pub(crate) struct Histogram {
    counts: Vec<(u16, u64)>,
}

/// pt-query-digest's bucket of a value.
fn bucket_of(value: f64) -> u16 {
    if value.is_nan() || value < MIN_VALUE {
        return 0;
    }
    let offset = (1.0 - MIN_VALUE.ln() / BUCKET_GROWTH.ln()).abs();
    let index = (offset + value.ln() / BUCKET_GROWTH.ln()).floor();
    index.clamp(0.0, (BUCKETS - 1) as f64) as u16
}

/// The lower edge of a bucket.
fn bucket_value(bucket: u16) -> f64 {
    if bucket == 0 {
        0.0
    } else {
        BUCKET_GROWTH.powi(i32::from(bucket) - 1) * MIN_VALUE
    }
}

impl Histogram {
    pub(crate) fn add(&mut self, value: f64) {
        let bucket = bucket_of(value);
        match self.counts.binary_search_by_key(&bucket, |&(b, _)| b) {
            Ok(i) => self.counts[i].1 += 1,
            Err(i) => self.counts.insert(i, (bucket, 1)),
        }
    }

    /// The 95th percentile of `count` values between `min` and `max`: the maximum for
    /// one or two values (or all equal), the largest value when fewer than 10, else the
    /// lower edge of the bucket holding the top 5 %'s lowest value.
    pub(crate) fn pct95(&self, count: u64, min: f64, max: f64) -> f64 {
        if count == 0 {
            return 0.0;
        }
        if count <= 2 || max == min {
            return max;
        }
        let cutoff = if count >= 10 {
            (count as f64 * 0.95) as u64
        } else {
            count
        };
        let above = count - cutoff;
        let mut seen = 0;
        for &(bucket, n) in self.counts.iter().rev() {
            seen += n;
            if seen > above {
                return bucket_value(bucket);
            }
        }
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_match_pt_query_digest() {
        // pt-query-digest's own test: 1 second falls in bucket 284, whose lower edge is
        // 0.992136979.
        assert_eq!(bucket_of(1.0), 284);
        assert!((bucket_value(284) - 0.992_136_979).abs() < 1e-9);
        assert_eq!(bucket_of(0.0), 0);
        assert_eq!(bucket_of(1e30), 999);
    }

    #[test]
    fn pct95_reads_the_top_five_percent() {
        let mut h = Histogram::default();
        for i in 1..=100 {
            h.add(f64::from(i) / 100.0);
        }
        let p = h.pct95(100, 0.01, 1.0);
        assert!(p > 0.9 && p <= 0.96, "{p}");
        let mut few = Histogram::default();
        for v in [0.1, 0.2, 0.3] {
            few.add(v);
        }
        assert!((few.pct95(3, 0.1, 0.3) - bucket_value(bucket_of(0.3))).abs() < 1e-12);
        assert_eq!(few.pct95(2, 0.1, 0.2), 0.2);
        assert_eq!(Histogram::default().pct95(0, 0.0, 0.0), 0.0);
    }
}
