// What every configuration document of the TypeScript layer shares: JSON paths as the core
// prints them, the text of a document given as a value, and the check → validate → parse steps
// over a native checker. The rules of each document exist once, in the Rust core; this file
// only carries a document there and its first problem back.
import { GamesaError, type GamesaErrorCode } from './errors.js'

/** A problem of a document: its JSON path (`$` for malformed JSON) and what is wrong. */
export interface PathProblem {
  path: string
  message: string
}

/** A native checker: the first problem of a document's JSON text, or null when it is valid. */
export type NativeCheck = (text: string) => PathProblem | null

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/

/** `$`, then `.key` (or `["key"]` when the key is not an identifier) and `[index]`, as in Rust. */
export function formatPath(segments: readonly PropertyKey[]): string {
  let out = '$'
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`
    else if (typeof s === 'string') out += IDENTIFIER.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`
    else out += `[${String(s)}]`
  }
  return out
}

/**
 * The path of the first number JSON cannot hold (NaN, ±Infinity) in a document given as a
 * value, or null. `JSON.stringify` writes such a number as `null`, which a configuration reads
 * as "absent, use the default": a NaN would silently become the default instead of an error.
 */
export function nonFinitePath(value: unknown, at: PropertyKey[] = []): PropertyKey[] | null {
  if (typeof value === 'number') return Number.isFinite(value) ? null : at
  if (typeof value !== 'object' || value === null) return null
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return null
  const entries: [PropertyKey, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value)
  for (const [key, child] of entries) {
    const found = nonFinitePath(child, [...at, key])
    if (found !== null) return found
  }
  return null
}

/** The JSON text of a document given as a value, or the problem that keeps it from being JSON. */
export function jsonText(value: unknown): { text: string } | { problem: PathProblem } {
  const bad = nonFinitePath(value)
  if (bad !== null) {
    return { problem: { path: formatPath(bad), message: `must be a finite number, got ${String(valueAt(value, bad))}` } }
  }
  let text: string | undefined
  try {
    text = JSON.stringify(value)
  } catch (cause) {
    // A BigInt or a cycle: not a JSON value.
    return { problem: { path: '$', message: `not a JSON value: ${(cause as Error).message}` } }
  }
  if (text === undefined) return { problem: { path: '$', message: 'not a JSON value' } }
  return { text }
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root
  for (const key of path) node = (node as Record<PropertyKey, unknown>)[key]
  return node
}

/** The first problem of a document given as a value, found by the native checker; null when valid. */
export function checkDocument(value: unknown, check: NativeCheck): PathProblem | null {
  const json = jsonText(value)
  return 'problem' in json ? json.problem : check(json.text)
}

/** Where the JSON parser placed a problem of the text itself (`… at line 3 column 7`). */
const TEXT_POSITION = / at line (\d+) column (\d+)$/

/**
 * A GamesaError for a document problem: the message starts with the path, `err.path` holds it;
 * for a problem of the text itself (malformed JSON, a duplicate key, a number out of range),
 * `err.line` and `err.column` hold where the parser found it.
 */
export function problemError(code: GamesaErrorCode, problem: PathProblem, cause?: unknown): GamesaError {
  const at = TEXT_POSITION.exec(problem.message)
  const position = at === null ? {} : { line: Number(at[1]), column: Number(at[2]) }
  return new GamesaError(code, `${problem.path}: ${problem.message}`, { path: problem.path, cause, ...position })
}

/** `value` when the native checker finds no problem, else a {@link problemError} with `code`. */
export function validateDocument<T>(value: unknown, check: NativeCheck, code: GamesaErrorCode): T {
  const problem = checkDocument(value, check)
  if (problem !== null) throw problemError(code, problem)
  return value as T
}

/**
 * JSON text checked by the native checker (which reads the text itself, so malformed JSON,
 * duplicate keys and out-of-range numbers are named with their place), then parsed.
 */
export function parseDocument<T>(text: string, check: NativeCheck, code: GamesaErrorCode): T {
  const problem = check(text)
  if (problem !== null) throw problemError(code, problem)
  return JSON.parse(text) as T
}
