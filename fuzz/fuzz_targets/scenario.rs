//! Arbitrary text -> `sim::Scenario::from_json`: a scenario or an `INVALID_SCENARIO` error,
//! never a panic. A scenario that parsed runs in closed loop under `NoPolicy` (cut to at most
//! `MAX_TICKS` ticks so long scenarios are fuzzed too): the serialized result has no NaN or
//! infinity, and a second run is identical (determinism).
#![no_main]

use gamesa_core::error::ErrorCode;
use gamesa_core::sim::{NoPolicy, Scenario, run_closed_loop};
use libfuzzer_sys::fuzz_target;

/// Ticks simulated per input: enough for workloads and temperatures to move, few enough to
/// keep thousands of executions a second.
const MAX_TICKS: u64 = 300;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut scenario = match Scenario::from_json(text) {
        Ok(s) => s,
        Err(e) => {
            assert_eq!(e.code(), "INVALID_SCENARIO");
            assert!(!e.to_string().is_empty());
            return;
        }
    };
    if scenario.ticks() > MAX_TICKS {
        scenario.duration_s = MAX_TICKS as f64 * scenario.tick_ms / 1000.0;
    }
    let first = run_closed_loop(&scenario, &mut NoPolicy);
    // serde_json writes NaN and ±inf as `null`: a null anywhere is a non-finite number.
    let json = serde_json::to_string(&first).expect("a run result serializes");
    let value: serde_json::Value = serde_json::from_str(&json).expect("and reads back");
    assert!(!has_null(&value), "non-finite number in the run result");
    assert_eq!(first.summary.ticks as usize, first.series.t_ms.len());
    let second = run_closed_loop(&scenario, &mut NoPolicy);
    assert!(second == first, "two runs of the same scenario differ");
    assert_eq!(serde_json::to_string(&second).unwrap(), json);
});

fn has_null(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::Null => true,
        serde_json::Value::Array(a) => a.iter().any(has_null),
        serde_json::Value::Object(o) => o.values().any(has_null),
        _ => false,
    }
}
