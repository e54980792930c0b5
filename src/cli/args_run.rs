//! How a batch runs, as clap reads it: `--concurrency`, `--rate`, `--results`, `--force`
//! and `--max-errors`, shared by every batch command.

use std::path::PathBuf;

use crate::engine::batch::Concurrency;

/// How a batch runs.
#[derive(Debug, Clone, clap::Args)]
pub struct RunArgs {
    /// Requests in flight at once: 1 to 32, or auto (starts at 4, grows while the server
    /// keeps up, halves on a 429 or 503, never above 32; the progress line shows it).
    #[arg(long, value_name = "N|auto", default_value = "4", value_parser = parse_concurrency)]
    pub concurrency: Concurrency,
    /// At most N requests per second, 0.001 to 10,000 (default: unlimited).
    #[arg(long, value_name = "N", value_parser = positive_rate)]
    pub rate: Option<f64>,
    /// Write every request's outcome to this CSV file (the columns of `batch show --csv`).
    /// Never the journal, anything in tagdesk's data folder, the configuration or the input
    /// file; - for standard output.
    #[arg(long, value_name = "OUT.csv")]
    pub results: Option<PathBuf>,
    /// With --results: replace a symbolic link, device or other file that is not a regular
    /// file at that path (the data folder and the input file are still refused).
    #[arg(long, requires = "results")]
    pub force: bool,
    /// Stop sending after N rows refused or in error (the rest stay pending for `batch
    /// resume`); a refused API key stops at the first.
    #[arg(long, value_name = "N", default_value = "20", value_parser = super::args_retry::parse_max_errors)]
    pub max_errors: usize,
}

/// The slowest `--rate`: one request every 1,000 s.
pub const MIN_RATE: f64 = 0.001;
/// The fastest `--rate` (beyond it the batch is bounded by `--concurrency` anyway).
pub const MAX_RATE: f64 = 10_000.0;

fn parse_concurrency(raw: &str) -> Result<Concurrency, String> {
    raw.parse()
}

fn positive_rate(raw: &str) -> Result<f64, String> {
    match raw.trim().parse::<f64>() {
        Ok(r) if (MIN_RATE..=MAX_RATE).contains(&r) => Ok(r),
        _ => Err(format!(
            "\"{raw}\" is not a rate: give requests per second as a number from {MIN_RATE} to \
             {} (e.g. 20 or 0.5)",
            crate::core::printable::grouped(MAX_RATE as u64)
        )),
    }
}
