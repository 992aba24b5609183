//! CPU sharing and CPU power.
//!
//! Sharing follows cgroup v2 semantics closely enough for control experiments: exclusive
//! (pinned) cores go to their workload only; the remaining cores are shared by weighted max-min
//! fairness (what CFS converges to with `cpu.weight`), each workload's demand first capped by
//! its quota (`cpu.max`). Frequency scales everybody's speed alike.

use super::scenario::CpuDef;

/// Weighted max-min fair shares ("water-filling") of `capacity` among `demands`: nobody gets
/// more than it asks; what a satisfied workload leaves is shared again by weight. Deterministic
/// (no ordering by float keys is needed: each round removes every satisfied workload at once).
/// Demands and weights that are not finite and > 0 get nothing.
pub fn weighted_shares(capacity: f64, demands: &[f64], weights: &[f64]) -> Vec<f64> {
    let n = demands.len();
    let mut grant = vec![0.0; n];
    let valid = |i: usize| {
        let d = demands[i];
        let w = weights.get(i).copied().unwrap_or(0.0);
        d.is_finite() && d > 0.0 && w.is_finite() && w > 0.0
    };
    let mut active: Vec<usize> = (0..n).filter(|&i| valid(i)).collect();
    let mut left = if capacity.is_finite() {
        capacity.max(0.0)
    } else {
        0.0
    };
    while !active.is_empty() && left > 0.0 {
        let total_weight: f64 = active.iter().map(|&i| weights[i]).sum();
        let satisfied: Vec<usize> = active
            .iter()
            .copied()
            .filter(|&i| demands[i] <= left * weights[i] / total_weight)
            .collect();
        if satisfied.is_empty() {
            for &i in &active {
                grant[i] = left * weights[i] / total_weight;
            }
            break;
        }
        for &i in &satisfied {
            grant[i] = demands[i];
            left -= demands[i];
        }
        active.retain(|i| !satisfied.contains(i));
    }
    grant
}

/// Package power, W: `idle + dynamic · (busy / cores) · (f / fmax)^exponent`.
pub fn package_power(cpu: &CpuDef, busy_cores: f64, freq_mhz: f64) -> f64 {
    let load = (busy_cores / cpu.cores).clamp(0.0, 1.0);
    let speed = (freq_mhz / cpu.freq_max_mhz).clamp(0.0, 1.0);
    cpu.idle_w + cpu.dynamic_w * load * speed.powf(cpu.freq_power_exponent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_are_max_min_fair_by_weight() {
        // 8 cores, demands 2 / 16 / 16, equal weights: 2, 3, 3.
        let g = weighted_shares(8.0, &[2.0, 16.0, 16.0], &[1.0, 1.0, 1.0]);
        assert_eq!(g, vec![2.0, 3.0, 3.0]);
        // Weights 1:3 on two hungry workloads: 2 and 6.
        let g = weighted_shares(8.0, &[16.0, 16.0], &[100.0, 300.0]);
        assert_eq!(g, vec![2.0, 6.0]);
        // Enough for all: everyone gets its demand.
        let g = weighted_shares(8.0, &[1.0, 2.0], &[1.0, 1.0]);
        assert_eq!(g, vec![1.0, 2.0]);
        // Bad inputs get nothing.
        let g = weighted_shares(f64::NAN, &[1.0, f64::INFINITY], &[1.0, 1.0]);
        assert_eq!(g, vec![0.0, 0.0]);
    }
}
