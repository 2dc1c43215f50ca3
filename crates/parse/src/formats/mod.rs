//! Per-format line parsers and the interface they share.
//!
//! A format knows one thing: given a physical line, is it the head of a record, and if
//! so what are its header fields and message. Joining continuation lines, line numbers
//! and timestamp inheritance are done once for all formats by the assembler.

use std::sync::Arc;

use crate::timestamp::{TimeContext, TsLayout};
use crate::Record;

pub mod access;
pub mod ansi;
pub mod container;
pub mod csv;
pub mod glog;
pub mod json;
pub mod layout;
pub mod line_format;
pub mod logfmt;
pub mod syslog5424;
#[cfg(test)]
mod testing;
pub mod w3c;

/// Parses the lines of a file whose format is known.
pub trait LineParser: Send + Sync {
    /// When `line` (no trailing newline) starts a record in this format, fills `rec`
    /// (a default record) with its header fields and message and returns true. Returns
    /// false for a line that continues the previous record (stack frames, wrapped text).
    fn parse_line(&self, line: &str, ctx: &TimeContext, rec: &mut Record) -> bool;

    /// The text a continuation line contributes to the record above it. Wrappers
    /// (Docker, CRI) unwrap it; plain text formats keep the line as it is.
    fn continuation_text<'a>(&self, line: &'a str, _ctx: &TimeContext) -> std::borrow::Cow<'a, str> {
        std::borrow::Cow::Borrowed(line)
    }

    /// [`LineParser::parse_line`] for consumers that use what a record says about itself
    /// (`ts`, `level`, `message`, module, host, service, descriptive fields) but not
    /// positional header columns or process and thread ids (analysis): a parser may then
    /// skip building those strings. It must accept the same lines and give the same
    /// values otherwise.
    fn parse_facets(&self, line: &str, ctx: &TimeContext, rec: &mut Record) -> bool {
        self.parse_line(line, ctx, rec)
    }

    /// [`LineParser::parse_line`] for consumers that use only `ts`, `level` and
    /// `message` (template mining): a parser may then skip building module, host and
    /// field strings. It must accept the same lines and give the same three values.
    fn parse_message(&self, line: &str, ctx: &TimeContext, rec: &mut Record) -> bool {
        self.parse_line(line, ctx, rec)
    }

    /// True when the format has directive lines ([`LineParser::is_directive`]); asked
    /// once per chunk, so formats without them cost nothing per line.
    fn has_directives(&self) -> bool {
        false
    }

    /// A line that belongs to no record: a directive the format defines (W3C `#Fields:`,
    /// `#Date:`), read at detection. The assembler counts and drops it, wherever it is.
    fn is_directive(&self, _line: &str) -> bool {
        false
    }

    /// Cheap check used to cut chunks at record boundaries; must agree with `parse_line`.
    fn starts_record(&self, line: &str, ctx: &TimeContext) -> bool {
        let mut scratch = Record::default();
        self.parse_line(line, ctx, &mut scratch)
    }
}

/// A format proposed for a file by one detector.
#[derive(Clone)]
pub struct Candidate {
    /// Format name shown by `inspect` (`json`, `docker-json(logfmt)`, `syslog-rfc5424`…).
    pub name: String,
    pub parser: Arc<dyn LineParser>,
    /// Timestamp layout when the format has one fixed layout.
    pub ts_layout: Option<TsLayout>,
    /// Higher wins when two candidates parse the sample equally well: structured,
    /// self-describing formats (JSON, CSV with header) beat inferred text layouts.
    pub specificity: u8,
}

impl std::fmt::Debug for Candidate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Candidate")
            .field("name", &self.name)
            .field("ts_layout", &self.ts_layout)
            .finish()
    }
}

/// Specificity levels, for [`Candidate::specificity`].
pub mod specificity {
    pub const CONTAINER: u8 = 90;
    pub const JSON: u8 = 80;
    pub const CSV: u8 = 70;
    pub const ACCESS: u8 = 60;
    pub const SYSLOG5424: u8 = 55;
    pub const LOGFMT: u8 = 40;
    pub const LAYOUT: u8 = 30;
    pub const PLAIN: u8 = 0;
}

/// Each line is one record; no header is known. A level opening the line as only a
/// header spells one (`ERROR: …`, `[warn] …`, `WARN …`) is the record's, as in a
/// learned layout without a level of its own.
pub struct PlainParser;

impl LineParser for PlainParser {
    fn parse_line(&self, line: &str, _ctx: &TimeContext, rec: &mut Record) -> bool {
        rec.level = layout::message_level_prefix(line.trim_start().as_bytes());
        rec.message.push_str(line);
        true
    }
}

/// Flattens a JSON value into dotted keys (`http.request.method`). Used by the JSON and
/// container formats.
pub fn flatten_json(prefix: &str, value: &serde_json::Value, out: &mut Vec<(crate::record::FieldName, String)>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten_json(&key, v, out);
            }
        }
        serde_json::Value::String(s) => out.push((prefix.to_string().into(), s.clone())),
        serde_json::Value::Null => {}
        other => out.push((prefix.to_string().into(), other.to_string())),
    }
}
