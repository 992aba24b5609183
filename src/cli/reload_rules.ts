// SIGHUP to a running `gamesa run` (or `gamesa reload`): the configuration file is read again,
// and when what changed is the rules alone — what `gamesa promote` writes for a rule proposal —
// they are swapped into the running engine between two ticks (Engine.replaceRules): prices,
// budgets, leases, gate state and the audit chain carry on. Any other change needs a restart,
// and the running engine is left as it was, as it is when the new rules do not compile.
import { readFileSync } from 'node:fs'
import { GamesaError } from '../errors.js'
import type { Engine } from '../engine.js'

/** What a reload did, as one line for the run's output. */
export interface RulesReload {
  reloaded: boolean
  message: string
}

/** JSON of `value` with object keys sorted, so two documents compare by content. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`
  }
  return JSON.stringify(value)
}

/** The top-level sections other than `rules` (and free text) on which `before` and `after` differ. */
function otherChanges(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()
  return keys.filter((k) => k !== 'rules' && k !== 'description' && k !== '$schema' && canonical(before[k]) !== canonical(after[k]))
}

function parseObject(text: string, what: string): Record<string, unknown> {
  const value: unknown = JSON.parse(text)
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error(`${what} is not a JSON object`)
  return value as Record<string, unknown>
}

/**
 * Reads `path` again and swaps its rules into `engine` when nothing else changed since
 * `runningText` (the configuration the engine runs). On success, `runningText` for the next
 * reload is the file's new text (`text`).
 */
export function reloadRules(engine: Engine, path: string, runningText: string): RulesReload & { text?: string } {
  let text: string
  let next: Record<string, unknown>
  try {
    text = readFileSync(path, 'utf8')
    next = parseObject(text, path)
  } catch (err) {
    return { reloaded: false, message: `reload: ${path} cannot be read as JSON (${err instanceof Error ? err.message : String(err)}); the running rules stay` }
  }
  const changed = otherChanges(parseObject(runningText, 'the running configuration'), next)
  if (changed.length > 0) {
    return { reloaded: false, message: `reload: ${path} also changes ${changed.join(', ')}; only rules are swapped while running, so nothing changed: restart to apply it` }
  }
  const rules = Array.isArray(next.rules) ? next.rules : []
  try {
    engine.replaceRules(rules)
  } catch (err) {
    if (!(err instanceof GamesaError)) throw err
    return { reloaded: false, message: `reload: ${err.code}: ${err.message}; the running rules stay` }
  }
  const shadow = rules.filter((r) => (r as { mode?: unknown } | null)?.mode === 'shadow').length
  return { reloaded: true, message: `reload: ${rules.length} rules from ${path} (${shadow} in shadow) swapped in; the market, gate and audit carry on`, text }
}
