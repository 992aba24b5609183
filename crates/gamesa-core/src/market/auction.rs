//! Indivisible resources: a sealed-bid uniform-price auction of whole units, the multi-unit
//! form of Vickrey's second-price auction. An order for `n` units at unit bid `v` is `n` unit
//! bids of `v`; the `k` units on offer go to the `k` highest unit bids, and every winner pays
//! the highest losing unit bid (the (k+1)-th), or the posted price when that is higher.
//!
//! Bids stay within budgets: an order asks for no more units than its slice buys at the posted
//! price, and its unit bid is its limit price lowered to what its slice pays for all of its
//! units (`min(maxUnitPrice, slice / units)`), so the price it pays never takes it past its
//! slice. Equal unit bids are ranked by priority (higher first), then agent id, then bid.

use super::clearing::{Ask, min_num, partial_bits, whole};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// One unit bid of an order, ready to rank: ordered by `key` alone.
#[derive(Debug, Clone, Copy)]
pub(crate) struct UnitBid {
    /// Descending unit bid, then the tie order (rank, bid): distinct per order.
    key: (u64, u32, usize),
    /// Index of the order.
    order: usize,
    /// Units wanted.
    units: f64,
    /// Unit bid per resource unit.
    bid: f64,
}

impl PartialEq for UnitBid {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl Eq for UnitBid {}

impl PartialOrd for UnitBid {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for UnitBid {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.key.cmp(&other.key)
    }
}

/// Clears `orders` for `capacity` in units of `unit`, at posted price `posted` per unit of the
/// resource (prices are per resource unit, as everywhere in the market), into `grants` (one
/// per order); returns the uniform price. `bids` is a buffer reused from tick to tick.
pub(crate) fn clear_into(
    orders: &[Ask],
    posted: f64,
    capacity: f64,
    unit: f64,
    grants: &mut Vec<f64>,
    bids: &mut Vec<Reverse<UnitBid>>,
) -> f64 {
    grants.clear();
    grants.resize(orders.len(), 0.0);
    let units_on_offer = fit(capacity, unit);
    // Units of 1 are common (cores, blocks of the smallest size): with the constant, the
    // divisions and multiplications by the unit fold away (`x / 1` and `x · 1` are `x`
    // exactly, so the numbers are the same).
    if unit == 1.0 {
        // `whole` is monotone, so `whole(min(a, b, c))` is `min(whole(a), whole(b), whole(c))`
        // exactly: the units an order gets from its demand (its amount capped at the
        // capacity) and its slice are the smaller of the whole units the market computed
        // for its demand at the posted price and the whole units of the capacity, two
        // `whole` and two divisions fewer per order.
        let on_offer = whole(capacity);
        let unit_bid = |o: &Ask| {
            let units = if o.units.is_nan() {
                min_num(whole(o.demand), whole(o.slice / posted))
            } else {
                min_num(o.units, on_offer)
            };
            at_or_above(posted, units, o.max_price, o.slice / units)
        };
        run(orders, posted, units_on_offer, 1.0, unit_bid, grants, bids)
    } else {
        let unit_bid = |o: &Ask| {
            let affordable = whole(o.slice / (posted * unit));
            let units = min_num(whole(o.demand / unit), affordable);
            at_or_above(posted, units, o.max_price, o.slice / (units * unit))
        };
        run(orders, posted, units_on_offer, unit, unit_bid, grants, bids)
    }
}

/// An order's unit bid, `(units, unit bid)`: at least one unit, bidding at or above the
/// posted price; `None` when it takes no part. `pays` is its slice per resource unit of its
/// units (> 0 when there is a unit).
#[inline(always)]
fn at_or_above(posted: f64, units: f64, max_price: f64, pays: f64) -> Option<(f64, f64)> {
    if units < 1.0 {
        return None;
    }
    // The limit price is finite.
    let bid = min_num(max_price, pays);
    (bid >= posted).then_some((units, bid))
}

/// The auction, given each order's unit bid (`unit_bid`, see [`at_or_above`]).
#[inline(always)]
fn run(
    orders: &[Ask],
    posted: f64,
    units_on_offer: f64,
    unit: f64,
    unit_bid: impl Fn(&Ask) -> Option<(f64, f64)>,
    grants: &mut [f64],
    bids: &mut Vec<Reverse<UnitBid>>,
) -> f64 {
    // Uncontested (the common case): every unit asked for is on offer, so all win at the
    // posted price (no losing bid sets a price) and no unit bid needs ranking, or storing:
    // the grants are written as the units are summed (in order, as before), and taken back
    // when the sum says the auction is contested.
    let mut asked = 0.0;
    for (g, o) in grants.iter_mut().zip(orders) {
        if let Some((units, _)) = unit_bid(o) {
            *g = units * unit;
            asked += units;
        }
    }
    if asked <= units_on_offer {
        return posted;
    }
    grants.fill(0.0);
    bids.clear();
    for (i, o) in orders.iter().enumerate() {
        if let Some((units, bid)) = unit_bid(o) {
            let (rank, tie) = o.tie_key();
            bids.push(Reverse(UnitBid {
                // The limit price is finite, so the unit bid is never NaN.
                key: (!partial_bits(bid), rank, tie),
                order: i,
                units,
                bid,
            }));
        }
    }
    // Highest unit bid first, ties by priority, id, bid: the keys are distinct, so a min-heap
    // pops them in the one order there is, and only as far as the first loser. From there on
    // nothing is left to win (the first loser takes what was left), every grant stays 0 and
    // the price is set.
    let mut heap = BinaryHeap::from(std::mem::take(bids));
    let mut left = units_on_offer;
    let mut first_loser: Option<f64> = None;
    while let Some(Reverse(b)) = heap.pop() {
        let won = b.units.min(left);
        left -= won;
        grants[b.order] = won * unit;
        if won < b.units {
            first_loser = Some(b.bid);
            break;
        }
    }
    *bids = heap.into_vec();
    first_loser.map_or(posted, |b| b.max(posted))
}

/// Whole units of `unit` that fit in `capacity`, exactly (never one more).
pub(crate) fn fit(capacity: f64, unit: f64) -> f64 {
    let n = (capacity / unit).floor();
    if !n.is_finite() || n < 0.0 {
        return 0.0;
    }
    if (n + 1.0) * unit <= capacity {
        n + 1.0
    } else if n * unit > capacity {
        (n - 1.0).max(0.0)
    } else {
        n
    }
}
