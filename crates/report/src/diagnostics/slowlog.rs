//! Sections of the slowlog report. (Being written.)

use triage_diagnose::slowlog::SlowLog;

use crate::document::Section;

pub(crate) fn sections(_facts: &SlowLog) -> (String, Vec<Section>) {
    ("SlowLog".to_string(), Vec::new())
}
