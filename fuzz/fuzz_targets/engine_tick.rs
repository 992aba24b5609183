//! Arbitrary tick inputs to the sample engine, the first byte choosing the form:
//! - the JSON text `Engine.tickJson` hands the binding (`{"values": {name: number}}`), read as
//!   the binding reads it, then ticked at 0, 100 and 100 ms;
//! - raw doubles (any bits: NaN, ±∞, subnormals) as `tickValues` slots, a time from the input.
//!
//! Never a panic; a time that is finite and not earlier than the last is always accepted
//! (values only make readings absent or report input errors); every output serializes; a
//! second engine fed the same inputs gives the same bytes (determinism).
#![no_main]

use gamesa_core::error::ErrorCode;
use gamesa_core::engine::{Engine, EngineConfig};
use libfuzzer_sys::fuzz_target;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

const ENGINE: &str = include_str!("../../samples/engine.json");

/// A fresh engine of the sample configuration (decoded once; each engine compiles its own).
fn engine() -> Engine {
    static CONFIG: OnceLock<EngineConfig> = OnceLock::new();
    let config =
        CONFIG.get_or_init(|| EngineConfig::from_json(ENGINE).expect("the sample decodes"));
    Engine::new(config.clone()).expect("the sample builds")
}

/// What the binding reads of a snapshot (crates/gamesa-napi/src/engine.rs).
#[derive(Deserialize)]
struct SnapshotValues {
    values: BTreeMap<String, f64>,
}

fn by_name(values: &BTreeMap<String, f64>) -> Vec<String> {
    let mut engine = engine();
    [0.0, 100.0, 100.0]
        .iter()
        .map(|&now| {
            let out = engine
                .tick(values, now)
                .unwrap_or_else(|e| panic!("tick at {now} refused: {} {e}", e.code()));
            serde_json::to_string(&out).expect("an output serializes")
        })
        .collect()
}

fn by_slot(data: &[u8]) -> Vec<Result<String, &'static str>> {
    let mut engine = engine();
    let n = engine.input_names().len();
    let mut doubles = data
        .chunks_exact(8)
        .map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes")));
    let now = doubles.next().unwrap_or(0.0);
    let mut values: Vec<f64> = doubles.collect();
    values.resize(n, f64::NAN);
    [now, now]
        .iter()
        .map(|&t| match engine.tick_slots(&values, t) {
            Ok(out) => {
                assert!(t.is_finite(), "a tick at {t} was accepted");
                Ok(serde_json::to_string(&out).expect("an output serializes"))
            }
            Err(e) => Err(e.code()),
        })
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    if which % 2 == 0 {
        let Ok(text) = std::str::from_utf8(rest) else {
            return;
        };
        let Ok(snapshot) = serde_json::from_str::<SnapshotValues>(text) else {
            return;
        };
        let first = by_name(&snapshot.values);
        assert_eq!(first, by_name(&snapshot.values), "two engines differ");
    } else {
        let first = by_slot(rest);
        assert_eq!(first, by_slot(rest), "two engines differ");
    }
});
