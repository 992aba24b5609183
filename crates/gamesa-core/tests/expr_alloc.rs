//! Proves that evaluating a compiled program allocates nothing: a counting global allocator
//! wraps the system allocator, and the count must not move across many evaluations of
//! rule-like programs (success paths, error paths through `try_eval_slots`, error absorption).

mod counting_alloc;

use counting_alloc::allocations;
use gamesa_core::expr::{Env, Program, Type, Value};

const SOURCES: [&str; 12] = [
    "cpu.util > 0.9 && thermal.headroom_c < 10.0",
    "gpu0.temp_c >= 83.0 || (gpu0.power_w > 250.0 && !throttled)",
    "mem.free_mb < 512u ? cores * 2 > 8 : cores < 4",
    "math.least(cpu.util, 1.0) * 100.0 > double(cores) * 12.5",
    "clamp(gpu0.temp_c - 60.0, 0.0, 40.0) / 40.0 > sqrt(cpu.util)",
    "dyn(cores) == 8u && dyn(mem.free_mb) < 1000.0",
    "int(gpu0.power_w) % 7 == cores % 7",
    "math.greatest(cores, 3, -1) + abs(-cores) < 100",
    "cores / 0 > 1 || cpu.util < 2.0",
    "cores / 0 > 1 && cpu.util < 2.0",
    "uint(cores) + mem.free_mb > 18446744073709551615u - 1u",
    "exp(ln(cpu.util)) + tanh(0.5) + round(floor(1.5) + ceil(0.2)) > 0.0",
];

#[test]
fn evaluation_allocates_nothing() {
    let env = Env::new()
        .declare("cpu.util", Type::Double)
        .declare("thermal.headroom_c", Type::Double)
        .declare("gpu0.temp_c", Type::Double)
        .declare("gpu0.power_w", Type::Double)
        .declare("throttled", Type::Bool)
        .declare("mem.free_mb", Type::Uint)
        .declare("cores", Type::Int);
    let programs: Vec<Program> = SOURCES
        .iter()
        .map(|s| Program::compile(s, &env).unwrap())
        .collect();
    let slots = [
        Value::Double(0.95),
        Value::Double(8.0),
        Value::Double(85.0),
        Value::Double(300.0),
        Value::Bool(false),
        Value::Uint(400),
        Value::Int(8),
    ];
    // Warm up once (lazy statics of the runtime, if any) and make sure all are exercised.
    let mut outcomes = Vec::new();
    for p in &programs {
        outcomes.push(p.try_eval_slots(&slots).is_ok());
    }
    assert!(
        outcomes.iter().any(|ok| *ok) && outcomes.iter().any(|ok| !*ok),
        "both success and error paths: {outcomes:?}"
    );

    let before = allocations();
    let mut trues = 0u32;
    for _ in 0..1000 {
        for p in &programs {
            if let Ok(Value::Bool(true)) = p.try_eval_slots(&slots) {
                trues += 1;
            }
            if let Ok(Some(true)) = p.try_eval_bool(&slots) {
                trues += 1;
            }
        }
    }
    let after = allocations();
    assert_eq!(
        after - before,
        0,
        "evaluation allocated {} times",
        after - before
    );
    assert!(trues > 0);

    // eval_slots allocates nothing on success either.
    let ok_programs: Vec<&Program> = programs
        .iter()
        .filter(|p| p.eval_slots(&slots).is_ok())
        .collect();
    let before = allocations();
    for _ in 0..1000 {
        for p in &ok_programs {
            std::hint::black_box(p.eval_slots(&slots).ok());
        }
    }
    assert_eq!(allocations() - before, 0);
}

#[test]
fn counter_sees_allocations() {
    // The counter itself works (otherwise the test above could not fail).
    let before = allocations();
    let v: Vec<u64> = std::hint::black_box(vec![1, 2, 3]);
    assert!(allocations() > before);
    drop(v);
}
