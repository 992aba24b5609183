//! The market round and action selection at engine scale: one clearing of 64
//! agents × 6 resources (384 bids, every resource contested about 2:1), and `select_actions`
//! over 200 candidates.
//!
//! `market/tick/fresh` clears from the same starting state every iteration (the clone is set
//! up outside the timing); `market/tick/steady` keeps ticking one market, so prices and
//! balances evolve as in the engine loop.

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use gamesa_core::market::{
    AgentDef, Bid, Candidate, Clearing, Market, MarketConfig, SafetyInputs, select_actions,
};
use gamesa_core::{PerResource, Priority, ResourceType};
use std::hint::black_box;

/// A cheap deterministic pseudo-random sequence (xorshift) for amounts and limit prices.
fn next(state: &mut u64) -> f64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    (*state >> 11) as f64 / (1u64 << 53) as f64
}

/// The default pools: 16 cores, 10,000 µs, 100 %, 8192 MB, 30 °C, 150,000 mW.
const CAPACITY: [f64; 6] = [16.0, 10_000.0, 100.0, 8192.0, 30.0, 150_000.0];

fn setup() -> (Market, Vec<Bid>) {
    let mut rng = 0x9e37_79b9_7f4a_7c15u64;
    let agents: Vec<AgentDef> = (0..64)
        .map(|i| AgentDef {
            id: format!("agent-{i:02}"),
            description: None,
            priority: Priority::ALL[i % 4],
            budget_per_tick: 1_000.0 + 4_000.0 * next(&mut rng),
            budget_cap: None,
            effects: Vec::new(),
            bids: Vec::new(),
        })
        .collect();
    let mut bids = Vec::new();
    for agent in 0..64 {
        for r in ResourceType::ALL {
            // Each agent asks for ~1/32 of the capacity on average: total demand ≈ 2×.
            let amount = (CAPACITY[r.index()] / 16.0 * next(&mut rng)).max(1.0);
            bids.push(Bid {
                agent,
                resource: r,
                amount: amount.round(),
                max_unit_price: 0.5 + 4.0 * next(&mut rng),
            });
        }
    }
    let mut clearing = PerResource::splat(Clearing::Divisible { quantum: 0.0 });
    clearing[ResourceType::CpuCores] = Clearing::Indivisible { unit: 1.0 };
    clearing[ResourceType::CpuTime] = Clearing::Divisible { quantum: 1.0 };
    clearing[ResourceType::GpuCompute] = Clearing::Indivisible { unit: 1.0 };
    clearing[ResourceType::GpuMemory] = Clearing::Indivisible { unit: 64.0 };
    let market = Market::new(&MarketConfig::default(), &agents, clearing).unwrap();
    (market, bids)
}

fn tick(c: &mut Criterion) {
    let (market, bids) = setup();
    let capacity = PerResource(CAPACITY);
    let safety = SafetyInputs {
        thermal_headroom_c: Some(12.0),
        power_headroom_w: Some(30.0),
    };
    let mut group = c.benchmark_group("market/tick");
    group.bench_function("fresh", |b| {
        b.iter_batched(
            || market.clone(),
            |mut m| black_box(m.tick(black_box(&bids), &capacity, &safety)),
            BatchSize::SmallInput,
        );
    });
    let mut steady = market.clone();
    group.bench_function("steady", |b| {
        b.iter(|| black_box(steady.tick(black_box(&bids), &capacity, &safety)));
    });
    group.finish();
}

fn select(c: &mut Criterion) {
    let mut rng = 0x2545_f491_4f6c_dd1du64;
    let candidates: Vec<Candidate> = (0..200)
        .map(|i| {
            let mut costs = PerResource::splat(0.0);
            for r in ResourceType::ALL {
                if next(&mut rng) < 0.4 {
                    costs[r] = CAPACITY[r.index()] / 20.0 * next(&mut rng);
                }
            }
            Candidate {
                agent: i % 64,
                benefit: 50.0 * next(&mut rng),
                costs,
            }
        })
        .collect();
    let prices = PerResource([1.0, 0.001, 0.1, 0.002, 0.5, 0.0001]);
    let budgets = vec![40.0; 64];
    let capacity = PerResource(CAPACITY);
    c.bench_function("market/select_actions/200", |b| {
        b.iter(|| {
            black_box(select_actions(
                black_box(&candidates),
                &prices,
                &capacity,
                &budgets,
            ))
        });
    });
}

criterion_group!(benches, tick, select);
criterion_main!(benches);
