//! Prometheus as a metrics source for `triage analyze --metrics http://HOST:PORT`.
//!
//! Owns: the built-in node_exporter queries and `--promql NAME=QUERY` specs
//! ([`query`]), the choice of step and rate range for the window and each baseline span
//! ([`query::Plan`]), `/api/v1/query_range` over plain HTTP with a time-out
//! ([`Client`]), parsing the JSON answers — values arrive as strings, `NaN`/`±Inf`
//! are skipped ([`response`]) — the host of a series from its `instance`/`host`/
//! `hostname`/`pod` label with `--host-map` overrides ([`hosts`]), and turning every
//! failure (refused connection, time-out, HTTP status, Prometheus `status: error`,
//! empty result) into one line that names the server and the query.
//!
//! Does not own: what a metric measures, summaries, baselines, thresholds or any other
//! analysis (triage-analyze); the window and baseline spans come from the caller. No
//! TLS: `https://` URLs are refused with a message saying it is not built in.

pub mod client;
pub mod hosts;
pub mod query;
pub mod response;

pub use client::{Client, Fetched, Series};
pub use hosts::HostMap;
pub use query::{builtin_queries, Plan, Query};

/// Everything that can go wrong talking to one Prometheus server. Each message names
/// the server's URL.
#[derive(Debug, thiserror::Error)]
pub enum PromError {
    #[error("{url}: not a Prometheus URL (want http://HOST:PORT)")]
    BadUrl { url: String },
    #[error("{url}: https is not built into this triage (no TLS support compiled in); use http://, e.g. through a local TLS-terminating proxy")]
    TlsNotBuilt { url: String },
    #[error("{url}: cannot connect: {reason}")]
    Connect { url: String, reason: String },
    #[error("{url}: no answer within {secs} s (--metrics-timeout)")]
    Timeout { url: String, secs: f64 },
    #[error("{url}: HTTP {status}: {body}")]
    Http { url: String, status: u16, body: String },
    #[error("{url}: Prometheus error ({error_type}): {error}")]
    Api {
        url: String,
        error_type: String,
        error: String,
    },
    #[error("{url}: unreadable answer: {reason}")]
    Parse { url: String, reason: String },
    #[error("{url}: {reason}")]
    Transport { url: String, reason: String },
}

impl PromError {
    /// True when the server itself cannot be used (nothing listens, it does not answer,
    /// the URL is wrong): the other queries are not tried. A failing query (bad PromQL,
    /// HTTP 4xx/5xx for that query) is not.
    pub fn server_unusable(&self) -> bool {
        matches!(
            self,
            PromError::BadUrl { .. }
                | PromError::TlsNotBuilt { .. }
                | PromError::Connect { .. }
                | PromError::Timeout { .. }
                | PromError::Transport { .. }
        )
    }
}

/// One line of at most `max` characters (for quoting bodies and queries in notes).
pub(crate) fn one_line(text: &str, max: usize) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    triage_text::cut_chars(&flat, max).into_owned()
}
