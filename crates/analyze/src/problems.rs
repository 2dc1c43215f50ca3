//! Problems: anomalous or error templates grouped into the problems a person would name
//! (`Database connection failed: error=network error` and `…=invalid credentials` are
//! one problem), with exact window counts, where they occur, a category from the rule
//! file, and a priority from severity, novelty, volume and spread.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;
use triage_mine::miner::Templates;
use triage_parse::Level;

use crate::aggregate::Aggregates;
use crate::anomaly::{TemplateVerdict, Verdict};
use crate::collect::{Collected, Dictionary};
use crate::rules::Rules;

/// A problem before it becomes a model entry: the analysis works on these.
#[derive(Debug, Clone)]
pub struct ProblemDraft {
    pub id: String,
    pub title: String,
    /// Template indexes, most records first.
    pub templates: Vec<usize>,
    pub count: u64,
    pub baseline_count: u64,
    pub levels: [u64; 7],
    pub verdict: Verdict,
    pub ratio: Option<f64>,
    pub q_value: Option<f64>,
    pub onset: Option<i64>,
    pub first_seen: Option<i64>,
    pub last_seen: Option<i64>,
    pub category: String,
    pub symptom: bool,
    pub resource: Option<String>,
    pub modules: Vec<(String, u64)>,
    pub hosts: Vec<(String, u64)>,
    pub services: Vec<(String, u64)>,
    pub score: f64,
    pub priority: &'static str,
    pub symptom_of: Option<String>,
    /// Templates folded in because they were logged with this problem's own (see
    /// [`fold_companions`]): in `templates` too, after its own; never cited for it.
    pub companions: Vec<usize>,
}

impl ProblemDraft {
    pub fn anomalous(&self) -> bool {
        self.verdict != Verdict::Steady
    }

    /// Highest level with records (`Level as usize`), None when no record has a level.
    pub fn max_level(&self) -> Option<usize> {
        (0..6).rev().find(|&l| self.levels[l] > 0)
    }

    pub fn errors(&self) -> u64 {
        self.levels[3..6].iter().sum()
    }

    pub fn main_service(&self) -> Option<&str> {
        self.services.first().map(|(s, _)| s.as_str())
    }
}

/// The grouping key of a template: its words up to the first value (a placeholder, a
/// `key=value` or a number), so variants that differ only after that point group.
pub fn group_key(template: &str) -> String {
    let mut words: Vec<&str> = Vec::new();
    for tok in template.split_whitespace() {
        if tok.contains('<') || tok.contains('=') || tok.bytes().any(|b| b.is_ascii_digit()) {
            break;
        }
        words.push(tok);
        if words.len() == 8 {
            break;
        }
    }
    let key: Vec<String> = words
        .iter()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase())
        .filter(|w| !w.is_empty())
        .collect();
    // Too short a prefix would group unrelated messages ("Failed <*>").
    if key.len() < 2 {
        return template.to_string();
    }
    key.join(" ")
}

/// (module/host/service id, window records) per template, from a (template, id) map:
/// built once, so naming each problem's places reads its own templates' entries, not
/// the whole map (which was problems × templates with a long tail).
fn by_template(map: &FxHashMap<(u32, u32), u64>) -> FxHashMap<u32, Vec<(u32, u64)>> {
    let mut out: FxHashMap<u32, Vec<(u32, u64)>> = FxHashMap::default();
    for (&(t, id), &n) in map {
        out.entry(t).or_default().push((id, n));
    }
    out
}

fn top_names(map: &FxHashMap<u32, Vec<(u32, u64)>>, templates: &[usize], dict: &Dictionary) -> Vec<(String, u64)> {
    let mut by: BTreeMap<u32, u64> = BTreeMap::new();
    for t in templates {
        for (id, n) in map.get(&(*t as u32)).into_iter().flatten() {
            *by.entry(*id).or_insert(0) += n;
        }
    }
    let mut v: Vec<(String, u64)> = by
        .into_iter()
        .filter_map(|(id, n)| dict.get(id).map(|s| (s.to_string(), n)))
        .collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v
}

fn severity(level: Option<usize>) -> f64 {
    match level {
        Some(5) => 1.0,
        Some(4) => 0.75,
        Some(3) => 0.45,
        _ => 0.15,
    }
}

/// Builds the problems of the window, ordered by priority then score.
pub fn build(
    templates: &Templates,
    verdicts: &[TemplateVerdict],
    agg: &Aggregates,
    c: &Collected,
    rules: &Rules,
) -> Vec<ProblemDraft> {
    // Candidates: anomalous templates and templates with WARN+ records in the window.
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, t) in templates.templates.iter().enumerate() {
        let tc = &agg.templates[i];
        if tc.window == 0 {
            continue;
        }
        let errors: u64 = tc.levels[Level::Warn as usize..=Level::Fatal as usize].iter().sum();
        if !verdicts[i].anomalous() && errors == 0 {
            continue;
        }
        // A surge of INFO lines is a spike matter, not a problem of its own, unless new.
        if errors == 0 && verdicts[i].verdict == Verdict::Surge && tc.window < 20 {
            continue;
        }
        groups.entry(group_key(&t.text)).or_default().push(i);
    }
    let window_errors: u64 = agg.window_levels[3..6].iter().sum::<u64>().max(1);
    let (template_modules, template_hosts, template_services) = (
        by_template(&agg.template_modules),
        by_template(&agg.template_hosts),
        by_template(&agg.template_services),
    );
    let mut out = Vec::new();
    for (_, mut members) in groups {
        members.sort_by(|&a, &b| {
            agg.templates[b]
                .window
                .cmp(&agg.templates[a].window)
                .then_with(|| templates.templates[a].id.cmp(&templates.templates[b].id))
        });
        let main = members[0];
        let count: u64 = members.iter().map(|&i| agg.templates[i].window).sum();
        let baseline_count: u64 = members.iter().map(|&i| agg.templates[i].baseline).sum();
        let mut levels = [0u64; 7];
        for &i in &members {
            for (l, n) in levels.iter_mut().zip(agg.templates[i].levels) {
                *l += n;
            }
        }
        let anomalous: Vec<usize> = members.iter().copied().filter(|&i| verdicts[i].anomalous()).collect();
        let verdict = if !anomalous.is_empty()
            && anomalous.iter().all(|&i| verdicts[i].verdict == Verdict::New)
            && baseline_count == 0
        {
            Verdict::New
        } else if !anomalous.is_empty() {
            Verdict::Surge
        } else {
            Verdict::Steady
        };
        let expected: f64 = members.iter().map(|&i| verdicts[i].expected).sum();
        let ratio = (baseline_count > 0 && expected > 0.0).then(|| count as f64 / expected);
        let q_value = members.iter().filter_map(|&i| verdicts[i].q_value).reduce(f64::min);
        let onset = anomalous.iter().filter_map(|&i| verdicts[i].onset).min();
        let first_seen = members.iter().filter_map(|&i| agg.templates[i].first_in_window).min();
        let last_seen = members.iter().filter_map(|&i| agg.templates[i].last_in_window).max();
        let title = if members.len() > 1 {
            let key_text = group_key(&templates.templates[main].text);
            let prefix: String = templates.templates[main]
                .text
                .split_whitespace()
                .take(key_text.split(' ').count())
                .collect::<Vec<_>>()
                .join(" ");
            format!("{prefix} … ({} variants)", members.len())
        } else {
            templates.templates[main].text.clone()
        };
        let all_text: String = members
            .iter()
            .map(|&i| templates.templates[i].text.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        let (category, symptom, resource) = match rules.categorize(&all_text) {
            Some(r) => (r.name.clone(), r.symptom, r.resource.clone()),
            None => ("other".to_string(), false, None),
        };
        let modules = top_names(&template_modules, &members, &c.modules);
        let hosts = top_names(&template_hosts, &members, &c.hosts);
        let services = top_names(&template_services, &members, &c.services);
        let mut d = ProblemDraft {
            id: format!("P-{}", templates.templates[main].id),
            title,
            templates: members,
            count,
            baseline_count,
            levels,
            verdict,
            ratio,
            q_value,
            onset,
            first_seen,
            last_seen,
            category,
            symptom,
            resource,
            modules,
            hosts,
            services,
            score: 0.0,
            priority: "P3",
            symptom_of: None,
            companions: Vec::new(),
        };
        score(&mut d, window_errors);
        out.push(d);
    }
    let mut out = fold_companions(out, templates);
    for d in &mut out {
        if !d.companions.is_empty() {
            score(d, window_errors);
        }
    }
    out.sort_by(|a, b| {
        a.priority
            .cmp(b.priority)
            .then(b.score.total_cmp(&a.score))
            .then_with(|| b.count.cmp(&a.count))
            .then_with(|| a.id.cmp(&b.id))
    });
    out
}

/// Problems logged together are one problem. Loggers that give every line its own header
/// (Rails' `Logger`, one record per line of a container's output) write an error as
/// several records — a blank line, the exception, a frame per line of the backtrace, the
/// request's `Completed 500` — and each became a problem of its own, the blank one
/// (`[<request id>]`, most records) first. Problems of one service whose first and last
/// records in the window carry the same times, to below the second, are lines of the same
/// events: the leader keeps its id and title, the others follow as companions. Times of
/// whole seconds are not compared (second-resolution logs share them by chance). The
/// leader is the most severe, then the one that says something (a word outside the
/// placeholders), then the one the rules name, then the fewest records (one line per
/// event rather than a repeated blank).
fn fold_companions(drafts: Vec<ProblemDraft>, templates: &Templates) -> Vec<ProblemDraft> {
    use crate::frame::SECOND;
    let mut by_key: BTreeMap<(String, i64, i64), Vec<usize>> = BTreeMap::new();
    for (i, d) in drafts.iter().enumerate() {
        if let (Some(service), Some(first), Some(last)) = (d.main_service(), d.first_seen, d.last_seen) {
            if first % SECOND != 0 || last % SECOND != 0 {
                by_key.entry((service.to_string(), first, last)).or_default().push(i);
            }
        }
    }
    let says_something = |d: &ProblemDraft| has_words(&templates.templates[d.templates[0]].text);
    let mut leader_of: Vec<Option<usize>> = vec![None; drafts.len()];
    for members in by_key.values().filter(|m| m.len() > 1) {
        let Some(&leader) = members.iter().min_by(|&&a, &&b| {
            let (x, y) = (&drafts[a], &drafts[b]);
            y.max_level()
                .cmp(&x.max_level())
                .then(says_something(y).cmp(&says_something(x)))
                .then((y.category != "other").cmp(&(x.category != "other")))
                .then(x.count.cmp(&y.count))
                .then_with(|| x.id.cmp(&y.id))
        }) else {
            continue;
        };
        for &m in members.iter().filter(|&&m| m != leader) {
            leader_of[m] = Some(leader);
        }
    }
    let mut slots: Vec<Option<ProblemDraft>> = drafts.into_iter().map(Some).collect();
    for m in 0..slots.len() {
        let Some(leader) = leader_of[m] else { continue };
        let Some(companion) = slots[m].take() else { continue };
        let Some(d) = slots[leader].as_mut() else { continue };
        d.companions.extend(&companion.templates);
        d.templates.extend(&companion.templates);
        d.count += companion.count;
        d.baseline_count += companion.baseline_count;
        for (l, n) in d.levels.iter_mut().zip(companion.levels) {
            *l += n;
        }
        d.onset = match (d.onset, companion.onset) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        for (mine, theirs) in [
            (&mut d.modules, companion.modules),
            (&mut d.hosts, companion.hosts),
            (&mut d.services, companion.services),
        ] {
            for (name, n) in theirs {
                match mine.iter_mut().find(|(x, _)| *x == name) {
                    Some((_, have)) => *have += n,
                    None => mine.push((name, n)),
                }
            }
            mine.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        }
    }
    let mut out: Vec<ProblemDraft> = slots.into_iter().flatten().collect();
    for d in &mut out {
        if !d.companions.is_empty() {
            let n = d.companions.len();
            d.title = format!(
                "{} (with {n} more template{} logged with it)",
                d.title,
                if n == 1 { "" } else { "s" }
            );
        }
    }
    out
}

/// Whether a template says something: a word of two letters or more outside its
/// placeholders (`[<uuid>]`, a blank line's request tag, says nothing).
pub fn has_words(template: &str) -> bool {
    // Letters in a row outside `<…>` (placeholders hold no space: `x <= 5 failed` has
    // words); a placeholder or any other character ends a run.
    let (mut run, mut inside) = (0, false);
    for c in template.chars() {
        match c {
            '<' => (inside, run) = (true, 0),
            '>' if inside => inside = false,
            c if inside && c.is_whitespace() => inside = false,
            c if !inside && c.is_alphabetic() => {
                run += 1;
                if run >= 2 {
                    return true;
                }
            }
            _ => run = 0,
        }
    }
    false
}

/// Score 0–1 and priority: severity, novelty, volume (share of the window's errors) and
/// spread (modules, hosts, services). Chronic problems (nothing changed) are never P1:
/// they are real, but not this incident.
fn score(d: &mut ProblemDraft, window_errors: u64) {
    let sev = severity(d.max_level());
    let novelty = match d.verdict {
        Verdict::New => 1.0,
        Verdict::Surge => 0.6 + 0.4 * d.ratio.map_or(1.0, |r| ((r.log10()) / 2.0).clamp(0.0, 1.0)),
        Verdict::Steady => 0.0,
    };
    let volume = ((d.count as f64).log10() / 3.5).clamp(0.0, 1.0) * 0.5
        + (d.errors() as f64 / window_errors as f64).min(1.0) * 0.5;
    let spread =
        ((d.modules.len().max(1) + d.hosts.len().max(1) + d.services.len().max(1)) as f64 - 3.0).min(5.0) / 5.0;
    d.score = (0.35 * sev + 0.35 * novelty + 0.2 * volume + 0.1 * spread).clamp(0.0, 1.0);
    d.priority = if d.anomalous() && sev >= 0.45 && d.score >= 0.55 {
        "P1"
    } else if d.anomalous() || (sev >= 0.75 && d.score >= 0.45) {
        "P2"
    } else {
        "P3"
    };
}

#[cfg(test)]
mod tests {
    use super::{group_key, has_words};

    #[test]
    fn a_template_of_placeholders_says_nothing() {
        assert!(!has_words("[<uuid>]"));
        assert!(!has_words(""));
        assert!(!has_words("<num> <ip> -- : [<hex>]"));
        assert!(has_words("[<uuid>] Redis::TimeoutError (Connection timed out):"));
        assert!(has_words("<id> `items'"));
        assert!(has_words("请求 <num> 失败"));
    }

    #[test]
    fn variants_share_a_key() {
        let a = group_key("Database connection failed: error=network error");
        let b = group_key("Database connection failed: error=invalid credentials");
        let c = group_key("Database connection failed: error=<*>");
        assert_eq!(a, b);
        assert_eq!(a, c);
        assert_ne!(a, group_key("Database connection timeout, retrying"));
        // A one-word prefix is not enough to group.
        assert_ne!(group_key("Failed <*> to connect"), group_key("Failed <*> to parse"));
    }
}
