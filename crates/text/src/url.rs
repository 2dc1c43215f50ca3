//! URLs shown without their credentials.

use std::borrow::Cow;

/// `url` as it may be shown (stderr, report notes, errors): the userinfo part
/// (`user:password@`) removed, with or without a scheme (`redis://u:p@h:1/0` →
/// `redis://h:1/0`, `u:p@h:1` → `h:1`), and secret-looking query values masked
/// (`?token=…`). Any URL a user gives (metrics, Redis, …) goes through this before it
/// is printed anywhere.
pub fn display_url(url: &str) -> Cow<'_, str> {
    let (scheme, rest) = match url.find("://") {
        Some(i) => url.split_at(i + 3),
        None => ("", url),
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let stripped: Cow<'_, str> = match rest[..authority_end].rfind('@') {
        Some(at) => Cow::Owned(format!("{scheme}{}", &rest[at + 1..])),
        None => Cow::Borrowed(url),
    };
    match crate::redact(&stripped) {
        Cow::Borrowed(_) => stripped,
        Cow::Owned(masked) => Cow::Owned(masked),
    }
}

#[cfg(test)]
mod tests {
    use super::display_url;

    #[test]
    fn credentials_are_never_shown() {
        assert_eq!(display_url("http://admin:secretpw@prom:9090"), "http://prom:9090");
        assert_eq!(display_url("redis://bob:s3cr:et@h:1/0"), "redis://h:1/0");
        assert_eq!(display_url("redis://:pw@h:1"), "redis://h:1");
        assert_eq!(display_url("user:pw@10.0.0.1:6379"), "10.0.0.1:6379");
        assert_eq!(display_url("http://h:1/path@x"), "http://h:1/path@x");
        assert_eq!(
            display_url("http://h:1/api?token=abcdef123"),
            "http://h:1/api?token=<secret:token>"
        );
        assert!(matches!(display_url("http://h:9090"), std::borrow::Cow::Borrowed(_)));
    }
}
