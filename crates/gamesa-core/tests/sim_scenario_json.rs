//! The scenario corpus through the Rust validator: the shipped scenarios are accepted, every
//! file under samples/scenarios/invalid/ is rejected with `INVALID_SCENARIO` at the JSON path
//! recorded in `_expected_paths.json` (the TypeScript test checks zod against the same files).

use gamesa_core::ErrorCode;
use gamesa_core::sim::{Plant, Scenario, SimError};
use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;

fn dir(sub: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../samples/scenarios")
        .join(sub)
}

fn json_files(sub: &str) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir(sub))
        .expect("corpus directory")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json") && !n.starts_with('_'))
        .collect();
    names.sort();
    names
}

#[test]
fn shipped_scenarios_are_valid_and_build_plants() {
    let files = json_files("");
    assert!(files.len() >= 3, "{files:?}");
    for f in files {
        let text = fs::read_to_string(dir("").join(&f)).expect("read");
        let s = Scenario::from_json(&text).unwrap_or_else(|e| panic!("{f}: {e}"));
        assert_eq!(
            format!("{}.json", s.name),
            f,
            "file named after its scenario"
        );
        assert!(
            s.priority_workload().is_some(),
            "{f} names a priority workload"
        );
        Plant::new(&s).expect("plant");
    }
}

#[test]
fn every_invalid_file_is_rejected_at_its_path() {
    let expected: BTreeMap<String, String> = serde_json::from_str(
        &fs::read_to_string(dir("invalid").join("_expected_paths.json")).expect("paths"),
    )
    .expect("paths json");
    let files = json_files("invalid");
    assert!(files.len() >= 30);
    assert_eq!(
        files,
        expected.keys().cloned().collect::<Vec<_>>(),
        "_expected_paths.json lists every invalid file"
    );
    for f in files {
        let text = fs::read_to_string(dir("invalid").join(&f)).expect("read");
        let err = Scenario::from_json(&text).expect_err(&f);
        assert_eq!(err.code(), "INVALID_SCENARIO", "{f}");
        assert_eq!(err.path(), Some(expected[&f].as_str()), "{f}: {err}");
        assert!(
            err.to_string().starts_with(&expected[&f]),
            "{f}: message starts with the path"
        );
    }
}

#[test]
fn malformed_json_names_line_and_column() {
    let err = Scenario::from_json("{\n  \"name\": ,\n}").expect_err("malformed");
    assert_eq!(err.path(), Some("$"));
    assert!(err.to_string().contains("line 2"), "{err}");
}

#[test]
fn a_struct_written_as_an_array_is_rejected() {
    // serde would read a struct from an array of its fields; zod would not, nor do we.
    let text = r#"{"name":"x","durationS":1,"machine":{"cpu":[1,800,4000,5,50,2.5,0.5,10,90,100]},"workloads":[{"name":"w","steady":{"cpuCores":1}}]}"#;
    let err = Scenario::from_json(text).expect_err("array");
    assert_eq!(err.path(), Some("$.machine.cpu"));
}

#[test]
fn defaults_are_documented_values() {
    let text = r#"{"name":"min","durationS":2,"machine":{"cpu":{"cores":2,"freqMinMhz":800,"freqMaxMhz":3000,"idleW":5,"dynamicW":30,"thermalResistanceCPerW":1,"timeConstantS":5,"limitC":80,"criticalC":95}},"workloads":[{"name":"w","steady":{}}]}"#;
    let s = Scenario::from_json(text).expect("minimal scenario");
    assert_eq!(s.seed, 1.0);
    assert_eq!(s.tick_ms, 100.0);
    assert_eq!(s.ticks(), 20);
    assert_eq!(s.machine.ambient_c, 25.0);
    assert_eq!(s.machine.mem_total_mb, 32768.0);
    assert_eq!(s.machine.cpu.freq_power_exponent, 2.5);
    assert!(s.machine.gpus.is_empty() && s.baseline.is_empty());
    let w = &s.workloads[0];
    assert_eq!(w.steady.as_ref().map(|p| p.units_per_s), Some(1.0));
    assert!(!w.priority);
}

#[test]
fn scenarios_round_trip_through_serde() {
    for (name, text) in gamesa_core::sim::builtin_scenarios() {
        let s = Scenario::from_json(text).expect(name);
        let again = serde_json::to_string(&s).expect("serialize");
        let back = Scenario::from_json(&again).expect("re-parse");
        assert_eq!(s, back, "{name}");
    }
}

#[test]
fn error_codes_are_stable() {
    let e = SimError::scenario("$.x", "bad");
    assert_eq!(e.code(), "INVALID_SCENARIO");
    let a = SimError::actuation("k", "t", "bad");
    assert_eq!(a.code(), "INVALID_ACTUATION");
    assert_eq!(a.path(), None);
}

#[test]
fn null_is_absent_for_options_and_a_type_error_for_defaults() {
    // Mirrors the zod test in __test__/scenario_config.test.ts.
    let minimal = r#"{"name":"min","durationS":2,"machine":{"cpu":{"cores":2,"freqMinMhz":800,"freqMaxMhz":3000,"idleW":5,"dynamicW":30,"thermalResistanceCPerW":1,"timeConstantS":5,"limitC":80,"criticalC":95,"initialC":null},"powerCapW":null},"workloads":[{"name":"w","steady":{},"batch":null,"cpuWeight":null}]}"#;
    Scenario::from_json(minimal).expect("nulls for options are accepted");
    let with_null_tick = minimal.replacen("\"durationS\":2", "\"durationS\":2,\"tickMs\":null", 1);
    let err = Scenario::from_json(&with_null_tick).expect_err("null tick");
    assert_eq!(err.path(), Some("$.tickMs"));
}
