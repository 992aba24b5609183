// Step 3 of promotion: the proposed configuration against the active one, on the same scenario
// variants. It wins when the relative reward improvement, averaged over scenarios per seed, has
// a one-sided 95 % lower bound over the seeds at or above the margin, no run is less safe than
// the active configuration's run of the same variant, and no line of the backtest suite's table
// that the active configuration meets is lost.
import { type SuiteChecks, runBacktestSuite } from '../../engine.js'
import { lowerBound95 } from './confidence.js'
import { type MeasureProgress, type RunMeasure, measureConfig } from './measure.js'
import { DEFAULT_REWARD_WEIGHTS, type RewardWeights } from './reward.js'
import { type VariantOptions, scenarioVariants } from './scenarios.js'

/** Options of {@link evaluateProposal}. */
export interface EvaluationOptions extends VariantOptions {
  /** Least relative improvement of the mean reward the lower bound must clear (default 0.01 = 1 %). */
  margin?: number
  weights?: RewardWeights
  /** Also compare the backtest suite's table at the scenarios' own seeds (default true). */
  table?: boolean
  /** The active configuration's measures, when already known (the same variants, in order). */
  activeMeasures?: readonly RunMeasure[]
  onProgress?: MeasureProgress
}

/** The mean reward over scenarios for one seed, under each configuration. */
export interface SeedComparison {
  seed: number
  active: number
  proposed: number
  /** (proposed − active) / |active|. */
  improvement: number
}

/** The verdict of the evaluation. */
export interface Evaluation {
  wins: boolean
  /** Why it does not win (empty when it wins). */
  reasons: string[]
  margin: number
  meanImprovement: number
  /** One-sided 95 % lower bound of the mean improvement over seeds. */
  lowerBound: number
  perSeed: SeedComparison[]
  active: RunMeasure[]
  proposed: RunMeasure[]
  safetyRegressions: string[]
  tableRegressions: string[]
}

/** Where `proposed` is less safe than `active` on the same variant, in words. */
export function safetyRegressions(active: readonly RunMeasure[], proposed: readonly RunMeasure[]): string[] {
  const out: string[] = []
  proposed.forEach((p, i) => {
    const a = active[i]!
    const at = `${p.scenario} (seed ${p.seed})`
    if (p.secondsAboveThermalLimit > a.secondsAboveThermalLimit) {
      out.push(`${at}: ${p.secondsAboveThermalLimit.toFixed(2)} s above a thermal limit (active ${a.secondsAboveThermalLimit.toFixed(2)} s)`)
    }
    if (p.powerCapOvershootWs > a.powerCapOvershootWs) {
      out.push(`${at}: ${p.powerCapOvershootWs.toFixed(1)} W·s over the power cap (active ${a.powerCapOvershootWs.toFixed(1)} W·s)`)
    }
  })
  return out
}

/** The per-seed comparison: mean reward over the scenarios of each seed. */
export function perSeedComparison(active: readonly RunMeasure[], proposed: readonly RunMeasure[]): SeedComparison[] {
  const seeds = [...new Set(active.map((m) => m.seed))]
  return seeds.map((seed) => {
    const mean = (ms: readonly RunMeasure[]) => {
      const of = ms.filter((m) => m.seed === seed)
      return of.reduce((s, m) => s + m.reward, 0) / of.length
    }
    const a = mean(active)
    const p = mean(proposed)
    return { seed, active: a, proposed: p, improvement: a === 0 ? (p > 0 ? 1 : p < 0 ? -1 : 0) : (p - a) / Math.abs(a) }
  })
}

const CHECK_NAMES: Record<keyof SuiteChecks, string> = {
  safe: 'safe (0 s hot, 0 W·s over the cap)',
  misses: 'priority misses <= static',
  priorityVsStatic: 'priority throughput >= static',
  priorityVsNone: 'priority throughput >= 95 % of nothing done',
  totalVsStatic: 'total throughput >= 97 % of static',
}

/** The suite's lines the active configuration meets and the proposed one does not. */
export function tableRegressions(active: string, proposed: string, scenarioJsons: readonly string[]): string[] {
  const before = runBacktestSuite(active, scenarioJsons)
  const after = runBacktestSuite(proposed, scenarioJsons)
  const out: string[] = []
  after.forEach((row, i) => {
    const was = before[i]!.checks
    for (const key of Object.keys(CHECK_NAMES) as (keyof SuiteChecks)[]) {
      if (was[key] === true && row.checks[key] === false) out.push(`${row.scenario}: no longer meets "${CHECK_NAMES[key]}"`)
    }
  })
  return out
}

/** Evaluates `proposed` against `active` (both engine configuration JSON texts). */
export function evaluateProposal(active: string, proposed: string, options: EvaluationOptions = {}): Evaluation {
  const margin = options.margin ?? 0.01
  const weights = options.weights ?? DEFAULT_REWARD_WEIGHTS
  const variants = scenarioVariants(options)
  const total = variants.length * (options.activeMeasures ? 1 : 2)
  let done = 0
  const progress = options.onProgress && ((_d: number, _t: number, label: string) => options.onProgress!(++done, total, label))
  const activeMeasures = options.activeMeasures ? [...options.activeMeasures] : measureConfig(active, variants, weights, progress)
  const proposedMeasures = measureConfig(proposed, variants, weights, progress)

  const perSeed = perSeedComparison(activeMeasures, proposedMeasures)
  const bound = lowerBound95(perSeed.map((s) => s.improvement))
  const safety = safetyRegressions(activeMeasures, proposedMeasures)
  const ownSeeds = scenarioVariants({ ...(options.scenarios ? { scenarios: options.scenarios } : {}), ...(options.maxDurationS === undefined ? {} : { maxDurationS: options.maxDurationS }) })
  const table = options.table === false ? [] : tableRegressions(active, proposed, ownSeeds.map((v) => v.json))

  const reasons: string[] = []
  if (perSeed.length < 2) reasons.push(`${perSeed.length} seed(s): a confidence bound needs at least 2`)
  else if (!(bound.lower >= margin)) {
    reasons.push(
      `the reward improvement's 95 % lower bound over ${perSeed.length} seeds is ${(bound.lower * 100).toFixed(2)} % (mean ${(bound.mean * 100).toFixed(2)} %), under the ${(margin * 100).toFixed(2)} % margin`,
    )
  }
  reasons.push(...safety.map((s) => `safety regression: ${s}`))
  reasons.push(...table.map((s) => `scenario table regression: ${s}`))
  return {
    wins: reasons.length === 0,
    reasons,
    margin,
    meanImprovement: bound.mean,
    lowerBound: bound.lower,
    perSeed,
    active: activeMeasures,
    proposed: proposedMeasures,
    safetyRegressions: safety,
    tableRegressions: table,
  }
}
