//! `triage analyze` on real fault-injection incidents (Nezha, development half): the
//! shared evaluator scores which service the report names first, on all 51 cases
//! (23 TrainTicket with logs and metrics, 28 OnlineBoutique, mostly metrics only),
//! unpacked into a temporary folder. They take seconds, so CI runs them all and the
//! issue's floors apply unscaled.

mod util;

use std::path::{Path, PathBuf};
use std::process::Command;

use util::shared_data;

/// Cases in the development half.
const CASES: usize = 51;

struct Score {
    tt_at1: u32,
    tt_at3: u32,
    ob_at1: u32,
    failed: u32,
    /// (case, k) for every case found within the first k root causes (k = 1 or 3).
    hits: Vec<(String, u32)>,
    text: String,
}
/// Unpacks the archive, runs `../shared/eval/nezha_eval.py` on every case and reads
/// the per-case lines (HIT@1 / HIT@3 / MISS) and the failed-run count.
fn evaluate() -> Score {
    let tmp = tempfile::tempdir().expect("temp dir");
    let archive = shared_data().join("nezha-dev/scenarios.tar.zst");
    let status = Command::new("tar")
        .arg("--zstd")
        .arg("-xf")
        .arg(&archive)
        .arg("-C")
        .arg(tmp.path())
        .status()
        .expect("tar runs");
    assert!(status.success(), "unpacking {} failed", archive.display());
    let out = Command::new("python3")
        .arg(shared_data().join("../eval/nezha_eval.py"))
        .arg(env!("CARGO_BIN_EXE_triage"))
        .arg(tmp.path().join("nezha-dev"))
        .args(["-j", "2"])
        .output()
        .expect("python3 runs the Nezha evaluator");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let mut s = Score {
        tt_at1: 0,
        tt_at3: 0,
        ob_at1: 0,
        failed: 0,
        hits: Vec::new(),
        text: text.clone(),
    };
    let mut cases = 0;
    for line in text.lines() {
        let mut words = line.split_whitespace();
        let (Some(verdict), Some(name)) = (words.next(), words.next()) else {
            continue;
        };
        if !matches!(verdict, "HIT@1" | "HIT@3" | "MISS") {
            continue;
        }
        cases += 1;
        match verdict {
            "HIT@1" => s.hits.push((name.to_string(), 1)),
            "HIT@3" => s.hits.push((name.to_string(), 3)),
            _ => {}
        }
        let tt = name.starts_with("trainticket");
        match (verdict, tt) {
            ("HIT@1", true) => {
                s.tt_at1 += 1;
                s.tt_at3 += 1
            }
            ("HIT@3", true) => s.tt_at3 += 1,
            ("HIT@1", false) => s.ob_at1 += 1,
            _ => {}
        }
    }
    assert_eq!(cases, CASES, "every case is scored\n{text}");
    s.failed = text
        .lines()
        .find_map(|l| l.strip_prefix("failed runs: "))
        .and_then(|v| v.split('/').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no failed-runs line\n{text}"));
    s
}

/// Every case yields a report, and the ranking meets issue 8's floors: TrainTicket
/// AC@1 ≥ 16/23 and AC@3 ≥ 20/23, OnlineBoutique AC@1 ≥ 14/28.
#[test]
fn nezha_dev_half_meets_the_issue_floors() {
    if util::shared_or_skip(
        "nezha::nezha_dev_half_meets_the_issue_floors",
        "nezha-dev/scenarios.tar.zst",
    )
    .is_none()
    {
        return;
    }
    let s = evaluate();
    assert_eq!(s.failed, 0, "a case failed to produce a report\n{}", s.text);
    assert!(
        s.tt_at1 >= 16,
        "TrainTicket AC@1 {}/23 below 16/23\n{}",
        s.tt_at1,
        s.text
    );
    assert!(
        s.tt_at3 >= 20,
        "TrainTicket AC@3 {}/23 below 20/23\n{}",
        s.tt_at3,
        s.text
    );
    assert!(
        s.ob_at1 >= 14,
        "OnlineBoutique AC@1 {}/28 below 14/28\n{}",
        s.ob_at1,
        s.text
    );
    // Per case, at today's level: a case found at rank k stays within rank k, so one
    // case won cannot hide another lost.
    let lost: Vec<String> = FOUND_TODAY
        .iter()
        .filter(|(case, k)| !s.hits.iter().any(|(c, got)| c == case && got <= k))
        .map(|(case, k)| format!("{case} (was within rank {k})"))
        .collect();
    assert!(lost.is_empty(), "cases no longer found: {lost:?}\n{}", s.text);
}

/// The cases found today, with the rank they are found within (1 or 3). Raise a case
/// when it improves; never lower one to make a change pass.
const FOUND_TODAY: &[(&str, u32)] = &[
    ("onlineboutique-2022-08-22-03_53", 1),
    ("onlineboutique-2022-08-22-04_10", 1),
    ("onlineboutique-2022-08-22-04_44", 1),
    ("onlineboutique-2022-08-22-05_18", 1),
    ("onlineboutique-2022-08-22-05_35", 1),
    ("onlineboutique-2022-08-22-05_52", 3),
    ("onlineboutique-2022-08-22-06_35", 1),
    ("onlineboutique-2022-08-22-07_01", 1),
    ("onlineboutique-2022-08-23-12_01", 1),
    ("onlineboutique-2022-08-23-12_18", 1),
    ("onlineboutique-2022-08-23-12_53", 3),
    ("onlineboutique-2022-08-23-13_27", 1),
    ("onlineboutique-2022-08-23-13_45", 1),
    ("onlineboutique-2022-08-23-14_03", 1),
    ("onlineboutique-2022-08-23-14_21", 1),
    ("onlineboutique-2022-08-23-15_21", 1),
    ("onlineboutique-2022-08-23-15_56", 1),
    ("onlineboutique-2022-08-23-16_13", 1),
    ("onlineboutique-2022-08-23-16_31", 1),
    ("trainticket-2023-01-29-08_43", 1),
    ("trainticket-2023-01-29-08_58", 3),
    ("trainticket-2023-01-29-09_12", 1),
    ("trainticket-2023-01-29-09_25", 1),
    ("trainticket-2023-01-29-09_34", 1),
    ("trainticket-2023-01-29-09_49", 1),
    ("trainticket-2023-01-29-10_04", 1),
    ("trainticket-2023-01-29-10_45", 3),
    ("trainticket-2023-01-29-10_56", 1),
    ("trainticket-2023-01-29-11_13", 1),
    ("trainticket-2023-01-29-11_29", 1),
    ("trainticket-2023-01-29-13_31", 1),
    ("trainticket-2023-01-29-14_49", 1),
    ("trainticket-2023-01-30-11_51", 1),
    ("trainticket-2023-01-30-12_06", 1),
    ("trainticket-2023-01-30-12_29", 3),
    ("trainticket-2023-01-30-12_44", 1),
    ("trainticket-2023-01-30-13_15", 3),
    ("trainticket-2023-01-30-13_52", 1),
    ("trainticket-2023-01-30-14_08", 1),
];

/// A metrics-only system unlike Nezha: components with only `latency_p90_ms`,
/// `requests` and `availability` at 5-minute resolution (as a cloud console exports
/// them), a call chain gateway → api → orders, and a fault in `orders` (+200 ms, 3 %
/// failures). Every caller inherits the 200 ms; `orders` is noisy (sd 20 ms), so the
/// largest z-score points at the quiet `api`, while the deepest service has the largest
/// relative rise. `search` is chronically noisy. Deterministic noise (a fixed LCG).
fn write_metrics_only_case(dir: &Path) -> PathBuf {
    // (name, baseline latency ms, noise as a share of it)
    let components = [
        ("gateway", 400.0, 0.02),
        ("api", 300.0, 0.01),
        ("orders", 100.0, 0.2),
        ("catalog", 120.0, 0.05),
        ("cache", 5.0, 0.05),
        ("db-orders", 40.0, 0.05),
        ("search", 250.0, 0.4),
        ("auth", 60.0, 0.05),
    ];
    let mut seed: u64 = 42;
    let mut noise = move || {
        // Sum of four uniforms: roughly normal, mean 0, sd 1.
        let mut acc = 0.0;
        for _ in 0..4 {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            acc += (seed >> 11) as f64 / (1u64 << 53) as f64 - 0.5;
        }
        acc * 3f64.sqrt()
    };
    let mut csv = String::from("timestamp,host,metric,value\n");
    // 2024-03-01T10:00:00Z, points every 5 minutes for 2 hours; fault from 11:30.
    let t0 = 1_709_287_200i64;
    for i in 0..=24 {
        let t = t0 + i * 300;
        let stamp = t; // epoch seconds, as many exports write them
        for (name, base, sd) in components {
            let faulty = i >= 18;
            let extra = if faulty && matches!(name, "gateway" | "api" | "orders") {
                200.0
            } else {
                0.0
            };
            let latency = base + extra + base * sd * noise();
            let requests = 1000.0 + 30.0 * noise();
            let availability = 100.0 - (0.05 * noise()).abs() - if faulty && name == "orders" { 3.0 } else { 0.0 };
            csv.push_str(&format!("{stamp},{name},latency_p90_ms,{latency:.2}\n"));
            csv.push_str(&format!("{stamp},{name},requests,{requests:.0}\n"));
            csv.push_str(&format!("{stamp},{name},availability,{availability:.3}\n"));
        }
    }
    let path = dir.join("metrics.csv");
    std::fs::write(&path, csv).unwrap();
    path
}

fn first_cause(dir: &Path, metrics: &Path, from: &str, to: &str) -> String {
    let logs = dir.join("logs");
    std::fs::create_dir_all(&logs).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_triage"))
        .arg("analyze")
        .arg(&logs)
        .arg("--metrics")
        .arg(metrics)
        .args(["--from", from, "--to", to, "--tz", "UTC", "--format", "json"])
        .output()
        .expect("triage runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    let causes = report["root_causes"].as_array().expect("root causes");
    let first = causes.first().unwrap_or_else(|| panic!("no root cause: {report}"));
    first["service"].as_str().unwrap_or_default().to_string()
}

/// The metrics-only ranking finds the faulty component from generic metric names,
/// with a window that holds three 5-minute points and with one that holds none.
#[test]
fn metrics_only_coarse_series_rank_the_deepest_service_first() {
    let tmp = tempfile::tempdir().unwrap();
    let metrics = write_metrics_only_case(tmp.path());
    assert_eq!(
        first_cause(tmp.path(), &metrics, "2024-03-01T11:30:00Z", "2024-03-01T11:45:00Z"),
        "orders"
    );
    // 11:31–11:34: between two points; the 11:30 point covers it.
    assert_eq!(
        first_cause(tmp.path(), &metrics, "2024-03-01T11:31:00Z", "2024-03-01T11:34:00Z"),
        "orders"
    );
}
