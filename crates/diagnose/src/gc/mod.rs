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
const HINT_ORDER: [Collector; 6] = [
    Collector::Cms,
    Collector::G1,
    Collector::Parallel,
    Collector::Shenandoah,
    Collector::Zgc,
    Collector::Serial,
];

#[derive(Debug, Default)]
pub(crate) struct CollectorGuess {
    named: Option<(Collector, String)>,
    hints: [Option<(u64, &'static str)>; 6],
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
        } else {
            return;
        };
        if self.named.is_none() {
            let shown: String = message.chars().take(80).collect();
            self.named = Some((collector, format!("`{shown}` on line {line}")));
        }
    }

    fn name_from_flag(&mut self, collector: Collector, flag: &str, line: u64) {
        if self.named.is_none() {
            self.named = Some((collector, format!("`{flag}` in the command-line flags on line {line}")));
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
        if let Some(entry) = self.skips.iter_mut().find(|s| s.2 == what && s.3 == reason) {
            entry.1 += 1;
            entry.0 = entry.0.min(line);
        } else {
            self.skips.push((line, 1, what, reason));
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
    while let Some((line_no, raw)) = lines.next_line() {
        let line = raw.strip_prefix('\u{feff}').unwrap_or(raw);
        if let Some(decorated) = unified::decorations(line) {
            unified.line(&mut cx, line_no, &decorated);
        } else if line.starts_with("GC(") || (line.starts_with("Using ") && older.events == 0) {
            // Unified logging without decorations (`-Xlog:gc:file:none`).
            let bare = unified::Decorated {
                uptime_s: None,
                epoch_s: None,
                date: None,
                tags: None,
                message: line,
            };
            unified.line(&mut cx, line_no, &bare);
        } else {
            older.line(&mut cx, line_no, line);
        }
    }
    older.finish(&mut cx);
    for (line, count, what, reason) in std::mem::take(&mut cx.skips) {
        lines.skip_many(line, count, what, reason);
    }
    let older_lines = older.events + older.header_lines;
    assemble(cx, &unified, older_lines)
}

/// `older_lines`: older-format events and header lines.
fn assemble(cx: Context, unified: &unified::Unified, older_lines: u64) -> GcLog {
    let unified_lines = unified.gc_lines;
    let collector = cx.collector.current();
    let mut evidence = cx.collector.evidence();
    if collector == Some(Collector::Zgc) && cx.generational_zgc {
        evidence = evidence.map(|e| format!("{e}; generational (Y:/y:/O: phases)"));
    }
    let format = if unified_lines > 0 && unified_lines >= older_lines {
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
}
