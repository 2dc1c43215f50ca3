//! Number and text formatting shared by every renderer, so the same value reads the
//! same everywhere: counts exact, percentages with 2 decimals, ratios `×12.3`.

/// Shown where the model has no value (`None`, or a number that is not finite).
pub(crate) const MISSING: &str = "–";

pub(crate) fn count(n: u64) -> String {
    n.to_string()
}

/// A fraction 0–1 as a percentage with 2 decimals.
pub(crate) fn percent(fraction: f64) -> String {
    if fraction.is_finite() {
        format!("{:.2}%", fraction * 100.0)
    } else {
        MISSING.to_string()
    }
}

pub(crate) fn percent_opt(fraction: Option<f64>) -> String {
    fraction.map_or_else(|| MISSING.to_string(), percent)
}

/// `part` as a percentage of `whole`; a share of nothing is 0.
pub(crate) fn share_of(part: u64, whole: u64) -> String {
    percent(fraction_of(part, whole))
}

/// `part / whole` clamped to 0–1 (used for bar lengths and shares of a total).
pub(crate) fn fraction_of(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        (part as f64 / whole as f64).clamp(0.0, 1.0)
    }
}

/// A rate ratio or lift: `×12.3`.
pub(crate) fn ratio(value: f64) -> String {
    if value.is_finite() {
        format!("×{value:.1}")
    } else {
        "×∞".to_string()
    }
}

/// Scores 0–1 (problems, changes, root causes).
pub(crate) fn score(value: f64) -> String {
    if value.is_finite() {
        format!("{value:.2}")
    } else {
        MISSING.to_string()
    }
}

/// A latency in milliseconds.
pub(crate) fn millis(value: Option<f64>) -> String {
    match value {
        Some(ms) if ms.is_finite() => format!("{ms:.1} ms"),
        _ => MISSING.to_string(),
    }
}

/// An expected (fractional) record count.
pub(crate) fn expected(value: f64) -> String {
    if value.is_finite() {
        format!("{value:.1}")
    } else {
        MISSING.to_string()
    }
}

/// Adjusted p-values are often tiny: fixed 3 decimals down to 0.001, scientific below.
pub(crate) fn q_value(value: f64) -> String {
    if !value.is_finite() {
        MISSING.to_string()
    } else if value == 0.0 || value >= 0.001 {
        format!("{value:.3}")
    } else {
        format!("{value:.1e}")
    }
}

/// A metric reading: 2 decimals, 3 for small non-zero values so `0.013` does not
/// collapse to `0.01` (host metrics of an idle machine are often that small).
pub(crate) fn metric_value(value: f64) -> String {
    if !value.is_finite() {
        MISSING.to_string()
    } else if value != 0.0 && value.abs() < 0.1 {
        format!("{value:.3}")
    } else {
        format!("{value:.2}")
    }
}

pub(crate) fn metric_value_opt(value: Option<f64>) -> String {
    value.map_or_else(|| MISSING.to_string(), metric_value)
}

/// Newlines and tabs folded to spaces, for places that hold a single line.
pub(crate) fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        out.push(if c == '\n' || c == '\r' || c == '\t' { ' ' } else { c });
    }
    out
}

/// Columns a character takes in a terminal: 2 for East Asian wide characters (CJK,
/// Hangul, full-width forms), 1 otherwise.
pub(crate) fn char_width(c: char) -> usize {
    match c as u32 {
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x20000..=0x3FFFD => 2,
        _ => 1,
    }
}

pub(crate) fn display_width(text: &str) -> usize {
    text.chars().map(char_width).sum()
}

/// `text` (one line) wrapped into lines of at most `first` columns, then `rest` columns.
/// Breaks at spaces, and between wide characters (CJK text has no spaces); a word longer
/// than a whole line is split where the line is full. Words are never cut otherwise.
pub(crate) fn wrap(text: &str, first: usize, rest: usize) -> Vec<String> {
    // Words with whether a space came before them; a wide character is a word alone.
    let mut words: Vec<(String, bool)> = Vec::new();
    let mut word = String::new();
    let mut spaced = false;
    for c in text.chars() {
        if c == ' ' || char_width(c) == 2 {
            if !word.is_empty() {
                words.push((std::mem::take(&mut word), spaced));
                spaced = false;
            }
            if c == ' ' {
                spaced = true;
            } else {
                words.push((c.to_string(), spaced));
                spaced = false;
            }
        } else {
            word.push(c);
        }
    }
    if !word.is_empty() {
        words.push((word, spaced));
    }
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    let mut width = 0;
    let limit = |lines: &Vec<String>| if lines.is_empty() { first } else { rest }.max(1);
    for (word, spaced) in words {
        let gap = usize::from(spaced && !line.is_empty());
        if !line.is_empty() && width + gap + display_width(&word) > limit(&lines) {
            lines.push(std::mem::take(&mut line));
            width = 0;
        } else if gap == 1 {
            line.push(' ');
            width += 1;
        }
        // Only a word wider than a whole line is split, where the line is full.
        for c in word.chars() {
            let cw = char_width(c);
            if !line.is_empty() && width + cw > limit(&lines) {
                lines.push(std::mem::take(&mut line));
                width = 0;
            }
            line.push(c);
            width += cw;
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// Level names in the order the reports list them: most severe first.
const LEVEL_ORDER: [&str; 7] = ["FATAL", "ERROR", "WARN", "INFO", "DEBUG", "TRACE", "NONE"];

/// Sort key for a level name; names outside the normalised set go last.
pub(crate) fn level_rank(level: &str) -> usize {
    LEVEL_ORDER
        .iter()
        .position(|known| *known == level)
        .unwrap_or(LEVEL_ORDER.len())
}

/// The levels counted as errors (`Totals::errors`: WARN and above).
pub(crate) fn is_error_level(level: &str) -> bool {
    matches!(level, "FATAL" | "ERROR" | "WARN")
}

/// `P1` → 1; anything else sorts after every known priority.
pub(crate) fn priority_rank(priority: &str) -> u32 {
    priority
        .strip_prefix('P')
        .and_then(|digits| digits.parse().ok())
        .unwrap_or(u32::MAX)
}

/// `critical` before `warning` before `info`, unknown last.
pub(crate) fn severity_rank(severity: &str) -> u32 {
    match severity {
        "critical" => 0,
        "warning" => 1,
        "info" => 2,
        _ => 3,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_the_same_everywhere() {
        assert_eq!(percent(0.9598), "95.98%");
        assert_eq!(share_of(186, 527), "35.29%");
        assert_eq!(share_of(1, 0), "0.00%");
        assert_eq!(ratio(12.34), "×12.3");
        assert_eq!(ratio(f64::INFINITY), "×∞");
        assert_eq!(metric_value(0.013), "0.013");
        assert_eq!(metric_value(21.04), "21.04");
        assert_eq!(q_value(0.0000123), "1.2e-5");
        assert_eq!(q_value(0.04), "0.040");
        assert_eq!(millis(None), MISSING);
        assert_eq!(priority_rank("P2"), 2);
    }

    #[test]
    fn wrapping_keeps_words_whole() {
        assert_eq!(
            wrap("about 364 stores failed to sync", 12, 12),
            ["about 364", "stores", "failed to", "sync"]
        );
        assert_eq!(wrap("a b", 10, 10), ["a b"]);
        assert_eq!(wrap("", 10, 10), [""]);
        assert_eq!(wrap("abcdefghij", 4, 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("数据库连接失败 x", 6, 6), ["数据库", "连接失", "败 x"]);
        for line in wrap("first line is short then the rest is longer", 10, 20) {
            assert!(display_width(&line) <= 20, "{line}");
        }
    }
}
