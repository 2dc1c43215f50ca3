//! Masking alone, one thread, on a file of messages (one per line): time per message
//! and a digest of every shape and value position, so that a change to `mask.rs` can be
//! checked for speed and for identical output in one run.
//!
//! `cargo run --release -p triage-mine --example mask_throughput -- FILE [REPS]`
//!
//! Lines with shuffled tokens (`shuf`) time masking as real logs do: sorted or
//! repetitive input lets the branch predictor learn the token classes, which it cannot
//! on mixed real lines (the same tokens cost 1.75× more shuffled).

use std::hash::{Hash, Hasher};

use triage_mine::mask::{Masked, Masker};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: mask_throughput FILE [REPS]")?;
    let reps: usize = args.next().map(|r| r.parse()).transpose()?.unwrap_or(10);
    let text = std::fs::read_to_string(&path)?;
    let lines: Vec<&str> = text.lines().collect();
    let masker = Masker::default();
    let mut out = Masked::default();
    let start = std::time::Instant::now();
    for _ in 0..reps {
        for line in &lines {
            masker.mask(line, &mut out);
        }
    }
    let elapsed = start.elapsed();
    let mut digest = std::collections::hash_map::DefaultHasher::new();
    for line in &lines {
        masker.mask(line, &mut out);
        out.shape.hash(&mut digest);
        for p in &out.params {
            (p.start, p.end, p.items, p.token, format!("{:?}", p.kind)).hash(&mut digest);
        }
    }
    let per_line = elapsed.as_nanos() as f64 / (reps * lines.len().max(1)) as f64;
    let mb_s = (reps * text.len()) as f64 / elapsed.as_secs_f64() / 1e6;
    println!(
        "{} lines × {reps}: {per_line:.0} ns/line, {mb_s:.0} MB/s; digest {:016x}",
        lines.len(),
        digest.finish()
    );
    Ok(())
}
