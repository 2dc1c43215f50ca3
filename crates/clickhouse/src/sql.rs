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

/// Compiled rules: the Rust mirror of [`rules_expr`].
type CompiledRules = std::sync::OnceLock<Vec<(regex::Regex, &'static str)>>;

/// `msg` with each rule's replacement applied in order, as [`rules_expr`] does in SQL.
fn apply_rules(rules: &'static [(&'static str, &'static str)], compiled: &'static CompiledRules, msg: &str) -> String {
    let res = compiled.get_or_init(|| {
        rules
            .iter()
            // The rules are constants compiled by the tests; an error here is a build defect.
            .map(|(re, to)| (regex::Regex::new(re).expect("shape rule compiles"), *to))
            .collect()
    });
    let mut s = msg.to_string();
    for (re, to) in res {
        s = re.replace_all(&s, *to).into_owned();
    }
    s
}

/// The SQL shape computed in Rust with the same regexes (RE2 and the `regex` crate
/// agree on these: no look-around, no backreferences), for tests and the bound check.
pub fn rust_shape(msg: &str) -> String {
    static COMPILED: CompiledRules = CompiledRules::new();
    apply_rules(&SHAPE_RULES, &COMPILED, msg)
}

/// The variant key ([`VARIANT_RULES`]) computed in Rust, for tests.
pub fn rust_variant(msg: &str) -> String {
    static COMPILED: CompiledRules = CompiledRules::new();
    apply_rules(&VARIANT_RULES, &COMPILED, msg)
}

/// Longest sample text fetched per shape (characters): enough for the masker, which
/// reads the first line and the exception and top frame of a trace.
pub const SAMPLE_CHARS: usize = 4096;

/// A span whose rows come back per second; rows outside the spans come back per gap (they
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

/// Records per minute from `from` (Unix seconds) on: change blame gates on the traffic
/// between a change and the onset, per minute, and the count groups are per gap there.
/// Reads only the time column.
pub fn minutes_query(s: &Schema, table: &str, from: i64) -> String {
    let t = s.ts_seconds();
    format!(
        "SELECT intDiv(t, 60) AS m, count() AS n FROM (SELECT {t} AS t FROM {table}) WHERE t > 0 AND t >= {from} GROUP BY m FORMAT TSV"
    )
}

/// Distinct samples fetched per SQL shape besides the latest: enough for template
/// induction to see a position vary (it needs 3 variants) where the SQL shape merged
/// tokens the masker leaves as words (`sw-1-5`, `0d7eff2f.pdf`).
pub const SAMPLES: usize = 8;

/// Spans sorted and merged.
fn merged(fine: &[FineSpan]) -> Vec<(i64, i64)> {
    let mut spans: Vec<(i64, i64)> = fine.iter().map(|f| (f.from, f.to)).collect();
    spans.sort_unstable();
    let mut merged: Vec<(i64, i64)> = Vec::new();
    for (a, b) in spans {
        match merged.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => merged.push((a, b)),
        }
    }
    merged
}

/// How rows inside the fine spans group in time: per segment between two boundaries —
/// the multiples of the series bucket, the window start plus multiples of it (spike
/// spans start there), and `edges` (window and baseline ends) — each group with its
/// first and last second. Everything the analysis reads at a finer grain than a bucket
/// is a first or last time (onsets, first errors), so a group of `n` records stands
/// for `n - 1` at its first second and one at its last. Seconds.
#[derive(Debug, Clone)]
pub struct Grid {
    pub bucket: i64,
    pub offset: i64,
    pub edges: Vec<i64>,
}

impl Grid {
    /// The segment start of second `t` (the Rust mirror of the SQL in [`time_key`]).
    pub fn segment(&self, t: i64) -> i64 {
        let b = self.bucket.max(1);
        let mut g = t.div_euclid(b) * b;
        g = g.max(self.offset + (t - self.offset).div_euclid(b) * b);
        for &e in &self.edges {
            if t >= e {
                g = g.max(e);
            }
        }
        g
    }
}

/// The time key of a row: its segment ([`Grid`]) inside the fine spans; outside them
/// one second per gap between spans (the gap's start, or the second before the first
/// span), so rows there group by level, service, host, module and shape only: they
/// count towards totals and templates, and the per-minute traffic comes from
/// [`minutes_query`]. 0 stays 0 (no time).
pub fn time_key(fine: &[FineSpan], grid: &Grid) -> String {
    let merged = merged(fine);
    let Some(first) = merged.first() else { return "t".into() };
    let b = grid.bucket.max(1);
    let o = grid.offset.rem_euclid(b);
    // `greatest` of two arguments only (18.16), nested.
    let mut seg = format!("greatest(intDiv(t, {b}) * {b}, {o} + intDiv(t - {o}, {b}) * {b})");
    for e in &grid.edges {
        seg = format!("greatest({seg}, if(t >= {e}, {e}, 0))");
    }
    let mut g = String::from("multiIf(t = 0, 0, ");
    for (a, b) in &merged {
        g.push_str(&format!("t >= {a} AND t < {b}, {seg}, "));
    }
    for (_, b) in merged.iter().rev() {
        g.push_str(&format!("t >= {b}, {b}, "));
    }
    g.push_str(&format!("{})", first.0 - 1));
    g
}

/// `t` inside one of the spans.
fn in_spans(fine: &[FineSpan]) -> String {
    let cond = merged(fine)
        .iter()
        .map(|(a, b)| format!("(t >= {a} AND t < {b})"))
        .collect::<Vec<_>>()
        .join(" OR ");
    if cond.is_empty() {
        "0".to_string()
    } else {
        cond
    }
}

/// One pass over every row: per SQL shape of a *family* with records inside `fine`
/// (the others are only counted, by [`dims_query`]) its count, first and last second,
/// latest message, and its count groups `(first, last, level, service, host, module, n)`
/// — per segment inside `fine`, per gap outside it ([`time_key`]). A family is the SQL
/// shapes with the same number of words and the same first word: induction merges
/// shapes of equal token count that differ in a position, mostly past the first word,
/// so a shape seen only outside the spans still comes with its sample when it is likely
/// to share a template with one inside them. A heuristic, not a guarantee: a variable
/// first word, or values the masker folds into one token (timestamps) so that word and
/// token counts differ, can leave such a shape out (README, the equality bound). The
/// shape expression runs once per row; at most `max_groups` groups per shape come back.
pub fn shapes_query(
    s: &Schema,
    table: &str,
    fine: &[FineSpan],
    grid: &Grid,
    limit: usize,
    max_groups: usize,
) -> String {
    let t = s.ts_seconds();
    let shape = shape_expr("m");
    let g = time_key(fine, grid);
    let ins = in_spans(fine);
    let latest_shape = shape_expr("latest");
    format!(
        "SELECT s.1 AS h, s.2 AS n, s.3 AS first, s.4 AS last, s.5 AS latest, s.6 AS groups FROM (\
         SELECT fam, groupArray(tuple(h, n, first, last, latest, groups)) AS shapes FROM (\
         SELECT h, sum(n0) AS n, min(f0) AS first, max(l0) AS last, argMax(m0, l0) AS latest, max(in0) AS insp, \
         cityHash64(length(splitByChar(' ', {latest_shape})), splitByChar(' ', {latest_shape})[1]) AS fam, \
         groupArray({max_groups})(tuple(f0, l0, lvl, svc, hst, mdl, n0)) AS groups FROM (\
         SELECT h, g, lvl, svc, hst, mdl, count() AS n0, min(t) AS f0, max(t) AS l0, argMax(m, t) AS m0, max(ins) AS in0 FROM (\
         SELECT cityHash64({shape}) AS h, {g} AS g, {ins} AS ins, t, m, lvl, svc, hst, mdl FROM (\
         SELECT {t} AS t, substringUTF8({m}, 1, {SAMPLE_CHARS}) AS m, {lvl} AS lvl, {svc} AS svc, {hst} AS hst, {mdl} AS mdl \
         FROM {table})) GROUP BY h, g, lvl, svc, hst, mdl) \
         GROUP BY h) GROUP BY fam HAVING max(insp) = 1) ARRAY JOIN shapes AS s \
         ORDER BY n DESC LIMIT {limit} FORMAT JSONEachRow",
        m = s.msg,
        lvl = s.level,
        svc = s.service,
        hst = s.host,
        mdl = s.module,
    )
}

/// Records per (level, service, host, module) over the whole table, without the shape
/// expression (a cheap scan): what the shapes answer leaves out are the records of
/// shapes that never occur in the window, series or baselines.
pub fn dims_query(s: &Schema, table: &str) -> String {
    format!(
        "SELECT {lvl} AS lvl, {svc} AS svc, {hst} AS hst, {mdl} AS mdl, count() AS n FROM {table} \
         GROUP BY lvl, svc, hst, mdl FORMAT JSONEachRow",
        lvl = s.level,
        svc = s.service,
        hst = s.host,
        mdl = s.module,
    )
}

/// Per SQL shape with records inside `fine`: one sample per variant ([`VARIANT_RULES`]),
/// at most [`SAMPLES`], from those records only (the rows outside are not read for it:
/// induction sees the variants of what the analysis looks at, and the answer stays
/// small where a table holds months of other shapes).
pub fn variants_query(s: &Schema, table: &str, fine: &[FineSpan]) -> String {
    let t = s.ts_seconds();
    let shape = shape_expr("m");
    let variant = rules_expr("m", &VARIANT_RULES);
    let cond = in_spans(fine);
    format!(
        "SELECT h, groupArray({SAMPLES})(s) AS samples FROM (\
         SELECT h, v, any(m) AS s FROM (SELECT cityHash64({shape}) AS h, cityHash64({variant}) AS v, m FROM (\
         SELECT t, m FROM (SELECT {t} AS t, substringUTF8({msg}, 1, {SAMPLE_CHARS}) AS m FROM {table}) WHERE {cond})) \
         GROUP BY h, v) GROUP BY h FORMAT JSONEachRow",
        msg = s.msg,
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
    fn grid_segments_cut_at_buckets_the_window_grid_and_edges() {
        // 15 s buckets (…, 1005, 1020, …), the window start's grid (offset 7: …, 997,
        // 1012, 1027, …), the window starting at 1007 and a baseline ending at 1100.
        let g = Grid {
            bucket: 15,
            offset: 7,
            edges: vec![1007, 1100],
        };
        assert_eq!(g.segment(1005), 1005);
        assert_eq!(g.segment(1006), 1005);
        assert_eq!(g.segment(1007), 1007);
        assert_eq!(g.segment(1011), 1007);
        assert_eq!(g.segment(1012), 1012);
        assert_eq!(g.segment(1019), 1012);
        assert_eq!(g.segment(1020), 1020);
        assert_eq!(g.segment(1027), 1027);
        assert_eq!(g.segment(1101), 1100);
        let sql = time_key(&[FineSpan { from: 900, to: 1200 }], &g);
        assert!(
            sql.contains("if(t >= 1100, 1100, 0)") && sql.contains("7 + intDiv(t - 7, 15) * 15"),
            "{sql}"
        );
    }

    #[test]
    fn tsv_fields_round_trip() {
        assert_eq!(tsv_unescape("a\\tb\\nc\\\\d"), "a\tb\nc\\d");
        assert_eq!(tsv_unescape("plain"), "plain");
    }
}
