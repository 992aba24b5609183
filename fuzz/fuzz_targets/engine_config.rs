//! Arbitrary text -> `EngineConfig::from_json` and `Engine::from_json`: an engine or an
//! `INVALID_ENGINE_CONFIG` error, never a panic, and both entry points agree. An engine that
//! builds is ticked three times (no inputs, then a fixed hot snapshot that fires the sample
//! rules, then the same snapshot at the same time); every `TickOutput` must serialize, and a
//! second engine built from the same text must give byte-identical outputs (determinism).
#![no_main]

use gamesa_core::error::ErrorCode;
use gamesa_core::engine::{Engine, EngineConfig};
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;

/// A hot, power-capped machine: enough to make the sample's rules fire, bids clear and the
/// gate decide, so the tick path behind a fuzzed configuration is exercised, not only parsing.
const HOT: [(&str, f64); 16] = [
    ("cpu.util", 0.9),
    ("cpu.freq_max_mhz", 3000.0),
    ("cpu.freq_hw_max_mhz", 4500.0),
    ("thermal.cpu_c", 93.0),
    ("thermal.headroom_c", 3.0),
    ("power.cpu_w", 65.0),
    ("power.total_w", 400.0),
    ("power.cap_w", 380.0),
    ("gpu0.util", 0.95),
    ("gpu0.temp_c", 82.0),
    ("gpu0.power_w", 280.0),
    ("gpu0.power_limit_w", 300.0),
    ("gpu0.power_min_w", 100.0),
    ("gpu0.power_max_w", 350.0),
    ("gpu0.mem_used_mb", 8000.0),
    ("wl.game.frame_ms", 21.0),
];

/// The serialized outputs of the three ticks; `None` where a tick was refused.
fn run(engine: &mut Engine) -> Vec<Option<String>> {
    let hot: BTreeMap<String, f64> = HOT.iter().map(|(k, v)| (k.to_string(), *v)).collect();
    let inputs = [(BTreeMap::new(), 0.0), (hot.clone(), 100.0), (hot, 100.0)];
    inputs
        .iter()
        .map(|(values, now_ms)| match engine.tick(values, *now_ms) {
            Ok(out) => {
                assert_eq!(out.now_ms, *now_ms);
                Some(serde_json::to_string(&out).expect("a tick output serializes"))
            }
            Err(e) => {
                // Increasing, finite times and named values are always acceptable.
                panic!("tick at {now_ms} ms refused: {} {e}", e.code())
            }
        })
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let config = EngineConfig::from_json(text);
    let engine = Engine::from_json(text);
    match (&config, engine) {
        (Err(a), Err(b)) => {
            assert_eq!(a.code(), "INVALID_ENGINE_CONFIG");
            assert_eq!(b.code(), "INVALID_ENGINE_CONFIG");
            assert!(!a.to_string().is_empty());
        }
        (Ok(_), Err(e)) => assert_eq!(e.code(), "INVALID_ENGINE_CONFIG", "{e}"),
        (Err(e), Ok(_)) => panic!("the config does not parse ({e}) but the engine builds"),
        (Ok(config), Ok(mut engine)) => {
            let first = run(&mut engine);
            // The second engine from the decoded config, the third from the text again: both
            // must replay the first byte for byte.
            let mut again = Engine::new(config.clone()).expect("the same config builds again");
            assert_eq!(run(&mut again), first);
            let mut third = Engine::from_json(text).expect("the same text builds again");
            assert_eq!(run(&mut third), first);
            assert_eq!(engine.ticks(), 3);
        }
    }
});
