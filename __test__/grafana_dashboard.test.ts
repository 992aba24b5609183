// deploy/grafana/gamesa.json names only metrics `gamesa run --metrics` exports, and covers what
// a governor dashboard is for; docs/metrics.md documents every one of them. (That each query
// parses and runs is checked against a real Prometheus in metrics_prometheus.test.ts.)
import test from 'ava'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Engine } from '../src/engine.js'
import { RunMetrics } from '../src/metrics/run_metrics.js'
import { DASHBOARD, dashboardQueries, metricNames, templateQueries } from './helpers/dashboard.js'

const configText = readFileSync(join('samples', 'engine.json'), 'utf8')

/** Every series name the endpoint can write: each metric, and a histogram's _bucket/_sum/_count. */
async function exported(): Promise<{ metrics: Set<string>; series: Set<string> }> {
  // With a journal, so the applying run's journal gauge is registered too.
  const m = new RunMetrics({ configText, engine: new Engine(configText), journal: '/nonexistent/actuation.journal' })
  const all = await m.registry.getMetricsAsJSON()
  m.close()
  const metrics = new Set(all.map((x) => x.name))
  const series = new Set<string>()
  for (const x of all) {
    if (String(x.type) === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) series.add(`${x.name}${suffix}`)
    else series.add(x.name)
  }
  return { metrics, series }
}

test('metric names are read out of PromQL (the checker itself)', (t) => {
  t.deepEqual(metricNames('sum by (instance, le) (rate(gamesa_tick_duration_seconds_bucket{instance=~"$instance", le!="x y"}[$__rate_interval]))'), ['gamesa_tick_duration_seconds_bucket'])
  t.deepEqual(metricNames('gamesa_market_demand{a="b"} / on (resource) gamesa_market_supply'), ['gamesa_market_demand', 'gamesa_market_supply'])
  t.deepEqual(metricNames('histogram_quantile(0.99, x_bucket) > bool 1 unless y offset 5m'), ['x_bucket', 'y'])
  t.deepEqual(metricNames('max(up) without (job)'), ['up'])
})

test('every dashboard query names only metrics gamesa run --metrics exports', async (t) => {
  const { series } = await exported()
  const queries = dashboardQueries()
  t.true(queries.length >= 10, `${queries.length} queries`)
  for (const { panel, expr } of queries) {
    const names = metricNames(expr)
    t.true(names.length > 0, `${panel}: ${expr} names no metric`)
    for (const name of names) t.true(series.has(name), `${panel}: ${name} is not exported`)
  }
  const templates = templateQueries()
  t.true(templates.length > 0)
  for (const { name, query } of templates) {
    const m = /^label_values\((\w+),\s*\w+\)$/.exec(query)
    t.truthy(m, `${name}: ${query}`)
    t.true(series.has(m![1]!), `template ${name}: ${m![1]} is not exported`)
  }
})

test('the dashboard shows prices and grants, protected-workload latency, actions, power and temperatures', (t) => {
  const used = new Set(dashboardQueries().flatMap(({ expr }) => metricNames(expr)))
  for (const name of [
    'gamesa_market_price_credits',
    'gamesa_grant_amount',
    'gamesa_workload_runq_delay_seconds',
    'gamesa_gate_decisions_total',
    'gamesa_actuations_total',
    'gamesa_temperature_celsius',
    'gamesa_power_watts',
  ]) {
    t.true(used.has(name), name)
  }
})

test('the dashboard is well formed: unique panel ids, panels inside the 24-column grid without overlapping, one data source variable', (t) => {
  interface Panel {
    id: number
    type: string
    title: string
    gridPos: { x: number; y: number; w: number; h: number }
    datasource?: { uid: string }
    targets?: { datasource?: { uid: string } }[]
  }
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { uid: string; panels: Panel[]; templating: { list: { name: string; type: string }[] } }
  t.regex(dashboard.uid, /^[a-z0-9-]{1,40}$/)
  const ids = dashboard.panels.map((p) => p.id)
  t.is(new Set(ids).size, ids.length)
  const cells = new Map<string, string>()
  for (const p of dashboard.panels) {
    const { x, y, w, h } = p.gridPos
    t.true(x >= 0 && w > 0 && x + w <= 24 && h > 0, `${p.title}: ${JSON.stringify(p.gridPos)}`)
    for (let i = x; i < x + w; i++) {
      for (let j = y; j < y + h; j++) {
        t.falsy(cells.get(`${i},${j}`), `${p.title} overlaps ${cells.get(`${i},${j}`)}`)
        cells.set(`${i},${j}`, p.title)
      }
    }
    if (p.type === 'row') continue
    t.is(p.datasource?.uid, '${datasource}', p.title)
    for (const target of p.targets ?? []) t.is(target.datasource?.uid, '${datasource}', p.title)
  }
  t.deepEqual(
    dashboard.templating.list.filter((v) => v.type === 'datasource').map((v) => v.name),
    ['datasource'],
  )
})

test('docs/metrics.md documents every exported metric, and names no other gamesa_ metric', async (t) => {
  const { metrics, series } = await exported()
  const doc = readFileSync(join('docs', 'metrics.md'), 'utf8')
  for (const name of metrics) t.regex(doc, new RegExp(`\\| \`${name}\` \\|`), `${name} has a row in the table`)
  for (const [name] of doc.matchAll(/\bgamesa_[a-z0-9_]+/g)) t.true(series.has(name) || metrics.has(name), `${name} in the doc is exported`)
  for (const name of metrics) t.true(name.startsWith('gamesa_'), name)
})
