//! `--line-format`: a header described in Loghub's `log_format` syntax, e.g.
//! `<Date> <Time> <Pid> <Level> <Component>: <Content>`. `<Field>` placeholders match
//! lazily, `<Content>` is the message, spaces match runs of whitespace and any other
//! text is a regular expression — exactly as logparser compiles it, so formats from
//! `formats.json` work unchanged.

use std::sync::Arc;

use regex::Regex;

use super::{specificity, Candidate, LineParser};
use crate::timestamp::{self, TimeContext};
use crate::{Level, Record};

/// A compiled `--line-format`.
pub struct LineFormat {
    regex: Regex,
    /// Capture group names in order.
    names: Vec<String>,
}

/// Field names that carry (parts of) the timestamp, in the order they are joined.
const TIME_PARTS: [&str; 7] = ["Timestamp", "Datetime", "Date", "Month", "Day", "Time", "Year"];

impl LineFormat {
    pub fn compile(spec: &str) -> Result<LineFormat, String> {
        let mut pattern = String::from("^");
        let mut names = Vec::new();
        let mut rest = spec;
        while let Some(open) = rest.find('<') {
            let Some(close_rel) = rest[open..].find('>') else { break };
            let name = &rest[open + 1..open + close_rel];
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                // Not a placeholder (a literal `<`): keep it as regex text.
                pattern.push_str(&spaces_to_ws(&rest[..open + 1]));
                rest = &rest[open + 1..];
                continue;
            }
            pattern.push_str(&spaces_to_ws(&rest[..open]));
            if names.iter().any(|n| n == name) {
                return Err(format!("line format {spec:?}: field <{name}> appears twice"));
            }
            pattern.push_str(&format!("(?P<{name}>.*?)"));
            names.push(name.to_string());
            rest = &rest[open + close_rel + 1..];
        }
        pattern.push_str(&spaces_to_ws(rest));
        pattern.push('$');
        let regex = Regex::new(&pattern).map_err(|e| format!("line format {spec:?} is not a valid pattern: {e}"))?;
        if !names.iter().any(|n| n == "Content") {
            return Err(format!("line format {spec:?} has no <Content> field for the message"));
        }
        Ok(LineFormat { regex, names })
    }

    pub fn candidate(self) -> Candidate {
        Candidate {
            name: "line-format".into(),
            parser: Arc::new(self),
            ts_layout: None,
            specificity: specificity::CONTAINER,
        }
    }
}

fn spaces_to_ws(literal: &str) -> String {
    let mut out = String::new();
    let mut in_space = false;
    for c in literal.chars() {
        if c == ' ' {
            if !in_space {
                out.push_str(r"\s+");
            }
            in_space = true;
        } else {
            out.push(c);
            in_space = false;
        }
    }
    out
}

impl LineParser for LineFormat {
    fn parse_line(&self, line: &str, ctx: &TimeContext, rec: &mut Record) -> bool {
        let Some(caps) = self.regex.captures(line) else {
            return false;
        };
        let mut time_text = String::new();
        for name in &self.names {
            let value = caps.name(name).map_or("", |m| m.as_str());
            match name.as_str() {
                "Content" => {
                    rec.message.push_str(value);
                    continue;
                }
                "Level" | "Severity" => rec.level = Level::parse_loose(value),
                "Component" | "Logger" | "Module" => rec.module = Some(value.to_string()),
                "Host" | "Node" | "Hostname" => rec.host = Some(value.to_string()),
                "Service" | "Program" | "App" => rec.service = Some(value.to_string()),
                _ => {}
            }
            if TIME_PARTS.contains(&name.as_str()) && !value.is_empty() {
                if !time_text.is_empty() {
                    time_text.push(' ');
                }
                time_text.push_str(value);
            }
            rec.fields.push((name.clone().into(), value.to_string()));
        }
        rec.ts = timestamp::parse_text(&time_text, ctx).or_else(|| {
            // The joined parts may not form one layout (BGL carries an epoch and a
            // time); take the richest part that parses on its own.
            let mut best: Option<(u8, i64)> = None;
            for part in TIME_PARTS {
                if let Some(v) = caps.name(part) {
                    if let Some(m) = timestamp::scan(v.as_str().trim().as_bytes(), ctx) {
                        if m.len == v.as_str().trim().len() && best.is_none_or(|(r, _)| m.layout.richness() > r) {
                            best = Some((m.layout.richness(), m.nanos));
                        }
                    }
                }
            }
            best.map(|(_, ns)| ns)
        });
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::rfc3339;

    #[test]
    fn loghub_hdfs_format() {
        let f = LineFormat::compile("<Date> <Time> <Pid> <Level> <Component>: <Content>").unwrap();
        let mut r = Record::default();
        let ctx = TimeContext::default();
        assert!(f.parse_line(
            "081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 for block blk_38865049064139660 terminating",
            &ctx,
            &mut r
        ));
        assert_eq!(
            r.message,
            "PacketResponder 1 for block blk_38865049064139660 terminating"
        );
        assert_eq!(r.module.as_deref(), Some("dfs.DataNode$PacketResponder"));
        assert_eq!(r.field("Pid"), Some("148"));
        assert_eq!(rfc3339(r.ts.unwrap()), "2008-11-09T20:36:15Z");
        assert!(!f.parse_line("\tat x.y.Z(Z.java:1)", &ctx, &mut Record::default()));
    }

    #[test]
    fn rejects_formats_without_content() {
        assert!(LineFormat::compile("<Date> <Time>").is_err());
        assert!(LineFormat::compile("<Date> (<Content>").is_err());
    }
}
