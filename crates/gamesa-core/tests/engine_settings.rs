//! Grants become settings: a bid with `sets` turns what it wins into a gated action, repeated
//! per GPU with `forEach`; a safety lowering passes at once, a raise is paced by the gate, and a
//! grant that did not move writes nothing.

use gamesa_core::engine::{Engine, EngineError, TickOutput};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// GPUs bid 25 % over their draw for the power pool, 95 % of the cap; what each wins is its
/// power limit.
fn config() -> Value {
    json!({
        "variables": {"power.total_w": "double", "power.cap_w": "double"},
        "pools": [{"resource": "power_budget", "strategy": "weighted", "capacity": 10_000_000}],
        "capacityFrom": {"power_budget": "power.cap_w * 950.0"},
        "market": {
            "priceMin": 1e-6,
            "initialPrices": {"power_budget": 0.0001},
            "targetUtilizations": {"power_budget": 1.0},
            "reserve": {"power": {"enabled": false}, "thermal": {"enabled": false}}
        },
        "agents": [{
            "id": "gpu_agent",
            "budgetPerTick": 1000,
            "effects": ["gpu_control"],
            "bids": [{
                "forEach": "gpu",
                "resource": "power_budget",
                "amount": "{gpu}.power_w * 1250.0",
                "maxUnitPrice": 0.01,
                "sets": {"kind": "set_gpu_power_limit", "target": "{gpu}", "value": "grant / 1000.0", "safety": true}
            }]
        }],
        "gate": {"actions": {"set_gpu_power_limit": {
            "agent": "gpu_agent",
            "effect": "gpu_control",
            "safeDirection": "decrease",
            "targets": ["gpu*"],
            "exists": "{target}.power_limit_w",
            "value": {"param": "watts", "mode": "absolute", "current": "{target}.power_limit_w"},
            "min": "{target}.power_min_w",
            "max": "{target}.power_max_w",
            "maxStep": 50,
            "cooldownMs": 1000,
            "rate": {"burst": 1, "perSecond": 1},
            "hysteresis": 5
        }}}
    })
}

/// Two GPUs drawing `draw` W each under limits `limits`, and a machine cap.
fn reading(draw: [f64; 2], limits: [f64; 2], cap: Option<f64>) -> BTreeMap<String, f64> {
    let mut m = BTreeMap::new();
    m.insert("gpu.count".to_string(), 2.0);
    for i in 0..2 {
        m.insert(format!("gpu{i}.power_w"), draw[i]);
        m.insert(format!("gpu{i}.power_limit_w"), limits[i]);
        m.insert(format!("gpu{i}.power_min_w"), 150.0);
        m.insert(format!("gpu{i}.power_max_w"), 450.0);
    }
    m.insert("power.total_w".to_string(), draw[0] + draw[1] + 50.0);
    if let Some(cap) = cap {
        m.insert("power.cap_w".to_string(), cap);
    }
    m
}

fn engine() -> Engine {
    Engine::from_json(&config().to_string()).expect("the config builds")
}

/// The tick's approved actions of `kind`, as (target, value).
fn approved_of(out: &TickOutput, kind: &str) -> Vec<(String, f64)> {
    out.approved
        .iter()
        .filter(|a| &*a.kind == kind)
        .map(|a| (a.target.to_string(), a.value))
        .collect()
}

fn limits_set(out: &TickOutput) -> Vec<(String, f64)> {
    approved_of(out, "set_gpu_power_limit")
}

#[test]
fn a_contested_power_pool_lowers_every_limit_in_the_same_tick() {
    let mut e = engine();
    let out = e
        .tick(
            &reading([440.0, 440.0], [450.0, 450.0], Some(700.0)),
            1000.0,
        )
        .unwrap();
    // Only the two GPUs the machine has bid; gpu2..gpu7 are absent.
    assert_eq!(out.market.grants.len(), 2, "{:?}", out.market.grants);
    let set = limits_set(&out);
    assert_eq!(set.len(), 2, "{:?} {:?}", out.approved, out.rejected);
    let total: f64 = set.iter().map(|(_, w)| w).sum();
    // The pool is 95 % of the cap, shared: the limits add up to it, not to their floors.
    assert!(total <= 665.0 + 1e-6 && total > 600.0, "{set:?}");
    // Each came down by more than maxStep (50 W), at once: a safety lowering is not paced.
    assert!(
        set.iter().all(|(_, w)| *w < 400.0 && *w >= 150.0),
        "{set:?}"
    );
    assert!(
        out.approved
            .iter()
            .all(|a| a.rule.starts_with("grant.gpu_agent"))
    );
    // Every decision is audited.
    assert!(out.audit.len() >= 2);

    // The draw follows the limits; the same grants write nothing more.
    let l = [set[0].1, set[1].1];
    for t in 1..30 {
        let out = e
            .tick(&reading(l, l, Some(700.0)), 1000.0 + 100.0 * t as f64)
            .unwrap();
        assert!(limits_set(&out).is_empty(), "tick {t}: {:?}", out.approved);
        assert!(out.rejected.is_empty(), "tick {t}: {:?}", out.rejected);
    }
}

#[test]
fn a_raise_waits_for_the_cooldown_and_goes_one_step_at_a_time() {
    let mut e = engine();
    let out = e
        .tick(&reading([440.0, 440.0], [450.0, 450.0], Some(700.0)), 0.0)
        .unwrap();
    let set = limits_set(&out);
    let low = set[0].1;
    // The cap goes away: each GPU may have 25 % more than it draws, but a raise is paced.
    let mut raised = Vec::new();
    for t in 1..=25 {
        let now = 100.0 * t as f64;
        let out = e
            .tick(&reading([low, low], [low, low], Some(2000.0)), now)
            .unwrap();
        for (target, w) in limits_set(&out) {
            raised.push((now, target, w));
        }
    }
    assert!(!raised.is_empty());
    // Not before the cooldown (1000 ms after the lowering), at most maxStep above the limit
    // it had, and one a second at most (the kind's rate, shared by both GPUs).
    let mut had: BTreeMap<String, f64> = BTreeMap::new();
    for (now, target, w) in &raised {
        assert!(*now >= 1000.0, "{raised:?}");
        let before = had.insert(target.clone(), *w).unwrap_or(low);
        assert!(*w > before && *w <= before + 50.0 + 1e-9, "{raised:?}");
    }
    for pair in raised.windows(2) {
        assert!(pair[1].0 - pair[0].0 >= 1000.0, "{raised:?}");
    }
}

#[test]
fn bids_and_settings_name_the_bid_as_written() {
    let mut c = config();
    // A second, plain bid after the repeated one: its problems name bids[1], not bids[8].
    c["agents"][0]["bids"]
        .as_array_mut()
        .unwrap()
        .push(json!({"resource": "gpu_compute", "amount": "gpu0.util *", "maxUnitPrice": 1}));
    let problems = Engine::check_json(&c.to_string());
    assert!(
        problems
            .iter()
            .any(|p| p.path == "$.agents[0].bids[1].amount"),
        "{problems:?}"
    );

    for (change, path) in [
        (json!({"forEach": "cpu"}), "$.agents[0].bids[0].forEach"),
        (
            json!({"sets": {"kind": "set_fan", "target": "{gpu}", "value": "grant"}}),
            "$.agents[0].bids[0].sets.kind",
        ),
        (
            json!({"sets": {"kind": "set_gpu_power_limit", "target": "{gpu}", "value": "grant > 1.0"}}),
            "$.agents[0].bids[0].sets.value",
        ),
        (
            // A part made of constants that fails on every evaluation.
            json!({"sets": {"kind": "set_gpu_power_limit", "target": "{gpu}", "value": "grant + double(1 / 0)"}}),
            "$.agents[0].bids[0].sets.value",
        ),
        (
            json!({"sets": {"kind": "set_gpu_power_limit", "target": "{gpu}", "value": "grant", "extra": 1}}),
            "$.agents[0].bids[0].sets",
        ),
    ] {
        let mut c = config();
        for (k, v) in change.as_object().unwrap() {
            c["agents"][0]["bids"][0][k] = v.clone();
        }
        let problems = Engine::check_json(&c.to_string());
        assert!(
            problems.iter().any(|p| p.path.starts_with(path)),
            "{change}: {problems:?}"
        );
    }

    // A setting's kind must be performed by the bidder.
    let mut c = config();
    c["agents"]
        .as_array_mut()
        .unwrap()
        .push(json!({"id": "other", "budgetPerTick": 1, "bids": [{
            "resource": "power_budget", "amount": 1, "maxUnitPrice": 1,
            "sets": {"kind": "set_gpu_power_limit", "target": "gpu0", "value": "grant"}
        }]}));
    match Engine::from_json(&c.to_string()) {
        Err(EngineError::InvalidConfig { problems }) => assert!(
            problems
                .iter()
                .any(|p| p.path == "$.agents[1].bids[0].sets.kind"
                    && p.message.contains("gpu_agent")),
            "{problems:?}"
        ),
        other => panic!("{:?}", other.err()),
    }
}

#[test]
fn a_lowering_that_is_not_marked_safety_is_paced() {
    let mut c = config();
    c["agents"][0]["bids"][0]["sets"]["safety"] = json!(false);
    let mut e = Engine::from_json(&c.to_string()).unwrap();
    let out = e
        .tick(
            &reading([440.0, 440.0], [450.0, 450.0], Some(700.0)),
            1000.0,
        )
        .unwrap();
    // One step of at most 50 W, and the rate limit (burst 1) lets one GPU go first.
    let set = limits_set(&out);
    assert_eq!(set.len(), 1, "{set:?}");
    assert!(set.iter().all(|(_, w)| *w >= 400.0 - 1e-9), "{set:?}");
}

/// `cpu_cores` becomes exclusive cores only for an agent that asks for them: a bid that `sets`
/// `pin_cores` turns the whole cores it wins into the priority workload's pinned cores; a bid
/// without `sets` (the sample's) stays accounting.
#[test]
fn an_agent_that_asks_for_exclusive_cores_gets_its_core_grant_pinned() {
    let config = json!({
        "variables": {"wl.priority.pinned_cores": "double", "wl.priority.threads": "double"},
        "pools": [{"resource": "cpu_cores", "strategy": "first_fit", "capacity": 8}],
        "agents": [
            {
                "id": "foreground",
                "budgetPerTick": 100,
                "effects": ["cpu_control"],
                "bids": [{
                    "resource": "cpu_cores",
                    "amount": "wl.priority.threads",
                    "maxUnitPrice": 10,
                    "sets": {"kind": "pin_cores", "target": "priority", "value": "grant"}
                }]
            },
            {
                "id": "background",
                "budgetPerTick": 100,
                "bids": [{"resource": "cpu_cores", "amount": 4, "maxUnitPrice": 10}]
            }
        ],
        "gate": {"actions": {"pin_cores": {
            "agent": "foreground",
            "effect": "cpu_control",
            "targets": ["priority"],
            "value": {"current": "wl.{target}.pinned_cores", "initial": 0},
            "min": 0,
            "max": 6,
            "maxStep": 4
        }}}
    });
    let mut engine = Engine::from_json(&config.to_string()).expect("the config builds");
    let reading = |threads: f64, pinned: f64| {
        BTreeMap::from([
            ("wl.priority.threads".to_string(), threads),
            ("wl.priority.pinned_cores".to_string(), pinned),
        ])
    };
    let pinned = |out: &TickOutput| approved_of(out, "pin_cores");
    // Three threads, nothing pinned yet: the three cores it wins become exclusive.
    let out = engine.tick(&reading(3.0, 0.0), 0.0).expect("tick");
    assert_eq!(pinned(&out), vec![("priority".to_string(), 3.0)]);
    // The same grant again, now applied: nothing to write.
    let out = engine.tick(&reading(3.0, 3.0), 100.0).expect("tick");
    assert_eq!(pinned(&out), vec![]);
    // Nine threads: the pool has 8 cores and the background holds 4; the gate's bound (6) and
    // step (4) hold what it wins, whatever the market grants.
    let out = engine.tick(&reading(9.0, 3.0), 200.0).expect("tick");
    let set = pinned(&out);
    assert_eq!(set.len(), 1, "{set:?}");
    assert!(set[0].1 > 3.0 && set[0].1 <= 6.0, "{set:?}");
}

/// `cpu_time` becomes a bound where a bid asks for one: a bid that `sets` `set_cpu_quota` turns
/// the µs of each 10 ms period it wins into the workload's quota in cores (grant / 10000 ×
/// cores); the gate's bounds hold it.
#[test]
fn a_cpu_time_grant_can_bound_a_workload_as_its_quota() {
    let config = json!({
        "variables": {"wl.background.cpu_quota": "double"},
        "pools": [{"resource": "cpu_time", "strategy": "best_fit", "capacity": 10000}],
        "market": {"initialPrices": {"cpu_time": 0.001}, "priceMin": 1e-6},
        "agents": [
            {
                "id": "sched_agent",
                "budgetPerTick": 100,
                "effects": ["process_control"],
                "bids": [
                    {"resource": "cpu_time", "amount": 7500, "maxUnitPrice": 0.01},
                    {
                        "resource": "cpu_time",
                        "amount": 9000,
                        "maxUnitPrice": 0.004,
                        "sets": {"kind": "set_cpu_quota", "target": "background", "value": "grant / 10000.0 * 8.0"}
                    }
                ]
            }
        ],
        "gate": {"actions": {"set_cpu_quota": {
            "agent": "sched_agent",
            "effect": "process_control",
            "targets": ["background"],
            "value": {"param": "cores", "mode": "absolute", "current": "wl.{target}.cpu_quota", "initial": 8},
            "min": 1,
            "max": 8,
            "maxStep": 8,
            "hysteresis": 0.25
        }}}
    });
    let mut engine = Engine::from_json(&config.to_string()).expect("the config builds");
    let quota = |out: &TickOutput| approved_of(out, "set_cpu_quota");
    let reading = |q: f64| BTreeMap::from([("wl.background.cpu_quota".to_string(), q)]);
    // The first bid holds 7500 µs of the period; the background's bid wins what is left, 2500
    // µs, a quarter of the period: 2 of 8 cores.
    let out = engine.tick(&reading(8.0), 0.0).expect("tick");
    let set = quota(&out);
    assert_eq!(set.len(), 1, "{set:?} {:?}", out.rejected);
    assert_eq!(set[0].0, "background");
    assert!((set[0].1 - 2.0).abs() < 0.05, "{set:?}");
    // Applied: the same grant writes nothing again.
    let out = engine.tick(&reading(set[0].1), 100.0).expect("tick");
    assert_eq!(quota(&out), vec![]);
}
