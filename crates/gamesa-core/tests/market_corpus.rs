//! The market configuration corpus (`samples/market_configs/`) through the Rust validator:
//! every valid file is accepted and builds a market; every invalid file is rejected at the JSON
//! path recorded in `invalid_paths.json`. `__test__/market_config.test.ts` runs the same corpus
//! through zod, so both sides agree file by file.

use gamesa_core::market::{Clearing, Market, MarketDocument};
use gamesa_core::{ErrorCode, PerResource};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../samples/market_configs")
}

fn files(dir: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = fs::read_dir(corpus().join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, fs::read_to_string(&p).unwrap())
        })
        .collect();
    out.sort();
    out
}

#[test]
fn valid_files_are_accepted_and_build_a_market() {
    let valid = files("valid");
    assert!(valid.len() >= 10, "only {} valid files", valid.len());
    for (name, text) in valid {
        let doc = MarketDocument::from_json(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let market = Market::new(
            &doc.market,
            &doc.agents,
            PerResource::splat(Clearing::default()),
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(market.agents().len(), doc.agents.len());
        // Serializing and reading back gives the same configuration.
        let again = MarketDocument::from_json(&serde_json::to_string(&doc).unwrap())
            .unwrap_or_else(|e| panic!("{name} round trip: {e}"));
        assert_eq!(again, doc, "{name} round trip");
        for (r, &p) in market.prices().iter() {
            assert!(
                p >= doc.market.price_min && p <= doc.market.price_max,
                "{name}: {r} starts at {p}"
            );
        }
    }
}

#[test]
fn invalid_files_are_rejected_at_the_recorded_path() {
    let expected: BTreeMap<String, String> =
        serde_json::from_str(&fs::read_to_string(corpus().join("invalid_paths.json")).unwrap())
            .unwrap();
    let invalid = files("invalid");
    assert!(invalid.len() >= 25, "only {} invalid files", invalid.len());
    let names: Vec<&String> = invalid.iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        expected.keys().collect::<Vec<_>>(),
        "invalid_paths.json lists every invalid file"
    );
    let mut wrong = Vec::new();
    for (name, text) in &invalid {
        match MarketDocument::from_json(text) {
            Ok(_) => wrong.push(format!("{name}: accepted")),
            Err(e) => {
                assert_eq!(e.code(), "INVALID_CONFIG");
                if e.path() != Some(expected[name].as_str()) {
                    wrong.push(format!("{name}: expected {}, got {e}", expected[name]));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
