//! Enqueueing many signals at once: from a list of records, or from columns (one array per
//! field), which is what the binding's fastest batch form hands over. Both are all-or-nothing:
//! every signal is checked before the first is enqueued.

use super::{
    DEFAULT_TELEMETRY_SOURCE, EnqueueOutcome, Signal, SignalDomain, SignalError, SignalKind,
    SignalScheduler,
};

/// What happened to the signals of one batch (see [`EnqueueOutcome`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BatchOutcome {
    /// Queued as new entries without dropping anything.
    pub queued: usize,
    /// Merged into a pending signal with the same `(kind, source)`.
    pub coalesced: usize,
    /// Queued, each dropping a lower-ranked pending signal because the queue was full.
    pub evicted: usize,
    /// Dropped themselves because the queue was full and they ranked lowest.
    pub dropped: usize,
}

impl SignalScheduler {
    /// Enqueues `signals` in order, as that many `enqueue` calls would. If any signal is
    /// invalid, nothing is enqueued and the error names its index (`signals[i]`).
    pub fn enqueue_all(&mut self, signals: Vec<Signal>) -> Result<BatchOutcome, SignalError> {
        for (i, signal) in signals.iter().enumerate() {
            signal
                .validate()
                .map_err(|e| at(&format!("signals[{i}]"), e))?;
        }
        let mut outcome = BatchOutcome::default();
        for signal in signals {
            match self.enqueue(signal)? {
                EnqueueOutcome::Queued => outcome.queued += 1,
                EnqueueOutcome::Coalesced => outcome.coalesced += 1,
                EnqueueOutcome::Evicted(_) => outcome.evicted += 1,
                EnqueueOutcome::Dropped(_) => outcome.dropped += 1,
            }
        }
        Ok(outcome)
    }
}

/// A batch as columns: entry `i` of every column describes signal `i`. Optional columns take
/// the documented default for every signal.
#[derive(Debug, Clone, Copy, Default)]
pub struct SignalColumns<'a> {
    /// Kind codes ([`SignalKind::code`], the position in [`SignalKind::ALL`]). Sets the
    /// batch length.
    pub kinds: &'a [u8],
    /// Strengths in `[0, 1]`.
    pub strengths: &'a [f64],
    /// Source names, referenced by `source_index`; default: [`DEFAULT_TELEMETRY_SOURCE`]
    /// for every signal.
    pub sources: Option<&'a [String]>,
    /// Index into `sources` per signal; default: `sources[0]` for every signal.
    pub source_index: Option<&'a [u32]>,
    /// Domain codes ([`SignalDomain::index`]); default: each kind's own domain.
    pub domains: Option<&'a [u8]>,
    /// Creation times in ms; default: the `default_created_at_ms` argument.
    pub created_at_ms: Option<&'a [f64]>,
    /// Times to live in ms; default: the `default_ttl_ms` argument.
    pub ttl_ms: Option<&'a [f64]>,
    /// Identifiers; default: made by the `make_id` argument.
    pub ids: Option<&'a [String]>,
    /// Payloads; default: none.
    pub payloads: Option<&'a [Option<String>]>,
}

impl SignalColumns<'_> {
    /// Builds and validates the signals. Errors (`INVALID_ARGUMENT`) name the column and the
    /// index: a column of the wrong length, a code or source index out of range, or a field
    /// out of range as in [`Signal::validate`].
    pub fn to_signals(
        &self,
        default_created_at_ms: f64,
        default_ttl_ms: f64,
        mut make_id: impl FnMut(SignalKind) -> String,
    ) -> Result<Vec<Signal>, SignalError> {
        let n = self.kinds.len();
        check_len("strengths", self.strengths.len(), n)?;
        for (name, len) in [
            ("sourceIndex", self.source_index.map(<[u32]>::len)),
            ("domains", self.domains.map(<[u8]>::len)),
            ("createdAtMs", self.created_at_ms.map(<[f64]>::len)),
            ("ttlMs", self.ttl_ms.map(<[f64]>::len)),
            ("ids", self.ids.map(<[String]>::len)),
            ("payloads", self.payloads.map(<[Option<String>]>::len)),
        ] {
            if let Some(len) = len {
                check_len(name, len, n)?;
            }
        }
        let default_source = [DEFAULT_TELEMETRY_SOURCE.to_string()];
        let sources = self.sources.unwrap_or(&default_source);
        if sources.is_empty() && n > 0 {
            return Err(SignalError::InvalidArgument(
                "columns.sources is empty; give at least one source name or omit it".to_string(),
            ));
        }

        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            let kind = SignalKind::from_code(self.kinds[i]).ok_or_else(|| {
                SignalError::InvalidArgument(format!(
                    "columns.kinds[{i}]: {} is not a signal kind code (0..{})",
                    self.kinds[i],
                    SignalKind::ALL.len()
                ))
            })?;
            let domain = match self.domains {
                Some(d) => *SignalDomain::ALL.get(usize::from(d[i])).ok_or_else(|| {
                    SignalError::InvalidArgument(format!(
                        "columns.domains[{i}]: {} is not a signal domain code (0..{})",
                        d[i],
                        SignalDomain::ALL.len()
                    ))
                })?,
                None => kind.domain(),
            };
            let source_at = self.source_index.map_or(0, |s| s[i] as usize);
            let source = sources.get(source_at).ok_or_else(|| {
                SignalError::InvalidArgument(format!(
                    "columns.sourceIndex[{i}]: {source_at} is past the end of columns.sources ({} names)",
                    sources.len()
                ))
            })?;
            let signal = Signal {
                id: match self.ids {
                    Some(ids) => ids[i].clone(),
                    None => make_id(kind),
                },
                kind,
                domain,
                strength: self.strengths[i],
                source: source.clone(),
                created_at_ms: self.created_at_ms.map_or(default_created_at_ms, |c| c[i]),
                ttl_ms: self.ttl_ms.map_or(default_ttl_ms, |t| t[i]),
                payload: self.payloads.and_then(|p| p[i].clone()),
            };
            signal
                .validate()
                .map_err(|e| at(&format!("signals[{i}]"), e))?;
            out.push(signal);
        }
        Ok(out)
    }
}

fn check_len(name: &str, len: usize, n: usize) -> Result<(), SignalError> {
    if len != n {
        return Err(SignalError::InvalidArgument(format!(
            "columns.{name} has {len} entries but columns.kinds has {n}; every column needs one entry per signal"
        )));
    }
    Ok(())
}

/// Prefixes an error message with where in the batch it happened.
fn at(place: &str, e: SignalError) -> SignalError {
    match e {
        SignalError::InvalidArgument(m) => SignalError::InvalidArgument(format!("{place}: {m}")),
        SignalError::InvalidConfig(m) => SignalError::InvalidConfig(format!("{place}: {m}")),
    }
}

/// Signals as owned columns (the shape of [`SignalColumns`]), for handing many dequeued
/// signals back in a few arrays instead of one record each.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OwnedSignalColumns {
    pub kinds: Vec<u8>,
    pub strengths: Vec<f64>,
    /// Distinct sources in order of first appearance.
    pub sources: Vec<String>,
    pub source_index: Vec<u32>,
    pub domains: Vec<u8>,
    pub created_at_ms: Vec<f64>,
    pub ttl_ms: Vec<f64>,
    pub ids: Vec<String>,
    pub payloads: Vec<Option<String>>,
}

impl OwnedSignalColumns {
    /// Splits `signals` into columns, keeping their order; reading entry `i` of every column
    /// gives back signal `i` exactly.
    pub fn from_signals(signals: Vec<Signal>) -> Self {
        let n = signals.len();
        let mut c = OwnedSignalColumns {
            kinds: Vec::with_capacity(n),
            strengths: Vec::with_capacity(n),
            sources: Vec::new(),
            source_index: Vec::with_capacity(n),
            domains: Vec::with_capacity(n),
            created_at_ms: Vec::with_capacity(n),
            ttl_ms: Vec::with_capacity(n),
            ids: Vec::with_capacity(n),
            payloads: Vec::with_capacity(n),
        };
        // Lookup only; the output order of `sources` is first appearance, not map order.
        let mut seen: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
        for s in signals {
            let index = match seen.get(&s.source) {
                Some(&i) => i,
                None => {
                    let i = c.sources.len() as u32;
                    seen.insert(s.source.clone(), i);
                    c.sources.push(s.source);
                    i
                }
            };
            c.kinds.push(s.kind.code());
            c.strengths.push(s.strength);
            c.source_index.push(index);
            c.domains.push(s.domain.index() as u8);
            c.created_at_ms.push(s.created_at_ms);
            c.ttl_ms.push(s.ttl_ms);
            c.ids.push(s.id);
            c.payloads.push(s.payload);
        }
        c
    }

    /// A borrowed view, e.g. to enqueue the same signals again.
    pub fn view(&self) -> SignalColumns<'_> {
        SignalColumns {
            kinds: &self.kinds,
            strengths: &self.strengths,
            sources: Some(&self.sources),
            source_index: Some(&self.source_index),
            domains: Some(&self.domains),
            created_at_ms: Some(&self.created_at_ms),
            ttl_ms: Some(&self.ttl_ms),
            ids: Some(&self.ids),
            payloads: Some(&self.payloads),
        }
    }
}
