// A small benchmark harness for the binding: runs a function in batches, reports the median
// and p99 time per call from many batches (medians resist the noise of a shared machine).
import { cpus } from 'node:os'

export interface BenchResult {
  name: string
  /** Median nanoseconds per operation over all samples. */
  medianNs: number
  /** 99th percentile nanoseconds per operation over all samples. */
  p99Ns: number
  /** Operations per second at the median. */
  opsPerSec: number
  samples: number
  opsPerSample: number
}

export interface BenchOptions {
  /** Operations timed together in one sample (amortises the cost of reading the clock). */
  opsPerSample?: number
  /** Number of samples taken after warm-up. */
  samples?: number
  /** Warm-up samples, not recorded. */
  warmup?: number
}

/** Times `fn` (called with the operation index); each call counts `opsPerCall` operations. */
export function bench(name: string, fn: (i: number) => unknown, options: BenchOptions & { opsPerCall?: number } = {}): BenchResult {
  const opsPerSample = options.opsPerSample ?? 1000
  const samples = options.samples ?? 200
  const warmup = options.warmup ?? 20
  const opsPerCall = options.opsPerCall ?? 1
  const times: number[] = []
  let sink: unknown
  for (let s = 0; s < warmup + samples; s++) {
    const t0 = process.hrtime.bigint()
    for (let i = 0; i < opsPerSample; i++) sink = fn(s * opsPerSample + i)
    const dt = Number(process.hrtime.bigint() - t0)
    if (s >= warmup) times.push(dt / (opsPerSample * opsPerCall))
  }
  if (sink === Symbol.for('never')) console.log(sink)
  times.sort((a, b) => a - b)
  const medianNs = times[Math.floor(times.length / 2)]!
  const p99Ns = times[Math.min(times.length - 1, Math.floor(times.length * 0.99))]!
  return { name, medianNs, p99Ns, opsPerSec: 1e9 / medianNs, samples, opsPerSample: opsPerSample * opsPerCall }
}

/** One line per result, aligned, for humans. */
export function report(title: string, results: BenchResult[]): void {
  console.log(`\n## ${title}  (node ${process.version}, ${cpus()[0]?.model ?? 'unknown cpu'})`)
  for (const r of results) {
    console.log(
      `${r.name.padEnd(48)} median ${fmt(r.medianNs).padStart(10)}  p99 ${fmt(r.p99Ns).padStart(10)}  ${(r.opsPerSec / 1e6).toFixed(2)} M ops/s`,
    )
  }
}

function fmt(ns: number): string {
  return ns >= 1000 ? `${(ns / 1000).toFixed(2)} µs` : `${ns.toFixed(1)} ns`
}
