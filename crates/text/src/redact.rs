//! Secrets and personal data masked with a typed mark: `password=<secret:password>`,
//! `Bearer <secret:token>`, `<secret:jwt>`, `<secret:aws-key>`, `<secret:card>`,
//! `<secret:email>`, `<secret:phone>`, `postgres://app:<secret:password>@db`. The mark
//! keeps the kind, so a reader still sees what was there, and two messages that differ
//! only in a secret still read the same.
//!
//! All patterns are one regular expression, so text without a secret costs one pass of
//! its lazy DFA; a match is then checked where a pattern alone would be too loose
//! (card numbers: issuer prefix, length and Luhn checksum; phone numbers: a `+country`
//! prefix, a `(415) 555-0100`-style shape, or a word such as `phone`/`sms`/`手机` just
//! before). Plain numbers, ids, timestamps and versions are left alone. Word boundaries
//! are ASCII (`(?-u:\b)`): Unicode ones would make the DFA give up on CJK text.

use std::borrow::Cow;
use std::sync::OnceLock;

use regex::{Captures, Regex};

const PATTERN: &str = r#"(?x)
  # scheme://user:password@host — the user stays, the password goes.
  (?P<url>(?-u:\b)[A-Za-z][A-Za-z0-9+.-]{1,20}://[^/\s:@'"<>]*:)(?P<urlpw>[^/\s@'"<>]+)@
| (?P<jwt>(?-u:\b)eyJ[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]{6,}(?:\.[A-Za-z0-9_-]+)?)
| (?P<pem>-----BEGIN[A-Z\ ]{0,20}PRIVATE\ KEY-----)
| (?P<auth>(?i:(?-u:\b)authorization["']?\s*[:=]\s*["']?(?:(?:basic|bearer|digest|negotiate|token)\s+)?|(?-u:\b)bearer\s+))(?P<authv>[A-Za-z0-9._~+/=-]{6,})
| (?P<key>(?i:password|passwd|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|credentials?|auth|session[_-]?id|cookie)["']?\s*[:=]\s*["']?)(?P<keyv>[^\s"',;&}\]\)]+)
| (?P<aws>(?-u:\b)(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}(?-u:\b))
| (?P<gcp>(?-u:\b)AIza[0-9A-Za-z_-]{35})
| (?P<github>(?-u:\b)(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{50,}))
| (?P<slack>(?-u:\b)xox[abprs]-[A-Za-z0-9-]{10,})
| (?P<stripe>(?-u:\b)[sr]k_(?:live|test)_[A-Za-z0-9]{16,})
| (?P<email>(?-u:\b)[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?-u:\b))
| (?P<ctx>(?:(?i:(?-u:\b)(?:phone|mobile|tel|sms|msisdn|cell)(?:[_-]?(?:no|num|number))?s?)(?-u:\b)|手机|电话|号码)[^0-9\n]{0,16}?)(?P<ctxnum>\+?\d[\d\ -]{5,16}\d)(?-u:\b)
| (?P<phone>\+\d{1,3}[\ -]?(?:\(\d{1,4}\)[\ -]?)?\d{2,4}(?:[\ -]?\d{2,4}){1,4}(?-u:\b)|\(\d{3}\)\ ?\d{3}-\d{4}(?-u:\b)|(?-u:\b)\d{3}-\d{3}-\d{4}(?-u:\b))
| (?P<card>(?-u:\b)\d(?:[\ -]?\d){12,18}(?-u:\b))
"#;

fn pattern() -> &'static Regex {
    static P: OnceLock<Regex> = OnceLock::new();
    // The pattern is a constant checked by the tests; an error here is a build defect.
    P.get_or_init(|| Regex::new(PATTERN).expect("redaction pattern compiles"))
}

/// `text` with secrets replaced by typed marks; borrowed when there is nothing to mask.
/// Idempotent: marks and miner placeholders (`<*>`, `<num>`) are never masked again.
pub fn redact(text: &str) -> Cow<'_, str> {
    let re = pattern();
    if !re.is_match(text) {
        return Cow::Borrowed(text);
    }
    let mut changed = false;
    let out = re.replace_all(text, |caps: &Captures<'_>| {
        let (start, whole) = caps.get(0).map_or((0, ""), |m| (m.start(), m.as_str()));
        // `secret:` inside an earlier mark (`<secret:jwt>`) is not a key.
        if text[..start].ends_with('<') {
            return whole.to_string();
        }
        match replacement(caps) {
            Some(r) => {
                changed = true;
                r
            }
            None => whole.to_string(),
        }
    });
    if changed {
        Cow::Owned(out.into_owned())
    } else {
        Cow::Borrowed(text)
    }
}

/// A `name` / `value` pair shown apart (a dominant parameter, a field of a spike's
/// explanation): the value is masked when `name=value` would be, or when it is a
/// secret on its own (`password` / `hunter2` → `<secret:password>`).
pub fn redact_pair<'a>(name: &str, value: &'a str) -> Cow<'a, str> {
    let joined = format!("{name}={value}");
    if let Cow::Owned(masked) = redact(&joined) {
        if let Some(v) = masked.strip_prefix(&format!("{name}=")) {
            if v != value {
                return Cow::Owned(v.to_string());
            }
        }
    }
    redact(value)
}

/// A miner placeholder or an earlier mark (`<*>`, `<num>`, `<secret:jwt>`): not a secret.
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

/// The replacement for one match, `None` to keep it (a check failed).
fn replacement(caps: &Captures<'_>) -> Option<String> {
    let get = |name: &str| caps.name(name).map(|m| m.as_str());
    if let (Some(prefix), Some(pw)) = (get("url"), get("urlpw")) {
        return (!is_mark(pw)).then(|| format!("{prefix}{}@", mark("password")));
    }
    if get("jwt").is_some() {
        return Some(mark("jwt"));
    }
    if get("pem").is_some() {
        return Some(mark("private-key"));
    }
    if let (Some(prefix), Some(value)) = (get("auth"), get("authv")) {
        let kind = if value.starts_with("eyJ") {
            "jwt"
        } else if prefix.to_ascii_lowercase().contains("basic") {
            "basic-auth"
        } else {
            "token"
        };
        return Some(format!("{prefix}{}", mark(kind)));
    }
    if let (Some(prefix), Some(value)) = (get("key"), get("keyv")) {
        if is_mark(value) {
            return None;
        }
        return Some(format!("{prefix}{}", mark(key_kind(prefix))));
    }
    for (group, kind) in [
        ("aws", "aws-key"),
        ("gcp", "gcp-key"),
        ("github", "github-token"),
        ("slack", "slack-token"),
        ("stripe", "stripe-key"),
        ("email", "email"),
    ] {
        if get(group).is_some() {
            return Some(mark(kind));
        }
    }
    if let (Some(prefix), Some(number)) = (get("ctx"), get("ctxnum")) {
        let digits = number.bytes().filter(u8::is_ascii_digit).count();
        return (7..=15).contains(&digits).then(|| format!("{prefix}{}", mark("phone")));
    }
    if let Some(phone) = get("phone") {
        let digits = phone.bytes().filter(u8::is_ascii_digit).count();
        return (8..=15).contains(&digits).then(|| mark("phone"));
    }
    if let Some(card) = get("card") {
        return is_card(card).then(|| mark("card"));
    }
    None
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
    sum % 10 == 0
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
            ("Authorization: Bearer abcdefghijklmnop", "Authorization: Bearer <secret:token>"),
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
            ("amex 378282246310005", "amex <secret:card>"),
            (
                "connect postgres://app:s3cr3t@db.internal:5432/orders",
                "connect postgres://app:<secret:password>@db.internal:5432/orders",
            ),
            ("redis://:pw123@cache:6379", "redis://:<secret:password>@cache:6379"),
            ("GET /reset?token=abc123&x=1", "GET /reset?token=<secret:token>&x=1"),
            ("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG", "aws_secret_access_key = <secret:key>"),
            ("-----BEGIN RSA PRIVATE KEY-----", "<secret:private-key>"),
            ("ghp_abcdefghijklmnopqrstuvwxyz0123456789", "<secret:github-token>"),
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
        let once = redact("password=hunter2 Bearer abcdefghijk 4111111111111111").into_owned();
        assert!(matches!(redact(&once), Cow::Borrowed(_)), "{once}");
        assert_eq!(redact_pair("password", "hunter2"), "<secret:password>");
        assert_eq!(redact_pair("user", "jane@example.com"), "<secret:email>");
        assert_eq!(redact_pair("range_days", "30"), "30");
    }
}
