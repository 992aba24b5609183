// Step 2 of promotion: the proposal's rules run as shadow rules beside the active ones — on
// every simulator scenario variant and on recorded traces — so what they would have done is
// recorded and scored, and nothing they say is acted on. A shadow rule is a copy of the added or
// modified rule with the id `shadow.<id>` and mode `shadow`; the engine gives shadow rules their
// own latches and cooldowns (docs/rules.md), so the comparison with the active rule is exact.
//
// Only rules can run in shadow: a changed bid, gate limit or contract acts on the market or the
// gate, which shadow firings never reach. Those are judged by evaluation alone.
//
// The step refuses a proposal when adding its shadow rules changes the closed-loop outcome of
// any scenario (a shadow rule must be inert), or when a proposed rule cannot decide on a
// recorded trace (it fails on more than half of the ticks there where the active rule of the
// same id did not: a variable that machine never reports).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { replayTrace } from '../../engine.js'
import type { PolicyProposal } from '../proposals/schema.js'
import { type MeasureProgress, type RunMeasure, measureConfig } from './measure.js'
import type { ScenarioVariant } from './scenarios.js'

type Json = Record<string, unknown>

/** The id a proposed rule runs under in shadow. */
export const shadowId = (id: string): string => `shadow.${id}`.slice(0, 128)

/** The rules a proposal adds or modifies, as they are in the proposed configuration. */
export function proposedRules(proposal: PolicyProposal, proposedConfig: Json): Json[] {
  const ids = new Set<string>()
  for (const diff of proposal.change) {
    if (diff.op === 'add_rule') ids.add(diff.rule.id)
    if (diff.op === 'modify_rule') ids.add(diff.ruleId)
  }
  return ((proposedConfig.rules as Json[] | undefined) ?? []).filter((r) => ids.has(String(r.id)))
}

/** The active configuration with the proposal's rules added in shadow. */
export function shadowConfig(active: Json, rules: readonly Json[]): Json {
  const config = structuredClone(active)
  const list = ((config.rules as Json[] | undefined) ?? []).slice()
  for (const r of rules) list.push({ ...structuredClone(r), id: shadowId(String(r.id)), mode: 'shadow' })
  config.rules = list
  return config
}

/** How one shadow rule did on one trace. */
export interface TraceRuleStats {
  rule: string
  ticks: number
  firings: number
  errors: number
  /** Errors on ticks where the active rule of the same id (if any) did not fail: the proposal's own. */
  newErrors: number
  /** For a modified rule: ticks where it and the active rule agreed (both fired or neither), of `ticks`. */
  agreement?: number
}

/** The shadow step's outcome. */
export interface ShadowResult {
  passed: boolean
  reasons: string[]
  /** The shadowed rules' ids (before `shadow.`); empty when the proposal changes no rule. */
  rules: string[]
  /** Per scenario variant: shadow firings over the run. */
  scenarios: { scenario: string; seed: number; shadowFirings: number }[]
  traces: { trace: string; ticks: number; rules: TraceRuleStats[] }[]
  /** The shadowed configuration (JSON text), to run live: `gamesa run --config`. */
  config: string
}

/** Options of {@link runShadow}. */
export interface ShadowOptions {
  /** The active configuration's measures on `variants`, when already known. */
  activeMeasures?: readonly RunMeasure[]
  /** Recorded traces (`gamesa record`) to replay with the shadow rules. */
  traces?: readonly string[]
  onProgress?: MeasureProgress
}

const sameOutcome = (a: RunMeasure, b: RunMeasure) =>
  a.reward === b.reward &&
  a.secondsAboveThermalLimit === b.secondsAboveThermalLimit &&
  a.powerCapOvershootWs === b.powerCapOvershootWs &&
  a.priorityDeadlineMisses === b.priorityDeadlineMisses &&
  a.totalThroughput === b.totalThroughput

/** Runs the proposal's rules in shadow beside `active` on `variants` and `traces`. */
export function runShadow(active: Json, proposal: PolicyProposal, proposedConfig: Json, variants: readonly ScenarioVariant[], options: ShadowOptions = {}): ShadowResult {
  const rules = proposedRules(proposal, proposedConfig)
  const config = JSON.stringify(shadowConfig(active, rules), null, 2)
  const result: ShadowResult = { passed: true, reasons: [], rules: rules.map((r) => String(r.id)), scenarios: [], traces: [], config }
  if (rules.length === 0) return result

  const activeText = JSON.stringify(active)
  const base = options.activeMeasures ?? measureConfig(activeText, variants)
  const shadowed = measureConfig(config, variants, undefined, options.onProgress)
  shadowed.forEach((m, i) => {
    result.scenarios.push({ scenario: m.scenario, seed: m.seed, shadowFirings: m.shadowFirings })
    if (!sameOutcome(m, base[i]!)) result.reasons.push(`${m.scenario} (seed ${m.seed}): the shadow rules changed the outcome; shadow rules must not act`)
  })

  for (const trace of options.traces ?? []) {
    const stats = traceStats(config, trace, rules)
    result.traces.push(stats)
    for (const s of stats.rules) {
      if (s.ticks > 0 && s.newErrors * 2 > s.ticks) {
        result.reasons.push(`${trace}: the proposed rule \`${s.rule}\` failed on ${s.newErrors} of ${s.ticks} ticks where the active rules did not (a variable this machine does not report?)`)
      }
    }
  }
  result.passed = result.reasons.length === 0
  return result
}

/** Replays `trace` through `config` and counts each shadow rule's firings, errors and agreement. */
function traceStats(config: string, trace: string, rules: readonly Json[]): { trace: string; ticks: number; rules: TraceRuleStats[] } {
  const dir = mkdtempSync(join(tmpdir(), 'gamesa-shadow-'))
  try {
    const out = join(dir, 'decisions.ndjson')
    const summary = replayTrace(config, trace, out)
    const lines = readFileSync(out, 'utf8').split('\n').slice(1).filter((l) => l.length > 0)
    const stats = new Map<string, TraceRuleStats>(rules.map((r) => [String(r.id), { rule: String(r.id), ticks: 0, firings: 0, errors: 0, newErrors: 0, agreement: 0 }]))
    for (const line of lines) {
      const tick = JSON.parse(line) as { firings: { active: { rule: string }[]; shadow: { rule: string }[] }; ruleErrors?: { rule: string }[] }
      const firedActive = new Set(tick.firings.active.map((f) => f.rule))
      const firedShadow = new Set(tick.firings.shadow.map((f) => f.rule))
      const failed = new Set((tick.ruleErrors ?? []).map((e) => e.rule))
      for (const s of stats.values()) {
        s.ticks++
        if (firedShadow.has(shadowId(s.rule))) s.firings++
        if (failed.has(shadowId(s.rule))) {
          s.errors++
          if (!failed.has(s.rule)) s.newErrors++
        }
        if (firedActive.has(s.rule) === firedShadow.has(shadowId(s.rule))) s.agreement!++
      }
    }
    return { trace, ticks: summary.ticks, rules: [...stats.values()] }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
