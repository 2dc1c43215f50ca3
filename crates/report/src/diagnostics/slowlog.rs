//! Sections of the `triage slowlog` report: a verdict paragraph with the totals, the
//! query classes ranked by total `Query_time`, each class's slowest query, and the
//! server starts the log records. Every number comes from the facts; this file only
//! words and formats them.

use triage_diagnose::slowlog::{QueryClass, SlowLog};
use triage_text::cut_chars;

use super::secs;
use crate::document::{code, field, strong, table, text, Block, Cell, Inline, Section};
use crate::format::MISSING;

/// Longest fingerprint shown in the table (the JSON report has it whole).
const MAX_FINGERPRINT_CHARS: usize = 160;

pub(crate) fn sections(facts: &SlowLog) -> (String, Vec<Section>) {
    let mut sections = vec![summary(facts)];
    if !facts.classes.is_empty() {
        sections.push(classes(facts));
        sections.push(samples(facts));
    }
    if facts.server_starts_total > 0 {
        sections.push(server_starts(facts));
    }
    ("MySQL slow query log".to_string(), sections)
}

/// A wall-clock span: `42.0 s`, `3 min 20 s`, `2 h 5 min`, `3 d 4 h`.
fn span(s: f64) -> String {
    if !s.is_finite() || s < 0.0 {
        return MISSING.to_string();
    }
    let whole = s.round() as u64;
    match whole {
        0..60 => format!("{s:.1} s"),
        60..3600 => format!("{} min {} s", whole / 60, whole % 60),
        3600..86_400 => format!("{} h {} min", whole / 3600, whole % 3600 / 60),
        _ => format!("{} d {} h", whole / 86_400, whole % 86_400 / 3600),
    }
}

fn pct(p: f64) -> String {
    if p.is_finite() {
        format!("{p:.1} %")
    } else {
        MISSING.to_string()
    }
}

fn count_opt(n: Option<u64>) -> String {
    n.map_or_else(|| MISSING.to_string(), |n| n.to_string())
}

fn ratio_opt(r: Option<f64>) -> String {
    match r {
        Some(r) if r.is_finite() && r >= 100.0 => format!("{r:.0}"),
        Some(r) if r.is_finite() => format!("{r:.1}"),
        _ => MISSING.to_string(),
    }
}

fn summary(f: &SlowLog) -> Section {
    let mut blocks = vec![Block::Paragraph(verdict(f))];
    let mut fields = vec![
        field("Queries", vec![text(f.queries.to_string())]),
        field("Query classes", vec![text(f.fingerprints.to_string())]),
        field("Total Query_time", vec![text(secs(f.query_time_total_s))]),
        field("Total Lock_time", vec![text(secs(f.lock_time_total_s))]),
        field("Rows examined", vec![text(count_opt(f.rows_examined_total))]),
        field("Rows sent", vec![text(count_opt(f.rows_sent_total))]),
    ];
    if f.events > f.queries {
        fields.insert(
            1,
            field(
                "Events without Query_time",
                vec![text((f.events - f.queries).to_string())],
            ),
        );
    }
    if let (Some(first), Some(last)) = (&f.first_time, &f.last_time) {
        let mut value = vec![code(first.clone()), text(" to "), code(last.clone())];
        if let Some(s) = f.span_s {
            value.push(text(format!(" ({})", span(s))));
        }
        fields.push(field("Time span", value));
    }
    if f.server_starts_total > 0 {
        fields.push(field("Server starts", vec![text(f.server_starts_total.to_string())]));
    }
    blocks.push(Block::Fields(fields));
    blocks.push(Block::Paragraph(vec![text(
        "A query is a logged event with a Query_time, as pt-query-digest counts them; an \
         event whose header has no Query_time line is counted in its class only. \
         Queries are grouped by pt-query-digest's fingerprint: literals become ?, IN and \
         VALUES lists (?+), case and spacing are normalised, so a class is one statement \
         shape. The class ID is pt-query-digest's (the MD5 of the fingerprint), to match \
         its report. Totals are sums over every event of the file; the time span runs from \
         the earliest to the latest # Time: line. Server start banners are not events.",
    )]));
    Section {
        anchor: "summary",
        heading: "Summary".to_string(),
        blocks,
    }
}

fn verdict(f: &SlowLog) -> Vec<Inline> {
    if f.events == 0 {
        return vec![text(
            "No slow-log events: the file has no event header (# Query_time: …, # User@Host: …) \
             followed by a query.",
        )];
    }
    // Text without a single Query_time is not a slow log (a GC log, an application log):
    // say so rather than rank its lines as a query class taking 0 % of 0 s.
    if f.queries == 0 {
        return vec![text(format!(
            "No slow query: no event of this file has a # Query_time: line, so it does not \
             look like a slow-query log ({} read as query text without one).",
            counted(f.events, "event", "events")
        ))];
    }
    let mut out = vec![strong(format!(
        "{} in {}",
        counted(f.queries, "query", "queries"),
        counted(f.fingerprints, "class", "classes")
    ))];
    match (&f.first_time, &f.last_time, f.span_s) {
        (Some(first), Some(last), Some(s)) => out.push(text(format!(
            " between {first} and {last} ({}), {} of Query_time in all.",
            span(s),
            secs(f.query_time_total_s)
        ))),
        _ => out.push(text(format!(
            ", {} of Query_time in all (the log has no # Time: lines).",
            secs(f.query_time_total_s)
        ))),
    }
    if let Some(top) = f.classes.first() {
        out.push(text(format!(" Class 1 takes {} of it: ", pct(top.time_share_pct))));
        out.push(code(cut_chars(&top.fingerprint, MAX_FINGERPRINT_CHARS).into_owned()));
        out.push(text(format!(
            ", {}, {} on average, {} at most",
            counted(top.count, "time", "times"),
            secs(top.query_time_avg_s),
            secs(top.query_time_max_s)
        )));
        match top.rows_examined_per_row_sent {
            Some(r) if r >= 100.0 => out.push(text(format!(
                ", reading {} rows for each row it returns.",
                ratio_opt(Some(r))
            ))),
            _ => out.push(text(".")),
        }
    }
    if f.events > f.queries {
        let missing = f.events - f.queries;
        out.push(text(format!(
            " {} no Query_time.",
            counted(missing, "event has", "events have")
        )));
    }
    if f.server_starts_total > 0 {
        let first_line = f.server_starts.first().map(|s| s.line).unwrap_or_default();
        out.push(text(format!(
            " The log has {} server start banner{} (a start or a log flush; the first at line \
             {first_line}).",
            f.server_starts_total,
            if f.server_starts_total == 1 { "" } else { "s" }
        )));
    }
    out
}

/// `1 query`, `2 queries`.
fn counted(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn classes(f: &SlowLog) -> Section {
    let header = [
        "#",
        "Fingerprint",
        "Count",
        "Time share",
        "Total",
        "Avg",
        "p95",
        "Max",
        "Lock",
        "Rows examined",
        "Examined/sent",
        "Databases",
        "ID",
    ];
    let numeric = [
        true, false, true, true, true, true, true, true, true, true, true, false, false,
    ];
    let rows = f.classes.iter().map(class_row).collect();
    let mut blocks = vec![Block::Table(table(&header, &numeric, rows))];
    if f.classes_left_out > 0 {
        blocks.push(Block::Paragraph(vec![text(format!(
            "{} more classes are not listed (raise --top to see them); the totals above \
             include them.",
            f.classes_left_out
        ))]));
    }
    blocks.push(Block::Paragraph(vec![text(
        "Per class: Count = events; Time share = the class's total Query_time as a share of \
         the log's; Total, Avg (total / queries), p95 and Max are Query_time; p95 is read \
         off 5 %-wide log-scale buckets as pt-query-digest does, as the lower edge of \
         the bucket that holds it (for fewer than 10 queries, the maximum's bucket; the \
         maximum itself for 1 or 2 or when all are equal); Lock = total Lock_time; Rows examined = total Rows_examined (– when the \
         log has none); Examined/sent = rows examined per row sent; Databases = from use \
         or Schema: (first 8).",
    )]));
    Section {
        anchor: "classes",
        heading: "Query classes by total Query_time".to_string(),
        blocks,
    }
}

fn class_row(c: &QueryClass) -> Vec<Cell> {
    let databases = if c.databases.is_empty() {
        MISSING.to_string()
    } else {
        c.databases.join(", ")
    };
    vec![
        Cell::text(c.rank.to_string()),
        Cell::code(cut_chars(&c.fingerprint, MAX_FINGERPRINT_CHARS).into_owned()),
        Cell::text(c.count.to_string()),
        Cell::text(pct(c.time_share_pct)).with_bar(c.time_share_pct / 100.0),
        Cell::strong(secs(c.query_time_sum_s)),
        Cell::text(secs(c.query_time_avg_s)),
        Cell::text(secs(c.query_time_p95_s)),
        Cell::text(secs(c.query_time_max_s)),
        Cell::text(secs(c.lock_time_sum_s)),
        Cell::text(count_opt(c.rows_examined_sum)),
        Cell::text(ratio_opt(c.rows_examined_per_row_sent)),
        Cell::text(databases),
        Cell::code(c.checksum.clone()),
    ]
}

fn samples(f: &SlowLog) -> Section {
    let mut blocks = vec![Block::Paragraph(vec![text(
        "The slowest event of each class, as logged (secrets masked unless --no-redact).",
    )])];
    for c in &f.classes {
        let s = &c.sample;
        let mut caption = vec![
            strong(format!("#{}", c.rank)),
            text(" "),
            code(c.checksum.clone()),
            text(format!(" — line {}", s.line)),
        ];
        if let Some(qt) = s.query_time_s {
            caption.push(text(format!(", Query_time {}", secs(qt))));
        }
        if let Some(db) = &s.database {
            caption.push(text(", database "));
            caption.push(code(db.clone()));
        }
        if let Some(t) = &s.time {
            caption.push(text(format!(", at {t}")));
        }
        if !c.clients.is_empty() {
            caption.push(text(format!(", from {}", c.clients.join(", "))));
        }
        if s.truncated {
            caption.push(text(" (cut at 4 KiB)"));
        }
        blocks.push(Block::Code {
            caption,
            lines: s.query.lines().map(str::to_string).collect(),
        });
    }
    Section {
        anchor: "samples",
        heading: "Slowest query of each class".to_string(),
        blocks,
    }
}

fn server_starts(f: &SlowLog) -> Section {
    let rows = f
        .server_starts
        .iter()
        .map(|s| vec![Cell::text(s.line.to_string()), Cell::text(s.version.clone())])
        .collect();
    let mut blocks = vec![Block::Table(table(&["Line", "Version"], &[true, false], rows))];
    let listed = f.server_starts.len() as u64;
    if f.server_starts_total > listed {
        blocks.push(Block::Paragraph(vec![text(format!(
            "{} more banners are not listed.",
            f.server_starts_total - listed
        ))]));
    }
    blocks.push(Block::Paragraph(vec![text(
        "Each banner (mysqld, Version: … started with:) marks a server start or a log flush.",
    )]));
    Section {
        anchor: "server-starts",
        heading: "Server starts".to_string(),
        blocks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(inlines: &[Inline]) -> String {
        inlines
            .iter()
            .map(|i| match i {
                Inline::Text(s) | Inline::Code(s) | Inline::Strong(s) => s.clone(),
                Inline::Link { inner, .. } => words(inner),
            })
            .collect()
    }

    #[test]
    fn the_verdict_counts_in_the_singular_and_the_plural() {
        let one = SlowLog {
            queries: 1,
            events: 2,
            fingerprints: 1,
            ..SlowLog::default()
        };
        let said = words(&verdict(&one));
        assert!(said.starts_with("1 query in 1 class,"), "{said}");
        assert!(said.contains(" 1 event has no Query_time."), "{said}");
        let many = SlowLog {
            queries: 3,
            events: 5,
            fingerprints: 2,
            ..SlowLog::default()
        };
        let said = words(&verdict(&many));
        assert!(said.starts_with("3 queries in 2 classes,"), "{said}");
        assert!(said.contains(" 2 events have no Query_time."), "{said}");
    }
}
