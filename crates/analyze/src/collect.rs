//! The single pass over the logs. Worker threads turn each chunk of records into a
//! [`ChunkDigest`] (shapes, per-record facts, chunk-local strings); the sink folds
//! digests in input order into a shape table, capped dictionaries and a spill file of
//! compact rows (one per record, on disk). The window is only known once the last
//! record is read (by default it is the last 15 minutes of the data), so the analysis
//! reads the rows back instead of holding records in memory.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, Write};

use rustc_hash::FxHashMap;
use triage_mine::mask::Masker;
use triage_mine::miner::{shape_chunk_visit, ChunkShapes, ShapeTable};
use triage_parse::Record;

use crate::facets::{self, split_item};
use crate::traces::{TraceEvent, TraceSample};

/// No value for an interned dimension.
pub const NONE: u32 = u32::MAX;
/// Longest sample text kept.
const SAMPLE_CHARS: usize = 400;
/// Most distinct values interned per dimension (hosts, services, modules, endpoints).
pub const MAX_DIMENSION_VALUES: usize = 50_000;
/// Most distinct values per item field; beyond it the field is an id, not a category.
pub const MAX_VALUES_PER_FIELD: usize = 500;
/// Most attribution items overall.
pub const MAX_ITEMS: usize = 1_000_000;
/// Samples kept per shape from its latest records.
pub const RECENT_SAMPLES: usize = 2;

/// One record, as the analysis needs it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Row {
    /// Nanoseconds; `i64::MIN` when the record has no time.
    pub ts: i64,
    pub shape: u32,
    /// `Level as u8`, 6 = none.
    pub level: u8,
    pub host: u32,
    pub service: u32,
    pub module: u32,
    pub endpoint: u32,
    pub status: u16,
    /// NaN when unknown.
    pub latency_ms: f32,
    /// `level` was inferred from the message's words (the line carried none).
    pub level_inferred: bool,
}

/// `Row::level` of a record without a level.
pub const NO_LEVEL: u8 = 6;

impl Row {
    pub fn time(&self) -> Option<i64> {
        (self.ts != i64::MIN).then_some(self.ts)
    }
    /// WARN and above.
    pub fn is_error(&self) -> bool {
        (3..6).contains(&self.level)
    }
}

/// A chunk's records, digested by a worker thread.
pub struct ChunkDigest {
    shapes: ChunkShapes,
    /// Rows with chunk-local ids (shape local to `shapes`, dimensions local to `strings`).
    rows: Vec<Row>,
    /// Item string ids per row: `rows[i]` owns `items[item_ends[i-1]..item_ends[i]]`.
    items: Vec<u32>,
    item_ends: Vec<u32>,
    strings: Vec<String>,
    /// Trace id hash per row; empty when the chunk carries none.
    traces: Vec<Option<u64>>,
    /// Latest sample per local shape: (shape, ts, masked text).
    recent: Vec<(u32, Option<i64>, String)>,
    /// Records each row stands for; empty = one each (records read from files). A store
    /// that counted identical rows itself (ClickHouse) hands over one row per group.
    weights: Vec<u64>,
}

/// Records that a store grouped and counted (ClickHouse's `GROUP BY`): the same time,
/// level, service, host, module and shape, `count` times.
#[derive(Debug, Clone)]
pub struct RecordGroup {
    /// Nanoseconds.
    pub ts: Option<i64>,
    pub level: Option<triage_parse::Level>,
    pub service: String,
    pub host: Option<String>,
    pub module: Option<String>,
    /// Index into the shapes handed over with the groups.
    pub shape: u32,
    pub count: u64,
}

/// A digest of grouped records: the analysis takes them as `count` rows each, without
/// caring where they came from. `shapes` are masked by the caller (with the same
/// masker as for files); `recent` are samples per local shape, oldest first. Grouped
/// records carry no request facts, attribution items or trace ids.
pub fn digest_groups(
    shapes: ChunkShapes,
    groups: &[RecordGroup],
    recent: Vec<(u32, Option<i64>, String)>,
) -> ChunkDigest {
    let mut strings = LocalStrings::default();
    let mut rows = Vec::with_capacity(groups.len());
    let mut weights = Vec::with_capacity(groups.len());
    for g in groups {
        rows.push(Row {
            ts: g.ts.unwrap_or(i64::MIN),
            shape: g.shape,
            level: g.level.map_or(NO_LEVEL, |l| l as u8),
            host: g.host.as_deref().map_or(NONE, |h| strings.id(h)),
            service: strings.id(&g.service),
            module: g.module.as_deref().map_or(NONE, |m| strings.id(m)),
            endpoint: NONE,
            status: 0,
            latency_ms: f32::NAN,
            level_inferred: false,
        });
        weights.push(g.count);
    }
    ChunkDigest {
        shapes,
        item_ends: vec![0; rows.len()],
        rows,
        items: Vec::new(),
        strings: strings.strings,
        traces: Vec::new(),
        recent: recent
            .into_iter()
            .rev()
            .map(|(s, t, m)| (s, t, cut_sample(&m)))
            .collect(),
        weights,
    }
}

/// Fx hash of a string's bytes (interning, trace ids).
pub(crate) fn string_hash(s: &str) -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = rustc_hash::FxBuildHasher.build_hasher();
    h.write(s.as_bytes());
    h.finish()
}

/// Interned strings, each stored once: the index maps a string's hash to its id (a
/// second string with the same hash goes to `collisions`), so a lookup hashes once and
/// a new string costs one copy. A chunk's strings, and under [`Dictionary`] the pass's.
#[derive(Debug, Default)]
struct LocalStrings {
    index: FxHashMap<u64, u32>,
    collisions: FxHashMap<String, u32>,
    strings: Vec<String>,
}

impl LocalStrings {
    fn find(&self, s: &str) -> Option<u32> {
        let id = *self.index.get(&string_hash(s))?;
        if self.strings[id as usize] == s {
            Some(id)
        } else {
            self.collisions.get(s).copied()
        }
    }

    /// Adds `s`, which [`LocalStrings::find`] did not find.
    fn insert(&mut self, s: &str) -> u32 {
        let next = self.strings.len() as u32;
        match self.index.entry(string_hash(s)) {
            std::collections::hash_map::Entry::Occupied(_) => {
                self.collisions.insert(s.to_string(), next);
            }
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(next);
            }
        }
        self.strings.push(s.to_string());
        next
    }

    fn id(&mut self, s: &str) -> u32 {
        match self.find(s) {
            Some(id) => id,
            None => self.insert(s),
        }
    }
}

/// The id of `s`, looked up only when it differs from the previous record's.
fn interned<'a>(last: &mut (&'a str, u32), s: Option<&'a str>, strings: &mut LocalStrings) -> u32 {
    match s {
        None => NONE,
        Some(s) if last.1 != NONE && last.0 == s => last.1,
        Some(s) => {
            *last = (s, strings.id(s));
            last.1
        }
    }
}

/// Digests one chunk; pure and thread-safe. Records older than `items_from` get no
/// attribution items (see
/// [`crate::frame::ItemHorizon`]); `i64::MIN` keeps them all.
pub fn digest_chunk(masker: &Masker, file_name: &str, records: &[Record], items_from: i64) -> ChunkDigest {
    let file_service = facets::service_of_file(file_name);
    let mut strings = LocalStrings::default();
    // Rows and items are built as the visitor meets each record (once, in order); the
    // shape ids are filled in when the chunk's shapes are known.
    let mut rows = Vec::with_capacity(records.len());
    let mut items: Vec<u32> = Vec::new();
    let mut item_ends: Vec<u32> = Vec::with_capacity(records.len());
    let mut key = String::with_capacity(128);
    // Consecutive records usually share service, host and module: skip the hash then.
    let mut last: [(&str, u32); 3] = [("", NONE); 3];
    let shapes = shape_chunk_visit(masker, records, true, |k, text, params| {
        let Some(rec) = records.get(k) else { return };
        let f = facets::facets_of(rec, &file_service);
        if rec.ts.is_some_and(|t| t >= items_from) {
            facets::items_of(rec, f.request.as_ref(), text, params, &mut |field, value| {
                key.clear();
                key.push_str(field);
                key.push(facets::ITEM_SEP);
                key.push_str(value);
                items.push(strings.id(&key));
            });
        }
        item_ends.push(items.len() as u32);
        let req = f.request.as_ref();
        rows.push(Row {
            ts: rec.ts.unwrap_or(i64::MIN),
            shape: 0,
            level: rec.level.map_or(NO_LEVEL, |l| l as u8),
            host: interned(&mut last[0], f.host, &mut strings),
            service: interned(&mut last[1], Some(f.service), &mut strings),
            module: interned(&mut last[2], f.module, &mut strings),
            endpoint: req.map_or(NONE, |r| strings.id(&r.endpoint)),
            status: req.map_or(0, |r| r.status),
            latency_ms: req.and_then(|r| r.latency_ms).map_or(f32::NAN, |v| v as f32),
            level_inferred: false,
        });
    });
    for (row, &shape) in rows.iter_mut().zip(&shapes.record_shape) {
        row.shape = shape;
    }
    let mut seen = vec![false; shapes.shapes.len()];
    let mut recent = Vec::new();
    for (k, rec) in records.iter().enumerate().rev() {
        let s = shapes.record_shape.get(k).copied().unwrap_or(0) as usize;
        if s < seen.len() && !seen[s] {
            seen[s] = true;
            // Cut, not redacted: redaction runs once over the finished report.
            recent.push((s as u32, rec.ts, cut_sample(&rec.message)));
        }
    }
    let traces = crate::traces::chunk_traces(records);
    ChunkDigest {
        shapes,
        rows,
        items,
        item_ends,
        strings: strings.strings,
        traces,
        recent,
        weights: Vec::new(),
    }
}

/// At most [`SAMPLE_CHARS`] characters of a message (first lines of a stack trace).
fn cut_sample(message: &str) -> String {
    triage_text::cut_chars(message, SAMPLE_CHARS).into_owned()
}

/// A shortened sample, as a report shows it (secrets are masked in the finished report:
/// `redact::redact_report`).
pub fn sample_text(message: &str) -> String {
    cut_sample(message)
}

/// An interning dictionary with a cap; values past the cap get [`NONE`].
#[derive(Debug, Default)]
pub struct Dictionary {
    strings: LocalStrings,
    cap: usize,
    pub dropped: u64,
}

impl Dictionary {
    fn with_cap(cap: usize) -> Dictionary {
        Dictionary {
            cap,
            ..Default::default()
        }
    }
    fn id(&mut self, s: &str) -> u32 {
        if let Some(id) = self.strings.find(s) {
            return id;
        }
        if self.len() >= self.cap {
            self.dropped += 1;
            return NONE;
        }
        self.strings.insert(s)
    }
    pub fn len(&self) -> usize {
        self.strings.strings.len()
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    pub fn get(&self, id: u32) -> Option<&str> {
        self.strings.strings.get(id as usize).map(String::as_str)
    }
    pub fn find(&self, s: &str) -> Option<u32> {
        self.strings.find(s)
    }
}

/// Everything the single pass kept.
pub struct Collected {
    pub shapes: ShapeTable,
    pub hosts: Dictionary,
    pub services: Dictionary,
    pub modules: Dictionary,
    pub endpoints: Dictionary,
    /// Attribution items (`field\x1fvalue`).
    pub items: Dictionary,
    /// Latest samples per shape (ts, text), newest last.
    pub recent: Vec<Vec<(Option<i64>, String)>>,
    pub records: u64,
    pub records_without_time: u64,
    pub min_ts: Option<i64>,
    pub max_ts: Option<i64>,
    /// Events of sampled request traces (records that carry a trace id).
    pub traces: TraceSample,
    /// Per shape: the level its level-less records take (`Level as u8`; 6 = none),
    /// inferred from the words of the message once templates are known (empty = no
    /// inference). Applied by [`Collected::for_each_row`], so every pass sees it.
    pub inferred_levels: Vec<u8>,
    /// Records with field values past [`MAX_VALUES_PER_FIELD`] or [`MAX_ITEMS`]: those
    /// values are not used to explain spikes (counted per record, so chunking does not
    /// change the count).
    pub records_past_item_caps: u64,
    /// Records per minute as a store counted them (ClickHouse hands over rows outside
    /// the analysed spans per hour); when set, change blame's load gating reads these
    /// instead of counting the rows per minute.
    pub minute_counts: Option<Vec<(i64, u64)>>,
    spill: Option<File>,
}

/// Folds digests in input order.
pub struct Collector {
    c: Collected,
    writer: BufWriter<File>,
    /// Per item field: distinct values seen (for the per-field cap).
    field_values: FxHashMap<String, usize>,
    buf: Vec<u8>,
    ids: Vec<u32>,
}

impl Collector {
    pub fn new() -> io::Result<Collector> {
        let file = tempfile::tempfile()?;
        Ok(Collector {
            c: Collected {
                shapes: ShapeTable::default(),
                hosts: Dictionary::with_cap(MAX_DIMENSION_VALUES),
                services: Dictionary::with_cap(MAX_DIMENSION_VALUES),
                modules: Dictionary::with_cap(MAX_DIMENSION_VALUES),
                endpoints: Dictionary::with_cap(MAX_DIMENSION_VALUES),
                items: Dictionary::with_cap(MAX_ITEMS),
                recent: Vec::new(),
                records: 0,
                records_without_time: 0,
                min_ts: None,
                max_ts: None,
                traces: TraceSample::default(),
                inferred_levels: Vec::new(),
                records_past_item_caps: 0,
                minute_counts: None,
                spill: None,
            },
            writer: BufWriter::with_capacity(1 << 20, file),
            field_values: FxHashMap::default(),
            buf: Vec::with_capacity(1 << 16),
            ids: Vec::with_capacity(64),
        })
    }

    pub fn absorb(&mut self, d: ChunkDigest) -> io::Result<()> {
        let c = &mut self.c;
        let shape_ids = c.shapes.absorb(&d.shapes);
        // Local string id → global id, per use (dimensions and items intern separately).
        let n = d.strings.len();
        let mut host_map = vec![NONE - 1; n];
        let mut service_map = vec![NONE - 1; n];
        let mut module_map = vec![NONE - 1; n];
        let mut endpoint_map = vec![NONE - 1; n];
        let mut item_map = vec![NONE - 1; n];
        let resolve = |map: &mut Vec<u32>, dict: &mut Dictionary, id: u32| -> u32 {
            if id == NONE {
                return NONE;
            }
            let slot = &mut map[id as usize];
            if *slot == NONE - 1 {
                *slot = dict.id(&d.strings[id as usize]);
            }
            *slot
        };
        let mut start = 0usize;
        self.buf.clear();
        for (i, row) in d.rows.iter().enumerate() {
            let mut g = *row;
            g.shape = shape_ids.get(row.shape as usize).copied().unwrap_or(0);
            g.host = resolve(&mut host_map, &mut c.hosts, row.host);
            g.service = resolve(&mut service_map, &mut c.services, row.service);
            g.module = resolve(&mut module_map, &mut c.modules, row.module);
            g.endpoint = resolve(&mut endpoint_map, &mut c.endpoints, row.endpoint);
            let end = d.item_ends.get(i).copied().unwrap_or(start as u32) as usize;
            let ids = &mut self.ids;
            ids.clear();
            let mut past_cap = false;
            for &local in &d.items[start..end] {
                let slot = &mut item_map[local as usize];
                if *slot == NONE - 1 {
                    let key = &d.strings[local as usize];
                    *slot = if let Some(id) = c.items.find(key) {
                        id
                    } else {
                        let (field, _) = split_item(key);
                        // Looked up before inserting: a field past its cap meets this
                        // for every new value, and would allocate its name each time.
                        match self.field_values.get_mut(field) {
                            Some(seen) if *seen >= MAX_VALUES_PER_FIELD => NONE,
                            Some(seen) => {
                                *seen += 1;
                                c.items.id(key)
                            }
                            None => {
                                self.field_values.insert(field.to_string(), 1);
                                c.items.id(key)
                            }
                        }
                    };
                }
                if *slot != NONE {
                    ids.push(*slot);
                } else {
                    past_cap = true;
                }
            }
            c.records_past_item_caps += u64::from(past_cap);
            start = end;
            ids.sort_unstable();
            ids.dedup();
            if let (Some(Some(trace)), Some(ts)) = (d.traces.get(i), g.time()) {
                c.traces.offer(TraceEvent {
                    trace: *trace,
                    ts,
                    seq: c.records as u32,
                    service: g.service,
                    shape: g.shape,
                    level: g.level,
                });
            }
            let weight = d.weights.get(i).copied().unwrap_or(1);
            c.records += weight;
            match g.time() {
                Some(ts) => {
                    c.min_ts = Some(c.min_ts.map_or(ts, |m| m.min(ts)));
                    c.max_ts = Some(c.max_ts.map_or(ts, |m| m.max(ts)));
                }
                None => c.records_without_time += weight,
            }
            // A grouped row is written once per record it stands for: every later pass
            // reads plain rows, so none of them needs to know about weights.
            for _ in 0..weight {
                encode_row(&g, ids, &mut self.buf);
            }
            if self.buf.len() >= 1 << 20 && !d.weights.is_empty() {
                self.writer.write_all(&self.buf)?;
                self.buf.clear();
            }
        }
        self.writer.write_all(&self.buf)?;
        for (local, ts, text) in d.recent.into_iter().rev() {
            let Some(&gid) = shape_ids.get(local as usize) else {
                continue;
            };
            let gid = gid as usize;
            if c.recent.len() <= gid {
                c.recent.resize_with(gid + 1, Vec::new);
            }
            let r = &mut c.recent[gid];
            r.push((ts, text));
            if r.len() > RECENT_SAMPLES {
                r.remove(0);
            }
        }
        Ok(())
    }

    pub fn finish(mut self) -> io::Result<Collected> {
        self.writer.flush()?;
        let file = self.writer.into_inner().map_err(|e| e.into_error())?;
        self.c.spill = Some(file);
        Ok(self.c)
    }
}

const ROW_BYTES: usize = 8 + 4 * 5 + 2 + 4 + 1 + 1;

fn encode_row(r: &Row, items: &[u32], out: &mut Vec<u8>) {
    out.extend_from_slice(&r.ts.to_le_bytes());
    for v in [r.shape, r.host, r.service, r.module, r.endpoint] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.extend_from_slice(&r.status.to_le_bytes());
    out.extend_from_slice(&r.latency_ms.to_le_bytes());
    out.push(r.level);
    let n = items.len().min(255);
    out.push(n as u8);
    for v in &items[..n] {
        out.extend_from_slice(&v.to_le_bytes());
    }
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

impl Collected {
    /// Reads every row back, in input order.
    pub fn for_each_row(&mut self, mut f: impl FnMut(&Row, &[u32])) -> io::Result<()> {
        let Some(file) = self.spill.as_mut() else { return Ok(()) };
        file.rewind()?;
        let mut reader = BufReader::with_capacity(1 << 20, &*file);
        let mut head = [0u8; ROW_BYTES];
        let mut items: Vec<u32> = Vec::with_capacity(64);
        let mut item_bytes = [0u8; 255 * 4];
        loop {
            match reader.read_exact(&mut head) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => break,
                Err(e) => return Err(e),
            }
            let mut ts = [0u8; 8];
            ts.copy_from_slice(&head[..8]);
            let mut row = Row {
                ts: i64::from_le_bytes(ts),
                shape: u32_at(&head, 8),
                host: u32_at(&head, 12),
                service: u32_at(&head, 16),
                module: u32_at(&head, 20),
                endpoint: u32_at(&head, 24),
                status: u16::from_le_bytes([head[28], head[29]]),
                latency_ms: f32::from_le_bytes([head[30], head[31], head[32], head[33]]),
                level: head[34],
                level_inferred: false,
            };
            if row.level == NO_LEVEL {
                if let Some(&l) = self.inferred_levels.get(row.shape as usize) {
                    row.level = l;
                    row.level_inferred = l != NO_LEVEL;
                }
            }
            let n = head[35] as usize;
            reader.read_exact(&mut item_bytes[..n * 4])?;
            items.clear();
            items.extend((0..n).map(|i| u32_at(&item_bytes, i * 4)));
            f(&row, &items);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_strings_give_one_id_per_distinct_string() {
        let mut ls = LocalStrings::default();
        let words: Vec<String> = (0..5000).map(|i| format!("field\u{1f}value-{i}")).collect();
        let ids: Vec<u32> = words.iter().map(|w| ls.id(w)).collect();
        assert_eq!(ids, (0..5000).collect::<Vec<u32>>());
        assert!(words
            .iter()
            .zip(&ids)
            .all(|(w, &id)| ls.id(w) == id && ls.strings[id as usize] == *w));
        // A string whose hash is taken by another (made so here) is still told apart.
        ls.index.insert(string_hash("twin"), 3);
        assert_eq!(ls.id("twin"), 5000);
        assert_eq!(ls.id("twin"), 5000);
        assert_eq!(ls.id(&words[3]), 3);
    }

    /// The README states the spill row size: 36 bytes plus 4 per attribution item.
    #[test]
    fn a_row_is_36_bytes_plus_4_per_item() {
        let mut out = Vec::new();
        encode_row(&Row::default(), &[], &mut out);
        assert_eq!(out.len(), 36);
        out.clear();
        encode_row(&Row::default(), &[7, 8, 9], &mut out);
        assert_eq!(out.len(), 36 + 3 * 4);
    }

    fn rec(ts: i64, level: triage_parse::Level, msg: &str) -> Record {
        Record {
            ts: Some(ts),
            level: Some(level),
            message: msg.into(),
            module: Some("m.py".into()),
            ..Default::default()
        }
    }

    #[test]
    fn rows_round_trip_through_the_spill() {
        use triage_parse::Level::*;
        let masker = Masker::default();
        let records = vec![
            rec(1_000, Info, "user 42 logged in"),
            rec(2_000, Error, "export alarm record occurred=2020-06-03 10:00:00"),
            Record {
                ts: None,
                message: "orphan".into(),
                ..Default::default()
            },
        ];
        let d = digest_chunk(&masker, "logs/alarm-service.log", &records, i64::MIN);
        let mut c = Collector::new().expect("tempfile");
        c.absorb(d).expect("absorb");
        let mut col = c.finish().expect("finish");
        assert_eq!(col.records, 3);
        assert_eq!(col.records_without_time, 1);
        assert_eq!((col.min_ts, col.max_ts), (Some(1_000), Some(2_000)));
        let mut rows = Vec::new();
        let mut item_texts = Vec::new();
        let items = std::mem::take(&mut col.items);
        col.for_each_row(|r, it| {
            rows.push(*r);
            item_texts.push(
                it.iter()
                    .filter_map(|&i| items.get(i).map(|s| s.replace(facets::ITEM_SEP, "=")))
                    .collect::<Vec<_>>(),
            );
        })
        .expect("read back");
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[1].level, Error as u8);
        assert!(rows[1].is_error());
        assert_eq!(col.services.get(rows[0].service), Some("alarm-service"));
        assert_eq!(col.modules.get(rows[0].module), Some("m.py"));
        assert_eq!(rows[2].time(), None);
        assert!(
            item_texts[1].iter().any(|i| i == "occurred.year=2020"),
            "{:?}",
            item_texts[1]
        );
    }
}
