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

/// `zone` as a jiff time zone (a fixed offset or an IANA zone).
fn jiff_zone(zone: &Zone) -> jiff::tz::TimeZone {
    match zone {
        Zone::Fixed(o) => jiff::tz::Offset::from_seconds(*o)
            .map(jiff::tz::TimeZone::fixed)
            .unwrap_or(jiff::tz::TimeZone::UTC),
        Zone::Named(tz) => tz.clone(),
    }
}

/// `text` with every RFC 3339 UTC time rewritten in `zone` (unchanged when no time in it).
pub fn localize_text(text: &str, zone: &Zone) -> Option<String> {
    let re = utc_time();
    if !re.is_match(text) {
        return None;
    }
    let tz = jiff_zone(zone);
    let out = re.replace_all(text, |c: &regex::Captures| {
        let whole = &c[0];
        let Ok(t) = whole.parse::<jiff::Timestamp>() else {
            return whole.to_string();
        };
        // The fraction is kept as written: offsets move whole seconds only.
        let frac = c.get(7).map_or("", |m| m.as_str());
        let local = t.to_zoned(tz.clone());
        format!("{}{frac}{}", local.strftime("%Y-%m-%dT%H:%M:%S"), local.strftime("%:z"))
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
