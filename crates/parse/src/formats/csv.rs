//! CSV exports with a header row: Kibana Discover, Splunk, Datadog, Grafana/Loki, Windows
//! Event Viewer and spreadsheets of log lines.
//!
//! ```text
//! "@timestamp","host.name","log.level","message"
//! "Jan 1, 2024 @ 10:00:00.123","web-01","error","upstream timed out"
//! ```
//!
//! The header names columns; they are mapped with the JSON key conventions
//! ([`super::json`], case-insensitive), plus `_time` (Splunk) for the timestamp and
//! `content`, `_source`, `_raw`, `body`, `line` for the message. Without a named
//! message column the longest text column is the message. Other cells become fields
//! under their column's name; empty cells and `-` (Kibana's "no value") are skipped. Rows
//! one cell longer than the header (Windows Event Viewer's exports leave the description
//! column unnamed) have an unnamed last column, `colN`. Cells may be quoted (`""` for a
//! quote); the
//! delimiter is `,`, tab, `;` or `|`, whichever fits the sample. Besides every layout
//! [`timestamp::parse_text`] knows, Kibana's display formats are read
//! (`Jan 1, 2024 @ 10:00:00.123`, `January 1st 2024, 10:00:00.000`) in the context zone.
//!
//! Limits (the assembler works line by line):
//! * A row is a record head only when its timestamp cell parses; other lines are
//!   continuations. So a row whose timestamp is missing joins the previous record.
//! * A quoted value spanning lines: the line opening it is the head (its cells up to the
//!   open one are read, the open cell holding its first line); the following lines are
//!   appended raw to the message by the assembler, closing quote and any later cells
//!   included.
//! * Without a header, uniform rows are read when a column holds times and another
//!   level words (PostgreSQL's `csvlog`): see [`CsvParser::headerless`].
//! * The header line returns false; at the start of a file it is an orphan
//!   continuation, and a header repeated mid-file (concatenated exports) joins the
//!   record before it.

use std::borrow::Cow;
use std::sync::Arc;

use crate::formats::json::{key_role, level_text, strip_line_number, Role};
use crate::formats::{specificity, Candidate, LineParser};
use crate::timestamp::{self, TimeContext};
use crate::Record;

/// Splits one line into cells, appending them to `out`. Returns false when the line ends
/// inside a quoted cell (whose text so far is the last cell).
fn split<'a>(line: &'a str, delim: u8, out: &mut Vec<Cow<'a, str>>) -> bool {
    let b = line.as_bytes();
    let mut i = 0;
    loop {
        if b.get(i) == Some(&b'"') {
            // Quoted cell: `""` is a quote; ends at a lone `"`.
            let start = i + 1;
            let mut j = start;
            let mut escaped = false;
            let close = loop {
                match b.get(j) {
                    None => break None,
                    Some(b'"') if b.get(j + 1) == Some(&b'"') => {
                        escaped = true;
                        j += 2;
                    }
                    Some(b'"') => break Some(j),
                    Some(_) => j += 1,
                }
            };
            let end = close.unwrap_or(b.len());
            let text = line.get(start..end).unwrap_or("");
            let mut cell = if escaped {
                Cow::Owned(text.replace("\"\"", "\""))
            } else {
                Cow::Borrowed(text)
            };
            let Some(close) = close else {
                out.push(cell);
                return false;
            };
            // Text between the closing quote and the delimiter (malformed) is kept.
            let mut k = close + 1;
            while b.get(k).is_some_and(|&c| c != delim) {
                k += 1;
            }
            if k > close + 1 {
                cell.to_mut().push_str(line.get(close + 1..k).unwrap_or(""));
            }
            out.push(cell);
            i = k;
        } else {
            let mut k = i;
            while b.get(k).is_some_and(|&c| c != delim) {
                k += 1;
            }
            out.push(Cow::Borrowed(line.get(i..k).unwrap_or("")));
            i = k;
        }
        if i >= b.len() {
            return true;
        }
        i += 1; // past the delimiter
    }
}

/// The line without a byte-order mark or trailing CR.
fn clean(line: &str) -> &str {
    let l = line.strip_prefix('\u{feff}').unwrap_or(line);
    l.strip_suffix('\r').unwrap_or(l)
}

/// Timestamp of a cell: any known layout, or Kibana's display formats.
fn cell_ts(cell: &str, ctx: &TimeContext) -> Option<i64> {
    timestamp::parse_text(cell, ctx).or_else(|| kibana_date(cell, ctx))
}

/// `Jan 1, 2024 @ 10:00:00.123` (Kibana 7+) or `January 1st 2024, 10:00:00.000`
/// (Kibana 6), zone-less.
fn kibana_date(s: &str, ctx: &TimeContext) -> Option<i64> {
    let b = s.trim().as_bytes();
    let letters = b.iter().take_while(|c| c.is_ascii_alphabetic()).count();
    let mname = b.get(..3).filter(|_| letters >= 3)?;
    let lower = [
        mname[0].to_ascii_lowercase(),
        mname[1].to_ascii_lowercase(),
        mname[2].to_ascii_lowercase(),
    ];
    let month = [
        b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov", b"dec",
    ]
    .iter()
    .position(|m| **m == lower)? as u32
        + 1;
    let mut i = letters;
    let skip = |i: &mut usize, set: &[u8]| {
        while b.get(*i).is_some_and(|c| set.contains(c)) {
            *i += 1;
        }
    };
    let num = |i: &mut usize, min: usize, max: usize| -> Option<u32> {
        let start = *i;
        let mut v = 0u32;
        while *i - start < max {
            match b.get(*i) {
                Some(c) if c.is_ascii_digit() => {
                    v = v * 10 + (c - b'0') as u32;
                    *i += 1;
                }
                _ => break,
            }
        }
        (*i - start >= min).then_some(v)
    };
    skip(&mut i, b" ");
    let day = num(&mut i, 1, 2)?;
    if b.get(i..i + 2)
        .is_some_and(|o| matches!(o, b"st" | b"nd" | b"rd" | b"th"))
    {
        i += 2;
    }
    skip(&mut i, b", ");
    let year = num(&mut i, 4, 4)?;
    skip(&mut i, b", @");
    let hour = num(&mut i, 2, 2)?;
    (b.get(i) == Some(&b':')).then_some(())?;
    i += 1;
    let minute = num(&mut i, 2, 2)?;
    (b.get(i) == Some(&b':')).then_some(())?;
    i += 1;
    let second = num(&mut i, 2, 2)?;
    let mut nanos = 0i64;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while let Some(c) = b.get(i).filter(|c| c.is_ascii_digit()) {
            if i - start < 9 {
                nanos = nanos * 10 + (c - b'0') as i64;
            }
            i += 1;
        }
        for _ in (i - start).min(9)..9 {
            nanos *= 10;
        }
    }
    if i != b.len() || !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let days = timestamp::days_from_civil(year as i64, month, day);
    let local = days * 86_400 + (hour * 3600 + minute * 60 + second) as i64;
    let secs = local - ctx.zone.offset_at_local(local) as i64;
    secs.checked_mul(1_000_000_000)?.checked_add(nanos)
}

/// What a column is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Ts,
    Level,
    Msg,
    Module,
    Host,
    Service,
    Field,
}

/// Message column names beyond the JSON conventions.
fn extra_msg_name(name: &str) -> bool {
    ["content", "_source", "_raw", "body", "line", "log_message"]
        .iter()
        .any(|n| name.eq_ignore_ascii_case(n))
}

/// Role of a header name, as (role, rank).
fn name_role(name: &str) -> Option<(Role, u8)> {
    if name.eq_ignore_ascii_case("_time") {
        return Some((Role::Ts, 0));
    }
    if extra_msg_name(name) {
        return Some((Role::Msg, 60));
    }
    key_role(name)
}

/// A plausible column name: short, no timestamp, word-like.
fn plausible_name(name: &str, ctx: &TimeContext) -> bool {
    let n = name.trim();
    !n.is_empty()
        && n.len() <= 64
        && n.chars().any(|c| c.is_alphabetic() || c == '_' || c == '@')
        && n.chars().all(|c| c.is_alphanumeric() || " _.@-/()[]:#".contains(c))
        && cell_ts(n, ctx).is_none()
}

/// Fewest columns a CSV without a header must have: fewer is too easily a text line with
/// commas.
const HEADERLESS_MIN_COLUMNS: usize = 5;

/// Parses CSV rows under a known header; see the module documentation.
#[derive(Debug, Clone)]
pub struct CsvParser {
    delim: u8,
    header: String,
    names: Vec<String>,
    cols: Vec<Col>,
    ts_col: Option<usize>,
}

impl CsvParser {
    /// Builds a parser from a header line and following sample lines, when the header is
    /// plausible and the rows fit it (see [`detect`]).
    pub fn from_sample(header: &str, delim: u8, rows: &[&str], ctx: &TimeContext) -> Option<CsvParser> {
        let header = clean(header);
        let mut cells = Vec::new();
        if !split(header, delim, &mut cells) || cells.len() < 2 || !cells.iter().all(|c| plausible_name(c, ctx)) {
            return None;
        }
        let mut names: Vec<String> = cells.iter().map(|c| c.trim().to_string()).collect();
        let roles: Vec<Option<(Role, u8)>> = names.iter().map(|n| name_role(n)).collect();
        if roles.iter().all(Option::is_none) {
            return None;
        }
        // Windows Event Viewer's exports name five columns and write six: the event's
        // description, last, has no name. Rows one cell longer than the header, when most
        // are, have an unnamed last column.
        let mut longer = 0usize;
        let mut fitting = 0usize;
        for row in rows {
            cells.clear();
            if split(clean(row), delim, &mut cells) {
                longer += usize::from(cells.len() == names.len() + 1);
                fitting += usize::from(cells.len() == names.len());
            }
        }
        let mut roles = roles;
        if longer > fitting {
            names.push(format!("col{}", names.len() + 1));
            roles.push(None);
        }
        let n = names.len();
        // Per column: non-empty cells, cells that are timestamps, total length.
        let mut filled = vec![0usize; n];
        let mut stamps = vec![0usize; n];
        let mut length = vec![0usize; n];
        let mut matched = 0usize;
        let mut nonempty = 0usize;
        for row in rows {
            let row = clean(row);
            if row.trim().is_empty() || row == header {
                continue;
            }
            nonempty += 1;
            cells.clear();
            if !split(row, delim, &mut cells) || cells.len() != n {
                continue;
            }
            matched += 1;
            for (i, c) in cells.iter().enumerate() {
                if c.trim().is_empty() {
                    continue;
                }
                filled[i] += 1;
                length[i] += c.len();
                if cell_ts(c, ctx).is_some() {
                    stamps[i] += 1;
                }
            }
        }
        if matched == 0 || matched * 2 < nonempty {
            return None;
        }
        let stamped = |i: usize| filled[i] > 0 && stamps[i] * 5 >= matched * 4;
        let best = |role: Role| {
            (0..n)
                .filter(|&i| roles[i].is_some_and(|(r, _)| r == role))
                .min_by_key(|&i| roles[i].map_or(u8::MAX, |(_, k)| k))
        };
        let ts_col = (0..n)
            .filter(|&i| roles[i].is_some_and(|(r, _)| r == Role::Ts) && stamped(i))
            .min_by_key(|&i| roles[i].map_or(u8::MAX, |(_, k)| k))
            .or_else(|| (0..n).find(|&i| stamped(i)))?;
        let mut cols = vec![Col::Field; n];
        cols[ts_col] = Col::Ts;
        for (role, col) in [
            (Role::Level, Col::Level),
            (Role::Module, Col::Module),
            (Role::Host, Col::Host),
            (Role::Service, Col::Service),
        ] {
            if let Some(i) = best(role).filter(|&i| cols[i] == Col::Field) {
                cols[i] = col;
            }
        }
        let msg_col = best(Role::Msg).filter(|&i| cols[i] == Col::Field).or_else(|| {
            // The longest text column on average.
            (0..n)
                .filter(|&i| cols[i] == Col::Field && filled[i] > 0)
                .max_by_key(|&i| length[i] / filled[i])
        })?;
        cols[msg_col] = Col::Msg;
        Some(CsvParser {
            delim,
            header: header.to_string(),
            names,
            cols,
            ts_col: Some(ts_col),
        })
    }

    /// A parser for rows without a header (PostgreSQL's `csvlog`, other fixed exports),
    /// when they are uniform: at least [`HEADERLESS_MIN_COLUMNS`] cells in every row that
    /// ends on a whole cell, a time in one of the first three columns, a level word in
    /// another column of at least 85% of the rows (the level column), and text in a third
    /// (the longest on average is the message). Columns are named `col1`, `col2`…
    pub fn headerless(delim: u8, rows: &[&str], ctx: &TimeContext) -> Option<CsvParser> {
        let mut cells = Vec::new();
        let mut n = None;
        let mut complete = 0usize;
        let mut nonempty = 0usize;
        let (mut filled, mut stamps, mut levels, mut length) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for row in rows {
            let row = clean(row);
            if row.trim().is_empty() {
                continue;
            }
            nonempty += 1;
            cells.clear();
            if !split(row, delim, &mut cells) {
                // A quoted cell spanning lines: its row is read by its first line.
                continue;
            }
            let width = *n.get_or_insert(cells.len());
            if cells.len() != width || width < HEADERLESS_MIN_COLUMNS {
                return None;
            }
            complete += 1;
            filled.resize(width, 0usize);
            stamps.resize(width, 0usize);
            levels.resize(width, 0usize);
            length.resize(width, 0usize);
            for (i, c) in cells.iter().enumerate() {
                let c = c.trim();
                if c.is_empty() {
                    continue;
                }
                filled[i] += 1;
                length[i] += c.len();
                if i < 3 && cell_ts(c, ctx).is_some() {
                    stamps[i] += 1;
                }
                // A word, not a number: `0` would be a syslog severity.
                if c.len() <= 11 && c.as_bytes()[0].is_ascii_alphabetic() && level_text(c).is_some() {
                    levels[i] += 1;
                }
            }
        }
        let n = n?;
        if complete * 5 < nonempty * 4 {
            return None;
        }
        let ts_col = (0..n.min(3)).find(|&i| stamps[i] * 5 >= complete * 4)?;
        let level_col = (0..n).find(|&i| i != ts_col && levels[i] as f64 >= 0.85 * complete as f64)?;
        let msg_col = (0..n)
            .filter(|&i| i != ts_col && i != level_col && filled[i] > 0)
            .max_by_key(|&i| length[i] / filled[i])?;
        let mut cols = vec![Col::Field; n];
        cols[ts_col] = Col::Ts;
        cols[level_col] = Col::Level;
        cols[msg_col] = Col::Msg;
        Some(CsvParser {
            delim,
            header: String::new(),
            names: (1..=n).map(|k| format!("col{k}")).collect(),
            cols,
            ts_col: Some(ts_col),
        })
    }

    /// The column names, in order.
    pub fn columns(&self) -> &[String] {
        &self.names
    }

    /// Splits a line and tells whether it is a record head; the cells stay in `cells`.
    fn head<'a>(&self, line: &'a str, ctx: &TimeContext, cells: &mut Vec<Cow<'a, str>>) -> Option<Option<i64>> {
        let line = clean(line);
        if line == self.header {
            return None;
        }
        let complete = split(line, self.delim, cells);
        let n = self.names.len();
        if complete && cells.len() != n {
            return None;
        }
        // A row opening a multi-line quoted cell must have its timestamp before that cell.
        if !complete && (cells.len() > n || self.ts_col.is_none_or(|t| t + 1 >= cells.len())) {
            return None;
        }
        match self.ts_col {
            Some(t) => cell_ts(cells.get(t)?, ctx).map(Some),
            None => Some(None),
        }
    }
}

impl LineParser for CsvParser {
    fn parse_line(&self, line: &str, ctx: &TimeContext, rec: &mut Record) -> bool {
        let mut cells = Vec::with_capacity(self.names.len());
        let Some(ts) = self.head(line, ctx, &mut cells) else {
            return false;
        };
        rec.ts = ts;
        for ((cell, col), name) in cells.into_iter().zip(&self.cols).zip(&self.names) {
            // Kibana writes `-` for a missing value.
            if cell.trim().is_empty() || (*col != Col::Msg && cell == "-") {
                continue;
            }
            match col {
                Col::Ts => {}
                Col::Msg => rec.message.push_str(&cell),
                Col::Level => match level_text(&cell) {
                    Some(l) => rec.level = Some(l),
                    None => rec.fields.push((name.clone().into(), cell.into_owned())),
                },
                Col::Module => rec.module = Some(strip_line_number(&cell).to_string()),
                Col::Host => rec.host = Some(cell.into_owned()),
                Col::Service => rec.service = Some(cell.into_owned()),
                Col::Field => rec.fields.push((name.clone().into(), cell.into_owned())),
            }
        }
        true
    }

    fn starts_record(&self, line: &str, ctx: &TimeContext) -> bool {
        let mut cells = Vec::with_capacity(self.names.len());
        self.head(line, ctx, &mut cells).is_some()
    }
}

/// CSV when the first line is a header of plausible column names (at least one of them
/// a known one such as `@timestamp`, `level`, `message`, `host`), at least half the
/// following lines split into as many cells, one column holds timestamps (80% of rows)
/// and a message column is found. Multi-line quoted values make the share of complete
/// rows lower, hence the 50%.
pub fn detect(sample: &[&str], ctx: &TimeContext) -> Option<Candidate> {
    let start = sample.iter().position(|l| !l.trim().is_empty())?;
    let header = sample.get(start)?;
    let rows = sample.get(start + 1..)?;
    const DELIMITERS: [(u8, &str); 4] = [(b',', "csv"), (b'\t', "csv(tab)"), (b';', "csv(;)"), (b'|', "csv(|)")];
    for (delim, name) in DELIMITERS {
        if let Some(p) = CsvParser::from_sample(header, delim, rows, ctx) {
            return Some(Candidate {
                name: name.to_string(),
                parser: Arc::new(p),
                ts_layout: None,
                specificity: specificity::CSV,
            });
        }
    }
    for (delim, name) in DELIMITERS {
        if let Some(p) = CsvParser::headerless(delim, &sample[start..], ctx) {
            return Some(Candidate {
                name: format!("{name}, no header"),
                parser: Arc::new(p),
                ts_layout: None,
                specificity: specificity::CSV,
            });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::testing::{ctx, fields, parse_with};
    use crate::record::rfc3339;
    use crate::Level;

    fn parser(sample: &[&str]) -> Arc<dyn LineParser> {
        detect(sample, &ctx()).expect("csv").parser
    }

    fn parse(p: &Arc<dyn LineParser>, line: &str) -> Option<Record> {
        parse_with(p.as_ref(), line)
    }

    const KIBANA: [&str; 8] = [
        "\u{feff}\"@timestamp\",\"host.name\",\"log.level\",\"service.name\",\"message\",\"_id\"",
        r#""Jan 1, 2024 @ 10:00:00.123","web-01","error","billing","upstream timed out, retrying","a1""#,
        r#""Jan 1, 2024 @ 10:00:01.000","web-02","info","billing","request ""GET /"" done","a2""#,
        r#""Jan 1, 2024 @ 10:00:02.500","web-01","warn","billing","java.lang.IllegalStateException: boom"#,
        "\tat com.acme.Foo.bar(Foo.java:10)",
        "\tat com.acme.Main.main(Main.java:3)\",\"a3\"",
        r#""Jan 1, 2024 @ 10:00:03.000","-","debug","billing","","a4""#,
        r#""Jan 1, 2024 @ 10:00:04.000",web-03,WARNING,billing,plain,a5"#,
    ];

    #[test]
    fn kibana_discover_export() {
        let c = detect(&KIBANA, &ctx()).unwrap();
        assert_eq!(c.name, "csv");
        assert_eq!(c.specificity, specificity::CSV);
        let p = c.parser;
        assert!(parse(&p, KIBANA[0]).is_none(), "header is no record");
        let r = parse(&p, KIBANA[1]).unwrap();
        assert_eq!(rfc3339(r.ts.unwrap()), "2024-01-01T10:00:00.123Z");
        assert_eq!(r.host.as_deref(), Some("web-01"));
        assert_eq!(r.level, Some(Level::Error));
        assert_eq!(r.service.as_deref(), Some("billing"));
        assert_eq!(r.message, "upstream timed out, retrying");
        assert_eq!(fields(&r), vec![("_id", "a1")]);
        let r = parse(&p, KIBANA[2]).unwrap();
        assert_eq!(r.message, r#"request "GET /" done"#);
        // A multi-line quoted message: the head, then continuations.
        let r = parse(&p, KIBANA[3]).unwrap();
        assert_eq!(r.level, Some(Level::Warn));
        assert_eq!(r.message, "java.lang.IllegalStateException: boom");
        assert!(fields(&r).is_empty());
        assert!(parse(&p, KIBANA[4]).is_none());
        assert!(parse(&p, KIBANA[5]).is_none());
        let r = parse(&p, KIBANA[6]).unwrap();
        assert_eq!(r.host, None);
        assert_eq!(r.message, "");
        let r = parse(&p, KIBANA[7]).unwrap();
        assert_eq!(
            (r.host.as_deref(), r.level, r.message.as_str()),
            (Some("web-03"), Some(Level::Warn), "plain")
        );
    }

    #[test]
    fn iso_times_and_longest_text_column() {
        let s = [
            "time,status,component,details,code",
            "2024-02-01T08:00:00Z,ok,api,Request handled in 12 ms for tenant 7,200",
            "2024-02-01T08:00:01Z,fail,db:12,Connection reset by peer while reading,500",
            "2024-02-01T08:00:02Z,ok,api,short,200",
        ];
        let p = parser(&s);
        let r = parse(&p, s[2]).unwrap();
        assert_eq!(rfc3339(r.ts.unwrap()), "2024-02-01T08:00:01Z");
        assert_eq!(r.module.as_deref(), Some("db"));
        assert_eq!(r.message, "Connection reset by peer while reading");
        assert_eq!(fields(&r), vec![("status", "fail"), ("code", "500")]);
        // Wrong cell count or a non-timestamp first cell: a continuation.
        assert!(parse(&p, "2024-02-01T08:00:03Z,ok,api").is_none());
        assert!(parse(&p, "later,ok,api,text,1").is_none());
        assert!(parse(&p, "").is_none());
    }

    /// Windows Event Viewer's "Save as text" (tab-delimited) and CSV exports name five
    /// columns and write six: the description has no name. Dates as en-US writes them.
    #[test]
    fn event_viewer_exports_with_an_unnamed_description() {
        for (delim, name) in [("\t", "csv(tab)"), (",", "csv")] {
            let rows = [
                ["Level", "Date and Time", "Source", "Event ID", "Task Category"].join(delim),
                [
                    "Information",
                    "12/7/2026 9:00:00 AM",
                    "Orders",
                    "1000",
                    "None",
                    "Started GET /api/orders/1",
                ]
                .join(delim),
                [
                    "Error",
                    "12/7/2026 9:25:00 PM",
                    "Orders",
                    "1001",
                    "None",
                    "Failed to connect to payments-db",
                ]
                .join(delim),
            ];
            let refs: Vec<&str> = rows.iter().map(String::as_str).collect();
            let c = detect(&refs, &ctx()).unwrap_or_else(|| panic!("{name}"));
            assert_eq!(c.name, name);
            let r = parse(&c.parser, &rows[2]).unwrap();
            assert_eq!(rfc3339(r.ts.unwrap()), "2026-12-07T21:25:00Z");
            assert_eq!(r.level, Some(Level::Error));
            assert_eq!(r.message, "Failed to connect to payments-db");
            assert_eq!(r.field("Event ID"), Some("1001"));
        }
    }

    /// PostgreSQL's `csvlog`: no header; the time, level and message columns are found
    /// from what the rows hold. A number column is no level column (`0` would read as a
    /// syslog severity), and text with a few commas is no CSV.
    #[test]
    fn csv_without_a_header() {
        let rows = [
            r#"2024-05-01 08:00:00.123 UTC,"app","orders",4321,"10.0.1.5:52345",6570a1b2.10e1,1,"SELECT",2024-05-01 07:59:00 UTC,3/12,0,LOG,00000,"statement: SELECT 1",,,,,,,,,"psql","client backend",,0"#,
            r#"2024-05-01 08:00:01.456 UTC,"app","orders",4321,"10.0.1.5:52345",6570a1b2.10e1,2,"SELECT",2024-05-01 07:59:00 UTC,3/12,0,ERROR,42P01,"relation ""x"" does not exist",,,,,,,,,"psql","client backend",,0"#,
            r#"2024-05-01 08:00:02.000 UTC,"app","orders",4321,"10.0.1.5:52345",6570a1b2.10e1,3,"idle",2024-05-01 07:59:00 UTC,3/12,0,WARNING,01000,"there is no transaction in progress",,,,,,,,,"psql","client backend",,0"#,
        ];
        let c = detect(&rows, &ctx()).expect("headerless csv");
        assert_eq!(c.name, "csv, no header");
        let r = parse(&c.parser, rows[1]).unwrap();
        assert_eq!(rfc3339(r.ts.unwrap()), "2024-05-01T08:00:01.456Z");
        assert_eq!(r.level, Some(Level::Error));
        assert_eq!(r.message, r#"relation "x" does not exist"#);
        assert_eq!(r.field("col13"), Some("42P01"));
        assert_eq!(parse(&c.parser, rows[2]).unwrap().level, Some(Level::Warn));
        let text = [
            "2024-05-01 08:00:00,123 INFO a, b, c, d and e were loaded",
            "2024-05-01 08:00:01,456 ERROR x, y, z, w and v failed",
        ];
        assert!(detect(&text, &ctx()).is_none());
        let numbers = ["2024-05-01 08:00:00,0,1,2,3,some text here"; 4];
        assert!(detect(&numbers, &ctx()).is_none());
        let narrow = ["2024-05-01 08:00:00,INFO,started the worker"; 4];
        assert!(detect(&narrow, &ctx()).is_none());
    }

    #[test]
    fn splunk_tab_and_semicolon() {
        let s = [
            "_time\thost\tsource\t_raw",
            "2024-03-01 10:00:00.000\th1\t/var/log/app.log\tERROR something broke",
        ];
        let c = detect(&s, &ctx()).unwrap();
        assert_eq!(c.name, "csv(tab)");
        let r = parse(&c.parser, s[1]).unwrap();
        assert_eq!(r.host.as_deref(), Some("h1"));
        assert_eq!(r.message, "ERROR something broke");
        assert_eq!(fields(&r), vec![("source", "/var/log/app.log")]);
        let s = ["Date;Level;Message", "January 2nd 2024, 13:14:15.678;Error;x"];
        let c = detect(&s, &ctx()).unwrap();
        assert_eq!(c.name, "csv(;)");
        let r = parse(&c.parser, s[1]).unwrap();
        assert_eq!(rfc3339(r.ts.unwrap()), "2024-01-02T13:14:15.678Z");
        assert_eq!(r.level, Some(Level::Error));
    }

    #[test]
    fn kibana_dates_in_the_context_zone() {
        let c = TimeContext {
            zone: crate::timestamp::Zone::parse("+02:00").unwrap(),
            reference: (2024, 1, 1),
        };
        assert_eq!(
            kibana_date("Mar 3, 2024 @ 01:02:03.5", &c).map(rfc3339).as_deref(),
            Some("2024-03-02T23:02:03.500Z")
        );
        assert_eq!(
            kibana_date("September 21st 2023, 00:00:00.000", &ctx())
                .map(rfc3339)
                .as_deref(),
            Some("2023-09-21T00:00:00Z")
        );
        for bad in [
            "Mar 3, 2024",
            "Foo 3, 2024 @ 01:02:03",
            "Mar 32, 2024 @ 01:02:03",
            "Mar 3, 2024 @ 01:02:03 x",
            "Ma",
            "",
        ] {
            assert_eq!(kibana_date(bad, &ctx()), None, "{bad}");
        }
    }

    #[test]
    fn not_csv() {
        let log4j = [
            "Starting app, version 1.2",
            "2024-01-01 10:00:00,123 INFO started",
            "2024-01-01 10:00:01,456 INFO listening",
        ];
        assert!(detect(&log4j, &ctx()).is_none());
        let header_only = ["@timestamp,message"];
        assert!(detect(&header_only, &ctx()).is_none());
        let ts_header = ["2024-01-01T00:00:00Z,message", "2024-01-01T00:00:00Z,x"];
        assert!(detect(&ts_header, &ctx()).is_none());
        let no_ts = ["level,message", "info,hello", "warn,world"];
        assert!(detect(&no_ts, &ctx()).is_none());
        assert!(detect(&[], &ctx()).is_none());
    }

    #[test]
    fn garbage_does_not_panic() {
        let p = parser(&["ts,msg", "2024-01-01T00:00:00Z,x"]);
        for line in [
            "\"",
            "\"\"\"",
            ",,,,",
            "\"a\"b,\"",
            "2024-01-01T00:00:00Z,\"é",
            "é,\"",
            "\r",
            "2024-01-01T00:00:00Z,\"a\"\"",
            "\u{feff}",
        ] {
            let mut rec = Record::default();
            p.parse_line(line, &ctx(), &mut rec);
        }
        let r = parse(&p, "2024-01-01T00:00:00Z,\"a\"junk").unwrap();
        assert_eq!(r.message, "ajunk");
        let r = parse(&p, "2024-01-01T00:00:00Z,\"open \"\" quote").unwrap();
        assert_eq!(r.message, "open \" quote");
        let mut cells = Vec::new();
        assert!(split("a,,b,", b',', &mut cells));
        assert_eq!(cells, ["a", "", "b", ""]);
    }
}
