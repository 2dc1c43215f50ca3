//! Shortening text for display and for bounded storage, on character boundaries.

use std::borrow::Cow;

/// At most `max_chars` characters, the last one `…` when the text was cut (so a reader
/// sees that it was). Text that fits is returned as it is.
pub fn cut_chars(text: &str, max_chars: usize) -> Cow<'_, str> {
    match text.char_indices().nth(max_chars) {
        None => Cow::Borrowed(text),
        Some(_) => {
            let keep = max_chars.saturating_sub(1);
            let end = text.char_indices().nth(keep).map_or(text.len(), |(i, _)| i);
            let mut out = String::with_capacity(end + 3);
            out.push_str(&text[..end]);
            if max_chars > 0 {
                out.push('…');
            }
            Cow::Owned(out)
        }
    }
}

/// The longest prefix of at most `max_bytes` bytes that ends on a character boundary
/// (for storage caps, where no mark is added).
pub fn cut_bytes(text: &str, max_bytes: usize) -> &str {
    if text.len() <= max_bytes {
        return text;
    }
    let mut end = max_bytes;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chars_are_cut_with_a_mark_counted_in_the_limit() {
        assert_eq!(cut_chars("abcdef", 6), "abcdef");
        assert!(matches!(cut_chars("abcdef", 6), Cow::Borrowed(_)));
        assert_eq!(cut_chars("abcdefg", 6), "abcde…");
        assert_eq!(cut_chars("数据库连接失败", 4), "数据库…");
        assert_eq!(cut_chars("数据库连接失败", 7), "数据库连接失败");
        assert_eq!(cut_chars("ab", 1), "…");
        assert_eq!(cut_chars("ab", 0), "");
        assert_eq!(cut_chars("", 0), "");
        // Combining marks and emoji count as the characters they are made of.
        assert_eq!(cut_chars("e\u{301}e\u{301}", 3), "e\u{301}…");
        assert_eq!(cut_chars("🙂🙂🙂", 2).chars().count(), 2);
    }

    #[test]
    fn bytes_are_cut_on_a_character_boundary() {
        assert_eq!(cut_bytes("abc", 3), "abc");
        assert_eq!(cut_bytes("abc", 2), "ab");
        // `é` is two bytes: a cut inside it keeps the byte before.
        assert_eq!(cut_bytes("aé", 2), "a");
        assert_eq!(cut_bytes("aé", 3), "aé");
        assert_eq!(cut_bytes("数据", 5), "数");
        assert_eq!(cut_bytes("数据", 2), "");
        assert_eq!(cut_bytes("", 0), "");
        for n in 0..=12 {
            let s = "a数b🙂c";
            let cut = cut_bytes(s, n);
            assert!(cut.len() <= n && s.starts_with(cut));
            // Longest: the next character would not fit.
            assert!(s[cut.len()..]
                .chars()
                .next()
                .is_none_or(|c| cut.len() + c.len_utf8() > n));
        }
    }
}
