//! Running totals over the pauses of one log, in bounded memory: per-type sums, a
//! fixed log-scale histogram for percentiles, the top-N longest pauses, capped cause
//! and phase tables, warnings, the heap floor after full collections and the clocks
//! for GCViewer's runtime. Nothing here grows with the number of lines or pauses.

use std::collections::{HashMap, VecDeque};

use super::facts::{
    ByType, FullGcHeap, GcLog, HeapAfterFull, Note, PauseEntry, PauseGroup, Percentiles, Safepoints, Throughput,
    TimeSpan, Warning,
};
use super::text::HeapChange;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PauseType {
    Young,
    Mixed,
    Full,
    Other,
}

impl PauseType {
    pub fn name(self) -> &'static str {
        match self {
            PauseType::Young => "young",
            PauseType::Mixed => "mixed",
            PauseType::Full => "full",
            PauseType::Other => "other",
        }
    }

    fn bit(self) -> u8 {
        match self {
            PauseType::Young => 1,
            PauseType::Mixed => 2,
            PauseType::Full => 4,
            PauseType::Other => 8,
        }
    }
}

fn slot<T>(by: &mut ByType<T>, kind: PauseType) -> &mut T {
    match kind {
        PauseType::Young => &mut by.young,
        PauseType::Mixed => &mut by.mixed,
        PauseType::Full => &mut by.full,
        PauseType::Other => &mut by.other,
    }
}

/// One pause as a parser found it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Pause<'a> {
    pub line: u64,
    pub uptime_s: Option<f64>,
    pub epoch_s: Option<f64>,
    pub date: Option<&'a str>,
    pub kind: PauseType,
    pub phase: &'a str,
    pub cause: Option<&'a str>,
    pub nanos: u64,
    pub heap: Option<HeapChange>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum WarningKind {
    EvacuationFailure,
    PromotionFailed,
    ConcurrentModeFailure,
    ConcurrentModeInterrupted,
    ConcurrentMarkAborted,
    AllocationStall,
    RelocationStall,
    Degenerated,
    CancelledCycle,
    FullOfConcurrentCollector,
    SystemGc,
}

const WARNING_KINDS: [WarningKind; 11] = [
    WarningKind::EvacuationFailure,
    WarningKind::PromotionFailed,
    WarningKind::ConcurrentModeFailure,
    WarningKind::ConcurrentModeInterrupted,
    WarningKind::ConcurrentMarkAborted,
    WarningKind::AllocationStall,
    WarningKind::RelocationStall,
    WarningKind::Degenerated,
    WarningKind::CancelledCycle,
    WarningKind::FullOfConcurrentCollector,
    WarningKind::SystemGc,
];

impl WarningKind {
    fn index(self) -> usize {
        WARNING_KINDS.iter().position(|k| *k == self).unwrap_or(0)
    }

    fn name(self) -> &'static str {
        match self {
            WarningKind::EvacuationFailure => "evacuation failure",
            WarningKind::PromotionFailed => "promotion failed",
            WarningKind::ConcurrentModeFailure => "concurrent mode failure",
            WarningKind::ConcurrentModeInterrupted => "concurrent mode interrupted",
            WarningKind::ConcurrentMarkAborted => "concurrent mark aborted",
            WarningKind::AllocationStall => "allocation stall",
            WarningKind::RelocationStall => "relocation stall",
            WarningKind::Degenerated => "degenerated GC",
            WarningKind::CancelledCycle => "cancelled concurrent cycle",
            WarningKind::FullOfConcurrentCollector => "full GC of a concurrent collector",
            WarningKind::SystemGc => "explicit System.gc()",
        }
    }

    fn meaning(self) -> &'static str {
        match self {
            WarningKind::EvacuationFailure => {
                "G1 found no free region to copy live objects into (to-space exhausted/overflow): \
                 the pause gets much longer and often ends in a full GC; the heap is too full or \
                 too fragmented"
            }
            WarningKind::PromotionFailed => {
                "a young collection could not move survivors into the old generation, which then \
                 had to be collected in the same pause (or, with GC--, by a full GC next)"
            }
            WarningKind::ConcurrentModeFailure => {
                "CMS's old generation filled before the concurrent cycle finished; the JVM fell back \
                 to a stop-the-world full collection"
            }
            WarningKind::ConcurrentModeInterrupted => {
                "a CMS concurrent cycle was interrupted by an explicit or forced full collection"
            }
            WarningKind::ConcurrentMarkAborted => {
                "G1's concurrent marking was abandoned, usually because a full GC ran"
            }
            WarningKind::AllocationStall => {
                "application threads waited for the concurrent collector to free memory (not a GC \
                 pause, but the thread was stopped for the time summed here)"
            }
            WarningKind::RelocationStall => "an application thread waited for ZGC to relocate an object it touched",
            WarningKind::Degenerated => {
                "Shenandoah ran out of memory during a concurrent cycle and finished it stop-the-world"
            }
            WarningKind::CancelledCycle => {
                "Shenandoah cancelled a concurrent cycle (usually allocation failure); a degenerated \
                 or full GC follows"
            }
            WarningKind::FullOfConcurrentCollector => {
                "a concurrent collector (CMS, G1, Shenandoah, ZGC) fell back to a stop-the-world full \
                 collection that nobody asked for (System.gc() and heap dumps are not counted): it \
                 could not keep up, or the heap is too small"
            }
            WarningKind::SystemGc => "pauses the application itself asked for (System.gc(), jcmd GC.run)",
        }
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct WarningAcc {
    count: u64,
    first_line: u64,
    last_line: u64,
    nanos: Option<u64>,
}

/// Logarithmic buckets 1 % wide from 1 µs to 10⁴ s; shorter pauses fall in bucket 0.
struct Histogram {
    buckets: Vec<u64>,
}

const BUCKET_BASE_NS: f64 = 1_000.0;
const BUCKET_GROWTH: f64 = 1.01;
const BUCKETS: usize = 2_400;

impl Histogram {
    fn new() -> Self {
        Histogram {
            buckets: vec![0; BUCKETS],
        }
    }

    fn index(nanos: u64) -> usize {
        let n = nanos as f64;
        if n < BUCKET_BASE_NS {
            return 0;
        }
        let i = 1 + ((n / BUCKET_BASE_NS).ln() / BUCKET_GROWTH.ln()).floor() as usize;
        i.min(BUCKETS - 1)
    }

    fn add(&mut self, nanos: u64) {
        self.buckets[Self::index(nanos)] += 1;
    }

    /// Nearest-rank percentile `p` (0–1) as the bucket's geometric middle, clamped to
    /// the observed range.
    fn percentile(&self, p: f64, count: u64, min: u64, max: u64) -> u64 {
        let rank = ((p * count as f64).ceil() as u64).clamp(1, count.max(1));
        let mut seen = 0;
        for (i, &n) in self.buckets.iter().enumerate() {
            seen += n;
            if seen >= rank {
                if i == 0 {
                    return min;
                }
                let middle = BUCKET_BASE_NS * BUCKET_GROWTH.powf(i as f64 - 0.5);
                return (middle.round() as u64).clamp(min, max);
            }
        }
        max
    }
}

/// Groups by name, capped: past the cap, new names share one overflow group.
struct Groups {
    map: HashMap<String, GroupAcc>,
    overflow_name: &'static str,
}

const MAX_GROUPS: usize = 64;

#[derive(Default)]
struct GroupAcc {
    types: u8,
    count: u64,
    nanos: u64,
    max: u64,
    max_line: u64,
}

impl Groups {
    fn new(overflow_name: &'static str) -> Self {
        Groups {
            map: HashMap::new(),
            overflow_name,
        }
    }

    fn add(&mut self, name: &str, kind: PauseType, nanos: u64, line: u64) {
        let acc = if let Some(acc) = self.map.get_mut(name) {
            acc
        } else {
            let key = if self.map.len() < MAX_GROUPS {
                name
            } else {
                self.overflow_name
            };
            self.map.entry(key.to_string()).or_default()
        };
        acc.types |= kind.bit();
        acc.count += 1;
        acc.nanos = acc.nanos.saturating_add(nanos);
        if nanos > acc.max || acc.count == 1 {
            acc.max = nanos;
            acc.max_line = line;
        }
    }

    fn finish(self, top: usize) -> Vec<PauseGroup> {
        let mut groups: Vec<PauseGroup> = self
            .map
            .into_iter()
            .map(|(name, acc)| PauseGroup {
                name,
                pause_type: single_type(acc.types).map(|t| t.name().to_string()),
                pauses: acc.count,
                total_s: seconds(acc.nanos),
                max_s: seconds(acc.max),
                max_line: acc.max_line,
            })
            .collect();
        groups.sort_by(|a, b| {
            b.total_s
                .total_cmp(&a.total_s)
                .then(b.pauses.cmp(&a.pauses))
                .then(a.name.cmp(&b.name))
        });
        groups.truncate(top.max(1));
        groups
    }
}

fn single_type(bits: u8) -> Option<PauseType> {
    match bits {
        1 => Some(PauseType::Young),
        2 => Some(PauseType::Mixed),
        4 => Some(PauseType::Full),
        8 => Some(PauseType::Other),
        _ => None,
    }
}

pub(super) fn seconds(nanos: u64) -> f64 {
    // Through the decimal string, so 0.1 secs stays 0.1 in the JSON.
    let s = format!("{}.{:09}", nanos / 1_000_000_000, nanos % 1_000_000_000);
    s.parse().unwrap_or(nanos as f64 / 1e9)
}

/// Stamps of events in file order, cut into JVM runs where the uptime goes back.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Clock {
    any: bool,
    first: f64,
    last: f64,
    run_min: f64,
    run_max: f64,
    closed_runs: f64,
    restarts: u64,
}

impl Clock {
    /// `restarts_possible`: uptime clocks restart with the JVM, wall clocks do not.
    pub fn note(&mut self, t: f64, restarts_possible: bool) {
        if !t.is_finite() {
            return;
        }
        if !self.any {
            *self = Clock {
                any: true,
                first: t,
                last: t,
                run_min: t,
                run_max: t,
                closed_runs: 0.0,
                restarts: 0,
            };
            return;
        }
        // A new JVM: its uptime starts again near zero. Small steps back are lines
        // printed out of order by concurrent threads.
        if restarts_possible && t + 1.0 < self.run_max && t < self.run_max * 0.5 {
            self.restarts += 1;
            self.closed_runs += self.run_max - self.run_min;
            self.run_min = t;
            self.run_max = t;
        } else {
            self.run_min = self.run_min.min(t);
            self.run_max = self.run_max.max(t);
        }
        self.last = t;
    }

    fn covered(&self) -> f64 {
        self.closed_runs + self.run_max - self.run_min
    }
}

#[derive(Default)]
struct FullHeapAcc {
    count: u64,
    first: u64,
    last: u64,
    min: u64,
    max: u64,
    last_capacity: u64,
    recent: VecDeque<HeapAfterFull>,
}

/// Everything accumulated over one log.
pub(super) struct Tally {
    top: usize,
    count: ByType<u64>,
    nanos: ByType<u64>,
    max_by_type: ByType<u64>,
    max_nanos: u64,
    max_type: Option<PauseType>,
    min_nanos: u64,
    pauses: u64,
    histogram: Histogram,
    longest: Vec<PauseEntry>,
    longest_nanos: Vec<u64>,
    causes: Groups,
    phases: Groups,
    warnings: [WarningAcc; WARNING_KINDS.len()],
    full_heap: FullHeapAcc,
    /// Full collections the application did not ask for (no System.gc(), heap dump…).
    unforced_full: u64,
    first_unforced_full_line: u64,
    last_unforced_full_line: u64,
    safepoint_stops: u64,
    safepoint_nanos: u64,
    safepoint_max: u64,
    safepoint_max_line: u64,
    pub concurrent_phases: u64,
    /// Event clocks for the runtime: JVM uptime, and wall-clock where no uptime.
    uptime_events: Clock,
    epoch_events: Clock,
    last_pause_nanos: u64,
    /// Clock over every time-stamped line, for the span.
    uptime_lines: Clock,
    first_date: Option<String>,
    last_date: String,
    notes: Vec<Note>,
    notes_dropped: u64,
}

const MAX_NOTES: usize = 20;

impl Tally {
    pub fn new(top: usize) -> Self {
        Tally {
            top: top.max(1),
            count: ByType::default(),
            nanos: ByType::default(),
            max_by_type: ByType::default(),
            max_nanos: 0,
            max_type: None,
            min_nanos: u64::MAX,
            pauses: 0,
            histogram: Histogram::new(),
            longest: Vec::new(),
            longest_nanos: Vec::new(),
            causes: Groups::new("(other causes)"),
            phases: Groups::new("(other phases)"),
            warnings: [WarningAcc::default(); WARNING_KINDS.len()],
            full_heap: FullHeapAcc::default(),
            unforced_full: 0,
            first_unforced_full_line: 0,
            last_unforced_full_line: 0,
            safepoint_stops: 0,
            safepoint_nanos: 0,
            safepoint_max: 0,
            safepoint_max_line: 0,
            concurrent_phases: 0,
            uptime_events: Clock::default(),
            epoch_events: Clock::default(),
            last_pause_nanos: 0,
            uptime_lines: Clock::default(),
            first_date: None,
            last_date: String::new(),
            notes: Vec::new(),
            notes_dropped: 0,
        }
    }

    pub fn pause(&mut self, p: &Pause) {
        let kind = p.kind;
        self.pauses += 1;
        *slot(&mut self.count, kind) += 1;
        let sum = slot(&mut self.nanos, kind);
        *sum = sum.saturating_add(p.nanos);
        let max = slot(&mut self.max_by_type, kind);
        *max = (*max).max(p.nanos);
        if self.max_type.is_none() || p.nanos > self.max_nanos {
            self.max_nanos = p.nanos;
            self.max_type = Some(kind);
        }
        self.min_nanos = self.min_nanos.min(p.nanos);
        self.histogram.add(p.nanos);
        self.keep_if_longest(p);
        self.causes
            .add(p.cause.unwrap_or("(none printed)"), kind, p.nanos, p.line);
        self.phases.add(p.phase, kind, p.nanos, p.line);
        self.event_time(p.uptime_s, p.epoch_s);
        self.last_pause_nanos = p.nanos;
        if kind == PauseType::Full {
            if !p.cause.is_some_and(is_forced) {
                if self.unforced_full == 0 {
                    self.first_unforced_full_line = p.line;
                }
                self.unforced_full += 1;
                self.last_unforced_full_line = p.line;
            }
            if let Some(heap) = p.heap {
                self.full_heap_after(p.line, p.uptime_s, heap);
            }
        }
        if p.cause.is_some_and(|c| c == "System.gc()") {
            self.warn(WarningKind::SystemGc, p.line, None);
        }
    }

    fn keep_if_longest(&mut self, p: &Pause) {
        if self.longest.len() >= self.top && self.longest_nanos.last().is_some_and(|&n| n >= p.nanos) {
            return;
        }
        // Insert after every pause at least as long, so earlier pauses win ties.
        let at = self.longest_nanos.partition_point(|&n| n >= p.nanos);
        let heap = p.heap;
        self.longest.insert(
            at,
            PauseEntry {
                line: p.line,
                uptime_s: p.uptime_s,
                date: p.date.map(str::to_string),
                pause_type: kind_name(p.kind),
                phase: p.phase.to_string(),
                cause: p.cause.map(str::to_string),
                duration_s: seconds(p.nanos),
                heap_before_bytes: heap.map(|h| h.before),
                heap_after_bytes: heap.map(|h| h.after),
                heap_capacity_bytes: heap.and_then(|h| (h.capacity > 0).then_some(h.capacity)),
            },
        );
        self.longest_nanos.insert(at, p.nanos);
        self.longest.truncate(self.top);
        self.longest_nanos.truncate(self.top);
    }

    fn full_heap_after(&mut self, line: u64, uptime_s: Option<f64>, heap: HeapChange) {
        let acc = &mut self.full_heap;
        if acc.count == 0 {
            acc.first = heap.after;
            acc.min = heap.after;
            acc.max = heap.after;
        }
        acc.count += 1;
        acc.last = heap.after;
        acc.min = acc.min.min(heap.after);
        acc.max = acc.max.max(heap.after);
        acc.last_capacity = heap.capacity;
        acc.recent.push_back(HeapAfterFull {
            line,
            uptime_s,
            after_bytes: heap.after,
            capacity_bytes: heap.capacity,
        });
        if acc.recent.len() > self.top {
            acc.recent.pop_front();
        }
    }

    pub fn warn(&mut self, kind: WarningKind, line: u64, nanos: Option<u64>) {
        let acc = &mut self.warnings[kind.index()];
        if acc.count == 0 {
            acc.first_line = line;
        }
        acc.count += 1;
        acc.last_line = line;
        if let Some(n) = nanos {
            acc.nanos = Some(acc.nanos.unwrap_or(0).saturating_add(n));
        }
    }

    pub fn safepoint(&mut self, line: u64, nanos: u64) {
        self.safepoint_stops += 1;
        self.safepoint_nanos = self.safepoint_nanos.saturating_add(nanos);
        if nanos > self.safepoint_max || self.safepoint_stops == 1 {
            self.safepoint_max = nanos;
            self.safepoint_max_line = line;
        }
    }

    /// A GC event's stamps (pause or concurrent phase), for the runtime.
    pub fn event_time(&mut self, uptime_s: Option<f64>, epoch_s: Option<f64>) {
        if let Some(t) = uptime_s {
            self.uptime_events.note(t, true);
        } else if let Some(t) = epoch_s {
            self.epoch_events.note(t, false);
        }
    }

    /// Any line's stamps, for the span.
    pub fn line_time(&mut self, uptime_s: Option<f64>, date: Option<&str>) {
        if let Some(t) = uptime_s {
            self.uptime_lines.note(t, true);
        }
        if let Some(d) = date {
            if self.first_date.is_none() {
                self.first_date = Some(d.to_string());
            }
            self.last_date.clear();
            self.last_date.push_str(d);
        }
    }

    pub fn note(&mut self, line: u64, text: String) {
        if self.notes.len() < MAX_NOTES {
            self.notes.push(Note { line, text });
        } else {
            self.notes_dropped += 1;
        }
    }

    /// The finished report: `outside` (collector, format, settings: what the caller
    /// found) with this tally's numbers filled in.
    pub fn finish(mut self, concurrent_collector: bool, outside: GcLog) -> GcLog {
        if concurrent_collector && self.unforced_full > 0 {
            let acc = &mut self.warnings[WarningKind::FullOfConcurrentCollector.index()];
            *acc = WarningAcc {
                count: self.unforced_full,
                first_line: self.first_unforced_full_line,
                last_line: self.last_unforced_full_line,
                nanos: None,
            };
        }
        let warnings = WARNING_KINDS
            .iter()
            .zip(self.warnings.iter())
            .filter(|(_, acc)| acc.count > 0)
            .map(|(kind, acc)| Warning {
                kind: kind.name().to_string(),
                count: acc.count,
                first_line: acc.first_line,
                last_line: acc.last_line,
                total_s: acc.nanos.map(seconds),
                meaning: kind.meaning().to_string(),
            })
            .collect();
        let percentiles = (self.pauses > 0).then(|| {
            let (n, min, max) = (self.pauses, self.min_nanos, self.max_nanos);
            let at = |p: f64| seconds(self.histogram.percentile(p, n, min, max));
            let total = self.total_nanos();
            Percentiles {
                p50_s: at(0.50),
                p90_s: at(0.90),
                p95_s: at(0.95),
                p99_s: at(0.99),
                p999_s: at(0.999),
                min_s: seconds(min),
                mean_s: round9(total as f64 / n as f64 / 1e9),
            }
        });
        let clock = if self.uptime_events.any {
            Some(self.uptime_events)
        } else if self.epoch_events.any {
            Some(self.epoch_events)
        } else {
            None
        };
        let total_s = seconds(self.total_nanos());
        let throughput = clock.and_then(|c| {
            let runtime = c.covered() + seconds(self.last_pause_nanos);
            if self.pauses == 0 || runtime <= 0.0 {
                return None;
            }
            let pct = round9(100.0 * (runtime - total_s) / runtime);
            Some(Throughput {
                runtime_s: round9(runtime),
                throughput_pct: pct,
                pause_time_pct: round9(100.0 - pct),
                first_event_s: c.first,
                last_event_s: c.last,
            })
        });
        let lines = self.uptime_lines;
        if lines.restarts > 0 {
            self.note(
                0,
                format!(
                    "the JVM uptime went back {} time(s): the file holds {} JVM runs",
                    lines.restarts,
                    lines.restarts + 1
                ),
            );
        }
        if self.notes_dropped > 0 {
            let dropped = self.notes_dropped;
            self.notes.push(Note {
                line: 0,
                text: format!("{dropped} further notes left out"),
            });
        }
        let span = TimeSpan {
            first_uptime_s: lines.any.then_some(lines.first),
            last_uptime_s: lines.any.then_some(lines.last),
            uptime_covered_s: lines.any.then(|| round9(lines.covered())),
            first_date: self.first_date.clone(),
            last_date: self.first_date.as_ref().map(|_| self.last_date.clone()),
            jvm_restarts: lines.restarts,
        };
        let heap = &self.full_heap;
        let full_gc_heap = (heap.count > 0).then(|| FullGcHeap {
            full_gcs: heap.count,
            first_after_bytes: heap.first,
            last_after_bytes: heap.last,
            min_after_bytes: heap.min,
            max_after_bytes: heap.max,
            last_capacity_bytes: heap.last_capacity,
            last_after_pct_of_capacity: (heap.last_capacity > 0)
                .then(|| round9(100.0 * heap.last as f64 / heap.last_capacity as f64)),
            growth_pct: (heap.first > 0)
                .then(|| round9(100.0 * (heap.last as f64 - heap.first as f64) / heap.first as f64)),
            rising_floor: heap.count >= 3 && heap.last as f64 >= 1.2 * heap.first as f64,
            floor_near_capacity: heap.last_capacity > 0 && heap.last as f64 >= 0.9 * heap.last_capacity as f64,
            recent: heap.recent.iter().cloned().collect(),
        });
        let safepoints = (self.safepoint_stops > 0).then(|| Safepoints {
            stops: self.safepoint_stops,
            total_stopped_s: seconds(self.safepoint_nanos),
            max_stopped_s: seconds(self.safepoint_max),
            max_line: self.safepoint_max_line,
        });
        let top = self.top;
        GcLog {
            pauses: self.pauses,
            total_pause_s: total_s,
            max_pause_s: seconds(self.max_nanos),
            max_pause_type: self.max_type.map(kind_name),
            pauses_by_type: self.count,
            pause_s_by_type: ByType {
                young: seconds(self.nanos.young),
                mixed: seconds(self.nanos.mixed),
                full: seconds(self.nanos.full),
                other: seconds(self.nanos.other),
            },
            max_pause_s_by_type: ByType {
                young: seconds(self.max_by_type.young),
                mixed: seconds(self.max_by_type.mixed),
                full: seconds(self.max_by_type.full),
                other: seconds(self.max_by_type.other),
            },
            throughput,
            percentiles,
            longest_pauses: self.longest,
            by_cause: self.causes.finish(top),
            by_phase: self.phases.finish(top),
            warnings,
            full_gc_heap,
            safepoints,
            concurrent_phases: self.concurrent_phases,
            span,
            notes: self.notes,
            ..outside
        }
    }

    fn total_nanos(&self) -> u64 {
        self.nanos
            .young
            .saturating_add(self.nanos.mixed)
            .saturating_add(self.nanos.full)
            .saturating_add(self.nanos.other)
    }
}

/// Causes by which the application or a tool asked for the collection.
fn is_forced(cause: &str) -> bool {
    matches!(
        cause,
        "System.gc()"
            | "Heap Dump Initiated GC"
            | "Heap Inspection Initiated GC"
            | "Diagnostic Command"
            | "JvmtiEnv ForceGarbageCollection"
            | "WhiteBox Initiated Full GC"
            | "Allocation Profiler"
    )
}

fn kind_name(kind: PauseType) -> String {
    kind.name().to_string()
}

/// Rounds away binary noise (88.28232891840001) without touching real digits.
pub(super) fn round9(v: f64) -> f64 {
    if !v.is_finite() {
        return 0.0;
    }
    (v * 1e9).round() / 1e9
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pause(line: u64, kind: PauseType, nanos: u64, at: f64) -> Pause<'static> {
        Pause {
            line,
            uptime_s: Some(at),
            epoch_s: None,
            date: None,
            kind,
            phase: "p",
            cause: None,
            nanos,
            heap: None,
        }
    }

    #[test]
    fn histogram_percentiles_stay_within_half_a_percent() {
        let mut t = Tally::new(5);
        for i in 1..=1000u64 {
            t.pause(&pause(i, PauseType::Young, i * 1_000_000, i as f64));
        }
        let p = t.finish(false, GcLog::default()).percentiles.unwrap();
        for (got, want) in [(p.p50_s, 0.5), (p.p95_s, 0.95), (p.p99_s, 0.99)] {
            assert!((got - want).abs() <= want * 0.005, "{got} vs {want}");
        }
        assert_eq!(p.min_s, 0.001);
    }

    #[test]
    fn longest_keeps_the_top_n_and_earlier_on_ties() {
        let mut t = Tally::new(2);
        t.pause(&pause(1, PauseType::Young, 5, 1.0));
        t.pause(&pause(2, PauseType::Full, 9, 2.0));
        t.pause(&pause(3, PauseType::Young, 9, 3.0));
        t.pause(&pause(4, PauseType::Young, 1, 4.0));
        let f = t.finish(false, GcLog::default());
        let lines: Vec<u64> = f.longest_pauses.iter().map(|p| p.line).collect();
        assert_eq!(lines, vec![2, 3]);
        assert_eq!(f.max_pause_type.as_deref(), Some("full"));
    }

    #[test]
    fn runtime_is_gcviewers_first_to_last_event_plus_the_last_pause() {
        let mut t = Tally::new(5);
        t.pause(&pause(1, PauseType::Young, 1_000_000_000, 10.0));
        t.event_time(Some(30.0), None); // a concurrent phase after the last pause
        t.pause(&pause(2, PauseType::Young, 2_000_000_000, 20.0));
        let th = t.finish(false, GcLog::default()).throughput.unwrap();
        assert_eq!(th.runtime_s, 22.0);
        assert!((th.throughput_pct - 100.0 * 19.0 / 22.0).abs() < 1e-6);
    }

    #[test]
    fn a_restarted_jvm_is_a_new_run_for_the_runtime() {
        let mut t = Tally::new(5);
        t.pause(&pause(1, PauseType::Young, 0, 100.0));
        t.pause(&pause(2, PauseType::Young, 0, 200.0));
        t.pause(&pause(3, PauseType::Young, 0, 1.0));
        t.pause(&pause(4, PauseType::Young, 0, 51.0));
        assert_eq!(t.uptime_events.covered(), 150.0);
    }

    #[test]
    fn seconds_keep_their_decimal_digits() {
        assert_eq!(seconds(9_133_749_300), 9.1337493);
        assert_eq!(seconds(100_000_000), 0.1);
    }
}
