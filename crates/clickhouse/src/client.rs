//! Plain-HTTP ClickHouse client: the query in the POST body, settings in the URL,
//! answers gzip-compressed (decoded here), errors mapped to [`ChError`] by their code.
//! Counts the bytes received, as they came over the wire.

use std::io::Read;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::url::ChUrl;
use crate::{one_line, ChError};

/// A server, a user and a time limit per request.
pub struct Client {
    url: ChUrl,
    agent: ureq::Agent,
    timeout: Duration,
    auth: String,
    received: AtomicU64,
    /// Answers larger than this (decoded) are refused: a cap, never an unbounded read.
    max_answer: u64,
}

/// `Basic` credentials (RFC 7617) — base64 by hand, four lines instead of a dependency.
fn basic_auth(user: &str, password: &str) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let raw = format!("{user}:{password}");
    let mut out = String::from("Basic ");
    for c in raw.as_bytes().chunks(3) {
        let n = (c[0] as u32) << 16 | (*c.get(1).unwrap_or(&0) as u32) << 8 | *c.get(2).unwrap_or(&0) as u32;
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            out.push(if i <= c.len() {
                A[(n >> shift & 63) as usize] as char
            } else {
                '='
            });
        }
    }
    out
}

/// `Code: 60, e.displayText() = DB::Exception: …` (18.16) or `Code: 60. DB::Exception: …` (current).
fn error_code(body: &str) -> Option<u32> {
    let rest = body.trim_start().strip_prefix("Code: ")?;
    rest.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()
}

impl Client {
    pub fn new(url: ChUrl, timeout: Duration) -> Client {
        let timeout = timeout.max(Duration::from_millis(100));
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(timeout + Duration::from_secs(1)))
            .timeout_connect(Some(timeout.min(Duration::from_secs(10))))
            .user_agent(concat!("triage/", env!("CARGO_PKG_VERSION")))
            .build();
        let auth = basic_auth(&url.user, url.password.as_deref().unwrap_or(""));
        Client {
            url,
            agent: config.into(),
            timeout,
            auth,
            received: AtomicU64::new(0),
            max_answer: 512 << 20,
        }
    }

    pub fn url(&self) -> &ChUrl {
        &self.url
    }

    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Bytes received so far (HTTP bodies as sent, i.e. compressed).
    pub fn bytes_received(&self) -> u64 {
        self.received.load(Ordering::Relaxed)
    }

    /// Runs `sql` (with its `FORMAT`) and returns the decoded answer. `settings` are extra
    /// ClickHouse settings for this query.
    pub fn query(&self, sql: &str, settings: &[(&str, &str)]) -> Result<String, ChError> {
        let secs = self.timeout.as_secs().max(1).to_string();
        let mut req = self
            .agent
            .post(self.url.http_base())
            .header("Authorization", &self.auth)
            .header("Accept-Encoding", "gzip")
            .query("database", &self.url.database)
            .query("enable_http_compression", "1")
            // Answers are aggregates and samples, small next to the scan: the best gzip
            // level costs the server little and saves about a sixth of the bytes.
            .query("http_zlib_compression_level", "9")
            .query("output_format_json_quote_64bit_integers", "0")
            // The server stops the query itself, so it does not go on after we give up.
            .query("max_execution_time", &secs);
        for (k, v) in settings {
            req = req.query(*k, *v);
        }
        let resp = req.send(sql.as_bytes()).map_err(|e| self.transport_error(e))?;
        self.answer(resp)
    }

    /// Inserts a gzip-compressed body (`INSERT … FORMAT JSONEachRow` rows).
    pub fn insert(&self, insert_sql: &str, gz_body: &[u8]) -> Result<(), ChError> {
        let resp = self
            .agent
            .post(self.url.http_base())
            .header("Authorization", &self.auth)
            .header("Content-Encoding", "gzip")
            .query("database", &self.url.database)
            .query("query", insert_sql)
            .query("input_format_skip_unknown_fields", "1")
            // Through a Distributed table the insert returns once every shard holds its
            // rows: an analysis right after ingest sees them all, and a rerun after a
            // crash counts only rows that are really there.
            .query("insert_distributed_sync", "1")
            .send(gz_body)
            .map_err(|e| self.transport_error(e))?;
        self.answer(resp).map(|_| ())
    }

    fn answer(&self, mut resp: ureq::http::Response<ureq::Body>) -> Result<String, ChError> {
        let status = resp.status().as_u16();
        let gzip = resp
            .headers()
            .get("content-encoding")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("gzip"));
        let raw = resp
            .body_mut()
            .with_config()
            .limit(self.max_answer)
            .read_to_vec()
            .map_err(|e| self.transport_error(e))?;
        self.received.fetch_add(raw.len() as u64, Ordering::Relaxed);
        let body = if gzip {
            let mut out = Vec::new();
            flate2::read::GzDecoder::new(&raw[..])
                .take(self.max_answer)
                .read_to_end(&mut out)
                .map_err(|e| ChError::BadAnswer {
                    url: self.url.shown(),
                    why: format!("gzip: {e}"),
                })?;
            out
        } else {
            raw
        };
        let text = String::from_utf8_lossy(&body).into_owned();
        if status == 200 {
            // A query that fails after the first block still says 200; its error text
            // follows the rows.
            if let Some(at) = text.rfind("\nCode: ") {
                if error_code(&text[at + 1..]).is_some() {
                    return Err(self.server_error(status, &text[at + 1..]));
                }
            }
            return Ok(text);
        }
        Err(self.server_error(status, &text))
    }

    fn server_error(&self, status: u16, text: &str) -> ChError {
        let url = self.url.shown();
        let message = one_line(text, 300);
        match error_code(text) {
            // 192 unknown user, 193 wrong password, 516 authentication failed (current).
            Some(192 | 193 | 516) => ChError::Auth {
                url,
                user: self.url.user.clone(),
                message,
            },
            Some(159) => ChError::Timeout {
                url,
                secs: self.timeout.as_secs_f64(),
            },
            Some(60) => ChError::UnknownTable {
                url,
                table: self.url.qualified_table().replace('`', ""),
            },
            Some(code) => ChError::Server { url, code, message },
            None => ChError::Http { url, status, message },
        }
    }

    fn transport_error(&self, e: ureq::Error) -> ChError {
        let url = self.url.shown();
        let secs = self.timeout.as_secs_f64();
        match e {
            ureq::Error::Timeout(_) => ChError::Timeout { url, secs },
            ureq::Error::Io(io) => match io.kind() {
                std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => ChError::Timeout { url, secs },
                std::io::ErrorKind::ConnectionRefused => ChError::Connect {
                    url,
                    why: "connection refused".into(),
                },
                _ => ChError::Connect {
                    url,
                    why: one_line(&io.to_string(), 200),
                },
            },
            ureq::Error::HostNotFound => ChError::Connect {
                url,
                why: "host not found".into(),
            },
            ureq::Error::ConnectionFailed => ChError::Connect {
                url,
                why: "connection failed".into(),
            },
            ureq::Error::BodyExceedsLimit(n) => ChError::BadAnswer {
                url,
                why: format!("answer larger than {} MiB", n >> 20),
            },
            other => ChError::Connect {
                url,
                why: one_line(&other.to_string(), 200),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_auth_is_rfc_7617_base64() {
        assert_eq!(
            basic_auth("Aladdin", "open sesame"),
            "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
        );
        assert_eq!(basic_auth("a", ""), "Basic YTo=");
        assert_eq!(basic_auth("ab", "c"), "Basic YWI6Yw==");
    }

    #[test]
    fn error_codes_of_both_generations() {
        assert_eq!(
            error_code("Code: 60, e.displayText() = DB::Exception: Table default.x doesn't exist."),
            Some(60)
        );
        assert_eq!(
            error_code("Code: 516. DB::Exception: default: Authentication failed"),
            Some(516)
        );
        assert_eq!(error_code("<html>"), None);
    }
}
