//! Which columns hold what, checked against the table before any analysis query runs:
//! a missing or mistyped column is named with what was expected, not left to a
//! server error halfway.
//!
//! Roles: `ts` (DateTime/DateTime64), `msg`, `level`, `service` (strings), `host` and
//! `module` (a string column or an attribute `COLUMN[key]` of a `Map(String, String)`
//! column — current OpenTelemetry exporter — or of a `Nested(key, value)` column, the
//! same data on 18.16, which has no `Map`). Defaults: the exporter's `otel_logs`.

use crate::sql::{ident, literal};
use crate::{ChError, ColumnProblem};

/// A role's source: a column, or an attribute of a map-like column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Column(String),
    Attribute { column: String, key: String },
}

/// The mapping as asked (`--ch-columns`), before it is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    pub ts: Source,
    pub msg: Source,
    pub level: Source,
    pub service: Source,
    pub host: Option<Source>,
    pub module: Option<Source>,
}

impl Default for Mapping {
    /// The OpenTelemetry Collector exporter's `otel_logs`.
    fn default() -> Mapping {
        let col = |c: &str| Source::Column(c.to_string());
        Mapping {
            ts: col("Timestamp"),
            msg: col("Body"),
            level: col("SeverityText"),
            service: col("ServiceName"),
            host: Some(Source::Attribute {
                column: "ResourceAttributes".into(),
                key: "host.name".into(),
            }),
            module: Some(Source::Attribute {
                column: "LogAttributes".into(),
                key: "code.namespace".into(),
            }),
        }
    }
}

fn parse_source(v: &str) -> Result<Source, String> {
    let ok_name = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.');
    if let Some((col, rest)) = v.split_once('[') {
        let key = rest
            .strip_suffix(']')
            .ok_or_else(|| format!("{v:?}: expected COLUMN[key]"))?;
        let key = key.trim_matches(|c| c == '\'' || c == '"');
        if !ok_name(col) || key.is_empty() {
            return Err(format!("{v:?}: expected COLUMN[key]"));
        }
        return Ok(Source::Attribute {
            column: col.to_string(),
            key: key.to_string(),
        });
    }
    if !ok_name(v) {
        return Err(format!("{v:?}: a column name is letters, digits, _ and ."));
    }
    Ok(Source::Column(v.to_string()))
}

impl Mapping {
    /// `ts=…,msg=…,level=…,service=…,host=…,module=…` over the defaults; `host=` or
    /// `module=` with nothing after it means the table has none.
    pub fn parse(spec: &str) -> Result<Mapping, String> {
        let mut m = Mapping::default();
        for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (role, value) = part
                .split_once('=')
                .ok_or_else(|| format!("--ch-columns {part:?}: expected ROLE=COLUMN"))?;
            let value = value.trim();
            let source = || parse_source(value).map_err(|e| format!("--ch-columns {role}: {e}"));
            match role.trim() {
                "ts" => m.ts = source()?,
                "msg" => m.msg = source()?,
                "level" => m.level = source()?,
                "service" => m.service = source()?,
                "host" => m.host = if value.is_empty() { None } else { Some(source()?) },
                "module" => m.module = if value.is_empty() { None } else { Some(source()?) },
                other => {
                    return Err(format!(
                        "--ch-columns: unknown role {other:?} (ts, msg, level, service, host, module)"
                    ))
                }
            }
        }
        Ok(m)
    }
}

/// The checked mapping, as SQL expressions.
#[derive(Debug, Clone)]
pub struct Schema {
    /// Seconds since the epoch (UInt32 on the server).
    pub ts: String,
    pub msg: String,
    pub level: String,
    pub service: String,
    pub host: String,
    pub module: String,
}

impl Schema {
    pub fn ts_seconds(&self) -> String {
        self.ts.clone()
    }
}

fn is_string(ty: &str) -> bool {
    let t = ty
        .trim_start_matches("LowCardinality(")
        .trim_start_matches("Nullable(")
        .trim_end_matches(')');
    t == "String" || t.starts_with("FixedString(")
}

fn is_time(ty: &str) -> bool {
    let t = ty.trim_start_matches("Nullable(").trim_end_matches(')');
    t.starts_with("DateTime")
}

/// Checks `mapping` against the table's columns (`DESCRIBE TABLE` rows: name, type) and
/// builds the expressions.
pub fn resolve(mapping: &Mapping, columns: &[(String, String)], url: &str, table: &str) -> Result<Schema, ChError> {
    let find = |name: &str| columns.iter().find(|(n, _)| n == name).map(|(_, t)| t.as_str());
    let problem = |column: &str, found: &str, role: &'static str, expected: &'static str| {
        Box::new(ColumnProblem {
            url: url.to_string(),
            table: table.to_string(),
            column: column.to_string(),
            found: found.to_string(),
            role,
            expected,
        })
    };
    let missing = |column: &str, role: &'static str, expected: &'static str| {
        ChError::MissingColumn(problem(column, "", role, expected))
    };
    let mistyped = |column: &str, found: &str, role: &'static str, expected: &'static str| {
        ChError::MistypedColumn(problem(column, found, role, expected))
    };
    let string_of = |src: &Source, role: &'static str| -> Result<String, ChError> {
        const WANT: &str = "String, or COLUMN[key] of a Map(String, String) or Nested(key String, value String)";
        match src {
            Source::Column(c) => match find(c) {
                None => Err(missing(c, role, "String")),
                Some(t) if is_string(t) => Ok(format!("toString({})", ident(c))),
                Some(t) => Err(mistyped(c, t, role, "String")),
            },
            Source::Attribute { column, key } => {
                if let Some(t) = find(column) {
                    if t.starts_with("Map(") {
                        return Ok(format!("toString({}[{}])", ident(column), literal(key)));
                    }
                    return Err(mistyped(column, t, role, WANT));
                }
                let (k, v) = (format!("{column}.key"), format!("{column}.value"));
                match (find(&k), find(&v)) {
                    (Some(kt), Some(vt)) if kt.starts_with("Array(") && vt.starts_with("Array(") => Ok(format!(
                        "toString({}[indexOf({}, {})])",
                        ident(&v),
                        ident(&k),
                        literal(key)
                    )),
                    (Some(kt), Some(_)) => Err(mistyped(&k, kt, role, WANT)),
                    _ => Err(missing(column, role, WANT)),
                }
            }
        }
    };
    let ts = match &mapping.ts {
        Source::Column(c) => match find(c) {
            None => return Err(missing(c, "ts", "DateTime or DateTime64")),
            Some(t) if is_time(t) => format!("toUInt32(toDateTime({}))", ident(c)),
            Some(t) => return Err(mistyped(c, t, "ts", "DateTime or DateTime64")),
        },
        Source::Attribute { column, .. } => return Err(mistyped(column, "an attribute", "ts", "a DateTime column")),
    };
    let none = "''".to_string();
    Ok(Schema {
        ts,
        msg: string_of(&mapping.msg, "msg")?,
        level: string_of(&mapping.level, "level")?,
        service: string_of(&mapping.service, "service")?,
        host: mapping
            .host
            .as_ref()
            .map_or(Ok(none.clone()), |s| string_of(s, "host"))?,
        module: mapping.module.as_ref().map_or(Ok(none), |s| string_of(s, "module"))?,
    })
}

/// `DESCRIBE TABLE … FORMAT TSV` → (name, type) pairs.
pub fn parse_describe(tsv: &str) -> Vec<(String, String)> {
    tsv.lines()
        .filter_map(|l| {
            let mut f = l.split('\t');
            Some((crate::sql::tsv_unescape(f.next()?), crate::sql::tsv_unescape(f.next()?)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cols(spec: &[(&str, &str)]) -> Vec<(String, String)> {
        spec.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }

    #[test]
    fn otel_logs_on_18_16_and_on_current_servers() {
        let old = cols(&[
            ("Timestamp", "DateTime"),
            ("SeverityText", "String"),
            ("ServiceName", "String"),
            ("Body", "String"),
            ("ResourceAttributes.key", "Array(String)"),
            ("ResourceAttributes.value", "Array(String)"),
            ("LogAttributes.key", "Array(String)"),
            ("LogAttributes.value", "Array(String)"),
        ]);
        let s = resolve(&Mapping::default(), &old, "u", "t").unwrap();
        assert_eq!(
            s.host,
            "toString(`ResourceAttributes.value`[indexOf(`ResourceAttributes.key`, 'host.name')])"
        );
        let new = cols(&[
            ("Timestamp", "DateTime64(9)"),
            ("SeverityText", "LowCardinality(String)"),
            ("ServiceName", "LowCardinality(String)"),
            ("Body", "String"),
            ("ResourceAttributes", "Map(LowCardinality(String), String)"),
            ("LogAttributes", "Map(LowCardinality(String), String)"),
        ]);
        let s = resolve(&Mapping::default(), &new, "u", "t").unwrap();
        assert_eq!(s.host, "toString(`ResourceAttributes`['host.name'])");
        assert_eq!(s.ts, "toUInt32(toDateTime(`Timestamp`))");
    }

    #[test]
    fn a_plain_table_through_the_mapping_and_what_is_wrong_named() {
        let plain = cols(&[
            ("ts", "DateTime"),
            ("level", "String"),
            ("service", "String"),
            ("msg", "String"),
        ]);
        let m = Mapping::parse("ts=ts,msg=msg,level=level,service=service,host=,module=").unwrap();
        let s = resolve(&m, &plain, "u", "t").unwrap();
        assert_eq!((s.host.as_str(), s.msg.as_str()), ("''", "toString(`msg`)"));
        let e = resolve(&Mapping::default(), &plain, "u", "t").unwrap_err().to_string();
        assert!(e.contains("no column Timestamp") && e.contains("ts"), "{e}");
        let typed = cols(&[("ts", "String"), ("msg", "String")]);
        let e = resolve(&m, &typed, "u", "t").unwrap_err().to_string();
        assert!(e.contains("column ts of t is String, expected DateTime"), "{e}");
        let m2 = Mapping::parse("ts=ts,msg=msg,level=level,service=svc,host=,module=").unwrap();
        let e = resolve(&m2, &plain, "u", "t").unwrap_err().to_string();
        assert!(e.contains("no column svc (service, expected String)"), "{e}");
        assert!(Mapping::parse("colour=x").is_err());
        assert!(Mapping::parse("ts=a;b").is_err());
    }
}
