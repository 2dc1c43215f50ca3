//! Unified logging (`-Xlog:gc*`, JDK 9+): one self-contained line per message,
//! `[decorations…] message`. Decorations come in any order and any subset (`[uptime]`,
//! `[time]`, `[utctime]`, `[uptimemillis]`, `[timemillis]`, `[uptimenanos]`, `[pid]`,
//! `[tid]`, `[hostname]`, `[level]`, `[tags]`), so each bracket is classified by its
//! content. A pause is a line tagged exactly `[gc]` or `[gc,phases]` whose message is
//! `GC(n) Pause … <t>ms` (generational ZGC: `GC(n) Y: Pause …`, also `y:`/`O:`);
//! without a tags decoration the message alone decides.

use super::tally::{Pause, PauseType, WarningKind};
use super::text::{decimal_starting_at, iso_date, last_heap_change, trailing_duration, unit_nanos};
use super::{Collector, Context};

/// A decorated line taken apart.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Decorated<'a> {
    pub uptime_s: Option<f64>,
    pub epoch_s: Option<f64>,
    pub date: Option<&'a str>,
    /// The tag set, padding removed (`gc,heap`); `None` without a tags decoration.
    pub tags: Option<&'a str>,
    pub message: &'a str,
}

const LEVELS: [&str; 6] = ["trace", "debug", "info", "warning", "error", "off"];

/// The decorations of a unified-logging line, or `None` when the line does not start
/// with them (an older-format line such as `[GC …]` or `[Full GC …]` is not decorated).
pub(super) fn decorations(line: &str) -> Option<Decorated<'_>> {
    let bytes = line.as_bytes();
    let mut at = 0;
    let mut found = false;
    let mut d = Decorated {
        uptime_s: None,
        epoch_s: None,
        date: None,
        tags: None,
        message: "",
    };
    while bytes.get(at) == Some(&b'[') {
        let Some(close) = bytes[at..].iter().position(|&b| b == b']').map(|p| at + p) else {
            break;
        };
        let token = line.get(at + 1..close)?.trim();
        // The JVM prints the hostname after the times: first only when no time is
        // decorated (`[web-01.example.com][4711][gc] …`), and then something follows.
        let hostname_first = !found && bytes.get(close + 1) == Some(&b'[') && is_hostname(token);
        if !classify(token, &mut d, found) && !hostname_first {
            break;
        }
        found = true;
        at = close + 1;
    }
    if !found {
        return None;
    }
    d.message = line.get(at..)?.strip_prefix(' ').unwrap_or(line.get(at..)?);
    Some(d)
}

/// The decorations of a unified-logging line that something else prefixed (a container
/// runtime's or syslog's time stamp and name: `2024-05-01T10:00:00.123Z stdout F
/// [0.123s][info][gc] …`, `Jan 01 00:00:00 host java[4711]: [0.123s][info][gc] …`):
/// found at one of the line's first `[`, and only with a `gc…` or `safepoint` tags
/// decoration, so an older-format line (`1.234: [GC (Allocation Failure) …`) stays one.
pub(super) fn prefixed_decorations(line: &str) -> Option<Decorated<'_>> {
    let mut from = 1;
    for _ in 0..4 {
        let at = from + line.get(from..)?.find('[')?;
        let d = decorations(line.get(at..)?);
        if let Some(d) = d.filter(|d| {
            d.tags
                .is_some_and(|t| t == "gc" || t.starts_with("gc,") || t == "safepoint" || t.starts_with("safepoint,"))
        }) {
            return Some(d);
        }
        from = at + 1;
    }
    None
}

/// Reads one decoration into `d`; false when `token` is not a decoration.
fn classify<'a>(token: &'a str, d: &mut Decorated<'a>, after_others: bool) -> bool {
    let b = token.as_bytes();
    if b.is_empty() {
        return false;
    }
    if b[0].is_ascii_digit() {
        if let Some((epoch, used)) = iso_date(b) {
            if used == b.len() {
                d.epoch_s = Some(epoch);
                d.date = Some(token);
                return true;
            }
        }
        if let Some((number, end)) = decimal_starting_at(b, 0) {
            let unit = &b[end..];
            if unit.is_empty() {
                return true; // pid or tid
            }
            let (Some(nanos), value) = (unit_nanos(unit), number.value()) else {
                return false;
            };
            match unit {
                b"s" => d.uptime_s = Some(value),
                // `timemillis` / `timenanos` count from the epoch, `uptime…` from start.
                b"ms" if value > 1e11 => d.epoch_s = Some(value / 1e3),
                b"ns" if value > 1e17 => d.epoch_s = Some(value / 1e9),
                _ => d.uptime_s = Some(value * nanos as f64 / 1e9),
            }
            return true;
        }
        return false;
    }
    if LEVELS.contains(&token) {
        return true;
    }
    let tag_like = b[0].is_ascii_lowercase()
        && b.iter()
            .all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b',' || c == b'_');
    if tag_like {
        // The JVM prints tags last; a hostname that looks like a tag is overwritten.
        d.tags = Some(token);
        return true;
    }
    // A hostname, only among other decorations (`[Full GC` is no hostname).
    after_others && is_hostname(token)
}

/// A host name as `-Xlog:…:hostname` prints it: letters, digits, `-`, `.`, `_`.
fn is_hostname(token: &str) -> bool {
    !token.is_empty()
        && token
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_'))
}

/// State across unified lines.
#[derive(Debug, Default)]
pub(super) struct Unified {
    /// Lines with a gc tag set (or GC(n) messages without tags).
    pub gc_lines: u64,
    /// Lines of other tag sets (`os`, `class,load`, …): not GC output.
    pub other_tag_lines: u64,
    /// Lines without decorations read as unified messages (`-Xlog:gc:file:none`).
    pub bare_lines: u64,
    /// The last decorated line was of another tag set than `gc…`/`safepoint`, so an
    /// undecorated line right after it continues that message.
    pub in_other_message: bool,
    /// The current collection's cause as announced (`GC(3) Garbage Collection (Warmup)`),
    /// for collectors that print no cause on their pause lines (ZGC).
    cycle_cause: Option<(u64, String)>,
    /// The last GC id reported with an evacuation failure, so one failure is one warning.
    evacuation_failure_id: Option<u64>,
}

/// Header settings printed once at start (`[gc,init]`, `[gc,heap]`), by message prefix.
const SETTINGS: [&str; 30] = [
    "Version",
    "CPUs",
    "Memory",
    "Large Page Support",
    "NUMA Support",
    "Compressed Oops",
    "Heap Min Capacity",
    "Heap Initial Capacity",
    "Heap Max Capacity",
    "Min Capacity",
    "Initial Capacity",
    "Max Capacity",
    "Soft Max Capacity",
    "Heap Region Size",
    "Heap region size",
    "Heap Region Count",
    "Parallel Workers",
    "Concurrent Workers",
    "Concurrent Refinement Workers",
    "Periodic GC",
    "Mode",
    "Heuristics",
    "Pre-touch",
    "Heap address",
    "GC Workers",
    "Runtime Workers",
    "Medium Page Size",
    "Address Space Size",
    "Address Space Type",
    "Uncommit",
];

impl Unified {
    pub fn line(&mut self, cx: &mut Context, line_no: u64, d: &Decorated) {
        self.in_other_message = false;
        cx.tally.line_time(d.uptime_s, d.date);
        let message = d.message.trim_end();
        let tags = d.tags;
        let untagged_safepoint =
            tags.is_none() && (message.starts_with("Total time for which") || message.starts_with("Safepoint \""));
        match tags {
            _ if untagged_safepoint => {
                if let Some(nanos) = safepoint_nanos(message) {
                    cx.tally.safepoint(line_no, nanos);
                }
                return;
            }
            Some(t) if t == "safepoint" || t.starts_with("safepoint,") => {
                if let Some(nanos) = safepoint_nanos(message) {
                    cx.tally.safepoint(line_no, nanos);
                }
                return;
            }
            Some(t) if !(t == "gc" || t.starts_with("gc,")) => {
                // `-Xlog:all`, `os+cpu`, `class+load`…: JVM output about other subsystems.
                // Recognised, so not skipped, but nothing here is about collections.
                self.other_tag_lines += 1;
                self.in_other_message = true;
                return;
            }
            _ => {}
        }
        self.gc_lines += 1;
        let exact_gc = tags.is_none_or(|t| t == "gc");
        let pause_tags = tags.is_none_or(|t| t == "gc" || t == "gc,phases");

        if let Some(rest) = message.strip_prefix("GC(") {
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            let id = rest.get(..digits).and_then(|s| s.parse::<u64>().ok());
            let Some(body) = rest.get(digits..).and_then(|s| s.strip_prefix(") ")) else {
                return;
            };
            let body = body.trim_start();
            let (generation, body) = match body.as_bytes() {
                [g @ (b'Y' | b'y' | b'O'), b':', b' ', ..] => (Some(*g), body.get(3..).unwrap_or("")),
                _ => (None, body),
            };
            if generation.is_some() {
                cx.collector.hint(Collector::Zgc, line_no, "Y:/O: generation prefixes");
                cx.generational_zgc = true;
            }
            // `[gc,heap] GC(3) DefNew: 78655K->0K(78656K)`: the young generation's name
            // tells the collector where no `Using …` line survived (rotated logs).
            for (prefix, collector) in [
                ("DefNew:", Collector::Serial),
                ("Tenured:", Collector::Serial),
                ("PSYoungGen:", Collector::Parallel),
                ("ParOldGen:", Collector::Parallel),
                ("ParNew:", Collector::Cms),
            ] {
                if body.starts_with(prefix) {
                    cx.collector.hint(collector, line_no, prefix);
                }
            }
            if body.starts_with("Pause ") && pause_tags {
                self.pause(cx, line_no, d, id, generation, body);
            } else if body.starts_with("Concurrent ") && pause_tags {
                if let Some((collector, what)) = concurrent_phase_collector(body) {
                    cx.collector.hint(collector, line_no, what);
                }
                if trailing_duration(body.as_bytes()).is_some() {
                    cx.tally.concurrent_phases += 1;
                    cx.tally.event_time(d.uptime_s, d.epoch_s);
                }
                if exact_gc && body.starts_with("Concurrent Mark Abort") {
                    cx.tally.warn(WarningKind::ConcurrentMarkAborted, line_no, None);
                }
            } else if exact_gc {
                self.cycle_line(cx, line_no, id, body);
            }
            return;
        }
        if exact_gc || tags.is_some_and(|t| t.starts_with("gc,init") || t.starts_with("gc,heap")) {
            self.header_line(cx, line_no, message);
        }
        // `Allocation Stall (thread) 0.706ms`; the `[gc,stats]` table's
        // `Critical: Allocation Stall  0.000 / 0.000 …` rows are averages, not stalls.
        let stall = if message.starts_with("Allocation Stall (") {
            Some(WarningKind::AllocationStall)
        } else if message.starts_with("Relocation Stall (") {
            Some(WarningKind::RelocationStall)
        } else {
            None
        };
        if let Some(kind) = stall.filter(|_| exact_gc) {
            let nanos = trailing_duration(message.as_bytes()).map(|(n, _)| n);
            cx.tally.warn(kind, line_no, nanos);
        } else if exact_gc && (message.starts_with("Cancelling GC") || message.starts_with("Cancelling concurrent GC"))
        {
            // JDK 11+ says `Cancelling GC: …`, earlier Shenandoah `Cancelling concurrent GC: …`.
            cx.tally.warn(WarningKind::CancelledCycle, line_no, None);
            cx.collector.hint(Collector::Shenandoah, line_no, "Cancelling GC lines");
        }
    }

    /// A `[gc]` line of a collection that is not a pause or a concurrent phase.
    fn cycle_line(&mut self, cx: &mut Context, line_no: u64, id: Option<u64>, body: &str) {
        if body.starts_with("To-space exhausted") || body.starts_with("Evacuation Failure") {
            self.evacuation_failure(cx, line_no, id);
        }
        for prefix in ["Garbage Collection (", "Major Collection (", "Minor Collection ("] {
            if let Some(rest) = body.strip_prefix(prefix) {
                // Only ZGC announces its cycles so (`GC(3) Garbage Collection (Warmup)`).
                cx.collector
                    .hint(Collector::Zgc, line_no, "`Garbage Collection (…)` cycles");
                if let (Some(id), Some(end)) = (id, rest.find(')')) {
                    let cause = rest.get(..end).unwrap_or("");
                    if self.cycle_cause.as_ref().is_none_or(|(i, c)| *i != id || c != cause) {
                        self.cycle_cause = Some((id, cause.to_string()));
                    }
                }
            }
        }
        let lower = body.to_ascii_lowercase();
        if lower.contains("promotion failed") {
            cx.tally.warn(WarningKind::PromotionFailed, line_no, None);
        }
        if lower.contains("concurrent mode failure") {
            cx.tally.warn(WarningKind::ConcurrentModeFailure, line_no, None);
        }
    }

    fn evacuation_failure(&mut self, cx: &mut Context, line_no: u64, id: Option<u64>) {
        if id.is_some() && self.evacuation_failure_id == id {
            return;
        }
        self.evacuation_failure_id = id;
        cx.tally.warn(WarningKind::EvacuationFailure, line_no, None);
    }

    fn header_line(&mut self, cx: &mut Context, line_no: u64, message: &str) {
        if let Some(name) = message.strip_prefix("Using ") {
            cx.collector.name_from_using(name.trim(), message, line_no);
            return;
        }
        if let Some(name) = message.strip_prefix("Initializing ") {
            cx.collector.name_from_using(name.trim(), message, line_no);
            return;
        }
        for key in SETTINGS {
            if let Some(value) = message.strip_prefix(key).and_then(|r| r.strip_prefix(": ")) {
                if key == "Version" {
                    if cx.settings.version.is_none() {
                        cx.settings.version = Some(value.trim().to_string());
                    }
                } else {
                    cx.setting(key, value.trim(), line_no);
                }
                return;
            }
        }
    }

    fn pause(
        &mut self,
        cx: &mut Context,
        line_no: u64,
        d: &Decorated,
        id: Option<u64>,
        generation: Option<u8>,
        body: &str,
    ) {
        let bytes = body.as_bytes();
        let Some((nanos, duration_at)) = trailing_duration(bytes) else {
            // `[gc,start]`-style announcements have no duration; only an exact pause
            // tag makes a missing duration worth a note.
            if d.tags.is_some() {
                cx.skip(line_no, "lines", "pause line without a duration");
            }
            return;
        };
        let mut label = body.get(..duration_at).unwrap_or("").trim_end();
        let mut heap = None;
        if let Some(space) = label.rfind(' ') {
            let last = label.get(space + 1..).unwrap_or("");
            if last.contains("->") {
                heap = last_heap_change(last.as_bytes());
                label = label.get(..space).unwrap_or("").trim_end();
            }
        }
        let parts = split_label(label);
        let base = parts.base;
        let kind = match base {
            "Pause Young" if parts.modifiers().any(|m| m == "Mixed") => PauseType::Mixed,
            "Pause Young" => PauseType::Young,
            "Pause Mixed" => PauseType::Mixed,
            "Pause Full" => PauseType::Full,
            // G1 of JDK 9/10 names its concurrent-start young pause so; CMS its initial mark.
            "Pause Initial Mark" if cx.collector.current() != Some(Collector::Cms) => PauseType::Young,
            _ => PauseType::Other,
        };
        if base.starts_with("Pause Degenerated") {
            cx.tally.warn(WarningKind::Degenerated, line_no, None);
            cx.collector
                .hint(Collector::Shenandoah, line_no, "Pause Degenerated GC");
        }
        match base {
            "Pause Init Mark"
            | "Pause Final Mark"
            | "Pause Init Update Refs"
            | "Pause Final Update Refs"
            | "Pause Final Roots"
            | "Pause Final Evac"
            | "Pause Init Evac" => cx
                .collector
                .hint(Collector::Shenandoah, line_no, "Pause Init/Final Mark"),
            "Pause Mark Start" | "Pause Mark End" | "Pause Relocate Start" => {
                cx.collector.hint(Collector::Zgc, line_no, "Pause Mark Start/End")
            }
            "Pause Mixed" | "Pause Cleanup" => cx.collector.hint(Collector::G1, line_no, "Pause Mixed/Cleanup"),
            _ => {}
        }
        // Where no `Using …` line survived (a rotated file): G1 names its young pauses
        // `(Normal)`, `(Concurrent Start)`, `(Prepare Mixed)` and its causes `G1 …`;
        // only Parallel gives `Ergonomics` as a cause.
        if base == "Pause Young"
            && parts
                .modifiers()
                .any(|m| matches!(m, "Normal" | "Concurrent Start" | "Prepare Mixed" | "Mixed"))
        {
            cx.collector
                .hint(Collector::G1, line_no, "Pause Young (Normal/Concurrent Start/…)");
        }
        match parts.cause() {
            Some(c) if c.starts_with("G1 ") => cx.collector.hint(Collector::G1, line_no, "G1 causes"),
            Some("Ergonomics") => cx.collector.hint(Collector::Parallel, line_no, "the cause Ergonomics"),
            _ => {}
        }
        if parts
            .groups()
            .any(|g| g.starts_with("Evacuation Failure") || g.starts_with("To-space"))
        {
            self.evacuation_failure(cx, line_no, id);
        }
        let mut cause = parts.cause().map(str::to_string);
        if cause.is_none() {
            if let (Some(id), Some((cycle, c))) = (id, &self.cycle_cause) {
                if *cycle == id {
                    cause = Some(c.clone());
                }
            }
        }
        let mut phase = String::with_capacity(label.len() + 3);
        if let Some(g) = generation {
            phase.push(char::from(g));
            phase.push_str(": ");
        }
        phase.push_str(base);
        for m in parts.modifiers() {
            phase.push_str(" (");
            phase.push_str(m);
            phase.push(')');
        }
        cx.tally.pause(&Pause {
            line: line_no,
            uptime_s: d.uptime_s,
            epoch_s: d.epoch_s,
            date: d.date,
            kind,
            phase: &phase,
            cause: cause.as_deref(),
            nanos,
            heap,
        });
    }
}

/// The collector that alone logs a concurrent phase of this name, if one does.
fn concurrent_phase_collector(body: &str) -> Option<(Collector, &'static str)> {
    const PHASES: [(&str, Collector, &str); 14] = [
        ("Concurrent Sweep", Collector::Cms, "Concurrent Sweep/Preclean phases"),
        (
            "Concurrent Preclean",
            Collector::Cms,
            "Concurrent Sweep/Preclean phases",
        ),
        (
            "Concurrent Abortable Preclean",
            Collector::Cms,
            "Concurrent Sweep/Preclean phases",
        ),
        (
            "Concurrent Cycle",
            Collector::G1,
            "Concurrent Cycle/Scan Root Regions phases",
        ),
        (
            "Concurrent Mark Cycle",
            Collector::G1,
            "Concurrent Cycle/Scan Root Regions phases",
        ),
        (
            "Concurrent Scan Root Regions",
            Collector::G1,
            "Concurrent Cycle/Scan Root Regions phases",
        ),
        (
            "Concurrent Rebuild Remembered Sets",
            Collector::G1,
            "Concurrent Cycle/Scan Root Regions phases",
        ),
        (
            "Concurrent Undo Cycle",
            Collector::G1,
            "Concurrent Cycle/Scan Root Regions phases",
        ),
        (
            "Concurrent marking",
            Collector::Shenandoah,
            "Concurrent marking/evacuation phases",
        ),
        (
            "Concurrent evacuation",
            Collector::Shenandoah,
            "Concurrent marking/evacuation phases",
        ),
        (
            "Concurrent update references",
            Collector::Shenandoah,
            "Concurrent marking/evacuation phases",
        ),
        (
            "Concurrent Select Relocation Set",
            Collector::Zgc,
            "Concurrent Relocate phases",
        ),
        (
            "Concurrent Prepare Relocation Set",
            Collector::Zgc,
            "Concurrent Relocate phases",
        ),
        ("Concurrent Relocate", Collector::Zgc, "Concurrent Relocate phases"),
    ];
    PHASES
        .iter()
        .find(|(name, _, _)| body.starts_with(name))
        .map(|&(_, collector, what)| (collector, what))
}

/// Groups in a pause name that qualify the pause rather than give its cause.
const MODIFIERS: [&str; 22] = [
    "Normal",
    "Concurrent Start",
    "Initial Mark",
    "Prepare Mixed",
    "Mixed",
    "Young",
    "Old",
    "Global",
    "Major",
    "Minor",
    "Bootstrap",
    "unload classes",
    "process weakrefs",
    "update refs",
    "Outside of Cycle",
    "Mark",
    "Evacuation",
    "Update Refs",
    "Update Roots",
    "Roots",
    "Full",
    "Degenerated",
];

/// `Pause Young (Normal) (G1 Evacuation Pause)`: the base words and the groups.
pub(super) struct Label<'a> {
    pub base: &'a str,
    groups: [&'a str; 8],
    count: usize,
}

impl<'a> Label<'a> {
    pub fn groups(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.groups[..self.count].iter().copied()
    }

    fn is_failure(g: &str) -> bool {
        g.starts_with("Evacuation Failure") || g.starts_with("To-space") || g.starts_with("to-space")
    }

    /// The cause: the last group that is neither a modifier nor a failure note.
    pub fn cause(&self) -> Option<&'a str> {
        self.groups()
            .filter(|g| !MODIFIERS.contains(g) && !Self::is_failure(g))
            .last()
    }

    pub fn modifiers(&self) -> impl Iterator<Item = &'a str> + '_ {
        let cause = self.cause();
        self.groups().filter(move |g| Some(*g) != cause && !Self::is_failure(g))
    }
}

pub(super) fn split_label(label: &str) -> Label<'_> {
    let bytes = label.as_bytes();
    let base_end = bytes.iter().position(|&b| b == b'(').unwrap_or(bytes.len());
    let mut out = Label {
        base: label.get(..base_end).unwrap_or("").trim(),
        groups: [""; 8],
        count: 0,
    };
    let mut i = base_end;
    while i < bytes.len() && out.count < out.groups.len() {
        if bytes[i] != b'(' {
            i += 1;
            continue;
        }
        let mut depth = 0usize;
        let mut close = None;
        for (j, &b) in bytes.iter().enumerate().skip(i) {
            match b {
                b'(' => depth += 1,
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        close = Some(j);
                        break;
                    }
                }
                _ => {}
            }
        }
        let Some(close) = close else { break };
        out.groups[out.count] = label.get(i + 1..close).unwrap_or("").trim();
        out.count += 1;
        i = close + 1;
    }
    out
}

/// Stopped time of a safepoint line: `Total time for which application threads were
/// stopped: 0.0001 seconds, …` (JDK 8–16) or `Safepoint "…", …, Total: 8643291 ns`
/// (JDK 17+).
pub(super) fn safepoint_nanos(message: &str) -> Option<u64> {
    const STOPPED: &str = "Total time for which application threads were stopped: ";
    let b = message.as_bytes();
    if let Some(at) = message.find(STOPPED) {
        let (number, _) = decimal_starting_at(b, at + STOPPED.len())?;
        return number.nanos(1_000_000_000);
    }
    if message.starts_with("Safepoint") {
        let at = message.rfind("Total: ")? + "Total: ".len();
        let (number, end) = decimal_starting_at(b, at)?;
        let unit_start = end + usize::from(b.get(end) == Some(&b' '));
        let unit_end = b[unit_start..]
            .iter()
            .position(|c| !c.is_ascii_alphabetic())
            .map_or(b.len(), |p| unit_start + p);
        return number.nanos(unit_nanos(&b[unit_start..unit_end])?);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::gc::tests::{run, run_with};

    #[test]
    fn only_gc_and_gc_phases_pause_lines_count() {
        let log = run("\
[2022-11-10T03:37:29.508-0800][0.082s][info][gc     ] Using G1
[2022-11-10T03:37:32.125-0800][2.698s][info][gc,start     ] GC(0) Pause Young (Normal) (G1 Evacuation Pause)
[2022-11-10T03:37:32.146-0800][2.719s][info ][gc,phases    ] GC(0)   Evacuate Collection Set: 17.5ms
[2022-11-10T03:37:32.146-0800][2.720s][info ][gc           ] GC(0) Pause Young (Normal) (G1 Evacuation Pause) 116M->40M(2048M) 21.861ms
[2022-11-10T03:37:32.146-0800][2.720s][info ][gc,cpu       ] GC(0) User=0.05s Sys=0.02s Real=0.02s
[2022-11-10T03:37:33.973-0800][4.566s][info ][gc,phases,start] GC(1) Phase 1: Mark live objects
[2022-11-10T03:37:33.993-0800][4.567s][info ][gc           ] GC(1) Pause Young (Concurrent Start) (Metadata GC Threshold) 104M->42M(2048M) 20.246ms
[2022-11-10T03:37:34.003-0800][4.581s][info ][gc           ] GC(2) Pause Remark 43M->43M(2048M) 3.931ms
[2022-11-10T03:37:34.011-0800][4.585s][info ][gc,stats     ] Pause Remark (G)  3931 us
[2022-11-10T03:37:34.011-0800][4.590s][info ][gc           ] GC(3) Pause Young (Prepare Mixed) (G1 Evacuation Pause) 50M->45M(2048M) 5.000ms
[2022-11-10T03:37:34.011-0800][4.600s][info ][gc           ] GC(4) Pause Young (Mixed) (G1 Evacuation Pause) (Evacuation Failure: Allocation) 50M->49M(2048M) 9.000ms
[2022-11-10T03:37:34.011-0800][4.700s][info ][gc           ] GC(5) Pause Full (G1 Compaction Pause) 2000M->1000M(2048M) 900.000ms
[2022-11-10T03:37:34.011-0800][4.800s][info ][safepoint    ] Safepoint \"G1CollectForAllocation\", Time since last: 1 ns, Reaching safepoint: 2 ns, At safepoint: 3 ns, Total: 5000 ns
[2022-11-10T03:37:34.011-0800][4.900s][info ][os           ] something else
[2022-11-10T03:37:34.011-0800][4.950s][info ][gc,start     ] GC(6) Pause Young (Normal) (G1 Evacuation Pause) 1.000ms
[2022-11-10T03:37:34.011-0800][4.960s][info ][gc,heap      ] GC(6) Pause Young (Normal) (G1 Evacuation Pause) 1.000ms
");
        assert_eq!(log.format.as_deref(), Some("unified"));
        assert_eq!(log.pauses, 6);
        assert_eq!(log.pauses_by_type.young, 3);
        assert_eq!(log.pauses_by_type.mixed, 1);
        assert_eq!(log.pauses_by_type.full, 1);
        assert_eq!(log.pauses_by_type.other, 1);
        assert_eq!(log.max_pause_s, 0.9);
        assert_eq!(log.max_pause_type.as_deref(), Some("full"));
        assert_eq!(log.longest_pauses[0].cause.as_deref(), Some("G1 Compaction Pause"));
        assert_eq!(log.safepoints.as_ref().unwrap().stops, 1);
        let kinds: Vec<&str> = log.warnings.iter().map(|w| w.kind.as_str()).collect();
        assert_eq!(kinds, vec!["evacuation failure", "full GC of a concurrent collector"]);
        assert!(log
            .by_phase
            .iter()
            .any(|p| p.name == "Pause Young (Prepare Mixed)" && p.pause_type.as_deref() == Some("young")));
        assert_eq!(log.collector_evidence.as_deref(), Some("`Using G1` on line 1"));
    }

    #[test]
    fn lines_of_other_tag_sets_are_counted_apart_not_skipped() {
        // `-Xlog:all` or `-Xlog:gc*,os*` logs: JVM output, not GC, and not unreadable.
        let (log, skipped) = run_with(
            "[0.1s][info][os] a\n[0.2s][info][class,load] b\n[0.3s][info][gc] Using Serial\n",
            5,
        );
        assert!(skipped.is_empty(), "{skipped:?}");
        assert_eq!(log.other_log_lines, 2);
    }

    #[test]
    fn zgc_statistics_rows_are_no_stalls() {
        let log = run("\
[7.006s] GC(374) Pause Mark Start 4.459ms
[7.555s]    Critical: Allocation Stall                              0.000 / 0.000         0.000 / 0.000         0.000 / 0.000         0.000 / 0.000       ms
[10.418s][info][gc,stats    ]    Critical: Relocation Stall                              0.000 / 0.000         0.000 / 0.000         0.000 / 0.000         0.000 / 0.000       ms
[7.777s] Allocation Stall (ThreadPoolTaskScheduler-1) 0.204ms
");
        let stalls: Vec<(&str, u64)> = log.warnings.iter().map(|w| (w.kind.as_str(), w.count)).collect();
        assert_eq!(stalls, vec![("allocation stall", 1)]);
    }

    #[test]
    fn shenandoah_cancellation_and_generation_lines_imply_the_collector() {
        let shenandoah = run("\
[29.628s][info][gc            ] Cancelling concurrent GC: Allocation Failure
[43.948s][info][gc             ] GC(831) Pause Full (Allocation Failure) 7943M->6013M(8192M) 14289.335ms
");
        assert_eq!(shenandoah.collector.as_deref(), Some("Shenandoah"));
        assert!(shenandoah
            .warnings
            .iter()
            .any(|w| w.kind == "cancelled concurrent cycle"));
        let serial = run("\
[5.789s][info][gc,heap        ] GC(3) DefNew: 78655K->0K(78656K)
[5.789s][info][gc             ] GC(3) Pause Young (Allocation Failure) 215M->132M(247M) 146.211ms
");
        assert_eq!(serial.collector.as_deref(), Some("Serial"));
        let parallel = run("[1.0s][info][gc,heap] GC(0) PSYoungGen: 1K->0K(2K)\n");
        assert_eq!(parallel.collector.as_deref(), Some("Parallel"));
    }

    #[test]
    fn generational_zgc_counts_young_and_old_pauses_and_stalls() {
        let log = run("\
[0.003s][info][gc,init] Initializing The Z Garbage Collector
[0.003s][info][gc,init] Version: 21.0.2+13-58 (release)
[0.003s][info][gc,init] Max Capacity: 512M
[0.347s][info][gc          ] GC(0) Major Collection (Warmup)
[0.347s][info][gc,phases   ] GC(0) Y: Pause Mark Start (Major) 0.044ms
[0.353s][info][gc,phases   ] GC(0) Y: Concurrent Mark 5.000ms
[0.353s][info][gc,phases   ] GC(0) Y: Pause Mark End 0.014ms
[0.355s][info][gc,phases   ] GC(0) Y: Pause Relocate Start 0.020ms
[0.428s][info][gc,phases   ] GC(0) O: Pause Mark End 0.015ms
[0.431s][info][gc,phases   ] GC(0) O: Pause Relocate Start 0.007ms
[0.432s][info][gc          ] GC(0) Major Collection (Warmup) 18M(9%)->8M(4%) 0.085s
[3.500s][info][gc          ] Allocation Stall (main) 12.165ms
[3.556s][info][gc          ] GC(3) Minor Collection (Allocation Rate)
[3.556s][info][gc,phases   ] GC(3) y: Pause Mark Start 0.017ms
[3.729s][info][gc,phases   ] GC(3) y: Pause Mark End 0.013ms
[3.734s][info][gc,phases   ] GC(3) y: Pause Relocate Start 0.009ms
");
        assert_eq!(log.collector.as_deref(), Some("ZGC"));
        assert!(log.collector_evidence.as_deref().unwrap().contains("generational"));
        assert_eq!(log.pauses, 8);
        assert_eq!(log.pauses_by_type.other, 8);
        assert_eq!(log.total_pause_s, 0.000139);
        assert_eq!(log.jvm.version.as_deref(), Some("21.0.2+13-58 (release)"));
        let stall = log.warnings.iter().find(|w| w.kind == "allocation stall").unwrap();
        assert_eq!((stall.count, stall.total_s), (1, Some(0.012165)));
        assert!(log.by_cause.iter().any(|c| c.name == "Warmup" && c.pauses == 5));
        assert!(log.by_phase.iter().any(|p| p.name == "O: Pause Mark End"));
    }

    #[test]
    fn shenandoah_degenerated_and_full() {
        let log = run("\
[1.0s][info][gc] Using Shenandoah
[1.5s][info][gc] GC(0) Pause Init Mark (unload classes) 1.313ms
[1.6s][info][gc] Cancelling GC: Allocation Failure
[1.7s][info][gc] GC(0) Pause Degenerated GC (Mark) 50.000ms
[1.9s][info][gc] GC(1) Pause Full 200.000ms
");
        assert_eq!(log.pauses_by_type.other, 2);
        assert_eq!(log.pauses_by_type.full, 1);
        let kinds: Vec<&str> = log.warnings.iter().map(|w| w.kind.as_str()).collect();
        assert_eq!(
            kinds,
            vec![
                "degenerated GC",
                "cancelled concurrent cycle",
                "full GC of a concurrent collector"
            ]
        );
    }

    #[test]
    fn initial_mark_is_young_for_g1_and_other_for_cms() {
        let g1 = run("[0.1s][info][gc] Using G1\n[0.2s][info][gc] GC(5) Pause Initial Mark (G1 Evacuation Pause) 80M->80M(128M) 6.187ms\n");
        assert_eq!(g1.pauses_by_type.young, 1);
        let cms = run("\
[0.1s][info][gc] Using Concurrent Mark Sweep
[0.2s][info][gc] GC(0) Pause Young (Allocation Failure) 34M->12M(123M) 12.345ms
[0.3s][info][gc] GC(1) Pause Initial Mark 45M->45M(123M) 0.234ms
[0.4s][info][gc] GC(1) Concurrent Mark 4.567ms
[0.5s][info][gc] GC(1) Pause Remark 56M->56M(123M) 1.234ms
");
        assert_eq!(cms.collector.as_deref(), Some("CMS"));
        assert_eq!((cms.pauses_by_type.young, cms.pauses_by_type.other), (1, 2));
        assert_eq!(cms.concurrent_phases, 1);
    }

    #[test]
    fn undecorated_and_millisecond_and_wall_clock_decorations() {
        let bare = run("Using Parallel\nGC(0) Pause Young (Allocation Failure) 32M->29M(123M) 6.868ms\nGC(1) Pause Full (Ergonomics) 62M->61M(123M) 13.765ms\n");
        assert_eq!((bare.pauses_by_type.young, bare.pauses_by_type.full), (1, 1));
        assert_eq!(bare.collector.as_deref(), Some("Parallel"));
        assert!(bare.throughput.is_none());
        let millis = run("[1000ms][info][gc] GC(0) Pause Young (Allocation Failure) 1M->0M(2M) 500.000ms\n[3000ms][info][gc] GC(1) Pause Young (Allocation Failure) 1M->0M(2M) 500.000ms\n");
        assert_eq!(millis.throughput.unwrap().runtime_s, 2.5);
        let wall = run("[2024-01-01T00:00:00.000+0000][gc] GC(0) Pause Young (Allocation Failure) 1M->0M(2M) 1.000ms\n[2024-01-01T00:00:10.000+0000][gc] GC(1) Pause Young (Allocation Failure) 1M->0M(2M) 1.000ms\n");
        assert_eq!(wall.throughput.unwrap().runtime_s, 10.001);
        assert_eq!(wall.span.last_date.as_deref(), Some("2024-01-01T00:00:10.000+0000"));
    }

    #[test]
    fn a_jvm_restart_in_one_file_is_noted_and_runs_are_summed() {
        let log = run("\
[100.000s][info][gc] GC(0) Pause Young (Allocation Failure) 1M->0M(2M) 1.000ms
[200.000s][info][gc] GC(1) Pause Young (Allocation Failure) 1M->0M(2M) 1.000ms
[0.010s][info][gc] Using Serial
[50.000s][info][gc] GC(0) Pause Young (Allocation Failure) 1M->0M(2M) 1.000ms
");
        assert_eq!(log.span.jvm_restarts, 1);
        assert_eq!(log.throughput.unwrap().runtime_s, 100.0 + 0.0 + 0.001);
        assert!(log.notes.iter().any(|n| n.text.contains("2 JVM runs")));
    }

    #[test]
    fn a_rotated_file_without_using_line_still_names_the_collector() {
        // `-Xlog:gc:file=gc.log::filecount=5`: later files lose the header.
        for (text, collector) in [
            ("[9.1s][info][gc] GC(40) Pause Young (Normal) (G1 Evacuation Pause) 30M->10M(64M) 2.000ms\n", "G1"),
            ("[9.1s][info][gc] GC(40) Pause Young (Allocation Failure) 30M->10M(64M) 2.000ms\n[9.2s][info][gc] GC(41) Pause Full (Ergonomics) 60M->40M(64M) 20.000ms\n", "Parallel"),
            ("[9.1s][info][gc] GC(40) Garbage Collection (Allocation Rate) 30M(47%)->10M(16%)\n", "ZGC"),
            ("[9.1s][info][gc] GC(40) Concurrent marking 30M->31M(64M) 2.000ms\n", "Shenandoah"),
            ("[9.1s][info][gc] GC(40) Pause Initial Mark 30M->30M(64M) 0.500ms\n[9.2s][info][gc] GC(40) Concurrent Sweep 3.000ms\n", "CMS"),
            ("[9.1s][info][gc,heap] GC(40) Tenured: 30M->20M(40M)\n", "Serial"),
        ] {
            let log = run(text);
            assert_eq!(log.collector.as_deref(), Some(collector), "{text}");
            assert!(log.collector_evidence.unwrap().starts_with("implied by"));
        }
    }

    #[test]
    fn continuation_lines_of_other_tag_sets_are_not_skipped() {
        // `-Xlog:all`: only a message's first line is decorated.
        let (log, skipped) = run_with(
            "\
[0.411s][info][exceptions] Exception <a 'java/lang/OutOfMemoryError'{0x00000000fd008020}> (0x00000000fd008020) 
thrown [./src/hotspot/share/gc/shared/memAllocator.cpp, line 134]
for thread 0x00007fa83401be50
[0.412s][info][gc] GC(3) Pause Young (Normal) (G1 Evacuation Pause) 30M->10M(64M) 2.000ms
",
            5,
        );
        assert!(skipped.is_empty(), "{skipped:?}");
        assert_eq!((log.pauses, log.other_log_lines), (1, 3));
    }

    #[test]
    fn decorations_after_a_container_or_syslog_prefix() {
        let (log, skipped) = run_with(
            "\
2024-05-01T10:00:00.123456789Z stdout F [0.123s][info][gc] Using G1
2024-05-01T10:00:01.123456789Z stdout F [1.123s][info][gc] GC(0) Pause Young (Normal) (G1 Evacuation Pause) 24M->4M(256M) 5.123ms
May  1 10:00:02 host java[4711]: [2.123s][info][gc] GC(1) Pause Full (System.gc()) 20M->4M(256M) 20.000ms
",
            5,
        );
        assert!(skipped.is_empty(), "{skipped:?}");
        assert_eq!((log.pauses_by_type.young, log.pauses_by_type.full), (1, 1));
        assert_eq!(log.collector.as_deref(), Some("G1"));
        assert_eq!(log.span.first_uptime_s, Some(0.123));
        // An older-format event keeps its own reading.
        assert_eq!(prefixed_decorations("2019-01-01T00:00:00.000+0000: 1.000: [GC (Allocation Failure) [PSYoungGen: 1K->0K(2K)] 1K->0K(4K), 0.01 secs]"), None);
    }

    #[test]
    fn a_hostname_can_be_the_first_decoration() {
        // `-Xlog:gc:file=gc.log:hostname,pid,tags`: no time decoration before it.
        let d =
            decorations("[web-01.example.com][4711][gc] GC(0) Pause Young (Allocation Failure) 12M->0M(46M) 1.367ms")
                .unwrap();
        assert_eq!(d.tags, Some("gc"));
        assert!(d.message.starts_with("GC(0)"));
        // A bracket of an older log is no hostname.
        assert_eq!(
            decorations("[GC--[PSYoungGen: 9208K->9208K(9216K)] 12735K->19445K(19456K), 0.01 secs]"),
            None
        );
    }

    #[test]
    fn decorations_in_any_order_and_subset() {
        let d =
            decorations("[2022-11-10T03:37:32.146-0800][2.720s][info ][gc           ] GC(0) Pause Young 1ms").unwrap();
        assert_eq!(d.uptime_s, Some(2.72));
        assert_eq!(d.tags, Some("gc"));
        assert_eq!(d.date, Some("2022-11-10T03:37:32.146-0800"));
        assert_eq!(d.message, "GC(0) Pause Young 1ms");
        let d = decorations("[gc,phases][info][1234ms][4321][4322] GC(1) Pause Mark End 0.5ms").unwrap();
        assert_eq!(d.tags, Some("gc,phases"));
        assert_eq!(d.uptime_s, Some(1.234));
        let d = decorations("[1668080249443ms][info][gc] Using G1").unwrap();
        assert_eq!(d.uptime_s, None);
        assert!(d.epoch_s.unwrap() > 1.6e9);
        // Older-format lines are not decorated.
        assert_eq!(decorations("[GC 1234K->567K(8901K), 0.0123 secs]"), None);
        assert_eq!(decorations("[Full GC (System) [PSYoungGen: 1K->0K(2K)]"), None);
        assert_eq!(decorations("[Times: user=0.01 sys=0.00, real=0.01 secs]"), None);
    }

    #[test]
    fn labels_split_into_base_modifiers_and_cause() {
        let l = split_label("Pause Young (Normal) (G1 Evacuation Pause)");
        assert_eq!(l.base, "Pause Young");
        assert_eq!(l.cause(), Some("G1 Evacuation Pause"));
        assert_eq!(l.modifiers().collect::<Vec<_>>(), vec!["Normal"]);
        let l = split_label("Pause Full (System.gc())");
        assert_eq!(l.cause(), Some("System.gc()"));
        let l = split_label("Pause Init Mark (unload classes)");
        assert_eq!(l.cause(), None);
        let l = split_label("Pause Young (Normal) (G1 Evacuation Pause) (Evacuation Failure: Pinned)");
        assert_eq!(l.cause(), Some("G1 Evacuation Pause"));
    }

    #[test]
    fn safepoint_lines_of_both_generations() {
        assert_eq!(
            safepoint_nanos("Total time for which application threads were stopped: 0.0001215 seconds, Stopping threads took: 0.0000271 seconds"),
            Some(121_500)
        );
        assert_eq!(
            safepoint_nanos("Safepoint \"G1CollectForAllocation\", Time since last: 1015917041 ns, Reaching safepoint: 277166 ns, At safepoint: 8366125 ns, Total: 8643291 ns"),
            Some(8_643_291)
        );
        assert_eq!(safepoint_nanos("Application time: 0.017 seconds"), None);
    }
}
