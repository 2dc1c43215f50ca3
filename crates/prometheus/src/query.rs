//! What is asked: the built-in node_exporter queries, user queries (`NAME=QUERY`), and
//! the step and rate range for a span.
//!
//! Step: about 240 points over the window (`window / 240`), rounded up to a step people
//! read (5 s, 10 s, 15 s, 30 s, 1 min, 2 min, 5 min, …), at least 5 s (a common scrape
//! interval: a finer step only repeats samples). A span is never asked for more than
//! Prometheus's 11,000 points per series: a long baseline gets a coarser step
//! (`span / 10,999`, rounded up the same way). The window and its baselines share the
//! step otherwise, so their averages are comparable.
//!
//! Rate range (`rate(x[R])` in the built-in queries): `max(60 s, 2 × step)`. One minute
//! holds at least two samples at scrape intervals up to 30 s; twice the step makes
//! consecutive points overlap, so no sample between them is ignored.

/// Prometheus refuses `query_range` answers above this many points per series.
pub const MAX_POINTS: u64 = 11_000;
/// Points aimed at over the window.
pub const TARGET_POINTS: u64 = 240;
/// The finest step, in seconds.
pub const MIN_STEP: u64 = 5;
/// The shortest rate range, in seconds.
pub const MIN_RATE_RANGE: u64 = 60;

/// Steps (seconds) a step is rounded up to; beyond the last, whole hours.
const NICE_STEPS: [u64; 12] = [5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200];

fn nice(secs: u64) -> u64 {
    NICE_STEPS
        .iter()
        .copied()
        .find(|&s| s >= secs)
        .unwrap_or_else(|| secs.div_ceil(3600) * 3600)
}

/// Step and rate range (seconds) for one analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    pub step: u64,
    pub rate_range: u64,
}

impl Plan {
    /// The plan for a window of `window_secs` seconds.
    pub fn for_window(window_secs: u64) -> Plan {
        let step = nice(window_secs.div_ceil(TARGET_POINTS).max(MIN_STEP));
        Plan {
            step,
            rate_range: (2 * step).max(MIN_RATE_RANGE),
        }
    }

    /// The step for a span of `span_secs` seconds: the plan's, or a coarser one when the
    /// span would exceed [`MAX_POINTS`] (points = span / step + 1).
    pub fn step_for(&self, span_secs: u64) -> u64 {
        let min = span_secs.div_ceil(MAX_POINTS - 1);
        if min > self.step {
            nice(min)
        } else {
            self.step
        }
    }
}

/// One query: a series name (what `triage-analyze` classifies: `cpu_busy_percent` is a
/// CPU metric) and its PromQL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    pub name: String,
    /// PromQL; in built-in queries `$rate` stands for the rate range.
    pub promql: String,
    pub builtin: bool,
}

impl Query {
    /// The PromQL sent for this plan.
    pub fn text(&self, plan: &Plan) -> String {
        if self.builtin {
            self.promql.replace("$rate", &format!("{}s", plan.rate_range))
        } else {
            self.promql.clone()
        }
    }

    /// A user query, `NAME=QUERY` (`--promql`). NAME is what the report shows and what
    /// the metric's kind is read from (`errors_per_second`, `p99_latency_seconds`); it
    /// has no spaces, braces or parentheses.
    pub fn parse_user(spec: &str) -> Result<Query, String> {
        let want = || {
            format!("--promql {spec:?}: want NAME=QUERY, e.g. 'http_errors_per_second=sum by (instance) (rate(http_requests_total{{code=~\"5..\"}}[5m]))'")
        };
        let (name, promql) = spec.split_once('=').ok_or_else(want)?;
        let (name, promql) = (name.trim(), promql.trim());
        if name.is_empty() || promql.is_empty() || name.contains(|c: char| c.is_whitespace() || "{}()[]\"'".contains(c))
        {
            return Err(want());
        }
        Ok(Query {
            name: name.to_string(),
            promql: promql.to_string(),
            builtin: false,
        })
    }
}

/// Filesystems that are not disks people fill: memory-backed, container layers,
/// kernel pseudo filesystems, read-only images.
const FS_EXCLUDE: &str = "tmpfs|ramfs|devtmpfs|overlay|aufs|squashfs|iso9660|nsfs|proc|sysfs|cgroup2?|autofs|fuse.*|rootfs|efivarfs|tracefs|debugfs|securityfs|pstore|bpf|configfs|hugetlbfs|mqueue|binfmt_misc|rpc_pipefs|selinuxfs|devpts";
/// Network devices whose traffic is loopback or counted again on a physical device.
const NET_EXCLUDE: &str = "lo|veth.*|docker.*|br-.*|virbr.*|cni.*|flannel.*|cali.*|kube-.*";

/// The built-in node_exporter queries, one series per `instance`. Their names are
/// chosen so that `triage_analyze::metrics::classify` reads the right kind (cpu,
/// memory, disk, disk_io, load, network) and the `_percent` suffix marks a 0–100 scale.
pub fn builtin_queries() -> Vec<Query> {
    let q = |name: &str, promql: String| Query {
        name: name.to_string(),
        promql,
        builtin: true,
    };
    vec![
        q("cpu_busy_percent", r#"clamp(100 * (1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[$rate]))), 0, 100)"#.into()),
        q(
            "memory_used_percent",
            "clamp(100 * (1 - max by (instance) (node_memory_MemAvailable_bytes) / max by (instance) (node_memory_MemTotal_bytes)), 0, 100)".into(),
        ),
        q(
            "filesystem_used_percent",
            format!(
                r#"max by (instance) (100 * (1 - node_filesystem_avail_bytes{{fstype!~"{FS_EXCLUDE}"}} / (node_filesystem_size_bytes{{fstype!~"{FS_EXCLUDE}"}} > 0)))"#
            ),
        ),
        q("disk_io_util_percent", "clamp(100 * max by (instance) (rate(node_disk_io_time_seconds_total[$rate])), 0, 100)".into()),
        q("load5", "max by (instance) (node_load5)".into()),
        q(
            "network_bytes_per_second",
            format!(
                r#"sum by (instance) (rate(node_network_receive_bytes_total{{device!~"{NET_EXCLUDE}"}}[$rate])) + sum by (instance) (rate(node_network_transmit_bytes_total{{device!~"{NET_EXCLUDE}"}}[$rate]))"#
            ),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_fits_the_window() {
        // 15 minutes: 900 / 240 = 3.75 s → the 5 s floor; 1 minute of rate.
        assert_eq!(
            Plan::for_window(900),
            Plan {
                step: 5,
                rate_range: 60
            }
        );
        // 1 hour: 15 s; 6 hours: 90 s → 120 s, rate over 240 s.
        assert_eq!(Plan::for_window(3600).step, 15);
        assert_eq!(
            Plan::for_window(6 * 3600),
            Plan {
                step: 120,
                rate_range: 240
            }
        );
        // 30 minutes: 7.5 s → 10 s.
        assert_eq!(Plan::for_window(1800).step, 10);
        // A week: 2520 s → 3600 s; 30 days → 3 h.
        assert_eq!(Plan::for_window(7 * 86400).step, 3600);
        assert_eq!(Plan::for_window(30 * 86400).step, 3 * 3600);
        // Never more than ~240 points, never below 5 s.
        for w in [1, 59, 600, 901, 7200, 86400, 400_000] {
            let p = Plan::for_window(w);
            assert!(p.step >= MIN_STEP && w / p.step <= TARGET_POINTS, "{w}: {p:?}");
        }
    }

    #[test]
    fn long_spans_stay_under_11000_points() {
        let p = Plan::for_window(900);
        // A 1-hour baseline keeps the window's step.
        assert_eq!(p.step_for(3600), 5);
        // A 1-day baseline at 5 s would be 17,281 points: 7.86 s → 10 s.
        assert_eq!(p.step_for(86400), 10);
        for span in [86400u64, 7 * 86400, 90 * 86400, 54_999, 55_000] {
            let s = p.step_for(span);
            assert!(span / s < MAX_POINTS, "{span}: step {s} gives {} points", span / s + 1);
        }
    }

    #[test]
    fn user_queries_need_a_name() {
        let q =
            Query::parse_user(r#"errors_per_second=sum by (instance) (rate(http_requests_total{code=~"5.."}[5m]))"#)
                .unwrap();
        assert_eq!(q.name, "errors_per_second");
        assert_eq!(
            q.promql,
            r#"sum by (instance) (rate(http_requests_total{code=~"5.."}[5m]))"#
        );
        assert!(!q.builtin);
        // No name: the `=` found is inside the selector.
        assert!(Query::parse_user(r#"rate(http_requests_total{code="500"}[5m])"#).is_err());
        assert!(Query::parse_user("up").is_err());
        assert!(Query::parse_user("name=").is_err());
        assert!(Query::parse_user("my name=up").is_err());
        // `$rate` is left alone in user queries.
        assert_eq!(q.text(&Plan::for_window(900)), q.promql);
    }

    #[test]
    fn builtin_queries_take_the_rate_range() {
        let plan = Plan::for_window(6 * 3600);
        let qs = builtin_queries();
        let names: Vec<&str> = qs.iter().map(|q| q.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "cpu_busy_percent",
                "memory_used_percent",
                "filesystem_used_percent",
                "disk_io_util_percent",
                "load5",
                "network_bytes_per_second"
            ]
        );
        let cpu = qs[0].text(&plan);
        assert_eq!(
            cpu,
            r#"clamp(100 * (1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[240s]))), 0, 100)"#
        );
        for q in &qs {
            let t = q.text(&plan);
            assert!(!t.contains('$'), "{t}");
            assert_eq!(t.matches('(').count(), t.matches(')').count(), "{t}");
            assert_eq!(t.matches('{').count(), t.matches('}').count(), "{t}");
        }
        assert!(qs[2].promql.contains(r#"fstype!~"tmpfs|"#) && qs[2].promql.contains("overlay"));
        assert!(qs[5].promql.contains(r#"device!~"lo|"#));
    }
}
