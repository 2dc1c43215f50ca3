//! The HTTP side: one [`Client`] per server, `GET /api/v1/query_range` per query and
//! span, and [`Client::fetch`], which asks every query over the window and the baseline
//! spans and turns the answers into named series per host plus one-line notes.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::hosts::{host_of, HostMap};
use crate::query::{Plan, Query};
use crate::response::{parse_response, Answer};
use crate::{one_line, PromError};

/// Answers above this size are refused (a user query over thousands of series).
const MAX_BODY: u64 = 256 << 20;
/// Queries are quoted in notes up to this many characters.
const QUOTE: usize = 160;
const SECOND: i64 = 1_000_000_000;

type Labels = BTreeMap<String, String>;
type Points = Vec<(i64, f64)>;

/// A Prometheus server at `http://HOST:PORT[/prefix]`.
pub struct Client {
    /// The URL requests go to (with its credentials, if any).
    target: String,
    /// The URL as every message shows it: without credentials.
    base: String,
    agent: ureq::Agent,
    timeout: Duration,
}

/// One series for the caller: the host it belongs to, the query's name, and the metric
/// name shown (the query's name, plus the labels that tell apart several series of one
/// host: `http_errors{code="500"}`).
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub host: String,
    pub query: String,
    pub metric: String,
    /// Sorted by time, finite values, nanoseconds since the epoch.
    pub points: Vec<(i64, f64)>,
}

/// What [`Client::fetch`] brought back.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Fetched {
    pub series: Vec<Series>,
    /// One line per problem, each naming the server and the query.
    pub notes: Vec<String>,
    /// Points kept.
    pub points: u64,
    /// Points skipped (`NaN`, `±Inf`, unreadable).
    pub skipped: u64,
    /// The plan used (step and rate range).
    pub plan: Option<Plan>,
}

impl Client {
    /// Checks the URL (plain `http://` only) and prepares an agent whose every request
    /// (connect, send, answer) ends within `timeout`.
    pub fn new(url: &str, timeout: Duration) -> Result<Client, PromError> {
        let target = url.trim().trim_end_matches('/').to_string();
        let shown = triage_text::display_url(&target).into_owned();
        let base = target.as_str();
        let lower = base.to_ascii_lowercase();
        if lower.starts_with("https://") {
            return Err(PromError::TlsNotBuilt { url: shown });
        }
        let Some(rest) = lower.strip_prefix("http://") else {
            return Err(PromError::BadUrl { url: shown });
        };
        let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
        if authority.is_empty() || rest.contains(['?', '#']) {
            return Err(PromError::BadUrl { url: shown });
        }
        let timeout = timeout.max(Duration::from_millis(100));
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(timeout))
            .timeout_connect(Some(timeout))
            .user_agent(concat!("triage/", env!("CARGO_PKG_VERSION")))
            .build();
        Ok(Client {
            target,
            base: shown,
            agent: config.into(),
            timeout,
        })
    }

    /// The URL as given, without a trailing `/` and without credentials (`user:pw@`):
    /// what messages and reports may show.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// One `query_range` call: `start` and `end` in seconds since the epoch, `step` in
    /// seconds.
    pub fn query_range(&self, promql: &str, start: i64, end: i64, step: u64) -> Result<Answer, PromError> {
        let endpoint = format!("{}/api/v1/query_range", self.target);
        let result = self
            .agent
            .get(&endpoint)
            .query("query", promql)
            .query("start", start.to_string())
            .query("end", end.to_string())
            .query("step", step.to_string())
            .call();
        let mut resp = result.map_err(|e| self.transport_error(e))?;
        let status = resp.status().as_u16();
        let body = resp
            .body_mut()
            .with_config()
            .limit(MAX_BODY)
            .read_to_vec()
            .map_err(|e| self.transport_error(e))?;
        parse_response(&self.base, status, &body)
    }

    fn transport_error(&self, e: ureq::Error) -> PromError {
        let url = self.base.clone();
        let secs = (self.timeout.as_secs_f64() * 1000.0).round() / 1000.0;
        match e {
            ureq::Error::Timeout(_) => PromError::Timeout { url, secs },
            ureq::Error::Io(io) => match io.kind() {
                std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => PromError::Timeout { url, secs },
                std::io::ErrorKind::ConnectionRefused => PromError::Connect {
                    url,
                    reason: "connection refused".into(),
                },
                _ => PromError::Transport {
                    url,
                    reason: triage_text::redact(&io.to_string()).into_owned(),
                },
            },
            ureq::Error::HostNotFound => PromError::Connect {
                url,
                reason: "host not found".into(),
            },
            ureq::Error::ConnectionFailed => PromError::Connect {
                url,
                reason: "connection failed".into(),
            },
            ureq::Error::BodyExceedsLimit(n) => PromError::Transport {
                url,
                reason: format!("answer larger than {} MiB: narrow the query", n >> 20),
            },
            ureq::Error::TlsRequired | ureq::Error::RequireHttpsOnly(_) => PromError::TlsNotBuilt { url },
            other => PromError::Transport {
                url,
                reason: triage_text::redact(&other.to_string()).into_owned(),
            },
        }
    }

    /// Asks every query over every span (`[from, to)` in ns; the window first, then the
    /// baselines). The step comes from the first span ([`Plan::for_window`]), coarser
    /// for spans that would exceed 11,000 points. A server that cannot be reached stops
    /// the remaining queries; a failing or empty query is noted and the others go on.
    pub fn fetch(&self, queries: &[Query], spans: &[(i64, i64)], hosts: &HostMap) -> Fetched {
        fetch_with(&self.base, queries, spans, hosts, |promql, start, end, step| {
            self.query_range(promql, start, end, step)
        })
    }
}

/// [`Client::fetch`] with the transport given (tests answer from literals).
pub fn fetch_with(
    base: &str,
    queries: &[Query],
    spans: &[(i64, i64)],
    hosts: &HostMap,
    mut ask: impl FnMut(&str, i64, i64, u64) -> Result<Answer, PromError>,
) -> Fetched {
    let mut out = Fetched::default();
    let Some(window) = spans.first() else { return out };
    let plan = Plan::for_window(((window.1 - window.0).max(0) as u64).div_ceil(SECOND as u64));
    out.plan = Some(plan);
    let mut empty_builtins: Vec<&str> = Vec::new();
    // Prometheus's warnings, each with the queries that drew it.
    let mut warnings: Vec<(String, Vec<&str>)> = Vec::new();
    'queries: for (qi, q) in queries.iter().enumerate() {
        let text = q.text(&plan);
        let quoted = if q.builtin {
            format!("query {}", q.name)
        } else {
            format!("query {}: {}", q.name, one_line(&text, QUOTE))
        };
        let mut merged: BTreeMap<Labels, Points> = BTreeMap::new();
        for &(from, to) in spans {
            if to <= from {
                continue;
            }
            let step = plan.step_for(((to - from) as u64).div_ceil(SECOND as u64));
            // Evaluation times on whole multiples of the step, inside [from, to).
            let start = from.div_euclid(SECOND).div_ceil_i64(step as i64) * step as i64;
            let end = (to - 1).div_euclid(SECOND).div_euclid(step as i64) * step as i64;
            if start > end {
                continue;
            }
            match ask(&text, start, end, step) {
                Ok(answer) => {
                    out.skipped += answer.skipped;
                    for w in answer.warnings {
                        let w = one_line(&w, 200);
                        match warnings.iter_mut().find(|(t, _)| *t == w) {
                            Some((_, names)) if !names.contains(&q.name.as_str()) => names.push(&q.name),
                            Some(_) => {}
                            None => warnings.push((w, vec![&q.name])),
                        }
                    }
                    for s in answer.series {
                        merged.entry(s.labels).or_default().extend(s.points);
                    }
                }
                Err(e) if e.server_unusable() => {
                    let skipped = queries.len() - qi - 1;
                    let rest = if skipped > 0 {
                        format!("; {skipped} more queries not tried")
                    } else {
                        String::new()
                    };
                    out.notes.push(format!("prometheus {e} ({quoted}){rest}"));
                    break 'queries;
                }
                Err(e) => {
                    out.notes.push(format!("prometheus {e} ({quoted})"));
                    continue 'queries;
                }
            }
        }
        if merged.is_empty() {
            if q.builtin {
                empty_builtins.push(&q.name);
            } else {
                out.notes.push(format!(
                    "prometheus {base}: no data in the window or baseline ({quoted})"
                ));
            }
            continue;
        }
        for s in name_series(&q.name, merged, hosts) {
            out.points += s.points.len() as u64;
            out.series.push(s);
        }
    }
    if !empty_builtins.is_empty() {
        let all = empty_builtins.len() == queries.iter().filter(|q| q.builtin).count();
        let why = if all {
            " (is node_exporter scraped by this Prometheus?)"
        } else {
            ""
        };
        out.notes.push(format!(
            "prometheus {base}: no data in the window or baseline for {}{why}",
            empty_builtins.join(", ")
        ));
    }
    for (w, names) in warnings {
        let more = if names.len() > 1 {
            format!(" and {} more", names.len() - 1)
        } else {
            String::new()
        };
        out.notes.push(format!(
            "prometheus {base}: Prometheus warned: {w} (query {}{more})",
            names[0]
        ));
    }
    out
}

trait DivCeil {
    fn div_ceil_i64(self, d: i64) -> i64;
}

impl DivCeil for i64 {
    fn div_ceil_i64(self, d: i64) -> i64 {
        let q = self.div_euclid(d);
        if self.rem_euclid(d) == 0 {
            q
        } else {
            q + 1
        }
    }
}

/// One [`Series`] per answered label set. The metric is the query's name; when one host
/// has several series of a query, the labels whose values differ among them are added
/// (`disk_busy{device="sda"}`), so that they stay apart.
fn name_series(name: &str, merged: BTreeMap<Labels, Points>, hosts: &HostMap) -> Vec<Series> {
    let mut by_host: BTreeMap<String, Vec<(Labels, Points)>> = BTreeMap::new();
    for (labels, mut points) in merged {
        points.sort_by_key(|p| p.0);
        points.dedup_by_key(|p| p.0);
        let (host, _) = host_of(&labels, hosts);
        by_host.entry(host).or_default().push((labels, points));
    }
    let mut out = Vec::new();
    for (host, group) in by_host {
        if group.len() == 1 {
            for (_, points) in group {
                out.push(Series {
                    host: host.clone(),
                    query: name.to_string(),
                    metric: name.to_string(),
                    points,
                });
            }
            continue;
        }
        let keys: std::collections::BTreeSet<&String> = group
            .iter()
            .flat_map(|(l, _)| l.keys())
            .filter(|k| *k != "__name__")
            .collect();
        let varying: Vec<&String> = keys
            .into_iter()
            .filter(|k| group.iter().any(|(l, _)| l.get(*k) != group[0].0.get(*k)))
            .collect();
        let mut named: Vec<Series> = group
            .iter()
            .map(|(labels, points)| {
                let parts: Vec<String> = varying
                    .iter()
                    .map(|k| format!("{k}=\"{}\"", labels.get(*k).map_or("", |v| v.as_str())))
                    .collect();
                Series {
                    host: host.clone(),
                    query: name.to_string(),
                    metric: format!("{name}{{{}}}", parts.join(",")),
                    points: points.clone(),
                }
            })
            .collect();
        out.append(&mut named);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::builtin_queries;
    use crate::response::RawSeries;

    const S: i64 = SECOND;
    const T0: i64 = 1_795_372_800; // seconds, a multiple of 5

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn answer(series: Vec<(Labels, Points)>) -> Answer {
        Answer {
            series: series
                .into_iter()
                .map(|(labels, points)| RawSeries { labels, points })
                .collect(),
            ..Answer::default()
        }
    }

    #[test]
    fn urls_are_checked() {
        let t = Duration::from_secs(1);
        assert_eq!(
            Client::new("http://127.0.0.1:9090/", t).unwrap().base(),
            "http://127.0.0.1:9090"
        );
        assert_eq!(
            Client::new("http://prom.example/prometheus", t).unwrap().base(),
            "http://prom.example/prometheus"
        );
        assert_eq!(
            Client::new("http://admin:secretpw@prom.example:9090", t)
                .unwrap()
                .base(),
            "http://prom.example:9090"
        );
        let err = Client::new("https://admin:secretpw@prom.example", t)
            .err()
            .unwrap()
            .to_string();
        assert!(!err.contains("secretpw"), "{err}");
        let e = Client::new("https://prom.example", t).err().unwrap();
        assert!(e.to_string().contains("https is not built into this triage"), "{e}");
        assert!(matches!(Client::new("http://", t), Err(PromError::BadUrl { .. })));
        assert!(matches!(
            Client::new("http://h:1/?x=1", t),
            Err(PromError::BadUrl { .. })
        ));
        assert!(matches!(Client::new("ftp://h", t), Err(PromError::BadUrl { .. })));
    }

    #[test]
    fn spans_become_aligned_ranges_and_series_merge() {
        // Window: 15 minutes; baseline: the hour before it. Start not on a step.
        let w = ((T0 + 3) * S, (T0 + 903) * S);
        let b = ((T0 - 3597) * S, (T0 + 3) * S);
        let mut asked = Vec::new();
        let queries = vec![Query::parse_user("load=node_load5").unwrap()];
        let hosts = HostMap::parse(&["127.0.0.1=pay-node-3"]).unwrap();
        let f = fetch_with("http://p", &queries, &[w, b], &hosts, |q, start, end, step| {
            asked.push((q.to_string(), start, end, step));
            let inst = labels(&[("instance", "127.0.0.1:9100"), ("job", "node")]);
            Ok(answer(vec![(inst, vec![(start * S, 1.0), (end * S, 2.0)])]))
        });
        assert_eq!(
            asked,
            vec![
                ("node_load5".to_string(), T0 + 5, T0 + 900, 5),
                ("node_load5".to_string(), T0 - 3595, T0, 5)
            ]
        );
        assert_eq!(f.series.len(), 1);
        let s = &f.series[0];
        assert_eq!(
            (s.host.as_str(), s.metric.as_str(), s.query.as_str()),
            ("pay-node-3", "load", "load")
        );
        // Baseline points first: sorted by time.
        assert_eq!(
            s.points,
            vec![
                ((T0 - 3595) * S, 1.0),
                (T0 * S, 2.0),
                ((T0 + 5) * S, 1.0),
                ((T0 + 900) * S, 2.0)
            ]
        );
        assert_eq!(f.points, 4);
        assert!(f.notes.is_empty(), "{:?}", f.notes);
    }

    #[test]
    fn several_series_of_one_host_keep_their_labels() {
        let a = labels(&[
            ("__name__", "node_disk_io_time_seconds_total"),
            ("instance", "h:9100"),
            ("device", "sda"),
            ("job", "node"),
        ]);
        let b = labels(&[
            ("__name__", "node_disk_io_time_seconds_total"),
            ("instance", "h:9100"),
            ("device", "sdb"),
            ("job", "node"),
        ]);
        let c = labels(&[("instance", "g:9100"), ("device", "sda")]);
        let q = vec![Query::parse_user("disk_busy=rate(node_disk_io_time_seconds_total[1m])").unwrap()];
        let f = fetch_with(
            "http://p",
            &q,
            &[(T0 * S, (T0 + 60) * S)],
            &HostMap::default(),
            |_, start, _, _| {
                Ok(answer(vec![
                    (a.clone(), vec![(start * S, 0.5)]),
                    (b.clone(), vec![(start * S, 0.25)]),
                    (c.clone(), vec![(start * S, 0.0)]),
                ]))
            },
        );
        let names: Vec<(&str, &str)> = f.series.iter().map(|s| (s.host.as_str(), s.metric.as_str())).collect();
        assert_eq!(
            names,
            vec![
                ("g", "disk_busy"),
                ("h", "disk_busy{device=\"sda\"}"),
                ("h", "disk_busy{device=\"sdb\"}")
            ]
        );
        assert!(f.series.iter().all(|s| s.query == "disk_busy"));
    }

    #[test]
    fn an_unreachable_server_stops_and_is_noted_once() {
        let mut calls = 0;
        let f = fetch_with(
            "http://127.0.0.1:9",
            &builtin_queries(),
            &[(T0 * S, (T0 + 900) * S), ((T0 - 3600) * S, T0 * S)],
            &HostMap::default(),
            |_, _, _, _| {
                calls += 1;
                Err(PromError::Connect {
                    url: "http://127.0.0.1:9".into(),
                    reason: "connection refused".into(),
                })
            },
        );
        assert_eq!(calls, 1);
        assert!(f.series.is_empty());
        assert_eq!(
            f.notes,
            vec!["prometheus http://127.0.0.1:9: cannot connect: connection refused (query cpu_busy_percent); 5 more queries not tried"]
        );
    }

    #[test]
    fn failing_and_empty_queries_are_noted_and_the_rest_go_on() {
        let mut queries = builtin_queries();
        queries.push(Query::parse_user("bad=rate(x[").unwrap());
        queries.push(Query::parse_user("nothing=absent_metric").unwrap());
        let f = fetch_with(
            "http://p",
            &queries,
            &[(T0 * S, (T0 + 900) * S)],
            &HostMap::default(),
            |q, start, _, _| {
                if q == "rate(x[" {
                    return Err(PromError::Api {
                        url: "http://p".into(),
                        error_type: "bad_data".into(),
                        error: "1:8: parse error: unclosed left bracket".into(),
                    });
                }
                if q.contains("node_cpu") || q.contains("MemAvailable") || q.contains("node_load5") {
                    let mut a = answer(vec![(labels(&[("instance", "h:9100")]), vec![(start * S, 12.5)])]);
                    a.warnings.push("partial result".into());
                    return Ok(a);
                }
                Ok(Answer::default())
            },
        );
        let metrics: Vec<&str> = f.series.iter().map(|s| s.metric.as_str()).collect();
        assert_eq!(metrics, ["cpu_busy_percent", "memory_used_percent", "load5"]);
        assert_eq!(f.notes.len(), 4, "{:?}", f.notes);
        assert_eq!(f.notes[0], "prometheus http://p: Prometheus error (bad_data): 1:8: parse error: unclosed left bracket (query bad: rate(x[)");
        assert_eq!(
            f.notes[1],
            "prometheus http://p: no data in the window or baseline (query nothing: absent_metric)"
        );
        assert_eq!(f.notes[2], "prometheus http://p: no data in the window or baseline for filesystem_used_percent, disk_io_util_percent, network_bytes_per_second");
        assert_eq!(
            f.notes[3],
            "prometheus http://p: Prometheus warned: partial result (query cpu_busy_percent and 2 more)"
        );
    }

    #[test]
    fn no_node_exporter_at_all_says_so() {
        let f = fetch_with(
            "http://p",
            &builtin_queries(),
            &[(T0 * S, (T0 + 900) * S)],
            &HostMap::default(),
            |_, _, _, _| Ok(Answer::default()),
        );
        assert_eq!(f.notes.len(), 1);
        assert!(
            f.notes[0].ends_with("(is node_exporter scraped by this Prometheus?)"),
            "{}",
            f.notes[0]
        );
    }

    #[test]
    fn a_refused_connection_reads_well() {
        // Port 9 (discard) on loopback: nothing listens in the test environment.
        let client = Client::new("http://127.0.0.1:9", Duration::from_secs(2)).unwrap();
        let e = client.query_range("up", T0, T0 + 60, 5).unwrap_err();
        assert!(e.server_unusable(), "{e:?}");
        assert_eq!(e.to_string(), "http://127.0.0.1:9: cannot connect: connection refused");
    }

    #[test]
    fn a_silent_server_times_out() {
        // Accepts the connection, never answers.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let hold = std::thread::spawn(move || {
            let conn = listener.accept();
            std::thread::sleep(Duration::from_millis(1500));
            drop(conn);
        });
        let client = Client::new(&format!("http://127.0.0.1:{port}"), Duration::from_millis(300)).unwrap();
        let t = std::time::Instant::now();
        let e = client.query_range("up", T0, T0 + 60, 5).unwrap_err();
        assert!(t.elapsed() < Duration::from_millis(1400), "{:?}", t.elapsed());
        assert!(matches!(e, PromError::Timeout { .. }), "{e:?}");
        assert_eq!(
            e.to_string(),
            format!("http://127.0.0.1:{port}: no answer within 0.3 s (--metrics-timeout)")
        );
        hold.join().unwrap();
    }

    #[test]
    fn an_http_error_page_is_quoted() {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let serve = std::thread::spawn(move || {
            let (mut conn, _) = listener.accept().unwrap();
            let mut buf = [0u8; 4096];
            let n = conn.read(&mut buf).unwrap();
            let request = String::from_utf8_lossy(&buf[..n]).to_string();
            let body = "upstream down\n";
            write!(
                conn,
                "HTTP/1.1 503 Service Unavailable\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            )
            .unwrap();
            request
        });
        let client = Client::new(&format!("http://127.0.0.1:{port}/"), Duration::from_secs(5)).unwrap();
        let e = client
            .query_range("sum by (instance) (rate(x[1m]))", T0, T0 + 60, 5)
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("http://127.0.0.1:{port}: HTTP 503: upstream down")
        );
        assert!(!e.server_unusable());
        let request = serve.join().unwrap();
        let line = request.lines().next().unwrap();
        assert!(line.starts_with("GET /api/v1/query_range?query=sum"), "{line}");
        assert!(line.contains(&format!("&start={T0}&end={}&step=5 ", T0 + 60)), "{line}");
        assert!(
            !line.contains(' ') || line.matches(' ').count() == 2,
            "query not encoded: {line}"
        );
    }
}
