// What every JSON document checker of the TypeScript layer shares with its Rust twin: JSON
// paths as Rust prints them, the first structural problem in serde's walk order (so zod and
// serde name the same path), and the check → validate → parse steps with GamesaErrors that
// carry the path. The allocator, gate, market and scenario documents all use these.
import type { z } from 'zod'
import { GamesaError, type GamesaErrorCode } from './errors.js'

/** A problem of a document: its JSON path (`$` for malformed JSON) and what is wrong. */
export interface PathProblem {
  path: string
  message: string
}

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

/** Inverse of {@link formatPath}: a path string back to zod path segments. */
export function pathSegments(path: string): (string | number)[] {
  const segments: (string | number)[] = []
  const re = /\.([A-Za-z_$][A-Za-z0-9_$]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/g
  for (const m of path.slice(1).matchAll(re)) {
    if (m[1] !== undefined) segments.push(m[1])
    else if (m[2] !== undefined) segments.push(Number(m[2]))
    else segments.push(JSON.parse(m[3]!) as string)
  }
  return segments
}

/** A problem at a zod path, before it is chosen and formatted. */
export interface Candidate {
  path: PropertyKey[]
  message: string
}

/** A zod issue as serde names it: zod reports unknown keys at their object, serde at the key. */
export function issueCandidates(issue: z.core.$ZodIssue): Candidate[] {
  return issue.code === 'unrecognized_keys'
    ? issue.keys.map((key) => ({ path: [...issue.path, key], message: `unknown field \`${key}\`` }))
    : [{ path: [...issue.path], message: issue.message }]
}

/** JavaScript's string order (UTF-16 code units). */
const codeUnitOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/**
 * The candidate serde meets first. serde stops at its first error while walking the parsed
 * JSON: object keys in sorted order (serde_json's map is a `BTreeMap`), recursing into each
 * value, and a missing field only once every present key of its object is done. zod reports
 * every issue; the first in that walk is the one kept. `Array.prototype.sort` is stable, so
 * issues serde would meet at the same point keep zod's order (the struct's declaration order,
 * as serde's missing-field check). `compareKeys` orders two present keys of one object.
 */
export function firstInWalkOrder<C extends Candidate>(
  candidates: readonly C[],
  root: unknown,
  compareKeys: (a: string, b: string) => number = codeUnitOrder,
): C | undefined {
  return [...candidates].sort((a, b) => compareInWalkOrder(a.path, b.path, root, compareKeys))[0]
}

/** {@link firstInWalkOrder} over zod's issues, formatted. */
export function firstStructuralProblem(issues: readonly z.core.$ZodIssue[], root: unknown): PathProblem {
  const first = firstInWalkOrder(issues.flatMap(issueCandidates), root)!
  return { path: formatPath(first.path), message: first.message }
}

function compareInWalkOrder(
  a: readonly PropertyKey[],
  b: readonly PropertyKey[],
  root: unknown,
  compareKeys: (a: string, b: string) => number,
): number {
  let node: unknown = root
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i]!
    const y = b[i]!
    if (x !== y) {
      if (typeof x === 'number' && typeof y === 'number') return x - y
      const xPresent = isPresent(node, x)
      const yPresent = isPresent(node, y)
      if (xPresent !== yPresent) return xPresent ? -1 : 1
      if (!xPresent) return 0
      return compareKeys(String(x), String(y))
    }
    node = isPresent(node, x) ? (node as Record<PropertyKey, unknown>)[x] : undefined
  }
  return 0
}

/** The value at `path` in the parsed JSON, or undefined where it has none. */
export function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root
  for (const key of path) node = isPresent(node, key) ? (node as Record<PropertyKey, unknown>)[key] : undefined
  return node
}

/** Whether the parsed JSON has this key (a JSON document never holds `undefined`). */
function isPresent(node: unknown, key: PropertyKey): boolean {
  return typeof node === 'object' && node !== null && Object.hasOwn(node, key) && (node as Record<PropertyKey, unknown>)[key] !== undefined
}

/** Adds `problem` (a path from `$`, relative to the schema's own value) to zod's issues. */
export function addProblem(ctx: z.RefinementCtx, problem: PathProblem | null): void {
  if (problem !== null) ctx.addIssue({ code: 'custom', message: problem.message, path: pathSegments(problem.path) })
}

/** A GamesaError for a document problem: the message starts with the path, `err.path` holds it. */
export function problemError(code: GamesaErrorCode, problem: PathProblem, cause?: unknown): GamesaError {
  return new GamesaError(code, `${problem.path}: ${problem.message}`, { path: problem.path, cause })
}

/** `value` if `check` finds no problem, else a {@link problemError} with `code`. */
export function validated<T>(value: unknown, check: (value: unknown) => PathProblem | null, code: GamesaErrorCode): T {
  const problem = check(value)
  if (problem !== null) throw problemError(code, problem)
  return value as T
}

/** `JSON.parse(text)`; malformed JSON is a {@link problemError} at `$`. */
export function parseJson(text: string, code: GamesaErrorCode): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch (cause) {
    throw problemError(code, { path: '$', message: `malformed JSON: ${(cause as Error).message}` }, cause)
  }
}
