//! A ClickHouse table → the analysis's [`Collected`], with the per-row work done by the
//! server: a range query (count, first and last second), the frame resolved from it as
//! for files, then one query per SQL shape (counts, first/last second, samples) and one
//! of counts per (second, level, service, host, module, SQL shape) — per second inside
//! the window, the baselines and the series, per hour outside them, where rows only
//! count towards totals and templates. The samples are masked here by the same masker
//! as files, so each SQL shape lands on the Rust shape (and template) files give.

use std::time::Instant;

use rustc_hash::FxHashMap;
use triage_analyze::collect::{digest_groups, Collected, Collector, RecordGroup};
use triage_analyze::frame::{Frame, FrameRequest, SECOND};
use triage_mine::mask::Masker;
use triage_mine::miner::shape_chunk;
use triage_parse::{Level, Record};

use crate::client::Client;
use crate::schema::{self, Mapping};
use crate::sql::{self, literal, tsv_unescape};
use crate::ChError;

/// What to read and how much at most.
#[derive(Debug, Clone)]
pub struct SourceOptions {
    pub mapping: Mapping,
    pub frame: FrameRequest,
    /// Most count groups fetched (rows of the counts query); beyond it the answer is
    /// cut and the report says so.
    pub max_groups: usize,
    /// Most SQL shapes fetched (the most frequent first).
    pub max_shapes: usize,
}

impl Default for SourceOptions {
    fn default() -> Self {
        SourceOptions {
            mapping: Mapping::default(),
            frame: FrameRequest::default(),
            max_groups: 5_000_000,
            max_shapes: 100_000,
        }
    }
}

/// Figures of one push-down, for the report's notes and the benchmark.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PushDownStats {
    pub server_version: String,
    pub records: u64,
    pub sql_shapes: usize,
    pub rust_shapes: usize,
    pub groups: usize,
    pub bytes_received: u64,
    /// Of which the shapes answer (samples) and the counts answer.
    pub shape_bytes: u64,
    pub count_bytes: u64,
    /// SQL shapes whose samples masked to more than one Rust shape (the SQL shape was
    /// coarser there), and the records they hold: the bound on count differences.
    pub shape_conflicts: usize,
    pub conflict_records: u64,
    pub shards: usize,
    pub shards_down: Vec<String>,
    pub millis: u64,
}

/// What [`collect`] gives: the records as the analysis takes them, and what to say.
pub struct Fetched {
    pub collected: Collected,
    pub stats: PushDownStats,
    /// One line each, for the report's notes.
    pub notes: Vec<String>,
    /// What is missing (a shard down, a cap hit): the report is `partial`.
    pub data_loss: Vec<String>,
}

fn tsv_rows(text: &str) -> impl Iterator<Item = Vec<&str>> {
    text.lines().filter(|l| !l.is_empty()).map(|l| l.split('\t').collect())
}

fn bad(client: &Client, why: String) -> ChError {
    ChError::BadAnswer {
        url: client.url().shown(),
        why,
    }
}

/// Shards by name (`shard 2`) and `address:port`.
type Shards = Vec<(String, String)>;

/// The cluster and shards of a `Distributed` table; none for a local table.
fn shards(client: &Client) -> Result<(Option<String>, Shards), ChError> {
    let url = client.url();
    let engine = client.query(
        &format!(
            "SELECT engine_full FROM system.tables WHERE database = {} AND name = {} FORMAT TSV",
            literal(&url.database),
            literal(&url.table)
        ),
        &[],
    )?;
    let engine = tsv_unescape(engine.trim());
    let Some(args) = engine.strip_prefix("Distributed(") else {
        return Ok((None, Vec::new()));
    };
    let cluster = args
        .split(',')
        .next()
        .unwrap_or("")
        .trim()
        .trim_matches(|c| c == '\'' || c == '`' || c == '"')
        .to_string();
    let rows = client.query(
        &format!(
            "SELECT shard_num, host_address, port FROM system.clusters WHERE cluster = {} ORDER BY shard_num FORMAT TSV",
            literal(&cluster)
        ),
        &[],
    )?;
    let shards = tsv_rows(&rows)
        .filter(|r| r.len() >= 3)
        .map(|r| (format!("shard {}", r[0]), format!("{}:{}", r[1], r[2])))
        .collect();
    Ok((Some(cluster), shards))
}

/// Asks each shard for one row through `remote()`; those that fail are down.
fn shards_down(client: &Client, shards: &[(String, String)]) -> Vec<String> {
    let url = client.url();
    let pass = url.password.clone().unwrap_or_default();
    shards
        .iter()
        .filter_map(|(name, addr)| {
            let q = format!(
                "SELECT 1 FROM remote({}, system, one, {}, {}) FORMAT TSV",
                literal(addr),
                literal(&url.user),
                literal(&pass)
            );
            match client.query(&q, &[("connect_timeout_with_failover_ms", "1000")]) {
                Ok(_) => None,
                Err(e @ (ChError::Connect { .. } | ChError::Timeout { .. } | ChError::Auth { .. })) => Some(Err(e)),
                Err(e) => Some(Ok(format!("{name} ({addr}): {}", crate::one_line(&e.to_string(), 160)))),
            }
        })
        .collect::<Result<Vec<String>, ChError>>()
        .unwrap_or_default()
}

/// Runs the push-down against `client`'s table.
pub fn collect(client: &Client, masker: &Masker, opts: &SourceOptions) -> Result<Fetched, ChError> {
    let started = Instant::now();
    let url = client.url().clone();
    let shown = url.shown();
    let table = url.qualified_table();
    let mut stats = PushDownStats {
        server_version: client.query("SELECT version() FORMAT TSV", &[])?.trim().to_string(),
        ..Default::default()
    };
    let described = client.query(&format!("DESCRIBE TABLE {table} FORMAT TSV"), &[])?;
    let schema = schema::resolve(
        &opts.mapping,
        &schema::parse_describe(&described),
        &shown,
        &format!("{}.{}", url.database, url.table),
    )?;
    let mut notes = Vec::new();
    let mut data_loss = Vec::new();
    let (cluster, shard_list) = shards(client)?;
    stats.shards = shard_list.len().max(1);
    stats.shards_down = shards_down(client, &shard_list);
    let mut settings: Vec<(&str, &str)> = Vec::new();
    if !stats.shards_down.is_empty() {
        if stats.shards_down.len() == shard_list.len() {
            return Err(ChError::Connect {
                url: shown,
                why: format!(
                    "no shard of cluster {} answers: {}",
                    cluster.unwrap_or_default(),
                    stats.shards_down.join("; ")
                ),
            });
        }
        settings.push(("skip_unavailable_shards", "1"));
        data_loss.push(format!(
            "ClickHouse {} of {} shard(s) of cluster {} did not answer, their rows are missing: {}",
            stats.shards_down.len(),
            shard_list.len(),
            cluster.as_deref().unwrap_or("?"),
            stats.shards_down.join("; ")
        ));
    }

    // 1. How many rows, over which seconds.
    let range = client.query(&sql::range_query(&schema, &table), &settings)?;
    let r: Vec<u64> = range
        .split('\t')
        .map(|v| v.trim().parse::<u64>().unwrap_or(0))
        .collect();
    let (total, lo, hi, _untimed) = match r[..] {
        [n, lo, hi, u] => (n, lo as i64, hi as i64, u),
        _ => return Err(bad(client, format!("range query: {range:?}"))),
    };
    stats.records = total;
    let data = (total > 0 && hi > 0).then_some((lo.max(1) * SECOND, hi * SECOND));
    let frame = Frame::resolve(&opts.frame, data);
    // Per second wherever the analysis looks at times: the series (with a window's
    // length of lead-in) and every baseline, each widened by a second for rounding.
    let len = frame.window_len();
    let mut spans = vec![(frame.series_start - len, frame.window.1)];
    spans.extend(frame.baselines.iter().map(|b| (b.0 - len, b.1)));
    let fine: Vec<sql::FineSpan> = spans
        .iter()
        .map(|(a, b)| sql::FineSpan {
            from: a.div_euclid(SECOND) - 1,
            to: (b + SECOND - 1).div_euclid(SECOND) + 1,
        })
        .collect();

    // 2. Shapes and their samples.
    let before = client.bytes_received();
    let shapes_text = client.query(&sql::shapes_query(&schema, &table, opts.max_shapes + 1), &settings)?;
    stats.shape_bytes = client.bytes_received() - before;
    #[derive(serde::Deserialize)]
    struct ShapeRow {
        h: u64,
        n: u64,
        first: u32,
        last: u32,
        latest: String,
        samples: Vec<String>,
    }
    let mut rows: Vec<ShapeRow> = Vec::new();
    for (i, line) in shapes_text.lines().filter(|l| !l.is_empty()).enumerate() {
        rows.push(serde_json::from_str(line).map_err(|e| bad(client, format!("shape row {}: {e}", i + 1)))?);
    }
    if rows.len() > opts.max_shapes {
        rows.truncate(opts.max_shapes);
        data_loss.push(format!(
            "only the {} most frequent message shapes were fetched from ClickHouse (cap); rarer ones are missing",
            opts.max_shapes
        ));
    }
    stats.sql_shapes = rows.len();
    // The real masker over the samples (the latest first): the Rust shape each SQL
    // shape's records are counted under, the other shapes its samples show (so that
    // induction sees the variants files would show it), and the samples' parameters.
    let time = |t: u32| (t > 0).then_some(t as i64 * SECOND);
    let mut records = Vec::new();
    let mut spans = Vec::with_capacity(rows.len());
    for r in &rows {
        let start = records.len();
        records.push(Record {
            ts: time(r.last),
            message: r.latest.clone(),
            ..Default::default()
        });
        for m in r.samples.iter().filter(|m| **m != r.latest) {
            records.push(Record {
                ts: time(r.first),
                message: m.clone(),
                ..Default::default()
            });
        }
        spans.push(start..records.len());
    }
    let mut chunk = shape_chunk(masker, &records, true);
    let mut by_hash: FxHashMap<u64, u32> = FxHashMap::default();
    for (r, span) in rows.iter().zip(&spans) {
        by_hash.insert(r.h, chunk.record_shape[span.start]);
    }
    for s in &mut chunk.shapes {
        s.count = 0;
        s.levels = [0; 7];
        s.first_ts = None;
        s.last_ts = None;
    }
    let mut recent: Vec<Vec<(Option<i64>, String)>> = vec![Vec::new(); chunk.shapes.len()];
    for (r, span) in rows.iter().zip(&spans) {
        let (f, l) = (time(r.first), time(r.last));
        for &id in &chunk.record_shape[span.clone()] {
            let s = &mut chunk.shapes[id as usize];
            s.first_ts = match (s.first_ts, f) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            s.last_ts = match (s.last_ts, l) {
                (Some(a), Some(b)) => Some(a.max(b)),
                (a, b) => a.or(b),
            };
        }
        let main = by_hash[&r.h] as usize;
        recent[main].push((l, r.latest.clone()));
        if let Some(other) = r.samples.iter().find(|m| **m != r.latest) {
            recent[main].push((f, other.clone()));
        }
    }
    stats.rust_shapes = chunk.shapes.len();

    // 3. Counts per second (hour outside the fine spans), level, service, host, module, shape.
    let before = client.bytes_received();
    let counts = client.query(&sql::rows_query(&schema, &table, &fine, opts.max_groups + 1), &settings)?;
    stats.count_bytes = client.bytes_received() - before;
    let mut groups: Vec<RecordGroup> = Vec::new();
    let mut unknown_shape = 0u64;
    for (i, f) in tsv_rows(&counts).enumerate() {
        if f.len() != 7 {
            return Err(bad(
                client,
                format!("count row {}: {} fields, expected 7", i + 1, f.len()),
            ));
        }
        if groups.len() == opts.max_groups {
            data_loss.push(format!(
                "the ClickHouse answer was cut at {} count groups (cap); later groups are missing",
                opts.max_groups
            ));
            break;
        }
        let num = |s: &str| {
            s.parse::<u64>()
                .map_err(|_| bad(client, format!("count row {}: {s:?} is not a number", i + 1)))
        };
        let (g, h, n) = (num(f[0])?, num(f[5])?, num(f[6])?);
        let Some(&shape) = by_hash.get(&h) else {
            unknown_shape += n;
            continue;
        };
        let level = Level::parse_loose(&tsv_unescape(f[1]));
        let opt = |s: &str| (!s.is_empty()).then(|| tsv_unescape(s));
        let service = opt(f[2]).unwrap_or_else(|| url.table.clone());
        let s = &mut chunk.shapes[shape as usize];
        s.count += n;
        s.levels[level.map_or(6, |l| l as usize)] += n;
        groups.push(RecordGroup {
            ts: (g > 0).then_some(g as i64 * SECOND),
            level,
            service,
            host: opt(f[3]),
            module: opt(f[4]),
            shape,
            count: n,
        });
    }
    if unknown_shape > 0 {
        data_loss.push(format!(
            "{unknown_shape} records of message shapes missing from the shapes answer (beyond the shape cap, or written while the analysis ran) were not counted"
        ));
    }
    stats.groups = groups.len();
    // 4. Records per minute (blame's load gating), where the counts are per hour.
    let before = client.bytes_received();
    let minutes_text = client.query(&sql::minutes_query(&schema, &table), &settings)?;
    stats.count_bytes += client.bytes_received() - before;
    let mut minutes: Vec<(i64, u64)> = Vec::new();
    for (i, f) in tsv_rows(&minutes_text).enumerate() {
        match (f.first().map(|v| v.parse::<i64>()), f.get(1).map(|v| v.parse::<u64>())) {
            (Some(Ok(m)), Some(Ok(n))) => minutes.push((m, n)),
            _ => return Err(bad(client, format!("minute row {}: {:?}", i + 1, f))),
        }
    }
    // Rows in time order: the analysis takes them in input order, and a table has none.
    groups.sort_by_key(|g| g.ts.unwrap_or(i64::MIN));
    let recent: Vec<(u32, Option<i64>, String)> = recent
        .into_iter()
        .enumerate()
        .flat_map(|(s, mut v)| {
            v.sort_by_key(|(t, _)| *t);
            let skip = v.len().saturating_sub(triage_analyze::collect::RECENT_SAMPLES);
            v.into_iter().skip(skip).map(move |(t, m)| (s as u32, t, m))
        })
        .collect();
    let chunk_ids = chunk.record_shape.clone();
    let mut collector = Collector::new()?;
    collector.absorb(digest_groups(chunk, &groups, recent))?;
    let mut collected = collector.finish()?;
    // Rows outside the fine spans come per hour: the true first second is the range's.
    if let Some((lo, hi)) = data {
        collected.min_ts = Some(lo);
        collected.max_ts = Some(hi);
        collected.minute_counts = Some(minutes);
    }
    // The bound on count differences: a SQL shape whose samples fall under more than
    // one template has all its records counted under the latest sample's template.
    let templates = triage_mine::miner::induce(&collected.shapes);
    let template_of = |local: u32| {
        let global = local as usize; // one chunk absorbed: local ids are global ids
        templates.shape_template.get(global).copied()
    };
    for (r, span) in rows.iter().zip(&spans) {
        let ids = &chunk_ids[span.clone()];
        let first = template_of(ids[0]);
        if ids.iter().any(|&s| template_of(s) != first) {
            stats.shape_conflicts += 1;
            stats.conflict_records += r.n;
        }
    }
    if stats.shape_conflicts > 0 {
        notes.push(format!(
            "ClickHouse: {} SQL message shape(s) ({} records) held messages of more than one template; their records are counted under the template of the latest message",
            stats.shape_conflicts, stats.conflict_records
        ));
    }
    stats.bytes_received = client.bytes_received();
    stats.millis = started.elapsed().as_millis() as u64;
    notes.push(format!(
        "ClickHouse {} ({}): {} records in {} count groups and {} message shapes; {} bytes received ({} for shapes and samples, {} for counts)",
        stats.server_version, shown, stats.records, stats.groups, stats.sql_shapes, stats.bytes_received, stats.shape_bytes, stats.count_bytes
    ));
    Ok(Fetched {
        collected,
        stats,
        notes,
        data_loss,
    })
}
