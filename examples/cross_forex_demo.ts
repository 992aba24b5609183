// The main job for now (`npm start`): the allocator, the signal scheduler and the effect
// checker at work on this machine. Capacities and signals come from what this machine reports
// (core count, memory, load); the market's prices and cross rates arrive with the engine.
//
//   npm start                 human-readable walk-through
//   npm start -- --json       one JSON document, for scripts
import { availableParallelism, freemem, loadavg, totalmem } from 'node:os'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  AllocatorConfig,
  createAllocator,
  createDefaultChecker,
  Effect,
  GamesaError,
  Priority,
  ResourceType,
  SignalScheduler,
  SignalKind,
  telemetrySignal,
} from '@gamesa/core'

const args = process.argv.slice(2)
if (args.includes('--help') || args.includes('-h')) {
  console.log(`cross_forex_demo — the allocator, the signal scheduler and the effect checker on this machine

usage: npm start [-- --json]

  --json   print one JSON document instead of the walk-through
  --help   this text

It reads this machine's core count, memory and load average, sizes the pools from them,
allocates for a few agents, turns the readings into signals, lets the scheduler rank them, and
checks every agent action against its capabilities, writing a hash-chained audit file.`)
  process.exit(0)
}
const json = args.includes('--json')
const say = (line = '') => {
  if (!json) console.log(line)
}

// 1. What this machine has.
const cores = availableParallelism()
const [load1 = 0] = loadavg()
const memTotalMb = Math.round(totalmem() / 2 ** 20)
const memFreeMb = Math.round(freemem() / 2 ** 20)
const machine = { cores, load1, memTotalMb, memFreeMb }
say(`This machine: ${cores} cores, load1 ${load1.toFixed(2)}, ${memFreeMb} of ${memTotalMb} MB free`)

// 2. Pools sized from it (GPU pools keep the documented defaults until telemetry lands).
const config: AllocatorConfig = {
  pools: [
    { resource: 'cpu_cores', strategy: 'first_fit', capacity: cores },
    { resource: 'cpu_time', strategy: 'best_fit', capacity: 10_000 },
    { resource: 'gpu_compute', strategy: 'buddy', capacity: 100 },
    { resource: 'gpu_memory', strategy: 'buddy', capacity: 8192, minBlock: 64 },
    { resource: 'thermal_headroom', strategy: 'priority', capacity: 30, preemptive: true },
    { resource: 'power_budget', strategy: 'weighted', capacity: 150_000 },
  ],
}
const allocator = createAllocator(config)
say('\nAllocator')
const requests = [
  { id: 'game-render', resourceType: ResourceType.CpuCores, amount: Math.max(1, Math.floor(cores / 2)), priority: Priority.High },
  { id: 'background-indexer', resourceType: ResourceType.CpuCores, amount: 1, priority: Priority.Low },
  { id: 'audio-thread', resourceType: ResourceType.CpuTime, amount: 2_500, priority: Priority.Critical },
  { id: 'inference', resourceType: ResourceType.GpuMemory, amount: 3_000, priority: Priority.Normal },
  { id: 'render-gpu', resourceType: ResourceType.GpuCompute, amount: 40, priority: Priority.High },
  { id: 'render-heat', resourceType: ResourceType.ThermalHeadroom, amount: 12, priority: Priority.High },
  { id: 'indexer-heat', resourceType: ResourceType.ThermalHeadroom, amount: 10, priority: Priority.Low },
  { id: 'render-power', resourceType: ResourceType.PowerBudget, amount: 120_000, priority: Priority.High },
  { id: 'indexer-power', resourceType: ResourceType.PowerBudget, amount: 90_000, priority: Priority.Low },
]
const allocations = []
for (const r of requests) {
  try {
    const a = allocator.allocate(r)
    allocations.push(a)
    say(`  ${a.id.padEnd(20)} ${a.resourceType.padEnd(17)} asked ${String(a.requested).padStart(7)} got ${String(+a.granted.toFixed(1)).padStart(7)}  ${describePlacement(a.placement)}`)
  } catch (e) {
    if (!(e instanceof GamesaError)) throw e
    say(`  ${r.id.padEnd(20)} refused: ${e.code} — ${e.message}`)
  }
}
// Weighted shares move as requests come and go: show the power pool as it stands now.
for (const id of ['render-power', 'indexer-power']) {
  const a = allocator.get(id)
  if (a) say(`  ${id.padEnd(20)} current power share ${(a.granted / 1000).toFixed(1)} W of ${(a.requested / 1000).toFixed(1)} W asked`)
}
// The machine heats up: thermal headroom shrinks and the lowest priority lease is preempted.
const shrink = allocator.setCapacity(ResourceType.ThermalHeadroom, 15)
say(`  thermal headroom 30 → 15 °C: preempted ${JSON.stringify(shrink.preempted)}`)
const stats = Object.fromEntries(Object.values(ResourceType).map((r) => [r, allocator.stats(r)]))
for (const [r, s] of Object.entries(stats)) {
  say(`  ${r.padEnd(17)} used ${fmt(s.used)} / ${fmt(s.capacity)}, largest free block ${fmt(s.largestFreeBlock)}, fragmentation ${(s.fragmentation * 100).toFixed(0)} %`)
}

// 3. Signals from the readings, ranked by domain, then strength.
const scheduler = new SignalScheduler()
const cpuPressure = Math.min(1, load1 / cores)
const memPressure = 1 - memFreeMb / memTotalMb
scheduler.enqueue(telemetrySignal(SignalKind.CpuBottleneck, cpuPressure))
scheduler.enqueue(telemetrySignal(SignalKind.MemoryPressure, memPressure))
scheduler.enqueue(telemetrySignal(SignalKind.IdleCapacity, 1 - cpuPressure))
scheduler.enqueue(telemetrySignal(SignalKind.ThermalWarning, 0.5))
say('\nSignal scheduler (dequeue order)')
const dequeued = []
for (let s = scheduler.dequeue(); s; s = scheduler.dequeue()) {
  dequeued.push(s)
  say(`  ${s.domain.padEnd(12)} ${s.kind.padEnd(16)} strength ${s.strength.toFixed(2)}`)
}

// 4. Every agent action goes through the checker; the audit trail is hash-chained on disk.
const dir = mkdtempSync(join(tmpdir(), 'gamesa-demo-'))
const auditPath = join(dir, 'audit.ndjson')
const checker = createDefaultChecker({ auditPath })
say('\nEffect checker')
const attempts: Array<[string, Effect]> = [
  ['cpu_agent', Effect.CpuControl],
  ['cpu_agent', Effect.GpuControl],
  ['gpu_agent', Effect.GpuControl],
  ['thermal_agent', Effect.PowerControl],
  ['unknown_agent', Effect.TelemetryRead],
]
const decisions = attempts.map(([agent, effect]) => ({ agent, effect, ...checker.check(agent, effect) }))
for (const d of decisions) say(`  ${d.agent.padEnd(14)} ${d.effect.padEnd(16)} ${d.allowed ? 'allowed' : 'denied '}  ${d.reason}`)
const verification = checker.verifyAudit()
say(`  audit trail: ${verification.records} records in ${auditPath}, chain ${verification.ok ? 'verified' : 'BROKEN'}`)
rmSync(dir, { recursive: true, force: true })

if (json) {
  console.log(JSON.stringify({ machine, allocations, preempted: shrink.preempted, stats, signals: dequeued, decisions, audit: verification }, null, 2))
}

function describePlacement(p: { units?: number[]; offset?: number; size?: number }): string {
  if (p.units) return `cores [${p.units.join(', ')}]`
  if (p.offset !== undefined) return `block [${p.offset}, ${p.offset + (p.size ?? 0)})`
  return 'share'
}

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1)
}
