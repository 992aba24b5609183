// Option objects are checked as configuration files are: a key the receiver does not know is an
// error naming it, so a misspelt option (`{ capacty: 8 }`) is not silently the default.
import { GamesaError, type GamesaErrorCode } from './errors.js'

/**
 * Throws `code` (with `path` `$.<key>`) for the first own key of `options` not in `known`, or
 * when `options` is given but is not a plain object. `what` names the options in the message.
 */
export function rejectUnknownOptions(options: unknown, known: readonly string[], what: string, code: GamesaErrorCode = 'INVALID_CONFIG'): void {
  if (options === undefined || options === null) return
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new GamesaError(code, `${what} must be an object, got ${Array.isArray(options) ? 'an array' : typeof options}`, { path: '$' })
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new GamesaError(code, `${what}: unknown option \`${key}\` (known: ${known.join(', ')})`, { path: `$.${key}` })
    }
  }
}

/** `value` as a count (a whole number from 0 to 2^32 − 1), or `INVALID_ARGUMENT` naming it. */
export function checkCount(value: unknown, name: string): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xffff_ffff) return value
  throw new GamesaError('INVALID_ARGUMENT', `${name} must be a whole number from 0 to 4294967295, got ${typeof value === 'number' ? value : typeof value}`)
}
