//! The 64-agent engine fixture (`bench/fixtures/engine_64x200.json`) and its inputs, shared by
//! `benches/tick.rs` and `examples/tick_loop.rs` so both time and hash the same ticks. (A file
//! in a subfolder of `benches/` is not a bench target of its own.)

use gamesa_core::engine::Engine;

const CONFIG: &str = include_str!("../../../../bench/fixtures/engine_64x200.json");

/// Input values in the engine's slot order, for tick number `t`.
fn inputs(engine: &Engine, t: u64) -> Vec<f64> {
    let names = engine.input_names();
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
}

pub fn prepared() -> (Engine, Vec<Vec<f64>>) {
    let engine = Engine::from_json(CONFIG).expect("the fixture builds");
    let frames = (0..64).map(|t| inputs(&engine, t)).collect();
    (engine, frames)
}
