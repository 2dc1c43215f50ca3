//! Induction's cost and result on inputs that made it quadratic: many clusters that
//! differ in two words at once, and many clusters that share every token class but
//! one. Counted in comparisons ([`FITS_CALLS`]), not timed.

use super::*;

fn records(lines: &[String]) -> Vec<Record> {
    lines
        .iter()
        .map(|l| Record {
            message: l.clone(),
            ..Record::default()
        })
        .collect()
}

/// Templates of `lines` and the `fits` comparisons induction made.
fn induce_counting(lines: &[String]) -> (Templates, u64) {
    let masker = Masker::default();
    let mut table = ShapeTable::default();
    table.absorb(&shape_chunk(&masker, &records(lines), false));
    FITS_CALLS.with(|c| c.set(0));
    let t = induce(&table);
    (t, FITS_CALLS.with(|c| c.get()))
}

/// A letters-only name (g–z: never hex, never a number, never a word the masker knows).
fn name(mut n: usize, salt: u8) -> String {
    let mut s = String::from(if salt == 0 { "u" } else { "v" });
    loop {
        s.push((b'g' + ((n + salt as usize) % 20) as u8) as char);
        n /= 20;
        if n == 0 {
            return s;
        }
    }
}

#[test]
fn distinct_names_in_two_positions_make_one_template_in_linear_comparisons() {
    // Every user and every host distinct: no two lines share all but one word.
    let n = 20_000;
    let lines: Vec<String> = (0..n)
        .map(|i| format!("session opened for user {} by {}", name(i, 0), name(i * 7 + 3, 1)))
        .collect();
    let (t, fits) = induce_counting(&lines);
    let texts: Vec<&str> = t.templates.iter().take(3).map(|t| t.text.as_str()).collect();
    assert_eq!(t.templates.len(), 1, "{texts:?}…");
    assert_eq!(texts, ["session opened for user <*> by <*>"]);
    assert_eq!(t.templates[0].count, n as u64);
    // Before: one comparison per pair sharing `session` (2·10⁸).
    assert!(fits <= n as u64, "{fits} comparisons for {n} clusters");
}

#[test]
fn a_grid_of_common_words_is_compared_in_linear_time() {
    // 4⁶ = 4096 clusters of two records each; every word is shared by 1024 clusters at
    // its position, and four values (each seen twice) are events, not data (five recurring
    // values make a variable), so nothing merges. Anchoring on one shared word would
    // compare each cluster with 1024.
    let words = ["alpha", "bravo", "charlie", "delta"];
    let mut lines = Vec::new();
    for i in 0..4096usize {
        let w: Vec<&str> = (0..6).map(|k| words[i / 4usize.pow(k) % 4]).collect();
        let line = format!("start {}", w.join(" "));
        lines.push(line.clone());
        lines.push(line);
    }
    let (t, fits) = induce_counting(&lines);
    assert_eq!(t.templates.len(), 4096);
    assert!(fits <= 4 * 4096, "{fits} comparisons for 4096 clusters");
}

#[test]
fn event_families_that_change_two_words_stay_apart() {
    // BGL: interrupt kinds, each a label of its own (a family, not a value). The dot
    // leader splits the counter off, so the two `illegal` lines are one template.
    let kinds = [
        ("illegal instruction......0", 5),
        ("privileged instruction...0", 5),
        ("trap instruction.........0", 1),
        ("imprecise exception......0", 5),
        ("unimplemented operation..0", 2),
        ("illegal instruction......1", 3),
    ];
    let mut lines = Vec::new();
    for (kind, n) in kinds {
        for _ in 0..n {
            lines.push(format!("program interrupt: {kind}"));
        }
    }
    let (t, _) = induce_counting(&lines);
    assert_eq!(
        t.templates.len(),
        5,
        "{:?}",
        t.templates.iter().map(|t| &t.text).collect::<Vec<_>>()
    );
}

#[test]
fn keyed_values_in_two_positions_merge_without_many_clusters() {
    // Linux: `rhost=` and `user=` change together; the syntax says both are values.
    // Bare host names (a DNS name would be masked as an address before induction).
    let lines: Vec<String> = [("gateway", "guest"), ("kiosk", "test"), ("mailer", "admin")]
        .iter()
        .map(|(h, u)| format!("authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost={h} user={u}"))
        .collect();
    let (t, _) = induce_counting(&lines);
    let texts: Vec<&str> = t.templates.iter().map(|t| t.text.as_str()).collect();
    assert_eq!(
        texts,
        ["authentication failure; logname= uid=<num> euid=<num> tty=ssh ruser= rhost=<*> user=<*>"]
    );
}
