// The simulator scenarios a configuration is judged on, and their seed variants: the same
// machine and workloads with another random stream (bursts, jitter), so a result can be told
// apart from the luck of one seed. Seeds are given, never drawn: the same list gives the same
// runs.
import { builtinScenarios } from '../../engine.js'
import { GamesaError } from '../../errors.js'

/** One scenario run: a shipped scenario (or one given as JSON text) with a seed. */
export interface ScenarioVariant {
  scenario: string
  seed: number
  /** The scenario's JSON text with `seed` (and `durationS` when shortened) replaced. */
  json: string
}

/** Options of {@link scenarioVariants}. */
export interface VariantOptions {
  /** Shipped scenario names or scenario JSON texts (default: every shipped scenario). */
  scenarios?: readonly string[]
  /** Seeds to run each scenario with (default: the scenario's own seed only). */
  seeds?: readonly number[]
  /** Cut each scenario to at most this many simulated seconds (default: its full length). */
  maxDurationS?: number
}

/** Every scenario × seed, scenarios in the order given, then seeds in the order given. */
export function scenarioVariants(options: VariantOptions = {}): ScenarioVariant[] {
  const shipped = builtinScenarios()
  const texts = (options.scenarios ?? shipped.map((s) => s.name)).map((s) => shipped.find((b) => b.name === s)?.json ?? s)
  const out: ScenarioVariant[] = []
  for (const [i, text] of texts.entries()) {
    let doc: { name: string; seed?: number; durationS: number }
    try {
      doc = JSON.parse(text) as typeof doc
    } catch {
      const names = shipped.map((b) => b.name).join(', ')
      throw new GamesaError('INVALID_SCENARIO', `scenarios[${i}] is neither a shipped scenario (${names}) nor scenario JSON: ${text.slice(0, 60)}`, {
        path: `$[${i}]`,
      })
    }
    for (const seed of options.seeds ?? [doc.seed ?? 0]) {
      const variant = { ...doc, seed }
      if (options.maxDurationS !== undefined) variant.durationS = Math.min(doc.durationS, options.maxDurationS)
      out.push({ scenario: doc.name, seed, json: JSON.stringify(variant) })
    }
  }
  return out
}

/** The names of the shipped scenarios. */
export function shippedScenarioNames(): string[] {
  return builtinScenarios().map((s) => s.name)
}
