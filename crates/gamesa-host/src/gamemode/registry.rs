//! The registered games and the rules a registration must pass, apart from the bus: who may
//! register which process, how many, and GameMode 1.7's return codes. Every registration,
//! refusal and removal is audited (hash-chained, see [`crate::AuditedChecker`]) with the
//! caller's pid and uid as the bus reported them, before the caller gets its answer.
//!
//! Return codes are GameMode's (`daemon/gamemode-context.c`): register and unregister answer
//! 0 (done) or -1 (refused: no such process, not the caller's, already registered, unknown,
//! too many); query answers 0 (no game registered), 1 (games registered, not this one), 2
//! (this one is registered), -1 when the requester does not exist. GameMode's -2 (a supervisor
//! its configuration rejects) has no counterpart: there is no supervisor list here.

use crate::actuate::procfs;
use crate::audited_checker::AuditedChecker;
use crate::error::HostError;
use gamesa_core::effects::Effect;
use serde::Serialize;
use std::collections::{BTreeMap, VecDeque};
use std::os::unix::fs::MetadataExt;
use std::time::{SystemTime, UNIX_EPOCH};

/// The default bound on registered games (GameMode has none).
pub const DEFAULT_MAX_GAMES: usize = 32;
/// Events kept for [`Registry::take_events`] between two polls; older ones are dropped (they
/// are in the audit trail).
const MAX_PENDING_EVENTS: usize = 1024;
/// The agent the audit records name.
pub const AUDIT_AGENT: &str = "gamemode";

/// Who called, as the bus daemon vouches for the connection (never the arguments).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Caller {
    pub uid: u32,
    pub pid: Option<u32>,
}

/// One registered game.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Game {
    pub pid: i32,
    /// `/proc/PID/stat` field 22: with the pid, the identity (a reused pid is another process).
    pub start_time: u64,
    /// Owner of the process.
    pub uid: u32,
    /// The process that asked (the game itself, or a launcher for the `…ByPID` variants).
    pub requester: i32,
    pub caller: Caller,
}

/// What happened to a registration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    /// The D-Bus method (`RegisterGameByPIDFd`, …), or `expired` when the process exited
    /// without unregistering.
    pub method: String,
    /// `registered`, `unregistered`, `refused` or `expired`.
    pub outcome: &'static str,
    pub pid: i32,
    pub requester: i32,
    /// The caller's credentials (none for `expired`).
    pub caller: Option<Caller>,
    /// What the method returned.
    pub result: i32,
    pub reason: String,
    /// The audit record's seq.
    pub audit_seq: Option<u64>,
}

/// The registered games, the audit they are recorded in, and the events since the last poll.
pub struct Registry {
    games: BTreeMap<i32, Game>,
    max_games: usize,
    audit: AuditedChecker,
    events: VecDeque<Event>,
    /// Bumped on every change of the set of games.
    generation: u64,
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// Start time and owner of `pid`; `None` when there is no such process.
fn process(pid: i32) -> Option<(u64, u32)> {
    if pid <= 0 {
        return None;
    }
    let start = procfs::process_start_time(pid).ok().flatten()?;
    let uid = std::fs::metadata(format!("/proc/{pid}")).ok()?.uid();
    Some((start, uid))
}

impl Registry {
    /// An empty registry that audits into `audit` and holds at most `max_games`.
    pub fn new(audit: AuditedChecker, max_games: usize) -> Registry {
        Registry {
            games: BTreeMap::new(),
            max_games,
            audit,
            events: VecDeque::new(),
            generation: 0,
        }
    }

    /// The registered games, by pid.
    pub fn games(&self) -> impl Iterator<Item = &Game> {
        self.games.values()
    }

    /// How many games are registered (the `ClientCount` property).
    pub fn count(&self) -> usize {
        self.games.len()
    }

    /// Changes whenever the set of games does.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// The audit trail (records of every decision).
    pub fn audit(&self) -> &AuditedChecker {
        &self.audit
    }

    /// The events since the previous call, oldest first.
    pub fn take_events(&mut self) -> Vec<Event> {
        self.events.drain(..).collect()
    }

    /// `RegisterGame*`: `pid` becomes a registered game if it exists, belongs to the caller
    /// (or the caller is root), is not registered yet, and the bound allows it.
    pub fn register(&mut self, method: &str, caller: Caller, pid: i32, requester: i32) -> i32 {
        let refusal = match (process(pid), process(requester)) {
            (None, _) => Some(format!("no process {pid}")),
            (_, None) => Some(format!("no requesting process {requester}")),
            (Some((_, owner)), _) if caller.uid != 0 && owner != caller.uid => Some(format!(
                "process {pid} belongs to uid {owner}, not to the caller's uid {}",
                caller.uid
            )),
            (Some((start, _)), _)
                if self.games.get(&pid).is_some_and(|g| g.start_time == start) =>
            {
                Some(format!("process {pid} is registered already"))
            }
            _ if self.games.len() >= self.max_games => Some(format!(
                "{} games are registered, the most allowed",
                self.max_games
            )),
            _ => None,
        };
        if let Some(reason) = refusal {
            return self.decide(method, "refused", caller, pid, requester, -1, reason);
        }
        let (start_time, uid) = process(pid).unwrap_or_default();
        let reason = format!("process {pid} (uid {uid}) joins the priority workload");
        let result = self.decide(method, "registered", caller, pid, requester, 0, reason);
        if result == 0 {
            self.games.insert(
                pid,
                Game {
                    pid,
                    start_time,
                    uid,
                    requester,
                    caller,
                },
            );
            self.generation += 1;
        }
        result
    }

    /// `UnregisterGame*`: removes `pid` if it is registered and the caller may act on it (the
    /// same rule as registering; a process that exited is judged by its registered owner).
    pub fn unregister(&mut self, method: &str, caller: Caller, pid: i32, requester: i32) -> i32 {
        let refusal = match self.games.get(&pid) {
            None => Some(format!("process {pid} is not registered")),
            Some(g) if caller.uid != 0 && g.uid != caller.uid => Some(format!(
                "process {pid} belongs to uid {}, not to the caller's uid {}",
                g.uid, caller.uid
            )),
            Some(_) => None,
        };
        if let Some(reason) = refusal {
            return self.decide(method, "refused", caller, pid, requester, -1, reason);
        }
        let reason = format!("process {pid} leaves the priority workload");
        let result = self.decide(method, "unregistered", caller, pid, requester, 0, reason);
        if result == 0 {
            self.games.remove(&pid);
            self.generation += 1;
        }
        result
    }

    /// `QueryStatus*`: 0 no game registered, 1 games registered but not `pid`, 2 `pid` is
    /// registered; -1 when the requester does not exist. Not audited (it changes nothing).
    pub fn query(&self, pid: i32, requester: i32) -> i32 {
        if requester != pid && process(requester).is_none() {
            return -1;
        }
        match (self.games.len(), self.games.contains_key(&pid)) {
            (0, _) => 0,
            (_, true) => 2,
            (_, false) => 1,
        }
    }

    /// Removes the games whose process exited (or whose pid now names another process), as
    /// GameMode's reaper does; each is an `expired` event. Returns the pids removed.
    pub fn reap(&mut self) -> Vec<i32> {
        let gone: Vec<Game> = self
            .games
            .values()
            .filter(|g| process(g.pid).is_none_or(|(start, _)| start != g.start_time))
            .cloned()
            .collect();
        for g in &gone {
            self.games.remove(&g.pid);
            self.generation += 1;
            let reason = format!("process {} exited without unregistering", g.pid);
            self.decide(
                "expired",
                "expired",
                g.caller,
                g.pid,
                g.requester,
                0,
                reason,
            );
        }
        gone.iter().map(|g| g.pid).collect()
    }

    /// Audits a decision, then queues its event. A registration whose record cannot be
    /// written is refused (-1: fail closed); a removal or refusal goes ahead all the same (it
    /// only takes priority away) and its event says it was not audited.
    #[allow(clippy::too_many_arguments)]
    fn decide(
        &mut self,
        method: &str,
        outcome: &'static str,
        caller: Caller,
        pid: i32,
        requester: i32,
        result: i32,
        reason: String,
    ) -> i32 {
        let approved = outcome != "refused";
        let caller_pid = caller
            .pid
            .map_or_else(|| "unknown".to_string(), |p| p.to_string());
        let text = format!(
            "{method}: {reason} (caller pid {caller_pid}, uid {}; requester {requester}; returned {result})",
            caller.uid
        );
        let target = format!("pid:{pid}");
        let (audit_seq, result, outcome, reason) = match self.audit.record_decision(
            AUDIT_AGENT,
            approved,
            Some(Effect::ProcessControl),
            Some(&target),
            text,
            now_ms(),
        ) {
            Ok(seq) => (Some(seq), result, outcome, reason),
            Err(e) if approved && outcome == "registered" => (
                None,
                -1,
                "refused",
                format!("the audit could not record it: {e}"),
            ),
            Err(e) => (
                None,
                result,
                outcome,
                format!("{reason} (not audited: {e})"),
            ),
        };
        if self.events.len() >= MAX_PENDING_EVENTS {
            self.events.pop_front();
        }
        self.events.push_back(Event {
            method: method.to_string(),
            outcome,
            pid,
            requester,
            caller: (method != "expired").then_some(caller),
            result,
            reason,
            audit_seq,
        });
        result
    }
}

/// Opens the audit for a registry: a file (continued if it exists) or memory only.
pub fn open_audit(path: Option<&std::path::Path>) -> Result<AuditedChecker, HostError> {
    match path {
        Some(p) => AuditedChecker::open(p, crate::AuditFileOptions::default()),
        None => Ok(AuditedChecker::in_memory_keeping(Some(4096))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn me() -> Caller {
        Caller {
            uid: rustix::process::getuid().as_raw(),
            pid: Some(std::process::id()),
        }
    }
    fn reg(max: usize) -> Registry {
        Registry::new(AuditedChecker::in_memory(), max)
    }

    #[test]
    fn register_query_unregister_answer_as_gamemode_does() {
        let mut r = reg(4);
        let pid = std::process::id() as i32;
        assert_eq!(r.query(pid, pid), 0, "nothing registered");
        assert_eq!(r.register("RegisterGame", me(), pid, pid), 0);
        assert_eq!(r.query(pid, pid), 2);
        assert_eq!(r.query(1, pid), 1, "active, another pid");
        assert_eq!(r.register("RegisterGame", me(), pid, pid), -1, "twice");
        assert_eq!(r.unregister("UnregisterGame", me(), pid, pid), 0);
        assert_eq!(
            r.unregister("UnregisterGame", me(), pid, pid),
            -1,
            "unknown"
        );
        assert_eq!(r.query(pid, pid), 0);
        let events = r.take_events();
        let outcomes: Vec<_> = events.iter().map(|e| e.outcome).collect();
        assert_eq!(
            outcomes,
            ["registered", "refused", "unregistered", "refused"]
        );
        // Each is in the audit trail, with the caller's pid.
        assert_eq!(r.audit().trail().len(), 4);
        let first = r.audit().trail().records().next().unwrap();
        assert!(
            first
                .reason
                .contains(&format!("caller pid {}", std::process::id())),
            "{}",
            first.reason
        );
        assert_eq!(first.target.as_deref(), Some(format!("pid:{pid}").as_str()));
    }

    #[test]
    fn refuses_missing_processes_foreign_processes_and_past_the_bound() {
        let mut r = reg(1);
        let pid = std::process::id() as i32;
        // pid_max is at most 2^22: this pid cannot exist.
        assert_eq!(r.register("RegisterGame", me(), 5_000_000, pid), -1);
        assert_eq!(r.register("RegisterGameByPID", me(), pid, 5_000_000), -1);
        assert_eq!(r.query(pid, 5_000_000), -1, "missing requester");
        // Process 1 belongs to root: a caller with another uid may not register it.
        let stranger = Caller {
            uid: 4242,
            pid: Some(1),
        };
        assert_eq!(r.register("RegisterGameByPID", stranger, 1, 1), -1);
        assert_eq!(r.register("RegisterGame", me(), pid, pid), 0);
        assert_eq!(r.unregister("UnregisterGame", stranger, pid, pid), -1);
        // The bound: one game.
        let root = Caller {
            uid: 0,
            pid: Some(1),
        };
        assert_eq!(r.register("RegisterGameByPID", root, 1, 1), -1);
        let reasons: Vec<String> = r.take_events().into_iter().map(|e| e.reason).collect();
        assert!(reasons[0].contains("no process 5000000"), "{reasons:?}");
        assert!(reasons[1].contains("no requesting process"), "{reasons:?}");
        assert!(reasons[2].contains("belongs to uid 0"), "{reasons:?}");
        assert!(reasons[5].contains("the most allowed"), "{reasons:?}");
        assert_eq!(r.count(), 1);
    }

    #[test]
    fn a_process_that_exits_expires() {
        let mut r = reg(4);
        let mut child = std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .unwrap();
        let pid = child.id() as i32;
        assert_eq!(r.register("RegisterGame", me(), pid, pid), 0);
        assert!(r.reap().is_empty());
        child.kill().unwrap();
        child.wait().unwrap();
        assert_eq!(r.reap(), vec![pid]);
        assert_eq!(r.count(), 0);
        let last = r.take_events().pop().unwrap();
        assert_eq!((last.outcome, last.caller), ("expired", None));
    }
}
