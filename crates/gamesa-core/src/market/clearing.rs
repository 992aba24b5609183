//! How one resource is cleared: the kinds of clearing and the orders they work on.

use crate::allocation::{PoolConfig, Strategy};
#[cfg(test)]
use crate::types::Priority;
use serde::Serialize;

/// Slack allowed when a computed amount is compared with a whole number of quanta or units
/// (`2.9999999999` cores is 3 cores).
pub(crate) const ROUNDING_SLACK: f64 = 1e-9;

/// How a resource is cleared.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum Clearing {
    /// Proportional share (Kelly / Tycoon) at a uniform price, grants rounded down to
    /// multiples of `quantum` (0 = continuous, 1 = whole units) with the leftover quanta
    /// handed out by largest remainder.
    Divisible {
        /// Grant granularity in the resource's unit; 0 for continuous.
        quantum: f64,
    },
    /// Sealed-bid uniform-price auction of whole `unit`s: the k units go to the k highest unit
    /// bids at the (k+1)-th highest unit bid (or the posted price when higher).
    Indivisible {
        /// Size of one unit in the resource's unit (1 core, a 64 MB block), > 0.
        unit: f64,
    },
}

impl Clearing {
    /// The clearing that fits an allocator pool: `first_fit` (core ids) and `buddy` blocks are
    /// indivisible (units of 1 and of `minBlock`); `best_fit` ranges are divisible in whole
    /// units; `priority` and `weighted` pools are continuous.
    pub fn for_pool(pool: &PoolConfig) -> Clearing {
        match pool.strategy {
            Strategy::FirstFit => Clearing::Indivisible { unit: 1.0 },
            Strategy::Buddy => Clearing::Indivisible {
                unit: pool.effective_min_block() as f64,
            },
            Strategy::BestFit => Clearing::Divisible { quantum: 1.0 },
            Strategy::Priority | Strategy::Weighted => Clearing::Divisible { quantum: 0.0 },
        }
    }

    /// Whether the parameters are usable: `quantum` finite and ≥ 0, `unit` finite and > 0.
    pub fn is_valid(&self) -> bool {
        match *self {
            Clearing::Divisible { quantum } => quantum.is_finite() && quantum >= 0.0,
            Clearing::Indivisible { unit } => unit.is_finite() && unit > 0.0,
        }
    }
}

impl Default for Clearing {
    /// Continuous proportional share.
    fn default() -> Self {
        Clearing::Divisible { quantum: 0.0 }
    }
}

/// A bid admitted to the clearing of one resource, as the market builds it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ask {
    /// Index of the bid in the tick's input.
    pub bid: usize,
    /// The bidder's place in the tie order of agents (higher priority first, then id), so a
    /// tie costs one integer comparison instead of a string comparison.
    pub rank: u32,
    /// Requested amount, capped at the capacity (nobody can be granted more), > 0.
    pub demand: f64,
    /// Credits this bid may spend (its share of the agent's balance), > 0.
    pub slice: f64,
    /// Most credits per unit, ≥ the posted price.
    pub max_price: f64,
    /// For an auction of units of 1: the whole units the bid asks for at the posted price,
    /// `whole(min(amount, slice / posted))`, which the market has computed for the demand
    /// already (the auction takes the smaller of it and the whole units on offer). NaN when
    /// not known: the auction then computes its units from `demand` and `slice`.
    pub units: f64,
}

impl Ask {
    /// What the bid takes at unit price `u`: its demand, or what its slice buys, or nothing
    /// above its limit price.
    #[inline]
    pub fn want_at(&self, u: f64) -> f64 {
        if u > self.max_price {
            0.0
        } else {
            // Demand > 0, and `slice / u` > 0 for the prices (> 0) it is asked at.
            min_num(self.demand, self.slice / u)
        }
    }

    /// Deterministic tie order: higher priority first, then agent id (both in `rank`), then
    /// bid index.
    #[inline]
    pub fn tie_key(&self) -> (u32, usize) {
        (self.rank, self.bid)
    }
}

/// A bid admitted to the clearing of one resource, with the bidder's priority and id spelled
/// out: the form the clearing properties are written in ([`Ask::ranked`] turns it into what
/// the mechanisms run on).
#[cfg(test)]
#[derive(Debug, Clone, Copy)]
pub(crate) struct Order<'a> {
    /// Index of the bid in the tick's input.
    pub bid: usize,
    /// The bidder's priority and id, for ties (higher priority first, then id).
    pub priority: Priority,
    pub agent_id: &'a str,
    /// Requested amount, capped at the capacity (nobody can be granted more), > 0.
    pub demand: f64,
    /// Credits this bid may spend (its share of the agent's balance), > 0.
    pub slice: f64,
    /// Most credits per unit, ≥ the posted price.
    pub max_price: f64,
}

#[cfg(test)]
impl Order<'_> {
    /// What the bid takes at unit price `u` (as [`Ask::want_at`]).
    pub fn want_at(&self, u: f64) -> f64 {
        if u > self.max_price {
            0.0
        } else {
            self.demand.min(self.slice / u)
        }
    }
}

#[cfg(test)]
impl Ask {
    /// The asks of `orders`, ranked by (priority, highest first, then agent id).
    pub fn ranked(orders: &[Order<'_>]) -> Vec<Ask> {
        let mut agents: Vec<(std::cmp::Reverse<Priority>, &str)> = orders
            .iter()
            .map(|o| (std::cmp::Reverse(o.priority), o.agent_id))
            .collect();
        agents.sort();
        agents.dedup();
        orders
            .iter()
            .map(|o| Ask {
                bid: o.bid,
                rank: agents
                    .binary_search(&(std::cmp::Reverse(o.priority), o.agent_id))
                    .map_or(u32::MAX, |r| u32::try_from(r).unwrap_or(u32::MAX)),
                demand: o.demand,
                slice: o.slice,
                max_price: o.max_price,
                units: f64::NAN,
            })
            .collect()
    }
}

/// The outcome of clearing one resource: a grant per order (same order) and the uniform unit
/// price everyone pays.
#[cfg(test)]
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Cleared {
    pub price: f64,
    pub grants: Vec<f64>,
}

/// Sort key of a number that orders as `f64::total_cmp` does: an integer comparison instead
/// of a float comparison and a tie-break closure.
#[inline]
pub(crate) fn total_bits(x: f64) -> u64 {
    let b = x.to_bits();
    if b >> 63 == 1 { !b } else { b | (1 << 63) }
}

/// Sort key of a number that orders as `f64::partial_cmp` does for every number but NaN
/// (-0 and +0 are equal); callers never have NaN.
#[inline]
pub(crate) fn partial_bits(x: f64) -> u64 {
    total_bits(if x == 0.0 { 0.0 } else { x })
}

/// The inverse of [`total_bits`].
#[inline]
pub(crate) fn from_total_bits(k: u64) -> f64 {
    f64::from_bits(if k >> 63 == 1 { k & !(1 << 63) } else { !k })
}

/// `a.min(b)` for operands that are never NaN: a compare and a move, where `f64::min` spends
/// seven instructions on NaN handling. The same number as `f64::min` whenever neither is NaN
/// and they are not zeros of opposite signs (every caller's operands are > 0 or one of them
/// is).
#[inline(always)]
pub(crate) fn min_num(a: f64, b: f64) -> f64 {
    if b < a { b } else { a }
}

/// The whole number of units in `x` ≥ 0, with slack for `2.9999999999`; 0 for anything
/// negative or not finite. Exact below 2^53; larger values (no real bid) saturate.
pub(crate) fn whole(x: f64) -> f64 {
    let y = x + ROUNDING_SLACK;
    if y.is_nan() || y < 1.0 {
        return 0.0;
    }
    // A cast truncates, which is floor for positive values, and compiles to one instruction
    // where `f64::floor` is a libm call on baseline x86-64. `i64`, not `u64`: x86-64 converts
    // to signed integers in one instruction, to unsigned ones with a branchy sequence, and
    // every value here is in [1, 2^53].
    (y.min(9_007_199_254_740_992.0) as i64) as f64
}
