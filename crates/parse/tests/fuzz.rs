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
}
