// A reflection as terminal text: the findings first, then the tables behind them.
import type { Count, Reflection } from './types.js'

const f = (v: number | null | undefined, digits = 4) => (v === null || v === undefined ? '–' : Math.abs(v) >= 1e4 ? v.toExponential(3) : v.toFixed(digits))
const pct = (x: number) => `${(100 * x).toFixed(1)} %`
const SEVERITY = ['safety', 'reward', 'look', 'note'] as const

/** Left-aligned first column, right-aligned numbers. */
function table(head: string[], rows: string[][]): string[] {
  if (rows.length === 0) return ['  (none)']
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]) => `  ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')}`
  return [line(head), `  ${widths.map((w) => '-'.repeat(w)).join('  ')}`, ...rows.map(line)]
}

function counts(list: readonly Count[], limit = 8): string[] {
  if (list.length === 0) return ['  (none)']
  return list.slice(0, limit).map((c) => `  ${String(c.count).padStart(6)}  ${c.key}${c.example ? ` — ${c.example}` : ''}`)
}

export function reflectionText(r: Reflection): string {
  const t = r.reward
  const out: string[] = [
    `reflection on ${r.store}: ${r.ticks} ticks in ${r.runs.length} run${r.runs.length === 1 ? '' : 's'}, ${r.emergencyTicks} in emergency`,
    '',
    'top findings',
    ...(r.findings.length === 0 ? ['  (none)'] : r.findings.map((x, i) => `  ${i + 1}. [${SEVERITY[x.severity]}] ${x.text}`)),
    '',
    'reward',
    `  judged ${t.judged}, mean ${f(t.mean)}; first third ${f(t.firstThird)}, last third ${f(t.lastThird)}; slope ${f(t.slopePer1000)} per 1000 ticks`,
    ...Object.entries(t.unjudged).slice(0, 4).map(([why, n]) => `  ${String(n).padStart(6)} without reward: ${why}`),
    '',
    `rules (reward in the ${r.window} ticks before each onset, and from it on)`,
    ...table(
      ['rule', 'mode', 'fired', 'rate', 'onsets', 'before', 'after', 'delta', 'approved', 'rejected'],
      r.rules.map((x) => [x.rule, x.mode, String(x.firings), pct(x.firingRate), String(x.onsets), f(x.rewardBefore), f(x.rewardAfter), f(x.rewardDelta), String(x.approved), String(x.rejected)]),
    ),
    '',
    'shadow rules against the active set (same action kind and target)',
    ...table(
      ['rule', 'action', 'agreement', 'fired+acted', 'fired only', 'acted only', 'regret'],
      r.shadow.map((s) => [s.rule, s.action ?? '–', pct(s.agreement), String(s.firedAndActed), String(s.firedOnly), String(s.actedOnly), f(s.regret)]),
    ),
    '',
    `gate rejections by reason (${r.notSelected} more lost the selection)`,
    ...counts(r.rejections),
    '',
    'contract violations',
    ...counts(r.violations),
    '',
    'actuation failures',
    ...counts(r.actuationFailures),
  ]
  if (r.audit) {
    const a = r.audit
    out.push(
      '',
      `audit trail ${a.path}: ${a.ok ? 'verifies' : `DOES NOT VERIFY (${a.problem ?? ''})`}, ${a.records} records`,
      `  decisions: ${Object.entries(a.decisions).map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}`,
      ...counts(a.refusals),
    )
  }
  return out.join('\n')
}
