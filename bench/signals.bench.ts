// What the signal scheduler costs from JS, per signal: one `enqueue` per call against the two
// batch forms (`enqueueBatch` with signal objects, which `toSignalColumns` turns into columns
// in JS, and `enqueueColumns` with prebuilt typed arrays), and the dequeue side, beside the
// bare cost of a native call (`noop`). Target: >= 2 million signals/s batched.
// (Handing Node-API the objects directly measured 1.40 µs a signal, 0.71 M/s, which is why
// `enqueueBatch` converts in JS; single `enqueue` passes fields as arguments for the same reason.)
// Every enqueue is of a new (kind, source) — 9 kinds × 114 sources, as many agents each
// raising several kinds — into a queue that is cleared once per 1024 signals (the clear is
// inside the timing), so nothing coalesces and nothing is dropped. The last line gives every
// signal its own source string, the worst case for the string conversions.
// Run: node --conditions=gamesa-source --import @oxc-node/core/register bench/signals.bench.ts
import { type Signal, SignalKind, SignalScheduler, signalKinds, telemetrySignal, toSignalColumns } from '@gamesa/core'
import { noop } from '../index.js'
import { bench, report } from './harness.js'

const BATCH = 1024
const NOW = 1_700_000_000_000
const kinds = signalKinds()
const make = (source: (i: number) => string): Signal[] =>
  Array.from({ length: BATCH }, (_, i) =>
    telemetrySignal(kinds[i % kinds.length]!, (i % 100) / 100, { source: source(i), createdAtMs: NOW, ttlMs: 60_000 }),
  )
const signals = make((i) => `agent-${Math.floor(i / kinds.length)}`)
const unique = make((i) => `agent-${i}`)
const columns = toSignalColumns(signals)
// The leanest columnar batch: kinds, strengths and sources only, every other field defaulted
// (ids are generated, createdAtMs is now).
const lean = { kinds: columns.kinds, strengths: columns.strengths, sources: columns.sources, sourceIndex: columns.sourceIndex }

const single = { samples: 100, warmup: 10, opsPerSample: BATCH }
const batched = { samples: 100, warmup: 10, opsPerSample: 4, opsPerCall: BATCH }

const q = new SignalScheduler({ capacity: 2 * BATCH })
const filled = new SignalScheduler({ capacity: 2 * BATCH })

const results = [
  bench('noop (native call baseline)', () => noop(), single),
  bench('enqueue (one signal object per call)', (i) => {
    if (i % BATCH === 0) q.clear()
    return q.enqueue(signals[i % BATCH]!)
  }, single),
  bench('enqueueBatch (1024 objects per call)', () => {
    q.clear()
    return q.enqueueBatch(signals)
  }, batched),
  bench('enqueueColumns (1024, all fields, prebuilt)', () => {
    q.clear()
    return q.enqueueColumns(columns)
  }, batched),
  bench('enqueueColumns (1024, kinds+strengths+sources)', () => {
    q.clear()
    return q.enqueueColumns(lean)
  }, batched),
  bench('enqueueBatch (1024 objects, 1024 sources)', () => {
    q.clear()
    return q.enqueueBatch(unique)
  }, batched),
  bench('enqueue + dequeue (one each per call)', (i) => {
    q.enqueue(signals[i % BATCH]!)
    return q.dequeue(NOW)
  }, single),
  bench('dequeue (one per call, + refill by enqueueColumns)', (i) => {
    if (i % BATCH === 0) filled.enqueueColumns(columns)
    return filled.dequeue(NOW)
  }, single),
  bench('enqueueColumns + dequeueBatch (1024 each)', () => {
    filled.enqueueColumns(columns)
    return filled.dequeueBatch(BATCH, NOW)
  }, batched),
  bench('enqueueColumns + dequeueColumns (1024 each)', () => {
    filled.enqueueColumns(columns)
    return filled.dequeueColumns(BATCH, NOW)
  }, batched),
]
report('signals from JS, per signal', results)

// The quick start's call, for reference: builds the signal in native code (clock, id).
report('telemetrySignal', [bench('telemetrySignal(CpuBottleneck, 0.8)', () => telemetrySignal(SignalKind.CpuBottleneck, 0.8), single)])
