//! Actuators: the effects the governor applies to the machine, each journaled before it is
//! made and undone at the end (see [`crate::journal`] and [`crate::restore`]).
//!
//! An [`Actuator`] is dry-run unless it was opened [`Actuator::live`] on a journal. Each
//! [`Change`] expands to one or more knob writes ([`Target`]s: per thread for per-process
//! changes); for each, the current value is read, the entry (target with process identity,
//! previous value, new value) is appended and fsynced, then the value is written. A value the
//! governor set earlier that someone else changed since is not overwritten: the change's
//! outcome is [`Outcome::Conflict`]. [`Actuator::apply_checked`] asks the effect checker for
//! the change's capability first; the ActionGate decides before that, upstream.
//!
//! What each knob reads and writes, and which privilege it needs, is in docs/actuation.md.

pub mod cgroup;
pub mod gpu;
pub(crate) mod knobs;
pub mod procfs;
mod syscalls;
pub mod types;

use crate::audited_checker::AuditedChecker;
use crate::error::HostError;
use crate::journal::Journal;
use crate::restore::{RestoreReport, undo};
use cgroup::CgroupLayout;
use gpu::GpuControl;
use knobs::{GpuSlot, KnobError};
use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
pub use types::*;

/// Where the actuators act.
#[derive(Debug, Clone)]
pub struct ActuatorOptions {
    /// The sysfs root for cpufreq and RAPL files (`/sys`; a fake tree in tests).
    pub sysfs_root: PathBuf,
    /// The name of the governor's cgroup subtree under each hierarchy's root (`gamesa`).
    pub cgroup_subtree: String,
    /// The cgroup layout; `None` detects it ([`CgroupLayout::detect`]).
    pub cgroups: Option<CgroupLayout>,
}

impl Default for ActuatorOptions {
    fn default() -> Self {
        ActuatorOptions {
            sysfs_root: PathBuf::from("/sys"),
            cgroup_subtree: "gamesa".to_string(),
            cgroups: None,
        }
    }
}

/// One step of a change: a journaled write, or setting up a directory the governor just
/// created (not journaled: it goes with the directory).
enum Step {
    Write(Target, Value),
    /// v1 cpuset: a new group has no CPUs or memory nodes; copy the parent's.
    InitCpuset(PathBuf),
    /// v2: make the subtree's controllers available to its groups.
    EnableControllers(PathBuf),
}

/// Applies [`Change`]s; see the module docs.
pub struct Actuator {
    journal: Option<Journal>,
    gpu: GpuSlot,
    sysfs_root: PathBuf,
    subtree: String,
    layout: CgroupLayout,
    /// The last value the governor wrote to each target, to notice someone else's change.
    ours: HashMap<Target, Value>,
}

impl Actuator {
    /// An actuator that reads current values but writes and journals nothing: every
    /// outcome is [`Outcome::DryRun`] (or gone / conflict).
    pub fn dry_run(options: ActuatorOptions) -> Actuator {
        Actuator::new(None, options)
    }

    /// A live actuator journaling to `journal_path` (see [`crate::journal`]). Entries left by
    /// a run that crashed are undone first; the returned report says what that did (empty
    /// when there were none). `JOURNAL_LOCKED` while another governor holds the journal.
    pub fn live(
        journal_path: &Path,
        options: ActuatorOptions,
    ) -> Result<(Actuator, RestoreReport), HostError> {
        let journal = Journal::open(journal_path)?;
        let mut a = Actuator::new(Some(journal), options);
        let report = a.restore()?;
        Ok((a, report))
    }

    fn new(journal: Option<Journal>, options: ActuatorOptions) -> Actuator {
        Actuator {
            journal,
            gpu: GpuSlot::LazyNvml(None),
            sysfs_root: options.sysfs_root,
            subtree: options.cgroup_subtree,
            layout: options.cgroups.unwrap_or_else(CgroupLayout::detect),
            ours: HashMap::new(),
        }
    }

    /// Uses `gpu` for the GPU knobs instead of NVML (a fake in tests).
    pub fn with_gpu(mut self, gpu: Box<dyn GpuControl>) -> Actuator {
        self.gpu = GpuSlot::Given(gpu);
        self
    }

    /// The current value of a journaled target; `None` when its process, thread, file or
    /// GPU is gone. For inspection and tests: it writes nothing.
    pub fn read(&mut self, target: &Target) -> Result<Option<Value>, HostError> {
        match knobs::read(target, &mut self.gpu) {
            Ok(v) => Ok(Some(v)),
            Err(KnobError::Gone) => Ok(None),
            Err(KnobError::Unsupported(what)) => Err(HostError::Unsupported { what }),
            Err(KnobError::Refused { message, .. }) => {
                Err(HostError::Unsupported { what: message })
            }
        }
    }

    /// The sysfs root the cpufreq and RAPL knobs are written under.
    pub fn sysfs_root(&self) -> &Path {
        &self.sysfs_root
    }

    /// The governor's group `group` in hierarchy `h` (`<mount>/<subtree>/<group>`).
    pub fn group_path(&self, h: &cgroup::Hierarchy, group: &str) -> PathBuf {
        self.group_dir(&h.mount, group)
    }

    /// The cgroup layout in use.
    pub fn cgroups(&self) -> &CgroupLayout {
        &self.layout
    }

    /// Whether this actuator writes (false: dry run).
    pub fn is_live(&self) -> bool {
        self.journal.is_some()
    }

    /// The journal's entries (empty for a dry run).
    pub fn journal(&self) -> Option<&Journal> {
        self.journal.as_ref()
    }

    /// The changes that give process `pid` the CPU share of nice value `nice`. Without
    /// autogroup that is [`Change::Nice`]. With `kernel.sched_autogroup_enabled`, nice only
    /// orders threads within one session, so the process is also moved into group `group`
    /// with the equivalent `cpu.weight` (`cpu.shares` on v1): create, move, weight, then nice
    /// (which still orders it against its own threads).
    pub fn priority_changes(&self, pid: i32, nice: i32, group: &str) -> Vec<Change> {
        let nice_change = Change::Nice { pid, nice };
        if !procfs::autogroup_enabled() || self.layout.hierarchy("cpu").is_none() {
            return vec![nice_change];
        }
        vec![
            Change::CreateGroup {
                group: group.to_string(),
            },
            Change::MoveToGroup {
                pid,
                group: group.to_string(),
            },
            Change::GroupKnob {
                group: group.to_string(),
                knob: GroupKnob::CpuWeight(cgroup::nice_to_cpu_weight(nice)),
            },
            nice_change,
        ]
    }

    /// Checks that `agent` holds the change's capability ([`Change::effect`], target
    /// [`Change::target_label`]) — the decision is audited; a denial is `CAPABILITY_DENIED`
    /// and nothing is applied — then applies it.
    pub fn apply_checked(
        &mut self,
        checker: &mut AuditedChecker,
        agent: &str,
        change: &Change,
        now_ms: u64,
    ) -> Result<Outcome, HostError> {
        checker.require(agent, change.effect(), Some(&change.target_label()), now_ms)?;
        self.apply(change)
    }

    /// Applies one change (see the module docs). Errors are for changes that cannot be made
    /// here at all (`INVALID_ARGUMENT`, `ACTUATION_UNSUPPORTED`) and journal failures; what the
    /// kernel refuses is an [`Outcome::Refused`].
    pub fn apply(&mut self, change: &Change) -> Result<Outcome, HostError> {
        let Some(steps) = self.expand(change)? else {
            return Ok(Outcome::ProcessGone);
        };
        let mut writes = 0;
        let mut alive = false;
        for step in steps {
            let (target, new) = match step {
                Step::Write(t, v) => (t, v),
                Step::InitCpuset(dir) => {
                    if self.journal.is_some() {
                        init_cpuset(&dir)?;
                    }
                    continue;
                }
                Step::EnableControllers(dir) => {
                    if self.journal.is_some() {
                        enable_controllers(&dir)?;
                    }
                    continue;
                }
            };
            let prev = match knobs::read(&target, &mut self.gpu) {
                Ok(v) => v,
                // Dry run: a file of a group that a planned CreateGroup would make.
                Err(KnobError::Gone)
                    if is_file(&target)
                        && self.journal.is_none()
                        && matches!(change, Change::GroupKnob { .. }) =>
                {
                    writes += 1;
                    continue;
                }
                Err(KnobError::Gone) if is_file(&target) => {
                    return Err(HostError::Unsupported {
                        what: format!("{target:?} does not exist"),
                    });
                }
                Err(KnobError::Gone) => continue,
                Err(KnobError::Unsupported(what)) => return Err(HostError::Unsupported { what }),
                Err(KnobError::Refused { errno, message }) => {
                    return Ok(Outcome::Refused {
                        target,
                        errno,
                        message,
                    });
                }
            };
            alive = true;
            if let Some(ours) = self.ours.get(&target)
                && *ours != prev
            {
                return Ok(Outcome::Conflict {
                    ours: ours.clone(),
                    current: prev,
                    target,
                });
            }
            if prev == new {
                continue;
            }
            let Some(journal) = self.journal.as_mut() else {
                writes += 1;
                continue;
            };
            journal.append(target.clone(), prev, new.clone())?;
            match knobs::write(&target, &new, &mut self.gpu) {
                Ok(()) => {
                    writes += 1;
                    self.ours.insert(target, new);
                }
                Err(KnobError::Gone) => continue,
                Err(KnobError::Unsupported(what)) => return Err(HostError::Unsupported { what }),
                Err(KnobError::Refused { errno, message }) => {
                    return Ok(Outcome::Refused {
                        target,
                        errno,
                        message,
                    });
                }
            }
        }
        if !alive && change_has_process(change) {
            return Ok(Outcome::ProcessGone);
        }
        Ok(if self.journal.is_some() {
            Outcome::Applied { writes }
        } else {
            Outcome::DryRun { writes }
        })
    }

    /// Undoes every journaled change (the run's end, or SIGINT/SIGTERM caught by the caller)
    /// and empties the journal of what was undone. See [`crate::restore`].
    pub fn restore(&mut self) -> Result<RestoreReport, HostError> {
        self.ours.clear();
        match self.journal.as_mut() {
            Some(j) => undo(j, &mut self.gpu),
            None => Ok(RestoreReport::default()),
        }
    }

    /// Undoes what was changed on one process (`pid` with its start time): its group
    /// memberships, its process knobs and the knobs of its threads, as [`restore`](Self::restore)
    /// does for everything; the other entries stay in the journal. A process that exited has
    /// its entries settled (skipped).
    pub fn restore_process(
        &mut self,
        pid: i32,
        start_time: u64,
    ) -> Result<RestoreReport, HostError> {
        let of_process = |t: &Target| match t {
            Target::Process {
                pid: p,
                start_time: s,
                ..
            }
            | Target::CgroupMembership {
                pid: p,
                start_time: s,
                ..
            } => *p == pid && *s == start_time,
            // A thread's start time is its own; the restore checks it against the thread.
            Target::Thread { pid: p, .. } => *p == pid,
            _ => false,
        };
        self.ours.retain(|t, _| !of_process(t));
        match self.journal.as_mut() {
            Some(j) => crate::restore::undo_where(j, &mut self.gpu, of_process),
            None => Ok(RestoreReport::default()),
        }
    }

    fn group_dir(&self, mount: &Path, group: &str) -> PathBuf {
        mount.join(&self.subtree).join(group)
    }

    /// The steps of a change; `None` when its process does not exist.
    fn expand(&mut self, change: &Change) -> Result<Option<Vec<Step>>, HostError> {
        let invalid = |message: String| Err(HostError::InvalidChange { message });
        let io = |what: &str| {
            let what = what.to_string();
            move |e: std::io::Error| HostError::Unsupported {
                what: format!("{what}: {e}"),
            }
        };
        Ok(Some(match change {
            Change::Nice { pid, nice } => {
                if !(-20..=19).contains(nice) {
                    return invalid(format!("nice {nice} is outside -20..=19"));
                }
                let Some(t) = self.thread_targets(*pid, ThreadKnob::Nice)? else {
                    return Ok(None);
                };
                t.into_iter()
                    .map(|t| Step::Write(t, Value::Int((*nice).into())))
                    .collect()
            }
            Change::SchedPolicy { pid, policy } => {
                let Some(t) = self.thread_targets(*pid, ThreadKnob::Sched)? else {
                    return Ok(None);
                };
                let mut steps = Vec::new();
                for target in t {
                    // Real-time and deadline threads are left alone.
                    let Ok(Value::Sched {
                        policy: cur,
                        reset_on_fork,
                        ..
                    }) = knobs::read(&target, &mut self.gpu)
                    else {
                        continue;
                    };
                    if ![SCHED_OTHER, SCHED_BATCH, SCHED_IDLE].contains(&cur) {
                        continue;
                    }
                    steps.push(Step::Write(
                        target,
                        Value::Sched {
                            policy: policy.number(),
                            priority: 0,
                            reset_on_fork,
                        },
                    ));
                }
                steps
            }
            Change::Affinity { pid, cpus } => {
                if cpus.is_empty() || cpus.iter().any(|&c| c >= rustix::thread::CpuSet::MAX_CPU) {
                    return invalid(format!("affinity {cpus:?} is empty or out of range"));
                }
                let mut cpus = cpus.clone();
                cpus.sort_unstable();
                cpus.dedup();
                let Some(t) = self.thread_targets(*pid, ThreadKnob::Affinity)? else {
                    return Ok(None);
                };
                t.into_iter()
                    .map(|t| Step::Write(t, Value::Cpus(cpus.clone())))
                    .collect()
            }
            Change::Ioprio { pid, class, level } => {
                if *level > 7 {
                    return invalid(format!("ioprio level {level} is outside 0..=7"));
                }
                let Some(t) = self.thread_targets(*pid, ThreadKnob::Ioprio)? else {
                    return Ok(None);
                };
                t.into_iter()
                    .map(|t| Step::Write(t, Value::Int(class.raw(*level))))
                    .collect()
            }
            Change::OomScoreAdj { pid, value } => {
                if !(-1000..=1000).contains(value) {
                    return invalid(format!("oom_score_adj {value} is outside -1000..=1000"));
                }
                let Some(start_time) = procfs::process_start_time(*pid).map_err(io("/proc"))?
                else {
                    return Ok(None);
                };
                vec![Step::Write(
                    Target::Process {
                        pid: *pid,
                        start_time,
                        knob: ProcessKnob::OomScoreAdj,
                    },
                    Value::Int((*value).into()),
                )]
            }
            Change::CreateGroup { group } => {
                check_group_name(group)?;
                check_group_name(&self.subtree)?;
                let hs = self.layout.group_hierarchies();
                if hs.is_empty() {
                    return Err(HostError::Unsupported {
                        what: "no writable cgroup controller".into(),
                    });
                }
                let mut steps = Vec::new();
                for h in hs {
                    let subtree = h.mount.join(&self.subtree);
                    let dir = subtree.join(group);
                    for d in [&subtree, &dir] {
                        steps.push(Step::Write(
                            Target::CgroupDir { path: d.clone() },
                            Value::Exists(true),
                        ));
                        if h.version == 1 && h.controller == "cpuset" {
                            steps.push(Step::InitCpuset(d.clone()));
                        }
                    }
                    if h.version == 2 {
                        steps.push(Step::EnableControllers(subtree));
                    }
                }
                steps
            }
            Change::MoveToGroup { pid, group } => {
                check_group_name(group)?;
                let Some(start_time) = procfs::process_start_time(*pid).map_err(io("/proc"))?
                else {
                    return Ok(None);
                };
                let mut steps = Vec::new();
                for h in self.layout.group_hierarchies() {
                    let dir = self.group_dir(&h.mount, group);
                    if !dir.is_dir() && self.journal.is_some() {
                        return invalid(format!(
                            "group {} does not exist (create it first)",
                            dir.display()
                        ));
                    }
                    steps.push(Step::Write(
                        Target::CgroupMembership {
                            pid: *pid,
                            start_time,
                            mount: h.mount.clone(),
                            controller: h.proc_key().to_string(),
                        },
                        Value::Text(format!("/{}/{group}", self.subtree)),
                    ));
                }
                steps
            }
            Change::GroupKnob { group, knob } => {
                check_group_name(group)?;
                let (h, files) = self.layout.knob_files(knob)?;
                let dir = self.group_dir(&h.mount, group);
                if !dir.is_dir() && self.journal.is_some() {
                    return invalid(format!(
                        "group {} does not exist (create it first)",
                        dir.display()
                    ));
                }
                files
                    .into_iter()
                    .map(|(file, text)| {
                        Step::Write(
                            Target::CgroupFile {
                                path: dir.join(file),
                            },
                            Value::Text(text),
                        )
                    })
                    .collect()
            }
            Change::Cpufreq { cpu, knob } => {
                let (file, text) = match knob {
                    CpufreqKnob::MaxFreqKhz(k) => ("scaling_max_freq", k.to_string()),
                    CpufreqKnob::EnergyPerformancePreference(s) => {
                        ("energy_performance_preference", s.clone())
                    }
                    CpufreqKnob::Governor(s) => ("scaling_governor", s.clone()),
                };
                if text.is_empty() || text.contains(char::is_whitespace) {
                    return invalid(format!("{file} value {text:?}"));
                }
                let path = self
                    .sysfs_root
                    .join(format!("devices/system/cpu/cpu{cpu}/cpufreq"))
                    .join(file);
                vec![Step::Write(Target::Sysfs { path }, Value::Text(text))]
            }
            Change::RaplPowerLimit { zone, microwatts } => {
                if zone.is_empty() || zone.contains('/') || zone.starts_with('.') {
                    return invalid(format!("RAPL zone {zone:?}"));
                }
                let path = self
                    .sysfs_root
                    .join("class/powercap")
                    .join(zone)
                    .join("constraint_0_power_limit_uw");
                vec![Step::Write(
                    Target::Sysfs { path },
                    Value::Text(microwatts.to_string()),
                )]
            }
            Change::GpuPowerLimit { index, milliwatts } => vec![Step::Write(
                Target::Gpu {
                    index: *index,
                    knob: GpuKnob::PowerLimitMw,
                },
                Value::Int((*milliwatts).into()),
            )],
            Change::GpuLockedClocks { index, clocks } => {
                if let Some(c) = clocks
                    && c.min_mhz > c.max_mhz
                {
                    return invalid(format!("locked clocks {c:?}: min above max"));
                }
                vec![Step::Write(
                    Target::Gpu {
                        index: *index,
                        knob: GpuKnob::LockedClocks,
                    },
                    Value::Clocks(*clocks),
                )]
            }
        }))
    }

    /// One target per thread of `pid`; `None` when it does not exist.
    fn thread_targets(&self, pid: i32, knob: ThreadKnob) -> Result<Option<Vec<Target>>, HostError> {
        let threads = procfs::threads(pid).map_err(|e| HostError::Io {
            path: PathBuf::from(format!("/proc/{pid}/task")),
            action: "listing",
            source: e,
        })?;
        Ok(threads.map(|ts| {
            ts.into_iter()
                .map(|(tid, start_time)| Target::Thread {
                    pid,
                    tid,
                    start_time,
                    knob,
                })
                .collect()
        }))
    }
}

/// A flag set when the process receives SIGINT or SIGTERM (through signal-hook; the default
/// action, ending the process, is replaced). A Rust host polls it and calls
/// [`Actuator::restore`] before exiting. Node hosts catch the signals with `process.on`
/// instead: this installs a process-wide handler, so it is for programs that own their signals.
pub fn exit_signal_flag() -> std::io::Result<std::sync::Arc<std::sync::atomic::AtomicBool>> {
    let flag = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(signal, flag.clone())?;
    }
    Ok(flag)
}

fn is_file(t: &Target) -> bool {
    matches!(t, Target::CgroupFile { .. } | Target::Sysfs { .. })
}

fn change_has_process(c: &Change) -> bool {
    matches!(
        c,
        Change::Nice { .. }
            | Change::SchedPolicy { .. }
            | Change::Affinity { .. }
            | Change::Ioprio { .. }
            | Change::OomScoreAdj { .. }
            | Change::MoveToGroup { .. }
    )
}

fn check_group_name(name: &str) -> Result<(), HostError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.');
    if ok {
        Ok(())
    } else {
        Err(HostError::InvalidChange {
            message: format!("cgroup name {name:?}: letters, digits, '-', '_', '.' only"),
        })
    }
}

fn unsupported(path: &Path) -> impl FnOnce(std::io::Error) -> HostError {
    let path = path.to_path_buf();
    move |e| HostError::Unsupported {
        what: format!("{}: {e}", path.display()),
    }
}

/// v1 cpuset: copies `cpuset.cpus` and `cpuset.mems` (CPU and memory-node lists) from the
/// parent into the new group `dir` when they are empty.
fn init_cpuset(dir: &Path) -> Result<(), HostError> {
    let parent = dir.parent().unwrap_or(dir);
    for file in ["cpuset.cpus", "cpuset.mems"] {
        let mine = dir.join(file);
        let cur = fs::read_to_string(&mine).map_err(unsupported(&mine))?;
        if cur.trim().is_empty() {
            let from = parent.join(file);
            let value = fs::read_to_string(&from).map_err(unsupported(&from))?;
            fs::write(&mine, value.trim()).map_err(unsupported(&mine))?;
        }
    }
    Ok(())
}

/// v2: writes `+name` to `dir/cgroup.subtree_control` for each controller of
/// `dir/cgroup.controllers` that the actuators use.
fn enable_controllers(dir: &Path) -> Result<(), HostError> {
    let avail = dir.join("cgroup.controllers");
    let text = fs::read_to_string(&avail).map_err(unsupported(&avail))?;
    let control = dir.join("cgroup.subtree_control");
    for c in text.split_whitespace() {
        if cgroup::CONTROLLERS.contains(&c) {
            fs::write(&control, format!("+{c}")).map_err(unsupported(&control))?;
        }
    }
    Ok(())
}
