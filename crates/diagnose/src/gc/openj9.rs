//! OpenJ9 / IBM J9 verbose GC (`-verbose:gc`, `-Xverbosegclog`): XML elements, one
//! start tag per line. Not HotSpot output, so the README's rules name none of it; the
//! same definition is applied: a pause is a stop-the-world window the JVM logs with its
//! own duration.
//!
//! * OpenJ9 and IBM Java 7.1+ (R26+): `<exclusive-start …>` opens the window,
//!   `<exclusive-end … durationms="t" />` closes it with its duration; the collections
//!   inside (`<cycle-start type=…>`, `<gc-start type=…>`, `<percolate-collect>`) give its
//!   type: `scavenge` is young, `global` / `global garbage collect` full, Balanced's
//!   `partial gc` mixed, `global mark phase` increments other.
//! * IBM Java 5–7 (R23–R25): `<af type="nursery|tenured">`, `<sys>` (System.gc()) and
//!   `<con event="collection">` blocks, the pause being their closing
//!   `<time totalms="t" />`.
//!
//! Concurrent work (`<concurrent-kickoff>`, `<gc-op>` inside a window) is no pause of
//! its own. Memory: one open window.

use super::tally::{Pause, PauseType};
use super::text::{decimal_starting_at, iso_date, HeapChange};
use super::{Collector, Context};

/// Whether a line starts OpenJ9 verbose GC output: the XML prolog, the root element or
/// one of the elements every such log has.
pub(super) fn starts_log(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with("<?xml")
        || t.starts_with("<verbosegc")
        || t.starts_with("<initialized")
        || t.starts_with("<exclusive-start")
        || t.starts_with("<af type=")
        || t.starts_with("<sys id=")
}

#[derive(Debug)]
struct Window {
    line: u64,
    epoch_s: Option<f64>,
    date: Option<String>,
    /// The pause types of the collections seen inside, as bits (see `kind_bit`).
    kinds: u8,
    cause: Option<&'static str>,
    /// An IBM Java 5–7 block (`<af>`, `<sys>`, `<con>`): its element, whose closing
    /// tag ends it.
    legacy: Option<&'static str>,
    /// Inside the block's `<gc>` element, whose own times are not the block's.
    in_gc: bool,
    /// Heap used before the first collection and after the last, and the capacity,
    /// bytes, from the `<mem-info>` of `<gc-start>` and `<gc-end>`.
    used_before: Option<u64>,
    used_after: Option<u64>,
    capacity: u64,
    /// The next `<mem-info>` is the one of a `<gc-start>` (false: of a `<gc-end>`).
    mem_info_for: Option<bool>,
}

const YOUNG: u8 = 1;
const MIXED: u8 = 2;
const FULL: u8 = 4;
const OTHER: u8 = 8;

#[derive(Debug, Default)]
pub(super) struct OpenJ9 {
    /// Lines read as OpenJ9 verbose GC.
    pub lines: u64,
    /// Whether the output has started (later XML lines belong to it).
    pub active: bool,
    window: Option<Window>,
}

impl OpenJ9 {
    pub fn line(&mut self, cx: &mut Context, line_no: u64, line: &str) {
        if !self.active {
            cx.collector
                .hint(Collector::OpenJ9, line_no, "OpenJ9 verbose GC elements");
        }
        self.active = true;
        self.lines += 1;
        let mut rest = line;
        while let Some(at) = rest.find('<') {
            let tag = &rest[at + 1..];
            let end = tag.find('>').unwrap_or(tag.len());
            let element = &tag[..end];
            rest = tag.get(end..).unwrap_or("");
            if let Some(closing) = element.strip_prefix('/') {
                self.closing(cx, closing.trim());
                continue;
            }
            let name_end = element
                .find(|c: char| c.is_ascii_whitespace() || c == '/')
                .unwrap_or(element.len());
            let (name, attributes) = element.split_at(name_end);
            self.element(cx, line_no, name, attributes);
        }
    }

    /// End of input: a window still open was cut off.
    pub fn finish(&mut self, cx: &mut Context) {
        if let Some(w) = self.window.take() {
            cx.skip(
                w.line,
                "events",
                "OpenJ9 stop-the-world window still open at the end of the file",
            );
        }
    }

    fn element(&mut self, cx: &mut Context, line_no: u64, name: &str, attributes: &str) {
        let attr = |key: &str| attribute(attributes, key);
        match name {
            "attribute" if attr("name") == Some("gcPolicy") => {
                if let Some(policy) = attr("value") {
                    cx.collector.name_openj9(policy, line_no);
                }
            }
            "exclusive-start" => self.open(cx, line_no, attr("timestamp"), None),
            "af" | "sys" | "con" => {
                // `<con event="kickoff">`, `<con event="completed full sweep">` (also inside
                // an `<af>`) report concurrent work; only a concurrent collection's final
                // phase stops the world.
                if name == "con" && attr("event") != Some("collection") {
                    return;
                }
                let (element, kind, cause) = match (name, attr("type")) {
                    ("af", Some("nursery")) => ("af", YOUNG, "Allocation Failure"),
                    ("af", _) => ("af", FULL, "Allocation Failure"),
                    ("sys", _) => ("sys", FULL, "System.gc()"),
                    _ => ("con", FULL, "concurrent collection"),
                };
                self.open(cx, line_no, attr("timestamp"), Some(element));
                self.note(kind, Some(cause));
            }
            "af-start" | "allocation-taxation" => self.note(0, Some("Allocation Failure")),
            "sys-start" => self.note(0, Some("System.gc()")),
            "concurrent-collection-start" => self.note(FULL, Some("concurrent collection")),
            "percolate-collect" => self.note(FULL, None),
            "cycle-start" | "gc-start" | "gc-end" | "gc" => {
                if let Some(kind) = attr("type").and_then(kind_bit) {
                    self.note(kind, None);
                }
                if let Some(w) = &mut self.window {
                    if name == "gc" && !attributes.trim_end().ends_with('/') {
                        w.in_gc = true;
                    }
                    w.mem_info_for = match name {
                        "gc-start" => Some(true),
                        "gc-end" => Some(false),
                        _ => w.mem_info_for,
                    };
                }
            }
            "mem-info" => {
                let Some(w) = &mut self.window else { return };
                let number = |key: &str| attribute(attributes, key).and_then(|v| v.parse::<u64>().ok());
                let (Some(before), Some(free), Some(total)) = (w.mem_info_for.take(), number("free"), number("total"))
                else {
                    return;
                };
                let used = total.saturating_sub(free);
                if before {
                    w.used_before.get_or_insert(used);
                } else {
                    w.used_after = Some(used);
                    w.capacity = total;
                }
            }
            "exclusive-end" => {
                let nanos = attr("durationms").and_then(millis_nanos);
                self.close(cx, line_no, nanos, false);
            }
            "time" if !self.window.as_ref().is_some_and(|w| w.in_gc) => {
                if let Some(nanos) = attr("totalms").and_then(millis_nanos) {
                    self.close(cx, line_no, Some(nanos), true);
                }
            }
            _ => {}
        }
    }

    fn closing(&mut self, cx: &mut Context, name: &str) {
        let Some(w) = &mut self.window else { return };
        if name == "gc" {
            w.in_gc = false;
        } else if w.legacy == Some(name) {
            cx.skip(w.line, "events", "OpenJ9 collection block without its total time");
            self.window = None;
        }
    }

    fn open(&mut self, cx: &mut Context, line_no: u64, timestamp: Option<&str>, legacy: Option<&'static str>) {
        if let Some(w) = self.window.take() {
            cx.skip(
                w.line,
                "events",
                "OpenJ9 stop-the-world window never ended before the next one",
            );
        }
        let epoch_s = timestamp.and_then(|t| iso_date(t.as_bytes())).map(|(e, _)| e);
        let date = timestamp.filter(|_| epoch_s.is_some()).map(str::to_string);
        cx.tally.line_time(None, date.as_deref());
        self.window = Some(Window {
            line: line_no,
            epoch_s,
            date,
            kinds: 0,
            cause: None,
            legacy,
            in_gc: false,
            used_before: None,
            used_after: None,
            capacity: 0,
            mem_info_for: None,
        });
    }

    fn note(&mut self, kind: u8, cause: Option<&'static str>) {
        if let Some(w) = &mut self.window {
            w.kinds |= kind;
            if w.cause.is_none() {
                w.cause = cause;
            }
        }
    }

    fn close(&mut self, cx: &mut Context, line_no: u64, nanos: Option<u64>, legacy: bool) {
        if self.window.as_ref().is_none_or(|w| w.legacy.is_some() != legacy) {
            return;
        }
        let Some(w) = self.window.take() else { return };
        let Some(nanos) = nanos else {
            cx.skip(line_no, "events", "OpenJ9 stop-the-world window without a duration");
            return;
        };
        // A scavenge that percolated into a global collection is a full one.
        let (kind, phase) = if w.kinds & FULL != 0 {
            (PauseType::Full, "global collection")
        } else if w.kinds & MIXED != 0 {
            (PauseType::Mixed, "partial collection")
        } else if w.kinds & YOUNG != 0 {
            (PauseType::Young, "scavenge")
        } else {
            (
                PauseType::Other,
                if w.kinds & OTHER != 0 {
                    "global mark phase"
                } else {
                    "exclusive access"
                },
            )
        };
        cx.tally.pause(&Pause {
            line: w.line,
            uptime_s: None,
            epoch_s: w.epoch_s,
            date: w.date.as_deref(),
            kind,
            phase,
            cause: w.cause,
            nanos,
            heap: match (w.used_before, w.used_after) {
                (Some(before), Some(after)) => Some(HeapChange {
                    before,
                    after,
                    capacity: w.capacity,
                }),
                _ => None,
            },
        });
    }
}

/// The pause type of a collection named in a `type` attribute.
fn kind_bit(kind: &str) -> Option<u8> {
    match kind {
        "scavenge" | "scavenger" | "nursery" => Some(YOUNG),
        "global" | "global garbage collect" | "tenured" => Some(FULL),
        "partial gc" => Some(MIXED),
        "global mark phase" => Some(OTHER),
        _ => None,
    }
}

fn millis_nanos(value: &str) -> Option<u64> {
    let (number, end) = decimal_starting_at(value.as_bytes(), 0)?;
    (end == value.len()).then_some(())?;
    number.nanos(1_000_000)
}

/// The value of `key="…"` among an element's attributes.
fn attribute<'a>(attributes: &'a str, key: &str) -> Option<&'a str> {
    let mut rest = attributes;
    while let Some(at) = rest.find(key) {
        let before = rest[..at].chars().next_back();
        let after = &rest[at + key.len()..];
        if before.is_none_or(|c| c.is_ascii_whitespace()) {
            if let Some(value) = after.trim_start().strip_prefix('=') {
                let value = value.trim_start();
                if let Some(quoted) = value.strip_prefix('"') {
                    return quoted.find('"').map(|end| &quoted[..end]);
                }
            }
        }
        rest = after;
    }
    None
}

impl super::CollectorGuess {
    /// `<attribute name="gcPolicy" value="-Xgcpolicy:gencon" />`.
    fn name_openj9(&mut self, policy: &str, line: u64) {
        let shown: String = policy.chars().take(60).collect();
        self.name_as(Collector::OpenJ9, format!("`{shown}` on line {line}"));
    }
}

#[cfg(test)]
mod tests {
    use crate::gc::tests::run_with;

    #[test]
    fn openj9_exclusive_windows_are_pauses_typed_by_their_collections() {
        let (log, skipped) = run_with(
            r#"<?xml version="1.0" ?>

<verbosegc xmlns="http://www.ibm.com/j9/verbosegc" version="0.40.0">

<initialized id="1" timestamp="2024-01-10T10:00:00.000">
  <attribute name="gcPolicy" value="-Xgcpolicy:gencon" />
  <attribute name="maxHeapSize" value="0x20000000" />
</initialized>

<exclusive-start id="2" timestamp="2024-01-10T10:00:01.000" intervalms="1000.000">
  <response-info timems="0.021" idlems="0.010" threads="0" lastid="0000000001E1A100" lastname="main" />
</exclusive-start>
<af-start id="3" threadId="0000000001E1A100" totalBytesRequested="24" timestamp="2024-01-10T10:00:01.000" intervalms="1000.000" type="nursery" />
<cycle-start id="4" type="scavenge" contextid="0" timestamp="2024-01-10T10:00:01.000" intervalms="1000.000" />
<gc-start id="5" type="scavenge" contextid="4" timestamp="2024-01-10T10:00:01.000">
  <mem-info id="6" free="1048576" total="4194304" percent="25">
    <mem type="nursery" free="0" total="1048576" percent="0" />
  </mem-info>
</gc-start>
<gc-op id="7" type="scavenge" timems="5.123" contextid="4" timestamp="2024-01-10T10:00:01.005">
  <memory-copied type="nursery" objects="12345" bytes="1234567" bytesdiscarded="123" />
</gc-op>
<gc-end id="8" type="scavenge" contextid="4" durationms="5.456" usertimems="10.000" systemtimems="0.000" timestamp="2024-01-10T10:00:01.006" activeThreads="2">
  <mem-info id="9" free="3145728" total="4194304" percent="75" />
</gc-end>
<cycle-end id="9" type="scavenge" contextid="4" timestamp="2024-01-10T10:00:01.006" />
<af-end id="11" timestamp="2024-01-10T10:00:01.006" threads="0" success="true" from="nursery"/>
<exclusive-end id="12" timestamp="2024-01-10T10:00:01.006" durationms="5.789" />

<concurrent-kickoff id="13" timestamp="2024-01-10T10:00:02.000">
  <kickoff reason="threshold reached" targetBytes="1000" thresholdFreeBytes="1000" remainingFree="1000" tenureFreeBytes="1000" nurseryFreeBytes="1000" />
</concurrent-kickoff>
<exclusive-start id="14" timestamp="2024-01-10T10:00:03.000" intervalms="2000.000">
  <response-info timems="3.943" idlems="2.966" threads="27" lastid="0000000034775300" lastname="worker" />
</exclusive-start>
<concurrent-collection-start id="15" timestamp="2024-01-10T10:00:03.004" intervalms="3000.000" />
<gc-start id="16" type="global" contextid="13" timestamp="2024-01-10T10:00:03.005" />
<gc-op id="17" type="mark" timems="100.000" contextid="13" timestamp="2024-01-10T10:00:03.105" />
<gc-end id="18" type="global" contextid="13" durationms="101.000" usertimems="1.0" systemtimems="0.0" timestamp="2024-01-10T10:00:03.106" />
<exclusive-end id="19" timestamp="2024-01-10T10:00:03.107" durationms="107.500" />

<exclusive-start id="20" timestamp="2024-01-10T10:00:04.000" intervalms="1000.000" />
<sys-start id="21" reason="explicit" timestamp="2024-01-10T10:00:04.000" intervalms="1000.000" />
<cycle-start id="22" type="global" contextid="0" timestamp="2024-01-10T10:00:04.000" intervalms="1000.000" />
<exclusive-end id="23" timestamp="2024-01-10T10:00:04.050" durationms="50.000" />
</verbosegc>
"#,
            5,
        );
        assert!(skipped.is_empty(), "{skipped:?}");
        assert_eq!(log.format.as_deref(), Some("openj9-verbosegc"));
        assert_eq!(log.collector.as_deref(), Some("OpenJ9"));
        assert!(log.collector_evidence.as_deref().unwrap().contains("gencon"));
        assert_eq!((log.pauses_by_type.young, log.pauses_by_type.full), (1, 2));
        assert_eq!(log.total_pause_s, 0.163289);
        assert_eq!(log.max_pause_s, 0.1075);
        assert!(log.by_cause.iter().any(|c| c.name == "System.gc()"));
        let scavenge = log.longest_pauses.iter().find(|p| p.pause_type == "young").unwrap();
        assert_eq!(
            (
                scavenge.heap_before_bytes,
                scavenge.heap_after_bytes,
                scavenge.heap_capacity_bytes
            ),
            (Some(3 << 20), Some(1 << 20), Some(4 << 20))
        );
        assert_eq!(log.throughput.unwrap().runtime_s, 3.05);
    }

    #[test]
    fn ibm_java_5_to_7_blocks_end_with_their_total_time() {
        let (log, skipped) = run_with(
            r#"<?xml version="1.0" ?>
<verbosegc version="20090417_AA">
<af type="nursery" id="1" timestamp="Apr 17 10:00:00 2009" intervalms="0.000">
  <minimum requested_bytes="32" />
  <time exclusiveaccessms="0.018" meanexclusiveaccessms="0.018" threads="0" lastthreadtid="0x000000011A8D8500" />
  <gc type="scavenger" id="1" totalid="1" intervalms="0.000">
    <flipped objectcount="100" bytes="1000" />
    <time totalms="3.000" />
  </gc>
  <con event="completed full sweep" timestamp="Apr 17 10:00:00 2009">
    <stats sweepbytes="0" sweeptime="0.305" connectbytes="0" connecttime="0.001" />
  </con>
  <time totalms="3.500" />
</af>
<af type="tenured" id="2" timestamp="Apr 17 10:00:01 2009" intervalms="1000.000">
  <time exclusiveaccessms="0.018" meanexclusiveaccessms="0.018" threads="0" lastthreadtid="0x000000011A8D8500" />
  <gc type="global" id="2" totalid="2" intervalms="0.000">
    <timesms mark="1.432" sweep="0.290" compact="0.000" total="1.768" />
  </gc>
  <time totalms="1.825" />
</af>
<con event="kickoff" timestamp="Apr 17 10:00:02 2009">
</con>
<sys id="1" timestamp="Apr 17 10:00:03 2009" intervalms="2000.000">
  <gc type="global" id="3" totalid="3" intervalms="2000.000">
    <timesms mark="10.000" sweep="1.000" compact="0.000" total="11.000" />
  </gc>
  <time totalms="11.250" />
</sys>
</verbosegc>
"#,
            5,
        );
        assert!(skipped.is_empty(), "{skipped:?}");
        assert_eq!((log.pauses_by_type.young, log.pauses_by_type.full), (1, 2));
        assert_eq!(log.total_pause_s, 0.016575);
    }
}
