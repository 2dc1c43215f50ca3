//! Keeps docs/report-schema.json in step with the model: a fully populated report
//! (every Vec with one element, every Option Some) is serialized and walked against
//! the schema. Every key in the JSON must be described at its place, every described
//! or required key must be present, and the JSON types must match.
//!
//! The report below is built from struct literals without `..Default::default()`, so a
//! field added to the model stops this test from compiling until it is filled here,
//! which then fails until the schema (and docs/report-schema.md) describe it.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;
use triage_analyze::model::*;

fn one_level() -> BTreeMap<String, u64> {
    BTreeMap::from([("ERROR".to_string(), 3)])
}

fn one(text: &str) -> Vec<String> {
    vec![text.to_string()]
}

fn group() -> GroupCount {
    GroupCount {
        name: "api".into(),
        records: 10,
        errors: 3,
        by_level: one_level(),
        main_problems: one("P-T1"),
    }
}

fn name_count() -> Vec<NameCount> {
    vec![NameCount {
        name: "api".into(),
        count: 3,
    }]
}

fn fully_populated() -> Report {
    let span = || Span {
        from: "2026-01-01T00:00:00Z".into(),
        to: "2026-01-01T00:15:00Z".into(),
    };
    Report {
        schema_version: SCHEMA_VERSION,
        status: "incident".into(),
        status_reason: "r".into(),
        conclusion: "c".into(),
        window: span(),
        baseline: vec![span()],
        input: InputSummary {
            files: 1,
            records_read: 10,
            records_without_time: 0,
            intake: "i".into(),
            logs_read: true,
            metric_series: 1,
            changes: 1,
            notes: one("n"),
        },
        totals: Totals {
            records: 10,
            errors: 3,
            by_level: one_level(),
            baseline_records: 9,
            availability: Some(0.9),
            inferred_levels: one_level(),
        },
        modules: vec![group()],
        hosts: vec![group()],
        services: vec![group()],
        problems: vec![Problem {
            id: "P-T1".into(),
            title: "t".into(),
            priority: "P1".into(),
            category: "timeout".into(),
            count: 3,
            baseline_count: 1,
            ratio: Some(3.0),
            new: false,
            q_value: Some(0.01),
            first_seen: "2026-01-01T00:01:00Z".into(),
            last_seen: "2026-01-01T00:02:00Z".into(),
            onset: Some("2026-01-01T00:01:00Z".into()),
            levels: one_level(),
            levels_inferred: 1,
            modules: name_count(),
            hosts: name_count(),
            services: name_count(),
            templates: vec![ProblemTemplate {
                id: "T1".into(),
                template: "timeout after <NUM> ms".into(),
                count: 3,
                baseline_count: 1,
                samples: one("timeout after 30000 ms"),
            }],
            parameters: vec![ParamShare {
                name: "range_days".into(),
                value: "30".into(),
                count: 3,
                share: 1.0,
            }],
            symptom_of: Some("P-T2".into()),
            recommendations: one("r"),
            score: 0.5,
        }],
        findings: vec![Finding {
            kind: "log_metric_mismatch".into(),
            severity: "critical".into(),
            summary: "s".into(),
            evidence: one("e"),
        }],
        spikes: vec![Spike {
            kind: "volume".into(),
            from: "2026-01-01T00:01:00Z".into(),
            to: "2026-01-01T00:05:00Z".into(),
            ratio: 5.0,
            count: 8,
            expected: 1.6,
            baseline_per_minute: 0.4,
            overall_ratio: 5.0,
            attribution_from: "2026-01-01T00:00:30Z".into(),
            attribution_records: 9,
            explained_by: vec![Explanation {
                field: "endpoint".into(),
                value: "GET /x".into(),
                count: 6,
                baseline_count: 1,
                lift: 4.0,
                share: 0.75,
                q_value: 0.001,
                field_share: 0.6667,
                other_share: 0.0,
            }],
        }],
        endpoints: vec![Endpoint {
            endpoint: "GET /x".into(),
            requests: 4,
            errors: 1,
            success_rate: 0.75,
            p50_ms: Some(10.0),
            p99_ms: Some(90.0),
            max_ms: Some(100.0),
            baseline_requests: 4,
            baseline_success_rate: Some(1.0),
        }],
        changes: vec![ChangeScore {
            time: "2025-12-31T23:00:00Z".into(),
            kind: "deploy".into(),
            service: "api".into(),
            version: Some("1.2.3".into()),
            description: "d".into(),
            score: 0.7,
            reason: "r".into(),
            linked_problems: one("P-T1"),
        }],
        metrics: vec![MetricSummary {
            host: "h".into(),
            metric: "cpu_percent".into(),
            kind: "cpu".into(),
            avg: 1.0,
            min: 0.5,
            max: 2.0,
            baseline_avg: Some(1.0),
            status: "normal".into(),
            samples: 15,
        }],
        root_causes: vec![RootCause {
            rank: 1,
            score: 0.8,
            summary: "s".into(),
            evidence: one("e"),
            kind: "change".into(),
            service: Some("api".into()),
            problems: one("P-T1"),
        }],
        timeline: vec![TimelineEntry {
            time: "2026-01-01T00:01:00Z".into(),
            kind: "first_seen".into(),
            text: "t".into(),
        }],
        actions: vec![Action {
            priority: "P1".into(),
            text: "a".into(),
            problems: one("P-T1"),
        }],
        series: Series {
            bucket_seconds: 15,
            start: "2026-01-01T00:00:00Z".into(),
            points: vec![SeriesPoint {
                t: "2026-01-01T00:00:00Z".into(),
                records: 10,
                errors: 3,
            }],
            templates: vec![SeriesTemplate {
                id: "T1".into(),
                problem: Some("P-T1".into()),
                label: "t".into(),
                counts: vec![3],
            }],
            modules: vec![SeriesModule {
                name: "api".into(),
                errors: vec![3],
            }],
            metrics: vec![SeriesMetric {
                host: "h".into(),
                metric: "cpu_percent".into(),
                kind: "cpu".into(),
                points: vec![("2026-01-01T00:00:00Z".into(), 1.5)],
            }],
        },
    }
}

fn load_schema() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/report-schema.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("schema is JSON")
}

/// Follows a local `$ref` (`#/$defs/Name`).
fn resolve<'a>(root: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let pointer = reference.strip_prefix('#').expect("local $ref");
            root.pointer(pointer)
                .unwrap_or_else(|| panic!("dangling $ref {reference}"))
        }
        None => schema,
    }
}

fn type_matches(expected: &str, value: &Value) -> bool {
    match expected {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "null" => value.is_null(),
        "integer" => value.is_u64() || value.is_i64(),
        "number" => value.is_number(),
        _ => false,
    }
}

struct Walk<'a> {
    root: &'a Value,
    /// Every Option must be Some in the fully populated report, so null is an error.
    forbid_null: bool,
    errors: Vec<String>,
}

impl Walk<'_> {
    fn check(&mut self, schema: &Value, value: &Value, path: &str) {
        let schema = resolve(self.root, schema);
        if let Some(types) = schema.get("type") {
            let allowed: Vec<&str> = match types {
                Value::String(one) => vec![one.as_str()],
                Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
                _ => Vec::new(),
            };
            if !allowed.iter().any(|t| type_matches(t, value)) {
                self.errors.push(format!("{path}: {value} is not of type {allowed:?}"));
            }
        }
        match value {
            Value::Null if self.forbid_null => self
                .errors
                .push(format!("{path}: null in the fully populated report (fill the Option)")),
            Value::Object(map) => {
                if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
                    for (key, child) in map {
                        match properties.get(key) {
                            Some(child_schema) => self.check(child_schema, child, &format!("{path}.{key}")),
                            None => self
                                .errors
                                .push(format!("{path}.{key}: in the JSON, not in the schema")),
                        }
                    }
                    for key in properties.keys() {
                        if !map.contains_key(key) {
                            self.errors
                                .push(format!("{path}.{key}: in the schema, not in the JSON"));
                        }
                    }
                    for required in schema.get("required").and_then(Value::as_array).into_iter().flatten() {
                        let key = required.as_str().unwrap_or_default();
                        if !map.contains_key(key) {
                            self.errors.push(format!("{path}.{key}: required but missing"));
                        }
                    }
                } else if let Some(values) = schema.get("additionalProperties").filter(|v| v.is_object()) {
                    // A map keyed by data (level names): check the values only.
                    for (key, child) in map {
                        self.check(values, child, &format!("{path}[{key:?}]"));
                    }
                } else {
                    self.errors
                        .push(format!("{path}: object without properties in the schema"));
                }
            }
            Value::Array(items) => {
                let Some(item_schema) = schema.get("items") else {
                    self.errors.push(format!("{path}: array without items in the schema"));
                    return;
                };
                if items.is_empty() && self.forbid_null {
                    self.errors.push(format!("{path}: empty in the fully populated report"));
                }
                for (i, item) in items.iter().enumerate() {
                    self.check(item_schema, item, &format!("{path}[{i}]"));
                }
            }
            _ => {}
        }
    }
}

fn walk(report: &Report, forbid_null: bool) -> Vec<String> {
    let schema = load_schema();
    let json: Value = serde_json::from_str(&triage_report::render_json(report)).expect("report JSON");
    let mut walk = Walk {
        root: &schema,
        forbid_null,
        errors: Vec::new(),
    };
    walk.check(&schema, &json, "$");
    walk.errors
}

#[test]
fn schema_describes_every_field_of_the_model() {
    let errors = walk(&fully_populated(), true);
    assert!(
        errors.is_empty(),
        "docs/report-schema.json is out of step with the model:\n{}",
        errors.join("\n")
    );
}

#[test]
fn realistic_report_matches_the_schema() {
    let errors = walk(&common::export_storm(), false);
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
fn schema_has_the_contract_keys_required() {
    let schema = load_schema();
    let required = |pointer: &str| -> Vec<String> {
        let node = resolve(&schema, schema.pointer(pointer).unwrap_or_else(|| panic!("{pointer}")));
        node["required"]
            .as_array()
            .expect("required")
            .iter()
            .filter_map(|v| v.as_str().map(String::from))
            .collect()
    };
    let expect = |pointer: &str, keys: &[&str]| {
        let present = required(pointer);
        for key in keys {
            assert!(present.iter().any(|k| k == key), "{pointer}: {key} not required");
        }
    };
    expect(
        "",
        &[
            "schema_version",
            "window",
            "totals",
            "modules",
            "problems",
            "findings",
            "spikes",
            "endpoints",
            "changes",
            "metrics",
            "root_causes",
            "timeline",
        ],
    );
    expect("/$defs/Span", &["from", "to"]);
    expect("/$defs/Totals", &["records", "by_level"]);
    expect("/$defs/GroupCount", &["name", "records", "errors"]);
    expect(
        "/$defs/Problem",
        &[
            "id",
            "title",
            "priority",
            "category",
            "count",
            "first_seen",
            "last_seen",
            "levels",
            "modules",
            "hosts",
            "templates",
            "recommendations",
        ],
    );
    expect("/$defs/NameCount", &["name", "count"]);
    expect("/$defs/ProblemTemplate", &["id", "template", "count", "samples"]);
    expect("/$defs/Finding", &["kind", "severity", "summary", "evidence"]);
    expect("/$defs/Spike", &["from", "to", "ratio", "explained_by"]);
    expect(
        "/$defs/Explanation",
        &["field", "value", "count", "baseline_count", "lift", "share"],
    );
    expect(
        "/$defs/Endpoint",
        &["endpoint", "requests", "success_rate", "p50_ms", "p99_ms"],
    );
    expect(
        "/$defs/ChangeScore",
        &["time", "kind", "service", "description", "score", "reason"],
    );
    expect(
        "/$defs/MetricSummary",
        &["host", "metric", "avg", "min", "max", "baseline_avg", "status"],
    );
    expect("/$defs/RootCause", &["rank", "score", "summary", "evidence"]);
    expect("/$defs/TimelineEntry", &["time", "kind", "text"]);
    assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
}

#[test]
fn every_schema_property_is_documented() {
    let schema = load_schema();
    let mut objects: Vec<(String, &Value)> = vec![("$".to_string(), &schema)];
    if let Some(defs) = schema["$defs"].as_object() {
        objects.extend(defs.iter().map(|(name, def)| (name.clone(), def)));
    }
    for (name, object) in objects {
        for (key, property) in object["properties"].as_object().expect("properties") {
            let described = property
                .get("description")
                .and_then(Value::as_str)
                .is_some_and(|d| !d.is_empty());
            assert!(described, "{name}.{key} has no description");
        }
    }
}

#[test]
fn documented_example_is_a_valid_report() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/report-schema.md");
    let doc = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let start = doc.find("```json\n").expect("a ```json example") + "```json\n".len();
    let end = start + doc[start..].find("\n```").expect("closing fence");
    let example = &doc[start..end];
    // It must be a report the model reads ...
    let report: Report = serde_json::from_str(example).expect("example deserializes into the model");
    // ... and, written back, match the schema.
    let errors = walk(&report, false);
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    // Every key of the example is a model field (serde ignores unknown keys on reading).
    let original: Value = serde_json::from_str(example).expect("JSON");
    let written: Value = serde_json::from_str(&triage_report::render_json(&report)).expect("JSON");
    assert_eq!(original, written, "the example holds exactly the model's fields");
}
