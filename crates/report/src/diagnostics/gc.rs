//! Sections of the `triage jvm gc` report: a verdict paragraph, then the pauses by
//! type, the longest pauses, causes and phases, warnings, the heap after full
//! collections, safepoints and what the log says about the JVM. Every number comes
//! from the facts; this file only words and formats them.

use triage_diagnose::gc::{GcLog, PauseEntry, PauseGroup};

use super::secs;
use crate::document::{code, field, strong, table, text, Block, Cell, Inline, Section};
use crate::format::MISSING;

pub(crate) fn sections(facts: &GcLog) -> (String, Vec<Section>) {
    let mut sections = vec![verdict(facts)];
    if facts.pauses > 0 {
        sections.push(pauses(facts));
        sections.push(longest(facts));
        sections.push(groups(facts));
    }
    if !facts.warnings.is_empty() {
        sections.push(warnings(facts));
    }
    if facts.full_gc_heap.is_some() {
        sections.push(heap_after_full(facts));
    }
    if facts.safepoints.is_some() {
        sections.push(safepoints(facts));
    }
    sections.push(jvm(facts));
    ("JVM GC log".to_string(), sections)
}

fn secs_opt(s: Option<f64>) -> String {
    s.map_or_else(|| MISSING.to_string(), secs)
}

fn pct(p: f64) -> String {
    if p.is_finite() {
        format!("{p:.2} %")
    } else {
        MISSING.to_string()
    }
}

fn bytes(b: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = b as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{b} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

fn opt_text(s: Option<&str>) -> String {
    s.map_or_else(|| MISSING.to_string(), str::to_string)
}

fn heap_cell(p: &PauseEntry) -> String {
    match (p.heap_before_bytes, p.heap_after_bytes) {
        (Some(before), Some(after)) => {
            let capacity = p
                .heap_capacity_bytes
                .map(|c| format!(" ({})", bytes(c)))
                .unwrap_or_default();
            format!("{} → {}{capacity}", bytes(before), bytes(after))
        }
        _ => MISSING.to_string(),
    }
}

fn verdict(f: &GcLog) -> Section {
    let mut blocks = Vec::new();
    if f.format.is_none() {
        blocks.push(Block::Paragraph(vec![text(
            "Nothing in this file looks like a JVM GC log: no unified-logging line and no \
             older-format GC event was found (see the Input section for what was skipped).",
        )]));
        return Section {
            anchor: "verdict",
            heading: "Verdict".to_string(),
            blocks,
        };
    }
    let collector = f.collector.as_deref().unwrap_or("Collector not named");
    let format = match f.format.as_deref() {
        Some("unified") => "unified logging",
        Some("openj9-verbosegc") => "OpenJ9 verbose GC XML; pauses are its exclusive-access windows",
        _ => "pre-unified logging",
    };
    let mut line: Vec<Inline> = vec![strong(collector), text(format!(" ({format}): "))];
    if f.pauses == 0 {
        line.push(text("no stop-the-world pauses were logged."));
    } else {
        line.push(text(format!("{} pauses totalling {}", f.pauses, secs(f.total_pause_s))));
        match &f.throughput {
            Some(t) => line.push(text(format!(
                " = {} of the {} covered (throughput {})",
                pct(t.pause_time_pct),
                secs(t.runtime_s),
                pct(t.throughput_pct)
            ))),
            None => line.push(text(" (the events carry no time stamps, so no share of run time)")),
        }
        line.push(text("; longest "));
        line.push(strong(secs(f.max_pause_s)));
        if let Some(p) = f.longest_pauses.first() {
            let cause = p.cause.as_deref().unwrap_or("no cause printed");
            line.push(text(format!(
                " ({}, {}, {cause}, line {})",
                p.pause_type, p.phase, p.line
            )));
        }
        line.push(text(format!(
            "; {} full GC{}",
            f.pauses_by_type.full,
            if f.pauses_by_type.full == 1 { "" } else { "s" }
        )));
        if f.pauses_by_type.full > 0 {
            line.push(text(format!(" ({})", secs(f.pause_s_by_type.full))));
        }
        line.push(text("."));
    }
    if !f.warnings.is_empty() {
        let list: Vec<String> = f.warnings.iter().map(|w| format!("{} × {}", w.count, w.kind)).collect();
        line.push(text(format!(" Warnings: {}.", list.join(", "))));
    }
    if let Some(h) = &f.full_gc_heap {
        if h.rising_floor {
            line.push(text(format!(
                " The heap left after full GCs rose from {} to {} over {} full GCs: a leak hint.",
                bytes(h.first_after_bytes),
                bytes(h.last_after_bytes),
                h.full_gcs
            )));
        }
        if let (true, Some(p)) = (h.floor_near_capacity, h.last_after_pct_of_capacity) {
            line.push(text(format!(
                " The last full GC left the heap {} full: the live data barely fits.",
                pct(p)
            )));
        }
    }
    blocks.push(Block::Paragraph(line));
    blocks.push(Block::Paragraph(vec![
        text(
            "A pause is a stop-the-world collection or collector phase that the JVM logs with its own \
             duration (unified logging: a line tagged [gc] or [gc,phases] reading ",
        ),
        code("GC(n) Pause … <t>ms"),
        text("; older logging: each top-level "),
        code("[GC …]"),
        text(" or "),
        code("[Full GC …]"),
        text(
            " event, its duration being the one at its own bracket depth). Concurrent phases, \
             safepoint lines and allocation stalls are not pauses. Covered time and throughput follow \
             GCViewer: runtime = last GC event stamp − first + the last pause; throughput = 100 · \
             (runtime − total pause) / runtime.",
        ),
    ]));
    Section {
        anchor: "verdict",
        heading: "Verdict".to_string(),
        blocks,
    }
}

fn pauses(f: &GcLog) -> Section {
    let rows = [
        (
            "young",
            f.pauses_by_type.young,
            f.pause_s_by_type.young,
            f.max_pause_s_by_type.young,
        ),
        (
            "mixed",
            f.pauses_by_type.mixed,
            f.pause_s_by_type.mixed,
            f.max_pause_s_by_type.mixed,
        ),
        (
            "full",
            f.pauses_by_type.full,
            f.pause_s_by_type.full,
            f.max_pause_s_by_type.full,
        ),
        (
            "other",
            f.pauses_by_type.other,
            f.pause_s_by_type.other,
            f.max_pause_s_by_type.other,
        ),
    ]
    .into_iter()
    .map(|(name, n, total, max)| {
        vec![
            Cell::text(name),
            Cell::text(n.to_string()),
            Cell::text(secs(total)),
            Cell::text(if n > 0 { secs(max) } else { MISSING.to_string() }),
        ]
    })
    .collect();
    let mut by_type = table(
        &["Type", "Pauses", "Total", "Longest"],
        &[false, true, true, true],
        rows,
    );
    by_type.total = Some(vec![
        Cell::strong("all"),
        Cell::strong(f.pauses.to_string()),
        Cell::strong(secs(f.total_pause_s)),
        Cell::strong(secs(f.max_pause_s)),
    ]);
    let mut blocks = vec![
        Block::Table(by_type),
        Block::Paragraph(vec![text(
            "young: DefNew, ParNew, PSYoungGen and G1 young pauses (initial-mark / concurrent-start \
             included); mixed: G1 mixed (JDK 6 partial); full: Full GC / Pause Full and young \
             collections that also collected the old generation ([CMS: …], [Tenured: …], promotion \
             failed, concurrent mode failure); other: remaining stop-the-world phases (CMS initial \
             mark and remark, G1 remark and cleanup, Shenandoah and ZGC pauses).",
        )]),
    ];
    if let Some(p) = &f.percentiles {
        let row = vec![
            Cell::text(secs(p.min_s)),
            Cell::text(secs(p.p50_s)),
            Cell::text(secs(p.p90_s)),
            Cell::text(secs(p.p95_s)),
            Cell::text(secs(p.p99_s)),
            Cell::text(secs(p.p999_s)),
            Cell::text(secs(f.max_pause_s)),
            Cell::text(secs(p.mean_s)),
        ];
        blocks.push(Block::Subheading(vec![text("Pause durations")]));
        blocks.push(Block::Table(table(
            &["Min", "p50", "p90", "p95", "p99", "p99.9", "Max", "Mean"],
            &[true; 8],
            vec![row],
        )));
        blocks.push(Block::Paragraph(vec![text(
            "Nearest-rank percentiles over all pauses, read from a histogram of 1 %-wide \
             logarithmic buckets (within 0.5 % of the exact value); mean = total / pauses.",
        )]));
    }
    if let Some(t) = &f.throughput {
        blocks.push(Block::Fields(vec![
            field("Runtime (GCViewer)", vec![text(secs(t.runtime_s))]),
            field("Throughput", vec![text(pct(t.throughput_pct))]),
            field("Time in pauses", vec![text(pct(t.pause_time_pct))]),
        ]));
    }
    Section {
        anchor: "pauses",
        heading: "Pauses".to_string(),
        blocks,
    }
}

fn longest(f: &GcLog) -> Section {
    let rows = f
        .longest_pauses
        .iter()
        .map(|p| {
            vec![
                Cell::text(p.line.to_string()),
                Cell::text(secs_opt(p.uptime_s)),
                Cell::text(opt_text(p.date.as_deref())),
                Cell::text(p.pause_type.clone()),
                Cell::code(p.phase.clone()),
                Cell::text(opt_text(p.cause.as_deref())),
                Cell::text(secs(p.duration_s)),
                Cell::text(heap_cell(p)),
            ]
        })
        .collect();
    Section {
        anchor: "longest",
        heading: "Longest pauses".to_string(),
        blocks: vec![
            Block::Table(table(
                &[
                    "Line",
                    "Uptime",
                    "Date",
                    "Type",
                    "Phase",
                    "Cause",
                    "Duration",
                    "Heap before → after (capacity)",
                ],
                &[true, true, false, false, false, false, true, false],
                rows,
            )),
            Block::Paragraph(vec![text(
                "Longest first; the line is where the event starts; the heap figures are the \
                 whole-heap occupancy before and after, where the log prints them.",
            )]),
        ],
    }
}

fn group_table(groups: &[PauseGroup], first: &str) -> Block {
    let rows = groups
        .iter()
        .map(|g| {
            vec![
                Cell::code(g.name.clone()),
                Cell::text(g.pause_type.clone().unwrap_or_else(|| "several".to_string())),
                Cell::text(g.pauses.to_string()),
                Cell::text(secs(g.total_s)),
                Cell::text(secs(g.max_s)),
                Cell::text(g.max_line.to_string()),
            ]
        })
        .collect();
    Block::Table(table(
        &[first, "Type", "Pauses", "Total", "Longest", "Line of longest"],
        &[false, false, true, true, true, true],
        rows,
    ))
}

fn groups(f: &GcLog) -> Section {
    Section {
        anchor: "causes",
        heading: "Causes and phases".to_string(),
        blocks: vec![
            Block::Subheading(vec![text("By cause")]),
            group_table(&f.by_cause, "Cause"),
            Block::Paragraph(vec![text(
                "The cause the JVM printed with the pause (Allocation Failure, G1 Evacuation Pause, \
                 Metadata GC Threshold, System.gc(), Ergonomics, …); (none printed) where the log has \
                 none (older JVMs, remark and cleanup phases). Most total time first; the longest \
                 lists are cut at --top.",
            )]),
            Block::Subheading(vec![text("By phase")]),
            group_table(&f.by_phase, "Phase"),
            Block::Paragraph(vec![text(
                "The pause's name without its cause (for older young collections: the young \
                 collector). Most total time first.",
            )]),
        ],
    }
}

fn warnings(f: &GcLog) -> Section {
    let rows = f
        .warnings
        .iter()
        .map(|w| {
            vec![
                Cell::strong(w.kind.clone()),
                Cell::text(w.count.to_string()),
                Cell::text(w.first_line.to_string()),
                Cell::text(w.last_line.to_string()),
                Cell::text(secs_opt(w.total_s)),
                Cell::text(w.meaning.clone()),
            ]
        })
        .collect();
    Section {
        anchor: "warnings",
        heading: "Warnings".to_string(),
        blocks: vec![Block::Table(table(
            &["Kind", "Count", "First line", "Last line", "Total", "Meaning"],
            &[false, true, true, true, true, false],
            rows,
        ))],
    }
}

fn heap_after_full(f: &GcLog) -> Section {
    let Some(h) = &f.full_gc_heap else {
        return Section {
            anchor: "heap",
            heading: "Heap after full GCs".to_string(),
            blocks: Vec::new(),
        };
    };
    let mut fields = vec![
        field("Full GCs with heap figures", vec![text(h.full_gcs.to_string())]),
        field(
            "Left after the first / last",
            vec![text(format!(
                "{} / {}",
                bytes(h.first_after_bytes),
                bytes(h.last_after_bytes)
            ))],
        ),
        field(
            "Lowest / highest left",
            vec![text(format!(
                "{} / {}",
                bytes(h.min_after_bytes),
                bytes(h.max_after_bytes)
            ))],
        ),
    ];
    if let Some(g) = h.growth_pct {
        fields.push(field("Growth first → last", vec![text(pct(g))]));
    }
    if let Some(p) = h.last_after_pct_of_capacity {
        fields.push(field(
            "Last one left, of capacity",
            vec![text(format!("{} of {}", pct(p), bytes(h.last_capacity_bytes)))],
        ));
    }
    fields.push(field(
        "Rising floor (leak hint)",
        vec![text(if h.rising_floor { "yes" } else { "no" })],
    ));
    let rows = h
        .recent
        .iter()
        .map(|r| {
            vec![
                Cell::text(r.line.to_string()),
                Cell::text(secs_opt(r.uptime_s)),
                Cell::text(bytes(r.after_bytes)),
                Cell::text(if r.capacity_bytes > 0 {
                    bytes(r.capacity_bytes)
                } else {
                    MISSING.to_string()
                }),
            ]
        })
        .collect();
    Section {
        anchor: "heap",
        heading: "Heap after full GCs".to_string(),
        blocks: vec![
            Block::Fields(fields),
            Block::Paragraph(vec![text(
                "What a full GC leaves is live data. A floor that keeps rising (at least 3 full GCs, \
                 the last leaving at least 20 % more than the first) hints at a leak; a floor near \
                 capacity means the live set barely fits the heap. Growth = 100 · (last − first) / first.",
            )]),
            Block::Subheading(vec![text("Last full GCs")]),
            Block::Table(table(
                &["Line", "Uptime", "Heap after", "Capacity"],
                &[true, true, true, true],
                rows,
            )),
        ],
    }
}

fn safepoints(f: &GcLog) -> Section {
    let Some(s) = &f.safepoints else {
        return Section {
            anchor: "safepoints",
            heading: "Safepoints".to_string(),
            blocks: Vec::new(),
        };
    };
    Section {
        anchor: "safepoints",
        heading: "Safepoints".to_string(),
        blocks: vec![
            Block::Fields(vec![
                field("Stops", vec![text(s.stops.to_string())]),
                field("Total stopped", vec![text(secs(s.total_stopped_s))]),
                field(
                    "Longest stop",
                    vec![text(format!("{} (line {})", secs(s.max_stopped_s), s.max_line))],
                ),
            ]),
            Block::Paragraph(vec![text(
                "From the -XX:+PrintGCApplicationStoppedTime and [safepoint] lines: every VM \
                 operation, GC or not, including the time to reach the safepoint; not counted as GC \
                 pauses.",
            )]),
        ],
    }
}

fn jvm(f: &GcLog) -> Section {
    let mut fields = vec![
        field(
            "Collector",
            vec![text(format!(
                "{}{}",
                opt_text(f.collector.as_deref()),
                f.collector_evidence
                    .as_deref()
                    .map(|e| format!(" — {e}"))
                    .unwrap_or_default()
            ))],
        ),
        field("Log format", vec![text(opt_text(f.format.as_deref()))]),
    ];
    if let Some(v) = &f.jvm.version {
        fields.push(field("JVM version", vec![text(v.clone())]));
    }
    if let Some(vm) = &f.jvm.vm {
        fields.push(field("VM", vec![text(vm.clone())]));
    }
    let span = &f.span;
    if let (Some(first), Some(last)) = (span.first_uptime_s, span.last_uptime_s) {
        fields.push(field(
            "Uptime covered",
            vec![text(format!(
                "{} to {} ({})",
                secs(first),
                secs(last),
                secs_opt(span.uptime_covered_s)
            ))],
        ));
    }
    if let (Some(first), Some(last)) = (&span.first_date, &span.last_date) {
        fields.push(field(
            "Dates",
            vec![code(first.clone()), text(" to "), code(last.clone())],
        ));
    }
    if span.jvm_restarts > 0 {
        fields.push(field(
            "JVM restarts in the file",
            vec![text(span.jvm_restarts.to_string())],
        ));
    }
    fields.push(field(
        "Concurrent phases logged",
        vec![text(f.concurrent_phases.to_string())],
    ));
    if f.other_log_lines > 0 {
        fields.push(field("Other JVM log lines", vec![text(f.other_log_lines.to_string())]));
    }
    let mut blocks = vec![
        Block::Fields(fields),
        Block::Paragraph(vec![text(
            "Uptime covered: from the first to the last time-stamped line, summed over JVM runs when \
             the uptime restarts inside the file. Concurrent phases: phases logged with a duration \
             that ran beside the application (not pauses). Other JVM log lines: unified-logging lines \
             of tag sets other than gc and safepoint (os, class loading, …), read but not about \
             collections.",
        )]),
    ];
    if let Some(flags) = &f.jvm.command_line_flags {
        blocks.push(Block::Code {
            caption: vec![text("Command-line flags")],
            lines: vec![flags.clone()],
        });
    }
    if !f.jvm.settings.is_empty() {
        let rows = f
            .jvm
            .settings
            .iter()
            .map(|s| {
                vec![
                    Cell::text(s.name.clone()),
                    Cell::code(s.value.clone()),
                    Cell::text(s.line.to_string()),
                ]
            })
            .collect();
        blocks.push(Block::Subheading(vec![text("Header settings")]));
        blocks.push(Block::Table(table(
            &["Setting", "Value", "Line"],
            &[false, false, true],
            rows,
        )));
    }
    if !f.notes.is_empty() {
        let rows = f
            .notes
            .iter()
            .map(|n| {
                vec![
                    Cell::text(if n.line > 0 {
                        n.line.to_string()
                    } else {
                        MISSING.to_string()
                    }),
                    Cell::text(n.text.clone()),
                ]
            })
            .collect();
        blocks.push(Block::Subheading(vec![text("Notes on the file")]));
        blocks.push(Block::Table(table(&["Line", "Note"], &[true, false], rows)));
    }
    Section {
        anchor: "jvm",
        heading: "JVM and log".to_string(),
        blocks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use triage_diagnose::{gc, Lines, Options};

    fn facts(log: &str) -> GcLog {
        let mut lines = Lines::new(std::io::BufReader::new(log.as_bytes()));
        gc::analyse(&mut lines, &Options { top: 5 })
    }

    fn render(facts: &GcLog) -> String {
        let (title, sections) = sections(facts);
        let doc = crate::document::Document {
            lang: crate::Lang::En,
            title,
            status: None,
            sections,
            footer: String::new(),
        };
        crate::markdown::render(&doc)
    }

    const CMS_LOG: &str = "\
10.000: [GC (Allocation Failure) 10.000: [ParNew: 3967K->0K(4032K), 0.0200000 secs] 3967K->3032K(16320K), 0.0210000 secs]
11.000: [GC (CMS Initial Mark) [1 CMS-initial-mark: 8756K(12288K)] 8758K(16320K), 0.0040000 secs]
11.100: [CMS-concurrent-mark: 0.042/0.042 secs]
19.000: [Full GC (Allocation Failure) 19.000: [CMS: 61439K->61439K(61440K), 0.9900000 secs] 65467K->64646K(65472K), [CMS Perm : 1500K->1500K(8192K)], 1.0000000 secs]
";

    #[test]
    fn verdict_names_collector_totals_share_and_the_longest_pause() {
        let md = render(&facts(CMS_LOG));
        let verdict = md.split("## Pauses").next().unwrap();
        assert!(
            verdict.contains("**CMS** (pre-unified logging): 3 pauses totalling 1.025 s"),
            "{verdict}"
        );
        // runtime = 19.0 − 10.0 + 1.0 = 10 s; 1.025 s of it paused.
        assert!(
            verdict.contains("= 10.25 % of the 10.000 s covered (throughput 89.75 %)"),
            "{verdict}"
        );
        assert!(
            verdict.contains("longest **1.000 s** (full, Full GC, Allocation Failure, line 4)"),
            "{verdict}"
        );
        assert!(verdict.contains("1 full GC (1.000 s)"), "{verdict}");
        assert!(
            verdict.contains("The last full GC left the heap 98.74 % full"),
            "{verdict}"
        );
        assert!(md.contains("| full | 1 | 1.000 s | 1.000 s |"), "{md}");
        assert!(md.contains("| young | 1 | 21.000 ms | 21.000 ms |"), "{md}");
        assert!(
            md.contains("| 4 | 19.000 s | – | full | `Full GC` | Allocation Failure | 1.000 s |"),
            "{md}"
        );
        assert!(md.contains("## Warnings"));
    }

    #[test]
    fn a_file_that_is_no_gc_log_says_so() {
        let md = render(&facts("hello\nworld\n"));
        assert!(md.contains("Nothing in this file looks like a JVM GC log"));
        assert!(!md.contains("## Pauses"));
    }

    #[test]
    fn a_log_without_pauses_or_stamps() {
        let md = render(&facts("[0.1s][info][gc] Using G1\n"));
        assert!(
            md.contains("**G1** (unified logging): no stop-the-world pauses were logged."),
            "{md}"
        );
        let md = render(&facts("[GC 1K->0K(2K), 0.5000000 secs]\n"));
        assert!(
            md.contains("(the events carry no time stamps, so no share of run time)"),
            "{md}"
        );
    }
}
