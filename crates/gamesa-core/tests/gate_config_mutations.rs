//! Differential corpus for the zod mirror: every field of two kinds of samples/gate/gate.json
//! set to a dozen odd values (or removed, or joined by an unknown sibling), each with the path
//! serde reports (null when still valid). The list is kept in
//! samples/gate_configs/mutations.json; `__test__/gate_config.test.ts` checks zod gives the same
//! verdict and path for every entry. Regenerate after an intended change with
//! `GATE_BLESS=1 cargo test -p gamesa-core --test gate_config_mutations`.

use gamesa_core::gate::GateConfig;
use serde_json::{Map, Value, json};
use std::path::Path;

const SAMPLE: &str = include_str!("../../../samples/gate/gate.json");

const KINDS: [&str; 2] = ["set_gpu_power_limit", "set_cpu_freq_max"];

fn fields() -> Vec<Value> {
    [
        json!(["agent"]),
        json!(["effect"]),
        json!(["safety"]),
        json!(["targets"]),
        json!(["targets", 0]),
        json!(["exists"]),
        json!(["value"]),
        json!(["value", "param"]),
        json!(["value", "mode"]),
        json!(["value", "current"]),
        json!(["value", "initial"]),
        json!(["min"]),
        json!(["max"]),
        json!(["cap"]),
        json!(["maxStep"]),
        json!(["rate"]),
        json!(["rate", "burst"]),
        json!(["rate", "perSecond"]),
        json!(["cooldownMs"]),
        json!(["hysteresis"]),
        json!(["contract"]),
        json!(["contract", "name"]),
        json!(["contract", "bind"]),
        json!(["contract", "bind", "limit"]),
        json!(["costs"]),
        json!(["costs", "cpu_cores"]),
        json!(["benefitPerStrength"]),
        json!(["description"]),
        json!(["zzz"]),
        json!(["value", "zzz"]),
        json!(["rate", "zzz"]),
        json!(["contract", "zzz"]),
        json!(["costs", "zzz"]),
    ]
    .into()
}

fn values() -> Vec<Value> {
    vec![
        json!(null),
        json!("x"),
        json!(""),
        json!(-1),
        json!(0),
        json!(0.5),
        json!(1e300),
        json!(true),
        json!([]),
        json!({}),
        json!("{target}.x"),
        json!("$value"),
        json!("g*u"),
    ]
}

/// Sets (or with `None` removes) the value at `path` inside `root`, creating objects for
/// missing or non-object intermediate steps; an array index out of range is appended.
/// `__test__/gate_config.test.ts` implements exactly the same.
pub fn apply(root: &mut Value, path: &[Value], set: Option<&Value>) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut node = root;
    for seg in parents {
        node = match seg {
            Value::Number(n) => {
                let i = n.as_u64().unwrap() as usize;
                if !node.is_array() {
                    *node = json!([]);
                }
                let a = node.as_array_mut().unwrap();
                if i >= a.len() {
                    a.push(json!({}));
                }
                let len = a.len();
                &mut a[i.min(len - 1)]
            }
            _ => {
                if !node.is_object() {
                    *node = Value::Object(Map::new());
                }
                node.as_object_mut()
                    .unwrap()
                    .entry(seg.as_str().unwrap())
                    .or_insert(json!({}))
            }
        };
    }
    match last {
        Value::Number(n) => {
            let i = n.as_u64().unwrap() as usize;
            if !node.is_array() {
                *node = json!([]);
            }
            let a = node.as_array_mut().unwrap();
            match set {
                Some(v) if i < a.len() => a[i] = v.clone(),
                Some(v) => a.push(v.clone()),
                None if i < a.len() => {
                    a.remove(i);
                }
                None => {}
            }
        }
        _ => {
            if !node.is_object() {
                *node = Value::Object(Map::new());
            }
            let o = node.as_object_mut().unwrap();
            let key = last.as_str().unwrap();
            match set {
                Some(v) => {
                    o.insert(key.to_string(), v.clone());
                }
                None => {
                    o.remove(key);
                }
            }
        }
    }
}

fn generate() -> Value {
    let sample: Value = serde_json::from_str(SAMPLE).unwrap();
    let mut cases = Vec::new();
    for kind in KINDS {
        for field in fields() {
            let path: Vec<Value> = std::iter::once(json!("actions"))
                .chain(std::iter::once(json!(kind)))
                .chain(field.as_array().unwrap().iter().cloned())
                .collect();
            let mut ops: Vec<Option<Value>> = values().into_iter().map(Some).collect();
            ops.push(None);
            for op in ops {
                let mut doc = sample.clone();
                apply(&mut doc, &path, op.as_ref());
                let verdict = match GateConfig::from_value(&doc) {
                    Ok(_) => Value::Null,
                    Err(e) => json!(e.path),
                };
                let mut case = Map::new();
                case.insert("at".into(), Value::Array(path.clone()));
                match op {
                    Some(v) => case.insert("set".into(), v),
                    None => case.insert("delete".into(), json!(true)),
                };
                case.insert("path".into(), verdict);
                cases.push(Value::Object(case));
            }
        }
    }
    Value::Array(cases)
}

fn render(cases: &Value) -> String {
    let lines: Vec<String> = cases
        .as_array()
        .unwrap()
        .iter()
        .map(|c| format!("  {c}"))
        .collect();
    format!("[\n{}\n]\n", lines.join(",\n"))
}

#[test]
fn mutation_corpus_is_what_serde_says() {
    let file =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../samples/gate_configs/mutations.json");
    let generated = render(&generate());
    if std::env::var_os("GATE_BLESS").is_some() {
        std::fs::write(&file, &generated).unwrap();
    }
    let stored = std::fs::read_to_string(&file).unwrap_or_default();
    assert!(
        stored == generated,
        "samples/gate_configs/mutations.json is stale; rerun with GATE_BLESS=1 and review the diff"
    );
    let cases: Vec<Value> = serde_json::from_str(&stored).unwrap();
    let rejected = cases.iter().filter(|c| !c["path"].is_null()).count();
    // Most mutations break the document; some (null on an Option, a valid value) do not.
    assert!(cases.len() > 800 && rejected > 500 && rejected < cases.len());
}
