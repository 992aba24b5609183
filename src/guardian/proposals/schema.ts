// The policy proposal document (samples/policy_proposal.json, schemas/policy_proposal.schema.json):
// its structure only, in zod. What a proposal means — that its diffs apply to the active engine
// configuration, that the result compiles, that it loosens nothing it may not — is checked by
// validateProposal (./validate.ts), which asks the native core for everything expressions and
// configurations need.
//
// Every author writes the same document: the generator (`gamesa learn`), a language model
// (`gamesa reflect --llm`, constrained by the generated JSON Schema) or a person.
import { z } from 'zod'
import { ContractSchema } from '../../contracts.js'
import { actionKindSchema } from '../../gate.js'
import { MicroInferenceRuleSchema } from '../../rules.js'

/** Who wrote a proposal. Only a person may also pass `--allow-loosen`; the author field does not grant it. */
export const PROPOSAL_AUTHORS = ['generator', 'llm', 'human'] as const
export type ProposalAuthor = (typeof PROPOSAL_AUTHORS)[number]

/** The kinds of change a proposal can make, each one diff against the active configuration. */
export const RULE_DIFF_OPS = ['add_rule', 'remove_rule', 'modify_rule', 'set_bid', 'set_gate', 'set_contract'] as const
export type RuleDiffOp = (typeof RULE_DIFF_OPS)[number]

const ID = /^[A-Za-z0-9_.:-]{1,128}$/

/** A rule as a proposal adds it (the rule document without `$schema`). */
const ProposedRuleSchema = MicroInferenceRuleSchema.omit({ $schema: true })

/** The fields of a rule a `modify_rule` may set; `null` removes an optional one (hysteresis, emitsSignal, description). */
const RuleFieldsSchema = ProposedRuleSchema.omit({ id: true }).partial()

/** The fields of a gate action kind a `set_gate` may set; `null` removes an optional one. */
const GateFieldsSchema = actionKindSchema.partial()

const AddRuleSchema = z.strictObject({
  op: z.literal('add_rule'),
  rule: ProposedRuleSchema.describe('The new rule; its id must not be in use.'),
})

const RemoveRuleSchema = z.strictObject({
  op: z.literal('remove_rule'),
  ruleId: z.string().regex(ID).describe('The id of an existing rule.'),
})

const ModifyRuleSchema = z.strictObject({
  op: z.literal('modify_rule'),
  ruleId: z.string().regex(ID).describe('The id of an existing rule.'),
  set: RuleFieldsSchema.describe('The fields to replace (when, cooldownMs, hysteresis, action, …); the others stay.'),
})

const SetBidSchema = z.strictObject({
  op: z.literal('set_bid'),
  agent: z.string().describe('The id of an existing agent.'),
  bid: z.number().int().min(0).describe("The bid's index in the agent's bids."),
  amount: z.union([z.number(), z.string()]).optional().describe('The new amount: a number or an expression.'),
  maxUnitPrice: z.number().optional().describe('The new valuation: most credits paid per unit.'),
})

const SetGateSchema = z.strictObject({
  op: z.literal('set_gate'),
  kind: z.string().describe('An action kind of the gate.'),
  set: GateFieldsSchema.describe('The limits to replace; a looser one needs a person to allow it.'),
})

const SetContractSchema = z.strictObject({
  op: z.literal('set_contract'),
  contract: ContractSchema.omit({ $schema: true }).describe('A contract, replacing the one of the same name or added.'),
})

/** One change to the active configuration. */
export const RuleDiffSchema = z.discriminatedUnion('op', [
  AddRuleSchema,
  RemoveRuleSchema,
  ModifyRuleSchema,
  SetBidSchema,
  SetGateSchema,
  SetContractSchema,
])

/** One piece of evidence for the expected effect. */
export const EvidenceSchema = z.strictObject({
  source: z
    .enum(['simulation', 'experience', 'audit', 'reasoning'])
    .describe('Where it comes from: simulator runs, recorded experience, the audit trail, or argument alone.'),
  description: z.string().min(1).describe('What was observed, in words.'),
  scenarios: z.array(z.string()).optional().describe('Simulator scenarios it was measured on.'),
  seeds: z.array(z.number().int().min(0)).optional().describe('Scenario seeds it was measured on.'),
  metric: z.string().optional().describe('The measure, e.g. reward or priorityDeadlineMisses.'),
  before: z.number().optional().describe('Its value under the active configuration.'),
  after: z.number().optional().describe('Its value under the proposal.'),
})

/** The policy proposal document. */
export const PolicyProposalSchema = z.strictObject({
  $schema: z.string().optional().describe('The JSON Schema of this file, for editors.'),
  id: z.string().regex(ID).describe('Unique name of the proposal: letters, digits and _ . : -, at most 128 characters.'),
  author: z.enum(PROPOSAL_AUTHORS).describe('Who wrote it: the generator, a language model, or a person.'),
  rationale: z.string().min(1).describe('Why this change should help, in words.'),
  base: z
    .strictObject({
      configSha256: z
        .string()
        .regex(/^[0-9a-f]{64}$/)
        .describe('SHA-256 of the engine configuration file the proposal was made against, hex.'),
    })
    .optional()
    .describe('The configuration it was made against; a proposal for another configuration is refused.'),
  change: z.array(RuleDiffSchema).min(1).max(64).describe('The change, as diffs applied in order to the active configuration.'),
  expectedEffect: z
    .strictObject({
      summary: z.string().min(1).describe('What should improve, and by how much.'),
      rewardDelta: z.number().optional().describe('Expected change of the mean reward per scenario run (relative, 0.1 = +10 %).'),
      evidence: z.array(EvidenceSchema).min(1).describe('What the expectation rests on.'),
    })
    .describe('The expected effect, with its evidence.'),
  confidence: z.number().min(0).max(1).describe("The author's confidence that the effect holds, 0..1."),
})

/** A policy proposal, as written in JSON. */
export type PolicyProposal = z.infer<typeof PolicyProposalSchema>
/** One diff of a proposal's change. */
export type RuleDiff = z.infer<typeof RuleDiffSchema>
/** One piece of evidence. */
export type ProposalEvidence = z.infer<typeof EvidenceSchema>

/** The JSON Schema of a proposal (draft-07), e.g. to constrain a language model's output. */
export function proposalJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(PolicyProposalSchema, { target: 'draft-07', io: 'input' }) as Record<string, unknown>
}
