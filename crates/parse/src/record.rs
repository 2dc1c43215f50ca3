//! The normalised record every later stage consumes.

use crate::Level;

/// A field name: a static name (`pid`) or one read from the input (a JSON key).
pub type FieldName = std::borrow::Cow<'static, str>;

/// One log record: a header line plus any continuation lines joined to it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Record {
    /// Unix time in nanoseconds (UTC).
    pub ts: Option<i64>,
    /// The record had no timestamp of its own and took the previous record's.
    pub ts_inherited: bool,
    /// Set by a parser: the record's timestamp was there but cannot be (year 9999,
    /// Feb 30, a Unix time out of range). The assembler counts it and gives the record
    /// the previous record's time, as for a record without one.
    pub ts_invalid: bool,
    pub level: Option<Level>,
    /// Logger name, source file (without line number) or component.
    pub module: Option<String>,
    pub host: Option<String>,
    pub service: Option<String>,
    /// The text after the header; continuation lines are joined with `\n`.
    pub message: String,
    /// Every other header field, in the order met (nested JSON keys flattened with `.`).
    /// Names are usually fixed (`pid`, `thread`), so they are borrowed when they can be.
    pub fields: Vec<(FieldName, String)>,
    /// 1-based number of the record's first line in its file.
    pub line: u64,
    /// Physical lines making up the record.
    pub line_count: u32,
    /// The record was longer than the record cap and was cut.
    pub truncated: bool,
}

impl Record {
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k.as_ref() == name)
            .map(|(_, v)| v.as_str())
    }

    /// Appends this record as one JSON line: `{ts, level, module, host, service, message,
    /// fields, source, line}`. Written by hand because this is the hot path of `parse`.
    pub fn write_json(&self, source: &str, out: &mut Vec<u8>) {
        let mut quoted = Vec::with_capacity(source.len() + 2);
        write_json_str(source, &mut quoted);
        self.write_json_with_source(&quoted, out);
    }

    /// [`Record::write_json`] with the source already written as a JSON string
    /// (`"\"app.log\""`), so a chunk of records escapes its file name once.
    pub fn write_json_with_source(&self, source_json: &[u8], out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"ts\":");
        match self.ts {
            Some(ns) => {
                out.push(b'"');
                write_rfc3339(ns, out);
                out.push(b'"');
            }
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(b",\"level\":");
        match self.level {
            Some(l) => {
                out.push(b'"');
                out.extend_from_slice(l.as_str().as_bytes());
                out.push(b'"');
            }
            None => out.extend_from_slice(b"null"),
        }
        for (key, value) in [
            (&b",\"module\":"[..], &self.module),
            (b",\"host\":", &self.host),
            (b",\"service\":", &self.service),
        ] {
            out.extend_from_slice(key);
            match value {
                Some(v) => write_json_str(v, out),
                None => out.extend_from_slice(b"null"),
            }
        }
        out.extend_from_slice(b",\"message\":");
        write_json_str(&self.message, out);
        out.extend_from_slice(b",\"fields\":{");
        for (i, (k, v)) in self.fields.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            write_json_str(k, out);
            out.push(b':');
            write_json_str(v, out);
        }
        out.extend_from_slice(b"},\"source\":");
        out.extend_from_slice(source_json);
        out.extend_from_slice(b",\"line\":");
        push_padded(out, self.line, 1);
        if self.ts_inherited {
            out.extend_from_slice(b",\"ts_inherited\":true");
        }
        if self.truncated {
            out.extend_from_slice(b",\"truncated\":true");
        }
        out.extend_from_slice(b"}\n");
    }
}

/// Bytes that must be escaped inside a JSON string.
const NEEDS_ESCAPE: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 0x20 {
        t[i] = true;
        i += 1;
    }
    t[b'"' as usize] = true;
    t[b'\\' as usize] = true;
    t
};

/// True when any byte of `x` is below 0x20, `"` or `\\` (SWAR byte tests).
#[inline]
fn needs_escape_swar(x: u64) -> bool {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let has_zero = |v: u64| v.wrapping_sub(LO) & !v & HI;
    // Bytes < 0x20 (only meaningful for ASCII bytes; high bytes are masked out by !x).
    let below_space = x.wrapping_sub(LO * 0x20) & !x & HI;
    below_space | has_zero(x ^ (LO * b'"' as u64)) | has_zero(x ^ (LO * b'\\' as u64)) != 0
}

/// What the key of a per-request id names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CorrelationKey {
    Trace,
    Span,
    Request,
}

/// `TraceID`, `span_id`, `X-Request-Id`, `x-b3-traceid`…: the kind of id a field name or
/// a `Key:` in a message stands for, compared without case and without `_`, `-`, `.`.
/// Logging layouts put these keys in the message (`c.e.Ctl#83 TraceID: 42b4… text`).
pub fn correlation_key(word: &[u8]) -> Option<CorrelationKey> {
    // Most words are none of these (this runs on most header tokens): the keys are 6 to
    // 13 letters long and start with one of `c p r s t x`.
    let first = word.iter().find(|b| !matches!(b, b'_' | b'-' | b'.'));
    if word.len() < 6 || !first.is_some_and(|b| b"cprstxCPRSTX".contains(b)) {
        return None;
    }
    let mut buf = [0u8; 24];
    let mut n = 0;
    for &b in word {
        if matches!(b, b'_' | b'-' | b'.') {
            continue;
        }
        if n == buf.len() {
            return None;
        }
        buf[n] = b.to_ascii_lowercase();
        n += 1;
    }
    match &buf[..n] {
        b"traceid" | b"xb3traceid" => Some(CorrelationKey::Trace),
        b"spanid" | b"parentid" | b"parentspanid" | b"xb3spanid" => Some(CorrelationKey::Span),
        b"requestid" | b"xrequestid" | b"correlationid" => Some(CorrelationKey::Request),
        _ => None,
    }
}

/// Writes `s` as a JSON string literal.
pub fn write_json_str(s: &str, out: &mut Vec<u8>) {
    out.reserve(s.len() + 2);
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        // Skip 8 clean bytes at a time (no control byte, quote or backslash): most
        // messages need no escaping at all.
        while i + 8 <= bytes.len() {
            let mut word = [0u8; 8];
            word.copy_from_slice(&bytes[i..i + 8]);
            if needs_escape_swar(u64::from_le_bytes(word)) {
                break;
            }
            i += 8;
        }
        if i >= bytes.len() {
            break;
        }
        let b = bytes[i];
        if !NEEDS_ESCAPE[b as usize] {
            i += 1;
            continue;
        }
        out.extend_from_slice(&bytes[start..i]);
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(b"\\u00");
                out.push(HEX[(b >> 4) as usize]);
                out.push(HEX[(b & 0xf) as usize]);
            }
        }
        i += 1;
        start = i;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// The decimal digits of `v`, zero-padded to `width` (at most 20), written into `buf`:
/// numbers for hot output paths without `format!`.
pub fn decimal(mut v: u64, width: usize, buf: &mut [u8; 20]) -> &[u8] {
    *buf = [b'0'; 20];
    let mut i = buf.len();
    while v > 0 && i > 0 {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
    }
    let start = (buf.len() - width.min(buf.len())).min(i);
    &buf[start..]
}

/// Appends `v` zero-padded to `width` digits.
fn push_padded(out: &mut Vec<u8>, v: u64, width: usize) {
    let mut buf = [0u8; 20];
    out.extend_from_slice(decimal(v, width, &mut buf));
}

/// Formats Unix nanoseconds as RFC 3339 in UTC, with 0, 3, 6 or 9 fraction digits.
pub fn write_rfc3339(ns: i64, out: &mut Vec<u8>) {
    let secs = ns.div_euclid(1_000_000_000);
    let frac = ns.rem_euclid(1_000_000_000) as u64;
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400) as u64;
    let (y, m, d) = crate::timestamp::civil_from_days(days);
    if (0..10_000).contains(&y) {
        let y = y as u32;
        out.extend_from_slice(&[
            b'0' + (y / 1000) as u8,
            b'0' + (y / 100 % 10) as u8,
            b'0' + (y / 10 % 10) as u8,
            b'0' + (y % 10) as u8,
            b'-',
        ]);
    } else {
        if y < 0 {
            out.push(b'-');
        }
        push_padded(out, y.unsigned_abs(), 4);
        out.push(b'-');
    }
    let two = |v: u64| [b'0' + (v / 10) as u8, b'0' + (v % 10) as u8];
    let [m1, m2] = two(m as u64);
    let [d1, d2] = two(d as u64);
    let [h1, h2] = two(sod / 3600);
    let [i1, i2] = two(sod / 60 % 60);
    let [s1, s2] = two(sod % 60);
    out.extend_from_slice(&[m1, m2, b'-', d1, d2, b'T', h1, h2, b':', i1, i2, b':', s1, s2]);
    if frac != 0 {
        out.push(b'.');
        if frac.is_multiple_of(1_000_000) {
            push_padded(out, frac / 1_000_000, 3);
        } else if frac.is_multiple_of(1000) {
            push_padded(out, frac / 1000, 6);
        } else {
            push_padded(out, frac, 9);
        }
    }
    out.push(b'Z');
}

/// RFC 3339 text of a Unix-nanosecond time.
pub fn rfc3339(ns: i64) -> String {
    let mut v = Vec::with_capacity(32);
    write_rfc3339(ns, &mut v);
    String::from_utf8(v).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_padded_and_whole() {
        let mut buf = [0u8; 20];
        assert_eq!(decimal(0, 1, &mut buf), b"0");
        assert_eq!(decimal(7, 3, &mut buf), b"007");
        assert_eq!(decimal(12345, 2, &mut buf), b"12345");
        assert_eq!(decimal(u64::MAX, 1, &mut buf), b"18446744073709551615");
        assert_eq!(decimal(5, 40, &mut buf), b"00000000000000000005");
    }

    #[test]
    fn json_lines_escape_and_format() {
        let r = Record {
            ts: Some(1_700_000_000_123_000_000),
            level: Some(Level::Warn),
            module: Some("a.B".into()),
            message: "say \"hi\"\n\tat x\u{1}".into(),
            fields: vec![("k".into(), "v\\".into())],
            line: 42,
            ..Record::default()
        };
        let mut out = Vec::new();
        r.write_json("f.log", &mut out);
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["ts"], "2023-11-14T22:13:20.123Z");
        assert_eq!(v["message"], "say \"hi\"\n\tat x\u{1}");
        assert_eq!(v["fields"]["k"], "v\\");
        assert_eq!(v["line"], 42);
        assert_eq!(v["host"], serde_json::Value::Null);
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1), "1970-01-01T00:00:00.000000001Z");
    }
}

#[cfg(test)]
mod escape_tests {
    use super::*;

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config {
            rng_seed: proptest::test_runner::RngSeed::Fixed(42),
            failure_persistence: None,
            ..proptest::test_runner::Config::default()
        })]
        /// The fast path must agree with serde_json on every string.
        #[test]
        fn escaping_round_trips(s in "\\PC*|[\\x00-\\x7f]{0,40}") {
            let mut out = Vec::new();
            write_json_str(&s, &mut out);
            let back: String = serde_json::from_slice(&out).unwrap();
            proptest::prop_assert_eq!(back, s);
        }
    }
}
