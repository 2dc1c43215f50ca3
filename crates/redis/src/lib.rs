//! `triage-redis`: read-only diagnosis of a live Redis server — big keys (by bytes, top-N
//! overall and per type, a size histogram, prefix roll-ups), hot keys (LFU counters or a
//! bounded MONITOR sample, with bytes per second per key) and the slow log grouped by
//! command and key pattern. [`diagnose`] runs what [`DiagnoseOptions`] asks for and
//! returns a serde-serialisable [`RedisReport`].
//!
//! It owns talking to the server (the `redis` crate's sync client, pipelined), the rate
//! limit, and the bounded aggregates. It never sends `KEYS`, `DEBUG`, or anything that
//! writes or touches LRU/LFU state (see [`bigkeys`] for which commands are safe and why);
//! the one exception it allows is `CLIENT NO-TOUCH ON`, a per-connection flag that makes
//! the server touch *less*. It does not print, draw progress or parse CLI flags (the
//! `triage` binary does), and it does not read logs or RDB files.

pub mod bigkeys;
mod conn;
mod error;
pub mod hotkeys;
pub mod keys;
pub mod slowlog;

use serde::Serialize;

pub use bigkeys::{BigKeyReport, KeyEntry, PrefixEntry, ScanOptions, SizeBucket, TypeSummary};
pub use conn::{Target, DEFAULT_URL};
pub use error::{RedisError, Result};
pub use hotkeys::{HotKeyEntry, HotKeyMethod, HotKeyOptions, HotKeyReport};
pub use slowlog::{SlowGroup, SlowlogReport};

use crate::bigkeys::{BigKeyStats, Want};
use crate::conn::Session;
use crate::hotkeys::FreqCandidates;

/// Progress of a long phase, for a progress bar.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    /// `"big keys"`, `"hot keys (LFU scan)"`, `"hot keys (MONITOR)"`, …
    pub phase: &'static str,
    /// Keys scanned so far (scans) or commands seen (MONITOR).
    pub keys: u64,
    /// The SCAN cursor to resume from if stopped now (0 outside scans).
    pub cursor: u64,
    /// 0–1: share of the hash table covered, or of the sampling window.
    pub fraction: f64,
}

/// What to diagnose.
#[derive(Debug, Clone)]
pub struct DiagnoseOptions {
    pub bigkeys: bool,
    pub hotkeys: Option<HotKeyOptions>,
    pub slowlog: bool,
    pub scan: ScanOptions,
    /// Entries per list (top keys, per type, prefixes, hot keys, slow-log groups).
    pub top: usize,
    /// Commands per second sent to the server, 0 = unlimited. Counts every pipelined command.
    pub max_ops_per_sec: u64,
}

impl Default for DiagnoseOptions {
    fn default() -> Self {
        DiagnoseOptions {
            bigkeys: true,
            hotkeys: None,
            slowlog: true,
            scan: ScanOptions::default(),
            top: 10,
            max_ops_per_sec: DEFAULT_MAX_OPS_PER_SEC,
        }
    }
}

/// Default rate limit. redis-cli `--memkeys` runs at about 130 k commands/s over
/// loopback (2 per key, 10 keys a round trip); this allows about twice that, in
/// pipelines of ~3,000 cheap O(1) commands (`MEMORY USAGE` samples 5 elements).
pub const DEFAULT_MAX_OPS_PER_SEC: u64 = 250_000;

/// The server, as read from `INFO` and `DBSIZE`.
#[derive(Debug, Clone, Serialize)]
pub struct ServerInfo {
    /// `host:port`.
    pub addr: String,
    pub db: i64,
    pub version: Option<String>,
    pub role: Option<String>,
    pub maxmemory_policy: Option<String>,
    pub used_memory: Option<u64>,
    /// Keys in the selected database.
    pub dbsize: Option<u64>,
}

/// Everything [`diagnose`] found.
#[derive(Debug, Clone, Serialize)]
pub struct RedisReport {
    pub server: ServerInfo,
    pub bigkeys: Option<BigKeyReport>,
    pub hotkeys: Option<HotKeyReport>,
    pub slowlog: Option<SlowlogReport>,
    /// Commands sent on the main connection (the rate-limited one).
    pub commands_sent: u64,
    pub max_ops_per_sec: u64,
    pub elapsed_secs: f64,
    /// How figures were obtained and what was left out (e.g. element counts).
    pub notes: Vec<String>,
    /// What stopped the diagnosis before its end (the server died, hung or refused a
    /// command): everything found before is in the report, and a stopped scan's
    /// `next_cursor` resumes it. `None` when every part ran to its end.
    pub interrupted: Option<String>,
}

fn info_field<'a>(info: &'a str, name: &str) -> Option<&'a str> {
    info.lines()
        .find_map(|l| l.strip_prefix(name).and_then(|r| r.strip_prefix(':')))
        .map(str::trim)
}

fn read_server_info(session: &mut Session, db: i64) -> Result<ServerInfo> {
    let info: String = session.query(&redis::cmd("INFO"), "INFO")?;
    let dbsize: Option<u64> = session.query(&redis::cmd("DBSIZE"), "DBSIZE").ok();
    Ok(ServerInfo {
        addr: session.addr.clone(),
        db,
        version: info_field(&info, "redis_version").map(String::from),
        role: info_field(&info, "role").map(String::from),
        maxmemory_policy: info_field(&info, "maxmemory_policy").map(String::from),
        used_memory: info_field(&info, "used_memory").and_then(|v| v.parse().ok()),
        dbsize,
    })
}

/// Connects to `target` and runs the diagnoses `opts` asks for. `progress` is called
/// after every SCAN batch and a few times a second while sampling.
pub fn diagnose(target: &Target, opts: &DiagnoseOptions, progress: &mut dyn FnMut(&Progress)) -> Result<RedisReport> {
    let started = std::time::Instant::now();
    let (info, _) = target.connection_info()?;
    let db = info.redis_settings().db();
    let mut session = Session::connect(target, opts.max_ops_per_sec)?;
    let server = read_server_info(&mut session, db)?;
    let mut notes = Vec::new();
    let top = opts.top.max(1);

    // The slow log first: a long scan's own SCAN calls can land in it and push out the
    // entries that matter (it keeps only slowlog-max-len, 128 by default).
    let slowlog = if opts.slowlog {
        Some(slowlog::read(&mut session, top)?)
    } else {
        None
    };
    let hot = opts.hotkeys.as_ref().map(|h| {
        let (method, reason) = hotkeys::resolve_method(h.method, server.maxmemory_policy.as_deref());
        (h, method, reason)
    });
    if let Some((_, HotKeyMethod::Lfu, _)) = &hot {
        if !server.maxmemory_policy.as_deref().is_some_and(|p| p.ends_with("lfu")) {
            return Err(RedisError::Unsupported {
                addr: session.addr.clone(),
                detail: format!(
                    "hot keys by LFU need maxmemory-policy allkeys-lfu or volatile-lfu, but it is {}; use --hot-method monitor",
                    server.maxmemory_policy.as_deref().unwrap_or("unknown")
                ),
            });
        }
    }
    let lfu_scan = matches!(hot, Some((_, HotKeyMethod::Lfu, _)));
    // Set when a part fails: later parts are not tried (the connection is gone or the
    // server hangs), and what was found so far is still returned.
    let mut interrupted: Option<RedisError> = None;
    let mut candidates = FreqCandidates::new(hotkeys::candidate_count(top));

    let bigkeys = if opts.bigkeys {
        // Length commands touch keys; only count elements when the server can be told not to.
        let counts = session
            .query::<redis::Value>(redis::cmd("CLIENT").arg("NO-TOUCH").arg("ON"), "CLIENT NO-TOUCH")
            .is_ok();
        if !counts {
            notes.push(
                "element counts left out: this server has no CLIENT NO-TOUCH (Redis < 7.2), and STRLEN/LLEN/HLEN/… \
                 would update the keys' LRU/LFU state; sizes are MEMORY USAGE bytes"
                    .to_string(),
            );
        }
        let mut stats = BigKeyStats::new(top);
        let want = Want {
            memory: true,
            freq: lfu_scan,
            counts,
        };
        let outcome = bigkeys::scan(&mut session, &opts.scan, want, "big keys", progress, &mut |o| {
            if let Some(bytes) = o.bytes {
                stats.add(o.key, o.kind, bytes, o.elements);
            }
            if let Some(f) = o.freq {
                candidates.offer(f, o.key);
            }
        })?;
        let report = stats.report(&outcome, &opts.scan, counts);
        if let Some(e) = outcome.error {
            notes.push(format!(
                "big-key scan stopped after {} keys: {e}; the figures cover those keys; resume with --cursor {}",
                outcome.keys, outcome.next_cursor
            ));
            interrupted = Some(e);
        } else if !outcome.complete {
            notes.push(format!(
                "scan stopped early; resume with --cursor {}",
                outcome.next_cursor
            ));
        }
        Some(report)
    } else {
        None
    };

    let hot = if interrupted.is_some() {
        if hot.is_some() {
            notes.push("hot keys not measured: the big-key scan was interrupted".to_string());
        }
        None
    } else {
        hot
    };
    let measured: Result<Option<HotKeyReport>> = (|| {
        Ok(match hot {
            None => None,
            Some((h, HotKeyMethod::Lfu, reason)) => {
                if !opts.bigkeys {
                    let want = Want {
                        memory: false,
                        freq: true,
                        counts: false,
                    };
                    let outcome = bigkeys::scan(
                        &mut session,
                        &opts.scan,
                        want,
                        "hot keys (LFU scan)",
                        progress,
                        &mut |o| {
                            if let Some(f) = o.freq {
                                candidates.offer(f, o.key);
                            }
                        },
                    )?;
                    if let Some(e) = outcome.error {
                        return Err(e);
                    }
                }
                let factor = session
                    .query::<Vec<String>>(redis::cmd("CONFIG").arg("GET").arg("lfu-log-factor"), "CONFIG GET")
                    .ok()
                    .and_then(|kv| kv.get(1).and_then(|v| v.parse().ok()));
                if factor.is_none() {
                    notes.push("CONFIG GET lfu-log-factor was refused; assumed the default 10".to_string());
                }
                Some(hotkeys::measure_lfu(
                    &mut session,
                    candidates,
                    h,
                    top,
                    factor.unwrap_or(10),
                    reason,
                    progress,
                )?)
            }
            Some((h, _, reason)) => Some(hotkeys::measure_monitor(
                &mut session,
                target,
                db,
                h,
                top,
                opts.scan.match_pattern.as_deref(),
                reason,
                progress,
            )?),
        })
    })();
    let hotkeys = match measured {
        Ok(h) => h,
        Err(e) => {
            notes.push(format!("hot keys not measured: {e}"));
            interrupted = Some(e);
            None
        }
    };

    Ok(RedisReport {
        server,
        bigkeys,
        hotkeys,
        slowlog,
        commands_sent: session.limiter.ops(),
        max_ops_per_sec: opts.max_ops_per_sec,
        elapsed_secs: started.elapsed().as_secs_f64(),
        notes,
        interrupted: interrupted.map(|e| e.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn info_fields_are_read_by_exact_name() {
        let info = "# Server\r\nredis_version:7.0.15\r\nredis_version_extra:x\r\n# Memory\r\nused_memory:123\r\nused_memory_human:1K\r\nmaxmemory_policy:allkeys-lfu\r\n";
        assert_eq!(info_field(info, "redis_version"), Some("7.0.15"));
        assert_eq!(info_field(info, "used_memory"), Some("123"));
        assert_eq!(info_field(info, "maxmemory_policy"), Some("allkeys-lfu"));
        assert_eq!(info_field(info, "role"), None);
    }

    #[test]
    fn report_serializes() {
        let r = RedisReport {
            server: ServerInfo {
                addr: "h:1".into(),
                db: 0,
                version: None,
                role: None,
                maxmemory_policy: None,
                used_memory: None,
                dbsize: Some(3),
            },
            bigkeys: None,
            hotkeys: None,
            slowlog: None,
            commands_sent: 0,
            max_ops_per_sec: 0,
            elapsed_secs: 0.0,
            notes: vec![],
            interrupted: None,
        };
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["server"]["dbsize"], 3);
    }
}
