//! `triage-parse`: the second stage. It owns *understanding lines*: detecting each
//! file's format from its first lines, recognising timestamps and levels, splitting a
//! line into header fields and message, and joining continuation lines (stack traces)
//! to the record they belong to. Its output is [`Record`].
//!
//! It does not read files (that is `triage-read`) and does not interpret messages
//! (templates and analysis come later in the flow).

pub mod assemble;
pub mod detect;
pub mod formats;
pub mod intake;
mod level;
pub mod record;
pub mod timestamp;

pub use level::Level;
pub use record::Record;
