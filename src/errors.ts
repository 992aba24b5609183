/**
 * Every error GAMESA throws — from the native core or from the TypeScript layer — is a
 * `GamesaError`: an `Error` whose `code` is one of {@link GamesaErrorCode}. The list is the
 * core's (`errorCodes()`, crates/gamesa-core/src/error.rs); a test checks that they agree.
 *
 * Native errors are created by the addon as plain `Error`s with a `code`; `instanceof
 * GamesaError` recognises them too (see `Symbol.hasInstance` below), so callers never need to
 * know which side threw.
 */
export const GamesaErrorCode = {
  InsufficientCapacity: 'INSUFFICIENT_CAPACITY',
  InvalidAmount: 'INVALID_AMOUNT',
  UnknownResource: 'UNKNOWN_RESOURCE',
  UnknownLease: 'UNKNOWN_LEASE',
  DuplicateId: 'DUPLICATE_ID',
  InvalidConfig: 'INVALID_CONFIG',
  InvalidArgument: 'INVALID_ARGUMENT',
  CapabilityDenied: 'CAPABILITY_DENIED',
  AuditCorrupt: 'AUDIT_CORRUPT',
  Io: 'IO_ERROR',
  InternalPanic: 'INTERNAL_PANIC',
  ExprCompile: 'EXPR_COMPILE',
  ExprEval: 'EXPR_EVAL',
  InvalidRule: 'INVALID_RULE',
  InvalidContract: 'INVALID_CONTRACT',
  UnknownContract: 'UNKNOWN_CONTRACT',
  ContractViolation: 'CONTRACT_VIOLATION',
  NeedsTwoReadings: 'NEEDS_TWO_READINGS',
  InvalidGate: 'INVALID_GATE',
  InvalidEngineConfig: 'INVALID_ENGINE_CONFIG',
  InvalidTrace: 'INVALID_TRACE',
  InvalidScenario: 'INVALID_SCENARIO',
  InvalidActuation: 'INVALID_ACTUATION',
  TelemetryMissing: 'TELEMETRY_MISSING',
  TelemetryPermissionDenied: 'TELEMETRY_PERMISSION_DENIED',
  TelemetryUnsupported: 'TELEMETRY_UNSUPPORTED',
  TelemetryMalformed: 'TELEMETRY_MALFORMED',
  TelemetryIo: 'TELEMETRY_IO',
  ActuationUnsupported: 'ACTUATION_UNSUPPORTED',
  JournalCorrupt: 'JOURNAL_CORRUPT',
  JournalLocked: 'JOURNAL_LOCKED',
  AuditLocked: 'AUDIT_LOCKED',
  FileLocked: 'FILE_LOCKED',
  ActuationPermissionDenied: 'ACTUATION_PERMISSION_DENIED',
  UnsupportedPlatform: 'UNSUPPORTED_PLATFORM',
  GamemodeUnavailable: 'GAMEMODE_UNAVAILABLE',
  ExperienceLocked: 'EXPERIENCE_LOCKED',
  ExperienceInvalid: 'EXPERIENCE_INVALID',
  InvalidProposal: 'INVALID_PROPOSAL',
  LlmFailed: 'LLM_FAILED',
} as const
export type GamesaErrorCode = (typeof GamesaErrorCode)[keyof typeof GamesaErrorCode]

const KNOWN_CODES: ReadonlySet<string> = new Set(Object.values(GamesaErrorCode))

export class GamesaError extends Error {
  readonly code: GamesaErrorCode
  /** Where in the input the problem is, when there is one (a JSON path such as `$.pools[2].capacity`). */
  readonly path?: string
  /**
   * 1-based line and column of the problem in the text, where the text itself is at fault
   * (malformed JSON, a duplicate key) and the parser gave them. Expression errors
   * (`ExpressionCompileError`) give them inside the expression.
   */
  readonly line?: number
  readonly column?: number

  constructor(code: GamesaErrorCode, message: string, options?: { path?: string; cause?: unknown; line?: number; column?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'GamesaError'
    this.code = code
    if (options?.path !== undefined) this.path = options.path
    if (options?.line !== undefined) this.line = options.line
    if (options?.column !== undefined) this.column = options.column
  }

  /** True for errors made here and for native errors that carry a known GAMESA code. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (!(value instanceof Error)) return false
    const code: unknown = (value as Error & { code?: unknown }).code
    return typeof code === 'string' && KNOWN_CODES.has(code)
  }
}

/** Narrows `e` to a GamesaError with the given code. */
export function isGamesaError(e: unknown, code?: GamesaErrorCode): e is GamesaError {
  return e instanceof GamesaError && (code === undefined || e.code === code)
}
