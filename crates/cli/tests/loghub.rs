//! Intake accuracy on the real Loghub-2k logs (../shared/data/loghub-2k): the message
//! Triage extracts must equal the ground-truth `Content` column.
//!
//! - with `--line-format` from formats.json: every system ≥ 99.9% (and the Level and
//!   Component fields equal the truth where it has them);
//! - with no hint (auto-detection): at least 13 of 16 systems ≥ 99%.

mod util;

use std::collections::HashMap;

use util::{loghub_dir, run_triage};

const SYSTEMS: [&str; 16] = [
    "Android",
    "Apache",
    "BGL",
    "HDFS",
    "HPC",
    "Hadoop",
    "HealthApp",
    "Linux",
    "Mac",
    "OpenSSH",
    "OpenStack",
    "Proxifier",
    "Spark",
    "Thunderbird",
    "Windows",
    "Zookeeper",
];

struct Truth {
    content: Vec<String>,
    level: Option<Vec<String>>,
    component: Option<Vec<String>>,
}

fn truth(system: &str) -> Truth {
    let path = loghub_dir()
        .join(system)
        .join(format!("{system}_2k.log_structured_corrected.csv"));
    let mut rdr = csv::Reader::from_path(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let headers = rdr.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name);
    let (c, l, k) = (col("Content").unwrap(), col("Level"), col("Component"));
    let mut t = Truth {
        content: vec![],
        level: l.map(|_| vec![]),
        component: k.map(|_| vec![]),
    };
    for row in rdr.records() {
        let row = row.unwrap();
        t.content.push(row[c].trim().to_string());
        if let (Some(i), Some(v)) = (l, t.level.as_mut()) {
            v.push(row[i].to_string());
        }
        if let (Some(i), Some(v)) = (k, t.component.as_mut()) {
            v.push(row[i].to_string());
        }
    }
    t
}

fn formats() -> HashMap<String, String> {
    let text = std::fs::read_to_string(loghub_dir().join("formats.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    SYSTEMS
        .iter()
        .map(|s| (s.to_string(), v[s]["log_format"].as_str().unwrap().to_string()))
        .collect()
}

/// Share of lines whose record has the true content, plus per-field shares.
fn score(system: &str, line_format: Option<&str>) -> (f64, f64, f64) {
    let log = loghub_dir().join(system).join(format!("{system}_2k.log"));
    // Parsing accuracy against the ground truth: values as logged (e-mails unmasked).
    let mut args = vec![
        "parse".to_string(),
        "--quiet".into(),
        "--no-redact".into(),
        log.display().to_string(),
    ];
    if let Some(f) = line_format {
        args.push("--line-format".into());
        args.push(f.to_string());
    }
    let out = run_triage(&args);
    assert!(
        out.status.success(),
        "{system}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut by_line: HashMap<u64, serde_json::Value> = HashMap::new();
    for l in String::from_utf8_lossy(&out.stdout).lines() {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        by_line.insert(v["line"].as_u64().unwrap(), v);
    }
    let t = truth(system);
    let n = t.content.len() as f64;
    let mut ok = 0;
    let mut ok_level = 0;
    let mut ok_comp = 0;
    let mut shown = 0;
    for (i, want) in t.content.iter().enumerate() {
        let rec = by_line.get(&(i as u64 + 1));
        let got = rec.and_then(|r| r["message"].as_str()).map(str::trim);
        if got == Some(want.as_str()) {
            ok += 1;
        } else if shown < 3 && std::env::var_os("TRIAGE_SHOW_MISSES").is_some() {
            shown += 1;
            eprintln!("{system} line {}: want {want:?}\n   got {got:?}", i + 1);
        }
        let field = |name: &str| rec.and_then(|r| r["fields"][name].as_str()).unwrap_or("");
        if t.level.as_ref().is_some_and(|v| field("Level") == v[i]) {
            ok_level += 1;
        }
        if t.component.as_ref().is_some_and(|v| field("Component") == v[i]) {
            ok_comp += 1;
        }
    }
    let share = |k: usize, present: bool| if present { k as f64 / n } else { 1.0 };
    (
        ok as f64 / n,
        share(ok_level, t.level.is_some()),
        share(ok_comp, t.component.is_some()),
    )
}

#[test]
fn loghub_content_with_line_format() {
    let formats = formats();
    let mut failures = Vec::new();
    for system in SYSTEMS {
        let (content, level, comp) = score(system, Some(&formats[system]));
        eprintln!(
            "line-format {system:<12} content {:.4} level {:.4} component {:.4}",
            content, level, comp
        );
        if content < 0.999 || level < 0.999 || comp < 0.999 {
            failures.push(format!(
                "{system}: content {content:.4} level {level:.4} component {comp:.4}"
            ));
        }
    }
    assert!(failures.is_empty(), "below 99.9%: {failures:?}");
}

#[test]
fn loghub_content_auto_detected() {
    let mut passing = 0;
    let mut table = Vec::new();
    for system in SYSTEMS {
        let (content, _, _) = score(system, None);
        table.push(format!("auto {system:<12} content {content:.4}"));
        if content >= 0.99 {
            passing += 1;
        }
    }
    eprintln!("{}", table.join("\n"));
    assert!(
        passing >= 13,
        "only {passing}/16 systems reach 99% with auto-detection:\n{}",
        table.join("\n")
    );
}
