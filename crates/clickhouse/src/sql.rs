//! The SQL Triage sends: quoting, the message-shape expression (the masker's token
//! classes compiled to `replaceRegexpAll`), and the push-down queries.
//!
//! Only functions present in 18.16 *and* current releases are used (no
//! `toStartOfInterval`, no query parameters, no `Map` unless the table has one).

use crate::schema::Schema;

/// A quoted identifier: `` `name` `` with backquotes and backslashes escaped.
pub fn ident(name: &str) -> String {
    format!("`{}`", name.replace('\\', "\\\\").replace('`', "\\`"))
}

/// A quoted string literal.
pub fn literal(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        match c {
            '\'' => out.push_str("\\'"),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\0' => out.push_str("\\0"),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// The token classes of the SQL shape, in the order they apply, with what replaces
/// them. They follow the classes of `triage_mine::mask` without its context rules, and
/// lean to the finer side where the masker tells tokens apart by their digits: a word
/// of digits is a number whatever its length; a single digit inside a word stays (the
/// masker keeps `SOCKS5` or `x-1` as words but masks `node-246`); six or more hex
/// characters are one class (`0158bb`, a hash). Equal SQL shapes then nearly always
/// mean one Rust shape (each SQL group is masked locally by the real masker); where
/// they do not, [`crate::source`] sees it in the samples of the group and says so
/// (`shape_conflicts`). The same regexes run in Rust in [`rust_shape`], so tests
/// measure the bound on real logs without a server.
pub const SHAPE_RULES: [(&str, &str); 5] = [
    (
        "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
        "<uuid>",
    ),
    ("0[xX][0-9a-fA-F]+", "<hex>"),
    ("\\b[0-9]+\\b", "0"),
    ("\\b[0-9a-fA-F]{6,}\\b", "<hx>"),
    ("[0-9]{2,}", "00"),
];

/// The SQL shape of `msg_expr`.
pub fn shape_expr(msg_expr: &str) -> String {
    rules_expr(msg_expr, &SHAPE_RULES)
}

/// A finer key inside one SQL shape, where the masker's classes differ: single digits
/// apart from longer runs (`sw-1-5` stays a word, `sw-12-3` is an `<id>`), digits with
/// a unit letter (`12345d` is a duration), hex-letter words without digits (`facade`
/// stays a word, `90aa47e8` is `<hex>`). One sample is fetched per variant, so
/// template induction sees the variants files show it (it needs three at a position).
pub const VARIANT_RULES: [(&str, &str); 8] = [
    SHAPE_RULES[0],
    SHAPE_RULES[1],
    ("\\b[0-9]\\b", "1"),
    ("\\b[0-9]{2,}\\b", "0"),
    ("\\b[0-9]+[bdkgmshBDKGMSH]\\b", "<u>"),
    ("\\b[a-fA-F]{6,}\\b", "<hw>"),
    ("\\b[0-9a-fA-F]{6,}\\b", "<hx>"),
    ("[0-9]{2,}", "00"),
];

fn rules_expr(msg_expr: &str, rules: &[(&str, &str)]) -> String {
    let mut e = msg_expr.to_string();
    for (re, to) in rules {
        e = format!("replaceRegexpAll({e}, {}, {})", literal(re), literal(to));
    }
    e
}

/// The SQL shape computed in Rust with the same regexes (RE2 and the `regex` crate
/// agree on these: no look-around, no backreferences), for tests and the bound check.
pub fn rust_shape(msg: &str) -> String {
    use std::sync::OnceLock;
    static RES: OnceLock<Vec<(regex::Regex, &'static str)>> = OnceLock::new();
    let res = RES.get_or_init(|| {
        SHAPE_RULES
            .iter()
            .map(|(re, to)| (regex::Regex::new(re).expect("shape regex"), *to))
            .collect()
    });
    let mut s = msg.to_string();
    for (re, to) in res {
        s = re.replace_all(&s, *to).into_owned();
    }
    s
}

/// Longest sample text fetched per shape (characters): enough for the masker, which
/// reads the first line and the exception and top frame of a trace.
pub const SAMPLE_CHARS: usize = 4096;

/// The span whose rows come back per second; rows outside it come back per hour (they
/// only count towards totals and templates there). Unix seconds, `[from, to)`.
#[derive(Debug, Clone, Copy)]
pub struct FineSpan {
    pub from: i64,
    pub to: i64,
}

/// `SELECT count, min, max, untimed` over the whole table.
pub fn range_query(s: &Schema, table: &str) -> String {
    let t = s.ts_seconds();
    format!(
        "SELECT count() AS n, min({t}) AS lo, max({t}) AS hi, countIf({t} = 0) AS untimed FROM {table} WHERE {t} > 0 OR {t} = 0 FORMAT TSV"
    )
}

/// Records per minute over the whole table (change blame gates on the traffic between a
/// change and the onset, per minute; the counts query is per hour there). Reads only
/// the time column.
pub fn minutes_query(s: &Schema, table: &str) -> String {
    let t = s.ts_seconds();
    format!(
        "SELECT intDiv(t, 60) AS m, count() AS n FROM (SELECT {t} AS t FROM {table}) WHERE t > 0 GROUP BY m FORMAT TSV"
    )
}

/// Distinct samples fetched per SQL shape besides the latest: enough for template
/// induction to see a position vary (it needs 3 variants) where the SQL shape merged
/// tokens the masker leaves as words (`sw-1-5`, `0d7eff2f.pdf`).
pub const SAMPLES: usize = 8;

/// Per SQL shape: its count, first and last second, the latest message and one sample
/// per variant ([`VARIANT_RULES`]), at most [`SAMPLES`].
pub fn shapes_query(s: &Schema, table: &str, limit: usize) -> String {
    let t = s.ts_seconds();
    let m = &s.msg;
    let shape = shape_expr("m");
    let variant = rules_expr("m", &VARIANT_RULES);
    format!(
        "SELECT h, sum(n0) AS n, min(first0) AS first, max(last0) AS last, argMax(latest0, last0) AS latest, \
         arrayFilter(x -> x != latest, groupArray({SAMPLES})(sample0)) AS samples FROM (\
         SELECT h, v, count() AS n0, min(t) AS first0, max(t) AS last0, argMax(m, t) AS latest0, any(m) AS sample0 \
         FROM (SELECT cityHash64({shape}) AS h, cityHash64({variant}) AS v, t, m \
         FROM (SELECT {t} AS t, substringUTF8({m}, 1, {SAMPLE_CHARS}) AS m FROM {table})) GROUP BY h, v) \
         GROUP BY h ORDER BY n DESC LIMIT {limit} FORMAT JSONEachRow"
    )
}

/// Counts per (second, level, service, host, module, SQL shape) inside `fine`, per hour
/// outside it. TSV: the most compact text format every version has.
pub fn rows_query(s: &Schema, table: &str, fine: &[FineSpan], limit: usize) -> String {
    let t = s.ts_seconds();
    let shape = shape_expr(&format!("substringUTF8({}, 1, {SAMPLE_CHARS})", s.msg));
    // Spans sorted and merged; outside them a row goes to the start of its hour, but
    // never back into a span: not before the end of the span it follows.
    let mut spans: Vec<(i64, i64)> = fine.iter().map(|f| (f.from, f.to)).collect();
    spans.sort_unstable();
    let mut merged: Vec<(i64, i64)> = Vec::new();
    for (a, b) in spans {
        match merged.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => merged.push((a, b)),
        }
    }
    let hour = "intDiv(t, 3600) * 3600";
    let mut g = String::from("multiIf(");
    for (a, b) in &merged {
        g.push_str(&format!("t >= {a} AND t < {b}, t, "));
    }
    for (_, b) in merged.iter().rev() {
        g.push_str(&format!("t >= {b}, greatest({b}, {hour}), "));
    }
    g.push_str(hour);
    g.push(')');
    format!(
        "SELECT g, lvl, svc, hst, mdl, h, count() AS n FROM (\
         SELECT {g} AS g, {lvl} AS lvl, {svc} AS svc, \
         {hst} AS hst, {mdl} AS mdl, cityHash64({shape}) AS h FROM (SELECT {t} AS t, * FROM {table})) \
         GROUP BY g, lvl, svc, hst, mdl, h LIMIT {limit} FORMAT TSV",
        lvl = s.level,
        svc = s.service,
        hst = s.host,
        mdl = s.module,
    )
}

/// Undoes TSV escaping (`\t`, `\n`, `\\` …) of one field.
pub fn tsv_unescape(field: &str) -> String {
    if !field.contains('\\') {
        return field.to_string();
    }
    let mut out = String::with_capacity(field.len());
    let mut chars = field.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('0') => out.push('\0'),
            Some('b') => out.push('\x08'),
            Some('f') => out.push('\x0c'),
            Some(o) => out.push(o),
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_cannot_be_escaped() {
        assert_eq!(ident("a`b"), "`a\\`b`");
        assert_eq!(literal("it's \\ \n"), "'it\\'s \\\\ \\n'");
    }

    #[test]
    fn the_rust_mirror_masks_like_the_sql() {
        assert_eq!(
            rust_shape("req 3f2a9c1e-1b2c-4d5e-8f90-1234567890ab took 12ms from 10.0.0.7:8080 id=0x1F"),
            "req <uuid> took 00ms from 0.0.0.0:0 id=<hex>"
        );
        assert_eq!(
            rust_shape("blk_-1608999687919862906 node-246 a7c2e1 148391 x-1 SOCKS5"),
            "blk_-0 node-0 <hx> 0 x-0 SOCKS5"
        );
        assert_eq!(rust_shape("user alice logged in"), "user alice logged in");
    }

    #[test]
    fn tsv_fields_round_trip() {
        assert_eq!(tsv_unescape("a\\tb\\nc\\\\d"), "a\tb\nc\\d");
        assert_eq!(tsv_unescape("plain"), "plain");
    }
}
