//! Analysis: from parsed records, mined templates, host metrics and a change ledger to
//! the report model ([`model::Report`]).
//!
//! Owns the statistics (count tests, FDR, change points, spike attribution, change
//! blame, root-cause ranking) and the loaders of the small side inputs (metrics CSV,
//! change ledger). Does not own reading or parsing logs (triage-parse), template
//! mining (triage-mine) or rendering the report (triage-report).

pub mod aggregate;
pub mod analysis;
pub mod anomaly;
pub mod blame;
mod capped;
pub mod changes;
pub mod collect;
pub mod facets;
pub mod frame;
pub mod metrics;
pub mod model;
pub mod problems;
pub mod redact;
pub mod rules;
mod say;
pub mod series;
pub mod services;
pub mod spikes;
pub mod stats;
pub mod timespec;
pub mod traces;
pub mod zone;

/// A time as the report model writes it: RFC 3339 in UTC.
pub fn model_time(ns: i64) -> String {
    triage_parse::record::rfc3339(ns)
}
