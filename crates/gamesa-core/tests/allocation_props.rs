//! Property tests of the allocator: 100 cases × 1,000 random operations per strategy
//! (100,000 operations each), every one checked against a brute-force model.

use buddy_system_allocator::FrameAllocator;
use gamesa_core::allocation::buddy::BuddyPool;
use gamesa_core::allocation::{
    AllocError, Allocation, AllocationRequest, Allocator, AllocatorConfig, Placement, PoolConfig,
    PoolStats, Strategy as Kind,
};
use gamesa_core::{ErrorCode, Priority, ResourceType};
use proptest::prelude::*;

const CASES: u32 = 100;
const OPS: usize = 1_000;

#[derive(Debug, Clone)]
enum Op {
    /// Allocate `amount` (scaled per strategy), with a priority, a TTL, contiguity, weight.
    Alloc {
        amount: u32,
        priority: u8,
        ttl: Option<u8>,
        contiguous: bool,
        weight: Option<u8>,
    },
    /// Release the `pick`-th live lease (modulo), or an unknown id when none is live.
    Release { pick: usize },
    /// Advance time.
    Tick { n: u8 },
    /// Change capacity to `per_mille` ‰ of the configured one (divisible pools).
    SetCapacity { per_mille: u16 },
}

fn op(max_amount: u32) -> impl Strategy<Value = Op> {
    prop_oneof![
        5 => (1..=max_amount, 0u8..4, prop::option::weighted(0.2, 1u8..20), any::<bool>(),
              prop::option::weighted(0.3, 1u8..10))
            .prop_map(|(amount, priority, ttl, contiguous, weight)| Op::Alloc {
                amount, priority, ttl, contiguous, weight
            }),
        4 => any::<usize>().prop_map(|pick| Op::Release { pick }),
        1 => (0u8..4).prop_map(|n| Op::Tick { n }),
        1 => (0u16..=1500).prop_map(|per_mille| Op::SetCapacity { per_mille }),
    ]
}

fn priority(p: u8) -> Priority {
    Priority::ALL[p as usize % 4]
}

/// Drives one allocator through `ops` with a pool of `config`, calling `check` after every
/// operation with the allocator, the operation, its outcome and the ids expired by it.
struct Driver {
    a: Allocator,
    resource: ResourceType,
    next_id: u64,
}

enum Outcome {
    Alloc(Result<Allocation, AllocError>),
    Release(Result<Allocation, AllocError>, Option<String>),
    Tick(Vec<String>),
    SetCapacity(f64, Result<Vec<String>, AllocError>),
}

impl Driver {
    fn new(pool: PoolConfig) -> Driver {
        let resource = pool.resource;
        Driver {
            a: Allocator::new(&AllocatorConfig::new(vec![pool])).expect("valid test config"),
            resource,
            next_id: 0,
        }
    }

    fn apply(&mut self, op: &Op, scale: f64, configured: f64) -> Outcome {
        match *op {
            Op::Alloc {
                amount,
                priority: p,
                ttl,
                contiguous,
                weight,
            } => {
                self.next_id += 1;
                let mut r = AllocationRequest::new(
                    format!("l{}", self.next_id),
                    self.resource,
                    amount as f64 * scale,
                );
                r.priority = priority(p);
                r.ttl_ticks = ttl.map(u64::from);
                r.contiguous = contiguous;
                r.weight = weight.map(f64::from);
                Outcome::Alloc(self.a.allocate(r))
            }
            Op::Release { pick } => {
                let live = self.a.allocations();
                let id = if live.is_empty() {
                    None
                } else {
                    Some(live[pick % live.len()].id.clone())
                };
                let r = self.a.release(id.as_deref().unwrap_or("never-allocated"));
                Outcome::Release(r, id)
            }
            Op::Tick { n } => Outcome::Tick(self.a.tick(n as u64)),
            Op::SetCapacity { per_mille } => {
                let c = configured * per_mille as f64 / 1000.0;
                // Only meaningful on divisible pools; discrete ones must refuse a change.
                let c = (c * 2.0).round() / 2.0;
                Outcome::SetCapacity(
                    c,
                    self.a.set_capacity(self.resource, c).map(|ch| ch.preempted),
                )
            }
        }
    }

    fn stats(&self) -> PoolStats {
        self.a.stats(self.resource).expect("configured")
    }
}

fn check_stats_consistent(s: &PoolStats) -> Result<(), TestCaseError> {
    prop_assert!(s.used >= 0.0 && s.free >= 0.0, "{s:?}");
    prop_assert!(
        (s.used + s.free - s.capacity).abs() <= 1e-9 * s.capacity.max(1.0),
        "{s:?}"
    );
    prop_assert!(s.largest_free_block <= s.free + 1e-9, "{s:?}");
    prop_assert!((0.0..=1.0).contains(&s.fragmentation), "{s:?}");
    Ok(())
}

/// Holes `(offset, size)` of a unit occupancy map.
fn holes(used: &[bool]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < used.len() {
        if used[i] {
            i += 1;
            continue;
        }
        let start = i;
        while i < used.len() && !used[i] {
            i += 1;
        }
        out.push((start, i - start));
    }
    out
}

fn placement_units(a: &Allocation) -> Vec<usize> {
    match &a.placement {
        Placement::Units(u) => u.iter().map(|&x| x as usize).collect(),
        Placement::Range { offset, size } => {
            (*offset as usize..(*offset + *size) as usize).collect()
        }
        Placement::Share => Vec::new(),
    }
}

/// The discrete pools share one model: a unit occupancy map rebuilt from the live leases, so it
/// also catches overlap between leases and leaks on release and expiry.
fn check_discrete_against_leases(d: &Driver, capacity: usize) -> Result<Vec<bool>, TestCaseError> {
    let mut used = vec![false; capacity];
    for l in d.a.allocations() {
        for u in placement_units(&l) {
            prop_assert!(u < capacity, "unit {u} beyond capacity {capacity}");
            prop_assert!(!used[u], "unit {u} granted twice");
            used[u] = true;
        }
    }
    let s = d.stats();
    check_stats_consistent(&s)?;
    let n_used = used.iter().filter(|&&u| u).count();
    prop_assert_eq!(s.used as usize, n_used);
    let largest = holes(&used).iter().map(|h| h.1).max().unwrap_or(0);
    if d.a.strategy(d.resource) == Some(Kind::Buddy) {
        // A buddy block is aligned, so it may be smaller than the hole it lies in.
        let b = s.largest_free_block as usize;
        prop_assert!(
            b <= largest && (b == 0 || b.is_power_of_two()),
            "{b} vs hole {largest}"
        );
    } else {
        prop_assert_eq!(s.largest_free_block as usize, largest);
    }
    Ok(used)
}

fn run_placement(
    strategy: Kind,
    capacity: u32,
    ops: &[Op],
    expected: impl Fn(&[bool], usize, bool) -> Option<Vec<usize>>,
) -> Result<(), TestCaseError> {
    let resource = if strategy == Kind::FirstFit {
        ResourceType::CpuCores
    } else {
        ResourceType::CpuTime
    };
    let mut d = Driver::new(PoolConfig::new(resource, strategy, capacity as f64));
    let mut used = vec![false; capacity as usize];
    for op in ops {
        let before = used.clone();
        let outcome = d.apply(op, 1.0, capacity as f64);
        used = check_discrete_against_leases(&d, capacity as usize)?;
        match (op, outcome) {
            (
                Op::Alloc {
                    amount, contiguous, ..
                },
                Outcome::Alloc(r),
            ) => {
                let contiguous = *contiguous || strategy == Kind::BestFit;
                let want = expected(&before, *amount as usize, contiguous);
                match (r, want) {
                    (Ok(a), Some(units)) => prop_assert_eq!(placement_units(&a), units),
                    (Err(e), None) => prop_assert_eq!(e.code(), "INSUFFICIENT_CAPACITY"),
                    (r, want) => prop_assert!(false, "got {r:?}, model wants {want:?}"),
                }
            }
            (Op::Release { .. }, Outcome::Release(r, id)) => match id {
                Some(_) => prop_assert!(r.is_ok()),
                None => prop_assert_eq!(r.unwrap_err().code(), "UNKNOWN_LEASE"),
            },
            (Op::SetCapacity { .. }, Outcome::SetCapacity(c, r)) => {
                prop_assert_eq!(r.is_ok(), c == capacity as f64);
            }
            _ => {}
        }
    }
    Ok(())
}

/// FirstFit model: the lowest free ids, or the lowest-offset run when contiguous.
fn first_fit_model(used: &[bool], n: usize, contiguous: bool) -> Option<Vec<usize>> {
    if contiguous {
        let (o, _) = holes(used).into_iter().find(|h| h.1 >= n)?;
        Some((o..o + n).collect())
    } else {
        let free: Vec<usize> = (0..used.len()).filter(|&u| !used[u]).take(n).collect();
        (free.len() == n).then_some(free)
    }
}

/// BestFit model: the smallest hole that fits, lowest offset on ties, front of the hole.
fn best_fit_model(used: &[bool], n: usize, _: bool) -> Option<Vec<usize>> {
    let (o, _) = holes(used)
        .into_iter()
        .filter(|h| h.1 >= n)
        .min_by_key(|&(o, s)| (s, o))?;
    Some((o..o + n).collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn first_fit_matches_model(capacity in 1u32..=64, ops in prop::collection::vec(op(24), OPS)) {
        run_placement(Kind::FirstFit, capacity, &ops, first_fit_model)?;
    }

    #[test]
    fn best_fit_matches_model(capacity in 1u32..=256, ops in prop::collection::vec(op(48), OPS)) {
        run_placement(Kind::BestFit, capacity, &ops, best_fit_model)?;
    }

    #[test]
    fn buddy_never_overlaps_matches_frame_allocator_and_coalesces(
        blocks in 1u64..=300,
        min_shift in 0u32..3,
        ordered_sets in any::<bool>(),
        ops in prop::collection::vec(op(70), OPS),
    ) {
        let min_block = 1u64 << min_shift;
        let capacity = blocks * min_block;
        // Both free-list representations (bit sets, and ordered sets used by huge pools).
        let mut pool = if ordered_sets {
            BuddyPool::with_ordered_sets(capacity, min_block)
        } else {
            BuddyPool::new(capacity, min_block)
        };
        // The reference works in blocks of `min_block` units.
        let mut reference = FrameAllocator::<33>::new();
        reference.add_frame(0, blocks as usize);
        let mut live: Vec<(u64, u64, u64)> = Vec::new(); // offset, size, requested
        for op in &ops {
            match *op {
                Op::Alloc { amount, .. } => {
                    let units = amount as u64;
                    let ours = pool.allocate(units);
                    let theirs = reference.alloc(units.div_ceil(min_block) as usize);
                    prop_assert_eq!(ours.map(|(o, _)| (o / min_block) as usize), theirs);
                    if let Some((offset, size)) = ours {
                        prop_assert!(size.is_power_of_two() && size >= units && size >= min_block);
                        prop_assert!(size / 2 < units.max(min_block), "rounded too far");
                        prop_assert_eq!(offset % size, 0, "misaligned");
                        prop_assert!(offset + size <= capacity);
                        for &(o, s, _) in &live {
                            prop_assert!(offset + size <= o || o + s <= offset, "overlap");
                        }
                        live.push((offset, size, units));
                    }
                }
                Op::Release { pick } if !live.is_empty() => {
                    let (o, s, r) = live.swap_remove(pick % live.len());
                    pool.release(o, s, r);
                    reference.dealloc((o / min_block) as usize, (s / min_block) as usize);
                }
                _ => {}
            }
            let s = pool.stats();
            check_stats_consistent(&s)?;
            let used: u64 = live.iter().map(|l| l.1).sum();
            let requested: u64 = live.iter().map(|l| l.2).sum();
            prop_assert_eq!(s.used as u64, used);
            prop_assert!(used <= capacity, "over-committed");
            prop_assert_eq!(s.internal_waste as u64, used - requested);
        }
        for (o, s, r) in live.drain(..) {
            pool.release(o, s, r);
        }
        prop_assert!(pool.is_fully_coalesced());
        let largest_initial = BuddyPool::initial_blocks(blocks)
            .first()
            .map_or(0, |&(_, k)| (1u64 << k) * min_block);
        prop_assert_eq!(pool.largest_free_block(), largest_initial);
        prop_assert_eq!(pool.free(), capacity);
    }

    #[test]
    fn buddy_allocator_level_leases_never_overlap(
        blocks in 1u32..=300,
        ops in prop::collection::vec(op(70), OPS / 10),
    ) {
        let mut d = Driver::new(PoolConfig::new(ResourceType::GpuMemory, Kind::Buddy, blocks as f64));
        for op in &ops {
            d.apply(op, 1.0, blocks as f64);
            check_discrete_against_leases(&d, blocks as usize)?;
        }
        for l in d.a.allocations() {
            d.a.release(&l.id).unwrap();
        }
        let s = d.stats();
        prop_assert_eq!((s.used, s.free, s.internal_waste), (0.0, blocks as f64, 0.0));
    }
}

/// A live lease of the divisible models.
#[derive(Debug, Clone)]
struct Live {
    id: String,
    seq: u64,
    amount: f64,
    priority: Priority,
    weight: f64,
    expires: Option<u64>,
}

/// Preemption order of the model: lowest priority, then newest.
fn victims_model(live: &[Live], below: Option<Priority>) -> Vec<Live> {
    let mut v: Vec<Live> = live
        .iter()
        .filter(|l| below.is_none_or(|b| l.priority < b))
        .cloned()
        .collect();
    v.sort_by_key(|l| (l.priority, std::cmp::Reverse(l.seq)));
    v
}

/// Leases of the model expire by expiry tick, then creation.
fn expire_model(live: &mut Vec<Live>, now: u64) -> Vec<String> {
    let mut due: Vec<Live> = live
        .iter()
        .filter(|l| l.expires.is_some_and(|t| t <= now))
        .cloned()
        .collect();
    due.sort_by_key(|l| (l.expires, l.seq));
    live.retain(|l| l.expires.is_none_or(|t| t > now));
    due.into_iter().map(|l| l.id).collect()
}

/// Priority amounts are multiples of 0.5 so every sum is exact and the model needs no slack.
fn run_priority(capacity: f64, preemptive: bool, ops: &[Op]) -> Result<(), TestCaseError> {
    let mut pool = PoolConfig::new(ResourceType::ThermalHeadroom, Kind::Priority, capacity);
    pool.preemptive = preemptive;
    let mut d = Driver::new(pool);
    let mut cap = capacity;
    let mut live: Vec<Live> = Vec::new();
    let mut seq = 0u64;
    let mut now = 0u64;
    for op in ops {
        let outcome = d.apply(op, 0.5, capacity);
        let used: f64 = live.iter().map(|l| l.amount).sum();
        match (op, outcome) {
            (
                Op::Alloc {
                    amount,
                    priority: p,
                    ttl,
                    ..
                },
                Outcome::Alloc(r),
            ) => {
                let amount = *amount as f64 * 0.5;
                let p = priority(*p);
                let mut victims = Vec::new();
                let fits = if amount <= cap - used {
                    true
                } else if preemptive {
                    let mut room = cap - used;
                    for v in victims_model(&live, Some(p)) {
                        if amount <= room {
                            break;
                        }
                        room += v.amount;
                        victims.push(v.id);
                    }
                    amount <= room
                } else {
                    false
                };
                let preempted = d.a.take_preempted();
                if fits {
                    let a = r.map_err(|e| TestCaseError::fail(format!("model admits: {e}")))?;
                    prop_assert_eq!(&preempted, &victims);
                    live.retain(|l| !victims.contains(&l.id));
                    live.push(Live {
                        id: a.id,
                        seq,
                        amount,
                        priority: p,
                        weight: 0.0,
                        expires: ttl.map(|t| now + t as u64),
                    });
                } else {
                    prop_assert_eq!(r.unwrap_err().code(), "INSUFFICIENT_CAPACITY");
                    prop_assert!(preempted.is_empty());
                }
                seq += 1;
            }
            (Op::Release { .. }, Outcome::Release(r, id)) => {
                prop_assert_eq!(r.is_ok(), id.is_some());
                live.retain(|l| Some(&l.id) != id.as_ref());
            }
            (Op::Tick { n }, Outcome::Tick(expired)) => {
                now += *n as u64;
                prop_assert_eq!(expired, expire_model(&mut live, now));
            }
            (Op::SetCapacity { .. }, Outcome::SetCapacity(c, r)) => {
                cap = c;
                let mut used = used;
                let mut want = Vec::new();
                for v in victims_model(&live, None) {
                    if used <= cap {
                        break;
                    }
                    used -= v.amount;
                    want.push(v.id);
                }
                let got = r.map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(&got, &want);
                prop_assert_eq!(d.a.take_preempted(), want.clone());
                live.retain(|l| !want.contains(&l.id));
            }
            _ => {}
        }
        let ids: Vec<String> = d.a.allocations().into_iter().map(|a| a.id).collect();
        let model_ids: Vec<String> = live.iter().map(|l| l.id.clone()).collect();
        prop_assert_eq!(ids, model_ids);
        let s = d.stats();
        check_stats_consistent(&s)?;
        let used: f64 = live.iter().map(|l| l.amount).sum();
        prop_assert_eq!(s.used, used);
        prop_assert!(used <= cap, "over-committed: {used} > {cap}");
    }
    Ok(())
}

/// Brute-force water-filling by progressive filling (no sorting): raise the level shared by all
/// unsatisfied leases; whoever's demand lies below it is satisfied and leaves; repeat until
/// nobody leaves.
fn water_fill_model(live: &[Live], capacity: f64) -> Vec<f64> {
    let total: f64 = live.iter().map(|l| l.amount).sum();
    if total <= capacity {
        return live.iter().map(|l| l.amount).collect();
    }
    let mut satisfied = vec![false; live.len()];
    loop {
        let taken: f64 = live
            .iter()
            .zip(&satisfied)
            .filter(|p| *p.1)
            .map(|p| p.0.amount)
            .sum();
        let weight: f64 = live
            .iter()
            .zip(&satisfied)
            .filter(|p| !*p.1)
            .map(|p| p.0.weight)
            .sum();
        let level = (capacity - taken) / weight;
        let mut changed = false;
        for (l, s) in live.iter().zip(satisfied.iter_mut()) {
            if !*s && l.amount <= level * l.weight {
                *s = true;
                changed = true;
            }
        }
        if !changed {
            return live
                .iter()
                .zip(&satisfied)
                .map(|(l, &s)| if s { l.amount } else { l.weight * level })
                .collect();
        }
    }
}

fn run_weighted(capacity: f64, ops: &[Op]) -> Result<(), TestCaseError> {
    let mut d = Driver::new(PoolConfig::new(
        ResourceType::PowerBudget,
        Kind::Weighted,
        capacity,
    ));
    let weights = [1.0, 2.0, 4.0, 8.0];
    let mut cap = capacity;
    let mut live: Vec<Live> = Vec::new();
    let mut seq = 0u64;
    let mut now = 0u64;
    for op in ops {
        let outcome = d.apply(op, 1.0, capacity);
        match (op, outcome) {
            (
                Op::Alloc {
                    amount,
                    priority: p,
                    ttl,
                    weight,
                    ..
                },
                Outcome::Alloc(r),
            ) => {
                let a = r.map_err(|e| TestCaseError::fail(format!("weighted refused: {e}")))?;
                let p = priority(*p);
                live.push(Live {
                    id: a.id,
                    seq,
                    amount: *amount as f64,
                    priority: p,
                    weight: weight.map_or(weights[p.rank() as usize], f64::from),
                    expires: ttl.map(|t| now + t as u64),
                });
                seq += 1;
            }
            (Op::Release { .. }, Outcome::Release(r, id)) => {
                prop_assert_eq!(r.is_ok(), id.is_some());
                live.retain(|l| Some(&l.id) != id.as_ref());
            }
            (Op::Tick { n }, Outcome::Tick(expired)) => {
                now += *n as u64;
                prop_assert_eq!(expired, expire_model(&mut live, now));
            }
            (Op::SetCapacity { .. }, Outcome::SetCapacity(c, r)) => {
                prop_assert!(r.is_ok_and(|v| v.is_empty()));
                cap = c;
            }
            _ => {}
        }
        let got: Vec<f64> = d.a.allocations().iter().map(|a| a.granted).collect();
        let want = water_fill_model(&live, cap);
        prop_assert_eq!(got.len(), want.len());
        let tol = 1e-7 * cap.max(1.0);
        for (g, w) in got.iter().zip(&want) {
            prop_assert!((g - w).abs() <= tol, "grant {g}, model {w}, grants {got:?}");
        }
        let sum: f64 = got.iter().sum();
        let demand: f64 = live.iter().map(|l| l.amount).sum();
        prop_assert!(sum <= cap + tol, "over-committed: {sum} > {cap}");
        prop_assert!((sum - demand.min(cap)).abs() <= tol, "not work-conserving");
        // Max-min fair: an unsatisfied lease has the highest level of all.
        let top = live
            .iter()
            .zip(&got)
            .map(|(l, g)| g / l.weight)
            .fold(0.0, f64::max);
        for (l, g) in live.iter().zip(&got) {
            if *g < l.amount - tol {
                prop_assert!(g / l.weight >= top - tol, "{} below the water level", l.id);
            }
        }
        let s = d.stats();
        check_stats_consistent(&s)?;
        prop_assert!((s.used - sum).abs() <= tol);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn priority_matches_model(capacity in 1u32..=80, preemptive in any::<bool>(),
                              ops in prop::collection::vec(op(30), OPS)) {
        run_priority(capacity as f64, preemptive, &ops)?;
    }

    #[test]
    fn weighted_matches_water_filling_model(capacity in 1u32..=500,
                                            ops in prop::collection::vec(op(200), OPS)) {
        run_weighted(capacity as f64, &ops)?;
    }
}
