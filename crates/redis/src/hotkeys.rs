//! Hot keys, with the method said and its limits, and bytes per second per key
//! (reads × value size) — the figure that says "1.8 GB/s to one key".
//!
//! * **lfu** (the server runs `allkeys-lfu`/`volatile-lfu`): `OBJECT FREQ` of every key
//!   during the scan ranks them; the top candidates are read again after `duration`, and
//!   the counter's rise is turned into an expected number of accesses by inverting the
//!   server's logarithmic increment (`LFULogIncr` in `evict.c`: from counter `c` the next
//!   step takes on average `max(c−5, 0) × lfu-log-factor + 1` accesses). `OBJECT FREQ`
//!   does not touch the key. A counter at 255 is saturated and gives no rate.
//! * **monitor** (any policy): `MONITOR` on a second connection for `duration`, counting
//!   operations per key by command (whole-value reads, partial reads, writes). It costs
//!   the server throughput while it runs, so it is bounded in time.
//!
//! Value sizes come from `MEMORY USAGE` (no touch). Memory is bounded: at most
//! [`MAX_TRACKED_KEYS`] counters (pruned Misra–Gries style) and one MONITOR line at a time.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::time::{Duration, Instant};

use redis::Value;
use serde::Serialize;

use crate::conn::{as_u64, Session, Target};
use crate::error::Result;
use crate::keys::{command_keys, display_key, glob_match, keys_of, skip_subcommand, Access, MAX_KEY_SHOWN};
use crate::Progress;

/// Keys counted at once while sampling MONITOR; when twice this many are tracked, the
/// least-counted are dropped (their largest count is reported as the error bound).
pub const MAX_TRACKED_KEYS: usize = 10_000;

/// How hot keys are found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum HotKeyMethod {
    /// `lfu` when the server runs an LFU policy, `monitor` otherwise.
    Auto,
    Lfu,
    Monitor,
}

#[derive(Debug, Clone)]
pub struct HotKeyOptions {
    pub method: HotKeyMethod,
    /// How long to sample (MONITOR) or to wait between the two counter readings (lfu).
    pub duration: Duration,
}

/// One hot key.
#[derive(Debug, Clone, Serialize)]
pub struct HotKeyEntry {
    pub key: String,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// `MEMORY USAGE` after the sample (None: the key is gone).
    pub value_bytes: Option<u64>,
    /// monitor: operations on the key per second; lfu: estimated accesses per second.
    pub ops_per_sec: Option<f64>,
    /// monitor only: reads returning the whole value (GET, HGETALL, SMEMBERS, LRANGE 0 -1…).
    pub full_reads_per_sec: Option<f64>,
    /// monitor only: reads returning part of the value (HGET, LINDEX, ranges…).
    pub partial_reads_per_sec: Option<f64>,
    /// monitor only.
    pub writes_per_sec: Option<f64>,
    /// monitor: whole-value reads/s × value bytes; lfu: accesses/s × value bytes (an upper bound).
    pub est_bytes_per_sec: Option<f64>,
    /// lfu only: `OBJECT FREQ` at the start and the end of the window.
    pub lfu_counter_before: Option<u8>,
    pub lfu_counter_after: Option<u8>,
    /// lfu only: the counter was at 255, so no rate could be read from it.
    pub saturated: bool,
    /// lfu only: the counter reached 255 during the window, so the rate is at least this.
    pub rate_is_lower_bound: bool,
}

/// The hot-key part of the report.
#[derive(Debug, Clone, Serialize)]
pub struct HotKeyReport {
    /// The method used (never `auto`).
    pub method: HotKeyMethod,
    /// Why that method.
    pub reason: String,
    /// Measured window, seconds.
    pub window_secs: f64,
    /// Ranked by operations (monitor) or by LFU counter, then rate (lfu).
    pub keys: Vec<HotKeyEntry>,
    /// The same candidates ranked by estimated bytes per second.
    pub by_bytes_per_sec: Vec<HotKeyEntry>,
    /// monitor: commands seen for this database in the window.
    pub ops_seen: Option<u64>,
    /// monitor: counts may be low by at most this much for keys that were pruned and came back.
    pub count_error_bound: Option<u64>,
    /// lfu: the server's `lfu-log-factor` used to invert the counter.
    pub lfu_log_factor: Option<u64>,
    /// What the figures can and cannot say.
    pub limits: Vec<String>,
}

/// Resolves `auto` from the server's `maxmemory-policy`.
pub fn resolve_method(requested: HotKeyMethod, policy: Option<&str>) -> (HotKeyMethod, String) {
    let lfu = policy.is_some_and(|p| p.ends_with("lfu"));
    let policy = policy.unwrap_or("unknown");
    match requested {
        HotKeyMethod::Auto if lfu => (
            HotKeyMethod::Lfu,
            format!("maxmemory-policy is {policy}, so OBJECT FREQ counters exist"),
        ),
        HotKeyMethod::Auto => (
            HotKeyMethod::Monitor,
            format!("maxmemory-policy is {policy} (not LFU), so OBJECT FREQ is unavailable; sampled MONITOR instead"),
        ),
        HotKeyMethod::Lfu => (HotKeyMethod::Lfu, format!("requested (maxmemory-policy {policy})")),
        HotKeyMethod::Monitor => (HotKeyMethod::Monitor, format!("requested (maxmemory-policy {policy})")),
    }
}

/// Expected accesses for an LFU counter to rise from `from` to `to` (the inverse of
/// `LFULogIncr`: from counter c the step succeeds with p = 1/(max(c−5,0)·factor+1)).
pub fn lfu_expected_accesses(from: u8, to: u8, factor: u64) -> f64 {
    // A fold from +0.0: `f64::sum` of nothing is -0.0, which would print as "-0".
    (from..to).fold(0.0, |acc, c| acc + f64::from(c.saturating_sub(5)) * factor as f64 + 1.0)
}

/// The `cap` keys with the highest LFU counters seen during a scan.
pub(crate) struct FreqCandidates {
    cap: usize,
    heap: BinaryHeap<Reverse<(u8, Vec<u8>)>>,
}

impl FreqCandidates {
    pub fn new(cap: usize) -> Self {
        FreqCandidates {
            cap,
            heap: BinaryHeap::with_capacity(cap + 1),
        }
    }

    pub fn offer(&mut self, freq: u8, key: &[u8]) {
        let qualifies = self.heap.len() < self.cap || self.heap.peek().is_some_and(|m| freq > m.0 .0);
        if qualifies && !self.heap.iter().any(|r| r.0 .1 == key) {
            self.heap.push(Reverse((freq, key.to_vec())));
            if self.heap.len() > self.cap {
                self.heap.pop();
            }
        }
    }

    fn into_keys(self) -> Vec<Vec<u8>> {
        let mut v: Vec<(u8, Vec<u8>)> = self.heap.into_iter().map(|r| r.0).collect();
        v.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        v.into_iter().map(|(_, k)| k).collect()
    }
}

/// How many candidates to measure for a report of `top` keys.
pub(crate) fn candidate_count(top: usize) -> usize {
    (top * 4).max(50)
}

/// `OBJECT FREQ` of each key (None where the key is gone).
fn read_freqs(session: &mut Session, keys: &[Vec<u8>]) -> Result<Vec<Option<u8>>> {
    let mut pipe = redis::pipe();
    for k in keys {
        pipe.cmd("OBJECT").arg("FREQ").arg(k);
    }
    let replies = session.pipeline(&mut pipe, "OBJECT FREQ pipeline")?;
    Ok(replies.iter().map(|v| as_u64(v).map(|f| f.min(255) as u8)).collect())
}

/// `TYPE` + `MEMORY USAGE` of each key; neither touches it.
fn read_sizes(session: &mut Session, keys: &[Vec<u8>]) -> Result<Vec<(Option<String>, Option<u64>)>> {
    let mut pipe = redis::pipe();
    for k in keys {
        pipe.cmd("TYPE").arg(k);
        pipe.cmd("MEMORY").arg("USAGE").arg(k);
    }
    let replies = session.pipeline(&mut pipe, "TYPE/MEMORY USAGE pipeline")?;
    Ok(replies
        .chunks(2)
        .map(|pair| {
            let kind = match &pair[0] {
                Value::SimpleString(s) if s != "none" => Some(s.clone()),
                _ => None,
            };
            (kind, as_u64(&pair[1]))
        })
        .collect())
}

/// Ranks the LFU candidates by their counter rise over `duration`.
pub(crate) fn measure_lfu(
    session: &mut Session,
    candidates: FreqCandidates,
    opts: &HotKeyOptions,
    top: usize,
    factor: u64,
    reason: String,
    progress: &mut dyn FnMut(&Progress),
) -> Result<HotKeyReport> {
    let keys = candidates.into_keys();
    let before = read_freqs(session, &keys)?;
    let t0 = Instant::now();
    wait_with_progress(opts.duration, "hot keys (LFU window)", progress);
    let after = read_freqs(session, &keys)?;
    let window = t0.elapsed().as_secs_f64().max(1e-3);
    let sizes = read_sizes(session, &keys)?;
    let mut entries: Vec<HotKeyEntry> = Vec::with_capacity(keys.len());
    for (i, key) in keys.iter().enumerate() {
        let (Some(b), Some(a)) = (before[i], after[i]) else {
            continue;
        };
        let saturated = b == 255;
        // Decay (1 per lfu-decay-time minutes) can lower the counter: no rise, no rate.
        let rate = (!saturated).then(|| lfu_expected_accesses(b, a.max(b), factor) / window);
        let (kind, value_bytes) = sizes[i].clone();
        entries.push(HotKeyEntry {
            key: display_key(key),
            kind,
            value_bytes,
            ops_per_sec: rate,
            full_reads_per_sec: None,
            partial_reads_per_sec: None,
            writes_per_sec: None,
            est_bytes_per_sec: rate.zip(value_bytes).map(|(r, v)| r * v as f64),
            lfu_counter_before: Some(b),
            lfu_counter_after: Some(a),
            saturated,
            rate_is_lower_bound: !saturated && a == 255,
        });
    }
    entries.sort_by(|x, y| {
        y.lfu_counter_after
            .cmp(&x.lfu_counter_after)
            .then_with(|| y.ops_per_sec.unwrap_or(0.0).total_cmp(&x.ops_per_sec.unwrap_or(0.0)))
    });
    let by_bytes = rank_by_bytes(&entries, top);
    entries.truncate(top);
    let step_at_200 = lfu_expected_accesses(200, 201, factor);
    Ok(HotKeyReport {
        method: HotKeyMethod::Lfu,
        reason,
        window_secs: window,
        keys: entries,
        by_bytes_per_sec: by_bytes,
        ops_seen: None,
        count_error_bound: None,
        lfu_log_factor: Some(factor),
        limits: vec![
            format!(
                "OBJECT FREQ is an 8-bit logarithmic counter, not a rate: rates are the expected accesses for the \
                 counter's rise over the {window:.1} s window, coarse at high counters (one step at 200 ≈ {step_at_200:.0} accesses)"
            ),
            "a counter at 255 is saturated and gives no rate (shown as saturated); measure those with --hot-method monitor"
                .to_string(),
            "the counter counts reads and writes alike, so bytes/s = accesses/s × MEMORY USAGE is an upper bound".to_string(),
            format!(
                "only the {} keys with the highest counters at scan time were measured; the counter also decays by 1 \
                 per lfu-decay-time minutes, so it shows recent heat",
                keys.len()
            ),
        ],
    })
}

fn rank_by_bytes(entries: &[HotKeyEntry], top: usize) -> Vec<HotKeyEntry> {
    let mut v: Vec<HotKeyEntry> = entries
        .iter()
        .filter(|e| e.est_bytes_per_sec.is_some())
        .cloned()
        .collect();
    v.sort_by(|a, b| {
        b.est_bytes_per_sec
            .unwrap_or(0.0)
            .total_cmp(&a.est_bytes_per_sec.unwrap_or(0.0))
    });
    v.truncate(top);
    v
}

fn wait_with_progress(duration: Duration, phase: &'static str, progress: &mut dyn FnMut(&Progress)) {
    let start = Instant::now();
    while start.elapsed() < duration {
        let left = duration.saturating_sub(start.elapsed());
        std::thread::sleep(left.min(Duration::from_millis(200)));
        let fraction = (start.elapsed().as_secs_f64() / duration.as_secs_f64().max(1e-9)).min(1.0);
        progress(&Progress {
            phase,
            keys: 0,
            cursor: 0,
            fraction,
        });
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct OpCounts {
    ops: u64,
    full_reads: u64,
    partial_reads: u64,
    writes: u64,
}

/// Operation counts per key in bounded memory: at `2 × cap` keys the map is cut back to
/// the `cap` most-counted (Misra–Gries style; a key dropped and seen again restarts, so
/// its count is low by at most `error_bound`).
#[derive(Default)]
pub(crate) struct KeyCounter {
    cap: usize,
    counts: HashMap<Vec<u8>, OpCounts>,
    error_bound: u64,
}

impl KeyCounter {
    pub fn new(cap: usize) -> Self {
        KeyCounter {
            cap: cap.max(1),
            counts: HashMap::new(),
            error_bound: 0,
        }
    }

    fn add(&mut self, key: &[u8], access: Access) {
        let key = &key[..key.len().min(MAX_KEY_SHOWN + 1)];
        let c = match self.counts.get_mut(key) {
            Some(c) => c,
            None => {
                if self.counts.len() >= 2 * self.cap {
                    self.prune();
                }
                self.counts.entry(key.to_vec()).or_default()
            }
        };
        c.ops += 1;
        match access {
            Access::FullRead => c.full_reads += 1,
            Access::PartialRead => c.partial_reads += 1,
            Access::Write => c.writes += 1,
            Access::Meta => {}
        }
    }

    fn prune(&mut self) {
        let mut all: Vec<(Vec<u8>, OpCounts)> = self.counts.drain().collect();
        all.sort_unstable_by_key(|e| Reverse(e.1.ops));
        if let Some(max_dropped) = all.get(self.cap).map(|e| e.1.ops) {
            self.error_bound = self.error_bound.max(max_dropped);
        }
        all.truncate(self.cap);
        self.counts.extend(all);
    }

    fn top(&self, n: usize) -> Vec<(Vec<u8>, OpCounts)> {
        let mut v: Vec<(Vec<u8>, OpCounts)> = self.counts.iter().map(|(k, c)| (k.clone(), *c)).collect();
        v.sort_by(|a, b| b.1.ops.cmp(&a.1.ops).then_with(|| a.0.cmp(&b.0)));
        v.truncate(n);
        v
    }
}

/// One `MONITOR` line: `1700000000.123456 [0 127.0.0.1:5555] "GET" "key"`. Returns the
/// database and the arguments still escaped (quotes stripped), without copying.
fn split_monitor_line(line: &[u8]) -> Option<(i64, Vec<&[u8]>)> {
    let open = memchr(b'[', line)?;
    let rest = &line[open + 1..];
    let space = memchr(b' ', rest)?;
    let db: i64 = std::str::from_utf8(&rest[..space]).ok()?.parse().ok()?;
    let close = memchr(b']', rest)?;
    let mut args = Vec::new();
    let mut i = close + 1;
    let bytes = rest;
    while i < bytes.len() {
        if bytes[i] != b'"' {
            i += 1;
            continue;
        }
        let start = i + 1;
        let mut j = start;
        while j < bytes.len() && bytes[j] != b'"' {
            j += if bytes[j] == b'\\' { 2 } else { 1 };
        }
        args.push(&bytes[start..j.min(bytes.len())]);
        i = j + 1;
    }
    Some((db, args))
}

fn memchr(needle: u8, hay: &[u8]) -> Option<usize> {
    hay.iter().position(|&b| b == needle)
}

/// Undoes redis' `sdscatrepr` quoting (`\"`, `\\`, `\n`, `\r`, `\t`, `\a`, `\b`, `\xNN`).
fn unescape(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        if raw[i] != b'\\' || i + 1 >= raw.len() {
            out.push(raw[i]);
            i += 1;
            continue;
        }
        let (b, used) = match raw[i + 1] {
            b'n' => (b'\n', 2),
            b'r' => (b'\r', 2),
            b't' => (b'\t', 2),
            b'a' => (7, 2),
            b'b' => (8, 2),
            b'x' if i + 3 < raw.len() => {
                match std::str::from_utf8(&raw[i + 2..i + 4])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                {
                    Some(b) => (b, 4),
                    None => (b'x', 2),
                }
            }
            other => (other, 2),
        };
        out.push(b);
        i += used;
    }
    out
}

/// Counts one MONITOR line into `counter` if it is for `db` and names keys.
fn count_line(line: &[u8], db: i64, match_pattern: Option<&[u8]>, counter: &mut KeyCounter) -> bool {
    let Some((line_db, args)) = split_monitor_line(line) else {
        return false;
    };
    if line_db != db || args.is_empty() {
        return false;
    }
    let cmd = String::from_utf8_lossy(&unescape(args[0])).to_ascii_lowercase();
    let rest = if skip_subcommand(&cmd) {
        args.get(2..).unwrap_or(&[])
    } else {
        &args[1..]
    };
    let Some((spec, access)) = command_keys(&cmd, rest) else {
        return true;
    };
    for raw_key in keys_of(spec, rest) {
        let key = unescape(raw_key);
        if match_pattern.is_none_or(|p| glob_match(p, &key)) {
            counter.add(&key, access);
        }
    }
    true
}

/// Samples `MONITOR` for `opts.duration` on a second connection and ranks keys by operations.
#[allow(clippy::too_many_arguments)]
pub(crate) fn measure_monitor(
    session: &mut Session,
    target: &Target,
    db: i64,
    opts: &HotKeyOptions,
    top: usize,
    match_pattern: Option<&str>,
    reason: String,
    progress: &mut dyn FnMut(&Progress),
) -> Result<HotKeyReport> {
    let mut monitor = Session::connect(target, 0)?;
    let mut counter = KeyCounter::new(MAX_TRACKED_KEYS);
    let mut ops_seen = 0u64;
    monitor
        .conn
        .send_packed_command(&redis::cmd("MONITOR").get_packed_command())
        .map_err(|e| monitor.command_error("MONITOR", e))?;
    match monitor.conn.recv_response() {
        Ok(Value::Okay) => {}
        Ok(Value::SimpleString(s)) if s == "OK" => {}
        Ok(other) => return Err(monitor.reply_error("MONITOR", format!("{other:?}"))),
        Err(e) => return Err(monitor.command_error("MONITOR", e)),
    }
    let started = Instant::now();
    let mut last_progress = started;
    let pattern = match_pattern.map(str::as_bytes);
    loop {
        let left = opts.duration.saturating_sub(started.elapsed());
        if left.is_zero() {
            break;
        }
        monitor
            .conn
            .set_read_timeout(Some(left.max(Duration::from_millis(1))))
            .map_err(|e| monitor.command_error("MONITOR", e))?;
        match monitor.conn.recv_response() {
            Ok(Value::SimpleString(line)) => {
                if count_line(line.as_bytes(), db, pattern, &mut counter) {
                    ops_seen += 1;
                }
            }
            Ok(Value::BulkString(line)) => {
                if count_line(&line, db, pattern, &mut counter) {
                    ops_seen += 1;
                }
            }
            Ok(_) => {}
            Err(e) if e.is_timeout() => break,
            Err(e) => return Err(monitor.command_error("MONITOR", e)),
        }
        if last_progress.elapsed() >= Duration::from_millis(200) {
            last_progress = Instant::now();
            let fraction = (started.elapsed().as_secs_f64() / opts.duration.as_secs_f64().max(1e-9)).min(1.0);
            progress(&Progress {
                phase: "hot keys (MONITOR)",
                keys: ops_seen,
                cursor: 0,
                fraction,
            });
        }
    }
    let window = started.elapsed().as_secs_f64().max(1e-3);
    // Closing the connection ends MONITOR on the server.
    drop(monitor);
    let candidates = counter.top(candidate_count(top));
    let keys: Vec<Vec<u8>> = candidates.iter().map(|(k, _)| k.clone()).collect();
    let sizes = read_sizes(session, &keys)?;
    let per_sec = |n: u64| n as f64 / window;
    let mut entries: Vec<HotKeyEntry> = candidates
        .iter()
        .zip(sizes)
        .map(|((key, c), (kind, value_bytes))| HotKeyEntry {
            key: display_key(key),
            kind,
            value_bytes,
            ops_per_sec: Some(per_sec(c.ops)),
            full_reads_per_sec: Some(per_sec(c.full_reads)),
            partial_reads_per_sec: Some(per_sec(c.partial_reads)),
            writes_per_sec: Some(per_sec(c.writes)),
            est_bytes_per_sec: value_bytes.map(|v| per_sec(c.full_reads) * v as f64),
            lfu_counter_before: None,
            lfu_counter_after: None,
            saturated: false,
            rate_is_lower_bound: false,
        })
        .collect();
    let by_bytes = rank_by_bytes(&entries, top);
    entries.truncate(top);
    Ok(HotKeyReport {
        method: HotKeyMethod::Monitor,
        reason,
        window_secs: window,
        keys: entries,
        by_bytes_per_sec: by_bytes,
        ops_seen: Some(ops_seen),
        count_error_bound: Some(counter.error_bound),
        lfu_log_factor: None,
        limits: vec![
            format!(
                "a {window:.1} s MONITOR sample: keys hot before or after it are missed; MONITOR streams every command to \
                 this client and costs the server throughput while it runs"
            ),
            "bytes/s = whole-value reads/s (GET, HGETALL, SMEMBERS, LRANGE 0 -1…) × MEMORY USAGE (value plus overhead); \
             partial reads (HGET, ranges) are counted but not priced"
                .to_string(),
            format!(
                "at most {MAX_TRACKED_KEYS} keys are counted at once; counts may be low by up to the error bound shown"
            ),
            "commands the server runs itself (expiry, eviction) do not appear in MONITOR".to_string(),
        ],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lfu_inversion_matches_the_servers_figures() {
        // redis-tools.md: with factor 10, ~100 hits give a counter of about 10, ~1000 about 18.
        assert!((lfu_expected_accesses(5, 10, 10) - 105.0).abs() < 1e-9);
        let to_18 = lfu_expected_accesses(5, 18, 10);
        assert!((700.0..1000.0).contains(&to_18), "{to_18}");
        assert_eq!(lfu_expected_accesses(0, 5, 10), 5.0);
        assert_eq!(lfu_expected_accesses(7, 7, 10), 0.0);
    }

    #[test]
    fn auto_picks_lfu_only_under_an_lfu_policy() {
        assert_eq!(
            resolve_method(HotKeyMethod::Auto, Some("allkeys-lfu")).0,
            HotKeyMethod::Lfu
        );
        assert_eq!(
            resolve_method(HotKeyMethod::Auto, Some("volatile-lfu")).0,
            HotKeyMethod::Lfu
        );
        assert_eq!(
            resolve_method(HotKeyMethod::Auto, Some("allkeys-lru")).0,
            HotKeyMethod::Monitor
        );
        assert_eq!(resolve_method(HotKeyMethod::Auto, None).0, HotKeyMethod::Monitor);
    }

    #[test]
    fn monitor_lines_are_split_unescaped_and_counted() {
        let mut c = KeyCounter::new(100);
        let lines: [&[u8]; 6] = [
            br#"1700000000.000001 [0 127.0.0.1:5555] "GET" "hot:key""#,
            br#"1700000000.000002 [0 127.0.0.1:5555] "get" "hot:key""#,
            br#"1700000000.000003 [0 lua] "HGET" "h:1" "f""#,
            br#"1700000000.000004 [1 127.0.0.1:5555] "GET" "other:db""#,
            br#"1700000000.000005 [0 127.0.0.1:5555] "MSET" "a\"q" "v" "b\x00" "w""#,
            br#"1700000000.000006 [0 127.0.0.1:5555] "OBJECT" "FREQ" "hot:key""#,
        ];
        for l in lines {
            count_line(l, 0, None, &mut c);
        }
        let top = c.top(10);
        assert_eq!(top[0].0, b"hot:key");
        assert_eq!((top[0].1.ops, top[0].1.full_reads), (3, 2));
        assert!(top.iter().any(|(k, c)| k == b"h:1" && c.partial_reads == 1));
        assert!(top.iter().any(|(k, c)| k == b"a\"q" && c.writes == 1));
        assert!(top.iter().any(|(k, _)| k == b"b\x00"));
        assert!(
            !top.iter().any(|(k, _)| k == b"other:db"),
            "other databases are ignored"
        );
        let mut m = KeyCounter::new(100);
        count_line(lines[0], 0, Some(b"user:*"), &mut m);
        assert!(m.top(1).is_empty(), "--match filters keys");
    }

    #[test]
    fn key_counter_stays_bounded_and_keeps_heavy_keys() {
        let mut c = KeyCounter::new(10);
        for i in 0..10_000u32 {
            c.add(b"heavy", Access::FullRead);
            c.add(format!("cold:{i}").as_bytes(), Access::FullRead);
            assert!(c.counts.len() <= 20);
        }
        let top = c.top(1);
        assert_eq!(top[0].0, b"heavy");
        assert_eq!(top[0].1.ops, 10_000);
        assert!(c.error_bound <= 1);
    }

    /// The real cap: at 2 × MAX_TRACKED_KEYS keys the counter is cut back to the
    /// MAX_TRACKED_KEYS most counted, and the largest dropped count is the error bound the
    /// report shows.
    #[test]
    fn key_counter_at_max_tracked_keys_reports_its_error_bound() {
        let mut c = KeyCounter::new(MAX_TRACKED_KEYS);
        for i in 0..MAX_TRACKED_KEYS {
            for _ in 0..3 {
                c.add(format!("warm:{i}").as_bytes(), Access::FullRead);
            }
        }
        for i in 0..MAX_TRACKED_KEYS {
            c.add(format!("cold:{i}").as_bytes(), Access::FullRead);
            c.add(format!("cold:{i}").as_bytes(), Access::Write);
        }
        assert_eq!(c.counts.len(), 2 * MAX_TRACKED_KEYS);
        assert_eq!(c.error_bound, 0, "nothing dropped yet");
        c.add(b"one-more", Access::Meta);
        // The 10,000 warm keys (3 ops) stay; the cold ones (2 ops) go: bound 2.
        assert_eq!(c.counts.len(), MAX_TRACKED_KEYS + 1);
        assert_eq!(c.error_bound, 2);
        assert!(c.counts.keys().all(|k| !k.starts_with(b"cold:")));
        assert_eq!(c.top(1)[0].1.ops, 3);
    }
}
