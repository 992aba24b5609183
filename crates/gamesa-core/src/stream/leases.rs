//! The agents' standing leases: one per (agent, resource), kept in step with each market
//! round's grants through the allocator.

use super::engine::Engine;
use super::output::AllocationOut;
use crate::allocation::{AllocError, AllocationRequest};
use crate::types::ResourceType;

impl Engine {
    /// Keeps one standing lease per (agent, resource) in step with the round's grants: a
    /// lease is made when an agent starts winning, remade when the amount it won changes, and
    /// released when it wins nothing; an unchanged grant keeps its lease (and its placement).
    /// Returns the changes, including leases a preemptive pool took back.
    pub(super) fn allocate(
        &mut self,
        grants: &[crate::economics::MarketGrant],
    ) -> Vec<AllocationOut> {
        use crate::allocation::Strategy;
        let mut wanted = std::mem::take(&mut self.wanted);
        wanted.clear();
        wanted.resize(self.leases.len(), 0.0);
        for g in grants {
            let integral = matches!(
                self.allocator.strategy(g.resource),
                Some(Strategy::FirstFit | Strategy::BestFit | Strategy::Buddy)
            );
            let amount = if integral { g.amount.floor() } else { g.amount };
            if let Some(w) = wanted.get_mut(g.agent * 6 + g.resource.index())
                && amount.is_finite()
                && amount > 0.0
            {
                *w = amount;
            }
        }
        // Sized up front: the changes, plus room for a few preemptions.
        let changes = wanted
            .iter()
            .zip(&self.leases)
            .filter(|(w, h)| w != h)
            .count();
        let mut out = Vec::with_capacity(changes + 8);
        for (slot, &want) in wanted.iter().enumerate() {
            let held = self.leases[slot];
            if held == want {
                continue;
            }
            let resource = ResourceType::ALL[slot % 6];
            let agent = &self.config.agents[slot / 6];
            let agent_id = &self.agent_ids[slot / 6];
            let id = &self.lease_ids[slot];
            if want <= 0.0 {
                // A standing lease is live unless a pool preempted it (handled below).
                let _ = self.allocator.release(id);
                self.leases[slot] = 0.0;
                out.push(AllocationOut::released(id, agent_id, resource, held));
                continue;
            }
            let request = |id: &str| AllocationRequest {
                id: id.to_string(),
                resource,
                amount: want,
                priority: agent.priority,
                ttl_ticks: None,
                contiguous: false,
                weight: None,
            };
            let result = if held > 0.0 {
                // Exactly release + allocate of the same request, without remaking the lease;
                // a lease a pool preempted earlier this tick is simply allocated again.
                self.leases[slot] = 0.0;
                match self.allocator.resize_grant(id, want) {
                    Err(AllocError::UnknownLease { .. }) => {
                        (self.allocator.allocate(request(id))).map(|a| (a.granted, a.placement))
                    }
                    r => r,
                }
            } else {
                self.allocator
                    .allocate(request(id))
                    .map(|a| (a.granted, a.placement))
            };
            out.push(match result {
                Ok(a) => {
                    self.leases[slot] = want;
                    AllocationOut::granted(id, agent_id, resource, held, want, a)
                }
                Err(e) => AllocationOut::failed(
                    id,
                    agent_id,
                    resource,
                    want,
                    crate::error::ErrorCode::code(&e),
                ),
            });
        }
        self.wanted = wanted;
        for id in self.allocator.take_preempted() {
            if let Some(&slot) = self.lease_slots.get(&id) {
                let resource = ResourceType::ALL[slot % 6];
                out.push(AllocationOut::preempted(
                    &self.lease_ids[slot],
                    &self.agent_ids[slot / 6],
                    resource,
                    self.leases[slot],
                ));
                self.leases[slot] = 0.0;
            }
        }
        out
    }
}
