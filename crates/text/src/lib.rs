//! `triage-text`: text read from logs, key names and URLs is hostile (attack traffic is
//! logged verbatim), so every output of every command passes through this crate.
//!
//! * [`visible`]: control characters (terminal escapes, BEL, C1 controls, bidi overrides)
//!   shown as `\x1b`-style escapes, so a log line cannot clear a screen, retitle a
//!   terminal, plant a hyperlink or reorder what the reader sees.
//! * [`redact`]: secrets and personal data replaced by a typed mark (`<secret:jwt>`),
//!   so a report can be pasted into a ticket.
//! * [`display_url`]: a URL without its credentials, for messages and reports.
//! * [`cut_chars`] / [`cut_bytes`]: text shortened on character boundaries (with `…` for
//!   display, without for storage caps).
//!
//! One implementation for every renderer and command, so they cannot drift apart.

mod cut;
mod redact;
mod url;
mod visible;

pub use cut::{cut_bytes, cut_chars};
pub use redact::{redact, redact_pair, secret_name};
pub use url::display_url;
pub use visible::visible;
