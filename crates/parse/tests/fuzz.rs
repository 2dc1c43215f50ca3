//! Bounded property-based fuzzing of the format detector, every line parser and the
//! assembler: arbitrary and adversarial input must never panic, and parsing must
//! account for every line. Runs in the normal test suite (fixed case counts).

use proptest::prelude::*;
use triage_parse::assemble::{Assembler, IntakeCounts};
use triage_parse::detect;
use triage_parse::timestamp::{self, TimeContext};
use triage_parse::Record;

/// Lines that look like logs, with random damage.
fn log_like_line() -> impl Strategy<Value = String> {
    let heads = prop::sample::select(vec![
        "2024-03-01 10:00:00,123 INFO [main] a.b.C - ",
        "Jun 14 15:16:01 host sshd[1]: ",
        "<34>1 2003-10-11T22:14:15.003Z h app 1 ID [x@1 a=\"b\"] ",
        "{\"ts\":1700000000,\"level\":\"info\",\"msg\":\"",
        "127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET /a?b=c HTTP/1.0\" 200 1 ",
        "time=2024-01-01T00:00:00Z level=warn msg=\"",
        "2016-10-06T00:17:09.669794202Z stdout F ",
        "\tat a.b.C.run(C.java:1)",
        "[Sun Dec 04 04:47:44 2005] [error] ",
        "081109 203615 148 INFO dfs.X: ",
        "",
    ]);
    (heads, "\\PC{0,60}", prop::collection::vec(any::<u8>(), 0..8)).prop_map(|(h, tail, junk)| {
        let mut s = String::from(h);
        s.push_str(&tail);
        s.push_str(&String::from_utf8_lossy(&junk));
        s.replace('\n', " ")
    })
}

/// One parser per format, each built the way intake builds it: detected from a sample
/// of its own lines.
fn parsers() -> Vec<(String, std::sync::Arc<dyn triage_parse::formats::LineParser>)> {
    let samples: [&[&str]; 10] = [
        &["2024-03-01 10:00:00,123 INFO [main] a.b.C - started", "2024-03-01 10:00:01,000 WARN [main] a.b.C - slow"],
        &["Jun 14 15:16:01 host sshd[1]: accepted", "Jun 14 15:16:02 host sshd[2]: closed"],
        &["<34>1 2003-10-11T22:14:15.003Z h app 1 ID [x@1 a=\"b\"] hello", "<34>1 2003-10-11T22:14:16.003Z h app 1 ID - bye"],
        &["{\"ts\":1700000000,\"level\":\"info\",\"msg\":\"a\"}", "{\"ts\":1700000001,\"level\":\"warn\",\"msg\":\"b\"}"],
        &["127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET /a HTTP/1.0\" 200 1", "127.0.0.2 - - [10/Oct/2000:13:55:37 -0700] \"POST /b HTTP/1.1\" 500 2"],
        &["time=2024-01-01T00:00:00Z level=warn msg=\"x\"", "time=2024-01-01T00:00:01Z level=info msg=y"],
        &["2016-10-06T00:17:09.669794202Z stdout F 2024-01-01 10:00:00 INFO a", "2016-10-06T00:17:10.669794202Z stderr F 2024-01-01 10:00:01 ERROR b"],
        &["{\"log\":\"I0115 10:00:00.123456 1 s.go:42] x\\n\",\"stream\":\"stderr\",\"time\":\"2024-01-15T10:00:00Z\"}"],
        &["ts,level,msg", "2024-01-01T00:00:00Z,info,hello", "2024-01-01T00:00:01Z,error,bye"],
        &["[2024-01-15T10:00:00,123][WARN ][o.e.c.Monitor] [node-1] disk", "[2024-01-15T10:00:01,123][INFO ][o.e.n.Node] [node-1] up"],
    ];
    samples
        .iter()
        .map(|s| {
            let d = detect::detect(s, &ctx());
            (d.candidate.name.clone(), d.parser().clone())
        })
        .collect()
}

fn ctx() -> TimeContext {
    TimeContext {
        zone: timestamp::Zone::utc(),
        reference: (2024, 6, 1),
    }
}

proptest! {
    // A fixed seed and no regression files: the suite must give the same verdict on
    // every CI run (a failure found here becomes a named unit test). For a longer,
    // different run: TRIAGE_FUZZ_SEED=<n> TRIAGE_FUZZ_CASES=<n> cargo test --test fuzz.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("TRIAGE_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(400),
        rng_seed: match std::env::var("TRIAGE_FUZZ_SEED").ok().and_then(|v| v.parse().ok()) {
            Some(seed) => proptest::test_runner::RngSeed::Fixed(seed),
            None => proptest::test_runner::RngSeed::Fixed(0x7269_6167_6500),
        },
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn detector_and_parsers_never_panic(lines in prop::collection::vec(log_like_line(), 1..40)) {
        let sample: Vec<&str> = lines.iter().map(String::as_str).collect();
        let det = detect::detect(&sample, &ctx());
        let text = lines.join("\n");
        let asm = Assembler { parser: det.parser().as_ref(), ctx: &ctx(), max_record_bytes: 4096 };
        let mut counts = IntakeCounts::default();
        let recs: Vec<Record> = asm.assemble(text.as_bytes(), 1, &mut counts);
        // Every non-blank line is a record head or a continuation.
        let physical = text.lines().count();
        prop_assert_eq!(counts.lines as usize, physical);
        prop_assert_eq!(counts.records + counts.continuation_lines + counts.blank_lines, counts.lines);
        prop_assert_eq!(recs.len() as u64, counts.records);
        for r in &recs {
            prop_assert!(r.line >= 1 && r.line as usize <= lines.len());
            prop_assert!(r.message.len() <= 4096);
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let sample: Vec<&str> = text.lines().collect();
        let det = detect::detect(&sample, &ctx());
        let asm = Assembler { parser: det.parser().as_ref(), ctx: &ctx(), max_record_bytes: 256 };
        let mut counts = IntakeCounts::default();
        let _ = asm.assemble(&bytes, 1, &mut counts);
        let _ = timestamp::scan(&bytes, &ctx());
    }

    #[test]
    fn timestamps_never_panic(s in "[0-9A-Za-z:./ ,+TZ-]{0,40}") {
        if let Some(m) = timestamp::scan(s.as_bytes(), &ctx()) {
            prop_assert!(m.len <= s.len());
        }
    }

    #[test]
    fn every_parser_agrees_with_itself(lines in prop::collection::vec(log_like_line(), 1..20)) {
        for (name, p) in parsers() {
            for line in &lines {
                let (mut all, mut facets, mut message) = (Record::default(), Record::default(), Record::default());
                let head = p.parse_line(line, &ctx(), &mut all);
                prop_assert_eq!(head, p.starts_record(line, &ctx()), "{}: {:?}", name, line);
                prop_assert_eq!(head, p.parse_facets(line, &ctx(), &mut facets), "{}: {:?}", name, line);
                prop_assert_eq!(head, p.parse_message(line, &ctx(), &mut message), "{}: {:?}", name, line);
                if head {
                    for r in [&facets, &message] {
                        prop_assert_eq!((r.ts, r.level, &r.message), (all.ts, all.level, &all.message), "{}: {:?}", name, line);
                    }
                } else {
                    let _ = p.continuation_text(line, &ctx());
                }
            }
        }
    }
}
