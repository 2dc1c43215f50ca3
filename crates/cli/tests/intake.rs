//! `triage parse` on bad and awkward input: every case is read as far as possible,
//! reported on stderr, and never panics. Exit status is non-zero only when nothing
//! could be read.

mod util;

use std::io::Write;

use serde_json::Value;
use util::{run_triage, triage};

fn records(stdout: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("valid JSON line"))
        .collect()
}

fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> String {
    let p = dir.path().join(name);
    std::fs::write(&p, bytes).unwrap();
    p.display().to_string()
}

const JAVA: &str = "2024-03-01 10:00:00.123 [main] INFO  com.example.App - started\n";

#[test]
fn invalid_utf8_is_decoded_lossily_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = JAVA.as_bytes().to_vec();
    bytes.extend_from_slice(b"2024-03-01 10:00:01.000 [main] WARN  com.example.App - bad \xff\xfe bytes\n");
    let f = write(&dir, "a.log", &bytes);
    let out = run_triage(&["parse", &f]);
    assert!(out.status.success());
    let recs = records(&out.stdout);
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[1]["message"], "bad \u{fffd}\u{fffd} bytes");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("1 lines with invalid UTF-8"), "{err}");
}

#[test]
fn binary_files_are_skipped_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let bin = write(&dir, "core.bin", b"\x7fELF\x00\x00\x01binary");
    let good = write(&dir, "ok.log", JAVA.as_bytes());
    let out = run_triage(&["parse", &bin, &good]);
    assert!(out.status.success(), "a readable file remains");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("core.bin") && err.contains("binary"), "{err}");
    assert_eq!(records(&out.stdout).len(), 1);
    // Only the binary file: nothing could be read.
    let out = run_triage(&["parse", &bin]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_50mb_single_line_is_capped_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = JAVA.as_bytes().to_vec();
    bytes.extend_from_slice(b"2024-03-01 10:00:01.000 [main] INFO  com.example.App - ");
    bytes.extend(std::iter::repeat_n(b'x', 50 << 20));
    bytes.extend_from_slice(b"\n2024-03-01 10:00:02.000 [main] INFO  com.example.App - after\n");
    let f = write(&dir, "huge.log", &bytes);
    let out = run_triage(&["parse", &f]);
    assert!(out.status.success());
    let recs = records(&out.stdout);
    assert_eq!(recs.len(), 3);
    let msg = recs[1]["message"].as_str().unwrap();
    assert!(msg.len() <= 64 * 1024, "record capped, got {}", msg.len());
    assert_eq!(recs[1]["truncated"], true);
    assert_eq!(recs[2]["message"], "after");
    assert_eq!(recs[2]["line"], 3);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("1 over-long lines cut"), "{err}");
}

#[test]
fn ten_megabyte_lines_within_the_cap_are_read_whole() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = b"2024-03-01 10:00:01.000 [main] INFO  com.example.App - ".to_vec();
    bytes.extend(std::iter::repeat_n(b'y', 10 << 20));
    bytes.push(b'\n');
    let f = write(&dir, "big.log", &bytes);
    let out = run_triage(&[
        "parse",
        "--max-line-bytes",
        "20000000",
        "--max-record-bytes",
        "20000000",
        &f,
    ]);
    assert!(out.status.success());
    let recs = records(&out.stdout);
    assert_eq!(recs[0]["message"].as_str().unwrap().len(), 10 << 20);
}

#[test]
fn truncated_gzip_keeps_records_and_names_file_and_offset() {
    let dir = tempfile::tempdir().unwrap();
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    for i in 0..50_000 {
        writeln!(
            enc,
            "2024-03-01 10:{:02}:{:02}.000 [main] INFO  com.example.App - event {i} happened",
            i / 60 % 60,
            i % 60
        )
        .unwrap();
    }
    let full = enc.finish().unwrap();
    let f = write(&dir, "cut.log.gz", &full[..full.len() * 2 / 3]);
    let out = run_triage(&["parse", &f]);
    assert!(out.status.success(), "records before the cut are still output");
    let recs = records(&out.stdout);
    assert!(recs.len() > 10_000, "got {}", recs.len());
    assert_eq!(recs[0]["message"], "event 0 happened");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cut.log.gz") && err.contains("gzip") && err.contains("offset"),
        "{err}"
    );
}

#[test]
fn zstd_and_gzip_are_recognised_by_magic_bytes() {
    let dir = tempfile::tempdir().unwrap();
    // A small committed zstd fixture (made with the zstd reference encoder).
    let zst = write(&dir, "app.1", include_bytes!("data/java.log.zst"));
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(JAVA.as_bytes()).unwrap();
    let gz = write(&dir, "app.txt", &enc.finish().unwrap());
    let out = run_triage(&["parse", &zst, &gz]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let recs = records(&out.stdout);
    assert!(recs.len() >= 2);
    assert!(recs.iter().all(|r| r["level"].is_string()));
}

#[test]
fn empty_files_and_missing_paths() {
    let dir = tempfile::tempdir().unwrap();
    let empty = write(&dir, "empty.log", b"");
    let missing = dir.path().join("nope.log").display().to_string();
    let out = run_triage(&["parse", &empty, &missing]);
    assert!(out.status.success(), "the empty file was read");
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("nope.log") && err.contains("no such file"), "{err}");
    assert!(err.contains("intake: 1 file read, 1 skipped"), "{err}");
    let out = run_triage(&["parse", &missing]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn unreadable_files_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("sub");
    std::fs::create_dir(&sub).unwrap();
    // A directory named like a file inside a glob: reading it fails, others go on.
    let good = write(&dir, "ok.log", JAVA.as_bytes());
    let fifo_like = sub.display().to_string();
    let out = run_triage(&["parse", &good, &fifo_like]);
    assert!(out.status.success());
    assert_eq!(records(&out.stdout).len(), 1);
}

#[test]
fn out_of_order_timestamps_keep_file_order_and_are_counted() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        &dir,
        "ooo.log",
        b"2024-03-01 10:00:05.000 [main] INFO  a.B - third\n\
2024-03-01 10:00:01.000 [main] INFO  a.B - first\n\
2024-03-01 10:00:03.000 [main] INFO  a.B - second\n",
    );
    let out = run_triage(&["parse", &f]);
    let recs = records(&out.stdout);
    let msgs: Vec<&str> = recs.iter().map(|r| r["message"].as_str().unwrap()).collect();
    assert_eq!(msgs, ["third", "first", "second"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("1 timestamps out of order"), "{err}");
}

#[test]
fn stdin_and_zone_less_times() {
    let mut child = triage()
        .args(["parse", "--tz", "Asia/Shanghai", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(JAVA.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let recs = records(&out.stdout);
    assert_eq!(recs[0]["ts"], "2024-03-01T02:00:00.123Z");
    assert_eq!(recs[0]["source"], "-");
}

#[test]
fn records_without_timestamp_inherit_and_are_counted() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        &dir,
        "j.log",
        b"{\"time\":\"2024-03-01T10:00:00Z\",\"level\":\"info\",\"msg\":\"a\"}\n{\"level\":\"warn\",\"msg\":\"no time\"}\n",
    );
    let out = run_triage(&["parse", &f]);
    let recs = records(&out.stdout);
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[1]["ts"], "2024-03-01T10:00:00Z");
    assert_eq!(recs[1]["ts_inherited"], true);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("1 records without timestamp took the previous one"),
        "{err}"
    );
}

#[test]
fn large_files_are_split_into_chunks_without_breaking_records() {
    // Many chunks (small --max-line-bytes does not change chunking; the file is big).
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::new();
    for i in 0..60_000 {
        text.push_str(&format!(
            "2024-03-01 10:00:00.000 [main] ERROR a.B - failure {i}\n\tat a.B.run(B.java:1)\n\tat a.C.run(C.java:2)\n"
        ));
    }
    let f = write(&dir, "big.log", text.as_bytes());
    let out = run_triage(&["parse", "-j", "2", &f]);
    let recs = records(&out.stdout);
    assert_eq!(recs.len(), 60_000);
    for (i, r) in recs.iter().enumerate() {
        assert_eq!(r["line"], (3 * i + 1) as u64);
        assert!(r["message"].as_str().unwrap().ends_with("(C.java:2)"));
    }
}

#[test]
fn broken_pipe_exits_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(&dir, "many.log", JAVA.repeat(200_000).as_bytes());
    let mut child = triage()
        .args(["parse", "-q", &f])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn inspect_shows_format_and_samples() {
    let out = run_triage(&[
        "inspect",
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/logs/payment-service.log"),
    ]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("format:") && text.contains("java"), "{text}");
    assert!(text.contains("confidence:") && text.contains("timestamps:") && text.contains("zone:"));
    assert_eq!(text.matches("sample:").count(), 3);
}

#[test]
fn help_is_complete() {
    for args in [vec!["--help"], vec!["parse", "--help"], vec!["inspect", "--help"]] {
        let out = run_triage(&args);
        assert!(out.status.success());
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("Usage"), "{text}");
    }
    let text = String::from_utf8_lossy(&run_triage(&["parse", "--help"]).stdout).to_string();
    for flag in ["--tz", "--line-format", "--json-fields", "--max-line-bytes", "--quiet"] {
        assert!(text.contains(flag), "parse --help lacks {flag}");
    }
}
