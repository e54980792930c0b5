//! tagdesk: a terminal console for managing Cerego partner user tags and Hive Moderation
//! patron user_tags by hand. See README.md for the picture and `../shared/SPEC.md` for the
//! behaviour of both APIs.
#![forbid(unsafe_code)]

pub mod api;
pub mod backend;
pub mod check;
pub mod cli;
pub mod config;
pub mod domain;
pub mod files;
pub mod gate;
pub mod journal;
pub mod logging;
pub mod op;
pub mod printable;
pub mod redact;
pub mod retry;
pub mod setup;
pub mod sim;
pub mod tui;
pub mod workspace;
