//! Processes born in a group the governor created: children forked (and processes started)
//! by a process the governor moved there start in the same group, and were never moved by the
//! governor, so no journal entry returns them. Before such a group is removed, each goes
//! back to the group its nearest moved ancestor came from — where it would have been born
//! without the governor — or, when no ancestor was moved (it was reparented), to the group
//! most of the moved processes came from. Without this, a restore would leave them (a build
//! tool's workers, a game's helper daemons) in the governor's group, with its settings.

use crate::actuate::types::{Target, Value};
use crate::journal::Entry;
use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::{Path, PathBuf};

/// Moves every process still in `dir` (a group the governor created) back as described in
/// the module docs; returns how many were moved. Nothing when no process was journaled as
/// moved into `dir` (then whoever put the processes there owns them: the group is kept).
pub(crate) fn return_born(dir: &Path, entries: &[Entry]) -> usize {
    // Moved pid → the group it came from, for the moves into `dir`.
    let mut origin: HashMap<i32, PathBuf> = HashMap::new();
    for e in entries {
        if let (Target::CgroupMembership { pid, mount, .. }, Value::Text(new), Value::Text(prev)) =
            (&e.target, &e.new, &e.prev)
            && mount.join(new.trim_start_matches('/')) == dir
        {
            origin
                .entry(*pid)
                .or_insert_with(|| mount.join(prev.trim_start_matches('/')));
        }
    }
    let mut counts: BTreeMap<&PathBuf, usize> = BTreeMap::new();
    for d in origin.values() {
        *counts.entry(d).or_default() += 1;
    }
    // The most common origin; ties go to the first path in order (deterministic).
    let Some(fallback) = counts
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
        .map(|(d, _)| (*d).clone())
    else {
        return 0;
    };
    let Ok(text) = fs::read_to_string(dir.join("cgroup.procs")) else {
        return 0;
    };
    let mut moved = 0;
    for pid in text.lines().filter_map(|l| l.trim().parse::<i32>().ok()) {
        let to = ancestors(pid)
            .find_map(|a| origin.get(&a))
            .unwrap_or(&fallback);
        if fs::write(to.join("cgroup.procs"), pid.to_string()).is_ok() {
            moved += 1;
        }
    }
    moved
}

/// The parent, grandparent, … of `pid` (`/proc/PID/stat` field 4), up to init.
fn ancestors(pid: i32) -> impl Iterator<Item = i32> {
    let mut cur = pid;
    let mut steps = 0;
    std::iter::from_fn(move || {
        steps += 1;
        if steps > 256 {
            return None;
        }
        cur = parent_of(cur)?;
        (cur > 1).then_some(cur)
    })
}

fn parent_of(pid: i32) -> Option<i32> {
    let text = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &text[text.rfind(')')? + 1..];
    rest.split_whitespace().nth(1)?.parse().ok()
}
