// The metrics of `gamesa run --metrics` (src/metrics/): the address rules (loopback unless
// asked), the series a real engine's ticks, readings and live workload passes give, the
// journal count, and the command's flags end to end. A real Prometheus scraping the endpoint
// is metrics_prometheus.test.ts.
import test from 'ava'
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { networkInterfaces, tmpdir } from 'node:os'
import { join } from 'node:path'
import type { MetricObjectWithValues, MetricValue } from 'prom-client'
import { Engine, type TickOutput } from '../src/engine.js'
import { LiveWorkloads, protectConfig } from '../src/workloads.js'
import type { TelemetrySnapshot } from '../src/telemetry.js'
import { parseMetricsAddress } from '../src/metrics/address.js'
import { journalEntries } from '../src/metrics/live_metrics.js'
import { RunMetrics, configAgentIds } from '../src/metrics/run_metrics.js'
import { reading } from './helpers/inputs.js'
import { applyLock } from './helpers/apply_lock.ts'

const CONFIG = join('samples', 'engine.json')
const configText = readFileSync(CONFIG, 'utf8')
const work = mkdtempSync(join(tmpdir(), 'gamesa-metrics-'))
test.after.always(() => rmSync(work, { recursive: true, force: true }))

// ------------------------------------------------------------------ the address

test('a bare port listens on loopback; other hosts only when the address names them', (t) => {
  t.deepEqual(parseMetricsAddress('9464'), { host: '127.0.0.1', port: 9464 })
  t.deepEqual(parseMetricsAddress('127.0.0.1:0'), { host: '127.0.0.1', port: 0 })
  t.deepEqual(parseMetricsAddress('0.0.0.0:9464'), { host: '0.0.0.0', port: 9464 })
  t.deepEqual(parseMetricsAddress('localhost:9464'), { host: 'localhost', port: 9464 })
  t.deepEqual(parseMetricsAddress('[::1]:9464'), { host: '::1', port: 9464 })
  t.deepEqual(parseMetricsAddress('[::]:9464'), { host: '::', port: 9464 })
  for (const [bad, message] of [
    [':9464', /no host before the colon/],
    ['9464x', /give PORT, HOST:PORT/],
    ['example.com:9464', /not an IPv4 address or localhost/],
    ['127.0.0.1:65536', /port must be a number from 0 to 65535/],
    ['127.0.0.1:', /port must be a number/],
    ['::1:9464', /IPv6 address in brackets/],
    ['[10.0.0.1]:9464', /not an IPv6 address/],
    ['', /give PORT/],
  ] as const) {
    t.throws(() => parseMetricsAddress(bad), { message }, bad)
  }
})

// ------------------------------------------------------------------ series from real ticks

type Json = MetricObjectWithValues<MetricValue<string>>

async function scrape(metrics: RunMetrics): Promise<Map<string, Json>> {
  const all = (await metrics.registry.getMetricsAsJSON()) as Json[]
  return new Map(all.map((m) => [m.name, m]))
}

function value(m: Json | undefined, labels: Record<string, string>): number | undefined {
  return m?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l) && Object.keys(v.labels).length === Object.keys(labels).length)?.value
}

function snapshot(t: number, values: Record<string, number>): TelemetrySnapshot {
  return {
    timestampMs: 1_764_000_000_000 + t * 100,
    values,
    absent: {},
    sources: { proc_stat: { status: 'present' }, nvml: { status: 'unsupported', reason: 'no NVML library' }, rapl: { status: 'permission_denied', reason: 'root only' } },
  }
}

test('market and decision series are what the engine output says, tick after tick', async (t) => {
  const engine = new Engine(configText)
  const metrics = new RunMetrics({ configText, engine })
  const agents = configAgentIds(configText)
  t.deepEqual(agents, (JSON.parse(configText) as { agents: { id: string }[] }).agents.map((a) => a.id))
  // Both of the run's paths, in turn: the full output (--json), and the live view's decisions
  // (tickValues, its prices under `market`, as the run passes them).
  const outputs: TickOutput[] = []
  for (let i = 0; i < 40; i++) {
    const s = snapshot(i, reading(i).values)
    if (i % 2 === 0) {
      const out = engine.tick(s, s.timestampMs)
      metrics.afterTick(out, 0.0002 * (1 + (i % 3)), s, undefined)
    } else {
      const values = new Float64Array(engine.inputNames.length).fill(Number.NaN)
      engine.inputNames.forEach((name, k) => (values[k] = s.values[name] ?? Number.NaN))
      const d = engine.tickValues(values, s.timestampMs)
      metrics.afterTick({ ...d, market: { prices: d.prices, nextPrices: d.nextPrices, demand: d.demand, supply: d.supply } }, 0.0002 * (1 + (i % 3)), s, undefined)
    }
    outputs.push(engine.lastTick()!)
  }
  const m = await scrape(metrics)
  const last = outputs.at(-1)!
  t.is(value(m.get('gamesa_ticks_total'), {}), 40)
  for (const [resource, price] of Object.entries(last.market.prices)) {
    t.is(value(m.get('gamesa_market_price_credits'), { resource }), price, resource)
    t.is(value(m.get('gamesa_market_next_price_credits'), { resource }), last.market.nextPrices[resource as keyof typeof last.market.prices])
    t.is(value(m.get('gamesa_market_supply'), { resource }), last.market.supply[resource as keyof typeof last.market.prices])
  }
  t.is(value(m.get('gamesa_market_exchange_rate'), { from: 'thermal_headroom', to: 'cpu_cores' }), last.rates.thermal_headroom.cpu_cores)
  // Grants: several bids of one agent on one resource add up; the agent is named by its id.
  const sums = new Map<string, number>()
  for (const g of last.market.grants) sums.set(`${agents[g.agent]}/${g.resource}`, (sums.get(`${agents[g.agent]}/${g.resource}`) ?? 0) + g.amount)
  t.true(sums.size > 0)
  const grants = m.get('gamesa_grant_amount')!.values
  t.is(grants.length, sums.size)
  for (const v of grants) t.is<number | undefined, number | undefined>(v.value, sums.get(`${v.labels.agent}/${v.labels.resource}`), `${v.labels.agent}/${v.labels.resource}`)
  // Counters: the sums over every tick.
  const count = (f: (o: TickOutput) => number) => outputs.reduce((n, o) => n + f(o), 0)
  const decisions = m.get('gamesa_gate_decisions_total')!.values
  t.is(decisions.filter((v) => v.labels.outcome === 'approved').reduce((n, v) => n + v.value, 0), count((o) => o.approved.length))
  t.is(decisions.filter((v) => v.labels.outcome === 'rejected').reduce((n, v) => n + v.value, 0), count((o) => o.rejected.length))
  t.true(count((o) => o.approved.length + o.rejected.length) > 0, 'the reading makes the sample rules propose actions')
  for (const v of decisions.filter((d) => d.labels.outcome === 'rejected')) {
    t.is(v.value, count((o) => o.rejected.filter((r) => r.reason === v.labels.reason && r.kind === v.labels.kind).length))
  }
  const firings = m.get('gamesa_rule_firings_total')?.values ?? []
  t.is(firings.filter((v) => v.labels.mode === 'active').reduce((n, v) => n + v.value, 0), count((o) => o.firings.active.length))
  t.is(firings.filter((v) => v.labels.mode === 'shadow').reduce((n, v) => n + v.value, 0), count((o) => o.firings.shadow.length))
  t.is(value(m.get('gamesa_emergency_mode'), {}), last.emergency ? 1 : 0)
  // A histogram's values carry the series name they belong to (_bucket, _sum, _count).
  const hist = m.get('gamesa_tick_duration_seconds')!.values as (MetricValue<string> & { metricName?: string })[]
  t.is(hist.find((v) => v.metricName === 'gamesa_tick_duration_seconds_count')?.value, 40)
  const bucket = (le: number) => hist.find((v) => v.metricName === 'gamesa_tick_duration_seconds_bucket' && v.labels.le === le)?.value
  // 14 ticks of 0.2 ms, 13 of 0.4 ms, 13 of 0.6 ms.
  t.is(bucket(0.00025), 14)
  t.is(bucket(0.0005), 27)
  t.is(bucket(0.001), 40)
  metrics.close()
})

test('an overheated machine: emergency mode 1, the gate\'s emergency rejections and the contract violations counted, 0 again once cool', async (t) => {
  const engine = new Engine(configText)
  const metrics = new RunMetrics({ configText, engine })
  const fast = (values: Record<string, number>, nowMs: number) => {
    const packed = new Float64Array(engine.inputNames.length).fill(Number.NaN)
    engine.inputNames.forEach((name, k) => (packed[k] = values[name] ?? Number.NaN))
    const d = engine.tickValues(packed, nowMs)
    return { ...d, market: { prices: d.prices, nextPrices: d.nextPrices, demand: d.demand, supply: d.supply } }
  }
  let emergencyRejections = 0
  let violations = 0
  for (let i = 0; i < 6; i++) {
    const s = snapshot(i, { ...reading(i).values, 'thermal.cpu_c': 101, 'thermal.headroom_c': 1 })
    const d = fast(s.values, s.timestampMs)
    emergencyRejections += d.rejected.filter((r) => r.reason === 'emergency').length
    violations += d.violations
    metrics.afterTick(d, 0.0001, s, undefined)
  }
  let m = await scrape(metrics)
  t.is(value(m.get('gamesa_emergency_mode'), {}), 1)
  t.true(emergencyRejections > 0 && violations > 0, `${emergencyRejections} rejections, ${violations} violations`)
  const rejected = m.get('gamesa_gate_decisions_total')!.values.filter((v) => v.labels.outcome === 'rejected' && v.labels.reason === 'emergency')
  t.is(rejected.reduce((n, v) => n + v.value, 0), emergencyRejections)
  t.is(value(m.get('gamesa_contract_violations_total'), {}), violations)
  let cool = false
  for (let i = 6; i < 200 && !cool; i++) {
    const s = snapshot(i, reading(i).values)
    const d = fast(s.values, s.timestampMs)
    metrics.afterTick(d, 0.0001, s, undefined)
    cool = !d.emergency
  }
  t.true(cool, 'the emergency ends once the machine is cool')
  m = await scrape(metrics)
  t.is(value(m.get('gamesa_emergency_mode'), {}), 0)
  metrics.close()
})

test('telemetry: a state set per source, readings in base units, an absent reading absent', async (t) => {
  const engine = new Engine(configText)
  const metrics = new RunMetrics({ configText, engine })
  const values = reading(0).values
  const s = snapshot(0, values)
  metrics.afterTick(engine.tick(s), 0.001, s, undefined)
  let m = await scrape(metrics)
  t.is(value(m.get('gamesa_temperature_celsius'), { device: 'cpu' }), values['thermal.cpu_c'])
  t.is(value(m.get('gamesa_temperature_celsius'), { device: 'gpu0' }), 70)
  t.is(value(m.get('gamesa_power_watts'), { device: 'gpu0' }), 190)
  t.is(value(m.get('gamesa_power_watts'), { device: 'cpu' }), 90)
  t.is(value(m.get('gamesa_power_limit_watts'), { device: 'gpu0' }), 250)
  t.is(value(m.get('gamesa_thermal_headroom_celsius'), { device: 'cpu' }), values['thermal.headroom_c'])
  t.is(value(m.get('gamesa_telemetry_source_status'), { source: 'rapl', status: 'permission_denied' }), 1)
  t.is(value(m.get('gamesa_telemetry_source_status'), { source: 'rapl', status: 'present' }), 0)
  t.is(m.get('gamesa_telemetry_source_status')!.values.length, 15, '3 sources × 5 states')
  // The GPU goes away: its series go with it (not a stale 70, not 0).
  const { 'gpu0.temp_c': _t, 'gpu0.power_w': _p, ...rest } = values
  const s2 = snapshot(1, { ...rest, 'power.cpu_w': Number.NaN })
  metrics.afterTick(engine.tick(s2), 0.001, s2, undefined)
  m = await scrape(metrics)
  t.is(value(m.get('gamesa_temperature_celsius'), { device: 'gpu0' }), undefined)
  t.is(value(m.get('gamesa_power_watts'), { device: 'gpu0' }), undefined)
  t.is(value(m.get('gamesa_power_watts'), { device: 'cpu' }), undefined)
  t.is(value(m.get('gamesa_temperature_celsius'), { device: 'cpu' }), values['thermal.cpu_c'])
  metrics.close()
})

test('live workloads: the protected workload latency measured on this process, moves and actuations counted by outcome', async (t) => {
  const engine = new Engine(configText)
  const metrics = new RunMetrics({ configText, engine })
  // This test's own process (node) is the protected workload; a dry run changes nothing.
  const live = new LiveWorkloads(protectConfig(['node']), { apply: false })
  try {
    live.pass()
    const until = Date.now() + 60
    while (Date.now() < until) Math.sqrt(Math.random()) // use CPU, so the threads get time slices
    const pass = live.pass()
    const delay = pass.variables['wl.priority.runq_delay_ms']
    t.is(typeof delay, 'number', 'measured on the second pass')
    const s = snapshot(0, { ...reading(0).values, ...pass.variables })
    metrics.afterTick(engine.tick(s), 0.001, s, pass)
    const results = live.apply([{ kind: 'set_cpu_weight', target: 'priority', value: 300 }])
    metrics.actuated(results)
    const m = await scrape(metrics)
    t.is(value(m.get('gamesa_workload_runq_delay_seconds'), { role: 'priority' }), delay! / 1000)
    t.is(value(m.get('gamesa_workload_processes'), { role: 'priority' }), pass.variables['wl.priority.processes'])
    t.true(value(m.get('gamesa_workload_processes'), { role: 'priority' })! >= 1)
    t.is(results[0]?.status, 'dry_run')
    t.is(value(m.get('gamesa_actuations_total'), { kind: 'set_cpu_weight', outcome: 'dry_run' }), 1)
    const moves = pass.moves.length
    t.is(value(m.get('gamesa_actuations_total'), { kind: 'move_to_group', outcome: 'dry_run' }), moves === 0 ? undefined : moves)
    t.is(m.get('gamesa_restore_journal_entries'), undefined, 'a dry run journals nothing and exports no journal count')
  } finally {
    live.close()
    metrics.close()
  }
})

test('the restore journal count is the journal file’s complete lines, read at each scrape', async (t) => {
  const journal = join(work, 'actuation.journal')
  t.is(journalEntries(journal), 0, 'not written yet')
  const metrics = new RunMetrics({ configText, engine: new Engine(configText), journal })
  writeFileSync(journal, '{"seq":1}\n{"seq":2}\n')
  t.is(value((await scrape(metrics)).get('gamesa_restore_journal_entries'), {}), 2)
  writeFileSync(journal, '{"seq":1}\n{"seq":2}\n{"seq":3}\n{"se')
  t.is(value((await scrape(metrics)).get('gamesa_restore_journal_entries'), {}), 3, 'a torn last line is not an entry')
  metrics.close()
})

// ------------------------------------------------------------------ the command

const NODE_ARGS = ['--conditions=gamesa-source', '--import', '@oxc-node/core/register', 'src/cli/gamesa.ts']
function gamesa(...args: string[]) {
  return spawnSync(process.execPath, [...NODE_ARGS, ...args], { encoding: 'utf8', timeout: 60_000 })
}

test('bad --metrics flags are usage errors (exit 2) that say what is wrong', (t) => {
  let r = gamesa('run', '--metrics', 'example.com:80', '--duration', '1s')
  t.is(r.status, 2, r.stderr)
  t.regex(r.stderr, /--metrics example\.com:80: example\.com is not an IPv4 address or localhost/)
  r = gamesa('run', '--metrics', '9464', '--once')
  t.is(r.status, 2, r.stderr)
  t.regex(r.stderr, /--metrics and --once do not go together/)
  t.regex(gamesa('run', '--help').stdout, /--metrics \[<host>:\]<port>/)
})

test('an address in use ends the run with exit 2 before anything starts', async (t) => {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  try {
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [...NODE_ARGS, 'run', '--metrics', String(port), '--duration', '5s'], { stdio: ['ignore', 'ignore', 'pipe'] })
      let stderr = ''
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
      child.on('exit', (code) => resolve({ code, stderr }))
    })
    t.is(r.code, 2, r.stderr)
    t.regex(r.stderr, /--metrics: cannot listen: .*EADDRINUSE/)
  } finally {
    server.close()
  }
})

test('a bare port serves /metrics on loopback and on no other interface', async (t) => {
  const free = createServer()
  await new Promise<void>((resolve) => free.listen(0, '127.0.0.1', resolve))
  const port = (free.address() as { port: number }).port
  await new Promise((resolve) => free.close(resolve))
  const child = spawn(process.execPath, [...NODE_ARGS, 'run', '--rate', '20', '--metrics', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] })
  try {
    let stderr = ''
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not listening within 30 s: ${stderr}`)), 30_000)
      child.stderr.on('data', (c: Buffer) => {
        stderr += c.toString()
        if (stderr.includes(`metrics at http://127.0.0.1:${port}/metrics`)) {
          clearTimeout(timer)
          resolve()
        }
      })
    })
    const res = await fetch(`http://127.0.0.1:${port}/metrics`)
    t.is(res.status, 200)
    t.regex(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/)
    t.regex(await res.text(), /^gamesa_ticks_total \d+$/m)
    t.is((await fetch(`http://127.0.0.1:${port}/`)).status, 404)
    t.is((await fetch(`http://127.0.0.1:${port}/metrics`, { method: 'POST' })).status, 405)
    const outside = Object.values(networkInterfaces())
      .flat()
      .find((a) => a && a.family === 'IPv4' && !a.internal)
    if (outside) {
      await t.throwsAsync(fetch(`http://${outside.address}:${port}/metrics`), undefined, `${outside.address} must not answer`)
    } else {
      t.log('no non-loopback IPv4 interface here: only loopback was checked')
    }
  } finally {
    child.kill('SIGTERM')
    await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)))
  }
})

// ------------------------------------------------------------------ an applying run

/** The writable cgroup hierarchy with the cpu controller here: v2 (offering `cpu`) or v1 (`cpu` mounted). */
function cpuHierarchy(): { mount: string; weightFile: string; weight: string } | undefined {
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const [pre, post] = line.split(' - ')
    if (!pre || !post) continue
    const mount = pre.split(' ')[4]!
    const [fstype, , opts = ''] = post.split(' ')
    if (fstype === 'cgroup' && opts.split(',').includes('cpu') && !opts.split(',').includes('ro')) return { mount, weightFile: 'cpu.shares', weight: '10240' }
    if (fstype !== 'cgroup2') continue
    try {
      if (readFileSync(join(mount, 'cgroup.controllers'), 'utf8').split(/\s+/).includes('cpu')) return { mount, weightFile: 'cpu.weight', weight: '1000' }
    } catch {
      // not readable: not this one
    }
  }
  return undefined
}

/** One sample of `name{labels}` in a text exposition; undefined when the series is absent. */
function sampleOf(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `))
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1))
}

test('--apply --metrics: applied moves and settings are counted, and the journal count is the journal’s entries', async (t) => {
  const cpu = cpuHierarchy()
  if (process.getuid?.() !== 0 || !cpu) return t.pass('needs root and a writable cpu controller')
  await applyLock(t)
  const mount = cpu.mount
  const subtree = `gamesa-metrics-test-${process.pid}`
  const name = `gm${process.pid % 100000}`
  const sleeper = join(work, name)
  writeFileSync(sleeper, readFileSync('/bin/sleep'), { mode: 0o755 })
  const journal = join(work, 'apply.journal')
  const governor = spawn(
    process.execPath,
    [...NODE_ARGS, 'run', '--apply', '--protect', name, '--config', 'samples/live_protect.json', '--rate', '10', '--journal', journal, '--cgroup-subtree', subtree, '--metrics', '127.0.0.1:0'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  )
  const exited = new Promise<number | null>((resolve) => governor.once('exit', (code) => resolve(code)))
  let stderr = ''
  governor.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
  const worker = spawn(sleeper, ['60'])
  try {
    let url: string | undefined
    for (let i = 0; i < 600 && !url; i++) {
      url = /metrics at (\S+)/.exec(stderr)?.[1]
      await new Promise((r) => setTimeout(r, 50))
    }
    t.truthy(url, stderr)
    let text = ''
    for (let i = 0; i < 100; i++) {
      text = await (await fetch(url!)).text()
      if ((sampleOf(text, 'gamesa_actuations_total', 'kind="set_cpu_weight",outcome="applied"') ?? 0) >= 1 && (sampleOf(text, 'gamesa_actuations_total', 'kind="move_to_group",outcome="applied"') ?? 0) >= 1) break
      await new Promise((r) => setTimeout(r, 100))
    }
    t.true(sampleOf(text, 'gamesa_actuations_total', 'kind="set_cpu_weight",outcome="applied"')! >= 1, `${text}\n${stderr}`)
    t.true(sampleOf(text, 'gamesa_actuations_total', 'kind="move_to_group",outcome="applied"')! >= 1)
    t.is(readFileSync(join(mount, subtree, 'priority', cpu.weightFile), 'utf8').trim(), cpu.weight, 'the setting the counter says was applied')
    // The gauge is read at scrape time: once the governor is quiet (the group set, the
    // process moved), a scrape and the file agree.
    let entries: number | undefined
    let lines = -1
    for (let i = 0; i < 20 && entries !== lines; i++) {
      entries = sampleOf(await (await fetch(url!)).text(), 'gamesa_restore_journal_entries')
      lines = readFileSync(journal, 'utf8').split('\n').length - 1
      await new Promise((r) => setTimeout(r, 100))
    }
    t.log(`journal: ${lines} entries, the gauge ${entries}`)
    t.true(lines >= 2, `${lines} journal entries`)
    t.is(entries, lines)
    t.is(sampleOf(text, 'gamesa_workload_processes', 'role="priority"'), 1)
  } finally {
    governor.kill('SIGTERM')
    worker.kill('SIGKILL')
  }
  t.is(await exited, 143, stderr)
  t.false(readdirSync(mount).includes(subtree), 'the run removed its groups when it stopped')
})
