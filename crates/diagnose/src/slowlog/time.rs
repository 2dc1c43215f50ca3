//! `# Time:` values: MySQL 5.0–5.6 and MariaDB write `YYMMDD H:MM:SS` (server local
//! time), MySQL 5.7+ ISO 8601 with microseconds and `Z` or an offset.

/// A parsed `# Time:` value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Stamp {
    /// Seconds since 1970 (UTC when the log gives an offset, else the server's clock).
    pub seconds: f64,
    /// The same instant as ISO 8601, as precise as the log wrote it.
    pub iso: String,
}

/// Reads `071218 11:48:27`, `081127  8:51:20`, `2016-07-20T18:13:25.698433Z`,
/// `2019-03-24T16:22:43.836524+02:00`; `None` for anything else.
pub(crate) fn parse(text: &str) -> Option<Stamp> {
    let text = text.trim();
    let b = text.as_bytes();
    if b.len() >= 8 && b[..6].iter().all(u8::is_ascii_digit) && b[6] == b' ' {
        let year = 2000 + number(&text[0..2])?;
        let month = number(&text[2..4])?;
        let day = number(&text[4..6])?;
        let clock = text[6..].trim_start();
        let (h, m, s, frac, rest) = clock_parts(clock)?;
        if !rest.is_empty() {
            return None;
        }
        let iso = format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}{frac}");
        return stamp(year, month, day, h, m, s, frac, 0, iso);
    }
    if b.len() >= 19 && b[4] == b'-' && b[7] == b'-' && (b[10] == b'T' || b[10] == b' ') {
        let year = number(&text[0..4])?;
        let month = number(&text[5..7])?;
        let day = number(&text[8..10])?;
        let (h, m, s, frac, zone) = clock_parts(&text[11..])?;
        let offset = match zone {
            "" | "Z" => 0,
            z if z.len() >= 5 && (z.starts_with('+') || z.starts_with('-')) => {
                let digits = z[1..].replace(':', "");
                if digits.len() != 4 {
                    return None;
                }
                let minutes = number(&digits[..2])? * 60 + number(&digits[2..])?;
                if z.starts_with('-') {
                    -minutes
                } else {
                    minutes
                }
            }
            _ => return None,
        };
        let iso = format!("{}T{}", &text[..10], &text[11..]);
        return stamp(year, month, day, h, m, s, frac, offset, iso);
    }
    None
}

fn number(s: &str) -> Option<i64> {
    if s.is_empty() || !s.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// `H:MM:SS[.ffffff]` and what follows it.
fn clock_parts(s: &str) -> Option<(i64, i64, i64, &str, &str)> {
    let (h, rest) = s.split_once(':')?;
    let h = number(h)?;
    let m = number(rest.get(..2)?)?;
    let rest = rest.get(2..)?.strip_prefix(':')?;
    let sec = number(rest.get(..2)?)?;
    let rest = &rest[2..];
    let frac_len = rest
        .strip_prefix('.')
        .map_or(0, |digits| 1 + digits.bytes().take_while(u8::is_ascii_digit).count());
    Some((h, m, sec, &rest[..frac_len], &rest[frac_len..]))
}

#[allow(clippy::too_many_arguments)]
fn stamp(
    year: i64,
    month: i64,
    day: i64,
    h: i64,
    m: i64,
    s: i64,
    frac: &str,
    offset_minutes: i64,
    iso: String,
) -> Option<Stamp> {
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || h > 23 || m > 59 || s > 60 {
        return None;
    }
    let fraction: f64 = if frac.len() > 1 {
        format!("0{frac}").parse().ok()?
    } else {
        0.0
    };
    // Month and day were checked to be 1–12 and 1–31 above.
    let days = triage_parse::timestamp::days_from_civil(year, month as u32, day as u32);
    let seconds = (days * 86_400 + h * 3600 + m * 60 + s - offset_minutes * 60) as f64 + fraction;
    Some(Stamp { seconds, iso })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_and_iso_forms() {
        let a = parse("071218 11:48:27").unwrap();
        assert_eq!(a.iso, "2007-12-18T11:48:27");
        assert_eq!(a.seconds, 1_197_978_507.0);
        assert_eq!(parse("081127  8:51:20").unwrap().iso, "2008-11-27T08:51:20");
        let b = parse("2016-07-20T18:13:25.698433Z").unwrap();
        assert_eq!(b.iso, "2016-07-20T18:13:25.698433Z");
        assert!((b.seconds - 1_469_038_405.698433).abs() < 1e-6);
        let c = parse("2016-07-20T20:13:25+02:00").unwrap();
        assert_eq!(c.seconds, 1_469_038_405.0);
        assert_eq!(parse("2016-07-20 18:13:25").unwrap().iso, "2016-07-20T18:13:25");
    }

    #[test]
    fn anything_else_is_none() {
        for bad in [
            "",
            "yesterday",
            "071318 11:48:27",
            "2016-07-20T25:00:00Z",
            "2016-07-20T18:13:25 junk",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }
}
