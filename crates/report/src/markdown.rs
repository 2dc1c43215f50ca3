//! Markdown (GitHub-flavoured) rendering of the document tree.

use crate::document::{Block, Cell, Document, Inline, ListItem, Table, Tone};

pub(crate) fn render(doc: &Document) -> String {
    let mut out = String::new();
    out.push_str("# ");
    out.push_str(&escape_text(&doc.title));
    out.push_str("\n\n");
    for section in &doc.sections {
        // Charts are drawn in HTML only; a section of nothing else is left out.
        if section.blocks.iter().all(Block::html_only) {
            continue;
        }
        out.push_str("## ");
        out.push_str(&escape_text(&section.heading));
        out.push_str("\n\n");
        for block in section.blocks.iter().filter(|b| !b.html_only()) {
            render_block(&mut out, block);
            out.push('\n');
        }
    }
    out.push_str("---\n\n");
    out.push('_');
    out.push_str(&escape_text(&doc.footer));
    out.push_str("_\n");
    out
}

fn render_block(out: &mut String, block: &Block) {
    match block {
        Block::Subheading(inlines) | Block::AnchoredSubheading(_, inlines) => {
            out.push_str("### ");
            out.push_str(&inline_line(inlines));
            out.push('\n');
        }
        Block::Fields(fields) => {
            for field in fields {
                out.push_str("- **");
                out.push_str(&escape_text(&field.label));
                out.push_str("**: ");
                out.push_str(&inline_line(&field.value));
                out.push('\n');
            }
        }
        Block::Paragraph(inlines) => {
            out.push_str(&inline_line(inlines));
            out.push('\n');
        }
        Block::List { ordered, items } => render_list(out, *ordered, items),
        Block::Details { summary, blocks, .. } => {
            out.push_str(&inline_line(summary));
            out.push('\n');
            for block in blocks.iter().filter(|b| !b.html_only()) {
                out.push('\n');
                render_block(out, block);
            }
        }
        Block::Chart(_) | Block::Sparklines(_) | Block::ChartLinks(..) => {}
        Block::Table(table) => render_table(out, table),
        Block::Code { caption, lines } => {
            out.push_str(&inline_line(caption));
            out.push_str("\n\n");
            let fence = fence_for(lines);
            out.push_str(&fence);
            out.push_str("text\n");
            for line in lines {
                out.push_str(&triage_text::visible(line));
                out.push('\n');
            }
            out.push_str(&fence);
            out.push('\n');
        }
    }
}

fn render_list(out: &mut String, ordered: bool, items: &[ListItem]) {
    for (i, item) in items.iter().enumerate() {
        let marker = if ordered {
            format!("{}. ", i + 1)
        } else {
            "- ".to_string()
        };
        out.push_str(&marker);
        out.push_str(&inline_line(&item.line));
        out.push('\n');
        let indent = " ".repeat(marker.chars().count());
        for child in &item.children {
            out.push_str(&indent);
            out.push_str("- ");
            out.push_str(&inline_line(child));
            out.push('\n');
        }
    }
}

fn render_table(out: &mut String, table: &Table) {
    out.push('|');
    for header in &table.header {
        out.push(' ');
        out.push_str(&escape_cell(&escape_text(header)));
        out.push_str(" |");
    }
    out.push_str("\n|");
    for column in 0..table.header.len() {
        let numeric = table.numeric.get(column).copied().unwrap_or(false);
        out.push_str(if numeric { "---:|" } else { "---|" });
    }
    out.push('\n');
    for row in table.rows.iter().chain(table.total.iter()) {
        out.push('|');
        for cell in row {
            out.push(' ');
            out.push_str(&cell_text(cell));
            out.push_str(" |");
        }
        out.push('\n');
    }
}

fn cell_text(cell: &Cell) -> String {
    let marker = match cell.tone {
        Some(Tone::Good) => "✅ ",
        Some(Tone::Warn) => "⚠️ ",
        Some(Tone::Bad) => "❌ ",
        None => "",
    };
    format!("{marker}{}", escape_cell(&inline_line(&cell.content)))
}

/// One line of inline content. Line breaks inside data are folded to spaces except
/// where the caller is a table cell, which escapes them itself.
fn inline_line(inlines: &[Inline]) -> String {
    let mut out = String::new();
    for inline in inlines {
        match inline {
            Inline::Text(text) => out.push_str(&escape_text(text)),
            Inline::Strong(text) => {
                out.push_str("**");
                out.push_str(&escape_text(text));
                out.push_str("**");
            }
            Inline::Code(text) => out.push_str(&code_span(text)),
            Inline::Link { inner, .. } => out.push_str(&inline_line(inner)),
        }
    }
    out
}

/// Table cells: `|` would end the cell and a newline the row.
fn escape_cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '|' => out.push_str("\\|"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("<br>");
            }
            '\n' => out.push_str("<br>"),
            _ => out.push(c),
        }
    }
    out
}

/// Escapes the characters that would start Markdown markup or raw HTML in free text.
/// Kept minimal so the raw file stays readable: `_` only where it could open or close
/// emphasis (not inside a word such as `range_days`), `(` only after `]` (a link),
/// `#` only where it could start a heading.
fn escape_text(text: &str) -> String {
    let chars: Vec<char> = triage_text::visible(text).chars().collect();
    let mut out = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        let previous = if i > 0 { chars.get(i - 1) } else { None };
        let next = chars.get(i + 1);
        match c {
            '\\' | '*' | '`' | '<' | '>' => {
                out.push('\\');
                out.push(c);
            }
            '_' => {
                let word = |other: Option<&char>| other.is_some_and(|o| o.is_alphanumeric());
                if !(word(previous) && word(next)) {
                    out.push('\\');
                }
                out.push('_');
            }
            '(' if previous == Some(&']') => out.push_str("\\("),
            '#' if i == 0 && matches!(next, None | Some(' ' | '\t' | '#')) => out.push_str("\\#"),
            '\r' => {}
            '\n' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// A code span that survives backticks in the data: the fence is one backtick longer
/// than the longest run inside, padded with spaces when the data touches it.
fn code_span(text: &str) -> String {
    let text = triage_text::visible(&text.replace(['\r', '\n'], " ")).into_owned();
    let longest_run = longest_backtick_run(&text);
    let fence = "`".repeat(longest_run + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// A code-block fence longer than any backtick run in the lines (at least three).
fn fence_for(lines: &[String]) -> String {
    let longest = lines.iter().map(|line| longest_backtick_run(line)).max().unwrap_or(0);
    "`".repeat((longest + 1).max(3))
}

fn longest_backtick_run(text: &str) -> usize {
    let (mut longest, mut current) = (0, 0);
    for c in text.chars() {
        if c == '`' {
            current += 1;
            longest = longest.max(current);
        } else {
            current = 0;
        }
    }
    longest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_escape_pipes_and_newlines() {
        assert_eq!(escape_cell("a|b\nc\r\nd"), "a\\|b<br>c<br>d");
    }

    #[test]
    fn free_text_cannot_open_markup() {
        assert_eq!(escape_text("<script>*x*"), "\\<script\\>\\*x\\*");
        assert_eq!(escape_text("[a](b) [critical] #1"), "[a]\\(b) [critical] #1");
        assert_eq!(escape_text("range_days _x_"), "range_days \\_x\\_");
        assert_eq!(escape_text("# not a heading"), "\\# not a heading");
        assert_eq!(escape_text("a\x1b]0;t\x07b"), "a\\\\x1b]0;t\\\\x07b");
        assert_eq!(code_span("\x1b[2J"), "`\\x1b[2J`");
    }

    #[test]
    fn code_spans_survive_backticks() {
        assert_eq!(code_span("a`b"), "``a`b``");
        assert_eq!(code_span("`x`"), "`` `x` ``");
        assert_eq!(fence_for(&["```".to_string()]), "````");
    }
}
