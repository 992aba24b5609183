//! The `/proc` readings of the process scanner. Each function names the file it reads and
//! the unit of what it returns. Every reading is of a process that may exit at any moment:
//! a file that vanished (`ENOENT`, `ESRCH`) is `None`, never an error.
//!
//! A scan reads `/proc/PID/stat` of every process on every pass, and a system call costs
//! microseconds (more in a VM), so [`StatFiles`] keeps each process's `stat` open and re-reads
//! it with one `pread` at offset 0 (the kernel regenerates a `/proc` file on a read from its
//! start): one call per process per pass instead of open, read and close. For a process with
//! one thread, the main thread's `/proc/PID/schedstat` (also kept open) is read first: its
//! CPU time in ns is the whole process's, and when it has not moved the process did not run,
//! so it cannot have used CPU, exec'd or started a thread, and its `stat` (about five times
//! dearer for the kernel to write) is not read again. An open `stat` also
//! stays bound to its process: once that exits, reading fails with `ESRCH` even if the pid is
//! reused, so a stale file never describes another process. Other files are read with one
//! `open` into a buffer the caller keeps (see benches/scan.rs for the cost).

use crate::actuate::procfs::gone;
use rustix::fd::OwnedFd;
use rustix::fs::{Mode, OFlags};
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// What `/proc/PID/stat` says about a process (proc(5) field numbers in brackets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stat {
    /// [2] the command name (`comm`), at most 15 bytes, as the kernel truncates it.
    pub comm: String,
    /// [4] the parent's pid.
    pub ppid: i32,
    /// [9] `PF_KTHREAD` (0x0020_0000) of the kernel flags: a kernel thread.
    pub kernel_thread: bool,
    /// [14] + [15] user and system CPU time of all threads, clock ticks (`_SC_CLK_TCK`).
    pub cpu_ticks: u64,
    /// [20] number of threads.
    pub threads: u32,
    /// [22] start time, clock ticks since boot: with the pid, the process identity.
    pub start_time: u64,
}

const PF_KTHREAD: u64 = 0x0020_0000;

/// Reads the whole of a small `/proc` file into `buf` (cleared first). `Ok(false)` when the
/// file is gone (the process exited).
pub(crate) fn read_into(path: &Path, buf: &mut Vec<u8>) -> io::Result<bool> {
    buf.clear();
    let mut f = match File::open(path) {
        Ok(f) => f,
        Err(e) if gone(&e) => return Ok(false),
        Err(e) => return Err(e),
    };
    match f.read_to_end(buf) {
        Ok(_) => Ok(true),
        Err(e) if gone(&e) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Parses the text of `/proc/PID/stat`. `None` for text that is not one (a torn read).
pub fn parse_stat(text: &[u8]) -> Option<Stat> {
    // comm (field 2) is in parentheses and may itself hold spaces and ')': it ends at the
    // last ')'. Field 3 is the first after it, so field n is at index n - 3.
    let open = text.iter().position(|&b| b == b'(')?;
    let close = text.iter().rposition(|&b| b == b')')?;
    if close < open {
        return None;
    }
    let comm = String::from_utf8_lossy(&text[open + 1..close]).into_owned();
    let rest = std::str::from_utf8(&text[close + 1..]).ok()?;
    let mut ppid = None;
    let mut flags = None;
    let (mut utime, mut stime, mut threads, mut start) = (None, None, None, None);
    for (i, field) in rest.split_ascii_whitespace().enumerate() {
        match i + 3 {
            4 => ppid = field.parse().ok(),
            9 => flags = field.parse::<u64>().ok(),
            14 => utime = field.parse::<u64>().ok(),
            15 => stime = field.parse::<u64>().ok(),
            20 => threads = field.parse().ok(),
            22 => {
                start = field.parse().ok();
                break;
            }
            _ => {}
        }
    }
    Some(Stat {
        comm,
        ppid: ppid?,
        kernel_thread: flags? & PF_KTHREAD != 0,
        cpu_ticks: utime?.saturating_add(stime?),
        threads: threads?,
        start_time: start?,
    })
}

/// Open `/proc/PID/stat` files, at most `budget` of them (a share of the open-file limit);
/// beyond that a process's file is opened, read and closed on each pass.
pub struct StatFiles {
    root: OwnedFd,
    /// `/proc/loadavg`, kept open: its last field is the last pid the kernel handed out.
    loadavg: Option<OwnedFd>,
    budget: usize,
    open: usize,
}

/// One process's `stat` and main-thread `schedstat` files, kept open when the budget allows.
pub struct StatFile {
    stat: Option<OwnedFd>,
    sched: Option<OwnedFd>,
}

impl StatFiles {
    /// Opens `proc_root` as the directory the `stat` files are opened from. The budget is a
    /// quarter of the soft open-file limit, at most 16384.
    pub fn new(proc_root: &Path) -> io::Result<StatFiles> {
        let root = rustix::fs::open(
            proc_root,
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )?;
        let soft = rustix::process::getrlimit(rustix::process::Resource::Nofile)
            .current
            .unwrap_or(1024);
        let loadavg = rustix::fs::openat(
            &root,
            "loadavg",
            OFlags::RDONLY | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .ok();
        Ok(StatFiles {
            root,
            loadavg,
            budget: usize::try_from(soft / 4).unwrap_or(usize::MAX).min(16_384),
            open: 0,
        })
    }

    /// The last pid handed out (processes and threads alike), the fifth field of
    /// `/proc/loadavg` (`0.20 0.18 0.12 1/80 11206`). While it stays the same no process has
    /// started, so the previous pass's pid list is still complete (exits are seen when their
    /// files are read). `None` when it cannot be read.
    pub fn last_pid(&mut self, buf: &mut Vec<u8>) -> Option<i32> {
        let fd = self.loadavg.as_ref()?;
        buf.clear();
        buf.resize(128, 0);
        let n = rustix::io::pread(fd, &mut buf[..], 0).ok()?;
        parse_last_pid(&buf[..n])
    }

    fn open_in_root(&self, path: String) -> io::Result<Option<OwnedFd>> {
        match rustix::fs::openat(
            &self.root,
            path,
            OFlags::RDONLY | OFlags::CLOEXEC,
            Mode::empty(),
        ) {
            Ok(fd) => Ok(Some(fd)),
            Err(e) if gone(&io::Error::from(e)) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Reads `pid`'s `stat` for the first time: `(its files, what it says, the main thread's
    /// CPU time in ns)`, or `None` when the process is gone. The files are kept while the
    /// budget allows.
    pub fn first(
        &mut self,
        pid: i32,
        buf: &mut Vec<u8>,
    ) -> io::Result<Option<(StatFile, Stat, Option<u64>)>> {
        let Some(fd) = self.open_in_root(format!("{pid}/stat"))? else {
            return Ok(None);
        };
        // schedstat first: a CPU time read before the stat can only be older than it, so a
        // later unchanged CPU time still proves the stat current.
        let sched = if self.open + 2 <= self.budget {
            // Without CONFIG_SCHED_INFO the file is absent: the stat is read every pass.
            self.open_in_root(format!("{pid}/schedstat"))
                .unwrap_or(None)
        } else {
            None
        };
        let run_ns = match &sched {
            Some(fd) => pread_run_ns(fd, buf)?,
            None => None,
        };
        let Some(stat) = pread_stat(&fd, buf)? else {
            return Ok(None);
        };
        let keep = self.open < self.budget;
        let mut file = StatFile {
            stat: None,
            sched: None,
        };
        if keep {
            self.open += 1 + usize::from(sched.is_some());
            file.stat = Some(fd);
            file.sched = sched;
        }
        Ok(Some((file, stat, run_ns.filter(|_| keep))))
    }

    /// The main thread's whole `schedstat` through the kept file; `None` when the process is
    /// gone or no such file is kept.
    pub fn sched(&mut self, file: &StatFile, buf: &mut Vec<u8>) -> io::Result<Option<SchedStat>> {
        let Some(fd) = &file.sched else {
            return Ok(None);
        };
        buf.clear();
        buf.resize(256, 0);
        match rustix::io::pread(fd, &mut buf[..], 0) {
            Ok(n) => Ok(parse_schedstat(&buf[..n])),
            Err(e) if gone(&io::Error::from(e)) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// The main thread's CPU time (ns) through the kept `schedstat`: `Ok(None)` when the
    /// process is gone, `Ok(Some(None))` when no such file is kept.
    pub fn run_ns(
        &mut self,
        file: &StatFile,
        buf: &mut Vec<u8>,
    ) -> io::Result<Option<Option<u64>>> {
        match &file.sched {
            Some(fd) => Ok(pread_run_ns(fd, buf)?.map(Some)),
            None => Ok(Some(None)),
        }
    }

    /// Reads `pid`'s `stat` again through its file; `None` when that process is gone (its pid
    /// may name a new process now: read that one with [`first`](Self::first)).
    pub fn again(
        &mut self,
        pid: i32,
        file: &StatFile,
        buf: &mut Vec<u8>,
    ) -> io::Result<Option<Stat>> {
        match &file.stat {
            Some(fd) => pread_stat(fd, buf),
            None => Ok(self.first(pid, buf)?.map(|(mut f, s, _)| {
                self.forget(&mut f);
                s
            })),
        }
    }

    /// Closes a file (its process left the table).
    pub fn forget(&mut self, file: &mut StatFile) {
        for fd in [file.stat.take(), file.sched.take()] {
            if fd.is_some() {
                self.open -= 1;
            }
        }
    }
}

/// The last field of `/proc/loadavg`.
pub fn parse_last_pid(text: &[u8]) -> Option<i32> {
    std::str::from_utf8(text)
        .ok()?
        .split_ascii_whitespace()
        .nth(4)?
        .parse()
        .ok()
}

/// Field 1 of a `schedstat` (CPU time, ns) through one `pread`; `None` when the task is gone.
fn pread_run_ns(fd: &OwnedFd, buf: &mut Vec<u8>) -> io::Result<Option<u64>> {
    buf.clear();
    buf.resize(256, 0);
    match rustix::io::pread(fd, &mut buf[..], 0) {
        Ok(n) => Ok(parse_schedstat(&buf[..n]).map(|s| s.run_ns)),
        Err(e) if gone(&io::Error::from(e)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// One `pread` of a whole `stat` at offset 0 (it is far below the buffer's 4 KiB).
fn pread_stat(fd: &OwnedFd, buf: &mut Vec<u8>) -> io::Result<Option<Stat>> {
    buf.clear();
    buf.resize(4096, 0);
    match rustix::io::pread(fd, &mut buf[..], 0) {
        Ok(n) => {
            buf.truncate(n);
            Ok(parse_stat(buf))
        }
        Err(e) if gone(&io::Error::from(e)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// `/proc/PID/stat` of `pid` under `proc_root`; `None` when the process is gone.
pub fn stat(proc_root: &Path, pid: i32, buf: &mut Vec<u8>) -> io::Result<Option<Stat>> {
    if !read_into(&proc_root.join(format!("{pid}/stat")), buf)? {
        return Ok(None);
    }
    Ok(parse_stat(buf))
}

/// Run-queue figures of one thread from `/proc/PID/task/TID/schedstat` ("run_ns wait_ns
/// slices"): `wait_ns`, nanoseconds spent runnable but waiting for a CPU, and `slices`,
/// the number of times it was given a CPU. Summed over threads by [`process_schedstat`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SchedStat {
    /// Nanoseconds on a CPU (field 1).
    pub run_ns: u64,
    /// Nanoseconds spent on a run queue, waiting for a CPU (field 2).
    pub wait_ns: u64,
    /// Times the thread ran on a CPU (field 3).
    pub slices: u64,
}

/// Parses one `schedstat` line.
pub fn parse_schedstat(text: &[u8]) -> Option<SchedStat> {
    let text = std::str::from_utf8(text).ok()?;
    let mut f = text.split_ascii_whitespace();
    Some(SchedStat {
        run_ns: f.next()?.parse().ok()?,
        wait_ns: f.next()?.parse().ok()?,
        slices: f.next()?.parse().ok()?,
    })
}

/// The sum of [`SchedStat`] over every thread of `pid` (`/proc/PID/task/*/schedstat`; the
/// process-level `/proc/PID/schedstat` covers the main thread only). `None` when the process
/// is gone or the kernel has no schedstats (`CONFIG_SCHED_INFO` off).
pub fn process_schedstat(
    proc_root: &Path,
    pid: i32,
    buf: &mut Vec<u8>,
) -> io::Result<Option<SchedStat>> {
    let task = proc_root.join(format!("{pid}/task"));
    let dir = match std::fs::read_dir(&task) {
        Ok(d) => d,
        Err(e) if gone(&e) => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut sum = SchedStat::default();
    let mut any = false;
    for entry in dir {
        let entry = match entry {
            Ok(e) => e,
            Err(e) if gone(&e) => continue,
            Err(e) => return Err(e),
        };
        if !read_into(&entry.path().join("schedstat"), buf)? {
            continue;
        }
        if let Some(s) = parse_schedstat(buf) {
            sum.run_ns = sum.run_ns.saturating_add(s.run_ns);
            sum.wait_ns = sum.wait_ns.saturating_add(s.wait_ns);
            sum.slices = sum.slices.saturating_add(s.slices);
            any = true;
        }
    }
    Ok(any.then_some(sum))
}

/// What a process is, read once per identity (and again after an `exec`, which changes the
/// `comm`): only the fields some selector needs are read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Identity {
    /// The file name of `/proc/PID/exe` (a symbolic link to the executable; root, or the
    /// same user, may read it). `None` when unreadable.
    pub exe_name: Option<String>,
    /// `/proc/PID/cmdline`, its NUL-separated arguments joined by single spaces.
    pub cmdline: Option<String>,
    /// Every group path of `/proc/PID/cgroup` (one per hierarchy, the `0::` v2 line included).
    pub cgroups: Vec<String>,
    /// The effective uid: the owner of the `/proc/PID` directory.
    pub uid: Option<u32>,
}

/// Which parts of an [`Identity`] to read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Wanted {
    pub exe: bool,
    pub cmdline: bool,
    pub cgroup: bool,
    pub uid: bool,
}

/// Reads the parts of `pid`'s [`Identity`] in `wanted`; a part that cannot be read (gone,
/// or denied) is `None` / empty: the selector that needs it simply does not match.
pub fn identity(proc_root: &Path, pid: i32, wanted: Wanted, buf: &mut Vec<u8>) -> Identity {
    let dir = proc_root.join(pid.to_string());
    let mut id = Identity::default();
    if wanted.exe {
        id.exe_name = std::fs::read_link(dir.join("exe")).ok().and_then(|p| {
            // A replaced executable reads as "/path/name (deleted)".
            let name = p.file_name()?.to_string_lossy().into_owned();
            Some(name.strip_suffix(" (deleted)").unwrap_or(&name).to_string())
        });
    }
    if wanted.cmdline && matches!(read_into(&dir.join("cmdline"), buf), Ok(true)) {
        let text: Vec<String> = buf
            .split(|&b| b == 0)
            .filter(|a| !a.is_empty())
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        id.cmdline = Some(text.join(" "));
    }
    if wanted.cgroup && matches!(read_into(&dir.join("cgroup"), buf), Ok(true)) {
        // "ID:CONTROLLERS:PATH" per line.
        id.cgroups = String::from_utf8_lossy(buf)
            .lines()
            .filter_map(|l| l.splitn(3, ':').nth(2).map(str::to_string))
            .collect();
    }
    if wanted.uid {
        id.uid = uid_of(&dir);
    }
    id
}

fn uid_of(dir: &Path) -> Option<u32> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(dir).ok().map(|m| m.uid())
}

/// The pids under `proc_root` (its numeric entries), unsorted.
pub fn pids(proc_root: &Path) -> io::Result<Vec<i32>> {
    let mut out = Vec::with_capacity(512);
    for entry in std::fs::read_dir(proc_root)? {
        let entry = entry?;
        if let Some(pid) = entry.file_name().to_str().and_then(|s| s.parse().ok()) {
            out.push(pid);
        }
    }
    Ok(out)
}

/// The pid in a pidfile (its first line, a decimal number); `None` when the file is absent
/// or holds something else.
pub fn read_pidfile(path: &Path) -> Option<i32> {
    let text = std::fs::read_to_string(path).ok()?;
    text.lines().next()?.trim().parse().ok().filter(|&p| p > 0)
}

/// Clock ticks per second, the unit of `utime`, `stime` and `starttime` (`_SC_CLK_TCK`; 100
/// on every Linux architecture, but read, not assumed).
pub fn clock_ticks_per_second() -> u64 {
    rustix::param::clock_ticks_per_second()
}

/// The default `/proc`.
pub fn default_proc_root() -> PathBuf {
    PathBuf::from("/proc")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stat_line(comm: &str, flags: u64) -> String {
        // Fields 3..=22 with ppid 7, utime 11, stime 4, 3 threads, start 555.
        let mut f: Vec<String> = (3..=52).map(|i| i.to_string()).collect();
        f[0] = "S".into();
        f[4 - 3] = "7".into();
        f[9 - 3] = flags.to_string();
        f[14 - 3] = "11".into();
        f[15 - 3] = "4".into();
        f[20 - 3] = "3".into();
        f[22 - 3] = "555".into();
        format!("42 ({comm}) {}\n", f.join(" "))
    }

    #[test]
    fn stat_fields() {
        let s = parse_stat(stat_line("a) b", 0).as_bytes()).unwrap();
        assert_eq!(
            s,
            Stat {
                comm: "a) b".into(),
                ppid: 7,
                kernel_thread: false,
                cpu_ticks: 15,
                threads: 3,
                start_time: 555
            }
        );
        assert!(
            parse_stat(stat_line("kworker/0:1", PF_KTHREAD).as_bytes())
                .unwrap()
                .kernel_thread
        );
        assert_eq!(parse_stat(b"42 (x) S 1 2"), None);
        assert_eq!(parse_stat(b"garbage"), None);
    }

    #[test]
    fn last_pid_of_loadavg() {
        assert_eq!(parse_last_pid(b"0.20 0.18 0.12 1/80 11206\n"), Some(11206));
        assert_eq!(parse_last_pid(b"0.20 0.18"), None);
        let mut files = StatFiles::new(&default_proc_root()).unwrap();
        let mut buf = Vec::new();
        let before = files.last_pid(&mut buf).unwrap();
        let mut child = std::process::Command::new("true").spawn().unwrap();
        child.wait().unwrap();
        assert_ne!(
            files.last_pid(&mut buf),
            Some(before),
            "a new pid was handed out"
        );
    }

    #[test]
    fn schedstat_fields() {
        assert_eq!(
            parse_schedstat(b"123 456 7\n"),
            Some(SchedStat {
                run_ns: 123,
                wait_ns: 456,
                slices: 7
            })
        );
        assert_eq!(parse_schedstat(b"1 x"), None);
    }

    #[test]
    fn own_process() {
        let root = default_proc_root();
        let me = std::process::id() as i32;
        let mut buf = Vec::new();
        let s = stat(&root, me, &mut buf).unwrap().unwrap();
        assert!(s.threads >= 1);
        assert!(!s.kernel_thread);
        assert_eq!(stat(&root, i32::MAX, &mut buf).unwrap(), None);
        let id = identity(
            &root,
            me,
            Wanted {
                exe: true,
                cmdline: true,
                cgroup: true,
                uid: true,
            },
            &mut buf,
        );
        assert!(id.exe_name.is_some());
        assert!(id.cmdline.is_some());
        assert!(!id.cgroups.is_empty());
        assert_eq!(id.uid, Some(rustix::process::geteuid().as_raw()));
        assert!(pids(&root).unwrap().contains(&me));
        assert!(clock_ticks_per_second() > 0);
    }

    #[test]
    fn a_kept_stat_reads_fresh_values_and_goes_with_its_process() {
        let mut files = StatFiles::new(&default_proc_root()).unwrap();
        let mut buf = Vec::new();
        let mut child = std::process::Command::new("sh")
            .args(["-c", "while :; do :; done"])
            .spawn()
            .unwrap();
        let pid = child.id() as i32;
        let (mut file, first, run) = files.first(pid, &mut buf).unwrap().unwrap();
        assert!(run.is_some(), "schedstat kept");
        std::thread::sleep(std::time::Duration::from_millis(200));
        let later = files.again(pid, &file, &mut buf).unwrap().unwrap();
        assert!(files.run_ns(&file, &mut buf).unwrap().unwrap() > run);
        assert!(later.cpu_ticks > first.cpu_ticks, "{first:?} {later:?}");
        assert_eq!(later.start_time, first.start_time);
        child.kill().unwrap();
        child.wait().unwrap();
        assert_eq!(files.again(pid, &file, &mut buf).unwrap(), None);
        assert_eq!(files.run_ns(&file, &mut buf).unwrap(), None);
        files.forget(&mut file);
        assert_eq!(files.open, 0);
        assert!(files.first(i32::MAX, &mut buf).unwrap().is_none());
    }
}
