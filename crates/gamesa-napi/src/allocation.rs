//! Binding for `gamesa_core::allocation`: converts JS values to core types and back, and
//! forwards. Every rule (amounts, capacities, configs) is the core's; the only checks here are
//! the ones a conversion needs (an index naming a resource, a tick count that fits a `u64`).
//!
//! `NativeAllocator` is wrapped by the TypeScript `Allocator` class (src/allocation.ts), which
//! is what users see. The hot calls (`allocate`, `release`, `get`) take positional arguments
//! and return one compact string ([`encode`]) instead of an object: every Node-API call costs
//! ~0.1–0.2 µs (each property of a returned object is one), and the object form measured
//! 3–5× slower end to end (bench/allocation.bench.ts). Resources and priorities cross as
//! indices into `ResourceType::ALL` and `Priority::ALL`. The encoding is tested against the
//! object form over generated operations (__test__/wire_formats.test.ts).
//! Exported functions spell `Result<T, JsError>` because napi-derive recognises a fallible
//! return by the name `Result`, not through an alias.

use crate::convert::whole;
use crate::errors::{JsError, JsResult, guard, js_error, to_js};
use gamesa_core::allocation as core;
use gamesa_core::error::codes;
use gamesa_core::types as ty;
use napi_derive::napi;

/// A tradable hardware resource (docs/architecture.md §2).
#[napi(string_enum)]
pub enum ResourceType {
    /// Whole CPU cores (FirstFit).
    #[napi(value = "cpu_cores")]
    CpuCores,
    /// CPU time in µs per scheduling period (BestFit).
    #[napi(value = "cpu_time")]
    CpuTime,
    /// GPU compute share in % (Buddy).
    #[napi(value = "gpu_compute")]
    GpuCompute,
    /// GPU memory in MB (Buddy).
    #[napi(value = "gpu_memory")]
    GpuMemory,
    /// Thermal headroom in °C (Priority).
    #[napi(value = "thermal_headroom")]
    ThermalHeadroom,
    /// Power budget in mW (Weighted).
    #[napi(value = "power_budget")]
    PowerBudget,
}

/// Request priority, `low < normal < high < critical`.
#[napi(string_enum)]
pub enum Priority {
    #[napi(value = "low")]
    Low,
    #[napi(value = "normal")]
    Normal,
    #[napi(value = "high")]
    High,
    #[napi(value = "critical")]
    Critical,
}

impl From<ty::ResourceType> for ResourceType {
    fn from(r: ty::ResourceType) -> Self {
        match r {
            ty::ResourceType::CpuCores => ResourceType::CpuCores,
            ty::ResourceType::CpuTime => ResourceType::CpuTime,
            ty::ResourceType::GpuCompute => ResourceType::GpuCompute,
            ty::ResourceType::GpuMemory => ResourceType::GpuMemory,
            ty::ResourceType::ThermalHeadroom => ResourceType::ThermalHeadroom,
            ty::ResourceType::PowerBudget => ResourceType::PowerBudget,
        }
    }
}

impl From<ty::Priority> for Priority {
    fn from(p: ty::Priority) -> Self {
        match p {
            ty::Priority::Low => Priority::Low,
            ty::Priority::Normal => Priority::Normal,
            ty::Priority::High => Priority::High,
            ty::Priority::Critical => Priority::Critical,
        }
    }
}

/// Where a grant lies: `units` (FirstFit), `offset` and `size` (BestFit, Buddy), or nothing
/// (Priority and Weighted shares).
#[napi(object)]
pub struct Placement {
    pub units: Option<Vec<u32>>,
    pub offset: Option<f64>,
    pub size: Option<f64>,
}

/// A lease.
#[napi(object)]
pub struct Allocation {
    pub id: String,
    pub resource_type: ResourceType,
    /// Amount asked for.
    pub requested: f64,
    /// Amount held now (Buddy: rounded up; Weighted: the current fair share).
    pub granted: f64,
    pub placement: Placement,
    pub priority: Priority,
    /// Allocator tick at creation.
    pub created_tick: f64,
    /// Tick at which the lease expires, when it has a TTL.
    pub expires_at_tick: Option<f64>,
}

/// A snapshot of one pool.
#[napi(object)]
pub struct PoolStats {
    pub capacity: f64,
    pub used: f64,
    pub free: f64,
    /// Largest amount one new placement could receive now.
    pub largest_free_block: f64,
    /// 0..1; 0 for divisible pools.
    pub fragmentation: f64,
    /// Buddy only: granted minus requested over live leases.
    pub internal_waste: f64,
}

/// What `setCapacity` did.
#[napi(object)]
pub struct CapacityChange {
    /// Leases preempted by the change, in preemption order.
    pub preempted: Vec<String>,
}

/// `ResourceType::ALL[index]`, or `INVALID_ARGUMENT`.
fn resource(index: u32) -> JsResult<ty::ResourceType> {
    ty::ResourceType::ALL
        .get(index as usize)
        .copied()
        .ok_or_else(|| {
            js_error(
                codes::INVALID_ARGUMENT,
                format!("no resource has index {index}"),
            )
        })
}

/// `Priority::ALL[rank]`, or `INVALID_ARGUMENT`.
fn priority(rank: u32) -> JsResult<ty::Priority> {
    ty::Priority::ALL
        .get(rank as usize)
        .copied()
        .ok_or_else(|| {
            js_error(
                codes::INVALID_ARGUMENT,
                format!("no priority has rank {rank}"),
            )
        })
}

/// A JS number as a tick count.
fn ticks(x: f64, name: &str) -> JsResult<u64> {
    whole(x, name, " of ticks")
}

/// A lease without its id, as `resource;priority;requested;granted;createdTick;expiresAtTick;
/// placement` (indices for resource and priority, an empty field for no expiry, placement
/// `u0,1,2` for units, `r<offset>,<size>` for a range, `s` for a share). Rust prints numbers in
/// their shortest round-trip form, so `Number()` reads back exactly the same doubles.
fn encode(a: &core::Allocation) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(48);
    let _ = write!(
        out,
        "{};{};{};{};{};",
        a.resource.index(),
        a.priority.rank(),
        a.requested,
        a.granted,
        a.created_tick
    );
    if let Some(t) = a.expires_at_tick {
        let _ = write!(out, "{t}");
    }
    match &a.placement {
        core::Placement::Units(units) => {
            out.push_str(";u");
            for (i, u) in units.iter().enumerate() {
                let _ = write!(out, "{}{u}", if i == 0 { "" } else { "," });
            }
        }
        core::Placement::Range { offset, size } => {
            let _ = write!(out, ";r{offset},{size}");
        }
        core::Placement::Share => out.push_str(";s"),
    }
    out
}

impl From<core::Allocation> for Allocation {
    fn from(a: core::Allocation) -> Self {
        let placement = match a.placement {
            core::Placement::Units(units) => Placement {
                units: Some(units),
                offset: None,
                size: None,
            },
            core::Placement::Range { offset, size } => Placement {
                units: None,
                offset: Some(offset as f64),
                size: Some(size as f64),
            },
            core::Placement::Share => Placement {
                units: None,
                offset: None,
                size: None,
            },
        };
        Allocation {
            id: a.id,
            resource_type: a.resource.into(),
            requested: a.requested,
            granted: a.granted,
            placement,
            priority: a.priority.into(),
            created_tick: a.created_tick as f64,
            expires_at_tick: a.expires_at_tick.map(|t| t as f64),
        }
    }
}

impl From<core::PoolStats> for PoolStats {
    fn from(s: core::PoolStats) -> Self {
        PoolStats {
            capacity: s.capacity,
            used: s.used,
            free: s.free,
            largest_free_block: s.largest_free_block,
            fragmentation: s.fragmentation,
            internal_waste: s.internal_waste,
        }
    }
}

/// The native allocator behind the TypeScript `Allocator` class; use that class (or
/// `createDefaultAllocator()` / `createAllocator(config)`), not this one.
#[napi]
pub struct NativeAllocator {
    inner: core::Allocator,
}

#[napi]
impl NativeAllocator {
    /// The allocator of a JSON configuration (`INVALID_CONFIG` naming the JSON path), or the
    /// documented defaults without one.
    #[napi(constructor)]
    pub fn new(json: Option<String>) -> Result<Self, JsError> {
        guard(|| {
            let inner = match json {
                None => core::Allocator::with_defaults(),
                Some(json) => {
                    let config = core::AllocatorConfig::from_json(&json).map_err(to_js)?;
                    core::Allocator::new(&config).map_err(to_js)?
                }
            };
            Ok(NativeAllocator { inner })
        })
    }

    /// Grants a lease; returns it [`encode`]d.
    #[napi]
    // Positional arguments instead of one request object: napi objects cost ~5 µs per call
    // here against ~1.4 µs this way (see bench/allocation.bench.ts).
    #[allow(clippy::too_many_arguments)]
    pub fn allocate(
        &mut self,
        id: String,
        resource_index: u32,
        amount: f64,
        priority_rank: u32,
        ttl_ticks: Option<f64>,
        contiguous: Option<bool>,
        weight: Option<f64>,
    ) -> Result<String, JsError> {
        guard(|| {
            let req = core::AllocationRequest {
                resource: resource(resource_index)?,
                priority: priority(priority_rank)?,
                ttl_ticks: ttl_ticks.map(|t| ticks(t, "ttlTicks")).transpose()?,
                contiguous: contiguous.unwrap_or(false),
                weight,
                amount,
                id,
            };
            self.inner.allocate(req).map(|a| encode(&a)).map_err(to_js)
        })
    }

    /// Frees a lease; returns it [`encode`]d as it was.
    #[napi]
    pub fn release(&mut self, id: String) -> Result<String, JsError> {
        guard(|| self.inner.release(&id).map(|a| encode(&a)).map_err(to_js))
    }

    /// The live lease with this id [`encode`]d, or null.
    #[napi]
    pub fn get(&self, id: String) -> Result<Option<String>, JsError> {
        guard(|| Ok(self.inner.get(&id).map(|a| encode(&a))))
    }

    /// Every live lease, in creation order.
    #[napi]
    pub fn allocations(&self) -> Result<Vec<Allocation>, JsError> {
        guard(|| {
            Ok(self
                .inner
                .allocations()
                .into_iter()
                .map(Allocation::from)
                .collect())
        })
    }

    /// Advances the clock by `n` ticks; returns the ids of the leases that expired.
    #[napi]
    pub fn tick(&mut self, n: f64) -> Result<Vec<String>, JsError> {
        guard(|| Ok(self.inner.tick(ticks(n, "n")?)))
    }

    /// The current tick.
    #[napi(getter)]
    pub fn now_tick(&self) -> Result<f64, JsError> {
        guard(|| Ok(self.inner.now_tick() as f64))
    }

    /// Sets a pool's capacity; returns the leases preempted by a shrink.
    #[napi]
    pub fn set_capacity(
        &mut self,
        resource_index: u32,
        capacity: f64,
    ) -> Result<CapacityChange, JsError> {
        guard(|| {
            let change = self
                .inner
                .set_capacity(resource(resource_index)?, capacity)
                .map_err(to_js)?;
            Ok(CapacityChange {
                preempted: change.preempted,
            })
        })
    }

    /// A pool's stats (`UNKNOWN_RESOURCE` if not configured).
    #[napi]
    pub fn stats(&self, resource_index: u32) -> Result<PoolStats, JsError> {
        guard(|| {
            self.inner
                .stats(resource(resource_index)?)
                .map(PoolStats::from)
                .map_err(to_js)
        })
    }

    /// Ids of leases preempted since the last call.
    #[napi]
    pub fn take_preempted(&mut self) -> Result<Vec<String>, JsError> {
        guard(|| Ok(self.inner.take_preempted()))
    }

    /// The configured resources, in `ResourceType` declaration order.
    #[napi]
    pub fn resources(&self) -> Result<Vec<ResourceType>, JsError> {
        guard(|| {
            Ok(self
                .inner
                .resources()
                .into_iter()
                .map(ResourceType::from)
                .collect())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_writes_every_field_in_shortest_form() {
        let mut a = core::Allocation {
            id: "x".into(),
            resource: ty::ResourceType::GpuMemory,
            requested: 1000.0,
            granted: 1024.0,
            placement: core::Placement::Range {
                offset: 2048,
                size: 1024,
            },
            priority: ty::Priority::High,
            created_tick: 7,
            expires_at_tick: Some(10),
        };
        assert_eq!(encode(&a), "3;2;1000;1024;7;10;r2048,1024");
        a.placement = core::Placement::Units(vec![0, 1, 5]);
        a.expires_at_tick = None;
        assert_eq!(encode(&a), "3;2;1000;1024;7;;u0,1,5");
        a.placement = core::Placement::Share;
        a.granted = 0.1 + 0.2;
        assert_eq!(encode(&a), "3;2;1000;0.30000000000000004;7;;s");
    }
}
