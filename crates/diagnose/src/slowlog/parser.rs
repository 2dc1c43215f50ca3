//! Events out of a slow log, cut and read the way pt-query-digest's slow-log parser
//! does, so that the events and their query texts are the ones it counts.
//!
//! The log is read in records that end where a line ending in `;` is followed by a line
//! starting with `#` (Perl's `$/ = ";\n#"`). In a record, lines starting with `#`, `use `,
//! `SET timestamp`, `SET insert_id` or `SET last_insert_id` are the event's header; the
//! first other line starts the query text, which runs to the end of the record. A record
//! of header lines only takes the text up to the next `;` line end as its query (how an
//! `# administrator command:` logged after `SET timestamp=…;` is found), or, when that
//! text is the next event's header, counts as an event without a query. Server start
//! banners are deleted from the stream before anything else: they are not events.

use std::collections::VecDeque;
use std::io::BufRead;
use std::sync::LazyLock;

use regex::Regex;

use crate::Lines;

/// Longest record (event header plus query text) kept; the rest is counted and dropped,
/// so a file that is not a slow log (no record ends) cannot take all memory. Twice the
/// line cap, so that a statement on one line as long as a line can be stays whole with
/// its header.
pub(crate) const MAX_RECORD_BYTES: usize = 2 * crate::MAX_LINE_BYTES;

/// One event as pt-query-digest's parser returns it (only the attributes used here).
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct RawEvent {
    /// Line where the event's record starts.
    pub line: u64,
    /// The query text (`arg`), as pt-query-digest cuts it.
    pub arg: Option<String>,
    /// The `# Time:` value as written (first one in the record).
    pub time: Option<String>,
    pub user: Option<String>,
    pub host: Option<String>,
    /// From `use db;`.
    pub db: Option<String>,
    /// From a `Schema:` attribute (Percona, MariaDB).
    pub schema: Option<String>,
    /// Attribute values as written; the last one wins when an attribute repeats.
    pub query_time: Option<String>,
    pub lock_time: Option<String>,
    pub rows_sent: Option<String>,
    pub rows_examined: Option<String>,
}

/// What the parser found next.
#[derive(Debug, PartialEq)]
pub(crate) enum Parsed {
    Event(Box<RawEvent>),
    /// A record pt-query-digest drops before it has a query text (header lines at the
    /// end of the file), with its first line and how many lines it had.
    Dropped {
        line: u64,
        lines: u64,
    },
}

/// A server start banner's first line, as seen (for the report).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Banner {
    pub line: u64,
    pub version: String,
}

struct Line {
    no: u64,
    text: String,
    /// Whether the line ended with a newline (only the last line of a file may not).
    newline: bool,
    /// A banner line pt-query-digest recognises: it keeps two statements apart while a
    /// record is read, then is cut out of the record.
    banner: bool,
    /// Longer than the line cap: its end (and so its `;`) is lost.
    cut: bool,
}

/// Text read up to a separator, with where it started and how many lines it spans.
struct Chunk {
    text: String,
    line: u64,
    lines: u64,
    /// It had banner lines (cut out, or still in `banner_ranges`): it may hold several
    /// records.
    had_banner: bool,
    /// Banner lines still in `text` (read up to a `;` line end, where pt-query-digest
    /// does not cut them), as byte ranges with their newline.
    banner_ranges: Vec<(usize, usize)>,
    /// Where the text's lines stop following on from the one before (lines were left
    /// out there): the offset of the line and its number. Sparse, so that a record of
    /// millions of short lines costs no more than its text.
    anchors: Vec<(usize, u64)>,
}

impl Chunk {
    fn new(line: u64) -> Self {
        Chunk {
            text: String::new(),
            line,
            lines: 0,
            had_banner: false,
            banner_ranges: Vec::new(),
            anchors: Vec::new(),
        }
    }

    /// Appends `other` (read right after this chunk).
    fn append(&mut self, other: Chunk) {
        let shift = self.text.len();
        self.text.push_str(&other.text);
        self.lines += other.lines;
        self.had_banner |= other.had_banner;
        self.banner_ranges
            .extend(other.banner_ranges.iter().map(|&(a, b)| (a + shift, b + shift)));
        self.anchors.push((shift, other.line));
        self.anchors
            .extend(other.anchors.iter().map(|&(at, no)| (at + shift, no)));
    }

    /// Deletes the banner lines still in the text.
    fn cut_banners(&mut self) {
        if self.banner_ranges.is_empty() {
            return;
        }
        let ranges = std::mem::take(&mut self.banner_ranges);
        let mut text = String::with_capacity(self.text.len());
        let mut anchors = Vec::with_capacity(self.anchors.len() + ranges.len());
        let mut keep_segment = |from: usize, to: usize, text: &mut String| {
            // Each kept stretch starts a new numbering; the anchors inside it move with it.
            let shift = text.len();
            anchors.push((shift, self.line_at(from)));
            let inside = self.anchors.iter().filter(|&&(at, _)| from < at && at < to);
            anchors.extend(inside.map(|&(at, no)| (at - from + shift, no)));
            text.push_str(&self.text[from..to]);
        };
        let mut from = 0;
        for &(start, end) in &ranges {
            keep_segment(from, start, &mut text);
            from = end;
        }
        keep_segment(from, self.text.len(), &mut text);
        self.anchors = anchors;
        self.text = text;
    }

    /// The line number at byte `offset` of the text.
    fn line_at(&self, offset: usize) -> u64 {
        let i = self.anchors.partition_point(|&(start, _)| start <= offset);
        let (start, line) = i.checked_sub(1).map_or((0, self.line), |i| self.anchors[i]);
        let end = offset.min(self.text.len());
        let newlines = memchr::memchr_iter(b'\n', &self.text.as_bytes()[start.min(end)..end]).count();
        line + newlines as u64
    }

    /// Perl's `split /;\n#/`: the first record of a chunk that banners were cut out of,
    /// and the records after it. As in pt-query-digest, a chunk that does not split into
    /// at least two (trailing empty pieces dropped) stays whole, separator included.
    fn split_records(self) -> (Chunk, Vec<Chunk>) {
        let pieces: Vec<&str> = self.text.split(";\n#").collect();
        let last_non_empty = pieces.iter().rposition(|p| !p.is_empty()).map_or(0, |i| i + 1);
        if last_non_empty < 2 {
            return (self, Vec::new());
        }
        let mut records = Vec::with_capacity(last_non_empty);
        let mut start = 0;
        for piece in &pieces[..last_non_empty] {
            let mut record = Chunk::new(self.line_at(start));
            record.text = piece.to_string();
            record.lines = piece.matches('\n').count() as u64 + 1;
            records.push(record);
            start += piece.len() + 3;
        }
        let rest = records.split_off(1);
        let first = records.pop().unwrap_or_else(|| Chunk::new(self.line));
        (first, rest)
    }
}

/// The line stream with Perl's two ways of reading records from it.
struct Reader<'l, R> {
    lines: &'l mut Lines<R>,
    /// The next line not yet read, or not read to its end.
    current: Option<Line>,
    /// Bytes of `current` already read (1 after a `;\n#` separator took its `#`).
    offset: usize,
    /// In a banner whose first line pt-query-digest does not recognise: its lines are
    /// deleted before reading (the answers' "banner removed" rule).
    in_unrecognised_banner: bool,
    banners: Vec<Banner>,
    banner_count: u64,
    /// Longest record kept ([`MAX_RECORD_BYTES`]).
    max_record: usize,
}

/// How many banners are kept for the report.
const MAX_BANNERS: usize = 20;

impl<'l, R: BufRead> Reader<'l, R> {
    /// Makes sure `current` holds the next line; false at the end of the input.
    fn fill(&mut self) -> bool {
        if self.current.is_some() {
            return true;
        }
        loop {
            let Some((no, text)) = self.lines.next_line() else {
                return false;
            };
            let kind = banner_line(text);
            let banner = match kind {
                Some(BannerLine::Start { recognised }) => {
                    self.banner_count += 1;
                    if self.banners.len() < MAX_BANNERS {
                        let version = banner_version(text);
                        self.banners.push(Banner { line: no, version });
                    }
                    self.in_unrecognised_banner = !recognised;
                    true
                }
                Some(BannerLine::Other) => true,
                None => {
                    self.in_unrecognised_banner = false;
                    false
                }
            };
            let text = text.to_string();
            let newline = self.lines.last_line_ended_with_newline();
            let cut = self.lines.last_line_was_cut();
            // pt-query-digest cuts only whole lines: a banner line ending the file
            // without a newline stays in the text.
            let banner = banner && (newline || self.in_unrecognised_banner);
            if banner {
                self.lines.skip(no, "lines", "server start banner, not an event");
                if self.in_unrecognised_banner {
                    continue;
                }
            }
            self.current = Some(Line {
                no,
                text,
                newline,
                banner,
                cut,
            });
            self.offset = 0;
            return true;
        }
    }

    /// Reads up to and including the next `;\n#` (`to_next_header`) or `;\n`, or to the
    /// end of the input; `None` when nothing is left. A record (`;\n#`) leaves banner
    /// lines out, as pt-query-digest deletes them from it. Past `max_record` bytes the
    /// lines are only looked at for where the record ends.
    fn read(&mut self, to_next_header: bool) -> Option<Chunk> {
        if !self.fill() {
            return None;
        }
        let mut chunk = Chunk::new(self.current.as_ref().map_or(0, |l| l.no));
        let mut next_line_no = chunk.line;
        let mut capped = false;
        let mut cut_bytes = 0u64;
        let mut cut_at = 0u64;
        loop {
            let Some(line) = self.current.take() else {
                return Some(chunk);
            };
            chunk.lines += 1;
            // `offset` is 0, or 1 on a line that starts with `#`: a char boundary.
            let part = line.text.get(self.offset..).unwrap_or("");
            self.offset = 0;
            let wanted = !(line.banner && to_next_header);
            chunk.had_banner |= line.banner;
            capped |= wanted && chunk.text.len() + part.len() >= self.max_record;
            let kept = wanted && !capped;
            let line_start = chunk.text.len();
            if kept {
                if line.no != next_line_no {
                    chunk.anchors.push((line_start, line.no));
                }
                next_line_no = line.no + 1;
                chunk.text.push_str(part);
            } else if wanted {
                if cut_bytes == 0 {
                    cut_at = line.no;
                }
                cut_bytes += part.len() as u64 + 1;
            }
            // A line over the cap is a one-line statement (a multi-row INSERT) whose `;`
            // was cut off with its end.
            let ends_statement = part.ends_with(';') || line.cut;
            if line.cut && kept {
                // The rest of the statement is lost; its open string and brackets are
                // closed so that statements of one shape cut at different places still
                // make one fingerprint.
                chunk.text.push_str(&closing_of_cut_statement(part));
            }
            if !self.fill() {
                if line.newline && kept {
                    chunk.text.push('\n');
                }
                break;
            }
            if kept {
                if line.cut {
                    // Put back the statement end that was cut off with the line's end.
                    chunk.text.push(';');
                }
                chunk.text.push('\n');
                if line.banner {
                    chunk.banner_ranges.push((line_start, chunk.text.len()));
                }
            }
            if ends_statement {
                if !to_next_header {
                    break;
                }
                if self.current.as_ref().is_some_and(|l| l.text.starts_with('#')) {
                    // The separator's `#`; a record cut short has lost its `;` line end
                    // and keeps its text as it is.
                    if !capped {
                        chunk.text.push('#');
                    }
                    self.offset = 1;
                    break;
                }
            }
        }
        if cut_bytes > 0 {
            let cap = if self.max_record.is_multiple_of(1 << 20) {
                format!("{} MiB", self.max_record >> 20)
            } else {
                format!("{} bytes", self.max_record)
            };
            let reason = format!("event longer than {cap} (no statement end found), the rest of it dropped");
            self.lines.skip_many(cut_at, cut_bytes, "bytes", &reason);
        }
        Some(chunk)
    }
}

/// What closes a statement cut at the line cap: the quote of a string still open at the
/// cut (a backslash escapes the next character), then a `)` for each bracket still open
/// outside strings. A long line is nearly always one long literal (a BLOB, an `IN`
/// list), so `VALUES (1, 'xyz…` becomes `VALUES (1, 'xyz…')`, which fingerprints as the
/// whole statement does when nothing follows the literal.
fn closing_of_cut_statement(text: &str) -> String {
    let mut quote: Option<u8> = None;
    let mut open_brackets = 0usize;
    // A backslash cut from what it escaped would escape the closing quote.
    let mut dangling_escape = false;
    let mut bytes = text.bytes();
    while let Some(b) = bytes.next() {
        match quote {
            Some(_) if b == b'\\' => {
                dangling_escape = bytes.next().is_none();
            }
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None => match b {
                b'\'' | b'"' => quote = Some(b),
                b'(' => open_brackets += 1,
                b')' => open_brackets = open_brackets.saturating_sub(1),
                _ => {}
            },
        }
    }
    let mut closing = String::new();
    if let Some(q) = quote {
        if dangling_escape {
            closing.push(' ');
        }
        closing.push(q as char);
    }
    closing.extend(std::iter::repeat_n(')', open_brackets));
    closing
}

/// Reads events from a slow log.
pub(crate) struct Parser<'l, R> {
    reader: Reader<'l, R>,
    /// Text read ahead that is the start of the next record.
    pending: VecDeque<Chunk>,
}

impl<'l, R: BufRead> Parser<'l, R> {
    pub(crate) fn new(lines: &'l mut Lines<R>) -> Self {
        Self::with_max_record(lines, MAX_RECORD_BYTES)
    }

    /// A parser that keeps at most `max_record` bytes of a record.
    pub(crate) fn with_max_record(lines: &'l mut Lines<R>, max_record: usize) -> Self {
        Parser {
            reader: Reader {
                lines,
                current: None,
                offset: 0,
                in_unrecognised_banner: false,
                banners: Vec::new(),
                banner_count: 0,
                max_record,
            },
            pending: VecDeque::new(),
        }
    }

    /// Server start banners seen so far (first ones) and their number.
    pub(crate) fn banners(&self) -> (&[Banner], u64) {
        (&self.reader.banners, self.reader.banner_count)
    }

    pub(crate) fn lines(&mut self) -> &mut Lines<R> {
        self.reader.lines
    }

    /// The next event (or dropped record); `None` at the end of the input.
    pub(crate) fn next(&mut self) -> Option<Parsed> {
        let mut chunk = match self.pending.pop_front() {
            Some(chunk) => chunk,
            None => self.reader.read(true)?,
        };
        if chunk.had_banner {
            // What is left of a record with banner lines cut out may be several records;
            // the later ones are read next.
            chunk.cut_banners();
            let (first, rest) = chunk.split_records();
            chunk = first;
            for (i, record) in rest.into_iter().enumerate() {
                self.pending.insert(i, record);
            }
        }
        let mut stmt = chunk.text;
        // The separator took the record's leading `#`; a record that never had one (the
        // first of a file that starts mid-event) gets it too, making its first line a
        // comment.
        if !stmt.starts_with('#') {
            stmt.insert(0, '#');
        }
        trim_record_end(&mut stmt);
        let mut event = RawEvent {
            line: chunk.line,
            ..RawEvent::default()
        };
        let mut header = HeaderState::default();
        let len = stmt.len();
        let mut start = 0;
        loop {
            let end = memchr::memchr(b'\n', &stmt.as_bytes()[start..]).map_or(len, |p| start + p);
            let line = &stmt[start..end];
            if !is_header_line(line) {
                event.arg = Some(stmt[start..].to_string());
                break;
            }
            header.read(line, &mut event);
            if !header.found_arg && end == len {
                // Header lines only, up to the separator: the query is what follows, up
                // to the next statement end.
                let Some(next) = self.reader.read(false) else {
                    return Some(Parsed::Dropped {
                        line: chunk.line,
                        lines: chunk.lines,
                    });
                };
                if starts_like_attribute(&next.text) {
                    // That was the next event's header: this event had no query.
                    let mut record = next;
                    let Some(rest) = self.reader.read(true) else {
                        // pt-query-digest stops on this at the end of the file (a Perl
                        // warning made fatal): neither event is counted.
                        return Some(Parsed::Dropped {
                            line: chunk.line,
                            lines: chunk.lines + record.lines,
                        });
                    };
                    record.append(rest);
                    self.pending.push_back(record);
                    event.arg = Some("/* No query */".to_string());
                } else {
                    let mut text = next.text;
                    if text.ends_with(";\n") {
                        text.truncate(text.len() - 2);
                    }
                    let start = text.len() - text.trim_start_matches(is_perl_space).len();
                    event.arg = Some(text[start..].to_string());
                }
                header.found_arg = true;
            }
            // Perl's `^` does not match after a final newline: no empty last line.
            if end + 1 >= len {
                break;
            }
            start = end + 1;
        }
        Some(Parsed::Event(Box::new(event)))
    }
}

/// Which header lines an event has had (the first of each kind counts).
#[derive(Default)]
struct HeaderState {
    got_time: bool,
    got_user: bool,
    got_admin: bool,
    got_db: bool,
    found_arg: bool,
}

impl HeaderState {
    /// Takes what one header line says; the first line of each kind counts.
    fn read(&mut self, line: &str, event: &mut RawEvent) {
        if !self.got_time && is_time_line(line) {
            self.got_time = true;
            event.time = Some(time_value(line));
            // The User@Host may follow on the same line (old Percona logs).
            if !self.got_user {
                self.read_user_host(line, event);
            }
            return;
        }
        if !self.got_user && self.read_user_host(line, event) {
            return;
        }
        if !self.got_admin && line.starts_with("# administrator command:") {
            self.got_admin = true;
            self.found_arg = true;
            event.arg = Some(line[1..].trim_start_matches(is_perl_space).to_string());
            return;
        }
        if is_attribute_line(line) {
            read_attributes(line, event);
            return;
        }
        if !self.got_db && line.starts_with("use ") {
            let name = line[4..].split(';').next().unwrap_or("");
            if !name.is_empty() {
                self.got_db = true;
                event.db = Some(name.to_string());
            }
        }
        // `SET timestamp=…` and repeated header lines carry nothing used here.
    }

    /// Reads `# User@Host: user[user] @ host [ip]`; false when the line has none.
    fn read_user_host(&mut self, line: &str, event: &mut RawEvent) -> bool {
        if !line.contains("# User@Host: ") {
            return false;
        }
        let Some(caps) = USER_HOST.captures(line) else {
            return false;
        };
        self.got_user = true;
        let user = caps.get(1).map_or("", |m| m.as_str());
        let host = caps.get(2).map_or("", |m| m.as_str());
        let ip = caps.get(3).map_or("", |m| m.as_str());
        event.user = Some(user.to_string());
        // With skip-name-resolve the host is empty and only the IP is shown.
        event.host = Some(if host.is_empty() { ip } else { host }.to_string());
        true
    }
}

static USER_HOST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"# User@Host: ([^\[]+|\[[^\[]+\]).*?@ ([^ \t\n\r\x0B\x0C]*) \[(.*)\]")
        .expect("the User@Host pattern is valid")
});

/// Perl's `\s` (ASCII whitespace).
fn is_perl_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0B' | '\x0C')
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Lines that belong to an event's header rather than its query (case-sensitive: the
/// server writes them so; a user's `USE db` is part of the query).
fn is_header_line(line: &str) -> bool {
    line.starts_with('#')
        || line.starts_with("use ")
        || line.starts_with("SET last_insert_id")
        || line.starts_with("SET insert_id")
        || line.starts_with("SET timestamp")
}

/// `# Time: 071218 11:48:27` or `# Time: 2016-07-20T18:13:25…` (what pt-query-digest
/// takes for a timestamp line).
fn is_time_line(line: &str) -> bool {
    let Some(rest) = line.strip_prefix("# Time: ") else {
        return false;
    };
    let b = rest.as_bytes();
    let old = b.len() >= 15 && b[..15].iter().all(|&c| c.is_ascii_digit() || c == b':' || c == b' ');
    let iso = b.len() >= 19
        && b[..19]
            .iter()
            .all(|&c| c.is_ascii_digit() || matches!(c, b'-' | b':' | b' ' | b'T'));
    old || iso
}

/// The timestamp text of a `# Time:` line, without a `# User@Host` glued to it.
fn time_value(line: &str) -> String {
    let rest = &line["# Time: ".len()..];
    let rest = rest.split(" #").next().unwrap_or(rest);
    rest.trim().to_string()
}

/// `# Name: value …` with a capitalised name: a line of attributes.
fn is_attribute_line(line: &str) -> bool {
    let b = line.as_bytes();
    if b.first() != Some(&b'#') {
        return false;
    }
    let mut i = 1;
    while b.get(i) == Some(&b' ') {
        i += 1;
    }
    if i == 1 || !b.get(i).is_some_and(u8::is_ascii_uppercase) {
        return false;
    }
    i += 1;
    let name_start = i;
    while b.get(i).is_some_and(|&c| c.is_ascii_alphabetic() || c == b'_') {
        i += 1;
    }
    i > name_start
        && b.get(i) == Some(&b':')
        && b.get(i + 1) == Some(&b' ')
        && b.get(i + 2).is_some_and(|&c| !is_perl_space(c as char))
}

/// The text after the header's `#` starts like `Time: ` or `Query_time: `.
fn starts_like_attribute(text: &str) -> bool {
    let b = text.trim_start_matches(is_perl_space).as_bytes();
    if !b.first().is_some_and(u8::is_ascii_uppercase) {
        return false;
    }
    let mut i = 1;
    while b.get(i).is_some_and(|&c| c.is_ascii_lowercase() || c == b'_') {
        i += 1;
    }
    i > 1 && b.get(i) == Some(&b':') && b.get(i + 1) == Some(&b' ')
}

/// Reads `Name: value` pairs (a value is the next run of non-space, or empty at the
/// line end); `Name:` needs whitespace after it (`Rows_examined:40` is not read).
fn read_attributes(line: &str, event: &mut RawEvent) {
    let owned;
    let mut line = line;
    // An empty `Schema:` would swallow the next name as its value.
    if let Some(fixed) = drop_empty_schema(line) {
        owned = fixed;
        line = &owned;
    }
    let b = line.as_bytes();
    let n = b.len();
    let mut i = 0;
    while i < n {
        if !is_word_byte(b[i]) {
            i += 1;
            continue;
        }
        let name_start = i;
        while i < n && is_word_byte(b[i]) {
            i += 1;
        }
        let name_end = i;
        if i >= n || b[i] != b':' {
            continue;
        }
        let mut j = i + 1;
        while j < n && is_perl_space(b[j] as char) {
            j += 1;
        }
        if j == i + 1 {
            i += 1;
            continue;
        }
        let value_start = j;
        while j < n && !is_perl_space(b[j] as char) {
            j += 1;
        }
        set_attribute(event, &line[name_start..name_end], &line[value_start..j]);
        i = j;
    }
}

fn set_attribute(event: &mut RawEvent, name: &str, value: &str) {
    let slot = match name {
        "Query_time" => &mut event.query_time,
        "Lock_time" => &mut event.lock_time,
        "Rows_sent" => &mut event.rows_sent,
        "Rows_examined" => &mut event.rows_examined,
        "Schema" => &mut event.schema,
        _ => return,
    };
    *slot = Some(value.to_string());
}

/// `Schema:  Last_errno: 0` → `Last_errno: 0` (the first `Schema:` and its spaces go).
fn drop_empty_schema(line: &str) -> Option<String> {
    let b = line.as_bytes();
    let empty_somewhere = line.match_indices("Schema:").any(|(at, _)| {
        let mut i = at + "Schema:".len();
        let spaces = i;
        while i < b.len() && is_perl_space(b[i] as char) {
            i += 1;
        }
        let word = i;
        while i < b.len() && is_word_byte(b[i]) {
            i += 1;
        }
        word > spaces && i > word && b.get(i) == Some(&b':') && b.get(i + 1) == Some(&b' ')
    });
    if !empty_somewhere {
        return None;
    }
    let (at, _) = line
        .match_indices("Schema:")
        .find(|(at, _)| b.get(at + "Schema:".len()).is_some_and(|&c| is_perl_space(c as char)))?;
    let mut end = at + "Schema:".len();
    while end < b.len() && is_perl_space(b[end] as char) {
        end += 1;
    }
    Some(format!("{}{}", &line[..at], &line[end..]))
}

/// Perl's `s/;\n#?\Z//` on a record: the separator (or a final `;` line end) goes.
fn trim_record_end(stmt: &mut String) {
    for (suffix, keep) in [(";\n#\n", "\n"), (";\n\n", "\n"), (";\n#", ""), (";\n", "")] {
        if stmt.ends_with(suffix) {
            stmt.truncate(stmt.len() - suffix.len());
            stmt.push_str(keep);
            return;
        }
    }
}

#[derive(Debug, PartialEq, Eq, Clone, Copy)]
enum BannerLine {
    /// `<path>mysqld, Version: …`; `recognised` when pt-query-digest takes it for one
    /// (a path starting with `/` or a capital letter, `mysqld,` not `mysqld.exe,`).
    Start {
        recognised: bool,
    },
    Other,
}

/// The three lines a server writes at the top of its slow log when it starts or the log
/// is flushed: `<path>mysqld, Version: … started with:`, `Tcp port: …` and `Time  Id
/// Command  Argument` (any path, none, Windows; MariaDB's `mariadbd` too).
fn banner_line(line: &str) -> Option<BannerLine> {
    if let Some(rest) = tcp_port_rest(line) {
        let digits = rest.trim_start_matches(is_perl_space);
        if digits.len() < rest.len() && digits.starts_with(|c: char| c.is_ascii_digit()) {
            return Some(BannerLine::Other);
        }
    }
    if let Some(rest) = line.strip_prefix("Time") {
        let mut words = rest.split_ascii_whitespace();
        if rest.starts_with(is_perl_space) && words.next() == Some("Id") && words.next() == Some("Command") {
            return Some(BannerLine::Other);
        }
    }
    // One search on every line; the server name is checked only where it matches.
    let at = line.find(", Version: ")?;
    let name = line[..at].strip_suffix(".exe").unwrap_or(&line[..at]);
    if (name.ends_with("mysqld") || name.ends_with("mariadbd"))
        && (line.contains("started with:") || line.contains("embedded library"))
    {
        let recognised =
            line.starts_with(|c: char| c == '/' || c.is_ascii_uppercase()) && line[..at].ends_with("mysqld");
        return Some(BannerLine::Start { recognised });
    }
    None
}

/// What follows `Tcp port:` (any case of `cp`, `Port:` on Windows), if the line starts so.
fn tcp_port_rest(line: &str) -> Option<&str> {
    let head = line.get(..9)?;
    let b = head.as_bytes();
    let tcp = b[0] == b'T' && b[1..3].eq_ignore_ascii_case(b"cp") && is_perl_space(b[3] as char);
    (tcp && (&head[4..] == "port:" || &head[4..] == "Port:")).then(|| &line[9..])
}

/// `8.0.15 (MySQL Community Server - GPL)` out of a banner's first line.
fn banner_version(line: &str) -> String {
    let after = line.split_once(", Version: ").map_or(line, |(_, v)| v);
    let version = after
        .strip_suffix("started with:")
        .or_else(|| after.strip_suffix("embedded library"))
        .unwrap_or(after)
        .trim_end();
    version.strip_suffix('.').unwrap_or(version).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (Vec<Parsed>, Vec<Banner>, Vec<crate::Skipped>) {
        let mut lines = Lines::new(text.as_bytes());
        let mut parser = Parser::new(&mut lines);
        let mut out = Vec::new();
        while let Some(p) = parser.next() {
            out.push(p);
        }
        let banners = parser.banners().0.to_vec();
        (out, banners, lines.take_skipped())
    }

    fn events(text: &str) -> Vec<RawEvent> {
        parse(text)
            .0
            .into_iter()
            .filter_map(|p| match p {
                Parsed::Event(e) => Some(*e),
                Parsed::Dropped { .. } => None,
            })
            .collect()
    }

    fn args(text: &str) -> Vec<String> {
        events(text).into_iter().map(|e| e.arg.unwrap_or_default()).collect()
    }

    const MYSQL57: &str = "\
# Time: 2016-07-20T18:13:25.698433Z
# User@Host: root[root] @ localhost [127.0.0.1]  Id:     3
# Query_time: 0.003464  Lock_time: 0.000324 Rows_sent: 1000  Rows_examined: 2000
use shop;
SET timestamp=1469038405;
SELECT * FROM orders
  WHERE id > 10;
# Time: 2016-07-20T18:13:26.000000Z
# User@Host: app[app] @  [10.0.0.7]  Id:     4
# Query_time: 0.000241  Lock_time: 0.000055 Rows_sent: 0  Rows_examined: 0
SET timestamp=1469038405;
SHOW INDEX FROM `shop`.`orders`;
";

    #[test]
    fn header_lines_are_attributes_and_the_rest_is_the_query() {
        let ev = events(MYSQL57);
        assert_eq!(ev.len(), 2);
        assert_eq!(ev[0].arg.as_deref(), Some("SELECT * FROM orders\n  WHERE id > 10"));
        assert_eq!(ev[0].time.as_deref(), Some("2016-07-20T18:13:25.698433Z"));
        assert_eq!(ev[0].query_time.as_deref(), Some("0.003464"));
        assert_eq!(ev[0].rows_examined.as_deref(), Some("2000"));
        assert_eq!(ev[0].db.as_deref(), Some("shop"));
        assert_eq!(
            (ev[0].user.as_deref(), ev[0].host.as_deref()),
            (Some("root"), Some("localhost"))
        );
        assert_eq!(ev[0].line, 1);
        // The last event keeps no `;` and no newline.
        assert_eq!(ev[1].arg.as_deref(), Some("SHOW INDEX FROM `shop`.`orders`"));
        assert_eq!(ev[1].host.as_deref(), Some("10.0.0.7"));
        assert_eq!(ev[1].line, 8);
    }

    #[test]
    fn admin_commands_after_set_timestamp_are_their_own_events() {
        let log = "\
# Time: 2019-01-01T00:00:00.000000Z
# User@Host: root[root] @ localhost []  Id: 5
# Query_time: 0.000010  Lock_time: 0.000000 Rows_sent: 0  Rows_examined: 0
SET timestamp=1546300800;
# administrator command: Quit;
# Time: 2019-01-01T00:00:01.000000Z
# User@Host: root[root] @ localhost []  Id: 6
# Query_time: 0.000020  Lock_time: 0.000000 Rows_sent: 0  Rows_examined: 0
# administrator command: Ping;
# User@Host: root[root] @ localhost []  Id: 6
# Query_time: 1.5  Lock_time: 0.000000 Rows_sent: 0  Rows_examined: 0
SELECT 1;
";
        let ev = events(log);
        let got: Vec<_> = ev.iter().map(|e| e.arg.clone().unwrap()).collect();
        assert_eq!(
            got,
            vec!["administrator command: Quit", "administrator command: Ping", "SELECT 1"]
        );
        assert_eq!(ev[2].query_time.as_deref(), Some("1.5"));
    }

    #[test]
    fn a_header_without_query_before_the_next_event_is_an_empty_event() {
        let log = "\
# Time: 2019-01-01T00:00:00.000000Z
# Query_time: 0.5  Lock_time: 0.0 Rows_sent: 0  Rows_examined: 0
SET timestamp=1546300800;
# Time: 2019-01-01T00:00:01.000000Z
# Query_time: 0.7  Lock_time: 0.0 Rows_sent: 0  Rows_examined: 0
SELECT 2;
# Time: 2019-01-01T00:00:02.000000Z
# Query_time: 0.9  Lock_time: 0.0 Rows_sent: 0  Rows_examined: 0
SELECT 3;
";
        let ev = events(log);
        assert_eq!(ev.len(), 2);
        assert_eq!(ev[0].arg.as_deref(), Some("/* No query */"));
        assert_eq!(ev[0].query_time.as_deref(), Some("0.5"));
        assert_eq!(ev[1].query_time.as_deref(), Some("0.7"));
        assert_eq!(ev[1].time.as_deref(), Some("2019-01-01T00:00:01.000000Z"));
        // Reading on to the next header swallows the event after it, as in
        // pt-query-digest.
        let arg = ev[1].arg.as_deref().unwrap();
        assert!(
            arg.starts_with("SELECT 2;\n# Time: ") && arg.ends_with("\nSELECT 3"),
            "{arg}"
        );
        // When the next event is the last one, pt-query-digest stops on it (a Perl
        // warning made fatal) and counts neither.
        let cut = log.split("# Time: 2019-01-01T00:00:02").next().unwrap();
        assert_eq!(parse(cut).0, vec![Parsed::Dropped { line: 1, lines: 6 }]);
    }

    #[test]
    fn a_truncated_header_at_the_end_is_dropped() {
        let log = "# Query_time: 1  Lock_time: 0 Rows_sent: 0  Rows_examined: 0\nSELECT 1;\n# Time: 2019-01-01T00:00:00Z\n# Query_time: 2";
        let (parsed, _, _) = parse(log);
        assert_eq!(parsed.len(), 2);
        assert!(matches!(parsed[0], Parsed::Event(_)));
        assert_eq!(parsed[1], Parsed::Dropped { line: 3, lines: 2 });
    }

    #[test]
    fn events_split_only_where_a_semicolon_line_meets_a_hash_line() {
        // A comment line inside the query and a blank line before the next header keep
        // the text together, as in pt-query-digest.
        let log = "\
# Query_time: 1
SELECT a
# inline comment
FROM t;
# Query_time: 2
SELECT b;

# Query_time: 3
SELECT c;
";
        assert_eq!(
            args(log),
            vec![
                "SELECT a\n# inline comment\nFROM t".to_string(),
                "SELECT b;\n\n# Query_time: 3\nSELECT c".to_string(),
            ]
        );
    }

    #[test]
    fn lower_case_use_and_set_names_are_query_text() {
        let log =
            "# Query_time: 1\nUSE shop;\nSET NAMES utf8;\n# Query_time: 2\nuse shop;\nSET timestamp=1;\nSELECT 1;\n";
        let ev = events(log);
        assert_eq!(ev[0].arg.as_deref(), Some("USE shop;\nSET NAMES utf8"));
        assert_eq!(ev[0].db, None);
        assert_eq!(ev[1].db.as_deref(), Some("shop"));
    }

    #[test]
    fn banners_anywhere_are_not_events_nor_query_text() {
        let log = "\
mysqld, Version: 5.7.35-log (MySQL Community Server (GPL)). started with:
Tcp port: 0  Unix socket: /var/run/mysqld/mysqld.sock
Time                 Id Command    Argument
# Time: 2021-08-19T14:17:37.746031Z
# Query_time: 0.160427  Lock_time: 0.000121 Rows_sent: 20  Rows_examined: 29520
SELECT 1;
C:\\Program Files\\MySQL\\MySQL Server 8.0\\bin\\mysqld.exe, Version: 8.0.36 (MySQL Community Server - GPL). started with:
TCP Port: 3306, Named Pipe: MySQL
Time                 Id Command    Argument
# Time: 2021-08-19T14:17:38.000000Z
# Query_time: 0.2  Lock_time: 0.0 Rows_sent: 1  Rows_examined: 1
SELECT 2;
";
        let (parsed, banners, skipped) = parse(log);
        let args: Vec<_> = parsed
            .iter()
            .map(|p| match p {
                Parsed::Event(e) => e.arg.clone().unwrap(),
                Parsed::Dropped { .. } => "dropped".into(),
            })
            .collect();
        assert_eq!(args, vec!["SELECT 1", "SELECT 2"]);
        assert_eq!(banners.len(), 2);
        assert_eq!(banners[0].version, "5.7.35-log (MySQL Community Server (GPL))");
        assert_eq!(banners[1].line, 7);
        assert_eq!(skipped[0].count, 6);
    }

    #[test]
    fn old_percona_and_mariadb_attribute_lines() {
        let log = "\
# Time: 071218 11:48:27 # User@Host: [SQL_SLAVE] @  []
# Thread_id: 10  Schema:   Last_errno: 0
# Query_time: 0.000012  Lock_time: 0.000000  Rows_sent: 0  Rows_examined:40 
# explain: id\tselect_type\ttable
SELECT col FROM foo_tbl;
# Time: 230101 12:00:00
# User@Host: app[app] @ web1 [10.0.0.1]
# Thread_id: 8  Schema: shop  QC_hit: No
# Query_time: 2.5  Lock_time: 0.1  Rows_sent: 1  Rows_examined: 7
# Rows_affected: 0  Bytes_sent: 95
# Full_scan: Yes  Full_join: No  Tmp_table: No  Tmp_table_on_disk: No
SELECT 2;
";
        let ev = events(log);
        assert_eq!(ev[0].time.as_deref(), Some("071218 11:48:27"));
        assert_eq!(ev[0].user.as_deref(), Some("[SQL_SLAVE]"));
        assert_eq!(ev[0].schema, None);
        assert_eq!(ev[0].rows_examined, None, "no space after the colon: not read");
        assert_eq!(ev[0].arg.as_deref(), Some("SELECT col FROM foo_tbl"));
        assert_eq!(ev[1].schema.as_deref(), Some("shop"));
        assert_eq!(ev[1].host.as_deref(), Some("web1"));
        assert_eq!(ev[1].rows_examined.as_deref(), Some("7"));
    }

    #[test]
    fn mysql8_log_slow_extra_attributes_on_the_query_time_line() {
        let log = "# Time: 2019-03-24T14:04:53.713951Z\n# User@Host: root[root] @ localhost []  Id:    16\n# Query_time: 2.631844  Lock_time: 0.000145 Rows_sent: 10  Rows_examined: 3145718 Thread_id: 16 Errno: 0 Start: 2019-03-24T14:04:51.082107Z End: 2019-03-24T14:04:53.713951Z\nSELECT 1;\n";
        let ev = events(log);
        assert_eq!(ev[0].query_time.as_deref(), Some("2.631844"));
        assert_eq!(ev[0].rows_examined.as_deref(), Some("3145718"));
    }

    #[test]
    fn a_file_starting_mid_event_loses_its_first_line_like_pt_query_digest() {
        let log = "  AND b = 2\nORDER BY c;\n# Query_time: 1\nSELECT 1;\n";
        assert_eq!(args(log), vec!["ORDER BY c".to_string(), "SELECT 1".to_string()]);
    }

    #[test]
    fn a_line_over_the_cap_still_ends_its_statement() {
        let values = "(1,'x'),".repeat(40);
        let log = format!("# Query_time: 1\nINSERT INTO t VALUES {values}(2,'y');\n# Query_time: 2\nSELECT 1;\n");
        let mut lines = Lines::with_max_line(log.as_bytes(), 100);
        let mut parser = Parser::new(&mut lines);
        let mut got = Vec::new();
        while let Some(Parsed::Event(e)) = parser.next() {
            got.push((e.arg.unwrap_or_default(), e.query_time.unwrap_or_default()));
        }
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(got[0].0.starts_with("INSERT INTO t VALUES (1,'x'),"));
        assert_eq!(got[1], ("SELECT 1".to_string(), "2".to_string()));
    }

    #[test]
    fn statements_cut_at_the_line_cap_are_closed() {
        // Two single-row INSERTs with BLOBs longer than the line cap: both are cut inside
        // the string, and both must still read as one statement shape.
        let log = format!(
            "# Query_time: 1\nINSERT INTO t VALUES (1, '{}');\n# Query_time: 2\nINSERT INTO t VALUES (2, '{}');\n# Query_time: 3\nSELECT a FROM t WHERE id IN ({});\n",
            "y".repeat(300),
            "z".repeat(400),
            (0..100).map(|i| i.to_string()).collect::<Vec<_>>().join(",")
        );
        let mut lines = Lines::with_max_line(log.as_bytes(), 100);
        let mut parser = Parser::new(&mut lines);
        let mut got = Vec::new();
        while let Some(Parsed::Event(e)) = parser.next() {
            got.push(crate::slowlog::fingerprint::fingerprint(&e.arg.unwrap_or_default()));
        }
        assert_eq!(
            got,
            vec![
                "insert into t values(?+)",
                "insert into t values(?+)",
                "select a from t where id in(?+)"
            ]
        );
        assert_eq!(closing_of_cut_statement(r"f('a\'b"), "')");
        assert_eq!(closing_of_cut_statement("f(\"x(\", (1, 2"), "))");
        assert_eq!(closing_of_cut_statement("done ()"), "");
        assert_eq!(closing_of_cut_statement(r"v('ab\"), " ')");
    }

    #[test]
    fn crlf_line_ends_read_like_lf() {
        let log = MYSQL57.replace('\n', "\r\n");
        assert_eq!(events(&log), events(MYSQL57));
    }

    #[test]
    fn invalid_utf8_on_the_last_line_does_not_hide_its_newline() {
        // A latin1 byte is read as a two-byte character: the line's text is then as long
        // as the line with its newline, which must not read as a missing newline.
        let log = b"# Query_time: 1\nSELECT * FROM t WHERE n = 'M\xfcller' AND k = 1;\n";
        let mut lines = Lines::new(&log[..]);
        let mut parser = Parser::new(&mut lines);
        let Some(Parsed::Event(event)) = parser.next() else {
            panic!("no event");
        };
        assert_eq!(
            event.arg.as_deref(),
            Some("SELECT * FROM t WHERE n = 'M\u{fc}ller' AND k = 1")
        );
    }

    #[test]
    fn the_last_event_keeps_its_semicolon_without_a_final_newline() {
        assert_eq!(args("# Query_time: 1\nSELECT 1;"), vec!["SELECT 1;".to_string()]);
    }

    const BANNER: &str = "/usr/sbin/mysqld, Version: 8.0.36 (MySQL Community Server - GPL). started with:\n\
                          Tcp port: 3306  Unix socket: /tmp/mysql.sock\n\
                          Time                 Id Command    Argument\n";

    #[test]
    fn a_record_left_whole_by_its_banner_cut_keeps_its_statement_end() {
        // pt-query-digest re-splits a record only when cutting its banner lines leaves two
        // or more; otherwise it strips one `;\n#` as always, so `select 1;\n;` keeps its
        // first `;`, with the banner as without it.
        let body = "# Query_time: 1\nselect 1;\n;\n# Query_time: 2\nselect 2;\n";
        let want = vec!["select 1;\n".to_string(), "select 2".to_string()];
        assert_eq!(args(body), want);
        assert_eq!(args(&format!("{BANNER}{body}")), want);
    }

    #[test]
    fn a_banner_before_a_bare_statement_end_does_not_end_the_reading() {
        // Cutting the banner leaves only `;\n#`, which splits into no record at all.
        let log = format!("{BANNER};\n# Query_time: 1\nselect 1;\n# Query_time: 2\nselect 2;\n");
        let ev = events(&log);
        assert_eq!(ev.len(), 2, "{ev:?}");
        assert_eq!(ev[0].arg.as_deref(), Some("/* No query */"));
        assert_eq!(ev[1].arg.as_deref(), Some("select 1;\n# Query_time: 2\nselect 2"));
        assert_eq!(ev[1].query_time.as_deref(), Some("1"));
    }

    #[test]
    fn records_split_at_a_banner_keep_their_line_numbers() {
        // A banner between a statement and the next header: read as one record, split
        // after the banner is cut.
        let log =
            format!("# Query_time: 1\nselect 1;\n{BANNER}# Query_time: 2\nselect 2;\n# Query_time: 3\nselect 3;\n");
        let lines: Vec<u64> = events(&log).iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![1, 6, 8]);
        // A banner inside the text read after a header without query (cut later).
        let log = format!(
            "# Query_time: 1\nSET timestamp=1;\n# Query_time: 2\n{BANNER}select 2;\n# Query_time: 3\nselect 3;\n"
        );
        let ev = events(&log);
        let got: Vec<_> = ev.iter().map(|e| (e.line, e.arg.clone().unwrap_or_default())).collect();
        assert_eq!(
            got,
            vec![
                (1, "/* No query */".to_string()),
                (3, "select 2".to_string()),
                (8, "select 3".to_string())
            ]
        );
    }

    fn parse_capped(text: &str, max_line: usize, max_record: usize) -> (Vec<Parsed>, Vec<crate::Skipped>) {
        let mut lines = Lines::with_max_line(text.as_bytes(), max_line);
        let mut parser = Parser::with_max_record(&mut lines, max_record);
        let mut out = Vec::new();
        while let Some(p) = parser.next() {
            out.push(p);
        }
        (out, lines.take_skipped())
    }

    fn event_args(parsed: &[Parsed]) -> Vec<String> {
        parsed
            .iter()
            .filter_map(|p| match p {
                Parsed::Event(e) => e.arg.clone(),
                Parsed::Dropped { .. } => None,
            })
            .collect()
    }

    #[test]
    fn a_record_past_the_cap_keeps_its_head_and_adds_nothing_for_the_rest() {
        let mut log = String::from("# Query_time: 1\nSELECT a\n");
        for i in 0..1000 {
            log.push_str(&format!("  -- filler {i}\n"));
        }
        log.push_str("FROM t;\n# Query_time: 2\nSELECT 2;\n");
        let (parsed, skipped) = parse_capped(&log, 1000, 200);
        let args = event_args(&parsed);
        assert_eq!(args.len(), 2, "{args:?}");
        assert!(args[0].starts_with("SELECT a\n  -- filler 0\n"), "{}", args[0]);
        assert!(args[0].len() < 200 && !args[0].ends_with("\n\n"), "{:?}", args[0]);
        assert_eq!(args[1], "SELECT 2");
        assert!(skipped
            .iter()
            .any(|s| s.reason.starts_with("event longer than 200 bytes")));
        // Header lines only, far past the cap: no query text appears out of the lines
        // left out, so there is no event.
        let (parsed, _) = parse_capped(&"#\n".repeat(1000), 1000, 100);
        assert!(event_args(&parsed).is_empty(), "{parsed:?}");
    }

    #[test]
    fn a_statement_as_long_as_a_line_can_be_stays_with_its_header() {
        // The record cap is twice the line cap: a one-line INSERT cut at the line cap
        // still fits with its header lines.
        let log = format!(
            "# Time: 2019-08-01T12:00:00Z\n# Query_time: 1.5\nINSERT INTO t VALUES {};\n# Query_time: 2\nSELECT 2;\n",
            "(1,'x'),".repeat(40)
        );
        let (parsed, _) = parse_capped(&log, 100, 200);
        let args = event_args(&parsed);
        assert_eq!(args.len(), 2, "{args:?}");
        assert!(args[0].starts_with("INSERT INTO t VALUES (1,'x'),"), "{args:?}");
        const { assert!(MAX_RECORD_BYTES >= 2 * crate::MAX_LINE_BYTES) };
    }
}
