//! The engine: the only code that touches the network or the disk. The HTTP clients (built
//! from `Op::request()`), execution with retries, the backend task the console talks to over
//! channels, the journal, the workspace file and the private-file helpers.

pub mod api;
pub mod backend;
pub mod batch;
pub mod exec;
pub mod fs;
pub mod journal;
pub mod logging;
pub mod retry;
pub mod workspace;
