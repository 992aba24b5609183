//! An audit trail in an append-only NDJSON file.
//!
//! # Format
//! One canonical record per line, each ending in `\n` — exactly
//! `gamesa_core::effects::AuditTrail::to_ndjson`, so an exported trail and a file are
//! interchangeable and `verifyAuditNdjson` can check either.
//!
//! # Durability
//! Each record is written with a single `write` of its whole line (newline included) to a
//! file opened in append mode, then flushed, before the call that produced it returns. So once
//! a check has returned, its record is in the operating system's cache and survives a crash of
//! the process. It survives a power loss or kernel crash only with `fsync: true`, which calls
//! `fdatasync` after every record (one disk flush per record: much slower). The directory
//! entry of a newly created file is not synced.
//!
//! # Reopening
//! Opening an existing file reads and verifies it entirely first; the chain then continues
//! from its last record. Any record that does not verify is `AUDIT_CORRUPT` naming the line.
//! A last line without its newline is a *torn tail* (an append cut short): by default opening
//! fails with `AUDIT_CORRUPT`; with `repair_torn_tail` the torn bytes are cut off the file and
//! returned in [`OpenReport::torn_tail`] (content included), so they are never dropped
//! silently. [`inspect_audit_file`] verifies without opening for writing or repairing.
//!
//! # One writer
//! A file must have one writer at a time. Before each append the file's length is compared
//! with what this writer last left; a difference (another writer, an edit) fails the append
//! with `AUDIT_CORRUPT` rather than forking the chain.

use crate::error::HostError;
use gamesa_core::effects::{
    AuditRecord, AuditTrail, BreakKind, ChainBreak, NdjsonScan, TornTail, VerifyReport, scan_ndjson,
};
use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Read, Write};
use std::path::{Path, PathBuf};

/// How to open an audit file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AuditFileOptions {
    /// `fdatasync` after every record (see the module docs on durability).
    pub fsync: bool,
    /// Cut a torn last line off instead of failing; it is returned in the open report.
    pub repair_torn_tail: bool,
}

/// What opening found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenReport {
    pub path: PathBuf,
    /// True when the file did not exist and was created.
    pub created: bool,
    /// Records found (and verified) in the file.
    pub records: u64,
    /// Hash of the last of them: where the chain continues.
    pub head_hash: String,
    /// The torn last line that was cut off (only with `repair_torn_tail`).
    pub torn_tail: Option<TornTail>,
}

/// The writing end of an audit file. See the module docs.
#[derive(Debug)]
pub struct AuditFile {
    path: PathBuf,
    file: File,
    /// File length after our last write: a different length means someone else wrote.
    len: u64,
    fsync: bool,
}

fn io(path: &Path, action: &'static str) -> impl FnOnce(std::io::Error) -> HostError {
    let path = path.to_path_buf();
    move |source| HostError::Io {
        path,
        action,
        source,
    }
}

/// Splits raw file bytes into complete lines and a torn tail, then parses and verifies.
/// Invalid UTF-8 inside a complete line breaks the chain at that line.
fn scan_bytes(bytes: &[u8]) -> NdjsonScan {
    let complete_len = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let (complete, tail) = bytes.split_at(complete_len);
    let line_count = complete.iter().filter(|&&b| b == b'\n').count();
    let (text, bad_utf8_line) = match std::str::from_utf8(complete) {
        Ok(t) => (t, None),
        Err(e) => {
            let valid = &complete[..e.valid_up_to()];
            let line_start = valid.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
            let line = valid[..line_start].iter().filter(|&&b| b == b'\n').count() + 1;
            // The prefix ends at a line boundary inside valid UTF-8, so it decodes.
            (
                std::str::from_utf8(&complete[..line_start]).unwrap_or_default(),
                Some(line),
            )
        }
    };
    let mut scan = scan_ndjson(text, None);
    if let (None, Some(line)) = (&scan.report.problem, bad_utf8_line) {
        scan.report.problem = Some(ChainBreak {
            seq: scan.report.verified,
            line: Some(line),
            kind: BreakKind::Unparsable("invalid UTF-8".to_string()),
        });
    }
    scan.report.records = line_count as u64;
    if !tail.is_empty() {
        scan.report.torn_tail = Some(TornTail {
            line: line_count + 1,
            byte_offset: complete_len,
            byte_len: tail.len(),
            content: String::from_utf8_lossy(tail).into_owned(),
        });
    }
    scan
}

fn read_all(file: &mut File, path: &Path) -> Result<Vec<u8>, HostError> {
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).map_err(io(path, "reading"))?;
    Ok(bytes)
}

/// Reads and verifies an audit file without changing it. A file that does not exist is
/// `IO_ERROR`; a file that does not verify is a report with `problem`/`torn_tail` set, not an
/// error.
pub fn inspect_audit_file(path: &Path) -> Result<VerifyReport, HostError> {
    let mut file = File::open(path).map_err(io(path, "opening"))?;
    Ok(scan_bytes(&read_all(&mut file, path)?).report)
}

impl AuditFile {
    /// Opens (creating if missing) the audit file at `path`, verifies what is in it, and returns
    /// the writer, the trail to continue, and what was found.
    pub fn open(
        path: &Path,
        options: AuditFileOptions,
    ) -> Result<(AuditFile, AuditTrail, OpenReport), HostError> {
        let created = matches!(std::fs::metadata(path), Err(e) if e.kind() == ErrorKind::NotFound);
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)
            .map_err(io(path, "opening"))?;
        let bytes = read_all(&mut file, path)?;
        let scan = scan_bytes(&bytes);
        if let Some(b) = scan.report.problem {
            return Err(HostError::Corrupt {
                path: path.to_path_buf(),
                line: b.line,
                seq: b.seq,
                reason: b.kind.to_string(),
            });
        }
        let mut len = bytes.len() as u64;
        let torn_tail = scan.report.torn_tail;
        if let Some(t) = &torn_tail {
            if !options.repair_torn_tail {
                return Err(HostError::TornTail {
                    path: path.to_path_buf(),
                    line: t.line,
                    byte_len: t.byte_len,
                });
            }
            len = t.byte_offset as u64;
            file.set_len(len)
                .map_err(io(path, "cutting the torn tail off"))?;
            if options.fsync {
                file.sync_data().map_err(io(path, "syncing"))?;
            }
        }
        let trail = AuditTrail::from_records(scan.records).map_err(|c| HostError::Corrupt {
            path: path.to_path_buf(),
            line: c.line,
            seq: c.seq,
            reason: c.reason,
        })?;
        let report = OpenReport {
            path: path.to_path_buf(),
            created,
            records: trail.len(),
            head_hash: trail.head_hash().to_string(),
            torn_tail,
        };
        Ok((
            AuditFile {
                path: path.to_path_buf(),
                file,
                len,
                fsync: options.fsync,
            },
            trail,
            report,
        ))
    }

    /// Appends one record as one line (one `write`), then flushes (and syncs with `fsync`).
    pub fn append(&mut self, record: &AuditRecord) -> Result<(), HostError> {
        let now = self
            .file
            .metadata()
            .map_err(io(&self.path, "checking"))?
            .len();
        if now != self.len {
            return Err(HostError::Corrupt {
                path: self.path.clone(),
                line: None,
                seq: record.seq,
                reason: format!(
                    "the file changed under this writer ({} bytes expected, {now} found): another writer or an edit",
                    self.len
                ),
            });
        }
        let mut line = record.to_line();
        line.push('\n');
        self.file
            .write_all(line.as_bytes())
            .map_err(io(&self.path, "appending to"))?;
        self.file.flush().map_err(io(&self.path, "flushing"))?;
        if self.fsync {
            self.file.sync_data().map_err(io(&self.path, "syncing"))?;
        }
        self.len += line.len() as u64;
        Ok(())
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}
