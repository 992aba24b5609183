//! Verifying a hash chain, from records or from NDJSON text.
//!
//! A chain is valid when record *i* has `seq` *i*, `prev_hash` equal to the `hash` of record
//! *i−1* (64 zeros for *i* = 0), and a `hash` equal to the SHA-256 of its canonical body
//! (see [`super::record`]). That catches an altered record (its hash no longer matches), a
//! removed, inserted or reordered record (a `seq` or `prev_hash` no longer follows), unless the
//! forger rewrote *every* later record too. Two things a bare chain cannot catch: records cut
//! off the end, and a wholesale rewrite. Both are caught by comparing with an [`Anchor`] (the
//! length and head hash) that was kept somewhere else — e.g. `EffectChecker::trail().anchor()`
//! sent to a log server, or printed in a report.

use super::record::{AuditRecord, GENESIS_HASH};
use std::fmt;

/// What a verifier checks the end of a chain against: its length and the hash of its last
/// record ([`GENESIS_HASH`] when empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    pub length: u64,
    pub head_hash: String,
}

/// Why the chain breaks at a position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BreakKind {
    /// The line is not a JSON audit record (message from the parser).
    Unparsable(String),
    /// The line parses but is not byte-for-byte the canonical encoding of its fields.
    NotCanonical,
    /// `seq` is not the position in the chain.
    SeqMismatch { found: u64 },
    /// `prev_hash` is not the hash of the record before.
    PrevHashMismatch { found: String },
    /// `hash` is not the SHA-256 of the record's canonical body (the record was altered).
    HashMismatch { found: String, computed: String },
    /// The chain verifies but is not as long as the anchor says (records cut off or added).
    LengthMismatch { expected: u64, found: u64 },
    /// The chain verifies and has the anchored length, but its head hash differs (rewritten).
    HeadHashMismatch { expected: String, found: String },
}

impl fmt::Display for BreakKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BreakKind::Unparsable(m) => write!(f, "not an audit record: {m}"),
            BreakKind::NotCanonical => {
                f.write_str("record is not in canonical encoding (reformatted or edited)")
            }
            BreakKind::SeqMismatch { found } => write!(
                f,
                "seq is {found} (a record was removed, inserted or moved)"
            ),
            BreakKind::PrevHashMismatch { found } => {
                write!(
                    f,
                    "prev_hash {found} is not the hash of the previous record (a record was removed, inserted or moved)"
                )
            }
            BreakKind::HashMismatch { found, computed } => {
                write!(
                    f,
                    "hash {found} does not match the record's content (computed {computed}): the record was altered"
                )
            }
            BreakKind::LengthMismatch { expected, found } => {
                write!(
                    f,
                    "chain has {found} records but the anchor says {expected} (records cut off or appended)"
                )
            }
            BreakKind::HeadHashMismatch { expected, found } => {
                write!(
                    f,
                    "head hash {found} differs from the anchored {expected} (the chain was rewritten)"
                )
            }
        }
    }
}

/// The first place a chain stops verifying.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainBreak {
    /// The sequence number expected at the bad position (= its 0-based index). For an anchor
    /// length mismatch, the first seq that is missing or extra.
    pub seq: u64,
    /// 1-based line in the NDJSON text, when verifying text.
    pub line: Option<usize>,
    pub kind: BreakKind,
}

impl fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "seq {}", self.seq)?;
        if let Some(line) = self.line {
            write!(f, " (line {line})")?;
        }
        write!(f, ": {}", self.kind)
    }
}

/// A last line without its newline: a write that did not complete (crash, full disk).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TornTail {
    /// 1-based line number of the torn line.
    pub line: usize,
    /// Byte offset where it starts (the length of the intact part).
    pub byte_offset: usize,
    /// Its length in bytes.
    pub byte_len: usize,
    /// Its content (invalid UTF-8 replaced by U+FFFD), so nothing is lost from view.
    pub content: String,
}

/// The outcome of verifying a chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    /// Records (or complete lines) examined.
    pub records: u64,
    /// Length of the prefix that verified.
    pub verified: u64,
    /// Hash of the last verified record ([`GENESIS_HASH`] when none): where the chain continues.
    pub head_hash: String,
    /// The first break, if any.
    pub problem: Option<ChainBreak>,
    /// A torn last line (text input only). Not part of the chain; reported, never ignored.
    pub torn_tail: Option<TornTail>,
}

impl VerifyReport {
    /// True when the whole input verified: no break and no torn tail.
    pub fn is_ok(&self) -> bool {
        self.problem.is_none() && self.torn_tail.is_none()
    }
}

/// Checks one record against its position and predecessor.
fn check_link(record: &AuditRecord, seq: u64, prev_hash: &str) -> Option<BreakKind> {
    if record.seq != seq {
        return Some(BreakKind::SeqMismatch { found: record.seq });
    }
    if record.prev_hash != prev_hash {
        return Some(BreakKind::PrevHashMismatch {
            found: record.prev_hash.clone(),
        });
    }
    let computed = record.compute_hash();
    if record.hash != computed {
        return Some(BreakKind::HashMismatch {
            found: record.hash.clone(),
            computed,
        });
    }
    None
}

fn check_anchor(verified: u64, head_hash: &str, anchor: Option<&Anchor>) -> Option<ChainBreak> {
    let anchor = anchor?;
    if anchor.length != verified {
        return Some(ChainBreak {
            seq: anchor.length.min(verified),
            line: None,
            kind: BreakKind::LengthMismatch {
                expected: anchor.length,
                found: verified,
            },
        });
    }
    if anchor.head_hash != head_hash {
        return Some(ChainBreak {
            seq: verified.saturating_sub(1),
            line: None,
            kind: BreakKind::HeadHashMismatch {
                expected: anchor.head_hash.clone(),
                found: head_hash.to_string(),
            },
        });
    }
    None
}

/// Verifies records in order, and against `anchor` if given.
pub fn verify_records(records: &[AuditRecord], anchor: Option<&Anchor>) -> VerifyReport {
    let mut head = GENESIS_HASH.to_string();
    for (i, record) in records.iter().enumerate() {
        let seq = i as u64;
        if let Some(kind) = check_link(record, seq, &head) {
            return VerifyReport {
                records: records.len() as u64,
                verified: seq,
                head_hash: head,
                problem: Some(ChainBreak {
                    seq,
                    line: None,
                    kind,
                }),
                torn_tail: None,
            };
        }
        head.clone_from(&record.hash);
    }
    let verified = records.len() as u64;
    let problem = check_anchor(verified, &head, anchor);
    VerifyReport {
        records: verified,
        verified,
        head_hash: head,
        problem,
        torn_tail: None,
    }
}

/// NDJSON text split, parsed and verified: the verified prefix and the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NdjsonScan {
    /// The records that verified, in order (everything before the first break).
    pub records: Vec<AuditRecord>,
    pub report: VerifyReport,
}

/// Parses one complete line as a canonical audit record.
fn parse_line(line: &str) -> Result<AuditRecord, BreakKind> {
    if line.is_empty() {
        return Err(BreakKind::Unparsable("blank line".to_string()));
    }
    let record: AuditRecord =
        serde_json::from_str(line).map_err(|e| BreakKind::Unparsable(e.to_string()))?;
    if record.to_line() != line {
        return Err(BreakKind::NotCanonical);
    }
    Ok(record)
}

/// Parses and verifies NDJSON audit text (one canonical record per line, each ending in
/// `\n`). Stops at the first break. A final segment without `\n` is a torn tail: reported in
/// `report.torn_tail`, not parsed, not part of the chain. A `\r\n` line ending is not
/// canonical and breaks the chain at that line.
pub fn scan_ndjson(text: &str, anchor: Option<&Anchor>) -> NdjsonScan {
    let (complete, torn_tail) = match text.rfind('\n') {
        Some(i) if i + 1 == text.len() => (&text[..i + 1], None),
        Some(i) => (&text[..i + 1], Some(i + 1)),
        None if text.is_empty() => ("", None),
        None => ("", Some(0)),
    };
    let lines: Vec<&str> = if complete.is_empty() {
        Vec::new()
    } else {
        complete[..complete.len() - 1].split('\n').collect()
    };
    let torn_tail = torn_tail.map(|offset| TornTail {
        line: lines.len() + 1,
        byte_offset: offset,
        byte_len: text.len() - offset,
        content: text[offset..].to_string(),
    });

    let mut records = Vec::with_capacity(lines.len());
    let mut head = GENESIS_HASH.to_string();
    for (i, line) in lines.iter().enumerate() {
        let seq = i as u64;
        let outcome = parse_line(line).and_then(|r| match check_link(&r, seq, &head) {
            Some(kind) => Err(kind),
            None => Ok(r),
        });
        match outcome {
            Ok(record) => {
                head.clone_from(&record.hash);
                records.push(record);
            }
            Err(kind) => {
                let report = VerifyReport {
                    records: lines.len() as u64,
                    verified: seq,
                    head_hash: head,
                    problem: Some(ChainBreak {
                        seq,
                        line: Some(i + 1),
                        kind,
                    }),
                    torn_tail,
                };
                return NdjsonScan { records, report };
            }
        }
    }
    let verified = records.len() as u64;
    let problem = check_anchor(verified, &head, anchor);
    let report = VerifyReport {
        records: verified,
        verified,
        head_hash: head,
        problem,
        torn_tail,
    };
    NdjsonScan { records, report }
}

/// Verifies NDJSON audit text; see [`scan_ndjson`].
pub fn verify_ndjson(text: &str, anchor: Option<&Anchor>) -> VerifyReport {
    scan_ndjson(text, anchor).report
}
