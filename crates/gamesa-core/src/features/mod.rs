//! The α/β/θ feature engine: named transforms of telemetry computed each tick
//! into variables `feat.<name>` that rules can use.
//!
//! A document (`samples/scale_presets.json`) holds named presets `{alpha, beta, theta}` and
//! features `{name, source, transform, preset | alpha/beta/theta}`. The source is a variable
//! name or any numeric expression over the declared variables and the features declared
//! before it (order is declaration order; forward references and cycles are rejected). The
//! transforms are listed on [`Transform`]. Parameters come from the preset or inline (α = 1,
//! β = 0, θ = 1 when left out), never both; they must be finite.
//!
//! ```
//! use gamesa_core::expr::Value;
//! use gamesa_core::features::{FeatureSet, Snapshot, telemetry_catalog};
//! let doc = r#"{"features": [
//!   {"name": "cpu_heat", "source": "thermal.cpu_c", "transform": "clamp01", "alpha": 0.025, "beta": -1.25}
//! ]}"#;
//! let features = FeatureSet::from_json(doc, &telemetry_catalog()).unwrap();
//! let mut snapshot = Snapshot::new(features.env());
//! snapshot.set_named("thermal.cpu_c", Value::Double(70.0)).unwrap();
//! assert!(features.compute(&mut snapshot).unwrap().is_clean());
//! assert_eq!(snapshot.get_named("feat.cpu_heat"), Some(Value::Double(0.5)));
//! ```
//!
//! [`Snapshot`] (slot array plus presence) and [`Problem`] (a located problem) are shared with
//! the rule evaluator.

mod catalog;
mod config;
mod engine;
mod error;
pub(crate) mod json;
mod problem;
mod snapshot;
mod transform;

pub use catalog::{
    DEFAULT_CORES, DEFAULT_GPUS, GLOBAL_VARIABLES, GPU_FIELDS, describe_variable,
    telemetry_catalog, telemetry_catalog_for,
};
pub use config::{FeatureDef, Preset, ScalePresets};
pub use engine::{CompiledFeature, ComputeReport, FEATURE_PREFIX, FeatureSet};
pub use error::{FeatureError, SnapshotError};
pub use problem::Problem;
pub use snapshot::Snapshot;
pub use transform::{Params, Transform};

pub(crate) use engine::missing_error;
pub(crate) use problem::problem_list;
