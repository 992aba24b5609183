//! The market (docs/architecture.md §3): every resource has a price in credits; agents
//! hold budgets that renew each tick and bid for resources; the market clears divisible
//! resources by proportional share (Kelly / Tycoon) and indivisible ones by a sealed-bid
//! second-price auction; prices move with scarcity (tâtonnement) and safety sets reserve
//! prices; actions are scored `benefit − Σ cost · price` and chosen greedily by score density.
//! docs/market.md describes the mechanisms, parameters and references.
//!
//! - [`config`]: the JSON sections `market` and `agents`, with defaults and validation.
//! - [`pricing`]: tâtonnement, reserve prices, exchange rates.
//! - [`clearing`], `divisible`, `auction`: how one resource is cleared.
//! - [`round`]: budgets and the per-tick round ([`Market::tick`]).
//! - [`scoring`]: action scores and selection.
//!
//! Everything is deterministic: no maps with unordered iteration, ties broken by priority,
//! then agent id, then input order, and every output number finite.

mod auction;
pub mod clearing;
pub mod config;
mod divisible;
pub mod error;
mod json;
pub mod pricing;
pub mod round;
pub mod scoring;

pub use clearing::Clearing;
pub use config::{
    AgentDef, BidAmount, BidDef, InitialPrices, MarketConfig, MarketDocument, PowerReserve,
    ReserveConfig, ThermalReserve, validate_agents, validate_agents_at,
};
pub use error::MarketError;
pub use pricing::{RateMatrix, SafetyInputs};
pub use round::{Bid, BidNote, Market, MarketGrant, MarketTick};
pub use scoring::{Candidate, Selection, priced_cost, score, select_actions, select_exact};

#[cfg(test)]
mod tests;
