//! Reports of `triage jvm threads`, `triage jvm gc` and `triage slowlog`: one document
//! tree per diagnosis (the kind's own sections, then what was read and skipped), rendered
//! by the same Markdown and HTML code as the incident report. Computes nothing.

mod gc;
mod slowlog;
mod threads;

use triage_diagnose::{gc::GcLog, slowlog::SlowLog, threads::ThreadDumps, Diagnosis, InputSummary};

use crate::document::{code, field, table, text, Block, Cell, Document, Section};
use crate::{html, markdown, Lang};

/// Long-form output of a diagnosis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocFormat {
    Markdown,
    Html,
}

pub fn render_threads(diagnosis: &Diagnosis<ThreadDumps>, format: DocFormat) -> String {
    let (title, sections) = threads::sections(&diagnosis.facts);
    finish(title, sections, &diagnosis.input, format)
}

pub fn render_gc(diagnosis: &Diagnosis<GcLog>, format: DocFormat) -> String {
    let (title, sections) = gc::sections(&diagnosis.facts);
    finish(title, sections, &diagnosis.input, format)
}

pub fn render_slowlog(diagnosis: &Diagnosis<SlowLog>, format: DocFormat) -> String {
    let (title, sections) = slowlog::sections(&diagnosis.facts);
    finish(title, sections, &diagnosis.input, format)
}

/// The kind's sections, then the input section, rendered.
fn finish(title: String, mut sections: Vec<Section>, input: &InputSummary, format: DocFormat) -> String {
    sections.push(input_section(input));
    let doc = Document {
        lang: Lang::En,
        title: format!("{title}: {}", input.file),
        status: None,
        sections,
        footer: "triage diagnosis; every count is over the whole file".to_string(),
    };
    match format {
        DocFormat::Markdown => markdown::render(&doc),
        DocFormat::Html => html::render(&doc),
    }
}

/// A duration: `1.234 s`, `12.345 ms`, `12.0 µs`, so short pauses and queries keep
/// their digits.
fn secs(s: f64) -> String {
    if !s.is_finite() {
        crate::format::MISSING.to_string()
    } else if s == 0.0 {
        "0 s".to_string()
    } else if s.abs() >= 1.0 {
        format!("{s:.3} s")
    } else if s.abs() >= 0.001 {
        format!("{:.3} ms", s * 1000.0)
    } else {
        format!("{:.1} µs", s * 1_000_000.0)
    }
}

fn input_section(input: &InputSummary) -> Section {
    let mut blocks = vec![Block::Fields(vec![
        field("File", vec![code(input.file.clone())]),
        field(
            "Read",
            vec![text(format!(
                "{} lines, {} bytes ({}, {})",
                input.lines, input.bytes, input.encoding, input.compression
            ))],
        ),
    ])];
    if input.skipped.is_empty() {
        blocks.push(Block::Paragraph(vec![text("Nothing was skipped.")]));
    } else {
        let rows = input
            .skipped
            .iter()
            .map(|s| {
                vec![
                    Cell::text(s.count.to_string()),
                    Cell::text(s.what.clone()),
                    Cell::text(s.first_line.to_string()),
                    Cell::text(s.reason.clone()),
                ]
            })
            .collect();
        blocks.push(Block::Table(table(
            &["Count", "What", "First line", "Why"],
            &[true, false, true, false],
            rows,
        )));
    }
    Section {
        anchor: "input",
        heading: "Input".to_string(),
        blocks,
    }
}
