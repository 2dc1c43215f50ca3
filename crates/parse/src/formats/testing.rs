//! Helpers shared by the format parsers' unit tests.

use super::LineParser;
use crate::timestamp::{TimeContext, Zone};
use crate::Record;

/// UTC, with a reference date for year-less layouts.
pub fn ctx() -> TimeContext {
    TimeContext {
        zone: Zone::utc(),
        reference: (2024, 6, 30),
    }
}

/// The record `line` heads in `parser`'s format, or None for a continuation.
pub fn parse_with(parser: &dyn LineParser, line: &str) -> Option<Record> {
    let mut rec = Record::default();
    parser.parse_line(line, &ctx(), &mut rec).then_some(rec)
}

/// A record's fields as `(name, value)` pairs, for assertions.
pub fn fields(rec: &Record) -> Vec<(&str, &str)> {
    rec.fields.iter().map(|(k, v)| (k.as_ref(), v.as_str())).collect()
}
