//! Rows for `triage ingest`: parsed records as `otel_logs` rows (JSONEachRow), the
//! table they go into (`--create`), and the ledger that makes ingest idempotent per
//! file (a file already loaded into the same table, same size and modification time,
//! is skipped). A file's start is noted too ([`STARTED`]): a rerun after an ingest that
//! died part-way counts the file's rows already in the table (each row carries its
//! file in `log.file.path`) and inserts only the rest, so nothing is inserted twice.

use std::io::Write;

use crate::client::Client;
use crate::sql::{ident, literal};
use crate::ChError;

/// The ledger table, beside the logs in the URL's database.
pub const LEDGER: &str = "triage_ingested";
/// Files whose ingest began (same columns): one here but not in [`LEDGER`] was cut
/// short.
pub const STARTED: &str = "triage_ingest_started";

/// `Map` arrived in 21.x; older servers (Debian's 18.16) keep attributes as
/// `Nested(key, value)` and time as `DateTime` (seconds).
pub fn has_map(version: &str) -> bool {
    version
        .split('.')
        .next()
        .and_then(|m| m.parse::<u32>().ok())
        .is_some_and(|m| m >= 21)
}

/// The `otel_logs` shape for this server version (the OpenTelemetry exporter's
/// columns; on 18.16 the attribute maps are `Nested` and time has seconds only).
pub fn create_table_sql(qualified: &str, version: &str) -> String {
    if has_map(version) {
        format!(
            "CREATE TABLE IF NOT EXISTS {qualified} (Timestamp DateTime64(9), TraceId String, SpanId String, \
             SeverityText LowCardinality(String), SeverityNumber UInt8, ServiceName LowCardinality(String), Body String, \
             ResourceAttributes Map(LowCardinality(String), String), LogAttributes Map(LowCardinality(String), String)) \
             ENGINE = MergeTree PARTITION BY toDate(Timestamp) ORDER BY (ServiceName, SeverityText, toUnixTimestamp(Timestamp))"
        )
    } else {
        format!(
            "CREATE TABLE IF NOT EXISTS {qualified} (Timestamp DateTime, TraceId String, SpanId String, \
             SeverityText String, SeverityNumber UInt8, ServiceName String, Body String, \
             ResourceAttributes Nested(key String, value String), LogAttributes Nested(key String, value String)) \
             ENGINE = MergeTree() PARTITION BY toDate(Timestamp) ORDER BY (ServiceName, Timestamp)"
        )
    }
}

/// The DDL for `--create` on a cluster: `T_local` (the `otel_logs` shape, MergeTree) on
/// each shard and `T`, a `Distributed` table over them, on the server of the URL. With
/// `on_cluster`, the local tables are made by one `ON CLUSTER` statement (the cluster's
/// servers need ZooKeeper for that); otherwise the caller runs the first statement on
/// each shard itself. Returns (local table DDL, Distributed table DDL).
pub fn create_cluster_sql(
    database: &str,
    table: &str,
    cluster: &str,
    version: &str,
    on_cluster: bool,
) -> (String, String) {
    let local_name = format!("{table}_local");
    let local = format!("{}.{}", ident(database), ident(&local_name));
    let mut local_sql = create_table_sql(&local, version);
    if on_cluster {
        local_sql = local_sql.replacen(&local, &format!("{local} ON CLUSTER {}", ident(cluster)), 1);
    }
    // Columns spelled out (not `AS T_local`): the server of the URL need not be a shard.
    let columns_end = local_sql.find(" ENGINE").unwrap_or(local_sql.len());
    let columns_start = local_sql.find(" (").unwrap_or(0);
    let dist_sql = format!(
        "CREATE TABLE IF NOT EXISTS {}.{}{} ENGINE = Distributed({}, {}, {}, rand())",
        ident(database),
        ident(table),
        &local_sql[columns_start..columns_end],
        ident(cluster),
        ident(database),
        ident(&local_name)
    );
    (local_sql, dist_sql)
}

pub fn create_ledger_sql(database: &str) -> String {
    create_ledger_table_sql(database, LEDGER)
}

fn create_ledger_table_sql(database: &str, table: &str) -> String {
    format!(
        "CREATE TABLE IF NOT EXISTS {}.{} (target String, file String, size UInt64, mtime UInt64, records UInt64, at DateTime) \
         ENGINE = MergeTree() ORDER BY (target, file)",
        ident(database),
        ident(table)
    )
}

/// A file's identity for the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileKey {
    pub path: String,
    pub size: u64,
    pub mtime: u64,
}

/// True when `key` was loaded into `target` already.
pub fn already_ingested(client: &Client, target: &str, key: &FileKey) -> Result<bool, ChError> {
    noted(client, LEDGER, target, key)
}

/// True when an ingest of `key` into `target` began (it may have finished).
pub fn started(client: &Client, target: &str, key: &FileKey) -> Result<bool, ChError> {
    noted(client, STARTED, target, key)
}

fn noted(client: &Client, table: &str, target: &str, key: &FileKey) -> Result<bool, ChError> {
    let db = &client.url().database;
    let q = format!(
        "SELECT count() FROM {}.{} WHERE target = {} AND file = {} AND size = {} AND mtime = {} FORMAT TSV",
        ident(db),
        ident(table),
        literal(target),
        literal(&key.path),
        key.size,
        key.mtime
    );
    match client.query(&q, &[]) {
        Ok(n) => Ok(n.trim().parse::<u64>().unwrap_or(0) > 0),
        // No ledger yet: nothing was loaded by triage.
        Err(ChError::UnknownTable { .. }) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Rows of `target` (the URL's table) that came from `file`, as [`write_row`] tags them;
/// `map`: attributes are a `Map` (else `Nested`).
pub fn rows_of_file(client: &Client, file: &str, map: bool) -> Result<u64, ChError> {
    let value = if map {
        format!("LogAttributes[{}]", literal(SOURCE_KEY))
    } else {
        format!(
            "`LogAttributes.value`[indexOf(`LogAttributes.key`, {})]",
            literal(SOURCE_KEY)
        )
    };
    let n = client.query(
        &format!(
            "SELECT count() FROM {} WHERE {value} = {} FORMAT TSV",
            client.url().qualified_table(),
            literal(file)
        ),
        &[],
    )?;
    Ok(n.trim().parse().unwrap_or(0))
}

/// Notes that the ingest of `key` into `target` begins (before any of its rows).
pub fn record_started(client: &Client, target: &str, key: &FileKey) -> Result<(), ChError> {
    note(client, STARTED, target, key, 0)
}

pub fn record_ingested(client: &Client, target: &str, key: &FileKey, records: u64) -> Result<(), ChError> {
    note(client, LEDGER, target, key, records)
}

fn note(client: &Client, table: &str, target: &str, key: &FileKey, records: u64) -> Result<(), ChError> {
    client.query(&create_ledger_table_sql(&client.url().database, table), &[])?;
    let row = format!(
        "{{\"target\":{},\"file\":{},\"size\":{},\"mtime\":{},\"records\":{records},\"at\":{}}}\n",
        json(target),
        json(&key.path),
        key.size,
        key.mtime,
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    );
    client.insert(
        &format!(
            "INSERT INTO {}.{} FORMAT JSONEachRow",
            ident(&client.url().database),
            ident(table)
        ),
        &gzip(row.as_bytes())?,
    )
}

fn json(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

pub fn gzip(data: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut e = flate2::write::GzEncoder::new(Vec::with_capacity(data.len() / 4), flate2::Compression::fast());
    e.write_all(data)?;
    e.finish()
}

/// The attribute naming a row's file.
pub const SOURCE_KEY: &str = "log.file.path";

/// One record as the table takes it.
pub struct Row<'a> {
    pub ts: Option<i64>,
    pub level: Option<triage_parse::Level>,
    pub service: &'a str,
    pub host: Option<&'a str>,
    pub module: Option<&'a str>,
    pub message: &'a str,
    pub source: &'a str,
    pub fields: &'a [(triage_parse::record::FieldName, String)],
}

/// OpenTelemetry severity numbers (TRACE 1 … FATAL 21).
fn severity_number(l: Option<triage_parse::Level>) -> u8 {
    l.map_or(0, |l| 1 + 4 * l as u8)
}

/// Appends `row` as one JSONEachRow line.
pub fn write_row(row: &Row, map: bool, out: &mut Vec<u8>) {
    let ts = row.ts.unwrap_or(0).max(0);
    let (secs, nanos) = (ts / 1_000_000_000, ts % 1_000_000_000);
    let ts = if map {
        format!("\"{secs}.{nanos:09}\"")
    } else {
        secs.to_string()
    };
    let level = row.level.map_or("", |l| l.as_str());
    let mut res: Vec<(&str, &str)> = Vec::new();
    if let Some(h) = row.host {
        res.push(("host.name", h));
    }
    let mut attrs: Vec<(&str, &str)> = vec![(SOURCE_KEY, row.source)];
    if let Some(m) = row.module {
        attrs.push(("code.namespace", m));
    }
    attrs.extend(row.fields.iter().map(|(k, v)| (k.as_ref(), v.as_str())));
    let _ = write!(
        out,
        "{{\"Timestamp\":{ts},\"SeverityText\":{},\"SeverityNumber\":{},\"ServiceName\":{},\"Body\":{}",
        json(level),
        severity_number(row.level),
        json(row.service),
        json(row.message)
    );
    for (name, kv) in [("ResourceAttributes", &res), ("LogAttributes", &attrs)] {
        if map {
            let obj: serde_json::Map<String, serde_json::Value> = kv
                .iter()
                .map(|(k, v)| (k.to_string(), serde_json::Value::String(v.to_string())))
                .collect();
            let _ = write!(out, ",\"{name}\":{}", serde_json::Value::Object(obj));
        } else {
            let keys: Vec<&str> = kv.iter().map(|(k, _)| *k).collect();
            let values: Vec<&str> = kv.iter().map(|(_, v)| *v).collect();
            let _ = write!(
                out,
                ",\"{name}.key\":{},\"{name}.value\":{}",
                serde_json::to_string(&keys).unwrap_or_default(),
                serde_json::to_string(&values).unwrap_or_default()
            );
        }
    }
    out.extend_from_slice(b"}\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_for_both_generations() {
        let fields = vec![("user".into(), "a\"b".to_string())];
        let row = Row {
            ts: Some(1_700_000_000_123_000_000),
            level: Some(triage_parse::Level::Warn),
            service: "pay",
            host: Some("h1"),
            module: None,
            message: "x\ny",
            source: "/l/pay.log",
            fields: &fields,
        };
        let mut out = Vec::new();
        write_row(&row, false, &mut out);
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["Timestamp"], 1_700_000_000);
        assert_eq!(v["SeverityNumber"], 13);
        assert_eq!(v["LogAttributes.key"][1], "user");
        assert_eq!(v["LogAttributes.value"][1], "a\"b");
        assert_eq!(v["Body"], "x\ny");
        out.clear();
        write_row(&row, true, &mut out);
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["Timestamp"], "1700000000.123000000");
        assert_eq!(v["ResourceAttributes"]["host.name"], "h1");
        assert!(has_map("26.9.2.1") && !has_map("18.16.1"));
    }
}
