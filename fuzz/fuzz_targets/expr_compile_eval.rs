//! Structured input: an expression built from a token stream (so most inputs parse and
//! type-check and the evaluator is actually exercised) plus random bindings -> compile +
//! `eval_slots` and `eval_named`. Must never panic; a successful result has the program's
//! static result type, and the two evaluation paths agree. Sources the checker rejects are
//! compiled with `Program::compile_unchecked` (CEL's disable_check) and run the same way, so
//! the run-time overload dispatch is fuzzed too.
#![no_main]

use gamesa_core::expr::{Env, Program, Type, Value};
use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;

const NAMES: [(&str, Type); 8] = [
    ("i", Type::Int),
    ("j", Type::Int),
    ("u", Type::Uint),
    ("v", Type::Uint),
    ("d", Type::Double),
    ("e", Type::Double),
    ("b", Type::Bool),
    ("gpu0.temp_c", Type::Double),
];

const OPS: [&str; 16] = [
    "+", "-", "*", "/", "%", "==", "!=", "<", "<=", ">", ">=", "&&", "||", "!", "?", ":",
];

/// A name outside the built-ins, so unknown-function errors get exercised too.
const UNKNOWN_FUNCTION: &str = "size";

#[derive(Arbitrary, Debug)]
enum Tok {
    Int(i64),
    Uint(u64),
    Double(f64),
    SmallInt(i8),
    Bool(bool),
    Var(u8),
    Op(u8),
    Func(u8),
    Open,
    Close,
    Comma,
    /// Raw text, to reach lexer corners from inside otherwise valid expressions.
    Raw(String),
}

#[derive(Arbitrary, Debug)]
struct Input {
    tokens: Vec<Tok>,
    ints: [i64; 2],
    uints: [u64; 2],
    doubles: [f64; 3],
    flag: bool,
    /// Bindings for `eval_named`, possibly wrong-typed or missing.
    named: Vec<(u8, RawValue)>,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum RawValue {
    Int(i64),
    Uint(u64),
    Double(f64),
    Bool(bool),
}

impl From<RawValue> for Value {
    fn from(r: RawValue) -> Value {
        match r {
            RawValue::Int(x) => Value::Int(x),
            RawValue::Uint(x) => Value::Uint(x),
            RawValue::Double(x) => Value::Double(x),
            RawValue::Bool(x) => Value::Bool(x),
        }
    }
}

fn render(tokens: &[Tok]) -> String {
    let mut s = String::new();
    for t in tokens {
        match t {
            Tok::Int(x) => s.push_str(&x.to_string()),
            Tok::Uint(x) => s.push_str(&format!("{x}u")),
            Tok::Double(x) if x.is_finite() => s.push_str(&format!("{x:?}")),
            Tok::Double(_) => s.push_str("1.5e308"),
            Tok::SmallInt(x) => s.push_str(&x.to_string()),
            Tok::Bool(x) => s.push_str(if *x { "true" } else { "false" }),
            Tok::Var(i) => s.push_str(NAMES[*i as usize % NAMES.len()].0),
            Tok::Op(i) => s.push_str(OPS[*i as usize % OPS.len()]),
            Tok::Func(i) => {
                // The built-ins plus one unknown name.
                let builtins = gamesa_core::expr::functions();
                let k = *i as usize % (builtins.len() + 1);
                s.push_str(builtins.get(k).copied().unwrap_or(UNKNOWN_FUNCTION));
                s.push('(');
            }
            Tok::Open => s.push('('),
            Tok::Close => s.push(')'),
            Tok::Comma => s.push(','),
            Tok::Raw(r) => s.push_str(r),
        }
        s.push(' ');
    }
    s
}

fuzz_target!(|input: Input| {
    let mut env = Env::new();
    for (name, ty) in NAMES {
        env = env.declare(name, ty);
    }
    let source = render(&input.tokens);
    let program = match Program::compile(&source, &env) {
        Ok(p) => p,
        Err(_) => match Program::compile_unchecked(&source, &env) {
            Ok(p) => p,
            Err(_) => return,
        },
    };
    let slots: Vec<Value> = NAMES
        .iter()
        .enumerate()
        .map(|(k, (_, ty))| match ty {
            Type::Int => Value::Int(input.ints[k % 2]),
            Type::Uint => Value::Uint(input.uints[k % 2]),
            Type::Double => Value::Double(input.doubles[k % 3]),
            Type::Bool => Value::Bool(input.flag),
        })
        .collect();
    let fast = program.eval_slots(&slots);
    if let Ok(v) = fast {
        assert_eq!(v.type_of(), program.result_type(), "{source}");
    }
    // The named path with the same values must agree with the slot path exactly.
    let named: Vec<(&str, Value)> = NAMES
        .iter()
        .map(|(n, _)| *n)
        .zip(slots.iter().copied())
        .collect();
    let slow = program.eval_named(&named);
    match (&fast, &slow) {
        (Ok(a), Ok(b)) => assert!(same(a, b), "{source}: {a:?} vs {b:?}"),
        (Err(a), Err(b)) => {
            assert_eq!(format!("{:?}", a.kind), format!("{:?}", b.kind), "{source}")
        }
        _ => panic!("{source}: eval_slots {fast:?} but eval_named {slow:?}"),
    }
    // Random (possibly wrong-typed, possibly missing) bindings: an error is fine, a panic not.
    let random: Vec<(&str, Value)> = input
        .named
        .iter()
        .map(|(i, r)| (NAMES[*i as usize % NAMES.len()].0, Value::from(*r)))
        .collect();
    if let Ok(v) = program.eval_named(&random) {
        assert_eq!(v.type_of(), program.result_type(), "{source}");
    }
});

/// Equality that treats NaN as equal to NaN and distinguishes -0.0 from 0.0.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Double(x), Value::Double(y)) => {
            x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan())
        }
        _ => a == b,
    }
}
