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
    let print_profile = args.print_profile;
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
        if let Some(name) = &print_profile {
            super::out("");
            for line in profile_block(name, simulator.addr(), simulator.options()).lines() {
                super::out(&printable(line));
            }
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

/// A `[profiles.NAME]` block for the configuration, pointing at a simulator listening on
/// `addr`: its URL, the keys it accepts (its own demo keys, not secrets), `tags_api`, the
/// partner, tag types and api_fields of the seed it serves. Ends with a `# end of` comment
/// line, so a script reading the output knows where the block stops.
pub fn profile_block(name: &str, addr: std::net::SocketAddr, options: &SimOptions) -> String {
    use std::fmt::Write;
    // A simulator listening on every address is reached through this machine's own.
    let ip = match addr.ip() {
        std::net::IpAddr::V4(v4) if v4.is_unspecified() => std::net::Ipv4Addr::LOCALHOST.into(),
        std::net::IpAddr::V6(v6) if v6.is_unspecified() => std::net::Ipv6Addr::LOCALHOST.into(),
        ip => ip,
    };
    let url = format!("http://{}", std::net::SocketAddr::new(ip, addr.port()));
    let key = toml_key(name);
    let q = |s: &str| toml::Value::String(s.to_string()).to_string();
    let c = &options.seed.cerego;
    let h = &options.seed.hive;
    let mut out = String::new();
    let _ = writeln!(out, "[profiles.{key}]");
    let _ = writeln!(
        out,
        "# tagdesk sim at {url}: the api_key lines are its own demo keys, not secrets"
    );
    if !ip.to_canonical().is_loopback() {
        let _ = writeln!(
            out,
            "allow_insecure_http = true  # plain http to another host"
        );
    }
    let _ = writeln!(out, "\n[profiles.{key}.cerego]");
    let _ = writeln!(out, "base_url = {}", q(&url));
    let _ = writeln!(out, "partner_id = {}", q(c.partner_id.as_str()));
    let _ = writeln!(out, "api_key = {}", q(&options.cerego_key));
    let _ = writeln!(
        out,
        "tags_api = \"set\"  # the simulator answers \"legacy\" too"
    );
    let _ = writeln!(out, "tag_types = [");
    for t in &c.tag_types {
        let _ = writeln!(
            out,
            "  {{ id = {}, name = {} }},",
            q(t.id.as_str()),
            q(&t.name)
        );
    }
    let _ = writeln!(out, "]");
    if c.users.iter().any(|u| u.department.is_some()) {
        let _ = writeln!(
            out,
            "# include_department_users = true  # its seed has department users too"
        );
    }
    let _ = writeln!(out, "\n[profiles.{key}.hive]");
    let _ = writeln!(out, "base_url = {}", q(&url));
    let _ = writeln!(out, "api_key = {}", q(&options.hive_key));
    let _ = writeln!(out, "tags = [");
    for t in &h.tags {
        let _ = writeln!(
            out,
            "  {{ api_field = {}, name = {} }},",
            q(t.api_field.as_str()),
            q(&t.name)
        );
    }
    let _ = writeln!(out, "]");
    let _ = writeln!(out, "# end of [profiles.{key}]");
    out
}

/// A profile name as a TOML key: bare when it can be, quoted otherwise.
fn toml_key(name: &str) -> String {
    let bare = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if bare {
        name.to_string()
    } else {
        toml::Value::String(name.to_string()).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_profile_block_is_a_configuration_that_parses() {
        let options = SimOptions::default();
        for name in ["local", "my sim", "a.b"] {
            let block = profile_block(name, "0.0.0.0:8787".parse().unwrap(), &options);
            let config = crate::config::parse(&block, std::path::Path::new("c.toml"))
                .unwrap_or_else(|e| panic!("{e}\n{block}"));
            let p = &config.profiles[name];
            let c = p.cerego.as_ref().unwrap();
            assert_eq!(c.base_url, "http://127.0.0.1:8787");
            assert_eq!(c.partner_id, options.seed.cerego.partner_id);
            assert_eq!(c.tag_types, options.seed.cerego.tag_types);
            assert_eq!(c.tags_api, Some(crate::core::domain::TagsApi::Set));
            assert_eq!(c.key.api_key.as_deref(), Some(options.cerego_key.as_str()));
            let h = p.hive.as_ref().unwrap();
            assert_eq!(h.tags, options.seed.hive.tags);
            assert_eq!(h.key.api_key.as_deref(), Some(options.hive_key.as_str()));
            assert!(!p.allow_insecure_http);
        }
        let far = profile_block("x", "10.1.2.3:9".parse().unwrap(), &options);
        let config = crate::config::parse(&far, std::path::Path::new("c.toml")).unwrap();
        assert!(config.profiles["x"].allow_insecure_http);
    }
}
