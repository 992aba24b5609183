// Whether a promotion can be applied to a running engine in place: when the promoted
// configuration differs from the active one only in its rules (and description), the engine's
// rules are replaced between two ticks (`Engine.replaceRules`) and every other state carries on.
// Any other difference (bids, gate limits, contracts, pools, …) needs a new Engine built from
// the promoted configuration, swapped in at a tick boundary.
import type { Engine } from '../../engine.js'

type Json = Record<string, unknown>

const withoutRules = (config: Json): string => {
  const { rules: _rules, description: _description, $schema: _schema, ...rest } = config
  return JSON.stringify(rest)
}

/** True when `promoted` differs from `active` (configuration texts or objects) only in its rules. */
export function rulesOnlyChange(active: Json | string, promoted: Json | string): boolean {
  const a = typeof active === 'string' ? (JSON.parse(active) as Json) : active
  const p = typeof promoted === 'string' ? (JSON.parse(promoted) as Json) : promoted
  return withoutRules(a) === withoutRules(p)
}

/**
 * Applies a promoted configuration to a running `engine` built from `active`: in place when
 * only the rules changed (returns 'rules-replaced'); otherwise returns 'needs-new-engine' and
 * leaves the engine alone.
 */
export function applyPromotion(engine: Engine, active: Json | string, promoted: Json | string): 'rules-replaced' | 'needs-new-engine' {
  if (!rulesOnlyChange(active, promoted)) return 'needs-new-engine'
  const p = typeof promoted === 'string' ? (JSON.parse(promoted) as Json) : promoted
  engine.replaceRules((p.rules as unknown[] | undefined) ?? [])
  return 'rules-replaced'
}
