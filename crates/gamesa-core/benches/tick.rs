//! One engine tick: 64 agents bidding on 6 resources, 200 rules, 20 features,
//! the five simulator actuations in the gate (`bench/fixtures/engine_64x200.json`, generated
//! by `bench/gen_engine_fixture.ts`). The snapshot is the full telemetry catalog for 64 cores
//! and 8 GPUs; core utilizations move every tick so firings, bids and clearing change, and
//! time advances by 100 ms.
//!
//! Criterion gives the median of a tick three ways: `tick` (a new output each tick, freed
//! before the next), `tick_into` (written over the last tick's output, as the binding and
//! replay do) and `tick_into_and_serialize` (+ its JSON, what replay writes). Percentiles are
//! measured after it with a plain loop over 20,000 ticks each (criterion reports no p99),
//! printed as `p50` / `p99` / `max`; each tick is timed whole, freeing included.

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::time::Instant;

#[path = "support/engine_fixture.rs"]
mod engine_fixture;
use engine_fixture::prepared;

/// How a tick's output is had, in the timed loops.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    /// `tick_slots`: a new output each tick, freed (inside the timing) before the next.
    Fresh,
    /// `tick_slots_into`: written over the last tick's output (what the binding does).
    Into,
    /// `tick_slots_into`, then the output serialized to JSON (what replay writes).
    IntoJson,
}

impl Mode {
    fn name(self) -> &'static str {
        match self {
            Mode::Fresh => "tick",
            Mode::Into => "tick_into",
            Mode::IntoJson => "tick_into_and_serialize",
        }
    }
}

/// Runs tick `t` in `mode`; returns what the loops count (active + shadow firings, approvals).
fn run(
    mode: Mode,
    engine: &mut gamesa_core::engine::Engine,
    out: &mut gamesa_core::engine::TickOutput,
    frames: &[Vec<f64>],
    t: u64,
) -> (usize, usize) {
    let frame = &frames[(t % 64) as usize];
    let now = t as f64 * 100.0;
    if mode == Mode::Fresh {
        let fresh = engine.tick_slots(frame, now).unwrap();
        let counts = (
            fresh.firings.active.len() + fresh.firings.shadow.len(),
            fresh.approved.len(),
        );
        drop(black_box(fresh));
        return counts;
    }
    engine.tick_slots_into(frame, now, out).unwrap();
    if mode == Mode::IntoJson {
        black_box(serde_json::to_string(out).unwrap().len());
    }
    (
        out.firings.active.len() + out.firings.shadow.len(),
        out.approved.len(),
    )
}

fn tick(c: &mut Criterion) {
    let modes = [Mode::Fresh, Mode::Into, Mode::IntoJson];
    let mut group = c.benchmark_group("engine_tick_64_agents_200_rules_20_features");
    for mode in modes {
        let (mut engine, frames) = prepared();
        let mut out = gamesa_core::engine::TickOutput::default();
        let mut t = 0_u64;
        group.bench_function(mode.name(), |b| {
            b.iter(|| {
                t += 1;
                black_box(run(mode, &mut engine, &mut out, &frames, t))
            })
        });
    }
    group.finish();

    // Percentiles: criterion reports none.
    for mode in modes {
        let (mut engine, frames) = prepared();
        let mut out = gamesa_core::engine::TickOutput::default();
        let mut times = Vec::with_capacity(20_000);
        let mut firings = 0_usize;
        let mut approved = 0_usize;
        for t in 0..21_000_u64 {
            let start = Instant::now();
            let (f, a) = run(mode, &mut engine, &mut out, &frames, t);
            let ns = start.elapsed().as_nanos() as f64;
            if t >= 1000 {
                times.push(ns);
                firings += f;
                approved += a;
            }
        }
        times.sort_by(f64::total_cmp);
        let at = |q: f64| times[((times.len() - 1) as f64 * q) as usize] / 1000.0;
        println!(
            "engine {}: p50 {:.1} µs, p99 {:.1} µs, max {:.1} µs over {} ticks ({:.1} firings and {:.2} approvals per tick)",
            mode.name(),
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
