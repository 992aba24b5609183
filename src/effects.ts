// TypeScript layer of the effect checker. Everything that decides or verifies is native (see
// index.d.ts: `EffectChecker`, `createDefaultChecker`, `verifyAuditNdjson`,
// `verifyAuditFile`, `defaultGrants`, the `Effect` and `AuditDecision` enums); this
// file only adds types and a narrowing helper. Time: every native method that takes an
// optional `nowMs` uses `Date.now()` (the system clock in ms since the epoch) when it is left
// out; pass it explicitly for replay and tests.
import type { Effect } from '../index.js'
import { GamesaError, GamesaErrorCode } from './errors.js'

/** The string value of an {@link Effect}, e.g. `'cpu_control'` (for configs written as JSON). */
export type EffectName = `${Effect}`

/** A JSON-decoded line of an audit NDJSON export or file: the canonical snake_case record. */
export interface AuditRecordLine {
  seq: number
  time_ms: number
  agent: string
  decision: 'allowed' | 'denied' | 'granted' | 'revoked' | 'approved' | 'rejected'
  effect: EffectName | null
  target: string | null
  reason: string
  prev_hash: string
  hash: string
}

/** The error `EffectChecker.require` throws when no grant covers the request. */
export type CapabilityDeniedError = GamesaError & { code: typeof GamesaErrorCode.CapabilityDenied }

/** Narrows `e` to the `CAPABILITY_DENIED` error of `EffectChecker.require`. */
export function isCapabilityDenied(e: unknown): e is CapabilityDeniedError {
  return e instanceof GamesaError && e.code === GamesaErrorCode.CapabilityDenied
}
