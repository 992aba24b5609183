//! The core's lists, limits and defaults, read by the TypeScript layer instead of copies of
//! them: resources, effects, strategies, gate reject reasons, simulator actuation kinds, error
//! codes, the numeric limits configurations are checked against, and the defaults they fill in.

use crate::allocation::ResourceType;
use crate::convert::count;
use crate::effects::Effect;
use crate::errors::{JsError, guard};
use gamesa_core::error::codes;
use gamesa_core::{allocation, effects, engine, gate, market, rules, sim, types};
use napi_derive::napi;

/// Every resource, in declaration order (the order of per-resource tables and outputs).
#[napi]
pub fn resource_types() -> Result<Vec<ResourceType>, JsError> {
    guard(|| {
        Ok(types::ResourceType::ALL
            .into_iter()
            .map(Into::into)
            .collect())
    })
}

/// Every effect (capability), in declaration order.
#[napi]
pub fn effect_kinds() -> Result<Vec<Effect>, JsError> {
    guard(|| Ok(effects::Effect::ALL.into_iter().map(Into::into).collect()))
}

/// A pool's placement strategy (docs/allocation.md). Exhaustive, as the enums below.
#[napi(string_enum)]
pub enum AllocationStrategy {
    #[napi(value = "first_fit")]
    FirstFit,
    #[napi(value = "best_fit")]
    BestFit,
    #[napi(value = "buddy")]
    Buddy,
    #[napi(value = "priority")]
    Priority,
    #[napi(value = "weighted")]
    Weighted,
}

impl From<allocation::Strategy> for AllocationStrategy {
    fn from(s: allocation::Strategy) -> Self {
        use allocation::Strategy as S;
        match s {
            S::FirstFit => AllocationStrategy::FirstFit,
            S::BestFit => AllocationStrategy::BestFit,
            S::Buddy => AllocationStrategy::Buddy,
            S::Priority => AllocationStrategy::Priority,
            S::Weighted => AllocationStrategy::Weighted,
        }
    }
}

/// The strategies a resource's pool may use, the documented one first.
#[napi(object)]
pub struct ResourceStrategies {
    pub resource: ResourceType,
    pub strategies: Vec<AllocationStrategy>,
}

/// For each resource, the allocation strategies that fit it (the documented one first).
#[napi]
pub fn allocation_strategies() -> Result<Vec<ResourceStrategies>, JsError> {
    guard(|| {
        Ok(types::ResourceType::ALL
            .into_iter()
            .map(|r| ResourceStrategies {
                resource: r.into(),
                strategies: allocation::Strategy::allowed_for(r)
                    .iter()
                    .map(|s| (*s).into())
                    .collect(),
            })
            .collect())
    })
}

/// Why the gate rejected an action (docs/gate.md). The match below is exhaustive, so a reason
/// added to the core cannot be missing here.
#[napi(string_enum)]
pub enum GateRejectReason {
    #[napi(value = "unknown_kind")]
    UnknownKind,
    #[napi(value = "unknown_target")]
    UnknownTarget,
    #[napi(value = "invalid_param")]
    InvalidParam,
    #[napi(value = "missing_variable")]
    MissingVariable,
    #[napi(value = "out_of_bounds")]
    OutOfBounds,
    #[napi(value = "step_too_large")]
    StepTooLarge,
    #[napi(value = "within_hysteresis")]
    WithinHysteresis,
    #[napi(value = "cooldown")]
    Cooldown,
    #[napi(value = "rate_limited")]
    RateLimited,
    #[napi(value = "emergency")]
    Emergency,
    #[napi(value = "no_capability")]
    NoCapability,
    #[napi(value = "precondition_failed")]
    PreconditionFailed,
    #[napi(value = "over_budget")]
    OverBudget,
    #[napi(value = "not_selected")]
    NotSelected,
}

impl From<gate::RejectReason> for GateRejectReason {
    fn from(r: gate::RejectReason) -> Self {
        use gate::RejectReason as R;
        match r {
            R::UnknownKind => GateRejectReason::UnknownKind,
            R::UnknownTarget => GateRejectReason::UnknownTarget,
            R::InvalidParam => GateRejectReason::InvalidParam,
            R::MissingVariable => GateRejectReason::MissingVariable,
            R::OutOfBounds => GateRejectReason::OutOfBounds,
            R::StepTooLarge => GateRejectReason::StepTooLarge,
            R::WithinHysteresis => GateRejectReason::WithinHysteresis,
            R::Cooldown => GateRejectReason::Cooldown,
            R::RateLimited => GateRejectReason::RateLimited,
            R::Emergency => GateRejectReason::Emergency,
            R::NoCapability => GateRejectReason::NoCapability,
            R::PreconditionFailed => GateRejectReason::PreconditionFailed,
            R::OverBudget => GateRejectReason::OverBudget,
            R::NotSelected => GateRejectReason::NotSelected,
        }
    }
}

/// Every gate reject reason, in declaration order.
#[napi]
pub fn gate_reject_reasons() -> Result<Vec<GateRejectReason>, JsError> {
    guard(|| {
        Ok(gate::RejectReason::ALL
            .into_iter()
            .map(Into::into)
            .collect())
    })
}

/// A setting the simulated plant can change (docs/simulator.md). Exhaustive, as above.
#[napi(string_enum)]
pub enum SimActuationKind {
    #[napi(value = "set_gpu_power_limit")]
    SetGpuPowerLimit,
    #[napi(value = "set_cpu_freq_max")]
    SetCpuFreqMax,
    #[napi(value = "set_cpu_power_limit")]
    SetCpuPowerLimit,
    #[napi(value = "set_cpu_weight")]
    SetCpuWeight,
    #[napi(value = "set_cpu_quota")]
    SetCpuQuota,
    #[napi(value = "pin_cores")]
    PinCores,
}

impl From<sim::ActuationKind> for SimActuationKind {
    fn from(k: sim::ActuationKind) -> Self {
        use sim::ActuationKind as K;
        match k {
            K::SetGpuPowerLimit => SimActuationKind::SetGpuPowerLimit,
            K::SetCpuFreqMax => SimActuationKind::SetCpuFreqMax,
            K::SetCpuPowerLimit => SimActuationKind::SetCpuPowerLimit,
            K::SetCpuWeight => SimActuationKind::SetCpuWeight,
            K::SetCpuQuota => SimActuationKind::SetCpuQuota,
            K::PinCores => SimActuationKind::PinCores,
        }
    }
}

/// The actuation kinds the simulated plant understands, in documentation order.
#[napi]
pub fn sim_actuation_kinds() -> Result<Vec<SimActuationKind>, JsError> {
    guard(|| {
        Ok(sim::ActuationKind::ALL
            .into_iter()
            .map(Into::into)
            .collect())
    })
}

/// An error code and when it occurs.
#[napi(object)]
pub struct ErrorCodeInfo {
    pub code: String,
    pub description: String,
}

/// Every error code with when it occurs, in the order of `errorCodes()` (docs/errors.md is
/// generated from it).
#[napi]
pub fn error_code_descriptions() -> Result<Vec<ErrorCodeInfo>, JsError> {
    guard(|| {
        Ok(codes::DESCRIBED
            .iter()
            .map(|(code, doc)| ErrorCodeInfo {
                code: (*code).to_string(),
                description: doc.trim().to_string(),
            })
            .collect())
    })
}

/// Every error code an error of the package can carry (`err.code`).
#[napi]
pub fn error_codes() -> Result<Vec<String>, JsError> {
    guard(|| Ok(codes::ALL.iter().map(|c| (*c).to_string()).collect()))
}

/// The numeric limits configurations are checked against.
#[napi(object)]
pub struct ConfigLimits {
    /// Most units a `first_fit` pool may have.
    pub first_fit_max_units: f64,
    /// Largest whole capacity of a range pool (2^53 − 1).
    pub max_exact_integer: f64,
    /// Upper bound of the market's `kappa`.
    pub market_kappa_max: f64,
    /// Upper bound of a reserve curve's `exponent`.
    pub market_exponent_max: f64,
    /// Most credits a budget may name.
    pub max_credits: f64,
    /// Longest market agent id, in characters.
    pub agent_id_max_length: u32,
    /// Longest gate action-kind name, in bytes.
    pub action_kind_max_length: u32,
    /// Longest agent name a capability is granted to, in bytes.
    pub agent_name_max_length: u32,
    /// Longest target pattern, in bytes.
    pub target_max_length: u32,
    /// Longest variable template, in bytes.
    pub variable_template_max_length: u32,
    /// Longest rule id, in bytes.
    pub rule_id_max_length: u32,
    /// Largest scenario seed (2^53 − 1).
    pub scenario_max_seed: f64,
    /// Most ticks one scenario run may have.
    pub scenario_max_ticks: f64,
    /// Most CPU cores of a simulated machine.
    pub scenario_max_cores: f64,
    /// Most GPUs of a simulated machine.
    pub scenario_max_gpus: u32,
    /// Most workloads in a scenario.
    pub scenario_max_workloads: u32,
}

/// The limits configurations are checked against.
#[napi]
pub fn config_limits() -> Result<ConfigLimits, JsError> {
    guard(|| {
        Ok(ConfigLimits {
            first_fit_max_units: allocation::config::FIRST_FIT_MAX_UNITS,
            max_exact_integer: allocation::config::MAX_EXACT_INTEGER,
            market_kappa_max: market::config::KAPPA_MAX,
            market_exponent_max: market::config::EXPONENT_MAX,
            max_credits: market::config::MAX_CREDITS,
            agent_id_max_length: count(market::config::AGENT_ID_MAX_LEN),
            action_kind_max_length: count(gate::MAX_KIND_LEN),
            agent_name_max_length: count(effects::checker::MAX_AGENT_LEN),
            target_max_length: count(effects::scope::MAX_TARGET_LEN),
            variable_template_max_length: count(gate::MAX_TEMPLATE_LEN),
            rule_id_max_length: count(rules::MAX_RULE_ID_LEN),
            scenario_max_seed: sim::MAX_SEED,
            scenario_max_ticks: sim::MAX_TICKS,
            scenario_max_cores: sim::MAX_CORES,
            scenario_max_gpus: count(sim::MAX_GPUS),
            scenario_max_workloads: count(sim::MAX_WORKLOADS),
        })
    })
}

/// The defaults a configuration's absent fields take, as JSON text:
/// `{"tickMs", "pools", "market" (with `initialPrice`, the price of a resource whose
/// `initialPrices` entry is absent), "gate": {"benefitPerStrength"}}`.
#[napi]
pub fn config_defaults_json() -> Result<String, JsError> {
    guard(|| {
        let defaults = engine::config_defaults();
        Ok(defaults.to_string())
    })
}
