//! Recognisers for single lines of thread-dump text: thread headers, state lines, stack
//! frames, lock lines, banners and versions. Pure functions of one line; the state
//! machine that strings them together is in `mod.rs`.
//!
//! Every function takes an already trimmed line and never slices at a byte offset that
//! did not come from a search for an ASCII character, so any UTF-8 input is safe.

use std::sync::OnceLock;

use regex::Regex;

/// The `java.lang.Thread.State` values; other words in those positions are not states.
const STATES: [&str; 6] = ["NEW", "RUNNABLE", "BLOCKED", "WAITING", "TIMED_WAITING", "TERMINATED"];

/// Which tool printed a thread entry, told by its header line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Style {
    /// HotSpot's own printer: `jstack`, `jcmd Thread.print`, `kill -3`, `jhsdb jstack`.
    HotSpot,
    /// `ThreadInfo` text: `"name" Id=12 BLOCKED on …` or the JDK 6 demo's `"name" id=12 in WAITING`.
    MxBean,
    /// VisualVM / NetBeans profiler: `"name" - Thread t@12`.
    VisualVm,
    /// `jcmd Thread.dump_to_file` plain text (JDK 21+): `#12 "name" virtual`.
    DumpToFile,
    /// `jcmd Thread.dump_to_file -format=json` (JDK 21+), read line by line as the JDK
    /// pretty-prints it (one key per line).
    DumpToFileJson,
    /// IBM J9 / OpenJ9 javacore (`3XMTHREADINFO "name" …`).
    Javacore,
}

impl Style {
    pub(super) fn name(self) -> &'static str {
        match self {
            Style::HotSpot => "hotspot",
            Style::MxBean => "threadmxbean",
            Style::VisualVm => "visualvm",
            Style::DumpToFile => "thread_dump_to_file",
            Style::DumpToFileJson => "thread_dump_to_file_json",
            Style::Javacore => "javacore",
        }
    }
}

/// A lock as a dump names it: normalised address and, when printed, its class.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct LockRef {
    /// Lower-case hex with `0x` (identity hashes of the `Class@hash` form get one too).
    pub address: String,
    pub class: Option<String>,
}

/// The first line of a thread entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Header {
    pub name: String,
    pub style: Style,
    pub daemon: bool,
    pub virtual_thread: bool,
    /// The state printed in the header itself (ThreadMXBean, `dump_to_file`).
    pub state: Option<String>,
    /// HotSpot's header words after the attributes (`waiting on condition`).
    pub status: Option<String>,
    /// ThreadMXBean `BLOCKED on X owned by "Y"`: the lock named in the header.
    pub blocked_on: Option<LockRef>,
    pub owner_hint: Option<String>,
    /// A small decimal thread id other lines refer to (Android `tid=21`, named by `held by
    /// thread 21`); HotSpot's `tid=0x…` is an address, not this.
    pub thread_id: Option<String>,
}

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("static pattern"))
}

/// Attributes that make a quoted name a thread header rather than a quoted string.
fn attribute_start() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    re(
        &R,
        r"^\s+(?:#\d|daemon\b|prio=|os_prio=|tid=|nid=|[iI]d=\d|- Thread t@\d|virtual\b|cpu=\d)",
    )
}

/// SAP JVM 6 prints only `cpu=… [reset …] ms allocated=…` on a header's first line; its
/// `prio=`, `tid=` and `nid=` follow on the third line.
fn attribute_marker() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    re(&R, r"(?:tid=|nid=|prio=|\b[iI]d=\d|\bt@\d|#\d|\bcpu=[\d.]+ \[reset )")
}

fn mxbean_state() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    re(
        &R,
        r#"\b[iI]d=\d+\s+(?:in\s+)?(NEW|RUNNABLE|BLOCKED|WAITING|TIMED_WAITING|TERMINATED)\b(?:\s+on\s+(?:lock=)?(\S+))?(?:.*?\bowned by\s+"(.*)"\s+[iI]d=\d+)?"#,
    )
}

fn dump_to_file_header() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    re(&R, r#"^#(\d+)\s+"(.*)"(.*)$"#)
}

/// Parses a thread entry's first line, or `None` when `t` is not one.
pub(super) fn header(t: &str) -> Option<Header> {
    if t.starts_with('#') {
        let caps = dump_to_file_header().captures(t)?;
        let rest = caps.get(3).map_or("", |m| m.as_str());
        let mut header = blank_header(caps[2].to_string(), Style::DumpToFile);
        for word in rest.split_whitespace() {
            if word == "virtual" {
                header.virtual_thread = true;
            } else if STATES.contains(&word) && header.state.is_none() {
                header.state = Some(word.to_string());
            }
        }
        return Some(header);
    }
    let body = t.strip_prefix('"')?;
    // The name ends at the first quote followed by thread attributes, so quotes inside
    // a name and quoted owners later in the line (`owned by "Y"`) both work.
    let (name, rest) = body
        .match_indices('"')
        .map(|(i, _)| (&body[..i], &body[i + 1..]))
        .find(|(_, rest)| attribute_start().is_match(rest))?;
    if !attribute_marker().is_match(rest) {
        return None;
    }
    let rest = rest.trim();
    if let Some(after) = rest.strip_prefix("- Thread t@") {
        if after.starts_with(|c: char| c.is_ascii_digit()) {
            return Some(blank_header(name.to_string(), Style::VisualVm));
        }
    }
    let leading: Vec<&str> = rest.split_whitespace().take(4).collect();
    let daemon = leading.contains(&"daemon");
    let virtual_thread = leading.contains(&"virtual");
    if let Some(caps) = mxbean_state().captures(rest) {
        let mut header = blank_header(name.to_string(), Style::MxBean);
        header.daemon = daemon;
        header.state = Some(caps[1].to_string());
        header.blocked_on = caps.get(2).and_then(|m| lock_ref(m.as_str()));
        header.owner_hint = caps.get(3).map(|m| m.as_str().to_string());
        return Some(header);
    }
    let mut header = blank_header(name.to_string(), Style::HotSpot);
    header.daemon = daemon;
    header.virtual_thread = virtual_thread;
    header.status = header_status(rest);
    header.thread_id = rest
        .split_whitespace()
        .find_map(|w| w.strip_prefix("tid="))
        .filter(|id| !id.is_empty() && id.len() <= 10 && id.chars().all(|c| c.is_ascii_digit()))
        .map(str::to_string);
    Some(header)
}

fn blank_header(name: String, style: Style) -> Header {
    Header {
        name,
        style,
        daemon: false,
        virtual_thread: false,
        state: None,
        status: None,
        blocked_on: None,
        owner_hint: None,
        thread_id: None,
    }
}

/// The words HotSpot prints after the attributes (`runnable`, `in Object.wait()`,
/// `waiting on condition`, `waiting for monitor entry`): the words after the last
/// `key=value`, without SAP's `/ 33268` native id and the `[…]` stack brackets. `None`
/// for a line without `tid=`/`nid=` (SAP prints them on a continuation line).
pub(super) fn header_status(rest: &str) -> Option<String> {
    if !rest.contains("tid=") && !rest.contains("nid=") {
        return None;
    }
    let words: Vec<&str> = rest.split_whitespace().collect();
    let after = words.iter().rposition(|w| w.contains('=')).map_or(0, |i| i + 1);
    let mut status: Vec<&str> = Vec::new();
    for word in words[after..]
        .iter()
        .copied()
        .skip_while(|w| *w == "/" || w.chars().all(|c| c.is_ascii_digit()))
    {
        // The stack range may follow without a space (`sleeping[0x00007f19…]`, JDK 6).
        let (text, bracket) = word.split_once('[').map_or((word, false), |(t, _)| (t, true));
        if !text.is_empty() {
            status.push(text);
        }
        if bracket {
            break;
        }
    }
    if status.is_empty() {
        None
    } else {
        Some(status.join(" "))
    }
}

/// The state word of a `java.lang.Thread.State:` line.
pub(super) fn state_line(t: &str) -> Option<&str> {
    let rest = t.strip_prefix("java.lang.Thread.State:")?;
    rest.split_whitespace().next()
}

/// `Thread 12345: (state = BLOCKED)`: a thread of JDK 8's `jstack -F` (the serviceability
/// agent), which prints no names. The state is HotSpot's own (`IN_NATIVE`, `BLOCKED`,
/// `IN_VM`), not a `java.lang.Thread.State`, so it counts as header words.
pub(super) fn sa_thread(t: &str) -> Option<Header> {
    let rest = t.strip_prefix("Thread ")?;
    let (id, rest) = rest.split_once(": (state = ")?;
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let state = rest.strip_suffix(')')?.trim();
    let mut header = blank_header(format!("Thread {id}"), Style::HotSpot);
    header.status = (!state.is_empty()).then(|| state.to_string());
    Some(header)
}

/// A HotSpot-looking header that lost its quoted name (interleaved output).
pub(super) fn is_headless_header(t: &str) -> bool {
    !t.starts_with('"') && t.contains("tid=") && t.contains("nid=") && t.contains("prio=")
}

/// A stack frame's method (`java.lang.Object.wait`), from `at X(…)` (HotSpot,
/// ThreadMXBean, VisualVM) or ` - X(…) @bci=` (`jhsdb jstack`).
pub(super) fn frame(t: &str) -> Option<String> {
    let call = if let Some(rest) = t.strip_prefix("at ") {
        rest
    } else if t.starts_with("- ") && t.contains("@bci=") {
        &t[2..]
    } else {
        return None;
    };
    Some(method_of(call))
}

/// A `dump_to_file` frame: the `StackTraceElement` text alone on an indented line.
pub(super) fn bare_frame(t: &str) -> Option<String> {
    if t.starts_with('-') || !t.ends_with(')') || !t.contains('(') {
        return None;
    }
    let call = t.strip_prefix("at ").unwrap_or(t);
    Some(method_of(call))
}

/// `java.base/java.lang.Object.wait0(Native Method)` → `java.lang.Object.wait0`: the call
/// without its source location and module.
fn method_of(call: &str) -> String {
    let method = call.split('(').next().unwrap_or(call).trim();
    if let Some((module, rest)) = method.split_once('/') {
        if rest.contains('/') && !rest.contains("/0x") && !rest.starts_with("0x") {
            // JRockit prints internal names: `java/lang/Object.wait`.
            return method.replace('/', ".");
        }
        let is_module = !module.is_empty()
            && module
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '@' | '-'));
        if is_module && !rest.starts_with("0x") {
            return rest.to_string();
        }
    }
    method.to_string()
}

/// Whether a frame's class belongs to the JDK (so the first other frame is the
/// application's).
pub(super) fn is_jdk_frame(method: &str) -> bool {
    const JDK: [&str; 8] = ["java.", "javax.", "jdk.", "sun.", "com.sun.", "jdk/", "java/", "sun/"];
    JDK.iter().any(|p| method.starts_with(p))
}

/// What a `- …` line under a frame says about a lock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum LockLine {
    /// `- waiting to lock <X>`, ThreadMXBean `- blocked on X`, JRockit `-- Blocked trying to get lock: X`;
    /// with the holder when the tool names it.
    WaitingToLock(LockRef, Option<Holder>),
    /// `- waiting to re-lock in wait() <X>` (JDK 9–11): contention only while BLOCKED.
    ReLock(LockRef),
    /// `- parking to wait for <X>`.
    Parking(LockRef),
    /// `- waiting on <X>` (inside `Object.wait()`, so X is released).
    WaitingOn(LockRef),
    /// `- locked <X>`, JRockit `^-- Holding lock: X`.
    Locked(LockRef),
    /// A line of the `Locked ownable synchronizers` list.
    Owned(LockRef),
    /// `- None`, `- eliminated …` and lock lines without a usable address.
    Nothing,
}

/// The holder a tool prints next to an awaited lock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Holder {
    /// By name: `owned by "Thread-0" t@11` (VisualVM), IntelliJ's `waiting for T to release`.
    Name(String),
    /// By thread id: Android's `held by thread 21` (the owner's header says `tid=21`), the
    /// JSON dump's `"owner": "29"`.
    Id(String),
}

/// Builds a [`LockLine`] from the lock and the owner printed next to it.
type MakeLockLine = fn(LockRef, Option<Holder>) -> LockLine;

/// Parses a lock line; `in_sync_list` says the line is under a `Locked ownable
/// synchronizers:` (or `Locked synchronizers:`) heading.
pub(super) fn lock_line(t: &str, in_sync_list: bool) -> Option<LockLine> {
    if let Some(rest) = t.strip_prefix("-- Blocked trying to get lock:") {
        return Some(lock_ref(rest).map_or(LockLine::Nothing, |l| LockLine::WaitingToLock(l, None)));
    }
    if let Some(rest) = t.strip_prefix("^-- Holding lock:") {
        return Some(lock_ref(rest).map_or(LockLine::Nothing, LockLine::Locked));
    }
    // IntelliJ's debugger: `waiting for Thread-1@603 to release lock on <0x25c> (a X)`.
    if let Some((holder, lock)) = t
        .strip_prefix("waiting for ")
        .and_then(|rest| rest.split_once(" to release lock on "))
    {
        let holder = Some(Holder::Name(holder.trim().to_string()));
        return Some(lock_ref(lock).map_or(LockLine::Nothing, |l| LockLine::WaitingToLock(l, holder)));
    }
    if t.starts_with("-- ") || t.starts_with("^-- ") {
        // JRockit's waits for notification and released locks: not held, not contended.
        return Some(LockLine::Nothing);
    }
    let rest = t.strip_prefix('-')?.trim_start();
    let kinds: [(&str, MakeLockLine); 9] = [
        ("waiting to lock", LockLine::WaitingToLock),
        ("waiting to re-lock in wait()", |l, _| LockLine::ReLock(l)),
        ("parking to wait for", |l, _| LockLine::Parking(l)),
        ("waiting on", |l, _| LockLine::WaitingOn(l)),
        ("blocked on", LockLine::WaitingToLock),
        ("locked", |l, _| LockLine::Locked(l)),
        ("eliminated", |_, _| LockLine::Nothing),
        // JDK 25 `Thread.dump_to_file`: a lock the JIT removed.
        ("lock is eliminated", |_, _| LockLine::Nothing),
        // Android: `Thread.sleep` waits on an internal lock object; nobody contends for it.
        ("sleeping on", |_, _| LockLine::Nothing),
    ];
    for (prefix, make) in kinds {
        if let Some(target) = rest.strip_prefix(prefix) {
            if !target.is_empty() && !target.starts_with(char::is_whitespace) {
                continue;
            }
            let owner = owned_by(target);
            return Some(lock_ref(target).map_or(LockLine::Nothing, |l| make(l, owner)));
        }
    }
    if rest == "None" {
        return Some(LockLine::Nothing);
    }
    if in_sync_list {
        // Spring Boot's `/actuator/threaddump` text writes `- Locked <7e9b5dcc> (a …)`.
        let rest = rest.strip_prefix("Locked ").unwrap_or(rest);
        return Some(lock_ref(rest).map_or(LockLine::Nothing, LockLine::Owned));
    }
    None
}

/// The holder printed after a lock: VisualVM's `owned by "Thread-0" t@11`, Android's `held by
/// thread 21`, Dalvik's `held by tid=21 (Thread-21)`.
fn owned_by(target: &str) -> Option<Holder> {
    if let Some((_, after)) = target.split_once(" held by ") {
        let after = after.trim();
        if let Some(id) = after.strip_prefix("thread ") {
            let id: String = id.chars().take_while(char::is_ascii_digit).collect();
            return (!id.is_empty()).then_some(Holder::Id(id));
        }
        if let Some(rest) = after.strip_prefix("tid=") {
            if let Some(name) = rest
                .split_once('(')
                .and_then(|(_, n)| n.rsplit_once(')'))
                .map(|(n, _)| n)
            {
                return Some(Holder::Name(name.to_string()));
            }
            let id: String = rest.chars().take_while(char::is_ascii_digit).collect();
            return (!id.is_empty()).then_some(Holder::Id(id));
        }
    }
    let (_, after) = target.split_once("owned by")?;
    let after = after.trim_start_matches([':', ' ']);
    if let Some(quoted) = after.strip_prefix('"') {
        return quoted.rfind('"').map(|end| Holder::Name(quoted[..end].to_string()));
    }
    after.split_whitespace().next().map(|n| Holder::Name(n.to_string()))
}

/// `<0x0000000712345678> (a java.lang.Object)`, `<7e9b5dcc> (a X)` (VisualVM),
/// `<0x…>, (a java/lang/Object)` (`jhsdb jstack` owned synchronizers), `<java.lang.Object@1b6d3586>`
/// (JDK 25 `Thread.dump_to_file`), `java.lang.Object@1b6d3586` (ThreadMXBean, old VisualVM) or
/// JRockit's `java/lang/Object@0x01234[fat lock]`. Classes come back with dots.
pub(super) fn lock_ref(s: &str) -> Option<LockRef> {
    let s = s.trim();
    if let Some(inner) = s.strip_prefix('<') {
        let end = inner.find('>')?;
        let Some(address) = hex_address(&inner[..end]) else {
            // `<Class@hash>`: an identity string in angle brackets.
            return class_at_hash(&inner[..end]);
        };
        let after = &inner[end + 1..];
        let class = after
            .find("(a ")
            .map(|i| &after[i + 3..])
            .and_then(|c| c.split(')').next())
            .map(|c| c.trim().replace('/', "."))
            .filter(|c| !c.is_empty());
        return Some(LockRef { address, class });
    }
    let token = s.split_whitespace().next()?;
    let token = token.split('[').next().unwrap_or(token);
    class_at_hash(token.trim_end_matches([',', ':']))
}

/// `java.lang.Object@1b6d3586` / `java/lang/Object@0x00000000E0BF7CC8`: class and identity.
fn class_at_hash(token: &str) -> Option<LockRef> {
    let (class, hash) = token.rsplit_once('@')?;
    // Old javacores print the object and its monitor: `java/lang/Object@0x…/0x…`.
    let hash = hash.split('/').next().unwrap_or(hash);
    let address = hex_address(hash)?;
    if class.is_empty() || class.contains(char::is_whitespace) {
        return None;
    }
    Some(LockRef {
        address,
        class: Some(class.replace('/', ".")),
    })
}

fn hex_address(s: &str) -> Option<String> {
    let s = s.trim();
    let digits = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")).unwrap_or(s);
    if digits.is_empty() || digits.len() > 32 || !digits.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    Some(format!("0x{}", digits.to_ascii_lowercase()))
}

/// The heading of an owned-synchronizer list, in each tool's spelling.
pub(super) fn is_sync_list_heading(t: &str) -> bool {
    t.starts_with("Locked ownable synchronizers")
        || t.starts_with("Locked synchronizers")
        || t.starts_with("Number of locked synchronizers")
}

/// Lines a thread entry may carry that say nothing this analysis uses.
pub(super) fn is_thread_extra(t: &str) -> bool {
    t == "No compile task"
        || t == "..."
        || t.starts_with("Compiling:")
        || t.starts_with("Carrying virtual thread")
        || t.starts_with("JavaThread state:")
        || t.starts_with("Mounted virtual thread")
        // IntelliJ's debugger names the threads a BLOCKED one holds up: `blocks Thread-1@603`.
        || t.starts_with("blocks ")
        // SAP JVM: `Thread: 0x… [0x2150] State: _at_safepoint …` (the VM's view of it).
        || (t.starts_with("Thread: 0x") && t.contains(" State: "))
        // Android (ART) traces: `| group="main" sCount=1 …` and native frames.
        || t.starts_with('|')
        || t.starts_with("native: #")
        || t.starts_with("kernel: ")
        || t == "(no managed stack frames)"
}

/// A line with a meaning of its own in a dump (state, frame, lock, section heading): not
/// the middle of a thread name that holds line breaks.
pub(super) fn is_known_line(t: &str) -> bool {
    state_line(t).is_some()
        || frame(t).is_some()
        || lock_line(t, true).is_some_and(|l| l != LockLine::Nothing)
        || t.starts_with("JNI global ref")
        || t == "Heap"
        || is_deadlock_block(t)
        || deadlock_total(t).is_some()
        || is_sync_list_heading(t)
        || is_summary_heading(t)
}

/// Lines of HotSpot's `Threads class SMR info:` block (thread-list addresses).
pub(super) fn is_smr_line(t: &str) -> bool {
    t == "Threads class SMR info:"
        || t == "}"
        || (t.starts_with('_') && t.contains('='))
        || (t.starts_with("0x")
            && t.split(',').all(|a| {
                let a = a.trim();
                a.is_empty()
                    || a.strip_prefix("0x")
                        .is_some_and(|h| h.chars().all(|c| c.is_ascii_hexdigit()))
            }))
}

/// Where a dump's banner starts in a raw line: HotSpot's `Full thread dump …` or
/// JRockit's `===== FULL THREAD DUMP ===`.
pub(super) fn banner_at(line: &str) -> Option<usize> {
    if let Some(i) = line.find("FULL THREAD DUMP") {
        return Some(line[..i].rfind(|c: char| c != '=' && c != ' ').map_or(0, |_| i));
    }
    let i = line.find("Full thread dump")?;
    let rest = &line[i + "Full thread dump".len()..];
    // An application's sentence about a dump is not the JVM's banner.
    (rest.contains("VM") || rest.contains('(') || rest.trim().is_empty()).then_some(i)
}

/// The VM version in a banner: the last parentheses after `VM` (balanced, so SAP's
/// `(8.1.108 11.0.30+000 … (mixed mode))` stays whole), else the words after it
/// (`Java HotSpot(TM) Client VM 1.6.0_03-b05`).
pub(super) fn banner_vm_version(banner: &str) -> Option<String> {
    let banner = banner.trim().trim_end_matches(':').trim_end();
    let after_vm = match banner.rfind(" VM") {
        Some(i) => &banner[i + 3..],
        None => banner,
    };
    if let Some(inner) = last_parenthesised(after_vm) {
        let inner = inner.trim();
        return (!inner.is_empty()).then(|| inner.to_string());
    }
    let words = after_vm.trim();
    (!words.is_empty() && banner.contains(" VM")).then(|| words.to_string())
}

/// The content of the last top-level `( … )` group; an unclosed one runs to the end.
fn last_parenthesised(s: &str) -> Option<&str> {
    let mut depth = 0usize;
    let mut open = None;
    let mut last = None;
    for (i, c) in s.char_indices() {
        match c {
            '(' => {
                if depth == 0 {
                    open = Some(i + 1);
                }
                depth += 1;
            }
            ')' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    last = open.map(|o| &s[o..i]);
                }
            }
            _ => {}
        }
    }
    if depth > 0 {
        return open.map(|o| &s[o..]);
    }
    last
}

/// The Java release a VM version states: `1.6.0_03-b05` → `1.6.0_03`, `11.0.1+13-LTS`
/// → `11.0.1`, `25+36-LTS` → `25`, HotSpot `25.91-b14` → `1.8.0_91`; `None` for other
/// bare HotSpot builds (`11.0-b15`).
pub(super) fn jdk_version(vm: &str) -> Option<String> {
    static LEGACY: OnceLock<Regex> = OnceLock::new();
    static HOTSPOT8: OnceLock<Regex> = OnceLock::new();
    static MODERN: OnceLock<Regex> = OnceLock::new();
    static PLAIN: OnceLock<Regex> = OnceLock::new();
    let first = vm.split([' ', ',']).next().unwrap_or(vm);
    if let Some(c) = re(&HOTSPOT8, r"^25\.(\d+)-b\d+").captures(first) {
        return Some(format!("1.8.0_{}", &c[1]));
    }
    // The release may follow a vendor's own version (SAP `8.1.108 11.0.30+000 …`).
    for word in vm.split([' ', ',', '(', ')']) {
        if let Some(m) = re(&LEGACY, r"^1\.\d+\.\d+(?:_\d+)?").find(word) {
            return Some(m.as_str().to_string());
        }
        if let Some(c) = re(&MODERN, r"^(\d+(?:\.\d+)*)(?:-[A-Za-z][\w.]*)?\+").captures(word) {
            return Some(c[1].to_string());
        }
    }
    if let Some(c) = re(&PLAIN, r"^(\d+)(?:\.\d+){0,3}$").captures(first) {
        if c[1].parse::<u32>().is_ok_and(|major| (9..100).contains(&major)) {
            return Some(first.to_string());
        }
    }
    // Azul Zing / Prime: `21.0.1-zing_23.10.0.0-b3-product-linux-X86_64`.
    static ZING: OnceLock<Regex> = OnceLock::new();
    if let Some(c) = re(&ZING, r"^(\d+(?:\.\d+)*)-zing").captures(first) {
        return Some(c[1].to_string());
    }
    // JRockit and vendor strings carry the release inside (`R28.2.7-7-1.6.0_45-2013…`).
    static EMBEDDED: OnceLock<Regex> = OnceLock::new();
    re(&EMBEDDED, r"\b1\.[4-8]\.\d_\d+")
        .find(vm)
        .map(|m| m.as_str().to_string())
}

/// Lines that may open the next dump (held back until it is clear whether one follows).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Preamble {
    /// A bare date-time: the dump's timestamp.
    Timestamp,
    /// `12345:` (jcmd) or `12345` (`Thread.dump_to_file`).
    Pid,
    /// A runtime version alone on a line (`21.0.2+13-58`, `Thread.dump_to_file`) or
    /// `JVM version is …` (`jhsdb jstack`).
    Version,
    /// The `{` opening a JSON thread dump.
    JsonOpen,
}

pub(super) fn preamble(t: &str) -> Option<Preamble> {
    static TIMESTAMP: OnceLock<Regex> = OnceLock::new();
    if t == "{" {
        return Some(Preamble::JsonOpen);
    }
    // Most lines fail here without a regex.
    let plausible = t.len() <= 64
        && (t.starts_with(|c: char| c.is_ascii_digit())
            || t.starts_with("JVM version is ")
            || t.starts_with(|c: char| c.is_ascii_uppercase()));
    if !plausible {
        return None;
    }
    if let Some(date) = t.strip_prefix("Thread dump triggered at ") {
        return preamble(date).filter(|p| *p == Preamble::Timestamp);
    }
    static PID: OnceLock<Regex> = OnceLock::new();
    static VERSION: OnceLock<Regex> = OnceLock::new();
    if re(
        &TIMESTAMP,
        r"^(?:\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?|[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d(?: [A-Z]{3,4})? \d{4})$",
    )
    .is_match(t)
    {
        return Some(Preamble::Timestamp);
    }
    if re(&PID, r"^\d{1,10}:?$").is_match(t) {
        return Some(Preamble::Pid);
    }
    if t.starts_with("JVM version is ") || re(&VERSION, r"^\d+(?:\.\d+)*(?:-[\w.]+)?\+\d+(?:-[\w.]+)*$").is_match(t) {
        return Some(Preamble::Version);
    }
    None
}

/// One `"key": value` line of a pretty-printed JSON dump: the key and the value, a JSON
/// string unescaped (other values as printed, without a trailing comma: `{`, `[`, `null`, `12`).
pub(super) fn json_member(t: &str) -> Option<(String, JsonValue)> {
    let (key, rest) = json_string_prefix(t)?;
    let value = rest.trim_start().strip_prefix(':')?.trim();
    let value = value.trim_end_matches(',').trim_end();
    let value = match json_string_prefix(value) {
        Some((text, "")) => JsonValue::Text(text),
        _ => JsonValue::Raw(value.to_string()),
    };
    Some((key, value))
}

/// A member's value: a string's text, or anything else as printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum JsonValue {
    Text(String),
    Raw(String),
}

impl JsonValue {
    pub(super) fn into_text(self) -> String {
        match self {
            JsonValue::Text(s) | JsonValue::Raw(s) => s,
        }
    }
}

/// A JSON string literal that is the whole of `value` (`"java.base\/java.lang.Object.wait0(…)"`,
/// a trailing comma allowed).
pub(super) fn json_string(value: &str) -> Option<String> {
    let value = value.trim().trim_end_matches(',').trim_end();
    match json_string_prefix(value)? {
        (text, "") => Some(text),
        _ => None,
    }
}

/// The JSON string literal at the start of `s`, unescaped, and the text after it.
pub(super) fn json_string_prefix(s: &str) -> Option<(String, &str)> {
    let inner = s.strip_prefix('"')?;
    let mut out = String::new();
    let mut chars = inner.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((out, &inner[i + 1..])),
            '\\' => match chars.next().map(|(_, e)| e) {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('r') => out.push('\r'),
                Some('b') => out.push('\u{8}'),
                Some('f') => out.push('\u{c}'),
                Some('u') => {
                    let unit = hex_unit(&mut chars);
                    // A surrogate pair is two escapes that make one character.
                    let c = match unit {
                        Some(high @ 0xD800..=0xDBFF) => {
                            let rest = chars.as_str();
                            let low = rest
                                .strip_prefix("\\u")
                                .and_then(|h| h.get(..4))
                                .and_then(|h| u32::from_str_radix(h, 16).ok())
                                .filter(|low| (0xDC00..=0xDFFF).contains(low));
                            match low {
                                Some(low) => {
                                    for _ in 0..6 {
                                        chars.next();
                                    }
                                    char::from_u32(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
                                }
                                None => None,
                            }
                        }
                        Some(unit) => char::from_u32(unit),
                        None => None,
                    };
                    out.push(c.unwrap_or('\u{fffd}'));
                }
                Some(other) => out.push(other),
                None => return None,
            },
            _ => out.push(c),
        }
    }
    None
}

/// The four hex digits of a `\uXXXX` escape.
fn hex_unit(chars: &mut std::str::CharIndices) -> Option<u32> {
    let mut unit = 0u32;
    for _ in 0..4 {
        let digit = chars.next()?.1.to_digit(16)?;
        unit = unit * 16 + digit;
    }
    Some(unit)
}

/// `Found one Java-level deadlock:` opens one JVM-reported cycle.
pub(super) fn is_deadlock_block(t: &str) -> bool {
    t.starts_with("Found one") && t.contains("deadlock")
}

/// N of `Found N deadlock(s).` (`Found a total of N deadlocks.` from the SA).
pub(super) fn deadlock_total(t: &str) -> Option<usize> {
    let rest = t.strip_prefix("Found ")?;
    let rest = rest.strip_prefix("a total of ").unwrap_or(rest);
    let (n, after) = rest.split_once(' ')?;
    if !after.starts_with("deadlock") {
        return None;
    }
    n.parse().ok()
}

/// One thread's line pair in a JVM deadlock report: what it waits for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct DeadlockWait {
    /// `monitor` or `ownable synchronizer`.
    pub kind: &'static str,
    pub lock: Option<LockRef>,
}

/// `waiting to lock monitor 0x… (object 0x…, a java.lang.Object),` or
/// `waiting for ownable synchronizer 0x…, (a java.util.concurrent.locks.ReentrantLock$NonfairSync),`
/// (the SA spells them `Monitor@0x… (Object@0x…, a java/lang/Object)`).
pub(super) fn deadlock_wait(t: &str) -> Option<DeadlockWait> {
    static OBJECT: OnceLock<Regex> = OnceLock::new();
    static SYNC: OnceLock<Regex> = OnceLock::new();
    if t.starts_with("waiting to lock") {
        let caps = re(&OBJECT, r"(?i)\(object[@ ]?\s*(0x[0-9a-f]+),\s*a\s+([^)]+)\)").captures(t);
        let lock = caps.and_then(|c| {
            Some(LockRef {
                address: hex_address(&c[1])?,
                class: Some(c[2].trim().replace('/', ".")),
            })
        });
        return Some(DeadlockWait { kind: "monitor", lock });
    }
    if t.starts_with("waiting for ownable synchronizer") {
        let caps = re(&SYNC, r"synchronizer\s+(?:\S*@)?(0x[0-9a-fA-F]+),?\s*\(a\s+([^)]+)\)").captures(t);
        let lock = caps.and_then(|c| {
            Some(LockRef {
                address: hex_address(&c[1])?,
                class: Some(c[2].trim().replace('/', ".")),
            })
        });
        return Some(DeadlockWait {
            kind: "ownable synchronizer",
            lock,
        });
    }
    None
}

/// `which is held by "B"` (also `in JNI, which is held by …`, `UNKNOWN_owner_addr=…`).
pub(super) fn deadlock_holder(t: &str) -> Option<String> {
    let (_, after) = t.split_once("which is held by")?;
    let after = after.trim();
    if let Some(quoted) = after.strip_prefix('"') {
        return quoted.rfind('"').map(|end| quoted[..end].to_string());
    }
    (!after.is_empty()).then(|| after.to_string())
}

/// `"name":` opening one thread in a deadlock report; SAP JVM adds the thread's address:
/// `"name" (tid=0x…):`, and `"name"(tid=0x…):` in the stack part.
pub(super) fn deadlock_thread(t: &str) -> Option<&str> {
    let body = t.strip_prefix('"')?.strip_suffix(':')?;
    if let Some(name) = body.strip_suffix('"') {
        return Some(name);
    }
    let (name, address) = body.rsplit_once('"')?;
    let address = address.trim_start().strip_prefix("(tid=")?.strip_suffix(')')?;
    hex_address(address).map(|_| name)
}

/// Headings of the summaries SAP JVM prints with a dump (monitors, alerts, threads that
/// wait on a deadlocked one): the quoted names in them are not thread entries.
pub(super) fn is_summary_heading(t: &str) -> bool {
    t == "Monitors:"
        || t.starts_with("Information about alerts")
        || t.starts_with("Threads (in)directly waiting on deadlocked thread")
}

/// A name's pool: the name without its trailing counter (`pool-6-thread-4` →
/// `pool-6-thread`, `GC Thread#0` → `GC Thread`); `None` when it ends in no number.
pub(super) fn pool_prefix(name: &str) -> Option<&str> {
    let trimmed = name.trim_end_matches(|c: char| c.is_ascii_digit() || "-_#.():@[]/ ".contains(c));
    let stripped = &name[trimmed.len()..];
    (stripped.chars().any(|c| c.is_ascii_digit()) && !trimmed.is_empty()).then_some(trimmed)
}

/// JRockit's one-line VM description under its banner (`Oracle JRockit(R) R28…`).
pub(super) fn is_jrockit_version(t: &str) -> bool {
    t.contains("JRockit(R)")
}

/// The text of a Docker `json-file` log line (`{"log":"…\n","stream":"stdout","time":"…"}`),
/// without its line break, and whether it ends a line (Docker cuts lines over 16 KiB into
/// pieces without one).
pub(super) fn docker_log(line: &str) -> Option<(String, bool)> {
    if !line.starts_with('{') || !line.trim_end().ends_with('}') {
        return None;
    }
    let at = line.find("\"log\":")?;
    let (mut text, _) = json_string_prefix(line[at + "\"log\":".len()..].trim_start())?;
    let complete = text.ends_with('\n');
    while text.ends_with(['\n', '\r']) {
        text.pop();
    }
    Some((text, complete))
}

/// Android's per-process banner: `----- pid 4242 at 2024-05-01 10:00:00.123456789+0000 -----`;
/// the pid and the time as printed.
pub(super) fn android_banner(t: &str) -> Option<(u64, &str)> {
    let rest = t.strip_prefix("----- pid ")?.strip_suffix("-----")?;
    let (pid, time) = rest.split_once(" at ")?;
    Some((pid.trim().parse().ok()?, time.trim()))
}

/// `----- end 4242 -----`, which closes an Android process's threads.
pub(super) fn is_android_end(t: &str) -> bool {
    t.strip_prefix("----- end ")
        .and_then(|r| r.strip_suffix("-----"))
        .is_some_and(|pid| {
            let pid = pid.trim();
            !pid.is_empty() && pid.chars().all(|c| c.is_ascii_digit())
        })
}

/// `jhsdb jstack --mixed` (and JDK 8 `jstack -m`): `----------------- 4251 -----------------`
/// opens each thread's block; the native thread id.
pub(super) fn mixed_separator(t: &str) -> Option<&str> {
    let id = t
        .strip_prefix("-----------------")?
        .strip_suffix("-----------------")?
        .trim();
    (!id.is_empty() && id.chars().all(|c| c.is_ascii_digit())).then_some(id)
}

/// A frame of `jhsdb jstack --mixed`: `0x00007f…<tab>* java.lang.Object.wait(long) bci:0 (Interpreted
/// frame)` is a Java frame (`Some(Some(method))`); `0x00007f…<tab>__pthread_cond_wait + 0xc5` is a
/// native one (`Some(None)`).
pub(super) fn mixed_frame(t: &str) -> Option<Option<String>> {
    if !t.starts_with("0x") {
        return None;
    }
    let (pc, rest) = t.split_once(char::is_whitespace)?;
    hex_address(pc)?;
    Some(rest.trim_start().strip_prefix("* ").map(method_of))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hotspot_headers_of_every_jdk_give_name_daemon_and_status() {
        let h = header(r#""main" #1 prio=5 os_prio=31 cpu=108.49ms elapsed=17.27s tid=0x00007fcefc008800 nid=0x2803 waiting for monitor entry  [0x000070000c44a000]"#).unwrap();
        assert_eq!((h.name.as_str(), h.style, h.daemon), ("main", Style::HotSpot, false));
        assert_eq!(h.status.as_deref(), Some("waiting for monitor entry"));
        let h = header(r#""Signal Dispatcher" daemon prio=10 tid=0x0091ec70 nid=0x100 waiting on condition [0..0]"#)
            .unwrap();
        assert!(h.daemon);
        assert_eq!(h.status.as_deref(), Some("waiting on condition"));
        let h = header(r#""C1 CompilerThread0" #21 [27139] daemon prio=9 os_prio=31 cpu=1.2ms elapsed=2s allocated=1K defined_classes=0 tid=0x1 nid=27139 runnable  [0x0]"#).unwrap();
        assert_eq!(h.status.as_deref(), Some("runnable"));
        let h =
            header(r#""VM Thread" os_prio=31 cpu=1.48ms elapsed=17.25s tid=0x00007fceff825000 nid=0x4d03 runnable  "#)
                .unwrap();
        assert_eq!((h.name.as_str(), h.status.as_deref()), ("VM Thread", Some("runnable")));
        let h =
            header(r#""Finalizer" daemon prio=8 tid=0x0090c7a0 nid=0xe0c in Object.wait() [0x02d0f000..0x02d0fd68]"#)
                .unwrap();
        assert_eq!(h.status.as_deref(), Some("in Object.wait()"));
    }

    #[test]
    fn quotes_inside_names_and_deadlock_lines_are_not_headers() {
        let h = header(r#""say "hi" now" #9 prio=5 os_prio=0 tid=0x1 nid=0x2 runnable"#).unwrap();
        assert_eq!(h.name, r#"say "hi" now"#);
        assert!(header(r#""main":"#).is_none());
        assert!(header(r#""GET /x HTTP/1.1" 200 512"#).is_none());
        assert!(header(r#""DeadlockThread-A" is a name"#).is_none());
    }

    #[test]
    fn mxbean_visualvm_and_dump_to_file_headers() {
        let h = header(r#""RMI TCP Connection(23)-127.0.1.1" id=3149 in RUNNABLE (running in native)"#).unwrap();
        assert_eq!((h.style, h.state.as_deref()), (Style::MxBean, Some("RUNNABLE")));
        let h = header(r#""Thread-0" Id=12 BLOCKED on java.lang.Object@1b6d3586 owned by "Thread-1" Id=13"#).unwrap();
        assert_eq!((h.name.as_str(), h.state.as_deref()), ("Thread-0", Some("BLOCKED")));
        assert_eq!(h.blocked_on.unwrap().address, "0x1b6d3586");
        assert_eq!(h.owner_hint.as_deref(), Some("Thread-1"));
        let h = header(r#""Reference Handler" daemon prio=10 Id=2 RUNNABLE"#).unwrap();
        assert!(h.daemon && h.style == Style::MxBean);
        let h = header(r#""Timer-180" - Thread t@332"#).unwrap();
        assert_eq!((h.name.as_str(), h.style), ("Timer-180", Style::VisualVm));
        let h = header(r#"#23 "" virtual"#).unwrap();
        assert!(h.virtual_thread && h.name.is_empty() && h.style == Style::DumpToFile);
        let h = header(r#"#1 "main" WAITING"#).unwrap();
        assert_eq!(h.state.as_deref(), Some("WAITING"));
    }

    #[test]
    fn lock_lines_in_each_spelling() {
        let l = lock_line("- waiting to lock <0x000000070FE20F58> (a java.lang.Object)", false);
        assert_eq!(
            l,
            Some(LockLine::WaitingToLock(
                LockRef {
                    address: "0x000000070fe20f58".into(),
                    class: Some("java.lang.Object".into())
                },
                None
            ))
        );
        let l = lock_line(
            "- parking to wait for  <0x1> (a java.util.concurrent.locks.ReentrantLock$NonfairSync)",
            false,
        );
        assert!(
            matches!(l, Some(LockLine::Parking(r)) if r.class.as_deref() == Some("java.util.concurrent.locks.ReentrantLock$NonfairSync"))
        );
        let l = lock_line(
            r#"- waiting to lock <7e9b5dcc> (a java.lang.Object) owned by "Thread-0" t@11"#,
            false,
        );
        assert!(
            matches!(l, Some(LockLine::WaitingToLock(r, Some(Holder::Name(o)))) if r.address == "0x7e9b5dcc" && o == "Thread-0")
        );
        assert!(
            matches!(lock_line("-  blocked on java.lang.Object@1b6d3586", false), Some(LockLine::WaitingToLock(r, None)) if r.address == "0x1b6d3586")
        );
        assert!(matches!(
            lock_line("- locked java.io.BufferedInputStream@5284339c", false),
            Some(LockLine::Locked(_))
        ));
        assert_eq!(lock_line("- None", true), Some(LockLine::Nothing));
        assert!(matches!(
            lock_line(
                "- <0x0000000572> (a java.util.concurrent.ThreadPoolExecutor$Worker)",
                true
            ),
            Some(LockLine::Owned(_))
        ));
        assert!(
            matches!(lock_line("- java.util.concurrent.locks.ReentrantLock$NonfairSync@166fba", true), Some(LockLine::Owned(r)) if r.address == "0x166fba")
        );
        assert_eq!(
            lock_line("- eliminated <owner is scalar replaced> (a java.lang.Object)", false),
            Some(LockLine::Nothing)
        );
        assert_eq!(
            lock_line("- waiting to lock <no object reference available>", false),
            Some(LockLine::Nothing)
        );
        assert!(lock_line("- something else", false).is_none());
        assert!(
            matches!(lock_line("-- Blocked trying to get lock: java/lang/Object@0x01234[fat lock]", false), Some(LockLine::WaitingToLock(r, None)) if r.class.as_deref() == Some("java.lang.Object"))
        );
    }

    #[test]
    fn frames_lose_location_and_module() {
        assert_eq!(
            frame("at java.lang.Object.wait(java.base@11.0.1/Native Method)").unwrap(),
            "java.lang.Object.wait"
        );
        assert_eq!(
            frame("at Test$$Lambda/0x00003800011ad400.run(Unknown Source)").unwrap(),
            "Test$$Lambda/0x00003800011ad400.run"
        );
        assert_eq!(
            frame("- java.lang.Thread.sleep(long) @bci=0 (Interpreted frame)").unwrap(),
            "java.lang.Thread.sleep"
        );
        assert_eq!(
            bare_frame("java.base/java.lang.VirtualThread.park(VirtualThread.java:582)").unwrap(),
            "java.lang.VirtualThread.park"
        );
        assert!(frame("- locked <0x1>").is_none());
    }

    #[test]
    fn versions_from_banners() {
        let v = |b: &str| banner_vm_version(b);
        assert_eq!(
            v("Full thread dump OpenJDK 64-Bit Server VM (25+36-LTS mixed mode, sharing):").as_deref(),
            Some("25+36-LTS mixed mode, sharing")
        );
        assert_eq!(
            v("Full thread dump Java HotSpot(TM) Client VM 1.6.0_03-b05").as_deref(),
            Some("1.6.0_03-b05")
        );
        assert_eq!(
            v("Full thread dump OpenJDK 64-Bit Server VM (Zulu 17.36+13-CA) (17.0.4+8-LTS mixed mode):").as_deref(),
            Some("17.0.4+8-LTS mixed mode")
        );
        assert_eq!(v("Full thread dump").as_deref(), None);
        assert_eq!(jdk_version("25+36-LTS mixed mode, sharing").as_deref(), Some("25"));
        assert_eq!(jdk_version("11.0.1+13-LTS mixed mode").as_deref(), Some("11.0.1"));
        assert_eq!(jdk_version("25.91-b14 mixed mode").as_deref(), Some("1.8.0_91"));
        assert_eq!(jdk_version("1.6.0_03-b05").as_deref(), Some("1.6.0_03"));
        assert_eq!(jdk_version("1.5.0-b64 mixed mode").as_deref(), Some("1.5.0"));
        assert_eq!(jdk_version("11.0-b15 mixed mode"), None);
        assert_eq!(jdk_version("24.80-b11 mixed mode"), None);
        assert_eq!(jdk_version("24-ea+20-2234 mixed mode").as_deref(), Some("24"));
        assert_eq!(jdk_version("17.0.2").as_deref(), Some("17.0.2"));
        assert_eq!(
            jdk_version("Oracle JRockit(R) R28.2.7-7-155314-1.6.0_45-20130329-0641-linux-x86_64").as_deref(),
            Some("1.6.0_45")
        );
    }

    #[test]
    fn banners_are_found_after_log_prefixes_but_not_in_sentences() {
        assert_eq!(
            banner_at("Full thread dump OpenJDK 64-Bit Server VM (17.0.9+9 mixed mode):"),
            Some(0)
        );
        assert_eq!(
            banner_at("2024-01-01T10:00:00.1Z stdout F Full thread dump OpenJDK 64-Bit Server VM (17 mixed mode):"),
            Some(32)
        );
        assert_eq!(banner_at("===== FULL THREAD DUMP ==============="), Some(0));
        assert_eq!(banner_at("INFO taking a Full thread dump now"), None);
    }

    #[test]
    fn deadlock_report_lines() {
        let w = deadlock_wait(
            "waiting to lock monitor 0x00007fcefca13e00 (object 0x000000070fe20f58, a java.lang.Object),",
        )
        .unwrap();
        assert_eq!(w.lock.unwrap().address, "0x000000070fe20f58");
        let w = deadlock_wait("waiting for ownable synchronizer 0x000000076ab62208, (a java.util.concurrent.locks.ReentrantLock$NonfairSync),").unwrap();
        assert_eq!(w.kind, "ownable synchronizer");
        assert_eq!(
            w.lock.unwrap().class.as_deref(),
            Some("java.util.concurrent.locks.ReentrantLock$NonfairSync")
        );
        let w =
            deadlock_wait("waiting to lock Monitor@0x00007f1c (Object@0x00000007d5a0, a java/lang/Object),").unwrap();
        assert_eq!(w.lock.unwrap().class.as_deref(), Some("java.lang.Object"));
        assert_eq!(
            deadlock_holder(r#"which is held by "Thread-0""#).as_deref(),
            Some("Thread-0")
        );
        assert_eq!(deadlock_total("Found 3 deadlocks."), Some(3));
        assert_eq!(deadlock_total("Found a total of 1 deadlock."), Some(1));
        assert_eq!(deadlock_total("Found one Java-level deadlock:"), None);
    }

    #[test]
    fn pool_prefixes() {
        assert_eq!(pool_prefix("pool-6-thread-4"), Some("pool-6-thread"));
        assert_eq!(pool_prefix("GC Thread#0"), Some("GC Thread"));
        assert_eq!(
            pool_prefix("RMI TCP Connection(23)-127.0.1.1"),
            Some("RMI TCP Connection")
        );
        assert_eq!(pool_prefix("main"), None);
        assert_eq!(pool_prefix("42"), None);
    }

    #[test]
    fn preamble_lines() {
        assert_eq!(preamble("2022-01-18 17:46:18"), Some(Preamble::Timestamp));
        assert_eq!(preamble("2024-05-01T10:00:00.123456Z"), Some(Preamble::Timestamp));
        assert_eq!(preamble("2024-05-01 10:00:00 INFO x"), None);
        assert_eq!(preamble("12345:"), Some(Preamble::Pid));
        assert_eq!(preamble("21.0.2+13-58"), Some(Preamble::Version));
        assert_eq!(preamble("JVM version is 25.91-b14"), Some(Preamble::Version));
    }

    #[test]
    fn lock_refs_in_the_newer_spellings() {
        // `jhsdb jstack --locks` owned synchronizers: a comma and internal class names.
        let l = lock_ref("<0x000000069ec1b808>, (a java/util/concurrent/locks/ReentrantReadWriteLock$NonfairSync)")
            .unwrap();
        assert_eq!(
            (l.address.as_str(), l.class.as_deref()),
            (
                "0x000000069ec1b808",
                Some("java.util.concurrent.locks.ReentrantReadWriteLock$NonfairSync")
            )
        );
        // JDK 25 `Thread.dump_to_file`: an identity string in angle brackets.
        let l = lock_ref("<java.util.concurrent.locks.ReentrantLock$NonfairSync@7a81197d>").unwrap();
        assert_eq!(l.address, "0x7a81197d");
        assert_eq!(
            l.class.as_deref(),
            Some("java.util.concurrent.locks.ReentrantLock$NonfairSync")
        );
        // Old javacores name the object and its monitor.
        let l = lock_ref("com/example/Cache@0x103A03F8/0x103A0404:").unwrap();
        assert_eq!(
            (l.address.as_str(), l.class.as_deref()),
            ("0x103a03f8", Some("com.example.Cache"))
        );
        assert_eq!(lock_line("- lock is eliminated", false), Some(LockLine::Nothing));
        assert!(lock_ref("<java.lang.Object@zz>").is_none());
        assert!(lock_ref("<has space@12>").is_none());
    }

    #[test]
    fn holders_printed_next_to_an_awaited_lock() {
        let holder = |t: &str| match lock_line(t, false) {
            Some(LockLine::WaitingToLock(_, holder)) => holder,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            holder("- waiting to lock <0x0e6f8a52> (a com.example.Cache) held by thread 21"),
            Some(Holder::Id("21".into()))
        );
        assert_eq!(
            holder("- waiting to lock <0x41a7e420> (a java.lang.Object) held by tid=12 (Thread-12)"),
            Some(Holder::Name("Thread-12".into()))
        );
        assert_eq!(holder("- waiting to lock <0x1> (a X)"), None);
        assert_eq!(
            lock_line("- sleeping on <0x0a1b2c3d> (a java.lang.Object)", false),
            Some(LockLine::Nothing)
        );
        assert_eq!(
            header(r#""main" prio=5 tid=1 Blocked"#).unwrap().thread_id.as_deref(),
            Some("1")
        );
        assert_eq!(
            header(r#""main" prio=5 tid=0x00007f nid=0x1 runnable"#)
                .unwrap()
                .thread_id,
            None
        );
    }

    #[test]
    fn json_strings_members_and_docker_lines() {
        assert_eq!(
            json_string(r#""a\"b\\c\/d\t\u00e9\ud83d\ude00","#).as_deref(),
            Some("a\"b\\c/d\t\u{e9}\u{1f600}")
        );
        // A lone surrogate becomes U+FFFD; a member line is not a bare string.
        assert_eq!(json_string(r#""\ud800x""#).as_deref(), Some("\u{fffd}x"));
        assert_eq!(json_string(r#""name": "x""#), None);
        assert_eq!(json_string(r#""unterminated"#), None);
        assert_eq!(
            json_member(r#""name": "{","#),
            Some(("name".to_string(), JsonValue::Text("{".to_string())))
        );
        assert_eq!(
            json_member(r#""stack": ["#),
            Some(("stack".to_string(), JsonValue::Raw("[".to_string())))
        );
        let line = r#"{"log":"\t- locked \u003c0x1\u003e\n","stream":"stdout","time":"2024-05-01T08:00:00.1Z"}"#;
        assert_eq!(docker_log(line), Some(("\t- locked <0x1>".to_string(), true)));
        let piece = r#"{"time":"t","stream":"stdout","log":"\"main\" #1 "}"#;
        assert_eq!(docker_log(piece), Some(("\"main\" #1 ".to_string(), false)));
        assert_eq!(docker_log(r#"{"level":"info","msg":"x"}"#), None);
        assert_eq!(docker_log("{"), None);
    }

    #[test]
    fn android_and_mixed_mode_markers() {
        assert_eq!(
            android_banner("----- pid 4242 at 2024-05-01 10:00:00.123456789+0000 -----"),
            Some((4242, "2024-05-01 10:00:00.123456789+0000"))
        );
        assert_eq!(
            android_banner("----- Waiting Channels: pid 1000 at 2024-05-01 10:00:01 -----"),
            None
        );
        assert!(is_android_end("----- end 4242 -----"));
        assert!(!is_android_end("----- end of story -----"));
        assert_eq!(
            mixed_separator("----------------- 18508 -----------------"),
            Some("18508")
        );
        assert_eq!(mixed_separator("-----------------  -----------------"), None);
        assert_eq!(
            mixed_frame("0x00007f1c64015e34\t* java.lang.Object.wait(long) bci:0 (Interpreted frame)"),
            Some(Some("java.lang.Object.wait".to_string()))
        );
        assert_eq!(
            mixed_frame("0x00007fa309e98f16\t__futex_abstimed_wait_common + 0xc6"),
            Some(None)
        );
        assert_eq!(mixed_frame("0x00007fb538017ed0, 0x00007fb5380f83c0,"), None);
        assert_eq!(mixed_frame("at java.lang.Object.wait(Native Method)"), None);
    }

    #[test]
    fn zing_versions_state_their_release() {
        assert_eq!(
            jdk_version("21.0.1-zing_23.10.0.0-b3-product-linux-X86_64 mixed mode").as_deref(),
            Some("21.0.1")
        );
        assert_eq!(
            jdk_version("1.8.0-zing_19.02.1.0-b2-product-linux-X86_64 mixed mode").as_deref(),
            Some("1.8.0")
        );
        assert_eq!(
            banner_vm_version(
                "Full thread dump Zing 64-Bit Tiered VM (17.0.9-zing_23.10.0.0-b3-product-linux-X86_64 mixed mode):"
            )
            .as_deref(),
            Some("17.0.9-zing_23.10.0.0-b3-product-linux-X86_64 mixed mode")
        );
    }
}
