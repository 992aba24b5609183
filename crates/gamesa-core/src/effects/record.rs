//! One audit record and its canonical, hashed encoding.
//!
//! # Canonical encoding (what the hash covers)
//!
//! The hash of a record is the SHA-256 of the UTF-8 bytes of its *body*: the compact JSON
//! object with exactly these keys in exactly this order, no whitespace anywhere:
//!
//! ```text
//! {"seq":0,"time_ms":1700000000000,"agent":"cpu_agent","decision":"allowed",
//!  "effect":"cpu_control","target":null,"reason":"…","prev_hash":"000…0"}
//! ```
//! (shown wrapped; the real body is one line). Numbers are unsigned decimal integers without
//! sign, exponent or leading zeros. `effect` and `target` are a string or `null`. Strings use
//! minimal JSON escaping: `"` → `\"`, `\` → `\\`, U+0008/0009/000A/000C/000D → `\b \t \n \f
//! \r`, other code points below U+0020 → `\u00XX` (lowercase hex); everything else, non-ASCII
//! included, is written as raw UTF-8 (this is exactly what `serde_json` produces; the encoder
//! in [`super::canonical`] writes it by hand and is tested against `serde_json`). The hash is
//! written as 64 lowercase hex digits.
//!
//! The *line* of a record (NDJSON export, audit files) is the body with `,"hash":"<hex>"`
//! inserted before the closing `}` — i.e. the same object with `hash` as the last key —
//! followed by `\n`. The first record has `seq` 0 and `prev_hash` = 64 zeros ([`GENESIS_HASH`]);
//! every later record has `seq` one more than, and `prev_hash` equal to the `hash` of, the
//! record before it.

use super::canonical::{BodyFields, hex};
use super::effect::Effect;
use super::hash_text::HashText;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;
use std::sync::Arc;

/// `prev_hash` of the first record: 64 zeros.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What an audit record says happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditDecision {
    /// A check found a grant that covers it.
    Allowed,
    /// A check found none (default deny, expired, or outside the target scope).
    Denied,
    /// A grant was added.
    Granted,
    /// A grant was (or was asked to be) revoked.
    Revoked,
    /// The ActionGate let an action through (the reason says which checks it passed).
    Approved,
    /// The ActionGate stopped an action (the reason names the check that failed).
    Rejected,
}

impl AuditDecision {
    /// The stable snake_case name.
    pub const fn as_str(self) -> &'static str {
        match self {
            AuditDecision::Allowed => "allowed",
            AuditDecision::Denied => "denied",
            AuditDecision::Granted => "granted",
            AuditDecision::Revoked => "revoked",
            AuditDecision::Approved => "approved",
            AuditDecision::Rejected => "rejected",
        }
    }
}

impl fmt::Display for AuditDecision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One entry of the hash-chained audit trail. Field order here *is* the canonical order.
///
/// Names are shared strings (`Arc<str>`, serialized as plain strings): a trail names the same
/// few agents and targets over and over, and an engine copies every record into its tick's
/// output, so sharing them saves an allocation per name per copy; the reason is shared for
/// the same copy. Hashes are held inline
/// ([`HashText`]), which costs no allocation at all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditRecord {
    /// Position in the trail, from 0, without gaps.
    pub seq: u64,
    /// Milliseconds since the Unix epoch, as passed in by the caller (the core has no clock).
    pub time_ms: u64,
    /// The agent that asked, or that was granted or revoked.
    pub agent: Arc<str>,
    pub decision: AuditDecision,
    /// The effect concerned; `None` for "revoke everything" of an agent, and for the engine's
    /// summary of the proposals the market did not select in a tick (agent `market`).
    pub effect: Option<Effect>,
    /// The target of a check, when one was named.
    pub target: Option<Arc<str>>,
    /// Why: which grant allowed it, or why it was denied, or what was granted/revoked.
    pub reason: Arc<str>,
    /// `hash` of the previous record; [`GENESIS_HASH`] for seq 0.
    pub prev_hash: HashText,
    /// SHA-256 of the canonical body, lowercase hex.
    pub hash: HashText,
}

impl AuditRecord {
    /// The fields the body covers (every one but `hash`).
    pub(crate) fn fields(&self) -> BodyFields<'_> {
        BodyFields {
            seq: self.seq,
            time_ms: self.time_ms,
            agent: &self.agent,
            decision: self.decision,
            effect: self.effect,
            target: self.target.as_deref(),
            reason: &self.reason,
            prev_hash: &self.prev_hash,
        }
    }

    /// The canonical body (see the module docs) of this record.
    pub fn canonical_body(&self) -> String {
        let mut body = String::with_capacity(256 + self.reason.len());
        self.fields().write_body(&mut body);
        body
    }

    /// The hash this record must carry: SHA-256 of its canonical body, lowercase hex.
    pub fn compute_hash(&self) -> String {
        self.fields().hash()
    }

    /// The canonical NDJSON line, without the trailing newline.
    pub fn to_line(&self) -> String {
        let mut line = String::with_capacity(256 + self.reason.len());
        self.fields().write_line(&self.hash, &mut line);
        line
    }
}

/// SHA-256 of `bytes` as 64 lowercase hex digits.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> AuditRecord {
        let mut r = AuditRecord {
            seq: 0,
            time_ms: 42,
            agent: "cpu_agent".into(),
            decision: AuditDecision::Allowed,
            effect: Some(Effect::CpuControl),
            target: None,
            reason: "tab\there \"quoted\" é".into(),
            prev_hash: GENESIS_HASH.into(),
            hash: "".into(),
        };
        r.hash = r.compute_hash().into();
        r
    }

    #[test]
    fn body_is_the_documented_compact_json() {
        let r = sample();
        assert_eq!(
            r.canonical_body(),
            format!(
                "{{\"seq\":0,\"time_ms\":42,\"agent\":\"cpu_agent\",\"decision\":\"allowed\",\"effect\":\"cpu_control\",\"target\":null,\"reason\":\"tab\\there \\\"quoted\\\" é\",\"prev_hash\":\"{GENESIS_HASH}\"}}"
            )
        );
        let line = r.to_line();
        assert_eq!(
            line,
            format!(
                "{},\"hash\":\"{}\"}}",
                &r.canonical_body()[..r.canonical_body().len() - 1],
                r.hash
            )
        );
    }

    #[test]
    fn hash_is_sha256_of_the_body() {
        // Known SHA-256 test vector, to pin the hex encoding.
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let r = sample();
        assert_eq!(*r.hash, sha256_hex(r.canonical_body().as_bytes()));
        assert_eq!(r.hash.len(), 64);
    }
}
