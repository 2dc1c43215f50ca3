//! The caps behind the memory bound of the single pass (`collect`), each driven past its
//! limit with the overflow counted exactly: distinct values per dimension (hosts,
//! services…: 50,000) and attribution items overall (1,000,000), and the shape table
//! (`ShapeTable::MAX_SHAPES`) as the analysis folds it.

use triage_analyze::collect::{digest_chunk, Collected, Collector, NONE};
use triage_mine::mask::Masker;
use triage_mine::miner::ShapeTable;
use triage_parse::Record;

/// Folds `records` in chunks of `chunk` records, as the real pass does.
fn collect(records: &[Record], chunk: usize) -> Collected {
    let masker = Masker::default();
    let mut c = Collector::new().unwrap();
    for part in records.chunks(chunk) {
        c.absorb(digest_chunk(&masker, "app.log", part, i64::MIN)).unwrap();
    }
    c.finish().unwrap()
}

/// Letters only, from g–z (never hex, never a number), so masking keeps the word (callers
/// prefix it, so that it never spells a word the masker knows, such as `null` or `on`).
fn word(mut n: usize) -> String {
    let mut s = String::new();
    loop {
        s.push((b'g' + (n % 20) as u8) as char);
        n /= 20;
        if n == 0 {
            return s;
        }
    }
}

#[test]
fn hosts_past_the_dimension_cap_are_counted_and_not_interned() {
    const CAP: usize = 50_000;
    let records: Vec<Record> = (0..CAP + 7)
        .map(|i| Record {
            ts: Some(i as i64),
            host: Some(format!("host-{}", word(i))),
            message: "heartbeat ok".into(),
            ..Record::default()
        })
        .collect();
    let mut c = collect(&records, 4096);
    assert_eq!(c.hosts.len(), CAP);
    assert_eq!(c.hosts.dropped, 7, "every host past the cap is counted");
    // The first hosts keep their id; the last ones read as "no host".
    assert!(c.hosts.find(&format!("host-{}", word(0))).is_some());
    assert!(c.hosts.find(&format!("host-{}", word(CAP + 6))).is_none());
    let mut without_host = 0;
    c.for_each_row(|row, _| without_host += (row.host == NONE) as u64)
        .unwrap();
    assert_eq!(without_host, 7);
    assert_eq!(c.records, (CAP + 7) as u64, "the records themselves are all kept");
}

#[test]
fn items_past_the_overall_cap_are_counted() {
    const CAP: usize = 1_000_000;
    // 2,100 fields × 500 values (each field exactly at its per-field cap of 500) =
    // 1,050,000 distinct items, 24 per record (the per-record maximum).
    const FIELDS: usize = 2_100;
    const VALUES: usize = 500;
    const PER_RECORD: usize = 24;
    let total = FIELDS * VALUES;
    let records: Vec<Record> = (0..total / PER_RECORD)
        .map(|i| Record {
            ts: Some(i as i64),
            message: "audit entry".into(),
            fields: (0..PER_RECORD)
                .map(|j| {
                    let k = i * PER_RECORD + j;
                    (
                        format!("attr{}", word(k / VALUES)).into(),
                        format!("val{}", word(k % VALUES)),
                    )
                })
                .collect(),
            ..Record::default()
        })
        .collect();
    assert_eq!(records.len() * PER_RECORD, total);
    let c = collect(&records, 8192);
    assert_eq!(c.items.len(), CAP);
    assert_eq!(
        c.items.dropped,
        (total - CAP) as u64,
        "every item past the cap is counted"
    );
    // Record 41,666 holds the 1,000,000th item: it and every later record lose items.
    assert_eq!(c.records_past_item_caps, (records.len() - CAP / PER_RECORD) as u64);
}

#[test]
fn shapes_past_the_table_cap_fold_into_one_overflow_shape_per_length() {
    let cap = ShapeTable::MAX_SHAPES;
    // `cap + 5` distinct three-word messages, then one more of an earlier shape and two
    // new four-word ones.
    let mut records: Vec<Record> = (0..cap + 5)
        .map(|i| Record {
            ts: Some(i as i64),
            message: format!("job w{} done", word(i)),
            ..Record::default()
        })
        .collect();
    for message in [
        "job wg done".to_string(),
        "job wrkz done now".into(),
        "job wrkq done now".into(),
    ] {
        records.push(Record {
            ts: Some(records.len() as i64),
            message,
            ..Record::default()
        });
    }
    let c = collect(&records, 16_384);
    // cap shapes + one overflow shape of three tokens + one of four tokens.
    assert_eq!(c.shapes.shapes.len(), cap + 2);
    assert_eq!(
        c.shapes.overflowed, 7,
        "5 three-word and 2 four-word records past the cap"
    );
    let overflow3 = c
        .shapes
        .shapes
        .iter()
        .find(|s| s.text == "<*> <*> <*>")
        .expect("overflow shape");
    assert_eq!(overflow3.count, 5);
    // A known shape still counts as itself after the cap is reached.
    let first = c.shapes.shapes.iter().find(|s| s.text == "job wg done").unwrap();
    assert_eq!(first.count, 2);
}

/// Records with values of one field past its cap (500) are counted, so the report can
/// say how many values were not used to explain spikes.
#[test]
fn field_values_past_the_per_field_cap_are_counted() {
    const CAP: usize = 500;
    let records: Vec<Record> = (0..CAP + 10)
        .map(|i| Record {
            ts: Some(i as i64),
            message: "audit entry".into(),
            fields: vec![("region".into(), format!("reg{}", word(i)))],
            ..Record::default()
        })
        .collect();
    let c = collect(&records, 64);
    assert_eq!(c.records_past_item_caps, 10);
    assert_eq!(c.items.len(), CAP);
    assert_eq!(c.items.dropped, 0, "the overall cap is not reached");
}
