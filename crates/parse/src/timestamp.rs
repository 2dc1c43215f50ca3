//! Timestamp recognition and conversion to Unix nanoseconds.
//!
//! Each layout has a hand-written recogniser over bytes: parsing timestamps is on the hot
//! path of every record, and a general strptime interpreter is several times slower.
//! Times without a zone are read in the [`TimeContext`] zone; times without a year take
//! the year of the context's reference date (the file's modification date), stepping
//! back one year for dates that would lie in the future.

/// Where zone-less times are.
#[derive(Debug, Clone)]
pub enum Zone {
    Fixed(i32),
    Named(jiff::tz::TimeZone),
}

impl Zone {
    pub fn utc() -> Zone {
        Zone::Fixed(0)
    }

    /// Parses `UTC`, `Z`, `±HH:MM`, `±HHMM`, `±HH` or an IANA name (`Asia/Shanghai`).
    pub fn parse(text: &str) -> Result<Zone, String> {
        let t = text.trim();
        if t.eq_ignore_ascii_case("utc") || t == "Z" || t.eq_ignore_ascii_case("gmt") {
            return Ok(Zone::Fixed(0));
        }
        if let Some((secs, len)) = parse_offset(t.as_bytes()) {
            if len == t.len() {
                return Ok(Zone::Fixed(secs));
            }
        }
        jiff::tz::TimeZone::get(t).map(Zone::Named).map_err(|e| {
            format!(
                "unknown time zone {t:?} (want an IANA name such as Asia/Shanghai or an offset such as +08:00): {e}"
            )
        })
    }

    /// Offset (seconds east of UTC) in force at a local wall-clock time.
    pub fn offset_at_local(&self, local_secs: i64) -> i32 {
        match self {
            Zone::Fixed(o) => *o,
            Zone::Named(tz) => {
                let at = |s: i64| {
                    jiff::Timestamp::from_second(s)
                        .map(|ts| tz.to_offset(ts).seconds())
                        .unwrap_or(0)
                };
                let first = at(local_secs);
                at(local_secs - first as i64)
            }
        }
    }
}

/// What zone-less and year-less times are resolved against.
#[derive(Debug, Clone)]
pub struct TimeContext {
    pub zone: Zone,
    /// Reference civil date (year, month, day): the year for year-less layouts and the
    /// date for time-only layouts.
    pub reference: (i32, u32, u32),
}

impl Default for TimeContext {
    fn default() -> Self {
        TimeContext {
            zone: Zone::utc(),
            reference: (1970, 1, 1),
        }
    }
}

impl TimeContext {
    /// Sets the reference date from a Unix time (e.g. a file's modification time).
    pub fn with_reference_unix(mut self, secs: i64) -> Self {
        let local = secs + self.zone.offset_at_local(secs) as i64;
        let (y, m, d) = civil_from_days(local.div_euclid(86_400));
        self.reference = (y as i32, m, d);
        self
    }

    /// The year of a year-less date: the latest that does not put it after the
    /// reference date. With the reference at the file's last record (see
    /// `intake`), a file that runs from June to February gets June..December of one
    /// year and January..February of the next: the backwards jump in months is the new
    /// year. No slack: a copied log must not land in the future.
    fn infer_year(&self, month: u32, day: u32) -> i64 {
        let (ry, rm, rd) = self.reference;
        if (month, day) > (rm, rd) {
            ry as i64 - 1
        } else {
            ry as i64
        }
    }
}

/// The timestamp layouts Triage recognises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TsLayout {
    /// `YYYY-MM-DD[T ]HH:MM:SS[.,]fff[zone]`, also with `/` or `.` in the date, and
    /// ` - ` before the clock (Gin).
    Iso,
    /// `YYYYMMDD-HH:MM:SS:fff` and `YYYYMMDDTHHMMSS`.
    CompactDate,
    /// `yyMMdd HHmmss` (Hadoop HDFS).
    YyMmDdCompact,
    /// `yy/MM/dd HH:MM:SS`.
    YyMmDd,
    /// `MM-dd HH:MM:SS.fff` or `MM.dd HH:MM:SS` (year inferred).
    MonthDay,
    /// `Mmm dd HH:MM:SS` (syslog, year inferred).
    Syslog,
    /// `Www Mmm dd HH:MM:SS[.ffffff] YYYY` (ctime, Apache error log).
    Ctime,
    /// `dd/Mmm/YYYY:HH:MM:SS +zzzz` (nginx/Apache access log), also with a space before
    /// the clock (Werkzeug, Django).
    Clf,
    /// `dd-Mmm-YYYY HH:MM:SS` or `dd Mmm YYYY HH:MM:SS`.
    DayMonthName,
    /// `Mmm d, YYYY h:mm:ss AM` (java.util.logging's SimpleFormatter, Java's medium date
    /// format), the month also spelled out, the comma and AM/PM optional.
    MonthNameYear,
    /// `M/d/YYYY h:mm:ss AM` (Windows and .NET in en-US: Event Viewer exports, IIS and
    /// SQL Server tools), `dd.MM.YYYY HH:mm:ss` (German, Russian locales) and
    /// `dd-MM-YYYY HH:mm:ss`: a numeric date with the year last.
    NumericDate,
    EpochSeconds,
    EpochMillis,
    EpochMicros,
    EpochNanos,
    /// `HH:MM:SS[.fff]` (date from the reference date).
    TimeOnly,
}

impl TsLayout {
    pub fn describe(self) -> &'static str {
        match self {
            TsLayout::Iso => "YYYY-MM-DD HH:MM:SS[.fff][zone] (ISO 8601 / RFC 3339 family)",
            TsLayout::CompactDate => "YYYYMMDD-HH:MM:SS[:fff]",
            TsLayout::YyMmDdCompact => "yyMMdd HHmmss",
            TsLayout::YyMmDd => "yy/MM/dd HH:MM:SS",
            TsLayout::MonthDay => "MM-dd HH:MM:SS[.fff] (year inferred)",
            TsLayout::Syslog => "Mmm dd HH:MM:SS (syslog, year inferred)",
            TsLayout::Ctime => "Www Mmm dd HH:MM:SS YYYY (ctime)",
            TsLayout::Clf => "dd/Mmm/YYYY:HH:MM:SS +zzzz (common log format)",
            TsLayout::DayMonthName => "dd-Mmm-YYYY HH:MM:SS",
            TsLayout::MonthNameYear => "Mmm d, YYYY h:mm:ss [AM|PM]",
            TsLayout::NumericDate => "M/d/YYYY h:mm:ss [AM|PM] or dd.MM.YYYY HH:mm:ss",
            TsLayout::EpochSeconds => "Unix epoch seconds",
            TsLayout::EpochMillis => "Unix epoch milliseconds",
            TsLayout::EpochMicros => "Unix epoch microseconds",
            TsLayout::EpochNanos => "Unix epoch nanoseconds",
            TsLayout::TimeOnly => "HH:MM:SS[.fff] (date from file)",
        }
    }

    /// Relative precision, used to prefer the richest of several timestamps on a line.
    pub fn richness(self) -> u8 {
        match self {
            TsLayout::Iso
            | TsLayout::Clf
            | TsLayout::Ctime
            | TsLayout::CompactDate
            | TsLayout::DayMonthName
            | TsLayout::MonthNameYear
            | TsLayout::NumericDate => 5,
            TsLayout::YyMmDd | TsLayout::YyMmDdCompact => 4,
            TsLayout::Syslog | TsLayout::MonthDay => 3,
            TsLayout::EpochMillis | TsLayout::EpochMicros | TsLayout::EpochNanos => 3,
            TsLayout::EpochSeconds => 2,
            TsLayout::TimeOnly => 1,
        }
    }

    pub const ALL: [TsLayout; 16] = [
        TsLayout::Iso,
        TsLayout::CompactDate,
        TsLayout::YyMmDdCompact,
        TsLayout::YyMmDd,
        TsLayout::MonthDay,
        TsLayout::Syslog,
        TsLayout::Ctime,
        TsLayout::Clf,
        TsLayout::DayMonthName,
        TsLayout::MonthNameYear,
        TsLayout::NumericDate,
        TsLayout::EpochSeconds,
        TsLayout::EpochMillis,
        TsLayout::EpochMicros,
        TsLayout::EpochNanos,
        TsLayout::TimeOnly,
    ];
}

/// A timestamp found at the start of a byte string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TsMatch {
    pub nanos: i64,
    /// Bytes consumed.
    pub len: usize,
    pub layout: TsLayout,
    /// The text carried its own zone or offset.
    pub zoned: bool,
    /// False when the text has a timestamp's shape but names no real time (month 13,
    /// Feb 30, year 9999 or 0001): [`parse_with_checked`] returns such matches (with
    /// `nanos` 0) so that a parser can count them; every other function drops them.
    pub valid: bool,
}

/// Years a log timestamp can plausibly have; outside them a date is taken for garbage
/// rather than placed (year 9999 does not fit nanoseconds since 1970 anyway).
pub const PLAUSIBLE_YEARS: std::ops::RangeInclusive<i64> = 1970..=2199;

/// Broken-down time before zone resolution.
struct Civil {
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    nanos: u32,
    offset: Option<i32>,
}

impl Civil {
    fn valid(&self) -> bool {
        (1..=12).contains(&self.month)
            && (1..=days_in_month(self.year, self.month)).contains(&self.day)
            && self.hour <= 24
            && self.minute <= 59
            && self.second <= 60
            && PLAUSIBLE_YEARS.contains(&self.year)
    }

    /// Finishes a date-time whose clock ends at `end`: an optional zone, then a token
    /// boundary.
    fn close(mut self, s: &[u8], end: usize, ctx: &TimeContext, layout: TsLayout) -> Option<TsMatch> {
        let (offset, zlen) = trailing_zone(s, end);
        if offset.is_none() && !boundary(s, end) {
            return None;
        }
        self.offset = offset;
        self.resolve(ctx, end + zlen, layout)
    }

    /// The match; one with `valid: false` when the fields name no real time.
    fn resolve(&self, ctx: &TimeContext, len: usize, layout: TsLayout) -> Option<TsMatch> {
        let invalid = TsMatch {
            nanos: 0,
            len,
            layout,
            zoned: self.offset.is_some(),
            valid: false,
        };
        if !self.valid() {
            return Some(invalid);
        }
        let days = days_from_civil(self.year, self.month, self.day);
        let local = days * 86_400 + (self.hour * 3600 + self.minute * 60 + self.second) as i64;
        let offset = match self.offset {
            Some(o) => o,
            None => ctx.zone.offset_at_local(local),
        };
        let secs = local - offset as i64;
        let Some(nanos) = secs
            .checked_mul(1_000_000_000)
            .and_then(|n| n.checked_add(self.nanos as i64))
        else {
            return Some(invalid);
        };
        Some(TsMatch {
            nanos,
            len,
            layout,
            zoned: self.offset.is_some(),
            valid: true,
        })
    }
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

/// Finds a timestamp of any known layout at the start of `s`.
pub fn scan(s: &[u8], ctx: &TimeContext) -> Option<TsMatch> {
    scan_impl(s, ctx, parse_with)
}

/// [`scan`], also finding text of a timestamp's shape that names no real time
/// (`valid: false`): where a file's timestamps are is learned from those too, so a
/// line dated `9999-01-01 10:00:00` is seen as a bad date, not as a bare `10:00:00`.
pub fn scan_checked(s: &[u8], ctx: &TimeContext) -> Option<TsMatch> {
    scan_impl(s, ctx, parse_with_checked)
}

fn scan_impl(
    s: &[u8],
    ctx: &TimeContext,
    parse: fn(TsLayout, &[u8], &TimeContext) -> Option<TsMatch>,
) -> Option<TsMatch> {
    let first = *s.first()?;
    if first.is_ascii_digit() {
        // Longest match wins: `2024-01-02 03:04:05` also starts with an epoch-like run.
        let mut best: Option<TsMatch> = None;
        for layout in [
            TsLayout::Iso,
            TsLayout::CompactDate,
            TsLayout::YyMmDdCompact,
            TsLayout::YyMmDd,
            TsLayout::MonthDay,
            TsLayout::Clf,
            TsLayout::DayMonthName,
            TsLayout::NumericDate,
            TsLayout::EpochSeconds,
            TsLayout::TimeOnly,
        ] {
            if let Some(m) = parse(layout, s, ctx) {
                if best.is_none_or(|b| m.len > b.len || (m.len == b.len && m.valid && !b.valid)) {
                    best = Some(m);
                }
            }
        }
        best
    } else if first.is_ascii_alphabetic() {
        parse(TsLayout::Ctime, s, ctx)
            .or_else(|| parse(TsLayout::MonthNameYear, s, ctx))
            .or_else(|| parse(TsLayout::DayMonthName, s, ctx))
            .or_else(|| parse(TsLayout::Syslog, s, ctx))
    } else {
        None
    }
}

/// Unix times written as bare numbers are taken for times only in 2000-01-01 ..
/// 2100-01-01 (nanoseconds): a run of digits is a weak sign, and the unit is guessed
/// from the magnitude, so `253402300800` (year 10000 in seconds) would otherwise be
/// read as milliseconds in 1978.
pub const EPOCH_RANGE: std::ops::Range<i64> = 946_684_800_000_000_000..4_102_444_800_000_000_000;

/// Within [`PLAUSIBLE_YEARS`], for Unix times given as numbers.
pub fn plausible_nanos(ns: f64) -> bool {
    // 1970-01-01 .. 2200-01-01.
    (0.0..7_258_118_400e9).contains(&ns)
}

/// Parses `s` as a whole timestamp string (JSON values, CSV cells): any layout, with
/// only whitespace allowed after it.
pub fn parse_text(s: &str, ctx: &TimeContext) -> Option<i64> {
    let t = s.trim();
    let m = scan(t.as_bytes(), ctx)?;
    if t[m.len..].trim().is_empty() {
        Some(m.nanos)
    } else {
        None
    }
}

/// What a timestamp-valued text holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextTime {
    Valid(i64),
    /// A timestamp's shape naming no real time (Feb 30, year 9999).
    Impossible,
    /// No timestamp.
    None,
}

/// [`parse_text`] telling an impossible timestamp from no timestamp.
pub fn parse_text_checked(s: &str, ctx: &TimeContext) -> TextTime {
    let t = s.trim();
    if let Some(n) = parse_text(t, ctx) {
        return TextTime::Valid(n);
    }
    let b = t.as_bytes();
    let whole = |m: &TsMatch| t.get(m.len..).is_some_and(|rest| rest.trim().is_empty());
    let impossible = TsLayout::ALL
        .iter()
        .filter_map(|&l| parse_with_checked(l, b, ctx))
        .any(|m| !m.valid && whole(&m));
    if impossible {
        TextTime::Impossible
    } else {
        TextTime::None
    }
}

/// Unix time given as a number: seconds, milliseconds, microseconds or nanoseconds,
/// told apart by magnitude (plausible between 1973 and 2286 in every unit).
pub fn from_epoch_number(n: f64) -> Option<i64> {
    let a = n.abs();
    let scale: i64 = if a < 1e11 {
        1_000_000_000
    } else if a < 1e14 {
        1_000_000
    } else if a < 1e17 {
        1_000
    } else {
        1
    };
    if a.is_nan() || a * scale as f64 >= 9.2e18 {
        return None;
    }
    // `253402300800` (year 10000 in seconds) read as milliseconds is 1978: a number
    // that is no plausible time in the unit its magnitude picks is none.
    if !plausible_nanos(n * scale as f64) {
        return None;
    }
    // Whole and fractional parts scaled apart: `n * 1e6` in f64 turns the millisecond
    // time 1700000000123 into ...123000064 ns.
    let whole = n.trunc();
    let frac = ((n - whole) * scale as f64).round() as i64;
    (whole as i64).checked_mul(scale)?.checked_add(frac)
}

/// Parses a timestamp of a given layout at the start of `s`.
pub fn parse_with(layout: TsLayout, s: &[u8], ctx: &TimeContext) -> Option<TsMatch> {
    parse_with_checked(layout, s, ctx).filter(|m| m.valid)
}

/// [`parse_with`], but text of the layout's shape that names no real time (Feb 30,
/// year 9999) is returned too, with `valid: false`: the line is a record head whose
/// time is to be counted as impossible, not a line without a timestamp.
pub fn parse_with_checked(layout: TsLayout, s: &[u8], ctx: &TimeContext) -> Option<TsMatch> {
    match layout {
        TsLayout::Iso => iso(s, ctx),
        TsLayout::CompactDate => compact_date(s, ctx),
        TsLayout::YyMmDdCompact => yymmdd_compact(s, ctx),
        TsLayout::YyMmDd => yymmdd(s, ctx),
        TsLayout::MonthDay => month_day(s, ctx),
        TsLayout::Syslog => syslog(s, ctx),
        TsLayout::Ctime => ctime(s, ctx),
        TsLayout::Clf => clf(s, ctx),
        TsLayout::DayMonthName => day_month_name(s, ctx),
        TsLayout::MonthNameYear => month_name_year(s, ctx),
        TsLayout::NumericDate => numeric_date(s, ctx),
        TsLayout::EpochSeconds | TsLayout::EpochMillis | TsLayout::EpochMicros | TsLayout::EpochNanos => epoch(s),
        TsLayout::TimeOnly => time_only(s, ctx),
    }
}

// ---- byte helpers -------------------------------------------------------------------

fn digits(s: &[u8], at: usize, n: usize) -> Option<u32> {
    let part = s.get(at..at + n)?;
    let mut v = 0u32;
    for &b in part {
        if !b.is_ascii_digit() {
            return None;
        }
        v = v * 10 + (b - b'0') as u32;
    }
    Some(v)
}

/// One or two digits (`9` or `09`); a leading space pads (`Jun  9`).
fn digits_1_2(s: &[u8], at: usize) -> Option<(u32, usize)> {
    let a = *s.get(at)?;
    if !a.is_ascii_digit() {
        return None;
    }
    match s.get(at + 1) {
        Some(b) if b.is_ascii_digit() => Some(((a - b'0') as u32 * 10 + (b - b'0') as u32, 2)),
        _ => Some(((a - b'0') as u32, 1)),
    }
}

fn boundary(s: &[u8], at: usize) -> bool {
    match s.get(at) {
        None => true,
        Some(b) => !b.is_ascii_alphanumeric(),
    }
}

fn month_name(s: &[u8], at: usize) -> Option<u32> {
    let m = s.get(at..at + 3)?;
    let lower = [
        m[0].to_ascii_lowercase(),
        m[1].to_ascii_lowercase(),
        m[2].to_ascii_lowercase(),
    ];
    let idx = [
        b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov", b"dec",
    ]
    .iter()
    .position(|n| **n == lower)?;
    Some(idx as u32 + 1)
}

/// A month name at `at`, abbreviated (`Dec`) or in full (`December`): (month, bytes).
fn month_name_any(s: &[u8], at: usize) -> Option<(u32, usize)> {
    const FULL: [&[u8]; 12] = [
        b"january",
        b"february",
        b"march",
        b"april",
        b"may",
        b"june",
        b"july",
        b"august",
        b"september",
        b"october",
        b"november",
        b"december",
    ];
    let month = month_name(s, at)?;
    let letters = s[at..].iter().take_while(|b| b.is_ascii_alphabetic()).count();
    match letters {
        3 => Some((month, 3)),
        n if s[at..at + n].eq_ignore_ascii_case(FULL[month as usize - 1]) => Some((month, n)),
        _ => None,
    }
}

fn weekday_name(s: &[u8], at: usize) -> bool {
    let Some(m) = s.get(at..at + 3) else { return false };
    let lower = [
        m[0].to_ascii_lowercase(),
        m[1].to_ascii_lowercase(),
        m[2].to_ascii_lowercase(),
    ];
    [b"mon", b"tue", b"wed", b"thu", b"fri", b"sat", b"sun"]
        .iter()
        .any(|n| **n == lower)
}

/// `HH:MM:SS` (separator `:` or, with `dot_ok`, `.`) then an optional fraction introduced
/// by `.`, `,` or `:`. Returns (h, m, s, nanos, bytes).
fn clock(s: &[u8], at: usize, dot_ok: bool) -> Option<(u32, u32, u32, u32, usize)> {
    // Fields may be unpadded (`20171224-0:0:0:215`).
    let (h, hl) = digits_1_2(s, at)?;
    let sep = *s.get(at + hl)?;
    if !(sep == b':' || (dot_ok && sep == b'.')) {
        return None;
    }
    let (m, ml) = digits_1_2(s, at + hl + 1)?;
    if *s.get(at + hl + 1 + ml)? != sep {
        return None;
    }
    let (sec, sl) = digits_1_2(s, at + hl + 2 + ml)?;
    let end = at + hl + 2 + ml + sl;
    let mut i = end;
    let mut nanos = 0u32;
    if let Some(&fs) = s.get(i) {
        if (fs == b'.' || fs == b',' || fs == b':') && s.get(i + 1).is_some_and(|b| b.is_ascii_digit()) {
            i += 1;
            let mut n = 0;
            while let Some(&b) = s.get(i) {
                if !b.is_ascii_digit() {
                    break;
                }
                if n < 9 {
                    nanos = nanos * 10 + (b - b'0') as u32;
                    n += 1;
                }
                i += 1;
            }
            for _ in n..9 {
                nanos *= 10;
            }
        }
    }
    Some((h, m, sec, nanos, i - at))
}

/// `Z`, `±HH:MM`, `±HHMM` or `±HH`. Returns (seconds east, bytes).
pub(crate) fn parse_offset(s: &[u8]) -> Option<(i32, usize)> {
    match s.first()? {
        b'Z' | b'z' => Some((0, 1)),
        &sign @ (b'+' | b'-') => {
            let h = digits(s, 1, 2)? as i32;
            let (m, len) = if s.get(3) == Some(&b':') {
                (digits(s, 4, 2)? as i32, 6)
            } else if let Some(m) = digits(s, 3, 2) {
                (m as i32, 5)
            } else {
                (0, 3)
            };
            if h > 18 || m > 59 {
                return None;
            }
            let secs = h * 3600 + m * 60;
            Some((if sign == b'-' { -secs } else { secs }, len))
        }
        _ => None,
    }
}

/// An optional zone right after a time: `Z`, `+08:00`, ` +0800`, ` UTC`.
fn trailing_zone(s: &[u8], at: usize) -> (Option<i32>, usize) {
    if let Some((off, len)) = s.get(at..).and_then(parse_offset) {
        if boundary(s, at + len) {
            return (Some(off), len);
        }
    }
    if s.get(at) == Some(&b' ') {
        if let Some(&b) = s.get(at + 1) {
            if b == b'+' || b == b'-' {
                if let Some((off, len)) = parse_offset(&s[at + 1..]) {
                    if len >= 5 && boundary(s, at + 1 + len) {
                        return (Some(off), len + 1);
                    }
                }
            }
        }
        if let Some(z) = s.get(at + 1..at + 4) {
            if (z == b"UTC" || z == b"GMT") && boundary(s, at + 4) {
                return (Some(0), 4);
            }
        }
    }
    (None, 0)
}

// ---- recognisers --------------------------------------------------------------------

fn iso(s: &[u8], ctx: &TimeContext) -> Option<TsMatch> {
    let year = digits(s, 0, 4)?;
    let dsep = *s.get(4)?;
    if !matches!(dsep, b'-' | b'/' | b'.') {
        return None;
    }
    let month = digits(s, 5, 2)?;
    if *s.get(7)? != dsep {
        return None;
    }
    let day = digits(s, 8, 2)?;
    let tsep = *s.get(10)?;
    if !matches!(tsep, b'T' | b't' | b' ' | b'-' | b'_' | b':') {
        return None;
    }
    // Gin's `2026/12/07 - 09:00:00`.
    let at = if s.get(10..13) == Some(b" - ") { 13 } else { 11 };
    // `2005-06-03-15.42.50.675872` (DB2/BGL style) uses dots in the clock.
    let (h, m, sec, nanos, clen) = clock(s, at, tsep == b'-')?;
    let end = at + clen;
    Civil {
        year: year as i64,
        month,
        day,
        hour: h,
        minute: m,
        second: sec,
        nanos,
        offset: None,
    }
    .close(s, end, ctx, TsLayout::Iso)
}

fn compact_date(s: &[u8], ctx: &TimeContext) -> Option<TsMatch> {
    let year = digits(s, 0, 4)?;
    let month = digits(s, 4, 2)?;
    let day = digits(s, 6, 2)?;
    let sep = *s.get(8)?;
    if !matches!(sep, b'-' | b'T' | b' ' | b'_') {
        return None;
    }
    let (h, m, sec, nanos, clen) = match clock(s, 9, false) {
        Some(c) => c,
        None => {
            let h = digits(s, 9, 2)?;
            let m = digits(s, 11, 2)?;
            let sec = digits(s, 13, 2)?;
            (h, m, sec, 0, 6)
        }
    };
    let end = 9 + clen;
    Civil {
        year: year as i64,
        month,
        day,
        hour: h,
        minute: m,
        second: sec,
        nanos,
        offset: None,
    }
    .close(s, end, ctx, TsLayout::CompactDate)
}

fn yymmdd_compact(s: &[u8], ctx: &TimeContext) -> Option<TsMatch> {
    let yy = digits(s, 0, 2)?;
    let month = digits(s, 2, 2)?;
    let day = digits(s, 4, 2)?;
    if *s.get(6)? != b' ' {
        return None;
    }
    let h = digits(s, 7, 2)?;
    let m = digits(s, 9, 2)?;
    let sec = digits(s, 11, 2)?;
    if !boundary(s, 13) {
        return None;
    }
    Civil {
        year: 2000 + yy as i64,
        month,
        day,
        hour: h,
        minute: m,
        second: sec,
        nanos: 0,
        offset: None,
    }
    .resolve(ctx, 13, TsLayout::YyMmDdCompact)
}

fn yymmdd(s: &[u8], ctx: &TimeContext) -> Option<TsMatch> {
    let a = digits(s, 0, 2)?;
    let sep = *s.get(2)?;
    if sep != b'/' && sep != b'-' {
        return None;
    }
    let b = digits(s, 3, 2)?;
    if *s.get(5)? != sep {
        return None;
    }
    let c = digits(s, 6, 2)?;
    if !matches!(s.get(8)?, b' ' | b'T' | b'-' | b':') {
        return None;
    }
    let (h, m, sec, nanos, clen) = clock(s, 9, false)?;
    let end = 9 + clen;
    // yy/MM/dd (log4j `%d{yy/MM/dd}`) when it reads as a date; otherwise MM/dd/yy.
    let (year, month, day) = if (1..=12).contains(&b) && (1..=31).contains(&c) {
        (a, b, c)
    } else {
        (c, a, b)
    };
    Civil {
        year: 2000 + year as i64,
        month,
        day,
        hour: h,
        minute: m,
        second: sec,
        nanos,
        offset: None,
    }
    .close(s, end, ctx, TsLayout::YyMmDd)
}

fn month_day(s: &[u8], ctx: &TimeContext) -> Option<TsMatch> {
    let month = digits(s, 0, 2)?;
    let sep = *s.get(2)?;
    if !matches!(sep, b'-' | b'/' | b'.') {
        return None;
    }
    let day = digits(s, 3, 2)?;
    if *s.get(5)? != b' ' {
        return None;
    }
    let (h, m, sec, nanos, clen) = clock(s, 6, false)?;
    let end = 6 + clen;
    if !boundary(s, end) {
        return None;
    }
    let year = ctx.infer_year(month, day);
    Civil {
        year,
        month,
        day,
        hour: h,
        minute: m,
        second: sec,
        nanos,
        offset: None,
    }
    .resolve(ctx, end, TsLayout::MonthDay)
}

fn syslog(s: &[u8], ctx: &TimeContext) -> Option<TsMatch> {
    let month = month_name(s, 0)?;
    let mut i = 3;
    if *s.get(i)? != b' ' {
        return None;
    }
    while s.get(i) == Some(&b' ') {
        i += 1;
    }
    let (day, dlen) = digits_1_2(s, i)?;
    i += dlen;
    if *s.get(i)? != b' ' {
        return None;
    }
    i += 1;
    let (h, m, sec, nanos, clen) = clock(s, i, false)?;
    i += clen;
    if !boundary(s, i) {
        return None;
    }
    let year = ctx.infer_year(month, day);
    Civil {
        year,
        month,
        day,
        hour: h,
        minute: m,
        second: sec,
        nanos,
        offset: None,
    }
    .resolve(ctx, i, TsLayout::Syslog)
}

fn ctime(s: &[u8], ctx: &TimeContext) -> Option<TsMatch> {
    if !weekday_name(s, 0) {
        return None;
    }
    let mut i = 3;
    if s.get(i) == Some(&b',') {
        i += 1;
    }
    if *s.get(i)? != b' ' {
        return None;
    }
    i += 1;
    let month = month_name(s, i)?;
    i += 3;
    while s.get(i) == Some(&b' ') {
        i += 1;
    }
    let (day, dlen) = digits_1_2(s, i)?;
    i += dlen;
    if *s.get(i)? != b' ' {
        return None;
    }
    i += 1;
    let (h, m, sec, nanos, clen) = clock(s, i, false)?;
    i += clen;
    let (mut offset, zlen) = trailing_zone(s, i);
    i += zlen;
    if *s.get(i)? != b' ' {
        return None;
    }
    let year = digits(s, i + 1, 4)?;
    i += 5;
    if !boundary(s, i) {
        return None;
    }
    if offset.is_none() {
        let (o, zl) = trailing_zone(s, i);
        offset = o;
        i += zl;
    }
    Civil {
        year: year as i64,
        month,
        day,
        hour: h,
        minute: m,
        second: sec,
        nanos,
        offset,
    }
    .resolve(ctx, i, TsLayout::Ctime)
}

fn month_name_year(s: &[u8], ctx: &TimeContext) -> Option<TsMatch> {
    let (month, mut i) = month_name_any(s, 0)?;
    if *s.get(i)? != b' ' {
        return None;
    }
    i += 1;
    let (day, dlen) = digits_1_2(s, i)?;
    i += dlen;
    if s.get(i) == Some(&b',') {
        i += 1;
    }
    if *s.get(i)? != b' ' {
        return None;
    }
    let year = digits(s, i + 1, 4)?;
    i += 5;
    if *s.get(i)? != b' ' {
        return None;
    }
    i += 1;
    let (h, m, sec, nanos, clen) = clock(s, i, false)?;
    i += clen;
    let (h, mlen) = meridiem(s, i, h)?;
    i += mlen;
    if !boundary(s, i) {
        return None;
    }
    Civil {
        year: year as i64,
        month,
        day,
        hour: h,
        minute: m,
        second: sec,
        nanos,
        offset: None,
    }
    .resolve(ctx, i, TsLayout::MonthNameYear)
}

/// ` AM` / ` PM` after a clock ending at `i`: a 12-hour clock. Returns the hour on the
/// 24-hour clock and the bytes taken (0 without a meridiem); None for an hour no 12-hour
/// clock shows (`13:00:00 PM`).
fn meridiem(s: &[u8], i: usize, h: u32) -> Option<(u32, usize)> {
    if s.get(i) != Some(&b' ') {
        return Some((h, 0));
    }
    let pm = match s
        .get(i + 1..i + 3)
        .map(|w| [w[0].to_ascii_uppercase(), w[1].to_ascii_uppercase()])
    {
        Some([b'A', b'M']) => false,
        Some([b'P', b'M']) => true,
        _ => return Some((h, 0)),
    };
    if !boundary(s, i + 3) {
        return Some((h, 0));
    }
    if !(1..=12).contains(&h) {
        return None;
    }
    Some((h % 12 + if pm { 12 } else { 0 }, 3))
}

/// [`TsLayout::NumericDate`]: `M/d/YYYY` month first (US) unless the first number
/// cannot be a month (`25/12/2026`); with dots or dashes (`07.12.2026`, `07-12-2026`)
/// day first, as the locales that write them do. Then a clock, hours maybe unpadded,
/// an optional ` AM`/` PM` and zone.
fn numeric_date(s: &[u8], ctx: &TimeContext) -> Option<TsMatch> {
    let (a, alen) = digits_1_2(s, 0)?;
    let sep = *s.get(alen)?;
    if !matches!(sep, b'/' | b'.' | b'-') {
        return None;
    }
    let (b, blen) = digits_1_2(s, alen + 1)?;
    let mut i = alen + 1 + blen;
    if *s.get(i)? != sep {
        return None;
    }
    let year = digits(s, i + 1, 4)?;
    i += 5;
    // A space or `T`, maybe a comma before it (`12/7/2026, 9:00:00 AM`, JavaScript's en-US).
    if s.get(i) == Some(&b',') {
        i += 1;
    }
    if !matches!(s.get(i)?, b' ' | b'T') {
        return None;
    }
    i += 1;
    let (h, m, sec, nanos, clen) = clock(s, i, false)?;
    i += clen;
    let (h, mlen) = meridiem(s, i, h)?;
    i += mlen;
    let (month, day) = if sep == b'/' && a <= 12 { (a, b) } else { (b, a) };
    Civil {
        year: year as i64,
        month,
        day,
        hour: h,
        minute: m,
        second: sec,
        nanos,
        offset: None,
    }
    .close(s, i, ctx, TsLayout::NumericDate)
}

fn clf(s: &[u8], ctx: &TimeContext) -> Option<TsMatch> {
    let day = digits(s, 0, 2)?;
    if *s.get(2)? != b'/' {
        return None;
    }
    let month = month_name(s, 3)?;
    if *s.get(6)? != b'/' {
        return None;
    }
    let year = digits(s, 7, 4)?;
    // `:` as access logs write it; a space in Python's (`[07/Dec/2026 09:00:00]`, Django's
    // development server and Werkzeug).
    if !matches!(s.get(11)?, b':' | b' ') {
        return None;
    }
    let (h, m, sec, nanos, clen) = clock(s, 12, false)?;
    let end = 12 + clen;
    Civil {
        year: year as i64,
        month,
        day,
        hour: h,
        minute: m,
        second: sec,
        nanos,
        offset: None,
    }
    .close(s, end, ctx, TsLayout::Clf)
}

fn day_month_name(s: &[u8], ctx: &TimeContext) -> Option<TsMatch> {
    // RFC 1123 (HTTP dates, mail): `Wed, 01 May 2024 08:00:00 GMT`.
    let w = if weekday_name(s, 0) && s.get(3..5) == Some(b", ") {
        5
    } else {
        0
    };
    let (day, dlen) = digits_1_2(s, w)?;
    let sep = *s.get(w + dlen)?;
    if sep != b'-' && sep != b' ' {
        return None;
    }
    let month = month_name(s, w + dlen + 1)?;
    if *s.get(w + dlen + 4)? != sep {
        return None;
    }
    let year = digits(s, w + dlen + 5, 4)?;
    let mut i = w + dlen + 9;
    if !matches!(s.get(i)?, b' ' | b':') {
        return None;
    }
    i += 1;
    let (h, m, sec, nanos, clen) = clock(s, i, false)?;
    i += clen;
    Civil {
        year: year as i64,
        month,
        day,
        hour: h,
        minute: m,
        second: sec,
        nanos,
        offset: None,
    }
    .close(s, i, ctx, TsLayout::DayMonthName)
}

fn epoch(s: &[u8]) -> Option<TsMatch> {
    let n = s.iter().take_while(|b| b.is_ascii_digit()).count();
    let (layout, scale) = match n {
        10 => (TsLayout::EpochSeconds, 1_000_000_000i64),
        13 => (TsLayout::EpochMillis, 1_000_000),
        16 => (TsLayout::EpochMicros, 1_000),
        19 => (TsLayout::EpochNanos, 1),
        _ => return None,
    };
    let v: i64 = std::str::from_utf8(&s[..n]).ok()?.parse().ok()?;
    let nanos = v.checked_mul(scale)?;
    if !EPOCH_RANGE.contains(&nanos) {
        return None;
    }
    let mut len = n;
    let mut frac_ns = 0i64;
    if layout == TsLayout::EpochSeconds && s.get(n) == Some(&b'.') {
        let f = s[n + 1..].iter().take_while(|b| b.is_ascii_digit()).count();
        if f > 0 {
            let mut v = 0i64;
            for (k, &b) in s[n + 1..n + 1 + f].iter().enumerate() {
                if k < 9 {
                    v = v * 10 + (b - b'0') as i64;
                }
            }
            for _ in f.min(9)..9 {
                v *= 10;
            }
            frac_ns = v;
            len = n + 1 + f;
        }
    }
    if !boundary(s, len) {
        return None;
    }
    Some(TsMatch {
        nanos: nanos + frac_ns,
        len,
        layout,
        zoned: true,
        valid: true,
    })
}

fn time_only(s: &[u8], ctx: &TimeContext) -> Option<TsMatch> {
    let (h, m, sec, nanos, clen) = clock(s, 0, false)?;
    if !boundary(s, clen) {
        return None;
    }
    let (y, mo, d) = ctx.reference;
    Civil {
        year: y as i64,
        month: mo,
        day: d,
        hour: h,
        minute: m,
        second: sec,
        nanos,
        offset: None,
    }
    .resolve(ctx, clen, TsLayout::TimeOnly)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day number (inverse of [`days_from_civil`]).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::rfc3339;

    fn ctx() -> TimeContext {
        TimeContext {
            zone: Zone::utc(),
            reference: (2024, 6, 30),
        }
    }

    fn at(s: &str) -> (String, usize, TsLayout) {
        let m = scan(s.as_bytes(), &ctx()).unwrap_or_else(|| panic!("no timestamp in {s:?}"));
        (rfc3339(m.nanos), m.len, m.layout)
    }

    #[test]
    fn layouts_from_real_logs() {
        assert_eq!(at("2015-10-18 18:01:47,978 INFO").0, "2015-10-18T18:01:47.978Z");
        assert_eq!(
            at("2024-03-01T10:00:00.123456+08:00 x").0,
            "2024-03-01T02:00:00.123456Z"
        );
        assert_eq!(at("2024-03-01T10:00:00Z").1, 20);
        assert_eq!(at("2009/11/10 23:00:00 msg").0, "2009-11-10T23:00:00Z");
        assert_eq!(at("081109 203615 148 INFO").0, "2008-11-09T20:36:15Z");
        assert_eq!(at("17/06/09 20:10:40 INFO").0, "2017-06-09T20:10:40Z");
        assert_eq!(at("03-17 16:13:38.811  1702").0, "2024-03-17T16:13:38.811Z");
        assert_eq!(at("10.30 16:49:06] x").0, "2023-10-30T16:49:06Z");
        assert_eq!(at("20171223-22:15:29:606|Step").0, "2017-12-23T22:15:29.606Z");
        assert_eq!(at("Jun 14 15:16:01 combo").0, "2024-06-14T15:16:01Z");
        assert_eq!(at("Jul  1 09:00:55 host").0, "2023-07-01T09:00:55Z");
        assert_eq!(at("Sun Dec 04 04:47:44 2005] [notice]").0, "2005-12-04T04:47:44Z");
        assert_eq!(at("10/Oct/2000:13:55:36 -0700] \"GET").0, "2000-10-10T20:55:36Z");
        assert_eq!(at("2005-06-03-15.42.50.675872 R02").0, "2005-06-03T15:42:50.675872Z");
        assert_eq!(at("1117838570 2005.06.03").0, "2005-06-03T22:42:50Z");
        assert_eq!(at("1700000000123 x").2, TsLayout::EpochMillis);
        assert_eq!(at("12:34:56.789 hello").0, "2024-06-30T12:34:56.789Z");
        assert_eq!(at("23-Nov-2026 10:00:00.123 INFO").0, "2026-11-23T10:00:00.123Z");
        assert_eq!(at("2023-01-01 10:00:00 +0800 x").0, "2023-01-01T02:00:00Z");
    }

    /// java.util.logging's SimpleFormatter and Java's medium date format: a 12-hour
    /// clock (9 PM is not 9 AM; 12 AM is midnight), the month spelled out or not.
    #[test]
    fn month_name_dates_with_a_year_and_a_12_hour_clock() {
        assert_eq!(at("Dec 07, 2026 9:00:00 AM com.acme.App run").0, "2026-12-07T09:00:00Z");
        assert_eq!(at("Dec 7, 2026 9:05:01 PM com.acme.App run").0, "2026-12-07T21:05:01Z");
        assert_eq!(at("Dec 7, 2026 12:00:00 AM x").0, "2026-12-07T00:00:00Z");
        assert_eq!(at("Dec 7, 2026 12:30:00 PM x").0, "2026-12-07T12:30:00Z");
        assert_eq!(at("December 7, 2026 9:05:01 pm x").0, "2026-12-07T21:05:01Z");
        assert_eq!(at("Jan 2 2025 13:04:05 x").0, "2025-01-02T13:04:05Z");
        let (_, len, layout) = at("Dec 07, 2026 9:00:00 AM com.acme.App run");
        assert_eq!((len, layout), (23, TsLayout::MonthNameYear));
        // 13 PM is no time; a month name must be one.
        assert!(scan(b"Dec 7, 2026 13:00:00 PM x", &ctx()).is_none());
        assert!(scan(b"Decimal 7, 2026 9:00:00 AM", &ctx()).is_none());
    }

    /// Numeric dates with the year last: en-US (month first, 12-hour clock), and day
    /// first where the first number is no month or the separator is a dot or dash.
    #[test]
    fn numeric_dates_with_the_year_last() {
        assert_eq!(at("12/7/2026 9:05:01 PM Orders").0, "2026-12-07T21:05:01Z");
        assert_eq!(at("12/07/2026 09:05:01 AM x").0, "2026-12-07T09:05:01Z");
        assert_eq!(at("1/2/2026 12:00:00 AM x").0, "2026-01-02T00:00:00Z");
        assert_eq!(at("12/7/2026, 9:05:01 PM x").0, "2026-12-07T21:05:01Z");
        assert_eq!(at("25/12/2026 13:00:00 x").0, "2026-12-25T13:00:00Z");
        assert_eq!(at("07.12.2026 13:00:00.250 x").0, "2026-12-07T13:00:00.250Z");
        assert_eq!(at("07-12-2026 13:00:00 x").0, "2026-12-07T13:00:00Z");
        let (_, len, layout) = at("12/7/2026 9:05:01 PM\tOrders");
        assert_eq!((len, layout), (20, TsLayout::NumericDate));
        assert!(scan(b"13/13/2026 10:00:00", &ctx()).is_none());
        assert!(scan(b"12/7/2026 13:00:00 PM", &ctx()).is_none());
        // Not an IP address or a version.
        assert!(scan(b"10.0.1.5 GET", &ctx()).is_none());
    }

    /// Gin's `2026/12/07 - 09:00:00`; Werkzeug's and Django's `[07/Dec/2026 09:00:00]`.
    #[test]
    fn framework_dates() {
        assert_eq!(at("2026/12/07 - 09:00:00 | 200 |").0, "2026-12-07T09:00:00Z");
        assert_eq!(at("2026/12/07 - 09:00:00 | 200 |").1, 21);
        assert_eq!(at("07/Dec/2026 09:00:00] \"GET").0, "2026-12-07T09:00:00Z");
        assert_eq!(at("07/Dec/2026 09:00:00] \"GET").2, TsLayout::Clf);
    }

    /// RFC 1123, as HTTP servers and mailers write dates.
    #[test]
    fn rfc_1123_dates() {
        assert_eq!(at("Wed, 01 May 2024 08:00:00 GMT x").0, "2024-05-01T08:00:00Z");
        let (_, len, layout) = at("Wed, 01 May 2024 08:00:00 GMT x");
        assert_eq!((len, layout), (29, TsLayout::DayMonthName));
        assert_eq!(at("Wed, 1 May 2024 10:00:00 +0200 x").0, "2024-05-01T08:00:00Z");
        // Without the weekday it is the layout it was.
        assert_eq!(at("01 May 2024 08:00:00 x").0, "2024-05-01T08:00:00Z");
    }

    #[test]
    fn zone_less_times_use_the_context_zone() {
        let c = TimeContext {
            zone: Zone::parse("Asia/Shanghai").unwrap(),
            reference: (2024, 1, 1),
        };
        let m = scan(b"2024-01-01 08:00:00", &c).unwrap();
        assert_eq!(rfc3339(m.nanos), "2024-01-01T00:00:00Z");
        let c = TimeContext {
            zone: Zone::parse("-05:00").unwrap(),
            reference: (2024, 1, 1),
        };
        let m = scan(b"2024-01-01 08:00:00", &c).unwrap();
        assert_eq!(rfc3339(m.nanos), "2024-01-01T13:00:00Z");
        // An explicit offset wins over the context zone.
        let m = scan(b"2024-01-01 08:00:00Z", &c).unwrap();
        assert_eq!(rfc3339(m.nanos), "2024-01-01T08:00:00Z");
    }

    #[test]
    fn year_is_inferred_backwards_across_new_year() {
        let c = TimeContext {
            zone: Zone::utc(),
            reference: (2025, 1, 2),
        };
        assert_eq!(
            rfc3339(scan(b"Dec 31 23:59:59 h", &c).unwrap().nanos),
            "2024-12-31T23:59:59Z"
        );
        assert_eq!(
            rfc3339(scan(b"Jan  2 00:00:01 h", &c).unwrap().nanos),
            "2025-01-02T00:00:01Z"
        );
    }

    #[test]
    fn non_timestamps_are_rejected() {
        for s in [
            "hello",
            "12345",
            "2024-13-01 00:00:00",
            "1.2.3.4",
            "99:99:99",
            "2005.06.03 R02",
        ] {
            assert!(scan(s.as_bytes(), &ctx()).is_none(), "{s}");
        }
    }

    #[test]
    fn epoch_numbers_by_magnitude() {
        assert_eq!(from_epoch_number(1_700_000_000.5), Some(1_700_000_000_500_000_000));
        assert_eq!(from_epoch_number(1_700_000_000_000.0), Some(1_700_000_000_000_000_000));
        assert_eq!(from_epoch_number(1_700_000_000_123.0), Some(1_700_000_000_123_000_000));
        assert_eq!(from_epoch_number(f64::NAN), None);
        assert_eq!(from_epoch_number(1e300), None);
        assert_eq!(
            rfc3339(parse_text("1700000000", &ctx()).unwrap()),
            "2023-11-14T22:13:20Z"
        );
    }

    #[test]
    fn civil_round_trip() {
        for d in [-800_000i64, -1, 0, 1, 10_957, 19_000, 2_000_000] {
            let (y, m, dd) = civil_from_days(d);
            assert_eq!(days_from_civil(y, m, dd), d);
        }
    }
}
