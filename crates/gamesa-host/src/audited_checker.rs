//! An [`EffectChecker`] whose audit trail is also written to a file as it grows.

use crate::audit_file::{AuditFile, AuditFileOptions, OpenReport};
use crate::error::HostError;
use gamesa_core::effects::{
    AuditTrail, Decision, Effect, EffectChecker, EffectError, GrantOptions,
};
use std::path::Path;

struct Sink {
    file: AuditFile,
    /// Records of the trail already in the file.
    written: u64,
    /// Set when an append failed: the file may end in a partial line, so nothing more is
    /// written (and no more decisions are made) until it is reopened.
    failed: bool,
}

/// An effect checker, optionally backed by an audit file.
///
/// Every operation first runs on the in-memory checker, then writes the new records to the
/// file before returning. If that write fails the operation fails with `IO_ERROR` — a decision
/// whose record could not be kept is not handed out (fail closed) — and every later operation
/// fails too until the file is reopened. Grants are not stored in the file; a reopened checker
/// starts with no grants (or the default grants) and continues the chain.
pub struct AuditedChecker {
    checker: EffectChecker,
    sink: Option<Sink>,
    open_report: Option<OpenReport>,
    /// The audit file closed by [`AuditedChecker::close`]: nothing more is decided.
    closed: Option<std::path::PathBuf>,
}

impl AuditedChecker {
    /// A checker with an in-memory trail only.
    pub fn in_memory() -> AuditedChecker {
        AuditedChecker::in_memory_keeping(None)
    }

    /// A checker with an in-memory trail that keeps only about `keep` recent records (`None`:
    /// all); see `AuditTrail::set_retention`. Dropped records are gone: export them first, or
    /// use a file.
    pub fn in_memory_keeping(keep: Option<usize>) -> AuditedChecker {
        let mut trail = AuditTrail::new();
        trail.set_retention(keep);
        AuditedChecker {
            checker: EffectChecker::with_trail(trail),
            sink: None,
            open_report: None,
            closed: None,
        }
    }

    /// A checker whose trail continues the audit file at `path` (see [`AuditFile::open`]).
    pub fn open(path: &Path, options: AuditFileOptions) -> Result<AuditedChecker, HostError> {
        let (file, trail, report) = AuditFile::open(path, options)?;
        let written = trail.len();
        Ok(AuditedChecker {
            checker: EffectChecker::with_trail(trail),
            sink: Some(Sink {
                file,
                written,
                failed: false,
            }),
            open_report: Some(report),
            closed: None,
        })
    }

    /// What opening the file found (`None` for an in-memory checker).
    pub fn open_report(&self) -> Option<&OpenReport> {
        self.open_report.as_ref()
    }

    /// Closes the audit file (its lock is released, so another writer may open it); every
    /// later operation fails with `IO_ERROR`. Idempotent; nothing to do in memory.
    pub fn close(&mut self) {
        if let Some(sink) = self.sink.take() {
            self.closed = Some(sink.file.path().to_path_buf());
        }
    }

    /// Refuses to act once the sink has failed or the file was closed.
    fn ready(&self) -> Result<(), HostError> {
        if let Some(path) = &self.closed {
            return Err(HostError::Closed { path: path.clone() });
        }
        match &self.sink {
            Some(s) if s.failed => Err(HostError::SinkFailed {
                path: s.file.path().to_path_buf(),
            }),
            _ => Ok(()),
        }
    }

    /// Writes the records the file does not have yet.
    fn persist(&mut self) -> Result<(), HostError> {
        let Some(sink) = &mut self.sink else {
            return Ok(());
        };
        for record in self.checker.trail().range(sink.written, u64::MAX) {
            if let Err(e) = sink.file.append(record) {
                sink.failed = true;
                return Err(e);
            }
            sink.written += 1;
        }
        Ok(())
    }

    /// Runs `op` on the checker and persists what it recorded, even when `op` failed with a
    /// recorded denial.
    fn run<T>(
        &mut self,
        op: impl FnOnce(&mut EffectChecker) -> Result<T, EffectError>,
    ) -> Result<T, HostError> {
        self.ready()?;
        let result = op(&mut self.checker);
        self.persist()?;
        result.map_err(HostError::Effect)
    }

    /// See [`EffectChecker::grant`].
    pub fn grant(
        &mut self,
        agent: &str,
        effects: &[Effect],
        options: GrantOptions,
        now_ms: u64,
    ) -> Result<u64, HostError> {
        self.run(|c| c.grant(agent, effects, options, now_ms))
    }

    /// See [`EffectChecker::grant_defaults`].
    pub fn grant_defaults(&mut self, now_ms: u64) -> Result<(), HostError> {
        self.run(|c| c.grant_defaults(now_ms))
    }

    /// See [`EffectChecker::revoke`].
    pub fn revoke(
        &mut self,
        agent: &str,
        effect: Option<Effect>,
        now_ms: u64,
    ) -> Result<usize, HostError> {
        self.run(|c| c.revoke(agent, effect, now_ms))
    }

    /// See [`EffectChecker::check`].
    pub fn check(
        &mut self,
        agent: &str,
        effect: Effect,
        target: Option<&str>,
        now_ms: u64,
    ) -> Result<Decision, HostError> {
        self.run(|c| c.check(agent, effect, target, now_ms))
    }

    /// See [`EffectChecker::require`]: the denial is on file before `CAPABILITY_DENIED` returns.
    pub fn require(
        &mut self,
        agent: &str,
        effect: Effect,
        target: Option<&str>,
        now_ms: u64,
    ) -> Result<Decision, HostError> {
        self.run(|c| c.require(agent, effect, target, now_ms))
    }

    /// Records a decision made outside the checker and the gate (see
    /// [`EffectChecker::record_gate_decision`]): `approved` or `rejected`, with its reason.
    /// The GameMode service records each registration this way. Returns the record's seq.
    pub fn record_decision(
        &mut self,
        agent: &str,
        approved: bool,
        effect: Option<Effect>,
        target: Option<&str>,
        reason: String,
        now_ms: u64,
    ) -> Result<u64, HostError> {
        self.run(|c| c.record_gate_decision(now_ms, agent, approved, effect, target, reason))
    }

    /// The in-memory checker (grants and trail), read-only.
    pub fn checker(&self) -> &EffectChecker {
        &self.checker
    }

    /// The trail (every record, including those loaded from the file).
    pub fn trail(&self) -> &AuditTrail {
        self.checker.trail()
    }
}
