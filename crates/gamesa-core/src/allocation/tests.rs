//! Allocator-level tests: routing, validation, leases, TTL, preemption, weighted shares.

use super::*;
use crate::error::ErrorCode;
use crate::types::Priority;
use ResourceType::*;

fn req(id: &str, resource: ResourceType, amount: f64) -> AllocationRequest {
    AllocationRequest::new(id, resource, amount)
}

fn pool(resource: ResourceType, strategy: Strategy, capacity: f64) -> PoolConfig {
    PoolConfig::new(resource, strategy, capacity)
}

#[test]
fn defaults_configure_all_six_pools() {
    let a = Allocator::with_defaults();
    assert_eq!(a.resources(), ResourceType::ALL.to_vec());
    let caps: Vec<f64> = ResourceType::ALL
        .iter()
        .map(|&r| a.stats(r).unwrap().capacity)
        .collect();
    assert_eq!(caps, vec![16.0, 10000.0, 100.0, 8192.0, 30.0, 150000.0]);
    assert_eq!(a.strategy(GpuMemory), Some(Strategy::Buddy));
}

#[test]
fn placements_per_strategy() {
    let mut a = Allocator::with_defaults();
    let c = a.allocate(req("c", CpuCores, 3.0)).unwrap();
    assert_eq!(c.placement, Placement::Units(vec![0, 1, 2]));
    let t = a.allocate(req("t", CpuTime, 2500.0)).unwrap();
    assert_eq!(
        t.placement,
        Placement::Range {
            offset: 0,
            size: 2500
        }
    );
    let g = a.allocate(req("g", GpuCompute, 30.0)).unwrap();
    assert_eq!(g.granted, 32.0);
    assert_eq!(g.requested, 30.0);
    assert_eq!(a.stats(GpuCompute).unwrap().internal_waste, 2.0);
    let h = a.allocate(req("h", ThermalHeadroom, 2.5)).unwrap();
    assert_eq!((h.placement, h.granted), (Placement::Share, 2.5));
    let p = a.allocate(req("p", PowerBudget, 200000.0)).unwrap();
    assert_eq!(p.granted, 150000.0);
    let ids: Vec<String> = a.allocations().into_iter().map(|x| x.id).collect();
    assert_eq!(ids, ["c", "t", "g", "h", "p"]);
    let released = a.release("t").unwrap();
    assert_eq!(released.id, "t");
    assert_eq!(a.stats(CpuTime).unwrap().used, 0.0);
    assert!(a.get("t").is_none());
}

#[test]
fn every_error_has_its_code_and_names_the_problem() {
    let config = AllocatorConfig::new(vec![pool(CpuCores, Strategy::FirstFit, 4.0)]);
    let mut a = Allocator::new(&config).unwrap();
    let e = a.allocate(req("x", GpuMemory, 1.0)).unwrap_err();
    assert_eq!(e.code(), "UNKNOWN_RESOURCE");
    assert!(e.to_string().contains("gpu_memory"));
    for bad in [0.0, -1.0, f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1.5] {
        let e = a.allocate(req("x", CpuCores, bad)).unwrap_err();
        assert_eq!(e.code(), "INVALID_AMOUNT", "{bad}");
        assert!(e.to_string().contains("cpu_cores"));
    }
    let mut r = req("x", CpuCores, 1.0);
    r.weight = Some(-2.0);
    assert_eq!(a.allocate(r).unwrap_err().code(), "INVALID_AMOUNT");
    a.allocate(req("x", CpuCores, 3.0)).unwrap();
    let e = a.allocate(req("x", CpuCores, 1.0)).unwrap_err();
    assert_eq!(e.code(), "DUPLICATE_ID");
    let e = a.allocate(req("y", CpuCores, 2.0)).unwrap_err();
    assert_eq!(e.code(), "INSUFFICIENT_CAPACITY");
    let m = e.to_string();
    assert!(
        m.contains("cpu_cores") && m.contains("'y'") && m.contains("1 free"),
        "{m}"
    );
    assert_eq!(a.release("nope").unwrap_err().code(), "UNKNOWN_LEASE");
    assert_eq!(a.stats(PowerBudget).unwrap_err().code(), "UNKNOWN_RESOURCE");
    // After release, the id can be used again.
    a.release("x").unwrap();
    a.allocate(req("x", CpuCores, 4.0)).unwrap();
}

#[test]
fn config_errors_carry_the_json_path() {
    let path_of = |pools: Vec<PoolConfig>| match Allocator::new(&AllocatorConfig::new(pools)) {
        Err(AllocError::InvalidConfig(e)) => e.path,
        other => panic!("expected INVALID_CONFIG, got {other:?}"),
    };
    assert_eq!(
        path_of(vec![pool(CpuCores, Strategy::FirstFit, 2.5)]),
        "$.pools[0].capacity"
    );
    let mut b = pool(GpuMemory, Strategy::Buddy, 96.0);
    b.min_block = Some(3);
    assert_eq!(path_of(vec![b.clone()]), "$.pools[0].minBlock");
    b.min_block = Some(64);
    assert!(path_of(vec![b]).starts_with("$.pools[0]"));
    let dup = vec![
        pool(CpuCores, Strategy::FirstFit, 2.0),
        pool(CpuCores, Strategy::FirstFit, 2.0),
    ];
    assert_eq!(path_of(dup), "$.pools[1].resource");
    let mut w = pool(PowerBudget, Strategy::Weighted, 10.0);
    w.weights = Some(PriorityWeights {
        low: 1.0,
        normal: 0.0,
        high: 1.0,
        critical: 1.0,
    });
    assert!(path_of(vec![w]).starts_with("$.pools[0].weights"));
    assert_eq!(
        path_of(vec![pool(ThermalHeadroom, Strategy::Priority, -1.0)]),
        "$.pools[0].capacity"
    );
    let e = Allocator::new(&AllocatorConfig::new(vec![pool(
        CpuCores,
        Strategy::FirstFit,
        1.5,
    )]))
    .unwrap_err();
    assert_eq!(e.code(), "INVALID_CONFIG");
}

#[test]
fn leases_expire_by_tick_then_creation_order() {
    let mut a = Allocator::with_defaults();
    let mut r = req("late", CpuCores, 1.0);
    r.ttl_ticks = Some(5);
    a.allocate(r).unwrap();
    a.tick(2);
    let mut r = req("b", CpuTime, 10.0);
    r.ttl_ticks = Some(3);
    let b = a.allocate(r).unwrap();
    assert_eq!((b.created_tick, b.expires_at_tick), (2, Some(5)));
    let mut r = req("a", CpuCores, 1.0);
    r.ttl_ticks = Some(1);
    a.allocate(r).unwrap();
    a.allocate(req("forever", CpuCores, 1.0)).unwrap();
    assert!(a.tick(0).is_empty());
    assert_eq!(a.tick(1), vec!["a"]);
    assert_eq!(a.now_tick(), 3);
    assert_eq!(a.tick(10), vec!["late", "b"]);
    assert_eq!(a.stats(CpuCores).unwrap().used, 1.0);
    assert_eq!(a.stats(CpuTime).unwrap().used, 0.0);
}

#[test]
fn shrink_preempts_and_reports() {
    let mut a = Allocator::with_defaults();
    for (id, prio, amt) in [
        ("n1", Priority::Normal, 10.0),
        ("l1", Priority::Low, 5.0),
        ("c1", Priority::Critical, 10.0),
        ("l2", Priority::Low, 5.0),
    ] {
        let mut r = req(id, ThermalHeadroom, amt);
        r.priority = prio;
        a.allocate(r).unwrap();
    }
    let change = a.set_capacity(ThermalHeadroom, 18.0).unwrap();
    assert_eq!(change.preempted, vec!["l2", "l1", "n1"]);
    assert_eq!(a.take_preempted(), vec!["l2", "l1", "n1"]);
    assert!(a.take_preempted().is_empty());
    assert!(a.get("l1").is_none());
    assert_eq!(a.stats(ThermalHeadroom).unwrap().free, 8.0);
    // Discrete pools keep their configured capacity.
    assert!(a.set_capacity(CpuCores, 16.0).unwrap().preempted.is_empty());
    let e = a.set_capacity(CpuCores, 8.0).unwrap_err();
    assert_eq!(e.code(), "INVALID_AMOUNT");
    assert!(e.to_string().contains("first_fit"));
    assert_eq!(
        a.set_capacity(ThermalHeadroom, f64::NAN)
            .unwrap_err()
            .code(),
        "INVALID_AMOUNT"
    );
}

#[test]
fn preemptive_pool_reports_victims_through_take_preempted() {
    let mut p = pool(ThermalHeadroom, Strategy::Priority, 10.0);
    p.preemptive = true;
    let mut a = Allocator::new(&AllocatorConfig::new(vec![p])).unwrap();
    let mut low = req("low", ThermalHeadroom, 8.0);
    low.priority = Priority::Low;
    a.allocate(low).unwrap();
    let mut high = req("high", ThermalHeadroom, 5.0);
    high.priority = Priority::High;
    a.allocate(high).unwrap();
    assert_eq!(a.take_preempted(), vec!["low"]);
    let mut high2 = req("high2", ThermalHeadroom, 6.0);
    high2.priority = Priority::High;
    let e = a.allocate(high2).unwrap_err();
    assert_eq!(e.code(), "INSUFFICIENT_CAPACITY");
}

#[test]
fn weighted_grants_move_as_leases_come_and_go() {
    let mut a = Allocator::with_defaults();
    a.set_capacity(PowerBudget, 90.0).unwrap();
    let mut r = req("low", PowerBudget, 100.0);
    r.priority = Priority::Low; // weight 1
    assert_eq!(a.allocate(r).unwrap().granted, 90.0);
    let mut r = req("heavy", PowerBudget, 100.0);
    r.weight = Some(2.0);
    assert_eq!(a.allocate(r).unwrap().granted, 60.0);
    assert_eq!(a.get("low").unwrap().granted, 30.0);
    let grants: Vec<f64> = a.allocations().iter().map(|x| x.granted).collect();
    assert_eq!(grants, vec![30.0, 60.0]);
    assert_eq!(a.release("heavy").unwrap().granted, 60.0);
    assert_eq!(a.get("low").unwrap().granted, 90.0);
}

#[test]
fn resize_is_release_then_allocate_keeping_the_id() {
    let mut a = Allocator::with_defaults();
    a.set_capacity(PowerBudget, 90.0).unwrap();
    let mut r = req("low", PowerBudget, 100.0);
    r.priority = Priority::Low;
    a.allocate(r).unwrap();
    let mut r = req("heavy", PowerBudget, 100.0);
    r.weight = Some(2.0);
    a.allocate(r).unwrap();
    // The explicit weight survives a resize: 30 met, 60 left; heavy's demand is met.
    let heavy = a.resize("heavy", 50.0).unwrap();
    assert_eq!((heavy.requested, heavy.granted), (50.0, 50.0));
    assert_eq!(a.get("low").unwrap().granted, 40.0);
    // The resized lease is the newest.
    let ids: Vec<String> = a.allocations().into_iter().map(|x| x.id).collect();
    assert_eq!(ids, ["low", "heavy"]);
    // Discrete pools re-place the grant.
    a.allocate(req("c", CpuCores, 2.0)).unwrap();
    let c = a.resize("c", 3.0).unwrap();
    assert_eq!(c.placement, Placement::Units(vec![0, 1, 2]));
    // Errors: an unknown id changes nothing; an invalid amount releases the lease.
    assert_eq!(a.resize("nope", 1.0).unwrap_err().code(), "UNKNOWN_LEASE");
    assert_eq!(a.resize("c", 1.5).unwrap_err().code(), "INVALID_AMOUNT");
    assert!(a.get("c").is_none());
    assert_eq!(a.stats(CpuCores).unwrap().used, 0.0);
    let e = a.resize("low", 0.0).unwrap_err();
    assert_eq!(e.code(), "INVALID_AMOUNT");
    assert_eq!(a.get("heavy").unwrap().granted, 50.0);
}

mod resize_model {
    //! `resize` must leave the allocator exactly as `release` + `allocate` would.
    use super::*;
    use proptest::prelude::*;
    use proptest::strategy::Strategy as Gen;
    // The allocator's `Strategy`, not proptest's (a glob import would make it ambiguous).
    use crate::allocation::Strategy;

    #[derive(Debug, Clone)]
    enum Op {
        Allocate(usize, usize, f64, u8, Option<u64>),
        Resize(usize, f64),
        Release(usize),
        Capacity(usize, f64),
        Tick(u64),
    }

    const RESOURCES: [ResourceType; 6] = ResourceType::ALL;

    fn op() -> impl Gen<Value = Op> {
        prop_oneof![
            3 => (0..12_usize, 0..6_usize, 0.0..40.0_f64, 0..4_u8, prop::option::of(0..4_u64))
                .prop_map(|(i, r, a, p, t)| Op::Allocate(i, r, a, p, t)),
            4 => (0..12_usize, -1.0..40.0_f64).prop_map(|(i, a)| Op::Resize(i, a)),
            1 => (0..12_usize).prop_map(Op::Release),
            1 => (4..6_usize, 0.0..60.0_f64).prop_map(|(r, c)| Op::Capacity(r, c)),
            1 => (0..3_u64).prop_map(Op::Tick),
        ]
    }

    fn allocator() -> Allocator {
        let mut pools = vec![
            pool(CpuCores, Strategy::FirstFit, 24.0),
            pool(CpuTime, Strategy::BestFit, 60.0),
            pool(GpuCompute, Strategy::Buddy, 64.0),
            pool(GpuMemory, Strategy::Buddy, 64.0),
            pool(ThermalHeadroom, Strategy::Priority, 40.0),
            pool(PowerBudget, Strategy::Weighted, 50.0),
        ];
        pools[4].preemptive = true;
        Allocator::new(&AllocatorConfig::new(pools)).unwrap()
    }

    fn whole(a: &Allocator, r: ResourceType, x: f64) -> f64 {
        match a.strategy(r) {
            Some(Strategy::Priority | Strategy::Weighted) => x,
            _ => x.floor(),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn resize_matches_release_then_allocate(ops in prop::collection::vec(op(), 1..80)) {
            let (mut fast, mut slow) = (allocator(), allocator());
            let prios = [Priority::Low, Priority::Normal, Priority::High, Priority::Critical];
            for op in ops {
                match op {
                    Op::Allocate(i, r, amount, p, ttl) => {
                        let r = RESOURCES[r];
                        let mut q = req(&format!("l{i}"), r, whole(&fast, r, amount));
                        q.priority = prios[p as usize];
                        q.ttl_ticks = ttl;
                        let (x, y) = (fast.allocate(q.clone()), slow.allocate(q));
                        prop_assert_eq!(x, y);
                    }
                    Op::Resize(i, amount) => {
                        let id = format!("l{i}");
                        let Some(held) = slow.get(&id) else {
                            prop_assert_eq!(
                                fast.resize(&id, amount).unwrap_err().code(),
                                "UNKNOWN_LEASE"
                            );
                            continue;
                        };
                        let amount = whole(&slow, held.resource, amount);
                        let x = fast.resize(&id, amount);
                        slow.release(&id).unwrap();
                        let y = slow.allocate(AllocationRequest {
                            id: id.clone(),
                            resource: held.resource,
                            amount,
                            priority: held.priority,
                            ttl_ticks: None,
                            contiguous: false,
                            // The Weighted pool here derives weights from priorities.
                            weight: None,
                        });
                        prop_assert_eq!(x, y);
                    }
                    Op::Release(i) => {
                        let id = format!("l{i}");
                        prop_assert_eq!(fast.release(&id), slow.release(&id));
                    }
                    Op::Capacity(r, c) => {
                        let r = RESOURCES[r];
                        prop_assert_eq!(fast.set_capacity(r, c), slow.set_capacity(r, c));
                    }
                    Op::Tick(n) => prop_assert_eq!(fast.tick(n), slow.tick(n)),
                }
                prop_assert_eq!(fast.take_preempted(), slow.take_preempted());
                prop_assert_eq!(fast.allocations(), slow.allocations());
                for r in RESOURCES {
                    prop_assert_eq!(fast.stats(r).unwrap(), slow.stats(r).unwrap());
                }
            }
        }
    }
}
