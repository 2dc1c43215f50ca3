//! One self-contained HTML file: inline CSS, no scripts, no external URLs (a
//! Content-Security-Policy says so to the browser); all text escaped. Bars and charts are inline SVG (`svg.rs`) so they print and need no
//! library; tooltips are SVG `<title>`s, folding is `<details>`.

use crate::chart::{Chart, Sparkline};
use crate::document::{Block, Cell, Document, Inline, ListItem, Table, Tone};
use crate::svg;
use crate::Lang;

const STYLE: &str = r#"
:root { --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --soft: #f6f8fa; --bad: #cf222e; --warn: #9a6700; --good: #1a7f37; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--fg); background: #fff; font: 15px/1.55 -apple-system, "Segoe UI", "Noto Sans", "PingFang SC", "Microsoft YaHei", sans-serif; }
main { max-width: 1100px; margin: 0 auto; padding: 24px 32px 48px; }
h1 { font-size: 1.6em; margin: 0 0 8px; }
h2 { font-size: 1.3em; margin: 32px 0 12px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.08em; margin: 22px 0 8px; }
nav { font-size: 0.9em; color: var(--muted); margin-bottom: 8px; display: flex; flex-wrap: wrap; gap: 2px 0; }
nav a { color: var(--muted); margin-right: 12px; text-decoration: none; white-space: nowrap; }
.badge { display: inline-block; padding: 2px 10px; border-radius: 12px; font-size: 0.8em; vertical-align: middle; color: #fff; margin-left: 8px; }
.badge.good { background: var(--good); } .badge.warn { background: var(--warn); } .badge.bad { background: var(--bad); }
dl.fields { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 8px 0; }
dl.fields dt { font-weight: 600; color: var(--muted); } dl.fields dd { margin: 0; }
.table-wrap { overflow-x: auto; margin: 8px 0 12px; }
table { border-collapse: collapse; font-size: 0.92em; }
th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: var(--soft); }
td.num, th.num { text-align: right; white-space: nowrap; }
tr.total td { font-weight: 600; background: var(--soft); }
td.good { color: var(--good); } td.warn { color: var(--warn); font-weight: 600; } td.bad { color: var(--bad); font-weight: 600; }
code { font: 0.9em ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: var(--soft); padding: 1px 4px; border-radius: 4px; overflow-wrap: anywhere; }
pre { background: var(--soft); border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; overflow-x: auto; white-space: pre-wrap; overflow-wrap: anywhere; }
pre code { background: none; padding: 0; }
svg.bar { vertical-align: middle; margin-left: 6px; }
a { color: #0969da; text-decoration-color: rgba(9, 105, 218, 0.35); }
h3[id] { scroll-margin-top: 8px; }
details { margin: 8px 0; }
details > summary { cursor: pointer; color: var(--muted); }
details > summary strong { color: var(--fg); }
figure.chart { margin: 16px 0 24px; scroll-margin-top: 8px; }
figure.chart figcaption { font-weight: 600; margin-bottom: 4px; }
svg.chart { display: block; width: 100%; height: auto; }
svg.chart text { font-size: 11px; fill: var(--muted); }
svg.chart text.marker-label { font-size: 11px; font-weight: 600; }
svg.chart text.band-label { font-size: 11px; fill: #424a53; }
ul.legend li.note { font-style: italic; color: var(--muted); }
svg.chart .hover rect { fill: #000; fill-opacity: 0; }
svg.chart .hover rect:hover { fill-opacity: 0.06; }
svg.chart g.marker:hover line:first-of-type { stroke-width: 2.5; }
ul.legend { list-style: none; margin: 6px 0 0; padding: 0; display: flex; flex-wrap: wrap; gap: 2px 18px; font-size: 0.86em; }
ul.legend i { display: inline-block; width: 11px; height: 11px; border-radius: 2px; margin-right: 6px; vertical-align: -1px; border: 1px solid rgba(0,0,0,0.12); }
ul.legend i.line { height: 0; border: 0; border-top: 2px dashed; border-radius: 0; vertical-align: 3px; }
ul.legend .value { color: var(--muted); margin-left: 4px; }
ul.chart-notes { list-style: none; margin: 6px 0 0; padding: 0; font-size: 0.86em; color: var(--muted); }
ul.chart-notes strong { color: var(--fg); }
div.sparks { display: grid; grid-template-columns: repeat(auto-fill, minmax(250px, 1fr)); gap: 10px; margin: 8px 0 12px; }
figure.spark { margin: 0; padding: 6px 8px; border: 1px solid var(--line); border-radius: 6px; scroll-margin-top: 8px; }
figure.spark figcaption { display: flex; flex-wrap: wrap; justify-content: space-between; gap: 0 8px; font-size: 0.85em; }
figure.spark figcaption code { overflow-wrap: anywhere; }
figure.spark figcaption .status { white-space: nowrap; color: var(--muted); margin-left: auto; }
figure.spark figcaption .status.warn { color: var(--warn); font-weight: 600; } figure.spark figcaption .status.bad { color: var(--bad); font-weight: 600; }
svg.spark { display: block; width: 100%; height: auto; margin: 4px 0 2px; }
figure.spark .stats { font-size: 0.78em; color: var(--muted); }
p.chart-links { font-size: 0.9em; color: var(--muted); margin: 4px 0 8px; }
p.chart-links a { margin-right: 4px; }
footer { margin-top: 40px; color: var(--muted); font-size: 0.85em; border-top: 1px solid var(--line); padding-top: 8px; }
@media print {
  body { font-size: 11pt; } main { max-width: none; padding: 0; } nav { display: none; }
  h2, h3 { break-after: avoid; } table, pre { break-inside: avoid; }
  .table-wrap { overflow: visible; }
  figure.chart, figure.spark, ul.legend { break-inside: avoid; }
  svg.chart .hover, p.chart-links { display: none; }
  a { color: inherit; text-decoration: none; }
  details > summary { list-style: none; }
  details::details-content { content-visibility: visible; display: block; }
}
"#;

/// Legend labels longer than this are cut (template texts can be long).
const LEGEND_CHARS: usize = 90;

/// Width of a table-cell bar in CSS pixels.
const BAR_WIDTH: f64 = 80.0;

pub(crate) fn render(doc: &Document) -> String {
    let lang = match doc.lang {
        Lang::En => "en",
        Lang::Zh => "zh-CN",
    };
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n");
    out.push_str(&format!("<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n"));
    // Nothing may load or run: the report is one file that works offline.
    out.push_str(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n",
    );
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str(&format!("<title>{}</title>\n", escape(&doc.title)));
    out.push_str("<style>");
    out.push_str(STYLE);
    out.push_str("</style>\n</head>\n<body>\n<main>\n<header>\n");
    out.push_str(&format!("<h1>{}", escape(&doc.title)));
    if let Some((status, tone)) = &doc.status {
        out.push_str(&format!(
            " <span class=\"badge {}\">{}</span>",
            tone_class(*tone),
            escape(status)
        ));
    }
    out.push_str("</h1>\n<nav>");
    for section in &doc.sections {
        out.push_str(&format!(
            "<a href=\"#{}\">{}</a>",
            section.anchor,
            escape(&section.heading)
        ));
    }
    out.push_str("</nav>\n</header>\n");
    for section in &doc.sections {
        out.push_str(&format!(
            "<section id=\"{}\">\n<h2>{}</h2>\n",
            section.anchor,
            escape(&section.heading)
        ));
        for block in &section.blocks {
            render_block(&mut out, block);
        }
        out.push_str("</section>\n");
    }
    out.push_str(&format!(
        "<footer>{}</footer>\n</main>\n</body>\n</html>\n",
        escape(&doc.footer)
    ));
    out
}

fn render_block(out: &mut String, block: &Block) {
    match block {
        Block::Subheading(inlines) => out.push_str(&format!("<h3>{}</h3>\n", inline_html(inlines))),
        Block::AnchoredSubheading(anchor, inlines) => out.push_str(&format!(
            "<h3 id=\"{}\">{}</h3>\n",
            escape(anchor),
            inline_html(inlines)
        )),
        Block::Details { summary, blocks, open } => {
            out.push_str(&format!(
                "<details{}>\n<summary>{}</summary>\n",
                if *open { " open" } else { "" },
                inline_html(summary)
            ));
            for block in blocks {
                render_block(out, block);
            }
            out.push_str("</details>\n");
        }
        Block::Chart(chart) => render_chart(out, chart),
        Block::Sparklines(sparks) => render_sparklines(out, sparks),
        Block::ChartLinks(lead, links) => {
            let parts: Vec<String> = links
                .iter()
                .map(|(label, href)| format!("<a href=\"{}\">{}</a>", escape(href), escape(label)))
                .collect();
            out.push_str(&format!(
                "<p class=\"chart-links\">{}{}</p>\n",
                escape(lead),
                parts.join(" · ")
            ));
        }
        Block::Fields(fields) => {
            out.push_str("<dl class=\"fields\">\n");
            for field in fields {
                out.push_str(&format!(
                    "<dt>{}</dt><dd>{}</dd>\n",
                    escape(&field.label),
                    inline_html(&field.value)
                ));
            }
            out.push_str("</dl>\n");
        }
        Block::Paragraph(inlines) => out.push_str(&format!("<p>{}</p>\n", inline_html(inlines))),
        Block::List { ordered, items } => render_list(out, *ordered, items),
        Block::Table(table) => render_table(out, table),
        Block::Code { caption, lines } => {
            // Samples fold away: the template table above says what they are.
            out.push_str(&format!(
                "<details class=\"samples\">\n<summary>{}</summary>\n<pre><code>",
                inline_html(caption)
            ));
            let body: Vec<String> = lines.iter().map(|line| escape(line)).collect();
            out.push_str(&body.join("\n"));
            out.push_str("</code></pre>\n</details>\n");
        }
    }
}

fn render_chart(out: &mut String, chart: &Chart) {
    out.push_str(&format!("<figure class=\"chart\" id=\"{}\">\n", escape(&chart.id)));
    if chart.caption {
        out.push_str(&format!("<figcaption>{}</figcaption>\n", escape(&chart.title)));
    }
    out.push_str(&svg::chart_svg(chart));
    out.push('\n');
    let legend = svg::legend(chart);
    if !legend.is_empty() {
        out.push_str("<ul class=\"legend\">");
        for entry in legend {
            let swatch = if entry.color.is_empty() {
                String::new()
            } else if entry.line {
                format!("<i class=\"line\" style=\"border-color:{}\"></i>", entry.color)
            } else {
                format!("<i style=\"background:{}\"></i>", entry.color)
            };
            // Long template texts are cut here; the full text is the link's tooltip.
            let short = triage_text::cut_chars(&entry.label, LEGEND_CHARS);
            let title = if short == entry.label {
                String::new()
            } else {
                format!(" title=\"{}\"", escape(&entry.label))
            };
            let label = match &entry.href {
                Some(href) => format!("<a href=\"{}\"{title}>{}</a>", escape(href), escape(&short)),
                None => format!("<span{title}>{}</span>", escape(&short)),
            };
            let value = if entry.value.is_empty() {
                String::new()
            } else {
                format!("<span class=\"value\">{}</span>", escape(&entry.value))
            };
            let class = if entry.color.is_empty() { " class=\"note\"" } else { "" };
            out.push_str(&format!("<li{class}>{swatch}{label}{value}</li>"));
        }
        out.push_str("</ul>\n");
    }
    if !chart.notes.is_empty() {
        out.push_str("<ul class=\"chart-notes\">\n");
        for note in &chart.notes {
            out.push_str(&format!("<li>{}</li>\n", inline_html(note)));
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</figure>\n");
}

fn render_sparklines(out: &mut String, sparks: &[Sparkline]) {
    out.push_str("<div class=\"sparks\">\n");
    for s in sparks {
        let tone = s.tone.map_or("", tone_class);
        out.push_str(&format!(
            "<figure class=\"spark\" id=\"{}\"><figcaption><code>{}</code><span class=\"status {tone}\">{}</span></figcaption>{}<div class=\"stats\">{}</div></figure>\n",
            escape(&s.id),
            escape(&s.metric),
            escape(&s.status),
            svg::sparkline_svg(s),
            escape(&s.stats)
        ));
    }
    out.push_str("</div>\n");
}

fn render_list(out: &mut String, ordered: bool, items: &[ListItem]) {
    let tag = if ordered { "ol" } else { "ul" };
    out.push_str(&format!("<{tag}>\n"));
    for item in items {
        out.push_str("<li>");
        out.push_str(&inline_html(&item.line));
        if !item.children.is_empty() {
            out.push_str("\n<ul>\n");
            for child in &item.children {
                out.push_str(&format!("<li>{}</li>\n", inline_html(child)));
            }
            out.push_str("</ul>\n");
        }
        out.push_str("</li>\n");
    }
    out.push_str(&format!("</{tag}>\n"));
}

fn render_table(out: &mut String, table: &Table) {
    let numeric = |column: usize| table.numeric.get(column).copied().unwrap_or(false);
    out.push_str("<div class=\"table-wrap\"><table>\n<thead><tr>");
    for (column, header) in table.header.iter().enumerate() {
        let class = if numeric(column) { " class=\"num\"" } else { "" };
        out.push_str(&format!("<th{class}>{}</th>", escape(header)));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in &table.rows {
        render_row(out, row, "", &numeric);
    }
    if let Some(total) = &table.total {
        render_row(out, total, " class=\"total\"", &numeric);
    }
    out.push_str("</tbody>\n</table></div>\n");
}

fn render_row(out: &mut String, row: &[Cell], row_attr: &str, numeric: &dyn Fn(usize) -> bool) {
    out.push_str(&format!("<tr{row_attr}>"));
    for (column, cell) in row.iter().enumerate() {
        let mut classes: Vec<&str> = Vec::new();
        if numeric(column) {
            classes.push("num");
        }
        if let Some(tone) = cell.tone {
            classes.push(tone_class(tone));
        }
        let class = if classes.is_empty() {
            String::new()
        } else {
            format!(" class=\"{}\"", classes.join(" "))
        };
        out.push_str(&format!("<td{class}>{}", inline_html(&cell.content)));
        if let Some(fraction) = cell.bar {
            out.push_str(&bar_svg(fraction));
        }
        out.push_str("</td>");
    }
    out.push_str("</tr>\n");
}

/// A horizontal bar for a 0–1 fraction: grey track, blue fill.
fn bar_svg(fraction: f64) -> String {
    let filled = (fraction.clamp(0.0, 1.0) * BAR_WIDTH * 10.0).round() / 10.0;
    format!(
        "<svg class=\"bar\" width=\"{BAR_WIDTH}\" height=\"10\" viewBox=\"0 0 {BAR_WIDTH} 10\" aria-hidden=\"true\">\
         <rect width=\"{BAR_WIDTH}\" height=\"10\" rx=\"2\" fill=\"#eaeef2\"/>\
         <rect width=\"{filled}\" height=\"10\" rx=\"2\" fill=\"#0969da\"/></svg>"
    )
}

fn tone_class(tone: Tone) -> &'static str {
    match tone {
        Tone::Good => "good",
        Tone::Warn => "warn",
        Tone::Bad => "bad",
    }
}

fn inline_html(inlines: &[Inline]) -> String {
    let mut out = String::new();
    for inline in inlines {
        match inline {
            Inline::Text(text) => out.push_str(&escape(text)),
            Inline::Strong(text) => out.push_str(&format!("<strong>{}</strong>", escape(text))),
            Inline::Code(text) => out.push_str(&format!("<code>{}</code>", escape(text))),
            Inline::Link { href, inner } => {
                out.push_str(&format!("<a href=\"{}\">{}</a>", escape(href), inline_html(inner)))
            }
        }
    }
    out
}

/// Escapes text for element content and quoted attribute values.
/// Markup characters as entities and control characters made visible
/// ([`triage_text::visible`]): every text of the page goes through here.
pub(crate) fn escape(text: &str) -> String {
    let text = triage_text::visible(text);
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape("<a href='x'>&\"</a>"),
            "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;"
        );
        assert_eq!(escape("a\x1b[2J\x07b"), "a\\x1b[2J\\x07b");
    }

    #[test]
    fn bars_are_clamped() {
        assert!(bar_svg(2.0).contains("width=\"80\" height=\"10\" rx=\"2\" fill=\"#0969da\""));
        assert!(bar_svg(-1.0).contains("width=\"0\" height=\"10\" rx=\"2\" fill=\"#0969da\""));
    }
}
