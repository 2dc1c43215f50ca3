//! Bounded property-based fuzzing of masking and induction: arbitrary text (multi-byte
//! characters, odd punctuation, half-built timestamps and lists) must never panic, and
//! every masked value must lie inside its message.

use proptest::prelude::*;
use triage_mine::mask::{CustomMask, Masked, Masker};
use triage_mine::miner::{induce, shape_chunk, ShapeTable};
use triage_parse::Record;

/// Tokens of the shapes the masker's fast paths take (a word or number in punctuation)
/// and of the near misses they must leave to the full path.
fn token() -> impl Strategy<Value = String> {
    let open = prop::sample::select(vec!["", "", "(", "[", "\"", "'", "<", "{", "`", "(<", "[\""]);
    let close = prop::sample::select(vec![
        "", "", ",", ":", ".", ")", "]", "\"", ";", "!", "?", ">", "),", "\":", "...", ">]",
    ]);
    let core = prop_oneof![
        "[a-zA-Z]{1,9}",
        "[0-9]{1,12}",
        prop::sample::select(vec![
            "in", "IN", "Jan", "Mon", "true", "False", "Dec", "December", "12:30", "2024", "123456", "1.5", "0x1f",
            "KB", "ms", "sec", "a1", "é", "",
        ])
        .prop_map(String::from),
    ];
    let near_misses = prop::sample::select(vec![
        "(12",
        "KB)",
        "(12)",
        "(12 KB)",
        "(3 ms)",
        "<1",
        "<1 sec",
        "~5",
        "~5 ms",
        ">3",
        "1700000000",
        "1700000000123",
        "[<12>]",
        "<12>",
        "sec",
        "bytes",
    ]);
    prop_oneof![
        3 => (open, core, close).prop_map(|(o, c, e)| format!("{o}{c}{e}")),
        1 => near_misses.prop_map(String::from),
    ]
}

fn message() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "IN (1, 2",
        "IN (",
        "user=",
        "a=b=c",
        "<1 sec",
        "(1.5 KB)",
        "0x",
        "::1",
        "2024-01-01 10:00",
        "Jun 14",
        "http://",
        "/a/b?c=d&e",
        "é",
        "日本",
        "[x]",
        "true,",
        "1.2.3.4:",
        "-",
        "=",
        ":",
    ]);
    prop::collection::vec(prop_oneof![pieces.prop_map(String::from), "\\PC{0,12}"], 0..12).prop_map(|v| v.join(" "))
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("TRIAGE_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(500),
        rng_seed: proptest::test_runner::RngSeed::Fixed(
            std::env::var("TRIAGE_FUZZ_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(0x6d69_6e65),
        ),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn masking_and_induction_never_panic(messages in prop::collection::vec(message(), 1..30)) {
        let masker = Masker::default();
        let mut masked = Masked::default();
        for m in &messages {
            masker.mask(m, &mut masked);
            for p in &masked.params {
                prop_assert!(p.start <= p.end && p.end as usize <= m.len());
                prop_assert!(m.is_char_boundary(p.start as usize) && m.is_char_boundary(p.end as usize));
            }
        }
        let records: Vec<Record> = messages.iter().map(|m| Record { message: m.clone(), ..Record::default() }).collect();
        let mut table = ShapeTable::default();
        let global = table.absorb(&shape_chunk(&masker, &records, true));
        let templates = induce(&table);
        prop_assert!(global.iter().all(|&g| (g as usize) < table.shapes.len()));
        let covered: u64 = templates.templates.iter().map(|t| t.count).sum();
        prop_assert_eq!(covered, records.len() as u64);
    }

    /// The fast paths for plain words and numbers (`Masker::mask_from`) give exactly
    /// what the full path gives: a user mask that never matches turns them off.
    #[test]
    fn fast_paths_agree_with_the_full_path(
        tokens in prop::collection::vec(prop_oneof![token(), message()], 1..12)
    ) {
        let message = tokens.join(" ");
        let fast = Masker::default();
        let full = Masker::with_custom(vec![CustomMask::parse("never=\\x00never\\x00").unwrap()]);
        let (mut a, mut b) = (Masked::default(), Masked::default());
        fast.mask(&message, &mut a);
        full.mask(&message, &mut b);
        prop_assert_eq!(&a.shape, &b.shape, "{}", message);
        prop_assert_eq!(&a.params, &b.params, "{}", message);
    }
}
