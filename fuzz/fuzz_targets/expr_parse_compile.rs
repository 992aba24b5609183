//! Arbitrary UTF-8 source -> `Program::compile` and `Program::compile_unchecked` against a
//! fixed environment. Compiling must return `Ok` or a positioned `CompileError`, never panic or
//! overflow the stack; an error's position must lie inside the source. Whatever the checked
//! compiler accepts, the unchecked one accepts too, unless the result type is only known at
//! run time there.
#![no_main]

use gamesa_core::error::ErrorCode;
use gamesa_core::expr::{CompileErrorKind, Env, Program, Type};
use libfuzzer_sys::fuzz_target;

fn env() -> Env {
    Env::new()
        .declare("x", Type::Int)
        .declare("y", Type::Int)
        .declare("u", Type::Uint)
        .declare("d", Type::Double)
        .declare("b", Type::Bool)
        .declare("gpu0.temp_c", Type::Double)
        .declare("cpu.util", Type::Double)
}

fuzz_target!(|data: &[u8]| {
    let Ok(source) = std::str::from_utf8(data) else {
        return;
    };
    let env = env();
    let checked = Program::compile(source, &env);
    let unchecked = Program::compile_unchecked(source, &env);
    if checked.is_ok()
        && let Err(e) = &unchecked
    {
        // Unchecked mode treats every operand as dyn, so a result type the checker infers
        // (`u - dyn(1)` is a uint) may be unknown to it: that, and only that, may fail.
        assert_eq!(e.kind, CompileErrorKind::TypeMismatch, "{source:?}: {e}");
    }
    for compiled in [checked, unchecked] {
        match compiled {
            Ok(program) => {
                assert_eq!(program.source(), source);
                let slots = program.referenced_slots();
                assert!(
                    slots.windows(2).all(|w| w[0] < w[1]),
                    "slots sorted and unique"
                );
                assert!(slots.iter().all(|&s| s < env.len()), "slots inside the env");
            }
            Err(e) => {
                assert_eq!(e.code(), "EXPR_COMPILE");
                assert!(e.offset <= source.len(), "offset {} past the end", e.offset);
                assert!(e.line >= 1 && e.column >= 1);
                let _ = e.to_string();
            }
        }
    }
});
