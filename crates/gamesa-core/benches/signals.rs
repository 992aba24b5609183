//! Signal queue: one enqueue plus one dequeue at a steady queue length (target: ≤ 100 ns).
//!
//! Each iteration dequeues the head and enqueues it again with a new strength and domain, so
//! the queue stays at its length, the heaps keep reshuffling, and no allocation is timed (the
//! signal's strings are moved, not copied) — the cost measured is the queue's own.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use gamesa_core::signals::{SchedulerConfig, Signal, SignalDomain, SignalKind, SignalScheduler};
use std::hint::black_box;

fn signal(i: u64) -> Signal {
    let kind = SignalKind::ALL[(i % 9) as usize];
    Signal {
        id: format!("sig-{i}"),
        kind,
        domain: kind.domain(),
        strength: 0.5,
        source: format!("agent-{i}"),
        created_at_ms: 0.0,
        ttl_ms: f64::INFINITY,
        payload: None,
    }
}

/// A cheap deterministic pseudo-random sequence (xorshift) for strengths and domains.
fn next(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

fn filled(len: u64, capacity: usize) -> SignalScheduler {
    let config = SchedulerConfig {
        capacity,
        ..SchedulerConfig::default()
    };
    let mut q = SignalScheduler::with_config(config).unwrap();
    for i in 0..len {
        q.enqueue(signal(i)).unwrap();
    }
    q
}

fn enqueue_dequeue(c: &mut Criterion) {
    let mut group = c.benchmark_group("signals/enqueue+dequeue");
    for len in [16u64, 1024, 4000] {
        group.bench_with_input(BenchmarkId::from_parameter(len), &len, |b, &len| {
            let mut q = filled(len, 4096);
            let mut rng = 0x9e37_79b9_7f4a_7c15u64;
            b.iter(|| {
                let mut s = q.dequeue(black_box(1.0)).unwrap().unwrap();
                let r = next(&mut rng);
                s.strength = (r >> 11) as f64 / (1u64 << 53) as f64;
                s.domain = SignalDomain::ALL[(r % 6) as usize];
                black_box(q.enqueue(s).unwrap());
            });
        });
    }
    group.finish();
}

fn coalesce(c: &mut Criterion) {
    // Enqueue of a signal whose (kind, source) is pending: index lookup and merge only.
    c.bench_function("signals/enqueue coalescing (1024 pending)", |b| {
        let mut q = filled(1024, 4096);
        let mut probe = signal(7);
        let mut rng = 1u64;
        b.iter(|| {
            let r = next(&mut rng);
            probe.strength = (r >> 11) as f64 / (1u64 << 53) as f64;
            black_box(q.enqueue(black_box(probe.clone())).unwrap());
        });
    });
}

fn full(c: &mut Criterion) {
    // Enqueue into a full queue: every call evicts the lowest or drops the incoming signal.
    c.bench_function("signals/enqueue into full queue (1024)", |b| {
        let mut q = filled(1024, 1024);
        let mut rng = 7u64;
        let mut spare = Some(signal(1_000_000));
        let mut i = 2_000_000u64;
        b.iter(|| {
            let mut s = spare.take().unwrap();
            let r = next(&mut rng);
            s.strength = (r >> 11) as f64 / (1u64 << 53) as f64;
            s.domain = SignalDomain::ALL[(r % 6) as usize];
            // A fresh key each time so the call never coalesces.
            s.kind = SignalKind::ALL[(i % 9) as usize];
            i += 1;
            spare = Some(match q.enqueue(s).unwrap() {
                gamesa_core::signals::EnqueueOutcome::Evicted(old)
                | gamesa_core::signals::EnqueueOutcome::Dropped(old) => old,
                // Rare: the recycled signal met a pending one with its (kind, source).
                gamesa_core::signals::EnqueueOutcome::Coalesced
                | gamesa_core::signals::EnqueueOutcome::Queued => signal(i),
            });
        });
    });
}

criterion_group!(benches, enqueue_dequeue, coalesce, full);
criterion_main!(benches);
