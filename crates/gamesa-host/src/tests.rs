//! Tests with real files in a fresh temporary directory.

use crate::{AuditFileOptions, AuditedChecker, HostError, inspect_audit_file};
use gamesa_core::ErrorCode;
use gamesa_core::effects::{BreakKind, Effect, GrantOptions};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

/// A directory removed on drop; unique per process and test.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "gamesa-host-test-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
    fn file(&self) -> PathBuf {
        self.0.join("audit.ndjson")
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const OPTS: AuditFileOptions = AuditFileOptions {
    fsync: false,
    repair_torn_tail: false,
    keep_in_memory: None,
};

/// Writes 6 records (5 operations without default grants) to `path`.
fn write_some(path: &Path) -> AuditedChecker {
    let mut c = AuditedChecker::open(path, OPTS).unwrap();
    c.grant(
        "cpu_agent",
        &[Effect::CpuControl, Effect::TelemetryRead],
        GrantOptions::default(),
        10,
    )
    .unwrap();
    c.check("cpu_agent", Effect::CpuControl, Some("cpu.core1"), 11)
        .unwrap();
    c.check("gpu_agent", Effect::GpuControl, None, 12).unwrap();
    assert!(
        c.require("gpu_agent", Effect::GpuControl, None, 13)
            .is_err()
    );
    c.revoke("cpu_agent", Some(Effect::TelemetryRead), 14)
        .unwrap();
    c
}

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

fn write_lines(path: &Path, lines: &[String]) {
    std::fs::write(
        path,
        lines.iter().map(|l| format!("{l}\n")).collect::<String>(),
    )
    .unwrap();
}

#[test]
fn records_are_in_the_file_as_soon_as_the_call_returns() {
    let dir = TempDir::new();
    let path = dir.file();
    let c = write_some(&path);
    assert!(c.open_report().unwrap().created);
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        text,
        c.trail().to_ndjson(),
        "the file is exactly the NDJSON export"
    );
    assert_eq!(c.trail().len(), 6);
    // The denial by `require` was written before the error came back.
    assert!(text.contains("\"seq\":4") && text.contains("\"decision\":\"denied\""));
}

#[test]
fn reopening_verifies_and_continues_the_chain() {
    let dir = TempDir::new();
    let path = dir.file();
    let head = write_some(&path).trail().head_hash().to_string();
    let mut c = AuditedChecker::open(&path, OPTS).unwrap();
    let report = c.open_report().unwrap().clone();
    assert!(!report.created);
    assert_eq!(
        (report.records, report.head_hash.as_str(), report.torn_tail),
        (6, head.as_str(), None)
    );
    // Grants are not restored: default deny again.
    assert!(
        !c.check("cpu_agent", Effect::CpuControl, None, 20)
            .unwrap()
            .allowed
    );
    c.grant_defaults(21).unwrap();
    assert!(
        c.check("cpu_agent", Effect::CpuControl, None, 22)
            .unwrap()
            .allowed
    );
    let r = &c.trail().records()[6];
    assert_eq!((r.seq, &*r.prev_hash), (6, head.as_str()));
    drop(c);
    let report = inspect_audit_file(&path).unwrap();
    assert!(report.is_ok(), "{report:?}");
    assert_eq!(report.records, 6 + 1 + 11 + 1);
}

fn open_err(path: &Path) -> HostError {
    match AuditedChecker::open(path, OPTS) {
        Ok(_) => panic!("{} opened although tampered", path.display()),
        Err(e) => e,
    }
}

fn assert_corrupt_at(e: &HostError, want_line: usize) {
    assert_eq!(e.code(), "AUDIT_CORRUPT", "{e}");
    match e {
        HostError::Corrupt { line, .. } => assert_eq!(*line, Some(want_line), "{e}"),
        other => panic!("expected Corrupt, got {other}"),
    }
    assert!(
        e.to_string().contains("audit.ndjson")
            && e.to_string().contains(&format!("line {want_line}")),
        "{e}"
    );
}

#[test]
fn tampering_each_way_is_refused_with_the_line() {
    let dir = TempDir::new();
    let path = dir.file();
    drop(write_some(&path));
    let original = lines(&path);

    let mut altered = original.clone();
    altered[2] = altered[2].replace("\"time_ms\":11", "\"time_ms\":99");
    write_lines(&path, &altered);
    assert_corrupt_at(&open_err(&path), 3);

    let mut removed = original.clone();
    removed.remove(1);
    write_lines(&path, &removed);
    assert_corrupt_at(&open_err(&path), 2);

    let mut inserted = original.clone();
    inserted.insert(4, original[4].clone());
    write_lines(&path, &inserted);
    assert_corrupt_at(&open_err(&path), 6);

    let mut reordered = original.clone();
    reordered.swap(3, 4);
    write_lines(&path, &reordered);
    assert_corrupt_at(&open_err(&path), 4);

    let mut garbage = original.clone();
    garbage[5] = "not json".into();
    write_lines(&path, &garbage);
    assert_corrupt_at(&open_err(&path), 6);

    let mut bytes = original
        .iter()
        .map(|l| format!("{l}\n"))
        .collect::<String>()
        .into_bytes();
    let at = bytes.iter().position(|&b| b == b'\n').unwrap() + 5;
    bytes[at] = 0xff;
    std::fs::write(&path, &bytes).unwrap();
    let e = open_err(&path);
    assert_corrupt_at(&e, 2);
    let report = inspect_audit_file(&path).unwrap();
    let b = report.problem.unwrap();
    assert_eq!((b.seq, b.line), (1, Some(2)));
    assert_eq!(b.kind, BreakKind::Unparsable("invalid UTF-8".into()));
}

#[test]
fn a_torn_tail_is_reported_then_repaired_on_request() {
    let dir = TempDir::new();
    let path = dir.file();
    drop(write_some(&path));
    let full = std::fs::read(&path).unwrap();
    let cut = full.len() - 30;
    std::fs::write(&path, &full[..cut]).unwrap();

    let e = open_err(&path);
    assert_eq!(e.code(), "AUDIT_CORRUPT");
    assert!(matches!(e, HostError::TornTail { line: 6, .. }), "{e}");
    assert_eq!(
        std::fs::read(&path).unwrap().len(),
        cut,
        "a refused open changes nothing"
    );

    let inspected = inspect_audit_file(&path).unwrap();
    assert!(inspected.problem.is_none() && inspected.torn_tail.is_some());

    let mut c = AuditedChecker::open(
        &path,
        AuditFileOptions {
            fsync: true,
            repair_torn_tail: true,
            ..OPTS
        },
    )
    .unwrap();
    let torn = c.open_report().unwrap().torn_tail.clone().unwrap();
    assert_eq!((torn.line, torn.byte_offset + torn.byte_len), (6, cut));
    assert_eq!(
        torn.content.as_bytes(),
        &full[torn.byte_offset..cut],
        "the cut bytes are handed back"
    );
    assert_eq!(c.trail().len(), 5);
    c.check("a", Effect::AuditRead, None, 30).unwrap();
    drop(c);
    assert!(inspect_audit_file(&path).unwrap().is_ok());
}

/// Two processes appending to one audit file would both write the next seq and split the chain
/// for good: the second writer is refused at open with AUDIT_LOCKED, the first goes on, and
/// the file verifies. Once the first closes, the file can be opened again.
#[test]
fn a_second_writer_is_refused_not_forked() {
    let dir = TempDir::new();
    let path = dir.file();
    let mut first = write_some(&path);
    let e = AuditedChecker::open(&path, OPTS).err().expect("refused");
    assert_eq!(e.code(), "AUDIT_LOCKED", "{e}");
    assert!(e.to_string().contains("another process"), "{e}");
    first.check("a", Effect::CpuControl, None, 41).unwrap();
    drop(first);
    assert!(inspect_audit_file(&path).unwrap().is_ok());
    let mut again = AuditedChecker::open(&path, OPTS).unwrap();
    again.check("b", Effect::CpuControl, None, 42).unwrap();
    drop(again);
    assert!(inspect_audit_file(&path).unwrap().is_ok());
}

#[test]
fn io_errors_name_the_path() {
    let dir = TempDir::new();
    let missing = dir.0.join("no-such-dir").join("audit.ndjson");
    let e = AuditedChecker::open(&missing, OPTS).err().unwrap();
    assert_eq!(e.code(), "IO_ERROR");
    assert!(e.to_string().contains("no-such-dir"), "{e}");
    let e = inspect_audit_file(&dir.0.join("absent.ndjson")).unwrap_err();
    assert_eq!(e.code(), "IO_ERROR");
    // A directory is not a file.
    let e = AuditedChecker::open(&dir.0, OPTS).err().unwrap();
    assert_eq!(e.code(), "IO_ERROR", "{e}");
}

#[test]
fn in_memory_checker_writes_nothing() {
    let mut c = AuditedChecker::in_memory();
    assert!(c.open_report().is_none());
    c.grant_defaults(0).unwrap();
    assert!(
        c.require("gpu_agent", Effect::GpuControl, Some("gpu0"), 1)
            .unwrap()
            .allowed
    );
    let e = c
        .require("gpu_agent", Effect::PolicyWrite, None, 2)
        .unwrap_err();
    assert_eq!(e.code(), "CAPABILITY_DENIED");
    assert!(c.checker().trail().verify().is_ok());
}

#[test]
fn a_long_file_can_be_continued_with_few_records_in_memory() {
    let dir = TempDir::new();
    let path = dir.file();
    let full = write_some(&path).trail().clone();
    let keep = AuditFileOptions {
        keep_in_memory: Some(2),
        ..OPTS
    };
    let mut c = AuditedChecker::open(&path, keep).unwrap();
    assert_eq!(c.open_report().unwrap().records, 6);
    assert_eq!(c.trail().len(), 6);
    assert!(c.trail().records().eq(full.records().skip(4)));
    assert_eq!(c.trail().base().length, 4);
    for t in 0..10 {
        c.check("a", Effect::TelemetryRead, None, 50 + t).unwrap();
    }
    assert!(c.trail().records().len() <= 4);
    assert_eq!(c.trail().len(), 16);
    assert!(c.trail().verify().is_ok());
    let head = c.trail().head_hash().to_string();
    drop(c);
    let report = inspect_audit_file(&path).unwrap();
    assert!(report.is_ok(), "{report:?}");
    assert_eq!(
        (report.records, report.head_hash.as_str()),
        (16, head.as_str())
    );
}
