//! The command line of plan files: `--plan-out`, `tagdesk plan show|approve`, `tagdesk apply`.

use std::path::PathBuf;

use clap::{Subcommand, ValueHint};

use super::args::{CommandOptions, RunArgs};

/// `--plan-out PLAN.json` (imports, `batch undo`).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct PlanOut {
    /// Check and predict every row and write the plan to this JSON file (0600) for
    /// `tagdesk plan approve` and `tagdesk apply`; send nothing. Never the journal, the data
    /// folder, the configuration, the input file, or a file tagdesk did not write.
    #[arg(long, value_name = "PLAN.json", value_hint = ValueHint::FilePath, conflicts_with = "dry_run")]
    pub plan_out: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum PlanCommand {
    /// What a plan file does: its profile, author, approvals, whether it is stale (what
    /// tagdesk knows of its patrons or users changed since it was made), each row predicted.
    Show {
        /// The plan file (written by --plan-out).
        #[arg(value_name = "PLAN.json", value_hint = ValueHint::FilePath)]
        file: PathBuf,
    },
    /// Record your approval (name and time) in a plan file. An approval by the plan's own
    /// author is recorded but does not count for a `require_approval` profile.
    Approve {
        /// The plan file (written by --plan-out).
        #[arg(value_name = "PLAN.json", value_hint = ValueHint::FilePath)]
        file: PathBuf,
        /// The approver's name (default: the configuration's `operator`, else the login
        /// name).
        #[arg(long = "as", value_name = "NAME")]
        name: Option<String>,
    },
}

/// `tagdesk apply PLAN.json`.
#[derive(Debug, Clone, clap::Args)]
pub struct ApplyArgs {
    /// The plan file (written by --plan-out).
    #[arg(value_name = "PLAN.json", value_hint = ValueHint::FilePath)]
    pub file: PathBuf,
    /// A stale plan: plan its rows again from what tagdesk knows now and write the new plan
    /// into the file (approvals cleared); on a `require_approval` profile it then waits for
    /// a new approval, else it runs.
    #[arg(long)]
    pub replan: bool,
    #[command(flatten)]
    pub run: RunArgs,
}

/// The `plan` and `apply` commands, with the options every command takes.
#[derive(Debug, clap::Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub options: CommandOptions,
    #[command(subcommand)]
    pub command: PlanCommand,
}
