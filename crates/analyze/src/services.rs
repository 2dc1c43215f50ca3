//! Service-level ranking: when the input spans several services, which one is the
//! root cause. The model (docs/ranking.md has every definition) separates a service's
//! *own* anomalies from the *external* symptoms it shows because of others:
//!
//! - own: its new or surging error templates that do not name another service, a shift
//!   in its own template mix, request paths that break or slow down at it (traces.rs),
//!   its resource series (CPU, memory, disk, load), its server-side latency beyond what
//!   its own outgoing calls explain (decided per service from its client-side series),
//!   and its availability / error rate when its logs blame no callee;
//! - external: client-side latency (time spent waiting for others), errors that name a
//!   callee, every series of an aggregate view (an entry point or load balancer with no
//!   resources of its own), traffic.
//!
//! Metric deviations are normalised per signal to [0, 1) before they are combined, so
//! one noisy series type cannot dominate; log and path evidence keep their Poisson
//! surprise scale. A service whose surging errors name another candidate that ranks
//! higher is chained under it: listed in its evidence and scored clearly lower. Nothing
//! here knows any system's service names: they come from the logs and the metric hosts.

use std::collections::BTreeMap;

use triage_mine::miner::{ShapeTable, Templates};

use crate::aggregate::Aggregates;
use crate::collect::Dictionary;
use crate::facets::workload_of;
use crate::frame::{Frame, MINUTE};
use crate::metrics::{self, MetricKind, MetricsInput};
use crate::model::RootCause;
use crate::model_time;
use crate::problems::ProblemDraft;
use crate::rules::Lang;
use crate::say::say;
use crate::traces::{is_error_step, node_service, node_template, FlowFindings, Node, ServiceFlow};

/// What [`rank_services`] reads; all of it is computed by the analysis before ranking.
pub struct ServiceInputs<'a> {
    pub agg: &'a Aggregates,
    pub services: &'a Dictionary,
    pub templates: &'a Templates,
    pub shapes: &'a ShapeTable,
    pub problems: &'a [ProblemDraft],
    pub metrics: Option<&'a MetricsInput>,
    pub frame: &'a Frame,
    /// Request paths from trace-correlated logs (empty when the logs carry no trace ids).
    pub flows: &'a FlowFindings,
    /// Language of the sentences written.
    pub lang: Lang,
}

/// Metric deviations (robust z) at or below this are noise for ranking purposes.
const Z_MIN: f64 = 3.0;
/// What a fully anomalous metric family is worth on the log-surprise scale: a clear
/// resource fault counts like a log surprise of 3 — significant, yet below the
/// hundreds a code fault's new error template reaches.
const METRIC_SCALE: f64 = 3.0;
/// External (symptom) metric families count this much of an own one: enough to order
/// services without own evidence, never enough to outrank one with it.
const EXTERNAL_WEIGHT: f64 = 0.05;
/// The template-mix shift is partly external (callers' code paths change with their
/// callees' answers), so it counts a quarter.
const MIX_WEIGHT: f64 = 0.25;
/// Request-path evidence below this is not told in a summary.
const MIN_FLOW: f64 = 3.0;
/// Callers that report a dependency's failure keep this share of their score; chained
/// under a higher-ranked callee, at most this share of the callee's.
const CALLER_FACTOR: f64 = 0.5;
/// How long after its callee's errors began a caller's symptoms may begin: a time-out
/// or a retry budget (a minute or two at most in practice), with room for clocks.
const SYMPTOM_DELAY: i64 = 5 * crate::frame::MINUTE;

/// A robust z mapped to [0, 1): 0 up to [`Z_MIN`], then 1 − Z_MIN / z (z = 6 → 0.5,
/// z = 30 → 0.9). Bounded, so every signal family has the same range before they are
/// added and a flat baseline's huge z cannot outweigh the other families.
pub fn normalised(z: f64) -> f64 {
    if z.is_finite() && z > Z_MIN {
        1.0 - Z_MIN / z
    } else if z.is_infinite() && z > 0.0 {
        1.0
    } else {
        0.0
    }
}

/// How much of a relative rise counts: a latency that doubled (+100 %) counts fully,
/// +20 % a quarter. Along a call chain every caller inherits the callee's added
/// seconds on top of its own larger baseline, so the deepest service shows the largest
/// relative rise.
pub fn relative_weight(relative_change: f64) -> f64 {
    if relative_change.is_nan() || relative_change <= 0.0 {
        0.0
    } else {
        (1.0 + relative_change).log2().min(1.0)
    }
}

/// Share of a server-side latency rise (`server_delta`, window − baseline average) that
/// the service's own outgoing calls do not explain. Only a client-side series that is
/// itself anomalous explains anything; it explains up to its own rise.
pub fn unexplained_share(server_delta: f64, client: Option<(f64, f64)>) -> f64 {
    match client {
        Some((client_z, client_delta)) if client_z > Z_MIN && server_delta > 0.0 => {
            (1.0 - client_delta.max(0.0) / server_delta).clamp(0.0, 1.0)
        }
        _ => 1.0,
    }
}

/// Node-level series are shared with the other pods on the node: never a pod's own.
fn node_level(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.starts_with("node") || lower.contains("_node") || lower.contains("node_")
}

/// The percentile a latency series reports (`PodServerLatencyP95(s)` → 95), to pair a
/// server-side series with the client-side one of the same percentile.
fn percentile_of(name: &str) -> Option<u32> {
    let b = name.as_bytes();
    (0..b.len()).find_map(|i| {
        let prev_ok = i == 0 || !b[i - 1].is_ascii_alphabetic() || b[i - 1].is_ascii_lowercase();
        if !(prev_ok && matches!(b[i], b'p' | b'P')) {
            return None;
        }
        let digits: String = b[i + 1..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .map(|&c| c as char)
            .collect();
        (2..=3).contains(&digits.len()).then(|| digits.parse().ok()).flatten()
    })
}

/// What a metric says about its service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// The service's own resources, own latency, own availability.
    Own,
    /// A symptom of others: waiting on callees, traffic, an aggregate view.
    External,
    /// Shown, not scored (traffic, network bytes, unrecognised series move with callers).
    Context,
}

#[derive(Debug, Clone)]
struct MetricMove {
    metric: String,
    kind: MetricKind,
    z: f64,
    window_avg: f64,
    baseline_avg: f64,
    relative_change: f64,
    first_bad: Option<i64>,
    role: Role,
    /// Normalised strength after explanation and relative weighting.
    strength: f64,
    /// Client-side series that explained part of a server-side rise, and the share explained.
    explained_by: Option<(String, f64)>,
}

/// Signal families: own metrics are added per family (max within one), so three
/// percentiles of one latency count once.
fn family(kind: MetricKind) -> u8 {
    match kind {
        MetricKind::Cpu | MetricKind::Memory | MetricKind::Disk | MetricKind::DiskIo | MetricKind::Load => 0,
        MetricKind::Latency => 1,
        MetricKind::SuccessRate | MetricKind::ErrorRate => 2,
        MetricKind::ClientLatency => 3,
        _ => 4,
    }
}

/// Σ over families of the strongest move of `role` in each.
fn family_sum(moves: &[MetricMove], role: Role) -> f64 {
    let mut best = [0.0f64; 5];
    for m in moves.iter().filter(|m| m.role == role) {
        let f = family(m.kind) as usize;
        best[f] = best[f].max(m.strength);
    }
    best.iter().sum()
}

#[derive(Default)]
struct ServiceEvidence {
    /// Error templates above their baseline rate: Σ (w − e) / √(e + 1).
    error_surprise: f64,
    /// Shift of the service's template mix: √(Σ dev² − k) over its k templates.
    mix_shift: f64,
    /// (surprise, template index, window count, baseline count) of the top error template.
    top_error: Option<(f64, usize, u64, u64)>,
    /// (|dev|, template index, window count, expected) of the template that moved most.
    top_mix: Option<(f64, usize, u64, f64)>,
    first_error: Option<i64>,
    /// First window record of the top error template (its onset, told with it).
    top_error_since: Option<i64>,
    /// Another service named by one of its surging error templates, or (`calls_by_time`)
    /// the service whose errors its dependency symptoms followed.
    calls: Option<String>,
    calls_by_time: bool,
    metrics: Vec<MetricMove>,
    /// What the request paths through it say.
    flow: ServiceFlow,
    /// It has CPU or memory series (a workload, not an aggregate view).
    has_resource_series: bool,
    /// It has metric series of any kind (else "metrics normal" would be said of none).
    has_series: bool,
    problems: Vec<String>,
    /// Callers chained under it: (name, what they report).
    chained: Vec<String>,
    /// Chained under this callee (which ranks higher).
    chained_under: Option<String>,
}

impl ServiceEvidence {
    fn log_score(&self) -> f64 {
        self.error_surprise + MIX_WEIGHT * self.mix_shift
    }
    /// Own metric evidence: Σ over families of the strongest normalised own move.
    fn metric_own(&self) -> f64 {
        family_sum(&self.metrics, Role::Own)
    }
    fn metric_external(&self) -> f64 {
        family_sum(&self.metrics, Role::External)
    }
    fn metric_score(&self) -> f64 {
        METRIC_SCALE * (self.metric_own() + EXTERNAL_WEIGHT * self.metric_external())
    }
    fn flow_score(&self) -> f64 {
        self.flow.divergence + self.flow.slowness()
    }
    fn score(&self) -> f64 {
        let raw = self.log_score() + self.metric_score() + self.flow_score();
        if self.calls.is_some() {
            raw * CALLER_FACTOR
        } else {
            raw
        }
    }
}

fn is_error_template(levels: &[u64; 7]) -> bool {
    let errors: u64 = levels[3..6].iter().sum();
    let all: u64 = levels.iter().sum();
    all > 0 && errors * 2 > all
}

/// `name` occurs in `text` as a whole word (not inside a longer name).
fn names(text: &str, name: &str) -> bool {
    if name.len() < 3 {
        return false;
    }
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    let mut from = 0;
    while let Some(pos) = text[from..].find(name) {
        let start = from + pos;
        let end = start + name.len();
        let before_ok = text[..start].chars().next_back().is_none_or(|c| !is_word(c));
        let after_ok = text[end..].chars().next().is_none_or(|c| !is_word(c));
        if before_ok && after_ok {
            return true;
        }
        from = end;
    }
    false
}

/// A time in a sentence: the full RFC 3339 form, so that the report's zone pass can
/// show it in the reader's zone (a bare `08:43:17` could not be moved).
fn short_time(ns: i64) -> String {
    model_time(ns)
}

/// The service ranking: root causes best first, and every service seen in the logs or
/// the metrics (so that the caller can fold per-service entries into them).
#[derive(Debug, Default)]
pub struct ServiceRanking {
    pub causes: Vec<RootCause>,
    pub services: Vec<String>,
}

/// One root cause per service with evidence, best first (rank 0: the caller numbers
/// them). Empty when fewer than two services carry data.
pub fn rank_services(input: ServiceInputs<'_>) -> ServiceRanking {
    let agg = input.agg;
    let frame = input.frame;
    let mut by_service: BTreeMap<String, ServiceEvidence> = BTreeMap::new();
    let window_min = (frame.window_len() as f64 / MINUTE as f64).max(1e-9);
    let baseline_min = agg.baseline_active as f64 / MINUTE as f64;

    // Per-service totals for the template mix.
    let mut window_total: BTreeMap<u32, u64> = BTreeMap::new();
    let mut baseline_total: BTreeMap<u32, u64> = BTreeMap::new();
    for (&(_, s), &n) in &agg.template_services {
        *window_total.entry(s).or_insert(0) += n;
    }
    for (&(_, s), &n) in &agg.template_services_baseline {
        *baseline_total.entry(s).or_insert(0) += n;
    }
    let mut keys: Vec<(u32, u32)> = agg
        .template_services
        .keys()
        .chain(agg.template_services_baseline.keys())
        .copied()
        .collect();
    keys.sort_unstable();
    keys.dedup();
    let mut mix_sq: BTreeMap<u32, (f64, usize)> = BTreeMap::new();
    let mut errors_of: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
    // Lines logged with another problem's (a backtrace's frames, a blank line): one event
    // counts once, and the line that says what failed is the one cited.
    let companions: std::collections::HashSet<usize> = input
        .problems
        .iter()
        .flat_map(|p| p.companions.iter().copied())
        .collect();
    for &(t, s) in &keys {
        let Some(name) = input.services.get(s) else { continue };
        let w = agg.template_services.get(&(t, s)).copied().unwrap_or(0);
        let b = agg.template_services_baseline.get(&(t, s)).copied().unwrap_or(0);
        let ev = by_service.entry(name.to_string()).or_default();
        let levels = input
            .templates
            .templates
            .get(t as usize)
            .map(|x| x.levels)
            .unwrap_or_default();
        // Errors that baseline requests logged at the same step are the traffic's, not news.
        let w = (w as f64 * (1.0 - input.flows.routine_share(t))).round() as u64;
        if is_error_template(&levels) && w > 0 && !companions.contains(&(t as usize)) {
            // Without baseline time every window error is unexpected.
            let expected = if baseline_min > 0.0 {
                b as f64 * window_min / baseline_min
            } else {
                0.0
            };
            let surprise = (w as f64 - expected).max(0.0) / (expected + 1.0).sqrt();
            if surprise > 0.0 {
                ev.error_surprise += surprise;
                if ev.top_error.is_none_or(|(s0, ..)| surprise > s0) {
                    ev.top_error = Some((surprise, t as usize, w, b));
                }
                if surprise >= 1.0 {
                    errors_of.entry(s).or_default().push(t as usize);
                }
            }
        }
        let (ws, bs) = (
            window_total.get(&s).copied().unwrap_or(0),
            baseline_total.get(&s).copied().unwrap_or(0),
        );
        if ws > 0 && bs > 0 {
            // The service's own mix: how many of its window records this template would
            // hold if the window ran the same code paths as the baseline.
            let expected = (b as f64 + 0.5) / (bs as f64 + 1.0) * ws as f64;
            let dev = (w as f64 - expected) / (expected + 1.0).sqrt();
            let e = mix_sq.entry(s).or_insert((0.0, 0));
            e.0 += dev * dev;
            e.1 += 1;
            if ev.top_mix.is_none_or(|(d0, ..)| dev.abs() > d0) {
                ev.top_mix = Some((dev.abs(), t as usize, w, expected));
            }
        }
    }
    for (s, (sq, templates)) in mix_sq {
        if let Some(name) = input.services.get(s) {
            // Σ dev² over k templates is about k for an unchanged mix (chi-square with k
            // degrees of freedom): only the excess says the code paths changed, so a
            // service with many templates is not favoured for having many.
            by_service.entry(name.to_string()).or_default().mix_shift = (sq - templates as f64).max(0.0).sqrt();
        }
    }
    // The problem a template belongs to (its onset, whether it is a symptom).
    let problem_of = |t: usize| input.problems.iter().find(|p| p.templates.contains(&t));
    for ev in by_service.values_mut() {
        // Since its onset where a problem dates one (errors that began minutes before
        // the window were said to run "since" the window's first second), else since
        // its first record in the window.
        ev.top_error_since = ev.top_error.and_then(|(_, t, ..)| {
            let first = agg.templates.get(t).and_then(|c| c.first_in_window);
            let onset = problem_of(t).and_then(|p| p.onset);
            match (onset, first) {
                (Some(o), Some(f)) => Some(o.min(f)),
                (o, f) => o.or(f),
            }
        });
    }
    for (&s, g) in &agg.services {
        if let Some(name) = input.services.get(s) {
            if g.records > 0 || g.baseline_records > 0 {
                by_service.entry(name.to_string()).or_default().first_error = g.first_error;
            }
        }
    }

    // Metrics: hosts are pods or services; pods count for their workload.
    if let Some(m) = input.metrics {
        for series in &m.series {
            // Every host is a service the ranking weighed, moved or not.
            let ev = by_service.entry(workload_of(&series.host).to_string()).or_default();
            let resource = matches!(series.kind, MetricKind::Cpu | MetricKind::Memory);
            ev.has_resource_series |= resource;
            ev.has_series = true;
            let Some(d) = metrics::deviation(series, frame.window, &frame.baselines) else {
                continue;
            };
            if d.z.is_nan() {
                continue;
            }
            // Roles and strengths are set once every service's evidence is in.
            ev.metrics.push(MetricMove {
                metric: series.metric.clone(),
                kind: series.kind,
                z: d.z,
                window_avg: d.window_avg,
                baseline_avg: d.baseline_avg,
                relative_change: d.relative_change,
                first_bad: d.first_bad,
                role: Role::Context,
                strength: 0.0,
                explained_by: None,
            });
        }
    }
    for (&s, flow) in &input.flows.services {
        if let Some(name) = input.services.get(s) {
            by_service.entry(name.to_string()).or_default().flow = flow.clone();
        }
    }
    if by_service.len() < 2 {
        return ServiceRanking::default();
    }

    // Callers: a surging error template that names another known service.
    let known: Vec<String> = by_service.keys().cloned().collect();
    for (s, ts) in &errors_of {
        let Some(name) = input.services.get(*s) else { continue };
        // The name may be a variable of the template (`No instances available for <*>`):
        // then its shapes, most frequent first, still hold it.
        let callee = ts
            .iter()
            .filter_map(|&t| input.templates.templates.get(t))
            .find_map(|tpl| {
                let mut shapes: Vec<&triage_mine::miner::Shape> = tpl
                    .shapes
                    .iter()
                    .filter_map(|&s| input.shapes.shapes.get(s as usize))
                    .collect();
                shapes.sort_by_key(|s| std::cmp::Reverse(s.count));
                std::iter::once(tpl.text.as_str())
                    .chain(shapes.iter().take(8).map(|s| s.text.as_str()))
                    .find_map(|text| {
                        known
                            .iter()
                            .find(|other| other.as_str() != name && names(text, other))
                            .cloned()
                    })
            });
        if let Some(ev) = by_service.get_mut(name) {
            ev.calls = callee;
        }
    }
    // Callers that name no one: a service whose top error is a dependency symptom (a
    // time-out, an upstream or downstream failure: the rules' `symptom` categories) calls,
    // in all likelihood, the service whose top error is no symptom and began first, no
    // later than its own: a cause precedes its effects, and callers log more (a line per
    // retry, per hop), so counts alone ranked a gateway's "upstream error" above the
    // database time-outs behind it.
    let is_symptom = |t: usize| problem_of(t).map(|p| p.symptom);
    let origins: Vec<(i64, String)> = by_service
        .iter()
        .filter_map(|(name, ev)| {
            let (_, t, ..) = ev.top_error?;
            (is_symptom(t) == Some(false)).then_some((ev.top_error_since?, name.clone()))
        })
        .collect();
    for ev in by_service.values_mut() {
        let (Some((_, t, ..)), Some(since), None) = (ev.top_error, ev.top_error_since, &ev.calls) else {
            continue;
        };
        if is_symptom(t) == Some(true) {
            ev.calls = origins
                .iter()
                // Compared by the second: many logs (nginx, syslog) stamp whole seconds.
                .filter(|(first, _)| {
                    first.div_euclid(crate::frame::SECOND) <= since.div_euclid(crate::frame::SECOND)
                        && since - *first <= SYMPTOM_DELAY
                })
                .min()
                .map(|(_, name)| name.clone());
            ev.calls_by_time = ev.calls.is_some();
        }
    }
    // Hosts without resource series of their own, when other hosts have them, are
    // aggregate views (an entry point, a load balancer): they show every fault behind
    // them and cannot have one of their own.
    let any_resources = by_service.values().any(|e| e.has_resource_series);
    for ev in by_service.values_mut() {
        let aggregate = any_resources && !ev.has_resource_series;
        let blames_callee = ev.calls.is_some();
        assign_roles(&mut ev.metrics, aggregate, blames_callee);
    }
    for p in input.problems.iter().filter(|p| p.anomalous()) {
        if let Some(s) = p.main_service() {
            if let Some(ev) = by_service.get_mut(s) {
                ev.problems.push(p.id.clone());
            }
        }
    }

    let services: Vec<String> = by_service.keys().cloned().collect();
    let scores: BTreeMap<String, f64> = by_service.iter().map(|(n, e)| (n.clone(), e.score())).collect();
    // Callers whose errors name a callee that scores higher are chained under it: the
    // callee's entry lists them, and they stay clearly below it.
    let mut chains: Vec<(String, String)> = Vec::new();
    let mut scores = scores;
    for (name, ev) in &by_service {
        let Some(callee) = ev.calls.as_deref() else { continue };
        let (own, theirs) = (scores[name], scores.get(callee).copied().unwrap_or(0.0));
        if theirs > 0.0 && theirs >= own {
            scores.insert(name.clone(), own.min(CALLER_FACTOR * theirs));
            chains.push((name.clone(), callee.to_string()));
        }
    }
    for (caller, callee) in chains {
        let what = by_service[&caller]
            .top_error
            .map(|(_, t, w, _)| {
                let text = input
                    .templates
                    .templates
                    .get(t)
                    .map(|x| triage_text::cut_chars(&x.text, 100).into_owned())
                    .unwrap_or_default();
                format!(" (\"{text}\" ×{w})")
            })
            .unwrap_or_default();
        if let Some(ev) = by_service.get_mut(&callee) {
            ev.chained.push(format!("{caller}{what}"));
        }
        if let Some(ev) = by_service.get_mut(&caller) {
            ev.chained_under = Some(callee);
        }
    }
    let mut ranked: Vec<(String, ServiceEvidence, f64)> = by_service
        .into_iter()
        .map(|(n, e)| {
            let s = scores[&n];
            (n, e, s)
        })
        .filter(|(_, _, s)| *s > 0.0)
        .collect();
    ranked.sort_by(|a, b| b.2.total_cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
    ranked.truncate(10);
    let names = NodeNames {
        services: input.services,
        templates: input.templates,
        lang: input.lang,
    };
    let mut causes: Vec<RootCause> = ranked
        .iter()
        .map(|(name, ev, raw)| to_root_cause(name, ev, *raw, &names))
        .collect();
    // A chained caller's shown score stays clearly below its callee's, whatever the
    // saturating map from raw evidence makes of two large raw scores.
    let shown: BTreeMap<String, f64> = causes
        .iter()
        .filter_map(|c| c.service.clone().map(|s| (s, c.score)))
        .collect();
    for (c, (_, ev, _)) in causes.iter_mut().zip(&ranked) {
        if let Some(callee_score) = ev.chained_under.as_ref().and_then(|x| shown.get(x)) {
            c.score = c.score.min(round3(CALLER_FACTOR * callee_score));
        }
    }
    ServiceRanking { causes, services }
}

/// Sets each move's role and normalised strength (docs/ranking.md, "Metric signals").
fn assign_roles(moves: &mut [MetricMove], aggregate: bool, blames_callee: bool) {
    // Client-side moves of this service, to explain its server-side latency.
    let clients: Vec<(String, Option<u32>, f64, f64)> = moves
        .iter()
        .filter(|m| m.kind == MetricKind::ClientLatency)
        .map(|m| {
            (
                m.metric.clone(),
                percentile_of(&m.metric),
                m.z,
                m.window_avg - m.baseline_avg,
            )
        })
        .collect();
    for m in moves.iter_mut() {
        let z = normalised(m.z);
        m.role = if node_level(&m.metric) {
            Role::Context
        } else {
            match m.kind {
                MetricKind::Cpu | MetricKind::Memory | MetricKind::Disk | MetricKind::DiskIo | MetricKind::Load
                    if !aggregate =>
                {
                    Role::Own
                }
                MetricKind::Latency | MetricKind::SuccessRate | MetricKind::ErrorRate if aggregate => Role::External,
                MetricKind::Latency => Role::Own,
                MetricKind::SuccessRate | MetricKind::ErrorRate if blames_callee => Role::External,
                MetricKind::SuccessRate | MetricKind::ErrorRate => Role::Own,
                MetricKind::ClientLatency => Role::External,
                _ => Role::Context,
            }
        };
        m.strength = match m.role {
            Role::Context => 0.0,
            Role::Own if m.kind == MetricKind::Latency => {
                // Outgoing calls of the same percentile (any, when none matches) that
                // slowed down too explain their share of the rise.
                let p = percentile_of(&m.metric);
                let same: Vec<&(String, Option<u32>, f64, f64)> = clients.iter().filter(|c| c.1 == p).collect();
                let pool: Vec<&(String, Option<u32>, f64, f64)> = if same.is_empty() {
                    clients.iter().collect()
                } else {
                    same
                };
                let delta = m.window_avg - m.baseline_avg;
                let mut share = 1.0f64;
                for c in pool {
                    let s = unexplained_share(delta, Some((c.2, c.3)));
                    if s < share {
                        share = s;
                        m.explained_by = Some((c.0.clone(), 1.0 - s));
                    }
                }
                z * share * relative_weight(m.relative_change)
            }
            _ => z,
        };
    }
}

/// Names of trace events for evidence text.
struct NodeNames<'a> {
    services: &'a Dictionary,
    templates: &'a Templates,
    lang: Lang,
}

impl NodeNames<'_> {
    fn service(&self, n: Node) -> &str {
        node_service(n)
            .and_then(|s| self.services.get(s))
            .unwrap_or(match self.lang {
                Lang::En => "(end of request)",
                Lang::Zh => "（请求结束）",
            })
    }
    fn event(&self, n: Node) -> String {
        match (node_service(n), node_template(n)) {
            (Some(_), Some(t)) => {
                let text = self
                    .templates
                    .templates
                    .get(t as usize)
                    .map(|x| triage_text::cut_chars(&x.text, 80).into_owned())
                    .unwrap_or_default();
                format!("{} \"{text}\"", self.service(n))
            }
            _ => say!(self.lang, "the end of the request's log", "请求日志的末尾"),
        }
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

fn seconds(ns: i64) -> String {
    format!("{:.3} s", ns as f64 / 1e9)
}

fn to_root_cause(name: &str, ev: &ServiceEvidence, raw: f64, names: &NodeNames<'_>) -> RootCause {
    let templates = names.templates;
    let lang = names.lang;
    let text_of = |t: usize| {
        templates
            .templates
            .get(t)
            .map(|x| triage_text::cut_chars(&x.text, 100).into_owned())
            .unwrap_or_default()
    };
    let mut parts: Vec<String> = Vec::new();
    let mut evidence: Vec<String> = Vec::new();
    if let Some(d) = ev
        .flow
        .top_divergence
        .as_ref()
        .filter(|_| ev.flow.divergence >= MIN_FLOW)
    {
        let missing = node_service(d.expected)
            .is_some_and(|x| node_service(d.after) != Some(x) && node_service(d.went) != Some(x));
        parts.push(if missing {
            say!(
                lang,
                "requests no longer reach it ({} of {} after {})",
                "请求不再到达这里（{2} 之后 {1} 个请求中的 {0} 个）",
                d.window_count,
                d.window_total,
                names.event(d.after)
            )
        } else {
            say!(
                lang,
                "request paths break here ({} of {} requests left its usual path)",
                "请求路径在此中断（{1} 个请求中有 {0} 个偏离了通常路径）",
                d.window_count,
                d.window_total
            )
        });
        evidence.push(say!(
            lang,
            "traces: after {} the request went on to {}{} (e.g. {}) in {} of {} window requests, {} of {} before the window, where it usually went on to {} (surprise {:.1}; all divergences blamed here {:.1})",
            "调用链：在 {0} 之后，窗口内 {5} 个请求中有 {4} 个转到了 {1}{2}（例如 {3}），窗口之前为 {7} 个中的 {6} 个，而通常会转到 {8}（意外度 {9:.1}；归于此处的全部偏离 {10:.1}）",
            names.event(d.after),
            names.service(d.went),
            match (lang, is_error_step(d.went)) {
                (_, false) => "",
                (Lang::En, true) => " with an error",
                (Lang::Zh, true) => "并出错",
            },
            names.event(d.went_event),
            d.window_count,
            d.window_total,
            d.baseline_count,
            d.baseline_total,
            names.event(d.expected_event),
            d.surprise,
            ev.flow.divergence
        ));
    }
    if let Some(h) = ev.flow.top_slow.as_ref().filter(|_| ev.flow.slowness() >= MIN_FLOW) {
        parts.push(say!(
            lang,
            "{} of {} request hops through it slow",
            "经过它的 {1} 个请求跳转中有 {0} 个变慢",
            ev.flow.attributed_slow,
            ev.flow.hops
        ));
        evidence.push(say!(
            lang,
            "traces: {} of {} hops into, out of or within it took over twice their baseline p99 ({} slow in all, the rest shared with a slower service); e.g. {} → {}: {} of {} slow, median {} vs baseline p99 {}",
            "调用链：进出它或在它内部的 {1} 个跳转中有 {0} 个耗时超过其基线 p99 的两倍（共 {2} 个慢跳转，其余归于更慢的服务）；例如 {3} → {4}：{6} 个中 {5} 个慢，中位数 {7}，基线 p99 {8}",
            ev.flow.attributed_slow,
            ev.flow.hops,
            ev.flow.slow_hops,
            names.service(h.from),
            names.service(h.to),
            h.slow,
            h.window_hops,
            seconds(h.window_median),
            seconds(h.baseline_p99)
        ));
    }
    if let Some((surprise, t, w, b)) = ev.top_error {
        let novelty = match (lang, b == 0) {
            (Lang::En, true) => "new error",
            (Lang::En, false) => "error surge",
            (Lang::Zh, true) => "新错误",
            (Lang::Zh, false) => "错误激增",
        };
        // The onset of the template cited, not of the service's first error.
        let since = ev
            .top_error_since
            .map(|f| say!(lang, " since {}", "，始于 {}", short_time(f)))
            .unwrap_or_default();
        parts.push(format!("{novelty} \"{}\" ×{w}{since}", text_of(t)));
        evidence.push(say!(
            lang,
            "logs: error templates above their baseline rate (surprise {:.1}); top \"{}\" ×{w} in the window, {b} in the baseline (surprise {surprise:.1})",
            "日志：错误模板高于其基线速率（意外度 {:.1}）；居首的 \"{}\" 窗口内 ×{w}，基线 {b}（意外度 {surprise:.1}）",
            ev.error_surprise,
            text_of(t)
        ));
    }
    if let Some((dev, t, w, expected)) = ev.top_mix {
        if ev.mix_shift >= 3.0 {
            let way = match (lang, (w as f64) < expected) {
                (Lang::En, true) => "fewer",
                (Lang::En, false) => "more",
                (Lang::Zh, true) => "少于",
                (Lang::Zh, false) => "多于",
            };
            if ev.top_error.is_none() {
                parts.push(say!(
                    lang,
                    "log mix changed: \"{}\" ×{w} vs {expected:.0} expected",
                    "日志构成变化：\"{}\" ×{w}，预期 {expected:.0}",
                    text_of(t)
                ));
            }
            evidence.push(say!(
                lang,
                "logs: template mix shifted (score {:.1}); largest move: {way} \"{}\" than its baseline share ({w} vs {expected:.1}, dev {dev:.1})",
                "日志：模板构成偏移（得分 {:.1}）；变化最大的是 \"{}\"，{way}其基线占比（{w}，预期 {expected:.1}，偏差 {dev:.1}）",
                ev.mix_shift,
                text_of(t)
            ));
        }
    }
    if let Some(leader) = ev.flow.slow_because_of.filter(|_| ev.flow.slow_hops >= 3) {
        let leader = names.services.get(leader).unwrap_or("?");
        evidence.push(say!(
            lang,
            "chain: {} of its {} request hops were slow, mostly hops to or from {leader}, which is slow on its other hops too: {name} waits on {leader}",
            "链路：它的 {1} 个请求跳转中有 {0} 个变慢，主要是与 {leader} 之间的跳转，而后者在其他跳转上也慢：{name} 在等待 {leader}",
            ev.flow.slow_hops, ev.flow.hops
        ));
    }
    // Own moves first, then symptoms; strongest first within each.
    let mut moves: Vec<&MetricMove> = ev.metrics.iter().filter(|m| m.strength > 0.0).collect();
    moves.sort_by(|a, b| {
        (a.role != Role::Own)
            .cmp(&(b.role != Role::Own))
            .then(b.strength.total_cmp(&a.strength))
    });
    if let Some(top) = moves.first() {
        parts.push(say!(
            lang,
            "{}{} {:.3} vs baseline {:.3} (z {:.1})",
            "{}{} {:.3}，基线 {:.3}（z {:.1}）",
            match (lang, top.role == Role::Own) {
                (_, true) => "",
                (Lang::En, false) => "symptom: ",
                (Lang::Zh, false) => "症状：",
            },
            top.metric,
            top.window_avg,
            top.baseline_avg,
            top.z
        ));
    } else if ev.has_series {
        parts.push(say!(lang, "metrics normal", "指标正常"));
    }
    for m in moves.iter().take(3) {
        let role = match (m.role, m.kind) {
            (Role::Own, MetricKind::Latency) => say!(lang, "its own latency", "自身延迟"),
            (Role::Own, MetricKind::SuccessRate | MetricKind::ErrorRate) => {
                say!(lang, "its own availability", "自身可用性")
            }
            (Role::Own, _) => say!(lang, "its own resource", "自身资源"),
            _ => say!(lang, "a symptom (external)", "症状（外部）"),
        };
        evidence.push(say!(
            lang,
            "metric {}: window avg {:.3} vs baseline {:.3} (z {:.1}, strength {:.2}{}) — {role}{}",
            "指标 {}：窗口均值 {:.3}，基线 {:.3}（z {:.1}，强度 {:.2}{}）— {role}{}",
            m.metric,
            m.window_avg,
            m.baseline_avg,
            m.z,
            m.strength,
            m.first_bad
                .map(|t| say!(lang, ", first bad point {}", "，首个异常点 {}", short_time(t)))
                .unwrap_or_default(),
            m.explained_by
                .as_ref()
                .map(|(c, share)| {
                    say!(
                        lang,
                        "; {c} rose too and explains {:.0}% of the rise",
                        "；{c} 也上升了，解释了 {:.0}% 的升幅",
                        100.0 * share
                    )
                })
                .unwrap_or_default()
        ));
    }
    if let (Some(callee), true) = (&ev.chained_under, ev.calls_by_time) {
        parts.push(say!(
            lang,
            "its errors are dependency failures that began after {callee}'s, which ranks higher: a symptom of {callee}",
            "其错误是依赖故障，始于排名更高的 {callee} 出错之后：是 {callee} 的症状"
        ));
        evidence.push(say!(
            lang,
            "chain: {name}'s top error is a time-out or dependency failure, {callee}'s is not and began no later; chained under it (score at most {CALLER_FACTOR} of {callee}'s)",
            "链路：{name} 的首要错误是超时或依赖故障，{callee} 的不是且开始得不晚于它；已挂在其下（得分至多为 {callee} 的 {CALLER_FACTOR} 倍）"
        ));
    } else if let Some(callee) = &ev.chained_under {
        parts.push(say!(
            lang,
            "its errors name {callee}, which ranks higher: a symptom of {callee}",
            "其错误指向排名更高的 {callee}：是 {callee} 的症状"
        ));
        evidence.push(say!(
            lang,
            "chain: {name} reports failures calling {callee} and is chained under it (score at most {CALLER_FACTOR} of {callee}'s)",
            "链路：{name} 报告调用 {callee} 失败，已挂在其下（得分至多为 {callee} 的 {CALLER_FACTOR} 倍）"
        ));
    } else if let (Some(callee), true) = (&ev.calls, ev.calls_by_time) {
        parts.push(say!(
            lang,
            "its errors are dependency failures that began after {callee}'s (its own score halved)",
            "其错误是依赖故障，始于 {callee} 出错之后（自身得分减半）"
        ));
        evidence.push(say!(
            lang,
            "chain: {name}'s top error is a time-out or dependency failure that began after {callee}'s, so it may be a symptom of {callee}",
            "链路：{name} 的首要错误是超时或依赖故障，始于 {callee} 出错之后，可能是 {callee} 的症状"
        ));
    } else if let Some(callee) = &ev.calls {
        parts.push(say!(
            lang,
            "its errors name {callee} (a dependency failing; its own score halved)",
            "其错误指向 {callee}（依赖故障；自身得分减半）"
        ));
        evidence.push(say!(
            lang,
            "chain: {name} reports failures calling {callee}, so it may be a symptom of {callee}",
            "链路：{name} 报告调用 {callee} 失败，可能是 {callee} 的症状"
        ));
    }
    for caller in &ev.chained {
        evidence.push(say!(
            lang,
            "chain: caller {caller} fails on it (a symptom, chained here)",
            "链路：调用方 {caller} 在它上面失败（症状，挂在此处）"
        ));
    }
    if !ev.problems.is_empty() {
        evidence.push(say!(lang, "problems: {}", "问题：{}", ev.problems.join(", ")));
    }
    // Strength 0–1 from the raw evidence; metrics alone stay below 0.5 (a likely-cause
    // change or a strong spike outranks them), log evidence can reach 0.85.
    let has_logs = ev.log_score() >= 1.0 || ev.flow_score() >= MIN_FLOW;
    let strength = raw / (raw + 10.0);
    let score = if has_logs {
        0.3 + 0.55 * strength
    } else {
        0.2 + 0.29 * strength
    };
    RootCause {
        rank: 0,
        score: (score * 1000.0).round() / 1000.0,
        summary: say!(
            lang,
            "{name}: {}",
            "{name}：{}",
            parts.join(say!(lang, "; ", "；").as_str())
        ),
        evidence,
        kind: "service".into(),
        service: Some(name.to_string()),
        problems: ev.problems.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_whole_service_names_only() {
        assert!(names(
            "No instances available for ts-travel-service",
            "ts-travel-service"
        ));
        assert!(!names(
            "No instances available for ts-travel2-service",
            "ts-travel-service"
        ));
        assert!(!names("calling order-service-v2 failed", "order-service"));
        assert!(names("calling order-service: timeout", "order-service"));
    }

    fn mv(metric: &str, z: f64, baseline: f64, window: f64) -> MetricMove {
        MetricMove {
            metric: metric.into(),
            kind: crate::metrics::classify(metric),
            z,
            window_avg: window,
            baseline_avg: baseline,
            relative_change: (window - baseline) / baseline,
            first_bad: None,
            role: Role::Context,
            strength: 0.0,
            explained_by: None,
        }
    }

    #[test]
    fn signal_transforms_match_their_definitions() {
        assert_eq!(normalised(3.0), 0.0);
        assert_eq!(normalised(2.0), 0.0);
        assert_eq!(normalised(6.0), 0.5);
        assert!((normalised(30.0) - 0.9).abs() < 1e-12);
        assert_eq!(normalised(f64::INFINITY), 1.0);
        assert_eq!(normalised(f64::NAN), 0.0);
        assert_eq!(relative_weight(1.0), 1.0);
        assert_eq!(relative_weight(3.0), 1.0);
        assert!((relative_weight(0.2) - 1.2f64.log2()).abs() < 1e-12);
        assert_eq!(relative_weight(-0.5), 0.0);
        // Server +0.4 s; calls out +0.3 s and anomalous: a quarter is its own.
        assert!((unexplained_share(0.4, Some((10.0, 0.3))) - 0.25).abs() < 1e-12);
        // The client-side series did not move significantly: it explains nothing.
        assert_eq!(unexplained_share(0.4, Some((2.0, 0.3))), 1.0);
        assert_eq!(unexplained_share(0.4, Some((10.0, 0.5))), 0.0);
        assert_eq!(unexplained_share(0.4, None), 1.0);
        assert_eq!(percentile_of("PodServerLatencyP95(s)"), Some(95));
        assert_eq!(percentile_of("latency_p99_ms"), Some(99));
        assert_eq!(percentile_of("latency"), None);
        assert_eq!(percentile_of("PodWorkload(Ops)"), None);
    }

    #[test]
    fn server_latency_is_own_only_beyond_its_outgoing_calls() {
        // Waits on a slow callee: server p95 +0.5 s, client p95 +0.5 s (z 12).
        let mut waits = vec![
            mv("PodServerLatencyP95(s)", 15.0, 0.5, 1.0),
            mv("PodClientLatencyP95(s)", 12.0, 0.4, 0.9),
            mv("CpuUsageRate(%)", 6.0, 10.0, 16.0),
        ];
        assign_roles(&mut waits, false, false);
        assert_eq!((waits[0].role, waits[0].strength), (Role::Own, 0.0));
        assert_eq!(waits[0].explained_by, Some(("PodClientLatencyP95(s)".to_string(), 1.0)));
        assert_eq!((waits[1].role, waits[1].strength), (Role::External, 0.75));
        assert_eq!((waits[2].role, waits[2].strength), (Role::Own, 0.5));
        // Slow itself: the same server rise, calls out unchanged (z 1): 1 − 3/15, doubled.
        let mut slow = vec![
            mv("PodServerLatencyP95(s)", 15.0, 0.5, 1.0),
            mv("PodClientLatencyP95(s)", 1.0, 0.4, 0.41),
        ];
        assign_roles(&mut slow, false, false);
        assert!((slow[0].strength - 0.8).abs() < 1e-12, "{}", slow[0].strength);
        // An aggregate view: everything is a symptom; node-level series are context.
        let mut agg = vec![
            mv("LatencyP50(s)", 15.0, 0.5, 1.0),
            mv("NodeCpuUsageRate(%)", 9.0, 10.0, 30.0),
        ];
        assign_roles(&mut agg, true, false);
        assert_eq!((agg[0].role, agg[0].strength), (Role::External, 0.8));
        assert_eq!((agg[1].role, agg[1].strength), (Role::Context, 0.0));
        // Availability is its own unless its logs blame a callee.
        let mut a = vec![mv("availability", 10.0, 100.0, 90.0)];
        assign_roles(&mut a, false, false);
        assert_eq!(a[0].role, Role::Own);
        assign_roles(&mut a, false, true);
        assert_eq!(a[0].role, Role::External);
    }

    #[test]
    fn service_score_adds_normalised_families() {
        let mut moves = vec![
            mv("CpuUsageRate(%)", 6.0, 10.0, 16.0),       // own resource 0.5
            mv("MemoryUsageRate(%)", 4.0, 10.0, 12.0),    // same family, weaker: max 0.5
            mv("PodServerLatencyP99(s)", 30.0, 0.2, 0.8), // own latency 0.9 (rel 3 → 1)
            mv("PodClientLatencyP90(s)", 12.0, 0.1, 0.2), // other percentile than p99's
            mv("PodWorkload(Ops)", 50.0, 100.0, 10.0),    // traffic: context
        ];
        // No client series of the p99 percentile: all client series may explain; the
        // p90 one rose 0.1 s of the 0.6 s: 1/6 explained.
        assign_roles(&mut moves, false, false);
        let lat = (1.0 - 3.0 / 30.0) * (1.0 - 0.1 / 0.6);
        assert!((moves[2].strength - lat).abs() < 1e-9, "{}", moves[2].strength);
        let ev = ServiceEvidence {
            error_surprise: 10.0,
            mix_shift: 4.0,
            metrics: moves,
            ..Default::default()
        };
        // 10 + 0.25·4 + 3·(0.5 + lat + 0.05·0.75)
        let want = 11.0 + 3.0 * (0.5 + lat + 0.05 * 0.75);
        assert!((ev.score() - want).abs() < 1e-9, "{} vs {want}", ev.score());
        let caller = ServiceEvidence {
            calls: Some("db".into()),
            ..ev
        };
        assert!((caller.score() - want / 2.0).abs() < 1e-9);
    }
}
