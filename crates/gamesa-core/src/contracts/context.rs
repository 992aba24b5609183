//! Where a check reads variable values from.

use crate::expr::Value;
use std::collections::{BTreeMap, HashMap};

/// The values a check reads, looked up by variable name. Only lookups are made, never
/// iteration, so a `HashMap` is as deterministic here as a `BTreeMap`. Names a contract does
/// not declare are ignored, so a whole telemetry snapshot can be passed.
pub trait Context {
    /// The value of `name`, or `None` when the context lacks it.
    fn get(&self, name: &str) -> Option<Value>;

    /// The value of the variable at `slot` of the contract's [`variables`] order, named
    /// `name`. A context laid out in that order (an array) answers by index; the default
    /// looks the name up.
    ///
    /// [`variables`]: crate::contracts::Contract::variables
    fn get_at(&self, slot: usize, name: &str) -> Option<Value> {
        let _ = slot;
        self.get(name)
    }
}

impl<C: Context + ?Sized> Context for &C {
    fn get(&self, name: &str) -> Option<Value> {
        (**self).get(name)
    }

    fn get_at(&self, slot: usize, name: &str) -> Option<Value> {
        (**self).get_at(slot, name)
    }
}

impl Context for BTreeMap<String, Value> {
    fn get(&self, name: &str) -> Option<Value> {
        BTreeMap::get(self, name).copied()
    }
}

impl<S: std::hash::BuildHasher> Context for HashMap<String, Value, S> {
    fn get(&self, name: &str) -> Option<Value> {
        HashMap::get(self, name).copied()
    }
}

/// A list of pairs; when a name appears twice, the last one wins (as in a JS object literal).
impl Context for [(&str, Value)] {
    fn get(&self, name: &str) -> Option<Value> {
        self.iter().rev().find(|(n, _)| *n == name).map(|(_, v)| *v)
    }
}

impl<const N: usize> Context for [(&str, Value); N] {
    fn get(&self, name: &str) -> Option<Value> {
        Context::get(self.as_slice(), name)
    }
}

impl Context for Vec<(String, Value)> {
    fn get(&self, name: &str) -> Option<Value> {
        self.iter().rev().find(|(n, _)| n == name).map(|(_, v)| *v)
    }
}
