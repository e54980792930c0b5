//! What the console's App consumes (a [`Message`]: a key, a reply, a batch's progress) and
//! what it asks the loop to do (an [`Effect`]: send, save, run a batch). The App never does
//! IO itself.

use ratatui::crossterm::event::KeyEvent;

use crate::core::op::Service;
use crate::engine::backend::{Reply, Request, RequestId};

#[derive(Debug, Clone)]
pub enum Message {
    Key(KeyEvent),
    Paste(String),
    /// A click or the wheel, on what the screen last drawn had there (`tui::mouse`).
    Mouse(super::mouse::Gesture),
    Resize(u16, u16),
    Reply(Box<Reply>),
    /// A request failed transiently and will be retried.
    Retrying {
        id: RequestId,
        notice: crate::engine::retry::RetryNotice,
    },
    /// A page of a user list arrived while the rest are still loading.
    Page {
        id: RequestId,
        progress: crate::engine::exec::PageProgress,
    },
    /// The loop is resolving the profile the operator switches to (`command`: a key
    /// command runs meanwhile, which may take a while).
    Switching {
        profile: String,
        command: bool,
    },
    /// The switch could not be made; the console stays where it is.
    SwitchFailed {
        profile: String,
        reason: String,
    },
    /// A batch of this run made progress.
    Batch {
        batch_id: String,
        progress: crate::engine::batch::Progress,
    },
    /// A batch of this run ended.
    BatchEnded {
        batch_id: String,
        report: Box<crate::engine::batch::RunReport>,
    },
    /// The file of an import was read (or why it could not be).
    ImportRead {
        path: String,
        service: Service,
        result: Result<std::sync::Arc<Vec<u8>>, String>,
    },
    /// The directory a path being typed names was listed (names, and whether each is a
    /// directory), or why it could not be.
    Listed {
        dir: String,
        result: Result<Vec<(String, bool)>, String>,
    },
    /// The simulator was set up for a play (or why it could not be).
    PlayReady {
        key: String,
        result: Result<crate::core::playground::SetupReply, String>,
    },
    /// The simulator carried out a command: its fault rules now (or why it could not).
    Sim {
        command: SimCommand,
        result: Result<Vec<String>, String>,
    },
    /// The profile's batches were read from the journal (for the batches view), or why
    /// they could not be.
    BatchesListed {
        result: Result<Vec<crate::engine::batch::history::BatchInfo>, String>,
    },
    /// A batch of an earlier run was read back (its plan and its rows' journal entries), to
    /// be shown, resumed or undone; or why it could not be.
    BatchLoaded {
        batch_id: String,
        then: BatchUse,
        result: Result<Box<LoadedBatch>, String>,
    },
    /// The profile's user cache was read at start (off the loop): shown until the listing
    /// that runs meanwhile replaces it.
    CachedUsers(Box<crate::core::model::CachedUsers>),
    /// A filter's search landed off the UI thread: its rows can be shown.
    Filtered,
    /// Time passed (only sent while something animates).
    Tick,
    /// SIGTERM / SIGHUP / SIGINT: leave now, through the normal path.
    Stop,
    /// The saved workspace was read off the UI thread (the console started without waiting
    /// for it), with what could not be read of it.
    WorkspaceLoaded {
        workspace: Box<crate::engine::workspace::Workspace>,
        problem: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    Send(Request),
    Quit,
    /// Write the workspace (known patrons, look-ups) to disk.
    Save(Box<crate::engine::workspace::Workspace>),
    /// Write the user cache (the bytes of the listing that just completed) to disk.
    SaveUserCache(std::sync::Arc<Vec<u8>>),
    /// Leave and start again on another profile.
    SwitchProfile(String),
    /// Leave and start again in demo mode (the profile picker's last choice).
    SwitchToDemo,
    /// Ctrl-Z: hand the terminal back to the shell until it continues us.
    Suspend,
    /// Read an import's file off the loop.
    ReadImport {
        path: String,
        service: Service,
    },
    /// List a directory off the loop, to complete a path being typed.
    ListDirectory {
        dir: String,
    },
    /// Save the plan and run it (or resume it).
    RunBatch(Box<RunBatch>),
    /// Set the simulator behind `service` up for the play `key`.
    SetUpPlay {
        key: String,
        service: Service,
        steps: Vec<crate::core::playground::Setup>,
    },
    /// Put `text` on the terminal's clipboard (OSC 52, so it works over SSH); `what` says
    /// what it is, for the status line.
    Copy {
        what: String,
        text: String,
    },
    /// Ask the simulator behind the profile to do something (its control API).
    Sim(SimCommand),
    /// Pause, resume or cancel a running batch.
    ControlBatch {
        batch_id: String,
        control: crate::engine::batch::Control,
    },
    /// Read the profile's batches from the journal, off the loop (the batches view).
    ListBatches,
    /// Read a batch back (its plan file and its rows' journal entries), off the loop, then
    /// show, resume or undo it.
    LoadBatch {
        batch_id: String,
        then: BatchUse,
    },
}

/// What a batch read back is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchUse {
    /// Its window.
    Show,
    /// The preview of its resume.
    Resume,
    /// The preview of its undo.
    Undo,
}

/// A batch read back: its plan and each row's latest journal entry (None: never sent).
#[derive(Debug, Clone, PartialEq)]
pub struct LoadedBatch {
    pub plan: crate::engine::batch::SavedPlan,
    pub entries: Vec<Option<crate::engine::journal::Entry>>,
    /// Every attempt of every row, in journal order (an undo reads them all).
    pub attempts: Vec<Vec<crate::engine::journal::Entry>>,
    /// Another process is sending it right now (the journal says so).
    pub running_elsewhere: bool,
}

/// A plan the operator confirmed, for the loop to run.
#[derive(Debug, Clone, PartialEq)]
pub struct RunBatch {
    pub plan: crate::engine::batch::SavedPlan,
    pub todo: Vec<usize>,
    /// A later run of an interrupted batch.
    pub resume: bool,
}

impl Eq for RunBatch {}

/// What the console asks of the simulator's control API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SimCommand {
    /// Back to the seed: state, faults and counts.
    Reset,
    /// Add a fault rule in its text form (`hive.add:503=2*1`).
    AddFault(String),
    ClearFaults,
    /// Read the active rules (rules with a count retire as they fire).
    ReadFaults,
}
