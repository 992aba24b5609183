// Which parts of a proposal loosen a protection: a gate limit, a contract, or the safety domain.
// An automatic author (the generator, a language model) may tune what the market values and
// when performance rules fire; it may not widen what the ActionGate lets through, weaken a
// contract, or touch the rules that keep the machine safe. Those need a person's leave
// (`allowLoosen`, the CLI's `--allow-loosen`).
//
// The comparison is conservative: a change counts as loosening unless it is plainly no looser
// (a lower max, a longer cooldown, a contract that keeps every condition). Whether one
// expression is stricter than another is undecidable in general, so a changed expression-valued
// bound or condition counts as loosening.
import type { ProposalProblem } from './apply.js'
import type { RuleDiff } from './schema.js'

type Json = Record<string, unknown>

const SAFETY = 'safety'

/** Every way `change` loosens a protection of `active`, each at its diff's path. */
export function looseningsOf(active: Json, change: readonly RuleDiff[]): ProposalProblem[] {
  const out: ProposalProblem[] = []
  // Diffs apply in order, so each is compared with the configuration as the earlier diffs left it.
  let rules = new Map<string, Json>(((active.rules as Json[] | undefined) ?? []).map((r) => [String(r.id), r]))
  const gate = { ...((active.gate as Json | undefined)?.actions as Json | undefined) } as Record<string, Json>
  const contracts = new Map<string, Json>(((active.contracts as Json[] | undefined) ?? []).map((c) => [String(c.name), c]))
  const loosens = (i: number, at: string, message: string) => out.push({ path: `$.change[${i}]${at}`, message, check: 'loosens' })

  change.forEach((diff, i) => {
    switch (diff.op) {
      case 'add_rule':
        if (diff.rule.domain === SAFETY) loosens(i, '.rule.domain', 'adds a rule in the safety domain (its actions skip the market and pass during an emergency)')
        rules.set(diff.rule.id, diff.rule as Json)
        return
      case 'remove_rule': {
        const old = rules.get(diff.ruleId)
        if (old?.domain === SAFETY) loosens(i, '.ruleId', `removes the safety rule \`${diff.ruleId}\``)
        rules = new Map([...rules].filter(([id]) => id !== diff.ruleId))
        return
      }
      case 'modify_rule': {
        const old = rules.get(diff.ruleId)
        if (!old) return
        const next = { ...old, ...diff.set } as Json
        if (old.domain === SAFETY) loosens(i, '.set', `changes the safety rule \`${diff.ruleId}\``)
        else if (next.domain === SAFETY) loosens(i, '.set.domain', `moves \`${diff.ruleId}\` into the safety domain (its actions would skip the market and pass during an emergency)`)
        rules.set(diff.ruleId, next)
        return
      }
      case 'set_bid':
        return
      case 'set_gate': {
        const old = gate[diff.kind]
        if (!old) {
          loosens(i, '.kind', `adds the action kind \`${diff.kind}\` to the gate, which denies unknown kinds`)
        } else {
          for (const why of gateLoosenings(old, diff.set as Json)) loosens(i, `.set.${why.field}`, `${diff.kind}: ${why.message}`)
        }
        gate[diff.kind] = { ...old, ...(diff.set as Json) }
        return
      }
      case 'set_contract': {
        const old = contracts.get(diff.contract.name)
        if (old) for (const why of contractLoosenings(old, diff.contract as Json)) loosens(i, `.contract${why.at}`, `contract \`${diff.contract.name}\`: ${why.message}`)
        contracts.set(diff.contract.name, diff.contract as Json)
        return
      }
    }
  })
  return out
}

/** The direction in which a numeric limit is tighter. */
const TIGHTER: Record<string, 'higher' | 'lower'> = {
  min: 'higher',
  max: 'lower',
  cap: 'lower',
  maxStep: 'lower',
  cooldownMs: 'higher',
  hysteresis: 'higher',
}

/** Fields that are economics or documentation, not limits: free to change. */
const NOT_LIMITS = new Set(['description', 'costs', 'benefitPerStrength'])

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)

/** How setting `set` on the gate kind `old` loosens it. */
function gateLoosenings(old: Json, set: Json): { field: string; message: string }[] {
  const out: { field: string; message: string }[] = []
  for (const [field, value] of Object.entries(set)) {
    const before = old[field]
    if (NOT_LIMITS.has(field) || same(before, value)) continue
    const direction = TIGHTER[field]
    if (direction) {
      if (value === null) {
        if (before !== undefined && before !== null) out.push({ field, message: `removes ${field} (${JSON.stringify(before)})` })
      } else if (before === undefined || before === null) {
        // A new limit where there was none only adds a bound.
        if (field === 'cooldownMs' || field === 'hysteresis' || typeof value === 'number') continue
        out.push({ field, message: `sets ${field} to an expression` })
      } else if (typeof before === 'number' && typeof value === 'number') {
        const looser = direction === 'higher' ? value < before : value > before
        if (looser) out.push({ field, message: `${field} ${before} → ${value} is looser` })
      } else {
        out.push({ field, message: `changes ${field} from ${JSON.stringify(before)} to ${JSON.stringify(value)} (an expression bound cannot be shown to be tighter)` })
      }
      continue
    }
    switch (field) {
      case 'safety':
        if (value === true && before !== true) out.push({ field, message: 'makes it a safety action (it would pass during an emergency)' })
        break
      case 'rate': {
        const b = before as Json | null | undefined
        const v = value as Json | null
        if (!b) break
        if (!v) out.push({ field, message: 'removes its rate limit' })
        else if (Number(v.burst) > Number(b.burst) || Number(v.perSecond) > Number(b.perSecond)) {
          out.push({ field, message: `rate ${JSON.stringify(b)} → ${JSON.stringify(v)} is looser` })
        }
        break
      }
      case 'targets': {
        const b = new Set((before as string[] | undefined) ?? [])
        const added = ((value as string[] | null) ?? []).filter((t) => !b.has(t))
        if (added.length > 0) out.push({ field, message: `adds target(s) ${added.join(', ')}` })
        break
      }
      default:
        // agent, effect, safeDirection, exists, value, contract: who may act, how the value is
        // read, which contract guards it. Any change there is a change of the protection itself.
        out.push({ field, message: `changes ${field} from ${JSON.stringify(before ?? null)} to ${JSON.stringify(value)}` })
    }
  }
  return out
}

const normalized = (condition: unknown) => String(condition).replace(/\s+/g, '')

/** How replacing contract `old` by `next` loosens it: a condition dropped, a variable retyped, a weaker response. */
function contractLoosenings(old: Json, next: Json): { at: string; message: string }[] {
  const out: { at: string; message: string }[] = []
  for (const section of ['pre', 'post', 'invariants'] as const) {
    const kept = new Set(((next[section] as unknown[] | undefined) ?? []).map(normalized))
    for (const condition of (old[section] as unknown[] | undefined) ?? []) {
      if (!kept.has(normalized(condition))) out.push({ at: `.${section}`, message: `drops or rewrites the ${section} condition \`${String(condition)}\`` })
    }
  }
  if (old.onViolation !== next.onViolation) {
    out.push({ at: '.onViolation', message: `changes the response to a violation from ${String(old.onViolation)} to ${String(next.onViolation)}` })
  }
  const oldVars = (old.variables as Json | undefined) ?? {}
  const newVars = (next.variables as Json | undefined) ?? {}
  for (const [name, spec] of Object.entries(oldVars)) {
    if (!same(spec, newVars[name])) out.push({ at: `.variables`, message: `changes or drops the variable \`${name}\`` })
  }
  for (const [name, spec] of Object.entries(newVars)) {
    if (!(name in oldVars) && typeof spec === 'object' && spec !== null && (spec as Json).optional === true) {
      out.push({ at: `.variables`, message: `adds the optional variable \`${name}\` (conditions reading it may be skipped)` })
    }
  }
  return out
}
