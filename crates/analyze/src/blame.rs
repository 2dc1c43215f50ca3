//! Change blame: every change scored against every anomaly. A change after an
//! anomaly's onset is never blamed for it. Before it, the score multiplies a temporal
//! weight — decaying with the lag measured from the change's first *traffic exposure*
//! (a config pushed at night bites at the next peak) — with the scope overlap between
//! the change (service, keys, endpoints in its description) and the anomaly (services,
//! hosts, modules, template words, explaining values), plus templates new since it.

use std::collections::BTreeMap;

use crate::changes::{kind_class, Change, ChangeClass};
use crate::frame::{human_duration, HOUR, MINUTE};
use crate::rules::Lang;
use crate::say::say;

/// What a change can be blamed for.
#[derive(Debug, Clone)]
pub struct AnomalyScope {
    /// Problem id (or spike id).
    pub id: String,
    pub onset: i64,
    /// Services, hosts and modules it occurs in, lower-case.
    pub places: Vec<String>,
    /// Words of its templates and explaining values, lower-case.
    pub terms: Vec<String>,
    /// Anomalous templates new since the baseline, with their first time.
    pub new_templates: Vec<i64>,
    /// For a P1/P2 problem, the first record of its templates in the series (baseline
    /// and window): see [`FOLLOWS_WITHIN`].
    pub first_logged: Option<i64>,
    /// Weight of the anomaly itself (its problem score).
    pub weight: f64,
}

#[derive(Debug, Clone)]
pub struct Blame {
    pub score: f64,
    pub reason: String,
    pub linked: Vec<String>,
}

/// Score of a change at or above which it is called the likely cause.
pub const BLAME_THRESHOLD: f64 = 0.5;

/// A problem whose templates are first logged at most this long after a change, when
/// the logs cover the [`QUIET_HISTORY`] before it without them, follows the change in
/// time: that ties the two as a shared service would, whatever each is named (a ledger's
/// `orders-api` against logs in `app.log`). By chance, a first record falls into the two
/// minutes after a given change with odds of about one in fifteen against 30 covered
/// minutes before it (Datadog's faulty-deployment check: new error types after a version).
const FOLLOWS_WITHIN: i64 = 2 * MINUTE;
const QUIET_HISTORY: i64 = 30 * MINUTE;

/// Whether the logs cover the [`QUIET_HISTORY`] before `t`: it lies inside the series
/// (both where logs come from files and from a store) and two thirds of its minutes
/// hold records (a night without logs says nothing about what was absent).
fn covered_before(t: i64, series_start: i64, minutes: &BTreeMap<i64, u64>) -> bool {
    let from = t - QUIET_HISTORY;
    if from < series_start {
        return false;
    }
    let logged = minutes
        .range(from.div_euclid(MINUTE)..t.div_euclid(MINUTE))
        .filter(|(_, &n)| n > 0)
        .count() as i64;
    3 * logged >= 2 * (QUIET_HISTORY / MINUTE)
}

fn decay_scale(class: ChangeClass) -> i64 {
    match class {
        ChangeClass::Deploy => 8 * HOUR,
        ChangeClass::Config => 12 * HOUR,
        ChangeClass::Restart => HOUR,
        ChangeClass::Other => 4 * HOUR,
    }
}

/// When traffic after `t` first reached the level it had when the anomaly began (load
/// gating: a change that ran for hours under the same load without trouble is a weak
/// suspect; one whose first busy period is the onset is a strong one). Without records
/// between the change and the onset, the first record after the change.
fn exposure(t: i64, onset: i64, minutes: &BTreeMap<i64, u64>, busy: f64) -> i64 {
    let onset_min = onset.div_euclid(MINUTE);
    let before: Vec<u64> = minutes.range(onset_min - 10..onset_min).map(|(_, n)| *n).collect();
    let level = if before.is_empty() {
        busy
    } else {
        before.iter().sum::<u64>() as f64 / before.len() as f64
    };
    let from = t.div_euclid(MINUTE);
    for (&m, &n) in minutes.range(from..=onset_min) {
        if n as f64 >= 0.8 * level {
            return (m * MINUTE).max(t);
        }
    }
    t
}

fn term_matches(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    // `strategies` ~ `strategy`, `promotion` ~ `promo`: a shared stem of 5+ characters.
    let common = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    common >= 5 || (common >= 4 && (a.len().min(b.len()) <= common + 1))
}

/// Scores one change against all anomalies; the best match gives the score.
/// `incident_onset` is when the incident began: a change after it is a reaction (a
/// restart, a scale-out, a kill switch), never a cause, even of anomalies that show later.
/// `series_start` is where the data the analysis compares begins (the earliest baseline).
pub fn score_change(
    change: &Change,
    anomalies: &[AnomalyScope],
    minutes: &BTreeMap<i64, u64>,
    busy: f64,
    incident_onset: Option<i64>,
    series_start: i64,
    lang: Lang,
) -> Blame {
    let class = kind_class(&change.kind);
    let service = change.service.to_lowercase();
    let service_parts: Vec<&str> = service.split(['-', '_', '.', '/']).collect();
    // The service is matched on its own below; its name parts are not key words.
    let terms: Vec<String> = change
        .scope_terms()
        .into_iter()
        .filter(|t| t != &service && !service_parts.contains(&t.as_str()))
        .collect();
    let mut best = Blame {
        score: 0.0,
        reason: String::new(),
        linked: Vec::new(),
    };
    if let Some(onset) = incident_onset.filter(|&o| change.time >= o) {
        best.reason = say!(
            lang,
            "{} after the incident began ({}): a reaction, not a cause",
            "发生在事件开始（{1}）之后 {0}：是应对措施，不是原因",
            human_duration(change.time - onset),
            crate::model_time(onset)
        );
        return best;
    }
    let mut after_all = !anomalies.is_empty();
    let covered = covered_before(change.time, series_start, minutes);
    for a in anomalies {
        if change.time >= a.onset {
            continue;
        }
        after_all = false;
        let exposed = exposure(change.time, a.onset, minutes, busy);
        let lag = a.onset - exposed;
        let time_w = (-(lag as f64) / decay_scale(class) as f64).exp();
        let service_match = !service.is_empty()
            && a.places.iter().any(|p| {
                p == &service || (service.len() >= 4 && (p.contains(&service) || service.contains(p.as_str())))
            });
        let overlaps: Vec<&String> = terms
            .iter()
            .filter(|t| a.terms.iter().any(|x| term_matches(t, x)))
            .collect();
        let new_after = a.new_templates.iter().filter(|&&f| f > change.time).count();
        let follows = a
            .first_logged
            .filter(|&f| covered && f >= change.time && f - change.time <= FOLLOWS_WITHIN);
        // Scope: the same service is strong evidence; shared distinctive words (keys,
        // endpoints, feature names) are weaker, and templates new since the change count
        // only when the change is already tied to the anomaly by more than one word or
        // by following it at once.
        let mut scope: f64 = if service_match { 0.75 } else { 0.0 };
        if !overlaps.is_empty() {
            // One shared word is a coincidence more often than not ("raise", "bulk").
            scope = scope.max((0.2 * overlaps.len() as f64).min(0.5));
        }
        if follows.is_some() {
            scope = scope.max(0.5);
        }
        let tied = service_match || overlaps.len() >= 2 || follows.is_some();
        let novelty = if tied && (new_after > 0 || follows.is_some()) {
            0.25
        } else {
            0.0
        };
        let class_w = match class {
            // A restart or scale-out is a response, rarely a cause.
            ChangeClass::Restart => 0.3,
            _ => 1.0,
        };
        let strength = (scope + novelty).min(1.0);
        let score = (class_w * time_w * (0.15 + 0.85 * strength) * (0.7 + 0.3 * a.weight)).clamp(0.0, 1.0);
        if score > best.score {
            let mut why = vec![say!(
                lang,
                "{} before the onset of {} ({})",
                "早于 {1} 的起始时间（{2}）{0}",
                human_duration(a.onset - change.time),
                a.id,
                crate::model_time(a.onset)
            )];
            if exposed > change.time + 5 * MINUTE {
                why.push(say!(
                    lang,
                    "first traffic peak after it at {} (lag {})",
                    "此后首个流量高峰在 {}（滞后 {}）",
                    crate::model_time(exposed),
                    human_duration(lag)
                ));
            }
            if let Some(f) = follows {
                why.push(say!(
                    lang,
                    "its templates were first logged {} after it, absent from the {} of logs before it",
                    "其模板在变更后 {} 首次出现，变更前 {} 的日志中没有",
                    human_duration(f - change.time),
                    human_duration(QUIET_HISTORY)
                ));
            }
            if service_match {
                why.push(say!(lang, "same service ({})", "同一服务（{}）", change.service));
            }
            if !overlaps.is_empty() {
                why.push(say!(
                    lang,
                    "shares {}",
                    "共有关键词 {}",
                    overlaps
                        .iter()
                        .take(3)
                        .map(|s| format!("'{s}'"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            if !service_match && overlaps.is_empty() && follows.is_none() {
                why.push(say!(
                    lang,
                    "no overlap with where the anomaly is",
                    "与异常发生的位置没有重合"
                ));
            }
            if novelty > 0.0 {
                why.push(say!(
                    lang,
                    "{new_after} anomalous template(s) new since the change",
                    "变更后新出现 {new_after} 个异常模板"
                ));
            }
            if class == ChangeClass::Restart {
                why.push(say!(
                    lang,
                    "a {} is usually a response, not a cause",
                    "{} 通常是应对措施，而不是原因",
                    change.kind
                ));
            }
            best.score = score;
            best.reason = why.join(say!(lang, "; ", "；").as_str());
        }
        if score >= BLAME_THRESHOLD * 0.6 {
            best.linked.push(a.id.clone());
        }
    }
    if best.reason.is_empty() {
        best.reason = if after_all {
            say!(
                lang,
                "after the onset of every anomaly: not a cause",
                "晚于所有异常的起始时间：不是原因"
            )
        } else {
            say!(lang, "no anomaly to explain", "没有需要解释的异常")
        };
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::DAY;

    fn change(time: i64, kind: &str, service: &str, description: &str) -> Change {
        Change {
            time,
            kind: kind.into(),
            service: service.into(),
            version: None,
            description: description.into(),
            extra: Vec::new(),
            line: 1,
        }
    }

    fn anomaly(onset: i64, place: &str, terms: &[&str]) -> AnomalyScope {
        AnomalyScope {
            id: "P-1".into(),
            onset,
            places: vec![place.into()],
            terms: terms.iter().map(|s| s.to_string()).collect(),
            new_templates: vec![onset],
            first_logged: None,
            weight: 1.0,
        }
    }

    #[test]
    fn the_deploy_before_the_morning_peak_is_blamed_and_later_restarts_are_not() {
        let onset = DAY + 9 * HOUR;
        // Quiet night, traffic from 08:30.
        let mut minutes = BTreeMap::new();
        for m in (DAY / MINUTE + 7 * 60)..(DAY / MINUTE + 10 * 60) {
            minutes.insert(m, if m >= DAY / MINUTE + 8 * 60 + 30 { 1000 } else { 50 });
        }
        let a = [anomaly(onset, "chat-service", &["trylock", "chat", "read"])];
        let deploy = score_change(
            &change(22 * HOUR, "deploy", "chat-service", "mark all chats read"),
            &a,
            &minutes,
            1000.0,
            None,
            i64::MIN,
            Lang::En,
        );
        let other = score_change(
            &change(onset - 90 * MINUTE, "config", "notification-service", "smtp pool size"),
            &a,
            &minutes,
            1000.0,
            None,
            i64::MIN,
            Lang::En,
        );
        let restart = score_change(
            &change(onset + 10 * MINUTE, "restart", "chat-service", "restart pods"),
            &a,
            &minutes,
            1000.0,
            None,
            i64::MIN,
            Lang::En,
        );
        assert!(deploy.score >= BLAME_THRESHOLD, "{deploy:?}");
        assert!(other.score < deploy.score * 0.5, "{other:?}");
        assert_eq!(restart.score, 0.0);
        assert!(restart.reason.contains("after the onset"), "{}", restart.reason);
        let reaction = score_change(
            &change(onset + 10 * MINUTE, "restart", "chat-service", "restart pods"),
            &a,
            &minutes,
            1000.0,
            Some(onset - MINUTE),
            i64::MIN,
            Lang::En,
        );
        assert_eq!(reaction.score, 0.0);
        assert!(reaction.reason.contains("reaction"), "{}", reaction.reason);
        assert!(deploy.reason.contains("first traffic peak"), "{}", deploy.reason);
    }

    /// A deploy named `orders-api` against logs whose service is their folder's name: a
    /// slow-query warning first logged seconds after it, after an hour of logs without
    /// it, was "no change explains" (one shared word, score 0.27).
    #[test]
    fn a_problem_first_logged_right_after_a_change_follows_it() {
        let t = DAY + 10 * HOUR;
        let minutes =
            |from: i64| -> BTreeMap<i64, u64> { (from / MINUTE..(t + HOUR) / MINUTE).map(|m| (m, 400)).collect() };
        let scope = |first: i64| AnomalyScope {
            id: "P-2".into(),
            onset: first,
            places: vec!["nu3".into()],
            terms: vec!["slow".into(), "query".into(), "orders_order".into()],
            new_templates: Vec::new(),
            first_logged: Some(first),
            weight: 0.47,
        };
        let deploy = change(t, "deploy", "orders-api", "v2.14.0: prefetch order items");
        let score = |first: i64, logs_from: i64| {
            score_change(
                &deploy,
                &[scope(first)],
                &minutes(logs_from),
                400.0,
                None,
                t - HOUR,
                Lang::En,
            )
        };
        let b = score(t + 20 * 1_000_000_000, t - HOUR);
        assert!(b.score >= BLAME_THRESHOLD, "{b:?}");
        assert!(b.reason.contains("first logged 20s after it"), "{}", b.reason);
        // Ten minutes later it is not "right after"; with ten minutes of logs before the
        // change, absence says little.
        assert!(score(t + 10 * MINUTE, t - HOUR).score < BLAME_THRESHOLD);
        assert!(score(t + 20 * 1_000_000_000, t - 10 * MINUTE).score < BLAME_THRESHOLD);
    }

    #[test]
    fn a_config_change_matches_by_key_words() {
        let onset = DAY + 15 * HOUR;
        // Logs start the next afternoon, already busy: exposure is their first minute.
        let minutes: BTreeMap<i64, u64> = ((onset - 2 * HOUR) / MINUTE..onset / MINUTE)
            .map(|m| (m, 100))
            .collect();
        let a = [anomaly(
            onset,
            "gateway",
            &["promo:strategy:all", "promo", "strategy", "redis"],
        )];
        let cfg = Change {
            extra: vec![("keys".into(), "promo:strategy:all".into())],
            ..change(20 * HOUR, "config", "config-center", "publish 14 promotion strategies")
        };
        let b = score_change(&cfg, &a, &minutes, 100.0, None, i64::MIN, Lang::En);
        assert!(b.score > 0.3, "{b:?}");
        assert!(b.reason.contains("shares"), "{}", b.reason);
    }
}
