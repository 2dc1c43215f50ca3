//! `triage redis` against real `redis-server` processes: each test starts its own server
//! on a free loopback port with a temporary directory and `--save ''`, seeds it with
//! `redis-cli --pipe`, runs the `triage` binary, and kills the server on drop (also when
//! the test panics). redis-server and redis-cli come from scripts/ensure-redis.sh; when
//! they are missing the tests fail, they do not skip.

mod util;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::Value;
use util::triage;

/// A redis-server child process; killed and reaped on drop.
struct RedisServer {
    child: Child,
    port: u16,
    password: Option<String>,
    _dir: tempfile::TempDir,
}

fn require_tool(name: &str) {
    let found = Command::new(name)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    assert!(
        found,
        "{name} not found: run scripts/ensure-redis.sh (installs Debian's redis-server and redis-tools)"
    );
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind a loopback port")
        .port()
}

impl RedisServer {
    fn start(extra: &[&str]) -> RedisServer {
        require_tool("redis-server");
        require_tool("redis-cli");
        let dir = tempfile::tempdir().expect("temp dir");
        let password = extra
            .windows(2)
            .find(|w| w[0] == "--requirepass")
            .map(|w| w[1].to_string());
        // Another process may take the port between our probe and the server's bind: retry.
        for _ in 0..3 {
            let port = free_port();
            let mut child = Command::new("redis-server")
                .args([
                    "--bind",
                    "127.0.0.1",
                    "--port",
                    &port.to_string(),
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                ])
                .arg("--dir")
                .arg(dir.path())
                .arg("--logfile")
                .arg(dir.path().join("redis.log"))
                .args(extra)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("spawn redis-server");
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    return RedisServer {
                        child,
                        port,
                        password,
                        _dir: dir,
                    };
                }
                if child.try_wait().ok().flatten().is_some() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        let log = std::fs::read_to_string(dir.path().join("redis.log")).unwrap_or_default();
        panic!("redis-server did not start; its log:\n{log}");
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    fn cli_command(&self) -> Command {
        let mut c = Command::new("redis-cli");
        c.args(["-h", "127.0.0.1", "-p", &self.port.to_string()]);
        if let Some(pw) = &self.password {
            c.env("REDISCLI_AUTH", pw);
        }
        c
    }

    /// One redis-cli command; its trimmed stdout.
    fn cli(&self, args: &[&str]) -> String {
        let out = self
            .cli_command()
            .args(args)
            .stderr(Stdio::null())
            .output()
            .expect("run redis-cli");
        assert!(out.status.success(), "redis-cli {args:?} failed");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Loads RESP commands with `redis-cli --pipe`.
    fn pipe(&self, resp: &[u8]) {
        let mut child = self
            .cli_command()
            .arg("--pipe")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("redis-cli --pipe");
        let mut stdin = child.stdin.take().expect("stdin");
        let data = resp.to_vec();
        let writer = std::thread::spawn(move || stdin.write_all(&data));
        let out = child.wait_with_output().expect("redis-cli --pipe");
        writer.join().expect("writer thread").expect("write RESP");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && text.contains("errors: 0"),
            "redis-cli --pipe: {text}"
        );
    }

    fn freq(&self, key: &str) -> u64 {
        let v = self.cli(&["OBJECT", "FREQ", key]);
        v.parse().unwrap_or_else(|_| panic!("OBJECT FREQ {key}: {v}"))
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn resp(out: &mut Vec<u8>, args: &[&[u8]]) {
    out.extend_from_slice(format!("*{}\r\n", args.len()).as_bytes());
    for a in args {
        out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
}

const PROMOS: [&str; 14] = [
    "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet", "kilo", "lima",
    "mike", "oscar",
];

/// 600k `user:<n>:profile` + 400k `session:<hex>` strings, a 4 MB string, a 200k-field
/// hash, a 20k-item list and 14 `promo:strategy:*` strings of 64 KiB.
fn seed_big(server: &RedisServer) {
    let mut buf = Vec::with_capacity(64 << 20);
    for i in 0..1_000_000u64 {
        if i < 600_000 {
            let (k, v) = (format!("user:{i}:profile"), format!("n={i:08};plan=basic;region=eu"));
            resp(&mut buf, &[b"SET", k.as_bytes(), v.as_bytes()]);
        } else {
            let (k, v) = (
                format!("session:{:016x}", i.wrapping_mul(2_654_435_761)),
                format!("uid={i}"),
            );
            resp(&mut buf, &[b"SET", k.as_bytes(), v.as_bytes()]);
        }
    }
    resp(&mut buf, &[b"SET", b"big:string", &vec![b'x'; 4 << 20]]);
    for j in 0..200 {
        let fields: Vec<(String, String)> = (j * 1000..(j + 1) * 1000)
            .map(|i| (format!("field:{i}"), format!("value-{i}")))
            .collect();
        let mut args: Vec<&[u8]> = vec![b"HSET", b"big:hash"];
        for (f, v) in &fields {
            args.push(f.as_bytes());
            args.push(v.as_bytes());
        }
        resp(&mut buf, &args);
    }
    for j in 0..20 {
        let items: Vec<String> = (0..1000).map(|i| format!("job-{}", j * 1000 + i)).collect();
        let mut args: Vec<&[u8]> = vec![b"RPUSH", b"queue:jobs"];
        args.extend(items.iter().map(|s| s.as_bytes()));
        resp(&mut buf, &args);
    }
    for name in PROMOS {
        resp(
            &mut buf,
            &[
                b"SET",
                format!("promo:strategy:{name}").as_bytes(),
                &vec![b'p'; 64 << 10],
            ],
        );
    }
    server.pipe(&buf);
}

fn run_json(args: &[&str]) -> Value {
    let out = triage()
        .args(args)
        .args(["--format", "json", "-q"])
        .stdin(Stdio::null())
        .output()
        .expect("run triage");
    assert!(
        out.status.success(),
        "triage {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON report")
}

fn keys_of(list: &Value) -> Vec<&str> {
    list.as_array()
        .expect("array")
        .iter()
        .map(|e| e["key"].as_str().expect("key"))
        .collect()
}

fn by_type<'a>(report: &'a Value, kind: &str) -> &'a Value {
    report["bigkeys"]["by_type"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["type"] == kind)
        .unwrap_or_else(|| panic!("no {kind}"))
}

#[test]
fn big_keys_prefixes_slowlog_and_no_touch_on_a_million_keys() {
    // allkeys-lfu with no decay: OBJECT FREQ then moves only when a key is touched.
    let server = RedisServer::start(&[
        "--maxmemory-policy",
        "allkeys-lfu",
        "--lfu-decay-time",
        "0",
        "--slowlog-log-slower-than",
        "1000",
    ]);
    let t = Instant::now();
    seed_big(&server);
    let dbsize: u64 = server.cli(&["DBSIZE"]).parse().unwrap();
    assert_eq!(dbsize, 1_000_017);
    eprintln!("seeded {dbsize} keys in {:.1} s", t.elapsed().as_secs_f64());

    let watched = [
        "user:1:profile",
        "user:599999:profile",
        "big:string",
        "queue:jobs",
        "promo:strategy:kilo",
    ];
    let before: Vec<u64> = watched.iter().map(|k| server.freq(k)).collect();
    // Slow-log evidence: three HGETALLs of the 200k-field hash (milliseconds each).
    server.cli(&["SLOWLOG", "RESET"]);
    for _ in 0..3 {
        server.cli(&["HGETALL", "big:hash"]);
    }

    let url = server.url();
    let t = Instant::now();
    let r = run_json(&[
        "redis",
        "--url",
        &url,
        "--bigkeys",
        "--slowlog",
        "--top",
        "5",
        "--max-ops-per-sec",
        "0",
    ]);
    eprintln!("full scan in {:.1} s", t.elapsed().as_secs_f64());
    let b = &r["bigkeys"];
    assert_eq!(b["complete"], true);
    let scanned = b["keys_scanned"].as_u64().unwrap();
    // SCAN may return a key twice during a rehash, never fewer than were there throughout.
    assert!(scanned >= dbsize && scanned <= dbsize + dbsize / 100, "{scanned}");
    assert_eq!(keys_of(&b["top"])[..3], ["big:hash", "big:string", "queue:jobs"]);
    assert!(b["top"][1]["bytes"].as_u64().unwrap() >= 4 << 20);
    assert_eq!(keys_of(&by_type(&r, "hash")["top"]), ["big:hash"]);
    assert_eq!(keys_of(&by_type(&r, "list")["top"]), ["queue:jobs"]);
    let strings = keys_of(&by_type(&r, "string")["top"]);
    assert_eq!(strings.len(), 5);
    assert_eq!(strings[0], "big:string");
    assert!(
        strings[1..].iter().all(|k| k.starts_with("promo:strategy:")),
        "{strings:?}"
    );
    assert_eq!(by_type(&r, "string")["keys"], 1_000_015);

    let hist: Vec<&Value> = b["histogram"].as_array().unwrap().iter().collect();
    assert_eq!(hist.iter().map(|h| h["keys"].as_u64().unwrap()).sum::<u64>(), scanned);
    let holds = |size: u64| {
        hist.iter()
            .find(|h| h["min_bytes"].as_u64() <= Some(size) && Some(size) < h["max_bytes"].as_u64())
    };
    assert!(
        holds(4 << 20).is_some_and(|h| h["keys"].as_u64() >= Some(1)),
        "no bucket for the 4 MB string"
    );
    assert!(
        holds(100).is_some_and(|h| h["keys"].as_u64() >= Some(900_000)),
        "{hist:?}"
    );

    let prefixes = b["prefixes"].as_array().unwrap();
    let prefix = |p: &str| {
        prefixes
            .iter()
            .find(|e| e["pattern"] == p)
            .unwrap_or_else(|| panic!("no {p} in {prefixes:?}"))
    };
    assert_eq!(prefix("promo:strategy:*")["keys"], 14);
    assert!(prefix("promo:strategy:*")["bytes"].as_u64().unwrap() >= 14 * (64 << 10));
    assert_eq!(prefix("user:*:profile")["keys"], 600_000);
    assert_eq!(prefix("session:*")["keys"], 400_000);
    assert_eq!(prefix("big:*")["keys"], 2);

    // Element counts need CLIENT NO-TOUCH (7.2+); Debian's 7.0 has none, and says so.
    let version = r["server"]["version"].as_str().unwrap().to_string();
    let has_no_touch = version
        .split('.')
        .map(|p| p.parse::<u32>().unwrap_or(0))
        .collect::<Vec<_>>()
        >= vec![7, 2];
    assert_eq!(b["element_counts"], has_no_touch);
    if !has_no_touch {
        assert!(r["notes"].to_string().contains("NO-TOUCH"), "{}", r["notes"]);
    }

    // Nothing the scan sent touched a key: the LFU counters are unchanged…
    let after: Vec<u64> = watched.iter().map(|k| server.freq(k)).collect();
    assert_eq!(before, after, "the scan changed LFU counters of {watched:?}");
    // …while a plain read does move them (so this check can fail).
    let control = server.freq("user:7:profile");
    server.cli(&["GET", "user:7:profile"]);
    assert!(
        server.freq("user:7:profile") > control,
        "a GET should raise the LFU counter"
    );

    let groups = r["slowlog"]["groups"].as_array().unwrap();
    let hgetall = groups
        .iter()
        .find(|g| g["command"] == "HGETALL")
        .unwrap_or_else(|| panic!("no HGETALL group in {groups:?}"));
    assert_eq!(hgetall["key_pattern"], "big:*");
    assert_eq!(hgetall["count"], 3);
    assert!(hgetall["worst_us"].as_u64().unwrap() >= 1000);
    assert!(hgetall["worst_example"]
        .as_str()
        .unwrap()
        .starts_with("HGETALL big:hash"));

    // --match: SCAN MATCH narrows everything to the promo keys.
    let m = run_json(&[
        "redis",
        "--url",
        &url,
        "--bigkeys",
        "--match",
        "promo:*",
        "--max-ops-per-sec",
        "0",
    ]);
    assert_eq!(m["bigkeys"]["keys_scanned"], 14);
    assert!(keys_of(&m["bigkeys"]["top"])
        .iter()
        .all(|k| k.starts_with("promo:strategy:")));

    // Stop early and resume from the printed cursor.
    let part = triage()
        .args([
            "redis",
            "--url",
            &url,
            "--bigkeys",
            "--max-keys",
            "3000",
            "--format",
            "json",
            "-q",
        ])
        .output()
        .expect("run triage");
    assert!(part.status.success());
    let p: Value = serde_json::from_slice(&part.stdout).unwrap();
    assert_eq!(p["bigkeys"]["complete"], false);
    let cursor = p["bigkeys"]["next_cursor"].as_u64().unwrap();
    assert!(cursor != 0);
    assert!(String::from_utf8_lossy(&part.stderr).contains(&format!("--cursor {cursor}")));
    let seen = p["bigkeys"]["keys_scanned"].as_u64().unwrap();
    assert!((3000..3000 + 2000).contains(&seen), "{seen}");
    let resumed = run_json(&[
        "redis",
        "--url",
        &url,
        "--bigkeys",
        "--cursor",
        &cursor.to_string(),
        "--max-keys",
        "3000",
    ]);
    assert_eq!(resumed["bigkeys"]["start_cursor"], cursor);
    assert!(resumed["bigkeys"]["next_cursor"].as_u64().unwrap() != cursor);

    // The human formats carry the same findings.
    let out = triage()
        .args([
            "redis",
            "--url",
            &url,
            "--bigkeys",
            "--match",
            "promo:*",
            "--format",
            "md",
        ])
        .output()
        .unwrap();
    let md = String::from_utf8_lossy(&out.stdout);
    assert!(md.contains("| promo:strategy:\\* | 14 |"), "{md}");
}

/// A client reading `key` in a tight loop until stopped; counts its reads.
struct Reader {
    stop: Arc<AtomicBool>,
    reads: Arc<AtomicU64>,
    handle: Option<JoinHandle<()>>,
}

impl Reader {
    fn start(port: u16, key: &str, pause: Duration) -> Reader {
        let stop = Arc::new(AtomicBool::new(false));
        let reads = Arc::new(AtomicU64::new(0));
        let mut request = Vec::new();
        resp(&mut request, &[b"GET", key.as_bytes()]);
        let (stop2, reads2) = (stop.clone(), reads.clone());
        let handle = std::thread::spawn(move || {
            let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
            stream.set_nodelay(true).ok();
            let mut writer = stream.try_clone().expect("clone");
            let mut reader = BufReader::new(stream);
            let mut header = String::new();
            let mut body = Vec::new();
            while !stop2.load(Ordering::Relaxed) {
                writer.write_all(&request).expect("send GET");
                header.clear();
                reader.read_line(&mut header).expect("reply header");
                let len: usize = header.trim_start_matches('$').trim().parse().expect("bulk reply");
                body.resize(len + 2, 0);
                reader.read_exact(&mut body).expect("reply body");
                reads2.fetch_add(1, Ordering::Relaxed);
                if !pause.is_zero() {
                    std::thread::sleep(pause);
                }
            }
        });
        Reader {
            stop,
            reads,
            handle: Some(handle),
        }
    }

    fn reads(&self) -> u64 {
        self.reads.load(Ordering::Relaxed)
    }
}

impl Drop for Reader {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

fn seed_small(server: &RedisServer) {
    let mut buf = Vec::new();
    for i in 0..2000 {
        resp(
            &mut buf,
            &[b"SET", format!("user:{i}:profile").as_bytes(), b"small value"],
        );
    }
    resp(&mut buf, &[b"SET", b"hot:key", &vec![b'h'; 10_000]]);
    resp(&mut buf, &[b"SET", b"warm:key", &[b'w'; 100]]);
    server.pipe(&buf);
}

/// Runs a hot-key diagnosis while one key is read in a tight loop (and another slowly);
/// returns the report and the loop's own read rate over the run.
fn hot_run(server: &RedisServer, extra: &[&str]) -> (Value, f64) {
    let _warm = Reader::start(server.port, "warm:key", Duration::from_millis(2));
    let hot = Reader::start(server.port, "hot:key", Duration::ZERO);
    std::thread::sleep(Duration::from_millis(200));
    let (t, n) = (Instant::now(), hot.reads());
    let mut args = vec!["redis", "--url", &server.url(), "--hotkeys", "--duration", "2s"]
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>();
    args.extend(extra.iter().map(|s| s.to_string()));
    let r = run_json(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let loop_rate = (hot.reads() - n) as f64 / t.elapsed().as_secs_f64();
    (r, loop_rate)
}

#[test]
fn hot_key_in_a_tight_loop_is_first_by_monitor() {
    // The default policy (noeviction) has no LFU counters: auto must sample MONITOR.
    let server = RedisServer::start(&[]);
    seed_small(&server);
    let (r, loop_rate) = hot_run(&server, &[]);
    let h = &r["hotkeys"];
    assert_eq!(h["method"], "monitor", "{h}");
    let first = &h["keys"][0];
    assert_eq!(first["key"], "hot:key", "{h}");
    assert_eq!(h["keys"][1]["key"], "warm:key", "{h}");
    assert_eq!(h["by_bytes_per_sec"][0]["key"], "hot:key");
    let rate = first["full_reads_per_sec"].as_f64().unwrap();
    let value = first["value_bytes"].as_f64().unwrap();
    assert!(value >= 10_000.0, "{first}");
    // MONITOR slows the server down, so the sampled rate sits somewhat below the loop's average.
    assert!(
        rate > 0.3 * loop_rate && rate < 1.5 * loop_rate,
        "monitor {rate}/s vs loop {loop_rate}/s"
    );
    let bytes = first["est_bytes_per_sec"].as_f64().unwrap();
    assert!((bytes - rate * value).abs() < 1e-6 * bytes.max(1.0), "{first}");
    assert!(
        bytes > 1e6,
        "a 10 kB value read in a tight loop moves megabytes a second: {first}"
    );
    assert!(h["limits"].to_string().contains("MONITOR"));
}

#[test]
fn hot_key_in_a_tight_loop_is_first_by_lfu_counters() {
    let server = RedisServer::start(&["--maxmemory-policy", "allkeys-lfu"]);
    seed_small(&server);
    let (r, loop_rate) = hot_run(&server, &[]);
    let h = &r["hotkeys"];
    assert_eq!(h["method"], "lfu", "{h}");
    let first = &h["keys"][0];
    assert_eq!(first["key"], "hot:key", "{h}");
    assert!(
        first["lfu_counter_after"].as_u64() > first["lfu_counter_before"].as_u64(),
        "{first}"
    );
    let rate = first["ops_per_sec"]
        .as_f64()
        .unwrap_or_else(|| panic!("no rate (saturated?): {first}"));
    // The logarithmic counter gives the order of magnitude, not the exact rate.
    assert!(
        rate > 0.2 * loop_rate && rate < 5.0 * loop_rate,
        "lfu {rate}/s vs loop {loop_rate}/s"
    );
    assert!(first["est_bytes_per_sec"].as_f64().unwrap() > 1e6, "{first}");
    // OBJECT FREQ without an LFU policy is refused with a clear message.
    let plain = RedisServer::start(&[]);
    let out = triage()
        .args(["redis", "--url", &plain.url(), "--hotkeys", "--hot-method", "lfu", "-q"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("127.0.0.1:{}", plain.port)) && err.contains("allkeys-lfu"),
        "{err}"
    );
}

#[test]
fn rate_limit_password_and_connection_errors() {
    let server = RedisServer::start(&["--requirepass", "s3cret"]);
    let mut buf = Vec::new();
    for i in 0..4000 {
        resp(&mut buf, &[b"SET", format!("k:{i}").as_bytes(), b"v"]);
    }
    server.pipe(&buf);
    let url = server.url();

    // The password from the environment; 4000 keys × 2 commands at 4000/s take ≥ 2 s.
    let t = Instant::now();
    let out = triage()
        .args([
            "redis",
            "--url",
            &url,
            "--bigkeys",
            "--max-ops-per-sec",
            "4000",
            "--format",
            "json",
            "-q",
        ])
        .env("TRIAGE_REDIS_PASSWORD", "s3cret")
        .output()
        .unwrap();
    let limited = t.elapsed().as_secs_f64();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["bigkeys"]["keys_scanned"], 4000);
    let sent = r["commands_sent"].as_f64().unwrap();
    assert!(sent >= 8000.0);
    assert!(limited >= (sent - 1000.0) / 4000.0, "{sent} commands in {limited:.2} s");
    // REDISCLI_AUTH works too, and without a limit the same scan is much faster.
    let t = Instant::now();
    let out = triage()
        .args(["redis", "--url", &url, "--bigkeys", "--max-ops-per-sec", "0", "-q"])
        .env_remove("TRIAGE_REDIS_PASSWORD")
        .env("REDISCLI_AUTH", "s3cret")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(t.elapsed().as_secs_f64() < limited / 2.0);
    // A password in the URL wins over the environment.
    let with_pw = format!("redis://:s3cret@127.0.0.1:{}", server.port);
    let out = triage()
        .args(["redis", "--url", &with_pw, "--slowlog", "-q"])
        .env("REDISCLI_AUTH", "wrong")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    // No password: the error names the server; a closed port likewise.
    let out = triage()
        .args(["redis", "--url", &url, "-q"])
        .env_remove("TRIAGE_REDIS_PASSWORD")
        .env_remove("REDISCLI_AUTH")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("127.0.0.1:{}", server.port)), "{err}");
    let closed = free_port();
    let out = triage()
        .args(["redis", "--url", &format!("127.0.0.1:{closed}"), "-q"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("connecting to 127.0.0.1:{closed}")), "{err}");
}

/// 20k small keys plus keys whose names attack a Markdown or HTML reader.
fn seed_hostile(server: &RedisServer) {
    let mut buf = Vec::new();
    for i in 0..20_000 {
        resp(&mut buf, &[b"SET", format!("user:{i}:profile").as_bytes(), b"v"]);
    }
    for (key, size) in [
        ("<img src=x onerror=alert(1)>", 300_000),
        ("[x](javascript:alert(1))", 200_000),
        ("evil:\x1b]0;pwned\x07\x1b[2J|`*_#", 100_000),
    ] {
        resp(&mut buf, &[b"SET", key.as_bytes(), &vec![b'x'; size]]);
    }
    server.pipe(&buf);
}

#[test]
fn markdown_and_tables_show_key_names_never_render_them() {
    let server = RedisServer::start(&[]);
    seed_hostile(&server);
    for format in ["md", "table"] {
        let out = triage()
            .args(["redis", "--url", &server.url(), "--bigkeys", "-q", "--format", format])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(!text.contains('\x1b') && !text.contains('\x07'), "{format}: raw escape");
        let shown = if format == "md" {
            "x1b\\]0;pwned"
        } else {
            "\\x1b]0;pwned"
        };
        assert!(text.contains(shown), "{format}: the escape is shown: {text}");
        if format == "md" {
            // Every `<` and `](` is escaped: no HTML element, no link.
            assert!(!text.replace("\\<", "").contains('<'), "{text}");
            assert!(!text.replace("\\]", "").contains("]("), "{text}");
            assert!(text.contains("\\<img src=x onerror=alert\\(1\\)\\>"), "{text}");
            assert!(text.contains("\\[x\\]\\(javascript:alert\\(1\\)\\)"), "{text}");
        }
    }
}

/// Runs a slow (rate-limited) big-key scan, does `act` to the server after `after`, and
/// returns the exit code, the JSON report and stderr.
fn interrupted_scan(server: &RedisServer, after: Duration, act: impl FnOnce(u32)) -> (Option<i32>, Value, String) {
    let child = triage()
        .args([
            "redis",
            "--url",
            &server.url(),
            "--bigkeys",
            "--max-ops-per-sec",
            "8000",
            "--timeout",
            "1s",
            "--format",
            "json",
            "-q",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(after);
    act(server.child.id());
    let out = child.wait_with_output().unwrap();
    let report = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (
        out.status.code(),
        report,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn signal(pid: u32, sig: &str) {
    let ok = Command::new("kill")
        .args([sig, &pid.to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill {sig} {pid}");
}

#[test]
fn a_server_that_dies_mid_scan_leaves_the_keys_scanned_and_the_cursor() {
    let server = RedisServer::start(&[]);
    seed_hostile(&server);
    // 20k keys × 2 commands at 8000/s take 5 s; the server dies after about 1.5 s.
    let (code, r, err) = interrupted_scan(&server, Duration::from_millis(1500), |pid| signal(pid, "-KILL"));
    assert_eq!(code, Some(2), "{err}");
    let b = &r["bigkeys"];
    let scanned = b["keys_scanned"].as_u64().expect(&err);
    assert!(scanned > 1000 && scanned < 20_000, "{scanned} keys kept");
    assert_eq!(b["complete"], false);
    let cursor = b["next_cursor"].as_u64().unwrap();
    assert!(cursor != 0, "a cursor to resume from");
    assert!(err.contains("connection lost"), "{err}");
    assert!(err.contains(&format!("--cursor {cursor}")), "{err}");
    assert!(r["interrupted"].as_str().is_some_and(|s| s.contains("connection lost")));
}

#[test]
fn a_server_that_hangs_mid_scan_times_out_with_what_was_found() {
    let server = RedisServer::start(&[]);
    seed_hostile(&server);
    let (code, r, err) = interrupted_scan(&server, Duration::from_millis(1500), |pid| signal(pid, "-STOP"));
    signal(server.child.id(), "-CONT");
    assert_eq!(code, Some(2), "{err}");
    assert!(r["bigkeys"]["keys_scanned"].as_u64().is_some_and(|n| n > 1000), "{err}");
    assert!(r["bigkeys"]["next_cursor"].as_u64().is_some_and(|c| c != 0));
    assert!(err.contains("timed out: no answer within 1 s"), "{err}");
    assert!(!err.contains("temporarily unavailable"), "{err}");
}

#[test]
fn a_password_in_the_url_is_never_printed() {
    let closed = free_port();
    let url = format!("redis://admin:hunter2secret@127.0.0.1:{closed}/0");
    let out = triage().args(["redis", "--url", &url, "-q"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!all.contains("hunter2secret"), "{all}");
    let bad = "redis://admin:hunter2secret@127.0.0.1:notaport/0";
    let out = triage().args(["redis", "--url", bad, "-q"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("hunter2secret") && err.contains("127.0.0.1"), "{err}");
}
