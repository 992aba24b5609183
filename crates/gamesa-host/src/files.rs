//! The files a user names (traces, audit files): only regular files, read a line at a time
//! with a bound on the line's length. `/dev/zero` given as a trace would otherwise be read
//! forever, one endless "line" growing in memory; a FIFO would block the open.

use crate::error::{HostError, io};
use std::fs::{File, Metadata, OpenOptions};
use std::io::{BufRead, ErrorKind, Read};
use std::path::Path;

/// The longest line a line reader accepts, in bytes. A trace snapshot or an audit record is a
/// few kilobytes; 16 MiB is far beyond any real one.
pub const MAX_LINE_BYTES: usize = 16 << 20;

/// What `metadata` describes, for a message, when it is not a regular file.
fn irregular_kind(metadata: &Metadata) -> Option<&'static str> {
    use std::os::unix::fs::FileTypeExt;
    let t = metadata.file_type();
    if t.is_file() {
        None
    } else if t.is_dir() {
        Some("a directory")
    } else if t.is_char_device() {
        Some("a character device")
    } else if t.is_block_device() {
        Some("a block device")
    } else if t.is_fifo() {
        Some("a FIFO")
    } else if t.is_socket() {
        Some("a socket")
    } else {
        Some("not a regular file")
    }
}

/// `IO_ERROR` for `path` when it exists and is not a regular file (checked with `stat`, which
/// neither blocks on a FIFO nor reads a device). A missing path is left to the open.
pub fn refuse_irregular(path: &Path, action: &'static str) -> Result<(), HostError> {
    match std::fs::metadata(path) {
        Ok(m) => match irregular_kind(&m) {
            None => Ok(()),
            Some(kind) => Err(HostError::Io {
                path: path.to_path_buf(),
                action,
                source: std::io::Error::new(
                    ErrorKind::InvalidInput,
                    format!("{kind}, not a regular file"),
                ),
            }),
        },
        Err(_) => Ok(()),
    }
}

/// Opens the regular file at `path` for reading.
pub fn open_regular(path: &Path) -> Result<File, HostError> {
    refuse_irregular(path, "opening")?;
    OpenOptions::new()
        .read(true)
        .open(path)
        .map_err(io(path, "opening"))
}

/// Takes an exclusive advisory lock (`flock(LOCK_EX | LOCK_NB)`) on `file`, held until it is
/// closed; the kernel drops it when the process dies, even by SIGKILL. `Ok(false)` when another
/// open file holds it.
pub fn try_lock_exclusive(file: &File, path: &Path) -> Result<bool, HostError> {
    // A lock can outlive its holder by a moment: a process that forks holds a copy of every
    // open descriptor, a locked one included, until the child execs (descriptors are
    // close-on-exec, not close-on-fork). So a held lock is tried again for a short while before
    // it counts as another writer's.
    let deadline = std::time::Instant::now() + LOCK_PATIENCE;
    loop {
        match rustix::fs::flock(file, rustix::fs::FlockOperation::NonBlockingLockExclusive) {
            Ok(()) => return Ok(true),
            Err(rustix::io::Errno::WOULDBLOCK) if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            Err(rustix::io::Errno::WOULDBLOCK) => return Ok(false),
            Err(e) => return Err(io(path, "locking")(e.into())),
        }
    }
}

/// How long a held lock is tried again before it counts as another writer's (see
/// [`try_lock_exclusive`]).
pub const LOCK_PATIENCE: std::time::Duration = std::time::Duration::from_millis(300);

/// A file held open with an exclusive lock, for a writer whose writes happen elsewhere (the
/// package's `gamesa record` writes its trace from JavaScript): one writer per file.
pub struct FileLock {
    _file: File,
}

impl FileLock {
    /// Locks the regular file at `path` (created if missing, never truncated): `FILE_LOCKED`
    /// if another process holds it.
    pub fn acquire(path: &Path) -> Result<FileLock, HostError> {
        refuse_irregular(path, "opening")?;
        let file = OpenOptions::new()
            .append(true)
            .create(true)
            .open(path)
            .map_err(io(path, "opening"))?;
        if !try_lock_exclusive(&file, path)? {
            return Err(HostError::FileLocked {
                path: path.to_path_buf(),
            });
        }
        Ok(FileLock { _file: file })
    }
}

/// A line read by [`read_line_capped`].
pub enum CappedLine {
    /// `n` bytes were read (0 at the end of the input); the line ends in `\n` unless the input
    /// ended first.
    Read(usize),
    /// The line is longer than [`MAX_LINE_BYTES`]; `buffer` holds its first bytes.
    TooLong,
}

/// Reads one line into `buffer` (cleared first), stopping after [`MAX_LINE_BYTES`] bytes.
pub fn read_line_capped(
    reader: &mut impl BufRead,
    buffer: &mut Vec<u8>,
) -> std::io::Result<CappedLine> {
    buffer.clear();
    let n = reader
        .by_ref()
        .take(MAX_LINE_BYTES as u64 + 1)
        .read_until(b'\n', buffer)?;
    if n > MAX_LINE_BYTES {
        return Ok(CappedLine::TooLong);
    }
    Ok(CappedLine::Read(n))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::BufReader;

    #[test]
    fn devices_directories_and_fifos_are_refused_before_any_read() {
        for path in ["/dev/zero", "/dev/null", "/tmp"] {
            let err = open_regular(Path::new(path)).unwrap_err();
            assert!(err.to_string().contains("not a regular file"), "{err}");
        }
    }

    #[test]
    fn an_endless_line_stops_at_the_cap() {
        let mut zero = BufReader::new(File::open("/dev/zero").unwrap());
        let mut buffer = Vec::new();
        assert!(matches!(
            read_line_capped(&mut zero, &mut buffer).unwrap(),
            CappedLine::TooLong
        ));
        assert_eq!(buffer.len(), MAX_LINE_BYTES + 1);
        let mut lines = std::io::Cursor::new(b"ab\ncd".to_vec());
        assert!(matches!(
            read_line_capped(&mut lines, &mut buffer).unwrap(),
            CappedLine::Read(3)
        ));
        assert_eq!(buffer, b"ab\n");
        assert!(matches!(
            read_line_capped(&mut lines, &mut buffer).unwrap(),
            CappedLine::Read(2)
        ));
        assert!(matches!(
            read_line_capped(&mut lines, &mut buffer).unwrap(),
            CappedLine::Read(0)
        ));
    }
}

#[cfg(test)]
mod lock_tests {
    use super::*;
    use gamesa_core::ErrorCode;

    #[test]
    fn a_second_writer_is_refused_until_the_first_closes() {
        let dir = std::env::temp_dir().join(format!("gamesa-lock-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("trace.ndjson");
        let first = FileLock::acquire(&path).unwrap();
        let err = FileLock::acquire(&path).err().expect("locked");
        assert_eq!(err.code(), "FILE_LOCKED");
        drop(first);
        assert!(FileLock::acquire(&path).is_ok());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
