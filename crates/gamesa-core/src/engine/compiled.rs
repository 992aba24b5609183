//! The engine: everything one configuration compiles to, and the state carried from tick to
//! tick (rule latches, prices, budgets, leases, gate tokens, pending postconditions, the audit
//! chain). Building it reports every configuration problem at once.

use super::config::{EngineConfig, key_path, rebase_all};
use super::error::EngineError;
use crate::allocation::Allocator;
use crate::contracts::{Contract, ContractError, ContractSet};
use crate::effects::{AuditTrail, EffectChecker, GrantOptions};
use crate::expr::{Env, Program, Type};
use crate::features::{FEATURE_PREFIX, FeatureSet, Problem, Snapshot, telemetry_catalog};
use crate::gate::{ActionGate, ApprovedAction};
use crate::market::{AgentDef, BidAmount, Clearing, Market};
use crate::per_resource::PerResource;
use crate::rules::RuleSet;
use crate::signals::{SchedulerConfig, SignalScheduler};
use crate::types::ResourceType;
use std::sync::Arc;

/// A bid of an agent, with its amount compiled.
#[derive(Debug, Clone)]
pub(crate) struct CompiledBid {
    pub(crate) agent: usize,
    /// Its index in the agent's (decoded) bids.
    pub(crate) index_in_agent: usize,
    pub(crate) resource: ResourceType,
    pub(crate) amount: BidSize,
    pub(crate) max_unit_price: f64,
}

/// A bid's amount: fixed, or an expression of the snapshot.
#[derive(Debug, Clone)]
pub(crate) enum BidSize {
    Fixed(f64),
    Expr(Program),
}

/// An invariant check with its bindings resolved to snapshot slots.
#[derive(Debug, Clone)]
pub(crate) struct CompiledInvariant {
    pub(crate) contract: String,
    /// (contract variable, snapshot slot)
    pub(crate) bind: Vec<(String, usize)>,
    pub(crate) skip_without_sensors: bool,
}

/// An approved action whose contract's postconditions are checked next tick.
#[derive(Debug, Clone)]
pub(crate) struct PendingPost {
    pub(crate) action: ApprovedAction,
    pub(crate) contract: String,
}

/// The deterministic engine for one configuration. See [`Engine::tick`].
pub struct Engine {
    pub(crate) config: EngineConfig,
    pub(crate) features: FeatureSet,
    /// (feature index, `feat.<name>`) sorted by name: the output's keys, in the order a
    /// sorted map would list them, shared with every tick's output.
    pub(crate) feature_keys: Vec<(usize, Arc<str>)>,
    pub(crate) rules: RuleSet,
    pub(crate) contracts: ContractSet,
    pub(crate) invariants: Vec<CompiledInvariant>,
    pub(crate) gate: ActionGate,
    pub(crate) market: Market,
    pub(crate) allocator: Allocator,
    pub(crate) checker: EffectChecker,
    pub(crate) scheduler: SignalScheduler,
    pub(crate) snapshot: Snapshot,
    pub(crate) base_len: usize,
    pub(crate) bids: Vec<CompiledBid>,
    /// The amount each bid of `bids` bid last tick (0 for none): the deadband reference
    /// (see `market_round`).
    pub(crate) bid_held: Vec<f64>,
    /// Scratch for this round's evaluated bids (kept to avoid an allocation per tick).
    pub(crate) bid_scratch: Vec<crate::market::Bid>,
    /// Each bid of `bids`: its place in this tick's market input (`None`: not placed, its
    /// amount was absent or not > 0).
    pub(crate) bid_placed: Vec<Option<usize>>,
    /// The settings bids' grants become (see `settings`).
    pub(crate) settings: Vec<super::settings::CompiledSetting>,
    /// Scratch for evaluating settings: the snapshot's values, then the grant.
    pub(crate) setting_slots: Vec<crate::expr::Value>,
    /// Pools whose capacity follows an expression of the snapshot.
    pub(crate) capacity_from: Vec<(ResourceType, Program)>,
    pub(crate) thermal_slot: Option<usize>,
    pub(crate) power_slots: Vec<usize>,
    pub(crate) pending_post: Vec<PendingPost>,
    /// Standing lease per (agent, resource), `agent * 6 + resource index`: the amount
    /// requested of the allocator, 0 when none.
    pub(crate) leases: Vec<f64>,
    /// Lease ids `<agent>/<resource>`, same indexing, as lease changes carry them (copied in
    /// place: no reference counts).
    pub(crate) lease_names: Vec<crate::allocation::LeaseId>,
    /// Scratch for the amounts won this round, same indexing (kept to avoid an allocation
    /// per tick).
    pub(crate) wanted: Vec<f64>,
    /// Lease id → index, for leases a pool preempts.
    pub(crate) lease_slots: std::collections::BTreeMap<String, usize>,
    /// The allocator's pinned slot of each lease id, same indexing (pinned at the first
    /// allocation round).
    pub(crate) lease_handles: Vec<u32>,
    pub(crate) tick: u64,
    pub(crate) last_now_ms: Option<f64>,
    /// The next audit sequence number to output.
    pub(crate) audit_next: u64,
    /// What each rule's action kind resolves to, by rule index (see `actions::ActionPlan`).
    pub(crate) action_plans: Vec<Option<super::actions::ActionPlan>>,
    /// Each rule's id, action kind and target as shared names, by rule index: the decisions
    /// and scored actions of every tick name them without copying.
    pub(crate) rule_names: Vec<crate::gate::SharedNames>,
}

impl Engine {
    /// Parses and builds an engine from its JSON configuration text.
    pub fn from_json(text: &str) -> Result<Engine, EngineError> {
        Engine::new(EngineConfig::from_json(text)?)
    }

    /// Every problem of a JSON configuration (empty when an engine builds from it): the
    /// configuration's own problems with their paths, or any other failure at `$`.
    pub fn check_json(text: &str) -> Vec<Problem> {
        match Engine::from_json(text) {
            Ok(_) => Vec::new(),
            Err(EngineError::InvalidConfig { problems }) => problems,
            Err(other) => vec![Problem::at(None, "$", other.to_string())],
        }
    }

    /// Builds an engine, compiling every expression. All problems are reported at once.
    pub fn new(config: EngineConfig) -> Result<Engine, EngineError> {
        let mut problems: Vec<Problem> = Vec::new();

        // Inputs: the telemetry catalog plus declared extras.
        let mut env: Env = telemetry_catalog();
        for (name, ty) in &config.variables {
            let ty: Type = (*ty).into();
            match env.type_of(name) {
                None => env = env.declare(name, ty),
                Some(existing) if existing == ty => {}
                Some(existing) => problems.push(Problem::at(
                    None,
                    key_path("$.variables", name),
                    format!(
                        "`{name}` is a catalog variable of type {}, not {}",
                        existing.as_str(),
                        ty.as_str()
                    ),
                )),
            }
        }

        let features = match FeatureSet::compile(&config.features, &env) {
            Ok(f) => Some(f),
            Err(e) => {
                problems.extend(e.problems);
                None
            }
        };
        let feature_env = features.as_ref().map_or(env.clone(), |f| f.env().clone());
        let rules = match RuleSet::compile(&config.rules, &feature_env) {
            Ok(r) => Some(r),
            Err(e) => {
                problems.extend(rebase_all(e.problems, "$.rules"));
                None
            }
        };

        let mut contracts = ContractSet::with_safety();
        for (i, def) in config.contracts.iter().enumerate() {
            let at = format!("$.contracts[{i}]");
            match Contract::compile(def.clone()) {
                Ok(c) => {
                    if let Err(e) = contracts.register(c) {
                        problems.push(Problem::at(None, format!("{at}.name"), e.to_string()));
                    }
                }
                Err(ContractError::Invalid { problems: ps, .. }) => {
                    for p in ps {
                        let path = super::config::rebase(&p.path, &at);
                        problems.push(Problem {
                            id: Some(def.name.clone()),
                            path,
                            line: p.line,
                            column: p.column,
                            message: p.message,
                        });
                    }
                }
                Err(e) => problems.push(Problem::at(None, at, e.to_string())),
            }
        }

        let mut invariants = Vec::new();
        for (i, inv) in config.invariants.iter().enumerate() {
            let at = format!("$.invariants[{i}]");
            let Some(contract) = contracts.get(&inv.contract) else {
                problems.push(Problem::at(
                    None,
                    format!("{at}.contract"),
                    format!(
                        "no contract `{}` (known: {})",
                        inv.contract,
                        contracts.names().collect::<Vec<_>>().join(", ")
                    ),
                ));
                continue;
            };
            let mut bind = Vec::new();
            for (var, source) in &inv.bind {
                if !contract.variables().any(|(n, _)| n == var) {
                    problems.push(Problem::at(
                        None,
                        key_path(&format!("{at}.bind"), var),
                        format!("contract `{}` declares no variable `{var}`", inv.contract),
                    ));
                    continue;
                }
                let path = key_path(&format!("{at}.bind"), var);
                if let Some(slot) = declared_slot(&feature_env, source, path, &mut problems) {
                    bind.push((var.clone(), slot));
                }
            }
            invariants.push(CompiledInvariant {
                contract: inv.contract.clone(),
                bind,
                skip_without_sensors: inv.skip_without_sensors,
            });
        }

        let allocator = match Allocator::new(&config.pools) {
            Ok(a) => Some(a),
            Err(e) => {
                problems.push(Problem::at(None, "$.pools", e.to_string()));
                None
            }
        };
        let clearing = clearing_kinds(&config.pools);
        let market = match Market::new(&config.market, &config.agents, clearing) {
            Ok(m) => Some(m),
            Err(e) => {
                problems.push(Problem::at(None, "$", e.to_string()));
                None
            }
        };

        let mut bids = Vec::new();
        for (a, agent) in config.agents.iter().enumerate() {
            for (b, bid) in agent.bids.iter().enumerate() {
                let origin = config.bid_origins.get(a).and_then(|o| o.get(b));
                let at = origin.map_or_else(|| format!("$.agents[{a}].bids[{b}]"), |o| o.path(a))
                    + ".amount";
                let amount = match &bid.amount {
                    BidAmount::Fixed(x) => Some(BidSize::Fixed(*x)),
                    BidAmount::Expr(source) => match Program::compile(source, &feature_env) {
                        Ok(p)
                            if matches!(p.result_type(), Type::Double | Type::Int | Type::Uint) =>
                        {
                            Some(BidSize::Expr(p))
                        }
                        Ok(p) => {
                            problems.push(Problem::at(
                                Some(&agent.id),
                                at,
                                format!(
                                    "a bid amount must be a number, but `{source}` is {}",
                                    p.result_type().as_str()
                                ),
                            ));
                            None
                        }
                        Err(e) => {
                            problems.push(Problem::expression(Some(&agent.id), at, &e));
                            None
                        }
                    },
                };
                if let Some(amount) = amount {
                    bids.push(CompiledBid {
                        agent: a,
                        index_in_agent: b,
                        resource: bid.resource,
                        amount,
                        max_unit_price: bid.max_unit_price,
                    });
                }
            }
        }

        let mut trail = AuditTrail::new();
        trail.set_retention(Some(config.audit_retention));
        let mut checker = EffectChecker::with_trail(trail);
        for (a, agent) in config.agents.iter().enumerate() {
            if agent.effects.is_empty() {
                continue;
            }
            if let Err(e) = checker.grant(&agent.id, &agent.effects, GrantOptions::default(), 0) {
                problems.push(Problem::at(
                    Some(&agent.id),
                    format!("$.agents[{a}].effects"),
                    e.to_string(),
                ));
            }
        }

        let gate = match ActionGate::new(&config.gate, &contracts) {
            Ok(g) => Some(g),
            Err(e) => {
                let e = e.under("$.gate");
                problems.push(Problem::at(None, e.path, e.message));
                None
            }
        };
        for (kind, k) in &config.gate.actions {
            if !config.agents.iter().any(|a: &AgentDef| a.id == k.agent) {
                problems.push(Problem::at(
                    None,
                    format!("{}.agent", key_path("$.gate.actions", kind)),
                    format!("no agent `{}` in $.agents", k.agent),
                ));
            }
        }

        let scheduler = match SignalScheduler::with_config(SchedulerConfig {
            capacity: config.signals.capacity,
            ..SchedulerConfig::default()
        }) {
            Ok(s) => Some(s),
            Err(e) => {
                problems.push(Problem::at(None, "$.signals", e.to_string()));
                None
            }
        };

        let mut capacity_from = Vec::new();
        for (resource, source) in &config.capacity_from {
            let at = format!("$.capacityFrom.{resource}");
            match Program::compile(source, &feature_env) {
                Ok(p) if matches!(p.result_type(), Type::Double | Type::Int | Type::Uint) => {
                    capacity_from.push((*resource, p));
                }
                Ok(p) => problems.push(Problem::at(
                    None,
                    at,
                    format!(
                        "a capacity must be a number, but `{source}` is {}",
                        p.result_type().as_str()
                    ),
                )),
                Err(e) => problems.push(Problem::expression(None, at, &e)),
            }
        }
        let agent_ids: Vec<String> = config.agents.iter().map(|a| a.id.clone()).collect();
        let settings = super::settings::compile_settings(
            &config.settings,
            &feature_env,
            gate.as_ref(),
            &agent_ids,
            |a, b| {
                bids.iter()
                    .position(|c| c.agent == a && c.index_in_agent == b)
            },
            |a, b| {
                config
                    .bid_origins
                    .get(a)
                    .and_then(|o| o.get(b))
                    .map_or_else(|| format!("$.agents[{a}].bids[{b}]"), |o| o.path(a))
            },
            &mut problems,
        );
        let reserve = &config.market.reserve;
        let thermal_slot = if reserve.thermal.enabled {
            let at = "$.market.reserve.thermal.variable".to_string();
            declared_slot(&feature_env, &reserve.thermal.variable, at, &mut problems)
        } else {
            None
        };
        let mut power_slots = Vec::new();
        if reserve.power.enabled {
            for (i, v) in reserve.power.variables.iter().enumerate() {
                let at = format!("$.market.reserve.power.variables[{i}]");
                power_slots.extend(declared_slot(&feature_env, v, at, &mut problems));
            }
        }

        if !problems.is_empty() {
            return Err(EngineError::InvalidConfig { problems });
        }
        // Every part is Some when no problem was recorded.
        let (
            Some(features),
            Some(rules),
            Some(allocator),
            Some(market),
            Some(gate),
            Some(scheduler),
        ) = (features, rules, allocator, market, gate, scheduler)
        else {
            return Err(EngineError::config(
                "$",
                "the configuration could not be built",
            ));
        };
        let snapshot = Snapshot::new(features.env());
        let lease_names: Vec<crate::allocation::LeaseId> = config
            .agents
            .iter()
            .flat_map(|a| ResourceType::ALL.map(|r| format!("{}/{r}", a.id).into()))
            .collect();
        let base_len = features.base_len();
        let action_plans = super::actions::plan_actions(&rules, &gate, &market);
        let rule_names = super::actions::rule_names(&rules);
        let mut feature_keys: Vec<(usize, Arc<str>)> = (features.features().iter().enumerate())
            .map(|(i, f)| (i, Arc::from(format!("{FEATURE_PREFIX}{}", f.name))))
            .collect();
        feature_keys.sort_by(|a, b| a.1.cmp(&b.1));
        Ok(Engine {
            config,
            feature_keys,
            features,
            rules,
            contracts,
            invariants,
            gate,
            market,
            allocator,
            checker,
            scheduler,
            snapshot,
            base_len,
            bids,
            bid_held: Vec::new(),
            bid_scratch: Vec::new(),
            bid_placed: Vec::new(),
            settings,
            setting_slots: Vec::new(),
            capacity_from,
            thermal_slot,
            power_slots,
            pending_post: Vec::new(),
            leases: vec![0.0; lease_names.len()],
            wanted: vec![0.0; lease_names.len()],
            lease_slots: lease_names
                .iter()
                .enumerate()
                .map(|(i, id)| (id.to_string(), i))
                .collect(),
            lease_names,
            lease_handles: Vec::new(),
            tick: 0,
            last_now_ms: None,
            audit_next: 0,
            action_plans,
            rule_names,
        })
    }

    /// The configuration it was built from.
    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    /// The input variables, in slot order: the order [`Engine::tick_slots`] expects.
    pub fn input_names(&self) -> Vec<String> {
        self.snapshot
            .env()
            .names()
            .take(self.base_len)
            .map(|(n, _)| n.to_string())
            .collect()
    }

    /// Ticks run so far.
    pub fn ticks(&self) -> u64 {
        self.tick
    }

    /// The audit trail (records beyond the retention limit have been output and dropped).
    pub fn audit(&self) -> &AuditTrail {
        self.checker.trail()
    }

    /// The market (prices, balances).
    pub fn market(&self) -> &Market {
        &self.market
    }
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("tick", &self.tick)
            .field("inputs", &self.base_len)
            .field("features", &self.features.len())
            .field("rules", &self.rules.len())
            .field("agents", &self.config.agents.len())
            .finish_non_exhaustive()
    }
}

/// The slot of `name` among the declared variables and features; otherwise a problem at `path`.
fn declared_slot(
    env: &Env,
    name: &str,
    path: String,
    problems: &mut Vec<Problem>,
) -> Option<usize> {
    let slot = env.slot(name);
    if slot.is_none() {
        problems.push(Problem::at(
            None,
            path,
            format!("`{name}` is not a declared variable or feature"),
        ));
    }
    slot
}

/// How each pool clears in the market ([`Clearing::for_pool`]: whole units for FirstFit, blocks
/// of `minBlock` for Buddy, whole µs for BestFit, continuous shares for Priority and Weighted);
/// a resource without a pool has no capacity, so how it clears does not matter.
fn clearing_kinds(pools: &crate::allocation::AllocatorConfig) -> PerResource<Clearing> {
    PerResource(ResourceType::ALL.map(|r| {
        pools
            .pools
            .iter()
            .find(|p| p.resource == r)
            .map_or(Clearing::Divisible { quantum: 0.0 }, Clearing::for_pool)
    }))
}
