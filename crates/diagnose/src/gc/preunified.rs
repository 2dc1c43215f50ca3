//! Older logging (`-verbose:gc`, `-XX:+PrintGCDetails`, JDK 5–8, and Shenandoah's
//! JDK 8 port): bracketed events that may span lines and nest.
//!
//! The file is read as one stream of brackets. A `[` at depth 0 that opens a GC event
//! (`[GC …`, `[Full GC …`, `[GC pause …`, `[GC remark …`, `[GC cleanup …`, `[Pause …`)
//! starts an event; its own text is what lies at depth 1, and its duration is the
//! `, <t> secs` that closes that text. Concurrent fragments (`[CMS-concurrent-…]`,
//! `[GC concurrent-…]`, `[Concurrent …]`) are events of their own wherever they appear,
//! also in the middle of another event's line, and are cut out before the depth count.
//! Other brackets at depth 0 (`[Times: …]`, G1's `[Eden: …]`, heap-summary addresses)
//! are details. An event still open when a line starts a new one was cut off and is
//! counted as skipped. Memory: the open event's own text, capped.

use std::borrow::Cow;

use super::tally::{Pause, PauseType, WarningKind};
use super::text::{contains, iso_date, last_heap_change, leading_stamps, stamps_before, trailing_duration, trim_end};
use super::unified::{safepoint_nanos, split_label};
use super::{Collector, Context};

/// Own text beyond this is cut in the middle (its head names the event, its tail holds
/// the heap figures and the duration).
const OWN_TEXT_CAP: usize = 64 * 1024;

#[derive(Debug)]
struct Event {
    line: u64,
    uptime_s: Option<f64>,
    epoch_s: Option<f64>,
    date: Option<String>,
    depth: u32,
    flags: u32,
    young_gen: Option<&'static str>,
}

// What nested parts and the event's text say.
const CMS_OLD: u32 = 1;
const TENURED_OLD: u32 = 1 << 1;
const CMS_INITIAL_MARK: u32 = 1 << 2;
const CMS_REMARK: u32 = 1 << 3;
const PROMOTION_FAILED: u32 = 1 << 4;
const CONCURRENT_MODE_FAILURE: u32 = 1 << 5;
const CONCURRENT_MODE_INTERRUPTED: u32 = 1 << 6;
const TO_SPACE: u32 = 1 << 7;
const PARALLEL_OLD: u32 = 1 << 8;
const G1_DETAIL: u32 = 1 << 9;
const CMS_DETAIL: u32 = 1 << 10;

#[derive(Debug, Default)]
pub(super) struct PreUnified {
    open: Option<Event>,
    own: String,
    /// Events read (pauses, concurrent fragments, events without duration).
    pub events: u64,
    /// JVM header, log-rotation and summary lines (a rotated file may hold nothing else).
    pub header_lines: u64,
    /// Unclosed `[` of a detail bracket outside any event that goes on over the next,
    /// indented lines (JDK 7 G1's per-worker values, then `Avg: …]` below).
    detail_depth: u32,
    /// Inside a multi-line summary that is not an event: a heap printout (`Heap`,
    /// `{Heap before GC…`, `Shenandoah Heap`) or Shenandoah's exit statistics
    /// (`GC STATISTICS:`). Ends at the next time-stamped line or event.
    in_summary: bool,
    /// Unknown lines before anything of a GC log was placed (first line, count): held
    /// back, because in a unified log written without decorations (`-Xlog:gc:file:none`)
    /// they are the collector's first messages (`Min heap equals to max heap, …`),
    /// printed before the `Using …` line that shows what the file is.
    leading_unknown: Option<(u64, u64)>,
}

impl PreUnified {
    pub fn line(&mut self, cx: &mut Context, line_no: u64, line: &str) {
        let b = line.as_bytes();
        let (uptime, date, rest_at) = leading_stamps(b);
        cx.tally.line_time(uptime, date.and_then(|(s, e)| line.get(s..e)));
        let rest = &b[rest_at..];
        if rest_at > 0 {
            self.in_summary = false;
        }
        if let Some(at) = safepoint_text_at(b, rest_at) {
            if let Some(nanos) = line.get(at..).and_then(safepoint_nanos) {
                cx.tally.safepoint(line_no, nanos);
            }
            return;
        }
        if rest.starts_with(b"Application time:") || application_time_glued(rest) {
            return;
        }
        if self.open.is_none() && self.header(cx, line_no, line, rest_at) {
            self.header_lines += 1;
            return;
        }
        if self.open.is_none() && rest.starts_with(b"Cancelling concurrent GC") {
            // Shenandoah's JDK 8 port: the cycle gave up (allocation failure, VM exit).
            cx.tally.warn(WarningKind::CancelledCycle, line_no, None);
            cx.collector
                .hint(Collector::Shenandoah, line_no, "Cancelling concurrent GC lines");
            self.header_lines += 1;
            return;
        }
        if self.open.is_none() && starts_summary(rest) {
            self.in_summary = true;
            self.header_lines += 1;
            return;
        }
        if self.open.is_some() && rest.first() == Some(&b'[') && event_start(&rest[1..]) {
            self.abandon(
                cx,
                "older-format GC event never closed before the next one (log cut or interleaved)",
            );
        }
        if !self.scan(cx, line_no, line) && !known_text(rest, b) && !self.in_summary {
            if self.events == 0 && self.header_lines == 0 {
                let (first, count) = self.leading_unknown.get_or_insert((line_no, 0));
                *first = (*first).min(line_no);
                *count += 1;
            } else {
                cx.skip(line_no, "lines", NOT_GC);
            }
        }
    }

    /// Whether anything of an older-format log was read: an event (also one still
    /// open) or a header line.
    pub fn anything_read(&self) -> bool {
        self.events > 0 || self.header_lines > 0 || self.open.is_some()
    }

    /// End of input: an event still open was cut off. `bare_unified`: the file turned
    /// out to be unified logging without decorations, whose first messages the unknown
    /// lines before any event were; returns how many such lines there were.
    pub fn finish(&mut self, cx: &mut Context, bare_unified: bool) -> u64 {
        if self.open.is_some() {
            self.abandon(cx, "older-format GC event still open at the end of the file");
        }
        match self.leading_unknown.take() {
            Some((_, count)) if bare_unified => count,
            Some((first, count)) => {
                cx.skip_many(first, count, "lines", NOT_GC);
                0
            }
            None => 0,
        }
    }

    fn abandon(&mut self, cx: &mut Context, reason: &'static str) {
        if let Some(event) = self.open.take() {
            self.events += 1;
            cx.skip(event.line, "events", reason);
        }
    }

    /// Walks the brackets of one line; false when the line held nothing of a GC log.
    fn scan(&mut self, cx: &mut Context, line_no: u64, line: &str) -> bool {
        let b = line.as_bytes();
        let histogram_row = is_histogram_row(b);
        let mut placed = self.open.is_some();
        if self.open.is_some() && !self.own.is_empty() {
            self.own.push(' ');
        }
        // `chunk`: start of depth-1 text not yet copied; `seg`: start of this line's
        // part of the open event (for the failure words).
        let mut chunk = 0;
        let mut seg = 0;
        let mut orphan = false;
        let mut i = 0;
        // A detail bracket goes on only over indented lines; anything else means it was
        // cut, and the new line stands on its own.
        if self.detail_depth > 0 && !b.first().is_some_and(u8::is_ascii_whitespace) {
            self.detail_depth = 0;
        }
        while i < b.len() {
            match b[i] {
                b'[' => {
                    let after = &b[i + 1..];
                    if let Some(collector) = concurrent_fragment(after) {
                        self.copy_own(line, chunk, i);
                        let close = matching_close(b, i);
                        self.concurrent(cx, line_no, line, i, close, collector);
                        placed = true;
                        i = close + 1;
                        chunk = i;
                        continue;
                    }
                    if self.open.is_none() && self.detail_depth > 0 && !histogram_row && event_start(after) {
                        // An event cannot sit inside a detail bracket: that one was cut.
                        self.detail_depth = 0;
                    }
                    match &mut self.open {
                        None if self.detail_depth > 0 => {
                            placed = true;
                            self.detail_depth += 1;
                        }
                        None => {
                            placed = true;
                            if !histogram_row && event_start(after) {
                                self.start(line_no, line, i);
                                seg = i;
                                chunk = i + 1;
                            } else {
                                // A detail bracket: `[Times: …]`, `[Eden: …]`, addresses.
                                let close = matching_close(b, i);
                                if close >= b.len() {
                                    self.detail_depth = unclosed_depth(&b[i..]);
                                }
                                i = close + 1;
                                continue;
                            }
                        }
                        Some(_) if !histogram_row => {
                            // The text before a nested bracket is still the event's own.
                            self.copy_own(line, chunk, i);
                            if let Some(event) = &mut self.open {
                                event.depth += 1;
                                if event.depth == 2 {
                                    event.flags |= nested_flags(after, &mut event.young_gen);
                                }
                            }
                        }
                        Some(_) => {}
                    }
                }
                b']' => match &mut self.open {
                    None if self.detail_depth > 0 => {
                        placed = true;
                        self.detail_depth -= 1;
                    }
                    None => orphan = true,
                    Some(event) if !histogram_row => {
                        if event.depth <= 1 {
                            self.copy_own(line, chunk, i);
                            self.flag_text(&b[seg..=i]);
                            self.close(cx);
                        } else {
                            event.depth -= 1;
                            if event.depth == 1 {
                                chunk = i + 1;
                            }
                        }
                    }
                    Some(_) => {}
                },
                _ => {}
            }
            i += 1;
        }
        if self.open.is_some() {
            self.copy_own(line, chunk, b.len());
            self.flag_text(&b[seg.min(b.len())..]);
        }
        if orphan && !placed {
            cx.skip(
                line_no,
                "lines",
                "end of an event whose start is not in the file (rotated or cut log)",
            );
            return true;
        }
        placed
    }

    /// Copies `line[from..to]` into the open event's own text when it is at depth 1.
    fn copy_own(&mut self, line: &str, from: usize, to: usize) {
        let Some(event) = &self.open else { return };
        if event.depth != 1 || from >= to {
            return;
        }
        if let Some(piece) = line.get(from..to) {
            self.own.push_str(piece);
        }
        if self.own.len() > OWN_TEXT_CAP {
            let head = floor_boundary(&self.own, 1024);
            let tail = ceil_boundary(&self.own, self.own.len() - 8 * 1024);
            let kept = format!("{} … {}", &self.own[..head], &self.own[tail..]);
            self.own = kept;
        }
    }

    fn flag_text(&mut self, text: &[u8]) {
        let Some(event) = &mut self.open else { return };
        for (needle, flag) in [
            (&b"promotion failed"[..], PROMOTION_FAILED),
            (b"concurrent mode failure", CONCURRENT_MODE_FAILURE),
            (b"concurrent mode interrupted", CONCURRENT_MODE_INTERRUPTED),
            (b"to-space exhausted", TO_SPACE),
            (b"to-space overflow", TO_SPACE),
        ] {
            if event.flags & flag == 0 && contains(text, needle) {
                event.flags |= flag;
            }
        }
    }

    fn start(&mut self, line_no: u64, line: &str, at: usize) {
        self.in_summary = false;
        self.detail_depth = 0;
        let b = line.as_bytes();
        let (uptime_s, date) = stamps_before(b, at);
        let date = date.and_then(|(s, e)| line.get(s..e));
        self.own.clear();
        self.open = Some(Event {
            line: line_no,
            uptime_s,
            epoch_s: date.and_then(|d| iso_date(d.as_bytes())).map(|(e, _)| e),
            date: date.map(str::to_string),
            depth: 1,
            flags: 0,
            young_gen: None,
        });
    }

    fn concurrent(
        &mut self,
        cx: &mut Context,
        line_no: u64,
        line: &str,
        at: usize,
        close: usize,
        collector: Collector,
    ) {
        self.events += 1;
        let b = line.as_bytes();
        let (uptime_s, date) = stamps_before(b, at);
        let epoch_s = date.and_then(|(s, e)| iso_date(&b[s..e])).map(|(e, _)| e);
        cx.tally.event_time(uptime_s, epoch_s);
        let inner = &b[(at + 1).min(b.len())..close.min(b.len())];
        let end = trim_end(inner);
        let inner = &inner[..end];
        let with_duration = inner.last().is_some_and(u8::is_ascii_digit)
            || inner.ends_with(b"secs")
            || inner.ends_with(b"sec")
            || inner.ends_with(b"ms");
        if with_duration {
            cx.tally.concurrent_phases += 1;
        }
        if contains(inner, b"concurrent-mark-abort") {
            cx.tally.warn(WarningKind::ConcurrentMarkAborted, line_no, None);
        }
        let what = match collector {
            Collector::Cms => "[CMS-concurrent-…] phases",
            Collector::G1 => "[GC concurrent-…] phases",
            _ => "[Concurrent …] phases",
        };
        cx.collector.hint(collector, line_no, what);
    }

    fn close(&mut self, cx: &mut Context) {
        let Some(event) = self.open.take() else { return };
        self.events += 1;
        let own = std::mem::take(&mut self.own);
        let Some((nanos, duration_at)) = trailing_duration(own.as_bytes()) else {
            // Shenandoah's JDK 8 port announces each pause (`[Pause Init Mark, start]`)
            // before logging it with its duration.
            if !own.trim_end().ends_with(", start") {
                cx.skip(event.line, "events", "older-format GC event without its own duration");
            }
            self.own = own;
            self.own.clear();
            return;
        };
        let c = classify(&own, duration_at, event.flags, event.young_gen);
        let line = event.line;
        for (collector, what) in c.hints.iter().flatten() {
            cx.collector.hint(*collector, line, what);
        }
        for warning in c.warnings.iter().flatten() {
            cx.tally.warn(*warning, line, None);
        }
        let heap = last_heap_change(own.get(..duration_at).unwrap_or("").as_bytes());
        cx.tally.pause(&Pause {
            line,
            uptime_s: event.uptime_s,
            epoch_s: event.epoch_s,
            date: event.date.as_deref(),
            kind: c.kind,
            phase: &c.phase,
            cause: c.cause.as_deref(),
            nanos,
            heap,
        });
        self.own = own;
        self.own.clear();
    }

    /// JVM header lines before the first event (and again after a log rotation).
    fn header(&mut self, cx: &mut Context, line_no: u64, line: &str, rest_at: usize) -> bool {
        let rest = line.get(rest_at..).unwrap_or("");
        if let Some(flags) = rest.strip_prefix("CommandLine flags:") {
            cx.command_line(flags.trim(), line_no);
            return true;
        }
        if rest.starts_with("OpenJDK") || rest.starts_with("Java HotSpot") || rest.starts_with("Java(TM)") {
            // `OpenJDK 64-Bit Server VM warning: Ignoring option …` goes to the same stream
            // when the log is the console; it is JVM output but names no version.
            if rest.contains(" warning: ") {
                return true;
            }
            if cx.settings.vm.is_none() {
                let vm = rest.find(" for ").map_or(rest, |at| &rest[..at]);
                cx.settings.vm = Some(vm.trim().to_string());
            }
            if cx.settings.version.is_none() {
                if let Some(at) = rest.find("JRE (") {
                    let after = &rest[at + 5..];
                    if let Some(end) = after.find(')') {
                        cx.settings.version = Some(after[..end].to_string());
                    }
                }
            }
            return true;
        }
        if let Some(memory) = rest.strip_prefix("Memory: ") {
            cx.setting("Memory", memory.trim(), line_no);
            return true;
        }
        if rest.contains("GC log file created") || rest.contains("GC log file has reached the maximum size") {
            let text: String = rest.chars().take(300).collect();
            cx.tally.note(line_no, format!("log rotation: {text}"));
            return true;
        }
        false
    }
}

const NOT_GC: &str = "not GC log output (no event and no known detail line)";

/// Does `after` (the bytes after a `[`) open a stop-the-world GC event?
fn event_start(after: &[u8]) -> bool {
    // `Inc GC`: JDK 1.4's incremental (train) collection under -Xincgc.
    if after.starts_with(b"Full GC") || after.starts_with(b"Pause ") || after.starts_with(b"Inc GC") {
        return true;
    }
    let Some(rest) = after.strip_prefix(b"GC") else {
        return false;
    };
    if rest.starts_with(b" Worker") || rest.starts_with(b" ref-proc") || rest.starts_with(b" concurrent") {
        return false;
    }
    match rest.first() {
        None => true,
        // A capital right after `GC` is other output the JVM glued onto the event's
        // name: `[GCBefore GC:` (PrintFLSStatistics), `[GCDesired survivor size`
        // (JDK 6 tenuring), `[GCAdaptiveSizePolicy::…`.
        Some(c) => matches!(c, b' ' | b'(' | b'-' | b'[' | b'\t') || c.is_ascii_digit() || c.is_ascii_uppercase(),
    }
}

/// The collector whose concurrent fragment `after` opens, if it opens one.
fn concurrent_fragment(after: &[u8]) -> Option<Collector> {
    if after.starts_with(b"CMS-concurrent") || after.starts_with(b"ASCMS-concurrent") {
        Some(Collector::Cms)
    } else if after.starts_with(b"GC concurrent") {
        Some(Collector::G1)
    } else if after.starts_with(b"Concurrent ") {
        Some(Collector::Shenandoah)
    } else {
        None
    }
}

fn nested_flags(after: &[u8], young_gen: &mut Option<&'static str>) -> u32 {
    let starts = |p: &[u8]| after.starts_with(p);
    let mut set_young = |name: &'static str| {
        if young_gen.is_none() {
            *young_gen = Some(name);
        }
        0
    };
    if starts(b"CMS Perm") {
        CMS_DETAIL
    } else if (starts(b"CMS") && !starts(b"CMS-")) || starts(b"ASCMS") {
        CMS_OLD
    } else if starts(b"Tenured") {
        TENURED_OLD
    } else if starts(b"1 CMS-initial-mark") {
        CMS_INITIAL_MARK
    } else if starts(b"1 CMS-remark") || starts(b"YG occupancy") || starts(b"Rescan") {
        CMS_REMARK
    } else if starts(b"ParNew") || starts(b"ASParNew") {
        set_young("ParNew")
    } else if starts(b"DefNew") {
        set_young("DefNew")
    } else if starts(b"PSYoungGen") || starts(b"ASPSYoungGen") {
        set_young("PSYoungGen")
    } else if starts(b"ParOldGen") || starts(b"PSOldGen") || starts(b"PSPermGen") || starts(b"ASParOldGen") {
        PARALLEL_OLD
    } else if starts(b"G1Ergonomics") {
        G1_DETAIL
    } else {
        0
    }
}

/// Index of the `]` closing the `[` at `open` on this line, or the line's length.
fn matching_close(b: &[u8], open: usize) -> usize {
    let mut depth = 0usize;
    for (i, &c) in b.iter().enumerate().skip(open) {
        match c {
            b'[' => depth += 1,
            b']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
    }
    b.len()
}

/// How many `[` of `b` (which starts at one) stay open at its end.
fn unclosed_depth(b: &[u8]) -> u32 {
    let mut depth = 0u32;
    for &c in b {
        match c {
            b'[' => depth = depth.saturating_add(1),
            b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    depth
}

const STOPPED: &[u8] = b"Total time for which application threads were stopped";

/// Where the safepoint text starts in a `-XX:+PrintGCApplicationStoppedTime` line: after
/// the stamps, or glued onto a stamp that lost its `: ` when two threads wrote at once
/// (`…+0000Total time for which…`). Not inside an event's brackets.
fn safepoint_text_at(b: &[u8], rest_at: usize) -> Option<usize> {
    let rest = &b[rest_at..];
    if rest.starts_with(STOPPED) {
        return Some(rest_at);
    }
    if !rest.first().is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let at = rest_at + memchr::memmem::find(rest, STOPPED)?;
    (!b[rest_at..at].contains(&b'[')).then_some(at)
}

/// `2012-07-26T14:58:58.320+0200Application time: …`: a stamp glued to the text.
fn application_time_glued(rest: &[u8]) -> bool {
    rest.first().is_some_and(u8::is_ascii_digit)
        && memchr::memmem::find(rest, b"Application time:").is_some_and(|at| !rest[..at].contains(&b'['))
}

/// The first line of a multi-line printout that is no event: a heap summary
/// (`Heap`, `{Heap before GC invocations=…`, `Heap after GC …`, `Shenandoah Heap`) or
/// Shenandoah's statistics at exit (`GC STATISTICS:`).
fn starts_summary(rest: &[u8]) -> bool {
    let text = &rest[..trim_end(rest)];
    text.starts_with(b"Heap")
        || text.starts_with(b"{Heap")
        || text.ends_with(b" Heap")
        || text.starts_with(b"GC STATISTICS")
}

/// A class-histogram row (`   1:  1234  5678  [C`): its `[C` is a class name, not a
/// bracket.
fn is_histogram_row(b: &[u8]) -> bool {
    let mut i = 0;
    while i < b.len() && b[i] == b' ' {
        i += 1;
    }
    let digits = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
    digits > 0 && b.get(i + digits) == Some(&b':') && b.get(i + digits + 1) == Some(&b' ')
}

/// Lines without brackets that GC logs print (tenuring, adaptive sizing, heap
/// summaries, free-list statistics).
fn known_text(rest: &[u8], line: &[u8]) -> bool {
    if line.iter().all(u8::is_ascii_whitespace) || matches!(line.first(), Some(b' ' | b'\t')) {
        return true;
    }
    const PREFIXES: [&[u8]; 22] = [
        b"Desired survivor",
        b"- age",
        b"AdaptiveSize",
        b"PSAdaptiveSize",
        b"GCAdaptiveSize",
        b"Heap",
        b"{Heap",
        b"}",
        b"Statistics for",
        b"Total Free Space",
        b"Max   Chunk Size",
        b"Number of Blocks",
        b"Av.  Block  Size",
        b"Tree      Height",
        b"Before GC",
        b"After GC",
        b"---",
        b"CMS: abort preclean",
        b"vmop",
        b"Class Histogram",
        b"num ",
        b"Total ",
    ];
    PREFIXES.iter().any(|p| rest.starts_with(p))
        || SHENANDOAH_INFO.iter().any(|p| rest.starts_with(p))
        || CMS_INITIATION.iter().any(|p| rest.starts_with(p))
        || SAFEPOINT_STATISTICS.iter().any(|p| rest.starts_with(p))
        || is_vm_operation_count(rest)
}

/// -XX:+PrintSafepointStatistics summary lines (its per-operation rows carry brackets
/// and are placed as details), and the GC locker's note of JDK 6–8.
const SAFEPOINT_STATISTICS: [&[u8]; 5] = [
    b"Polling page always armed",
    b"Maximum sync time",
    b"Maximum vm operation time",
    b"GC locker:",
    b"GCLocker",
];

/// A safepoint-statistics total: a VM operation's name and how often it ran
/// (`ParallelGCFailedAllocation         1`, `No vm operation     12`).
fn is_vm_operation_count(rest: &[u8]) -> bool {
    let text = &rest[..trim_end(rest)];
    let Some(last_space) = text.iter().rposition(|&c| c == b' ') else {
        return false;
    };
    let (name, count) = (&text[..last_space], &text[last_space + 1..]);
    let name = &name[..trim_end(name)];
    name.first().is_some_and(u8::is_ascii_uppercase)
        && name.iter().all(|&c| c.is_ascii_alphanumeric() || c == b' ')
        && !count.is_empty()
        && count.iter().all(u8::is_ascii_digit)
        && text[name.len()..last_space].len() >= 2
}

/// Lines Shenandoah's JDK 8 port prints without stamps or brackets: its settings at start,
/// what triggered a cycle, free-set and pacer figures, uncommits.
const SHENANDOAH_INFO: [&[u8]; 27] = [
    b"Shenandoah",
    b"Initialize Shenandoah heap",
    b"Regions:",
    b"Region size",
    b"Heap region size",
    b"Number of regions",
    b"Initial number of regions",
    b"Maximum number of regions",
    b"Humongous object threshold",
    b"Humongous threshold",
    b"Max TLAB size",
    b"GC threads:",
    b"Parallel GC threads",
    b"Concurrent GC threads",
    b"Reference processing:",
    b"Parallel reference processing",
    b"Heuristics ergonomically sets",
    b"Pacer for",
    b"Trigger:",
    b"Free:",
    b"Evacuation Reserve:",
    b"Capacity:",
    b"Uncommitted",
    b"Periodic GC triggered",
    b"Concurrent marking triggered",
    b"Adjusting free threshold",
    b"Predicted cset threshold",
];

/// -XX:+PrintCMSInitiationStatistics: why CMS did or did not start a cycle, one figure
/// per line (`free=65178472`, `promotion_rate=8.02999e+008`, …).
const CMS_INITIATION: [&[u8]; 13] = [
    b"CMSCollector shouldConcurrentCollect",
    b"time_until_cms_gen_full",
    b"free=",
    b"contiguous_available=",
    b"promotion_rate=",
    b"cms_allocation_rate=",
    b"occupancy=",
    b"initiatingOccupancy=",
    b"initiatingPermOccupancy=",
    b"cms_time_since_begin=",
    b"cms_time_since_end=",
    b"cms_consumption_rate=",
    b"metadata initialized",
];

/// What an event's own text makes of it.
#[derive(Debug)]
struct Classified<'a> {
    kind: PauseType,
    phase: Cow<'a, str>,
    cause: Option<Cow<'a, str>>,
    hints: [Option<(Collector, &'static str)>; 3],
    warnings: [Option<WarningKind>; 4],
}

fn group_at(s: &str) -> Option<(&str, usize)> {
    let b = s.as_bytes();
    if b.first() != Some(&b'(') {
        return None;
    }
    let mut depth = 0usize;
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return Some((s.get(1..i)?, i + 1));
                }
            }
            _ => {}
        }
    }
    None
}

fn normal_cause(cause: &str) -> Cow<'_, str> {
    // JDK 6 printed `(System)` for what later JDKs call `(System.gc())`.
    if cause == "System" {
        Cow::Borrowed("System.gc()")
    } else {
        Cow::Borrowed(cause)
    }
}

fn classify<'a>(own: &'a str, duration_at: usize, flags: u32, young_gen: Option<&'static str>) -> Classified<'a> {
    let mut out = Classified {
        kind: PauseType::Young,
        phase: Cow::Borrowed("GC (young)"),
        cause: None,
        hints: [None; 3],
        warnings: [None; 4],
    };
    let warn = |w: WarningKind, out: &mut Classified| {
        if let Some(slot) = out.warnings.iter_mut().find(|s| s.is_none()) {
            *slot = Some(w);
        }
    };
    if flags & PROMOTION_FAILED != 0 {
        warn(WarningKind::PromotionFailed, &mut out);
    }
    if flags & CONCURRENT_MODE_FAILURE != 0 {
        warn(WarningKind::ConcurrentModeFailure, &mut out);
    }
    if flags & CONCURRENT_MODE_INTERRUPTED != 0 {
        warn(WarningKind::ConcurrentModeInterrupted, &mut out);
    }
    let s = own.trim_start();
    if s.starts_with("Pause ") {
        // Shenandoah's JDK 8 port: `[Pause Init Mark (unload classes), 0.563 ms]`.
        let head = own.get(..duration_at).unwrap_or("");
        let head = head.trim_end().trim_end_matches(',').trim_end();
        let head = match head.rfind(' ') {
            Some(at) if head[at..].contains("->") => head[..at].trim_end(),
            _ => head,
        };
        let label = split_label(head.trim_start());
        out.kind = if label.base == "Pause Full" {
            PauseType::Full
        } else {
            PauseType::Other
        };
        if label.base.starts_with("Pause Degenerated") {
            warn(WarningKind::Degenerated, &mut out);
        }
        let mut phase = label.base.to_string();
        for m in label.modifiers() {
            phase.push_str(" (");
            phase.push_str(m);
            phase.push(')');
        }
        out.phase = Cow::Owned(phase);
        out.cause = label.cause().map(Cow::Borrowed);
        out.hints[0] = Some((Collector::Shenandoah, "[Pause …] events"));
        return out;
    }
    if s.starts_with("Inc GC") {
        // Young collection plus an increment of the old generation (train); GCViewer
        // counts it with the young pauses too.
        out.kind = PauseType::Young;
        out.phase = Cow::Borrowed("Inc GC");
        return out;
    }
    let (full, rest) = match s.strip_prefix("Full GC") {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix("GC").unwrap_or(s)),
    };
    let dashes = rest.starts_with("--");
    let rest = rest.trim_start_matches('-').trim_start();
    if full {
        out.kind = PauseType::Full;
        out.phase = Cow::Borrowed("Full GC");
        out.cause = group_at(rest).map(|(g, _)| normal_cause(g));
    } else if let Some(after) = rest.strip_prefix("pause") {
        // G1: `GC pause (G1 Evacuation Pause) (young) (initial-mark)`, JDK 6 `(partial)`.
        let mut tail = after.trim_start();
        let mut young = "young";
        let mut initial_mark = false;
        let mut g1_dashes = dashes;
        while let Some((group, used)) = group_at(tail) {
            match group {
                "young" => young = "young",
                "mixed" => young = "mixed",
                "partial" => young = "partial",
                "initial-mark" => initial_mark = true,
                g if g.starts_with("to-space") => {}
                g => {
                    if out.cause.is_none() {
                        out.cause = Some(normal_cause(g));
                    }
                }
            }
            tail = tail.get(used..).unwrap_or("");
            if tail.starts_with("--") {
                g1_dashes = true;
            }
            tail = tail.trim_start_matches('-').trim_start();
        }
        out.kind = if young == "young" {
            PauseType::Young
        } else {
            PauseType::Mixed
        };
        out.phase = Cow::Borrowed(match (young, initial_mark) {
            ("young", false) => "GC pause (young)",
            ("young", true) => "GC pause (young) (initial-mark)",
            ("mixed", false) => "GC pause (mixed)",
            ("mixed", true) => "GC pause (mixed) (initial-mark)",
            (_, false) => "GC pause (partial)",
            (_, true) => "GC pause (partial) (initial-mark)",
        });
        if g1_dashes || flags & TO_SPACE != 0 {
            warn(WarningKind::EvacuationFailure, &mut out);
        }
        out.hints[0] = Some((Collector::G1, "[GC pause …] events"));
        return out;
    } else if rest.starts_with("remark") || rest.starts_with("cleanup") {
        out.kind = PauseType::Other;
        out.phase = Cow::Borrowed(if rest.starts_with("remark") {
            "GC remark"
        } else {
            "GC cleanup"
        });
        out.hints[0] = Some((Collector::G1, "[GC remark]/[GC cleanup] events"));
        return out;
    } else {
        let group = group_at(rest);
        out.cause = group.map(|(g, _)| normal_cause(g));
        // JDK 7/8 Parallel marks a failed promotion after the cause:
        // `[GC (Allocation Failure) --[PSYoungGen: …`.
        let after_cause = group.map_or("", |(_, used)| rest.get(used..).unwrap_or("").trim_start());
        let own_level = own.get(..duration_at).unwrap_or("");
        // With -XX:+PrintReferenceGC the mark follows the reference brackets:
        // `[GC… [JNI Weak Reference, 0.0000050 secs]-- [PSYoungGen: …`.
        let dashes = dashes || after_cause.starts_with("--") || has_promotion_mark(own_level);
        let cause = out.cause.as_deref();
        if cause == Some("CMS Initial Mark") || flags & CMS_INITIAL_MARK != 0 {
            out.kind = PauseType::Other;
            out.phase = Cow::Borrowed("CMS initial mark");
        } else if cause == Some("CMS Final Remark") || flags & CMS_REMARK != 0 {
            out.kind = PauseType::Other;
            out.phase = Cow::Borrowed("CMS remark");
        } else if flags & (CMS_OLD | TENURED_OLD | PROMOTION_FAILED | CONCURRENT_MODE_FAILURE) != 0 {
            out.kind = PauseType::Full;
            out.phase = Cow::Borrowed("GC (old generation collected too)");
        } else if !own_level.contains("->") && (own_level.contains("K(") || own_level.contains("M(")) {
            // `-verbose:gc` CMS prints its initial mark and remark as `[GC 44429K(83008K), t secs]`.
            out.kind = PauseType::Other;
            out.phase = Cow::Borrowed("CMS initial mark or remark");
            out.hints[1] = Some((Collector::Cms, "[GC N(N)] events (CMS initial mark/remark)"));
        } else {
            out.kind = PauseType::Young;
            out.phase = Cow::Borrowed(young_gen.unwrap_or("GC (young)"));
        }
        if dashes && flags & PROMOTION_FAILED == 0 {
            warn(WarningKind::PromotionFailed, &mut out);
        }
    }
    if out.cause.as_deref().is_some_and(|c| c.starts_with("G1 ")) {
        out.hints[0] = Some((Collector::G1, "G1 causes"));
    }
    match young_gen {
        Some("ParNew") => out.hints[1] = Some((Collector::Cms, "ParNew")),
        Some("DefNew") => out.hints[1] = Some((Collector::Serial, "DefNew")),
        Some("PSYoungGen") => out.hints[1] = Some((Collector::Parallel, "PSYoungGen")),
        _ => {}
    }
    if flags & (CMS_OLD | CMS_INITIAL_MARK | CMS_REMARK | CONCURRENT_MODE_FAILURE | CMS_DETAIL) != 0 {
        out.hints[2] = Some((Collector::Cms, "CMS generation"));
    } else if flags & TENURED_OLD != 0 {
        out.hints[2] = Some((Collector::Serial, "Tenured"));
    } else if flags & PARALLEL_OLD != 0 {
        out.hints[2] = Some((Collector::Parallel, "ParOldGen/PSOldGen"));
    } else if flags & G1_DETAIL != 0 {
        out.hints[2] = Some((Collector::G1, "G1Ergonomics"));
    }
    out
}

/// A lone `--` (not part of a longer run of dashes such as the rulers of
/// -XX:PrintFLSStatistics) followed by a space or the end: Parallel's and Serial's mark
/// of a failed promotion.
fn has_promotion_mark(own: &str) -> bool {
    let b = own.as_bytes();
    let mut from = 0;
    while let Some(pos) = memchr::memmem::find(&b[from..], b"--") {
        let at = from + pos;
        let before_ok = at == 0 || b[at - 1] != b'-';
        let after_ok = matches!(b.get(at + 2), None | Some(b' '));
        if before_ok && after_ok {
            return true;
        }
        from = at + 2;
        while b.get(from) == Some(&b'-') {
            from += 1;
        }
    }
    false
}

fn floor_boundary(s: &str, mut at: usize) -> usize {
    at = at.min(s.len());
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn ceil_boundary(s: &str, mut at: usize) -> usize {
    at = at.min(s.len());
    while !s.is_char_boundary(at) {
        at += 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use crate::gc::tests::run;

    #[test]
    fn cms_young_full_initial_mark_and_remark() {
        let log = run("\
1.0: [GC 1.0: [ParNew: 3967K->0K(4032K), 0.0279814 secs] 3967K->3032K(16320K), 0.0282705 secs]
1.1: [GC [1 CMS-initial-mark: 8756K(12288K)] 8758K(16320K), 0.0004943 secs]
1.2: [CMS-concurrent-mark-start]
1.3: [CMS-concurrent-mark: 0.042/0.042 secs]
1.4: [GC[YG occupancy: 369 K (4032 K)]1.4: [Rescan (non-parallel) 1.4: [grey object rescan, 0.0007172 secs], 0.0025857 secs] [1 CMS-remark: 8756K(12288K)] 9126K(16320K), 0.0027918 secs]
2.0: [GC 2.0: [ParNew: 3967K->3967K(4032K), 0.0000337 secs]2.0: [CMS: 58537K->59316K(61440K), 0.4658001 secs] 62505K->59316K(65472K), 0.4660916 secs]
3.0: [Full GC 3.0: [CMS: 61439K->61439K(61440K), 0.7911532 secs] 65467K->64646K(65472K), [CMS Perm : 1500K->1500K(8192K)], 0.7914922 secs]
");
        assert_eq!(log.pauses_by_type.young, 1);
        assert_eq!(log.pauses_by_type.full, 2);
        assert_eq!(log.pauses_by_type.other, 2);
        assert_eq!(log.max_pause_s, 0.7914922);
        assert_eq!(log.collector.as_deref(), Some("CMS"));
        assert_eq!(log.concurrent_phases, 1);
    }

    #[test]
    fn a_concurrent_fragment_inside_a_pause_is_cut_out() {
        // The sweep finished while the concurrent mode failure collection ran.
        let log = run("\
796.991: [GC (Allocation Failure) 796.992: [ParNew: 1922432K->1922432K(1922432K), 0.0000267 secs]796.992: [CMS797.832: [CMS-concurrent-sweep: 1.180/1.376 secs] [Times: user=3.42 sys=0.14, real=1.38 secs]
 (concurrent mode failure): 2034154K->1051300K(2097152K), 4.6146919 secs] 3956586K->1051300K(4019584K), [Metaspace: 296232K->296083K(1325056K)], 4.6165192 secs] [Times: user=4.60 sys=0.05, real=4.62 secs]
");
        assert_eq!(log.pauses, 1);
        assert_eq!(log.pauses_by_type.full, 1);
        assert_eq!(log.total_pause_s, 4.6165192);
        assert!(log.warnings.iter().any(|w| w.kind == "concurrent mode failure"));
        let heap = log.full_gc_heap.unwrap();
        assert_eq!(heap.last_after_bytes, 1051300 * 1024);
    }

    #[test]
    fn g1_pause_whose_duration_follows_a_concurrent_line() {
        let log = run("\
0.388: [GC pause (young) (initial-mark) 10080K->10080K(16M)0.390: [GC concurrent-mark-start]
, 0.0013065 secs]
0.758: [GC pause (partial) 18M->15M(224M), 0.0038194 secs]
15.925: [GC pause (young)-- 254M->255M(256M), 0.0023087 secs]
15.928: [Full GC 255M->32M(109M), 0.0585270 secs]
15.987: [GC concurrent-mark-abort]
0.406: [GC remark, 0.0006116 secs]
0.414: [GC cleanup 17M->17M(31M), 0.0003415 secs]
");
        assert_eq!(log.pauses_by_type.young, 2);
        assert_eq!(log.pauses_by_type.mixed, 1);
        assert_eq!(log.pauses_by_type.full, 1);
        assert_eq!(log.pauses_by_type.other, 2);
        assert_eq!(log.pause_s_by_type.young, 0.0036152);
        assert_eq!(log.collector.as_deref(), Some("G1"));
        let kinds: Vec<&str> = log.warnings.iter().map(|w| w.kind.as_str()).collect();
        assert!(kinds.contains(&"evacuation failure"));
        assert!(kinds.contains(&"concurrent mark aborted"));
        assert!(kinds.contains(&"full GC of a concurrent collector"));
    }

    #[test]
    fn parallel_adaptive_size_policy_and_tenuring_lines_inside_events() {
        let log = run("\
0.162: [GCAdaptiveSizePolicy::compute_survivor_space_size_and_thresh:  survived: 901552  promoted: 4462720  overflow: trueAdaptiveSizeStart: 0.166 collection: 1 
AdaptiveSizePolicy::compute_generation_free_space:  minor_time: 0.028492 major_cost: 0.000000
AdaptiveSizeStop: collection: 1 
 [PSYoungGen: 5437K->880K(6336K)] 5437K->5238K(64640K), 0.0045523 secs]
0.222: [Full GCAdaptiveSizeStart: 0.280 collection: 6 
AdaptiveSizeStop: collection: 6 
 [PSYoungGen: 888K->0K(22656K)] [ParOldGen: 53181K->54030K(149760K)] 54070K->54030K(172416K) [PSPermGen: 1498K->1497K(16384K)], 0.0583435 secs]
6.561: [GC (Allocation Failure) 
Desired survivor size 11010048 bytes, new threshold 7 (max 15)
 [PSYoungGen: 66048K->9121K(76800K)] 66048K->18961K(251392K), 0.0061960 secs] [Times: user=0.03 sys=0.01, real=0.00 secs] 
30.081: [Full GC (Ergonomics) [PSYoungGen: 3072K->0K(696320K)] [ParOldGen: 173072K->123732K(226816K)] 176144K->123732K(923136K) [PSPermGen: 13398K->13392K(27136K)], 0.4959220 secs] [Times: user=3.03 sys=0.03, real=0.49 secs] 
Heap
 PSYoungGen      total 1180160K, used 698671K [0x0000000780000000, 0x00000007c8080000, 0x00000007d5500000)
  object space 36864K, 57% used [0x000000077ae00000,0x000000077c2aef88,0x000000077d200000)
");
        assert_eq!(log.pauses_by_type.young, 2);
        assert_eq!(log.pauses_by_type.full, 2);
        assert_eq!(log.total_pause_s, 0.5650138);
        assert_eq!(log.collector.as_deref(), Some("Parallel"));
        assert!(log.by_cause.iter().any(|c| c.name == "Ergonomics" && c.pauses == 1));
    }

    #[test]
    fn plain_verbose_cms_marks_and_serial_full_inside_gc() {
        let log = run("\
63.357: [GC 17024K->2623K(83008K), 0.0185494 secs]
66.947: [Full GC 16637K->10423K(83008K), 0.0876685 secs]
209.453: [GC 44429K(83008K), 0.0053285 secs]
1.0: [GC [DefNew: 3967K->0K(4032K), 0.0279814 secs][Tenured: 8K->9K(12K), 0.01 secs] 3967K->3032K(16320K), 0.0382705 secs]
");
        assert_eq!(log.pauses_by_type.young, 1);
        assert_eq!(log.pauses_by_type.other, 1);
        assert_eq!(log.pauses_by_type.full, 2);
    }

    #[test]
    fn a_cut_event_is_skipped_and_the_next_one_counts() {
        let log = run("\
1.0: [GC 1.0: [ParNew: 3967K->0K(4032K), 0.0279814 secs]
2.0: [GC 2.0: [ParNew: 3967K->0K(4032K), 0.0200000 secs] 3967K->3032K(16320K), 0.0210000 secs]
");
        assert_eq!(log.pauses, 1);
        assert_eq!(log.total_pause_s, 0.021);
    }

    #[test]
    fn safepoint_lines_and_date_stamps() {
        let log = run("\
2020-01-01T12:00:00.000+0000: 10.000: [GC (Allocation Failure) [PSYoungGen: 1K->0K(2K)] 1K->0K(4K), 0.5000000 secs]
2020-01-01T12:00:00.600+0000: 10.600: Total time for which application threads were stopped: 0.5012345 seconds, Stopping threads took: 0.0000271 seconds
2020-01-01T12:00:09.000+0000: 19.000: [GC (System.gc()) [PSYoungGen: 1K->0K(2K)] 1K->0K(4K), 0.5000000 secs]
");
        assert_eq!(log.pauses, 2);
        let th = log.throughput.unwrap();
        assert_eq!(th.runtime_s, 9.5);
        assert_eq!(log.safepoints.unwrap().stops, 1);
        assert_eq!(log.span.first_date.as_deref(), Some("2020-01-01T12:00:00.000+0000"));
        assert!(log.warnings.iter().any(|w| w.kind == "explicit System.gc()"));
    }

    #[test]
    fn date_stamps_alone_give_the_runtime() {
        let log = run("\
2020-01-01T12:00:00.000+0000: [GC 1K->0K(4K), 0.5000000 secs]
2020-01-01T12:00:10.000+0000: [GC 1K->0K(4K), 1.0000000 secs]
");
        assert_eq!(log.throughput.unwrap().runtime_s, 11.0);
    }

    #[test]
    fn shenandoah_jdk8_events_in_milliseconds() {
        let log = run("\
2019-07-23T12:00:00.000+0000: 5.123: [Pause Init Mark (process weakrefs), 0.563 ms]
2019-07-23T12:00:00.000+0000: 5.124: [Concurrent marking (process weakrefs) 1234M->1240M(2048M), 12.345 ms]
2019-07-23T12:00:00.000+0000: 5.137: [Pause Final Mark (process weakrefs) 1240M->1240M(2048M), 1.234 ms]
2019-07-23T12:00:00.000+0000: 6.000: [Pause Degenerated GC (Mark) 2000M->1000M(2048M), 123.456 ms]
2019-07-23T12:00:00.000+0000: 7.000: [Pause Full 2000M->500M(2048M), 1234.567 ms]
");
        assert_eq!(log.pauses_by_type.other, 3);
        assert_eq!(log.pauses_by_type.full, 1);
        assert_eq!(log.max_pause_s, 1.234567);
        assert_eq!(log.collector.as_deref(), Some("Shenandoah"));
        assert!(log.warnings.iter().any(|w| w.kind == "degenerated GC"));
    }

    #[test]
    fn g1_details_lines_after_the_event_are_not_events() {
        let log = run("\
2014-07-24T13:47:27.000+0000: 0.123: [GC pause (G1 Evacuation Pause) (young) (to-space exhausted), 0.0123456 secs]
   [Parallel Time: 10.5 ms, GC Workers: 4]
      [GC Worker Start (ms): Min: 123.4, Avg: 123.5, Max: 123.6, Diff: 0.2]
      [GC Worker End (ms): Min: 133.4, Avg: 133.5, Max: 133.6, Diff: 0.2]
   [Eden: 24.0M(24.0M)->0.0B(13.0M) Survivors: 0.0B->3072.0K Heap: 24.0M(256.0M)->21.6M(256.0M)]
 [Times: user=0.03 sys=0.01, real=0.01 secs]
2014-07-24T13:47:28.000+0000: 1.123: [GC pause (G1 Evacuation Pause) (mixed), 0.0200000 secs]
2014-07-24T13:47:29.000+0000: 2.123: [GC remark 2.123: [Finalize Marking, 0.0001 secs] 2.123: [GC ref-proc, 0.0002 secs] 2.124: [Unloading, 0.003 secs], 0.0045000 secs]
");
        assert_eq!(log.pauses, 3);
        assert_eq!(log.pauses_by_type.young, 1);
        assert_eq!(log.pauses_by_type.mixed, 1);
        assert_eq!(log.pauses_by_type.other, 1);
        assert!(log
            .by_cause
            .iter()
            .any(|c| c.name == "G1 Evacuation Pause" && c.pauses == 2));
    }

    #[test]
    fn a_class_histogram_inside_a_full_gc_does_not_unbalance_brackets() {
        let log = run("\
1.0: [Full GC (Heap Inspection Initiated GC) 1.0: [Class Histogram (before full gc): 
 num     #instances         #bytes  class name
----------------------------------------------
   1:         12345         678901  [C
   2:           123           4567  [Ljava.lang.Object;
Total         12468         683468
, 0.0100000 secs]
1.5: [CMS: 10K->5K(20K), 0.2000000 secs] 30K->5K(40K), [CMS Perm : 1K->1K(2K)], 0.2100000 secs]
2.0: [GC 2.0: [ParNew: 3967K->0K(4032K), 0.0200000 secs] 3967K->3032K(16320K), 0.0210000 secs]
");
        assert_eq!(log.pauses_by_type.full, 1);
        assert_eq!(log.pauses_by_type.young, 1);
    }

    #[test]
    fn header_lines_give_version_flags_and_rotation() {
        let log = run("\
2016-05-25 12:30:05 GC log file created /tmp/gc.log.1
OpenJDK 64-Bit Server VM (25.212-b469) for linux-amd64 JRE (1.8.0_212-b469), built on Jun 16 2019 15:54:49 by \"admin\" with gcc 4.8.2
Memory: 4k page, physical 8388608k(5632076k free), swap 0k(0k free)
CommandLine flags: -XX:InitialHeapSize=134217728 -XX:MaxHeapSize=2147483648 -XX:+PrintGC -XX:+UseConcMarkSweepGC -XX:+UseParNewGC
1.0: [GC 1.0: [ParNew: 3967K->0K(4032K), 0.0279814 secs] 3967K->3032K(16320K), 0.0282705 secs]
this line is application output
");
        assert_eq!(log.jvm.version.as_deref(), Some("1.8.0_212-b469"));
        let warned = run("\
OpenJDK 64-Bit Server VM warning: Ignoring option MaxPermSize; support was removed in 8.0
OpenJDK 64-Bit Server VM (25.212-b469) for linux-amd64 JRE (1.8.0_212-b469), built on Jun 16 2019 15:54:49 by \"admin\" with gcc 4.8.2
");
        assert_eq!(warned.jvm.vm.as_deref(), Some("OpenJDK 64-Bit Server VM (25.212-b469)"));
        assert_eq!(log.jvm.vm.as_deref(), Some("OpenJDK 64-Bit Server VM (25.212-b469)"));
        assert!(log
            .jvm
            .settings
            .iter()
            .any(|s| s.name == "MaxHeapSize" && s.value == "2147483648"));
        assert_eq!(log.collector.as_deref(), Some("CMS"));
        assert!(log.collector_evidence.unwrap().contains("UseConcMarkSweepGC"));
        assert_eq!(log.notes.len(), 1);
        let only_headers = run("\
2016-04-14 22:37:22 GC log file created logs/gc.log.1
CommandLine flags: -XX:MaxHeapSize=838860800 -XX:+UseConcMarkSweepGC
2016-04-14 22:41:41 GC log file has reached the maximum size. Saved as logs/gc.log.1
");
        assert_eq!(only_headers.format.as_deref(), Some("pre-unified"));
        assert_eq!((only_headers.pauses, only_headers.max_pause_s), (0, 0.0));
        assert_eq!(only_headers.notes.len(), 2);
    }

    #[test]
    fn parallel_promotion_failure_marks_after_the_cause() {
        let log = run("\
[GC (Allocation Failure) --[PSYoungGen: 9208K->9208K(9216K)] 12735K->19445K(19456K), 0.0117774 secs] [Times: user=0.02 sys=0.00, real=0.01 secs] 
[B@4554617c
[Full GC (Ergonomics) [PSYoungGen: 9208K->0K(9216K)] [ParOldGen: 10237K->10211K(10240K)] 19445K->10211K(19456K), [Metaspace: 3061K->3061K(1056768K)], 0.0033904 secs]
");
        assert_eq!((log.pauses_by_type.young, log.pauses_by_type.full), (1, 1));
        assert_eq!(log.warnings[0].kind, "promotion failed");
        assert_eq!(log.collector.as_deref(), Some("Parallel"));
    }

    #[test]
    fn shenandoah_jdk8_start_announcements_and_gc_ids() {
        let (log, skipped) = crate::gc::tests::run_with(
            "\
0.234: [Pause Init Mark (process weakrefs), start]
    Using 2 of 2 workers for init marking
0.236: [Pause Init Mark (process weakrefs), 1.983 ms]
2017-11-14T14:38:15.525-0500: 463.254: #0: [Pause Init Mark, 7.438 ms]
2017-11-14T14:38:15.532-0500: 463.261: #0: [Concurrent marking 12G->13G(18G), 42.990 ms]
2017-11-14T14:38:15.576-0500: 463.305: #0: [Pause Final Mark 13G->9784M(18G), 2.288 ms]
",
            5,
        );
        assert_eq!(log.pauses, 3);
        assert!(skipped.is_empty(), "{skipped:?}");
        assert_eq!(log.longest_pauses[0].uptime_s, Some(463.254));
        assert_eq!(log.concurrent_phases, 1);
    }

    #[test]
    fn an_event_name_glued_to_the_next_output_still_opens_the_event() {
        // -XX:PrintFLSStatistics prints `Before GC:` right after `[GC`; JDK 6 printed the
        // tenuring line there too.
        let (log, skipped) = crate::gc::tests::run_with(
            "\
2014-10-20T21:48:57.565+0200: 0.199: [GCBefore GC:
Statistics for BinaryTreeDictionary:
------------------------------------
Total Free Space: 2801664
 free=2801664 frag=0.0000
2014-10-20T21:48:57.566+0200: 0.199: [ParNew: 4389K->509K(4928K), 0.0051086 secs] 4389K->4001K(15872K)After GC:
Statistics for IndexedFreeLists:
--------------------------------
, 0.0054252 secs] [Times: user=0.02 sys=0.05, real=0.01 secs]
3.141: [GCDesired survivor size 134217728 bytes, new threshold 7 (max 2) [PSYoungGen: 188744K->13345K(917504K)] 188744K->13345K(4063232K), 0.0285820 secs]
",
            5,
        );
        assert_eq!(log.pauses_by_type.young, 2);
        assert_eq!(log.total_pause_s, 0.0340072);
        assert!(skipped.is_empty(), "{skipped:?}");
        // The statistics' dash rulers are no promotion-failure mark.
        assert!(log.warnings.is_empty(), "{:?}", log.warnings);
    }

    #[test]
    fn jdk14_incremental_collections_are_pauses() {
        let log = run("\
3.0: [Full GC 10753K->6046K(10912K), 0.3146707 secs]
4.0: [Inc GC 10753K->6046K(10912K), 0.3146707 secs]
");
        assert_eq!((log.pauses_by_type.full, log.pauses_by_type.young), (1, 1));
        assert!(log.by_phase.iter().any(|p| p.name == "Inc GC"));
    }

    #[test]
    fn a_detail_bracket_continued_on_the_next_line_is_no_orphan() {
        // JDK 7 G1 printed per-worker values with their summary on a second line.
        let (log, skipped) = crate::gc::tests::run_with(
            "\
371.576: [GC pause (young) (initial-mark), 0.28031200 secs]
      [GC Worker Start Time (ms):  371577.0  371577.0
       Avg: 371581.4, Min: 371577.0, Max: 371584.4, Diff:   7.5]
         [Processed Buffers : 136 115
          Sum: 1368, Avg: 91, Min: 67, Max: 136, Diff: 69]
   [Eden: 960M(960M)->0B(896M) Survivors: 64M->128M Heap: 20701M(25936M)->20017M(25936M)]
   [Parallel Time: 268.0 ms
 372.000: [GC pause (young), 0.0100000 secs]
",
            5,
        );
        // A bracket cut off before an (indented) event does not swallow the event.
        assert_eq!(log.pauses, 2);
        assert!(skipped.is_empty(), "{skipped:?}");
    }

    #[test]
    fn safepoint_text_glued_to_a_stamp_is_still_a_safepoint_line() {
        // Two threads writing at once: the second date stamp lost its `: `.
        let (log, skipped) = crate::gc::tests::run_with(
            "\
2023-07-25T13:18:04.900+0000: 985162.343: 2023-07-25T13:18:04.900+0000Total time for which application threads were stopped: 0.1701451 seconds, Stopping threads took: 0.0000861 seconds
: 985162.343: [GC concurrent-root-region-scan-start]
2012-07-26T14:58:58.320+0200Application time: 0.0000221 seconds
",
            5,
        );
        assert!(skipped.is_empty(), "{skipped:?}");
        assert_eq!(log.safepoints.unwrap().total_stopped_s, 0.1701451);
    }

    #[test]
    fn statistics_and_summaries_of_cms_and_shenandoah_are_placed() {
        let (log, skipped) = crate::gc::tests::run_with(
            "\
Shenandoah heuristics: adaptive
Initialize Shenandoah heap: 32768K initial, 8192K min, 128M max
Trigger: Learning 1 of 5. Free (87M) is below initial threshold (89M)
Free: 87M (44 regions), Max regular: 2048K, Max humongous: 88064K, External frag: 2%, Internal frag: 0%
Evacuation Reserve: 8M (4 regions), Max regular: 2048K
Pacer for Idle. Initial: 2M, Alloc Tax Rate: 1.0x
0.236: [Pause Init Mark (process weakrefs), 1.983 ms]
Capacity: 262144M, Peak Occupancy: 188928M, Lowest Free: 73215M, Free Threshold: 7864M
Uncommitted 87M. Heap: 2048M reserved, 1961M committed, 992M used
Cancelling concurrent GC: Allocation Failure
CMSCollector shouldConcurrentCollect: 0.691
time_until_cms_gen_full 0.0483719
free=65178472
promotion_rate=8.02999e+008
initiatingOccupancy=0.9200000
Heap
Shenandoah Heap
 268435456K total, 261685248K committed, 226747245K used
Status: idle cancelled
Reserved region:
 - [0x00007f4ba8000000, 0x00007f8ba8000000)

GC STATISTICS:
Total Pauses (G)            =    60.47 s (a =     7786 us) (n =  7766) (lvls, us =      689,     4746,     7109,     9609,    85448)
Pause Init Mark (G)         =    14.90 s (a =     7662 us) (n =  1945) (lvls, us =     3691,     6641,     7109,     7812,    37445)
Concurrent Marking          =  8083.29 s (a =  4155932 us) (n =  1945) (lvls, us =  3183594,  4121094,  4140625,  4179688,  4427827)
0 allocation failure and 0 user requested GCs
ALLOCATION TRACING
",
            5,
        );
        assert!(skipped.is_empty(), "{skipped:?}");
        assert_eq!(log.pauses, 1);
        assert_eq!(log.collector.as_deref(), Some("Shenandoah"));
        assert!(log.warnings.iter().any(|w| w.kind == "cancelled concurrent cycle"));
    }

    #[test]
    fn a_promotion_failure_mark_after_reference_processing_is_seen() {
        let log = run("\
1837.498: [GC1837.600: [SoftReference, 0 refs, 0.0000060 secs]1837.600: [JNI Weak Reference, 0.0000050 secs]-- [PSYoungGen: 1330796K->1330796K(1403264K)] 4172533K->4251241K(4323712K), 0.6580190 secs]
");
        assert_eq!(log.pauses_by_type.young, 1);
        assert!(log.warnings.iter().any(|w| w.kind == "promotion failed"));
    }

    #[test]
    fn gc_locker_and_safepoint_statistics_lines_are_known() {
        let (log, skipped) = crate::gc::tests::run_with(
            "\
GC locker: Trying a full collection because scavenge failed
         vmop                    [threads: total initially_running wait_to_block]    [time: spin block sync cleanup vmop] page_trap_count
0.181: ParallelGCFailedAllocation       [       8          0              0    ]      [     0     0     0     0     2    ]  0   
Polling page always armed
ParallelGCFailedAllocation         1
No vm operation                    3
    0 VM operations coalesced during safepoint
Maximum sync time      0 ms
Maximum vm operation time (except for Exit VM operation)      2 ms
1.0: [GC (Allocation Failure) [PSYoungGen: 1K->0K(2K)] 1K->0K(4K), 0.0100000 secs]
",
            5,
        );
        assert!(skipped.is_empty(), "{skipped:?}");
        assert_eq!(log.pauses, 1);
    }

    #[test]
    fn jdk8_cms_young_collection_split_by_a_concurrent_phase_with_tenuring_lines() {
        // The CMS thread logged its phase between `[ParNew` and the rest of the line;
        // -XX:+PrintTenuringDistribution puts its lines inside the ParNew bracket.
        let log = run("\
2019-05-01T12:00:02.500+0000: 2.500: [GC (Allocation Failure) 2019-05-01T12:00:02.500+0000: 2.500: [ParNew2019-05-01T12:00:02.505+0000: 2.505: [CMS-concurrent-abortable-preclean: 0.100/0.454 secs] [Times: user=0.30 sys=0.01, real=0.45 secs] 
Desired survivor size 1114112 bytes, new threshold 1 (max 6)
- age   1:    1500000 bytes,    1500000 total
: 19648K->2000K(19648K), 0.0200000 secs] 49000K->33000K(63360K), 0.0210000 secs] [Times: user=0.05 sys=0.00, real=0.02 secs] 
2019-05-01T12:00:11.000+0000: 11.000: [GC (Allocation Failure) 2019-05-01T12:00:11.000+0000: 11.000: [ParNew (promotion failed): 19648K->19648K(19648K), 0.0500000 secs]2019-05-01T12:00:11.050+0000: 11.050: [CMS: 40000K->36000K(43712K), 0.3000000 secs] 59000K->36000K(63360K), [Metaspace: 3000K->3000K(1056768K)], 0.3501000 secs] [Times: user=0.40 sys=0.00, real=0.35 secs] 
");
        assert_eq!((log.pauses_by_type.young, log.pauses_by_type.full), (1, 1));
        assert_eq!(log.total_pause_s, 0.3711);
        assert_eq!(log.concurrent_phases, 1);
    }

    #[test]
    fn a_young_collection_whose_generation_part_starts_a_new_line() {
        // JDK 8 with date stamps: another thread wrote between `[GC (Allocation Failure) `
        // and the ParNew part, which then begins a line of its own with fresh stamps.
        let (log, skipped) = crate::gc::tests::run_with(
            "\
2018-01-01T00:00:00.000+0000: 100.000: [GC (Allocation Failure) 
2018-01-01T00:00:00.000+0000: 100.000: [ParNew: 100000K->10000K(110000K), 0.0200000 secs] 300000K->215000K(1000000K), 0.0210000 secs] [Times: user=0.05 sys=0.00, real=0.02 secs] 
2018-01-01T00:00:01.000+0000: 101.000: [GC (Allocation Failure) 2018-01-01T00:00:01.001+0000: 101.001: [CMS-concurrent-abortable-preclean: 0.100/0.200 secs] [Times: user=0.30 sys=0.01, real=0.20 secs] 
2018-01-01T00:00:01.000+0000: 101.000: [ParNew: 100000K->10000K(110000K), 0.0300000 secs] 300000K->215000K(1000000K), 0.0310000 secs] [Times: user=0.05 sys=0.00, real=0.03 secs] 
",
            5,
        );
        assert!(skipped.is_empty(), "{skipped:?}");
        assert_eq!((log.pauses_by_type.young, log.total_pause_s), (2, 0.052));
        assert_eq!((log.concurrent_phases, log.collector.as_deref()), (1, Some("CMS")));
    }

    #[test]
    fn jdk8_g1_full_gc_with_its_detail_line_and_heap_at_gc_blocks() {
        let (log, skipped) = crate::gc::tests::run_with(
            "\
{Heap before GC invocations=7 (full 0):
 garbage-first heap   total 262144K, used 261000K [0x00000000f0000000, 0x00000000f0100800, 0x0000000100000000)
  region size 1024K, 0 young (0K), 0 survivors (0K)
 Metaspace       used 3000K, capacity 4486K, committed 4864K, reserved 1056768K
2019-03-14T10:15:41.000+0000: 20.000: [Full GC (Allocation Failure)  255M->200M(256M), 0.5000000 secs]
   [Eden: 0.0B(12.0M)->0.0B(12.0M) Survivors: 0.0B->0.0B Heap: 255.9M(256.0M)->200.1M(256.0M)], [Metaspace: 3000K->3000K(1056768K)]
Heap after GC invocations=8 (full 1):
 garbage-first heap   total 262144K, used 204900K [0x00000000f0000000, 0x00000000f0100800, 0x0000000100000000)
  region size 1024K, 0 young (0K), 0 survivors (0K)
}
 [Times: user=0.80 sys=0.00, real=0.50 secs] 
2019-03-14T10:15:42.000+0000: 21.000: [GC pause (G1 Evacuation Pause) (young), 0.0100000 secs]
",
            5,
        );
        assert!(skipped.is_empty(), "{skipped:?}");
        assert_eq!((log.pauses_by_type.full, log.pauses_by_type.young), (1, 1));
        assert_eq!(log.full_gc_heap.unwrap().last_after_bytes, 200 << 20);
    }

    #[test]
    fn decimal_commas_of_other_locales() {
        let log = run("\
1,234: [GC (Allocation Failure) [PSYoungGen: 1K->0K(2K)] 1K->0K(4K), 0,0123456 secs]
");
        assert_eq!(log.total_pause_s, 0.0123456);
        assert_eq!(log.longest_pauses[0].uptime_s, Some(1.234));
    }
}
