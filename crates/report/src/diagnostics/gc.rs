//! Sections of the gc report. (Being written.)

use triage_diagnose::gc::GcLog;

use crate::document::Section;

pub(crate) fn sections(_facts: &GcLog) -> (String, Vec<Section>) {
    ("GcLog".to_string(), Vec::new())
}
