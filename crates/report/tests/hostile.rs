//! Text from logs attacks the reader: terminal escapes, markup and secrets planted in a
//! log line must reach no output raw. Also: every status word, times in the user's zone,
//! and a summary that wraps instead of cutting words. Goldens are kept small.

use triage_analyze::model::{
    Problem, ProblemTemplate, Report, RootCause, Series, SeriesPoint, Span, TimelineEntry, Totals,
};
use triage_analyze::redact::redact_report;
use triage_report::{render_html, render_json, render_markdown, render_terminal, Lang};

const JWT: &str = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N";
/// Clear screen, an OSC-8 hyperlink, an OSC-0 window title, BEL, a one-byte CSI, a bidi override.
const ESCAPES: &str = "\x1b[2J\x1b]8;;http://evil.example/\x07click\x1b]8;;\x07\x1b]0;pwned\x07\u{9b}31m\u{202e}";

/// A small report in +08:00 whose every free text carries escapes, markup or a secret.
fn hostile() -> Report {
    let t = |s: &str| format!("2024-11-12T{s}+08:00");
    Report {
        schema_version: 1,
        status: "partial".into(),
        status_reason: "2 files skipped (binary)".into(),
        conclusion: format!(
            "login storm {ESCAPES} after password=hunter2 leaked <img src=x onerror=alert(1)> [x](javascript:alert(1))"
        ),
        window: Span {
            from: t("14:30:00"),
            to: t("14:45:00"),
        },
        totals: Totals {
            records: 120,
            errors: 30,
            ..Default::default()
        },
        problems: vec![Problem {
            id: "P-T1".into(),
            title: format!("auth failed {ESCAPES} Bearer {JWT}"),
            priority: "P1".into(),
            category: "security".into(),
            count: 30,
            new: true,
            first_seen: t("14:37:31"),
            last_seen: t("14:44:02"),
            templates: vec![ProblemTemplate {
                id: "T1".into(),
                template: "key AKIAIOSFODNN7EXAMPLE rejected <img src=x onerror=alert(1)>".into(),
                count: 30,
                samples: vec![format!("card 4111 1111 1111 1111 {ESCAPES} [x](javascript:alert(1))")],
                ..Default::default()
            }],
            ..Default::default()
        }],
        root_causes: vec![RootCause {
            rank: 1,
            score: 0.9,
            summary: "credential stuffing from 203.0.113.7 against /login, mail ops@example.com".into(),
            kind: "problem".into(),
            problems: vec!["P-T1".into()],
            ..Default::default()
        }],
        timeline: vec![TimelineEntry {
            time: t("14:37:31"),
            kind: "onset".into(),
            text: format!("auth failed {ESCAPES}"),
        }],
        series: Series {
            bucket_seconds: 300,
            start: t("14:30:00"),
            points: (0..3)
                .map(|i| SeriesPoint {
                    t: t(&format!("14:{:02}:00", 30 + 5 * i)),
                    records: 40,
                    errors: 10,
                })
                .collect(),
            ..Default::default()
        },
        ..Default::default()
    }
}

fn masked() -> Report {
    let mut report = hostile();
    redact_report(&mut report);
    report
}

const SECRETS: [&str; 5] = [
    "hunter2",
    JWT,
    "AKIAIOSFODNN7EXAMPLE",
    "4111 1111 1111 1111",
    "ops@example.com",
];

#[test]
fn no_control_character_reaches_a_text_output() {
    let report = masked();
    for (name, text) in [
        ("terminal", render_terminal(&report, false)),
        ("md", render_markdown(&report, Lang::En)),
        ("md zh", render_markdown(&report, Lang::Zh)),
        ("html", render_html(&report, Lang::En)),
    ] {
        for bad in ['\x1b', '\x07', '\u{9b}', '\u{202e}', '\r'] {
            assert!(!text.contains(bad), "{name}: raw {:?}", bad);
        }
        assert!(text.contains("x1b[2J"), "{name}: the escape is shown, not dropped");
    }
    // Colour codes of our own are still allowed in the terminal, theirs are not.
    let coloured = render_terminal(&report, true);
    assert!(!coloured.contains("\x1b[2J") && !coloured.contains("\x1b]"));
}

#[test]
fn json_keeps_the_text_exactly_with_standard_escapes() {
    let report = hostile();
    let json = render_json(&report);
    assert!(!json.contains('\x1b') && !json.contains('\x07'));
    assert!(json.contains("\\u001b[2J"), "standard JSON escape");
    let back: Report = serde_json::from_str(&json).unwrap();
    assert_eq!(back.conclusion, report.conclusion, "lossless");
}

#[test]
fn secrets_reach_no_output_once_masked() {
    let report = masked();
    for text in [
        render_terminal(&report, false),
        render_markdown(&report, Lang::En),
        render_markdown(&report, Lang::Zh),
        render_html(&report, Lang::En),
        render_json(&report),
    ] {
        for secret in SECRETS {
            assert!(!text.contains(secret), "{secret} leaked");
        }
        assert!(text.contains("secret:"), "masks keep their kind");
    }
}

#[test]
fn markup_from_logs_stays_text() {
    let report = masked();
    let md = render_markdown(&report, Lang::En);
    // In free text markup is escaped; in code spans and blocks it is inert as it stands.
    assert!(
        md.contains("\\<img src=x onerror=alert(1)\\> [x]\\(javascript:alert(1))"),
        "{md}"
    );
    assert!(
        md.contains("`key <secret:aws-key> rejected <img src=x onerror=alert(1)>`"),
        "{md}"
    );
    let html = render_html(&report, Lang::En);
    assert!(!html.contains("<img") && !html.contains("<script"));
    assert!(html.contains("Content-Security-Policy"), "strict CSP kept");
}

#[test]
fn every_status_has_words_in_both_languages() {
    for (status, en, zh, term) in [
        ("healthy", "healthy", "正常", "HEALTHY"),
        ("incident", "incident", "异常", "INCIDENT"),
        ("no_data", "no data", "无数据", "NO DATA"),
        ("partial", "partial", "部分数据", "PARTIAL"),
        ("degraded", "degraded", "degraded", "DEGRADED"),
    ] {
        let report = Report {
            status: status.into(),
            status_reason: "why".into(),
            ..Default::default()
        };
        let md = render_markdown(&report, Lang::En);
        assert!(md.contains(&format!("- **Status**: **{en}**: why")), "{md}");
        assert!(render_markdown(&report, Lang::Zh).contains(&format!("**{zh}**：why")));
        assert!(render_html(&report, Lang::Zh).contains(zh));
        let terminal = render_terminal(&report, false);
        assert!(terminal.starts_with(&format!("Triage: {term} ")), "{terminal}");
        assert!(terminal.contains("\n  why\n"), "{terminal}");
    }
}

#[test]
fn times_keep_the_users_offset() {
    let report = masked();
    let md = render_markdown(&report, Lang::En);
    assert!(md.contains("2024-11-12T14:37:31+08:00"), "{md}");
    let html = render_html(&report, Lang::En);
    // Axis labels in local time, and the zone named.
    assert!(
        html.contains(">14:30<") && html.contains("times in UTC+08:00"),
        "{html}"
    );
    assert!(html.contains("2024-11-12 14:30:00 – 14:35:00 UTC+08:00"));
    assert!(!html.contains(">06:30<"), "not shifted to UTC");
}

#[test]
fn summary_wraps_instead_of_cutting_words() {
    let mut report = masked();
    report.conclusion = "about 364 stores failed to sync their inventory after the deploy; ".repeat(3);
    let terminal = render_terminal(&report, false);
    for line in terminal.lines() {
        assert!(line.chars().count() <= 100, "{line}");
    }
    assert!(terminal.contains("stores"), "{terminal}");
    assert!(!terminal.contains("sto…"), "{terminal}");
    // A very long text ends after a whole word.
    report.conclusion = "word ".repeat(200);
    let terminal = render_terminal(&report, false);
    assert!(terminal.contains("word …"), "{terminal}");
}

#[test]
fn goldens() {
    let report = masked();
    insta::assert_snapshot!("hostile_terminal", render_terminal(&report, false));
    insta::assert_snapshot!("hostile_markdown_zh", render_markdown(&report, Lang::Zh));
}
