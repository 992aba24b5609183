//! The wall clock: the one time source of the host side (`gamesa-core` takes time as an
//! argument).

use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch, the number JavaScript's `Date.now()` gives. It does not
/// fail: a system clock set before 1970 reads as 0.
pub fn wall_clock_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}
