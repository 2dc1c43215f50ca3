//! `triage analyze --metrics http://…` against real servers from Debian's packages:
//!
//! - live: `prometheus-node-exporter` and `prometheus` (scrape interval 1 s) on free
//!   loopback ports with temporary config and storage; once node_exporter has been
//!   scraped for a few seconds, a log of the last three minutes is analysed with the
//!   built-in queries, `--promql` queries (one failing) and `--host-map`;
//! - backfill: `promtool tsdb create-blocks-from openmetrics` writes a synthetic
//!   incident two hours ago into a fresh TSDB, and a second Prometheus serves it; the
//!   report must show the exact values written;
//! - a dead port: a note in the report, exit 0, the logs still analysed.
//!
//! Every process is killed and reaped on drop, also when a test panics. The binaries
//! come from scripts/ensure-prometheus.sh; when they are missing the server tests skip,
//! unless `CI` is set: then they fail.

mod util;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::Value;
use util::triage;

const TOOLS: [&str; 3] = ["prometheus", "promtool", "prometheus-node-exporter"];

/// True when the Prometheus binaries are installed. Missing ones skip the test (with a
/// message) on a developer machine and fail it in CI.
fn servers_available(test: &str) -> bool {
    let missing: Vec<&str> = TOOLS
        .iter()
        .copied()
        .filter(|t| {
            !Command::new(t)
                .arg("--version")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        })
        .collect();
    if missing.is_empty() {
        return true;
    }
    // One SKIP line per test (a failure when CI is set).
    util::skip(
        test,
        &format!("{missing:?} not found (scripts/ensure-prometheus.sh installs Debian's prometheus and prometheus-node-exporter)"),
    );
    false
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind a loopback port")
        .port()
}

/// A server process; killed and reaped on drop. Its output goes to `log`.
struct Server {
    name: &'static str,
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Server {
    /// Starts `program` with `args(port)` on a free port (three tries: another process may
    /// take the port between the probe and the bind) and waits until it accepts
    /// connections.
    fn start(name: &'static str, program: &str, dir: &Path, args: impl Fn(u16) -> Vec<String>) -> Server {
        let log = dir.join(format!("{name}.log"));
        for _ in 0..3 {
            let port = free_port();
            let out = std::fs::File::create(&log).expect("log file");
            let err = out.try_clone().expect("log file");
            let child = Command::new(program)
                .args(args(port))
                .current_dir(dir)
                .stdin(Stdio::null())
                .stdout(out)
                .stderr(err)
                .spawn();
            let child = child.unwrap_or_else(|e| panic!("spawn {program}: {e}"));
            let mut server = Server {
                name,
                child,
                port,
                log: log.clone(),
            };
            let deadline = Instant::now() + Duration::from_secs(20);
            while Instant::now() < deadline {
                if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    return server;
                }
                if server.child.try_wait().ok().flatten().is_some() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            drop(server); // kills it
        }
        panic!(
            "{name} did not start; its log:\n{}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn log_text(&self) -> String {
        format!(
            "--- {} log ---\n{}",
            self.name,
            std::fs::read_to_string(&self.log).unwrap_or_default()
        )
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn prometheus(dir: &Path, config: &Path, data: &Path) -> Server {
    let (config, data) = (config.display().to_string(), data.display().to_string());
    Server::start("prometheus", "prometheus", dir, |port| {
        vec![
            format!("--config.file={config}"),
            format!("--storage.tsdb.path={data}"),
            format!("--web.listen-address=127.0.0.1:{port}"),
        ]
    })
}

/// Percent-encodes a query-string value.
fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// `GET path` over HTTP/1.0 (the server closes the connection); the JSON body.
fn get_json(port: u16, path: &str) -> Option<Value> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").ok()?;
    let mut text = String::new();
    s.read_to_string(&mut text).ok()?;
    let (_, body) = text.split_once("\r\n\r\n")?;
    serde_json::from_str(body).ok()
}

/// The value of an instant query's first series.
fn instant(port: u16, query: &str) -> Option<f64> {
    let v = get_json(port, &format!("/api/v1/query?query={}", enc(query)))?;
    v["data"]["result"][0]["value"][1].as_str()?.parse().ok()
}

fn now_secs() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs_f64()
}

fn rfc3339(secs: f64) -> String {
    // jiff does the calendar (one implementation; the parser's is for reading logs).
    let ms = (secs * 1000.0).round() as i64;
    jiff::Timestamp::from_millisecond(ms)
        .expect("time in range")
        .to_string()
}

/// JSON log lines of one host, evenly spaced over `[from, to]` (seconds), every tenth an
/// error.
fn write_log(path: &Path, host: &str, from: f64, to: f64, n: usize) {
    let mut text = String::new();
    for i in 0..n {
        let t = from + (to - from) * i as f64 / (n - 1) as f64;
        let (level, msg) = if i % 10 == 0 {
            ("ERROR", format!("order {i} failed: upstream timeout after 3000 ms"))
        } else {
            ("INFO", format!("order {i} processed in {} ms", 5 + i % 40))
        };
        text.push_str(&format!(
            "{{\"ts\":\"{}\",\"level\":\"{level}\",\"host\":\"{host}\",\"service\":\"payment\",\"msg\":\"{msg}\"}}\n",
            rfc3339(t)
        ));
    }
    std::fs::write(path, text).expect("write log");
}

fn analyze(args: &[&str]) -> (Output, Value) {
    let out = triage()
        .arg("analyze")
        .args(args)
        .args(["--format", "json"])
        .stdin(Stdio::null())
        .output()
        .expect("run triage");
    let report = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out, report)
}

fn metric<'a>(report: &'a Value, host: &str, name: &str) -> &'a Value {
    report["metrics"]
        .as_array()
        .expect("metrics array")
        .iter()
        .find(|m| m["host"] == host && m["metric"] == name)
        .unwrap_or_else(|| panic!("no metric {name} of {host} in {}", report["metrics"]))
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn notes(report: &Value) -> Vec<String> {
    report["input"]["notes"]
        .as_array()
        .expect("notes")
        .iter()
        .map(|n| n.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn live_node_exporter_through_prometheus() {
    if !servers_available("prometheus::live_node_exporter_through_prometheus") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let node = Server::start("node_exporter", "prometheus-node-exporter", dir.path(), |port| {
        vec![
            format!("--web.listen-address=127.0.0.1:{port}"),
            "--no-collector.systemd".into(),
        ]
    });
    let config = dir.path().join("prometheus.yml");
    std::fs::write(
        &config,
        format!(
            "global: {{ scrape_interval: 1s, evaluation_interval: 1s }}\nscrape_configs:\n  - job_name: node\n    static_configs: [ {{ targets: ['127.0.0.1:{}'] }} ]\n",
            node.port
        ),
    )
    .unwrap();
    let prom = prometheus(dir.path(), &config, &dir.path().join("data"));

    // Eight successful scrapes: enough for rate() and for points on the 5 s step.
    let t = Instant::now();
    let deadline = t + Duration::from_secs(60);
    loop {
        let scraped = instant(prom.port, r#"sum_over_time(up{job="node"}[1m])"#).unwrap_or(0.0);
        if scraped >= 8.0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "node_exporter not scraped within 60 s ({scraped} scrapes)\n{}\n{}",
            prom.log_text(),
            node.log_text()
        );
        std::thread::sleep(Duration::from_millis(250));
    }
    eprintln!("node_exporter scraped 8 times after {:.1} s", t.elapsed().as_secs_f64());

    // Logs of the last three minutes on the host the instance is mapped to.
    let log = dir.path().join("app.log");
    let now = now_secs();
    write_log(&log, "pay-node-3", now - 180.0, now, 300);
    let log_s = log.display().to_string();
    let url = prom.url();
    let (out, r) = analyze(&[
        &log_s,
        "--metrics",
        &url,
        "--host-map",
        "127.0.0.1=pay-node-3",
        "--promql",
        r#"scrape_seconds=scrape_duration_seconds{job="node"}"#,
        "--promql",
        "cpu_mode_seconds=sum by (instance, mode) (rate(node_cpu_seconds_total[1m]))",
        "--promql",
        "broken=rate(node_load5[",
        "--promql",
        "nothing_here=absent_metric_xyz",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "triage failed: {stderr}\n{}", prom.log_text());

    // The logs were analysed.
    assert_eq!(r["totals"]["records"], 300, "{}", r["totals"]);
    assert!(r["hosts"].as_array().unwrap().iter().any(|h| h["name"] == "pay-node-3"));

    // Built-in node_exporter series, mapped onto the log's host, with real values.
    let cpu = metric(&r, "pay-node-3", "cpu_busy_percent");
    assert_eq!(cpu["kind"], "cpu");
    assert!(f(&cpu["samples"]) > 0.0);
    for k in ["avg", "min", "max"] {
        assert!((0.0..=100.0).contains(&f(&cpu[k])), "cpu {k}: {cpu}");
    }
    let mem = metric(&r, "pay-node-3", "memory_used_percent");
    assert_eq!(mem["kind"], "memory");
    assert!(f(&mem["samples"]) > 0.0);
    assert!(f(&mem["avg"]) > 0.0 && f(&mem["avg"]) < 100.0, "{mem}");
    let load = metric(&r, "pay-node-3", "load5");
    assert_eq!(load["kind"], "load");
    assert!(f(&load["samples"]) > 0.0 && f(&load["min"]) >= 0.0, "{load}");
    let net = metric(&r, "pay-node-3", "network_bytes_per_second");
    assert_eq!(net["kind"], "network");
    assert!(f(&net["min"]) >= 0.0, "{net}");
    // No series kept the instance's own name.
    assert!(!r["metrics"].to_string().contains("\"127.0.0.1\""), "{}", r["metrics"]);

    // --promql: one series per result series; several of one host keep their labels.
    let scrape = metric(&r, "pay-node-3", "scrape_seconds");
    assert!(f(&scrape["avg"]) > 0.0 && f(&scrape["avg"]) < 10.0, "{scrape}");
    let idle = metric(&r, "pay-node-3", r#"cpu_mode_seconds{mode="idle"}"#);
    assert_eq!(idle["kind"], "cpu");
    assert!(f(&idle["avg"]) >= 0.0, "{idle}");
    assert!(
        r["metrics"].to_string().contains(r#"cpu_mode_seconds{mode=\"user\"}"#),
        "{}",
        r["metrics"]
    );

    // The failing and the empty query are named in the notes and on stderr; the rest stood.
    let notes = notes(&r);
    let broken = notes
        .iter()
        .find(|n| n.contains("query broken: rate(node_load5["))
        .unwrap_or_else(|| panic!("{notes:?}"));
    assert!(
        broken.starts_with(&format!("prometheus {url}: Prometheus error (bad_data)")),
        "{broken}"
    );
    assert!(
        notes.iter().any(|n| n
            == &format!("prometheus {url}: no data in the window or baseline (query nothing_here: absent_metric_xyz)")),
        "{notes:?}"
    );
    assert!(stderr.contains("query broken"), "{stderr}");
    // The built-ins the exporter serves everywhere are not among the empty ones.
    for n in notes
        .iter()
        .filter(|n| n.contains("no data in the window or baseline for"))
    {
        assert!(
            !n.contains("cpu_busy_percent") && !n.contains("memory_used_percent") && !n.contains("load5"),
            "{n}"
        );
    }
    assert!(f(&r["input"]["metric_series"]) >= 6.0, "{}", r["input"]);

    // No log records: the window is the last 15 minutes before now, from metrics alone.
    let empty = dir.path().join("empty.log");
    std::fs::write(&empty, "").unwrap();
    let empty_s = empty.display().to_string();
    let before = now_secs();
    let (out, r) = analyze(&[&empty_s, "-q", "--metrics", &url, "--host-map", "127.0.0.1=pay-node-3"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(r["input"]["logs_read"], false);
    // RFC 3339 in UTC to the second compares as text.
    let (from, to) = (
        &r["window"]["from"].as_str().unwrap()[..19],
        &r["window"]["to"].as_str().unwrap()[..19],
    );
    let (earliest, latest) = (rfc3339(before.floor() + 1.0), rfc3339(now_secs().floor() + 1.0));
    assert!(
        &earliest[..19] <= to && to <= &latest[..19],
        "window {from} – {to}, ran between {earliest} and {latest}"
    );
    assert!(from >= &rfc3339(before.floor() - 899.0)[..19], "window {from} – {to}");
    assert!(f(&metric(&r, "pay-node-3", "cpu_busy_percent")["samples"]) > 0.0);
}

#[test]
fn backfilled_incident_gives_exact_values() {
    if !servers_available("prometheus::backfilled_incident_gives_exact_values") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    // Two hours ago, on a whole minute: a 10-minute incident. Samples every 15 s from
    // an hour before it to 20 minutes after. Baseline: load5 0.5, memory 40% used;
    // incident: load5 7.5, memory 95% used (50 of 1000 bytes available).
    let now = now_secs() as i64;
    let t1 = (now - 2 * 3600) / 60 * 60;
    let t2 = t1 + 600;
    let mut om = String::new();
    let gauge = |om: &mut String, name: &str, value: &dyn Fn(i64) -> f64| {
        om.push_str(&format!("# TYPE {name} gauge\n"));
        for t in (t1 - 3600..t2 + 1200).step_by(15) {
            om.push_str(&format!(
                "{name}{{instance=\"web-1:9100\",job=\"node\"}} {} {t}\n",
                value(t)
            ));
        }
    };
    let incident = |t: i64| (t1..t2).contains(&t);
    gauge(&mut om, "node_load5", &|t| if incident(t) { 7.5 } else { 0.5 });
    gauge(&mut om, "node_memory_MemAvailable_bytes", &|t| {
        if incident(t) {
            50.0
        } else {
            600.0
        }
    });
    gauge(&mut om, "node_memory_MemTotal_bytes", &|_| 1000.0);
    om.push_str("# EOF\n");
    let om_path = dir.path().join("synth.om");
    std::fs::write(&om_path, om).unwrap();
    let data = dir.path().join("data");
    let out = Command::new("promtool")
        .arg("tsdb")
        .arg("create-blocks-from")
        .arg("openmetrics")
        .arg(&om_path)
        .arg(&data)
        .output()
        .expect("run promtool");
    assert!(
        out.status.success(),
        "promtool: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let config = dir.path().join("prometheus.yml");
    std::fs::write(&config, "global: { scrape_interval: 15s }\nscrape_configs: []\n").unwrap();
    let prom = prometheus(dir.path(), &config, &data);
    let deadline = Instant::now() + Duration::from_secs(30);
    while instant(prom.port, &format!("max_over_time(node_load5[1h] @ {t2})")).is_none() {
        assert!(
            Instant::now() < deadline,
            "backfilled data not served within 30 s\n{}",
            prom.log_text()
        );
        std::thread::sleep(Duration::from_millis(100));
    }

    // Logs of the incident on web-1 (the instance's host without its port).
    let log = dir.path().join("app.log");
    write_log(&log, "web-1", t1 as f64, (t2 - 1) as f64, 200);
    let (from, to) = (rfc3339(t1 as f64), rfc3339(t2 as f64));
    let (b_from, b_to) = (rfc3339((t1 - 3600) as f64), rfc3339(t1 as f64));
    let (log_s, url) = (log.display().to_string(), prom.url());
    let (out, r) = analyze(&[
        &log_s,
        "-q",
        "--metrics",
        &url,
        "--from",
        &from,
        "--to",
        &to,
        "--baseline-from",
        &b_from,
        "--baseline-to",
        &b_to,
    ]);
    assert!(
        out.status.success(),
        "triage failed: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        prom.log_text()
    );

    let load = metric(&r, "web-1", "load5");
    assert_eq!(
        (f(&load["avg"]), f(&load["min"]), f(&load["max"])),
        (7.5, 7.5, 7.5),
        "{load}"
    );
    assert_eq!(f(&load["baseline_avg"]), 0.5, "{load}");
    // 10 minutes at the 5 s step.
    assert_eq!(load["samples"], 120, "{load}");
    assert_eq!(load["status"], "anomalous", "{load}");
    let mem = metric(&r, "web-1", "memory_used_percent");
    assert!(
        (f(&mem["avg"]) - 95.0).abs() < 1e-9 && (f(&mem["baseline_avg"]) - 40.0).abs() < 1e-9,
        "{mem}"
    );
    assert_eq!(mem["status"], "critical", "{mem}");
    assert_eq!(r["input"]["metric_series"], 2);
    // The built-ins without data are named in one note.
    let notes = notes(&r);
    assert!(
        notes.iter().any(|n| n.starts_with(&format!(
            "prometheus {url}: no data in the window or baseline for cpu_busy_percent, filesystem_used_percent"
        ))),
        "{notes:?}"
    );
    // The host's memory is in the findings: critical, with the exact figure.
    assert!(r["findings"].to_string().contains("95"), "{}", r["findings"]);
}

#[test]
fn a_dead_server_is_a_note_and_the_logs_still_count() {
    // No server needed: a port that was just free refuses the connection.
    let dir = tempfile::tempdir().expect("temp dir");
    let log = dir.path().join("app.log");
    let now = now_secs();
    write_log(&log, "pay-node-3", now - 120.0, now, 100);
    let url = format!("http://127.0.0.1:{}", free_port());
    let log_s = log.display().to_string();
    let t = Instant::now();
    let (out, r) = analyze(&[&log_s, "--metrics", &url, "--metrics-timeout", "3s"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(t.elapsed() < Duration::from_secs(20), "{:?}", t.elapsed());
    assert_eq!(r["totals"]["records"], 100);
    assert_eq!(r["input"]["metric_series"], 0);
    assert!(r["metrics"].as_array().unwrap().is_empty());
    let want = format!(
        "prometheus {url}: cannot connect: connection refused (query cpu_busy_percent); 5 more queries not tried"
    );
    assert!(notes(&r).contains(&want), "{:?}", notes(&r));
    assert!(stderr.contains(&want), "{stderr}");

    // https is refused up front, with the same outcome.
    let (out, r) = analyze(&[&log_s, "-q", "--metrics", "https://prometheus.invalid:9090"]);
    assert!(out.status.success());
    assert!(
        notes(&r)
            .iter()
            .any(|n| n.contains("https is not built into this triage")),
        "{:?}",
        notes(&r)
    );
    assert_eq!(r["totals"]["records"], 100);

    // --promql without a server is a usage error.
    let (out, _) = analyze(&[&log_s, "-q", "--promql", "x=up"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--promql needs a Prometheus server"));
}
