//! The append-only, hash-chained audit trail (in memory; files live in `gamesa-host`).

use super::effect::Effect;
use super::error::AuditCorrupt;
use super::record::{AuditDecision, AuditRecord, GENESIS_HASH};
use super::verify::{Anchor, ChainBreak, VerifyReport, scan_ndjson, verify_records};

/// An append-only sequence of [`AuditRecord`]s, each chained to the one before by its hash.
///
/// Records can only be added through [`AuditTrail::append`], which numbers and hashes them;
/// there is no way to edit or remove one. Every record is kept in memory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditTrail {
    records: Vec<AuditRecord>,
}

fn corrupt(b: ChainBreak) -> AuditCorrupt {
    AuditCorrupt {
        line: b.line,
        seq: b.seq,
        reason: b.kind.to_string(),
    }
}

impl AuditTrail {
    /// An empty trail; its first record will have seq 0 and the genesis `prev_hash`.
    pub fn new() -> AuditTrail {
        AuditTrail::default()
    }

    /// Continues an existing chain. The records must verify (`AUDIT_CORRUPT` naming the first
    /// bad seq otherwise).
    pub fn from_records(records: Vec<AuditRecord>) -> Result<AuditTrail, AuditCorrupt> {
        match verify_records(&records, None).problem {
            Some(b) => Err(corrupt(b)),
            None => Ok(AuditTrail { records }),
        }
    }

    /// Continues a chain exported as NDJSON. It must verify completely: a break or a torn last
    /// line is `AUDIT_CORRUPT` naming the line.
    pub fn from_ndjson(text: &str) -> Result<AuditTrail, AuditCorrupt> {
        let scan = scan_ndjson(text, None);
        if let Some(b) = scan.report.problem {
            return Err(corrupt(b));
        }
        if let Some(t) = scan.report.torn_tail {
            return Err(AuditCorrupt {
                line: Some(t.line),
                seq: scan.report.verified,
                reason: format!("torn last line ({} bytes without a newline)", t.byte_len),
            });
        }
        Ok(AuditTrail {
            records: scan.records,
        })
    }

    /// Appends a record, giving it the next seq, the previous hash and its own hash.
    pub fn append(
        &mut self,
        time_ms: u64,
        agent: &str,
        decision: AuditDecision,
        effect: Option<Effect>,
        target: Option<&str>,
        reason: String,
    ) -> &AuditRecord {
        let mut record = AuditRecord {
            seq: self.records.len() as u64,
            time_ms,
            agent: agent.to_string(),
            decision,
            effect,
            target: target.map(str::to_string),
            reason,
            prev_hash: self.head_hash().to_string(),
            hash: String::new(),
        };
        record.hash = record.compute_hash();
        self.records.push(record);
        self.records.last().expect("just pushed")
    }

    /// Number of records.
    pub fn len(&self) -> u64 {
        self.records.len() as u64
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// All records, oldest first.
    pub fn records(&self) -> &[AuditRecord] {
        &self.records
    }

    /// Records with `from <= seq < to` (`to` clamped to the length; empty when `from >= to`).
    pub fn range(&self, from: u64, to: u64) -> &[AuditRecord] {
        let end = to.min(self.len());
        let start = from.min(end);
        &self.records[start as usize..end as usize]
    }

    /// Hash of the last record, or the genesis hash when empty.
    pub fn head_hash(&self) -> &str {
        self.records
            .last()
            .map_or(GENESIS_HASH, |r| r.hash.as_str())
    }

    /// Length and head hash: keep it elsewhere to detect later truncation or rewriting.
    pub fn anchor(&self) -> Anchor {
        Anchor {
            length: self.len(),
            head_hash: self.head_hash().to_string(),
        }
    }

    /// Re-verifies every record (hashes and links).
    pub fn verify(&self) -> VerifyReport {
        verify_records(&self.records, None)
    }

    /// The trail as NDJSON: one canonical line per record, each ending in `\n`.
    pub fn to_ndjson(&self) -> String {
        let mut out = String::new();
        for r in &self.records {
            out.push_str(&r.to_line());
            out.push('\n');
        }
        out
    }
}
