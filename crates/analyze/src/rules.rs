//! Problem categories and recommendations as data: a TOML rule file
//! (`rules/default.toml`, built in) that users can extend with their own file.
//!
//! Owns parsing and validating rule files, the category of a problem text (first
//! matching pattern wins; user rules first), and choosing and filling in the advice for
//! a problem. Which problems exist, and which findings (`change:deploy`, `spike`, …)
//! they are linked to, is decided by the analysis; this module only maps them to text.

use std::collections::BTreeMap;

use regex::{Regex, RegexBuilder};
use serde::Deserialize;

const BUILTIN: &str = include_str!("../rules/default.toml");
const RESOURCES: [&str; 4] = ["memory", "disk", "connections", "cpu"];

#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    #[error("{origin}: invalid rule file: {message}")]
    Toml { origin: String, message: String },
    #[error("{origin}: {entry}: bad regex {pattern:?}: {message}")]
    Regex {
        origin: String,
        entry: String,
        pattern: String,
        message: String,
    },
    #[error("{origin}: {entry}: {reason}")]
    Invalid {
        origin: String,
        entry: String,
        reason: String,
    },
}

/// Language of the advice text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    Zh,
}

impl Lang {
    /// `en`, `zh`, `zh-CN`, `zh_TW`, `cn`, `chinese`… (case-insensitive).
    pub fn parse(code: &str) -> Option<Lang> {
        let c = code.trim().to_ascii_lowercase();
        if c == "en" || c.starts_with("en-") || c.starts_with("en_") || c == "english" {
            Some(Lang::En)
        } else if c == "zh" || c.starts_with("zh-") || c.starts_with("zh_") || c == "cn" || c == "chinese" {
            Some(Lang::Zh)
        } else {
            None
        }
    }
}

#[derive(Debug, Clone)]
pub struct CategoryRule {
    pub name: String,
    /// Usually the effect of something upstream (time-outs, exhausted pools).
    pub symptom: bool,
    /// The resource the log claims is exhausted (`memory`, `disk`, `connections`, `cpu`).
    pub resource: Option<String>,
    /// The level a record of this category gets when its line carries none (syslog,
    /// kernel and many plain-text logs): `Level as u8` (3 WARN, 4 ERROR, 5 FATAL).
    pub severity: Option<u8>,
    pattern: Regex,
}

impl CategoryRule {
    pub fn pattern(&self) -> &str {
        self.pattern.as_str()
    }
}

#[derive(Debug, Clone)]
pub struct RecommendationRule {
    pub id: String,
    pub categories: Vec<String>,
    pub kinds: Vec<String>,
    /// `P1`, `P2` or `P3`.
    pub priority: String,
    pub en: String,
    pub zh: Option<String>,
    text: Option<Regex>,
}

impl RecommendationRule {
    /// All given conditions hold: one of its categories, its text regex, one of its kinds.
    fn applies(&self, categories: &[&str], text: &str, kinds: &[&str]) -> bool {
        (self.categories.is_empty() || self.categories.iter().any(|c| categories.contains(&c.as_str())))
            && self.text.as_ref().is_none_or(|r| r.is_match(text))
            && (self.kinds.is_empty() || self.kinds.iter().any(|k| kinds.contains(&k.as_str())))
    }
}

#[derive(Debug, Clone)]
pub struct Rules {
    categories: Vec<CategoryRule>,
    recommendations: Vec<RecommendationRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileRules {
    #[serde(default)]
    category: Vec<FileCategory>,
    #[serde(default)]
    recommendation: Vec<FileRecommendation>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileCategory {
    name: String,
    pattern: String,
    #[serde(default)]
    symptom: bool,
    resource: Option<String>,
    severity: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileRecommendation {
    id: String,
    #[serde(default)]
    categories: Vec<String>,
    text: Option<String>,
    kind: Option<OneOrMany>,
    priority: String,
    en: String,
    zh: Option<String>,
}

fn compile(pattern: &str, origin: &str, entry: &str) -> Result<Regex, RulesError> {
    RegexBuilder::new(pattern)
        .case_insensitive(true)
        .size_limit(1 << 22)
        .build()
        .map_err(|e| RulesError::Regex {
            origin: origin.to_string(),
            entry: entry.to_string(),
            pattern: pattern.to_string(),
            message: e.to_string(),
        })
}

impl Rules {
    /// The built-in rules (`rules/default.toml`, compiled in). A unit test parses that
    /// file, so this cannot fail in a built binary; should it ever, the result is an
    /// empty rule set (every problem `other`, no advice) rather than a crash.
    pub fn builtin() -> Rules {
        Rules::from_toml(BUILTIN, "built-in rules").unwrap_or_else(|_| Rules::empty())
    }

    pub fn empty() -> Rules {
        Rules {
            categories: Vec::new(),
            recommendations: Vec::new(),
        }
    }

    /// Parses a rule file; `origin` (a path, or "built-in rules") names it in errors.
    pub fn from_toml(text: &str, origin: &str) -> Result<Rules, RulesError> {
        let file: FileRules = toml::from_str(text).map_err(|e| RulesError::Toml {
            origin: origin.to_string(),
            message: e.to_string().trim_end().to_string(),
        })?;
        let invalid = |entry: &str, reason: String| RulesError::Invalid {
            origin: origin.to_string(),
            entry: entry.to_string(),
            reason,
        };
        let mut categories = Vec::with_capacity(file.category.len());
        for (i, c) in file.category.into_iter().enumerate() {
            let entry = if c.name.trim().is_empty() {
                format!("category #{}", i + 1)
            } else {
                format!("category {:?}", c.name)
            };
            if c.name.trim().is_empty() {
                return Err(invalid(&entry, "empty name".into()));
            }
            if c.pattern.trim().is_empty() {
                return Err(invalid(&entry, "empty pattern".into()));
            }
            if let Some(r) = &c.resource {
                if !RESOURCES.contains(&r.as_str()) {
                    return Err(invalid(
                        &entry,
                        format!("unknown resource {r:?} (want one of {})", RESOURCES.join(", ")),
                    ));
                }
            }
            let severity = match c.severity.as_deref().map(str::to_ascii_lowercase).as_deref() {
                None => None,
                Some("warn" | "warning") => Some(3),
                Some("error") => Some(4),
                Some("fatal" | "critical") => Some(5),
                Some(other) => {
                    return Err(invalid(
                        &entry,
                        format!("unknown severity {other:?} (want warn, error or fatal)"),
                    ))
                }
            };
            let pattern = compile(&c.pattern, origin, &entry)?;
            categories.push(CategoryRule {
                name: c.name.trim().to_string(),
                symptom: c.symptom,
                resource: c.resource,
                severity,
                pattern,
            });
        }
        let mut recommendations: Vec<RecommendationRule> = Vec::with_capacity(file.recommendation.len());
        for (i, r) in file.recommendation.into_iter().enumerate() {
            let entry = if r.id.trim().is_empty() {
                format!("recommendation #{}", i + 1)
            } else {
                format!("recommendation {:?}", r.id)
            };
            if r.id.trim().is_empty() {
                return Err(invalid(&entry, "empty id".into()));
            }
            if recommendations.iter().any(|x| x.id == r.id) {
                return Err(invalid(&entry, "duplicate id".into()));
            }
            if !matches!(r.priority.as_str(), "P1" | "P2" | "P3") {
                return Err(invalid(
                    &entry,
                    format!("priority {:?} (want P1, P2 or P3)", r.priority),
                ));
            }
            if r.en.trim().is_empty() {
                return Err(invalid(&entry, "empty en text".into()));
            }
            let kinds = match r.kind {
                None => Vec::new(),
                Some(OneOrMany::One(k)) => vec![k],
                Some(OneOrMany::Many(ks)) => ks,
            };
            if r.categories.is_empty() && kinds.is_empty() && r.text.is_none() {
                return Err(invalid(&entry, "no condition: give categories, text or kind".into()));
            }
            for t in std::iter::once(&r.en).chain(r.zh.as_ref()) {
                check_template(t).map_err(|reason| invalid(&entry, reason))?;
            }
            let text = r.text.as_deref().map(|p| compile(p, origin, &entry)).transpose()?;
            recommendations.push(RecommendationRule {
                id: r.id,
                categories: r.categories,
                kinds,
                priority: r.priority,
                en: r.en,
                zh: r.zh.filter(|z| !z.trim().is_empty()),
                text,
            });
        }
        Ok(Rules {
            categories,
            recommendations,
        })
    }

    /// Adds `other` (a user's rules) in front: its categories are tried first, and its
    /// recommendations replace ours with the same id.
    pub fn extend(&mut self, other: Rules) {
        let mut categories = other.categories;
        categories.append(&mut self.categories);
        self.categories = categories;
        let ours = std::mem::take(&mut self.recommendations);
        let mut recs = other.recommendations;
        let kept: Vec<RecommendationRule> = ours
            .into_iter()
            .filter(|r| !recs.iter().any(|u| u.id == r.id))
            .collect();
        recs.extend(kept);
        self.recommendations = recs;
    }

    pub fn categories(&self) -> &[CategoryRule] {
        &self.categories
    }

    pub fn recommendations(&self) -> &[RecommendationRule] {
        &self.recommendations
    }

    /// The first category whose pattern matches `text` (a template or title).
    pub fn categorize(&self, text: &str) -> Option<&CategoryRule> {
        self.categories.iter().find(|c| c.pattern.is_match(text))
    }

    /// The advice for a problem of `categories` whose template text is `text`, linked
    /// to findings `kinds` (`change:deploy`, `spike`, `redis_big_key`, …), with the
    /// placeholders filled from `ctx`. Deduplicated by text, P1 first, rule order within
    /// a priority. Without a `zh` text a rule falls back to `en`.
    pub fn recommend(
        &self,
        categories: &[&str],
        text: &str,
        kinds: &[&str],
        ctx: &BTreeMap<&str, String>,
        lang: Lang,
    ) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        for r in self
            .recommendations
            .iter()
            .filter(|r| r.applies(categories, text, kinds))
        {
            let template = match lang {
                Lang::Zh => r.zh.as_deref().unwrap_or(&r.en),
                Lang::En => &r.en,
            };
            let filled = fill(template, ctx, lang);
            if !filled.is_empty() && !out.iter().any(|(_, t)| *t == filled) {
                out.push((r.priority.clone(), filled));
            }
        }
        out.sort_by(|a, b| a.0.cmp(&b.0)); // stable: rule order within a priority
        out
    }
}

/// A generic word for a placeholder outside brackets that has no value.
fn generic(name: &str, lang: Lang) -> String {
    let (en, zh) = match name {
        "endpoint" => ("the endpoint", "该接口"),
        "key" => ("the key", "该 key"),
        "service" => ("the service", "该服务"),
        "change" => ("the change", "该变更"),
        "param" => ("the parameter", "该参数"),
        "callee" => ("the called service", "被调用服务"),
        "source" => ("the source", "该来源"),
        other => return other.replace('_', " "),
    };
    match lang {
        Lang::En => en.to_string(),
        Lang::Zh => zh.to_string(),
    }
}

/// Rejects unbalanced or nested brackets and unclosed placeholders at load time, so
/// that [`fill`] never meets them.
fn check_template(t: &str) -> Result<(), String> {
    let mut depth = 0;
    let mut in_ph = false;
    for c in t.chars() {
        match c {
            '{' if in_ph => return Err(format!("nested '{{' in {t:?}")),
            '{' => in_ph = true,
            '}' if !in_ph => return Err(format!("'}}' without '{{' in {t:?}")),
            '}' => in_ph = false,
            '[' if depth > 0 => return Err(format!("nested '[' in {t:?}")),
            '[' => depth += 1,
            ']' if depth == 0 => return Err(format!("']' without '[' in {t:?}")),
            ']' => depth -= 1,
            _ => {}
        }
    }
    if in_ph {
        return Err(format!("unclosed '{{' in {t:?}"));
    }
    if depth != 0 {
        return Err(format!("unclosed '[' in {t:?}"));
    }
    Ok(())
}

/// Fills `{name}` placeholders from `ctx`. A `[...]` segment is kept (without its
/// brackets) only when every placeholder inside it has a non-empty value; a
/// placeholder outside brackets without a value becomes a generic word. Values are
/// inserted as they are, never expanded again.
fn fill(template: &str, ctx: &BTreeMap<&str, String>, lang: Lang) -> String {
    let value = |name: &str| ctx.get(name).map(|v| v.trim()).filter(|v| !v.is_empty());
    let mut out = String::with_capacity(template.len() + 32);
    let mut segment = String::new();
    let mut in_segment = false;
    let mut segment_ok = true;
    let mut rest = template;
    while let Some(c) = rest.chars().next() {
        match c {
            '[' => {
                in_segment = true;
                segment_ok = true;
                segment.clear();
                rest = &rest[1..];
            }
            ']' => {
                if segment_ok {
                    out.push_str(&segment);
                }
                in_segment = false;
                rest = &rest[1..];
            }
            '{' => {
                let Some(end) = rest.find('}') else {
                    // Unclosed: load-time validation prevents it; keep the text as is.
                    out.push_str(rest);
                    break;
                };
                let name = rest[1..end].trim();
                let target = if in_segment { &mut segment } else { &mut out };
                match value(name) {
                    Some(v) => target.push_str(v),
                    None if in_segment => segment_ok = false,
                    None => target.push_str(&generic(name, lang)),
                }
                rest = &rest[end + 1..];
            }
            _ => {
                if in_segment {
                    segment.push(c);
                } else {
                    out.push(c);
                }
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    out.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(pairs: &[(&'static str, &str)]) -> BTreeMap<&'static str, String> {
        pairs.iter().map(|(k, v)| (*k, v.to_string())).collect()
    }

    #[test]
    fn builtin_rules_parse_and_cover_the_required_categories() {
        let r = Rules::from_toml(BUILTIN, "built-in rules").expect("built-in rules must parse");
        let names: Vec<&str> = r.categories().iter().map(|c| c.name.as_str()).collect();
        for want in [
            "lock",
            "pool",
            "memory",
            "disk",
            "slow_query",
            "timeout",
            "downstream",
            "database",
            "cache",
            "crash",
            "auth",
            "security",
            "rate_limit",
            "external",
            "export",
            "config",
            "network",
        ] {
            assert!(names.contains(&want), "{want} missing");
        }
        assert_eq!(Rules::builtin().categories().len(), r.categories().len());
        // Every built-in recommendation has Chinese text.
        assert!(
            r.recommendations().iter().all(|x| x.zh.is_some()),
            "a built-in recommendation lacks zh"
        );
    }

    #[test]
    fn categorizes_realistic_templates_first_match_wins() {
        let r = Rules::builtin();
        let cases = [
            ("RedissonLock tryLock failed for key <*> after 10000 ms", "lock"),
            ("Lock wait timeout exceeded; try restarting transaction", "lock"),
            ("Deadlock found when trying to get lock", "lock"),
            ("could not acquire lock on chat <*>", "lock"),
            (
                "Thread pool is EXHAUSTED! Thread Name: DubboServerHandler, Pool Size: 200",
                "pool",
            ),
            (
                "java.util.concurrent.RejectedExecutionException: Task rejected from executor",
                "pool",
            ),
            (
                "HikariPool-1 - Connection is not available, request timed out after 30000ms",
                "pool",
            ),
            ("Timeout waiting for idle object", "pool"),
            ("java.lang.OutOfMemoryError: Java heap space", "memory"),
            ("memory insufficient, free=<*>MB", "memory"),
            ("GC overhead limit exceeded", "memory"),
            ("write failed: No space left on device", "disk"),
            ("disk space low on /data: <*>% used", "disk"),
            ("write failed: Disk quota exceeded", "disk"),
            (
                "slow query: SELECT * FROM msg WHERE chat_id IN (<*>) took <*> ms",
                "slow_query",
            ),
            ("full table scan on alarm_record", "slow_query"),
            ("export alarm records start=<*> end=<*>", "export"),
            ("Read timed out", "timeout"),
            ("context deadline exceeded", "timeout"),
            ("connect to <*> failed: Connection refused", "downstream"),
            ("upstream returned 503 Service Unavailable", "downstream"),
            ("call to payment-service failed", "downstream"),
            ("Replication lag on replica <*> is <*> s", "database"),
            ("com.mysql.jdbc.exceptions.CommunicationsException", "database"),
            ("Redis GET promo:strategy:all took <*> ms", "cache"),
            ("big key detected: <*> size <*>", "cache"),
            ("worker crashed, restarting", "crash"),
            ("panic: runtime error: index out of range", "crash"),
            ("login error=invalid credentials user=<*>", "auth"),
            ("403 Forbidden for <*>", "auth"),
            ("abnormal access from <*>: possible attack", "security"),
            ("429 Too Many Requests", "rate_limit"),
            ("request frequency too high for <*>", "rate_limit"),
            ("third-party SMS gateway slow: <*> ms", "external"),
            ("invalid config value for <*>", "config"),
            ("error=network error peer=<*>", "network"),
            ("dial tcp: lookup <*>: no such host; DNS failure", "network"),
            ("导出告警记录 start=<*>", "export"),
            ("调用支付服务超时", "timeout"),
            ("内存不足，无法分配缓冲区", "memory"),
        ];
        for (text, want) in cases {
            let got = r.categorize(text).map(|c| c.name.as_str());
            assert_eq!(got, Some(want), "{text}");
        }
        assert!(r.categorize("user <*> logged in").is_none());
        // Regression: the kernel's boot line (Loghub Thunderbird) was a disk error.
        assert!(r.categorize("Disk quotas dquot_6.5.1").is_none());
        let pool = r.categorize("thread pool exhausted").unwrap();
        assert!(pool.symptom);
        assert_eq!(pool.resource.as_deref(), Some("connections"));
        let mem = r.categorize("OutOfMemoryError").unwrap();
        assert!(!mem.symptom);
        assert_eq!(mem.resource.as_deref(), Some("memory"));
        assert!(r.categorize("Read timed out").unwrap().symptom);
    }

    #[test]
    fn recommends_export_lock_with_endpoint_and_drops_unknown_optional_parts() {
        let r = Rules::builtin();
        let c = ctx(&[("endpoint", "GET /api/alarm/export"), ("param", "start.year=2020")]);
        let recs = r.recommend(&["export"], "export alarm records start=<*>", &["spike"], &c, Lang::En);
        assert_eq!(recs[0].0, "P1");
        assert!(
            recs[0]
                .1
                .contains("distributed lock on the export endpoint GET /api/alarm/export so that"),
            "{recs:?}"
        );
        assert!(
            recs.iter()
                .any(|(p, t)| p == "P2" && t.contains("(seen: start.year=2020)")),
            "{recs:?}"
        );
        assert!(
            recs.iter()
                .any(|(_, t)| t
                    .starts_with("Find who generates the extra load (start.year=2020) on GET /api/alarm/export")),
            "{recs:?}"
        );
        let prios: Vec<&str> = recs.iter().map(|(p, _)| p.as_str()).collect();
        let mut sorted = prios.clone();
        sorted.sort();
        assert_eq!(prios, sorted, "P1 first");

        // No context: optional parts vanish cleanly, no braces or brackets remain.
        let recs = r.recommend(&["export"], "export", &[], &BTreeMap::new(), Lang::En);
        assert!(recs[0].1.contains("on the export endpoint so that"), "{recs:?}");
        for (_, t) in &recs {
            assert!(!t.contains(['{', '}', '[', ']']), "{t}");
        }
        let zh = r.recommend(&["export"], "export", &[], &BTreeMap::new(), Lang::Zh);
        assert!(zh[0].1.starts_with("为导出接口加并发限制或分布式锁"), "{zh:?}");
        let zh = r.recommend(&["export"], "export", &[], &c, Lang::Zh);
        assert!(
            zh[0].1.starts_with("为导出接口 GET /api/alarm/export 加并发限制"),
            "{zh:?}"
        );
    }

    #[test]
    fn recommends_change_remedies_by_kind() {
        let r = Rules::builtin();
        let c = ctx(&[("change", "deploy chat-api v2.4.0"), ("service", "chat-api")]);
        let recs = r.recommend(
            &["lock"],
            "tryLock failed for chat <*>",
            &["change:deploy"],
            &c,
            Lang::En,
        );
        let texts: Vec<&str> = recs.iter().map(|(_, t)| t.as_str()).collect();
        assert!(
            texts[0].starts_with("Roll back the suspect deploy (deploy chat-api v2.4.0)"),
            "{texts:?}"
        );
        assert!(
            texts
                .iter()
                .any(|t| t.contains("kill switch") && t.contains("new feature in chat-api")),
            "{texts:?}"
        );
        assert!(texts.iter().any(|t| t.contains("per item inside a loop")), "{texts:?}");
        assert!(!texts.iter().any(|t| t.contains("configuration change")), "{texts:?}");

        let c = ctx(&[("change", "config promo-service"), ("key", "promo:strategy:all")]);
        let recs = r.recommend(
            &["cache"],
            "Redis GET <*> big key size <*>",
            &["change:config", "redis_big_key"],
            &c,
            Lang::Zh,
        );
        let texts: Vec<&str> = recs.iter().map(|(_, t)| t.as_str()).collect();
        assert!(
            texts.contains(&"回退可疑的配置变更（config promo-service）或撤回已发布的配置项，并确认错误随之消失。"),
            "{texts:?}"
        );
        assert!(
            texts
                .iter()
                .any(|t| t.starts_with("将大 key promo:strategy:all 拆分成多个小 key")),
            "{texts:?}"
        );
        // The big-key advice comes from both the kind rule and the text rule: once.
        assert_eq!(texts.iter().filter(|t| t.starts_with("将大 key")).count(), 1);
        assert_eq!(recs.last().unwrap().0, "P3");
    }

    #[test]
    fn recommends_for_pools_and_log_metric_mismatches() {
        let r = Rules::builtin();
        let recs = r.recommend(&["pool"], "Thread pool is EXHAUSTED", &[], &BTreeMap::new(), Lang::En);
        assert!(
            recs[0].1.contains("thread dump") && recs[0].1.contains("time-outs"),
            "{recs:?}"
        );
        assert!(
            recs.iter().any(|(_, t)| t.starts_with(
                "Treat the time-outs as a symptom: find the slow or failing dependency they wait on, then"
            )),
            "{recs:?}"
        );
        let recs = r.recommend(
            &["memory"],
            "memory insufficient",
            &["log_metric_mismatch:memory"],
            &BTreeMap::new(),
            Lang::En,
        );
        assert!(
            recs[0].1.contains("inside the application or its container"),
            "{recs:?}"
        );
        let recs = r.recommend(
            &["disk"],
            "disk space low",
            &["log_metric_mismatch:disk"],
            &BTreeMap::new(),
            Lang::Zh,
        );
        assert!(
            recs.iter().any(|(_, t)| t.contains("应用实际写入的分区或卷")),
            "{recs:?}"
        );
        // Each category has at least one built-in recommendation.
        for c in r.categories() {
            assert!(
                !r.recommend(&[c.name.as_str()], "", &[], &BTreeMap::new(), Lang::En)
                    .is_empty(),
                "no advice for {}",
                c.name
            );
        }
    }

    #[test]
    fn user_rules_come_first_and_override_by_id() {
        let mut r = Rules::builtin();
        let user = Rules::from_toml(
            r#"
[[category]]
name = "billing"
pattern = 'invoice .* (failed|timed out)'
symptom = false

[[recommendation]]
id = "export-lock"
categories = ["export"]
priority = "P2"
en = "Ask the reporting team before running {endpoint}."

[[recommendation]]
id = "billing-retry"
categories = ["billing"]
kind = ["change:deploy", "change:config"]
priority = "P1"
en = "Re-run the failed invoices after {change}[ for {service}]."
"#,
            "team.toml",
        )
        .unwrap();
        r.extend(user);
        // Would be "timeout" with the built-ins alone.
        assert_eq!(r.categorize("invoice 42 timed out").unwrap().name, "billing");
        assert_eq!(r.categorize("Read timed out").unwrap().name, "timeout");
        let recs = r.recommend(&["export"], "export", &[], &BTreeMap::new(), Lang::Zh);
        assert_eq!(
            recs[0],
            (
                "P2".to_string(),
                "Ask the reporting team before running 该接口.".to_string()
            ),
            "zh falls back to en"
        );
        assert!(!recs.iter().any(|(_, t)| t.contains("分布式锁")));
        assert!(
            r.recommend(&["billing"], "", &[], &BTreeMap::new(), Lang::En)
                .is_empty(),
            "kind required"
        );
        let recs = r.recommend(&["billing"], "", &["change:config"], &BTreeMap::new(), Lang::En);
        assert_eq!(recs[0].1, "Re-run the failed invoices after the change.");
    }

    #[test]
    fn bad_rule_files_name_origin_and_entry() {
        let cases = [
            ("[[category]]\nname = \"x\"\npattern = \"(unclosed\"\n", "my.toml: category \"x\": bad regex"),
            ("[[category]]\nname = \"x\"\npattern = \"a\"\nresource = \"gpu\"\n", "my.toml: category \"x\": unknown resource \"gpu\""),
            ("[[category]]\nname = \"x\"\npatern = \"a\"\n", "my.toml: invalid rule file"),
            ("[[recommendation]]\nid = \"r\"\ncategories = [\"x\"]\npriority = \"high\"\nen = \"a\"\n", "my.toml: recommendation \"r\": priority \"high\""),
            ("[[recommendation]]\nid = \"r\"\npriority = \"P1\"\nen = \"a\"\n", "my.toml: recommendation \"r\": no condition"),
            ("[[recommendation]]\nid = \"r\"\ncategories = [\"x\"]\npriority = \"P1\"\nen = \"a [b {c}\"\n", "my.toml: recommendation \"r\": unclosed '['"),
            ("[[recommendation]]\nid = \"r\"\ncategories = [\"x\"]\ntext = \"*\"\npriority = \"P1\"\nen = \"a\"\n", "my.toml: recommendation \"r\": bad regex"),
            ("[[recommendation]]\nid = \"r\"\ncategories = [\"x\"]\npriority = \"P1\"\nen = \"a\"\n[[recommendation]]\nid = \"r\"\ncategories = [\"x\"]\npriority = \"P1\"\nen = \"b\"\n", "duplicate id"),
            ("category = 3", "my.toml: invalid rule file"),
        ];
        for (text, want) in cases {
            let e = Rules::from_toml(text, "my.toml").unwrap_err().to_string();
            assert!(e.contains(want), "{want:?} not in {e:?}");
        }
        // TOML syntax errors carry a line number.
        let e = Rules::from_toml("[[category]]\nname = \"x\"\npattern = 'a\n", "my.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 3"), "{e}");
    }

    #[test]
    fn fill_handles_segments_and_values_literally() {
        let c = ctx(&[("key", "a{service}b"), ("service", "  ")]);
        assert_eq!(
            fill("Split [{key} ]now[ for {service}].", &c, Lang::En),
            "Split a{service}b now."
        );
        assert_eq!(fill("{service} is down", &c, Lang::En), "the service is down");
        assert_eq!(fill("检查{service}", &c, Lang::Zh), "检查该服务");
        assert_eq!(fill("raise {pool_size}", &c, Lang::En), "raise pool size");
        assert_eq!(Lang::parse("zh-CN"), Some(Lang::Zh));
        assert_eq!(Lang::parse("EN"), Some(Lang::En));
        assert_eq!(Lang::parse("fr"), None);
    }
}
