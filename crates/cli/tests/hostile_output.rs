//! Log lines attack the reader: terminal escapes, markup and secrets written into a log
//! (attack traffic is logged verbatim) must reach no output of any command raw, and
//! credentials in a URL given on the command line are never echoed. The input is
//! generated here: a Java-style log of a login storm whose lines carry all of it.

mod util;

use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

use util::triage;

const JWT: &str = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N";
/// Clear screen, an OSC-8 hyperlink, an OSC-0 window title, BEL.
const ESCAPES: &str = "\x1b[2J\x1b]8;;http://evil.example/\x07click\x1b]8;;\x07\x1b]0;pwned\x07";
/// What must not appear in any masked output.
const SECRETS: [&str; 8] = [
    "hunter2",
    JWT,
    "AKIAIOSFODNN7EXAMPLE",
    "4111 1111 1111 1111",
    "s3cr3tpw",
    "jane.doe@example.com",
    "13812345678",
    "dozjgNryP4J3jVmNHl0w5N",
];

/// A directory with one log (its file name carries a terminal title escape): a quiet
/// baseline, then a burst of failed logins whose lines carry escapes, markup and secrets.
fn hostile_logs() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::new();
    for i in 0..600u32 {
        let (m, s) = (i / 20, i % 20 * 3);
        text.push_str(&format!(
            "2024-11-12 14:{m:02}:{s:02},100 INFO  [db-pool] connect postgres://app:s3cr3tpw@db.internal:5432/orders ok, notify jane.doe@example.com sms 13812345678\n"
        ));
        if i >= 500 {
            text.push_str(&format!(
                "2024-11-12 14:{m:02}:{s:02},200 ERROR [auth] login failed user=bob password=hunter2 {ESCAPES} <img src=x onerror=alert(1)> Authorization: Bearer {JWT} key AKIAIOSFODNN7EXAMPLE card 4111 1111 1111 1111\n"
            ));
        }
    }
    let path = dir.path().join("app\x1b]0;title\x07.log");
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

fn run(args: &[&str], path: &Path) -> Output {
    triage()
        .args(args)
        .arg(path)
        .stdin(Stdio::null())
        .output()
        .expect("run triage")
}

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn assert_clean(what: &str, text: &str) {
    for bad in ['\x1b', '\x07'] {
        assert!(!text.contains(bad), "{what}: raw {bad:?} in\n{text}");
    }
}

fn assert_masked(what: &str, text: &str) {
    for secret in SECRETS {
        assert!(!text.contains(secret), "{what}: {secret} leaked in\n{text}");
    }
}

#[test]
fn analyze_outputs_are_escaped_and_masked() {
    let (_dir, path) = hostile_logs();
    let window = ["--from", "2024-11-12 14:25", "--to", "2024-11-12 14:30"];
    for format in ["summary", "md", "html", "json"] {
        let mut args = vec!["analyze", "--format", format];
        args.extend(window);
        let out = run(&args, &path);
        let (stdout, stderr) = text(&out);
        assert!(out.status.success(), "{format}: {stderr}");
        assert_masked(format, &stdout);
        assert_clean(format, &stderr);
        if format == "json" {
            // Lossless with standard escapes: the escape is there, as \u001b.
            assert!(stdout.contains("\\u001b[2J"), "{stdout}");
            assert!(!stdout.contains('\x1b'));
        } else {
            assert_clean(format, &stdout);
        }
        if format == "md" || format == "html" {
            assert!(stdout.contains("x1b[2J"), "{format}: the escape is shown");
        }
        if format == "md" {
            // Free text escapes markup (inside code spans and blocks it is inert).
            assert!(stdout.contains("\\<img src=x"), "{stdout}");
        }
        if format == "html" {
            assert!(!stdout.contains("<img"), "{stdout}");
        }
    }
    // The opt-out shows what was logged (still with control characters made visible).
    let mut args = vec!["analyze", "--format", "md", "--no-redact"];
    args.extend(window);
    let (stdout, _) = text(&run(&args, &path));
    assert!(stdout.contains("hunter2"), "--no-redact keeps the values");
    assert_clean("md --no-redact", &stdout);
}

#[test]
fn templates_and_parse_are_escaped_and_masked() {
    let (_dir, path) = hostile_logs();
    for format in ["table", "jsonl", "csv"] {
        let out = run(&["templates", "--format", format], &path);
        let (stdout, stderr) = text(&out);
        assert!(out.status.success(), "{stderr}");
        assert_masked(format, &stdout);
        if format == "table" {
            assert_clean(format, &stdout);
            assert!(stdout.contains("<secret:password>"), "{stdout}");
        }
    }
    let out = run(&["parse"], &path);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert_masked("parse", &stdout);
    assert_clean("parse", &stdout);
    for kind in ["password", "jwt", "aws-key", "card", "email", "phone"] {
        assert!(stdout.contains(&format!("<secret:{kind}>")), "{kind} keeps its kind");
    }
    // Ids and timestamps are not secrets.
    assert!(stdout.contains("\"ts\":\"2024-11-12T14:29:57.200Z\""));
    let raw = text(&run(&["parse", "--no-redact"], &path)).0;
    assert!(raw.contains("password=hunter2"));
}

#[test]
fn file_names_on_stderr_are_escaped() {
    let (dir, _path) = hostile_logs();
    // A file that cannot be read is reported by name.
    let bad = dir.path().join("bin\x1b]0;x\x07.log");
    std::fs::write(&bad, [0u8, 159, 146, 150, 0, 0, 1, 2].repeat(4096)).unwrap();
    let out = triage()
        .args(["parse", "--max-line-bytes", "4096"])
        .arg(&bad)
        .arg(dir.path().join("missing\x1b[2J.log"))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let (_, stderr) = text(&out);
    assert!(stderr.contains("missing\\x1b[2J.log"), "{stderr}");
    assert_clean("stderr", &stderr);
}

#[test]
fn metrics_url_credentials_are_never_echoed() {
    let (_dir, path) = hostile_logs();
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://admin:secretpw@127.0.0.1:{closed}");
    let out = run(
        &[
            "analyze",
            "--metrics",
            &url,
            "--metrics-timeout",
            "1s",
            "--format",
            "json",
        ],
        &path,
    );
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(
        !stdout.contains("secretpw") && !stderr.contains("secretpw"),
        "{stderr}\n{stdout}"
    );
    assert!(
        stderr.contains(&format!("http://127.0.0.1:{closed}")),
        "the server is still named: {stderr}"
    );
}

#[test]
fn the_summary_is_printed_whatever_stdout_is() {
    let (_dir, path) = hostile_logs();
    let out = run(&["analyze", "-q"], &path);
    let (stdout, _) = text(&out);
    assert!(stdout.starts_with("Triage: "), "{stdout}");
    assert!(stdout.lines().count() <= 30, "{} lines", stdout.lines().count());
    // An explicit --format md still gives Markdown.
    let (md, _) = text(&run(&["analyze", "-q", "--format", "md"], &path));
    assert!(md.starts_with("# "), "{md}");
}
