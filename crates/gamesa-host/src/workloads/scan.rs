//! The process scanner: one pass over `/proc` classifies every process into a workload and
//! a role, and turns what the processes used since the previous pass into the live
//! variables (`wl.<name>.*`, `wl.priority.*`, `wl.background.*`).
//!
//! Per pass, each process costs at most one `pread` of its `/proc/PID/stat`, kept open between
//! passes, and a one-thread process that did not run costs one `pread` of its `schedstat`
//! instead ([`StatFiles`]); `/proc` is listed again only when a pid was handed out since the
//! previous listing. What selectors need beyond that (exe link, cmdline, cgroup, uid) is read
//! once per process identity (pid + start time) and again after an `exec` (seen as a changed
//! `comm`). Run-queue figures are read for priority processes on every pass (every thread,
//! `/proc/PID/task/*/schedstat`) and for background processes in a pass where they used CPU
//! (main thread, `/proc/PID/schedstat`).

use super::proc_read::{self, Identity, SchedStat, Stat, StatFile, StatFiles};
use super::select::{Candidate, Selectors, WorkloadsConfig};
use crate::error::HostError;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::time::Instant;

/// What the scanner made of a process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A member of the priority workload.
    Priority,
    /// Not excluded, and a member of a non-priority workload or using CPU.
    Background,
    /// Never classified: kernel threads, pid 1, the governor, the exclusion list.
    Excluded,
    /// Not excluded, in no workload, used no CPU in the last interval.
    Idle,
}

impl Role {
    /// The role's name as a target and in `wl.<role>.*` (`priority`, `background`).
    pub fn name(self) -> &'static str {
        match self {
            Role::Priority => "priority",
            Role::Background => "background",
            Role::Excluded => "excluded",
            Role::Idle => "idle",
        }
    }
}

/// One classified process (priority and background ones are reported).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProcessRecord {
    pub pid: i32,
    /// `/proc/PID/stat` field 22, clock ticks since boot.
    pub start_time: u64,
    pub ppid: i32,
    pub comm: String,
    pub threads: u32,
    /// CPU used over the last interval, in cores (absent on a process's first pass).
    pub cpu_cores: Option<f64>,
    /// The named workload it belongs to, if any.
    pub workload: Option<String>,
    pub role: Role,
}

/// What one pass found.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScanReport {
    /// Milliseconds since the previous pass (absent on the first).
    pub interval_ms: Option<f64>,
    /// Processes read.
    pub scanned: usize,
    /// Priority and background processes, by pid.
    pub processes: Vec<ProcessRecord>,
    /// The live variables (see docs/workloads.md), by name.
    pub variables: BTreeMap<String, f64>,
}

/// Where the scanner reads.
#[derive(Debug, Clone)]
pub struct ScannerOptions {
    /// `/proc`, or a fake tree in tests.
    pub proc_root: PathBuf,
    /// The governor's own pid, always excluded.
    pub self_pid: i32,
}

impl Default for ScannerOptions {
    fn default() -> Self {
        ScannerOptions {
            proc_root: proc_read::default_proc_root(),
            self_pid: std::process::id() as i32,
        }
    }
}

/// What the scanner remembers of a process between passes.
struct Known {
    file: StatFile,
    /// The last `stat` read, and the main thread's CPU time (ns) read with it.
    last: Stat,
    run_ns: Option<u64>,
    start_time: u64,
    comm: String,
    identity: Option<Identity>,
    cpu_ticks: u64,
    /// The last run-queue reading: whether of all threads, and the figures.
    sched: Option<(bool, SchedStat)>,
    generation: u64,
}

/// One process of the current pass.
struct Row {
    pid: i32,
    stat: Stat,
    /// CPU ticks since the previous pass; `None` for a process seen for the first time.
    delta_ticks: Option<u64>,
}

/// The scanner; see the module docs.
pub struct WorkloadScanner {
    selectors: Selectors,
    options: ScannerOptions,
    ticks_per_s: f64,
    known: HashMap<i32, Known>,
    files: StatFiles,
    /// The pids of the previous listing and the last pid handed out when it was made.
    listing: Vec<i32>,
    listed_at_pid: Option<i32>,
    last: Option<Instant>,
    generation: u64,
    buf: Vec<u8>,
    /// Processes (pid, start time) that are members of the priority workload by registration
    /// (GameMode clients), on top of the selectors; see [`WorkloadScanner::set_registered`].
    registered: HashSet<(i32, u64)>,
}

/// Sums of one workload or role over a pass.
#[derive(Default)]
struct Totals {
    processes: u32,
    threads: u64,
    ticks: u64,
    wait_ns: u64,
    slices: u64,
    /// Some member's run-queue figures have a previous reading to compare with.
    sched_known: bool,
    busy: bool,
}

impl WorkloadScanner {
    /// A scanner for `config` (`INVALID_CONFIG` when it does not compile).
    pub fn new(
        config: &WorkloadsConfig,
        options: ScannerOptions,
    ) -> Result<WorkloadScanner, HostError> {
        let files = StatFiles::new(&options.proc_root)
            .map_err(crate::error::io(&options.proc_root, "opening"))?;
        Ok(WorkloadScanner {
            selectors: Selectors::compile(config)?,
            files,
            listing: Vec::new(),
            listed_at_pid: None,
            options,
            ticks_per_s: proc_read::clock_ticks_per_second() as f64,
            known: HashMap::new(),
            last: None,
            generation: 0,
            buf: Vec::with_capacity(4096),
            registered: HashSet::new(),
        })
    }

    /// Makes these processes (pid, start time) members of the priority workload, with their
    /// descendants, until the next call; a workload `name` is added for them when the
    /// configuration has no priority workload.
    pub fn set_registered(&mut self, name: &str, processes: impl IntoIterator<Item = (i32, u64)>) {
        if !self.selectors.workloads.iter().any(|w| w.priority) {
            self.selectors
                .workloads
                .push(super::select::CompiledWorkload::registered_only(name));
        }
        self.registered = processes.into_iter().collect();
    }

    /// The compiled selectors.
    pub fn selectors(&self) -> &Selectors {
        &self.selectors
    }

    /// One pass at the current time.
    pub fn scan(&mut self) -> Result<ScanReport, HostError> {
        self.scan_at(Instant::now())
    }

    /// Whether a pid was handed out (a process or a thread started) since the last pass
    /// listed `/proc`, or that cannot be told: one `pread` of `/proc/loadavg`. A caller that
    /// scans less often than it ticks scans early when this is true, so a new process is not
    /// left unclassified for the whole interval.
    pub fn pids_handed_out(&mut self) -> bool {
        let last_pid = self.files.last_pid(&mut self.buf);
        last_pid.is_none() || last_pid != self.listed_at_pid
    }

    /// One pass; `now` (monotonic) measures the interval since the previous one.
    pub fn scan_at(&mut self, now: Instant) -> Result<ScanReport, HostError> {
        self.generation += 1;
        let root = self.options.proc_root.clone();
        let interval_s = self
            .last
            .map(|l| now.saturating_duration_since(l).as_secs_f64())
            .filter(|s| *s > 0.0);
        self.last = Some(now);
        // Listing /proc costs the kernel a lookup per entry; while no pid was handed out since
        // the previous listing, that listing still names every process.
        let last_pid = self.files.last_pid(&mut self.buf);
        if last_pid.is_none() || last_pid != self.listed_at_pid {
            self.listing = proc_read::pids(&root).map_err(crate::error::io(&root, "listing"))?;
            self.listed_at_pid = last_pid;
        }
        let pids = std::mem::take(&mut self.listing);
        let mut rows = Vec::with_capacity(pids.len());
        for &pid in &pids {
            let read = self.read_stat(pid).map_err(crate::error::io(
                &root.join(pid.to_string()),
                "reading stat of",
            ))?;
            let Some((stat, delta_ticks)) = read else {
                continue;
            };
            rows.push(Row {
                pid,
                stat,
                delta_ticks,
            });
        }
        self.listing = pids;
        let scanned = rows.len();
        let index: HashMap<i32, usize> = rows.iter().enumerate().map(|(i, r)| (r.pid, i)).collect();
        let workload_of = self.assign(&rows, &index);

        let nw = self.selectors.workloads.len();
        let mut per_workload: Vec<Totals> = (0..nw).map(|_| Totals::default()).collect();
        let (mut priority, mut background) = (Totals::default(), Totals::default());
        let mut processes = Vec::new();
        for (row, w) in rows.iter().zip(&workload_of) {
            let role = match *w {
                Some(w) if self.selectors.workloads[w].priority => Role::Priority,
                Some(_) => Role::Background,
                None if self.excluded(row) => Role::Excluded,
                None if row.delta_ticks.unwrap_or(0) > 0 => Role::Background,
                None => Role::Idle,
            };
            if matches!(role, Role::Excluded | Role::Idle) {
                continue;
            }
            let busy = row.delta_ticks.unwrap_or(0) > 0;
            // Every thread of a priority process; only the main thread of a background one
            // (through its kept file: listing the threads of every busy process each pass
            // costs more than the rest of the scan).
            let sched = if role == Role::Priority {
                self.sched_delta(row.pid, true)?
            } else if busy {
                self.sched_delta(row.pid, false)?
            } else {
                None
            };
            let add = |t: &mut Totals| {
                t.processes += 1;
                t.threads += u64::from(row.stat.threads);
                t.ticks += row.delta_ticks.unwrap_or(0);
                t.busy |= busy;
                if let Some(s) = sched {
                    t.sched_known = true;
                    t.wait_ns += s.wait_ns;
                    t.slices += s.slices;
                }
            };
            if let Some(w) = *w {
                add(&mut per_workload[w]);
            }
            add(if role == Role::Priority {
                &mut priority
            } else {
                &mut background
            });
            processes.push(ProcessRecord {
                pid: row.pid,
                start_time: row.stat.start_time,
                ppid: row.stat.ppid,
                comm: row.stat.comm.clone(),
                threads: row.stat.threads,
                cpu_cores: match (row.delta_ticks, interval_s) {
                    (Some(d), Some(s)) => Some(d as f64 / self.ticks_per_s / s),
                    _ => None,
                },
                workload: w.map(|w| self.selectors.workloads[w].name.clone()),
                role,
            });
        }
        let generation = self.generation;
        let files = &mut self.files;
        self.known.retain(|_, k| {
            let keep = k.generation == generation;
            if !keep {
                files.forget(&mut k.file);
            }
            keep
        });
        processes.sort_by_key(|p| p.pid);

        let mut variables = BTreeMap::new();
        let mut put = |name: &str, t: &Totals, active: bool| {
            variables.insert(format!("wl.{name}.active"), f64::from(u8::from(active)));
            variables.insert(format!("wl.{name}.processes"), f64::from(t.processes));
            variables.insert(format!("wl.{name}.threads"), t.threads as f64);
            if let Some(s) = interval_s {
                variables.insert(
                    format!("wl.{name}.cpu_cores"),
                    t.ticks as f64 / self.ticks_per_s / s,
                );
                // Mean wait for a CPU each time a thread was put on one, ms; 0 when none ran;
                // absent until some member has two readings.
                if t.sched_known {
                    let per_run = if t.slices > 0 {
                        t.wait_ns as f64 / t.slices as f64 / 1e6
                    } else {
                        0.0
                    };
                    variables.insert(format!("wl.{name}.runq_delay_ms"), per_run);
                }
            }
        };
        for (w, t) in self.selectors.workloads.iter().zip(&per_workload) {
            put(&w.name, t, t.processes > 0);
        }
        put("priority", &priority, priority.processes > 0);
        put("background", &background, background.busy);
        Ok(ScanReport {
            interval_ms: interval_s.map(|s| s * 1e3),
            scanned,
            processes,
            variables,
        })
    }

    /// Reads `pid`'s `stat` (through its kept file when it is known), updates what is known
    /// of it, and returns the reading with the CPU ticks used since the previous pass (`None`
    /// for a process seen for the first time, or whose pid now names another process).
    /// `None` when the process is gone.
    fn read_stat(&mut self, pid: i32) -> std::io::Result<Option<(Stat, Option<u64>)>> {
        let generation = self.generation;
        if let Some(k) = self.known.get_mut(&pid) {
            if k.last.threads == 1
                && let Some(before) = k.run_ns
            {
                match self.files.run_ns(&k.file, &mut self.buf)? {
                    // Did not run since its stat was read: nothing in it can have changed.
                    Some(Some(now)) if now == before => {
                        k.generation = generation;
                        return Ok(Some((k.last.clone(), Some(0))));
                    }
                    Some(now) => k.run_ns = now,
                    None => k.run_ns = None,
                }
            } else if k.last.threads == 1 {
                k.run_ns = self.files.run_ns(&k.file, &mut self.buf)?.flatten();
            }
            match self.files.again(pid, &k.file, &mut self.buf)? {
                Some(stat) if stat.start_time == k.start_time => {
                    let delta = stat.cpu_ticks.saturating_sub(k.cpu_ticks);
                    k.cpu_ticks = stat.cpu_ticks;
                    k.generation = generation;
                    k.last = stat.clone();
                    if k.comm != stat.comm {
                        // An exec: who the process is may have changed. Its group is kept:
                        // the governor itself may have moved it, and a cgroup selector must
                        // still see where it came from.
                        k.comm.clone_from(&stat.comm);
                        if let Some(old) = k.identity.take() {
                            let wanted = proc_read::Wanted {
                                cgroup: false,
                                ..self.selectors.wanted
                            };
                            let mut fresh = proc_read::identity(
                                &self.options.proc_root,
                                pid,
                                wanted,
                                &mut self.buf,
                            );
                            fresh.cgroups = old.cgroups;
                            k.identity = Some(fresh);
                        }
                    }
                    return Ok(Some((stat, Some(delta))));
                }
                _ => {
                    // Gone, or the pid was reused: forget the old process.
                    if let Some(mut old) = self.known.remove(&pid) {
                        self.files.forget(&mut old.file);
                    }
                }
            }
        }
        let Some((file, stat, run_ns)) = self.files.first(pid, &mut self.buf)? else {
            return Ok(None);
        };
        self.known.insert(
            pid,
            Known {
                file,
                last: stat.clone(),
                run_ns,
                start_time: stat.start_time,
                comm: stat.comm.clone(),
                identity: None,
                cpu_ticks: stat.cpu_ticks,
                sched: None,
                generation,
            },
        );
        Ok(Some((stat, None)))
    }

    /// Kernel threads, pid 1 (and 2, kthreadd), the governor, and the exclusion list.
    fn excluded(&self, row: &Row) -> bool {
        row.stat.kernel_thread
            || row.pid <= 2
            || row.pid == self.options.self_pid
            || self.selectors.exclusion.by_name(&row.stat.comm)
    }

    /// Reads the identity of `pid` unless it is known already.
    fn load_identity(&mut self, pid: i32) {
        let wanted = self.selectors.wanted;
        if let Some(k) = self.known.get_mut(&pid)
            && k.identity.is_none()
        {
            k.identity = Some(proc_read::identity(
                &self.options.proc_root,
                pid,
                wanted,
                &mut self.buf,
            ));
        }
    }

    /// The workload (index) of each row: a direct match, else (for workloads whose children
    /// follow) the workload of the nearest ancestor that matched directly.
    fn assign(&mut self, rows: &[Row], index: &HashMap<i32, usize>) -> Vec<Option<usize>> {
        let files: Vec<Vec<Option<i32>>> = self
            .selectors
            .workloads
            .iter()
            .map(|w| {
                w.pidfiles()
                    .map(|p| p.and_then(proc_read::read_pidfile))
                    .collect()
            })
            .collect();
        let needs_identity = self.selectors.wanted != proc_read::Wanted::default();
        let mut direct: Vec<Option<usize>> = vec![None; rows.len()];
        let no_identity = Identity::default();
        if !self.selectors.workloads.is_empty() {
            for (i, row) in rows.iter().enumerate() {
                if row.stat.kernel_thread || row.pid == self.options.self_pid {
                    continue;
                }
                if needs_identity {
                    self.load_identity(row.pid);
                }
                let identity = self
                    .known
                    .get(&row.pid)
                    .and_then(|k| k.identity.as_ref())
                    .unwrap_or(&no_identity);
                let c = Candidate {
                    pid: row.pid,
                    comm: &row.stat.comm,
                    identity,
                };
                direct[i] = if self.registered.contains(&(row.pid, row.stat.start_time)) {
                    self.selectors.workloads.iter().position(|w| w.priority)
                } else {
                    self.selectors
                        .workloads
                        .iter()
                        .zip(&files)
                        .position(|(w, f)| w.matches(&c, f))
                };
            }
        }
        // Walk up each process's ancestors; `resolved` memoises, so each row is settled once.
        let mut resolved: Vec<Option<Option<usize>>> = vec![None; rows.len()];
        for start in 0..rows.len() {
            let mut path = Vec::new();
            let mut at = Some(start);
            let mut answer = None;
            while let Some(i) = at {
                if let Some(r) = resolved[i] {
                    answer = r;
                    break;
                }
                if let Some(w) = direct[i] {
                    answer = Some(w);
                    resolved[i] = Some(Some(w));
                    break;
                }
                path.push(i);
                // pid 0 (the kernel) and 1 (init) end every chain; a depth cap guards a loop
                // that pid reuse between two reads could make.
                let ppid = rows[i].stat.ppid;
                at = if ppid > 1 && path.len() < 4096 {
                    index.get(&ppid).copied()
                } else {
                    None
                };
            }
            let inherited = answer.filter(|&w| self.selectors.workloads[w].children);
            for i in path {
                resolved[i] = Some(inherited);
            }
        }
        resolved
            .into_iter()
            .zip(rows)
            .map(|(r, row)| {
                if row.stat.kernel_thread || row.pid == self.options.self_pid {
                    None
                } else {
                    r.flatten()
                }
            })
            .collect()
    }

    /// Run-queue wait and runs of `pid` (all its threads, or its main thread only) since the
    /// last time the same were read for it.
    fn sched_delta(&mut self, pid: i32, all_threads: bool) -> Result<Option<SchedStat>, HostError> {
        let root = &self.options.proc_root;
        let now = if all_threads {
            proc_read::process_schedstat(root, pid, &mut self.buf).map_err(crate::error::io(
                &root.join(format!("{pid}/task")),
                "reading",
            ))?
        } else {
            match self.known.get(&pid) {
                Some(k) => self
                    .files
                    .sched(&k.file, &mut self.buf)
                    .map_err(crate::error::io(
                        &root.join(format!("{pid}/schedstat")),
                        "reading",
                    ))?,
                None => None,
            }
        };
        let Some(k) = self.known.get_mut(&pid) else {
            return Ok(None);
        };
        let before = std::mem::replace(&mut k.sched, now.map(|n| (all_threads, n)));
        Ok(match (before, now) {
            (Some((kind, b)), Some(n)) if kind == all_threads => Some(SchedStat {
                run_ns: n.run_ns.saturating_sub(b.run_ns),
                wait_ns: n.wait_ns.saturating_sub(b.wait_ns),
                slices: n.slices.saturating_sub(b.slices),
            }),
            _ => None,
        })
    }
}
