//! Closed-loop backtests: the engine as a [`Policy`] of the plant simulator. Each simulated
//! tick, the plant's telemetry goes into [`Engine::tick`]; the approved actions are applied to
//! the plant (their kinds are the simulator's actuations); the same scenario also runs under a
//! baseline, and the report puts both side by side.

use super::compiled::Engine;
use super::config::EngineConfig;
use super::error::EngineError;
use super::output::TickOutput;
use crate::error::ErrorCode;
use crate::sim::{
    Actuation, NoPolicy, Policy, PolicyStep, RunResult, Scenario, SimError, StaticBaseline,
    run_closed_loop,
};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;

/// What the policy is compared against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Baseline {
    /// Nothing is ever changed.
    None,
    /// The scenario's static settings, applied once at the start.
    Static,
}

impl std::str::FromStr for Baseline {
    type Err = String;

    /// `none` or `static`; anything else is refused with a message naming both.
    fn from_str(s: &str) -> Result<Baseline, String> {
        match s {
            "none" => Ok(Baseline::None),
            "static" => Ok(Baseline::Static),
            other => Err(format!(
                "baseline must be \"none\" or \"static\", got \"{other}\""
            )),
        }
    }
}

/// The engine driving the plant.
pub struct EnginePolicy {
    engine: Engine,
    /// The first tick error (a tick can only fail on its time, which the runner controls).
    error: Option<EngineError>,
    /// The last value applied per `settings.<kind>.<target>`, charted every tick from the
    /// first approval on (a setting holds between its changes).
    settings: BTreeMap<String, f64>,
    /// Whether each tick's whole output is kept for [`EnginePolicy::take_output`] (off unless
    /// the ticks are recorded: a run that only charts keeps no copy).
    keep_output: bool,
    /// The last tick's output, while `keep_output`.
    output: Option<TickOutput>,
}

impl EnginePolicy {
    /// Wraps an engine.
    pub fn new(engine: Engine) -> EnginePolicy {
        EnginePolicy {
            engine,
            error: None,
            settings: BTreeMap::new(),
            keep_output: false,
            output: None,
        }
    }

    /// Keeps each tick's whole output until [`EnginePolicy::take_output`] takes it.
    pub fn keep_outputs(&mut self) {
        self.keep_output = true;
    }

    /// The output of the last tick, when outputs are kept (taken: a second call gives none).
    pub fn take_output(&mut self) -> Option<TickOutput> {
        self.output.take()
    }

    /// The engine (its audit trail, market state).
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The first tick error of the run, if a tick failed (taken: a second call gives none).
    pub fn take_error(&mut self) -> Option<EngineError> {
        self.error.take()
    }
}

impl Policy for EnginePolicy {
    fn decide(&mut self, now_ms: f64, telemetry: &BTreeMap<String, f64>) -> PolicyStep {
        let mut step = PolicyStep::default();
        let out = match self.engine.tick(telemetry, now_ms) {
            Ok(out) => out,
            Err(e) => {
                self.error.get_or_insert(e);
                return step;
            }
        };
        for a in &out.approved {
            step.actuations.push(Actuation {
                kind: a.kind.to_string(),
                target: a.target.to_string(),
                value: a.value,
            });
            self.settings
                .insert(format!("settings.{}.{}", a.kind, a.target), a.value);
        }
        for (name, value) in &self.settings {
            step.extra.insert(name.clone(), *value);
        }
        step.rejected = out
            .rejected
            .iter()
            .filter(|r| r.reason != crate::gate::RejectReason::NotSelected)
            .count() as u64;
        for (r, p) in out.market.prices.iter() {
            step.extra.insert(format!("prices.{r}"), *p);
        }
        for (r, granted) in out.market.granted.iter() {
            step.extra.insert(format!("grants.{r}"), *granted);
        }
        // Each agent's grant of each resource it bid for, summed over its bids.
        let agents = self.engine.market.agents();
        for g in &out.market.grants {
            if let Some(agent) = agents.get(g.agent) {
                *step
                    .extra
                    .entry(format!("grants.{}.{}", g.resource, agent.id))
                    .or_insert(0.0) += g.amount;
            }
        }
        // Exchange rates against a core: how many cores one unit of each resource is worth.
        let core = out.market.prices[crate::types::ResourceType::CpuCores];
        if core > 0.0 {
            for (r, p) in out.market.prices.iter() {
                step.extra.insert(format!("rates.{r}"), p / core);
            }
        }
        step.extra
            .insert("firings".to_string(), out.firings.active.len() as f64);
        step.extra
            .insert("shadowFirings".to_string(), out.firings.shadow.len() as f64);
        step.extra
            .insert("rejected".to_string(), out.rejected.len() as f64);
        step.extra
            .insert("applied".to_string(), out.approved.len() as f64);
        step.extra
            .insert("emergency".to_string(), f64::from(u8::from(out.emergency)));
        if self.keep_output {
            self.output = Some(out);
        }
        step
    }
}

/// A scenario's description in the report.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScenarioInfo {
    pub name: String,
    pub description: String,
    pub duration_s: f64,
    pub tick_ms: f64,
}

/// One run of a report.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BacktestRun {
    /// `policy` or `baseline`.
    pub label: &'static str,
    /// For the baseline run: which one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<Baseline>,
    #[serde(flatten)]
    pub result: RunResult,
}

/// Policy and baseline, side by side.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BacktestReport {
    pub scenario: ScenarioInfo,
    pub runs: Vec<BacktestRun>,
}

/// Why a backtest could not run.
#[derive(Debug, Clone)]
pub enum BacktestError {
    Engine(EngineError),
    Sim(SimError),
}

impl fmt::Display for BacktestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BacktestError::Engine(e) => e.fmt(f),
            BacktestError::Sim(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for BacktestError {}

impl ErrorCode for BacktestError {
    fn code(&self) -> &'static str {
        match self {
            BacktestError::Engine(e) => e.code(),
            BacktestError::Sim(e) => e.code(),
        }
    }
}

/// Runs `scenario` under the engine built from `config`, then under `baseline`.
pub fn backtest(
    scenario: &Scenario,
    config: EngineConfig,
    baseline: Baseline,
) -> Result<BacktestReport, BacktestError> {
    let engine = Engine::new(config).map_err(BacktestError::Engine)?;
    let mut policy = EnginePolicy::new(engine);
    let policy_run = run_closed_loop(scenario, &mut policy);
    if let Some(e) = policy.error {
        return Err(BacktestError::Engine(e));
    }
    Ok(with_baseline(scenario, policy_run, baseline))
}

/// Like [`backtest`], and also every tick of the policy run as one JSON line (see
/// [`super::backtest_ticks`]): what the engine saw, its whole output, and what the plant made
/// of each approved action.
pub fn backtest_recorded(
    scenario: &Scenario,
    config: EngineConfig,
    baseline: Baseline,
) -> Result<(BacktestReport, Vec<String>), BacktestError> {
    let engine = Engine::new(config).map_err(BacktestError::Engine)?;
    let mut policy = EnginePolicy::new(engine);
    policy.keep_outputs();
    let mut recorder = super::backtest_ticks::TickRecorder::new(&mut policy);
    let policy_run = run_closed_loop(scenario, &mut recorder);
    let lines = recorder.into_lines();
    if let Some(e) = policy.error {
        return Err(BacktestError::Engine(e));
    }
    Ok((with_baseline(scenario, policy_run, baseline), lines))
}

/// The report: the policy's run beside the baseline's, run here.
fn with_baseline(scenario: &Scenario, policy_run: RunResult, baseline: Baseline) -> BacktestReport {
    let baseline_run = match baseline {
        Baseline::None => run_closed_loop(scenario, &mut NoPolicy),
        Baseline::Static => run_closed_loop(scenario, &mut StaticBaseline::new(scenario)),
    };
    BacktestReport {
        scenario: ScenarioInfo {
            name: scenario.name.clone(),
            description: scenario.description.clone(),
            duration_s: scenario.duration_s,
            tick_ms: scenario.tick_ms,
        },
        runs: vec![
            BacktestRun {
                label: "policy",
                baseline: None,
                result: policy_run,
            },
            BacktestRun {
                label: "baseline",
                baseline: Some(baseline),
                result: baseline_run,
            },
        ],
    }
}
