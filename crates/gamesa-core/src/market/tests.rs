//! Unit tests and properties of the market.

use super::*;
use crate::ErrorCode;
use crate::per_resource::PerResource;
use crate::types::{Priority, ResourceType};
use proptest::prelude::*;

use ResourceType::{CpuCores, CpuTime, GpuMemory, PowerBudget, ThermalHeadroom};

fn agent(id: &str, per_tick: f64) -> AgentDef {
    AgentDef {
        id: id.to_string(),
        description: None,
        priority: Priority::Normal,
        budget_per_tick: per_tick,
        budget_cap: None,
        effects: Vec::new(),
        bids: Vec::new(),
    }
}

fn bid(agent: usize, resource: ResourceType, amount: f64, max_unit_price: f64) -> Bid {
    Bid {
        agent,
        resource,
        amount,
        max_unit_price,
    }
}

fn continuous() -> PerResource<Clearing> {
    PerResource::splat(Clearing::Divisible { quantum: 0.0 })
}

fn market(agents: &[AgentDef]) -> Market {
    Market::new(&MarketConfig::default(), agents, continuous()).unwrap()
}

fn capacity(r: ResourceType, c: f64) -> PerResource<f64> {
    let mut cap = PerResource::splat(0.0);
    cap[r] = c;
    cap
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

const CALM: SafetyInputs = SafetyInputs {
    thermal_headroom_c: None,
    power_headroom_w: None,
};

// ---------- configuration ----------

fn doc_err(text: &str) -> MarketError {
    MarketDocument::from_json(text).expect_err(text)
}

#[test]
fn an_empty_document_is_the_documented_defaults() {
    let doc = MarketDocument::from_json("{}").unwrap();
    let d = MarketConfig::default();
    assert_eq!(doc.market, d);
    assert!(doc.agents.is_empty());
    assert_eq!(
        (d.kappa, d.target_utilization, d.price_min, d.price_max),
        (0.2, 0.85, 0.01, 1000.0)
    );
    assert_eq!(d.initial_price(CpuCores), 1.0);
    assert_eq!(d.reserve.thermal.variable, "thermal.headroom_c");
    assert_eq!(d.reserve.power.applies_to, vec![PowerBudget]);
    // Serialized defaults read back as the same configuration.
    let text = serde_json::to_string(&doc).unwrap();
    assert_eq!(MarketDocument::from_json(&text).unwrap(), doc);
}

#[test]
fn agent_defaults_and_bid_amount_forms() {
    let doc = MarketDocument::from_json(
        r#"{"agents":[{"id":"game","budgetPerTick":10,"bids":[
            {"resource":"cpu_cores","amount":2,"maxUnitPrice":5},
            {"resource":"gpu_compute","amount":"feat.gpu_need * 100","maxUnitPrice":0.5}]}]}"#,
    )
    .unwrap();
    let a = &doc.agents[0];
    assert_eq!(a.priority, Priority::Normal);
    assert_eq!(a.effective_budget_cap(), 40.0);
    assert_eq!(a.bids[0].amount, BidAmount::Fixed(2.0));
    assert_eq!(
        a.bids[1].amount,
        BidAmount::Expr("feat.gpu_need * 100".into())
    );
}

#[test]
fn errors_name_the_json_path() {
    let cases = [
        (r#"{"market":{"kappa":0}}"#, "$.market.kappa"),
        (r#"{"market":{"kappa":"fast"}}"#, "$.market.kappa"),
        (
            r#"{"market":{"targetUtilization":1.5}}"#,
            "$.market.targetUtilization",
        ),
        (
            r#"{"market":{"priceMin":2,"priceMax":2}}"#,
            "$.market.priceMax",
        ),
        (
            r#"{"market":{"initialPrices":{"gpu_memory":5000}}}"#,
            "$.market.initialPrices.gpu_memory",
        ),
        (
            r#"{"market":{"initialPrices":{"cpu":1}}}"#,
            "$.market.initialPrices.cpu",
        ),
        (r#"{"market":{"tau":1}}"#, "$.market.tau"),
        (r#"{"market":[]}"#, "$.market"),
        (
            r#"{"market":{"reserve":{"thermal":{"minHeadroomC":20}}}}"#,
            "$.market.reserve.thermal.minHeadroomC",
        ),
        (
            r#"{"market":{"reserve":{"power":{"variables":[]}}}}"#,
            "$.market.reserve.power.variables",
        ),
        (
            r#"{"market":{"reserve":{"power":{"appliesTo":["power_budget","power_budget"]}}}}"#,
            "$.market.reserve.power.appliesTo[1]",
        ),
        (r#"{"agents":[{"id":"a"}]}"#, "$.agents[0].budgetPerTick"),
        (
            r#"{"agents":[{"id":"a","budgetPerTick":1},{"id":"a","budgetPerTick":1}]}"#,
            "$.agents[1].id",
        ),
        (
            r#"{"agents":[{"id":"a b","budgetPerTick":1}]}"#,
            "$.agents[0].id",
        ),
        (
            r#"{"agents":[{"id":"a","budgetPerTick":4,"budgetCap":2}]}"#,
            "$.agents[0].budgetCap",
        ),
        (
            r#"{"agents":[{"id":"a","budgetPerTick":1,"priority":null}]}"#,
            "$.agents[0].priority",
        ),
        (
            r#"{"agents":[{"id":"a","budgetPerTick":1,"bids":[{"resource":"cpu_cores","amount":-1,"maxUnitPrice":1}]}]}"#,
            "$.agents[0].bids[0].amount",
        ),
        (
            r#"{"agents":[{"id":"a","budgetPerTick":1,"bids":[{"resource":"cpu_cores","amount":" ","maxUnitPrice":1}]}]}"#,
            "$.agents[0].bids[0].amount",
        ),
        (
            r#"{"agents":[{"id":"a","budgetPerTick":1,"bids":[{"resource":"cpu_cores","amount":true,"maxUnitPrice":1}]}]}"#,
            "$.agents[0].bids[0].amount",
        ),
        (
            r#"{"agents":[{"id":"a","budgetPerTick":1,"effects":["gpu_control","gpu_control"]}]}"#,
            "$.agents[0].effects[1]",
        ),
        (r#"{"market":{"kappa":1e999}}"#, "$.market.kappa"),
        ("{\"market\":", "$"),
    ];
    for (text, path) in cases {
        let e = doc_err(text);
        assert_eq!(e.path(), Some(path), "{text}: {e}");
        assert_eq!(e.code(), "INVALID_CONFIG");
        assert!(e.to_string().starts_with(path), "{e}");
    }
}

#[test]
fn market_new_validates_with_engine_paths() {
    let config = MarketConfig {
        kappa: f64::NAN,
        ..MarketConfig::default()
    };
    let e = Market::new(&config, &[], continuous()).unwrap_err();
    assert_eq!(e.path(), Some("$.market.kappa"));
    let e = Market::new(&MarketConfig::default(), &[agent("x", -1.0)], continuous()).unwrap_err();
    assert_eq!(e.path(), Some("$.agents[0].budgetPerTick"));
    let mut clearing = continuous();
    clearing[CpuCores] = Clearing::Indivisible { unit: 0.0 };
    let e = Market::new(&MarketConfig::default(), &[], clearing).unwrap_err();
    assert_eq!(e.code(), "INVALID_ARGUMENT");
}

#[test]
fn clearing_follows_the_pool_strategy() {
    use crate::allocation::{AllocatorConfig, Strategy};
    let pools = AllocatorConfig::defaults().pools;
    let kinds: Vec<(Strategy, Clearing)> = pools
        .iter()
        .map(|p| (p.strategy, Clearing::for_pool(p)))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (Strategy::FirstFit, Clearing::Indivisible { unit: 1.0 }),
            (Strategy::BestFit, Clearing::Divisible { quantum: 1.0 }),
            (Strategy::Buddy, Clearing::Indivisible { unit: 1.0 }),
            (Strategy::Buddy, Clearing::Indivisible { unit: 1.0 }),
            (Strategy::Priority, Clearing::Divisible { quantum: 0.0 }),
            (Strategy::Weighted, Clearing::Divisible { quantum: 0.0 }),
        ]
    );
    assert!(!Clearing::Divisible { quantum: -1.0 }.is_valid());
    assert!(
        !Clearing::Indivisible {
            unit: f64::INFINITY
        }
        .is_valid()
    );
    assert_eq!(
        serde_json::to_string(&Clearing::Indivisible { unit: 64.0 }).unwrap(),
        r#"{"kind":"indivisible","unit":64.0}"#
    );
}

// ---------- prices ----------

#[test]
fn tatonnement_follows_excess_demand_within_bounds() {
    let c = MarketConfig::default();
    // At the target the price stands still.
    assert!(close(pricing::tatonnement(2.0, 85.0, 100.0, &c), 2.0));
    assert!(close(
        pricing::tatonnement(2.0, 100.0, 100.0, &c),
        2.0 * (0.2f64 * 0.15).exp()
    ));
    assert!(pricing::tatonnement(2.0, 0.0, 100.0, &c) < 2.0);
    assert_eq!(pricing::tatonnement(999.9, 1e9, 1.0, &c), 1000.0);
    assert_eq!(pricing::tatonnement(0.0101, 0.0, 1.0, &c), 0.01);
    // No supply: capped ratio, still finite.
    assert!(close(
        pricing::tatonnement(1.0, 5.0, 0.0, &c),
        (0.2f64 * (pricing::MAX_DEMAND_RATIO - 0.85)).exp()
    ));
}

#[test]
fn reserves_grow_steeply_as_headroom_vanishes() {
    let c = MarketConfig {
        reserve: ReserveConfig {
            power: PowerReserve {
                cap_w: Some(100.0),
                ..PowerReserve::default()
            },
            ..ReserveConfig::default()
        },
        ..MarketConfig::default()
    };
    let at = |h: Option<f64>, w: Option<f64>| {
        pricing::reserves(
            &c,
            &SafetyInputs {
                thermal_headroom_c: h,
                power_headroom_w: w,
            },
        )
    };
    assert_eq!(at(Some(20.0), None)[ThermalHeadroom], 0.0);
    assert!(close(at(Some(15.0 - 1e-12), None)[ThermalHeadroom], 1.0));
    assert!(close(at(Some(5.0), None)[ThermalHeadroom], 9.0));
    assert!(close(at(Some(0.5), None)[ThermalHeadroom], 900.0));
    assert!(close(at(Some(-3.0), None)[ThermalHeadroom], 900.0));
    assert_eq!(
        at(Some(1.0), None)[CpuCores],
        0.0,
        "only appliesTo resources"
    );
    assert!(close(at(None, Some(10.0))[PowerBudget], 4.0));
    assert!(close(at(None, Some(0.0))[PowerBudget], 400.0));
    assert_eq!(at(Some(f64::NAN), None)[ThermalHeadroom], 0.0);
    // Steep: each halving of the headroom multiplies the reserve by 2^exponent.
    let r4 = at(Some(4.0), None)[ThermalHeadroom];
    let r2 = at(Some(2.0), None)[ThermalHeadroom];
    assert!(close(r2 / r4, 4.0));
}

#[test]
fn a_hot_machine_posts_the_reserve_and_prices_the_headroom_out() {
    let mut m = market(&[agent("a", 100.0)]);
    let hot = SafetyInputs {
        thermal_headroom_c: Some(1.0),
        power_headroom_w: None,
    };
    let t = m.tick(
        &[bid(0, ThermalHeadroom, 1.0, 10.0)],
        &capacity(ThermalHeadroom, 1.0),
        &hot,
    );
    assert!(close(t.prices[ThermalHeadroom], 225.0));
    assert_eq!(t.grants[0].note, Some(BidNote::BelowPrice));
    assert_eq!(t.grants[0].amount, 0.0);
    // Cooling down lifts the reserve at once; the scarcity price was not dragged up by it.
    let t = m.tick(
        &[bid(0, ThermalHeadroom, 1.0, 10.0)],
        &capacity(ThermalHeadroom, 1.0),
        &CALM,
    );
    assert!(t.prices[ThermalHeadroom] < 1.0);
    assert_eq!(t.grants[0].amount, 1.0);
}

#[test]
fn rates_are_price_ratios() {
    let mut c = MarketConfig::default();
    c.initial_prices.set(CpuCores, Some(4.0));
    c.initial_prices.set(GpuMemory, Some(0.5));
    let m = Market::new(&c, &[], continuous()).unwrap();
    let rates = m.rates();
    assert_eq!(rates.rate(CpuCores, GpuMemory), 8.0);
    assert_eq!(rates.rate(GpuMemory, CpuCores), 0.125);
    assert_eq!(rates.rate(CpuTime, CpuTime), 1.0);
    let json = serde_json::to_value(rates).unwrap();
    assert_eq!(json["cpu_cores"]["gpu_memory"], 8.0);
    assert_eq!(json.as_object().unwrap().len(), 6);
}

// ---------- budgets ----------

#[test]
fn budgets_renew_and_carry_over_up_to_the_cap() {
    let mut a = agent("a", 10.0);
    a.budget_cap = Some(25.0);
    let mut m = market(&[a, agent("b", 3.0)]);
    let t = m.tick(&[], &PerResource::splat(0.0), &CALM);
    assert_eq!(t.balances, vec![10.0, 3.0]);
    m.tick(&[], &PerResource::splat(0.0), &CALM);
    let t = m.tick(&[], &PerResource::splat(0.0), &CALM);
    assert_eq!(t.balances, vec![25.0, 9.0]);
    for _ in 0..3 {
        m.tick(&[], &PerResource::splat(0.0), &CALM);
    }
    assert_eq!(
        m.balances(),
        &[25.0, 12.0],
        "default cap is 4 × budgetPerTick"
    );
    m.charge(0, 5.0).unwrap();
    assert_eq!(m.balances()[0], 20.0);
    m.charge(1, 50.0).unwrap();
    assert_eq!(m.balances()[1], 0.0, "never below 0");
    assert_eq!(m.charge(2, 1.0).unwrap_err().code(), "INVALID_ARGUMENT");
    assert_eq!(m.charge(0, -1.0).unwrap_err().code(), "INVALID_ARGUMENT");
    assert_eq!(
        m.charge(0, f64::NAN).unwrap_err().code(),
        "INVALID_ARGUMENT"
    );
    assert_eq!(m.agent_index("b"), Some(1));
    assert_eq!(m.agent_index("c"), None);
}

// ---------- divisible clearing ----------

#[test]
fn uncontested_bids_get_their_request_at_the_posted_price() {
    let mut m = market(&[agent("a", 100.0), agent("b", 100.0)]);
    let t = m.tick(
        &[bid(0, CpuTime, 3.0, 2.0), bid(1, CpuTime, 4.0, 2.0)],
        &capacity(CpuTime, 10.0),
        &CALM,
    );
    assert_eq!((t.grants[0].amount, t.grants[1].amount), (3.0, 4.0));
    assert_eq!(t.clearing_prices[CpuTime], 1.0);
    assert_eq!((t.grants[0].paid, t.grants[1].paid), (3.0, 4.0));
    assert_eq!(t.spent, vec![3.0, 4.0]);
    assert_eq!(t.balances, vec![97.0, 96.0]);
    assert_eq!(t.demand[CpuTime], 7.0);
}

#[test]
fn budget_limited_bidders_get_kelly_proportional_shares() {
    // Budgets 30 and 10 credits, each asking for everything: Kelly gives 3/4 and 1/4 at the
    // price Σ budgets / capacity = 5.
    let mut m = market(&[agent("a", 30.0), agent("b", 10.0)]);
    let t = m.tick(
        &[bid(0, CpuTime, 100.0, 50.0), bid(1, CpuTime, 100.0, 50.0)],
        &capacity(CpuTime, 8.0),
        &CALM,
    );
    assert!(close(t.clearing_prices[CpuTime], 5.0));
    assert!(close(t.grants[0].amount, 6.0) && close(t.grants[1].amount, 2.0));
    assert!(close(t.spent[0], 30.0) && close(t.spent[1], 10.0));
}

#[test]
fn a_capped_request_leaves_its_share_to_the_others() {
    // Equal budgets, but `a` needs only 1 of 8: `b` gets the remaining 7 (water-filling), at
    // the price where b's budget buys 7.
    let mut m = market(&[agent("a", 20.0), agent("b", 20.0)]);
    let t = m.tick(
        &[bid(0, CpuTime, 1.0, 50.0), bid(1, CpuTime, 100.0, 50.0)],
        &capacity(CpuTime, 8.0),
        &CALM,
    );
    assert!(close(t.grants[0].amount, 1.0));
    assert!(close(t.grants[1].amount, 7.0));
    assert!(close(t.clearing_prices[CpuTime], 20.0 / 7.0));
}

#[test]
fn bidders_at_their_limit_price_share_what_is_left() {
    // a and b stop at 2 credits/unit; c goes higher. At 2, c (budget 8) wants 4, the rest (4)
    // is shared by a and b (each wanting 10) equally.
    let mut m = market(&[agent("a", 100.0), agent("b", 100.0), agent("c", 8.0)]);
    let t = m.tick(
        &[
            bid(0, CpuTime, 10.0, 2.0),
            bid(1, CpuTime, 10.0, 2.0),
            bid(2, CpuTime, 10.0, 9.0),
        ],
        &capacity(CpuTime, 8.0),
        &CALM,
    );
    assert_eq!(t.clearing_prices[CpuTime], 2.0);
    assert!(close(t.grants[2].amount, 4.0));
    assert!(close(t.grants[0].amount, 2.0) && close(t.grants[1].amount, 2.0));
}

#[test]
fn whole_quanta_by_largest_remainder_then_priority_then_id() {
    let mut clearing = continuous();
    clearing[CpuTime] = Clearing::Divisible { quantum: 1.0 };
    let mut hi = agent("z", 10.0);
    hi.priority = Priority::High;
    let agents = [agent("a", 10.0), agent("b", 10.0), hi];
    let mut m = Market::new(&MarketConfig::default(), &agents, clearing).unwrap();
    // Three equal budget-limited bidders on 8 units: 2.67 each at 3.75 → 2 each, the two
    // leftover units go to the high-priority bidder first, then to the lower id, and the price
    // drops to 10/3 so that 3 units fit a 10-credit budget.
    let bids = [
        bid(0, CpuTime, 100.0, 50.0),
        bid(1, CpuTime, 100.0, 50.0),
        bid(2, CpuTime, 100.0, 50.0),
    ];
    let t = m.tick(&bids, &capacity(CpuTime, 8.0), &CALM);
    let got: Vec<f64> = t.grants.iter().map(|g| g.amount).collect();
    assert_eq!(got, vec![3.0, 2.0, 3.0]);
    assert!(close(t.clearing_prices[CpuTime], 10.0 / 3.0));
    for (g, s) in t.grants.iter().zip(&t.spent) {
        assert!(g.paid <= 10.0 + 1e-9 && close(g.paid, *s));
    }
}

// ---------- indivisible clearing ----------

fn cores(agents: &[AgentDef]) -> Market {
    let mut clearing = continuous();
    clearing[CpuCores] = Clearing::Indivisible { unit: 1.0 };
    Market::new(&MarketConfig::default(), agents, clearing).unwrap()
}

#[test]
fn k_units_go_to_the_k_highest_bids_at_the_next_highest_bid() {
    let agents = [agent("a", 100.0), agent("b", 100.0), agent("c", 100.0)];
    let mut m = cores(&agents);
    let t = m.tick(
        &[
            bid(0, CpuCores, 1.0, 5.0),
            bid(1, CpuCores, 1.0, 4.0),
            bid(2, CpuCores, 1.0, 3.0),
        ],
        &capacity(CpuCores, 2.0),
        &CALM,
    );
    let got: Vec<f64> = t.grants.iter().map(|g| g.amount).collect();
    assert_eq!(got, vec![1.0, 1.0, 0.0]);
    assert_eq!(t.clearing_prices[CpuCores], 3.0, "second price");
    assert_eq!(t.spent, vec![3.0, 3.0, 0.0]);
    // Multi-unit: 4 units; a wants 3 at 6, b 2 at 4, c 1 at 2 → a 3, b 1; price = b's
    // second unit bid, 4.
    let t = m.tick(
        &[
            bid(0, CpuCores, 3.0, 6.0),
            bid(1, CpuCores, 2.0, 4.0),
            bid(2, CpuCores, 1.0, 2.0),
        ],
        &capacity(CpuCores, 4.0),
        &CALM,
    );
    let got: Vec<f64> = t.grants.iter().map(|g| g.amount).collect();
    assert_eq!(got, vec![3.0, 1.0, 0.0]);
    assert_eq!(t.clearing_prices[CpuCores], 4.0);
}

#[test]
fn auction_ties_go_by_priority_then_id() {
    let mut b = agent("b", 100.0);
    b.priority = Priority::Critical;
    let agents = [agent("c", 100.0), agent("a", 100.0), b];
    let mut m = cores(&agents);
    let same = |i| bid(i, CpuCores, 1.0, 5.0);
    let t = m.tick(
        &[same(0), same(1), same(2)],
        &capacity(CpuCores, 2.0),
        &CALM,
    );
    let got: Vec<f64> = t.grants.iter().map(|g| g.amount).collect();
    assert_eq!(got, vec![0.0, 1.0, 1.0], "critical b, then id a before c");
    assert_eq!(t.clearing_prices[CpuCores], 5.0);
}

#[test]
fn an_auction_bid_is_kept_within_its_budget() {
    // a bids 5/unit for 2 cores but only has 4 credits: its unit bid is lowered to 2.
    let mut m = cores(&[agent("a", 4.0), agent("b", 100.0)]);
    let t = m.tick(
        &[bid(0, CpuCores, 2.0, 5.0), bid(1, CpuCores, 1.0, 3.0)],
        &capacity(CpuCores, 2.0),
        &CALM,
    );
    let got: Vec<f64> = t.grants.iter().map(|g| g.amount).collect();
    assert_eq!(got, vec![1.0, 1.0]);
    assert_eq!(t.clearing_prices[CpuCores], 2.0);
    assert!(t.spent[0] <= 4.0);
}

// ---------- robustness ----------

#[test]
fn unusable_bids_are_noted_never_panic_and_outputs_stay_finite() {
    let mut m = market(&[agent("a", 10.0), agent("poor", 0.0)]);
    let bids = [
        bid(7, CpuTime, 1.0, 1.0),
        bid(0, CpuTime, f64::NAN, 1.0),
        bid(0, CpuTime, 1.0, f64::INFINITY),
        bid(0, CpuTime, -1.0, 1.0),
        bid(0, CpuTime, 1.0, 0.5),
        bid(1, CpuTime, 1.0, 5.0),
        bid(0, GpuMemory, 1.0, 5.0),
    ];
    let mut cap = capacity(CpuTime, 4.0);
    cap[GpuMemory] = f64::NAN;
    let t = m.tick(&bids, &cap, &CALM);
    let notes: Vec<Option<BidNote>> = t.grants.iter().map(|g| g.note).collect();
    assert_eq!(
        notes,
        vec![
            Some(BidNote::UnknownAgent),
            Some(BidNote::InvalidBid),
            Some(BidNote::InvalidBid),
            Some(BidNote::InvalidBid),
            Some(BidNote::BelowPrice),
            Some(BidNote::NoBudget),
            Some(BidNote::NoCapacity),
        ]
    );
    let json = serde_json::to_string(&t).unwrap();
    assert!(!json.contains("null"), "{json}");
    assert_eq!(t.supply[GpuMemory], 0.0);
}

// ---------- scoring ----------

fn cand(agent: usize, benefit: f64, costs: &[(ResourceType, f64)]) -> Candidate {
    let mut c = PerResource::splat(0.0);
    for &(r, q) in costs {
        c[r] = q;
    }
    Candidate {
        agent,
        benefit,
        costs: c,
    }
}

#[test]
fn score_is_benefit_minus_priced_costs() {
    let mut prices = PerResource::splat(1.0);
    prices[CpuCores] = 3.0;
    let c = cand(0, 10.0, &[(CpuCores, 2.0), (PowerBudget, 1.5)]);
    assert_eq!(score(&c, &prices), 10.0 - 6.0 - 1.5);
}

#[test]
fn greedy_takes_the_densest_and_explains_the_rest() {
    let prices = PerResource::splat(1.0);
    let cap = capacity(CpuCores, 4.0);
    let cands = [
        cand(0, 10.0, &[(CpuCores, 3.0)]), // score 7, density 7 / 0.75
        cand(0, 5.0, &[(CpuCores, 1.0)]),  // score 4, density 4 / 0.25 → first
        cand(0, 4.0, &[(CpuCores, 2.0)]),  // score 2: no room left
        cand(0, 0.5, &[(CpuCores, 1.0)]),  // negative
        cand(1, 9.0, &[]),                 // free: first of all
        cand(0, f64::NAN, &[]),            // invalid
        cand(5, 1.0, &[]),                 // no such agent
    ];
    let s = select_actions(&cands, &prices, &cap, &[100.0, 100.0]);
    assert_eq!(s.chosen, vec![4, 1, 0]);
    assert_eq!(
        s.reasons,
        vec![
            None,
            None,
            Some(scoring::OVER_CAPACITY),
            Some(scoring::NEGATIVE_SCORE),
            None,
            Some(scoring::INVALID_CANDIDATE),
            Some(scoring::INVALID_CANDIDATE),
        ]
    );
    assert_eq!(s.total_score(), 20.0);
    assert!(s.scores.iter().all(|x| x.is_finite()));
}

#[test]
fn budgets_bind_the_selection() {
    let prices = PerResource::splat(2.0);
    let cap = capacity(CpuCores, 100.0);
    let cands = [
        cand(0, 30.0, &[(CpuCores, 5.0)]), // costs 10 credits
        cand(0, 30.0, &[(CpuCores, 5.0)]),
    ];
    let s = select_actions(&cands, &prices, &cap, &[15.0]);
    assert_eq!(s.chosen, vec![0]);
    assert_eq!(s.reasons[1], Some(scoring::OVER_BUDGET));
}

#[test]
fn the_seeded_pass_escapes_the_density_trap() {
    // A small dense action would block the big valuable one; the pass seeded with the best
    // single action takes the big one, as the exact optimum does.
    let prices = PerResource::splat(0.0);
    let cap = capacity(CpuCores, 10.0);
    let cands = [
        cand(0, 2.0, &[(CpuCores, 1.0)]),
        cand(0, 10.0, &[(CpuCores, 10.0)]),
    ];
    let g = select_actions(&cands, &prices, &cap, &[1.0]);
    let e = select_exact(&cands, &prices, &cap, &[1.0]);
    assert_eq!(g.chosen, vec![1]);
    assert_eq!(e.chosen, vec![1]);
    assert_eq!(g.reasons[0], Some(scoring::OVER_CAPACITY));
}

#[test]
fn greedy_can_still_miss_the_optimum_which_exact_finds() {
    // Capacity 10: {6, 5, 5} by size. Density picks the 6 (score 7) and nothing else fits; the
    // best single is the same 6; the optimum is the two 5s (score 5 + 5).
    let prices = PerResource::splat(0.0);
    let cap = capacity(CpuCores, 10.0);
    let cands = [
        cand(0, 7.0, &[(CpuCores, 6.0)]),
        cand(0, 5.0, &[(CpuCores, 5.0)]),
        cand(0, 5.0, &[(CpuCores, 5.0)]),
    ];
    let g = select_actions(&cands, &prices, &cap, &[1.0]);
    let e = select_exact(&cands, &prices, &cap, &[1.0]);
    assert_eq!(g.chosen, vec![0]);
    assert_eq!(e.chosen, vec![1, 2]);
    assert_eq!((g.total_score(), e.total_score()), (7.0, 10.0));
}

// ---------- properties ----------

/// A random market round: agents (budget, priority), bids and capacities.
#[derive(Debug, Clone)]
struct Round {
    budgets: Vec<(f64, u8)>,
    bids: Vec<(usize, usize, f64, f64)>,
    capacity: [f64; 6],
    quantum: f64,
    unit: f64,
}

fn round() -> impl Strategy<Value = Round> {
    (1usize..8)
        .prop_flat_map(|n| {
            (
                prop::collection::vec((0.0f64..50.0, 0u8..4), n),
                prop::collection::vec((0..n, 0usize..6, 0.0f64..20.0, 0.0f64..10.0), 0..24),
                prop::array::uniform6(prop_oneof![Just(0.0), 0.5f64..40.0]),
                prop_oneof![Just(0.0), Just(1.0), Just(0.25)],
                prop_oneof![Just(1.0), Just(2.0), Just(0.5)],
            )
        })
        .prop_map(|(budgets, bids, capacity, quantum, unit)| Round {
            budgets,
            bids,
            capacity,
            quantum,
            unit,
        })
}

impl Round {
    fn market(&self) -> Market {
        let agents: Vec<AgentDef> = self
            .budgets
            .iter()
            .enumerate()
            .map(|(i, &(b, p))| AgentDef {
                priority: Priority::ALL[usize::from(p)],
                ..agent(&format!("agent{i}"), b)
            })
            .collect();
        // Cores and GPU memory by auction, the rest divisible.
        let mut clearing = PerResource::splat(Clearing::Divisible {
            quantum: self.quantum,
        });
        clearing[CpuCores] = Clearing::Indivisible { unit: 1.0 };
        clearing[GpuMemory] = Clearing::Indivisible { unit: self.unit };
        Market::new(&MarketConfig::default(), &agents, clearing).unwrap()
    }

    fn bids(&self) -> Vec<Bid> {
        self.bids
            .iter()
            .map(|&(a, r, amount, price)| bid(a, ResourceType::ALL[r], amount, price))
            .collect()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn no_agent_spends_beyond_its_budget_and_grants_fit(round in round(), ticks in 1usize..4) {
        let mut m = round.market();
        let bids = round.bids();
        let cap = PerResource(round.capacity);
        for _ in 0..ticks {
            let before: Vec<f64> = m.balances().iter().zip(m.agents())
                .map(|(b, a)| (b + a.budget_per_tick).min(a.effective_budget_cap()))
                .collect();
            let t = m.tick(&bids, &cap, &CALM);
            for (i, spent) in t.spent.iter().enumerate() {
                prop_assert!(*spent <= before[i], "agent {i} spent {spent} of {}", before[i]);
                prop_assert!(t.balances[i] >= 0.0);
                let paid: f64 = t.grants.iter().filter(|g| g.agent == i).map(|g| g.paid).sum();
                prop_assert!(close(paid, *spent));
            }
            for r in ResourceType::ALL {
                let total: f64 = t.grants.iter().filter(|g| g.resource == r).map(|g| g.amount).sum();
                prop_assert!(total <= cap[r] + 1e-9 * cap[r].max(1.0), "{r}: {total} > {}", cap[r]);
                prop_assert!(t.clearing_prices[r] >= t.prices[r]);
            }
            for g in &t.grants {
                prop_assert!(g.amount >= 0.0 && g.amount <= g.requested * (1.0 + 1e-9) + 1e-12);
                prop_assert!(g.paid <= g.amount * g.unit_price * (1.0 + 1e-9) + 1e-12);
            }
        }
    }

    #[test]
    fn same_input_same_output(round in round()) {
        let (mut a, mut b) = (round.market(), round.market());
        let bids = round.bids();
        let cap = PerResource(round.capacity);
        for _ in 0..3 {
            let (x, y) = (a.tick(&bids, &cap, &CALM), b.tick(&bids, &cap, &CALM));
            prop_assert_eq!(serde_json::to_string(&x).unwrap(), serde_json::to_string(&y).unwrap());
        }
    }

    #[test]
    fn equal_bids_get_equal_shares(n in 2usize..8, budget in 0.5f64..50.0, amount in 0.1f64..20.0,
                                   price in 1.0f64..10.0, cap in 0.5f64..40.0) {
        let agents: Vec<AgentDef> = (0..n).map(|i| agent(&format!("a{i}"), budget)).collect();
        let mut m = market(&agents);
        let bids: Vec<Bid> = (0..n).map(|i| bid(i, PowerBudget, amount, price)).collect();
        let t = m.tick(&bids, &capacity(PowerBudget, cap), &CALM);
        let first = t.grants[0].amount;
        prop_assert!(first > 0.0);
        for g in &t.grants {
            prop_assert!(close(g.amount, first), "{} vs {first}", g.amount);
        }
    }

    #[test]
    fn a_lone_agent_gets_min_request_capacity(amount in 0.1f64..50.0, cap in 0.1f64..50.0,
                                             whole_units in any::<bool>()) {
        // Enough budget for min(request, capacity) at the posted price (1 credit/unit).
        let (amount, cap) = if whole_units { (amount.ceil(), cap.ceil()) } else { (amount, cap) };
        let want = amount.min(cap);
        let mut m = cores(&[agent("solo", want)]);
        let r = if whole_units { CpuCores } else { CpuTime };
        let t = m.tick(&[bid(0, r, amount, 1.0)], &capacity(r, cap), &CALM);
        prop_assert!(close(t.grants[0].amount, want), "{} vs {want}", t.grants[0].amount);
        prop_assert!(close(t.grants[0].paid, want));
    }

    #[test]
    fn prices_rise_under_sustained_excess_demand(excess in 1.0f64..3.0, kappa in 0.01f64..2.0,
                                                cap in 1.0f64..100.0) {
        let config = MarketConfig { kappa, ..MarketConfig::default() };
        let mut m = Market::new(&config, &[agent("a", 1e9)], continuous()).unwrap();
        let bids = [bid(0, CpuTime, cap * excess, 1e6)];
        let mut last = m.prices()[CpuTime];
        for _ in 0..20 {
            let t = m.tick(&bids, &capacity(CpuTime, cap), &CALM);
            prop_assert!(t.demand[CpuTime] > cap * config.target_utilization);
            let next = m.prices()[CpuTime];
            prop_assert!(next > last || next == config.price_max, "{next} after {last}");
            last = next;
        }
    }

    #[test]
    fn prices_fall_under_slack(used in 0.0f64..0.8, kappa in 0.01f64..2.0, cap in 1.0f64..100.0) {
        let config = MarketConfig { kappa, ..MarketConfig::default() };
        let mut m = Market::new(&config, &[agent("a", 1e9)], continuous()).unwrap();
        let bids = [bid(0, CpuTime, cap * used, 1e6)];
        let mut last = m.prices()[CpuTime];
        for _ in 0..20 {
            m.tick(&bids, &capacity(CpuTime, cap), &CALM);
            let next = m.prices()[CpuTime];
            prop_assert!(next < last || next == config.price_min, "{next} after {last}");
            last = next;
        }
    }

    #[test]
    fn selections_respect_capacities_and_budgets(
        cands in prop::collection::vec((0usize..3, -5.0f64..20.0, prop::array::uniform6(prop_oneof![Just(0.0), 0.0f64..5.0])), 0..12),
        cap in prop::array::uniform6(0.0f64..10.0),
        budgets in prop::collection::vec(0.0f64..20.0, 3),
    ) {
        let cands: Vec<Candidate> = cands.into_iter()
            .map(|(agent, benefit, costs)| Candidate { agent, benefit, costs: PerResource(costs) })
            .collect();
        let prices = PerResource::splat(0.5);
        let cap = PerResource(cap);
        let g = select_actions(&cands, &prices, &cap, &budgets);
        let e = select_exact(&cands, &prices, &cap, &budgets);
        for s in [&g, &e] {
            let mut used = PerResource::splat(0.0);
            let mut paid = [0.0; 3];
            for &i in &s.chosen {
                prop_assert!(s.scores[i] > 0.0 && s.reasons[i].is_none());
                for r in ResourceType::ALL { used[r] += cands[i].costs[r]; }
                paid[cands[i].agent] += priced_cost(&cands[i], &prices);
            }
            for r in ResourceType::ALL { prop_assert!(used[r] <= cap[r] * (1.0 + 1e-9) + 1e-9); }
            for a in 0..3 { prop_assert!(paid[a] <= budgets[a] * (1.0 + 1e-9) + 1e-9); }
            prop_assert_eq!(s.reasons.iter().filter(|r| r.is_none()).count(), s.chosen.len());
        }
        prop_assert!(g.total_score() <= e.total_score() + 1e-9);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// The proportional-share outcome is a competitive equilibrium at the minimal price: every
    /// order not at its limit gets exactly what it wants at the price; when the price is above
    /// the posted one the capacity is used up, and just below the price demand exceeds it.
    #[test]
    fn divisible_clearing_is_the_minimal_clearing_price(
        orders in prop::collection::vec((0.1f64..30.0, 0.1f64..60.0, 1.0f64..8.0, 0u8..3), 1..12),
        capacity in 0.5f64..60.0,
    ) {
        let posted = 1.0;
        let orders: Vec<clearing::Order<'_>> = orders
            .iter()
            .enumerate()
            .map(|(i, &(demand, slice, max_price, snap))| clearing::Order {
                bid: i,
                priority: Priority::Normal,
                agent_id: "x",
                demand: demand.min(capacity),
                slice,
                // Some limits on round values so several orders share a limit price.
                max_price: if snap == 0 { max_price.round() } else { max_price },
            })
            .collect();
        let c = divisible::clear(&orders, posted, capacity, 0.0);
        let total: f64 = c.grants.iter().sum();
        prop_assert!(total <= capacity);
        prop_assert!(c.price >= posted);
        for (o, &g) in orders.iter().zip(&c.grants) {
            prop_assert!(g >= 0.0 && g <= o.want_at(c.price) * (1.0 + 1e-9) + 1e-12);
            if o.max_price != c.price {
                prop_assert!(close(g, o.want_at(c.price)), "order {:?} got {g} at {}", o, c.price);
            }
            prop_assert!(g * c.price <= o.slice * (1.0 + 1e-9));
        }
        if c.price > posted {
            prop_assert!(close(total, capacity), "price {} above posted but {total} of {capacity} used", c.price);
            let below = c.price * (1.0 - 1e-7);
            let demand_below: f64 = orders.iter().map(|o| o.want_at(below)).sum();
            prop_assert!(demand_below > capacity * (1.0 - 1e-9), "demand {demand_below} at {below} fits {capacity}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Whatever the engine hands over — NaN, ±∞, huge or negative numbers, unknown agents —
    /// the market neither panics nor puts a non-finite number into its output.
    #[test]
    fn any_input_gives_finite_output(
        raw_bids in prop::collection::vec((0usize..4, 0usize..6, prop::num::f64::ANY, prop::num::f64::ANY), 0..16),
        cap in prop::array::uniform6(prop::num::f64::ANY),
        thermal in prop::option::of(prop::num::f64::ANY),
        power in prop::option::of(prop::num::f64::ANY),
        cands in prop::collection::vec((0usize..4, prop::num::f64::ANY, prop::array::uniform6(prop::num::f64::ANY)), 0..8),
        budgets in prop::collection::vec(prop::num::f64::ANY, 0..3),
    ) {
        let mut clearing = continuous();
        clearing[CpuCores] = Clearing::Indivisible { unit: 1.0 };
        clearing[CpuTime] = Clearing::Divisible { quantum: 1.0 };
        let mut poor = agent("poor", 0.0);
        poor.budget_cap = Some(0.0);
        let agents = [agent("rich", super::config::MAX_CREDITS), poor, agent("c", 3.0)];
        let config = MarketConfig {
            price_min: 1e-300,
            price_max: 1e300,
            reserve: ReserveConfig {
                power: PowerReserve { cap_w: Some(100.0), ..PowerReserve::default() },
                ..ReserveConfig::default()
            },
            ..MarketConfig::default()
        };
        let mut m = Market::new(&config, &agents, clearing).unwrap();
        let bids: Vec<Bid> = raw_bids
            .iter()
            .map(|&(a, r, amount, price)| bid(a, ResourceType::ALL[r], amount, price))
            .collect();
        let safety = SafetyInputs { thermal_headroom_c: thermal, power_headroom_w: power };
        for _ in 0..3 {
            let t = m.tick(&bids, &PerResource(cap), &safety);
            let json = serde_json::to_string(&t).unwrap();
            prop_assert!(!json.contains("null"), "{json}");
            let rates = serde_json::to_string(&m.rates()).unwrap();
            prop_assert!(!rates.contains("null"), "{rates}");
        }
        let cands: Vec<Candidate> = cands
            .into_iter()
            .map(|(agent, benefit, costs)| Candidate { agent, benefit, costs: PerResource(costs) })
            .collect();
        for s in [
            select_actions(&cands, m.prices(), &PerResource(cap), &budgets),
            select_exact(&cands, m.prices(), &PerResource(cap), &budgets),
        ] {
            prop_assert!(s.scores.iter().all(|x| x.is_finite()));
            prop_assert_eq!(s.reasons.iter().filter(|r| r.is_none()).count(), s.chosen.len());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// An auction of units of 1 given each order's whole units at the posted price (as the
    /// market passes them) clears exactly as one that computes them from demand and slice.
    #[test]
    fn auction_with_known_units_is_the_same_auction(
        orders in prop::collection::vec((0.1f64..30.0, 0.1f64..60.0, 0.5f64..8.0), 1..16),
        capacity in 0.0f64..40.0,
        posted in 0.1f64..3.0,
    ) {
        let asks: Vec<clearing::Ask> = orders
            .iter()
            .enumerate()
            .map(|(i, &(amount, slice, max_price))| clearing::Ask {
                bid: i,
                rank: i as u32,
                demand: clearing::min_num(amount, capacity),
                slice,
                max_price: max_price.max(posted),
                units: f64::NAN,
            })
            .collect();
        let known: Vec<clearing::Ask> = asks
            .iter()
            .zip(&orders)
            .map(|(a, &(amount, ..))| clearing::Ask {
                units: clearing::whole(clearing::min_num(amount, a.slice / posted)),
                ..*a
            })
            .collect();
        let (mut g1, mut g2) = (Vec::new(), Vec::new());
        let p1 = auction::clear_into(&asks, posted, capacity, 1.0, &mut g1, &mut Vec::new());
        let p2 = auction::clear_into(&known, posted, capacity, 1.0, &mut g2, &mut Vec::new());
        prop_assert_eq!(p1.to_bits(), p2.to_bits());
        prop_assert_eq!(
            g1.iter().map(|g| g.to_bits()).collect::<Vec<_>>(),
            g2.iter().map(|g| g.to_bits()).collect::<Vec<_>>()
        );
    }
}

// ---------- settling under steady inputs ----------

/// Ticks `m` on the same bids and capacity `warm` times, then `watch` more; returns, per
/// resource, the ratio max/min of the posted price over the watched ticks; per bid, the range
/// (max − min) of its grant over them; the number of grant changes (any bid's amount); and
/// per resource, whether the posted price moved one way only (a bounded monotone sequence:
/// it converges).
fn settle_run(
    m: &mut Market,
    bids: &[Bid],
    cap: &PerResource<f64>,
    warm: usize,
    watch: usize,
) -> (PerResource<f64>, Vec<f64>, usize, PerResource<bool>) {
    for _ in 0..warm {
        m.tick(bids, cap, &CALM);
    }
    let mut lo = PerResource::splat(f64::INFINITY);
    let mut hi = PerResource::splat(0.0f64);
    let mut g_lo = vec![f64::INFINITY; bids.len()];
    let mut g_hi = vec![0.0f64; bids.len()];
    let mut changes = 0;
    let mut last: Option<Vec<f64>> = None;
    let (mut up, mut down) = (PerResource::splat(false), PerResource::splat(false));
    let mut before: Option<PerResource<f64>> = None;
    for _ in 0..watch {
        let t = m.tick(bids, cap, &CALM);
        for r in ResourceType::ALL {
            lo[r] = lo[r].min(t.prices[r]);
            hi[r] = hi[r].max(t.prices[r]);
            if let Some(b) = &before {
                up[r] |= t.prices[r] > b[r];
                down[r] |= t.prices[r] < b[r];
            }
        }
        before = Some(t.prices);
        let amounts: Vec<f64> = t.grants.iter().map(|g| g.amount).collect();
        for (i, &a) in amounts.iter().enumerate() {
            g_lo[i] = g_lo[i].min(a);
            g_hi[i] = g_hi[i].max(a);
        }
        if let Some(prev) = &last {
            changes += prev.iter().zip(&amounts).filter(|(a, b)| a != b).count();
        }
        last = Some(amounts);
    }
    let range = g_hi.iter().zip(&g_lo).map(|(h, l)| h - l).collect();
    let monotone = up.map(|r, &u| !(u && down[r]));
    (hi.map(|r, &h| h / lo[r]), range, changes, monotone)
}

#[test]
fn a_limit_price_across_the_target_holds_the_price_at_it() {
    // 5000 wanted at up to 0.01, 8000 more at up to 0.004, 10000 on offer: below 0.004 demand
    // is 1.3 × supply, above it 0.5 ×. Plain tâtonnement cycles around 0.004 and the second
    // bid is in one tick and out the next; the settling one stops at the limit.
    let agents = [agent("fg", 40.0), agent("bg", 40.0)];
    let config = MarketConfig {
        price_min: 1e-5,
        ..MarketConfig::default()
    };
    let mut clearing = continuous();
    clearing[CpuTime] = Clearing::Divisible { quantum: 1.0 };
    let mut m = Market::new(&config, &agents, clearing).unwrap();
    let bids = [
        bid(0, CpuTime, 5000.0, 0.01),
        bid(1, CpuTime, 8000.0, 0.004),
    ];
    let (spread, _, changes, _) = settle_run(&mut m, &bids, &capacity(CpuTime, 10_000.0), 300, 200);
    assert_eq!(spread[CpuTime], 1.0);
    assert_eq!(changes, 0);
    let p = m.prices()[CpuTime];
    assert!((0.004 / pricing::BRACKET_FACTOR..=0.004 * pricing::BRACKET_FACTOR).contains(&p));
}

#[test]
fn a_bracket_is_forgotten_when_the_bids_that_made_it_go_away() {
    // Power, 600 on offer at a target of 1. A budget-limited bidder (its demand is
    // `100 / price` once that is under its 500) and a burst of 300 more: from 0.2 the price
    // climbs in shrinking steps until demand is within the band of the supply (near 0.33, the
    // last steps under 1 %), and holds there with the price below it bracketed. When the burst
    // ends the supply is slack at that price; the bracket must not hold the price there, or
    // the first bidder stays budget-limited at 300 although nobody else wants the power (a
    // GPU's power limit kept low after the CPU's burst has passed). Demand that stays out of
    // the band at the price where it was settled for `SHIFT_TICKS` forgets it.
    let agents = [agent("gpu", 100.0), agent("cpu", 1000.0)];
    let config = MarketConfig {
        price_min: 1e-5,
        target_utilization: 1.0,
        initial_prices: InitialPrices {
            power_budget: Some(0.2),
            ..InitialPrices::default()
        },
        ..MarketConfig::default()
    };
    let mut m = Market::new(&config, &agents, continuous()).unwrap();
    let cap = capacity(PowerBudget, 600.0);
    let burst = [
        bid(0, PowerBudget, 500.0, 10.0),
        bid(1, PowerBudget, 300.0, 10.0),
    ];
    let calm = [
        bid(0, PowerBudget, 500.0, 10.0),
        bid(1, PowerBudget, 80.0, 10.0),
    ];
    for _ in 0..200 {
        m.tick(&burst, &cap, &CALM);
    }
    let scarce = m.prices()[PowerBudget];
    assert!(scarce > 0.3, "the burst makes power scarce: {scarce}");
    let mut last = None;
    for _ in 0..200 {
        last = Some(m.tick(&calm, &cap, &CALM));
    }
    let t = last.unwrap();
    let calm_price = m.prices()[PowerBudget];
    assert!(calm_price < 0.2, "the price falls back: {calm_price}");
    assert_eq!(
        t.grants[0].amount, 500.0,
        "the first bidder gets what it asks for again"
    );
    assert_eq!(t.grants[1].amount, 80.0);
}

/// How far a settled price may still cycle over 100 ticks (max / min).
const SETTLED_SPREAD: f64 = 1.5;

/// A random steady market: agents `(budget, [(resource, amount, limit)])`, capacities, κ, and
/// per resource 0 = continuous shares, 1 = whole units, 2 = an auction of units of 1.
type SteadyMarket = (Vec<(f64, Vec<(usize, f64, f64)>)>, [f64; 6], f64, [u8; 6]);

fn steady_market() -> impl Strategy<Value = SteadyMarket> {
    (
        prop::collection::vec(
            (
                0.1f64..60.0,
                prop::collection::vec((0usize..6, 0.1f64..40.0, 0.05f64..20.0), 1..4),
            ),
            1..7,
        ),
        prop::array::uniform6(1.0f64..64.0),
        0.05f64..0.5,
        prop::array::uniform6(0u8..3),
    )
}

/// Runs a steady market 1500 ticks, then watches 100 (see [`settle_run`]); returns the bids
/// and pool sizes with what `settle_run` saw.
#[allow(clippy::type_complexity)] // the test's own tuple, read once by each caller
fn run_steady(
    (specs, caps, kappa, whole): &SteadyMarket,
) -> (
    Vec<Bid>,
    PerResource<f64>,
    (PerResource<f64>, Vec<f64>, usize, PerResource<bool>),
) {
    let agents: Vec<AgentDef> = specs
        .iter()
        .enumerate()
        .map(|(i, (budget, _))| agent(&format!("a{i}"), *budget))
        .collect();
    let bids: Vec<Bid> = specs
        .iter()
        .enumerate()
        .flat_map(|(i, (_, bs))| {
            bs.iter()
                .map(move |&(r, amount, limit)| bid(i, ResourceType::ALL[r], amount, limit))
        })
        .collect();
    let clearing = PerResource(whole.map(|w| match w {
        0 => Clearing::Divisible { quantum: 0.0 },
        1 => Clearing::Divisible { quantum: 1.0 },
        _ => Clearing::Indivisible { unit: 1.0 },
    }));
    let config = MarketConfig {
        kappa: *kappa,
        ..MarketConfig::default()
    };
    let mut m = Market::new(&config, &agents, clearing).unwrap();
    // A pool in whole units has at least 16 of them (the smallest shipped pool: 16 cores).
    let caps = PerResource(std::array::from_fn(|i| {
        if whole[i] == 0 {
            caps[i]
        } else {
            16.0 + caps[i].floor()
        }
    }));
    let seen = settle_run(&mut m, &bids, &caps, 1500, 100);
    (bids, caps, seen)
}

/// The largest spread among the resources whose price still goes up and down beyond
/// [`SETTLED_SPREAD`], if any.
fn unsettled(
    spread: &PerResource<f64>,
    monotone: &PerResource<bool>,
) -> Option<(ResourceType, f64)> {
    ResourceType::ALL
        .into_iter()
        .filter(|&r| !(monotone[r] || spread[r] <= SETTLED_SPREAD))
        .map(|r| (r, spread[r]))
        .max_by(|a, b| a.1.total_cmp(&b.1))
}

proptest! {
    // A fixed seed: about 1 random market in 5,000 cycles beyond `SETTLED_SPREAD` across
    // resources (an agent's budget split between its bids flips as another resource's price
    // crosses one of its limit prices; `settling_failure_rate` measures it), so a random seed
    // would fail some runs of an unchanged market. Cases that failed once stay in the
    // regression file and run first.
    #![proptest_config(ProptestConfig {
        cases: 256,
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x6a_6d_65_73_61),
        ..ProptestConfig::default()
    })]

    /// Steady bids, budgets and capacities: after 1500 ticks (from the initial price 1 to a limit
    /// price of 0.05 is 20× away, ~330 ticks at κ = 0.05) every posted price, over the next
    /// 100, either moves one way only (still converging: bounded and monotone, e.g. demand
    /// just under the band at κ = 0.05 creeping to `priceMin`) or cycles within a factor
    /// `SETTLED_SPREAD` (most stand still; pools in whole units have 16 to 79 of them). When every resource clears
    /// in continuous shares, every grant stays within 1 % of its pool too (the grant deadband).
    /// What can still move is a budget-limited agent in whole units: the credits rounding
    /// leaves over carry to the next tick and buy one unit more every few ticks (time-sharing
    /// the unit), which moves its demand, and its other grants, a little.
    #[test]
    fn prices_and_grants_settle_under_steady_inputs(market in steady_market()) {
        let (bids, caps, (spread, range, _, monotone)) = run_steady(&market);
        if let Some((r, x)) = unsettled(&spread, &monotone) {
            prop_assert!(false, "{r}: prices go up and down over ×{x}");
        }
        let whole = market.3;
        for (b, range) in bids.iter().zip(&range) {
            if whole.iter().any(|&w| w > 0) {
                break;
            }
            let r = b.resource;
            let tolerance = 0.01 * caps[r];
            prop_assert!(*range <= tolerance + 1e-9, "{r}: a grant ranges over {range}");
        }
    }
}

/// How often random steady markets still cycle beyond [`SETTLED_SPREAD`]: a measurement, not a
/// check. `N=20000 cargo test --release -p gamesa-core --lib market::tests::settling_failure_rate
/// -- --ignored --nocapture` (each market that cycles is printed).
#[test]
#[ignore = "a measurement: run it by name with --ignored"]
fn settling_failure_rate() {
    use proptest::strategy::ValueTree;
    let n: usize = std::env::var("N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = steady_market();
    let mut cycling = 0;
    for _ in 0..n {
        let market = strategy.new_tree(&mut runner).unwrap().current();
        let (_, _, (spread, _, _, monotone)) = run_steady(&market);
        if let Some((r, x)) = unsettled(&spread, &monotone) {
            cycling += 1;
            eprintln!("{r} cycles ×{x:.3}: {market:?}");
        }
    }
    eprintln!("{cycling} of {n} random steady markets cycle beyond ×{SETTLED_SPREAD}");
}
