//! Expanding command-line paths into an ordered list of sources.

use std::cmp::Ordering;
use std::path::{Path, PathBuf};

use crate::ReadError;

/// One input stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Stdin,
    File(PathBuf),
}

impl Source {
    /// The name used in records (`source`) and messages.
    pub fn display_name(&self) -> String {
        match self {
            Source::Stdin => "-".to_string(),
            Source::File(p) => p.display().to_string(),
        }
    }
}

/// Why a path met while expanding was not made a source. Counted, not fatal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipReason {
    /// The same file (same device and inode) is already a source: a symlink such as
    /// `current.log -> app.log`, a path named twice, or a directory reached twice
    /// through a symlink loop. Reading it again would count every record twice.
    Duplicate,
    /// Not a regular file, found inside a directory or a glob: a FIFO or socket would
    /// block the reader forever, a device never ends. (Named on the command line, such a
    /// file is read like stdin.)
    Special(&'static str),
}

impl SkipReason {
    pub fn describe(&self) -> String {
        match self {
            SkipReason::Duplicate => "same file as an earlier input".to_string(),
            SkipReason::Special(kind) => format!("not a regular file ({kind})"),
        }
    }
}

/// What [`expand_inputs`] found.
#[derive(Debug, Default)]
pub struct Expanded {
    pub sources: Vec<Source>,
    /// Paths that could not be expanded (missing, bad glob, unreadable directory).
    pub errors: Vec<ReadError>,
    /// Paths left out on purpose, with the reason.
    pub skipped: Vec<(PathBuf, SkipReason)>,
}

/// Identity of a file for de-duplication: (device, inode) where the platform has them.
#[cfg(unix)]
fn file_key(meta: &std::fs::Metadata, _path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    Some((meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
fn file_key(_meta: &std::fs::Metadata, _path: &Path) -> Option<(u64, u64)> {
    None
}

/// The kind of a non-regular, non-directory file, for messages.
fn special_kind(meta: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "FIFO";
        }
        if t.is_socket() {
            return "socket";
        }
        if t.is_char_device() {
            return "character device";
        }
        if t.is_block_device() {
            return "block device";
        }
    }
    let _ = meta;
    "special file"
}

/// De-duplicates files and directories by identity while expanding.
#[derive(Default)]
struct Seen {
    files: std::collections::HashSet<(u64, u64)>,
    dirs: std::collections::HashSet<(u64, u64)>,
    /// Canonical paths where the platform has no inode numbers.
    paths: std::collections::HashSet<PathBuf>,
}

impl Seen {
    /// True the first time a file (or, with `dir`, a directory) is met.
    fn first(&mut self, path: &Path, meta: &std::fs::Metadata, dir: bool) -> bool {
        match file_key(meta, path) {
            Some(k) if dir => self.dirs.insert(k),
            Some(k) => self.files.insert(k),
            None => self
                .paths
                .insert(std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())),
        }
    }
}

/// Expands files, directories (recursively), globs and `-` into sources.
///
/// Files named directly keep the order given; files found inside a directory or a glob
/// are sorted by name, except that rotated sets (`app.log.2.gz`, `app.log.1`, `app.log`)
/// come oldest first so that a reader sees time move forward. Paths that cannot be
/// expanded are returned as errors beside the sources that could. A file reached twice
/// (symlinks, a path named twice, a symlink loop) is read once; FIFOs, sockets and
/// devices found inside directories are skipped; both are listed in `skipped`.
pub fn expand_inputs<S: AsRef<str>>(args: &[S]) -> Expanded {
    let mut out = Expanded::default();
    let mut seen = Seen::default();
    for arg in args {
        let arg = arg.as_ref();
        if arg == "-" {
            out.sources.push(Source::Stdin);
            continue;
        }
        let path = Path::new(arg);
        if path.is_dir() {
            let mut found = Vec::new();
            walk_dir(path, &mut found, &mut out, &mut seen);
            sort_rotated(&mut found);
            out.sources.extend(found.into_iter().map(Source::File));
        } else if let Ok(meta) = std::fs::metadata(path) {
            // Named explicitly: read even when special (a FIFO is read like stdin).
            if seen.first(path, &meta, false) {
                out.sources.push(Source::File(path.to_path_buf()));
            } else {
                out.skipped.push((path.to_path_buf(), SkipReason::Duplicate));
            }
        } else if arg.contains(['*', '?', '[']) {
            match glob::glob(arg) {
                Ok(paths) => {
                    let mut found = Vec::new();
                    let mut matched = false;
                    for entry in paths {
                        match entry {
                            Ok(p) => {
                                matched = true;
                                add_found(&p, &mut found, &mut out, &mut seen);
                            }
                            Err(e) => out.errors.push(ReadError::Io {
                                path: e.path().to_path_buf(),
                                source: std::io::Error::new(e.error().kind(), e.error().to_string()),
                            }),
                        }
                    }
                    if !matched {
                        out.errors.push(ReadError::NotFound { path: arg.to_string() });
                    }
                    sort_rotated(&mut found);
                    out.sources.extend(found.into_iter().map(Source::File));
                }
                Err(e) => out.errors.push(ReadError::BadGlob {
                    path: arg.to_string(),
                    message: e.msg.to_string(),
                }),
            }
        } else {
            out.errors.push(ReadError::NotFound { path: arg.to_string() });
        }
    }
    out
}

/// A path found inside a directory or glob: walked, kept or skipped.
fn add_found(path: &Path, found: &mut Vec<PathBuf>, out: &mut Expanded, seen: &mut Seen) {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(source) => {
            // A dangling symlink is not worth a warning of its own; anything else is.
            if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
                out.skipped
                    .push((path.to_path_buf(), SkipReason::Special("dangling symlink")));
            } else {
                out.errors.push(ReadError::Io {
                    path: path.to_path_buf(),
                    source,
                });
            }
            return;
        }
    };
    if meta.is_dir() {
        walk_dir(path, found, out, seen);
    } else if !meta.is_file() {
        out.skipped
            .push((path.to_path_buf(), SkipReason::Special(special_kind(&meta))));
    } else if seen.first(path, &meta, false) {
        found.push(path.to_path_buf());
    } else {
        out.skipped.push((path.to_path_buf(), SkipReason::Duplicate));
    }
}

fn walk_dir(dir: &Path, out_files: &mut Vec<PathBuf>, out: &mut Expanded, seen: &mut Seen) {
    // A directory met again (a symlink to an ancestor) would be walked forever.
    match std::fs::metadata(dir) {
        Ok(meta) if !seen.first(dir, &meta, true) => {
            out.skipped.push((dir.to_path_buf(), SkipReason::Duplicate));
            return;
        }
        _ => {}
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(source) => {
            out.errors.push(ReadError::Io {
                path: dir.to_path_buf(),
                source,
            });
            return;
        }
    };
    let mut children: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    children.sort();
    for child in children {
        let hidden = child
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        if hidden {
            continue;
        }
        add_found(&child, out_files, out, seen);
    }
}

/// Splits `app.log.2.gz` into (`app.log`, 2); `app.log` gives (`app.log`, 0).
/// A rotation index is a purely numeric suffix, optionally followed by `.gz`/`.zst`.
pub(crate) fn rotation_key(path: &Path) -> (PathBuf, u64) {
    let name = match path.file_name().and_then(|n| n.to_str()) {
        Some(n) => n,
        None => return (path.to_path_buf(), 0),
    };
    let stem = name
        .strip_suffix(".gz")
        .or_else(|| name.strip_suffix(".zst"))
        .unwrap_or(name);
    if let Some((base, idx)) = stem.rsplit_once('.') {
        if !base.is_empty() && !idx.is_empty() && idx.len() <= 6 && idx.bytes().all(|b| b.is_ascii_digit()) {
            if let Ok(n) = idx.parse::<u64>() {
                return (path.with_file_name(base), n);
            }
        }
    }
    (path.with_file_name(stem), 0)
}

fn sort_rotated(paths: &mut [PathBuf]) {
    paths.sort_by(|a, b| {
        let (base_a, idx_a) = rotation_key(a);
        let (base_b, idx_b) = rotation_key(b);
        match base_a.cmp(&base_b) {
            // Same rotated set: higher index is older, so it comes first.
            Ordering::Equal => idx_b.cmp(&idx_a).then_with(|| a.cmp(b)),
            other => other,
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotated_sets_are_read_oldest_first() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["app.log", "app.log.1", "app.log.2.gz", "app.log.10", "other.log"] {
            std::fs::write(dir.path().join(name), b"x\n").unwrap();
        }
        let Expanded { sources, errors, .. } = expand_inputs(&[dir.path().to_str().unwrap()]);
        assert!(errors.is_empty());
        let names: Vec<String> = sources
            .iter()
            .map(|s| match s {
                Source::File(p) => p.file_name().unwrap().to_str().unwrap().to_string(),
                Source::Stdin => "-".into(),
            })
            .collect();
        assert_eq!(
            names,
            ["app.log.10", "app.log.2.gz", "app.log.1", "app.log", "other.log"]
        );
    }

    #[test]
    fn globs_and_missing_paths() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.log"), b"x\n").unwrap();
        std::fs::write(dir.path().join("b.txt"), b"x\n").unwrap();
        let pattern = format!("{}/*.log", dir.path().display());
        let missing = format!("{}/nope.log", dir.path().display());
        let Expanded { sources, errors, .. } = expand_inputs(&[pattern.as_str(), missing.as_str(), "-"]);
        assert_eq!(sources.len(), 2);
        assert_eq!(sources[1], Source::Stdin);
        assert_eq!(errors.len(), 1);
        assert!(errors[0].to_string().contains("nope.log"));
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_and_repeated_paths_are_read_once() {
        let dir = tempfile::tempdir().unwrap();
        let logs = dir.path().join("logs");
        std::fs::create_dir(&logs).unwrap();
        std::fs::write(logs.join("app.log"), b"x\n").unwrap();
        std::os::unix::fs::symlink(logs.join("app.log"), logs.join("current.log")).unwrap();
        // A loop: logs/again -> logs.
        std::os::unix::fs::symlink(&logs, logs.join("again")).unwrap();
        let app = logs.join("app.log").display().to_string();
        let out = expand_inputs(&[logs.to_str().unwrap(), app.as_str(), app.as_str()]);
        assert!(out.errors.is_empty(), "{:?}", out.errors);
        assert_eq!(out.sources.len(), 1, "{:?}", out.sources);
        // current.log, the loop and the path named twice more.
        assert_eq!(out.skipped.len(), 4, "{:?}", out.skipped);
        assert!(out.skipped.iter().all(|(_, r)| *r == SkipReason::Duplicate));
    }

    #[cfg(unix)]
    #[test]
    fn fifos_inside_directories_are_skipped() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.log"), b"x\n").unwrap();
        let fifo = dir.path().join("pipe.log");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if !made.is_ok_and(|s| s.success()) {
            eprintln!("skipping fifos_inside_directories_are_skipped: mkfifo is not available");
            return;
        }
        let out = expand_inputs(&[dir.path().to_str().unwrap()]);
        assert_eq!(out.sources.len(), 1);
        assert_eq!(out.skipped, vec![(fifo.clone(), SkipReason::Special("FIFO"))]);
        // Named explicitly, it is a source (read like stdin).
        let named = expand_inputs(&[fifo.to_str().unwrap()]);
        assert_eq!(named.sources, vec![Source::File(fifo)]);
    }
}
