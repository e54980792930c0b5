//! Reading and writing tagdesk's own files safely: private permissions, and no trust in
//! what a path points at.
//!
//! A configuration, seed or workspace path may name a FIFO (reading it would wait forever),
//! a device (`/dev/zero` never ends), a directory, or a file far larger than any real one.
//! [`read_text`] refuses all of these with a clear message before reading a byte, and never
//! reads more than the limit even if the file grows meanwhile.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

/// The largest configuration file tagdesk reads.
pub const MAX_CONFIG_BYTES: u64 = 1024 * 1024;
/// The largest simulator seed file tagdesk reads.
pub const MAX_SEED_BYTES: u64 = 256 * 1024 * 1024;
/// The largest workspace file tagdesk reads: the snapshot, and the change log (compacted
/// into the snapshot once it outgrows it, so it stays far below this).
pub const MAX_WORKSPACE_BYTES: u64 = 64 * 1024 * 1024;

/// Why a file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("no such file")]
    NotFound,
    #[error("is not a regular file ({0}); give the path of a file")]
    NotRegular(&'static str),
    #[error("is {size} bytes; the limit is {limit} bytes")]
    TooLarge { size: u64, limit: u64 },
    #[error("is not valid UTF-8 (at byte {0})")]
    NotUtf8(usize),
    #[error("cannot read: {0}")]
    Io(#[from] io::Error),
}

fn kind_of(meta: &std::fs::Metadata) -> &'static str {
    let t = meta.file_type();
    if t.is_dir() {
        return "a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    "not a file"
}

/// Reads a regular file of at most `limit` bytes as UTF-8 text.
pub fn read_text(path: &Path, limit: u64) -> Result<String, ReadError> {
    let bytes = read_bytes(path, limit)?;
    String::from_utf8(bytes).map_err(|e| ReadError::NotUtf8(e.utf8_error().valid_up_to()))
}

/// Reads a regular file of at most `limit` bytes, with [`read_text`]'s checks but no
/// requirement on the encoding (a file read line by line checks each line).
pub fn read_bytes(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(ReadError::NotFound),
        Err(e) => return Err(ReadError::Io(e)),
    };
    if !meta.is_file() {
        return Err(ReadError::NotRegular(kind_of(&meta)));
    }
    if meta.len() > limit {
        return Err(ReadError::TooLarge {
            size: meta.len(),
            limit,
        });
    }
    let file = File::open(path)?;
    // The file may have been swapped since the check: look again at what was opened.
    let opened = file.metadata()?;
    if !opened.is_file() {
        return Err(ReadError::NotRegular(kind_of(&opened)));
    }
    let mut bytes = Vec::with_capacity(opened.len().min(limit) as usize);
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge {
            size: bytes.len() as u64,
            limit,
        });
    }
    Ok(bytes)
}

/// Creates `dir` (and its parents) 0700 on unix; an existing directory is left alone.
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// Writes `contents` to `path`, private to its user (0600, whatever was there before) and
/// whole: written to a temporary file beside it, synced, then renamed over it, so a crash
/// leaves the old file or the new one. Every file tagdesk writes whole goes through here.
pub fn write_private(path: &Path, contents: impl AsRef<[u8]>) -> io::Result<()> {
    use std::io::Write;
    let tmp = path.with_extension(format!(
        "{}tmp-{}",
        path.extension()
            .map(|e| format!("{}.", e.to_string_lossy()))
            .unwrap_or_default(),
        std::process::id()
    ));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&tmp)?;
    let written = make_private(&file)
        .and_then(|()| file.write_all(contents.as_ref()))
        .and_then(|()| file.sync_all());
    drop(file);
    // A file that could not be written whole (a full disk) is not left behind.
    let renamed = written.and_then(|()| std::fs::rename(&tmp, path));
    if renamed.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    renamed
}

/// Narrows an existing file tagdesk writes to 0600 (it may predate tagdesk, or have been
/// created by another tool with the default umask).
pub fn make_private(file: &File) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = file.metadata()?.permissions().mode();
        if mode & 0o077 != 0 {
            file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        }
    }
    #[cfg(not(unix))]
    {
        let _ = file;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn written_files_are_private_even_when_they_existed() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        std::fs::write(&path, "old").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        write_private(&path, "new").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let fresh = dir.path().join("fresh");
        write_private(&fresh, "x").unwrap();
        let mode = std::fs::metadata(&fresh).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn a_failed_write_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let taken = dir.path().join("plan.json");
        std::fs::create_dir(&taken).unwrap();
        std::fs::write(taken.join("inside"), "x").unwrap();
        assert!(
            write_private(&taken, "new").is_err(),
            "a folder is not replaced"
        );
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["plan.json"], "no *.tmp-PID is left behind");
    }

    #[test]
    fn refuses_what_is_not_a_small_regular_file() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            read_text(&dir.path().join("nope"), 10),
            Err(ReadError::NotFound)
        ));
        assert!(matches!(
            read_text(dir.path(), 10),
            Err(ReadError::NotRegular("a directory"))
        ));
        #[cfg(unix)]
        {
            let e = read_text(Path::new("/dev/zero"), 10).unwrap_err();
            assert!(e.to_string().contains("character device"), "{e}");
        }
        let big = dir.path().join("big");
        std::fs::write(&big, vec![b'a'; 11]).unwrap();
        assert!(matches!(
            read_text(&big, 10),
            Err(ReadError::TooLarge {
                size: 11,
                limit: 10
            })
        ));
        assert_eq!(read_text(&big, 11).unwrap(), "a".repeat(11));
        std::fs::write(&big, [b'a', 0xff]).unwrap();
        assert!(matches!(read_text(&big, 10), Err(ReadError::NotUtf8(1))));
    }
}
