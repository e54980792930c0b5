//! What the integration tests share: the console harness (the real App on TestBackend,
//! answered by the simulator's model), the fixtures every suite builds its cases from, the
//! CLI's environment (`cli`), the real binary in a pseudo-terminal (`pty`), and the one
//! clean environment every started `tagdesk` gets (`env`). Each test binary uses part of it.

#![allow(dead_code, unused_imports)]

pub mod cli;
pub mod env;
mod fixtures;
mod harness;
pub mod pty;

pub use fixtures::*;
pub use harness::*;
