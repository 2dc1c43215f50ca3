//! `triage-mine`: the third stage. It owns *templates*: turning a record's message into
//! a template such as `export alarm record id=<num> occurred=<ts>` plus the values of
//! its placeholders, assigning stable template ids, and keeping bounded statistics of
//! parameter values.
//!
//! It does not read or parse logs (that is `triage-parse`) and does not decide what is
//! anomalous (analysis comes later in the flow).

pub mod mask;
pub mod miner;
pub mod stats;
