//! Secrets masked in the finished report. Reports are pasted into chats and tickets, and
//! any text in them may come from a log line: titles, templates, samples, parameters,
//! root causes, evidence, the timeline, notes. Rather than masking at each place text
//! is made (and missing one), [`redact_report`] walks every string of the finished model
//! once; the CLI calls it unless `--no-redact`. Masks keep their kind
//! (`<secret:password>`, see [`triage_text::redact`]), so counts and templates still read
//! right. Ids, times, enumerated words (status, kinds, levels) and numbers are left alone.

pub use triage_text::{redact, redact_pair};

use crate::model::Report;

fn mask(text: &mut String) {
    if let std::borrow::Cow::Owned(masked) = redact(text) {
        *text = masked;
    }
}

fn mask_all(texts: &mut [String]) {
    texts.iter_mut().for_each(mask);
}

fn mask_opt(text: &mut Option<String>) {
    if let Some(t) = text {
        mask(t);
    }
}

/// Masks `value` as [`redact_pair`] does for `name`, and the name itself.
fn mask_pair(name: &mut String, value: &mut String) {
    if let std::borrow::Cow::Owned(masked) = redact_pair(name, value) {
        *value = masked;
    }
    mask(name);
}

/// Masks secrets in every free-text string of `report`, in place. Samples that become
/// equal once masked are kept once.
pub fn redact_report(report: &mut Report) {
    mask(&mut report.status_reason);
    mask(&mut report.conclusion);
    mask(&mut report.input.intake);
    mask_all(&mut report.input.notes);
    for group in report
        .modules
        .iter_mut()
        .chain(&mut report.hosts)
        .chain(&mut report.services)
    {
        mask(&mut group.name);
    }
    for p in &mut report.problems {
        mask(&mut p.title);
        for nc in p.modules.iter_mut().chain(&mut p.hosts).chain(&mut p.services) {
            mask(&mut nc.name);
        }
        for t in &mut p.templates {
            mask(&mut t.template);
            mask_all(&mut t.samples);
            let mut seen: Vec<String> = Vec::with_capacity(t.samples.len());
            t.samples.retain(|s| {
                let new = !seen.contains(s);
                if new {
                    seen.push(s.clone());
                }
                new
            });
        }
        for param in &mut p.parameters {
            mask_pair(&mut param.name, &mut param.value);
        }
        mask_all(&mut p.recommendations);
    }
    for f in &mut report.findings {
        mask(&mut f.summary);
        mask_all(&mut f.evidence);
    }
    for s in &mut report.spikes {
        for e in &mut s.explained_by {
            mask_pair(&mut e.field, &mut e.value);
        }
    }
    for e in &mut report.endpoints {
        mask(&mut e.endpoint);
    }
    for c in &mut report.changes {
        mask(&mut c.service);
        mask_opt(&mut c.version);
        mask(&mut c.description);
        mask(&mut c.reason);
    }
    for m in &mut report.metrics {
        mask(&mut m.host);
        mask(&mut m.metric);
    }
    for rc in &mut report.root_causes {
        mask(&mut rc.summary);
        mask_all(&mut rc.evidence);
        mask_opt(&mut rc.service);
    }
    for t in &mut report.timeline {
        mask(&mut t.text);
    }
    for a in &mut report.actions {
        mask(&mut a.text);
    }
    for t in &mut report.series.templates {
        mask(&mut t.label);
    }
    for m in &mut report.series.modules {
        mask(&mut m.name);
    }
    for m in &mut report.series.metrics {
        mask(&mut m.host);
        mask(&mut m.metric);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ParamShare, Problem, ProblemTemplate, RootCause, TimelineEntry};

    const JWT: &str = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N";

    #[test]
    fn every_text_of_the_report_is_masked() {
        let mut report = Report {
            status: "incident".into(),
            conclusion: "login failures for password=hunter2".into(),
            problems: vec![Problem {
                id: "P-T1".into(),
                title: format!("auth rejected Bearer {JWT}"),
                templates: vec![ProblemTemplate {
                    id: "T1".into(),
                    template: "key AKIAIOSFODNN7EXAMPLE denied".into(),
                    samples: vec!["password=a".into(), "password=b".into()],
                    ..Default::default()
                }],
                parameters: vec![ParamShare {
                    name: "password".into(),
                    value: "hunter2".into(),
                    count: 3,
                    share: 1.0,
                }],
                ..Default::default()
            }],
            root_causes: vec![RootCause {
                summary: "card 4111 1111 1111 1111 declined".into(),
                ..Default::default()
            }],
            timeline: vec![TimelineEntry {
                time: "2024-11-12T14:37:31+08:00".into(),
                kind: "onset".into(),
                text: "mail to ops@example.com".into(),
            }],
            ..Default::default()
        };
        redact_report(&mut report);
        let json = serde_json::to_string(&report).unwrap();
        for secret in ["hunter2", JWT, "AKIAIOSFODNN7EXAMPLE", "4111 1111", "ops@example.com"] {
            assert!(!json.contains(secret), "{secret} leaked: {json}");
        }
        assert_eq!(report.problems[0].parameters[0].value, "<secret:password>");
        assert_eq!(report.problems[0].templates[0].samples, ["password=<secret:password>"]);
        assert_eq!(report.timeline[0].time, "2024-11-12T14:37:31+08:00");
        assert_eq!(report.status, "incident");
    }
}
