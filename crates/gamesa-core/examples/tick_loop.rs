//! The 64-agent fixture's tick (`bench/fixtures/engine_64x200.json`, same inputs as
//! `benches/tick.rs`) in a plain loop, for two jobs:
//!
//! - `cargo run --release -p gamesa-core --example tick_loop -- [N]`: N ticks (default 50,000),
//!   no serialization, mean µs per tick. Run it under `perf record` to see where a tick goes.
//!   With `--into`, each tick is written over the last one's output (`tick_slots_into`); the
//!   hash must be the same with and without it.
//! - `… --example tick_loop -- --hash [N]`: the SHA-256 of the JSON of N ticks' outputs
//!   (default 3,000), one line each. A change meant to make the tick faster must leave this
//!   hash as it was: the outputs are the contract, the speed is not.
use sha2::{Digest, Sha256};
use std::hint::black_box;

#[path = "../benches/support/engine_fixture.rs"]
mod engine_fixture;

fn main() {
    let (mut engine, frames) = engine_fixture::prepared();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let hash = args.iter().any(|a| a == "--hash");
    let count = args.iter().find_map(|a| a.parse::<u64>().ok());
    let into = args.iter().any(|a| a == "--into");
    if hash {
        let mut sha = Sha256::new();
        let mut out = gamesa_core::engine::TickOutput::default();
        for t in 0..count.unwrap_or(3_000) {
            let frame = &frames[(t % 64) as usize];
            if into {
                engine
                    .tick_slots_into(frame, t as f64 * 100.0, &mut out)
                    .unwrap();
            } else {
                out = engine.tick_slots(frame, t as f64 * 100.0).unwrap();
            }
            sha.update(serde_json::to_vec(&out).unwrap());
            sha.update(b"\n");
        }
        let digest = sha.finalize();
        println!(
            "{}",
            digest
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        );
        return;
    }
    let n = count.unwrap_or(50_000);
    let start = std::time::Instant::now();
    if into {
        let mut out = gamesa_core::engine::TickOutput::default();
        for t in 0..n {
            engine
                .tick_slots_into(&frames[(t % 64) as usize], t as f64 * 100.0, &mut out)
                .unwrap();
            black_box(&out);
        }
    } else {
        for t in 0..n {
            let out = engine
                .tick_slots(&frames[(t % 64) as usize], t as f64 * 100.0)
                .unwrap();
            black_box(out);
        }
    }
    println!(
        "{:.1} µs/tick",
        start.elapsed().as_secs_f64() * 1e6 / n as f64
    );
}
