// `gamesa run --metrics` scraped by a real Prometheus (Debian's `prometheus` package): the run
// serves on loopback, Prometheus (also on loopback, storage in a temp dir) scrapes it every
// second; after two scrapes its HTTP API is asked for a few series, and for every query of the
// Grafana dashboard (each must parse and run). `promtool check metrics` lints the same output.
import test from 'ava'
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { findTool } from './helpers/tools.js'
import { dashboardQueries } from './helpers/dashboard.js'

const prometheus = findTool('prometheus', 'GAMESA_PROMETHEUS')
const promtool = findTool('promtool', 'GAMESA_PROMTOOL')
const why = prometheus && promtool ? '' : ' (SKIPPED: no prometheus / promtool on this machine — `apt-get install -y prometheus`, or set GAMESA_PROMETHEUS and GAMESA_PROMTOOL)'
const withPrometheus = prometheus && promtool ? test.serial : test.skip

const NODE_ARGS = ['--conditions=gamesa-source', '--import', '@oxc-node/core/register', 'src/cli/gamesa.ts']
const work = mkdtempSync(join(tmpdir(), 'gamesa-prometheus-'))
const children: ChildProcess[] = []

/** Ends a child (SIGTERM, then SIGKILL after 5 s) and waits for it. */
function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5000)
    child.once('exit', () => {
      clearTimeout(kill)
      resolve()
    })
    child.kill('SIGTERM')
  })
}

test.after.always(async () => {
  await Promise.all(children.map(stop))
  rmSync(work, { recursive: true, force: true })
})

/** A port nothing listens on now (the kernel's pick; free again once closed). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const a = s.address()
      s.close(() => resolve(typeof a === 'object' && a !== null ? a.port : 0))
    })
  })
}

/** Waits for `pattern` in a child's output; rejects when it exits first or after `ms`. */
function waitForLine(child: ChildProcess, stream: NodeJS.ReadableStream, pattern: RegExp, ms: number): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let text = ''
    const timer = setTimeout(() => reject(new Error(`no ${pattern} within ${ms} ms; output: ${text}`)), ms)
    const onData = (chunk: Buffer) => {
      text += chunk.toString()
      const m = pattern.exec(text)
      if (m) {
        clearTimeout(timer)
        stream.off('data', onData)
        resolve(m)
      }
    }
    stream.on('data', onData)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`exited with ${code} before ${pattern}; output: ${text}`))
    })
  })
}

interface Sample {
  metric: Record<string, string>
  value?: [number, string]
  values?: [number, string][]
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

withPrometheus(`a real Prometheus scrapes gamesa run --metrics twice; its API returns the series and every dashboard query runs${why}`, async (t) => {
  t.timeout(120_000)
  const run = spawn(process.execPath, [...NODE_ARGS, 'run', '--rate', '20', '--metrics', '127.0.0.1:0'], { stdio: ['ignore', 'ignore', 'pipe'] })
  children.push(run)
  const [, endpoint] = await waitForLine(run, run.stderr!, /metrics at (http:\/\/127\.0\.0\.1:\d+\/metrics)/, 30_000)
  const target = new URL(endpoint!).host

  const port = await freePort()
  const config = join(work, 'prometheus.yml')
  writeFileSync(config, ['global:', '  scrape_interval: 1s', '  scrape_timeout: 1s', 'scrape_configs:', '  - job_name: gamesa', '    static_configs:', `      - targets: ['${target}']`, ''].join('\n'))
  const prom = spawn(prometheus!, [`--config.file=${config}`, `--storage.tsdb.path=${join(work, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  children.push(prom)
  let promLog = ''
  prom.stderr!.on('data', (c: Buffer) => (promLog += c.toString()))
  const api = `http://127.0.0.1:${port}/api/v1`
  const query = async (q: string): Promise<Sample[]> => {
    const res = await fetch(`${api}/query?query=${encodeURIComponent(q)}`)
    const body = (await res.json()) as { status: string; error?: string; data?: { result: Sample[] } }
    if (body.status !== 'success') throw new Error(`${q}: ${body.error ?? res.status}`)
    return body.data!.result
  }

  // Two scrapes of the endpoint, both up.
  const deadline = Date.now() + 60_000
  let scrapes = 0
  for (;;) {
    try {
      const r = await query('count_over_time(up{job="gamesa"}[5m])')
      scrapes = r.length > 0 ? Number(r[0]!.value![1]) : 0
    } catch {
      // Prometheus is still starting
    }
    if (scrapes >= 2) break
    if (Date.now() > deadline || prom.exitCode !== null) t.fail(`${scrapes} scrapes within 60 s; prometheus: ${promLog}`)
    if (Date.now() > deadline || prom.exitCode !== null) return
    await sleep(250)
  }
  const up = await query('min_over_time(up{job="gamesa"}[5m])')
  t.is(up[0]?.value?.[1], '1', 'every scrape succeeded')

  // The tick counter grows from one scrape to the next.
  const ticks = await query('gamesa_ticks_total[5m]')
  t.is(ticks.length, 1)
  const counts = ticks[0]!.values!.map(([, v]) => Number(v))
  t.true(counts.length >= 2, `${counts.length} samples`)
  t.true(counts.every((c, i) => i === 0 || c > counts[i - 1]!), `ticks grow: ${counts.join(', ')}`)

  // A price per resource, positive; exchange rates with price(from) / price(to) = rate.
  const prices = await query('gamesa_market_price_credits')
  t.deepEqual(prices.map((s) => s.metric.resource).sort(), ['cpu_cores', 'cpu_time', 'gpu_compute', 'gpu_memory', 'power_budget', 'thermal_headroom'])
  t.true(prices.every((s) => Number(s.value![1]) > 0))
  const selfRates = await query('gamesa_market_exchange_rate{from="cpu_time", to="cpu_time"}')
  t.is(selfRates[0]?.value?.[1], '1')

  // The tick-duration histogram answers a quantile; /proc/stat is read on any Linux.
  const p99 = await query('histogram_quantile(0.99, sum by (le) (rate(gamesa_tick_duration_seconds_bucket[1m])))')
  t.true(Number(p99[0]?.value?.[1]) > 0, `p99 ${p99[0]?.value?.[1]}`)
  const procStat = await query('gamesa_telemetry_source_status{source="proc_stat"} == 1')
  t.deepEqual(procStat.map((s) => s.metric.status), ['present'])
  const grants = await query('sum by (agent, resource) (gamesa_grant_amount)')
  t.true(grants.length > 0, 'samples/engine.json grants something every tick')

  // Every dashboard query parses and runs here (absent series, e.g. GPU readings, give an empty result, not an error).
  for (const { panel, expr } of dashboardQueries()) {
    const q = expr.replaceAll('$__rate_interval', '1m').replaceAll('$instance', '.*').replaceAll('$job', '.*')
    await t.notThrowsAsync(query(q), `${panel}: ${q}`)
  }

  // promtool lints the exposition as Prometheus would read it.
  const text = await (await fetch(endpoint!)).text()
  const lint = spawnSync(promtool!, ['check', 'metrics'], { input: text, encoding: 'utf8' })
  t.is(lint.status, 0, `promtool check metrics: ${lint.stdout}${lint.stderr}`)
  t.is(`${lint.stdout}${lint.stderr}`.trim(), '', 'no lint findings')

  await Promise.all([stop(prom), stop(run)])
  t.is(run.exitCode, 143, 'the run stops cleanly on SIGTERM')
  await t.throwsAsync(fetch(endpoint!), undefined, 'the endpoint closed with the run')
})
