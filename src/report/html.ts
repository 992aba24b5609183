// The backtest report page: one self-contained HTML file (inline CSS, inline SVG charts, a small
// inline hover script) that opens offline. A Content-Security-Policy allows no network at all
// and only this exact script (by hash), so even text that escaped escaping could not load or run
// anything. Output is deterministic: the same report gives the same bytes (no timestamps).
import { createHash } from 'node:crypto'
import { REPORT_CSS, REPORT_SCRIPT } from './assets.js'
import { chartSpecs, runDash, runName } from './charts.js'
import { escapeHtml, jsonForScript } from './escape.js'
import { type RenderedChart, renderLineChart } from './line_chart.js'
import { formatCell } from './scale.js'
import { renderSummaryTable } from './summary_table.js'
import type { BacktestReport, BacktestRun } from './types.js'

const SCRIPT_HASH = createHash('sha256').update(REPORT_SCRIPT, 'utf8').digest('base64')
const CSP = `default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-${SCRIPT_HASH}'; img-src data:; base-uri 'none'; form-action 'none'`

/** A short swatch of a line's colour and dash, for legends. */
function swatch(color: string, dash: string): string {
  const d = dash ? ` stroke-dasharray="${escapeHtml(dash)}"` : ''
  return `<svg width="28" height="10" aria-hidden="true"><line x1="1" y1="5" x2="27" y2="5" stroke="${escapeHtml(color)}" stroke-width="2"${d}/></svg>`
}

/** The figure of one chart: caption, SVG (or "no data"), legend of series names, hover box. */
function figure(id: string, title: string, chart: RenderedChart | undefined, names: Array<[string, string]>, emptyNote?: string): string {
  const caption = `<figcaption>${escapeHtml(title)}</figcaption>`
  if (!chart) return `<figure data-chart="${id}">${caption}<p class="empty">${escapeHtml(emptyNote ?? 'No data recorded for this chart.')}</p></figure>`
  const legend = names.map(([name, color]) => `<li>${swatch(color, '')}<span>${escapeHtml(name)}</span></li>`).join('')
  return `<figure data-chart="${id}">${caption}${chart.svg}<ul class="legend">${legend}</ul><div class="tip" hidden></div></figure>`
}

function facts(report: BacktestReport): string {
  const s = report.scenario
  const items: Array<[string, string]> = [
    ['Duration', `${formatCell(s.durationS)} s`],
    ['Tick', `${formatCell(s.tickMs)} ms`],
    ['Runs', report.runs.map(runName).join(', ') || 'none'],
  ]
  return `<dl class="facts">${items.map(([k, v]) => `<div><dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd></div>`).join('')}</dl>`
}

/** The line-style key: which dash is which run. */
function runKey(runs: readonly BacktestRun[]): string {
  if (runs.length === 0) return ''
  const items = runs.map((r, i) => `<li>${swatch('#1b1f24', runDash(i))}<span>${escapeHtml(runName(r))}</span></li>`).join('')
  return `<p class="legend-note">Each chart overlays the runs on the same axes: colour is the series, line style the run. Hover a chart to read values.</p><ul class="legend run-key">${items}</ul>`
}

/**
 * Renders a backtest as one self-contained HTML document: the scenario, the summary table with
 * policy and baselines side by side, and charts over time of temperatures, power, prices,
 * grants, rule firings and actions applied/rejected. All text from `report` is escaped.
 */
export function renderBacktestReport(report: BacktestReport): string {
  const runs = report.runs ?? []
  const specs = chartSpecs(runs)
  const rendered = specs.map((spec) => renderLineChart(spec))
  const hoverData: Record<string, RenderedChart['hover']> = {}
  const figures = specs.map((spec, i) => {
    const chart = rendered[i]
    if (chart) hoverData[spec.id] = chart.hover
    const names = new Map<string, string>()
    for (const l of spec.lines) if (!names.has(l.name)) names.set(l.name, l.color)
    return figure(spec.id, spec.unit ? `${spec.title} (${spec.unit})` : spec.title, chart, [...names], spec.emptyNote)
  })
  const name = String(report.scenario?.name ?? '')
  const description = String(report.scenario?.description ?? '')
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CSP}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="generator" content="@gamesa/core backtest report">',
    `<title>${escapeHtml(`Backtest: ${name}`)}</title>`,
    `<style>${REPORT_CSS}</style>`,
    '</head>',
    '<body>',
    '<header>',
    `<h1>Backtest: <span class="scenario-name">${escapeHtml(name)}</span></h1>`,
    description ? `<p class="description">${escapeHtml(description)}</p>` : '',
    facts(report),
    '</header>',
    '<section id="summary">',
    '<h2>Summary</h2>',
    runs.length > 0 ? renderSummaryTable(runs) : '<p class="empty">No runs in this report.</p>',
    '</section>',
    '<section id="over-time">',
    '<h2>Over time</h2>',
    runKey(runs),
    `<div class="charts">${figures.join('')}</div>`,
    '</section>',
    '<footer>Generated by @gamesa/core. This file is self-contained and works offline.</footer>',
    `<script type="application/json" id="report-data">${jsonForScript({ charts: hoverData })}</script>`,
    `<script>${REPORT_SCRIPT}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n')
}
