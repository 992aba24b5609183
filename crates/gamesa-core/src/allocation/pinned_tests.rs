//! The pinned calls must give exactly what the id-based calls give for the same requests, and
//! leave the allocator in the same state, pinned ids also being usable through the id calls.

use super::*;
use crate::error::ErrorCode;
use ResourceType::*;
use proptest::prelude::*;
use proptest::strategy::Strategy as Gen;
// The allocator's `Strategy`, not proptest's (a glob import would make it ambiguous).
use crate::allocation::Strategy;

#[derive(Debug, Clone)]
enum Op {
    /// (lease, resource, amount, priority, through the id call, TTL for id calls)
    Allocate(usize, usize, f64, u8, bool, Option<u64>),
    /// (lease, amount, through the id call)
    Resize(usize, f64, bool),
    Release(usize, bool),
    Capacity(usize, f64),
    Tick(u64),
    Settle,
}

const RESOURCES: [ResourceType; 6] = ResourceType::ALL;
/// Leases `l0..l11` are pinned, `l12..l15` are not.
const PINNED: usize = 12;
const PRIOS: [Priority; 4] = [
    Priority::Low,
    Priority::Normal,
    Priority::High,
    Priority::Critical,
];

fn op() -> impl Gen<Value = Op> {
    prop_oneof![
        4 => (0..16_usize, 0..6_usize, -1.0..40.0_f64, 0..4_u8, any::<bool>(),
              prop::option::of(0..4_u64))
            .prop_map(|(i, r, a, p, v, t)| Op::Allocate(i, r, a, p, v, t)),
        4 => (0..16_usize, -1.0..40.0_f64, any::<bool>()).prop_map(|(i, a, v)| Op::Resize(i, a, v)),
        3 => (0..16_usize, any::<bool>()).prop_map(|(i, v)| Op::Release(i, v)),
        1 => (4..6_usize, 0.0..80.0_f64).prop_map(|(r, c)| Op::Capacity(r, c)),
        1 => (0..3_u64).prop_map(Op::Tick),
        1 => Just(Op::Settle),
    ]
}

fn allocator() -> Allocator {
    let mut pools = vec![
        PoolConfig::new(CpuCores, Strategy::FirstFit, 24.0),
        PoolConfig::new(CpuTime, Strategy::BestFit, 60.0),
        PoolConfig::new(GpuCompute, Strategy::Buddy, 64.0),
        PoolConfig::new(GpuMemory, Strategy::Buddy, 64.0),
        PoolConfig::new(ThermalHeadroom, Strategy::Priority, 40.0),
        PoolConfig::new(PowerBudget, Strategy::Weighted, 50.0),
    ];
    pools[4].preemptive = true;
    Allocator::new(&AllocatorConfig::new(pools)).unwrap()
}

/// Whole numbers on discrete pools, except now and then (so that INVALID_AMOUNT is covered).
fn amount_for(a: &Allocator, r: ResourceType, x: f64) -> f64 {
    match a.strategy(r) {
        Some(Strategy::Priority | Strategy::Weighted) => x,
        _ if x > 39.0 => x,
        _ => x.floor(),
    }
}

fn grant(a: Result<Allocation, AllocError>) -> Result<(f64, Placement), AllocError> {
    a.map(|a| (a.granted, a.placement))
}

fn owned(a: Result<(f64, &Placement), AllocError>) -> Result<(f64, Placement), AllocError> {
    a.map(|(g, p)| (g, p.clone()))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]
    #[test]
    fn pinned_calls_match_id_calls(ops in prop::collection::vec(op(), 1..120)) {
        let (mut ids, mut pinned) = (allocator(), allocator());
        let names: Vec<String> = (0..16).map(|i| format!("l{i}")).collect();
        let slots = pinned.pin(names[..PINNED].iter().map(String::as_str));
        for op in ops {
            match op {
                Op::Allocate(i, r, amount, p, via_id, ttl) => {
                    let r = RESOURCES[r];
                    let mut q = AllocationRequest::new(&names[i], r, amount_for(&ids, r, amount));
                    q.priority = PRIOS[p as usize];
                    if i < PINNED && !via_id {
                        let x = grant(ids.allocate(q.clone()));
                        let y = owned(pinned.allocate_pinned(slots[i], r, q.amount, q.priority));
                        prop_assert_eq!(x, y);
                    } else {
                        q.ttl_ticks = ttl;
                        prop_assert_eq!(ids.allocate(q.clone()), pinned.allocate(q));
                    }
                }
                Op::Resize(i, amount, via_id) => {
                    let id = &names[i];
                    let amount = match ids.get(id) {
                        Some(held) => amount_for(&ids, held.resource, amount),
                        None => amount,
                    };
                    if i < PINNED && !via_id {
                        let x = grant(ids.resize(id, amount));
                        let y = owned(pinned.resize_pinned(slots[i], amount));
                        prop_assert_eq!(x, y);
                    } else {
                        prop_assert_eq!(ids.resize(id, amount), pinned.resize(id, amount));
                    }
                }
                Op::Release(i, via_id) => {
                    let id = &names[i];
                    if i < PINNED && !via_id {
                        prop_assert_eq!(ids.release(id).is_ok(), pinned.release_pinned(slots[i]));
                    } else {
                        prop_assert_eq!(ids.release(id), pinned.release(id));
                    }
                }
                Op::Capacity(r, c) => {
                    let r = RESOURCES[r];
                    prop_assert_eq!(ids.set_capacity(r, c), pinned.set_capacity(r, c));
                }
                Op::Tick(n) => prop_assert_eq!(ids.tick(n), pinned.tick(n)),
                Op::Settle => pinned.settle(),
            }
            prop_assert_eq!(ids.take_preempted(), pinned.take_preempted());
            prop_assert_eq!(ids.allocations(), pinned.allocations());
            for r in RESOURCES {
                prop_assert_eq!(ids.stats(r).unwrap(), pinned.stats(r).unwrap());
            }
            for id in &names {
                prop_assert_eq!(ids.get(id), pinned.get(id));
            }
        }
    }
}

#[test]
fn a_pinned_id_keeps_its_slot_between_leases() {
    let mut a = allocator();
    let slots = a.pin(["x", "y"]);
    assert_eq!(slots, vec![0, 1]);
    a.allocate_pinned(0, CpuCores, 2.0, Priority::Normal)
        .unwrap();
    // An id call sees the pinned lease, and the slot is not given to another id.
    assert_eq!(a.get("x").unwrap().placement, Placement::Units(vec![0, 1]));
    let e = a
        .allocate(AllocationRequest::new("x", CpuTime, 1.0))
        .unwrap_err();
    assert_eq!(e.code(), "DUPLICATE_ID");
    a.release("x").unwrap();
    a.allocate(AllocationRequest::new("z", CpuCores, 1.0))
        .unwrap();
    assert!(!a.release_pinned(0) && a.get("x").is_none());
    let (g, p) = a.allocate_pinned(0, CpuCores, 1.0, Priority::Low).unwrap();
    assert_eq!((g, p.clone()), (1.0, Placement::Units(vec![1])));
    assert_eq!(a.pin(["x"]), vec![0]);
    let e = a.resize_pinned(1, 3.0).unwrap_err();
    assert_eq!(e, AllocError::UnknownLease { id: "y".into() });
}
