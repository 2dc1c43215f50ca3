//! The short summary printed after `triage analyze` (at most 25 lines).

use triage_analyze::model::{Problem, Report};

use crate::document::most_suspicious_change;
use crate::format;

/// Columns of a summary line: free text is wrapped at word boundaries to this width.
const WIDTH: usize = 100;
/// Lines the conclusion may take, and any other free text; a longer text ends with `…`
/// after a whole word, so the summary stays short.
const CONCLUSION_LINES: usize = 3;
const TEXT_LINES: usize = 2;
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

/// One line of free text, control characters made visible (a log line must not drive
/// the reader's terminal).
fn clean(text: &str) -> String {
    triage_text::visible(&format::one_line(text)).into_owned()
}

/// `lead` followed by `text` wrapped at word boundaries to [`WIDTH`] columns, continuation
/// lines indented by `indent` spaces, in at most `max_lines` lines: a longer text ends
/// with `…` after a whole word. `lead_width` is the width `lead` takes on screen (it may
/// carry colour codes).
fn wrapped(lead: &str, lead_width: usize, indent: usize, text: &str, max_lines: usize) -> Vec<String> {
    wrapped_with(lead, lead_width, indent, text, "", max_lines)
}

/// [`wrapped`] with a `tail` (a count) that is always shown after the text, also when the
/// text is shortened.
fn wrapped_with(lead: &str, lead_width: usize, indent: usize, text: &str, tail: &str, max_lines: usize) -> Vec<String> {
    let max_lines = max_lines.max(1);
    let first = WIDTH.saturating_sub(lead_width).max(20);
    let rest = WIDTH.saturating_sub(indent).max(20);
    let text = clean(text);
    let mut lines = format::wrap(&format!("{text}{tail}"), first, rest);
    if lines.len() > max_lines {
        // Whole words of the text while the tail still fits on the last line.
        let mut words: Vec<&str> = text.split(' ').collect();
        loop {
            let shortened = format!("{} …{tail}", words.join(" "));
            lines = format::wrap(&shortened, first, rest);
            if lines.len() <= max_lines || words.len() <= 1 {
                break;
            }
            words.pop();
        }
        lines.truncate(max_lines);
    }
    let pad = " ".repeat(indent);
    lines
        .into_iter()
        .enumerate()
        .map(|(i, line)| {
            if i == 0 {
                format!("{lead}{line}")
            } else {
                format!("{pad}{line}")
            }
        })
        .collect()
}

pub(crate) fn render(report: &Report, color: bool) -> String {
    let paint = Paint { color };
    let mut lines: Vec<String> = Vec::new();
    let status = match report.status.as_str() {
        "incident" => paint.red("INCIDENT"),
        "healthy" => paint.green("HEALTHY"),
        "no_data" => paint.yellow("NO DATA"),
        "partial" => paint.yellow("PARTIAL"),
        "" => paint.yellow("UNKNOWN"),
        other => paint.yellow(&clean(other).to_uppercase()),
    };
    lines.push(format!(
        "{} {status}  {} – {}",
        paint.bold("Triage:"),
        clean(&report.window.from),
        clean(&report.window.to)
    ));
    if !report.status_reason.is_empty() {
        lines.extend(wrapped("  ", 2, 2, &report.status_reason, TEXT_LINES));
    }
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
        lines.extend(wrapped("", 0, 0, &report.conclusion, CONCLUSION_LINES));
    }

    let mut causes: Vec<_> = report.root_causes.iter().collect();
    causes.sort_by_key(|c| c.rank);
    if !causes.is_empty() {
        lines.push(paint.bold("Root causes:"));
        for cause in causes.iter().take(MAX_CAUSES) {
            let lead = format!("  {}. {} ", cause.rank, format::score(cause.score));
            let painted = format!("  {}. {} ", cause.rank, paint.cyan(&format::score(cause.score)));
            let width = lead.chars().count();
            lines.extend(wrapped(&painted, width, width, &cause.summary, TEXT_LINES));
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
                // Every baseline record is from the run that began just before the window.
                None if !problem.new && problem.baseline_count > 0 => {
                    format!("baseline {}, all since its onset", problem.baseline_count)
                }
                _ => "new".to_string(),
            };
            let tail = format!(" — {} ({versus})", format::count(problem.count));
            let lead = format!("  {} ", clean(&problem.priority));
            let width = format::display_width(&lead);
            lines.extend(wrapped_with(
                &format!("  {priority} "),
                width,
                width,
                &problem.title,
                &tail,
                TEXT_LINES,
            ));
        }
    } else if report.problems.is_empty() {
        lines.push("Problems: none".to_string());
    } else {
        lines.push(format!("Problems: {} at P3 (watch)", report.problems.len()));
    }

    if let Some(change) = most_suspicious_change(report) {
        let what = format!(
            "{} {} {}",
            clean(&change.time),
            clean(&change.kind),
            clean(&change.service)
        );
        let plain = format!(
            "Most suspicious change: {what} (score {}): ",
            format::score(change.score)
        );
        let painted = format!(
            "{} {what} (score {}): ",
            paint.bold("Most suspicious change:"),
            paint.cyan(&format::score(change.score))
        );
        lines.extend(wrapped(
            &painted,
            format::display_width(&plain),
            2,
            &change.reason,
            TEXT_LINES,
        ));
    }
    lines.push(paint.dim("Full report: triage analyze … --format md|json|html -o FILE"));
    let mut out = lines.join("\n");
    out.push('\n');
    out
}
