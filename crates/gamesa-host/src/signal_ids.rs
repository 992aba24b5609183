//! Ids for signals built without one: a process-wide counter, which the core (no global
//! state) cannot keep.

use gamesa_core::signals::SignalKind;
use std::sync::atomic::{AtomicU64, Ordering};

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// A fresh id `<kind>-<n>`, `n` counting up from 1 over the whole process.
pub fn next_signal_id(kind: SignalKind) -> String {
    format!(
        "{}-{}",
        kind.as_str(),
        NEXT_ID.fetch_add(1, Ordering::Relaxed)
    )
}
