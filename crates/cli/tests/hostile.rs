//! Hostile-but-fair intake (issue 16): the corpus is written at test time by
//! `tests/hostile/generate.py` (no binaries are committed) and every case is checked
//! through `triage parse`. Each test failed on the build before the fix it guards (run
//! them against another binary with `TRIAGE_BIN=/path/to/triage`).

mod util;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::Value;

/// The generated corpus, made once per test binary.
fn corpus() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/hostile/generate.py");
        let status = Command::new("python3")
            .arg(&script)
            .arg(dir.path())
            .status()
            .expect("python3 runs tests/hostile/generate.py");
        assert!(status.success(), "{} failed", script.display());
        dir
    })
    .path()
}

fn path(name: &str) -> String {
    corpus().join(name).display().to_string()
}

fn bin() -> PathBuf {
    std::env::var_os("TRIAGE_BIN").map_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_triage")), PathBuf::from)
}

/// Runs triage with no stdin; a run past `limit` is killed and fails the test.
fn run_within(args: &[&str], limit: Duration) -> Output {
    let mut child = Command::new(bin())
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run triage");
    // Drain the pipes on threads so a large output cannot block the child.
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out_t = std::thread::spawn(move || {
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut out, &mut v).ok();
        v
    });
    let err_t = std::thread::spawn(move || {
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut err, &mut v).ok();
        v
    });
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > limit {
            child.kill().ok();
            child.wait().ok();
            panic!("triage {args:?} still running after {limit:?}: killed");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: out_t.join().unwrap(),
        stderr: err_t.join().unwrap(),
    }
}

fn parse(args: &[&str]) -> (Vec<Value>, String) {
    let mut all = vec!["parse"];
    all.extend_from_slice(args);
    let out = run_within(&all, Duration::from_secs(60));
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{args:?}: {err}");
    let recs = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("valid JSON line"))
        .collect();
    (recs, err)
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or("")
}

#[test]
fn json_lines_after_the_sample_are_not_glued_onto_one_record() {
    let (recs, err) = parse(&[&path("format/late_json.log")]);
    assert_eq!(recs.len(), 500, "{err}");
    for (i, r) in recs[200..].iter().enumerate() {
        assert_eq!(s(&r["level"]), "ERROR");
        assert_eq!(s(&r["message"]), format!("payment db down {i}"));
    }
    assert!(err.contains("format changed"), "{err}");
}

#[test]
fn a_second_log_appended_is_parsed_in_its_own_format() {
    let (recs, err) = parse(&[&path("format/concat.log")]);
    assert_eq!(recs.len(), 2000, "{err}");
    let ssh = &recs[1000];
    assert_eq!((s(&ssh["host"]), s(&ssh["module"])), ("LabSZ", "sshd"), "{ssh}");
    assert!(s(&ssh["message"]).starts_with("Invalid user webmaster"));
    assert!(!err.contains("size cap"), "{err}");
}

/// The real thing when the shared data is there: `cat Hadoop_2k.log OpenSSH_2k.log | triage parse -`.
#[test]
fn loghub_logs_concatenated_on_stdin() {
    let Some(dir) = util::shared_or_skip("hostile::loghub_logs_concatenated_on_stdin", "loghub-2k") else {
        return;
    };
    let mut input = Vec::new();
    for system in ["Hadoop", "OpenSSH", "Zookeeper"] {
        input.extend(std::fs::read(dir.join(system).join(format!("{system}_2k.log"))).unwrap());
    }
    let mut child = Command::new(bin())
        .args(["parse", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    let recs: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // Hadoop has a few multi-line records; OpenSSH and Zookeeper none.
    assert!(recs.len() >= 5900, "{} records: {err}", recs.len());
    let max = recs.iter().map(|r| s(&r["message"]).len()).max().unwrap();
    assert!(max < 4096, "a record of {max} bytes: logs were glued ({err})");
    let sshd = recs.iter().filter(|r| s(&r["module"]) == "sshd").count();
    assert!(sshd >= 1900, "{sshd} OpenSSH records parsed as such");
    assert!(!err.contains("size cap"), "{err}");
}

#[test]
fn logs_dominated_by_stack_traces_keep_their_timestamps() {
    for name in [
        "traces/spring_5.log",
        "traces/spring_20.log",
        "traces/spring_60.log",
        "traces/spring_60_inside.log",
        "traces/python_30.log",
    ] {
        let (recs, err) = parse(&[&path(name)]);
        let errors: Vec<&Value> = recs.iter().filter(|r| s(&r["level"]) == "ERROR").collect();
        assert_eq!(errors.len(), 40, "{name}: {err}");
        assert!(errors.iter().all(|r| r["ts"].is_string()), "{name}");
        assert!(
            errors.iter().all(|r| s(&r["message"]).contains("\n")),
            "{name}: traces joined to their record"
        );
        let untimed = recs.iter().filter(|r| r["ts"].is_null()).count();
        let orphan = usize::from(name.contains("inside"));
        assert_eq!(untimed, orphan, "{name}: {err}");
    }
}

#[test]
fn nul_prefixes_are_skipped_and_counted() {
    let (recs, err) = parse(&[&path("encoding/copytruncate.log")]);
    assert_eq!(recs.len(), 100, "{err}");
    assert!(s(&recs[0]["message"]).ends_with("step 0"));
    assert!(err.contains("100064 NUL bytes skipped"), "{err}");
}

#[test]
fn utf16_files_with_a_bom_are_decoded() {
    for name in ["encoding/utf16le.log", "encoding/utf16be.log"] {
        let (recs, err) = parse(&[&path(name)]);
        assert_eq!(recs.len(), 30, "{name}: {err}");
        assert_eq!(s(&recs[29]["ts"]), "2015-10-18T18:00:29.029Z");
        assert!(s(&recs[29]["message"]).ends_with("step 29"), "{name}");
        assert!(err.contains("UTF-16"), "{err}");
    }
}

#[test]
fn impossible_timestamps_are_counted_and_take_the_previous_time() {
    let (recs, err) = parse(&[&path("dates/impossible.log")]);
    assert_eq!(recs.len(), 5, "{err}");
    for r in &recs[1..4] {
        assert_eq!(s(&r["ts"]), "2024-02-28T10:00:00Z", "{r}");
        assert_eq!(r["ts_inherited"], true);
    }
    assert!(err.contains("3 impossible timestamps"), "{err}");
    let (recs, err) = parse(&[&path("dates/epoch.json")]);
    assert_eq!(recs.len(), 3);
    assert_eq!(recs[1]["ts"], recs[0]["ts"], "not 1978: {err}");
    assert!(err.contains("1 impossible timestamps"), "{err}");
}

#[test]
fn year_less_dates_roll_over_and_never_land_after_the_file_time() {
    // The files' modification time: 2026-12-06T12:00:00Z.
    let (recs, _) = parse(&[&path("dates/rollover.log")]);
    let ts: Vec<&str> = recs.iter().map(|r| s(&r["ts"])).collect();
    assert_eq!(ts.first().copied(), Some("2025-06-09T06:00:20Z"));
    assert_eq!(ts.last().copied(), Some("2026-02-28T06:08:20Z"));
    assert!(ts.windows(2).all(|w| w[0] <= w[1]), "{ts:?}");
    let (recs, _) = parse(&[&path("dates/copied.log")]);
    let ts: Vec<&str> = recs.iter().map(|r| s(&r["ts"])).collect();
    assert_eq!(ts, ["2025-11-30T10:00:00Z", "2025-12-07T10:00:00Z"]);
}

#[test]
fn linux_full_is_dated_in_order_and_not_in_the_future() {
    // Real data we did not tune on: Jun 9 .. Feb 28 of the next year, no year given.
    let Some(log) = util::shared_or_skip(
        "hostile::linux_full_is_dated_in_order_and_not_in_the_future",
        "loghub-2.0-full/Linux/Linux_full.log",
    ) else {
        return;
    };
    let (recs, err) = parse(&[log.to_str().unwrap()]);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let year_now = 1970 + now / 31_556_952;
    let years: Vec<u64> = recs.iter().map(|r| s(&r["ts"])[..4].parse().unwrap()).collect();
    let (first, last) = (years[0], *years.last().unwrap());
    assert_eq!(last, first + 1, "one new year crossed: {first}..{last} ({err})");
    assert!(last <= year_now);
    // Months run forward apart from the one rollover (and a few out-of-order lines).
    let ooo: usize = err
        .split("; ")
        .find_map(|p| p.strip_suffix(" timestamps out of order"))
        .map_or(0, |n| n.parse().unwrap());
    assert!(ooo < recs.len() / 100, "{ooo} out of order: {err}");
}

#[test]
fn symlinks_loops_and_repeated_paths_are_read_once() {
    let dir = path("links");
    let app = path("links/app.log");
    let out = run_within(&["parse", &dir, &app], Duration::from_secs(30));
    let err = String::from_utf8_lossy(&out.stderr);
    let n = String::from_utf8_lossy(&out.stdout).lines().count();
    assert_eq!(n, 10, "{err}");
    assert!(err.contains("same file as an earlier input"), "{err}");
}

#[test]
fn truncated_zstd_keeps_the_records_decoded_before_the_cut() {
    let zst = corpus().join("zstd/cut.log.zst");
    if !zst.exists() {
        eprintln!(
            "SKIPPED truncated_zstd_keeps_the_records_decoded_before_the_cut: no `zstd` command to make the input"
        );
        assert!(std::env::var_os("CI").is_none(), "CI must have zstd");
        return;
    }
    let (recs, err) = parse(&[zst.to_str().unwrap()]);
    assert!(recs.len() > 2000, "{} records kept: {err}", recs.len());
    assert!(s(&recs[0]["message"]).starts_with("event 0 "));
    assert!(err.contains("zstd") && err.contains("offset"), "{err}");
    // The same cut in gzip, for comparison.
    let (gz, _) = parse(&[&path("zstd/cut.log.gz")]);
    assert!(!gz.is_empty());
}

#[test]
fn docker_klog_takes_the_runtime_time_and_log4j2_levels_are_read() {
    let (recs, _) = parse(&[&path("formats/docker_klog.log")]);
    assert_eq!(recs.len(), 20);
    assert_eq!(s(&recs[3]["ts"]), "2024-01-15T10:00:03.123499Z");
    let (recs, _) = parse(&[&path("formats/elasticsearch.log")]);
    let levels: Vec<&str> = recs.iter().map(|r| s(&r["level"])).collect();
    assert_eq!(levels, ["WARN", "INFO", "ERROR", "DEBUG"]);
    assert_eq!(s(&recs[1]["message"]), "started");
}

#[test]
fn a_fifo_inside_a_directory_is_skipped_not_waited_on() {
    let out = run_within(&["parse", &path("special")], Duration::from_secs(20));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 5, "{err}");
    assert!(err.contains("FIFO"), "{err}");
}

#[cfg(unix)]
#[test]
fn a_named_fifo_is_read_like_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("live.log");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let writer_path = fifo.clone();
    let writer = std::thread::spawn(move || {
        let mut f = std::fs::OpenOptions::new().write(true).open(writer_path).unwrap();
        f.write_all(b"2024-03-01 10:00:00.123 [main] INFO  com.example.App - from a pipe\n")
            .unwrap();
    });
    let (recs, err) = parse(&[fifo.to_str().unwrap()]);
    writer.join().unwrap();
    assert_eq!(recs.len(), 1, "{err}");
    assert_eq!(s(&recs[0]["message"]), "from a pipe");
}

#[test]
fn thread_counts_are_bounded() {
    let start = Instant::now();
    let out = run_within(
        &["parse", "-j", "5000", &path("threads/small.log")],
        Duration::from_secs(20),
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 50);
    assert!(err.contains("-j 5000 lowered to"), "{err}");
    assert!(start.elapsed() < Duration::from_secs(10), "{:?}", start.elapsed());
}
