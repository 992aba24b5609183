//! The allocator: one pool per resource (docs/architecture.md §2), every grant a lease.
//!
//! | strategy | resource (default) | grant |
//! |---|---|---|
//! | [`first_fit`] | cpu_cores | unit ids, lowest free first |
//! | [`best_fit`] | cpu_time | `[offset, offset+size)`, smallest hole that fits |
//! | [`buddy`] | gpu_compute, gpu_memory | power-of-two block |
//! | [`priority`] | thermal_headroom | divisible; shrink preempts lowest priority, newest first |
//! | [`weighted`] | power_budget | divisible; weighted max-min fair share |
//!
//! Deterministic: state lives in `BTreeMap`s and `Vec`s, time is the tick counter advanced by
//! [`Allocator::tick`], and every list comes out in a documented order.
//!
//! Capacity changes: Priority and Weighted pools follow [`Allocator::set_capacity`] (telemetry).
//! FirstFit, BestFit and Buddy capacities describe hardware layout and are fixed by the
//! configuration; `set_capacity` on them accepts only the current value and otherwise fails
//! with `INVALID_AMOUNT`.

pub mod best_fit;
mod bitset;
pub mod buddy;
mod by_seq;
mod change_detail;
pub mod config;
pub mod error;
pub mod first_fit;
mod holes;
pub mod lease;
mod lease_id;
mod ordered;
mod pinned;
mod pool;
pub mod priority;
pub mod stats;
mod unit_ids;
pub mod weighted;

pub use change_detail::ChangeDetail;
pub use config::{AllocatorConfig, ConfigError, PoolConfig, PriorityWeights, Strategy};
pub use error::AllocError;
pub use lease::{Allocation, AllocationRequest, Placement};
pub use lease_id::LeaseId;
pub use stats::PoolStats;
pub use unit_ids::UnitIds;

use crate::types::{Priority, ResourceType};
use lease::{Lease, LeaseBook};
use pool::Pool;
use std::collections::hash_map::Entry;

/// `INSUFFICIENT_CAPACITY` for `id` asking `amount`, from the pool's `(free, largest)`.
fn insufficient(
    resource: ResourceType,
    id: &str,
    amount: f64,
    (free, largest): (f64, f64),
) -> AllocError {
    AllocError::InsufficientCapacity {
        resource,
        id: id.to_string(),
        requested: amount,
        free,
        largest_free_block: largest,
    }
}

/// Whether `x` (finite, > 0) is a whole number: `x.fract() == 0.0`, without the software
/// `trunc` that `fract` is on baseline x86-64 (every float from 2^53 up is whole).
fn is_whole(x: f64) -> bool {
    x >= 9_007_199_254_740_992.0 || (x as i64) as f64 == x
}

/// What a capacity change did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CapacityChange {
    /// Leases preempted by the change, in preemption order.
    pub preempted: Vec<String>,
}

/// What [`Allocator::place`] is asked to grant.
#[derive(Debug, Clone, Copy)]
struct Ask {
    /// The lease's sequence number.
    seq: u64,
    amount: f64,
    priority: Priority,
    weight: Option<f64>,
    contiguous: bool,
    /// Weighted pools may leave the other leases' shares stale (see [`Allocator::settle`]).
    lazy: bool,
}

/// Pools plus the lease book. See the module documentation.
#[derive(Debug, Clone)]
pub struct Allocator {
    pools: [Option<Pool>; 6],
    book: LeaseBook,
    now: u64,
    preempted: Vec<String>,
    /// Emptied unit-id buffers of ended FirstFit leases, reused by the next ones (a lease's
    /// placement is one allocation less per change).
    spare_units: Vec<Vec<u32>>,
}

impl Allocator {
    /// Builds an allocator from a configuration, validating it first (`INVALID_CONFIG`).
    pub fn new(config: &AllocatorConfig) -> Result<Allocator, AllocError> {
        config.validate()?;
        let mut pools: [Option<Pool>; 6] = Default::default();
        for (i, pc) in config.pools.iter().enumerate() {
            let slot = &mut pools[pc.resource.index()];
            if slot.is_some() {
                return Err(AllocError::InvalidConfig(ConfigError {
                    path: format!("$.pools[{i}].resource"),
                    message: format!("resource {} has more than one pool", pc.resource),
                }));
            }
            *slot = Some(Pool::build(i, pc)?);
        }
        Ok(Allocator {
            pools,
            book: LeaseBook::default(),
            now: 0,
            preempted: Vec::new(),
            spare_units: Vec::new(),
        })
    }

    /// The allocator of [`AllocatorConfig::defaults`].
    pub fn with_defaults() -> Allocator {
        // The defaults are a constant of this crate and covered by tests; failing here is a bug.
        Allocator::new(&AllocatorConfig::defaults()).expect("default allocator config is valid")
    }

    /// Configured resources, in `ResourceType::ALL` order.
    pub fn resources(&self) -> Vec<ResourceType> {
        ResourceType::ALL
            .into_iter()
            .filter(|r| self.pools[r.index()].is_some())
            .collect()
    }

    /// Strategy of a configured resource.
    pub fn strategy(&self, resource: ResourceType) -> Option<Strategy> {
        self.pools[resource.index()].as_ref().map(Pool::strategy)
    }

    fn unknown(&self, resource: ResourceType) -> AllocError {
        AllocError::UnknownResource {
            resource,
            configured: self.resources(),
        }
    }

    /// Current tick.
    pub fn now_tick(&self) -> u64 {
        self.now
    }

    /// Grants a lease, or says why not (`UNKNOWN_RESOURCE`, `INVALID_AMOUNT`, `DUPLICATE_ID`,
    /// `INSUFFICIENT_CAPACITY`). On a preemptive Priority pool, leases preempted to make room
    /// are queued for [`Allocator::take_preempted`].
    pub fn allocate(&mut self, req: AllocationRequest) -> Result<Allocation, AllocError> {
        let resource = req.resource;
        let Some(pool) = self.pools[resource.index()].as_mut() else {
            return Err(self.unknown(resource));
        };
        let amount = req.amount;
        Self::validate(pool, resource, amount, req.weight)?;
        let ask = Ask {
            seq: self.book.next_seq,
            amount,
            priority: req.priority,
            weight: req.weight,
            contiguous: req.contiguous,
            lazy: false,
        };
        let book = &mut self.book;
        let entry = match book.ids.entry(req.id) {
            Entry::Occupied(o) => {
                let slot = *o.get();
                if let Some(held) = book.slots[slot as usize].as_ref() {
                    return Err(AllocError::DuplicateId {
                        id: o.key().clone(),
                        resource: held.resource,
                    });
                }
                // A pinned id between two leases: its slot is waiting for it.
                let id = o.key().clone();
                self.lease_pinned(slot, resource, ask, req.ttl_ticks)?;
                let lease = self.book.slots[slot as usize].as_ref();
                return lease
                    .map(|l| l.to_allocation(&id, l.granted))
                    .ok_or(AllocError::UnknownLease { id });
            }
            Entry::Vacant(v) => v,
        };
        let placed = Self::place(pool, ask, &mut self.spare_units);
        let (granted, placement, preempted) =
            placed.map_err(|r| insufficient(resource, entry.key(), amount, r))?;
        book.next_seq += 1;
        let seq = ask.seq;
        let id = entry.key().clone();
        let expires_at_tick = req.ttl_ticks.map(|t| self.now.saturating_add(t));
        let allocation = Allocation {
            id,
            resource,
            requested: amount,
            granted,
            placement: placement.clone(),
            priority: req.priority,
            created_tick: self.now,
            expires_at_tick,
        };
        let lease = Lease {
            seq,
            resource,
            requested: amount,
            granted,
            placement,
            priority: req.priority,
            created_tick: self.now,
            expires_at_tick,
        };
        let slot = match book.free_slots.pop() {
            Some(slot) => {
                book.slots[slot as usize] = Some(lease);
                slot
            }
            None => {
                book.slots.push(Some(lease));
                book.pins.push(None);
                (book.slots.len() - 1) as u32
            }
        };
        entry.insert(slot);
        if let Some(t) = expires_at_tick {
            book.expiry.insert((t, seq), allocation.id.clone());
        }
        self.take_victims(&preempted);
        Ok(allocation)
    }

    /// Removes the leases a pool preempted (by sequence number, in preemption order) from the
    /// book and queues their ids for [`Allocator::take_preempted`].
    #[inline]
    fn take_victims(&mut self, victims: &[u64]) {
        if !victims.is_empty() {
            self.remove_victims(victims);
        }
    }

    #[cold]
    #[inline(never)]
    fn remove_victims(&mut self, victims: &[u64]) {
        for victim in self.book.ids_of(victims) {
            if let Some((_, lease)) = self.book.remove(&victim) {
                self.recycle(lease.placement);
            }
            self.preempted.push(victim);
        }
    }

    /// Keeps an ended lease's unit-id buffer for the next FirstFit grant.
    fn recycle(&mut self, placement: Placement) {
        if let Placement::Units(mut units) = placement {
            units.clear();
            self.spare_units.push(units);
        }
    }

    /// The request checks every pool makes (`INVALID_AMOUNT`).
    #[inline]
    fn validate(
        pool: &Pool,
        resource: ResourceType,
        amount: f64,
        weight: Option<f64>,
    ) -> Result<(), AllocError> {
        let valid = |x: f64| x.is_finite() && x > 0.0;
        if valid(amount) && weight.is_none_or(valid) && (!pool.is_discrete() || is_whole(amount)) {
            return Ok(());
        }
        Self::refuse(pool, resource, amount, weight)
    }

    /// The `INVALID_AMOUNT` of a request [`Allocator::validate`] does not pass.
    #[cold]
    #[inline(never)]
    fn refuse(
        pool: &Pool,
        resource: ResourceType,
        amount: f64,
        weight: Option<f64>,
    ) -> Result<(), AllocError> {
        let invalid = |field, value, reason: String| AllocError::InvalidAmount {
            resource,
            field,
            value,
            reason,
        };
        if !amount.is_finite() || amount <= 0.0 {
            return Err(invalid(
                "amount",
                amount,
                "must be a finite number greater than 0".into(),
            ));
        }
        if pool.is_discrete() && !is_whole(amount) {
            return Err(invalid(
                "amount",
                amount,
                format!(
                    "must be a whole number: a {} pool grants whole units",
                    pool.strategy().as_str()
                ),
            ));
        }
        if let Some(w) = weight
            && (!w.is_finite() || w <= 0.0)
        {
            return Err(invalid(
                "weight",
                w,
                "must be a finite number greater than 0".into(),
            ));
        }
        Ok(())
    }

    /// Changes a live lease's amount. Equivalent to [`Allocator::release`] followed by
    /// [`Allocator::allocate`] of a request with the same id, resource and priority, the new
    /// `amount`, no TTL, not contiguous, and on a Weighted pool the weight the lease had: the
    /// lease becomes the newest (preemption and fair-share ties see it as just made, and
    /// `created_tick` is now) and on FirstFit, BestFit and Buddy pools it may move. It is
    /// cheaper than the pair because the id keeps its entry in the lease book and a Weighted
    /// pool recomputes its shares once instead of twice.
    ///
    /// Errors: `UNKNOWN_LEASE` (nothing changes), else those of `allocate`, after which the
    /// lease is released, as the pair would leave it. Leases a preemptive pool takes back are
    /// queued for [`Allocator::take_preempted`].
    pub fn resize(&mut self, id: &str, amount: f64) -> Result<Allocation, AllocError> {
        let lease = self.resize_lease(id, amount)?;
        Ok(lease.to_allocation(id, lease.granted))
    }

    /// [`Allocator::resize`]'s work; returns the resized lease.
    fn resize_lease(&mut self, id: &str, amount: f64) -> Result<&Lease, AllocError> {
        let Some(slot) = self.book.ids.get(id).copied() else {
            return Err(AllocError::UnknownLease { id: id.to_string() });
        };
        self.resize_slot(slot, Some(id), amount, false)
    }

    /// The id of the lease in `slot` for an error: `id` when the caller has it, else the
    /// slot's pinned id.
    fn id_for(&self, slot: u32, id: Option<&str>) -> String {
        id.unwrap_or_else(|| self.book.pinned_id(slot)).to_string()
    }

    /// Resizes the live lease in `slot` (see [`Allocator::resize`]); `id` is its id when the
    /// caller has it (errors name it), `None` for a pinned slot. `lazy`: see [`Ask::lazy`].
    fn resize_slot(
        &mut self,
        slot: u32,
        id: Option<&str>,
        amount: f64,
        lazy: bool,
    ) -> Result<&Lease, AllocError> {
        let Some((resource, old_seq, priority)) = self
            .book
            .slots
            .get(slot as usize)
            .and_then(Option::as_ref)
            .map(|l| (l.resource, l.seq, l.priority))
        else {
            return Err(AllocError::UnknownLease {
                id: self.id_for(slot, id),
            });
        };
        let Some(pool) = self.pools[resource.index()].as_mut() else {
            return Err(self.unknown(resource));
        };
        if let Err(e) = Self::validate(pool, resource, amount, None) {
            match id {
                Some(id) => {
                    let _ = self.release(id);
                }
                None => {
                    self.release_pinned(slot);
                }
            }
            return Err(e);
        }
        let book = &mut self.book;
        let Some(lease) = book.slots[slot as usize].as_mut() else {
            return Err(AllocError::UnknownLease {
                id: self.id_for(slot, id),
            });
        };
        // Take the old grant out of the pool, as release does; a Weighted pool's shares are
        // recomputed once, when the new grant is placed below. A FirstFit lease's unit buffer
        // is reused for its new units.
        let mut weight = None;
        match (&mut *pool, &mut lease.placement) {
            (Pool::FirstFit(p), Placement::Units(units)) => {
                p.release(units);
                units.clear();
                self.spare_units.push(std::mem::take(units));
            }
            (Pool::BestFit(p), Placement::Range { offset, size }) => p.release(*offset, *size),
            (Pool::Buddy(p), Placement::Range { offset, size }) => {
                p.release(*offset, *size, lease.requested as u64)
            }
            (Pool::Priority(p), _) => p.release(old_seq),
            (Pool::Weighted(p, _), _) => weight = p.detach(old_seq),
            // A lease's placement always matches its pool's strategy.
            _ => debug_assert!(false, "placement does not match the pool"),
        }
        let ask = Ask {
            seq: book.next_seq,
            amount,
            priority,
            weight,
            contiguous: false,
            lazy,
        };
        let (granted, placement, preempted) = match Self::place(pool, ask, &mut self.spare_units) {
            Ok(p) => p,
            Err(r) => {
                // As release + a refused allocate leave it: no lease.
                let id = self.id_for(slot, id);
                let _ = self.book.remove(&id);
                return Err(insufficient(resource, &id, amount, r));
            }
        };
        book.next_seq += 1;
        if let Some(t) = lease.expires_at_tick.take() {
            book.expiry.remove(&(t, old_seq));
        }
        lease.seq = ask.seq;
        lease.requested = amount;
        lease.granted = granted;
        lease.placement = placement;
        lease.created_tick = self.now;
        self.take_victims(&preempted);
        // The lease's slot stays live: victims are other leases.
        self.book.slots[slot as usize]
            .as_ref()
            .ok_or_else(|| AllocError::UnknownLease {
                id: self.id_for(slot, id),
            })
    }

    /// Grants `ask` on `pool` (a validated request): the grant, where it lies, and the leases a
    /// preemptive pool took back for it; or, when the pool cannot grant it, `(free, largest
    /// block or amount reachable by preemption)`. FirstFit units go into a spare buffer.
    fn place(
        pool: &mut Pool,
        ask: Ask,
        spare_units: &mut Vec<Vec<u32>>,
    ) -> Result<(f64, Placement, Vec<u64>), (f64, f64)> {
        let amount = ask.amount;
        let refused = match pool {
            Pool::FirstFit(p) => {
                let mut units = spare_units.pop().unwrap_or_default();
                if p.allocate_into(amount as u64, ask.contiguous, &mut units) {
                    return Ok((amount, Placement::Units(units), Vec::new()));
                }
                spare_units.push(units);
                (p.free() as f64, p.largest_run() as f64)
            }
            Pool::BestFit(p) => match p.allocate(amount as u64) {
                Some(offset) => {
                    let size = amount as u64;
                    return Ok((amount, Placement::Range { offset, size }, Vec::new()));
                }
                None => (p.free() as f64, p.largest_hole() as f64),
            },
            Pool::Buddy(p) => match p.allocate(amount as u64) {
                Some((offset, size)) => {
                    return Ok((size as f64, Placement::Range { offset, size }, Vec::new()));
                }
                None => (p.free() as f64, p.largest_free_block() as f64),
            },
            Pool::Priority(p) => match p.allocate(ask.seq, amount, ask.priority) {
                Ok(victims) => return Ok((amount, Placement::Share, victims)),
                Err(r) => (r.free, r.reachable),
            },
            Pool::Weighted(p, weights) => {
                let w = Pool::weight_for(weights, ask.priority, ask.weight);
                let granted = if ask.lazy {
                    p.attach(ask.seq, amount, w)
                } else {
                    p.allocate(ask.seq, amount, w)
                };
                return Ok((granted, Placement::Share, Vec::new()));
            }
        };
        Err(refused)
    }

    /// Ends a lease (`UNKNOWN_LEASE` if no live lease has this id) and returns it as it was
    /// just before release.
    pub fn release(&mut self, id: &str) -> Result<Allocation, AllocError> {
        let (id, lease) = self
            .book
            .remove(id)
            .ok_or_else(|| AllocError::UnknownLease { id: id.to_string() })?;
        if let Some(Pool::Weighted(p, _)) = self.pools[lease.resource.index()].as_mut() {
            // The grant it had up to now, exactly: shares are brought up to date first.
            p.settle();
        }
        let granted = self.current_grant(&lease);
        if let Some(pool) = self.pools[lease.resource.index()].as_mut() {
            Self::give_back(pool, &lease, false);
        }
        Ok(lease.into_allocation(id, granted))
    }

    /// Returns an ended lease's grant to its pool. `lazy`: see [`Ask::lazy`].
    fn give_back(pool: &mut Pool, lease: &Lease, lazy: bool) {
        match (pool, &lease.placement) {
            (Pool::FirstFit(p), Placement::Units(units)) => p.release(units),
            (Pool::BestFit(p), Placement::Range { offset, size }) => p.release(*offset, *size),
            (Pool::Buddy(p), Placement::Range { offset, size }) => {
                p.release(*offset, *size, lease.requested as u64)
            }
            (Pool::Priority(p), _) => p.release(lease.seq),
            (Pool::Weighted(p, _), _) if lazy => {
                p.detach(lease.seq);
            }
            (Pool::Weighted(p, _), _) => p.release(lease.seq),
            // A lease's placement always matches its pool's strategy.
            _ => debug_assert!(false, "placement does not match the pool"),
        }
    }

    fn current_grant(&self, lease: &Lease) -> f64 {
        match self.pools[lease.resource.index()].as_ref() {
            Some(Pool::Weighted(p, _)) => p.granted(lease.seq).unwrap_or(0.0),
            _ => lease.granted,
        }
    }

    /// Advances time by `n` ticks and expires every lease whose expiry tick is reached.
    /// Returns their ids ordered by expiry tick, then creation order.
    pub fn tick(&mut self, n: u64) -> Vec<String> {
        self.now = self.now.saturating_add(n);
        let due = self.book.due(self.now);
        for id in &due {
            // Every id in the expiry index is live.
            let _ = self.release(id);
        }
        due
    }

    /// Sets a pool's capacity. Priority pools preempt (lowest priority, then newest first) until
    /// the grants fit; Weighted pools recompute every share. FirstFit, BestFit and Buddy pools
    /// accept only their current capacity (`INVALID_AMOUNT` otherwise). Preempted ids are
    /// returned and also queued for [`Allocator::take_preempted`].
    pub fn set_capacity(
        &mut self,
        resource: ResourceType,
        capacity: f64,
    ) -> Result<CapacityChange, AllocError> {
        let Some(pool) = self.pools[resource.index()].as_mut() else {
            return Err(self.unknown(resource));
        };
        let invalid = |reason: String| AllocError::InvalidAmount {
            resource,
            field: "capacity",
            value: capacity,
            reason,
        };
        if !capacity.is_finite() || capacity < 0.0 {
            return Err(invalid("must be a finite number ≥ 0".into()));
        }
        let victims = match pool {
            Pool::Priority(p) => p.set_capacity(capacity),
            Pool::Weighted(p, _) => {
                p.set_capacity(capacity);
                Vec::new()
            }
            fixed => {
                let current = fixed.stats().capacity;
                if capacity == current {
                    Vec::new()
                } else {
                    return Err(invalid(format!(
                        "a {} pool's capacity ({current}) is fixed by its configuration; \
                         only priority and weighted pools follow telemetry",
                        fixed.strategy().as_str()
                    )));
                }
            }
        };
        let preempted = self.book.ids_of(&victims);
        for id in &preempted {
            self.book.remove(id);
        }
        self.preempted.extend(preempted.iter().cloned());
        Ok(CapacityChange { preempted })
    }

    /// Drains the ids of leases preempted since the last call (by `allocate` on a preemptive
    /// pool or by `set_capacity`), in preemption order.
    pub fn take_preempted(&mut self) -> Vec<String> {
        std::mem::take(&mut self.preempted)
    }

    /// Whether [`Allocator::take_preempted`] has anything to give.
    pub fn has_preempted(&self) -> bool {
        !self.preempted.is_empty()
    }

    /// Stats of a pool (`UNKNOWN_RESOURCE` if not configured).
    pub fn stats(&self, resource: ResourceType) -> Result<PoolStats, AllocError> {
        self.pools[resource.index()]
            .as_ref()
            .map(Pool::stats)
            .ok_or_else(|| self.unknown(resource))
    }

    /// A live lease with its current grant.
    pub fn get(&self, id: &str) -> Option<Allocation> {
        let (id, lease) = self.book.get(id)?;
        Some(lease.to_allocation(id, self.current_grant(lease)))
    }

    /// Every live lease with its current grant, in creation order.
    pub fn allocations(&self) -> Vec<Allocation> {
        self.book
            .in_creation_order()
            .into_iter()
            .map(|(id, l)| l.to_allocation(id, self.current_grant(l)))
            .collect()
    }
}

#[cfg(test)]
mod pinned_tests;
#[cfg(test)]
mod tests;
