//! `--lang zh`: every sentence the analysis writes is Chinese, and `--lang en` (the
//! default) keeps the English. Runs on the bundled example incident.

mod util;

use serde_json::Value;
use util::run_triage;

fn analyze(lang: Option<&str>) -> Value {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/incident");
    let mut args: Vec<String> = vec![
        "analyze".into(),
        format!("{root}/logs"),
        "--metrics".into(),
        format!("{root}/metrics.csv"),
        "--changes".into(),
        format!("{root}/changes.jsonl"),
        "--tz".into(),
        "Asia/Shanghai".into(),
        "--format".into(),
        "json".into(),
    ];
    if let Some(l) = lang {
        args.extend(["--lang".into(), l.into()]);
    }
    let out = run_triage(&args);
    assert!(
        out.status.success(),
        "triage failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON report")
}

fn strs(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a.iter().flat_map(strs).collect(),
        Value::Object(o) => o.values().flat_map(strs).collect(),
        _ => Vec::new(),
    }
}

/// Text that comes from the input, not from the analysis: template texts and samples,
/// titles, change fields, service, host, metric and parameter names and values. It
/// stays as the input wrote it in every language.
fn data_strings(r: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for p in r["problems"].as_array().unwrap() {
        out.push(p["title"].as_str().unwrap().to_string());
        out.push(p["category"].as_str().unwrap().to_string());
        for t in p["templates"].as_array().unwrap() {
            let text = t["template"].as_str().unwrap();
            out.push(text.to_string());
            // The names a template gives its values (`bytes=<num>`) name them in sentences.
            out.extend(
                text.split_whitespace()
                    .filter_map(|w| Some(w.split_once('=')?.0.to_string())),
            );
            out.extend(strs(&t["samples"]));
        }
        out.extend(strs(&p["parameters"]));
    }
    for c in r["changes"].as_array().unwrap() {
        for k in ["kind", "service", "version", "description"] {
            out.extend(strs(&c[k]));
        }
    }
    for m in r["metrics"].as_array().unwrap() {
        for k in ["host", "metric"] {
            out.extend(strs(&m[k]));
        }
    }
    for k in ["services", "hosts", "modules"] {
        for g in r[k].as_array().unwrap() {
            out.extend(strs(&g["name"]));
        }
    }
    for s in r["spikes"].as_array().unwrap() {
        for e in s["explained_by"].as_array().unwrap() {
            out.extend(strs(&e["value"]));
        }
    }
    // The clipped template texts of per-service causes end in `…`: drop quoted text below.
    out.retain(|s| s.len() >= 3);
    out.sort_by_key(|s| std::cmp::Reverse(s.len()));
    out.dedup();
    out
}

/// The words of the analysis left in `text` once the input's own text (data strings,
/// anything in double quotes or backticks) is removed.
fn own_words(text: &str, data: &[String]) -> String {
    let mut t = text.to_string();
    for d in data {
        t = t.replace(d.as_str(), " ");
    }
    let mut out = String::new();
    let mut quote: Option<char> = None;
    for c in t.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '`' => quote = Some(c),
            None => out.push(c),
        }
    }
    out
}

/// English left in `text`: every word of ASCII letters (no digit: ids, numbers, times
/// and durations are the same in every language; `a:b`, `a_b`, `a=b`, `a.b` are
/// identifiers) outside a short list of units and level names that Chinese technical
/// text writes in Latin letters too.
fn english_in(text: &str) -> Vec<String> {
    const LATIN_OK: [&str; 14] = [
        "WARN", "WARN+", "ERROR", "MB", "GB", "kB", "TB", "B", "MB/s", "GB/s", "kB/s", "B/s", "z", "ms",
    ];
    text.split(|c: char| c.is_whitespace() || !(c.is_ascii_alphanumeric() || "+/_-.:=<>".contains(c)))
        .map(|w| w.trim_matches(|c: char| ".-".contains(c)))
        .filter(|w| w.chars().any(|c| c.is_ascii_alphabetic()) && !w.chars().any(|c| c.is_ascii_digit()))
        .filter(|w| !LATIN_OK.contains(w) && !w.contains([':', '_', '=', '.', '<']))
        .map(str::to_string)
        .collect()
}

fn has_han(text: &str) -> bool {
    text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// Every sentence the analysis wrote, with where it is.
fn sentences(r: &Value) -> Vec<(String, String, bool)> {
    let mut out = Vec::new();
    // (place, text, must it hold Chinese)
    let mut add = |place: String, v: &Value, han: bool| {
        if let Some(s) = v.as_str().filter(|s| !s.is_empty()) {
            out.push((place, s.to_string(), han));
        }
    };
    add("conclusion".into(), &r["conclusion"], true);
    add("status_reason".into(), &r["status_reason"], true);
    for (i, n) in r["input"]["notes"].as_array().unwrap().iter().enumerate() {
        add(format!("note {i}"), n, true);
    }
    for c in r["root_causes"].as_array().unwrap() {
        let rank = &c["rank"];
        add(format!("root cause {rank}"), &c["summary"], true);
        for (i, e) in c["evidence"].as_array().unwrap().iter().enumerate() {
            add(format!("root cause {rank} evidence {i}"), e, true);
        }
    }
    for (i, t) in r["timeline"].as_array().unwrap().iter().enumerate() {
        // A change's entry is the change as the ledger gives it.
        add(format!("timeline {i}"), &t["text"], t["kind"] != "change");
    }
    for (i, f) in r["findings"].as_array().unwrap().iter().enumerate() {
        add(format!("finding {i}"), &f["summary"], true);
        for e in f["evidence"].as_array().unwrap() {
            add(format!("finding {i} evidence"), e, true);
        }
    }
    for (i, c) in r["changes"].as_array().unwrap().iter().enumerate() {
        add(format!("change {i} reason"), &c["reason"], true);
    }
    out
}

fn numbers(texts: &[String]) -> Vec<String> {
    let mut v: Vec<String> = texts
        .iter()
        .flat_map(|t| {
            t.split(|c: char| !(c.is_ascii_digit() || c == '.'))
                .map(|n| n.trim_matches('.').to_string())
                .filter(|n| !n.is_empty())
                .collect::<Vec<_>>()
        })
        .collect();
    v.sort();
    v
}

fn cause_texts(r: &Value) -> Vec<String> {
    r["root_causes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| std::iter::once(c["summary"].as_str().unwrap().to_string()).chain(strs(&c["evidence"])))
        .collect()
}

#[test]
fn every_sentence_of_the_analysis_is_chinese_with_lang_zh() {
    let zh = analyze(Some("zh"));
    let data = data_strings(&zh);
    let all = sentences(&zh);
    assert!(all.len() > 20, "too few sentences to judge: {all:?}");
    assert!(all.iter().any(|(p, _, _)| p.starts_with("root cause")), "{all:?}");
    assert!(all.iter().any(|(p, _, _)| p.starts_with("timeline")), "{all:?}");
    let mut bad = Vec::new();
    for (place, text, han) in &all {
        let own = own_words(text, &data);
        if *han && !has_han(&own) {
            bad.push(format!("{place}: no Chinese: {text}"));
        } else {
            let en = english_in(&own);
            if !en.is_empty() {
                bad.push(format!("{place}: English {en:?} in: {text}"));
            }
        }
    }
    assert!(bad.is_empty(), "English left in the zh report:\n{}", bad.join("\n"));
}

#[test]
fn english_is_the_default_and_chinese_keeps_every_number() {
    let default = analyze(None);
    let en = analyze(Some("en"));
    let zh = analyze(Some("zh"));
    for k in [
        "conclusion",
        "status_reason",
        "root_causes",
        "timeline",
        "findings",
        "changes",
    ] {
        assert_eq!(default[k], en[k], "{k} differs between the default and --lang en");
    }
    assert_eq!(default["input"]["notes"], en["input"]["notes"]);
    let conclusion = en["conclusion"].as_str().unwrap();
    assert!(conclusion.contains(". Most likely cause (score "), "{conclusion}");
    assert!(conclusion.contains(" records in the window, "), "{conclusion}");
    let summaries = cause_texts(&en).join("\n");
    assert!(
        summaries.contains("followed by \"slow redis command GET"),
        "{summaries}"
    );
    assert!(summaries.contains("explains 46% of the excess"), "{summaries}");
    // The translation says the same: the same numbers (counts, scores, times, ids) in
    // the root causes, the same structure elsewhere.
    assert_eq!(numbers(&cause_texts(&en)), numbers(&cause_texts(&zh)));
    assert_eq!(
        numbers(&[en["conclusion"].as_str().unwrap().into()]),
        numbers(&[zh["conclusion"].as_str().unwrap().into()])
    );
    for k in ["root_causes", "timeline", "findings", "changes", "problems"] {
        assert_eq!(en[k].as_array().unwrap().len(), zh[k].as_array().unwrap().len(), "{k}");
    }
    for k in ["status", "totals", "spikes", "metrics"] {
        assert_eq!(en[k], zh[k], "{k} must not depend on the language");
    }
}
