//! Capacity limits seen from the command line: past `ShapeTable::MAX_SHAPES` distinct
//! message shapes, `triage templates` still reads every record and says how many were
//! grouped by token count only.

mod util;

use std::io::Write;

use util::run_triage;

/// Letters g–z only (never hex or a number), so masking keeps the word.
fn word(mut n: usize) -> String {
    let mut s = String::new();
    loop {
        s.push((b'g' + (n % 20) as u8) as char);
        n /= 20;
        if n == 0 {
            return s;
        }
    }
}

#[test]
fn templates_past_the_shape_cap_says_how_many_records_were_folded() {
    const CAP: usize = 200_000; // ShapeTable::MAX_SHAPES
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("many.log");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    for i in 0..CAP + 10 {
        writeln!(f, "job w{} done", word(i)).unwrap();
    }
    f.into_inner().unwrap().sync_all().unwrap();
    let out = run_triage(&["templates", "--format", "jsonl", path.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "more than {CAP} distinct message shapes; 10 records were grouped by token count only"
        )),
        "{stderr}"
    );
    let rows = String::from_utf8_lossy(&out.stdout).lines().count();
    assert_eq!(rows, CAP + 10, "every record is still written");
}

/// Nothing dropped silently: past the dictionary cap (50,000 distinct hosts), the
/// analysis report's notes say how many values were counted without their name.
#[test]
fn analyze_past_the_host_cap_says_so_in_the_report() {
    const CAP: usize = 50_000; // collect::MAX_DIMENSION_VALUES
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hosts.jsonl");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    for i in 0..CAP + 10 {
        let t = 1_772_614_800 + (i / 100) as u64;
        writeln!(
            f,
            r#"{{"ts": {t}, "level": "info", "host": "h{}", "msg": "request served"}}"#,
            word(i)
        )
        .unwrap();
    }
    f.into_inner().unwrap().sync_all().unwrap();
    let out = run_triage(&["analyze", "--format", "json", "-j", "2", path.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    let notes: Vec<&str> = v["input"]["notes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n.as_str())
        .collect();
    assert!(
        notes.contains(&"more than 50000 distinct hosts: 10 later new values are counted without their name"),
        "{notes:?}"
    );
}
