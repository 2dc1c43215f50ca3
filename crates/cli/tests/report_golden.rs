//! A golden of what the binary writes for the bundled incident (the README's quick
//! start), reduced to what a reviewer can read: the JSON report without the chart series
//! (their shape is kept) and the per-problem advice (canned text, counted). `-j 2` is
//! fixed: the report must not depend on it, and the golden pins one run. (The Chinese
//! HTML golden is `crates/report/tests/render.rs`.)

mod util;

use serde_json::{json, Value};
use util::run_triage;

fn bundled(extra: &[&str]) -> String {
    let mut args = vec!["analyze"];
    args.extend(util::BUNDLED_INCIDENT);
    args.extend(["-j", "2"]);
    args.extend_from_slice(extra);
    let out = run_triage(&args);
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 report")
}

/// The report for review: series as their shape, advice as a count.
fn reviewable(mut report: Value) -> Value {
    let series = &report["series"];
    let names = |key: &str, field: &str| -> Vec<Value> {
        series[key]
            .as_array()
            .map(|a| a.iter().map(|x| x[field].clone()).collect())
            .unwrap_or_default()
    };
    let shape = json!({
        "start": series["start"],
        "bucket_seconds": series["bucket_seconds"],
        "points": series["points"].as_array().map_or(0, Vec::len),
        "templates": names("templates", "id"),
        "modules": names("modules", "name"),
        "metrics": series["metrics"]
            .as_array()
            .map(|a| a.iter().map(|m| format!("{} {}", m["host"].as_str().unwrap_or(""), m["metric"].as_str().unwrap_or(""))).collect::<Vec<_>>())
            .unwrap_or_default(),
    });
    report["series"] = shape;
    for p in report["problems"].as_array_mut().into_iter().flatten() {
        let n = p["recommendations"].as_array().map_or(0, Vec::len);
        p["recommendations"] = json!(format!("{n} recommendations"));
    }
    report
}

#[test]
fn bundled_incident_json_golden() {
    let text = bundled(&["--format", "json"]);
    let report: Value = serde_json::from_str(&text).expect("JSON report");
    let pretty = serde_json::to_string_pretty(&reviewable(report)).unwrap();
    insta::assert_snapshot!("bundled_incident_json", pretty);
}
