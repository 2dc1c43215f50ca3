//! The report model (schema version 1): what `analyze` computes and every renderer
//! prints. Field names are part of the public contract documented in
//! `docs/report-schema.md`; add fields, never rename them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct Report {
    pub schema_version: u32,
    /// `incident` (something is anomalous), `healthy` (there was data in the window and
    /// nothing is wrong), `no_data` (nothing to analyse in the window) or `partial` (no
    /// anomaly found, but part of the data could not be used: skipped input, records
    /// without timestamps). `status_reason` says why.
    pub status: String,
    /// One sentence behind `status` (what was missing or skipped); empty when healthy or
    /// an incident with complete data. Added within v1.
    #[serde(default)]
    pub status_reason: String,
    /// One or two sentences: what is wrong, since when, most likely cause.
    pub conclusion: String,
    pub window: Span,
    /// The periods the window is compared with (may be empty: no baseline data).
    pub baseline: Vec<Span>,
    pub input: InputSummary,
    pub totals: Totals,
    pub modules: Vec<GroupCount>,
    pub hosts: Vec<GroupCount>,
    pub services: Vec<GroupCount>,
    pub problems: Vec<Problem>,
    pub findings: Vec<Finding>,
    pub spikes: Vec<Spike>,
    pub endpoints: Vec<Endpoint>,
    pub changes: Vec<ChangeScore>,
    pub metrics: Vec<MetricSummary>,
    pub root_causes: Vec<RootCause>,
    pub timeline: Vec<TimelineEntry>,
    /// Actions by priority (P1 first), deduplicated across problems.
    pub actions: Vec<Action>,
    /// Counts per time bucket over the baseline just before the window and the window,
    /// plus downsampled host metrics: what the HTML charts draw. Added within v1
    /// (absent from older documents, hence the default).
    #[serde(default)]
    pub series: Series,
}

/// A half-open time range `[from, to)`, RFC 3339 in UTC.
#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq)]
pub struct Span {
    pub from: String,
    pub to: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct InputSummary {
    /// Log sources read.
    pub files: usize,
    pub records_read: u64,
    /// Records without a timestamp of their own (they inherit the previous one).
    pub records_without_time: u64,
    /// The intake summary line (what was skipped and why).
    pub intake: String,
    pub logs_read: bool,
    pub metric_series: usize,
    pub changes: usize,
    /// Notes about the inputs (no baseline data, metrics missing, …).
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct Totals {
    /// Records inside the window.
    pub records: u64,
    /// Records at WARN or above inside the window.
    pub errors: u64,
    /// Upper-case level name (`ERROR`) → count; records without a level are `NONE`.
    pub by_level: BTreeMap<String, u64>,
    pub baseline_records: u64,
    /// Over all access-log requests in the window (None without access records).
    pub availability: Option<f64>,
    /// Of `by_level`, records whose line carried no level and whose level was inferred
    /// from their words by the rule file's category severities (`ERROR` → 513). Added
    /// within v1.
    #[serde(default)]
    pub inferred_levels: BTreeMap<String, u64>,
}

/// Records and errors of one module, host or service inside the window.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct GroupCount {
    pub name: String,
    pub records: u64,
    pub errors: u64,
    pub by_level: BTreeMap<String, u64>,
    /// Ids of the problems this group contributes most to, most records first.
    pub main_problems: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct NameCount {
    pub name: String,
    pub count: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct Problem {
    /// `P-` + the id of its main template (stable across runs).
    pub id: String,
    pub title: String,
    /// `P1` (act now) … `P3` (watch).
    pub priority: String,
    /// Built-in category (`timeout`, `memory`, `disk`, `lock`, `pool`, `database`, …)
    /// or `other`.
    pub category: String,
    /// Records inside the window.
    pub count: u64,
    pub baseline_count: u64,
    /// Window rate over baseline rate (None when new). A lead-in (records running
    /// unbroken from just before the window into it) counts with the window: then the
    /// rate since the onset over the rate before it, None when the lead-in holds every
    /// baseline record.
    pub ratio: Option<f64>,
    /// No record of it in the baseline.
    pub new: bool,
    /// Benjamini–Hochberg adjusted p-value of the count test.
    pub q_value: Option<f64>,
    pub first_seen: String,
    pub last_seen: String,
    /// Where the count changed (change point), inside the window or just before it.
    pub onset: Option<String>,
    pub levels: BTreeMap<String, u64>,
    /// Of `levels`, records whose level was inferred from their words (their lines
    /// carried none). Added within v1.
    #[serde(default)]
    pub levels_inferred: u64,
    pub modules: Vec<NameCount>,
    pub hosts: Vec<NameCount>,
    pub services: Vec<NameCount>,
    pub templates: Vec<ProblemTemplate>,
    /// Parameter values that dominate this problem (`range_days=30` in 92%).
    pub parameters: Vec<ParamShare>,
    /// Symptom of another problem / root cause (its id), when chained.
    pub symptom_of: Option<String>,
    pub recommendations: Vec<String>,
    /// Ordering score 0–1 (severity, novelty, volume, spread).
    pub score: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct ProblemTemplate {
    pub id: String,
    pub template: String,
    pub count: u64,
    pub baseline_count: u64,
    /// Masked sample messages (secrets replaced).
    pub samples: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct ParamShare {
    pub name: String,
    pub value: String,
    pub count: u64,
    pub share: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct Finding {
    /// `log_metric_mismatch`, `metric_anomaly`, `new_templates_after_change`,
    /// `low_availability`, `redis_big_key`, …
    pub kind: String,
    /// `critical`, `warning` or `info`.
    pub severity: String,
    pub summary: String,
    pub evidence: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct Spike {
    /// `volume` (all records) or `errors` (WARN and above).
    pub kind: String,
    pub from: String,
    pub to: String,
    /// Peak bucket rate over the baseline rate.
    pub ratio: f64,
    /// Records in `[from, to)`.
    pub count: u64,
    /// Records expected in `[from, to)` at the baseline rate: `baseline_per_minute` ×
    /// the span's minutes.
    pub expected: f64,
    /// Baseline rate: records (WARN+ for an error spike) per minute of baseline time
    /// that holds data, never below half a record per bucket (so that a spike over a
    /// silent baseline has a finite ratio; its evidence then says "floor rate"). Added
    /// within v1.
    #[serde(default)]
    pub baseline_per_minute: f64,
    /// `count / expected`. Added within v1.
    #[serde(default)]
    pub overall_ratio: f64,
    /// The explanations are counted over `[attribution_from, to)`: the spike plus a short
    /// lead-in (a cause is often logged just before the flood it starts). Added within v1.
    #[serde(default)]
    pub attribution_from: String,
    /// Records in `[attribution_from, to)` (for an error spike, WARN+ records): the
    /// denominator of each explanation's count. Added within v1.
    #[serde(default)]
    pub attribution_records: u64,
    pub explained_by: Vec<Explanation>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct Explanation {
    /// `template`, `endpoint`, `host`, a field name, or a binned parameter
    /// (`query.start.year`, `range_days`, `list_size`).
    pub field: String,
    pub value: String,
    /// Records with this value in the spike's attribution span (`attribution_from`..`to`).
    pub count: u64,
    /// Records with this value in the baseline.
    pub baseline_count: u64,
    /// Share in the spike over share in the baseline.
    pub lift: f64,
    /// Share of the excess volume this value explains (0–1).
    pub share: f64,
    pub q_value: f64,
    /// Of the records in the attribution span that carry this field, the share with this
    /// value: a value that drives a spike holds most of them; uniformly spread ids do
    /// not, however new they are. Added within v1.
    #[serde(default)]
    pub field_share: f64,
    /// For an error spike: of the span's other records (not errors), the share with this
    /// value. A value as common there as among the errors (the server's own address, an
    /// endpoint every request hits) says nothing about the errors. 0 for volume spikes.
    /// Added within v1.
    #[serde(default)]
    pub other_share: f64,
}

impl Explanation {
    /// The value is about as common among the span's other records as among the spike's
    /// (`spike_records` of them): it names no driver of an error spike, however new it
    /// is among errors.
    pub fn as_common_elsewhere(&self, spike_records: u64) -> bool {
        let here = self.count as f64 / spike_records.max(1) as f64;
        self.other_share > 0.0 && self.other_share >= 0.8 * here
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct Endpoint {
    /// `METHOD /path` with ids in the path masked.
    pub endpoint: String,
    pub requests: u64,
    pub errors: u64,
    pub success_rate: f64,
    pub p50_ms: Option<f64>,
    pub p99_ms: Option<f64>,
    pub max_ms: Option<f64>,
    pub baseline_requests: u64,
    pub baseline_success_rate: Option<f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct ChangeScore {
    pub time: String,
    pub kind: String,
    pub service: String,
    pub version: Option<String>,
    pub description: String,
    /// 0–1: how likely this change caused the incident.
    pub score: f64,
    pub reason: String,
    /// Problem ids this change is linked to.
    pub linked_problems: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct MetricSummary {
    pub host: String,
    pub metric: String,
    /// Recognised kind: `cpu`, `memory`, `disk`, `disk_io`, `load`, `network`, `other`.
    pub kind: String,
    pub avg: f64,
    pub min: f64,
    pub max: f64,
    pub baseline_avg: Option<f64>,
    /// `normal`, `warning`, `critical` (threshold) or `anomalous` (vs baseline).
    pub status: String,
    pub samples: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct RootCause {
    pub rank: usize,
    pub score: f64,
    pub summary: String,
    pub evidence: Vec<String>,
    /// `change`, `problem`, `spike`, `metric`, `service`.
    pub kind: String,
    pub service: Option<String>,
    /// Problem ids explained by this cause (its symptoms included).
    pub problems: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct TimelineEntry {
    pub time: String,
    /// `change`, `first_seen`, `onset`, `spike`, `metric`.
    pub kind: String,
    pub text: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct Action {
    pub priority: String,
    pub text: String,
    /// Problem ids it addresses.
    pub problems: Vec<String>,
}

/// Time series behind the charts. The buckets cover the baseline period just before
/// the window (when there is one) and the window, `bucket_seconds` each from `start`.
#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq)]
pub struct Series {
    /// Bucket length in seconds (0 when there is no series: no timed data).
    pub bucket_seconds: u64,
    /// Start of the first bucket (RFC 3339; empty when there is no series).
    pub start: String,
    /// One entry per bucket, in time order.
    pub points: Vec<SeriesPoint>,
    /// The templates drawn stacked over time (the problems' main templates first, then
    /// the most frequent), each with one count per bucket.
    pub templates: Vec<SeriesTemplate>,
    /// WARN+ records per bucket of the modules with the most errors in the window.
    pub modules: Vec<SeriesModule>,
    /// Host metrics over the same span, at most 120 points each (averaged per step).
    pub metrics: Vec<SeriesMetric>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq)]
pub struct SeriesPoint {
    /// Bucket start (RFC 3339).
    pub t: String,
    pub records: u64,
    /// Records at WARN or above.
    pub errors: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq)]
pub struct SeriesTemplate {
    /// Template id.
    pub id: String,
    /// Id of the problem whose templates include it, if any.
    pub problem: Option<String>,
    /// The problem's title for its main template, the template text otherwise.
    pub label: String,
    /// Records per bucket (same length as `points`).
    pub counts: Vec<u64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq)]
pub struct SeriesModule {
    pub name: String,
    /// WARN+ records per bucket (same length as `points`).
    pub errors: Vec<u64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq)]
pub struct SeriesMetric {
    pub host: String,
    pub metric: String,
    /// Recognised kind, as in `MetricSummary::kind`.
    pub kind: String,
    /// `[time (RFC 3339), value]` pairs in time order.
    pub points: Vec<(String, f64)>,
}
