//! The HTML report in a real browser: generates the `big_key` scenario
//! (`tests/scenarios/generate.py`, seed 1, variant a: three services, host metrics, a
//! change ledger), runs `triage analyze … --format html -o report.html`, and renders the
//! file in headless Chromium:
//!
//! - `--dump-dom`: the rendered DOM holds the charts (SVG, with their ids), the problems,
//!   the root causes and the timeline, and every in-page link has its target;
//! - `--enable-logging=stderr`: the page writes nothing to the console (no script error,
//!   no Content-Security-Policy violation). The same check runs first on a page with a
//!   deliberate error, so a check that cannot fail fails the test;
//! - `--screenshot`: `target/browser/report.png` (1280×2400), kept as an artifact.
//!
//! Skips when no Chromium is installed (`scripts/ensure-chromium.sh` installs it), unless
//! the `CI` variable is set: then a missing browser fails. `TRIAGE_CHROMIUM=PATH` picks
//! the browser binary.

mod util;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The first Chromium start on a fresh machine builds its font cache: allow for it.
const BROWSER_LIMIT: Duration = Duration::from_secs(180);
const REPORT_LIMIT: usize = 2_000_000;

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `target/` of this build (CARGO_TARGET_DIR, else three levels above the test binary).
fn target_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(dir);
    }
    let exe = std::env::current_exe().expect("test binary path");
    exe.ancestors()
        .nth(3)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| repo_root().join("target"))
}

fn find_chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("TRIAGE_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    for name in ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"] {
        for dir in std::env::split_paths(&path) {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

/// Runs a command to completion or kills it after `limit`.
fn run_limited(mut cmd: Command, limit: Duration, what: &str) -> Output {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {what}: {e}"));
    // Drain both pipes on threads so a chatty browser cannot block on a full pipe.
    let mut stdout = child.stdout.take().expect("stdout");
    let mut stderr = child.stderr.take().expect("stderr");
    let out_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut stdout, &mut buf).ok();
        buf
    });
    let err_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut stderr, &mut buf).ok();
        buf
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what} ran past {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    Output {
        status,
        stdout: out_reader.join().unwrap_or_default(),
        stderr: err_reader.join().unwrap_or_default(),
    }
}

struct Browser {
    bin: PathBuf,
    scratch: tempfile::TempDir,
    runs: usize,
}

impl Browser {
    /// Headless, offline, a fresh profile per run, console messages on stderr.
    fn run(&mut self, page: &Path, args: &[&str]) -> Output {
        self.runs += 1;
        let profile = self.scratch.path().join(format!("profile-{}", self.runs));
        let mut cmd = Command::new(&self.bin);
        cmd.args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
        ])
        .args([
            "--no-default-browser-check",
            "--disable-extensions",
            "--disable-background-networking",
            "--hide-scrollbars",
        ])
        .args(["--enable-logging=stderr", "--v=0"])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(format!("file://{}", page.canonicalize().expect("page path").display()));
        let out = run_limited(cmd, BROWSER_LIMIT, "chromium");
        assert!(
            out.status.success(),
            "chromium {args:?} exited with {}:\n{}",
            out.status,
            tail(&out.stderr)
        );
        out
    }
}

fn tail(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(30)..].join("\n")
}

/// What the page wrote to the console: Chromium logs each message as
/// `…:INFO:CONSOLE:<line>] "message", source: URL (line)`.
fn console_messages(stderr: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(stderr)
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(str::to_string)
        .collect()
}

/// Values of an attribute across the DOM (`id="…"`).
fn attribute_values<'a>(dom: &'a str, attribute: &str) -> Vec<&'a str> {
    let needle = format!(" {attribute}=\"");
    dom.match_indices(&needle)
        .filter_map(|(at, _)| {
            let rest = &dom[at + needle.len()..];
            rest.find('"').map(|end| &rest[..end])
        })
        .collect()
}

fn generate_big_key(dir: &Path) -> (PathBuf, Vec<String>) {
    let gen = Command::new("python3")
        .arg(repo_root().join("tests/scenarios/generate.py"))
        .arg(dir)
        .args(["--seed", "1", "--only", "big_key"])
        .stdin(Stdio::null())
        .output()
        .expect("python3 runs tests/scenarios/generate.py");
    assert!(
        gen.status.success(),
        "generate.py failed:\n{}",
        String::from_utf8_lossy(&gen.stderr)
    );
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("generated folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("truth.json").is_file())
        .collect();
    dirs.sort();
    let scenario = dirs.into_iter().next().expect("a big_key scenario");
    let truth: Value = serde_json::from_str(&std::fs::read_to_string(scenario.join("truth.json")).unwrap()).unwrap();
    let args = truth["args"]
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_str().map(String::from)).collect())
        .unwrap_or_default();
    (scenario, args)
}

#[test]
fn html_report_renders_in_chromium() {
    let Some(bin) = find_chromium() else {
        // One SKIP line (a failure when CI is set).
        util::skip(
            "browser::html_report_renders_in_chromium",
            "chromium not found (scripts/ensure-chromium.sh installs it, or set TRIAGE_CHROMIUM)",
        );
        return;
    };
    let work = tempfile::Builder::new()
        .prefix("triage-browser-")
        .tempdir()
        .expect("temp dir");
    let mut browser = Browser {
        bin,
        scratch: tempfile::tempdir().expect("temp dir"),
        runs: 0,
    };

    // The console check must be able to fail: a page with a deliberate error trips it.
    let control = work.path().join("control.html");
    std::fs::write(
        &control,
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>control</title></head><body><p id=\"control\">x</p>\
         <script>console.error(\"deliberate console error\"); throw new Error(\"deliberate uncaught error\");</script></body></html>",
    )
    .unwrap();
    let out = browser.run(&control, &["--dump-dom"]);
    let messages = console_messages(&out.stderr);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("id=\"control\""),
        "control page not rendered"
    );
    assert!(
        messages.iter().any(|m| m.contains("deliberate console error"))
            && messages.iter().any(|m| m.contains("Uncaught Error: deliberate")),
        "the console check does not see a deliberate error; chromium stderr:\n{}",
        tail(&out.stderr)
    );

    // The report of a generated incident.
    let (scenario, args) = generate_big_key(&work.path().join("scenarios"));
    let html_path = work.path().join("report.html");
    let mut cmd = util::triage();
    cmd.arg("analyze")
        .arg(scenario.join("logs"))
        .arg("--metrics")
        .arg(scenario.join("metrics.csv"))
        .arg("--changes")
        .arg(scenario.join("changes.jsonl"))
        .args(["--format", "html", "-o"])
        .arg(&html_path)
        .args(&args);
    let out = run_limited(cmd, Duration::from_secs(60), "triage analyze");
    assert!(out.status.success(), "triage analyze failed: {}", tail(&out.stderr));
    let html = std::fs::read_to_string(&html_path).expect("report.html written");
    assert!(
        html.len() < REPORT_LIMIT,
        "report.html is {} bytes (limit {REPORT_LIMIT})",
        html.len()
    );
    eprintln!("report.html: {} bytes", html.len());

    let out = browser.run(&html_path, &["--dump-dom"]);
    let messages = console_messages(&out.stderr);
    assert!(
        messages.is_empty(),
        "the report wrote to the browser console:\n{}",
        messages.join("\n")
    );
    let dom = String::from_utf8_lossy(&out.stdout).to_string();
    let ids = attribute_values(&dom, "id");
    for id in [
        "summary",
        "charts",
        "chart-volume",
        "chart-templates",
        "chart-modules",
        "problems",
        "root-causes",
        "metrics",
        "timeline",
        "chart-timeline",
    ] {
        assert!(ids.contains(&id), "no element with id {id} in the rendered DOM");
    }
    for chart in ["chart-volume", "chart-templates", "chart-modules", "chart-timeline"] {
        let at = dom.find(&format!("id=\"{chart}\"")).unwrap();
        let figure = &dom[at..at + dom[at..].find("</figure>").expect("figure closes")];
        assert!(figure.contains("<svg class=\"chart\""), "{chart} has no SVG");
        assert!(
            figure.contains("<path") || figure.contains("<rect") || figure.contains("<circle"),
            "{chart} draws nothing"
        );
    }
    assert!(
        ids.iter().any(|id| id.starts_with("chart-metric-")),
        "no host metric chart"
    );
    assert!(
        dom.matches("<svg class=\"spark\"").count() >= 2,
        "host metric sparklines missing"
    );
    assert!(ids.iter().any(|id| id.starts_with("problem-")), "no problem anchors");
    assert!(dom.contains("<h3>#1 "), "no ranked root cause");
    assert!(dom.contains("<details"), "no foldable samples or evidence");
    assert!(
        dom.contains("<g class=\"marker\"><title>C"),
        "no change marker on the volume chart"
    );
    // Every in-page link lands somewhere.
    for href in attribute_values(&dom, "href") {
        let target = href
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("link leaves the page: {href}"));
        assert!(ids.contains(&target), "link #{target} has no target");
    }

    // The screenshot, for people (and for the README's picture).
    let shots = target_dir().join("browser");
    std::fs::create_dir_all(&shots).expect("target/browser");
    let png = shots.join("report.png");
    let _ = std::fs::remove_file(&png);
    let out = browser.run(
        &html_path,
        &[&format!("--screenshot={}", png.display()), "--window-size=1280,2400"],
    );
    let messages = console_messages(&out.stderr);
    assert!(
        messages.is_empty(),
        "console output while taking the screenshot:\n{}",
        messages.join("\n")
    );
    let bytes = std::fs::read(&png).unwrap_or_else(|e| panic!("no screenshot at {}: {e}", png.display()));
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "screenshot is not a PNG");
    // 1280×2400 of charts and text: a blank page compresses to a few kilobytes.
    assert!(bytes.len() > 50_000, "screenshot looks blank ({} bytes)", bytes.len());
    std::fs::copy(&html_path, shots.join("report.html")).expect("keep report.html beside the screenshot");
    eprintln!("screenshot: {}", png.display());
}
