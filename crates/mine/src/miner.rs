//! The template miner.
//!
//! Mining is split in two so that it is single-pass, parallel and deterministic:
//!
//! 1. **Shapes, online.** Each record's text is masked ([`crate::mask`]) into a shape.
//!    Chunks are masked in parallel into [`ChunkShapes`] (a small local table), which are
//!    folded in input order into the global [`ShapeTable`]. Shapes are exact: two
//!    records share one when their masked text is equal. The hot path is one hash
//!    lookup per record.
//! 2. **Templates, by induction over shapes.** Shapes of equal token count that differ
//!    in one position are merged when that position looks like data: six or more
//!    values, or a value seen once, or `key=` syntax (`user=root`, `user=guest`). A few
//!    recurring words (`GET`/`POST`, `opened`/`closed`) stay separate events. A second
//!    pass lets a cluster join a bigger template it fits (variable where the template
//!    is variable, equal elsewhere). This runs over the shape table, never over lines,
//!    so its cost and memory depend on the number of shapes.
//!
//! Because step 2 only sees the merged shape table, mining shards and merging them
//! gives exactly the templates of a single pass.
//!
//! Memory: the shape table is capped ([`ShapeTable::MAX_SHAPES`]). When it is full,
//! further new shapes are folded into an overflow shape per token count, so memory is
//! bounded by the cap, whatever the input size.

use std::hash::BuildHasher;

use hashbrown::HashTable;
use rustc_hash::FxHashMap as HashMap;

use triage_parse::Record;

use crate::mask::{record_text, Kind, Masked, Masker, Param};
use crate::stats::ParamStats;

/// Values kept per placeholder (Space-Saving capacity).
pub const PARAM_TOP_K: usize = 16;

/// The statistics of one placeholder of a shape or template.
#[derive(Debug, Clone)]
pub struct SlotStats {
    pub kind: Kind,
    /// Token index in the template text.
    pub token: u16,
    pub stats: ParamStats,
}

/// Fewest distinct values at a position before it can be a variable at all.
pub const MIN_VARIANTS: usize = 3;

/// A shape seen in one chunk: masked text, count and where it was first seen.
#[derive(Debug, Clone)]
pub struct LocalShape {
    pub text: String,
    pub count: u64,
    /// Index in the chunk's record list of the first record with this shape.
    pub first_record: u32,
    /// The raw text of that first record (masked later for samples).
    pub sample: String,
    pub first_ts: Option<i64>,
    pub last_ts: Option<i64>,
    /// Records per level, indexed by `Level as usize`; index 6 = no level.
    pub levels: [u64; 7],
    /// One per masked value, when parameters are captured.
    pub params: Vec<SlotStats>,
}

/// The shapes of one chunk, and the local shape index of each record.
#[derive(Debug, Clone, Default)]
pub struct ChunkShapes {
    pub shapes: Vec<LocalShape>,
    /// Per record, in order: index into `shapes`.
    pub record_shape: Vec<u32>,
}

/// Adds one masked value to its slot.
fn capture(slot: &mut SlotStats, p: &Param, value: &str) {
    match p.kind {
        // The value of a list is its length (`IN (<list>)` with 10 000 ids).
        Kind::List => slot.stats.add_number(&p.items.to_string(), p.items as f64),
        Kind::Duration | Kind::Size => {
            let digits: String = value
                .chars()
                .skip_while(|c| !c.is_ascii_digit())
                .take_while(|c| c.is_ascii_digit() || *c == '.')
                .collect();
            match digits.parse::<f64>() {
                Ok(v) => slot.stats.add_number(value, v),
                Err(_) => slot.stats.add_text(value),
            }
        }
        _ => slot.stats.add_text(value),
    }
}

/// Masks the records of one chunk. Pure and thread-safe; run it on every core. With
/// `capture_params`, every masked value is added to its placeholder's statistics.
pub fn shape_chunk(masker: &Masker, records: &[Record], capture_params: bool) -> ChunkShapes {
    shape_chunk_visit(masker, records, capture_params, |_, _, _| {})
}

/// [`shape_chunk`], also handing each record's masked values to `visit` (record index,
/// the text the values index into, the values) — for callers that need per-record
/// parameters (spike attribution) without masking every message twice.
pub fn shape_chunk_visit(
    masker: &Masker,
    records: &[Record],
    capture_params: bool,
    visit: impl FnMut(usize, &str, &[Param]),
) -> ChunkShapes {
    SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut scratch) => shape_with(&mut scratch, masker, records, capture_params, visit),
        // Only if `visit` itself shapes a chunk on this thread.
        Err(_) => shape_with(&mut ShapeScratch::default(), masker, records, capture_params, visit),
    })
}

/// The working memory of [`shape_chunk_visit`], kept per thread between chunks and
/// cleared after each: allocating it afresh for every chunk showed in profiles as the
/// kernel zeroing new pages.
#[derive(Default)]
struct ShapeScratch {
    /// Local shape ids, by the hash of their text.
    index: HashTable<u32>,
    memo: MessageMemo,
    masked: Masked,
}

/// Messages this thread has masked, kept across chunks: logs repeat themselves (about
/// two thirds of the benchmark corpus's messages are exact repeats, many of them in
/// other chunks), and an identical message has the identical shape and value
/// positions, so it is masked once. Bounded: two generations of at most
/// [`MemoGeneration::MAX_TEXT`] each. New messages go into the current one; when it is
/// full it becomes the previous one (the older is forgotten), and a message found in
/// the previous generation is copied into the current one. So messages that keep
/// recurring stay, where clearing one full memo forgot them all: on the mixed
/// benchmark file, with the same 1 MiB per generation, 55 % of messages are found
/// against 46 % (and 65 % are repeats at all).
#[derive(Default)]
struct MessageMemo {
    current: MemoGeneration,
    previous: MemoGeneration,
    /// The masker the entries came from ([`Masker::config_id`]).
    config_id: u64,
}

/// One generation of [`MessageMemo`].
#[derive(Default)]
struct MemoGeneration {
    /// Entry index, by the hash of the message.
    table: HashTable<u32>,
    entries: Vec<MemoEntry>,
    /// Messages and their shapes, back to back.
    text: String,
    params: Vec<Param>,
}

#[derive(Clone, Copy)]
struct MemoEntry {
    /// The message's hash, kept so that growing the table does not hash texts again.
    hash: u64,
    message: (u32, u32),
    shape: (u32, u32),
    shape_hash: u64,
    params: (u32, u32),
}

impl MemoGeneration {
    /// Text held by one generation (per thread). Small on purpose: repeats are mostly
    /// near each other, and against a memo of 8 MiB (a cache miss on most lookups) one
    /// of 1 MiB took as long on the mixed benchmark file and 4 % less CPU on the 256 MB
    /// corpus, though it masks more.
    const MAX_TEXT: usize = 1 << 20;

    fn slice(&self, (from, len): (u32, u32)) -> &str {
        &self.text[from as usize..(from + len) as usize]
    }

    fn find(&self, hash: u64, message: &str) -> Option<MemoEntry> {
        self.table
            .find(hash, |&e| self.slice(self.entries[e as usize].message) == message)
            .map(|&e| self.entries[e as usize])
    }

    fn params(&self, e: &MemoEntry) -> &[Param] {
        &self.params[e.params.0 as usize..e.params.1 as usize]
    }

    fn has_room(&self, message: &str, shape: &str) -> bool {
        self.text.len() + message.len() + shape.len() <= Self::MAX_TEXT
    }

    fn insert(&mut self, hash: u64, message: &str, shape: &str, params: &[Param], shape_hash: u64) -> MemoEntry {
        if self.text.capacity() == 0 {
            // Growing by doubling copies what is held (and touches new memory each
            // time): reserve the whole at once; pages are only touched as text arrives.
            self.text.reserve(Self::MAX_TEXT);
            self.entries.reserve(8 * 1024);
            self.params.reserve(32 * 1024);
        }
        let mut put = |s: &str| {
            let at = self.text.len() as u32;
            self.text.push_str(s);
            (at, s.len() as u32)
        };
        let message_at = put(message);
        let shape_at = put(shape);
        let from = self.params.len() as u32;
        self.params.extend_from_slice(params);
        let id = self.entries.len() as u32;
        let entry = MemoEntry {
            hash,
            message: message_at,
            shape: shape_at,
            shape_hash,
            params: (from, self.params.len() as u32),
        };
        self.entries.push(entry);
        let entries = &self.entries;
        self.table.insert_unique(hash, id, |&e| entries[e as usize].hash);
        entry
    }

    fn clear(&mut self) {
        self.table.clear();
        self.entries.clear();
        self.text.clear();
        self.params.clear();
    }
}

impl MessageMemo {
    /// Longer messages are masked every time (rarely repeated, costly to keep).
    const MAX_MESSAGE: usize = 1024;

    /// The entry of `message`, in the current generation (where one found in the
    /// previous generation is copied; `scratch` carries it across the rotation).
    fn find(&mut self, hash: u64, message: &str, scratch: &mut Masked) -> Option<MemoEntry> {
        if let Some(e) = self.current.find(hash, message) {
            return Some(e);
        }
        let e = self.previous.find(hash, message)?;
        scratch.clear();
        scratch.shape.push_str(self.previous.slice(e.shape));
        scratch.params.extend_from_slice(self.previous.params(&e));
        self.insert(hash, message, scratch, e.shape_hash)
    }

    /// Text of an entry of the current generation.
    fn slice(&self, span: (u32, u32)) -> &str {
        self.current.slice(span)
    }

    fn params(&self, e: &MemoEntry) -> &[Param] {
        self.current.params(e)
    }

    fn insert(&mut self, hash: u64, message: &str, masked: &Masked, shape_hash: u64) -> Option<MemoEntry> {
        if message.len() > Self::MAX_MESSAGE {
            return None;
        }
        if !self.current.has_room(message, &masked.shape) {
            // The full generation becomes the previous one; the older one's memory is
            // reused (fresh memory costs page faults).
            std::mem::swap(&mut self.current, &mut self.previous);
            self.current.clear();
        }
        Some(
            self.current
                .insert(hash, message, &masked.shape, &masked.params, shape_hash),
        )
    }

    fn clear(&mut self) {
        self.current.clear();
        self.previous.clear();
    }

    /// Text held, both generations.
    #[cfg(test)]
    fn text_len(&self) -> usize {
        self.current.text.len() + self.previous.text.len()
    }
}

thread_local! {
    static SCRATCH: std::cell::RefCell<ShapeScratch> = std::cell::RefCell::new(ShapeScratch::default());
}

fn shape_with(
    scratch: &mut ShapeScratch,
    masker: &Masker,
    records: &[Record],
    capture_params: bool,
    mut visit: impl FnMut(usize, &str, &[Param]),
) -> ChunkShapes {
    // FxHash: shapes are our own text, not adversarial keys, and this is the hot path.
    let hasher = rustc_hash::FxBuildHasher;
    let ShapeScratch { index, memo, masked } = scratch;
    if memo.config_id != masker.config_id {
        memo.clear();
        memo.config_id = masker.config_id;
    }
    let mut out = ChunkShapes::default();
    out.record_shape.reserve(records.len());
    for (k, rec) in records.iter().enumerate() {
        let text = record_text(&rec.message);
        let message_hash = hasher.hash_one(rec.message.as_str());
        let remembered = memo.find(message_hash, &rec.message, masked);
        let (shape_text, shape_hash, params) = match &remembered {
            Some(e) => (memo.slice(e.shape), e.shape_hash, memo.params(e)),
            None => {
                masker.mask(&text, masked);
                (
                    masked.shape.as_str(),
                    hasher.hash_one(masked.shape.as_str()),
                    &masked.params[..],
                )
            }
        };
        let id = match index.find(shape_hash, |&id| out.shapes[id as usize].text == shape_text) {
            Some(&id) => id,
            None => {
                let id = out.shapes.len() as u32;
                out.shapes.push(LocalShape {
                    text: shape_text.to_string(),
                    count: 0,
                    first_record: k as u32,
                    sample: first_chars(&text, 512).to_string(),
                    first_ts: None,
                    last_ts: None,
                    levels: [0; 7],
                    params: if capture_params {
                        params
                            .iter()
                            .map(|p| SlotStats {
                                kind: p.kind,
                                token: p.token,
                                stats: ParamStats::new(PARAM_TOP_K),
                            })
                            .collect()
                    } else {
                        Vec::new()
                    },
                });
                let shapes = &out.shapes;
                index.insert_unique(shape_hash, id, |&id| hasher.hash_one(shapes[id as usize].text.as_str()));
                id
            }
        };
        let shape = &mut out.shapes[id as usize];
        if capture_params {
            for (slot, p) in shape.params.iter_mut().zip(params) {
                capture(slot, p, text.get(p.start as usize..p.end as usize).unwrap_or(""));
            }
        }
        visit(k, &text, params);
        count_record(shape, rec);
        out.record_shape.push(id);
        if remembered.is_none() {
            memo.insert(message_hash, &rec.message, masked, shape_hash);
        }
    }
    index.clear();
    out
}

/// The first `n` characters of `s` (a slice, so a short text is copied once).
fn first_chars(s: &str, n: usize) -> &str {
    if s.len() <= n {
        return s;
    }
    match s.char_indices().nth(n) {
        Some((cut, _)) => &s[..cut],
        None => s,
    }
}

/// Adds a record's count, level and time to its shape.
fn count_record(shape: &mut LocalShape, rec: &Record) {
    shape.count += 1;
    shape.levels[rec.level.map_or(6, |l| l as usize)] += 1;
    if let Some(ts) = rec.ts {
        shape.first_ts = Some(shape.first_ts.map_or(ts, |f| f.min(ts)));
        shape.last_ts = Some(shape.last_ts.map_or(ts, |l| l.max(ts)));
    }
}

/// A shape in the global table.
#[derive(Debug, Clone)]
pub struct Shape {
    pub text: String,
    pub count: u64,
    pub sample: String,
    pub first_ts: Option<i64>,
    pub last_ts: Option<i64>,
    pub levels: [u64; 7],
    pub params: Vec<SlotStats>,
}

/// All shapes seen so far, in order of first appearance.
#[derive(Debug, Default)]
pub struct ShapeTable {
    index: rustc_hash::FxHashMap<String, u32>,
    pub shapes: Vec<Shape>,
    /// Records folded into overflow shapes because the table was full.
    pub overflowed: u64,
    /// Induction's form of each shape (key token ids), built as shapes are folded in —
    /// on the thread that folds chunks, while the workers mask — so that induction,
    /// which waits for the last chunk, starts from it.
    keys: Vec<Vec<u32>>,
    key_tokens: TokenInterner,
    /// Shape token → key token id: shapes share most of their tokens.
    raw_tokens: HashMap<String, u32>,
}

impl ShapeTable {
    /// Most distinct shapes kept; beyond this, new shapes fold into one overflow shape
    /// per token count (documented memory bound).
    pub const MAX_SHAPES: usize = 200_000;

    /// Folds a chunk's shapes in; returns the global id of each local shape.
    pub fn absorb(&mut self, chunk: &ChunkShapes) -> Vec<u32> {
        chunk
            .shapes
            .iter()
            .map(|s| {
                let id = match self.index.get(s.text.as_str()) {
                    Some(&id) => id,
                    None if self.shapes.len() < Self::MAX_SHAPES => {
                        let id = self.insert(&s.text, &s.sample);
                        self.shapes[id as usize].params = s
                            .params
                            .iter()
                            .map(|p| SlotStats {
                                kind: p.kind,
                                token: p.token,
                                stats: ParamStats::new(PARAM_TOP_K),
                            })
                            .collect();
                        id
                    }
                    None => {
                        self.overflowed += s.count;
                        let n = s.text.split(' ').count();
                        let key = vec!["<*>"; n].join(" ");
                        match self.index.get(key.as_str()) {
                            Some(&id) => id,
                            None => self.insert(&key, &s.sample),
                        }
                    }
                };
                let g = &mut self.shapes[id as usize];
                g.count += s.count;
                if g.params.len() == s.params.len() {
                    for (a, b) in g.params.iter_mut().zip(&s.params) {
                        a.stats.merge(&b.stats);
                    }
                }
                for (a, b) in g.levels.iter_mut().zip(s.levels) {
                    *a += b;
                }
                g.first_ts = match (g.first_ts, s.first_ts) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
                g.last_ts = match (g.last_ts, s.last_ts) {
                    (Some(a), Some(b)) => Some(a.max(b)),
                    (a, b) => a.or(b),
                };
                id
            })
            .collect()
    }

    fn insert(&mut self, text: &str, sample: &str) -> u32 {
        let id = self.shapes.len() as u32;
        self.index.insert(text.to_string(), id);
        let (raw, tokens) = (&mut self.raw_tokens, &mut self.key_tokens);
        let key = text
            .split(' ')
            .map(|t| match raw.get(t) {
                Some(&id) => id,
                None => {
                    let id = tokens.id(group_token(t));
                    raw.insert(t.to_string(), id);
                    id
                }
            })
            .collect();
        self.keys.push(key);
        self.shapes.push(Shape {
            text: text.to_string(),
            count: 0,
            sample: sample.to_string(),
            first_ts: None,
            last_ts: None,
            levels: [0; 7],
            params: Vec::new(),
        });
        id
    }
}

/// A mined template.
#[derive(Debug, Clone)]
pub struct Template {
    /// Stable id: a hash of the template text (same across runs and machines).
    pub id: String,
    pub text: String,
    pub count: u64,
    /// Shapes it covers.
    pub shapes: Vec<u32>,
    pub first_ts: Option<i64>,
    pub last_ts: Option<i64>,
    pub levels: [u64; 7],
    /// Text of the first record of its most frequent shape.
    pub sample: String,
    /// Statistics per placeholder, in template order (when parameters were captured).
    pub params: Vec<SlotStats>,
}

/// The result of induction: templates and the template of each shape.
#[derive(Debug, Default)]
pub struct Templates {
    pub templates: Vec<Template>,
    /// `shape_template[shape id]` = index into `templates`.
    pub shape_template: Vec<u32>,
}

/// A typed mask in a key (`<num>`, `<ip>`…). Induced variables are `<*>`; the two are
/// kept apart so that a typed slot does not swallow a constant word.
const TYPED: &str = "<#>";

/// Token of a template key: typed placeholders compare equal to each other.
fn key_token(t: &str) -> String {
    if !t.contains('<') {
        return t.to_string();
    }
    let mut out = String::with_capacity(t.len());
    let mut rest = t;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        match rest[open..].find('>') {
            Some(close) if is_placeholder(&rest[open..open + close + 1]) => {
                out.push_str(TYPED);
                rest = &rest[open + close + 1..];
            }
            _ => {
                out.push('<');
                rest = &rest[open + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Grouping form of a token: placeholders of any type are equal, and an empty value
/// (`()`, `key=`) equals a present one.
fn group_token(t: &str) -> String {
    let mut k = key_token(t);
    if k.contains("()") {
        k = k.replace("()", "(<*>)");
    }
    if k.contains("[]") {
        k = k.replace("[]", "[<*>]");
    }
    if k.ends_with('=') {
        k.push_str("<*>");
    }
    k
}

fn is_placeholder(t: &str) -> bool {
    const ALL: [Kind; 14] = [
        // (user masks stay literal in keys: `<order>` is its own text)
        Kind::Bool,
        Kind::Num,
        Kind::Hex,
        Kind::Ip,
        Kind::Uuid,
        Kind::Path,
        Kind::Url,
        Kind::Email,
        Kind::Ts,
        Kind::Duration,
        Kind::Size,
        Kind::Id,
        Kind::List,
        Kind::Var,
    ];
    ALL.iter().any(|k| k.placeholder() == t)
}

/// Placeholder statistics of a template: typed values of its member shapes merged by
/// (token, order in token), and the words seen at positions induction made variable.
fn template_params(tpl: &Template, table: &ShapeTable, text: &[String], captured: bool) -> Vec<SlotStats> {
    if !captured {
        return Vec::new();
    }
    let mut slots: std::collections::BTreeMap<(u16, u16), SlotStats> = std::collections::BTreeMap::new();
    for &sid in &tpl.shapes {
        let shape = &table.shapes[sid as usize];
        let mut order_in_token: HashMap<u16, u16> = HashMap::default();
        for p in &shape.params {
            let k = order_in_token.entry(p.token).or_default();
            let slot = slots.entry((p.token, *k)).or_insert_with(|| SlotStats {
                kind: p.kind,
                token: p.token,
                stats: ParamStats::new(PARAM_TOP_K),
            });
            slot.stats.merge(&p.stats);
            *k += 1;
        }
        for (i, tok) in shape.text.split(' ').enumerate() {
            let shown = text.get(i).map(String::as_str).unwrap_or("");
            if shown.contains("<*>") && !tok.contains('<') {
                let slot = slots.entry((i as u16, 0)).or_insert_with(|| SlotStats {
                    kind: Kind::Var,
                    token: i as u16,
                    stats: ParamStats::new(PARAM_TOP_K),
                });
                slot.stats.top.add_count(under_wildcard(shown, tok), shape.count);
            }
        }
    }
    slots.into_values().collect()
}

/// The part of a word that a template's `<*>` stands for: `acme` of `tenant=acme` under
/// `tenant=<*>`, `42` of `[42]` under `[<*>]`. The rest is the template's own text, and a
/// value that repeated it read as `tenant=tenant=acme` in reports.
fn under_wildcard<'a>(shown: &str, word: &'a str) -> &'a str {
    match shown.split_once("<*>") {
        Some((before, after))
            if word.len() > before.len() + after.len() && word.starts_with(before) && word.ends_with(after) =>
        {
            &word[before.len()..word.len() - after.len()]
        }
        _ => word,
    }
}

/// Most candidate templates one cluster is checked against in [`absorb_into_variables`]:
/// with the index below a cluster meets only templates sharing its rarest token class,
/// so this is only reached by adversarial inputs; it keeps the pass linear there too.
pub const MAX_ABSORB_CANDIDATES: usize = 2048;

/// What a key token can match in [`fits`], coarsely: two tokens of different classes
/// never fit each other unless one is `Wild`, so a template can be found through any of
/// its non-`Wild` positions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Class {
    /// Holds `<*>` (not as `key=<*>`): matches values around it.
    Wild,
    /// Placeholders and punctuation only (`<#>`, `(<#>)`): matches each other.
    NoConst,
    /// `key=…` with a plain key: [`same_key`] matches any value of that key.
    Key(u32),
    /// Anything else must be equal.
    Plain(u32),
}

fn get(m: &HashMap<(u32, Class), Vec<u32>>, p: usize, c: Class) -> &[u32] {
    m.get(&(p as u32, c)).map_or(&[], Vec::as_slice)
}

fn class_of(id: u32, tokens: &KeyTokens, key_ids: &mut HashMap<String, u32>) -> Class {
    let text = tokens.text(id);
    if let Some(i) = text.find('=') {
        if i > 0 && text[..i].chars().all(|c| c.is_alphanumeric() || c == '_' || c == '.') {
            let next = key_ids.len() as u32;
            return Class::Key(*key_ids.entry(text[..=i].to_string()).or_insert(next));
        }
    }
    if text.contains("<*>") {
        Class::Wild
    } else if !has_constant(text) && text.contains('<') {
        Class::NoConst
    } else {
        Class::Plain(id)
    }
}

#[cfg(test)]
thread_local! {
    /// [`fits`] calls on this thread (tests count induction's comparisons with it).
    static FITS_CALLS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Second pass: a cluster whose tokens fit a larger cluster's template — equal where
/// the template is constant, anything of the right form where it is variable — joins
/// it. This catches records that differ from a template in two variable positions at
/// once (`rhost=a user=ftp`), which the one-position-at-a-time pass cannot see.
///
/// A template is a candidate for a cluster when their first constant token (the
/// template's) is equal. Comparing every cluster with every template of that token was
/// quadratic (20,000 `session opened for user <u> by <v>` templates: 4·10⁸ comparisons),
/// so templates are indexed by their most selective position instead — the
/// (position, [`Class`]) fewest clusters share — and a cluster looks up each of its
/// positions: a template that fits it is found through its anchor, and each cluster
/// meets only the few templates that share a rare token with it.
fn absorb_into_variables(
    by_len: &HashMap<usize, Vec<u32>>,
    clusters: &mut Clusters,
    keys: &[Vec<u32>],
    tokens: &KeyTokens,
    counts: &mut [u64],
) {
    let mut lens: Vec<usize> = by_len.keys().copied().collect();
    lens.sort_unstable();
    let mut key_ids: HashMap<String, u32> = HashMap::default();
    let mut class_cache: HashMap<u32, Class> = HashMap::default();
    let mut class = |t: u32| {
        *class_cache
            .entry(t)
            .or_insert_with(|| class_of(t, tokens, &mut key_ids))
    };
    for len in lens {
        let mut roots: Vec<u32> = by_len[&len].iter().map(|&m| clusters.find(m)).collect();
        roots.sort_unstable();
        roots.dedup();
        if roots.len() < 2 {
            continue;
        }
        // Classes of every root's tokens, and how many roots share each (position, class).
        let classes: Vec<Vec<Class>> = roots
            .iter()
            .map(|&r| keys[r as usize].iter().map(|&t| class(t)).collect())
            .collect();
        let mut df: HashMap<(u32, Class), u32> = HashMap::default();
        for cs in &classes {
            for (p, &c) in cs.iter().enumerate() {
                if c != Class::Wild {
                    *df.entry((p as u32, c)).or_default() += 1;
                }
            }
        }
        // Templates (with a constant token, as before). Those with a variable position
        // by their anchor, for every cluster; those without one by all their classes
        // (a cluster with no variable position fits them only if its classes are the
        // same: one lookup, where anchors shared by many — a grid of common words —
        // would make it quadratic again) and, for clusters that have one, by anchor
        // too; and every template by its anchor's position, for clusters variable there.
        let class_hash = |cs: &[Class]| rustc_hash::FxBuildHasher.hash_one(cs);
        let mut anchored: HashMap<(u32, Class), Vec<u32>> = HashMap::default();
        let mut anchored_exact: HashMap<(u32, Class), Vec<u32>> = HashMap::default();
        let mut exact: HashMap<u64, Vec<u32>> = HashMap::default();
        let mut at_position: Vec<Vec<u32>> = vec![Vec::new(); len];
        let mut first_constant: HashMap<u32, usize> = HashMap::default();
        for (&r, cs) in roots.iter().zip(&classes) {
            let key = &keys[r as usize];
            let Some(fc) = key.iter().position(|&t| tokens.constant(t)) else {
                continue;
            };
            first_constant.insert(r, fc);
            // A template with a constant token has a non-`Wild` position (the key form
            // `user=<*>` is `Key`, and a constant without `<*>` is not `Wild`)… except
            // a constant with `<*>` inside (`core.<*>`): then it is found at fc alone.
            let anchor = (0..len)
                .filter(|&p| cs[p] != Class::Wild)
                .min_by_key(|&p| (df[&(p as u32, cs[p])], p));
            let Some(p) = anchor else {
                at_position[fc].push(r);
                continue;
            };
            at_position[p].push(r);
            if cs.contains(&Class::Wild) {
                anchored.entry((p as u32, cs[p])).or_default().push(r);
            } else {
                anchored_exact.entry((p as u32, cs[p])).or_default().push(r);
                exact.entry(class_hash(cs)).or_default().push(r);
            }
        }
        if first_constant.is_empty() {
            continue;
        }
        // Smaller clusters first look for a bigger template to join.
        let mut order: Vec<(u32, usize)> = roots.iter().copied().zip(0..).collect();
        order.sort_by_key(|&(r, _)| (counts[r as usize], std::cmp::Reverse(r)));
        let mut lists: Vec<&[u32]> = Vec::new();
        for (d, di) in order {
            let dk = &keys[d as usize];
            let cs = &classes[di];
            lists.clear();
            if cs.contains(&Class::Wild) {
                for (p, &c) in cs.iter().enumerate() {
                    if c == Class::Wild {
                        lists.push(&at_position[p]);
                    } else {
                        lists.push(get(&anchored, p, c));
                        lists.push(get(&anchored_exact, p, c));
                    }
                }
            } else {
                lists.push(exact.get(&class_hash(cs)).map_or(&[][..], Vec::as_slice));
                lists.extend(cs.iter().enumerate().map(|(p, &c)| get(&anchored, p, c)));
            }
            let mut best: Option<u32> = None;
            for &t in lists.iter().flat_map(|l| l.iter()).take(MAX_ABSORB_CANDIDATES) {
                let (t_root, d_root) = (clusters.find(t), clusters.find(d));
                if t_root == d_root || counts[t_root as usize] < counts[d_root as usize] {
                    continue;
                }
                let tk = &keys[t as usize];
                let fc = first_constant[&t];
                if dk[fc] == tk[fc]
                    && fits(dk, tk, tokens)
                    // The biggest template; of equal ones, the earliest.
                    && best.is_none_or(|b| {
                        (counts[t_root as usize], std::cmp::Reverse(t_root)) > (counts[b as usize], std::cmp::Reverse(b))
                    })
                {
                    best = Some(t_root);
                }
            }
            if let Some(t) = best {
                let (rd, total) = (clusters.find(d), counts[t as usize] + counts[clusters.find(d) as usize]);
                clusters.union(t, rd);
                let root = clusters.find(t);
                counts[root as usize] = total;
            }
        }
    }
}

#[cfg(test)]
#[path = "scaling_tests.rs"]
mod scaling_tests;

/// Fewest clusters that [`merge_rare_positions`] merges. Words that change together
/// in two places are as often an event family (`program interrupt: illegal
/// instruction……0`, `…: privileged instruction…0`: six in BGL; `Transitioned from NEW
/// to INITED`; nine `Registering class X for class Y` in Hadoop) as data, and Loghub's
/// labels keep those families apart; data repeats itself in more shapes than that.
/// (`key=value` positions need no such count: the syntax says they are values.)
pub const MIN_RARE_GROUP: usize = 16;

/// Third pass, for clusters that differ in several positions at once, each holding a
/// word no other cluster has there: 20,000 `session opened for user <u> by <v>` with
/// distinct names are 20,000 clusters that no one-position grouping joins, and that
/// the second pass cannot join either until one of them is a template. A position
/// whose token is unique among the clusters of this length is "rare"; clusters equal
/// everywhere else, with the same rare positions, are grouped by a hash (their key
/// sum with each rare position's share replaced by a marker's, O(1) per position), and
/// a group merges when every rare position passes the same test as a one-position
/// merge ([`is_variable_position`]: six or more values, or values seen once). Linear in
/// clusters × tokens plus a sort per position; returns whether anything merged.
fn merge_rare_positions(
    roots: &mut Vec<u32>,
    clusters: &mut Clusters,
    keys: &mut [Vec<u32>],
    key_sums: &mut [u64],
    tokens: &mut KeyTokens,
    counts: &mut [u64],
) -> bool {
    roots.retain(|&r| clusters.parent[r as usize] == r);
    let Some(len) = roots.first().map(|&r| keys[r as usize].len()) else {
        return false;
    };
    if roots.len() < MIN_VARIANTS || len < 3 {
        return false;
    }
    let n = roots.len();
    // rare[i * len + p]: root i's token at p is a word no other root has at p.
    let mut rare = vec![false; n * len];
    let mut column: Vec<(u32, u32)> = Vec::with_capacity(n);
    for p in 0..len {
        column.clear();
        column.extend(roots.iter().enumerate().map(|(i, &r)| (keys[r as usize][p], i as u32)));
        column.sort_unstable();
        for run in column.chunk_by(|a, b| a.0 == b.0) {
            if let [(t, i)] = run {
                rare[*i as usize * len + p] = tokens.constant(*t);
            }
        }
    }
    const MARK: u32 = u32::MAX;
    let (rare, keys_now, roots_now) = (&rare, &*keys, &*roots);
    let masked = move |i: usize, p: usize| {
        if rare[i * len + p] {
            MARK
        } else {
            keys_now[roots_now[i] as usize][p]
        }
    };
    // (hash of the key with rare positions marked, root index), for roots with two or
    // more rare positions (one is the one-position pass's case).
    let mut hashed: Vec<(u64, u32)> = (0..n)
        .filter(|&i| rare[i * len..(i + 1) * len].iter().filter(|&&x| x).count() >= 2)
        .map(|i| {
            let r = roots[i] as usize;
            let h = (0..len).filter(|&p| rare[i * len + p]).fold(key_sums[r], |h, p| {
                h.wrapping_sub(token_share(keys[r][p], p))
                    .wrapping_add(token_share(MARK, p))
            });
            (h, i as u32)
        })
        .collect();
    hashed.sort_unstable();
    // Members, and each rare position with its variable form.
    type Merge = (Vec<u32>, Vec<(usize, String)>);
    let mut merges: Vec<Merge> = Vec::new();
    let mut run: Vec<u32> = Vec::new();
    for same_hash in hashed.chunk_by(|a, b| a.0 == b.0) {
        if same_hash.len() < 2 {
            continue;
        }
        run.clear();
        run.extend(same_hash.iter().map(|x| x.1));
        let key_of = |i: u32| (0..len).map(move |p| masked(i as usize, p));
        run.sort_by(|&a, &b| key_of(a).cmp(key_of(b)).then(a.cmp(&b)));
        for group in run.chunk_by(|&a, &b| key_of(a).eq(key_of(b))) {
            if group.len() < 2 {
                continue;
            }
            let i0 = group[0] as usize;
            let positions: Vec<usize> = (0..len).filter(|&p| rare[i0 * len + p]).collect();
            // Never wildcard the last constant token (as in the one-position pass).
            let constants_left = (0..len)
                .filter(|&p| !rare[i0 * len + p] && tokens.constant(keys[roots[i0] as usize][p]))
                .count();
            if constants_left == 0 {
                continue;
            }
            let members: Vec<u32> = group.iter().map(|&i| roots[i as usize]).collect();
            // `rhost=a user=x` / `rhost=b user=y`: the syntax says these are values.
            let keyed = positions.iter().all(|&p| {
                let values: Vec<&str> = members.iter().map(|&r| tokens.text(keys[r as usize][p])).collect();
                generalise_prefix(&values).ends_with("=<*>")
            });
            if group.len() < MIN_RARE_GROUP && !keyed {
                continue;
            }
            if !positions
                .iter()
                .all(|&p| is_variable_position(&members, p, keys, tokens, counts))
            {
                continue;
            }
            let generalised = positions
                .iter()
                .map(|&p| {
                    let mut values: Vec<&str> = members.iter().map(|&r| tokens.text(keys[r as usize][p])).collect();
                    values.sort_unstable();
                    values.dedup();
                    (p, generalise(&values))
                })
                .collect();
            merges.push((members, generalised));
        }
    }
    let merged = !merges.is_empty();
    for (members, generalised) in merges {
        let root = clusters.join_all(&members, counts);
        for (p, g) in generalised {
            set_key_token(&mut keys[root], &mut key_sums[root], p, tokens.id(g));
        }
    }
    merged
}

/// Whether cluster tokens `d` fit template tokens `t` (same length): equal where `t` is
/// constant, matching prefix and suffix where `t` is variable, with at least one
/// variable position actually used.
fn fits(d: &[u32], t: &[u32], tokens: &KeyTokens) -> bool {
    #[cfg(test)]
    FITS_CALLS.with(|c| c.set(c.get() + 1));
    let mut used = false;
    for (&a, &b) in d.iter().zip(t) {
        if a == b {
            continue;
        }
        let (a, b) = (tokens.text(a), tokens.text(b));
        // Either side may hold the variable: the template (`user=<*>`), or the smaller
        // cluster through an empty value (`tty=` against `tty=NODEVssh`).
        if matches_variable(a, b) || matches_variable(b, a) || same_key(a, b) {
            used = true;
        } else {
            return false;
        }
    }
    used
}

/// `tty=tty2` and `tty=NODEVssh`: values of one key, whatever they are.
fn same_key(a: &str, b: &str) -> bool {
    match (a.find('='), b.find('=')) {
        (Some(i), Some(j)) => {
            i > 0 && a[..=i] == b[..=j] && a[..i].chars().all(|c| c.is_alphanumeric() || c == '_' || c == '.')
        }
        _ => false,
    }
}

/// `value` fits `pattern` when `pattern` has a `<*>` and `value` has its text around it.
fn matches_variable(value: &str, pattern: &str) -> bool {
    match pattern.find("<*>") {
        Some(star) => {
            let (prefix, suffix) = (&pattern[..star], &pattern[star + 3..]);
            !has_constant(pattern)
                || (value.starts_with(prefix) && value.ends_with(suffix) && value.len() >= prefix.len() + suffix.len())
        }
        // A typed slot takes only values that were masked too (`(<#>)` vs `(<*>)`).
        None => pattern.contains(TYPED) && !has_constant(pattern) && !has_constant(value) && value.contains('<'),
    }
}

/// A token with some constant text (not only placeholders and punctuation).
fn has_constant(t: &str) -> bool {
    // The placeholders `<*>` and `<#>` hold no alphanumeric character, so any one in the
    // token is constant text.
    t.chars().any(|c| c.is_alphanumeric())
}

/// Whether the values a position takes across otherwise-equal clusters make it a
/// variable. Few values that each recur (`GET`/`POST`/`DELETE`, `Resumed`/`Started`)
/// are different events; many values, or values seen once, are data.
fn is_variable_position(group: &[u32], p: usize, keys: &[Vec<u32>], tokens: &KeyTokens, counts: &[u64]) -> bool {
    let mut values: HashMap<u32, u64> = HashMap::default();
    for &r in group {
        *values.entry(keys[r as usize][p]).or_default() += counts[r as usize];
    }
    let distinct = values.len();
    // `user=root` / `user=guest`: the syntax says these are values.
    let keyed: Vec<&str> = values.keys().map(|&t| tokens.text(t)).collect();
    // (Only `key=`: `action:android.intent.action.X` is as often a constant.)
    if distinct >= 2 && generalise_prefix(&keyed).ends_with("=<*>") {
        return true;
    }
    if distinct < MIN_VARIANTS {
        return false;
    }
    // `[GetQuote] received request`, `WWEN[disable]`: a word in brackets names a method
    // or a state (the event), however many there are; masking has already taken the
    // bracketed values that carry digits (`[attempt_1445_0020_m_000000_0]`).
    if keyed.iter().all(|v| has_bracketed_word(v)) {
        return false;
    }
    // Five values is where Loghub's user names, hosts and ids separate from event words
    // in every system alike: on the 2k samples 5 and 6 group the same, but on a full
    // month of Linux (23,921 lines) 6 left `session opened for user <u>` with five
    // recurring users as five events; 4 merges event words (`registered new driver
    // hub|hid|…` stays apart only above 4). 8+ merges too little.
    let singletons = values.values().filter(|&&c| c == 1).count();
    singletons > 0 || distinct >= 5
}

/// Whether `t` holds `[word]`: letters (and `_ . -`), no digits, no placeholder.
fn has_bracketed_word(t: &str) -> bool {
    t.split('[').skip(1).any(|rest| match rest.split_once(']') {
        Some((w, _)) => {
            w.len() >= 2
                && w.starts_with(|c: char| c.is_ascii_alphabetic())
                && w.chars()
                    .all(|c| c.is_ascii_alphabetic() || matches!(c, '_' | '.' | '-'))
        }
        None => false,
    })
}

/// The variable form of a position: the punctuation and `key=` / `key:` prefix its
/// values share, `<*>`, then the punctuation they all end with (`[<*>]`, `<*>,`).
fn generalise(values: &[&str]) -> String {
    let is_punct = |c: char| !c.is_alphanumeric() && c != '<' && c != '>' && c != '*';
    let lead = |v: &str| -> String { v.chars().take_while(|c| is_punct(*c)).collect() };
    let trail = |v: &str| -> String {
        let t: Vec<char> = v.chars().rev().take_while(|c| is_punct(*c)).collect();
        t.into_iter().rev().collect()
    };
    let common_prefix = |a: String, b: String| -> String {
        a.chars()
            .zip(b.chars())
            .take_while(|(x, y)| x == y)
            .map(|(x, _)| x)
            .collect()
    };
    let common_suffix = |a: String, b: String| -> String {
        let s: Vec<char> = a
            .chars()
            .rev()
            .zip(b.chars().rev())
            .take_while(|(x, y)| x == y)
            .map(|(x, _)| x)
            .collect();
        s.into_iter().rev().collect()
    };
    let head = values.iter().map(|v| lead(v)).reduce(common_prefix).unwrap_or_default();
    let tail = values
        .iter()
        .map(|v| trail(v))
        .reduce(common_suffix)
        .unwrap_or_default();
    let core = generalise_prefix(values);
    if core == "<*>" {
        format!("{head}<*>{tail}")
    } else {
        format!("{core}{tail}")
    }
}

fn generalise_prefix(values: &[&str]) -> String {
    let prefix_of = |v: &str| -> String {
        match v.rfind(['=', ':']) {
            Some(k) if k + 1 < v.len() || v.ends_with("<*>") => v[..=k].to_string(),
            Some(k) => v[..=k].to_string(),
            None => String::new(),
        }
    };
    let first = prefix_of(values.first().copied().unwrap_or(""));
    if !first.is_empty() && values.iter().all(|v| prefix_of(v) == first) {
        format!("{first}<*>")
    } else {
        "<*>".to_string()
    }
}

/// 64-bit FNV-1a, written out so template ids never change with a library version.
pub fn stable_hash(text: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.as_bytes() {
        h ^= *b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Union-find over shape ids.
struct Clusters {
    parent: Vec<u32>,
}

impl Clusters {
    fn find(&mut self, x: u32) -> u32 {
        let mut r = x;
        while self.parent[r as usize] != r {
            r = self.parent[r as usize];
        }
        let mut y = x;
        while self.parent[y as usize] != r {
            let next = self.parent[y as usize];
            self.parent[y as usize] = r;
            y = next;
        }
        r
    }

    /// Joins two clusters; the smaller id (earlier shape) stays the root, so the
    /// result does not depend on processing order.
    fn union(&mut self, a: u32, b: u32) -> bool {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return false;
        }
        let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
        self.parent[hi as usize] = lo;
        true
    }

    /// Joins every member into one cluster whose root carries their summed count; returns the root.
    fn join_all(&mut self, members: &[u32], counts: &mut [u64]) -> usize {
        let total: u64 = members.iter().map(|&r| counts[r as usize]).sum();
        for &r in &members[1..] {
            self.union(members[0], r);
        }
        let root = self.find(members[0]) as usize;
        counts[root] = total;
        root
    }
}

/// Replaces the token at position `p` of a cluster's key, keeping the key's order-free sum current.
fn set_key_token(key: &mut [u32], key_sum: &mut u64, p: usize, new: u32) {
    let old = std::mem::replace(&mut key[p], new);
    *key_sum = key_sum
        .wrapping_sub(token_share(old, p))
        .wrapping_add(token_share(new, p));
}

/// Distinct key tokens, interned: keys are vectors of ids, so grouping and comparing
/// them compares integers, and each distinct shape token is turned into its key form
/// once.
#[derive(Debug, Default)]
struct TokenInterner {
    ids: HashMap<String, u32>,
    text: Vec<String>,
    /// [`has_constant`] of each token.
    constant: Vec<bool>,
}

impl TokenInterner {
    fn id(&mut self, t: String) -> u32 {
        if let Some(&id) = self.ids.get(t.as_str()) {
            return id;
        }
        let id = self.text.len() as u32;
        self.constant.push(has_constant(&t));
        self.text.push(t.clone());
        self.ids.insert(t, id);
        id
    }
}

/// The key tokens of induction: the shape table's (read only) and, above them, the
/// variable forms induction makes (`user=<*>`).
struct KeyTokens<'a> {
    base: &'a TokenInterner,
    added: TokenInterner,
}

impl KeyTokens<'_> {
    fn id(&mut self, t: String) -> u32 {
        match self.base.ids.get(t.as_str()) {
            Some(&id) => id,
            None => self.base.text.len() as u32 + self.added.id(t),
        }
    }

    /// The interner holding `id`, and its index there.
    fn locate(&self, id: u32) -> (&TokenInterner, usize) {
        match id.checked_sub(self.base.text.len() as u32) {
            None => (self.base, id as usize),
            Some(k) => (&self.added, k as usize),
        }
    }

    fn text(&self, id: u32) -> &str {
        let (interner, k) = self.locate(id);
        interner.text.get(k).map_or("", String::as_str)
    }

    fn constant(&self, id: u32) -> bool {
        let (interner, k) = self.locate(id);
        interner.constant.get(k).copied().unwrap_or(false)
    }
}

/// One token's share of a key's hash: its id mixed with its position (splitmix64's
/// finaliser), so that a key's hash is the wrapping sum of its tokens' shares and the
/// hash with position `p` left out is that sum minus one share — O(1), kept up to date
/// as positions become variable.
fn token_share(t: u32, p: usize) -> u64 {
    let mut x = ((p as u64) << 32 | u64::from(t)).wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

fn key_hash(key: &[u32]) -> u64 {
    key.iter()
        .enumerate()
        .fold(0u64, |h, (p, &t)| h.wrapping_add(token_share(t, p)))
}

/// Induces templates from the shape table.
pub fn induce(table: &ShapeTable) -> Templates {
    let n = table.shapes.len();
    let mut clusters = Clusters {
        parent: (0..n as u32).collect(),
    };
    // Per cluster root: the current key tokens (with `<*>` where it became variable).
    let mut tokens = KeyTokens {
        base: &table.key_tokens,
        added: TokenInterner::default(),
    };
    let mut keys: Vec<Vec<u32>> = table.keys.clone();
    // Records per cluster root.
    let mut counts: Vec<u64> = table.shapes.iter().map(|s| s.count).collect();
    let mut by_len: HashMap<usize, Vec<u32>> = HashMap::default();
    for (i, t) in keys.iter().enumerate() {
        by_len.entry(t.len()).or_default().push(i as u32);
    }
    let mut key_sums: Vec<u64> = keys.iter().map(|k| key_hash(k)).collect();
    let mut lens: Vec<usize> = by_len.keys().copied().collect();
    lens.sort_unstable();
    for len in lens {
        // Cluster roots of this length, ascending; merges only ever remove roots.
        let mut roots: Vec<u32> = by_len[&len].clone();
        loop {
            let mut changed = false;
            for p in 0..len {
                // Group cluster roots by their key with position p wildcarded. Sorting
                // by that key compared token by token was most of induction's time, so
                // roots are sorted by a hash of it (the root's key sum less position
                // p's share, O(1)) and only equal hashes are compared in full. Each
                // group keeps ascending ids; groups are disjoint, so the order they
                // merge in does not matter.
                roots.retain(|&r| clusters.parent[r as usize] == r);
                let key_without_p = |r: u32| {
                    keys[r as usize]
                        .iter()
                        .enumerate()
                        .filter(move |(i, _)| *i != p)
                        .map(|(_, t)| *t)
                };
                let mut hashed: Vec<(u64, u32)> = roots
                    .iter()
                    .map(|&r| {
                        (
                            key_sums[r as usize].wrapping_sub(token_share(keys[r as usize][p], p)),
                            r,
                        )
                    })
                    .collect();
                hashed.sort_unstable();
                let mut merges: Vec<(Vec<u32>, String)> = Vec::new();
                let mut run: Vec<u32> = Vec::new();
                for same_hash in hashed.chunk_by(|a, b| a.0 == b.0) {
                    // A root alone with its hash has no partner at this position.
                    if same_hash.len() < 2 {
                        continue;
                    }
                    // Different keys that share a hash are told apart here (stable: ids
                    // stay ascending within each key).
                    run.clear();
                    run.extend(same_hash.iter().map(|x| x.1));
                    run.sort_by(|&a, &b| key_without_p(a).cmp(key_without_p(b)));
                    for group in run.chunk_by(|&a, &b| key_without_p(a).eq(key_without_p(b))) {
                        if group.len() < 2 {
                            continue;
                        }
                        // Never wildcard the last constant token: `normal`, `warning` and
                        // `running` are three events, not one `<*>`.
                        let r0 = group[0] as usize;
                        let constants_left = keys[r0]
                            .iter()
                            .enumerate()
                            .filter(|(i, t)| *i != p && tokens.constant(**t))
                            .count();
                        if constants_left == 0 {
                            continue;
                        }
                        let mut values: Vec<&str> = group.iter().map(|&r| tokens.text(keys[r as usize][p])).collect();
                        values.sort_unstable();
                        values.dedup();
                        let already_variable = values.iter().any(|v| !has_constant(v));
                        if already_variable || is_variable_position(group, p, &keys, &tokens, &counts) {
                            let generalised = generalise(&values);
                            merges.push((group.to_vec(), generalised));
                        }
                    }
                }
                for (group, generalised) in merges {
                    let root = clusters.join_all(&group, &mut counts);
                    set_key_token(&mut keys[root], &mut key_sums[root], p, tokens.id(generalised));
                    changed = true;
                }
            }
            if !changed
                && !merge_rare_positions(
                    &mut roots,
                    &mut clusters,
                    &mut keys,
                    &mut key_sums,
                    &mut tokens,
                    &mut counts,
                )
            {
                break;
            }
        }
    }
    absorb_into_variables(&by_len, &mut clusters, &keys, &tokens, &mut counts);
    // Build templates: one per root, text from the most frequent shape with the
    // induced variable positions shown as `<*>`.
    let mut root_index: HashMap<u32, u32> = HashMap::default();
    let mut out = Templates {
        templates: Vec::new(),
        shape_template: vec![0; n],
    };
    for i in 0..n as u32 {
        let root = clusters.find(i);
        let t = *root_index.entry(root).or_insert_with(|| {
            out.templates.push(Template {
                id: String::new(),
                text: String::new(),
                count: 0,
                shapes: Vec::new(),
                first_ts: None,
                last_ts: None,
                levels: [0; 7],
                sample: String::new(),
                params: Vec::new(),
            });
            (out.templates.len() - 1) as u32
        });
        out.shape_template[i as usize] = t;
        let tpl = &mut out.templates[t as usize];
        let shape = &table.shapes[i as usize];
        tpl.count += shape.count;
        tpl.shapes.push(i);
        for (a, b) in tpl.levels.iter_mut().zip(shape.levels) {
            *a += b;
        }
        tpl.first_ts = [tpl.first_ts, shape.first_ts].into_iter().flatten().min();
        tpl.last_ts = [tpl.last_ts, shape.last_ts].into_iter().flatten().max();
    }
    let captured = table.shapes.iter().any(|s| !s.params.is_empty());
    for (root, &t) in &root_index {
        let tpl = &mut out.templates[t as usize];
        let best = tpl
            .shapes
            .iter()
            .copied()
            .max_by_key(|&s| (table.shapes[s as usize].count, std::cmp::Reverse(s)))
            .unwrap_or(*root);
        if tpl.shapes.len() == 1 && !captured {
            // One member shape (most templates): every token is shown as it is, so the
            // text is the shape's text; no per-token work.
            tpl.text = table.shapes[best as usize].text.clone();
            tpl.sample = table.shapes[best as usize].sample.clone();
            tpl.id = format!("{:016x}", stable_hash(&tpl.text));
            continue;
        }
        let key = &keys[*root as usize];
        let member_tokens: Vec<Vec<&str>> = tpl
            .shapes
            .iter()
            .map(|&s| table.shapes[s as usize].text.split(' ').collect())
            .collect();
        let text: Vec<String> = table.shapes[best as usize]
            .text
            .split(' ')
            .enumerate()
            .map(|(i, tok)| {
                // Where every member shape has the same text, show it as it is.
                if member_tokens.iter().all(|m| m.get(i) == Some(&tok)) {
                    return tok.to_string();
                }
                let grouped = group_token(tok);
                match key.get(i).map(|&k| tokens.text(k)) {
                    // A position made variable by induction.
                    Some(k) if k != grouped => k.replace(TYPED, "<*>"),
                    // Present in some members, empty in others: `(<*>)`, `key=<*>`; or
                    // values of two types (`<ts>`, `<dur>`), shown as `<*>`, never as the
                    // key's internal `<#>`.
                    _ => grouped.replace(TYPED, "<*>"),
                }
            })
            .collect();
        tpl.params = template_params(tpl, table, &text, captured);
        tpl.text = text.join(" ");
        tpl.sample = table.shapes[best as usize].sample.clone();
        tpl.id = format!("{:016x}", stable_hash(&tpl.text));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wildcard_value_is_the_part_under_it() {
        assert_eq!(under_wildcard("tenant=<*>", "tenant=acme"), "acme");
        assert_eq!(under_wildcard("[<*>]", "[getContacts]"), "getContacts");
        assert_eq!(under_wildcard("<*>", "word"), "word");
        // Text the word does not share is kept: the value is the word as logged.
        assert_eq!(under_wildcard("user=<*>", "login=bob"), "login=bob");
        assert_eq!(under_wildcard("tenant=<*>", "tenant="), "tenant=");
    }

    fn records(lines: &[&str]) -> Vec<Record> {
        lines
            .iter()
            .map(|l| Record {
                message: l.to_string(),
                ..Record::default()
            })
            .collect()
    }

    /// Regression (the message memo): a message remembered on this thread is not reused
    /// for a masker that masks differently, and a remembered message in a later chunk
    /// gives the shape, values and sample that masking it afresh gives.
    #[test]
    fn remembered_messages_follow_the_masker() {
        let lines = [
            "order A17 paid in 3 ms",
            "order A17 paid in 3 ms",
            "order B99 paid in 5 ms",
        ];
        let custom = Masker::with_custom(vec![crate::mask::CustomMask::parse("order=order [A-Z][0-9]+").unwrap()]);
        let plain = Masker::default();
        let texts = |m: &Masker| -> Vec<String> {
            let c = shape_chunk(m, &records(&lines), true);
            c.record_shape
                .iter()
                .map(|&id| c.shapes[id as usize].text.clone())
                .collect()
        };
        let first_plain = texts(&plain);
        let with_custom = texts(&custom);
        // Twice each, so the second run of each masker meets remembered messages.
        assert_eq!(texts(&plain), first_plain);
        assert_eq!(texts(&custom), with_custom);
        assert_eq!(first_plain[0], "order <id> paid in <num> ms");
        assert_eq!(with_custom[0], "<order> paid in <num> ms");
        // A chunk of remembered messages still has its own sample and value statistics.
        let again = shape_chunk(&plain, &records(&lines[2..]), true);
        assert_eq!(again.shapes[0].sample, lines[2]);
        assert_eq!(again.shapes[0].first_record, 0);
        let values: Vec<String> = again.shapes[0].params[0]
            .stats
            .top
            .top(4)
            .into_iter()
            .map(|v| v.value)
            .collect();
        assert_eq!(values, ["B99"]);
    }

    #[test]
    fn the_message_memo_stays_bounded() {
        let mut memo = MessageMemo::default();
        let mut masked = Masked::default();
        masked.shape.push_str("m <num>");
        let mut held_max = 0;
        let entries = |memo: &MessageMemo| memo.current.entries.len() + memo.previous.entries.len();
        for k in 0..200_000u64 {
            let message = format!("message number {k} with some padding text to fill the memo quickly");
            memo.insert(k, &message, &masked, 1);
            held_max = held_max.max(memo.text_len());
        }
        assert!(held_max <= 2 * MemoGeneration::MAX_TEXT, "{held_max}");
        assert!(entries(&memo) < 200_000, "the memo never forgot anything");
        let long = "x".repeat(MessageMemo::MAX_MESSAGE + 1);
        let before = entries(&memo);
        memo.insert(7, &long, &masked, 1);
        assert_eq!(entries(&memo), before, "long messages are not remembered");
    }

    /// A message that keeps recurring survives the rotation of generations (where
    /// clearing a full memo forgot it), and what is found after the copy into the
    /// current generation is what was stored.
    #[test]
    fn recurring_messages_outlive_a_full_generation() {
        let mut memo = MessageMemo::default();
        let mut masked = Masked::default();
        let mut scratch = Masked::default();
        masked.shape.push_str("hot <num>");
        masked.params.push(Param {
            kind: Kind::Num,
            start: 4,
            end: 6,
            token: 1,
            items: 0,
        });
        memo.insert(1, "hot 42", &masked, 99);
        masked.params.clear();
        masked.shape.clear();
        masked.shape.push_str("cold <num>");
        for k in 0..100_000u64 {
            let message = format!("cold message {k} padded to fill generations quickly");
            memo.insert(k + 10, &message, &masked, 1);
            if k % 1000 == 0 {
                let e = memo
                    .find(1, "hot 42", &mut scratch)
                    .expect("the recurring message is kept");
                assert_eq!(memo.slice(e.shape), "hot <num>");
                assert_eq!(e.shape_hash, 99);
                assert_eq!(memo.params(&e).len(), 1);
                assert_eq!((memo.params(&e)[0].start, memo.params(&e)[0].end), (4, 6));
            }
        }
        // A message not looked up for two generations is forgotten.
        assert!(memo
            .find(10, "cold message 0 padded to fill generations quickly", &mut scratch)
            .is_none());
    }

    fn mine(lines: &[&str]) -> (Templates, Vec<u32>) {
        let masker = Masker::default();
        let chunk = shape_chunk(&masker, &records(lines), false);
        let mut table = ShapeTable::default();
        let global = table.absorb(&chunk);
        let t = induce(&table);
        let per_line = chunk
            .record_shape
            .iter()
            .map(|&l| t.shape_template[global[l as usize] as usize])
            .collect();
        (t, per_line)
    }

    #[test]
    fn variable_words_merge_but_event_words_do_not() {
        let lines = [
            "Invalid user webmaster from 1.2.3.4",
            "Invalid user test from 1.2.3.5",
            "Invalid user admin from 1.2.3.6",
            "Invalid user oracle from 1.2.3.7",
            "session opened for user root by (uid=0)",
            "session closed for user root",
            "session opened for user news by (uid=9)",
            "session opened for user cyrus by (uid=7)",
        ];
        let (t, per) = mine(&lines);
        assert_eq!(per[0], per[3]);
        assert_eq!(t.templates[per[0] as usize].text, "Invalid user <*> from <ip>");
        assert_ne!(per[4], per[5], "opened and closed are different events");
        assert_eq!(per[4], per[6], "same event, other user (uid masked)");
    }

    /// Five recurring values make a variable (users), unless they are bracketed words
    /// (the methods of a service, Nezha's shippingservice), which name events.
    #[test]
    fn recurring_users_merge_but_bracketed_methods_do_not() {
        let mut lines = Vec::new();
        for _ in 0..20 {
            for user in ["cyrus", "news", "test", "root", "htt"] {
                lines.push(format!("session closed for user {user}"));
            }
            for method in [
                "GetQuote",
                "CreateQuoteFromCount",
                "QuoteByCountFloat",
                "CreateQuoteFromFloat",
                "ShipOrder",
            ] {
                lines.push(format!("[{method}] received request"));
            }
        }
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        let (t, per) = mine(&refs);
        assert_eq!(t.templates[per[0] as usize].text, "session closed for user <*>");
        assert!((0..5).all(|k| per[k] == per[0]));
        assert_eq!(t.templates[per[5] as usize].text, "[GetQuote] received request");
        assert_eq!(
            (5..10).map(|k| per[k]).collect::<std::collections::HashSet<_>>().len(),
            5
        );
    }

    #[test]
    fn parameters_are_captured_per_placeholder() {
        let mut lines: Vec<String> = (0..40)
            .map(|i| format!("export alarms start=2025-12-{:02} 10:00:00 user u{}", i % 28 + 1, i))
            .collect();
        for _ in 0..7 {
            lines.push("export alarms start=2020-06-01 10:00:00 user ops".into());
        }
        lines.push("select id from chat where id IN (1, 2, 3) and x=1".into());
        lines.push("select id from chat where id IN (1, 2, 3, 4, 5, 6, 7, 8, 9, 10) and x=2".into());
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        let masker = Masker::default();
        let mut table = ShapeTable::default();
        table.absorb(&shape_chunk(&masker, &records(&refs), true));
        let t = induce(&table);
        let export = t.templates.iter().find(|t| t.text.starts_with("export")).unwrap();
        assert_eq!(export.text, "export alarms start=<ts> user <*>");
        let start = &export.params[0];
        assert_eq!(start.kind, Kind::Ts);
        assert_eq!(start.stats.top.top(1)[0].value, "2020-06-01 10:00:00");
        // Space-Saving may overestimate by at most its error bound.
        let top = &start.stats.top.top(1)[0];
        assert!(top.count - top.error <= 7 && 7 <= top.count, "{top:?}");
        let user = export.params.iter().find(|p| p.kind == Kind::Var).unwrap();
        assert_eq!(user.stats.top.top(1)[0].value, "ops");
        let select = t.templates.iter().find(|t| t.text.contains("IN (<list>)")).unwrap();
        let list = select.params.iter().find(|p| p.kind == Kind::List).unwrap();
        let numeric = list.stats.numeric.as_ref().unwrap();
        assert_eq!((numeric.min(), numeric.max()), (Some(3.0), Some(10.0)));
    }

    #[test]
    fn ids_are_stable_and_chunking_does_not_matter() {
        let lines: Vec<String> = (0..100)
            .map(|i| format!("job {i} finished in {}ms on node-{}", i * 3, i % 7))
            .collect();
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        let (one, _) = mine(&refs);
        // Two shards absorbed in order give the same templates.
        let masker = Masker::default();
        let mut table = ShapeTable::default();
        table.absorb(&shape_chunk(&masker, &records(&refs[..37]), false));
        table.absorb(&shape_chunk(&masker, &records(&refs[37..]), false));
        let two = induce(&table);
        let a: Vec<(&str, u64)> = one.templates.iter().map(|t| (t.id.as_str(), t.count)).collect();
        let b: Vec<(&str, u64)> = two.templates.iter().map(|t| (t.id.as_str(), t.count)).collect();
        assert_eq!(a, b);
        assert_eq!(one.templates[0].text, "job <num> finished in <dur> on node-<num>");
        assert_eq!(
            one.templates[0].id,
            format!("{:016x}", stable_hash("job <num> finished in <dur> on node-<num>"))
        );
    }
}
