//! Binding for `gamesa_core::effects` and the audit file of `gamesa-host`: converts and
//! forwards. Grant, check and audit logic is the core's; file handling and the default time (a
//! call without `nowMs` uses `gamesa_host::clock`, what `Date.now()` returns) are the host's.

use crate::convert::{count, whole};
use crate::errors::{JsError, JsResult, guard, js_error, to_js};
use gamesa_core::effects as core;
use gamesa_core::error::codes;
use gamesa_host as host;
use gamesa_host::clock;
use napi_derive::napi;
use std::path::Path;

/// A capability token (docs/architecture.md §4): what an agent must be granted before it may cause a change.
#[napi(string_enum)]
pub enum Effect {
    /// CPU frequency/governor, core parking, affinity.
    #[napi(value = "cpu_control")]
    CpuControl,
    /// GPU clocks, power limits, partitioning.
    #[napi(value = "gpu_control")]
    GpuControl,
    /// Memory reservations, huge pages, working-set limits.
    #[napi(value = "memory_control")]
    MemoryControl,
    /// Fan curves, thermal targets, throttle points.
    #[napi(value = "thermal_control")]
    ThermalControl,
    /// Power plans and power limits.
    #[napi(value = "power_control")]
    PowerControl,
    /// Process priority, suspend/resume, kill.
    #[napi(value = "process_control")]
    ProcessControl,
    /// Reading telemetry.
    #[napi(value = "telemetry_read")]
    TelemetryRead,
    /// Changing the governor's own policy (grants, contracts, limits).
    #[napi(value = "policy_write")]
    PolicyWrite,
    /// Reading the audit trail.
    #[napi(value = "audit_read")]
    AuditRead,
}

impl From<core::Effect> for Effect {
    fn from(e: core::Effect) -> Self {
        match e {
            core::Effect::CpuControl => Effect::CpuControl,
            core::Effect::GpuControl => Effect::GpuControl,
            core::Effect::MemoryControl => Effect::MemoryControl,
            core::Effect::ThermalControl => Effect::ThermalControl,
            core::Effect::PowerControl => Effect::PowerControl,
            core::Effect::ProcessControl => Effect::ProcessControl,
            core::Effect::TelemetryRead => Effect::TelemetryRead,
            core::Effect::PolicyWrite => Effect::PolicyWrite,
            core::Effect::AuditRead => Effect::AuditRead,
        }
    }
}

/// What an audit record says happened.
#[napi(string_enum)]
pub enum AuditDecision {
    #[napi(value = "allowed")]
    Allowed,
    #[napi(value = "denied")]
    Denied,
    #[napi(value = "granted")]
    Granted,
    #[napi(value = "revoked")]
    Revoked,
    #[napi(value = "approved")]
    Approved,
    #[napi(value = "rejected")]
    Rejected,
}

impl From<core::AuditDecision> for AuditDecision {
    fn from(d: core::AuditDecision) -> Self {
        match d {
            core::AuditDecision::Allowed => AuditDecision::Allowed,
            core::AuditDecision::Denied => AuditDecision::Denied,
            core::AuditDecision::Granted => AuditDecision::Granted,
            core::AuditDecision::Revoked => AuditDecision::Revoked,
            core::AuditDecision::Approved => AuditDecision::Approved,
            core::AuditDecision::Rejected => AuditDecision::Rejected,
        }
    }
}

/// Options of `new EffectChecker()` and `createDefaultChecker()`.
#[napi(object)]
pub struct EffectCheckerOptions {
    /// Append every audit record to this NDJSON file; an existing file is verified first and
    /// its chain continued (`AUDIT_CORRUPT` if it does not verify, `IO_ERROR` if unreadable).
    pub audit_path: Option<String>,
    /// `fdatasync` after every record: survives power loss, costs a disk flush per record.
    /// Default false (records survive a crash of the process, not of the machine).
    pub fsync: Option<bool>,
    /// If the file ends in a torn line (an append cut short by a crash), cut it off and report
    /// it in `openReport.tornTail` instead of throwing `AUDIT_CORRUPT`. Default false.
    pub repair_torn_tail: Option<bool>,
    /// Time of the default grants of the built-in agents (`createDefaultChecker` only); default now.
    pub now_ms: Option<f64>,
    /// Keep only about this many recent audit records in memory (between n and 2n; default:
    /// all). With `auditPath` the file still has every record; without it, older records are
    /// gone (export them first). `auditRecords`/`exportAuditNdjson` then cover what is kept,
    /// which verifies from `auditBase()`. A whole number ≥ 0 (`INVALID_ARGUMENT` otherwise).
    pub keep_in_memory: Option<f64>,
}

/// Options of `verifyAuditNdjson`.
#[napi(object)]
pub struct VerifyAuditOptions {
    /// Where the text starts in a longer chain (`auditBase()` of the checker that exported it);
    /// default: genesis (seq 0, 64 zeros).
    pub start: Option<AuditAnchor>,
    /// Where it must end (an `auditAnchor()` kept earlier): catches records cut off the end
    /// and a rewritten chain, which the chain alone cannot.
    pub end: Option<AuditAnchor>,
}

/// Options of `grant`.
#[napi(object)]
pub struct GrantOptions {
    /// The grant covers checks made before this time (ms since the epoch).
    pub expires_at_ms: Option<f64>,
    /// Target patterns: exact (`gpu0`) or prefix with one trailing `*` (`cpu.core*`). Without
    /// it the grant covers every target; with it, only checks naming a matching target.
    pub targets: Option<Vec<String>>,
    /// Time of the grant; default now.
    pub now_ms: Option<f64>,
}

/// The answer of `check` / `require`.
#[napi(object)]
pub struct CheckResult {
    pub allowed: bool,
    /// Which grant allowed it, or why it was denied (the same text as the audit record).
    pub reason: String,
    /// Seq of the audit record of this decision.
    pub seq: f64,
}

/// One grant held by an agent.
#[napi(object)]
pub struct GrantInfo {
    pub effects: Vec<Effect>,
    pub expires_at_ms: Option<f64>,
    pub targets: Option<Vec<String>>,
    pub granted_at_ms: f64,
}

/// One audit record (the NDJSON line uses snake_case keys; see docs/effects.md).
#[napi(object)]
pub struct AuditRecord {
    pub seq: f64,
    pub time_ms: f64,
    pub agent: String,
    pub decision: AuditDecision,
    /// Absent only on "revoke everything" records.
    pub effect: Option<Effect>,
    pub target: Option<String>,
    pub reason: String,
    pub prev_hash: String,
    pub hash: String,
}

/// A torn last line: an append cut short. Reported, never silently dropped.
#[napi(object)]
pub struct TornTail {
    /// 1-based line number.
    pub line: u32,
    pub byte_offset: f64,
    pub byte_len: f64,
    /// Its content (invalid UTF-8 replaced by U+FFFD).
    pub content: String,
}

/// Length and head hash of a trail: keep it elsewhere to detect truncation or rewriting.
#[napi(object)]
pub struct AuditAnchor {
    pub length: f64,
    pub head_hash: String,
}

/// The outcome of verifying a trail.
#[napi(object)]
pub struct AuditVerifyReport {
    /// True when everything verified: no break and no torn tail.
    pub ok: bool,
    /// Records (complete lines) examined.
    pub records: f64,
    /// Length of the prefix that verified.
    pub verified: f64,
    /// Hash of the last verified record (64 zeros when none).
    pub head_hash: String,
    /// The seq expected at the first bad position.
    pub first_bad_seq: Option<f64>,
    /// 1-based line of the first bad record (text and files only).
    pub line: Option<u32>,
    /// What is wrong there.
    pub reason: Option<String>,
    pub torn_tail: Option<TornTail>,
}

/// What opening an audit file found.
#[napi(object)]
pub struct AuditOpenReport {
    pub path: String,
    /// True when the file did not exist and was created.
    pub created: bool,
    /// Records found and verified in the file.
    pub records: f64,
    pub head_hash: String,
    /// The torn line cut off (only with `repairTornTail`).
    pub torn_tail: Option<TornTail>,
}

/// A row of the default grants of the built-in agents.
#[napi(object)]
pub struct DefaultGrant {
    pub agent: String,
    pub effects: Vec<Effect>,
}

fn effect(s: &str) -> JsResult<core::Effect> {
    core::Effect::parse(s).ok_or_else(|| {
        let names: Vec<&str> = core::Effect::ALL.iter().map(|e| e.as_str()).collect();
        js_error(
            codes::INVALID_ARGUMENT,
            format!(
                "unknown effect '{s}' (expected one of {})",
                names.join(", ")
            ),
        )
    })
}

/// A JS number as ms since the epoch.
fn ms(x: f64, name: &str) -> JsResult<u64> {
    whole(x, name, " of ms")
}

/// `nowMs` if given, else the wall clock of `gamesa-host` (= `Date.now()`).
fn now(x: Option<f64>) -> JsResult<u64> {
    x.map_or_else(|| Ok(clock::wall_clock_ms()), |x| ms(x, "nowMs"))
}

fn seq_arg(x: Option<f64>, name: &str, default: u64) -> JsResult<u64> {
    x.map_or(Ok(default), |x| whole(x, name, ""))
}

fn to_anchor(a: core::Anchor) -> AuditAnchor {
    AuditAnchor {
        length: a.length as f64,
        head_hash: a.head_hash,
    }
}

fn from_anchor(a: AuditAnchor, name: &str) -> JsResult<core::Anchor> {
    Ok(core::Anchor {
        length: seq_arg(Some(a.length), &format!("{name}.length"), 0)?,
        head_hash: a.head_hash,
    })
}

impl From<&core::AuditRecord> for AuditRecord {
    fn from(r: &core::AuditRecord) -> Self {
        AuditRecord {
            seq: r.seq as f64,
            time_ms: r.time_ms as f64,
            agent: r.agent.to_string(),
            decision: r.decision.into(),
            effect: r.effect.map(Effect::from),
            target: r.target.as_deref().map(str::to_string),
            reason: r.reason.to_string(),
            prev_hash: r.prev_hash.to_string(),
            hash: r.hash.to_string(),
        }
    }
}

impl From<core::TornTail> for TornTail {
    fn from(t: core::TornTail) -> Self {
        TornTail {
            line: count(t.line),
            byte_offset: t.byte_offset as f64,
            byte_len: t.byte_len as f64,
            content: t.content,
        }
    }
}

impl From<core::VerifyReport> for AuditVerifyReport {
    fn from(r: core::VerifyReport) -> Self {
        let ok = r.is_ok();
        let first = r.first_problem();
        let first_bad_seq = first.as_ref().map(|p| p.seq as f64);
        let line = first.as_ref().and_then(|p| p.line).map(count);
        let reason = first.map(|p| p.reason);
        AuditVerifyReport {
            ok,
            records: r.records as f64,
            verified: r.verified as f64,
            head_hash: r.head_hash,
            first_bad_seq,
            line,
            reason,
            torn_tail: r.torn_tail.map(TornTail::from),
        }
    }
}

impl From<&core::Grant> for GrantInfo {
    fn from(g: &core::Grant) -> Self {
        GrantInfo {
            effects: g.effects.iter().map(|&e| Effect::from(e)).collect(),
            expires_at_ms: g.expires_at_ms.map(|e| e as f64),
            targets: g
                .targets
                .as_ref()
                .map(|t| t.iter().map(ToString::to_string).collect()),
            granted_at_ms: g.granted_at_ms as f64,
        }
    }
}

impl From<core::Decision> for CheckResult {
    fn from(d: core::Decision) -> Self {
        CheckResult {
            allowed: d.allowed,
            reason: d.reason,
            seq: d.seq as f64,
        }
    }
}

fn open(options: &Option<EffectCheckerOptions>) -> JsResult<host::AuditedChecker> {
    // A JS number, not a u32: Node-API would wrap -1 to 2^32 - 1 and read NaN as 0.
    let keep_in_memory = options
        .as_ref()
        .and_then(|o| o.keep_in_memory)
        .map(|k| whole(k, "options.keepInMemory", "").map(|k| k as usize))
        .transpose()?;
    match options
        .as_ref()
        .and_then(|o| o.audit_path.as_deref().map(|p| (o, p)))
    {
        None => Ok(host::AuditedChecker::in_memory_keeping(keep_in_memory)),
        Some((o, path)) => {
            let opts = host::AuditFileOptions {
                fsync: o.fsync.unwrap_or(false),
                repair_torn_tail: o.repair_torn_tail.unwrap_or(false),
                keep_in_memory,
            };
            host::AuditedChecker::open(Path::new(path), opts).map_err(to_js)
        }
    }
}

/// Grants per agent, default deny, every decision in a hash-chained audit trail (optionally
/// also appended to a file). Calls without `nowMs` use the current time (`Date.now()`).
#[napi]
pub struct EffectChecker {
    inner: host::AuditedChecker,
}

#[napi]
impl EffectChecker {
    /// A checker with no grants. With `auditPath`, the trail continues that file.
    #[napi(constructor)]
    pub fn new(options: Option<EffectCheckerOptions>) -> Result<Self, JsError> {
        guard(|| {
            Ok(EffectChecker {
                inner: open(&options)?,
            })
        })
    }

    /// Grants `effects` to `agent` (audited); returns the seq of the last `granted` record.
    #[napi(
        ts_args_type = "agent: string, effects: Effect[], options?: GrantOptions | undefined | null"
    )]
    pub fn grant(
        &mut self,
        agent: String,
        effects: Vec<String>,
        options: Option<GrantOptions>,
    ) -> Result<f64, JsError> {
        guard(|| {
            let effects = effects
                .iter()
                .map(|e| effect(e))
                .collect::<JsResult<Vec<_>>>()?;
            let o = options.unwrap_or(GrantOptions {
                expires_at_ms: None,
                targets: None,
                now_ms: None,
            });
            let opts = core::GrantOptions {
                expires_at_ms: o.expires_at_ms.map(|e| ms(e, "expiresAtMs")).transpose()?,
                targets: o.targets,
            };
            let now = now(o.now_ms)?;
            self.inner
                .grant(&agent, &effects, opts, now)
                .map(|s| s as f64)
                .map_err(to_js)
        })
    }

    /// Revokes `effect` (or every effect) from `agent` (audited); returns how many distinct
    /// effects were removed.
    #[napi(
        ts_args_type = "agent: string, effect?: Effect | undefined | null, nowMs?: number | undefined | null"
    )]
    pub fn revoke(
        &mut self,
        agent: String,
        effect_name: Option<String>,
        now_ms: Option<f64>,
    ) -> Result<u32, JsError> {
        guard(|| {
            let e = effect_name.as_deref().map(effect).transpose()?;
            let n = self.inner.revoke(&agent, e, now(now_ms)?).map_err(to_js)?;
            Ok(count(n))
        })
    }

    /// Closes the audit file, releasing its lock so another checker (in this process or
    /// another) may open it; every later call fails with `IO_ERROR`. Idempotent.
    #[napi]
    pub fn close(&mut self) -> Result<(), JsError> {
        guard(|| {
            self.inner.close();
            Ok(())
        })
    }

    /// Whether `agent` may perform `effect` (on `target`) now. Audited like `check`.
    #[napi(
        ts_args_type = "agent: string, effect: Effect, target?: string | undefined | null, nowMs?: number | undefined | null"
    )]
    pub fn can_perform(
        &mut self,
        agent: String,
        effect_name: String,
        target: Option<String>,
        now_ms: Option<f64>,
    ) -> Result<bool, JsError> {
        guard(|| {
            let d = self
                .inner
                .check(
                    &agent,
                    effect(&effect_name)?,
                    target.as_deref(),
                    now(now_ms)?,
                )
                .map_err(to_js)?;
            Ok(d.allowed)
        })
    }

    /// The decision with its reason and audit seq.
    #[napi(
        ts_args_type = "agent: string, effect: Effect, target?: string | undefined | null, nowMs?: number | undefined | null"
    )]
    pub fn check(
        &mut self,
        agent: String,
        effect_name: String,
        target: Option<String>,
        now_ms: Option<f64>,
    ) -> Result<CheckResult, JsError> {
        guard(|| {
            let e = effect(&effect_name)?;
            self.inner
                .check(&agent, e, target.as_deref(), now(now_ms)?)
                .map(CheckResult::from)
                .map_err(to_js)
        })
    }

    /// Like `check`, but a denial throws `CAPABILITY_DENIED` (after it is audited).
    #[napi(
        ts_args_type = "agent: string, effect: Effect, target?: string | undefined | null, nowMs?: number | undefined | null"
    )]
    pub fn require(
        &mut self,
        agent: String,
        effect_name: String,
        target: Option<String>,
        now_ms: Option<f64>,
    ) -> Result<CheckResult, JsError> {
        guard(|| {
            let e = effect(&effect_name)?;
            self.inner
                .require(&agent, e, target.as_deref(), now(now_ms)?)
                .map(CheckResult::from)
                .map_err(to_js)
        })
    }

    /// The grants `agent` holds, in the order made.
    #[napi]
    pub fn grants(&self, agent: String) -> Result<Vec<GrantInfo>, JsError> {
        guard(|| {
            Ok(self
                .inner
                .checker()
                .grants(&agent)
                .iter()
                .map(GrantInfo::from)
                .collect())
        })
    }

    /// Number of audit records (including those loaded from the audit file).
    #[napi(getter)]
    pub fn audit_length(&self) -> Result<f64, JsError> {
        guard(|| Ok(self.inner.trail().len() as f64))
    }

    /// Records with `from <= seq < to` (defaults: the whole trail).
    #[napi]
    pub fn audit_records(
        &self,
        from: Option<f64>,
        to: Option<f64>,
    ) -> Result<Vec<AuditRecord>, JsError> {
        guard(|| {
            let from = seq_arg(from, "from", 0)?;
            let to = seq_arg(to, "to", u64::MAX)?;
            Ok(self
                .inner
                .trail()
                .range(from, to)
                .map(AuditRecord::from)
                .collect())
        })
    }

    /// The whole trail as NDJSON: one canonical record per line, each ending in `\n`.
    #[napi]
    pub fn export_audit_ndjson(&self) -> Result<String, JsError> {
        guard(|| Ok(self.inner.trail().to_ndjson()))
    }

    /// Re-verifies every record in memory.
    #[napi]
    pub fn verify_audit(&self) -> Result<AuditVerifyReport, JsError> {
        guard(|| Ok(self.inner.trail().verify().into()))
    }

    /// Length and head hash of the trail now, to keep elsewhere and pass to
    /// `verifyAuditNdjson` later (catches truncation and wholesale rewrites).
    #[napi]
    pub fn audit_anchor(&self) -> Result<AuditAnchor, JsError> {
        guard(|| Ok(to_anchor(self.inner.trail().anchor())))
    }

    /// Where the records kept in memory start (`length` = seq of the first, `headHash` = its
    /// `prevHash`): genesis unless `keepInMemory` dropped older ones. Pass it as `start` to
    /// `verifyAuditNdjson` for an export of a bounded trail.
    #[napi]
    pub fn audit_base(&self) -> Result<AuditAnchor, JsError> {
        guard(|| Ok(to_anchor(self.inner.trail().base().clone())))
    }

    /// What opening the audit file found; null without `auditPath`.
    #[napi(getter)]
    pub fn open_report(&self) -> Result<Option<AuditOpenReport>, JsError> {
        guard(|| {
            Ok(self.inner.open_report().map(|r| AuditOpenReport {
                path: r.path.display().to_string(),
                created: r.created,
                records: r.records as f64,
                head_hash: r.head_hash.clone(),
                torn_tail: r.torn_tail.clone().map(TornTail::from),
            }))
        })
    }
}

/// A checker with the documented default grants of the built-in agents (see `defaultGrants()`),
/// granted — and audited — at `options.nowMs` (default now).
#[napi]
pub fn create_default_checker(
    options: Option<EffectCheckerOptions>,
) -> Result<EffectChecker, JsError> {
    guard(|| {
        let mut inner = open(&options)?;
        let t = now(options.as_ref().and_then(|o| o.now_ms))?;
        inner.grant_defaults(t).map_err(to_js)?;
        Ok(EffectChecker { inner })
    })
}

/// The default grants of the built-in agents.
#[napi]
pub fn default_grants() -> Result<Vec<DefaultGrant>, JsError> {
    guard(|| {
        Ok(core::default_grants()
            .iter()
            .map(|g| DefaultGrant {
                agent: g.agent.to_string(),
                effects: g.effects.iter().map(|&e| Effect::from(e)).collect(),
            })
            .collect())
    })
}

/// Verifies NDJSON audit text (e.g. `exportAuditNdjson()` output), from `options.start`
/// (default genesis) and against `options.end` if given. Never throws for bad content: the
/// report says what is wrong and where.
#[napi]
pub fn verify_audit_ndjson(
    text: String,
    options: Option<VerifyAuditOptions>,
) -> Result<AuditVerifyReport, JsError> {
    guard(|| {
        let (start, end) = options.map_or((None, None), |o| (o.start, o.end));
        let start = match start {
            Some(a) => from_anchor(a, "start")?,
            None => core::ChainVerifier::new().anchor(),
        };
        let end = end.map(|a| from_anchor(a, "end")).transpose()?;
        Ok(core::scan_ndjson_from(&start, &text, end.as_ref())
            .report
            .into())
    })
}

/// Verifies an audit file without opening it for writing or repairing it (`IO_ERROR` if it
/// cannot be read).
#[napi]
pub fn verify_audit_file(path: String) -> Result<AuditVerifyReport, JsError> {
    guard(|| {
        host::inspect_audit_file(Path::new(&path))
            .map(AuditVerifyReport::from)
            .map_err(to_js)
    })
}
