//! The console's view state that is more than a field: lists the operator filters and moves
//! through, and the request store behind the action log.

pub mod batch;
pub mod batches;
pub mod history;
pub mod list;
pub mod messages;
pub mod playground;
pub mod requests;
pub(crate) mod summary;
pub mod words;

pub use list::{Fallback, Filter, FilteredList};
pub use requests::{LogEntry, QuickFilter, RequestLog, RequestState, Summary};
