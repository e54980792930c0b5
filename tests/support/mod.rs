//! What the integration tests share: the console harness (the real App on TestBackend,
//! answered by the simulator's model) and the fixtures every suite builds its cases from.
//! Each test binary uses part of it.

#![allow(dead_code, unused_imports)]

pub mod cli;
mod fixtures;
mod harness;

pub use fixtures::*;
pub use harness::*;
