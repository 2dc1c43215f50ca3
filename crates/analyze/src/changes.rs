//! The change ledger: deploys, configuration pushes, feature flags, restarts and
//! scaling events that happened around the incident, from JSON lines or CSV.
//!
//! Owns loading, normalising (time, lower-case kind, service, description, other
//! fields), the terms a change can be matched by, and the class of a change kind.
//! Scoring a change against the anomalies is the caller's.

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

/// Loads a change ledger: JSON lines (one object per line), a JSON array of objects, or
/// CSV with a header, told apart by the first non-blank byte. An empty file is a valid
/// ledger with no changes. Bad entries are skipped with a warning `file:line: reason`.
pub fn load_changes(path: &Path, zone: &Zone) -> Result<ChangesInput, ChangesError> {
    let bytes = std::fs::read(path).map_err(|source| ChangesError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let text = String::from_utf8_lossy(&bytes);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let shown = path.display().to_string();
    let mut input = ChangesInput::default();
    let mut bad: Vec<(usize, String)> = Vec::new();
    match text.trim_start().as_bytes().first() {
        None => return Ok(input),
        Some(b'{') => {
            for (i, raw) in text.lines().enumerate() {
                let line = i + 1;
                let l = raw.trim();
                if l.is_empty() || l.starts_with("//") || l.starts_with('#') {
                    continue;
                }
                match serde_json::from_str::<Value>(l) {
                    Ok(Value::Object(obj)) => match build(fields_from_json(&obj), zone, line) {
                        Ok(c) => input.changes.push(c),
                        Err(reason) => bad.push((line, reason)),
                    },
                    Ok(_) => bad.push((line, "not a JSON object".into())),
                    Err(e) => bad.push((line, format!("invalid JSON: {e}"))),
                }
            }
        }
        Some(b'[') => {
            let items: Vec<Value> = serde_json::from_str(text).map_err(|e| ChangesError::Format {
                path: path.to_path_buf(),
                line: e.line(),
                reason: format!("invalid JSON array: {e}"),
            })?;
            for (i, item) in items.iter().enumerate() {
                let entry = i + 1;
                match item {
                    Value::Object(obj) => match build(fields_from_json(obj), zone, entry) {
                        Ok(c) => input.changes.push(c),
                        Err(reason) => bad.push((entry, format!("entry {entry}: {reason}"))),
                    },
                    _ => bad.push((entry, format!("entry {entry}: not a JSON object"))),
                }
            }
        }
        Some(_) => load_csv(path, text, zone, &mut input, &mut bad)?,
    }
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
    input.changes.sort_by_key(|c| c.time);
    Ok(input)
}

fn load_csv(
    path: &Path,
    text: &str,
    zone: &Zone,
    input: &mut ChangesInput,
    bad: &mut Vec<(usize, String)>,
) -> Result<(), ChangesError> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| ChangesError::Format {
            path: path.to_path_buf(),
            line: 1,
            reason: format!("unreadable CSV header: {e}"),
        })?
        .iter()
        .map(str::to_string)
        .collect();
    if !headers.iter().any(|h| role(h) == Some("time")) {
        return Err(ChangesError::Format {
            path: path.to_path_buf(),
            line: 1,
            reason: format!(
                "not JSON lines, and the CSV header has no time column (want time, timestamp or ts; found {})",
                headers.join(",")
            ),
        });
    }
    let mut rec = csv::StringRecord::new();
    loop {
        let line_before = rdr.position().line() as usize;
        match rdr.read_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                bad.push((line_before, format!("malformed CSV row: {e}")));
                continue;
            }
        }
        // End position minus one: the start would point at skipped blank lines.
        let end = rdr.position().line() as usize;
        let line = if text.ends_with('\n') || rdr.position().byte() < text.len() as u64 {
            end.saturating_sub(1)
        } else {
            end
        };
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
            let slot = match role(h) {
                Some("time") if f.time.is_none() => &mut f.time,
                Some("kind") if f.kind.is_none() => &mut f.kind,
                Some("service") if f.service.is_none() => &mut f.service,
                Some("version") if f.version.is_none() => &mut f.version,
                Some("description") if f.description.is_none() => &mut f.description,
                _ => {
                    if !v.is_empty() {
                        f.extra.push((h.clone(), v.to_string()));
                    }
                    continue;
                }
            };
            *slot = Some(v.to_string());
        }
        match build(f, zone, line) {
            Ok(c) => input.changes.push(c),
            Err(reason) => bad.push((line, reason)),
        }
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
