//! The arguments of `tagdesk hive export` and `tagdesk cerego export` (beside `args`, which
//! is full).

use std::path::PathBuf;

use clap::ValueHint;

/// What `hive export` takes.
#[derive(Debug, Clone, clap::Args)]
pub struct HiveExportArgs {
    /// Where to write the CSV; - or nothing for standard output. Never the journal,
    /// anything in tagdesk's data folder or the configuration (as --results).
    #[arg(value_name = "OUT.csv", value_hint = ValueHint::FilePath)]
    pub out: Option<PathBuf>,
    /// Only these patrons, one id a line (blank lines and # comments skipped), in the
    /// file's order; a patron tagdesk never saw gets a row with no tags.
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub patrons: Option<PathBuf>,
    /// Write exactly the Hive dashboard's two columns (user_id, user_tags), no comment,
    /// only patrons with a known tag: a file to upload in the dashboard.
    #[arg(long)]
    pub dashboard: bool,
    /// Replace a symbolic link, device or other file that is not a regular file at OUT.
    #[arg(long)]
    pub force: bool,
}

/// What `cerego export` takes.
#[derive(Debug, Clone, clap::Args)]
pub struct CeregoExportArgs {
    /// Where to write the CSV; - or nothing for standard output. Never the journal,
    /// anything in tagdesk's data folder or the configuration (as --results).
    #[arg(value_name = "OUT.csv", value_hint = ValueHint::FilePath)]
    pub out: Option<PathBuf>,
    /// Only these users, one id a line (blank lines and # comments skipped), in the file's
    /// order (default: every user of the partner, in the listing's order).
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub users: Option<PathBuf>,
    /// Replace a symbolic link, device or other file that is not a regular file at OUT.
    #[arg(long)]
    pub force: bool,
}
