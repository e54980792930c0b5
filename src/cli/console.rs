//! The console (no command): a run per profile, switching ends one and starts the next.

use super::{env, exit, runtime};
use std::process::ExitCode;

use crate::config;
use crate::core::printable::printable;
use crate::session::{self, Options};

/// The console. Switching profile ends one run and starts the next on the profile the
/// console already resolved (a switch that cannot resolve fails in place, in the console).
pub fn run_console(options: Options) -> ExitCode {
    run_console_with(options, None)
}

/// Reads a tour script: a small regular file of TOML steps, each fault rule checked with
/// the simulator's own parser. Every problem names the file and the step.
pub fn read_script(
    path: &std::path::Path,
) -> Result<Vec<crate::core::playground::tour::TourStep>, String> {
    /// A script is a page of steps, not a data file.
    const MAX_SCRIPT_BYTES: u64 = 1024 * 1024;
    let text = crate::engine::fs::read_text(path, MAX_SCRIPT_BYTES)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let steps = crate::core::playground::tour::from_script(&text)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    for (i, step) in steps.iter().enumerate() {
        if let Some(rule) = &step.fault {
            rule.parse::<crate::sim::faults::FaultRule>()
                .map_err(|e| format!("{}: step {}: fault {rule:?}: {e}", path.display(), i + 1))?;
        }
    }
    Ok(steps)
}

/// The console, with a tour to play in it (`tagdesk demo`).
pub fn run_console_with(
    mut options: Options,
    tour: Option<crate::core::playground::tour::Tour>,
) -> ExitCode {
    let mut tour = tour;
    // crossterm drops every colour when NO_COLOR is set: the choice is made already
    // (`--color always` beats NO_COLOR; never is the monochrome theme, which has none).
    crossterm::style::force_color_output(!options.monochrome);
    if let Err(e) = color_eyre::install() {
        super::err(&format!("tagdesk: {e}"));
    }
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(e) => {
            super::err(&format!("tagdesk: {e}"));
            return ExitCode::FAILURE;
        }
    };
    let _log_guard = crate::engine::logging::init(
        &config::Paths::resolve(options.config.as_deref(), &env).data_dir,
    );
    let result = rt.block_on(async {
        let mut next: Option<session::Prepared> = None;
        loop {
            let prepared = match next.take() {
                Some(prepared) => prepared,
                // Before the console takes the terminal: say why the screen waits.
                None => session::prepare_announcing(&options, &env, &|name| {
                    super::err(&format!(
                        "tagdesk: running api_key_cmd for profile {}…",
                        printable(name)
                    ))
                })
                .map_err(|e| color_eyre::eyre::eyre!(e.0))?,
            };
            let session = session::start(prepared, &options)
                .await
                .map_err(|e| color_eyre::eyre::eyre!(e.0))?;
            let end = crate::tui::run(&session, &options, tour.take()).await;
            if let Some(sim) = session.simulator {
                sim.shutdown().await;
            }
            match end? {
                crate::tui::RunEnd::Quit => return Ok::<(), color_eyre::Report>(()),
                crate::tui::RunEnd::Switch(prepared) => {
                    options.profile = prepared.profile.as_ref().map(|p| p.name.clone());
                    options.demo = prepared.profile.is_none();
                    next = Some(*prepared);
                }
            }
        }
    });
    rt.shutdown_timeout(std::time::Duration::from_millis(500));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            super::err(&format!("tagdesk: {}", printable(&e.to_string())));
            ExitCode::from(exit::USAGE)
        }
    }
}
