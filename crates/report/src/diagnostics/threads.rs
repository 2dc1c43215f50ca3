//! Sections of the threads report: a verdict per dump (deadlock, lock contention, or
//! neither, with the numbers), then threads per state, the JVM's deadlock cycles, the
//! contended locks, groups of threads at the same frames and thread pools. Every number
//! comes from the facts; this module only words them.

use triage_diagnose::threads::{ContendedLock, ThreadDump, ThreadDumps};

use crate::document::{code, field, strong, table, text, Block, Cell, Inline, Section};
use crate::format::{fraction_of, MISSING};

pub(crate) fn sections(facts: &ThreadDumps) -> (String, Vec<Section>) {
    let title = if facts.dump_count == 1 {
        "Thread dump"
    } else {
        "Thread dumps"
    }
    .to_string();
    if facts.dumps.is_empty() {
        return (title, vec![no_dump(facts)]);
    }
    let many = facts.dumps.len() > 1;
    let mut verdict = Section {
        anchor: "verdict",
        heading: "Verdict".to_string(),
        blocks: Vec::new(),
    };
    if many {
        verdict.blocks.push(Block::Paragraph(vec![text(format!(
            "{} thread dumps in this file, in file order.",
            facts.dump_count
        ))]));
        verdict.blocks.push(Block::Table(dump_table(facts)));
        verdict.blocks.extend(unchanged_blocks(facts));
    }
    if facts.unsupported_dumps > 0 {
        verdict.blocks.push(Block::Paragraph(vec![text(format!(
            "{} dump(s) in a format this analysis does not read were left out (see Input).",
            facts.unsupported_dumps
        ))]));
    }
    let mut threads = section("threads", "Threads");
    threads.blocks.push(Block::Paragraph(rich(
        "A thread is an entry whose first line is the quoted name with its attributes (tid=, nid=, prio=, Id=, t@); \
         JVM-internal threads count. A Java thread is one with a `java.lang.Thread.State:` line (or a state in its \
         header); the state is the first word there. Header words are what HotSpot prints after the attributes \
         (`waiting on condition`), the only state JDK 5 and older show.",
    )));
    let mut deadlocks = section("deadlocks", "Deadlocks");
    deadlocks.blocks.push(Block::Paragraph(rich(
        "Only cycles the JVM itself reported (`Found one Java-level deadlock:`) are listed; the count is N of its \
         `Found N deadlock(s).` line.",
    )));
    let mut locks = section("locks", "Lock contention");
    locks.blocks.push(Block::Paragraph(rich(
        "A thread waits for a lock when its stack says `- waiting to lock <X>`, `- waiting to re-lock in wait() <X>` \
         while BLOCKED, or `- parking to wait for <X>` on a ReentrantLock / ReentrantReadWriteLock sync object. \
         Parking on conditions, latches, queues or futures and `Object.wait()` are waiting for work, not contention. \
         The owner is the thread whose stack says `- locked <X>` (and not `- waiting on <X>` or `- waiting to \
         re-lock in wait() <X>`: a thread inside `X.wait()` has released X) or whose owned synchronizers list X.",
    )));
    let mut stacks = section("stacks", "Threads at the same frames");
    stacks.blocks.push(Block::Paragraph(vec![text(
        "Threads with at least one frame, grouped by state and their top five frames (method names), largest \
         groups first; a big group is where a pool is stuck.",
    )]));
    let mut pools = section("pools", "Thread pools");
    pools.blocks.push(Block::Paragraph(rich(
        "Threads whose names differ only in a trailing number (`pool-6-thread-1`, `pool-6-thread-2`), two or more.",
    )));
    for (i, dump) in facts.dumps.iter().enumerate() {
        let label = dump_label(i, dump);
        if many {
            verdict.blocks.push(Block::AnchoredSubheading(
                format!("dump-{}", i + 1),
                vec![text(label.clone())],
            ));
            for s in [&mut threads, &mut deadlocks, &mut locks, &mut stacks, &mut pools] {
                s.blocks.push(Block::Subheading(vec![text(label.clone())]));
            }
        }
        verdict.blocks.push(Block::Paragraph(verdict_line(dump)));
        threads.blocks.extend(thread_blocks(dump));
        deadlocks.blocks.extend(deadlock_blocks(dump));
        locks.blocks.extend(lock_blocks(dump));
        stacks.blocks.extend(stack_blocks(dump));
        pools.blocks.extend(pool_blocks(dump));
    }
    (title, vec![verdict, threads, deadlocks, locks, stacks, pools])
}

/// Text with `backtick` spans as code, so definitions quote the dump's own words.
fn rich(s: &str) -> Vec<Inline> {
    s.split('`')
        .enumerate()
        .filter(|(_, part)| !part.is_empty())
        .map(|(i, part)| if i % 2 == 1 { code(part) } else { text(part) })
        .collect()
}

/// A code cell, or the missing mark as plain text.
fn code_or_missing(value: &Option<String>) -> Cell {
    match value {
        Some(v) => Cell::code(v.clone()),
        None => Cell::text(MISSING),
    }
}

/// Threads stuck at the same frames in every dump (two dumps or more).
fn unchanged_blocks(facts: &ThreadDumps) -> Vec<Block> {
    if facts.unchanged_thread_count == 0 {
        return vec![Block::Paragraph(vec![text(format!(
            "No thread is RUNNABLE or BLOCKED at the same top frames in all {} dumps.",
            facts.dump_count
        ))])];
    }
    let mut blocks = vec![Block::Paragraph(vec![
        strong(format!(
            "{} thread(s) RUNNABLE or BLOCKED at the same top frames in all {} dumps",
            facts.unchanged_thread_count, facts.dump_count
        )),
        text(format!(
            ": the same work or wait the whole time (in a socket read or accept that is usually an idle connection); showing {}.",
            facts.unchanged_threads.len()
        )),
    ])];
    let rows = facts
        .unchanged_threads
        .iter()
        .map(|u| {
            vec![
                Cell::code(u.name.clone()),
                Cell::code(u.state.clone()),
                Cell::code(u.frame.clone()),
            ]
        })
        .collect();
    blocks.push(Block::Table(table(
        &["Thread", "State", "Top frame"],
        &[false, false, false],
        rows,
    )));
    blocks
}

fn section(anchor: &'static str, heading: &str) -> Section {
    Section {
        anchor,
        heading: heading.to_string(),
        blocks: Vec::new(),
    }
}

fn no_dump(facts: &ThreadDumps) -> Section {
    let mut line =
        rich("No thread dump found: no `Full thread dump` banner and no thread entries (`\"name\" … tid=…`).");
    if facts.unsupported_dumps > 0 {
        line.push(text(format!(
            " {} dump(s) in an unread format were recognised and left out (see Input).",
            facts.unsupported_dumps
        )));
    }
    Section {
        anchor: "verdict",
        heading: "Verdict".to_string(),
        blocks: vec![Block::Paragraph(line)],
    }
}

fn dump_label(i: usize, dump: &ThreadDump) -> String {
    match &dump.timestamp {
        Some(ts) => format!("Dump {} (line {}, {ts})", i + 1, dump.first_line),
        None => format!("Dump {} (line {})", i + 1, dump.first_line),
    }
}

fn dump_table(facts: &ThreadDumps) -> crate::document::Table {
    let rows = facts
        .dumps
        .iter()
        .enumerate()
        .map(|(i, d)| {
            vec![
                Cell::text((i + 1).to_string()),
                Cell::text(d.first_line.to_string()),
                Cell::text(d.timestamp.clone().unwrap_or_else(|| MISSING.to_string())),
                Cell::text(d.threads.to_string()),
                Cell::text(states_text(d)),
                Cell::text(d.jvm_reported_deadlocks.to_string()),
                Cell::text(d.most_contended_waiters.to_string()),
            ]
        })
        .collect();
    table(
        &[
            "Dump",
            "Line",
            "Time",
            "Threads",
            "States",
            "Deadlocks",
            "Most waiters on one lock",
        ],
        &[true, true, false, true, false, true, true],
        rows,
    )
}

/// `RUNNABLE 11, BLOCKED 2` (header words when there are no states).
fn states_text(dump: &ThreadDump) -> String {
    let map = if dump.states.is_empty() {
        &dump.header_status
    } else {
        &dump.states
    };
    if map.is_empty() {
        return MISSING.to_string();
    }
    let mut entries: Vec<(&String, &usize)> = map.iter().collect();
    entries.sort_by(|a, b| b.1.cmp(a.1));
    entries
        .iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn names(list: &[String]) -> Vec<Inline> {
    let mut out = Vec::new();
    for (i, name) in list.iter().enumerate() {
        if i > 0 {
            out.push(text(if i + 1 == list.len() { " and " } else { ", " }));
        }
        out.push(code(name.clone()));
    }
    out
}

/// One paragraph: what is wrong (deadlock, contention, or neither), then the numbers.
fn verdict_line(dump: &ThreadDump) -> Vec<Inline> {
    let mut out = Vec::new();
    if let Some(cycle) = dump.deadlocks.first() {
        let cycle_names: Vec<String> = cycle.threads.iter().map(|t| t.name.clone()).collect();
        out.push(strong("JVM-reported deadlock"));
        out.push(text(" between "));
        out.extend(names(&cycle_names));
        out.push(text(": "));
        for (i, t) in cycle.threads.iter().enumerate() {
            if i > 0 {
                out.push(text("; "));
            }
            out.push(code(t.name.clone()));
            out.push(text(" waits for "));
            out.push(code(t.lock_address.clone().unwrap_or_else(|| MISSING.to_string())));
            if let Some(class) = &t.lock_class {
                out.push(text(format!(" ({class})")));
            }
            out.push(text(" held by "));
            out.push(code(t.held_by.clone().unwrap_or_else(|| MISSING.to_string())));
        }
        out.push(text(format!(
            ". The JVM counted {} deadlock(s) in {} cycle(s){}.",
            dump.jvm_reported_deadlocks,
            dump.deadlock_cycles,
            if dump.deadlock_cycles > 1 {
                "; this is the first, all are under Deadlocks"
            } else {
                ""
            }
        )));
    } else if let Some(lock) = dump.contended_locks.first() {
        if dump.most_contended_tie {
            out.push(strong(format!(
                "{} locks each have {} waiting thread(s)",
                dump.most_contended_lock_count, dump.most_contended_waiters
            )));
            out.push(text("; the first, "));
        } else {
            out.push(strong(format!(
                "{} thread(s) blocked on lock {}",
                lock.waiters, lock.address
            )));
            out.push(text(" "));
        }
        out.extend(lock_description(lock, dump.shows_lock_owners, dump.most_contended_tie));
        out.push(text(format!(
            ". In all {} thread(s) wait for {} lock(s).",
            dump.threads_waiting_for_locks, dump.contended_lock_count
        )));
    } else {
        out.push(strong("No lock contention"));
        out.push(text(
            ": no thread waits to enter a monitor or for a ReentrantLock, and the JVM reported no deadlock.",
        ));
    }
    if let Some(group) = dump.stack_groups.first().filter(|g| g.threads > 1) {
        out.push(text(format!(
            " Largest group at the same frames: {} threads {} in ",
            group.threads,
            group.state.as_deref().unwrap_or("(no state)")
        )));
        out.push(code(group.frames.first().cloned().unwrap_or_default()));
        out.push(text("."));
    }
    out.push(text(format!(
        " {} threads ({} with a Java state): {}.",
        dump.threads,
        dump.java_threads,
        states_text(dump)
    )));
    out
}

/// `0x… (class) held by X (STATE, at frame)` or why no holder is known.
fn lock_description(lock: &ContendedLock, shows_owners: bool, with_address: bool) -> Vec<Inline> {
    let mut out = Vec::new();
    if with_address {
        out.push(code(lock.address.clone()));
        out.push(text(" "));
    }
    if let Some(class) = &lock.class {
        out.push(text("("));
        out.push(code(class.clone()));
        out.push(text(") "));
    }
    if lock.owners.is_empty() {
        out.push(text(if shows_owners {
            "held by no thread the dump shows"
        } else {
            "with no owner known (the dump lists no held locks: jstack without -l)"
        }));
        return out;
    }
    out.push(text("held by "));
    out.extend(names(&lock.owners));
    let mut detail = Vec::new();
    if let Some(state) = &lock.owner_state {
        detail.push(text(state.clone()));
    }
    if let Some(frame) = &lock.owner_frame {
        if !detail.is_empty() {
            detail.push(text(", "));
        }
        detail.push(text("at "));
        detail.push(code(frame.clone()));
    }
    if let Some(waits) = &lock.owner_waits_for {
        detail.push(text(", itself waiting for "));
        detail.push(code(waits.clone()));
    }
    if !detail.is_empty() {
        out.push(text(" ("));
        out.extend(detail);
        out.push(text(")"));
    }
    out
}

fn opt(value: &Option<String>) -> String {
    value.clone().unwrap_or_else(|| MISSING.to_string())
}

fn thread_blocks(dump: &ThreadDump) -> Vec<Block> {
    let mut fields = vec![
        field("VM", vec![text(opt(&dump.vm_version))]),
        field("Java release", vec![text(opt(&dump.jdk_version))]),
        field("Printed by", vec![code(dump.format.clone())]),
        field("Lines", vec![text(format!("{}–{}", dump.first_line, dump.last_line))]),
        field(
            "Threads",
            vec![text(format!(
                "{} ({} Java threads with a state, {} without: JVM-internal; {} daemon)",
                dump.threads, dump.java_threads, dump.threads_without_state, dump.daemon_threads
            ))],
        ),
    ];
    if let Some(ts) = &dump.timestamp {
        fields.insert(0, field("Time", vec![text(ts.clone())]));
    }
    if let Some(pid) = dump.pid {
        fields.push(field("Process id", vec![text(pid.to_string())]));
    }
    if dump.virtual_threads > 0 || dump.carrier_threads > 0 {
        fields.push(field(
            "Virtual threads",
            vec![text(format!(
                "{} listed, {} carrier threads carrying one",
                dump.virtual_threads, dump.carrier_threads
            ))],
        ));
    }
    let mut blocks = vec![Block::Fields(fields)];
    if !dump.states.is_empty() {
        blocks.push(Block::Table(count_table("State", &dump.states, dump.threads)));
    }
    if !dump.header_status.is_empty() {
        if dump.states.is_empty() {
            blocks.push(Block::Paragraph(rich(
                "No `java.lang.Thread.State:` lines (JDK 5 or older): the header words are the only state.",
            )));
        }
        blocks.push(Block::Table(count_table(
            "Header words",
            &dump.header_status,
            dump.threads,
        )));
    }
    blocks
}

fn count_table(
    label: &str,
    counts: &std::collections::BTreeMap<String, usize>,
    total: usize,
) -> crate::document::Table {
    let mut entries: Vec<(&String, &usize)> = counts.iter().collect();
    entries.sort_by(|a, b| b.1.cmp(a.1));
    let rows = entries
        .into_iter()
        .map(|(k, v)| {
            vec![
                Cell::code(k.clone()),
                Cell::text(v.to_string()).with_bar(fraction_of(*v as u64, total as u64)),
            ]
        })
        .collect();
    table(&[label, "Threads"], &[false, true], rows)
}

fn deadlock_blocks(dump: &ThreadDump) -> Vec<Block> {
    if dump.deadlocks.is_empty() {
        return vec![Block::Paragraph(vec![text("The JVM reported no deadlock.")])];
    }
    let mut blocks = vec![Block::Paragraph(vec![text(format!(
        "The JVM reported {} deadlock(s) in {} cycle(s){}.",
        dump.jvm_reported_deadlocks,
        dump.deadlock_cycles,
        if dump.deadlocks.len() < dump.deadlock_cycles {
            format!(", the first {} listed", dump.deadlocks.len())
        } else {
            String::new()
        }
    ))])];
    for (i, cycle) in dump.deadlocks.iter().enumerate() {
        blocks.push(Block::Paragraph(vec![text(format!(
            "Cycle {} ({} threads):",
            i + 1,
            cycle.thread_count
        ))]));
        let rows = cycle
            .threads
            .iter()
            .map(|t| {
                vec![
                    Cell::code(t.name.clone()),
                    Cell::text(opt(&t.waits_for)),
                    code_or_missing(&t.lock_address),
                    code_or_missing(&t.lock_class),
                    code_or_missing(&t.held_by),
                ]
            })
            .collect();
        blocks.push(Block::Table(table(
            &["Thread", "Waits for", "Lock", "Class", "Held by"],
            &[false, false, false, false, false],
            rows,
        )));
    }
    blocks
}

fn lock_blocks(dump: &ThreadDump) -> Vec<Block> {
    if dump.contended_locks.is_empty() {
        return vec![Block::Paragraph(vec![text("No thread waits for a lock.")])];
    }
    let mut blocks = vec![Block::Paragraph(vec![text(format!(
        "{} thread(s) wait for {} lock(s); the most contended has {} waiting thread(s){}. Showing {} of {}.",
        dump.threads_waiting_for_locks,
        dump.contended_lock_count,
        dump.most_contended_waiters,
        if dump.most_contended_tie {
            format!(", shared by {} locks", dump.most_contended_lock_count)
        } else {
            String::new()
        },
        dump.contended_locks.len(),
        dump.contended_lock_count
    ))])];
    let rows = dump
        .contended_locks
        .iter()
        .map(|l| {
            let owner = (!l.owners.is_empty()).then(|| l.owners.join(", "));
            let doing = match (&l.owner_state, &l.owner_frame) {
                (Some(s), Some(f)) => format!("{s} at {f}"),
                (Some(s), None) => s.clone(),
                (None, Some(f)) => f.clone(),
                (None, None) => MISSING.to_string(),
            };
            vec![
                Cell::code(l.address.clone()),
                code_or_missing(&l.class),
                Cell::text(l.kind.clone()),
                Cell::text(l.waiters.to_string())
                    .with_bar(fraction_of(l.waiters as u64, dump.most_contended_waiters as u64)),
                code_or_missing(&owner),
                Cell::text(doing),
                Cell::text(l.waiter_names.join(", ")),
            ]
        })
        .collect();
    blocks.push(Block::Table(table(
        &[
            "Lock",
            "Class",
            "Kind",
            "Waiters",
            "Held by",
            "Owner is",
            "Waiting threads",
        ],
        &[false, false, false, true, false, false, false],
        rows,
    )));
    if !dump.shows_lock_owners {
        blocks.push(Block::Paragraph(rich(
            "The dump lists no held locks (no `- locked` lines or owned synchronizers), so owners cannot be \
             known; take the next dump with `jstack -l`.",
        )));
    }
    blocks
}

fn stack_blocks(dump: &ThreadDump) -> Vec<Block> {
    if dump.stack_groups.is_empty() {
        return vec![Block::Paragraph(vec![text("No thread shows a stack frame.")])];
    }
    let mut blocks = vec![Block::Paragraph(vec![text(format!(
        "{} group(s); showing {}.",
        dump.stack_group_count,
        dump.stack_groups.len()
    ))])];
    let largest = dump.stack_groups.first().map_or(0, |g| g.threads);
    let rows = dump
        .stack_groups
        .iter()
        .map(|g| {
            vec![
                Cell::text(g.threads.to_string()).with_bar(fraction_of(g.threads as u64, largest as u64)),
                code_or_missing(&g.state),
                code_or_missing(&g.frames.first().cloned()),
                code_or_missing(&g.application_frame),
                Cell::text(g.thread_names.join(", ")),
            ]
        })
        .collect();
    blocks.push(Block::Table(table(
        &["Threads", "State", "Top frame", "First application frame", "Names"],
        &[true, false, false, false, false],
        rows,
    )));
    blocks
}

fn pool_blocks(dump: &ThreadDump) -> Vec<Block> {
    if dump.pools.is_empty() {
        return vec![Block::Paragraph(vec![text(
            "No thread pools (no two names differ only in a number).",
        )])];
    }
    let mut blocks = vec![Block::Paragraph(vec![text(format!(
        "{} pool(s); showing {}.",
        dump.pool_count,
        dump.pools.len()
    ))])];
    let rows = dump
        .pools
        .iter()
        .map(|p| {
            let mut states: Vec<(&String, &usize)> = p.states.iter().collect();
            states.sort_by(|a, b| b.1.cmp(a.1));
            let states = states
                .iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect::<Vec<_>>()
                .join(", ");
            vec![
                Cell::code(format!("{}…", p.name_prefix)),
                Cell::text(p.threads.to_string()),
                Cell::text(states),
            ]
        })
        .collect();
    blocks.push(Block::Table(table(
        &["Pool", "Threads", "States"],
        &[false, true, false],
        rows,
    )));
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;
    use triage_diagnose::threads::{Deadlock, DeadlockedThread, StackGroup, UnchangedThread};

    fn render(facts: &ThreadDumps) -> String {
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

    fn dump() -> ThreadDump {
        let mut d = ThreadDump {
            first_line: 2,
            last_line: 90,
            threads: 42,
            java_threads: 25,
            threads_without_state: 17,
            format: "hotspot".into(),
            ..ThreadDump::default()
        };
        d.states.insert("BLOCKED".into(), 7);
        d.states.insert("RUNNABLE".into(), 12);
        d
    }

    #[test]
    fn contention_verdict_names_lock_owner_and_counts() {
        let mut d = dump();
        d.contended_locks = vec![ContendedLock {
            address: "0x000000057372ee30".into(),
            class: Some("java.lang.Object".into()),
            kind: "monitor".into(),
            waiters: 7,
            waiter_names: vec!["pool-6-thread-1".into()],
            owners: vec!["pool-6-thread-4".into()],
            owner_state: Some("TIMED_WAITING".into()),
            owner_frame: Some("java.lang.Thread.sleep".into()),
            owner_waits_for: None,
        }];
        d.contended_lock_count = 1;
        d.most_contended_waiters = 7;
        d.most_contended_lock_count = 1;
        d.threads_waiting_for_locks = 7;
        d.shows_lock_owners = true;
        d.stack_groups = vec![StackGroup {
            threads: 7,
            state: Some("BLOCKED".into()),
            frames: vec!["com.example.Work.run".into()],
            application_frame: None,
            thread_names: vec![],
        }];
        let facts = ThreadDumps {
            dump_count: 1,
            dumps: vec![d],
            ..Default::default()
        };
        let md = render(&facts);
        let verdict = md.split("## Threads").next().unwrap();
        assert!(
            verdict.contains("7 thread(s) blocked on lock 0x000000057372ee30"),
            "{verdict}"
        );
        assert!(verdict.contains("pool-6-thread-4"), "{verdict}");
        assert!(verdict.contains("7 threads BLOCKED in"), "{verdict}");
        assert!(
            verdict.contains("42 threads (25 with a Java state): RUNNABLE 12, BLOCKED 7."),
            "{verdict}"
        );
    }

    #[test]
    fn deadlock_verdict_comes_first_and_no_contention_is_said() {
        let mut d = dump();
        d.jvm_reported_deadlocks = 1;
        d.deadlock_cycles = 1;
        d.deadlocks = vec![Deadlock {
            thread_count: 2,
            threads: vec![
                DeadlockedThread {
                    name: "A".into(),
                    held_by: Some("B".into()),
                    ..Default::default()
                },
                DeadlockedThread {
                    name: "B".into(),
                    held_by: Some("A".into()),
                    ..Default::default()
                },
            ],
        }];
        let quiet = dump();
        let facts = ThreadDumps {
            dump_count: 2,
            dumps: vec![d, quiet],
            unchanged_thread_count: 1,
            unchanged_threads: vec![UnchangedThread {
                name: "spinner".into(),
                state: "RUNNABLE".into(),
                frame: "com.example.Loop.spin".into(),
            }],
            ..Default::default()
        };
        let md = render(&facts);
        assert!(md.contains("JVM-reported deadlock"), "{md}");
        assert!(md.contains("No lock contention"), "{md}");
        assert!(md.contains("Dump 2 (line 2)"), "{md}");
        assert!(
            md.contains("1 thread(s) RUNNABLE or BLOCKED at the same top frames in all 2 dumps"),
            "{md}"
        );
    }

    #[test]
    fn a_file_without_dumps_says_so() {
        let md = render(&ThreadDumps {
            unsupported_dumps: 1,
            ..Default::default()
        });
        assert!(md.contains("No thread dump found"), "{md}");
        assert!(md.contains("1 dump(s) in an unread format"), "{md}");
    }
}
