// validateProposal: the first step of promotion. A proposal is valid when its structure holds
// (zod), it was made against this configuration (when it says which), every diff applies to the
// active configuration, the configuration it makes is one the native engine builds (every
// expression compiled, every reference resolved: checkEngineConfig), it changes something, and
// it loosens no gate limit, contract or safety rule unless a person allowed it. Every problem is
// reported, each with its JSON path in the proposal (and line and column inside an expression).
import { createHash } from 'node:crypto'
import { checkEngineConfig } from '../../engine.js'
import { zodProblems } from '../../contracts.js'
import { DocumentProblemsError, documentText } from '../../features.js'
import { type ProposalProblem, applyChange, proposalPathOf } from './apply.js'
import { looseningsOf } from './loosening.js'
import { type PolicyProposal, PolicyProposalSchema } from './schema.js'

/** Options of {@link validateProposal}. */
export interface ValidateProposalOptions {
  /** A person allows the proposal to loosen gate limits, contracts or the safety domain (default false). */
  allowLoosen?: boolean
}

/** The verdict on a proposal. */
export interface ProposalValidation {
  valid: boolean
  /** Every problem, in the order the checks ran (structure, base, apply, compile, loosening). */
  problems: ProposalProblem[]
  /** The loosenings found (also among `problems` unless they were allowed). */
  loosenings: ProposalProblem[]
  /** The proposal, parsed, when its structure holds. */
  proposal?: PolicyProposal
  /** The configuration it would make active, as JSON text, when every diff applied. */
  proposedConfig?: string
}

/** SHA-256 of a configuration's text, hex: what `base.configSha256` names. */
export function configSha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex')
}

/**
 * Checks `proposal` (a parsed document or its JSON text) against `activeConfig` (an engine
 * configuration object or its JSON text). The active configuration must itself be valid:
 * otherwise `GamesaError('INVALID_ENGINE_CONFIG')` is thrown, since no proposal can be judged
 * against it.
 */
export function validateProposal(proposal: unknown, activeConfig: unknown, options: ValidateProposalOptions = {}): ProposalValidation {
  const activeText = documentText(activeConfig, 'activeConfig')
  const activeProblems = checkEngineConfig(activeText)
  if (activeProblems.length > 0) {
    const list = activeProblems.map((p) => `${p.path}: ${p.message}`).join('; ')
    throw new DocumentProblemsError('INVALID_ENGINE_CONFIG', `the active configuration is invalid: ${list}`, activeProblems)
  }
  const active = JSON.parse(activeText) as Record<string, unknown>

  let value = proposal
  if (typeof proposal === 'string') {
    try {
      value = JSON.parse(proposal)
    } catch (e) {
      return invalid([{ path: '$', message: `malformed JSON: ${(e as Error).message}`, check: 'json' }])
    }
  }
  const parsed = PolicyProposalSchema.safeParse(value)
  if (!parsed.success) return invalid(zodProblems(parsed.error.issues).map((p) => ({ ...p, check: 'schema' as const })))
  const doc = parsed.data

  const problems: ProposalProblem[] = []
  if (doc.base && doc.base.configSha256 !== configSha256(activeText)) {
    problems.push({
      path: '$.base.configSha256',
      message: `the proposal was made against another configuration (${doc.base.configSha256.slice(0, 12)}…, the active one is ${configSha256(activeText).slice(0, 12)}…)`,
      check: 'base',
    })
  }
  const applied = applyChange(active, doc.change)
  problems.push(...applied.problems)
  if (applied.problems.length > 0) return { valid: false, problems, loosenings: [], proposal: doc }

  const proposedConfig = JSON.stringify(applied.config, null, 2)
  for (const p of checkEngineConfig(proposedConfig)) {
    const at = proposalPathOf(p.path, applied.provenance)
    problems.push({
      path: at ?? '$.change',
      message: at === null ? `the configuration it makes is invalid at ${p.path}: ${p.message}` : p.message,
      ...(p.line == null ? {} : { line: p.line }),
      ...(p.column == null ? {} : { column: p.column }),
      check: 'compile',
    })
  }
  if (JSON.stringify(applied.config) === JSON.stringify(active)) {
    problems.push({ path: '$.change', message: 'changes nothing: the configuration it makes is the active one', check: 'apply' })
  }
  const loosenings = looseningsOf(active, doc.change)
  if (!options.allowLoosen) {
    problems.push(...loosenings.map((p) => ({ ...p, message: `${p.message}; only a person may allow that (--allow-loosen)` })))
  }
  return { valid: problems.length === 0, problems, loosenings, proposal: doc, proposedConfig }
}

function invalid(problems: ProposalProblem[]): ProposalValidation {
  return { valid: false, problems, loosenings: [] }
}

/** The validation's problems as one `GamesaError('INVALID_PROPOSAL')` (with `problems`), or nothing when it is valid. */
export function assertValidProposal(validation: ProposalValidation): asserts validation is ProposalValidation & { proposal: PolicyProposal; proposedConfig: string } {
  if (validation.valid) return
  const list = validation.problems.map((p) => `${p.path}: ${p.message}`).join('; ')
  throw new DocumentProblemsError('INVALID_PROPOSAL', `invalid proposal: ${list}`, validation.problems)
}
