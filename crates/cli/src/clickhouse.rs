//! `triage analyze clickhouse://…` and `triage ingest … --to clickhouse://…`: flags,
//! credentials and progress; the SQL and the push-down live in triage-clickhouse.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use triage_analyze::facets;
use triage_analyze::frame::FrameRequest;
use triage_analyze::timespec::parse_duration;
use triage_clickhouse::ingest::{self, FileKey};
use triage_clickhouse::schema::Mapping;
use triage_clickhouse::source::{self, Fetched, SourceOptions};
use triage_clickhouse::{ChUrl, Client};
use triage_mine::mask::Masker;
use triage_parse::intake::{self, IntakeEvent};

use crate::{say, warn_event, InputArgs};

pub use triage_clickhouse::url::is_clickhouse_url;

#[derive(clap::Args, Debug, Clone)]
pub struct ChArgs {
    /// Columns of a ClickHouse table other than the OpenTelemetry exporter's `otel_logs`:
    /// ROLE=COLUMN pairs for ts, msg, level, service, host, module; host and module may
    /// be COLUMN[key] of a Map or Nested(key, value) column, or empty (none). E.g.
    /// `ts=ts,msg=msg,level=level,service=service,host=,module=`.
    #[arg(long, value_name = "MAP")]
    pub ch_columns: Option<String>,
    /// A file holding the ClickHouse password (first line), when the URL has none;
    /// TRIAGE_CLICKHOUSE_PASSWORD is read before it.
    #[arg(long, value_name = "FILE")]
    pub ch_password_file: Option<PathBuf>,
    /// Time-out for each ClickHouse request; the server stops the query too
    /// (max_execution_time).
    #[arg(long, value_name = "DUR", default_value = "60s")]
    pub timeout: String,
    /// Most count groups taken from ClickHouse (rows of the counts query); a larger
    /// answer is cut there and the report is marked partial.
    #[arg(long, value_name = "N", default_value_t = 5_000_000)]
    pub ch_max_groups: usize,
}

/// A client for `url`, the password from the URL, TRIAGE_CLICKHOUSE_PASSWORD or
/// --ch-password-file, in that order. The password is never printed.
pub fn client(url: &str, args: &ChArgs) -> Result<Client> {
    let mut u = ChUrl::parse(url)?;
    if u.password.is_none() {
        if let Ok(p) = std::env::var("TRIAGE_CLICKHOUSE_PASSWORD") {
            u.password = Some(p);
        } else if let Some(path) = &args.ch_password_file {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading the ClickHouse password file {}", path.display()))?;
            u.password = Some(text.lines().next().unwrap_or("").to_string());
        }
    }
    let timeout = parse_duration(&args.timeout).context("--timeout")?;
    let timeout = Duration::from_nanos(timeout.max(1) as u64);
    Ok(Client::new(u, timeout))
}

/// The push-down for `analyze`.
/// `minutes_from`: the earliest change's time, if any (blame reads the traffic per minute
/// from it on).
pub fn collect(
    url: &str,
    args: &ChArgs,
    frame: &FrameRequest,
    masker: &Masker,
    quiet: bool,
    minutes_from: Option<i64>,
) -> Result<Fetched> {
    let client = client(url, args)?;
    let mapping = match &args.ch_columns {
        Some(spec) => Mapping::parse(spec).map_err(anyhow::Error::msg)?,
        None => Mapping::default(),
    };
    let opts = SourceOptions {
        mapping,
        frame: frame.clone(),
        max_groups: args.ch_max_groups.max(1),
        minutes_from,
        ..Default::default()
    };
    let fetched = source::collect(&client, masker, &opts)?;
    if !quiet {
        let s = &fetched.stats;
        say(format!(
            "triage: clickhouse {}: {} records, {} count groups, {} shapes, {} bytes received in {:.1} s{}",
            client.url().shown(),
            s.records,
            s.groups,
            s.sql_shapes,
            s.bytes_received,
            s.millis as f64 / 1000.0,
            if s.shards_down.is_empty() {
                String::new()
            } else {
                format!("; shards down: {}", s.shards_down.join(", "))
            }
        ));
    }
    for line in &fetched.data_loss {
        say(format!("triage: warning: {line}"));
    }
    Ok(fetched)
}

#[derive(clap::Args, Debug)]
pub struct IngestArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Target: clickhouse://[user[:pass]@]host[:port]/db?table=NAME (default table
    /// otel_logs). Insert into a Distributed table to spread rows over a cluster.
    #[arg(long, value_name = "URL")]
    pub to: String,
    /// Create the table (otel_logs columns, MergeTree) when it does not exist.
    #[arg(long)]
    pub create: bool,
    /// With --create: make TABLE_local on each shard of this cluster (a remote_servers
    /// entry) and TABLE as a Distributed table over them, then insert through it.
    #[arg(long, value_name = "NAME", requires = "create")]
    pub cluster: Option<String>,
    /// With --cluster: a shard's HTTP URL (clickhouse://host:port), repeated per shard;
    /// the local tables are made there. Without it, by `ON CLUSTER` (needs ZooKeeper).
    #[arg(long = "shard", value_name = "URL", requires = "cluster")]
    pub shards: Vec<String>,
    /// Uncompressed bytes per insert.
    #[arg(long, value_name = "BYTES", default_value_t = 8 << 20)]
    pub batch_bytes: usize,
    #[command(flatten)]
    pub ch: ChArgs,
}

/// `triage ingest`: each file parsed as `analyze` parses it, its records inserted in
/// gzip batches, then noted in the ledger so that a second run skips it.
pub fn cmd_ingest(args: IngestArgs) -> Result<std::process::ExitCode> {
    let mut opts = args.input.options()?;
    opts.detail = intake::Detail::Facets;
    let client = client(&args.to, &args.ch)?;
    let version = client.query("SELECT version() FORMAT TSV", &[])?.trim().to_string();
    let map = ingest::has_map(&version);
    let target = client.url().qualified_table();
    if let (true, Some(cluster)) = (args.create, &args.cluster) {
        let url = client.url();
        let (local, dist) =
            ingest::create_cluster_sql(&url.database, &url.table, cluster, &version, args.shards.is_empty());
        if args.shards.is_empty() {
            client.query(&local, &[]).with_context(|| {
                format!("creating {}_local ON CLUSTER {cluster} (this needs ZooKeeper; or name each shard with --shard URL)", url.table)
            })?;
        }
        for shard in &args.shards {
            let shard_client = crate::clickhouse::client(shard, &args.ch)?;
            shard_client
                .query(&local, &[])
                .with_context(|| format!("creating {}_local on shard {shard}", url.table))?;
        }
        client.query(&dist, &[])?;
    } else if args.create {
        client.query(&ingest::create_table_sql(&target, &version), &[])?;
    }
    // Fails early (unknown table, no rights) before any file is parsed.
    client.query(&format!("SELECT count() FROM {target} WHERE 0 FORMAT TSV"), &[])?;
    let target_name = client.url().shown();
    let expanded = triage_read::expand_inputs(&args.input.paths);
    for e in &expanded.errors {
        say(format!("triage: warning: {e}"));
    }
    let redact = !args.input.no_redact;
    let progress = !args.input.quiet;
    let (mut files, mut skipped, mut total, mut bytes) = (0usize, 0usize, 0u64, 0u64);
    let started = Instant::now();
    for src in &expanded.sources {
        let triage_read::Source::File(path) = src else {
            bail!("ingest reads files, not standard input (it keeps a ledger of files to stay idempotent)");
        };
        let meta = std::fs::metadata(path).with_context(|| format!("reading {}", path.display()))?;
        let key = FileKey {
            path: std::fs::canonicalize(path)
                .unwrap_or_else(|_| path.clone())
                .display()
                .to_string(),
            size: meta.len(),
            mtime: meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_secs()),
        };
        if ingest::already_ingested(&client, &target_name, &key)? {
            skipped += 1;
            if progress {
                say(format!("triage: {}: already in {target_name}, skipped", path.display()));
            }
            continue;
        }
        // A start noted before, without the ledger's end: an earlier ingest of this very
        // file died part-way. Its batches went in whole and in order, so the file's rows
        // in the table are its first records: those are skipped, the rest inserted.
        let resume = if ingest::started(&client, &target_name, &key)? {
            ingest::rows_of_file(&client, &key.path, map)?
        } else {
            ingest::record_started(&client, &target_name, &key)?;
            0
        };
        if resume > 0 && progress {
            say(format!(
                "triage: {}: an earlier ingest stopped after {resume} records; inserting the rest",
                path.display()
            ));
        }
        let mut skip = resume;
        let file_started = Instant::now();
        let mut batch: Vec<u8> = Vec::with_capacity(args.batch_bytes + (1 << 20));
        let mut records = 0u64;
        let mut failure: Option<anyhow::Error> = None;
        let insert_sql = format!("INSERT INTO {target} FORMAT JSONEachRow");
        let flush = |batch: &mut Vec<u8>| -> Result<()> {
            if batch.is_empty() {
                return Ok(());
            }
            let gz = ingest::gzip(batch)?;
            client.insert(&insert_sql, &gz)?;
            batch.clear();
            Ok(())
        };
        let name = path.display().to_string();
        let summary = intake::run(
            std::slice::from_ref(&name),
            &opts,
            |info, recs, _| {
                let file_service = facets::service_of_file(&info.name);
                let mut out = Vec::with_capacity(recs.len() * 200);
                for r in recs {
                    let masked = redact.then(|| crate::redacted(r)).flatten();
                    let r = masked.as_ref().unwrap_or(r);
                    let f = facets::facets_of(r, &file_service);
                    let row = ingest::Row {
                        ts: r.ts,
                        level: r.level,
                        service: f.service,
                        host: f.host,
                        module: f.module,
                        message: &r.message,
                        source: &key.path,
                        fields: &r.fields,
                    };
                    ingest::write_row(&row, map, &mut out);
                }
                (out, recs.len() as u64)
            },
            |event| {
                warn_event(&event);
                if let IntakeEvent::Chunk(_, (rows, n), _) = event {
                    records += n;
                    // One JSON line per record: the first `skip` lines are in already.
                    let mut rows: &[u8] = &rows;
                    while skip > 0 && !rows.is_empty() {
                        let end = rows.iter().position(|&b| b == b'\n').map_or(rows.len(), |i| i + 1);
                        rows = &rows[end..];
                        skip -= 1;
                    }
                    batch.extend_from_slice(rows);
                    if batch.len() >= args.batch_bytes {
                        if let Err(e) = flush(&mut batch) {
                            failure = Some(e);
                            return false;
                        }
                    }
                }
                true
            },
        );
        if failure.is_none() {
            if let Err(e) = flush(&mut batch) {
                failure = Some(e);
            }
        }
        if let Some(e) = failure {
            return Err(e).with_context(|| {
                format!("inserting {name} into {target_name} ({records} records parsed; rerun to retry the file)")
            });
        }
        if summary.files_read == 0 {
            say(format!("triage: warning: {name}: nothing could be read, not recorded"));
            continue;
        }
        ingest::record_ingested(&client, &target_name, &key, records)?;
        files += 1;
        total += records;
        bytes += key.size;
        if progress {
            let secs = file_started.elapsed().as_secs_f64().max(1e-3);
            say(format!(
                "triage: {name}: {records} records into {target_name} ({:.1} MB/s)",
                key.size as f64 / 1e6 / secs
            ));
        }
    }
    let secs = started.elapsed().as_secs_f64().max(1e-3);
    if progress || std::io::stderr().is_terminal() {
        say(format!(
            "triage: ingest: {files} file(s), {total} records, {:.1} MB in {secs:.1} s ({:.1} MB/s); {skipped} already ingested",
            bytes as f64 / 1e6,
            bytes as f64 / 1e6 / secs
        ));
    }
    Ok(std::process::ExitCode::SUCCESS)
}
