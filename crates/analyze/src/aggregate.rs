//! Exact counts over the spilled rows once the frame is known: totals, per template,
//! per module/host/service, per endpoint, and the bucketed series the tests and change
//! points run on. Memory is templates × buckets, never records.

use std::collections::BTreeMap;

use rustc_hash::{FxHashMap, FxHashSet};
use triage_mine::stats::NumericSummary;

use crate::collect::{Collected, Row, NONE};
use crate::frame::{Frame, MINUTE};

#[derive(Debug, Clone, Default)]
pub struct TemplateCounts {
    pub window: u64,
    pub baseline: u64,
    /// Window records per level (`Level as usize`, 6 = none).
    pub levels: [u64; 7],
    /// Window records whose level was inferred from their words (counted in `levels`).
    pub inferred: u64,
    pub first_in_window: Option<i64>,
    pub last_in_window: Option<i64>,
    /// Counts per series bucket: dense only once the template has records in more than
    /// [`SPARSE_BUCKETS`] buckets (then `sparse` is empty); read through
    /// [`TemplateCounts::series_counts`].
    pub series: Vec<u32>,
    /// First time per series bucket (0 = none), for exact onsets.
    pub series_first: Vec<i64>,
    /// (bucket, count, first time) while the template has records in few buckets.
    pub sparse: Vec<(u32, u32, i64)>,
}

/// Buckets a template's series is kept sparse for. Most templates of a long tail hold a
/// handful of records: a dense series each (a few hundred buckets × 12 bytes) was most
/// of the analysis's memory with 200,000 templates (576 MB of 945 MB).
pub const SPARSE_BUCKETS: usize = 8;

impl TemplateCounts {
    fn add_to_series(&mut self, b: usize, ts: i64, buckets: usize) {
        if self.series.is_empty() {
            if let Some(e) = self.sparse.iter_mut().find(|e| e.0 == b as u32) {
                e.1 += 1;
                e.2 = e.2.min(ts);
                return;
            }
            if self.sparse.len() < SPARSE_BUCKETS {
                self.sparse.push((b as u32, 1, ts));
                return;
            }
            self.series = vec![0; buckets];
            self.series_first = vec![0; buckets];
            for (b, n, first) in std::mem::take(&mut self.sparse) {
                self.series[b as usize] = n;
                self.series_first[b as usize] = first;
            }
        }
        self.series[b] += 1;
        if self.series_first[b] == 0 || ts < self.series_first[b] {
            self.series_first[b] = ts;
        }
    }

    /// Whether any record of the template falls in the series.
    pub fn in_series(&self) -> bool {
        !self.series.is_empty() || !self.sparse.is_empty()
    }

    /// Records in the series.
    pub fn series_total(&self) -> u64 {
        self.series.iter().map(|&n| n as u64).sum::<u64>() + self.sparse.iter().map(|e| e.1 as u64).sum::<u64>()
    }

    /// The counts per bucket of a series of `buckets` buckets (empty when none falls in it).
    pub fn series_counts(&self, buckets: usize) -> std::borrow::Cow<'_, [u32]> {
        if self.sparse.is_empty() {
            return std::borrow::Cow::Borrowed(&self.series);
        }
        let mut dense = vec![0; buckets];
        for &(b, n, _) in &self.sparse {
            dense[b as usize] = n;
        }
        std::borrow::Cow::Owned(dense)
    }

    /// The template's first record in the series: the first time of its earliest
    /// bucket with records.
    pub fn first_in_series(&self) -> Option<i64> {
        if self.sparse.is_empty() {
            let b = self.series.iter().position(|&n| n > 0)?;
            self.series_first.get(b).copied()
        } else {
            self.sparse.iter().min_by_key(|e| e.0).map(|e| e.2)
        }
    }

    /// The first time per bucket (0 = none), as [`TemplateCounts::series_counts`].
    pub fn series_firsts(&self, buckets: usize) -> std::borrow::Cow<'_, [i64]> {
        if self.sparse.is_empty() {
            return std::borrow::Cow::Borrowed(&self.series_first);
        }
        let mut dense = vec![0; buckets];
        for &(b, _, first) in &self.sparse {
            dense[b as usize] = first;
        }
        std::borrow::Cow::Owned(dense)
    }
}

#[derive(Debug, Clone, Default)]
pub struct GroupCounts {
    pub records: u64,
    pub errors: u64,
    pub levels: [u64; 7],
    pub baseline_records: u64,
    pub baseline_errors: u64,
    pub first_error: Option<i64>,
}

#[derive(Debug, Clone, Default)]
pub struct EndpointCounts {
    pub requests: u64,
    pub failures: u64,
    pub latency: NumericSummary,
    pub baseline_requests: u64,
    pub baseline_failures: u64,
}

#[derive(Debug, Default)]
pub struct Aggregates {
    pub templates: Vec<TemplateCounts>,
    pub window_records: u64,
    pub window_levels: [u64; 7],
    /// Window records per level whose level was inferred (included in `window_levels`).
    pub window_inferred: [u64; 7],
    pub baseline_records: u64,
    pub baseline_errors: u64,
    /// Records older than the window (baselines included) and the newest of them: a sparse
    /// log may have none in the baseline spans yet months of history before them.
    pub records_before_window: u64,
    pub last_before_window: Option<i64>,
    /// Records per series bucket, all and WARN+.
    pub total_series: Vec<u64>,
    pub error_series: Vec<u64>,
    /// Series buckets holding at least one record (gaps in the data are not quiet time).
    pub active_buckets: Vec<bool>,
    /// Baseline time covered by data, in nanoseconds (buckets with records × bucket).
    pub baseline_active: i64,
    pub modules: FxHashMap<u32, GroupCounts>,
    pub hosts: FxHashMap<u32, GroupCounts>,
    pub services: FxHashMap<u32, GroupCounts>,
    /// Window counts per (template, module/host/service id).
    pub template_modules: FxHashMap<(u32, u32), u64>,
    pub template_hosts: FxHashMap<(u32, u32), u64>,
    pub template_services: FxHashMap<(u32, u32), u64>,
    /// Baseline counts per (template, service id): the per-service template mix before
    /// the window, which service-level ranking compares the window's mix with.
    pub template_services_baseline: FxHashMap<(u32, u32), u64>,
    pub endpoints: FxHashMap<u32, EndpointCounts>,
    /// Records per minute over all the data (for load-gated change blame).
    pub minutes: BTreeMap<i64, u64>,
    /// WARN+ records per series bucket and module id (for the report's charts).
    pub module_error_series: FxHashMap<u32, Vec<u32>>,
}

fn group_add(map: &mut FxHashMap<u32, GroupCounts>, id: u32, row: &Row, in_window: bool, ts: i64) {
    if id == NONE {
        return;
    }
    let g = map.entry(id).or_default();
    if in_window {
        g.records += 1;
        g.levels[row.level as usize % 7] += 1;
        if row.is_error() {
            g.errors += 1;
            g.first_error = Some(g.first_error.map_or(ts, |f| f.min(ts)));
        }
    } else {
        g.baseline_records += 1;
        if row.is_error() {
            g.baseline_errors += 1;
        }
    }
}

/// Reads the rows back once and counts everything the analyses need. With
/// `untimed_in_window` (no record of the input has a time), every record counts as in
/// the window, so counts and problems still cover what was read.
pub fn aggregate(
    c: &mut Collected,
    frame: &Frame,
    shape_template: &[u32],
    templates: usize,
    untimed_in_window: bool,
) -> std::io::Result<Aggregates> {
    let mut a = Aggregates {
        templates: vec![TemplateCounts::default(); templates],
        total_series: vec![0; frame.buckets],
        error_series: vec![0; frame.buckets],
        active_buckets: vec![false; frame.buckets],
        ..Default::default()
    };
    let mut baseline_buckets: FxHashSet<i64> = FxHashSet::default();
    let buckets = frame.buckets;
    // Counted in a hash map and sorted once at the end: searching an ordered map of
    // years of minutes for every row was most of this loop's time.
    // Runs of one minute (rows mostly come in time order) are added at once.
    let mut minutes: FxHashMap<i64, u64> = FxHashMap::default();
    let mut run: (i64, u64) = (i64::MIN, 0);
    c.for_each_row(|row, _| {
        let ts = match row.time() {
            Some(ts) => ts,
            None if untimed_in_window => frame.window.0,
            None => return,
        };
        let minute = ts.div_euclid(MINUTE);
        if minute == run.0 {
            run.1 += 1;
        } else {
            if run.1 > 0 {
                *minutes.entry(run.0).or_insert(0) += run.1;
            }
            run = (minute, 1);
        }
        let t = shape_template.get(row.shape as usize).copied().unwrap_or(0);
        let tc = &mut a.templates[t as usize % templates.max(1)];
        if let Some(b) = frame.bucket_of(ts) {
            a.total_series[b] += 1;
            a.active_buckets[b] = true;
            if row.is_error() {
                a.error_series[b] += 1;
                if row.module != NONE {
                    a.module_error_series
                        .entry(row.module)
                        .or_insert_with(|| vec![0; buckets])[b] += 1;
                }
            }
            tc.add_to_series(b, ts, buckets);
        }
        if ts < frame.window.0 {
            a.records_before_window += 1;
            a.last_before_window = Some(a.last_before_window.map_or(ts, |l| l.max(ts)));
        }
        if frame.in_window(ts) {
            a.window_records += 1;
            a.window_levels[row.level as usize % 7] += 1;
            tc.window += 1;
            tc.levels[row.level as usize % 7] += 1;
            if row.level_inferred {
                tc.inferred += 1;
                a.window_inferred[row.level as usize % 7] += 1;
            }
            tc.first_in_window = Some(tc.first_in_window.map_or(ts, |f| f.min(ts)));
            tc.last_in_window = Some(tc.last_in_window.map_or(ts, |l| l.max(ts)));
            for (map, id) in [
                (&mut a.template_modules, row.module),
                (&mut a.template_hosts, row.host),
                (&mut a.template_services, row.service),
            ] {
                if id != NONE {
                    *map.entry((t, id)).or_insert(0) += 1;
                }
            }
            group_add(&mut a.modules, row.module, row, true, ts);
            group_add(&mut a.hosts, row.host, row, true, ts);
            group_add(&mut a.services, row.service, row, true, ts);
            if row.endpoint != NONE {
                let e = a.endpoints.entry(row.endpoint).or_default();
                e.requests += 1;
                if is_failure(row.status) {
                    e.failures += 1;
                }
                if row.latency_ms.is_finite() {
                    e.latency.add(row.latency_ms as f64);
                }
            }
        } else if frame.in_baseline(ts) {
            a.baseline_records += 1;
            if row.is_error() {
                a.baseline_errors += 1;
            }
            tc.baseline += 1;
            baseline_buckets.insert(ts.div_euclid(frame.bucket));
            if row.service != NONE {
                *a.template_services_baseline.entry((t, row.service)).or_insert(0) += 1;
            }
            group_add(&mut a.modules, row.module, row, false, ts);
            group_add(&mut a.hosts, row.host, row, false, ts);
            group_add(&mut a.services, row.service, row, false, ts);
            if row.endpoint != NONE {
                let e = a.endpoints.entry(row.endpoint).or_default();
                e.baseline_requests += 1;
                if is_failure(row.status) {
                    e.baseline_failures += 1;
                }
            }
        }
    })?;
    if run.1 > 0 {
        *minutes.entry(run.0).or_insert(0) += run.1;
    }
    a.minutes = match &c.minute_counts {
        Some(store) => store.iter().copied().collect(),
        None => minutes.into_iter().collect(),
    };
    let mut base: Vec<i64> = baseline_buckets.into_iter().collect();
    base.sort_unstable();
    a.baseline_active = (base.len() as i64 + quiet_between(&base)) * frame.bucket;
    fill_quiet_runs(&mut a.active_buckets);
    Ok(a)
}

/// Longest run of empty buckets between two buckets with records that is quiet time
/// (no events) rather than a gap in the data. A sparse log (a kernel log, a cron
/// service) is silent for minutes between events: that silence is part of its rate,
/// and leaving it out makes its baseline look several times busier than it was. A
/// longer silence is taken for missing data (a collector outage, a rotated-away file).
pub const MAX_QUIET_BUCKETS: i64 = 15;

/// Empty buckets inside short runs between the sorted bucket indexes `buckets`.
fn quiet_between(buckets: &[i64]) -> i64 {
    buckets
        .windows(2)
        .map(|w| w[1] - w[0] - 1)
        .filter(|&gap| gap > 0 && gap <= MAX_QUIET_BUCKETS)
        .sum()
}

/// Marks short empty runs between active buckets as active (quiet time, see
/// [`MAX_QUIET_BUCKETS`]).
fn fill_quiet_runs(active: &mut [bool]) {
    let idx: Vec<usize> = (0..active.len()).filter(|&i| active[i]).collect();
    for w in idx.windows(2) {
        let gap = (w[1] - w[0] - 1) as i64;
        if gap > 0 && gap <= MAX_QUIET_BUCKETS {
            for b in &mut active[w[0] + 1..w[1]] {
                *b = true;
            }
        }
    }
}

/// See [`crate::facets::Request::failed`].
pub fn is_failure(status: u16) -> bool {
    status >= 500 || matches!(status, 408 | 429 | 499)
}
