//! Times and durations typed by people: `--from`, `--to`, `--baseline`, `--bucket`, and
//! the timestamp cells of the side inputs (metrics CSV, change ledger). Also the one
//! human-readable local time format used in report text.
//!
//! Owns only the text ↔ nanosecond conversions; log timestamps are recognised by
//! `triage_parse::timestamp`, whose recognisers this module reuses for the full-date
//! layouts so that a time pasted from a log line is read the same way here.

use triage_parse::timestamp::{civil_from_days, from_epoch_number, scan, TimeContext, TsLayout, Zone};

const ACCEPTED_TIMES: &str = "RFC 3339 (2025-12-19T10:37:00+08:00 or ...Z), \
YYYY-MM-DD HH:MM, YYYY-MM-DD HH:MM:SS[.fff], YYYY-MM-DDTHH:MM:SS (zone-less forms are read in the --tz zone), \
YYYY-MM-DD (midnight), or Unix epoch seconds / milliseconds";

const ACCEPTED_DURATIONS: &str = "a positive number with a unit (ms, s, m, h, d, w), \
optionally combined: 500ms, 90s, 15m, 2h, 1h30m, 1d, 1w";

#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum TimeSpecError {
    #[error("cannot read {text:?} as a time; accepted: {ACCEPTED_TIMES}")]
    Time { text: String },
    #[error("cannot read {text:?} as a duration ({reason}); accepted: {ACCEPTED_DURATIONS}")]
    Duration { text: String, reason: String },
}

/// Parses a point in time given on the command line or in a side-input cell.
///
/// Zone-less times are read in `zone`. Bare numbers are Unix epoch seconds or
/// milliseconds, told apart by magnitude; numbers too small to be a plausible epoch
/// (before 1973, e.g. a compact date `20251219`) are refused rather than misread.
pub fn parse_time(text: &str, zone: &Zone) -> Result<i64, TimeSpecError> {
    let err = || TimeSpecError::Time { text: text.to_string() };
    let t = text.trim();
    if t.is_empty() {
        return Err(err());
    }
    if looks_numeric(t) {
        let n: f64 = t.parse().map_err(|_| err())?;
        // 1e8 s is 1973-03-03: anything smaller is more likely a date or a typo.
        if !n.is_finite() || n.abs() < 1e8 {
            return Err(err());
        }
        return from_epoch_number(n).ok_or_else(err);
    }
    let normalised = complete_date_time(t);
    let s = normalised.as_deref().unwrap_or(t);
    let ctx = TimeContext {
        zone: zone.clone(),
        reference: (1970, 1, 1),
    };
    let m = scan(s.as_bytes(), &ctx).ok_or_else(err)?;
    // Only layouts that carry a full date: a time-only or year-less text would be
    // resolved against an arbitrary reference date, which is worse than an error.
    let full_date = matches!(
        m.layout,
        TsLayout::Iso | TsLayout::CompactDate | TsLayout::Clf | TsLayout::Ctime | TsLayout::DayMonthName
    );
    if !full_date || !s[m.len..].trim().is_empty() {
        return Err(err());
    }
    Ok(m.nanos)
}

fn looks_numeric(t: &str) -> bool {
    let body = t.strip_prefix(['-', '+']).unwrap_or(t);
    !body.is_empty()
        && body.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && body.bytes().filter(|&b| b == b'.').count() <= 1
        && body.bytes().any(|b| b.is_ascii_digit())
}

/// Fills in what the log recognisers require but people often leave out: the seconds
/// of `YYYY-MM-DD HH:MM[zone]` and the clock of a bare `YYYY-MM-DD`.
fn complete_date_time(t: &str) -> Option<String> {
    let b = t.as_bytes();
    let is_date = b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit);
    if !is_date {
        return None;
    }
    if b.len() == 10 {
        return Some(format!("{t} 00:00:00"));
    }
    if !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    // HH:MM with exactly one colon in the clock, then end or a zone.
    let clock = &b[11..];
    let hl = clock.iter().take_while(|c| c.is_ascii_digit()).count();
    if !(1..=2).contains(&hl) || clock.get(hl) != Some(&b':') {
        return None;
    }
    let ml = clock[hl + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
    if ml != 2 {
        return None;
    }
    let end = 11 + hl + 1 + ml;
    if b.get(end) == Some(&b':') {
        return None; // already has seconds
    }
    Some(format!("{}:00{}", &t[..end], &t[end..]))
}

/// Parses a positive duration (`15m`, `1h30m`, `500ms`, `1.5h`) into nanoseconds.
pub fn parse_duration(text: &str) -> Result<i64, TimeSpecError> {
    let fail = |reason: &str| TimeSpecError::Duration {
        text: text.to_string(),
        reason: reason.to_string(),
    };
    let t = text.trim().to_ascii_lowercase();
    if t.is_empty() {
        return Err(fail("empty"));
    }
    if t.starts_with('-') {
        return Err(fail("must be positive"));
    }
    let b = t.as_bytes();
    let mut i = 0;
    let mut total: f64 = 0.0;
    while i < b.len() {
        while i < b.len() && b[i] == b' ' {
            i += 1;
        }
        if i == b.len() {
            break;
        }
        let start = i;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'.') {
            i += 1;
        }
        let number: f64 = t[start..i].parse().map_err(|_| fail("expected a number"))?;
        while i < b.len() && b[i] == b' ' {
            i += 1;
        }
        let ustart = i;
        while i < b.len() && b[i].is_ascii_alphabetic() {
            i += 1;
        }
        let unit = &t[ustart..i];
        let scale: f64 = match unit {
            "ns" => 1.0,
            "us" | "µs" => 1e3,
            "ms" => 1e6,
            "s" | "sec" | "secs" | "second" | "seconds" => 1e9,
            "m" | "min" | "mins" | "minute" | "minutes" => 60e9,
            "h" | "hr" | "hrs" | "hour" | "hours" => 3600e9,
            "d" | "day" | "days" => 86_400e9,
            "w" | "week" | "weeks" => 604_800e9,
            "" => return Err(fail("missing unit")),
            _ => return Err(fail(&format!("unknown unit {unit:?}"))),
        };
        total += number * scale;
    }
    if !total.is_finite() || total >= 9.2e18 {
        return Err(fail("too long"));
    }
    let ns = total.round() as i64;
    if ns <= 0 {
        return Err(fail("must be positive"));
    }
    Ok(ns)
}

/// Seconds east of UTC in force at a UTC instant.
pub fn offset_at_utc(zone: &Zone, utc_secs: i64) -> i32 {
    match zone {
        Zone::Fixed(o) => *o,
        Zone::Named(tz) => jiff::Timestamp::from_second(utc_secs)
            .map(|ts| tz.to_offset(ts).seconds())
            .unwrap_or(0),
    }
}

/// `2025-12-19 10:37:32` in `zone`, for text meant for people (the JSON model carries
/// RFC 3339 UTC instead).
pub fn format_local(ns: i64, zone: &Zone) -> String {
    let secs = ns.div_euclid(1_000_000_000);
    let local = secs + offset_at_utc(zone, secs) as i64;
    let (y, mo, d) = civil_from_days(local.div_euclid(86_400));
    let sod = local.rem_euclid(86_400);
    format!(
        "{y:04}-{mo:02}-{d:02} {:02}:{:02}:{:02}",
        sod / 3600,
        sod / 60 % 60,
        sod % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: i64 = 1_000_000_000;
    // 2025-12-19T02:37:32Z
    const T: i64 = 1_766_111_852 * S;

    fn shanghai() -> Zone {
        Zone::parse("Asia/Shanghai").unwrap()
    }

    #[test]
    fn rfc3339_carries_its_own_zone() {
        let z = shanghai();
        assert_eq!(parse_time("2025-12-19T02:37:32Z", &z).unwrap(), T);
        assert_eq!(parse_time("2025-12-19T10:37:32+08:00", &Zone::utc()).unwrap(), T);
        assert_eq!(parse_time("2025-12-19T02:37:32.250Z", &z).unwrap(), T + 250_000_000);
    }

    #[test]
    fn zone_less_forms_are_read_in_the_given_zone() {
        let z = shanghai();
        assert_eq!(parse_time("2025-12-19 10:37:32", &z).unwrap(), T);
        assert_eq!(parse_time("2025-12-19T10:37:32", &z).unwrap(), T);
        assert_eq!(parse_time("2025-12-19 10:37", &z).unwrap(), T - 32 * S);
        assert_eq!(parse_time("2025-12-19 10:37:32.5", &z).unwrap(), T + S / 2);
        assert_eq!(parse_time("2025-12-19 02:37:32", &Zone::utc()).unwrap(), T);
        assert_eq!(parse_time("2025-12-19 02:37Z", &shanghai()).unwrap(), T - 32 * S);
        assert_eq!(
            parse_time("2025-12-19", &Zone::utc()).unwrap(),
            (T / S - 2 * 3600 - 37 * 60 - 32) * S
        );
        // A named zone follows daylight saving: 2025-07-01 12:00 in Berlin is UTC+2.
        let berlin = Zone::parse("Europe/Berlin").unwrap();
        assert_eq!(
            parse_time("2025-07-01 12:00", &berlin).unwrap(),
            parse_time("2025-07-01T10:00:00Z", &Zone::utc()).unwrap()
        );
    }

    #[test]
    fn epoch_numbers_by_magnitude() {
        let z = shanghai();
        assert_eq!(parse_time("1766111852", &z).unwrap(), T);
        assert_eq!(parse_time("1766111852000", &z).unwrap(), T);
        assert_eq!(parse_time("1766111852123", &z).unwrap(), T + 123_000_000);
        assert_eq!(parse_time("1766111852.5", &z).unwrap(), T + S / 2);
    }

    #[test]
    fn rejects_what_it_cannot_read_and_says_what_it_accepts() {
        let z = Zone::utc();
        for bad in [
            "",
            "yesterday",
            "10:37:32",
            "Dec 19 10:37:32",
            "20251219",
            "2025-13-01 10:00",
            "2025-12-19 10:37 extra",
        ] {
            let e = parse_time(bad, &z).unwrap_err();
            let msg = e.to_string();
            assert!(msg.contains(&format!("{bad:?}")), "{msg}");
            assert!(msg.contains("RFC 3339") && msg.contains("epoch"), "{msg}");
        }
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("15m").unwrap(), 15 * 60 * S);
        assert_eq!(parse_duration("2h").unwrap(), 7200 * S);
        assert_eq!(parse_duration("90s").unwrap(), 90 * S);
        assert_eq!(parse_duration("1d").unwrap(), 86_400 * S);
        assert_eq!(parse_duration("1h30m").unwrap(), 5400 * S);
        assert_eq!(parse_duration("500ms").unwrap(), S / 2);
        assert_eq!(parse_duration("1w").unwrap(), 7 * 86_400 * S);
        assert_eq!(parse_duration(" 1.5H ").unwrap(), 5400 * S);
        assert_eq!(parse_duration("1h 30m").unwrap(), 5400 * S);
    }

    #[test]
    fn bad_durations_name_the_problem() {
        for (bad, why) in [
            ("0m", "positive"),
            ("-5m", "positive"),
            ("15", "missing unit"),
            ("15y", "unknown unit"),
            ("m", "number"),
            ("", "empty"),
        ] {
            let msg = parse_duration(bad).unwrap_err().to_string();
            assert!(msg.contains(why) && msg.contains("1h30m"), "{bad}: {msg}");
        }
    }

    #[test]
    fn formats_local_time() {
        assert_eq!(format_local(T, &shanghai()), "2025-12-19 10:37:32");
        assert_eq!(format_local(T + 999_999_999, &Zone::utc()), "2025-12-19 02:37:32");
        assert_eq!(format_local(T, &Zone::parse("-05:00").unwrap()), "2025-12-18 21:37:32");
        let z = shanghai();
        assert_eq!(parse_time(&format_local(T, &z), &z).unwrap(), T);
    }
}
