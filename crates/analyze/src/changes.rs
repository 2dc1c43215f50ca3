//! The change ledger: deploys, configuration pushes, feature flags, restarts and
//! scaling events that happened around the incident, from JSON lines or CSV.
//!
//! Owns loading, normalising (time, lower-case kind, service, description, other
//! fields), the terms a change can be matched by, and the class of a change kind.
//! Scoring a change against the anomalies is the caller's.

use std::io::{BufRead, BufReader, Read};

use crate::capped::Capped;
use std::path::{Path, PathBuf};

use serde_json::Value;
use triage_parse::timestamp::{from_epoch_number, Zone};

use crate::timespec::parse_time;

/// Bad lines quoted in warnings; the rest are only counted.
const MAX_LINE_WARNINGS: usize = 5;

#[derive(Debug, thiserror::Error)]
pub enum ChangesError {
    #[error("{}: cannot read change ledger: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{}:{line}: {reason}", path.display())]
    Format { path: PathBuf, line: usize, reason: String },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub time: i64,
    /// Lower-case (`deploy`, `config`, `flag`, `restart`, `scale`, …); `change` when
    /// the entry has none.
    pub kind: String,
    /// Empty when the entry names none (a global change).
    pub service: String,
    pub version: Option<String>,
    pub description: String,
    /// Other fields (`keys`, `endpoints`, `scope`, `author`, …): CSV in column order,
    /// JSON in key order; nested objects flattened to `scope.keys`, arrays joined with `, `.
    pub extra: Vec<(String, String)>,
    /// Line in the file (for a JSON array: the entry's 1-based position).
    pub line: usize,
}

#[derive(Debug, Clone, Default)]
pub struct ChangesInput {
    /// Sorted by time; entries with equal times keep file order.
    pub changes: Vec<Change>,
    pub warnings: Vec<String>,
}

/// How the analysis treats a change kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeClass {
    /// New code (deploy, release, rollout, upgrade). A candidate cause whose effect
    /// usually shows within minutes to hours, or at the next traffic peak.
    Deploy,
    /// Configuration, feature flags, data, schema and migrations. A candidate cause
    /// whose effect may wait for load (a config pushed in the evening breaks at the
    /// next day's peak), so it is blamed over a longer delay than a deploy.
    Config,
    /// Restarts, rollbacks, reverts and scaling. Operations' reactions and remedies:
    /// they usually follow the onset and are never blamed as the cause; a rollback that
    /// is followed by recovery confirms the change it undid.
    Restart,
    /// Anything else (infrastructure, traffic, unknown kinds): a weak candidate.
    Other,
}

/// Classifies a change kind (case and `-`/`_`/space insensitive).
pub fn kind_class(kind: &str) -> ChangeClass {
    let k: String = kind
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| if c == '-' || c == ' ' { '_' } else { c })
        .collect();
    let k = k.as_str();
    // Remedies first: `config_rollback` and `rollback_deploy` are rollbacks.
    let remedy = [
        "restart",
        "rollback",
        "roll_back",
        "revert",
        "scale",
        "reboot",
        "failover",
        "redeploy_previous",
        "drain",
        "autoscal",
    ];
    if remedy.iter().any(|w| k.contains(w)) {
        return ChangeClass::Restart;
    }
    let config = [
        "config",
        "conf",
        "flag",
        "feature",
        "toggle",
        "switch",
        "setting",
        "param",
        "data",
        "schema",
        "migration",
        "migrate",
        "ddl",
        "secret",
        "env",
        "policy",
        "rule",
        "strategy",
        "publish",
    ];
    if config.iter().any(|w| k.contains(w)) {
        return ChangeClass::Config;
    }
    let deploy = [
        "deploy", "release", "rollout", "roll_out", "upgrade", "update", "build", "ship", "version", "image", "patch",
        "hotfix", "canary",
    ];
    if deploy.iter().any(|w| k.contains(w)) {
        return ChangeClass::Deploy;
    }
    ChangeClass::Other
}

/// Words too common in change descriptions to tell changes or anomalies apart.
const STOP_WORDS: &[&str] = &[
    "the",
    "and",
    "for",
    "with",
    "from",
    "into",
    "onto",
    "that",
    "this",
    "these",
    "those",
    "were",
    "was",
    "are",
    "been",
    "being",
    "have",
    "has",
    "had",
    "will",
    "would",
    "should",
    "could",
    "can",
    "not",
    "all",
    "any",
    "each",
    "per",
    "via",
    "new",
    "old",
    "add",
    "adds",
    "added",
    "adding",
    "remove",
    "removed",
    "update",
    "updated",
    "updates",
    "change",
    "changed",
    "changes",
    "enable",
    "enabled",
    "disable",
    "disabled",
    "set",
    "sets",
    "use",
    "uses",
    "using",
    "used",
    "fix",
    "fixed",
    "fixes",
    "bump",
    "bumped",
    "release",
    "released",
    "deploy",
    "deployed",
    "deployment",
    "version",
    "config",
    "configuration",
    "service",
    "services",
    "server",
    "app",
    "application",
    "svc",
    "api",
    "publish",
    "published",
    "push",
    "pushed",
    "rollout",
    "users",
    "user",
    "more",
    "less",
    "than",
    "then",
    "when",
    "also",
    "only",
    "after",
    "before",
    "about",
    "over",
    "under",
    "some",
    "other",
    "their",
    "them",
    "they",
    "its",
    "our",
    "your",
    "prod",
    "production",
    "staging",
    "team",
    "ticket",
    "minor",
    "major",
    "default",
    "value",
    "values",
    "true",
    "false",
    "null",
    "none",
];

/// Extra fields that identify who or what recorded a change, not what it touched.
const BOOKKEEPING_FIELDS: &[&str] = &[
    "author", "user", "owner", "operator", "approver", "by", "id", "ticket", "commit", "sha", "hash", "pr", "link",
    "url", "email", "source", "pipeline", "build", "job",
];

impl Change {
    /// Lower-case terms to match this change with anomalies (templates, parameter
    /// values, endpoints, Redis keys): the service and its name parts, the version,
    /// and distinctive tokens of the description and of the non-bookkeeping extra
    /// fields. Identifiers keep their `:`/`/`/`.`/`_`; colon-separated keys also give
    /// their prefixes (`promo:strategy:area:*` → `promo:strategy:area`,
    /// `promo:strategy`) and their segments. Stop words, numbers and tokens under 3
    /// characters (2 for CJK) are left out.
    pub fn scope_terms(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let push = |t: String, out: &mut Vec<String>| {
            if !t.is_empty() && !out.contains(&t) {
                out.push(t);
            }
        };
        let service = self.service.trim().to_lowercase();
        if !service.is_empty() {
            push(service.clone(), &mut out);
            for part in service.split(['-', '_', '.', '/']) {
                if part.chars().count() >= 3 && !STOP_WORDS.contains(&part) && !part.bytes().all(|b| b.is_ascii_digit())
                {
                    push(part.to_string(), &mut out);
                }
            }
        }
        if let Some(v) = &self.version {
            let v = v.trim().to_lowercase();
            if !v.is_empty() {
                push(v, &mut out);
            }
        }
        let mut texts: Vec<&str> = vec![self.description.as_str()];
        for (k, v) in &self.extra {
            let key = k.rsplit('.').next().unwrap_or(k).to_lowercase();
            if !BOOKKEEPING_FIELDS.contains(&key.as_str()) {
                texts.push(v.as_str());
            }
        }
        for text in texts {
            for term in text_terms(text) {
                push(term, &mut out);
            }
        }
        out
    }
}

/// Tokens of free text worth matching on (see [`Change::scope_terms`]).
fn text_terms(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    // Split on whitespace and on punctuation that never belongs to an identifier.
    let is_sep = |c: char| {
        c.is_whitespace()
            || matches!(
                c,
                ',' | ';'
                    | '('
                    | ')'
                    | '['
                    | ']'
                    | '{'
                    | '}'
                    | '"'
                    | '\''
                    | '`'
                    | '<'
                    | '>'
                    | '='
                    | '|'
                    | '!'
                    | '?'
                    | '，'
                    | '。'
                    | '；'
                    | '、'
                    | '：'
                    | '（'
                    | '）'
                    | '“'
                    | '”'
                    | '「'
                    | '」'
                    | '《'
                    | '》'
            )
    };
    for raw in text.split(is_sep) {
        let tok = raw
            .trim_matches(|c: char| matches!(c, '.' | ':' | '-' | '*' | '#' | '&' | '~' | '+'))
            .to_lowercase();
        // Keep a URL's path and drop its query string.
        let tok = tok.split('?').next().unwrap_or("").to_string();
        // Two CJK characters already make a word (新增, 导出).
        let min = if tok.chars().any(|c| c as u32 >= 0x2E80) { 2 } else { 3 };
        if tok.chars().count() < min || !tok.chars().any(char::is_alphabetic) {
            continue;
        }
        let identifier = tok.contains([':', '/', '.', '_']);
        if identifier {
            if tok.contains(':') && !tok.starts_with("http") {
                // Key prefixes with at least two segments.
                let segs: Vec<&str> = tok.split(':').filter(|s| !s.is_empty() && *s != "*").collect();
                for n in (2..segs.len()).rev() {
                    out.push(segs[..n].join(":"));
                }
                out.push(segs.join(":"));
                // Its words too: logs often name the parts (`strategy cache miss`).
                for seg in &segs {
                    if seg.chars().count() >= 3 && seg.chars().any(char::is_alphabetic) && !STOP_WORDS.contains(seg) {
                        out.push(seg.to_string());
                    }
                }
            } else {
                out.push(tok.trim_end_matches('/').to_string());
            }
            continue;
        }
        // Plain words: split further on `-` so `one-key` gives nothing but `promotion-v2` gives `promotion`.
        for w in tok.split('-') {
            let n = w.chars().count();
            let cjk = w.chars().any(|c| c as u32 >= 0x2E80);
            if (cjk && n >= 2)
                || (n >= 4
                    && !STOP_WORDS.contains(&w)
                    && !w.chars().all(|c| c.is_ascii_digit() || c == '.' || c == '%'))
            {
                out.push(w.to_string());
            }
        }
    }
    out
}

// ---- loading ---------------------------------------------------------------------------

struct Fields {
    time: Option<String>,
    time_number: Option<f64>,
    kind: Option<String>,
    service: Option<String>,
    version: Option<String>,
    description: Option<String>,
    extra: Vec<(String, String)>,
}

/// Which normalised field a column or JSON key feeds.
fn role(key: &str) -> Option<&'static str> {
    match key.trim().to_lowercase().as_str() {
        "time" | "timestamp" | "ts" | "@timestamp" | "datetime" | "date" | "at" => Some("time"),
        "kind" | "type" | "change_type" | "category" | "action" => Some("kind"),
        "service" | "app" | "application" | "component" | "svc" => Some("service"),
        "version" | "tag" | "release" => Some("version"),
        "description" | "desc" | "message" | "msg" | "summary" | "details" | "title" => Some("description"),
        _ => None,
    }
}

fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        Value::Array(items) => items
            .iter()
            .map(value_text)
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}

fn flatten_into(prefix: &str, v: &Value, out: &mut Vec<(String, String)>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                flatten_into(&format!("{prefix}.{k}"), v, out);
            }
        }
        Value::Null => {}
        other => {
            let t = value_text(other);
            if !t.is_empty() {
                out.push((prefix.to_string(), t));
            }
        }
    }
}

fn fields_from_json(obj: &serde_json::Map<String, Value>) -> Fields {
    let mut f = Fields {
        time: None,
        time_number: None,
        kind: None,
        service: None,
        version: None,
        description: None,
        extra: Vec::new(),
    };
    for (k, v) in obj {
        let slot = match role(k) {
            Some("time") if f.time.is_none() && f.time_number.is_none() => {
                match v {
                    Value::Number(n) => f.time_number = n.as_f64(),
                    other => f.time = Some(value_text(other)),
                }
                continue;
            }
            Some("kind") if f.kind.is_none() => &mut f.kind,
            Some("service") if f.service.is_none() => &mut f.service,
            Some("version") if f.version.is_none() => &mut f.version,
            Some("description") if f.description.is_none() => &mut f.description,
            _ => {
                flatten_into(k, v, &mut f.extra);
                continue;
            }
        };
        let t = value_text(v);
        *slot = Some(t);
    }
    f
}

fn build(f: Fields, zone: &Zone, line: usize) -> Result<Change, String> {
    let time = match (f.time_number, f.time.as_deref().map(str::trim)) {
        (Some(n), _) => from_epoch_number(n).ok_or_else(|| format!("time {n} is not a plausible epoch time"))?,
        (None, Some(t)) if !t.is_empty() => parse_time(t, zone).map_err(|e| e.to_string())?,
        _ => return Err("no time (want a time, timestamp or ts field)".into()),
    };
    let kind = f
        .kind
        .map(|k| k.trim().to_lowercase())
        .filter(|k| !k.is_empty())
        .unwrap_or_else(|| "change".into());
    Ok(Change {
        time,
        kind,
        service: f.service.map(|s| s.trim().to_string()).unwrap_or_default(),
        version: f.version.map(|v| v.trim().to_string()).filter(|v| !v.is_empty()),
        description: f.description.map(|d| d.trim().to_string()).unwrap_or_default(),
        extra: f.extra,
        line,
    })
}

pub use crate::capped::MAX_LINE_BYTES;
/// Most bytes read from one ledger (a stream such as `/dev/urandom` never ends).
pub const MAX_LEDGER_BYTES: u64 = 64 << 20;
/// Most changes kept from one ledger; later entries are counted, not kept.
pub const MAX_CHANGES: usize = 100_000;

/// Entries as they are read: kept up to the cap, bad ones collected for warnings.
struct Sink<'a> {
    zone: &'a Zone,
    input: ChangesInput,
    bad: Vec<(usize, String)>,
    /// Good entries past [`MAX_CHANGES`].
    over: usize,
    max_changes: usize,
}

impl Sink<'_> {
    fn push(&mut self, f: Fields, line: usize, label: impl FnOnce(String) -> String) {
        match build(f, self.zone, line) {
            Ok(_) if self.input.changes.len() >= self.max_changes => self.over += 1,
            Ok(c) => self.input.changes.push(c),
            Err(reason) => self.bad.push((line, label(reason))),
        }
    }
}

/// Loads a change ledger: JSON lines (one object per line), a JSON array of objects, or
/// CSV with a header, told apart by the first non-blank byte. An empty file is a valid
/// ledger with no changes. Bad entries are skipped with a warning `file:line: reason`.
/// The file is streamed: lines are capped at [`MAX_LINE_BYTES`], the file at
/// [`MAX_LEDGER_BYTES`] and the changes kept at [`MAX_CHANGES`]; past a cap, what was
/// read is kept and a warning names the file and line.
pub fn load_changes(path: &Path, zone: &Zone) -> Result<ChangesInput, ChangesError> {
    load_capped(path, zone, MAX_LINE_BYTES, MAX_LEDGER_BYTES, MAX_CHANGES)
}

fn load_capped(
    path: &Path,
    zone: &Zone,
    max_line: usize,
    max_total: u64,
    max_changes: usize,
) -> Result<ChangesInput, ChangesError> {
    let io_error = |source| ChangesError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io_error)?;
    let mut reader = BufReader::new(Capped::new(file, max_line, max_total));
    let shown = path.display().to_string();
    let mut sink = Sink {
        zone,
        input: ChangesInput::default(),
        bad: Vec::new(),
        over: 0,
        max_changes,
    };
    // The first non-blank line tells the format.
    let mut raw = Vec::new();
    let mut line = 0usize;
    let first = loop {
        raw.clear();
        match reader.read_until(b'\n', &mut raw) {
            Ok(0) => break None,
            Ok(_) => {}
            // Past a cap or a read error: said below.
            Err(_) if reader.get_ref().stop.is_some() => break None,
            Err(e) => return Err(io_error(e)),
        }
        line += 1;
        if line == 1 && raw.starts_with("\u{feff}".as_bytes()) {
            raw.drain(..3);
        }
        if !raw.iter().all(u8::is_ascii_whitespace) {
            break Some(raw[..].trim_ascii_start().first().copied().unwrap_or(b' '));
        }
    };
    // Lines before the first non-blank one, for positions the parsers count from it.
    let offset = line.saturating_sub(1);
    // A JSON array that breaks after good entries: they are kept, this is said.
    let mut fault: Option<String> = None;
    match first {
        None => {}
        Some(b'{') => loop {
            let l = String::from_utf8_lossy(&raw);
            let l = l.trim();
            if !(l.is_empty() || l.starts_with("//") || l.starts_with('#')) {
                match serde_json::from_str::<Value>(l) {
                    Ok(Value::Object(obj)) => sink.push(fields_from_json(&obj), line, |r| r),
                    Ok(_) => sink.bad.push((line, "not a JSON object".into())),
                    Err(e) => sink.bad.push((line, format!("invalid JSON: {e}"))),
                }
            }
            raw.clear();
            match reader.read_until(b'\n', &mut raw) {
                Ok(0) => break,
                Ok(_) => line += 1,
                Err(_) if reader.get_ref().stop.is_some() => break,
                Err(e) => return Err(io_error(e)),
            }
        },
        Some(b'[') => {
            let stream = std::io::Cursor::new(std::mem::take(&mut raw)).chain(&mut reader);
            let mut de = serde_json::Deserializer::from_reader(stream);
            let result = serde::de::DeserializeSeed::deserialize(Entries(&mut sink), &mut de).and_then(|_| de.end());
            if let Err(e) = result {
                if reader.get_ref().stop.is_none() {
                    let error = ChangesError::Format {
                        path: path.to_path_buf(),
                        line: e.line() + offset,
                        reason: format!("invalid JSON array: {e}"),
                    };
                    // Entries before the fault are kept; with none, the file is no ledger.
                    if sink.input.changes.is_empty() && sink.bad.is_empty() {
                        return Err(error);
                    }
                    fault = Some(format!("{error}; the rest of the file is not read"));
                }
            }
        }
        Some(_) => {
            let stream = std::io::Cursor::new(std::mem::take(&mut raw)).chain(&mut reader);
            load_csv(path, stream, offset, &mut sink)?;
        }
    }
    let stop = reader.get_ref().stop.clone();
    let Sink {
        mut input, bad, over, ..
    } = sink;
    let total = bad.len();
    for (line, reason) in bad.iter().take(MAX_LINE_WARNINGS) {
        input.warnings.push(format!("{shown}:{line}: {reason}"));
    }
    if total > MAX_LINE_WARNINGS {
        input.warnings.push(format!(
            "{shown}: {} more bad entries skipped ({total} in all)",
            total - MAX_LINE_WARNINGS
        ));
    }
    if over > 0 {
        input
            .warnings
            .push(format!("{shown}: {over} changes past the first {max_changes} not used"));
    }
    input.warnings.extend(fault);
    if let Some(stop) = &stop {
        input.warnings.push(format!(
            "{shown}:{}: {stop}; the rest of the file is not read",
            stop.line()
        ));
    }
    input.changes.sort_by_key(|c| c.time);
    Ok(input)
}

/// A JSON array read one element at a time (the array is never held whole).
struct Entries<'a, 'z>(&'a mut Sink<'z>);

impl<'de> serde::de::DeserializeSeed<'de> for Entries<'_, '_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Entries<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an array of change objects")
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut entry = 0;
        while let Some(item) = seq.next_element::<Value>()? {
            entry += 1;
            match item {
                Value::Object(obj) => self
                    .0
                    .push(fields_from_json(&obj), entry, |r| format!("entry {entry}: {r}")),
                _ => self.0.bad.push((entry, format!("entry {entry}: not a JSON object"))),
            }
        }
        Ok(())
    }
}

fn load_csv(path: &Path, stream: impl Read, offset: usize, sink: &mut Sink) -> Result<(), ChangesError> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(stream);
    let headers: Vec<String> = match rdr.byte_headers() {
        Ok(h) => h,
        // Past a cap or a read error (the caller says where): nothing to read.
        Err(e) if matches!(e.kind(), csv::ErrorKind::Io(_)) => return Ok(()),
        Err(e) => {
            return Err(ChangesError::Format {
                path: path.to_path_buf(),
                line: offset + 1,
                reason: format!("unreadable CSV header: {e}"),
            })
        }
    }
    .iter()
    .map(|h| String::from_utf8_lossy(h).into_owned())
    .collect();
    if !headers.iter().any(|h| role(h) == Some("time")) {
        return Err(ChangesError::Format {
            path: path.to_path_buf(),
            line: offset + 1,
            reason: format!(
                "not JSON lines, and the CSV header has no time column (want time, timestamp or ts; found {})",
                headers.join(",")
            ),
        });
    }
    let mut rec = csv::ByteRecord::new();
    loop {
        let line_before = rdr.position().line() as usize + offset;
        match rdr.read_byte_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            // Past a cap: stop here (the caller says where).
            Err(e) if matches!(e.kind(), csv::ErrorKind::Io(_)) => break,
            Err(e) => {
                sink.bad.push((line_before, format!("malformed CSV row: {e}")));
                continue;
            }
        }
        // The position after the record's newline (every line ends in one), minus one:
        // the start would point at skipped blank lines.
        let line = (rdr.position().line() as usize).saturating_sub(1) + offset;
        let mut f = Fields {
            time: None,
            time_number: None,
            kind: None,
            service: None,
            version: None,
            description: None,
            extra: Vec::new(),
        };
        for (h, v) in headers.iter().zip(rec.iter()) {
            let v = String::from_utf8_lossy(v);
            let slot = match role(h) {
                Some("time") if f.time.is_none() => &mut f.time,
                Some("kind") if f.kind.is_none() => &mut f.kind,
                Some("service") if f.service.is_none() => &mut f.service,
                Some("version") if f.version.is_none() => &mut f.version,
                Some("description") if f.description.is_none() => &mut f.description,
                _ => {
                    if !v.is_empty() {
                        f.extra.push((h.clone(), v.into_owned()));
                    }
                    continue;
                }
            };
            *slot = Some(v.into_owned());
        }
        sink.push(f, line, |r| r);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    const S: i64 = 1_000_000_000;
    // 2025-12-18T12:00:00Z = 20:00 in Shanghai.
    const EVENING: i64 = 1_766_059_200 * S;

    fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
        let p = dir.path().join(name);
        std::fs::File::create(&p).unwrap().write_all(text.as_bytes()).unwrap();
        p
    }

    fn shanghai() -> Zone {
        Zone::parse("Asia/Shanghai").unwrap()
    }

    #[test]
    fn loads_json_lines_with_aliases_sorted_and_warns_on_bad_lines() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            &dir,
            "changes.jsonl",
            r#"{"ts": "2025-12-19 09:10", "type": "Restart", "component": "promo-service", "msg": "rolling restart of all nodes"}

{"time": "2025-12-18 20:00:00", "kind": "Config", "app": "promo-service", "desc": "publish 14 promotion strategies (~300 area codes each) to key promo:strategy:area:*", "author": "ops-li", "scope": {"keys": ["promo:strategy:area:*"], "users": "all"}}
{"timestamp": 1766000000, "kind": "deploy", "service": "chat-api", "version": 2.4, "description": "mark all chats as read"}
not json at all
{"kind": "deploy", "service": "x"}
{"time": "tomorrow", "kind": "deploy"}
[1, 2]
"#,
        );
        let c = load_changes(&p, &shanghai()).unwrap();
        assert_eq!(c.changes.len(), 3);
        let kinds: Vec<&str> = c.changes.iter().map(|c| c.kind.as_str()).collect();
        assert_eq!(kinds, ["deploy", "config", "restart"], "sorted by time");
        let cfg = &c.changes[1];
        assert_eq!(cfg.time, EVENING);
        assert_eq!(cfg.service, "promo-service");
        assert_eq!(cfg.line, 3);
        assert!(cfg.description.starts_with("publish 14 promotion strategies"));
        assert_eq!(
            cfg.extra,
            vec![
                ("author".to_string(), "ops-li".to_string()),
                ("scope.keys".to_string(), "promo:strategy:area:*".to_string()),
                ("scope.users".to_string(), "all".to_string()),
            ]
        );
        let dep = &c.changes[0];
        assert_eq!(dep.time, 1_766_000_000 * S);
        assert_eq!(dep.version.as_deref(), Some("2.4"));
        assert_eq!(c.warnings.len(), 4, "{:?}", c.warnings);
        assert!(
            c.warnings[0].ends_with("changes.jsonl:5: invalid JSON: expected ident at line 1 column 2"),
            "{:?}",
            c.warnings
        );
        assert!(c.warnings[1].contains("changes.jsonl:6: no time"));
        assert!(c.warnings[2].contains("changes.jsonl:7: cannot read \"tomorrow\" as a time"));
        assert!(c.warnings[3].contains("changes.jsonl:8: not a JSON object"));
    }

    #[test]
    fn loads_csv_and_arrays_and_empty_files() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            &dir,
            "changes.csv",
            "Time,Type,Service,Version,Description,Endpoints\n\
             2025-12-18T12:00:00Z,deploy,alarm-api,v3.1.0,\"add full export, since 2020\",/api/alarm/export\n\
             \n\
             bad-time,config,alarm-api,,x,\n",
        );
        let c = load_changes(&p, &Zone::utc()).unwrap();
        assert_eq!(c.changes.len(), 1);
        let ch = &c.changes[0];
        assert_eq!(
            (ch.time, ch.kind.as_str(), ch.service.as_str()),
            (EVENING, "deploy", "alarm-api")
        );
        assert_eq!(ch.version.as_deref(), Some("v3.1.0"));
        assert_eq!(ch.description, "add full export, since 2020");
        assert_eq!(
            ch.extra,
            vec![("Endpoints".to_string(), "/api/alarm/export".to_string())]
        );
        assert_eq!(ch.line, 2);
        assert_eq!(c.warnings.len(), 1);
        assert!(
            c.warnings[0].contains("changes.csv:4: cannot read \"bad-time\""),
            "{:?}",
            c.warnings
        );

        let p = write(
            &dir,
            "a.json",
            r#"[{"time": "2025-12-18T12:00:00Z", "kind": "FLAG", "service": "s", "description": "d"}, 3]"#,
        );
        let c = load_changes(&p, &Zone::utc()).unwrap();
        assert_eq!(c.changes[0].kind, "flag");
        assert_eq!(c.warnings.len(), 1);
        assert!(c.warnings[0].contains("entry 2: not a JSON object"));

        for empty in ["", "\n\n  \n"] {
            let p = write(&dir, "e.jsonl", empty);
            let c = load_changes(&p, &Zone::utc()).unwrap();
            assert!(c.changes.is_empty() && c.warnings.is_empty());
        }
    }

    #[test]
    fn errors_name_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let e = load_changes(&dir.path().join("missing.jsonl"), &Zone::utc()).unwrap_err();
        assert!(
            matches!(e, ChangesError::Io { .. }) && e.to_string().contains("missing.jsonl"),
            "{e}"
        );
        let p = write(&dir, "c.csv", "when,what\n2025-12-18,deploy\n");
        let e = load_changes(&p, &Zone::utc()).unwrap_err().to_string();
        assert!(e.contains("c.csv:1:") && e.contains("no time column"), "{e}");
        let p = write(&dir, "a.json", "[{\"time\": 1,}");
        assert!(load_changes(&p, &Zone::utc())
            .unwrap_err()
            .to_string()
            .contains("a.json:1: invalid JSON array"));
    }

    #[test]
    fn many_bad_lines_are_counted() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(&dir, "c.jsonl", &"{\"kind\": \"deploy\"}\n".repeat(12));
        let c = load_changes(&p, &Zone::utc()).unwrap();
        assert_eq!(c.warnings.len(), MAX_LINE_WARNINGS + 1);
        assert!(c
            .warnings
            .last()
            .unwrap()
            .contains("7 more bad entries skipped (12 in all)"));
    }

    /// Regression: the ledger was read whole, so `--changes /dev/zero` never returned.
    #[test]
    fn endless_input_stops_at_the_line_cap_naming_file_and_line() {
        let zero = Path::new("/dev/zero");
        if !zero.exists() {
            eprintln!("skipped: /dev/zero is missing on this system");
            return;
        }
        let c = load_changes(zero, &Zone::utc()).unwrap();
        assert!(c.changes.is_empty());
        assert_eq!(
            c.warnings,
            ["/dev/zero:1: line longer than 1 MiB (not a text file?); the rest of the file is not read"]
        );
    }

    const GOOD: &str = "{\"time\": \"2025-12-18T12:00:00Z\", \"kind\": \"deploy\", \"service\": \"a\"}\n";

    #[test]
    fn caps_keep_what_was_read_before_them() {
        let dir = tempfile::tempdir().unwrap();
        // Line cap: two good lines, then a line one byte over the cap.
        let long = format!("{GOOD}{GOOD}{}\n{GOOD}", "x".repeat(101));
        let p = write(&dir, "long.jsonl", &long);
        let c = load_capped(&p, &Zone::utc(), 100, 1 << 20, 10).unwrap();
        assert_eq!(c.changes.len(), 2);
        assert_eq!(c.warnings.len(), 1, "{:?}", c.warnings);
        assert!(
            c.warnings[0].ends_with(
                "long.jsonl:3: line longer than 100 bytes (not a text file?); the rest of the file is not read"
            ),
            "{:?}",
            c.warnings
        );
        // A line exactly at the cap is read.
        let at_cap = format!("{GOOD}{}\n{GOOD}", "#".repeat(100));
        let p = write(&dir, "at.jsonl", &at_cap);
        let c = load_capped(&p, &Zone::utc(), 100, 1 << 20, 10).unwrap();
        assert_eq!((c.changes.len(), c.warnings.len()), (2, 0), "{:?}", c.warnings);
        // Size cap: stops inside the third line.
        let p = write(&dir, "big.jsonl", &GOOD.repeat(5));
        let c = load_capped(&p, &Zone::utc(), 1000, 2 * GOOD.len() as u64 + 10, 10).unwrap();
        assert_eq!(c.changes.len(), 2);
        let cap = 2 * GOOD.len() + 10;
        assert!(
            c.warnings[0].ends_with(&format!(
                "big.jsonl:3: file larger than {cap} bytes; the rest of the file is not read"
            )),
            "{:?}",
            c.warnings
        );
        // Change cap: the rest are counted.
        let c = load_capped(&p, &Zone::utc(), 1000, 1 << 20, 3).unwrap();
        assert_eq!(c.changes.len(), 3);
        assert_eq!(
            c.warnings,
            [format!("{}: 2 changes past the first 3 not used", p.display())]
        );
        // The same caps hold for CSV and arrays.
        let csv = format!(
            "time,kind\n2025-12-18T12:00:00Z,deploy\n{}\n2025-12-18T12:00:00Z,deploy\n",
            "z".repeat(200)
        );
        let p = write(&dir, "c.csv", &csv);
        let c = load_capped(&p, &Zone::utc(), 100, 1 << 20, 10).unwrap();
        assert_eq!(c.changes.len(), 1);
        assert!(c.warnings[0].contains("c.csv:3: line longer"), "{:?}", c.warnings);
        let array = format!("[\n{},\n{}\n]\n", GOOD.trim(), GOOD.trim());
        let p = write(&dir, "a.json", &array);
        let c = load_capped(&p, &Zone::utc(), 1000, 1 << 20, 1).unwrap();
        assert_eq!(c.changes.len(), 1);
        assert!(c.warnings[0].contains("1 changes past the first 1"), "{:?}", c.warnings);
    }

    #[test]
    fn a_broken_array_keeps_the_entries_before_the_fault() {
        let dir = tempfile::tempdir().unwrap();
        let text = format!("\n[\n{},\n{},\n{{\"time\": 1,}}\n]", GOOD.trim(), GOOD.trim());
        let p = write(&dir, "a.json", &text);
        let c = load_changes(&p, &Zone::utc()).unwrap();
        assert_eq!(c.changes.len(), 2);
        // Line 5 of the file (one blank line before the array).
        assert!(
            c.warnings[0].contains("a.json:5: invalid JSON array")
                && c.warnings[0].ends_with("the rest of the file is not read"),
            "{:?}",
            c.warnings
        );
    }

    #[test]
    fn csv_lines_are_counted_with_and_without_a_final_newline_and_leading_blank_lines() {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in [
            ("a.csv", "\n\ntime,kind\n2025-12-18T12:00:00Z,deploy\n\nbad,deploy"),
            ("b.csv", "\n\ntime,kind\n2025-12-18T12:00:00Z,deploy\n\nbad,deploy\n"),
        ] {
            let p = write(&dir, name, text);
            let c = load_changes(&p, &Zone::utc()).unwrap();
            assert_eq!(c.changes[0].line, 4, "{name}");
            assert!(
                c.warnings[0].contains(&format!("{name}:6: cannot read")),
                "{:?}",
                c.warnings
            );
        }
        // Invalid UTF-8 is read as replacement characters, not refused.
        let p = dir.path().join("u.csv");
        std::fs::write(&p, b"time,kind,description\n2025-12-18T12:00:00Z,deploy,caf\xe9\n").unwrap();
        let c = load_changes(&p, &Zone::utc()).unwrap();
        assert_eq!(c.changes[0].description, "caf\u{fffd}");
    }

    fn change(service: &str, description: &str, extra: &[(&str, &str)]) -> Change {
        Change {
            time: EVENING,
            kind: "config".into(),
            service: service.into(),
            version: None,
            description: description.into(),
            extra: extra.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            line: 1,
        }
    }

    #[test]
    fn scope_terms_pick_identifiers_and_distinctive_words() {
        let c = change(
            "promo-service",
            "Publish 14 promotion strategies (~300 area codes each) to promo:strategy:area:* for all users",
            &[
                ("author", "ops.li"),
                ("scope.keys", "promo:strategy:area:*"),
                ("endpoints", "GET /api/promo/list?city=1, /api/promo/detail/"),
            ],
        );
        let t = c.scope_terms();
        for want in [
            "promo-service",
            "promo",
            "promotion",
            "strategies",
            "strategy",
            "area",
            "codes",
            "promo:strategy",
            "promo:strategy:area",
            "/api/promo/list",
            "/api/promo/detail",
        ] {
            assert!(t.contains(&want.to_string()), "{want} missing from {t:?}");
        }
        for unwanted in [
            "service",
            "publish",
            "14",
            "300",
            "all",
            "users",
            "each",
            "ops.li",
            "get",
            "city=1",
            "promo:strategy:area:*",
        ] {
            assert!(!t.contains(&unwanted.to_string()), "{unwanted} in {t:?}");
        }
        assert_eq!(t.iter().filter(|x| *x == "promo:strategy").count(), 1, "deduplicated");

        let mut d = change(
            "chat_api",
            "新增“一键已读”功能 uses RedissonLock.tryLock per chat; batch_size=1000",
            &[],
        );
        d.version = Some("V2.4.0".into());
        let t = d.scope_terms();
        for want in [
            "chat_api",
            "chat",
            "v2.4.0",
            "redissonlock.trylock",
            "batch_size",
            "新增",
            "一键已读",
            "功能",
        ] {
            assert!(t.iter().any(|x| x == want), "{want} missing from {t:?}");
        }
    }

    #[test]
    fn kind_classes() {
        use ChangeClass::*;
        for (k, want) in [
            ("deploy", Deploy),
            ("Release", Deploy),
            ("k8s-rollout", Deploy),
            ("config", Config),
            ("feature_flag", Config),
            ("flag", Config),
            ("schema", Config),
            ("DB migration", Config),
            ("data", Config),
            ("restart", Restart),
            ("rollback", Restart),
            ("config-rollback", Restart),
            ("scale", Restart),
            ("scale_out", Restart),
            ("infra", Other),
            ("change", Other),
        ] {
            assert_eq!(kind_class(k), want, "{k}");
        }
    }
}
