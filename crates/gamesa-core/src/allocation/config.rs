//! Allocator configuration: one pool per resource, its strategy and capacity.
//!
//! The JSON form is documented by `samples/allocation_schema.json`, which is also the default
//! configuration ([`AllocatorConfig::defaults`]). The TypeScript layer (`src/allocation.ts`)
//! mirrors every rule below with zod, and a shared corpus (`samples/allocation_configs/`) checks
//! that both sides accept and reject the same files and name the same JSON path.
//!
//! Rules ([`AllocatorConfig::from_json`] checks them in this order; the first failure is reported
//! with the JSON path of the offending value, such as `$.pools[2].capacity`):
//! 1. Structure: the JSON is well formed (else path `$` and the line:column), every object is an
//!    object (never an array), no unknown fields at any level, every required field present
//!    (`resource`, `strategy`, `capacity`; all four `weights`), every value of the right type.
//!    Optional fields may be absent or `null`.
//! 2. `pools` is not empty and names each resource at most once (the duplicate is reported).
//! 3. The strategy gives the kind of grant the resource's unit means: `cpu_cores` are core ids
//!    (`first_fit`); `cpu_time`, `gpu_compute` and `gpu_memory` are ranges (`best_fit` or
//!    `buddy`); `thermal_headroom` and `power_budget` are divisible (`priority` or `weighted`).
//! 4. `capacity` is finite and > 0; on the discrete strategies (`first_fit`, `best_fit`,
//!    `buddy`) it is a whole number, at most 65,536 units for `first_fit` (each unit is a
//!    concrete id) and at most 2^53 − 1 for ranges (so JavaScript numbers hold it exactly).
//! 5. `minBlock` only on `buddy` pools: a power of two, ≤ `capacity`, and `capacity` is a
//!    multiple of it (otherwise the tail could never be granted). Default 1.
//! 6. `weights` only on `weighted` pools: each weight finite and > 0. Default 1, 2, 4, 8.
//! 7. `preemptive: true` only on `priority` pools.

use crate::error::ErrorCode;
use crate::error::codes;
use crate::json_objects::objects_only;
use crate::types::{Priority, ResourceType};
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;

/// Most units a `first_fit` pool may have: every unit is a concrete id held in memory.
pub const FIRST_FIT_MAX_UNITS: f64 = 65_536.0;
/// Largest whole capacity of a range pool: 2^53 − 1, the largest integer a JavaScript number
/// (and an `f64`) holds exactly.
pub const MAX_EXACT_INTEGER: f64 = 9_007_199_254_740_991.0;

/// The whole allocator configuration: one pool per configured resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(remote = "Self", deny_unknown_fields, rename_all = "camelCase")]
pub struct AllocatorConfig {
    /// Optional `$schema` reference, accepted so editors can attach a JSON schema.
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Free text for humans.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The pools, at most one per resource. Resources without a pool are unknown to the
    /// allocator (`UNKNOWN_RESOURCE`).
    pub pools: Vec<PoolConfig>,
}

/// One resource's pool.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(remote = "Self", deny_unknown_fields, rename_all = "camelCase")]
pub struct PoolConfig {
    /// The resource this pool hands out.
    pub resource: ResourceType,
    /// How grants are placed (see the module rules for which strategies fit which resource).
    pub strategy: Strategy,
    /// Total capacity in the resource's unit; a whole number for the discrete strategies.
    pub capacity: f64,
    /// Buddy only: the smallest block, a power of two (default 1).
    #[serde(
        default,
        deserialize_with = "whole_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub min_block: Option<u64>,
    /// Priority only: a higher-priority request may preempt strictly lower-priority grants.
    #[serde(default, skip_serializing_if = "is_false")]
    pub preemptive: bool,
    /// Weighted only: the weight of each priority (default 1, 2, 4, 8).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weights: Option<PriorityWeights>,
    /// Free text for humans.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// Placement strategy of a pool (docs/architecture.md §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// Unit ids `0..capacity`, lowest free first.
    FirstFit,
    /// A range `[0, capacity)`, smallest hole that fits.
    BestFit,
    /// Power-of-two blocks with a minimum block size.
    Buddy,
    /// Divisible, higher priority first, optionally preemptive.
    Priority,
    /// Divisible, weighted max-min fair shares.
    Weighted,
}

impl Strategy {
    /// The string used in JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            Strategy::FirstFit => "first_fit",
            Strategy::BestFit => "best_fit",
            Strategy::Buddy => "buddy",
            Strategy::Priority => "priority",
            Strategy::Weighted => "weighted",
        }
    }

    /// True for the strategies that place whole units (capacity and amounts are integers).
    pub const fn is_discrete(self) -> bool {
        matches!(
            self,
            Strategy::FirstFit | Strategy::BestFit | Strategy::Buddy
        )
    }

    /// The strategies that fit a resource, the documented one (docs/architecture.md §2) first.
    pub const fn allowed_for(resource: ResourceType) -> &'static [Strategy] {
        match resource {
            ResourceType::CpuCores => &[Strategy::FirstFit],
            ResourceType::CpuTime => &[Strategy::BestFit, Strategy::Buddy],
            ResourceType::GpuCompute | ResourceType::GpuMemory => {
                &[Strategy::Buddy, Strategy::BestFit]
            }
            ResourceType::ThermalHeadroom => &[Strategy::Priority, Strategy::Weighted],
            ResourceType::PowerBudget => &[Strategy::Weighted, Strategy::Priority],
        }
    }
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Weight of each priority in a weighted pool.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(remote = "Self", deny_unknown_fields)]
pub struct PriorityWeights {
    /// Weight of `low` requests.
    pub low: f64,
    /// Weight of `normal` requests.
    pub normal: f64,
    /// Weight of `high` requests.
    pub high: f64,
    /// Weight of `critical` requests.
    pub critical: f64,
}

impl Default for PriorityWeights {
    /// 1, 2, 4, 8: each priority counts twice the one below.
    fn default() -> Self {
        PriorityWeights {
            low: 1.0,
            normal: 2.0,
            high: 4.0,
            critical: 8.0,
        }
    }
}

impl PriorityWeights {
    /// The weight of `priority`.
    pub fn of(&self, priority: Priority) -> f64 {
        match priority {
            Priority::Low => self.low,
            Priority::Normal => self.normal,
            Priority::High => self.high,
            Priority::Critical => self.critical,
        }
    }
}

/// A rejected configuration: where (a JSON path such as `$.pools[2].capacity`) and why.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigError {
    /// JSON path of the offending value; `$` for malformed JSON.
    pub path: String,
    /// What is wrong; for malformed JSON it includes the line and column.
    pub message: String,
}

impl ConfigError {
    fn at(path: impl Into<String>, message: impl Into<String>) -> ConfigError {
        ConfigError {
            path: path.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

impl std::error::Error for ConfigError {}

impl ErrorCode for ConfigError {
    fn code(&self) -> &'static str {
        codes::INVALID_CONFIG
    }
}

impl PoolConfig {
    /// A pool with every optional field at its default.
    pub fn new(resource: ResourceType, strategy: Strategy, capacity: f64) -> PoolConfig {
        PoolConfig {
            resource,
            strategy,
            capacity,
            min_block: None,
            preemptive: false,
            weights: None,
            description: None,
        }
    }

    /// The buddy minimum block, 1 when not configured.
    pub fn effective_min_block(&self) -> u64 {
        self.min_block.unwrap_or(1)
    }

    /// The priority weights, 1, 2, 4, 8 when not configured.
    pub fn effective_weights(&self) -> PriorityWeights {
        self.weights.unwrap_or_default()
    }
}

impl AllocatorConfig {
    /// A configuration of these pools, without description.
    pub fn new(pools: Vec<PoolConfig>) -> AllocatorConfig {
        AllocatorConfig {
            schema: None,
            description: None,
            pools,
        }
    }

    /// Parses and validates a JSON configuration. Errors name the JSON path of the problem.
    pub fn from_json(text: &str) -> Result<AllocatorConfig, ConfigError> {
        let value = parse_value(text)?;
        // Typed decoding from the parsed tree (a duplicate key is refused at its path there).
        let config: AllocatorConfig =
            serde_path_to_error::deserialize(&value).map_err(|e| decode_error(&e))?;
        config.validate()?;
        Ok(config)
    }

    /// The semantic rules 2–7 of the module documentation.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.pools.is_empty() {
            return Err(ConfigError::at("$.pools", "at least one pool is required"));
        }
        for (i, pool) in self.pools.iter().enumerate() {
            if let Some(first) = self.pools[..i]
                .iter()
                .position(|p| p.resource == pool.resource)
            {
                return Err(ConfigError::at(
                    format!("$.pools[{i}].resource"),
                    format!(
                        "duplicate pool for resource {} (already configured at $.pools[{first}])",
                        pool.resource
                    ),
                ));
            }
            validate_pool(pool, &format!("$.pools[{i}]"))?;
        }
        Ok(())
    }

    /// The documented defaults, identical to `samples/allocation_schema.json` (a test checks).
    pub fn defaults() -> AllocatorConfig {
        let pool = |resource, strategy, capacity, description: &str| PoolConfig {
            description: Some(description.to_string()),
            ..PoolConfig::new(resource, strategy, capacity)
        };
        AllocatorConfig {
            schema: None,
            description: Some(DEFAULTS_DESCRIPTION.to_string()),
            pools: vec![
                pool(
                    ResourceType::CpuCores,
                    Strategy::FirstFit,
                    16.0,
                    "16 CPU cores; grants are core ids 0..15, lowest free first.",
                ),
                pool(
                    ResourceType::CpuTime,
                    Strategy::BestFit,
                    10_000.0,
                    "A 10,000 µs scheduling period; grants are [offset, offset + size) segments, smallest hole that fits.",
                ),
                PoolConfig {
                    min_block: Some(1),
                    ..pool(
                        ResourceType::GpuCompute,
                        Strategy::Buddy,
                        100.0,
                        "100 % of GPU compute in power-of-two blocks of at least 1 %; requests round up to a power of two.",
                    )
                },
                PoolConfig {
                    min_block: Some(1),
                    ..pool(
                        ResourceType::GpuMemory,
                        Strategy::Buddy,
                        8192.0,
                        "8192 MB of GPU memory in power-of-two blocks of at least 1 MB; requests round up to a power of two.",
                    )
                },
                PoolConfig {
                    preemptive: true,
                    ..pool(
                        ResourceType::ThermalHeadroom,
                        Strategy::Priority,
                        30.0,
                        "30 °C of thermal headroom, divisible, higher priority first; preemptive: a request may preempt strictly lower-priority grants; setCapacity follows telemetry and a shrink preempts the lowest priority (then newest) grants.",
                    )
                },
                PoolConfig {
                    weights: Some(PriorityWeights::default()),
                    ..pool(
                        ResourceType::PowerBudget,
                        Strategy::Weighted,
                        150_000.0,
                        "150,000 mW of power budget shared by weighted max-min fairness; weights per priority.",
                    )
                },
            ],
        }
    }
}

const DEFAULTS_DESCRIPTION: &str = "The default GAMESA allocator: one pool per resource with its docs/architecture.md §2 strategy. Units: cores, µs per period, %, MB, °C, mW.";

fn validate_pool(pool: &PoolConfig, at: &str) -> Result<(), ConfigError> {
    let allowed = Strategy::allowed_for(pool.resource);
    if !allowed.contains(&pool.strategy) {
        let names: Vec<&str> = allowed.iter().map(|s| s.as_str()).collect();
        return Err(ConfigError::at(
            format!("{at}.strategy"),
            format!(
                "strategy {} does not fit resource {} (allowed: {})",
                pool.strategy,
                pool.resource,
                names.join(", ")
            ),
        ));
    }
    let capacity = pool.capacity;
    let cap_at = format!("{at}.capacity");
    if !capacity.is_finite() || capacity <= 0.0 {
        return Err(ConfigError::at(
            cap_at,
            format!("capacity must be a finite number > 0, got {capacity}"),
        ));
    }
    if pool.strategy.is_discrete() {
        if capacity.fract() != 0.0 {
            return Err(ConfigError::at(
                cap_at,
                format!(
                    "capacity of a {} pool must be a whole number, got {capacity}",
                    pool.strategy
                ),
            ));
        }
        let max = if pool.strategy == Strategy::FirstFit {
            FIRST_FIT_MAX_UNITS
        } else {
            MAX_EXACT_INTEGER
        };
        if capacity > max {
            return Err(ConfigError::at(
                cap_at,
                format!(
                    "capacity of a {} pool must be at most {max}, got {capacity}",
                    pool.strategy
                ),
            ));
        }
    }
    if let Some(block) = pool.min_block {
        let block_at = format!("{at}.minBlock");
        if pool.strategy != Strategy::Buddy {
            return Err(ConfigError::at(
                block_at,
                format!(
                    "minBlock applies to buddy pools only, not {}",
                    pool.strategy
                ),
            ));
        }
        if !block.is_power_of_two() {
            return Err(ConfigError::at(
                block_at,
                format!("minBlock must be a power of two (1, 2, 4, ...), got {block}"),
            ));
        }
        // Both are exact integers here (capacity ≤ 2^53 − 1), so the comparisons are exact.
        if block as f64 > capacity {
            return Err(ConfigError::at(
                block_at,
                format!("minBlock {block} exceeds capacity {capacity}"),
            ));
        }
        if capacity % block as f64 != 0.0 {
            return Err(ConfigError::at(
                block_at,
                format!("capacity {capacity} must be a multiple of minBlock {block}"),
            ));
        }
    }
    if let Some(weights) = &pool.weights {
        if pool.strategy != Strategy::Weighted {
            return Err(ConfigError::at(
                format!("{at}.weights"),
                format!(
                    "weights apply to weighted pools only, not {}",
                    pool.strategy
                ),
            ));
        }
        for priority in Priority::ALL {
            let w = weights.of(priority);
            if !w.is_finite() || w <= 0.0 {
                return Err(ConfigError::at(
                    format!("{at}.weights.{priority}"),
                    format!("weight must be a finite number > 0, got {w}"),
                ));
            }
        }
    }
    if pool.preemptive && pool.strategy != Strategy::Priority {
        return Err(ConfigError::at(
            format!("{at}.preemptive"),
            format!(
                "preemptive applies to priority pools only, not {}",
                pool.strategy
            ),
        ));
    }
    Ok(())
}

/// Parses the text into a JSON tree ([`crate::json_paths`]: malformed JSON at `$`, a number
/// too large for a double at its own path).
fn parse_value(text: &str) -> Result<Value, ConfigError> {
    crate::json_paths::parse_value(text).map_err(|p| ConfigError::at(p.path, p.message))
}

/// A typed-decoding error with its path; a missing field is named at the field, as zod does.
fn decode_error(e: &serde_path_to_error::Error<serde_json::Error>) -> ConfigError {
    let p = crate::json_paths::decode_problem("$", e);
    ConfigError::at(p.path, p.message)
}

pub use crate::json_paths::json_path;

fn is_false(b: &bool) -> bool {
    !*b
}

/// `minBlock` as any JSON number that is a whole number ≥ 0 (so `4.0` and `1e2` are read as
/// `JSON.parse` reads them); the power-of-two rule is checked in [`AllocatorConfig::validate`].
fn whole_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    match Option::<f64>::deserialize(d)? {
        None => Ok(None),
        Some(x) if x.fract() == 0.0 && (0.0..=MAX_EXACT_INTEGER).contains(&x) => Ok(Some(x as u64)),
        Some(x) => Err(de::Error::custom(format!(
            "minBlock must be a whole number between 1 and 2^53 - 1, got {x}"
        ))),
    }
}

objects_only!(AllocatorConfig, PoolConfig, PriorityWeights);

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = include_str!("../../../../samples/allocation_schema.json");

    fn err(text: &str) -> ConfigError {
        AllocatorConfig::from_json(text).expect_err(text)
    }

    fn pool(body: &str) -> String {
        format!(
            r#"{{"pools":[{{"resource":"cpu_cores","strategy":"first_fit","capacity":4}},{body}]}}"#
        )
    }

    #[test]
    fn the_sample_is_the_defaults() {
        let mut parsed = AllocatorConfig::from_json(SAMPLE).unwrap();
        // The sample names its JSON Schema for editors; that is not part of the configuration.
        assert_eq!(
            parsed.schema.as_deref(),
            Some("../schemas/allocator-config.schema.json")
        );
        parsed.schema = None;
        assert_eq!(parsed, AllocatorConfig::defaults());
        AllocatorConfig::defaults().validate().unwrap();
    }

    #[test]
    fn large_capacities_read_exactly_as_json_parse_does() {
        // Found by fuzzing: without serde_json's float_roundtrip, 2^53 - 1 written as a
        // double literal came back one unit off.
        let text = r#"{"pools":[{"resource":"cpu_time","strategy":"best_fit","capacity":9007199254740991.0}]}"#;
        let c = AllocatorConfig::from_json(text).unwrap();
        assert_eq!(c.pools[0].capacity, 9_007_199_254_740_991.0);
    }

    #[test]
    fn round_trips_through_json() {
        let d = AllocatorConfig::defaults();
        let text = serde_json::to_string(&d).unwrap();
        assert_eq!(AllocatorConfig::from_json(&text).unwrap(), d);
    }

    #[test]
    fn malformed_json_reports_line_and_column() {
        let e = err("{\n  \"pools\": [\n    {\"resource\": \"cpu_cores\",}\n  ]\n}");
        assert_eq!(e.path, "$");
        assert!(e.message.contains("line 3 column"), "{e}");
        assert_eq!(err("").path, "$");
        assert_eq!(err(r#"{"pools":[]} x"#).path, "$");
        assert_eq!(e.code(), "INVALID_CONFIG");
    }

    #[test]
    fn structural_errors_name_the_path() {
        assert_eq!(
            err(&pool(
                r#"{"resource":"cpu_time","strategy":"best_fit","capacity":"8"}"#
            ))
            .path,
            "$.pools[1].capacity"
        );
        assert_eq!(
            err(&pool(r#"{"resource":"cpu_time","strategy":"best_fit"}"#)).path,
            "$.pools[1].capacity"
        );
        assert_eq!(
            err(&pool(
                r#"{"resource":"cpu_time","strategy":"best_fit","capacity":8,"extra":1}"#
            ))
            .path,
            "$.pools[1].extra"
        );
        assert_eq!(
            err(&pool(
                r#"{"resource":"cpu","strategy":"best_fit","capacity":8}"#
            ))
            .path,
            "$.pools[1].resource"
        );
        assert_eq!(
            err(&pool(r#"["cpu_time","best_fit",8]"#)).path,
            "$.pools[1]"
        );
        assert_eq!(
            err(&pool(
                r#"{"resource":"cpu_time","strategy":"best_fit","capacity":1e400}"#
            ))
            .path,
            "$.pools[1].capacity"
        );
        assert_eq!(err(r#"{"pools":[],"my key":1}"#).path, r#"$["my key"]"#);
        assert_eq!(err(r#"[]"#).path, "$");
        let w = r#"{"resource":"power_budget","strategy":"weighted","capacity":8,"weights":{"low":1,"normal":2,"high":4}}"#;
        assert_eq!(err(&pool(w)).path, "$.pools[1].weights.critical");
        let b = r#"{"resource":"gpu_memory","strategy":"buddy","capacity":8,"minBlock":2.5}"#;
        assert_eq!(err(&pool(b)).path, "$.pools[1].minBlock");
    }

    #[test]
    fn semantic_errors_name_the_path() {
        let cases = [
            (
                r#"{"resource":"cpu_cores","strategy":"first_fit","capacity":2}"#,
                "$.pools[1].resource",
            ),
            (
                r#"{"resource":"cpu_time","strategy":"weighted","capacity":8}"#,
                "$.pools[1].strategy",
            ),
            (
                r#"{"resource":"cpu_time","strategy":"best_fit","capacity":0}"#,
                "$.pools[1].capacity",
            ),
            (
                r#"{"resource":"cpu_time","strategy":"best_fit","capacity":-3}"#,
                "$.pools[1].capacity",
            ),
            (
                r#"{"resource":"cpu_time","strategy":"best_fit","capacity":2.5}"#,
                "$.pools[1].capacity",
            ),
            (
                r#"{"resource":"cpu_time","strategy":"best_fit","capacity":9007199254740992}"#,
                "$.pools[1].capacity",
            ),
            (
                r#"{"resource":"gpu_memory","strategy":"buddy","capacity":64,"minBlock":3}"#,
                "$.pools[1].minBlock",
            ),
            (
                r#"{"resource":"gpu_memory","strategy":"buddy","capacity":64,"minBlock":0}"#,
                "$.pools[1].minBlock",
            ),
            (
                r#"{"resource":"gpu_memory","strategy":"buddy","capacity":64,"minBlock":128}"#,
                "$.pools[1].minBlock",
            ),
            (
                r#"{"resource":"gpu_memory","strategy":"buddy","capacity":100,"minBlock":8}"#,
                "$.pools[1].minBlock",
            ),
            (
                r#"{"resource":"gpu_memory","strategy":"best_fit","capacity":64,"minBlock":4}"#,
                "$.pools[1].minBlock",
            ),
            (
                r#"{"resource":"power_budget","strategy":"priority","capacity":64,"weights":{"low":1,"normal":1,"high":1,"critical":1}}"#,
                "$.pools[1].weights",
            ),
            (
                r#"{"resource":"power_budget","strategy":"weighted","capacity":64,"weights":{"low":1,"normal":0,"high":1,"critical":1}}"#,
                "$.pools[1].weights.normal",
            ),
            (
                r#"{"resource":"power_budget","strategy":"weighted","capacity":64,"preemptive":true}"#,
                "$.pools[1].preemptive",
            ),
        ];
        for (body, path) in cases {
            let e = err(&pool(body));
            assert_eq!(e.path, path, "{body}: {e}");
            assert!(e.to_string().starts_with(path));
        }
        assert_eq!(err(r#"{"pools":[]}"#).path, "$.pools");
        let f = r#"{"pools":[{"resource":"cpu_cores","strategy":"first_fit","capacity":65537}]}"#;
        assert_eq!(err(f).path, "$.pools[0].capacity");
    }

    #[test]
    fn optional_fields_accept_null_and_defaults_apply() {
        let text = r#"{"description":null,"pools":[
            {"resource":"gpu_memory","strategy":"buddy","capacity":64,"minBlock":4.0},
            {"resource":"thermal_headroom","strategy":"priority","capacity":2.5,"preemptive":true},
            {"resource":"power_budget","strategy":"weighted","capacity":10,"weights":null}]}"#;
        let c = AllocatorConfig::from_json(text).unwrap();
        assert_eq!(c.pools[0].effective_min_block(), 4);
        assert!(c.pools[1].preemptive);
        assert_eq!(c.pools[2].effective_weights(), PriorityWeights::default());
        assert_eq!(
            PoolConfig::new(ResourceType::CpuTime, Strategy::Buddy, 8.0).effective_min_block(),
            1
        );
    }

    #[test]
    fn a_duplicate_key_is_refused_at_its_path() {
        let e = AllocatorConfig::from_json(
            "{\"pools\":[{\"resource\":\"cpu_cores\",\"strategy\":\"first_fit\",\n\"capacity\":-1,\"capacity\":8}]}",
        )
        .unwrap_err();
        assert_eq!(e.path, "$.pools[0].capacity");
        assert!(
            e.message.contains("duplicate key `capacity` at line 2"),
            "{}",
            e.message
        );
    }

    /// The shared corpus (also run through zod by `__test__/allocation_config.test.ts`):
    /// every valid file parses, every invalid one fails at its recorded JSON path.
    #[test]
    fn corpus_files_are_judged_as_their_folder_says() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../samples/allocation_configs");
        let read = |dir: &str| {
            let mut files: Vec<_> = std::fs::read_dir(root.join(dir))
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|e| e == "json"))
                .collect();
            files.sort();
            files
        };
        let valid = read("valid");
        assert!(valid.len() >= 10, "only {} valid configs", valid.len());
        for file in valid {
            let text = std::fs::read_to_string(&file).unwrap();
            let config = AllocatorConfig::from_json(&text)
                .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            // What the config accepts, the allocator must be able to build.
            if let Err(e) = super::super::Allocator::new(&config) {
                panic!("{}: allocator refused a valid config: {e}", file.display());
            }
        }
        let expected: std::collections::BTreeMap<String, String> = serde_json::from_str(
            &std::fs::read_to_string(root.join("invalid_paths.json")).unwrap(),
        )
        .unwrap();
        let invalid = read("invalid");
        assert!(
            invalid.len() >= 25,
            "only {} invalid configs",
            invalid.len()
        );
        assert_eq!(
            invalid.len(),
            expected.len(),
            "invalid_paths.json must list every invalid file"
        );
        for file in invalid {
            let name = file.file_name().unwrap().to_str().unwrap();
            let text = std::fs::read_to_string(&file).unwrap();
            let e = AllocatorConfig::from_json(&text).expect_err(name);
            assert_eq!(Some(&e.path), expected.get(name), "{name}: {e}");
            assert_eq!(e.code(), "INVALID_CONFIG");
        }
    }

    /// The TypeScript side picks, among zod's issues, the one serde meets first, assuming
    /// serde_json's map iterates keys in sorted order. If a dependency ever turns on
    /// serde_json's `preserve_order`, this fails: update `firstStructuralProblem` in
    /// src/allocation.ts to document order at the same time.
    #[test]
    fn json_objects_are_walked_in_sorted_key_order() {
        let v: Value = serde_json::from_str(r#"{"b":1,"$a":2,"a":3}"#).unwrap();
        let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["$a", "a", "b"]);
        let two = r#"{"pools":[{"resource":"bogus","strategy":"first_fit","capacity":"x"}]}"#;
        assert_eq!(err(two).path, "$.pools[0].capacity");
    }

    #[test]
    fn every_resource_allows_its_documented_strategy_first() {
        let documented = [
            Strategy::FirstFit,
            Strategy::BestFit,
            Strategy::Buddy,
            Strategy::Buddy,
            Strategy::Priority,
            Strategy::Weighted,
        ];
        for (r, s) in ResourceType::ALL.into_iter().zip(documented) {
            assert_eq!(Strategy::allowed_for(r)[0], s);
        }
    }
}
