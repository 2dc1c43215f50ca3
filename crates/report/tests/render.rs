//! Golden files for every renderer over one realistic report, plus the promises that
//! snapshots alone would not make obvious.

mod common;

use triage_analyze::model::Report;
use triage_report::{render_html, render_json, render_markdown, render_terminal, Lang};

#[test]
fn markdown_en_golden() {
    insta::assert_snapshot!("markdown_en", render_markdown(&common::export_storm(), Lang::En));
}

#[test]
fn markdown_zh_golden() {
    insta::assert_snapshot!("markdown_zh", render_markdown(&common::export_storm(), Lang::Zh));
}

#[test]
fn terminal_golden() {
    insta::assert_snapshot!("terminal", render_terminal(&common::export_storm(), false));
}

#[test]
fn html_golden() {
    insta::assert_snapshot!("html_en", render_html(&common::export_storm(), Lang::En));
}

/// The Chinese HTML report for review: the style sheet (the same in every report) left
/// out, and each chart as its opening tag and the first of its words (axis labels,
/// legends, tooltips); the English HTML golden has the charts whole.
#[test]
fn html_zh_golden() {
    let html = render_html(&common::export_storm(), Lang::Zh);
    let style = html.find("<style>").expect("inline style");
    let style_end = html.find("</style>").expect("style end") + "</style>".len();
    let reduced = format!(
        "{}<style>…</style>{}",
        &html[..style],
        chart_words(&html[style_end..], 12)
    );
    insta::assert_snapshot!("html_zh", reduced);
}

/// Each `<svg>…</svg>` as its opening tag, its number of `<text>`/`<title>` words and the
/// first `keep` of them.
fn chart_words(html: &str, keep: usize) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find("<svg") {
        out.push_str(&rest[..start]);
        let Some(len) = rest[start..].find("</svg>") else {
            break;
        };
        let svg = &rest[start..start + len];
        out.push_str(&svg[..svg.find('>').map_or(svg.len(), |i| i + 1)]);
        let mut words: Vec<&str> = Vec::new();
        let mut s = svg;
        while let Some(i) = s.find("<t") {
            let after = &s[i..];
            let is_word = after.starts_with("<text") || after.starts_with("<title");
            let (Some(gt), Some(end)) = (after.find('>'), after.find("</")) else {
                break;
            };
            if is_word && gt < end {
                words.push(&after[gt + 1..end]);
            }
            s = &after[gt.min(end) + 1..];
        }
        if !words.is_empty() {
            out.push_str(&format!("[{} words]", words.len()));
            for w in words.iter().take(keep) {
                out.push_str("\n  ");
                out.push_str(w);
            }
            out.push('\n');
        }
        out.push_str("</svg>");
        rest = &rest[start + len + "</svg>".len()..];
    }
    out.push_str(rest);
    out
}

#[test]
fn json_round_trips_in_model_order() {
    let report = common::export_storm();
    let json = render_json(&report);
    // Parsing back gives the same report (floats aside: serde_json's default float
    // parser may differ in the last digit, so compare what is exact).
    let back: Report = serde_json::from_str(&json).expect("valid JSON");
    let text: serde_json::Value = serde_json::from_str(&json).unwrap();
    // Every field of the model is written (floats to the last digit or so)…
    same_value(&serde_json::to_value(&report).unwrap(), &text, "$");
    // …and read back: the parsed report writes exactly the tree it was read from.
    assert_eq!(serde_json::to_value(&back).unwrap(), text);
    assert_eq!(back.problems.len(), report.problems.len());
    assert!(json.ends_with("}\n"));
    let schema_at = json.find("\"schema_version\"").expect("schema_version");
    let actions_at = json.find("\"actions\"").expect("actions");
    assert!(schema_at < actions_at, "fields keep the model order");
}

/// Equal trees, numbers compared to 1e-12 relative (serde_json's default float parser may
/// be one digit off).
fn same_value(a: &serde_json::Value, b: &serde_json::Value, path: &str) {
    use serde_json::Value::{Array, Number, Object};
    match (a, b) {
        (Number(x), Number(y)) if x.is_f64() || y.is_f64() => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            assert!((x - y).abs() <= 1e-12 * x.abs().max(y.abs()), "{path}: {x} vs {y}");
        }
        (Array(x), Array(y)) => {
            assert_eq!(x.len(), y.len(), "{path}: length");
            for (i, (x, y)) in x.iter().zip(y).enumerate() {
                same_value(x, y, &format!("{path}[{i}]"));
            }
        }
        (Object(x), Object(y)) => {
            let keys = |m: &serde_json::Map<String, serde_json::Value>| m.keys().cloned().collect::<Vec<_>>();
            assert_eq!(keys(x), keys(y), "{path}: keys");
            for (k, v) in x {
                same_value(v, &y[k], &format!("{path}.{k}"));
            }
        }
        _ => assert_eq!(a, b, "{path}"),
    }
}

fn hostile_report() -> Report {
    let mut report = common::export_storm();
    report.problems[0].title = "<script>alert('x')</script>".into();
    report.problems[0].templates[0]
        .samples
        .push("</code></pre><script>alert(1)</script>".into());
    report.conclusion = "a <b>bold</b> & \"quoted\" claim".into();
    report.endpoints[0].endpoint = "GET /a|b\nc".into();
    report.series.templates[0].label = "<script>alert('t')</script>".into();
    report.series.modules[0].name = "<img onerror=x>".into();
    report.series.metrics[0].host = "\"><script>".into();
    report.metrics[0].host = "\"><script>".into();
    report
}

#[test]
fn html_escapes_all_text() {
    let html = render_html(&hostile_report(), Lang::En);
    assert!(!html.contains("<script"), "no script element may get through");
    assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    assert!(html.contains("a &lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot; claim"));
}

#[test]
fn html_is_self_contained() {
    for lang in [Lang::En, Lang::Zh] {
        let html = render_html(&common::export_storm(), lang);
        for forbidden in ["http://", "https://", "<script", "<link", "src=", "@import", "url("] {
            assert!(!html.contains(forbidden), "{forbidden} in HTML");
        }
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.contains("<svg class=\"bar\""), "inline bars for shares");
    }
}

#[test]
fn markdown_table_cells_are_escaped() {
    let md = render_markdown(&hostile_report(), Lang::En);
    assert!(
        md.contains("`GET /a\\|b c`"),
        "pipe escaped and newline folded inside a cell"
    );
    assert!(md.contains("\\<script\\>"), "free text cannot open raw HTML");
}

#[test]
fn no_vague_counts() {
    let report = common::export_storm();
    for text in [
        render_markdown(&report, Lang::En),
        render_html(&report, Lang::En),
        render_terminal(&report, false),
        render_markdown(&Report::default(), Lang::En),
    ] {
        let lower = text.to_lowercase();
        for vague in ["many", "several", "multiple", "frequent", "numerous"] {
            assert!(!lower.contains(vague), "vague wording `{vague}`");
        }
    }
    for text in [render_markdown(&report, Lang::Zh), render_html(&report, Lang::Zh)] {
        for vague in ["多次", "大量", "频繁", "若干"] {
            assert!(!text.contains(vague), "vague wording `{vague}`");
        }
    }
}

#[test]
fn problems_are_listed_p1_first() {
    let md = render_markdown(&common::export_storm(), Lang::En);
    let p1 = md.find("### 1. Export thread pool exhausted — P1").expect("P1 heading");
    let p2 = md.find("### 2. Alarm queries time out — P2").expect("P2 heading");
    assert!(p1 < p2);
}

#[test]
fn mismatch_findings_come_first() {
    let md = render_markdown(&common::export_storm(), Lang::En);
    let mismatch = md.find("log/metric mismatch").expect("mismatch finding");
    let anomaly = md.find("metric anomaly").expect("anomaly finding");
    assert!(mismatch < anomaly);
}

#[test]
fn exact_numbers_from_the_model() {
    let md = render_markdown(&common::export_storm(), Lang::En);
    for expected in [
        "6342 (15.38%",
        "×14.2",
        "93.91%",
        "9.09%",
        "95.98%",
        "2210 (baseline 0, new)",
        "4100 (baseline 12, ×341.7",
    ] {
        assert!(md.contains(expected), "missing {expected}");
    }
}

#[test]
fn empty_report_renders() {
    let empty = Report::default();
    for lang in [Lang::En, Lang::Zh] {
        let md = render_markdown(&empty, lang);
        assert!(md.starts_with("# "));
        let html = render_html(&empty, lang);
        assert!(html.ends_with("</html>\n"));
    }
    let md = render_markdown(&empty, Lang::En);
    assert!(md.contains("## Problems by priority\n\nNone.\n"));
    let zh = render_markdown(&empty, Lang::Zh);
    assert!(zh.contains("## 核心问题清单（按优先级）\n\n无。\n"));
    let terminal = render_terminal(&empty, false);
    assert!(terminal.contains("Problems: none"));
    let json: serde_json::Value = serde_json::from_str(&render_json(&empty)).expect("valid JSON");
    assert_eq!(json["problems"], serde_json::json!([]));
}

#[test]
fn terminal_is_short_and_colour_is_optional() {
    let mut report = common::export_storm();
    // Worst case: more problems and causes than the summary shows.
    for _ in 0..10 {
        report.problems.push(report.problems[1].clone());
        report.root_causes.push(report.root_causes[0].clone());
    }
    let plain = render_terminal(&report, false);
    assert!(plain.lines().count() <= 25, "{} lines", plain.lines().count());
    assert!(!plain.contains('\x1b'));
    let coloured = render_terminal(&report, true);
    assert!(coloured.contains("\x1b[1;31mINCIDENT\x1b[0m"));
    assert!(plain.contains("--format md|json|html -o FILE"));
}

#[test]
fn lang_parses_from_cli_words() {
    assert_eq!("zh".parse::<Lang>(), Ok(Lang::Zh));
    assert_eq!("EN".parse::<Lang>(), Ok(Lang::En));
    assert!("fr".parse::<Lang>().is_err());
}

#[test]
fn html_draws_the_series_as_inline_svg_charts() {
    let html = render_html(&common::export_storm(), Lang::En);
    for id in [
        "id=\"chart-volume\"",
        "id=\"chart-templates\"",
        "id=\"chart-modules\"",
        "id=\"chart-timeline\"",
        "id=\"chart-metric-alarm-7f9c-container_cpu_percent\"",
        "id=\"chart-metric-db-2-cpu_percent\"",
        "id=\"problem-P-T7\"",
    ] {
        assert!(html.contains(id), "{id} missing");
    }
    // Window shading, the spike band, onset markers with tooltips, per-bucket tooltips.
    assert!(html.contains("<title>Window: 2026-03-04T09:00:00Z – 2026-03-04T09:30:00Z</title>"));
    assert!(html.contains("<title>Volume spike 2026-03-04T09:12:00Z – 2026-03-04T09:27:00Z"));
    // The two onsets at 09:12 share one label; the tooltip lists both.
    assert!(html.contains(
        "<title>#1 Export thread pool exhausted: Onset 2026-03-04T09:12:00Z\n#2 Alarm queries time out: Onset 2026-03-04T09:12:00Z</title>"
    ));
    assert!(html.contains("class=\"marker-label\">#1,#2</text>"));
    assert!(html.contains("<title>2026-03-04 09:12:00 – 09:12:30 UTC: records 1201, errors (WARN+) 227</title>"));
    // Changes before the series start are listed, not drawn.
    assert!(html.contains("Changes outside the chart</strong>: 2026-03-03T17:05:00Z config alarm-service"));
    // Root causes link to the charts and to the problems they explain.
    assert!(html.contains("<a href=\"#chart-volume\">Log volume over time</a>"));
    assert!(html
        .contains("<a href=\"#chart-metric-alarm-7f9c-container_cpu_percent\">alarm-7f9c container_cpu_percent</a>"));
    assert!(html.contains("<a href=\"#problem-P-T7\"><code>P-T7</code></a>"));
    // Every in-page link has its target.
    for href in html
        .split("href=\"#")
        .skip(1)
        .map(|rest| &rest[..rest.find('"').unwrap()])
    {
        assert!(
            html.contains(&format!("id=\"{href}\"")),
            "link to #{href} has no target"
        );
    }
    // Samples and evidence fold.
    assert!(html.contains("<details class=\"samples\">\n<summary>Samples of <code>T7</code>:</summary>"));
    assert!(html.contains("<details open>\n<summary><strong>Evidence</strong></summary>"));
}

#[test]
fn charts_speak_chinese() {
    let html = render_html(&common::export_storm(), Lang::Zh);
    for words in [
        "<h2>趋势图</h2>",
        "日志量趋势",
        "主要日志模板趋势",
        "各模块错误日志趋势",
        "时间为 UTC",
        "相关图表",
    ] {
        assert!(html.contains(words), "{words} missing");
    }
    assert!(!html.contains("Log volume over time"));
}

#[test]
fn markdown_and_terminal_ignore_the_series() {
    let report = common::export_storm();
    let mut bare = report.clone();
    bare.series = Default::default();
    for lang in [Lang::En, Lang::Zh] {
        assert_eq!(render_markdown(&report, lang), render_markdown(&bare, lang));
    }
    assert_eq!(render_terminal(&report, false), render_terminal(&bare, false));
    // Without a series the HTML has no chart section (and no dangling chart links).
    let html = render_html(&bare, Lang::En);
    assert!(!html.contains("chart-volume") && !html.contains("id=\"charts\""));
}

/// The largest series analyze writes: 600 buckets, 8 templates with long labels, 8
/// modules, 100 metrics of 120 points; plus 40 problems and 10 root causes.
fn largest_report() -> Report {
    let mut report = common::export_storm();
    let buckets = 600;
    let at = |i: usize| {
        let s = i * 30;
        format!("2026-03-04T{:02}:{:02}:{:02}Z", 4 + s / 3600, s / 60 % 60, s % 60)
    };
    report.window = triage_analyze::model::Span {
        from: at(480),
        to: at(600),
    };
    report.series.start = at(0);
    report.series.points = (0..buckets)
        .map(|i| triage_analyze::model::SeriesPoint {
            t: at(i),
            records: 100_000 + i as u64 * 977,
            errors: 20_000 + i as u64 * 31,
        })
        .collect();
    let long =
        "Query alarms timed out after <NUM> ms: start=<DATE> end=<DATE> user=<*> tenant=<*> region=<*> shard=<NUM> "
            .repeat(2);
    for t in report.series.templates.iter_mut().chain([].iter_mut()) {
        t.counts = (0..buckets as u64).map(|i| 1000 + i * 7).collect();
    }
    while report.series.templates.len() < 8 {
        let mut t = report.series.templates[0].clone();
        t.label = long[..160].to_string();
        t.id = format!("T{}", report.series.templates.len() + 100);
        report.series.templates.push(t);
    }
    for m in report.series.modules.iter_mut() {
        m.errors = (0..buckets as u64).map(|i| i % 13).collect();
    }
    while report.series.modules.len() < 8 {
        let mut m = report.series.modules[0].clone();
        m.name = format!("com.acme.very.long.package.name.module{}", report.series.modules.len());
        report.series.modules.push(m);
    }
    let metric = report.series.metrics[0].clone();
    report.series.metrics = (0..100)
        .map(|k| {
            let mut m = metric.clone();
            m.host = format!("pod-{}", k / 4);
            m.metric = format!("container_metric_{k}");
            m.points = (0..120).map(|i| (at(i * 5), 1_234_567.891 + (i * k) as f64)).collect();
            m
        })
        .collect();
    report.metrics = report
        .series
        .metrics
        .iter()
        .map(|m| triage_analyze::model::MetricSummary {
            host: m.host.clone(),
            metric: m.metric.clone(),
            ..report.metrics[0].clone()
        })
        .collect();
    while report.problems.len() < 40 {
        let mut p = report.problems[1].clone();
        p.id = format!("P-T{}", report.problems.len() + 100);
        report.problems.push(p);
    }
    while report.root_causes.len() < 10 {
        report.root_causes.push(report.root_causes[0].clone());
    }
    report
}

#[test]
fn html_stays_small() {
    let typical = render_html(&common::export_storm(), Lang::En);
    assert!(typical.len() < 200_000, "typical report: {} bytes", typical.len());
    for lang in [Lang::En, Lang::Zh] {
        let largest = render_html(&largest_report(), lang);
        eprintln!(
            "largest series, {lang:?}: {} bytes (typical: {})",
            largest.len(),
            typical.len()
        );
        assert!(largest.len() < 2_000_000, "largest series: {} bytes", largest.len());
    }
}

/// Every list of the model far past its cap: 3,000 problems (each with ten templates and
/// their samples), and hundreds of changes, metric series, findings, notes and spikes.
fn overflowing_report() -> Report {
    let mut report = common::export_storm();
    let sample = "Query alarms timed out after 30000 ms: start=2020-06-03 end=2026-03-04 ".repeat(5);
    let base = report.problems[1].clone();
    report.problems = (0..3000)
        .map(|i| {
            let mut p = base.clone();
            p.id = format!("P-{i:04}");
            p.title = format!("Storage {i} refused the request");
            p.priority = ["P1", "P2", "P3"][i % 3].into();
            let t = p.templates[0].clone();
            p.templates = (0..10)
                .map(|k| {
                    let mut t = t.clone();
                    t.id = format!("T{i}-{k}");
                    t.samples = vec![sample.clone(), sample.clone()];
                    t
                })
                .collect();
            p
        })
        .collect();
    let change = report.changes[0].clone();
    report.changes = (0..300)
        .map(|i| triage_analyze::model::ChangeScore {
            linked_problems: vec![format!("P-{:04}", i * 7)],
            ..change.clone()
        })
        .collect();
    let metric = report.metrics[0].clone();
    report.metrics = (0..300)
        .map(|i| triage_analyze::model::MetricSummary {
            host: format!("pod-{}", i / 3),
            metric: format!("metric_{i}"),
            ..metric.clone()
        })
        .collect();
    let finding = report.findings[0].clone();
    report.findings = vec![finding; 300];
    report.input.notes = (0..100).map(|i| format!("note {i}")).collect();
    let spike = report.spikes[0].clone();
    report.spikes = vec![spike; 100];
    report
}

/// At the cap exactly, everything is listed and no "0 more" line is written.
#[test]
fn lists_at_their_cap_have_no_more_line() {
    let mut report = overflowing_report();
    report.problems.truncate(50);
    report.changes.truncate(50);
    report.metrics.truncate(100);
    report.findings.truncate(50);
    report.input.notes.truncate(20);
    report.spikes.truncate(20);
    for lang in [Lang::En, Lang::Zh] {
        let md = render_markdown(&report, lang);
        assert!(
            !md.contains("not listed here") && !md.contains("未在此列出"),
            "{lang:?}"
        );
        assert!(md.contains("Storage 49 refused the request"));
    }
}

#[test]
fn long_lists_are_capped_with_a_line_saying_how_many_more() {
    let report = overflowing_report();
    for lang in [Lang::En, Lang::Zh] {
        for (kind, text) in [
            ("md", render_markdown(&report, lang)),
            ("html", render_html(&report, lang)),
        ] {
            assert!(text.len() < 2_000_000, "{kind} {lang:?}: {} bytes", text.len());
            // 50 of 3,000 problems listed (P1 first: problems 0, 3, 6, … are P1).
            let more = match lang {
                Lang::En => [
                    "2950 more problems (P1 950, P2 1000, P3 1000) not listed here; the JSON report (--format json) has them all.",
                    "250 more changes not listed here",
                    "200 more metric series not listed here",
                    "250 more findings not listed here",
                    "80 more notes not listed here",
                    "80 more spikes not listed here",
                ],
                Lang::Zh => [
                    "另有 2950 个问题（P1 950，P2 1000，P3 1000）未在此列出；JSON 报告（--format json）包含全部。",
                    "另有 250 条变更未在此列出",
                    "另有 200 条指标序列未在此列出",
                    "另有 250 条发现未在此列出",
                    "另有 80 条说明未在此列出",
                    "另有 80 个突增未在此列出",
                ],
            };
            for line in more {
                assert!(text.contains(line), "{kind} {lang:?}: missing `{line}`");
            }
            assert!(
                text.contains("Storage 147 refused the request"),
                "the 50th problem is listed"
            );
            assert!(!text.contains("Storage 150 refused the request"), "the 51st is not");
        }
        // Links only to what is listed: the changes table names unlisted problems as text.
        let html = render_html(&report, lang);
        for href in html
            .split("href=\"#")
            .skip(1)
            .map(|rest| &rest[..rest.find('"').unwrap()])
        {
            assert!(
                html.contains(&format!("id=\"{href}\"")),
                "link to #{href} has no target"
            );
        }
    }
}
