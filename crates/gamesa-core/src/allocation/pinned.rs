//! Pinned leases: ids that are leased, resized and released again and again (the engine's
//! standing lease per agent and resource) get a book slot of their own for good, and their
//! owner addresses them by that slot: no id hashing, no id strings, no copies of the
//! placement, and Weighted pools recompute their shares once per batch of changes
//! ([`Allocator::settle`]) instead of once per change.
//!
//! Every result is exactly what the id-based calls give for the same sequence of requests
//! (`pinned_tests::pinned_calls_match_id_calls` checks it); a pinned id also stays usable through
//! them.

use super::lease::Lease;
use super::pool::Pool;
use super::{AllocError, Allocator, Ask, Placement, insufficient, is_whole};

/// How [`Allocator::resize_in_place`] went.
enum Resized {
    /// The lease in the slot holds the new amount.
    Done,
    /// The pool could not place it: `(free, largest block)`; the old grant was given back.
    Refused((f64, f64)),
    /// Not a case it handles; nothing was changed.
    Generic,
}
use crate::types::{Priority, ResourceType};

impl Allocator {
    /// Pins each id to a book slot of its own and returns the slots, in order. A pinned id
    /// keeps its slot when its lease ends, so the `*_pinned` calls can reach it by slot.
    pub(crate) fn pin<'a>(&mut self, ids: impl IntoIterator<Item = &'a str>) -> Vec<u32> {
        ids.into_iter().map(|id| self.book.pin(id)).collect()
    }

    /// [`Allocator::allocate`] of the pinned id of `slot` (no TTL, not contiguous, no explicit
    /// weight), returning the grant and its placement. Leaves Weighted shares stale.
    pub(crate) fn allocate_pinned(
        &mut self,
        slot: u32,
        resource: ResourceType,
        amount: f64,
        priority: Priority,
    ) -> Result<(f64, &Placement), AllocError> {
        let Some(pool) = self.pools[resource.index()].as_ref() else {
            return Err(self.unknown(resource));
        };
        Self::validate(pool, resource, amount, None)?;
        if let Some(held) = self.book.slots.get(slot as usize).and_then(Option::as_ref) {
            return Err(AllocError::DuplicateId {
                id: self.book.pinned_id(slot).to_string(),
                resource: held.resource,
            });
        }
        let ask = Ask {
            seq: self.book.next_seq,
            amount,
            priority,
            weight: None,
            contiguous: false,
            lazy: true,
        };
        self.lease_pinned(slot, resource, ask, None)?;
        self.pinned_grant(slot)
    }

    /// [`Allocator::resize`] of the lease in pinned `slot`, returning the grant and its
    /// placement. Leaves Weighted shares stale.
    pub(crate) fn resize_pinned(
        &mut self,
        slot: u32,
        amount: f64,
    ) -> Result<(f64, &Placement), AllocError> {
        match self.resize_in_place(slot, amount) {
            Resized::Done => {
                let lease = self.book.slots[slot as usize].as_ref();
                // `Done` means the lease is live.
                lease
                    .map(|l| (l.granted, &l.placement))
                    .ok_or_else(|| AllocError::UnknownLease {
                        id: self.book.pinned_id(slot).to_string(),
                    })
            }
            Resized::Refused(r) => Err(self.refused_resize(slot, amount, r)),
            Resized::Generic => {
                let lease = self.resize_slot(slot, None, amount, true)?;
                Ok((lease.granted, &lease.placement))
            }
        }
    }

    /// The usual resize, of a live lease on a FirstFit, BestFit, Buddy or Weighted pool to a
    /// valid amount, done on the lease where it lies: `resize_slot`'s steps without moving the
    /// placement through `place` and back (a FirstFit lease keeps its unit buffer). Anything
    /// else (no lease, an invalid amount, a Priority pool, which may preempt) is left to
    /// `resize_slot`, untouched.
    #[inline]
    fn resize_in_place(&mut self, slot: u32, amount: f64) -> Resized {
        let book = &mut self.book;
        let Some(Some(lease)) = book.slots.get_mut(slot as usize) else {
            return Resized::Generic;
        };
        let Some(pool) = self.pools[lease.resource.index()].as_mut() else {
            return Resized::Generic;
        };
        // A valid amount: positive and finite (NaN fails both tests), and whole on the
        // discrete pools (their arms' guards).
        if !(amount > 0.0 && amount < f64::INFINITY) {
            return Resized::Generic;
        }
        let seq = book.next_seq;
        let granted = match (pool, &mut lease.placement) {
            (Pool::FirstFit(p), Placement::Units(units)) if is_whole(amount) => {
                p.release(units);
                units.clear();
                if !p.allocate_into(amount as u64, false, units) {
                    return Resized::Refused((p.free() as f64, p.largest_run() as f64));
                }
                amount
            }
            (Pool::BestFit(p), Placement::Range { offset, size }) if is_whole(amount) => {
                p.release(*offset, *size);
                let Some(at) = p.allocate(amount as u64) else {
                    return Resized::Refused((p.free() as f64, p.largest_hole() as f64));
                };
                (*offset, *size) = (at, amount as u64);
                amount
            }
            (Pool::Buddy(p), Placement::Range { offset, size }) if is_whole(amount) => {
                p.release(*offset, *size, lease.requested as u64);
                let Some((at, block)) = p.allocate(amount as u64) else {
                    return Resized::Refused((p.free() as f64, p.largest_free_block() as f64));
                };
                (*offset, *size) = (at, block);
                block as f64
            }
            (Pool::Weighted(p, weights), _) => {
                let weight = p.detach(lease.seq);
                p.attach(
                    seq,
                    amount,
                    Pool::weight_for(weights, lease.priority, weight),
                )
            }
            _ => return Resized::Generic,
        };
        book.next_seq += 1;
        if let Some(t) = lease.expires_at_tick.take() {
            book.expiry.remove(&(t, lease.seq));
        }
        lease.seq = seq;
        lease.requested = amount;
        lease.granted = granted;
        lease.created_tick = self.now;
        Resized::Done
    }

    /// What `resize_slot` leaves when the pool cannot place the new amount (the old grant
    /// already given back): no lease, and `INSUFFICIENT_CAPACITY`.
    #[cold]
    #[inline(never)]
    fn refused_resize(&mut self, slot: u32, amount: f64, refused: (f64, f64)) -> AllocError {
        let id = self.book.pinned_id(slot).to_string();
        let resource = self.book.slots[slot as usize].as_ref().map(|l| l.resource);
        if let Some((_, lease)) = self.book.remove(&id) {
            self.recycle(lease.placement);
        }
        match resource {
            Some(resource) => insufficient(resource, &id, amount, refused),
            None => AllocError::UnknownLease { id },
        }
    }

    /// [`Allocator::release`] of the lease in pinned `slot`; false when there is none.
    /// Leaves Weighted shares stale.
    pub(crate) fn release_pinned(&mut self, slot: u32) -> bool {
        let Some(lease) = self.book.take_pinned(slot) else {
            return false;
        };
        if let Some(pool) = self.pools[lease.resource.index()].as_mut() {
            Self::give_back(pool, &lease, true);
        }
        self.recycle(lease.placement);
        true
    }

    /// Brings every Weighted pool's shares up to date after `*_pinned` calls. Reads are exact
    /// without it, but slower.
    pub(crate) fn settle(&mut self) {
        for pool in self.pools.iter_mut().flatten() {
            if let Pool::Weighted(p, _) = pool {
                p.settle();
            }
        }
    }

    /// Grants `ask` (validated, on a configured pool) to the empty pinned `slot`.
    pub(super) fn lease_pinned(
        &mut self,
        slot: u32,
        resource: ResourceType,
        ask: Ask,
        ttl_ticks: Option<u64>,
    ) -> Result<(), AllocError> {
        let Some(pool) = self.pools[resource.index()].as_mut() else {
            return Err(self.unknown(resource));
        };
        let placed = Self::place(pool, ask, &mut self.spare_units);
        let (granted, placement, preempted) =
            placed.map_err(|r| insufficient(resource, self.book.pinned_id(slot), ask.amount, r))?;
        let book = &mut self.book;
        book.next_seq += 1;
        let expires_at_tick = ttl_ticks.map(|t| self.now.saturating_add(t));
        book.slots[slot as usize] = Some(Lease {
            seq: ask.seq,
            resource,
            requested: ask.amount,
            granted,
            placement,
            priority: ask.priority,
            created_tick: self.now,
            expires_at_tick,
        });
        if let Some(t) = expires_at_tick {
            let id = book.pinned_id(slot).to_string();
            book.expiry.insert((t, ask.seq), id);
        }
        self.take_victims(&preempted);
        Ok(())
    }

    fn pinned_grant(&self, slot: u32) -> Result<(f64, &Placement), AllocError> {
        match self.book.slots.get(slot as usize).and_then(Option::as_ref) {
            Some(l) => Ok((l.granted, &l.placement)),
            None => Err(AllocError::UnknownLease {
                id: self.book.pinned_id(slot).to_string(),
            }),
        }
    }
}
