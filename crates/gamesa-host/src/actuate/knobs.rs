//! Reading and writing one journaled [`Target`]: the same two functions serve applying and
//! restoring, so a value is always written back in the form it was read.

use super::gpu::{GpuControl, GpuError, NvmlGpu};
use super::procfs;
use super::syscalls;
use super::types::{GpuKnob, ProcessKnob, Target, ThreadKnob, Value};
use rustix::process::Pid;
use rustix::thread::CpuSet;
use std::fs;
use std::io;
use std::path::Path;

/// Why a knob could not be read or written.
#[derive(Debug)]
pub(crate) enum KnobError {
    /// The process or thread exited (or its pid names another process now), or the file or
    /// GPU is gone.
    Gone,
    /// The kernel (or driver) refused.
    Refused { errno: Option<i32>, message: String },
    /// The knob does not exist on this machine.
    Unsupported(String),
}

impl From<io::Error> for KnobError {
    fn from(e: io::Error) -> Self {
        if procfs::gone(&e) {
            KnobError::Gone
        } else {
            KnobError::Refused {
                errno: e.raw_os_error(),
                message: e.to_string(),
            }
        }
    }
}

impl From<rustix::io::Errno> for KnobError {
    fn from(e: rustix::io::Errno) -> Self {
        KnobError::from(io::Error::from(e))
    }
}

impl From<GpuError> for KnobError {
    fn from(e: GpuError) -> Self {
        match e {
            GpuError::Unsupported(m) => KnobError::Unsupported(m),
            GpuError::Refused(message) => KnobError::Refused {
                errno: None,
                message,
            },
            GpuError::Gone(_) => KnobError::Gone,
        }
    }
}

/// Where GPU calls go: a given implementation, or NVML loaded on first use.
pub(crate) enum GpuSlot {
    Given(Box<dyn GpuControl>),
    /// NVML, loaded the first time a GPU knob is touched (`None` until then).
    LazyNvml(Option<Box<NvmlGpu>>),
}

impl GpuSlot {
    fn get(&mut self) -> Result<&mut dyn GpuControl, KnobError> {
        match self {
            GpuSlot::Given(g) => Ok(g.as_mut()),
            GpuSlot::LazyNvml(slot) => {
                if slot.is_none() {
                    *slot = Some(Box::new(NvmlGpu::init()?));
                }
                Ok(slot.as_deref_mut().expect("just set"))
            }
        }
    }
}

fn pid(raw: i32) -> Result<Pid, KnobError> {
    Pid::from_raw(raw).ok_or(KnobError::Gone)
}

/// Fails with `Gone` unless the process (or thread) still has the journaled start time.
fn check_identity(target: &Target) -> Result<(), KnobError> {
    let (found, want) = match target {
        Target::Thread {
            pid,
            tid,
            start_time,
            ..
        } => (procfs::thread_start_time(*pid, *tid)?, *start_time),
        Target::Process {
            pid, start_time, ..
        }
        | Target::CgroupMembership {
            pid, start_time, ..
        } => (procfs::process_start_time(*pid)?, *start_time),
        _ => return Ok(()),
    };
    if found == Some(want) {
        Ok(())
    } else {
        Err(KnobError::Gone)
    }
}

/// Reads a cgroup or sysfs file (trimmed). `io.weight` is read as its first line, the
/// `default N` one (the per-device lines after it are not the governor's).
fn read_file(path: &Path) -> Result<String, KnobError> {
    let text = fs::read_to_string(path)?;
    if path.file_name().is_some_and(|n| n == "io.weight") {
        return Ok(text.lines().next().unwrap_or("").trim().to_string());
    }
    Ok(text.trim().to_string())
}

fn cpus_of(set: &CpuSet) -> Vec<usize> {
    (0..CpuSet::MAX_CPU).filter(|&c| set.is_set(c)).collect()
}

/// The current value of `target`, after checking the process identity (start time, field 22 of
/// `/proc/PID/stat` or `/proc/PID/task/TID/stat`, clock ticks):
/// - thread `nice`: `getpriority(PRIO_PROCESS, tid)`, nice value -20..=19;
/// - thread `sched`: `sched_getattr(tid)`, policy number, real-time priority, reset-on-fork;
/// - thread `affinity`: `sched_getaffinity(tid)`, CPU numbers;
/// - thread `ioprio`: `ioprio_get(IOPRIO_WHO_PROCESS, tid)`, raw `class << 13 | level`;
/// - process `oom_score_adj`: `/proc/PID/oom_score_adj`, -1000..=1000;
/// - cgroup membership: the line of `/proc/PID/cgroup` for the controller, a group path;
/// - cgroup directory: whether it exists;
/// - cgroup and sysfs files: the file's content, trimmed (`io.weight`: its `default N` line),
///   in the file's own unit (kHz for `scaling_max_freq`, µW for RAPL limits, …);
/// - GPU: NVML power management limit (mW) or locked clocks (MHz).
pub(crate) fn read(target: &Target, gpu: &mut GpuSlot) -> Result<Value, KnobError> {
    check_identity(target)?;
    Ok(match target {
        Target::Thread { tid, knob, .. } => {
            let t = pid(*tid)?;
            match knob {
                ThreadKnob::Nice => {
                    Value::Int(rustix::process::getpriority_process(Some(t))?.into())
                }
                ThreadKnob::Sched => {
                    let a = syscalls::sched_getattr(*tid)?;
                    Value::Sched {
                        policy: a.sched_policy,
                        priority: a.sched_priority,
                        reset_on_fork: a.sched_flags & syscalls::SCHED_FLAG_RESET_ON_FORK != 0,
                    }
                }
                ThreadKnob::Affinity => {
                    Value::Cpus(cpus_of(&rustix::thread::sched_getaffinity(Some(t))?))
                }
                ThreadKnob::Ioprio => Value::Int(syscalls::ioprio_get(*tid)?.into()),
            }
        }
        Target::Process {
            pid,
            knob: ProcessKnob::OomScoreAdj,
            ..
        } => {
            let text = read_file(Path::new(&format!("/proc/{pid}/oom_score_adj")))?;
            Value::Int(text.parse().map_err(|_| KnobError::Refused {
                errno: None,
                message: format!("oom_score_adj reads {text:?}"),
            })?)
        }
        Target::CgroupMembership {
            pid, controller, ..
        } => Value::Text(procfs::cgroup_of(*pid, controller)?.ok_or(KnobError::Gone)?),
        Target::CgroupDir { path } => Value::Exists(path.is_dir()),
        Target::CgroupFile { path } | Target::Sysfs { path } => Value::Text(read_file(path)?),
        Target::Gpu { index, knob } => {
            let g = gpu.get()?;
            match knob {
                GpuKnob::PowerLimitMw => Value::Int(g.power_limit_mw(*index)?.into()),
                GpuKnob::LockedClocks => Value::Clocks(g.locked_clocks(*index)?),
            }
        }
    })
}

fn mismatch(target: &Target, value: &Value) -> KnobError {
    KnobError::Unsupported(format!("value {value:?} does not fit target {target:?}"))
}

/// Writes `value` to `target` after checking the process identity once more; the calls and
/// files are those of [`read`]: `setpriority`, `sched_setattr` (the nice value read just before
/// is kept), `sched_setaffinity`, `ioprio_set`, `/proc/PID/oom_score_adj`,
/// `<mount><group>/cgroup.procs` (the pid, moving the whole process), `mkdir`/`rmdir` for a
/// cgroup directory, one `write` of the whole value for a cgroup or sysfs file, and NVML.
pub(crate) fn write(target: &Target, value: &Value, gpu: &mut GpuSlot) -> Result<(), KnobError> {
    check_identity(target)?;
    match (target, value) {
        (Target::Thread { tid, knob, .. }, value) => {
            let t = pid(*tid)?;
            match (knob, value) {
                (ThreadKnob::Nice, Value::Int(n)) => {
                    rustix::process::setpriority_process(Some(t), *n as i32)?
                }
                (
                    ThreadKnob::Sched,
                    Value::Sched {
                        policy,
                        priority,
                        reset_on_fork,
                    },
                ) => {
                    // Read first so the nice value (part of the same attributes) is kept.
                    let mut a = syscalls::sched_getattr(*tid)?;
                    a.sched_policy = *policy;
                    a.sched_priority = *priority;
                    a.sched_flags = if *reset_on_fork {
                        syscalls::SCHED_FLAG_RESET_ON_FORK
                    } else {
                        0
                    };
                    syscalls::sched_setattr(*tid, &a)?
                }
                (ThreadKnob::Affinity, Value::Cpus(cpus)) => {
                    let mut set = CpuSet::new();
                    for &c in cpus {
                        if c < CpuSet::MAX_CPU {
                            set.set(c);
                        }
                    }
                    rustix::thread::sched_setaffinity(Some(t), &set)?
                }
                (ThreadKnob::Ioprio, Value::Int(v)) => syscalls::ioprio_set(*tid, *v as i32)?,
                _ => return Err(mismatch(target, value)),
            }
        }
        (
            Target::Process {
                pid,
                knob: ProcessKnob::OomScoreAdj,
                ..
            },
            Value::Int(v),
        ) => fs::write(format!("/proc/{pid}/oom_score_adj"), v.to_string())?,
        (Target::CgroupMembership { pid, mount, .. }, Value::Text(group)) => {
            if group.split('/').any(|c| c == "..") {
                return Err(mismatch(target, value));
            }
            let procs = mount
                .join(group.trim_start_matches('/'))
                .join("cgroup.procs");
            fs::write(procs, pid.to_string())?
        }
        (Target::CgroupDir { path }, Value::Exists(true)) => fs::create_dir(path)?,
        (Target::CgroupDir { path }, Value::Exists(false)) => fs::remove_dir(path)?,
        (Target::CgroupFile { path } | Target::Sysfs { path }, Value::Text(text)) => {
            fs::write(path, text)?
        }
        (Target::Gpu { index, knob }, value) => {
            let g = gpu.get()?;
            match (knob, value) {
                (GpuKnob::PowerLimitMw, Value::Int(mw)) => g.set_power_limit_mw(
                    *index,
                    u32::try_from(*mw).map_err(|_| mismatch(target, value))?,
                )?,
                (GpuKnob::LockedClocks, Value::Clocks(c)) => g.set_locked_clocks(*index, *c)?,
                _ => return Err(mismatch(target, value)),
            }
        }
        _ => return Err(mismatch(target, value)),
    }
    Ok(())
}
