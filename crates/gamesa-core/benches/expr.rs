//! Expression evaluation and compile time: ours (`gamesa_core::expr`) against the `cel` crate
//! (cel-rust) and `evalexpr`, on the same rule-like expressions with the same values.
//!
//! Run: `cargo bench -p gamesa-core --bench expr -- --warm-up-time 1 --measurement-time 3`.
//!
//! Fairness notes:
//! - All three compile once outside the timed loop and evaluate the prepared program.
//! - Bindings are prepared once outside the loop for all three: our slot array, cel's
//!   `Context` with its variables, evalexpr's `HashMapContext`. None of the libraries forces a
//!   per-evaluation context rebuild, so none is timed (a host re-binding changed values each
//!   tick would pay extra in cel/evalexpr: a String-keyed map insert per variable).
//! - Names are plain identifiers (`cpu_util`) in all three: in cel a dotted name is a field
//!   selection on a map, which would add lookups that are not part of the comparison.
//! - evalexpr has no `?:`; its nearest equivalent is the `if(c, a, b)` function (eager).
//! - cel's standard library has no `max`; the CEL spelling is `math.greatest` from the math
//!   extension (cel-go's `ext.Math()`), so cel compiles against `Env::stdlib()` plus that
//!   extension, and its context is built on the same environment.
//! - Before timing, every expression's three results are checked equal.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use gamesa_core::expr::{Env, Program, Value};
use std::hint::black_box;
use std::sync::Arc;

/// A variable's name and value.
const VARS: [(&str, Value); 14] = [
    ("cpu_util", Value::Double(0.93)),
    ("gpu_util", Value::Double(0.41)),
    ("thermal_headroom_c", Value::Double(7.5)),
    ("temp_c", Value::Double(83.5)),
    ("target_c", Value::Double(80.0)),
    ("power_w", Value::Double(231.0)),
    ("interval_s", Value::Double(0.5)),
    ("budget_j", Value::Double(0.1)),
    ("a", Value::Double(3.25)),
    ("b", Value::Double(1.75)),
    ("c", Value::Double(0.5)),
    ("queue_len", Value::Int(240)),
    ("dropped", Value::Int(12)),
    ("mem_free_mb", Value::Int(2048)),
];

/// (label, ours, cel, evalexpr): the same rule in each syntax.
const EXPRESSIONS: [(&str, &str, &str, &str); 9] = [
    (
        "thermal_and",
        "cpu_util > 0.9 && thermal_headroom_c < 10.0",
        "cpu_util > 0.9 && thermal_headroom_c < 10.0",
        "cpu_util > 0.9 && thermal_headroom_c < 10.0",
    ),
    (
        "weighted_mean",
        "(a * 0.5 + b * 0.3 + c * 0.2) / (a + b + c)",
        "(a * 0.5 + b * 0.3 + c * 0.2) / (a + b + c)",
        "(a * 0.5 + b * 0.3 + c * 0.2) / (a + b + c)",
    ),
    (
        "int_compare",
        "queue_len > 100 && queue_len - dropped < 500",
        "queue_len > 100 && queue_len - dropped < 500",
        "queue_len > 100 && queue_len - dropped < 500",
    ),
    (
        "ternary",
        "temp_c > 80.0 ? 0.5 : 1.0",
        "temp_c > 80.0 ? 0.5 : 1.0",
        "if(temp_c > 80.0, 0.5, 1.0)",
    ),
    (
        "max_call",
        "max(a, b) * 2.0",
        "math.greatest(a, b) * 2.0",
        "max(a, b) * 2.0",
    ),
    (
        "nested_logic",
        "(cpu_util > 0.8 || gpu_util > 0.8) && !(mem_free_mb < 512) && (power_w < 250.0 || queue_len >= 300)",
        "(cpu_util > 0.8 || gpu_util > 0.8) && !(mem_free_mb < 512) && (power_w < 250.0 || queue_len >= 300)",
        "(cpu_util > 0.8 || gpu_util > 0.8) && !(mem_free_mb < 512) && (power_w < 250.0 || queue_len >= 300)",
    ),
    (
        "energy_budget",
        "power_w * 0.001 * interval_s > budget_j",
        "power_w * 0.001 * interval_s > budget_j",
        "power_w * 0.001 * interval_s > budget_j",
    ),
    (
        "deadband",
        "temp_c - target_c > 2.5 || target_c - temp_c > 2.5",
        "temp_c - target_c > 2.5 || target_c - temp_c > 2.5",
        "temp_c - target_c > 2.5 || target_c - temp_c > 2.5",
    ),
    (
        "arith_chain",
        "(power_w - 200.0) * 0.25 + (temp_c - target_c) * 1.5 - thermal_headroom_c * 0.1",
        "(power_w - 200.0) * 0.25 + (temp_c - target_c) * 1.5 - thermal_headroom_c * 0.1",
        "(power_w - 200.0) * 0.25 + (temp_c - target_c) * 1.5 - thermal_headroom_c * 0.1",
    ),
];

/// A result in a form the three libraries can be compared in.
#[derive(Debug, PartialEq)]
enum Common {
    Bool(bool),
    Int(i64),
    Double(f64),
}

fn ours_env() -> Env {
    VARS.iter()
        .fold(Env::new(), |env, (name, v)| env.declare(name, v.type_of()))
}

fn ours_common(v: Value) -> Common {
    match v {
        Value::Bool(b) => Common::Bool(b),
        Value::Int(i) => Common::Int(i),
        Value::Double(d) => Common::Double(d),
        Value::Uint(u) => panic!("no uint in this benchmark: {u}"),
    }
}

/// cel's standard environment with the math extension (`math.greatest`).
fn cel_env() -> Arc<cel::Env> {
    let mut env = cel::Env::stdlib();
    env.add_extension(cel::extensions::math)
        .expect("the math extension loads");
    Arc::new(env)
}

fn cel_context(env: &Arc<cel::Env>) -> cel::Context<'static, 'static> {
    let mut ctx = cel::Context::with_env(env.clone());
    for (name, v) in VARS {
        match v {
            Value::Double(d) => ctx.add_variable(name, d).unwrap(),
            Value::Int(i) => ctx.add_variable(name, i).unwrap(),
            other => panic!("unexpected {other:?}"),
        }
    }
    ctx
}

fn cel_common(v: cel::Value) -> Common {
    match v {
        cel::Value::Bool(b) => Common::Bool(b),
        cel::Value::Int(i) => Common::Int(i),
        cel::Value::Float(d) => Common::Double(d),
        other => panic!("unexpected cel value {other:?}"),
    }
}

fn evalexpr_context() -> evalexpr::HashMapContext {
    use evalexpr::ContextWithMutableVariables;
    let mut ctx = evalexpr::HashMapContext::new();
    for (name, v) in VARS {
        let value = match v {
            Value::Double(d) => evalexpr::Value::Float(d),
            Value::Int(i) => evalexpr::Value::Int(i),
            other => panic!("unexpected {other:?}"),
        };
        ctx.set_value(name.to_string(), value).unwrap();
    }
    ctx
}

fn evalexpr_common(v: evalexpr::Value) -> Common {
    match v {
        evalexpr::Value::Boolean(b) => Common::Bool(b),
        evalexpr::Value::Int(i) => Common::Int(i),
        evalexpr::Value::Float(d) => Common::Double(d),
        other => panic!("unexpected evalexpr value {other:?}"),
    }
}

fn evaluation(c: &mut Criterion) {
    let env = ours_env();
    let slots: Vec<Value> = VARS.iter().map(|(_, v)| *v).collect();
    let cel_env = cel_env();
    let cel_ctx = cel_context(&cel_env);
    let ee_ctx = evalexpr_context();
    for (label, ours_src, cel_src, ee_src) in EXPRESSIONS {
        let ours = Program::compile(ours_src, &env).unwrap();
        let cel_prog = cel_env.compile(cel_src).unwrap();
        let ee = evalexpr::build_operator_tree::<evalexpr::DefaultNumericTypes>(ee_src).unwrap();
        // Same answer from all three before anything is timed.
        let a = ours_common(ours.eval_slots(&slots).unwrap());
        let b = cel_common(cel_prog.execute(&cel_ctx).unwrap());
        let e = evalexpr_common(ee.eval_with_context(&ee_ctx).unwrap());
        assert!(
            a == b && b == e,
            "{label}: ours {a:?}, cel {b:?}, evalexpr {e:?}"
        );

        let mut group = c.benchmark_group(format!("eval/{label}"));
        group.bench_function("ours", |bench| {
            bench.iter(|| ours.eval_slots(black_box(&slots)))
        });
        group.bench_function("cel", |bench| {
            bench.iter(|| cel_prog.execute(black_box(&cel_ctx)))
        });
        group.bench_function("evalexpr", |bench| {
            bench.iter(|| ee.eval_with_context(black_box(&ee_ctx)))
        });
        group.finish();
    }
}

fn compilation(c: &mut Criterion) {
    let env = ours_env();
    let cel_env = cel_env();
    let mut group = c.benchmark_group("compile");
    for (label, ours_src, cel_src, ee_src) in EXPRESSIONS {
        group.bench_with_input(BenchmarkId::new("ours", label), ours_src, |bench, src| {
            bench.iter(|| Program::compile(black_box(src), &env))
        });
        group.bench_with_input(BenchmarkId::new("cel", label), cel_src, |bench, src| {
            bench.iter(|| cel_env.compile(black_box(src)))
        });
        group.bench_with_input(BenchmarkId::new("evalexpr", label), ee_src, |bench, src| {
            bench.iter(|| {
                evalexpr::build_operator_tree::<evalexpr::DefaultNumericTypes>(black_box(src))
            })
        });
    }
    group.finish();
}

criterion_group!(benches, evaluation, compilation);
criterion_main!(benches);
