//! `triage-bench-peers MINER FILE`: feeds every line of FILE to MINER (`logdrain` or
//! `drain3`, each with its default configuration) and prints the line and template
//! counts. Timed as a whole process by `bench/templates_bench.py`, like Triage.

use std::io::{BufRead, BufReader};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (miner, path) = match args.as_slice() {
        [_, m, p] => (m.as_str(), p.as_str()),
        _ => {
            eprintln!("usage: triage-bench-peers logdrain|drain3 FILE");
            std::process::exit(2);
        }
    };
    let file = std::fs::File::open(path).unwrap_or_else(|e| {
        eprintln!("{path}: {e}");
        std::process::exit(1);
    });
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let mut line = String::new();
    let mut lines = 0u64;
    // Each line is read as bytes and fed as (lossy) UTF-8, as Triage reads it.
    let mut buf = Vec::new();
    let mut next = |line: &mut String| -> bool {
        buf.clear();
        match reader.read_until(b'\n', &mut buf) {
            Ok(0) | Err(_) => false,
            Ok(_) => {
                line.clear();
                line.push_str(String::from_utf8_lossy(&buf).trim_end_matches(['\n', '\r']));
                true
            }
        }
    };
    let templates = match miner {
        "logdrain" => {
            let m = logdrain::Miner::from_options(logdrain::Options::default());
            while next(&mut line) {
                m.add(&line);
                lines += 1;
            }
            m.len()
        }
        "drain3" => {
            let mut m = drain3::Matcher::new(drain3::Config::default());
            let mut ids = std::collections::HashSet::new();
            while next(&mut line) {
                if let Ok(t) = m.add_log_message(&line) {
                    ids.insert(t.id());
                }
                lines += 1;
            }
            ids.len()
        }
        other => {
            eprintln!("unknown miner {other}: logdrain or drain3");
            std::process::exit(2);
        }
    };
    println!("lines: {lines}\ntemplates: {templates}");
}
