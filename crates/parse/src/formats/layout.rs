//! Text formats whose header is *learned* from the file: a timestamp somewhere in the
//! first columns, then a sequence of header elements (level, pid, `[thread]`, logger,
//! `tag[pid]:`, separators), then the message.
//!
//! This one mechanism covers syslog RFC 3164, Java logback/log4j/Spring Boot layouts,
//! Python logging variants, Go `log` and zap console output, Android logcat, Apache error
//! logs and the many in-house layouts of the same shape, without a per-source regex.
//!
//! Learning: each sample line is split greedily into typed elements after its
//! timestamp; the file's layout is the longest element sequence that at least 85% of
//! the timestamped lines share. Parsing: a line whose timestamp sits where the layout
//! says starts a record; its elements are matched in order (an element that does not
//! match is skipped) and the rest of the line is the message. Lines without the
//! timestamp continue the previous record.
//!
//! Where a header has no level of its own, what follows it may still give one: a level
//! opening the message (`ERROR: …`, `##[error]…`); a request log's HTTP status, in a
//! column learned from the sample (AWS ALB, HAProxy, Envoy, Squid, Gin: see
//! [`HeaderLayout::request`]); or a logfmt or JSON message read as those formats read
//! them (Heroku's router, `kubectl logs --timestamps`). Lines coloured for a terminal
//! are read without their escape sequences (see [`super::ansi`]).

use std::sync::Arc;

use super::{specificity, Candidate, LineParser};
use crate::record::correlation_key;
use crate::timestamp::{self, TimeContext, TsLayout};
use crate::{Level, Record};

/// Share of timestamped sample lines that must agree on an element for it to join the layout.
const ELEMENT_SUPPORT: f64 = 0.85;
/// How many tokens from the line start a timestamp is looked for.
const MAX_TS_TOKEN: usize = 8;
/// Longest header element run after the timestamp.
const MAX_ELEMS: usize = 10;
/// Words a `tag:` or a level may follow (`Google Chrome Helper[12]:`, BGL `NODE RAS KERNEL INFO`).
const MAX_WORDS_BEFORE: usize = 4;
/// `key=value` context a level may follow besides those words (Sidekiq's `pid=1 tid=x
/// class=Job jid=… INFO:`, Elixir's metadata `request_id=… [info]`).
const MAX_PAIRS_BEFORE: usize = 6;

/// One element of a learned header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Elem {
    /// A separator token: `-`, `---`, `|`, `,`, `:`.
    Sep(u8),
    /// A level word (`INFO`, `[warn]`, `<E>`), or with `after_words` a level preceded by
    /// header words (`NODE RAS KERNEL INFO`).
    Level { after_words: bool },
    /// A number (pid, tid, sequence).
    Num,
    /// A balanced `[...]` or `(...)` group: a thread, request context or source location.
    Bracket,
    /// A header word followed by a separator (`chrome.exe -`, `myapp.db - INFO`).
    Word,
    /// A word set off by a run of two or more spaces, as in fixed-width columns
    /// (`Info                  CBS    Loaded …`).
    Column,
    /// Zero or more words then a token ending in `:` (`host sshd[12]:`, `dfs.DataNode:`,
    /// `c.e.App  :`). Ends the header.
    Tag,
    /// A source location `path/file.go:42` (zap console, glog-like layouts).
    Caller,
    /// `LEVEL:logger:` as in Python's default `basicConfig` format.
    LevelColonLogger,
    /// nginx's error log `pid#tid:`, with the `*connection` number that may follow.
    PidTid,
    /// A Java class or logger name, alone (`org.apache.catalina.core.StandardService.startInternal`,
    /// Tomcat's `OneLineFormatter`), where logback writes `logger - `.
    Logger,
    /// A level written as one symbol, as Redis (and Valkey, KeyDB) do: `.` debug,
    /// `-` verbose, `*` notice, `#` warning.
    SymbolLevel,
    /// Android logcat's `E/Tag( 1234):` (its `time` and `brief` formats): the level
    /// letter, the tag and the pid. Ends the header.
    LogcatTag,
}

impl Elem {
    fn describe(self) -> String {
        match self {
            Elem::Sep(b'=') => "---".to_string(),
            Elem::Sep(b) => char::from(b).to_string(),
            Elem::Level { after_words: false } => "<level>".into(),
            Elem::Level { after_words: true } => "<word>… <level>".into(),
            Elem::Num => "<num>".into(),
            Elem::Bracket => "[<context>]".into(),
            Elem::Word => "<word>".into(),
            Elem::Tag => "<tag>:".into(),
            Elem::Caller => "<file:line>".into(),
            Elem::Column => "<column>".into(),
            Elem::LevelColonLogger => "<level>:<logger>:".into(),
            Elem::SymbolLevel => "<level symbol>".into(),
            Elem::Logger => "<logger>".into(),
            Elem::PidTid => "<pid>#<tid>: [*<connection>]".into(),
            Elem::LogcatTag => "<level>/<tag>(<pid>):".into(),
        }
    }
}

/// What a layout's messages are ([`HeaderLayout::body`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Body {
    Text,
    Logfmt,
    Json,
}

/// Where a request log's message holds its HTTP status and method ([`HeaderLayout::request`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct RequestColumns {
    status: u8,
    method: Option<u8>,
}

/// How a timestamp sits in a bracket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum TsBracket {
    /// Not bracketed: `2024-01-02 10:00:00 INFO …`.
    No,
    /// The bracket holds the stamp alone: `[2024-01-02 10:00:00] …`.
    Closed,
    /// The bracket holds more after the stamp, read as header text: Ruby's Logger
    /// (`I, [2024-01-02T10:00:00.123456 #4321]  INFO -- : …`), Celery
    /// (`[2024-01-02 10:00:00,123: ERROR/MainProcess] …`).
    WithRest,
    /// A level glued before the bracket: `ERRO[2024-01-02T10:00:00Z] …`, logrus' text
    /// formatter on a terminal with full timestamps.
    AfterLevel,
    /// Not bracketed, but marked: Cisco IOS writes `*` (clock not set) or `.` (clock
    /// out of sync) right before a stamp: `*Dec  7 09:00:00.123: %LINK-3-UPDOWN: …`.
    Marked,
}

/// A learned header layout.
#[derive(Debug, Clone)]
pub struct HeaderLayout {
    /// Whitespace-separated columns before the timestamp (`-` label and epoch in BGL).
    prefix_columns: usize,
    /// `None` for layouts without a timestamp (`INFO:root:msg`).
    ts: Option<TsLayout>,
    ts_bracket: TsBracket,
    /// The prefix column that holds the level (`ERROR [main] 2024-01-02 10:00:00,123
    /// Foo.java:12 - …`, Cassandra's and some log4j layouts).
    prefix_level: Option<usize>,
    /// The layout's header has no level, so a level that opens the message, spelled as
    /// only a header spells one (`ERROR: …`, `[warn] …`, `<error> …`, `ERROR …`), is the
    /// record's: an app's own prefix behind a syslog or journal header, OpenSSH's
    /// `error:`, Go `log` lines marked `[ERROR]`. The message keeps it (it is the text
    /// the app wrote); often only the errors are marked, so no share of lines is asked.
    message_level: bool,
    /// A request log's columns in the message (whitespace-separated, from 0), learned
    /// when the header has no level: where the HTTP status is (`502`, Squid's
    /// `TCP_MISS/502`), which gives the level as for access logs, and where the request's
    /// method is (`GET /api/x`, quoted or not). AWS ALB, HAProxy, Envoy and Squid write
    /// these in their own orders.
    request: Option<RequestColumns>,
    /// What the messages are when the header has no level: logfmt (`at=error code=H13 …`
    /// behind Heroku's `heroku[router]:`, logrus or Grafana under journald) or JSON
    /// (`kubectl logs --timestamps` of a JSON logger), read as those formats read them.
    body: Body,
    elems: Vec<Elem>,
    /// Single-letter levels (`D`, `I`) are only trusted when the layout learned them.
    letter_levels: bool,
}

impl HeaderLayout {
    /// Human description: `<ts> <num> <level> <tag>: <message>`.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        for i in 0..self.prefix_columns {
            parts.push(format!("<col{}>", i + 1));
        }
        if self.ts.is_some() {
            parts.push(match self.ts_bracket {
                TsBracket::No => "<ts>".to_string(),
                TsBracket::Closed => "[<ts>]".to_string(),
                TsBracket::WithRest => "[<ts> <context>]".to_string(),
                TsBracket::AfterLevel => "<level>[<ts>]".to_string(),
                TsBracket::Marked => "*<ts>".to_string(),
            });
        }
        parts.extend(self.elems.iter().map(|e| e.describe()));
        parts.push(if self.body == Body::Logfmt {
            "<key=value…>".into()
        } else if self.body == Body::Json {
            "<JSON object>".into()
        } else if let Some(r) = self.request {
            format!("<message: HTTP status in column {}>", r.status + 1)
        } else if self.message_level {
            "[<level>] <message>".into()
        } else {
            "<message>".into()
        });
        parts.join(" ")
    }

    /// A family name for `inspect`.
    pub fn family(&self) -> &'static str {
        use Elem::*;
        let e = &self.elems;
        let has = |x: Elem| e.contains(&x);
        if self.ts.is_none() {
            return "python-logging (basic)";
        }
        if self.request.is_some() {
            return "http-request-log";
        }
        if self.ts == Some(TsLayout::Syslog) && self.prefix_columns == 0 && e.first() == Some(&Tag) {
            return "syslog-rfc3164";
        }
        if has(Sep(b'=')) {
            return "spring-boot";
        }
        if has(Caller) {
            let leveled = e.iter().any(|x| matches!(x, Level { .. }));
            return if leveled { "go-zap-console" } else { "go-log" };
        }
        if self.letter_levels && has(Num) && has(Tag) {
            return "android-logcat";
        }
        if e.iter().any(|x| matches!(x, Level { .. })) && (has(Bracket) || has(Tag) || has(Word)) {
            if e.first() == Some(&Sep(b'-')) || (has(Word) && has(Sep(b'-')) && !has(Bracket)) {
                return "python-logging";
            }
            return "java-logback/log4j";
        }
        if e.is_empty() && self.ts == Some(TsLayout::Iso) {
            return "go-log/timestamp-first";
        }
        "timestamp-first text"
    }

    pub fn ts_layout(&self) -> Option<TsLayout> {
        self.ts
    }
}

// ---- tokens -------------------------------------------------------------------------

fn skip_ws(s: &[u8], mut i: usize) -> usize {
    while i < s.len() && (s[i] == b' ' || s[i] == b'\t') {
        i += 1;
    }
    i
}

/// End of the token starting at `i`: whitespace or `|` ends it; a leading `[`/`(`/`<`
/// extends it to the balancing bracket.
fn token_end(s: &[u8], i: usize) -> usize {
    if i >= s.len() {
        return i;
    }
    if s[i] == b'|' {
        return i + 1;
    }
    if matches!(s[i], b'[' | b'(') {
        if let Some(close) = balanced_end(s, i) {
            // Groups glued to each other are tokens of their own (log4j2's
            // `[WARN ][o.e.c.Logger] `, Elasticsearch's default layout).
            if s.get(close) == Some(&b'[') {
                return close;
            }
            // Take what is glued to the group (`(addr):`, `[main]:`).
            return word_end(s, close);
        }
    }
    word_end(s, i)
}

/// The first index from `j` holding a space, a tab or `|` (or the end). Every header
/// token of every line goes through here, so it tests eight bytes at a time.
#[inline]
fn word_end(s: &[u8], mut j: usize) -> usize {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    // High bit set in each zero byte of `v`; the lowest one is exact (a false positive
    // can only sit above a true zero byte), which is the one used.
    let zero = |v: u64| v.wrapping_sub(LO) & !v & HI;
    while j + 8 <= s.len() {
        let mut word = [0u8; 8];
        word.copy_from_slice(&s[j..j + 8]);
        let w = u64::from_le_bytes(word);
        let hit = zero(w ^ (LO * b' ' as u64)) | zero(w ^ (LO * b'\t' as u64)) | zero(w ^ (LO * b'|' as u64));
        if hit != 0 {
            return j + (hit.trailing_zeros() / 8) as usize;
        }
        j += 8;
    }
    while j < s.len() && !matches!(s[j], b' ' | b'\t' | b'|') {
        j += 1;
    }
    j
}

/// Index after the bracket that balances the one at `i` (nested, at most 512 bytes).
fn balanced_end(s: &[u8], i: usize) -> Option<usize> {
    let (open, close) = match s.get(i)? {
        b'[' => (b'[', b']'),
        b'(' => (b'(', b')'),
        _ => return None,
    };
    let window = &s[i..s.len().min(i + 512)];
    let mut depth = 0usize;
    // Jump from bracket to bracket: groups hold request ids and thread names that are
    // long enough for memchr to pay.
    let mut k = 0;
    while let Some(off) = memchr::memchr2(open, close, &window[k..]) {
        k += off;
        if window[k] == open {
            depth += 1;
        } else {
            depth -= 1;
            if depth == 0 {
                return Some(i + k + 1);
            }
        }
        k += 1;
    }
    None
}

/// `col1`, `word3`…: names of positional header fields, without allocating each time.
fn column_name(prefix: &str, k: usize) -> crate::record::FieldName {
    const COLS: [&str; 9] = ["col1", "col2", "col3", "col4", "col5", "col6", "col7", "col8", "col9"];
    const WORDS: [&str; 9] = [
        "word1", "word2", "word3", "word4", "word5", "word6", "word7", "word8", "word9",
    ];
    let table = if prefix == "col" { &COLS } else { &WORDS };
    match table.get(k) {
        Some(name) => std::borrow::Cow::Borrowed(name),
        None => std::borrow::Cow::Owned(format!("{prefix}{}", k + 1)),
    }
}

fn as_str(s: &[u8]) -> &str {
    std::str::from_utf8(s).unwrap_or("")
}

/// `part`, a slice of `line`'s bytes, as text of `line`: cut at ASCII delimiters, it is
/// whole characters, and `str::get` checks just its two ends instead of validating
/// every byte again. Empty when `part` is not inside `line` or not on char boundaries.
fn sub<'a>(line: &'a str, part: &[u8]) -> &'a str {
    let offset = (part.as_ptr() as usize).wrapping_sub(line.as_ptr() as usize);
    offset
        .checked_add(part.len())
        .and_then(|end| line.get(offset..end))
        .unwrap_or("")
}

/// A level spelled as a token: `INFO`, `[INFO]`, `<warn>`, `INFO:`; single letters only
/// when `letters`.
fn token_level(tok: &[u8], letters: bool) -> Option<Level> {
    let t = tok.strip_suffix(b":").unwrap_or(tok);
    let t = match (t.first(), t.last()) {
        (Some(b'['), Some(b']')) | (Some(b'<'), Some(b'>')) | (Some(b'('), Some(b')')) if t.len() >= 2 => {
            &t[1..t.len() - 1]
        }
        _ => t,
    };
    let t = t.trim_ascii();
    if let Some(l) = letter_level(t) {
        return if letters { Some(l) } else { None };
    }
    Level::from_word_bytes(t).or_else(|| os_log_type(t))
}

/// A level written as a letter (`E`, glog, logcat), with Telegraf's `!` (`E!`), or
/// MongoDB's debug verbosities `D1`–`D5`. Trusted only where the layout learned letters.
fn letter_level(t: &[u8]) -> Option<Level> {
    match t {
        [c] | [c, b'!'] => Level::from_letter_bytes(std::slice::from_ref(c)),
        [b'D', b'1'..=b'5'] => Some(Level::Debug),
        _ => None,
    }
}

/// Apple's unified log types as `log show` prints them in its Type column, besides
/// `Info`, `Debug` and `Error`: `Default` (the normal level, `Logger.notice`) and
/// `Fault`. Only in a header's level position: as words they are common text.
fn os_log_type(t: &[u8]) -> Option<Level> {
    match t {
        b"Default" => Some(Level::Info),
        b"Fault" => Some(Level::Fatal),
        _ => None,
    }
}

/// The field a header number is kept under: a decimal one is the `pid`, then the
/// `tid`; a hexadecimal one a `tid` (macOS prints threads so); past those, `num3`,
/// `num4`… by position, so that no two fields share a name.
fn num_field_name(rec: &Record, hex: bool) -> crate::record::FieldName {
    let has = |name: &str| rec.fields.iter().any(|(k, _)| k == name);
    if !hex && !has("pid") {
        return "pid".into();
    }
    if !has("tid") {
        return "tid".into();
    }
    let nums = rec
        .fields
        .iter()
        .filter(|(k, _)| k == "pid" || k == "tid" || k.starts_with("num"))
        .count();
    std::borrow::Cow::Owned(format!("num{}", nums + 1))
}

/// A number in a header: a decimal pid or sequence, or a hexadecimal thread or
/// activity id (`0x7d3a1`, macOS `log show`).
fn is_num(tok: &[u8]) -> bool {
    if let Some(hex) = tok.strip_prefix(b"0x") {
        return !hex.is_empty() && hex.len() <= 16 && hex.iter().all(u8::is_ascii_hexdigit);
    }
    let digits = tok.strip_prefix(b"-").unwrap_or(tok);
    !digits.is_empty() && digits.len() <= 12 && digits.iter().all(|b| b.is_ascii_digit())
}

/// File extensions of source code, so that `host.example.hk:5070` is not taken for a
/// source location.
const SOURCE_EXTENSIONS: [&str; 24] = [
    "go", "py", "java", "js", "ts", "mjs", "rb", "c", "cc", "cpp", "h", "hpp", "rs", "kt", "scala", "cs", "php",
    "swift", "m", "ex", "exs", "erl", "lua", "pl",
];

/// `path/to/file.go:42` or `file.py:88:` — a source location.
fn is_caller(tok: &[u8]) -> bool {
    let t = tok.strip_suffix(b":").unwrap_or(tok);
    let Some(colon) = t.iter().rposition(|&b| b == b':') else {
        return false;
    };
    let (path, line) = (&t[..colon], &t[colon + 1..]);
    if line.is_empty() || !line.iter().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let Some(dot) = path.iter().rposition(|&b| b == b'.') else {
        return false;
    };
    let ext = as_str(&path[dot + 1..]);
    SOURCE_EXTENSIONS.contains(&ext)
        && path[..dot]
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'_' | b'-' | b'.' | b'\\'))
        && dot > 0
}

/// Bytes allowed in a tag: letters, digits, non-ASCII and `._-$/\\()[]@#<>~+*`.
static TAG_BYTE: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric() || c >= 0x80;
        b += 1;
    }
    let extra = b"._-$/\\()[]@#<>~+*";
    let mut i = 0;
    while i < extra.len() {
        t[extra[i] as usize] = true;
        i += 1;
    }
    t
};

/// A token that ends a header with a colon: `sshd[123]:`, `dfs.DataNode$X:`, `(addr):`, `:`.
/// Not the key of a per-request id (`TraceID:`, see [`correlation_key`]): its colon
/// does not end a header tag, or the logger would be taken for a host and the key for a
/// logger.
fn is_tag(tok: &[u8]) -> bool {
    if tok == b":" {
        return true;
    }
    let Some(body) = tok.strip_suffix(b":") else {
        return false;
    };
    if body.is_empty() || body.len() > 120 || body.ends_with(b":") || correlation_key(body).is_some() {
        return false;
    }
    // One pass for what the tests below need (this runs on most header tokens).
    let (mut slash, mut alpha, mut tag_bytes, mut digits_dots, mut dot) = (false, false, true, true, false);
    let mut colon = false;
    for &b in body {
        slash |= b == b'/';
        alpha |= b.is_ascii_alphabetic();
        colon |= b == b':';
        tag_bytes &= TAG_BYTE[b as usize] || b == b':';
        digits_dots &= b.is_ascii_digit() || b == b'.';
        dot |= b == b'.';
    }
    // Colons only as a namespace path's `::` (Rust's `orders::api:`, C++'s `ns::Class:`).
    if colon && !namespace_path(body) {
        return false;
    }
    // A URL or a clock is not a tag.
    if slash && body.windows(3).any(|w| w == b"://") {
        return false;
    }
    let bracketed = matches!(body.first(), Some(b'(') | Some(b'[')) && matches!(body.last(), Some(b')') | Some(b']'));
    // `syslogd 1.4.1:` — a version closes a program name too.
    let version = body.len() >= 3 && digits_dots && dot;
    (alpha || bracketed || version) && tag_bytes
}

/// `channel.LEVEL:`, as PHP's Monolog (Laravel, Symfony) writes its header
/// (`app.ERROR:`, `security.INFO:`): the level and the channel. The level in capitals
/// only, so a Java class (`com.acme.Error:`) is no level.
fn channel_level(tag: &[u8]) -> Option<(Level, &[u8])> {
    let body = tag.strip_suffix(b":")?;
    let dot = body.iter().rposition(|&b| b == b'.')?;
    let (channel, level) = (&body[..dot], &body[dot + 1..]);
    if channel.is_empty() || level.len() < 4 || !level.iter().all(u8::is_ascii_uppercase) {
        return None;
    }
    Some((Level::from_word_bytes(level)?, channel))
}

/// `a::b::c`: names, each opening with a letter or `_`, joined by `::` (not an IPv6
/// address such as `fe80::1`).
fn namespace_path(body: &[u8]) -> bool {
    let mut parts = 0;
    let mut rest = body;
    loop {
        let end = rest.iter().position(|&b| b == b':').unwrap_or(rest.len());
        let part = &rest[..end];
        if !part.first().is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_') {
            return false;
        }
        parts += 1;
        if end == rest.len() {
            return parts > 1;
        }
        if rest.get(end + 1) != Some(&b':') {
            return false;
        }
        rest = &rest[end + 2..];
    }
}

fn sep_of(tok: &[u8]) -> Option<u8> {
    match tok {
        b"-" | b"--" => Some(b'-'),
        b"---" => Some(b'='),
        b"|" => Some(b'|'),
        b":" => None, // a bare colon is a Tag
        b"," => Some(b','),
        _ => None,
    }
}

/// Strips `[pid]`, `(x)` decorations and a `:line` suffix from a tag or caller.
fn module_of(line: &str, tok: &[u8]) -> Option<String> {
    let mut t = tok.strip_suffix(b":").unwrap_or(tok);
    if let Some(open) = t.iter().position(|&b| b == b'[') {
        if t.ends_with(b"]") {
            t = &t[..open];
        }
    }
    if let Some(colon) = t.iter().rposition(|&b| b == b':') {
        if colon + 1 < t.len() && t[colon + 1..].iter().all(|b| b.is_ascii_digit()) {
            t = &t[..colon];
        }
    }
    let s = sub(line, t).trim();
    if s.is_empty() {
        None
    } else {
        Some(s.to_string())
    }
}

fn pid_of<'a>(line: &'a str, tok: &[u8]) -> Option<&'a str> {
    let open = tok.iter().rposition(|&b| b == b'[')?;
    let close = tok.iter().rposition(|&b| b == b']')?;
    let inner = tok.get(open + 1..close)?;
    if is_num(inner) {
        Some(sub(line, inner))
    } else {
        None
    }
}

// ---- learning -----------------------------------------------------------------------

/// Where a line's timestamp is: (column index, byte offset, match, bracket).
fn find_timestamp(s: &[u8], ctx: &TimeContext) -> Option<(usize, usize, timestamp::TsMatch, TsBracket)> {
    let mut best: Option<(usize, usize, timestamp::TsMatch, TsBracket)> = None;
    let mut i = skip_ws(s, 0);
    let mut col = 0;
    while i < s.len() && col < MAX_TS_TOKEN && i < 240 {
        let glued = glued_level(s, i);
        let bracketed = s[i] == b'[' || glued.is_some();
        let marked = clock_mark(s, i);
        let at = match glued {
            Some((_, open)) => open + 1,
            None if bracketed || marked => i + 1,
            None => i,
        };
        if let Some(m) = timestamp::scan_checked(&s[at..], ctx) {
            let (bracket, end) = match (bracketed, glued) {
                (false, _) if marked => (TsBracket::Marked, at + m.len),
                (false, _) => (TsBracket::No, at + m.len),
                (true, Some(_)) if s.get(at + m.len) == Some(&b']') => (TsBracket::AfterLevel, at + m.len + 1),
                (true, Some(_)) => (TsBracket::No, at + m.len),
                (true, None) => bracket_after_stamp(s, i, at + m.len),
            };
            // A bracket that neither closes after the stamp nor holds a short header
            // after it is not a stamp of ours.
            if !(bracketed && bracket == TsBracket::No) {
                let better = match &best {
                    None => true,
                    Some((_, _, b, _)) => m.layout.richness() >= b.layout.richness(),
                };
                if better {
                    best = Some((col, i, m, bracket));
                }
                // Step over the whole timestamp, counting its columns as the parser will
                // (`column_offset`): `Dec  7 09:00:00` before a richer stamp is three
                // (HAProxy's `[07/Dec/2026:09:00:00.123]` behind a syslog header).
                while i < end {
                    let e = token_end(s, i);
                    i = skip_ws(s, e.max(i + 1));
                    col += 1;
                }
                i = skip_ws(s, i);
                continue;
            }
        }
        let end = token_end(s, i);
        i = skip_ws(s, end.max(i + 1));
        col += 1;
    }
    best
}

/// Cisco's clock-state mark before a stamp at `i` ([`TsBracket::Marked`]).
fn clock_mark(s: &[u8], i: usize) -> bool {
    matches!(s.get(i), Some(b'*' | b'.')) && s.get(i + 1).is_some_and(u8::is_ascii_alphanumeric)
}

/// `ERRO[` at `i`: a level word glued to a bracket (logrus). Returns the level and the
/// bracket's offset.
fn glued_level(s: &[u8], i: usize) -> Option<(Level, usize)> {
    let word = s
        .get(i..)?
        .iter()
        .take(10)
        .take_while(|b| b.is_ascii_alphabetic())
        .count();
    if !(4..=9).contains(&word) || s.get(i + word) != Some(&b'[') {
        return None;
    }
    Some((Level::from_word_bytes(&s[i..i + word])?, i + word))
}

/// How the bracket opened at `open` holds the stamp that ends at `stamp_end`, and the
/// offset after the bracket (after the stamp when it is not one of ours).
fn bracket_after_stamp(s: &[u8], open: usize, stamp_end: usize) -> (TsBracket, usize) {
    if s.get(stamp_end) == Some(&b']') {
        return (TsBracket::Closed, stamp_end + 1);
    }
    // More header text inside the bracket: `#4321]`, `: ERROR/MainProcess]`. Short, and
    // it must start apart from the stamp (a space or a colon), or the stamp was cut.
    match balanced_end(s, open) {
        Some(close) if close - stamp_end <= 64 && matches!(s.get(stamp_end), Some(b' ' | b':')) => {
            (TsBracket::WithRest, close)
        }
        _ => (TsBracket::No, stamp_end),
    }
}

/// A level named in the text a bracket holds after its stamp (`ERROR/MainProcess`,
/// `#4321`): the first word that is a level.
fn level_in_bracket_rest(rest: &[u8]) -> Option<Level> {
    rest.split(|b| !b.is_ascii_alphanumeric())
        .filter(|w| w.len() > 1)
        .find_map(Level::from_word_bytes)
}

/// Android logcat's `E/Tag( 1234):` at `i` (the tag padded or not, the pid padded to
/// five): (level, tag, pid, offset after the colon).
fn logcat_tag(s: &[u8], i: usize) -> Option<(Level, &[u8], &[u8], usize)> {
    if s.get(i + 1) != Some(&b'/') {
        return None;
    }
    let level = match s.get(i)? {
        b'V' => Level::Trace,
        b'D' => Level::Debug,
        b'I' => Level::Info,
        b'W' => Level::Warn,
        b'E' => Level::Error,
        b'F' | b'A' => Level::Fatal,
        _ => return None,
    };
    let window = &s[i + 2..s.len().min(i + 2 + 128)];
    let open = window.iter().position(|&b| b == b'(')?;
    let tag = window[..open].trim_ascii_end();
    if tag.is_empty() || tag.contains(&b')') {
        return None;
    }
    let mut j = i + 2 + open + 1;
    j = skip_ws(s, j);
    let pid_start = j;
    while s.get(j).is_some_and(u8::is_ascii_digit) {
        j += 1;
    }
    let pid = &s[pid_start..j];
    j = skip_ws(s, j);
    if pid.is_empty() || s.get(j..j + 2) != Some(b"):") {
        return None;
    }
    Some((level, tag, pid, j + 2))
}

/// nginx's `pid#tid:` (the process and thread that wrote an error log line).
fn pid_tid(tok: &[u8]) -> Option<(&[u8], &[u8])> {
    let body = tok.strip_suffix(b":")?;
    let hash = body.iter().position(|&b| b == b'#')?;
    let (pid, tid) = (&body[..hash], &body[hash + 1..]);
    (is_num(pid) && is_num(tid)).then_some((pid, tid))
}

/// A qualified Java name: three or more dot-separated identifiers, the first in lower
/// case (a package): `org.apache.catalina.startup.Catalina.start`, `com.acme.App`.
fn is_qualified_name(tok: &[u8]) -> bool {
    if tok.len() > 200 || !tok.first().is_some_and(u8::is_ascii_lowercase) {
        return false;
    }
    let mut parts = 0;
    for part in tok.split(|&b| b == b'.') {
        let ident = part
            .first()
            .is_some_and(|b| b.is_ascii_alphabetic() || matches!(b, b'_' | b'$'))
            && part
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'$'));
        if !ident {
            return false;
        }
        parts += 1;
    }
    parts >= 3
}

/// A level written as one symbol ([`Elem::SymbolLevel`]).
fn symbol_level(tok: &[u8]) -> Option<Level> {
    match tok {
        b"." | b"-" => Some(Level::Debug),
        b"*" => Some(Level::Info),
        b"#" => Some(Level::Warn),
        _ => None,
    }
}

/// `module:level` as a bracket holds it in Apache httpd 2.4's error log (`core:error`,
/// `mpm_event:notice`): the level and the module.
fn module_colon_level(inner: &[u8]) -> Option<(Level, &[u8])> {
    let colon = inner.iter().position(|&b| b == b':')?;
    let (module, level) = (&inner[..colon], &inner[colon + 1..]);
    let name = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.');
    if module.is_empty() || !module.iter().all(name) {
        return None;
    }
    Some((Level::from_word_bytes(level)?, module))
}

/// `#4321` in the text a bracket holds after its stamp (Ruby's Logger): the pid.
fn bracket_rest_pid<'a>(line: &'a str, rest: &[u8]) -> Option<&'a str> {
    let hash = rest.iter().position(|&b| b == b'#')?;
    let digits = &rest[hash + 1..];
    let n = digits.iter().take_while(|b| b.is_ascii_digit()).count();
    (n > 0).then(|| sub(line, &digits[..n]))
}

/// The byte offset of column `col` (whitespace-separated), or None.
fn column_offset(s: &[u8], col: usize) -> Option<usize> {
    let mut i = skip_ws(s, 0);
    for _ in 0..col {
        if i >= s.len() {
            return None;
        }
        let end = token_end(s, i);
        i = skip_ws(s, end.max(i + 1));
    }
    if i < s.len() {
        Some(i)
    } else {
        None
    }
}

/// Greedy element split of a header from `i`. Returns the elements.
fn classify(s: &[u8], mut i: usize, letters: bool) -> Vec<Elem> {
    let mut out = Vec::new();
    let mut level_seen = false;
    while out.len() < MAX_ELEMS {
        i = skip_ws(s, i);
        if i >= s.len() {
            break;
        }
        let end = token_end(s, i);
        let tok = &s[i..end];
        if !level_seen && logcat_tag(s, i).is_some() {
            out.push(Elem::LogcatTag);
            break;
        }
        if !level_seen {
            if let Some(n) = level_colon_logger(s, i) {
                out.push(Elem::LevelColonLogger);
                let _ = n;
                break;
            }
        }
        // `-` is a separator here; it joins a symbol level when learning counts the others.
        if !level_seen && symbol_level(tok).is_some() && tok != b"-" {
            out.push(Elem::SymbolLevel);
            level_seen = true;
            i = end;
            continue;
        }
        if let Some(sep) = sep_of(tok) {
            out.push(Elem::Sep(sep));
            i = end;
            continue;
        }
        // `,` glued to the end of the timestamp (`04:30:30, Info`).
        if tok.first() == Some(&b',') && tok.len() == 1 {
            out.push(Elem::Sep(b','));
            i = end;
            continue;
        }
        if !level_seen && token_level(tok, letters).is_some() {
            out.push(Elem::Level { after_words: false });
            level_seen = true;
            if tok.ends_with(b":") {
                break;
            }
            i = end;
            continue;
        }
        if is_tag(tok) && !is_caller(tok) {
            out.push(Elem::Tag);
            break;
        }
        if is_caller(tok) {
            out.push(Elem::Caller);
            i = end;
            if tok.ends_with(b":") {
                break;
            }
            continue;
        }
        if matches!(tok.first(), Some(b'[') | Some(b'(')) && balanced_end(s, i) == Some(end) {
            out.push(Elem::Bracket);
            i = end;
            continue;
        }
        if is_num(tok) {
            out.push(Elem::Num);
            i = end;
            continue;
        }
        if pid_tid(tok).is_some() {
            out.push(Elem::PidTid);
            break;
        }
        if is_qualified_name(tok) {
            out.push(Elem::Logger);
            i = end;
            continue;
        }
        if followed_by_wide_gap(s, end) {
            out.push(Elem::Column);
            i = end;
            continue;
        }
        // A word joins the header only when a terminator follows within a few tokens.
        match words_then(s, i, letters && !level_seen) {
            Some((Terminator::Tag, _)) => {
                out.push(Elem::Tag);
                break;
            }
            Some((Terminator::Level, after)) if !level_seen => {
                out.push(Elem::Level { after_words: true });
                level_seen = true;
                // `INFO:` ends the header as a tag would.
                if s[..after].ends_with(b":") {
                    break;
                }
                i = after;
                continue;
            }
            Some((Terminator::Sep, _)) => {
                out.push(Elem::Word);
                i = end;
                continue;
            }
            _ => break,
        }
    }
    out
}

/// Two or more spaces after a token: a fixed-width column boundary.
fn followed_by_wide_gap(s: &[u8], end: usize) -> bool {
    s.get(end..end + 2) == Some(b"  ") && s.get(end + 2).is_some_and(|b| !b.is_ascii_whitespace())
        || s.get(end..end + 3) == Some(b"   ")
}

enum Terminator {
    Tag,
    Level,
    Sep,
}

/// Looks past up to [`MAX_WORDS_BEFORE`] plain words (and [`MAX_PAIRS_BEFORE`]
/// `key=value` pairs before a level) from `i` for what ends them. For a Tag or Level
/// returns the offset after it; for a separator, the first word alone.
fn words_then(s: &[u8], mut i: usize, letters: bool) -> Option<(Terminator, usize)> {
    let (mut words, mut pairs) = (0, 0);
    for k in 0..=MAX_WORDS_BEFORE + MAX_PAIRS_BEFORE {
        i = skip_ws(s, i);
        if i >= s.len() {
            return None;
        }
        let end = token_end(s, i);
        let tok = &s[i..end];
        if k > 0 {
            if sep_of(tok).is_some() {
                return if k == 1 { Some((Terminator::Sep, end)) } else { None };
            }
            // `WARN`, `[info]`, or `INFO:` ending the header (Sidekiq).
            if token_level(tok, letters).is_some() {
                return Some((Terminator::Level, end));
            }
        }
        if is_tag(tok) && !is_caller(tok) {
            return Some((Terminator::Tag, end));
        }
        if k > 0 && matches!(tok.first(), Some(b'[')) {
            return if k == 1 { Some((Terminator::Sep, end)) } else { None };
        }
        if header_pair(tok).is_some() && pairs < MAX_PAIRS_BEFORE {
            pairs += 1;
        } else {
            words += 1;
            if words > MAX_WORDS_BEFORE {
                return None;
            }
        }
        i = end;
    }
    None
}

/// `key=value` in a header (`pid=4321`, `request_id=F8x…`): the key an identifier, the
/// value one token.
fn header_pair(tok: &[u8]) -> Option<(&[u8], &[u8])> {
    let eq = tok.iter().position(|&b| b == b'=')?;
    let (key, value) = (&tok[..eq], &tok[eq + 1..]);
    let ident = key.first().is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
        && key.len() <= 40
        && key
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
    (ident && !value.is_empty() && !value.contains(&b'=')).then_some((key, value))
}

/// `INFO:root:` at `i`: returns the offset after it.
fn level_colon_logger(s: &[u8], i: usize) -> Option<usize> {
    let rest = &s[i..];
    let c1 = rest.iter().position(|&b| b == b':')?;
    if c1 == 0 || c1 > 9 || Level::from_word_bytes(&rest[..c1]).is_none() {
        return None;
    }
    let after = &rest[c1 + 1..];
    let c2 = after.iter().position(|&b| b == b':')?;
    let name = &after[..c2];
    if name.is_empty()
        || !name
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
    {
        return None;
    }
    Some(i + c1 + 1 + c2 + 1)
}

/// Learns a layout from sample lines; None when no consistent header is found.
pub fn learn(sample: &[&str], ctx: &TimeContext) -> Option<HeaderLayout> {
    use std::collections::HashMap;
    let lines: Vec<&[u8]> = sample
        .iter()
        .map(|l| l.as_bytes())
        .filter(|l| !l.iter().all(|b| b.is_ascii_whitespace()))
        .collect();
    if lines.is_empty() {
        return None;
    }
    // 1. Where is the timestamp?
    let mut ts_votes: HashMap<(usize, TsLayout, TsBracket), usize> = HashMap::new();
    let found: Vec<_> = lines.iter().map(|l| find_timestamp(l, ctx)).collect();
    for (col, _, m, br) in found.iter().flatten() {
        *ts_votes.entry((*col, m.layout, *br)).or_default() += 1;
    }
    let best_ts = ts_votes.into_iter().max_by_key(|(k, n)| (*n, std::cmp::Reverse(k.0)));
    let Some(((col, layout, bracket), votes)) = best_ts else {
        return learn_without_timestamp(&lines);
    };
    // The share is taken over the lines that could head a record: in a log where each
    // ERROR carries a 60-frame stack trace or a traceback, timestamped heads are a few
    // percent of all lines, yet every line between them is plainly a continuation.
    let could_head = lines
        .iter()
        .zip(&found)
        .filter(|(l, f)| f.is_some() || !crate::detect::looks_like_continuation(as_str(l)))
        .count();
    if (votes as f64) < 0.3 * could_head as f64 {
        return learn_without_timestamp(&lines);
    }
    // A header leaves a message after it. A time at the end of most lines (`job done
    // delay=3s at 12:01:33`) is part of the message: taken as a header, it left every
    // message empty.
    let with_message = lines
        .iter()
        .zip(&found)
        .filter(|(line, f)| {
            f.as_ref().is_some_and(|(c, off, m, br)| {
                (*c, m.layout, *br) == (col, layout, bracket)
                    && line
                        .get(header_after_stamp(line, *off, m.len, *br)..)
                        .is_some_and(|rest| rest.iter().any(|b| !b.is_ascii_whitespace()))
            })
        })
        .count();
    if with_message * 2 < votes {
        return learn_without_timestamp(&lines);
    }
    let letters = lines.iter().any(|l| {
        l.split(|&b| b == b' ')
            .filter(|t| !t.is_empty())
            .take(8)
            .any(|t| letter_level(t).is_some())
    });
    // 2. Element signatures after the timestamp, and which prefix columns hold a level.
    let mut sigs: Vec<Vec<Elem>> = Vec::new();
    let mut prefix_levels = vec![0usize; col];
    for (line, f) in lines.iter().zip(&found) {
        let Some((c, off, m, br)) = f else { continue };
        if (*c, m.layout, *br) != (col, layout, bracket) {
            continue;
        }
        for (k, n) in prefix_levels.iter_mut().enumerate() {
            let level = column_offset(line, k).and_then(|at| token_level(&line[at..token_end(line, at)], false));
            *n += usize::from(level.is_some());
        }
        sigs.push(classify(line, header_after_stamp(line, *off, m.len, *br), letters));
    }
    let prefix_level = prefix_levels
        .iter()
        .position(|&n| n as f64 >= ELEMENT_SUPPORT * sigs.len() as f64);
    let mut elems: Vec<Elem> = Vec::new();
    loop {
        let mut counts: HashMap<Elem, usize> = HashMap::new();
        let mut total = 0;
        for sig in &sigs {
            if sig.len() >= elems.len() && sig.iter().zip(&elems).all(|(a, b)| same_elem(*a, *b)) {
                total += 1;
                if let Some(e) = sig.get(elems.len()) {
                    *counts.entry(*e).or_default() += 1;
                }
            }
        }
        // A level that some lines write right away and others after context
        // (`[info] …`, `request_id=… [info] …`) is one level element, read after words.
        let level_now = counts.get(&Elem::Level { after_words: false }).copied().unwrap_or(0);
        let level_after = counts.get(&Elem::Level { after_words: true }).copied().unwrap_or(0);
        let support = ELEMENT_SUPPORT * sigs.len() as f64;
        let merged_level = level_after > 0
            && ((level_now.max(level_after)) as f64) < support
            && ((level_now + level_after) as f64) >= support;
        let Some((mut next, mut n)) = counts.into_iter().max_by_key(|(_, n)| *n) else {
            break;
        };
        if merged_level {
            (next, n) = (Elem::Level { after_words: true }, level_now + level_after);
        }
        if (n as f64) < support || total == 0 {
            break;
        }
        elems.push(next);
        if matches!(next, Elem::Tag | Elem::LevelColonLogger) || elems.len() >= MAX_ELEMS {
            break;
        }
    }
    // A single letter only counts as a level when the layout has a level column.
    let letters = letters && elems.iter().any(|e| matches!(e, Elem::Level { .. }));
    let mut learned = HeaderLayout {
        prefix_columns: col,
        ts: Some(layout),
        ts_bracket: bracket,
        prefix_level,
        message_level: false,
        request: None,
        body: Body::Text,
        elems,
        letter_levels: letters,
    };
    learned.message_level = !learned.has_level();
    if learned.message_level {
        learned.body = structured_messages(&learned, sample, ctx);
        if learned.body == Body::Text {
            learned.request = learn_request_columns(&learned, sample, ctx);
            if learned.request.is_some() {
                // A request log's message is all after the stamp.
                learned.elems.clear();
            }
        }
    }
    Some(learned)
}

/// Element equality for learning, where a level read after words also matches a level
/// written right away (see the merge in [`learn`]).
fn same_elem(sig: Elem, layout: Elem) -> bool {
    sig == layout || matches!(layout, Elem::Level { after_words: true }) && matches!(sig, Elem::Level { .. })
}

/// Where the header goes on after a stamp found at `off` (`len` bytes, in `bracket`).
fn header_after_stamp(line: &[u8], off: usize, len: usize, bracket: TsBracket) -> usize {
    match bracket {
        TsBracket::No => off + len,
        TsBracket::Closed => off + 1 + len + 1,
        TsBracket::WithRest => balanced_end(line, off).unwrap_or(off + 1 + len),
        TsBracket::AfterLevel => glued_level(line, off).map_or(off, |(_, open)| open + 1 + len + 1),
        TsBracket::Marked => off + 1 + len,
    }
}

/// The severity in a Cisco message code after its `%`: `LINK-3-UPDOWN:`,
/// `ASA-4-106023:`, `ETHPORT-5-IF_DOWN_LINK_FAILURE:` (a facility may hold `_`).
fn cisco_severity(code: &[u8]) -> Option<Level> {
    let end = code.iter().take(64).position(|&b| b == b':' || b == b' ')?;
    let code = &code[..end];
    let mut parts = code.splitn(3, |&b| b == b'-');
    let (facility, severity, mnemonic) = (parts.next()?, parts.next()?, parts.next()?);
    let upper = |p: &[u8]| {
        !p.is_empty()
            && p.iter()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'_')
    };
    match severity {
        [d @ b'0'..=b'7'] if upper(facility) && upper(mnemonic) => Some(Level::from_syslog_severity(d - b'0')),
        _ => None,
    }
}

/// A level opening a message, spelled as only a header spells one: `ERROR:`, `[warn]`,
/// `<error>`, a capitalised word (`ERROR `, `WARN `), a CI workflow command
/// (`##[error]`) or a Cisco message code (`%LINK-3-UPDOWN:`). Only the common names: in a message, `Config:`, `Fail:` or
/// logrotate's `ALERT exited abnormally` are text.
pub(crate) fn message_level_prefix(message: &[u8]) -> Option<Level> {
    // GitHub Actions' and Azure Pipelines' workflow commands, glued to the text:
    // `##[error]Process completed with exit code 1.`
    if let Some(rest) = message.strip_prefix(b"##[") {
        let close = rest.iter().take(9).position(|&b| b == b']')?;
        return match &rest[..close] {
            b"error" => Some(Level::Error),
            b"warning" => Some(Level::Warn),
            b"debug" => Some(Level::Debug),
            _ => None,
        };
    }
    // Cisco's message codes, `%FACILITY-SEVERITY-MNEMONIC:` (IOS, NX-OS, ASA): the
    // severity is syslog's 0–7.
    if let Some(code) = message.strip_prefix(b"%") {
        return cisco_severity(code);
    }
    let tok = &message[..token_end(message, 0)];
    let marked = match (tok.first(), tok.last()) {
        (Some(b'['), Some(b']')) | (Some(b'<'), Some(b'>')) if tok.len() > 2 => Some(&tok[1..tok.len() - 1]),
        _ => tok.strip_suffix(b":"),
    };
    let word = match marked {
        Some(w) => w,
        None if tok.iter().all(|b| b.is_ascii_uppercase()) => tok,
        None => return None,
    };
    let mut upper = [0u8; 8];
    if word.len() > upper.len() {
        return None;
    }
    upper[..word.len()].copy_from_slice(word);
    upper.make_ascii_uppercase();
    match &upper[..word.len()] {
        b"TRACE" | b"DEBUG" | b"INFO" | b"NOTICE" | b"WARN" | b"WARNING" | b"ERROR" | b"ERR" | b"FATAL"
        | b"CRITICAL" | b"CRIT" | b"SEVERE" | b"EMERG" | b"PANIC" => Level::from_word_bytes(word),
        _ => None,
    }
}

/// Columns looked at for a request log's status and method.
const MAX_REQUEST_COLUMN: usize = 24;

/// HTTP methods that open a request line.
const HTTP_METHODS: [&[u8]; 9] = [
    b"GET", b"POST", b"PUT", b"DELETE", b"HEAD", b"PATCH", b"OPTIONS", b"CONNECT", b"TRACE",
];

/// An HTTP status as a request log writes it: `502`, or behind a proxy's result code
/// (Squid's `TCP_MISS/502`, `NONE_NONE/503`).
fn http_status(tok: &[u8]) -> Option<u16> {
    let digits = match tok.iter().rposition(|&b| b == b'/') {
        Some(slash) => {
            let code = &tok[..slash];
            let code_like = code.len() >= 2
                && code.iter().all(|&b| b.is_ascii_uppercase() || b == b'_')
                && code[0].is_ascii_uppercase();
            if !code_like {
                return None;
            }
            &tok[slash + 1..]
        }
        None => tok,
    };
    let [a, b, c] = digits else { return None };
    if !(a.is_ascii_digit() && b.is_ascii_digit() && c.is_ascii_digit()) {
        return None;
    }
    let v = (a - b'0') as u16 * 100 + (b - b'0') as u16 * 10 + (c - b'0') as u16;
    (100..=599).contains(&v).then_some(v)
}

/// The level an HTTP status gives, as for access logs.
fn status_level(status: u16) -> Level {
    match status {
        500.. => Level::Error,
        400..=499 => Level::Warn,
        _ => Level::Info,
    }
}

/// A method (`GET`, `"GET`) followed by a request target (`/x`, `http://h/x`, `*`).
fn is_request(method: &[u8], target: Option<&[u8]>) -> bool {
    let m = method.strip_prefix(b"\"").unwrap_or(method);
    HTTP_METHODS.contains(&m)
        && target.map(|t| t.strip_prefix(b"\"").unwrap_or(t)).is_some_and(|t| {
            t.starts_with(b"/") || t.starts_with(b"http://") || t.starts_with(b"https://") || t == b"*" || t == b"*\""
        })
}

/// The first [`MAX_REQUEST_COLUMN`] whitespace-separated columns of a message.
fn message_columns(message: &[u8]) -> impl Iterator<Item = &[u8]> {
    message
        .split(|&b| b == b' ' || b == b'\t')
        .filter(|t| !t.is_empty())
        .take(MAX_REQUEST_COLUMN)
}

/// The `k`th whitespace-separated column of a message.
fn message_column(message: &[u8], k: usize) -> Option<&[u8]> {
    let mut i = 0;
    for n in 0..=k {
        i = skip_ws(message, i);
        if i >= message.len() {
            return None;
        }
        let e = word_end_ws(message, i);
        if n == k {
            return Some(&message[i..e]);
        }
        i = e;
    }
    None
}

/// The first index from `j` holding a space or a tab (or the end).
fn word_end_ws(s: &[u8], mut j: usize) -> usize {
    while j < s.len() && s[j] != b' ' && s[j] != b'\t' {
        j += 1;
    }
    j
}

/// Learns where a request log's text after the stamp holds the HTTP status and method
/// (that text is then the message): when at least [`ELEMENT_SUPPORT`] of the lines hold
/// a request (a method then a target), the
/// status is the column right after a quoted request line's protocol (`"GET /x
/// HTTP/1.1" 502`, Envoy), else the first column holding a proxy's `CODE/status` (Squid),
/// else the first holding a bare status (AWS ALB, HAProxy), in that share of messages.
fn learn_request_columns(layout: &HeaderLayout, sample: &[&str], ctx: &TimeContext) -> Option<RequestColumns> {
    // Columns are counted from the stamp: header elements would take a status for a
    // pid and a request's words for names (Gin's `| 503 | 1.2ms | 10.0.1.5 | GET "/x"`).
    let parser = LayoutParser::new(HeaderLayout {
        elems: Vec::new(),
        ..layout.clone()
    });
    let mut n = 0usize;
    let mut with_request = 0usize;
    let mut method_at = [0usize; MAX_REQUEST_COLUMN];
    let mut after_protocol = [0usize; MAX_REQUEST_COLUMN];
    let mut coded = [0usize; MAX_REQUEST_COLUMN];
    let mut bare = [0usize; MAX_REQUEST_COLUMN];
    for line in sample {
        let mut rec = Record::default();
        if !parser.parse_message(line, ctx, &mut rec) {
            continue;
        }
        n += 1;
        let cols: Vec<&[u8]> = message_columns(rec.message.as_bytes()).collect();
        let method = (0..cols.len()).find(|&k| is_request(cols[k], cols.get(k + 1).copied()));
        if let Some(m) = method {
            with_request += 1;
            method_at[m] += 1;
            if cols
                .get(m + 2)
                .is_some_and(|p| p.starts_with(b"HTTP/") && p.ends_with(b"\""))
                && cols.get(m + 3).is_some_and(|c| http_status(c).is_some())
            {
                after_protocol[m + 3] += 1;
            }
        }
        for (k, c) in cols.iter().enumerate() {
            if http_status(c).is_some() {
                if c.contains(&b'/') {
                    coded[k] += 1;
                } else {
                    bare[k] += 1;
                }
            }
        }
    }
    let enough = |count: usize| n > 0 && count as f64 >= ELEMENT_SUPPORT * n as f64;
    if !enough(with_request) {
        return None;
    }
    let first = |counts: &[usize; MAX_REQUEST_COLUMN]| counts.iter().position(|&c| enough(c));
    let status = first(&after_protocol)
        .or_else(|| first(&coded))
        .or_else(|| first(&bare))?;
    Some(RequestColumns {
        status: status as u8,
        method: first(&method_at).map(|m| m as u8),
    })
}

/// Logfmt or JSON when at least [`ELEMENT_SUPPORT`] of the layout's messages are clearly
/// logfmt (see [`super::logfmt::strong_line`]) or whole JSON objects.
fn structured_messages(layout: &HeaderLayout, sample: &[&str], ctx: &TimeContext) -> Body {
    let parser = LayoutParser::new(layout.clone());
    let (mut n, mut pairs, mut objects) = (0usize, 0usize, 0usize);
    for line in sample {
        let mut rec = Record::default();
        if parser.parse_message(line, ctx, &mut rec) {
            n += 1;
            pairs += usize::from(super::logfmt::strong_line(&rec.message));
            objects += usize::from(super::json::is_json_object(&rec.message));
        }
    }
    let enough = |k: usize| n > 0 && k as f64 >= ELEMENT_SUPPORT * n as f64;
    if enough(objects) {
        Body::Json
    } else if enough(pairs) {
        Body::Logfmt
    } else {
        Body::Text
    }
}

fn learn_without_timestamp(lines: &[&[u8]]) -> Option<HeaderLayout> {
    let hits = lines.iter().filter(|l| level_colon_logger(l, 0).is_some()).count();
    if hits as f64 >= 0.6 * lines.len() as f64 {
        return Some(HeaderLayout {
            prefix_columns: 0,
            ts: None,
            ts_bracket: TsBracket::No,
            prefix_level: None,
            message_level: false,
            request: None,
            body: Body::Text,
            elems: vec![Elem::LevelColonLogger],
            letter_levels: false,
        });
    }
    None
}

// ---- parsing ------------------------------------------------------------------------

/// Parser for a learned layout.
/// Parse modes (see [`LineParser::parse_facets`] and [`LineParser::parse_message`]).
const MESSAGE: u8 = 0;
const FACETS: u8 = 1;
const ALL: u8 = 2;

pub struct LayoutParser {
    layout: HeaderLayout,
    /// Most fields a head line can give in [`ALL`] and [`FACETS`] modes (prefix
    /// columns, one per element, the words before a level); nothing is reserved for 0.
    field_capacity: [usize; 2],
}

impl HeaderLayout {
    /// Whether the header itself has a level (a column, an element, or its stamp's bracket).
    fn has_level(&self) -> bool {
        self.prefix_level.is_some()
            || matches!(self.ts_bracket, TsBracket::WithRest | TsBracket::AfterLevel)
            || self.elems.iter().any(|e| {
                matches!(
                    e,
                    Elem::Level { .. } | Elem::LevelColonLogger | Elem::SymbolLevel | Elem::LogcatTag
                )
            })
    }
}

impl LayoutParser {
    pub fn new(layout: HeaderLayout) -> Self {
        let words = layout
            .elems
            .iter()
            .any(|e| matches!(e, Elem::Level { after_words: true })) as usize
            * MAX_WORDS_BEFORE;
        let all = layout.prefix_columns + layout.elems.len() + words;
        // Facets keep the words before a level and second names/columns only.
        let facets = words
            + layout
                .elems
                .iter()
                .filter(|e| matches!(e, Elem::Word | Elem::Column))
                .count();
        LayoutParser {
            layout,
            field_capacity: [all, facets],
        }
    }

    /// Matches the timestamp; returns (ts, offset after it (after its bracket), the
    /// header text its bracket holds after it), ts `None` when the text has the layout's
    /// shape but names no real time (counted by the assembler).
    fn match_ts<'s>(&self, s: &'s [u8], ctx: &TimeContext) -> Option<(Option<i64>, usize, &'s [u8])> {
        let ts_layout = self.layout.ts?;
        let off = if self.layout.prefix_columns == 0 {
            skip_ws(s, 0)
        } else {
            column_offset(s, self.layout.prefix_columns)?
        };
        let at = match self.layout.ts_bracket {
            TsBracket::No => off,
            TsBracket::AfterLevel => glued_level(s, off)?.1 + 1,
            // The mark comes and goes with the clock's state.
            TsBracket::Marked => off + usize::from(clock_mark(s, off)),
            _ => {
                if s.get(off) != Some(&b'[') {
                    return None;
                }
                off + 1
            }
        };
        let m = timestamp::parse_with_checked(ts_layout, s.get(at..)?, ctx)?;
        let stamp_end = at + m.len;
        let (end, rest) = match self.layout.ts_bracket {
            TsBracket::No | TsBracket::Marked => (stamp_end, &s[..0]),
            TsBracket::Closed => {
                if s.get(stamp_end) != Some(&b']') {
                    return None;
                }
                (stamp_end + 1, &s[..0])
            }
            // The level word is the header text (read as a bracket's rest is).
            TsBracket::AfterLevel => {
                if s.get(stamp_end) != Some(&b']') {
                    return None;
                }
                (stamp_end + 1, &s[off..at - 1])
            }
            TsBracket::WithRest => match bracket_after_stamp(s, off, stamp_end) {
                (TsBracket::WithRest, close) => (close, &s[stamp_end..close - 1]),
                _ => return None,
            },
        };
        Some((m.valid.then_some(m.nanos), end, rest))
    }
}

impl LineParser for LayoutParser {
    fn starts_record(&self, line: &str, ctx: &TimeContext) -> bool {
        let s = line.as_bytes();
        match self.layout.ts {
            Some(_) => self.match_ts(s, ctx).is_some(),
            None => level_colon_logger(s, 0).is_some(),
        }
    }

    fn parse_line(&self, line: &str, ctx: &TimeContext, rec: &mut Record) -> bool {
        self.parse::<ALL>(line, ctx, rec)
    }

    fn parse_facets(&self, line: &str, ctx: &TimeContext, rec: &mut Record) -> bool {
        self.parse::<FACETS>(line, ctx, rec)
    }

    fn parse_message(&self, line: &str, ctx: &TimeContext, rec: &mut Record) -> bool {
        self.parse::<MESSAGE>(line, ctx, rec)
    }
}

impl LayoutParser {
    /// Parses a head line. `MODE` is [`ALL`], [`FACETS`] (no positional columns, process
    /// or thread ids) or [`MESSAGE`] (only `ts`, `level` and `message`):
    /// the header is walked exactly the same way (so the message starts at the same
    /// byte), but no module, host or field strings are built.
    #[inline(always)]
    fn parse<const MODE: u8>(&self, line: &str, ctx: &TimeContext, rec: &mut Record) -> bool {
        let s = line.as_bytes();
        // What this mode builds: module, host and descriptive fields; positional columns
        // and process/thread ids too.
        let facets = MODE >= FACETS;
        let all = MODE == ALL;
        let capacity = if all {
            self.field_capacity[0]
        } else {
            self.field_capacity[1]
        };
        if facets && capacity > 0 && rec.fields.capacity() == 0 {
            // One allocation for the header's fields instead of a regrowth per push.
            rec.fields.reserve(capacity);
        }
        let mut i;
        if self.layout.ts.is_some() {
            let Some((ns, end, bracket_rest)) = self.match_ts(s, ctx) else {
                return false;
            };
            rec.ts = ns;
            rec.ts_invalid = ns.is_none();
            if let Some(k) = self.layout.prefix_level {
                rec.level = column_offset(s, k).and_then(|at| token_level(&s[at..token_end(s, at)], false));
            }
            if !bracket_rest.is_empty() {
                rec.level = rec.level.or_else(|| level_in_bracket_rest(bracket_rest));
                if all {
                    if let Some(pid) = bracket_rest_pid(line, bracket_rest) {
                        rec.fields.push(("pid".into(), pid.to_string()));
                    }
                }
            }
            if all && self.layout.prefix_columns > 0 {
                let mut j = skip_ws(s, 0);
                for k in 0..self.layout.prefix_columns {
                    let e = token_end(s, j);
                    rec.fields
                        .push((column_name("col", k), sub(line, &s[j..e]).to_string()));
                    j = skip_ws(s, e.max(j + 1));
                }
            }
            i = end;
        } else {
            if level_colon_logger(s, 0).is_none() {
                return false;
            }
            i = 0;
        }
        let letters = self.layout.letter_levels;
        for elem in &self.layout.elems {
            let start = skip_ws(s, i);
            if start >= s.len() {
                i = start;
                break;
            }
            // The whole token at `start`, for the elements that look at it (a tag,
            // `words… level` and `LEVEL:logger:` read on by themselves).
            let (end, tok) = match elem {
                Elem::Tag | Elem::Level { after_words: true } | Elem::LevelColonLogger | Elem::Sep(b',') => {
                    (start, &s[start..start])
                }
                _ => {
                    let end = token_end(s, start);
                    (end, &s[start..end])
                }
            };
            match *elem {
                // (A `,` token is the only one `sep_of` maps to `,`, and it starts with one.)
                Elem::Sep(b',') => {
                    if s[start] == b',' {
                        i = start + 1;
                    }
                }
                Elem::Sep(sep) => {
                    if sep_of(tok) == Some(sep) {
                        i = end;
                    }
                }
                Elem::Level { after_words: false } => {
                    if let Some(l) = token_level(tok, letters) {
                        rec.level = Some(l);
                        i = end;
                    }
                }
                Elem::Level { after_words: true } => {
                    let mut j = start;
                    let fields_before = rec.fields.len();
                    // At most MAX_WORDS_BEFORE words are kept: no allocation.
                    let mut words: [&[u8]; MAX_WORDS_BEFORE] = [&[]; MAX_WORDS_BEFORE];
                    let (mut n, mut pairs) = (0, 0);
                    let found = loop {
                        let js = skip_ws(s, j);
                        if js >= s.len() {
                            break false;
                        }
                        let je = token_end(s, js);
                        let t = &s[js..je];
                        if let Some(l) = token_level(t, letters) {
                            rec.level = Some(l);
                            if facets {
                                for (k, w) in words[..n].iter().enumerate() {
                                    rec.fields.push((column_name("word", k), sub(line, w).to_string()));
                                }
                                if let Some(last) = words[..n].last() {
                                    rec.module = Some(sub(line, last).to_string());
                                }
                            }
                            i = je;
                            break true;
                        }
                        // Context as `key=value` (Sidekiq, Elixir metadata) is a field
                        // under its key; other words are positional.
                        match header_pair(t) {
                            Some((key, value)) if pairs < MAX_PAIRS_BEFORE => {
                                pairs += 1;
                                if facets {
                                    rec.fields
                                        .push((sub(line, key).to_string().into(), sub(line, value).to_string()));
                                }
                            }
                            _ if n < MAX_WORDS_BEFORE => {
                                words[n] = t;
                                n += 1;
                            }
                            _ => break false,
                        }
                        j = je;
                    };
                    if !found {
                        rec.fields.truncate(fields_before);
                    }
                }
                Elem::Num => {
                    if is_num(tok) {
                        if all {
                            let name = num_field_name(rec, tok.starts_with(b"0x"));
                            rec.fields.push((name, sub(line, tok).to_string()));
                        }
                        i = end;
                    }
                }
                Elem::Bracket => {
                    if matches!(tok.first(), Some(b'[') | Some(b'(')) {
                        if let Some(close) = balanced_end(s, start) {
                            if let Some(l) = token_level(&s[start..close], letters) {
                                if rec.level.is_none() {
                                    rec.level = Some(l);
                                }
                            } else if let Some((l, module)) = module_colon_level(&s[start + 1..close - 1]) {
                                // Apache httpd 2.4: `[core:error]`, `[ssl:warn]`.
                                if rec.level.is_none() {
                                    rec.level = Some(l);
                                }
                                if facets && rec.module.is_none() {
                                    rec.module = Some(sub(line, module).to_string());
                                }
                            } else if facets {
                                let inner = sub(line, &s[start + 1..close - 1]).trim();
                                if is_caller(inner.split_whitespace().next().unwrap_or("").as_bytes()) {
                                    rec.module =
                                        module_of(line, inner.split_whitespace().next().unwrap_or("").as_bytes());
                                } else if all {
                                    rec.fields.push(("thread".into(), inner.to_string()));
                                }
                            }
                            i = close;
                        }
                    }
                }
                Elem::Word => {
                    if sep_of(tok).is_none() {
                        // A name may hold spaces (`chrome.exe *64 - …`): take the words up
                        // to the separator that follows in the layout.
                        let mut word_end = end;
                        let mut j = end;
                        for _ in 0..MAX_WORDS_BEFORE {
                            let js = skip_ws(s, j);
                            let je = token_end(s, js);
                            if js >= s.len() || sep_of(&s[js..je]).is_some() {
                                word_end = j;
                                break;
                            }
                            j = je;
                        }
                        let end = word_end;
                        if facets {
                            let w = sub(line, &s[start..end]).trim().to_string();
                            if rec.module.is_none() {
                                rec.module = Some(w);
                            } else {
                                rec.fields.push(("name".into(), w));
                            }
                        }
                        i = end;
                    }
                }
                Elem::Column => {
                    if followed_by_wide_gap(s, end) && sep_of(tok).is_none() {
                        if facets {
                            let w = sub(line, tok).to_string();
                            if rec.module.is_none() {
                                rec.module = Some(w);
                            } else {
                                rec.fields.push(("column".into(), w));
                            }
                        }
                        i = end;
                    }
                }
                Elem::PidTid => {
                    if let Some((pid, tid)) = pid_tid(tok) {
                        if all {
                            rec.fields.push(("pid".into(), sub(line, pid).to_string()));
                            rec.fields.push(("tid".into(), sub(line, tid).to_string()));
                        }
                        i = end;
                        // `*123 `: the client connection the line is about.
                        let next = skip_ws(s, end);
                        let conn_end = token_end(s, next);
                        if s.get(next) == Some(&b'*') && is_num(&s[next + 1..conn_end]) {
                            if all {
                                rec.fields
                                    .push(("connection".into(), sub(line, &s[next + 1..conn_end]).to_string()));
                            }
                            i = conn_end;
                        }
                    }
                }
                Elem::Logger => {
                    if is_qualified_name(tok) {
                        if facets {
                            rec.module = Some(sub(line, tok).to_string());
                        }
                        i = end;
                    }
                }
                Elem::LogcatTag => {
                    if let Some((level, tag, pid, after)) = logcat_tag(s, start) {
                        rec.level = Some(level);
                        if facets {
                            rec.module = Some(sub(line, tag).to_string());
                        }
                        if all {
                            rec.fields.push(("pid".into(), sub(line, pid).to_string()));
                        }
                        i = after;
                    }
                }
                Elem::SymbolLevel => {
                    if let Some(l) = symbol_level(tok) {
                        rec.level = Some(l);
                        i = end;
                    }
                }
                Elem::Caller => {
                    if is_caller(tok) {
                        if facets {
                            rec.module = module_of(line, tok);
                        }
                        i = end;
                    }
                }
                Elem::Tag => {
                    if let Some(after) = self.match_tag::<MODE>(line, start, rec) {
                        i = after;
                    }
                }
                Elem::LevelColonLogger => {
                    if let Some(after) = level_colon_logger(s, start) {
                        let head = &s[start..after - 1];
                        let c1 = head.iter().position(|&b| b == b':').unwrap_or(0);
                        rec.level = Level::from_word(sub(line, &head[..c1]));
                        if facets {
                            rec.module = Some(sub(line, &head[c1 + 1..]).to_string());
                        }
                        i = after;
                    }
                }
            }
        }
        let msg_start = skip_ws(s, i).min(s.len());
        if self.layout.body != Body::Text && rec.level.is_none() {
            if let Some(body) = line.get(msg_start..) {
                let read = match self.layout.body {
                    Body::Logfmt => super::logfmt::read_body(body, ctx, rec),
                    _ => body.starts_with('{') && super::json::JsonParser::new().parse_line(body, ctx, rec),
                };
                if read {
                    return true;
                }
            }
        }
        if let Some(req) = self.layout.request {
            self.request_fields::<MODE>(line, msg_start, req, rec);
        }
        if self.layout.message_level && rec.level.is_none() {
            rec.level = message_level_prefix(&s[msg_start..]);
        }
        // Header elements end on ASCII bytes, so this is a char boundary (checked, not assumed).
        match line.get(msg_start..) {
            Some(m) => rec.message.push_str(m),
            None => rec.message.push_str(&String::from_utf8_lossy(&s[msg_start..])),
        }
        true
    }

    /// A request log's status (the level, and a `status` field) and its request's
    /// `method` and `path` (from [`FACETS`] on), from the columns the layout learned.
    fn request_fields<const MODE: u8>(&self, line: &str, msg_start: usize, req: RequestColumns, rec: &mut Record) {
        let message = &line.as_bytes()[msg_start..];
        let Some(status) = message_column(message, req.status as usize).filter(|t| http_status(t).is_some()) else {
            return;
        };
        if let Some(code) = http_status(status) {
            rec.level = Some(status_level(code));
        }
        if MODE < FACETS {
            return;
        }
        let digits = &status[status.len() - 3..];
        rec.fields.push(("status".into(), sub(line, digits).to_string()));
        let Some(m) = req.method else { return };
        let (Some(method), Some(target)) = (
            message_column(message, m as usize),
            message_column(message, m as usize + 1),
        ) else {
            return;
        };
        if !is_request(method, Some(target)) {
            return;
        }
        let method = method.strip_prefix(b"\"").unwrap_or(method);
        let target = target.strip_suffix(b"\"").unwrap_or(target);
        let target = target.strip_prefix(b"\"").unwrap_or(target);
        // `https://host:443/x?q` → `/x`: the path, as the access log parser gives it.
        let after_scheme = target
            .strip_prefix(b"http://")
            .or_else(|| target.strip_prefix(b"https://"))
            .map(|rest| {
                rest.iter()
                    .position(|&b| b == b'/')
                    .map_or(&rest[rest.len()..], |p| &rest[p..])
            });
        let path = after_scheme.unwrap_or(target);
        let path = &path[..path.iter().position(|&b| b == b'?').unwrap_or(path.len())];
        rec.fields.push(("method".into(), sub(line, method).to_string()));
        if !path.is_empty() {
            rec.fields.push(("path".into(), sub(line, path).to_string()));
        }
    }

    /// Matches `[words…] tag:`. Returns the offset after the tag; from [`FACETS`] on, also
    /// fills host, module and pid.
    fn match_tag<const MODE: u8>(&self, line: &str, start: usize, rec: &mut Record) -> Option<usize> {
        let s = line.as_bytes();
        let mut j = start;
        // At most MAX_WORDS_BEFORE + 1 words are looked at: no allocation.
        let mut words: [&[u8]; MAX_WORDS_BEFORE + 1] = [&[]; MAX_WORDS_BEFORE + 1];
        for n in 0..=MAX_WORDS_BEFORE {
            let js = skip_ws(s, j);
            if js >= s.len() {
                return None;
            }
            let je = token_end(s, js);
            let t = &s[js..je];
            if is_tag(t) {
                let channel_level = channel_level(t);
                if let Some((level, _)) = channel_level {
                    rec.level = rec.level.or(Some(level));
                }
                if MODE < FACETS {
                    return Some(je);
                }
                let words = &words[..n];
                if let Some((_, channel)) = channel_level.filter(|_| words.is_empty()) {
                    rec.module = Some(sub(line, channel).to_string());
                    return Some(je);
                }
                if t == b":" {
                    // `logger   : message` (Spring Boot, logcat): the words are the logger.
                    if !words.is_empty() {
                        rec.module = Some(join_words(line, words, None));
                    }
                } else {
                    // `host prog[pid]:` — the first word is the host when there are several.
                    let mut rest = words;
                    if let Some((first, tail)) = words.split_first() {
                        rec.host = Some(sub(line, first).to_string());
                        rest = tail;
                    }
                    let module = module_of(line, t);
                    if !rest.is_empty() || module.is_some() {
                        rec.module = Some(join_words(line, rest, module.as_deref()));
                    }
                    if let Some(pid) = if MODE == ALL { pid_of(line, t) } else { None } {
                        rec.fields.push(("pid".into(), pid.to_string()));
                    }
                }
                return Some(je);
            }
            words[n] = t;
            j = je;
        }
        None
    }
}

/// `words` (and `last`) joined by single spaces.
fn join_words(line: &str, words: &[&[u8]], last: Option<&str>) -> String {
    let mut out = String::with_capacity(words.iter().map(|w| w.len() + 1).sum::<usize>() + last.map_or(0, str::len));
    for (k, w) in words.iter().map(|w| sub(line, w)).chain(last).enumerate() {
        if k > 0 {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

/// Proposes a learned layout for the sample.
pub fn detect(sample: &[&str], ctx: &TimeContext) -> Option<Candidate> {
    let layout = learn(sample, ctx)?;
    let name = format!("{} `{}`", layout.family(), layout.describe());
    let ts_layout = layout.ts;
    Some(Candidate {
        name,
        parser: Arc::new(LayoutParser::new(layout)),
        ts_layout,
        specificity: specificity::LAYOUT,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::rfc3339;

    fn ctx() -> TimeContext {
        TimeContext {
            zone: timestamp::Zone::utc(),
            reference: (2024, 12, 31),
        }
    }

    /// Learns from `lines` and parses each; returns the records of head lines.
    fn parse_all(lines: &[&str]) -> (String, Vec<Record>) {
        let cand = detect(lines, &ctx()).expect("a layout");
        let recs = lines
            .iter()
            .filter_map(|l| {
                let mut r = Record::default();
                cand.parser.parse_line(l, &ctx(), &mut r).then_some(r)
            })
            .collect();
        (cand.name, recs)
    }

    /// Regression: plain messages that end with a time (`… elapsed at 12:01:33`) were
    /// read as seven header columns and a timestamp, leaving every message empty.
    #[test]
    fn a_time_at_the_end_of_every_line_is_not_a_header() {
        let lines: Vec<String> = (0..20)
            .map(|i| {
                format!(
                    "job finished delay=00:00:0{}, total 00:0{}:1{} elapsed at 12:{:02}:33",
                    i % 10,
                    i % 6,
                    i % 10,
                    i
                )
            })
            .collect();
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        assert!(learn(&refs, &ctx()).is_none(), "{:?}", learn(&refs, &ctx()));
    }

    #[test]
    fn syslog_rfc3164() {
        let lines = [
            "Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; logname= uid=0",
            "Jun 14 15:16:02 combo sshd(pam_unix)[19937]: check pass; user unknown",
            "Jun 15 02:04:59 combo ftpd[20655]: connection from 24.54.76.216 () at Wed Jun 15 02:04:59 2005",
        ];
        let (name, r) = parse_all(&lines);
        assert!(name.starts_with("syslog-rfc3164"), "{name}");
        assert_eq!(r[0].host.as_deref(), Some("combo"));
        assert_eq!(r[0].module.as_deref(), Some("sshd(pam_unix)"));
        assert_eq!(r[0].field("pid"), Some("19939"));
        assert_eq!(r[0].message, "authentication failure; logname= uid=0");
        assert_eq!(
            r[2].message,
            "connection from 24.54.76.216 () at Wed Jun 15 02:04:59 2005"
        );
        assert_eq!(rfc3339(r[0].ts.unwrap()), "2024-06-14T15:16:01Z");
    }

    #[test]
    fn java_logback_and_stack_trace() {
        let lines = [
            "2024-03-01 10:00:00.123 [main] INFO  com.example.App - Started App in 2.1 seconds",
            "2024-03-01 10:00:01.456 [http-nio-8080-exec-1] ERROR com.example.web.Ctl - Request failed",
            "java.lang.IllegalStateException: boom",
            "\tat com.example.web.Ctl.handle(Ctl.java:42)",
            "2024-03-01 10:00:02.000 [main] WARN  com.example.Cache - cache miss ratio high",
        ];
        let (name, r) = parse_all(&lines);
        assert_eq!(r.len(), 3, "{name}");
        assert_eq!(r[1].level, Some(Level::Error));
        assert_eq!(r[1].module.as_deref(), Some("com.example.web.Ctl"));
        assert_eq!(r[1].field("thread"), Some("http-nio-8080-exec-1"));
        assert_eq!(r[1].message, "Request failed");
    }

    #[test]
    fn a_trace_id_key_does_not_end_the_header() {
        // `TraceID:` looks like a `tag:` but is the key of a per-request id in the message.
        let lines = [
            "2023-01-30T11:38:53.657Z INFO [ts-contacts-service] c.c.ContactsController#83 TraceID: 42b4f7d894cd9d4759a7f1e1acfef52f SpanID: 26cbf63a021f5ef6 [Contacts Id Print]",
            "2023-01-30T11:38:53.658Z ERROR [ts-contacts-service] c.s.ContactsServiceImpl#31 TraceID: 42b4f7d894cd9d4759a7f1e1acfef52f SpanID: 26cbf63a021f5ef6 FIND CONTACTS BY ID: a5",
        ];
        let (name, r) = parse_all(&lines);
        assert_eq!(r.len(), 2, "{name}");
        assert_eq!(r[1].level, Some(Level::Error));
        assert_eq!(r[0].module, None, "{name}");
        assert!(
            r[0].message.starts_with("c.c.ContactsController#83 TraceID: 42b4f7d8"),
            "{}",
            r[0].message
        );
        assert!(
            correlation_key(b"X-Request-Id").is_some()
                && correlation_key(b"span_id").is_some()
                && correlation_key(b"sshd").is_none()
        );
    }

    #[test]
    fn spring_boot_default() {
        let lines = [
            "2024-03-01 10:00:00.123  INFO 12345 --- [           main] c.e.demo.DemoApplication                 : Started DemoApplication",
            "2024-03-01 10:00:00.456  WARN 12345 --- [nio-8080-exec-1] o.s.web.servlet.PageNotFound             : No mapping for GET /x",
        ];
        let (name, r) = parse_all(&lines);
        assert!(name.starts_with("spring-boot"), "{name}");
        assert_eq!(r[1].level, Some(Level::Warn));
        assert_eq!(r[1].module.as_deref(), Some("o.s.web.servlet.PageNotFound"));
        assert_eq!(r[1].field("thread"), Some("nio-8080-exec-1"));
        assert_eq!(r[1].message, "No mapping for GET /x");
    }

    #[test]
    fn python_logging_variants() {
        let lines = [
            "2024-03-01 10:00:00,123 - payments.api - ERROR - Database connection failed: error=network error",
            "2024-03-01 10:00:01,000 - payments.api - INFO - ok",
        ];
        let (_, r) = parse_all(&lines);
        assert_eq!(r[0].module.as_deref(), Some("payments.api"));
        assert_eq!(r[0].level, Some(Level::Error));
        assert_eq!(r[0].message, "Database connection failed: error=network error");

        let lines = [
            "2024-03-01 10:00:00,123 ERROR [payment_processor.py:88] Payment system completely unavailable",
            "2024-03-01 10:00:00,124 INFO [api_gateway.py:12] request ok",
        ];
        let (_, r) = parse_all(&lines);
        assert_eq!(r[0].module.as_deref(), Some("payment_processor.py"));
        assert_eq!(r[0].message, "Payment system completely unavailable");

        let lines = [
            "INFO:root:starting",
            "WARNING:app.db:slow query 3s",
            "ERROR:app.db:gave up",
        ];
        let (_, r) = parse_all(&lines);
        assert_eq!(r[1].level, Some(Level::Warn));
        assert_eq!(r[1].module.as_deref(), Some("app.db"));
        assert_eq!(r[1].message, "slow query 3s");
    }

    #[test]
    fn go_log_and_zap_console() {
        let lines = [
            "2009/11/10 23:00:00 main.go:12: listening on :8080",
            "2009/11/10 23:00:01 server.go:40: accepted conn",
        ];
        let (_, r) = parse_all(&lines);
        assert_eq!(r[0].module.as_deref(), Some("main.go"));
        assert_eq!(r[0].message, "listening on :8080");

        let lines = [
            "2024-03-01T10:00:00.000Z\tINFO\tserver/http.go:42\trequest served\t{\"path\": \"/x\"}",
            "2024-03-01T10:00:00.100Z\tERROR\tserver/db.go:7\tquery failed\t{\"err\": \"timeout\"}",
        ];
        let (name, r) = parse_all(&lines);
        assert!(name.starts_with("go-zap-console"), "{name}");
        assert_eq!(r[1].module.as_deref(), Some("server/db.go"));
        assert_eq!(r[1].message, "query failed\t{\"err\": \"timeout\"}");
    }

    #[test]
    fn android_logcat_and_apache_error() {
        let lines = [
            "03-17 16:13:38.811  1702  2395 D WindowManager: printFreezingDisplayLogsopening app wtoken",
            "03-17 16:13:38.819  1702  8671 E PowerManagerService: acquire lock=233570404",
        ];
        let (_, r) = parse_all(&lines);
        assert_eq!(r[1].level, Some(Level::Error));
        assert_eq!(r[1].module.as_deref(), Some("PowerManagerService"));
        assert_eq!(r[1].field("tid"), Some("8671"));
        assert_eq!(r[1].message, "acquire lock=233570404");

        let lines = [
            "[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok /etc/httpd/conf/workers2.properties",
            "[Sun Dec 04 04:47:44 2005] [error] mod_jk child workerEnv in error state 6",
        ];
        let (_, r) = parse_all(&lines);
        assert_eq!(r[1].level, Some(Level::Error));
        assert_eq!(r[1].message, "mod_jk child workerEnv in error state 6");
    }

    /// Spring Boot ERROR records with `frames`-line stack traces between INFO lines,
    /// optionally starting inside a trace (a rotated file).
    fn spring_with_traces(frames: usize, start_inside: bool) -> String {
        let mut out = String::new();
        if start_inside {
            out.push_str("\tat com.example.Tail.run(Tail.java:9)\n\t... 12 more\n");
        }
        for i in 0..40 {
            out.push_str(&format!(
                "2024-03-01 10:{:02}:{:02}.123  INFO 4242 --- [           main] c.e.demo.Worker                          : tick {i}\n",
                i / 60,
                i % 60
            ));
            out.push_str(&format!(
                "2024-03-01 10:{:02}:{:02}.456 ERROR 4242 --- [nio-8080-exec-1] c.e.demo.Controller                      : request {i} failed\n",
                i / 60,
                i % 60
            ));
            out.push_str("java.lang.IllegalStateException: boom\n");
            for f in 0..frames {
                out.push_str(&format!(
                    "\tat com.example.demo.Layer{f}.call(Layer{f}.java:{})\n",
                    f + 10
                ));
            }
            out.push_str("Caused by: java.io.IOException: disk\n\t... 3 more\n");
        }
        out
    }

    fn python_with_tracebacks(depth: usize) -> String {
        let mut out = String::new();
        for i in 0..40 {
            out.push_str(&format!(
                "2024-03-01 10:00:{:02},001 - worker - ERROR - job {i} failed\n",
                i % 60
            ));
            out.push_str("Traceback (most recent call last):\n");
            for d in 0..depth {
                out.push_str(&format!(
                    "  File \"/srv/app/mod{d}.py\", line {}, in step{d}\n    step{}()\n",
                    d + 3,
                    d + 1
                ));
            }
            out.push_str("ValueError: bad input\n");
        }
        out
    }

    #[test]
    fn trace_dominated_logs_still_learn_their_header() {
        for (name, text) in [
            ("spring 5", spring_with_traces(5, false)),
            ("spring 20", spring_with_traces(20, false)),
            ("spring 60", spring_with_traces(60, false)),
            ("spring 60 starting inside a trace", spring_with_traces(60, true)),
            ("python 10", python_with_tracebacks(10)),
            ("python 30", python_with_tracebacks(30)),
        ] {
            let sample: Vec<&str> = text.lines().take(crate::detect::SAMPLE_LINES).collect();
            let det = crate::detect::detect(&sample, &ctx());
            let layout = det.candidate.ts_layout;
            assert_eq!(layout, Some(TsLayout::Iso), "{name}: {}", det.candidate.name);
            let heads: Vec<Record> = text
                .lines()
                .filter_map(|l| {
                    let mut r = Record::default();
                    det.parser().parse_line(l, &ctx(), &mut r).then_some(r)
                })
                .collect();
            // Only the header lines head records, and each has its time and level.
            let want = if name.starts_with("python") { 40 } else { 80 };
            assert_eq!(heads.len(), want, "{name}: {}", det.candidate.name);
            assert!(heads.iter().all(|r| r.ts.is_some() && r.level.is_some()), "{name}");
        }
    }

    #[test]
    fn log4j2_glued_brackets_with_padded_level() {
        // Elasticsearch's default log4j2 layout.
        let lines = [
            "[2024-01-15T10:00:00,123][WARN ][o.e.c.r.a.DiskThresholdMonitor] [node-1] high disk watermark [90%] exceeded",
            "[2024-01-15T10:00:01,456][INFO ][o.e.n.Node               ] [node-1] started",
            "[2024-01-15T10:00:02,789][ERROR][o.e.b.ElasticsearchUncaughtExceptionHandler] [node-1] uncaught exception",
        ];
        let (name, r) = parse_all(&lines);
        assert_eq!(r.len(), 3, "{name}");
        let levels: Vec<_> = r.iter().map(|r| r.level).collect();
        assert_eq!(
            levels,
            [Some(Level::Warn), Some(Level::Info), Some(Level::Error)],
            "{name}"
        );
        assert_eq!(r[0].message, "high disk watermark [90%] exceeded", "{name}");
        assert_eq!(r[1].message, "started", "{name}");
    }

    /// Where a level sits outside the element run after the stamp: a column before it
    /// (Cassandra, some log4j layouts), the stamp's own bracket (Ruby's Logger, Celery),
    /// a bracket with the module (Apache httpd 2.4), a tag (PostgreSQL), a symbol (Redis).
    #[test]
    fn levels_in_other_places_of_a_header() {
        // (lines, their levels, their messages)
        type Case = (&'static [&'static str], [Option<Level>; 2], [&'static str; 2]);
        let cases: [Case; 6] = [
            (
                &[
                    "INFO  [main] 2024-03-01 10:00:00,123 StorageService.java:806 - Node is ready",
                    "ERROR [Native-Transport-Requests-1] 2024-03-01 10:00:01,456 Message.java:624 - Unexpected exception",
                ],
                [Some(Level::Info), Some(Level::Error)],
                ["Node is ready", "Unexpected exception"],
            ),
            (
                &[
                    "I, [2024-03-01T10:00:00.123456 #4321]  INFO -- : Started GET /orders",
                    "E, [2024-03-01T10:00:01.000001 #4321] ERROR -- : Timeout::Error",
                ],
                [Some(Level::Info), Some(Level::Error)],
                ["Started GET /orders", "Timeout::Error"],
            ),
            (
                &[
                    "[2024-03-01 10:00:00,123: INFO/MainProcess] Task tasks.add succeeded",
                    "[2024-03-01 10:00:01,456: ERROR/ForkPoolWorker-2] Task tasks.add raised",
                ],
                [Some(Level::Info), Some(Level::Error)],
                ["Task tasks.add succeeded", "Task tasks.add raised"],
            ),
            (
                &[
                    "[Fri Mar 01 10:00:00.123456 2024] [mpm_event:notice] [pid 12:tid 140] AH00489: resuming",
                    "[Fri Mar 01 10:00:01.123456 2024] [proxy:error] [pid 13:tid 141] AH00957: connect failed",
                ],
                [Some(Level::Info), Some(Level::Error)],
                // httpd's message ids end the header as a tag would.
                ["resuming", "connect failed"],
            ),
            (
                &[
                    "2024-03-01 10:00:00.123 UTC [4321] LOG:  checkpoint starting: time",
                    "2024-03-01 10:00:01.456 UTC [4322] ERROR:  relation \"x\" does not exist",
                ],
                [Some(Level::Info), Some(Level::Error)],
                ["checkpoint starting: time", "relation \"x\" does not exist"],
            ),
            (
                &[
                    "4321:M 01 Mar 2024 10:00:00.123 * Background saving started",
                    "4321:M 01 Mar 2024 10:00:01.456 # Can't save in background: fork: Cannot allocate memory",
                ],
                [Some(Level::Info), Some(Level::Warn)],
                ["Background saving started", "Can't save in background: fork: Cannot allocate memory"],
            ),
        ];
        for (lines, levels, messages) in cases {
            let mut sample: Vec<&str> = Vec::new();
            for _ in 0..10 {
                sample.extend_from_slice(lines);
            }
            let (name, r) = parse_all(&sample);
            assert_eq!([r[0].level, r[1].level], levels, "{name}: {lines:?}");
            assert_eq!([r[0].message.as_str(), r[1].message.as_str()], messages, "{name}");
            assert!(r[0].ts.is_some(), "{name}");
        }
    }

    /// A header without a level: a level opening the message, spelled as a header
    /// spells one, is the record's (the message keeps it); other words are not.
    #[test]
    fn a_level_opening_the_message_when_the_header_has_none() {
        let lines = [
            "2024-03-01T10:00:00.000001+00:00 web-1 orders[4321]: request served in 12 ms",
            "2024-03-01T10:00:01.000001+00:00 web-1 orders[4321]: error: payments-db refused the connection",
            "2024-03-01T10:00:02.000001+00:00 web-1 orders[4321]: [WARN] retrying in 2 s",
            "2024-03-01T10:00:03.000001+00:00 web-1 orders[4321]: ERROR upstream timed out",
            "2024-03-01T10:00:04.000001+00:00 web-1 logrotate[4321]: ALERT exited abnormally with [1]",
            "2024-03-01T10:00:05.000001+00:00 web-1 orders[4321]: Config: reloaded",
        ];
        let (name, r) = parse_all(&lines);
        let levels: Vec<Option<Level>> = r.iter().map(|r| r.level).collect();
        assert_eq!(
            levels,
            [
                None,
                Some(Level::Error),
                Some(Level::Warn),
                Some(Level::Error),
                None,
                None
            ],
            "{name}"
        );
        assert_eq!(r[1].message, "error: payments-db refused the connection");
        // A header with a level of its own keeps it.
        let lines = ["2024-03-01 10:00:00 INFO [main] ERROR: the text says so"; 5];
        let (_, r) = parse_all(&lines);
        assert_eq!(r[0].level, Some(Level::Info));
    }

    /// Tomcat's OneLineFormatter: `LEVEL [thread] class.method message`.
    #[test]
    fn a_java_class_name_alone_is_the_logger() {
        let lines = [
            "01-Mar-2024 10:00:00.123 INFO [main] org.apache.catalina.startup.Catalina.start Server startup in [840] ms",
            "01-Mar-2024 10:00:01.456 SEVERE [http-nio-8080-exec-3] org.apache.catalina.core.StandardWrapperValve.invoke Servlet.service() threw exception",
        ];
        let (name, r) = parse_all(&lines);
        assert_eq!(r[1].level, Some(Level::Error), "{name}");
        assert_eq!(
            r[1].module.as_deref(),
            Some("org.apache.catalina.core.StandardWrapperValve.invoke")
        );
        assert_eq!(r[1].message, "Servlet.service() threw exception");
        assert!(is_qualified_name(b"com.acme.App"));
        assert!(!is_qualified_name(b"Servlet.service()"));
        assert!(!is_qualified_name(b"10.0.0.1"));
        assert!(!is_qualified_name(b"a.b"));
    }

    /// nginx's error log: `pid#tid: *connection` ends the header.
    #[test]
    fn nginx_error_log_process_and_connection() {
        let lines = [
            "2024/03/01 10:00:00 [error] 4321#4322: *47 connect() failed (111: Connection refused) while connecting to upstream",
            "2024/03/01 10:00:01 [warn] 4321#4322: *48 an upstream response is buffered to a temporary file",
            "2024/03/01 10:00:02 [notice] 4321#4321: signal process started",
        ];
        let (name, r) = parse_all(&lines);
        assert_eq!(r[0].level, Some(Level::Error), "{name}");
        assert_eq!(r[0].field("pid"), Some("4321"));
        assert_eq!(r[0].field("tid"), Some("4322"));
        assert_eq!(r[0].field("connection"), Some("47"));
        assert!(r[0].message.starts_with("connect() failed"), "{}", r[0].message);
        assert_eq!(r[2].message, "signal process started");
    }

    /// Learns from `lines` repeated to a sample and parses them; the records in order.
    fn parse_repeated(lines: &[&str]) -> (String, Vec<Record>) {
        let mut sample: Vec<&str> = Vec::new();
        for _ in 0..10 {
            sample.extend_from_slice(lines);
        }
        let (name, r) = parse_all(&sample);
        (name, r.into_iter().take(lines.len()).collect())
    }

    /// HAProxy's HTTP log behind a syslog header: the richer stamp in its bracket is the
    /// record's, found after the header's multi-word stamp, counted as its three columns.
    #[test]
    fn a_richer_stamp_behind_a_syslog_stamp() {
        let lines = [
            r#"Dec  7 09:00:00 lb-1 haproxy[4321]: 10.0.1.5:40001 [07/Dec/2024:09:00:00.219] fe_main be_orders/srv1 0/0/1/12/13 200 470 - - ---- 1/1/0/0/0 0/0 "GET /api/orders/47 HTTP/1.1""#,
            r#"Dec  7 09:00:01 lb-1 haproxy[4321]: 10.0.1.6:40002 [07/Dec/2024:09:00:01.001] fe_main be_orders/srv1 0/0/-1/-1/3 503 212 - - SC-- 1/1/0/0/3 0/0 "GET /api/orders/48 HTTP/1.1""#,
        ];
        let (name, r) = parse_repeated(&lines);
        assert_eq!(r.len(), 2, "{name}");
        assert_eq!(rfc3339(r[1].ts.unwrap()), "2024-12-07T09:00:01.001Z", "{name}");
        assert!(r[0].message.starts_with("fe_main be_orders/srv1"), "{}", r[0].message);
        // …and the HTTP status gives the level.
        assert_eq!(
            [r[0].level, r[1].level],
            [Some(Level::Info), Some(Level::Error)],
            "{name}"
        );
    }

    /// Request logs with no level in their header: the status column gives it (as for
    /// access logs) and a `status` field, wherever the tool writes it; the request gives
    /// `method` and `path`.
    #[test]
    fn request_logs_take_their_level_from_the_status() {
        type Case = (&'static str, [&'static str; 2], &'static str);
        let cases: [Case; 4] = [
            (
                "aws-alb",
                [
                    r#"https 2024-12-07T09:00:00.219781Z app/orders-alb/50dc6c495c0c9188 10.0.1.5:40001 10.0.0.7:8080 0.000 0.012 0.000 200 200 34 470 "GET https://orders.example.com:443/api/orders/47?x=1 HTTP/1.1" "curl/8.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2"#,
                    r#"https 2024-12-07T09:00:01.000001Z app/orders-alb/50dc6c495c0c9188 10.0.1.6:40002 - 0.000 -1 -1 502 - 34 270 "GET https://orders.example.com:443/api/orders/48 HTTP/1.1" "curl/8.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2"#,
                ],
                "/api/orders/47",
            ),
            (
                "envoy",
                [
                    r#"[2024-12-07T09:00:00.219Z] "GET /api/orders/47 HTTP/1.1" 200 - 0 470 47 46 "10.0.1.5" "curl/8.0" "b119c790-1af3" "orders.example.com" "10.0.0.7:8080""#,
                    r#"[2024-12-07T09:00:01.001Z] "GET /api/orders/48 HTTP/1.1" 503 UF 0 0 3 - "10.0.1.6" "curl/8.0" "3c58cf70-660c" "orders.example.com" "10.0.0.7:8080""#,
                ],
                "/api/orders/47",
            ),
            (
                "squid",
                [
                    "1733562000.219    245 10.0.1.5 TCP_MISS/200 470 GET http://orders.example.com/api/orders/47 - HIER_DIRECT/10.0.0.7 application/json",
                    "1733562001.001     12 10.0.1.6 TCP_MISS/502 270 GET http://orders.example.com/api/orders/48 - HIER_DIRECT/10.0.0.7 text/html",
                ],
                "/api/orders/47",
            ),
            (
                "gin",
                [
                    r#"[GIN] 2024/12/07 - 09:00:00 | 200 |    1.739ms |       10.0.1.5 | GET      "/api/orders/47""#,
                    r#"[GIN] 2024/12/07 - 09:00:01 | 503 |      312µs |       10.0.1.6 | GET      "/api/orders/48""#,
                ],
                "/api/orders/47",
            ),
        ];
        for (tool, lines, path) in cases {
            let (name, r) = parse_repeated(&lines);
            assert_eq!(r.len(), 2, "{tool}: {name}");
            assert!(name.starts_with("http-request-log"), "{tool}: {name}");
            assert_eq!(
                [r[0].level, r[1].level],
                [Some(Level::Info), Some(Level::Error)],
                "{tool}: {name}"
            );
            assert!(r[1].ts.is_some(), "{tool}");
            assert_eq!(r[0].field("status"), Some("200"), "{tool}");
            assert_eq!(r[0].field("method"), Some("GET"), "{tool}");
            assert_eq!(r[0].field("path"), Some(path), "{tool}");
        }
        // Without requests, a number column is no status.
        let lines = [
            "2024-12-07T09:00:00Z worker 200 jobs done in 12 ms",
            "2024-12-07T09:00:01Z worker 503 jobs done in 10 ms",
        ];
        let (name, r) = parse_repeated(&lines);
        assert_eq!(r[1].level, None, "{name}");
        assert!(http_status(b"TCP_MISS/502").is_some() && http_status(b"0/0/1/47/48").is_none());
        assert!(http_status(b"600").is_none() && http_status(b"be_orders/503").is_none());
    }

    /// Rust's `tracing` and `log` targets (`orders::api:`) end a header as any tag does;
    /// an IPv6 address does not.
    #[test]
    fn namespace_paths_are_tags() {
        let lines = [
            "2024-05-01T08:00:00.123456Z  INFO orders::api: started",
            "2024-05-01T08:00:01.000001Z ERROR hyper::proto::h1::io: connection refused: os error 111",
        ];
        let (name, r) = parse_repeated(&lines);
        assert_eq!(r[1].module.as_deref(), Some("hyper::proto::h1::io"), "{name}");
        assert_eq!(r[1].message, "connection refused: os error 111");
        assert!(is_tag(b"orders::api:") && is_tag(b"ns::Class::method:"));
        assert!(!is_tag(b"fe80::1:") && !is_tag(b"a:b:") && !is_tag(b"::a:") && !is_tag(b"a:::b:"));
    }

    /// Context written as `key=value` before a level (Sidekiq, Elixir's metadata) is a
    /// field under its key, and a level ending in `:` ends the header; a level some lines
    /// write right away and others after such context is one element.
    #[test]
    fn a_level_after_key_value_context() {
        let lines = [
            "2024-12-07T09:00:00.123Z pid=4321 tid=ovxs9x6m9 INFO: Booting Sidekiq 7.2.0",
            "2024-12-07T09:00:01.000Z pid=4321 tid=ovxs9x6m9 class=OrderWorker jid=b4a577edbccf1d805744efa9 ERROR: Failed to connect: refused",
            "2024-12-07T09:00:02.000Z pid=4321 tid=2ryy class=OrderWorker jid=b4a577edbccf1d805744efa9 elapsed=0.5 INFO: done",
        ];
        let (name, r) = parse_repeated(&lines);
        let levels: Vec<_> = r.iter().map(|r| r.level).collect();
        assert_eq!(
            levels,
            [Some(Level::Info), Some(Level::Error), Some(Level::Info)],
            "{name}"
        );
        assert_eq!(r[1].message, "Failed to connect: refused");
        assert_eq!(r[1].field("jid"), Some("b4a577edbccf1d805744efa9"));
        assert_eq!(r[2].field("elapsed"), Some("0.5"));
        assert_eq!(r[1].module, None, "context is no logger");
        // `INFO:` ends the header: what follows is the message, even when all start alike.
        let lines = [
            "2024-12-07T09:00:00.123Z pid=4321 tid=ovxs9x6m9 INFO: 12 jobs enqueued",
            "2024-12-07T09:00:01.000Z pid=4321 tid=ovxs9x6m9 class=SyncWorker jid=b4a5 ERROR: 3 jobs failed",
        ];
        let (name, r) = parse_repeated(&lines);
        assert_eq!(r[1].message, "3 jobs failed", "{name}");
        // Phoenix: metadata on request lines only.
        let lines = [
            "09:00:00.123 request_id=F8xQ2 [info] GET /api/orders",
            "09:00:00.130 [debug] cache hit",
            "09:00:00.150 request_id=F8xQ2 [info] Sent 200 in 12ms",
            "09:00:01.000 [error] Failed to connect",
        ];
        let (name, r) = parse_repeated(&lines);
        let levels: Vec<_> = r.iter().map(|r| r.level).collect();
        assert_eq!(
            levels,
            [
                Some(Level::Info),
                Some(Level::Debug),
                Some(Level::Info),
                Some(Level::Error)
            ],
            "{name}"
        );
        assert_eq!(r[2].message, "Sent 200 in 12ms");
        assert_eq!(r[0].field("request_id"), Some("F8xQ2"));
    }

    /// PHP's Monolog: `[time] channel.LEVEL: message context extra`.
    #[test]
    fn monolog_channel_and_level() {
        let lines = [
            "[2024-12-07T09:00:00.123456+00:00] app.INFO: User logged in [] []",
            "[2024-12-07T09:00:01.000000+00:00] security.ERROR: Authentication failed {\"user\":\"bob\"} []",
            "[2024-12-07 09:00:02] production.WARNING: Slow query",
        ];
        let (name, r) = parse_repeated(&lines[..2]);
        assert_eq!(
            [r[0].level, r[1].level],
            [Some(Level::Info), Some(Level::Error)],
            "{name}"
        );
        assert_eq!(r[1].module.as_deref(), Some("security"));
        assert!(r[1].message.starts_with("Authentication failed"));
        let (name, r) = parse_repeated(&lines[2..]);
        assert_eq!(r[0].level, Some(Level::Warn), "{name}");
        assert!(channel_level(b"com.acme.Error:").is_none() && channel_level(b"app.ERR:").is_none());
    }

    /// macOS `log show`: hexadecimal thread and activity ids, Apple's log types.
    #[test]
    fn macos_log_show() {
        let lines = [
            "2024-12-07 09:00:00.219781+0000 0x2f08d    Default     0x0                  4321   0    orders: (OrdersKit) [com.acme.orders:api] started",
            "2024-12-07 09:00:01.000001+0000 0x2f08d    Error       0x0                  4321   0    orders: (OrdersKit) [com.acme.orders:db] connection refused",
            "2024-12-07 09:00:02.000001+0000 0x2f0a1    Fault       0x1a2b               4321   0    orders: (OrdersKit) [com.acme.orders:db] gave up",
            "2024-12-07 09:00:03.000001+0000 0x2f0a1    Debug       0x0                  4321   0    orders: cache hit",
        ];
        let (name, r) = parse_repeated(&lines);
        let levels: Vec<_> = r.iter().map(|r| r.level).collect();
        assert_eq!(
            levels,
            [
                Some(Level::Info),
                Some(Level::Error),
                Some(Level::Fatal),
                Some(Level::Debug)
            ],
            "{name}"
        );
        assert_eq!(r[1].module.as_deref(), Some("orders"));
        assert_eq!(r[1].message, "(OrdersKit) [com.acme.orders:db] connection refused");
        assert_eq!(r[1].field("pid"), Some("4321"));
        assert_eq!(r[1].field("tid"), Some("0x2f08d"));
        // Every header number has a field of its own name.
        let names: std::collections::HashSet<&str> = r[1].fields.iter().map(|(k, _)| k.as_ref()).collect();
        assert_eq!(names.len(), r[1].fields.len(), "{:?}", r[1].fields);
        // `Default` is a level in a header's level position only.
        assert_eq!(message_level_prefix(b"Default route added"), None);
    }

    /// Heroku's router behind its header writes logfmt; `kubectl logs --timestamps`
    /// puts a time before a JSON logger's lines: the bodies are read as those formats.
    #[test]
    fn structured_messages_behind_a_text_header() {
        let lines = [
            r#"2024-12-07T09:00:00.123456+00:00 heroku[router]: at=info method=GET path="/api/orders/1" host=orders.herokuapp.com fwd="10.0.1.5" dyno=web.1 connect=0ms service=12ms status=200 bytes=470 protocol=https"#,
            r#"2024-12-07T09:00:01.000001+00:00 heroku[router]: at=error code=H13 desc="Connection closed without response" method=GET path="/api/orders/2" host=orders.herokuapp.com fwd="10.0.1.6" dyno=web.1 connect=0ms service=5ms status=503 bytes=0 protocol=https"#,
        ];
        let (name, r) = parse_repeated(&lines);
        assert_eq!(
            [r[0].level, r[1].level],
            [Some(Level::Info), Some(Level::Error)],
            "{name}"
        );
        assert_eq!(r[1].field("status"), Some("503"));
        assert_eq!(r[1].field("code"), Some("H13"));
        assert_eq!(r[1].message, "GET /api/orders/2 503");
        let lines = [
            r#"2024-12-07T09:00:00.123456789Z {"level":"info","ts":1733562000.123,"msg":"started","component":"api"}"#,
            r#"2024-12-07T09:00:01.000000001Z {"level":"error","msg":"connection refused","component":"db"}"#,
        ];
        let (name, r) = parse_repeated(&lines);
        assert_eq!(
            [r[0].level, r[1].level],
            [Some(Level::Info), Some(Level::Error)],
            "{name}"
        );
        assert_eq!(r[1].message, "connection refused");
        assert_eq!(r[1].module.as_deref(), Some("db"));
        // The header's time where the object has none.
        assert_eq!(rfc3339(r[1].ts.unwrap()), "2024-12-07T09:00:01.000000001Z");
    }

    /// Cisco IOS: a clock-state mark before the stamp (`*` unset, `.` out of sync, none
    /// when synced) and the severity in the message code `%FACILITY-SEVERITY-MNEMONIC:`.
    #[test]
    fn cisco_marked_stamps_and_message_codes() {
        let lines = [
            "*Dec  7 09:00:00.123: %LINK-3-UPDOWN: Interface GigabitEthernet0/1, changed state to down",
            "*Dec  7 09:00:01.456: %SYS-5-CONFIG_I: Configured from console by vty0",
            "Dec  7 09:00:02.000: %ETHPORT-5-IF_DOWN_LINK_FAILURE: Interface Ethernet1/1 is down",
            ".Dec  7 09:00:03.000: %ASA-4-106023: Deny tcp src outside:10.0.0.1/443",
        ];
        let (name, r) = parse_repeated(&lines);
        assert_eq!(r.len(), 4, "{name}");
        let levels: Vec<_> = r.iter().map(|r| r.level).collect();
        assert_eq!(
            levels,
            [
                Some(Level::Error),
                Some(Level::Info),
                Some(Level::Info),
                Some(Level::Warn)
            ],
            "{name}"
        );
        assert_eq!(rfc3339(r[1].ts.unwrap()), "2024-12-07T09:00:01.456Z", "{name}");
        assert!(r[3].ts.is_some(), "{name}");
        assert_eq!(message_level_prefix(b"%d-3-x: not a code"), None);
        assert_eq!(message_level_prefix(b"%LINK-9-UPDOWN: no such severity"), None);
    }

    /// Levels glued to other header text: Android logcat's `E/Tag( pid):`, Telegraf's
    /// `E!`, MongoDB's `D1`, logrus' `ERRO[time]`, CI workflow commands' `##[error]`.
    #[test]
    fn glued_and_lettered_levels() {
        let lines = [
            "12-07 09:00:00.123 I/Orders  ( 4321): started",
            "12-07 09:00:01.000 E/ActivityManager(12345): ANR in com.acme",
        ];
        let (name, r) = parse_repeated(&lines);
        assert_eq!(
            [r[0].level, r[1].level],
            [Some(Level::Info), Some(Level::Error)],
            "{name}"
        );
        assert_eq!(r[1].module.as_deref(), Some("ActivityManager"));
        assert_eq!(r[1].field("pid"), Some("12345"));
        assert_eq!(r[1].message, "ANR in com.acme");
        let lines = [
            "2024-12-07T09:00:00Z I! [agent] Starting Telegraf",
            "2024-12-07T09:00:01Z E! [outputs.influxdb] write failed",
        ];
        let (name, r) = parse_repeated(&lines);
        assert_eq!(
            [r[0].level, r[1].level],
            [Some(Level::Info), Some(Level::Error)],
            "{name}"
        );
        let lines = [
            "2024-12-07T09:00:00.123+0000 D1 NETWORK  [conn12] end connection",
            "2024-12-07T09:00:01.000+0000 E NETWORK  [conn13] connection refused",
            "2024-12-07T09:00:02.000+0000 I NETWORK  [conn14] accepted",
        ];
        let (name, r) = parse_repeated(&lines);
        let levels: Vec<_> = r.iter().map(|r| r.level).collect();
        assert_eq!(
            levels,
            [Some(Level::Debug), Some(Level::Error), Some(Level::Info)],
            "{name}"
        );
        let lines = [
            "INFO[2024-12-07T09:00:00Z] Starting server                               port=8080",
            "ERRO[2024-12-07T09:00:01Z] Failed to connect                             error=refused",
            "FATA[2024-12-07T09:00:02Z] Giving up",
        ];
        let (name, r) = parse_repeated(&lines);
        let levels: Vec<_> = r.iter().map(|r| r.level).collect();
        assert_eq!(
            levels,
            [Some(Level::Info), Some(Level::Error), Some(Level::Fatal)],
            "{name}"
        );
        assert_eq!(rfc3339(r[1].ts.unwrap()), "2024-12-07T09:00:01Z");
        assert!(r[1].message.starts_with("Failed to connect"), "{}", r[1].message);
        let lines = [
            "2024-12-07T09:00:00.1234567Z Run npm test",
            "2024-12-07T09:00:01.1234567Z ##[error]Process completed with exit code 1.",
            "2024-12-07T09:00:02.1234567Z ##[warning]Node 16 is deprecated",
        ];
        let (name, r) = parse_repeated(&lines);
        let levels: Vec<_> = r.iter().map(|r| r.level).collect();
        assert_eq!(levels, [None, Some(Level::Error), Some(Level::Warn)], "{name}");
    }
}
