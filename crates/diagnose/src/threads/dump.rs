//! One dump as it is read: thread entries with their frames and lock lines, the JVM's
//! deadlock blocks, and the per-section line handlers of the state machine in `mod.rs`.

use std::collections::HashSet;

use regex::Regex;

use super::javacore::MonitorEntry;
use super::parse::{self, Holder, JsonValue, LockLine, LockRef, Style};
use super::summary;
use super::{
    Deadlock, DeadlockedThread, Section, Skip, ThreadDump, GROUP_FRAMES, HEADLESS, HEAP, MIXED_NATIVE, SA_ERROR,
    SUMMARY, UNRECOGNISED,
};
use crate::Options;

/// Deepest JSON nesting followed (the JDK's dump nests six levels).
const MAX_JSON_DEPTH: usize = 32;

/// An object or array of the JSON form, with the key that opened it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum JsonScope {
    Object(Option<String>),
    Array(Option<String>),
}

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
    /// The owner the tool printed next to the awaited lock (`owned by "Y"`, `held by thread 21`).
    pub(super) owner_hint: Option<Holder>,
    /// The id other lines name this thread by (Android `tid=21`, the JSON dump's `tid`).
    pub(super) thread_id: Option<String>,
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
    /// The open objects and arrays of a JSON dump, outermost first.
    pub(super) json: Vec<JsonScope>,
    /// Javacore: VM addresses of the threads read (the dumping thread is listed twice).
    pub(super) javacore_seen: HashSet<String>,
    /// Javacore: threads say what they wait for themselves (`3XMTHREADBLOCK`).
    pub(super) javacore_blocks: bool,
    /// Javacore: the `LOCKS` section's monitors, applied when the dump ends.
    pub(super) javacore_monitors: Vec<MonitorEntry>,
    /// `jhsdb jstack --mixed`: the block being read while no header or Java frame has made
    /// it a thread entry: its native id, its first line and its lines so far.
    pub(super) mixed_block: Option<(String, u64, u64)>,
    /// Line being read (set by the reader before each line handler).
    pub(super) at: u64,
    /// Notes about lines before the current one, for the input's skipped list.
    pub(super) deferred: Vec<Skip>,
    /// Inside the serviceability agent's own stack trace after `Error occurred during stack
    /// walking:` (not the thread's frames).
    pub(super) sa_error: bool,
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
            json: Vec::new(),
            javacore_seen: HashSet::new(),
            javacore_blocks: false,
            javacore_monitors: Vec::new(),
            mixed_block: None,
            at: line,
            deferred: Vec::new(),
            sa_error: false,
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
            owner_hint: header.owner_hint.map(Holder::Name),
            thread_id: header.thread_id,
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
        self.mixed_block = None;
        self.sa_error = false;
    }

    /// A `--mixed` block that no header or Java frame claimed: a native-only thread, noted
    /// once for all its lines.
    pub(super) fn end_mixed_block(&mut self) {
        if let Some((_, first, lines)) = self.mixed_block.take() {
            self.deferred.push((first, lines, "lines", MIXED_NATIVE));
        }
    }

    /// `----------------- 4251 -----------------`: the next thread's block in `--mixed` output.
    fn mixed_separator(&mut self, t: &str) -> bool {
        let Some(id) = parse::mixed_separator(t) else {
            return false;
        };
        self.end_mixed_block();
        self.section = Section::Threads;
        self.current = None;
        self.sa_error = false;
        self.mixed_block = Some((id.to_string(), self.at, 1));
        true
    }

    /// A frame line of `--mixed` output. JDK 8 prints no header in a block: its first Java
    /// frame makes the entry (named like `jstack -F` names it, `Thread <id>`); native frames
    /// of a block without Java ones belong to no thread entry.
    fn mixed_frame(&mut self, frame: Option<String>) -> Outcome {
        match (self.current, frame) {
            (Some(index), Some(method)) => push_frame(&mut self.threads[index], method),
            (Some(_), None) => {}
            (None, Some(method)) => {
                let Some((id, _, _)) = self.mixed_block.take() else {
                    return Outcome::Skip(UNRECOGNISED);
                };
                let mut record = ThreadRecord {
                    name: format!("Thread {id}"),
                    ..ThreadRecord::default()
                };
                push_frame(&mut record, method);
                self.style.get_or_insert(Style::HotSpot);
                self.threads.push(record);
                self.current = Some(self.threads.len() - 1);
            }
            (None, None) => match self.mixed_block.as_mut() {
                Some((_, _, lines)) => *lines += 1,
                None => return Outcome::Skip(UNRECOGNISED),
            },
        }
        Outcome::Used
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
        if self.mixed_separator(t) {
            return Outcome::Used;
        }
        if let Some(frame) = parse::mixed_frame(t) {
            return self.mixed_frame(frame);
        }
        if t.starts_with("Error occurred during stack walking") {
            self.sa_error = true;
            return Outcome::Skip(SA_ERROR);
        }
        if self.sa_error {
            if !parse::is_sync_list_heading(t) {
                return Outcome::Skip(SA_ERROR);
            }
            self.sa_error = false;
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
                thread.owner_hint = Some(Holder::Name(owner.trim().to_string()));
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
                thread.owner_hint = Some(Holder::Name(name.trim().trim_matches('"').to_string()));
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

    /// Opens the JSON form at its `"threadDump": {` line (the `{` before it was the preamble).
    pub(super) fn start_json(&mut self) {
        self.section = Section::Json;
        self.style = Some(Style::DumpToFileJson);
        self.json = vec![
            JsonScope::Object(None),
            JsonScope::Object(Some("threadDump".to_string())),
        ];
    }

    /// A line of the JSON form, as the JDK pretty-prints it (one member, bracket or array
    /// element a line). The nesting says what a member belongs to: the dump, a thread, a
    /// thread's park blocker, its stack or its owned monitors; containers and counts are
    /// consumed. A line that is not JSON ends the dump; so does the last closing brace.
    pub(super) fn json_line(&mut self, t: &str) -> Outcome {
        let bare = t.trim_end_matches(',').trim_end();
        if bare.starts_with(['}', ']']) {
            self.json.pop();
            if self.json.is_empty() {
                self.section = Section::Trailer;
                self.current = None;
            }
            return Outcome::Used;
        }
        if bare == "{" || bare == "[" {
            let opens_thread = self.json.last() == Some(&JsonScope::Array(Some("threads".to_string())));
            if opens_thread && bare == "{" {
                self.threads.push(ThreadRecord::default());
                self.current = Some(self.threads.len() - 1);
            }
            self.push_json(if bare == "{" {
                JsonScope::Object(None)
            } else {
                JsonScope::Array(None)
            });
            return Outcome::Used;
        }
        if let Some(element) = parse::json_string(bare) {
            self.json_element(element);
            return Outcome::Used;
        }
        let Some((key, value)) = parse::json_member(bare) else {
            return Outcome::EndsDump;
        };
        match value {
            JsonValue::Raw(open) if open == "{" => self.push_json(JsonScope::Object(Some(key))),
            JsonValue::Raw(open) if open == "[" => self.push_json(JsonScope::Array(Some(key))),
            value => self.json_member(&key, value.into_text()),
        }
        Outcome::Used
    }

    fn push_json(&mut self, scope: JsonScope) {
        // Deeper than the JDK ever nests: keep the depth bounded on hostile input.
        if self.json.len() < MAX_JSON_DEPTH {
            self.json.push(scope);
        }
    }

    /// The name of the object or array `up` levels above the innermost one.
    fn json_scope(&self, up: usize) -> Option<&JsonScope> {
        self.json.len().checked_sub(up + 1).and_then(|i| self.json.get(i))
    }

    /// Whether the innermost object is a thread (an element of a `threads` array), `up`
    /// levels above the innermost scope.
    fn in_json_thread(&self, up: usize) -> bool {
        self.json_scope(up) == Some(&JsonScope::Object(None))
            && self.json_scope(up + 1) == Some(&JsonScope::Array(Some("threads".to_string())))
    }

    /// An array element: a frame of `stack`, or a monitor of `monitorsOwned[].locks`.
    fn json_element(&mut self, element: String) {
        let Some(index) = self.current else { return };
        let named =
            |scope: Option<&JsonScope>, name: &str| matches!(scope, Some(JsonScope::Array(Some(n))) if n == name);
        if named(self.json_scope(0), "stack") && self.in_json_thread(1) {
            let method = parse::bare_frame(&element).unwrap_or(element);
            push_frame(&mut self.threads[index], method);
        } else if named(self.json_scope(0), "locks") {
            if let Some(lock) = parse::lock_ref(&element) {
                self.threads[index].locked.push(lock);
            }
        }
    }

    fn json_member(&mut self, key: &str, value: String) {
        if self.json_scope(0) == Some(&JsonScope::Object(Some("threadDump".to_string()))) {
            match key {
                "processId" => self.pid = value.parse().ok(),
                "time" => self.timestamp = Some(value),
                "runtimeVersion" => self.vm_version = Some(value),
                _ => {}
            }
            return;
        }
        let Some(index) = self.current else { return };
        if self.in_json_thread(0) {
            json_thread_member(&mut self.threads[index], key, value);
        } else if self.json_scope(0) == Some(&JsonScope::Object(Some("parkBlocker".to_string())))
            && self.in_json_thread(1)
        {
            let thread = &mut self.threads[index];
            match key {
                "object" => json_thread_member(thread, "parkBlocker", value),
                "owner" if value != "null" => thread.owner_hint = Some(Holder::Id(value)),
                _ => {}
            }
        }
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
        // `jhsdb jstack --mixed` prints its deadlock report first, then the threads.
        if self.mixed_separator(t) {
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
        // With the javacore codes for running and blocked.
        const ACTIVE: [&str; 6] = ["RUNNABLE", "BLOCKED", "runnable", "waiting for monitor entry", "R", "B"];
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

    pub(super) fn finish(mut self, options: &Options) -> ThreadDump {
        let top = options.top;
        self.apply_javacore_monitors();
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
        "tid" => thread.thread_id = Some(value),
        "name" => thread.name = value,
        "virtual" => thread.virtual_thread = value == "true",
        "state" => thread.state = Some(value),
        "blockedOn" => {
            if let Some(lock) = parse::lock_ref(&value) {
                thread.wait.get_or_insert((lock, "monitor"));
            }
        }
        "parkBlocker" => {
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

pub(super) fn push_frame(thread: &mut ThreadRecord, method: String) {
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

pub(super) fn apply_lock_line(thread: &mut ThreadRecord, lock: LockLine, style: Option<Style>) {
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
