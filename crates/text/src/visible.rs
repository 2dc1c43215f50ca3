//! Control characters made visible.

use std::borrow::Cow;

/// Characters that act on a terminal or on the order of text instead of showing:
/// C0 controls other than newline and tab, DEL, C1 controls (U+0080–U+009F; U+009B is a
/// one-character CSI for many terminals), and the Unicode bidi controls that can make
/// text read differently from what it is ("Trojan Source").
fn hidden(c: char) -> bool {
    match c {
        '\n' | '\t' => false,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' => true,
        '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => true,
        _ => false,
    }
}

/// `text` with every control character (except newline and tab, which each output
/// handles in its own way) replaced by a visible escape: `\x1b`, `\r`, `\x9b`,
/// `\u{202e}`. Borrowed when there is nothing to replace, which is almost always.
pub fn visible(text: &str) -> Cow<'_, str> {
    // Bytes below 0x20, DEL, and lead bytes of two- or three-byte sequences that can
    // encode one of the characters above; anything else is shown as is.
    let suspicious = |b: &u8| *b < 0x20 && *b != b'\n' && *b != b'\t' || matches!(*b, 0x7f | 0xc2 | 0xd8 | 0xe2);
    if !text.as_bytes().iter().any(suspicious) || !text.chars().any(hidden) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if !hidden(c) {
            out.push(c);
            continue;
        }
        match c {
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x100 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push_str(&format!("\\u{{{:04x}}}", c as u32)),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::visible;

    #[test]
    fn escapes_become_visible() {
        assert_eq!(visible("a\x1b[2Jb"), "a\\x1b[2Jb");
        assert_eq!(
            visible("\x1b]8;;http://evil\x07click\x1b]8;;\x07"),
            "\\x1b]8;;http://evil\\x07click\\x1b]8;;\\x07"
        );
        assert_eq!(visible("\x1b]0;pwned\x07"), "\\x1b]0;pwned\\x07");
        assert_eq!(visible("x\ry\u{7f}\u{9b}31m"), "x\\ry\\x7f\\x9b31m");
        assert_eq!(visible("abc\u{202e}fed"), "abc\\u{202e}fed");
    }

    #[test]
    fn ordinary_text_is_borrowed() {
        for s in ["plain", "two\nlines\tand a tab", "数据库连接失败 ©", "é ü — … →"] {
            assert!(matches!(visible(s), std::borrow::Cow::Borrowed(_)), "{s}");
        }
    }
}
