//! Service-level ranking: when the input spans several services, which one is the
//! root cause. Each service gets log evidence (error templates surging against the
//! baseline rate, a shift in its own template mix — code paths that stopped or started
//! running) and metric evidence (the robust deviation of its own series, resource and
//! server-side signals weighted over client-side ones, which are symptoms of the
//! services called). A service whose surging errors name another service is a caller
//! reporting a dependency's failure and is ranked below it. Nothing here knows any
//! system's service names: they come from the logs and the metric hosts.

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
}

/// A z beyond this is "off the chart" for a 1-minute series; capping keeps one flat
/// baseline (tiny sigma) from outweighing every other signal.
const Z_CAP: f64 = 50.0;
/// Metric deviations below this are noise for ranking purposes.
const Z_MIN: f64 = 3.0;
/// Log and metric evidence are on different scales; this brings metric z-scores to
/// roughly the size of the log surprise of a clear code fault.
const METRIC_WEIGHT: f64 = 0.3;
/// Request-path evidence is already on the scale of a z-score.
const FLOW_WEIGHT: f64 = 1.0;
/// Request-path evidence below this is not told in a summary.
const MIN_FLOW: f64 = 3.0;
/// Callers that report a dependency's failure keep this share of their score.
const CALLER_FACTOR: f64 = 0.5;

/// How much a metric of this kind says about the pod's *own* fault. CPU and memory
/// are the pod's own resources; server-side latency and success rate can be inherited
/// from slow dependencies; client-side latency is the time spent waiting for others
/// (a symptom); traffic moves with callers. Node-level series are shared with other
/// pods on the node and say little about one of them.
fn metric_weight(kind: MetricKind, name: &str) -> f64 {
    let lower = name.to_ascii_lowercase();
    if lower.starts_with("node") || lower.contains("_node") || lower.contains("node_") {
        return 0.1;
    }
    match kind {
        MetricKind::Cpu | MetricKind::Load => 1.0,
        MetricKind::Memory | MetricKind::Disk | MetricKind::DiskIo => 0.5,
        MetricKind::Latency => 0.5,
        MetricKind::SuccessRate | MetricKind::ErrorRate => 0.7,
        MetricKind::Network => 0.5,
        MetricKind::ClientLatency | MetricKind::Throughput => 0.3,
        MetricKind::Other => 0.2,
    }
}

#[derive(Default)]
struct MetricMove {
    metric: String,
    z: f64,
    weighted: f64,
    window_avg: f64,
    baseline_avg: f64,
    first_bad: Option<i64>,
    resource: bool,
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
    /// Another service named by one of its surging error templates.
    calls: Option<String>,
    metrics: Vec<MetricMove>,
    /// What the request paths through it say.
    flow: ServiceFlow,
    /// It has CPU or memory series (a workload, not an aggregate view).
    has_resource_series: bool,
    problems: Vec<String>,
}

impl ServiceEvidence {
    fn log_score(&self) -> f64 {
        self.error_surprise + 0.25 * self.mix_shift
    }
    fn metric_score(&self) -> f64 {
        let top = self.metrics.iter().map(|m| m.weighted).fold(0.0, f64::max);
        // A host without resource series of its own (CPU, memory) is an aggregate view
        // such as an entry point or load balancer: it shows every fault behind it and
        // cannot have a resource fault itself.
        if self.has_resource_series {
            top
        } else {
            0.3 * top
        }
    }
    fn flow_score(&self) -> f64 {
        self.flow.divergence + self.flow.slowness()
    }
    fn score(&self) -> f64 {
        let raw = self.log_score() + METRIC_WEIGHT * self.metric_score() + FLOW_WEIGHT * self.flow_score();
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

fn short_time(ns: i64) -> String {
    let t = model_time(ns);
    // `2023-01-29T08:43:17Z` → `08:43:17`: the date is the window's.
    t.get(11..19).map(str::to_string).unwrap_or(t)
}

fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let cut: String = text.chars().take(max).collect();
        format!("{cut}…")
    }
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
        if is_error_template(&levels) && w > 0 {
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
            let Some(d) = metrics::deviation(series, frame.window, &frame.baselines) else {
                continue;
            };
            if !d.z.is_finite() || d.z < Z_MIN {
                continue;
            }
            let weight = metric_weight(series.kind, &series.metric);
            ev.metrics.push(MetricMove {
                metric: series.metric.clone(),
                z: d.z,
                weighted: weight * d.z.min(Z_CAP),
                window_avg: d.window_avg,
                baseline_avg: d.baseline_avg,
                first_bad: d.first_bad,
                resource: matches!(
                    series.kind,
                    MetricKind::Cpu | MetricKind::Memory | MetricKind::Load | MetricKind::Disk | MetricKind::DiskIo
                ),
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
    for p in input.problems.iter().filter(|p| p.anomalous()) {
        if let Some(s) = p.main_service() {
            if let Some(ev) = by_service.get_mut(s) {
                ev.problems.push(p.id.clone());
            }
        }
    }

    let services: Vec<String> = by_service.keys().cloned().collect();
    let mut ranked: Vec<(String, ServiceEvidence, f64)> = by_service
        .into_iter()
        .map(|(n, e)| {
            let s = e.score();
            (n, e, s)
        })
        .filter(|(_, _, s)| *s > 0.0)
        .collect();
    ranked.sort_by(|a, b| b.2.total_cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
    ranked.truncate(10);
    let names = NodeNames {
        services: input.services,
        templates: input.templates,
    };
    let causes = ranked
        .into_iter()
        .map(|(name, ev, raw)| to_root_cause(&name, &ev, raw, &names))
        .collect();
    ServiceRanking { causes, services }
}

/// Names of trace events for evidence text.
struct NodeNames<'a> {
    services: &'a Dictionary,
    templates: &'a Templates,
}

impl NodeNames<'_> {
    fn service(&self, n: Node) -> &str {
        node_service(n)
            .and_then(|s| self.services.get(s))
            .unwrap_or("(end of request)")
    }
    fn event(&self, n: Node) -> String {
        match (node_service(n), node_template(n)) {
            (Some(_), Some(t)) => {
                let text = self
                    .templates
                    .templates
                    .get(t as usize)
                    .map(|x| clip(&x.text, 80))
                    .unwrap_or_default();
                format!("{} \"{text}\"", self.service(n))
            }
            _ => "the end of the request's log".into(),
        }
    }
}

fn seconds(ns: i64) -> String {
    format!("{:.3} s", ns as f64 / 1e9)
}

fn to_root_cause(name: &str, ev: &ServiceEvidence, raw: f64, names: &NodeNames<'_>) -> RootCause {
    let templates = names.templates;
    let text_of = |t: usize| {
        templates
            .templates
            .get(t)
            .map(|x| clip(&x.text, 100))
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
            format!(
                "requests no longer reach it ({} of {} after {})",
                d.window_count,
                d.window_total,
                names.event(d.after)
            )
        } else {
            format!(
                "request paths break here ({} of {} requests left its usual path)",
                d.window_count, d.window_total
            )
        });
        evidence.push(format!(
            "traces: after {} the request went on to {}{} (e.g. {}) in {} of {} window requests, {} of {} before the window, where it usually went on to {} (surprise {:.1}; all divergences blamed here {:.1})",
            names.event(d.after),
            names.service(d.went),
            if is_error_step(d.went) { " with an error" } else { "" },
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
        parts.push(format!(
            "{} of {} request hops through it slow",
            ev.flow.attributed_slow, ev.flow.hops
        ));
        evidence.push(format!(
            "traces: {} of {} hops into, out of or within it took over twice their baseline p99 ({} slow in all, the rest shared with a slower service); e.g. {} → {}: {} of {} slow, median {} vs baseline p99 {}",
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
        let novelty = if b == 0 { "new error" } else { "error surge" };
        let since = ev
            .first_error
            .map(|f| format!(" since {}", short_time(f)))
            .unwrap_or_default();
        parts.push(format!("{novelty} \"{}\" ×{w}{since}", text_of(t)));
        evidence.push(format!(
            "logs: error templates above their baseline rate (surprise {:.1}); top \"{}\" ×{w} in the window, {b} in the baseline (surprise {surprise:.1})",
            ev.error_surprise,
            text_of(t)
        ));
    }
    if let Some((dev, t, w, expected)) = ev.top_mix {
        if ev.mix_shift >= 3.0 {
            let way = if (w as f64) < expected { "fewer" } else { "more" };
            if ev.top_error.is_none() {
                parts.push(format!(
                    "log mix changed: \"{}\" ×{w} vs {expected:.0} expected",
                    text_of(t)
                ));
            }
            evidence.push(format!(
                "logs: template mix shifted (score {:.1}); largest move: {way} \"{}\" than its baseline share ({w} vs {expected:.1}, dev {dev:.1})",
                ev.mix_shift,
                text_of(t)
            ));
        }
    }
    if let Some(leader) = ev.flow.slow_because_of.filter(|_| ev.flow.slow_hops >= 3) {
        let leader = names.services.get(leader).unwrap_or("?");
        evidence.push(format!(
            "chain: {} of its {} request hops were slow, mostly hops to or from {leader}, which is slow on its other hops too: {name} waits on {leader}",
            ev.flow.slow_hops, ev.flow.hops
        ));
    }
    let mut moves: Vec<&MetricMove> = ev.metrics.iter().collect();
    moves.sort_by(|a, b| b.weighted.total_cmp(&a.weighted));
    if let Some(top) = moves.first() {
        parts.push(format!(
            "{} {:.3} vs baseline {:.3} (z {:.1})",
            top.metric, top.window_avg, top.baseline_avg, top.z
        ));
    } else if ev.has_resource_series || ev.log_score() > 0.0 {
        parts.push("metrics normal".into());
    }
    for m in moves.iter().take(3) {
        evidence.push(format!(
            "metric {}: window avg {:.3} vs baseline {:.3} (z {:.1}{}){}",
            m.metric,
            m.window_avg,
            m.baseline_avg,
            m.z,
            m.first_bad
                .map(|t| format!(", first bad point {}", short_time(t)))
                .unwrap_or_default(),
            if m.resource { " — its own resource" } else { "" }
        ));
    }
    if let Some(callee) = &ev.calls {
        parts.push(format!(
            "its errors name {callee} (a dependency failing; ranked below it)"
        ));
        evidence.push(format!(
            "chain: {name} reports failures calling {callee}, so it is more likely a symptom of {callee}"
        ));
    }
    if !ev.problems.is_empty() {
        evidence.push(format!("problems: {}", ev.problems.join(", ")));
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
        summary: format!("{name}: {}", parts.join("; ")),
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

    #[test]
    fn node_metrics_weigh_little_and_cpu_most() {
        assert!(metric_weight(MetricKind::Cpu, "NodeCpuUsageRate(%)") < 0.2);
        assert!(
            metric_weight(MetricKind::Cpu, "CpuUsageRate(%)")
                > metric_weight(MetricKind::ClientLatency, "PodClientLatencyP99(s)")
        );
    }
}
