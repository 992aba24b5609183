// TypeScript side of the ActionGate configuration (the `gate` section of engine.json): the zod
// schema of its structure (the source of schemas/gate-config.schema.json and of the types), and
// the check → validate → parse entry points, which ask the Rust core (crates/gamesa-core/src/
// gate/{config,validate}.rs), where the rules live. The reject reason codes come from there too.
import { z } from 'zod'
import { type GateRejectReason, checkGateConfigJson, gateRejectReasons, variableTemplateProblem } from '../index.js'
import { CONFIG_DEFAULTS, CONFIG_LIMITS, EFFECT_NAMES, RESOURCE_NAMES } from './catalog.js'
import { type PathProblem, checkDocument, parseDocument, validateDocument } from './json_document.js'

/** Why the gate rejected an action: the stable codes of `RejectReason` (docs/gate.md). */
export const GATE_REJECT_REASONS: readonly `${GateRejectReason}`[] = Object.freeze(gateRejectReasons() as unknown as `${GateRejectReason}`[])

/** Default credits of benefit per unit of signal strength. */
export const DEFAULT_BENEFIT_PER_STRENGTH: number = CONFIG_DEFAULTS.gate.benefitPerStrength
/** Longest action-kind name, in bytes. */
export const MAX_KIND_LEN: number = CONFIG_LIMITS.actionKindMaxLength

// The structure only (types, required and unknown fields), for the JSON Schema and the types:
// `nullish` where the Rust field is an `Option` (null reads as absent), `optional` where it has
// a non-Option default. What the values mean is checked natively (checkGateConfigJson).
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

export const actionKindSchema = z.strictObject({
  agent: z.string().describe('The agent performing it; the capability is checked for it.'),
  effect: z.enum(EFFECT_NAMES).describe('The capability required.'),
  safety: z.boolean().optional().describe('May pass during an emergency (default false).'),
  safeDirection: z
    .enum(['decrease', 'increase'])
    .nullish()
    .describe(
      'The way of change that keeps the machine within its limits: a safety proposal moving this way is not held back by maxStep, hysteresis, cooldownMs or rate (default none).',
    ),
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
  costs: z.partialRecord(z.enum(RESOURCE_NAMES), z.number()).optional().describe('Resources one action consumes.'),
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
export type GateConfigProblem = PathProblem

/**
 * The gate configuration's structure (zod). Paths are relative to the gate document (inside
 * engine.json they sit under `gate`); what the values mean is checked by {@link checkGateConfig}.
 */
export const gateConfigSchema = structureSchema

const nativeCheck = (text: string): PathProblem | null => checkGateConfigJson(text)

/** The first problem of `value` as a gate configuration, or null. */
export function checkGateConfig(value: unknown): GateConfigProblem | null {
  return checkDocument(value, nativeCheck)
}

/** `value` as a gate configuration, or a `GamesaError` INVALID_GATE with the problem's `path`. */
export function validateGateConfig(value: unknown): GateConfig {
  return validateDocument<GateConfig>(value, nativeCheck, 'INVALID_GATE')
}

/** Parses JSON text and validates it; malformed JSON is reported at `$`. */
export function parseGateConfig(text: string): GateConfig {
  return parseDocument<GateConfig>(text, nativeCheck, 'INVALID_GATE')
}

/** Why `source` is not a variable template (only `{target}` may use braces), or null. */
export function templateProblem(source: string): string | null {
  return variableTemplateProblem(source)
}
