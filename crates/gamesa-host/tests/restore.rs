//! The restore test: a governor (the `gamesa-apply-changes` binary) applies nice, scheduling
//! policy, affinity, oom_score_adj, ioprio and a cgroup weight (v1 or v2, whichever this
//! machine has) to live child processes through the journal and is killed with SIGKILL at a
//! random (seeded) point; `restore` must then bring every knob back to its value before the
//! run, keep a conflicting manual change and report it, and remove the groups it created.
//!
//! Needs root (CAP_SYS_NICE to lower nice again, cgroup writes); without it the tests say so
//! and pass. Every child process and cgroup is removed at the end, also when a test fails.

use gamesa_host::actuate::cgroup::CgroupLayout;
use gamesa_host::actuate::procfs;
use gamesa_host::actuate::types::{IoprioClass, ProcessKnob, Target, ThreadKnob, Value};
use gamesa_host::actuate::{Actuator, ActuatorOptions, Change, GroupKnob, SchedPolicy};
use gamesa_host::journal::Journal;
use gamesa_host::restore;
use rustix::process::Pid;
use rustix::thread::CpuSet;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

const GOVERNOR: &str = env!("CARGO_BIN_EXE_gamesa-apply-changes");
const RUNS: u64 = 32;
const SEED: u64 = 0x6a09_e667_f3bc_c908;

fn is_root() -> bool {
    rustix::process::geteuid().is_root()
}

/// splitmix64: a seeded, dependency-free random sequence.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// Kills and reaps every child, and removes the test's cgroups (deepest first), on drop.
struct Cleanup {
    children: Vec<Child>,
    dirs: Vec<PathBuf>,
}

impl Cleanup {
    fn new() -> Cleanup {
        Cleanup {
            children: Vec::new(),
            dirs: Vec::new(),
        }
    }
    fn kill_children(&mut self) {
        for c in &mut self.children {
            let _ = c.kill();
            let _ = c.wait();
        }
        self.children.clear();
    }
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        self.kill_children();
        for d in self.dirs.iter().rev() {
            if d.is_dir() {
                // Groups are empty once their processes are dead; cgroup removal is rmdir.
                for _ in 0..50 {
                    if std::fs::remove_dir(d).is_ok() {
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(20));
                }
            }
        }
    }
}

/// A scratch directory, removed on drop (also when a test fails).
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let d = std::env::temp_dir().join(format!("gamesa-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        Scratch(d)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs the ignored `thread_child` test of this binary: a child process with 4 threads.
fn spawn_threaded_child() -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "thread_child", "--ignored", "--nocapture", "-q"])
        .env("GAMESA_THREAD_CHILD", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// Not a test: the body of the threaded child (see `spawn_threaded_child`).
#[test]
#[ignore]
fn thread_child() {
    if std::env::var_os("GAMESA_THREAD_CHILD").is_none() {
        return;
    }
    for _ in 0..3 {
        std::thread::spawn(|| std::thread::sleep(Duration::from_secs(60)));
    }
    std::thread::sleep(Duration::from_secs(60));
}

/// Waits until `pid` has at least `n` threads and their number has not changed for 100 ms
/// (the test harness of the threaded child adds a thread of its own).
fn wait_threads(pid: i32, n: usize) {
    let until = Instant::now() + Duration::from_secs(10);
    let count = || procfs::threads(pid).unwrap().unwrap_or_default().len();
    let (mut last, mut since) = (count(), Instant::now());
    loop {
        assert!(
            Instant::now() < until,
            "child {pid} never settled at {n}+ threads"
        );
        std::thread::sleep(Duration::from_millis(5));
        let c = count();
        if c != last {
            (last, since) = (c, Instant::now());
        } else if c >= n && since.elapsed() >= Duration::from_millis(100) {
            return;
        }
    }
}

/// Every knob of every thread of `pid` the governor touches, read independently of the
/// actuators where a safe reader exists (ioprio has none: it goes through `Actuator::read`).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Snapshot {
    /// Per thread: (tid, nice, policy, affinity, ioprio).
    threads: Vec<(i32, i32, u32, Vec<usize>, Value)>,
    oom_score_adj: String,
    cgroups: String,
}

fn policy_of(pid: i32, tid: i32) -> u32 {
    // Field 41 of stat is the scheduling policy.
    let stat = std::fs::read_to_string(format!("/proc/{pid}/task/{tid}/stat")).unwrap();
    let rest = &stat[stat.rfind(')').unwrap() + 1..];
    rest.split_whitespace().nth(38).unwrap().parse().unwrap()
}

fn snapshot(reader: &mut Actuator, pid: i32) -> Snapshot {
    let threads = procfs::threads(pid)
        .unwrap()
        .unwrap()
        .into_iter()
        .map(|(tid, start_time)| {
            let t = Pid::from_raw(tid);
            let nice = rustix::process::getpriority_process(t).unwrap();
            let set = rustix::thread::sched_getaffinity(t).unwrap();
            let cpus = (0..CpuSet::MAX_CPU).filter(|&c| set.is_set(c)).collect();
            let ioprio = reader
                .read(&Target::Thread {
                    pid,
                    tid,
                    start_time,
                    knob: ThreadKnob::Ioprio,
                })
                .unwrap()
                .unwrap();
            (tid, nice, policy_of(pid, tid), cpus, ioprio)
        })
        .collect();
    Snapshot {
        threads,
        oom_score_adj: std::fs::read_to_string(format!("/proc/{pid}/oom_score_adj")).unwrap(),
        cgroups: std::fs::read_to_string(format!("/proc/{pid}/cgroup")).unwrap(),
    }
}

/// The CPUs this process may run on (its children start with the same).
fn allowed_cpus() -> Vec<usize> {
    let set = rustix::thread::sched_getaffinity(None).unwrap();
    (0..CpuSet::MAX_CPU).filter(|&c| set.is_set(c)).collect()
}

/// Whether the cgroup changes can run here: a `cpu` controller (v1 or v2) and every group
/// hierarchy writable (checked by creating and removing a probe group).
fn cgroups_usable(layout: &CgroupLayout) -> bool {
    if layout.hierarchy("cpu").is_none() {
        return false;
    }
    layout.group_hierarchies().iter().all(|h| {
        let probe = h.mount.join(format!("gamesa-probe-{}", std::process::id()));
        let ok = std::fs::create_dir(&probe).is_ok();
        let _ = std::fs::remove_dir(&probe);
        ok
    })
}

/// The changes of one run; the cgroup ones (a group with a CPU weight, every child moved
/// into it) only where `cgroups` says they can run.
fn changes_for(pids: &[i32], group: &str, cgroups: bool, rng: &mut Rng) -> Vec<Change> {
    let allowed = allowed_cpus();
    let mut changes = Vec::new();
    if cgroups {
        changes.extend([
            Change::CreateGroup {
                group: group.to_string(),
            },
            Change::GroupKnob {
                group: group.to_string(),
                knob: GroupKnob::CpuWeight(50),
            },
        ]);
    }
    for &pid in pids {
        let policy = if rng.next() & 1 == 0 {
            SchedPolicy::Batch
        } else {
            SchedPolicy::Idle
        };
        changes.extend([
            Change::Nice { pid, nice: 10 },
            Change::SchedPolicy { pid, policy },
            Change::Affinity {
                pid,
                cpus: vec![*allowed.last().unwrap()],
            },
            Change::OomScoreAdj { pid, value: 500 },
            Change::Ioprio {
                pid,
                class: IoprioClass::BestEffort,
                level: 7,
            },
        ]);
        if cgroups {
            changes.push(Change::MoveToGroup {
                pid,
                group: group.to_string(),
            });
        }
        changes.extend([
            // A second write to the same knobs: the journal then holds two entries for each.
            Change::Nice { pid, nice: 12 },
            Change::Affinity {
                pid,
                cpus: allowed.clone(),
            },
        ]);
    }
    changes
}

struct Governor {
    child: Child,
    out: BufReader<ChildStdout>,
}

fn start_governor(dir: &Path, subtree: &str, changes: &[Change]) -> Governor {
    let file = dir.join("changes.json");
    std::fs::write(&file, serde_json::to_string(changes).unwrap()).unwrap();
    let mut child = Command::new(GOVERNOR)
        .arg("--journal")
        .arg(dir.join("actuation.journal"))
        .arg("--changes")
        .arg(&file)
        .args(["--subtree", subtree, "--pause-ms", "1"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let out = BufReader::new(child.stdout.take().unwrap());
    Governor { child, out }
}

impl Governor {
    /// Reads lines until `done`; returns the outcome lines.
    fn wait_done(&mut self) -> Vec<String> {
        let mut outcomes = Vec::new();
        loop {
            let mut line = String::new();
            assert!(
                self.out.read_line(&mut line).unwrap() > 0,
                "governor ended early"
            );
            if line.starts_with("done") {
                return outcomes;
            }
            if let Some(o) = line.strip_prefix("outcome ") {
                outcomes.push(o.trim().to_string());
            }
        }
    }
    /// Reads lines up to and including `open` (the signal handlers are set by then).
    fn wait_open(&mut self) {
        loop {
            let mut line = String::new();
            assert!(
                self.out.read_line(&mut line).unwrap() > 0,
                "governor ended early"
            );
            if line.starts_with("open") {
                return;
            }
        }
    }
    /// Sends `signal`, waits for the exit, and returns the `restored` report line.
    fn signal_and_wait(mut self, signal: rustix::process::Signal) -> String {
        rustix::process::kill_process(Pid::from_raw(self.child.id() as i32).unwrap(), signal)
            .unwrap();
        let mut rest = String::new();
        std::io::Read::read_to_string(&mut self.out, &mut rest).unwrap();
        let status = self.child.wait().unwrap();
        assert!(status.success(), "{status:?}: {rest}");
        rest.lines()
            .find_map(|l| l.strip_prefix("restored "))
            .unwrap_or_else(|| panic!("no restored line in {rest}"))
            .to_string()
    }
    fn sigkill(mut self) {
        let _ = rustix::process::kill_process(
            Pid::from_raw(self.child.id() as i32).unwrap(),
            rustix::process::Signal::KILL,
        );
        self.child.wait().unwrap();
    }
}

fn target_pid(t: &Target) -> Option<i32> {
    match t {
        Target::Thread { pid, .. }
        | Target::Process { pid, .. }
        | Target::CgroupMembership { pid, .. } => Some(*pid),
        _ => None,
    }
}

fn group_dirs(layout: &CgroupLayout, subtree: &str, group: &str) -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    for h in layout.group_hierarchies() {
        dirs.push(h.mount.join(subtree));
        dirs.push(h.mount.join(subtree).join(group));
    }
    dirs
}

#[test]
fn sigkill_at_random_points_then_restore_brings_every_knob_back() {
    if !is_root() {
        eprintln!("skipped: the restore test needs root");
        return;
    }
    let layout = CgroupLayout::detect();
    let cgroups = cgroups_usable(&layout);
    eprintln!("cgroups: {layout:?}, usable: {cgroups}");
    let mut reader = Actuator::dry_run(ActuatorOptions::default());
    let mut rng = Rng(SEED);
    let scratch = Scratch::new("restore-test");
    let base = &scratch.0;
    let mut full_run = Duration::from_millis(200);
    let mut full_entries = 0;
    let (mut killed_mid_run, mut restored_total, mut conflicts_total, mut exited_total) =
        (0, 0, 0, 0);
    for run in 0..RUNS {
        let subtree = format!("gamesa-test-{}-{run}", std::process::id());
        let group = "g";
        let mut cleanup = Cleanup::new();
        cleanup.dirs = group_dirs(&layout, &subtree, group);
        let dir = base.join(run.to_string());
        std::fs::create_dir_all(&dir).unwrap();

        // Children: plain, nice 3, affinity to one core, and one with 4 threads.
        for _ in 0..3 {
            cleanup
                .children
                .push(Command::new("sleep").arg("60").spawn().unwrap());
        }
        cleanup.children.push(spawn_threaded_child());
        let pids: Vec<i32> = cleanup.children.iter().map(|c| c.id() as i32).collect();
        wait_threads(pids[3], 4);
        rustix::process::setpriority_process(Pid::from_raw(pids[1]), 3).unwrap();
        let mut one = CpuSet::new();
        one.set(allowed_cpus()[0]);
        rustix::thread::sched_setaffinity(Pid::from_raw(pids[2]), &one).unwrap();
        let before: Vec<Snapshot> = pids.iter().map(|&p| snapshot(&mut reader, p)).collect();
        assert_eq!(before[1].threads[0].1, 3);
        assert_eq!(before[2].threads[0].3, vec![allowed_cpus()[0]]);

        let changes = changes_for(&pids, group, cgroups, &mut rng);
        let mut governor = start_governor(&dir, &subtree, &changes);
        // Run 0 completes (and times a full run); every fourth run completes, then someone
        // changes a knob by hand before the kill; the others die at a random point.
        let conflict_run = run % 4 == 1;
        let mut expected = before.clone();
        if run == 0 || conflict_run {
            let started = Instant::now();
            let outcomes = governor.wait_done();
            if run == 0 {
                full_run = started.elapsed();
                assert_eq!(outcomes.len(), changes.len());
                for o in &outcomes {
                    assert!(o.contains("\"applied\""), "{o}");
                }
            }
            if conflict_run {
                // Someone renices child 0 after the governor set 12: that value must stay.
                rustix::process::setpriority_process(Pid::from_raw(pids[0]), 7).unwrap();
                expected[0].threads[0].1 = 7;
            }
            governor.sigkill();
        } else {
            let delay = rng.next() % (full_run.as_micros() as u64 + 1);
            std::thread::sleep(Duration::from_micros(delay));
            governor.sigkill();
        }
        // One child exits before the restore in some runs: it must be skipped.
        let exited = run % 5 == 3;
        if exited {
            let mut c = cleanup.children.remove(0);
            c.kill().unwrap();
            c.wait().unwrap();
        }

        // What the journal holds about the exited child: each such knob must be skipped.
        let exited_targets = if exited {
            let j = Journal::open(&dir.join("actuation.journal")).unwrap();
            let mut t: Vec<&Target> = j
                .entries()
                .iter()
                .map(|e| &e.target)
                .filter(|t| target_pid(t) == Some(pids[0]))
                .collect();
            t.sort_by_key(|t| format!("{t:?}"));
            t.dedup();
            t.len()
        } else {
            0
        };
        let report = restore(&dir.join("actuation.journal")).unwrap();
        if run == 0 {
            full_entries = report.entries;
        } else if report.entries < full_entries {
            killed_mid_run += 1;
        }
        assert!(report.failed.is_empty(), "run {run}: {report:#?}");
        restored_total += report.restored;
        conflicts_total += report.conflicts.len();
        exited_total += report.skipped_exited;
        if conflict_run && !exited {
            assert_eq!(report.conflicts.len(), 1, "run {run}: {report:#?}");
            let c = &report.conflicts[0];
            assert!(
                matches!(c.target, Target::Thread { pid, knob: ThreadKnob::Nice, .. } if pid == pids[0])
            );
            assert_eq!(
                (&c.ours, &c.current, &c.prev),
                (&Value::Int(12), &Value::Int(7), &Value::Int(0))
            );
        } else {
            assert!(report.conflicts.is_empty(), "run {run}: {report:#?}");
        }
        assert_eq!(
            report.skipped_exited, exited_targets,
            "run {run}: {report:#?}"
        );
        for (i, &pid) in pids.iter().enumerate() {
            if exited && i == 0 {
                continue;
            }
            assert_eq!(
                snapshot(&mut reader, pid),
                expected[i],
                "run {run}, child {i}"
            );
        }
        for d in group_dirs(&layout, &subtree, group) {
            assert!(!d.exists(), "run {run}: {} left behind", d.display());
        }
        // The journal is empty after a complete restore.
        assert_eq!(
            std::fs::read_to_string(dir.join("actuation.journal")).unwrap_or_default(),
            ""
        );
        eprintln!(
            "run {run}: {} entries, {} restored, {} unchanged, {} skipped (exited), {} conflicts, {} groups removed{}",
            report.entries,
            report.restored,
            report.unchanged,
            report.skipped_exited,
            report.conflicts.len(),
            report.removed_groups.len(),
            if report.torn_tail.is_some() {
                ", torn tail"
            } else {
                ""
            }
        );
    }
    eprintln!(
        "{RUNS} runs ({killed_mid_run} killed mid-run at a random point; a full run: {full_entries} entries in {full_run:?}): {restored_total} knobs restored, {exited_total} entries skipped for exited processes, {conflicts_total} conflicts kept"
    );
    assert!(
        killed_mid_run >= 16,
        "only {killed_mid_run} runs were killed mid-run"
    );
}

#[test]
fn sigint_and_sigterm_undo_everything_before_the_governor_exits() {
    if !is_root() {
        eprintln!("skipped: needs root");
        return;
    }
    let layout = CgroupLayout::detect();
    let cgroups = cgroups_usable(&layout);
    let mut reader = Actuator::dry_run(ActuatorOptions::default());
    let mut rng = Rng(SEED ^ 1);
    let scratch = Scratch::new("signal-test");
    let base = &scratch.0;
    let signals = [rustix::process::Signal::TERM, rustix::process::Signal::INT];
    for run in 0..8 {
        let subtree = format!("gamesa-sig-{}-{run}", std::process::id());
        let mut cleanup = Cleanup::new();
        cleanup.dirs = group_dirs(&layout, &subtree, "g");
        let dir = base.join(run.to_string());
        std::fs::create_dir_all(&dir).unwrap();
        for _ in 0..2 {
            cleanup
                .children
                .push(Command::new("sleep").arg("60").spawn().unwrap());
        }
        cleanup.children.push(spawn_threaded_child());
        let pids: Vec<i32> = cleanup.children.iter().map(|c| c.id() as i32).collect();
        wait_threads(pids[2], 4);
        rustix::process::setpriority_process(Pid::from_raw(pids[1]), 3).unwrap();
        let before: Vec<Snapshot> = pids.iter().map(|&p| snapshot(&mut reader, p)).collect();
        let changes = changes_for(&pids, "g", cgroups, &mut rng);
        let mut governor = start_governor(&dir, &subtree, &changes);
        governor.wait_open();
        // Even runs: the signal comes after the last change; odd runs: at a random point.
        if run % 2 == 0 {
            governor.wait_done();
        } else {
            std::thread::sleep(Duration::from_micros(rng.next() % 150_000));
        }
        let report = governor.signal_and_wait(signals[run % 2]);
        assert!(report.contains("\"failed\":[]"), "run {run}: {report}");
        assert!(report.contains("\"conflicts\":[]"), "run {run}: {report}");
        for (i, &pid) in pids.iter().enumerate() {
            assert_eq!(
                snapshot(&mut reader, pid),
                before[i],
                "run {run}, child {i}"
            );
        }
        for d in group_dirs(&layout, &subtree, "g") {
            assert!(!d.exists(), "run {run}: {} left behind", d.display());
        }
        assert_eq!(
            std::fs::read_to_string(dir.join("actuation.journal")).unwrap(),
            ""
        );
    }
}

#[test]
fn a_second_writer_is_refused_and_the_next_run_replays_a_crash() {
    if !is_root() {
        eprintln!("skipped: needs root");
        return;
    }
    let scratch = Scratch::new("replay-test");
    let dir = scratch.0.clone();
    let mut cleanup = Cleanup::new();
    cleanup
        .children
        .push(Command::new("sleep").arg("60").spawn().unwrap());
    let pid = cleanup.children[0].id() as i32;
    let changes = vec![
        Change::Nice { pid, nice: 9 },
        Change::OomScoreAdj { pid, value: 300 },
    ];
    let mut governor = start_governor(&dir, "gamesa-unused", &changes);
    governor.wait_done();
    let journal = dir.join("actuation.journal");
    // The governor still runs: a restore (a second writer) is refused, and changes nothing.
    let err = restore(&journal).unwrap_err();
    assert_eq!(gamesa_core::ErrorCode::code(&err), "JOURNAL_LOCKED");
    assert_eq!(
        rustix::process::getpriority_process(Pid::from_raw(pid)).unwrap(),
        9
    );
    governor.sigkill();
    // The next run replays the journal before anything else.
    let (mut next, report) = Actuator::live(&journal, ActuatorOptions::default()).unwrap();
    assert_eq!((report.entries, report.restored), (2, 2), "{report:#?}");
    assert_eq!(
        rustix::process::getpriority_process(Pid::from_raw(pid)).unwrap(),
        0
    );
    let start_time = procfs::process_start_time(pid).unwrap().unwrap();
    assert_eq!(
        next.read(&Target::Process {
            pid,
            start_time,
            knob: ProcessKnob::OomScoreAdj
        })
        .unwrap(),
        Some(Value::Int(0))
    );
    // A reused pid (other start time) is never touched: reading it says "gone".
    assert_eq!(
        next.read(&Target::Process {
            pid,
            start_time: start_time + 1,
            knob: ProcessKnob::OomScoreAdj
        })
        .unwrap(),
        None
    );
    drop(next);
}
