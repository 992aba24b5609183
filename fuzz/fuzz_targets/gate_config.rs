//! Arbitrary text -> `gate::GateConfig::from_json`: a config or an `INVALID_GATE` error naming
//! a JSON path, never a panic. A config that parsed must serialize, parse again, and come back
//! equal (round trip).
#![no_main]

use gamesa_core::error::ErrorCode;
use gamesa_core::gate::GateConfig;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match GateConfig::from_json(text) {
        Ok(config) => {
            let json = serde_json::to_string(&config).expect("a valid gate config serializes");
            let again = GateConfig::from_json(&json)
                .unwrap_or_else(|e| panic!("serialized config {json} does not parse: {e}"));
            assert_eq!(again, config, "{json}");
        }
        Err(e) => {
            assert_eq!(e.code(), "INVALID_GATE");
            assert!(e.to_string().contains('$'), "no JSON path in {e}");
        }
    }
});
