//! IBM J9 / OpenJ9 javacores (`kill -3` on an IBM or OpenJ9 JVM, `com.ibm.jvm.Dump`,
//! `-Xdump:java`): every line starts with a tag (`3XMTHREADINFO`, `4XESTACKTRACE`, …).
//!
//! Read: the thread entries (`3XMTHREADINFO "name" …, state:CW, …`; the J9 state code is
//! kept as the entry's header word, there is no `java.lang.Thread.State` line), their frames,
//! daemon flags, what each waits for (`3XMTHREADBLOCK Blocked on: / Parked on: / Waiting on:`),
//! the monitors they entered (`5XESTACKTRACE (entered lock: …)`), the monitor table's
//! waiters and owners (`LOCKS` section, the only lock data of old javacores), the JVM's
//! deadlock report (`1LKDEADLOCK`), the date, Java version and process id. Native threads
//! the JVM does not know (`Anonymous native thread`) are not thread entries. The other
//! sections (environment, memory, classes, GC history, …) are counted as skipped lines.

use super::dump::{apply_lock_line, is_lock_sync, push_frame, DumpBuilder, Outcome, ThreadRecord};
use super::parse::{self, Holder, LockLine, LockRef, Style};
use super::{DeadlockedThread, Section};

pub(super) const JAVACORE_OTHER: &str =
    "javacore section other than threads and locks (environment, memory, classes, …): not analysed";
pub(super) const JAVACORE_NATIVE: &str =
    "javacore native thread unknown to the JVM (`Anonymous native thread`): not a thread entry";
pub(super) const JAVACORE_REPEAT: &str = "javacore thread listed a second time (the dumping thread): counted once";

/// Which part of a javacore the reader is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    /// Sections this analysis does not read.
    Other,
    /// `0SECTION LOCKS`: the monitor table.
    Locks,
    /// A `1LKDEADLOCK` block inside `LOCKS`.
    Deadlock,
    /// `0SECTION THREADS`.
    Threads,
}

/// What the `LOCKS` section says of one monitor: its object, owner and the threads waiting
/// to enter it. Applied when the dump ends (the threads come later in the file).
#[derive(Debug, Default)]
pub(super) struct MonitorEntry {
    lock: Option<LockRef>,
    owner: Option<String>,
    entering: Vec<String>,
    /// Under `Waiting to enter:` (as opposed to `Waiting to be notified:`).
    in_enter_queue: bool,
}

/// The first line of a javacore.
pub(super) fn is_start(t: &str) -> bool {
    t.starts_with("0SECTION") && t["0SECTION".len()..].trim_start().starts_with("TITLE")
}

/// A line that shows a file is a javacore even without its first line (a cut file).
pub(super) fn is_javacore_line(t: &str) -> bool {
    is_start(t) || t.starts_with("1TISIGINFO") || t.starts_with("1TICHARSET") || t.starts_with("3XMTHREADINFO ")
}

impl DumpBuilder {
    pub(super) fn start_javacore(&mut self) {
        self.section = Section::Javacore(Part::Other);
        self.style = Some(Style::Javacore);
    }

    /// One tagged line of a javacore.
    pub(super) fn javacore_line(&mut self, t: &str, part: Part) -> Outcome {
        let (tag, body) = t
            .split_once(char::is_whitespace)
            .map_or((t, ""), |(tag, body)| (tag, body.trim()));
        match tag {
            "0SECTION" => {
                let part = if body.starts_with("THREADS") {
                    Part::Threads
                } else if body.starts_with("LOCKS") {
                    Part::Locks
                } else {
                    Part::Other
                };
                self.current = None;
                self.section = Section::Javacore(part);
                return Outcome::Used;
            }
            "NULL" => {
                if body.contains("END OF DUMP") {
                    self.current = None;
                    self.section = Section::Trailer;
                }
                return Outcome::Used;
            }
            "1TIDATETIME" => {
                self.timestamp = Some(body.strip_prefix("Date:").unwrap_or(body).trim().to_string());
                return Outcome::Used;
            }
            "1TIDATETIMEUTC" => {
                // The local date (`1TIDATETIME`, next line) is preferred when both are there.
                self.timestamp
                    .get_or_insert_with(|| body.strip_prefix("Date:").unwrap_or(body).trim().to_string());
                return Outcome::Used;
            }
            "1CIJAVAVERSION" => {
                self.vm_version = Some(body.to_string());
                return Outcome::Used;
            }
            "1CIPROCESSID" => {
                let id = body
                    .strip_prefix("Process ID:")
                    .unwrap_or(body)
                    .split_whitespace()
                    .next();
                self.pid = id.and_then(|id| id.parse().ok());
                return Outcome::Used;
            }
            _ => {}
        }
        // Thread tags are read wherever they are (a cut javacore may lack its section line).
        if tag.starts_with("3XM") || tag.starts_with("4XE") || tag.starts_with("5XE") {
            return self.javacore_thread_line(tag, body);
        }
        match part {
            Part::Threads => Outcome::Used,
            Part::Locks | Part::Deadlock => self.javacore_lock_line(tag, body, part),
            Part::Other => Outcome::Skip(JAVACORE_OTHER),
        }
    }

    fn javacore_thread_line(&mut self, tag: &str, body: &str) -> Outcome {
        match tag {
            "3XMTHREADINFO" => {
                self.current = None;
                let Some(entry) = thread_info(body) else {
                    return Outcome::Skip(JAVACORE_NATIVE);
                };
                if let Some(id) = entry.vm_thread {
                    if !self.javacore_seen.insert(id) {
                        return Outcome::Skip(JAVACORE_REPEAT);
                    }
                }
                self.threads.push(ThreadRecord {
                    name: entry.name,
                    status: entry.state,
                    ..ThreadRecord::default()
                });
                self.current = Some(self.threads.len() - 1);
            }
            "3XMJAVALTHREAD" => {
                if let Some(thread) = self.current.map(|i| &mut self.threads[i]) {
                    thread.daemon = body.contains("isDaemon:true");
                }
            }
            "3XMTHREADBLOCK" => {
                self.javacore_blocks = true;
                if let (Some((line, holder)), Some(index)) = (thread_block(body), self.current) {
                    let thread = &mut self.threads[index];
                    apply_lock_line(thread, line, self.style);
                    if thread.wait.is_some() && thread.owner_hint.is_none() {
                        thread.owner_hint = holder;
                    }
                }
            }
            "4XESTACKTRACE" => {
                let call = body.strip_prefix("at ").unwrap_or(body);
                let method = call.split('(').next().unwrap_or(call).trim().replace('/', ".");
                if let (false, Some(index)) = (method.is_empty(), self.current) {
                    push_frame(&mut self.threads[index], method);
                }
            }
            "5XESTACKTRACE" => {
                let lock = body
                    .strip_prefix("(entered lock:")
                    .and_then(|rest| parse::lock_ref(rest.split(',').next().unwrap_or(rest)));
                if let (Some(lock), Some(index)) = (lock, self.current) {
                    self.threads[index].locked.push(lock);
                }
            }
            _ => {}
        }
        Outcome::Used
    }

    fn javacore_lock_line(&mut self, tag: &str, body: &str, part: Part) -> Outcome {
        if tag == "1LKDEADLOCK" {
            self.deadlocks.push(Vec::new());
            self.section = Section::Javacore(Part::Deadlock);
            return Outcome::Used;
        }
        if part == Part::Deadlock {
            return self.javacore_deadlock_line(tag, body);
        }
        match tag {
            "3LKMONOBJECT" => {
                let (object, owner) = body.split_once(": ").unwrap_or((body, ""));
                self.javacore_monitors.push(MonitorEntry {
                    lock: parse::lock_ref(object),
                    owner: quoted(owner),
                    ..MonitorEntry::default()
                });
            }
            "3LKWAITERQ" | "3LKNOTIFYQ" => {
                if let Some(monitor) = self.javacore_monitors.last_mut() {
                    monitor.in_enter_queue = tag == "3LKWAITERQ";
                }
            }
            "3LKWAITER" => {
                if let (Some(monitor), Some(name)) = (self.javacore_monitors.last_mut(), quoted(body)) {
                    if monitor.in_enter_queue && monitor.entering.len() < MAX_ENTERING {
                        monitor.entering.push(name);
                    }
                }
            }
            _ => {}
        }
        Outcome::Used
    }

    /// `2LKDEADLOCKTHR Thread "A" (0x…)`, `4LKMONOBJECT X: owner "B" …` in turn, until the
    /// first thread comes round again.
    fn javacore_deadlock_line(&mut self, tag: &str, body: &str) -> Outcome {
        let Some(cycle) = self.deadlocks.last_mut() else {
            return Outcome::Used;
        };
        if tag == "2LKDEADLOCKTHR" {
            let Some(name) = quoted(body) else { return Outcome::Used };
            if let Some(previous) = cycle.last_mut() {
                previous.held_by.get_or_insert_with(|| name.clone());
            }
            if cycle.first().is_some_and(|first| first.name == name) {
                // The cycle closed; anything further belongs to the monitor table.
                self.section = Section::Javacore(Part::Locks);
            } else if cycle.len() < MAX_CYCLE {
                cycle.push(DeadlockedThread {
                    name,
                    ..DeadlockedThread::default()
                });
            }
            return Outcome::Used;
        }
        if tag.starts_with("4LK") {
            let lock = parse::lock_ref(body.split(": ").next().unwrap_or(body));
            if let (Some(last), Some(lock)) = (cycle.last_mut(), lock) {
                if last.lock_address.is_none() {
                    let kind = if is_lock_sync(lock.class.as_deref()) {
                        "ownable synchronizer"
                    } else {
                        "monitor"
                    };
                    last.waits_for = Some(kind.to_string());
                    last.lock_address = Some(lock.address);
                    last.lock_class = lock.class;
                }
            }
        }
        Outcome::Used
    }

    /// The monitor table's waiters and owners, for threads whose own entry did not say
    /// (javacores before `3XMTHREADBLOCK` lines existed).
    pub(super) fn apply_javacore_monitors(&mut self) {
        for monitor in std::mem::take(&mut self.javacore_monitors) {
            let Some(lock) = monitor.lock else { continue };
            for name in &monitor.entering {
                if let Some(thread) = self.threads.iter_mut().find(|t| &t.name == name) {
                    if thread.wait.is_none() && !self.javacore_blocks {
                        thread.wait = Some((lock.clone(), "monitor"));
                        if let Some(owner) = &monitor.owner {
                            thread.owner_hint = Some(Holder::Name(owner.clone()));
                        }
                    }
                }
            }
        }
    }
}

/// Waiters kept per monitor of the table (they only name the owner for old javacores).
const MAX_ENTERING: usize = 100_000;
/// Threads kept per deadlock cycle.
const MAX_CYCLE: usize = 10_000;

/// A `3XMTHREADINFO` entry: name, J9 state code and the thread's VM address (to notice the
/// dumping thread listed twice).
struct ThreadInfo {
    name: String,
    state: Option<String>,
    vm_thread: Option<String>,
}

/// `"main" J9VMThread:0x…, omrthread_t:0x…, java/lang/Thread:0x…, state:CW, prio=5` or the
/// older `"main" (TID:0x…, sys_thread_t:0x…, state:CW, native ID:0x…) prio=5`; `None` for
/// `Anonymous native thread`.
fn thread_info(body: &str) -> Option<ThreadInfo> {
    let rest = body.strip_prefix('"')?;
    let end = ["\" J9VMThread:", "\" (TID:"]
        .iter()
        .filter_map(|marker| rest.rfind(marker))
        .max()
        .or_else(|| rest.rfind('"'))?;
    let name = rest[..end].to_string();
    let attributes = &rest[end + 1..];
    let value_of = |key: &str| {
        attributes
            .split_once(key)
            .map(|(_, v)| v.split([',', ')', ' ']).next().unwrap_or_default().to_string())
    };
    Some(ThreadInfo {
        name,
        state: value_of("state:").filter(|s| !s.is_empty()),
        vm_thread: value_of("J9VMThread:").or_else(|| value_of("TID:")),
    })
}

/// `Blocked on: X Owned by: "T" (…)`, `Parked on: X Owned by: …`, `Waiting on: X Owned by: …`:
/// the lock line it amounts to and the owner named.
fn thread_block(body: &str) -> Option<(LockLine, Option<Holder>)> {
    let (kind, rest) = body.split_once(':')?;
    let (object, owner) = rest.split_once("Owned by:").unwrap_or((rest, ""));
    let lock = parse::lock_ref(object)?;
    let holder = quoted(owner).map(Holder::Name);
    let line = match kind.trim() {
        "Blocked on" => LockLine::WaitingToLock(lock, None),
        "Parked on" => LockLine::Parking(lock),
        "Waiting on" => LockLine::WaitingOn(lock),
        _ => return None,
    };
    Some((line, holder))
}

/// The quoted name in `s` (`Thread "A" (0x…)`, `owner "B" (…)`), up to its last quote
/// (names may hold quotes).
fn quoted(s: &str) -> Option<String> {
    let (_, rest) = s.split_once('"')?;
    let end = rest.rfind('"')?;
    Some(rest[..end].to_string())
}
