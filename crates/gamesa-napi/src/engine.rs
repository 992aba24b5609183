//! Binding for `gamesa_core::engine` (the engine), `gamesa_core::sim` (scenarios and
//! backtests) and `gamesa_host::replay`. Tick outputs cross as JSON text: the same bytes the
//! replay writes, parsed once on the JS side, cheaper than building a deep napi object. The
//! live path's decisions cross packed as numbers and one string instead (`decisions.rs`),
//! since parsing their JSON cost more than a third of a tick.

use crate::convert::to_json;
use crate::decisions::DecisionPacker;
use crate::errors::{JsError, guard, js_error, to_js};
use crate::features::LocatedProblem;
use gamesa_core::engine::{Engine, EngineConfig, TickOutput};
use gamesa_core::error::codes;
use gamesa_core::sim;
use gamesa_host::replay::ReplayToFile;
use napi::bindgen_prelude::Float64Array;
use napi_derive::napi;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// The part of a telemetry snapshot the engine reads.
#[derive(Deserialize)]
struct SnapshotValues {
    values: BTreeMap<String, f64>,
}

/// Every problem of an engine configuration, empty when it builds.
#[napi]
pub fn check_engine_config_json(json: String) -> Result<Vec<LocatedProblem>, JsError> {
    guard(|| {
        Ok(Engine::check_json(&json)
            .into_iter()
            .map(LocatedProblem::from)
            .collect())
    })
}

/// An engine: one configuration and its state from tick to tick.
#[napi]
pub struct NativeEngine {
    inner: Engine,
    /// The last tick's output, for `lastTickJson` (`tickValuesDecisions` does not serialize it);
    /// each tick is written over it, reusing its buffers. Empty (tick 0) before the first.
    last: TickOutput,
    /// The live path's packer (`tickValuesPacked`): it remembers the names sent to JS.
    packer: DecisionPacker,
}

#[napi]
impl NativeEngine {
    /// Builds an engine from its JSON configuration. `INVALID_ENGINE_CONFIG` lists every
    /// problem in the message (`checkEngineConfigJson` returns them as objects).
    #[napi(constructor)]
    pub fn new(config_json: String) -> Result<Self, JsError> {
        guard(|| {
            Ok(NativeEngine {
                inner: Engine::from_json(&config_json).map_err(to_js)?,
                last: TickOutput::default(),
                packer: DecisionPacker::default(),
            })
        })
    }

    /// The input variables in the order `tickValues` expects.
    #[napi]
    pub fn input_names(&self) -> Result<Vec<String>, JsError> {
        guard(|| Ok(self.inner.input_names()))
    }

    /// Ticks run so far.
    #[napi]
    pub fn ticks(&self) -> Result<f64, JsError> {
        guard(|| Ok(self.inner.ticks() as f64))
    }

    /// One tick on a telemetry snapshot given as JSON (`{"values": {name: number}, …}`);
    /// returns the tick output as JSON.
    #[napi]
    pub fn tick_json(&mut self, snapshot_json: String, now_ms: f64) -> Result<String, JsError> {
        guard(|| {
            let snapshot: SnapshotValues = serde_json::from_str(&snapshot_json).map_err(|e| {
                js_error(
                    codes::INVALID_ARGUMENT,
                    format!("snapshot: expected {{\"values\": {{name: number}}}}: {e}"),
                )
            })?;
            self.inner
                .tick_into(&snapshot.values, now_ms, &mut self.last)
                .map_err(to_js)?;
            to_json(&self.last)
        })
    }

    /// One tick on values in `inputNames()` order (NaN = absent): the fast path.
    #[napi]
    pub fn tick_values(&mut self, values: Float64Array, now_ms: f64) -> Result<String, JsError> {
        guard(|| {
            self.tick_slots(&values, now_ms)?;
            to_json(&self.last)
        })
    }

    /// One tick on values in `inputNames()` order (NaN = absent); returns only its decisions
    /// (`TickDecisions`) as JSON and keeps the full output for `lastTickJson`.
    #[napi]
    pub fn tick_values_decisions(
        &mut self,
        values: Float64Array,
        now_ms: f64,
    ) -> Result<String, JsError> {
        guard(|| {
            self.tick_slots(&values, now_ms)?;
            to_json(&self.last.decisions())
        })
    }

    /// The live path: one tick on values in `inputNames()` order (NaN = absent); its decisions
    /// are packed (see `decisions.rs`) into `nums` and the returned string, and the full output
    /// is kept for `lastTickJson`. `nums[0]` is the count of packed numbers after it; when
    /// `nums` is shorter than that, only `nums[0]` is written and `copyPacked` fills a larger
    /// array from the same tick.
    #[napi]
    pub fn tick_values_packed(
        &mut self,
        values: Float64Array,
        now_ms: f64,
        nums: Float64Array,
    ) -> Result<String, JsError> {
        guard(|| {
            self.tick_slots(&values, now_ms)?;
            self.packer.pack(&self.last.decisions());
            self.copy_packed(nums)
        })
    }

    /// Writes the last packed decisions into `nums` (see `tickValuesPacked`) and returns their
    /// string.
    #[napi]
    // The one write into JS memory: see the SAFETY comment.
    #[allow(unsafe_code)]
    pub fn copy_packed(&self, mut nums: Float64Array) -> Result<String, JsError> {
        guard(|| {
            let packed = &self.packer.nums;
            // SAFETY: JS runs on this one thread and is blocked in this synchronous call, so
            // nothing else reads or writes the array's memory while the slice lives; the
            // slice is the array's own length and is dropped before returning.
            let dest = unsafe { nums.as_mut() };
            let Some((count, rest)) = dest.split_first_mut() else {
                return Err(js_error(
                    codes::INVALID_ARGUMENT,
                    "nums: give a Float64Array of at least one element",
                ));
            };
            *count = packed.len() as f64;
            if let Some(dest) = rest.get_mut(..packed.len()) {
                dest.copy_from_slice(packed);
            }
            Ok(self.packer.text.clone())
        })
    }

    /// The full output of the last tick (by any of the tick methods) as JSON; null before the
    /// first.
    #[napi]
    pub fn last_tick_json(&self) -> Result<Option<String>, JsError> {
        guard(|| match self.last.tick {
            0 => Ok(None),
            _ => to_json(&self.last).map(Some),
        })
    }

    /// The audit trail kept in memory, as NDJSON.
    #[napi]
    pub fn audit_ndjson(&self) -> Result<String, JsError> {
        guard(|| Ok(self.inner.audit().to_ndjson()))
    }

    /// Replaces every rule with the JSON array `rules_json`, between two ticks
    /// (`Engine::replace_rules_json`): `INVALID_ENGINE_CONFIG` and nothing changed when a rule
    /// does not compile.
    #[napi]
    pub fn replace_rules(&mut self, rules_json: String) -> Result<(), JsError> {
        guard(|| self.inner.replace_rules_json(&rules_json).map_err(to_js))
    }
}

impl NativeEngine {
    /// One tick on slot values, written over `last`.
    fn tick_slots(&mut self, values: &[f64], now_ms: f64) -> Result<(), JsError> {
        self.inner
            .tick_slots_into(values, now_ms, &mut self.last)
            .map_err(to_js)
    }
}

/// A shipped backtest scenario.
#[napi(object)]
pub struct ScenarioInfo {
    pub name: String,
    pub description: String,
    /// The scenario's JSON text.
    pub json: String,
}

/// The scenarios shipped with the package, by name.
#[napi]
pub fn native_builtin_scenarios() -> Result<Vec<ScenarioInfo>, JsError> {
    guard(|| {
        Ok(sim::builtin_scenario_infos()
            .map_err(to_js)?
            .into_iter()
            .map(|s| ScenarioInfo {
                name: s.name.to_string(),
                description: s.description,
                json: s.json.to_string(),
            })
            .collect())
    })
}

/// A backtest's arguments, converted: the scenario, the engine configuration and the baseline.
fn backtest_inputs(
    scenario_json: &str,
    config_json: &str,
    baseline: &str,
) -> Result<(sim::Scenario, EngineConfig, gamesa_core::engine::Baseline), JsError> {
    let scenario = sim::Scenario::from_json(scenario_json).map_err(to_js)?;
    let config = EngineConfig::from_json(config_json).map_err(to_js)?;
    let baseline = baseline
        .parse()
        .map_err(|message: String| js_error(codes::INVALID_ARGUMENT, message))?;
    Ok((scenario, config, baseline))
}

/// Runs a closed-loop backtest of `configJson` on `scenarioJson` against a baseline (`none`
/// or `static`); returns the report (summaries and series of both runs) as JSON.
#[napi]
pub fn native_run_backtest(
    scenario_json: String,
    config_json: String,
    baseline: String,
) -> Result<String, JsError> {
    guard(|| {
        let (scenario, config, baseline) =
            backtest_inputs(&scenario_json, &config_json, &baseline)?;
        let report = gamesa_core::engine::backtest(&scenario, config, baseline).map_err(to_js)?;
        to_json(&report)
    })
}

/// A backtest report with every tick of the policy run.
#[napi(object)]
pub struct RecordedBacktest {
    /// The report, as `nativeRunBacktest` gives it (JSON).
    pub report: String,
    /// One JSON line per tick of the policy run: `{"values", "output", "outcomes"}`.
    pub ticks: Vec<String>,
}

/// `nativeRunBacktest`, and also every tick of the policy run (for the experience store).
#[napi]
pub fn native_run_backtest_recorded(
    scenario_json: String,
    config_json: String,
    baseline: String,
) -> Result<RecordedBacktest, JsError> {
    guard(|| {
        let (scenario, config, baseline) =
            backtest_inputs(&scenario_json, &config_json, &baseline)?;
        let (report, ticks) =
            gamesa_core::engine::backtest_recorded(&scenario, config, baseline).map_err(to_js)?;
        Ok(RecordedBacktest {
            report: to_json(&report)?,
            ticks,
        })
    })
}

/// Runs the backtest suite of `configJson` over scenarios given as JSON texts: per scenario the
/// policy, the static settings and the nothing-done run, and the lines the policy meets;
/// returns the rows as JSON.
#[napi]
pub fn native_run_backtest_suite(
    scenario_jsons: Vec<String>,
    config_json: String,
) -> Result<String, JsError> {
    guard(|| {
        let scenarios = scenario_jsons
            .iter()
            .map(|json| sim::Scenario::from_json(json).map_err(to_js))
            .collect::<Result<Vec<_>, _>>()?;
        let config = EngineConfig::from_json(&config_json).map_err(to_js)?;
        let rows = gamesa_core::engine::suite(&scenarios, &config).map_err(to_js)?;
        to_json(&rows)
    })
}

/// A replay of a trace file into an output file, run in steps so the caller can show progress.
#[napi]
pub struct NativeReplay {
    inner: ReplayToFile,
}

#[napi]
impl NativeReplay {
    /// Opens the trace and the output, and writes the output's header line. Errors:
    /// `INVALID_ENGINE_CONFIG`, `INVALID_TRACE` (with the line number), `IO_ERROR`.
    #[napi(constructor)]
    pub fn new(config_json: String, trace_path: String, out_path: String) -> Result<Self, JsError> {
        guard(|| {
            let inner =
                ReplayToFile::open(&config_json, Path::new(&trace_path), Path::new(&out_path))
                    .map_err(to_js)?;
            Ok(NativeReplay { inner })
        })
    }

    /// Replays up to `maxTicks` snapshots; returns how many ran (0 at the end).
    #[napi]
    pub fn step(&mut self, max_ticks: u32) -> Result<u32, JsError> {
        guard(|| {
            let n = self.inner.step(max_ticks as usize).map_err(to_js)?;
            Ok(n as u32)
        })
    }

    /// `[bytes read, trace size in bytes]`.
    #[napi]
    pub fn progress(&self) -> Result<Vec<f64>, JsError> {
        guard(|| {
            let (read, total) = self.inner.progress();
            Ok(vec![read as f64, total as f64])
        })
    }

    /// Flushes the output; returns the summary as JSON.
    #[napi]
    pub fn finish(&mut self) -> Result<String, JsError> {
        guard(|| to_json(self.inner.finish().map_err(to_js)?))
    }
}
