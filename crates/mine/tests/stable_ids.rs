//! Template ids are promised stable across runs, machines and versions: they are the
//! 64-bit FNV-1a hash of the template text. These tests pin literal values computed
//! outside this code (the FNV reference vectors, and ids computed with an independent
//! FNV-1a in Python), so a changed offset basis, prime or byte order cannot pass
//! unseen — comparing against `stable_hash` itself could never fail.

use triage_mine::mask::Masker;
use triage_mine::miner::{induce, shape_chunk, stable_hash, ShapeTable, Templates};
use triage_parse::Record;

#[test]
fn fnv1a_64_reference_vectors() {
    // From the FNV reference (Fowler/Noll/Vo test suite).
    assert_eq!(stable_hash(""), 0xcbf2_9ce4_8422_2325);
    assert_eq!(stable_hash("a"), 0xaf63_dc4c_8601_ec8c);
    assert_eq!(stable_hash("foobar"), 0x8594_4171_f739_67e8);
}

/// Messages of HDFS_2k.log (Loghub), the header stripped as the parser does.
const HDFS: [&str; 8] = [
    "PacketResponder 1 for block blk_38865049064139660 terminating",
    "PacketResponder 0 for block blk_-6952295868487656571 terminating",
    "BLOCK* NameSystem.addStoredBlock: blockMap updated: 10.251.73.220:50010 is added to blk_7128370237687728475 size 67108864",
    "PacketResponder 2 for block blk_8229193803249955061 terminating",
    "BLOCK* NameSystem.addStoredBlock: blockMap updated: 10.251.43.115:50010 is added to blk_3050920587428079149 size 67108864",
    "Receiving block blk_5792489080791696128 src: /10.251.30.6:33145 dest: /10.251.30.6:50010",
    "Receiving block blk_1724757848743533110 src: /10.251.111.130:49851 dest: /10.251.111.130:50010",
    "Receiving block blk_-5623176793330377570 src: /10.251.75.228:53725 dest: /10.251.75.228:50010",
];

fn mine(lines: &[&str]) -> Templates {
    let records: Vec<Record> = lines
        .iter()
        .map(|l| Record {
            message: l.to_string(),
            ..Record::default()
        })
        .collect();
    let mut table = ShapeTable::default();
    table.absorb(&shape_chunk(&Masker::default(), &records, false));
    induce(&table)
}

#[test]
fn hdfs_template_ids_are_pinned() {
    let t = mine(&HDFS);
    let mut got: Vec<(&str, &str)> = t.templates.iter().map(|t| (t.text.as_str(), t.id.as_str())).collect();
    got.sort();
    // Ids computed with an independent FNV-1a (Python) over these exact texts.
    let want = [
        (
            "BLOCK* NameSystem.addStoredBlock: blockMap updated: <ip> is added to <id> size <num>",
            "1e5e298c1d1f4db9",
        ),
        ("PacketResponder <num> for block <id> terminating", "e215a9ccfc5b7916"),
        ("Receiving block <id> src: <path> dest: <path>", "e1604097c3fb2a4b"),
    ];
    assert_eq!(got, want);
}
