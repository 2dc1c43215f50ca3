//! Java thread dumps: for each dump in a file, the threads per state, the deadlocks the
//! JVM reported, the locks threads queue on and who holds them, groups of threads stuck
//! at the same frames, and thread pools.
//!
//! Read forms: HotSpot's own printer (`jstack` with and without `-l`, `jcmd
//! Thread.print`, `kill -3` output inside an application log, with or without a log
//! prefix on each line or Docker's `json-file` wrapper, `jhsdb jstack` with `--locks` or
//! `--mixed`, JDK 8 `jstack -F` / `-m`), JDK 5 and older (no state lines: header words
//! instead), ThreadMXBean text (`"name" Id=12 BLOCKED …`, `"name" id=12 in WAITING`, OpenJ9's
//! `jcmd Thread.print`), VisualVM (`"name" - Thread t@12`), JRockit, SAP JVM, Android ART
//! traces (one dump per process), IBM J9 / OpenJ9 javacores (see `javacore.rs`), and `jcmd
//! Thread.dump_to_file` plain text and JSON (JDK 21+; JDK 25 adds states and locks).
//! Several dumps in one file are kept apart.
//!
//! Definitions (the facts' doc comments repeat them): a *thread* is an entry whose first
//! line is `"name"` followed by thread attributes; a *Java thread* is one with a
//! `java.lang.Thread.State:` line or a state in its header. A thread *waits for* lock X
//! when its stack says `- waiting to lock <X>`, `- waiting to re-lock in wait() <X>`
//! while it is BLOCKED, or `- parking to wait for <X>` where X is a `ReentrantLock` /
//! `ReentrantReadWriteLock` sync object; parking on anything else (conditions, latches,
//! queues, futures) and `Object.wait()` are waiting for work, not contention. X is *held*
//! by a thread whose stack says `- locked <X>` without `- waiting on <X>` or `- waiting
//! to re-lock in wait() <X>` (a thread inside `X.wait()` has released X), or whose
//! owned-synchronizer list names X.

mod dump;
mod javacore;
mod parse;
mod summary;

use std::collections::BTreeMap;
use std::io::BufRead;

use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::{Lines, Options};
use dump::{DumpBuilder, Outcome};
use parse::Preamble;

/// Frames that make a stack group's key: enough to tell pools apart, few enough that
/// threads doing the same thing fall together.
const GROUP_FRAMES: usize = 5;

/// Preamble lines held back at most (pid, timestamp, version).
const MAX_HELD: usize = 3;

/// Longest Docker `json-file` line joined from its pieces; a longer one is read in parts.
const MAX_DOCKER_LINE: usize = 1 << 20;

/// Lines a thread name with line breaks may span before its header is given up on.
const MAX_NAME_LINES: u64 = 4;

const OUTSIDE: &str = "not part of a thread dump (text before, between or after the dumps)";
const UNRECOGNISED: &str = "inside a thread dump but not a thread header, state, frame, lock or known JVM section line";
const HEAP: &str = "heap summary printed after the threads (not analysed)";
const HEADLESS: &str = "thread header without a quoted name (garbled JVM output); not counted as a thread";
const ANDROID_PREFACE: &str =
    "Android runtime summary before `DALVIK THREADS` (build, classes, heap, GC timings): not analysed";
const SA_ERROR: &str =
    "the serviceability agent's own error trace (`Error occurred during stack walking`), not the thread's frames";
const MIXED_NATIVE: &str =
    "native-only thread of `jhsdb jstack --mixed` (no Java thread header, no Java frames): not a thread entry";
const SUMMARY: &str =
    "JVM summary printed with the dump (SAP JVM monitors and alerts, JRockit lock chains): not analysed";

/// Every dump of one file.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ThreadDumps {
    /// Thread dumps found (banners, or thread entries outside any banner), in file order.
    pub dump_count: usize,
    /// One entry per dump, in file order.
    pub dumps: Vec<ThreadDump>,
    /// Dumps in a format this analysis does not read; see the input's skipped list. (IBM
    /// javacores, once left out, are read now.)
    pub unsupported_dumps: usize,
    /// With two dumps or more: threads (by name) that are RUNNABLE or BLOCKED (JDK 5:
    /// `runnable`, `waiting for monitor entry`) at the same top frames in every dump:
    /// stuck, not merely busy. 0 with a single dump.
    pub unchanged_thread_count: usize,
    /// Those threads (first `options.top`), in the first dump's order.
    pub unchanged_threads: Vec<UnchangedThread>,
}

/// A thread in the same state at the same top frames in every dump of the file.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct UnchangedThread {
    pub name: String,
    pub state: String,
    /// Top frame (method name).
    pub frame: String,
}

/// Facts of one dump.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ThreadDump {
    /// 1-based line of the `Full thread dump` banner (or, without one, of the first thread
    /// entry, the `Deadlock Detection:` line of `jhsdb jstack`, Android's `----- pid N at …`,
    /// a javacore's first line or the JSON dump's `"threadDump"` line).
    pub first_line: u64,
    /// Last line that belonged to the dump.
    pub last_line: u64,
    /// Bare date-time line just before the banner, as printed.
    pub timestamp: Option<String>,
    /// Process id line of `jcmd` (`12345:`) or `Thread.dump_to_file`, Android's banner, a
    /// javacore's `1CIPROCESSID`.
    pub pid: Option<u64>,
    /// Printer of the thread entries: `hotspot` (jstack, jcmd, kill -3, Android), `threadmxbean`,
    /// `visualvm`, `thread_dump_to_file`, `thread_dump_to_file_json`, `javacore`; `none` for a
    /// dump without entries.
    pub format: String,
    /// Text in the banner's last parentheses (or after `VM`), as printed.
    pub vm_version: Option<String>,
    /// Java release stated by `vm_version` (`1.6.0_03`, `11.0.1`, `25`; HotSpot
    /// `25.N-bM` = `1.8.0_N`); `None` when it names only a HotSpot build.
    pub jdk_version: Option<String>,
    /// Thread entries, JVM-internal threads ("VM Thread", "GC Thread#0") included.
    pub threads: usize,
    /// Entries with a `java.lang.Thread.State:` line or a state in their header.
    pub java_threads: usize,
    /// `threads − java_threads`: JVM-internal threads (all threads for JDK 5 and older).
    pub threads_without_state: usize,
    /// Entries marked `daemon`.
    pub daemon_threads: usize,
    /// Entries that are virtual threads (`dump_to_file`, or `virtual` in the header).
    pub virtual_threads: usize,
    /// Platform threads carrying a virtual thread (`Carrying virtual thread #N`, JDK 21+).
    pub carrier_threads: usize,
    /// Threads per state: the first word after `java.lang.Thread.State:` (or the header's
    /// state). Empty for JDK 5 and older.
    pub states: BTreeMap<String, usize>,
    /// Threads per HotSpot header words (`runnable`, `in Object.wait()`, `waiting on
    /// condition`, `waiting for monitor entry`); the only state JDK 5 and older print.
    pub header_status: BTreeMap<String, usize>,
    /// N of the JVM's `Found N deadlock(s).` line; 0 when absent.
    pub jvm_reported_deadlocks: usize,
    /// `Found one Java-level deadlock:` blocks.
    pub deadlock_cycles: usize,
    /// The cycles, thread names in the JVM's order (first `options.top` cycles).
    pub deadlocks: Vec<Deadlock>,
    /// Threads that wait for a lock (per the definition in the module docs).
    pub threads_waiting_for_locks: usize,
    /// Distinct locks with at least one waiting thread.
    pub contended_lock_count: usize,
    /// Waiting threads of the most contended lock; 0 when nobody waits.
    pub most_contended_waiters: usize,
    /// Locks that share that largest waiter count (the first ones of `contended_locks`).
    pub most_contended_lock_count: usize,
    /// More than one lock has the largest waiter count.
    pub most_contended_tie: bool,
    /// Locks with waiters, most waiters first (then by address); first `options.top`.
    pub contended_locks: Vec<ContendedLock>,
    /// The dump shows held locks at all (`- locked` lines or owned-synchronizer lists);
    /// without them (`jstack` without `-l` on a parked lock) owners cannot be known.
    pub shows_lock_owners: bool,
    /// Distinct stack groups (threads with at least one frame, same state and top frames).
    pub stack_group_count: usize,
    /// Largest stack groups first; first `options.top`.
    pub stack_groups: Vec<StackGroup>,
    /// Thread pools: names that differ only in a trailing number, two threads or more.
    pub pool_count: usize,
    /// Largest pools first; first `options.top`.
    pub pools: Vec<ThreadPool>,
}

/// One `Found one Java-level deadlock:` block.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Deadlock {
    /// Threads of the cycle in the JVM's order (first `options.top`).
    pub threads: Vec<DeadlockedThread>,
    /// Threads in the cycle.
    pub thread_count: usize,
}

/// One thread of a deadlock cycle: what it waits for and who holds that.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DeadlockedThread {
    pub name: String,
    /// `monitor` (synchronized) or `ownable synchronizer` (java.util.concurrent lock).
    pub waits_for: Option<String>,
    pub lock_address: Option<String>,
    pub lock_class: Option<String>,
    /// The thread the JVM says holds that lock.
    pub held_by: Option<String>,
}

/// A lock some threads wait for.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ContendedLock {
    /// Lower-case hex with `0x`.
    pub address: String,
    pub class: Option<String>,
    /// `monitor` (synchronized) or `ownable synchronizer` (ReentrantLock and friends).
    pub kind: String,
    /// Threads waiting for it.
    pub waiters: usize,
    /// Their names, in dump order (first `options.top`).
    pub waiter_names: Vec<String>,
    /// Threads shown holding it (`- locked <X>` without `- waiting on <X>` or `- waiting to
    /// re-lock in wait() <X>`, or X in their owned synchronizers); empty when no thread is
    /// (e.g. `jstack` without `-l`).
    pub owners: Vec<String>,
    /// The first owner's state.
    pub owner_state: Option<String>,
    /// The first owner's top frame: what it does while holding the lock.
    pub owner_frame: Option<String>,
    /// The lock the first owner itself waits for (a chain, or a cycle).
    pub owner_waits_for: Option<String>,
}

/// Threads with the same state and the same top frames.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct StackGroup {
    pub threads: usize,
    pub state: Option<String>,
    /// Up to five top frames (method names), top first.
    pub frames: Vec<String>,
    /// The first frame outside the JDK (`java.`, `javax.`, `jdk.`, `sun.`, `com.sun.`)
    /// of the group's first thread: where the application called in.
    pub application_frame: Option<String>,
    /// Names, in dump order (first `options.top`).
    pub thread_names: Vec<String>,
}

/// Threads whose names differ only in a trailing number.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ThreadPool {
    /// The shared name without the trailing number (`pool-6-thread`, `http-nio-8080-exec`).
    pub name_prefix: String,
    pub threads: usize,
    /// Threads per state (header words for JDK 5 and older; `unknown` when neither).
    pub states: BTreeMap<String, usize>,
}

/// Reads every dump in `lines`.
pub fn analyse<R: BufRead>(lines: &mut Lines<R>, options: &Options) -> ThreadDumps {
    let mut analyser = Analyser::new(*options);
    while let Some((line_no, line)) = lines.next_line() {
        analyser.line(line_no, line);
        for (line, count, what, reason) in analyser.skips.drain(..) {
            lines.skip_many(line, count, what, reason);
        }
    }
    analyser.finish_all();
    for (line, count, what, reason) in analyser.skips.drain(..) {
        lines.skip_many(line, count, what, reason);
    }
    analyser.result
}

/// A note for the input's skipped list: first line, count, what, reason.
pub(super) type Skip = (u64, u64, &'static str, &'static str);

/// Where in a dump the reader is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Section {
    /// Thread entries (and the SMR block before them).
    Threads,
    /// After `JNI global refs`: deadlock reports and the heap summary may follow.
    Trailer,
    Heap,
    /// The `"name":` / `waiting to lock …` / `which is held by …` part of a deadlock block.
    DeadlockCycle,
    /// The `Java stack information for the threads listed above:` part.
    DeadlockStacks,
    /// SAP JVM's `Monitors:` and alert summaries: quoted names there are not threads.
    Summary,
    /// JRockit's lock chains; `circular` ones are its deadlocks.
    LockChains {
        circular: bool,
    },
    /// A JSON `Thread.dump_to_file`, read by the nesting of its pretty-printed lines.
    Json,
    /// An IBM javacore, in one of its parts.
    Javacore(javacore::Part),
    /// Android's per-process preface (`Cmd line:`, build, heap, GC timings) before `DALVIK THREADS`.
    Preface,
}

/// A line that may open the next dump, held until that is clear.
struct Held {
    line: u64,
    text: String,
    /// `None`: an unplaced line, kept in case the next banner's log prefix turns out to
    /// hide a timestamp in it (then it is the dump's time).
    kind: Option<Preamble>,
    /// Reason to skip it with if no dump follows.
    reason: &'static str,
}

struct Analyser {
    options: Options,
    result: ThreadDumps,
    dump: Option<DumpBuilder>,
    held: Vec<Held>,
    /// A Docker `json-file` line split into pieces (over 16 KiB): its first line number and
    /// the text so far.
    docker_partial: Option<(u64, String)>,
    /// Skips noted while a line is borrowed from `Lines`, applied after it.
    skips: Vec<Skip>,
    /// Threads unchanged in every dump so far: name, state, top frames (`None` before
    /// the first dump).
    unchanged: Option<Vec<(String, String, Vec<String>)>>,
    /// The start of a header whose thread name holds a line break (`"first part`): first
    /// line, text so far, lines so far.
    name_fragment: Option<(u64, String, u64)>,
}

impl Analyser {
    fn new(options: Options) -> Self {
        Analyser {
            options,
            result: ThreadDumps::default(),
            dump: None,
            held: Vec::new(),
            docker_partial: None,
            skips: Vec::new(),
            unchanged: None,
            name_fragment: None,
        }
    }

    fn skip(&mut self, line: u64, reason: &'static str) {
        self.skips.push((line, 1, "lines", reason));
    }

    fn line(&mut self, line_no: u64, raw: &str) {
        // A container's log in Docker's `json-file` format: each line of the dump is the
        // `log` member of one JSON object.
        if raw.starts_with("{\"") {
            if let Some((text, complete)) = parse::docker_log(raw) {
                let (first, mut joined) = self.docker_partial.take().unwrap_or((line_no, String::new()));
                joined.push_str(&text);
                if !complete && joined.len() < MAX_DOCKER_LINE {
                    self.docker_partial = Some((first, joined));
                } else {
                    self.text_line(first, &joined);
                }
                return;
            }
        }
        self.flush_docker_partial();
        self.text_line(line_no, raw);
    }

    /// A Docker line whose last piece never came is read as it is.
    fn flush_docker_partial(&mut self) {
        if let Some((first, text)) = self.docker_partial.take() {
            self.text_line(first, &text);
        }
    }

    fn text_line(&mut self, line_no: u64, raw: &str) {
        if let Some(at) = parse::banner_at(raw) {
            let before = &raw[..at];
            let prefix = if !before.trim().is_empty() {
                Some(prefix_pattern(before))
            } else if !before.is_empty() {
                // A dump indented as a whole (pasted into a document): that indentation,
                // exactly, so the frames' own indentation still tells them from headers.
                Regex::new(&format!("^{}", regex::escape(before))).ok()
            } else {
                None
            };
            let dump = self.start_dump(line_no, prefix);
            let banner = &raw[at..];
            if let Some(vm) = parse::banner_vm_version(banner) {
                dump.vm_version = Some(vm);
            }
            return;
        }
        if let Some(Section::Javacore(part)) = self.dump.as_ref().map(|d| d.section) {
            let t = raw.trim();
            if t.is_empty() {
                return;
            }
            if javacore::is_start(t) {
                self.start_javacore(line_no, t);
                return;
            }
            let Some(dump) = self.dump.as_mut() else { return };
            let outcome = dump.javacore_line(t, part);
            self.apply(line_no, t, false, outcome);
            return;
        }
        let stripped = match self.dump.as_ref().and_then(|d| d.prefix.as_ref()) {
            Some(prefix) => prefix.find(raw).map_or(raw, |m| &raw[m.end()..]),
            None => raw,
        };
        let t = stripped.trim();
        if t.is_empty() {
            return;
        }
        // Android traces: one dump per process, between `----- pid N at … -----` and
        // `----- end N -----`.
        if let Some((pid, time)) = parse::android_banner(t) {
            let dump = self.start_dump(line_no, None);
            dump.pid = Some(pid);
            dump.timestamp = Some(time.to_string());
            dump.section = Section::Preface;
            return;
        }
        if parse::is_android_end(t) && self.dump.is_some() {
            self.flush_held();
            if let Some(dump) = self.dump.as_mut() {
                dump.last_line = line_no;
            }
            self.finish_dump();
            return;
        }
        // Thread headers start a line; indented quoted names are parts of other sections.
        let indented = stripped.starts_with(char::is_whitespace);
        let in_json = matches!(self.dump.as_ref().map(|d| d.section), Some(Section::Json));
        if let Some(kind) = parse::preamble(t).filter(|_| !in_json) {
            let reason = match self.dump.as_ref().map(|d| d.section) {
                None => OUTSIDE,
                Some(_) => UNRECOGNISED,
            };
            // A JRockit banner is followed by its date and VM line; a jhsdb dump by its
            // version: those belong to the open dump.
            if let Some(dump) = self.dump.as_mut() {
                if dump.threads.is_empty() && dump.section == Section::Threads {
                    match kind {
                        Preamble::Timestamp if dump.timestamp.is_none() => {
                            dump.timestamp = Some(t.to_string());
                            return;
                        }
                        Preamble::Version if dump.vm_version.is_none() => {
                            dump.vm_version = Some(version_text(t));
                            return;
                        }
                        _ => {}
                    }
                }
            }
            if self.held.len() == MAX_HELD {
                let oldest = self.held.remove(0);
                self.skip(oldest.line, oldest.reason);
            }
            self.held.push(Held {
                line: line_no,
                text: t.to_string(),
                kind: Some(kind),
                reason,
            });
            return;
        }
        match self.dump.as_ref().map(|d| d.section) {
            None => self.outside(line_no, t, indented),
            Some(section) => self.inside(line_no, t, indented, section),
        }
    }

    fn flush_held(&mut self) {
        for held in std::mem::take(&mut self.held) {
            self.skip(held.line, held.reason);
        }
    }

    fn outside(&mut self, line_no: u64, t: &str, indented: bool) {
        if javacore::is_javacore_line(t) {
            self.start_javacore(line_no, t);
            return;
        }
        if t.starts_with("\"threadDump\"") {
            let dump = self.start_dump(line_no, None);
            dump.start_json();
            return;
        }
        let opens = t == "Deadlock Detection:"
            || parse::is_deadlock_block(t)
            || (!indented && (parse::header(t).is_some() || parse::sa_thread(t).is_some()));
        if opens {
            self.start_dump(line_no, None);
            self.inside(line_no, t, indented, Section::Threads);
            return;
        }
        self.flush_held();
        self.held.push(Held {
            line: line_no,
            text: t.to_string(),
            kind: None,
            reason: OUTSIDE,
        });
    }

    /// Opens a javacore at its first line (or, in a cut one, at the first line recognised).
    fn start_javacore(&mut self, line_no: u64, t: &str) {
        let dump = self.start_dump(line_no, None);
        dump.start_javacore();
        let part = if t.starts_with("3XM") {
            javacore::Part::Threads
        } else {
            javacore::Part::Other
        };
        let outcome = dump.javacore_line(t, part);
        self.apply(line_no, t, false, outcome);
    }

    /// Closes the open dump and opens one at `line_no`, taking the held preamble.
    fn start_dump(&mut self, line_no: u64, prefix: Option<Regex>) -> &mut DumpBuilder {
        self.finish_dump();
        let mut dump = DumpBuilder::new(line_no, prefix);
        for held in std::mem::take(&mut self.held) {
            let (kind, text) = match held.kind {
                Some(kind) => (kind, held.text.as_str()),
                None => {
                    let unprefixed = dump
                        .prefix
                        .as_ref()
                        .and_then(|p| p.find(&held.text))
                        .map(|m| held.text[m.end()..].trim());
                    match unprefixed.and_then(|u| parse::preamble(u).map(|k| (k, u))) {
                        Some(found) => found,
                        None => {
                            self.skip(held.line, held.reason);
                            continue;
                        }
                    }
                }
            };
            match kind {
                Preamble::Timestamp => {
                    let text = text.strip_prefix("Thread dump triggered at ").unwrap_or(text);
                    dump.timestamp = Some(text.to_string());
                }
                Preamble::Pid => dump.pid = text.trim_end_matches(':').parse().ok(),
                Preamble::Version => dump.vm_version = Some(version_text(text)),
                Preamble::JsonOpen => {}
            }
        }
        self.dump.insert(dump)
    }

    fn finish_dump(&mut self) {
        self.drop_name_fragment();
        if let Some(mut dump) = self.dump.take() {
            dump.end_mixed_block();
            self.skips.append(&mut dump.deferred);
            let stuck = dump.stuck_candidates();
            self.unchanged = Some(match self.unchanged.take() {
                None => stuck
                    .into_iter()
                    .map(|(n, s, f)| (n.to_string(), s.to_string(), f.to_vec()))
                    .collect(),
                Some(mut kept) => {
                    let now: std::collections::HashMap<&str, (&str, &[String])> =
                        stuck.into_iter().rev().map(|(n, s, f)| (n, (s, f))).collect();
                    kept.retain(|(n, s, f)| now.get(n.as_str()) == Some(&(s.as_str(), f.as_slice())));
                    kept
                }
            });
            self.result.dumps.push(dump.finish(&self.options));
            self.result.dump_count += 1;
        }
    }

    fn finish_all(&mut self) {
        self.flush_docker_partial();
        self.flush_held();
        self.finish_dump();
        if self.result.dump_count >= 2 {
            let kept = self.unchanged.take().unwrap_or_default();
            self.result.unchanged_thread_count = kept.len();
            self.result.unchanged_threads = kept
                .into_iter()
                .take(self.options.top)
                .map(|(name, state, frames)| UnchangedThread {
                    name,
                    state,
                    frame: frames.into_iter().next().unwrap_or_default(),
                })
                .collect();
        }
    }

    /// A line while a dump is open (the only caller checks); the `let … else` guards
    /// below hold that, instead of a panic if it ever did not.
    fn inside(&mut self, line_no: u64, t: &str, indented: bool, section: Section) {
        if t == "<EndOfDump>" || t.starts_with("===== END OF THREAD DUMP") {
            self.flush_held();
            if let Some(dump) = self.dump.as_mut() {
                dump.last_line = line_no;
            }
            self.finish_dump();
            return;
        }
        if section == Section::Json {
            let Some(dump) = self.dump.as_mut() else { return };
            let outcome = dump.json_line(t);
            self.flush_held();
            self.apply(line_no, t, indented, outcome);
            return;
        }
        if let Section::LockChains { circular } = section {
            if let Some(outcome) = self.dump.as_mut().and_then(|d| d.lock_chain_line(t, circular)) {
                self.flush_held();
                self.apply(line_no, t, indented, outcome);
                return;
            }
        }
        if parse::is_deadlock_block(t) {
            self.flush_held();
            let Some(dump) = self.dump.as_mut() else { return };
            dump.last_line = line_no;
            dump.current = None;
            dump.deadlocks.push(Vec::new());
            dump.section = Section::DeadlockCycle;
            return;
        }
        if let Some(n) = parse::deadlock_total(t) {
            self.flush_held();
            let Some(dump) = self.dump.as_mut() else { return };
            dump.last_line = line_no;
            dump.jvm_reported_deadlocks = n;
            dump.current = None;
            dump.section = Section::Trailer;
            return;
        }
        let mut header = None;
        let mut header_line = line_no;
        // A thread name with a line break splits its header over lines (`"first part`,
        // `rest" #12 prio=5 … tid=…`): read them joined.
        if let Some((first, mut text, count)) = self.name_fragment.take() {
            // A line that opens a quote of its own starts something new.
            let continues = !t.starts_with('"');
            text.push('\n');
            text.push_str(t);
            header = continues.then(|| parse::header(&text)).flatten();
            header_line = first;
            if header.is_none() {
                if continues && count < MAX_NAME_LINES && is_open_name(&text) && !parse::is_known_line(t) {
                    self.name_fragment = Some((first, text, count + 1));
                    return;
                }
                self.skips.push((first, count, "lines", UNRECOGNISED));
                header_line = line_no;
            }
        }
        if header.is_none() && !indented {
            header = parse::header(t).or_else(|| parse::sa_thread(t));
            if header.is_none() && section == Section::Threads && is_open_name(t) {
                self.flush_held();
                self.name_fragment = Some((line_no, t.to_string(), 1));
                return;
            }
        }
        if let Some(header) = header {
            let line_no = header_line.min(line_no);
            // A bare timestamp just before a banner-less entry: a new dump of the same kind.
            if self.held.iter().any(|h| h.kind == Some(Preamble::Timestamp)) {
                let prefix = self.dump.as_mut().and_then(|d| d.prefix.take());
                self.start_dump(line_no, prefix);
            }
            self.flush_held();
            let Some(dump) = self.dump.as_mut() else { return };
            dump.last_line = line_no;
            dump.section = Section::Threads;
            dump.add_thread(header);
            return;
        }
        self.flush_held();
        let Some(dump) = self.dump.as_mut() else { return };
        dump.at = line_no;
        let outcome = match section {
            Section::Threads => dump.thread_line(t),
            Section::DeadlockCycle => dump.deadlock_cycle_line(t),
            Section::DeadlockStacks => dump.deadlock_stack_line(t),
            Section::Trailer | Section::Heap => dump.trailer_line(t, indented, section),
            Section::Summary => dump.summary_line(t),
            Section::Preface => {
                if t.starts_with("DALVIK THREADS") {
                    dump.section = Section::Threads;
                    Outcome::Used
                } else {
                    Outcome::Skip(ANDROID_PREFACE)
                }
            }
            Section::Javacore(_) => Outcome::Used,
            Section::LockChains { .. } => Outcome::Skip(SUMMARY),
            Section::Json => Outcome::Used,
        };
        self.apply(line_no, t, indented, outcome);
    }

    /// A pending name fragment that no header completed is an unplaced line.
    fn drop_name_fragment(&mut self) {
        if let Some((first, _, count)) = self.name_fragment.take() {
            self.skips.push((first, count, "lines", UNRECOGNISED));
        }
    }

    fn apply(&mut self, line_no: u64, t: &str, indented: bool, outcome: Outcome) {
        let Some(dump) = self.dump.as_mut() else { return };
        self.skips.append(&mut dump.deferred);
        match outcome {
            Outcome::Used => dump.last_line = line_no,
            Outcome::Skip(reason) => {
                dump.last_line = line_no;
                self.skip(line_no, reason);
            }
            Outcome::EndsDump => {
                self.finish_dump();
                self.outside(line_no, t, indented);
            }
        }
    }
}

/// A line that opens a quoted thread name and does not close it: the name goes on on
/// the next line.
fn is_open_name(t: &str) -> bool {
    t.strip_prefix('"').is_some_and(|rest| !rest.contains('"'))
}

/// `JVM version is 25.91-b14` → `25.91-b14`.
fn version_text(t: &str) -> String {
    t.strip_prefix("JVM version is ").unwrap_or(t).trim().to_string()
}

/// A pattern for the log prefix found before a banner (`INFO   | jvm 1    | 2008/07/30
/// 15:10:56 | `, `2024-05-01T10:00:02.1Z stdout F `): the same text, any digits where it
/// had digits and any blank run where it had one (timestamps, pids and padding change).
fn prefix_pattern(prefix: &str) -> Regex {
    let mut pattern = String::from("^");
    let mut previous_class = 0u8;
    for c in prefix.trim_end().chars() {
        let class = if c.is_ascii_digit() {
            1
        } else if c.is_whitespace() {
            2
        } else {
            0
        };
        match class {
            1 if previous_class != 1 => pattern.push_str(r"\d+"),
            2 if previous_class != 2 => pattern.push_str(r"\s+"),
            1 | 2 => {}
            _ => pattern.push_str(&regex::escape(c.encode_utf8(&mut [0; 4]))),
        }
        previous_class = class;
    }
    pattern.push_str(r"\s?");
    // An unbuildable pattern (absurdly long prefix) simply matches nothing.
    Regex::new(&pattern).unwrap_or_else(|_| Regex::new(r"[^\s\S]").expect("static pattern"))
}

#[cfg(test)]
mod tests;
