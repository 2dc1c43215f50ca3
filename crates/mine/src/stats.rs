//! Bounded-memory, mergeable statistics for the values of one template placeholder
//! (the `<num>` in `export alarm id=<num>`).
//!
//! Later stages use these to say *which parameter values explain a spike*
//! (`start=2020-06-01`, `range=30d`, an IN-list of 10000 items). Shards are mined in
//! parallel and merged, so everything here is deterministic, bounded in memory
//! regardless of input size, and mergeable. Nothing here panics on any input.
//!
//! This module owns three types:
//!
//! - [`TopK`]: heavy hitters over the placeholder's text values with the
//!   **Space-Saving** algorithm (Metwally, Agrawal and El Abbadi, *Efficient Computation
//!   of Frequent and Top-k Elements in Data Streams*, 2005). It keeps at most `k`
//!   counters. A value that is not monitored evicts the monitored value with the
//!   smallest count and inherits that count (+ its own) as an over-estimate; the
//!   inherited part is its `error`. Guarantees, for every reported value:
//!   `count - error <= true count <= count`, and every value whose true count exceeds
//!   the smallest monitored count (at most `total / k`) is monitored. Values of
//!   frequency well below `total / k` cannot be guaranteed by *any* `O(k)` summary: with
//!   `k = 32`, a value seen 7 times is guaranteed to be found while the stream has fewer
//!   than `7 * 32` values (or when its occurrences are bunched, as a spike's are); among
//!   thousands of interleaved singletons it may be evicted.
//!
//!   Finding the minimum: the slots form an *indexed binary min-heap* ordered by
//!   `(count asc, value desc)`, plus a `HashMap` from value to slot. A hit is a hash
//!   lookup and a sift-down (`O(log k)`); an eviction replaces the heap root and reuses
//!   both string buffers, so the steady state does not allocate. (A linear scan would
//!   be fine for `k <= 64`; the heap keeps `add` cheap for larger `k` as well.) The heap
//!   order is total (values in the summary are unique), so the evicted value is always
//!   the one that [`TopK::top`] would list last: a function of the counts, not of
//!   insertion history or hashing.
//!
//!   Merging follows the mergeable-summaries rule (Agarwal et al. 2012): a value's
//!   merged count is the sum of its counts in both summaries, where a summary that does
//!   not monitor the value contributes its smallest count (0 when it never evicted
//!   anything) to both count and error; the `k` largest are kept, ties broken by value
//!   text ascending. The result does not depend on argument order (`a.merge(b)` and
//!   `b.merge(a)` give the same summary for the same `k`) but, like every Space-Saving
//!   merge, it is not exactly associative: callers fold shards **in input order**
//!   (`shard0.merge(shard1)`, then `.merge(shard2)`, …), which gives a stable result.
//!   The error bounds above hold after any sequence of merges.
//!
//!   Values longer than [`MAX_VALUE_BYTES`] are truncated (on a char boundary) before
//!   they are counted.
//!
//! - [`NumericSummary`]: count, min, max, sum (Neumaier-compensated) and a quantile
//!   sketch after **DDSketch** (Masson, Rim and Lee, *DDSketch: A Fast and Fully-Mergeable
//!   Quantile Sketch with Relative-Error Guarantees*, 2019). Values are mapped to
//!   logarithmic buckets `key = ceil(ln|v| / ln γ)` with `γ = (1 + α) / (1 - α)` and
//!   `α =` [`RELATIVE_ACCURACY`] (1%); a bucket is represented by `2γ^key / (γ + 1)`,
//!   which is within `α` of every value in it. Positive and negative values have their
//!   own stores (negatives keyed by magnitude); `|v|` below [`MIN_INDEXABLE`] (including
//!   `0` and `-0`) is counted in a zero bucket. Each store holds at most
//!   [`MAX_BINS_PER_SIGN`] contiguous buckets: when the key range would exceed that,
//!   the **lowest** buckets (smallest magnitudes) are collapsed into the lowest kept one,
//!   so only quantiles that fall among the smallest magnitudes lose accuracy (2048
//!   buckets span magnitudes over a ratio of about 10^17 at full accuracy). The bucket
//!   state is a function of the multiset of values added, so merging is exact:
//!   merging shards in any order gives the same buckets as one pass over the union.
//!   Quantiles are within 1% relative error of the exact value of rank
//!   `floor(q * (count - 1))` (uncollapsed buckets) and are clamped to `[min, max]`;
//!   `q = 0` and `q = 1` return the exact min and max. NaN and ±∞ are ignored (counted
//!   in [`NumericSummary::ignored`]).
//!
//! - [`ParamStats`]: a [`TopK`] over the text values plus an optional
//!   [`NumericSummary`], created on the first value that is a plain number (integer or
//!   decimal with an optional sign, no exponent, no `inf`/`nan`; see
//!   [`parse_plain_number`]). Durations, sizes and the like are not parsed here: the
//!   caller passes the derived number with [`ParamStats::add_number`].
//!
//! All three serialize (serde) for reports: a `TopK` as its capacity, total, distinct
//! lower bound and ranked values; a `NumericSummary` as count/min/max/mean and
//! p50/p90/p99, never raw buckets.

use std::collections::{HashMap, VecDeque};

use serde::{Serialize, Serializer};

/// Values longer than this many bytes are truncated (on a char boundary) before counting.
pub const MAX_VALUE_BYTES: usize = 256;

/// Relative accuracy `α` of [`NumericSummary`] quantiles.
pub const RELATIVE_ACCURACY: f64 = 0.01;

/// Most buckets kept per sign by [`NumericSummary`] before the lowest are collapsed.
pub const MAX_BINS_PER_SIGN: usize = 2048;

/// Magnitudes below this go to the zero bucket of [`NumericSummary`].
pub const MIN_INDEXABLE: f64 = f64::MIN_POSITIVE;

/// `ln γ` for `γ = (1 + α) / (1 - α)`, `α = 0.01` (checked by a test).
const LN_GAMMA: f64 = 0.020000666706669435;

/// Truncates `value` to at most [`MAX_VALUE_BYTES`] bytes on a char boundary.
fn truncate_value(value: &str) -> &str {
    triage_text::cut_bytes(value, MAX_VALUE_BYTES)
}

// ---------------------------------------------------------------------------------------
// TopK
// ---------------------------------------------------------------------------------------

/// One value reported by [`TopK::top`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TopValue {
    /// The value text (truncated to [`MAX_VALUE_BYTES`]).
    pub value: String,
    /// Estimated count: never below the true count.
    pub count: u64,
    /// Space-Saving over-estimate bound: the true count is at least `count - error`.
    pub error: u64,
}

impl TopValue {
    /// Guaranteed lower bound on the true count (`count - error`).
    pub fn lower_bound(&self) -> u64 {
        self.count.saturating_sub(self.error)
    }
}

#[derive(Debug, Clone)]
struct Slot {
    value: String,
    count: u64,
    error: u64,
}

/// Space-Saving heavy hitters over string values, at most `k` counters.
/// See the module documentation for guarantees, the min structure and merge semantics.
#[derive(Debug, Clone)]
pub struct TopK {
    k: usize,
    total: u64,
    distinct_lb: usize,
    slots: Vec<Slot>,
    /// value → slot index.
    index: HashMap<String, usize>,
    /// Min-heap of slot indices ordered by (count asc, value desc).
    heap: Vec<usize>,
    /// slot index → position in `heap`.
    pos: Vec<usize>,
}

impl TopK {
    /// A summary with `k` counters (`k = 0` is treated as 1).
    pub fn new(k: usize) -> TopK {
        let k = k.max(1);
        let pre = k.min(64);
        TopK {
            k,
            total: 0,
            distinct_lb: 0,
            slots: Vec::with_capacity(pre),
            index: HashMap::with_capacity(pre),
            heap: Vec::with_capacity(pre),
            pos: Vec::with_capacity(pre),
        }
    }

    /// Number of counters.
    pub fn capacity(&self) -> usize {
        self.k
    }

    /// Number of values currently monitored (at most [`TopK::capacity`]).
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// True when nothing was added.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Sum of all counts added (saturating), monitored or not.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// A lower bound on the number of distinct values seen: exact while fewer than `k`
    /// distinct values were seen, at least `k + 1` once one was evicted.
    pub fn distinct_lower_bound(&self) -> usize {
        self.distinct_lb
    }

    /// True once the summary no longer counts every value exactly (it evicted something).
    pub fn is_saturated(&self) -> bool {
        self.distinct_lb > self.slots.len()
    }

    /// Counts one occurrence of `value`.
    pub fn add(&mut self, value: &str) {
        self.add_count(value, 1);
    }

    /// Counts `count` occurrences of `value` (a count of 0 is ignored).
    pub fn add_count(&mut self, value: &str, count: u64) {
        if count == 0 {
            return;
        }
        let value = truncate_value(value);
        self.total = self.total.saturating_add(count);
        if let Some(&slot) = self.index.get(value) {
            let s = &mut self.slots[slot];
            s.count = s.count.saturating_add(count);
            let p = self.pos[slot];
            self.sift_down(p);
            return;
        }
        if self.slots.len() < self.k {
            let slot = self.slots.len();
            self.slots.push(Slot {
                value: value.to_owned(),
                count,
                error: 0,
            });
            self.index.insert(value.to_owned(), slot);
            self.heap.push(slot);
            self.pos.push(slot);
            self.sift_up(slot);
            self.distinct_lb = self.distinct_lb.max(self.slots.len());
            return;
        }
        // Evict the minimum (heap root); the new value inherits its count as error.
        let Some(&slot) = self.heap.first() else {
            return;
        };
        let s = &mut self.slots[slot];
        let min = s.count;
        if let Some((mut key, _)) = self.index.remove_entry(s.value.as_str()) {
            key.clear();
            key.push_str(value);
            self.index.insert(key, slot);
        } else {
            self.index.insert(value.to_owned(), slot);
        }
        s.value.clear();
        s.value.push_str(value);
        s.count = min.saturating_add(count);
        s.error = min;
        self.distinct_lb = self.distinct_lb.max(self.k.saturating_add(1));
        self.sift_down(0);
    }

    /// The estimate for `value`, if it is monitored.
    pub fn get(&self, value: &str) -> Option<TopValue> {
        let slot = *self.index.get(truncate_value(value))?;
        let s = &self.slots[slot];
        Some(TopValue {
            value: s.value.clone(),
            count: s.count,
            error: s.error,
        })
    }

    /// Upper bound on the true count of any value that is not monitored: the smallest
    /// monitored count once saturated, else 0.
    pub fn unmonitored_bound(&self) -> u64 {
        if self.slots.len() < self.k {
            0
        } else {
            self.heap.first().map_or(0, |&s| self.slots[s].count)
        }
    }

    /// Up to `n` values, by count descending then value ascending.
    pub fn top(&self, n: usize) -> Vec<TopValue> {
        let mut order: Vec<&Slot> = self.slots.iter().collect();
        order.sort_unstable_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
        order
            .into_iter()
            .take(n)
            .map(|s| TopValue {
                value: s.value.clone(),
                count: s.count,
                error: s.error,
            })
            .collect()
    }

    /// Merges `other` into `self` (mergeable Space-Saving; see the module documentation).
    /// Keeps `self`'s capacity.
    pub fn merge(&mut self, other: &TopK) {
        let floor_a = self.unmonitored_bound();
        let floor_b = other.unmonitored_bound();
        let mut combined: Vec<Slot> = Vec::with_capacity(self.slots.len() + other.slots.len());
        for s in &self.slots {
            let (c, e) = match other.index.get(s.value.as_str()) {
                Some(&o) => (other.slots[o].count, other.slots[o].error),
                None => (floor_b, floor_b),
            };
            combined.push(Slot {
                value: s.value.clone(),
                count: s.count.saturating_add(c),
                error: s.error.saturating_add(e),
            });
        }
        for s in &other.slots {
            if !self.index.contains_key(s.value.as_str()) {
                combined.push(Slot {
                    value: s.value.clone(),
                    count: s.count.saturating_add(floor_a),
                    error: s.error.saturating_add(floor_a),
                });
            }
        }
        self.distinct_lb = self.distinct_lb.max(other.distinct_lb).max(combined.len());
        self.total = self.total.saturating_add(other.total);
        combined.sort_unstable_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
        combined.truncate(self.k);
        self.rebuild(combined);
    }

    fn rebuild(&mut self, slots: Vec<Slot>) {
        self.index.clear();
        self.heap.clear();
        self.pos.clear();
        for (i, s) in slots.iter().enumerate() {
            self.index.insert(s.value.clone(), i);
            self.heap.push(i);
            self.pos.push(i);
        }
        self.slots = slots;
        let n = self.heap.len();
        for p in (0..n / 2).rev() {
            self.sift_down(p);
        }
    }

    /// Heap order: `a` before `b` when it should be evicted first.
    fn before(&self, a: usize, b: usize) -> bool {
        let (sa, sb) = (&self.slots[a], &self.slots[b]);
        sa.count < sb.count || (sa.count == sb.count && sa.value > sb.value)
    }

    fn swap(&mut self, i: usize, j: usize) {
        self.heap.swap(i, j);
        self.pos[self.heap[i]] = i;
        self.pos[self.heap[j]] = j;
    }

    fn sift_up(&mut self, mut p: usize) {
        while p > 0 {
            let parent = (p - 1) / 2;
            if self.before(self.heap[p], self.heap[parent]) {
                self.swap(p, parent);
                p = parent;
            } else {
                break;
            }
        }
    }

    fn sift_down(&mut self, mut p: usize) {
        let n = self.heap.len();
        loop {
            let l = 2 * p + 1;
            if l >= n {
                break;
            }
            let r = l + 1;
            let mut c = l;
            if r < n && self.before(self.heap[r], self.heap[l]) {
                c = r;
            }
            if self.before(self.heap[c], self.heap[p]) {
                self.swap(p, c);
                p = c;
            } else {
                break;
            }
        }
    }
}

impl Serialize for TopK {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct View {
            capacity: usize,
            total: u64,
            distinct_lower_bound: usize,
            values: Vec<TopValue>,
        }
        View {
            capacity: self.k,
            total: self.total,
            distinct_lower_bound: self.distinct_lb,
            values: self.top(self.k),
        }
        .serialize(serializer)
    }
}

// ---------------------------------------------------------------------------------------
// NumericSummary
// ---------------------------------------------------------------------------------------

/// Contiguous logarithmic buckets `[offset, offset + bins.len())`, at most
/// [`MAX_BINS_PER_SIGN`] of them; lower keys collapse into the lowest bucket.
#[derive(Debug, Clone, Default, PartialEq)]
struct Store {
    offset: i64,
    bins: VecDeque<u64>,
}

impl Store {
    fn max_key(&self) -> i64 {
        self.offset + self.bins.len() as i64 - 1
    }

    fn add(&mut self, key: i64, n: u64) {
        if n == 0 {
            return;
        }
        let cap = MAX_BINS_PER_SIGN as i64;
        if self.bins.is_empty() {
            self.offset = key;
            self.bins.push_back(n);
            return;
        }
        let max = self.max_key();
        if key < self.offset {
            // Extend downwards, but never below `max - cap + 1`.
            let lowest = key.max(max - cap + 1);
            while self.offset > lowest {
                self.bins.push_front(0);
                self.offset -= 1;
            }
            if let Some(b) = self.bins.front_mut() {
                *b = b.saturating_add(n);
            }
        } else if key > max {
            let new_offset = self.offset.max(key - cap + 1);
            if new_offset > max {
                // Everything kept so far collapses into the new lowest bucket.
                let sum = self.bins.iter().fold(0u64, |a, &b| a.saturating_add(b));
                self.bins.clear();
                self.bins.push_back(sum);
                self.offset = new_offset;
            } else {
                let mut carried = 0u64;
                while self.offset < new_offset {
                    carried = carried.saturating_add(self.bins.pop_front().unwrap_or(0));
                    self.offset += 1;
                }
                if let Some(b) = self.bins.front_mut() {
                    *b = b.saturating_add(carried);
                }
            }
            while self.max_key() < key {
                self.bins.push_back(0);
            }
            if let Some(b) = self.bins.back_mut() {
                *b = b.saturating_add(n);
            }
        } else {
            let i = (key - self.offset) as usize;
            if let Some(b) = self.bins.get_mut(i) {
                *b = b.saturating_add(n);
            }
        }
    }

    fn merge(&mut self, other: &Store) {
        // Highest keys first: the range is then fixed before lower keys arrive, so
        // nothing is shuffled twice.
        for (i, &n) in other.bins.iter().enumerate().rev() {
            self.add(other.offset + i as i64, n);
        }
    }

    /// (key, count) from the lowest key up.
    fn iter(&self) -> impl DoubleEndedIterator<Item = (i64, u64)> + '_ {
        self.bins
            .iter()
            .enumerate()
            .map(move |(i, &n)| (self.offset + i as i64, n))
    }
}

fn key_of(magnitude: f64) -> i64 {
    let k = (magnitude.ln() / LN_GAMMA).ceil();
    // |ln| of any positive finite f64 is below 745, so |k| < 37_300; clamp for safety.
    k.clamp(-100_000.0, 100_000.0) as i64
}

fn value_of(key: i64) -> f64 {
    // 2γ^key / (γ + 1), with γ = e^LN_GAMMA.
    let gamma = LN_GAMMA.exp();
    (key as f64 * LN_GAMMA).exp() * 2.0 / (1.0 + gamma)
}

/// Count, min, max, mean and a DDSketch quantile sketch (1% relative accuracy) over
/// numeric values. See the module documentation.
#[derive(Debug, Clone)]
pub struct NumericSummary {
    count: u64,
    zero: u64,
    ignored: u64,
    min: f64,
    max: f64,
    sum: f64,
    /// Neumaier compensation term for `sum`.
    sum_comp: f64,
    pos: Store,
    neg: Store,
}

impl Default for NumericSummary {
    fn default() -> Self {
        NumericSummary::new()
    }
}

impl NumericSummary {
    /// An empty summary.
    pub fn new() -> NumericSummary {
        NumericSummary {
            count: 0,
            zero: 0,
            ignored: 0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            sum: 0.0,
            sum_comp: 0.0,
            pos: Store::default(),
            neg: Store::default(),
        }
    }

    /// Adds one value. NaN and ±∞ are ignored (see [`NumericSummary::ignored`]).
    pub fn add(&mut self, v: f64) {
        if !v.is_finite() {
            self.ignored = self.ignored.saturating_add(1);
            return;
        }
        self.count = self.count.saturating_add(1);
        if v < self.min {
            self.min = v;
        }
        if v > self.max {
            self.max = v;
        }
        self.add_to_sum(v);
        let m = v.abs();
        if m < MIN_INDEXABLE {
            self.zero = self.zero.saturating_add(1);
        } else if v > 0.0 {
            self.pos.add(key_of(m), 1);
        } else {
            self.neg.add(key_of(m), 1);
        }
    }

    fn add_to_sum(&mut self, v: f64) {
        let t = self.sum + v;
        if t.is_finite() {
            if self.sum.abs() >= v.abs() {
                self.sum_comp += (self.sum - t) + v;
            } else {
                self.sum_comp += (v - t) + self.sum;
            }
        }
        self.sum = t;
    }

    /// Merges `other` into `self`. Buckets, count, min and max merge exactly; the sum is
    /// compensated, so the mean agrees with a single pass up to rounding.
    pub fn merge(&mut self, other: &NumericSummary) {
        self.count = self.count.saturating_add(other.count);
        self.zero = self.zero.saturating_add(other.zero);
        self.ignored = self.ignored.saturating_add(other.ignored);
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
        self.add_to_sum(other.sum);
        self.sum_comp += other.sum_comp;
        self.pos.merge(&other.pos);
        self.neg.merge(&other.neg);
    }

    /// Number of values added (NaN and ±∞ not counted).
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Number of NaN / ±∞ values that were ignored.
    pub fn ignored(&self) -> u64 {
        self.ignored
    }

    /// Smallest value, exact.
    pub fn min(&self) -> Option<f64> {
        (self.count > 0).then_some(self.min)
    }

    /// Largest value, exact.
    pub fn max(&self) -> Option<f64> {
        (self.count > 0).then_some(self.max)
    }

    /// Sum of the values (compensated summation).
    pub fn sum(&self) -> f64 {
        self.sum + self.sum_comp
    }

    /// Arithmetic mean, clamped to `[min, max]` against rounding.
    pub fn mean(&self) -> Option<f64> {
        if self.count == 0 {
            return None;
        }
        let m = self.sum() / self.count as f64;
        if m.is_finite() {
            Some(m.clamp(self.min, self.max))
        } else {
            // The sum overflowed f64: fall back to the midpoint of min and max.
            Some((self.min / 2.0 + self.max / 2.0).clamp(self.min, self.max))
        }
    }

    /// Estimate of the `q`-quantile (`0 <= q <= 1`, clamped; NaN gives `None`): within
    /// [`RELATIVE_ACCURACY`] of the exact value of rank `floor(q * (count - 1))` unless
    /// that rank falls in collapsed low buckets. `None` when empty.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        if self.count == 0 || q.is_nan() {
            return None;
        }
        let q = q.clamp(0.0, 1.0);
        if q == 0.0 {
            return Some(self.min);
        }
        if q == 1.0 {
            return Some(self.max);
        }
        let rank = ((q * (self.count - 1) as f64).floor() as u64).min(self.count - 1);
        let mut seen = 0u64;
        // Negatives: largest magnitude (most negative) first.
        for (key, n) in self.neg.iter().rev() {
            seen = seen.saturating_add(n);
            if seen > rank {
                return Some((-value_of(key)).clamp(self.min, self.max));
            }
        }
        seen = seen.saturating_add(self.zero);
        if seen > rank {
            return Some(0.0f64.clamp(self.min, self.max));
        }
        for (key, n) in self.pos.iter() {
            seen = seen.saturating_add(n);
            if seen > rank {
                return Some(value_of(key).clamp(self.min, self.max));
            }
        }
        Some(self.max)
    }

    /// Buckets currently held (both signs; the zero bucket not included).
    pub fn bucket_count(&self) -> usize {
        self.pos.bins.len() + self.neg.bins.len()
    }
}

impl Serialize for NumericSummary {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct View {
            count: u64,
            min: Option<f64>,
            max: Option<f64>,
            mean: Option<f64>,
            p50: Option<f64>,
            p90: Option<f64>,
            p99: Option<f64>,
        }
        View {
            count: self.count,
            min: self.min(),
            max: self.max(),
            mean: self.mean(),
            p50: self.quantile(0.5),
            p90: self.quantile(0.9),
            p99: self.quantile(0.99),
        }
        .serialize(serializer)
    }
}

// ---------------------------------------------------------------------------------------
// ParamStats
// ---------------------------------------------------------------------------------------

/// Parses `text` as a plain number: optional `+`/`-`, digits with an optional `.` and
/// fraction (at least one digit overall). No exponent, no whitespace, no `inf`/`nan`,
/// no thousands separators. `None` if it does not match or is not finite as `f64`.
pub fn parse_plain_number(text: &str) -> Option<f64> {
    let b = text.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let mut digits = 0usize;
    let mut dot = false;
    while i < b.len() {
        match b[i] {
            b'0'..=b'9' => digits += 1,
            b'.' if !dot => dot = true,
            _ => return None,
        }
        i += 1;
    }
    if digits == 0 {
        return None;
    }
    text.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// Statistics for one placeholder: heavy hitters over its text values and, once a value
/// was numeric, a [`NumericSummary`].
#[derive(Debug, Clone, Serialize)]
pub struct ParamStats {
    pub top: TopK,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub numeric: Option<NumericSummary>,
}

impl ParamStats {
    /// Empty statistics with a top-`k` of `k` counters.
    pub fn new(k: usize) -> ParamStats {
        ParamStats {
            top: TopK::new(k),
            numeric: None,
        }
    }

    /// Counts `text`; if the whole text is a plain number ([`parse_plain_number`]) it
    /// also goes to the numeric summary.
    pub fn add_text(&mut self, text: &str) {
        self.top.add(text);
        if let Some(v) = parse_plain_number(text) {
            self.numeric.get_or_insert_with(NumericSummary::new).add(v);
        }
    }

    /// Counts `text` and adds `value`, a number the caller derived from it (a duration,
    /// a size, an IN-list length…). A non-finite `value` only counts the text.
    pub fn add_number(&mut self, text: &str, value: f64) {
        self.top.add(text);
        if value.is_finite() {
            self.numeric.get_or_insert_with(NumericSummary::new).add(value);
        }
    }

    /// Values counted (the top-k total).
    pub fn count(&self) -> u64 {
        self.top.total()
    }

    /// Merges `other` into `self` (see [`TopK::merge`], [`NumericSummary::merge`]).
    pub fn merge(&mut self, other: &ParamStats) {
        self.top.merge(&other.top);
        match (&mut self.numeric, &other.numeric) {
            (Some(a), Some(b)) => a.merge(b),
            (None, Some(b)) => self.numeric = Some(b.clone()),
            _ => {}
        }
    }
}

// ---------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

    /// xorshift64* — deterministic, good enough for test data.
    struct Rng(u64);

    impl Rng {
        fn new(seed: u64) -> Rng {
            Rng(seed.max(1))
        }
        fn next_u64(&mut self) -> u64 {
            let mut x = self.0;
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            self.0 = x;
            x.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        /// Uniform in [0, 1).
        fn unit(&mut self) -> f64 {
            (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next_u64() % n
        }
        /// Standard normal (Box–Muller).
        fn normal(&mut self) -> f64 {
            let u1 = self.unit().max(1e-300);
            let u2 = self.unit();
            (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
        }
    }

    fn exact_counts(stream: &[String]) -> HashMap<String, u64> {
        let mut m = HashMap::new();
        for v in stream {
            *m.entry(v.clone()).or_insert(0u64) += 1;
        }
        m
    }

    /// Zipf-like skewed stream: value `v<i>` drawn with weight `1 / (i + 1)^s`.
    fn skewed_stream(n: usize, distinct: u64, s: f64, seed: u64) -> Vec<String> {
        let mut rng = Rng::new(seed);
        let weights: Vec<f64> = (0..distinct).map(|i| (i as f64 + 1.0).powf(-s)).collect();
        let total: f64 = weights.iter().sum();
        let mut cdf = Vec::with_capacity(weights.len());
        let mut acc = 0.0;
        for w in &weights {
            acc += w / total;
            cdf.push(acc);
        }
        (0..n)
            .map(|_| {
                let u = rng.unit();
                let i = cdf.partition_point(|&c| c < u).min(cdf.len() - 1);
                format!("v{i}")
            })
            .collect()
    }

    fn check_bounds(top: &TopK, truth: &HashMap<String, u64>) {
        for tv in top.top(top.capacity()) {
            let t = truth.get(&tv.value).copied().unwrap_or(0);
            assert!(t <= tv.count, "{}: true {} > reported {}", tv.value, t, tv.count);
            assert!(
                tv.count <= t + tv.error,
                "{}: reported {} > true {} + error {}",
                tv.value,
                tv.count,
                t,
                tv.error
            );
            assert!(tv.lower_bound() <= t);
        }
        // Every unmonitored value is below the bound.
        let bound = top.unmonitored_bound();
        for (v, &c) in truth {
            if top.get(v).is_none() {
                assert!(c <= bound, "{v} (true {c}) unmonitored but above bound {bound}");
            }
        }
    }

    #[test]
    fn stats_ln_gamma_constant() {
        let a = RELATIVE_ACCURACY;
        assert!((((1.0 + a) / (1.0 - a)).ln() - LN_GAMMA).abs() < 1e-15);
    }

    #[test]
    fn stats_topk_finds_spike_value_with_k32() {
        // 7 occurrences of the spike value placed anywhere among 150 distinct others:
        // total 157 < 7 * 32, so the smallest counter stays <= 4 and Space-Saving must
        // report the spike value, first, whatever the order.
        for seed in 1..20u64 {
            let mut rng = Rng::new(seed);
            let mut stream: Vec<String> = (0..150).map(|i| format!("start=2020-05-{i:03}")).collect();
            for _ in 0..7 {
                let at = rng.below(stream.len() as u64 + 1) as usize;
                stream.insert(at, "start=2020-06-01".to_string());
            }
            let mut top = TopK::new(32);
            for v in &stream {
                top.add(v);
            }
            let first = &top.top(1)[0];
            assert_eq!(first.value, "start=2020-06-01");
            assert!(first.lower_bound() <= 7 && first.count >= 7);
            check_bounds(&top, &exact_counts(&stream));
        }
    }

    #[test]
    fn stats_topk_finds_bunched_spike_among_thousands() {
        // Thousands of distinct values, then a spike window where the value repeats
        // (its occurrences are bunched, as in a spike) among other distinct values.
        let mut stream: Vec<String> = (0..5000).map(|i| format!("start=2019-{i:05}")).collect();
        for i in 0..70 {
            stream.push(if i % 10 == 0 {
                "start=2020-06-01".into()
            } else {
                format!("start=x{i}")
            });
        }
        let mut top = TopK::new(32);
        for v in &stream {
            top.add(v);
        }
        assert_eq!(top.top(1)[0].value, "start=2020-06-01");
        check_bounds(&top, &exact_counts(&stream));
    }

    #[test]
    fn stats_topk_skewed_stream_heavy_hitters_and_bounds() {
        let stream = skewed_stream(50_000, 5_000, 1.0, 7);
        let truth = exact_counts(&stream);
        let mut top = TopK::new(32);
        for v in &stream {
            top.add(v);
        }
        assert_eq!(top.total(), 50_000);
        check_bounds(&top, &truth);
        // Every value above total/k is monitored.
        let threshold = top.total() / 32;
        for (v, &c) in &truth {
            if c > threshold {
                assert!(top.get(v).is_some(), "{v} with {c} > {threshold} missed");
            }
        }
        // The clear heavy hitters come out in the true order.
        let mut exact: Vec<(&String, &u64)> = truth.iter().collect();
        exact.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let got: Vec<String> = top.top(3).into_iter().map(|t| t.value).collect();
        let want: Vec<String> = exact.iter().take(3).map(|(v, _)| (*v).clone()).collect();
        assert_eq!(got, want);
        assert!(top.distinct_lower_bound() > 32 && top.distinct_lower_bound() <= truth.len());
    }

    #[test]
    fn stats_topk_exact_when_not_saturated() {
        let mut top = TopK::new(8);
        for (v, n) in [("b", 3u64), ("a", 3), ("c", 5)] {
            top.add_count(v, n);
        }
        top.add("a");
        let t = top.top(10);
        let got: Vec<(&str, u64, u64)> = t.iter().map(|x| (x.value.as_str(), x.count, x.error)).collect();
        assert_eq!(got, vec![("c", 5, 0), ("a", 4, 0), ("b", 3, 0)]);
        assert_eq!(top.distinct_lower_bound(), 3);
        assert!(!top.is_saturated());
        assert_eq!(top.total(), 12);
        assert_eq!(top.top(1).len(), 1);
    }

    #[test]
    fn stats_topk_eviction_tie_break_is_by_value() {
        // With equal counts the value that sorts last is evicted, whatever the order
        // the two were inserted in.
        for (first, second) in [("a", "b"), ("b", "a")] {
            let mut top = TopK::new(2);
            top.add(first);
            top.add(second);
            top.add("c");
            let got: Vec<(String, u64, u64)> = top.top(2).into_iter().map(|t| (t.value, t.count, t.error)).collect();
            assert_eq!(got, vec![("c".into(), 2, 1), ("a".into(), 1, 0)]);
        }
    }

    #[test]
    fn stats_topk_merge_halves_matches_single_pass() {
        let stream = skewed_stream(40_000, 3_000, 1.5, 11);
        let truth = exact_counts(&stream);
        let mut one = TopK::new(32);
        for v in &stream {
            one.add(v);
        }
        let (l, r) = stream.split_at(stream.len() / 2);
        let mut a = TopK::new(32);
        let mut b = TopK::new(32);
        l.iter().for_each(|v| a.add(v));
        r.iter().for_each(|v| b.add(v));
        let mut ab = a.clone();
        ab.merge(&b);
        let mut ba = b.clone();
        ba.merge(&a);
        // Symmetric.
        assert_eq!(ab.top(32), ba.top(32));
        assert_eq!(ab.total(), one.total());
        check_bounds(&ab, &truth);
        // Clear heavy hitters (Zipf s = 1.5): same top values, in the true order.
        let names = |t: &TopK| t.top(5).into_iter().map(|x| x.value).collect::<Vec<_>>();
        assert_eq!(names(&ab), names(&one));
        assert_eq!(names(&one), ["v0", "v1", "v2", "v3", "v4"]);
        assert!(ab.len() <= 32);
    }

    #[test]
    fn stats_topk_merge_many_shards_in_order_keeps_bounds() {
        let stream = skewed_stream(30_000, 10_000, 1.0, 3);
        let truth = exact_counts(&stream);
        let shards: Vec<TopK> = stream
            .chunks(1_000)
            .map(|c| {
                let mut t = TopK::new(16);
                c.iter().for_each(|v| t.add(v));
                t
            })
            .collect();
        let fold = |shards: &[TopK]| {
            let mut acc = TopK::new(16);
            for s in shards {
                acc.merge(s);
            }
            acc
        };
        let m1 = fold(&shards);
        let m2 = fold(&shards);
        assert_eq!(m1.top(16), m2.top(16), "deterministic");
        assert_eq!(m1.total(), 30_000);
        check_bounds(&m1, &truth);
        assert_eq!(m1.top(1)[0].value, "v0");
    }

    #[test]
    fn stats_topk_merge_unsaturated_is_exact() {
        let mut a = TopK::new(10);
        let mut b = TopK::new(10);
        a.add_count("x", 3);
        a.add_count("y", 1);
        b.add_count("x", 2);
        b.add_count("z", 4);
        a.merge(&b);
        let got: Vec<(String, u64, u64)> = a.top(10).into_iter().map(|t| (t.value, t.count, t.error)).collect();
        assert_eq!(got, vec![("x".into(), 5, 0), ("z".into(), 4, 0), ("y".into(), 1, 0)]);
        assert_eq!(a.distinct_lower_bound(), 3);
        // Merging an empty summary changes nothing.
        let before = a.top(10);
        a.merge(&TopK::new(4));
        assert_eq!(a.top(10), before);
    }

    #[test]
    fn stats_topk_truncates_long_values_on_char_boundary() {
        let long = "é".repeat(300); // 600 bytes, 2-byte chars
        let mut top = TopK::new(4);
        top.add(&long);
        top.add(&format!("{long}tail"));
        let t = top.top(1);
        assert_eq!(t[0].count, 2);
        assert!(t[0].value.len() <= MAX_VALUE_BYTES);
        assert_eq!(t[0].value.len(), 256);
        let odd = format!("a{long}");
        assert_eq!(truncate_value(&odd).len(), 255);
        assert!(top.get(&long).is_some());
    }

    #[test]
    fn stats_topk_memory_bounded_for_1m_distinct() {
        let mut top = TopK::new(32);
        let mut buf = String::new();
        for i in 0..1_000_000u64 {
            buf.clear();
            use std::fmt::Write;
            let _ = write!(buf, "id={i}");
            top.add(&buf);
        }
        assert_eq!(top.len(), 32);
        assert_eq!(top.index.len(), 32);
        assert_eq!(top.heap.len(), 32);
        assert!(top.index.capacity() < 1024);
        assert_eq!(top.total(), 1_000_000);
        assert_eq!(top.distinct_lower_bound(), 33);
        for tv in top.top(32) {
            assert!(tv.lower_bound() <= 1);
        }
    }

    #[test]
    fn stats_topk_odd_inputs_do_not_panic() {
        let mut top = TopK::new(0);
        assert_eq!(top.capacity(), 1);
        top.add("");
        top.add_count("x", 0);
        top.add_count("x", u64::MAX);
        top.add_count("y", u64::MAX);
        top.add("\u{0}\u{FFFF}");
        assert_eq!(top.total(), u64::MAX);
        assert_eq!(top.len(), 1);
        let mut other = TopK::new(3);
        other.add_count("z", u64::MAX);
        top.merge(&other);
        assert!(top.top(usize::MAX).len() <= 1);
        assert!(top.top(0).is_empty());
        let mut rng = Rng::new(99);
        let mut t = TopK::new(5);
        for _ in 0..2000 {
            let len = rng.below(400) as usize;
            let s: String = (0..len)
                .map(|_| char::from_u32(rng.below(0x3000) as u32).unwrap_or('?'))
                .collect();
            t.add_count(&s, rng.below(4));
        }
        assert!(t.len() <= 5);
    }

    fn sorted(mut v: Vec<f64>) -> Vec<f64> {
        v.sort_by(|a, b| a.partial_cmp(b).unwrap());
        v
    }

    fn check_quantiles(s: &NumericSummary, data: &[f64]) {
        let data = sorted(data.to_vec());
        for q in [0.0, 0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1.0] {
            let rank = (q * (data.len() - 1) as f64).floor() as usize;
            let exact = data[rank];
            let got = s.quantile(q).unwrap();
            let tol = RELATIVE_ACCURACY * exact.abs() + 1e-12 * exact.abs().max(1e-300);
            assert!((got - exact).abs() <= tol, "q={q}: got {got}, exact {exact}");
        }
    }

    #[test]
    fn stats_quantiles_uniform_within_1_percent() {
        let mut rng = Rng::new(42);
        let data: Vec<f64> = (0..100_000).map(|_| 1.0 + rng.unit() * 999.0).collect();
        let mut s = NumericSummary::new();
        data.iter().for_each(|&v| s.add(v));
        assert_eq!(s.count(), 100_000);
        check_quantiles(&s, &data);
        let mean = data.iter().sum::<f64>() / data.len() as f64;
        assert!((s.mean().unwrap() - mean).abs() < 1e-9 * mean);
    }

    #[test]
    fn stats_quantiles_lognormal_within_1_percent() {
        let mut rng = Rng::new(5);
        let data: Vec<f64> = (0..100_000).map(|_| (3.0 + 2.0 * rng.normal()).exp()).collect();
        let mut s = NumericSummary::new();
        data.iter().for_each(|&v| s.add(v));
        check_quantiles(&s, &data);
        assert!(s.bucket_count() <= MAX_BINS_PER_SIGN);
    }

    #[test]
    fn stats_quantiles_negative_zero_positive() {
        let mut rng = Rng::new(8);
        let mut data = Vec::new();
        for _ in 0..30_000 {
            let v = match rng.below(3) {
                0 => 0.0,
                1 => -(0.5 + rng.unit() * 1e4),
                _ => 0.001 + rng.unit() * 50.0,
            };
            data.push(v);
        }
        data.push(-0.0);
        let mut s = NumericSummary::new();
        data.iter().for_each(|&v| s.add(v));
        check_quantiles(&s, &data);
        let only_neg: Vec<f64> = (1..=1000).map(|i| -(i as f64)).collect();
        let mut n = NumericSummary::new();
        only_neg.iter().for_each(|&v| n.add(v));
        check_quantiles(&n, &only_neg);
        assert_eq!(n.min(), Some(-1000.0));
        assert_eq!(n.max(), Some(-1.0));
        assert_eq!(n.mean(), Some(-500.5));
        let mut z = NumericSummary::new();
        (0..10).for_each(|_| z.add(0.0));
        assert_eq!(z.quantile(0.5), Some(0.0));
        assert_eq!(z.mean(), Some(0.0));
    }

    #[test]
    fn stats_sketch_merge_equals_union() {
        let mut rng = Rng::new(77);
        let data: Vec<f64> = (0..60_000)
            .map(|i| {
                let x = (1.0 + 1.5 * rng.normal()).exp();
                if i % 5 == 0 {
                    -x
                } else if i % 97 == 0 {
                    0.0
                } else {
                    x
                }
            })
            .collect();
        let mut one = NumericSummary::new();
        data.iter().for_each(|&v| one.add(v));
        let shards: Vec<NumericSummary> = data
            .chunks(7_000)
            .map(|c| {
                let mut s = NumericSummary::new();
                c.iter().for_each(|&v| s.add(v));
                s
            })
            .collect();
        let mut merged = NumericSummary::new();
        shards.iter().for_each(|s| merged.merge(s));
        let mut reversed = NumericSummary::new();
        shards.iter().rev().for_each(|s| reversed.merge(s));
        for m in [&merged, &reversed] {
            assert_eq!(m.count(), one.count());
            assert_eq!(m.min(), one.min());
            assert_eq!(m.max(), one.max());
            assert_eq!(m.pos, one.pos);
            assert_eq!(m.neg, one.neg);
            assert_eq!(m.zero, one.zero);
            for q in [0.01, 0.1, 0.5, 0.9, 0.99] {
                assert_eq!(m.quantile(q), one.quantile(q));
            }
            let (a, b) = (m.mean().unwrap(), one.mean().unwrap());
            assert!((a - b).abs() <= 1e-12 * b.abs().max(1.0));
        }
        check_quantiles(&merged, &data);
    }

    #[test]
    fn stats_sketch_nan_and_infinity_ignored() {
        let mut s = NumericSummary::new();
        s.add(f64::NAN);
        s.add(f64::INFINITY);
        s.add(f64::NEG_INFINITY);
        assert_eq!(s.count(), 0);
        assert_eq!(s.ignored(), 3);
        assert_eq!(s.quantile(0.5), None);
        assert_eq!(s.min(), None);
        assert_eq!(s.mean(), None);
        s.add(3.0);
        s.add(f64::NAN);
        assert_eq!(s.count(), 1);
        assert_eq!(s.quantile(0.5), Some(3.0));
        assert_eq!(s.quantile(f64::NAN), None);
        assert_eq!(s.quantile(-1.0), Some(3.0));
        assert_eq!(s.quantile(7.0), Some(3.0));
    }

    #[test]
    fn stats_sketch_bounded_and_collapses_lowest() {
        // Magnitudes from 1e-300 to 1e300: far more than MAX_BINS_PER_SIGN buckets.
        let mut rng = Rng::new(13);
        let data: Vec<f64> = (0..200_000)
            .map(|_| {
                let e = rng.unit() * 600.0 - 300.0;
                let v = 10f64.powf(e);
                if rng.below(2) == 0 {
                    v
                } else {
                    -v
                }
            })
            .collect();
        let mut s = NumericSummary::new();
        data.iter().for_each(|&v| s.add(v));
        assert!(s.pos.bins.len() <= MAX_BINS_PER_SIGN);
        assert!(s.neg.bins.len() <= MAX_BINS_PER_SIGN);
        // The largest magnitudes (the top ~17 decades, about 2.8% of each sign here)
        // keep full accuracy: the extreme quantiles on both sides.
        let sorted = sorted(data.clone());
        for q in [0.001, 0.01, 0.99, 0.999] {
            let exact = sorted[(q * (sorted.len() - 1) as f64).floor() as usize];
            let got = s.quantile(q).unwrap();
            assert!(
                (got - exact).abs() <= 0.0100001 * exact.abs(),
                "q={q}: {got} vs {exact}"
            );
        }
        // Collapsed quantiles are still answered, inside [min, max].
        for q in [0.05, 0.25, 0.5, 0.75, 0.95] {
            let got = s.quantile(q).unwrap();
            assert!(got >= s.min().unwrap() && got <= s.max().unwrap());
        }
        // Merging keeps the bound and equals the single pass.
        let mut m = NumericSummary::new();
        data.chunks(30_000).for_each(|c| {
            let mut p = NumericSummary::new();
            c.iter().for_each(|&v| p.add(v));
            m.merge(&p);
        });
        assert_eq!(m.pos, s.pos);
        assert_eq!(m.neg, s.neg);
        // Extremes of f64 do not panic.
        let mut e = NumericSummary::new();
        for v in [
            f64::MAX,
            f64::MIN,
            f64::MIN_POSITIVE,
            -f64::MIN_POSITIVE,
            5e-324,
            -5e-324,
            0.0,
            -0.0,
        ] {
            e.add(v);
        }
        assert_eq!(e.count(), 8);
        assert!(e.bucket_count() <= 2 * MAX_BINS_PER_SIGN);
        assert_eq!(e.quantile(1.0), Some(f64::MAX));
        assert_eq!(e.quantile(0.0), Some(f64::MIN));
        let _ = e.quantile(0.5);
        assert!(e.mean().is_some_and(|m| m.is_finite()));
    }

    #[test]
    fn stats_plain_number_grammar() {
        for (t, v) in [
            ("42", 42.0),
            ("-3.5", -3.5),
            ("+7", 7.0),
            (".5", 0.5),
            ("5.", 5.0),
            ("007", 7.0),
            ("10000", 10000.0),
        ] {
            assert_eq!(parse_plain_number(t), Some(v), "{t}");
        }
        for t in [
            "",
            "-",
            "+",
            ".",
            "1e5",
            "inf",
            "NaN",
            "-infinity",
            " 1",
            "1 ",
            "1,000",
            "1.2.3",
            "0x10",
            "--1",
            "12ab",
        ] {
            assert_eq!(parse_plain_number(t), None, "{t}");
        }
        assert_eq!(parse_plain_number(&"9".repeat(400)), None); // overflows to inf
    }

    #[test]
    fn stats_param_stats_text_number_and_merge() {
        let mut a = ParamStats::new(8);
        a.add_text("alpha");
        assert!(a.numeric.is_none());
        a.add_text("10");
        a.add_text("20");
        a.add_text("nan");
        assert_eq!(a.numeric.as_ref().map(|n| n.count()), Some(2));
        a.add_number("30d", 30.0 * 86_400.0);
        a.add_number("junk", f64::NAN);
        assert_eq!(a.count(), 6);
        let n = a.numeric.as_ref().unwrap();
        assert_eq!((n.count(), n.min(), n.max()), (3, Some(10.0), Some(2_592_000.0)));

        let mut b = ParamStats::new(8);
        b.add_text("beta");
        let mut c = b.clone();
        c.merge(&a);
        assert_eq!(c.numeric.as_ref().map(|n| n.count()), Some(3));
        assert_eq!(c.count(), 7);
        let mut d = a.clone();
        d.merge(&b);
        assert_eq!(d.numeric.as_ref().map(|n| n.count()), Some(3));
        assert_eq!(d.top.top(8), c.top.top(8));
        let mut e = ParamStats::new(8);
        e.merge(&ParamStats::new(8));
        assert!(e.numeric.is_none() && e.top.is_empty());
    }

    #[test]
    fn stats_serialize_impls_exist() {
        fn assert_serialize<T: Serialize>(_: &T) {}
        let mut p = ParamStats::new(4);
        p.add_text("1");
        assert_serialize(&p);
        assert_serialize(&p.top);
        assert_serialize(p.numeric.as_ref().unwrap());
        assert_serialize(&p.top.top(1));
    }
}
