//! The short summary printed after `triage analyze` (at most 25 lines).

use triage_analyze::model::{Problem, Report};

use crate::document::most_suspicious_change;
use crate::format;

/// Longest free text on one line of the summary, so lines rarely wrap.
const TEXT_CHARS: usize = 100;
const MAX_CAUSES: usize = 3;
const MAX_PROBLEMS: usize = 5;

struct Paint {
    color: bool,
}

impl Paint {
    fn wrap(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
    fn bold(&self, text: &str) -> String {
        self.wrap("1", text)
    }
    fn red(&self, text: &str) -> String {
        self.wrap("1;31", text)
    }
    fn yellow(&self, text: &str) -> String {
        self.wrap("33", text)
    }
    fn green(&self, text: &str) -> String {
        self.wrap("1;32", text)
    }
    fn cyan(&self, text: &str) -> String {
        self.wrap("36", text)
    }
    fn dim(&self, text: &str) -> String {
        self.wrap("2", text)
    }
}

fn short(text: &str) -> String {
    format::truncate_chars(&format::one_line(text), TEXT_CHARS)
}

pub(crate) fn render(report: &Report, color: bool) -> String {
    let paint = Paint { color };
    let mut lines: Vec<String> = Vec::new();
    let status = match report.status.as_str() {
        "incident" => paint.red("INCIDENT"),
        "healthy" => paint.green("HEALTHY"),
        "" => paint.yellow("UNKNOWN"),
        other => paint.yellow(&other.to_uppercase()),
    };
    lines.push(format!(
        "{} {status}  {} – {}",
        paint.bold("Triage:"),
        report.window.from,
        report.window.to
    ));
    let totals = &report.totals;
    let mut volume = format!(
        "Records {}, errors (WARN+) {} ({})",
        format::count(totals.records),
        format::count(totals.errors),
        format::share_of(totals.errors, totals.records)
    );
    if let Some(availability) = totals.availability {
        volume.push_str(&format!(", availability {}", format::percent(availability)));
    }
    lines.push(volume);
    if !report.conclusion.is_empty() {
        lines.push(short(&report.conclusion));
    }

    let mut causes: Vec<_> = report.root_causes.iter().collect();
    causes.sort_by_key(|c| c.rank);
    if !causes.is_empty() {
        lines.push(paint.bold("Root causes:"));
        for cause in causes.iter().take(MAX_CAUSES) {
            lines.push(format!(
                "  {}. {} {}",
                cause.rank,
                paint.cyan(&format::score(cause.score)),
                short(&cause.summary)
            ));
        }
    }

    let mut urgent: Vec<&Problem> = report
        .problems
        .iter()
        .filter(|p| matches!(p.priority.as_str(), "P1" | "P2"))
        .collect();
    urgent.sort_by_key(|p| format::priority_rank(&p.priority));
    if !urgent.is_empty() {
        let shown = urgent.len().min(MAX_PROBLEMS);
        let heading = if urgent.len() > shown {
            format!("Problems (P1/P2, {shown} of {}):", urgent.len())
        } else {
            "Problems (P1/P2):".to_string()
        };
        lines.push(paint.bold(&heading));
        for problem in urgent.iter().take(shown) {
            let priority = if problem.priority == "P1" {
                paint.red(&problem.priority)
            } else {
                paint.yellow(&problem.priority)
            };
            let versus = match problem.ratio {
                Some(ratio) if !problem.new => format!("{}, baseline {}", format::ratio(ratio), problem.baseline_count),
                _ => "new".to_string(),
            };
            lines.push(format!(
                "  {priority} {} — {} ({versus})",
                short(&problem.title),
                format::count(problem.count)
            ));
        }
    } else if report.problems.is_empty() {
        lines.push("Problems: none".to_string());
    } else {
        lines.push(format!("Problems: {} at P3 (watch)", report.problems.len()));
    }

    if let Some(change) = most_suspicious_change(report) {
        lines.push(format!(
            "{} {} {} {} (score {}): {}",
            paint.bold("Most suspicious change:"),
            change.time,
            change.kind,
            change.service,
            paint.cyan(&format::score(change.score)),
            short(&change.reason)
        ));
    }
    lines.push(paint.dim("Full report: triage analyze … --format md|json|html -o FILE"));
    let mut out = lines.join("\n");
    out.push('\n');
    out
}
