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
    let records: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
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
        let message = r["message"].as_str().unwrap();
        assert!(
            message.ends_with(&e.message),
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
        let text: String = events.iter().map(|e| (format.write)(e) + "\n").collect();
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
        // The first problem is the 502s alone, not every request of the same path shape.
        let first = &report["problems"][0];
        assert!(first["title"].as_str().unwrap().ends_with(" 502"), "{name}: {first}");
        assert_eq!(first["count"], burst, "{name}");
        assert_eq!(first["priority"], "P1", "{name}");
    }
}
