//! The allocator: one pool per resource (DESIGN §2), every grant a lease.
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
pub mod config;
pub mod error;
pub mod first_fit;
mod holes;
pub mod lease;
mod pool;
pub mod priority;
pub mod stats;
pub mod weighted;

pub use config::{AllocatorConfig, ConfigError, PoolConfig, PriorityWeights, Strategy};
pub use error::AllocError;
pub use lease::{Allocation, AllocationRequest, Placement};
pub use stats::PoolStats;

use crate::types::ResourceType;
use lease::{Lease, LeaseBook};
use pool::Pool;
use std::collections::btree_map::Entry;

/// What a capacity change did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CapacityChange {
    /// Leases preempted by the change, in preemption order.
    pub preempted: Vec<String>,
}

/// Pools plus the lease book. See the module documentation.
#[derive(Debug, Clone)]
pub struct Allocator {
    pools: [Option<Pool>; 6],
    book: LeaseBook,
    now: u64,
    preempted: Vec<String>,
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
        if pool.is_discrete() && amount.fract() != 0.0 {
            return Err(invalid(
                "amount",
                amount,
                format!(
                    "must be a whole number: a {} pool grants whole units",
                    pool.strategy().as_str()
                ),
            ));
        }
        if let Some(w) = req.weight
            && (!w.is_finite() || w <= 0.0)
        {
            return Err(invalid(
                "weight",
                w,
                "must be a finite number greater than 0".into(),
            ));
        }
        let book = &mut self.book;
        let entry = match book.ids.entry(req.id) {
            Entry::Occupied(o) => {
                let held = book.slots[*o.get() as usize].as_ref();
                return Err(AllocError::DuplicateId {
                    id: o.key().clone(),
                    resource: held.map_or(resource, |l| l.resource),
                });
            }
            Entry::Vacant(v) => v,
        };
        let seq = book.next_seq;
        let insufficient = |free: f64, largest: f64, id: &str| AllocError::InsufficientCapacity {
            resource,
            id: id.to_string(),
            requested: amount,
            free,
            largest_free_block: largest,
        };
        let mut preempted = Vec::new();
        let (granted, placement) = match pool {
            Pool::FirstFit(p) => match p.allocate(amount as u64, req.contiguous) {
                Some(units) => (amount, Placement::Units(units)),
                None => {
                    let (free, largest) = (p.free() as f64, p.largest_run() as f64);
                    return Err(insufficient(free, largest, entry.key()));
                }
            },
            Pool::BestFit(p) => match p.allocate(amount as u64) {
                Some(offset) => (
                    amount,
                    Placement::Range {
                        offset,
                        size: amount as u64,
                    },
                ),
                None => {
                    let (free, largest) = (p.free() as f64, p.largest_hole() as f64);
                    return Err(insufficient(free, largest, entry.key()));
                }
            },
            Pool::Buddy(p) => match p.allocate(amount as u64) {
                Some((offset, size)) => (size as f64, Placement::Range { offset, size }),
                None => {
                    let (free, largest) = (p.free() as f64, p.largest_free_block() as f64);
                    return Err(insufficient(free, largest, entry.key()));
                }
            },
            Pool::Priority(p) => match p.allocate(seq, amount, req.priority) {
                Ok(victims) => {
                    preempted = victims;
                    (amount, Placement::Share)
                }
                Err(r) => return Err(insufficient(r.free, r.reachable, entry.key())),
            },
            Pool::Weighted(p, weights) => {
                let w = Pool::weight_for(weights, req.priority, req.weight);
                (p.allocate(seq, amount, w), Placement::Share)
            }
        };
        book.next_seq += 1;
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
        entry.insert(LeaseBook::store(
            &mut book.slots,
            &mut book.free_slots,
            lease,
        ));
        if let Some(t) = expires_at_tick {
            book.expiry.insert((t, seq), allocation.id.clone());
        }
        if !preempted.is_empty() {
            for victim in book.ids_of(&preempted) {
                book.remove(&victim);
                self.preempted.push(victim);
            }
        }
        Ok(allocation)
    }

    /// Ends a lease (`UNKNOWN_LEASE` if no live lease has this id) and returns it as it was
    /// just before release.
    pub fn release(&mut self, id: &str) -> Result<Allocation, AllocError> {
        let (id, lease) = self
            .book
            .remove(id)
            .ok_or_else(|| AllocError::UnknownLease { id: id.to_string() })?;
        let granted = self.current_grant(&lease);
        if let Some(pool) = self.pools[lease.resource.index()].as_mut() {
            match (pool, &lease.placement) {
                (Pool::FirstFit(p), Placement::Units(units)) => p.release(units),
                (Pool::BestFit(p), Placement::Range { offset, size }) => p.release(*offset, *size),
                (Pool::Buddy(p), Placement::Range { offset, size }) => {
                    p.release(*offset, *size, lease.requested as u64)
                }
                (Pool::Priority(p), _) => p.release(lease.seq),
                (Pool::Weighted(p, _), _) => p.release(lease.seq),
                // A lease's placement always matches its pool's strategy.
                _ => debug_assert!(false, "placement does not match the pool"),
            }
        }
        Ok(lease.into_allocation(id, granted))
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
mod tests;
