//! The agents' standing leases: one per (agent, resource), kept in step with each market
//! round's grants through the allocator.

use super::compiled::Engine;
use super::output::AllocationOut;
use crate::allocation::Strategy;
use crate::types::ResourceType;

impl Engine {
    /// Keeps one standing lease per (agent, resource) in step with the round's grants: a
    /// lease is made when an agent starts winning, remade when the amount it won changes, and
    /// released when it wins nothing; an unchanged grant keeps its lease (and its placement).
    /// Writes the changes over `out`, including leases a preemptive pool took back.
    ///
    /// The lease ids are pinned in the allocator, which is then addressed by slot: the same
    /// results as its id-based calls, without hashing or copying the ids.
    #[inline(never)] // one call per tick; kept out of line so profiles show the phase
    pub(super) fn allocate(
        &mut self,
        grants: &[crate::market::MarketGrant],
        out: &mut Vec<AllocationOut>,
    ) {
        out.clear();
        if self.lease_handles.len() != self.lease_names.len() {
            self.lease_handles = self.allocator.pin(self.lease_names.iter().map(|id| &**id));
        }
        let integral = ResourceType::ALL.map(|r| {
            matches!(
                self.allocator.strategy(r),
                Some(Strategy::FirstFit | Strategy::BestFit | Strategy::Buddy)
            )
        });
        // All zeros between rounds: the loop below resets each entry as it reads it.
        let mut wanted = std::mem::take(&mut self.wanted);
        if wanted.len() != self.leases.len() {
            wanted.clear();
            wanted.resize(self.leases.len(), 0.0);
        }
        for g in grants {
            // Only a positive, finite amount can be a grant. As bits those are 1 up to the
            // largest finite float's; zeros, negatives, infinities and NaNs all fall outside,
            // so one subtraction and one comparison tell.
            if g.amount.to_bits().wrapping_sub(1) >= f64::MAX.to_bits() {
                continue;
            }
            let r = g.resource.index();
            let amount = if integral[r] {
                floor(g.amount)
            } else {
                g.amount
            };
            // Whole units: less than one is no grant.
            if amount > 0.0
                && let Some(w) = wanted.get_mut(g.agent * 6 + r)
            {
                *w = amount;
            }
        }
        // Sized up front: the changes, plus room for a few preemptions (the last tick's
        // buffer, so this allocates only when a tick changes more leases than any before).
        let changes = wanted
            .iter()
            .zip(&self.leases)
            .filter(|(w, h)| w != h)
            .count();
        out.reserve(changes + 8);
        // Leases a pool took back since the last round (a capacity that shrank in this
        // tick's market round) are gone before this round's grants are placed: a grant for
        // one of them makes a new lease.
        self.note_preempted(out);
        // Two passes: leases that shrink or go first, then those that grow or are new, so
        // what one agent gives back is free before another takes it (the grants fit the
        // capacity together, not necessarily in slot order).
        for growing in [false, true] {
            for (slot, wanted) in wanted.iter_mut().enumerate() {
                let held = self.leases[slot];
                let want = *wanted;
                if held == want || (want > held) != growing {
                    continue;
                }
                self.change_lease(slot, held, want, out);
                // Handled: the second pass finds it settled (a failed change left no lease).
                *wanted = self.leases[slot];
            }
        }
        for w in wanted.iter_mut() {
            *w = 0.0;
        }
        self.wanted = wanted;
        self.allocator.settle();
        self.note_preempted(out);
    }

    /// Moves the standing lease of `slot` from `held` to `want` (one of them > 0), writing
    /// the change (and any preemption it causes) to `out`.
    fn change_lease(&mut self, slot: usize, held: f64, want: f64, out: &mut Vec<AllocationOut>) {
        let resource = ResourceType::ALL[slot % 6];
        let id = &self.lease_names[slot];
        let handle = self.lease_handles[slot];
        if want <= 0.0 {
            // A slot marked held is live: preemptions are noted as they happen.
            self.allocator.release_pinned(handle);
            self.leases[slot] = 0.0;
            out.push(AllocationOut::released(id, resource, held));
            return;
        }
        // Read only for a new lease (a resize keeps the lease's own priority): the agent's
        // configuration is seldom in cache, and most changes are resizes.
        let priority = |engine: &Self| engine.config.agents[slot / 6].priority;
        let result = if held > 0.0 {
            // Exactly release + allocate of the same request, without remaking the lease.
            // The slot is live (a preempted one was marked free when it was taken back).
            self.leases[slot] = 0.0;
            self.allocator.resize_pinned(handle, want)
        } else {
            let priority = priority(self);
            self.allocator
                .allocate_pinned(handle, resource, want, priority)
        };
        out.push(match result {
            Ok(a) => {
                self.leases[slot] = want;
                AllocationOut::granted(id, resource, held, want, a)
            }
            Err(e) => AllocationOut::failed(id, resource, want, crate::error::ErrorCode::code(&e)),
        });
        // A grant on a preemptive pool may take other leases back at once; noting them
        // now keeps the engine's book in step if one of their slots comes later.
        self.note_preempted(out);
    }

    /// Reports the standing leases the allocator has taken back since it was last asked, and
    /// marks them no longer held.
    #[inline]
    fn note_preempted(&mut self, out: &mut Vec<AllocationOut>) {
        if self.allocator.has_preempted() {
            self.note_preempted_leases(out);
        }
    }

    /// [`Engine::note_preempted`]'s work, seldom needed: kept out of the loop it is checked in.
    #[cold]
    #[inline(never)]
    fn note_preempted_leases(&mut self, out: &mut Vec<AllocationOut>) {
        for id in self.allocator.take_preempted() {
            if let Some(&slot) = self.lease_slots.get(&id)
                && self.leases[slot] > 0.0
            {
                let resource = ResourceType::ALL[slot % 6];
                out.push(AllocationOut::preempted(
                    &self.lease_names[slot],
                    resource,
                    self.leases[slot],
                ));
                self.leases[slot] = 0.0;
            }
        }
    }
}

/// `x.floor()` of a positive, finite `x`, without the software `floor` of baseline x86-64.
fn floor(x: f64) -> f64 {
    if x < 9_223_372_036_854_775_808.0 {
        // Truncation is the floor of a positive number; i64 holds every whole float below 2^63
        // exactly (and converts in one instruction each way, unlike u64).
        (x as i64) as f64
    } else {
        // Every float from 2^63 up is whole.
        x
    }
}
