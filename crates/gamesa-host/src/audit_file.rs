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
//! Opening an existing file reads and verifies it entirely first (line by line; only the
//! records to keep in memory are held); the chain then continues from its last record. Any record that does not verify is `AUDIT_CORRUPT` naming the line.
//! A last line without its newline is a *torn tail* (an append cut short): by default opening
//! fails with `AUDIT_CORRUPT`; with `repair_torn_tail` the torn bytes are cut off the file and
//! returned in [`OpenReport::torn_tail`] (content included), so they are never dropped
//! silently. [`inspect_audit_file`] verifies without opening for writing or repairing.
//!
//! # One writer
//! A file must have one writer at a time. Before each append the file's length is compared
//! with what this writer last left; a difference (another writer, an edit) fails the append
//! with `AUDIT_CORRUPT` rather than forking the chain.

use crate::error::{HostError, io};
use crate::files::{CappedLine, MAX_LINE_BYTES, read_line_capped};
use gamesa_core::effects::{
    Anchor, AuditRecord, AuditTrail, BreakKind, ChainBreak, ChainVerifier, TornTail, VerifyReport,
};
use std::collections::VecDeque;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, ErrorKind, Write};
use std::path::{Path, PathBuf};

/// How to open an audit file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AuditFileOptions {
    /// `fdatasync` after every record (see the module docs on durability).
    pub fsync: bool,
    /// Cut a torn last line off instead of failing; it is returned in the open report.
    pub repair_torn_tail: bool,
    /// Keep only about this many recent records in memory (`None`: all); the file keeps
    /// everything. See `AuditTrail::set_retention`.
    pub keep_in_memory: Option<usize>,
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

/// A file read line by line and verified: the report, the records kept (the last `keep` of
/// the verified ones) and where the complete lines end.
struct FileScan {
    report: VerifyReport,
    /// Anchor just before `kept[0]` (the end of the chain when nothing is kept).
    base: Anchor,
    kept: VecDeque<AuditRecord>,
    /// Bytes of complete lines (where a torn tail starts).
    complete_len: u64,
}

/// Reads `reader` line by line, verifying as it goes, so only the kept records are held in
/// memory. Verification stops at the first break; later lines are still counted, and a last
/// line without `\n` is reported as the torn tail. Invalid UTF-8 breaks the chain at its line.
fn scan_file(
    mut reader: impl BufRead,
    keep: Option<usize>,
    path: &Path,
) -> Result<FileScan, HostError> {
    let mut v = ChainVerifier::new();
    let mut kept: VecDeque<AuditRecord> = VecDeque::new();
    let mut problem: Option<ChainBreak> = None;
    let mut torn_tail = None;
    let mut lines = 0usize;
    let mut complete_len = 0u64;
    let mut buf = Vec::new();
    loop {
        let n = match read_line_capped(&mut reader, &mut buf).map_err(io(path, "reading"))? {
            CappedLine::Read(n) => n,
            CappedLine::TooLong => {
                // No audit record is anywhere near this long: not an audit file.
                problem.get_or_insert(ChainBreak {
                    seq: v.next_seq(),
                    line: Some(lines + 1),
                    kind: BreakKind::Unparsable(format!(
                        "a line longer than {MAX_LINE_BYTES} bytes"
                    )),
                });
                break;
            }
        };
        if n == 0 {
            break;
        }
        if buf.last() != Some(&b'\n') {
            torn_tail = Some(TornTail {
                line: lines + 1,
                byte_offset: complete_len as usize,
                byte_len: n,
                content: String::from_utf8_lossy(&buf).into_owned(),
            });
            break;
        }
        lines += 1;
        complete_len += n as u64;
        if problem.is_some() {
            continue;
        }
        let pushed = match std::str::from_utf8(&buf[..n - 1]) {
            Ok(line) => v.push_line(line),
            Err(_) => Err(BreakKind::Unparsable("invalid UTF-8".to_string())),
        };
        match pushed {
            Ok(record) if keep != Some(0) => {
                kept.push_back(record);
                if keep.is_some_and(|k| kept.len() > k) {
                    kept.pop_front();
                }
            }
            Ok(_) => {}
            Err(kind) => {
                problem = Some(ChainBreak {
                    seq: v.next_seq(),
                    line: Some(lines),
                    kind,
                });
            }
        }
    }
    let base = match kept.front() {
        Some(first) => Anchor {
            length: first.seq,
            head_hash: first.prev_hash.to_string(),
        },
        None => v.anchor(),
    };
    let report = VerifyReport {
        records: lines as u64,
        verified: v.next_seq(),
        head_hash: v.head_hash().to_string(),
        problem,
        torn_tail,
    };
    Ok(FileScan {
        report,
        base,
        kept,
        complete_len,
    })
}

/// Reads and verifies an audit file without changing it, holding one line at a time in
/// memory. A file that cannot be read is `IO_ERROR`; a file that does not verify is a report
/// with `problem`/`torn_tail` set, not an error.
pub fn inspect_audit_file(path: &Path) -> Result<VerifyReport, HostError> {
    let file = crate::files::open_regular(path)?;
    Ok(scan_file(BufReader::new(file), Some(0), path)?.report)
}

impl AuditFile {
    /// Opens (creating if missing) the audit file at `path`, verifies what is in it, and returns
    /// the writer, the trail to continue, and what was found.
    pub fn open(
        path: &Path,
        options: AuditFileOptions,
    ) -> Result<(AuditFile, AuditTrail, OpenReport), HostError> {
        crate::files::refuse_irregular(path, "opening")?;
        let created = matches!(std::fs::metadata(path), Err(e) if e.kind() == ErrorKind::NotFound);
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)
            .map_err(io(path, "opening"))?;
        // One appender at a time: two would both write the next seq and split the chain.
        if !crate::files::try_lock_exclusive(&file, path)? {
            return Err(HostError::AuditLocked {
                path: path.to_path_buf(),
            });
        }
        let scan = scan_file(BufReader::new(&mut file), options.keep_in_memory, path)?;
        if let Some(b) = scan.report.problem {
            return Err(HostError::Corrupt {
                path: path.to_path_buf(),
                line: b.line,
                seq: b.seq,
                reason: b.kind.to_string(),
            });
        }
        let torn_tail = scan.report.torn_tail;
        if let Some(t) = &torn_tail {
            if !options.repair_torn_tail {
                return Err(HostError::TornTail {
                    path: path.to_path_buf(),
                    line: t.line,
                    byte_len: t.byte_len,
                });
            }
            file.set_len(scan.complete_len)
                .map_err(io(path, "cutting the torn tail off"))?;
            if options.fsync {
                file.sync_data().map_err(io(path, "syncing"))?;
            }
        }
        let len = scan.complete_len;
        // The kept records were verified while reading; `resume` re-checks the links only of
        // what is held, which is cheap and keeps the trail's invariant in one place.
        let mut trail =
            AuditTrail::resume(scan.base, scan.kept.into()).map_err(|c| HostError::Corrupt {
                path: path.to_path_buf(),
                line: c.line,
                seq: c.seq,
                reason: c.reason,
            })?;
        trail.set_retention(options.keep_in_memory);
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
