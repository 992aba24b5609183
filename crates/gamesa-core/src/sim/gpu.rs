//! GPU power under a power limit.
//!
//! Uncapped, a GPU busy a fraction `b` of the time draws `idle + K·b` (`K = peak − idle`).
//! Under a limit the driver lowers the clock to a speed `s ≤ 1`; dynamic power scales as
//! `s^α` (voltage follows the clock), while work takes `1/s` as long, so the GPU is busy
//! `b = min(1, D/s)` for a demand `D` (time fraction at full clock):
//! `P(s) = idle + K · min(1, D/s) · s^α`. The speed is the largest `s ≤ 1` with
//! `P(s) ≤ limit`. A fully busy GPU (`D ≥ 1`) therefore delivers `s = ((limit − idle)/K)^(1/α)`:
//! throughput falls sublinearly with power.

use super::scenario::GpuDef;

/// Lowest clock fraction the model goes down to (real GPUs have a minimum clock too).
pub const MIN_SPEED: f64 = 0.05;

/// The operating point of one GPU for a tick.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GpuPoint {
    /// Clock as a fraction of the full clock, `MIN_SPEED..1`.
    pub speed: f64,
    /// Fraction of time busy, 0..1 (`gpuN.util`).
    pub busy: f64,
    /// Power draw, W.
    pub power_w: f64,
}

/// Solves the operating point for demand `demand` (time fraction at full clock, ≥ 0) under
/// `limit_w`.
pub fn operating_point(gpu: &GpuDef, demand: f64, limit_w: f64) -> GpuPoint {
    let demand = if demand.is_finite() {
        demand.max(0.0)
    } else {
        0.0
    };
    let k = gpu.peak_w - gpu.idle_w;
    let alpha = gpu.power_exponent;
    let power = |s: f64| gpu.idle_w + k * (demand / s).min(1.0) * s.powf(alpha);
    if demand == 0.0 || power(1.0) <= limit_w {
        return GpuPoint {
            speed: 1.0,
            busy: demand.min(1.0),
            power_w: power(1.0),
        };
    }
    let budget = (limit_w - gpu.idle_w).max(0.0);
    // Not saturated (s ≥ D): K·D·s^(α−1) = budget; saturated (s < D): K·s^α = budget.
    let mut s = (budget / (k * demand)).powf(1.0 / (alpha - 1.0));
    if s < demand {
        s = (budget / k).powf(1.0 / alpha);
    }
    let s = if s.is_finite() {
        s.clamp(MIN_SPEED, 1.0)
    } else {
        MIN_SPEED
    };
    GpuPoint {
        speed: s,
        busy: (demand / s).min(1.0),
        power_w: power(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gpu() -> GpuDef {
        GpuDef {
            power_min_w: 100.0,
            power_max_w: 400.0,
            power_limit_w: None,
            idle_w: 50.0,
            peak_w: 400.0,
            power_exponent: 3.0,
            sm_clock_max_mhz: 1980.0,
            mem_total_mb: 81920.0,
            thermal_resistance_c_per_w: 0.12,
            time_constant_s: 20.0,
            limit_c: 85.0,
            initial_c: None,
        }
    }

    #[test]
    fn uncapped_draws_in_proportion_to_demand() {
        let p = operating_point(&gpu(), 0.5, 400.0);
        assert_eq!(p.speed, 1.0);
        assert_eq!(p.power_w, 225.0);
    }

    #[test]
    fn capped_saturated_gpu_meets_the_limit_and_slows_sublinearly() {
        let p = operating_point(&gpu(), 1.0, 225.0);
        assert!((p.power_w - 225.0).abs() < 1e-9);
        // Half the dynamic power keeps 0.5^(1/3) ≈ 79 % of the speed.
        assert!((p.speed - 0.5f64.powf(1.0 / 3.0)).abs() < 1e-12);
        assert_eq!(p.busy, 1.0);
    }

    #[test]
    fn capped_partial_demand_stretches_busy_time() {
        let p = operating_point(&gpu(), 0.6, 200.0);
        assert!((p.power_w - 200.0).abs() < 1e-9, "{p:?}");
        assert!(p.speed < 1.0 && p.busy > 0.6);
    }
}
