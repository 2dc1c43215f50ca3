//! The numbers and promises the README states, checked where CI can run them: exit
//! statuses, the report size caps (3,000 distinct error templates), the bundled report's
//! size, and a change ledger that never ends (`--changes /dev/zero`).

mod util;

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;
use util::run_triage;

const LOGS: &str = util::BUNDLED_INCIDENT[0];
const METRICS: &str = util::BUNDLED_INCIDENT[2];

/// README: "Reports stay under 2 MB".
const MAX_REPORT_BYTES: usize = 2_000_000;

/// README, "Exit status": 2 for a usage error or when nothing could be read, 3 when the
/// window held nothing (`no_data`).
#[test]
fn exit_statuses_are_as_stated() {
    for usage in [
        vec!["analyze", "--no-such-flag", LOGS],
        vec!["analyze", LOGS, "--format", "pdf"],
        vec!["analyze", LOGS, "--last", "15"],
        vec!["no-such-command"],
    ] {
        let out = run_triage(&usage);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{usage:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // An error that stops the run: the report cannot be written.
    let out = run_triage(&["analyze", LOGS, "-o", "/nonexistent/triage-dir/report.md"]);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    let out = run_triage(&["analyze", "/nonexistent/triage-logs"]);
    assert_eq!(out.status.code(), Some(2), "nothing could be read");
    let out = run_triage(&[
        "analyze",
        LOGS,
        "--from",
        "2001-01-01T00:00:00Z",
        "--to",
        "2001-01-01T00:15:00Z",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(3), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    assert_eq!(v["status"], "no_data");
}

/// Regression: the change ledger was read whole, so `--changes /dev/zero` never returned.
/// Now the line cap stops it, the report is still written, and its notes say why.
#[test]
fn an_endless_change_ledger_is_cut_and_said() {
    if !Path::new("/dev/zero").exists() {
        eprintln!("skipped an_endless_change_ledger_is_cut_and_said: no /dev/zero on this system");
        return;
    }
    let start = Instant::now();
    let out = run_triage(&[
        "analyze",
        LOGS,
        "--metrics",
        METRICS,
        "--changes",
        "/dev/zero",
        "--format",
        "json",
    ]);
    assert!(start.elapsed() < Duration::from_secs(20), "took {:?}", start.elapsed());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let said = "/dev/zero:1: line longer than 1 MiB (not a text file?); the rest of the file is not read";
    assert!(String::from_utf8_lossy(&out.stderr).contains(said));
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    let notes: Vec<&str> = v["input"]["notes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(notes.contains(&format!("changes: {said}").as_str()), "{notes:?}");
}

/// The other side inputs are capped the same way: `--metrics /dev/zero` is refused at
/// line 1 (the report is still written from the logs), `--rules /dev/zero` at 1 MiB.
#[test]
fn endless_metrics_and_rules_are_refused() {
    if !Path::new("/dev/zero").exists() {
        eprintln!("skipped endless_metrics_and_rules_are_refused: no /dev/zero on this system");
        return;
    }
    let start = Instant::now();
    let out = run_triage(&["analyze", LOGS, "--metrics", "/dev/zero", "--format", "json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let said = "/dev/zero: cannot read metrics file: line 1: line longer than 1 MiB (not a text file?)";
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(said),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run_triage(&["analyze", LOGS, "--rules", "/dev/zero", "--format", "json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("reading rules /dev/zero: larger than 1 MiB"));
    assert!(start.elapsed() < Duration::from_secs(20), "took {:?}", start.elapsed());
}

/// Letters only (digits would be masked as ids and fold the messages together).
fn word(mut i: usize) -> String {
    i += 26 * 26;
    let mut s = Vec::new();
    while i > 0 {
        s.push(b'a' + (i % 26) as u8);
        i /= 26;
    }
    s.reverse();
    String::from_utf8(s).unwrap()
}

/// An hour of heartbeats, then 3,000 distinct error messages twice each in the last 15
/// minutes. Any two messages differ in at least two words (a, b, a+b mod 55), so
/// template induction keeps them apart: 3,000 new error templates, 3,000 problems.
fn many_templates(path: &Path) {
    use std::fmt::Write;
    const N: usize = 55;
    let base = jiff::civil::date(2026, 3, 4).at(8, 0, 0, 0);
    let stamp = |s: i64| {
        base.checked_add(jiff::Span::new().seconds(s))
            .unwrap()
            .strftime("%Y-%m-%d %H:%M:%S,000")
            .to_string()
    };
    let mut lines: Vec<(i64, String)> = (0..360)
        .map(|i| (i * 10, "INFO [main] app.Health: heartbeat ok".to_string()))
        .collect();
    let mut k = 0;
    'all: for a in 0..N {
        for b in 0..N {
            if k == 3000 {
                break 'all;
            }
            let msg = format!(
                "ERROR [main] app.Storage: storage {} {} {} refused the request",
                word(a),
                word(b + 100),
                word((a + b) % N + 200)
            );
            for r in 0..2 {
                lines.push((3600 + ((k * 7 + r * 300) % 900) as i64, msg.clone()));
            }
            k += 1;
        }
    }
    lines.sort();
    let mut text = String::new();
    for (t, m) in lines {
        writeln!(text, "{} {m}", stamp(t)).unwrap();
    }
    std::fs::write(path, text).unwrap();
}

/// README: "reports stay under 2 MB (tested with 3,000 distinct error templates)". The
/// Markdown and HTML reports list the first 50 problems and say how many more the JSON
/// report has (4.5 MB of HTML before the cap).
#[test]
fn three_thousand_error_templates_stay_under_the_size_cap() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("many.log");
    many_templates(&log);
    let log = log.to_str().unwrap();
    let out = run_triage(&["analyze", log, "--format", "json", "-j", "2"]);
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    let problems = v["problems"].as_array().unwrap().len();
    assert_eq!(problems, 3000, "the JSON report lists every problem");
    for (format, lang, more) in [
        ("html", "en", "2950 more problems ("),
        ("html", "zh", "另有 2950 个问题（"),
        ("md", "en", "2950 more problems ("),
        ("md", "zh", "另有 2950 个问题（"),
    ] {
        let out = run_triage(&["analyze", log, "--format", format, "--lang", lang, "-j", "2"]);
        assert!(out.status.success());
        let text = String::from_utf8(out.stdout).unwrap();
        eprintln!("{format} {lang}: {} bytes", text.len());
        assert!(text.len() < MAX_REPORT_BYTES, "{format} {lang}: {} bytes", text.len());
        assert!(text.contains(more), "{format} {lang}: no `{more}` line");
        let headings = text.matches("<h3 id=\"problem-").count() + text.matches("\n### ").count();
        assert!(headings >= 50, "{format} {lang}: {headings} problem headings");
    }
}

/// README: "The bundled incident's report is 256 KB" (HTML, as the quick start makes it).
#[test]
fn bundled_html_report_is_the_stated_size() {
    let mut args = vec!["analyze"];
    args.extend(util::BUNDLED_INCIDENT);
    args.extend(["--format", "html"]);
    let out = run_triage(&args);
    assert!(out.status.success());
    let kb = out.stdout.len() as f64 / 1000.0;
    assert!((230.0..280.0).contains(&kb), "{kb:.0} KB: update the README");
}
