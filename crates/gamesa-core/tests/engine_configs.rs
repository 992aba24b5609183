//! The engine configuration corpus (`samples/engine_configs/`) through `Engine::from_json`:
//! every valid file builds an engine; every invalid file is rejected with a problem at the JSON
//! path recorded in `invalid_paths.json`. Files named `semantic_*` are well-formed documents
//! that only the engine's build finds wrong (an expression that does not compile, a reference
//! to an unknown agent, contract or variable): `EngineConfig::from_json` accepts them and
//! `Engine::new` rejects them. `__test__/engine_config.test.ts` runs the same corpus through
//! zod and `checkEngineConfig`, so both sides agree file by file.

use gamesa_core::ErrorCode;
use gamesa_core::engine::{Engine, EngineConfig, EngineError};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../samples/engine_configs")
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

fn expected_paths() -> BTreeMap<String, String> {
    serde_json::from_str(&fs::read_to_string(corpus().join("invalid_paths.json")).unwrap()).unwrap()
}

/// The problems' paths, or `None` when the engine builds.
fn problem_paths(text: &str) -> Option<Vec<String>> {
    match Engine::from_json(text) {
        Ok(_) => None,
        Err(e) => {
            assert_eq!(e.code(), "INVALID_ENGINE_CONFIG", "{e}");
            let EngineError::InvalidConfig { problems } = e else {
                unreachable!("INVALID_ENGINE_CONFIG is InvalidConfig")
            };
            assert!(!problems.is_empty(), "an invalid config names its problems");
            Some(problems.into_iter().map(|p| p.path).collect())
        }
    }
}

#[test]
fn valid_files_build_an_engine() {
    let valid = files("valid");
    assert!(valid.len() >= 8, "only {} valid files", valid.len());
    for (name, text) in valid {
        let engine = Engine::from_json(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(engine.ticks(), 0, "{name}");
    }
}

#[test]
fn invalid_files_are_rejected_at_the_recorded_path() {
    let expected = expected_paths();
    let invalid = files("invalid");
    assert!(invalid.len() >= 30, "only {} invalid files", invalid.len());
    let names: Vec<&String> = invalid.iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        expected.keys().collect::<Vec<_>>(),
        "invalid_paths.json lists every invalid file"
    );
    let mut wrong = Vec::new();
    for (name, text) in &invalid {
        let want = &expected[name];
        match problem_paths(text) {
            None => wrong.push(format!("{name}: accepted")),
            Some(paths) if !paths.contains(want) => {
                wrong.push(format!(
                    "{name}: expected a problem at {want}, got {paths:?}"
                ));
            }
            Some(_) => {}
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn semantic_files_decode_and_fail_only_when_the_engine_is_built() {
    let invalid = files("invalid");
    let semantic: Vec<_> = invalid
        .iter()
        .filter(|(n, _)| n.starts_with("semantic_"))
        .collect();
    assert!(
        semantic.len() >= 10,
        "only {} semantic files",
        semantic.len()
    );
    for (name, text) in semantic {
        let config = EngineConfig::from_json(text)
            .unwrap_or_else(|e| panic!("{name} is well-formed, but decoding failed: {e}"));
        assert!(Engine::new(config).is_err(), "{name}: built");
    }
    // And the structural ones fail while decoding, before any expression is compiled.
    for (name, text) in invalid.iter().filter(|(n, _)| !n.starts_with("semantic_")) {
        assert!(EngineConfig::from_json(text).is_err(), "{name}: decoded");
    }
}

#[test]
fn every_problem_of_a_file_is_reported_at_once() {
    // Two independent structural errors in different sections, and two semantic ones.
    let structural = r#"{"tickMs": 0, "signals": {"capacity": 0}, "market": {"gain": 1}}"#;
    let paths = problem_paths(structural).expect("rejected");
    for want in ["$.tickMs", "$.signals.capacity", "$.market.gain"] {
        assert!(paths.iter().any(|p| p == want), "{want} in {paths:?}");
    }
    let semantic = r#"{"rules": [{"id": "r", "domain": "thermal", "priority": "high",
        "when": "cpu.utl > 0.5", "action": {"kind": "k", "target": "t"}}],
        "capacityFrom": {"cpu_time": "nothing.here"}}"#;
    let paths = problem_paths(semantic).expect("rejected");
    assert_eq!(
        paths,
        ["$.rules[0].when", "$.capacityFrom.cpu_time"],
        "in the engine's build order"
    );
}
