#![forbid(unsafe_code)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tagdesk::api::ClientConfig;
use tagdesk::api::cerego::CeregoClient;
use tagdesk::api::hive::HiveClient;
use tagdesk::backend::Clients;
use tagdesk::sim::faults::FaultRule;
use tagdesk::sim::seed::Seed;
use tagdesk::sim::{self, SimOptions, Simulator};

/// A terminal console for Cerego partner user tags and Hive Moderation patron user_tags.
#[derive(Debug, Parser)]
#[command(name = "tagdesk", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the simulator of both APIs standalone (Cerego under /v3, Hive under /api/v1).
    Sim(SimArgs),
}

#[derive(Debug, clap::Args)]
struct SimArgs {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:8787")]
    listen: SocketAddr,
    /// Seed file (TOML, the format of assets/demo.toml). Default: the built-in demo seed.
    #[arg(long, conflicts_with = "empty")]
    seed: Option<PathBuf>,
    /// Start with no users, no patrons and no tags.
    #[arg(long)]
    empty: bool,
    /// The Hive API key the simulator accepts.
    #[arg(long, default_value = sim::DEFAULT_HIVE_KEY)]
    hive_key: String,
    /// The Cerego API key (bearer token) the simulator accepts.
    #[arg(long, default_value = sim::DEFAULT_CEREGO_KEY)]
    cerego_key: String,
    /// Add this much latency to every API request.
    #[arg(long, value_name = "MS")]
    latency_ms: Option<u64>,
    /// A fault rule, TARGET:KIND[@RATE][*TIMES], e.g. hive.add:503*1 or cerego:429=2@0.3
    /// (repeatable; see the README).
    #[arg(long = "fault", value_name = "RULE")]
    faults: Vec<FaultRule>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Sim(args)) => run_sim(args),
        None => run_console(),
    }
}

/// The console. With no configuration it runs in demo mode against the embedded simulator.
fn run_console() -> ExitCode {
    if let Err(e) = color_eyre::install() {
        eprintln!("tagdesk: {e}");
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("tagdesk: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        let options = SimOptions::default();
        let settings = tagdesk::tui::demo_settings(&options.seed);
        let simulator = Simulator::start_local(options).await?;
        let base = simulator.base_url();
        let clients = Clients {
            hive: Some(HiveClient::new(&ClientConfig::new(
                &base,
                sim::DEFAULT_HIVE_KEY,
            ))?),
            cerego: Some(CeregoClient::new(&ClientConfig::new(
                &base,
                sim::DEFAULT_CEREGO_KEY,
            ))?),
        };
        let outcome = tagdesk::tui::run(settings, clients).await;
        simulator.shutdown().await;
        outcome
    });
    runtime.shutdown_timeout(std::time::Duration::from_millis(500));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tagdesk: {e:?}");
            ExitCode::FAILURE
        }
    }
}

fn run_sim(args: SimArgs) -> ExitCode {
    let seed = if args.empty {
        Seed::empty()
    } else if let Some(path) = &args.seed {
        match Seed::load(path) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("tagdesk sim: {e}");
                return ExitCode::from(2);
            }
        }
    } else {
        Seed::demo()
    };
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
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("tagdesk sim: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        let summary = sim::summary(&options);
        let simulator = match Simulator::start(args.listen, options).await {
            Ok(s) => s,
            Err(e) => {
                eprintln!("tagdesk sim: cannot listen on {}: {e}", args.listen);
                return ExitCode::FAILURE;
            }
        };
        println!("listening on {}", simulator.base_url());
        println!("{summary}");
        wait_for_stop_signal().await;
        println!("stopping");
        simulator.shutdown().await;
        ExitCode::SUCCESS
    })
}

/// Resolves on Ctrl-C, SIGTERM or SIGHUP.
async fn wait_for_stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let term = signal(SignalKind::terminate());
        let hup = signal(SignalKind::hangup());
        match (term, hup) {
            (Ok(mut term), Ok(mut hup)) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                    _ = hup.recv() => {}
                }
            }
            _ => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
