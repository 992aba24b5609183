//! Effects (capability tokens), grants, and the hash-chained audit trail (docs/architecture.md §4).
//!
//! An agent may only cause an [`Effect`] it was granted: [`EffectChecker`] holds grants per
//! agent (optional expiry, optional target scope, see [`scope`]) and denies by default. Every
//! grant, revoke and check is appended to an [`AuditTrail`] whose records are chained by
//! SHA-256 (encoding in [`record`]) and can be verified ([`verify`]), exported and re-read as
//! NDJSON. Time is always an argument (`now_ms`); files are handled by `gamesa-host`.

mod canonical;
pub mod checker;
pub mod default_grants;
pub mod effect;
pub mod error;
pub mod hash_text;
pub mod record;
pub mod records;
pub mod scope;
pub mod trail;
pub mod verify;

pub(crate) use canonical::push_u64;
pub use checker::{Decision, EffectChecker, Grant, GrantOptions};
pub use default_grants::{DefaultGrant, default_grants};
pub use effect::Effect;
pub use error::{AuditCorrupt, EffectError};
pub use hash_text::HashText;
pub use record::{AuditDecision, AuditRecord, GENESIS_HASH};
pub use records::Records;
pub use scope::TargetPattern;
pub use trail::AuditTrail;
pub use verify::{
    Anchor, BreakKind, ChainBreak, ChainVerifier, FirstProblem, NdjsonScan, TornTail, VerifyReport,
    scan_ndjson, scan_ndjson_from, verify_ndjson, verify_records, verify_records_from,
};
