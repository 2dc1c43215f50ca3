//! The time frame of an analysis: the window, the baseline spans it is compared with,
//! and the buckets of the count series (baseline before the window + the window).

/// Nanoseconds per unit.
pub const MILLISECOND: i64 = 1_000_000;
pub const SECOND: i64 = 1_000 * MILLISECOND;
pub const MINUTE: i64 = 60 * SECOND;
pub const HOUR: i64 = 60 * MINUTE;
pub const DAY: i64 = 24 * HOUR;

/// Window length when neither `--from/--to` nor `--last` is given.
pub const DEFAULT_WINDOW: i64 = 15 * MINUTE;
/// Buckets in the window (the series resolution).
const WINDOW_BUCKETS: i64 = 60;

/// What the user asked for.
#[derive(Debug, Clone, Default)]
pub struct FrameRequest {
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub last: Option<i64>,
    pub baseline: Option<(i64, i64)>,
}

/// The earliest time whose records the analysis may still attribute a spike to, known
/// while the records stream in. Spike attribution reads the items of records in the
/// window and its baselines only; on an input that spans months, most records are
/// older than that and their items need not be built. The bound is conservative: it
/// grows with the newest time seen so far, which only rises towards the final one.
#[derive(Debug)]
pub struct ItemHorizon {
    req: FrameRequest,
    newest: std::sync::atomic::AtomicI64,
}

impl ItemHorizon {
    pub fn new(req: &FrameRequest) -> ItemHorizon {
        ItemHorizon {
            req: req.clone(),
            newest: std::sync::atomic::AtomicI64::new(i64::MIN),
        }
    }

    /// Notes that a record of time `ts` was read (any thread).
    pub fn observe(&self, ts: i64) {
        self.newest.fetch_max(ts, std::sync::atomic::Ordering::Relaxed);
    }

    /// Records older than this cannot fall in the window, a baseline or the lead-in of a
    /// spike, whatever the rest of the input holds.
    pub fn needed_from(&self) -> i64 {
        let newest = self.newest.load(std::sync::atomic::Ordering::Relaxed);
        let last = self.req.last.unwrap_or(DEFAULT_WINDOW);
        // Window start and length as far as they are known now; a window that ends at the
        // newest record starts no earlier than the newest time seen so far minus its length.
        let (start, len) = match (self.req.from, self.req.to) {
            (Some(f), Some(t)) => (f, (t - f).max(1)),
            (Some(f), None) if self.req.last.is_some() => (f, last),
            // Ends at the last record: the length is not known until the end.
            (Some(_), None) => return i64::MIN,
            (None, Some(t)) => (t.saturating_sub(last), last),
            (None, None) if newest == i64::MIN => return i64::MIN,
            (None, None) => (newest.saturating_sub(last), last),
        };
        // Baselines reach 4 window lengths or a day back; a spike's lead-in, a few buckets.
        let mut from = start.saturating_sub((4 * len).max(DAY)).saturating_sub(len);
        if let Some((b, _)) = self.req.baseline {
            from = from.min(b.saturating_sub(len));
        }
        from
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    /// `[from, to)`.
    pub window: (i64, i64),
    /// Baseline spans, `[from, to)` each, not overlapping the window.
    pub baselines: Vec<(i64, i64)>,
    /// Series start (the earliest "before the window" baseline start, or the window's).
    pub series_start: i64,
    pub bucket: i64,
    pub buckets: usize,
}

impl Frame {
    /// Resolves the request against the data's time range (`None` when no record had a
    /// time: then the window is empty and only totals make sense).
    pub fn resolve(req: &FrameRequest, data: Option<(i64, i64)>) -> Frame {
        let (min_ts, max_ts) = data.unwrap_or((0, 0));
        let window = match (req.from, req.to, req.last) {
            (Some(f), Some(t), _) => (f, t.max(f + 1)),
            (Some(f), None, last) => (f, last.map_or(max_ts + 1, |l| f + l).max(f + 1)),
            (None, Some(t), last) => (t - last.unwrap_or(DEFAULT_WINDOW), t),
            // The last record is inside: the window ends at the next whole second.
            (None, None, last) => {
                let end = max_ts - max_ts.rem_euclid(SECOND) + SECOND;
                (end - last.unwrap_or(DEFAULT_WINDOW), end)
            }
        };
        let len = window.1 - window.0;
        let baselines = match req.baseline {
            Some(b) => vec![b],
            None => {
                let mut spans = Vec::new();
                let before = ((window.0 - 4 * len).max(min_ts), window.0);
                if before.0 < before.1 {
                    spans.push(before);
                }
                // The same clock time one day earlier, when the data reaches back that far
                // and it does not overlap the span just before the window.
                let day = (window.0 - DAY, window.1 - DAY);
                if min_ts <= day.0 && day.1 <= before.0 {
                    spans.push(day);
                }
                spans
            }
        };
        let series_start = baselines
            .iter()
            .filter(|b| b.1 <= window.0 && window.0 - b.0 <= 8 * len.max(MINUTE))
            .map(|b| b.0)
            .min()
            .unwrap_or(window.0);
        let bucket = nice_bucket(len / WINDOW_BUCKETS);
        let series_start = series_start - series_start.rem_euclid(bucket);
        let buckets = ((window.1 - series_start + bucket - 1) / bucket).max(1) as usize;
        Frame {
            window,
            baselines,
            series_start,
            bucket,
            buckets,
        }
    }

    pub fn in_window(&self, ts: i64) -> bool {
        self.window.0 <= ts && ts < self.window.1
    }

    pub fn in_baseline(&self, ts: i64) -> bool {
        self.baselines.iter().any(|b| b.0 <= ts && ts < b.1)
    }

    /// Series bucket of a time, if inside the series.
    pub fn bucket_of(&self, ts: i64) -> Option<usize> {
        if ts < self.series_start || ts >= self.window.1 {
            return None;
        }
        Some(((ts - self.series_start) / self.bucket) as usize)
    }

    pub fn bucket_start(&self, i: usize) -> i64 {
        self.series_start + i as i64 * self.bucket
    }

    /// First bucket that starts at or after the window start.
    pub fn window_first_bucket(&self) -> usize {
        ((self.window.0 - self.series_start).max(0) / self.bucket) as usize
    }

    pub fn window_len(&self) -> i64 {
        self.window.1 - self.window.0
    }
}

/// Rounds up to a bucket people read easily (1 s, 5 s, 10 s, 15 s, 30 s, 1 min, …).
fn nice_bucket(raw: i64) -> i64 {
    const STEPS: [i64; 14] = [1, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600];
    let secs = (raw + SECOND - 1) / SECOND;
    STEPS.iter().copied().find(|&s| s >= secs).unwrap_or(86400) * SECOND
}

/// `1h 5m`, `11m`, `40s` — for lags in human text.
pub fn human_duration(ns: i64) -> String {
    let s = ns.abs() / SECOND;
    let (d, h, m, sec) = (s / 86400, s % 86400 / 3600, s % 3600 / 60, s % 60);
    let text = if d > 0 {
        format!("{d}d {h}h")
    } else if h > 0 {
        if m > 0 {
            format!("{h}h {m}m")
        } else {
            format!("{h}h")
        }
    } else if m > 0 {
        if sec > 0 && m < 10 {
            format!("{m}m {sec}s")
        } else {
            format!("{m}m")
        }
    } else if sec == 0 && ns != 0 {
        // Under a second: "first logged 0.4s after it", not "0s after it".
        let tenths = (ns.abs() as f64 / SECOND as f64 * 10.0).round();
        if tenths == 0.0 {
            "<0.1s".to_string()
        } else {
            format!("{:.1}s", tenths / 10.0)
        }
    } else {
        format!("{sec}s")
    };
    if ns < 0 {
        format!("-{text}")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_window_is_the_last_15_minutes() {
        let f = Frame::resolve(&FrameRequest::default(), Some((0, 2 * HOUR)));
        assert_eq!(f.window, (2 * HOUR + SECOND - 15 * MINUTE, 2 * HOUR + SECOND));
        assert_eq!(
            f.baselines,
            vec![(2 * HOUR + SECOND - 75 * MINUTE, 2 * HOUR + SECOND - 15 * MINUTE)]
        );
        assert_eq!(f.bucket, 15 * SECOND);
        assert!(f.in_window(2 * HOUR));
        assert!(!f.in_window(0));
        assert!(f.in_baseline(HOUR));
    }

    #[test]
    fn yesterday_joins_the_baseline_when_data_reaches_back() {
        let f = Frame::resolve(
            &FrameRequest {
                from: Some(2 * DAY),
                to: Some(2 * DAY + HOUR),
                ..Default::default()
            },
            Some((0, 3 * DAY)),
        );
        assert_eq!(f.baselines.len(), 2);
        assert_eq!(f.baselines[1], (DAY, DAY + HOUR));
        // The series covers only the span just before the window.
        assert_eq!(f.series_start, 2 * DAY - 4 * HOUR);
    }

    #[test]
    fn short_history_shortens_the_baseline() {
        let f = Frame::resolve(&FrameRequest::default(), Some((10 * MINUTE, 30 * MINUTE)));
        assert_eq!(f.baselines, vec![(10 * MINUTE, 30 * MINUTE + SECOND - 15 * MINUTE)]);
        let none = Frame::resolve(&FrameRequest::default(), Some((20 * MINUTE, 30 * MINUTE)));
        assert!(none.baselines.is_empty());
    }

    #[test]
    fn durations_read_well() {
        assert_eq!(human_duration(11 * HOUR + 5 * MINUTE), "11h 5m");
        assert_eq!(human_duration(90 * SECOND), "1m 30s");
        assert_eq!(human_duration(2 * DAY + 3 * HOUR), "2d 3h");
        assert_eq!(human_duration(372_000_000), "0.4s");
        assert_eq!(human_duration(20_000_000), "<0.1s");
        assert_eq!(human_duration(0), "0s");
    }

    #[test]
    fn item_horizon_never_cuts_into_the_frame() {
        let t0 = 1_700_000_000 * SECOND;
        let requests = [
            FrameRequest::default(),
            FrameRequest {
                last: Some(2 * HOUR),
                ..Default::default()
            },
            FrameRequest {
                last: Some(3 * DAY),
                ..Default::default()
            },
            FrameRequest {
                from: Some(t0 - 12 * HOUR),
                to: Some(t0),
                ..Default::default()
            },
            FrameRequest {
                to: Some(t0 - HOUR),
                last: Some(30 * MINUTE),
                ..Default::default()
            },
            FrameRequest {
                from: Some(t0 - HOUR),
                last: Some(10 * MINUTE),
                ..Default::default()
            },
            FrameRequest {
                baseline: Some((t0 - 9 * DAY, t0 - 8 * DAY)),
                ..Default::default()
            },
        ];
        for req in &requests {
            let horizon = ItemHorizon::new(req);
            // Records arrive out of order; the horizon only ever sees a prefix of them.
            for seen in [t0 - 5 * DAY, t0 - HOUR, t0] {
                horizon.observe(seen);
                let cut = horizon.needed_from();
                let frame = Frame::resolve(req, Some((t0 - 30 * DAY, t0)));
                let earliest = frame
                    .baselines
                    .iter()
                    .map(|b| b.0)
                    .chain([frame.window.0, frame.series_start])
                    .min()
                    .unwrap_or(frame.window.0);
                assert!(
                    cut <= earliest - 2 * frame.bucket,
                    "{req:?} after {seen}: cut {cut} > {earliest}"
                );
            }
        }
        // A window that ends at the last record with an open length keeps everything.
        let open = ItemHorizon::new(&FrameRequest {
            from: Some(t0),
            ..Default::default()
        });
        open.observe(t0);
        assert_eq!(open.needed_from(), i64::MIN);
        // And the horizon does cut: a month-long input keeps about a day of items.
        let h = ItemHorizon::new(&FrameRequest::default());
        h.observe(t0);
        assert!(h.needed_from() > t0 - 2 * DAY);
    }
}
