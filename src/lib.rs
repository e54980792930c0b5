//! tagdesk: a terminal console for managing Cerego partner user tags and Hive Moderation
//! patron user_tags by hand. See README.md for the picture, docs/src/ for the reference, and `../shared/SPEC.md` for the
//! behaviour of both APIs.
//!
//! Layout: `core` (pure values and rules), `engine` (network and disk), `config`,
//! `session` (the composition root), `cli`, `sim` (the embedded simulator) and `tui`.
#![forbid(unsafe_code)]

pub mod cli;
pub mod config;
pub mod core;
pub mod engine;
pub mod session;
pub mod sim;
pub mod tui;
