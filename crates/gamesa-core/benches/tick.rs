//! One engine tick (issue #5 §7): 64 agents bidding on 6 resources, 200 rules, 20 features,
//! the five simulator actuations in the gate (`bench/fixtures/engine_64x200.json`, generated
//! by `bench/gen_engine_fixture.ts`). The snapshot is the full telemetry catalog for 64 cores
//! and 8 GPUs; core utilizations move every tick so firings, bids and clearing change, and
//! time advances by 100 ms.
//!
//! Criterion gives the median of `tick` and of `tick` + serializing its output to JSON (what
//! replay writes and the binding returns). Percentiles are measured after it with a plain loop
//! over 20,000 ticks (criterion reports no p99), printed as `p50` / `p99` / `max`.

use criterion::{Criterion, criterion_group, criterion_main};
use gamesa_core::stream::Engine;
use std::hint::black_box;
use std::time::Instant;

const CONFIG: &str = include_str!("../../../bench/fixtures/engine_64x200.json");

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

fn prepared() -> (Engine, Vec<Vec<f64>>) {
    let engine = Engine::from_json(CONFIG).expect("the fixture builds");
    let frames = (0..64).map(|t| inputs(&engine, t)).collect();
    (engine, frames)
}

fn tick(c: &mut Criterion) {
    let mut group = c.benchmark_group("engine_tick_64_agents_200_rules_20_features");
    let (mut engine, frames) = prepared();
    let mut t = 0_u64;
    group.bench_function("tick", |b| {
        b.iter(|| {
            t += 1;
            let out = engine
                .tick_slots(&frames[(t % 64) as usize], t as f64 * 100.0)
                .unwrap();
            black_box(out.approved.len())
        })
    });
    let (mut engine, frames) = prepared();
    let mut t = 0_u64;
    group.bench_function("tick_and_serialize", |b| {
        b.iter(|| {
            t += 1;
            let out = engine
                .tick_slots(&frames[(t % 64) as usize], t as f64 * 100.0)
                .unwrap();
            black_box(serde_json::to_string(&out).unwrap().len())
        })
    });
    group.finish();

    // Percentiles: criterion reports none.
    for serialize in [false, true] {
        let (mut engine, frames) = prepared();
        let mut times = Vec::with_capacity(20_000);
        let mut firings = 0_usize;
        let mut approved = 0_usize;
        for t in 0..21_000_u64 {
            let start = Instant::now();
            let out = engine
                .tick_slots(&frames[(t % 64) as usize], t as f64 * 100.0)
                .unwrap();
            if serialize {
                black_box(serde_json::to_string(&out).unwrap().len());
            }
            let ns = start.elapsed().as_nanos() as f64;
            if t >= 1000 {
                times.push(ns);
                firings += out.firings.active.len() + out.firings.shadow.len();
                approved += out.approved.len();
            }
        }
        times.sort_by(f64::total_cmp);
        let at = |q: f64| times[((times.len() - 1) as f64 * q) as usize] / 1000.0;
        println!(
            "engine tick{}: p50 {:.1} µs, p99 {:.1} µs, max {:.1} µs over {} ticks ({:.1} firings and {:.2} approvals per tick)",
            if serialize { " + JSON" } else { "" },
            at(0.5),
            at(0.99),
            at(1.0),
            times.len(),
            firings as f64 / times.len() as f64,
            approved as f64 / times.len() as f64
        );
    }
}

criterion_group!(benches, tick);
criterion_main!(benches);
