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
    dims_query, minutes_query, range_query, rust_shape, shapes_query, variants_query, FineSpan, Grid, SAMPLE_CHARS,
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
    // A fine span over the last half hour: both branches of the time key run, and some
    // shapes occur only before it.
    let fine = [FineSpan {
        from: hi - 1800,
        to: hi + 1,
    }];
    // 15 s buckets, a grid shifted by 7 s (as a window start would shift it) and an edge.
    let grid = Grid {
        bucket: 15,
        offset: 7,
        edges: vec![hi - 900],
    };
    let key_of = |t: i64| {
        if t >= fine[0].from {
            grid.segment(t)
        } else {
            fine[0].from - 1
        }
    };
    let sqls = vec![
        format!("DESCRIBE TABLE {table} FORMAT TSV"),
        range_query(&schema, table),
        shapes_query(&schema, table, &fine, &grid, 100_000, 10_000_000),
        variants_query(&schema, table, &fine),
        minutes_query(&schema, table, 0),
        dims_query(&schema, table),
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
    let mut got: BTreeMap<String, (u64, i64, i64)> = BTreeMap::new();
    let mut shape_of_hash: BTreeMap<u64, String> = BTreeMap::new();
    type Groups = BTreeMap<(i64, String, String, String, String, String), (u64, i64, i64)>;
    let mut got_groups: Groups = BTreeMap::new();
    for line in ans[2].lines().filter(|l| !l.is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let shape = rust_shape(v["latest"].as_str().unwrap());
        got.insert(
            shape.clone(),
            (
                v["n"].as_u64().unwrap(),
                v["first"].as_i64().unwrap(),
                v["last"].as_i64().unwrap(),
            ),
        );
        shape_of_hash.insert(v["h"].as_u64().unwrap(), shape.clone());
        for g in v["groups"].as_array().unwrap() {
            let g = g.as_array().unwrap();
            let text = |i: usize| g[i].as_str().unwrap().to_string();
            let (f, l) = (g[0].as_i64().unwrap(), g[1].as_i64().unwrap());
            // One group per segment: its first and last second lie in it.
            assert_eq!(key_of(f), key_of(l), "{g:?}");
            let key = (key_of(f), text(2), text(3), text(4), text(5), shape.clone());
            let old = got_groups.insert(key, (g[6].as_u64().unwrap(), f, l));
            assert!(old.is_none(), "{g:?}");
        }
    }
    // Returned: every shape of a family (word count, first word) with records in the
    // fine span, with its exact counts; the others are left to the dimension counts.
    let family = |shape: &str| {
        (
            shape.split(' ').count(),
            shape.split(' ').next().unwrap_or("").to_string(),
        )
    };
    let in_fine_families: BTreeSet<(usize, String)> = recs
        .iter()
        .filter(|r| r.0 >= fine[0].from)
        .map(|r| family(&rust_shape(&cut(&r.5))))
        .collect();
    let returned: BTreeMap<String, (u64, i64, i64)> = want
        .iter()
        .filter(|(shape, _)| in_fine_families.contains(&family(shape)))
        .map(|(k, v)| (k.clone(), *v))
        .collect();
    assert_eq!(got.len(), returned.len(), "SQL shapes ({version})");
    assert!(got == returned, "counts per SQL shape ({version})");
    // Count groups: per grid segment inside the fine span, one time key (the second
    // before it) for the rows before it; each with its count, first and last second.
    let mut groups: Groups = BTreeMap::new();
    for r in &recs {
        let shape = rust_shape(&cut(&r.5));
        if got.contains_key(&shape) {
            let e = groups
                .entry((key_of(r.0), r.1.clone(), r.2.clone(), r.3.clone(), r.4.clone(), shape))
                .or_insert((0, i64::MAX, i64::MIN));
            e.0 += 1;
            e.1 = e.1.min(r.0);
            e.2 = e.2.max(r.0);
        }
    }
    assert_eq!(got_groups.len(), groups.len(), "count groups ({version})");
    assert!(got_groups == groups, "count groups differ ({version})");
    // Samples per variant: only for shapes with records in the fine span, of that shape.
    let in_fine: BTreeSet<String> = recs
        .iter()
        .filter(|r| r.0 >= fine[0].from)
        .map(|r| rust_shape(&cut(&r.5)))
        .collect();
    let mut sampled = BTreeSet::new();
    for line in ans[3].lines().filter(|l| !l.is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let shape = &shape_of_hash[&v["h"].as_u64().unwrap()];
        let samples = v["samples"].as_array().unwrap();
        assert!(!samples.is_empty() && samples.len() <= 8, "{line}");
        assert!(
            samples.iter().all(|s| rust_shape(s.as_str().unwrap()) == *shape),
            "{line}"
        );
        sampled.insert(shape.clone());
    }
    assert_eq!(sampled, in_fine, "shapes with variant samples ({version})");
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
    // Records per (level, service, host, module) over the whole table.
    let mut want: BTreeMap<(String, String, String, String), u64> = BTreeMap::new();
    for r in &recs {
        *want
            .entry((r.1.clone(), r.2.clone(), r.3.clone(), r.4.clone()))
            .or_insert(0) += 1;
    }
    let mut got: BTreeMap<(String, String, String, String), u64> = BTreeMap::new();
    for line in ans[5].lines().filter(|l| !l.is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let text = |k: &str| v[k].as_str().unwrap().to_string();
        *got.entry((text("lvl"), text("svc"), text("hst"), text("mdl")))
            .or_insert(0) += v["n"].as_u64().unwrap();
    }
    assert!(got == want, "records per dimension ({version})");
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
