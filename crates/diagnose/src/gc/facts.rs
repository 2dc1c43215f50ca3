//! The facts of one GC log, as serialised into the report. Every number says what it
//! counts; the Markdown report repeats the definitions in a sentence.

use serde::{Deserialize, Serialize};

/// What a JVM GC log says about stop-the-world pauses.
///
/// A **pause** is a stop-the-world collection or collector phase that the JVM logs with
/// its own duration. Unified logging (`-Xlog:gc`, JDK 9+): a line tagged exactly `[gc]` or
/// `[gc,phases]` whose message is `GC(n) Pause … <t>ms` (generational ZGC:
/// `GC(n) Y: Pause …`, also `y:` and `O:`). Older logging (`-verbose:gc`,
/// `-XX:+PrintGCDetails`): every top-level bracketed event (`[GC …]`, `[Full GC …]`,
/// `[GC pause …]`, `[GC remark …]`, `[GC cleanup …]`, Shenandoah's `[Pause …]`), its
/// duration being the `, <t> secs]` at the event's own bracket depth. Concurrent phases,
/// safepoint lines (`Total time for which application threads were stopped`,
/// `[safepoint]`) and allocation stalls are not pauses.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct GcLog {
    /// `Serial`, `Parallel`, `CMS`, `G1`, `Shenandoah`, `ZGC`, `Epsilon` (the no-op
    /// collector, no pauses) or `OpenJ9` (its policy in the evidence); `null` when the log
    /// neither names the collector nor prints anything only one collector prints.
    pub collector: Option<String>,
    /// Why `collector` was chosen: the header line naming it, or the event names
    /// that imply it.
    pub collector_evidence: Option<String>,
    /// `unified` (JDK 9+ `-Xlog`), `pre-unified` (`-verbose:gc`, `-XX:+PrintGC…`) or
    /// `openj9-verbosegc` (OpenJ9 / IBM J9 XML, read by the same definition of a pause:
    /// an `<exclusive-start>`…`<exclusive-end durationms=…>` window, or an `<af>`/`<sys>`
    /// block's `<time totalms=…>`); `null` when no kind of line was found.
    pub format: Option<String>,
    /// JVM and heap settings printed in the log's header lines.
    pub jvm: JvmSettings,
    /// The time the log covers.
    pub span: TimeSpan,
    /// Number of pauses.
    pub pauses: u64,
    /// Sum of all pause durations, seconds.
    pub total_pause_s: f64,
    /// Longest pause, seconds (0 when there is none).
    pub max_pause_s: f64,
    /// Type of the longest pause (`young`, `mixed`, `full`, `other`); the first one
    /// logged on a tie.
    pub max_pause_type: Option<String>,
    /// Pauses per type. `young`: DefNew, ParNew, PSYoungGen collections and G1 young
    /// pauses (initial-mark / concurrent-start / prepare-mixed included). `mixed`: G1
    /// mixed (`(mixed)`, JDK 6 `(partial)`, `Pause Mixed`, `Pause Young (Mixed)`). `full`:
    /// `Full GC` / `Pause Full`, and a `[GC …]` event that also collected the old
    /// generation (a `[CMS: …]` or `[Tenured: …]` part, `promotion failed`, `concurrent
    /// mode failure`). `other`: the remaining stop-the-world phases (CMS initial mark and
    /// remark, G1 remark and cleanup, Shenandoah and ZGC pauses, degenerated cycles).
    pub pauses_by_type: ByType<u64>,
    /// Seconds paused per type (same types as `pauses_by_type`).
    pub pause_s_by_type: ByType<f64>,
    /// Longest pause per type, seconds.
    pub max_pause_s_by_type: ByType<f64>,
    /// GCViewer's throughput; `null` when the events carry no time stamps.
    pub throughput: Option<Throughput>,
    /// Pause-duration percentiles; `null` without pauses.
    pub percentiles: Option<Percentiles>,
    /// The longest pauses, longest first (at most `--top`; on equal durations the
    /// earlier one).
    pub longest_pauses: Vec<PauseEntry>,
    /// Pauses grouped by the cause the JVM printed (`Allocation Failure`,
    /// `G1 Evacuation Pause`, `System.gc()`, …), most total time first, at most `--top`
    /// groups. Pauses without a printed cause are under `(none printed)`; past 64
    /// distinct causes the rest share `(other causes)`.
    pub by_cause: Vec<PauseGroup>,
    /// Pauses grouped by phase (the pause's name without its cause: `Pause Young
    /// (Normal)`, `CMS remark`, `ParNew`, …), most total time first, at most `--top`
    /// groups; past 64 distinct phases the rest share `(other phases)`.
    pub by_phase: Vec<PauseGroup>,
    /// Trouble the collector reported (evacuation/promotion/concurrent-mode failures,
    /// allocation stalls, degenerated and full collections of concurrent collectors).
    pub warnings: Vec<Warning>,
    /// Heap occupancy left after full collections; `null` when no full collection
    /// printed its heap figures.
    pub full_gc_heap: Option<FullGcHeap>,
    /// Safepoint stops the log reports (`-XX:+PrintGCApplicationStoppedTime`,
    /// `-Xlog:safepoint`); `null` when it reports none. Not GC pauses: they include
    /// every VM operation and the time to reach the safepoint.
    pub safepoints: Option<Safepoints>,
    /// Concurrent phases logged with a duration (`[CMS-concurrent-mark: …]`,
    /// `[GC concurrent-mark-end, …]`, `GC(n) Concurrent Mark 5.2ms`): work beside the
    /// application, not pauses.
    pub concurrent_phases: u64,
    /// Unified-logging lines of tag sets other than `gc…` and `safepoint` (`os`,
    /// `class+load`, `cds`, … from `-Xlog:all` and the like): JVM output that says
    /// nothing about collections, counted here rather than analysed.
    #[serde(default)]
    pub other_log_lines: u64,
    /// Log-file notes: rotation headers, JVM restarts inside the file.
    pub notes: Vec<Note>,
}

/// Counts or seconds per pause type.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct ByType<T> {
    pub young: T,
    pub mixed: T,
    pub full: T,
    pub other: T,
}

/// Settings the log's header prints.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct JvmSettings {
    /// The JVM release (`1.8.0_212-b469`, `17.0.1+12-39`) from the version line.
    pub version: Option<String>,
    /// The VM banner (`OpenJDK 64-Bit Server VM (25.212-b469)`), older logs only.
    pub vm: Option<String>,
    /// The `CommandLine flags:` line (older logs), cut at 4,000 bytes.
    pub command_line_flags: Option<String>,
    /// Header settings by name as printed (`Heap Max Capacity` = `100M`, `Heap Region
    /// Size`, `CPUs`, `Memory`, `MaxHeapSize` from the flags, …), first occurrence each.
    pub settings: Vec<Setting>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Setting {
    pub name: String,
    pub value: String,
    pub line: u64,
}

/// The time covered by the log.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct TimeSpan {
    /// JVM uptime of the first and last time-stamped line, seconds.
    pub first_uptime_s: Option<f64>,
    pub last_uptime_s: Option<f64>,
    /// Uptime covered: last − first, summed over JVM runs when the JVM restarted inside
    /// the file.
    pub uptime_covered_s: Option<f64>,
    /// Wall-clock stamps of the first and last dated line, as printed.
    pub first_date: Option<String>,
    pub last_date: Option<String>,
    /// Times the uptime went back to a JVM start (more than one JVM run in one file).
    pub jvm_restarts: u64,
}

/// GCViewer's throughput: runtime = last event stamp − first event stamp + the last
/// pause's duration (events: pauses and concurrent phases; each JVM run separately when
/// the JVM restarted inside the file); throughput = 100 · (runtime − total pause) /
/// runtime. Stamps are JVM uptime where printed, else wall-clock; unified logging
/// stamps a pause when it ends.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Throughput {
    pub runtime_s: f64,
    pub throughput_pct: f64,
    /// 100 − throughput: the share of the runtime spent in pauses.
    pub pause_time_pct: f64,
    /// Stamps of the first and last GC event, seconds (uptime, or since the epoch).
    pub first_event_s: f64,
    pub last_event_s: f64,
}

/// Nearest-rank percentiles of the pause durations, seconds, read from a histogram of
/// 1 %-wide logarithmic buckets (each value is within 0.5 % of the exact one and
/// between the shortest and the longest pause).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Percentiles {
    pub p50_s: f64,
    pub p90_s: f64,
    pub p95_s: f64,
    pub p99_s: f64,
    pub p999_s: f64,
    /// Shortest pause, seconds.
    pub min_s: f64,
    /// Mean pause: total / count, seconds.
    pub mean_s: f64,
}

/// One pause, as listed among the longest.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PauseEntry {
    /// 1-based line of the pause (where its event starts).
    pub line: u64,
    /// JVM uptime stamp, seconds.
    pub uptime_s: Option<f64>,
    /// Wall-clock stamp as printed.
    pub date: Option<String>,
    /// `young`, `mixed`, `full` or `other`.
    pub pause_type: String,
    pub phase: String,
    pub cause: Option<String>,
    pub duration_s: f64,
    /// Whole-heap occupancy before and after, and capacity, bytes (where printed).
    pub heap_before_bytes: Option<u64>,
    pub heap_after_bytes: Option<u64>,
    pub heap_capacity_bytes: Option<u64>,
}

/// Pauses sharing a cause or a phase.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PauseGroup {
    pub name: String,
    /// The type of the group's pauses; `null` for a cause whose pauses are of several.
    pub pause_type: Option<String>,
    pub pauses: u64,
    pub total_s: f64,
    pub max_s: f64,
    /// Line of the group's longest pause.
    pub max_line: u64,
}

/// Trouble of one kind the collector reported.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Warning {
    /// `evacuation failure`, `promotion failed`, `concurrent mode failure`,
    /// `concurrent mode interrupted`, `concurrent mark aborted`, `allocation stall`,
    /// `relocation stall`, `degenerated GC`, `cancelled concurrent cycle`,
    /// `full GC of a concurrent collector` (not counting System.gc() and heap dumps),
    /// `explicit System.gc()`.
    pub kind: String,
    /// How often it was reported.
    pub count: u64,
    pub first_line: u64,
    pub last_line: u64,
    /// Summed duration where each report has one (stalls), seconds.
    pub total_s: Option<f64>,
    /// What it means, one sentence.
    pub meaning: String,
}

/// Heap occupancy after full collections: what survives a full collection is live
/// data, so a floor that keeps rising hints at a leak, and a floor near capacity at a
/// heap too small for the live set.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FullGcHeap {
    /// Full collections that printed whole-heap figures.
    pub full_gcs: u64,
    pub first_after_bytes: u64,
    pub last_after_bytes: u64,
    pub min_after_bytes: u64,
    pub max_after_bytes: u64,
    /// Capacity printed by the last full collection, bytes (0 when not printed).
    pub last_capacity_bytes: u64,
    /// 100 · last after / last capacity; `null` without a capacity.
    pub last_after_pct_of_capacity: Option<f64>,
    /// 100 · (last after − first after) / first after; `null` when first after is 0.
    pub growth_pct: Option<f64>,
    /// At least 3 full collections and the last one left at least 20 % more than the
    /// first (a leak hint, not a proof).
    pub rising_floor: bool,
    /// The last full collection left at least 90 % of the capacity occupied: the live
    /// set barely fits the heap.
    pub floor_near_capacity: bool,
    /// The last full collections (at most `--top`), oldest first.
    pub recent: Vec<HeapAfterFull>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HeapAfterFull {
    pub line: u64,
    pub uptime_s: Option<f64>,
    pub after_bytes: u64,
    pub capacity_bytes: u64,
}

/// Safepoint stops (any VM operation, GC or not).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Safepoints {
    pub stops: u64,
    /// Sum of the stopped times, seconds.
    pub total_stopped_s: f64,
    pub max_stopped_s: f64,
    pub max_line: u64,
}

/// A remark about the file itself.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Note {
    pub line: u64,
    pub text: String,
}
