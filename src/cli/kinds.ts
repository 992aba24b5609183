// The kinds of file `gamesa validate` knows: for each, the JSON Schema file that names it (what
// a file's `$schema` points to), the zod schema it is generated from (scripts/gen-schemas.ts),
// and the full check — structure first (zod: every issue), then, for a well-formed document,
// what only the native side can check (every expression compiled, cross-field rules).
import type { z } from 'zod'
import {
  AllocatorConfigSchema,
  ContractSchema,
  EngineConfigSchema,
  type Features,
  MicroInferenceRuleSchema,
  RuleSetSchema,
  ScalePresetsSchema,
  checkEngineConfig,
  checkFeatures,
  checkRules,
  gateConfigSchema,
  marketDocumentSchema,
  scenarioSchema,
  zodProblems,
} from '../index.js'
import { checkAllocatorConfigJson, checkGateConfigJson, checkMarketDocumentJson, checkScenarioJson, validateContractJson } from '../../index.js'
import { PolicyProposalSchema, validateProposal } from '../guardian/proposals/index.js'
import { type ExperienceConfig, rewardProblems } from '../guardian/experience/reward.js'

/** One problem: a JSON path, a message, and the line and column inside an expression. */
export interface ValidationProblem {
  path: string
  message: string
  line?: number
  column?: number
}

/** What a check may use besides the document. */
export interface CheckContext {
  /** Features rules may read as `feat.<name>` (from `--features`). */
  features?: Features
  /** The active engine configuration's text, which a policy proposal is checked against (from `--config`). */
  config?: string
  /** A person allows a proposal to loosen gate limits, contracts or the safety domain (`--allow-loosen`). */
  allowLoosen?: boolean
}

/** A kind of file, named as `--kind` takes it. */
export interface FileKind {
  kind: string
  /** The generated JSON Schema's file name under schemas/ (what `$schema` ends with). */
  schemaFile: string
  /** The zod schema the JSON Schema is generated from. */
  schema: z.ZodType
  title: string
  description: string
  /** Every problem of a parsed document (`text` is its source), empty when valid. */
  check(value: unknown, text: string, context: CheckContext): ValidationProblem[]
}

/** zod's issues, or — when the structure is sound — the native check's problems. */
function structureThen(schema: z.ZodType, value: unknown, native: () => ValidationProblem[]): ValidationProblem[] {
  const parsed = schema.safeParse(value)
  return parsed.success ? native() : zodProblems(parsed.error.issues)
}

/** Native problems as plain `{path, message, line?, column?}` (dropping extra fields such as `id`). */
function plain(problems: readonly ValidationProblem[]): ValidationProblem[] {
  return problems.map(({ path, message, line, column }) => ({
    path,
    message,
    ...(line === undefined || line === null ? {} : { line }),
    ...(column === undefined || column === null ? {} : { column }),
  }))
}

/** zod's structure issues, or the core's first problem of the document (its rules live there). */
function structureThenFirst(schema: z.ZodType, native: (text: string) => ValidationProblem | null) {
  return (value: unknown, text: string): ValidationProblem[] =>
    structureThen(schema, value, () => {
      const problem = native(text)
      return problem === null ? [] : [problem]
    })
}

const rulesCheck =
  (schema: z.ZodType) =>
  (value: unknown, text: string, context: CheckContext): ValidationProblem[] =>
    structureThen(schema, value, () => plain(checkRules(text, context.features ? { features: context.features } : undefined)))

export const FILE_KINDS: readonly FileKind[] = [
  {
    kind: 'allocator-config',
    schemaFile: 'allocator-config.schema.json',
    schema: AllocatorConfigSchema,
    title: 'GAMESA allocator configuration',
    description: 'One pool per resource with its allocation strategy (docs/architecture.md §2); see samples/allocation_schema.json.',
    check: structureThenFirst(AllocatorConfigSchema, checkAllocatorConfigJson),
  },
  {
    kind: 'rule',
    schemaFile: 'rule.schema.json',
    schema: MicroInferenceRuleSchema,
    title: 'GAMESA MicroInference rule',
    description: 'One rule: when (an expression), action, cooldown, hysteresis, shadow mode; see samples/micro_inference_rule.json.',
    check: rulesCheck(MicroInferenceRuleSchema),
  },
  {
    kind: 'rule-set',
    schemaFile: 'rule-set.schema.json',
    schema: RuleSetSchema,
    title: 'GAMESA rule set',
    description: 'MicroInference rules compiled together against the declared variables: { rules: [...] }.',
    check: rulesCheck(RuleSetSchema),
  },
  {
    kind: 'scale-presets',
    schemaFile: 'scale-presets.schema.json',
    schema: ScalePresetsSchema,
    title: 'GAMESA feature scale presets',
    description: 'α/β/θ presets and the features computed from them each tick into feat.<name>; see samples/scale_presets.json.',
    check: (value, text) => structureThen(ScalePresetsSchema, value, () => plain(checkFeatures(text))),
  },
  {
    kind: 'contract',
    schemaFile: 'contract.schema.json',
    schema: ContractSchema,
    title: 'GAMESA contract',
    description: 'Named preconditions, postconditions and invariants (docs/architecture.md §4); see samples/contracts/ and docs/contracts.md.',
    // The native check reads the text, so a duplicate key is found as in every other kind.
    check: (value, text) => structureThen(ContractSchema, value, () => plain(validateContractJson(text))),
  },
  {
    kind: 'engine',
    schemaFile: 'engine.schema.json',
    schema: EngineConfigSchema,
    title: 'GAMESA engine configuration',
    description:
      'Pools, market, agents, features, rules, contracts, invariants, gate and signal options in one file (docs/engine.md); see samples/engine.json.',
    // zod first (every structure problem), then the engine is built natively: every expression
    // compiled, references between sections (agents, contracts, variables) resolved; then the
    // reward expression, which only the experience store reads.
    check: (value, text) => {
      const problems = plain(checkEngineConfig(text))
      return problems.length > 0 ? problems : plain(rewardProblems(value as ExperienceConfig))
    },
  },
  {
    kind: 'scenario',
    schemaFile: 'scenario.schema.json',
    schema: scenarioSchema,
    title: 'GAMESA backtest scenario',
    description: 'A simulated machine, its workloads and a static baseline for `gamesa backtest`; see samples/scenarios/.',
    check: structureThenFirst(scenarioSchema, checkScenarioJson),
  },
  {
    kind: 'gate-config',
    schemaFile: 'gate-config.schema.json',
    schema: gateConfigSchema,
    title: 'GAMESA ActionGate configuration',
    description: 'Limits per action kind: bounds, step, rate, cooldown, hysteresis, contract (docs/gate.md); the gate section of an engine configuration. See samples/gate/gate.json.',
    check: structureThenFirst(gateConfigSchema, checkGateConfigJson),
  },
  {
    kind: 'market',
    schemaFile: 'market.schema.json',
    schema: marketDocumentSchema,
    title: 'GAMESA market document',
    description: 'Market parameters and agents, { market, agents } as in an engine configuration (docs/market.md); see samples/market_configs/valid/.',
    check: structureThenFirst(marketDocumentSchema, checkMarketDocumentJson),
  },
  {
    kind: 'policy-proposal',
    schemaFile: 'policy_proposal.schema.json',
    schema: PolicyProposalSchema,
    title: 'GAMESA policy proposal',
    description:
      'A proposed change to the active rules, gate limits, contracts or bids, as diffs, with its rationale, expected effect, evidence and confidence (docs/guardian.md); see samples/policy_proposal.json.',
    // Without --config only the structure can be checked; with it, the diffs are applied to that
    // configuration and the result is built natively (docs/guardian.md, validation).
    check: (value, _text, context) =>
      context.config === undefined
        ? structureThen(PolicyProposalSchema, value, () => [])
        : plain(validateProposal(value, context.config, { allowLoosen: context.allowLoosen === true }).problems),
  },
]

/** The kind whose schema file a `$schema` value names (compared by the part after the last `/`). */
export function kindOfSchemaRef(ref: string): FileKind | undefined {
  const file = ref.slice(ref.lastIndexOf('/') + 1)
  return FILE_KINDS.find((k) => k.schemaFile === file)
}

/** The kind of this `--kind` name. */
export function kindNamed(name: string): FileKind | undefined {
  return FILE_KINDS.find((k) => k.kind === name)
}
