//! `triage jvm threads`, `triage jvm gc` and `triage slowlog` on real files: the shared
//! scorer (`../shared/eval/diagnostics_eval.py`) on the development half of
//! `../shared/data/diagnostics` (thread dumps, GC logs and MySQL slow logs from public
//! projects' test data, with answer keys those projects assert), and the behaviour every
//! command owes its input (missing files, compression, hostile text, secrets).

mod util;

use std::io::Write;
use std::process::Command;

use util::run_triage;

/// Every development file passes: the scorer checks, per file, the numbers its answer
/// key names (threads per state, deadlocked threads, the most contended lock's owner and
/// waiters; GC pauses by type, total and longest; slow-log events, fingerprints and the
/// top three classes' counts and total times).
#[test]
fn every_development_file_passes_the_shared_scorer() {
    let Some(dir) = util::shared_or_skip(
        "diagnostics::every_development_file_passes_the_shared_scorer",
        "diagnostics",
    ) else {
        return;
    };
    let out = Command::new("python3")
        .arg(dir.join("../../eval/diagnostics_eval.py"))
        .arg(env!("CARGO_BIN_EXE_triage"))
        .arg(&dir)
        .arg("-v")
        .output()
        .expect("python3 runs the diagnostics scorer");
    let text = String::from_utf8_lossy(&out.stdout);
    let last = text.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("diagnostics: 33/33 files pass"),
        "{last}\n{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A file that is not there is an error naming it, with exit status 2; no report.
#[test]
fn a_missing_file_is_an_error_naming_it() {
    for command in [&["jvm", "threads"][..], &["jvm", "gc"], &["slowlog"]] {
        let mut args = command.to_vec();
        args.push("/nonexistent/dump.txt");
        let out = run_triage(&args);
        assert_eq!(out.status.code(), Some(2), "{command:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("/nonexistent/dump.txt"), "{command:?}: {err}");
        assert!(out.stdout.is_empty(), "{command:?}");
    }
}

/// A file of something else (here: an application log) is read to the end, reported as
/// such, and says how many lines it read; never a panic or an empty answer.
#[test]
fn a_file_of_another_kind_is_reported_not_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let mut f = std::fs::File::create(&path).unwrap();
    for i in 0..50 {
        writeln!(
            f,
            "2024-05-01 10:00:{:02} INFO [main] c.e.App - request {i} done",
            i % 60
        )
        .unwrap();
    }
    drop(f);
    for command in [&["jvm", "threads"][..], &["jvm", "gc"], &["slowlog"]] {
        let mut args = command.to_vec();
        args.extend([path.to_str().unwrap(), "--format", "json"]);
        let out = run_triage(&args);
        assert!(
            out.status.success(),
            "{command:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        assert_eq!(report["input"]["lines"], 50, "{command:?}");
    }
    // The verdict says the file is not of the kind (regression: `slowlog` ranked the
    // log's lines as a query class taking 0 % of 0 s).
    for (command, verdict) in [
        (&["jvm", "threads"][..], "No thread dump found"),
        (&["jvm", "gc"], "Nothing in this file looks like a JVM GC log"),
        (&["slowlog"], "does not look like a slow-query log"),
    ] {
        let mut args = command.to_vec();
        args.push(path.to_str().unwrap());
        let out = run_triage(&args);
        let md = String::from_utf8_lossy(&out.stdout);
        assert!(md.contains(verdict), "{command:?}: {md}");
    }
}

/// The repository root, so that reports name example files by a relative path and the
/// goldens do not depend on where the checkout lives.
fn repo_root() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `triage <command> examples/diagnostics/<file> <extra>`, run from the repository root;
/// stdout as text.
fn example(command: &[&str], file: &str, extra: &[&str]) -> String {
    let path = format!("examples/diagnostics/{file}");
    let out = util::triage()
        .current_dir(repo_root())
        .args(command)
        .arg(&path)
        .args(extra)
        .output()
        .expect("run triage");
    assert!(
        out.status.success(),
        "{command:?} {path}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 report")
}

fn example_json(command: &[&str], file: &str) -> serde_json::Value {
    serde_json::from_str(&example(command, file, &["--format", "json"])).expect("JSON report")
}

/// The answers in `examples/diagnostics/README.md` for the thread dump: ten request
/// threads blocked on the monitor an exporter holds, the idle pool parked on its queue
/// not counted as contention, the log lines around the dump counted as skipped.
#[test]
fn the_example_thread_dump_names_the_contended_lock_and_its_owner() {
    let report = example_json(&["jvm", "threads"], "jstack-contention.log");
    let dump = &report["facts"]["dumps"][0];
    assert_eq!(report["facts"]["dump_count"], 1);
    assert_eq!(
        (dump["threads"].as_u64(), dump["java_threads"].as_u64()),
        (Some(20), Some(17))
    );
    let states = &dump["states"];
    assert_eq!(
        [
            &states["RUNNABLE"],
            &states["BLOCKED"],
            &states["WAITING"],
            &states["TIMED_WAITING"]
        ],
        [2, 10, 4, 1]
    );
    assert_eq!(dump["jvm_reported_deadlocks"], 0);
    let lock = &dump["contended_locks"][0];
    assert_eq!(lock["address"], "0x00000000d3e4f5a8");
    assert_eq!(lock["class"], "com.example.export.ReportCache");
    assert_eq!(lock["waiters"], 10);
    assert_eq!(lock["owners"], serde_json::json!(["http-nio-8080-exec-3"]));
    assert_eq!(dump["contended_locks"].as_array().map(Vec::len), Some(1), "{dump}");
    let skipped = report["input"]["skipped"].to_string();
    assert!(skipped.contains("not part of a thread dump"), "{skipped}");
}

/// The GC log's answers: pauses by type, the total and the longest; `[gc,start]`,
/// `[gc,phases]` and `[safepoint]` lines are not pauses.
#[test]
fn the_example_gc_log_counts_stop_the_world_pauses_by_type() {
    let facts = &example_json(&["jvm", "gc"], "gc-g1-full.log")["facts"];
    assert_eq!(facts["collector"], "G1");
    assert_eq!(facts["format"], "unified");
    assert_eq!(facts["pauses"], 68);
    let by_type = &facts["pauses_by_type"];
    assert_eq!(
        [
            &by_type["young"],
            &by_type["mixed"],
            &by_type["full"],
            &by_type["other"]
        ],
        [63, 0, 1, 4]
    );
    let close = |v: &serde_json::Value, want: f64| (v.as_f64().unwrap_or(f64::NAN) - want).abs() < 1e-6;
    assert!(close(&facts["total_pause_s"], 4.108888), "{}", facts["total_pause_s"]);
    assert!(close(&facts["max_pause_s"], 2.412808), "{}", facts["max_pause_s"]);
    assert_eq!(facts["max_pause_type"], "full");
}

/// The slow log's answers, which pt-query-digest gives too: 300 queries in 5 classes,
/// the 10,000-id IN lists first by total time.
#[test]
fn the_example_slow_log_ranks_the_in_list_class_first() {
    let facts = &example_json(&["slowlog"], "mysql-slow.log")["facts"];
    assert_eq!(
        (facts["queries"].as_u64(), facts["fingerprints"].as_u64()),
        (Some(300), Some(5))
    );
    let top = &facts["classes"][0];
    assert_eq!(
        top["fingerprint"],
        "select id, order_id, sku, qty, price from order_item where order_id in(?+)"
    );
    assert_eq!(top["checksum"], "4150DD2AAE271A8ED0DB87FD90F436D4");
    assert_eq!(top["count"], 17);
    assert!(
        (top["query_time_sum_s"].as_f64().unwrap() - 222.597401).abs() < 1e-6,
        "{top}"
    );
    assert!(
        (top["query_time_max_s"].as_f64().unwrap() - 15.393391).abs() < 1e-6,
        "{top}"
    );
}

/// Text from the file is hostile: a thread name with a terminal escape, Markdown table
/// syntax and an API key; a query with a password hash and an e-mail address. Every
/// format escapes the escape and masks the secrets; `--no-redact` shows them.
#[test]
fn hostile_text_is_escaped_and_secrets_masked_in_every_format() {
    for format in ["md", "json", "html"] {
        let threads = example(&["jvm", "threads"], "jstack-contention.log", &["--format", format]);
        assert!(!threads.contains('\u{1b}'), "{format}: a raw escape");
        assert!(
            !threads.contains("sk_live_51HqLyjWDarjtT1zdp7dcXYZ"),
            "{format}: the API key"
        );
        assert!(
            threads.contains("<secret:") || threads.contains("&lt;secret:"),
            "{format}"
        );
        let slow = example(&["slowlog"], "mysql-slow.log", &["--format", format]);
        assert!(!slow.contains("sk_live_51HqLyjWDarjtT1zdp7dcXYZ"), "{format}: the hash");
        assert!(!slow.contains("@example.com"), "{format}: an e-mail address");
    }
    let md = example(&["jvm", "threads"], "jstack-contention.log", &["--format", "md"]);
    assert!(
        md.contains("job \\|evil\\| \\\\x1b[31mred"),
        "the table cell escapes | and shows the escape"
    );
    let clear = example(&["slowlog"], "mysql-slow.log", &["--format", "md", "--no-redact"]);
    assert!(
        clear.contains("sk_live_51HqLyjWDarjtT1zdp7dcXYZ"),
        "--no-redact shows it"
    );
}

/// gzip is recognised by its magic bytes, as for logs: the same facts as the plain file.
#[test]
fn a_gzipped_file_gives_the_same_facts() {
    let dir = tempfile::tempdir().unwrap();
    let plain = repo_root().join("examples/diagnostics/gc-g1-full.log");
    let packed = dir.path().join("gc.log.1");
    let mut encoder =
        flate2::write::GzEncoder::new(std::fs::File::create(&packed).unwrap(), flate2::Compression::default());
    encoder.write_all(&std::fs::read(&plain).unwrap()).unwrap();
    encoder.finish().unwrap();
    let run = |path: &std::path::Path| -> serde_json::Value {
        let out = run_triage(&["jvm", "gc", path.to_str().unwrap(), "--format", "json"]);
        assert!(out.status.success());
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let (a, b) = (run(&plain), run(&packed));
    assert_eq!(a["facts"], b["facts"]);
    assert_eq!(b["input"]["compression"], "gzip");
}

/// Goldens of the three Markdown reports on the examples: what a reader sees, pinned.
#[test]
fn example_reports_markdown_golden() {
    insta::assert_snapshot!(
        "jvm_threads_example_md",
        example(&["jvm", "threads"], "jstack-contention.log", &["--format", "md"])
    );
    insta::assert_snapshot!(
        "jvm_gc_example_md",
        example(&["jvm", "gc"], "gc-g1-full.log", &["--format", "md", "--top", "5"])
    );
    insta::assert_snapshot!(
        "slowlog_example_md",
        example(&["slowlog"], "mysql-slow.log", &["--format", "md"])
    );
}
