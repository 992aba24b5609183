//! Reading a tick's input into the engine's snapshot, and looking variables up by name for
//! contracts and the gate.

use crate::contracts::Context;
use crate::expr::Value;
use crate::features::Snapshot;
use std::collections::BTreeMap;

/// A snapshot seen by name (contracts and the gate read variables by name).
pub(crate) struct SnapshotContext<'a>(pub(crate) &'a Snapshot);

impl Context for SnapshotContext<'_> {
    fn get(&self, name: &str) -> Option<Value> {
        self.0.get_named(name)
    }
}

/// Fills the base (input) slots `0..base_len` of `snapshot` from named values: names the
/// engine does not declare are ignored (a trace may carry more than the catalog), NaN is
/// absent, and a value its slot's type cannot hold is reported and left absent. An infinite
/// reading is a reading (fail closed: a temperature of +∞ must violate a limit, not count as
/// "no sensor" and skip the safety check).
pub(crate) fn load_named(
    snapshot: &mut Snapshot,
    base_len: usize,
    values: &BTreeMap<String, f64>,
    errors: &mut Vec<String>,
) {
    for slot in 0..base_len {
        snapshot.unset(slot);
    }
    for (name, &x) in values {
        let Some(slot) = snapshot.env().slot(name) else {
            continue;
        };
        if slot >= base_len || x.is_nan() {
            continue;
        }
        if let Err(e) = snapshot.set_f64(slot, x) {
            errors.push(e.to_string());
        }
    }
}

/// Fills the base slots from a dense array in slot order (NaN = absent, infinities kept as
/// above): the binding's fast path. The caller checked the length.
pub(crate) fn load_slots(snapshot: &mut Snapshot, values: &[f64], errors: &mut Vec<String>) {
    for (slot, &x) in values.iter().enumerate() {
        if x.is_nan() {
            snapshot.unset(slot);
            continue;
        }
        if let Err(e) = snapshot.set_f64(slot, x) {
            snapshot.unset(slot);
            errors.push(e.to_string());
        }
    }
}
