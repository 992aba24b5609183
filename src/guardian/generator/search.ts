// The generator's method: seeded coordinate search over the configuration's tunable parameters
// (./parameters.ts), scored by the mean reward over simulator scenario variants.
//
// Each round visits every parameter once, in an order drawn from the seeded generator, and tries
// moving it up and down by the round's factor (×2 and ÷2 in the first round, then ×√2, then
// ×⁴√2: a coarse-to-fine search); in the first round a threshold is also tried at the recorded
// quantiles of the variable it is compared with, when experience is given. A move is kept when the configuration it makes builds, the mean
// reward rises by more than `minGain` (relative), and no run is less safe than under the
// starting configuration (more seconds above a thermal limit, more energy over the power cap);
// a kept move is repeated in the same direction while it keeps paying (a line search).
// The search stops after the last round or when the evaluation budget is spent. Then the
// backtest suite's table is compared with the starting configuration's, and changed parameters
// are put back, newest first, while that wins back lines the table lost. It reads no
// clock and draws no unseeded number: the same configuration, options and seed give the same
// result.
import { checkEngineConfig } from '../../engine.js'
import { applyChange } from '../proposals/apply.js'
import type { RuleDiff } from '../proposals/schema.js'
import { safetyRegressions, tableRegressions } from '../promotion/evaluate.js'
import { type RunMeasure, measureConfig } from '../promotion/measure.js'
import { DEFAULT_REWARD_WEIGHTS, type RewardWeights } from '../promotion/reward.js'
import { type ScenarioVariant, type VariantOptions, scenarioVariants } from '../promotion/scenarios.js'
import type { ThresholdHints } from './experience_hints.js'
import { type Parameter, diffFor, parametersOf } from './parameters.js'
import { seededRandom, shuffled } from './random.js'

type Json = Record<string, unknown>

/** Options of {@link search}. */
export interface SearchOptions extends VariantOptions {
  /** Seed of the visiting order (default 1). */
  seed?: number
  /** Most configurations evaluated besides the start (default 60). */
  budget?: number
  /** Step factors, one per round (default 2, √2, ⁴√2). */
  factors?: readonly number[]
  /** Least relative gain of the mean reward that keeps a move (default 0.001). */
  minGain?: number
  weights?: RewardWeights
  /**
   * Check the backtest suite's table (at each scenario's own seed and full length) against the
   * starting configuration at the end, and revert changed parameters, newest first, while that
   * removes lines lost (default true): promotion refuses a proposal that loses one.
   */
  table?: boolean
  /** Candidate thresholds from recorded experience (./experience_hints.ts), tried in the first round. */
  hints?: ThresholdHints
  /** Called after each evaluated configuration. */
  onProgress?: (evaluated: number, budget: number, best: number, note: string) => void
}

/** A kept move. */
export interface Move {
  parameter: string
  from: number
  to: number
  /** Mean reward after the move. */
  reward: number
}

/** What the search found. */
export interface SearchResult {
  start: Json
  best: Json
  startReward: number
  bestReward: number
  startMeasures: RunMeasure[]
  bestMeasures: RunMeasure[]
  moves: Move[]
  evaluated: number
  variants: { scenario: string; seed: number }[]
  /** Parameters put back to their starting value because the table lost a line with them. */
  reverted: string[]
  /** The suite's lines still lost by `best` (empty when none, or when the table was not checked). */
  tableRegressions: string[]
}

const meanReward = (ms: readonly RunMeasure[]) => ms.reduce((s, m) => s + m.reward, 0) / ms.length

/** Candidate values for `p` at step `factor` (and, given, the recorded quantiles of its variable), in a seeded order. */
function candidates(p: Parameter, factor: number, random: () => number, hinted: readonly number[] = []): number[] {
  const base = [...(p.value === 0 ? (p.name.endsWith(':cooldownMs') ? [250 * factor, 0] : []) : [p.value * factor, p.value / factor]), ...hinted]
  const values = base
    .map((v) => Math.min(p.max, Math.max(p.min, p.integer ? Math.round(v) : v)))
    .filter((v, i, all) => v !== p.value && all.indexOf(v) === i)
  return random() < 0.5 ? values : values.reverse()
}

/** Seeded coordinate search from `config`. */
export function search(config: Json, options: SearchOptions = {}): SearchResult {
  const weights = options.weights ?? DEFAULT_REWARD_WEIGHTS
  const budget = options.budget ?? 60
  const factors = options.factors ?? [2, Math.SQRT2, 2 ** 0.25]
  const minGain = options.minGain ?? 0.001
  const random = seededRandom(options.seed ?? 1)
  const variants: ScenarioVariant[] = scenarioVariants(options)
  const measure = (c: Json) => measureConfig(JSON.stringify(c), variants, weights)

  const startMeasures = measure(config)
  let best = config
  let bestMeasures = startMeasures
  let bestReward = meanReward(startMeasures)
  const moves: Move[] = []
  let evaluated = 0

  for (const [round, factor] of factors.entries()) {

    for (const name of shuffled(parametersOf(best).map((p) => p.name), random)) {
      const p = parametersOf(best).find((q) => q.name === name)
      if (!p) continue
      // A kept move is tried again in the same direction (a line search), until it stops paying.
      const hinted = round === 0 && p.variable ? (options.hints?.byVariable.get(p.variable) ?? []) : []
      let queue = candidates(p, factor, random, hinted)
      let current = p.value
      while (queue.length > 0 && evaluated < budget) {
        const value = queue.shift()!
        const diff: RuleDiff = diffFor(best, p.name, value)
        const applied = applyChange(best, [diff])
        if (applied.problems.length > 0 || checkEngineConfig(JSON.stringify(applied.config)).length > 0) continue
        evaluated++
        const ms = measure(applied.config)
        const reward = meanReward(ms)
        const gain = (reward - bestReward) / Math.abs(bestReward || 1)
        const safe = safetyRegressions(startMeasures, ms).length === 0
        options.onProgress?.(evaluated, budget, Math.max(bestReward, safe ? reward : bestReward), `${p.name} ${current} → ${value}`)
        if (safe && gain > minGain) {
          moves.push({ parameter: p.name, from: current, to: value, reward })
          best = applied.config
          bestMeasures = ms
          bestReward = reward
          const ratio = value / current
          const next = Math.min(p.max, Math.max(p.min, p.integer ? Math.round(value * ratio) : value * ratio))
          current = value
          queue = Number.isFinite(next) && next !== value ? [next] : []
        }
      }
      if (evaluated >= budget) break
    }
    if (evaluated >= budget) break
  }
  const reverted: string[] = []
  let regressions: string[] = []
  if (options.table !== false && moves.length > 0) {
    // The suite's table at the scenarios' own seeds and full length, as promotion checks it.
    const own = scenarioVariants(options.scenarios ? { scenarios: options.scenarios } : {}).map((v) => v.json)
    const startText = JSON.stringify(config)
    regressions = tableRegressions(startText, JSON.stringify(best), own)
    const startValues = new Map(parametersOf(config).map((p) => [p.name, p.value]))
    const changed = [...new Set(moves.map((m) => m.parameter).reverse())]
    for (const name of changed) {
      if (regressions.length === 0) break
      const diff = diffFor(best, name, startValues.get(name)!)
      const candidate = applyChange(best, [diff]).config
      const after = tableRegressions(startText, JSON.stringify(candidate), own)
      options.onProgress?.(evaluated, budget, bestReward, `table: ${regressions.length} line(s) lost; ${name} back to ${startValues.get(name)} → ${after.length}`)
      if (after.length < regressions.length) {
        best = candidate
        regressions = after
        reverted.push(name)
      }
    }
    if (reverted.length > 0) {
      bestMeasures = measure(best)
      bestReward = meanReward(bestMeasures)
    }
  }
  return {
    start: config,
    best,
    reverted,
    tableRegressions: regressions,
    startReward: meanReward(startMeasures),
    bestReward,
    startMeasures,
    bestMeasures,
    moves,
    evaluated,
    variants: variants.map((v) => ({ scenario: v.scenario, seed: v.seed })),
  }
}
