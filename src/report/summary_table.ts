// The summary table: one row per outcome figure, one column per run (policy and baselines side
// by side), then the policy's difference to each baseline. The better value of a row is marked
// where "better" has a direction (less time over limits, more throughput).
import { runName } from './charts.js'
import { escapeHtml } from './escape.js'
import { formatCell } from './scale.js'
import type { BacktestRun, BacktestSummary } from './types.js'

/** A row of the summary table. */
export interface SummaryMetric {
  key: keyof BacktestSummary
  label: string
  unit: string
  /** Which way is better; `none` for counts that are neither (actions applied). */
  better: 'lower' | 'higher' | 'none'
}

/** The rows, in table order. */
export const SUMMARY_METRICS: readonly SummaryMetric[] = [
  { key: 'secondsAboveThermalLimit', label: 'Time above thermal limit', unit: 's', better: 'lower' },
  { key: 'powerCapOvershootS', label: 'Power-cap overshoot', unit: 's', better: 'lower' },
  { key: 'powerCapOvershootWs', label: 'Energy over the power cap', unit: 'W·s', better: 'lower' },
  { key: 'priorityDeadlineMisses', label: 'Priority workload: deadline misses', unit: '', better: 'lower' },
  { key: 'priorityThroughput', label: 'Priority workload: throughput', unit: 'work units', better: 'higher' },
  { key: 'totalThroughput', label: 'Total throughput', unit: 'work units', better: 'higher' },
  { key: 'actionsApplied', label: 'Actions applied', unit: '', better: 'none' },
  { key: 'actionsRejected', label: 'Actions rejected', unit: '', better: 'none' },
]

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined)

/** A signed difference, e.g. `+1.5` or `−3`; `—` when either side is missing. */
function signed(d: number | undefined): string {
  if (d === undefined) return '—'
  const text = formatCell(Math.abs(d))
  if (text === '0') return '0'
  return d > 0 ? `+${text}` : `−${text}`
}

/** The `<table>` comparing `runs`. The first run labelled `policy` is compared with each baseline. */
export function renderSummaryTable(runs: readonly BacktestRun[]): string {
  const policy = runs.find((r) => r.label === 'policy')
  const baselines = policy ? runs.filter((r) => r !== policy) : []
  const head = [
    '<th scope="col">Metric</th>',
    '<th scope="col">Unit</th>',
    ...runs.map((r) => `<th scope="col" class="run">${escapeHtml(runName(r))}</th>`),
    ...baselines.map((b) => `<th scope="col" class="delta">policy − ${escapeHtml(runName(b))}</th>`),
  ]
  const rows = SUMMARY_METRICS.map((m) => {
    const values = runs.map((r) => num(r.summary?.[m.key]))
    const finite = values.filter((v): v is number => v !== undefined)
    const best = m.better === 'none' || finite.length < 2 ? undefined : m.better === 'lower' ? Math.min(...finite) : Math.max(...finite)
    // Marking only when the runs differ as shown: a tie (or a difference below the rounding of
    // the cells) has no better side.
    const marks = best !== undefined && finite.some((v) => formatCell(v) !== formatCell(best))
    const cells = values.map((v, i) => {
      const cls = marks && v === best ? ' class="better"' : ''
      // data-value keeps the exact number for scripts and tests; the text is rounded for reading.
      const exact = v === undefined ? '' : ` data-value="${v}"`
      return `<td data-run="${i}" data-metric="${m.key}"${exact}${cls}>${escapeHtml(formatCell(v))}</td>`
    })
    const p = policy ? num(policy.summary?.[m.key]) : undefined
    const deltas = baselines.map((b) => {
      const bv = num(b.summary?.[m.key])
      const d = p === undefined || bv === undefined ? undefined : p - bv
      return `<td class="delta" data-metric="${m.key}">${escapeHtml(signed(d))}</td>`
    })
    return `<tr><th scope="row">${escapeHtml(m.label)}</th><td class="unit">${escapeHtml(m.unit)}</td>${cells.join('')}${deltas.join('')}</tr>`
  })
  return `<table class="summary"><thead><tr>${head.join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`
}
