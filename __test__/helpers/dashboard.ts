// The queries of deploy/grafana/gamesa.json, and the metric names a PromQL query reads.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

export const DASHBOARD = join('deploy', 'grafana', 'gamesa.json')

interface Panel {
  title?: string
  panels?: Panel[]
  targets?: { expr?: string }[]
}

/** Every PromQL query of the dashboard's panels (rows' nested panels included), with its panel's title. */
export function dashboardQueries(): { panel: string; expr: string }[] {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: Panel[] }
  const out: { panel: string; expr: string }[] = []
  const walk = (panels: Panel[]) => {
    for (const p of panels) {
      for (const target of p.targets ?? []) if (target.expr !== undefined) out.push({ panel: p.title ?? '?', expr: target.expr })
      walk(p.panels ?? [])
    }
  }
  walk(dashboard.panels)
  return out
}

/** The template variables' queries (`label_values(metric, label)`). */
export function templateQueries(): { name: string; query: string }[] {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { templating: { list: { name: string; type: string; query: unknown }[] } }
  return dashboard.templating.list
    .filter((v) => v.type === 'query')
    .map((v) => ({ name: v.name, query: typeof v.query === 'string' ? v.query : String((v.query as { query: string }).query) }))
}

const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan'])

/**
 * The metric names a PromQL expression selects: identifiers left once strings, label matchers,
 * ranges, grouping clauses and numbers are taken out, other than functions, aggregations (an identifier
 * followed by `(`) and keywords.
 */
export function metricNames(expr: string): string[] {
  const stripped = expr
    .replaceAll(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')
    .replaceAll(/\{[^}]*\}/g, ' ')
    .replaceAll(/\[[^\]]*\]/g, ' ')
    .replaceAll(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    // Numbers and durations (0.99, 1e3, 5m, 1h30m), which are not names.
    .replaceAll(/(?<![a-zA-Z0-9_:])\d[\d.]*(?:[eE][+-]?\d+)?[a-zA-Z0-9]*/g, ' ')
  const names = new Set<string>()
  for (const m of stripped.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const after = stripped.slice(m.index + m[0].length).trimStart()
    if (after.startsWith('(') || KEYWORDS.has(m[0].toLowerCase())) continue
    names.add(m[0])
  }
  return [...names]
}
