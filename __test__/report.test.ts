// The backtest report (src/report): rendered from synthetic but realistic runs made by a seeded
// generator below, then (1) checked as text — escaping of hostile names, empty and gappy series,
// no NaN, determinism — and (2) opened in headless Chromium (Debian's `chromium` driven by
// playwright-core) with every network request blocked: every chart must have drawn, the summary
// table must hold the runs' numbers, the hover script must work, and the console must stay clean.
import test from 'ava'
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { chromium, type Browser, type Page } from 'playwright-core'
import { type BacktestReport, type BacktestRun, builtinScenarios, renderBacktestReport, runBacktest } from '@gamesa/core'

// ---------------------------------------------------------------- synthetic backtest data

/** xorshift32: a tiny seeded generator, so the report is the same on every run. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1
  return () => {
    s ^= s << 13
    s >>>= 0
    s ^= s >>> 17
    s ^= s << 5
    s >>>= 0
    return s / 4294967296
  }
}

const RESOURCES = ['cpu_cores', 'cpu_time', 'gpu_compute', 'gpu_memory', 'thermal_headroom', 'power_budget']

/**
 * One closed-loop run of a game frame loop beside a compile: first-order thermals
 * (dT/dt = (P·R_th − (T − T_amb))/τ), power following load, and for the policy prices that
 * rise with heat, grants, rule firings and gate decisions. `governed` caps the GPU power.
 */
function simulateRun(label: 'policy' | 'baseline', durationS: number, tickMs: number, seed: number): BacktestRun {
  const next = rng(seed)
  const governed = label === 'policy'
  const n = Math.round((durationS * 1000) / tickMs)
  const dt = tickMs / 1000
  const tMs: number[] = []
  const temps = { cpu: [] as number[], gpu0: [] as number[] }
  const power = { cpu: [] as number[], gpu0: [] as number[], total: [] as number[] }
  const extra: Record<string, number[]> = { firings: [], applied: [], rejected: [] }
  for (const r of RESOURCES) extra[`prices.${r}`] = []
  for (const r of ['cpu_cores', 'gpu_compute', 'power_budget']) extra[`grants.${r}`] = []
  let tCpu = 35
  let tGpu = 38
  let gpuLimit = 250
  const summary = { secondsAboveThermalLimit: 0, powerCapOvershootS: 0, powerCapOvershootWs: 0, priorityDeadlineMisses: 0, priorityThroughput: 0, totalThroughput: 0, actionsApplied: 0, actionsRejected: 0 }
  for (let i = 0; i < n; i++) {
    const t = i * dt
    // A compile starts at 10 s and runs 30 s; the game runs throughout with bursty frames.
    const compiling = t >= 10 && t < 40 ? 1 : 0
    const cpuUtil = Math.min(1, 0.35 + 0.55 * compiling + 0.1 * next())
    const gpuUtil = Math.min(1, 0.7 + 0.25 * next())
    const pCpu = 15 + 80 * cpuUtil
    const pGpu = Math.min(gpuLimit, 60 + 220 * gpuUtil)
    tCpu += ((pCpu * 0.55 - (tCpu - 30)) / 8) * dt
    tGpu += ((pGpu * 0.22 - (tGpu - 30)) / 12) * dt
    tMs.push(Math.round(i * tickMs))
    temps.cpu.push(tCpu)
    temps.gpu0.push(tGpu)
    power.cpu.push(pCpu)
    power.gpu0.push(pGpu)
    power.total.push(pCpu + pGpu)
    const over = Math.max(0, pCpu + pGpu - 330)
    if (tCpu > 80 || tGpu > 83) summary.secondsAboveThermalLimit += dt
    if (over > 0) {
      summary.powerCapOvershootS += dt
      summary.powerCapOvershootWs += over * dt
    }
    const frameLate = cpuUtil > 0.95 && next() < (governed ? 0.2 : 0.6)
    if (frameLate) summary.priorityDeadlineMisses++
    summary.priorityThroughput += frameLate ? 0 : dt * 60
    summary.totalThroughput += dt * (60 + 100 * compiling * cpuUtil)
    if (governed) {
      const heat = Math.max(0, tGpu - 70) / 10
      const firings = (heat > 0 ? 2 : 0) + (over > 0 ? 1 : 0) + (next() < 0.1 ? 1 : 0)
      let applied = 0
      let rejected = 0
      if (heat > 0 && i % 5 === 0) {
        if (gpuLimit > 180) {
          gpuLimit -= 10
          applied++
        } else rejected++ // at the lower bound: the gate says out_of_bounds
      }
      if (firings > 2 && next() < 0.3) rejected++ // rate limited
      extra.firings!.push(firings)
      extra.applied!.push(applied)
      extra.rejected!.push(rejected)
      summary.actionsApplied += applied
      summary.actionsRejected += rejected
      RESOURCES.forEach((r, k) => extra[`prices.${r}`]!.push(1 + 0.1 * k + (r === 'thermal_headroom' ? heat * 2 : 0) + (r === 'power_budget' ? over / 50 : 0)))
      extra['grants.cpu_cores']!.push(compiling ? 6 : 2)
      extra['grants.gpu_compute']!.push(gpuUtil)
      extra['grants.power_budget']!.push(Math.min(330, pCpu + pGpu))
    }
  }
  if (!governed) {
    // A static baseline applies its actuations once at t = 0 and has no market series.
    summary.actionsApplied = 2
    for (const k of Object.keys(extra)) delete extra[k]
  }
  return {
    label,
    ...(governed ? {} : { baseline: 'static' as const }),
    summary,
    series: { tMs, temperatures: temps, powerW: power, extra },
  }
}

function syntheticReport(name = 'game_and_compile'): BacktestReport {
  return {
    scenario: { name, description: 'A 60 fps game frame loop beside a parallel compile that starts at 10 s.', durationS: 60, tickMs: 100 },
    runs: [simulateRun('policy', 60, 100, 7), simulateRun('baseline', 60, 100, 7)],
  }
}

/** Charts the page must draw for the synthetic report, by `<svg>` id. */
const EXPECTED_CHARTS = [
  'chart-temperatures',
  'chart-power',
  'chart-prices',
  // One grants chart per resource: cores and watts do not share an axis.
  'chart-grants-0-cpu-cores',
  'chart-grants-1-gpu-compute',
  'chart-grants-2-power-budget',
  'chart-firings',
  'chart-actions',
]

/** The hover data block of a rendered page: the points drawn per chart and line. */
function drawnData(html: string): Record<string, { lines: Array<{ name: string; run: string; v: Array<number | null> }> }> {
  const json = /<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html)![1]!
  return (JSON.parse(json) as { charts: ReturnType<typeof drawnData> }).charts
}

const HOSTILE = '</script><img src=x onerror="document.title=\'pwned\'">'

// ---------------------------------------------------------------- text checks (no browser)

test('the page is self-contained: no URL to fetch, no external font, a CSP that allows no network', (t) => {
  const html = renderBacktestReport(syntheticReport())
  t.true(html.startsWith('<!doctype html>'))
  t.notRegex(html, /\b(src|href)\s*=/i, 'no src= or href= attributes at all')
  t.notRegex(html, /https?:\/\//, 'no URLs')
  t.notRegex(html, /@import|@font-face|url\((?!#)/i, 'no url() but local clip-path references')
  t.regex(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none';[^"]*script-src 'sha256-[A-Za-z0-9+/=]+'/)
  t.deepEqual([...html.matchAll(/<svg class="chart" id="([^"]+)"/g)].map((m) => m[1]), EXPECTED_CHARTS)
})

test('resources never granted in any run share one note instead of flat charts', (t) => {
  const report = syntheticReport()
  const policy = report.runs[0]!
  policy.series.extra['grants.gpu_memory'] = policy.series.tMs.map(() => 0)
  policy.series.extra['grants.thermal_headroom'] = policy.series.tMs.map(() => 0)
  const html = renderBacktestReport(report)
  const ids = [...html.matchAll(/<figure data-chart="([^"]+)"/g)].map((m) => m[1])
  t.false(ids.some((id) => /gpu-memory|thermal-headroom/.test(id!)))
  t.true(ids.includes('chart-grants-none'))
  t.regex(html, /<figcaption>Grants: gpu_memory, thermal_headroom<\/figcaption><p class="empty">Nothing of these resources was granted in any run\.<\/p>/)
  t.is([...html.matchAll(/<svg class="chart" id="([^"]+)"/g)].length, EXPECTED_CHARTS.length, 'the granted resources keep their charts')
})

test('prices spanning decades get a log axis; the time axis starts at 0 when samples start one tick in', (t) => {
  const report = syntheticReport()
  const policy = report.runs[0]!
  policy.series.tMs = policy.series.tMs.map((ms) => ms + 100)
  policy.series.extra['prices.power_budget'] = policy.series.tMs.map(() => 400)
  policy.series.extra['prices.gpu_memory'] = policy.series.tMs.map((_, i) => 1e-4 * (1 + i / 1000))
  const html = renderBacktestReport(report)
  const prices = /<svg class="chart" id="chart-prices".*?<\/svg>/s.exec(html)![0]
  t.regex(prices, />credits per unit \(log scale\)</)
  const yTicks = [...prices.matchAll(/<text x="54" y="[\d.]+" text-anchor="end" dominant-baseline="middle">([^<]+)</g)].map((m) => m[1])
  t.deepEqual(yTicks, ['1e-4', '0.001', '0.01', '0.1', '1', '10', '100', '1000'])
  const temps = /<svg class="chart" id="chart-temperatures".*?<\/svg>/s.exec(html)![0]
  t.regex(temps, /<text x="60" y="[\d.]+" text-anchor="middle">0<\/text>/, 'a 0 s tick at the left edge')
  t.notRegex(temps, /log scale/, 'temperatures stay linear')
})

test('the actions chart is a running total that ends at the summary counts', (t) => {
  const report = syntheticReport()
  const lines = drawnData(renderBacktestReport(report))['chart-actions']!.lines
  const policy = report.runs[0]!.summary
  t.is(lines.find((l) => l.name === 'applied' && l.run === 'policy')!.v.at(-1), policy.actionsApplied)
  t.is(lines.find((l) => l.name === 'rejected' && l.run === 'policy')!.v.at(-1), policy.actionsRejected)
  t.true(policy.actionsApplied > 0 && policy.actionsRejected > 0, 'the fixture has both')
})

test('text from the data stays text: a hostile scenario name, description and series names are escaped', (t) => {
  const report = syntheticReport(HOSTILE)
  report.scenario.description = '<script>alert(1)</script> & "quotes"'
  const run = report.runs[0]!
  run.series.temperatures['<b onmouseover=alert(1)>gpu</b>'] = run.series.temperatures.cpu!.slice()
  run.series.extra['"><svg onload=alert(1)>'] = run.series.extra.firings!.slice()
  const html = renderBacktestReport(report)
  t.false(html.includes('<img'), 'no img element')
  t.false(html.includes('<script>alert'), 'description not a script')
  t.false(html.includes('<svg onload'), 'extra series name not markup')
  t.false(html.includes('<b onmouseover'), 'series name not markup')
  t.is(html.match(/<script\b/g)?.length, 2, 'only the data block and the hover script')
  t.is(html.match(/<\/script>/g)?.length, 2, 'no early </script>: the JSON block escapes <')
  t.true(html.includes('&lt;/script&gt;&lt;img src=x onerror=&quot;document.title=&#39;pwned&#39;&quot;&gt;'))
  t.true(html.includes('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;'))
})

test('empty reports and empty series render without NaN: every chart says "no data"', (t) => {
  const empty: BacktestRun = {
    label: 'policy',
    summary: { secondsAboveThermalLimit: 0, powerCapOvershootS: 0, powerCapOvershootWs: 0, priorityDeadlineMisses: 0, priorityThroughput: 0, totalThroughput: 0, actionsApplied: 0, actionsRejected: 0 },
    series: { tMs: [], temperatures: { cpu: [] }, powerW: {}, extra: { firings: [] } },
  }
  for (const runs of [[], [empty]]) {
    const html = renderBacktestReport({ scenario: { name: 'empty', description: '', durationS: 0, tickMs: 100 }, runs })
    t.notRegex(html, /NaN|Infinity|undefined/)
    t.false(html.includes('<path'), 'nothing drawn')
    t.is(html.match(/No data recorded for this chart/g)?.length, 6)
  }
})

test('gaps (null, NaN) and a flat series: no NaN in the output, the pen lifts at gaps', (t) => {
  const report = syntheticReport()
  const run = report.runs[0]!
  const cpu = run.series.temperatures.cpu as Array<number | null>
  cpu[100] = null
  cpu[101] = Number.NaN
  cpu[102] = Number.POSITIVE_INFINITY
  run.series.powerW = { flat: run.series.tMs.map(() => 42) }
  run.series.extra['grants.cpu_cores'] = [3] // far shorter than tMs: drawn as far as it goes
  run.summary.totalThroughput = Number.NaN
  const html = renderBacktestReport(report)
  t.notRegex(html, /NaN|Infinity/)
  const temps = /<svg class="chart" id="chart-temperatures".*?<\/svg>/s.exec(html)![0]
  // The cpu line of the policy run is split in two at the gap (two M commands), the others are not.
  const cpuPath = /<path class="line" data-line="0" d="([^"]+)"/.exec(temps)![1]!
  t.is(cpuPath.match(/M/g)?.length, 2)
  t.true(/<td data-run="0" data-metric="totalThroughput">—<\/td>/.test(html), 'a NaN summary value shows as a dash')
})

test('same report, same bytes', (t) => {
  t.is(renderBacktestReport(syntheticReport()), renderBacktestReport(syntheticReport()))
})

test('a long run is thinned for drawing but keeps its peak', (t) => {
  const n = 36_000 // one hour at 10 Hz
  const values = Array.from({ length: n }, (_, i) => 50 + 10 * Math.sin(i / 500))
  values[12_345] = 99.5 // a one-sample spike must survive thinning
  const report: BacktestReport = {
    scenario: { name: 'long', description: '', durationS: 3600, tickMs: 100 },
    runs: [{ ...syntheticReport().runs[0]!, series: { tMs: values.map((_, i) => i * 100), temperatures: { cpu: values }, powerW: {}, extra: {} } }],
  }
  const html = renderBacktestReport(report)
  t.true(html.length < 400_000, `${html.length} bytes`)
  const drawn = drawnData(html)['chart-temperatures']!.lines[0]!.v as number[]
  t.true(drawn.length <= 1000, `${drawn.length} points`)
  t.is(Math.max(...drawn), 99.5)
})

// ---------------------------------------------------------------- in headless Chromium

/** Debian's chromium: $GAMESA_CHROMIUM, else `chromium` (or `chromium-browser`) on the PATH. */
function findChromium(): string | undefined {
  const fromEnv = process.env.GAMESA_CHROMIUM
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : undefined
  for (const dir of (process.env.PATH ?? '').split(delimiter).concat(['/usr/bin'])) {
    for (const name of ['chromium', 'chromium-browser']) {
      const p = join(dir, name)
      try {
        if (statSync(p).isFile()) return p
      } catch {
        // not here
      }
    }
  }
  return undefined
}

const chromiumPath = findChromium()
// GAMESA_KEEP_REPORT=<dir> keeps the rendered pages and a screenshot there, to look at by eye.
const keep = process.env.GAMESA_KEEP_REPORT
const work = keep ?? mkdtempSync(join(tmpdir(), 'gamesa-report-'))
let browser: Browser | undefined

test.before(async () => {
  if (chromiumPath) browser = await chromium.launch({ executablePath: chromiumPath, headless: true })
})
test.after.always(async () => {
  await browser?.close()
  if (!keep) rmSync(work, { recursive: true, force: true })
})

interface Opened {
  page: Page
  /** Every request other than the report file itself (must stay empty). */
  requests: string[]
  /** Console errors and warnings, page errors, failed loads. */
  problems: string[]
}

/** Writes `html` to a file and opens it offline: every request but the file itself is aborted and recorded. */
async function open(html: string, file: string): Promise<Opened> {
  const path = join(work, file)
  writeFileSync(path, html)
  const url = pathToFileURL(path).href
  const context = await browser!.newContext({ offline: true, viewport: { width: 1400, height: 1000 } })
  const requests: string[] = []
  const problems: string[] = []
  await context.route('**/*', (route) => {
    const u = route.request().url()
    if (u === url) return route.continue()
    requests.push(u)
    return route.abort()
  })
  const page = await context.newPage()
  page.on('request', (r) => {
    if (r.url() !== url && !requests.includes(r.url())) requests.push(r.url())
  })
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console.${m.type()}: ${m.text()}`)
  })
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`))
  page.on('requestfailed', (r) => problems.push(`requestfailed: ${r.url()}`))
  await page.goto(url, { waitUntil: 'load' })
  return { page, requests, problems }
}

const browserTest = chromiumPath ? test.serial : test.skip
const why = chromiumPath ? '' : ' (SKIPPED: no chromium on this machine — `apt-get install -y chromium`, or set GAMESA_CHROMIUM)'

browserTest(`in Chromium, offline: every chart drew, the table holds the numbers, hover works, console clean${why}`, async (t) => {
  const report = syntheticReport()
  const { page, requests, problems } = await open(renderBacktestReport(report), 'report.html')

  // Every chart: an <svg> with a real box, and at least one line with path data and a box.
  const svgs = page.locator('svg.chart')
  t.deepEqual(await svgs.evaluateAll((els) => els.map((e) => e.id)), EXPECTED_CHARTS)
  t.is(await page.locator('.empty').count(), 0, 'no chart without data')
  for (const id of EXPECTED_CHARTS) {
    const svg = page.locator(`svg#${id}`)
    const box = await svg.boundingBox()
    t.truthy(box && box.width > 300 && box.height > 100, `${id} box ${JSON.stringify(box)}`)
    const lines = svg.locator('path.line')
    const count = await lines.count()
    t.true(count > 0, `${id} has lines`)
    for (let i = 0; i < count; i++) {
      const d = (await lines.nth(i).getAttribute('d')) ?? ''
      t.regex(d, /^M[\d.]+ [\d.]+L/, `${id} line ${i} has path data`)
      const lb = await lines.nth(i).boundingBox()
      t.truthy(lb && lb.width > 100, `${id} line ${i} spans the plot: ${JSON.stringify(lb)}`)
    }
    t.true((await svg.locator('.x-axis text').count()) >= 3, `${id} has x ticks`)
    t.true((await svg.locator('.y-axis text').count()) >= 3, `${id} has y ticks and a unit`)
  }
  // Policy and baseline overlaid: the temperature chart has cpu and gpu0 for both runs (4 lines),
  // the baseline dashed.
  t.is(await page.locator('#chart-temperatures path.line').count(), 4)
  t.is(await page.locator('#chart-temperatures path.line[stroke-dasharray]').count(), 2)
  t.is(await page.locator('#chart-prices path.line').count(), 6, 'one price line per resource')

  // The summary table: policy and baseline side by side with the exact numbers.
  t.deepEqual(await page.locator('table.summary thead th').allTextContents(), ['Metric', 'Unit', 'policy', 'baseline (static)', 'policy − baseline (static)'])
  for (const [i, run] of report.runs.entries()) {
    for (const [key, value] of Object.entries(run.summary)) {
      const cell = page.locator(`table.summary td[data-run="${i}"][data-metric="${key}"]`)
      t.is(Number(await cell.getAttribute('data-value')), value, `${run.label} ${key}`)
      const shown = Number(await cell.textContent())
      t.true(Math.abs(shown - value) <= Math.max(0.05, Math.abs(value) * 1e-3), `${run.label} ${key}: shows ${shown} for ${value}`)
    }
  }
  const policy = report.runs[0]!.summary
  const baseline = report.runs[1]!.summary
  t.true(policy.priorityDeadlineMisses < baseline.priorityDeadlineMisses, 'the fixture is realistic: the policy misses fewer frames')
  t.is(await page.locator('td.better[data-metric="priorityDeadlineMisses"]').getAttribute('data-run'), '0')

  // The hover script ran (it is allowed by the CSP hash) and reads values at the cursor.
  const svg = page.locator('svg#chart-temperatures')
  const box = (await svg.boundingBox())!
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2)
  const tip = page.locator('figure[data-chart="chart-temperatures"] .tip')
  t.true(await tip.isVisible())
  t.regex((await tip.textContent()) ?? '', /^t = \d+(\.\d+)? s.*cpu \(policy\): \d+\.\d+.*gpu0 \(baseline \(static\)\): \d+\.\d+/)

  t.deepEqual(requests, [], 'no network request was attempted')
  t.deepEqual(problems, [], 'console and page had no errors')
  await page.screenshot({ path: join(work, 'report.png'), fullPage: true })
  await page.context().close()
})

browserTest(`in Chromium: a hostile scenario name is shown as text and runs nothing${why}`, async (t) => {
  const report = syntheticReport(HOSTILE)
  report.runs[0]!.series.temperatures[HOSTILE] = report.runs[0]!.series.temperatures.cpu!.slice()
  const { page, requests, problems } = await open(renderBacktestReport(report), 'hostile.html')
  t.is(await page.locator('h1 .scenario-name').textContent(), HOSTILE)
  t.is(await page.title(), `Backtest: ${HOSTILE}`)
  t.is(await page.locator('img').count(), 0)
  t.is(await page.locator('script').count(), 2)
  t.true((await page.locator('#chart-temperatures ~ ul.legend').textContent())!.includes(HOSTILE))
  t.deepEqual(requests, [])
  t.deepEqual(problems, [])
  await page.context().close()
})

test('the report shows the market working: grants per agent, exchange rates and the settings they became', (t) => {
  const report = runBacktest(builtinScenarios().find((s) => s.name === 'two_gpus_one_cap')!.json, readFileSync('samples/engine.json', 'utf8'), 'static')
  const policy = report.runs.find((r) => r.label === 'policy')!
  const names = Object.keys(policy.series.extra)
  t.true(names.includes('grants.power_budget.gpu_agent'), names.join(', '))
  t.true(names.includes('rates.power_budget'))
  t.true(names.includes('settings.set_gpu_power_limit.gpu0'))
  t.true(names.includes('settings.set_gpu_power_limit.gpu1'))
  // Each GPU's limit stays within its range, and the two together under the 700 W cap.
  const g0 = policy.series.extra['settings.set_gpu_power_limit.gpu0']!
  const g1 = policy.series.extra['settings.set_gpu_power_limit.gpu1']!
  t.true(g0.every((w, i) => w === null || g1[i] === null || (w >= 150 && w + g1[i]! <= 700)))
  const html = renderBacktestReport(report)
  t.regex(html, /<figcaption>Grants: power_budget, in total and per agent \(units granted\)<\/figcaption>/)
  t.regex(html, /<figcaption>Exchange rates: cores one unit is worth \(cores per unit\)<\/figcaption>/)
  t.regex(html, /<figcaption>Settings applied: set_gpu_power_limit \(value set\)<\/figcaption>/)
})
