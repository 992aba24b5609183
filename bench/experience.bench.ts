// The experience store's costs: recording a backtest's ticks (rows per second, end to end from
// the engine's tick lines), a live-sized append with its batch commits, and `reflect` over the
// result. One run each, wall time; the store lives in a temporary folder, removed at the end.
// Run: node --conditions=gamesa-source --import @oxc-node/core/register bench/experience.bench.ts
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { readFileSync } from 'node:fs'
import { ExperienceReader, ExperienceWriter, recordBacktest, runBacktest } from '../src/index.js'
import { reflect } from '../src/guardian/reflect/index.js'

const dir = mkdtempSync(join(tmpdir(), 'gamesa-experience-bench-'))
try {
  const config = readFileSync('samples/engine.json', 'utf8')
  const scenario = 'many_core_server'
  let t0 = performance.now()
  const plain = runBacktest(scenario, config)
  const plainMs = performance.now() - t0
  const path = join(dir, 'bench.db')
  const writer = ExperienceWriter.open(path)
  t0 = performance.now()
  const { ticks } = recordBacktest(writer, scenario, config)
  const recordedMs = performance.now() - t0
  writer.close()
  console.log(`backtest ${scenario}: ${plain.runs[0]?.summary.ticks} ticks; ${plainMs.toFixed(0)} ms without experience, ${recordedMs.toFixed(0)} ms recording it (${((ticks * 1000) / (recordedMs - plainMs)).toFixed(0)} rows/s beyond the backtest), ${(statSync(path).size / ticks).toFixed(0)} bytes per row`)

  // Appends as a live run makes them, one tick at a time, batches of 64.
  const reader = ExperienceReader.open(path)
  const rows = reader.ticks()
  reader.close()
  const live = join(dir, 'live.db')
  const w = ExperienceWriter.open(live, { batchSize: 64 })
  const run = w.beginRun('api', 'bench')
  const appendNs: number[] = []
  const n = 20_000
  t0 = performance.now()
  for (let i = 0; i < n; i++) {
    const { run: _r, ...row } = rows[i % rows.length]!
    const a = process.hrtime.bigint()
    w.append(run, { ...row, tick: i })
    appendNs.push(Number(process.hrtime.bigint() - a))
  }
  w.close()
  const appendMs = performance.now() - t0
  appendNs.sort((a, b) => a - b)
  const q = (p: number) => (appendNs[Math.min(appendNs.length - 1, Math.floor(p * appendNs.length))]! / 1000).toFixed(1)
  console.log(`append ${n} ticks, batch 64: ${((n * 1000) / appendMs).toFixed(0)} ticks/s; per append p50 ${q(0.5)} µs, p99 ${q(0.99)} µs, max ${q(1)} µs (the appends that commit a batch)`)

  const r = ExperienceReader.open(live)
  t0 = performance.now()
  const reflection = reflect(r)
  const reflectMs = performance.now() - t0
  r.close()
  console.log(`reflect over ${reflection.ticks} ticks: ${reflectMs.toFixed(0)} ms`)
} finally {
  rmSync(dir, { recursive: true, force: true })
}
