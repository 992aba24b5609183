// What the generator learns from recorded experience (the experience store, docs/experience.md):
// where the variables the rules compare against actually lie. For every variable, the
// quantiles of its recorded values become candidate thresholds, tried besides the ×f / ÷f moves:
// a threshold between two recorded values changes when a rule fires, one outside them does not.

/** What the generator reads of a recorded tick (the experience store's `ExperienceTick`). */
export interface ExperienceSample {
  state: { features: Record<string, number>; variables: Record<string, number> }
  reward: number | null
}

/** The quantiles tried by default. */
export const HINT_QUANTILES: readonly number[] = Object.freeze([0.1, 0.25, 0.5, 0.75, 0.9])

/** Candidate thresholds by variable name (`feat.<name>` for features), from the recorded values. */
export interface ThresholdHints {
  ticks: number
  /** Ticks with a reward, and their mean reward (null without any). */
  rewarded: number
  meanReward: number | null
  byVariable: Map<string, number[]>
}

/** Collects the values of every variable and feature over `samples` and returns their quantiles. */
export function thresholdHints(samples: Iterable<ExperienceSample>, quantiles: readonly number[] = HINT_QUANTILES): ThresholdHints {
  const values = new Map<string, number[]>()
  let ticks = 0
  let rewarded = 0
  let rewardSum = 0
  const push = (name: string, v: number) => {
    if (!Number.isFinite(v)) return
    let list = values.get(name)
    if (!list) values.set(name, (list = []))
    list.push(v)
  }
  for (const s of samples) {
    ticks++
    if (typeof s.reward === 'number' && Number.isFinite(s.reward)) {
      rewarded++
      rewardSum += s.reward
    }
    for (const [name, v] of Object.entries(s.state.variables)) push(name, v)
    for (const [name, v] of Object.entries(s.state.features)) push(name.startsWith('feat.') ? name : `feat.${name}`, v)
  }
  const byVariable = new Map<string, number[]>()
  for (const name of [...values.keys()].sort()) {
    const sorted = values.get(name)!.sort((a, b) => a - b)
    const qs = quantiles.map((q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!)
    byVariable.set(name, [...new Set(qs)])
  }
  return { ticks, rewarded, meanReward: rewarded > 0 ? rewardSum / rewarded : null, byVariable }
}
