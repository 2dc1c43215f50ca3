//! A log whose messages rarely repeat — random words, about 20,000 distinct messages
//! each seen a handful of times over an hour, a tenth of them at WARN or ERROR — is not
//! an incident by itself: every stretch of it holds templates never seen before. The
//! same log with a real failure planted in its window still is one.

mod util;

use std::io::Write;

use util::{run_triage, Rng};

/// Letters g–z only (never hex, a number or a word the masker knows).
fn word(rng: &mut Rng) -> String {
    let len = 4 + rng.below(6);
    (0..len).map(|_| (b'g' + rng.below(20) as u8) as char).collect()
}

/// `lines` lines over one hour from 2026-12-01 10:00, drawn uniformly from `distinct`
/// random-word messages (4–9 words from a 5,000-word vocabulary), with `planted` lines
/// `(second, line)` merged in by time.
fn random_log(lines: usize, distinct: usize, planted: &[(usize, String)]) -> tempfile::NamedTempFile {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let vocab: Vec<String> = (0..5_000).map(|_| word(&mut rng)).collect();
    let messages: Vec<(String, &str)> = (0..distinct)
        .map(|_| {
            let n = 4 + rng.below(6);
            let text: Vec<&str> = (0..n).map(|_| vocab[rng.below(vocab.len())].as_str()).collect();
            let level = match rng.below(20) {
                0 => "ERROR",
                1 => "WARN",
                _ => "INFO",
            };
            (text.join(" "), level)
        })
        .collect();
    let mut f = tempfile::Builder::new().suffix(".log").tempfile().unwrap();
    let mut w = std::io::BufWriter::new(f.as_file_mut());
    let mut planted = planted.iter().peekable();
    for i in 0..lines {
        let second = i * 3600 / lines;
        while let Some((_, line)) = planted.next_if(|(s, _)| *s <= second) {
            writeln!(w, "{line}").unwrap();
        }
        let (text, level) = &messages[rng.below(distinct)];
        writeln!(
            w,
            "2026-12-01 {:02}:{:02}:{:02},{:03} {level} {text}",
            10 + second / 3600,
            second / 60 % 60,
            second % 60,
            i % 1000
        )
        .unwrap();
    }
    drop(w);
    f
}

fn analyze(f: &tempfile::NamedTempFile) -> serde_json::Value {
    let out = run_triage(&["analyze", "--format", "json", f.path().to_str().unwrap()]);
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn urgent(report: &serde_json::Value) -> Vec<String> {
    report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["priority"] != "P3")
        .map(|p| format!("{} {} ×{}", p["priority"], p["title"], p["count"]))
        .collect()
}

#[test]
fn a_long_tail_of_rare_random_messages_is_not_an_incident() {
    let log = random_log(100_000, 20_000, &[]);
    let report = analyze(&log);
    assert_eq!(report["status"], "healthy", "{:?}", urgent(&report));
    assert!(urgent(&report).is_empty(), "{:?}", urgent(&report));
    let notes = report["input"]["notes"].to_string();
    assert!(notes.contains("a long tail of rare messages"), "{notes}");
}

#[test]
fn a_new_failure_in_a_long_tail_is_still_an_incident() {
    // 60 identical errors in the last ten minutes (the window is the last 15).
    let planted: Vec<(usize, String)> = (0..60)
        .map(|k| {
            let s = 3000 + k * 10;
            (
                s,
                format!(
                    "2026-12-01 10:{:02}:{:02},500 ERROR Connection to database db-main refused",
                    s / 60,
                    s % 60
                ),
            )
        })
        .collect();
    let log = random_log(100_000, 20_000, &planted);
    let report = analyze(&log);
    assert_eq!(report["status"], "incident");
    let first = &report["problems"][0];
    assert!(
        first["title"].as_str().unwrap().contains("Connection to database"),
        "{:?}",
        urgent(&report)
    );
    assert_ne!(first["priority"], "P3");
}
