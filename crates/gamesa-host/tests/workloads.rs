//! Workload agents on live processes: selectors, the process tree, exclusion, the variables,
//! and (as root) the settings reaching a process that starts after the governor, within 1 s.
//!
//! Each test starts its own processes from a copy of `sh`/`sleep` with a name no other
//! process has, and kills them (and removes its cgroups) at the end, also when it fails.

use gamesa_host::actuate::ActuatorOptions;
use gamesa_host::actuate::cgroup::CgroupLayout;
use gamesa_host::workloads::live::LiveAction;
use gamesa_host::workloads::{
    LiveWorkloads, Role, ScannerOptions, Selector, WorkloadDef, WorkloadScanner, WorkloadsConfig,
};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

/// A temporary folder with copies of system programs under unique names; removed on drop,
/// after its processes are killed.
struct Sandbox {
    dir: PathBuf,
    children: Vec<Child>,
}

impl Sandbox {
    fn new(tag: &str) -> Sandbox {
        let dir = std::env::temp_dir().join(format!("gwl-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Sandbox {
            dir,
            children: Vec::new(),
        }
    }

    /// A copy of `program` (found on PATH) named `name`.
    fn program(&self, program: &str, name: &str) -> PathBuf {
        let from = ["/bin", "/usr/bin"]
            .iter()
            .map(|d| Path::new(d).join(program))
            .find(|p| p.exists())
            .unwrap();
        let to = self.dir.join(name);
        std::fs::copy(from, &to).unwrap();
        to
    }

    fn spawn(&mut self, cmd: &mut Command) -> i32 {
        let child = cmd.spawn().unwrap();
        let pid = child.id() as i32;
        self.children.push(child);
        pid
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        for c in &mut self.children {
            // The shell's own children die with their process group.
            let _ = rustix::process::kill_process_group(
                rustix::process::Pid::from_raw(c.id() as i32).unwrap(),
                rustix::process::Signal::KILL,
            );
            let _ = c.kill();
            let _ = c.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A command in its own process group, so the whole tree can be killed.
fn grouped(path: &Path) -> Command {
    use std::os::unix::process::CommandExt;
    let mut c = Command::new(path);
    c.process_group(0);
    c
}

fn workload(name: &str, select: Selector) -> WorkloadsConfig {
    WorkloadsConfig {
        workloads: vec![WorkloadDef {
            name: name.into(),
            priority: true,
            select: vec![select],
            children: true,
        }],
        ..Default::default()
    }
}

fn unique(tag: &str) -> String {
    format!("g{tag}{}", std::process::id() % 100_000)
}

/// Scans until `done` holds (at most 3 s), returning the last report.
fn scan_until(
    s: &mut WorkloadScanner,
    done: impl Fn(&gamesa_host::workloads::ScanReport) -> bool,
) -> gamesa_host::workloads::ScanReport {
    let end = Instant::now() + Duration::from_secs(3);
    loop {
        let r = s.scan().unwrap();
        if done(&r) || Instant::now() > end {
            return r;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn name_selector_takes_the_process_tree_and_publishes_variables() {
    let mut sb = Sandbox::new("tree");
    let name = unique("t");
    let sh = sb.program("sh", &name);
    // A shell (the selected process) with two children: one busy, one asleep.
    let pid = sb.spawn(grouped(&sh).args(["-c", "sleep 30 & while :; do :; done & wait"]));
    let mut s = WorkloadScanner::new(
        &workload(
            "game",
            Selector {
                name: vec![name.clone()],
                ..Default::default()
            },
        ),
        ScannerOptions::default(),
    )
    .unwrap();
    let r = scan_until(&mut s, |r| {
        r.processes
            .iter()
            .filter(|p| p.role == Role::Priority)
            .count()
            >= 3
            && r.interval_ms.is_some()
    });
    let members: Vec<_> = r
        .processes
        .iter()
        .filter(|p| p.role == Role::Priority)
        .collect();
    assert_eq!(members.len(), 3, "{members:?}");
    assert!(members.iter().any(|p| p.pid == pid));
    assert!(
        members
            .iter()
            .all(|p| p.workload.as_deref() == Some("game"))
    );
    std::thread::sleep(Duration::from_millis(300));
    let r = s.scan().unwrap();
    let v = &r.variables;
    assert_eq!(v["wl.priority.active"], 1.0);
    assert_eq!(v["wl.game.processes"], 3.0);
    assert_eq!(v["wl.priority.threads"], 3.0);
    // A busy loop: well above zero even when this machine is loaded (sleepers read 0).
    assert!(v["wl.priority.cpu_cores"] > 0.05, "{v:?}");
    assert_eq!(v["wl.priority.cpu_cores"], v["wl.game.cpu_cores"]);
    assert!(v["wl.priority.runq_delay_ms"] >= 0.0);
    assert!(v.contains_key("wl.background.cpu_cores"));
    // The scanner itself is never classified.
    let me = std::process::id() as i32;
    assert!(r.processes.iter().all(|p| p.pid != me));
}

#[test]
fn cmdline_pid_pidfile_uid_and_cgroup_selectors() {
    let mut sb = Sandbox::new("sel");
    let name = unique("s");
    let sleep = sb.program("sleep", &name);
    let a = sb.spawn(grouped(&sleep).arg("31.5"));
    let b = sb.spawn(grouped(&sleep).arg("32.5"));
    let pidfile = sb.dir.join("b.pid");
    std::fs::write(&pidfile, format!("{b}\n")).unwrap();
    let members = |select: Selector| -> Vec<i32> {
        let mut s =
            WorkloadScanner::new(&workload("w", select), ScannerOptions::default()).unwrap();
        let r = s.scan().unwrap();
        r.processes
            .iter()
            .filter(|p| p.role == Role::Priority && (p.pid == a || p.pid == b))
            .map(|p| p.pid)
            .collect()
    };
    assert_eq!(
        members(Selector {
            cmdline: Some(format!("{name} 31\\.5$")),
            ..Default::default()
        }),
        vec![a]
    );
    assert_eq!(
        members(Selector {
            pid: Some(b),
            ..Default::default()
        }),
        vec![b]
    );
    assert_eq!(
        members(Selector {
            pidfile: Some(pidfile.clone()),
            ..Default::default()
        }),
        vec![b]
    );
    let uid = rustix::process::geteuid().as_raw();
    assert_eq!(
        members(Selector {
            name: vec![name.clone()],
            uid: Some(uid),
            ..Default::default()
        }),
        vec![a, b]
    );
    assert_eq!(
        members(Selector {
            name: vec![name.clone()],
            uid: Some(uid + 1),
            ..Default::default()
        }),
        Vec::<i32>::new()
    );
    // Our own group (any hierarchy) holds the children too.
    let own = std::fs::read_to_string("/proc/self/cgroup").unwrap();
    let group = own.lines().next().unwrap().splitn(3, ':').nth(2).unwrap();
    assert_eq!(
        members(Selector {
            name: vec![name.clone()],
            cgroup: Some(group.to_string()),
            ..Default::default()
        }),
        vec![a, b]
    );
}

#[test]
fn a_started_process_is_told_before_the_next_pass() {
    let mut sb = Sandbox::new("started");
    let mut s =
        WorkloadScanner::new(&WorkloadsConfig::default(), ScannerOptions::default()).unwrap();
    s.scan().unwrap();
    // Whatever else runs may start threads at any time, so "nothing started" is not asserted;
    // a process started now is always told.
    let name = unique("s");
    let sleep = sb.program("sleep", &name);
    let pid = sb.spawn(grouped(&sleep).arg("30"));
    assert!(
        s.pids_handed_out(),
        "pid {pid} was handed out after the pass"
    );
}

#[test]
fn idle_and_excluded_processes_are_not_background() {
    let mut sb = Sandbox::new("excl");
    let busy_name = unique("b");
    let excluded_name = unique("x");
    let sh = sb.program("sh", &busy_name);
    let sh2 = sb.program("sh", &excluded_name);
    let busy = sb.spawn(grouped(&sh).args(["-c", "while :; do :; done"]));
    let excl = sb.spawn(grouped(&sh2).args(["-c", "while :; do :; done"]));
    let mut s = WorkloadScanner::new(
        &WorkloadsConfig {
            exclude: vec![excluded_name],
            ..Default::default()
        },
        ScannerOptions::default(),
    )
    .unwrap();
    let r = scan_until(&mut s, |r| r.processes.iter().any(|p| p.pid == busy));
    let role = |pid: i32| r.processes.iter().find(|p| p.pid == pid).map(|p| p.role);
    assert_eq!(role(busy), Some(Role::Background));
    assert_eq!(role(excl), None, "excluded by the configuration");
    assert_eq!(role(1), None);
    assert_eq!(role(2), None, "kthreadd");
    assert_eq!(r.variables["wl.priority.active"], 0.0);
    assert_eq!(r.variables["wl.background.active"], 1.0);
}

#[test]
fn dry_run_says_what_it_would_do() {
    let mut sb = Sandbox::new("dry");
    let name = unique("d");
    let sleep = sb.program("sleep", &name);
    let pid = sb.spawn(grouped(&sleep).arg("30"));
    let mut live = LiveWorkloads::dry_run(
        &workload(
            "game",
            Selector {
                name: vec![name],
                ..Default::default()
            },
        ),
        ScannerOptions::default(),
    )
    .unwrap();
    let results = live.apply(&[
        LiveAction {
            kind: "set_cpu_weight".into(),
            target: "priority".into(),
            value: 800.0,
        },
        // Not a live kind (the GPU's power limit is live since, and is not tried here: no test
        // touches a real GPU, even to read it).
        LiveAction {
            kind: "set_fan_speed".into(),
            target: "cpu".into(),
            value: 100.0,
        },
        LiveAction {
            kind: "set_cpu_quota".into(),
            target: "game".into(),
            value: -1.0,
        },
    ]);
    let has_cpu = CgroupLayout::detect().hierarchy("cpu").is_some();
    if has_cpu {
        assert_eq!(results[0].status, "dry_run", "{results:?}");
    }
    assert_eq!(results[1].status, "ignored");
    assert_eq!(results[2].status, "error");
    assert_eq!(results[2].code, Some("INVALID_ARGUMENT"));
    let p = live.pass().unwrap();
    assert_eq!(
        p.scan.variables["live.actions_failed"], 1.0,
        "the bad quota"
    );
    assert_eq!(p.scan.variables["live.paused"], 0.0);
    if has_cpu {
        assert_eq!(p.scan.variables["wl.priority.cpu_weight"], 800.0);
        assert_eq!(p.scan.variables["wl.game.cpu_weight"], 800.0);
        assert!(p.moves.iter().any(|m| m.pid == pid), "{:?}", p.moves);
        assert_eq!(p.scan.variables["wl.priority.group_members"], 1.0);
    }
    assert_eq!(
        live.pass().unwrap().scan.variables["live.actions_failed"],
        0.0
    );
    // Nothing moved for real.
    let cg = std::fs::read_to_string(format!("/proc/{pid}/cgroup")).unwrap();
    assert!(!cg.contains("/priority"), "{cg}");
}

/// The group of `pid` in the hierarchy of `controller` ("" for v2).
fn group_of(pid: i32, controller: &str) -> Option<String> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/cgroup")).ok()?;
    text.lines().find_map(|l| {
        let mut p = l.splitn(3, ':');
        let (id, ctrls, path) = (p.next()?, p.next()?, p.next()?);
        let hit = if controller.is_empty() {
            id == "0" && ctrls.is_empty()
        } else {
            ctrls.split(',').any(|c| c == controller)
        };
        hit.then(|| path.to_string())
    })
}

#[test]
fn a_process_started_later_gets_the_settings_within_a_second() {
    let layout = CgroupLayout::detect();
    let Some(cpu) = layout.hierarchy("cpu").cloned() else {
        eprintln!("no writable cpu controller here: skipped");
        return;
    };
    if gamesa_host::privilege::check_can_apply().is_err() {
        eprintln!("needs CAP_SYS_NICE and CAP_SYS_ADMIN: skipped");
        return;
    }
    let mut sb = Sandbox::new("live");
    let name = unique("l");
    let sleep = sb.program("sleep", &name);
    let subtree = format!("gamesa-test-{}", std::process::id());
    let journal = sb.dir.join("actuation.journal");
    let (mut live, _) = LiveWorkloads::live(
        &workload(
            "game",
            Selector {
                name: vec![name.clone()],
                ..Default::default()
            },
        ),
        ScannerOptions::default(),
        &journal,
        ActuatorOptions {
            cgroup_subtree: subtree.clone(),
            ..Default::default()
        },
    )
    .unwrap();
    let group_dir = cpu.mount.join(&subtree).join("priority");
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let first = sb.spawn(grouped(&sleep).arg("30"));
        live.pass().unwrap();
        let r = live.apply(&[LiveAction {
            kind: "set_cpu_weight".into(),
            target: "priority".into(),
            value: 1000.0,
        }]);
        assert_eq!(r[0].status, "applied", "{r:?}");
        live.pass().unwrap();
        let want = format!("/{subtree}/priority");
        assert_eq!(
            group_of(first, cpu.proc_key()).as_deref(),
            Some(want.as_str())
        );
        let shares_or_weight = if cpu.version == 2 {
            ("cpu.weight", "1000")
        } else {
            ("cpu.shares", "10240")
        };
        let file = std::fs::read_to_string(group_dir.join(shares_or_weight.0)).unwrap();
        assert_eq!(file.trim(), shares_or_weight.1);
        // A process started now: the governor passes at 10 Hz; poll its group.
        let t0 = Instant::now();
        let later = sb.spawn(grouped(&sleep).arg("30"));
        let mut latency = None;
        while t0.elapsed() < Duration::from_secs(3) {
            live.pass().unwrap();
            if group_of(later, cpu.proc_key()).as_deref() == Some(want.as_str()) {
                latency = Some(t0.elapsed());
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let latency = latency.expect("the new process never joined the group");
        eprintln!("new process in the priority group after {latency:?}");
        assert!(latency < Duration::from_secs(1), "{latency:?}");
        let v = live.pass().unwrap().scan.variables;
        assert_eq!(v["wl.priority.cpu_weight"], 1000.0);
        (first, later)
    }));
    let before: Vec<_> = sb.children.iter().map(|c| c.id() as i32).collect();
    let report = live.restore().unwrap();
    drop(live);
    let (first, later) = result.unwrap_or_else(|e| std::panic::resume_unwind(e));
    assert!(report.failed.is_empty(), "{report:?}");
    for pid in [first, later] {
        assert!(before.contains(&pid));
        let g = group_of(pid, cpu.proc_key()).unwrap();
        assert!(!g.contains(&subtree), "{pid} still in {g}");
    }
    assert!(!cpu.mount.join(&subtree).exists(), "groups removed");
}

#[test]
fn registered_processes_join_the_priority_workload_with_their_tree_until_released() {
    let mut sb = Sandbox::new("reg");
    let name = unique("r");
    let sh = sb.program("sh", &name);
    // A registered shell with its children (the second one forked a second later), and a
    // stranger beside it.
    let game = sb.spawn(grouped(&sh).args(["-c", "sleep 1; sleep 30 & wait"]));
    let other = sb.spawn(grouped(&sh).args(["-c", "sleep 30"]));
    // No priority workload in the configuration: the registered ones form `gamemode`.
    let mut s =
        WorkloadScanner::new(&WorkloadsConfig::default(), ScannerOptions::default()).unwrap();
    let start = gamesa_host::actuate::procfs::process_start_time(game)
        .unwrap()
        .unwrap();
    s.set_registered("gamemode", [(game, start)]);
    let priority = |r: &gamesa_host::workloads::ScanReport| -> Vec<i32> {
        r.processes
            .iter()
            .filter(|p| p.role == Role::Priority)
            .map(|p| p.pid)
            .collect()
    };
    let r = scan_until(&mut s, |r| {
        r.processes
            .iter()
            .any(|p| p.role == Role::Priority && p.pid != game && p.comm == "sleep")
            && priority(r).len() >= 2
    });
    let members = priority(&r);
    assert!(members.contains(&game), "{members:?}");
    assert_eq!(
        members.len(),
        2,
        "the shell and its later child: {members:?}"
    );
    assert!(!members.contains(&other));
    assert!(
        r.processes
            .iter()
            .filter(|p| p.role == Role::Priority)
            .all(|p| p.workload.as_deref() == Some("gamemode"))
    );
    assert_eq!(r.variables["wl.gamemode.processes"], 2.0);
    // A reused pid is another process: a wrong start time registers nothing.
    s.set_registered("gamemode", [(game, start + 1)]);
    assert!(priority(&s.scan().unwrap()).is_empty());
    s.set_registered("gamemode", []);
    assert!(priority(&s.scan().unwrap()).is_empty());
}
