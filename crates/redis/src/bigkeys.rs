//! Big keys: a `SCAN` with pipelined `TYPE` + `MEMORY USAGE` per key, aggregated into
//! bounded top-N heaps (overall and per type), a size histogram and a prefix roll-up.
//!
//! Why these commands (Redis 7.0 source, `src/db.c`, `src/object.c`):
//! * `SCAN` is incremental and non-blocking; it never uses `KEYS`.
//! * `TYPE` looks the key up with `LOOKUP_NOTOUCH`, `MEMORY USAGE` with a bare
//!   `dictFind`, `OBJECT FREQ` with `LOOKUP_NOTOUCH`: none of them updates the LRU clock
//!   or the LFU counter, so a scan does not disturb eviction or a later hot-key run.
//!   (Like every read, `TYPE` and `SCAN` may lazily delete a key whose TTL has passed;
//!   that is the server's own expiry, not a write by us.)
//! * The length commands (`STRLEN`, `LLEN`, `HLEN`, `SCARD`, `ZCARD`, `XLEN`) *do* touch
//!   the key (`lookupKeyRead`), so element counts are read only after
//!   `CLIENT NO-TOUCH ON` succeeded (Redis 7.2+); on older servers they are left out.
//!
//! Memory is bounded whatever the keyspace size: one SCAN batch of key names, `top`
//! entries per heap, 65 histogram slots and at most [`MAX_PREFIXES`] roll-up patterns.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::time::Instant;

use redis::Value;
use serde::Serialize;

use crate::conn::{as_u64, Session};
use crate::error::{RedisError, Result};
use crate::keys::{display_key, key_pattern, MAX_KEY_SHOWN};
use crate::Progress;

/// Distinct roll-up patterns tracked; keys of further new patterns are summed into one
/// "other patterns" bucket (about 400 bytes a pattern, so 8 MB at most).
pub const MAX_PREFIXES: usize = 20_000;
/// Distinct type names kept apart; further module types are summed as `other`.
const MAX_TYPES: usize = 16;

/// How to walk the keyspace.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// `SCAN … MATCH`.
    pub match_pattern: Option<String>,
    /// Resume from this cursor (0 = from the start), as printed by a stopped run.
    pub cursor: u64,
    /// Stop after about this many keys (whole SCAN batches) and report the next cursor.
    pub max_keys: Option<u64>,
    /// `SCAN … COUNT` hint. redis-cli 7.0 sends none (the server's 10); 1000 keeps a
    /// round trip per thousand keys while each SCAN call stays short.
    pub count: u32,
    /// `MEMORY USAGE … SAMPLES n`: elements sampled per aggregate (server default 5, 0 = all, O(n)).
    pub samples: Option<u32>,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            match_pattern: None,
            cursor: 0,
            max_keys: None,
            count: 1000,
            samples: None,
        }
    }
}

/// What to read per key besides `TYPE`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Want {
    pub memory: bool,
    pub freq: bool,
    pub counts: bool,
}

/// One scanned key.
pub(crate) struct Observation<'a> {
    pub key: &'a [u8],
    pub kind: &'a str,
    pub bytes: Option<u64>,
    pub elements: Option<u64>,
    pub freq: Option<u8>,
}

/// How a scan ended.
#[derive(Debug)]
pub(crate) struct ScanOutcome {
    pub keys: u64,
    pub vanished: u64,
    /// 0 when the scan completed; otherwise where to resume.
    pub next_cursor: u64,
    pub complete: bool,
    pub elapsed_secs: f64,
    /// Why the scan stopped before its end (the server died, hung or refused): the keys
    /// visited so far are kept, and `next_cursor` resumes with the batch that failed.
    pub error: Option<RedisError>,
}

/// The share of the hash table a SCAN cursor has covered. SCAN walks buckets in
/// reverse-binary order, so the bit-reversed cursor grows steadily from 0 to the table
/// size; this works with `MATCH` too, where key counts say nothing.
pub fn cursor_fraction(cursor: u64) -> f64 {
    cursor.reverse_bits() as f64 / 18_446_744_073_709_551_616.0
}

/// The length command of a type; each of these touches the key (see the module docs).
fn length_command(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "string" => "STRLEN",
        "list" => "LLEN",
        "set" => "SCARD",
        "zset" => "ZCARD",
        "hash" => "HLEN",
        "stream" => "XLEN",
        _ => return None,
    })
}

fn scan_cmd(pipe: &mut redis::Pipeline, cursor: u64, opts: &ScanOptions) {
    pipe.cmd("SCAN").arg(cursor);
    if let Some(m) = &opts.match_pattern {
        pipe.arg("MATCH").arg(m);
    }
    pipe.arg("COUNT").arg(opts.count.max(1));
}

fn parse_scan(session: &Session, v: &Value) -> Result<(u64, Vec<Vec<u8>>)> {
    let bad = |detail: &str| session.reply_error("SCAN", detail.to_string());
    let Value::Array(parts) = v else {
        return Err(bad(&format!("expected [cursor, keys], got {v:?}")));
    };
    let [cursor, keys] = parts.as_slice() else {
        return Err(bad("expected two elements"));
    };
    let cursor = as_u64(cursor).ok_or_else(|| bad("cursor is not a number"))?;
    let Value::Array(keys) = keys else {
        return Err(bad("keys are not an array"));
    };
    let keys = keys
        .iter()
        .map(|k| match k {
            Value::BulkString(b) => Ok(b.clone()),
            other => Err(bad(&format!("key is not a string: {other:?}"))),
        })
        .collect::<Result<Vec<_>>>()?;
    Ok((cursor, keys))
}

/// Queues the per-key commands of one batch, after the `SCAN` for the next batch (when
/// `scan_next` is set) so that its reply arrives first.
fn batch_pipeline(keys: &[Vec<u8>], want: Want, opts: &ScanOptions, scan_next: Option<u64>) -> redis::Pipeline {
    let mut pipe = redis::pipe();
    if let Some(cursor) = scan_next {
        scan_cmd(&mut pipe, cursor, opts);
    }
    for key in keys {
        pipe.cmd("TYPE").arg(key);
        if want.memory {
            pipe.cmd("MEMORY").arg("USAGE").arg(key);
            if let Some(n) = opts.samples {
                pipe.arg("SAMPLES").arg(n);
            }
        }
        if want.freq {
            pipe.cmd("OBJECT").arg("FREQ").arg(key);
        }
    }
    pipe
}

const BATCH: &str = "SCAN/TYPE/MEMORY USAGE pipeline";

/// Walks the keyspace. Each pipeline carries the `SCAN` for the next batch first and
/// then the per-key commands of this one; as soon as the `SCAN` reply is in, the next
/// pipeline is sent, so the server works on it while this batch's replies are handled.
/// (Not with element counts: their second pipeline must not interleave.)
///
/// A failure (connection lost, no answer in time, an unreadable reply) ends the walk
/// without losing what was found: the outcome carries the error and the cursor of the
/// batch that was not finished, so a later run resumes exactly there.
pub(crate) fn scan(
    session: &mut Session,
    opts: &ScanOptions,
    want: Want,
    phase: &'static str,
    progress: &mut dyn FnMut(&Progress),
    visit: &mut dyn FnMut(Observation<'_>),
) -> Result<ScanOutcome> {
    let started = Instant::now();
    let mut walked = Walked {
        seen: 0,
        vanished: 0,
        batch_cursor: opts.cursor,
    };
    match walk(session, opts, want, phase, progress, visit, &mut walked) {
        Ok(next) => Ok(ScanOutcome {
            keys: walked.seen,
            vanished: walked.vanished,
            next_cursor: next,
            complete: next == 0,
            elapsed_secs: started.elapsed().as_secs_f64(),
            error: None,
        }),
        Err(e) => Ok(ScanOutcome {
            keys: walked.seen,
            vanished: walked.vanished,
            next_cursor: walked.batch_cursor,
            complete: false,
            elapsed_secs: started.elapsed().as_secs_f64(),
            error: Some(e),
        }),
    }
}

/// Where a walk is: keys visited, and the cursor whose SCAN returned the batch being
/// worked on (where to resume if it fails).
struct Walked {
    seen: u64,
    vanished: u64,
    batch_cursor: u64,
}

/// The walk of [`scan`]; returns the cursor after the last batch (0: the end).
fn walk(
    session: &mut Session,
    opts: &ScanOptions,
    want: Want,
    phase: &'static str,
    progress: &mut dyn FnMut(&Progress),
    visit: &mut dyn FnMut(Observation<'_>),
    walked: &mut Walked,
) -> Result<u64> {
    let mut pipe = redis::pipe();
    scan_cmd(&mut pipe, opts.cursor, opts);
    let first = session.pipeline(&mut pipe, "SCAN")?;
    let (mut next, mut keys) = parse_scan(session, &first[0])?;
    // Keys SCAN has returned so far, for --max-keys (decided when a batch is sent).
    let mut returned = keys.len() as u64;
    let more_after = |returned: u64, next: u64| next != 0 && opts.max_keys.is_none_or(|max| returned < max);
    let per_key = 1 + usize::from(want.memory) + usize::from(want.freq);
    let mut types: Vec<Option<String>> = Vec::new();
    let mut in_flight = false;
    loop {
        let prefetch = more_after(returned, next);
        if !in_flight {
            session.send(&batch_pipeline(&keys, want, opts, prefetch.then_some(next)), BATCH)?;
        }
        let upcoming = if prefetch {
            let reply = session.recv(1, "SCAN")?;
            Some(parse_scan(session, &reply[0])?)
        } else {
            None
        };
        in_flight = false;
        if let Some((next2, keys2)) = upcoming.as_ref().filter(|_| !want.counts) {
            let prefetch2 = more_after(returned + keys2.len() as u64, *next2);
            session.send(&batch_pipeline(keys2, want, opts, prefetch2.then_some(*next2)), BATCH)?;
            in_flight = true;
        }
        let replies = session.recv(keys.len() * per_key, BATCH)?;
        types.clear();
        types.extend(keys.iter().enumerate().map(|(i, _)| match &replies[i * per_key] {
            Value::SimpleString(s) if s != "none" => Some(s.clone()),
            Value::BulkString(b) if b != b"none" => Some(String::from_utf8_lossy(b).into_owned()),
            _ => None,
        }));
        let elements = if want.counts {
            read_counts(session, &keys, &types)?
        } else {
            Vec::new()
        };
        for (i, key) in keys.iter().enumerate() {
            let Some(kind) = &types[i] else {
                // Deleted (or expired) between SCAN and TYPE.
                walked.vanished += 1;
                continue;
            };
            let mut at = i * per_key + 1;
            let bytes = if want.memory {
                at += 1;
                as_u64(&replies[at - 1])
            } else {
                None
            };
            let freq = if want.freq {
                as_u64(&replies[at]).map(|f| f.min(255) as u8)
            } else {
                None
            };
            if want.memory && bytes.is_none() {
                walked.vanished += 1;
                continue;
            }
            walked.seen += 1;
            visit(Observation {
                key,
                kind,
                bytes,
                elements: elements.get(i).copied().flatten(),
                freq,
            });
        }
        progress(&Progress {
            phase,
            keys: walked.seen,
            cursor: next,
            fraction: if next == 0 { 1.0 } else { cursor_fraction(next) },
        });
        let Some((next2, keys2)) = upcoming else {
            return Ok(next);
        };
        returned += keys2.len() as u64;
        // The batch now worked on came from the SCAN at `next`.
        walked.batch_cursor = next;
        (next, keys) = (next2, keys2);
    }
}

/// Element counts through the length commands; only called under `CLIENT NO-TOUCH ON`.
fn read_counts(session: &mut Session, keys: &[Vec<u8>], types: &[Option<String>]) -> Result<Vec<Option<u64>>> {
    let mut pipe = redis::pipe();
    let mut asked = Vec::with_capacity(keys.len());
    for (key, kind) in keys.iter().zip(types) {
        let cmd = kind.as_deref().and_then(length_command);
        if let Some(cmd) = cmd {
            pipe.cmd(cmd).arg(key);
        }
        asked.push(cmd.is_some());
    }
    let replies = session.pipeline(&mut pipe, "length pipeline (STRLEN/LLEN/HLEN/SCARD/ZCARD/XLEN)")?;
    let mut replies = replies.iter();
    Ok(asked
        .into_iter()
        .map(|a| if a { replies.next().and_then(as_u64) } else { None })
        .collect())
}

/// A key in a top-N list.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct KeyEntry {
    /// The key, printable (see [`display_key`]).
    pub key: String,
    #[serde(rename = "type")]
    pub kind: String,
    /// `MEMORY USAGE`: value, key name and dict overhead, in bytes.
    pub bytes: u64,
    /// Elements (string: bytes) when the server allowed counting without touching.
    pub elements: Option<u64>,
}

#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct Ranked {
    bytes: u64,
    key: Vec<u8>,
    kind: String,
    elements: Option<u64>,
}

/// The `cap` largest entries by bytes; a min-heap, so memory is `cap` entries.
struct TopN {
    cap: usize,
    heap: BinaryHeap<Reverse<Ranked>>,
}

impl TopN {
    fn new(cap: usize) -> Self {
        TopN {
            cap,
            heap: BinaryHeap::with_capacity(cap + 1),
        }
    }

    fn offer(&mut self, bytes: u64, key: &[u8], kind: &str, elements: Option<u64>) {
        if self.cap == 0 {
            return;
        }
        let qualifies = self.heap.len() < self.cap || self.heap.peek().is_some_and(|min| bytes > min.0.bytes);
        // SCAN may return a key twice (during a rehash): keep one entry per key.
        if !qualifies || self.heap.iter().any(|r| r.0.key == key) {
            return;
        }
        let key = key[..key.len().min(MAX_KEY_SHOWN + 1)].to_vec();
        self.heap.push(Reverse(Ranked {
            bytes,
            key,
            kind: kind.to_string(),
            elements,
        }));
        if self.heap.len() > self.cap {
            self.heap.pop();
        }
    }

    fn into_sorted(self) -> Vec<KeyEntry> {
        let mut v: Vec<Ranked> = self.heap.into_iter().map(|r| r.0).collect();
        v.sort_by(|a, b| b.bytes.cmp(&a.bytes).then_with(|| a.key.cmp(&b.key)));
        v.into_iter()
            .map(|r| KeyEntry {
                key: display_key(&r.key),
                kind: r.kind,
                bytes: r.bytes,
                elements: r.elements,
            })
            .collect()
    }
}

/// Totals and the biggest keys of one type.
#[derive(Debug, Clone, Serialize)]
pub struct TypeSummary {
    #[serde(rename = "type")]
    pub kind: String,
    pub keys: u64,
    pub bytes: u64,
    /// Sum of element counts, when counted.
    pub elements: Option<u64>,
    pub top: Vec<KeyEntry>,
}

/// Keys whose `MEMORY USAGE` falls in `[min_bytes, max_bytes)`.
#[derive(Debug, Clone, Serialize)]
pub struct SizeBucket {
    pub min_bytes: u64,
    pub max_bytes: u64,
    pub keys: u64,
    pub bytes: u64,
}

/// A roll-up pattern (`promo:strategy:*`) and what its keys hold.
#[derive(Debug, Clone, Serialize)]
pub struct PrefixEntry {
    pub pattern: String,
    pub keys: u64,
    pub bytes: u64,
    /// Share of all scanned bytes, 0–1.
    pub share: f64,
    pub largest_key: String,
    pub largest_bytes: u64,
}

/// The big-key part of the report.
#[derive(Debug, Clone, Serialize)]
pub struct BigKeyReport {
    /// Keys examined (a key SCAN returns twice is counted twice).
    pub keys_scanned: u64,
    /// Keys deleted or expired between SCAN and the per-key commands.
    pub keys_vanished: u64,
    pub total_bytes: u64,
    /// False when stopped by `max_keys`; resume with `next_cursor`.
    pub complete: bool,
    pub start_cursor: u64,
    pub next_cursor: u64,
    pub elapsed_secs: f64,
    pub match_pattern: Option<String>,
    /// `MEMORY USAGE … SAMPLES`: `None` is the server's default (5 elements, extrapolated).
    pub memory_usage_samples: Option<u32>,
    /// Whether element counts were read (needs `CLIENT NO-TOUCH`, Redis 7.2+).
    pub element_counts: bool,
    pub top: Vec<KeyEntry>,
    pub by_type: Vec<TypeSummary>,
    pub histogram: Vec<SizeBucket>,
    /// Patterns by bytes, at most `top` of them.
    pub prefixes: Vec<PrefixEntry>,
    /// Distinct patterns seen (at most [`MAX_PREFIXES`]).
    pub prefixes_tracked: usize,
    /// Keys (and their bytes) of patterns beyond the cap, not in `prefixes`.
    pub prefix_overflow_keys: u64,
    pub prefix_overflow_bytes: u64,
}

struct TypeStats {
    kind: String,
    keys: u64,
    bytes: u64,
    elements: u64,
    top: TopN,
}

struct PrefixStats {
    keys: u64,
    bytes: u64,
    largest_bytes: u64,
    largest_key: Vec<u8>,
}

/// Folds observations into the report's aggregates, in bounded memory.
pub(crate) struct BigKeyStats {
    top_n: usize,
    top: TopN,
    types: Vec<TypeStats>,
    log2_slots: [(u64, u64); 65],
    prefixes: HashMap<Vec<u8>, PrefixStats>,
    overflow_keys: u64,
    overflow_bytes: u64,
    total_bytes: u64,
}

impl BigKeyStats {
    pub fn new(top_n: usize) -> Self {
        BigKeyStats {
            top_n,
            top: TopN::new(top_n),
            types: Vec::new(),
            log2_slots: [(0, 0); 65],
            prefixes: HashMap::new(),
            overflow_keys: 0,
            overflow_bytes: 0,
            total_bytes: 0,
        }
    }

    pub fn add(&mut self, key: &[u8], kind: &str, bytes: u64, elements: Option<u64>) {
        self.total_bytes += bytes;
        self.top.offer(bytes, key, kind, elements);
        let at = match self.types.iter().position(|t| t.kind == kind) {
            Some(at) => at,
            None if self.types.len() < MAX_TYPES => {
                self.types.push(TypeStats {
                    kind: kind.to_string(),
                    keys: 0,
                    bytes: 0,
                    elements: 0,
                    top: TopN::new(self.top_n),
                });
                self.types.len() - 1
            }
            None => match self.types.iter().position(|t| t.kind == "other") {
                Some(at) => at,
                None => {
                    self.types.push(TypeStats {
                        kind: "other".into(),
                        keys: 0,
                        bytes: 0,
                        elements: 0,
                        top: TopN::new(self.top_n),
                    });
                    self.types.len() - 1
                }
            },
        };
        let t = &mut self.types[at];
        t.keys += 1;
        t.bytes += bytes;
        t.elements += elements.unwrap_or(0);
        t.top.offer(bytes, key, kind, elements);
        // Slot s holds [2^(s-1), 2^s); a 0-byte answer (never seen) shares slot 1.
        let slot = (64 - bytes.leading_zeros()).max(1) as usize;
        self.log2_slots[slot].0 += 1;
        self.log2_slots[slot].1 += bytes;
        let pattern = key_pattern(key);
        if let Some(p) = self.prefixes.get_mut(&pattern) {
            p.keys += 1;
            p.bytes += bytes;
            if bytes > p.largest_bytes {
                p.largest_bytes = bytes;
                p.largest_key.clear();
                p.largest_key
                    .extend_from_slice(&key[..key.len().min(MAX_KEY_SHOWN + 1)]);
            }
        } else if self.prefixes.len() < MAX_PREFIXES {
            let largest_key = key[..key.len().min(MAX_KEY_SHOWN + 1)].to_vec();
            self.prefixes.insert(
                pattern,
                PrefixStats {
                    keys: 1,
                    bytes,
                    largest_bytes: bytes,
                    largest_key,
                },
            );
        } else {
            self.overflow_keys += 1;
            self.overflow_bytes += bytes;
        }
    }

    pub fn report(self, outcome: &ScanOutcome, opts: &ScanOptions, element_counts: bool) -> BigKeyReport {
        let total = self.total_bytes;
        let mut by_type: Vec<TypeSummary> = self
            .types
            .into_iter()
            .map(|t| TypeSummary {
                kind: t.kind,
                keys: t.keys,
                bytes: t.bytes,
                elements: element_counts.then_some(t.elements),
                top: t.top.into_sorted(),
            })
            .collect();
        by_type.sort_by_key(|t| Reverse(t.bytes));
        // Power-of-4 buckets read better than 65 power-of-2 slots: 1 KiB–4 KiB, 4–16 KiB, …
        let mut histogram: Vec<SizeBucket> = Vec::new();
        for (slot, &(keys, bytes)) in self.log2_slots.iter().enumerate() {
            if keys == 0 {
                continue;
            }
            // Bucket b holds [4^b, 4^(b+1)): slots 2b+1 and 2b+2.
            let low_bit = slot.saturating_sub(1) as u32;
            let min_bytes = 1u64 << (low_bit & !1);
            let max_bytes = 1u64.checked_shl((low_bit & !1) + 2).unwrap_or(u64::MAX);
            match histogram.last_mut() {
                Some(last) if last.min_bytes == min_bytes => {
                    last.keys += keys;
                    last.bytes += bytes;
                }
                _ => histogram.push(SizeBucket {
                    min_bytes,
                    max_bytes,
                    keys,
                    bytes,
                }),
            }
        }
        let prefixes_tracked = self.prefixes.len();
        let mut prefixes: Vec<PrefixEntry> = self
            .prefixes
            .into_iter()
            .map(|(pattern, p)| PrefixEntry {
                pattern: display_key(&pattern),
                keys: p.keys,
                bytes: p.bytes,
                share: if total == 0 { 0.0 } else { p.bytes as f64 / total as f64 },
                largest_key: display_key(&p.largest_key),
                largest_bytes: p.largest_bytes,
            })
            .collect();
        prefixes.sort_by(|a, b| b.bytes.cmp(&a.bytes).then_with(|| a.pattern.cmp(&b.pattern)));
        prefixes.truncate(self.top_n);
        BigKeyReport {
            keys_scanned: outcome.keys,
            keys_vanished: outcome.vanished,
            total_bytes: total,
            complete: outcome.complete,
            start_cursor: opts.cursor,
            next_cursor: outcome.next_cursor,
            elapsed_secs: outcome.elapsed_secs,
            match_pattern: opts.match_pattern.clone(),
            memory_usage_samples: opts.samples,
            element_counts,
            top: self.top.into_sorted(),
            by_type,
            histogram,
            prefixes,
            prefixes_tracked,
            prefix_overflow_keys: self.overflow_keys,
            prefix_overflow_bytes: self.overflow_bytes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome() -> ScanOutcome {
        ScanOutcome {
            error: None,
            keys: 0,
            vanished: 0,
            next_cursor: 0,
            complete: true,
            elapsed_secs: 0.0,
        }
    }

    #[test]
    fn top_n_keeps_the_biggest_once_each() {
        let mut t = TopN::new(3);
        for (i, b) in [5u64, 50, 1, 500, 50, 7].iter().enumerate() {
            t.offer(*b, format!("k{i}").as_bytes(), "string", None);
        }
        t.offer(500, b"k3", "string", None); // a SCAN duplicate
        let got: Vec<(String, u64)> = t.into_sorted().into_iter().map(|e| (e.key, e.bytes)).collect();
        assert_eq!(got, vec![("k3".into(), 500), ("k1".into(), 50), ("k4".into(), 50)]);
    }

    #[test]
    fn aggregates_types_histogram_and_prefixes() {
        let mut s = BigKeyStats::new(2);
        for i in 0..14 {
            s.add(format!("promo:strategy:s{i}x").as_bytes(), "string", 4_000_000, None);
        }
        for i in 0..1000 {
            s.add(format!("user:{i}:profile").as_bytes(), "hash", 100, None);
        }
        s.add(b"big:list", "list", 10_000_000, None);
        let r = s.report(&outcome(), &ScanOptions::default(), false);
        assert_eq!(r.top[0].key, "big:list");
        assert_eq!(r.by_type[0].kind, "string");
        assert_eq!(r.by_type[0].keys, 14);
        assert_eq!(r.prefixes[0].pattern, "promo:strategy:s*x");
        assert_eq!(r.prefixes[0].keys, 14);
        assert_eq!(r.prefixes[0].bytes, 56_000_000);
        let hist_keys: u64 = r.histogram.iter().map(|b| b.keys).sum();
        assert_eq!(hist_keys, 1015);
        let b100 = r
            .histogram
            .iter()
            .find(|b| b.min_bytes <= 100 && 100 < b.max_bytes)
            .unwrap();
        assert_eq!((b100.min_bytes, b100.max_bytes, b100.keys), (64, 256, 1000));
        let b4m = r
            .histogram
            .iter()
            .find(|b| b.min_bytes <= 4_000_000 && 4_000_000 < b.max_bytes)
            .unwrap();
        assert_eq!((b4m.min_bytes, b4m.max_bytes), (1 << 20, 1 << 22));
        assert_eq!(b4m.keys, 14);
    }

    #[test]
    fn prefix_table_is_capped() {
        let mut s = BigKeyStats::new(5);
        for i in 0..(MAX_PREFIXES + 10) {
            // Digit-free distinct names: each is its own pattern.
            let name: String = format!("{i}").bytes().map(|d| (b'a' + (d - b'0')) as char).collect();
            s.add(name.as_bytes(), "string", 10, None);
        }
        let r = s.report(&outcome(), &ScanOptions::default(), false);
        assert_eq!(r.prefixes_tracked, MAX_PREFIXES);
        assert_eq!(r.prefix_overflow_keys, 10);
        assert_eq!(r.prefix_overflow_bytes, 100);
    }

    #[test]
    fn cursor_fraction_follows_reverse_binary_order() {
        // A table of 8 buckets is walked 0,4,2,6,1,5,3,7.
        let order = [0u64, 4, 2, 6, 1, 5, 3, 7];
        let fractions: Vec<f64> = order.iter().map(|&c| cursor_fraction(c)).collect();
        assert!(fractions.windows(2).all(|w| w[0] < w[1]), "{fractions:?}");
        assert!((cursor_fraction(1) - 0.5).abs() < 1e-12);
    }
}
