//! Undoing what the journal records: at the end of a run, on SIGINT/SIGTERM (the caller
//! catches them and calls [`crate::actuate::Actuator::restore`]), and after a crash
//! ([`restore`], what `gamesa restore` calls; a new live actuator does it too).
//!
//! Entries are undone newest first. For each, the knob's current value decides:
//! - it is still the value the governor wrote: the previous value is written back (restored);
//! - it already is the previous value (the write never happened, or was refused): nothing to
//!   do (unchanged);
//! - it is something else: someone changed it after the governor did, and it is left alone
//!   and reported as a conflict (older entries of the same knob are then skipped);
//! - the process exited, or its pid now names another process (start time differs): skipped.
//!
//! Groups the governor created are removed once empty: processes born in one (children of a
//! process the governor moved there) go back first to where their moved ancestor came from
//! ([`crate::restore_born`]); a group still holding someone else's process is kept and
//! reported. Entries that could not be undone (the kernel refused) stay
//! in the journal for a later restore; everything else is removed from it.

use crate::actuate::gpu::GpuControl;
use crate::actuate::knobs::{self, GpuSlot, KnobError};
use crate::actuate::types::{Target, Value};
use crate::error::HostError;
use crate::journal::{Entry, Journal, TornLine};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// A value someone else changed after the governor set it: left alone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Conflict {
    pub target: Target,
    /// What the governor had written.
    pub ours: Value,
    /// What the knob holds now (kept).
    pub current: Value,
    /// The value before the governor's first change to it: what a restore would have written
    /// back.
    pub prev: Value,
}

/// An entry that could not be undone; it stays in the journal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Failure {
    pub target: Target,
    pub errno: Option<i32>,
    pub message: String,
}

/// What a restore did. As JSON (what `gamesa restore --json` prints) the fields are
/// camelCase; targets and values keep the journal's form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RestoreReport {
    pub journal: PathBuf,
    /// Entries read from the journal.
    pub entries: usize,
    /// Knobs written back to their previous value (groups removed are counted apart).
    pub restored: usize,
    /// Entries whose knob already held its previous value.
    pub unchanged: usize,
    /// Entries skipped because the process or thread exited (or its pid was reused), or the
    /// cgroup file is gone with its group.
    pub skipped_exited: usize,
    pub conflicts: Vec<Conflict>,
    /// Groups the governor created, now removed.
    pub removed_groups: Vec<PathBuf>,
    /// Groups the governor created that still hold processes (or groups): kept.
    pub kept_groups: Vec<PathBuf>,
    /// Processes born in a group the governor created (forked by a process it moved there),
    /// moved to the group their moved ancestor came from before the group was removed.
    pub returned_born: usize,
    pub failed: Vec<Failure>,
    /// A torn last line (a crash in mid-append), cut off and never applied.
    pub torn_tail: Option<TornLine>,
}

/// Replays the journal at `path` (see the module docs) and empties it. A journal that does
/// not exist is an empty report. GPU entries go to NVML, loaded only if there are any.
/// `JOURNAL_LOCKED` while a governor holds the journal.
pub fn restore(path: &Path) -> Result<RestoreReport, HostError> {
    restore_with(path, None)
}

/// [`restore`] with the GPU control to use for GPU entries (`None`: NVML).
pub fn restore_with(
    path: &Path,
    gpu: Option<Box<dyn GpuControl>>,
) -> Result<RestoreReport, HostError> {
    if !path.exists() {
        return Ok(RestoreReport {
            journal: path.to_path_buf(),
            ..RestoreReport::default()
        });
    }
    crate::platform::require_linux("restoring an actuation journal")?;
    let mut journal = Journal::open(path)?;
    let mut slot = match gpu {
        Some(g) => GpuSlot::Given(g),
        None => GpuSlot::LazyNvml(None),
    };
    undo(&mut journal, &mut slot)
}

/// Undoes every entry of an open journal and rewrites it with the failures only.
pub(crate) fn undo(journal: &mut Journal, gpu: &mut GpuSlot) -> Result<RestoreReport, HostError> {
    undo_where(journal, gpu, |_| true)
}

/// Undoes the entries whose target `which` selects, as [`undo`] does all of them. Unless it
/// selected every entry, the journal is left as it is: rewriting it would put the entries of
/// the knobs still changed at risk (a crash between truncating and writing loses them), and
/// the entries undone here read as `unchanged` (the knob holds its previous value) or skipped
/// (the process exited) when the whole journal is restored later.
pub(crate) fn undo_where(
    journal: &mut Journal,
    gpu: &mut GpuSlot,
    which: impl Fn(&Target) -> bool,
) -> Result<RestoreReport, HostError> {
    let all = journal.entries().len();
    let entries: Vec<Entry> = journal
        .entries()
        .iter()
        .filter(|e| which(&e.target))
        .cloned()
        .collect();
    let everything = entries.len() == all;
    let mut report = RestoreReport {
        journal: journal.path().to_path_buf(),
        entries: entries.len(),
        torn_tail: journal.torn_tail().cloned(),
        ..RestoreReport::default()
    };
    let mut settled: HashSet<&Target> = HashSet::new();
    // The value each target had before its first journaled change.
    let mut original: HashMap<&Target, &Value> = HashMap::new();
    for e in &entries {
        original.entry(&e.target).or_insert(&e.prev);
    }
    let mut keep: Vec<Entry> = Vec::new();
    let fail = |report: &mut RestoreReport, keep: &mut Vec<Entry>, e: &Entry, err: KnobError| {
        let (errno, message) = match err {
            KnobError::Refused { errno, message } => (errno, message),
            KnobError::Unsupported(m) => (None, m),
            KnobError::Gone => (None, "gone".into()),
        };
        report.failed.push(Failure {
            target: e.target.clone(),
            errno,
            message,
        });
        keep.push(e.clone());
    };
    for e in entries.iter().rev() {
        if settled.contains(&e.target) {
            continue;
        }
        if let (Target::CgroupDir { path }, Value::Exists(true)) = (&e.target, &e.new) {
            if !path.is_dir() {
                report.unchanged += 1;
                continue;
            }
            // A process in the group may fork while its members are moved out: try again while
            // moving finds someone to move. One that is exiting is still listed, cannot be
            // moved, and keeps the group busy until the kernel has reaped it (a few ms): wait
            // for it, up to about a second in all, rather than leave an empty group behind.
            for attempt in 0.. {
                let moved = crate::restore_born::return_born(path, &entries);
                report.returned_born += moved;
                match std::fs::remove_dir(path) {
                    Ok(()) => report.removed_groups.push(path.clone()),
                    Err(err)
                        if matches!(err.raw_os_error(), Some(libc::EBUSY | libc::ENOTEMPTY)) =>
                    {
                        if attempt < 40 {
                            if moved == 0 {
                                std::thread::sleep(std::time::Duration::from_millis(25));
                            }
                            continue;
                        }
                        report.kept_groups.push(path.clone());
                    }
                    Err(err) => fail(&mut report, &mut keep, e, err.into()),
                }
                break;
            }
            continue;
        }
        let current = match knobs::read(&e.target, gpu) {
            Ok(v) => v,
            Err(KnobError::Gone) => {
                report.skipped_exited += 1;
                settled.insert(&e.target);
                continue;
            }
            Err(err) => {
                fail(&mut report, &mut keep, e, err);
                continue;
            }
        };
        if current == e.new {
            match knobs::write(&e.target, &e.prev, gpu) {
                Ok(()) => report.restored += 1,
                Err(KnobError::Gone) => {
                    report.skipped_exited += 1;
                    settled.insert(&e.target);
                }
                Err(err) => fail(&mut report, &mut keep, e, err),
            }
        } else if current == e.prev {
            report.unchanged += 1;
        } else {
            report.conflicts.push(Conflict {
                target: e.target.clone(),
                ours: e.new.clone(),
                current,
                prev: original[&e.target].clone(),
            });
            settled.insert(&e.target);
        }
    }
    keep.reverse();
    if everything {
        journal.rewrite(keep)?;
    }
    Ok(report)
}
