//! `triage analyze --metrics http://HOST:PORT`: the Prometheus flags and the
//! [`MetricSource`] that asks a server (triage-prometheus) once the analysis knows its
//! window and baselines. Problems are printed on stderr as they happen and returned as
//! one-line warnings, which the report carries in `input.notes`.

use std::time::Duration;

use anyhow::{bail, Context, Result};
use triage_analyze::metrics::{classify, MetricSeries, MetricSource, MetricsInput};
use triage_analyze::timespec::parse_duration;
use triage_prometheus::{builtin_queries, Client, HostMap, Query};

#[derive(clap::Args, Debug, Clone)]
pub struct PromArgs {
    /// An extra Prometheus query for --metrics http://…, as NAME=QUERY (PromQL);
    /// repeatable. One series per result series, the host read from its instance,
    /// host, hostname or pod label. NAME is shown and tells the kind: e.g.
    /// 'http_error_rate=sum by (instance) (rate(http_requests_total{code=~"5.."}[5m]))'.
    #[arg(long, value_name = "NAME=QUERY")]
    pub promql: Vec<String>,
    /// Rename a Prometheus host to the name the logs use, FROM=TO (FROM with or without
    /// its :port, e.g. 10.0.0.7:9100=web-1); repeatable.
    #[arg(long, value_name = "FROM=TO")]
    pub host_map: Vec<String>,
    /// Time-out for each request to a Prometheus server (connect and answer).
    #[arg(long, value_name = "DUR", default_value = "10s")]
    pub metrics_timeout: String,
}

/// True for a `--metrics` value that names a Prometheus server rather than a file.
pub fn is_url(value: &str) -> bool {
    let lower = value.trim_start().to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// One Prometheus server with the queries to ask it.
struct PromSource {
    client: Client,
    queries: Vec<Query>,
    hosts: HostMap,
}

impl MetricSource for PromSource {
    fn describe(&self) -> String {
        format!("prometheus {}", self.client.base())
    }

    fn fetch(&self, spans: &[(i64, i64)]) -> Result<MetricsInput, Box<dyn std::error::Error + Send + Sync>> {
        let fetched = self.client.fetch(&self.queries, spans, &self.hosts);
        for note in &fetched.notes {
            eprintln!("triage: warning: {note}");
        }
        let series = fetched
            .series
            .into_iter()
            .map(|s| MetricSeries {
                host: s.host,
                kind: classify(&s.query),
                metric: s.metric,
                points: s.points,
            })
            .collect();
        Ok(MetricsInput {
            series,
            warnings: fetched.notes,
            rows: fetched.points,
            skipped: fetched.skipped,
        })
    }
}

/// Live sources and the notes for URLs that could not be used.
pub type Sources = (Vec<Box<dyn MetricSource>>, Vec<String>);

/// The sources for the `--metrics` URLs, plus notes for URLs that cannot be used
/// (https, malformed): those are reported, not fatal, like an unreadable metrics file.
pub fn sources(urls: &[&str], args: &PromArgs) -> Result<Sources> {
    if urls.is_empty() {
        if !args.promql.is_empty() {
            bail!("--promql needs a Prometheus server: --metrics http://HOST:PORT");
        }
        if !args.host_map.is_empty() {
            bail!("--host-map applies to Prometheus hosts: add --metrics http://HOST:PORT");
        }
        return Ok((Vec::new(), Vec::new()));
    }
    let timeout_ns = parse_duration(&args.metrics_timeout).context("--metrics-timeout")?;
    let timeout = Duration::from_nanos(timeout_ns.max(1) as u64);
    let hosts = HostMap::parse(&args.host_map).map_err(anyhow::Error::msg)?;
    let mut queries = builtin_queries();
    for spec in &args.promql {
        let q = Query::parse_user(spec).map_err(anyhow::Error::msg)?;
        if queries.iter().any(|o| o.name == q.name) {
            bail!("--promql {:?}: the name {} is already taken", spec, q.name);
        }
        queries.push(q);
    }
    let mut out: Vec<Box<dyn MetricSource>> = Vec::new();
    let mut notes = Vec::new();
    for url in urls {
        match Client::new(url, timeout) {
            Ok(client) => out.push(Box::new(PromSource {
                client,
                queries: queries.clone(),
                hosts: hosts.clone(),
            })),
            Err(e) => {
                eprintln!("triage: warning: prometheus {e}");
                notes.push(format!("metrics not used: prometheus {e}"));
            }
        }
    }
    Ok((out, notes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use triage_analyze::metrics::MetricKind;

    #[test]
    fn builtin_names_are_classified() {
        let kinds: Vec<(String, MetricKind)> = builtin_queries()
            .into_iter()
            .map(|q| (q.name.clone(), classify(&q.name)))
            .collect();
        let want = [
            ("cpu_busy_percent", MetricKind::Cpu),
            ("memory_used_percent", MetricKind::Memory),
            ("filesystem_used_percent", MetricKind::Disk),
            ("disk_io_util_percent", MetricKind::DiskIo),
            ("load5", MetricKind::Load),
            ("network_bytes_per_second", MetricKind::Network),
        ]
        .map(|(n, k)| (n.to_string(), k));
        // Compared whole, names included: a zip would pass if either list shrank.
        assert_eq!(kinds, want);
    }

    #[test]
    fn urls_and_files() {
        assert!(is_url("http://127.0.0.1:9090"));
        assert!(is_url("HTTPS://prom"));
        assert!(!is_url("metrics.csv"));
        assert!(!is_url("./http:/x.csv"));
    }

    #[test]
    fn flags_need_a_server() {
        let args = PromArgs {
            promql: vec!["a=up".into()],
            host_map: vec![],
            metrics_timeout: "10s".into(),
        };
        assert!(sources(&[], &args).is_err());
        let (s, notes) = sources(&["http://127.0.0.1:9090", "https://prom.example"], &args).unwrap();
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].describe(), "prometheus http://127.0.0.1:9090");
        assert_eq!(notes.len(), 1);
        assert!(
            notes[0]
                .starts_with("metrics not used: prometheus https://prom.example: https is not built into this triage"),
            "{}",
            notes[0]
        );
        let dup = PromArgs {
            promql: vec!["load5=node_load5".into()],
            ..args.clone()
        };
        assert!(sources(&["http://h:1"], &dup).is_err());
        let bad = PromArgs {
            promql: vec![],
            host_map: vec!["x".into()],
            metrics_timeout: "10s".into(),
        };
        assert!(sources(&["http://h:1"], &bad).is_err());
    }
}
