// Every step of promotion in the hash-chained audit trail (the same file format and chain as
// every other GAMESA decision; `verifyAuditFile` checks it). The promotion acts as the agent
// `guardian.promotion`, holding the `policy_write` capability; each step is one capability check
// whose target names the step, its verdict, the proposal and the SHA-256 (first 16 hex digits)
// of the step's full report, which is kept beside the configuration's history. Writing a
// configuration is a `require` of that capability: without it, nothing is written.
import { createHash } from 'node:crypto'
import { EffectChecker } from '../../api.js'
import { Effect } from '../../../index.js'

export const PROMOTION_AGENT = 'guardian.promotion'

/** A promotion step as it is audited. */
export type PromotionStep = 'validate' | 'shadow' | 'evaluate' | 'promote' | 'reject' | 'rollback'

/** The audit trail of promotions, appended to `path`. */
export class PromotionAudit {
  readonly #checker: EffectChecker

  constructor(path: string, nowMs?: number) {
    this.#checker = new EffectChecker({ auditPath: path })
    this.#checker.grant(PROMOTION_AGENT, [Effect.PolicyWrite], nowMs === undefined ? {} : { nowMs })
  }

  /** Audits one step; returns the record's seq. */
  step(step: PromotionStep, verdict: 'pass' | 'fail' | 'done', proposalId: string, report: unknown, nowMs?: number): number {
    const digest = createHash('sha256').update(JSON.stringify(report)).digest('hex').slice(0, 16)
    const target = `${step}:${verdict}:${proposalId}:${digest}`
    return this.#checker.check(PROMOTION_AGENT, Effect.PolicyWrite, target, nowMs).seq
  }

  /** Checks the capability to write the configuration (throws CAPABILITY_DENIED, audited, when it is not held). */
  requireWrite(configName: string, nowMs?: number): void {
    this.#checker.require(PROMOTION_AGENT, Effect.PolicyWrite, `write:${configName}`.slice(0, 256), nowMs)
  }

  close(): void {
    this.#checker.close()
  }
}
