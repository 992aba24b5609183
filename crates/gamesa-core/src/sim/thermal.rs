//! First-order thermal model of one device: `dT/dt = (P·R_th − (T − T_amb)) / τ`.
//!
//! With the power held constant over a step the equation has the exact solution
//! `T(t) = T_ss + (T₀ − T_ss)·e^(−t/τ)` with `T_ss = T_amb + P·R_th`; stepping with it is
//! unconditionally stable and gives the same temperature for one step of 1 s as for ten of
//! 100 ms (explicit Euler would overshoot for `dt > τ` and depend on the tick).

/// One device's thermal state and constants.
#[derive(Debug, Clone, PartialEq)]
pub struct ThermalNode {
    /// Current temperature, °C.
    pub temp_c: f64,
    /// Thermal resistance to ambient, °C/W.
    pub r_th_c_per_w: f64,
    /// Time constant, s.
    pub tau_s: f64,
}

impl ThermalNode {
    /// The temperature the device settles at under constant `power_w`.
    pub fn steady_state(&self, ambient_c: f64, power_w: f64) -> f64 {
        ambient_c + power_w * self.r_th_c_per_w
    }

    /// Advances by `dt_s` seconds at constant `power_w` with the exact solution. Returns the
    /// seconds of this step the temperature spent strictly above `limit_c`, also exact.
    pub fn step(&mut self, ambient_c: f64, power_w: f64, dt_s: f64, limit_c: f64) -> Interval {
        let t0 = self.temp_c;
        let tss = self.steady_state(ambient_c, power_w);
        let decay = (-dt_s / self.tau_s).exp();
        self.temp_c = tss + (t0 - tss) * decay;
        time_above(t0, tss, self.tau_s, dt_s, limit_c)
    }
}

/// The part of a step spent above a limit. The trajectory is monotone, so that part is either
/// a prefix (cooling down through the limit) or a suffix (heating up through it) of the step;
/// the union over several devices is then the longest prefix plus the longest suffix.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Interval {
    /// Seconds above the limit at the start of the step.
    pub prefix_s: f64,
    /// Seconds above the limit at the end of the step.
    pub suffix_s: f64,
}

impl Interval {
    /// Seconds above the limit in the step, for one device.
    pub fn total(&self, dt_s: f64) -> f64 {
        (self.prefix_s + self.suffix_s).min(dt_s)
    }

    /// The union of two devices' intervals within a step of `dt_s`.
    pub fn union(self, other: Interval) -> Interval {
        Interval {
            prefix_s: self.prefix_s.max(other.prefix_s),
            suffix_s: self.suffix_s.max(other.suffix_s),
        }
    }
}

/// Time above `limit` of `T(t) = tss + (t0 − tss)·e^(−t/τ)` for `t ∈ [0, dt]`.
fn time_above(t0: f64, tss: f64, tau: f64, dt: f64, limit: f64) -> Interval {
    let above_start = t0 > limit;
    let above_end = tss > limit;
    match (above_start, above_end) {
        (true, true) => Interval {
            prefix_s: dt,
            suffix_s: 0.0,
        },
        (false, false) => Interval::default(),
        // Heating through the limit: crosses at t* = τ·ln((tss − t0)/(tss − limit)).
        (false, true) => {
            let crossing = tau * ((tss - t0) / (tss - limit)).ln();
            Interval {
                prefix_s: 0.0,
                suffix_s: (dt - crossing).clamp(0.0, dt),
            }
        }
        // Cooling through the limit (tss ≤ limit < t0): above until t* = τ·ln((t0 − tss)/(limit − tss)).
        (true, false) => {
            let gap = limit - tss;
            let crossing = if gap > 0.0 {
                tau * ((t0 - tss) / gap).ln()
            } else {
                dt // settles exactly at the limit: never strictly below it
            };
            Interval {
                prefix_s: crossing.clamp(0.0, dt),
                suffix_s: 0.0,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node() -> ThermalNode {
        ThermalNode {
            temp_c: 30.0,
            r_th_c_per_w: 0.5,
            tau_s: 10.0,
        }
    }

    #[test]
    fn settles_at_ambient_plus_power_times_resistance() {
        let mut n = node();
        for _ in 0..10_000 {
            n.step(25.0, 100.0, 0.1, 200.0);
        }
        assert!((n.temp_c - 75.0).abs() < 1e-9, "{}", n.temp_c);
    }

    #[test]
    fn one_long_step_equals_many_short_ones() {
        let mut a = node();
        let mut b = node();
        a.step(25.0, 80.0, 7.0, 200.0);
        for _ in 0..70 {
            b.step(25.0, 80.0, 0.1, 200.0);
        }
        assert!((a.temp_c - b.temp_c).abs() < 1e-9);
    }

    #[test]
    fn time_above_is_exact_when_crossing() {
        // From 30 toward 75 with τ = 10: crosses 50 at 10·ln(45/25).
        let mut n = node();
        let dt = 20.0;
        let above = n.step(25.0, 100.0, dt, 50.0).total(dt);
        let expected = dt - 10.0 * (45.0f64 / 25.0).ln();
        assert!((above - expected).abs() < 1e-9);
        // Split into steps, the sum is the same.
        let mut m = node();
        let split: f64 = (0..200)
            .map(|_| m.step(25.0, 100.0, 0.1, 50.0).total(0.1))
            .sum();
        assert!((split - expected).abs() < 1e-9);
        // Cooling through the limit from 75 toward 25: above until 10·ln(50/25).
        let mut c = ThermalNode {
            temp_c: 75.0,
            ..node()
        };
        let down = c.step(25.0, 0.0, dt, 50.0).total(dt);
        assert!((down - 10.0 * 2.0f64.ln()).abs() < 1e-9);
    }
}
