//! `tagdesk config`: write a template, check every profile, print where files live.

use super::args::ConfigCommand;
use super::{Format, env, exit, runtime};
use crate::config;
use crate::core::printable::{self, printable};
use crate::session::Options;

pub fn config_command(c: ConfigCommand, options: &Options, format: Format) -> u8 {
    let paths = config::Paths::resolve(options.config.as_deref(), &env);
    match c {
        ConfigCommand::Path => {
            let ignored: Vec<String> = paths
                .ignored
                .iter()
                .map(|v| {
                    format!(
                        "{v} is not an absolute path, so it is ignored (as the XDG base \
                         directory specification says)"
                    )
                })
                .collect();
            match format {
                Format::Json => super::out(&printable::json_text(&serde_json::json!({
                    "config": paths.config_file,
                    "config_from": paths.config_from.name(),
                    "data": paths.data_dir,
                    "data_from": paths.data_from.name(),
                    "ignored": ignored,
                }))),
                Format::Human => {
                    super::out(&printable(&format!(
                        "config: {}  ({})",
                        paths.config_file.display(),
                        paths.config_from.name()
                    )));
                    super::out(&printable(&format!(
                        "data:   {}  ({})",
                        paths.data_dir.display(),
                        paths.data_from.name()
                    )));
                    for note in &ignored {
                        super::err(&format!("tagdesk: note: {note}"));
                    }
                }
            }
            exit::OK
        }
        ConfigCommand::Init => {
            if paths.config_file.exists() {
                return super::fail(
                    format,
                    &format!(
                        "{} already exists; it was left as it is",
                        paths.config_file.display()
                    ),
                    exit::USAGE,
                );
            }
            match config::write_new_private(&paths.config_file, config::TEMPLATE) {
                Ok(()) => {
                    super::out(&printable(&format!(
                        "wrote {} (mode 0600); edit it, then run: tagdesk config check",
                        paths.config_file.display()
                    )));
                    super::out(&printable(&write_schema(&paths.config_file)));
                    exit::OK
                }
                Err(e) => super::fail(
                    format,
                    &format!("cannot write {}: {e}", paths.config_file.display()),
                    exit::USAGE,
                ),
            }
        }
        ConfigCommand::Schema => {
            // Pretty JSON with its trailing newline: `> schemas/config.schema.json` keeps
            // the committed file byte for byte.
            super::out(config::schema_text().trim_end());
            exit::OK
        }
        ConfigCommand::Check => match runtime() {
            Ok(rt) => rt.block_on(super::check::run(
                &paths,
                format,
                &env,
                options.profile.as_deref(),
            )),
            Err(e) => super::fail(format, &e, exit::USAGE),
        },
    }
}

/// Writes the configuration's JSON Schema beside `config_file` (its `#:schema` line names
/// it), and says what it did. A file of that name that tagdesk did not write (it differs
/// from this schema) is left as it is.
fn write_schema(config_file: &std::path::Path) -> String {
    let path = config_file.with_file_name(config::SCHEMA_FILE);
    let schema = config::schema_text();
    let refresh = format!("tagdesk config schema > {}", path.display());
    match std::fs::read(&path) {
        Ok(old) if old == schema.as_bytes() => format!(
            "{} is already there (editors validate and complete the file with it)",
            path.display()
        ),
        Ok(_) => format!(
            "{} exists and is not this tagdesk's schema; it was left as it is (to replace \
             it: {refresh})",
            path.display()
        ),
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => format!(
            "{} cannot be read ({e}); it was left as it is (to replace it: {refresh})",
            path.display()
        ),
        Err(_) => match config::write_new_private(&path, &schema) {
            Ok(()) => format!(
                "wrote {} beside it: editors that read `#:schema` (taplo, tombi, Even Better \
                 TOML) validate and complete the file with it",
                path.display()
            ),
            Err(e) => format!(
                "cannot write {} ({e}); the configuration works without it (to write it: \
                 {refresh})",
                path.display()
            ),
        },
    }
}
