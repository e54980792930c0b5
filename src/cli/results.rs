//! Where `--results` (and `--har`) may write. The results file is written whole and renamed into place,
//! so whatever is at the path is replaced: the path is checked before anything is sent,
//! and again just before the results are written.
//!
//! Never a target: anything in tagdesk's data directory (the journals, the workspaces, the
//! batch plans), the configuration file, the batch's input file, or a directory. Something
//! there that is not a regular file (a symlink, a device, a FIFO, a socket) only with
//! `--force`. `-` is standard output.

use std::path::{Path, PathBuf};

use crate::session::Session;

/// Where the results go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    Stdout,
    /// The path as given (for messages) and as resolved (written).
    File {
        given: PathBuf,
        full: PathBuf,
    },
}

impl Target {
    pub(crate) fn shown(&self) -> String {
        match self {
            Target::Stdout => "-".into(),
            Target::File { given, .. } => given.display().to_string(),
        }
    }
}

/// Checks `path` as a results target for a batch read from `input` (a file name, `-` for
/// standard input), creating and removing a probe file beside it when `probe`: the reason
/// it may not be used, or where to write.
pub(crate) fn check(
    session: &Session,
    path: &Path,
    input: Option<&str>,
    force: bool,
    probe: bool,
) -> Result<Target, String> {
    check_as(&session.paths, "--results", path, input, force, probe)
}

/// [`check`] for any file tagdesk writes at an operator's path (`--results`, `--har`):
/// `flag` names it in the reasons.
pub(crate) fn check_as(
    paths: &crate::config::Paths,
    flag: &str,
    path: &Path,
    input: Option<&str>,
    force: bool,
    probe: bool,
) -> Result<Target, String> {
    if path.as_os_str() == "-" {
        return Ok(Target::Stdout);
    }
    let shown = path.display();
    let name = match path.file_name() {
        Some(n) if !path.as_os_str().to_string_lossy().ends_with('/') => n,
        _ => return Err(format!("{flag} {shown} names no file")),
    };
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let dir = std::fs::canonicalize(parent)
        .map_err(|e| format!("{flag} {shown}: its folder {}: {e}", parent.display()))?;
    if !dir.is_dir() {
        return Err(format!(
            "{flag} {shown}: {} is not a folder",
            parent.display()
        ));
    }
    let full = dir.join(name);
    let data_dir =
        std::fs::canonicalize(&paths.data_dir).unwrap_or_else(|_| paths.data_dir.clone());
    if full.starts_with(&data_dir) {
        return Err(format!(
            "{flag} {shown} is in tagdesk's data folder {} (the journal, the workspace, the \
             batch plans): write the results outside it",
            data_dir.display()
        ));
    }
    let existing = std::fs::symlink_metadata(&full).ok();
    if let Some(meta) = &existing {
        let input_file = input
            .filter(|i| *i != "-")
            .and_then(|i| std::fs::metadata(i).ok());
        if meta.is_file() && input_file.is_some_and(|i| same_file(meta, &i)) {
            return Err(format!(
                "{flag} {shown} is the batch's input file: write the results elsewhere"
            ));
        }
        if let Ok(config) = std::fs::metadata(&paths.config_file)
            && meta.is_file()
            && same_file(meta, &config)
        {
            return Err(format!(
                "{flag} {shown} is tagdesk's configuration file: write the results elsewhere"
            ));
        }
        if meta.is_dir() {
            return Err(format!("{flag} {shown} is a folder"));
        }
        if !meta.is_file() && !force {
            return Err(format!(
                "{flag} {shown} exists and is {}: it would be replaced (pass --force to \
                 replace it)",
                kind_of(meta)
            ));
        }
    }
    if probe {
        let probe_path = dir.join(format!(
            ".{}.tagdesk-check-{}",
            name.to_string_lossy(),
            std::process::id()
        ));
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&probe_path)
            .map_err(|e| format!("{flag} {shown} cannot be written: {e}"))?;
        let _ = std::fs::remove_file(&probe_path);
    }
    Ok(Target::File {
        given: path.to_path_buf(),
        full,
    })
}

fn same_file(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        a.dev() == b.dev() && a.ino() == b.ino()
    }
    #[cfg(not(unix))]
    {
        a.len() == b.len() && a.modified().ok() == b.modified().ok()
    }
}

fn kind_of(meta: &std::fs::Metadata) -> &'static str {
    let t = meta.file_type();
    if t.is_symlink() {
        return "a symbolic link";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_block_device() || t.is_char_device() {
            return "a device";
        }
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    "not a regular file"
}
