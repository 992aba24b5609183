//! The gate configuration corpus (samples/gate_configs/): every valid file is accepted and
//! every invalid one is rejected with `INVALID_GATE` at the JSON path recorded in
//! invalid_paths.json — the same verdicts and paths the zod schema (src/gate.ts) gives.

use gamesa_core::ErrorCode;
use gamesa_core::gate::GateConfig;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../samples/gate_configs")
}

fn files(dir: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = fs::read_dir(corpus().join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn valid_configs_are_accepted() {
    let valid = files("valid");
    assert!(valid.len() >= 10, "{} valid files", valid.len());
    for (name, text) in valid {
        let config = GateConfig::from_json(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        // What was read serializes back to an equal configuration.
        let again = GateConfig::from_json(&serde_json::to_string(&config).unwrap()).unwrap();
        assert_eq!(again, config, "{name}");
    }
}

#[test]
fn invalid_configs_are_rejected_at_their_path() {
    let expected: BTreeMap<String, String> =
        serde_json::from_str(&fs::read_to_string(corpus().join("invalid_paths.json")).unwrap())
            .unwrap();
    let invalid = files("invalid");
    assert!(invalid.len() >= 30, "{} invalid files", invalid.len());
    let names: Vec<&String> = invalid.iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        expected.keys().collect::<Vec<_>>(),
        "invalid_paths.json lists every invalid file"
    );
    for (name, text) in &invalid {
        let e = GateConfig::from_json(text).expect_err(name);
        assert_eq!(e.code(), "INVALID_GATE");
        assert_eq!(&e.path, &expected[name], "{name}: {e}");
        assert!(!e.message.is_empty());
    }
}

#[test]
fn defaults_are_documented_values() {
    let c = GateConfig::from_json(
        r#"{"actions":{"k":{"agent":"a","effect":"cpu_control","targets":["cpu"]}}}"#,
    )
    .unwrap();
    let k = &c.actions["k"];
    assert!(!k.safety);
    assert_eq!(k.value.param, "value");
    assert_eq!(k.value.mode.as_str(), "absolute");
    assert_eq!((k.cooldown_ms, k.hysteresis), (0.0, 0.0));
    assert_eq!(k.benefit_per_strength, 10.0);
    assert!(k.min.is_none() && k.max.is_none() && k.cap.is_none() && k.max_step.is_none());
    assert!(k.rate.is_none() && k.contract.is_none() && k.costs.is_empty());
    assert_eq!(GateConfig::from_json("{}").unwrap(), GateConfig::default());
}

#[test]
fn errors_can_be_placed_inside_engine_json() {
    let e = GateConfig::from_json(
        r#"{"actions":{"k":{"agent":"a","effect":"cpu_control","targets":["cpu"],"maxStep":0}}}"#,
    )
    .unwrap_err()
    .under("$.gate");
    assert_eq!(e.path, "$.gate.actions.k.maxStep");
    assert!(e.to_string().contains("$.gate.actions.k.maxStep"));
}
