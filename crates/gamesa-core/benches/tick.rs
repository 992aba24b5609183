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
use std::hint::black_box;
use std::time::Instant;

#[path = "support/engine_fixture.rs"]
mod engine_fixture;
use engine_fixture::prepared;

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
