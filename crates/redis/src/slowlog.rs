//! The slow log (`SLOWLOG LEN` + `SLOWLOG GET n`, read-only), grouped by command and
//! key pattern with counts, total and worst durations.

use std::collections::HashMap;

use redis::Value;
use serde::Serialize;

use crate::conn::{as_u64, Session};
use crate::error::Result;
use crate::keys::{command_keys, display_key, key_pattern, keys_of, skip_subcommand};

/// Entries read at most, whatever `slowlog-max-len` is.
pub const MAX_ENTRIES: u64 = 10_000;
/// Arguments shown per example.
const EXAMPLE_ARGS: usize = 4;
/// Bytes shown per example argument.
const EXAMPLE_ARG_BYTES: usize = 64;

/// Commands whose first argument is a subcommand (`CONFIG GET`, `CLIENT LIST`).
fn has_subcommand(cmd: &str) -> bool {
    matches!(
        cmd,
        "config"
            | "client"
            | "object"
            | "memory"
            | "xinfo"
            | "xgroup"
            | "cluster"
            | "script"
            | "function"
            | "acl"
            | "command"
            | "slowlog"
            | "latency"
            | "module"
            | "pubsub"
            | "debug"
    )
}

/// Entries of one command on one key pattern.
#[derive(Debug, Clone, Serialize)]
pub struct SlowGroup {
    /// Upper case, with the subcommand for container commands (`CONFIG GET`).
    pub command: String,
    /// Roll-up pattern of the first key (`user:*:profile`), if the command has keys.
    pub key_pattern: Option<String>,
    pub count: u64,
    pub total_us: u64,
    pub worst_us: u64,
    /// Unix time of the most recent entry.
    pub last_unix: u64,
    /// The arguments of the worst entry (cut).
    pub worst_example: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SlowlogReport {
    /// `SLOWLOG LEN` when read.
    pub log_length: u64,
    pub entries_read: u64,
    /// `slowlog-log-slower-than`, µs (None when CONFIG is not allowed).
    pub threshold_us: Option<i64>,
    /// By total time, largest first.
    pub groups: Vec<SlowGroup>,
}

struct Entry {
    unix: u64,
    duration_us: u64,
    args: Vec<Vec<u8>>,
}

fn parse_entry(v: &Value) -> Option<Entry> {
    let Value::Array(fields) = v else { return None };
    let unix = as_u64(fields.get(1)?)?;
    let duration_us = as_u64(fields.get(2)?)?;
    let Value::Array(args) = fields.get(3)? else {
        return None;
    };
    let args = args
        .iter()
        .filter_map(|a| match a {
            Value::BulkString(b) => Some(b.clone()),
            Value::SimpleString(s) => Some(s.clone().into_bytes()),
            _ => None,
        })
        .collect();
    Some(Entry {
        unix,
        duration_us,
        args,
    })
}

/// Group key: command name and key pattern.
fn classify(args: &[Vec<u8>]) -> (String, Option<Vec<u8>>) {
    let Some(first) = args.first() else {
        return ("(empty)".into(), None);
    };
    let cmd = String::from_utf8_lossy(first).to_ascii_lowercase();
    let mut name = cmd.to_ascii_uppercase();
    if has_subcommand(&cmd) {
        if let Some(sub) = args.get(1) {
            name.push(' ');
            name.push_str(&String::from_utf8_lossy(sub).to_ascii_uppercase());
        }
    }
    let rest: Vec<&[u8]> = args[if skip_subcommand(&cmd) { 2 } else { 1 }.min(args.len())..]
        .iter()
        .map(Vec::as_slice)
        .collect();
    let pattern = command_keys(&cmd, &rest).and_then(|(spec, _)| keys_of(spec, &rest).first().map(|k| key_pattern(k)));
    (name, pattern)
}

fn example(args: &[Vec<u8>]) -> String {
    let mut shown: Vec<String> = args
        .iter()
        .take(EXAMPLE_ARGS)
        .map(|a| {
            let cut = &a[..a.len().min(EXAMPLE_ARG_BYTES)];
            let mut s = display_key(cut);
            if a.len() > cut.len() {
                s.push('…');
            }
            s
        })
        .collect();
    if args.len() > EXAMPLE_ARGS {
        shown.push(format!("…(+{} args)", args.len() - EXAMPLE_ARGS));
    }
    shown.join(" ")
}

pub(crate) fn read(session: &mut Session, top: usize) -> Result<SlowlogReport> {
    let log_length: u64 = session.query(redis::cmd("SLOWLOG").arg("LEN"), "SLOWLOG LEN")?;
    let threshold_us = session
        .query::<Vec<String>>(
            redis::cmd("CONFIG").arg("GET").arg("slowlog-log-slower-than"),
            "CONFIG GET",
        )
        .ok()
        .and_then(|kv| kv.get(1).and_then(|v| v.parse().ok()));
    let n = log_length.min(MAX_ENTRIES);
    let entries: Vec<Value> = if n == 0 {
        Vec::new()
    } else {
        session.query(redis::cmd("SLOWLOG").arg("GET").arg(n), "SLOWLOG GET")?
    };
    let mut groups: HashMap<(String, Option<Vec<u8>>), SlowGroup> = HashMap::new();
    let mut entries_read = 0;
    for entry in entries.iter().filter_map(parse_entry) {
        entries_read += 1;
        let (command, pattern) = classify(&entry.args);
        let g = groups
            .entry((command.clone(), pattern.clone()))
            .or_insert_with(|| SlowGroup {
                command,
                key_pattern: pattern.as_deref().map(display_key),
                count: 0,
                total_us: 0,
                worst_us: 0,
                last_unix: 0,
                worst_example: String::new(),
            });
        g.count += 1;
        g.total_us += entry.duration_us;
        g.last_unix = g.last_unix.max(entry.unix);
        if entry.duration_us >= g.worst_us {
            g.worst_us = entry.duration_us;
            g.worst_example = example(&entry.args);
        }
    }
    let mut groups: Vec<SlowGroup> = groups.into_values().collect();
    groups.sort_by(|a, b| b.total_us.cmp(&a.total_us).then_with(|| b.count.cmp(&a.count)));
    groups.truncate(top.max(1));
    Ok(SlowlogReport {
        log_length,
        entries_read,
        threshold_us,
        groups,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(v: &[&str]) -> Vec<Vec<u8>> {
        v.iter().map(|s| s.as_bytes().to_vec()).collect()
    }

    #[test]
    fn entries_group_by_command_and_key_pattern() {
        assert_eq!(
            classify(&args(&["hgetall", "user:42:profile"])),
            ("HGETALL".into(), Some(b"user:*:profile".to_vec()))
        );
        assert_eq!(classify(&args(&["CONFIG", "get", "*"])), ("CONFIG GET".into(), None));
        assert_eq!(
            classify(&args(&["OBJECT", "FREQ", "k:1"])),
            ("OBJECT FREQ".into(), Some(b"k:*".to_vec()))
        );
        assert_eq!(
            classify(&args(&["EVAL", "return 1", "1", "lock:9"])).1,
            Some(b"lock:*".to_vec())
        );
        assert_eq!(classify(&args(&["KEYS", "*"])), ("KEYS".into(), None));
    }

    #[test]
    fn examples_are_cut() {
        let long = "x".repeat(100);
        let e = example(&args(&["SET", "k", &long, "EX", "10", "NX"]));
        assert!(e.starts_with("SET k xxx"), "{e}");
        assert!(e.contains('…') && e.ends_with("…(+2 args)"), "{e}");
    }

    #[test]
    fn entries_parse_from_resp() {
        let v = Value::Array(vec![
            Value::Int(7),
            Value::Int(1_700_000_000),
            Value::Int(25_000),
            Value::Array(vec![
                Value::BulkString(b"HGETALL".to_vec()),
                Value::BulkString(b"big:hash".to_vec()),
            ]),
            Value::BulkString(b"127.0.0.1:1".to_vec()),
            Value::BulkString(Vec::new()),
        ]);
        let e = parse_entry(&v).unwrap();
        assert_eq!((e.unix, e.duration_us, e.args.len()), (1_700_000_000, 25_000, 2));
    }
}
