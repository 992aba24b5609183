//! Indivisible resources: a sealed-bid uniform-price auction of whole units, the multi-unit
//! form of Vickrey's second-price auction. An order for `n` units at unit bid `v` is `n` unit
//! bids of `v`; the `k` units on offer go to the `k` highest unit bids, and every winner pays
//! the highest losing unit bid (the (k+1)-th), or the posted price when that is higher.
//!
//! Bids stay within budgets: an order asks for no more units than its slice buys at the posted
//! price, and its unit bid is its limit price lowered to what its slice pays for all of its
//! units (`min(maxUnitPrice, slice / units)`), so the price it pays never takes it past its
//! slice. Equal unit bids are ranked by priority (higher first), then agent id, then bid.

use super::clearing::{Cleared, Order, whole};
use std::cmp::Ordering;

/// Clears `orders` for `capacity` in units of `unit`, at posted price `posted` per unit of the
/// resource (prices are per resource unit, as everywhere in the market).
pub(crate) fn clear(orders: &[Order<'_>], posted: f64, capacity: f64, unit: f64) -> Cleared {
    let mut grants = vec![0.0; orders.len()];
    let units_on_offer = fit(capacity, unit);
    // (order index, units wanted, unit bid per resource unit)
    let mut bids: Vec<(usize, f64, f64)> = orders
        .iter()
        .enumerate()
        .filter_map(|(i, o)| {
            let affordable = whole(o.slice / (posted * unit));
            let units = whole(o.demand / unit).min(affordable);
            if units < 1.0 {
                return None;
            }
            let bid = o.max_price.min(o.slice / (units * unit));
            (bid >= posted).then_some((i, units, bid))
        })
        .collect();
    // Uncontested: every unit asked for is on offer, so all win at the posted price (no
    // losing bid sets a price) and the ranking is not needed.
    if bids.iter().map(|&(_, units, _)| units).sum::<f64>() <= units_on_offer {
        for &(i, units, _) in &bids {
            grants[i] = units * unit;
        }
        return Cleared {
            price: posted,
            grants,
        };
    }
    bids.sort_by(|a, b| {
        b.2.partial_cmp(&a.2)
            .unwrap_or(Ordering::Equal)
            .then_with(|| orders[a.0].tie_order(&orders[b.0]))
    });
    let mut left = units_on_offer;
    let mut first_loser: Option<f64> = None;
    for &(i, units, bid) in &bids {
        let won = units.min(left);
        left -= won;
        grants[i] = won * unit;
        if won < units && first_loser.is_none() {
            first_loser = Some(bid);
        }
    }
    Cleared {
        price: first_loser.map_or(posted, |b| b.max(posted)),
        grants,
    }
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
