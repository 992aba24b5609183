// What one complete telemetry reading costs: `readSnapshot()` (every source: /proc/stat with
// per-core deltas, meminfo, loadavg, PSI, cgroup, cpufreq, thermal, RAPL, NVML) beside
// `systeminformation` (currentLoad + mem + cpuTemperature, + graphics where a GPU exists) and
// `node-os-utils` (cpu.usage + memory.info) for the same readings. Median wall time per reading
// over N readings, taken one after another; the libraries' calls of one reading run together
// (Promise.all), as a user would call them. Target: >= 50x faster than
// systeminformation. Then the process's CPU share while a TelemetrySampler runs at 10 and 100 Hz.
// node-os-utils' cpu.usage() sleeps 200 ms between its two /proc/stat reads (a private
// `cpuUsageSamplingInterval` on its Linux adapter, not configurable); we set it to 0 on the
// instance — its `delay()` returns at once for 0 — so the time measured is reading and
// parsing, not the sleep. Its cache is turned off so every call reads the files.
// Run: node --conditions=gamesa-source --import @oxc-node/core/register bench/telemetry.bench.ts
import { existsSync } from 'node:fs'
import { cpus } from 'node:os'
import { readSnapshot, TelemetrySampler } from '@gamesa/core'
import { OSUtils } from 'node-os-utils'
import si from 'systeminformation'

interface Timing {
  name: string
  readings: number
  medianMs: number
  p99Ms: number
}

async function time(name: string, readings: number, read: () => unknown): Promise<Timing> {
  for (let i = 0; i < 3; i++) await read() // warm-up: first calls load modules, open files, set baselines
  const ms: number[] = []
  for (let i = 0; i < readings; i++) {
    const t0 = process.hrtime.bigint()
    await read()
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6)
  }
  ms.sort((a, b) => a - b)
  return {
    name,
    readings,
    medianMs: ms[Math.floor(ms.length / 2)]!,
    p99Ms: ms[Math.min(ms.length - 1, Math.floor(ms.length * 0.99))]!,
  }
}

function fmt(ms: number): string {
  return ms >= 1 ? `${ms.toFixed(2)} ms` : `${(ms * 1000).toFixed(0)} µs`
}

// The sampler's cost as a share of one core: process CPU time (user + system, all threads)
// over wall time, for 5 s at each rate, beside the same 5 s with no sampler running. With
// `warmupMs`, the sampler's start (its thread, the collector probing every source) runs before
// the 5 s and is left out: the steady-state cost; without, it is included.
async function cpuShare(rateHz: number | null, warmupMs: number, seconds = 5): Promise<{ share: number; snapshots: number }> {
  const sampler = rateHz === null ? null : new TelemetrySampler({ rateHz })
  let snapshots = 0
  const unsubscribe = sampler?.subscribe(() => snapshots++)
  await new Promise((r) => setTimeout(r, warmupMs))
  snapshots = 0
  const c0 = process.cpuUsage()
  const t0 = process.hrtime.bigint()
  await new Promise((r) => setTimeout(r, seconds * 1000))
  const c = process.cpuUsage(c0)
  const wallUs = Number(process.hrtime.bigint() - t0) / 1000
  unsubscribe?.()
  sampler?.stop()
  return { share: (c.user + c.system) / wallUs, snapshots }
}

async function main(): Promise<void> {
  const hasGpu = existsSync('/dev/nvidia0') || (readSnapshot().values['gpu.count'] ?? 0) > 0
  const osu = new OSUtils({ cacheEnabled: false })
  // See the header: remove node-os-utils' built-in 200 ms sleep between its two /proc/stat reads.
  ;(osu as unknown as { adapter: { cpuUsageSamplingInterval: number } }).adapter.cpuUsageSamplingInterval = 0

  const results = [
    await time('gamesa readSnapshot() (all sources)', 1000, () => readSnapshot()),
    await time(`systeminformation currentLoad+mem+cpuTemperature${hasGpu ? '+graphics' : ''}`, 30, () =>
      Promise.all([si.currentLoad(), si.mem(), si.cpuTemperature(), ...(hasGpu ? [si.graphics()] : [])]),
    ),
    await time('node-os-utils cpu.usage (no sleep)+memory.info', 30, () => Promise.all([osu.cpu.usage(), osu.memory.info()])),
  ]

  const base = results[0]!.medianMs
  console.log(`\n## One complete telemetry reading  (node ${process.version}, ${cpus().length}x ${cpus()[0]?.model ?? 'unknown cpu'}, GPU: ${hasGpu ? 'yes' : 'none'})`)
  console.log(`| reader | readings | median | p99 | vs readSnapshot |\n|---|---:|---:|---:|---:|`)
  for (const r of results) {
    console.log(`| ${r.name} | ${r.readings} | ${fmt(r.medianMs)} | ${fmt(r.p99Ms)} | ${(r.medianMs / base).toFixed(1)}x |`)
  }

  console.log('\n## Process CPU share (one core = 100 %) over 5 s')
  console.log('| sampler | CPU share | snapshots delivered |\n|---|---:|---:|')
  for (const [rate, warmupMs] of [[null, 0], [10, 0], [10, 1000], [100, 0], [100, 1000]] as const) {
    const { share, snapshots } = await cpuShare(rate, warmupMs)
    const label = rate === null ? 'none (idle process)' : `${rate} Hz, ${warmupMs ? 'after 1 s warm-up' : 'start included'}`
    console.log(`| ${label} | ${(share * 100).toFixed(2)} % | ${snapshots} |`)
  }
}

main().catch((err: unknown) => {
  console.error(err)
  process.exitCode = 1
})
