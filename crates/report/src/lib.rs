//! Rendering: owns turning a [`Report`] into text — Markdown (English or Chinese), one
//! self-contained HTML file, a short coloured terminal summary, and JSON.
//!
//! Computes nothing: every number printed comes from the model built by
//! triage-analyze; this crate orders, formats and translates. Markdown and HTML are
//! rendered from one document tree (`document.rs`), so they carry the same sections.

mod chart;
pub mod diagnostics;
mod document;
mod format;
mod html;
mod labels;
mod markdown;
mod svg;
mod terminal;

use std::str::FromStr;

pub use triage_analyze::model::Report;

/// Language of the fixed words of the long-form reports (data stays as logged).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    Zh,
}

impl FromStr for Lang {
    type Err = String;

    /// `en` or `zh` (also `zh-CN`, `cn`), any case.
    fn from_str(s: &str) -> Result<Lang, String> {
        match s.to_ascii_lowercase().as_str() {
            "en" | "english" => Ok(Lang::En),
            "zh" | "zh-cn" | "cn" | "chinese" => Ok(Lang::Zh),
            other => Err(format!("unknown report language `{other}` (expected en or zh)")),
        }
    }
}

/// The model as pretty JSON, fields in model order, ending in a newline.
pub fn render_json(report: &Report) -> String {
    match serde_json::to_string_pretty(report) {
        Ok(mut json) => {
            json.push('\n');
            json
        }
        // Unreachable for this model (string map keys, plain fields); still a valid
        // JSON document rather than a panic.
        Err(error) => format!("{}\n", serde_json::json!({ "error": error.to_string() })),
    }
}

/// The full report as GitHub-flavoured Markdown.
pub fn render_markdown(report: &Report, lang: Lang) -> String {
    markdown::render(&document::build(report, lang))
}

/// The full report as one self-contained HTML file (inline CSS and SVG charts, no
/// scripts, no URLs).
pub fn render_html(report: &Report, lang: Lang) -> String {
    html::render(&document::build(report, lang))
}

/// A summary of at most 25 lines for the terminal; ANSI colours only when `color`.
pub fn render_terminal(report: &Report, color: bool) -> String {
    terminal::render(report, color)
}
