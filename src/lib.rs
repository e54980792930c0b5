//! tagdesk: a terminal console for managing Cerego partner user tags and Hive Moderation
//! patron user_tags by hand. See README.md for the picture and `../shared/SPEC.md` for the
//! behaviour of both APIs.
#![forbid(unsafe_code)]

pub mod api;
pub mod backend;
pub mod domain;
pub mod op;
pub mod sim;
pub mod tui;
