//! Resource use of one control group, cgroup v2 or v1 — detected, not assumed.
//!
//! cgroup v2 (`/sys/fs/cgroup/<path>/`): `cpu.stat` `usage_usec` (µs of CPU, cumulative),
//! `memory.current` (bytes), `memory.max` (bytes, or `max` = unlimited), `cpu.pressure` (PSI,
//! `some avg10` in %).
//! cgroup v1 (`/sys/fs/cgroup/<controller>/<path>/`): `cpuacct.usage` (ns, cumulative),
//! `memory.usage_in_bytes` (bytes), `memory.limit_in_bytes` (bytes; a value near 2^63 means
//! unlimited). On a hybrid host (v1 controllers plus `/sys/fs/cgroup/unified`) the PSI file is
//! taken from the unified hierarchy.
//!
//! The group is the calling process's (from `/proc/self/cgroup`) or a path given by the caller.

use std::path::Path;

use crate::error::ReadError;
use crate::parse::{num, single};
use crate::root::SysRoot;

/// The kernel file naming the calling process's groups.
pub const PROC_SELF_CGROUP: &str = "/proc/self/cgroup";
/// Where cgroup hierarchies are mounted.
pub const CGROUP_MOUNT: &str = "/sys/fs/cgroup";

/// v1 memory limits at or above this are "no limit" (the kernel reports PAGE_COUNTER_MAX
/// rounded to pages, 0x7FFFFFFFFFFFF000 on x86-64).
const V1_UNLIMITED: u64 = 1 << 62;

/// Which group to read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum CgroupTarget {
    /// The group of the calling process, from `/proc/self/cgroup`.
    #[default]
    OwnProcess,
    /// A group path relative to the hierarchy root, such as `/system.slice/foo.service`.
    Path(String),
}

/// Where the group's files are, as kernel paths (to be resolved under a [`SysRoot`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CgroupLayout {
    /// Unified hierarchy: every file in one directory.
    V2 { dir: String },
    /// Legacy hierarchies: one directory per controller (`None` when not mounted), plus the
    /// unified directory on hybrid hosts (for PSI).
    V1 {
        cpuacct: Option<String>,
        memory: Option<String>,
        unified: Option<String>,
    },
}

impl CgroupLayout {
    /// "v2" or "v1".
    pub fn version(&self) -> &'static str {
        match self {
            CgroupLayout::V2 { .. } => "v2",
            CgroupLayout::V1 { .. } => "v1",
        }
    }
}

/// One reading of the group. Each field fails on its own: a container may show some files and
/// hide others.
#[derive(Debug, Clone, PartialEq)]
pub struct CgroupReading {
    /// Cumulative CPU time in nanoseconds.
    pub cpu_usage_ns: Result<u64, ReadError>,
    /// Memory in use, bytes.
    pub memory_bytes: Result<u64, ReadError>,
    /// Memory limit in bytes; `None` = unlimited.
    pub memory_limit_bytes: Result<Option<u64>, ReadError>,
    /// PSI `some avg10` for CPU, %; unavailable on pure v1 hosts.
    pub cpu_psi_some_avg10: Result<f64, ReadError>,
}

/// Finds the group's directories. For [`CgroupTarget::OwnProcess`] the layout follows
/// `/proc/self/cgroup`: only a `0::<path>` line means pure v2; named controllers mean v1.
/// For an explicit path, v2 is assumed when `/sys/fs/cgroup/cgroup.controllers` exists.
pub fn detect_layout(root: &SysRoot, target: &CgroupTarget) -> Result<CgroupLayout, ReadError> {
    let mounts = root.list(CGROUP_MOUNT)?;
    let unified_mount = if mounts.iter().any(|m| m == "cgroup.controllers") {
        Some(CGROUP_MOUNT.to_string())
    } else if mounts.iter().any(|m| m == "unified") {
        Some(format!("{CGROUP_MOUNT}/unified"))
    } else {
        None
    };
    let v1_dir = |controller: &str| {
        mounts
            .iter()
            .find(|m| m.split(',').any(|c| c == controller))
            .map(|m| format!("{CGROUP_MOUNT}/{m}"))
    };
    let join = |base: &str, path: &str| {
        let path = path.trim_matches('/');
        if path.is_empty() {
            base.to_string()
        } else {
            format!("{base}/{path}")
        }
    };
    match target {
        CgroupTarget::Path(path) => {
            if mounts.iter().any(|m| m == "cgroup.controllers") {
                Ok(CgroupLayout::V2 {
                    dir: join(CGROUP_MOUNT, path),
                })
            } else {
                Ok(CgroupLayout::V1 {
                    cpuacct: v1_dir("cpuacct").map(|d| join(&d, path)),
                    memory: v1_dir("memory").map(|d| join(&d, path)),
                    unified: unified_mount.map(|d| join(&d, path)),
                })
            }
        }
        CgroupTarget::OwnProcess => {
            let (path, text) = root.read(PROC_SELF_CGROUP)?;
            let groups = parse_proc_cgroup(&path, &text)?;
            let unified_path = groups
                .iter()
                .find(|(h, c, _)| *h == 0 && c.is_empty())
                .map(|(_, _, p)| p.clone());
            let has_v1 = groups.iter().any(|(_, c, _)| !c.is_empty());
            if !has_v1 {
                let group = unified_path.ok_or_else(|| {
                    ReadError::malformed(&path, 1, "neither a 0:: line nor v1 controllers")
                })?;
                let base = unified_mount.unwrap_or_else(|| CGROUP_MOUNT.to_string());
                return Ok(CgroupLayout::V2 {
                    dir: join(&base, &group),
                });
            }
            let v1_group = |controller: &str| {
                groups
                    .iter()
                    .find(|(_, c, _)| c.split(',').any(|x| x == controller))
                    .and_then(|(_, _, p)| v1_dir(controller).map(|d| join(&d, p)))
            };
            Ok(CgroupLayout::V1 {
                cpuacct: v1_group("cpuacct"),
                memory: v1_group("memory"),
                unified: unified_mount
                    .zip(unified_path)
                    .map(|(base, group)| join(&base, &group)),
            })
        }
    }
}

/// Parses `/proc/self/cgroup` lines `hierarchy-id:controllers:path`.
pub fn parse_proc_cgroup(path: &Path, text: &str) -> Result<Vec<(u32, String, String)>, ReadError> {
    let mut groups = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let mut parts = line.splitn(3, ':');
        let (Some(id), Some(controllers), Some(group)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(ReadError::malformed(
                path,
                index + 1,
                "expected `id:controllers:path`",
            ));
        };
        let id = num(path, index + 1, "hierarchy id", id)?;
        // `name=systemd` is a named hierarchy without controllers; it is neither v2 nor useful.
        let controllers = if controllers.starts_with("name=") {
            "name".to_string()
        } else {
            controllers.to_string()
        };
        groups.push((id, controllers, group.to_string()));
    }
    Ok(groups)
}

/// Reads the group's files according to `layout`.
pub fn read_cgroup(root: &SysRoot, layout: &CgroupLayout) -> CgroupReading {
    let not_mounted = |controller: &str| ReadError::Missing {
        path: root.path(&format!("{CGROUP_MOUNT}/{controller}")),
    };
    match layout {
        CgroupLayout::V2 { dir } => CgroupReading {
            cpu_usage_ns: read_cpu_stat_usage_ns(root, &format!("{dir}/cpu.stat")),
            memory_bytes: read_number(root, &format!("{dir}/memory.current")),
            memory_limit_bytes: read_v2_max(root, &format!("{dir}/memory.max")),
            cpu_psi_some_avg10: crate::psi::read_psi_some_avg10(
                root,
                &format!("{dir}/cpu.pressure"),
            ),
        },
        CgroupLayout::V1 {
            cpuacct,
            memory,
            unified,
        } => CgroupReading {
            cpu_usage_ns: match cpuacct {
                Some(dir) => read_number(root, &format!("{dir}/cpuacct.usage")),
                None => Err(not_mounted("cpuacct")),
            },
            memory_bytes: match memory {
                Some(dir) => read_number(root, &format!("{dir}/memory.usage_in_bytes")),
                None => Err(not_mounted("memory")),
            },
            memory_limit_bytes: match memory {
                Some(dir) => read_number(root, &format!("{dir}/memory.limit_in_bytes"))
                    .map(|limit| (limit < V1_UNLIMITED).then_some(limit)),
                None => Err(not_mounted("memory")),
            },
            cpu_psi_some_avg10: match unified {
                Some(dir) => crate::psi::read_psi_some_avg10(root, &format!("{dir}/cpu.pressure")),
                None => Err(not_mounted("unified")),
            },
        },
    }
}

fn read_number(root: &SysRoot, rel: &str) -> Result<u64, ReadError> {
    let (path, text) = root.read(rel)?;
    single(&path, &text, rel.rsplit('/').next().unwrap_or(rel))
}

/// `memory.max`: bytes, or `max` for no limit.
fn read_v2_max(root: &SysRoot, rel: &str) -> Result<Option<u64>, ReadError> {
    let (path, text) = root.read(rel)?;
    if text.trim() == "max" {
        return Ok(None);
    }
    single(&path, &text, "memory.max").map(Some)
}

/// `usage_usec` from a v2 `cpu.stat`, converted to ns.
fn read_cpu_stat_usage_ns(root: &SysRoot, rel: &str) -> Result<u64, ReadError> {
    let (path, text) = root.read(rel)?;
    for (index, line) in text.lines().enumerate() {
        if let Some(value) = line.strip_prefix("usage_usec ") {
            let usec: u64 = num(&path, index + 1, "usage_usec", value)?;
            return Ok(usec.saturating_mul(1000));
        }
    }
    Err(ReadError::malformed(&path, 1, "no usage_usec line"))
}
