//! A progress bar on stderr for long runs: bytes, records/s and ETA.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use triage_parse::intake::FileInfo;

/// Shown only on a terminal, and only once the input is big enough to wait for.
pub struct Progress {
    bar: Option<ProgressBar>,
    records: std::cell::Cell<u64>,
    started: std::time::Instant,
}

impl Progress {
    pub fn new(enabled: bool) -> Self {
        let bar = enabled.then(|| {
            let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("{spinner} {bytes}/{total_bytes} {bytes_per_sec} {msg} ETA {eta}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar
        });
        Progress {
            bar,
            records: std::cell::Cell::new(0),
            started: std::time::Instant::now(),
        }
    }

    pub fn start_file(&self, info: &FileInfo) {
        if let Some(bar) = &self.bar {
            bar.inc_length(info.size_on_disk.unwrap_or(0));
        }
    }

    pub fn advance(&self, bytes: u64, records: u64) {
        self.records.set(self.records.get() + records);
        if let Some(bar) = &self.bar {
            bar.inc(bytes);
            let secs = self.started.elapsed().as_secs_f64().max(1e-3);
            bar.set_message(format!("{:.0} records/s", self.records.get() as f64 / secs));
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
