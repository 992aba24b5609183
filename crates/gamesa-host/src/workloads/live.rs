//! Live workloads: the scanner plus the actuators. The engine's approved `set_cpu_weight` and
//! `set_cpu_quota` actions on the targets `priority` and `background` become the settings of
//! one cgroup per role (`<subtree>/priority`, `<subtree>/background`, in every hierarchy the
//! actuators use: v2, or v1 `cpu` and `cpuset`), and every process of the role is moved into
//! it — on each pass, so a process that starts later gets the settings by the next pass.
//! Children forked later and threads created later are born in their parent's group.
//!
//! Everything goes through [`Actuator`], so it is journaled before it is written and undone
//! by [`LiveWorkloads::restore`] (or `gamesa restore` after a crash). A process stays in the
//! group it was moved to until restore, also when it stops using CPU.

use super::scan::{Role, ScanReport, ScannerOptions, WorkloadScanner};
use super::select::WorkloadsConfig;
use crate::actuate::{Actuator, ActuatorOptions, Change, GroupKnob, Outcome};
use crate::error::HostError;
use crate::gamemode::{GameModeOptions, GameModeReport, GameModeService, GameModeStatus, Registry};
use crate::restore::RestoreReport;
use gamesa_core::ErrorCode;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};
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

/// A process moved into its role's group on this pass (or not: `outcome` says, or `code` and
/// `message` when the move could not be made at all, e.g. the group was removed by someone).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Move {
    pub pid: i32,
    pub comm: String,
    pub role: Role,
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
    /// Processes moved into the group and still alive.
    pub members: usize,
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
    /// The last action applied per (kind, role): what [`resume`](Self::resume) puts back, since
    /// the engine (and its gate) still count on those settings.
    applied: BTreeMap<(String, &'static str), LiveAction>,
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
            failed_since_pass: 0,
            paused: false,
            last: None,
            gamemode: None,
        })
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
        let mut moves = Vec::new();
        if !self.paused {
            for p in &scan.processes {
                let role = p.role.name();
                let Some(group) = self.groups.get_mut(role) else {
                    continue;
                };
                if group.moved.contains(&(p.pid, p.start_time)) {
                    continue;
                }
                let mut m = Move {
                    pid: p.pid,
                    comm: p.comm.clone(),
                    role: p.role,
                    outcome: None,
                    code: None,
                    message: None,
                };
                match self.actuator.apply(&Change::MoveToGroup {
                    pid: p.pid,
                    group: role.to_string(),
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
                group.moved.insert((p.pid, p.start_time));
                moves.push(m);
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
        }
        if let Some(name) = &self.priority_name {
            for field in ["cpu_weight", "cpu_quota"] {
                if let Some(v) = scan.variables.get(&format!("wl.priority.{field}")).copied() {
                    scan.variables.insert(format!("wl.{name}.{field}"), v);
                }
            }
        }
        self.last = Some(scan.clone());
        Ok(LivePass {
            scan,
            moves,
            settings: self
                .groups
                .iter()
                .map(|(r, g)| (*r, g.settings.clone()))
                .collect(),
            paused: self.paused,
            gamemode,
            released,
        })
    }

    /// Applies approved actions; each result says what became of it. Only `set_cpu_weight`
    /// (1..=10000) and `set_cpu_quota` (cores, > 0) on `priority`, `background` or the
    /// priority workload's name are live; others are `ignored`. The role's processes join the
    /// group on the next [`pass`](Self::pass).
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
        let role: &'static str = match a.target.as_str() {
            "priority" => "priority",
            "background" => "background",
            t if Some(t) == self.priority_name.as_deref() => "priority",
            _ => {
                r.message = Some("not a live workload target (priority, background)".into());
                return r;
            }
        };
        if self.paused {
            r.message = Some("paused".into());
            return r;
        }
        let knob = match a.kind.as_str() {
            "set_cpu_weight" if a.value.is_finite() && (1.0..=10_000.0).contains(&a.value) => {
                GroupKnob::CpuWeight(a.value.round() as u64)
            }
            "set_cpu_quota" if a.value.is_finite() && a.value > 0.0 && a.value <= 4096.0 => {
                GroupKnob::CpuMax {
                    quota_us: Some(((a.value * QUOTA_PERIOD_US as f64).round() as u64).max(1000)),
                    period_us: QUOTA_PERIOD_US,
                }
            }
            "set_cpu_weight" | "set_cpu_quota" => {
                r.status = "error";
                r.code = Some(gamesa_core::error::codes::INVALID_ARGUMENT);
                r.message = Some(format!("{} value {} is out of range", a.kind, a.value));
                return r;
            }
            _ => {
                r.message = Some("not a live action kind (set_cpu_weight, set_cpu_quota)".into());
                return r;
            }
        };
        let mut changes = Vec::new();
        if !self.groups.contains_key(role) {
            changes.push(Change::CreateGroup {
                group: role.to_string(),
            });
        }
        changes.push(Change::GroupKnob {
            group: role.to_string(),
            knob: knob.clone(),
        });
        for change in changes {
            match self.actuator.apply(&change) {
                Ok(o) => {
                    let stop = !matches!(o, Outcome::Applied { .. } | Outcome::DryRun { .. });
                    r.status = status_of(&o);
                    r.outcomes.push(o);
                    if stop {
                        return r;
                    }
                    if matches!(change, Change::CreateGroup { .. }) {
                        self.groups.entry(role).or_default();
                    }
                }
                Err(e) => {
                    r.status = "error";
                    r.code = Some(e.code());
                    r.message = Some(e.to_string());
                    return r;
                }
            }
        }
        self.applied.insert((a.kind.clone(), role), a.clone());
        let g = self.groups.entry(role).or_default();
        match knob {
            GroupKnob::CpuWeight(w) => g.settings.cpu_weight = Some(w),
            GroupKnob::CpuMax {
                quota_us: Some(q), ..
            } => g.settings.cpu_quota_cores = Some(q as f64 / QUOTA_PERIOD_US as f64),
            _ => {}
        }
        r
    }

    /// Undoes everything (see [`Actuator::restore`]) and forgets the groups and the settings;
    /// acting resumes with the next action.
    pub fn restore(&mut self) -> Result<RestoreReport, HostError> {
        self.groups.clear();
        self.applied.clear();
        self.actuator.restore()
    }

    /// Restores everything and ignores actions until [`resume`](Self::resume), which puts the
    /// settings back.
    pub fn pause(&mut self) -> Result<RestoreReport, HostError> {
        self.paused = true;
        self.groups.clear();
        self.actuator.restore()
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

fn status_of(o: &Outcome) -> &'static str {
    match o {
        Outcome::Applied { .. } => "applied",
        Outcome::DryRun { .. } => "dry_run",
        Outcome::Refused { .. } => "refused",
        Outcome::ProcessGone => "gone",
        Outcome::Conflict { .. } => "conflict",
    }
}
