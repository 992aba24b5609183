//! Why a reading failed. Every reader returns these instead of panicking or inventing a value.

use gamesa_core::error::codes;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// A failed read of one kernel file, naming the file (and the line for malformed content).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    /// The file does not exist (the kernel, the VM or the container does not provide it).
    Missing { path: PathBuf },
    /// The file exists but this process may not read it (RAPL is root-only since Linux 5.10).
    PermissionDenied { path: PathBuf },
    /// The kernel refuses the read as unsupported (PSI files with `psi=0` answer EOPNOTSUPP).
    Unsupported { path: PathBuf },
    /// The content does not have the expected shape.
    Malformed {
        path: PathBuf,
        /// 1-based line number of the offending line.
        line: usize,
        message: String,
    },
    /// Any other I/O failure (a directory where a file was expected, EIO, ...).
    Io { path: PathBuf, message: String },
}

impl ReadError {
    /// Classifies an I/O error on `path`.
    pub fn from_io(path: &Path, err: &io::Error) -> Self {
        let path = path.to_path_buf();
        match err.kind() {
            io::ErrorKind::NotFound => ReadError::Missing { path },
            io::ErrorKind::PermissionDenied => ReadError::PermissionDenied { path },
            io::ErrorKind::Unsupported => ReadError::Unsupported { path },
            _ => ReadError::Io {
                path,
                message: err.to_string(),
            },
        }
    }

    /// A malformed-content error at `line` (1-based) of `path`.
    pub fn malformed(path: &Path, line: usize, message: impl Into<String>) -> Self {
        ReadError::Malformed {
            path: path.to_path_buf(),
            line,
            message: message.into(),
        }
    }

    /// A stable SCREAMING_SNAKE code, as the other GAMESA errors have.
    pub fn code(&self) -> &'static str {
        match self {
            ReadError::Missing { .. } => codes::TELEMETRY_MISSING,
            ReadError::PermissionDenied { .. } => codes::TELEMETRY_PERMISSION_DENIED,
            ReadError::Unsupported { .. } => codes::TELEMETRY_UNSUPPORTED,
            ReadError::Malformed { .. } => codes::TELEMETRY_MALFORMED,
            ReadError::Io { .. } => codes::TELEMETRY_IO,
        }
    }

    /// The file the error is about.
    pub fn path(&self) -> &Path {
        match self {
            ReadError::Missing { path }
            | ReadError::PermissionDenied { path }
            | ReadError::Unsupported { path }
            | ReadError::Malformed { path, .. }
            | ReadError::Io { path, .. } => path,
        }
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Missing { path } => write!(f, "{}: no such file", path.display()),
            ReadError::PermissionDenied { path } => {
                write!(f, "{}: permission denied", path.display())
            }
            ReadError::Unsupported { path } => {
                write!(f, "{}: not supported by this kernel", path.display())
            }
            ReadError::Malformed {
                path,
                line,
                message,
            } => write!(f, "{}:{line}: {message}", path.display()),
            ReadError::Io { path, message } => write!(f, "{}: {message}", path.display()),
        }
    }
}

impl std::error::Error for ReadError {}
