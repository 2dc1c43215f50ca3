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
