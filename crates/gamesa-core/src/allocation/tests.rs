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
