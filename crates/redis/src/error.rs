//! Typed errors. Every variant names the server (`host:port`) and, where one failed,
//! the command; URLs are shown without credentials (`triage_text::display_url`).

/// What went wrong talking to a Redis server.
#[derive(Debug, thiserror::Error)]
pub enum RedisError {
    /// The URL could not be parsed.
    #[error("invalid Redis URL {url:?}: {reason}")]
    Url { url: String, reason: String },
    /// TCP connect, TLS handshake, AUTH or SELECT failed.
    #[error("connecting to {addr}: {source}")]
    Connect {
        addr: String,
        #[source]
        source: redis::RedisError,
    },
    /// A command (or pipeline) failed as a whole: I/O error, timeout or error reply.
    #[error("{addr}: {command} failed: {source}")]
    Command {
        addr: String,
        command: String,
        #[source]
        source: redis::RedisError,
    },
    /// No answer within the time-out: the server hangs or is overloaded.
    #[error("{addr}: {command} timed out: no answer within {secs} s")]
    Timeout { addr: String, command: String, secs: f64 },
    /// The connection broke: the server died, restarted or closed it.
    #[error("{addr}: {command} failed: connection lost ({reason})")]
    Lost {
        addr: String,
        command: String,
        reason: String,
    },
    /// The server answered with something this client does not understand.
    #[error("{addr}: unexpected reply to {command}: {detail}")]
    Reply {
        addr: String,
        command: String,
        detail: String,
    },
    /// The server cannot do what was asked (e.g. `OBJECT FREQ` without an LFU policy).
    #[error("{addr}: {detail}")]
    Unsupported { addr: String, detail: String },
    /// `--tls` or `rediss://` in a build without the `tls` feature.
    #[error(
        "TLS requested for {addr}, but this triage was built without TLS \
         (rebuild with `cargo build --release --features triage-redis/tls`)"
    )]
    TlsUnavailable { addr: String },
}

pub type Result<T> = std::result::Result<T, RedisError>;
