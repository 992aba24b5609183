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

use super::clearing::{Cleared, Order, ROUNDING_SLACK};
use std::cmp::Ordering;

/// Clears `orders` on `capacity` at posted price `posted`, grants in multiples of `quantum`
/// (0 = continuous).
pub(crate) fn clear(orders: &[Order<'_>], posted: f64, capacity: f64, quantum: f64) -> Cleared {
    let mut out = proportional(orders, posted, capacity);
    if quantum > 0.0 {
        round_to_quanta(orders, posted, &mut out, capacity, quantum);
    }
    out
}

/// Continuous proportional share; the grants never sum above `capacity`.
fn proportional(orders: &[Order<'_>], posted: f64, capacity: f64) -> Cleared {
    let zero = || Cleared {
        price: posted,
        grants: vec![0.0; orders.len()],
    };
    if capacity.is_nan() || capacity <= 0.0 || orders.is_empty() {
        return zero();
    }
    // Uncontested: everyone gets what they want at the posted price.
    let wants: Vec<f64> = orders.iter().map(|o| o.want_at(posted)).collect();
    if wants.iter().sum::<f64>() <= capacity {
        return Cleared {
            price: posted,
            grants: wants,
        };
    }
    // Events above the posted price, in order: kinks (where an order stops being capped by
    // its demand and starts being limited by its slice) before limit prices (where it leaves)
    // at the same price.
    let mut events: Vec<(f64, bool, usize)> = Vec::with_capacity(2 * orders.len());
    for (i, o) in orders.iter().enumerate() {
        let kink = o.slice / o.demand;
        if kink > posted && kink <= o.max_price {
            events.push((kink, false, i));
        }
        if o.max_price > posted {
            events.push((o.max_price, true, i));
        }
    }
    events.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
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
        return marginal(orders, posted, capacity, capped + spend / posted);
    }
    let mut k = 0;
    while k < events.len() {
        let v = events[k].0;
        if capacity > capped && spend > 0.0 {
            let u = spend / (capacity - capped);
            if u <= v {
                return at_price(orders, u, capacity);
            }
        }
        // Cross `v`: kinks first (continuous), then limit prices (orders leave).
        while k < events.len() && events[k].0 == v {
            let (_, leaves, i) = events[k];
            let o = &orders[i];
            if !leaves {
                capped -= o.demand;
                spend += o.slice;
            } else if o.slice / o.demand > v {
                capped -= o.demand;
            } else {
                spend -= o.slice;
            }
            k += 1;
        }
        capped = capped.max(0.0);
        spend = spend.max(0.0);
        let staying = capped + spend / v;
        if staying <= capacity {
            return marginal(orders, v, capacity, staying);
        }
    }
    // Unreachable: past the last limit price nobody demands anything. Kept total.
    zero()
}

/// The price is `v`, a limit price where demand drops from above the capacity to `staying`
/// (at or below it): orders that stay get what they want at `v`; the orders whose limit is
/// `v` share the rest in proportion to what they want.
fn marginal(orders: &[Order<'_>], v: f64, capacity: f64, staying: f64) -> Cleared {
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
    let grants = orders
        .iter()
        .map(|o| {
            if o.max_price == v {
                o.want_at(v) * share
            } else {
                o.want_at(v)
            }
        })
        .collect();
    within(Cleared { price: v, grants }, capacity)
}

fn at_price(orders: &[Order<'_>], u: f64, capacity: f64) -> Cleared {
    within(
        Cleared {
            price: u,
            grants: orders.iter().map(|o| o.want_at(u)).collect(),
        },
        capacity,
    )
}

/// Floating-point sums can land a hair above the capacity; scale back so they never do.
fn within(mut c: Cleared, capacity: f64) -> Cleared {
    let total: f64 = c.grants.iter().sum();
    if total > capacity && total > 0.0 {
        let f = capacity / total;
        for g in &mut c.grants {
            *g *= f;
        }
        // One more pass in case the scaled sum still rounds above.
        while c.grants.iter().sum::<f64>() > capacity {
            for g in &mut c.grants {
                *g = next_down(*g);
            }
        }
    }
    c
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
    orders: &[Order<'_>],
    posted: f64,
    c: &mut Cleared,
    capacity: f64,
    quantum: f64,
) {
    let exact = c.grants.clone();
    for g in &mut c.grants {
        *g = whole(*g / quantum) * quantum;
    }
    let mut left = super::auction::fit(capacity, quantum)
        - c.grants.iter().map(|g| whole(g / quantum)).sum::<f64>();
    let mut by_remainder: Vec<usize> = (0..orders.len())
        .filter(|&i| exact[i] - c.grants[i] > ROUNDING_SLACK * quantum)
        .collect();
    by_remainder.sort_by(|&a, &b| {
        let (ra, rb) = (exact[a] - c.grants[a], exact[b] - c.grants[b]);
        rb.partial_cmp(&ra)
            .unwrap_or(Ordering::Equal)
            .then_with(|| orders[a].tie_order(&orders[b]))
    });
    for i in by_remainder {
        if left < 1.0 {
            break;
        }
        let o = &orders[i];
        let more = c.grants[i] + quantum;
        let affordable = o.slice / more;
        if more <= o.demand * (1.0 + ROUNDING_SLACK) && affordable >= posted {
            c.grants[i] = more;
            c.price = c.price.min(affordable);
            left -= 1.0;
        }
    }
}

/// The whole number of quanta in `x` (with slack for `2.9999999999`).
fn whole(x: f64) -> f64 {
    super::clearing::whole(x)
}
