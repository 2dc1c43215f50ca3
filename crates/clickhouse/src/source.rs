//! A ClickHouse table → the analysis's [`Collected`], with the per-row work done by the
//! server: a range query (count, first and last second), the frame resolved from it as
//! for files, then one pass over every row giving per SQL shape its count, first/last
//! second, latest message and count groups per (second, level, service, host, module)
//! — per second inside the window, the baselines and the series, per gap between them
//! outside, where rows only count towards totals and templates; samples per variant of
//! the shapes inside those spans; records per minute. The samples are masked here by
//! the same masker as files, so each SQL shape lands on the Rust shape (and template)
//! files give.

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
    /// The earliest change to blame (nanoseconds): records per minute are fetched from
    /// it (or from the series start, if earlier) on; none = no changes, no minutes.
    pub minutes_from: Option<i64>,
}

impl Default for SourceOptions {
    fn default() -> Self {
        SourceOptions {
            mapping: Mapping::default(),
            frame: FrameRequest::default(),
            max_groups: 5_000_000,
            max_shapes: 100_000,
            minutes_from: None,
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
    /// Of which the shapes answers (count groups, latest messages, samples) and the
    /// records per minute.
    pub shape_bytes: u64,
    pub count_bytes: u64,
    /// SQL shapes whose samples masked to more than one Rust shape (the SQL shape was
    /// coarser there), and the records they hold: the bound on count differences.
    pub shape_conflicts: usize,
    pub conflict_records: u64,
    /// Records of shapes that occur outside the analysed spans only, counted without
    /// samples (under one placeholder shape).
    pub unsampled_records: u64,
    pub shards: usize,
    pub shards_down: Vec<String>,
    pub millis: u64,
}

/// The placeholder message of records whose shapes were not sampled (they occur
/// outside the window, the series and the baselines only).
pub const UNSAMPLED: &str = "(records of message shapes outside the analysed spans, counted without samples)";

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
    // Inside them per segment of the series grid, with first and last second.
    let ceil_s = |ns: i64| (ns + SECOND - 1).div_euclid(SECOND);
    let mut edges = vec![ceil_s(frame.window.0), ceil_s(frame.window.1)];
    for b in &frame.baselines {
        edges.extend([ceil_s(b.0), ceil_s(b.1)]);
    }
    edges.sort_unstable();
    edges.dedup();
    let bucket = (frame.bucket / SECOND).max(1);
    let grid = sql::Grid {
        bucket,
        offset: ceil_s(frame.window.0).rem_euclid(bucket),
        edges,
    };

    // 2. One pass over every row: per SQL shape its counts, times, latest message and
    // count groups.
    let before = client.bytes_received();
    let shapes_text = client.query(
        &sql::shapes_query(&schema, &table, &fine, &grid, opts.max_shapes + 1, opts.max_groups + 1),
        &settings,
    )?;
    stats.shape_bytes = client.bytes_received() - before;
    #[derive(serde::Deserialize)]
    struct ShapeRow {
        h: u64,
        n: u64,
        first: u32,
        last: u32,
        latest: String,
        /// (first, last, level, service, host, module, n)
        groups: Vec<(u32, u32, String, String, String, String, u64)>,
        #[serde(default)]
        samples: Vec<String>,
    }
    let mut rows: Vec<ShapeRow> = Vec::new();
    for (i, line) in shapes_text.lines().filter(|l| !l.is_empty()).enumerate() {
        rows.push(serde_json::from_str(line).map_err(|e| bad(client, format!("shape row {}: {e}", i + 1)))?);
    }
    drop(shapes_text);
    if rows.len() > opts.max_shapes {
        rows.truncate(opts.max_shapes);
        data_loss.push(format!(
            "only the {} most frequent message shapes were fetched from ClickHouse (cap); rarer ones are missing",
            opts.max_shapes
        ));
    }
    stats.sql_shapes = rows.len();
    // 3. Samples per variant, for the shapes of the window, series and baselines.
    let before = client.bytes_received();
    let variants = client.query(&sql::variants_query(&schema, &table, &fine), &settings)?;
    stats.shape_bytes += client.bytes_received() - before;
    {
        #[derive(serde::Deserialize)]
        struct VariantRow {
            h: u64,
            samples: Vec<String>,
        }
        let at: FxHashMap<u64, usize> = rows.iter().enumerate().map(|(i, r)| (r.h, i)).collect();
        for (i, line) in variants.lines().filter(|l| !l.is_empty()).enumerate() {
            let v: VariantRow =
                serde_json::from_str(line).map_err(|e| bad(client, format!("variant row {}: {e}", i + 1)))?;
            if let Some(&k) = at.get(&v.h) {
                let r = &mut rows[k];
                r.samples = v.samples.into_iter().filter(|m| *m != r.latest).collect();
                r.samples.dedup();
            }
        }
    }
    // 4. The records of shapes not returned (none of their records in the spans, or past
    // the cap): the table's counts per (level, service, host, module) less the returned
    // shapes'. They count towards the totals and the dimensions, not towards templates.
    let before = client.bytes_received();
    let dims_text = client.query(&sql::dims_query(&schema, &table), &settings)?;
    stats.count_bytes += client.bytes_received() - before;
    #[derive(serde::Deserialize)]
    struct DimRow {
        lvl: String,
        svc: String,
        hst: String,
        mdl: String,
        n: u64,
    }
    type Dims = (String, String, String, String);
    let mut rest: FxHashMap<Dims, u64> = FxHashMap::default();
    for (i, line) in dims_text.lines().filter(|l| !l.is_empty()).enumerate() {
        let d: DimRow = serde_json::from_str(line).map_err(|e| bad(client, format!("dimension row {}: {e}", i + 1)))?;
        *rest.entry((d.lvl, d.svc, d.hst, d.mdl)).or_insert(0) += d.n;
    }
    for r in &rows {
        for (_, _, lvl, svc, hst, mdl, n) in &r.groups {
            if let Some(v) = rest.get_mut(&(lvl.clone(), svc.clone(), hst.clone(), mdl.clone())) {
                *v = v.saturating_sub(*n);
            }
        }
    }
    rest.retain(|_, n| *n > 0);
    let mut rest: Vec<(Dims, u64)> = rest.into_iter().collect();
    rest.sort();
    stats.unsampled_records = rest.iter().map(|(_, n)| n).sum();
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
        for m in &r.samples {
            records.push(Record {
                ts: time(r.first),
                message: m.clone(),
                ..Default::default()
            });
        }
        spans.push(start..records.len());
    }
    // A placeholder shape only when there is something to count under it.
    let unsampled_at = (!rest.is_empty()).then_some(records.len());
    if unsampled_at.is_some() {
        records.push(Record {
            message: UNSAMPLED.to_string(),
            ..Default::default()
        });
    }
    let mut chunk = shape_chunk(masker, &records, true);
    drop(records);
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
        if let Some(other) = r.samples.first() {
            recent[main].push((f, other.clone()));
        }
    }
    stats.rust_shapes = chunk.shapes.len();

    // Count groups: per second in the fine spans, per gap outside them.
    let mut groups: Vec<RecordGroup> = Vec::new();
    let mut cut = false;
    for r in &rows {
        let shape = by_hash[&r.h];
        if r.groups.len() > opts.max_groups {
            cut = true;
        }
        for (f, l, lvl, svc, hst, mdl, n) in &r.groups {
            if groups.len() + 1 >= opts.max_groups {
                cut = true;
                break;
            }
            let level = Level::parse_loose(lvl);
            let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
            let s = &mut chunk.shapes[shape as usize];
            s.count += n;
            s.levels[level.map_or(6, |l| l as usize)] += n;
            let group = RecordGroup {
                ts: (*f > 0).then_some(*f as i64 * SECOND),
                level,
                service: opt(svc).unwrap_or_else(|| url.table.clone()),
                host: opt(hst),
                module: opt(mdl),
                shape,
                count: *n,
            };
            // n - 1 records at the first second, one at the last (Grid).
            if l != f && *n > 1 {
                groups.push(RecordGroup {
                    ts: (*l > 0).then_some(*l as i64 * SECOND),
                    count: 1,
                    ..group.clone()
                });
                groups.push(RecordGroup { count: n - 1, ..group });
            } else {
                groups.push(group);
            }
        }
    }
    if cut {
        data_loss.push(format!(
            "the ClickHouse answer was cut at {} count groups (cap); later groups are missing",
            opts.max_groups
        ));
    }
    let anchor = fine.iter().map(|f| f.from).min().unwrap_or(1) - 1;
    for ((lvl, svc, hst, mdl), n) in rest {
        let Some(unsampled) = unsampled_at.map(|i| chunk.record_shape[i]) else {
            break;
        };
        let level = Level::parse_loose(&lvl);
        let s = &mut chunk.shapes[unsampled as usize];
        s.count += n;
        s.levels[level.map_or(6, |l| l as usize)] += n;
        groups.push(RecordGroup {
            ts: (anchor > 0).then_some(anchor * SECOND),
            level,
            service: if svc.is_empty() { url.table.clone() } else { svc },
            host: (!hst.is_empty()).then_some(hst),
            module: (!mdl.is_empty()).then_some(mdl),
            shape: unsampled,
            count: n,
        });
    }
    if stats.unsampled_records > 0 {
        notes.push(format!(
            "ClickHouse: {} records of message shapes that occur neither in the window, the series nor the baselines were counted without samples (in the totals, not in templates)",
            stats.unsampled_records
        ));
    }
    stats.groups = groups.len();
    // 4. Records per minute (blame's load gating) from the earliest change on, where
    // the count groups are per gap.
    let mut minutes: Option<Vec<(i64, u64)>> = None;
    if let Some(change) = opts.minutes_from {
        let from = change.min(frame.series_start - len).div_euclid(60 * SECOND) * 60;
        let before = client.bytes_received();
        let text = client.query(&sql::minutes_query(&schema, &table, from), &settings)?;
        stats.count_bytes += client.bytes_received() - before;
        let mut m = Vec::new();
        for (i, f) in tsv_rows(&text).enumerate() {
            match (f.first().map(|v| v.parse::<i64>()), f.get(1).map(|v| v.parse::<u64>())) {
                (Some(Ok(k)), Some(Ok(n))) => m.push((k, n)),
                _ => return Err(bad(client, format!("minute row {}: {:?}", i + 1, f))),
            }
        }
        minutes = Some(m);
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
        collected.minute_counts = minutes;
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
        "ClickHouse {} ({}): {} records in {} count groups and {} message shapes; {} bytes received, compressed ({} for shapes, count groups and samples, {} for counts per minute and per dimension)",
        stats.server_version, shown, stats.records, stats.groups, stats.sql_shapes, stats.bytes_received, stats.shape_bytes, stats.count_bytes
    ));
    Ok(Fetched {
        collected,
        stats,
        notes,
        data_loss,
    })
}
