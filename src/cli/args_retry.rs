//! The arguments of `tagdesk batch retry` and of `--max-errors` (every batch command), as
//! clap reads them. `retry` does it.

use clap::Args;

use super::args::RunArgs;

/// `tagdesk batch retry ID [--failed] [--refused] [--errors]`.
#[derive(Debug, Clone, Args)]
pub struct RetryArgs {
    /// The batch whose rows to retry (see `tagdesk batch list`).
    #[arg(value_name = "ID")]
    pub batch_id: String,
    /// Rows the API answered with tags that failed (outcomes `failed` and `partial`).
    #[arg(long)]
    pub failed: bool,
    /// Rows the API refused with an HTTP error status (outcome `refused`).
    #[arg(long)]
    pub refused: bool,
    /// Rows without a usable answer: unreachable, timed out, unreadable, or their run
    /// ended first (outcomes `error` and `abandoned`).
    #[arg(long)]
    pub errors: bool,
    /// Check and predict the new batch; send nothing.
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub plan_out: super::args_plan::PlanOut,
    #[command(flatten)]
    pub run: RunArgs,
}

/// `--max-errors N`: a whole number from 1.
pub(crate) fn parse_max_errors(raw: &str) -> Result<usize, String> {
    match raw.trim().replace(['_', ','], "").parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!(
            "\"{raw}\" is not a number of rows: give how many rows refused or in error stop \
             the batch, 1 or more (default {})",
            crate::engine::batch::DEFAULT_MAX_ERRORS
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_errors_is_a_whole_number_from_1() {
        assert_eq!(parse_max_errors("3"), Ok(3));
        assert_eq!(parse_max_errors("1_000"), Ok(1000));
        for bad in ["0", "-1", "x", "", "2.5"] {
            let e = parse_max_errors(bad).unwrap_err();
            assert!(e.contains("1 or more"), "{bad}: {e}");
        }
    }
}
