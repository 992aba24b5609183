//! Where each cgroup controller lives on this machine (v2 or v1), and the files a
//! [`GroupKnob`] becomes there.
//!
//! Detection reads `/proc/self/mountinfo` and, for the cgroup2 mount, its
//! `cgroup.controllers`. A controller is used through cgroup v2 when the v2 root offers it;
//! otherwise through the v1 hierarchy that has it mounted; otherwise it is unsupported. A
//! machine can mix both (v1 `cpu` and `cpuset` beside a cgroup2 hierarchy without
//! controllers), so this is decided per controller, never assumed.

use super::types::GroupKnob;
use crate::error::HostError;
use serde::Serialize;
use std::fs;
use std::path::{Path, PathBuf};

/// The controllers the actuators use.
pub const CONTROLLERS: [&str; 4] = ["cpu", "cpuset", "memory", "io"];

/// A file of a group (its name) and the content to write to it.
pub type KnobFile = (&'static str, String);

/// One controller's hierarchy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hierarchy {
    /// The controller (`cpu`, `cpuset`, `memory`, `io`).
    pub controller: String,
    /// Where the hierarchy is mounted.
    pub mount: PathBuf,
    /// 2 for the unified hierarchy, 1 for a v1 hierarchy.
    pub version: u8,
}

impl Hierarchy {
    /// The controller as `/proc/PID/cgroup` names the hierarchy: `""` for v2.
    pub fn proc_key(&self) -> &str {
        if self.version == 2 {
            ""
        } else {
            &self.controller
        }
    }
}

/// The cgroup controllers of this machine. See the module docs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CgroupLayout {
    /// Each usable controller, in [`CONTROLLERS`] order.
    pub hierarchies: Vec<Hierarchy>,
}

impl CgroupLayout {
    /// Reads `/proc/self/mountinfo` (and `<cgroup2 mount>/cgroup.controllers`, a
    /// space-separated list of controller names).
    pub fn detect() -> CgroupLayout {
        let mountinfo = fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
        CgroupLayout::from_mountinfo(&mountinfo, |mount| {
            fs::read_to_string(mount.join("cgroup.controllers")).unwrap_or_default()
        })
    }

    /// Detection from a mountinfo text; `v2_controllers` reads a cgroup2 mount's
    /// `cgroup.controllers`.
    pub fn from_mountinfo(
        mountinfo: &str,
        v2_controllers: impl Fn(&Path) -> String,
    ) -> CgroupLayout {
        let mut v2: Option<(PathBuf, Vec<String>)> = None;
        let mut v1: Vec<(PathBuf, Vec<String>)> = Vec::new();
        for line in mountinfo.lines() {
            let Some((pre, post)) = line.split_once(" - ") else {
                continue;
            };
            let Some(mount) = pre.split(' ').nth(4) else {
                continue;
            };
            let mut post = post.split(' ');
            let fstype = post.next().unwrap_or("");
            let _source = post.next();
            let options = post.next().unwrap_or("");
            let mount = PathBuf::from(unescape_mount(mount));
            if fstype == "cgroup2" && v2.is_none() {
                let ctrls = v2_controllers(&mount)
                    .split_whitespace()
                    .map(str::to_string)
                    .collect();
                v2 = Some((mount, ctrls));
            } else if fstype == "cgroup" && !options.split(',').any(|o| o == "ro") {
                v1.push((mount, options.split(',').map(str::to_string).collect()));
            }
        }
        let mut hierarchies = Vec::new();
        for controller in CONTROLLERS {
            if let Some((mount, ctrls)) = &v2
                && ctrls.iter().any(|c| c == controller)
            {
                hierarchies.push(Hierarchy {
                    controller: controller.to_string(),
                    mount: mount.clone(),
                    version: 2,
                });
                continue;
            }
            // memory.high and io.weight have no v1 equivalent the actuators write (v1 calls the
            // io controller blkio), so those controllers are used through v2 only.
            if controller == "io" || controller == "memory" {
                continue;
            }
            if let Some((mount, _)) = v1.iter().find(|(_, o)| o.iter().any(|c| c == controller)) {
                hierarchies.push(Hierarchy {
                    controller: controller.to_string(),
                    mount: mount.clone(),
                    version: 1,
                });
            }
        }
        CgroupLayout { hierarchies }
    }

    /// The hierarchy of `controller`, if usable here.
    pub fn hierarchy(&self, controller: &str) -> Option<&Hierarchy> {
        self.hierarchies.iter().find(|h| h.controller == controller)
    }

    /// The distinct hierarchies (one per mount) a governor group is created in.
    pub fn group_hierarchies(&self) -> Vec<&Hierarchy> {
        let mut out: Vec<&Hierarchy> = Vec::new();
        for h in &self.hierarchies {
            if !out.iter().any(|o| o.mount == h.mount) {
                out.push(h);
            }
        }
        out
    }

    /// The files (name, content, in writing order) a knob becomes, and the hierarchy holding
    /// them. `ACTUATION_UNSUPPORTED` when its controller is absent or has no v1 equivalent.
    pub fn knob_files(&self, knob: &GroupKnob) -> Result<(&Hierarchy, Vec<KnobFile>), HostError> {
        let controller = match knob {
            GroupKnob::CpuWeight(_) | GroupKnob::CpuMax { .. } | GroupKnob::CpuIdle(_) => "cpu",
            GroupKnob::CpusetCpus(_) => "cpuset",
            GroupKnob::MemoryHigh(_) => "memory",
            GroupKnob::IoWeight(_) => "io",
        };
        let h = self
            .hierarchy(controller)
            .ok_or_else(|| HostError::Unsupported {
                what: format!("cgroup controller {controller} is not mounted writable"),
            })?;
        let v2 = h.version == 2;
        let invalid = |message: String| HostError::InvalidChange { message };
        let files = match knob {
            GroupKnob::CpuWeight(w) => {
                if !(1..=10_000).contains(w) {
                    return Err(invalid(format!("cpu weight {w} is outside 1..=10000")));
                }
                if v2 {
                    vec![("cpu.weight", w.to_string())]
                } else {
                    vec![("cpu.shares", (w * 1024 / 100).clamp(2, 262_144).to_string())]
                }
            }
            GroupKnob::CpuMax {
                quota_us,
                period_us,
            } => {
                if !(1_000..=1_000_000).contains(period_us) {
                    return Err(invalid(format!(
                        "cpu period {period_us} µs is outside 1000..=1000000"
                    )));
                }
                if v2 {
                    let q = quota_us.map_or("max".to_string(), |q| q.to_string());
                    vec![("cpu.max", format!("{q} {period_us}"))]
                } else {
                    let q = quota_us.map_or("-1".to_string(), |q| q.to_string());
                    vec![
                        ("cpu.cfs_period_us", period_us.to_string()),
                        ("cpu.cfs_quota_us", q),
                    ]
                }
            }
            GroupKnob::CpuIdle(on) => vec![("cpu.idle", u8::from(*on).to_string())],
            GroupKnob::CpusetCpus(cpus) => {
                if cpus.is_empty() {
                    return Err(invalid("an empty cpuset".to_string()));
                }
                vec![("cpuset.cpus", cpu_list(cpus))]
            }
            GroupKnob::MemoryHigh(bytes) if v2 => vec![(
                "memory.high",
                bytes.map_or("max".to_string(), |b| b.to_string()),
            )],
            GroupKnob::IoWeight(w) if v2 => {
                if !(1..=10_000).contains(w) {
                    return Err(invalid(format!("io weight {w} is outside 1..=10000")));
                }
                vec![("io.weight", format!("default {w}"))]
            }
            GroupKnob::MemoryHigh(_) | GroupKnob::IoWeight(_) => {
                return Err(HostError::Unsupported {
                    what: format!("{controller} knob on cgroup v1"),
                });
            }
        };
        Ok((h, files))
    }
}

/// Octal escapes (`\040` for a space) of mountinfo paths.
pub(crate) fn unescape_mount(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\'
            && i + 3 < b.len()
            && b[i + 1..i + 4].iter().all(|c| (b'0'..=b'7').contains(c))
        {
            out.push((b[i + 1] - b'0') * 64 + (b[i + 2] - b'0') * 8 + (b[i + 3] - b'0'));
            i += 4;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// CPUs in the kernel's list form: sorted, runs of two or more as `a-b` (`0-2,5`).
pub fn cpu_list(cpus: &[usize]) -> String {
    let mut v = cpus.to_vec();
    v.sort_unstable();
    v.dedup();
    let mut parts = Vec::new();
    let mut i = 0;
    while i < v.len() {
        let mut j = i;
        while j + 1 < v.len() && v[j + 1] == v[j] + 1 {
            j += 1;
        }
        parts.push(if j > i {
            format!("{}-{}", v[i], v[j])
        } else {
            v[i].to_string()
        });
        i = j + 1;
    }
    parts.join(",")
}

/// The nice-to-weight table of the kernel's CFS (`sched_prio_to_weight`), nice -20..=19.
const PRIO_TO_WEIGHT: [u64; 40] = [
    88761, 71755, 56483, 46273, 36291, 29154, 23254, 18705, 14949, 11916, 9548, 7620, 6100, 4904,
    3906, 3121, 2501, 1991, 1586, 1277, 1024, 820, 655, 526, 423, 335, 272, 215, 172, 137, 110, 87,
    70, 56, 45, 36, 29, 23, 18, 15,
];

/// The cgroup v2 `cpu.weight` that gives a group the CPU share a thread of this nice value
/// would get (nice 0 → 100, nice 19 → 1, nice -20 → 8668), for machines where nice does not
/// work between sessions (autogroup).
pub fn nice_to_cpu_weight(nice: i32) -> u64 {
    let w = PRIO_TO_WEIGHT[(nice.clamp(-20, 19) + 20) as usize];
    (w * 100 / 1024).clamp(1, 10_000)
}

#[cfg(test)]
mod tests {
    use super::*;
    use gamesa_core::ErrorCode;

    const MIXED: &str = "\
31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
";

    #[test]
    fn mixed_v1_and_empty_v2() {
        let l = CgroupLayout::from_mountinfo(MIXED, |_| String::new());
        let names: Vec<_> = l
            .hierarchies
            .iter()
            .map(|h| (h.controller.as_str(), h.version))
            .collect();
        assert_eq!(names, [("cpu", 1), ("cpuset", 1)]);
        let (h, files) = l.knob_files(&GroupKnob::CpuWeight(50)).unwrap();
        assert_eq!(h.mount, Path::new("/sys/fs/cgroup/cpu"));
        assert_eq!(files, [("cpu.shares", "512".to_string())]);
        assert_eq!(
            l.knob_files(&GroupKnob::IoWeight(50))
                .unwrap_err()
                .to_string(),
            "actuation unsupported here: cgroup controller io is not mounted writable"
        );
        assert_eq!(
            l.knob_files(&GroupKnob::MemoryHigh(None))
                .unwrap_err()
                .code(),
            "ACTUATION_UNSUPPORTED"
        );
        let (_, files) = l
            .knob_files(&GroupKnob::CpuMax {
                quota_us: None,
                period_us: 100_000,
            })
            .unwrap();
        assert_eq!(
            files,
            [
                ("cpu.cfs_period_us", "100000".to_string()),
                ("cpu.cfs_quota_us", "-1".to_string())
            ]
        );
    }

    #[test]
    fn pure_v2() {
        let info = "30 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate\n";
        let l = CgroupLayout::from_mountinfo(info, |_| "cpuset cpu io memory pids".into());
        assert_eq!(l.hierarchies.len(), 4);
        assert_eq!(l.group_hierarchies().len(), 1);
        let (_, files) = l.knob_files(&GroupKnob::IoWeight(300)).unwrap();
        assert_eq!(files, [("io.weight", "default 300".to_string())]);
        let (_, files) = l
            .knob_files(&GroupKnob::CpuMax {
                quota_us: Some(50_000),
                period_us: 100_000,
            })
            .unwrap();
        assert_eq!(files, [("cpu.max", "50000 100000".to_string())]);
        assert_eq!(l.hierarchy("cpu").unwrap().proc_key(), "");
    }

    #[test]
    fn lists_and_weights() {
        assert_eq!(cpu_list(&[5, 0, 1, 2, 7, 8]), "0-2,5,7-8");
        assert_eq!(cpu_list(&[3]), "3");
        assert_eq!(nice_to_cpu_weight(0), 100);
        assert_eq!(nice_to_cpu_weight(19), 1);
        assert_eq!(nice_to_cpu_weight(-20), 8668);
        assert_eq!(unescape_mount("/a\\040b"), "/a b");
    }
}
