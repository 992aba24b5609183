//! Property tests: the scheduler against a sort-based model under random enqueue, dequeue,
//! peek, expiry, coalescing, eviction and clear sequences.

use gamesa_core::signals::{
    DomainRanks, EnqueueOutcome, SchedulerConfig, Signal, SignalDomain, SignalKind,
    SignalScheduler, SignalStats,
};
use proptest::prelude::*;

/// The obvious implementation: a list, sorted whenever an order is needed.
struct Model {
    pending: Vec<(u64, Signal)>,
    next_seq: u64,
    capacity: usize,
    ranks: DomainRanks,
    stats: SignalStats,
}

impl Model {
    fn key(&self, seq: u64, s: &Signal) -> (u8, std::cmp::Reverse<u64>, u64) {
        (
            self.ranks.rank(s.domain),
            std::cmp::Reverse(s.strength.to_bits()),
            seq,
        )
    }

    fn sorted(&mut self) {
        let ranks = self.ranks;
        self.pending.sort_by_key(|(seq, s)| {
            (
                ranks.rank(s.domain),
                std::cmp::Reverse(s.strength.to_bits()),
                *seq,
            )
        });
    }

    fn enqueue(&mut self, mut signal: Signal) -> EnqueueOutcome {
        signal.strength += 0.0;
        self.stats.enqueued += 1;
        if let Some((_, p)) = self
            .pending
            .iter_mut()
            .find(|(_, p)| p.kind == signal.kind && p.source == signal.source)
        {
            let strength = p.strength.max(signal.strength);
            if signal.created_at_ms >= p.created_at_ms {
                *p = signal;
            }
            p.strength = strength;
            self.stats.coalesced += 1;
            return EnqueueOutcome::Coalesced;
        }
        let seq = self.next_seq;
        self.next_seq += 1;
        if self.pending.len() >= self.capacity {
            self.stats.dropped_full += 1;
            self.sorted();
            let (low_seq, low) = self.pending.last().unwrap();
            if self.key(seq, &signal) > self.key(*low_seq, low) {
                return EnqueueOutcome::Dropped(signal);
            }
            let (_, evicted) = self.pending.pop().unwrap();
            self.pending.push((seq, signal));
            return EnqueueOutcome::Evicted(evicted);
        }
        self.pending.push((seq, signal));
        EnqueueOutcome::Queued
    }

    fn dequeue(&mut self, now: f64, remove: bool) -> Option<Signal> {
        self.sorted();
        while !self.pending.is_empty() {
            if self.pending[0].1.is_expired(now) {
                self.pending.remove(0);
                self.stats.expired += 1;
                continue;
            }
            if !remove {
                return Some(self.pending[0].1.clone());
            }
            self.stats.dequeued += 1;
            return Some(self.pending.remove(0).1);
        }
        None
    }

    fn clear(&mut self) {
        self.stats.cleared += self.pending.len() as u64;
        self.pending.clear();
    }

    fn stats(&self) -> SignalStats {
        SignalStats {
            len: self.pending.len(),
            ..self.stats
        }
    }
}

#[derive(Debug, Clone)]
enum Op {
    Enqueue {
        kind: u8,
        source: u8,
        domain: u8,
        strength: f64,
        created: u16,
        ttl: u16,
    },
    Dequeue(u16),
    Peek(u16),
    Clear,
}

fn op(kinds: u8, sources: u8) -> impl Strategy<Value = Op> {
    // Few strengths so ties are common; a few arbitrary ones for the general case.
    let strength = prop_oneof![
        prop::sample::select(vec![0.0, -0.0, 0.25, 0.5, 1.0]),
        0.0..=1.0f64
    ];
    prop_oneof![
        8 => (0..kinds, 0..sources, 0u8..6, strength, 0u16..200, 0u16..100).prop_map(
            |(kind, source, domain, strength, created, ttl)| Op::Enqueue {
                kind, source, domain, strength, created, ttl
            }
        ),
        4 => (0u16..300).prop_map(Op::Dequeue),
        1 => (0u16..300).prop_map(Op::Peek),
        1 => Just(Op::Clear).prop_filter("rare", |_| true),
    ]
}

fn ranks_strategy() -> impl Strategy<Value = DomainRanks> {
    Just(SignalDomain::ALL.to_vec())
        .prop_shuffle()
        .prop_map(|order| DomainRanks::from_order(&order).unwrap())
}

fn run(capacity: usize, ranks: DomainRanks, ops: &[Op]) -> Result<(), TestCaseError> {
    let config = SchedulerConfig {
        capacity,
        domain_ranks: ranks,
    };
    let mut q = SignalScheduler::with_config(config).unwrap();
    let mut m = Model {
        pending: vec![],
        next_seq: 0,
        capacity,
        ranks,
        stats: Default::default(),
    };
    for (i, op) in ops.iter().enumerate() {
        match *op {
            Op::Enqueue {
                kind,
                source,
                domain,
                strength,
                created,
                ttl,
            } => {
                let kind = SignalKind::ALL[kind as usize];
                // The generated domain where the kind may be queued in it, else the kind's own.
                let domain = Some(SignalDomain::ALL[domain as usize])
                    .filter(|d| kind.allowed_in(*d))
                    .unwrap_or(kind.domain());
                let s = Signal {
                    id: format!("s{i}"),
                    kind,
                    domain,
                    strength,
                    source: format!("src{source}"),
                    created_at_ms: f64::from(created),
                    ttl_ms: f64::from(ttl),
                    payload: (i % 3 == 0).then(|| format!("{{\"op\":{i}}}")),
                };
                prop_assert_eq!(q.enqueue(s.clone()).unwrap(), m.enqueue(s), "op {}", i);
            }
            Op::Dequeue(now) => {
                let got = q.dequeue(f64::from(now)).unwrap();
                prop_assert_eq!(got, m.dequeue(f64::from(now), true), "op {}", i);
            }
            Op::Peek(now) => {
                let got = q.peek(f64::from(now)).unwrap().cloned();
                prop_assert_eq!(got, m.dequeue(f64::from(now), false), "op {}", i);
            }
            Op::Clear => {
                q.clear();
                m.clear();
            }
        }
        let st = q.stats();
        prop_assert_eq!(st, m.stats(), "op {}", i);
        prop_assert_eq!(
            st.enqueued,
            st.dequeued + st.expired + st.dropped_full + st.coalesced + st.cleared + st.len as u64
        );
        prop_assert!(st.len <= capacity);
    }
    // Whatever is left comes out in the model's order.
    m.sorted();
    let want: Vec<&Signal> = m.pending.iter().map(|(_, s)| s).collect();
    prop_assert_eq!(q.pending(), want);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Small queues with few keys: eviction and coalescing on nearly every step.
    #[test]
    fn matches_model_small(capacity in 1usize..8, ranks in ranks_strategy(),
                           ops in prop::collection::vec(op(3, 3), 0..200)) {
        run(capacity, ranks, &ops)?;
    }

    /// Roomier queues with more keys: long heaps, stale entries and rebuilds.
    #[test]
    fn matches_model_large(capacity in 8usize..300, ranks in ranks_strategy(),
                           ops in prop::collection::vec(op(9, 40), 0..1500)) {
        run(capacity, ranks, &ops)?;
    }
}
