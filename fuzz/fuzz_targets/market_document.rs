//! Arbitrary text -> `market::MarketDocument::from_json`: a document or an `INVALID_CONFIG`
//! error naming a JSON path, never a panic. A document that parsed must serialize, parse
//! again, and come back equal (round trip).
#![no_main]

use gamesa_core::market::MarketDocument;
use gamesa_core::error::ErrorCode;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match MarketDocument::from_json(text) {
        Ok(doc) => {
            let json = serde_json::to_string(&doc).expect("a valid market document serializes");
            let again = MarketDocument::from_json(&json)
                .unwrap_or_else(|e| panic!("serialized document {json} does not parse: {e}"));
            assert_eq!(again, doc, "{json}");
        }
        Err(e) => {
            assert_eq!(e.code(), "INVALID_CONFIG", "{e}");
            assert!(e.to_string().contains('$'), "no JSON path in {e}");
        }
    }
});
