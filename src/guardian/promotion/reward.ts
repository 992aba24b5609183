// The reward of one closed-loop simulator run: what the promotion pipeline and the generator
// compare configurations by. One number per run, from the run's summary and the same scenario
// run with nothing done (the "none" baseline, which every backtest runs beside the policy):
//
//   reward = wPriority · priority throughput (normalized, 0..1)
//          + wTotal    · mean normalized throughput of all workloads (0..1)
//          − wMisses   · priority deadline misses / priority frames
//          − wEnergy   · energy / energy with nothing done
//          − wSafety   · (seconds above a thermal limit + seconds over the power cap) / duration
//
// The terms mirror the per-tick reward of the experience store (the priority workload's
// lateness, energy, and a heavy penalty for any safety violation) at the granularity a
// simulator run gives. Normalizing by the scenario's own nominal rates and its nothing-done
// energy keeps scenarios of different size comparable, so a mean over scenarios means something.
import type { BacktestSummary } from '../../report/types.js'

/** The weights of the reward's terms. */
export interface RewardWeights {
  priority: number
  total: number
  misses: number
  energy: number
  safety: number
}

/** The default weights: priority service first, then everybody's, lateness, energy; safety dominates. */
export const DEFAULT_REWARD_WEIGHTS: Readonly<RewardWeights> = Object.freeze({ priority: 1, total: 0.5, misses: 1, energy: 0.2, safety: 10 })

/** The reward's terms for one run, each before weighting. */
export interface RewardTerms {
  priority: number
  total: number
  missRate: number
  energyRatio: number
  unsafeFraction: number
}

/** The terms of `run` (with `none`, the same scenario with nothing done, for the energy scale). */
export function rewardTerms(run: BacktestSummary, none: BacktestSummary): RewardTerms {
  const workloads = run.workloads ?? []
  const priority = workloads.find((w) => w.priority)
  const total = workloads.length === 0 ? 0 : workloads.reduce((sum, w) => sum + w.normalizedThroughput, 0) / workloads.length
  const frames = priority?.frames ?? 0
  const duration = run.durationS ?? 0
  const energy = run.energyJ ?? 0
  const noneEnergy = none.energyJ ?? 0
  return {
    priority: priority?.normalizedThroughput ?? 0,
    total,
    missRate: frames > 0 ? run.priorityDeadlineMisses / frames : 0,
    energyRatio: noneEnergy > 0 ? energy / noneEnergy : 0,
    unsafeFraction: duration > 0 ? (run.secondsAboveThermalLimit + run.powerCapOvershootS) / duration : 0,
  }
}

/** The reward of `run`. */
export function runReward(run: BacktestSummary, none: BacktestSummary, weights: RewardWeights = DEFAULT_REWARD_WEIGHTS): number {
  const t = rewardTerms(run, none)
  return (
    weights.priority * t.priority +
    weights.total * t.total -
    weights.misses * t.missRate -
    weights.energy * t.energyRatio -
    weights.safety * t.unsafeFraction
  )
}
