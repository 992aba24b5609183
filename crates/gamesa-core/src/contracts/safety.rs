//! The built-in safety contract, `safety_check`: thermal limits every machine must respect.
//! Its table of limits and the reason for each is in docs/contracts.md; a test keeps
//! `samples/contracts/safety_check.json` identical to it.

use super::definition::{ContractDef, OnViolation, VarType, VariableSpec};
use std::collections::BTreeMap;

/// The name of the built-in safety contract.
pub const SAFETY_CONTRACT_NAME: &str = "safety_check";

/// CPU package temperature (°C) the governor must stay below. Intel desktop parts throttle at
/// TjMax 100 °C and AMD Ryzen 7000 at 95 °C: acting below the lowest common throttle point
/// leaves room to react before firmware throttling takes the decision away.
pub const MAX_TEMP_CPU_C: f64 = 95.0;
/// GPU core (edge) temperature (°C) to stay below: NVIDIA GeForce boards start slowing down
/// around 90–93 °C and AMD boards' edge limits sit in the same range.
pub const MAX_TEMP_GPU_C: f64 = 90.0;
/// GPU hotspot (junction) temperature (°C) to stay below: AMD's junction limit is 110 °C and
/// NVIDIA's hotspot runs 10–20 °C above the edge reading; 100 °C keeps a 10 °C margin.
pub const MAX_TEMP_GPU_HOTSPOT_C: f64 = 100.0;

/// The definition of the built-in contract `safety_check` (exported to JavaScript as
/// `SAFETY_CONTRACT`). It needs only `temp_cpu` and `temp_gpu`; `temp_gpu_hotspot` is optional
/// because many GPUs and drivers do not expose it, so its condition is skipped when absent.
///
/// Readings at or below 0 °C violate it: sensors that failed or are unplugged report 0 or
/// negative sentinels, and trusting them would unlock headroom that does not exist. NaN
/// violates every comparison, so a NaN reading fails closed too.
pub fn safety_contract() -> ContractDef {
    let limit = |x: f64| format!("{x:.1}");
    let variables = BTreeMap::from([
        (
            "temp_cpu".to_string(),
            VariableSpec::Required(VarType::Double),
        ),
        (
            "temp_gpu".to_string(),
            VariableSpec::Required(VarType::Double),
        ),
        (
            "temp_gpu_hotspot".to_string(),
            VariableSpec::Detailed {
                ty: VarType::Double,
                optional: true,
            },
        ),
    ]);
    ContractDef {
        schema: None,
        name: SAFETY_CONTRACT_NAME.to_string(),
        description: Some(
            "Thermal limits every decision must respect: CPU below 95 °C, GPU below 90 °C, GPU \
             hotspot (when reported) below 100 °C, and sensor readings above 0 °C. A violation \
             raises a SafetyViolation signal (emergency mode)."
                .to_string(),
        ),
        variables,
        pre: Vec::new(),
        post: Vec::new(),
        invariants: vec![
            format!("temp_cpu < {}", limit(MAX_TEMP_CPU_C)),
            format!("temp_gpu < {}", limit(MAX_TEMP_GPU_C)),
            "temp_cpu > 0.0".to_string(),
            "temp_gpu > 0.0".to_string(),
            format!("temp_gpu_hotspot < {}", limit(MAX_TEMP_GPU_HOTSPOT_C)),
        ],
        on_violation: OnViolation::Signal,
    }
}
