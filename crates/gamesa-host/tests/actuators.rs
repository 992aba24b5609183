//! Actuators on a fake sysfs tree (cpufreq, RAPL), on a recording fake GPU, and on this
//! process's own children; the journal's torn tail, corruption and lock.

use gamesa_core::ErrorCode;
use gamesa_core::effects::{Effect, GrantOptions};
use gamesa_host::actuate::gpu::FakeGpu;
use gamesa_host::actuate::types::{ClockRange, CpufreqKnob, GpuKnob, Target, Value};
use gamesa_host::actuate::{Actuator, ActuatorOptions, Change, Outcome};
use gamesa_host::journal::Journal;
use gamesa_host::restore::{restore, restore_with};
use gamesa_host::{AuditedChecker, HostError};
use std::cell::RefCell;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::rc::Rc;

/// A `sleep 30` child, killed and reaped on drop (also when a test fails).
struct Sleeper(std::process::Child);

impl Sleeper {
    fn spawn() -> Sleeper {
        Sleeper(Command::new("sleep").arg("30").spawn().unwrap())
    }
    fn pid(&self) -> i32 {
        self.0.id() as i32
    }
}

impl Drop for Sleeper {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn temp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("gamesa-act-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&d);
    fs::create_dir_all(&d).unwrap();
    d
}

/// A sysfs tree with cpufreq files for two CPUs and one RAPL zone.
fn fake_sysfs(root: &Path) {
    for cpu in 0..2 {
        let d = root.join(format!("devices/system/cpu/cpu{cpu}/cpufreq"));
        fs::create_dir_all(&d).unwrap();
        fs::write(d.join("scaling_max_freq"), "3600000\n").unwrap();
        fs::write(d.join("scaling_governor"), "performance\n").unwrap();
        fs::write(d.join("energy_performance_preference"), "performance\n").unwrap();
    }
    let z = root.join("class/powercap/intel-rapl:0");
    fs::create_dir_all(&z).unwrap();
    fs::write(z.join("constraint_0_power_limit_uw"), "65000000\n").unwrap();
}

fn options(root: &Path) -> ActuatorOptions {
    ActuatorOptions {
        sysfs_root: root.to_path_buf(),
        ..ActuatorOptions::default()
    }
}

fn read(p: PathBuf) -> String {
    fs::read_to_string(p).unwrap().trim().to_string()
}

#[test]
fn cpufreq_and_rapl_on_a_fake_sysfs_are_journaled_and_restored() {
    let dir = temp("sysfs");
    let root = dir.join("sys");
    fake_sysfs(&root);
    let journal = dir.join("state/actuation.journal");
    let (mut a, leftover) = Actuator::live(&journal, options(&root)).unwrap();
    assert_eq!(leftover.entries, 0);
    let changes = [
        Change::Cpufreq {
            cpu: 1,
            knob: CpufreqKnob::MaxFreqKhz(2_000_000),
        },
        Change::Cpufreq {
            cpu: 1,
            knob: CpufreqKnob::Governor("powersave".into()),
        },
        Change::Cpufreq {
            cpu: 0,
            knob: CpufreqKnob::EnergyPerformancePreference("balance_power".into()),
        },
        Change::RaplPowerLimit {
            zone: "intel-rapl:0".into(),
            microwatts: 35_000_000,
        },
    ];
    for c in &changes {
        assert_eq!(a.apply(c).unwrap(), Outcome::Applied { writes: 1 }, "{c:?}");
    }
    let cpu1 = root.join("devices/system/cpu/cpu1/cpufreq");
    assert_eq!(read(cpu1.join("scaling_max_freq")), "2000000");
    assert_eq!(read(cpu1.join("scaling_governor")), "powersave");
    let rapl = root.join("class/powercap/intel-rapl:0/constraint_0_power_limit_uw");
    assert_eq!(read(rapl.clone()), "35000000");
    // Each write was journaled first, with the previous value.
    let entries = a.journal().unwrap().entries().to_vec();
    assert_eq!(entries.len(), 4);
    assert_eq!(entries[3].target, Target::Sysfs { path: rapl.clone() });
    assert_eq!(entries[3].prev, Value::Text("65000000".into()));
    assert_eq!(entries[3].new, Value::Text("35000000".into()));

    // Someone else changes the governor after us: a second change of ours is a conflict, and
    // the restore keeps their value and reports it.
    fs::write(cpu1.join("scaling_governor"), "schedutil\n").unwrap();
    let again = a
        .apply(&Change::Cpufreq {
            cpu: 1,
            knob: CpufreqKnob::Governor("powersave".into()),
        })
        .unwrap();
    assert!(matches!(again, Outcome::Conflict { .. }), "{again:?}");
    assert_eq!(read(cpu1.join("scaling_governor")), "schedutil");

    let report = a.restore().unwrap();
    assert_eq!(
        (report.restored, report.conflicts.len()),
        (3, 1),
        "{report:#?}"
    );
    assert_eq!(report.conflicts[0].current, Value::Text("schedutil".into()));
    assert_eq!(report.conflicts[0].prev, Value::Text("performance".into()));
    assert_eq!(read(cpu1.join("scaling_max_freq")), "3600000");
    assert_eq!(read(cpu1.join("scaling_governor")), "schedutil");
    assert_eq!(read(rapl), "65000000");
    assert_eq!(
        read(root.join("devices/system/cpu/cpu0/cpufreq/energy_performance_preference")),
        "performance"
    );
    assert_eq!(fs::read_to_string(&journal).unwrap(), "");

    // A file this machine does not have is ACTUATION_UNSUPPORTED, and nothing is journaled.
    let err = a
        .apply(&Change::Cpufreq {
            cpu: 7,
            knob: CpufreqKnob::MaxFreqKhz(1),
        })
        .unwrap_err();
    assert_eq!(err.code(), "ACTUATION_UNSUPPORTED");
    assert!(a.journal().unwrap().entries().is_empty());
    drop(a);
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn gpu_knobs_go_through_the_trait_and_restore_after_a_crash() {
    let dir = temp("gpu");
    let journal = dir.join("actuation.journal");
    let gpu = FakeGpu::new(2, 250_000);
    let (a, _) = Actuator::live(&journal, ActuatorOptions::default()).unwrap();
    let mut a = a.with_gpu(Box::new(gpu));
    let clocks = ClockRange {
        min_mhz: 1000,
        max_mhz: 1500,
    };
    assert_eq!(
        a.apply(&Change::GpuPowerLimit {
            index: 1,
            milliwatts: 180_000
        })
        .unwrap(),
        Outcome::Applied { writes: 1 }
    );
    assert_eq!(
        a.apply(&Change::GpuLockedClocks {
            index: 0,
            clocks: Some(clocks)
        })
        .unwrap(),
        Outcome::Applied { writes: 1 }
    );
    let limit = Target::Gpu {
        index: 1,
        knob: GpuKnob::PowerLimitMw,
    };
    assert_eq!(a.read(&limit).unwrap(), Some(Value::Int(180_000)));
    // A crash: the actuator (and its fake GPU) are dropped without restoring. The journal
    // holds both entries; restore replays them on a GPU in the state the crash left.
    drop(a);
    let mut after_crash = FakeGpu::new(2, 250_000);
    after_crash.power_limit_mw.insert(1, 180_000);
    after_crash.locked_clocks.insert(0, Some(clocks));
    let after_crash = Rc::new(RefCell::new(after_crash));
    let report = restore_with(&journal, Some(Box::new(after_crash.clone()))).unwrap();
    assert_eq!((report.entries, report.restored), (2, 2), "{report:#?}");
    let g = after_crash.borrow();
    assert_eq!(g.power_limit_mw[&1], 250_000);
    assert_eq!(g.locked_clocks[&0], None);
    assert_eq!(
        g.calls,
        [
            "locked_clocks(0)",
            "set_locked_clocks(0, None)",
            "power_limit_mw(1)",
            "set_power_limit_mw(1, 250000)"
        ]
    );
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn gpu_calls_are_recorded_in_order() {
    use gamesa_host::actuate::gpu::GpuControl;
    let mut g = FakeGpu::new(1, 300_000);
    g.set_power_limit_mw(0, 200_000).unwrap();
    g.set_locked_clocks(0, None).unwrap();
    assert!(g.power_limit_mw(3).is_err());
    assert_eq!(
        g.calls,
        [
            "set_power_limit_mw(0, 200000)",
            "set_locked_clocks(0, None)"
        ]
    );
}

#[test]
fn dry_run_writes_and_journals_nothing() {
    let dir = temp("dry");
    let root = dir.join("sys");
    fake_sysfs(&root);
    let mut a = Actuator::dry_run(options(&root));
    assert!(!a.is_live());
    let out = a
        .apply(&Change::RaplPowerLimit {
            zone: "intel-rapl:0".into(),
            microwatts: 1,
        })
        .unwrap();
    assert_eq!(out, Outcome::DryRun { writes: 1 });
    assert_eq!(
        read(root.join("class/powercap/intel-rapl:0/constraint_0_power_limit_uw")),
        "65000000"
    );
    let child = Sleeper::spawn();
    let pid = child.pid();
    assert_eq!(
        a.apply(&Change::Nice { pid, nice: 5 }).unwrap(),
        Outcome::DryRun { writes: 1 }
    );
    assert_eq!(
        rustix::process::getpriority_process(rustix::process::Pid::from_raw(pid)).unwrap(),
        0
    );
    drop(child);
    // A process that is gone is an outcome, not an error.
    assert_eq!(
        a.apply(&Change::Nice { pid, nice: 5 }).unwrap(),
        Outcome::ProcessGone
    );
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn kernel_refusals_and_invalid_changes() {
    let dir = temp("refuse");
    let (mut a, _) = Actuator::live(&dir.join("j"), ActuatorOptions::default()).unwrap();
    let child = Sleeper::spawn();
    let pid = child.pid();
    // CPU 1000 does not exist here: the kernel says EINVAL.
    let out = a
        .apply(&Change::Affinity {
            pid,
            cpus: vec![1000],
        })
        .unwrap();
    assert!(
        matches!(out, Outcome::Refused { errno: Some(e), .. } if e == libc_einval()),
        "{out:?}"
    );
    let err = a.apply(&Change::Nice { pid, nice: 40 }).unwrap_err();
    assert_eq!(err.code(), "INVALID_ARGUMENT");
    let err = a
        .apply(&Change::CreateGroup {
            group: "../escape".into(),
        })
        .unwrap_err();
    assert_eq!(err.code(), "INVALID_ARGUMENT");
    // The refused write was journaled (before it was tried) and restores as unchanged.
    let report = a.restore().unwrap();
    assert_eq!((report.restored, report.unchanged), (0, 1), "{report:#?}");
    drop(child);
    drop(a);
    fs::remove_dir_all(&dir).unwrap();
}

fn libc_einval() -> i32 {
    22
}

#[test]
fn changes_need_their_capability() {
    let dir = temp("cap");
    let root = dir.join("sys");
    fake_sysfs(&root);
    let (mut a, _) = Actuator::live(&dir.join("j"), options(&root)).unwrap();
    let mut checker = AuditedChecker::in_memory();
    let change = Change::RaplPowerLimit {
        zone: "intel-rapl:0".into(),
        microwatts: 20_000_000,
    };
    assert_eq!(change.effect(), Effect::PowerControl);
    let err = a
        .apply_checked(&mut checker, "thermal", &change, 1)
        .unwrap_err();
    assert_eq!(err.code(), "CAPABILITY_DENIED");
    assert!(a.journal().unwrap().entries().is_empty());
    checker
        .grant(
            "thermal",
            &[Effect::PowerControl],
            GrantOptions::default(),
            2,
        )
        .unwrap();
    assert_eq!(
        a.apply_checked(&mut checker, "thermal", &change, 3)
            .unwrap(),
        Outcome::Applied { writes: 1 }
    );
    a.restore().unwrap();
    drop(a);
    fs::remove_dir_all(&dir).unwrap();
}

/// `restore(path)`, waiting out a `JOURNAL_LOCKED`: a test running beside this one that forks
/// a child holds a copy of every open descriptor, this journal's locked one included, until the
/// child execs (descriptors are close-on-exec, not close-on-fork), so the dropped writer's
/// lock can outlive it by that moment.
fn restore_when_free(path: &std::path::Path) -> gamesa_host::restore::RestoreReport {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        match restore(path) {
            Err(e) if e.code() == "JOURNAL_LOCKED" && std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            other => return other.unwrap(),
        }
    }
}

#[test]
fn journal_torn_tail_corruption_and_lock() {
    let dir = temp("journal");
    let root = dir.join("sys");
    fake_sysfs(&root);
    let path = dir.join("actuation.journal");
    let rapl = root.join("class/powercap/intel-rapl:0/constraint_0_power_limit_uw");
    {
        let (mut a, _) = Actuator::live(&path, options(&root)).unwrap();
        a.apply(&Change::RaplPowerLimit {
            zone: "intel-rapl:0".into(),
            microwatts: 10,
        })
        .unwrap();
        // A second writer is refused while the first holds the journal.
        let err = Journal::open(&path).unwrap_err();
        assert!(matches!(err, HostError::JournalLocked { .. }));
        assert_eq!(err.code(), "JOURNAL_LOCKED");
        // Dropped without restoring: a crash.
    }
    // A crash in mid-append leaves half a line: tolerated, reported, cut off.
    let mut text = fs::read_to_string(&path).unwrap();
    text.push_str("{\"seq\":2,\"at_ms\":1,\"tar");
    fs::write(&path, &text).unwrap();
    let report = restore_when_free(&path);
    assert_eq!(report.restored, 1);
    let torn = report.torn_tail.unwrap();
    assert_eq!(torn.line, 2);
    assert!(torn.content.starts_with("{\"seq\":2"));
    assert_eq!(read(rapl), "65000000");

    // Anything else that is not an entry is JOURNAL_CORRUPT, naming the line.
    fs::write(&path, "not json\n{}\n").unwrap();
    let err = restore(&path).unwrap_err();
    assert_eq!(err.code(), "JOURNAL_CORRUPT");
    assert!(err.to_string().contains("line 1"), "{err}");
    // A journal may only name what the actuators write: not an arbitrary file for root to
    // overwrite, not a path out of a cgroup hierarchy.
    let passwd = r#"{"seq":1,"at_ms":1,"target":{"kind":"sysfs","path":"/etc/passwd"},"prev":{"text":"x"},"new":{"text":"y"}}"#;
    fs::write(&path, format!("{passwd}\n")).unwrap();
    let err = restore(&path).unwrap_err();
    assert_eq!(err.code(), "JOURNAL_CORRUPT");
    assert!(
        err.to_string().contains("not one the actuators write"),
        "{err}"
    );
    let escape = r#"{"seq":1,"at_ms":1,"target":{"kind":"cgroup_dir","path":"/sys/fs/cgroup/../../etc"},"prev":{"exists":false},"new":{"exists":true}}"#;
    fs::write(&path, format!("{escape}\n")).unwrap();
    assert_eq!(restore(&path).unwrap_err().code(), "JOURNAL_CORRUPT");
    // Nor may anyone else be able to write it.
    fs::write(&path, "").unwrap();
    fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o666)).unwrap();
    let err = restore(&path).unwrap_err();
    assert_eq!(err.code(), "JOURNAL_CORRUPT");
    assert!(err.to_string().contains("not trusted"), "{err}");
    // No journal at all: nothing to do.
    let none = restore(&dir.join("absent.journal")).unwrap();
    assert_eq!(none.entries, 0);
    assert!(!dir.join("absent.journal").exists());
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn with_autogroup_priority_uses_a_cgroup_weight() {
    use gamesa_host::actuate::GroupKnob;
    use gamesa_host::actuate::cgroup::{CgroupLayout, nice_to_cpu_weight};
    use gamesa_host::actuate::procfs::autogroup_enabled;
    let a = Actuator::dry_run(ActuatorOptions::default());
    let changes = a.priority_changes(42, 10, "background");
    let nice = Change::Nice { pid: 42, nice: 10 };
    if autogroup_enabled() && a.cgroups().hierarchy("cpu").is_some() {
        assert_eq!(changes.len(), 4);
        assert_eq!(
            changes[2],
            Change::GroupKnob {
                group: "background".into(),
                knob: GroupKnob::CpuWeight(nice_to_cpu_weight(10)),
            }
        );
        assert_eq!(changes[3], nice);
    } else {
        assert_eq!(changes, std::slice::from_ref(&nice));
    }
    // Without a cpu controller, nice is all there is.
    let bare = Actuator::dry_run(ActuatorOptions {
        cgroups: Some(CgroupLayout::default()),
        ..ActuatorOptions::default()
    });
    assert_eq!(bare.priority_changes(42, 10, "background"), [nice]);
    assert_eq!(nice_to_cpu_weight(10), 10);
}

#[test]
fn the_default_journal_is_under_var_lib_as_root() {
    let path = gamesa_host::default_journal_path();
    if rustix::process::geteuid().is_root() {
        assert_eq!(path, Path::new("/var/lib/gamesa/actuation.journal"));
    } else {
        assert!(path.ends_with("gamesa/actuation.journal"), "{path:?}");
    }
}

#[test]
fn a_dry_run_of_the_cgroup_plan_creates_nothing() {
    let mut a = Actuator::dry_run(ActuatorOptions {
        cgroup_subtree: format!("gamesa-dry-{}", std::process::id()),
        ..ActuatorOptions::default()
    });
    let Some(cpu) = a.cgroups().hierarchy("cpu").cloned() else {
        return;
    };
    let child = Sleeper::spawn();
    let plan = [
        Change::CreateGroup { group: "bg".into() },
        Change::MoveToGroup {
            pid: child.pid(),
            group: "bg".into(),
        },
        Change::GroupKnob {
            group: "bg".into(),
            knob: gamesa_host::actuate::GroupKnob::CpuWeight(10),
        },
    ];
    for c in &plan {
        let out = a.apply(c).unwrap();
        assert!(
            matches!(out, Outcome::DryRun { writes } if writes > 0),
            "{c:?}: {out:?}"
        );
    }
    assert!(
        !cpu.mount
            .join(format!("gamesa-dry-{}", std::process::id()))
            .exists()
    );
}

#[test]
fn restore_process_undoes_one_process_and_keeps_the_rest_journaled() {
    let dir = temp("one");
    let journal = dir.join("actuation.journal");
    let (mut a, _) = Actuator::live(&journal, options(&dir.join("sys"))).unwrap();
    let (first, second) = (Sleeper::spawn(), Sleeper::spawn());
    let nice = |pid: i32| {
        rustix::process::getpriority_process(rustix::process::Pid::from_raw(pid)).unwrap()
    };
    a.apply(&Change::Nice {
        pid: first.pid(),
        nice: 5,
    })
    .unwrap();
    a.apply(&Change::Nice {
        pid: second.pid(),
        nice: 7,
    })
    .unwrap();
    let start = gamesa_host::actuate::procfs::process_start_time(first.pid())
        .unwrap()
        .unwrap();
    // Another process with the same pid would not match: the start time is part of it.
    let report = a.restore_process(first.pid(), start).unwrap();
    assert_eq!((report.entries, report.restored), (1, 1));
    assert_eq!((nice(first.pid()), nice(second.pid())), (0, 7));
    // The journal is not rewritten: the other process's entry must survive a crash now.
    assert_eq!(a.journal().unwrap().entries().len(), 2);
    assert_eq!(fs::read_to_string(&journal).unwrap().lines().count(), 2);
    // The full restore undoes the rest; the entry already undone reads as unchanged.
    let all = a.restore().unwrap();
    assert_eq!((all.restored, all.unchanged), (1, 1));
    assert_eq!(nice(second.pid()), 0);
    assert_eq!(fs::read_to_string(&journal).unwrap(), "");
    drop(a);
    fs::remove_dir_all(&dir).unwrap();
}
