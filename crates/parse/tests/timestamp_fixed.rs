//! Calendar arithmetic against fixed dates (computed with Python's `datetime`), not just
//! `days_from_civil` and `civil_from_days` against each other: a round trip passes when
//! both are wrong the same way.

use triage_parse::timestamp::{civil_from_days, days_from_civil, parse_text, TimeContext};

/// (year, month, day, days since 1970-01-01).
const DATES: [(i64, u32, u32, i64); 9] = [
    (1970, 1, 1, 0),
    (1969, 12, 31, -1),
    (2000, 2, 29, 11_016),
    (2000, 3, 1, 11_017),
    (1900, 3, 1, -25_508),
    (2024, 2, 29, 19_782),
    (2100, 3, 1, 47_541),
    (1, 1, 1, -719_162),
    (9999, 12, 31, 2_932_896),
];

#[test]
fn days_from_civil_on_fixed_dates() {
    for (y, m, d, days) in DATES {
        assert_eq!(days_from_civil(y, m, d), days, "{y:04}-{m:02}-{d:02}");
        assert_eq!(civil_from_days(days), (y, m, d), "day {days}");
    }
}

#[test]
fn parse_text_on_fixed_instants() {
    let ctx = TimeContext::default();
    let s = 1_000_000_000i64;
    assert_eq!(parse_text("2024-02-29T12:00:00Z", &ctx), Some(1_709_208_000 * s));
    assert_eq!(parse_text("2024-03-10T01:59:59-05:00", &ctx), Some(1_710_053_999 * s));
    assert_eq!(parse_text("1970-01-01T00:00:00.5Z", &ctx), Some(s / 2));
}
