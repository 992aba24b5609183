//! Allocate + release at 50 % occupancy, per strategy, at two levels:
//! - `pool/<strategy>`: the strategy's pool alone (the data structure);
//! - `allocator/<strategy>`: the whole `Allocator::allocate` + `release` path (validation, lease
//!   book, id strings, the returned `Allocation`s).
//!
//! Each pool is pre-filled to about half by a fixed pattern: fill it with a repeating cycle of
//! sizes, then release every other grant (which also leaves it fragmented). One iteration is
//! one allocate and one release of the same request, so the state is the same at every
//! iteration.
//!
//! `buddy_vs_frame_allocator`: our `BuddyPool` and `buddy_system_allocator::FrameAllocator` on
//! the same capacity, the same pre-fill sequence and the same request.

use buddy_system_allocator::FrameAllocator;
use criterion::{Criterion, criterion_group, criterion_main};
use gamesa_core::allocation::best_fit::BestFitPool;
use gamesa_core::allocation::buddy::BuddyPool;
use gamesa_core::allocation::first_fit::FirstFitPool;
use gamesa_core::allocation::priority::PriorityPool;
use gamesa_core::allocation::weighted::WeightedPool;
use gamesa_core::allocation::{AllocationRequest, Allocator};
use gamesa_core::{Priority, ResourceType};
use std::hint::black_box;

/// Cycles of pre-fill sizes per discrete pool (units; odd lengths, so that freeing every other
/// grant frees every size in turn) and the measured request.
const CORES_FILL: &[u64] = &[1];
const CORES_REQ: u64 = 1;
const TIME_FILL: &[u64] = &[100, 250, 50, 400, 150];
const TIME_REQ: u64 = 100;
const MEM_FILL: &[u64] = &[64, 128, 32, 256, 16];
const MEM_REQ: u64 = 64;
/// Divisible pools: amounts of the pre-fill leases (summing to half the default capacity).
const HEADROOM_FILL: [f64; 10] = [1.5; 10];
const HEADROOM_REQ: f64 = 2.0;
const POWER_FILL: [f64; 15] = [5000.0; 15];
const POWER_REQ: f64 = 5000.0;

/// Fills by cycling `sizes` until a size no longer fits, then frees every other grant.
fn prefill<T>(sizes: &[u64], mut alloc: impl FnMut(u64) -> Option<T>, mut free: impl FnMut(T)) {
    let mut held = Vec::new();
    for &s in sizes.iter().cycle() {
        match alloc(s) {
            Some(t) => held.push(t),
            None => break,
        }
    }
    for (i, t) in held.into_iter().enumerate() {
        if i % 2 == 1 {
            free(t);
        }
    }
}

fn pools(c: &mut Criterion) {
    let mut g = c.benchmark_group("pool");

    let mut ff = FirstFitPool::new(16);
    let mut held = Vec::new();
    prefill(CORES_FILL, |n| ff.allocate(n, false), |u| held.push(u));
    for u in held {
        ff.release(&u);
    }
    assert_eq!(ff.free(), 8);
    g.bench_function("first_fit", |b| {
        b.iter(|| {
            let u = ff.allocate(black_box(CORES_REQ), false).expect("room");
            ff.release(black_box(&u));
        })
    });

    let mut bf = BestFitPool::new(10_000);
    let mut held = Vec::new();
    prefill(
        TIME_FILL,
        |n| bf.allocate(n).map(|o| (o, n)),
        |t| held.push(t),
    );
    for (o, n) in held {
        bf.release(o, n);
    }
    g.bench_function("best_fit", |b| {
        b.iter(|| {
            let o = bf.allocate(black_box(TIME_REQ)).expect("room");
            bf.release(black_box(o), TIME_REQ);
        })
    });

    let mut bd = BuddyPool::new(8192, 1);
    let mut held = Vec::new();
    prefill(
        MEM_FILL,
        |n| bd.allocate(n).map(|r| (r, n)),
        |t| held.push(t),
    );
    for ((o, s), n) in held {
        bd.release(o, s, n);
    }
    g.bench_function("buddy", |b| {
        b.iter(|| {
            let (o, s) = bd.allocate(black_box(MEM_REQ)).expect("room");
            bd.release(black_box(o), s, MEM_REQ);
        })
    });

    let mut pr = PriorityPool::new(30.0, true);
    for (i, a) in HEADROOM_FILL.iter().enumerate() {
        pr.allocate(i as u64, *a, Priority::ALL[i % 4])
            .expect("room");
    }
    let seq = HEADROOM_FILL.len() as u64;
    g.bench_function("priority", |b| {
        b.iter(|| {
            pr.allocate(seq, black_box(HEADROOM_REQ), Priority::High)
                .expect("room");
            pr.release(black_box(seq));
        })
    });

    let mut w = WeightedPool::new(150_000.0);
    for (i, a) in POWER_FILL.iter().enumerate() {
        w.allocate(i as u64, *a, [1.0, 2.0, 4.0, 8.0][i % 4]);
    }
    let seq = POWER_FILL.len() as u64;
    g.bench_function("weighted", |b| {
        b.iter(|| {
            w.allocate(seq, black_box(POWER_REQ), 4.0);
            w.release(black_box(seq));
        })
    });
    g.finish();
}

/// The default allocator pre-filled to half of every pool.
fn half_full_allocator() -> Allocator {
    let mut a = Allocator::with_defaults();
    let mut n = 0u64;
    let mut fill = |a: &mut Allocator, r: ResourceType, sizes: &[u64]| {
        let mut ids = Vec::new();
        for &s in sizes.iter().cycle() {
            n += 1;
            let id = format!("fill{n}");
            if a.allocate(AllocationRequest::new(id.clone(), r, s as f64))
                .is_err()
            {
                break;
            }
            ids.push(id);
        }
        for id in ids.iter().skip(1).step_by(2) {
            a.release(id).expect("live");
        }
    };
    fill(&mut a, ResourceType::CpuCores, CORES_FILL);
    fill(&mut a, ResourceType::CpuTime, TIME_FILL);
    fill(&mut a, ResourceType::GpuMemory, MEM_FILL);
    for (i, amt) in HEADROOM_FILL.iter().enumerate() {
        let mut r = AllocationRequest::new(format!("h{i}"), ResourceType::ThermalHeadroom, *amt);
        r.priority = Priority::ALL[i % 4];
        a.allocate(r).expect("room");
    }
    for (i, amt) in POWER_FILL.iter().enumerate() {
        let mut r = AllocationRequest::new(format!("p{i}"), ResourceType::PowerBudget, *amt);
        r.priority = Priority::ALL[i % 4];
        a.allocate(r).expect("room");
    }
    a
}

fn allocator(c: &mut Criterion) {
    let mut g = c.benchmark_group("allocator");
    let mut a = half_full_allocator();
    for (name, resource, amount) in [
        ("first_fit", ResourceType::CpuCores, CORES_REQ as f64),
        ("best_fit", ResourceType::CpuTime, TIME_REQ as f64),
        ("buddy", ResourceType::GpuMemory, MEM_REQ as f64),
        ("priority", ResourceType::ThermalHeadroom, HEADROOM_REQ),
        ("weighted", ResourceType::PowerBudget, POWER_REQ),
    ] {
        let s = a.stats(resource).expect("configured");
        assert!(
            (0.3..=0.7).contains(&(s.used / s.capacity)),
            "{name} pre-fill is {} of capacity",
            s.used / s.capacity
        );
        g.bench_function(name, |b| {
            b.iter(|| {
                let mut r = AllocationRequest::new("bench", resource, black_box(amount));
                r.priority = Priority::High;
                let got = a.allocate(r).expect("room");
                black_box(&got);
                black_box(a.release("bench").expect("live"));
            })
        });
    }
    g.finish();
}

fn buddy_vs_frame_allocator(c: &mut Criterion) {
    let mut g = c.benchmark_group("buddy_vs_frame_allocator");
    for capacity in [8192u64, 1 << 20] {
        let mut ours = BuddyPool::new(capacity, 1);
        let mut held = Vec::new();
        prefill(
            MEM_FILL,
            |n| ours.allocate(n).map(|r| (r, n)),
            |t| held.push(t),
        );
        for ((o, s), n) in held {
            ours.release(o, s, n);
        }
        let mut theirs = FrameAllocator::<33>::new();
        theirs.add_frame(0, capacity as usize);
        let mut held = Vec::new();
        prefill(
            MEM_FILL,
            |n| theirs.alloc(n as usize).map(|o| (o, n as usize)),
            |t| held.push(t),
        );
        for (o, n) in held {
            theirs.dealloc(o, n);
        }
        // Same sequence, same state: the next grant is at the same offset.
        let probe = ours.allocate(MEM_REQ).expect("room");
        assert_eq!(Some(probe.0 as usize), theirs.alloc(MEM_REQ as usize));
        ours.release(probe.0, probe.1, MEM_REQ);
        theirs.dealloc(probe.0 as usize, MEM_REQ as usize);

        g.bench_function(format!("gamesa_buddy/{capacity}"), |b| {
            b.iter(|| {
                let (o, s) = ours.allocate(black_box(MEM_REQ)).expect("room");
                ours.release(black_box(o), s, MEM_REQ);
            })
        });
        g.bench_function(format!("frame_allocator/{capacity}"), |b| {
            b.iter(|| {
                let o = theirs.alloc(black_box(MEM_REQ as usize)).expect("room");
                theirs.dealloc(black_box(o), MEM_REQ as usize);
            })
        });
    }
    g.finish();
}

criterion_group!(benches, pools, allocator, buddy_vs_frame_allocator);
criterion_main!(benches);
