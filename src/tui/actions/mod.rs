//! What the operator's actions do, one file per feature. Each is an `impl App` block: it
//! reads the known state and the view state, and returns the effects to run (a request to
//! send, a workspace to save); none does IO.

mod batch;
mod batches;
mod cache;
mod change;
mod lists;
mod marks;
mod messages;
mod navigate;
mod open;
mod play;
mod reply;
mod send;
mod session;
mod sim;
mod subject;
mod tour;
mod undo;
mod words;
mod workspace;

pub use lists::{PATRON_EXACT, USER_EXACT};
pub use sim::FAULT_PRESETS;
pub use workspace::{Learned, ResumeOffer, loading_text};
