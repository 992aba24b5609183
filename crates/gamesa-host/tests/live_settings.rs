//! The live run's actions beyond the CPU weight and quota: the machine-wide ones (RAPL package
//! power limit, cpufreq ceiling, GPU power limit) on a fake sysfs tree and a recording fake
//! GPU, and the per-process ones (nice, scheduling policy) and `pin_cores` (cpuset) on live
//! child processes, each journaled, its outcome reported and restored exactly.
//!
//! Needs root (CAP_SYS_NICE and CAP_SYS_ADMIN); skipped otherwise. The scanner reads a
//! folder that holds links to this test's own children only, so no other process on the
//! machine is classified or touched. Everything it starts or creates is removed at the end,
//! also when it fails.

use gamesa_host::actuate::ActuatorOptions;
use gamesa_host::actuate::cgroup::CgroupLayout;
use gamesa_host::actuate::gpu::FakeGpu;
use gamesa_host::workloads::live::{ActionResult, LiveAction};
use gamesa_host::workloads::{
    LiveWorkloads, ScannerOptions, Selector, WorkloadDef, WorkloadsConfig,
};
use std::cell::RefCell;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::rc::Rc;
use std::time::{Duration, Instant};

fn can_apply() -> bool {
    let ok = gamesa_host::privilege::check_can_apply().is_ok();
    if !ok {
        eprintln!("needs CAP_SYS_NICE and CAP_SYS_ADMIN: skipped");
    }
    ok
}

/// A scratch folder, removed on drop after the children are killed.
struct Scratch {
    dir: PathBuf,
    children: Vec<Child>,
}

impl Scratch {
    fn new(tag: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("gls-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        Scratch {
            dir,
            children: Vec::new(),
        }
    }

    /// A copy of the first of `binaries` that exists, named `name` (so a name selector finds
    /// this test's processes and no others).
    fn binary(&self, name: &str, binaries: [&str; 2]) -> PathBuf {
        let from = binaries
            .into_iter()
            .find(|p| Path::new(p).exists())
            .unwrap();
        let to = self.dir.join(name);
        fs::copy(from, &to).unwrap();
        to
    }

    /// The folder the scanner reads as `/proc`: empty until [`Scratch::spawn_seen`] links a child.
    fn procs(&self) -> PathBuf {
        let procs = self.dir.join("proc");
        fs::create_dir_all(&procs).unwrap();
        procs
    }

    /// Starts `cmd` as a child the scanner sees (a link to its `/proc` entry in `procs`).
    fn spawn_seen(&mut self, procs: &Path, cmd: &mut Command) -> i32 {
        let child = cmd.spawn().unwrap();
        let pid = child.id() as i32;
        self.children.push(child);
        std::os::unix::fs::symlink(format!("/proc/{pid}"), procs.join(pid.to_string())).unwrap();
        pid
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        for c in &mut self.children {
            // Children in their own process group take what they started with them.
            if let Some(pid) = rustix::process::Pid::from_raw(c.id() as i32) {
                let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
            }
            let _ = c.kill();
            let _ = c.wait();
        }
        let _ = fs::remove_dir_all(&self.dir);
    }
}

fn action(kind: &str, target: &str, value: f64) -> LiveAction {
    LiveAction {
        kind: kind.into(),
        target: target.into(),
        value,
    }
}

fn read(p: &Path) -> String {
    fs::read_to_string(p).unwrap().trim().to_string()
}

fn write(p: &Path, text: &str) {
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, format!("{text}\n")).unwrap();
}

/// Two RAPL packages (and a subzone, never written), two cpufreq policies of two CPUs each,
/// with `cpuN/cpufreq` linked to the policy as the kernel does.
fn fake_sysfs(root: &Path) {
    let rapl = root.join("class/powercap");
    write(
        &rapl.join("intel-rapl:0/constraint_0_power_limit_uw"),
        "65000000",
    );
    write(
        &rapl.join("intel-rapl:1/constraint_0_power_limit_uw"),
        "50000000",
    );
    write(
        &rapl.join("intel-rapl:0:0/constraint_0_power_limit_uw"),
        "10000000",
    );
    let cpu = root.join("devices/system/cpu");
    for (policy, cpus, max) in [(0, "0 1", "3600000"), (2, "2 3", "3000000")] {
        let p = cpu.join(format!("cpufreq/policy{policy}"));
        write(&p.join("affected_cpus"), cpus);
        write(&p.join("cpuinfo_min_freq"), "800000");
        write(&p.join("cpuinfo_max_freq"), max);
        write(&p.join("scaling_max_freq"), max);
        for c in cpus.split(' ') {
            fs::create_dir_all(cpu.join(format!("cpu{c}"))).unwrap();
            std::os::unix::fs::symlink(
                format!("../cpufreq/policy{policy}"),
                cpu.join(format!("cpu{c}/cpufreq")),
            )
            .unwrap();
        }
    }
}

fn statuses(r: &[ActionResult]) -> Vec<&str> {
    r.iter().map(|r| r.status).collect()
}

#[test]
fn machine_actions_on_a_fake_sysfs_and_gpu_are_journaled_and_restored() {
    if !can_apply() {
        return;
    }
    let s = Scratch::new("machine");
    let sys = s.dir.join("sys");
    fake_sysfs(&sys);
    // No processes: the scanner reads an empty folder.
    let procs = s.procs();
    let gpu = Rc::new(RefCell::new(FakeGpu::new(2, 250_000)));
    let (live, leftover) = LiveWorkloads::live(
        &WorkloadsConfig::default(),
        ScannerOptions {
            proc_root: procs,
            ..Default::default()
        },
        &s.dir.join("actuation.journal"),
        ActuatorOptions {
            sysfs_root: sys.clone(),
            cgroup_subtree: format!("gamesa-test-m{}", std::process::id()),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(leftover.entries, 0);
    let mut live = live.with_gpu(Box::new(gpu.clone()));
    let rapl = |z: &str| read(&sys.join(format!("class/powercap/{z}/constraint_0_power_limit_uw")));
    let freq = |p: u32| {
        read(&sys.join(format!(
            "devices/system/cpu/cpufreq/policy{p}/scaling_max_freq"
        )))
    };

    let r = live.apply(&[
        action("set_cpu_power_limit", "cpu", 40.0),
        action("set_cpu_freq_max", "cpu", 2500.0),
        action("set_gpu_power_limit", "gpu1", 180.0),
    ]);
    assert_eq!(statuses(&r), ["applied"; 3], "{r:#?}");
    // The engine's 40 W is the packages' sum, as telemetry reads it: 20 W each.
    assert_eq!(
        (rapl("intel-rapl:0"), rapl("intel-rapl:1")),
        ("20000000".into(), "20000000".into())
    );
    assert_eq!(
        rapl("intel-rapl:0:0"),
        "10000000",
        "a subzone is not a package"
    );
    assert_eq!((freq(0), freq(2)), ("2500000".into(), "2500000".into()));
    assert_eq!(gpu.borrow().power_limit_mw[&1], 180_000);
    assert_eq!(gpu.borrow().power_limit_mw[&0], 250_000);

    // Above a policy's hardware range: clamped to it (what the kernel would read back).
    let r = live.apply(&[action("set_cpu_freq_max", "cpu", 5000.0)]);
    assert_eq!(statuses(&r), ["applied"]);
    assert_eq!((freq(0), freq(2)), ("3600000".into(), "3000000".into()));

    // Someone else lowers policy 0's ceiling: the governor leaves it alone (conflict).
    write(
        &sys.join("devices/system/cpu/cpufreq/policy0/scaling_max_freq"),
        "1234000",
    );
    let r = live.apply(&[action("set_cpu_freq_max", "cpu", 2000.0)]);
    assert_eq!(statuses(&r), ["conflict"], "{r:#?}");
    assert_eq!(freq(0), "1234000");

    // The driver refuses: reported with its message, nothing changed.
    gpu.borrow_mut().refuse_writes = true;
    let r = live.apply(&[action("set_gpu_power_limit", "gpu0", 200.0)]);
    assert_eq!(statuses(&r), ["refused"], "{r:#?}");
    assert_eq!(gpu.borrow().power_limit_mw[&0], 250_000);
    gpu.borrow_mut().refuse_writes = false;

    // Bad actions are typed errors; unknown kinds and targets are ignored.
    let r = live.apply(&[
        action("set_cpu_power_limit", "gpu0", 40.0),
        action("set_gpu_power_limit", "gpu01", 100.0),
        action("set_cpu_freq_max", "cpu", f64::NAN),
        action("set_cpu_power_limit", "cpu", 0.5),
        action("set_fan_speed", "cpu", 1.0),
    ]);
    assert_eq!(
        statuses(&r),
        ["error", "error", "error", "error", "ignored"],
        "{r:#?}"
    );
    assert!(
        r[..4].iter().all(|r| r.code == Some("INVALID_ARGUMENT")),
        "{r:#?}"
    );

    // What happened is in the next pass: the failures and the settings in force.
    let pass = live.pass().unwrap();
    assert_eq!(pass.scan.variables["live.actions_failed"], 6.0);
    assert_eq!(pass.machine["set_cpu_power_limit cpu"], 40.0);
    assert_eq!(pass.machine["set_gpu_power_limit gpu1"], 180.0);

    let report = live.restore().unwrap();
    assert!(report.failed.is_empty(), "{report:#?}");
    assert_eq!(
        (rapl("intel-rapl:0"), rapl("intel-rapl:1")),
        ("65000000".into(), "50000000".into())
    );
    assert_eq!(freq(2), "3000000");
    assert_eq!(freq(0), "1234000", "someone else's value is kept");
    assert_eq!(report.conflicts.len(), 1, "{report:#?}");
    assert_eq!(gpu.borrow().power_limit_mw[&1], 250_000);

    // Without the hardware: ACTUATION_UNSUPPORTED, naming what is missing.
    fs::remove_dir_all(sys.join("class/powercap")).unwrap();
    fs::remove_dir_all(sys.join("devices/system/cpu/cpufreq")).unwrap();
    let r = live.apply(&[
        action("set_cpu_power_limit", "cpu", 40.0),
        action("set_cpu_freq_max", "cpu", 2000.0),
    ]);
    assert_eq!(statuses(&r), ["error", "error"]);
    assert!(
        r.iter().all(|r| r.code == Some("ACTUATION_UNSUPPORTED")),
        "{r:#?}"
    );
    assert!(r[0].message.as_deref().unwrap().contains("RAPL"), "{r:#?}");
}

/// `/proc/PID/stat` fields (1-based, after the comm): nice is 19, policy 41.
fn stat_field(pid: i32, n: usize) -> i64 {
    let text = fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let rest = &text[text.rfind(')').unwrap() + 2..];
    rest.split(' ').nth(n - 3).unwrap().parse().unwrap()
}

fn allowed_cpus(pid: i32) -> String {
    let text = fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("Cpus_allowed_list:"))
        .unwrap();
    line.split_whitespace().nth(1).unwrap().to_string()
}

fn group_of(pid: i32, controller: &str) -> String {
    let text = fs::read_to_string(format!("/proc/{pid}/cgroup")).unwrap();
    text.lines()
        .find_map(|l| {
            let mut f = l.splitn(3, ':');
            let (_, c, path) = (f.next()?, f.next()?, f.next()?);
            c.split(',')
                .any(|c| c == controller)
                .then(|| path.to_string())
        })
        .unwrap()
}

#[test]
fn nice_policy_and_pinning_reach_live_children_and_are_restored() {
    if !can_apply() {
        return;
    }
    let layout = CgroupLayout::detect();
    let cpuset = layout.hierarchy("cpuset").cloned();
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut s = Scratch::new("proc");
    let name = format!("gls{}", std::process::id() % 100_000);
    let sleep = s.binary(&name, ["/bin/sleep", "/usr/bin/sleep"]);
    // The scanner sees this test's children only: links to their /proc entries.
    let procs = s.procs();
    // One child starts from a non-default nice value, 3.
    let first = s.spawn_seen(
        &procs,
        Command::new("nice").args(["-n", "3"]).arg(&sleep).arg("30"),
    );
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(stat_field(first, 19), 3);
    let first_cpus = allowed_cpus(first);
    let subtree = format!("gamesa-test-p{}", std::process::id());
    let config = WorkloadsConfig {
        workloads: vec![WorkloadDef {
            name: "game".into(),
            priority: true,
            select: vec![Selector {
                name: vec![name.clone()],
                ..Default::default()
            }],
            children: true,
        }],
        ..Default::default()
    };
    let (mut live, _) = LiveWorkloads::live(
        &config,
        ScannerOptions {
            proc_root: s.dir.join("proc"),
            ..Default::default()
        },
        &s.dir.join("actuation.journal"),
        ActuatorOptions {
            cgroup_subtree: subtree.clone(),
            ..Default::default()
        },
    )
    .unwrap();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        live.pass().unwrap();
        // By role and by the workload's name; a bad value is an error, not a clamp.
        let r = live.apply(&[
            action("set_nice", "priority", -5.0),
            action("set_sched_policy", "game", 3.0),
            action("set_nice", "priority", 2.5),
            action("set_sched_policy", "priority", 1.0),
        ]);
        assert_eq!(
            statuses(&r),
            ["applied", "applied", "error", "error"],
            "{r:#?}"
        );
        assert_eq!(stat_field(first, 19), -5);
        assert_eq!(stat_field(first, 41), 3, "SCHED_BATCH");
        let mut pinned = false;
        if let Some(h) = cpuset.as_ref().filter(|_| cpus >= 2) {
            let r = live.apply(&[action("pin_cores", "priority", 1.0)]);
            assert_eq!(statuses(&r), ["applied"], "{r:#?}");
            let r = live.apply(&[
                action("pin_cores", "background", 1.0),
                action("pin_cores", "priority", cpus as f64),
            ]);
            assert_eq!(statuses(&r), ["error", "error"], "{r:#?}");
            let v = live.pass().unwrap().scan.variables;
            assert_eq!(v["wl.priority.pinned_cores"], 1.0);
            assert_eq!(group_of(first, "cpuset"), format!("/{subtree}/priority"));
            let last = (cpus - 1).to_string();
            assert_eq!(
                read(&h.mount.join(&subtree).join("priority/cpuset.cpus")),
                last
            );
            assert_eq!(allowed_cpus(first), last);
            pinned = true;
        } else {
            eprintln!("no writable cpuset controller or one CPU: pin_cores not tested");
        }
        // A process that starts later gets all of it by the next pass.
        let t0 = Instant::now();
        let later = s.spawn_seen(&procs, Command::new(&sleep).arg("30"));
        let p = live.pass().unwrap();
        let took = t0.elapsed();
        let settings: Vec<&str> = p
            .moves
            .iter()
            .filter(|m| m.pid == later)
            .map(|m| m.setting)
            .collect();
        assert!(
            settings.contains(&"nice") && settings.contains(&"sched_policy"),
            "{:#?}",
            p.moves
        );
        assert_eq!((stat_field(later, 19), stat_field(later, 41)), (-5, 3));
        assert!(took < Duration::from_secs(1), "{took:?}");
        assert_eq!(p.scan.variables["wl.game.sched_policy"], 3.0);
        assert_eq!(p.scan.variables["wl.priority.nice"], -5.0);
        if pinned {
            assert_eq!(allowed_cpus(later), (cpus - 1).to_string());
            // Unpinned: the group gets every CPU back.
            let r = live.apply(&[action("pin_cores", "priority", 0.0)]);
            assert_eq!(statuses(&r), ["applied"], "{r:#?}");
            assert_eq!(allowed_cpus(later), first_cpus);
        }
        later
    }));
    let report = live.restore();
    drop(live);
    let later = result.unwrap_or_else(|e| std::panic::resume_unwind(e));
    let report = report.unwrap();
    assert!(
        report.failed.is_empty() && report.conflicts.is_empty(),
        "{report:#?}"
    );
    assert_eq!(
        (stat_field(first, 19), stat_field(first, 41)),
        (3, 0),
        "exact previous values"
    );
    assert_eq!((stat_field(later, 19), stat_field(later, 41)), (0, 0));
    assert_eq!(allowed_cpus(first), first_cpus);
    if let Some(h) = &cpuset {
        assert!(!group_of(first, "cpuset").contains(&subtree));
        assert!(!h.mount.join(&subtree).exists(), "groups removed");
    }
    for h in layout.group_hierarchies() {
        assert!(
            !h.mount.join(&subtree).exists(),
            "{} removed",
            h.mount.display()
        );
    }
}

#[test]
fn a_process_born_in_a_governor_group_goes_back_with_its_parent_on_restore() {
    if !can_apply() {
        return;
    }
    let layout = CgroupLayout::detect();
    let Some(cpu) = layout.hierarchy("cpu").cloned() else {
        eprintln!("no writable cpu controller: skipped");
        return;
    };
    let mut s = Scratch::new("born");
    let name = format!("glb{}", std::process::id() % 100_000);
    let sh = s.binary(&name, ["/bin/sh", "/usr/bin/sh"]);
    let flag = s.dir.join("fork-now");
    // The shell waits for the flag, then starts a child: born in whatever group the shell is in.
    let script = format!(
        "while [ ! -e {} ]; do sleep 0.02; done; sleep 30 & wait",
        flag.display()
    );
    let child = {
        use std::os::unix::process::CommandExt;
        Command::new(&sh)
            .args(["-c", &script])
            .process_group(0)
            .spawn()
            .unwrap()
    };
    let shell = child.id() as i32;
    s.children.push(child);
    let procs = s.procs();
    std::os::unix::fs::symlink(format!("/proc/{shell}"), procs.join(shell.to_string())).unwrap();
    let original = group_of(shell, &cpu.controller);
    let subtree = format!("gamesa-test-b{}", std::process::id());
    let config = WorkloadsConfig {
        workloads: vec![WorkloadDef {
            name: "game".into(),
            priority: true,
            select: vec![Selector {
                name: vec![name.clone()],
                ..Default::default()
            }],
            children: true,
        }],
        ..Default::default()
    };
    let (mut live, _) = LiveWorkloads::live(
        &config,
        ScannerOptions {
            proc_root: procs,
            ..Default::default()
        },
        &s.dir.join("actuation.journal"),
        ActuatorOptions {
            cgroup_subtree: subtree.clone(),
            ..Default::default()
        },
    )
    .unwrap();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        live.pass().unwrap();
        let r = live.apply(&[action("set_cpu_weight", "priority", 1000.0)]);
        assert_eq!(statuses(&r), ["applied"], "{r:#?}");
        // The role's processes join the group the action created at once, not a pass later;
        // the move is reported by the next pass.
        assert_eq!(
            group_of(shell, &cpu.controller),
            format!("/{subtree}/priority")
        );
        let p = live.pass().unwrap();
        assert!(
            p.moves
                .iter()
                .any(|m| m.pid == shell && m.setting == "group"),
            "{:#?}",
            p.moves
        );
        fs::write(&flag, "").unwrap();
        // The child the shell starts now: never seen by a pass, so never moved by the governor.
        let end = Instant::now() + Duration::from_secs(3);
        loop {
            let kids = fs::read_to_string(format!("/proc/{shell}/task/{shell}/children"))
                .unwrap_or_default();
            if let Some(k) = kids
                .split_whitespace()
                .filter_map(|k| k.parse::<i32>().ok())
                .find(|k| {
                    fs::read_to_string(format!("/proc/{k}/cmdline"))
                        .is_ok_and(|c| c.starts_with("sleep\u{0}30"))
                })
            {
                break k;
            }
            assert!(Instant::now() < end, "the shell never started its child");
            std::thread::sleep(Duration::from_millis(20));
        }
    }));
    let report = live.restore();
    drop(live);
    let born = result.unwrap_or_else(|e| std::panic::resume_unwind(e));
    let report = report.unwrap();
    assert!(report.returned_born >= 1, "{report:#?}");
    assert!(report.kept_groups.is_empty(), "{report:#?}");
    assert_eq!(group_of(shell, &cpu.controller), original);
    assert_eq!(
        group_of(born, &cpu.controller),
        original,
        "the child went back with its parent"
    );
    assert!(!cpu.mount.join(&subtree).exists(), "groups removed");
}

#[test]
fn without_a_cpuset_controller_pin_cores_sets_the_affinity_of_every_process() {
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    if !can_apply() || cpus < 2 {
        eprintln!("needs root and two CPUs: skipped");
        return;
    }
    // This machine's cgroups, less any cpuset controller.
    let mountinfo: String = fs::read_to_string("/proc/self/mountinfo")
        .unwrap()
        .lines()
        .filter(|l| !l.contains("cpuset"))
        .map(|l| format!("{l}\n"))
        .collect();
    let layout = CgroupLayout::from_mountinfo(&mountinfo, |mount| {
        fs::read_to_string(mount.join("cgroup.controllers"))
            .unwrap_or_default()
            .split_whitespace()
            .filter(|c| *c != "cpuset")
            .collect::<Vec<_>>()
            .join(" ")
    });
    assert!(layout.hierarchy("cpuset").is_none());
    let mut s = Scratch::new("aff");
    let name = format!("gla{}", std::process::id() % 100_000);
    let sleep = s.binary(&name, ["/bin/sleep", "/usr/bin/sleep"]);
    // The scanner sees this test's children only: links to their /proc entries.
    let procs = s.procs();
    // One starts with its affinity limited to CPU 0: restore must give exactly that back.
    let first = s.spawn_seen(
        &procs,
        Command::new("taskset")
            .args(["-c", "0"])
            .arg(&sleep)
            .arg("30"),
    );
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(allowed_cpus(first), "0");
    let config = WorkloadsConfig {
        workloads: vec![WorkloadDef {
            name: "game".into(),
            priority: true,
            select: vec![Selector {
                name: vec![name.clone()],
                ..Default::default()
            }],
            children: true,
        }],
        ..Default::default()
    };
    let (mut live, _) = LiveWorkloads::live(
        &config,
        ScannerOptions {
            proc_root: s.dir.join("proc"),
            ..Default::default()
        },
        &s.dir.join("actuation.journal"),
        ActuatorOptions {
            cgroup_subtree: format!("gamesa-test-a{}", std::process::id()),
            cgroups: Some(layout),
            ..Default::default()
        },
    )
    .unwrap();
    let last = (cpus - 1).to_string();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        live.pass().unwrap();
        let r = live.apply(&[action("pin_cores", "game", 1.0)]);
        assert_eq!(statuses(&r), ["applied"], "{r:#?}");
        assert_eq!(allowed_cpus(first), last);
        let later = s.spawn_seen(&procs, Command::new(&sleep).arg("30"));
        let p = live.pass().unwrap();
        assert!(
            p.moves
                .iter()
                .any(|m| m.pid == later && m.setting == "affinity"),
            "{:#?}",
            p.moves
        );
        assert_eq!(allowed_cpus(later), last);
        assert_eq!(p.scan.variables["wl.priority.pinned_cores"], 1.0);
        assert_eq!(
            p.settings["priority"].cpus.as_deref(),
            Some(&[cpus - 1][..])
        );
        later
    }));
    let report = live.restore();
    drop(live);
    let later = result.unwrap_or_else(|e| std::panic::resume_unwind(e));
    let report = report.unwrap();
    assert!(
        report.failed.is_empty() && report.conflicts.is_empty(),
        "{report:#?}"
    );
    assert_eq!(allowed_cpus(first), "0", "the exact previous affinity");
    assert_eq!(allowed_cpus(later), format!("0-{}", cpus - 1));
}
