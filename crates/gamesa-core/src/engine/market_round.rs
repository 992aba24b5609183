//! This tick's market round: bid amounts from the snapshot, capacities and safety reserves
//! from the allocator and telemetry, then [`crate::market::Market::tick`].

use super::compiled::{BidSize, Engine};
use crate::expr::Value;
use crate::market::{Bid, SafetyInputs};
use crate::per_resource::PerResource;
use crate::types::ResourceType;

impl Engine {
    /// Collects this tick's bids and runs the market round, written over `out`. Kept out of
    /// line so profiles show the round as one entry (it runs once per tick; the call costs
    /// nothing).
    #[inline(never)]
    pub(super) fn market_round(&mut self, out: &mut crate::market::MarketTick) {
        for (resource, program) in &self.capacity_from {
            // Absent inputs (a machine without a power cap): the configured capacity stays.
            let present = (program.referenced_slots().iter()).all(|&s| self.snapshot.is_present(s));
            if let Some(x) = present
                .then(|| program.try_eval_f64(self.snapshot.values()))
                .flatten()
                .filter(|x| x.is_finite())
            {
                // A negative headroom is no headroom.
                let _ = self.allocator.set_capacity(*resource, x.max(0.0));
            }
        }
        // The supply is each pool's whole capacity, not what the standing leases leave free:
        // those leases are this market's own grants, cleared again every round. (Clearing
        // against the free part fed each round's grants back as the next round's supply: all
        // of a pool granted, nothing on offer the next tick, all of it again the tick after.)
        let mut capacity = PerResource::splat(0.0);
        for r in ResourceType::ALL {
            capacity[r] = self.allocator.stats(r).map_or(0.0, |s| s.capacity);
        }
        let mut bids = std::mem::take(&mut self.bid_scratch);
        bids.clear();
        let (values, presence) = (self.snapshot.values(), self.snapshot.presence());
        if self.bid_held.len() != self.bids.len() {
            self.bid_held.clear();
            self.bid_held.resize(self.bids.len(), 0.0);
        }
        self.bid_placed.clear();
        for (bid, held) in self.bids.iter().zip(self.bid_held.iter_mut()) {
            self.bid_placed.push(None);
            let amount = match &bid.amount {
                BidSize::Fixed(x) => *x,
                BidSize::Expr(program) => {
                    // `x * 5.0` of a present double in one step, no slot list to scan;
                    // anything else the general way (the same number where both apply).
                    if let Some(x) = program.fast_f64(values, presence) {
                        x
                    } else if program
                        .referenced_slots()
                        .iter()
                        .all(|&s| self.snapshot.is_present(s))
                    {
                        program.try_eval_f64(values).unwrap_or(f64::NAN)
                    } else {
                        f64::NAN
                    }
                }
            };
            // Finite and > 0 (NaN, for no amount, fails both comparisons; two comparisons
            // compile to two instructions, `is_finite() &&` to a dozen).
            if !(amount > 0.0 && amount <= f64::MAX) {
                *held = 0.0;
                continue;
            }
            // The amount bid is held while the evaluated one stays within the deadband of it:
            // telemetry noise on a bid's expression is no new bid.
            let amount = settle_amount(held, amount);
            if let Some(placed) = self.bid_placed.last_mut() {
                *placed = Some(bids.len());
            }
            bids.push(Bid {
                agent: bid.agent,
                resource: bid.resource,
                amount,
                max_unit_price: bid.max_unit_price,
            });
        }
        let read = |slot: usize| match self.snapshot.get(slot) {
            Some(Value::Double(x)) if x.is_finite() => Some(x),
            _ => None,
        };
        let thermal_headroom_c = self.thermal_slot.and_then(read);
        let power = &self.config.market.reserve.power;
        let power_headroom_w = match power.cap_w {
            Some(cap_w) if power.enabled && !self.power_slots.is_empty() => {
                let drawn: Option<f64> = self.power_slots.iter().map(|&s| read(s)).sum();
                drawn.map(|d| cap_w - d)
            }
            _ => None,
        };
        // Usable bids: the agents (and their limit prices) are the ones the market validated
        // when built, and only finite amounts > 0 were kept above.
        self.market.tick_usable(
            &bids,
            &capacity,
            &SafetyInputs {
                thermal_headroom_c,
                power_headroom_w,
            },
            out,
        );
        self.bid_scratch = bids;
    }
}

/// Relative deadband of a bid's amount: an amount evaluated within this fraction of the amount
/// bid last tick keeps the last one.
pub(crate) const BID_DEADBAND: f64 = 0.05;

/// The amount to bid given the evaluated `amount` (finite, > 0) and the one bid last tick
/// (`held`, 0 for none), which it updates.
#[inline]
fn settle_amount(held: &mut f64, amount: f64) -> f64 {
    if !(*held > 0.0 && (amount - *held).abs() <= BID_DEADBAND * *held) {
        *held = amount;
    }
    *held
}
