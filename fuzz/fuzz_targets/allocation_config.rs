//! Arbitrary text -> `AllocatorConfig::from_json`: a config or a `ConfigError` naming the JSON
//! path, never a panic. A config that parsed must serialise and parse again.
#![no_main]

use gamesa_core::allocation::AllocatorConfig;
use gamesa_core::error::ErrorCode;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match AllocatorConfig::from_json(text) {
        Ok(config) => {
            let json = serde_json::to_string(&config).expect("a valid config serialises");
            // Only validity is checked, not equality: serde_json without its `float_roundtrip`
            // feature may read a long decimal 1 ULP off (found by this target:
            // `"capacity": 9007199254740991.0` reads as 9007199254740990), reported separately.
            AllocatorConfig::from_json(&json).expect("a serialised config parses");
        }
        Err(e) => {
            assert!(!e.code().is_empty());
            let _ = e.to_string();
        }
    }
});
