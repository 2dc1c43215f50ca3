//! The generated SQL on a current engine: ClickHouse 26.9 in-process (`chdb-core` from
//! PyPI), on the bundled incident's records written by the ingest row writer, for both
//! table shapes Triage knows (the exporter's `Map` columns with `DateTime64(9)`, and
//! the 18.16 `Nested` columns with `DateTime`). The answers are checked against the
//! same grouping done here in Rust with the mirror of the SQL shape (`rust_shape`):
//! record count and time range, the counts per SQL shape, and the count groups.
//! (The same SQL on 18.16 is checked against file mode in crates/cli/tests/clickhouse.rs.)
//!
//! Skips with one line when python3 or chdb is missing, unless CI is set: then fails
//! (scripts/ensure-clickhouse.sh installs chdb-core).

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::PathBuf;
use std::process::Command;

use triage_clickhouse::ingest::{create_table_sql, write_row, Row};
use triage_clickhouse::schema::{parse_describe, resolve, Mapping};
use triage_clickhouse::sql::{
    minutes_query, range_query, rows_query, rust_shape, shapes_query, FineSpan, SAMPLE_CHARS,
};
use triage_parse::intake::{self, IntakeEvent, IntakeOptions};

fn chdb_available() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import chdb"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        let line =
            "SKIP chdb: python3 with chdb-core not found (pip install chdb-core; scripts/ensure-clickhouse.sh does)";
        assert!(std::env::var_os("CI").is_none(), "{line} — but CI is set");
        eprintln!("{line}");
        if let Some(p) = std::env::var_os("TRIAGE_SKIP_LOG") {
            if let Ok(mut f) = std::fs::OpenOptions::new().create(true).append(true).open(p) {
                let _ = writeln!(f, "{line}");
            }
        }
    }
    ok
}

/// (secs, level, service, host, module, message) of every record of the bundled incident.
fn records() -> Vec<(i64, String, String, String, String, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/incident/logs");
    let mut out = Vec::new();
    let opts = IntakeOptions::default();
    intake::run(
        &[dir.display().to_string()],
        &opts,
        |info, recs, _| {
            let fs = triage_analyze::facets::service_of_file(&info.name);
            recs.iter()
                .map(|r| {
                    let f = triage_analyze::facets::facets_of(r, &fs);
                    (
                        r.ts.unwrap_or(0) / 1_000_000_000,
                        r.level.map_or("", |l| l.as_str()).to_string(),
                        f.service.to_string(),
                        f.host.unwrap_or("").to_string(),
                        f.module.unwrap_or("").to_string(),
                        r.message.clone(),
                    )
                })
                .collect::<Vec<_>>()
        },
        |e| {
            if let IntakeEvent::Chunk(_, rows, _) = e {
                out.extend(rows);
            }
            true
        },
    );
    out
}

/// Runs `sqls` in one chdb session after creating and filling the table; returns each
/// answer as text.
fn chdb(create: &str, data: &std::path::Path, table: &str, sqls: &[String]) -> Vec<String> {
    let script = r#"
import json, sys
from chdb import session
s = session.Session()
create, data, table, sqls = json.load(sys.stdin)
s.query("CREATE DATABASE IF NOT EXISTS triage")
s.query(create)
s.query(f"INSERT INTO {table} SELECT * FROM file('{data}', JSONEachRow) SETTINGS input_format_skip_unknown_fields=1")
out = []
for q in sqls:
    body, fmt = q.rsplit(" FORMAT ", 1)
    out.append(str(s.query(body + " SETTINGS output_format_json_quote_64bit_integers=0", fmt.strip())))
print(json.dumps(out))
"#;
    let input = serde_json::json!([create, data.display().to_string(), table, sqls]).to_string();
    let mut child = Command::new("python3")
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3");
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "chdb: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("chdb answers")
}

fn check(version: &str, columns: &[(&str, &str)]) {
    let recs = records();
    assert!(recs.len() > 10_000);
    let map = triage_clickhouse::ingest::has_map(version);
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("rows.json");
    let mut buf = Vec::new();
    for (t, l, s, h, m, msg) in &recs {
        let row = Row {
            ts: Some(t * 1_000_000_000),
            level: triage_parse::Level::from_word(l),
            service: s,
            host: (!h.is_empty()).then_some(h.as_str()),
            module: (!m.is_empty()).then_some(m.as_str()),
            message: msg,
            source: "incident",
            fields: &[],
        };
        write_row(&row, map, &mut buf);
    }
    std::fs::write(&data, &buf).unwrap();
    let table = "`triage`.`otel_logs`";
    let cols: Vec<(String, String)> = columns.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
    let schema = resolve(&Mapping::default(), &cols, "chdb", "triage.otel_logs").unwrap();
    let (lo, hi) = (
        recs.iter().map(|r| r.0).min().unwrap(),
        recs.iter().map(|r| r.0).max().unwrap(),
    );
    // Fine spans covering all but the first hour: both branches of the time key run.
    let fine = [FineSpan {
        from: lo + 3600,
        to: hi + 1,
    }];
    let sqls = vec![
        format!("DESCRIBE TABLE {table} FORMAT TSV"),
        range_query(&schema, table),
        shapes_query(&schema, table, 100_000),
        rows_query(&schema, table, &fine, 10_000_000),
        minutes_query(&schema, table),
    ];
    let ans = chdb(&create_table_sql(table, version), &data, table, &sqls);
    // The table the row writer filled is the one the schema check expects.
    let described = parse_describe(&ans[0]);
    for (name, _) in &cols {
        assert!(described.iter().any(|(n, _)| n == name), "{name} not in {described:?}");
    }
    let range: Vec<i64> = ans[1].trim().split('\t').map(|v| v.parse().unwrap()).collect();
    assert_eq!(range, vec![recs.len() as i64, lo, hi, 0], "range");
    // Per SQL shape: the counts and time ranges Rust finds with the mirror regexes.
    let cut = |m: &str| m.chars().take(SAMPLE_CHARS).collect::<String>();
    let mut want: BTreeMap<String, (u64, i64, i64)> = BTreeMap::new();
    for r in &recs {
        let e = want.entry(rust_shape(&cut(&r.5))).or_insert((0, i64::MAX, i64::MIN));
        e.0 += 1;
        e.1 = e.1.min(r.0);
        e.2 = e.2.max(r.0);
    }
    let mut got: Vec<(u64, i64, i64)> = Vec::new();
    for line in ans[2].lines().filter(|l| !l.is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        got.push((
            v["n"].as_u64().unwrap(),
            v["first"].as_i64().unwrap(),
            v["last"].as_i64().unwrap(),
        ));
        // Samples belong to the shape, the latest among them.
        let latest = v["latest"].as_str().unwrap();
        let shape = rust_shape(latest);
        assert!(
            v["samples"]
                .as_array()
                .unwrap()
                .iter()
                .all(|s| rust_shape(s.as_str().unwrap()) == shape),
            "{line}"
        );
    }
    let mut want: Vec<(u64, i64, i64)> = want.into_values().collect();
    want.sort();
    got.sort();
    assert_eq!(got.len(), want.len(), "SQL shapes ({version})");
    assert_eq!(got, want, "counts per SQL shape ({version})");
    // Count groups: per second inside the fine span, per hour before it.
    let mut groups: BTreeSet<(i64, &str, &str, &str, &str, String)> = BTreeSet::new();
    for r in &recs {
        let g = if r.0 >= fine[0].from { r.0 } else { r.0 / 3600 * 3600 };
        groups.insert((g, &r.1, &r.2, &r.3, &r.4, rust_shape(&cut(&r.5))));
    }
    let rows: Vec<&str> = ans[3].lines().filter(|l| !l.is_empty()).collect();
    assert_eq!(rows.len(), groups.len(), "count groups ({version})");
    let total: u64 = rows
        .iter()
        .map(|l| l.rsplit('\t').next().unwrap().parse::<u64>().unwrap())
        .sum();
    assert_eq!(total, recs.len() as u64);
    // Records per minute (change blame), every minute with records.
    let mut want: BTreeMap<i64, u64> = BTreeMap::new();
    for r in &recs {
        *want.entry(r.0.div_euclid(60)).or_insert(0) += 1;
    }
    let got: BTreeMap<i64, u64> = ans[4]
        .lines()
        .filter(|l| !l.is_empty())
        .map(|l| {
            let (m, n) = l.split_once('\t').unwrap();
            (m.parse().unwrap(), n.parse().unwrap())
        })
        .collect();
    assert_eq!(got, want, "records per minute ({version})");
}

#[test]
fn the_sql_runs_on_clickhouse_26_with_map_columns() {
    if !chdb_available() {
        return;
    }
    check(
        "26.9.2.1",
        &[
            ("Timestamp", "DateTime64(9)"),
            ("SeverityText", "LowCardinality(String)"),
            ("ServiceName", "LowCardinality(String)"),
            ("Body", "String"),
            ("ResourceAttributes", "Map(LowCardinality(String), String)"),
            ("LogAttributes", "Map(LowCardinality(String), String)"),
        ],
    );
}

#[test]
fn the_sql_runs_on_clickhouse_26_with_the_18_16_nested_columns() {
    if !chdb_available() {
        return;
    }
    check(
        "18.16.1",
        &[
            ("Timestamp", "DateTime"),
            ("SeverityText", "String"),
            ("ServiceName", "String"),
            ("Body", "String"),
            ("ResourceAttributes.key", "Array(String)"),
            ("ResourceAttributes.value", "Array(String)"),
            ("LogAttributes.key", "Array(String)"),
            ("LogAttributes.value", "Array(String)"),
        ],
    );
}
