//! Times shown in the reader's zone. The analysis computes and writes every time in UTC
//! (`model_time`); at the edge, [`localize_report`] rewrites each RFC 3339 UTC time in
//! every string of the finished report (fields and sentences alike) to the `--tz` zone
//! with its offset (`2024-11-12T06:37:31Z` → `2024-11-12T14:37:31+08:00`). One pass over
//! the whole model, so no sentence can be missed; JSON stays RFC 3339, with an offset.

use std::sync::OnceLock;

use regex::Regex;
use triage_parse::timestamp::Zone;

use crate::model::Report;

fn utc_time() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"\b(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d{1,9})?Z\b").expect("valid regex"))
}

/// Offset in seconds east of UTC of `zone` at the UTC instant `secs`.
fn offset_at(zone: &Zone, secs: i64) -> i32 {
    match zone {
        Zone::Fixed(o) => *o,
        Zone::Named(tz) => jiff::Timestamp::from_second(secs)
            .map(|t| tz.to_offset(t).seconds())
            .unwrap_or(0),
    }
}

/// `text` with every RFC 3339 UTC time rewritten in `zone` (unchanged when no time in it).
pub fn localize_text(text: &str, zone: &Zone) -> Option<String> {
    let re = utc_time();
    if !re.is_match(text) {
        return None;
    }
    let out = re.replace_all(text, |c: &regex::Captures| {
        let n = |i: usize| c[i].parse::<i64>().unwrap_or(0);
        let days = days_from_civil(n(1), n(2), n(3));
        let secs = days * 86_400 + n(4) * 3600 + n(5) * 60 + n(6);
        let off = offset_at(zone, secs);
        let local = secs + off as i64;
        let (y, m, d) = civil_from_days(local.div_euclid(86_400));
        let s = local.rem_euclid(86_400);
        let frac = c.get(7).map_or("", |m| m.as_str());
        let sign = if off < 0 { '-' } else { '+' };
        let a = off.unsigned_abs();
        format!(
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}{frac}{sign}{:02}:{:02}",
            s / 3600,
            s % 3600 / 60,
            s % 60,
            a / 3600,
            a % 3600 / 60
        )
    });
    Some(out.into_owned())
}

/// Rewrites every UTC time in every string of `report` into `zone`. UTC itself is left
/// as it is (`Z`).
pub fn localize_report(report: &mut Report, zone: &Zone) {
    if matches!(zone, Zone::Fixed(0)) {
        return;
    }
    let Ok(mut value) = serde_json::to_value(&*report) else {
        return;
    };
    walk(&mut value, zone);
    if let Ok(r) = serde_json::from_value(value) {
        *report = r;
    }
}

fn walk(v: &mut serde_json::Value, zone: &Zone) {
    match v {
        serde_json::Value::String(s) => {
            if let Some(t) = localize_text(s, zone) {
                *s = t;
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(|i| walk(i, zone)),
        serde_json::Value::Object(map) => map.values_mut().for_each(|i| walk(i, zone)),
        _ => {}
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_times_in_sentences_move_to_the_zone() {
        let shanghai = Zone::parse("Asia/Shanghai").unwrap();
        assert_eq!(
            localize_text("onset 2024-11-12T06:37:31.217Z, window 2024-11-12T23:59:00Z", &shanghai).unwrap(),
            "onset 2024-11-12T14:37:31.217+08:00, window 2024-11-13T07:59:00+08:00"
        );
        // New York in winter and summer (DST), and a fixed negative offset across a year.
        let ny = Zone::parse("America/New_York").unwrap();
        assert_eq!(
            localize_text("2024-01-15T12:00:00Z", &ny).unwrap(),
            "2024-01-15T07:00:00-05:00"
        );
        assert_eq!(
            localize_text("2024-07-15T12:00:00Z", &ny).unwrap(),
            "2024-07-15T08:00:00-04:00"
        );
        let fixed = Zone::parse("-02:30").unwrap();
        assert_eq!(
            localize_text("2025-01-01T01:00:00Z", &fixed).unwrap(),
            "2024-12-31T22:30:00-02:30"
        );
        assert!(localize_text("no time here, 06:37:31", &shanghai).is_none());
    }
}
