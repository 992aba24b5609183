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
    /// Records (complete lines) in the input, including any after the first break.
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

    /// The first thing wrong, in words: the chain break, else the torn last line (whose seq
    /// is the number of records that verified); `None` when everything verified.
    pub fn first_problem(&self) -> Option<FirstProblem> {
        match (&self.problem, &self.torn_tail) {
            (Some(b), _) => Some(FirstProblem {
                seq: b.seq,
                line: b.line,
                reason: b.kind.to_string(),
            }),
            (None, Some(t)) => Some(FirstProblem {
                seq: self.verified,
                line: Some(t.line),
                reason: format!("torn last line ({} bytes without a newline)", t.byte_len),
            }),
            (None, None) => None,
        }
    }
}

/// Where a verification first failed and why ([`VerifyReport::first_problem`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirstProblem {
    /// The seq expected at the bad position.
    pub seq: u64,
    /// 1-based line, when verifying text or a file.
    pub line: Option<usize>,
    /// What is wrong there.
    pub reason: String,
}

/// Checks records one at a time against the chain so far: the streaming core of every
/// verification (records, text, files), so a file need not be held in memory to be checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainVerifier {
    next_seq: u64,
    head_hash: String,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        ChainVerifier::new()
    }
}

impl ChainVerifier {
    /// Expects the first record of a chain: seq 0 after [`GENESIS_HASH`].
    pub fn new() -> ChainVerifier {
        ChainVerifier {
            next_seq: 0,
            head_hash: GENESIS_HASH.to_string(),
        }
    }

    /// Expects the record right after `start` (seq `start.length`, `prev_hash` =
    /// `start.head_hash`): to verify a segment of a longer chain.
    pub fn from_anchor(start: &Anchor) -> ChainVerifier {
        ChainVerifier {
            next_seq: start.length,
            head_hash: start.head_hash.clone(),
        }
    }

    /// Accepts `record` if it is the next link, else says why not (and stays where it was).
    pub fn push(&mut self, record: &AuditRecord) -> Result<(), BreakKind> {
        if record.seq != self.next_seq {
            return Err(BreakKind::SeqMismatch { found: record.seq });
        }
        if *record.prev_hash != *self.head_hash {
            return Err(BreakKind::PrevHashMismatch {
                found: record.prev_hash.to_string(),
            });
        }
        let computed = record.compute_hash();
        if *record.hash != *computed {
            return Err(BreakKind::HashMismatch {
                found: record.hash.to_string(),
                computed,
            });
        }
        self.next_seq += 1;
        self.head_hash.clear();
        self.head_hash.push_str(&record.hash);
        Ok(())
    }

    /// Parses one NDJSON line (without its newline) as a canonical record and pushes it.
    pub fn push_line(&mut self, line: &str) -> Result<AuditRecord, BreakKind> {
        let record = parse_line(line)?;
        self.push(&record)?;
        Ok(record)
    }

    /// The seq the next record must have (= the length of the chain so far).
    pub fn next_seq(&self) -> u64 {
        self.next_seq
    }

    /// Hash of the last accepted record (or of the start).
    pub fn head_hash(&self) -> &str {
        &self.head_hash
    }

    /// Where the chain stands: length and head hash.
    pub fn anchor(&self) -> Anchor {
        Anchor {
            length: self.next_seq,
            head_hash: self.head_hash.clone(),
        }
    }

    /// Compares the end reached with an expected anchor.
    pub fn check_end(&self, end: Option<&Anchor>) -> Option<ChainBreak> {
        let end = end?;
        if end.length != self.next_seq {
            return Some(ChainBreak {
                seq: end.length.min(self.next_seq),
                line: None,
                kind: BreakKind::LengthMismatch {
                    expected: end.length,
                    found: self.next_seq,
                },
            });
        }
        if end.head_hash != self.head_hash {
            return Some(ChainBreak {
                seq: self.next_seq.saturating_sub(1),
                line: None,
                kind: BreakKind::HeadHashMismatch {
                    expected: end.head_hash.clone(),
                    found: self.head_hash.clone(),
                },
            });
        }
        None
    }
}

/// Verifies a whole chain from genesis, and against `end` if given.
pub fn verify_records<'a, I>(records: I, end: Option<&Anchor>) -> VerifyReport
where
    I: IntoIterator<Item = &'a AuditRecord>,
    I::IntoIter: ExactSizeIterator,
{
    verify_records_from(&ChainVerifier::new().anchor(), records, end)
}

/// Verifies records that continue the chain at `start`, and against `end` if given.
pub fn verify_records_from<'a, I>(start: &Anchor, records: I, end: Option<&Anchor>) -> VerifyReport
where
    I: IntoIterator<Item = &'a AuditRecord>,
    I::IntoIter: ExactSizeIterator,
{
    let records = records.into_iter();
    let total = records.len() as u64;
    let mut v = ChainVerifier::from_anchor(start);
    let mut problem = None;
    let mut verified = 0u64;
    for record in records {
        if let Err(kind) = v.push(record) {
            problem = Some(ChainBreak {
                seq: v.next_seq(),
                line: None,
                kind,
            });
            break;
        }
        verified += 1;
    }
    let problem = problem.or_else(|| v.check_end(end));
    VerifyReport {
        records: total,
        verified,
        head_hash: v.head_hash().to_string(),
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

/// Parses and verifies NDJSON audit text from genesis; see [`scan_ndjson_from`].
pub fn scan_ndjson(text: &str, end: Option<&Anchor>) -> NdjsonScan {
    scan_ndjson_from(&ChainVerifier::new().anchor(), text, end)
}

/// Parses and verifies NDJSON audit text (one canonical record per line, each ending in
/// `\n`) that continues the chain at `start`. Stops verifying at the first break, but counts
/// every complete line in `report.records`. A final segment without `\n` is a torn tail:
/// reported in `report.torn_tail`, not parsed, not part of the chain. A `\r\n` line ending
/// is not canonical and breaks the chain at that line.
pub fn scan_ndjson_from(start: &Anchor, text: &str, end: Option<&Anchor>) -> NdjsonScan {
    let complete_len = text.rfind('\n').map_or(0, |i| i + 1);
    let (complete, tail) = text.split_at(complete_len);
    let mut v = ChainVerifier::from_anchor(start);
    let mut records = Vec::new();
    let mut problem = None;
    let mut lines = 0usize;
    for line in complete.split_terminator('\n') {
        lines += 1;
        if problem.is_some() {
            continue;
        }
        match v.push_line(line) {
            Ok(r) => records.push(r),
            Err(kind) => {
                problem = Some(ChainBreak {
                    seq: v.next_seq(),
                    line: Some(lines),
                    kind,
                })
            }
        }
    }
    let torn_tail = (!tail.is_empty()).then(|| TornTail {
        line: lines + 1,
        byte_offset: complete_len,
        byte_len: tail.len(),
        content: tail.to_string(),
    });
    let problem = problem.or_else(|| v.check_end(end));
    let report = VerifyReport {
        records: lines as u64,
        verified: records.len() as u64,
        head_hash: v.head_hash().to_string(),
        problem,
        torn_tail,
    };
    NdjsonScan { records, report }
}

/// Verifies NDJSON audit text from genesis; see [`scan_ndjson_from`].
pub fn verify_ndjson(text: &str, end: Option<&Anchor>) -> VerifyReport {
    scan_ndjson(text, end).report
}
