//! The 64-agent fixture's tick (`bench/fixtures/engine_64x200.json`, same inputs as
//! `benches/tick.rs`) in a plain loop, for two jobs:
//!
//! - `cargo run --release -p gamesa-core --example tick_loop -- [N]`: N ticks (default 50,000),
//!   no serialization, mean µs per tick. Run it under `perf record` to see where a tick goes.
//! - `… --example tick_loop -- --hash [N]`: the SHA-256 of the JSON of N ticks' outputs
//!   (default 3,000), one line each. A change meant to make the tick faster must leave this
//!   hash as it was: the outputs are the contract, the speed is not.
use gamesa_core::stream::Engine;
use sha2::{Digest, Sha256};
use std::hint::black_box;

const CONFIG: &str = include_str!("../../../bench/fixtures/engine_64x200.json");

fn main() {
    let mut engine = Engine::from_json(CONFIG).expect("the fixture builds");
    let names = engine.input_names().to_vec();
    let frames: Vec<Vec<f64>> = (0..64u64)
        .map(|t| {
            let mut state = 0x9e37_79b9_7f4a_7c15_u64 ^ t;
            names
                .iter()
                .map(|name| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    let u = (state % 10_000) as f64 / 10_000.0;
                    match name.as_str() {
                        "gpu.count" => 8.0,
                        "thermal.cpu_c" => 70.0 + 10.0 * u,
                        "thermal.headroom_c" => 30.0 - 10.0 * u,
                        "cpu.freq_mhz" | "cpu.freq_max_mhz" => 3500.0,
                        "mem.available_mb" => 16_000.0,
                        n if n.ends_with(".util") || n.ends_with("_ratio") => u,
                        n if n.ends_with(".power_limit_w") => 300.0,
                        n if n.ends_with(".power_min_w") => 100.0,
                        n if n.ends_with(".power_max_w") => 400.0,
                        n if n.ends_with(".power_w") => 200.0 + 50.0 * u,
                        n if n.ends_with(".temp_c") => 60.0 + 20.0 * u,
                        n if n.ends_with("_mhz") => 1500.0,
                        n if n.ends_with("_mb") => 8000.0,
                        n if n.starts_with("wl.") => 100.0,
                        _ => 10.0 * u,
                    }
                })
                .collect()
        })
        .collect();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let hash = args.iter().any(|a| a == "--hash");
    let count = args.iter().find_map(|a| a.parse::<u64>().ok());
    if hash {
        let mut sha = Sha256::new();
        for t in 0..count.unwrap_or(3_000) {
            let out = engine
                .tick_slots(&frames[(t % 64) as usize], t as f64 * 100.0)
                .unwrap();
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
    for t in 0..n {
        let out = engine
            .tick_slots(&frames[(t % 64) as usize], t as f64 * 100.0)
            .unwrap();
        black_box(out);
    }
    println!(
        "{:.1} µs/tick",
        start.elapsed().as_secs_f64() * 1e6 / n as f64
    );
}
