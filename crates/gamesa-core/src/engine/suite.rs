//! The backtest suite: a policy judged against both baselines on many scenarios, line by line.
//!
//! For each scenario the engine runs once in closed loop, and so do the nothing-done run
//! (`Baseline::None`) and the static settings (`Baseline::Static`). A policy passes a scenario
//! when it is
//! - **safe**: 0 s above any thermal limit and 0 W·s over the power cap;
//! - no worse for the priority workload than the static settings: deadline misses ≤ theirs,
//!   throughput ≥ theirs, and ≥ [`NONE_SHARE`] of the nothing-done run's wherever that run is
//!   safe (a run that breaks a limit is no standard to meet);
//! - no worse for the machine: total throughput ≥ [`TOTAL_SHARE`] of the static settings'.

use super::backtest::{BacktestError, EnginePolicy};
use super::compiled::Engine;
use super::config::EngineConfig;
use crate::sim::{NoPolicy, Scenario, StaticBaseline, Summary, run_closed_loop};
use serde::Serialize;

/// The share of the nothing-done run's priority throughput a policy must keep (where that run
/// is safe).
pub const NONE_SHARE: f64 = 0.95;
/// The share of the static settings' total throughput a policy must keep.
pub const TOTAL_SHARE: f64 = 0.97;
/// Relative slack on "≥ the static settings'": the same throughput computed along another
/// path of floating-point operations may differ in the last bits.
const EQUAL_SLACK: f64 = 1e-9;

/// How one run did, in the suite's terms.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SuiteRun {
    /// Seconds with a device above its thermal limit.
    pub seconds_above_thermal_limit: f64,
    /// Energy over the power cap, W·s.
    pub power_cap_overshoot_ws: f64,
    /// The priority workload's deadline misses.
    pub priority_deadline_misses: u64,
    /// The priority workload's mean throughput (fps or units/s).
    pub priority_throughput: f64,
    /// Normalized throughput summed over workloads.
    pub total_throughput: f64,
    /// Actions applied to the plant.
    pub actions_applied: u64,
}

impl SuiteRun {
    fn of(summary: &Summary) -> SuiteRun {
        SuiteRun {
            seconds_above_thermal_limit: summary.seconds_above_thermal_limit,
            power_cap_overshoot_ws: summary.power_cap_overshoot_ws,
            priority_deadline_misses: summary.priority_deadline_misses,
            priority_throughput: summary.priority_throughput,
            total_throughput: summary.total_throughput,
            actions_applied: summary.actions_applied,
        }
    }

    /// No time above a thermal limit and no energy over the cap.
    pub fn is_safe(&self) -> bool {
        self.seconds_above_thermal_limit == 0.0 && self.power_cap_overshoot_ws == 0.0
    }
}

/// The lines a policy must meet on one scenario; each `true` when met.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SuiteChecks {
    /// 0 s above thermal limits and 0 W·s over the cap.
    pub safe: bool,
    /// Priority deadline misses ≤ the static settings'.
    pub misses: bool,
    /// Priority throughput ≥ the static settings'.
    pub priority_vs_static: bool,
    /// Priority throughput ≥ [`NONE_SHARE`] of the nothing-done run's; absent where that run
    /// is unsafe.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority_vs_none: Option<bool>,
    /// Total throughput ≥ [`TOTAL_SHARE`] of the static settings'.
    pub total_vs_static: bool,
}

impl SuiteChecks {
    /// Every line met.
    pub fn pass(&self) -> bool {
        self.safe
            && self.misses
            && self.priority_vs_static
            && self.priority_vs_none != Some(false)
            && self.total_vs_static
    }

    /// Compares a policy's run with the static settings' and the nothing-done run's.
    pub fn judge(policy: &SuiteRun, static_settings: &SuiteRun, none: &SuiteRun) -> SuiteChecks {
        let at_least = |x: f64, bar: f64| x >= bar - EQUAL_SLACK * bar.abs();
        SuiteChecks {
            safe: policy.is_safe(),
            misses: policy.priority_deadline_misses <= static_settings.priority_deadline_misses,
            priority_vs_static: at_least(
                policy.priority_throughput,
                static_settings.priority_throughput,
            ),
            priority_vs_none: none.is_safe().then(|| {
                at_least(
                    policy.priority_throughput,
                    NONE_SHARE * none.priority_throughput,
                )
            }),
            total_vs_static: at_least(
                policy.total_throughput,
                TOTAL_SHARE * static_settings.total_throughput,
            ),
        }
    }
}

/// One scenario of the suite.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SuiteRow {
    pub scenario: String,
    /// The priority workload's name, when the scenario has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority_workload: Option<String>,
    pub policy: SuiteRun,
    /// The static settings (`Baseline::Static`).
    #[serde(rename = "static")]
    pub static_settings: SuiteRun,
    /// Nothing done (`Baseline::None`).
    pub none: SuiteRun,
    pub checks: SuiteChecks,
    /// Every check met.
    pub pass: bool,
}

/// Runs the policy built from `config` and both baselines on one scenario.
pub fn suite_row(scenario: &Scenario, config: EngineConfig) -> Result<SuiteRow, BacktestError> {
    let engine = Engine::new(config).map_err(BacktestError::Engine)?;
    let mut policy = EnginePolicy::new(engine);
    let policy_run = run_closed_loop(scenario, &mut policy);
    if let Some(e) = policy.take_error() {
        return Err(BacktestError::Engine(e));
    }
    let static_run = run_closed_loop(scenario, &mut StaticBaseline::new(scenario));
    let none_run = run_closed_loop(scenario, &mut NoPolicy);
    let (policy, static_settings, none) = (
        SuiteRun::of(&policy_run.summary),
        SuiteRun::of(&static_run.summary),
        SuiteRun::of(&none_run.summary),
    );
    let checks = SuiteChecks::judge(&policy, &static_settings, &none);
    Ok(SuiteRow {
        scenario: scenario.name.clone(),
        priority_workload: policy_run.summary.priority_workload.clone(),
        pass: checks.pass(),
        policy,
        static_settings,
        none,
        checks,
    })
}

/// The suite over `scenarios`, in their order.
pub fn suite(
    scenarios: &[Scenario],
    config: &EngineConfig,
) -> Result<Vec<SuiteRow>, BacktestError> {
    scenarios
        .iter()
        .map(|s| suite_row(s, config.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(hot: f64, over: f64, misses: u64, priority: f64, total: f64) -> SuiteRun {
        SuiteRun {
            seconds_above_thermal_limit: hot,
            power_cap_overshoot_ws: over,
            priority_deadline_misses: misses,
            priority_throughput: priority,
            total_throughput: total,
            actions_applied: 0,
        }
    }

    #[test]
    fn every_line_is_judged_on_its_own() {
        let fixed = run(0.0, 0.0, 0, 60.0, 2.0);
        let none = run(0.0, 0.0, 10, 58.0, 2.1);
        let ok = SuiteChecks::judge(&fixed, &fixed, &none);
        assert!(ok.pass(), "{ok:?}");
        let hot = SuiteChecks::judge(&run(0.1, 0.0, 0, 60.0, 2.0), &fixed, &none);
        assert!(!hot.safe && !hot.pass());
        let over = SuiteChecks::judge(&run(0.0, 0.5, 0, 60.0, 2.0), &fixed, &none);
        assert!(!over.safe);
        let missed = SuiteChecks::judge(&run(0.0, 0.0, 1, 60.0, 2.0), &fixed, &none);
        assert!(!missed.misses && missed.safe && !missed.pass());
        let slow = SuiteChecks::judge(&run(0.0, 0.0, 0, 59.9, 2.0), &fixed, &none);
        assert!(!slow.priority_vs_static);
        let starved = SuiteChecks::judge(&run(0.0, 0.0, 0, 60.0, 1.93), &fixed, &none);
        assert!(!starved.total_vs_static);
        assert!(SuiteChecks::judge(&run(0.0, 0.0, 0, 60.0, 1.95), &fixed, &none).total_vs_static);
    }

    #[test]
    fn the_nothing_done_run_is_a_standard_only_where_it_is_safe() {
        let static_settings = run(0.0, 0.0, 0, 50.0, 2.0);
        let policy = run(0.0, 0.0, 0, 60.0, 2.0);
        let fast_safe = run(0.0, 0.0, 0, 100.0, 2.0);
        let fast_unsafe = run(12.0, 0.0, 0, 100.0, 2.0);
        let judged = SuiteChecks::judge(&policy, &static_settings, &fast_safe);
        assert_eq!(judged.priority_vs_none, Some(false));
        assert!(!judged.pass());
        let judged = SuiteChecks::judge(&policy, &static_settings, &fast_unsafe);
        assert_eq!(judged.priority_vs_none, None);
        assert!(judged.pass());
    }

    #[test]
    fn equal_up_to_rounding_counts_as_equal() {
        let a = run(0.0, 0.0, 0, 59.99, 1.8);
        let b = run(0.0, 0.0, 0, 59.99 * (1.0 + 1e-12), 1.8 * (1.0 + 1e-12));
        assert!(SuiteChecks::judge(&a, &b, &b).pass());
    }
}
