//! ClickHouse as a log source. `clickhouse://[user[:pass]@]host[:port]/db?table=T` names
//! a table of logs (the OpenTelemetry exporter's `otel_logs` by default, or any table
//! through a column mapping); the per-row work runs in ClickHouse — time filters, counts
//! per second, level, service, host and message shape — and only those counts and a few
//! sample messages per shape come back. [`source::collect`] turns them into the same
//! [`triage_analyze::collect::Collected`] that files give, so the analysis does not care
//! where rows come from. [`ingest`] writes parsed records into a table.
//!
//! Plain HTTP with `JSONEachRow`/`TSV`, literal escaped identifiers, no server-side
//! parameters: that works on Debian's 18.16 and on current servers alike.

pub mod client;
pub mod ingest;
pub mod schema;
pub mod source;
pub mod sql;
pub mod url;

pub use client::Client;
pub use url::ChUrl;

/// Everything that can go wrong talking to ClickHouse, each naming what it was about.
#[derive(Debug, thiserror::Error)]
pub enum ChError {
    #[error("{url}: not a ClickHouse URL ({why}); expected clickhouse://[user[:pass]@]host[:port]/db?table=NAME")]
    BadUrl { url: String, why: String },
    #[error("{url}: cannot connect ({why}); is the server running?")]
    Connect { url: String, why: String },
    #[error("{url}: no answer within {secs} s (--timeout)")]
    Timeout { url: String, secs: f64 },
    #[error("{url}: user {user:?} was refused (wrong user or password): {message}")]
    Auth { url: String, user: String, message: String },
    #[error("{url}: table {table} does not exist")]
    UnknownTable { url: String, table: String },
    #[error(
        "{}: table {} has no column {} ({}, expected {}); map it with --ch-columns {}=EXPR",
        .0.url, .0.table, .0.column, .0.role, .0.expected, .0.role
    )]
    MissingColumn(Box<ColumnProblem>),
    #[error(
        "{}: column {} of {} is {}, expected {} ({})",
        .0.url, .0.column, .0.table, .0.found, .0.expected, .0.role
    )]
    MistypedColumn(Box<ColumnProblem>),
    #[error("{url}: ClickHouse error {code}: {message}")]
    Server { url: String, code: u32, message: String },
    #[error("{url}: HTTP {status}: {message}")]
    Http { url: String, status: u16, message: String },
    #[error("{url}: unreadable answer: {why}")]
    BadAnswer { url: String, why: String },
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// A column that is missing or has the wrong type, for the role Triage wanted it in.
#[derive(Debug)]
pub struct ColumnProblem {
    pub url: String,
    pub table: String,
    pub column: String,
    /// The type found (empty when missing).
    pub found: String,
    pub role: &'static str,
    pub expected: &'static str,
}

/// The first line of a server message, cut to `max` characters (errors quote it).
pub(crate) fn one_line(s: &str, max: usize) -> String {
    let line = s.trim().lines().next().unwrap_or("");
    let mut out: String = line.chars().take(max).collect();
    if line.chars().count() > max {
        out.push('…');
    }
    triage_text::visible(&out).into_owned()
}
