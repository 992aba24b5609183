// The engine through the binding:
//  1. one tick of the benchmark fixture (64 agents, 6 resources, 200 rules, 20 features;
//     bench/fixtures/engine_64x200.json) with `tickValues` (the live path: typed array in,
//     the tick's decisions out as an object, packed as numbers + one string), the same
//     decisions as JSON text + JSON.parse (the transport it replaced), `tickValuesJson`
//     (typed array in, the full output as JSON text) and `tick` (snapshot object in, full
//     output parsed);
//  2. one tick of the sample config (samples/engine.json) on a realistic snapshot;
//  3. replay throughput: a 36,000-line trace (one hour at 10 Hz) in `gamesa record`'s
//     format, replayed with the sample config into a file, wall time of `replayTrace`.
// Ticks are timed one by one (a tick is tens of µs, far above the clock's resolution) so
// the p99 is the p99 of single ticks.
// Run: node --conditions=gamesa-source --import @oxc-node/core/register bench/engine.bench.ts
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { Engine, replayTrace } from '@gamesa/core'

function percentiles(ns: number[]): { p50: number; p99: number } {
  ns.sort((a, b) => a - b)
  return { p50: ns[Math.floor(ns.length / 2)]!, p99: ns[Math.min(ns.length - 1, Math.floor(ns.length * 0.99))]! }
}

function timeTicks(name: string, ticks: number, warmup: number, fn: (i: number) => unknown): void {
  const ns: number[] = []
  let sink: unknown
  for (let i = 0; i < warmup + ticks; i++) {
    const t0 = process.hrtime.bigint()
    sink = fn(i)
    const dt = Number(process.hrtime.bigint() - t0)
    if (i >= warmup) ns.push(dt)
  }
  if (sink === Symbol.for('never')) console.log(sink)
  const { p50, p99 } = percentiles(ns)
  console.log(`${name.padEnd(58)} median ${(p50 / 1000).toFixed(1).padStart(7)} µs  p99 ${(p99 / 1000).toFixed(1).padStart(7)} µs  (${ticks} ticks)`)
}

/** Deterministic values for the fixture's inputs, as the Rust bench makes them. */
function fixtureFrames(names: readonly string[], count: number): Float64Array[] {
  let state = 0x9e3779b9n
  const rand = () => {
    state ^= (state << 13n) & 0xffffffffffffffffn
    state ^= state >> 7n
    state ^= (state << 17n) & 0xffffffffffffffffn
    return Number(state % 10000n) / 10000
  }
  return Array.from({ length: count }, () => {
    const v = new Float64Array(names.length)
    names.forEach((n, i) => {
      const u = rand()
      v[i] =
        n === 'gpu.count'
          ? 8
          : n.endsWith('.util') || n.endsWith('_ratio')
            ? u
            : n.endsWith('.power_limit_w')
              ? 300
              : n.endsWith('.power_min_w')
                ? 100
                : n.endsWith('.power_max_w')
                  ? 400
                  : n.endsWith('.power_w')
                    ? 200 + 50 * u
                    : n.endsWith('.temp_c') || n === 'thermal.cpu_c'
                      ? 60 + 20 * u
                      : n === 'thermal.headroom_c'
                        ? 30 - 10 * u
                        : n.endsWith('_mhz')
                          ? 3500
                          : n.startsWith('wl.')
                            ? 100
                            : 10 * u
    })
    return v
  })
}

/** A sample-config snapshot for tick `t`: a warm CPU, a GPU near its cap, a late game. */
function sampleValues(t: number): Record<string, number> {
  const wave = Math.sin(t * 0.05)
  const values: Record<string, number> = {
    'cpu.util': 0.6 + 0.3 * wave,
    'cpu.freq_mhz': 3800,
    'cpu.freq_max_mhz': 4000,
    'cpu.freq_hw_max_mhz': 4800,
    'cpu.load1': 6,
    'mem.used_ratio': 0.5,
    'mem.available_mb': 16000,
    'thermal.cpu_c': 78 + 10 * wave,
    'thermal.headroom_c': 22 - 10 * wave,
    'power.cpu_w': 90,
    'power.total_w': 285 + 20 * wave,
    'power.cap_w': 300,
    'gpu.count': 1,
    'gpu0.util': 0.9,
    'gpu0.temp_c': 70,
    'gpu0.power_w': 190,
    'gpu0.power_limit_w': 250,
    'gpu0.power_min_w': 100,
    'gpu0.power_max_w': 350,
    'gpu0.mem_used_mb': 6000,
    'wl.priority.cpu_weight': 100,
    'wl.priority.pinned_cores': 0,
    'wl.priority.deadline_miss_rate': Math.max(0, 0.05 * wave),
  }
  for (let c = 0; c < 16; c++) values[`cpu.core${c}.util`] = 0.5 + 0.4 * Math.sin(t * 0.1 + c)
  return values
}

console.log(`# engine through the binding (node ${process.version}, ${cpus()[0]?.model ?? 'unknown cpu'}, ${cpus().length} cores)`)

{
  const fixture = readFileSync('bench/fixtures/engine_64x200.json', 'utf8')
  const engine = new Engine(fixture)
  const frames = fixtureFrames(engine.inputNames, 64)
  let t = 0
  timeTicks('fixture 64 agents/200 rules: tickValuesJson', 20000, 1000, () => engine.tickValuesJson(frames[t % 64]!, ++t * 100))
  const live = new Engine(fixture)
  let tl = 0
  timeTicks('fixture 64 agents/200 rules: tickValues (decisions, packed)', 20000, 1000, () => live.tickValues(frames[tl % 64]!, ++tl * 100))
  // The same decisions as JSON text parsed by JSON.parse: the transport tickValues replaced.
  const viaJson = new Engine(fixture)
  let tj = 0
  timeTicks('fixture 64 agents/200 rules: decisions as JSON + JSON.parse', 20000, 1000, () =>
    JSON.parse(viaJson.tickValuesDecisionsJson(frames[tj % 64]!, ++tj * 100)),
  )
  const engine2 = new Engine(fixture)
  const objects = frames.map((f) => ({ values: Object.fromEntries(engine2.inputNames.map((n, i) => [n, f[i]!])) }))
  let t2 = 0
  timeTicks('fixture 64 agents/200 rules: tick (object in, parsed out)', 5000, 500, () => engine2.tick(objects[t2 % 64]!, ++t2 * 100))
}

{
  const sample = readFileSync('samples/engine.json', 'utf8')
  const engine = new Engine(sample)
  const inputs = Array.from({ length: 256 }, (_, i) => ({ values: sampleValues(i) }))
  let t = 0
  timeTicks('samples/engine.json: tickJson', 20000, 1000, () => engine.tickJson(inputs[t % 256]!, ++t * 100))
}

{
  const dir = mkdtempSync(join(tmpdir(), 'gamesa-replay-bench-'))
  try {
    const trace = join(dir, 'hour.ndjson')
    const lines = [JSON.stringify({ format: 'gamesa-trace', version: 1, rateHz: 10, startedAtMs: 1_700_000_000_000, host: {}, variables: [] })]
    for (let i = 0; i < 36_000; i++) {
      lines.push(JSON.stringify({ timestampMs: 1_700_000_000_000 + i * 100, values: sampleValues(i), absent: { 'gpu1.util': 'no such GPU' }, sources: { proc_stat: { status: 'present' } } }))
    }
    writeFileSync(trace, `${lines.join('\n')}\n`)
    const sample = readFileSync('samples/engine.json', 'utf8')
    const runs: number[] = []
    let ticks = 0
    for (let r = 0; r < 3; r++) {
      const t0 = process.hrtime.bigint()
      ticks = replayTrace(sample, trace, join(dir, 'out.ndjson')).ticks
      runs.push(Number(process.hrtime.bigint() - t0) / 1e6)
    }
    runs.sort((a, b) => a - b)
    const size = statSync(trace).size / 1e6
    const out = statSync(join(dir, 'out.ndjson')).size / 1e6
    console.log(
      `replay 36,000 ticks (1 h at 10 Hz, ${size.toFixed(1)} MB trace → ${out.toFixed(1)} MB decisions): median ${runs[1]!.toFixed(0)} ms of 3 runs (${runs.map((r) => r.toFixed(0)).join(', ')} ms), ${ticks} ticks`,
    )
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
