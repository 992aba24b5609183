//! Arbitrary UTF-8 source -> `Program::compile` against a fixed environment. Compiling must
//! return `Ok` or a positioned `CompileError`, never panic or overflow the stack; an error's
//! position must lie inside the source.
#![no_main]

use gamesa_core::error::ErrorCode;
use gamesa_core::expr::{Env, Program, Type};
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
    match Program::compile(source, &env) {
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
});
