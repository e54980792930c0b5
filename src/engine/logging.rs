//! The console's log file: `tagdesk.log` in the data dir, never the terminal the console
//! owns. Failed requests and journal problems land here too.

use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

/// Starts logging to `dir/tagdesk.log` (created 0600). Returns the guard that flushes the
/// log on drop, or None when the file cannot be opened (the console runs without a log).
pub fn init(dir: &Path) -> Option<WorkerGuard> {
    crate::engine::fs::create_private_dir(dir).ok()?;
    let path = dir.join("tagdesk.log");
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let file = options.open(&path).ok()?;
    // A log that already existed keeps the mode it was created with: narrow it.
    crate::engine::fs::make_private(&file).ok()?;
    let (writer, guard) = tracing_appender::non_blocking(file);
    let filter = EnvFilter::try_from_env("TAGDESK_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init()
        .ok()?;
    Some(guard)
}

#[cfg(test)]
mod tests {
    #[cfg(unix)]
    #[test]
    fn an_existing_log_is_made_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tagdesk.log");
        std::fs::write(&path, "earlier\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        // The subscriber may already be set in this test process; the file is opened (and
        // narrowed) before that matters.
        let _guard = super::init(dir.path());
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}
