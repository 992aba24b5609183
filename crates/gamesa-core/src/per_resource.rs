//! A value per resource, stored densely in [`ResourceType::ALL`] order and serialized as a JSON
//! object keyed by the resource's string (`{"cpu_cores": …, "cpu_time": …}`), always in that
//! order, so outputs that carry prices, capacities or demand stay byte-identical run to run.

use crate::types::ResourceType;
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use std::ops::{Index, IndexMut};

/// One `T` per [`ResourceType`], indexed by the resource.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PerResource<T>(pub [T; 6]);

impl<T: Copy> PerResource<T> {
    /// The same value for every resource.
    pub const fn splat(value: T) -> PerResource<T> {
        PerResource([value; 6])
    }
}

impl<T> PerResource<T> {
    /// `(resource, &value)` in [`ResourceType::ALL`] order.
    pub fn iter(&self) -> impl Iterator<Item = (ResourceType, &T)> {
        ResourceType::ALL.into_iter().zip(self.0.iter())
    }

    /// Applies `f` to every value, keeping the order.
    pub fn map<U>(&self, mut f: impl FnMut(ResourceType, &T) -> U) -> PerResource<U> {
        PerResource(std::array::from_fn(|i| f(ResourceType::ALL[i], &self.0[i])))
    }
}

impl<T> Index<ResourceType> for PerResource<T> {
    type Output = T;
    fn index(&self, r: ResourceType) -> &T {
        &self.0[r.index()]
    }
}

impl<T> IndexMut<ResourceType> for PerResource<T> {
    fn index_mut(&mut self, r: ResourceType) -> &mut T {
        &mut self.0[r.index()]
    }
}

impl<T: Serialize> Serialize for PerResource<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(6))?;
        for (r, v) in self.iter() {
            map.serialize_entry(r.as_str(), v)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_as_an_object_in_resource_order() {
        let mut p = PerResource::splat(0.0);
        p[ResourceType::PowerBudget] = 2.5;
        assert_eq!(
            serde_json::to_string(&p).unwrap(),
            r#"{"cpu_cores":0.0,"cpu_time":0.0,"gpu_compute":0.0,"gpu_memory":0.0,"thermal_headroom":0.0,"power_budget":2.5}"#
        );
        let doubled = p.map(|_, v| v * 2.0);
        assert_eq!(doubled[ResourceType::PowerBudget], 5.0);
    }
}
