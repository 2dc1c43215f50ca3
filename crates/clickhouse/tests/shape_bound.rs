//! The bound between the SQL shape (what ClickHouse groups by) and the Rust masker's
//! shape (what templates are induced from), measured on real logs without a server:
//! the SQL regexes run here through `rust_shape`, which uses the same patterns. A SQL
//! shape holding messages of several templates is a *conflict*: ClickHouse counts its
//! records under one template. The test fails when conflicts hold more records than the
//! documented bound (README, "Logs in ClickHouse").

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use triage_mine::mask::Masker;
use triage_mine::miner::{induce, shape_chunk, ShapeTable};
use triage_parse::intake::{self, IntakeEvent, IntakeOptions};

/// Per SQL shape: records, and the templates (induced over all shapes, as for files)
/// among them.
/// (records, SQL shape, templates) per conflicting SQL shape.
type Conflicts = Vec<(u64, String, Vec<String>)>;

fn conflicts(paths: &[String]) -> (u64, u64, Conflicts) {
    let masker = Masker::default();
    let opts = IntakeOptions::default();
    let mut table = ShapeTable::default();
    let mut pairs: Vec<(String, u32)> = Vec::new();
    intake::run(
        paths,
        &opts,
        |_, recs, _| {
            let shapes = shape_chunk(&masker, recs, false);
            let sql: Vec<String> = recs
                .iter()
                .map(|r| triage_clickhouse::sql::rust_shape(&r.message))
                .collect();
            (shapes, sql)
        },
        |e| {
            if let IntakeEvent::Chunk(_, (shapes, sql), _) = e {
                let ids = table.absorb(&shapes);
                for (s, local) in sql.into_iter().zip(&shapes.record_shape) {
                    pairs.push((s, ids[*local as usize]));
                }
            }
            true
        },
    );
    let templates = induce(&table);
    let mut groups: BTreeMap<String, (u64, BTreeSet<String>)> = BTreeMap::new();
    for (sql, shape) in &pairs {
        let t = templates.shape_template[*shape as usize] as usize;
        let g = groups.entry(sql.clone()).or_default();
        g.0 += 1;
        g.1.insert(templates.templates[t].text.clone());
    }
    let total = pairs.len() as u64;
    let mut out: Conflicts = groups
        .into_iter()
        .filter(|(_, (_, r))| r.len() > 1)
        .map(|(s, (n, r))| (n, s, r.into_iter().collect()))
        .collect();
    out.sort_by_key(|c| std::cmp::Reverse(c.0));
    let bad = out.iter().map(|c| c.0).sum();
    (total, bad, out)
}

fn examples() -> Vec<String> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    vec![
        root.join("logs").display().to_string(),
        root.join("incident/logs").display().to_string(),
    ]
}

#[test]
fn sql_shapes_split_no_template_on_the_examples() {
    let (total, bad, list) = conflicts(&examples());
    for (n, s, r) in list.iter().take(10) {
        eprintln!("{n} records: {s:?} → {r:?}");
    }
    assert!(total > 10_000, "{total}");
    // Bound: at most 1 % of the records sit in a SQL shape that spans templates.
    assert!(bad * 100 <= total, "{bad} of {total} records in conflicting SQL shapes");
}

#[test]
fn conflicts_on_extra_logs() {
    // TRIAGE_SHAPE_LOGS=dir1:dir2 measures any logs (used while tuning the rules).
    let Ok(dirs) = std::env::var("TRIAGE_SHAPE_LOGS") else {
        return;
    };
    let paths: Vec<String> = dirs.split(':').map(String::from).collect();
    let (total, bad, list) = conflicts(&paths);
    for (n, s, r) in list.iter().take(20) {
        eprintln!("{n} records: {s:?} → {:?}", r.iter().take(4).collect::<Vec<_>>());
    }
    eprintln!("{bad} of {total} records in conflicting SQL shapes");
}
