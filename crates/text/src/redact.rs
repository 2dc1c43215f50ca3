//! Secrets and personal data masked with a typed mark: `password=<secret:password>`,
//! `Bearer <secret:token>`, `<secret:jwt>`, `<secret:aws-key>`, `<secret:card>`,
//! `<secret:email>`, `<secret:phone>`, `postgres://app:<secret:password>@db`. The mark
//! keeps the kind, so a reader still sees what was there, and two messages that differ
//! only in a secret still read the same.
//!
//! Cost: `parse` masks every record, so text without a secret must cost almost nothing.
//! One Aho–Corasick pass finds the words and prefixes a secret needs nearby
//! (`password`, `token`, `bearer`, `eyJ`, `AKIA`, `://` + `@`, `phone`, …) and a byte scan
//! the digit shapes; only the pattern families so triggered run their regular
//! expression. A match is then checked where a pattern alone would be too loose (card
//! numbers: issuer prefix, length and Luhn checksum; phone numbers: a `+country` prefix,
//! a `(415) 555-0100`-style shape, or a word such as `phone`/`sms`/`手机` just before).
//! Plain numbers, ids, timestamps and versions are left alone. Word boundaries are ASCII
//! (`(?-u:\b)`): Unicode ones would make the DFA give up on CJK text.

use std::borrow::Cow;
use std::sync::OnceLock;

use aho_corasick::AhoCorasick;
use regex::{Captures, Regex};

/// Keys whose value is a secret in `key=value` / `key: value` (ASCII case ignored; also
/// as the end of a longer key: `client_secret`, `X-Auth`), by their last letter, so that
/// a separator is compared with the few keys that can end before it. `authorization`
/// also starts the `Authorization: Basic …` pattern.
fn secret_keys_ending_in(last: u8) -> &'static [&'static str] {
    match last.to_ascii_lowercase() {
        b'd' => &["password", "passwd", "pwd", "session_id", "session-id", "sessionid"],
        b't' => &["secret"],
        b'n' => &["token", "authorization"],
        b'y' => &[
            "api_key",
            "api-key",
            "apikey",
            "access_key",
            "access-key",
            "accesskey",
            "private_key",
            "private-key",
            "privatekey",
        ],
        b'l' => &["credential"],
        b's' => &["credentials"],
        b'h' => &["auth"],
        b'e' => &["cookie"],
        _ => &[],
    }
}

/// Whether a secret key ends right before a `:` or `=` of `bytes` (an optional quote and
/// spaces between them), and whether one of them is `authorization`. Looks only around
/// the separators (found with memchr), not at every byte.
fn secret_key_before_separator(bytes: &[u8]) -> (bool, bool) {
    let (mut key, mut authorization) = (false, false);
    for at in memchr::memchr2_iter(b':', b'=', bytes) {
        let mut end = at;
        while end > 0 && bytes[end - 1] == b' ' {
            end -= 1;
        }
        if end > 0 && matches!(bytes[end - 1], b'"' | b'\'') {
            end -= 1;
        }
        let Some(&last) = end.checked_sub(1).and_then(|i| bytes.get(i)) else {
            continue;
        };
        let before = &bytes[end.saturating_sub(13)..end];
        for k in secret_keys_ending_in(last) {
            if before.len() >= k.len() && before[before.len() - k.len()..].eq_ignore_ascii_case(k.as_bytes()) {
                key = true;
                authorization |= *k == "authorization";
            }
        }
    }
    (key, authorization)
}

/// A pattern compiled on first use. Every pattern has a cheap necessary condition
/// checked first (an `@`, a key word, enough digits), so most texts need only a few of
/// them; compiling all of them took longer than mining a small file (20M instructions
/// against 2M for a one-line file).
struct Lazy {
    pattern: &'static str,
    regex: OnceLock<Regex>,
}

impl Lazy {
    const fn new(pattern: &'static str) -> Lazy {
        Lazy {
            pattern,
            regex: OnceLock::new(),
        }
    }

    fn get(&self) -> &Regex {
        // The patterns are constants checked by the tests; an error here is a build defect.
        self.regex
            .get_or_init(|| Regex::new(self.pattern).expect("redaction pattern compiles"))
    }
}

struct Patterns {
    url: Lazy,
    jwt: Lazy,
    pem: Lazy,
    auth: Lazy,
    key: Lazy,
    cloud: Lazy,
    email: Lazy,
    context: Lazy,
    phone: Lazy,
    sql: Lazy,
}

/// A set of literals searched in one pass, built on first use. Aho–Corasick rather than
/// a regex alternation: the same SIMD scan, but built in tens of microseconds where the
/// regex took 0.3 ms, paid by every run that masks anything (`templates` redacts the
/// templates of even a small file).
struct LiteralSet {
    words: &'static [&'static str],
    ascii_case_insensitive: bool,
    automaton: OnceLock<AhoCorasick>,
}

impl LiteralSet {
    const fn new(words: &'static [&'static str], ascii_case_insensitive: bool) -> LiteralSet {
        LiteralSet {
            words,
            ascii_case_insensitive,
            automaton: OnceLock::new(),
        }
    }

    fn is_match(&self, text: &str) -> bool {
        self.automaton
            .get_or_init(|| {
                // Constant words checked by the tests; an error here is a build defect.
                AhoCorasick::builder()
                    .ascii_case_insensitive(self.ascii_case_insensitive)
                    .build(self.words)
                    .expect("redaction literals build")
            })
            .is_match(text)
    }
}

/// The literal starts of the JWT, PEM and cloud-key patterns, in one set: one scan
/// where there would be three.
static SECRET_LITERALS: LiteralSet = LiteralSet::new(
    &[
        "eyJ",
        "-----BEGIN",
        "AKIA",
        "ASIA",
        "AGPA",
        "AIDA",
        "AROA",
        "ANPA",
        "ANVA",
        "AIPA",
        "AIza",
        "ghp_",
        "gho_",
        "ghu_",
        "ghs_",
        "ghr_",
        "github_pat_",
        "xoxa-",
        "xoxb-",
        "xoxp-",
        "xoxr-",
        "xoxs-",
        "sk_live_",
        "rk_live_",
        "sk_test_",
        "rk_test_",
    ],
    false,
);

/// The words of the phone context pattern (`context` below), alone.
static PHONE_WORDS: LiteralSet = LiteralSet::new(
    &[
        "phone", "mobile", "tel", "sms", "msisdn", "cell", "手机", "电话", "号码",
    ],
    true,
);

/// The SQL words before a password literal (`IDENTIFIED BY '…'`, `PASSWORD('…')`), in
/// any case.
static SQL_PASSWORD_WORDS: LiteralSet = LiteralSet::new(&["identified", "password("], true);

/// `Bearer ` in either common case.
fn bearer_finders() -> &'static [memchr::memmem::Finder<'static>; 2] {
    static F: OnceLock<[memchr::memmem::Finder<'static>; 2]> = OnceLock::new();
    F.get_or_init(|| {
        [
            memchr::memmem::Finder::new("earer "),
            memchr::memmem::Finder::new("EARER "),
        ]
    })
}

fn patterns() -> &'static Patterns {
    static P: Patterns = Patterns {
        // scheme://user:password@host — the user stays, the password goes.
        url: Lazy::new(r#"(?-u:\b)[A-Za-z][A-Za-z0-9+.-]{1,20}://[^/\s:@'"<>]*:([^/\s@'"<>]+)@"#),
        jwt: Lazy::new(r"(?-u:\b)eyJ[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]{6,}(?:\.[A-Za-z0-9_-]+)?"),
        pem: Lazy::new(r"-----BEGIN[A-Z ]{0,20}PRIVATE KEY-----"),
        auth: Lazy::new(
            r#"(?i:(?-u:\b)authorization["']?\s*[:=]\s*["']?(?:(?:basic|bearer|digest|negotiate|token)\s+)?|(?-u:\b)bearer\s+)([A-Za-z0-9._~+/=-]{6,})"#,
        ),
        key: Lazy::new(
            r#"(?i:password|passwd|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|credentials?|auth|session[_-]?id|cookie)["']?\s*[:=]\s*["']?([^\s"',;&{}\])]+)"#,
        ),
        cloud: Lazy::new(concat!(
            r"(?-u:\b)(?:(?P<aws>(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}(?-u:\b))",
            r"|(?P<gcp>AIza[0-9A-Za-z_-]{35})",
            r"|(?P<github>gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{50,})",
            r"|(?P<slack>xox[abprs]-[A-Za-z0-9-]{10,})",
            r"|(?P<stripe>[sr]k_(?:live|test)_[A-Za-z0-9]{16,}))",
        )),
        email: Lazy::new(
            r"(?-u:\b)[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?-u:\b)",
        ),
        context: Lazy::new(
            r"((?:(?i:(?-u:\b)(?:phone|mobile|tel|sms|msisdn|cell)(?:[_-]?(?:no|num|number))?s?)(?-u:\b)|手机|电话|号码)[^0-9\n]{0,16}?)(\+?\d[\d -]{5,16}\d)(?-u:\b)",
        ),
        // MySQL account statements and the old PASSWORD() function: the quoted literal is
        // the password (`CREATE USER … IDENTIFIED WITH caching_sha2_password BY '…'`).
        sql: Lazy::new(
            r#"(?i:(?-u:\b)(?:identified(?:\s+with\s+['"`]?[A-Za-z0-9_]+['"`]?)?\s+(?:by|as)(?:\s+password)?|password\s*\()\s*)(?:'([^']*)'|"([^"]*)")"#,
        ),
        phone: Lazy::new(
            r"\+\d{1,3}[ -]?(?:\(\d{1,4}\)[ -]?)?\d{2,4}(?:[ -]?\d{2,4}){1,4}(?-u:\b)|\(\d{3}\) ?\d{3}-\d{4}(?-u:\b)|(?-u:\b)\d{3}-\d{3}-\d{4}(?-u:\b)",
        ),
    };
    &P
}

/// Replaces the matches of `re` in `text` for which `f` gives a replacement; `f` also
/// sees the text before the match.
fn apply(text: &mut Cow<'_, str>, re: &Regex, mut f: impl FnMut(&Captures<'_>, &str, &str) -> Option<String>) {
    // The DFA alone first: a search with captures allocates and is slower.
    if !re.is_match(text) {
        return;
    }
    let mut changed = false;
    let replaced = re.replace_all(text, |caps: &Captures<'_>| {
        let whole = caps.get(0).map_or("", |m| m.as_str());
        let before = caps.get(0).map_or("", |m| &text[..m.start()]);
        let after = caps.get(0).map_or("", |m| &text[m.end()..]);
        match f(caps, before, after) {
            Some(r) => {
                changed = true;
                r
            }
            None => whole.to_string(),
        }
    });
    if changed {
        let replaced = replaced.into_owned();
        *text = Cow::Owned(replaced);
    }
}

/// `text` with secrets replaced by typed marks; borrowed when there is nothing to mask.
/// Idempotent: marks and miner placeholders (`<*>`, `<num>`) are never masked again.
pub fn redact(text: &str) -> Cow<'_, str> {
    let p = patterns();
    if text.len() < 5 {
        return Cow::Borrowed(text);
    }
    let bytes = text.as_bytes();
    // Cheap necessary conditions first (SIMD searches), so the common text without a
    // secret costs a few passes of memchr and no regular expression.
    let at = memchr::memchr(b'@', bytes).is_some();
    let (key, authorization) = secret_key_before_separator(bytes);
    let bearer = bearer_finders().iter().any(|f| f.find(bytes).is_some());
    let digits = bytes.iter().filter(|b| b.is_ascii_digit()).count();
    let phone_shape = digits >= 8
        && memchr::memchr3_iter(b'+', b'(', b'-', bytes).any(|i| {
            bytes.get(i + 1).is_some_and(u8::is_ascii_digit)
                && (bytes[i] != b'-' || i > 0 && bytes[i - 1].is_ascii_digit())
        });
    let phone_context = digits >= 7 && PHONE_WORDS.is_match(text);
    let literals = SECRET_LITERALS.is_match(text);
    let card_shape = digits >= 13 && card_spans(bytes).next().is_some();
    let sql_password = SQL_PASSWORD_WORDS.is_match(text);
    let mut out: Cow<'_, str> = Cow::Borrowed(text);
    if sql_password {
        apply(&mut out, p.sql.get(), |caps, _, _| {
            let whole = caps.get(0)?;
            let value = caps.get(1).or_else(|| caps.get(2))?;
            if is_mark(value.as_str()) || value.as_str().is_empty() {
                return None;
            }
            let (from, to) = (value.start() - whole.start(), value.end() - whole.start());
            let text = whole.as_str();
            Some(format!("{}{}{}", &text[..from], mark("password"), &text[to..]))
        });
    }
    if at {
        apply(&mut out, p.url.get(), |caps, _, _| {
            let (whole, pw) = (caps.get(0)?, caps.get(1)?);
            if is_mark(pw.as_str()) {
                return None;
            }
            let prefix = &whole.as_str()[..pw.start() - whole.start()];
            Some(format!("{prefix}{}@", mark("password")))
        });
    }
    if authorization || bearer {
        apply(&mut out, p.auth.get(), |caps, _, _| {
            let (whole, value) = (caps.get(0)?, caps.get(1)?);
            // The scheme word itself, once its credentials are masked.
            let scheme = ["basic", "bearer", "digest", "negotiate", "token"];
            if scheme.iter().any(|w| value.as_str().eq_ignore_ascii_case(w)) {
                return None;
            }
            let prefix = &whole.as_str()[..value.start() - whole.start()];
            let kind = if value.as_str().starts_with("eyJ") {
                "jwt"
            } else if prefix.to_ascii_lowercase().contains("basic") {
                "basic-auth"
            } else {
                "token"
            };
            Some(format!("{prefix}{}", mark(kind)))
        });
    }

    if literals {
        apply(&mut out, p.jwt.get(), |_, _, _| Some(mark("jwt")));
        apply(&mut out, p.pem.get(), |_, _, _| Some(mark("private-key")));
    }
    if key {
        apply(&mut out, p.key.get(), |caps, before, after| {
            let (whole, value) = (caps.get(0)?, caps.get(1)?);
            // `secret:` inside an earlier mark (`<secret:jwt>`) is not a key.
            if before.ends_with('<') || is_mark(value.as_str()) || is_placeholder(value.as_str()) {
                return None;
            }
            let prefix = &whole.as_str()[..value.start() - whole.start()];
            // A key word inside a longer lowercase word is not that key (`wtoken`); a
            // camelCase or separated one is (`accessToken`, `client_secret`). `password`
            // is distinctive enough anywhere (`dbpassword`).
            let first = prefix.chars().next().unwrap_or(' ');
            let prev = before.chars().next_back().unwrap_or(' ');
            if prev.is_ascii_lowercase()
                && first.is_ascii_lowercase()
                && !prefix.to_ascii_lowercase().starts_with("pass")
            {
                return None;
            }
            // An object dump (`token=Token{a64f992 …}`), not a value.
            if after.starts_with('{') {
                return None;
            }
            // Short words are keys before `=` or as quoted keys (`"token": …`), but
            // before a bare `:` they are usually prose or a name (`auth: login failed`,
            // ZooKeeper's `sessionid: 0x14ede…`, an id, not a web session secret).
            let word_end = prefix.find(['"', '\'', ':', '=', ' ', '\t']).unwrap_or(prefix.len());
            let word = prefix[..word_end].to_ascii_lowercase();
            let quoted = prefix[word_end..].starts_with(['"', '\'']);
            let ambiguous = [
                "auth",
                "token",
                "secret",
                "pwd",
                "cookie",
                "sessionid",
                "session_id",
                "session-id",
            ]
            .iter()
            .any(|w| word.ends_with(w));
            if ambiguous && !quoted && !prefix.contains('=') {
                return None;
            }
            Some(format!("{prefix}{}", mark(key_kind(prefix))))
        });
    }
    if literals {
        apply(&mut out, p.cloud.get(), |caps, _, _| {
            let kind = [
                ("aws", "aws-key"),
                ("gcp", "gcp-key"),
                ("github", "github-token"),
                ("slack", "slack-token"),
                ("stripe", "stripe-key"),
            ]
            .iter()
            .find(|(group, _)| caps.name(group).is_some())
            .map_or("key", |(_, kind)| *kind);
            Some(mark(kind))
        });
    }
    if at {
        apply(&mut out, p.email.get(), |_, _, _| Some(mark("email")));
    }
    if phone_context {
        apply(&mut out, p.context.get(), |caps, _, _| {
            let (prefix, number) = (caps.get(1)?, caps.get(2)?);
            let digits = number.as_str().bytes().filter(u8::is_ascii_digit).count();
            (7..=15)
                .contains(&digits)
                .then(|| format!("{}{}", prefix.as_str(), mark("phone")))
        });
    }
    if phone_shape {
        apply(&mut out, p.phone.get(), |caps, _, _| {
            let digits = caps.get(0)?.as_str().bytes().filter(u8::is_ascii_digit).count();
            (8..=15).contains(&digits).then(|| mark("phone"))
        });
    }
    if card_shape {
        let masked = mask_cards(&out);
        if let Some(masked) = masked {
            out = Cow::Owned(masked);
        }
    }
    out
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Runs of digit groups (single spaces or dashes between them) of 13 digits or more, as
/// `(start, end)` byte ranges, standing alone: after a space, a quote, `=`, `:` or an
/// opening bracket, and not followed by a word character, `.`, `-` or `/` (so not part of
/// `blk_-6952295868487656571`, a version, a path or a decimal).
fn card_spans(bytes: &[u8]) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() {
            let after_ok = |b: u8| b.is_ascii_whitespace() || b"=\"':([{,;>".contains(&b);
            if !bytes[i].is_ascii_digit() || (i > 0 && !after_ok(bytes[i - 1])) {
                i += 1;
                continue;
            }
            let start = i;
            let mut end = i;
            let mut digits = 0;
            let mut j = i;
            while j < bytes.len() {
                if bytes[j].is_ascii_digit() {
                    digits += 1;
                    j += 1;
                    end = j;
                } else if matches!(bytes[j], b' ' | b'-') && bytes.get(j + 1).is_some_and(u8::is_ascii_digit) {
                    j += 1;
                } else {
                    break;
                }
            }
            i = end.max(start + 1);
            let alone = bytes
                .get(end)
                .is_none_or(|b| !is_word(*b) && !matches!(b, b'.' | b'-' | b'/'));
            if digits >= 13 && alone {
                return Some((start, end));
            }
        }
        None
    })
}

/// `text` with card numbers masked (`None` when it holds none). Within a run of digit
/// groups, the longest stretch of whole groups that is a card number wins.
fn mask_cards(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = String::new();
    let mut copied = 0;
    for (start, end) in card_spans(bytes) {
        // Group boundaries: a card may be a stretch of whole groups inside the run.
        let mut bounds = vec![start];
        for (k, b) in bytes[start..end].iter().enumerate() {
            if matches!(b, b' ' | b'-') {
                bounds.push(start + k + 1);
            }
        }
        let ends: Vec<usize> = bounds[1..].iter().map(|b| b - 1).chain([end]).collect();
        let found = bounds.iter().find_map(|&from| {
            ends.iter()
                .rev()
                .filter(|&&to| to > from)
                .find(|&&to| card_grouping(&text[from..to]) && is_card(&text[from..to]))
                .map(|&to| (from, to))
        });
        if let Some((from, to)) = found {
            out.push_str(&text[copied..from]);
            out.push_str(&mark("card"));
            copied = to;
        }
    }
    (copied > 0).then(|| {
        out.push_str(&text[copied..]);
        out
    })
}

/// A `name` / `value` pair shown apart (a JSON field, a dominant parameter, a field of
/// a spike's explanation): the whole value is masked when the name says it is a secret
/// ([`secret_name`]: `password` / `hunter2` → `<secret:password>`), else the secrets
/// inside it are.
pub fn redact_pair<'a>(name: &str, value: &'a str) -> Cow<'a, str> {
    match secret_name(name) {
        Some(kind) if !value.is_empty() && !is_mark(value) => Cow::Owned(mark(kind)),
        _ => redact(value),
    }
}

/// The kind of secret a field name announces: its letters and digits (case and
/// separators ignored) end with `password`, `token`, `apikey`, `secret`, … — so
/// `db_password`, `X-Api-Key`, `refreshToken` are secrets and `token_count`,
/// `password_expired` are not.
pub fn secret_name(name: &str) -> Option<&'static str> {
    const NAMES: [(&str, &str); 17] = [
        ("password", "password"),
        ("passwd", "password"),
        ("pwd", "password"),
        ("passphrase", "password"),
        ("token", "token"),
        ("jwt", "jwt"),
        ("auth", "token"),
        ("authorization", "token"),
        ("apikey", "key"),
        ("accesskey", "key"),
        ("privatekey", "key"),
        ("secret", "secret"),
        ("credential", "secret"),
        ("credentials", "secret"),
        ("cookie", "cookie"),
        ("sessionid", "session"),
        ("sessid", "session"),
    ];
    // Compared from the end, letters and digits only, without building a string: this
    // runs for every field of every record of `parse`.
    let ends_with = |suffix: &str| {
        let mut squeezed = name
            .bytes()
            .rev()
            .filter(u8::is_ascii_alphanumeric)
            .map(|b| b.to_ascii_lowercase());
        suffix.bytes().rev().all(|s| squeezed.next() == Some(s))
    };
    NAMES
        .iter()
        .find(|(suffix, _)| ends_with(suffix))
        .map(|(_, kind)| *kind)
}

/// A miner placeholder or an earlier mark (`<*>`, `<num>`, `<secret:jwt>`): not a secret.
/// A SQL bind parameter or a fingerprint's literal (`password=?`, `in(?+)`): no value to
/// hide.
fn is_placeholder(value: &str) -> bool {
    value.starts_with('?') && value.bytes().all(|b| matches!(b, b'?' | b'+' | b'(' | b')'))
}

fn is_mark(value: &str) -> bool {
    value.len() >= 3
        && value.starts_with('<')
        && value.ends_with('>')
        && value[1..value.len() - 1]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'*' | b'#' | b':' | b'-' | b'_'))
}

fn mark(kind: &str) -> String {
    format!("<secret:{kind}>")
}

/// What a `key=value` secret is, from its key.
fn key_kind(key: &str) -> &'static str {
    let key = key.to_ascii_lowercase();
    if key.contains("pass") || key.contains("pwd") {
        "password"
    } else if key.contains("token") || key.starts_with("auth") {
        "token"
    } else if key.contains("key") {
        "key"
    } else if key.contains("session") {
        "session"
    } else if key.contains("cookie") {
        "cookie"
    } else {
        "secret"
    }
}

/// How cards are written: all digits together, or groups of four (the last one shorter),
/// or Amex/Diners 4-6-5 / 4-6-4, with one kind of separator. Not `5015 150454 240`.
fn card_grouping(text: &str) -> bool {
    let separators: Vec<char> = text.chars().filter(|c| !c.is_ascii_digit()).collect();
    if separators.is_empty() {
        return true;
    }
    if separators.iter().any(|c| *c != separators[0]) {
        return false;
    }
    let groups: Vec<usize> = text.split(separators[0]).map(str::len).collect();
    let (last, most) = groups.split_last().unwrap_or((&0, &[]));
    most.iter().all(|g| *g == 4) && (1..=4).contains(last) || groups == [4, 6, 5] || groups == [4, 6, 4]
}

/// A payment card number: 13–19 digits (single spaces or dashes between groups), an
/// issuer prefix in use (Visa, Mastercard, Amex, Diners, Discover, JCB, UnionPay,
/// Maestro) and a valid Luhn checksum. Ids and timestamps rarely pass all three
/// (epoch milli- and nanoseconds start with 1, which no issuer uses).
fn is_card(text: &str) -> bool {
    let digits: Vec<u8> = text.bytes().filter(u8::is_ascii_digit).map(|b| b - b'0').collect();
    let n = digits.len();
    if !(13..=19).contains(&n) {
        return false;
    }
    let prefix = |k: usize| digits[..k].iter().fold(0u32, |acc, d| acc * 10 + u32::from(*d));
    let issuer = match digits[0] {
        4 => matches!(n, 13 | 16 | 19),
        3 => match prefix(2) {
            34 | 37 => n == 15,
            36 | 38 | 39 => (14..=19).contains(&n),
            30 => prefix(3) <= 305 && (14..=19).contains(&n),
            35 => (3528..=3589).contains(&prefix(4)) && (16..=19).contains(&n),
            _ => false,
        },
        5 => (51..=55).contains(&prefix(2)) && n == 16 || matches!(prefix(2), 50 | 56..=59) && n >= 13,
        2 => (2221..=2720).contains(&prefix(4)) && n == 16,
        6 => n >= 16 || matches!(prefix(2), 60 | 63 | 67) && n >= 13,
        _ => false,
    };
    issuer && luhn(&digits)
}

fn luhn(digits: &[u8]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 {
                    doubled - 9
                } else {
                    doubled
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_masked_with_their_kind() {
        let cases = [
            (
                "login ok user=bob password=hunter2 from 10.0.0.1",
                "login ok user=bob password=<secret:password> from 10.0.0.1",
            ),
            (r#"{"token":"abc123def"}"#, r#"{"token":"<secret:token>"}"#),
            (
                "Authorization: Bearer abcdefghijklmnop",
                "Authorization: Bearer <secret:token>",
            ),
            (
                "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N",
                "Authorization: Bearer <secret:jwt>",
            ),
            ("key id AKIAIOSFODNN7EXAMPLE used", "key id <secret:aws-key> used"),
            ("mail to jane.doe@example.com failed", "mail to <secret:email> failed"),
            ("sms to 13812345678 failed", "sms to <secret:phone> failed"),
            ("call +1 415 555 0100 now", "call <secret:phone> now"),
            ("call (415) 555-0100 now", "call <secret:phone> now"),
            ("手机号13812345678已绑定", "手机号<secret:phone>已绑定"),
            ("paid with 4111 1111 1111 1111 ok", "paid with <secret:card> ok"),
            ("card=5500-0000-0000-0004", "card=<secret:card>"),
            ("accessToken=abc123def", "accessToken=<secret:token>"),
            ("dbpassword=hunter2", "dbpassword=<secret:password>"),
            ("amex 378282246310005", "amex <secret:card>"),
            (
                "connect postgres://app:s3cr3t@db.internal:5432/orders",
                "connect postgres://app:<secret:password>@db.internal:5432/orders",
            ),
            ("redis://:pw123@cache:6379", "redis://:<secret:password>@cache:6379"),
            ("GET /reset?token=abc123&x=1", "GET /reset?token=<secret:token>&x=1"),
            (
                "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG",
                "aws_secret_access_key = <secret:key>",
            ),
            ("-----BEGIN RSA PRIVATE KEY-----", "<secret:private-key>"),
            ("ghp_abcdefghijklmnopqrstuvwxyz0123456789", "<secret:github-token>"),
            // A bind parameter or a fingerprint's literal is no secret (regression: slow-log
            // fingerprints read `password=<secret:password>`).
            (
                "update users set password=? where id=?",
                "update users set password=? where id=?",
            ),
            // MySQL account statements in slow logs (regression: printed in clear).
            (
                "ALTER USER 'app'@'%' IDENTIFIED BY 'Secr3t-Passw0rd!'",
                "ALTER USER 'app'@'%' IDENTIFIED BY '<secret:password>'",
            ),
            (
                "create user x identified with caching_sha2_password by \"pw 1\"",
                "create user x identified with caching_sha2_password by \"<secret:password>\"",
            ),
            (
                "SET PASSWORD FOR bob = PASSWORD('old-pw')",
                "SET PASSWORD FOR bob = PASSWORD('<secret:password>')",
            ),
            (
                "CHANGE MASTER TO MASTER_USER='repl', MASTER_PASSWORD='r3pl'",
                "CHANGE MASTER TO MASTER_USER='repl', MASTER_PASSWORD='<secret:password>'",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(redact(input), want, "{input}");
        }
    }

    #[test]
    fn ordinary_text_is_untouched() {
        for s in [
            "order 123456789012 took 850 ms; id=42 range=30d",
            "ts=1731422251123 ns=1731422251123456789 pid 13812 seq 4111111111111112",
            "epoch 1700000000000 request 17314222511234567",
            "2024-11-12T14:37:31+08:00 build 1.2.3-456 port 8080 ip 10.0.0.1",
            "uuid 123e4567-e89b-12d3-a456-426614174000 took 12.5 s",
            "java.lang.Object@6d06d69c and com.foo.Bar@1a2b3c",
            "user 42 telemetry 1234567 tokens=5 passed=3 auth_method=password",
            "numbers 100 200 300 4000 and 555-0100 and 2024-11-12",
            "svc: auth: \"login failed\" token: expired secret: none",
            "app wtoken = AppWindowToken{9f4ef63 token=Token{a64f992 ActivityRecord{de9231d u0}}}",
            "Processed session termination for sessionid: 0x14ede63a5a70002",
            "PacketResponder 0 for block blk_-6952295868487656571 terminating",
            "REPORT : 7024 5015 150454 240 and channels 1 2 3 4 5 6 7 8 9 10 11 12 13 36 40",
            "template password=<*> token: <num> url <secret:jwt>",
            "数据库连接失败 timeout after 3000 ms",
        ] {
            assert!(matches!(redact(s), Cow::Borrowed(_)), "{s} -> {}", redact(s));
        }
    }

    #[test]
    fn luhn_and_issuer_decide_cards() {
        assert!(is_card("4111111111111111"));
        assert!(!is_card("4111111111111112"), "Luhn");
        assert!(!is_card("1234567812345670"), "no issuer starts with 1");
        assert!(is_card("6011 1111 1111 1117"));
    }

    #[test]
    fn masking_is_idempotent_and_pairs_are_masked() {
        let once = redact("password=hunter2 Authorization: Bearer abcdefghijk 4111111111111111 a@b.io +1 415 555 0100")
            .into_owned();
        assert!(matches!(redact(&once), Cow::Borrowed(_)), "{once}");
        assert_eq!(redact_pair("password", "hunter2"), "<secret:password>");
        assert_eq!(redact_pair("user", "jane@example.com"), "<secret:email>");
        assert_eq!(redact_pair("range_days", "30"), "30");
        assert_eq!(redact_pair("X-Api-Key", "k-123"), "<secret:key>");
        assert_eq!(redact_pair("refreshToken", "abc"), "<secret:token>");
        assert_eq!(redact_pair("token_count", "5"), "5");
        assert_eq!(redact_pair("password_expired", "true"), "true");
        assert_eq!(redact_pair("password", "<*>"), "<*>");
    }
}
