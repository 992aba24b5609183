//! The process table, read through `sysinfo` with a targeted refresh.
//!
//! Only what a governor needs is refreshed: per-process CPU time (for the usage rate) and
//! resident memory. Threads (`without_tasks`), disk I/O, environment, command line, executable
//! path, cwd and root are left out: each costs extra `/proc/<pid>/*` reads per process per
//! refresh, and the full table is walked, so this source is read on the sampler's slow
//! schedule rather than every tick.
//!
//! `sysinfo` computes a process's CPU usage from the change in its CPU time between two
//! refreshes of the same `System`. A reader's first refresh therefore has no rate: it is
//! reported as [`ProcessesError::NeedsTwoReadings`], not as a list of made-up zeros; likewise
//! a process first seen in this refresh has `cpu_ratio: None`. One sysinfo quirk remains: a
//! process whose CPU time was still exactly 0 at the previous refresh (just spawned) reads 0.

use gamesa_core::error::codes;
use std::cmp::Ordering;
use std::collections::BTreeSet;
use std::fmt;

use sysinfo::{ProcessRefreshKind, ProcessesToUpdate, System};

/// One process in the table.
#[derive(Debug, Clone, PartialEq)]
pub struct ProcessInfo {
    pub pid: u32,
    /// Short name (`comm` on Linux, at most 15 bytes there), lossily converted to UTF-8.
    pub name: String,
    /// CPU used since the previous refresh, as a fraction of ONE core (sysinfo's
    /// `cpu_usage` is a percentage of one core, so a process running four busy threads
    /// reads about 4.0). `None` when the process was not in the previous refresh, so no rate
    /// exists for it yet.
    pub cpu_ratio: Option<f64>,
    /// Resident memory, MiB (sysinfo's `memory()` is bytes).
    pub memory_mb: f64,
}

/// Why no process list could be produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProcessesError {
    /// Only one refresh so far: CPU usage is a rate and needs a previous reading.
    NeedsTwoReadings,
}

impl ProcessesError {
    /// Stable code, as the binding reports it.
    pub fn code(&self) -> &'static str {
        match self {
            ProcessesError::NeedsTwoReadings => codes::NEEDS_TWO_READINGS,
        }
    }
}

impl fmt::Display for ProcessesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProcessesError::NeedsTwoReadings => write!(
                f,
                "process CPU usage needs two readings: the first refresh only records CPU times"
            ),
        }
    }
}

impl std::error::Error for ProcessesError {}

/// Holds one `sysinfo::System` across refreshes so CPU usage has a previous reading.
pub struct ProcessReader {
    system: System,
    refreshes: u64,
    /// Pids present at the previous refresh: only they have a CPU rate now.
    previous: BTreeSet<u32>,
}

impl Default for ProcessReader {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for ProcessReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProcessReader")
            .field("refreshes", &self.refreshes)
            .finish()
    }
}

/// What each refresh reads: CPU time and memory only (see the module docs).
fn refresh_kind() -> ProcessRefreshKind {
    ProcessRefreshKind::nothing()
        .with_cpu()
        .with_memory()
        .without_tasks()
}

/// Sort key: a missing rate sorts below every real one.
fn cpu_key(p: &ProcessInfo) -> f64 {
    p.cpu_ratio.unwrap_or(f64::NEG_INFINITY)
}

/// Bytes per MiB.
const MIB: f64 = 1024.0 * 1024.0;

impl ProcessReader {
    /// An empty reader; nothing is read until [`ProcessReader::read`].
    pub fn new() -> Self {
        ProcessReader {
            system: System::new(),
            refreshes: 0,
            previous: BTreeSet::new(),
        }
    }

    /// Refreshes the table (dropping exited processes) and returns the `limit` processes
    /// using the most CPU, by CPU descending then pid ascending (a stable order for ties,
    /// which are common at 0). The first call only records CPU times and returns
    /// [`ProcessesError::NeedsTwoReadings`]; calls closer together than the kernel's tick
    /// (10 ms) give coarse rates.
    pub fn read(&mut self, limit: usize) -> Result<Vec<ProcessInfo>, ProcessesError> {
        self.system
            .refresh_processes_specifics(ProcessesToUpdate::All, true, refresh_kind());
        self.refreshes += 1;
        let current: BTreeSet<u32> = self
            .system
            .processes()
            .keys()
            .map(|pid| pid.as_u32())
            .collect();
        let previous = std::mem::replace(&mut self.previous, current);
        if self.refreshes < 2 {
            return Err(ProcessesError::NeedsTwoReadings);
        }
        let mut list: Vec<ProcessInfo> = self
            .system
            .processes()
            .values()
            .map(|p| {
                let pid = p.pid().as_u32();
                ProcessInfo {
                    pid,
                    name: p.name().to_string_lossy().into_owned(),
                    cpu_ratio: previous
                        .contains(&pid)
                        .then(|| f64::from(p.cpu_usage()) / 100.0),
                    memory_mb: p.memory() as f64 / MIB,
                }
            })
            .collect();
        // The HashMap's order is arbitrary: sort fully before truncating so the output is
        // deterministic. Processes without a rate go last; total_cmp keeps the order total.
        list.sort_by(|a, b| match cpu_key(b).total_cmp(&cpu_key(a)) {
            Ordering::Equal => a.pid.cmp(&b.pid),
            other => other,
        });
        list.truncate(limit);
        Ok(list)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::{Child, Command};
    use std::thread::sleep;
    use std::time::Duration;

    /// Kills the child even when an assertion fails.
    struct KillOnDrop(Child);

    impl Drop for KillOnDrop {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }

    #[test]
    fn first_read_needs_two_readings() {
        let mut r = ProcessReader::new();
        assert_eq!(r.read(10), Err(ProcessesError::NeedsTwoReadings));
        assert!(r.read(10).is_ok());
    }

    #[test]
    fn current_process_is_listed_with_a_name_and_memory() {
        let mut r = ProcessReader::new();
        let _ = r.read(usize::MAX);
        sleep(Duration::from_millis(50));
        let list = r.read(usize::MAX).unwrap();
        let me = list
            .iter()
            .find(|p| p.pid == std::process::id())
            .expect("current process listed");
        assert!(!me.name.is_empty());
        assert!(me.memory_mb > 0.0);
    }

    #[test]
    fn busy_child_shows_cpu_and_order_is_deterministic() {
        let child = KillOnDrop(
            Command::new("sh")
                .args(["-c", "while :; do :; done"])
                .spawn()
                .expect("spawn sh"),
        );
        let pid = child.0.id();
        // sysinfo gives no rate to a process whose CPU time was 0 at the previous refresh, so
        // let the child accumulate some before the first one.
        sleep(Duration::from_millis(100));
        let mut r = ProcessReader::new();
        let _ = r.read(usize::MAX);
        sleep(Duration::from_millis(300));
        let list = r.read(usize::MAX).unwrap();
        let busy = list.iter().find(|p| p.pid == pid).expect("child listed");
        let ratio = busy.cpu_ratio.expect("child seen at both refreshes");
        assert!(ratio > 0.3, "child cpu_ratio {ratio}");
        for w in list.windows(2) {
            let (a, b) = (cpu_key(&w[0]), cpu_key(&w[1]));
            assert!(
                a > b || (a == b && w[0].pid < w[1].pid),
                "out of order: {:?} then {:?}",
                w[0],
                w[1]
            );
        }
        let top = r.read(3).unwrap();
        assert!(top.len() <= 3);
        drop(child);
    }
}
