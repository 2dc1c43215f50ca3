//! Shared helpers for the CLI integration tests.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

/// `../shared/data` beside the repository, as in CI.
pub fn shared_data() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let p = root.join("../shared/data");
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
