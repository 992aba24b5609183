// The analysis behind `gamesa reflect`: one pass over an experience store (and an audit trail),
// deterministic — the same store gives the same report, byte for byte once serialized.
import { verifyAuditFile } from '../../../index.js'
import { GamesaError } from '../../errors.js'
import type { ExperienceReader } from '../experience/reader.js'
import { fileLines } from '../experience/lines.js'
import { findings } from './findings.js'
import type { AuditSummary, Count, Reflection, RewardTrend, RuleReport, ShadowReport } from './types.js'

/** What to analyse. */
export interface ReflectOptions {
  /** Only this run (default all). */
  run?: number
  /** An audit trail file to verify and count (the engine's or a checker's). */
  audit?: string
  /** Ticks before and after a rule starts firing that its reward comparison takes (default 10). */
  window?: number
}

/** Per run: rewards by tick index, firings by rule, what the active set did per tick. */
interface RunData {
  rewards: (number | null)[]
  fired: Map<string, number[]>
  acted: Map<number, Set<string>>
}

interface RuleMeta {
  rule: string
  mode: 'active' | 'shadow'
  domain?: string
  kind?: string
  target?: string
  firings: number
  approved: number
  rejected: number
}

const ruleKey = (mode: string, rule: string) => `${mode}\u0000${rule}`
const actionKey = (kind: string, target: string) => `${kind}\u0000${target}`

/** Counts by key, each with its first example. */
class Counter {
  private readonly map = new Map<string, Count>()
  add(key: string, example?: string, n = 1): void {
    const c = this.map.get(key)
    if (c) c.count += n
    else this.map.set(key, { key, count: n, ...(example === undefined ? {} : { example }) })
  }
  /** Most first, then by key: a stable order. */
  sorted(): Count[] {
    return [...this.map.values()].sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
  }
  get total(): number {
    let n = 0
    for (const c of this.map.values()) n += c.count
    return n
  }
}

function mean(values: readonly number[]): number | null {
  if (values.length === 0) return null
  let s = 0
  for (const v of values) s += v
  return s / values.length
}

/** The reward trend of the judged rewards, in order. */
function trend(judged: readonly number[], unjudged: Counter): RewardTrend {
  const n = judged.length
  const third = Math.floor(n / 3)
  let slope: number | null = null
  if (n >= 2) {
    const mx = (n - 1) / 2
    const my = mean(judged) as number
    let sxy = 0
    let sxx = 0
    for (let i = 0; i < n; i++) {
      sxy += (i - mx) * ((judged[i] as number) - my)
      sxx += (i - mx) * (i - mx)
    }
    slope = (sxy / sxx) * 1000
  }
  const size = Math.max(1, Math.ceil(n / 200))
  const windows: RewardTrend['windows'] = []
  for (let i = 0; i < n; i += size) windows.push({ index: i, mean: mean(judged.slice(i, i + size)) as number })
  const reasons: Record<string, number> = {}
  for (const c of unjudged.sorted()) reasons[c.key] = c.count
  return {
    judged: n,
    unjudged: reasons,
    mean: mean(judged),
    firstThird: third > 0 ? mean(judged.slice(0, third)) : null,
    lastThird: third > 0 ? mean(judged.slice(n - third)) : null,
    slopePer1000: slope,
    windows,
  }
}

/** Verifies an audit file and counts its decisions and refusals. */
export function auditSummary(path: string): AuditSummary {
  const report = verifyAuditFile(path)
  const decisions: Record<string, number> = {}
  const refusals = new Counter()
  for (const line of fileLines(path)) {
    if (line.trim() === '') continue
    let record: { decision?: unknown; reason?: unknown; agent?: unknown; target?: unknown }
    try {
      record = JSON.parse(line) as typeof record
    } catch {
      continue // a torn last line: the verification reports it
    }
    const decision = typeof record.decision === 'string' ? record.decision : 'unknown'
    decisions[decision] = (decisions[decision] ?? 0) + 1
    if (decision === 'rejected' || decision === 'denied') {
      const reason = typeof record.reason === 'string' ? record.reason : ''
      refusals.add(`${decision}: ${reason.split(/[:(]/)[0]!.trim() || 'no reason'}`, `${String(record.agent)} → ${String(record.target ?? '')}: ${reason}`)
    }
  }
  const sortedDecisions: Record<string, number> = {}
  for (const k of Object.keys(decisions).sort()) sortedDecisions[k] = decisions[k] as number
  return {
    path,
    ok: report.ok,
    records: report.records,
    verified: report.verified,
    ...(report.ok ? {} : { problem: `${report.reason ?? 'does not verify'}${report.line !== undefined ? ` (line ${report.line})` : ''}` }),
    decisions: sortedDecisions,
    refusals: refusals.sorted().slice(0, 20),
  }
}

/** Analyses the store `reader` reads (see {@link Reflection}). */
export function reflect(reader: ExperienceReader, options: ReflectOptions = {}): Reflection {
  const window = options.window ?? 10
  if (!Number.isInteger(window) || window < 1 || window > 100_000) {
    throw new GamesaError('INVALID_ARGUMENT', `options.window must be a whole number from 1 to 100000, got ${String(window)}`)
  }
  const runs = new Map<number, RunData>()
  const rules = new Map<string, RuleMeta>()
  const judged: number[] = []
  const unjudged = new Counter()
  const rejections = new Counter()
  const violations = new Counter()
  const failures = new Counter()
  let notSelected = 0
  let ticks = 0
  let emergencyTicks = 0
  const meta = (mode: 'active' | 'shadow', rule: string): RuleMeta => {
    const key = ruleKey(mode, rule)
    let m = rules.get(key)
    if (!m) rules.set(key, (m = { rule, mode, firings: 0, approved: 0, rejected: 0 }))
    return m
  }

  for (const t of reader.iterate(options.run === undefined ? {} : { run: options.run })) {
    let data = runs.get(t.run)
    if (!data) runs.set(t.run, (data = { rewards: [], fired: new Map(), acted: new Map() }))
    const index = data.rewards.length
    data.rewards.push(t.reward)
    ticks++
    if (t.emergency) emergencyTicks++
    if (t.reward !== null) judged.push(t.reward)
    else unjudged.add((t.rewardError ?? 'unknown').slice(0, 80))
    for (const f of t.firings) {
      const m = meta(f.mode, f.rule)
      m.firings++
      if (f.domain && !m.domain) m.domain = f.domain
      if (f.kind && !m.kind) {
        m.kind = f.kind
        m.target = f.target
      }
      const key = ruleKey(f.mode, f.rule)
      const list = data.fired.get(key)
      if (list) list.push(index)
      else data.fired.set(key, [index])
    }
    for (const a of t.actions) {
      if (a.decision === 'approved') {
        meta('active', a.rule).approved++
        let set = data.acted.get(index)
        if (!set) data.acted.set(index, (set = new Set()))
        set.add(actionKey(a.kind, a.target))
        if (a.outcome === 'failed') failures.add(`${a.kind} ${a.target}`, a.detail)
      } else if (a.reason === 'not_selected') {
        notSelected++
      } else {
        meta('active', a.rule).rejected++
        rejections.add(a.reason ?? 'unknown', `${a.rule}: ${a.kind} ${a.target}${a.detail ? `: ${a.detail}` : ''}`)
      }
    }
    for (const v of t.violations) violations.add(`${v.contract} (${v.kind})`, v.violations[0])
  }

  const ruleReports: RuleReport[] = []
  const shadowReports: ShadowReport[] = []
  for (const m of rules.values()) {
    if (m.firings === 0 && m.approved === 0 && m.rejected === 0) continue
    const key = ruleKey(m.mode, m.rule)
    let runTicks = 0
    let onsets = 0
    const before: number[] = []
    const after: number[] = []
    for (const data of runs.values()) {
      const fired = data.fired.get(key)
      if (!fired) continue
      runTicks += data.rewards.length
      const firedSet = new Set(fired)
      for (const i of fired) {
        if (firedSet.has(i - 1)) continue
        onsets++
        for (let j = Math.max(0, i - window); j < i; j++) if (data.rewards[j] !== null) before.push(data.rewards[j] as number)
        for (let j = i; j < Math.min(data.rewards.length, i + window); j++) if (data.rewards[j] !== null) after.push(data.rewards[j] as number)
      }
    }
    const rb = mean(before)
    const ra = mean(after)
    ruleReports.push({
      rule: m.rule,
      mode: m.mode,
      ...(m.domain ? { domain: m.domain } : {}),
      ...(m.kind ? { action: `${m.kind} ${m.target ?? ''}`.trim() } : {}),
      firings: m.firings,
      firingRate: runTicks > 0 ? m.firings / runTicks : 0,
      onsets,
      rewardBefore: rb,
      rewardAfter: ra,
      rewardDelta: rb !== null && ra !== null ? ra - rb : null,
      approved: m.approved,
      rejected: m.rejected,
    })
    if (m.mode === 'shadow' && m.firings > 0) shadowReports.push(shadow(m, key, runs))
  }
  ruleReports.sort((a, b) => (a.mode === b.mode ? (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0) : a.mode === 'active' ? -1 : 1))
  shadowReports.sort((a, b) => (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0))

  const runList = reader
    .runs()
    .filter((r) => runs.has(r.id))
    .map((r) => ({ id: r.id, source: r.source, label: r.label, ticks: runs.get(r.id)?.rewards.length ?? 0 }))
  const reflection: Reflection = {
    store: reader.path,
    runs: runList,
    ticks,
    emergencyTicks,
    window,
    reward: trend(judged, unjudged),
    rules: ruleReports,
    shadow: shadowReports,
    rejections: rejections.sorted(),
    notSelected,
    violations: violations.sorted(),
    actuationFailures: failures.sorted(),
    findings: [],
  }
  if (options.audit !== undefined) reflection.audit = auditSummary(options.audit)
  reflection.findings = findings(reflection)
  return reflection
}

/** A shadow rule against the active set's approved actions of the same kind and target. */
function shadow(m: RuleMeta, key: string, runs: ReadonlyMap<number, RunData>): ShadowReport {
  const action = m.kind ? actionKey(m.kind, m.target ?? '') : undefined
  let ticks = 0
  let agree = 0
  let firedAndActed = 0
  let firedOnly = 0
  let actedOnly = 0
  const followed: number[] = []
  const ignored: number[] = []
  for (const data of runs.values()) {
    const fired = data.fired.get(key)
    if (!fired) continue
    const firedSet = new Set(fired)
    for (let i = 0; i < data.rewards.length; i++) {
      ticks++
      const s = firedSet.has(i)
      const a = action !== undefined && (data.acted.get(i)?.has(action) ?? false)
      if (s === a) agree++
      const r = data.rewards[i]
      if (s && a) {
        firedAndActed++
        if (r !== null && r !== undefined) followed.push(r)
      } else if (s) {
        firedOnly++
        if (r !== null && r !== undefined) ignored.push(r)
      } else if (a) actedOnly++
    }
  }
  const f = mean(followed)
  const g = mean(ignored)
  return {
    rule: m.rule,
    ...(m.kind ? { action: `${m.kind} ${m.target ?? ''}`.trim() } : {}),
    ticks,
    agreement: ticks > 0 ? agree / ticks : 0,
    firedAndActed,
    firedOnly,
    actedOnly,
    regret: f !== null && g !== null ? f - g : null,
  }
}
