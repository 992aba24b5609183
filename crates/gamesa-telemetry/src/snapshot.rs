//! One reading of every source: the variables that could be read, the ones that could not
//! (with the reason), and each source's status.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use crate::error::ReadError;

/// Whether a source could be read, and if not, why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum SourceStatus {
    /// Read successfully (some of its variables may still be absent, each with a reason).
    Present,
    /// The file the source needs does not exist.
    Missing { path: String },
    /// The file exists but may not be read by this process.
    PermissionDenied { path: String },
    /// The machine cannot provide this source (no driver, no PSI, no such hardware).
    Unsupported { reason: String },
    /// The source failed in another way (malformed content, I/O error, NVML error).
    Error { message: String },
}

impl SourceStatus {
    /// True for [`SourceStatus::Present`].
    pub fn is_present(&self) -> bool {
        matches!(self, SourceStatus::Present)
    }

    /// The status's name: `present`, `missing`, `permission_denied`, `unsupported`, `error`.
    pub fn name(&self) -> &'static str {
        match self {
            SourceStatus::Present => "present",
            SourceStatus::Missing { .. } => "missing",
            SourceStatus::PermissionDenied { .. } => "permission_denied",
            SourceStatus::Unsupported { .. } => "unsupported",
            SourceStatus::Error { .. } => "error",
        }
    }

    /// Why the source is not present, in words; `None` when it is.
    pub fn reason(&self) -> Option<String> {
        match self {
            SourceStatus::Present => None,
            SourceStatus::Missing { path } => Some(format!("{path} not found")),
            SourceStatus::PermissionDenied { path } => Some(format!("{path}: permission denied")),
            SourceStatus::Unsupported { reason } => Some(reason.clone()),
            SourceStatus::Error { message } => Some(message.clone()),
        }
    }
}

impl fmt::Display for SourceStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SourceStatus::Present => write!(f, "present"),
            SourceStatus::Missing { path } => write!(f, "missing: {path}"),
            SourceStatus::PermissionDenied { path } => write!(f, "permission denied: {path}"),
            SourceStatus::Unsupported { reason } => write!(f, "unsupported: {reason}"),
            SourceStatus::Error { message } => write!(f, "error: {message}"),
        }
    }
}

impl From<&ReadError> for SourceStatus {
    fn from(err: &ReadError) -> Self {
        match err {
            ReadError::Missing { path } => SourceStatus::Missing {
                path: path.display().to_string(),
            },
            ReadError::PermissionDenied { path } => SourceStatus::PermissionDenied {
                path: path.display().to_string(),
            },
            ReadError::Unsupported { path } => SourceStatus::Unsupported {
                reason: format!("{}: not supported by this kernel", path.display()),
            },
            ReadError::Malformed { .. } | ReadError::Io { .. } => SourceStatus::Error {
                message: err.to_string(),
            },
        }
    }
}

impl From<ReadError> for SourceStatus {
    fn from(err: ReadError) -> Self {
        SourceStatus::from(&err)
    }
}

/// One reading. Maps are ordered, so printing or serializing a snapshot is deterministic.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Snapshot {
    /// Wall-clock time of the reading in milliseconds since the Unix epoch, as given by the
    /// caller (readers never look at a clock).
    pub timestamp_ms: u64,
    /// Variables that were read, by catalog name (see docs/telemetry.md).
    pub values: BTreeMap<String, f64>,
    /// Variables that could not be read this time, with the reason.
    pub absent: BTreeMap<String, String>,
    /// Every source by name, with its status.
    pub sources: BTreeMap<String, SourceStatus>,
}

impl Snapshot {
    /// An empty snapshot stamped `timestamp_ms`.
    pub fn new(timestamp_ms: u64) -> Self {
        Snapshot {
            timestamp_ms,
            ..Snapshot::default()
        }
    }

    /// The value of `name`, if it was read.
    pub fn get(&self, name: &str) -> Option<f64> {
        self.values.get(name).copied()
    }

    /// Records a value. A non-finite value is recorded as absent instead: a NaN is not a
    /// reading.
    pub fn set(&mut self, name: impl Into<String>, value: f64) {
        let name = name.into();
        if value.is_finite() {
            self.absent.remove(&name);
            self.values.insert(name, value);
        } else {
            self.values.remove(&name);
            self.absent
                .insert(name, format!("not a finite number: {value}"));
        }
    }

    /// Records that `name` could not be read, and why.
    pub fn set_absent(&mut self, name: impl Into<String>, reason: impl Into<String>) {
        let name = name.into();
        self.values.remove(&name);
        self.absent.insert(name, reason.into());
    }

    /// Records `value` when it is `Ok`, otherwise the variable as absent with the reason.
    pub fn set_result(&mut self, name: &str, value: Result<f64, String>) {
        match value {
            Ok(v) => self.set(name, v),
            Err(reason) => self.set_absent(name, reason),
        }
    }

    /// Records a source's status.
    pub fn set_source(&mut self, source: &str, status: SourceStatus) {
        self.sources.insert(source.to_string(), status);
    }

    /// Records a failed source and marks all of `names` absent with its reason.
    pub fn fail_source(&mut self, source: &str, status: SourceStatus, names: &[&str]) {
        let reason = format!("{source}: {status}");
        for name in names {
            self.set_absent(*name, reason.clone());
        }
        self.set_source(source, status);
    }
}
