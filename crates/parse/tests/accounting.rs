//! Bytes in = bytes accounted for: whatever intake is given (formats switching
//! mid-file, stack traces, NUL runs, over-long lines, records past the size cap, CRLF,
//! blank lines), every byte ends up in a record or in a counted skip, and every line in
//! exactly one record or among the blank lines. Bounded proptest run with a fixed seed.

use std::sync::Mutex;

use proptest::prelude::*;
use triage_parse::intake::{self, IntakeEvent, IntakeOptions};
use triage_read::ReadLimits;

/// A piece of a hostile log file.
fn segment() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        (0u32..3600).prop_map(|i| format!(
            "2015-10-18 18:{:02}:{:02},978 INFO [main] org.apache.hadoop.App: step {i}\n",
            i / 60,
            i % 60
        )
        .into_bytes()),
        (0u32..3600).prop_map(|i| format!(
            "{{\"time\":\"2015-10-18T18:10:{:02}Z\",\"level\":\"ERROR\",\"msg\":\"db down {i}\"}}\n",
            i % 60
        )
        .into_bytes()),
        (0u32..3600).prop_map(|i| format!("Dec 10 06:55:{:02} LabSZ sshd[{i}]: Invalid user x\n", i % 60).into_bytes()),
        (1usize..40).prop_map(|n| "\tat com.example.Frame.call(Frame.java:1)\n".repeat(n).into_bytes()),
        Just(b"java.lang.IllegalStateException: boom\r\n".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"   \n".to_vec()),
        (1usize..3000).prop_map(|n| vec![0u8; n]),
        (100usize..2000).prop_map(|n| {
            let mut v = b"2015-10-18 18:00:00,000 WARN [main] a.B: ".to_vec();
            v.extend(std::iter::repeat_n(b'x', n));
            v.push(b'\n');
            v
        }),
        "[a-z0-9 =:.-]{0,80}\n".prop_map(String::into_bytes),
        prop::collection::vec(any::<u8>().prop_filter("no NUL", |b| *b != 0), 0..40),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("TRIAGE_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(64),
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x6279_7465_7321),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn every_byte_and_line_is_accounted_for(
        segments in prop::collection::vec(segment(), 1..120),
        chunk_bytes in 1024usize..8192,
        max_record_bytes in 256usize..2048,
    ) {
        let bytes: Vec<u8> = segments.concat();
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("hostile.log");
        std::fs::write(&file, &bytes).unwrap();
        let opts = IntakeOptions {
            limits: ReadLimits { chunk_bytes, max_line_bytes: 600 },
            max_record_bytes,
            ..IntakeOptions::default()
        };
        let records = Mutex::new(Vec::new());
        let mut chunk_bytes_seen = 0u64;
        let summary = intake::run(
            &[file.display().to_string()],
            &opts,
            |_, recs, _| recs.iter().map(|r| (r.line, r.line_count as u64, r.message.len())).collect::<Vec<_>>(),
            |event| {
                if let IntakeEvent::Chunk(_, recs, n) = event {
                    chunk_bytes_seen += n;
                    records.lock().unwrap().extend(recs);
                }
                true
            },
        );
        let records = records.into_inner().unwrap();
        let c = &summary.counts;
        // Bytes: the file = what reached the chunks + NULs skipped + long-line tails cut.
        prop_assert_eq!(summary.bytes, bytes.len() as u64);
        prop_assert_eq!(
            chunk_bytes_seen + summary.nul_bytes_skipped + summary.long_line_bytes_dropped,
            summary.bytes
        );
        // Lines: every line of the file (once NULs are gone: a file of NULs alone has
        // none) is in exactly one record or blank.
        let text: Vec<u8> = bytes.iter().copied().filter(|&b| b != 0).collect();
        let lines = text.iter().filter(|&&b| b == b'\n').count() as u64
            + u64::from(text.last().is_some_and(|&b| b != b'\n'));
        prop_assert_eq!(c.lines, lines);
        prop_assert_eq!(records.len() as u64, c.records);
        let in_records: u64 = records.iter().map(|r| r.1).sum();
        prop_assert_eq!(in_records + c.blank_lines, lines);
        prop_assert_eq!(c.records + c.continuation_lines + c.blank_lines, lines);
        // Records come in file order and never overlap; none is past the cap.
        for w in records.windows(2) {
            prop_assert!(w[1].0 >= w[0].0 + w[0].1, "{:?} then {:?}", w[0], w[1]);
        }
        prop_assert!(records.iter().all(|r| r.2 <= max_record_bytes));
    }
}
