//! Request flow from trace-correlated logs. Many services write the id of the request
//! they serve into each line (`TraceID: 42b4…`, `trace_id=…`); the lines of one id,
//! across every service's log, are that request's path through the system. Comparing
//! the paths of window requests with those of baseline requests localises a fault
//! without a tracing backend:
//!
//! - **Divergence**: after a given log event (service + template), baseline requests go
//!   on to a few known next events. Window requests that go elsewhere point at the
//!   service where the path broke: the service that logged the last normal event, or,
//!   when the expected next event belonged to a third service that never logged, that
//!   service (it failed before writing anything).
//! - **Slow hops**: the time between consecutive events of one request, against the
//!   baseline's 99th percentile for the same pair of events. A delayed or starved
//!   service makes every hop into and out of it slow; its callers see only the hops to it.
//!
//! Owns: finding a record's trace id, the bounded sample of trace events (whole traces,
//! chosen by a hash of their id, so files read in any order agree), and these two
//! measures per service. Does not own ranking services (services.rs) or the report text.

use rustc_hash::FxHashMap;
use triage_parse::record::{correlation_key, CorrelationKey};
use triage_parse::Record;

use crate::collect::string_hash;
use crate::frame::{Frame, MILLISECOND, SECOND};

/// Most events the sample holds (32 bytes each); past it, half the traces are dropped.
const SAMPLE_CAP: usize = 600_000;
/// Records of a chunk looked at before deciding it carries no trace ids.
const PROBE_RECORDS: usize = 64;
/// Message bytes searched for a trace id.
const SCAN_BYTES: usize = 512;
/// A context needs this many baseline continuations before its window ones are judged.
const MIN_CONTEXT: u32 = 10;
/// A continuation counts as divergent at this surprise ((obs − exp) / √(exp + 1)).
const MIN_SURPRISE: f64 = 2.0;
/// A hop needs this many baseline gaps to have a trustworthy 99th percentile.
const MIN_GAPS: usize = 5;
/// Slow hops this far beyond the base rate (z-like) make a service slow.
const MIN_SLOWNESS: f64 = 3.0;
/// An error step that followed its event in this share of baseline requests is routine.
const ROUTINE_SHARE: f64 = 0.2;
/// Within this share of the most significant service's slowness, a service shares its lead.
const LEAD_SHARE: f64 = 0.85;
/// Share of baseline hops past the slow threshold (it lies above their p99).
const SLOW_BASE_RATE: f64 = 0.01;

/// The trace id of a record: a field named like one, or `TraceID: <id>` (also
/// `trace_id=`, `traceId":"`) near the start of the message.
pub fn trace_of(rec: &Record) -> Option<&str> {
    for (name, value) in &rec.fields {
        if is_trace_key(name.as_ref().as_bytes()) && plausible_id(value.as_bytes()) {
            return Some(value.as_str());
        }
    }
    let msg = rec.message.as_bytes();
    let hay = &msg[..msg.len().min(SCAN_BYTES)];
    let mut from = 0;
    while let Some(pos) = hay[from..].iter().position(|&b| b == b't' || b == b'T') {
        let at = from + pos;
        from = at + 1;
        // `trace` then an optional separator then `id`, any case.
        let Some(word) = hay.get(at..at + 5) else { break };
        if !word.eq_ignore_ascii_case(b"trace") || at > 0 && hay[at - 1].is_ascii_alphanumeric() {
            continue;
        }
        let mut i = at + 5;
        if matches!(hay.get(i), Some(b'_' | b'-' | b'.')) {
            i += 1;
        }
        if !hay.get(i..i + 2).is_some_and(|w| w.eq_ignore_ascii_case(b"id")) {
            continue;
        }
        i += 2;
        // `: `, `=`, `":"`, `='`…
        let mut seps = 0;
        while seps < 4 && matches!(hay.get(i), Some(b':' | b'=' | b' ' | b'"' | b'\'')) {
            i += 1;
            seps += 1;
        }
        let start = i;
        while i < msg.len() && (msg[i].is_ascii_alphanumeric() || msg[i] == b'-') {
            i += 1;
        }
        if seps > 0 && plausible_id(&msg[start..i]) {
            return rec.message.get(start..i);
        }
    }
    None
}

/// `trace_id`, `traceId`, `trace.id`, `otel.trace_id`, `X-B3-TraceId`.
fn is_trace_key(name: &[u8]) -> bool {
    let last = name.iter().rposition(|&c| c == b'.').map_or(name, |i| &name[i + 1..]);
    [last, name]
        .into_iter()
        .any(|n| correlation_key(n) == Some(CorrelationKey::Trace))
}

/// 8–64 characters, hex digits or a UUID-like mix; not a word.
fn plausible_id(v: &[u8]) -> bool {
    (8..=64).contains(&v.len())
        && v.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'-')
        && v.iter().filter(|b| b.is_ascii_digit()).count() >= 2
}

/// Hash of a trace id, mixed so that its high bits are uniform (sampling compares them).
pub fn trace_hash(id: &str) -> u64 {
    // splitmix64's finaliser over the interner's hash.
    let mut z = string_hash(id);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d049bb133111eb);
    z ^ (z >> 31)
}

/// The trace hashes of a chunk's records, `None` where a record has none; empty when
/// the chunk's first records carry no trace id (most logs), so the rest is not searched.
pub fn chunk_traces(records: &[Record]) -> Vec<Option<u64>> {
    let of = |r: &Record| trace_of(r).map(trace_hash);
    let probe = records.len().min(PROBE_RECORDS);
    let mut out: Vec<Option<u64>> = records[..probe].iter().map(of).collect();
    if out.iter().all(Option::is_none) {
        return Vec::new();
    }
    out.extend(records[probe..].iter().map(of));
    out
}

/// One record of a sampled trace.
#[derive(Debug, Clone, Copy)]
pub struct TraceEvent {
    pub trace: u64,
    pub ts: i64,
    /// Input order, to order events of the same millisecond.
    pub seq: u32,
    pub service: u32,
    pub shape: u32,
    pub level: u8,
}

/// Events of whole traces, bounded: a trace is kept while its hash is at most the
/// threshold, and the threshold halves whenever the events outgrow the cap. Which
/// traces survive depends only on their ids, not on the order files are read in.
#[derive(Debug)]
pub struct TraceSample {
    events: Vec<TraceEvent>,
    threshold: u64,
    /// Records that carried a trace id (sampled or not).
    pub traced_records: u64,
}

impl Default for TraceSample {
    fn default() -> Self {
        TraceSample {
            events: Vec::new(),
            threshold: u64::MAX,
            traced_records: 0,
        }
    }
}

impl TraceSample {
    pub fn offer(&mut self, e: TraceEvent) {
        self.traced_records += 1;
        if e.trace > self.threshold {
            return;
        }
        self.events.push(e);
        if self.events.len() > SAMPLE_CAP {
            while self.events.len() > SAMPLE_CAP * 3 / 4 && self.threshold > 0 {
                self.threshold /= 2;
                let t = self.threshold;
                self.events.retain(|e| e.trace <= t);
            }
        }
    }
    pub fn len(&self) -> usize {
        self.events.len()
    }
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }
    /// Share of traces kept (1.0 = all).
    pub fn kept_share(&self) -> f64 {
        self.threshold as f64 / u64::MAX as f64
    }
}

/// A log event: service and template, packed.
pub type Node = u64;
/// The end of a request's log.
pub const END: Node = u64::MAX;

/// Template slots of the coarse "where the request went next" nodes: a continuation is
/// judged by the service it reached and whether it logged an error there, not by the
/// exact template (variants of one event split with the data a request carries).
const NORMAL_STEP: u32 = u32::MAX - 1;
const ERROR_STEP: u32 = u32::MAX - 2;

/// The coarse continuation a fine event stands for.
fn step_of(e: &TraceEvent) -> Node {
    node(
        e.service,
        if (3..6).contains(&e.level) {
            ERROR_STEP
        } else {
            NORMAL_STEP
        },
    )
}

/// The step was an error logged in its service.
pub fn is_error_step(n: Node) -> bool {
    n != END && n as u32 == ERROR_STEP
}

pub fn node(service: u32, template: u32) -> Node {
    (service as u64) << 32 | template as u64
}
pub fn node_service(n: Node) -> Option<u32> {
    (n != END).then_some((n >> 32) as u32)
}
pub fn node_template(n: Node) -> Option<u32> {
    (n != END && !matches!(n as u32, NORMAL_STEP | ERROR_STEP)).then_some(n as u32)
}

/// Window requests whose path left the baseline's after `after`.
#[derive(Debug, Clone, PartialEq)]
pub struct Divergence {
    pub after: Node,
    /// Where window requests went instead (a step: service and error or not), and an
    /// event they logged there.
    pub went: Node,
    pub went_event: Node,
    /// Where baseline requests went most often, and an event they logged there.
    pub expected: Node,
    pub expected_event: Node,
    pub window_count: u32,
    pub window_total: u32,
    /// Baseline requests that went to `went`, and all continuations of `after`.
    pub baseline_count: u32,
    pub baseline_total: u32,
    pub surprise: f64,
}

/// A hop between two events that got slower.
#[derive(Debug, Clone, PartialEq)]
pub struct SlowHop {
    pub from: Node,
    pub to: Node,
    pub slow: u32,
    pub window_hops: u32,
    /// Median window gap and baseline 99th percentile, nanoseconds.
    pub window_median: i64,
    pub baseline_p99: i64,
}

/// What the request paths say about one service.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ServiceFlow {
    /// Σ surprise of the divergences blamed on the service.
    pub divergence: f64,
    pub top_divergence: Option<Divergence>,
    /// Window hops touching the service (with a baseline to judge them), and how many were slow.
    pub hops: u32,
    pub slow_hops: u32,
    /// Slow hops left to this service once slower services took the hops they share
    /// with it (a caller's hops to a delayed service are the delayed one's).
    pub attributed_slow: u32,
    /// The slower service that took most of this one's slow hops: it waits on it.
    pub slow_because_of: Option<u32>,
    pub top_slow: Option<SlowHop>,
}

impl ServiceFlow {
    /// Slow hops beyond the baseline rate, as a z-like score.
    pub fn slowness(&self) -> f64 {
        slowness(self.attributed_slow, self.hops)
    }
}

fn slowness(slow: u32, hops: u32) -> f64 {
    let expected = SLOW_BASE_RATE * hops as f64;
    ((slow as f64 - expected) / (expected + 1.0).sqrt()).max(0.0)
}

/// Gives each slow hop to one of its two services: repeatedly, the service whose
/// unexplained slow hops are most significant takes all of them, until none is
/// significant. A delayed service takes its callers' hops to it, so they are not
/// blamed for waiting on it; two independently slow services are both found.
fn attribute_slow_hops(pairs: &FxHashMap<(u32, u32), u32>, services: &mut FxHashMap<u32, ServiceFlow>) {
    let mut open: Vec<((u32, u32), u32)> = pairs.iter().map(|(k, v)| (*k, *v)).collect();
    open.sort_unstable();
    loop {
        let mut per: FxHashMap<u32, u32> = FxHashMap::default();
        for &((x, y), n) in &open {
            *per.entry(x).or_insert(0) += n;
            if y != x {
                *per.entry(y).or_insert(0) += n;
            }
        }
        let scored: Vec<(u32, u32, f64)> = per
            .iter()
            .map(|(&s, &n)| (s, n, slowness(n, services.get(&s).map_or(0, |f| f.hops))))
            .collect();
        let best = scored.iter().map(|x| x.2).fold(0.0, f64::max);
        if best < MIN_SLOWNESS {
            break;
        }
        // Services about as significant as the leader share the lead: the two ends of
        // the only slow link cannot be told apart by their hops.
        let leaders: Vec<u32> = scored
            .iter()
            .filter(|x| x.2 >= LEAD_SHARE * best)
            .map(|x| x.0)
            .collect();
        for &(s, n, _) in scored.iter().filter(|x| leaders.contains(&x.0)) {
            services.entry(s).or_default().attributed_slow = n;
        }
        // The others on these hops were waiting on a leader.
        let mut taken: FxHashMap<u32, (u32, u32)> = FxHashMap::default();
        for &((x, y), n) in &open {
            for (me, other) in [(x, y), (y, x)] {
                if leaders.contains(&other) && !leaders.contains(&me) {
                    let t = taken.entry(me).or_insert((other, 0));
                    if n > t.1 {
                        *t = (other, n);
                    }
                }
            }
        }
        for (me, (leader, _)) in taken {
            let f = services.entry(me).or_default();
            f.slow_because_of.get_or_insert(leader);
        }
        open.retain(|&((x, y), _)| !leaders.contains(&x) && !leaders.contains(&y));
    }
}

/// The measures for every service, and how much the sample covered.
#[derive(Debug, Default)]
pub struct FlowFindings {
    pub services: FxHashMap<u32, ServiceFlow>,
    pub window_traces: usize,
    pub baseline_traces: usize,
    pub kept_share: f64,
    /// Per template of an error event in window requests: (events judged, events where
    /// baseline requests also logged an error at that step). An error that requests
    /// always logged there is not new because the window had more such requests.
    pub routine_errors: FxHashMap<u32, (u32, u32)>,
}

impl FlowFindings {
    /// Share of a template's window errors that were routine at their step.
    pub fn routine_share(&self, template: u32) -> f64 {
        match self.routine_errors.get(&template) {
            Some(&(judged, routine)) if judged > 0 => routine as f64 / judged as f64,
            _ => 0.0,
        }
    }
}

/// Compares window request paths with baseline ones; `shape_template` maps the
/// sample's shapes to templates.
pub fn compare_flows(sample: &mut TraceSample, frame: &Frame, shape_template: &[u32]) -> FlowFindings {
    let mut out = FlowFindings {
        kept_share: sample.kept_share(),
        ..Default::default()
    };
    if sample.is_empty() {
        return out;
    }
    let events = &mut sample.events;
    events.sort_unstable_by_key(|e| (e.trace, e.ts, e.seq));
    let (w0, w1) = frame.window;
    // A request that starts just before the window closes has not finished by its end.
    let guard = (10 * SECOND).min((w1 - w0) / 10);
    let node_of = |e: &TraceEvent| {
        node(
            e.service,
            shape_template.get(e.shape as usize).copied().unwrap_or(u32::MAX),
        )
    };

    // Baseline continuations and hop gaps.
    let step_after = |trace: &[TraceEvent], i: usize| trace.get(i + 1).map_or(END, step_of);
    let mut base_next: FxHashMap<(Node, Node), u32> = FxHashMap::default();
    let mut base_events: FxHashMap<(Node, Node), Node> = FxHashMap::default();
    let mut base_gaps: FxHashMap<(Node, Node), Vec<i64>> = FxHashMap::default();
    let mut window_traces: Vec<&[TraceEvent]> = Vec::new();
    for trace in events.chunk_by(|a, b| a.trace == b.trace) {
        let (first, last) = (trace[0].ts, trace[trace.len() - 1].ts);
        if w0 <= first && first < w1 - guard {
            window_traces.push(trace);
        } else if last < w0 {
            out.baseline_traces += 1;
            for (i, e) in trace.iter().enumerate() {
                let a = node_of(e);
                *base_next.entry((a, step_after(trace, i))).or_insert(0) += 1;
                if let Some(next) = trace.get(i + 1) {
                    let b = node_of(next);
                    base_events.entry((a, step_of(next))).or_insert(b);
                    base_gaps.entry((a, b)).or_default().push(next.ts - e.ts);
                }
            }
        }
    }
    out.window_traces = window_traces.len();
    if out.baseline_traces == 0 || window_traces.is_empty() {
        return out;
    }
    // Per context: all continuations and the most frequent one.
    let mut contexts: FxHashMap<Node, (u32, Node, u32)> = FxHashMap::default();
    for (&(a, b), &n) in &base_next {
        let c = contexts.entry(a).or_insert((0, END, 0));
        c.0 += n;
        if n > c.2 || n == c.2 && b < c.1 {
            c.1 = b;
            c.2 = n;
        }
    }
    // A hop is slow past twice the baseline p99 plus 50 ms (clock jitter, GC pauses).
    let thresholds: FxHashMap<(Node, Node), i64> = base_gaps
        .iter_mut()
        .filter(|(_, g)| g.len() >= MIN_GAPS)
        .map(|(k, g)| {
            g.sort_unstable();
            let p99 = g[((g.len() as f64 * 0.99) as usize).min(g.len() - 1)];
            (*k, p99)
        })
        .collect();

    let mut window_next: FxHashMap<(Node, Node), u32> = FxHashMap::default();
    let mut window_events: FxHashMap<(Node, Node), Node> = FxHashMap::default();
    let mut window_hops: FxHashMap<(Node, Node), u32> = FxHashMap::default();
    let mut hop_gaps: FxHashMap<(Node, Node), Vec<i64>> = FxHashMap::default();
    let mut slow_pairs: FxHashMap<(u32, u32), u32> = FxHashMap::default();
    for trace in &window_traces {
        for (i, e) in trace.iter().enumerate() {
            let a = node_of(e);
            let step = step_after(trace, i);
            *window_next.entry((a, step)).or_insert(0) += 1;
            let Some(next) = trace.get(i + 1) else { continue };
            let b = node_of(next);
            if is_error_step(step) {
                if let Some(&(total, ..)) = contexts.get(&a).filter(|c| c.0 >= MIN_CONTEXT) {
                    let seen = base_next.get(&(a, step)).copied().unwrap_or(0);
                    let r = out
                        .routine_errors
                        .entry(node_template(b).unwrap_or(u32::MAX))
                        .or_insert((0, 0));
                    r.0 += 1;
                    r.1 += (seen as f64 >= ROUTINE_SHARE * total as f64) as u32;
                }
            }
            window_events.entry((a, step_of(next))).or_insert(b);
            *window_hops.entry((a, b)).or_insert(0) += 1;
            let Some(&p99) = thresholds.get(&(a, b)) else { continue };
            let gap = next.ts - e.ts;
            let slow = gap > 2 * p99 + 50 * MILLISECOND;
            for s in [Some(e.service), (next.service != e.service).then_some(next.service)]
                .into_iter()
                .flatten()
            {
                let f = out.services.entry(s).or_default();
                f.hops += 1;
                f.slow_hops += slow as u32;
            }
            if slow {
                hop_gaps.entry((a, b)).or_default().push(gap);
                *slow_pairs
                    .entry((e.service.min(next.service), e.service.max(next.service)))
                    .or_insert(0) += 1;
            }
        }
    }
    attribute_slow_hops(&slow_pairs, &mut out.services);
    // The slow hop that says most about each service: the one with most slow gaps.
    let mut hop_list: Vec<_> = hop_gaps.into_iter().collect();
    hop_list.sort_unstable_by_key(|((a, b), g)| (std::cmp::Reverse(g.len()), *a, *b));
    for ((a, b), mut gaps) in hop_list {
        gaps.sort_unstable();
        let window_hops = window_hops.get(&(a, b)).copied().unwrap_or(0);
        let hop = SlowHop {
            from: a,
            to: b,
            slow: gaps.len() as u32,
            window_hops,
            window_median: gaps[gaps.len() / 2],
            baseline_p99: thresholds.get(&(a, b)).copied().unwrap_or(0),
        };
        for s in [node_service(a), node_service(b)].into_iter().flatten() {
            let f = out.services.entry(s).or_default();
            if f.top_slow.is_none() {
                f.top_slow = Some(hop.clone());
            }
        }
    }

    // Divergences.
    let mut window_totals: FxHashMap<Node, u32> = FxHashMap::default();
    for (&(a, _), &n) in &window_next {
        *window_totals.entry(a).or_insert(0) += n;
    }
    let mut list: Vec<_> = window_next.iter().collect();
    list.sort_unstable_by_key(|(k, _)| **k);
    for (&(a, b), &obs) in list {
        let Some(&(base_total, expected, _)) = contexts.get(&a) else {
            continue;
        };
        if base_total < MIN_CONTEXT {
            continue;
        }
        let window_total = window_totals.get(&a).copied().unwrap_or(0);
        let base_count = base_next.get(&(a, b)).copied().unwrap_or(0);
        let exp = window_total as f64 * base_count as f64 / base_total as f64;
        let surprise = (obs as f64 - exp) / (exp + 1.0).sqrt();
        if surprise < MIN_SURPRISE {
            continue;
        }
        // The path went on to the service it was expected to reach but that service
        // logged an error: the failure shows first there (what came before looked
        // normal). It went on normally but elsewhere, or ended early: the service of the
        // last normal event broke it. It never reached the expected service: that one
        // failed before writing anything.
        let blamed = match (node_service(expected), node_service(b)) {
            (None, _) => node_service(a),
            (Some(x), Some(y)) if x == y && is_error_step(b) => Some(y),
            (Some(x), Some(y)) if x == y => node_service(a),
            (Some(x), _) => Some(x),
        };
        let Some(s) = blamed else { continue };
        let f = out.services.entry(s).or_default();
        f.divergence += surprise;
        if f.top_divergence.as_ref().is_none_or(|d| surprise > d.surprise) {
            f.top_divergence = Some(Divergence {
                after: a,
                went: b,
                went_event: window_events.get(&(a, b)).copied().unwrap_or(b),
                expected,
                expected_event: base_events.get(&(a, expected)).copied().unwrap_or(expected),
                window_count: obs,
                window_total,
                baseline_count: base_count,
                baseline_total: base_total,
                surprise,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(msg: &str) -> Record {
        Record {
            message: msg.into(),
            ..Default::default()
        }
    }

    #[test]
    fn trace_ids_are_found_in_messages_and_fields() {
        let r = rec("c.c.ContactsController#83 TraceID: 42b4f7d894cd9d4759a7f1e1acfef52f SpanID: 26cbf63a021f5ef6 [x]");
        assert_eq!(trace_of(&r), Some("42b4f7d894cd9d4759a7f1e1acfef52f"));
        assert_eq!(
            trace_of(&rec("done trace_id=4bf92f3577b34da6a3ce929d0e0e4736 span=1")),
            Some("4bf92f3577b34da6a3ce929d0e0e4736")
        );
        assert_eq!(
            trace_of(&rec(r#"{"traceId":"0af7651916cd43dd8448eb211c80319c"}"#)),
            Some("0af7651916cd43dd8448eb211c80319c")
        );
        // Words after the key, short values and "retrace" are not ids.
        assert_eq!(trace_of(&rec("TraceID: missing in request")), None);
        assert_eq!(trace_of(&rec("traceid=12")), None);
        assert_eq!(trace_of(&rec("retraceid: 0af7651916cd43dd")), None);
        let mut f = rec("no id here");
        f.fields.push(("trace_id".into(), "a1b2c3d4e5f60718".into()));
        assert_eq!(trace_of(&f), Some("a1b2c3d4e5f60718"));
    }

    #[test]
    fn sampling_keeps_whole_traces_whatever_the_order() {
        let mut a = TraceSample::default();
        let mut b = TraceSample::default();
        let events: Vec<TraceEvent> = (0..(SAMPLE_CAP as u64 * 2))
            .map(|i| TraceEvent {
                trace: trace_hash(&format!("t{}", i / 4)),
                ts: i as i64,
                seq: i as u32,
                service: 0,
                shape: 0,
                level: 2,
            })
            .collect();
        events.iter().for_each(|e| a.offer(*e));
        events.iter().rev().for_each(|e| b.offer(*e));
        assert!(a.len() <= SAMPLE_CAP && a.len() > SAMPLE_CAP / 4, "{}", a.len());
        assert_eq!(a.threshold, b.threshold);
        let mut per: FxHashMap<u64, usize> = FxHashMap::default();
        a.events.iter().for_each(|e| *per.entry(e.trace).or_default() += 1);
        assert!(per.values().all(|&n| n == 4), "a kept trace is kept whole");
    }

    /// Two services: `api` logs `handle` then calls `db`, which logs `query`; then `api`
    /// logs `done`. Templates: 0 handle, 1 query, 2 done, 3 error.
    fn flow(tr: u64, t0: i64, db_answers: bool, db_delay: i64) -> Vec<TraceEvent> {
        let e = |k: i64, service: u32, shape: u32, ts: i64| TraceEvent {
            trace: tr,
            ts,
            seq: k as u32,
            service,
            shape,
            level: 2,
        };
        let mut v = vec![e(0, 0, 0, t0)];
        if db_answers {
            v.push(e(1, 1, 1, t0 + MILLISECOND + db_delay));
            v.push(e(2, 0, 2, t0 + 3 * MILLISECOND + 2 * db_delay));
        } else {
            v.push(TraceEvent {
                level: 4,
                ..e(2, 0, 3, t0 + 2 * MILLISECOND)
            });
        }
        v
    }

    fn frame() -> Frame {
        Frame {
            window: (100 * SECOND, 400 * SECOND),
            baselines: vec![(0, 100 * SECOND)],
            series_start: 0,
            bucket: SECOND,
            buckets: 400,
        }
    }

    fn run(window: impl Fn(u64, i64) -> Vec<TraceEvent>) -> FlowFindings {
        let mut s = TraceSample::default();
        for i in 0..50u64 {
            flow(i, i as i64 * SECOND, true, (i as i64 % 3) * MILLISECOND)
                .into_iter()
                .for_each(|e| s.offer(e));
        }
        for i in 50..100u64 {
            window(i, 100 * SECOND + i as i64 * SECOND)
                .into_iter()
                .for_each(|e| s.offer(e));
        }
        compare_flows(&mut s, &frame(), &[0, 1, 2, 3])
    }

    #[test]
    fn a_silent_dependency_is_blamed_for_the_broken_path() {
        // db never logs: api goes from `handle` straight to `error`; db was expected next.
        let f = run(|i, t| flow(i, t, false, 0));
        let db = f.services.get(&1).expect("db blamed");
        let api = f.services.get(&0).map_or(0.0, |x| x.divergence);
        assert!(db.divergence > 10.0 && api < 1.0, "db {} api {api}", db.divergence);
        let d = db.top_divergence.as_ref().expect("example");
        assert_eq!(
            (d.after, d.went, d.expected),
            (node(0, 0), node(0, ERROR_STEP), node(1, NORMAL_STEP))
        );
        assert_eq!((d.went_event, d.expected_event), (node(0, 3), node(1, 1)));
        assert!(is_error_step(d.went) && !is_error_step(d.expected));
        assert_eq!((d.window_count, d.baseline_count, d.baseline_total), (50, 0, 50));
    }

    #[test]
    fn a_delayed_service_has_slow_hops_and_unchanged_paths() {
        let f = run(|i, t| flow(i, t, true, 800 * MILLISECOND));
        let db = f.services.get(&1).expect("db");
        assert_eq!((db.hops, db.slow_hops), (100, 100));
        assert!(f.services.values().all(|s| s.divergence == 0.0));
        let hop = db.top_slow.as_ref().expect("hop");
        assert!(
            hop.window_median >= 800 * MILLISECOND && hop.baseline_p99 <= 3 * MILLISECOND,
            "{hop:?}"
        );
        // No change: nothing slow, nothing divergent.
        let calm = run(|i, t| flow(i, t, true, MILLISECOND));
        assert!(calm.services.values().all(|s| s.slow_hops == 0 && s.divergence == 0.0));
    }
}
