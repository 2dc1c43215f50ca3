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

#[test]
fn json_round_trips_in_model_order() {
    let report = common::export_storm();
    let json = render_json(&report);
    // Parsing back gives the same report (floats aside: serde_json's default float
    // parser may differ in the last digit, so compare what is exact).
    let back: Report = serde_json::from_str(&json).expect("valid JSON");
    assert_eq!(back.problems.len(), report.problems.len());
    assert_eq!(back.totals.by_level, report.totals.by_level);
    assert_eq!(back.window, report.window);
    assert!(json.ends_with("}\n"));
    let schema_at = json.find("\"schema_version\"").expect("schema_version");
    let actions_at = json.find("\"actions\"").expect("actions");
    assert!(schema_at < actions_at, "fields keep the model order");
}

fn hostile_report() -> Report {
    let mut report = common::export_storm();
    report.problems[0].title = "<script>alert('x')</script>".into();
    report.problems[0].templates[0].samples.push("</code></pre><script>alert(1)</script>".into());
    report.conclusion = "a <b>bold</b> & \"quoted\" claim".into();
    report.endpoints[0].endpoint = "GET /a|b\nc".into();
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
    assert!(md.contains("`GET /a\\|b c`"), "pipe escaped and newline folded inside a cell");
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
    for expected in
        ["6342 (15.38%", "×14.2", "93.91%", "9.09%", "95.98%", "2210 (baseline 0, new)", "4100 (baseline 12, ×341.7"]
    {
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
