//! The pure core: what tagdesk's values are and what they mean, with no network, disk,
//! terminal or runtime. The console, the CLI, the engine and the simulator all build on it,
//! so a rule (what an Op does, what a reply means, what the write gate allows) is written
//! once and tested without IO.
//!
//! Nothing here may use tokio, reqwest, ratatui, crossterm or `std::fs` (a test in
//! `tests/layout.rs` holds that).

pub mod aimd;
pub mod domain;
pub mod fault;
pub mod gate;
pub mod model;
pub mod op;
pub mod plan;
pub mod playground;
pub mod printable;
pub mod probe;
pub mod redact;
pub mod tag_names;
