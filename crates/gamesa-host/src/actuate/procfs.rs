//! Process identity and thread lists from `/proc`.

use std::fs;
use std::io;
use std::path::Path;

/// The start time of a process or thread: field 22 of `stat` (`/proc/PID/stat` or
/// `/proc/PID/task/TID/stat`), in clock ticks since boot. `None` when the file is absent
/// (the process or thread exited).
pub(crate) fn start_time(stat_path: &Path) -> io::Result<Option<u64>> {
    let text = match fs::read_to_string(stat_path) {
        Ok(t) => t,
        Err(e) if gone(&e) => return Ok(None),
        Err(e) => return Err(e),
    };
    // The command name (field 2) is in parentheses and may hold spaces or ')': fields are
    // counted after its last ')'. Field 3 is the first one there, so field 22 is the 20th.
    let rest = text
        .rfind(')')
        .map(|i| &text[i + 1..])
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "stat without ')'"))?;
    rest.split_whitespace()
        .nth(19)
        .and_then(|f| f.parse().ok())
        .map(Some)
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "stat without field 22"))
}

/// Whether an error reading `/proc` means the process is gone.
pub(crate) fn gone(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::NotFound || e.raw_os_error() == Some(libc::ESRCH)
}

/// Start time of process `pid` (`/proc/PID/stat`, field 22, clock ticks).
pub fn process_start_time(pid: i32) -> io::Result<Option<u64>> {
    start_time(Path::new(&format!("/proc/{pid}/stat")))
}

/// Start time of thread `tid` of `pid` (`/proc/PID/task/TID/stat`, field 22, clock ticks).
pub fn thread_start_time(pid: i32, tid: i32) -> io::Result<Option<u64>> {
    start_time(Path::new(&format!("/proc/{pid}/task/{tid}/stat")))
}

/// The threads of `pid` with their start times (`/proc/PID/task/*/stat`), sorted by tid.
/// `None` when the process does not exist. Threads that exit while being listed are left out.
pub fn threads(pid: i32) -> io::Result<Option<Vec<(i32, u64)>>> {
    if pid <= 0 {
        return Ok(None);
    }
    let dir = match fs::read_dir(format!("/proc/{pid}/task")) {
        Ok(d) => d,
        Err(e) if gone(&e) => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut out = Vec::new();
    for entry in dir {
        let entry = match entry {
            Ok(e) => e,
            Err(e) if gone(&e) => continue,
            Err(e) => return Err(e),
        };
        let Some(tid) = entry.file_name().to_str().and_then(|s| s.parse().ok()) else {
            continue;
        };
        if let Some(st) = thread_start_time(pid, tid)? {
            out.push((tid, st));
        }
    }
    out.sort_unstable();
    Ok(Some(out))
}

/// The group of `pid` in the hierarchy holding `controller` (`""`: the cgroup v2 line `0::`),
/// from `/proc/PID/cgroup`. `None` when the process is gone or has no such line.
pub(crate) fn cgroup_of(pid: i32, controller: &str) -> io::Result<Option<String>> {
    let text = match fs::read_to_string(format!("/proc/{pid}/cgroup")) {
        Ok(t) => t,
        Err(e) if gone(&e) => return Ok(None),
        Err(e) => return Err(e),
    };
    for line in text.lines() {
        let mut parts = line.splitn(3, ':');
        let (Some(id), Some(ctrls), Some(path)) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        let hit = if controller.is_empty() {
            id == "0" && ctrls.is_empty()
        } else {
            ctrls.split(',').any(|c| c == controller)
        };
        if hit {
            return Ok(Some(path.to_string()));
        }
    }
    Ok(None)
}

/// Whether `kernel.sched_autogroup_enabled` is on (`/proc/sys/kernel/sched_autogroup_enabled`,
/// `0` or `1`). With it, nice only orders threads within one session's autogroup; between
/// sessions the CPU is shared by autogroup, so cgroup weights are what works. Absent: `false`.
pub fn autogroup_enabled() -> bool {
    fs::read_to_string("/proc/sys/kernel/sched_autogroup_enabled")
        .map(|s| s.trim() == "1")
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_start_time_and_threads() {
        let pid = std::process::id() as i32;
        let st = process_start_time(pid).unwrap().unwrap();
        let threads = threads(pid).unwrap().unwrap();
        let main = threads.iter().find(|(t, _)| *t == pid).unwrap();
        assert_eq!(main.1, st);
        assert_eq!(process_start_time(i32::MAX).unwrap(), None);
        assert_eq!(super::threads(i32::MAX).unwrap(), None);
    }

    #[test]
    fn stat_with_parenthesis_in_the_name() {
        let dir = std::env::temp_dir().join(format!("gamesa-stat-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let p = dir.join("stat");
        let fields: Vec<String> = (3..=52).map(|i| i.to_string()).collect();
        fs::write(&p, format!("12 (a) b) {}", fields.join(" "))).unwrap();
        assert_eq!(start_time(&p).unwrap(), Some(22));
        fs::remove_dir_all(&dir).unwrap();
    }
}
