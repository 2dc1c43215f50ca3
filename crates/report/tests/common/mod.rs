//! A hand-built report of an export-storm-like incident: a volume spike explained by
//! one endpoint and `query.start.year=2020`, two problems (one a symptom of the other),
//! a log/metric mismatch, and a blamed configuration change.

#![allow(dead_code)]

use std::collections::BTreeMap;

use triage_analyze::model::*;

fn levels(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
    pairs.iter().map(|(level, n)| (level.to_string(), *n)).collect()
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn name_count(name: &str, count: u64) -> NameCount {
    NameCount {
        name: name.to_string(),
        count,
    }
}

fn span(from: &str, to: &str) -> Span {
    Span {
        from: from.to_string(),
        to: to.to_string(),
    }
}

pub fn export_storm() -> Report {
    let timeouts = Problem {
        id: "P-T3".into(),
        title: "Alarm queries time out".into(),
        priority: "P2".into(),
        category: "timeout".into(),
        count: 4100,
        baseline_count: 12,
        ratio: Some(341.67),
        new: false,
        q_value: Some(1.2e-12),
        first_seen: "2026-03-04T09:12:04Z".into(),
        last_seen: "2026-03-04T09:29:58Z".into(),
        onset: Some("2026-03-04T09:12:00Z".into()),
        levels: levels(&[("ERROR", 1980), ("WARN", 2120)]),
        levels_inferred: 0,
        modules: vec![name_count("com.acme.alarm.AlarmQuery", 4100)],
        hosts: vec![name_count("alarm-7f9c", 4100)],
        services: vec![name_count("alarm-service", 4100)],
        templates: vec![
            ProblemTemplate {
                id: "T3".into(),
                template: "Query alarms timed out after <NUM> ms: start=<DATE> end=<DATE>".into(),
                count: 3920,
                baseline_count: 12,
                samples: strings(&[
                    "Query alarms timed out after 30000 ms: start=2020-06-01 end=2026-03-04",
                    "Query alarms timed out after 30000 ms: start=2020-06-15 end=2026-03-04",
                ]),
            },
            ProblemTemplate {
                id: "T9".into(),
                template: "Query alarms timed out after <NUM> ms (retry <NUM>/3)".into(),
                count: 180,
                baseline_count: 0,
                samples: strings(&["Query alarms timed out after 30000 ms (retry 2/3)"]),
            },
        ],
        parameters: vec![ParamShare {
            name: "query.start.year".into(),
            value: "2020".into(),
            count: 3880,
            share: 0.9463,
        }],
        symptom_of: Some("P-T7".into()),
        recommendations: strings(&["Cap the query range of alarm exports (at most 90 days per request)"]),
        score: 0.78,
    };
    let pool = Problem {
        id: "P-T7".into(),
        title: "Export thread pool exhausted".into(),
        priority: "P1".into(),
        category: "pool".into(),
        count: 2210,
        baseline_count: 0,
        ratio: None,
        new: true,
        q_value: Some(3.4e-9),
        first_seen: "2026-03-04T09:12:31Z".into(),
        last_seen: "2026-03-04T09:29:40Z".into(),
        onset: Some("2026-03-04T09:12:00Z".into()),
        levels: levels(&[("ERROR", 128), ("WARN", 2082)]),
        levels_inferred: 0,
        modules: vec![name_count("alarm.export.ExportService", 2210)],
        hosts: vec![name_count("alarm-7f9c", 2210)],
        services: vec![name_count("alarm-service", 2210)],
        templates: vec![ProblemTemplate {
            id: "T7".into(),
            template: "Export task <ID> queued | user=<*> | active=<NUM>/<NUM>".into(),
            count: 2210,
            baseline_count: 0,
            samples: strings(&["Export task 8c1f2e queued | user=u***@acme.example | active=32/32"]),
        }],
        parameters: vec![ParamShare {
            name: "user".into(),
            value: "u***@acme.example".into(),
            count: 2080,
            share: 0.9412,
        }],
        symptom_of: None,
        recommendations: strings(&[
            "Put a distributed lock on GET /api/alarms/export so repeated clicks do not start parallel exports",
            "Revert export.max_parallel to 8",
        ]),
        score: 0.91,
    };
    Report {
        schema_version: SCHEMA_VERSION,
        status: "incident".into(),
        status_reason: String::new(),
        conclusion: "Log volume rose ×14.2 from 09:12 on alarm-service, driven by GET /api/alarms/export with \
                     query.start.year=2020; the export endpoint's success rate fell to 9.09%. Most likely cause: \
                     parallel full exports since 2020-06 after export.max_parallel was raised to 32."
            .into(),
        window: span("2026-03-04T09:00:00Z", "2026-03-04T09:30:00Z"),
        baseline: vec![
            span("2026-03-03T09:00:00Z", "2026-03-03T09:30:00Z"),
            span("2026-02-25T09:00:00Z", "2026-02-25T09:30:00Z"),
        ],
        input: InputSummary {
            files: 3,
            records_read: 48210,
            records_without_time: 120,
            intake: "3 files, 48210 records, 0 lines skipped".into(),
            logs_read: true,
            metric_series: 5,
            changes: 2,
            notes: strings(&["Baseline: the same half hour 1 and 7 days earlier"]),
        },
        totals: Totals {
            records: 41230,
            errors: 6342,
            by_level: levels(&[("DEBUG", 87), ("ERROR", 2108), ("INFO", 34801), ("WARN", 4234)]),
            baseline_records: 5890,
            availability: Some(0.9598),
            inferred_levels: Default::default(),
        },
        modules: vec![
            GroupCount {
                name: "com.acme.alarm.AlarmQuery".into(),
                records: 8011,
                errors: 4100,
                by_level: levels(&[("ERROR", 1980), ("INFO", 3911), ("WARN", 2120)]),
                main_problems: strings(&["P-T3"]),
            },
            GroupCount {
                name: "alarm.export.ExportService".into(),
                records: 30412,
                errors: 2210,
                by_level: levels(&[("ERROR", 128), ("INFO", 28202), ("WARN", 2082)]),
                main_problems: strings(&["P-T7"]),
            },
            GroupCount {
                name: "http.access".into(),
                records: 2807,
                errors: 32,
                by_level: levels(&[("DEBUG", 87), ("INFO", 2688), ("WARN", 32)]),
                main_problems: Vec::new(),
            },
        ],
        hosts: vec![GroupCount {
            name: "alarm-7f9c".into(),
            records: 41230,
            errors: 6342,
            by_level: levels(&[("DEBUG", 87), ("ERROR", 2108), ("INFO", 34801), ("WARN", 4234)]),
            main_problems: strings(&["P-T3", "P-T7"]),
        }],
        services: vec![GroupCount {
            name: "alarm-service".into(),
            records: 41230,
            errors: 6342,
            by_level: levels(&[("DEBUG", 87), ("ERROR", 2108), ("INFO", 34801), ("WARN", 4234)]),
            main_problems: strings(&["P-T3", "P-T7"]),
        }],
        // Model order is by score; the renderers must still put P1 first.
        problems: vec![timeouts, pool],
        findings: vec![
            Finding {
                kind: "metric_anomaly".into(),
                severity: "warning".into(),
                summary: "container_cpu_percent on alarm-7f9c averaged 97.40 vs 22.10 in the baseline".into(),
                evidence: strings(&["30 samples, max 100.00, min 61.00"]),
            },
            Finding {
                kind: "log_metric_mismatch".into(),
                severity: "critical".into(),
                summary: "Logs report 'Java heap space' on alarm-7f9c while host memory averages 41.30%: \
                          the limit is the JVM heap, not the host"
                    .into(),
                evidence: strings(&[
                    "412 records of P-T7 mention heap space",
                    "mem_used_percent on alarm-7f9c: avg 41.30, max 44.10",
                ]),
            },
        ],
        spikes: vec![Spike {
            kind: "volume".into(),
            from: "2026-03-04T09:12:00Z".into(),
            to: "2026-03-04T09:27:00Z".into(),
            ratio: 14.2,
            count: 33905,
            expected: 2387.5,
            baseline_per_minute: 159.2,
            overall_ratio: 14.2,
            attribution_from: "2026-03-04T09:11:20Z".into(),
            attribution_records: 34120,
            explained_by: vec![
                Explanation {
                    field: "endpoint".into(),
                    value: "GET /api/alarms/export".into(),
                    count: 30110,
                    baseline_count: 210,
                    lift: 13.2,
                    share: 0.9312,
                    q_value: 1e-30,
                    field_share: 0.8825,
                    other_share: 0.0,
                },
                Explanation {
                    field: "query.start.year".into(),
                    value: "2020".into(),
                    count: 29870,
                    baseline_count: 3,
                    lift: 1401.6,
                    share: 0.9391,
                    q_value: 0.0,
                    field_share: 0.9944,
                    other_share: 0.0,
                },
            ],
        }],
        endpoints: vec![
            Endpoint {
                endpoint: "GET /api/alarms/export".into(),
                requests: 11,
                errors: 10,
                success_rate: 0.0909,
                p50_ms: Some(30000.0),
                p99_ms: Some(30000.0),
                max_ms: Some(30012.0),
                baseline_requests: 2,
                baseline_success_rate: Some(1.0),
            },
            Endpoint {
                endpoint: "GET /api/alarms/{id}".into(),
                requests: 2796,
                errors: 22,
                success_rate: 0.9921,
                p50_ms: Some(41.2),
                p99_ms: Some(880.0),
                max_ms: Some(30001.0),
                baseline_requests: 2810,
                baseline_success_rate: Some(0.9996),
            },
        ],
        changes: vec![
            ChangeScore {
                time: "2026-03-04T08:41:00Z".into(),
                kind: "deploy".into(),
                service: "alarm-service".into(),
                version: Some("2.14.0".into()),
                description: "Release 2.14.0: alarm list paging".into(),
                score: 0.34,
                reason: "31 min before the onset; no template is new since it".into(),
                linked_problems: Vec::new(),
            },
            ChangeScore {
                time: "2026-03-03T17:05:00Z".into(),
                kind: "config".into(),
                service: "alarm-service".into(),
                version: None,
                description: "export.max_parallel 8 → 32".into(),
                score: 0.81,
                reason: "raised export parallelism; template T7 (pool exhausted) appears only after it".into(),
                linked_problems: strings(&["P-T7"]),
            },
        ],
        metrics: vec![
            MetricSummary {
                host: "alarm-7f9c".into(),
                metric: "container_cpu_percent".into(),
                kind: "cpu".into(),
                avg: 97.4,
                min: 61.0,
                max: 100.0,
                baseline_avg: Some(22.1),
                status: "critical".into(),
                samples: 30,
            },
            MetricSummary {
                host: "alarm-7f9c".into(),
                metric: "mem_used_percent".into(),
                kind: "memory".into(),
                avg: 41.3,
                min: 39.8,
                max: 44.1,
                baseline_avg: Some(40.2),
                status: "normal".into(),
                samples: 30,
            },
            MetricSummary {
                host: "alarm-7f9c".into(),
                metric: "disk_io_util".into(),
                kind: "disk_io".into(),
                avg: 0.013,
                min: 0.011,
                max: 0.016,
                baseline_avg: None,
                status: "normal".into(),
                samples: 30,
            },
            MetricSummary {
                host: "alarm-7f9c".into(),
                metric: "load5".into(),
                kind: "load".into(),
                avg: 7.82,
                min: 1.1,
                max: 11.4,
                baseline_avg: Some(1.05),
                status: "anomalous".into(),
                samples: 30,
            },
            MetricSummary {
                host: "db-2".into(),
                metric: "cpu_percent".into(),
                kind: "cpu".into(),
                avg: 35.5,
                min: 20.25,
                max: 58.0,
                baseline_avg: Some(31.0),
                status: "normal".into(),
                samples: 30,
            },
        ],
        root_causes: vec![
            RootCause {
                rank: 1,
                score: 0.86,
                summary: "Parallel full exports since 2020-06 on GET /api/alarms/export".into(),
                evidence: strings(&[
                    "93.91% of the excess volume has query.start.year=2020 (lift ×1401.6)",
                    "GET /api/alarms/export: 11 requests, success rate 9.09%",
                    "P-T7 (export pool exhausted) is new: 2210 records, none in the baseline",
                ]),
                kind: "spike".into(),
                service: Some("alarm-service".into()),
                problems: strings(&["P-T7", "P-T3"]),
            },
            RootCause {
                rank: 2,
                score: 0.81,
                summary: "Config change export.max_parallel 8 → 32 on alarm-service".into(),
                evidence: strings(&["16 h before the onset; T7 appears only after it"]),
                kind: "change".into(),
                service: Some("alarm-service".into()),
                problems: strings(&["P-T7"]),
            },
            RootCause {
                rank: 3,
                score: 0.22,
                summary: "Container CPU pegged on alarm-7f9c".into(),
                evidence: strings(&["container_cpu_percent avg 97.40 vs 22.10"]),
                kind: "metric".into(),
                service: None,
                problems: Vec::new(),
            },
        ],
        timeline: vec![
            TimelineEntry {
                time: "2026-03-04T09:12:00Z".into(),
                kind: "onset".into(),
                text: "P-T3 and P-T7 change level".into(),
            },
            TimelineEntry {
                time: "2026-03-04T09:12:00Z".into(),
                kind: "spike".into(),
                text: "Volume spike ×14.2 begins (until 09:27:00)".into(),
            },
            TimelineEntry {
                time: "2026-03-04T09:12:04Z".into(),
                kind: "first_seen".into(),
                text: "Alarm queries time out (com.acme.alarm.AlarmQuery)".into(),
            },
            TimelineEntry {
                time: "2026-03-04T09:12:31Z".into(),
                kind: "first_seen".into(),
                text: "Export thread pool exhausted (alarm.export.ExportService)".into(),
            },
        ],
        actions: vec![
            Action {
                priority: "P1".into(),
                text:
                    "Put a distributed lock on GET /api/alarms/export so repeated clicks do not start parallel exports"
                        .into(),
                problems: strings(&["P-T7", "P-T3"]),
            },
            Action {
                priority: "P1".into(),
                text: "Revert export.max_parallel to 8".into(),
                problems: strings(&["P-T7"]),
            },
            Action {
                priority: "P2".into(),
                text: "Cap the query range of alarm exports (at most 90 days per request)".into(),
                problems: strings(&["P-T3"]),
            },
            Action {
                priority: "P3".into(),
                text: "Alert when log volume exceeds ×5 the baseline for 5 minutes".into(),
                problems: Vec::new(),
            },
        ],
        series: series(),
    }
}

/// `2026-03-04T09:MM:SSZ`, `seconds` after 09:00.
fn at(seconds: u64) -> String {
    format!("2026-03-04T09:{:02}:{:02}Z", seconds / 60, seconds % 60)
}

/// The window in 30-second buckets (the baseline is on other days, so the series holds
/// the window only): calm until 09:12, the export storm until 09:27, calm again.
pub fn series() -> Series {
    let storm = |i: u64| (24..54).contains(&i);
    let points = (0..60)
        .map(|i| SeriesPoint {
            t: at(i * 30),
            records: if storm(i) {
                1180 + (i * 13) % 97
            } else {
                80 + (i * 7) % 11
            },
            errors: if storm(i) { 200 + (i * 5) % 31 } else { 3 + i % 4 },
        })
        .collect();
    let counts = |f: &dyn Fn(u64) -> u64| (0..60).map(f).collect::<Vec<u64>>();
    let template = |id: &str, problem: Option<&str>, label: &str, counts: Vec<u64>| SeriesTemplate {
        id: id.into(),
        problem: problem.map(String::from),
        label: label.into(),
        counts,
    };
    let metric = |host: &str, metric: &str, kind: &str, f: &dyn Fn(u64) -> f64| SeriesMetric {
        host: host.into(),
        metric: metric.into(),
        kind: kind.into(),
        points: (0..30).map(|m| (at(m * 60), f(m))).collect(),
    };
    let storm_minute = |m: u64| (12..27).contains(&m);
    Series {
        bucket_seconds: 30,
        start: at(0),
        points,
        templates: vec![
            template(
                "T7",
                Some("P-T7"),
                "Export thread pool exhausted",
                counts(&|i| if storm(i) { 70 } else { 0 }),
            ),
            template(
                "T3",
                Some("P-T3"),
                "Alarm queries time out",
                counts(&|i| if storm(i) { 130 } else { i % 2 }),
            ),
            template(
                "T1",
                None,
                "Exporting alarms page <NUM> of <NUM> (start=<DATE>)",
                counts(&|i| if storm(i) { 900 } else { 0 }),
            ),
            template("T5", None, "Heartbeat ok from <*>", counts(&|_| 40)),
        ],
        modules: vec![
            SeriesModule {
                name: "com.acme.alarm.AlarmQuery".into(),
                errors: counts(&|i| if storm(i) { 130 } else { i % 2 }),
            },
            SeriesModule {
                name: "alarm.export.ExportService".into(),
                errors: counts(&|i| if storm(i) { 70 } else { 0 }),
            },
        ],
        metrics: vec![
            metric("alarm-7f9c", "container_cpu_percent", "cpu", &|m| {
                if storm_minute(m) {
                    100.0
                } else {
                    61.0
                }
            }),
            metric("alarm-7f9c", "mem_used_percent", "memory", &|m| 39.8 + (m % 5) as f64),
            metric("alarm-7f9c", "disk_io_util", "disk_io", &|m| {
                0.011 + (m % 6) as f64 / 1000.0
            }),
            metric("alarm-7f9c", "load5", "load", &|m| {
                if storm_minute(m) {
                    11.4
                } else {
                    1.1
                }
            }),
            metric("db-2", "cpu_percent", "cpu", &|m| 20.25 + (m % 10) as f64 * 4.2),
        ],
    }
}
