// The reward: what one tick's decisions earned, judged one tick later. It is an expression of
// the expression language (docs/expressions.md), written in the engine config's `reward`
// field and compiled by the native core (compileExpression). It reads the next tick's input
// variables and features (`feat.<name>`) and five outcome variables, all doubles:
//   outcome.violations  contract checks violated on the next tick
//   outcome.emergency   1.0 when the next tick is in emergency mode (a safety signal), else 0.0
//   outcome.approved    actions the gate approved this tick
//   outcome.rejected    actions the gate rejected this tick (not counting losers of the selection)
//   outcome.failed      approved actions whose actuation failed or was refused
// e.g. `-10.0 * wl.priority.deadline_miss_rate - 0.01 * power.total_w - 100.0 * outcome.violations`.
import { type CompiledExpression, type ExpressionDeclarations, type ExpressionType, compileExpression } from '../../expr.js'
import { telemetryVariables } from '../../features.js'
import { GamesaError } from '../../errors.js'
import { ExpressionCompileError } from '../../expr.js'

/** The outcome variables a reward may read (each a double). */
export const OUTCOME_VARIABLES = ['outcome.violations', 'outcome.emergency', 'outcome.approved', 'outcome.rejected', 'outcome.failed'] as const

/** The outcome of one tick, as the reward reads it. */
export type RewardOutcome = Record<(typeof OUTCOME_VARIABLES)[number], number>

/** The parts of an engine configuration the experience store reads. */
export interface ExperienceConfig {
  reward?: string | null
  variables?: Record<string, string> | null
  features?: { name: string }[] | null
  rules?: { when?: string; hysteresis?: { releaseWhen?: string } | null; emitsSignal?: { strength?: string } | null }[] | null
}

/** Every variable an expression of `config` may read, with its type. */
export function configDeclarations(config: ExperienceConfig): Record<string, ExpressionType> {
  const out: Record<string, ExpressionType> = {}
  for (const v of telemetryVariables()) out[v.name] = v.type as ExpressionType
  for (const [name, type] of Object.entries(config.variables ?? {})) out[name] = type as ExpressionType
  for (const f of config.features ?? []) out[`feat.${f.name}`] = 'double'
  return out
}

/**
 * The input variables the rules read (not features: the state keeps every feature): what the
 * experience store keeps of each snapshot. Each rule expression is compiled here only to learn
 * its variables; one that does not compile (the engine refuses such a config anyway) adds none.
 */
export function ruleVariables(config: ExperienceConfig, declarations: ExpressionDeclarations): string[] {
  const names = new Set<string>()
  for (const rule of config.rules ?? []) {
    for (const source of [rule.when, rule.hysteresis?.releaseWhen, rule.emitsSignal?.strength]) {
      if (typeof source !== 'string') continue
      try {
        for (const v of compileExpression(source, declarations).variables) if (!v.startsWith('feat.')) names.add(v)
      } catch {
        // Not ours to report: the engine names the rule, with line and column.
      }
    }
  }
  return [...names].sort()
}

/** A compiled reward. */
export class RewardFunction {
  readonly source: string
  /** The input variables (not features, not outcome) it reads. */
  readonly inputs: readonly string[]
  private readonly expression: CompiledExpression

  private constructor(source: string, expression: CompiledExpression) {
    this.source = source
    this.expression = expression
    this.inputs = expression.variables.filter((v) => !v.startsWith('feat.') && !v.startsWith('outcome.'))
  }

  /**
   * Compiles `source` against `declarations` plus the outcome variables. Throws
   * `ExpressionCompileError` (EXPR_COMPILE, path `$.reward`, line and column) or EXPR_COMPILE
   * for a result that is not a double.
   */
  static compile(source: string, declarations: ExpressionDeclarations): RewardFunction {
    const all: Record<string, ExpressionType> = { ...declarations }
    for (const v of OUTCOME_VARIABLES) all[v] = 'double'
    let expression: CompiledExpression
    try {
      expression = compileExpression(source, all)
    } catch (err) {
      if (err instanceof ExpressionCompileError) {
        throw new GamesaError('EXPR_COMPILE', `$.reward: ${err.message}`, { path: '$.reward', line: err.line, column: err.column, cause: err })
      }
      throw err
    }
    if (expression.resultType !== 'double') {
      throw new GamesaError('EXPR_COMPILE', `$.reward: the reward must be a double, this expression gives ${expression.resultType}`, { path: '$.reward' })
    }
    return new RewardFunction(source, expression)
  }

  /** The reward, or the reason there is none (a variable absent, an evaluation error, not finite). */
  evaluate(values: Readonly<Record<string, number>>, outcome: RewardOutcome): { reward: number } | { error: string } {
    const bindings: Record<string, number> = {}
    for (const name of this.expression.variables) {
      const v = Object.hasOwn(outcome, name) ? outcome[name as keyof RewardOutcome] : values[name]
      if (v === undefined || v === null || Number.isNaN(v)) return { error: `${name} is absent` }
      bindings[name] = v
    }
    try {
      const r = this.expression.evaluate(bindings)
      if (typeof r !== 'number' || !Number.isFinite(r)) return { error: `the reward is not a finite number (${String(r)})` }
      return { reward: r }
    } catch (err) {
      return { error: err instanceof Error ? err.message : String(err) }
    }
  }
}

/**
 * The problems of a configuration's `reward` expression (none when it has none or it compiles),
 * each at `$.reward` with the line and column inside the expression: what `gamesa validate`
 * adds to the engine's own checks, since the engine never compiles the reward.
 */
export function rewardProblems(config: ExperienceConfig): { path: string; message: string; line?: number; column?: number }[] {
  if (typeof config.reward !== 'string') return []
  try {
    RewardFunction.compile(config.reward, configDeclarations(config))
    return []
  } catch (err) {
    if (!(err instanceof GamesaError)) throw err
    return [{ path: '$.reward', message: err.message.replace(/^\$\.reward: /, ''), ...(err.line === undefined ? {} : { line: err.line }), ...(err.column === undefined ? {} : { column: err.column }) }]
  }
}
