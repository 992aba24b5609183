//! Vocabulary shared by every part of the engine.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A tradable hardware resource (docs/architecture.md §2). The string form is what configs, logs and the
/// TypeScript API use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResourceType {
    /// Whole CPU cores, in cores. FirstFit.
    CpuCores,
    /// CPU time, in µs per scheduling period. BestFit.
    CpuTime,
    /// GPU compute share, in %. Buddy.
    GpuCompute,
    /// GPU memory, in MB. Buddy.
    GpuMemory,
    /// Thermal headroom, in °C. Priority.
    ThermalHeadroom,
    /// Power budget, in mW. Weighted.
    PowerBudget,
}

impl ResourceType {
    /// Every resource, in declaration order (the order used for deterministic iteration).
    pub const ALL: [ResourceType; 6] = [
        ResourceType::CpuCores,
        ResourceType::CpuTime,
        ResourceType::GpuCompute,
        ResourceType::GpuMemory,
        ResourceType::ThermalHeadroom,
        ResourceType::PowerBudget,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            ResourceType::CpuCores => "cpu_cores",
            ResourceType::CpuTime => "cpu_time",
            ResourceType::GpuCompute => "gpu_compute",
            ResourceType::GpuMemory => "gpu_memory",
            ResourceType::ThermalHeadroom => "thermal_headroom",
            ResourceType::PowerBudget => "power_budget",
        }
    }

    pub fn parse(s: &str) -> Option<ResourceType> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Index into `ALL`, for dense per-resource tables.
    pub const fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for ResourceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Request priority. Ordered: `Low < Normal < High < Critical`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    Low,
    #[default]
    Normal,
    High,
    Critical,
}

impl Priority {
    pub const ALL: [Priority; 4] = [
        Priority::Low,
        Priority::Normal,
        Priority::High,
        Priority::Critical,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Priority::Low => "low",
            Priority::Normal => "normal",
            Priority::High => "high",
            Priority::Critical => "critical",
        }
    }

    pub fn parse(s: &str) -> Option<Priority> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// Numeric rank, 0 (low) to 3 (critical).
    pub const fn rank(self) -> u8 {
        self as u8
    }
}

impl fmt::Display for Priority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_strings_round_trip() {
        for r in ResourceType::ALL {
            assert_eq!(ResourceType::parse(r.as_str()), Some(r));
            assert_eq!(
                serde_json::to_string(&r).unwrap(),
                format!("\"{}\"", r.as_str())
            );
        }
        assert_eq!(ResourceType::parse("cpu"), None);
    }

    #[test]
    fn priority_order_and_strings() {
        assert!(Priority::Low < Priority::Normal && Priority::High < Priority::Critical);
        for p in Priority::ALL {
            assert_eq!(Priority::parse(p.as_str()), Some(p));
        }
    }
}
