// TypeScript layer of contracts (docs/architecture.md §4): the contract schema (zod), the built-in
// SAFETY_CONTRACT (defined once, in Rust), and the ContractValidator users call — a thin
// wrapper over the native contract set, where contracts are compiled and checked.
import { rejectUnknownOptions } from './options.js'
import { z } from 'zod'
import {
  type ContractCheckResult,
  ContractConditionKind,
  type ContractProblem,
  type ContractSkippedCondition,
  NativeContractSet,
  safetyContractJson,
  validateContractJson,
} from '../index.js'
import { formatPath } from './allocation.js'
import { GamesaError } from './errors.js'

const VAR_TYPES = ['int', 'uint', 'double', 'bool'] as const
/** Identifiers joined by dots, as the expression language reads them (`gpu0.temp_c`). */
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/
const CONTRACT_NAME = /^[A-Za-z0-9_.-]+$/

const VarTypeSchema = z.enum(VAR_TYPES).describe('int, uint, double or bool. JavaScript numbers are doubles; a whole number is also a valid int or uint.')

const VariableSpecSchema = z.union([
  VarTypeSchema,
  z.strictObject({
    type: VarTypeSchema,
    optional: z
      .boolean()
      .optional()
      .describe('A context may lack this variable: conditions reading it are then skipped instead of violated.'),
  }),
])

const ConditionsSchema = z
  .array(z.string().describe('A bool expression over the declared variables (docs/expressions.md).'))
  .optional()

// `$schema` and `description` are `nullish` because serde reads `null` as an absent `Option`.
/** The structure of a contract definition (what `schemas/contract.schema.json` is generated from). */
export const ContractSchema = z
  .strictObject({
    $schema: z.string().nullish().describe('The JSON Schema of this file, for editors.'),
    name: z
      .string()
      .regex(CONTRACT_NAME, { message: 'a contract name uses letters, digits, `_`, `-` and `.`' })
      .describe('The name checks refer to.'),
    description: z.string().nullish().describe('What the contract protects, for people.'),
    variables: z
      .record(
        z.string().regex(VARIABLE_NAME, { message: 'a variable name is identifiers joined by `.`' }),
        VariableSpecSchema,
      )
      .optional()
      .describe('The variables conditions may read, with their types. A required variable missing from a context is a violation (fail closed).'),
    pre: ConditionsSchema.describe('Preconditions: must hold before an action is applied.'),
    post: ConditionsSchema.describe('Postconditions: must hold after an action was applied.'),
    invariants: ConditionsSchema.describe('Invariants: must hold at every check.'),
    onViolation: z
      .enum(['rollback', 'clamp', 'signal'])
      .describe('The response to a violation: rollback restores the replaced value, clamp brings the value into bounds, signal raises a SafetyViolation signal.'),
  })
  .meta({
    title: 'GAMESA contract',
    description: 'Named preconditions, postconditions and invariants in the GAMESA expression language (docs/architecture.md §4, docs/contracts.md).',
  })

/** A contract definition, as written in JSON. */
export type ContractDefinition = z.input<typeof ContractSchema>
/** A declared variable's type. */
export type ContractVariableType = (typeof VAR_TYPES)[number]

/**
 * What a check reads: variable name → value. Numbers are doubles (a whole number is also a
 * valid `int`/`uint`), BigInts are 64-bit integers. `undefined` and `null` count as missing.
 * Names the contract does not declare are ignored, so a whole telemetry snapshot can be passed.
 */
export type ContractContext = Readonly<Record<string, number | bigint | boolean | null | undefined>>

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v)
    Object.freeze(value)
  }
  return value
}

/**
 * The built-in contract `safety_check` (a frozen copy of the Rust definition): CPU below 95 °C,
 * GPU below 90 °C, both readings above 0 °C, and the GPU hotspot below 100 °C when reported
 * (optional). Needs only `temp_cpu` and `temp_gpu`. See docs/contracts.md.
 */
export const SAFETY_CONTRACT: ContractDefinition = deepFreeze(JSON.parse(safetyContractJson()) as ContractDefinition)

/**
 * Every problem of `value` as a contract, empty when valid: the structure first (zod, every
 * issue with its JSON path), then — for a well-formed contract — the native compile of every
 * condition (JSON path plus line and column inside the expression).
 */
export function contractProblems(value: unknown): ContractProblem[] {
  const parsed = ContractSchema.safeParse(value)
  if (!parsed.success) return zodProblems(parsed.error.issues)
  return validateContractJson(JSON.stringify(value))
}

/** Every zod issue as `{path, message}`; an unknown key is named by its own path. */
export function zodProblems(issues: readonly z.core.$ZodIssue[]): ContractProblem[] {
  return issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: formatPath([...issue.path, key]), message: `unknown field \`${key}\`` }))
      : [{ path: formatPath(issue.path), message: issue.message }],
  )
}

/** Options of {@link createContractValidator}. */
export interface ContractValidatorOptions {
  /** Contracts to register besides SAFETY_CONTRACT. */
  contracts?: readonly ContractDefinition[]
  /** Register the built-in SAFETY_CONTRACT (default true). */
  safety?: boolean
}

/** A validator holding SAFETY_CONTRACT (unless `safety: false`) and the given contracts. */
export function createContractValidator(options: ContractValidatorOptions = {}): ContractValidator {
  rejectUnknownOptions(options, ['contracts', 'safety'], 'createContractValidator options', 'INVALID_ARGUMENT')
  const validator = new ContractValidator(options.safety ?? true)
  for (const contract of options.contracts ?? []) validator.register(contract)
  return validator
}

/**
 * Checks contracts by name. Every check returns `{ ok, response, violations, skipped }`: a
 * violation names its contract, condition, kind, reason and the values it read. A required
 * variable missing from the context, a value of the wrong type and an evaluation error are
 * violations (fail closed). Errors: `UNKNOWN_CONTRACT`, `INVALID_CONTRACT`, `DUPLICATE_ID`,
 * `INVALID_ARGUMENT` (a context value that is not a number, BigInt or boolean).
 */
export class ContractValidator {
  // Plain private fields: `#native` is a WeakMap lookup under the source loader.
  private readonly native: NativeContractSet
  /**
   * What the fast path needs of each registered contract (see {@link Packing}). Only declared
   * variables cross to native code: every property of an object crossing costs ~0.2 µs, and a
   * context may be a whole telemetry snapshot of which a contract reads a handful.
   */
  private readonly packings = new Map<string, Packing>()

  constructor(withSafety = true) {
    this.native = new NativeContractSet(withSafety)
    if (withSafety) this.remember(SAFETY_CONTRACT.name)
  }

  /** Compiles and adds a contract; returns its name. A name already taken is `DUPLICATE_ID`. */
  register(contract: ContractDefinition): string {
    const name = this.native.register(contractJson(contract))
    this.remember(name)
    return name
  }

  /** Compiles and adds or replaces a contract (even `safety_check`); true when one was replaced. */
  replace(contract: ContractDefinition): boolean {
    const replaced = this.native.replace(contractJson(contract))
    this.remember(contract.name)
    return replaced
  }

  /** Removes a contract; true when there was one. */
  remove(name: string): boolean {
    this.packings.delete(name)
    return this.native.remove(name)
  }

  /** Whether a contract of this name is registered. */
  has(name: string): boolean {
    return this.native.has(name)
  }

  /** The registered names, sorted. */
  names(): string[] {
    return this.native.names()
  }

  /** The definition of a registered contract, or undefined. */
  definition(name: string): ContractDefinition | undefined {
    const json = this.native.definitionJson(name)
    return json === null ? undefined : (JSON.parse(json) as ContractDefinition)
  }

  /** Checks the preconditions of contract `name` against `context`. */
  checkPre(name: string, context: ContractContext): ContractCheckResult {
    return this.check(name, ContractConditionKind.Pre, 'pre', context)
  }

  /** Checks the postconditions of contract `name` against `context`. */
  checkPost(name: string, context: ContractContext): ContractCheckResult {
    return this.check(name, ContractConditionKind.Post, 'post', context)
  }

  /** Checks the invariants of contract `name` against `context`. */
  checkInvariants(name: string, context: ContractContext): ContractCheckResult {
    return this.check(name, ContractConditionKind.Invariant, 'invariants', context)
  }

  private remember(name: string): void {
    const variables = this.native.variables(name) ?? []
    const definition = JSON.parse(this.native.definitionJson(name) ?? '{}') as ContractDefinition
    const conditions = { pre: definition.pre ?? [], post: definition.post ?? [], invariants: definition.invariants ?? [] }
    this.packings.set(name, {
      variables,
      conditions,
      values: new Float64Array(variables.length),
      tags: new Uint8Array(variables.length),
    })
  }

  /**
   * The fast path: the declared variables packed into typed arrays, a `Uint32Array` summary
   * back. A violated check (rare, and then the details matter) is asked again through objects,
   * as is a context holding a BigInt.
   */
  private check(name: string, kind: ContractConditionKind, list: ConditionList, context: ContractContext): ContractCheckResult {
    checkContextObject(context)
    const packing = this.packings.get(name)
    // Unknown here means unknown natively: let the core raise UNKNOWN_CONTRACT.
    if (packing === undefined) return this.native.check(name, kind, {})
    const { variables, values, tags } = packing
    let packed = true
    for (let i = 0; i < variables.length; i++) {
      const value = ownValue(context, variables[i]!)
      if (value === undefined) {
        tags[i] = TAG_ABSENT
      } else if (typeof value === 'number') {
        tags[i] = TAG_DOUBLE
        values[i] = value
      } else if (typeof value === 'boolean') {
        tags[i] = TAG_BOOL
        values[i] = value ? 1 : 0
      } else {
        packed = false
      }
    }
    if (!packed) return this.native.check(name, kind, this.objectContext(packing, context))
    const summary = this.native.checkPacked(name, KIND_INDEX[kind], values, tags)
    if (summary[0] !== 0) return this.native.check(name, kind, this.objectContext(packing, context))
    const skipped: ContractSkippedCondition[] = []
    for (let at = 2, k = 0; k < summary[1]!; k++) {
      const index = summary[at++]!
      const absent: string[] = []
      for (let n = summary[at++]!; n > 0; n--) absent.push(variables[summary[at++]!]!)
      skipped.push({ condition: packing.conditions[list][index]!, kind, index, absent })
    }
    return { ok: true, violations: [], skipped }
  }

  /** The context's declared variables as an object (for BigInts, and for violation details). */
  private objectContext(packing: Packing, context: ContractContext): Record<string, number | bigint | boolean> {
    // No prototype: a variable named like an Object.prototype member stays a plain entry.
    const out = Object.create(null) as Record<string, number | bigint | boolean>
    for (const variable of packing.variables) {
      const value = ownValue(context, variable)
      if (value !== undefined) out[variable] = value
    }
    return out
  }
}

type ConditionList = 'pre' | 'post' | 'invariants'

/** A registered contract's variables (in native order), conditions, and reused buffers. */
interface Packing {
  variables: readonly string[]
  conditions: Readonly<Record<ConditionList, readonly string[]>>
  values: Float64Array
  tags: Uint8Array
}

// Kind numbers and tags of `checkPacked` (crates/gamesa-napi/src/contracts.rs).
const KIND_INDEX: Readonly<Record<ContractConditionKind, number>> = {
  [ContractConditionKind.Pre]: 0,
  [ContractConditionKind.Post]: 1,
  [ContractConditionKind.Invariant]: 2,
}
const TAG_ABSENT = 0
const TAG_DOUBLE = 1
const TAG_BOOL = 2

function checkContextObject(context: ContractContext): void {
  if (typeof context !== 'object' || context === null || Array.isArray(context)) {
    throw new GamesaError('INVALID_ARGUMENT', `context must be an object of variable values, got ${context === null ? 'null' : typeof context}`)
  }
}

/** An own, present value of the context (`undefined` and `null` are absent), type-checked. */
function ownValue(context: ContractContext, variable: string): number | bigint | boolean | undefined {
  if (!Object.hasOwn(context, variable)) return undefined
  const value = context[variable]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'number' && typeof value !== 'bigint' && typeof value !== 'boolean') {
    throw new GamesaError('INVALID_ARGUMENT', `context.${variable} must be a number, bigint or boolean, got ${typeof value}`, {
      path: `$.${variable}`,
    })
  }
  return value
}

/** The contract as JSON after the structural check, so its errors carry every JSON path. */
function contractJson(contract: ContractDefinition): string {
  const parsed = ContractSchema.safeParse(contract)
  if (!parsed.success) {
    const problems = zodProblems(parsed.error.issues)
    const listed = problems.map((p) => `${p.path}: ${p.message}`).join('; ')
    throw new GamesaError('INVALID_CONTRACT', `invalid contract (${problems.length} problem${problems.length === 1 ? '' : 's'}): ${listed}`, {
      path: problems[0]!.path,
    })
  }
  return JSON.stringify(contract)
}
