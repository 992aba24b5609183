// TypeScript layer of MicroInference rules: the zod schemas of a rule and of a rule set (the
// source of schemas/rule.schema.json and rule-set.schema.json), and
// `compileRuleSet`, a thin wrapper over the native rule set. Compilation, validation, latches,
// cooldowns and the evaluation order are the Rust core's (crates/gamesa-core/src/rules); this
// file converts snapshots to typed arrays and builds firing objects from the rule definitions.
import { z } from 'zod'
import {
  NativeRuleSet,
  type Priority,
  type RuleFailure,
  type RuleSetStats,
  type SignalDomain,
  type SignalKind,
  type VariableDeclaration,
  checkRuleSetJson,
} from '../index.js'
import {
  type DocumentProblem,
  DocumentProblemsError,
  type Features,
  SnapshotPacker,
  type SnapshotValues,
  type VariableDeclarations,
  declarationLists,
  documentText,
} from './features.js'
import { GamesaError } from './errors.js'

const DOMAINS = ['safety', 'thermal', 'power', 'performance', 'efficiency', 'maintenance'] as const
const PRIORITIES = ['low', 'normal', 'high', 'critical'] as const
const KINDS = [
  'cpu_bottleneck',
  'gpu_bottleneck',
  'memory_pressure',
  'thermal_warning',
  'thermal_critical',
  'power_limit',
  'idle_capacity',
  'latency_spike',
  'safety_violation',
] as const

/** What a firing asks the governor to do (interpreted, and unknown kinds denied, by the ActionGate). */
export const RuleActionSchema = z.strictObject({
  kind: z.string().regex(/^[a-z][a-z0-9_]*$/).describe('snake_case action kind, e.g. set_gpu_power_limit.'),
  target: z.string().regex(/\S/).describe('What the action applies to, e.g. gpu0 or cpu.'),
  params: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])).optional(),
})

/** One MicroInference rule (`samples/micro_inference_rule.json`). */
export const MicroInferenceRuleSchema = z.strictObject({
  $schema: z.string().optional(),
  id: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,128}$/)
    .describe('Unique in its set: letters, digits and _ . : -, at most 128 characters.'),
  // nullish where serde reads `null` as an absent `Option` (description, hysteresis, emitsSignal).
  description: z.string().nullish(),
  domain: z.enum(DOMAINS).describe('The governor domain the rule acts in.'),
  priority: z.enum(PRIORITIES).describe('Rules are evaluated and reported by priority (highest first), then id.'),
  mode: z.enum(['active', 'shadow']).optional().describe('shadow: evaluated and recorded, never acted on (default active).'),
  when: z.string().describe('A bool expression over the declared variables (telemetry and feat.*).'),
  action: RuleActionSchema,
  cooldownMs: z.number().min(0).optional().describe('After firing at t, not again before t + cooldownMs (default 0).'),
  hysteresis: z
    .strictObject({ releaseWhen: z.string().describe('A bool expression; the latch opens on the first tick it holds.') })
    .nullish()
    .describe('A fired rule stays latched, asserting its action, until releaseWhen holds.'),
  emitsSignal: z
    .strictObject({
      kind: z.enum(KINDS),
      strength: z.string().describe('A numeric expression, clamped to [0, 1].'),
    })
    .nullish(),
})

/** A rule-set document: `{ rules: [...] }`. */
export const RuleSetSchema = z.strictObject({
  $schema: z.string().optional(),
  description: z.string().optional(),
  rules: z.array(MicroInferenceRuleSchema),
})

/** One rule. */
export type MicroInferenceRule = z.infer<typeof MicroInferenceRuleSchema>
/** A rule-set document. */
export type RuleSetDocument = z.infer<typeof RuleSetSchema>
/** A rule's action. */
export type RuleAction = z.infer<typeof RuleActionSchema>

/** One rule firing on one evaluation. */
export interface Firing {
  ruleId: string
  priority: Priority
  domain: SignalDomain
  mode: 'active' | 'shadow'
  /** What the rule asks for (for a shadow rule: what it would have asked for). */
  action: RuleAction
  /** True when it fired because it is latched (hysteresis) from an earlier evaluation. */
  held: boolean
  /** The signal raised, when the rule has `emitsSignal`. */
  signal?: { kind: SignalKind; strength: number }
}

/** What one evaluation produced, each list in evaluation order (priority, then id). */
export interface RuleEvaluation {
  /** Firings of active rules: the actions to take. */
  active: Firing[]
  /** Firings of shadow rules: recorded for comparison, never actions. */
  shadow: Firing[]
  /** Rules whose evaluation failed (the others were evaluated as usual). */
  errors: RuleFailure[]
}

/** Options of {@link compileRuleSet}. */
export interface RuleSetOptions {
  /** The variables rules may read (default: the telemetry catalog, see `telemetryVariables`). */
  variables?: VariableDeclarations
  /**
   * Features computed before each evaluation: rules may read `feat.<name>`, and the
   * variables are the features' (`variables` is then ignored).
   */
  features?: Features
}

/**
 * A compiled rule set with its state (latches, cooldowns, counters). `evaluate(snapshot,
 * nowMs)` returns active firings, shadow firings and rule failures separately.
 */
export class RuleSet {
  private readonly native: NativeRuleSet
  private readonly packer: SnapshotPacker
  private readonly index: ReadonlyMap<string, number>
  /** The rules in evaluation order (priority, highest first, then id). */
  readonly rules: readonly MicroInferenceRule[]
  /** The variables the snapshot may hold, in declaration order (with `feat.*` when features are attached). */
  readonly variables: readonly VariableDeclaration[]

  /** @internal Use {@link compileRuleSet}. */
  constructor(native: NativeRuleSet) {
    this.native = native
    // Frozen: firings share these action objects, so no caller can change another's view.
    this.rules = deepFreeze(JSON.parse(native.rulesJson()) as MicroInferenceRule[])
    this.index = new Map(this.rules.map((r, i) => [r.id, i]))
    this.variables = native.declarations()
    this.packer = new SnapshotPacker(this.variables.map((d) => d.name))
  }

  /**
   * Evaluates every rule on `snapshot` at `nowMs` (default `Date.now()`). Variables missing
   * from the snapshot are absent: a rule reading one reports an error instead of seeing 0.
   */
  evaluate(snapshot: SnapshotValues, nowMs: number = Date.now()): RuleEvaluation {
    this.packer.pack(snapshot)
    const out = this.native.evaluate(this.packer.values, this.packer.present, nowMs)
    const nActive = out[0] as number
    const nShadow = out[1] as number
    const nErrors = out[2] as number
    const active: Firing[] = []
    const shadow: Firing[] = []
    let at = 3
    for (let k = 0; k < nActive + nShadow; k++, at += 3) {
      const firing = this.firing(out[at] as number, out[at + 1] === 1, out[at + 2] as number)
      if (k < nActive) active.push(firing)
      else shadow.push(firing)
    }
    return { active, shadow, errors: nErrors > 0 ? this.native.lastErrors() : [] }
  }

  private firing(index: number, held: boolean, strength: number): Firing {
    const rule = this.rules[index] as MicroInferenceRule
    const firing: Firing = {
      ruleId: rule.id,
      priority: rule.priority as Priority,
      domain: rule.domain as SignalDomain,
      mode: rule.mode ?? 'active',
      action: rule.action,
      held,
    }
    if (rule.emitsSignal != null) firing.signal = { kind: rule.emitsSignal.kind as SignalKind, strength }
    return firing
  }

  /** Counters since compilation or the last `reset()`. */
  stats(): RuleSetStats {
    return this.native.stats()
  }

  /** Whether the rule is latched now (hysteresis). */
  isLatched(ruleId: string): boolean {
    const i = this.index.get(ruleId)
    if (i === undefined) throw new GamesaError('INVALID_ARGUMENT', `no rule has id '${ruleId}'`)
    return this.native.isLatched(i)
  }

  /** Opens every latch, forgets every cooldown and zeroes the counters. */
  reset(): void {
    this.native.reset()
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v)
    Object.freeze(value)
  }
  return value
}

/**
 * Compiles rules — one rule, an array of rules, a `{ rules: [...] }` document, or any of
 * these as JSON text — against the declared variables. Throws `DocumentProblemsError` (code
 * `INVALID_RULE`) listing every problem of every bad rule with its id, JSON path and, inside
 * expressions, line and column.
 */
export function compileRuleSet(
  rules: MicroInferenceRule | readonly MicroInferenceRule[] | RuleSetDocument | string,
  options?: RuleSetOptions,
): RuleSet {
  const text = documentText(rules, 'rules')
  const features = options?.features?.native
  const [names, types] = features === undefined ? declarationLists(options?.variables) : [undefined, undefined]
  try {
    return new RuleSet(new NativeRuleSet(text, names, types, features))
  } catch (cause) {
    if ((cause as { code?: unknown }).code !== 'INVALID_RULE') throw cause
    const problems = checkRuleSetJson(text, names, types, features)
    throw new DocumentProblemsError('INVALID_RULE', (cause as Error).message, problems, cause)
  }
}

/** Every problem of a rule document (empty when it compiles), as `compileRuleSet` reports them. */
export function checkRules(
  rules: MicroInferenceRule | readonly MicroInferenceRule[] | RuleSetDocument | string,
  options?: RuleSetOptions,
): DocumentProblem[] {
  const features = options?.features?.native
  const [names, types] = features === undefined ? declarationLists(options?.variables) : [undefined, undefined]
  return checkRuleSetJson(documentText(rules, 'rules'), names, types, features)
}
