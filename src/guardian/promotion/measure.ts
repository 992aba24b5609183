// Runs one configuration on scenario variants in closed loop (the native simulator and engine)
// and keeps, per run, what promotion compares: the reward and the safety figures.
import { runBacktest } from '../../engine.js'
import type { BacktestSummary } from '../../report/types.js'
import { DEFAULT_REWARD_WEIGHTS, type RewardWeights, runReward } from './reward.js'
import type { ScenarioVariant } from './scenarios.js'

/** What one run of a configuration on one scenario variant gave. */
export interface RunMeasure {
  scenario: string
  seed: number
  reward: number
  secondsAboveThermalLimit: number
  powerCapOvershootWs: number
  priorityDeadlineMisses: number
  priorityThroughput: number
  totalThroughput: number
  shadowFirings: number
}

/** Progress of a long measurement: runs done of the total, and the run just done. */
export type MeasureProgress = (done: number, total: number, label: string) => void

/** Runs `config` (JSON text) on every variant, in order. */
export function measureConfig(
  config: string,
  variants: readonly ScenarioVariant[],
  weights: RewardWeights = DEFAULT_REWARD_WEIGHTS,
  onProgress?: MeasureProgress,
): RunMeasure[] {
  return variants.map((v, i) => {
    const report = runBacktest(v.json, config, 'none')
    const policy = report.runs.find((r) => r.label === 'policy')!
    const none = report.runs.find((r) => r.label === 'baseline')!
    const m = measureOf(v, policy.summary, none.summary, weights)
    m.shadowFirings = (policy.series.extra.shadowFirings ?? []).reduce<number>((sum, x) => sum + (x ?? 0), 0)
    onProgress?.(i + 1, variants.length, `${v.scenario} seed ${v.seed}`)
    return m
  })
}

function measureOf(v: ScenarioVariant, s: BacktestSummary, none: BacktestSummary, weights: RewardWeights): RunMeasure {
  return {
    scenario: v.scenario,
    seed: v.seed,
    reward: runReward(s, none, weights),
    secondsAboveThermalLimit: s.secondsAboveThermalLimit,
    powerCapOvershootWs: s.powerCapOvershootWs,
    priorityDeadlineMisses: s.priorityDeadlineMisses,
    priorityThroughput: s.priorityThroughput,
    totalThroughput: s.totalThroughput,
    shadowFirings: 0,
  }
}
