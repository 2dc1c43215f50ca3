//! One dump as it is read: thread entries with their frames and lock lines, the JVM's
//! deadlock blocks, and the per-section line handlers of the state machine in `mod.rs`.

use regex::Regex;

use super::parse::{self, LockLine, LockRef, Style};
use super::summary;
use super::{Deadlock, DeadlockedThread, Section, ThreadDump, GROUP_FRAMES, HEADLESS, HEAP, SUMMARY, UNRECOGNISED};
use crate::Options;

/// What a line handler did with a line.
pub(super) enum Outcome {
    Used,
    Skip(&'static str),
    /// The line is not part of the dump (it ended before it).
    EndsDump,
}

/// One thread entry as read.
#[derive(Debug, Default)]
pub(super) struct ThreadRecord {
    pub(super) name: String,
    pub(super) state: Option<String>,
    pub(super) status: Option<String>,
    pub(super) daemon: bool,
    pub(super) virtual_thread: bool,
    pub(super) frames: Vec<String>,
    pub(super) application_frame: Option<String>,
    /// The lock it waits for, the kind (`monitor` / `ownable synchronizer`).
    pub(super) wait: Option<(LockRef, &'static str)>,
    pub(super) relock: Option<LockRef>,
    pub(super) waiting_on: Vec<String>,
    pub(super) locked: Vec<LockRef>,
    pub(super) owned: Vec<LockRef>,
    /// The owner the tool printed next to the awaited lock (`owned by "Y"`).
    pub(super) owner_hint: Option<String>,
}

/// The dump being read: its threads so far and the reader's position in it.
pub(super) struct DumpBuilder {
    pub(super) first_line: u64,
    pub(super) last_line: u64,
    pub(super) timestamp: Option<String>,
    pub(super) pid: Option<u64>,
    pub(super) vm_version: Option<String>,
    pub(super) prefix: Option<Regex>,
    pub(super) section: Section,
    pub(super) style: Option<Style>,
    pub(super) threads: Vec<ThreadRecord>,
    /// The thread entry that frame and lock lines belong to.
    pub(super) current: Option<usize>,
    /// Under a `Locked ownable synchronizers:` heading.
    pub(super) in_sync_list: bool,
    pub(super) deadlocks: Vec<Vec<DeadlockedThread>>,
    pub(super) jvm_reported_deadlocks: usize,
    /// `Carrying virtual thread` lines.
    pub(super) carriers: usize,
}

impl DumpBuilder {
    pub(super) fn new(line: u64, prefix: Option<Regex>) -> Self {
        DumpBuilder {
            first_line: line,
            last_line: line,
            timestamp: None,
            pid: None,
            vm_version: None,
            prefix,
            section: Section::Threads,
            style: None,
            threads: Vec::new(),
            current: None,
            in_sync_list: false,
            deadlocks: Vec::new(),
            jvm_reported_deadlocks: 0,
            carriers: 0,
        }
    }

    pub(super) fn add_thread(&mut self, header: parse::Header) {
        self.style.get_or_insert(header.style);
        let mut record = ThreadRecord {
            name: header.name,
            state: header.state,
            status: header.status,
            daemon: header.daemon,
            virtual_thread: header.virtual_thread,
            owner_hint: header.owner_hint,
            ..ThreadRecord::default()
        };
        if let Some(lock) = header.blocked_on {
            let is_wait = record.state.as_deref() == Some("BLOCKED") || is_lock_sync(lock.class.as_deref());
            if is_wait {
                let kind = if record.state.as_deref() == Some("BLOCKED") {
                    "monitor"
                } else {
                    "ownable synchronizer"
                };
                record.wait = Some((lock, kind));
            }
        }
        self.threads.push(record);
        self.current = Some(self.threads.len() - 1);
        self.in_sync_list = false;
    }

    pub(super) fn thread_line(&mut self, t: &str) -> Outcome {
        if t.starts_with("JNI global ref") {
            self.current = None;
            self.section = Section::Trailer;
            return Outcome::Used;
        }
        if t == "Heap" {
            self.current = None;
            self.section = Section::Heap;
            return Outcome::Skip(HEAP);
        }
        if parse::is_smr_line(t) || t == "Deadlock Detection:" || t == "No deadlocks found." {
            return Outcome::Used;
        }
        if parse::is_summary_heading(t) {
            self.current = None;
            self.section = Section::Summary;
            return Outcome::Skip(SUMMARY);
        }
        if let Some(circular) = lock_chain_heading(t) {
            self.current = None;
            self.section = Section::LockChains { circular };
            return Outcome::Skip(SUMMARY);
        }
        if self.is_sap_continuation(t) {
            if let Some(thread) = self.current.map(|i| &mut self.threads[i]) {
                if t.contains("tid=") {
                    thread.status = parse::header_status(t);
                }
            }
            return Outcome::Used;
        }
        if parse::is_headless_header(t) {
            self.current = None;
            return Outcome::Skip(HEADLESS);
        }
        if parse::is_jrockit_version(t) && self.threads.is_empty() {
            if self.vm_version.is_none() {
                self.vm_version = Some(t.to_string());
            }
            return Outcome::Used;
        }
        let Some(index) = self.current else {
            return Outcome::Skip(UNRECOGNISED);
        };
        let style = self.style;
        let in_sync_list = self.in_sync_list;
        let thread = &mut self.threads[index];
        if let Some(state) = parse::state_line(t) {
            thread.state = Some(state.to_string());
            // VisualVM's older form names the lock on the state line.
            if let Some((_, on)) = t.split_once(" on ") {
                if let Some(lock) = parse::lock_ref(on) {
                    let blocked = state == "BLOCKED";
                    if thread.wait.is_none() && (blocked || is_lock_sync(lock.class.as_deref())) {
                        thread.wait = Some((lock, if blocked { "monitor" } else { "ownable synchronizer" }));
                    }
                }
            }
            if let Some((_, owner)) = t.split_once("owned by:") {
                thread.owner_hint = Some(owner.trim().to_string());
            }
            return Outcome::Used;
        }
        if parse::is_sync_list_heading(t) {
            self.in_sync_list = true;
            return Outcome::Used;
        }
        if let Some(lock) = parse::lock_line(t, in_sync_list) {
            apply_lock_line(thread, lock, style);
            return Outcome::Used;
        }
        let frame = parse::frame(t).or_else(|| {
            (style == Some(Style::DumpToFile))
                .then(|| parse::bare_frame(t))
                .flatten()
        });
        if let Some(method) = frame {
            push_frame(thread, method);
            return Outcome::Used;
        }
        if t.starts_with("Carrying virtual thread") {
            self.carriers += 1;
            return Outcome::Used;
        }
        if parse::is_thread_extra(t) {
            return Outcome::Used;
        }
        if let Some(owner) = t.strip_prefix("owned by ") {
            // The JDK 6 demo prints the owner of the header's lock on its own line.
            if let Some(name) = owner.rsplit_once(" Id=").map(|(n, _)| n).or(Some(owner)) {
                thread.owner_hint = Some(name.trim().trim_matches('"').to_string());
            }
            return Outcome::Used;
        }
        Outcome::Skip(UNRECOGNISED)
    }

    /// SAP JVM spreads a header over three lines: `"name" #1 prio=5 … cpu=…` (JVM 6:
    /// `"name" daemon cpu=…`), `io= …`, then `tid=0x… nid=0x… / 1234 runnable […]` (JVM 6:
    /// `prio=5 tid=… nid=… / 1234 pthread-id=32 runnable […]`). Only right after such a
    /// first line (no status, state or frame yet), so a garbled header elsewhere is not
    /// taken for one.
    fn is_sap_continuation(&self, t: &str) -> bool {
        let Some(thread) = self.current.map(|i| &self.threads[i]) else {
            return false;
        };
        let fresh = thread.status.is_none() && thread.state.is_none() && thread.frames.is_empty();
        fresh && (t.starts_with("io=") || t.starts_with("tid=") || (t.starts_with("prio=") && t.contains("tid=")))
    }

    pub(super) fn deadlock_cycle_line(&mut self, t: &str) -> Outcome {
        if t.starts_with("Java stack information for the threads listed above") {
            self.section = Section::DeadlockStacks;
            return Outcome::Used;
        }
        if t.chars().all(|c| c == '=') {
            return Outcome::Used;
        }
        let Some(cycle) = self.deadlocks.last_mut() else {
            return Outcome::Skip(UNRECOGNISED);
        };
        if let Some(name) = parse::deadlock_thread(t) {
            cycle.push(DeadlockedThread {
                name: name.to_string(),
                ..DeadlockedThread::default()
            });
            return Outcome::Used;
        }
        let Some(last) = cycle.last_mut() else {
            return Outcome::Skip(UNRECOGNISED);
        };
        if let Some(wait) = parse::deadlock_wait(t) {
            last.waits_for = Some(wait.kind.to_string());
            if let Some(lock) = wait.lock {
                last.lock_address = Some(lock.address);
                last.lock_class = lock.class;
            }
            // The holder may share the line (`…, which is held by "B"`).
            if let Some(holder) = parse::deadlock_holder(t) {
                last.held_by = Some(holder);
            }
            return Outcome::Used;
        }
        if let Some(holder) = parse::deadlock_holder(t) {
            last.held_by = Some(holder);
            return Outcome::Used;
        }
        Outcome::Skip(UNRECOGNISED)
    }

    pub(super) fn deadlock_stack_line(&mut self, t: &str) -> Outcome {
        let is_stack = t.chars().all(|c| c == '=')
            || parse::deadlock_thread(t).is_some()
            || parse::frame(t).is_some()
            || parse::lock_line(t, true).is_some()
            || parse::is_sync_list_heading(t);
        if is_stack {
            return Outcome::Used;
        }
        self.trailer_line(t, false, Section::Trailer)
    }

    /// A line of the JSON form. Keys this analysis does not use (containers, counts)
    /// and the brackets are consumed; a line that is not JSON ends the dump.
    pub(super) fn json_line(&mut self, t: &str, in_stack: bool) -> Outcome {
        if in_stack {
            if t.starts_with(']') {
                self.section = Section::Json { in_stack: false };
            } else if let (Some(frame), Some(index)) = (parse::json_string(t), self.current) {
                let method = parse::bare_frame(&frame).unwrap_or(frame);
                push_frame(&mut self.threads[index], method);
            }
            return Outcome::Used;
        }
        let Some((key, value)) = parse::json_member(t) else {
            let structural = t.chars().all(|c| matches!(c, '{' | '}' | '[' | ']' | ','));
            return if structural { Outcome::Used } else { Outcome::EndsDump };
        };
        match key {
            "processId" => self.pid = value.parse().ok(),
            "time" => self.timestamp = Some(value),
            "runtimeVersion" => self.vm_version = Some(value),
            "tid" => {
                self.threads.push(ThreadRecord::default());
                self.current = Some(self.threads.len() - 1);
            }
            "stack" => {
                self.section = Section::Json {
                    in_stack: !t.ends_with("[]") && !t.ends_with("[],"),
                }
            }
            _ => {
                if let Some(index) = self.current {
                    json_thread_member(&mut self.threads[index], key, value);
                }
            }
        }
        Outcome::Used
    }

    /// SAP's summaries run until the JNI line (or anything that ends the dump).
    pub(super) fn summary_line(&mut self, t: &str) -> Outcome {
        if t.starts_with("JNI global ref") {
            self.section = Section::Trailer;
            return Outcome::Used;
        }
        Outcome::Skip(SUMMARY)
    }

    /// A line of JRockit's lock chains; `None` hands it back to the usual handling (a
    /// new section or the end of the dump).
    pub(super) fn lock_chain_line(&mut self, t: &str, circular: bool) -> Option<Outcome> {
        if let Some(next) = lock_chain_heading(t) {
            self.section = Section::LockChains { circular: next };
            return Some(Outcome::Skip(SUMMARY));
        }
        if t.chars().all(|c| c == '=') {
            return Some(Outcome::Skip(SUMMARY));
        }
        if t.starts_with("Chain ") && t.ends_with(':') {
            if circular {
                self.deadlocks.push(Vec::new());
            }
            return Some(Outcome::Skip(SUMMARY));
        }
        let name = t.strip_prefix('"').and_then(|r| {
            r.find("\" ")
                .or_else(|| r.strip_suffix('"').map(str::len))
                .map(|end| &r[..end])
        });
        let name = name?;
        if circular {
            if let Some(cycle) = self.deadlocks.last_mut() {
                if let Some(previous) = cycle.last_mut() {
                    previous.held_by.get_or_insert_with(|| name.to_string());
                }
                if !cycle.iter().any(|d| d.name == name) {
                    let lock = t.split_once("waiting for ").and_then(|(_, w)| parse::lock_ref(w));
                    cycle.push(DeadlockedThread {
                        name: name.to_string(),
                        waits_for: lock.as_ref().map(|_| "monitor".to_string()),
                        lock_address: lock.as_ref().map(|l| l.address.clone()),
                        lock_class: lock.and_then(|l| l.class),
                        held_by: None,
                    });
                }
            }
        }
        Some(Outcome::Skip(SUMMARY))
    }

    /// After the threads: the heap summary (indented lines under `Heap`) or the end of
    /// the dump.
    pub(super) fn trailer_line(&mut self, t: &str, indented: bool, section: Section) -> Outcome {
        if parse::is_summary_heading(t) {
            self.section = Section::Summary;
            return Outcome::Skip(SUMMARY);
        }
        if t == "Heap" {
            self.section = Section::Heap;
            return Outcome::Skip(HEAP);
        }
        if t.starts_with("JNI global ref") {
            self.section = Section::Trailer;
            return Outcome::Used;
        }
        if section == Section::Heap && (indented || is_heap_line(t)) {
            return Outcome::Skip(HEAP);
        }
        Outcome::EndsDump
    }

    /// Threads that would be stuck if unchanged in the next dump: RUNNABLE or BLOCKED
    /// (JDK 5 header words alike) with frames. Name, state, top frames.
    pub(super) fn stuck_candidates(&self) -> Vec<(&str, &str, &[String])> {
        const ACTIVE: [&str; 4] = ["RUNNABLE", "BLOCKED", "runnable", "waiting for monitor entry"];
        self.threads
            .iter()
            .filter(|t| !t.frames.is_empty())
            .filter_map(|t| {
                let state = t.state.as_deref().or(t.status.as_deref())?;
                ACTIVE
                    .contains(&state)
                    .then_some((t.name.as_str(), state, t.frames.as_slice()))
            })
            .collect()
    }

    pub(super) fn finish(self, options: &Options) -> ThreadDump {
        let top = options.top;
        let mut dump = ThreadDump {
            first_line: self.first_line,
            last_line: self.last_line,
            timestamp: self.timestamp,
            pid: self.pid,
            format: self.style.map_or("none", Style::name).to_string(),
            jdk_version: self.vm_version.as_deref().and_then(parse::jdk_version),
            vm_version: self.vm_version,
            threads: self.threads.len(),
            jvm_reported_deadlocks: self.jvm_reported_deadlocks,
            deadlock_cycles: self.deadlocks.len(),
            carrier_threads: self.carriers,
            ..ThreadDump::default()
        };
        for thread in &self.threads {
            if let Some(state) = &thread.state {
                dump.java_threads += 1;
                *dump.states.entry(state.clone()).or_default() += 1;
            }
            if let Some(status) = &thread.status {
                *dump.header_status.entry(status.clone()).or_default() += 1;
            }
            dump.daemon_threads += usize::from(thread.daemon);
            dump.virtual_threads += usize::from(thread.virtual_thread);
        }
        dump.threads_without_state = dump.threads - dump.java_threads;
        dump.deadlocks = self
            .deadlocks
            .into_iter()
            .take(top)
            .map(|cycle| Deadlock {
                thread_count: cycle.len(),
                threads: cycle.into_iter().take(top).collect(),
            })
            .collect();
        summary::lock_facts(&self.threads, top, &mut dump);
        summary::stack_groups(&self.threads, top, &mut dump);
        summary::pools(&self.threads, top, &mut dump);
        dump
    }
}

/// JRockit's lock-chain headings; `Some(true)` for the deadlocked (circular) ones.
fn lock_chain_heading(t: &str) -> Option<bool> {
    match t {
        "Circular (deadlocked) lock chains" => Some(true),
        "Blocked lock chains" | "Open lock chains" => Some(false),
        _ => None,
    }
}

/// Members of one thread object in the JSON form (JDK 25 adds state and locks).
fn json_thread_member(thread: &mut ThreadRecord, key: &str, value: String) {
    match key {
        "name" => thread.name = value,
        "virtual" => thread.virtual_thread = value == "true",
        "state" => thread.state = Some(value),
        "blockedOn" => {
            if let Some(lock) = parse::lock_ref(&value) {
                thread.wait.get_or_insert((lock, "monitor"));
            }
        }
        "parkBlocker" | "object" => {
            if let Some(lock) = parse::lock_ref(&value) {
                if thread.wait.is_none() && is_lock_sync(lock.class.as_deref()) {
                    thread.wait = Some((lock, "ownable synchronizer"));
                }
            }
        }
        "waitingOn" => {
            if let Some(lock) = parse::lock_ref(&value) {
                thread.waiting_on.push(lock.address);
            }
        }
        _ => {}
    }
}

fn push_frame(thread: &mut ThreadRecord, method: String) {
    if thread.application_frame.is_none() && !parse::is_jdk_frame(&method) {
        thread.application_frame = Some(method.clone());
    }
    if thread.frames.len() < GROUP_FRAMES {
        thread.frames.push(method);
    }
}

/// Heap summary lines that lost their indentation (the summary is normally indented).
fn is_heap_line(t: &str) -> bool {
    const STARTS: [&str; 14] = [
        "PSYoungGen",
        "ParOldGen",
        "PSOldGen",
        "PSPermGen",
        "eden space",
        "from space",
        "to space",
        "object space",
        "Metaspace",
        "class space",
        "garbage-first heap",
        "region size",
        "def new generation",
        "tenured generation",
    ];
    STARTS.iter().any(|s| t.starts_with(s))
        || t.starts_with("concurrent mark-sweep")
        || t.starts_with("par new generation")
        || t.starts_with("the space")
        || t.starts_with("compacting perm gen")
        || t.starts_with("Shenandoah")
        || t.starts_with("ZHeap")
        || t.starts_with("Card table")
}

/// `ReentrantLock` and `ReentrantReadWriteLock` sync objects: parking on them is waiting
/// for a lock; parking on anything else is waiting for work or a result.
pub(super) fn is_lock_sync(class: Option<&str>) -> bool {
    let Some(class) = class else { return false };
    let simple = class.rsplit('.').next().unwrap_or(class);
    (simple.starts_with("ReentrantLock$") || simple.starts_with("ReentrantReadWriteLock$")) && simple.ends_with("Sync")
}

fn apply_lock_line(thread: &mut ThreadRecord, lock: LockLine, style: Option<Style>) {
    match lock {
        LockLine::WaitingToLock(lock, owner) => {
            if thread.wait.is_none() {
                thread.wait = Some((lock, "monitor"));
            }
            if owner.is_some() {
                thread.owner_hint = owner;
            }
        }
        LockLine::ReLock(lock) => {
            thread.relock.get_or_insert(lock);
        }
        LockLine::Parking(lock) => {
            if thread.wait.is_none() && is_lock_sync(lock.class.as_deref()) {
                thread.wait = Some((lock, "ownable synchronizer"));
            }
        }
        LockLine::WaitingOn(lock) => {
            // ThreadMXBean prints a park as `- waiting on X@hash`; on a lock's sync object
            // that is a wait for the lock, not an Object.wait().
            let mxbean = matches!(style, Some(Style::MxBean | Style::VisualVm));
            if mxbean && thread.wait.is_none() && is_lock_sync(lock.class.as_deref()) {
                thread.wait = Some((lock.clone(), "ownable synchronizer"));
            }
            thread.waiting_on.push(lock.address);
        }
        LockLine::Locked(lock) => thread.locked.push(lock),
        LockLine::Owned(lock) => thread.owned.push(lock),
        LockLine::Nothing => {}
    }
}
