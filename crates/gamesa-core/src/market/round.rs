//! The market itself: budgets, one clearing round per tick, and the prices it posts.

use super::auction::{self, UnitBid};
use super::clearing::{Ask, Clearing, min_num};
use super::config::{AgentDef, MarketConfig, validate_agents};
use super::divisible;
use super::error::MarketError;
use super::pricing::{Bracket, RateMatrix, SafetyInputs, posted, reserves, settle, tatonnement_to};
use crate::per_resource::PerResource;
use crate::types::ResourceType;
use serde::Serialize;

/// Half-width of the grant deadband, as a fraction of the pool's supply: a bid that keeps
/// winning keeps its last grant while the new one is within this much of it (and it can
/// still pay for it, the pool still holds it, and it asks for at least that much).
pub const GRANT_DEADBAND: f64 = 0.01;
/// The grant deadband is also at most this share of the bid's own amount: in a pool far
/// larger than its bids (a 10 kW power pool, bids of 100 W) 1 % of the pool would hold a
/// grant still while its bid doubled.
pub const BID_GRANT_DEADBAND: f64 = 0.05;

/// A bid for one tick, with its amount already evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Bid {
    /// Index into the market's agents.
    pub agent: usize,
    /// The resource bid for.
    pub resource: ResourceType,
    /// Amount in the resource's unit (> 0 and finite to take part).
    pub amount: f64,
    /// Most credits per unit (finite and ≥ 0 to take part).
    pub max_unit_price: f64,
}

/// Why a bid got less than it asked, when that is not just competition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BidNote {
    /// The agent index is not one of the market's agents.
    UnknownAgent,
    /// Amount or limit price negative, zero amount, or not finite.
    InvalidBid,
    /// The limit price is below the posted price.
    BelowPrice,
    /// The agent's balance is empty.
    NoBudget,
    /// The resource has no capacity this tick.
    NoCapacity,
}

/// The outcome of one bid (one per input bid, in input order).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MarketGrant {
    /// Index into the market's agents (as in the bid).
    pub agent: usize,
    /// The resource.
    pub resource: ResourceType,
    /// What was asked (0 when the bid's amount was not a finite number).
    pub requested: f64,
    /// What was granted.
    pub amount: f64,
    /// The uniform clearing price of the resource this tick, credits per unit.
    pub unit_price: f64,
    /// Credits paid: `amount · unitPrice`, never more than the bid's share of the balance.
    pub paid: f64,
    /// Why the bid took no part, if it did not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<BidNote>,
}

/// One tick of the market.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MarketTick {
    /// Posted prices, used for this clearing (scarcity price raised to the reserve).
    pub prices: PerResource<f64>,
    /// Prices posted for the next tick (before the next tick's reserves).
    pub next_prices: PerResource<f64>,
    /// Reserve prices from this tick's safety inputs (0 = none).
    pub reserves: PerResource<f64>,
    /// Uniform price each resource cleared at (≥ the posted price).
    pub clearing_prices: PerResource<f64>,
    /// Demand at the posted prices: Σ over admitted bids of `min(amount, slice / price)`, in
    /// whole units for indivisible resources.
    pub demand: PerResource<f64>,
    /// Capacity offered (negative or non-finite capacities count as 0).
    pub supply: PerResource<f64>,
    /// Total granted per resource.
    pub granted: PerResource<f64>,
    /// One per input bid, in input order.
    pub grants: Vec<MarketGrant>,
    /// Credits each agent spent in the clearing.
    pub spent: Vec<f64>,
    /// Balances after the clearing.
    pub balances: Vec<f64>,
}

/// An empty round (no bids, zero prices): what [`Market::tick_usable`] writes over.
impl Default for MarketTick {
    fn default() -> Self {
        let zero = PerResource::splat(0.0);
        MarketTick {
            prices: zero,
            next_prices: zero,
            reserves: zero,
            clearing_prices: zero,
            demand: zero,
            supply: zero,
            granted: zero,
            grants: Vec::new(),
            spent: Vec::new(),
            balances: Vec::new(),
        }
    }
}

/// A market over the six resources for a fixed set of agents.
#[derive(Debug, Clone)]
pub struct Market {
    config: MarketConfig,
    agents: Vec<AgentDef>,
    clearing: PerResource<Clearing>,
    /// Scarcity (tâtonnement) prices, before reserves.
    base: PerResource<f64>,
    /// Prices posted for the next tick.
    prices: PerResource<f64>,
    /// What each scarcity price has seen (see [`settle`]).
    brackets: PerResource<Bracket>,
    balances: Vec<f64>,
    /// Last round's grant of each bid, by input position, with its agent and resource (a bid
    /// at the same position for the same agent and resource is the same bid).
    held: Vec<(usize, ResourceType, f64)>,
    /// Each agent's place in the tie order (priority, highest first, then id), by index.
    rank: Vec<u32>,
    scratch: RoundScratch,
}

/// Buffers one round fills and the next reuses, so a round allocates only its output.
#[derive(Debug, Clone, Default)]
struct RoundScratch {
    /// Per agent, what the passes over the bids read and sum (one bounds check per bid
    /// where three arrays would take three).
    agents: Vec<AgentRow>,
    /// The orders of each resource, in input order.
    orders: PerResource<Vec<Ask>>,
    /// One resource's grants, one per order.
    got: Vec<f64>,
    divisible: divisible::Scratch,
    unit_bids: Vec<std::cmp::Reverse<UnitBid>>,
}

/// One agent in a round.
#[derive(Debug, Clone, Copy, Default)]
struct AgentRow {
    /// The sum of its admitted bids' costs.
    total: f64,
    /// Its balance, renewed for this round.
    balance: f64,
    /// Its place in the tie order.
    rank: u32,
}

impl Market {
    /// A market with every agent's balance at 0 (each tick renews it first) and every price at
    /// its initial value. Errors name the JSON path (`$.market.…`, `$.agents[i].…`); a clearing
    /// with a non-finite or negative quantum, or a unit ≤ 0, is `INVALID_ARGUMENT`.
    pub fn new(
        config: &MarketConfig,
        agents: &[AgentDef],
        clearing: PerResource<Clearing>,
    ) -> Result<Market, MarketError> {
        config.validate()?;
        validate_agents(agents)?;
        if let Some((r, c)) = clearing.iter().find(|(_, c)| !c.is_valid()) {
            return Err(MarketError::InvalidArgument {
                message: format!(
                    "clearing of {r}: quantum must be finite and >= 0, unit finite and > 0, got {c:?}"
                ),
            });
        }
        let base = PerResource(ResourceType::ALL.map(|r| config.initial_price(r)));
        // Ids are unique (validated above), so this is a strict order of the agents.
        let mut by_rank: Vec<usize> = (0..agents.len()).collect();
        by_rank.sort_by(|&a, &b| {
            let (a, b) = (&agents[a], &agents[b]);
            b.priority.cmp(&a.priority).then_with(|| a.id.cmp(&b.id))
        });
        let mut rank = vec![0; agents.len()];
        for (k, &a) in by_rank.iter().enumerate() {
            rank[a] = u32::try_from(k).unwrap_or(u32::MAX);
        }
        Ok(Market {
            config: config.clone(),
            agents: agents.to_vec(),
            clearing,
            base,
            prices: base,
            brackets: PerResource::splat(Bracket::default()),
            balances: vec![0.0; agents.len()],
            held: Vec::new(),
            rank,
            scratch: RoundScratch::default(),
        })
    }

    /// One round: renew budgets, clear every resource at the posted prices (the scarcity
    /// price raised to this tick's reserves), charge the winners, then move the scarcity prices
    /// by tâtonnement on the demand seen and post the next prices.
    pub fn tick(
        &mut self,
        bids: &[Bid],
        capacity: &PerResource<f64>,
        safety: &SafetyInputs,
    ) -> MarketTick {
        let mut out = MarketTick::default();
        self.round::<false>(bids, capacity, safety, &mut out);
        out
    }

    /// [`Market::tick`] on bids known usable: each names one of the market's agents, asks
    /// for a finite amount > 0, and has a finite limit price >= 0 (the engine's bids: built
    /// from the agents this market validated, amounts filtered before). The outcome is
    /// `tick`'s; the checks those facts make moot are not made per bid.
    /// The round is written over `out` (the last tick's), reusing its vectors.
    pub(crate) fn tick_usable(
        &mut self,
        bids: &[Bid],
        capacity: &PerResource<f64>,
        safety: &SafetyInputs,
        out: &mut MarketTick,
    ) {
        debug_assert!(bids.iter().all(|b| {
            b.agent < self.agents.len()
                && b.amount > 0.0
                && b.amount <= f64::MAX
                && b.max_unit_price >= 0.0
                && b.max_unit_price <= f64::MAX
        }));
        self.round::<true>(bids, capacity, safety, out)
    }

    /// One round; `USABLE`: the bids are known usable (see [`Market::tick_usable`]).
    #[inline(always)]
    fn round<const USABLE: bool>(
        &mut self,
        bids: &[Bid],
        capacity: &PerResource<f64>,
        safety: &SafetyInputs,
        out: &mut MarketTick,
    ) {
        for (balance, agent) in self.balances.iter_mut().zip(&self.agents) {
            *balance = (*balance + agent.budget_per_tick).min(agent.effective_budget_cap());
        }
        let reserve = reserves(&self.config, safety);
        let prices = posted(&self.base, &reserve, &self.config);
        let supply = capacity.map(|_, &c| if c.is_finite() && c > 0.0 { c } else { 0.0 });

        let mut s = std::mem::take(&mut self.scratch);

        // Pass 1: admission, and what each admitted bid costs at the posted prices (request
        // capped at the capacity), summed per agent.
        s.agents.clear();
        s.agents.extend(
            self.balances
                .iter()
                .zip(&self.rank)
                .map(|(&balance, &rank)| AgentRow {
                    total: 0.0,
                    balance,
                    rank,
                }),
        );
        // Collected from a slice's exact-size iterator, so each grant is written in place
        // without the capacity check (and its spill of live registers) that a `push` pays.
        let mut grants = std::mem::take(&mut out.grants);
        grants.clear();
        grants.extend(bids.iter().map(|b| {
            let note = self.admission::<USABLE>(b, &prices, &supply, &s.agents);
            if note.is_none() {
                let r = b.resource;
                // Admitted: amount and supply > 0 and finite.
                s.agents[b.agent].total += min_num(b.amount, supply[r]) * prices[r];
            }
            MarketGrant {
                agent: b.agent,
                resource: b.resource,
                // `|x| <= MAX` is `is_finite()` (NaN fails it) in two instructions.
                requested: if USABLE || b.amount.abs() <= f64::MAX {
                    b.amount
                } else {
                    0.0
                },
                amount: 0.0,
                // The clearing price wherever it is the posted one (every resource of an
                // uncontested round); set again below where it is not.
                unit_price: prices[b.resource],
                paid: 0.0,
                note,
            }
        }));
        // Pass 2: each agent's balance split over its admitted bids in proportion to their
        // cost, so the bids of one agent together never spend more than its balance and an
        // agent that can pay for all of its bids at the posted prices can pay for each; demand
        // at the posted prices; the orders of each resource in input order.
        let mut demand = PerResource::splat(0.0);
        // Auctions of units of 1, decided once per resource rather than per bid.
        let unit_one = self
            .clearing
            .map(|_, c| *c == (Clearing::Indivisible { unit: 1.0 }));
        for orders in &mut s.orders.0 {
            orders.clear();
        }
        // The admitted bids are those with no note; what pass 1 summed is computed again
        // (the same operations on the same operands give the same numbers), which costs less
        // than storing it per bid and reading it back.
        for (i, (b, g)) in bids.iter().zip(&grants).enumerate() {
            if g.note.is_some() {
                continue;
            }
            // Admitted, so the agent is one of the market's.
            let row = s.agents[b.agent];
            let sum = row.total;
            if sum.is_nan() || sum <= 0.0 {
                continue;
            }
            let r = b.resource;
            let demand_capped = min_num(b.amount, supply[r]);
            let cost = demand_capped * prices[r];
            let slice = row.balance * (cost / sum);
            if slice.is_nan() || slice <= 0.0 {
                continue;
            }
            let units_of_one = unit_one[r];
            let want = demand_at(b.amount, slice, prices[r], self.clearing[r], units_of_one);
            demand[r] += want;
            s.orders[r].push(Ask {
                bid: i,
                rank: row.rank,
                demand: demand_capped,
                slice,
                max_price: b.max_unit_price,
                // Whole units at the posted price, for an auction of units of 1.
                units: if units_of_one { want } else { f64::NAN },
            });
        }
        let mut clearing_prices = prices;
        let mut granted = PerResource::splat(0.0);
        let mut spent = std::mem::take(&mut out.spent);
        spent.clear();
        spent.resize(self.agents.len(), 0.0);
        for r in ResourceType::ALL {
            let orders = &s.orders[r];
            let price = match self.clearing[r] {
                Clearing::Divisible { quantum } => divisible::clear_into(
                    orders,
                    prices[r],
                    supply[r],
                    quantum,
                    &mut s.got,
                    &mut s.divisible,
                ),
                Clearing::Indivisible { unit } => auction::clear_into(
                    orders,
                    prices[r],
                    supply[r],
                    unit,
                    &mut s.got,
                    &mut s.unit_bids,
                ),
            };
            clearing_prices[r] = price;
            // The grant deadband: a bid that keeps winning, and whose new grant is within
            // GRANT_DEADBAND of the pool of what it held, keeps what it held where it can
            // pay for it at this price and the pool still holds it.
            let band = GRANT_DEADBAND * supply[r];
            if band > 0.0 && !self.held.is_empty() {
                let mut total: f64 = s.got.iter().sum();
                for (o, got) in orders.iter().zip(s.got.iter_mut()) {
                    let Some(&(agent, resource, held)) = self.held.get(o.bid) else {
                        continue;
                    };
                    let same = agent == bids[o.bid].agent && resource == r;
                    // Never more than the bid asks now: a grant that stands for a setting (a
                    // power limit) must follow a request that fell.
                    let amount = bids[o.bid].amount;
                    if same
                        && held > 0.0
                        && held <= amount
                        && *got > 0.0
                        && held != *got
                        && (held - *got).abs() <= band.min(BID_GRANT_DEADBAND * amount)
                        && held * price <= o.slice
                        && (held < *got || total + (held - *got) <= supply[r])
                    {
                        total += held - *got;
                        *got = held;
                    }
                }
            }
            // Summed in a local (from 0, in order, as `granted[r] +=` would) so the sum is
            // not a chain of stores and reloads.
            let mut total = 0.0;
            for (o, &amount) in orders.iter().zip(&s.got) {
                // The mechanisms keep `amount · price` within the slice; the min absorbs the
                // last bit of floating-point rounding so no agent ever pays past it.
                let paid = min_num(amount * price, o.slice);
                let g = &mut grants[o.bid];
                g.amount = amount;
                g.paid = paid;
                total += amount;
                spent[g.agent] += paid;
            }
            granted[r] = total;
        }
        self.scratch = s;
        self.held.clear();
        self.held
            .extend(grants.iter().map(|g| (g.agent, g.resource, g.amount)));
        if clearing_prices
            .0
            .iter()
            .zip(&prices.0)
            .any(|(c, p)| c.to_bits() != p.to_bits())
        {
            for g in &mut grants {
                g.unit_price = clearing_prices[g.resource];
            }
        }
        // Bid amounts are any finite numbers; their sum can still overflow.
        let demand = demand.map(|_, &d: &f64| if d.is_finite() { d } else { f64::MAX });
        for (balance, s) in self.balances.iter_mut().zip(spent.iter_mut()) {
            // Slices split the balance exactly up to rounding; a sum one ulp above the
            // balance is the balance.
            *s = s.min(*balance);
            *balance = (*balance - *s).max(0.0);
        }
        for r in ResourceType::ALL {
            self.base[r] = if prices[r].to_bits() == self.base[r].to_bits() {
                settle(
                    self.base[r],
                    demand[r],
                    supply[r],
                    self.config.target_for(r),
                    &self.config,
                    &mut self.brackets[r],
                )
            } else {
                // A reserve (or the bounds) set the posted price: the demand seen was at that
                // price, not at the scarcity price, which takes a plain step and forgets what
                // it had bracketed.
                self.brackets[r] = Bracket::default();
                tatonnement_to(
                    self.base[r],
                    demand[r],
                    supply[r],
                    self.config.target_for(r),
                    &self.config,
                )
            };
        }
        self.prices = posted(&self.base, &reserve, &self.config);
        let mut balances = std::mem::take(&mut out.balances);
        balances.clear();
        balances.extend_from_slice(&self.balances);
        *out = MarketTick {
            prices,
            next_prices: self.prices,
            reserves: reserve,
            clearing_prices,
            demand,
            supply,
            granted,
            grants,
            spent,
            balances,
        };
    }

    /// Why bid `b` cannot take part, if it cannot. `USABLE`: `b` is known usable (see
    /// [`Market::tick_usable`]), so neither of the first two notes can apply.
    #[inline]
    fn admission<const USABLE: bool>(
        &self,
        b: &Bid,
        prices: &PerResource<f64>,
        supply: &PerResource<f64>,
        agents: &[AgentRow],
    ) -> Option<BidNote> {
        // Finite and > 0, finite and >= 0: NaN fails every comparison. (Written as two
        // comparisons each, which compile to two instructions, where `is_finite() &&` compiles
        // to a dozen integer operations.)
        let valid = USABLE
            || (b.amount > 0.0
                && b.amount <= f64::MAX
                && b.max_unit_price >= 0.0
                && b.max_unit_price <= f64::MAX);
        if !USABLE && b.agent >= agents.len() {
            Some(BidNote::UnknownAgent)
        } else if !valid {
            Some(BidNote::InvalidBid)
        } else if b.max_unit_price < prices[b.resource] {
            Some(BidNote::BelowPrice)
        } else if supply[b.resource] <= 0.0 {
            Some(BidNote::NoCapacity)
        } else if agents[b.agent].balance <= 0.0 {
            Some(BidNote::NoBudget)
        } else {
            None
        }
    }

    /// Prices posted for the next tick.
    pub fn prices(&self) -> &PerResource<f64> {
        &self.prices
    }

    /// Exchange rates at the posted prices.
    pub fn rates(&self) -> RateMatrix {
        RateMatrix::from_prices(&self.prices)
    }

    /// Balances, by agent index.
    pub fn balances(&self) -> &[f64] {
        &self.balances
    }

    /// Charges an action's cost to an agent. The balance never goes below 0: a charge beyond
    /// it empties the balance (the ActionGate checks budgets before approving). A negative or
    /// non-finite amount, or an unknown agent, is `INVALID_ARGUMENT`.
    pub fn charge(&mut self, agent: usize, credits: f64) -> Result<(), MarketError> {
        if !(credits.is_finite() && credits >= 0.0) {
            return Err(MarketError::InvalidArgument {
                message: format!("a charge must be a finite number >= 0, got {credits}"),
            });
        }
        let n = self.balances.len();
        let balance = self
            .balances
            .get_mut(agent)
            .ok_or_else(|| MarketError::InvalidArgument {
                message: format!("unknown agent index {agent} (the market has {n} agents)"),
            })?;
        *balance = (*balance - credits).max(0.0);
        Ok(())
    }

    /// The agents, in index order.
    pub fn agents(&self) -> &[AgentDef] {
        &self.agents
    }

    /// The index of the agent with this id.
    pub fn agent_index(&self, id: &str) -> Option<usize> {
        self.agents.iter().position(|a| a.id == id)
    }

    /// The configuration.
    pub fn config(&self) -> &MarketConfig {
        &self.config
    }

    /// How each resource is cleared.
    pub fn clearing(&self) -> &PerResource<Clearing> {
        &self.clearing
    }

    /// Scarcity (tâtonnement) prices, before reserves.
    pub fn base_prices(&self) -> &PerResource<f64> {
        &self.base
    }
}

/// What a bid asks for at price `p` with `slice` credits: `min(amount, slice / p)`, in whole
/// units for an indivisible resource (a fraction of a core is not demand for a core).
/// `unit_one`: `clearing` is an auction of units of 1 (decided once per resource, not per bid).
#[inline(always)]
fn demand_at(amount: f64, slice: f64, p: f64, clearing: Clearing, unit_one: bool) -> f64 {
    // An admitted amount is > 0 and finite; `slice / p` > 0.
    let want = min_num(amount, slice / p);
    // Units of 1 (cores, blocks of the smallest size) are common: `x / 1 · 1` is `x` exactly,
    // and skipping it takes a division off this per-bid chain.
    if unit_one {
        return super::clearing::whole(want);
    }
    match clearing {
        Clearing::Divisible { .. } => want,
        Clearing::Indivisible { unit } => super::clearing::whole(want / unit) * unit,
    }
}
