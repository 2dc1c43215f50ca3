//! Sections of the threads report. (Being written.)

use triage_diagnose::threads::ThreadDumps;

use crate::document::Section;

pub(crate) fn sections(_facts: &ThreadDumps) -> (String, Vec<Section>) {
    ("ThreadDumps".to_string(), Vec::new())
}
