// The signal scheduler as users call it from TypeScript.
import test from 'ava'
import {
  EnqueueResult,
  fromSignalColumns,
  GamesaError,
  GamesaErrorCode,
  type Signal,
  SIGNAL_KIND_CODES,
  SignalDomain,
  SignalKind,
  SignalScheduler,
  signalKindDomain,
  signalKinds,
  telemetrySignal,
  toSignalColumns,
} from '@gamesa/core'

/** A signal at a fixed time, so tests never depend on the clock. */
function at(kind: SignalKind, strength: number, source: string, createdAtMs = 0, ttlMs = 1000): Signal {
  return telemetrySignal(kind, strength, { source, createdAtMs, ttlMs, id: `${kind}@${source}` })
}

function drain(q: SignalScheduler, nowMs = 0): Signal[] {
  return q.dequeueBatch(1_000_000, nowMs)
}

function throwsCode(t: import('ava').ExecutionContext, fn: () => unknown, code: GamesaErrorCode, mentions?: string): void {
  const err = t.throws(fn)
  t.true(err instanceof GamesaError, `expected a GamesaError, got ${String(err)}`)
  t.is((err as GamesaError).code, code)
  if (mentions !== undefined) t.true(err!.message.includes(mentions), err!.message)
}

test('telemetrySignal fills domain from Rust, and defaults id, source, time and ttl', (t) => {
  const before = Date.now()
  const s = telemetrySignal(SignalKind.CpuBottleneck, 0.8)
  t.is(s.kind, SignalKind.CpuBottleneck)
  t.is(s.domain, SignalDomain.Performance)
  t.is(s.strength, 0.8)
  t.is(s.source, 'telemetry')
  t.is(s.ttlMs, 1000)
  t.true(s.createdAtMs >= before && s.createdAtMs <= Date.now())
  t.regex(s.id, /^cpu_bottleneck-\d+$/)
  t.not(telemetrySignal(SignalKind.CpuBottleneck, 0.8).id, s.id, 'ids come from a counter')
  const expected: Record<SignalKind, SignalDomain> = {
    cpu_bottleneck: SignalDomain.Performance,
    gpu_bottleneck: SignalDomain.Performance,
    memory_pressure: SignalDomain.Performance,
    latency_spike: SignalDomain.Performance,
    thermal_warning: SignalDomain.Thermal,
    thermal_critical: SignalDomain.Thermal,
    power_limit: SignalDomain.Power,
    idle_capacity: SignalDomain.Efficiency,
    safety_violation: SignalDomain.Safety,
  }
  t.deepEqual([...signalKinds()].sort(), Object.keys(expected).sort())
  for (const kind of signalKinds()) {
    t.is(signalKindDomain(kind), expected[kind], kind)
    t.is(telemetrySignal(kind, 0.5).domain, expected[kind], kind)
    t.is(signalKinds()[SIGNAL_KIND_CODES[kind]], kind)
  }
})

test('the quick start: the enqueued signal comes back, then the queue is empty', (t) => {
  const scheduler = new SignalScheduler()
  scheduler.enqueue(telemetrySignal(SignalKind.CpuBottleneck, 0.8))
  const signal = scheduler.dequeue()
  t.is(signal?.kind, SignalKind.CpuBottleneck)
  t.is(scheduler.dequeue(), null)
})

test('dequeue order: domain rank, then strength, then first in', (t) => {
  const q = new SignalScheduler()
  q.enqueue(at(SignalKind.CpuBottleneck, 0.3, 'perf-weak'))
  q.enqueue(at(SignalKind.GpuBottleneck, 0.9, 'perf-strong'))
  q.enqueue(at(SignalKind.IdleCapacity, 1, 'idle'))
  q.enqueue(at(SignalKind.ThermalWarning, 0.1, 'thermal'))
  q.enqueue(at(SignalKind.LatencySpike, 0.3, 'perf-weak-later'))
  q.enqueue(at(SignalKind.SafetyViolation, 0, 'safety'))
  q.enqueue(at(SignalKind.PowerLimit, 0.5, 'power'))
  t.is(q.len(), 7)
  t.is(q.peek(0)?.source, 'safety')
  t.deepEqual(drain(q).map((s) => s.source),
    ['safety', 'thermal', 'power', 'perf-strong', 'perf-weak', 'perf-weak-later', 'idle'])
})

test('domainRanks reorders domains; invalid options are INVALID_CONFIG', (t) => {
  const q = new SignalScheduler({
    domainRanks: [SignalDomain.Efficiency, SignalDomain.Safety, SignalDomain.Thermal,
      SignalDomain.Power, SignalDomain.Performance, SignalDomain.Maintenance],
  })
  q.enqueue(at(SignalKind.SafetyViolation, 1, 'a'))
  q.enqueue(at(SignalKind.IdleCapacity, 0.1, 'b'))
  t.deepEqual(drain(q).map((s) => s.kind), [SignalKind.IdleCapacity, SignalKind.SafetyViolation])
  throwsCode(t, () => new SignalScheduler({ capacity: 0 }), GamesaErrorCode.InvalidConfig, 'capacity')
  // Node-API would truncate these to another u32 capacity; they must be refused instead.
  for (const capacity of [1.5, -1, 2 ** 32, Number.NaN]) {
    throwsCode(t, () => new SignalScheduler({ capacity }), GamesaErrorCode.InvalidConfig, 'capacity')
  }
  throwsCode(t, () => new SignalScheduler({ domainRanks: [SignalDomain.Safety] }), GamesaErrorCode.InvalidConfig, 'domainRanks')
  throwsCode(t, () => new SignalScheduler({ domainRanks: ['safety', 'thermal', 'power', 'performance', 'efficiency', 'nope'] as SignalDomain[] }),
    GamesaErrorCode.InvalidConfig, 'domainRanks[5]')
})

test('expired signals are dropped at dequeue and counted', (t) => {
  const q = new SignalScheduler()
  q.enqueue(at(SignalKind.ThermalCritical, 1, 'old', 0, 100))
  q.enqueue(at(SignalKind.CpuBottleneck, 0.5, 'new', 50, 100))
  t.is(q.peek(99)?.source, 'old')
  t.is(q.dequeue(100)?.source, 'new', 'expiry is inclusive: at createdAtMs + ttlMs it is gone')
  const stats = q.stats()
  t.is(stats.expired, 1)
  t.is(stats.dequeued, 1)
  t.is(stats.len, 0)
})

test('same kind and source coalesce: strongest strength, newest fields, original place', (t) => {
  const q = new SignalScheduler()
  q.enqueue(at(SignalKind.CpuBottleneck, 0.9, 'cpu0', 10))
  q.enqueue(at(SignalKind.CpuBottleneck, 0.9, 'cpu1', 10))
  const newer = telemetrySignal(SignalKind.CpuBottleneck, 0.2, { source: 'cpu0', createdAtMs: 20, id: 'newer', payload: '{"load":0.97}' })
  t.is(q.enqueue(newer), EnqueueResult.Coalesced)
  t.is(q.len(), 2)
  const first = q.dequeue(0)!
  t.is(first.id, 'newer')
  t.is(first.strength, 0.9)
  t.is(first.createdAtMs, 20)
  t.is(first.payload, '{"load":0.97}')
  t.is(q.stats().coalesced, 1)
})

test('a full queue drops the lowest-ranked signal and counts it', (t) => {
  const q = new SignalScheduler({ capacity: 2 })
  t.is(q.capacity, 2)
  t.is(q.enqueue(at(SignalKind.CpuBottleneck, 0.5, 'perf')), EnqueueResult.Queued)
  t.is(q.enqueue(at(SignalKind.IdleCapacity, 0.9, 'idle')), EnqueueResult.Queued)
  t.is(q.enqueue(at(SignalKind.ThermalWarning, 0.1, 'thermal')), EnqueueResult.Evicted)
  t.is(q.enqueue(at(SignalKind.GpuBottleneck, 0.5, 'tie')), EnqueueResult.Dropped, 'the newest loses a tie')
  t.deepEqual(drain(q).map((s) => s.source), ['thermal', 'perf'])
  const s = q.stats()
  t.is(s.droppedFull, 2)
  t.is(s.enqueued, s.dequeued + s.expired + s.droppedFull + s.coalesced + s.cleared + s.len)
})

test('invalid signals throw GamesaError INVALID_ARGUMENT and change nothing', (t) => {
  const q = new SignalScheduler()
  const good = at(SignalKind.PowerLimit, 0.5, 'a')
  throwsCode(t, () => telemetrySignal(SignalKind.PowerLimit, 1.5), GamesaErrorCode.InvalidArgument, 'strength')
  throwsCode(t, () => telemetrySignal(SignalKind.PowerLimit, Number.NaN), GamesaErrorCode.InvalidArgument, 'strength')
  throwsCode(t, () => telemetrySignal(SignalKind.PowerLimit, 0.5, { ttlMs: -1 }), GamesaErrorCode.InvalidArgument, 'ttlMs')
  throwsCode(t, () => telemetrySignal('warp_core' as SignalKind, 0.5), GamesaErrorCode.InvalidArgument, 'warp_core')
  throwsCode(t, () => q.enqueue({ ...good, strength: -0.1 }), GamesaErrorCode.InvalidArgument, 'strength')
  throwsCode(t, () => q.enqueue({ ...good, domain: 'nope' as SignalDomain }), GamesaErrorCode.InvalidArgument, 'signal.domain')
  throwsCode(t, () => q.enqueue({ ...good, kind: 'toString' as SignalKind }), GamesaErrorCode.InvalidArgument, 'signal.kind')
  throwsCode(t, () => q.enqueueBatch([good, { ...good, kind: 'nope' as SignalKind }]), GamesaErrorCode.InvalidArgument, 'signals[1].kind')
  throwsCode(t, () => toSignalColumns([good, { ...good, domain: 'nope' as SignalDomain }]), GamesaErrorCode.InvalidArgument, 'signals[1].domain')
  throwsCode(t, () => q.enqueue({ ...good, strength: '0.5' as unknown as number }), GamesaErrorCode.InvalidArgument, 'signal.strength')
  throwsCode(t, () => q.enqueue({ ...good, source: undefined as unknown as string }), GamesaErrorCode.InvalidArgument, 'signal.source')
  throwsCode(t, () => q.enqueueBatch([good, { ...good, ttlMs: '5' as unknown as number }]), GamesaErrorCode.InvalidArgument, 'signals[1].ttlMs')
  throwsCode(t, () => q.enqueueBatch([good, { ...good, payload: 7 as unknown as string }]), GamesaErrorCode.InvalidArgument, 'signals[1].payload')
  throwsCode(t, () => q.dequeue(Number.NaN), GamesaErrorCode.InvalidArgument, 'nowMs')
  throwsCode(t, () => q.enqueueBatch([good, { ...good, source: 'b', ttlMs: -5 }]), GamesaErrorCode.InvalidArgument, 'signals[1]')
  throwsCode(t, () => q.enqueueColumns({ kinds: new Uint8Array([0, 1]), strengths: new Float64Array([0.5]) }),
    GamesaErrorCode.InvalidArgument, 'columns.strengths')
  throwsCode(t, () => q.enqueueColumns({ kinds: new Uint8Array([0, 99]), strengths: new Float64Array([0.5, 0.5]) }),
    GamesaErrorCode.InvalidArgument, 'columns.kinds[1]')
  throwsCode(t, () => q.enqueueColumns({ kinds: new Uint8Array([0]), strengths: new Float64Array([2]) }),
    GamesaErrorCode.InvalidArgument, 'signals[0]')
  t.is(q.len(), 0, 'batches are all or nothing')
  t.is(q.stats().enqueued, 0)
})

test('clear empties the queue and counts what it removed', (t) => {
  const q = new SignalScheduler()
  q.enqueueBatch([at(SignalKind.PowerLimit, 0.5, 'a'), at(SignalKind.PowerLimit, 0.5, 'b')])
  q.clear()
  t.is(q.len(), 0)
  t.is(q.dequeue(0), null)
  t.is(q.stats().cleared, 2)
})

/** Deterministic pseudo-random signals with repeated keys, ties and some payloads. */
function randomSignals(n: number, seed: number): Signal[] {
  let x = seed
  const next = (m: number): number => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0
    return x % m
  }
  const kinds = signalKinds()
  const out: Signal[] = []
  for (let i = 0; i < n; i++) {
    const s = telemetrySignal(kinds[next(kinds.length)]!, next(5) / 4, {
      id: `r${i}`,
      source: `src${next(6)}`,
      createdAtMs: next(100),
      ttlMs: next(200),
    })
    if (next(3) === 0) s.payload = `{"i":${i}}`
    // Now and then the other domain a kind may be in (a critical temperature in safety).
    if (next(7) === 0 && s.kind === SignalKind.ThermalCritical) s.domain = SignalDomain.Safety
    out.push(s)
  }
  return out
}

test('enqueueBatch and enqueueColumns give the same result as single enqueues', (t) => {
  for (const capacity of [3, 20, 4096]) {
    const signals = randomSignals(500, capacity)
    const single = new SignalScheduler({ capacity })
    const results = { queued: 0, coalesced: 0, evicted: 0, dropped: 0 }
    for (const s of signals) results[single.enqueue(s)]++
    const batch = new SignalScheduler({ capacity })
    const columns = new SignalScheduler({ capacity })
    t.deepEqual(batch.enqueueBatch(signals), results)
    t.deepEqual(columns.enqueueColumns(toSignalColumns(signals)), results)
    t.deepEqual(batch.stats(), single.stats())
    t.deepEqual(columns.stats(), single.stats())
    const want = drain(single, 60)
    t.true(want.length > 0)
    t.deepEqual(drain(batch, 60), want)
    t.deepEqual(drain(columns, 60), want)
    t.deepEqual(batch.stats(), single.stats())
  }
})

test('enqueueColumns defaults: telemetry source, kind domain, now, 1000 ms ttl, generated ids', (t) => {
  const q = new SignalScheduler()
  const before = Date.now()
  t.deepEqual(q.enqueueColumns({
    kinds: new Uint8Array([SIGNAL_KIND_CODES.thermal_warning, SIGNAL_KIND_CODES.idle_capacity]),
    strengths: new Float64Array([0.4, 0.6]),
  }), { queued: 2, coalesced: 0, evicted: 0, dropped: 0 })
  const [thermal, idle] = q.dequeueBatch(10)
  t.is(thermal?.domain, SignalDomain.Thermal)
  t.is(idle?.domain, SignalDomain.Efficiency)
  t.is(thermal?.source, 'telemetry')
  t.is(thermal?.ttlMs, 1000)
  t.true(thermal!.createdAtMs >= before)
  t.regex(idle!.id, /^idle_capacity-\d+$/)
})

test('a signal in a domain its kind does not belong to is refused, in every enqueue form', (t) => {
  const q = new SignalScheduler()
  const jumper: Signal = { ...telemetrySignal(SignalKind.CpuBottleneck, 0.5, { id: 'jump' }), domain: SignalDomain.Safety }
  throwsCode(t, () => q.enqueue(jumper), GamesaErrorCode.InvalidArgument, 'cpu_bottleneck')
  throwsCode(t, () => q.enqueueBatch([jumper]), GamesaErrorCode.InvalidArgument, 'signals[0]')
  throwsCode(t, () => q.enqueueColumns(toSignalColumns([jumper])), GamesaErrorCode.InvalidArgument, 'signals[0]')
  t.is(q.len(), 0)
  // A critical temperature may be a safety matter.
  q.enqueue({ ...telemetrySignal(SignalKind.ThermalCritical, 0.5), domain: SignalDomain.Safety })
  t.is(q.dequeue()?.domain, SignalDomain.Safety)
})

test('a dequeued signal comes back field for field (unicode, separators, Infinity, odd numbers)', (t) => {
  const q = new SignalScheduler()
  const sent: Signal = {
    id: 'id;with,separators;',
    kind: SignalKind.ThermalCritical,
    domain: SignalDomain.Safety,
    strength: 0.1 + 0.2,
    source: 'gpu🔥0;é',
    createdAtMs: 1_700_000_000_000.123,
    ttlMs: Number.POSITIVE_INFINITY,
    payload: '{"temp":"92 °C","note":"a;b,c"}',
  }
  q.enqueue(sent)
  q.enqueue({ ...sent, source: 'other', payload: undefined, strength: 1e-7, ttlMs: 5e-324 + 1e300 })
  t.deepEqual(q.peek(0), sent)
  t.deepEqual(q.dequeue(0), sent)
  const second = q.dequeue(0)!
  t.is(second.payload, undefined)
  t.false('payload' in second)
  t.is(second.strength, 1e-7)
  t.is(second.ttlMs, 1e300)
  t.is(second.source, 'other')
})

test('dequeueBatch and dequeueColumns return what single dequeues would', (t) => {
  const signals = randomSignals(400, 7)
  const one = new SignalScheduler({ capacity: 50 })
  const many = new SignalScheduler({ capacity: 50 })
  const cols = new SignalScheduler({ capacity: 50 })
  for (const q of [one, many, cols]) q.enqueueBatch(signals)
  const want: Signal[] = []
  for (let s = one.dequeue(60); s !== null; s = one.dequeue(60)) want.push(s)
  t.true(want.some((s) => s.payload !== undefined))
  t.deepEqual(many.dequeueBatch(7, 60), want.slice(0, 7))
  t.deepEqual(many.dequeueBatch(1000, 60), want.slice(7))
  const columns = cols.dequeueColumns(1000, 60)
  t.deepEqual(fromSignalColumns(columns), want)
  t.deepEqual(toSignalColumns(want).kinds, columns.kinds)
  t.deepEqual(many.stats(), one.stats())
  t.deepEqual(cols.stats(), one.stats())
  t.deepEqual(cols.dequeueBatch(5, 60), [])
  throwsCode(t, () => fromSignalColumns({ kinds: new Uint8Array(1), strengths: new Float64Array(1) }), GamesaErrorCode.InvalidArgument, 'columns.ids')
})

test('a misspelt option and a negative count are errors naming them, and nothing is drained', (t) => {
  const misspelt = t.throws(() => new SignalScheduler({ capacty: 8 } as never)) as GamesaError
  t.is(misspelt.code, 'INVALID_CONFIG')
  t.is(misspelt.path, '$.capacty')
  t.regex(misspelt.message, /unknown option `capacty`/)
  const s = new SignalScheduler()
  s.enqueue(telemetrySignal(SignalKind.CpuBottleneck, 0.5))
  s.enqueue(telemetrySignal(SignalKind.ThermalWarning, 0.5))
  for (const bad of [-1, 1.5, Number.NaN, 2 ** 32]) {
    const err = t.throws(() => s.dequeueBatch(bad)) as GamesaError
    t.is(err.code, 'INVALID_ARGUMENT')
    t.regex(err.message, /^max must be a whole number/)
  }
  t.is(s.len(), 2, 'a refused count drains nothing')
  t.is(s.dequeueBatch(0).length, 0)
  t.is(s.dequeueBatch(5).length, 2)
})
