//! MicroInference rules: `when` an expression over telemetry and features holds,
//! do an action (or, in shadow mode, record what would have been done), with per-rule
//! cooldowns, optional hysteresis and an optional signal.
//!
//! A [`RuleSet`] compiles against declared variables (usually
//! [`FeatureSet::env`](crate::features::FeatureSet::env): the telemetry catalog plus the
//! features) and reports every problem of every rule at once ([`RuleSetError`], code
//! `INVALID_RULE`). [`RuleSet::evaluate`] takes a [`Snapshot`] and the time (the core has no
//! clock) and returns active firings, shadow firings and rule failures separately; the
//! evaluation order and all three lists follow priority (highest first), then id. The exact
//! per-tick semantics are documented in `eval.rs` and on [`RuleSet::evaluate`].
//!
//! ```
//! use gamesa_core::expr::Value;
//! use gamesa_core::features::{Snapshot, telemetry_catalog};
//! use gamesa_core::rules::RuleSet;
//! let env = telemetry_catalog();
//! let mut rules = RuleSet::from_json(r#"{
//!   "id": "cpu_hot", "domain": "thermal", "priority": "high", "when": "thermal.cpu_c > 90.0",
//!   "action": {"kind": "throttle_cpu", "target": "cpu"}
//! }"#, &env).unwrap();
//! let mut snapshot = Snapshot::new(&env);
//! snapshot.set_named("thermal.cpu_c", Value::Double(95.0)).unwrap();
//! let out = rules.evaluate(&snapshot, 0.0).unwrap();
//! assert_eq!(&*out.active[0].id, "cpu_hot");
//! ```

mod config;
mod error;
mod eval;
mod pipeline;
mod set;

pub use config::{Action, EmitsSignal, Hysteresis, ParamValue, Rule, RuleMode, RuleSetDoc};
pub use error::{RuleFailure, RulePart, RuleSetError};
pub use eval::{EmittedSignal, Evaluation, Firing, RuleCounters, RuleStats};
pub use pipeline::{RuleInputs, RulePipeline};
pub use set::{CompiledRule, MAX_RULE_ID_LEN, RuleSet};

pub use crate::features::{Problem, Snapshot, SnapshotError, telemetry_catalog};
