//! Masks secrets in text that goes into a report: passwords and tokens after their key,
//! bearer tokens, JWTs, cloud keys, e-mail addresses and phone numbers. Reports are
//! pasted into chats and tickets; a sample must never leak a credential.

use std::borrow::Cow;
use std::sync::OnceLock;

use regex::Regex;

fn patterns() -> &'static [(Regex, &'static str)] {
    static P: OnceLock<Vec<(Regex, &'static str)>> = OnceLock::new();
    P.get_or_init(|| {
        let list: [(&str, &'static str); 6] = [
            // key=value / key: value / "key":"value" for secret-like keys.
            (
                r#"(?i)((?:password|passwd|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|credential|auth|session[_-]?id|cookie)["']?\s*[:=]\s*["']?)([^\s"',;&}]+)"#,
                "${1}***",
            ),
            (r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]{8,}", "${1}***"),
            (r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{4,}", "<jwt>"),
            (r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b", "<access-key>"),
            (r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b", "<email>"),
            // Mobile numbers (CN 11-digit, E.164) — not plain ids: need a phone-like shape.
            (r"(?:\+\d{1,3}[ -]?)?\b1[3-9]\d{9}\b|\+\d{1,3}[ -]?\d{3,4}[ -]?\d{3,4}[ -]?\d{3,4}\b", "<phone>"),
        ];
        list.iter().filter_map(|(p, r)| Regex::new(p).ok().map(|re| (re, *r))).collect()
    })
}

/// `text` with secrets replaced; borrowed when there is nothing to mask.
pub fn redact(text: &str) -> Cow<'_, str> {
    let mut out: Cow<'_, str> = Cow::Borrowed(text);
    for (re, rep) in patterns() {
        if re.is_match(&out) {
            out = Cow::Owned(re.replace_all(&out, *rep).into_owned());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn secrets_are_masked() {
        assert_eq!(
            redact("login ok user=bob password=hunter2 from 10.0.0.1"),
            "login ok user=bob password=*** from 10.0.0.1"
        );
        assert_eq!(redact(r#"{"token":"abc123def"}"#), r#"{"token":"***"}"#);
        assert_eq!(
            redact("Authorization: Bearer abcdefghijklmnop"),
            "Authorization: Bearer ***"
        );
        assert_eq!(redact("mail to jane.doe@example.com failed"), "mail to <email> failed");
        assert_eq!(redact("sms to 13812345678 failed"), "sms to <phone> failed");
        assert_eq!(redact("call +1 415 555 0100 now"), "call <phone> now");
        assert!(
            redact("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N").contains("<jwt>")
        );
    }

    #[test]
    fn ordinary_text_is_untouched() {
        let s = "order 123456789012 took 850 ms; id=42 range=30d";
        assert!(matches!(redact(s), std::borrow::Cow::Borrowed(_)));
    }
}
