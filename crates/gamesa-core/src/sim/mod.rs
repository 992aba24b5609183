//! The plant simulator: a deterministic, seeded model of one machine (CPU package, GPUs,
//! memory, temperatures, power) running workloads, so that a policy can be tried in closed
//! loop before it touches real hardware. See `docs/simulator.md` for the model, its equations
//! and parameters.
//!
//! No clock, no I/O, no threads: time advances only through [`Plant::step`], randomness comes
//! only from the scenario's seed ([`SplitMix64`]), and every output is ordered. The same
//! scenario and policy give byte-identical results.

mod actuation;
mod cpu;
mod error;
mod gpu;
mod metrics;
mod plant;
mod rng;
mod runner;
mod scenario;
mod telemetry;
mod thermal;
mod workload;

pub use actuation::{Actuation, ActuationKind};
pub use cpu::{package_power, weighted_shares};
pub use error::SimError;
pub use gpu::{GpuPoint, MIN_SPEED, operating_point};
pub use metrics::{Metrics, WorkloadMetrics};
pub use plant::{MAX_FRAME_MS, MAX_STEP_MS, Plant, THROTTLE_HYSTERESIS_C};
pub use rng::SplitMix64;
pub use runner::{
    NoPolicy, Policy, PolicyStep, RunResult, Series, StaticBaseline, Summary, run_closed_loop,
};
pub use scenario::{
    BatchDef, BurstyDef, CpuDef, FrameLoopDef, GpuDef, MAX_CORES, MAX_GPUS, MAX_SEED, MAX_TICKS,
    MAX_WORKLOADS, MachineDef, Profile, Scenario, SteadyDef, WorkloadDef,
};
pub use thermal::{Interval, ThermalNode};
pub use workload::MAX_FRAMES_PER_STEP;

/// A scenario shipped in `samples/scenarios/`, with its description.
#[derive(Debug, Clone, PartialEq)]
pub struct BuiltinScenario {
    pub name: &'static str,
    pub description: String,
    /// The scenario's JSON text.
    pub json: &'static str,
}

/// The shipped scenarios with their descriptions, sorted by name; an error only if one of
/// them does not parse (a packaging bug).
pub fn builtin_scenario_infos() -> Result<Vec<BuiltinScenario>, SimError> {
    builtin_scenarios()
        .into_iter()
        .map(|(name, json)| {
            Ok(BuiltinScenario {
                name,
                description: Scenario::from_json(json)?.description,
                json,
            })
        })
        .collect()
}

/// The scenarios shipped in `samples/scenarios/`, as `(name, JSON text)`, sorted by name.
pub fn builtin_scenarios() -> Vec<(&'static str, &'static str)> {
    vec![
        (
            "bursty_inference",
            include_str!("../../../../samples/scenarios/bursty_inference.json"),
        ),
        (
            "game_and_compile",
            include_str!("../../../../samples/scenarios/game_and_compile.json"),
        ),
        (
            "gpu_training_power_cap",
            include_str!("../../../../samples/scenarios/gpu_training_power_cap.json"),
        ),
        (
            "heat_soak",
            include_str!("../../../../samples/scenarios/heat_soak.json"),
        ),
        (
            "hot_sff_pc",
            include_str!("../../../../samples/scenarios/hot_sff_pc.json"),
        ),
        (
            "laptop_low_cap",
            include_str!("../../../../samples/scenarios/laptop_low_cap.json"),
        ),
        (
            "many_core_server",
            include_str!("../../../../samples/scenarios/many_core_server.json"),
        ),
        (
            "two_gpus_one_cap",
            include_str!("../../../../samples/scenarios/two_gpus_one_cap.json"),
        ),
        (
            "video_call_and_build",
            include_str!("../../../../samples/scenarios/video_call_and_build.json"),
        ),
    ]
}

/// A shipped scenario by name, parsed.
pub fn builtin_scenario(name: &str) -> Option<Result<Scenario, SimError>> {
    builtin_scenarios()
        .into_iter()
        .find(|(n, _)| *n == name)
        .map(|(_, text)| Scenario::from_json(text))
}
