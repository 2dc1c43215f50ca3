//! The long-form report as a small document tree (sections of fields, lists, tables,
//! code blocks), built once from the model in one language. Markdown and HTML both
//! render this tree, so they always carry the same sections and numbers; a new kind of
//! content (a chart) is a new [`Block`] variant that each renderer learns.

use std::collections::{HashMap, HashSet};

use triage_analyze::model::{GroupCount, NameCount, Problem, Report, Span};

use crate::chart::{self, Anchors, Chart, Sparkline};
use crate::format::{self, MISSING};
use crate::labels::{self, Labels, Listed};
use crate::Lang;

pub(crate) struct Document {
    pub lang: Lang,
    pub title: String,
    /// Status word and tone, shown as a badge next to the title in HTML.
    pub status: Option<(String, Tone)>,
    pub sections: Vec<Section>,
    pub footer: String,
}

pub(crate) struct Section {
    /// Stable anchor (`problems`), used for HTML ids and the table of contents.
    pub anchor: &'static str,
    pub heading: String,
    pub blocks: Vec<Block>,
}

pub(crate) enum Block {
    Subheading(Vec<Inline>),
    /// A subheading that in-page links point at (HTML id).
    AnchoredSubheading(String, Vec<Inline>),
    /// Content under a heading line that HTML lets the reader fold (`<details>`);
    /// Markdown prints the heading line as a paragraph, then the blocks.
    Details {
        summary: Vec<Inline>,
        blocks: Vec<Block>,
        open: bool,
    },
    /// A chart drawn from the model's series (HTML only).
    Chart(Box<Chart>),
    /// Small charts of host metrics (HTML only).
    Sparklines(Vec<Sparkline>),
    /// A lead-in word and links to charts: (label, `#id`) (HTML only).
    ChartLinks(String, Vec<(String, String)>),
    /// `label: value` lines.
    Fields(Vec<Field>),
    Paragraph(Vec<Inline>),
    List {
        ordered: bool,
        items: Vec<ListItem>,
    },
    Table(Table),
    /// Verbatim lines (masked samples) under a caption.
    Code {
        caption: Vec<Inline>,
        lines: Vec<String>,
    },
}

pub(crate) enum Inline {
    Text(String),
    Code(String),
    Strong(String),
    /// An in-page link (`#problem-…`); Markdown prints the content only.
    Link {
        href: String,
        inner: Vec<Inline>,
    },
}

impl Block {
    /// Blocks that only the HTML renderer draws.
    pub(crate) fn html_only(&self) -> bool {
        matches!(self, Block::Chart(_) | Block::Sparklines(_) | Block::ChartLinks(..))
    }
}

pub(crate) struct Field {
    pub label: String,
    pub value: Vec<Inline>,
}

pub(crate) struct ListItem {
    pub line: Vec<Inline>,
    pub children: Vec<Vec<Inline>>,
}

pub(crate) struct Table {
    pub header: Vec<String>,
    /// Right-aligned (numeric) columns.
    pub numeric: Vec<bool>,
    pub rows: Vec<Vec<Cell>>,
    /// A closing row (totals), rendered bold.
    pub total: Option<Vec<Cell>>,
}

pub(crate) struct Cell {
    pub content: Vec<Inline>,
    /// A 0–1 fraction drawn as a bar next to the content (HTML only).
    pub bar: Option<f64>,
    pub tone: Option<Tone>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tone {
    Good,
    Warn,
    Bad,
}

pub(crate) fn text(s: impl Into<String>) -> Inline {
    Inline::Text(s.into())
}

pub(crate) fn code(s: impl Into<String>) -> Inline {
    Inline::Code(s.into())
}

pub(crate) fn strong(s: impl Into<String>) -> Inline {
    Inline::Strong(s.into())
}

impl Cell {
    pub(crate) fn text(s: impl Into<String>) -> Cell {
        Cell {
            content: vec![text(s)],
            bar: None,
            tone: None,
        }
    }
    pub(crate) fn code(s: impl Into<String>) -> Cell {
        Cell {
            content: vec![code(s)],
            bar: None,
            tone: None,
        }
    }
    pub(crate) fn strong(s: impl Into<String>) -> Cell {
        Cell {
            content: vec![strong(s)],
            bar: None,
            tone: None,
        }
    }
    pub(crate) fn with_bar(mut self, fraction: f64) -> Cell {
        self.bar = Some(if fraction.is_finite() {
            fraction.clamp(0.0, 1.0)
        } else {
            0.0
        });
        self
    }
    pub(crate) fn with_tone(mut self, tone: Option<Tone>) -> Cell {
        self.tone = tone;
        self
    }
}

pub(crate) fn field(label: &str, value: Vec<Inline>) -> Field {
    Field {
        label: label.to_string(),
        value,
    }
}

pub(crate) fn table(header: &[&str], numeric: &[bool], rows: Vec<Vec<Cell>>) -> Table {
    Table {
        header: header.iter().map(|h| h.to_string()).collect(),
        numeric: numeric.to_vec(),
        rows,
        total: None,
    }
}

/// Caps of the other lists the long-form reports show (the JSON report has them all).
/// Analyze bounds the rest (root causes 10, endpoints 50, modules, hosts and services
/// 100 each, timeline 40, actions 20).
const MAX_LISTED_CHANGES: usize = 50;
const MAX_LISTED_FINDINGS: usize = 50;
const MAX_LISTED_METRICS: usize = 100;
const MAX_LISTED_NOTES: usize = 20;
const MAX_LISTED_WATCH: usize = 50;
const MAX_LISTED_SPIKES: usize = 20;

fn none_line(l: &Labels) -> Block {
    Block::Paragraph(vec![text(l.none)])
}

/// Punctuation between list entries and around asides, per language.
struct Punct {
    sep: &'static str,
    open: &'static str,
    close: &'static str,
    colon: &'static str,
}

fn punct(lang: Lang) -> Punct {
    match lang {
        Lang::En => Punct {
            sep: ", ",
            open: " (",
            close: ")",
            colon: ": ",
        },
        Lang::Zh => Punct {
            sep: "，",
            open: "（",
            close: "）",
            colon: "：",
        },
    }
}

pub(crate) fn build(report: &Report, lang: Lang) -> Document {
    let l = labels::labels(lang);
    let ctx = Context::new(report, lang);
    let title = if report.window.from.is_empty() && report.window.to.is_empty() {
        l.title.to_string()
    } else {
        match lang {
            Lang::En => format!("{}: {}", l.title, span_text(&report.window, lang)),
            Lang::Zh => format!("{}：{}", l.title, span_text(&report.window, lang)),
        }
    };
    let status =
        (!report.status.is_empty()).then(|| (labels::status(lang, &report.status), status_tone(&report.status)));
    let mut sections = vec![ctx.summary()];
    sections.extend(ctx.charts());
    sections.extend([
        ctx.problems(),
        ctx.root_causes(),
        ctx.spikes(),
        ctx.endpoints(),
        ctx.metrics(),
        ctx.findings(),
        ctx.counts(),
        ctx.watch(),
        ctx.changes(),
        ctx.actions(),
        ctx.timeline(),
        ctx.conclusion(),
    ]);
    Document {
        lang,
        title,
        status,
        sections,
        footer: format!("{} {}", l.footer, report.schema_version),
    }
}

/// The seed reports write ranges as `from ~ to` in Chinese.
fn span_text(span: &Span, lang: Lang) -> String {
    match lang {
        Lang::En => format!("{} – {}", span.from, span.to),
        Lang::Zh => format!("{} ~ {}", span.from, span.to),
    }
}

fn status_tone(status: &str) -> Tone {
    match status {
        "healthy" => Tone::Good,
        "incident" => Tone::Bad,
        _ => Tone::Warn,
    }
}

fn metric_tone(status: &str) -> Option<Tone> {
    match status {
        "normal" => Some(Tone::Good),
        "warning" | "anomalous" => Some(Tone::Warn),
        "critical" => Some(Tone::Bad),
        _ => None,
    }
}

/// The report plus the lookups several sections share.
struct Context<'a> {
    report: &'a Report,
    lang: Lang,
    l: &'static Labels,
    p: Punct,
    problem_titles: HashMap<&'a str, &'a str>,
    anchors: Anchors,
    /// Whether the series can be drawn (the chart anchors exist).
    has_charts: bool,
    /// Hosts whose metrics the metrics section lists (and draws, so their charts exist).
    metric_hosts: HashSet<&'a str>,
}

impl<'a> Context<'a> {
    fn new(report: &'a Report, lang: Lang) -> Context<'a> {
        let problem_titles = report
            .problems
            .iter()
            .map(|p| (p.id.as_str(), p.title.as_str()))
            .collect();
        let anchors = Anchors::new(report);
        let has_charts = chart::axis_of(&report.series).is_some();
        let listed = &report.metrics[..report.metrics.len().min(MAX_LISTED_METRICS)];
        let metric_hosts = listed.iter().map(|m| m.host.as_str()).collect();
        Context {
            report,
            lang,
            l: labels::labels(lang),
            p: punct(lang),
            problem_titles,
            anchors,
            has_charts,
            metric_hosts,
        }
    }

    fn chart_axis_contains(&self, t: i64) -> bool {
        chart::axis_of(&self.report.series).is_some_and(|(axis, _)| axis.contains(t))
    }

    /// A problem id linked to its section (plain text where the problem is unknown).
    fn problem_link(&self, id: &str) -> Inline {
        match self.anchors.problems.get(id) {
            Some(anchor) => Inline::Link {
                href: format!("#{anchor}"),
                inner: vec![code(id)],
            },
            None => code(id),
        }
    }

    /// Volume, top templates and errors per module over time (HTML only; none without
    /// a series).
    fn charts(&self) -> Option<Section> {
        let blocks: Vec<Block> = [
            chart::volume(self.report, self.lang, &self.anchors),
            chart::templates(self.report, self.lang, &self.anchors),
            chart::modules(self.report, self.lang),
        ]
        .into_iter()
        .flatten()
        .map(|c| Block::Chart(Box::new(c)))
        .collect();
        (!blocks.is_empty()).then(|| self.section("charts", self.l.charts, blocks))
    }

    /// Charts that show a problem: the stacked templates (when one of its templates is
    /// drawn), the module heat map (when one of its modules is), the volume chart (when
    /// its onset is marked there).
    fn problem_chart_links(&self, ids: &[String]) -> Vec<(String, String)> {
        if !self.has_charts {
            return Vec::new();
        }
        let series = &self.report.series;
        let l = self.l;
        let problems: Vec<&Problem> = self.report.problems.iter().filter(|p| ids.contains(&p.id)).collect();
        let mut links = vec![(l.chart_volume.to_string(), format!("#{}", chart::VOLUME_ID))];
        if series
            .templates
            .iter()
            .any(|t| t.problem.as_ref().is_some_and(|p| ids.contains(p)))
        {
            links.push((l.chart_templates.to_string(), format!("#{}", chart::TEMPLATES_ID)));
        }
        if series
            .modules
            .iter()
            .any(|m| problems.iter().any(|p| p.modules.iter().any(|pm| pm.name == m.name)))
        {
            links.push((l.chart_modules.to_string(), format!("#{}", chart::MODULES_ID)));
        }
        links
    }

    /// Metric charts a root cause speaks about: its service as the host (or its pods),
    /// or a host it names, and a metric whose name its summary or evidence mentions.
    fn metric_chart_links(&self, cause: &triage_analyze::model::RootCause) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let text = format!("{} {}", cause.summary, cause.evidence.join(" "));
        for (i, m) in self.report.series.metrics.iter().enumerate() {
            // A service's pods are named after it (`coupon-service-7d9f…`).
            let host_matches = cause
                .service
                .as_deref()
                .is_some_and(|s| m.host == s || m.host.starts_with(&format!("{s}-")))
                || text.contains(&m.host);
            // A host past the metrics cap has no chart to link to.
            if host_matches && text.contains(&m.metric) && self.metric_hosts.contains(m.host.as_str()) {
                if let Some(anchor) = self.anchors.metrics.get(i) {
                    out.push((format!("{} {}", m.host, m.metric), format!("#{anchor}")));
                }
            }
            if out.len() >= 3 {
                break;
            }
        }
        out
    }

    /// The line under a list cut at its cap.
    fn more(&self, hidden: usize, what: Listed, detail: &str) -> Block {
        Block::Paragraph(vec![text(labels::more_listed(self.lang, hidden, what, detail))])
    }

    /// At most `cap` entries, and a line saying how many more there are.
    fn capped<'b, T>(&self, items: &'b [T], cap: usize, what: Listed) -> (&'b [T], Option<Block>) {
        match items.get(cap..) {
            Some(rest) if !rest.is_empty() => (&items[..cap], Some(self.more(rest.len(), what, ""))),
            _ => (items, None),
        }
    }

    fn section(&self, anchor: &'static str, heading: &str, blocks: Vec<Block>) -> Section {
        Section {
            anchor,
            heading: heading.to_string(),
            blocks,
        }
    }

    /// `"N"` in English, `"N 条"` in Chinese: record counts read naturally in both.
    fn records(&self, n: u64) -> String {
        match self.lang {
            Lang::En => format::count(n),
            Lang::Zh => format!("{} 条", format::count(n)),
        }
    }

    fn aside(&self, main: String, aside: &str) -> String {
        format!("{main}{}{aside}{}", self.p.open, self.p.close)
    }

    /// A problem id with its title, for cross references.
    fn problem_ref(&self, id: &str) -> Vec<Inline> {
        match self.problem_titles.get(id) {
            Some(title) => vec![
                self.problem_link(id),
                text(format!("{}{title}{}", self.p.open, self.p.close)),
            ],
            None => vec![code(id)],
        }
    }

    fn problem_refs(&self, ids: &[String]) -> Vec<Inline> {
        let mut out = Vec::new();
        for (i, id) in ids.iter().enumerate() {
            if i > 0 {
                out.push(text(self.p.sep));
            }
            out.extend(self.problem_ref(id));
        }
        out
    }

    fn problem_titles_text(&self, ids: &[String]) -> String {
        let titles: Vec<&str> = ids
            .iter()
            .map(|id| self.problem_titles.get(id.as_str()).copied().unwrap_or(id.as_str()))
            .collect();
        titles.join(self.p.sep)
    }

    fn level_counts_text(&self, levels: &std::collections::BTreeMap<String, u64>) -> String {
        let mut entries: Vec<(&String, &u64)> = levels.iter().collect();
        entries.sort_by_key(|(level, _)| format::level_rank(level));
        let parts: Vec<String> = entries.iter().map(|(level, n)| format!("{level} {n}")).collect();
        parts.join(self.p.sep)
    }

    fn name_counts(&self, names: &[NameCount]) -> Vec<Inline> {
        let mut out = Vec::new();
        for (i, nc) in names.iter().enumerate() {
            if i > 0 {
                out.push(text(self.p.sep));
            }
            out.push(code(&nc.name));
            out.push(text(format!(" {}", format::count(nc.count))));
        }
        out
    }

    fn summary(&self) -> Section {
        let (r, l, p, lang) = (self.report, self.l, &self.p, self.lang);
        let t = &r.totals;
        let mut fields = vec![field(l.window, vec![text(span_text(&r.window, lang))])];
        let baseline = if r.baseline.is_empty() {
            l.none.trim_end_matches(['.', '。']).to_string()
        } else {
            let separator = if lang == Lang::Zh { "；" } else { "; " };
            r.baseline
                .iter()
                .map(|span| span_text(span, lang))
                .collect::<Vec<_>>()
                .join(separator)
        };
        fields.push(field(l.baseline, vec![text(baseline)]));
        if !r.status.is_empty() {
            let mut value = vec![strong(labels::status(lang, &r.status))];
            if !r.status_reason.is_empty() {
                value.push(text(format!("{}{}", p.colon, r.status_reason)));
            }
            fields.push(field(l.status, value));
        }
        let baseline_records = match lang {
            Lang::En => format!("baseline {}", format::count(t.baseline_records)),
            Lang::Zh => format!("基线 {}", self.records(t.baseline_records)),
        };
        fields.push(field(
            l.records,
            vec![text(self.aside(self.records(t.records), &baseline_records))],
        ));
        let mut error_levels: Vec<(&String, &u64)> = t
            .by_level
            .iter()
            .filter(|(level, _)| format::is_error_level(level))
            .collect();
        error_levels.sort_by_key(|(level, _)| format::level_rank(level));
        let mut errors_aside = format::share_of(t.errors, t.records);
        for (level, n) in error_levels {
            errors_aside.push_str(p.sep);
            errors_aside.push_str(&format!("{level} {n}"));
        }
        fields.push(field(
            l.errors_warn_up,
            vec![text(self.aside(self.records(t.errors), &errors_aside))],
        ));
        if let Some(availability) = t.availability {
            fields.push(field(l.availability, vec![text(format::percent(availability))]));
        }
        let input = &r.input;
        let input_text = match lang {
            Lang::En => format!(
                "{} log sources, {} records read ({} without a timestamp of their own), {} metric series, {} changes",
                input.files, input.records_read, input.records_without_time, input.metric_series, input.changes
            ),
            Lang::Zh => format!(
                "日志源 {} 个，读取 {} 条记录（其中 {} 条无自身时间戳），指标序列 {} 条，变更 {} 条",
                input.files, input.records_read, input.records_without_time, input.metric_series, input.changes
            ),
        };
        fields.push(field(l.input, vec![text(input_text)]));
        if !input.intake.is_empty() {
            fields.push(field(l.intake, vec![text(&input.intake)]));
        }
        if !r.conclusion.is_empty() {
            fields.push(field(l.conclusion_field, vec![text(&r.conclusion)]));
        }
        fields.push(field(l.most_likely_cause, self.top_cause()));
        let mut blocks = vec![Block::Fields(fields)];
        if !input.notes.is_empty() {
            let (notes, more) = self.capped(&input.notes, MAX_LISTED_NOTES, Listed::Notes);
            blocks.push(Block::Paragraph(vec![strong(l.notes)]));
            blocks.push(Block::List {
                ordered: false,
                items: plain_items(notes),
            });
            blocks.extend(more);
        }
        self.section("summary", l.summary, blocks)
    }

    fn top_cause(&self) -> Vec<Inline> {
        match self.report.root_causes.iter().min_by_key(|c| c.rank) {
            Some(cause) => {
                let score = match self.lang {
                    Lang::En => format!("score {}", format::score(cause.score)),
                    Lang::Zh => format!("评分 {}", format::score(cause.score)),
                };
                vec![text(format!(
                    "#{} {}{}",
                    cause.rank,
                    cause.summary,
                    self.aside(String::new(), &score)
                ))]
            }
            None => vec![text(self.l.none)],
        }
    }

    fn problems(&self) -> Section {
        let l = self.l;
        // Stable: within a priority the model's order (by score) is kept.
        let ordered = chart::problem_numbers(self.report);
        let mut blocks = Vec::new();
        for (number, problem) in ordered.iter().take(chart::MAX_LISTED_PROBLEMS) {
            blocks.extend(self.problem(*number, problem));
        }
        if let Some(hidden) = ordered.get(chart::MAX_LISTED_PROBLEMS..).filter(|h| !h.is_empty()) {
            let mut by_priority: Vec<(&str, usize)> = Vec::new();
            for (_, p) in hidden {
                match by_priority.iter_mut().find(|(q, _)| *q == p.priority) {
                    Some((_, n)) => *n += 1,
                    None => by_priority.push((&p.priority, 1)),
                }
            }
            let detail: Vec<String> = by_priority.iter().map(|(p, n)| format!("{p} {n}")).collect();
            blocks.push(self.more(hidden.len(), Listed::Problems, &detail.join(self.p.sep)));
        }
        if blocks.is_empty() {
            blocks.push(none_line(l));
        }
        self.section("problems", l.problems, blocks)
    }

    fn problem(&self, number: usize, problem: &Problem) -> Vec<Block> {
        let (l, lang, p) = (self.l, self.lang, &self.p);
        let heading = vec![text(format!(
            "{number}. {} — {}",
            problem.title,
            labels::priority(lang, &problem.priority)
        ))];
        let mut blocks = vec![match self.anchors.problems.get(&problem.id) {
            Some(anchor) => Block::AnchoredSubheading(anchor.clone(), heading),
            None => Block::Subheading(heading),
        }];
        let mut count = self.records(problem.count);
        // Not new, yet no rate before it: every baseline record belongs to the run that
        // began just before the window (its onset), so there is no earlier rate.
        let since_onset = !problem.new && problem.ratio.is_none() && problem.baseline_count > 0;
        let baseline = match (lang, problem.new || problem.ratio.is_none()) {
            (Lang::En, true) if since_onset => {
                format!("baseline {}, all since its onset", problem.baseline_count)
            }
            (Lang::Zh, true) if since_onset => format!("基线 {} 条，均在其起始之后", problem.baseline_count),
            (Lang::En, true) => format!("baseline {}, new", problem.baseline_count),
            (Lang::Zh, true) => format!("基线 {} 条，新出现", problem.baseline_count),
            (Lang::En, false) => {
                format!(
                    "baseline {}, {}",
                    problem.baseline_count,
                    format::ratio(problem.ratio.unwrap_or_default())
                )
            }
            (Lang::Zh, false) => {
                format!(
                    "基线 {} 条，{}",
                    problem.baseline_count,
                    format::ratio(problem.ratio.unwrap_or_default())
                )
            }
        };
        count = self.aside(count, &baseline);
        if let Some(q) = problem.q_value {
            count.push_str(&format!("{}q = {}", p.sep, format::q_value(q)));
        }
        let mut fields = vec![
            field(l.id, vec![code(&problem.id)]),
            field(l.priority, vec![text(labels::priority(lang, &problem.priority))]),
            field(l.category, vec![text(labels::category(lang, &problem.category))]),
            field(l.occurrences, vec![text(count)]),
            field(l.score, vec![text(format::score(problem.score))]),
            field(l.first_seen, vec![text(&problem.first_seen)]),
            field(l.last_seen, vec![text(&problem.last_seen)]),
        ];
        if let Some(onset) = &problem.onset {
            fields.push(field(l.onset, vec![text(onset)]));
        }
        if !problem.levels.is_empty() {
            fields.push(field(l.levels, vec![text(self.level_counts_text(&problem.levels))]));
        }
        for (label, names) in [
            (l.modules, &problem.modules),
            (l.hosts, &problem.hosts),
            (l.services, &problem.services),
        ] {
            if !names.is_empty() {
                fields.push(field(label, self.name_counts(names)));
            }
        }
        if let Some(cause) = &problem.symptom_of {
            fields.push(field(l.symptom_of, self.problem_ref(cause)));
        }
        blocks.push(Block::Fields(fields));
        let links = self.problem_chart_links(std::slice::from_ref(&problem.id));
        if !links.is_empty() {
            blocks.push(Block::ChartLinks(
                format!("{}{}", self.l.chart_links, self.p.colon),
                links,
            ));
        }

        if !problem.templates.is_empty() {
            blocks.push(Block::Paragraph(vec![strong(l.templates)]));
            let rows = problem
                .templates
                .iter()
                .map(|t| {
                    vec![
                        Cell::code(&t.id),
                        Cell::code(&t.template),
                        Cell::text(format::count(t.count)),
                        Cell::text(format::count(t.baseline_count)),
                    ]
                })
                .collect();
            blocks.push(Block::Table(table(
                &[l.id, l.template, l.count, l.baseline_count],
                &[false, false, true, true],
                rows,
            )));
            for template in problem.templates.iter().filter(|t| !t.samples.is_empty()) {
                let caption = match lang {
                    Lang::En => vec![text(format!("{} ", l.samples_of)), code(&template.id), text(":")],
                    Lang::Zh => vec![code(&template.id), text(format!(" {}", l.samples_of))],
                };
                blocks.push(Block::Code {
                    caption,
                    lines: template.samples.clone(),
                });
            }
        }
        if !problem.parameters.is_empty() {
            blocks.push(Block::Paragraph(vec![strong(l.parameters)]));
            blocks.push(Block::Paragraph(vec![text(l.parameters_scope)]));
            let rows = problem
                .parameters
                .iter()
                .map(|param| {
                    vec![
                        Cell::code(&param.name),
                        Cell::code(&param.value),
                        Cell::text(format::count(param.count)),
                        Cell::text(format::percent(param.share)).with_bar(param.share),
                    ]
                })
                .collect();
            blocks.push(Block::Table(table(
                &[l.name, l.value, l.count, l.share],
                &[false, false, true, true],
                rows,
            )));
        }
        if !problem.recommendations.is_empty() {
            blocks.push(Block::Paragraph(vec![strong(l.recommendations)]));
            blocks.push(Block::List {
                ordered: false,
                items: plain_items(&problem.recommendations),
            });
        }
        blocks
    }

    fn root_causes(&self) -> Section {
        let (l, lang) = (self.l, self.lang);
        let mut causes: Vec<_> = self.report.root_causes.iter().collect();
        causes.sort_by_key(|c| c.rank);
        let mut blocks = Vec::new();
        for cause in causes {
            blocks.push(Block::Subheading(vec![text(format!(
                "#{} {}",
                cause.rank, cause.summary
            ))]));
            let mut fields = vec![
                field(l.score, vec![text(format::score(cause.score))]),
                field(l.kind, vec![text(labels::event_kind(lang, &cause.kind))]),
            ];
            if let Some(service) = &cause.service {
                fields.push(field(l.service, vec![code(service)]));
            }
            if !cause.problems.is_empty() {
                fields.push(field(l.problems_explained, self.problem_refs(&cause.problems)));
            }
            blocks.push(Block::Fields(fields));
            let mut links = self.problem_chart_links(&cause.problems);
            if links.is_empty() && self.has_charts {
                links.push((l.chart_volume.to_string(), format!("#{}", chart::VOLUME_ID)));
            }
            links.extend(self.metric_chart_links(cause));
            if !links.is_empty() {
                blocks.push(Block::ChartLinks(
                    format!("{}{}", self.l.chart_links, self.p.colon),
                    links,
                ));
            }
            if !cause.evidence.is_empty() {
                blocks.push(Block::Details {
                    summary: vec![strong(l.evidence)],
                    blocks: vec![Block::List {
                        ordered: false,
                        items: plain_items(&cause.evidence),
                    }],
                    open: true,
                });
            }
        }
        if blocks.is_empty() {
            blocks.push(none_line(l));
        }
        self.section("root-causes", l.root_causes, blocks)
    }

    fn spikes(&self) -> Section {
        let (l, lang) = (self.l, self.lang);
        let mut blocks = Vec::new();
        let (spikes, more) = self.capped(&self.report.spikes, MAX_LISTED_SPIKES, Listed::Spikes);
        for spike in spikes {
            let span = Span {
                from: spike.from.clone(),
                to: spike.to.clone(),
            };
            blocks.push(Block::Subheading(vec![text(format!(
                "{} {}",
                labels::spike_kind(lang, &spike.kind),
                span_text(&span, lang)
            ))]));
            let count_text = match lang {
                Lang::En => {
                    format!(
                        "{} vs {} expected at the baseline rate",
                        spike.count,
                        format::expected(spike.expected)
                    )
                }
                Lang::Zh => format!(
                    "{} 条，按基线速率预期 {} 条",
                    spike.count,
                    format::expected(spike.expected)
                ),
            };
            blocks.push(Block::Fields(vec![
                field(l.ratio, vec![text(format::ratio(spike.ratio))]),
                field(l.occurrences, vec![text(count_text)]),
            ]));
            if !spike.explained_by.is_empty() {
                blocks.push(Block::Paragraph(vec![strong(l.explained_by)]));
                let rows = spike
                    .explained_by
                    .iter()
                    .map(|e| {
                        vec![
                            Cell::code(&e.field),
                            Cell::code(&e.value),
                            Cell::text(format::count(e.count)),
                            Cell::text(format::count(e.baseline_count)),
                            Cell::text(format::ratio(e.lift)),
                            Cell::text(format::percent(e.share)).with_bar(e.share),
                            Cell::text(format::q_value(e.q_value)),
                        ]
                    })
                    .collect();
                blocks.push(Block::Table(table(
                    &[
                        l.field,
                        l.value,
                        l.count,
                        l.baseline_count,
                        l.lift,
                        l.share_of_excess,
                        l.q_value,
                    ],
                    &[false, false, true, true, true, true, true],
                    rows,
                )));
            }
        }
        blocks.extend(more);
        if blocks.is_empty() {
            blocks.push(none_line(l));
        }
        self.section("spikes", l.spikes, blocks)
    }

    fn endpoints(&self) -> Section {
        let l = self.l;
        let mut blocks = Vec::new();
        if let Some(availability) = self.report.totals.availability {
            blocks.push(Block::Fields(vec![field(
                l.overall_availability,
                vec![text(format::percent(availability))],
            )]));
        }
        if !self.report.endpoints.is_empty() {
            let rows = self
                .report
                .endpoints
                .iter()
                .map(|e| {
                    vec![
                        Cell::code(&e.endpoint),
                        Cell::text(format::count(e.requests)),
                        Cell::text(format::count(e.errors)),
                        Cell::text(format::percent(e.success_rate)).with_tone(rate_tone(e.success_rate)),
                        Cell::text(format::percent_opt(e.baseline_success_rate)),
                        Cell::text(format::millis(e.p50_ms)),
                        Cell::text(format::millis(e.p99_ms)),
                        Cell::text(format::millis(e.max_ms)),
                        Cell::text(format::count(e.baseline_requests)),
                    ]
                })
                .collect();
            blocks.push(Block::Table(table(
                &[
                    l.endpoint,
                    l.requests,
                    l.errors,
                    l.success_rate,
                    l.baseline_success_rate,
                    "p50",
                    "p99",
                    l.max,
                    l.baseline_requests,
                ],
                &[false, true, true, true, true, true, true, true, true],
                rows,
            )));
        }
        if blocks.is_empty() {
            blocks.push(none_line(l));
        }
        self.section("endpoints", l.endpoints, blocks)
    }

    fn metrics(&self) -> Section {
        let (l, lang) = (self.l, self.lang);
        // Hosts in order of first appearance; the model's metric order is kept per host.
        let (listed, more) = self.capped(&self.report.metrics, MAX_LISTED_METRICS, Listed::MetricSeries);
        let mut hosts: Vec<&str> = Vec::new();
        for m in listed {
            if !hosts.contains(&m.host.as_str()) {
                hosts.push(&m.host);
            }
        }
        let mut blocks = Vec::new();
        for host in hosts {
            blocks.push(Block::Subheading(vec![
                text(format!("{}{}", l.host, self.p.colon)),
                code(host),
            ]));
            let sparks = chart::sparklines(self.report, lang, &self.anchors, host);
            if !sparks.is_empty() {
                blocks.push(Block::Sparklines(sparks));
            }
            let rows = listed
                .iter()
                .filter(|m| m.host == host)
                .map(|m| {
                    vec![
                        Cell::code(&m.metric),
                        Cell::text(labels::metric_kind(lang, &m.kind)),
                        Cell::text(format::metric_value(m.avg)),
                        Cell::text(format::metric_value(m.max)),
                        Cell::text(format::metric_value(m.min)),
                        Cell::text(format::metric_value_opt(m.baseline_avg)),
                        Cell::text(format::count(m.samples)),
                        Cell::text(labels::metric_status(lang, &m.status)).with_tone(metric_tone(&m.status)),
                    ]
                })
                .collect();
            blocks.push(Block::Table(table(
                &[
                    l.metric,
                    l.kind,
                    l.avg,
                    l.max,
                    l.min,
                    l.baseline_avg,
                    l.samples,
                    l.status,
                ],
                &[false, false, true, true, true, true, true, false],
                rows,
            )));
        }
        blocks.extend(more);
        if blocks.is_empty() {
            blocks.push(none_line(l));
        }
        self.section("metrics", l.metrics, blocks)
    }

    fn findings(&self) -> Section {
        let (l, lang) = (self.l, self.lang);
        let mut findings: Vec<_> = self.report.findings.iter().collect();
        // Log/metric mismatches first: they say where not to look (the host is fine).
        findings.sort_by_key(|f| (f.kind != "log_metric_mismatch", format::severity_rank(&f.severity)));
        let (findings, more) = self.capped(&findings, MAX_LISTED_FINDINGS, Listed::Findings);
        let items: Vec<ListItem> = findings
            .iter()
            .map(|f| ListItem {
                line: vec![
                    strong(format!(
                        "[{}] {}",
                        labels::severity(lang, &f.severity),
                        labels::finding_kind(lang, &f.kind)
                    )),
                    text(format!("{}{}", self.p.colon, f.summary)),
                ],
                children: f.evidence.iter().map(|e| vec![text(e)]).collect(),
            })
            .collect();
        let mut blocks = if items.is_empty() {
            vec![none_line(l)]
        } else {
            vec![Block::List { ordered: false, items }]
        };
        blocks.extend(more);
        self.section("findings", l.findings, blocks)
    }

    fn counts(&self) -> Section {
        let l = self.l;
        let totals = &self.report.totals;
        let mut blocks = vec![Block::Subheading(vec![text(l.by_level)])];
        let mut levels: Vec<(&String, &u64)> = totals.by_level.iter().collect();
        levels.sort_by_key(|(level, _)| format::level_rank(level));
        if levels.is_empty() {
            blocks.push(none_line(l));
        } else {
            let rows = levels
                .iter()
                .map(|(level, n)| {
                    let fraction = format::fraction_of(**n, totals.records);
                    vec![
                        Cell::text(level.as_str()),
                        Cell::text(format::count(**n)),
                        Cell::text(format::share_of(**n, totals.records)).with_bar(fraction),
                    ]
                })
                .collect();
            let mut level_table = table(&[l.level, l.count, l.share], &[false, true, true], rows);
            level_table.total = Some(vec![
                Cell::strong(l.total),
                Cell::strong(format::count(totals.records)),
                Cell::strong(format::share_of(totals.records, totals.records)),
            ]);
            blocks.push(Block::Table(level_table));
        }
        blocks.push(Block::Subheading(vec![text(l.by_module)]));
        if self.report.modules.is_empty() {
            blocks.push(none_line(l));
        } else {
            let rows = self
                .report
                .modules
                .iter()
                .map(|m| {
                    vec![
                        Cell::code(&m.name),
                        Cell::text(format::count(m.records)),
                        Cell::text(format::count(m.errors)),
                        Cell::text(format::share_of(m.errors, totals.errors))
                            .with_bar(format::fraction_of(m.errors, totals.errors)),
                        Cell::text(or_missing(self.problem_titles_text(&m.main_problems))),
                    ]
                })
                .collect();
            blocks.push(Block::Table(table(
                &[l.module, l.records, l.errors, l.share_of_errors, l.main_problems],
                &[false, true, true, true, false],
                rows,
            )));
        }
        self.section("counts", l.counts, blocks)
    }

    fn watch(&self) -> Section {
        let (l, lang) = (self.l, self.lang);
        let abnormal_metrics = |host: &str| -> String {
            let parts: Vec<String> = self
                .report
                .metrics
                .iter()
                .filter(|m| m.host == host && m.status != "normal")
                .map(|m| format!("{} {}", m.metric, labels::metric_status(lang, &m.status)))
                .collect();
            parts.join(self.p.sep)
        };
        let row = |group: &GroupCount, is_host: bool| -> Vec<Cell> {
            let metrics = if is_host {
                abnormal_metrics(&group.name)
            } else {
                String::new()
            };
            vec![
                Cell::text(labels::group_kind(lang, is_host)),
                Cell::code(&group.name),
                Cell::text(format::count(group.records)),
                Cell::text(format::count(group.errors)),
                Cell::text(self.level_counts_text(&group.by_level)),
                Cell::text(or_missing(self.problem_titles_text(&group.main_problems))),
                Cell::text(or_missing(metrics)),
            ]
        };
        let mut rows = Vec::new();
        // Worth watching: anything with errors, and any host whose metrics are off.
        for host in &self.report.hosts {
            if host.errors > 0 || !abnormal_metrics(&host.name).is_empty() {
                rows.push(row(host, true));
            }
        }
        for metric_host in self.metric_only_abnormal_hosts() {
            let group = GroupCount {
                name: metric_host.to_string(),
                ..GroupCount::default()
            };
            rows.push(row(&group, true));
        }
        for service in self.report.services.iter().filter(|s| s.errors > 0) {
            rows.push(row(service, false));
        }
        let hidden = rows.len().saturating_sub(MAX_LISTED_WATCH);
        rows.truncate(MAX_LISTED_WATCH);
        let mut blocks = if rows.is_empty() {
            vec![none_line(l)]
        } else {
            vec![Block::Table(table(
                &[
                    l.kind,
                    l.name,
                    l.records,
                    l.errors,
                    l.levels,
                    l.main_problems,
                    l.metrics_not_normal,
                ],
                &[false, false, true, true, false, false, false],
                rows,
            ))]
        };
        if hidden > 0 {
            blocks.push(self.more(hidden, Listed::Rows, ""));
        }
        self.section("watch", l.watch, blocks)
    }

    /// Hosts with an abnormal metric that wrote no logs in the window.
    fn metric_only_abnormal_hosts(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for m in &self.report.metrics {
            let logged = self.report.hosts.iter().any(|h| h.name == m.host);
            if m.status != "normal" && !logged && !out.contains(&m.host.as_str()) {
                out.push(&m.host);
            }
        }
        out
    }

    fn changes(&self) -> Section {
        let l = self.l;
        // The model lists changes by blame score, so the cap keeps the likeliest.
        let (changes, more) = self.capped(&self.report.changes, MAX_LISTED_CHANGES, Listed::Changes);
        let rows: Vec<Vec<Cell>> = changes
            .iter()
            .map(|c| {
                let mut linked = if c.linked_problems.is_empty() {
                    vec![text(MISSING)]
                } else {
                    Vec::new()
                };
                for (i, id) in c.linked_problems.iter().enumerate() {
                    if i > 0 {
                        linked.push(text(self.p.sep));
                    }
                    linked.push(self.problem_link(id));
                }
                vec![
                    Cell::text(&c.time),
                    Cell::text(labels::change_kind(self.lang, &c.kind)),
                    Cell::code(&c.service),
                    Cell::text(c.version.as_deref().unwrap_or(MISSING)),
                    Cell::text(format::score(c.score)).with_bar(c.score),
                    Cell::text(&c.reason),
                    Cell::text(&c.description),
                    Cell {
                        content: linked,
                        bar: None,
                        tone: None,
                    },
                ]
            })
            .collect();
        let mut blocks = if rows.is_empty() {
            vec![none_line(l)]
        } else {
            vec![Block::Table(table(
                &[
                    l.time,
                    l.kind,
                    l.service,
                    l.version,
                    l.score,
                    l.reason,
                    l.description,
                    l.linked_problems,
                ],
                &[false, false, false, false, true, false, false, false],
                rows,
            ))]
        };
        blocks.extend(more);
        self.section("changes", l.changes, blocks)
    }

    fn actions(&self) -> Section {
        let (l, lang) = (self.l, self.lang);
        let mut priorities: Vec<&str> = Vec::new();
        for action in &self.report.actions {
            if !priorities.contains(&action.priority.as_str()) {
                priorities.push(&action.priority);
            }
        }
        priorities.sort_by_key(|p| format::priority_rank(p));
        let mut blocks = Vec::new();
        for priority in priorities {
            blocks.push(Block::Subheading(vec![text(labels::priority(lang, priority))]));
            let items = self
                .report
                .actions
                .iter()
                .filter(|a| a.priority == priority)
                .map(|a| {
                    let mut line = vec![text(&a.text)];
                    if !a.problems.is_empty() {
                        line.push(text(format!("{}{}{}", self.p.open, l.addresses, self.p.colon)));
                        for (i, id) in a.problems.iter().enumerate() {
                            if i > 0 {
                                line.push(text(self.p.sep));
                            }
                            line.push(self.problem_link(id));
                        }
                        line.push(text(self.p.close));
                    }
                    ListItem {
                        line,
                        children: Vec::new(),
                    }
                })
                .collect();
            blocks.push(Block::List { ordered: true, items });
        }
        if blocks.is_empty() {
            blocks.push(none_line(l));
        }
        self.section("actions", l.actions, blocks)
    }

    fn timeline(&self) -> Section {
        let lang = self.lang;
        let items: Vec<ListItem> = self
            .report
            .timeline
            .iter()
            .map(|entry| {
                let time =
                    if self.has_charts && chart::parse_time(&entry.time).is_some_and(|t| self.chart_axis_contains(t)) {
                        Inline::Link {
                            href: format!("#{}", chart::VOLUME_ID),
                            inner: vec![strong(&entry.time)],
                        }
                    } else {
                        strong(&entry.time)
                    };
                ListItem {
                    line: vec![
                        time,
                        text(format!(" [{}] {}", labels::event_kind(lang, &entry.kind), entry.text)),
                    ],
                    children: Vec::new(),
                }
            })
            .collect();
        let mut blocks: Vec<Block> = chart::timeline(self.report, lang)
            .map(|c| Block::Chart(Box::new(c)))
            .into_iter()
            .collect();
        blocks.push(if items.is_empty() {
            none_line(self.l)
        } else {
            Block::List { ordered: false, items }
        });
        self.section("timeline", self.l.timeline, blocks)
    }

    fn conclusion(&self) -> Section {
        let (r, l, lang) = (self.report, self.l, self.lang);
        let mut blocks = Vec::new();
        if !r.conclusion.is_empty() {
            blocks.push(Block::Paragraph(vec![text(&r.conclusion)]));
        }
        let mut by_priority: Vec<(&str, u64)> = Vec::new();
        for problem in &r.problems {
            match by_priority.iter_mut().find(|(p, _)| *p == problem.priority) {
                Some((_, n)) => *n += 1,
                None => by_priority.push((&problem.priority, 1)),
            }
        }
        by_priority.sort_by_key(|(p, _)| format::priority_rank(p));
        let breakdown: Vec<String> = by_priority.iter().map(|(p, n)| format!("{p} {n}")).collect();
        let problems_text = if breakdown.is_empty() {
            format::count(0)
        } else {
            self.aside(format::count(r.problems.len() as u64), &breakdown.join(self.p.sep))
        };
        let mut fields = vec![
            field(l.problem_count, vec![text(problems_text)]),
            field(l.most_likely_cause, self.top_cause()),
        ];
        if let Some(change) = most_suspicious_change(r) {
            let score = match lang {
                Lang::En => format!("score {}", format::score(change.score)),
                Lang::Zh => format!("评分 {}", format::score(change.score)),
            };
            fields.push(field(
                l.most_suspicious_change,
                vec![
                    text(format!("{} {} ", change.time, labels::change_kind(lang, &change.kind))),
                    code(&change.service),
                    text(self.aside(String::new(), &score)),
                    text(format!("{}{}", self.p.colon, change.reason)),
                ],
            ));
        }
        blocks.push(Block::Fields(fields));
        self.section("conclusion", l.conclusion, blocks)
    }
}

fn or_missing(text: String) -> String {
    if text.is_empty() {
        MISSING.to_string()
    } else {
        text
    }
}

fn plain_items(lines: &[String]) -> Vec<ListItem> {
    lines
        .iter()
        .map(|line| ListItem {
            line: vec![text(line)],
            children: Vec::new(),
        })
        .collect()
}

/// Success rates below 99% are worth a colour; below 95% they are bad.
fn rate_tone(rate: f64) -> Option<Tone> {
    if !rate.is_finite() {
        None
    } else if rate < 0.95 {
        Some(Tone::Bad)
    } else if rate < 0.99 {
        Some(Tone::Warn)
    } else {
        None
    }
}

/// The change with the highest blame score (the first on ties).
pub(crate) fn most_suspicious_change(report: &Report) -> Option<&triage_analyze::model::ChangeScore> {
    let mut best: Option<&triage_analyze::model::ChangeScore> = None;
    for change in &report.changes {
        match best {
            Some(b) if change.score <= b.score => {}
            _ => best = Some(change),
        }
    }
    best
}
