//! Divisible resources: Kelly's proportional-share mechanism as Tycoon uses it, with request
//! caps and a reserve (posted) price.
//!
//! At a uniform unit price `u` each order takes `min(demand, slice/u)` (nothing above its
//! limit price). When every order fits at the posted price, that is the outcome. Otherwise `u`
//! rises to the lowest price where total demand meets the capacity: orders limited by their
//! slice then hold shares proportional to their spending (Kelly: `x_i = C·b_i/Σb`), and orders
//! capped by their request leave the rest to the others (water-filling, "leftovers
//! redistributed"). When an order's limit price is the clearing price, the orders at that limit
//! share what is left in proportion to what they want. Demand is piecewise `A + S/u` between
//! the kinks `slice/demand` and limit prices, so the price is found exactly by walking them in
//! order: O(n log n).

use super::clearing::{Ask, ROUNDING_SLACK, from_total_bits, partial_bits, total_bits};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Buffers the clearing reuses from tick to tick.
#[derive(Debug, Clone, Default)]
pub(crate) struct Scratch {
    /// Price events: (`total_bits(price)`, leaves << 63 | order index), smallest first.
    events: Vec<Reverse<(u64, u64)>>,
    /// Orders with a remainder: (descending remainder key, rank, bid, order index).
    by_remainder: Vec<(u64, u32, usize, usize)>,
}

/// Clears `orders` on `capacity` at posted price `posted`, grants in multiples of `quantum`
/// (0 = continuous), into `grants` (one per order); returns the uniform price.
pub(crate) fn clear_into(
    orders: &[Ask],
    posted: f64,
    capacity: f64,
    quantum: f64,
    grants: &mut Vec<f64>,
    scratch: &mut Scratch,
) -> f64 {
    let mut price = proportional(orders, posted, capacity, grants, &mut scratch.events);
    if quantum > 0.0 {
        round_to_quanta(
            orders, posted, &mut price, grants, capacity, quantum, scratch,
        );
    }
    price
}

/// [`clear_into`] on orders with their agents spelled out (what the properties test).
#[cfg(test)]
pub(crate) fn clear(
    orders: &[super::clearing::Order<'_>],
    posted: f64,
    capacity: f64,
    quantum: f64,
) -> super::clearing::Cleared {
    let mut grants = Vec::new();
    let price = clear_into(
        &Ask::ranked(orders),
        posted,
        capacity,
        quantum,
        &mut grants,
        &mut Scratch::default(),
    );
    super::clearing::Cleared { price, grants }
}

/// Continuous proportional share into `g`; the grants never sum above `capacity`. Returns the
/// price.
fn proportional(
    orders: &[Ask],
    posted: f64,
    capacity: f64,
    g: &mut Vec<f64>,
    events: &mut Vec<Reverse<(u64, u64)>>,
) -> f64 {
    g.clear();
    if capacity.is_nan() || capacity <= 0.0 || orders.is_empty() {
        g.resize(orders.len(), 0.0);
        return posted;
    }
    // Uncontested: everyone gets what they want at the posted price.
    // Summed as written, in order (as a separate `sum` would, from the first term on: the
    // orders are not empty here).
    let mut asked = 0.0;
    g.extend(orders.iter().map(|o| {
        let w = o.want_at(posted);
        asked += w;
        w
    }));
    if asked <= capacity {
        return posted;
    }
    // Demand just above the current price is `capped + spend / u`, over the orders still in.
    let mut capped = 0.0;
    let mut spend = 0.0;
    for o in orders {
        if o.max_price > posted {
            if o.slice / o.demand > posted {
                capped += o.demand;
            } else {
                spend += o.slice;
            }
        }
    }
    // Orders whose limit is the posted price leave just above it.
    if capped + spend / posted <= capacity {
        return marginal(orders, posted, capacity, capped + spend / posted, g);
    }
    // Events above the posted price, in order: kinks (where an order stops being capped by
    // its demand and starts being limited by its slice) before limit prices (where it leaves)
    // at the same price, then input order. Integer keys, distinct, in a min-heap: the walk
    // below stops at the clearing price, so only the events below it are ever ordered.
    events.clear();
    for (i, o) in orders.iter().enumerate() {
        let kink = o.slice / o.demand;
        if kink > posted && kink <= o.max_price {
            events.push(Reverse((total_bits(kink), i as u64)));
        }
        if o.max_price > posted {
            events.push(Reverse((total_bits(o.max_price), LEAVES | i as u64)));
        }
    }
    let mut heap = BinaryHeap::from(std::mem::take(events));
    let price = walk(orders, posted, capacity, capped, spend, &mut heap, g);
    *events = heap.into_vec();
    price
}

/// Tag bit of an event where an order leaves (its limit price); clear for a kink.
const LEAVES: u64 = 1 << 63;

/// Walks the events up from the posted price until demand meets the capacity.
fn walk(
    orders: &[Ask],
    posted: f64,
    capacity: f64,
    mut capped: f64,
    mut spend: f64,
    events: &mut BinaryHeap<Reverse<(u64, u64)>>,
    g: &mut Vec<f64>,
) -> f64 {
    while let Some(&Reverse((key, _))) = events.peek() {
        let v = from_total_bits(key);
        if capacity > capped && spend > 0.0 {
            let u = spend / (capacity - capped);
            if u <= v {
                return at_price(orders, u, capacity, g);
            }
        }
        // Cross `v`: kinks first (continuous), then limit prices (orders leave).
        while let Some(&Reverse((k, tag))) = events.peek()
            && k == key
        {
            events.pop();
            let o = &orders[(tag & !LEAVES) as usize];
            if tag & LEAVES == 0 {
                capped -= o.demand;
                spend += o.slice;
            } else if o.slice / o.demand > v {
                capped -= o.demand;
            } else {
                spend -= o.slice;
            }
        }
        capped = capped.max(0.0);
        spend = spend.max(0.0);
        let staying = capped + spend / v;
        if staying <= capacity {
            return marginal(orders, v, capacity, staying, g);
        }
    }
    // Unreachable: past the last limit price nobody demands anything. Kept total.
    g.clear();
    g.resize(orders.len(), 0.0);
    posted
}

/// The price is `v`, a limit price where demand drops from above the capacity to `staying`
/// (at or below it): orders that stay get what they want at `v`; the orders whose limit is
/// `v` share the rest in proportion to what they want.
fn marginal(orders: &[Ask], v: f64, capacity: f64, staying: f64, g: &mut Vec<f64>) -> f64 {
    let leaving: f64 = orders
        .iter()
        .filter(|o| o.max_price == v)
        .map(|o| o.want_at(v))
        .sum();
    let rest = (capacity - staying).max(0.0);
    let share = if leaving > 0.0 {
        (rest / leaving).min(1.0)
    } else {
        0.0
    };
    g.clear();
    g.extend(orders.iter().map(|o| {
        if o.max_price == v {
            o.want_at(v) * share
        } else {
            o.want_at(v)
        }
    }));
    within(g, capacity);
    v
}

fn at_price(orders: &[Ask], u: f64, capacity: f64, g: &mut Vec<f64>) -> f64 {
    g.clear();
    g.extend(orders.iter().map(|o| o.want_at(u)));
    within(g, capacity);
    u
}

/// Floating-point sums can land a hair above the capacity; scale back so they never do.
fn within(grants: &mut [f64], capacity: f64) {
    let total: f64 = grants.iter().sum();
    if total > capacity && total > 0.0 {
        let f = capacity / total;
        for g in grants.iter_mut() {
            *g *= f;
        }
        // One more pass in case the scaled sum still rounds above.
        while grants.iter().sum::<f64>() > capacity {
            for g in grants.iter_mut() {
                *g = next_down(*g);
            }
        }
    }
}

fn next_down(x: f64) -> f64 {
    if x <= 0.0 {
        0.0
    } else {
        f64::from_bits(x.to_bits() - 1)
    }
}

/// Rounds every grant down to whole quanta, then hands the leftover quanta out one each by
/// largest remainder (ties: priority, id, bid) to orders whose demand allows one more. An
/// extra quantum may cost more than the order's slice at the continuous price; then the
/// uniform price is lowered to what that order can pay (never below the posted price), which
/// only makes everyone else's grant cheaper. With whole units any price in that range clears.
fn round_to_quanta(
    orders: &[Ask],
    posted: f64,
    price: &mut f64,
    grants: &mut [f64],
    capacity: f64,
    quantum: f64,
    scratch: &mut Scratch,
) {
    // Whole units (a `best_fit` pool) are the common quantum: with the constant, the
    // divisions and multiplications by it fold away (`x / 1` and `x · 1` are `x` exactly, so
    // the numbers are the same).
    if quantum == 1.0 {
        round_with(orders, posted, price, grants, capacity, 1.0, scratch);
    } else {
        round_with(orders, posted, price, grants, capacity, quantum, scratch);
    }
}

/// [`round_to_quanta`]'s body, inlined into both of its calls.
#[inline(always)]
fn round_with(
    orders: &[Ask],
    posted: f64,
    price: &mut f64,
    grants: &mut [f64],
    capacity: f64,
    quantum: f64,
    scratch: &mut Scratch,
) {
    // One pass: each grant rounded down, the quanta granted summed (in order), and the orders
    // that may take one more quantum listed with their remainder. That list is only used
    // when a quantum is left; building it regardless spares a copy of the exact grants and a
    // second pass.
    //
    // Largest remainder first (remainders are > 0, never NaN), then the tie order. Only the
    // orders that can take one more quantum are ranked: the walk below passes the others
    // over without changing anything (their grant is not touched before their turn), so
    // leaving them out changes nothing and spares the sort when none can (as when every
    // order already has what it asked for).
    let by_remainder = &mut scratch.by_remainder;
    by_remainder.clear();
    let mut granted = 0.0;
    for (i, (g, o)) in grants.iter_mut().zip(orders).enumerate() {
        let exact = *g;
        *g = whole(exact / quantum) * quantum;
        // With whole units each grant is its own count already (`whole(n)` is `n` for a
        // whole number), so the sum is the same without a `whole` per grant.
        granted += if quantum == 1.0 {
            *g
        } else {
            whole(*g / quantum)
        };
        let r = exact - *g;
        let more = *g + quantum;
        if r > ROUNDING_SLACK * quantum
            && more <= o.demand * (1.0 + ROUNDING_SLACK)
            && o.slice / more >= posted
        {
            let (rank, bid) = o.tie_key();
            by_remainder.push((!partial_bits(r), rank, bid, i));
        }
    }
    let mut left = super::auction::fit(capacity, quantum) - granted;
    if left < 1.0 {
        return;
    }
    // (remainder, rank, bid) is distinct per order, so unstable sorting is the one order.
    by_remainder.sort_unstable();
    for &(_, _, _, i) in by_remainder.iter() {
        if left < 1.0 {
            break;
        }
        let o = &orders[i];
        let more = grants[i] + quantum;
        let affordable = o.slice / more;
        if more <= o.demand * (1.0 + ROUNDING_SLACK) && affordable >= posted {
            grants[i] = more;
            *price = price.min(affordable);
            left -= 1.0;
        }
    }
}

/// The whole number of quanta in `x` (with slack for `2.9999999999`).
fn whole(x: f64) -> f64 {
    super::clearing::whole(x)
}
