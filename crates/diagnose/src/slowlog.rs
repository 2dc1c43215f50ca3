//! (Being written.)

use std::io::BufRead;

use serde::{Deserialize, Serialize};

use crate::{Lines, Options};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SlowLog {}

pub fn analyse<R: BufRead>(lines: &mut Lines<R>, _options: &Options) -> SlowLog {
    while lines.next_line().is_some() {}
    SlowLog {}
}
