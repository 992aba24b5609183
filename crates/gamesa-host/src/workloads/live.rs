//! Live workloads: the scanner plus the actuators. The engine's approved `set_cpu_weight`,
//! `set_cpu_quota`, `set_cpu_idle` and `pin_cores` actions on the targets `priority` and
//! `background` become the settings of one cgroup per role (`<subtree>/priority`,
//! `<subtree>/background`, in every hierarchy the actuators use: v2, or v1 `cpu` and `cpuset`),
//! and every process of the role is moved into it — on each pass, so a process that starts
//! later gets the settings by the next pass. Children forked later and threads created later
//! are born in their parent's group. `set_nice` and `set_sched_policy` are per process: every
//! thread of each of the role's processes, and of each process that joins the role later.
//! `set_cpu_power_limit`, `set_cpu_freq_max` (target `cpu`) and `set_gpu_power_limit`
//! (`gpuN`) are machine-wide (see [`super::machine`]).
//!
//! Everything goes through [`Actuator`], so it is journaled before it is written and undone
//! by [`LiveWorkloads::restore`] (or `gamesa restore` after a crash). A process stays in the
//! group it was moved to until restore, also when it stops using CPU.

use super::machine::{self, Refusal};
use super::scan::{Role, ScanReport, ScannerOptions, WorkloadScanner};
use super::select::WorkloadsConfig;
use crate::actuate::gpu::GpuControl;
use crate::actuate::{Actuator, ActuatorOptions, Change, GroupKnob, Outcome, SchedPolicy};
use crate::error::HostError;
use crate::gamemode::{GameModeOptions, GameModeReport, GameModeService, GameModeStatus, Registry};
use crate::restore::RestoreReport;
use gamesa_core::ErrorCode;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

/// `cpu.max` period the quota is expressed in, µs (the kernel's default).
pub const QUOTA_PERIOD_US: u64 = 100_000;
/// The weight a group has until the governor sets one (`cpu.weight` default; v1 1024 shares).
pub const DEFAULT_WEIGHT: u64 = 100;

/// One approved action as the engine emits it (`kind`, `target`, absolute `value`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LiveAction {
    pub kind: String,
    pub target: String,
    pub value: f64,
}

/// What became of one action.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionResult {
    pub kind: String,
    pub target: String,
    pub value: f64,
    /// `applied`, `dry_run`, `refused`, `conflict`, `ignored` (not a live kind or target, or
    /// paused) or `error` (`code` and `message` say why).
    pub status: &'static str,
    /// The outcome of each change made for it (creating the group, the knob).
    pub outcomes: Vec<Outcome>,
    pub code: Option<&'static str>,
    pub message: Option<String>,
}

/// A process moved into its role's group on this pass, or given its role's nice value or
/// scheduling policy (or not: `outcome` says, or `code` and `message` when the change could
/// not be made at all, e.g. the group was removed by someone).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Move {
    pub pid: i32,
    pub comm: String,
    pub role: Role,
    /// What was set: `group`, `nice`, `sched_policy` or `affinity`.
    pub setting: &'static str,
    pub outcome: Option<Outcome>,
    pub code: Option<&'static str>,
    pub message: Option<String>,
}

/// One pass: the scan (with the roles' settings among its variables) and the moves made.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LivePass {
    #[serde(flatten)]
    pub scan: ScanReport,
    pub moves: Vec<Move>,
    /// The settings of each role's group (`cpuWeight`, `cpuQuotaCores`) once one was set.
    pub settings: BTreeMap<&'static str, RoleSettings>,
    /// The machine-wide settings in force, by `"<kind> <target>"` (`"set_cpu_freq_max cpu"`),
    /// in the engine's units.
    pub machine: BTreeMap<String, f64>,
    pub paused: bool,
    /// With the GameMode service on: its status and what its clients did since the last pass.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gamemode: Option<GameModeReport>,
    /// Processes that left the priority workload on this pass (unregistered, exited) and had
    /// what was changed on them restored.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub released: Vec<Released>,
}

/// A process that left the priority workload, and what restoring it came to.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Released {
    pub pid: i32,
    /// Knobs written back to their previous value (0 for a process that exited).
    pub restored: usize,
    /// Entries skipped because the process exited.
    pub exited: usize,
    /// Values someone else changed since, left alone.
    pub conflicts: usize,
    pub code: Option<&'static str>,
    pub message: Option<String>,
}

/// The name of the priority workload the GameMode clients form when the configuration has none.
pub const GAMEMODE_WORKLOAD: &str = "gamemode";

/// What the governor set on a role's group.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleSettings {
    pub cpu_weight: Option<u64>,
    pub cpu_quota_cores: Option<f64>,
    /// `cpu.idle` of the group, once set.
    pub cpu_idle: Option<bool>,
    /// The group's `cpuset.cpus` once `pin_cores` set it.
    pub cpus: Option<Vec<usize>>,
    /// The nice value and scheduling policy every thread of the role's processes gets.
    pub nice: Option<i32>,
    pub sched_policy: Option<SchedPolicy>,
    /// Processes moved into the group and still alive.
    pub members: usize,
}

/// Per-process settings of a role (what it asks for, or what a process was given).
#[derive(Debug, Clone, Default, PartialEq)]
struct ProcSettings {
    nice: Option<i32>,
    sched_policy: Option<SchedPolicy>,
    /// CPU affinity: `pin_cores` where no cpuset controller is writable.
    cpus: Option<Vec<usize>>,
}

/// What a role action comes to.
enum RolePlan {
    /// Knobs of role groups, each group created first where it does not exist yet.
    Knobs(Vec<(&'static str, GroupKnob)>),
    /// Per-process settings of roles, merged into each role's.
    PerProcess(Vec<(&'static str, ProcSettings)>),
}

#[derive(Default)]
struct Group {
    settings: RoleSettings,
    /// (pid, start time) of the processes moved (or, dry-run, that would be).
    moved: HashSet<(i32, u64)>,
}

/// The scanner and the actuators together; see the module docs.
pub struct LiveWorkloads {
    scanner: WorkloadScanner,
    actuator: Actuator,
    /// The name the priority workload has in the configuration (also a target for it).
    priority_name: Option<String>,
    groups: BTreeMap<&'static str, Group>,
    /// The last action applied per (kind, role or machine target): what
    /// [`resume`](Self::resume) puts back, since the engine (and its gate) still count on those
    /// settings.
    applied: BTreeMap<(String, String), LiveAction>,
    /// The per-process settings of each role, and what each process (pid, start time) was
    /// given of them.
    proc_settings: BTreeMap<&'static str, ProcSettings>,
    proc_done: HashMap<(i32, u64), ProcSettings>,
    /// Machine-wide settings in force, by `"<kind> <target>"`.
    machine: BTreeMap<String, f64>,
    /// CPUs the priority group has to itself (`pin_cores`), 0 when not pinned.
    pinned_cores: usize,
    /// Moves made by [`apply`](Self::apply) (a group it created), reported by the next pass.
    moves_since_pass: Vec<Move>,
    /// Actions that did not take (refused, conflict, gone, error) since the previous pass.
    failed_since_pass: u32,
    paused: bool,
    last: Option<ScanReport>,
    /// The GameMode service, once [`enable_gamemode`](Self::enable_gamemode) started it.
    gamemode: Option<GameModeService>,
}

impl LiveWorkloads {
    /// Dry run: reads, decides and reports, changes nothing.
    pub fn dry_run(config: &WorkloadsConfig, scanner: ScannerOptions) -> Result<Self, HostError> {
        Self::with(
            config,
            scanner,
            Actuator::dry_run(ActuatorOptions::default()),
        )
    }

    /// Acts, journaling to `journal` (see [`Actuator::live`]: what a crashed run left is
    /// undone first and reported). `ACTUATION_PERMISSION_DENIED` without CAP_SYS_NICE and
    /// CAP_SYS_ADMIN, checked before the journal is opened.
    pub fn live(
        config: &WorkloadsConfig,
        scanner: ScannerOptions,
        journal: &Path,
        options: ActuatorOptions,
    ) -> Result<(Self, RestoreReport), HostError> {
        crate::platform::require_linux("applying settings (--apply)")?;
        crate::privilege::check_can_apply()?;
        // Compile first: a bad configuration must not take the journal's lock.
        WorkloadScanner::new(config, scanner.clone())?;
        let (actuator, report) = Actuator::live(journal, options)?;
        Ok((Self::with(config, scanner, actuator)?, report))
    }

    fn with(
        config: &WorkloadsConfig,
        scanner: ScannerOptions,
        actuator: Actuator,
    ) -> Result<Self, HostError> {
        crate::platform::require_linux("live workloads")?;
        Ok(LiveWorkloads {
            scanner: WorkloadScanner::new(config, scanner)?,
            actuator,
            priority_name: config
                .workloads
                .iter()
                .find(|w| w.priority)
                .map(|w| w.name.clone()),
            groups: BTreeMap::new(),
            applied: BTreeMap::new(),
            proc_settings: BTreeMap::new(),
            proc_done: HashMap::new(),
            machine: BTreeMap::new(),
            pinned_cores: 0,
            moves_since_pass: Vec::new(),
            failed_since_pass: 0,
            paused: false,
            last: None,
            gamemode: None,
        })
    }

    /// Uses `gpu` for the GPU knobs instead of NVML (a recording fake in tests).
    pub fn with_gpu(mut self, gpu: Box<dyn GpuControl>) -> Self {
        self.actuator = self.actuator.with_gpu(gpu);
        self
    }

    /// Whether this acts (false: dry run).
    pub fn is_live(&self) -> bool {
        self.actuator.is_live()
    }

    /// The actuator (its cgroup layout, its journal).
    pub fn actuator(&self) -> &Actuator {
        &self.actuator
    }

    /// Starts the GameMode-compatible service (see [`crate::gamemode`]): from the next pass
    /// on, the processes its clients register are members of the priority workload (the
    /// workload `gamemode` when the configuration has no priority workload), with their
    /// descendants; a process that leaves the priority workload (unregistered, or exited) has
    /// what was changed on it restored through the journal on the pass that sees it leave.
    /// `GAMEMODE_UNAVAILABLE` without a bus; a name owned by `gamemoded` is not an error
    /// (the status says so, and the service does not take the name).
    pub fn enable_gamemode(
        &mut self,
        options: GameModeOptions,
    ) -> Result<GameModeStatus, HostError> {
        let audit = crate::gamemode::registry::open_audit(options.audit.as_deref())?;
        let registry = Registry::new(audit, options.max_games);
        let service = GameModeService::start(options, registry)?;
        let status = service.status().clone();
        self.scanner.set_registered(GAMEMODE_WORKLOAD, []);
        if self.priority_name.is_none() {
            self.priority_name = Some(GAMEMODE_WORKLOAD.to_string());
        }
        self.gamemode = Some(service);
        Ok(status)
    }

    /// The GameMode service, when enabled.
    pub fn gamemode(&self) -> Option<&GameModeService> {
        self.gamemode.as_ref()
    }

    /// Restores what was changed on the processes moved into the priority group that are no
    /// longer priority members (unregistered GameMode clients, processes that exited).
    fn release_departed(&mut self, scan: &ScanReport) -> Result<Vec<Released>, HostError> {
        let Some(group) = self.groups.get_mut("priority") else {
            return Ok(Vec::new());
        };
        let members: HashSet<(i32, u64)> = scan
            .processes
            .iter()
            .filter(|p| p.role == Role::Priority)
            .map(|p| (p.pid, p.start_time))
            .collect();
        let mut departed: Vec<(i32, u64)> = group
            .moved
            .iter()
            .filter(|k| !members.contains(k))
            .copied()
            .collect();
        departed.sort_unstable();
        let mut released = Vec::new();
        for (pid, start_time) in departed {
            group.moved.remove(&(pid, start_time));
            let mut r = Released {
                pid,
                restored: 0,
                exited: 0,
                conflicts: 0,
                code: None,
                message: None,
            };
            match self.actuator.restore_process(pid, start_time) {
                Ok(report) => {
                    r.restored = report.restored;
                    r.exited = report.skipped_exited;
                    r.conflicts = report.conflicts.len();
                }
                Err(e) if e.code() == gamesa_core::error::codes::IO_ERROR => return Err(e),
                Err(e) => {
                    r.code = Some(e.code());
                    r.message = Some(e.to_string());
                }
            }
            released.push(r);
        }
        Ok(released)
    }

    /// Whether a process or thread started since the last pass listed `/proc`
    /// ([`WorkloadScanner::pids_handed_out`]).
    pub fn processes_started(&mut self) -> bool {
        self.scanner.pids_handed_out()
    }

    /// One pass: scan, move the processes of each role that has a group into it, and add the
    /// roles' settings to the variables (`wl.<role>.cpu_weight`, `wl.<role>.cpu_quota`).
    pub fn pass(&mut self) -> Result<LivePass, HostError> {
        let gamemode = self.gamemode.as_mut().map(GameModeService::poll);
        if let Some(report) = &gamemode {
            self.scanner.set_registered(
                GAMEMODE_WORKLOAD,
                report.games.iter().map(|g| (g.pid, g.start_time)),
            );
        }
        let mut scan = self.scanner.scan()?;
        // Before the moves: a process that left the priority workload goes back where it was,
        // then (if it is background now) into the background group.
        let released = if gamemode.is_some() && !self.paused {
            self.release_departed(&scan)?
        } else {
            Vec::new()
        };
        // Moves made when an action created a group, since the previous pass.
        let mut moves = std::mem::take(&mut self.moves_since_pass);
        if !self.paused {
            let members: Vec<(i32, u64, String, Role)> = scan
                .processes
                .iter()
                .map(|p| (p.pid, p.start_time, p.comm.clone(), p.role))
                .collect();
            moves.extend(self.move_members(&members)?);
            if !self.proc_settings.is_empty() {
                moves.extend(self.give_proc_settings(&members, None)?);
            }
        }
        let alive: HashSet<(i32, u64)> = scan
            .processes
            .iter()
            .map(|p| (p.pid, p.start_time))
            .collect();
        for g in self.groups.values_mut() {
            g.moved.retain(|k| alive.contains(k));
            g.settings.members = g.moved.len();
        }
        self.proc_done.retain(|k, _| alive.contains(k));
        // What really happened, for the next tick: settings that did not take, moves that did
        // not, and whether acting is paused.
        let refused_moves = moves
            .iter()
            .filter(|m| {
                !matches!(
                    m.outcome,
                    Some(Outcome::Applied { .. } | Outcome::DryRun { .. })
                )
            })
            .count() as u32;
        scan.variables.insert(
            "live.actions_failed".into(),
            f64::from(std::mem::take(&mut self.failed_since_pass)),
        );
        scan.variables
            .insert("live.moves_failed".into(), f64::from(refused_moves));
        scan.variables
            .insert("live.paused".into(), f64::from(u8::from(self.paused)));
        for role in ["priority", "background"] {
            let s = self.groups.get(role).map(|g| &g.settings);
            scan.variables.insert(
                format!("wl.{role}.group_members"),
                s.map_or(0.0, |s| s.members as f64),
            );
            let weight = s.and_then(|s| s.cpu_weight).unwrap_or(DEFAULT_WEIGHT);
            scan.variables
                .insert(format!("wl.{role}.cpu_weight"), weight as f64);
            if let Some(q) = s.and_then(|s| s.cpu_quota_cores) {
                scan.variables.insert(format!("wl.{role}.cpu_quota"), q);
            }
            let idle = s.and_then(|s| s.cpu_idle).unwrap_or(false);
            scan.variables
                .insert(format!("wl.{role}.cpu_idle"), f64::from(u8::from(idle)));
            let p = self.proc_settings.get(role).cloned().unwrap_or_default();
            let policy = p.sched_policy.unwrap_or(SchedPolicy::Other);
            scan.variables.insert(
                format!("wl.{role}.sched_policy"),
                f64::from(policy.number()),
            );
            if let Some(n) = p.nice {
                scan.variables
                    .insert(format!("wl.{role}.nice"), f64::from(n));
            }
        }
        scan.variables
            .insert("wl.priority.pinned_cores".into(), self.pinned_cores as f64);
        if let Some(name) = &self.priority_name {
            for field in [
                "cpu_weight",
                "cpu_quota",
                "cpu_idle",
                "sched_policy",
                "nice",
                "pinned_cores",
            ] {
                if let Some(v) = scan.variables.get(&format!("wl.priority.{field}")).copied() {
                    scan.variables.insert(format!("wl.{name}.{field}"), v);
                }
            }
        }
        self.last = Some(scan.clone());
        let mut settings: BTreeMap<&'static str, RoleSettings> = self
            .groups
            .iter()
            .map(|(r, g)| (*r, g.settings.clone()))
            .collect();
        for (role, p) in &self.proc_settings {
            let s = settings.entry(role).or_default();
            s.nice = p.nice;
            s.sched_policy = p.sched_policy;
            if p.cpus.is_some() {
                s.cpus = p.cpus.clone();
            }
        }
        Ok(LivePass {
            scan,
            moves,
            settings,
            machine: self.machine.clone(),
            paused: self.paused,
            gamemode,
            released,
        })
    }

    /// Moves each of `members` whose role has a group, and which was not moved yet, into it.
    fn move_members(
        &mut self,
        members: &[(i32, u64, String, Role)],
    ) -> Result<Vec<Move>, HostError> {
        let mut moves = Vec::new();
        for (pid, start_time, comm, role) in members {
            let name = role.name();
            let Some(group) = self.groups.get_mut(name) else {
                continue;
            };
            if group.moved.contains(&(*pid, *start_time)) {
                continue;
            }
            let mut m = Move {
                pid: *pid,
                comm: comm.clone(),
                role: *role,
                setting: "group",
                outcome: None,
                code: None,
                message: None,
            };
            match self.actuator.apply(&Change::MoveToGroup {
                pid: *pid,
                group: name.to_string(),
            }) {
                Ok(o) => m.outcome = Some(o),
                // The journal could not be written: nothing may be changed any more.
                Err(e) if e.code() == gamesa_core::error::codes::IO_ERROR => return Err(e),
                Err(e) => {
                    m.code = Some(e.code());
                    m.message = Some(e.to_string());
                }
            }
            // Whatever came of it, once: a refusal or a conflict is reported, not retried
            // every pass.
            group.moved.insert((*pid, *start_time));
            moves.push(m);
        }
        Ok(moves)
    }

    /// Gives each of `members` that has a role with per-process settings what it lacks of
    /// them (only role `only`'s when given); one [`Move`] per change made.
    fn give_proc_settings(
        &mut self,
        members: &[(i32, u64, String, Role)],
        only: Option<&'static str>,
    ) -> Result<Vec<Move>, HostError> {
        let mut out = Vec::new();
        for (pid, start_time, comm, role) in members {
            let name = role.name();
            if only.is_some_and(|o| o != name) {
                continue;
            }
            let Some(want) = self.proc_settings.get(name).cloned() else {
                continue;
            };
            let done = self.proc_done.entry((*pid, *start_time)).or_default();
            let mut changes = Vec::new();
            if let Some(nice) = want.nice.filter(|n| done.nice != Some(*n)) {
                changes.push(("nice", Change::Nice { pid: *pid, nice }));
            }
            if let Some(policy) = want.sched_policy.filter(|p| done.sched_policy != Some(*p)) {
                changes.push(("sched_policy", Change::SchedPolicy { pid: *pid, policy }));
            }
            if let Some(cpus) = want
                .cpus
                .as_ref()
                .filter(|c| done.cpus.as_ref() != Some(*c))
            {
                changes.push((
                    "affinity",
                    Change::Affinity {
                        pid: *pid,
                        cpus: cpus.clone(),
                    },
                ));
            }
            // Whatever comes of it, once per value: a refusal is reported, not retried.
            *done = want;
            for (setting, change) in changes {
                let mut m = Move {
                    pid: *pid,
                    comm: comm.clone(),
                    role: *role,
                    setting,
                    outcome: None,
                    code: None,
                    message: None,
                };
                match self.actuator.apply(&change) {
                    Ok(o) => m.outcome = Some(o),
                    Err(e) if e.code() == gamesa_core::error::codes::IO_ERROR => return Err(e),
                    Err(e) => {
                        m.code = Some(e.code());
                        m.message = Some(e.to_string());
                    }
                }
                out.push(m);
            }
        }
        Ok(out)
    }

    /// The CPUs the governor's groups may use: the cpuset hierarchy's effective CPUs.
    fn all_cpus(&self) -> Result<Vec<usize>, Refusal> {
        let Some(h) = self.actuator.cgroups().hierarchy("cpuset") else {
            return Err((
                gamesa_core::error::codes::ACTUATION_UNSUPPORTED,
                "no writable cpuset controller".into(),
            ));
        };
        for file in [
            "cpuset.cpus.effective",
            "cpuset.effective_cpus",
            "cpuset.cpus",
        ] {
            if let Some(cpus) = std::fs::read_to_string(h.mount.join(file))
                .ok()
                .and_then(|t| machine::parse_cpu_list(&t))
                .filter(|c| !c.is_empty())
            {
                return Ok(cpus);
            }
        }
        Err((
            gamesa_core::error::codes::ACTUATION_UNSUPPORTED,
            format!("no CPU list under {}", h.mount.display()),
        ))
    }

    /// Applies approved actions; each result says what became of it. Live on `priority`,
    /// `background` or the priority workload's name: `set_cpu_weight` (1..=10000),
    /// `set_cpu_quota` (cores, > 0), `set_cpu_idle` (0 or 1) and `pin_cores` (priority only:
    /// that many whole CPUs for it, the rest for the background; 0 unpins) on the role's
    /// group, whose processes join it on the next [`pass`](Self::pass); `set_nice` (-20..=19)
    /// and `set_sched_policy` (0 other, 3 batch, 5 idle) on every thread of the role's
    /// processes, now and as they appear. Machine-wide: `set_cpu_power_limit` and
    /// `set_cpu_freq_max` on `cpu`, `set_gpu_power_limit` on `gpuN`. Others are `ignored`.
    pub fn apply(&mut self, actions: &[LiveAction]) -> Vec<ActionResult> {
        let results: Vec<ActionResult> = actions.iter().map(|a| self.apply_one(a)).collect();
        self.failed_since_pass += results
            .iter()
            .filter(|r| matches!(r.status, "refused" | "conflict" | "gone" | "error"))
            .count() as u32;
        results
    }

    fn apply_one(&mut self, a: &LiveAction) -> ActionResult {
        let mut r = ActionResult {
            kind: a.kind.clone(),
            target: a.target.clone(),
            value: a.value,
            status: "ignored",
            outcomes: Vec::new(),
            code: None,
            message: None,
        };
        let error = |mut r: ActionResult, (code, message): Refusal| {
            r.status = "error";
            r.code = Some(code);
            r.message = Some(message);
            r
        };
        let sysfs = self.actuator.sysfs_root().to_path_buf();
        if let Some(plan) = machine::machine_changes(&a.kind, &a.target, a.value, &sysfs) {
            if self.paused {
                r.message = Some("paused".into());
                return r;
            }
            let changes = match plan {
                Ok(c) => c,
                Err(refusal) => return error(r, refusal),
            };
            if self.run_changes(changes, &mut r) {
                self.machine
                    .insert(format!("{} {}", a.kind, a.target), a.value);
                self.applied
                    .insert((a.kind.clone(), a.target.clone()), a.clone());
            }
            return r;
        }
        let role: &'static str = match a.target.as_str() {
            "priority" => "priority",
            "background" => "background",
            t if Some(t) == self.priority_name.as_deref() => "priority",
            _ => {
                r.message = Some("not a live target (priority, background, cpu, gpuN)".into());
                return r;
            }
        };
        if self.paused {
            r.message = Some("paused".into());
            return r;
        }
        let plan = match self.role_plan(a, role) {
            Ok(Some(p)) => p,
            Ok(None) => {
                r.message = Some(
                    "not a live action kind (set_cpu_weight, set_cpu_quota, set_cpu_idle, \
                     pin_cores, set_nice, set_sched_policy, set_cpu_power_limit, \
                     set_cpu_freq_max, set_gpu_power_limit)"
                        .into(),
                );
                return r;
            }
            Err(refusal) => return error(r, refusal),
        };
        match plan {
            RolePlan::Knobs(knobs) => {
                let mut changes = Vec::new();
                for (role, knob) in &knobs {
                    if !self.groups.contains_key(role) && !changes.contains(&group_of(role)) {
                        changes.push(group_of(role));
                    }
                    changes.push(Change::GroupKnob {
                        group: role.to_string(),
                        knob: knob.clone(),
                    });
                }
                if !self.run_changes(changes, &mut r) {
                    return r;
                }
                for (role, knob) in knobs {
                    let s = &mut self.groups.entry(role).or_default().settings;
                    match knob {
                        GroupKnob::CpuWeight(w) => s.cpu_weight = Some(w),
                        GroupKnob::CpuMax {
                            quota_us: Some(q), ..
                        } => s.cpu_quota_cores = Some(q as f64 / QUOTA_PERIOD_US as f64),
                        GroupKnob::CpuIdle(i) => s.cpu_idle = Some(i),
                        GroupKnob::CpusetCpus(c) => s.cpus = Some(c),
                        _ => {}
                    }
                }
                if a.kind == "pin_cores" {
                    self.pinned_cores = a.value as usize;
                }
                // The roles' processes of the last pass join their groups now rather than on
                // the next pass: a tick sooner for a workload that just started.
                let members: Vec<(i32, u64, String, Role)> = self
                    .last
                    .iter()
                    .flat_map(|scan| scan.processes.iter())
                    .map(|p| (p.pid, p.start_time, p.comm.clone(), p.role))
                    .collect();
                match self.move_members(&members) {
                    Ok(moves) => self.moves_since_pass.extend(moves),
                    Err(e) => {
                        r.status = "error";
                        r.code = Some(e.code());
                        r.message = Some(e.to_string());
                        return r;
                    }
                }
            }
            RolePlan::PerProcess(plans) => {
                let roles: Vec<&'static str> = plans.iter().map(|(r, _)| *r).collect();
                for (role, p) in plans {
                    let s = self.proc_settings.entry(role).or_default();
                    s.nice = p.nice.or(s.nice);
                    s.sched_policy = p.sched_policy.or(s.sched_policy);
                    s.cpus = p.cpus.or(s.cpus.take());
                }
                if a.kind == "pin_cores" {
                    self.pinned_cores = a.value as usize;
                }
                r.status = if self.is_live() { "applied" } else { "dry_run" };
                let members: Vec<(i32, u64, String, Role)> = self
                    .last
                    .iter()
                    .flat_map(|scan| scan.processes.iter())
                    .map(|p| (p.pid, p.start_time, p.comm.clone(), p.role))
                    .collect();
                let members: Vec<_> = members
                    .into_iter()
                    .filter(|m| roles.contains(&m.3.name()))
                    .collect();
                match self.give_proc_settings(&members, None) {
                    Ok(moves) => {
                        for m in moves {
                            match m.outcome {
                                // A process that exited meanwhile is no failure of the setting.
                                Some(Outcome::ProcessGone) => {}
                                Some(o) => {
                                    if r.status == "applied" || r.status == "dry_run" {
                                        r.status = status_of(&o);
                                    }
                                    r.outcomes.push(o);
                                }
                                None => {
                                    r.status = "error";
                                    r.code = m.code;
                                    r.message = m.message;
                                }
                            }
                        }
                    }
                    Err(e) => {
                        r.status = "error";
                        r.code = Some(e.code());
                        r.message = Some(e.to_string());
                    }
                }
            }
        }
        self.applied
            .insert((a.kind.clone(), role.to_string()), a.clone());
        r
    }

    /// What a role action comes to; `None` when its kind is not a role kind.
    fn role_plan(&self, a: &LiveAction, role: &'static str) -> Result<Option<RolePlan>, Refusal> {
        let v = a.value;
        let whole = v.is_finite() && v.fract() == 0.0;
        let bad = |range: &str| {
            Err((
                gamesa_core::error::codes::INVALID_ARGUMENT,
                format!("{} value {v} is out of range ({range})", a.kind),
            ))
        };
        let knob = |k: GroupKnob| Ok(Some(RolePlan::Knobs(vec![(role, k)])));
        match a.kind.as_str() {
            "set_cpu_weight" if v.is_finite() && (1.0..=10_000.0).contains(&v) => {
                knob(GroupKnob::CpuWeight(v.round() as u64))
            }
            "set_cpu_weight" => bad("1..=10000"),
            "set_cpu_quota" if v.is_finite() && v > 0.0 && v <= 4096.0 => knob(GroupKnob::CpuMax {
                quota_us: Some(((v * QUOTA_PERIOD_US as f64).round() as u64).max(1000)),
                period_us: QUOTA_PERIOD_US,
            }),
            "set_cpu_quota" => bad("cores, 0 < value <= 4096"),
            "set_cpu_idle" if v == 0.0 || v == 1.0 => knob(GroupKnob::CpuIdle(v == 1.0)),
            "set_cpu_idle" => bad("0 or 1"),
            "set_nice" if whole && (-20.0..=19.0).contains(&v) => {
                Ok(Some(RolePlan::PerProcess(vec![(
                    role,
                    ProcSettings {
                        nice: Some(v as i32),
                        ..ProcSettings::default()
                    },
                )])))
            }
            "set_nice" => bad("a whole number, -20..=19"),
            "set_sched_policy" => {
                let policy = [SchedPolicy::Other, SchedPolicy::Batch, SchedPolicy::Idle]
                    .into_iter()
                    .find(|p| f64::from(p.number()) == v);
                match policy {
                    Some(p) => Ok(Some(RolePlan::PerProcess(vec![(
                        role,
                        ProcSettings {
                            sched_policy: Some(p),
                            ..ProcSettings::default()
                        },
                    )]))),
                    None => bad("0 other, 3 batch, 5 idle"),
                }
            }
            "pin_cores" => {
                if role != "priority" {
                    return Err((
                        gamesa_core::error::codes::INVALID_ARGUMENT,
                        "pin_cores takes the priority workload".into(),
                    ));
                }
                // Through cpuset groups where a cpuset controller is writable; otherwise through
                // the affinity of every thread of the roles' processes.
                let (all, by_affinity) = match self.all_cpus() {
                    Ok(all) => (all, false),
                    Err(_) => (online_cpus()?, true),
                };
                if !(whole && v >= 0.0 && (v as usize) < all.len()) {
                    return bad(&format!(
                        "a whole number of cores leaving one of the {} shared",
                        all.len()
                    ));
                }
                let n = v as usize;
                if by_affinity {
                    let (shared, mine) = all.split_at(all.len() - n);
                    let cpus = |c: &[usize]| ProcSettings {
                        cpus: Some(if n == 0 { all.clone() } else { c.to_vec() }),
                        ..ProcSettings::default()
                    };
                    return Ok(Some(RolePlan::PerProcess(vec![
                        ("priority", cpus(mine)),
                        ("background", cpus(shared)),
                    ])));
                }
                if n == 0 {
                    // Unpinned: both groups (where they exist) get every CPU back.
                    return Ok(Some(RolePlan::Knobs(
                        ["priority", "background"]
                            .into_iter()
                            .filter(|r| {
                                self.groups
                                    .get(r)
                                    .is_some_and(|g| g.settings.cpus.is_some())
                            })
                            .map(|r| (r, GroupKnob::CpusetCpus(all.clone())))
                            .collect(),
                    )));
                }
                // The highest CPUs for the priority workload: CPU 0 takes most interrupts and
                // housekeeping.
                let (shared, mine) = all.split_at(all.len() - n);
                Ok(Some(RolePlan::Knobs(vec![
                    ("priority", GroupKnob::CpusetCpus(mine.to_vec())),
                    ("background", GroupKnob::CpusetCpus(shared.to_vec())),
                ])))
            }
            _ => Ok(None),
        }
    }

    /// Applies `changes` in order, recording each outcome in `r`; stops at the first that did
    /// not take. Whether all did.
    fn run_changes(&mut self, changes: Vec<Change>, r: &mut ActionResult) -> bool {
        r.status = if self.is_live() { "applied" } else { "dry_run" };
        for change in changes {
            match self.actuator.apply(&change) {
                Ok(o) => {
                    let stop = !matches!(o, Outcome::Applied { .. } | Outcome::DryRun { .. });
                    r.status = status_of(&o);
                    r.outcomes.push(o);
                    if stop {
                        return false;
                    }
                    if let Change::CreateGroup { group } = &change {
                        let role = if group == "priority" {
                            "priority"
                        } else {
                            "background"
                        };
                        self.groups.entry(role).or_default();
                    }
                }
                Err(e) => {
                    r.status = "error";
                    r.code = Some(e.code());
                    r.message = Some(e.to_string());
                    return false;
                }
            }
        }
        true
    }

    /// Undoes everything (see [`Actuator::restore`]) and forgets the groups and the settings;
    /// acting resumes with the next action.
    pub fn restore(&mut self) -> Result<RestoreReport, HostError> {
        self.groups.clear();
        self.applied.clear();
        self.forget_settings();
        self.actuator.restore()
    }

    /// Restores everything and ignores actions until [`resume`](Self::resume), which puts the
    /// settings back.
    pub fn pause(&mut self) -> Result<RestoreReport, HostError> {
        self.paused = true;
        self.groups.clear();
        self.forget_settings();
        self.actuator.restore()
    }

    /// After a restore nothing of the per-process and machine settings is in force.
    fn forget_settings(&mut self) {
        self.proc_settings.clear();
        self.proc_done.clear();
        self.moves_since_pass.clear();
        self.machine.clear();
        self.pinned_cores = 0;
    }

    /// Acts again: the settings in force before the pause are applied anew (the engine still
    /// counts on them; its gate would refuse to approve them again as a step from nothing), and
    /// the processes join their groups on the next pass. Nothing when not paused.
    pub fn resume(&mut self) -> Vec<ActionResult> {
        if !self.paused {
            return Vec::new();
        }
        self.paused = false;
        let again: Vec<LiveAction> = self.applied.values().cloned().collect();
        self.apply(&again)
    }

    /// Whether acting is paused.
    pub fn is_paused(&self) -> bool {
        self.paused
    }

    /// The last pass's scan.
    pub fn last_scan(&self) -> Option<&ScanReport> {
        self.last.as_ref()
    }
}

/// The online CPUs (`/sys/devices/system/cpu/online`).
fn online_cpus() -> Result<Vec<usize>, Refusal> {
    std::fs::read_to_string("/sys/devices/system/cpu/online")
        .ok()
        .and_then(|t| machine::parse_cpu_list(&t))
        .filter(|c| !c.is_empty())
        .ok_or((
            gamesa_core::error::codes::ACTUATION_UNSUPPORTED,
            "no cpuset controller, and no list of online CPUs".into(),
        ))
}

fn group_of(role: &str) -> Change {
    Change::CreateGroup {
        group: role.to_string(),
    }
}

fn status_of(o: &Outcome) -> &'static str {
    match o {
        Outcome::Applied { .. } => "applied",
        Outcome::DryRun { .. } => "dry_run",
        Outcome::Refused { .. } => "refused",
        Outcome::ProcessGone => "gone",
        Outcome::Conflict { .. } => "conflict",
    }
}
