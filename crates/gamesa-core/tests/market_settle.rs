//! The market settles: on every shipped scenario, driven by the sample engine, grants change
//! at most 0.05 times per tick per resource over the second half of the run, and no setting
//! is written more often than the gate allows.
//!
//! `cargo test -p gamesa-core --release --test market_settle -- --nocapture` prints the
//! figures.

use gamesa_core::sim::{
    Actuation, Policy, PolicyStep, Scenario, builtin_scenarios, run_closed_loop,
};
use gamesa_core::stream::{Engine, EngineConfig};
use gamesa_core::types::ResourceType;
use std::collections::BTreeMap;

const ENGINE: &str = include_str!("../../../samples/engine.json");

/// The most grant changes per tick, per resource, over the second half of a scenario.
const MAX_CHANGES_PER_TICK: f64 = 0.05;

/// The engine as the backtest drives it, recording every tick's grants and approvals.
struct Recorder {
    engine: Engine,
    /// Per tick: the amount granted per (agent, resource), summed over its bids.
    grants: Vec<BTreeMap<(usize, ResourceType), f64>>,
    /// Per tick: the total granted per resource.
    totals: Vec<[f64; 6]>,
    /// (time ms, kind, target) of every approved action.
    approved: Vec<(f64, String, String)>,
}

impl Policy for Recorder {
    fn decide(&mut self, now_ms: f64, telemetry: &BTreeMap<String, f64>) -> PolicyStep {
        let out = self.engine.tick(telemetry, now_ms).expect("tick");
        let mut step = PolicyStep::default();
        for a in &out.approved {
            step.actuations
                .push(Actuation::new(&a.kind, &a.target, a.value));
            self.approved
                .push((now_ms, a.kind.to_string(), a.target.to_string()));
        }
        let mut grants = BTreeMap::new();
        for g in &out.market.grants {
            *grants.entry((g.agent, g.resource)).or_insert(0.0) += g.amount;
        }
        self.grants.push(grants);
        self.totals
            .push(ResourceType::ALL.map(|r| out.market.granted[r]));
        step
    }
}

struct Figures {
    /// Changes per tick of any agent's grant, per resource (second half).
    per_agent: [f64; 6],
    /// Changes per tick of the resource's total grant (second half).
    totals: [f64; 6],
    recorder: Recorder,
    ticks: usize,
}

fn run(json: &str) -> Figures {
    let scenario = Scenario::from_json(json).expect("shipped scenarios parse");
    let engine = Engine::new(EngineConfig::from_json(ENGINE).expect("sample")).expect("sample");
    let mut recorder = Recorder {
        engine,
        grants: Vec::new(),
        totals: Vec::new(),
        approved: Vec::new(),
    };
    run_closed_loop(&scenario, &mut recorder);
    let ticks = recorder.grants.len();
    let half = ticks / 2;
    let span = (ticks - half) as f64;
    let mut per_agent = [0.0; 6];
    let mut totals = [0.0; 6];
    for t in half.max(1)..ticks {
        let (before, now) = (&recorder.grants[t - 1], &recorder.grants[t]);
        let keys: std::collections::BTreeSet<_> = before.keys().chain(now.keys()).collect();
        for k in keys {
            let a = before.get(k).copied().unwrap_or(0.0);
            let b = now.get(k).copied().unwrap_or(0.0);
            if a != b {
                per_agent[k.1.index()] += 1.0;
            }
        }
        for (r, count) in totals.iter_mut().enumerate() {
            if recorder.totals[t - 1][r] != recorder.totals[t][r] {
                *count += 1.0;
            }
        }
    }
    Figures {
        per_agent: per_agent.map(|c| c / span),
        totals: totals.map(|c| c / span),
        recorder,
        ticks,
    }
}

#[test]
fn grants_settle_on_every_shipped_scenario() {
    let config = EngineConfig::from_json(ENGINE).unwrap();
    let mut failures = Vec::new();
    for (name, json) in builtin_scenarios() {
        let f = run(json);
        println!(
            "{name} ({} ticks): grant changes per tick over the second half",
            f.ticks
        );
        for r in ResourceType::ALL {
            let (a, t) = (f.per_agent[r.index()], f.totals[r.index()]);
            println!("  {:<17} per agent {a:.4}  total {t:.4}", r.as_str());
            if a > MAX_CHANGES_PER_TICK {
                failures.push(format!("{name} {r}: {a:.4} changes per tick"));
            }
        }
        // No setting more often than its kind's cooldown allows.
        let mut last: BTreeMap<(String, String), f64> = BTreeMap::new();
        for (t, kind, target) in &f.recorder.approved {
            let cooldown = config.gate.actions.get(kind).map_or(0.0, |k| k.cooldown_ms);
            if let Some(prev) = last.insert((kind.clone(), target.clone()), *t)
                && t - prev < cooldown
            {
                failures.push(format!(
                    "{name}: {kind} on {target} at {t} ms, {} ms after the last (cooldown {cooldown})",
                    t - prev
                ));
            }
        }
        println!("  approved actions: {}", f.recorder.approved.len());
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
