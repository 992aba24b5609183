//! Binding for `gamesa_core::allocation`: converts JS values to core types and back, and
//! forwards. Every rule (amounts, capacities, configs) is the core's; the only checks here are
//! the ones a conversion needs (a string naming a resource, a tick count that fits a `u64`).
//! Exported functions spell `Result<T, JsError>` because napi-derive recognises a fallible
//! return by the name `Result`, not through an alias.

use crate::errors::{JsError, JsResult, guard, js_error, to_js};
use gamesa_core::allocation as core;
use gamesa_core::types as ty;
use napi_derive::napi;

/// A tradable hardware resource (DESIGN §2).
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

/// A request for a lease.
#[napi(object)]
pub struct AllocationRequest {
    /// Unique among live leases (else `DUPLICATE_ID`).
    pub id: String,
    /// The pool to allocate from.
    #[napi(ts_type = "ResourceType")]
    pub resource_type: String,
    /// Amount in the resource's unit: finite, > 0, whole on discrete pools (else `INVALID_AMOUNT`).
    pub amount: f64,
    /// Default `normal`.
    #[napi(ts_type = "Priority")]
    pub priority: Option<String>,
    /// The lease expires when the allocator's tick reaches `createdTick + ttlTicks`.
    pub ttl_ticks: Option<f64>,
    /// FirstFit only: the unit ids must be consecutive.
    pub contiguous: Option<bool>,
    /// Weighted only: explicit weight overriding the priority's weight.
    pub weight: Option<f64>,
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

/// Why a configuration is invalid: a JSON path such as `$.pools[2].capacity` and a message.
#[napi(object)]
pub struct AllocatorConfigProblem {
    pub path: String,
    pub message: String,
}

fn resource(s: &str) -> JsResult<ty::ResourceType> {
    ty::ResourceType::parse(s).ok_or_else(|| {
        let names: Vec<&str> = ty::ResourceType::ALL.iter().map(|r| r.as_str()).collect();
        js_error(
            "INVALID_ARGUMENT",
            format!(
                "unknown resource type '{s}' (expected one of {})",
                names.join(", ")
            ),
        )
    })
}

fn priority(s: Option<&str>) -> JsResult<ty::Priority> {
    match s {
        None => Ok(ty::Priority::default()),
        Some(s) => ty::Priority::parse(s).ok_or_else(|| {
            js_error(
                "INVALID_ARGUMENT",
                format!("unknown priority '{s}' (expected low, normal, high or critical)"),
            )
        }),
    }
}

/// A JS number as a tick count: a whole number from 0 to 2^53 − 1.
fn ticks(x: f64, name: &str) -> JsResult<u64> {
    if x.fract() == 0.0 && (0.0..=9_007_199_254_740_991.0).contains(&x) {
        Ok(x as u64)
    } else {
        Err(js_error(
            "INVALID_ARGUMENT",
            format!("{name} must be a whole number of ticks ≥ 0, got {x}"),
        ))
    }
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

/// The resource allocator: one pool per configured resource, every grant a lease.
/// Create it with `createDefaultAllocator()` or `createAllocator(config)`.
#[napi]
pub struct Allocator {
    inner: core::Allocator,
}

#[napi]
impl Allocator {
    /// Grants a lease or throws `INSUFFICIENT_CAPACITY`, `INVALID_AMOUNT`, `UNKNOWN_RESOURCE`,
    /// `DUPLICATE_ID` (or `INVALID_ARGUMENT` for an unknown resource or priority string).
    #[napi]
    pub fn allocate(&mut self, request: AllocationRequest) -> Result<Allocation, JsError> {
        guard(|| {
            let req = core::AllocationRequest {
                resource: resource(&request.resource_type)?,
                priority: priority(request.priority.as_deref())?,
                ttl_ticks: request
                    .ttl_ticks
                    .map(|t| ticks(t, "ttlTicks"))
                    .transpose()?,
                contiguous: request.contiguous.unwrap_or(false),
                weight: request.weight,
                amount: request.amount,
                id: request.id,
            };
            self.inner
                .allocate(req)
                .map(Allocation::from)
                .map_err(to_js)
        })
    }

    /// Frees a lease and returns it as it was (`UNKNOWN_LEASE` if no live lease has this id).
    #[napi]
    pub fn release(&mut self, id: String) -> Result<Allocation, JsError> {
        guard(|| self.inner.release(&id).map(Allocation::from).map_err(to_js))
    }

    /// Advances the clock by `n` ticks (default 1); returns the ids of the leases that expired.
    #[napi]
    pub fn tick(&mut self, n: Option<f64>) -> Result<Vec<String>, JsError> {
        guard(|| Ok(self.inner.tick(ticks(n.unwrap_or(1.0), "n")?)))
    }

    /// The current tick.
    #[napi(getter)]
    pub fn now_tick(&self) -> Result<f64, JsError> {
        guard(|| Ok(self.inner.now_tick() as f64))
    }

    /// Sets a pool's capacity (telemetry); returns the leases preempted by a shrink.
    #[napi(ts_args_type = "resource: ResourceType, capacity: number")]
    pub fn set_capacity(
        &mut self,
        resource_type: String,
        capacity: f64,
    ) -> Result<CapacityChange, JsError> {
        guard(|| {
            let change = self
                .inner
                .set_capacity(resource(&resource_type)?, capacity)
                .map_err(to_js)?;
            Ok(CapacityChange {
                preempted: change.preempted,
            })
        })
    }

    /// Capacity, use and fragmentation of a pool (`UNKNOWN_RESOURCE` if not configured).
    #[napi(ts_args_type = "resource: ResourceType")]
    pub fn stats(&self, resource_type: String) -> Result<PoolStats, JsError> {
        guard(|| {
            self.inner
                .stats(resource(&resource_type)?)
                .map(PoolStats::from)
                .map_err(to_js)
        })
    }

    /// The live lease with this id, with its current grant, or null.
    #[napi]
    pub fn get(&self, id: String) -> Result<Option<Allocation>, JsError> {
        guard(|| Ok(self.inner.get(&id).map(Allocation::from)))
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

    /// Ids of leases preempted by `allocate` on preemptive pools since the last call.
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

/// An allocator with the documented defaults of `samples/allocation_schema.json`.
#[napi]
pub fn create_default_allocator() -> Result<Allocator, JsError> {
    guard(|| {
        Ok(Allocator {
            inner: core::Allocator::with_defaults(),
        })
    })
}

/// An allocator from a JSON configuration (`INVALID_CONFIG` naming the JSON path).
/// From TypeScript prefer `createAllocator(config)`, which validates with zod first.
#[napi]
pub fn create_allocator_from_json(json: String) -> Result<Allocator, JsError> {
    guard(|| {
        let config = core::AllocatorConfig::from_json(&json).map_err(to_js)?;
        let inner = core::Allocator::new(&config).map_err(to_js)?;
        Ok(Allocator { inner })
    })
}

/// Validates a JSON configuration with the core's rules: null when valid, else the first problem.
#[napi]
pub fn validate_allocator_config_json(
    json: String,
) -> Result<Option<AllocatorConfigProblem>, JsError> {
    guard(|| {
        Ok(core::AllocatorConfig::from_json(&json)
            .err()
            .map(|e| AllocatorConfigProblem {
                path: e.path,
                message: e.message,
            }))
    })
}
