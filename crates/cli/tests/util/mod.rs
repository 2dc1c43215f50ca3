//! Shared helpers for the CLI integration tests.
#![allow(dead_code)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

/// True when the environment variable `CI` is set: then nothing may be skipped.
pub fn in_ci() -> bool {
    std::env::var_os("CI").is_some()
}

/// Records that `test` is skipped, on one line: `SKIP <test>: <reason>` on stderr (shown
/// with `--nocapture`) and appended to the file named by `TRIAGE_SKIP_LOG`, which
/// `scripts/test.sh` sets so that its closing tally counts skips apart from passes
/// (cargo's harness counts an early return as a pass). With `CI` set a skip is a failure.
pub fn skip(test: &str, reason: &str) {
    let line = format!("SKIP {test}: {reason}");
    assert!(!in_ci(), "{line} — but CI is set, so this is a failure");
    eprintln!("{line}");
    if let Some(path) = std::env::var_os("TRIAGE_SKIP_LOG") {
        // One write per line (O_APPEND): test threads and binaries may log at once.
        if let Ok(mut f) = std::fs::OpenOptions::new().create(true).append(true).open(path) {
            let _ = f.write_all(format!("{line}\n").as_bytes());
        }
    }
}

/// `../shared/data` beside the repository, without a skip (for checks that only look).
fn shared_data_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data")
}

/// `../shared/data/<sub>` when it exists. When it is missing (a fresh clone without the
/// shared data), `test` is skipped with one line naming the path, and None is returned —
/// unless `CI` is set: then the test fails.
pub fn shared_or_skip(test: &str, sub: &str) -> Option<PathBuf> {
    let p = shared_data_path().join(sub);
    if p.exists() {
        return Some(p);
    }
    skip(
        test,
        &format!(
            "{} is missing (the shared test data must sit beside the repository as ../shared)",
            p.display()
        ),
    );
    None
}

/// `../shared/data` beside the repository, as in CI. Panics when it is missing: use
/// [`shared_or_skip`] in tests, so that a fresh clone skips them loudly.
pub fn shared_data() -> PathBuf {
    let p = shared_data_path();
    assert!(
        p.is_dir(),
        "test data missing: {} (shared/ must sit beside the repository)",
        p.display()
    );
    p
}

pub fn loghub_dir() -> PathBuf {
    shared_data().join("loghub-2k")
}

pub fn triage() -> Command {
    Command::new(env!("CARGO_BIN_EXE_triage"))
}

pub fn run_triage<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Output {
    triage().args(args).stdin(Stdio::null()).output().expect("run triage")
}

/// The README quick start's arguments for the bundled big-key incident (logs, metrics,
/// changes, Shanghai time), after `analyze`.
pub const BUNDLED_INCIDENT: [&str; 7] = [
    concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/incident/logs"),
    "--metrics",
    concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/incident/metrics.csv"),
    "--changes",
    concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/incident/changes.jsonl"),
    "--tz",
    "Asia/Shanghai",
];

/// xorshift64*: a deterministic generator for test data, without a dependency.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}
