//! Connecting (URL, password from the environment, TLS) and sending commands with a
//! rate limit. Every error carries `host:port` and the command.

use std::time::{Duration, Instant};

use redis::{Client, ConnectionInfo, FromRedisValue, IntoConnectionInfo, Value};

use crate::error::{RedisError, Result};

/// Where and how to connect.
#[derive(Debug, Clone)]
pub struct Target {
    /// `redis://[user:pass@]HOST:PORT/DB`, `rediss://…` for TLS, or `HOST:PORT`.
    /// Default `redis://127.0.0.1:6379`.
    pub url: Option<String>,
    /// Use TLS even when the URL says `redis://`.
    pub tls: bool,
    /// Used when the URL carries no password (the CLI fills it from `REDISCLI_AUTH` /
    /// `TRIAGE_REDIS_PASSWORD`).
    pub password: Option<String>,
    /// Connect timeout, and read/write timeout of every reply.
    pub timeout: Duration,
}

impl Default for Target {
    fn default() -> Self {
        Target {
            url: None,
            tls: false,
            password: None,
            timeout: Duration::from_secs(10),
        }
    }
}

pub const DEFAULT_URL: &str = "redis://127.0.0.1:6379";

impl Target {
    /// The URL with scheme added and TLS applied, before parsing.
    fn effective_url(&self) -> String {
        let url = self.url.as_deref().unwrap_or(DEFAULT_URL);
        let url = if url.contains("://") {
            url.to_string()
        } else {
            format!("redis://{url}")
        };
        match url.strip_prefix("redis://") {
            Some(rest) if self.tls => format!("rediss://{rest}"),
            _ => url,
        }
    }

    /// Parses the URL and applies the fallback password; also returns `host:port` for messages.
    pub(crate) fn connection_info(&self) -> Result<(ConnectionInfo, String)> {
        let url = self.effective_url();
        if cfg!(not(feature = "tls")) && (url.starts_with("rediss://") || url.starts_with("valkeys://")) {
            return Err(RedisError::TlsUnavailable {
                addr: host_port(&url).to_string(),
            });
        }
        let info = url.as_str().into_connection_info().map_err(|e| RedisError::Url {
            url: triage_text::display_url(&url).into_owned(),
            reason: e.to_string(),
        })?;
        let addr = info.addr().to_string();
        let mut settings = info.redis_settings().clone().set_skip_set_lib_name();
        if settings.password().is_none() {
            if let Some(pw) = &self.password {
                settings = settings.set_password(pw);
            }
        }
        Ok((info.set_redis_settings(settings), addr))
    }
}

/// `rediss://user:pw@h:1/0` → `h:1`, for messages before the URL is parsed.
fn host_port(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    authority.rsplit_once('@').map_or(authority, |(_, h)| h)
}

/// Paces commands to at most `per_sec` a second (0 = unlimited), charged before a
/// pipeline is sent, so the server never sees more than the rate plus one pipeline.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    per_sec: u64,
    started: Instant,
    ops: u64,
}

impl RateLimiter {
    pub fn new(per_sec: u64) -> Self {
        RateLimiter {
            per_sec,
            started: Instant::now(),
            ops: 0,
        }
    }

    pub fn take(&mut self, ops: u64) {
        self.ops += ops;
        if self.per_sec == 0 {
            return;
        }
        let due = Duration::from_secs_f64(self.ops as f64 / self.per_sec as f64);
        let elapsed = self.started.elapsed();
        if due > elapsed {
            std::thread::sleep(due - elapsed);
        }
    }

    pub fn ops(&self) -> u64 {
        self.ops
    }
}

/// One connection, its address for messages, and the shared rate limit.
pub(crate) struct Session {
    pub conn: redis::Connection,
    pub addr: String,
    pub limiter: RateLimiter,
    /// Read/write time-out of every reply, for messages.
    pub timeout: Duration,
}

impl Session {
    pub fn connect(target: &Target, max_ops_per_sec: u64) -> Result<Session> {
        let (info, addr) = target.connection_info()?;
        #[cfg(feature = "tls")]
        {
            // rustls needs a process-wide crypto provider; a second install is a no-op error.
            let _ = rustls::crypto::ring::default_provider().install_default();
        }
        let connect_err = |source| RedisError::Connect {
            addr: addr.clone(),
            source,
        };
        let client = Client::open(info).map_err(connect_err)?;
        let conn = client
            .get_connection_with_timeout(target.timeout)
            .map_err(connect_err)?;
        conn.set_read_timeout(Some(target.timeout)).map_err(connect_err)?;
        conn.set_write_timeout(Some(target.timeout)).map_err(connect_err)?;
        Ok(Session {
            conn,
            addr,
            limiter: RateLimiter::new(max_ops_per_sec),
            timeout: target.timeout,
        })
    }

    /// One command; `name` is how errors name it (`"INFO"`, `"OBJECT FREQ"`).
    pub fn query<T: FromRedisValue>(&mut self, cmd: &redis::Cmd, name: &str) -> Result<T> {
        self.limiter.take(1);
        cmd.query(&mut self.conn)
            .map_err(|source| self.command_error(name, source))
    }

    /// A pipeline of `pipe.len()` commands, one reply each; per-command error replies stay
    /// in the result as `Value::ServerError` instead of failing the whole batch.
    pub fn pipeline(&mut self, pipe: &mut redis::Pipeline, name: &str) -> Result<Vec<Value>> {
        if pipe.is_empty() {
            return Ok(Vec::new());
        }
        self.limiter.take(pipe.len() as u64);
        let expected = pipe.len();
        let replies: Vec<Value> = pipe
            .ignore_errors()
            .query(&mut self.conn)
            .map_err(|source| self.command_error(name, source))?;
        if replies.len() != expected {
            return Err(self.reply_error(name, format!("{} replies to {expected} commands", replies.len())));
        }
        Ok(replies)
    }

    /// Sends a pipeline without reading its replies (see [`Session::recv`]), so the
    /// server can work on it while the client handles the previous batch.
    pub fn send(&mut self, pipe: &redis::Pipeline, name: &str) -> Result<()> {
        if pipe.is_empty() {
            return Ok(());
        }
        self.limiter.take(pipe.len() as u64);
        self.conn
            .send_packed_command(&pipe.get_packed_pipeline())
            .map_err(|source| self.command_error(name, source))
    }

    /// Reads `n` replies of pipelines sent with [`Session::send`]; error replies stay in
    /// the result as `Value::ServerError`.
    pub fn recv(&mut self, n: usize, name: &str) -> Result<Vec<Value>> {
        (0..n)
            .map(|_| {
                self.conn
                    .recv_response()
                    .map_err(|source| self.command_error(name, source))
            })
            .collect()
    }

    /// A failed command as one plain sentence: a time-out says "timed out" and a broken
    /// connection "connection lost", instead of the I/O error repeated down its chain.
    pub fn command_error(&self, command: &str, source: redis::RedisError) -> RedisError {
        let (addr, command) = (self.addr.clone(), command.to_string());
        if source.is_timeout() {
            RedisError::Timeout {
                addr,
                command,
                secs: (self.timeout.as_secs_f64() * 1000.0).round() / 1000.0,
            }
        } else if source.is_connection_dropped() || source.is_io_error() {
            let reason = if source.is_connection_dropped() {
                "closed by the server".to_string()
            } else {
                io_error_text(&source)
            };
            RedisError::Lost { addr, command, reason }
        } else {
            RedisError::Command { addr, command, source }
        }
    }

    pub fn reply_error(&self, command: &str, detail: String) -> RedisError {
        RedisError::Reply {
            addr: self.addr.clone(),
            command: command.to_string(),
            detail,
        }
    }
}

/// The I/O error inside a Redis error, said once (its `Display` repeats its chain).
fn io_error_text(source: &redis::RedisError) -> String {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(source);
    while let Some(e) = cur {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            return io.kind().to_string();
        }
        cur = e.source();
    }
    "I/O error".to_string()
}

/// An integer reply (RESP2 integers, or a numeric bulk string), `None` for nil or errors.
pub(crate) fn as_u64(v: &Value) -> Option<u64> {
    match v {
        Value::Int(i) => u64::try_from(*i).ok(),
        Value::BulkString(b) => std::str::from_utf8(b).ok()?.trim().parse().ok(),
        Value::SimpleString(s) => s.trim().parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_get_a_scheme_tls_and_redacted_passwords() {
        let t = Target {
            url: Some("10.0.0.1:6380".into()),
            ..Target::default()
        };
        assert_eq!(t.effective_url(), "redis://10.0.0.1:6380");
        let t = Target {
            url: Some("redis://h:1/2".into()),
            tls: true,
            ..Target::default()
        };
        assert_eq!(t.effective_url(), "rediss://h:1/2");
        let bad = Target {
            url: Some("redis://bob:s3cret@h:notaport/0".into()),
            ..Target::default()
        };
        let err = bad.connection_info().unwrap_err().to_string();
        assert!(!err.contains("s3cret") && err.contains("redis://h:notaport/0"), "{err}");
        assert_eq!(host_port("rediss://u:p@h:1/0"), "h:1");
    }

    #[test]
    fn url_password_wins_over_the_environment_fallback() {
        let t = Target {
            url: Some("redis://u:frompw@h:7/3".into()),
            password: Some("env".into()),
            ..Target::default()
        };
        let (info, addr) = t.connection_info().unwrap();
        assert_eq!(addr, "h:7");
        assert_eq!(info.redis_settings().password(), Some("frompw"));
        assert_eq!(info.redis_settings().db(), 3);
        let t = Target {
            url: Some("redis://h:7".into()),
            password: Some("env".into()),
            ..Target::default()
        };
        assert_eq!(t.connection_info().unwrap().0.redis_settings().password(), Some("env"));
    }

    #[cfg(not(feature = "tls"))]
    #[test]
    fn tls_without_the_feature_says_how_to_get_it() {
        let t = Target {
            url: Some("10.1.2.3:6380".into()),
            tls: true,
            ..Target::default()
        };
        let err = t.connection_info().unwrap_err().to_string();
        assert!(
            err.contains("10.1.2.3:6380") && err.contains("--features triage-redis/tls"),
            "{err}"
        );
    }

    #[test]
    fn rate_limiter_paces_to_the_rate() {
        let mut l = RateLimiter::new(1000);
        let t = Instant::now();
        l.take(100);
        l.take(100);
        assert!(t.elapsed() >= Duration::from_millis(190), "{:?}", t.elapsed());
        let mut free = RateLimiter::new(0);
        let t = Instant::now();
        free.take(1_000_000);
        assert!(t.elapsed() < Duration::from_millis(50));
    }
}
