//! Query fingerprints the way pt-query-digest makes them (Percona Toolkit's
//! `QueryRewriter::fingerprint`, default options), so a class here is a class there and
//! its checksum is pt-query-digest's query ID.
//!
//! The rules are pt-query-digest's, quirks included, because its report is what people
//! compare against: numbers are replaced wherever a digit, `+` or `-` starts a run of
//! `[0-9a-f.xb+-]` (so `db2.tuningdetail_21` becomes `d?tuningdetail_?_?`), `--`/`#`
//! comments end only at a line end, `ASC` is dropped after `ORDER BY` even as the prefix
//! of a longer word. Every pass works on bytes with ASCII-only classes and lower-casing,
//! as Perl does on the undecoded log, and each pass scans the text as it was before that
//! pass (Perl's `s///g`).

use std::borrow::Cow;
use std::sync::LazyLock;

use md5::{Digest, Md5};
use regex::bytes::Regex;

/// pt-query-digest's query ID: the MD5 of the fingerprint, upper-case hex.
pub fn checksum(fingerprint: &str) -> String {
    let digest = Md5::digest(fingerprint.as_bytes());
    digest.iter().map(|b| format!("{b:02X}")).collect()
}

/// The fingerprint of one query text (an event's `arg`).
pub fn fingerprint(query: &str) -> String {
    let q = query.as_bytes();
    let has = |needle: &[u8]| memchr::memmem::find(q, needle).is_some();
    // Special cases first, as pt-query-digest tries them, on the text as logged.
    if q.starts_with(b"SELECT /*!40001 SQL_NO_CACHE */ * FROM `") {
        return "mysqldump".to_string();
    }
    if has(b"/*") && TOOLKIT_COMMENT.is_match(q) {
        return "percona-toolkit".to_string();
    }
    if q.starts_with(b"administrator command: ") {
        return query.to_string();
    }
    let first_word = &q[q.iter().position(|&b| !is_space(b)).unwrap_or(q.len())..];
    let starts_with_word = |w: &[u8]| first_word.len() >= w.len() && first_word[..w.len()].eq_ignore_ascii_case(w);
    if starts_with_word(b"call") {
        if let Some(name) = CALL.captures(q).and_then(|c| c.get(1)) {
            return lossy(name.as_bytes().to_ascii_lowercase());
        }
    }
    // Only the first row of a multi-row INSERT/REPLACE matters (and the rest can be MBs).
    let first_row = (q.len() >= 6
        && (q[..6].eq_ignore_ascii_case(b"insert") || q[..6].eq_ignore_ascii_case(b"replac")))
    .then(|| MULTI_ROW_INSERT.captures(q).and_then(|c| c.get(1)))
    .flatten();
    let mut text: Vec<u8> = first_row.map_or(q, |m| m.as_bytes()).to_vec();
    if has(b"/*") {
        text = replace_all(&MULTI_LINE_COMMENT, text, b"");
    }
    if has(b"--") || has(b"#") {
        text = remove_one_line_comments(&text);
    }
    if let Some(used) = use_database(&text) {
        return lossy(used);
    }
    if text.contains(&b'\\') {
        text = remove_escapes(text);
    }
    if has(b"'") || has(b"\"") {
        text = replace_quoted_strings(text);
    }
    text = replace_words(&text, &[b"false", b"true"], true);
    text = replace_numbers(&text);
    text = clean_number_leftovers(&text);
    text = collapse_whitespace(&text);
    text.make_ascii_lowercase();
    text = replace_words(&text, &[b"null"], false);
    text = replace_all(&IN_OR_VALUES_LIST, text, b"$1(?+)");
    text = collapse_unions(&text);
    if let Cow::Owned(limited) = LIMIT.replacen(&text, 1, &b"limit ?"[..]) {
        text = limited;
    }
    text = drop_asc_after_order_by(text);
    lossy(text)
}

/// `re` replaced everywhere in `text`, without a copy when nothing matches.
fn replace_all(re: &Regex, text: Vec<u8>, replacement: &[u8]) -> Vec<u8> {
    match re.replace_all(&text, replacement) {
        Cow::Borrowed(_) => text,
        Cow::Owned(replaced) => replaced,
    }
}

/// Every pass cuts or replaces whole ASCII runs, so valid UTF-8 in stays valid out; the
/// lossy conversion is only a guard.
fn lossy(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Perl's `\s` on bytes.
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0B | 0x0C)
}

/// Perl's `\w` on bytes (no locale, no Unicode rules).
fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn regex(pattern: &str) -> Regex {
    Regex::new(pattern).expect("fingerprint patterns are valid")
}

/// pt-table-checksum and friends mark their queries `/*db.tbl:1/4*/`.
static TOOLKIT_COMMENT: LazyLock<Regex> = LazyLock::new(|| regex(r"(?-u)/\*\w+\.\w+:[0-9]/[0-9]\*/"));
/// A stored procedure call is named by the procedure alone.
static CALL: LazyLock<Regex> = LazyLock::new(|| regex(r"(?i-u)\A\s*(call\s+\S+)\("));
static MULTI_ROW_INSERT: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?is-u)\A((?:INSERT|REPLACE)(?: IGNORE)?\s+INTO.+?VALUES\s*\(.*?\))\s*,\s*\("));
/// `/* … */` but not the `/*!50000 … */` version comments, which stay in the text.
static MULTI_LINE_COMMENT: LazyLock<Regex> = LazyLock::new(|| regex(r"(?s-u)/\*[^!].*?\*/"));
static ESCAPED_SINGLE_QUOTE: LazyLock<Regex> = LazyLock::new(|| regex(r"(?s-u)([^\\])\\'"));
static ESCAPED_DOUBLE_QUOTE: LazyLock<Regex> = LazyLock::new(|| regex(r#"(?s-u)([^\\])\\""#));
static ESCAPED_BACKSLASH: LazyLock<Regex> = LazyLock::new(|| regex(r"(?s-u)\\\\"));
static DOUBLE_QUOTED: LazyLock<Regex> = LazyLock::new(|| regex(r#"(?s-u)([^\\])".*?[^\\]?""#));
static SINGLE_QUOTED: LazyLock<Regex> = LazyLock::new(|| regex(r"(?s-u)([^\\])'.*?[^\\]?'"));
static IN_OR_VALUES_LIST: LazyLock<Regex> = LazyLock::new(|| regex(r"(?-u)\b(in|values?)(?:[\s,]*\([\s?,]*\))+"));
static LIMIT: LazyLock<Regex> = LazyLock::new(|| regex(r"(?-u)\blimit \?(?:, ?\?| offset \?)?"));

/// `-- …` and `# …` up to the end of a line; a quote before the line end means it is
/// not taken as a comment from that start (pt-query-digest's crude but fast rule).
fn remove_one_line_comments(text: &[u8]) -> Vec<u8> {
    let n = text.len();
    let mut out = Vec::with_capacity(n);
    let mut i = 0;
    while i < n {
        let marker = if text[i] == b'#' {
            1
        } else if text[i] == b'-' && text.get(i + 1) == Some(&b'-') {
            2
        } else {
            0
        };
        if marker > 0 {
            let mut end = i + marker;
            while end < n && !matches!(text[end], b'\'' | b'"' | b'\r' | b'\n') {
                end += 1;
            }
            if end == n || matches!(text[end], b'\r' | b'\n') {
                i = end;
                continue;
            }
        }
        out.push(text[i]);
        i += 1;
    }
    out
}

/// `use db` (alone, one space, one word, optionally a final newline) becomes `use ?` and
/// ends fingerprinting; `None` for any other text.
fn use_database(text: &[u8]) -> Option<Vec<u8>> {
    if text.len() < 4 || !text[..3].eq_ignore_ascii_case(b"use") || text[3] != b' ' {
        return None;
    }
    let rest = &text[4..];
    let (name, newline) = match rest.strip_suffix(b"\n") {
        Some(name) => (name, true),
        None => (rest, false),
    };
    if name.is_empty() || name.iter().any(|&b| is_space(b)) {
        return None;
    }
    let mut out = b"use ?".to_vec();
    if newline {
        out.push(b'\n');
    }
    Some(out)
}

/// pt-query-digest's escape passes since PT-1900: an escaped quote after a character
/// other than a backslash is dropped, then every escaped backslash, inside strings or
/// not (also in a text without quotes).
fn remove_escapes(text: Vec<u8>) -> Vec<u8> {
    let text = replace_all(&ESCAPED_SINGLE_QUOTE, text, b"${1}");
    let text = replace_all(&ESCAPED_DOUBLE_QUOTE, text, b"${1}");
    replace_all(&ESCAPED_BACKSLASH, text, b"")
}

/// Quoted strings become `?`, with pt-query-digest's rules since PT-1900 (after
/// [`remove_escapes`]): a string needs a character other than a backslash before its
/// opening quote (that character stays), and ends at the next quote, or one further
/// when the closing quote follows the opening one and is doubled (`'''` is one string).
fn replace_quoted_strings(text: Vec<u8>) -> Vec<u8> {
    let text = replace_all(&DOUBLE_QUOTED, text, b"${1}?");
    replace_all(&SINGLE_QUOTED, text, b"${1}?")
}

/// Whole words (Perl `\b…\b`) from `words` become `?`.
fn replace_words(text: &[u8], words: &[&[u8]], ignore_case: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        let at_boundary = i == 0 || !is_word(text[i - 1]);
        if at_boundary && is_word(text[i]) {
            let found = words.iter().find(|w| {
                let end = i + w.len();
                end <= text.len()
                    && (text.get(end).is_none_or(|&b| !is_word(b)))
                    && if ignore_case {
                        text[i..end].eq_ignore_ascii_case(w)
                    } else {
                        &text[i..end] == **w
                    }
            });
            if let Some(w) = found {
                out.push(b'?');
                i += w.len();
                continue;
            }
        }
        out.push(text[i]);
        i += 1;
    }
    out
}

fn starts_number(b: u8) -> bool {
    b.is_ascii_digit() || b == b'+' || b == b'-'
}

fn continues_number(b: u8) -> bool {
    b.is_ascii_digit() || matches!(b, b'a'..=b'f' | b'.' | b'x' | b'+' | b'-')
}

/// Anything vaguely like a number, also inside identifiers: `[0-9+-][0-9a-f.xb+-]*`.
fn replace_numbers(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        if starts_number(text[i]) {
            i += 1;
            while i < text.len() && continues_number(text[i]) {
                i += 1;
            }
            out.push(b'?');
        } else {
            out.push(text[i]);
            i += 1;
        }
    }
    out
}

/// `x?`, `b?`, `.?`, `+?`, `-?` (leftovers of hex, bit and signed literals) become `?`.
fn clean_number_leftovers(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        if matches!(text[i], b'x' | b'b' | b'.' | b'+' | b'-') && text.get(i + 1) == Some(&b'?') {
            out.push(b'?');
            i += 2;
        } else {
            out.push(text[i]);
            i += 1;
        }
    }
    out
}

/// Leading whitespace off, one final newline off, then every run of space, newline, tab,
/// CR or form feed becomes one space (a trailing space can stay, as in pt-query-digest).
fn collapse_whitespace(text: &[u8]) -> Vec<u8> {
    let start = text.iter().position(|&b| !is_space(b)).unwrap_or(text.len());
    let mut body = &text[start..];
    if let Some(chomped) = body.strip_suffix(b"\n") {
        body = chomped;
    }
    let mut out = Vec::with_capacity(body.len());
    let mut in_run = false;
    for &b in body {
        if matches!(b, b' ' | b'\n' | b'\t' | b'\r' | 0x0C) {
            if !in_run {
                out.push(b' ');
            }
            in_run = true;
        } else {
            out.push(b);
            in_run = false;
        }
    }
    out
}

/// `select A union select A union all select A` becomes `select A /*repeat union all*/`:
/// pt-query-digest's `\b(select\s.*?)(?:(\sunion(?:\sall)?)\s\1)+`, written out because
/// of the back-reference. The shortest first part that repeats at least once wins.
fn collapse_unions(text: &[u8]) -> Vec<u8> {
    if memchr::memmem::find(text, b"union").is_none() {
        return text.to_vec();
    }
    let n = text.len();
    let mut out = Vec::with_capacity(n);
    let mut i = 0;
    while i < n {
        if let Some((end, first_len, last_union)) = union_run_at(text, i) {
            out.extend_from_slice(&text[i..i + first_len]);
            out.extend_from_slice(b" /*repeat");
            out.extend_from_slice(last_union);
            out.extend_from_slice(b"*/");
            i = end;
        } else {
            out.push(text[i]);
            i += 1;
        }
    }
    out
}

/// At `start`: the end of the repeated-UNION match, the length of its first part and the
/// last ` union[ all]` text, if the pattern matches there.
fn union_run_at(text: &[u8], start: usize) -> Option<(usize, usize, &[u8])> {
    let n = text.len();
    if !text[start..].starts_with(b"select")
        || (start > 0 && is_word(text[start - 1]))
        || !text.get(start + 6).is_some_and(|&b| is_space(b))
    {
        return None;
    }
    // `.` stops at a newline; the first part cannot cross one.
    let line_end = memchr::memchr(b'\n', &text[start..]).map_or(n, |p| start + p);
    let union_at = |at: usize| at + 6 <= n && is_space(text[at]) && &text[at + 1..at + 6] == b"union";
    let mut first_len = 7;
    while start + first_len <= line_end {
        let first = &text[start..start + first_len];
        let mut at = start + first_len;
        let mut last_union: Option<&[u8]> = None;
        while union_at(at) {
            let after_union = at + 6;
            let with_all = after_union + 4 <= n
                && is_space(text[after_union])
                && &text[after_union + 1..after_union + 4] == b"all";
            if with_all
                && text.get(after_union + 4).is_some_and(|&b| is_space(b))
                && text[after_union + 5..].starts_with(first)
            {
                last_union = Some(&text[at..after_union + 4]);
                at = after_union + 5 + first_len;
            } else if text.get(after_union).is_some_and(|&b| is_space(b)) && text[after_union + 1..].starts_with(first)
            {
                last_union = Some(&text[at..after_union]);
                at = after_union + 1 + first_len;
            } else {
                break;
            }
        }
        if let Some(last) = last_union {
            return Some((at, first_len, last));
        }
        // The next candidate length is where a ` union` follows.
        first_len += 1;
        while start + first_len <= line_end && !union_at(start + first_len) {
            first_len += 1;
        }
    }
    None
}

/// After the first `order by `, every whitespace run followed by `asc` (any case, even
/// as the start of a longer word) is removed: pt-query-digest's one forward pass of
/// `s/\G(.+?)\s+ASC/$1/gi`. The text has no newlines left at this point, so `.` is any
/// byte.
fn drop_asc_after_order_by(text: Vec<u8>) -> Vec<u8> {
    let Some(anchor) = find_order_by(&text) else {
        return text;
    };
    let n = text.len();
    let mut out = Vec::with_capacity(n);
    let mut from = anchor;
    out.extend_from_slice(&text[..from]);
    loop {
        // `.+?` takes at least one byte, so the whitespace starts after `from`.
        let mut k = from + 1;
        let mut found = None;
        while k < n {
            if !is_space(text[k]) {
                k += 1;
                continue;
            }
            let mut run_end = k;
            while run_end < n && is_space(text[run_end]) {
                run_end += 1;
            }
            if text.len() >= run_end + 3 && text[run_end..run_end + 3].eq_ignore_ascii_case(b"asc") {
                found = Some((k, run_end + 3));
                break;
            }
            // Any later start inside this run ends at the same place, and fails the same.
            k = run_end;
        }
        let Some((space_at, match_end)) = found else {
            break;
        };
        out.extend_from_slice(&text[from..space_at]);
        from = match_end;
    }
    out.extend_from_slice(&text[from..]);
    out
}

/// Where the text after the first `\bORDER BY ` (any case) starts.
fn find_order_by(text: &[u8]) -> Option<usize> {
    let needle = b"order by ";
    let mut i = 0;
    while i + needle.len() <= text.len() {
        if text[i..i + needle.len()].eq_ignore_ascii_case(needle) && (i == 0 || !is_word(text[i - 1])) {
            return Some(i + needle.len());
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fp(q: &str) -> String {
        fingerprint(q)
    }

    #[test]
    fn checksum_is_upper_case_md5_of_the_fingerprint() {
        assert_eq!(checksum("select col from foo_tbl"), "538CA093E701E0CBA20C29AF174CE545");
    }

    #[test]
    fn literals_become_placeholders_and_case_and_space_are_normalised() {
        assert_eq!(
            fp("SELECT name, password FROM user WHERE id='12823'"),
            "select name, password from user where id=?"
        );
        assert_eq!(fp("select  * from\nfoo where a = 5"), "select * from foo where a = ?");
        assert_eq!(
            fp("select 0x0, x'123', 0b1010, b'10101' from foo"),
            "select ?, ?, ?, ? from foo"
        );
        assert_eq!(
            fp("SELECT * FROM t WHERE a = -1.5e+3 AND b = NULL"),
            "select * from t where a = ? and b = ?"
        );
        assert_eq!(
            fp("select a from t where b = TRUE or c = false"),
            "select a from t where b = ? or c = ?"
        );
        assert_eq!(fp("select \"x\\\"y\" from t"), "select ? from t");
    }

    #[test]
    fn quoted_strings_follow_pt_query_digest_since_pt_1900() {
        // A doubled quote ends the string; the rest needs its own opening quote after
        // a character that is not the closing one.
        assert_eq!(fp("SELECT 'it''s' FROM t"), "select ?'s' from t");
        // phpMyAdmin's grantee test keeps the user name, so each user is a class.
        assert_eq!(
            fp("SELECT 1 FROM t WHERE '''root''@''%''' LIKE `GRANTEE`"),
            "select ? from t where ?root?@?%? like `grantee`"
        );
        // An escaped backslash before the closing quote does not escape it.
        assert_eq!(
            fp(r"SELECT * FROM t WHERE a = 'x\\' AND b = 1"),
            "select * from t where a = ? and b = ?"
        );
        // A string at the very start has no character before it and stays.
        assert_eq!(fp("'a' = 1"), "'a' = ?");
    }

    #[test]
    fn escaped_backslashes_go_also_in_text_without_quotes() {
        // pt-query-digest drops every `\\` whether or not the text has a string in it.
        assert_eq!(fp(r"select a\\b from t where c = 1"), "select ab from t where c = ?");
        assert_eq!(fp(r"select a\\b from t where c = '1'"), "select ab from t where c = ?");
    }

    #[test]
    fn numbers_inside_identifiers_are_replaced_too() {
        // pt-query-digest's default (no --match-embedded-numbers).
        assert_eq!(
            fp("update db2.tuningdetail_21_265507 n set x=1"),
            "update d?tuningdetail_?_? n set x=?"
        );
        assert_eq!(
            fp("UPDATE db4.vab3concept1upload SET vab3concept1id = '9' WHERE vab3concept1upload='6'"),
            "update d?va?oncept?upload set va?oncept?id = ? where va?oncept?upload=?"
        );
        assert_eq!(
            fp("select o2.customer_id from orders o2"),
            "select o?ustomer_id from orders o?"
        );
    }

    #[test]
    fn special_statements_have_fixed_fingerprints() {
        assert_eq!(fp("SELECT /*!40001 SQL_NO_CACHE */ * FROM `orders`"), "mysqldump");
        assert_eq!(
            fp("REPLACE /*foo.bar:3/3*/ INTO checksum.checksum VALUES (1)"),
            "percona-toolkit"
        );
        assert_eq!(fp("administrator command: Quit"), "administrator command: Quit");
        assert_eq!(fp("CALL Proc_Name(1, 'a')"), "call proc_name");
        assert_eq!(fp("use Sakila"), "use ?");
        assert_eq!(fp("USE `db`"), "use ?");
        // Not a bare `use`: fingerprinted as text.
        assert_eq!(fp("use db; select 1"), "use db; select ?");
    }

    #[test]
    fn lists_collapse() {
        assert_eq!(
            fp("select * from foo where a in (5) and b in (5, 8,9 ,9 , 10)"),
            "select * from foo where a in(?+) and b in(?+)"
        );
        assert_eq!(fp("INSERT INTO tbl VALUES ('a', 'b')"), "insert into tbl values(?+)");
        assert_eq!(fp("INSERT INTO foo VALUES (NULL, 3)"), "insert into foo values(?+)");
        // Only the first row of a multi-row INSERT is looked at.
        assert_eq!(
            fp("INSERT INTO t (a,b) VALUES (1,'x'),(2,'y'),(3,'z')"),
            "insert into t (a,b) values(?+)"
        );
        assert_eq!(
            fp("replace ignore into t values (1),(2)"),
            "replace ignore into t values(?+)"
        );
        // A sub-select is not a list of literals.
        assert_eq!(
            fp("select a from t where b in (select c from d where e = 1)"),
            "select a from t where b in (select c from d where e = ?)"
        );
    }

    #[test]
    fn comments_are_removed_but_version_comments_stay() {
        assert_eq!(
            fp("select /* hint */ a from t -- trailing\n where b = 1"),
            "select a from t where b = ?"
        );
        assert_eq!(fp("select a # note\nfrom t"), "select a from t");
        assert_eq!(
            fp("select /*!40001 SQL_NO_CACHE */ a from t"),
            "select /*!? sql_no_cache */ a from t"
        );
        // A quote between the marker and the line end: not a comment from there.
        assert_eq!(fp("select a from t where b = '#x'"), "select a from t where b = ?");
    }

    #[test]
    fn unions_of_the_same_select_collapse() {
        assert_eq!(
            fp("select a from t where b = 1 union select a from t where b = 2 union all select a from t where b = 3"),
            "select a from t where b = ? /*repeat union all*/"
        );
        assert_eq!(
            fp("select a from t union select b from u"),
            "select a from t union select b from u"
        );
    }

    #[test]
    fn limit_and_order_by_asc_are_normalised() {
        assert_eq!(fp("SELECT * FROM t LIMIT 10"), "select * from t limit ?");
        assert_eq!(fp("SELECT * FROM t LIMIT 0, 1000"), "select * from t limit ?");
        assert_eq!(fp("SELECT * FROM t LIMIT 25 OFFSET 100"), "select * from t limit ?");
        assert_eq!(
            fp("SELECT * FROM estate ORDER BY rent ASC, id ASC LIMIT 20"),
            "select * from estate order by rent, id limit ?"
        );
        assert_eq!(
            fp("select * from t order by a desc, b asc"),
            "select * from t order by a desc, b"
        );
        // The quirk: `asc` as the start of a longer word after ORDER BY goes too.
        assert_eq!(
            fp("select * from t order by a, ascii_col"),
            "select * from t order by a,ii_col"
        );
        // Before ORDER BY nothing is dropped.
        assert_eq!(
            fp("select asc_col from t order by a"),
            "select asc_col from t order by a"
        );
    }

    #[test]
    fn trailing_whitespace_but_one_newline_is_kept() {
        assert_eq!(fp("  SELECT 1\n"), "select ?");
        assert_eq!(fp("SELECT 1 \n\n"), "select ? ");
        assert_eq!(fp("select c from t where a = 1;"), "select c from t where a = ?;");
    }

    #[test]
    fn multibyte_text_survives() {
        assert_eq!(
            fp("SELECT * FROM estate WHERE features LIKE CONCAT('%', '楽器相談可', '%')"),
            "select * from estate where features like concat(?, ?, ?)"
        );
        assert_eq!(fp("SELECT `列1` FROM `表`"), "select `列?` from `表`");
    }
}
