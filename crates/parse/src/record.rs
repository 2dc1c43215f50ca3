//! The normalised record every later stage consumes.

use std::fmt::Write as _;

use crate::Level;

/// One log record: a header line plus any continuation lines joined to it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Record {
    /// Unix time in nanoseconds (UTC).
    pub ts: Option<i64>,
    /// The record had no timestamp of its own and took the previous record's.
    pub ts_inherited: bool,
    pub level: Option<Level>,
    /// Logger name, source file (without line number) or component.
    pub module: Option<String>,
    pub host: Option<String>,
    pub service: Option<String>,
    /// The text after the header; continuation lines are joined with `\n`.
    pub message: String,
    /// Every other header field, in the order met (nested JSON keys flattened with `.`).
    pub fields: Vec<(String, String)>,
    /// 1-based number of the record's first line in its file.
    pub line: u64,
    /// Physical lines making up the record.
    pub line_count: u32,
    /// The record was longer than the record cap and was cut.
    pub truncated: bool,
}

impl Record {
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// Appends this record as one JSON line: `{ts, level, module, host, service, message,
    /// fields, source, line}`. Written by hand because this is the hot path of `parse`.
    pub fn write_json(&self, source: &str, out: &mut Vec<u8>) {
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
        for (key, value) in [(&b",\"module\":"[..], &self.module), (b",\"host\":", &self.host), (b",\"service\":", &self.service)] {
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
        write_json_str(source, out);
        out.extend_from_slice(b",\"line\":");
        let mut buf = itoa_buf(self.line);
        out.extend_from_slice(buf.as_bytes());
        if self.ts_inherited {
            out.extend_from_slice(b",\"ts_inherited\":true");
        }
        if self.truncated {
            out.extend_from_slice(b",\"truncated\":true");
        }
        out.extend_from_slice(b"}\n");
        buf.clear();
    }
}

fn itoa_buf(n: u64) -> String {
    let mut s = String::with_capacity(20);
    let _ = write!(s, "{n}");
    s
}

/// Writes `s` as a JSON string literal.
pub fn write_json_str(s: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let esc: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0..=0x1f => {
                out.extend_from_slice(&bytes[start..i]);
                let _ = std::io::Write::write_fmt(out, format_args!("\\u{:04x}", b));
                start = i + 1;
                continue;
            }
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        out.extend_from_slice(esc);
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// Formats Unix nanoseconds as RFC 3339 in UTC, with 0, 3, 6 or 9 fraction digits.
pub fn write_rfc3339(ns: i64, out: &mut Vec<u8>) {
    let secs = ns.div_euclid(1_000_000_000);
    let frac = ns.rem_euclid(1_000_000_000) as u32;
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400) as u32;
    let (y, m, d) = crate::timestamp::civil_from_days(days);
    let _ = std::io::Write::write_fmt(
        out,
        format_args!("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", y, m, d, sod / 3600, sod / 60 % 60, sod % 60),
    );
    if frac != 0 {
        if frac % 1_000_000 == 0 {
            let _ = std::io::Write::write_fmt(out, format_args!(".{:03}", frac / 1_000_000));
        } else if frac % 1000 == 0 {
            let _ = std::io::Write::write_fmt(out, format_args!(".{:06}", frac / 1000));
        } else {
            let _ = std::io::Write::write_fmt(out, format_args!(".{:09}", frac));
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
