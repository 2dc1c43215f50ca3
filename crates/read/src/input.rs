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

/// Expands files, directories (recursively), globs and `-` into sources.
///
/// Files named directly keep the order given; files found inside a directory or a glob
/// are sorted by name, except that rotated sets (`app.log.2.gz`, `app.log.1`, `app.log`)
/// come oldest first so that a reader sees time move forward. Paths that cannot be
/// expanded are returned as errors beside the sources that could.
pub fn expand_inputs<S: AsRef<str>>(args: &[S]) -> (Vec<Source>, Vec<ReadError>) {
    let mut sources = Vec::new();
    let mut errors = Vec::new();
    for arg in args {
        let arg = arg.as_ref();
        if arg == "-" {
            sources.push(Source::Stdin);
            continue;
        }
        let path = Path::new(arg);
        if path.is_dir() {
            let mut found = Vec::new();
            walk_dir(path, &mut found, &mut errors);
            sort_rotated(&mut found);
            sources.extend(found.into_iter().map(Source::File));
        } else if path.exists() {
            sources.push(Source::File(path.to_path_buf()));
        } else if arg.contains(['*', '?', '[']) {
            match glob::glob(arg) {
                Ok(paths) => {
                    let mut found = Vec::new();
                    for entry in paths {
                        match entry {
                            Ok(p) if p.is_dir() => walk_dir(&p, &mut found, &mut errors),
                            Ok(p) => found.push(p),
                            Err(e) => errors.push(ReadError::Io {
                                path: e.path().to_path_buf(),
                                source: std::io::Error::new(e.error().kind(), e.error().to_string()),
                            }),
                        }
                    }
                    if found.is_empty() {
                        errors.push(ReadError::NotFound { path: arg.to_string() });
                    }
                    sort_rotated(&mut found);
                    sources.extend(found.into_iter().map(Source::File));
                }
                Err(e) => errors.push(ReadError::BadGlob {
                    path: arg.to_string(),
                    message: e.msg.to_string(),
                }),
            }
        } else {
            errors.push(ReadError::NotFound { path: arg.to_string() });
        }
    }
    (sources, errors)
}

fn walk_dir(dir: &Path, out: &mut Vec<PathBuf>, errors: &mut Vec<ReadError>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(source) => {
            errors.push(ReadError::Io {
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
        if child.is_dir() {
            walk_dir(&child, out, errors);
        } else {
            out.push(child);
        }
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
        let (sources, errors) = expand_inputs(&[dir.path().to_str().unwrap()]);
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
        let (sources, errors) = expand_inputs(&[pattern.as_str(), missing.as_str(), "-"]);
        assert_eq!(sources.len(), 2);
        assert_eq!(sources[1], Source::Stdin);
        assert_eq!(errors.len(), 1);
        assert!(errors[0].to_string().contains("nope.log"));
    }
}
