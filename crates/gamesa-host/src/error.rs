//! Errors of the host side: I/O, files that do not verify, and the checker's own errors.

use gamesa_core::ErrorCode;
use gamesa_core::effects::EffectError;
use gamesa_core::engine::EngineError;
use gamesa_core::error::codes;
use std::fmt;
use std::path::PathBuf;

/// Everything the host side can fail with. Each variant names the file concerned.
#[derive(Debug)]
pub enum HostError {
    /// An operating-system error while `action` (e.g. "opening", "appending to") `path`.
    /// Code `IO_ERROR`.
    Io {
        path: PathBuf,
        action: &'static str,
        source: std::io::Error,
    },
    /// The audit file does not verify: `line` (1-based) is the first bad line, `seq` the seq
    /// expected there. Code `AUDIT_CORRUPT`.
    Corrupt {
        path: PathBuf,
        line: Option<usize>,
        seq: u64,
        reason: String,
    },
    /// The last line of the audit file has no newline (an append cut short by a crash) and the
    /// caller did not ask to repair it. Code `AUDIT_CORRUPT`.
    TornTail {
        path: PathBuf,
        line: usize,
        byte_len: usize,
    },
    /// An earlier append failed, so the file may end in a partial line; further records are
    /// refused until the file is reopened (which reports the torn tail). Code `IO_ERROR`.
    SinkFailed { path: PathBuf },
    /// The checker's audit file was closed (`close()`): no more decisions. Code `IO_ERROR`.
    Closed { path: PathBuf },
    /// An error of the checker itself (`CAPABILITY_DENIED`, `INVALID_ARGUMENT`).
    Effect(EffectError),
    /// A trace line (1-based) that is not what `gamesa record` writes, or whose time goes
    /// backwards. Code `INVALID_TRACE`.
    Trace {
        path: PathBuf,
        line: usize,
        message: String,
    },
    /// The engine could not be built (`INVALID_ENGINE_CONFIG` with every problem).
    Engine(EngineError),
    /// An actuator cannot act on this machine: `what` (a cgroup controller, a sysfs file, the
    /// NVIDIA library) is absent. Code `ACTUATION_UNSUPPORTED`.
    Unsupported { what: String },
    /// `what` (live workloads, actuation, restore) needs Linux and this is `os`
    /// (`std::env::consts::OS`). Code `UNSUPPORTED_PLATFORM`.
    UnsupportedPlatform {
        what: &'static str,
        os: &'static str,
    },
    /// A change that cannot be made as asked (an empty CPU list, a policy the actuators do not
    /// set). Code `INVALID_ARGUMENT`.
    InvalidChange { message: String },
    /// A line of the actuation journal (1-based) that is not an entry, or names something the
    /// actuators do not write; only a torn *last* line is tolerated. `line` 0: the file itself is
    /// not trusted (owned by another user, or writable by others). Code `JOURNAL_CORRUPT`.
    JournalCorrupt {
        path: PathBuf,
        line: usize,
        message: String,
    },
    /// Another process holds the journal's lock (a governor still running, or a restore).
    /// Code `JOURNAL_LOCKED`.
    JournalLocked { path: PathBuf },
    /// Another process appends to the audit file: two writers would both write the next
    /// `seq` and split the chain for good. Code `AUDIT_LOCKED`.
    AuditLocked { path: PathBuf },
    /// Another process writes the file (see `files::FileLock`). Code `FILE_LOCKED`.
    FileLocked { path: PathBuf },
    /// A workloads configuration that cannot be used (the message names the place, e.g.
    /// `workloads[0].select[1].cmdline`). Code `INVALID_CONFIG`.
    InvalidWorkloads { message: String },
    /// Acting on the machine needs capabilities the process lacks (`missing`, e.g.
    /// `CAP_SYS_NICE`). Code `ACTUATION_PERMISSION_DENIED`.
    PermissionDenied { missing: Vec<&'static str> },
    /// The GameMode-compatible D-Bus service could not connect to the session bus (or the bus
    /// failed it). Code `GAMEMODE_UNAVAILABLE`.
    Bus { message: String },
}

/// `IO_ERROR` for `path` while `action` ("opening", "reading", ...), as a `map_err` argument.
pub(crate) fn io(
    path: &std::path::Path,
    action: &'static str,
) -> impl FnOnce(std::io::Error) -> HostError {
    let path = path.to_path_buf();
    move |source| HostError::Io {
        path,
        action,
        source,
    }
}

impl fmt::Display for HostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HostError::Io {
                path,
                action,
                source,
            } => write!(f, "I/O error {action} {}: {source}", path.display()),
            HostError::Corrupt {
                path,
                line,
                seq,
                reason,
            } => {
                write!(f, "audit file {} does not verify", path.display())?;
                if let Some(line) = line {
                    write!(f, " at line {line}")?;
                }
                write!(f, " (seq {seq}): {reason}")
            }
            HostError::TornTail {
                path,
                line,
                byte_len,
            } => write!(
                f,
                "audit file {} ends in a torn line {line} ({byte_len} bytes without a newline, an append cut short); \
                 open it with repairTornTail to cut that line off and continue",
                path.display()
            ),
            HostError::Closed { path } => write!(
                f,
                "audit file {} was closed: open a new checker on it to go on",
                path.display()
            ),
            HostError::SinkFailed { path } => write!(
                f,
                "audit file {} is unusable after a failed append; reopen it to check and continue",
                path.display()
            ),
            HostError::Effect(e) => e.fmt(f),
            HostError::Trace {
                path,
                line,
                message,
            } => write!(f, "trace {} line {line}: {message}", path.display()),
            HostError::Engine(e) => e.fmt(f),
            HostError::Unsupported { what } => write!(f, "actuation unsupported here: {what}"),
            HostError::UnsupportedPlatform { what, os } => write!(
                f,
                "{what} needs Linux (/proc, cgroups, sysfs); this is {os}: telemetry reads report their sources absent here, and the engine, replay and backtest run as on Linux"
            ),
            HostError::InvalidChange { message } => write!(f, "invalid change: {message}"),
            HostError::JournalCorrupt {
                path,
                line,
                message,
            } if *line == 0 => write!(f, "actuation journal {}: {message}", path.display()),
            HostError::JournalCorrupt {
                path,
                line,
                message,
            } => write!(
                f,
                "actuation journal {} is corrupt at line {line}: {message}",
                path.display()
            ),
            HostError::JournalLocked { path } => write!(
                f,
                "actuation journal {} is locked by another process (a running governor or restore)",
                path.display()
            ),
            HostError::AuditLocked { path } => write!(
                f,
                "audit file {} is being written by another process: one writer at a time keeps its chain whole",
                path.display()
            ),
            HostError::FileLocked { path } => write!(
                f,
                "{} is being written by another process (one writer at a time)",
                path.display()
            ),
            HostError::InvalidWorkloads { message } => {
                write!(f, "invalid workloads configuration: {message}")
            }
            HostError::PermissionDenied { missing } => write!(
                f,
                "applying settings needs {} (run as root, or grant the capability); \
                 without --apply nothing is changed and no capability is needed",
                missing.join(" and ")
            ),
            HostError::Bus { message } => write!(f, "GameMode service: {message}"),
        }
    }
}

impl std::error::Error for HostError {}

impl ErrorCode for HostError {
    fn code(&self) -> &'static str {
        match self {
            HostError::Io { .. } | HostError::SinkFailed { .. } | HostError::Closed { .. } => {
                codes::IO_ERROR
            }
            HostError::Corrupt { .. } | HostError::TornTail { .. } => codes::AUDIT_CORRUPT,
            HostError::Effect(e) => e.code(),
            HostError::Trace { .. } => codes::INVALID_TRACE,
            HostError::Engine(e) => e.code(),
            HostError::Unsupported { .. } => codes::ACTUATION_UNSUPPORTED,
            HostError::UnsupportedPlatform { .. } => codes::UNSUPPORTED_PLATFORM,
            HostError::InvalidChange { .. } => codes::INVALID_ARGUMENT,
            HostError::JournalCorrupt { .. } => codes::JOURNAL_CORRUPT,
            HostError::JournalLocked { .. } => codes::JOURNAL_LOCKED,
            HostError::AuditLocked { .. } => codes::AUDIT_LOCKED,
            HostError::FileLocked { .. } => codes::FILE_LOCKED,
            HostError::InvalidWorkloads { .. } => codes::INVALID_CONFIG,
            HostError::PermissionDenied { .. } => codes::ACTUATION_PERMISSION_DENIED,
            HostError::Bus { .. } => codes::GAMEMODE_UNAVAILABLE,
        }
    }
}

impl From<EffectError> for HostError {
    fn from(e: EffectError) -> Self {
        HostError::Effect(e)
    }
}
