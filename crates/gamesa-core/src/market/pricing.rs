//! How prices move: tâtonnement on excess demand, reserve prices from safety inputs, and the
//! exchange-rate matrix between resources.

use super::config::{MarketConfig, PowerReserve, ThermalReserve};
use crate::per_resource::PerResource;
use crate::types::ResourceType;
use serde::Serialize;

/// `demand/supply` is capped here so a resource with (almost) no supply moves its price by a
/// bounded factor per tick (e^{κ·(4 − target)}, ×1.9 with the defaults) instead of jumping to
/// the ceiling at once.
pub const MAX_DEMAND_RATIO: f64 = 4.0;

/// Safety readings that set reserve prices, already reduced to numbers by the engine.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SafetyInputs {
    /// Thermal headroom in °C (distance to the throttle point); `None` when unknown.
    pub thermal_headroom_c: Option<f64>,
    /// Power headroom in W: cap − measured; `None` when no cap or no reading.
    pub power_headroom_w: Option<f64>,
}

/// `demand/supply`, in [0, [`MAX_DEMAND_RATIO`]]. No supply with demand is the cap; no supply
/// and no demand is 0 (slack).
pub fn demand_ratio(demand: f64, supply: f64) -> f64 {
    if demand.is_nan() || demand <= 0.0 {
        return 0.0;
    }
    if supply.is_nan() || supply <= 0.0 {
        return MAX_DEMAND_RATIO;
    }
    (demand / supply).clamp(0.0, MAX_DEMAND_RATIO)
}

/// One tâtonnement step: `clamp(p · exp(κ·(demand/supply − target)), priceMin, priceMax)`.
pub fn tatonnement(price: f64, demand: f64, supply: f64, config: &MarketConfig) -> f64 {
    tatonnement_to(price, demand, supply, config.target_utilization, config)
}

/// [`tatonnement`] toward utilization `target`.
pub fn tatonnement_to(
    price: f64,
    demand: f64,
    supply: f64,
    target: f64,
    config: &MarketConfig,
) -> f64 {
    let ratio = demand_ratio(demand, supply);
    let next = price * (config.kappa * (ratio - target)).exp();
    clamp_price(next, config)
}

/// Half-width of the band around the target utilization in which a scarcity price holds:
/// `|demand/supply − target| ≤ PRICE_DEADBAND` is settled.
pub const PRICE_DEADBAND: f64 = 0.025;

/// Once the price that brings demand to the target is bracketed — a price with demand above
/// the band and one with demand below it, within this factor of each other — the price holds
/// where it is.
pub const BRACKET_FACTOR: f64 = 1.01;

/// What a resource's price has seen: the highest price with demand above the band (with the
/// most demand seen there) and the lowest with demand below it (with the least), 0 for none.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Bracket {
    lo: f64,
    lo_ratio: f64,
    hi: f64,
    hi_ratio: f64,
    /// The price at which demand was last within the band, while the price has not moved
    /// since (0 once it moves).
    settled: f64,
    /// Ticks in a row that demand has been out of the band at `settled`, on side `side`.
    moved: u32,
    /// The side of the band that demand left `settled` to: +1 excess, −1 slack.
    side: i8,
}

/// Demand that leaves the band at a price that has not moved since it was within it, and stays
/// out on one side for this many ticks in a row, was moved by the bids, not by the price: the
/// bracket end on the other side is a memory of bids that have gone (the price that had excess
/// demand during a burst that has ended) and is forgotten, so the price moves to the new demand
/// instead of holding where the bracket stopped it. Demand that swings out and back sooner — a
/// budget-limited bid in whole units taking one more every few ticks, an agent's budget moving
/// between its bids while another resource's price settles — keeps the bracket. With 5 ticks
/// instead of 20, random steady markets cycle across resources a little more often (1 in 5,000
/// against none in 5,000); at 20, 4 in 20,000 do, against 3 without the rule
/// (`market::tests::settling_failure_rate`).
pub const SHIFT_TICKS: u32 = 20;

/// One step of the settling tâtonnement (docs/market.md, *Prices*): the multiplicative step
/// of [`tatonnement`], except that
/// - within [`PRICE_DEADBAND`] of the target the price holds;
/// - once a price with excess demand (`lo`) and one with slack (`hi`) are known, the step
///   goes no further than their geometric mean (bisection), and a price within
///   [`BRACKET_FACTOR`] of the other end holds: demand that jumps across the target (a limit
///   price, whole units) makes the price stop at the jump instead of cycling around it;
/// - more demand at the excess end than ever seen there (by more than the deadband), or less at
///   the slack end, means the inputs changed: the other end is forgotten;
/// - so does demand that leaves the band at an unchanged price and stays out for
///   [`SHIFT_TICKS`].
pub fn settle(
    price: f64,
    demand: f64,
    supply: f64,
    target: f64,
    config: &MarketConfig,
    b: &mut Bracket,
) -> f64 {
    let ratio = demand_ratio(demand, supply);
    let gap = ratio - target;
    if gap.abs() <= PRICE_DEADBAND {
        b.settled = price;
        b.moved = 0;
        return clamp_price(price, config);
    }
    // Demand that left the band at the price where it was settled: the bids moved it.
    let side = if gap > 0.0 { 1 } else { -1 };
    if b.settled == price {
        b.moved = if b.side == side { b.moved + 1 } else { 1 };
        b.side = side;
        if b.moved >= SHIFT_TICKS {
            if side > 0 {
                b.hi = 0.0;
            } else {
                b.lo = 0.0;
            }
            b.settled = 0.0;
            b.moved = 0;
        }
    } else {
        b.settled = 0.0;
        b.moved = 0;
    }
    // Demand that grew at the excess end, or fell at the slack end, beyond anything seen
    // there means the inputs changed: the other end may no longer hold and is forgotten.
    // (Demand that swings within what was seen — a budget-limited bid taking one unit every
    // other tick — keeps both.)
    if b.lo == price && ratio > b.lo_ratio + PRICE_DEADBAND {
        b.hi = 0.0;
    }
    if b.hi == price && ratio < b.hi_ratio - PRICE_DEADBAND {
        b.lo = 0.0;
    }
    let step = tatonnement_to(price, demand, supply, target, config);
    let next = if gap > 0.0 {
        // Too cheap: a lower bound (with the most demand seen there); a slack price at or
        // below it is out of date.
        if price > b.lo {
            b.lo = price;
            b.lo_ratio = ratio;
        } else if price == b.lo {
            b.lo_ratio = b.lo_ratio.max(ratio);
        }
        if b.hi <= price {
            b.hi = 0.0;
        }
        if b.hi == 0.0 {
            step
        } else if b.hi <= price * BRACKET_FACTOR {
            price
        } else {
            step.min((price * b.hi).sqrt())
        }
    } else {
        // Too dear: an upper bound (with the least demand seen there); an excess price at or
        // above it is out of date.
        if b.hi == 0.0 || price < b.hi {
            b.hi = price;
            b.hi_ratio = ratio;
        } else if price == b.hi {
            b.hi_ratio = b.hi_ratio.min(ratio);
        }
        if b.lo >= price {
            b.lo = 0.0;
        }
        if b.lo == 0.0 {
            step
        } else if price <= b.lo * BRACKET_FACTOR {
            price
        } else {
            step.max((price * b.lo).sqrt())
        }
    };
    clamp_price(next, config)
}

/// A price within `[priceMin, priceMax]`; a non-finite value (impossible from a validated
/// config, kept for safety) becomes `priceMax`.
pub fn clamp_price(p: f64, config: &MarketConfig) -> f64 {
    if p.is_nan() {
        return config.price_max;
    }
    p.clamp(config.price_min, config.price_max)
}

/// The reserve curve `priceAtComfort · (comfort / max(h, minHeadroom))^exponent` below the
/// comfort point, 0 (no reserve) at and above it or when `h` is not a number.
fn curve(h: f64, comfort: f64, min: f64, exponent: f64, price_at_comfort: f64) -> f64 {
    if h.is_nan() || h >= comfort {
        return 0.0;
    }
    price_at_comfort * (comfort / h.max(min)).powf(exponent)
}

/// The thermal reserve price for a headroom in °C (0 when disabled or unknown).
pub fn thermal_reserve(c: &ThermalReserve, headroom_c: Option<f64>) -> f64 {
    match headroom_c {
        Some(h) if c.enabled => curve(
            h,
            c.comfort_c,
            c.min_headroom_c,
            c.exponent,
            c.price_at_comfort,
        ),
        _ => 0.0,
    }
}

/// The power reserve price for a headroom in W (0 when disabled or unknown).
pub fn power_reserve(c: &PowerReserve, headroom_w: Option<f64>) -> f64 {
    match headroom_w {
        Some(h) if c.enabled => curve(
            h,
            c.comfort_w,
            c.min_headroom_w,
            c.exponent,
            c.price_at_comfort,
        ),
        _ => 0.0,
    }
}

/// Reserve price per resource (0 = none), clamped to `priceMax`. A resource named by both
/// reserves gets the higher one.
pub fn reserves(config: &MarketConfig, safety: &SafetyInputs) -> PerResource<f64> {
    let mut out = PerResource::splat(0.0);
    let thermal = thermal_reserve(&config.reserve.thermal, safety.thermal_headroom_c);
    let power = power_reserve(&config.reserve.power, safety.power_headroom_w);
    for &r in &config.reserve.thermal.applies_to {
        out[r] = f64::max(out[r], thermal);
    }
    for &r in &config.reserve.power.applies_to {
        out[r] = f64::max(out[r], power);
    }
    out.map(|_, &p| p.min(config.price_max))
}

/// Posted prices: the scarcity (tâtonnement) price, raised to the reserve where that is
/// higher, within `[priceMin, priceMax]`.
pub fn posted(
    base: &PerResource<f64>,
    reserve: &PerResource<f64>,
    config: &MarketConfig,
) -> PerResource<f64> {
    base.map(|r, &p| clamp_price(p.max(reserve[r]), config))
}

/// Exchange rates between resources: `rate(r → s) = p_r / p_s`, how many units of `s` one
/// unit of `r` is worth. Serializes as `{"cpu_cores": {"cpu_cores": 1.0, "cpu_time": …}, …}`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(transparent)]
pub struct RateMatrix(pub PerResource<PerResource<f64>>);

impl RateMatrix {
    /// The matrix of `prices` (each > 0, as posted prices always are; a price ≤ 0 or not
    /// finite gives rate 0 in its column instead of ∞ or NaN).
    pub fn from_prices(prices: &PerResource<f64>) -> RateMatrix {
        RateMatrix(prices.map(|_, &pr| {
            prices.map(|_, &ps| {
                let rate = pr / ps;
                if rate.is_finite() { rate } else { 0.0 }
            })
        }))
    }

    /// `p_from / p_to`.
    pub fn rate(&self, from: ResourceType, to: ResourceType) -> f64 {
        self.0[from][to]
    }
}
