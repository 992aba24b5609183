// TypeScript side of the ActionGate configuration (the `gate` section of engine.json): the zod
// schema mirroring crates/gamesa-core/src/gate/{config,validate}.rs — the same verdict on every
// document and the same JSON path for the first problem — plus the reject reason codes.
// Checked against the Rust side by the shared corpus samples/gate_configs/ (docs/gate.md).
import { z } from 'zod'
import { addProblem, firstInWalkOrder, formatPath, issueCandidates, parseJson, validated, valueAt } from './json_document.js'

const RESOURCES = ['cpu_cores', 'cpu_time', 'gpu_compute', 'gpu_memory', 'thermal_headroom', 'power_budget'] as const
const EFFECTS = [
  'cpu_control',
  'gpu_control',
  'memory_control',
  'thermal_control',
  'power_control',
  'process_control',
  'telemetry_read',
  'policy_write',
  'audit_read',
] as const

/** Why the gate rejected an action: the stable codes of `RejectReason` (docs/gate.md). */
export const GATE_REJECT_REASONS = [
  'unknown_kind',
  'unknown_target',
  'invalid_param',
  'missing_variable',
  'out_of_bounds',
  'step_too_large',
  'within_hysteresis',
  'cooldown',
  'rate_limited',
  'emergency',
  'no_capability',
  'precondition_failed',
  'over_budget',
  'not_selected',
] as const
/** One reject reason code. */
export type GateRejectReason = (typeof GATE_REJECT_REASONS)[number]

/** Default credits of benefit per unit of signal strength. */
export const DEFAULT_BENEFIT_PER_STRENGTH = 10
/** Longest action-kind name, in bytes. */
export const MAX_KIND_LEN = 64
const MAX_AGENT_LEN = 128
const MAX_TARGET_LEN = 256
const MAX_TEMPLATE_LEN = 256
const TARGET_PLACEHOLDER = '{target}'

// Field order is the Rust structs' order: serde reports missing fields in that order.
// `nullish` where the Rust field is an `Option` (serde reads null as None); `optional` where it
// has a non-Option default (null is a type error there, as in serde).
const valueSpecSchema = z.strictObject({
  param: z.string().optional().describe('The parameter carrying the number (default "value").'),
  mode: z.enum(['absolute', 'delta', 'factor']).optional().describe('absolute | delta (current + n) | factor (current × n); default absolute.'),
  current: z.string().nullish().describe('Variable template of the current value, e.g. "{target}.power_limit_w".'),
  initial: z.number().nullish().describe('The current value to assume when nothing else tells it.'),
})

const boundSchema = z.union([z.number(), z.string()])

const tokenBucketSchema = z.strictObject({
  burst: z.number().describe('Bucket capacity (≥ 1); starts full.'),
  perSecond: z.number().describe('Refill rate in tokens per second (> 0).'),
})

const contractBindingSchema = z.strictObject({
  name: z.string().describe('A contract of the engine.'),
  bind: z
    .record(z.string(), z.string())
    .optional()
    .describe('Contract variable → "$value", "$previous" or a variable template.'),
})

const actionKindSchema = z.strictObject({
  agent: z.string().describe('The agent performing it; the capability is checked for it.'),
  effect: z.enum(EFFECTS).describe('The capability required.'),
  safety: z.boolean().optional().describe('May pass during an emergency (default false).'),
  targets: z.array(z.string()).describe('Exact names or prefix* patterns; at least one.'),
  exists: z.string().nullish().describe('Variable template present exactly when the target exists.'),
  value: valueSpecSchema.optional(),
  min: boundSchema.nullish().describe('Lower bound: a number or a variable template.'),
  max: boundSchema.nullish().describe('Upper bound: a number or a variable template.'),
  cap: z.number().nullish().describe('A configured ceiling on top of max.'),
  maxStep: z.number().nullish().describe('Largest |value − current| per action (> 0).'),
  rate: tokenBucketSchema.nullish(),
  cooldownMs: z.number().optional().describe('Minimum ms between approved actions on one target (default 0).'),
  hysteresis: z.number().optional().describe('Minimum |value − current| worth applying (default 0).'),
  contract: contractBindingSchema.nullish(),
  costs: z.partialRecord(z.enum(RESOURCES), z.number()).optional().describe('Resources one action consumes.'),
  benefitPerStrength: z.number().optional().describe('Credits of benefit per unit of signal strength (default 10).'),
  description: z.string().nullish(),
})

const structureSchema = z.strictObject({
  $schema: z.string().nullish().describe('The JSON Schema of this file, for editors.'),
  description: z.string().nullish(),
  actions: z.record(z.string(), actionKindSchema).optional().describe('Action kinds by name; none = every action denied.'),
})

/** One action kind's limits (docs/gate.md). */
export type ActionKindConfig = z.infer<typeof actionKindSchema>
/** The gate configuration: the `gate` section of engine.json. */
export type GateConfig = z.infer<typeof structureSchema>
/** Where a proposal's value is and what it means. */
export type GateValueSpec = z.infer<typeof valueSpecSchema>

/** A problem of a gate configuration: its JSON path and a message. */
export interface GateConfigProblem {
  path: string
  message: string
}

/**
 * The gate configuration schema: structure, then the semantic rules of validate.rs in the
 * same order with the same paths. Paths are relative to the gate document (inside engine.json
 * they sit under `gate`).
 */
export const gateConfigSchema = structureSchema.superRefine((config, ctx) => {
  const problem = semanticProblem(config)
  addProblem(ctx, problem)
})

/** The first problem of `value` as a gate configuration (the one Rust reports), or null. */
export function checkGateConfig(value: unknown): GateConfigProblem | null {
  const structure = structureSchema.safeParse(value)
  if (!structure.success) return firstStructuralProblem(structure.error.issues, value)
  return semanticProblem(structure.data)
}

/** `value` as a gate configuration, or a `GamesaError` INVALID_GATE with the problem's `path`. */
export function validateGateConfig(value: unknown): GateConfig {
  return validated<GateConfig>(value, checkGateConfig, 'INVALID_GATE')
}

/** Parses JSON text and validates it; malformed JSON is reported at `$`. */
export function parseGateConfig(text: string): GateConfig {
  return validateGateConfig(parseJson(text, 'INVALID_GATE'))
}

const utf8 = new TextEncoder()
const byteLength = (s: string): number => utf8.encode(s).length
const CONTROL = /\p{Cc}/u
const CONTROL_OR_SPACE = /[\p{Cc}\p{White_Space}]/u
/** `parent.key`, or `parent["key"]` when the key is not an identifier (as Rust writes it). */
function keyPath(parent: string, key: string): string {
  return parent + formatPath([key]).slice(1)
}

/** Why `source` is not a variable template, or null (template.rs). */
export function templateProblem(source: string): string | null {
  if (source.length === 0) return 'a variable template must not be empty'
  if (byteLength(source) > MAX_TEMPLATE_LEN) return `a variable template must be at most ${MAX_TEMPLATE_LEN} bytes`
  if (CONTROL_OR_SPACE.test(source)) return `variable template ${JSON.stringify(source)} contains whitespace or a control character`
  if (/[{}]/.test(source.split(TARGET_PLACEHOLDER).join(''))) {
    return `variable template ${JSON.stringify(source)} has a brace outside \`${TARGET_PLACEHOLDER}\` (the only placeholder)`
  }
  return null
}

function kindNameProblem(name: string): string | null {
  if (!/^[a-z][a-z0-9_]*$/.test(name)) {
    return `action kind ${JSON.stringify(name)} must be snake_case: a lowercase letter, then lowercase letters, digits or '_'`
  }
  if (name.length > MAX_KIND_LEN) return `action kind ${JSON.stringify(name)} is longer than ${MAX_KIND_LEN} bytes`
  return null
}

function targetPatternProblem(pattern: string): string | null {
  if (pattern.length === 0) return 'a target pattern must not be empty'
  if (byteLength(pattern) > MAX_TARGET_LEN) return `a target pattern must be at most ${MAX_TARGET_LEN} bytes`
  if (CONTROL.test(pattern)) return `target pattern ${JSON.stringify(pattern)} contains a control character`
  const star = pattern.indexOf('*')
  if (star !== -1 && star !== pattern.length - 1) {
    return `target pattern ${JSON.stringify(pattern)} has a '*' that is not the last character`
  }
  return null
}

/** Rust's `str` order (UTF-8 bytes), which BTreeMap iterates in; differs from `<` only past U+FFFF. */
function byteOrder(a: string, b: string): number {
  const x = utf8.encode(a)
  const y = utf8.encode(b)
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!
  return x.length - y.length
}

/** The semantic rules of validate.rs, in its order (kinds in key order, then field order). */
function semanticProblem(config: GateConfig): GateConfigProblem | null {
  const actions = config.actions ?? {}
  for (const kind of Object.keys(actions).sort(byteOrder)) {
    const problem = kindProblem(kind, actions[kind]!, keyPath('$.actions', kind))
    if (problem !== null) return problem
  }
  return null
}

function kindProblem(kind: string, a: ActionKindConfig, at: string): GateConfigProblem | null {
  const p = (field: string) => `${at}.${field}`
  const problem = (path: string, message: string | null) => (message === null ? null : { path, message })
  const fail = (ok: boolean, path: string, message: string) => (ok ? null : { path, message })
  const finite = (x: number, path: string, what: string) => fail(Number.isFinite(x), path, `${what} must be a finite number, got ${x}`)
  const bound = (b: number | string | null | undefined, path: string) => {
    if (b === null || b === undefined) return null
    return typeof b === 'number' ? finite(b, path, 'a bound') : problem(path, templateProblem(b))
  }
  const checks: Array<() => GateConfigProblem | null> = [
    () => problem(at, kindNameProblem(kind)),
    () => fail(a.agent.length > 0, p('agent'), 'agent must not be empty'),
    () => fail(byteLength(a.agent) <= MAX_AGENT_LEN, p('agent'), `agent must be at most ${MAX_AGENT_LEN} bytes`),
    () => fail(!CONTROL.test(a.agent), p('agent'), `agent ${JSON.stringify(a.agent)} contains a control character`),
    () => fail(a.targets.length > 0, p('targets'), 'at least one target pattern is required'),
    () => {
      for (const [i, t] of a.targets.entries()) {
        const m = targetPatternProblem(t)
        if (m !== null) return { path: `${at}.targets[${i}]`, message: m }
      }
      return null
    },
    () => (a.exists == null ? null : problem(p('exists'), templateProblem(a.exists))),
    () => fail((a.value?.param ?? 'value').length > 0, p('value.param'), 'the value parameter name must not be empty'),
    () => (a.value?.current == null ? null : problem(p('value.current'), templateProblem(a.value.current))),
    () => (a.value?.initial == null ? null : finite(a.value.initial, p('value.initial'), 'initial')),
    () => bound(a.min, p('min')),
    () => bound(a.max, p('max')),
    () => (typeof a.min === 'number' && typeof a.max === 'number' ? fail(a.min <= a.max, p('max'), `max ${a.max} is below min ${a.min}`) : null),
    () => (a.cap == null ? null : finite(a.cap, p('cap'), 'cap')),
    () => (a.cap != null && typeof a.min === 'number' ? fail(a.min <= a.cap, p('cap'), `cap ${a.cap} is below min ${a.min}`) : null),
    () => (a.maxStep == null ? null : fail(Number.isFinite(a.maxStep) && a.maxStep > 0, p('maxStep'), `maxStep must be a finite number > 0, got ${a.maxStep}`)),
    () => (a.rate == null ? null : fail(Number.isFinite(a.rate.burst) && a.rate.burst >= 1, p('rate.burst'), `burst must be a finite number >= 1, got ${a.rate.burst}`)),
    () =>
      a.rate == null
        ? null
        : fail(Number.isFinite(a.rate.perSecond) && a.rate.perSecond > 0, p('rate.perSecond'), `perSecond must be a finite number > 0, got ${a.rate.perSecond}`),
    () => {
      const cd = a.cooldownMs ?? 0
      return fail(Number.isFinite(cd) && cd >= 0, p('cooldownMs'), `cooldownMs must be a finite number >= 0, got ${cd}`)
    },
    () => {
      const h = a.hysteresis ?? 0
      return fail(Number.isFinite(h) && h >= 0, p('hysteresis'), `hysteresis must be a finite number >= 0, got ${h}`)
    },
    () => {
      const h = a.hysteresis ?? 0
      return a.maxStep == null ? null : fail(h <= a.maxStep, p('hysteresis'), `hysteresis ${h} exceeds maxStep ${a.maxStep}: no change could ever pass`)
    },
    () => (a.contract == null ? null : fail(a.contract.name.length > 0, p('contract.name'), 'the contract name must not be empty')),
    () => {
      if (a.contract == null) return null
      const bind = a.contract.bind ?? {}
      for (const v of Object.keys(bind).sort(byteOrder)) {
        const path = keyPath(p('contract.bind'), v)
        if (v.length === 0) return { path, message: 'a bound variable name must not be empty' }
        const source = bind[v]!
        if (source === '$value' || source === '$previous') continue
        const m = source.startsWith('$')
          ? `${JSON.stringify(source)} is not a binding source: use $value, $previous or a variable template`
          : templateProblem(source)
        if (m !== null) return { path, message: m }
      }
      return null
    },
    () => {
      // BTreeMap<ResourceType, _> iterates in ResourceType declaration order.
      for (const r of RESOURCES) {
        const c = a.costs?.[r]
        if (c !== undefined && !(Number.isFinite(c) && c >= 0)) {
          return { path: `${at}.costs.${r}`, message: `a cost must be a finite number >= 0, got ${c}` }
        }
      }
      return null
    },
    () => {
      const b = a.benefitPerStrength ?? DEFAULT_BENEFIT_PER_STRENGTH
      return fail(Number.isFinite(b) && b >= 0, p('benefitPerStrength'), `benefitPerStrength must be a finite number >= 0, got ${b}`)
    },
  ]
  for (const check of checks) {
    const found = check()
    if (found !== null) return found
  }
  return null
}

/**
 * The structural problem serde reports first: it walks the parsed JSON with object keys in
 * sorted order (serde_json's map is a BTreeMap), recursing into each value, and reports a
 * missing field only once every present key of its object is done. zod reports every issue;
 * the first in that walk is kept. A bad key of a record is reported at the record, as serde does.
 */
function firstStructuralProblem(issues: readonly z.core.$ZodIssue[], root: unknown): GateConfigProblem {
  const candidates = issues.flatMap((issue) => {
    // `actions.<kind>.costs` is the one record with restricted keys. serde reads every cost as
    // a number first (named at its key), then names an unknown resource at the map; zod
    // neither type-checks the value of an unknown key nor names the key.
    const isCosts = issue.path.length === 3 && issue.path[0] === 'actions' && issue.path[2] === 'costs'
    if (issue.code === 'unrecognized_keys' && isCosts) {
      const costs = valueAt(root, issue.path) as Record<string, unknown>
      const badValues = issue.keys.filter((k) => typeof costs[k] !== 'number')
      if (badValues.length > 0) {
        return badValues.map((key) => ({ path: [...issue.path, key], message: `invalid type: expected f64, got ${JSON.stringify(costs[key])}` }))
      }
      return [{ path: [...issue.path], message: `unknown resource ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`, afterInner: true }]
    }
    return issueCandidates(issue)
  })
  // An unknown resource is only reported once every cost in its map has been read.
  const kept = candidates.filter(
    (c) =>
      !('afterInner' in c) ||
      !candidates.some((o) => o.path.length > c.path.length && c.path.every((seg, i) => o.path[i] === seg)),
  )
  const first = firstInWalkOrder(kept, root, byteOrder) ?? { path: [], message: 'invalid gate configuration' }
  return { path: formatPath(first.path), message: first.message }
}

