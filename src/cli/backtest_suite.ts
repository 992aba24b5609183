// `gamesa backtest --all`: the backtest suite's table, one line per scenario: the policy (P)
// beside the static settings (S) and the nothing-done run (N), and which lines it meets.
import type { SuiteChecks, SuiteRow } from '../index.js'

/** Each check's name in the table, in the order they are listed. */
const CHECK_NAMES: [keyof SuiteChecks, string][] = [
  ['safe', 'safe (0 s hot, 0 W·s over the cap)'],
  ['misses', 'priority misses <= static'],
  ['priorityVsStatic', 'priority throughput >= static'],
  ['priorityVsNone', 'priority throughput >= 95 % of nothing done (where that is safe)'],
  ['totalVsStatic', 'total throughput >= 97 % of static'],
]

/** The lines a row fails, by name. */
export function failedChecks(row: SuiteRow): string[] {
  return CHECK_NAMES.filter(([key]) => row.checks[key] === false).map(([, name]) => name)
}

/** The suite as a plain-text table, then the failed lines of each scenario and a total. */
export function suiteTable(rows: readonly SuiteRow[]): string {
  const three = (p: number, s: number, n: number, digits: number) => [p, s, n].map((x) => x.toFixed(digits)).join(' / ')
  const head = ['scenario', 'verdict', 'hot s', 'over W·s', 'misses P / S / N', 'priority P / S / N', 'total P / S / N']
  const body = rows.map((r) => [
    r.scenario,
    r.pass ? 'pass' : 'FAIL',
    r.policy.secondsAboveThermalLimit.toFixed(1),
    r.policy.powerCapOvershootWs.toFixed(0),
    three(r.policy.priorityDeadlineMisses, r.static.priorityDeadlineMisses, r.none.priorityDeadlineMisses, 0),
    three(r.policy.priorityThroughput, r.static.priorityThroughput, r.none.priorityThroughput, 2),
    three(r.policy.totalThroughput, r.static.totalThroughput, r.none.totalThroughput, 2),
  ])
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)))
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd()
  const out = [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)]
  const failing = rows.filter((r) => !r.pass)
  if (failing.length > 0) {
    out.push('')
    for (const r of failing) out.push(`${r.scenario}: fails ${failedChecks(r).join('; ')}`)
  }
  out.push('', `${rows.length - failing.length} of ${rows.length} scenarios meet every line (P policy, S static settings, N nothing done)`)
  return out.join('\n')
}
