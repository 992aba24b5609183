//! The feature engine: transforms with exact values, parameters, declaration order, and every
//! documented problem.

use gamesa_core::ErrorCode;
use gamesa_core::expr::{Env, Type, Value};
use gamesa_core::features::{
    FeatureDef, FeatureSet, Params, Preset, ScalePresets, Snapshot, Transform, telemetry_catalog,
};

fn env() -> Env {
    Env::new()
        .declare("x", Type::Double)
        .declare("n", Type::Int)
        .declare("u", Type::Uint)
        .declare("ok", Type::Bool)
}

/// Compiles one inline feature over `x` and computes it for `x`.
fn one(transform: &str, params: &str, x: f64) -> f64 {
    let doc = format!(
        r#"{{"features":[{{"name":"f","source":"x","transform":"{transform}"{params}}}]}}"#
    );
    let set = FeatureSet::from_json(&doc, &env()).unwrap();
    let out = set.compute_named(&[("x", Value::Double(x))]).unwrap();
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].0, "feat.f");
    out[0].1
}

#[test]
fn every_transform_gives_its_formula() {
    let p = r#","alpha":2,"beta":0.5,"theta":3"#;
    let (a, b, t) = (2.0_f64, 0.5_f64, 3.0_f64);
    let x = 0.25_f64;
    assert_eq!(one("linear", p, x), a * x + b);
    assert_eq!(one("linear", p, 4.0), 8.5);
    assert_eq!(one("sin", p, x), a * (t * x).sin() + b);
    assert_eq!(one("cos", p, x), a * (t * x).cos() + b);
    assert_eq!(one("tanh", p, x), a * (t * x).tanh() + b);
    assert_eq!(one("log1p", p, x), a * (t * x).ln_1p() + b);
    // Exact points of each curve.
    assert_eq!(one("sin", p, 0.0), 0.5);
    assert_eq!(one("cos", p, 0.0), 2.5);
    assert_eq!(one("tanh", p, 0.0), 0.5);
    assert_eq!(one("log1p", p, 0.0), 0.5);
    assert_eq!(
        one("log1p", r#","theta":1"#, std::f64::consts::E - 1.0),
        1.0
    );
    // clamp01 scales then clamps: 40..100 → 0..1.
    let c = r#","alpha":0.025,"beta":-1"#;
    assert_eq!(one("clamp01", c, 60.0), 0.5);
    assert_eq!(one("clamp01", c, 10.0), 0.0);
    assert_eq!(one("clamp01", c, 100.0), 1.0);
    assert!(one("clamp01", c, f64::NAN).is_nan());
    // log1p below its domain is NaN, as IEEE 754 says.
    assert!(one("log1p", "", -2.0).is_nan());
}

#[test]
fn defaults_are_identity_parameters() {
    for t in Transform::ALL {
        let got = one(t.as_str(), "", 0.3);
        assert_eq!(got, t.apply(0.3, Params::default()), "{t}");
    }
    assert_eq!(one("linear", "", 0.3), 0.3);
    assert_eq!(one("clamp01", "", 7.0), 1.0);
    assert_eq!(one("linear", r#","beta":1"#, 0.5), 1.5);
}

#[test]
fn presets_supply_parameters() {
    let doc = r#"{"presets":{"half":{"alpha":0.5,"beta":1,"theta":2}},
        "features":[{"name":"a","source":"x","transform":"linear","preset":"half"},
                    {"name":"b","source":"x","transform":"sin","preset":"half"}]}"#;
    let set = FeatureSet::from_json(doc, &env()).unwrap();
    let out = set.compute_named(&[("x", Value::Double(3.0))]).unwrap();
    assert_eq!(out[0], ("feat.a".to_string(), 2.5));
    assert_eq!(out[1], ("feat.b".to_string(), 0.5 * 6.0_f64.sin() + 1.0));
}

#[test]
fn sources_are_expressions_and_integers_become_doubles() {
    let doc = r#"{"features":[
        {"name":"sum","source":"double(n) + x * 2.0","transform":"linear"},
        {"name":"count","source":"u","transform":"linear"},
        {"name":"sel","source":"ok ? n : -n","transform":"linear","alpha":0.5}]}"#;
    let set = FeatureSet::from_json(doc, &env()).unwrap();
    let out = set
        .compute_named(&[
            ("x", Value::Double(1.5)),
            ("n", Value::Int(4)),
            ("u", Value::Uint(7)),
            ("ok", Value::Bool(false)),
        ])
        .unwrap();
    let values: Vec<f64> = out.iter().map(|(_, v)| *v).collect();
    assert_eq!(values, vec![7.0, 7.0, -2.0]);
}

#[test]
fn features_see_earlier_features_in_declaration_order() {
    let doc = r#"{"features":[
        {"name":"a","source":"x","transform":"linear","alpha":2},
        {"name":"b","source":"feat.a + 1.0","transform":"linear"},
        {"name":"c","source":"feat.a * feat.b","transform":"linear"}]}"#;
    let set = FeatureSet::from_json(doc, &env()).unwrap();
    let names: Vec<&str> = set.env().names().map(|(n, _)| n).collect();
    assert_eq!(names, ["x", "n", "u", "ok", "feat.a", "feat.b", "feat.c"]);
    assert_eq!(set.env().type_of("feat.c"), Some(Type::Double));
    let out = set.compute_named(&[("x", Value::Double(3.0))]).unwrap();
    assert_eq!(out[2], ("feat.c".to_string(), 42.0));
}

#[test]
fn absent_inputs_leave_the_feature_absent_and_reported() {
    let doc = r#"{"features":[
        {"name":"a","source":"x","transform":"linear"},
        {"name":"b","source":"n / 0","transform":"linear"},
        {"name":"c","source":"feat.a + 1.0","transform":"linear"},
        {"name":"d","source":"double(u)","transform":"linear"}]}"#;
    let set = FeatureSet::from_json(doc, &env()).unwrap();
    let mut snap = Snapshot::new(set.env());
    snap.set_named("n", Value::Int(1)).unwrap();
    snap.set_named("u", Value::Uint(9)).unwrap();
    let report = set.compute(&mut snap).unwrap();
    // a: x absent; b: division by zero; c: depends on the absent a; d computed.
    assert_eq!(report.missing, vec![(0, 0), (2, set.features()[0].slot)]);
    assert_eq!(report.errors.len(), 1);
    assert_eq!(report.errors[0].0, 1);
    assert_eq!(snap.get_named("feat.a"), None);
    assert_eq!(snap.get_named("feat.b"), None);
    assert_eq!(snap.get_named("feat.d"), Some(Value::Double(9.0)));
    // A later tick with x present computes a and c; a stale value never survives.
    snap.set_named("x", Value::Double(2.0)).unwrap();
    snap.unset(2);
    let report = set.compute(&mut snap).unwrap();
    assert_eq!(snap.get_named("feat.c"), Some(Value::Double(3.0)));
    assert_eq!(snap.get_named("feat.d"), None);
    assert_eq!(report.missing, vec![(3, 2)]);
}

/// `(path, id, (line, column), message)` of a problem.
type Found = (String, Option<String>, Option<(u32, u32)>, String);

fn problems(doc: &str) -> Vec<Found> {
    let e = FeatureSet::from_json(doc, &env()).unwrap_err();
    assert_eq!(e.code(), "INVALID_CONFIG");
    e.problems
        .into_iter()
        .map(|p| {
            let pos = p.line.zip(p.column);
            (p.path, p.id, pos, p.message)
        })
        .collect()
}

#[test]
fn unknown_preset_is_reported_with_the_known_ones() {
    let p = problems(
        r#"{"presets":{"a":{"alpha":1,"beta":0,"theta":1}},
            "features":[{"name":"f","source":"x","transform":"linear","preset":"b"}]}"#,
    );
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].0, "$.features[0].preset");
    assert_eq!(p[0].1.as_deref(), Some("f"));
    assert!(
        p[0].3.contains("unknown preset `b`") && p[0].3.contains("known: a"),
        "{}",
        p[0].3
    );
}

#[test]
fn preset_and_inline_parameters_exclude_each_other() {
    let p = problems(
        r#"{"presets":{"a":{"alpha":1,"beta":0,"theta":1}},
            "features":[{"name":"f","source":"x","transform":"linear","preset":"a","beta":2}]}"#,
    );
    assert_eq!(p[0].0, "$.features[0].preset");
    assert!(p[0].3.contains("not both"));
}

#[test]
fn non_finite_parameters_are_rejected() {
    let mut f = FeatureDef::new("f", "x", Transform::Linear);
    f.theta = Some(f64::NAN);
    let mut doc = ScalePresets {
        features: vec![f],
        ..ScalePresets::default()
    };
    doc.presets.insert(
        "p".into(),
        Preset {
            alpha: f64::INFINITY,
            beta: 0.0,
            theta: 1.0,
            description: None,
        },
    );
    let e = FeatureSet::compile(&doc, &env()).unwrap_err();
    let paths: Vec<&str> = e.problems.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(paths, ["$.presets.p.alpha", "$.features[0].theta"]);
    assert!(e.problems[1].message.contains("finite"));
    // JSON cannot spell NaN; a number too large for a double is reported at its path.
    let p =
        problems(r#"{"features":[{"name":"f","source":"x","transform":"linear","alpha":1e999}]}"#);
    assert_eq!(p[0].0, "$.features[0].alpha");
}

#[test]
fn a_bad_source_has_its_line_and_column() {
    let p = problems(r#"{"features":[{"name":"f","source":"x +\n  y","transform":"linear"}]}"#);
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].0, "$.features[0].source");
    assert_eq!(p[0].2, Some((2, 3)));
    let p = problems(r#"{"features":[{"name":"f","source":"ok","transform":"linear"}]}"#);
    assert!(p[0].3.contains("must be a number"), "{}", p[0].3);
}

#[test]
fn forward_references_and_cycles_are_rejected() {
    let p = problems(
        r#"{"features":[
            {"name":"a","source":"feat.b * 2.0","transform":"linear"},
            {"name":"b","source":"x + feat.a","transform":"linear"},
            {"name":"c","source":"1.0 + feat.c","transform":"linear"}]}"#,
    );
    assert_eq!(p.len(), 2, "{p:?}");
    assert_eq!(p[0].0, "$.features[0].source");
    assert_eq!(p[0].2, Some((1, 1)));
    assert!(p[0].3.contains("declared after"), "{}", p[0].3);
    assert_eq!(p[1].0, "$.features[2].source");
    assert_eq!(p[1].2, Some((1, 7)));
    assert!(p[1].3.contains("its own value"), "{}", p[1].3);
}

#[test]
fn every_problem_is_reported_at_once() {
    let p = problems(
        r#"{"presets":{"bad":{"alpha":1,"beta":0}},
            "features":[
            {"name":"dup","source":"x","transform":"linear"},
            {"name":"dup","source":"x","transform":"linear"},
            {"name":"9x","source":"x","transform":"linear"},
            {"name":"t","source":"x","transform":"cube"},
            {"name":"e","source":"x","transform":"linear","extra":1},
            {"name":"s","source":"nope","transform":"linear"}]}"#,
    );
    let paths: Vec<&str> = p.iter().map(|p| p.0.as_str()).collect();
    assert_eq!(
        paths,
        [
            "$.presets.bad.theta",
            "$.features[3].transform",
            "$.features[4].extra",
            "$.features[1].name",
            "$.features[2].name",
            "$.features[5].source",
        ]
    );
    assert!(p[2].3.contains("unknown field `extra`"), "{}", p[2].3);
}

#[test]
fn structure_errors_name_their_path() {
    let p = problems(r#"{"features":[], "extra": true}"#);
    assert_eq!(p[0].0, "$.extra");
    assert!(p[0].3.contains("unknown field `extra`"));
    let p = problems(r#"{"presets":{}}"#);
    assert_eq!(p[0].0, "$.features");
    let p = problems(r#"{"features":[["f","x","linear"]]}"#);
    assert_eq!(p[0].0, "$.features[0]");
    let p = problems("{\"features\": [}");
    assert_eq!(p[0].0, "$");
    assert!(p[0].3.contains("line 1"), "{}", p[0].3);
    let p = problems("[]");
    assert!(p[0].3.contains("object"));
}

#[test]
fn a_feature_may_not_shadow_a_declared_variable() {
    let base = env().declare("feat.x", Type::Double);
    let e = FeatureSet::from_json(
        r#"{"features":[{"name":"x","source":"x","transform":"linear"}]}"#,
        &base,
    )
    .unwrap_err();
    assert_eq!(e.problems[0].path, "$.features[0].name");
}

#[test]
fn the_sample_compiles_against_the_catalog_and_computes() {
    let text = include_str!("../../../samples/scale_presets.json");
    let set = FeatureSet::from_json(text, &telemetry_catalog()).unwrap();
    assert_eq!(set.len(), 7);
    let mut snap = Snapshot::new(set.env());
    for (name, v) in [
        ("thermal.cpu_c", 70.0),
        ("gpu0.temp_c", 85.0),
        ("gpu0.power_w", 300.0),
        ("gpu0.power_limit_w", 400.0),
        ("cpu.util", 0.5),
        ("mem.psi_some_avg10", 0.0),
        ("thermal.headroom_c", 30.0),
    ] {
        snap.set_named(name, Value::Double(v)).unwrap();
    }
    assert!(set.compute(&mut snap).unwrap().is_clean());
    let get = |n: &str| match snap.get_named(n) {
        Some(Value::Double(x)) => x,
        other => panic!("{n}: {other:?}"),
    };
    assert!((get("feat.cpu_heat") - 0.5).abs() < 1e-12);
    assert!((get("feat.thermal_stress") - 0.75).abs() < 1e-12);
    assert_eq!(get("feat.gpu0_power_ratio"), 0.75);
    assert_eq!(get("feat.cpu_saturation"), 1.0_f64.tanh());
    assert_eq!(get("feat.mem_stall"), 0.0);
    assert_eq!(get("feat.headroom_deficit"), 0.0);
}

#[test]
fn a_source_that_fails_on_every_evaluation_is_a_problem() {
    let p = problems(
        r#"{"features":[{"name":"f","source":"x + double(1 / 0)","transform":"linear"}]}"#,
    );
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!(p[0].0, "$.features[0].source");
    assert_eq!(p[0].2, Some((1, 14)));
    assert!(p[0].3.contains("division by zero"), "{p:?}");
}
