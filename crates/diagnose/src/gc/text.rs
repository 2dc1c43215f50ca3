//! Small parsers shared by both log formats: decimal numbers with either decimal
//! separator (JVMs in German or French locales print `0,0123 secs`), durations to
//! nanoseconds, heap sizes (`12345K`, `1.5G`), heap transitions (`A->B(C)`) and date
//! stamps (`2020-01-01T12:00:00.000+0000`). Everything works on bytes and cuts only at
//! ASCII positions, so no slice can split a UTF-8 character.

/// A decimal number as printed: the integer digits and the fraction digits.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Decimal<'a> {
    pub int: &'a [u8],
    pub frac: &'a [u8],
}

impl Decimal<'_> {
    /// The number times `unit` nanoseconds, exactly (digits past nanoseconds are cut).
    pub fn nanos(&self, unit: u64) -> Option<u64> {
        let int = digits_value(self.int)?;
        let mut frac_value: u128 = 0;
        let mut scale: u128 = 1;
        // More than 18 fraction digits add nothing at nanosecond resolution.
        for &b in self.frac.iter().take(18) {
            frac_value = frac_value * 10 + u128::from(b - b'0');
            scale *= 10;
        }
        let whole = u128::from(int).checked_mul(u128::from(unit))?;
        let part = frac_value * u128::from(unit) / scale;
        u64::try_from(whole + part).ok()
    }

    /// The number as the nearest `f64` (`12.345` stays 12.345): the digits as one
    /// integer divided by a power of ten, both exact, so the quotient rounds once.
    pub fn value(&self) -> f64 {
        let frac = &self.frac[..self.frac.len().min(9)];
        let mut mantissa = 0u128;
        for &b in self.int.iter().chain(frac) {
            mantissa = mantissa.saturating_mul(10).saturating_add(u128::from(b - b'0'));
        }
        mantissa as f64 / 10f64.powi(frac.len() as i32)
    }
}

fn digits_value(digits: &[u8]) -> Option<u64> {
    if digits.len() > 18 {
        return None;
    }
    let mut v = 0u64;
    for &b in digits {
        v = v * 10 + u64::from(b - b'0');
    }
    Some(v)
}

/// The decimal number that ends exactly at `end` (exclusive), and where it starts.
/// Accepts `12`, `12.5`, `12,5`, `.5` is not a number.
pub(super) fn decimal_ending_at(s: &[u8], end: usize) -> Option<(usize, Decimal<'_>)> {
    let end = end.min(s.len());
    let mut i = end;
    while i > 0 && s[i - 1].is_ascii_digit() {
        i -= 1;
    }
    if i == end {
        return None;
    }
    if i >= 2 && (s[i - 1] == b'.' || s[i - 1] == b',') && s[i - 2].is_ascii_digit() {
        let frac_start = i;
        let mut j = i - 1;
        while j > 0 && s[j - 1].is_ascii_digit() {
            j -= 1;
        }
        return Some((
            j,
            Decimal {
                int: &s[j..frac_start - 1],
                frac: &s[frac_start..end],
            },
        ));
    }
    Some((
        i,
        Decimal {
            int: &s[i..end],
            frac: &[],
        },
    ))
}

/// The decimal number that starts exactly at `start`, and where it ends.
pub(super) fn decimal_starting_at(s: &[u8], start: usize) -> Option<(Decimal<'_>, usize)> {
    let mut i = start;
    while i < s.len() && s[i].is_ascii_digit() {
        i += 1;
    }
    if i == start {
        return None;
    }
    let int = &s[start..i];
    if i + 1 < s.len() && (s[i] == b'.' || s[i] == b',') && s[i + 1].is_ascii_digit() {
        let f = i + 1;
        let mut j = f;
        while j < s.len() && s[j].is_ascii_digit() {
            j += 1;
        }
        return Some((Decimal { int, frac: &s[f..j] }, j));
    }
    Some((Decimal { int, frac: &[] }, i))
}

/// Nanoseconds per unit word as the JVM prints it after a duration.
pub(super) fn unit_nanos(unit: &[u8]) -> Option<u64> {
    match unit {
        b"secs" | b"sec" | b"s" => Some(1_000_000_000),
        b"ms" => Some(1_000_000),
        b"us" => Some(1_000),
        b"ns" => Some(1),
        _ => None,
    }
}

/// A duration closing `s`: `…, 0.0123 secs`, `… 1.313ms`, `…, 0.563 ms`. Returns the
/// nanoseconds and where the number starts.
pub(super) fn trailing_duration(s: &[u8]) -> Option<(u64, usize)> {
    let end = trim_end(s);
    let s = &s[..end];
    let mut unit_start = s.len();
    while unit_start > 0 && s[unit_start - 1].is_ascii_alphabetic() {
        unit_start -= 1;
    }
    let unit = unit_nanos(&s[unit_start..])?;
    let mut num_end = unit_start;
    while num_end > 0 && s[num_end - 1] == b' ' {
        num_end -= 1;
    }
    let (start, number) = decimal_ending_at(s, num_end)?;
    // The number must stand on its own (`…Ks, 0.1 secs`), not end a word.
    if start > 0 && !matches!(s[start - 1], b' ' | b',' | b'\t' | b':' | b'=') {
        return None;
    }
    Some((number.nanos(unit)?, start))
}

pub(super) fn trim_end(s: &[u8]) -> usize {
    let mut end = s.len();
    while end > 0 && s[end - 1].is_ascii_whitespace() {
        end -= 1;
    }
    end
}

/// Bytes of a heap size as printed (`12345K`, `120M`, `1.5G`, `0.0B`, `512`): a bare
/// number is kilobytes (`-verbose:gc` of old JVMs).
pub(super) fn heap_size(s: &[u8]) -> Option<(u64, usize)> {
    let (number, end) = decimal_starting_at(s, 0)?;
    let (factor, used) = match s.get(end) {
        Some(b'B') => (1u64, 1),
        Some(b'K') | Some(b'k') => (1 << 10, 1),
        Some(b'M') => (1 << 20, 1),
        Some(b'G') => (1 << 30, 1),
        Some(b'T') => (1 << 40, 1),
        _ => (1 << 10, 0),
    };
    let v = number.value() * factor as f64;
    if !v.is_finite() || !(0.0..=1e19).contains(&v) {
        return None;
    }
    Some((v.round() as u64, end + used))
}

/// Heap before, after and capacity, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct HeapChange {
    pub before: u64,
    pub after: u64,
    pub capacity: u64,
}

/// The last `A->B(C)` transition in `s` (the whole-heap figure is the last one at an
/// event's own level).
pub(super) fn last_heap_change(s: &[u8]) -> Option<HeapChange> {
    let mut found = None;
    let mut from = 0;
    while let Some(pos) = memchr::memmem::find(&s[from..], b"->") {
        let arrow = from + pos;
        from = arrow + 2;
        if let Some(change) = heap_change_at(s, arrow) {
            found = Some(change);
        }
    }
    found
}

fn heap_change_at(s: &[u8], arrow: usize) -> Option<HeapChange> {
    // Before: a size ending right at the arrow, maybe with a `(capacity)` of its own
    // (`24.0M(24.0M)->0.0B(13.0M)` in G1 details).
    let mut before_end = arrow;
    if before_end > 0 && s[before_end - 1] == b')' {
        let open = s[..before_end].iter().rposition(|&b| b == b'(')?;
        before_end = open;
    }
    let mut b = before_end;
    while b > 0 && s[b - 1].is_ascii_alphabetic() {
        b -= 1;
    }
    let (before_start, _) = decimal_ending_at(s, b)?;
    let (before, _) = heap_size(&s[before_start..before_end])?;
    let (after, used) = heap_size(&s[arrow + 2..])?;
    let rest = &s[arrow + 2 + used..];
    let capacity = if rest.first() == Some(&b'(') {
        heap_size(&rest[1..]).map(|(c, _)| c).unwrap_or(0)
    } else {
        0
    };
    Some(HeapChange {
        before,
        after,
        capacity,
    })
}

/// Seconds since the Unix epoch of an ISO-8601 stamp as the JVM prints it:
/// `2020-01-01T12:00:00.000+0000`, `…-08:00`, `…Z`, or without a zone (read as UTC).
/// Returns the seconds and the length of the stamp.
pub(super) fn iso_date(s: &[u8]) -> Option<(f64, usize)> {
    let num = |a: usize, b: usize| -> Option<i64> {
        let d = s.get(a..b)?;
        if d.iter().all(u8::is_ascii_digit) {
            Some(digits_value(d)? as i64)
        } else {
            None
        }
    };
    if s.len() < 19 || s[4] != b'-' || s[7] != b'-' || !(s[10] == b'T' || s[10] == b' ') {
        return None;
    }
    if s[13] != b':' || s[16] != b':' {
        return None;
    }
    let (year, month, day) = (num(0, 4)?, num(5, 7)?, num(8, 10)?);
    let (hour, minute, second) = (num(11, 13)?, num(14, 16)?, num(17, 19)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut i = 19;
    let mut frac = 0f64;
    if i < s.len() && (s[i] == b'.' || s[i] == b',') {
        if let Some((d, end)) = decimal_starting_at(s, i + 1) {
            let digits = d.int;
            let mut scale = 0.1;
            for &b in digits.iter().take(9) {
                frac += f64::from(b - b'0') * scale;
                scale /= 10.0;
            }
            i = end;
            // A decimal comma inside the digits would have been read as a fraction.
            if !d.frac.is_empty() {
                return None;
            }
        }
    }
    let mut offset_s = 0i64;
    if i < s.len() {
        match s[i] {
            b'Z' => i += 1,
            b'+' | b'-' => {
                let sign = if s[i] == b'+' { 1 } else { -1 };
                let hh = num(i + 1, i + 3)?;
                let (mm, len) = if s.get(i + 3) == Some(&b':') {
                    (num(i + 4, i + 6)?, 6)
                } else {
                    (num(i + 3, i + 5)?, 5)
                };
                offset_s = sign * (hh * 3600 + mm * 60);
                i += len;
            }
            _ => {}
        }
    }
    // Month and day were checked to be 1–12 and 1–31 above.
    let days = triage_parse::timestamp::days_from_civil(year, month as u32, day as u32);
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second - offset_s;
    Some((secs as f64 + frac, i))
}

/// The stamps printed before an event's `[`: `2020-…+0000: 12.345: ` (either may be
/// missing). `end` is the position of the `[`. Returns uptime seconds and the date
/// stamp's byte range.
pub(super) fn stamps_before(s: &[u8], end: usize) -> (Option<f64>, Option<(usize, usize)>) {
    let mut i = end.min(s.len());
    while i > 0 && s[i - 1] == b' ' {
        i -= 1;
    }
    if i == 0 || s[i - 1] != b':' {
        return (None, None);
    }
    let mut colon = i - 1;
    // Shenandoah's JDK 8 port prints the GC id between the stamps and the bracket:
    // `463.254: #0: [Pause Init Mark, …]`.
    if let Some((start, _)) = decimal_ending_at(s, colon) {
        if start > 0 && s[start - 1] == b'#' {
            let mut j = start - 1;
            while j > 0 && s[j - 1] == b' ' {
                j -= 1;
            }
            if j == 0 || s[j - 1] != b':' {
                return (None, None);
            }
            colon = j - 1;
        }
    }
    let mut uptime = None;
    let mut date_end = colon;
    if let Some((start, d)) = decimal_ending_at(s, colon) {
        // A date stamp's zone (`+0000`) also ends in digits; an uptime has a decimal part
        // or stands after a space/line start.
        let is_zone = start > 0 && (s[start - 1] == b'+' || s[start - 1] == b'-');
        if !is_zone {
            uptime = Some(d.value());
            let mut j = start;
            while j > 0 && s[j - 1] == b' ' {
                j -= 1;
            }
            if j == 0 || s[j - 1] != b':' {
                return (uptime, None);
            }
            date_end = j - 1;
        }
    }
    // A date stamp is 24–29 bytes long, ending at `date_end`.
    for len in [28usize, 29, 24, 25, 23, 19] {
        if date_end >= len {
            let start = date_end - len;
            if let Some((_, used)) = iso_date(&s[start..date_end]) {
                if used == len {
                    return (uptime, Some((start, date_end)));
                }
            }
        }
    }
    (uptime, None)
}

/// Leading stamps of a line (`2020-…+0000: 12.345: `), skipped; returns the uptime,
/// the date range and where the rest starts.
pub(super) fn leading_stamps(s: &[u8]) -> (Option<f64>, Option<(usize, usize)>, usize) {
    let mut i = 0;
    let mut uptime = None;
    let mut date = None;
    // Threads writing at once can repeat a stamp (`date: date: 12.3: …`).
    for _ in 0..4 {
        if let Some((_, used)) = iso_date(&s[i..]) {
            if s.get(i + used) == Some(&b':') {
                date = Some((i, i + used));
                i += used + 1;
                while s.get(i) == Some(&b' ') {
                    i += 1;
                }
                continue;
            }
        }
        if let Some((d, end)) = decimal_starting_at(s, i) {
            if s.get(end) == Some(&b':') && !d.frac.is_empty() {
                uptime = Some(d.value());
                i = end + 1;
                while s.get(i) == Some(&b' ') {
                    i += 1;
                }
                continue;
            }
        }
        break;
    }
    (uptime, date, i)
}

pub(super) fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(haystack, needle).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_exact_in_nanoseconds_with_either_decimal_separator() {
        assert_eq!(
            trailing_duration(b"x 65469K->65036K(65472K), 0.8807347 secs"),
            Some((880_734_700, 26))
        );
        assert_eq!(
            trailing_duration(b"GC 1K->0K(2K), 0,0045523 secs ").map(|d| d.0),
            Some(4_552_300)
        );
        assert_eq!(
            trailing_duration(b"Pause Young 14M->12M(128M) 6.529ms").map(|d| d.0),
            Some(6_529_000)
        );
        assert_eq!(
            trailing_duration(b"Pause Init Mark, 0.563 ms").map(|d| d.0),
            Some(563_000)
        );
        // A number glued to a word is not a duration.
        assert_eq!(trailing_duration(b"x12.5 secs"), None);
        assert_eq!(trailing_duration(b"no duration here"), None);
    }

    #[test]
    fn heap_transitions_take_the_last_one_and_their_units() {
        let change =
            last_heap_change(b"[PSYoungGen: 5437K->880K(6336K)] 5437K->5238K(64640K), 0.0045523 secs").unwrap();
        assert_eq!(change.before, 5437 * 1024);
        assert_eq!(change.after, 5238 * 1024);
        assert_eq!(change.capacity, 64640 * 1024);
        let g1 = last_heap_change(b"Eden: 24.0M(24.0M)->0.0B(13.0M) Heap: 24.0M(256.0M)->21.6M(256.0M)").unwrap();
        assert_eq!(g1.before, 24 << 20);
        assert_eq!(g1.capacity, 256 << 20);
        assert_eq!(last_heap_change(b"44429K(83008K), 0.0053285 secs"), None);
    }

    #[test]
    fn dates_read_with_their_zone() {
        let (a, len) = iso_date(b"2022-11-10T03:37:29.443-0800: rest").unwrap();
        assert_eq!(len, 28);
        let (b, _) = iso_date(b"2022-11-10T11:37:29.443+0000").unwrap();
        assert!((a - b).abs() < 1e-6);
        assert_eq!(iso_date(b"1970-01-02T00:00:00Z").map(|d| d.0), Some(86_400.0));
        assert_eq!(iso_date(b"not a date at all, not one"), None);
    }

    #[test]
    fn stamps_before_an_event_are_found_backwards() {
        let line = b"2020-01-01T12:00:00.000+0000: 12.345: [GC";
        let (uptime, date) = stamps_before(line, line.len() - 3);
        assert_eq!(uptime, Some(12.345));
        assert_eq!(date, Some((0, 28)));
        let only_date = b"2020-01-01T12:00:00.000+0000: [GC";
        let (uptime, date) = stamps_before(only_date, only_date.len() - 3);
        assert_eq!(uptime, None);
        assert_eq!(date, Some((0, 28)));
        assert_eq!(stamps_before(b"(16M)0.390: [GC", 12).0, Some(0.39));
        assert_eq!(stamps_before(b"[GC", 0), (None, None));
    }

    #[test]
    fn decimal_values_round_once() {
        let (d, _) = decimal_starting_at(b"0.356", 0).unwrap();
        assert_eq!(d.value(), 0.356);
        let (d, _) = decimal_starting_at(b"63,357", 0).unwrap();
        assert_eq!(d.value(), 63.357);
    }

    #[test]
    fn leading_stamps_are_skipped() {
        let line = b"2020-01-01T12:00:00.000+0000: 5.5: Total time";
        let (uptime, date, rest) = leading_stamps(line);
        assert_eq!(uptime, Some(5.5));
        assert!(date.is_some());
        assert_eq!(&line[rest..], b"Total time");
        let doubled = b"2015-02-25T12:47:08.028+0100: 2015-02-25T12:47:08.028+0100: 6616,888: Total time";
        let (uptime, _, rest) = leading_stamps(doubled);
        assert_eq!(uptime, Some(6616.888));
        assert_eq!(&doubled[rest..], b"Total time");
    }
}
