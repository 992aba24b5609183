// Turns what the search found into a policy proposal: the difference between the starting and
// the best configuration as diffs (one modify_rule per changed rule, one set_bid per changed
// bid), the simulator evidence, and a confidence. The id is a hash of the change, so the same
// search gives the same document.
import { createHash } from 'node:crypto'
import { perSeedComparison } from '../promotion/evaluate.js'
import type { PolicyProposal, RuleDiff } from '../proposals/schema.js'
import type { ThresholdHints } from './experience_hints.js'
import type { SearchResult } from './search.js'

type Json = Record<string, unknown>

const RULE_FIELDS = ['when', 'cooldownMs', 'hysteresis', 'action'] as const
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)

/** The diffs that turn `start` into `best` (rules and bids only: what the generator tunes). */
export function changeBetween(start: Json, best: Json): RuleDiff[] {
  const out: RuleDiff[] = []
  const before = new Map(((start.rules as Json[] | undefined) ?? []).map((r) => [String(r.id), r]))
  for (const rule of (best.rules as Json[] | undefined) ?? []) {
    const old = before.get(String(rule.id))
    if (!old) continue
    const set: Json = {}
    for (const f of RULE_FIELDS) if (!same(old[f], rule[f])) set[f] = rule[f] ?? null
    if (Object.keys(set).length > 0) out.push({ op: 'modify_rule', ruleId: String(rule.id), set } as RuleDiff)
  }
  const agents = new Map(((start.agents as Json[] | undefined) ?? []).map((a) => [String(a.id), a]))
  for (const agent of (best.agents as Json[] | undefined) ?? []) {
    const oldBids = ((agents.get(String(agent.id))?.bids as Json[] | undefined) ?? [])
    ;((agent.bids as Json[] | undefined) ?? []).forEach((bid, j) => {
      const old = oldBids[j]
      if (!old) return
      const diff: RuleDiff = { op: 'set_bid', agent: String(agent.id), bid: j }
      if (!same(old.amount, bid.amount)) diff.amount = bid.amount as number | string
      if (!same(old.maxUnitPrice, bid.maxUnitPrice)) diff.maxUnitPrice = bid.maxUnitPrice as number
      if (diff.amount !== undefined || diff.maxUnitPrice !== undefined) out.push(diff)
    })
  }
  return out
}

/** The proposal for a search result, or null when the search kept no move. */
export function proposalFrom(result: SearchResult, baseSha256: string, seed: number, experience?: { file: string; hints: ThresholdHints }): PolicyProposal | null {
  const change = changeBetween(result.start, result.best)
  if (change.length === 0) return null
  const id = `generator-${createHash('sha256').update(JSON.stringify(change)).digest('hex').slice(0, 12)}`
  const relative = (result.bestReward - result.startReward) / Math.abs(result.startReward || 1)
  const perSeed = perSeedComparison(result.startMeasures, result.bestMeasures)
  const notWorse = result.bestMeasures.filter((m, i) => m.reward >= result.startMeasures[i]!.reward).length
  const scenarios = [...new Set(result.variants.map((v) => v.scenario))]
  const seeds = [...new Set(result.variants.map((v) => v.seed))]
  const moves = result.moves.map((m) => `${m.parameter} ${fmt(m.from)} → ${fmt(m.to)}`).join('; ')
  const reverted = result.reverted.length === 0 ? '' : ` Put back to their starting value because the backtest suite's table lost a line with them: ${result.reverted.join(', ')}.`
  const lost = result.tableRegressions.length === 0 ? '' : ` The table still loses: ${result.tableRegressions.join('; ')}.`
  return {
    id,
    author: 'generator',
    rationale:
      `Seeded coordinate search (seed ${seed}) over the thresholds, hysteresis bands, cooldowns, action parameters and bid valuations ` +
      `of the rules outside the safety domain and of the agents, scored by the mean reward over ${result.variants.length} simulator runs ` +
      `(${scenarios.length} scenarios × seeds ${seeds.join(', ')}); ${result.evaluated} configurations evaluated; ` +
      `every kept move raised the mean reward and made no run less safe than the starting configuration. Moves kept, in order: ${moves}.${reverted}${lost}`,
    base: { configSha256: baseSha256 },
    change,
    expectedEffect: {
      summary: `Mean reward ${fmt(result.startReward)} → ${fmt(result.bestReward)} (${(relative * 100).toFixed(1)} %) on the learning runs, with no run less safe.`,
      rewardDelta: Number(relative.toFixed(6)),
      evidence: [
        {
          source: 'simulation',
          description: `Closed-loop runs of the starting and the proposed configuration; per seed: ${perSeed.map((s) => `${s.seed}: ${fmt(s.active)} → ${fmt(s.proposed)}`).join(', ')}. The reward did not fall in ${notWorse} of ${result.bestMeasures.length} runs.`,
          scenarios,
          seeds,
          metric: 'reward',
          before: Number(result.startReward.toFixed(6)),
          after: Number(result.bestReward.toFixed(6)),
        },
        ...(experience
          ? [
              {
                source: 'experience' as const,
                description:
                  `${experience.hints.ticks} recorded ticks of ${experience.file} (${experience.hints.rewarded} with a reward` +
                  `${experience.hints.meanReward === null ? '' : `, mean ${fmt(experience.hints.meanReward)}`}); thresholds were also tried at the ` +
                  `10/25/50/75/90 % quantiles of the ${experience.hints.byVariable.size} recorded variables they compare.`,
                metric: 'reward',
                ...(experience.hints.meanReward === null ? {} : { before: Number(experience.hints.meanReward.toFixed(6)) }),
              },
            ]
          : []),
      ],
    },
    // The share of learning runs that did not get worse, capped: in-sample evidence never makes it certain.
    confidence: Number(Math.min(0.9, notWorse / result.bestMeasures.length).toFixed(3)),
  }
}

const fmt = (x: number) => String(Number(x.toPrecision(5)))
