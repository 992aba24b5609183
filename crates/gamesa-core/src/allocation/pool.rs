//! One pool per configured resource: the strategy's state behind one enum, built from its
//! `PoolConfig` with the checks the strategies rely on.

use super::best_fit::BestFitPool;
use super::buddy::BuddyPool;
use super::config::{ConfigError, PoolConfig, PriorityWeights, Strategy};
use super::first_fit::FirstFitPool;
use super::priority::PriorityPool;
use super::stats::PoolStats;
use super::weighted::WeightedPool;
use crate::types::Priority;

/// Largest integer an `f64` holds exactly; discrete capacities stay below it.
const MAX_EXACT: f64 = 9_007_199_254_740_992.0;

#[derive(Debug, Clone)]
pub(crate) enum Pool {
    FirstFit(FirstFitPool),
    BestFit(BestFitPool),
    Buddy(BuddyPool),
    Priority(PriorityPool),
    Weighted(WeightedPool, PriorityWeights),
}

fn bad(index: usize, field: &str, message: String) -> ConfigError {
    ConfigError {
        path: format!("$.pools[{index}].{field}"),
        message,
    }
}

impl Pool {
    /// Builds the pool of `config` (the `index`-th in the config, for error paths).
    pub fn build(index: usize, config: &PoolConfig) -> Result<Pool, ConfigError> {
        let cap = config.capacity;
        if !cap.is_finite() || cap < 0.0 {
            return Err(bad(
                index,
                "capacity",
                format!("capacity {cap} must be a finite number ≥ 0"),
            ));
        }
        let discrete = matches!(
            config.strategy,
            Strategy::FirstFit | Strategy::BestFit | Strategy::Buddy
        );
        if discrete && (cap.fract() != 0.0 || cap > MAX_EXACT) {
            return Err(bad(
                index,
                "capacity",
                format!(
                    "capacity {cap} must be a whole number ≤ 2^53 for a {} pool",
                    config.strategy.as_str()
                ),
            ));
        }
        Ok(match config.strategy {
            Strategy::FirstFit => {
                if cap > u32::MAX as f64 + 1.0 {
                    return Err(bad(
                        index,
                        "capacity",
                        format!("capacity {cap} exceeds the 2^32 unit ids a first_fit pool has"),
                    ));
                }
                Pool::FirstFit(FirstFitPool::new(cap as u64))
            }
            Strategy::BestFit => Pool::BestFit(BestFitPool::new(cap as u64)),
            Strategy::Buddy => {
                let min_block = config.min_block.unwrap_or(1);
                if !min_block.is_power_of_two() {
                    return Err(bad(
                        index,
                        "minBlock",
                        format!("minBlock {min_block} must be a power of two ≥ 1"),
                    ));
                }
                if !(cap as u64).is_multiple_of(min_block) {
                    return Err(bad(
                        index,
                        "capacity",
                        format!("capacity {cap} must be a multiple of minBlock {min_block}"),
                    ));
                }
                Pool::Buddy(BuddyPool::new(cap as u64, min_block))
            }
            Strategy::Priority => Pool::Priority(PriorityPool::new(cap, config.preemptive)),
            Strategy::Weighted => {
                let weights = config.effective_weights();
                let all = [weights.low, weights.normal, weights.high, weights.critical];
                for (w, name) in all.iter().zip(["low", "normal", "high", "critical"]) {
                    if !w.is_finite() || *w <= 0.0 {
                        return Err(bad(
                            index,
                            &format!("weights.{name}"),
                            format!("weight {w} must be a finite number > 0"),
                        ));
                    }
                }
                Pool::Weighted(WeightedPool::new(cap), weights)
            }
        })
    }

    /// The pool's strategy.
    pub fn strategy(&self) -> Strategy {
        match self {
            Pool::FirstFit(_) => Strategy::FirstFit,
            Pool::BestFit(_) => Strategy::BestFit,
            Pool::Buddy(_) => Strategy::Buddy,
            Pool::Priority(_) => Strategy::Priority,
            Pool::Weighted(..) => Strategy::Weighted,
        }
    }

    /// Whether amounts must be whole numbers.
    pub fn is_discrete(&self) -> bool {
        matches!(self, Pool::FirstFit(_) | Pool::BestFit(_) | Pool::Buddy(_))
    }

    /// Weight of a request on a Weighted pool.
    pub fn weight_for(weights: &PriorityWeights, priority: Priority, explicit: Option<f64>) -> f64 {
        explicit.unwrap_or_else(|| weights.of(priority))
    }

    /// Current stats.
    pub fn stats(&self) -> PoolStats {
        match self {
            Pool::FirstFit(p) => p.stats(),
            Pool::BestFit(p) => p.stats(),
            Pool::Buddy(p) => p.stats(),
            Pool::Priority(p) => p.stats(),
            Pool::Weighted(p, _) => p.stats(),
        }
    }
}
