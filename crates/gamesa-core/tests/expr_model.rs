//! Model test: random well-typed expressions over variables are compiled and evaluated, and
//! the result (value or error kind) must equal that of a plain tree-walking reference
//! evaluator written here independently (i128 arithmetic for overflow, its own comparisons
//! and conversions), so the compiler's typing, folding, specialised nodes and error
//! absorption are all checked against a direct reading of the semantics.

use gamesa_core::expr::{Env, EvalErrorKind, Program, Type, Value};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum E {
    Lit(Value),
    Var(&'static str),
    Arith(&'static str, Box<E>, Box<E>),
    Neg(Box<E>),
    Not(Box<E>),
    Logic(bool, Box<E>, Box<E>),
    Cmp(&'static str, Box<E>, Box<E>),
    Cond(Box<E>, Box<E>, Box<E>),
    Call(&'static str, Vec<E>),
}

const VARS: [(&str, Type); 8] = [
    ("i", Type::Int),
    ("j", Type::Int),
    ("u", Type::Uint),
    ("v", Type::Uint),
    ("d", Type::Double),
    ("e", Type::Double),
    ("p", Type::Bool),
    ("q", Type::Bool),
];

fn render(e: &E) -> String {
    match e {
        E::Lit(Value::Int(v)) => v.to_string(),
        E::Lit(Value::Uint(v)) => format!("{v}u"),
        E::Lit(Value::Double(v)) => format!("{v:?}"),
        E::Lit(Value::Bool(v)) => v.to_string(),
        E::Var(n) => (*n).to_string(),
        E::Arith(op, a, b) | E::Cmp(op, a, b) => format!("({} {op} {})", render(a), render(b)),
        E::Neg(a) => format!("-({})", render(a)),
        E::Not(a) => format!("!({})", render(a)),
        E::Logic(and, a, b) => format!(
            "({} {} {})",
            render(a),
            if *and { "&&" } else { "||" },
            render(b)
        ),
        E::Cond(c, t, f) => format!("({} ? {} : {})", render(c), render(t), render(f)),
        E::Call(f, args) => format!(
            "{f}({})",
            args.iter().map(render).collect::<Vec<_>>().join(", ")
        ),
    }
}

fn int_lit() -> impl Strategy<Value = i64> {
    prop_oneof![
        0i64..20,
        Just(i64::MAX),
        Just(i64::MAX - 1),
        0i64..=i64::MAX,
        Just(4_611_686_018_427_387_904)
    ]
}
fn uint_lit() -> impl Strategy<Value = u64> {
    prop_oneof![0u64..20, Just(u64::MAX), any::<u64>(), Just(1u64 << 63)]
}
fn double_lit() -> impl Strategy<Value = f64> {
    prop_oneof![
        (0u32..40).prop_map(|n| f64::from(n) / 4.0),
        Just(0.0),
        Just(9_223_372_036_854_775_808.0),
        Just(18_446_744_073_709_551_616.0),
        Just(1e300),
        (0.0f64..1e20)
    ]
}

fn leaf(ty: Type) -> BoxedStrategy<E> {
    let vars: Vec<&'static str> = VARS
        .iter()
        .filter(|(_, t)| *t == ty)
        .map(|(n, _)| *n)
        .collect();
    let var = proptest::sample::select(vars).prop_map(E::Var);
    match ty {
        Type::Int => prop_oneof![int_lit().prop_map(|v| E::Lit(Value::Int(v))), var].boxed(),
        Type::Uint => prop_oneof![uint_lit().prop_map(|v| E::Lit(Value::Uint(v))), var].boxed(),
        Type::Double => {
            prop_oneof![double_lit().prop_map(|v| E::Lit(Value::Double(v))), var].boxed()
        }
        Type::Bool => prop_oneof![any::<bool>().prop_map(|v| E::Lit(Value::Bool(v))), var].boxed(),
    }
}

fn idx(t: Type) -> usize {
    match t {
        Type::Int => 0,
        Type::Uint => 1,
        Type::Double => 2,
        Type::Bool => 3,
    }
}

/// Strategies for each type at `depth`, built bottom-up once (strategies are shared, so the
/// construction is linear in the depth rather than exponential).
fn strategies(depth: u32) -> [BoxedStrategy<E>; 4] {
    let mut level = Type::ALL.map(leaf);
    for _ in 0..depth {
        let below = level.clone();
        level = Type::ALL.map(|t| expr_of(t, &below));
    }
    level
}

fn expr_of(ty: Type, below: &[BoxedStrategy<E>; 4]) -> BoxedStrategy<E> {
    let below = below.clone();
    let sub = move |t: Type| below[idx(t)].clone();
    let b = |x: E| Box::new(x);
    let cond =
        (sub(Type::Bool), sub(ty), sub(ty)).prop_map(move |(c, t, f)| E::Cond(b(c), b(t), b(f)));
    match ty {
        Type::Int | Type::Uint | Type::Double => {
            let ops: Vec<&'static str> = if ty == Type::Double {
                vec!["+", "-", "*", "/"]
            } else {
                vec!["+", "-", "*", "/", "%"]
            };
            let arith = (proptest::sample::select(ops), sub(ty), sub(ty))
                .prop_map(move |(op, l, r)| E::Arith(op, b(l), b(r)));
            let pick = (
                proptest::sample::select(vec!["math.least", "math.greatest", "min", "max"]),
                proptest::collection::vec(sub(ty), 1..4),
            )
                .prop_map(|(f, args)| E::Call(f, args));
            let clamp =
                (sub(ty), sub(ty), sub(ty)).prop_map(|(x, l, h)| E::Call("clamp", vec![x, l, h]));
            let abs = sub(ty).prop_map(|x| E::Call("abs", vec![x]));
            let (conv_name, others) = match ty {
                Type::Int => ("int", [Type::Uint, Type::Double]),
                Type::Uint => ("uint", [Type::Int, Type::Double]),
                _ => ("double", [Type::Int, Type::Uint]),
            };
            let conv = prop_oneof![sub(others[0]), sub(others[1])]
                .prop_map(move |x| E::Call(conv_name, vec![x]));
            let mut options = vec![
                leaf(ty),
                arith.boxed(),
                cond.boxed(),
                pick.boxed(),
                clamp.boxed(),
                abs.boxed(),
                conv.boxed(),
            ];
            if ty != Type::Uint {
                options.push(sub(ty).prop_map(|x| E::Neg(Box::new(x))).boxed());
            }
            if ty == Type::Double {
                let f = proptest::sample::select(vec![
                    "sqrt", "exp", "ln", "sin", "cos", "tanh", "floor", "ceil", "round",
                ]);
                options.push(
                    (f, sub(Type::Double))
                        .prop_map(|(f, x)| E::Call(f, vec![x]))
                        .boxed(),
                );
            }
            proptest::strategy::Union::new(options).boxed()
        }
        Type::Bool => {
            let not = sub(Type::Bool).prop_map(|x| E::Not(Box::new(x)));
            let logic = (any::<bool>(), sub(Type::Bool), sub(Type::Bool))
                .prop_map(move |(and, l, r)| E::Logic(and, b(l), b(r)));
            let cmp_op = proptest::sample::select(vec!["==", "!=", "<", "<=", ">", ">="]);
            let num =
                proptest::sample::select(vec![Type::Int, Type::Uint, Type::Double, Type::Bool]);
            let s2 = sub.clone();
            let same = (cmp_op.clone(), num).prop_flat_map(move |(op, t)| (Just(op), s2(t), s2(t)));
            let same = same.prop_map(move |(op, l, r)| E::Cmp(op, b(l), b(r)));
            // Orderings across numeric types are well typed (cel-go's cross-type overloads).
            let ord = proptest::sample::select(vec!["<", "<=", ">", ">="]);
            let nums = proptest::sample::select(vec![Type::Int, Type::Uint, Type::Double]);
            let s3 = sub.clone();
            let cross =
                (ord, nums.clone(), nums).prop_flat_map(move |(op, a, c)| (Just(op), s3(a), s3(c)));
            let cross = cross.prop_map(move |(op, l, r)| E::Cmp(op, b(l), b(r)));
            // ... and so are `==`/`!=` with a dyn operand.
            let eqop = proptest::sample::select(vec!["==", "!="]);
            let nums = proptest::sample::select(vec![Type::Int, Type::Uint, Type::Double]);
            let s4 = sub.clone();
            let dyn_eq = (eqop, nums.clone(), nums)
                .prop_flat_map(move |(op, a, c)| (Just(op), s4(a), s4(c)));
            let dyn_eq =
                dyn_eq.prop_map(move |(op, l, r)| E::Cmp(op, b(E::Call("dyn", vec![l])), b(r)));
            prop_oneof![leaf(Type::Bool), not, logic, same, cross, dyn_eq, cond].boxed()
        }
    }
}

// ---- the reference evaluator ----

type Res = Result<Value, EvalErrorKind>;

fn int(v: i128) -> Res {
    i64::try_from(v)
        .map(Value::Int)
        .map_err(|_| EvalErrorKind::Overflow)
}
fn uint(v: i128) -> Res {
    u64::try_from(v)
        .map(Value::Uint)
        .map_err(|_| EvalErrorKind::Overflow)
}

const P63: f64 = 9_223_372_036_854_775_808.0;
const P64: f64 = 18_446_744_073_709_551_616.0;

/// -1, 0, 1, or None when unordered (NaN).
fn order(a: Value, b: Value) -> Option<i8> {
    use Value::*;
    let sign = |x: std::cmp::Ordering| x as i8;
    match (a, b) {
        (Int(x), Int(y)) => Some(sign(x.cmp(&y))),
        (Uint(x), Uint(y)) => Some(sign(x.cmp(&y))),
        (Bool(x), Bool(y)) => Some(sign(x.cmp(&y))),
        (Int(x), Uint(y)) => Some(sign(i128::from(x).cmp(&i128::from(y)))),
        (Uint(x), Int(y)) => Some(sign(i128::from(x).cmp(&i128::from(y)))),
        (Double(x), Double(y)) => x.partial_cmp(&y).map(sign),
        (Double(x), Int(y)) => {
            if x.is_nan() {
                None
            } else if x < -P63 {
                Some(-1)
            } else if x > P63 {
                Some(1)
            } else {
                x.partial_cmp(&(y as f64)).map(sign)
            }
        }
        (Int(_), Double(_)) => order(b, a).map(|o| -o),
        (Double(x), Uint(y)) => {
            if x.is_nan() {
                None
            } else if x < 0.0 {
                Some(-1)
            } else if x > P64 {
                Some(1)
            } else {
                x.partial_cmp(&(y as f64)).map(sign)
            }
        }
        (Uint(_), Double(_)) => order(b, a).map(|o| -o),
        _ => unreachable!("generator compares only comparable types"),
    }
}

fn reference(e: &E, env: &[(&str, Value)]) -> Res {
    use Value::*;
    Ok(match e {
        E::Lit(v) => *v,
        E::Var(n) => env.iter().find(|(m, _)| m == n).map(|(_, v)| *v).unwrap(),
        E::Arith(op, a, b) => {
            let (x, y) = (reference(a, env)?, reference(b, env)?);
            match (x, y) {
                (Int(x), Int(y)) => {
                    let (x, y) = (i128::from(x), i128::from(y));
                    match *op {
                        "+" => int(x + y)?,
                        "-" => int(x - y)?,
                        "*" => int(x.checked_mul(y).unwrap_or(i128::MAX))?,
                        "/" if y == 0 => return Err(EvalErrorKind::DivisionByZero),
                        "/" => int(x / y)?,
                        "%" if y == 0 => return Err(EvalErrorKind::ModulusByZero),
                        // CEL: MIN % -1 is an overflow error like MIN / -1.
                        "%" if x == i128::from(i64::MIN) && y == -1 => {
                            return Err(EvalErrorKind::Overflow);
                        }
                        _ => int(x % y)?,
                    }
                }
                (Uint(x), Uint(y)) => {
                    let (x, y) = (i128::from(x), i128::from(y));
                    match *op {
                        "+" => uint(x + y)?,
                        "-" => uint(x - y)?,
                        "*" => uint(x.checked_mul(y).unwrap_or(i128::MAX))?,
                        "/" if y == 0 => return Err(EvalErrorKind::DivisionByZero),
                        "/" => uint(x / y)?,
                        "%" if y == 0 => return Err(EvalErrorKind::ModulusByZero),
                        _ => uint(x % y)?,
                    }
                }
                (Double(x), Double(y)) => Double(match *op {
                    "+" => x + y,
                    "-" => x - y,
                    "*" => x * y,
                    _ => x / y,
                }),
                _ => unreachable!(),
            }
        }
        E::Neg(a) => match reference(a, env)? {
            Int(x) => int(-i128::from(x))?,
            Double(x) => Double(-x),
            _ => unreachable!(),
        },
        E::Not(a) => match reference(a, env)? {
            Bool(x) => Bool(!x),
            _ => unreachable!(),
        },
        E::Logic(and, a, b) => {
            let (x, y) = (reference(a, env), reference(b, env));
            let decisive = Ok(Bool(!*and));
            if x == decisive || y == decisive {
                return decisive;
            }
            x?;
            y?
        }
        E::Cmp(op, a, b) => {
            let (x, y) = (reference(a, env)?, reference(b, env)?);
            let o = order(x, y);
            Bool(match *op {
                "==" => o == Some(0),
                "!=" => o != Some(0),
                "<" => o == Some(-1),
                "<=" => matches!(o, Some(-1 | 0)),
                ">" => o == Some(1),
                _ => matches!(o, Some(1 | 0)),
            })
        }
        E::Cond(c, t, f) => match reference(c, env)? {
            Bool(true) => reference(t, env)?,
            _ => reference(f, env)?,
        },
        E::Call(f, args) => {
            let mut vals = Vec::new();
            for a in args {
                vals.push(reference(a, env)?);
            }
            call(f, &vals)?
        }
    })
}

fn call(f: &str, a: &[Value]) -> Res {
    use Value::*;
    Ok(match f {
        "dyn" => a[0],
        "int" => match a[0] {
            Uint(x) => int(i128::from(x))?,
            Double(x) if x.is_nan() => return Err(EvalErrorKind::Domain),
            Double(x) if x <= -P63 || x >= P63 => return Err(EvalErrorKind::Overflow),
            Double(x) => Int(x.trunc() as i64),
            v => v,
        },
        "uint" => match a[0] {
            Int(x) => uint(i128::from(x))?,
            Double(x) if x.is_nan() => return Err(EvalErrorKind::Domain),
            Double(x) if !(0.0..P64).contains(&x) => return Err(EvalErrorKind::Overflow),
            Double(x) => Uint(x.trunc() as u64),
            v => v,
        },
        "double" => match a[0] {
            Int(x) => Double(x as f64),
            Uint(x) => Double(x as f64),
            v => v,
        },
        "abs" => match a[0] {
            Int(x) => int(i128::from(x).abs())?,
            Double(x) => Double(x.abs()),
            v => v,
        },
        "math.least" | "math.greatest" | "min" | "max" => {
            let greatest = f == "math.greatest" || f == "max";
            if let Some(nan) = a.iter().find(|v| matches!(v, Double(x) if x.is_nan())) {
                *nan
            } else {
                let mut best = a[0];
                for v in &a[1..] {
                    let o = order(*v, best).unwrap();
                    if (greatest && o == 1) || (!greatest && o == -1) {
                        best = *v;
                    }
                }
                best
            }
        }
        "clamp" => {
            let (x, lo, hi) = (a[0], a[1], a[2]);
            if !matches!(order(lo, hi), Some(-1 | 0)) {
                return Err(EvalErrorKind::Domain);
            }
            if order(x, lo) == Some(-1) {
                lo
            } else if order(x, hi) == Some(1) {
                hi
            } else {
                x
            }
        }
        math => {
            let Double(x) = a[0] else { unreachable!() };
            Double(match math {
                "sqrt" => x.sqrt(),
                "exp" => x.exp(),
                "ln" => x.ln(),
                "sin" => x.sin(),
                "cos" => x.cos(),
                "tanh" => x.tanh(),
                "floor" => x.floor(),
                "ceil" => x.ceil(),
                _ => x.round(),
            })
        }
    })
}

/// Equal as CEL values of one type, with NaN equal to NaN and -0.0 distinct from 0.0.
fn same(a: &Res, b: &Res) -> bool {
    match (a, b) {
        (Ok(Value::Double(x)), Ok(Value::Double(y))) => {
            x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan())
        }
        _ => a == b,
    }
}

fn bindings() -> impl Strategy<Value = Vec<(&'static str, Value)>> {
    (
        int_lit(),
        -20i64..20,
        uint_lit(),
        0u64..20,
        double_lit(),
        prop_oneof![Just(f64::NAN), Just(-0.0), Just(-2.5), double_lit()],
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(i, j, u, v, d, e, p, q)| {
            vec![
                ("i", Value::Int(i)),
                ("j", Value::Int(j)),
                ("u", Value::Uint(u)),
                ("v", Value::Uint(v)),
                ("d", Value::Double(d)),
                ("e", Value::Double(e)),
                ("p", Value::Bool(p)),
                ("q", Value::Bool(q)),
            ]
        })
}

fn expr_of_any_type() -> impl Strategy<Value = (Type, E)> {
    let all = strategies(4);
    proptest::sample::select(vec![
        Type::Int,
        Type::Uint,
        Type::Double,
        Type::Bool,
        Type::Bool,
    ])
    .prop_flat_map(move |t| (Just(t), all[idx(t)].clone()))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn compiled_matches_reference((ty, e) in expr_of_any_type(), binds in bindings()) {
        let env = VARS.iter().fold(Env::new(), |env, (n, t)| env.declare(n, *t));
        let src = render(&e);
        let program = Program::compile(&src, &env).map_err(|err| TestCaseError::fail(format!("{src}: {err}")))?;
        prop_assert_eq!(program.result_type(), ty, "{}", src);
        let want = reference(&e, &binds);
        let got = program.eval_named(&binds).map_err(|e| e.kind);
        prop_assert!(same(&got, &want), "{}\n got  {:?}\n want {:?}\n with {:?}", src, got, want, binds);
        // The slot fast path agrees with the named path.
        let slots: Vec<Value> = binds.iter().map(|(_, v)| *v).collect();
        let fast = program.eval_slots(&slots).map_err(|e| e.kind);
        prop_assert!(same(&fast, &got), "{}", src);
    }
}
