// The tunable parameters of an engine configuration, as the generator sees them: the numbers a
// person would tune by hand, each with where it lives and how to write a new value back.
//
// - every numeric literal in the `when` and `hysteresis.releaseWhen` of an active rule outside
//   the safety domain (thresholds and hysteresis bands);
// - each such rule's `cooldownMs`, and the numbers among its action's `params`;
// - every agent bid's `maxUnitPrice` (its valuation) and numeric `amount`.
//
// Safety-domain rules, gate limits and contracts are never parameters: the generator may not
// loosen them (only a person may), so it does not touch them at all.
import type { RuleDiff } from '../proposals/schema.js'

type Json = Record<string, unknown>

/** One tunable number. */
export interface Parameter {
  /** Stable name, e.g. `rule:priority_frames_late:when#0`. */
  name: string
  value: number
  /** Whether it must stay a whole number (cooldowns, integer literals). */
  integer: boolean
  /** Lowest value it may take (thresholds of a 0..1 rate stay within [0, 1]). */
  min: number
  max: number
  /** For a threshold: the variable it is compared with (`wl.priority.deadline_miss_rate`). */
  variable?: string
}

// A CEL numeric literal: digits, optional fraction, optional exponent; not part of a name (gpu0).
const LITERAL = /(?<![A-Za-z0-9_.])(\d+\.\d*(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+|\d+)(?![A-Za-z0-9_.])/g

/** The numeric literals of an expression, in order, with their positions. */
export function literalsOf(expr: string): { index: number; text: string; value: number; integer: boolean }[] {
  return [...expr.matchAll(LITERAL)].map((m) => ({ index: m.index, text: m[1]!, value: Number(m[1]), integer: !/[.eE]/.test(m[1]!) }))
}

/** `expr` with its `k`-th numeric literal replaced by `value`, written as the same kind of literal. */
export function replaceLiteral(expr: string, k: number, value: number): string {
  const lit = literalsOf(expr)[k]
  if (!lit) return expr
  return expr.slice(0, lit.index) + formatLiteral(value, lit.integer) + expr.slice(lit.index + lit.text.length)
}

/** A CEL literal of `value`: an int stays an int; a double always carries a `.` or an exponent. */
export function formatLiteral(value: number, integer: boolean): string {
  if (integer) return String(Math.max(0, Math.round(value)))
  const text = String(Number(value.toPrecision(6)))
  return /[.eE]/.test(text) ? text : `${text}.0`
}

const isRule = (r: unknown): r is Json => typeof r === 'object' && r !== null
const rateLike = (expr: string, index: number) => /(rate|util|_frac|pressure|lateness)\s*[<>]=?\s*$/.test(expr.slice(0, index))
/** The variable a literal is compared with, when the literal is the right side of a comparison. */
const comparedWith = (expr: string, index: number) => /([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*(?:<=|>=|<|>|==|!=)\s*$/.exec(expr.slice(0, index))?.[1]

/** Every tunable parameter of `config`, in a fixed order (rules, then agents, as in the file). */
export function parametersOf(config: Json): Parameter[] {
  const out: Parameter[] = []
  for (const rule of ((config.rules as unknown[] | undefined) ?? []).filter(isRule)) {
    // Shadow rules never act, so tuning them cannot change an outcome.
    if (rule.domain === 'safety' || rule.mode === 'shadow') continue
    const id = String(rule.id)
    const exprs: [string, string | undefined][] = [
      ['when', rule.when as string | undefined],
      ['release', (rule.hysteresis as Json | null | undefined)?.releaseWhen as string | undefined],
    ]
    for (const [where, expr] of exprs) {
      if (typeof expr !== 'string') continue
      literalsOf(expr).forEach((lit, k) => {
        const max = rateLike(expr, lit.index) ? 1 : Number.MAX_SAFE_INTEGER
        const variable = comparedWith(expr, lit.index)
        out.push({ name: `rule:${id}:${where}#${k}`, value: lit.value, integer: lit.integer, min: 0, max, ...(variable ? { variable } : {}) })
      })
    }
    out.push({ name: `rule:${id}:cooldownMs`, value: Number(rule.cooldownMs ?? 0), integer: true, min: 0, max: 600_000 })
    const params = ((rule.action as Json | undefined)?.params ?? {}) as Json
    for (const [key, v] of Object.entries(params)) {
      if (typeof v === 'number') out.push({ name: `rule:${id}:param:${key}`, value: v, integer: Number.isInteger(v) && Math.abs(v) >= 1, min: -1e9, max: 1e9 })
    }
  }
  for (const agent of ((config.agents as unknown[] | undefined) ?? []).filter(isRule)) {
    ;((agent.bids as unknown[] | undefined) ?? []).filter(isRule).forEach((bid, j) => {
      out.push({ name: `bid:${String(agent.id)}:${j}:maxUnitPrice`, value: Number(bid.maxUnitPrice), integer: false, min: 1e-9, max: 1e6 })
      if (typeof bid.amount === 'number') out.push({ name: `bid:${String(agent.id)}:${j}:amount`, value: bid.amount, integer: false, min: 0, max: 1e9 })
    })
  }
  return out
}

/** The diff that sets parameter `name` of `config` to `value`. */
export function diffFor(config: Json, name: string, value: number): RuleDiff {
  const [kind, owner, ...rest] = name.split(':')
  if (kind === 'bid') {
    const [index, field] = rest
    const bid = { op: 'set_bid' as const, agent: owner!, bid: Number(index) }
    return field === 'amount' ? { ...bid, amount: value } : { ...bid, maxUnitPrice: value }
  }
  const rule = ((config.rules as Json[] | undefined) ?? []).find((r) => r.id === owner)!
  const what = rest.join(':')
  if (what === 'cooldownMs') return { op: 'modify_rule', ruleId: owner!, set: { cooldownMs: Math.round(value) } }
  if (what.startsWith('param:')) {
    const params = { ...((rule.action as Json).params as Json), [what.slice(6)]: value }
    return { op: 'modify_rule', ruleId: owner!, set: { action: { ...(rule.action as { kind: string; target: string }), params: params as Record<string, number> } } }
  }
  const [where, k] = what.split('#')
  if (where === 'when') return { op: 'modify_rule', ruleId: owner!, set: { when: replaceLiteral(String(rule.when), Number(k), value) } }
  const hysteresis = rule.hysteresis as { releaseWhen: string }
  return { op: 'modify_rule', ruleId: owner!, set: { hysteresis: { releaseWhen: replaceLiteral(hysteresis.releaseWhen, Number(k), value) } } }
}
