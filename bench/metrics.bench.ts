// What `gamesa run --metrics` adds to a tick, and what a scrape costs: the engine's live-path
// tick (`tickValues`, what the view uses) for scale, the metrics' `afterTick` (counters and
// gauges from the decisions and the reading), the engine's full output (`lastTick`, what a
// scrape reads for grants, rates and balances), and one scrape (the registry as text).
// samples/engine.json, a plausible reading with one GPU.
// Run: node --conditions=gamesa-source --import @oxc-node/core/register bench/metrics.bench.ts
import { readFileSync } from 'node:fs'
import { Engine } from '../src/engine.js'
import { RunMetrics } from '../src/metrics/run_metrics.js'
import type { TelemetrySnapshot } from '../src/telemetry.js'
import { reading } from '../__test__/helpers/inputs.js'
import { bench, report } from './harness.js'

const configText = readFileSync('samples/engine.json', 'utf8')
const engine = new Engine(configText)
const metrics = new RunMetrics({ configText, engine })
const sources = Object.fromEntries(['proc_stat', 'loadavg', 'meminfo', 'psi_cpu', 'psi_io', 'psi_memory', 'cgroup', 'cpufreq', 'thermal', 'rapl', 'nvml'].map((s) => [s, { status: 'present' as const }]))
const snapshots: TelemetrySnapshot[] = Array.from({ length: 64 }, (_, i) => ({ timestampMs: 0, values: reading(i).values, absent: {}, sources }))
const slot = new Map(engine.inputNames.map((name, i) => [name, i]))
const packed = snapshots.map((s) => {
  const v = new Float64Array(slot.size).fill(Number.NaN)
  for (const [k, x] of Object.entries(s.values)) {
    const i = slot.get(k)
    if (i !== undefined) v[i] = x
  }
  return v
})
let now = 1_764_000_000_000
const opts = { samples: 100, warmup: 10, opsPerSample: 50 }

// The run's per-tick input to the metrics, as run.ts passes it: 2,000 ticks' decisions.
const decisions = Array.from({ length: 2000 }, (_, i) => {
  const d = engine.tickValues(packed[i % 64]!, (now += 100))
  return { ...d, market: { prices: d.prices, nextPrices: d.nextPrices, demand: d.demand, supply: d.supply } }
})
const results = [
  bench('tickValues (the live view path)', (i) => engine.tickValues(packed[i % 64]!, (now += 100)), opts),
  bench('metrics.afterTick (decisions + reading)', (i) => metrics.afterTick(decisions[i % 2000]!, 0.0001, snapshots[i % 64]!, undefined), { samples: 200, warmup: 100, opsPerSample: 200 }),
  bench('lastTick (the full output, parsed)', () => engine.lastTick(), opts),
]
report('metrics: per tick', results)

// One scrape after each tick: the registry as text (async in prom-client; timed per await).
async function scrapes(n: number): Promise<void> {
  const times: number[] = []
  let bytes = 0
  for (let i = 0; i < n + 30; i++) {
    engine.tickValues(packed[i % 64]!, (now += 100))
    const t0 = process.hrtime.bigint()
    bytes = (await metrics.registry.metrics()).length
    if (i >= 30) times.push(Number(process.hrtime.bigint() - t0))
  }
  times.sort((a, b) => a - b)
  console.log(`${`one scrape (registry.metrics(), ${bytes} bytes)`.padEnd(48)} median ${(times[n >> 1]! / 1000).toFixed(2)} µs  p99 ${(times[Math.floor(n * 0.99)]! / 1000).toFixed(2)} µs`)
}
void scrapes(300).then(() => metrics.close())
