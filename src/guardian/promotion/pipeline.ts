// The promotion pipeline: validate → shadow → evaluate → promote, in that order, each step
// audited; the first step that fails rejects the proposal with its reasons, and nothing is
// written. A proposal is never trusted, only tested: whoever wrote it (the generator, a
// language model, a person), it goes through the same steps.
import { readFileSync } from 'node:fs'
import { documentText } from '../../features.js'
import { type ProposalProblem } from '../proposals/apply.js'
import { configSha256, validateProposal } from '../proposals/validate.js'
import { PromotionAudit } from './audit.js'
import { type Evaluation, evaluateProposal } from './evaluate.js'
import { promoteFile } from './history.js'
import { type MeasureProgress, measureConfig } from './measure.js'
import { DEFAULT_REWARD_WEIGHTS, type RewardWeights } from './reward.js'
import { type VariantOptions, scenarioVariants } from './scenarios.js'
import { type ShadowResult, runShadow } from './shadow.js'

/** The seeds a proposal is evaluated on unless told otherwise. */
export const DEFAULT_EVALUATION_SEEDS: readonly number[] = Object.freeze([1, 2, 3, 4])

/** Options of the pipeline. */
export interface PipelineOptions extends VariantOptions {
  /** A person allows loosening gate limits, contracts or the safety domain. */
  allowLoosen?: boolean
  /** Least relative reward improvement the confidence bound must clear (default 0.01). */
  margin?: number
  weights?: RewardWeights
  /** Recorded traces to shadow the proposed rules on. */
  traces?: readonly string[]
  /** Compare the backtest suite's table (default true). */
  table?: boolean
  /** Progress of the simulator runs, by step. */
  onProgress?: (step: 'measure' | 'shadow' | 'evaluate', ...rest: Parameters<MeasureProgress>) => void
}

/** What the pipeline decided, and why, step by step. */
export interface PipelineReport {
  proposalId: string | null
  /** Whether every step passed. */
  wins: boolean
  /** The step that failed, when one did. */
  failedStep?: 'validate' | 'shadow' | 'evaluate'
  /** Every reason it was rejected, each with the step that gave it. */
  reasons: { step: 'validate' | 'shadow' | 'evaluate'; path?: string; message: string }[]
  activeSha256: string
  proposedSha256?: string
  validation: { problems: ProposalProblem[]; loosenings: ProposalProblem[] }
  shadow?: Omit<ShadowResult, 'config'>
  evaluation?: Evaluation
}

/** The pipeline's verdict and the configuration it would write. */
export interface PipelineOutcome {
  report: PipelineReport
  /** The proposed configuration's text, when the proposal wins. */
  proposedConfig?: string
  /** The shadowed configuration, for a live shadow run (`gamesa run --config`). */
  shadowConfig?: string
}

/**
 * Runs validate → shadow → evaluate for `proposal` against `activeConfig` (text or object).
 * `audit` records each step. Writes nothing: {@link promote} does, when the proposal wins.
 */
export function judgeProposal(proposal: unknown, activeConfig: unknown, options: PipelineOptions = {}, audit?: PromotionAudit): PipelineOutcome {
  const activeText = documentText(activeConfig, 'activeConfig')
  const validation = validateProposal(proposal, activeText, { allowLoosen: options.allowLoosen === true })
  const proposalId = validation.proposal?.id ?? idOf(proposal)
  const report: PipelineReport = {
    proposalId,
    wins: false,
    reasons: [],
    activeSha256: configSha256(activeText),
    validation: { problems: validation.problems, loosenings: validation.loosenings },
  }
  const id = proposalId ?? '(no id)'
  audit?.step('validate', validation.valid ? 'pass' : 'fail', id, report.validation)
  if (!validation.valid || !validation.proposal || !validation.proposedConfig) {
    report.failedStep = 'validate'
    report.reasons = validation.problems.map((p) => ({ step: 'validate', path: p.path, message: p.message }))
    return { report }
  }
  report.proposedSha256 = configSha256(validation.proposedConfig)

  const variantOptions: VariantOptions = {
    ...(options.scenarios ? { scenarios: options.scenarios } : {}),
    seeds: options.seeds ?? DEFAULT_EVALUATION_SEEDS,
    ...(options.maxDurationS === undefined ? {} : { maxDurationS: options.maxDurationS }),
  }
  const variants = scenarioVariants(variantOptions)
  const weights = options.weights ?? DEFAULT_REWARD_WEIGHTS
  const progress = (step: 'measure' | 'shadow' | 'evaluate'): MeasureProgress | undefined =>
    options.onProgress && ((done, total, label) => options.onProgress!(step, done, total, label))
  const activeMeasures = measureConfig(activeText, variants, weights, progress('measure'))

  const active = JSON.parse(activeText) as Record<string, unknown>
  const proposed = JSON.parse(validation.proposedConfig) as Record<string, unknown>
  const shadow = runShadow(active, validation.proposal, proposed, variants, {
    activeMeasures,
    ...(options.traces ? { traces: options.traces } : {}),
    ...(progress('shadow') ? { onProgress: progress('shadow')! } : {}),
  })
  const { config: shadowConfig, ...shadowReport } = shadow
  report.shadow = shadowReport
  audit?.step('shadow', shadow.passed ? 'pass' : 'fail', id, shadowReport)
  if (!shadow.passed) {
    report.failedStep = 'shadow'
    report.reasons = shadow.reasons.map((message) => ({ step: 'shadow', message }))
    return { report, shadowConfig }
  }

  const evaluation = evaluateProposal(activeText, validation.proposedConfig, {
    ...variantOptions,
    weights,
    activeMeasures,
    ...(options.margin === undefined ? {} : { margin: options.margin }),
    ...(options.table === undefined ? {} : { table: options.table }),
    ...(progress('evaluate') ? { onProgress: progress('evaluate')! } : {}),
  })
  report.evaluation = evaluation
  audit?.step('evaluate', evaluation.wins ? 'pass' : 'fail', id, evaluation)
  if (!evaluation.wins) {
    report.failedStep = 'evaluate'
    report.reasons = evaluation.reasons.map((message) => ({ step: 'evaluate', message }))
    return { report, shadowConfig }
  }
  report.wins = true
  return { report, proposedConfig: validation.proposedConfig, shadowConfig }
}

function idOf(proposal: unknown): string | null {
  let value = proposal
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value)
    } catch {
      return null
    }
  }
  const id = typeof value === 'object' && value !== null ? (value as { id?: unknown }).id : undefined
  return typeof id === 'string' && id.length > 0 ? id.slice(0, 128) : null
}

/** What {@link promote} did. */
export interface PromotionResult extends PipelineOutcome {
  promoted: boolean
  /** The history entry of the promotion, when it was promoted. */
  historySeq?: number
}

/** Options of {@link promote}. */
export interface PromoteOptions extends PipelineOptions {
  /** The audit file (default `<config>.audit.ndjson`, beside the configuration). */
  auditPath?: string
}

/**
 * The whole pipeline on the configuration file `configPath`: judged, then — only when it wins —
 * the new configuration written (the previous one kept for rollback), every step audited.
 */
export function promote(proposal: unknown, configPath: string, options: PromoteOptions = {}): PromotionResult {
  const activeText = readFileSync(configPath, 'utf8')
  const audit = new PromotionAudit(options.auditPath ?? `${configPath}.audit.ndjson`)
  try {
    const outcome = judgeProposal(proposal, activeText, options, audit)
    const id = outcome.report.proposalId ?? '(no id)'
    if (!outcome.report.wins || outcome.proposedConfig === undefined) {
      audit.step('reject', 'done', id, outcome.report.reasons)
      return { ...outcome, promoted: false }
    }
    audit.requireWrite(configPath)
    const entry = promoteFile(configPath, activeText, outcome.proposedConfig, id, outcome.report)
    audit.step('promote', 'done', id, { historySeq: entry.seq, sha256: entry.writtenSha256 })
    return { ...outcome, promoted: true, historySeq: entry.seq }
  } finally {
    audit.close()
  }
}
