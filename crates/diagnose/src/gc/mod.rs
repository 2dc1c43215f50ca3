//! JVM GC logs: stop-the-world pauses by type, their total and the longest, for both
//! unified logging (`-Xlog:gc*`, JDK 9+) and the older `-verbose:gc` /
//! `-XX:+PrintGCDetails` output of every HotSpot collector (Serial, Parallel, CMS, G1,
//! Shenandoah, ZGC). The definitions are on [`GcLog`].
//!
//! One pass, line by line; each line is routed by its look: a unified-logging line
//! starts with its decorations (`[0.123s][info][gc]`), anything else goes to the
//! older-format bracket parser. Memory is bounded (one open event, capped tables, a
//! fixed histogram), so a log of hundreds of megabytes streams through.

mod facts;
mod openj9;
mod preunified;
mod tally;
mod text;
mod unified;

use std::io::BufRead;

pub use facts::*;

use crate::{Lines, Options};
use tally::Tally;

/// The HotSpot collectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Collector {
    Serial,
    Parallel,
    Cms,
    G1,
    Shenandoah,
    Zgc,
    /// The no-op collector (`-XX:+UseEpsilonGC`): it never collects, so its logs hold no
    /// pauses.
    Epsilon,
    /// OpenJ9 / IBM J9, whatever its policy (gencon, balanced, optthruput, …).
    OpenJ9,
}

impl Collector {
    fn name(self) -> &'static str {
        match self {
            Collector::Serial => "Serial",
            Collector::Parallel => "Parallel",
            Collector::Cms => "CMS",
            Collector::G1 => "G1",
            Collector::Shenandoah => "Shenandoah",
            Collector::Zgc => "ZGC",
            Collector::Epsilon => "Epsilon",
            Collector::OpenJ9 => "OpenJ9",
        }
    }

    fn index(self) -> usize {
        self as usize
    }

    fn concurrent(self) -> bool {
        matches!(
            self,
            Collector::Cms | Collector::G1 | Collector::Shenandoah | Collector::Zgc
        )
    }
}

/// Which collector wrote the log: named by the header (`Using G1`, `-XX:+UseG1GC`),
/// else implied by what only one collector prints. When several are implied (DefNew
/// young collections beside CMS old ones), the first in this order wins.
const HINT_ORDER: [Collector; 8] = [
    Collector::Cms,
    Collector::G1,
    Collector::Parallel,
    Collector::Shenandoah,
    Collector::Zgc,
    Collector::Serial,
    Collector::Epsilon,
    Collector::OpenJ9,
];

#[derive(Debug, Default)]
pub(crate) struct CollectorGuess {
    named: Option<(Collector, String)>,
    hints: [Option<(u64, &'static str)>; 8],
}

impl CollectorGuess {
    /// `Using G1`, `Using The Z Garbage Collector`, `Initializing The Z Garbage Collector`.
    fn name_from_using(&mut self, name: &str, message: &str, line: u64) {
        let collector = if name.starts_with("G1") {
            Collector::G1
        } else if name.starts_with("Parallel") {
            Collector::Parallel
        } else if name.starts_with("Serial") {
            Collector::Serial
        } else if name.starts_with("Concurrent Mark Sweep") || name.starts_with("CMS") {
            Collector::Cms
        } else if name.starts_with("Shenandoah") {
            Collector::Shenandoah
        } else if name.starts_with("The Z Garbage Collector") || name.starts_with("ZGC") {
            Collector::Zgc
        } else if name.starts_with("Epsilon") {
            Collector::Epsilon
        } else {
            return;
        };
        if self.named.is_none() {
            let shown: String = message.chars().take(80).collect();
            self.named = Some((collector, format!("`{shown}` on line {line}")));
        }
    }

    fn name_from_flag(&mut self, collector: Collector, flag: &str, line: u64) {
        self.name_as(collector, format!("`{flag}` in the command-line flags on line {line}"));
    }

    fn name_as(&mut self, collector: Collector, evidence: String) {
        if self.named.is_none() {
            self.named = Some((collector, evidence));
        }
    }

    fn hint(&mut self, collector: Collector, line: u64, what: &'static str) {
        let slot = &mut self.hints[collector.index()];
        if slot.is_none() {
            *slot = Some((line, what));
        }
    }

    fn current(&self) -> Option<Collector> {
        if let Some((c, _)) = &self.named {
            return Some(*c);
        }
        HINT_ORDER.into_iter().find(|c| self.hints[c.index()].is_some())
    }

    fn evidence(&self) -> Option<String> {
        if let Some((_, why)) = &self.named {
            return Some(why.clone());
        }
        let c = self.current()?;
        let (line, what) = self.hints[c.index()]?;
        Some(format!("implied by {what} (first on line {line})"))
    }
}

/// What the line parsers share.
pub(crate) struct Context {
    tally: Tally,
    collector: CollectorGuess,
    settings: JvmSettings,
    generational_zgc: bool,
    skips: Vec<(u64, u64, &'static str, &'static str)>,
}

const MAX_SETTINGS: usize = 40;
const MAX_FLAGS_BYTES: usize = 4_000;

/// `-XX:` flags worth showing among the settings.
const FLAG_SETTINGS: [&str; 16] = [
    "InitialHeapSize",
    "MaxHeapSize",
    "NewSize",
    "MaxNewSize",
    "NewRatio",
    "SurvivorRatio",
    "MaxTenuringThreshold",
    "G1HeapRegionSize",
    "MaxGCPauseMillis",
    "InitiatingHeapOccupancyPercent",
    "CMSInitiatingOccupancyFraction",
    "ParallelGCThreads",
    "ConcGCThreads",
    "MetaspaceSize",
    "MaxMetaspaceSize",
    "MaxPermSize",
];

impl Context {
    fn new(top: usize) -> Self {
        Context {
            tally: Tally::new(top),
            collector: CollectorGuess::default(),
            settings: JvmSettings::default(),
            generational_zgc: false,
            skips: Vec::new(),
        }
    }

    /// Notes a skipped line or event; flushed into `Lines` at the end (the line being
    /// read is borrowed from it meanwhile).
    fn skip(&mut self, line: u64, what: &'static str, reason: &'static str) {
        self.skip_many(line, 1, what, reason);
    }

    fn skip_many(&mut self, line: u64, count: u64, what: &'static str, reason: &'static str) {
        if let Some(entry) = self.skips.iter_mut().find(|s| s.2 == what && s.3 == reason) {
            entry.1 += count;
            entry.0 = entry.0.min(line);
        } else {
            self.skips.push((line, count, what, reason));
        }
    }

    fn setting(&mut self, name: &str, value: &str, line: u64) {
        if self.settings.settings.len() >= MAX_SETTINGS || self.settings.settings.iter().any(|s| s.name == name) {
            return;
        }
        let value: String = value.chars().take(200).collect();
        self.settings.settings.push(Setting {
            name: name.to_string(),
            value,
            line,
        });
    }

    /// `CommandLine flags: -XX:InitialHeapSize=… -XX:+UseG1GC …`.
    fn command_line(&mut self, flags: &str, line: u64) {
        if self.settings.command_line_flags.is_none() {
            let mut shown: String = flags.chars().take(MAX_FLAGS_BYTES).collect();
            if shown.len() < flags.len() {
                shown.push_str(" …");
            }
            self.settings.command_line_flags = Some(shown);
        }
        for flag in flags.split_whitespace() {
            let collector = match flag {
                "-XX:+UseG1GC" => Some(Collector::G1),
                "-XX:+UseConcMarkSweepGC" => Some(Collector::Cms),
                "-XX:+UseParallelGC" | "-XX:+UseParallelOldGC" => Some(Collector::Parallel),
                "-XX:+UseSerialGC" => Some(Collector::Serial),
                "-XX:+UseShenandoahGC" => Some(Collector::Shenandoah),
                "-XX:+UseZGC" => Some(Collector::Zgc),
                "-XX:+UseEpsilonGC" => Some(Collector::Epsilon),
                _ => None,
            };
            if let Some(c) = collector {
                self.collector.name_from_flag(c, flag, line);
            }
            if flag == "-XX:+UseParNewGC" {
                self.collector.hint(Collector::Cms, line, "-XX:+UseParNewGC");
            }
            if let Some((name, value)) = flag.strip_prefix("-XX:").and_then(|f| f.split_once('=')) {
                if FLAG_SETTINGS.contains(&name) {
                    self.setting(name, value, line);
                }
            }
        }
    }
}

pub fn analyse<R: BufRead>(lines: &mut Lines<R>, options: &Options) -> GcLog {
    let mut cx = Context::new(options.top);
    let mut unified = unified::Unified::default();
    let mut older = preunified::PreUnified::default();
    let mut j9 = openj9::OpenJ9::default();
    while let Some((line_no, raw)) = lines.next_line() {
        let line = raw.strip_prefix('\u{feff}').unwrap_or(raw);
        let openj9_line = if j9.active {
            line.trim_start().starts_with('<') || line.trim().is_empty()
        } else {
            !older.anything_read() && openj9::starts_log(line)
        };
        if openj9_line {
            j9.line(&mut cx, line_no, line);
        } else if let Some(decorated) = unified::decorations(line).or_else(|| unified::prefixed_decorations(line)) {
            unified.line(&mut cx, line_no, &decorated);
        } else if unified.in_other_message && !older.anything_read() && !line.contains("[GC") {
            // The rest of a multi-line message of another tag set (`[exceptions]`, `[os]`
            // under `-Xlog:all`): unified logging decorates only a message's first line.
            unified.other_tag_lines += 1;
        } else if is_bare_unified(line, &unified, &older) {
            // Unified logging without decorations (`-Xlog:gc:file:none`).
            let bare = unified::Decorated {
                uptime_s: None,
                epoch_s: None,
                date: None,
                tags: None,
                message: line,
            };
            unified.bare_lines += 1;
            unified.line(&mut cx, line_no, &bare);
        } else {
            older.line(&mut cx, line_no, line);
        }
    }
    let bare_unified = unified.bare_lines > 0 && older.events == 0 && older.header_lines == 0;
    unified.gc_lines += older.finish(&mut cx, bare_unified);
    j9.finish(&mut cx);
    for (line, count, what, reason) in std::mem::take(&mut cx.skips) {
        lines.skip_many(line, count, what, reason);
    }
    let older_lines = older.events + older.header_lines;
    assemble(cx, &unified, older_lines, j9.lines)
}

/// Whether an undecorated line is a unified-logging message (`-Xlog:gc:file:none`): a
/// `GC(n) …` line; a `Using <collector>` line while nothing of an older-format log was
/// read; and after such lines, while still nothing older-format was read, every line
/// without a time stamp that opens no older-format event (`Allocation Stall (main)
/// 4.913ms`, `Trigger: …`, the heap printout at exit).
fn is_bare_unified(line: &str, unified: &unified::Unified, older: &preunified::PreUnified) -> bool {
    if line.starts_with("GC(") {
        return true;
    }
    if older.anything_read() {
        return false;
    }
    if let Some(name) = line.strip_prefix("Using ") {
        return COLLECTOR_NAMES.iter().any(|c| name.starts_with(c));
    }
    unified.bare_lines > 0
        && !line.as_bytes().first().is_some_and(u8::is_ascii_digit)
        && !line.contains("[GC")
        && !line.contains("[Full GC")
}

/// How unified logging's `Using …` line names each collector.
const COLLECTOR_NAMES: [&str; 7] = [
    "G1",
    "Parallel",
    "Serial",
    "Concurrent Mark Sweep",
    "Shenandoah",
    "The Z Garbage Collector",
    "Epsilon",
];

/// `older_lines`: older-format events and header lines; `j9_lines`: OpenJ9 lines.
fn assemble(cx: Context, unified: &unified::Unified, older_lines: u64, j9_lines: u64) -> GcLog {
    let unified_lines = unified.gc_lines;
    let collector = cx.collector.current();
    let mut evidence = cx.collector.evidence();
    if collector == Some(Collector::Zgc) && cx.generational_zgc {
        evidence = evidence.map(|e| format!("{e}; generational (Y:/y:/O: phases)"));
    }
    let format = if j9_lines > unified_lines.max(older_lines) {
        Some("openj9-verbosegc")
    } else if unified_lines > 0 && unified_lines >= older_lines {
        Some("unified")
    } else if older_lines > 0 {
        Some("pre-unified")
    } else {
        None
    };
    let outside = GcLog {
        collector: collector.map(|c| c.name().to_string()),
        collector_evidence: evidence,
        format: format.map(str::to_string),
        jvm: cx.settings,
        other_log_lines: unified.other_tag_lines,
        ..GcLog::default()
    };
    cx.tally.finish(collector.is_some_and(Collector::concurrent), outside)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn run(text: &str) -> GcLog {
        run_with(text, 20).0
    }

    pub(crate) fn run_with(text: &str, top: usize) -> (GcLog, Vec<crate::Skipped>) {
        let mut lines = Lines::new(std::io::BufReader::new(text.as_bytes()));
        let log = analyse(&mut lines, &Options { top });
        (log, lines.take_skipped())
    }

    #[test]
    fn unknown_lines_are_counted_not_dropped() {
        let (log, skipped) = run_with("hello\n1.0: [GC 1K->0K(2K), 0.1000000 secs]\nworld\n", 5);
        assert_eq!(log.pauses, 1);
        let not_gc = skipped
            .iter()
            .find(|s| s.reason.starts_with("not GC log output"))
            .unwrap();
        assert_eq!((not_gc.count, not_gc.first_line), (2, 1));
    }

    #[test]
    fn facts_round_trip_through_json() {
        let log = run("[0.1s][info][gc] Using G1\n[0.2s][info][gc] GC(0) Pause Young (Normal) (G1 Evacuation Pause) 14M->12M(128M) 6.529ms\n");
        let json = serde_json::to_string(&log).unwrap();
        let back: GcLog = serde_json::from_str(&json).unwrap();
        assert_eq!(back.pauses, 1);
        assert_eq!(back.pause_s_by_type.young, 0.006529);
    }

    #[test]
    fn random_fragments_of_gc_logs_do_not_panic() {
        const PIECES: [&str; 24] = [
            "[",
            "]",
            "(",
            ")",
            "1.0: ",
            "2020-01-01T12:00:00.000+0000: ",
            "[GC ",
            "[Full GC ",
            "[GC pause (young)",
            "[CMS-concurrent-mark: 0.1/0.1 secs]",
            "[ParNew: ",
            "1K->0K(2K)",
            ", 0.01 secs",
            ", 0,5 secs]",
            "--",
            "[0.1s][info][gc] ",
            "GC(3) ",
            "Pause Young (Normal) ",
            "12.5ms",
            "é",
            "\t",
            " ",
            "[Pause Init Mark",
            "(concurrent mode failure)",
        ];
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut text = String::new();
        for _ in 0..3_000 {
            for _ in 0..(next() % 12) {
                text.push_str(PIECES[(next() % PIECES.len() as u64) as usize]);
            }
            text.push('\n');
        }
        let log = run(&text);
        assert!(log.total_pause_s.is_finite());
    }

    #[test]
    fn hostile_input_does_not_panic() {
        for text in [
            "[",
            "]",
            "[[[[",
            "]]]]",
            "1.0: [GC",
            "[GC ,  secs]",
            "[0.1s][gc] GC(",
            "[0.1s][gc] GC(1) Pause",
            "2020-13-45T99:99:99.999+9999: [GC 1K->0K(2K), 1 secs]",
            "[é][gc] GC(1) Pause Young é 1ms",
            "1.0: [GC é->é(é), 0,1 secs]",
            "GC(99999999999999999999) Pause Young 1ms",
            "[0.1s][gc] GC(1) Pause Young (((( 99999999999999999999999.9ms",
        ] {
            let _ = run(text);
        }
    }

    #[test]
    fn undecorated_unified_messages_before_and_after_the_using_line_are_read() {
        // `-Xlog:gc:file=gc.log:none`, Shenandoah (JDK 17): its first messages come before
        // `Using Shenandoah`; ZGC's stalls have no `GC(n)` prefix.
        let (log, skipped) = run_with(
            "\
Min heap equals to max heap, disabling ShenandoahUncommit
Heuristics ergonomically sets -XX:+ExplicitGCInvokesConcurrent
Using Shenandoah
GC(0) Pause Init Mark 0.028ms
Trigger: Free (4M) is below minimum threshold (4M)
GC(0) Pause Final Mark 0.012ms
Allocation Stall (main) 4.913ms
GC(1) Pause Full 3.000ms
",
            5,
        );
        assert!(skipped.is_empty(), "{skipped:?}");
        assert_eq!(log.format.as_deref(), Some("unified"));
        assert_eq!((log.pauses_by_type.other, log.pauses_by_type.full), (2, 1));
        assert!(log.warnings.iter().any(|w| w.kind == "allocation stall"));
        // Without a `Using …` line the same leading lines are unknown output.
        let (_, skipped) = run_with("Min heap equals to max heap, disabling ShenandoahUncommit\n", 5);
        assert_eq!(skipped.len(), 1);
    }

    #[test]
    fn application_output_named_using_does_not_swallow_an_older_log() {
        // Only `Using <collector>` starts undecorated unified reading, and nothing of an
        // older-format log may have been read before.
        let log = run("\
Using config /etc/app.conf
1.000: [GC (Allocation Failure) 
Desired survivor size 1114112 bytes, new threshold 7 (max 15)
[PSYoungGen: 65536K->5000K(76288K)] 65536K->5008K(251392K), 0.0050000 secs] [Times: user=0.01 sys=0.00, real=0.01 secs] 
");
        assert_eq!((log.pauses, log.total_pause_s), (1, 0.005));
        assert_eq!(log.format.as_deref(), Some("pre-unified"));
    }

    #[test]
    fn epsilon_is_named() {
        let log = run("[0.004s][info][gc] Using Epsilon\n[0.004s][warning][gc,init] Consider enabling -XX:+AlwaysPreTouch to avoid memory commit hiccups\n");
        assert_eq!(log.collector.as_deref(), Some("Epsilon"));
        assert_eq!(log.pauses, 0);
    }
}
