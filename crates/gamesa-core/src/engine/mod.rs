//! The deterministic engine (docs/architecture.md §1): [`Engine::tick`] turns one snapshot into features,
//! signals, rule firings, a market round, scored actions, gate decisions, leases, contract
//! checks and audit records — a [`TickOutput`]. No I/O, no clock, no threads and no unordered
//! iteration: the same configuration and the same inputs give byte-identical serialized
//! outputs in any process.
//!
//! Order of one tick:
//! 1. the input snapshot is loaded (absent variables stay absent) and features computed;
//! 2. invariant contracts are checked (a violation raises a safety signal);
//! 3. postconditions of the previous tick's approved actions are checked; a violation whose
//!    contract says `rollback` becomes a healing proposal, gated first;
//! 4. rules are evaluated; active firings enqueue their signals; signals are dequeued by
//!    domain rank; any safety-domain signal puts the tick in emergency mode;
//! 5. the market round: budgets renew, bids clear (proportional share or second-price
//!    auction), grants become leases, prices move for the next tick;
//! 6. actions: proposals are scored at the posted prices, the best set is chosen under
//!    capacities and budgets, and each goes through the ActionGate (audited either way).

mod actions;
mod agents_config;
mod backtest;
mod backtest_ticks;
mod compiled;
mod config;
mod error;
mod input;
mod leases;
mod market_round;
mod output;
mod replace_rules;
mod settings;
mod suite;
mod tick;

pub use agents_config::{BidOrigin, BidSetting, SetsDef};
pub use backtest::{
    BacktestError, BacktestReport, BacktestRun, Baseline, EnginePolicy, ScenarioInfo, backtest,
    backtest_recorded,
};
pub use compiled::Engine;
pub use config::{
    DEFAULT_TICK_MS, EngineConfig, InvariantBinding, SignalOptions, config_defaults,
    default_safety_binding,
};
pub use error::{EngineError, MAX_TIME_MS};
pub use output::{
    AllocationOut, CheckKind, ContractOut, FeatureValues, FiringOut, Firings, LeaseChange, Mode,
    RuleErrorOut, ScoredAction, SignalOut, TickDecisions, TickOutput,
};
pub use suite::{NONE_SHARE, SuiteChecks, SuiteRow, SuiteRun, TOTAL_SHARE, suite, suite_row};
