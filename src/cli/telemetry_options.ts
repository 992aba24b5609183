// Option values shared by the commands: rates and durations, checked with messages that name
// the option. Parsing the command line itself is in args.ts.
import { UsageError } from './args.js'

export { UsageError }

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/**
 * Parses a duration such as `500ms`, `60s`, `5m`, `1.5h` into milliseconds. A bare number is
 * seconds. Throws UsageError naming the option for anything else, zero or negative.
 */
export function parseDuration(option: string, text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim())
  if (!m) throw new UsageError(`${option} '${text}' is not a duration (examples: 500ms, 60s, 5m)`)
  const ms = Number(m[1]) * UNIT_MS[m[2] ?? 's']!
  if (!(ms > 0) || !Number.isFinite(ms)) throw new UsageError(`${option} must be greater than zero, got '${text}'`)
  return ms
}

/** The longest delay `setTimeout` keeps: a longer one (about 24.8 days) fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1

/** A timer for any duration: `setTimeout` in steps of at most {@link MAX_TIMER_MS}. */
export class Deadline {
  private timer: NodeJS.Timeout | undefined

  /** Calls `fire` once, `ms` milliseconds from now. */
  constructor(ms: number, fire: () => void) {
    const end = Date.now() + ms
    const arm = () => {
      const left = end - Date.now()
      this.timer = left > MAX_TIMER_MS ? setTimeout(arm, MAX_TIMER_MS) : setTimeout(fire, Math.max(0, left))
    }
    arm()
  }

  /** Cancels the call (idempotent). */
  clear(): void {
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
  }
}

/** Parses a sampling rate in Hz within [min, max]; throws UsageError naming the option. */
export function parseRate(option: string, text: string, min = 0.1, max = 1000): number {
  const rate = /^\d+(\.\d+)?$/.test(text.trim()) ? Number(text) : Number.NaN
  if (!Number.isFinite(rate)) throw new UsageError(`${option} '${text}' is not a number of Hz`)
  if (rate < min || rate > max) throw new UsageError(`${option} must be between ${min} and ${max} Hz, got ${text}`)
  return rate
}
