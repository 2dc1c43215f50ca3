//! Logs written the way real programs write them, in the layouts those programs use by
//! default: each format gets the same 20 minutes of an app's life (requests, cache hits,
//! a job, a few slow queries) and, from minute 15, a burst of
//! "Failed to connect to payments-db …" errors. `triage parse` must give every record
//! its time (to the layout's precision), the level the program meant and the message;
//! `triage analyze` must call the window an incident whose first problem is the burst,
//! with its exact count. Each layout here was once parsed wrong (no level, no time, a
//! header left in the message): see `bench/formats_sweep.py` for the sweep that found
//! them.

mod util;

use jiff::Timestamp;
use serde_json::Value;
use util::{run_triage, Rng};

/// One event of the generated app: time, intended level, message.
struct Event {
    at: Timestamp,
    level: &'static str,
    message: String,
}

const START: i64 = 1_796_634_000; // 2026-12-07T09:00:00Z
const MINUTES: i64 = 20;
const BURST_FROM_MINUTE: i64 = 15;

fn events() -> Vec<Event> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut out = Vec::new();
    let mut micros: i64 = START * 1_000_000;
    let end = (START + MINUTES * 60) * 1_000_000;
    let burst = (START + BURST_FROM_MINUTE * 60) * 1_000_000;
    while micros < end {
        micros += 200_000 + rng.below(600_000) as i64;
        let w = rng.below(100);
        let (level, message) = match w {
            0..=34 => (
                "INFO",
                format!(
                    "Started GET /api/orders/{} for 10.0.{}.{}",
                    1000 + rng.below(90000),
                    rng.below(10),
                    1 + rng.below(254)
                ),
            ),
            35..=74 => (
                "INFO",
                format!(
                    "Completed request in {} ms status=200 user={}",
                    2 + rng.below(900),
                    ["alice", "bob", "carol", "dave"][rng.below(4)]
                ),
            ),
            75..=92 => ("DEBUG", format!("cache hit key=order:{}", 1000 + rng.below(90000))),
            93..=98 => (
                "INFO",
                format!("scheduled job sync-inventory finished in {} ms", 2 + rng.below(900)),
            ),
            _ => ("WARN", format!("slow query took {} ms", 500 + rng.below(900))),
        };
        out.push(Event {
            at: Timestamp::from_microsecond(micros).unwrap(),
            level,
            message,
        });
        if micros >= burst && rng.below(2) == 0 {
            let at = micros + 1 + rng.below(9000) as i64;
            let message = format!(
                "Failed to connect to payments-db 10.0.3.{}:5432: Connection refused (attempt {})",
                1 + rng.below(254),
                1 + rng.below(5)
            );
            out.push(Event {
                at: Timestamp::from_microsecond(at).unwrap(),
                level: "ERROR",
                message,
            });
        }
    }
    out.sort_by_key(|e| e.at);
    out
}

/// How a format writes one event, and what `triage parse` must give back.
struct Format {
    name: &'static str,
    /// The line(s) for one event.
    write: fn(&Event) -> String,
    /// The level the program meant, as Triage names it (`None`: the format has none for it).
    level: fn(&str) -> Option<&'static str>,
    /// Digits of the second's fraction the layout keeps (0, 3 or 6).
    fraction: u32,
    /// A line an export writes before its records (column names), a record of its own
    /// without a time.
    header: Option<&'static str>,
}

fn same(level: &str) -> Option<&'static str> {
    match level {
        "DEBUG" => Some("DEBUG"),
        "INFO" => Some("INFO"),
        "WARN" => Some("WARN"),
        _ => Some("ERROR"),
    }
}

/// java.util.logging's name for a level.
fn jul_level(level: &'static str) -> &'static str {
    match level {
        "DEBUG" => "FINE",
        "WARN" => "WARNING",
        "ERROR" => "SEVERE",
        l => l,
    }
}

fn f(e: &Event, pattern: &str) -> String {
    e.at.strftime(pattern).to_string()
}

fn millis(e: &Event) -> String {
    format!("{:03}", e.at.subsec_millisecond())
}

fn micros(e: &Event) -> String {
    format!("{:06}", e.at.subsec_microsecond())
}

fn formats() -> Vec<Format> {
    vec![
        // Cassandra (and log4j `%-5level [%thread] %date …`): the level before the time.
        Format {
            name: "cassandra",
            write: |e| {
                format!(
                    "{:<5} [Native-Transport-Requests-1] {},{} OrderService.java:88 - {}",
                    e.level,
                    f(e, "%Y-%m-%d %H:%M:%S"),
                    millis(e),
                    e.message
                )
            },
            level: same,
            fraction: 3,
            header: None,
        },
        // Celery: the level inside the time's bracket.
        Format {
            name: "celery",
            write: |e| {
                format!(
                    "[{},{}: {}/MainProcess] {}",
                    f(e, "%Y-%m-%d %H:%M:%S"),
                    millis(e),
                    if e.level == "WARN" { "WARNING" } else { e.level },
                    e.message
                )
            },
            level: same,
            fraction: 3,
            header: None,
        },
        // Ruby's Logger (Rails): `L, [time #pid]  LEVEL -- progname: message`.
        Format {
            name: "rails",
            write: |e| {
                format!(
                    "{}, [{}.{} #4321] {:>5} -- : {}",
                    &e.level[..1],
                    f(e, "%Y-%m-%dT%H:%M:%S"),
                    micros(e),
                    e.level,
                    e.message
                )
            },
            level: same,
            fraction: 6,
            header: None,
        },
        // PostgreSQL's default `%m [%p] ` prefix: LOG is its informational level.
        Format {
            name: "postgres",
            write: |e| {
                let level = match e.level {
                    "INFO" => "LOG",
                    "DEBUG" => "DEBUG1",
                    "WARN" => "WARNING",
                    _ => "ERROR",
                };
                format!(
                    "{}.{} UTC [4321] {level}:  {}",
                    f(e, "%Y-%m-%d %H:%M:%S"),
                    millis(e),
                    e.message
                )
            },
            level: same,
            fraction: 3,
            header: None,
        },
        // MySQL 8's error log: Note is its informational level.
        Format {
            name: "mysql-error-log",
            write: |e| {
                let level = match e.level {
                    "WARN" => "Warning",
                    "ERROR" => "ERROR",
                    _ => "Note",
                };
                format!(
                    "{}.{}Z 12 [{level}] [MY-010000] [Server] {}",
                    f(e, "%Y-%m-%dT%H:%M:%S"),
                    micros(e),
                    e.message
                )
            },
            level: |l| match l {
                "DEBUG" | "INFO" => Some("INFO"),
                l => same(l),
            },
            fraction: 6,
            header: None,
        },
        // Apache httpd 2.4: `[module:level]`.
        Format {
            name: "apache-2.4-error",
            write: |e| {
                format!(
                    "[{}.{} {}] [orders:{}] [pid 4321:tid 140] {}",
                    f(e, "%a %b %d %H:%M:%S"),
                    micros(e),
                    f(e, "%Y"),
                    e.level.to_lowercase(),
                    e.message
                )
            },
            level: same,
            fraction: 6,
            header: None,
        },
        // Redis: `pid:role time <symbol> message`; `#` is its warning level.
        Format {
            name: "redis",
            write: |e| {
                let symbol = match e.level {
                    "DEBUG" => ".",
                    "INFO" => "*",
                    _ => "#",
                };
                format!(
                    "4321:M {}.{} {symbol} {}",
                    f(e, "%d %b %Y %H:%M:%S"),
                    millis(e),
                    e.message
                )
            },
            level: |l| match l {
                "ERROR" => Some("WARN"),
                l => same(l),
            },
            fraction: 3,
            header: None,
        },
        // An app's own level prefix behind a journal/syslog header.
        Format {
            name: "journal-app-prefix",
            write: |e| {
                format!(
                    "{}+0000 web-1 orders[4321]: {}: {}",
                    f(e, "%Y-%m-%dT%H:%M:%S"),
                    e.level,
                    e.message
                )
            },
            level: same,
            fraction: 0,
            header: None,
        },
        // Go's standard `log` with only the errors and warnings marked.
        Format {
            name: "go-log-marked",
            write: |e| match e.level {
                "ERROR" | "WARN" => format!("{} [{}] {}", f(e, "%Y/%m/%d %H:%M:%S"), e.level, e.message),
                _ => format!("{} {}", f(e, "%Y/%m/%d %H:%M:%S"), e.message),
            },
            level: |l| match l {
                "ERROR" | "WARN" => same(l),
                _ => None,
            },
            fraction: 0,
            header: None,
        },
        // Tomcat's OneLineFormatter: SEVERE is java.util.logging's error level.
        Format {
            name: "tomcat",
            write: |e| {
                let level = jul_level(e.level);
                format!(
                    "{}.{} {level} [http-nio-8080-exec-3] org.apache.catalina.core.StandardWrapperValve.invoke {}",
                    f(e, "%d-%b-%Y %H:%M:%S"),
                    millis(e),
                    e.message
                )
            },
            level: same,
            fraction: 3,
            header: None,
        },
        // java.util.logging's default SimpleFormatter: two lines, a 12-hour clock.
        Format {
            name: "jul-simple",
            write: |e| {
                let level = jul_level(e.level);
                format!(
                    "{} com.acme.orders.OrderService handle\n{level}: {}",
                    f(e, "%b %d, %Y %-I:%M:%S %p"),
                    e.message
                )
            },
            level: same,
            fraction: 0,
            header: None,
        },
        // Kubernetes components (klog) and Go glog: a level letter glued to MMDD, no year.
        Format {
            name: "klog",
            write: |e| {
                let letter = match e.level {
                    "WARN" => 'W',
                    "ERROR" => 'E',
                    _ => 'I',
                };
                format!(
                    "{letter}{}.{}    4321 handler.go:47] {}",
                    f(e, "%m%d %H:%M:%S"),
                    micros(e),
                    e.message
                )
            },
            level: |l| match l {
                "DEBUG" => Some("INFO"),
                l => same(l),
            },
            fraction: 6,
            header: None,
        },
        // MongoDB 4.4+: JSON with `t.$date` and a severity letter `s`.
        Format {
            name: "mongodb",
            write: |e| {
                let s = match e.level {
                    "DEBUG" => "D1",
                    l => &l[..1],
                };
                serde_json::json!({
                    "t": {"$date": format!("{}.{}+00:00", f(e, "%Y-%m-%dT%H:%M:%S"), millis(e))},
                    "s": s, "c": "NETWORK", "id": 22943, "ctx": "conn12", "msg": e.message,
                })
                .to_string()
            },
            level: same,
            fraction: 3,
            header: None,
        },
        // supervisord: DEBG is its debug level.
        Format {
            name: "supervisord",
            write: |e| {
                format!(
                    "{},{} {} {}",
                    f(e, "%Y-%m-%d %H:%M:%S"),
                    millis(e),
                    if e.level == "DEBUG" { "DEBG" } else { e.level },
                    e.message
                )
            },
            level: same,
            fraction: 3,
            header: None,
        },
        // Sidekiq: `key=value` context, some lines with more, before `LEVEL:`.
        Format {
            name: "sidekiq",
            write: |e| {
                let job = if e.level == "ERROR" || e.message.starts_with("cache") {
                    " class=OrderWorker jid=b4a577edbccf1d805744efa9"
                } else {
                    ""
                };
                format!(
                    "{}.{}Z pid=4321 tid=ovxs9x6m9{job} {}: {}",
                    f(e, "%Y-%m-%dT%H:%M:%S"),
                    millis(e),
                    e.level,
                    e.message
                )
            },
            level: same,
            fraction: 3,
            header: None,
        },
        // PHP's Monolog: `[time] channel.LEVEL: message context extra`.
        Format {
            name: "monolog",
            write: |e| {
                format!(
                    "[{}.{}+00:00] app.{}: {} [] []",
                    f(e, "%Y-%m-%dT%H:%M:%S"),
                    micros(e),
                    if e.level == "WARN" { "WARNING" } else { e.level },
                    e.message
                )
            },
            level: same,
            fraction: 6,
            header: None,
        },
        // Rust `tracing` with its terminal colours, saved to a file.
        Format {
            name: "rust-tracing-ansi",
            write: |e| {
                let colour = match e.level {
                    "DEBUG" => 34,
                    "INFO" => 32,
                    "WARN" => 33,
                    _ => 31,
                };
                format!(
                    "\x1b[2m{}.{}Z\x1b[0m \x1b[{colour}m{:>5}\x1b[0m \x1b[2morders::api\x1b[0m\x1b[2m:\x1b[0m {}",
                    f(e, "%Y-%m-%dT%H:%M:%S"),
                    micros(e),
                    e.level,
                    e.message
                )
            },
            level: same,
            fraction: 6,
            header: None,
        },
        // Windows Event Viewer's text export: an en-US date, the description unnamed.
        Format {
            name: "windows-event-viewer",
            write: |e| {
                let level = match e.level {
                    "DEBUG" => "Verbose",
                    "INFO" => "Information",
                    "WARN" => "Warning",
                    _ => "Error",
                };
                format!(
                    "{level}\t{}\tOrders\t1000\tNone\t{}",
                    f(e, "%-m/%-d/%Y %-I:%M:%S %p"),
                    e.message
                )
            },
            level: |l| match l {
                "DEBUG" => Some("TRACE"),
                l => same(l),
            },
            fraction: 0,
            header: Some("Level\tDate and Time\tSource\tEvent ID\tTask Category"),
        },
        // Android logcat's `time` format: `E/Tag( pid):`.
        Format {
            name: "logcat-time",
            write: |e| {
                format!(
                    "{}.{} {}/Orders  ( 4321): {}",
                    f(e, "%m-%d %H:%M:%S"),
                    millis(e),
                    &e.level[..1],
                    e.message
                )
            },
            level: same,
            fraction: 3,
            header: None,
        },
        // structlog's KeyValueRenderer: values as Python's `repr`.
        Format {
            name: "structlog-kv",
            write: |e| {
                format!(
                    "event='{}' level='{}' logger='orders.api' timestamp='{}.{}Z'",
                    e.message,
                    if e.level == "WARN" {
                        "warning".to_string()
                    } else {
                        e.level.to_lowercase()
                    },
                    f(e, "%Y-%m-%dT%H:%M:%S"),
                    micros(e)
                )
            },
            level: same,
            fraction: 6,
            header: None,
        },
        // logrus' text formatter on a terminal, full timestamps: `ERRO[time] message`.
        Format {
            name: "logrus-tty",
            write: |e| {
                let level = match e.level {
                    "DEBUG" => "DEBU",
                    "ERROR" => "ERRO",
                    l => l,
                };
                format!(
                    "{level}[{}Z] {:<44} service=orders",
                    f(e, "%Y-%m-%dT%H:%M:%S"),
                    e.message
                )
            },
            level: same,
            fraction: 0,
            header: None,
        },
        // `kubectl logs --timestamps` of a JSON logger: a time before each object.
        Format {
            name: "kubectl-timestamps-json",
            write: |e| {
                let object = serde_json::json!({"level": e.level.to_lowercase(), "msg": e.message});
                format!("{}.{}000Z {object}", f(e, "%Y-%m-%dT%H:%M:%S"), micros(e))
            },
            level: same,
            fraction: 6,
            header: None,
        },
    ]
}

/// Parses `text` written as `format` and checks every record against the events.
fn check_parse(format: &Format, path: &std::path::Path, events: &[Event]) {
    let out = run_triage(&["parse", path.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}: {}",
        format.name,
        String::from_utf8_lossy(&out.stderr)
    );
    let mut records: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    if format.header.is_some() && !records.is_empty() {
        let header = records.remove(0);
        assert!(header["ts"].is_null(), "{}: {header}", format.name);
    }
    assert_eq!(records.len(), events.len(), "{}: one record per event", format.name);
    let unit = 10i128.pow(9 - format.fraction);
    for (k, (r, e)) in records.iter().zip(events).enumerate() {
        let want_ns = e.at.as_nanosecond() / unit * unit;
        let got = r["ts"]
            .as_str()
            .unwrap_or_else(|| panic!("{}: record {k} has no time: {r}", format.name));
        let got_ns = got.parse::<Timestamp>().unwrap().as_nanosecond();
        assert_eq!(got_ns, want_ns, "{}: record {k} time {got}: {r}", format.name);
        assert_eq!(
            r["level"].as_str(),
            (format.level)(e.level),
            "{}: record {k} level: {r}",
            format.name
        );
        // The event's text and no header: an app's own prefix may precede it, context
        // the logger appends (Monolog's `[] []`, logrus' fields) may follow it.
        let message = r["message"].as_str().unwrap();
        assert!(
            message.ends_with(&e.message) || message.starts_with(&e.message),
            "{}: record {k} message {message:?}",
            format.name
        );
    }
}

#[test]
fn logs_in_the_layouts_programs_write_are_parsed_and_their_burst_found() {
    let events = events();
    let burst_start = Timestamp::from_second(START + BURST_FROM_MINUTE * 60).unwrap();
    let burst = events.iter().filter(|e| e.level == "ERROR").count();
    assert!(events
        .iter()
        .filter(|e| e.level == "ERROR")
        .all(|e| e.at >= burst_start));
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for format in formats() {
        let path = dir.path().join(format!("{}.log", format.name));
        let mut text: String = format.header.map(|h| format!("{h}\n")).unwrap_or_default();
        text.extend(events.iter().map(|e| (format.write)(e) + "\n"));
        std::fs::write(&path, text).unwrap();
        if let Err(e) = std::panic::catch_unwind(|| check_parse(&format, &path, &events)) {
            failures.push(format!("{}: {}", format.name, panic_text(&e)));
            continue;
        }
        // The default window (the last 15 minutes) holds the whole burst.
        let out = run_triage(&["analyze", path.to_str().unwrap(), "--format", "json", "-q"]);
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        let first = &report["problems"][0];
        let found = report["status"] == "incident"
            && first["title"]
                .as_str()
                .is_some_and(|t| t.contains("Failed to connect to payments-db"))
            && first["count"].as_u64() == Some(burst as u64);
        if !found {
            failures.push(format!(
                "{}: status {}, first problem {} ×{} (want the burst ×{burst})",
                format.name, report["status"], first["title"], first["count"]
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Request logs in layouts of their own (AWS ALB, HAProxy behind syslog, Squid): no
/// level in the header, the status in a column the layout learns; a burst of 502s is an
/// incident whose root cause names the status.
#[test]
fn request_logs_in_their_own_layouts_give_levels_from_the_status() {
    let events = events();
    let dir = tempfile::tempdir().unwrap();
    let status = |e: &Event| if e.level == "ERROR" { 502 } else { 200 };
    let n = |e: &Event| e.message.len();
    type Writer = fn(&Event, u16, usize) -> String;
    let layouts: [(&str, Writer); 3] = [
        ("aws-alb", |e, status, n| {
            format!(
                "https {}.{}Z app/orders-alb/50dc6c495c0c9188 10.0.1.{}:40001 10.0.0.7:8080 0.000 0.012 0.000 {status} {status} 34 {} \"GET https://orders.example.com:443/api/orders/{n} HTTP/1.1\" \"curl/8.0\" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2",
                f(e, "%Y-%m-%dT%H:%M:%S"),
                micros(e),
                n % 200,
                n * 10
            )
        }),
        ("haproxy", |e, status, n| {
            format!(
                "{} lb-1 haproxy[4321]: 10.0.1.{}:40001 [{}.{}] fe_main be_orders/srv1 0/0/1/{n}/{} {status} {} - - ---- 1/1/0/0/0 0/0 \"GET /api/orders/{n} HTTP/1.1\"",
                f(e, "%b %e %H:%M:%S"),
                n % 200,
                f(e, "%d/%b/%Y:%H:%M:%S"),
                millis(e),
                n + 1,
                n * 10
            )
        }),
        ("squid", |e, status, n| {
            format!(
                "{}.{} {:6} 10.0.1.{} TCP_MISS/{status} {} GET http://orders.example.com/api/orders/{n} - HIER_DIRECT/10.0.0.7 application/json",
                e.at.as_second(),
                millis(e),
                n * 7,
                n % 200,
                n * 10
            )
        }),
    ];
    let burst = events.iter().filter(|e| e.level == "ERROR").count();
    for (name, write) in layouts {
        let path = dir.path().join(format!("{name}.log"));
        let text: String = events.iter().map(|e| write(e, status(e), n(e)) + "\n").collect();
        std::fs::write(&path, text).unwrap();
        let out = run_triage(&["parse", path.to_str().unwrap()]);
        let records: Vec<Value> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(records.len(), events.len(), "{name}");
        for (r, e) in records.iter().zip(&events) {
            let got = r["ts"].as_str().unwrap_or_else(|| panic!("{name}: no time: {r}"));
            let got_ns = got.parse::<Timestamp>().unwrap().as_nanosecond();
            assert_eq!(got_ns / 1_000_000, e.at.as_nanosecond() / 1_000_000, "{name}: {r}");
            let want = if e.level == "ERROR" { "ERROR" } else { "INFO" };
            assert_eq!(r["level"], want, "{name}: {r}");
            assert_eq!(r["fields"]["status"], status(e).to_string(), "{name}: {r}");
        }
        let out = run_triage(&["analyze", path.to_str().unwrap(), "--format", "json", "-q"]);
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(report["status"], "incident", "{name}");
        let cause = report["root_causes"][0]["summary"].as_str().unwrap_or("");
        assert!(cause.contains("status=502"), "{name}: {cause}");
        assert_eq!(burst, records.iter().filter(|r| r["level"] == "ERROR").count());
    }
}

fn panic_text(e: &Box<dyn std::any::Any + Send>) -> String {
    e.downcast_ref::<String>()
        .cloned()
        .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

/// Access logs (nginx combined, IIS W3C with its `#` directives): the message is the
/// request line and status, the level comes from the status class, and a burst of 502s
/// is an incident whose root cause names the status.
#[test]
fn access_logs_give_levels_from_the_status_and_find_a_5xx_burst() {
    let events = events();
    let dir = tempfile::tempdir().unwrap();
    let status = |e: &Event| if e.level == "ERROR" { 502 } else { 200 };
    let nginx: String = events
        .iter()
        .map(|e| {
            format!(
                "10.0.1.{} - - [{}] \"GET /api/orders/{} HTTP/1.1\" {} 512 \"-\" \"curl/8.0\"\n",
                e.message.len() % 200,
                f(e, "%d/%b/%Y:%H:%M:%S +0000"),
                e.message.len(),
                status(e)
            )
        })
        .collect();
    let mut iis = String::from(
        "#Software: Microsoft Internet Information Services 10.0\n#Version: 1.0\n#Date: 2026-12-07 09:00:00\n\
         #Fields: date time s-sitename s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\n",
    );
    for e in &events {
        iis += &format!(
            "{} W3SVC1 10.0.0.5 GET /api/orders/{} - 443 - 10.0.1.{} Mozilla/5.0+(Windows+NT+10.0) - {} 0 0 15\n",
            f(e, "%Y-%m-%d %H:%M:%S"),
            e.message.len(),
            e.message.len() % 200,
            status(e)
        );
    }
    let burst = events.iter().filter(|e| e.level == "ERROR").count();
    for (name, text) in [("nginx", nginx), ("iis", iis)] {
        let path = dir.path().join(format!("{name}.log"));
        std::fs::write(&path, text).unwrap();
        let out = run_triage(&["parse", path.to_str().unwrap()]);
        let records: Vec<Value> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(
            records.len(),
            events.len(),
            "{name}: one record per request, no directive records"
        );
        let errors = records.iter().filter(|r| r["level"] == "ERROR").count();
        assert_eq!(errors, burst, "{name}");
        assert!(records.iter().all(|r| r["ts"].is_string()), "{name}");
        let out = run_triage(&["analyze", path.to_str().unwrap(), "--format", "json", "-q"]);
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(report["status"], "incident", "{name}");
        let cause = report["root_causes"][0]["summary"].as_str().unwrap_or("");
        assert!(cause.contains("status=502"), "{name}: {cause}");
    }
}
