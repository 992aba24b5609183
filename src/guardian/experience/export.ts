// Export of an experience store: NDJSON (one tick per line, exactly the query API's objects)
// or CSV (one tick per row: the tick's totals, then one column per feature and variable).
import type { ExperienceQuery, ExperienceReader } from './reader.js'
import type { ExperienceTick } from './types.js'

/** The formats `exportExperience` writes. */
export type ExportFormat = 'ndjson' | 'csv'

/** RFC 4180 quoting: a field with a comma, quote or line break is quoted, quotes doubled. */
function csvField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return ''
  const text = String(value)
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

const FIXED = ['run', 'tick', 'time_ms', 'emergency', 'reward', 'reward_error', 'active_firings', 'shadow_firings', 'approved', 'rejected', 'failed', 'violations', 'actions'] as const

function fixedFields(t: ExperienceTick): (string | number | boolean | null)[] {
  const approved = t.actions.filter((a) => a.decision === 'approved')
  return [
    t.run,
    t.tick,
    t.timeMs,
    t.emergency,
    t.reward,
    t.rewardError ?? null,
    t.firings.filter((f) => f.mode === 'active').map((f) => f.rule).join(';'),
    t.firings.filter((f) => f.mode === 'shadow').map((f) => f.rule).join(';'),
    approved.length,
    t.actions.filter((a) => a.decision === 'rejected' && a.reason !== 'not_selected').length,
    approved.filter((a) => a.outcome === 'failed').length,
    t.violations.length,
    t.actions.map((a) => `${a.kind} ${a.target}${a.value === undefined ? '' : `=${a.value}`} ${a.outcome}${a.reason ? `(${a.reason})` : ''}`).join(';'),
  ]
}

/** Writes the ticks `query` selects to `write`, line by line. Returns the ticks written. */
export function exportExperience(reader: ExperienceReader, format: ExportFormat, write: (text: string) => void, query: ExperienceQuery = {}): number {
  let n = 0
  if (format === 'ndjson') {
    for (const t of reader.iterate(query)) {
      write(`${JSON.stringify(t)}\n`)
      n++
    }
    return n
  }
  // CSV needs its columns first: every feature and variable any selected tick has.
  const features = new Set<string>()
  const variables = new Set<string>()
  for (const t of reader.iterate(query)) {
    for (const k of Object.keys(t.state.features)) features.add(k)
    for (const k of Object.keys(t.state.variables)) variables.add(k)
  }
  const f = [...features].sort()
  const v = [...variables].sort()
  write(`${[...FIXED, ...f.map((k) => `feature:${k}`), ...v.map((k) => `var:${k}`)].map(csvField).join(',')}\n`)
  for (const t of reader.iterate(query)) {
    const row = [...fixedFields(t), ...f.map((k) => t.state.features[k] ?? null), ...v.map((k) => t.state.variables[k] ?? null)]
    write(`${row.map(csvField).join(',')}\n`)
    n++
  }
  return n
}
