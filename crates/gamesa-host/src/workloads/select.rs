//! Which processes form a workload: the configuration ([`WorkloadsConfig`]), compiled into
//! [`Selectors`], and the exclusion list of processes the governor never classifies.

use super::proc_read::{Identity, Wanted};
use crate::error::HostError;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// The `workloads` section of a configuration (and what `--protect` / `gamesa exec` build).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct WorkloadsConfig {
    /// The named workloads. At most one is the priority workload.
    #[serde(default)]
    pub workloads: Vec<WorkloadDef>,
    /// Names (`comm` or exe file name; a trailing `*` matches a prefix) never classified, on
    /// top of [`DEFAULT_EXCLUDE`].
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Leave [`DEFAULT_EXCLUDE`] out (kernel threads, pid 1 and the governor itself stay
    /// excluded regardless).
    #[serde(default)]
    pub no_default_exclude: bool,
}

/// One named workload: the processes any of its selectors match, their threads and (unless
/// `children` is false) their descendants, also those started later.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct WorkloadDef {
    /// Published as `wl.<name>.*`: letters, digits and `_`, not `background`.
    pub name: String,
    /// The priority workload, also published as `wl.priority.*` and the target `priority`.
    #[serde(default)]
    pub priority: bool,
    /// A process is a member when any selector matches it.
    pub select: Vec<Selector>,
    /// Descendants follow their parent (default true).
    #[serde(default = "yes")]
    pub children: bool,
}

impl WorkloadsConfig {
    /// Reads a configuration from JSON text (`INVALID_CONFIG` with line and column for text
    /// that is not one, or an unknown field); it is checked further by [`Selectors::compile`].
    pub fn from_json(text: &str) -> Result<WorkloadsConfig, HostError> {
        serde_json::from_str(text).map_err(|e| invalid(e.to_string()))
    }

    /// The priority workload `protected`, selecting processes by name (`comm` or exe file
    /// name): what `gamesa run --protect NAME...` uses.
    pub fn protect(names: &[String]) -> WorkloadsConfig {
        WorkloadsConfig {
            workloads: vec![WorkloadDef {
                name: "protected".into(),
                priority: true,
                select: vec![Selector {
                    name: names.to_vec(),
                    ..Selector::default()
                }],
                children: true,
            }],
            ..WorkloadsConfig::default()
        }
    }
}

fn yes() -> bool {
    true
}

/// One selector: every field given must match (an empty selector matches nothing).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Selector {
    /// Any of these names equals the process's `comm` (compared on its first 15 bytes, as
    /// the kernel truncates it) or its executable's file name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub name: Vec<String>,
    /// A regular expression (Rust `regex` syntax) found in the command line, arguments joined
    /// by spaces.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cmdline: Option<String>,
    /// The process's group (any hierarchy) is this path or below it (`/user.slice`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cgroup: Option<String>,
    /// The effective uid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<u32>,
    /// Exactly this pid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pid: Option<i32>,
    /// The pid written in this file, read again on every scan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pidfile: Option<PathBuf>,
}

/// Processes that are never background by name: systemd and its daemons (journald's `comm`
/// is `systemd-journal`), sshd, display servers and compositors, audio servers. Kernel
/// threads, pid 1 and the governor itself are excluded without a name.
pub const DEFAULT_EXCLUDE: &[&str] = &[
    "systemd",
    "systemd-*",
    "(sd-pam)",
    "init",
    "sshd",
    "sshd-session",
    "dbus-daemon",
    "dbus-broker",
    "Xorg",
    "X",
    "Xwayland",
    "gnome-shell",
    "mutter",
    "kwin_wayland",
    "kwin_x11",
    "sway",
    "weston",
    "Hyprland",
    "labwc",
    "wayfire",
    "cosmic-comp",
    "pipewire",
    "pipewire-pulse",
    "pulseaudio",
    "wireplumber",
    "jackd",
];

/// The kernel's `comm` limit: 16 bytes with the NUL.
const COMM_LEN: usize = 15;

fn comm_of(name: &str) -> &str {
    let mut end = name.len().min(COMM_LEN);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    &name[..end]
}

/// A name pattern of the exclusion list.
#[derive(Debug, Clone)]
enum NamePattern {
    Exact(String),
    Prefix(String),
}

impl NamePattern {
    fn new(s: &str) -> NamePattern {
        match s.strip_suffix('*') {
            Some(p) => NamePattern::Prefix(p.to_string()),
            None => NamePattern::Exact(s.to_string()),
        }
    }

    fn matches(&self, comm: &str) -> bool {
        match self {
            NamePattern::Exact(s) => comm == comm_of(s),
            NamePattern::Prefix(p) => comm.starts_with(comm_of(p)),
        }
    }
}

/// The exclusion list, compiled.
#[derive(Debug, Clone)]
pub struct Exclusion {
    names: Vec<NamePattern>,
}

impl Exclusion {
    /// Whether a process with this `comm` is excluded by name.
    pub fn by_name(&self, comm: &str) -> bool {
        self.names.iter().any(|p| p.matches(comm))
    }
}

/// One selector, compiled.
#[derive(Debug, Clone)]
struct Compiled {
    names: Vec<String>,
    cmdline: Option<regex::Regex>,
    cgroup: Option<String>,
    uid: Option<u32>,
    pid: Option<i32>,
    pidfile: Option<PathBuf>,
}

/// A workload with its selectors compiled.
#[derive(Debug, Clone)]
pub struct CompiledWorkload {
    pub name: String,
    pub priority: bool,
    pub children: bool,
    selectors: Vec<Compiled>,
}

/// What a process is matched against: its `comm` (always), the [`Identity`] parts the
/// selectors need, and the pid.
pub struct Candidate<'a> {
    pub pid: i32,
    pub comm: &'a str,
    pub identity: &'a Identity,
}

impl CompiledWorkload {
    /// A priority workload with no selector: its members are the processes registered from
    /// outside the configuration (GameMode clients), with their descendants.
    pub fn registered_only(name: &str) -> CompiledWorkload {
        CompiledWorkload {
            name: name.to_string(),
            priority: true,
            children: true,
            selectors: Vec::new(),
        }
    }

    /// Whether a selector of this workload matches the process itself (not its ancestors).
    /// `pidfile_pids` holds the pid read from each pidfile on this scan, in selector order.
    pub fn matches(&self, c: &Candidate<'_>, pidfile_pids: &[Option<i32>]) -> bool {
        self.selectors
            .iter()
            .zip(pidfile_pids)
            .any(|(s, from_file)| s.matches(c, *from_file))
    }

    /// The pidfiles of the selectors, in selector order (`None` for those without one).
    pub fn pidfiles(&self) -> impl Iterator<Item = Option<&std::path::Path>> {
        self.selectors.iter().map(|s| s.pidfile.as_deref())
    }
}

impl Compiled {
    fn matches(&self, c: &Candidate<'_>, from_file: Option<i32>) -> bool {
        let mut any = false;
        if !self.names.is_empty() {
            any = true;
            let hit = self.names.iter().any(|n| {
                comm_of(n) == c.comm || c.identity.exe_name.as_deref() == Some(n.as_str())
            });
            if !hit {
                return false;
            }
        }
        if let Some(re) = &self.cmdline {
            any = true;
            if !c
                .identity
                .cmdline
                .as_deref()
                .is_some_and(|t| re.is_match(t))
            {
                return false;
            }
        }
        if let Some(path) = &self.cgroup {
            any = true;
            let under = |g: &String| {
                g == path
                    || path == "/"
                    || g.strip_prefix(path.as_str())
                        .is_some_and(|r| r.starts_with('/'))
            };
            if !c.identity.cgroups.iter().any(under) {
                return false;
            }
        }
        if let Some(uid) = self.uid {
            any = true;
            if c.identity.uid != Some(uid) {
                return false;
            }
        }
        if let Some(pid) = self.pid {
            any = true;
            if c.pid != pid {
                return false;
            }
        }
        if self.pidfile.is_some() {
            any = true;
            if from_file != Some(c.pid) {
                return false;
            }
        }
        any
    }
}

/// Every workload and the exclusion list, compiled; see the module docs.
#[derive(Debug, Clone)]
pub struct Selectors {
    pub workloads: Vec<CompiledWorkload>,
    pub exclusion: Exclusion,
    /// The identity parts some selector needs.
    pub wanted: Wanted,
}

fn invalid(message: String) -> HostError {
    HostError::InvalidWorkloads { message }
}

impl Selectors {
    /// Checks and compiles a configuration: names, at most one priority workload, regular
    /// expressions, pids. Problems are `INVALID_CONFIG`, naming the workload.
    pub fn compile(config: &WorkloadsConfig) -> Result<Selectors, HostError> {
        let mut wanted = Wanted::default();
        let mut workloads = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (i, w) in config.workloads.iter().enumerate() {
            let at = format!("workloads[{i}]");
            let ok_name = !w.name.is_empty()
                && w.name.len() <= 64
                && w.name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_');
            if !ok_name {
                return Err(invalid(format!(
                    "{at}.name {:?}: letters, digits and '_' only (1 to 64)",
                    w.name
                )));
            }
            if w.name == "background" || (w.name == "priority" && !w.priority) {
                return Err(invalid(format!(
                    "{at}.name {:?} is reserved for the role of that name",
                    w.name
                )));
            }
            if !seen.insert(w.name.clone()) {
                return Err(invalid(format!("{at}.name {:?} is used twice", w.name)));
            }
            if w.select.is_empty() {
                return Err(invalid(format!(
                    "{at}.select is empty: it would match nothing"
                )));
            }
            let mut selectors = Vec::new();
            for (j, s) in w.select.iter().enumerate() {
                let at = format!("{at}.select[{j}]");
                let empty = s.name.is_empty()
                    && s.cmdline.is_none()
                    && s.cgroup.is_none()
                    && s.uid.is_none()
                    && s.pid.is_none()
                    && s.pidfile.is_none();
                if empty {
                    return Err(invalid(format!(
                        "{at} has no field: it would match nothing"
                    )));
                }
                if s.name.iter().any(|n| n.is_empty() || n.contains('/')) {
                    return Err(invalid(format!(
                        "{at}.name: a process or file name, not empty, without '/'"
                    )));
                }
                if let Some(p) = s.pid
                    && p <= 0
                {
                    return Err(invalid(format!("{at}.pid {p} is not a process id")));
                }
                if let Some(c) = &s.cgroup
                    && !c.starts_with('/')
                {
                    return Err(invalid(format!(
                        "{at}.cgroup {c:?}: a path as /proc/PID/cgroup shows it, from '/'"
                    )));
                }
                let cmdline = match &s.cmdline {
                    Some(re) => Some(
                        regex::RegexBuilder::new(re)
                            .size_limit(1 << 20)
                            .build()
                            .map_err(|e| invalid(format!("{at}.cmdline: {e}")))?,
                    ),
                    None => None,
                };
                // A name may be the executable's, which the comm does not always show (longer
                // than its 15 bytes, or a process that renamed itself): read the exe link too.
                wanted.exe |= !s.name.is_empty();
                wanted.cmdline |= cmdline.is_some();
                wanted.cgroup |= s.cgroup.is_some();
                wanted.uid |= s.uid.is_some();
                selectors.push(Compiled {
                    names: s.name.clone(),
                    cmdline,
                    cgroup: s.cgroup.as_ref().map(|c| {
                        let t = c.trim_end_matches('/');
                        if t.is_empty() { "/".into() } else { t.into() }
                    }),
                    uid: s.uid,
                    pid: s.pid,
                    pidfile: s.pidfile.clone(),
                });
            }
            workloads.push(CompiledWorkload {
                name: w.name.clone(),
                priority: w.priority,
                children: w.children,
                selectors,
            });
        }
        if workloads.iter().filter(|w| w.priority).count() > 1 {
            return Err(invalid("more than one workload has priority: true".into()));
        }
        let mut names: Vec<NamePattern> = Vec::new();
        if !config.no_default_exclude {
            names.extend(DEFAULT_EXCLUDE.iter().map(|s| NamePattern::new(s)));
        }
        for (i, e) in config.exclude.iter().enumerate() {
            if e.is_empty() || e == "*" {
                return Err(invalid(format!(
                    "exclude[{i}] {e:?} would exclude every process"
                )));
            }
            names.push(NamePattern::new(e));
        }
        Ok(Selectors {
            workloads,
            exclusion: Exclusion { names },
            wanted,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(select: Selector) -> Selectors {
        Selectors::compile(&WorkloadsConfig {
            workloads: vec![WorkloadDef {
                name: "game".into(),
                priority: true,
                select: vec![select],
                children: true,
            }],
            ..Default::default()
        })
        .unwrap()
    }

    fn hit(s: &Selectors, pid: i32, comm: &str, id: &Identity) -> bool {
        let files: Vec<Option<i32>> = s.workloads[0].pidfiles().map(|_| Some(77)).collect();
        s.workloads[0].matches(
            &Candidate {
                pid,
                comm,
                identity: id,
            },
            &files,
        )
    }

    #[test]
    fn each_field_and_their_conjunction() {
        let id = Identity {
            exe_name: Some("supertuxkart-binary".into()),
            cmdline: Some("/usr/bin/stk --fullscreen".into()),
            cgroups: vec!["/user.slice/user-1000.slice/app.scope".into()],
            uid: Some(1000),
        };
        let by_name = one(Selector {
            name: vec!["supertuxkart-binary".into()],
            ..Default::default()
        });
        assert!(
            hit(&by_name, 5, "supertuxkart-bi", &id),
            "comm truncated to 15"
        );
        assert!(hit(&by_name, 5, "other", &id), "exe name");
        assert!(!hit(&by_name, 5, "other", &Identity::default()));
        let re = one(Selector {
            cmdline: Some("--full(screen)?".into()),
            uid: Some(1000),
            ..Default::default()
        });
        assert!(hit(&re, 5, "x", &id));
        let other_user = Identity {
            uid: Some(0),
            ..id.clone()
        };
        assert!(!hit(&re, 5, "x", &other_user), "every field must match");
        let cg = one(Selector {
            cgroup: Some("/user.slice/".into()),
            ..Default::default()
        });
        assert!(hit(&cg, 5, "x", &id));
        let cg2 = one(Selector {
            cgroup: Some("/user".into()),
            ..Default::default()
        });
        assert!(
            !hit(&cg2, 5, "x", &id),
            "a path prefix is not a parent group"
        );
        let pid = one(Selector {
            pid: Some(5),
            ..Default::default()
        });
        assert!(hit(&pid, 5, "x", &id) && !hit(&pid, 6, "x", &id));
        let pf = one(Selector {
            pidfile: Some("/run/x.pid".into()),
            ..Default::default()
        });
        assert!(hit(&pf, 77, "x", &id) && !hit(&pf, 5, "x", &id));
    }

    #[test]
    fn bad_configs_are_typed_errors() {
        use gamesa_core::ErrorCode;
        let bad = |w: WorkloadDef| {
            Selectors::compile(&WorkloadsConfig {
                workloads: vec![w],
                ..Default::default()
            })
            .unwrap_err()
        };
        let base = WorkloadDef {
            name: "game".into(),
            priority: false,
            select: vec![Selector {
                cmdline: Some("(".into()),
                ..Default::default()
            }],
            children: true,
        };
        let e = bad(base.clone());
        assert_eq!(e.code(), "INVALID_CONFIG");
        assert!(
            e.to_string().contains("workloads[0].select[0].cmdline"),
            "{e}"
        );
        let e = bad(WorkloadDef {
            name: "background".into(),
            ..base.clone()
        });
        assert!(e.to_string().contains("reserved"), "{e}");
        let e = bad(WorkloadDef {
            select: vec![Selector::default()],
            ..base.clone()
        });
        assert!(e.to_string().contains("no field"), "{e}");
        let e = bad(WorkloadDef {
            select: vec![Selector {
                pid: Some(0),
                ..Default::default()
            }],
            ..base
        });
        assert!(e.to_string().contains("pid 0"), "{e}");
    }

    #[test]
    fn exclusion_defaults_and_extensions() {
        let s = Selectors::compile(&WorkloadsConfig {
            exclude: vec!["mydaemon".into(), "backup-*".into()],
            ..Default::default()
        })
        .unwrap();
        for comm in [
            "systemd",
            "systemd-journal",
            "sshd",
            "Xwayland",
            "pipewire",
            "mydaemon",
            "backup-nightly",
        ] {
            assert!(s.exclusion.by_name(comm), "{comm}");
        }
        for comm in ["bash", "cc1plus", "systemdx"] {
            assert!(!s.exclusion.by_name(comm), "{comm}");
        }
        let none = Selectors::compile(&WorkloadsConfig {
            no_default_exclude: true,
            ..Default::default()
        })
        .unwrap();
        assert!(!none.exclusion.by_name("sshd"));
    }
}
