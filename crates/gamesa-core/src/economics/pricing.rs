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
    let ratio = demand_ratio(demand, supply);
    let next = price * (config.kappa * (ratio - config.target_utilization)).exp();
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
