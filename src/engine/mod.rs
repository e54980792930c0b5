//! The engine: the only code that touches the network or the disk. The HTTP clients (built
//! from `Op::request()`), execution with retries, the backend task the console talks to over
//! channels, the journal, the workspace file and the private-file helpers.

pub mod api;
pub mod backend;
pub mod batch;
pub mod exec;
pub mod fs;
pub mod journal;
pub mod listing;
pub mod logging;
pub mod named;
pub mod notices;
pub mod pace;
pub mod probe;
pub mod retry;
pub mod user_cache;
pub mod workspace;

/// Runs blocking file work (a journal write and its fsync) off the async threads — or, on a
/// current-thread runtime (a command that sends one request), right here: nothing else
/// needs the thread meanwhile, and handing the work to another thread and back would cost
/// more than the write.
pub async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, tokio::task::JoinError> {
    use tokio::runtime::{Handle, RuntimeFlavor};
    match Handle::try_current().map(|h| h.runtime_flavor()) {
        Ok(RuntimeFlavor::CurrentThread) => Ok(work()),
        _ => tokio::task::spawn_blocking(work).await,
    }
}
