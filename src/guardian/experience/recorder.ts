// Turns engine ticks into experience rows: the state (features and the variables the rules and
// the reward read), the actions with their outcomes, and the reward, which needs the next tick.
// So each tick waits here for its successor; `finish` writes the last one with no reward.
import type { TickOutput } from '../../engine.js'
import { GamesaError } from '../../errors.js'
import type { ExperienceWriter, ExperienceRow } from './writer.js'
import { type ExperienceConfig, RewardFunction, type RewardOutcome, configDeclarations, ruleVariables } from './reward.js'
import type { ExperienceAction, ExperienceFiring, ExperienceSource } from './types.js'

/** What became of one approved action, in `output.approved` order. */
export type ActuationResult =
  | { outcome: 'applied' }
  | { outcome: 'dry_run'; detail?: string }
  | { outcome: 'failed'; detail: string }

/** One tick as the recorder takes it. */
export interface RecordedTick {
  /** The input variables the engine saw (absent ones left out or NaN/null). */
  values: Readonly<Record<string, number | null | undefined>>
  /** The engine's whole tick output (features, firings, approved, rejected, contracts). */
  output: Pick<TickOutput, 'tick' | 'nowMs' | 'emergency' | 'features' | 'firings' | 'approved' | 'rejected' | 'contracts'> & Partial<Pick<TickOutput, 'scored'>>
  /** The approved actions' outcomes (default: every one a dry run). */
  outcomes?: readonly ActuationResult[]
}

/** What to keep and how to judge it, from an engine configuration. */
export class ExperiencePlan {
  readonly reward?: RewardFunction
  /** The input variables kept per tick. */
  readonly variables: readonly string[]
  /** The configuration as JSON text (as given, or serialized), kept with each run. */
  readonly configText: string

  /** From an engine configuration (object or JSON text). EXPR_COMPILE for a bad `reward`. */
  constructor(config: ExperienceConfig | string) {
    let parsed: ExperienceConfig
    try {
      parsed = (typeof config === 'string' ? JSON.parse(config) : config) as ExperienceConfig
    } catch (err) {
      throw new GamesaError('INVALID_ENGINE_CONFIG', `invalid engine config: $: ${err instanceof Error ? err.message : String(err)}`, { path: '$', cause: err })
    }
    if (typeof parsed !== 'object' || parsed === null) throw new GamesaError('INVALID_ARGUMENT', 'config must be an engine configuration')
    this.configText = typeof config === 'string' ? config : JSON.stringify(config)
    const declarations = configDeclarations(parsed)
    if (parsed.reward !== undefined && parsed.reward !== null) {
      if (typeof parsed.reward !== 'string') throw new GamesaError('INVALID_ENGINE_CONFIG', '$.reward: expected an expression (a string)', { path: '$.reward' })
      this.reward = RewardFunction.compile(parsed.reward, declarations)
    }
    this.variables = [...new Set([...ruleVariables(parsed, declarations), ...(this.reward?.inputs ?? [])])].sort()
  }

  /**
   * The reward of a tick whose next tick has `values` (input variables and `feat.*`) and
   * whose outcome is `outcome`, or why there is none.
   */
  judge(values: Readonly<Record<string, number>>, outcome: RewardOutcome): { reward: number } | { error: string } {
    if (!this.reward) return { error: 'no reward expression in the config' }
    return this.reward.evaluate(values, outcome)
  }
}

/** Feeds an {@link ExperienceWriter} one tick at a time. */
export class ExperienceRecorder {
  readonly run: number
  private pending: { row: ExperienceRow; approved: number; rejected: number; failed: number } | undefined

  constructor(
    private readonly writer: ExperienceWriter,
    private readonly plan: ExperiencePlan,
    source: ExperienceSource,
    label: string,
  ) {
    this.run = writer.beginRun(source, label, plan.reward?.source, plan.configText)
  }

  /** Records one tick; the previous tick is judged on it and handed to the writer. */
  record(tick: RecordedTick): void {
    const { output } = tick
    const values: Record<string, number> = {}
    for (const name of this.plan.variables) {
      const v = tick.values[name]
      if (typeof v === 'number' && !Number.isNaN(v)) values[name] = v
    }
    const features: Record<string, number> = {}
    for (const [name, v] of Object.entries(output.features ?? {})) if (typeof v === 'number') features[name] = v
    const violations = (output.contracts ?? [])
      .filter((c) => c.status === 'violated')
      .map((c) => ({ contract: c.contract, kind: c.kind, violations: c.violations ?? [], ...(c.response === undefined ? {} : { response: c.response }) }))
    const actions: ExperienceAction[] = []
    let failed = 0
    output.approved.forEach((a, i) => {
      const result = tick.outcomes?.[i] ?? { outcome: 'dry_run' as const }
      if (result.outcome === 'failed') failed++
      actions.push({
        rule: a.rule,
        kind: a.kind,
        target: a.target,
        agent: a.agent,
        decision: 'approved',
        value: a.value,
        ...(a.previous === null ? {} : { previous: a.previous }),
        outcome: result.outcome,
        ...('detail' in result && result.detail !== undefined ? { detail: result.detail } : {}),
      })
    })
    let rejected = 0
    for (const r of output.rejected) {
      if (r.reason !== 'not_selected') rejected++
      actions.push({
        rule: r.rule,
        kind: r.kind,
        target: r.target,
        decision: 'rejected',
        reason: r.reason,
        ...(r.value === undefined ? {} : { value: r.value }),
        outcome: 'rejected',
        detail: r.message,
      })
    }
    // What each firing proposed: its scored action (shadow ones are scored too, never chosen).
    const proposed = new Map<string, { kind: string; target: string }>()
    for (const a of output.scored ?? []) if (!proposed.has(`${a.mode}\u0000${a.rule}`)) proposed.set(`${a.mode}\u0000${a.rule}`, a)
    const firing = (mode: 'active' | 'shadow') => (f: TickOutput['firings']['active'][number]): ExperienceFiring => {
      const p = proposed.get(`${mode}\u0000${f.rule}`)
      return { rule: f.rule, mode, held: f.held, domain: f.domain, ...(p ? { kind: p.kind, target: p.target } : {}) }
    }
    const firings = [...output.firings.active.map(firing('active')), ...output.firings.shadow.map(firing('shadow'))]
    // The previous tick's reward: judged on this tick's state and outcome.
    if (this.pending) {
      const outcome: RewardOutcome = {
        'outcome.violations': violations.length,
        'outcome.emergency': output.emergency ? 1 : 0,
        'outcome.approved': this.pending.approved,
        'outcome.rejected': this.pending.rejected,
        'outcome.failed': this.pending.failed,
      }
      this.#judge(this.pending.row, { ...tick.values, ...featureVariables(features) } as Record<string, number>, outcome)
      this.writer.append(this.run, this.pending.row)
    }
    this.pending = {
      row: { tick: output.tick, timeMs: output.nowMs, emergency: output.emergency, state: { features, variables: values }, firings, actions, violations, reward: null },
      approved: output.approved.length,
      rejected,
      failed,
    }
  }

  /** Hands the last tick to the writer (no reward: there is no next tick) and flushes. */
  finish(): void {
    if (this.pending) {
      this.pending.row.rewardError = this.plan.reward ? 'the run ended before the next tick' : 'no reward expression in the config'
      this.writer.append(this.run, this.pending.row)
      this.pending = undefined
    }
    this.writer.flush()
  }

  #judge(row: ExperienceRow, values: Record<string, number>, outcome: RewardOutcome): void {
    const r = this.plan.judge(values, outcome)
    if ('reward' in r) row.reward = r.reward
    else row.rewardError = r.error
  }
}

/** Features as the expression language names them (`feat.<name>`). */
function featureVariables(features: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {}
  for (const [name, v] of Object.entries(features)) out[name.startsWith('feat.') ? name : `feat.${name}`] = v
  return out
}
