//! `tagdesk sim`: the simulator of both APIs as a server of its own.

use super::args::SimArgs;
use super::{exit, runtime};
use std::process::ExitCode;

use crate::core::printable::printable;
use crate::sim::faults::FaultRule;
use crate::sim::seed::Seed;
use crate::sim::{self, SimOptions, Simulator};

pub fn run_sim(args: SimArgs) -> ExitCode {
    let seed = if args.empty {
        Seed::empty()
    } else if let Some(path) = &args.seed {
        match Seed::load(path) {
            Ok(s) => s,
            Err(e) => {
                super::err(&format!("tagdesk sim: {}", printable(&e.to_string())));
                return ExitCode::from(exit::USAGE);
            }
        }
    } else {
        Seed::demo()
    };
    let mut seed = seed;
    seed.add_synthetic(args.users, args.patrons);
    let mut faults = Vec::new();
    if let Some(ms) = args.latency_ms {
        faults.push(FaultRule {
            target: "all".into(),
            kind: sim::faults::FaultKind::Latency { ms },
            rate: 1.0,
            times: None,
        });
    }
    faults.extend(args.faults);
    let options = SimOptions {
        seed,
        hive_key: args.hive_key,
        cerego_key: args.cerego_key,
        faults,
    };
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(e) => {
            super::err(&format!("tagdesk sim: {e}"));
            return ExitCode::from(exit::USAGE);
        }
    };
    rt.block_on(async move {
        let summary = sim::summary(&options);
        let simulator = match Simulator::start(args.listen, options).await {
            Ok(s) => s,
            Err(e) => {
                // A port in use or not allowed is a usage problem (exit 2), not "some tags
                // failed" (1).
                super::err(&format!(
                    "tagdesk sim: cannot listen on {}: {e}",
                    args.listen
                ));
                return ExitCode::from(exit::USAGE);
            }
        };
        // Handlers first, so a supervisor that signals as soon as it reads the first line
        // still gets a clean stop.
        let stop = crate::tui::terminal::stop_signals();
        super::out(&format!("listening on {}", simulator.base_url()));
        // The summary names what the seed file holds: made printable line by line.
        for line in summary.lines() {
            super::out(&printable(line));
        }
        if !simulator.addr().ip().to_canonical().is_loopback() {
            super::err(&format!(
                "tagdesk sim: warning: listening on {}, reachable from other hosts: anyone who \
                 can reach it can use the simulated APIs with the keys above; the control API \
                 (/_sim/*) answers loopback clients only",
                simulator.addr()
            ));
        }
        super::flush();
        stop.await;
        super::out("stopping");
        simulator.shutdown().await;
        ExitCode::SUCCESS
    })
}
