//! MySQL / Percona Server / MariaDB slow-query logs: events grouped into query classes by
//! fingerprint, ranked by total `Query_time`, counted the way pt-query-digest (Percona
//! Toolkit, default `--group-by fingerprint --order-by Query_time:sum`) counts them, so
//! the numbers and class IDs can be checked against its report.
//!
//! Reading follows pt-query-digest's parser ([`parser`]), grouping its fingerprint
//! ([`fingerprint`]); server start banners are left out (they are not events). Memory
//! grows with the number of classes only: per class a few sums, a sparse log-scale
//! histogram for the 95th percentile and one sample query of at most
//! [`MAX_SAMPLE_BYTES`].

pub mod fingerprint;
mod histogram;
mod parser;
mod time;

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::io::BufRead;

use serde::{Deserialize, Serialize};

use crate::{Lines, Options};
use parser::{Parsed, Parser, RawEvent};

/// Longest sample query kept per class (cut on a character boundary).
pub const MAX_SAMPLE_BYTES: usize = 4096;
/// Distinct databases and clients kept per class.
const MAX_NAMES: usize = 8;

/// What a slow log says, over the whole file.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct SlowLog {
    /// Events with a `Query_time`, as pt-query-digest counts queries (its `query_count`).
    pub queries: u64,
    /// Every event grouped into a class, with or without a `Query_time`.
    pub events: u64,
    /// Distinct fingerprints: the number of query classes (pt-query-digest's
    /// `unique_query_count`).
    pub fingerprints: u64,
    /// Sum of `Query_time` over all events, seconds.
    pub query_time_total_s: f64,
    /// Sum of `Lock_time` over all events, seconds.
    pub lock_time_total_s: f64,
    /// Sum of `Rows_sent`; null when no event has the attribute.
    pub rows_sent_total: Option<u64>,
    /// Sum of `Rows_examined` (administrator commands count 0); null when no event has
    /// the attribute.
    pub rows_examined_total: Option<u64>,
    /// Earliest and latest `# Time:` of the events (ISO 8601, as precise as the log);
    /// null when the log has no `# Time:` lines.
    pub first_time: Option<String>,
    pub last_time: Option<String>,
    /// Seconds from `first_time` to `last_time`.
    pub span_s: Option<f64>,
    /// Server start banners in the log (each one a server start or log flush); the
    /// first 20 are listed in `server_starts`.
    pub server_starts_total: u64,
    pub server_starts: Vec<ServerStart>,
    /// Query classes by total `Query_time`, largest first, at most `--top` of them.
    pub classes: Vec<QueryClass>,
    /// Classes not listed in `classes` (all are in the totals above).
    pub classes_left_out: u64,
}

/// A server start banner (`mysqld, Version: … started with:`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ServerStart {
    /// 1-based line of the banner's first line.
    pub line: u64,
    /// The version text of the banner, e.g. `8.0.15 (MySQL Community Server - GPL)`.
    pub version: String,
}

/// The events of one fingerprint.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct QueryClass {
    /// 1 = the largest total `Query_time`.
    pub rank: usize,
    /// The normalised query text (pt-query-digest's fingerprint).
    pub fingerprint: String,
    /// pt-query-digest's query ID: MD5 of the fingerprint, upper-case hex.
    pub checksum: String,
    /// Events in the class.
    pub count: u64,
    /// This class's share of the log's total `Query_time`, percent.
    pub time_share_pct: f64,
    /// Sum, largest and mean of `Query_time` over the class's events that have one,
    /// seconds.
    pub query_time_sum_s: f64,
    pub query_time_max_s: f64,
    pub query_time_avg_s: f64,
    /// 95th percentile of `Query_time` as pt-query-digest computes it: the lower edge of
    /// the 5 %-wide log-scale bucket holding it (for fewer than 10 events, the bucket of
    /// the maximum; the maximum itself for 1 or 2 events or when all are equal); seconds.
    pub query_time_p95_s: f64,
    /// Sum of `Lock_time`, seconds.
    pub lock_time_sum_s: f64,
    /// Sums of `Rows_sent` and `Rows_examined`; null when no event of the class has it.
    pub rows_sent_sum: Option<u64>,
    pub rows_examined_sum: Option<u64>,
    /// `rows_examined_sum / rows_sent_sum`: rows read per row returned; null when either
    /// is missing or no row was sent.
    pub rows_examined_per_row_sent: Option<f64>,
    /// Databases the events ran in (`use db;` or `Schema:`, else the last one seen
    /// before), first [`MAX_NAMES`] distinct.
    pub databases: Vec<String>,
    /// `user@host` of the events, first [`MAX_NAMES`] distinct.
    pub clients: Vec<String>,
    /// More distinct databases or clients than listed.
    pub names_truncated: bool,
    /// Earliest and latest `# Time:` of the class's events (an event without one takes
    /// the last one before it), ISO 8601.
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    /// The slowest event (the last of equals, as pt-query-digest picks its example).
    pub sample: Sample,
}

/// One event's query, as logged.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Sample {
    /// The query text, at most [`MAX_SAMPLE_BYTES`].
    pub query: String,
    /// The text was longer and is cut.
    pub truncated: bool,
    /// 1-based line where the event starts in the file.
    pub line: u64,
    pub query_time_s: Option<f64>,
    pub time: Option<String>,
    pub database: Option<String>,
}

/// Reads a slow log to its end and groups its events.
pub fn analyse<R: BufRead>(lines: &mut Lines<R>, options: &Options) -> SlowLog {
    let mut parser = Parser::new(lines);
    let mut acc = Accumulator::default();
    while let Some(parsed) = parser.next() {
        match parsed {
            Parsed::Event(event) => {
                // pt-query-digest groups an event only when its text is true in Perl.
                let has_text = event.arg.as_deref().is_some_and(|a| !a.is_empty() && a != "0");
                if has_text {
                    acc.add(*event);
                } else {
                    let line = event.line;
                    parser.lines().skip(line, "events", "event header without query text");
                }
            }
            Parsed::Dropped { line, lines: count } => parser.lines().skip_many(
                line,
                count,
                "lines",
                "event header without query text at the end of the file",
            ),
        }
    }
    let (banners, banner_count) = parser.banners();
    let server_starts = banners
        .iter()
        .map(|b| ServerStart {
            line: b.line,
            version: b.version.clone(),
        })
        .collect();
    acc.finish(options.top, banner_count, server_starts)
}

/// Running sums and extremes of one numeric attribute.
#[derive(Debug, Default, Clone)]
struct Metric {
    count: u64,
    sum: f64,
    min: f64,
    max: f64,
}

impl Metric {
    fn add(&mut self, v: f64) {
        if self.count == 0 || v < self.min {
            self.min = v;
        }
        if self.count == 0 || v > self.max {
            self.max = v;
        }
        self.count += 1;
        self.sum += v;
    }

    fn sum_if_any(&self) -> Option<u64> {
        (self.count > 0).then(|| self.sum.max(0.0).round() as u64)
    }
}

/// When something happened, for ordering and for the report.
#[derive(Debug, Clone)]
struct Seen {
    seconds: f64,
    text: String,
}

/// One class's running facts; its fingerprint is the key it is found by.
#[derive(Debug)]
struct Class {
    count: u64,
    query_time: Metric,
    buckets: histogram::Histogram,
    lock_time: Metric,
    rows_sent: Metric,
    rows_examined: Metric,
    databases: Vec<String>,
    clients: Vec<String>,
    names_truncated: bool,
    first_seen: Option<Seen>,
    last_seen: Option<Seen>,
    sample: Sample,
}

impl Class {
    fn new(sample: Sample) -> Self {
        Class {
            count: 0,
            query_time: Metric::default(),
            buckets: histogram::Histogram::default(),
            lock_time: Metric::default(),
            rows_sent: Metric::default(),
            rows_examined: Metric::default(),
            databases: Vec::new(),
            clients: Vec::new(),
            names_truncated: false,
            first_seen: None,
            last_seen: None,
            sample,
        }
    }
}

#[derive(Default)]
struct Accumulator {
    /// Where each fingerprint's class is in `classes`. The classes are not stored in the
    /// map itself: a hash table keeps spare room for as many entries again, and a class
    /// is a few hundred bytes.
    index: HashMap<String, usize>,
    classes: Vec<Class>,
    queries: u64,
    events: u64,
    query_time: Metric,
    lock_time: Metric,
    rows_sent: Metric,
    rows_examined: Metric,
    first: Option<Seen>,
    last: Option<Seen>,
    /// pt-query-digest carries `db` and the time forward to events without them.
    last_db: Option<String>,
    last_time: Option<Seen>,
}

impl Accumulator {
    fn add(&mut self, event: RawEvent) {
        let arg = event.arg.unwrap_or_default();
        let fingerprint = fingerprint::fingerprint(&arg);
        let db = event.db.or(event.schema).map(|d| d.trim_matches('`').to_string());
        if db.is_some() {
            self.last_db = db.clone();
        }
        let db = db.or_else(|| self.last_db.clone());
        if let Some(stamp) = event.time.as_deref().and_then(time::parse) {
            let stamp = Seen {
                seconds: stamp.seconds,
                text: stamp.iso,
            };
            if self.first.as_ref().is_none_or(|f| stamp.seconds < f.seconds) {
                self.first = Some(stamp.clone());
            }
            if self.last.as_ref().is_none_or(|l| stamp.seconds >= l.seconds) {
                self.last = Some(stamp.clone());
            }
            self.last_time = Some(stamp);
        }
        let seen = self.last_time.clone();
        // Administrator commands examine no rows (pt-query-digest zeroes them).
        let admin = arg.starts_with("administrator");
        let query_time = event.query_time.as_deref().map(query_time_value);
        let lock_time = event.lock_time.as_deref().map(perl_number);
        let rows_sent = event
            .rows_sent
            .as_deref()
            .map(|v| if admin { 0.0 } else { perl_number(v) });
        let rows_examined = event
            .rows_examined
            .as_deref()
            .map(|v| if admin { 0.0 } else { perl_number(v) });

        self.events += 1;
        if let Some(v) = query_time {
            self.queries += 1;
            self.query_time.add(v);
        }
        lock_time.inspect(|&v| self.lock_time.add(v));
        rows_sent.inspect(|&v| self.rows_sent.add(v));
        rows_examined.inspect(|&v| self.rows_examined.add(v));

        let at = match self.index.entry(fingerprint) {
            Entry::Occupied(found) => *found.get(),
            Entry::Vacant(slot) => {
                slot.insert(self.classes.len());
                self.classes.push(Class::new(sample(
                    &arg,
                    event.line,
                    query_time,
                    seen.as_ref(),
                    db.as_deref(),
                )));
                self.classes.len() - 1
            }
        };
        let class = &mut self.classes[at];
        class.count += 1;
        if let Some(v) = query_time {
            class.query_time.add(v);
            class.buckets.add(v);
            // The example is the slowest event, the later one of equals.
            if v >= class.query_time.max && class.count > 1 {
                class.sample = sample(&arg, event.line, query_time, seen.as_ref(), db.as_deref());
            }
        }
        lock_time.inspect(|&v| class.lock_time.add(v));
        rows_sent.inspect(|&v| class.rows_sent.add(v));
        rows_examined.inspect(|&v| class.rows_examined.add(v));
        if let Some(db) = db {
            class.names_truncated |= remember(&mut class.databases, db);
        }
        if event.user.is_some() || event.host.is_some() {
            let user = event.user.as_deref().unwrap_or_default();
            let host = event.host.as_deref().unwrap_or_default();
            // Most events come from a client already listed: no string to build then.
            let known = class.clients.iter().any(|c| {
                c.len() == user.len() + 1 + host.len()
                    && c.starts_with(user)
                    && c[user.len()..].starts_with('@')
                    && c.ends_with(host)
            });
            if !known {
                class.names_truncated |= remember(&mut class.clients, format!("{user}@{host}"));
            }
        }
        if let Some(s) = seen {
            if class.first_seen.as_ref().is_none_or(|f| s.seconds < f.seconds) {
                class.first_seen = Some(s.clone());
            }
            if class.last_seen.as_ref().is_none_or(|l| s.seconds >= l.seconds) {
                class.last_seen = Some(s);
            }
        }
    }

    fn finish(self, top: usize, server_starts_total: u64, server_starts: Vec<ServerStart>) -> SlowLog {
        let total = self.query_time.sum;
        let fingerprints = self.classes.len() as u64;
        let mut keys: Vec<(String, usize)> = self.index.into_iter().collect();
        keys.sort_unstable_by_key(|&(_, at)| at);
        let mut classes: Vec<(String, Class)> = keys.into_iter().map(|(fp, _)| fp).zip(self.classes).collect();
        classes.sort_by(|(a_fp, a), (b_fp, b)| {
            b.query_time
                .sum
                .total_cmp(&a.query_time.sum)
                .then(b.count.cmp(&a.count))
                .then_with(|| a_fp.cmp(b_fp))
        });
        let left_out = classes.len().saturating_sub(top) as u64;
        classes.truncate(top);
        let classes = classes
            .into_iter()
            .enumerate()
            .map(|(i, (fp, c))| class_facts(i + 1, fp, c, total))
            .collect();
        let span_s = match (&self.first, &self.last) {
            (Some(f), Some(l)) => Some(round6(l.seconds - f.seconds)),
            _ => None,
        };
        SlowLog {
            queries: self.queries,
            events: self.events,
            fingerprints,
            query_time_total_s: round6(total),
            lock_time_total_s: round6(self.lock_time.sum),
            rows_sent_total: self.rows_sent.sum_if_any(),
            rows_examined_total: self.rows_examined.sum_if_any(),
            first_time: self.first.map(|s| s.text),
            last_time: self.last.map(|s| s.text),
            span_s,
            server_starts_total,
            server_starts,
            classes,
            classes_left_out: left_out,
        }
    }
}

fn class_facts(rank: usize, fingerprint: String, c: Class, total: f64) -> QueryClass {
    let qt = &c.query_time;
    let rows_sent_sum = c.rows_sent.sum_if_any();
    let rows_examined_sum = c.rows_examined.sum_if_any();
    let rows_examined_per_row_sent = match (rows_examined_sum, rows_sent_sum) {
        (Some(e), Some(s)) if s > 0 => Some(round6(e as f64 / s as f64)),
        _ => None,
    };
    QueryClass {
        rank,
        checksum: fingerprint::checksum(&fingerprint),
        fingerprint,
        count: c.count,
        time_share_pct: if total > 0.0 {
            round6(qt.sum / total * 100.0)
        } else {
            0.0
        },
        query_time_sum_s: round6(qt.sum),
        query_time_max_s: round6(qt.max),
        query_time_avg_s: if qt.count > 0 {
            round6(qt.sum / qt.count as f64)
        } else {
            0.0
        },
        query_time_p95_s: round6(c.buckets.pct95(qt.count, qt.min, qt.max)),
        lock_time_sum_s: round6(c.lock_time.sum),
        rows_sent_sum,
        rows_examined_sum,
        rows_examined_per_row_sent,
        databases: c.databases,
        clients: c.clients,
        names_truncated: c.names_truncated,
        first_seen: c.first_seen.map(|s| s.text),
        last_seen: c.last_seen.map(|s| s.text),
        sample: c.sample,
    }
}

fn sample(arg: &str, line: u64, query_time: Option<f64>, seen: Option<&Seen>, db: Option<&str>) -> Sample {
    let (query, truncated) = cut(arg, MAX_SAMPLE_BYTES);
    Sample {
        query: query.to_string(),
        truncated,
        line,
        query_time_s: query_time,
        time: seen.map(|s| s.text.clone()),
        database: db.map(str::to_string),
    }
}

/// At most `max` bytes of `text`, cut on a character boundary, and whether it was cut.
fn cut(text: &str, max: usize) -> (&str, bool) {
    let kept = triage_text::cut_bytes(text, max);
    (kept, kept.len() < text.len())
}

/// Adds `name` to a bounded list of distinct names; true when it did not fit.
fn remember(list: &mut Vec<String>, name: String) -> bool {
    if list.contains(&name) {
        false
    } else if list.len() < MAX_NAMES {
        list.push(name);
        false
    } else {
        true
    }
}

/// Six decimals: the log's own precision (microseconds), without float noise.
fn round6(v: f64) -> f64 {
    if v.is_finite() {
        (v * 1e6).round() / 1e6
    } else {
        0.0
    }
}

/// `Query_time` as pt-query-digest reads it: the leading `digits[.digits]`, else the
/// whole value as a number.
fn query_time_value(v: &str) -> f64 {
    let b = v.as_bytes();
    let mut end = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if end > 0 && b.get(end) == Some(&b'.') && b.get(end + 1).is_some_and(u8::is_ascii_digit) {
        end += 1 + b[end + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
    }
    if end > 0 {
        v[..end].parse().unwrap_or(0.0)
    } else {
        perl_number(v)
    }
}

/// Perl's reading of a string as a number: the longest numeric prefix (after leading
/// whitespace), 0 when there is none.
fn perl_number(v: &str) -> f64 {
    let s = v.trim_start();
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    let int_digits = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
    i += int_digits;
    let mut frac_digits = 0;
    if b.get(i) == Some(&b'.') {
        frac_digits = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
        i += 1 + frac_digits;
    }
    if int_digits + frac_digits == 0 {
        return 0.0;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        if matches!(b.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        let exp_digits = b[j.min(b.len())..].iter().take_while(|c| c.is_ascii_digit()).count();
        if exp_digits > 0 {
            i = j + exp_digits;
        }
    }
    s[..i].parse().unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn analyse_text(text: &str, top: usize) -> (SlowLog, Vec<crate::Skipped>) {
        let mut lines = Lines::new(text.as_bytes());
        let facts = analyse(&mut lines, &Options { top });
        (facts, lines.take_skipped())
    }

    const LOG: &str = "\
/usr/sbin/mysqld, Version: 8.0.36 (MySQL Community Server - GPL). started with:
Tcp port: 3306  Unix socket: /var/run/mysqld/mysqld.sock
Time                 Id Command    Argument
# Time: 2024-05-01T10:00:00.000000Z
# User@Host: app[app] @ web1 [10.0.0.1]  Id:     8
# Query_time: 1.500000  Lock_time: 0.000100 Rows_sent: 10  Rows_examined: 1000
use shop;
SET timestamp=1714557600;
SELECT * FROM orders WHERE customer_id = 42 ORDER BY created_at ASC LIMIT 10;
# Time: 2024-05-01T10:00:05.000000Z
# User@Host: app[app] @ web2 [10.0.0.2]  Id:     9
# Query_time: 2.500000  Lock_time: 0.000200 Rows_sent: 10  Rows_examined: 3000
SET timestamp=1714557605;
SELECT * FROM orders WHERE customer_id = 7 ORDER BY created_at LIMIT 10;
# Time: 2024-05-01T10:01:00.000000Z
# User@Host: report[report] @ bi [10.0.0.9]  Id:    10
# Query_time: 0.250000  Lock_time: 0.000000 Rows_sent: 1  Rows_examined: 50000
use stats;
SET timestamp=1714557660;
SELECT COUNT(*) FROM visits WHERE day = '2024-04-30';
# Time: 2024-05-01T10:01:01.000000Z
# User@Host: app[app] @ web1 [10.0.0.1]  Id:     8
# Query_time: 0.000010  Lock_time: 0.000000 Rows_sent: 5  Rows_examined: 5
SET timestamp=1714557661;
# administrator command: Quit;
";

    #[test]
    fn events_are_grouped_by_fingerprint_and_ranked_by_total_time() {
        let (facts, skipped) = analyse_text(LOG, 20);
        assert_eq!((facts.queries, facts.events, facts.fingerprints), (4, 4, 3));
        assert_eq!(facts.query_time_total_s, 4.25001);
        let top = &facts.classes[0];
        assert_eq!(top.rank, 1);
        assert_eq!(
            top.fingerprint,
            "select * from orders where customer_id = ? order by created_at limit ?"
        );
        assert_eq!(top.checksum, fingerprint::checksum(&top.fingerprint));
        assert_eq!((top.count, top.query_time_sum_s, top.query_time_max_s), (2, 4.0, 2.5));
        assert_eq!(top.query_time_avg_s, 2.0);
        assert_eq!(top.rows_examined_sum, Some(4000));
        assert_eq!(top.rows_examined_per_row_sent, Some(200.0));
        assert_eq!(top.databases, vec!["shop"], "the second event inherits the database");
        assert_eq!(top.clients, vec!["app@web1", "app@web2"]);
        assert_eq!(top.first_seen.as_deref(), Some("2024-05-01T10:00:00.000000Z"));
        assert_eq!(top.last_seen.as_deref(), Some("2024-05-01T10:00:05.000000Z"));
        assert_eq!(top.sample.line, 10, "the slowest event is the sample");
        assert!(top.sample.query.contains("customer_id = 7"));
        assert!((top.time_share_pct - 94.117425).abs() < 1e-3);
        assert_eq!(facts.classes[1].databases, vec!["stats"]);
        let admin = &facts.classes[2];
        assert_eq!(admin.fingerprint, "administrator command: Quit");
        assert_eq!(admin.rows_examined_sum, Some(0), "admin commands examine no rows");
        assert_eq!(facts.rows_examined_total, Some(54000));
        assert_eq!(facts.first_time.as_deref(), Some("2024-05-01T10:00:00.000000Z"));
        assert_eq!(facts.span_s, Some(61.0));
        assert_eq!(facts.server_starts_total, 1);
        assert_eq!(facts.server_starts[0].version, "8.0.36 (MySQL Community Server - GPL)");
        assert_eq!(skipped.len(), 1, "{skipped:?}");
        assert_eq!(skipped[0].count, 3);
    }

    #[test]
    fn a_server_banner_between_events_is_neither_an_event_nor_query_text() {
        // pt-query-digest glues the next event to a banner without a directory; the
        // answers (and this) count it as if the banner were not there.
        for first_line in [
            "/usr/sbin/mysqld, Version: 5.7.35-log (MySQL Community Server (GPL)). started with:",
            "mysqld, Version: 5.7.35-log (MySQL Community Server (GPL)). started with:",
        ] {
            let log = format!(
                "# Time: 2021-08-19T14:17:37.746031Z\n# Query_time: 0.5  Lock_time: 0.0 Rows_sent: 1  Rows_examined: 1\n\
                 SELECT 1;\n{first_line}\nTcp port: 0  Unix socket: /var/run/mysqld/mysqld.sock\n\
                 Time                 Id Command    Argument\n# Time: 2021-08-19T14:17:38.000000Z\n\
                 # Query_time: 0.25  Lock_time: 0.0 Rows_sent: 1  Rows_examined: 1\nSELECT 2;\n"
            );
            let (facts, _) = analyse_text(&log, 20);
            assert_eq!((facts.queries, facts.fingerprints), (2, 1), "{first_line}");
            assert_eq!(facts.query_time_total_s, 0.75);
            assert_eq!(facts.server_starts_total, 1);
        }
    }

    #[test]
    fn the_list_is_cut_at_top_but_totals_cover_every_class() {
        let (facts, _) = analyse_text(LOG, 1);
        assert_eq!(facts.classes.len(), 1);
        assert_eq!(facts.classes_left_out, 2);
        assert_eq!(facts.fingerprints, 3);
    }

    #[test]
    fn events_without_query_time_are_classes_but_not_queries() {
        let log = "# User@Host: a[a] @ h []\nSELECT 1;\n# Query_time: 0.5\nSELECT 2;\n";
        let (facts, _) = analyse_text(log, 20);
        assert_eq!((facts.queries, facts.events, facts.fingerprints), (1, 2, 1));
        assert_eq!(facts.classes[0].count, 2);
        assert_eq!(facts.classes[0].query_time_sum_s, 0.5);
        assert_eq!(facts.rows_examined_total, None);
        assert_eq!(facts.classes[0].rows_examined_sum, None);
    }

    #[test]
    fn samples_are_cut_on_character_boundaries() {
        let long = format!("# Query_time: 1\nSELECT '{}';\n", "é".repeat(MAX_SAMPLE_BYTES));
        let (facts, _) = analyse_text(&long, 20);
        let sample = &facts.classes[0].sample;
        assert!(sample.truncated);
        assert!(sample.query.len() <= MAX_SAMPLE_BYTES);
    }

    #[test]
    fn anything_else_is_read_without_panicking() {
        let (facts, _) = analyse_text("2024-05-01 INFO started\n2024-05-01 INFO done\n", 20);
        assert_eq!(facts.queries, 0);
        let (facts, _) = analyse_text("", 20);
        assert_eq!(facts, SlowLog::default());
        let (facts, _) = analyse_text("#\n;\n#;\n# Time: \n\u{0}\u{feff}", 20);
        assert_eq!(facts.queries, 0);
    }

    #[test]
    fn numbers_are_read_as_perl_reads_them() {
        assert_eq!(query_time_value("0.000012"), 0.000012);
        assert_eq!(query_time_value("2"), 2.0);
        assert_eq!(query_time_value("1.5s"), 1.5);
        assert_eq!(perl_number(" 42abc"), 42.0);
        assert_eq!(perl_number("1e3"), 1000.0);
        assert_eq!(perl_number("abc"), 0.0);
        assert_eq!(perl_number("-"), 0.0);
    }

    const MYSQL50: &str = "\
/usr/sbin/mysqld, Version: 5.0.51a-24+lenny5-log ((Debian)). started with:
Tcp port: 3306  Unix socket: /var/run/mysqld/mysqld.sock
Time                 Id Command    Argument
# Time: 080101  2:00:00
# User@Host: root[root] @ localhost []
# Query_time: 2  Lock_time: 0  Rows_sent: 1  Rows_examined: 100
use shop;
SELECT * FROM orders WHERE id = 1;
# User@Host: root[root] @ localhost []
# Query_time: 3  Lock_time: 0  Rows_sent: 1  Rows_examined: 100
SELECT * FROM orders WHERE id = 22;
# Time: 080101 12:00:01
# User@Host: app[app] @ web1 [10.0.0.1]
# Query_time: 1  Lock_time: 0  Rows_sent: 0  Rows_examined: 0
# administrator command: Quit;
";

    const MYSQL56: &str = "\
# Time: 140101 12:00:00
# User@Host: app[app] @ web1 [10.0.0.1]  Id:     5
# Query_time: 0.500000  Lock_time: 0.000100 Rows_sent: 1  Rows_examined: 10
use shop;
SET timestamp=1388577600;
SELECT name FROM users WHERE email = 'a@example.com' AND status IN (1, 2, 3);
# User@Host: app[app] @ web1 [10.0.0.1]  Id:     6
# Query_time: 0.250000  Lock_time: 0.000100 Rows_sent: 1  Rows_examined: 10
SET timestamp=1388577601;
select name from users where email = \"b@example.com\" and status in (4);
# Time: 140101 12:00:05
# User@Host: app[app] @ web1 [10.0.0.1]  Id:     6
# Query_time: 0.000010  Lock_time: 0.000000 Rows_sent: 0  Rows_examined: 0
SET timestamp=1388577605;
# administrator command: Ping;
";

    const MYSQL80_EXTRA: &str = "\
/usr/sbin/mysqld, Version: 8.0.36 (MySQL Community Server - GPL). started with:
Tcp port: 3306  Unix socket: /var/run/mysqld/mysqld.sock
Time                 Id Command    Argument
# Time: 2024-05-01T08:00:00.123456Z
# User@Host: app[app] @ localhost []  Id:    16
# Query_time: 2.631844  Lock_time: 0.000145 Rows_sent: 10  Rows_examined: 3145718 Thread_id: 16 Errno: 0 Killed: 0 Bytes_received: 0 Bytes_sent: 339 Read_first: 0 Read_last: 0 Read_key: 0 Read_next: 0 Read_prev: 0 Read_rnd: 0 Read_rnd_next: 3145729 Sort_merge_passes: 0 Sort_range_count: 0 Sort_rows: 10 Sort_scan_count: 1 Created_tmp_disk_tables: 0 Created_tmp_tables: 1 Start: 2024-05-01T07:59:57.491612Z End: 2024-05-01T08:00:00.123456Z
SET timestamp=1714550397;
SELECT last_name, MAX(salary) AS salary FROM employees
    INNER JOIN salaries ON employees.emp_no = salaries.emp_no
    GROUP BY last_name
    ORDER BY salary DESC
    LIMIT 10;
/usr/sbin/mysqld, Version: 8.0.36 (MySQL Community Server - GPL). started with:
Tcp port: 3306  Unix socket: /var/run/mysqld/mysqld.sock
Time                 Id Command    Argument
# Time: 2024-05-01T08:05:00.000001Z
# User@Host: app[app] @ localhost []  Id:     8
# Query_time: 2.475829  Lock_time: 0.000118 Rows_sent: 10  Rows_examined: 3145718 Thread_id: 8 Errno: 0 Killed: 0 Bytes_received: 188 Bytes_sent: 339 Read_first: 0 Read_last: 0 Read_key: 0 Read_next: 0 Read_prev: 0 Read_rnd: 0 Read_rnd_next: 3145729 Sort_merge_passes: 0 Sort_range_count: 0 Sort_rows: 10 Sort_scan_count: 1 Created_tmp_disk_tables: 0 Created_tmp_tables: 1 Start: 2024-05-01T08:04:57.524172Z End: 2024-05-01T08:05:00.000001Z
SET timestamp=1714550697;
SELECT last_name, MAX(salary) AS salary FROM employees INNER JOIN salaries ON employees.emp_no = salaries.emp_no GROUP BY last_name ORDER BY salary DESC LIMIT 5;
";

    const PERCONA: &str = "\
# Time: 2019-01-21T06:36:03.868128Z
# User@Host: exporter[exporter] @ localhost []  Id: 14367293
# Schema:   Last_errno: 1370  Killed: 0
# Query_time: 0.050365  Lock_time: 0.010733  Rows_sent: 16  Rows_examined: 3146  Rows_affected: 0
# Bytes_sent: 1362  Tmp_tables: 376  Tmp_disk_tables: 71  Tmp_table_sizes: 606208
# QC_Hit: No  Full_scan: Yes  Full_join: Yes  Tmp_table: Yes  Tmp_table_on_disk: Yes
# Filesort: No  Filesort_on_disk: No  Merge_passes: 0
# No InnoDB statistics available for this query
# Log_slow_rate_type: query  Log_slow_rate_limit: 100
SET timestamp=1548052563;
SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'sys';
# Time: 2019-01-21T09:15:36.487710Z
# User@Host: test[test] @  [192.168.123.123]  Id: 14370752
# Schema: test  Last_errno: 0  Killed: 0
# Query_time: 153.883481  Lock_time: 0.024022  Rows_sent: 0  Rows_examined: 120309968  Rows_affected: 19198
# Bytes_sent: 62  Tmp_tables: 0  Tmp_disk_tables: 0  Tmp_table_sizes: 0
# InnoDB_trx_id: 69BB9C7F9
# QC_Hit: No  Full_scan: No  Full_join: No  Tmp_table: No  Tmp_table_on_disk: No
# Filesort: No  Filesort_on_disk: No  Merge_passes: 0
#   InnoDB_IO_r_ops: 9744  InnoDB_IO_r_bytes: 79822848  InnoDB_IO_r_wait: 0.883446
#   InnoDB_rec_lock_wait: 0.003038  InnoDB_queue_wait: 0.000000
#   InnoDB_pages_distinct: 64872
# Log_slow_rate_type: query  Log_slow_rate_limit: 100
SET timestamp=1548062136;
UPDATE test SET state = 'NOT_RELEVANT' WHERE id IN (26328833, 390, 149386);
# Time: 2019-01-21T09:15:40.000000Z
# User@Host: test[test] @  [192.168.123.123]  Id: 14370752
# Schema: test  Last_errno: 0  Killed: 0
# Query_time: 10.000001  Lock_time: 0.024022  Rows_sent: 0  Rows_examined: 5  Rows_affected: 5
# Bytes_sent: 62  Tmp_tables: 0  Tmp_disk_tables: 0  Tmp_table_sizes: 0
SET timestamp=1548062140;
UPDATE test SET state = 'RELEVANT' WHERE id IN (1);
";

    const MARIADB: &str = "\
/usr/sbin/mysqld, Version: 10.3.13-MariaDB-1:10.3.13+maria~bionic-log (mariadb.org binary distribution). started with:
Tcp port: 3306  Unix socket: /var/run/mysqld/mysqld.sock
Time\t\t    Id Command\tArgument
# Time: 240501  8:00:00
# User@Host: root[root] @ localhost []
# Thread_id: 37  Schema: employees  QC_hit: No
# Query_time: 5.524103  Lock_time: 0.000337  Rows_sent: 1  Rows_examined: 65633
# Rows_affected: 0  Bytes_sent: 53
# Tmp_tables: 0  Tmp_disk_tables: 0  Tmp_table_sizes: 0
# Full_scan: Yes  Full_join: No  Tmp_table: No  Tmp_table_on_disk: No
# Filesort: No  Filesort_on_disk: No  Merge_passes: 0  Priority_queue: No
#
# explain: id\tselect_type\ttable\ttype\tpossible_keys\tkey\tkey_len\tref\trows\tExtra
# explain: 1\tSIMPLE\tnation\tref\tPRIMARY,n_name\tn_name\t26\tconst\t1\tUsing where; Using index
#
SET timestamp=1714550400;
select count(*) from customer, orders, nation
  where c_custkey=o_custkey
    and n_name='GERMANY';
# Time: 240501  8:00:05
# User@Host: root[root] @ localhost []
# Thread_id: 38  Schema:   QC_hit: No
# Query_time: 2.000652  Lock_time: 0.000000  Rows_sent: 1  Rows_examined: 0
# Rows_affected: 0  Bytes_sent: 64
# Pages_accessed: 0  Pages_read: 0  Pages_updated: 0  Undo_records_added: 0
# Old_rows_read: 0  Pages_read_time: 0.0000  Engine_time: 0.0001
SET timestamp=1714550405;
call PROC('blah');
/usr/sbin/mariadbd, Version: 10.11.6-MariaDB-0+deb12u1-log (Debian 12). started with:
Tcp port: 3306  Unix socket: /run/mysqld/mysqld.sock
Time\t\t    Id Command\tArgument
# Time: 240501  8:01:00
# User@Host: root[root] @ localhost []
# Thread_id: 5  Schema: employees  QC_hit: No
# Query_time: 1.000000  Lock_time: 0.000000  Rows_sent: 1  Rows_examined: 0
SET timestamp=1714550460;
CALL proc('other');
";

    const STRUCTURE: &str = "\
# Time: 2019-08-01T12:00:00.123456Z
# User@Host: app[app] @ localhost []  Id: 5
# Query_time: 1.000000  Lock_time: 0.000000 Rows_sent: 0  Rows_examined: 0
SET timestamp=1564660800;
SELECT a
-- the column
# not a header
FROM t WHERE b IN (1,2,3) AND c = 'x';
# User@Host: app[app] @ localhost []  Id: 5
# Query_time: 2.000000  Lock_time: 0.000000 Rows_sent: 0  Rows_examined: 0
SET timestamp=1564660801;
select a -- the column
# not a header
from t where b in (4) and c = \"y\";
# Time: 2019-08-01T12:00:02.000000Z
# User@Host: app[app] @ localhost []  Id: 5
# Query_time: 0.500000  Lock_time: 0.000000 Rows_sent: 0  Rows_examined: 0
SET timestamp=1564660802;
INSERT INTO log (a, b) VALUES (1, 'x'), (2, 'y'), (3, 'z');
# Time: 2019-08-01T12:00:03.000000Z
# User@Host: app[app] @ localhost []  Id: 5
# Query_time: 0.250000  Lock_time: 0.000000 Rows_sent: 0  Rows_examined: 0
SET timestamp=1564660803;
insert into log (a, b) values (4, 'w');
# Time: 2019-08-01T12:00:04.000000Z
# User@Host: app[app] @ localhost []  Id: 5
# Query_time: 9.000000  Lock_time: 0.000000 Rows_sent: 0  Rows_examined: 0
SET timestamp=1564660804;
SELECT * FRO";

    /// (queries, fingerprints, (count, Query_time sum) of each class by rank).
    fn digest(log: &str) -> (u64, u64, Vec<(u64, f64)>) {
        let (facts, _) = analyse_text(log, 100);
        let classes = facts.classes.iter().map(|c| (c.count, c.query_time_sum_s)).collect();
        (facts.queries, facts.fingerprints, classes)
    }

    // One log per server and version, each in the server's own layout; the expected
    // figures are pt-query-digest 3.5's for the same text.

    #[test]
    fn mysql_5_0_integer_times_space_padded_hour_and_an_admin_command() {
        assert_eq!(digest(MYSQL50), (3, 2, vec![(2, 5.0), (1, 1.0)]));
    }

    #[test]
    fn mysql_5_6_user_host_with_id_and_a_ping_after_set_timestamp() {
        assert_eq!(digest(MYSQL56), (3, 2, vec![(2, 0.75), (1, 0.00001)]));
        let (facts, _) = analyse_text(MYSQL56, 5);
        assert_eq!(
            facts.classes[0].fingerprint,
            "select name from users where email = ? and status in(?+)"
        );
    }

    #[test]
    fn mysql_8_0_log_slow_extra_with_a_restart_banner_between_events() {
        assert_eq!(digest(MYSQL80_EXTRA), (2, 1, vec![(2, 5.107673)]));
    }

    #[test]
    fn percona_server_extended_verbosity_innodb_and_rate_limit_lines() {
        assert_eq!(digest(PERCONA), (3, 2, vec![(2, 163.883482), (1, 0.050365)]));
        let (facts, _) = analyse_text(PERCONA, 5);
        assert_eq!(facts.classes[0].databases, vec!["test"], "from the Schema attribute");
    }

    #[test]
    fn mariadb_explain_lines_empty_schema_engine_stats_and_a_mariadbd_banner() {
        assert_eq!(digest(MARIADB), (3, 2, vec![(1, 5.524103), (2, 3.000652)]));
        let (facts, _) = analyse_text(MARIADB, 5);
        assert_eq!(facts.classes[1].fingerprint, "call proc");
        assert_eq!(facts.server_starts_total, 2);
    }

    #[test]
    fn comments_lists_multi_row_inserts_and_an_event_cut_at_the_end_of_the_file() {
        // Comment lines inside a statement, IN lists, a multi-row INSERT and one of a
        // single row, and a last event cut off mid-statement (still an event).
        assert_eq!(digest(STRUCTURE), (5, 3, vec![(1, 9.0), (2, 3.0), (2, 0.75)]));
    }
}
