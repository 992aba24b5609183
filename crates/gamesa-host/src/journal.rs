//! The actuation journal: every write to the machine is journaled (and fsynced) before it is
//! made, so it can be undone after the run, or after a crash by the next run or
//! `gamesa restore`.
//!
//! # Format
//! NDJSON, one [`Entry`] per line, each ending in `\n`:
//! `{"seq":1,"at_ms":…,"target":{"kind":"thread","pid":…,"tid":…,"start_time":…,"knob":"nice"},"prev":{"int":0},"new":{"int":5}}`.
//! `seq` counts from 1 within the file. See docs/actuation.md.
//!
//! # Durability and locking
//! An entry is written with one `write` of its whole line, then `fdatasync`, before the
//! change it describes is made. The file is locked (`flock(LOCK_EX | LOCK_NB)`) for as long
//! as a [`Journal`] is open: a second writer, or a restore while a governor runs, fails with
//! `JOURNAL_LOCKED`. The kernel drops the lock when the process dies, even by SIGKILL.
//! A last line without its newline (a crash in mid-append) is a torn tail: its write was
//! never made, so opening cuts it off and reports it in [`Journal::torn_tail`]. Any other
//! line that is not an entry is `JOURNAL_CORRUPT`.
//!
//! # Trust
//! A restore writes what the journal says, often as root. So a journal must be owned by the
//! user opening it and writable by no one else, and each entry may only name what the
//! actuators write: the cpufreq and RAPL files by name, cgroup knob files, directories and
//! memberships inside a mounted cgroup hierarchy, no `..`. Anything else is `JOURNAL_CORRUPT`.

use crate::actuate::types::{Target, Value};
use crate::error::{HostError, io};
use serde::{Deserialize, Serialize};
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// The journal's file name inside its directory.
pub const JOURNAL_FILE: &str = "actuation.journal";

/// One journaled write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub seq: u64,
    /// Wall-clock time of the entry, ms since the Unix epoch.
    pub at_ms: u64,
    pub target: Target,
    /// The value before the write: what a restore writes back.
    pub prev: Value,
    /// The value written.
    pub new: Value,
}

/// A torn last line, cut off when the journal was opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TornLine {
    /// 1-based line number.
    pub line: usize,
    /// Its bytes, lossily decoded.
    pub content: String,
}

/// An open, locked journal. See the module docs.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    file: File,
    entries: Vec<Entry>,
    torn_tail: Option<TornLine>,
}

/// What [`Journal::peek`] read.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JournalView {
    pub entries: Vec<Entry>,
    pub torn_tail: Option<TornLine>,
    /// Another process (a running governor, or a restore) holds the journal.
    pub locked: bool,
}

/// A journal's entries, and a torn last line with the byte offset it starts at.
type Parsed = (Vec<Entry>, Option<(usize, TornLine)>);

/// The entries of a journal's bytes, and a torn last line with the offset it starts at
/// ([`parse_entries`] with this machine's cgroup mounts); `JOURNAL_CORRUPT` at `path` for any
/// other line that is not an entry the actuators could write.
fn parse(path: &Path, bytes: &[u8]) -> Result<Parsed, HostError> {
    let parsed = parse_entries(bytes, &cgroup_mounts()).map_err(|(line, message)| {
        HostError::JournalCorrupt {
            path: path.to_path_buf(),
            line,
            message,
        }
    })?;
    Ok((parsed.entries, parsed.torn_tail.map(|t| (t.offset, t.line))))
}

/// The default journal directory: `/var/lib/gamesa` as root, otherwise
/// `$XDG_STATE_HOME/gamesa` (`$HOME/.local/state/gamesa` when that is unset).
pub fn default_journal_dir() -> PathBuf {
    if rustix::process::geteuid().is_root() {
        return PathBuf::from("/var/lib/gamesa");
    }
    match std::env::var_os("XDG_STATE_HOME") {
        Some(d) if !d.is_empty() => PathBuf::from(d).join("gamesa"),
        _ => PathBuf::from(std::env::var_os("HOME").unwrap_or_else(|| "/tmp".into()))
            .join(".local/state/gamesa"),
    }
}

/// [`default_journal_dir`] joined with [`JOURNAL_FILE`].
pub fn default_journal_path() -> PathBuf {
    default_journal_dir().join(JOURNAL_FILE)
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

impl Journal {
    /// Opens (creating it and its directory, mode 0700, if needed) and locks the journal at
    /// `path`, reads its entries and cuts off a torn last line.
    /// `JOURNAL_LOCKED` if another process holds it, `JOURNAL_CORRUPT` for a bad line.
    pub fn open(path: &Path) -> Result<Journal, HostError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
            && !dir.is_dir()
        {
            fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)
                .map_err(io(dir, "creating"))?;
        }
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)
            .map_err(io(path, "opening"))?;
        if !crate::files::try_lock_exclusive(&file, path)? {
            return Err(HostError::JournalLocked {
                path: path.to_path_buf(),
            });
        }
        check_owner(path, &file)?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(io(path, "reading"))?;
        let (entries, torn) = parse(path, &bytes)?;
        let torn_tail = match torn {
            Some((start, torn)) => {
                file.set_len(start as u64)
                    .map_err(io(path, "cutting the torn line off"))?;
                file.sync_data().map_err(io(path, "syncing"))?;
                Some(torn)
            }
            None => None,
        };
        Ok(Journal {
            path: path.to_path_buf(),
            file,
            entries,
            torn_tail,
        })
    }

    /// Reads the journal at `path` without changing it (for `gamesa status`): its entries, a
    /// torn last line (left in place), and whether another process holds its lock (a running
    /// governor). A journal that does not exist reads as empty.
    pub fn peek(path: &Path) -> Result<JournalView, HostError> {
        let file = match File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(JournalView::default());
            }
            Err(e) => return Err(io(path, "opening")(e)),
        };
        // Taking the lock for a moment says whether someone holds it; dropping the file
        // releases it.
        let locked = !crate::files::try_lock_exclusive(&file, path)?;
        let mut bytes = Vec::new();
        (&file)
            .read_to_end(&mut bytes)
            .map_err(io(path, "reading"))?;
        let (entries, torn) = parse(path, &bytes)?;
        Ok(JournalView {
            entries,
            torn_tail: torn.map(|(_, t)| t),
            locked,
        })
    }

    /// Where the journal is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The entries, oldest first.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The torn last line cut off at opening, if there was one.
    pub fn torn_tail(&self) -> Option<&TornLine> {
        self.torn_tail.as_ref()
    }

    /// Appends an entry and `fdatasync`s it; returns once it is on disk.
    pub fn append(&mut self, target: Target, prev: Value, new: Value) -> Result<&Entry, HostError> {
        let entry = Entry {
            seq: self.entries.last().map_or(1, |e| e.seq + 1),
            at_ms: now_ms(),
            target,
            prev,
            new,
        };
        let mut line = serde_json::to_vec(&entry).expect("entries serialize");
        line.push(b'\n');
        self.file
            .write_all(&line)
            .map_err(io(&self.path, "appending to"))?;
        self.file.sync_data().map_err(io(&self.path, "syncing"))?;
        self.entries.push(entry);
        Ok(self.entries.last().expect("just pushed"))
    }

    /// Replaces the file's content with `keep` (entries a restore could not undo) and syncs it;
    /// an empty `keep` empties the file. The lock is kept.
    pub(crate) fn rewrite(&mut self, keep: Vec<Entry>) -> Result<(), HostError> {
        self.file.set_len(0).map_err(io(&self.path, "truncating"))?;
        let mut text = Vec::new();
        for e in &keep {
            text.extend(serde_json::to_vec(e).expect("entries serialize"));
            text.push(b'\n');
        }
        self.file
            .write_all(&text)
            .map_err(io(&self.path, "rewriting"))?;
        self.file.sync_data().map_err(io(&self.path, "syncing"))?;
        self.entries = keep;
        Ok(())
    }
}

/// A journal's bytes read: its entries and, when the last line has no newline, that torn line
/// with the offset where it starts (where opening cuts the file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedJournal {
    pub entries: Vec<Entry>,
    pub torn_tail: Option<TornAt>,
}

/// A torn last line and the byte offset where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TornAt {
    pub line: TornLine,
    pub offset: usize,
}

/// Reads a journal's bytes (see the module docs): entries, one per line, blank lines skipped,
/// and a last line without its newline as a torn tail. A line that is not an entry, or names a
/// target outside what the actuators write (`cgroup_mounts`: where cgroup hierarchies are
/// mounted), is `Err((line number, message))`. Pure: no I/O, so it is fuzzed as it is.
pub fn parse_entries(
    bytes: &[u8],
    cgroup_mounts: &[PathBuf],
) -> Result<ParsedJournal, (usize, String)> {
    let mut entries = Vec::new();
    let mut start = 0;
    let mut line_no = 0;
    while start < bytes.len() {
        line_no += 1;
        let Some(nl) = bytes[start..].iter().position(|&b| b == b'\n') else {
            return Ok(ParsedJournal {
                entries,
                torn_tail: Some(TornAt {
                    line: TornLine {
                        line: line_no,
                        content: String::from_utf8_lossy(&bytes[start..]).into_owned(),
                    },
                    offset: start,
                }),
            });
        };
        let line = &bytes[start..start + nl];
        start += nl + 1;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let entry: Entry = serde_json::from_slice(line).map_err(|e| (line_no, e.to_string()))?;
        check_target(&entry.target, cgroup_mounts).map_err(|m| (line_no, m))?;
        entries.push(entry);
    }
    Ok(ParsedJournal {
        entries,
        torn_tail: None,
    })
}

/// A journal is trusted only if the user running the governor or restore owns it and no one
/// else may write it: a restore writes what it says (`JOURNAL_CORRUPT` otherwise).
fn check_owner(path: &Path, file: &File) -> Result<(), HostError> {
    use std::os::unix::fs::MetadataExt;
    let meta = file
        .metadata()
        .map_err(io(path, "reading the metadata of"))?;
    let euid = rustix::process::geteuid().as_raw();
    if meta.uid() != euid || meta.mode() & 0o022 != 0 {
        return Err(HostError::JournalCorrupt {
            path: path.to_path_buf(),
            line: 0,
            message: format!(
                "not trusted: owned by uid {} with mode {:o}; it must be owned by uid {euid} and writable by no one else",
                meta.uid(),
                meta.mode() & 0o7777
            ),
        });
    }
    Ok(())
}

/// Where cgroup hierarchies (v1 and v2) are mounted (`/proc/self/mountinfo`, field 5 of each
/// `cgroup`/`cgroup2` line).
fn cgroup_mounts() -> Vec<PathBuf> {
    let info = fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
    info.lines()
        .filter_map(|l| {
            let (pre, post) = l.split_once(" - ")?;
            let fstype = post.split(' ').next()?;
            let mount = pre.split(' ').nth(4)?;
            (fstype == "cgroup" || fstype == "cgroup2")
                .then(|| PathBuf::from(crate::actuate::cgroup::unescape_mount(mount)))
        })
        .collect()
}

/// The files an entry may name: what the actuators write, nothing else, so that a journal
/// cannot make a restore (often run as root) write an arbitrary file.
const SYSFS_FILES: [&str; 4] = [
    "scaling_max_freq",
    "energy_performance_preference",
    "scaling_governor",
    "constraint_0_power_limit_uw",
];
const CGROUP_FILES: [&str; 9] = [
    "cpu.weight",
    "cpu.shares",
    "cpu.max",
    "cpu.cfs_period_us",
    "cpu.cfs_quota_us",
    "cpu.idle",
    "cpuset.cpus",
    "memory.high",
    "io.weight",
];

/// Checks that a target names only what an actuator writes: sysfs files by their names, cgroup
/// files, directories and memberships inside a mounted cgroup hierarchy, no `..` anywhere.
fn check_target(target: &Target, cgroup_mounts: &[PathBuf]) -> Result<(), String> {
    use std::path::Component;
    let plain =
        |p: &Path| p.is_absolute() && p.components().all(|c| !matches!(c, Component::ParentDir));
    let in_cgroup = |p: &Path| plain(p) && cgroup_mounts.iter().any(|m| p.starts_with(m) && p != m);
    let named = |p: &Path, names: &[&str]| {
        p.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| names.contains(&n))
    };
    let ok = match target {
        Target::Sysfs { path } => plain(path) && named(path, &SYSFS_FILES),
        Target::CgroupFile { path } => in_cgroup(path) && named(path, &CGROUP_FILES),
        Target::CgroupDir { path } => in_cgroup(path),
        Target::CgroupMembership { mount, .. } => cgroup_mounts.contains(mount),
        Target::Thread { .. } | Target::Process { .. } | Target::Gpu { .. } => true,
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "the target is not one the actuators write: {target:?}"
        ))
    }
}

impl Drop for Journal {
    /// Unlocks explicitly: a child forked meanwhile (before its exec closes the descriptor)
    /// shares the open file and would otherwise keep the lock a moment longer.
    fn drop(&mut self) {
        let _ = rustix::fs::flock(&self.file, rustix::fs::FlockOperation::Unlock);
    }
}
