//! The analysis as a whole: from what the pass collected plus metrics and changes to the
//! report model. Each step lives in its own module; this one orders them, chains
//! symptoms to causes, ranks root causes and writes the words around the numbers.

use std::collections::BTreeMap;

use triage_mine::miner::{induce, Templates};

use crate::aggregate::{aggregate, Aggregates};
use crate::anomaly::{self, Verdict};
use crate::blame::{score_change, AnomalyScope, BLAME_THRESHOLD};
use crate::changes::{kind_class, Change, ChangeClass};
use crate::collect::Collected;
use crate::frame::{Frame, FrameRequest, MINUTE};
use crate::metrics::{self, MetricKind, MetricsInput};
use crate::model::*;
use crate::model_time;
use crate::problems::{self, ProblemDraft};
use crate::rules::{Lang, Rules};
use crate::say::say;
use crate::spikes::{self, SpikeDraft};

pub struct AnalyzeOptions {
    pub frame: FrameRequest,
    pub rules: Rules,
    pub lang: Lang,
}

/// Inputs besides the logs.
#[derive(Default)]
pub struct SideInputs {
    pub metrics: Option<MetricsInput>,
    pub changes: Vec<Change>,
    pub files: usize,
    pub intake: String,
    pub notes: Vec<String>,
    /// What of the input could not be used (files skipped, records cut or dropped),
    /// one reason each: the report is `partial` when nothing else is wrong.
    pub data_loss: Vec<String>,
    /// Live metric sources (Prometheus), fetched for the resolved window and baselines.
    pub metric_sources: Vec<Box<dyn metrics::MetricSource>>,
}

/// Asks every live source for the window and baselines; their series join the CSV
/// metrics, their warnings and failures become notes.
fn fetch_metric_sources(side: &mut SideInputs, frame: &Frame, lang: Lang) {
    let spans: Vec<(i64, i64)> = std::iter::once(frame.window)
        .chain(frame.baselines.iter().copied())
        .collect();
    for source in std::mem::take(&mut side.metric_sources) {
        match source.fetch(&spans) {
            Ok(m) => {
                side.notes.extend(m.warnings);
                if m.series.is_empty() {
                    continue;
                }
                match &mut side.metrics {
                    Some(all) => {
                        all.series.extend(m.series);
                        all.rows += m.rows;
                        all.skipped += m.skipped;
                    }
                    None => {
                        side.metrics = Some(MetricsInput {
                            warnings: Vec::new(),
                            ..m
                        })
                    }
                }
            }
            Err(e) => side.notes.push(say!(
                lang,
                "metrics not used: {}: {e}",
                "未使用指标：{}：{e}",
                source.describe()
            )),
        }
    }
}

const LEVEL_NAMES: [&str; 7] = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL", "NONE"];

fn by_level(levels: &[u64; 7]) -> BTreeMap<String, u64> {
    levels
        .iter()
        .enumerate()
        .filter(|(_, n)| **n > 0)
        .map(|(i, n)| (LEVEL_NAMES[i].to_string(), *n))
        .collect()
}

fn metrics_range(m: &MetricsInput) -> Option<(i64, i64)> {
    let mut r: Option<(i64, i64)> = None;
    for s in &m.series {
        if let (Some(f), Some(l)) = (s.points.first(), s.points.last()) {
            r = Some(r.map_or((f.0, l.0), |(a, b)| (a.min(f.0), b.max(l.0))));
        }
    }
    r
}

pub fn analyze(mut c: Collected, mut side: SideInputs, opts: &AnalyzeOptions) -> std::io::Result<Report> {
    let templates = induce(&c.shapes);
    c.inferred_levels = inferred_levels(&templates, &opts.rules);
    // Records were read but none has a time: count them all as the window.
    let untimed = c.min_ts.is_none() && c.records > 0;
    let logs_range = c.min_ts.zip(c.max_ts);
    // Logs and metrics together: metrics often reach further back than the logs kept.
    let metrics_span = side.metrics.as_ref().and_then(metrics_range);
    let union = match (logs_range, metrics_span) {
        (Some(l), Some(m)) => Some((l.0.min(m.0), l.1.max(m.1))),
        (l, m) => l.or(m),
    };
    let data_range = union.or_else(|| {
        // Only live sources: the window ends now; they may hold a day and more of history.
        (!side.metric_sources.is_empty()).then(|| {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos() as i64);
            (now - 2 * crate::frame::DAY, now)
        })
    });
    let mut frame = Frame::resolve(&opts.frame, data_range);
    let lang = opts.lang;
    fetch_metric_sources(&mut side, &frame, lang);
    let n_templates = templates.templates.len();
    let mut agg = aggregate(&mut c, &frame, &templates.shape_template, n_templates, untimed)?;
    // Nothing before the window to compare with: when the error or record rate steps up
    // inside the window, its part before the step is the baseline and the rest the
    // window analysed (a burst that starts inside the window is news even without
    // history).
    let mut window_note = None;
    let earlier_records = agg.records_before_window;
    // How the window was tested for a change inside it, when a finer series than the
    // window's was used for that (see `data_part`).
    let mut within_tested = None;
    if !untimed && opts.frame.baseline.is_none() && agg.baseline_records == 0 {
        let onset = match data_part(&frame, c.min_ts, c.max_ts) {
            // The data covers only the end of the window (a 30-second file in a 15-minute
            // window fills one or two of its buckets): the step is searched for on a
            // series of the same number of buckets over the part with data. Errors only:
            // so short a file is mostly a process starting, whose volume ramps up in its
            // first seconds (Loghub's Spark_2k: ×17 in 20 s, and nothing wrong).
            Some((first, end)) => {
                let req = FrameRequest {
                    from: Some(first),
                    to: Some(end),
                    last: None,
                    baseline: None,
                };
                let fine = Frame::resolve(&req, data_range);
                let fine_agg = aggregate(&mut c, &fine, &templates.shape_template, n_templates, false)?;
                within_tested = Some(if active_in_window(&fine_agg, &fine) >= 6 {
                    WithinTest::ErrorsOnly
                } else {
                    WithinTest::None
                });
                window_onset(&fine_agg, &fine, true)
            }
            None => window_onset(&agg, &frame, false),
        };
        if let Some(onset) = onset {
            let base_from = frame.window.0.max(c.min_ts.unwrap_or(frame.window.0));
            let before = (base_from, onset);
            let requested = frame.window;
            let req = FrameRequest {
                from: Some(onset),
                to: Some(requested.1),
                last: None,
                baseline: Some(before),
            };
            frame = Frame::resolve(&req, data_range);
            agg = aggregate(&mut c, &frame, &templates.shape_template, n_templates, false)?;
            window_note = Some(say!(
                lang,
                "no data {} the requested window {} – {}: the rate steps up inside it at {}, so its part before that ({} – {}, {} records) is the baseline and {} – {} is the window analysed",
                "请求的窗口 {1} – {2} {0}没有数据：速率在窗口内 {3} 处阶跃上升，因此此前的部分（{4} – {5}，{6} 条记录）作为基线，{7} – {8} 作为分析窗口",
                match (lang, earlier_records > 0) {
                    (Lang::En, false) => "before",
                    (Lang::En, true) => "in the baseline spans before",
                    (Lang::Zh, false) => "之前",
                    (Lang::Zh, true) => "之前的基线时段内",
                },
                model_time(requested.0),
                model_time(requested.1),
                model_time(onset),
                model_time(before.0),
                model_time(before.1),
                agg.baseline_records,
                model_time(frame.window.0),
                model_time(frame.window.1),
            ));
        }
    }
    let verdicts = anomaly::judge(&templates, &agg, &frame, c.min_ts);
    let tail = anomaly::long_tail(&templates, &agg, &frame, c.min_ts);
    let mut problems = problems::build(&templates, &verdicts, &agg, &c, &opts.rules);
    let mut spikes = spikes::detect(&agg, &frame, false);
    let error_spikes = spikes::detect(&agg, &frame, true);
    // An error spike inside a volume spike adds nothing new.
    let extra: Vec<SpikeDraft> = error_spikes
        .into_iter()
        .filter(|e| {
            !spikes
                .iter()
                .any(|v| v.from <= e.from && e.to <= v.to && !v.errors_only)
        })
        .collect();
    spikes.extend(extra);
    // A volume spike inside an error spike is the same burst seen with its INFO lines:
    // the error spike says more. Unless the errors are under half of its excess: an
    // export storm of 8,000 INFO lines with 300 time-outs in it is two stories, and the
    // storm is the cause.
    let error_spans: Vec<(i64, i64, u64)> = spikes
        .iter()
        .filter(|s| s.errors_only)
        .map(|s| (s.from, s.to, s.count))
        .collect();
    spikes.retain(|s| {
        s.errors_only
            || !error_spans
                .iter()
                .any(|&(f, t, errors)| f <= s.from && s.to <= t && 2.0 * errors as f64 >= s.count as f64 - s.expected)
    });
    spikes::attribute(&mut spikes, &mut c, &templates, &templates.shape_template, &agg, &frame)?;

    chain_symptoms(&mut problems, frame.bucket);
    // Within a priority, causes before the symptoms chained to them.
    problems.sort_by(|a, b| {
        a.priority
            .cmp(b.priority)
            .then(a.symptom_of.is_some().cmp(&b.symptom_of.is_some()))
            .then(b.score.total_cmp(&a.score))
            .then_with(|| a.id.cmp(&b.id))
    });
    let metric_summaries = side
        .metrics
        .as_ref()
        .map(|m| metrics::summarise(m, frame.window, &frame.baselines))
        .unwrap_or_default();

    // Change blame.
    let scopes = anomaly_scopes(&problems, &spikes, &templates, &agg, &verdicts);
    // Normal traffic: the baseline rate (the window's own rate is inflated by the incident).
    let busy = if agg.baseline_active > 0 {
        agg.baseline_records as f64 / (agg.baseline_active as f64 / MINUTE as f64).max(1.0)
    } else {
        agg.window_records as f64 / (frame.window_len() as f64 / MINUTE as f64).max(1.0)
    };
    // The incident begins with its first significant anomaly (P1/P2 problem or spike).
    let incident_onset = problems
        .iter()
        .filter(|p| p.anomalous() && p.priority != "P3")
        .filter_map(|p| p.onset.or(p.first_seen))
        .chain(spikes.iter().map(|s| s.from))
        .min();
    let mut changes: Vec<(usize, crate::blame::Blame)> = side
        .changes
        .iter()
        .enumerate()
        .map(|(i, ch)| {
            (
                i,
                score_change(
                    ch,
                    &scopes,
                    &agg.minutes,
                    busy,
                    incident_onset,
                    frame.series_start,
                    lang,
                ),
            )
        })
        .collect();
    changes.sort_by(|a, b| {
        b.1.score
            .total_cmp(&a.1.score)
            .then(side.changes[a.0].time.cmp(&side.changes[b.0].time))
    });

    let endpoints = endpoints_of(&agg, &c);
    let mut findings = Vec::new();
    findings.extend(log_metric_mismatches(&problems, &metric_summaries, lang));
    findings.extend(metric_findings(&metric_summaries, lang));
    findings.extend(availability_findings(&endpoints, lang));

    let mut root_causes = rank_causes(
        &problems,
        &spikes,
        &changes,
        &side.changes,
        &metric_summaries,
        &frame,
        &templates,
        lang,
    );
    let incident = problems.iter().any(|p| p.anomalous() && p.priority != "P3")
        || !spikes.is_empty()
        || metric_summaries.iter().any(|m| m.status != "normal");
    if !incident {
        // Chronic noise is not an incident: nothing ranks above 0.5.
        for r in &mut root_causes {
            r.score = r.score.min(0.5);
        }
    }

    // Several services: one consolidated root cause per service (see services.rs).
    let flows = crate::traces::compare_flows(&mut c.traces, &frame, &templates.shape_template);
    let service_ranking = crate::services::rank_services(crate::services::ServiceInputs {
        agg: &agg,
        services: &c.services,
        templates: &templates,
        shapes: &c.shapes,
        problems: &problems,
        metrics: side.metrics.as_ref(),
        frame: &frame,
        flows: &flows,
        lang,
    });
    if !service_ranking.causes.is_empty() {
        merge_service_causes(&mut root_causes, service_ranking, incident);
    }

    // Resources whose exhaustion the logs claim while the host metric is normal.
    let mismatched: Vec<String> = findings
        .iter()
        .filter(|f| f.kind == "log_metric_mismatch")
        .filter_map(|f| {
            ["memory", "disk"]
                .iter()
                .find(|r| f.summary.starts_with(&mismatch_lead(r, lang)))
                .map(|r| r.to_string())
        })
        .collect();
    let model_problems: Vec<Problem> = problems
        .iter()
        .map(|p| {
            to_model_problem(
                p,
                &templates,
                &agg,
                &c,
                &spikes,
                &endpoints,
                &changes,
                &side.changes,
                &mismatched,
                p.symptom_of
                    .as_ref()
                    .and_then(|id| problems.iter().find(|q| &q.id == id))
                    .and_then(|q| q.main_service()),
                opts,
            )
        })
        .collect();
    let actions = actions_of(&model_problems, &problems);

    let (status, status_reason) = status_of(StatusInputs {
        incident,
        untimed,
        records_read: c.records,
        window_records: agg.window_records,
        metric_samples: metric_summaries.iter().map(|m| m.samples).sum(),
        data: union,
        window: frame.window,
        data_loss: &side.data_loss,
        lang,
    });
    let mut report = Report {
        schema_version: SCHEMA_VERSION,
        status: status.into(),
        status_reason,
        conclusion: String::new(),
        window: Span {
            from: model_time(frame.window.0),
            to: model_time(frame.window.1),
        },
        baseline: frame
            .baselines
            .iter()
            .map(|b| Span {
                from: model_time(b.0),
                to: model_time(b.1),
            })
            .collect(),
        input: InputSummary {
            files: side.files,
            records_read: c.records,
            records_without_time: c.records_without_time,
            intake: side.intake.clone(),
            logs_read: c.records > 0,
            metric_series: side.metrics.as_ref().map_or(0, |m| m.series.len()),
            changes: side.changes.len(),
            notes: side.notes.clone(),
        },
        totals: Totals {
            records: agg.window_records,
            errors: agg.window_levels[3..6].iter().sum(),
            by_level: by_level(&agg.window_levels),
            baseline_records: agg.baseline_records,
            availability: availability(&endpoints),
            inferred_levels: by_level(&agg.window_inferred),
        },
        modules: groups(&agg.modules, &c.modules, &agg.template_modules, &problems),
        hosts: groups(&agg.hosts, &c.hosts, &agg.template_hosts, &problems),
        services: groups(&agg.services, &c.services, &agg.template_services, &problems),
        problems: model_problems,
        findings,
        spikes: spikes.iter().map(to_model_spike).collect(),
        endpoints,
        changes: changes
            .iter()
            .map(|(i, b)| {
                let ch = &side.changes[*i];
                ChangeScore {
                    time: model_time(ch.time),
                    kind: ch.kind.clone(),
                    service: ch.service.clone(),
                    version: ch.version.clone(),
                    description: ch.description.clone(),
                    score: round3(b.score),
                    reason: b.reason.clone(),
                    linked_problems: b.linked.clone(),
                }
            })
            .collect(),
        metrics: metric_summaries,
        root_causes,
        timeline: Vec::new(),
        actions,
        series: Series::default(),
    };
    if !report.input.logs_read {
        report.input.notes.push(say!(
            lang,
            "no log records were read; the analysis rests on metrics and changes only",
            "没有读到日志记录；分析仅基于指标和变更"
        ));
    }
    report.input.notes.extend(
        side.data_loss
            .iter()
            .map(|l| say!(lang, "not analysed: {l}", "未分析：{l}")),
    );
    report.input.notes.extend(capacity_notes(&c, lang));
    if let Some(note) = window_note {
        report.input.notes.push(note);
    } else if untimed {
        report.input.notes.push(say!(
            lang,
            "no record carries a timestamp: the counts cover all {} records read, and nothing can be compared over time",
            "没有任何记录带时间戳：计数覆盖读取的全部 {} 条记录，无法做随时间的比较",
            c.records
        ));
    } else if frame.baselines.is_empty() || agg.baseline_records == 0 {
        report.input.notes.push(history_note(&agg, &frame, lang));
    }
    if tail.below > 0 {
        report.input.notes.push(say!(
            lang,
            "{} templates first seen in the window were not called new: {} others first appeared in the same length of time before it (a long tail of rare messages), so a new template needs {} records here",
            "{} 个在窗口内首次出现的模板未被判为新出现：窗口之前同样长的时间里另有 {} 个模板首次出现（罕见消息的长尾），因此这里新模板至少需要 {} 条记录",
            tail.below,
            tail.before,
            tail.bar
        ));
    }
    if c.shapes.overflowed > 0 {
        report.input.notes.push(say!(
            lang,
            "more than {} distinct message shapes: {} records past that were grouped by token count only",
            "不同的消息形态超过 {} 个：其后的 {} 条记录仅按词数归组",
            triage_mine::miner::ShapeTable::MAX_SHAPES,
            c.shapes.overflowed
        ));
    }
    report.timeline = timeline(&problems, &spikes, &side.changes, &frame, lang);
    report.series = crate::series::build(crate::series::SeriesInputs {
        frame: &frame,
        agg: &agg,
        templates: &templates,
        problems: &problems,
        modules: &c.modules,
        metrics: side.metrics.as_ref(),
        summaries: &report.metrics,
    });
    report.conclusion = conclusion(&report, &problems, History::of(&agg, &frame, within_tested), lang);
    Ok(report)
}

/// Per shape, the level its level-less records take: the severity of the rule category
/// its template's words fall in ("Out of memory: Killed process" is an error whatever
/// the format of the line that says it).
fn inferred_levels(templates: &Templates, rules: &Rules) -> Vec<u8> {
    use crate::collect::NO_LEVEL;
    let per_template: Vec<u8> = templates
        .templates
        .iter()
        .map(|t| rules.categorize(&t.text).and_then(|c| c.severity).unwrap_or(NO_LEVEL))
        .collect();
    templates
        .shape_template
        .iter()
        .map(|&t| per_template.get(t as usize).copied().unwrap_or(NO_LEVEL))
        .collect()
}

/// Where the error rate, else (unless `errors_only`) the record rate, steps up inside the
/// window (see [`crate::stats::step_up`]), else where errors burst
/// ([`crate::stats::burst_up`]), for a window with no data before it.
fn window_onset(agg: &Aggregates, frame: &Frame, errors_only: bool) -> Option<i64> {
    let first = frame.window_first_bucket();
    let exposure: Vec<f64> = agg.active_buckets[first..]
        .iter()
        .map(|&a| if a { 1.0 } else { 0.0 })
        .collect();
    // At least 3 buckets (5 % of the window) of data before the step, and a step
    // worth a spike: ×2 and 20 records over the rate before.
    let series: &[&Vec<u64>] = if errors_only {
        &[&agg.error_series]
    } else {
        &[&agg.error_series, &agg.total_series]
    };
    let step = series
        .iter()
        .find_map(|series| crate::stats::step_up(&series[first..], &exposure, 3, 2.0, 20.0));
    // Else a burst of errors that falls back: the window then starts at the burst, and
    // its part before is the baseline the burst is measured against (as a spike).
    step.or_else(|| crate::stats::burst_up(&agg.error_series[first..], &exposure, 3, 2.0, 20.0))
        .map(|cp| frame.bucket_start(first + cp).max(frame.window.0))
}

struct StatusInputs<'a> {
    incident: bool,
    untimed: bool,
    records_read: u64,
    window_records: u64,
    metric_samples: u64,
    /// Time range of all data (logs and metrics), if any had a time.
    data: Option<(i64, i64)>,
    window: (i64, i64),
    data_loss: &'a [String],
    lang: Lang,
}

/// `healthy` only when there was data in the window and nothing is wrong; otherwise
/// `incident`, or `no_data` / `partial` with the reason.
fn status_of(s: StatusInputs) -> (&'static str, String) {
    let lang = s.lang;
    let loss = s.data_loss.join("; ");
    if s.untimed {
        let why = say!(
            lang,
            "no record carries a timestamp ({} records read): counts cover every record, nothing could be compared over time",
            "没有任何记录带时间戳（共读取 {} 条记录）：计数覆盖全部记录，无法做随时间的比较",
            s.records_read
        );
        return (
            "partial",
            if loss.is_empty() {
                why
            } else {
                say!(lang, "{why}; {loss}", "{why}；{loss}")
            },
        );
    }
    if s.window_records == 0 && s.metric_samples == 0 {
        let why = match s.data {
            _ if s.records_read == 0 && s.metric_samples == 0 && s.data.is_none() => {
                say!(
                    lang,
                    "no log records or metric samples were read",
                    "没有读到任何日志记录或指标样本"
                )
            }
            Some((a, b)) => say!(
                lang,
                "no records in the window {} – {}; the data covers {} – {}",
                "窗口 {} – {} 内没有记录；数据覆盖 {} – {}",
                model_time(s.window.0),
                model_time(s.window.1),
                model_time(a),
                model_time(b)
            ),
            None => say!(lang, "no records in the window", "窗口内没有记录"),
        };
        return (
            "no_data",
            if loss.is_empty() {
                why
            } else {
                say!(lang, "{why}; {loss}", "{why}；{loss}")
            },
        );
    }
    if s.incident {
        return (
            "incident",
            if loss.is_empty() {
                String::new()
            } else {
                say!(
                    lang,
                    "part of the input was not analysed: {loss}",
                    "部分输入未被分析：{loss}"
                )
            },
        );
    }
    if !loss.is_empty() {
        return (
            "partial",
            say!(
                lang,
                "no anomaly in what was analysed, but part of the input was not: {loss}",
                "已分析的部分没有异常，但部分输入未被分析：{loss}"
            ),
        );
    }
    ("healthy", String::new())
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Symptoms (time-outs, pool exhaustion, downstream failures) point at the cause that
/// started no later than they did: the strongest non-symptom anomaly.
/// What the single pass's capped tables left out (nothing is dropped silently): values
/// past a dictionary's cap are counted without their name, records past the shape cap
/// are grouped by token count only.
fn capacity_notes(c: &Collected, lang: Lang) -> Vec<String> {
    use crate::collect::{MAX_DIMENSION_VALUES, MAX_ITEMS, MAX_VALUES_PER_FIELD};
    let mut notes = Vec::new();
    for (en, zh, d) in [
        ("hosts", "主机", &c.hosts),
        ("services", "服务", &c.services),
        ("modules", "模块", &c.modules),
        ("endpoints", "接口", &c.endpoints),
    ] {
        if d.dropped > 0 {
            notes.push(say!(
                lang,
                "more than {} distinct {}: {} later new values are counted without their name",
                "{1}超过 {0} 个不同取值：之后的 {2} 个新取值计入总数但不单独列出",
                MAX_DIMENSION_VALUES,
                match lang {
                    Lang::En => en,
                    Lang::Zh => zh,
                },
                d.dropped
            ));
        }
    }
    if c.records_past_item_caps > 0 {
        notes.push(say!(
            lang,
            "{} records carry field values past the caps ({} values per field, {} in all): those values are not used to explain spikes",
            "{} 条记录带有超出上限（每个字段 {} 个取值，总计 {} 个）的字段取值：这些取值未用于解释突增",
            c.records_past_item_caps,
            MAX_VALUES_PER_FIELD,
            MAX_ITEMS
        ));
    }
    if c.shapes.overflowed > 0 {
        notes.push(say!(
            lang,
            "more than {} distinct message shapes: {} records were grouped by token count only",
            "消息形态超过 {} 种：{} 条记录仅按词数归组",
            triage_mine::miner::ShapeTable::MAX_SHAPES,
            c.shapes.overflowed
        ));
    }
    notes
}

fn chain_symptoms(problems: &mut [ProblemDraft], bucket: i64) {
    let causes: Vec<(String, Option<i64>, f64)> = problems
        .iter()
        .filter(|p| p.anomalous() && !p.symptom)
        .map(|p| (p.id.clone(), p.onset, p.score))
        .collect();
    for p in problems.iter_mut().filter(|p| p.symptom) {
        let onset = p.onset.or(p.first_seen);
        let best = causes
            .iter()
            .filter(|(_, o, _)| match (o, onset) {
                (Some(o), Some(s)) => *o <= s + 2 * bucket,
                _ => true,
            })
            .max_by(|a, b| a.2.total_cmp(&b.2));
        if let Some((id, _, _)) = best {
            p.symptom_of = Some(id.clone());
        }
    }
}

fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| {
        c.is_whitespace()
            || matches!(
                c,
                ',' | ';' | '(' | ')' | '[' | ']' | '"' | '\'' | '=' | '<' | '>' | '{' | '}'
            )
    })
    .map(|w| {
        w.trim_matches(|c: char| !c.is_alphanumeric() && c != ':' && c != '/' && c != '_' && c != '-' && c != '.')
            .to_lowercase()
    })
    .filter(|w| w.len() >= 4 && !w.chars().all(|c| c.is_ascii_digit() || c == '.' || c == ':'))
}

fn anomaly_scopes(
    problems: &[ProblemDraft],
    spikes: &[SpikeDraft],
    templates: &Templates,
    agg: &Aggregates,
    verdicts: &[anomaly::TemplateVerdict],
) -> Vec<AnomalyScope> {
    // Words of templates that were there before and did not change are not evidence
    // that a change touched the anomaly ("connection", "request", "user").
    let common: std::collections::HashSet<String> = templates
        .templates
        .iter()
        .enumerate()
        .filter(|(i, _)| agg.templates[*i].baseline > 0 && !verdicts[*i].anomalous())
        .flat_map(|(_, t)| words(&t.text).collect::<Vec<_>>())
        .collect();
    let mut out = Vec::new();
    for p in problems.iter().filter(|p| p.anomalous()) {
        let Some(onset) = p.onset.or(p.first_seen) else {
            continue;
        };
        let mut places: Vec<String> = p
            .services
            .iter()
            .chain(&p.hosts)
            .chain(&p.modules)
            .map(|(n, _)| n.to_lowercase())
            .collect();
        places.dedup();
        let mut terms: Vec<String> = p
            .templates
            .iter()
            .flat_map(|&i| words(&templates.templates[i].text).collect::<Vec<_>>())
            .collect();
        for &i in &p.templates {
            terms.extend(words(&templates.templates[i].sample));
        }
        terms.retain(|t| !common.contains(t));
        terms.sort();
        terms.dedup();
        let new_templates = p
            .templates
            .iter()
            .filter(|_| p.verdict == Verdict::New)
            .filter_map(|&i| templates.templates[i].first_ts)
            .collect();
        // The first record in the series, not in the input: the same where logs come from
        // a store that reads only the series' span.
        let first_logged = (p.priority != "P3")
            .then(|| {
                p.templates
                    .iter()
                    .filter_map(|&i| agg.templates[i].first_in_series())
                    .min()
            })
            .flatten();
        out.push(AnomalyScope {
            id: p.id.clone(),
            onset,
            places,
            terms,
            new_templates,
            first_logged,
            weight: if p.symptom { 0.5 * p.score } else { p.score },
        });
    }
    for (k, s) in spikes.iter().enumerate() {
        let mut places = Vec::new();
        let mut terms = Vec::new();
        for e in &s.explained_by {
            if matches!(e.field.as_str(), "service" | "host") {
                places.push(e.value.to_lowercase());
            } else {
                terms.extend(words(&e.value));
            }
        }
        terms.retain(|t| !common.contains(t));
        terms.sort();
        terms.dedup();
        out.push(AnomalyScope {
            id: format!("S{}", k + 1),
            onset: s.from,
            places,
            terms,
            new_templates: Vec::new(),
            first_logged: None,
            weight: 0.8,
        });
    }
    out
}

fn endpoints_of(agg: &Aggregates, c: &Collected) -> Vec<Endpoint> {
    let mut v: Vec<Endpoint> = agg
        .endpoints
        .iter()
        .filter(|(_, e)| e.requests > 0)
        .filter_map(|(&id, e)| {
            Some(Endpoint {
                endpoint: c.endpoints.get(id)?.to_string(),
                requests: e.requests,
                errors: e.failures,
                success_rate: round4(1.0 - e.failures as f64 / e.requests as f64),
                p50_ms: e.latency.quantile(0.5).map(round1),
                p99_ms: e.latency.quantile(0.99).map(round1),
                max_ms: e.latency.max().map(round1),
                baseline_requests: e.baseline_requests,
                baseline_success_rate: (e.baseline_requests > 0)
                    .then(|| round4(1.0 - e.baseline_failures as f64 / e.baseline_requests as f64)),
            })
        })
        .collect();
    v.sort_by(|a, b| {
        b.errors
            .cmp(&a.errors)
            .then(b.requests.cmp(&a.requests))
            .then_with(|| a.endpoint.cmp(&b.endpoint))
    });
    v.truncate(50);
    v
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}
fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

fn availability(endpoints: &[Endpoint]) -> Option<f64> {
    let req: u64 = endpoints.iter().map(|e| e.requests).sum();
    let err: u64 = endpoints.iter().map(|e| e.errors).sum();
    (req > 0).then(|| round4(1.0 - err as f64 / req as f64))
}

fn availability_findings(endpoints: &[Endpoint], lang: Lang) -> Vec<Finding> {
    endpoints
        .iter()
        .filter(|e| {
            e.requests >= 5
                && e.success_rate < 0.95
                && e.baseline_success_rate.is_none_or(|b| b - e.success_rate > 0.02)
        })
        .take(5)
        .map(|e| Finding {
            kind: "low_availability".into(),
            severity: if e.success_rate < 0.8 { "critical" } else { "warning" }.into(),
            summary: say!(
                lang,
                "{}: success rate {:.2}% ({} of {} requests failed){}",
                "{0}：成功率 {1:.2}%（{3} 个请求中 {2} 个失败）{4}",
                e.endpoint,
                100.0 * e.success_rate,
                e.errors,
                e.requests,
                e.baseline_success_rate.map_or(String::new(), |b| say!(
                    lang,
                    ", baseline {:.2}%",
                    "，基线 {:.2}%",
                    100.0 * b
                ))
            ),
            evidence: vec![format!("p50 {} ms, p99 {} ms", fmt_opt(e.p50_ms), fmt_opt(e.p99_ms))],
        })
        .collect()
}

fn fmt_opt(v: Option<f64>) -> String {
    v.map_or("-".into(), |x| format!("{x}"))
}

fn resource_kind(resource: &str) -> Option<MetricKind> {
    match resource {
        "memory" => Some(MetricKind::Memory),
        "disk" => Some(MetricKind::Disk),
        "cpu" => Some(MetricKind::Cpu),
        _ => None,
    }
}

/// A resource's name in the report's language.
fn resource_word(res: &str, lang: Lang) -> &str {
    match (lang, res) {
        (Lang::Zh, "memory") => "内存",
        (Lang::Zh, "disk") => "磁盘",
        (Lang::Zh, "cpu") => "CPU",
        _ => res,
    }
}

/// A metric status (`anomalous`, `critical`) in the report's language.
fn status_word(status: &str, lang: Lang) -> &str {
    match (lang, status) {
        (Lang::Zh, "anomalous") => "异常",
        (Lang::Zh, "critical") => "严重",
        (Lang::Zh, "warning") => "警告",
        (Lang::Zh, "normal") => "正常",
        _ => status,
    }
}

/// How a log/metric mismatch finding about `res` begins (the root causes recognise it by that).
fn mismatch_lead(res: &str, lang: Lang) -> String {
    say!(
        lang,
        "Logs report {} exhaustion",
        "日志报告{}耗尽",
        resource_word(res, lang)
    )
}

/// Logs claim a resource is exhausted while the host metric is normal (the limit is in
/// the app or container), or a host metric is critical while no log mentions it.
fn log_metric_mismatches(problems: &[ProblemDraft], metrics: &[MetricSummary], lang: Lang) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut claimed: Vec<&str> = Vec::new();
    for p in problems.iter().filter(|p| p.errors() > 0) {
        let Some(res) = p.resource.as_deref() else { continue };
        let Some(kind) = resource_kind(res) else { continue };
        claimed.push(kind.as_str());
        let hosts: Vec<String> = p.hosts.iter().map(|(h, _)| h.to_lowercase()).collect();
        let relevant: Vec<&MetricSummary> = metrics.iter().filter(|m| m.kind == kind.as_str()).collect();
        let on_hosts: Vec<&MetricSummary> = relevant
            .iter()
            .copied()
            .filter(|m| hosts.iter().any(|h| h == &m.host.to_lowercase()))
            .collect();
        let chosen = if on_hosts.is_empty() { relevant } else { on_hosts };
        if chosen.is_empty() || chosen.iter().any(|m| m.status != "normal") {
            continue;
        }
        let values: Vec<String> = chosen
            .iter()
            .take(3)
            .map(|m| {
                say!(
                    lang,
                    "{} {} avg {:.2}, max {:.2}",
                    "{} {} 均值 {:.2}，最大 {:.2}",
                    m.host,
                    m.metric,
                    m.avg,
                    m.max
                )
            })
            .collect();
        out.push(Finding {
            kind: "log_metric_mismatch".into(),
            severity: "warning".into(),
            summary: say!(
                lang,
                "{} ({}× \"{}\") while host {5} metrics are normal ({}): the limit is inside the application or container ({})",
                "{0}（{1}× \"{2}\"），而主机{5}指标正常（{3}）：限制在应用或容器内部（{4}）",
                mismatch_lead(res, lang),
                p.count,
                p.title,
                values.join(say!(lang, "; ", "；").as_str()),
                match (lang, res) {
                    (Lang::En, "memory") => "heap/pool size, cgroup memory limit",
                    (Lang::En, "disk") => "a different partition, a quota, or the container's writable layer",
                    (Lang::En, _) => "an application-level limit",
                    (Lang::Zh, "memory") => "堆/连接池大小、cgroup 内存限制",
                    (Lang::Zh, "disk") => "另一个分区、配额或容器的可写层",
                    (Lang::Zh, _) => "应用层面的限制",
                },
                resource_word(res, lang)
            ),
            evidence: vec![
                say!(lang, "problem {}: {} records in the window", "问题 {}：窗口内 {} 条记录", p.id, p.count),
                values.join(say!(lang, "; ", "；").as_str()),
            ],
        });
    }
    for m in metrics
        .iter()
        .filter(|m| m.status == "critical" && matches!(m.kind.as_str(), "memory" | "disk"))
    {
        if claimed.contains(&m.kind.as_str()) {
            continue;
        }
        out.push(Finding {
            kind: "log_metric_mismatch".into(),
            severity: "warning".into(),
            summary: say!(
                lang,
                "{} {} is critical (avg {:.2}, max {:.2}) but no log record reports {} trouble",
                "{} {} 处于严重状态（均值 {:.2}，最大 {:.2}），但没有日志记录报告{}问题",
                m.host,
                m.metric,
                m.avg,
                m.max,
                resource_word(&m.kind, lang)
            ),
            evidence: vec![say!(lang, "{} samples in the window", "窗口内 {} 个样本", m.samples)],
        });
    }
    out
}

fn metric_findings(metrics: &[MetricSummary], lang: Lang) -> Vec<Finding> {
    metrics
        .iter()
        .filter(|m| m.status != "normal")
        .take(10)
        .map(|m| Finding {
            kind: "metric_anomaly".into(),
            severity: if m.status == "critical" { "critical" } else { "warning" }.into(),
            summary: say!(
                lang,
                "{} {}: avg {:.2}, max {:.2} in the window{} ({})",
                "{} {}：窗口内均值 {:.2}，最大 {:.2}{}（{}）",
                m.host,
                m.metric,
                m.avg,
                m.max,
                m.baseline_avg.map_or(String::new(), |b| say!(
                    lang,
                    ", baseline avg {b:.2}",
                    "，基线均值 {b:.2}"
                )),
                status_word(&m.status, lang)
            ),
            evidence: vec![say!(lang, "{} samples", "{} 个样本", m.samples)],
        })
        .collect()
}

fn groups(
    counts: &rustc_hash::FxHashMap<u32, crate::aggregate::GroupCounts>,
    dict: &crate::collect::Dictionary,
    per_template: &rustc_hash::FxHashMap<(u32, u32), u64>,
    problems: &[ProblemDraft],
) -> Vec<GroupCount> {
    let mut v: Vec<GroupCount> = counts
        .iter()
        .filter(|(_, g)| g.records > 0)
        .filter_map(|(&id, g)| {
            let mut main: Vec<(u64, &str)> = problems
                .iter()
                .filter(|p| p.errors() > 0 || p.anomalous())
                .map(|p| {
                    (
                        p.templates
                            .iter()
                            .map(|&t| per_template.get(&(t as u32, id)).copied().unwrap_or(0))
                            .sum::<u64>(),
                        p.id.as_str(),
                    )
                })
                .filter(|(n, _)| *n > 0)
                .collect();
            main.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
            Some(GroupCount {
                name: dict.get(id)?.to_string(),
                records: g.records,
                errors: g.errors,
                by_level: by_level(&g.levels),
                main_problems: main.into_iter().take(3).map(|(_, id)| id.to_string()).collect(),
            })
        })
        .collect();
    v.sort_by(|a, b| {
        b.errors
            .cmp(&a.errors)
            .then(b.records.cmp(&a.records))
            .then_with(|| a.name.cmp(&b.name))
    });
    v.truncate(100);
    v
}

fn to_model_spike(s: &SpikeDraft) -> Spike {
    Spike {
        kind: if s.errors_only { "errors" } else { "volume" }.into(),
        from: model_time(s.from),
        to: model_time(s.to),
        ratio: round3(s.ratio),
        count: s.count,
        expected: round3(s.expected),
        baseline_per_minute: round3(s.per_minute),
        overall_ratio: round3(s.overall_ratio()),
        attribution_from: model_time(s.attribution_from),
        attribution_records: s.attribution_records,
        explained_by: s
            .explained_by
            .iter()
            .map(|e| Explanation {
                lift: round3(e.lift),
                share: round4(e.share),
                field_share: round4(e.field_share),
                other_share: round4(e.other_share),
                ..e.clone()
            })
            .collect(),
    }
}

/// The service a problem's records wait on or fail to reach: a known service (one that
/// logs in this input) named in its template or samples other than the service logging
/// it, else the service of the problem it is a symptom of.
fn callee_of(p: &ProblemDraft, templates: &Templates, c: &Collected, cause_service: Option<&str>) -> Option<String> {
    let own = p.main_service().unwrap_or("");
    let texts: Vec<&str> = p
        .templates
        .iter()
        .flat_map(|&i| {
            [
                templates.templates[i].text.as_str(),
                templates.templates[i].sample.as_str(),
            ]
        })
        .collect();
    let named = (0..c.services.len() as u32)
        .filter_map(|id| c.services.get(id))
        .filter(|name| name.len() >= 3 && *name != own)
        .filter(|name| texts.iter().any(|t| contains_word(t, name)))
        .max_by_key(|name| name.len());
    named
        .map(str::to_string)
        .or_else(|| cause_service.filter(|s| *s != own).map(str::to_string))
}

/// `needle` in `hay` with no word character on either side.
fn contains_word(hay: &str, needle: &str) -> bool {
    let word = |c: char| c.is_alphanumeric() || c == '_' || c == '-';
    hay.match_indices(needle).any(|(i, _)| {
        !hay[..i].chars().next_back().is_some_and(word) && !hay[i + needle.len()..].chars().next().is_some_and(word)
    })
}

/// Item fields that name who sends the traffic (a client address, a remote host; a user
/// name is more often the target than the source): the `{source}` of advice such as "block the source".
fn is_source_field(field: &str) -> bool {
    let f = field.to_ascii_lowercase();
    let last = f.rsplit(['.', '_']).next().unwrap_or(&f);
    matches!(
        last,
        "ip" | "rhost" | "client" | "clientip" | "remote" | "src" | "source" | "addr"
    )
}

/// Key-like tokens (`promo:strategy:all`) from samples, for recommendations.
fn key_in(texts: &[String]) -> Option<String> {
    for t in texts {
        for w in t.split(|c: char| c.is_whitespace() || matches!(c, ',' | '\'' | '"' | '(' | ')' | '[' | ']' | '=')) {
            let w = w.trim_matches(|c: char| !c.is_alphanumeric());
            if w.matches(':').count() >= 1
                && w.len() >= 5
                && w.chars().next().is_some_and(|c| c.is_alphabetic())
                && !w.contains("://")
                && !w.chars().all(|c| c.is_ascii_digit() || c == ':')
            {
                return Some(w.to_string());
            }
        }
    }
    None
}

#[allow(clippy::too_many_arguments)]
fn to_model_problem(
    p: &ProblemDraft,
    templates: &Templates,
    agg: &Aggregates,
    c: &Collected,
    spikes: &[SpikeDraft],
    endpoints: &[Endpoint],
    scores: &[(usize, crate::blame::Blame)],
    all_changes: &[Change],
    mismatched: &[String],
    symptom_cause_service: Option<&str>,
    opts: &AnalyzeOptions,
) -> Problem {
    let model_templates: Vec<ProblemTemplate> = p
        .templates
        .iter()
        .take(10)
        .map(|&i| {
            let t = &templates.templates[i];
            ProblemTemplate {
                id: t.id.clone(),
                template: t.text.clone(),
                count: agg.templates[i].window,
                baseline_count: agg.templates[i].baseline,
                samples: samples_of(t, c),
            }
        })
        .collect();
    let samples: Vec<String> = model_templates.iter().flat_map(|t| t.samples.clone()).collect();
    let mut kinds: Vec<String> = Vec::new();
    let mut ctx: BTreeMap<&str, String> = BTreeMap::new();
    if let Some(s) = p.main_service() {
        ctx.insert("service", s.to_string());
    }
    for (i, b) in scores {
        if b.score >= BLAME_THRESHOLD && b.linked.contains(&p.id) {
            let ch = &all_changes[*i];
            kinds.push(match kind_class(&ch.kind) {
                ChangeClass::Deploy => "change:deploy".into(),
                ChangeClass::Config => "change:config".into(),
                _ => format!("change:{}", ch.kind),
            });
            ctx.insert(
                "change",
                format!("{} {} {}", ch.kind, ch.service, ch.version.clone().unwrap_or_default())
                    .trim()
                    .to_string(),
            );
        }
    }
    let in_spike = spikes.iter().find(|s| {
        s.explained_by
            .iter()
            .any(|e| e.field == "template" && p.templates.iter().any(|&i| templates.templates[i].text == e.value))
    });
    if let Some(s) = in_spike {
        // An error spike is failures, not extra load: only a volume spike asks "who
        // sends the load".
        if !s.errors_only {
            kinds.push("spike".into());
        }
        if let Some(e) = s.explained_by.iter().find(|e| e.field == "endpoint") {
            ctx.insert("endpoint", e.value.clone());
        }
        if let Some(e) = s
            .explained_by
            .iter()
            .find(|e| e.field.starts_with("query.") || e.field == "range_days" || e.field.ends_with(".year"))
        {
            ctx.insert("param", format!("{}={}", e.field, e.value));
        }
        if let Some(e) = s.explained_by.iter().find(|e| is_source_field(&e.field)) {
            ctx.insert("source", format!("{}={}", e.field, e.value));
        }
    }
    if !ctx.contains_key("endpoint") {
        // An endpoint whose path shares a word with the problem's templates.
        let text_words: Vec<String> = p
            .templates
            .iter()
            .flat_map(|&i| words(&templates.templates[i].text).collect::<Vec<_>>())
            .collect();
        let matching = endpoints.iter().find(|e| {
            e.endpoint
                .split(['/', ' ', '-', '_'])
                .map(str::to_lowercase)
                .filter(|w| w.len() >= 4)
                .any(|w| {
                    text_words
                        .iter()
                        .any(|t| t.starts_with(&w) || w.starts_with(t.as_str()))
                })
        });
        if let Some(e) = matching {
            ctx.insert("endpoint", e.endpoint.clone());
        }
    }
    if let Some(k) = key_in(&samples) {
        ctx.insert("key", k);
    }
    if let Some(callee) = callee_of(p, templates, c, symptom_cause_service) {
        ctx.insert("callee", callee);
    }
    if !ctx.contains_key("source") {
        if let Some(ps) = parameters_of(p, templates)
            .into_iter()
            .find(|ps| is_source_field(&ps.name) || ps.name.starts_with("<ip>"))
        {
            ctx.insert("source", ps.value);
        }
    }
    // The "limit inside the container" advice only when the host metric disagrees.
    if let Some(r) = &p.resource {
        if mismatched.iter().any(|m| m == r) {
            kinds.push(format!("log_metric_mismatch:{r}"));
        }
    }
    let kind_refs: Vec<&str> = kinds.iter().map(String::as_str).collect();
    let text = p
        .templates
        .iter()
        .map(|&i| templates.templates[i].text.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    let recommendations: Vec<String> = opts
        .rules
        .recommend(&[p.category.as_str()], &text, &kind_refs, &ctx, opts.lang)
        .into_iter()
        .map(|(_, t)| t)
        .take(5)
        .collect();
    let parameters = parameters_of(p, templates);
    Problem {
        id: p.id.clone(),
        title: p.title.clone(),
        priority: p.priority.to_string(),
        category: p.category.clone(),
        count: p.count,
        baseline_count: p.baseline_count,
        ratio: p.ratio.map(round3),
        new: p.verdict == Verdict::New,
        q_value: p.q_value,
        first_seen: p.first_seen.map(model_time).unwrap_or_default(),
        last_seen: p.last_seen.map(model_time).unwrap_or_default(),
        onset: p.onset.map(model_time),
        levels: by_level(&p.levels),
        levels_inferred: p.templates.iter().map(|&i| agg.templates[i].inferred).sum(),
        modules: p
            .modules
            .iter()
            .take(10)
            .map(|(n, c)| NameCount {
                name: n.clone(),
                count: *c,
            })
            .collect(),
        hosts: p
            .hosts
            .iter()
            .take(10)
            .map(|(n, c)| NameCount {
                name: n.clone(),
                count: *c,
            })
            .collect(),
        services: p
            .services
            .iter()
            .take(10)
            .map(|(n, c)| NameCount {
                name: n.clone(),
                count: *c,
            })
            .collect(),
        templates: model_templates,
        parameters,
        symptom_of: p.symptom_of.clone(),
        recommendations,
        score: round3(p.score),
    }
}

fn samples_of(t: &triage_mine::miner::Template, c: &Collected) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for &s in t.shapes.iter().take(8) {
        if let Some(r) = c.recent.get(s as usize) {
            for (_, text) in r.iter().rev() {
                let text = text.clone(); // masked once at the edge: redact::redact_report
                if !out.contains(&text) {
                    out.push(text);
                }
            }
        }
        if out.len() >= 3 {
            break;
        }
    }
    if out.is_empty() && !t.sample.is_empty() {
        out.push(crate::collect::sample_text(&t.sample));
    }
    out.truncate(3);
    out
}

/// The name a template gives the value at token `token`: the key of `key=<v>` or
/// `key: <v>`, else the placeholder with its position (`<num>#5`).
fn param_name(template: &str, slot: &triage_mine::miner::SlotStats) -> String {
    let tokens: Vec<&str> = template.split_whitespace().collect();
    let tok = tokens.get(slot.token as usize).copied().unwrap_or("");
    let key = match tok.split_once('=') {
        Some((k, _)) => Some(k),
        // `key: <v>` puts the key in the token before.
        None => (slot.token > 0)
            .then(|| tokens[slot.token as usize - 1])
            .and_then(|t| t.strip_suffix(':')),
    };
    match key.map(|k| k.trim_matches(|c: char| !c.is_alphanumeric() && c != '_' && c != '.')) {
        Some(k) if !k.is_empty() && k.chars().next().is_some_and(char::is_alphabetic) => k.to_string(),
        _ => format!("{}#{}", slot.kind.placeholder(), slot.token),
    }
}

/// `4.5 MB` (decimal units, as network and storage tools count).
fn human_bytes(b: f64) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let mut v = b;
    let mut u = 0;
    while v >= 1000.0 && u + 1 < UNITS.len() {
        v /= 1000.0;
        u += 1;
    }
    if u == 0 {
        format!("{v:.0} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

/// What a problem is about, in the words an engineer acts on: the key its message names
/// (a constant `a:b:c` token of its main template), the parameter values that dominate
/// it (≥ 80 % of its records), and, when the message logs a size (`bytes=`, `size=`),
/// the bytes per record and per second. Every figure says what it is computed over.
fn subject_of(p: &ProblemDraft, templates: &Templates, lang: Lang) -> String {
    let Some(&main) = p.templates.first() else {
        return String::new();
    };
    let t = &templates.templates[main];
    let mut parts: Vec<String> = Vec::new();
    let constant_text: String = t
        .text
        .split_whitespace()
        .filter(|w| !w.contains('<'))
        .collect::<Vec<_>>()
        .join(" ");
    if let Some(k) = key_in(&[constant_text]) {
        parts.push(say!(lang, "key {k}", "键 {k}"));
    }
    for slot in &t.params {
        let total = slot.stats.count();
        if total < 5 {
            continue;
        }
        let name = param_name(&t.text, slot);
        let sized = {
            let n = name.to_ascii_lowercase();
            n.contains("byte") || n.ends_with("size") || n == "len" || n == "length"
        };
        if sized {
            if let Some(num) = slot.stats.numeric.as_ref().filter(|n| n.count() >= 5) {
                let (Some(p50), sum) = (num.quantile(0.5), num.sum()) else {
                    continue;
                };
                let span = t.first_ts.zip(t.last_ts).map_or(0, |(a, b)| b - a);
                let rate = if span >= crate::frame::SECOND {
                    say!(
                        lang,
                        ", ≈ {}/s over the {} from its first to its last record",
                        "，从首条到末条记录的 {1} 内约 {0}/s",
                        human_bytes(sum / (span as f64 / crate::frame::SECOND as f64)),
                        crate::frame::human_duration(span)
                    )
                } else {
                    String::new()
                };
                parts.push(say!(
                    lang,
                    "{name} p50 {} per record, {} in its {} records{rate}",
                    "{name} 每条记录 p50 {0}，其 {2} 条记录共 {1}{rate}",
                    human_bytes(p50),
                    human_bytes(sum),
                    num.count()
                ));
                continue;
            }
        }
        if let Some(top) = slot.stats.top.top(1).first() {
            if top.count as f64 >= 0.8 * total as f64 && !top.value.is_empty() {
                // An unnamed value is shown alone (a `<*>#6` name helps nobody).
                let what = if name.contains('#') {
                    format!("\"{}\"", top.value)
                } else {
                    format!("{name}={}", top.value)
                };
                parts.push(say!(
                    lang,
                    "{what} in {} of its {total} records in the input",
                    "{what}，占输入中该模板 {total} 条记录中的 {} 条",
                    top.count
                ));
            }
        }
    }
    parts.truncate(3);
    parts.join(say!(lang, "; ", "；").as_str())
}

/// Dominant placeholder values of the problem's main template (over all its records).
fn parameters_of(p: &ProblemDraft, templates: &Templates) -> Vec<ParamShare> {
    let Some(&main) = p.templates.first() else {
        return Vec::new();
    };
    let t = &templates.templates[main];
    let mut out = Vec::new();
    for slot in &t.params {
        let total = slot.stats.count();
        if total < 5 {
            continue;
        }
        if let Some(top) = slot.stats.top.top(1).first() {
            let share = top.count as f64 / total as f64;
            if share >= 0.5 {
                out.push(ParamShare {
                    name: param_name(&t.text, slot),
                    value: top.value.clone(),
                    count: top.count,
                    share: round4(share),
                });
            }
        }
    }
    out.truncate(5);
    out
}

fn actions_of(problems: &[Problem], drafts: &[ProblemDraft]) -> Vec<Action> {
    let mut out: Vec<Action> = Vec::new();
    for (p, d) in problems.iter().zip(drafts) {
        if !(d.anomalous() || d.priority != "P3") {
            continue;
        }
        for r in &p.recommendations {
            match out.iter_mut().find(|a| &a.text == r) {
                Some(a) => {
                    if !a.problems.contains(&p.id) {
                        a.problems.push(p.id.clone());
                    }
                    if p.priority < a.priority {
                        a.priority = p.priority.clone();
                    }
                }
                None => out.push(Action {
                    priority: p.priority.clone(),
                    text: r.clone(),
                    problems: vec![p.id.clone()],
                }),
            }
        }
    }
    out.sort_by(|a, b| a.priority.cmp(&b.priority));
    out.truncate(20);
    out
}

#[allow(clippy::too_many_arguments)]
fn rank_causes(
    problems: &[ProblemDraft],
    spikes: &[SpikeDraft],
    changes: &[(usize, crate::blame::Blame)],
    all_changes: &[Change],
    metrics: &[MetricSummary],
    frame: &Frame,
    templates: &Templates,
    lang: Lang,
) -> Vec<RootCause> {
    let with_subject = |p: &ProblemDraft| {
        let subject = subject_of(p, templates, lang);
        if subject.is_empty() {
            String::new()
        } else {
            format!(" — {subject}")
        }
    };
    let mut causes: Vec<RootCause> = Vec::new();
    let mut covered: Vec<String> = Vec::new();
    let find = |id: &str| problems.iter().find(|p| p.id == id);
    // Changes first: a blamed change explains the problems linked to it.
    for (i, b) in changes.iter().filter(|(_, b)| b.score >= 0.3) {
        // Only a change likely to be the cause speaks for the anomalies linked to it.
        let covers = b.score >= BLAME_THRESHOLD;
        let ch = &all_changes[*i];
        let linked: Vec<&ProblemDraft> = b.linked.iter().filter_map(|id| find(id)).collect();
        let main = linked
            .iter()
            .filter(|p| !p.symptom)
            .max_by(|a, b| a.score.total_cmp(&b.score))
            .or(linked.first());
        let what = main.map_or(String::new(), |p| {
            say!(
                lang,
                "; followed by \"{}\" ×{}{} since {}{}",
                "；随后出现 \"{}\" ×{}{}，始于 {}{}",
                p.title,
                p.count,
                if p.verdict == Verdict::New {
                    say!(lang, " (new)", "（新）")
                } else {
                    p.ratio.map_or(String::new(), |r| {
                        say!(lang, " (×{r:.1} baseline)", "（基线的 ×{r:.1}）")
                    })
                },
                p.onset.or(p.first_seen).map(model_time).unwrap_or_default(),
                with_subject(p)
            )
        });
        let service = if ch.service.is_empty() {
            main.and_then(|p| p.main_service()).unwrap_or("").to_string()
        } else {
            ch.service.clone()
        };
        let mut evidence = vec![say!(
            lang,
            "change score {:.2}: {}",
            "变更得分 {:.2}：{}",
            b.score,
            b.reason
        )];
        for p in &linked {
            evidence.push(say!(
                lang,
                "{} {}: \"{}\" ×{} (baseline {}){}",
                "{} {}：\"{}\" ×{}（基线 {}）{}",
                p.id,
                p.priority,
                p.title,
                p.count,
                p.baseline_count,
                if !p.symptom {
                    ""
                } else if lang == Lang::Zh {
                    " — 症状"
                } else {
                    " — symptom"
                }
            ));
        }
        let spike_ids: Vec<&String> = b.linked.iter().filter(|id| id.starts_with('S')).collect();
        for id in &spike_ids {
            if let Some(s) = id[1..]
                .parse::<usize>()
                .ok()
                .and_then(|k| spikes.get(k.wrapping_sub(1)))
            {
                evidence.push(spike_evidence(s, lang));
            }
        }
        if covers {
            covered.extend(b.linked.iter().cloned());
        }
        causes.push(RootCause {
            rank: 0,
            score: round3(b.score),
            summary: say!(
                lang,
                "{}: {} {}at {} ({}){}",
                "{}：{} {}于 {}（{}）{}",
                service,
                ch.kind,
                ch.version.as_ref().map_or(String::new(), |v| format!("{v} ")),
                model_time(ch.time),
                ch.description,
                what
            ),
            evidence,
            kind: "change".into(),
            service: (!service.is_empty()).then_some(service),
            problems: b.linked.iter().filter(|id| id.starts_with("P-")).cloned().collect(),
        });
    }
    // Spikes not explained by a change. Bursts with the same top explanation are one
    // episode (an attacker pausing between rounds): one cause, each burst its evidence.
    let mut episode: Vec<((String, String), usize)> = Vec::new();
    for (k, s) in spikes.iter().enumerate() {
        let id = format!("S{}", k + 1);
        if covered.contains(&id) || s.explained_by.is_empty() {
            continue;
        }
        let top = &s.explained_by[0];
        let top_key = (top.field.clone(), top.value.clone());
        if let Some((_, at)) = episode.iter().find(|(key, _)| *key == top_key) {
            let cause: &mut RootCause = &mut causes[*at];
            cause.evidence.push(spike_evidence(s, lang));
            for e in s.explained_by.iter().filter(|e| e.field == "template") {
                if let Some(p) = problems.iter().find(|p| p.title == e.value) {
                    if !cause.problems.contains(&p.id) {
                        cause.problems.push(p.id.clone());
                    }
                }
            }
            continue;
        }
        episode.push((top_key, causes.len()));
        // "Driven by" only values that hold most of their field's records in the spike:
        // ids spread over many values (order numbers, SKUs) are new with a new template,
        // and listing them would name a driver where there is none.
        let requests: Vec<String> = s
            .explained_by
            .iter()
            .filter(|e| {
                !matches!(e.field.as_str(), "template" | "service" | "host")
                    && e.field_share >= 0.5
                    && !e.as_common_elsewhere(s.attribution_records)
            })
            .take(3)
            .map(|e| {
                say!(
                    lang,
                    "{}={} ({} records, {} in baseline)",
                    "{}={}（{} 条记录，基线 {} 条）",
                    e.field,
                    e.value,
                    e.count,
                    e.baseline_count
                )
            })
            .collect();
        // The problem holding the spike's largest template: its service labels the
        // spike (a service item can be the callers' side of it) and its subject says
        // what the excess is about.
        // The spike's templates with the problem holding each, in the spike's order.
        let in_problems: Vec<(&ProblemDraft, u64)> = s
            .explained_by
            .iter()
            .filter(|e| e.field == "template")
            .filter_map(|e| {
                problems
                    .iter()
                    .find(|p| p.templates.iter().any(|&i| templates.templates[i].text == e.value))
                    .map(|p| (p, e.count))
            })
            .collect();
        let top_entry = in_problems.first().copied();
        // Most of the spike, or only its largest part.
        let dominant = top_entry.is_some_and(|(_, in_spike)| in_spike * 2 >= s.attribution_records);
        // Labelled by the service whose templates hold at least half of the spike (the
        // callee's slow reads and fallbacks outweigh its callers' time-outs), else by
        // none: three services failing together in equal thirds are not one of them.
        let mut by_service: Vec<(&str, u64)> = Vec::new();
        for (name, n) in in_problems
            .iter()
            .filter_map(|(p, n)| p.main_service().map(|s| (s, *n)))
        {
            match by_service.iter_mut().find(|(known, _)| *known == name) {
                Some(entry) => entry.1 += n,
                None => by_service.push((name, n)),
            }
        }
        let service = by_service
            .iter()
            .max_by_key(|(_, n)| *n)
            .filter(|(_, n)| n * 2 >= s.attribution_records)
            .map(|(name, _)| name.to_string())
            .or_else(|| {
                s.explained_by
                    .iter()
                    .find(|e| e.field == "service" && e.field_share >= 0.5)
                    .map(|e| e.value.clone())
            });
        // Counted in the spike: an error spike inside a template that also holds the
        // successes (`GET <path> HTTP/1.1 <num>`, 502s among 200s) is a few of its
        // records, and what the template's parameters say over all of its records (the
        // subject) is then about the successes, so it is left out.
        let subject = top_entry.map_or(String::new(), |(p, in_spike)| {
            let sub = if in_spike * 2 >= p.count {
                subject_of(p, templates, lang)
            } else {
                String::new()
            };
            let (en, zh) = if dominant {
                ("mostly", "主要是")
            } else {
                ("its largest part", "其中最多的是")
            };
            say!(
                lang,
                " — {en} \"{}\" ({} of the spike's {} records){}",
                " — {zh} \"{0}\"（本次激增 {2} 条记录中的 {1} 条）{3}",
                p.title,
                in_spike,
                s.attribution_records,
                if sub.is_empty() {
                    String::new()
                } else {
                    say!(lang, ": {sub}", "：{sub}")
                }
            )
        });
        let linked: Vec<String> = problems
            .iter()
            .filter(|p| {
                s.explained_by
                    .iter()
                    .any(|e| e.field == "template" && (p.title == e.value))
            })
            .map(|p| p.id.clone())
            .collect();
        covered.extend(linked.iter().cloned());
        let score = if s.ratio >= 3.0 {
            0.45 + 0.45
                * top
                    .share
                    .max(s.explained_by.iter().map(|e| e.share).fold(0.0, f64::max))
        } else {
            0.35
        };
        let lead = service.clone().map_or(String::new(), |s| say!(lang, "{s}: ", "{s}："));
        let rate = spike_rate_name(s, lang);
        causes.push(RootCause {
            rank: 0,
            score: round3(score.min(0.92)),
            summary: say!(
                lang,
                "{lead}{} volume ×{:.1} {rate} from {} ({} records vs {:.1} expected): {}={} explains {:.0}% of the excess{}",
                "{lead}自 {2} 起{0}量为{rate}的 ×{1:.1}（{3} 条记录，预期 {4:.1} 条）：{5}={6} 解释了超出部分的 {7:.0}%{8}",
                match (lang, s.errors_only) {
                    (Lang::En, true) => "error",
                    (Lang::En, false) => "log",
                    (Lang::Zh, true) => "错误",
                    (Lang::Zh, false) => "日志",
                },
                s.overall_ratio(),
                model_time(s.from),
                s.count,
                s.expected,
                top.field,
                top.value,
                100.0 * top.share,
                if requests.is_empty() {
                    String::new()
                } else {
                    say!(lang, "; driven by {}", "；主要来自 {}", requests.join(say!(lang, ", ", "，").as_str()))
                },
            ) + &subject,
            evidence: vec![spike_evidence(s, lang)],
            kind: "spike".into(),
            service,
            problems: linked,
        });
    }
    // Anomalous problems not covered: causes first, symptoms at half weight.
    for p in problems.iter().filter(|p| p.anomalous() && !covered.contains(&p.id)) {
        let symptom_penalty = if p.symptom && p.symptom_of.is_some() {
            0.5
        } else if p.symptom {
            0.8
        } else {
            1.0
        };
        let score = p.score * symptom_penalty * if p.priority == "P3" { 0.6 } else { 1.0 };
        let mut evidence = vec![say!(
            lang,
            "{} records in the window, {} in the baseline{}; levels {}",
            "窗口内 {} 条记录，基线 {} 条{}；级别 {}",
            p.count,
            p.baseline_count,
            p.q_value.map_or(String::new(), |q| format!(", q = {q:.2e}")),
            by_level(&p.levels)
                .iter()
                .map(|(l, n)| format!("{l} {n}"))
                .collect::<Vec<_>>()
                .join(", ")
        )];
        if let Some(cause) = &p.symptom_of {
            evidence.push(say!(
                lang,
                "symptom of {cause}, which started no later",
                "是 {cause} 的症状，后者开始得不晚于它"
            ));
        }
        if !p.hosts.is_empty() {
            evidence.push(say!(
                lang,
                "hosts: {}",
                "主机：{}",
                p.hosts
                    .iter()
                    .take(5)
                    .map(|(h, n)| format!("{h} ({n})"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        let service = p.main_service().map(str::to_string);
        causes.push(RootCause {
            rank: 0,
            score: round3(score),
            summary: say!(
                lang,
                "{}{}: \"{}\" ×{}{} since {}{}",
                "{}{}：\"{}\" ×{}{}，始于 {}{}",
                service.clone().map_or(String::new(), |s| say!(lang, "{s}: ", "{s}：")),
                p.category,
                p.title,
                p.count,
                if p.verdict == Verdict::New {
                    say!(lang, " (new)", "（新）")
                } else {
                    p.ratio.map_or(String::new(), |r| {
                        say!(lang, " (×{r:.1} baseline)", "（基线的 ×{r:.1}）")
                    })
                },
                p.onset.or(p.first_seen).map(model_time).unwrap_or_default(),
                with_subject(p)
            ),
            evidence,
            kind: "problem".into(),
            service,
            problems: vec![p.id.clone()],
        });
    }
    // Host metrics far off their baseline. A reading past its threshold that the
    // baseline had too (a success rate of 0 all day) is chronic, not this incident.
    let chronic = |m: &MetricSummary| {
        m.baseline_avg
            .is_some_and(|b| (m.avg - b).abs() <= 0.05 * b.abs().max(m.avg.abs()))
    };
    for m in metrics
        .iter()
        .filter(|m| m.status == "anomalous" || m.status == "critical" && !chronic(m))
    {
        causes.push(RootCause {
            rank: 0,
            score: round3(if m.status == "critical" { 0.45 } else { 0.35 }),
            summary: say!(
                lang,
                "{}: {} avg {:.2} (max {:.2}){} in the window",
                "{}：窗口内 {} 均值 {:.2}（最大 {:.2}）{}",
                m.host,
                m.metric,
                m.avg,
                m.max,
                m.baseline_avg
                    .map_or(String::new(), |b| say!(lang, " vs baseline {b:.2}", "，基线 {b:.2}"))
            ),
            evidence: vec![say!(
                lang,
                "{} ({} samples, window {} – {})",
                "{}（{} 个样本，窗口 {} – {}）",
                status_word(&m.status, lang),
                m.samples,
                model_time(frame.window.0),
                model_time(frame.window.1)
            )],
            kind: "metric".into(),
            service: Some(m.host.clone()),
            problems: Vec::new(),
        });
    }
    causes.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.summary.cmp(&b.summary)));
    causes.truncate(10);
    for (i, c) in causes.iter_mut().enumerate() {
        c.rank = i + 1;
    }
    causes
}

/// Folds the per-service ranking into the root causes: a service entry absorbs the
/// problem and metric entries about the same service (their evidence is its evidence),
/// never outranks a likely-cause change, and competes with spikes by score.
fn merge_service_causes(causes: &mut Vec<RootCause>, ranking: crate::services::ServiceRanking, incident: bool) {
    // A change linked to the anomalies it preceded keeps its place above the services
    // whose symptoms it may explain (a deploy whose effect waited for the morning peak
    // scores lower on lag alone); only evidence against it (no link) lets them pass.
    let change_cap = causes
        .iter()
        .filter(|c| c.kind == "change" && (c.score >= BLAME_THRESHOLD || !c.problems.is_empty()))
        .map(|c| c.score)
        .fold(f64::INFINITY, f64::min);
    // Problem and metric entries about a service that the ranking weighed (even one it
    // found no fault in) are its evidence, not causes of their own.
    let is_ranked = |c: &RootCause| {
        c.service
            .as_deref()
            .is_some_and(|s| ranking.services.iter().any(|n| n == s))
    };
    causes.retain(|c| {
        !(matches!(c.kind.as_str(), "problem" | "metric")
            && is_ranked(c)
            && !ranking.causes.iter().any(|s| s.service == c.service))
    });
    for mut s in ranking.causes {
        let name = s.service.clone().unwrap_or_default();
        causes.retain(|c| {
            let absorbed =
                matches!(c.kind.as_str(), "problem" | "metric") && c.service.as_deref() == Some(name.as_str());
            if absorbed {
                for id in &c.problems {
                    if !s.problems.contains(id) {
                        s.problems.push(id.clone());
                    }
                }
            }
            !absorbed
        });
        if change_cap.is_finite() && s.score >= change_cap {
            s.score = round3(change_cap - 0.001);
        }
        if !incident {
            s.score = s.score.min(0.5);
        }
        causes.push(s);
    }
    causes.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.summary.cmp(&b.summary)));
    causes.truncate(10);
    for (i, c) in causes.iter_mut().enumerate() {
        c.rank = i + 1;
    }
}

fn spike_evidence(s: &SpikeDraft, lang: Lang) -> String {
    let what = match (lang, s.errors_only) {
        (Lang::En, true) => "WARN+ records",
        (Lang::En, false) => "records",
        (Lang::Zh, true) => "条 WARN+ 记录",
        (Lang::Zh, false) => "条记录",
    };
    say!(
        lang,
        "{} spike {} – {}: {} {what} vs {:.1} expected at {} of {:.2}/min (×{:.1} overall, peak bucket ×{:.1}); of the {} {what} from {} (lead-in included), top: {}",
        "{0}突增 {1} – {2}：{3} {what}，按{5} {6:.2}/分钟预期 {4:.1} 条（整体 ×{7:.1}，峰值桶 ×{8:.1}）；自 {10} 起（含前导段）的 {9} {what}中，居前的是：{11}",
        match (lang, s.errors_only) {
            (Lang::En, true) => "error",
            (Lang::En, false) => "volume",
            (Lang::Zh, true) => "错误",
            (Lang::Zh, false) => "日志量",
        },
        model_time(s.from),
        model_time(s.to),
        s.count,
        s.expected,
        spike_rate_name(s, lang),
        s.per_minute,
        s.overall_ratio(),
        s.ratio,
        s.attribution_records,
        model_time(s.attribution_from),
        s.explained_by
            .iter()
            .take(4)
            .map(|e| say!(lang, "{}={} ({} records, {:.0}% of the excess, lift {:.1})", "{}={}（{} 条记录，占超出部分的 {:.0}%，提升度 {:.1}）", e.field, e.value, e.count, 100.0 * e.share, e.lift))
            .collect::<Vec<_>>()
            .join(say!(lang, "; ", "；").as_str())
    )
}

fn timeline(
    problems: &[ProblemDraft],
    spikes: &[SpikeDraft],
    changes: &[Change],
    frame: &Frame,
    lang: Lang,
) -> Vec<TimelineEntry> {
    let mut t: Vec<(i64, TimelineEntry)> = Vec::new();
    let mut push = |ts: i64, kind: &str, text: String| {
        if frame.in_window(ts) {
            t.push((
                ts,
                TimelineEntry {
                    time: model_time(ts),
                    kind: kind.into(),
                    text,
                },
            ));
        }
    };
    for ch in changes {
        push(
            ch.time,
            "change",
            format!(
                "{} {} {}: {}",
                ch.kind,
                ch.service,
                ch.version.clone().unwrap_or_default(),
                ch.description
            ),
        );
    }
    for p in problems.iter().filter(|p| p.anomalous() || p.priority != "P3").take(20) {
        if let Some(f) = p.first_seen {
            push(
                f,
                "first_seen",
                say!(
                    lang,
                    "{} {} first seen in the window: \"{}\" ({} records)",
                    "{} {} 在窗口内首次出现：\"{}\"（{} 条记录）",
                    p.priority,
                    p.id,
                    p.title,
                    p.count
                ),
            );
        }
        if let (Some(o), Some(f)) = (p.onset, p.first_seen) {
            if o > f {
                push(
                    o,
                    "onset",
                    say!(
                        lang,
                        "{} rate steps up: \"{}\"",
                        "{} 速率阶跃上升：\"{}\"",
                        p.id,
                        p.title
                    ),
                );
            }
        }
    }
    for s in spikes {
        push(
            s.from,
            "spike",
            say!(
                lang,
                "{} spike starts: ×{:.1} {}",
                "{}突增开始：{2}的 ×{1:.1}",
                match (lang, s.errors_only) {
                    (Lang::En, true) => "error",
                    (Lang::En, false) => "volume",
                    (Lang::Zh, true) => "错误",
                    (Lang::Zh, false) => "日志量",
                },
                s.ratio,
                spike_rate_name(s, lang)
            ),
        );
    }
    t.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.kind.cmp(&b.1.kind)));
    t.truncate(40);
    t.into_iter().map(|(_, e)| e).collect()
}

/// The part of the window the data covers (whole seconds), when the window's buckets are
/// too coarse for it: it spans less than a third of the window.
fn data_part(frame: &Frame, data_start: Option<i64>, data_end: Option<i64>) -> Option<(i64, i64)> {
    use crate::frame::SECOND;
    let (first, last) = (data_start?, data_end?);
    let first = (first - first.rem_euclid(SECOND)).max(frame.window.0);
    let end = (last - last.rem_euclid(SECOND))
        .saturating_add(SECOND)
        .min(frame.window.1);
    (first < end && (end - first) * 3 < frame.window_len()).then_some((first, end))
}

/// What the data before the window allows, for the sentences that say so.
#[derive(Debug, Clone, Copy)]
struct History {
    /// Records older than the window (none of them in the baseline spans when the
    /// baseline is empty).
    earlier: u64,
    /// Enough of them to tell which error templates are new ([`anomaly::earlier_history`]).
    novelty_tested: bool,
    /// What the window was tested for inside it (see `window_onset`).
    within: WithinTest,
}

/// Which rates a window with no baseline was tested for a step: it needs enough buckets
/// with data (6: three before a step and three after).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WithinTest {
    /// The error rate and the record rate.
    Both,
    /// The error rate only, on a series over the part of the window with data.
    ErrorsOnly,
    /// Too few buckets with data.
    None,
}

fn active_in_window(agg: &Aggregates, frame: &Frame) -> usize {
    let first = frame.window_first_bucket().min(agg.active_buckets.len());
    agg.active_buckets[first..].iter().filter(|&&a| a).count()
}

impl History {
    fn of(agg: &Aggregates, frame: &Frame, within: Option<WithinTest>) -> History {
        History {
            earlier: agg.records_before_window,
            novelty_tested: anomaly::earlier_history(agg),
            within: within.unwrap_or(if active_in_window(agg, frame) >= 6 {
                WithinTest::Both
            } else {
                WithinTest::None
            }),
        }
    }
}

/// The note for a window whose baseline spans hold no records: with no data at all
/// before the window nothing is comparable; with older data only, it still tells which
/// error templates are new (see [`anomaly::earlier_history`]).
fn history_note(agg: &Aggregates, frame: &Frame, lang: Lang) -> String {
    let spans = frame
        .baselines
        .iter()
        .map(|b| format!("{} – {}", model_time(b.0), model_time(b.1)))
        .collect::<Vec<_>>()
        .join("; ");
    let last = agg.last_before_window.map(model_time).unwrap_or_default();
    if agg.records_before_window == 0 {
        say!(
            lang,
            "no data before the window: novelty and ratios are not available",
            "窗口之前没有数据：无法判断是否新出现，也无法计算倍数"
        )
    } else if anomaly::earlier_history(agg) {
        say!(
            lang,
            "no data in the baseline ({}): ratios are not available; an error template is called new when none of the {} earlier records (the last at {}) has it",
            "基线时段（{}）内没有数据：无法计算倍数；之前的 {} 条记录（最后一条在 {}）中都没有出现过的错误模板判为新出现",
            spans,
            agg.records_before_window,
            last
        )
    } else {
        say!(
            lang,
            "no data in the baseline ({}), and only {} earlier records (the last at {}), fewer than the window's {}: novelty and ratios are not available",
            "基线时段（{}）内没有数据，之前只有 {} 条记录（最后一条在 {}），少于窗口内的 {} 条：无法判断是否新出现，也无法计算倍数",
            spans,
            agg.records_before_window,
            last,
            agg.window_records
        )
    }
}

/// What a spike's ratio is relative to: a silent baseline gives no rate, so the floor is
/// said as such, not as the baseline's (see [`crate::spikes::SpikeDraft::rate_floored`]).
fn spike_rate_name(s: &SpikeDraft, lang: Lang) -> &'static str {
    match (lang, s.rate_floored) {
        (Lang::En, false) => "the baseline rate",
        (Lang::En, true) => "the floor rate (half a record per bucket; the baseline had fewer)",
        (Lang::Zh, false) => "基线速率",
        (Lang::Zh, true) => "下限速率（每个时间桶半条；基线记录更少）",
    }
}

fn conclusion(report: &Report, problems: &[ProblemDraft], history: History, lang: Lang) -> String {
    if report.status == "no_data" {
        return say!(
            lang,
            "Nothing to analyse: {}.",
            "没有可分析的数据：{}。",
            report.status_reason
        );
    }
    if report.status == "partial" {
        let errors = problems.iter().filter(|p| p.errors() > 0).count();
        return say!(
            lang,
            "No anomaly found in what could be analysed ({} records, {} at WARN or above{}), but the result is partial: {}.",
            "已分析的部分未发现异常（{} 条记录，{} 条为 WARN 及以上{}），但结果不完整：{}。",
            report.totals.records,
            report.totals.errors,
            if errors > 0 {
                say!(lang, ", {errors} error problem(s) listed below", "，下文列出 {errors} 个错误类问题")
            } else {
                String::new()
            },
            report.status_reason
        );
    }
    if report.status == "healthy" {
        let chronic = problems.iter().filter(|p| p.errors() > 0).count();
        if report.totals.baseline_records == 0 {
            let listed = if chronic > 0 {
                say!(
                    lang,
                    "; {chronic} error problem(s) listed below",
                    "；下文列出 {chronic} 个错误类问题"
                )
            } else {
                String::new()
            };
            // Each clause only where it was tested: a step inside the window needs enough
            // buckets with data, novelty needs earlier records.
            // Only the clause at the head of the sentence, so written capitalised.
            let within = match history.within {
                WithinTest::Both => say!(lang, "No change inside the window", "窗口内没有变化"),
                WithinTest::ErrorsOnly => say!(
                    lang,
                    "No change in the error rate inside the window",
                    "窗口内错误速率没有变化"
                ),
                WithinTest::None => say!(
                    lang,
                    "The window's records span too little time to test it for a change",
                    "窗口内记录覆盖的时间太短，无法检验其中的变化"
                ),
            };
            let before = if history.earlier == 0 {
                say!(lang, "no data before it to compare with", "窗口之前也没有可比较的数据")
            } else if !history.novelty_tested {
                say!(
                    lang,
                    "no data in its baseline to compare with (only {} earlier records)",
                    "其基线时段内没有可比较的数据（之前只有 {} 条记录）",
                    history.earlier
                )
            } else {
                say!(
                    lang,
                    "no data in its baseline to compare rates with, and no error template new against the {} earlier records",
                    "其基线时段内没有可比较速率的数据，与之前的 {} 条记录相比也没有新出现的错误模板",
                    history.earlier
                )
            };
            let steady = if history.within == WithinTest::Both {
                say!(lang, ", at a steady rate throughout", "，速率全程平稳")
            } else {
                String::new()
            };
            return say!(
                lang,
                "{within}; {before}: {} records, {} at WARN or above{steady}{listed}.",
                "{within}；{before}：{} 条记录，{} 条为 WARN 及以上{steady}{listed}。",
                report.totals.records,
                report.totals.errors
            );
        }
        return say!(
            lang,
            "No anomaly in the window: {} records, {} at WARN or above, no spike and no template above its baseline rate{}.",
            "窗口内无异常：{} 条记录，{} 条为 WARN 及以上，没有突增，也没有模板高于其基线速率{}。",
            report.totals.records,
            report.totals.errors,
            if chronic > 0 {
                say!(
                    lang,
                    "; {chronic} chronic error problem(s) continue at their usual rate",
                    "；{chronic} 个长期存在的错误类问题保持其通常速率"
                )
            } else {
                String::new()
            }
        );
    }
    let mut s = say!(
        lang,
        "{} records in the window, {} at WARN or above",
        "窗口内 {} 条记录，{} 条为 WARN 及以上",
        report.totals.records,
        report.totals.errors
    );
    let p1 = report.problems.iter().filter(|p| p.priority == "P1").count();
    if p1 > 0 {
        s.push_str(&say!(lang, "; {p1} P1 problem(s)", "；{p1} 个 P1 问题"));
    }
    if let Some(r) = report.root_causes.first() {
        s.push_str(&say!(
            lang,
            ". Most likely cause (score {:.2}): {}",
            "。最可能的原因（得分 {:.2}）：{}",
            r.score,
            r.summary
        ));
    }
    if report.input.changes > 0 && !report.changes.iter().any(|c| c.score >= BLAME_THRESHOLD) {
        let best = report.changes.iter().map(|c| c.score).fold(0.0, f64::max);
        s.push_str(&say!(
            lang,
            ". No change explains this: none of the {} change(s) scores {BLAME_THRESHOLD} or more (best {best:.2})",
            "。没有变更能解释此次异常：{} 个变更的得分均未达到 {BLAME_THRESHOLD}（最高 {best:.2}）",
            report.input.changes
        ));
    }
    s.push_str(&say!(lang, ".", "。"));
    s
}
