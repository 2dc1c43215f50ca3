//! `triage analyze` on real fault-injection incidents (Nezha, development half): the
//! shared evaluator scores which service the report names first. A fixed subset of
//! 12 cases, both systems and every fault type, unpacked into a temporary folder.

mod util;

use std::process::Command;

use util::shared_data;

/// Six per system, spread over the fault types (code defects, CPU, network delay).
const SUBSET: [&str; 12] = [
    "trainticket-2023-01-29-08_43",
    "trainticket-2023-01-29-09_25",
    "trainticket-2023-01-29-10_56",
    "trainticket-2023-01-29-13_31",
    "trainticket-2023-01-30-12_06",
    "trainticket-2023-01-30-13_15",
    "onlineboutique-2022-08-22-03_53",
    "onlineboutique-2022-08-22-04_27",
    "onlineboutique-2022-08-22-05_01",
    "onlineboutique-2022-08-22-07_44",
    "onlineboutique-2022-08-23-14_21",
    "onlineboutique-2022-08-23-15_38",
];

struct Score {
    tt_at1: u32,
    tt_at3: u32,
    ob_at1: u32,
    failed: u32,
    text: String,
}

/// Unpacks the archive, runs `../shared/eval/nezha_eval.py` on [`SUBSET`] and reads
/// the per-case lines (HIT@1 / HIT@3 / MISS) and the failed-run count.
fn evaluate() -> Score {
    let tmp = tempfile::tempdir().expect("temp dir");
    let archive = shared_data().join("nezha-dev/scenarios.tar.zst");
    let status = Command::new("tar").arg("--zstd").arg("-xf").arg(&archive).arg("-C").arg(tmp.path()).status().expect("tar runs");
    assert!(status.success(), "unpacking {} failed", archive.display());
    let out = Command::new("python3")
        .arg(shared_data().join("../eval/nezha_eval.py"))
        .arg(env!("CARGO_BIN_EXE_triage"))
        .arg(tmp.path().join("nezha-dev"))
        .args(SUBSET)
        .args(["-j", "2"])
        .output()
        .expect("python3 runs the Nezha evaluator");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let mut s = Score { tt_at1: 0, tt_at3: 0, ob_at1: 0, failed: 0, text: text.clone() };
    let mut cases = 0;
    for line in text.lines() {
        let mut words = line.split_whitespace();
        let (Some(verdict), Some(name)) = (words.next(), words.next()) else { continue };
        if !matches!(verdict, "HIT@1" | "HIT@3" | "MISS") {
            continue;
        }
        cases += 1;
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
    assert_eq!(cases, SUBSET.len(), "every case is scored\n{text}");
    s.failed = text
        .lines()
        .find_map(|l| l.strip_prefix("failed runs: "))
        .and_then(|v| v.split('/').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no failed-runs line\n{text}"));
    s
}

/// Every case yields a report, and the subset does not fall below what the service
/// ranking reaches today (a regression guard, not the issue's floors: see below).
#[test]
fn nezha_subset_reports_and_does_not_regress() {
    let s = evaluate();
    assert_eq!(s.failed, 0, "a case failed to produce a report\n{}", s.text);
    assert!(s.tt_at1 >= 3, "TrainTicket AC@1 {}/6 below 3/6\n{}", s.tt_at1, s.text);
    assert!(s.ob_at1 >= 2, "OnlineBoutique AC@1 {}/6 below 2/6\n{}", s.ob_at1, s.text);
}

/// The floors of issue 8 scaled to the subset: TrainTicket AC@1 ≥ 16/23 and AC@3 ≥
/// 20/23, OnlineBoutique AC@1 ≥ 14/28. Not met yet (see README, "Nezha").
#[test]
#[ignore = "issue 8 floors not met yet; run with --ignored"]
fn nezha_subset_meets_the_issue_floors() {
    let s = evaluate();
    let floor = |num: f64, den: f64, n: f64| (num / den * n).ceil() as u32;
    assert!(s.tt_at1 >= floor(16.0, 23.0, 6.0), "TrainTicket AC@1 {}/6\n{}", s.tt_at1, s.text);
    assert!(s.tt_at3 >= floor(20.0, 23.0, 6.0), "TrainTicket AC@3 {}/6\n{}", s.tt_at3, s.text);
    assert!(s.ob_at1 >= floor(14.0, 28.0, 6.0), "OnlineBoutique AC@1 {}/6\n{}", s.ob_at1, s.text);
}
