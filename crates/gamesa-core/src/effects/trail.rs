//! The append-only, hash-chained audit trail (in memory; files live in `gamesa-host`).

use super::canonical::{BodyFields, HashSink};
use super::effect::Effect;
use super::error::AuditCorrupt;
use super::hash_text::HashText;
use super::record::{AuditDecision, AuditRecord};
use super::records::Records;
use super::verify::{
    Anchor, ChainBreak, ChainVerifier, VerifyReport, scan_ndjson, verify_records_from,
};
use std::collections::VecDeque;
use std::sync::Arc;

/// An append-only sequence of [`AuditRecord`]s, each chained to the one before by its hash.
///
/// Records can only be added through [`AuditTrail::append`], which numbers and hashes them;
/// there is no way to edit one. By default every record is kept in memory. With a retention
/// limit ([`AuditTrail::set_retention`]) only the most recent records are kept (between
/// `limit` and `2 × limit` of them: older ones are dropped in batches of `limit`); the trail
/// then remembers the [`Anchor`] where the kept records start ([`AuditTrail::base`]),
/// so what is kept still verifies as a segment. Use a limit when the full history is in a file.
#[derive(Debug, Clone)]
pub struct AuditTrail {
    /// Where the kept records start: seq of the first kept record and its `prev_hash`.
    base: Anchor,
    /// The first `dropped` records are no longer kept (they are before `base`) but not freed
    /// yet: a batch of `limit` records is dropped at once as far as anyone can see, and
    /// freed a few per append, so no append pays for a whole batch (a latency spike).
    records: VecDeque<AuditRecord>,
    dropped: usize,
    retention: Option<usize>,
    /// Agent and target names recently recorded, shared by the records that name them.
    names: Names,
    /// Reused to hash every appended record.
    sink: HashSink,
}

/// Two trails are equal when they hold the same chain; which names happen to be shared is
/// not part of it.
impl PartialEq for AuditTrail {
    fn eq(&self, other: &Self) -> bool {
        self.base == other.base
            && self.records().eq(other.records())
            && self.retention == other.retention
    }
}

impl Eq for AuditTrail {}

/// How many names [`Names`] keeps (a power of two).
const NAMES_KEPT: usize = 256;

/// Recently recorded names, so that a record naming an agent or target seen lately shares
/// its string instead of allocating a copy: a trail names the same few over and over. A name
/// may sit in one of two slots picked by a hash of its bytes, so finding it takes at most two
/// comparisons; when both hold other names, the first is replaced (correct either way, only
/// less shared).
#[derive(Debug, Clone, Default)]
struct Names {
    slots: Vec<Option<Arc<str>>>,
}

/// A name for a record: its text, and the shared string holding that same text when the
/// caller has one (the gate keeps its kinds' agents and rules' targets so), which the record
/// then shares without looking it up among the recent names.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Name<'a> {
    pub text: &'a str,
    pub shared: Option<&'a Arc<str>>,
}

impl<'a> Name<'a> {
    pub(crate) fn text(text: &'a str) -> Name<'a> {
        Name { text, shared: None }
    }
}

impl Names {
    fn shared(&mut self, name: Name<'_>) -> Arc<str> {
        match name.shared {
            Some(s) => Arc::clone(s),
            None => self.share(name.text),
        }
    }

    fn share(&mut self, name: &str) -> Arc<str> {
        if self.slots.is_empty() {
            self.slots = vec![None; NAMES_KEPT];
        }
        // FNV-1a over the bytes; names are short.
        let hash = name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        });
        let first = (hash as usize) & (NAMES_KEPT - 1);
        let pair = [first, first ^ 1];
        for i in pair {
            if let Some(n) = &self.slots[i]
                && **n == *name
            {
                return Arc::clone(n);
            }
        }
        let free = pair.into_iter().find(|&i| self.slots[i].is_none());
        let slot = &mut self.slots[free.unwrap_or(first)];
        Arc::clone(slot.insert(Arc::from(name)))
    }
}

impl Default for AuditTrail {
    fn default() -> Self {
        AuditTrail::new()
    }
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
        AuditTrail {
            base: ChainVerifier::new().anchor(),
            records: VecDeque::new(),
            dropped: 0,
            retention: None,
            names: Names::default(),
            sink: HashSink::default(),
        }
    }

    /// Continues an existing chain from genesis. The records must verify (`AUDIT_CORRUPT`
    /// naming the first bad seq otherwise).
    pub fn from_records(records: Vec<AuditRecord>) -> Result<AuditTrail, AuditCorrupt> {
        AuditTrail::resume(ChainVerifier::new().anchor(), records)
    }

    /// Continues a chain whose kept records start after `base` (e.g. the tail of a long file).
    pub fn resume(base: Anchor, records: Vec<AuditRecord>) -> Result<AuditTrail, AuditCorrupt> {
        match verify_records_from(&base, &records, None).problem {
            Some(b) => Err(corrupt(b)),
            None => Ok(AuditTrail {
                base,
                records: records.into(),
                dropped: 0,
                retention: None,
                names: Names::default(),
                sink: HashSink::default(),
            }),
        }
    }

    /// Continues a chain exported as NDJSON from genesis. It must verify completely: a break or
    /// a torn last line is `AUDIT_CORRUPT` naming the line.
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
        AuditTrail::from_records(scan.records)
    }

    /// Keeps only about `limit` recent records in memory (`None`: all). The limit is at least
    /// 1 (a 0 is taken as 1) so the latest record can always be handed back.
    pub fn set_retention(&mut self, limit: Option<usize>) {
        let limit = limit.map(|l| l.max(1));
        self.retention = limit;
        if let Some(limit) = limit
            && self.kept() > limit
        {
            self.drop_oldest(self.kept() - limit);
        }
        // Not on the hot path: free what is no longer kept now.
        self.records.drain(..self.dropped);
        self.dropped = 0;
    }

    /// How many records are kept.
    fn kept(&self) -> usize {
        self.records.len() - self.dropped
    }

    /// Stops keeping the `n` oldest kept records (at most `kept()`); they are freed later.
    fn drop_oldest(&mut self, n: usize) {
        if n == 0 {
            return;
        }
        let last_dropped = &self.records[self.dropped + n - 1];
        self.base = Anchor {
            length: last_dropped.seq + 1,
            head_hash: last_dropped.hash.to_string(),
        };
        self.dropped += n;
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
        let agent = Name::text(agent);
        self.append_named(
            time_ms,
            agent,
            decision,
            effect,
            target.map(Name::text),
            &reason,
        )
    }

    /// [`AuditTrail::append`] for a caller that may already hold the names as shared strings.
    pub(crate) fn append_named(
        &mut self,
        time_ms: u64,
        agent: Name<'_>,
        decision: AuditDecision,
        effect: Option<Effect>,
        target: Option<Name<'_>>,
        reason: &str,
    ) -> &AuditRecord {
        let seq = self.len();
        // `head_hash`, from the fields themselves: the sink is borrowed apart.
        let head_hash = match self.records.back() {
            Some(r) if self.records.len() > self.dropped => &*r.hash,
            _ => self.base.head_hash.as_str(),
        };
        let hash = BodyFields {
            seq,
            time_ms,
            agent: agent.text,
            decision,
            effect,
            target: target.map(|t| t.text),
            reason,
            prev_hash: head_hash,
        }
        .hash_text(&mut self.sink);
        let prev_hash = match self.last() {
            Some(r) => r.hash.clone(),
            None => HashText::new(&self.base.head_hash),
        };
        let record = AuditRecord {
            seq,
            time_ms,
            agent: self.names.shared(agent),
            decision,
            effect,
            target: target.map(|t| self.names.shared(t)),
            reason: Arc::from(reason),
            prev_hash,
            hash,
        };
        if let Some(limit) = self.retention
            && self.kept() >= limit.saturating_mul(2)
        {
            self.drop_oldest(self.kept() - limit);
        }
        // Two per append free a batch of `limit` before the next one is dropped.
        for _ in 0..2 {
            if self.dropped == 0 {
                break;
            }
            self.records.pop_front();
            self.dropped -= 1;
        }
        self.records.push_back(record);
        self.records.back().expect("just pushed")
    }

    /// The newest kept record.
    fn last(&self) -> Option<&AuditRecord> {
        if self.kept() == 0 {
            None
        } else {
            self.records.back()
        }
    }

    /// Number of records ever appended (the next seq), kept in memory or not.
    pub fn len(&self) -> u64 {
        self.base.length + self.kept() as u64
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The records kept in memory, oldest first (all of them without a retention limit).
    pub fn records(&self) -> Records<'_> {
        self.slice(self.dropped, self.records.len())
    }

    /// Positions `from..to` of the ring buffer (`from <= to <= records.len()`; dropped
    /// records included), as a view.
    fn slice(&self, from: usize, to: usize) -> Records<'_> {
        let (a, b) = self.records.as_slices();
        let n = a.len();
        Records::new(
            &a[from.min(n)..to.min(n)],
            &b[from.saturating_sub(n)..to.saturating_sub(n)],
        )
    }

    /// The retention limit, if any.
    pub fn retention(&self) -> Option<usize> {
        self.retention
    }

    /// Where the kept records start: `length` = seq of the first kept record, `head_hash` =
    /// its `prev_hash`. Genesis (0, 64 zeros) unless older records were dropped.
    pub fn base(&self) -> &Anchor {
        &self.base
    }

    /// Kept records with `from <= seq < to` (clamped to what is kept; empty when `from >= to`).
    pub fn range(&self, from: u64, to: u64) -> Records<'_> {
        let first = self.base.length;
        let end = to.clamp(first, self.len()) - first;
        let start = from.clamp(first, self.len()) - first;
        let d = self.dropped;
        self.slice(d + start.min(end) as usize, d + end as usize)
    }

    /// Hash of the last record, or of the base when none is kept (genesis when empty).
    pub fn head_hash(&self) -> &str {
        self.last()
            .map_or(self.base.head_hash.as_str(), |r| &r.hash)
    }

    /// Length and head hash: keep it elsewhere to detect later truncation or rewriting.
    pub fn anchor(&self) -> Anchor {
        Anchor {
            length: self.len(),
            head_hash: self.head_hash().to_string(),
        }
    }

    /// Re-verifies every kept record (hashes and links, starting from the base).
    pub fn verify(&self) -> VerifyReport {
        verify_records_from(&self.base, self.records(), None)
    }

    /// The kept records as NDJSON: one canonical line per record, each ending in `\n`. Without
    /// a retention limit this is the whole chain from genesis; otherwise a segment that
    /// verifies from [`AuditTrail::base`].
    pub fn to_ndjson(&self) -> String {
        let mut out = String::new();
        for r in self.records() {
            out.push_str(&r.to_line());
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_share_names_and_link_hashes() {
        let mut t = AuditTrail::new();
        for i in 0..200 {
            let agent = format!("agent{:02}", i % 7);
            t.append(
                i,
                &agent,
                AuditDecision::Rejected,
                None,
                Some("gpu0"),
                "r".into(),
            );
        }
        let r: Vec<&AuditRecord> = t.records().collect();
        // Names are equal whether shared or not; the chain verifies.
        assert!(
            r.iter()
                .enumerate()
                .all(|(i, x)| *x.agent == *format!("agent{:02}", i % 7))
        );
        assert!(t.verify().is_ok());
        for pair in r.windows(2) {
            assert_eq!(pair[0].hash, pair[1].prev_hash);
        }
        assert!(Arc::ptr_eq(
            r[0].target.as_ref().unwrap(),
            r[199].target.as_ref().unwrap()
        ));
        assert!(Arc::ptr_eq(&r[3].agent, &r[3 + 7 * 20].agent));
        // Many more names than slots: every record still names its own.
        for i in 0..2000u64 {
            let agent = format!("a{i}");
            let rec = t.append(i, &agent, AuditDecision::Allowed, None, None, String::new());
            assert_eq!(*rec.agent, *agent);
        }
        let mut u = t.clone();
        u.names = Names::default();
        assert_eq!(t, u);
    }

    #[test]
    fn retention_keeps_the_same_records_and_frees_the_rest_gradually() {
        for limit in [1usize, 2, 5, 8] {
            let mut t = AuditTrail::new();
            t.set_retention(Some(limit));
            // The batch semantics: at 2 × limit kept, keep the newest `limit`, then append.
            let mut model: Vec<u64> = Vec::new();
            for i in 0..60u64 {
                if model.len() >= 2 * limit {
                    model.drain(..model.len() - limit);
                }
                model.push(i);
                t.append(i, "a", AuditDecision::Allowed, None, None, format!("r{i}"));
                let seqs: Vec<u64> = t.records().map(|r| r.seq).collect();
                assert_eq!(seqs, model, "limit {limit} after {i}");
                assert_eq!(t.base().length, model[0]);
                assert!(t.verify().is_ok());
                assert!(t.records.len() <= 2 * limit + 1);
                let (a, b) = t.records().as_slices();
                assert_eq!(a.len() + b.len(), model.len());
                for from in model[0].saturating_sub(1)..=i + 1 {
                    for to in from..=i + 2 {
                        let want: Vec<u64> = model
                            .iter()
                            .copied()
                            .filter(|s| (from..to).contains(s))
                            .collect();
                        let r = t.range(from, to);
                        assert_eq!(r.len(), want.len());
                        assert_eq!(r.map(|r| r.seq).collect::<Vec<_>>(), want);
                    }
                }
                assert_eq!(
                    t.records().next_back().map(|r| &*r.hash),
                    Some(t.head_hash())
                );
                assert_eq!(t.records()[0].seq, model[0]);
            }
            assert_eq!(t.clone(), t);
        }
    }
}
