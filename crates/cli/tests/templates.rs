//! `triage templates`: accuracy on Loghub with the shared evaluator, determinism across
//! thread counts, and the output formats.

//! `triage templates`: accuracy on Loghub with the shared evaluator, determinism across
//! thread counts, chunk sizes and input forms, and the output formats.
//!
//! The accuracy floors are per system, for GA and PA, at the value measured when they were
//! last raised minus [`MARGIN`]: an average over 16 systems hides one system collapsing.
//! Raise them whenever the code improves (`cargo test --release -p triage --test templates
//! -- --nocapture` prints today's figures).

mod util;

use std::io::Write;
use std::process::{Command, Stdio};

use util::{run_triage, shared_or_skip, triage};

/// Allowed drop below the recorded figure (the evaluator prints three decimals; one
/// system's 2,000 lines make 0.0005 per line, so this is about ten lines).
const MARGIN: f64 = 0.005;

/// (system, GA, PA) measured on 2026-12-07 with `--mode format` (Loghub's log_format given).
const FORMAT_2K: [(&str, f64, f64); 16] = [
    ("Android", 0.952, 0.791),
    ("Apache", 1.000, 1.000),
    ("BGL", 0.989, 0.992),
    ("HDFS", 0.998, 0.941),
    ("HPC", 0.880, 0.882),
    ("Hadoop", 0.989, 0.908),
    ("HealthApp", 1.000, 0.874),
    ("Linux", 0.872, 0.911),
    ("Mac", 0.958, 0.662),
    ("OpenSSH", 0.999, 0.994),
    ("OpenStack", 1.000, 0.483),
    ("Proxifier", 0.526, 0.526),
    ("Spark", 1.000, 0.997),
    ("Thunderbird", 0.966, 0.898),
    ("Windows", 0.996, 0.980),
    ("Zookeeper", 0.986, 0.985),
];

/// The same with `--mode auto` (no hint: Triage finds the message itself).
const AUTO_2K: [(&str, f64, f64); 16] = [
    ("Android", 0.952, 0.791),
    ("Apache", 1.000, 1.000),
    ("BGL", 0.989, 0.992),
    ("HDFS", 0.998, 0.941),
    ("HPC", 0.880, 0.882),
    ("Hadoop", 0.989, 0.908),
    ("HealthApp", 1.000, 0.874),
    ("Linux", 0.872, 0.911),
    ("Mac", 0.958, 0.660),
    ("OpenSSH", 0.999, 0.994),
    ("OpenStack", 1.000, 0.483),
    ("Proxifier", 0.526, 0.526),
    ("Spark", 1.000, 0.997),
    ("Thunderbird", 0.966, 0.897),
    ("Windows", 0.996, 0.980),
    ("Zookeeper", 0.986, 0.985),
];

/// Loghub-2.0 full logs, `--mode auto`.
const AUTO_FULL: [(&str, f64, f64); 2] = [("Linux", 0.965, 0.865), ("Proxifier", 0.989, 1.000)];

/// Runs `../shared/eval/loghub_eval.py` and returns its output, or None (the test is
/// skipped) when the shared data is missing.
fn loghub_eval(test: &str, args: &[&str]) -> Option<String> {
    let eval = shared_or_skip(test, "../eval/loghub_eval.py")?;
    shared_or_skip(test, "loghub-2k")?;
    let out = Command::new("python3")
        .arg(&eval)
        .arg(env!("CARGO_BIN_EXE_triage"))
        .args(args)
        .output()
        .expect("python3 runs the Loghub evaluator");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "loghub_eval.py failed:\n{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(text)
}

/// Per-system (GA, PA) from the evaluator's lines `System GA=0.xxx PA=0.xxx …`.
fn per_system(text: &str, system: &str) -> Option<(f64, f64)> {
    let line = text.lines().find(|l| l.split_whitespace().next() == Some(system))?;
    let field =
        |name: &str| -> Option<f64> { line.split_whitespace().find_map(|w| w.strip_prefix(name))?.parse().ok() };
    Some((field("GA=")?, field("PA=")?))
}

/// Every system at or above its floor; all shortfalls reported together.
fn check_floors(text: &str, floors: &[(&str, f64, f64)]) {
    eprintln!("{text}");
    let mut fails = Vec::new();
    for &(system, ga_floor, pa_floor) in floors {
        match per_system(text, system) {
            None => fails.push(format!("{system}: no GA/PA line (evaluator error?)")),
            Some((ga, pa)) => {
                if ga < ga_floor - MARGIN {
                    fails.push(format!("{system}: GA {ga:.3} < floor {ga_floor:.3} − {MARGIN}"));
                }
                if pa < pa_floor - MARGIN {
                    fails.push(format!("{system}: PA {pa:.3} < floor {pa_floor:.3} − {MARGIN}"));
                }
            }
        }
    }
    assert!(
        fails.is_empty(),
        "below the per-system floors:\n{}\n\n{text}",
        fails.join("\n")
    );
}

/// Issue 18's bar for the 2k set: the mean over the 15 systems other than Proxifier
/// (whose 2k labels contradict Loghub-2.0's, see docs/template-labels.md).
const MEAN_2K: (f64, f64) = (0.965, 0.85);

/// The mean GA and PA over every system of `floors` but Proxifier, held to [`MEAN_2K`].
fn check_mean(text: &str, floors: &[(&str, f64, f64)]) {
    let figures: Vec<(f64, f64)> = floors
        .iter()
        .filter(|f| f.0 != "Proxifier")
        .map(|f| per_system(text, f.0).unwrap_or((0.0, 0.0)))
        .collect();
    let n = figures.len() as f64;
    let ga = figures.iter().map(|f| f.0).sum::<f64>() / n;
    let pa = figures.iter().map(|f| f.1).sum::<f64>() / n;
    eprintln!("mean over {n} systems without Proxifier: GA={ga:.4} PA={pa:.4}");
    assert!(
        ga >= MEAN_2K.0 && pa >= MEAN_2K.1,
        "mean GA {ga:.4} / PA {pa:.4} below {MEAN_2K:?}"
    );
}

#[test]
fn loghub_2k_with_line_format_meets_the_floors() {
    let Some(text) = loghub_eval(
        "templates::loghub_2k_with_line_format_meets_the_floors",
        &["--mode", "format"],
    ) else {
        return;
    };
    check_floors(&text, &FORMAT_2K);
    check_mean(&text, &FORMAT_2K);
}

#[test]
fn loghub_2k_auto_detected_meets_the_floors() {
    let Some(text) = loghub_eval(
        "templates::loghub_2k_auto_detected_meets_the_floors",
        &["--mode", "auto"],
    ) else {
        return;
    };
    check_floors(&text, &AUTO_2K);
    check_mean(&text, &AUTO_2K);
}

#[test]
fn loghub_2_full_linux_and_proxifier_meet_the_floors() {
    let test = "templates::loghub_2_full_linux_and_proxifier_meet_the_floors";
    if shared_or_skip(test, "loghub-2.0-full").is_none() {
        return;
    }
    let Some(text) = loghub_eval(test, &["--set", "full", "--mode", "auto"]) else {
        return;
    };
    check_floors(&text, &AUTO_FULL);
}

/// `(line, template_id, template)` of every record of a `templates --format jsonl` run.
fn jsonl_templates(stdout: &[u8]) -> Vec<(u64, String, String)> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("jsonl row");
            (
                v["line"].as_u64().expect("line"),
                v["template_id"].as_str().expect("template_id").to_string(),
                v["template"].as_str().expect("template").to_string(),
            )
        })
        .collect()
}

/// Templates must not depend on how the input is cut into chunks or spread over threads.
/// Chunk sizes follow the input form: a plain file of known size is cut into about
/// sixteen chunks (256 KiB for this 2 MB log), a gzip file or stdin into 1 MiB chunks;
/// `-j1`/`-j2` change which worker masks which chunk. All five runs must agree line
/// for line, and so must the JSON report of `analyze` with one and two threads.
#[test]
fn results_do_not_depend_on_thread_count_or_chunking() {
    let test = "templates::results_do_not_depend_on_thread_count_or_chunking";
    let Some(log) = shared_or_skip(test, "loghub-2.0-full/Linux/Linux_full.log") else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let plain = std::fs::read(&log).expect("read Linux_full.log");
    assert!(plain.len() > 2 * 256 * 1024, "the log must span several chunks");
    let gz = dir.path().join("Linux_full.log.gz");
    let mut enc = flate2::write::GzEncoder::new(std::fs::File::create(&gz).unwrap(), flate2::Compression::fast());
    enc.write_all(&plain).unwrap();
    enc.finish().unwrap();

    let run = |threads: &str, path: &str, stdin: Option<&[u8]>| -> Vec<u8> {
        let mut cmd = triage();
        cmd.args(["templates", "--format", "jsonl", "-q", "-j", threads, path])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() });
        let mut child = cmd.spawn().expect("run triage");
        if let Some(bytes) = stdin {
            let mut pipe = child.stdin.take().unwrap();
            let bytes = bytes.to_vec();
            // Written on a thread: the child's stdout must be drained meanwhile.
            std::thread::spawn(move || pipe.write_all(&bytes).unwrap());
        }
        let out = child.wait_with_output().expect("triage output");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        out.stdout
    };
    let log = log.to_str().unwrap();
    let one = jsonl_templates(&run("1", log, None));
    assert_eq!(one.len(), 23_921, "one row per record of Linux_full.log");
    for (what, other) in [
        ("-j2", run("2", log, None)),
        (".gz -j2", run("2", gz.to_str().unwrap(), None)),
        ("stdin -j1", run("1", "-", Some(&plain))),
        ("stdin -j2", run("2", "-", Some(&plain))),
    ] {
        let other = jsonl_templates(&other);
        assert_eq!(one.len(), other.len(), "{what}: row count");
        if let Some(i) = (0..one.len()).find(|&i| one[i] != other[i]) {
            panic!(
                "{what} differs from the plain -j1 run at row {i}: {:?} vs {:?}",
                one[i], other[i]
            );
        }
    }

    let analyze = |threads: &str| -> serde_json::Value {
        let out_path = dir.path().join(format!("report-j{threads}.json"));
        let out = run_triage(&[
            "analyze",
            "-q",
            "-j",
            threads,
            "--last",
            "30d",
            "--format",
            "json",
            "-o",
            out_path.to_str().unwrap(),
            log,
        ]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_str(&std::fs::read_to_string(&out_path).unwrap()).expect("report JSON")
    };
    let (a, b) = (analyze("1"), analyze("2"));
    assert!(
        a["problems"].as_array().is_some_and(|p| p.len() >= 5),
        "the 30-day window must hold a real report to compare"
    );
    assert!(a == b, "analyze's JSON report differs between -j1 and -j2");
}

#[test]
fn jsonl_csv_and_table_outputs() {
    let Some(log) = shared_or_skip("templates::jsonl_csv_and_table_outputs", "loghub-2k/HDFS/HDFS_2k.log") else {
        return;
    };
    let log = log.to_str().unwrap();
    let out = run_triage(&["templates", "--format", "jsonl", "-q", log]);
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2000);
    assert_eq!(lines[0]["line"], 1);
    assert_eq!(lines[0]["template"], "PacketResponder <num> for block <id> terminating");
    // FNV-1a of the text, computed independently (Python): ids never change.
    assert_eq!(lines[0]["template_id"], "e215a9ccfc5b7916");
    // Stable ids: the same template text always has the same id.
    let again = run_triage(&["templates", "--format", "jsonl", "-q", log]);
    assert_eq!(out.stdout, again.stdout);

    let csv = run_triage(&["templates", "--format", "csv", "-q", log]);
    let text = String::from_utf8_lossy(&csv.stdout);
    assert!(text.starts_with("source,line,template_id,template\n"));
    assert_eq!(text.lines().count(), 2001);

    let table = run_triage(&["templates", "--format", "table", "-q", log]);
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(
        text.lines().next().unwrap().ends_with("templates over 2000 records"),
        "{text}"
    );
    assert!(text.contains("levels: INFO:"));
}
