// A reflection as one self-contained HTML page, in the backtest report's style (its stylesheet,
// its line chart, the same Content-Security-Policy): no network, no script, every piece of
// text from the store escaped. Deterministic: the same reflection gives the same bytes.
import { REPORT_CSS } from '../../report/assets.js'
import { escapeHtml } from '../../report/escape.js'
import { renderLineChart } from '../../report/line_chart.js'
import type { Count, Reflection } from './types.js'

const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
const EXTRA_CSS = `
ol.findings li { margin: 4px 0; } .sev { display: inline-block; min-width: 5.5em; font-weight: 600; }
.sev-0 { color: #b42318; } .sev-1 { color: #b54708; } .sev-2 { color: #175cd3; } .sev-3 { color: var(--muted); }
table.summary td.text, table.summary th.text { text-align: left; }
`

const f = (v: number | null | undefined, digits = 4) => (v === null || v === undefined ? '–' : Math.abs(v) >= 1e4 ? v.toExponential(3) : v.toFixed(digits))
const pct = (x: number) => `${(100 * x).toFixed(1)} %`
const SEVERITY = ['safety', 'reward', 'look', 'note'] as const

function table(head: string[], rows: string[][], textColumns = 1): string {
  if (rows.length === 0) return '<p class="empty">None.</p>'
  const th = head.map((h, i) => `<th${i < textColumns ? ' class="text"' : ''} scope="col">${escapeHtml(h)}</th>`).join('')
  const body = rows.map((r) => `<tr>${r.map((c, i) => `<td${i < textColumns ? ' class="text"' : ''}>${escapeHtml(c)}</td>`).join('')}</tr>`).join('')
  return `<table class="summary"><thead><tr>${th}</tr></thead><tbody>${body}</tbody></table>`
}

function countTable(list: readonly Count[], what: string): string {
  return table([what, 'count', 'example'], list.slice(0, 20).map((c) => [c.key, String(c.count), c.example ?? '']), 1)
}

export function renderReflectionHtml(r: Reflection): string {
  const t = r.reward
  const chart = renderLineChart({
    id: 'reward',
    title: 'Reward',
    unit: '',
    includeZero: false,
    emptyNote: 'No tick has a reward.',
    xLabel: 'judged ticks',
    lines: [{ name: 'reward (window mean)', run: 'experience', color: '#0969da', dash: '', t: t.windows.map((w) => w.index), values: t.windows.map((w) => w.mean) }],
  })
  const facts: Array<[string, string]> = [
    ['Ticks', String(r.ticks)],
    ['Runs', r.runs.map((x) => `${x.id}: ${x.label} (${x.ticks})`).join('; ') || 'none'],
    ['Emergency ticks', String(r.emergencyTicks)],
    ['Reward mean', f(t.mean)],
  ]
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CSP}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="generator" content="@gamesa/core reflection">',
    `<title>${escapeHtml(`Reflection: ${r.store}`)}</title>`,
    `<style>${REPORT_CSS}${EXTRA_CSS}</style>`,
    '</head>',
    '<body>',
    '<header>',
    `<h1>Reflection: <span class="scenario-name">${escapeHtml(r.store)}</span></h1>`,
    `<dl class="facts">${facts.map(([k, v]) => `<div><dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd></div>`).join('')}</dl>`,
    '</header>',
    '<section id="findings">',
    '<h2>Top findings</h2>',
    r.findings.length === 0
      ? '<p class="empty">None.</p>'
      : `<ol class="findings">${r.findings.map((x) => `<li><span class="sev sev-${x.severity}">${SEVERITY[x.severity]}</span> ${escapeHtml(x.text)}</li>`).join('')}</ol>`,
    '</section>',
    '<section id="reward">',
    '<h2>Reward trend</h2>',
    `<p>${t.judged} ticks judged; mean ${escapeHtml(f(t.mean))}; first third ${escapeHtml(f(t.firstThird))}, last third ${escapeHtml(f(t.lastThird))}; slope ${escapeHtml(f(t.slopePer1000))} per 1000 ticks.</p>`,
    chart ? `<figure data-chart="reward"><figcaption>Reward, mean per window</figcaption>${chart.svg}</figure>` : '<p class="empty">No tick has a reward.</p>',
    Object.keys(t.unjudged).length > 0 ? countTable(Object.entries(t.unjudged).map(([key, count]) => ({ key, count })), 'without a reward because') : '',
    '</section>',
    '<section id="rules">',
    `<h2>Rules</h2><p>Reward in the ${r.window} ticks before each time a rule starts firing, and from then on.</p>`,
    table(
      ['rule', 'mode', 'fired', 'rate', 'onsets', 'reward before', 'reward after', 'delta', 'approved', 'rejected'],
      r.rules.map((x) => [x.rule, x.mode, String(x.firings), pct(x.firingRate), String(x.onsets), f(x.rewardBefore), f(x.rewardAfter), f(x.rewardDelta), String(x.approved), String(x.rejected)]),
      2,
    ),
    '</section>',
    '<section id="shadow">',
    '<h2>Shadow rules against the active set</h2>',
    '<p>Agreement: ticks where the shadow rule fired exactly when the active set approved an action of the same kind and target. Regret: mean reward when it fired and the active set did the same, minus when it fired and the active set did not (an observational estimate).</p>',
    table(
      ['rule', 'action', 'agreement', 'fired + acted', 'fired only', 'acted only', 'regret'],
      r.shadow.map((s) => [s.rule, s.action ?? '–', pct(s.agreement), String(s.firedAndActed), String(s.firedOnly), String(s.actedOnly), f(s.regret)]),
      2,
    ),
    '</section>',
    '<section id="gate">',
    `<h2>Gate rejections</h2><p>${r.notSelected} more proposals lost the selection (not counted here).</p>`,
    countTable(r.rejections, 'reason'),
    '</section>',
    '<section id="contracts"><h2>Contract violations</h2>',
    countTable(r.violations, 'contract'),
    '</section>',
    '<section id="actuation"><h2>Actuation failures</h2>',
    countTable(r.actuationFailures, 'action'),
    '</section>',
    r.audit
      ? [
          '<section id="audit"><h2>Audit trail</h2>',
          `<p>${escapeHtml(r.audit.path)}: ${r.audit.ok ? 'the hash chain verifies' : `does not verify: ${escapeHtml(r.audit.problem ?? '')}`}; ${r.audit.records} records (${escapeHtml(Object.entries(r.audit.decisions).map(([k, n]) => `${k} ${n}`).join(', '))}).</p>`,
          countTable(r.audit.refusals, 'refusal'),
          '</section>',
        ].join('')
      : '',
    '<footer>Generated by @gamesa/core. This file is self-contained and works offline.</footer>',
    '</body>',
    '</html>',
    '',
  ].join('\n')
}
