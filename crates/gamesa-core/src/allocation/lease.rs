//! Leases: what a grant is (request, allocation, placement) and the book that keeps live leases
//! by id, by creation order and by expiry tick.

use crate::types::{Priority, ResourceType};
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, DefaultHasher};

/// The id index's hasher: SipHash with fixed keys, so the map behaves the same in every
/// process. Nothing iterates the index into an output in its own order: `ids_of` places ids by
/// position and `in_creation_order` sorts by sequence number.
pub(crate) type IdHasher = BuildHasherDefault<DefaultHasher>;

/// A request for a lease.
#[derive(Debug, Clone, PartialEq)]
pub struct AllocationRequest {
    /// Unique among live leases, else `DUPLICATE_ID`.
    pub id: String,
    /// Pool to allocate from.
    pub resource: ResourceType,
    /// Amount in the resource's unit: > 0 and finite; a whole number on FirstFit, BestFit and
    /// Buddy pools. Else `INVALID_AMOUNT`.
    pub amount: f64,
    /// Priority (Priority pools order preemption by it; Weighted pools derive a weight from it).
    pub priority: Priority,
    /// The lease expires when the allocator's tick reaches `created + ttl_ticks`
    /// (`Some(0)`: at the next `tick` call, even `tick(0)`).
    pub ttl_ticks: Option<u64>,
    /// FirstFit only: the unit ids must be consecutive. Other pools ignore it.
    pub contiguous: bool,
    /// Weighted only: explicit weight (> 0, finite) overriding the priority's weight. Validated
    /// on every pool, used only by Weighted ones.
    pub weight: Option<f64>,
}

impl AllocationRequest {
    /// A request with normal priority, no TTL, not contiguous, no explicit weight.
    pub fn new(id: impl Into<String>, resource: ResourceType, amount: f64) -> AllocationRequest {
        AllocationRequest {
            id: id.into(),
            resource,
            amount,
            priority: Priority::Normal,
            ttl_ticks: None,
            contiguous: false,
            weight: None,
        }
    }
}

/// Where a grant lies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placement {
    /// FirstFit: the unit ids, ascending.
    Units(Vec<u32>),
    /// BestFit and Buddy: the segment `[offset, offset + size)`.
    Range {
        /// First unit.
        offset: u64,
        /// Length in units (for Buddy the rounded-up block size).
        size: u64,
    },
    /// Priority and Weighted: a share of a divisible amount, no location.
    Share,
}

/// A live (or just released) lease as the caller sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Allocation {
    /// Lease id.
    pub id: String,
    /// Pool.
    pub resource: ResourceType,
    /// Amount asked for.
    pub requested: f64,
    /// Amount held now: equal to `requested` except on Buddy pools (rounded up) and Weighted
    /// pools (the current fair share, possibly less).
    pub granted: f64,
    /// Where the grant lies.
    pub placement: Placement,
    /// Priority of the request.
    pub priority: Priority,
    /// Allocator tick at creation.
    pub created_tick: u64,
    /// Tick at which the lease expires, if it has a TTL.
    pub expires_at_tick: Option<u64>,
}

/// A live lease in the book (its id is the book's key). `granted` is fixed at creation except
/// on Weighted pools, whose current grant the pool itself holds.
#[derive(Debug, Clone)]
pub(crate) struct Lease {
    /// Creation sequence number: orders `allocations()`, keys the divisible pools' grants and
    /// breaks ties in expiry and preemption.
    pub seq: u64,
    pub resource: ResourceType,
    pub requested: f64,
    pub granted: f64,
    pub placement: Placement,
    pub priority: Priority,
    pub created_tick: u64,
    pub expires_at_tick: Option<u64>,
}

impl Lease {
    /// The caller's view, with `granted` supplied (the current share on Weighted pools).
    pub fn to_allocation(&self, id: &str, granted: f64) -> Allocation {
        Allocation {
            id: id.to_string(),
            resource: self.resource,
            requested: self.requested,
            granted,
            placement: self.placement.clone(),
            priority: self.priority,
            created_tick: self.created_tick,
            expires_at_tick: self.expires_at_tick,
        }
    }

    /// Same, consuming the lease and its id (no copies).
    pub fn into_allocation(self, id: String, granted: f64) -> Allocation {
        Allocation {
            id,
            resource: self.resource,
            requested: self.requested,
            granted,
            placement: self.placement,
            priority: self.priority,
            created_tick: self.created_tick,
            expires_at_tick: self.expires_at_tick,
        }
    }
}

/// Live leases: an id index over a slab of lease records. The index is one map lookup per
/// allocate, resize and release (most of their cost: a hash map, as ids with long common
/// prefixes make ordered-map searches string-compare-bound), and keeping the records in a slab
/// keeps the map's entries small. Freed slots are reused last-freed first, which is
/// deterministic.
///
/// A pinned slot belongs to one id for good (see `Allocator::pin`): the id stays in the index
/// and the slot is never freed or reused, so its owner can address the lease by slot, without
/// the map, however often the lease ends and starts again.
#[derive(Debug, Clone, Default)]
pub(crate) struct LeaseBook {
    /// Id -> slot in `slots`.
    pub ids: HashMap<String, u32, IdHasher>,
    pub slots: Vec<Option<Lease>>,
    /// The id of each pinned slot, same indexing as `slots` (`None`: not pinned).
    pub pins: Vec<Option<Box<str>>>,
    pub free_slots: Vec<u32>,
    /// `(expires_at_tick, seq) -> id` of leases with a TTL.
    pub expiry: BTreeMap<(u64, u64), String>,
    pub next_seq: u64,
}

impl LeaseBook {
    /// Whether `slot` is pinned.
    pub fn is_pinned(&self, slot: u32) -> bool {
        self.pins.get(slot as usize).is_some_and(Option::is_some)
    }

    /// The id of pinned `slot` ("" for any other slot).
    pub fn pinned_id(&self, slot: u32) -> &str {
        self.pins
            .get(slot as usize)
            .and_then(Option::as_deref)
            .unwrap_or("")
    }

    /// Pins `id` to a slot (its own if it has one) and returns the slot.
    pub fn pin(&mut self, id: &str) -> u32 {
        let slot = match self.ids.get(id) {
            Some(&slot) => slot,
            None => {
                let slot = match self.free_slots.pop() {
                    Some(slot) => slot,
                    None => {
                        self.slots.push(None);
                        self.pins.push(None);
                        (self.slots.len() - 1) as u32
                    }
                };
                self.ids.insert(id.to_string(), slot);
                slot
            }
        };
        self.pins[slot as usize] = Some(id.into());
        slot
    }

    /// Ends the lease in pinned `slot` (with its expiry entry), if there is one.
    pub fn take_pinned(&mut self, slot: u32) -> Option<Lease> {
        let lease = self.slots.get_mut(slot as usize)?.take()?;
        if let Some(t) = lease.expires_at_tick {
            self.expiry.remove(&(t, lease.seq));
        }
        Some(lease)
    }

    /// The live lease with this id, with the id as stored.
    pub fn get(&self, id: &str) -> Option<(&str, &Lease)> {
        let (k, &slot) = self.ids.get_key_value(id)?;
        Some((k.as_str(), self.slots.get(slot as usize)?.as_ref()?))
    }

    /// Removes a lease by id, with its expiry entry. A pinned id keeps its entry and slot.
    pub fn remove(&mut self, id: &str) -> Option<(String, Lease)> {
        let (id, slot) = self.ids.remove_entry(id)?;
        if self.is_pinned(slot) {
            let lease = self.take_pinned(slot);
            let copy = id.clone();
            self.ids.insert(id, slot);
            return Some((copy, lease?));
        }
        let lease = self.slots.get_mut(slot as usize)?.take()?;
        self.free_slots.push(slot);
        if let Some(t) = lease.expires_at_tick {
            self.expiry.remove(&(t, lease.seq));
        }
        Some((id, lease))
    }

    fn live(&self) -> impl Iterator<Item = (&str, &Lease)> {
        self.ids
            .iter()
            .filter_map(|(k, &s)| Some((k.as_str(), self.slots.get(s as usize)?.as_ref()?)))
    }

    /// Ids of the leases with these sequence numbers, in the given order (one scan).
    pub fn ids_of(&self, seqs: &[u64]) -> Vec<String> {
        let wanted: BTreeMap<u64, usize> = seqs.iter().enumerate().map(|(i, &s)| (s, i)).collect();
        let mut out = vec![String::new(); seqs.len()];
        for (id, l) in self.live() {
            if let Some(&i) = wanted.get(&l.seq) {
                out[i] = id.to_string();
            }
        }
        out
    }

    /// Ids of leases whose expiry tick is at or before `now`, by expiry tick then creation.
    pub fn due(&self, now: u64) -> Vec<String> {
        self.expiry
            .range(..=(now, u64::MAX))
            .map(|(_, id)| id.clone())
            .collect()
    }

    /// Live leases in creation order.
    pub fn in_creation_order(&self) -> Vec<(&str, &Lease)> {
        let mut v: Vec<(&str, &Lease)> = self.live().collect();
        v.sort_unstable_by_key(|(_, l)| l.seq);
        v
    }
}
