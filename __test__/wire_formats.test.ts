// The two packed formats that cross the binding, each written once in Rust and read once in
// TypeScript, tested against the plain path over generated inputs: a tick's decisions packed
// as numbers + one string (crates/gamesa-napi/src/decisions.rs ↔ src/decisions.ts) against
// the JSON of the same decisions, and a lease packed as one string (`encode` in
// crates/gamesa-napi/src/allocation.rs ↔ `decodeLease` in src/allocation.ts) against the
// object the binding builds for `allocations()`.
import test from 'ava'
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { NativeEngine } from '../index.js'
import { DecisionDecoder } from '../src/decisions.ts'
import { generatedValue as value, rng } from './helpers/inputs.ts'
import { Allocator, Priority, resourceTypes, type Allocation, type AllocationRequest } from '@gamesa/core'

const CONFIGS: [string, string][] = [
  ['samples/engine.json', readFileSync('samples/engine.json', 'utf8')],
  ['bench/fixtures/engine_64x200.json', readFileSync('bench/fixtures/engine_64x200.json', 'utf8')],
  ...readdirSync('samples/engine_configs/valid')
    .filter((f) => f.endsWith('.json'))
    .map((f): [string, string] => [f, readFileSync(join('samples/engine_configs/valid', f), 'utf8')]),
]

/** What a call returns, or the code of the error it throws: both paths must agree on either. */
function outcome<T>(f: () => T): { ok: T } | { code: unknown } {
  try {
    return { ok: f() }
  } catch (e) {
    return { code: (e as { code?: unknown }).code }
  }
}

for (const [name, config] of CONFIGS) {
  test(`packed decisions decode to exactly their JSON over generated ticks (${name})`, (t) => {
    const packed = new NativeEngine(config)
    const plain = new NativeEngine(config)
    const names = packed.inputNames()
    // A small first array, so the decoder also regrows from `copyPacked`.
    const decoder = new DecisionDecoder(8)
    const r = rng(name.length * 7919)
    let now = 1_700_000_000_000
    let compared = 0
    const seen = new Set<string>()
    for (let i = 0; i < 150; i++) {
      // Sometimes the same time again, sometimes a long pause.
      now += r() < 0.05 ? 0 : r() < 0.05 ? 60_000 * r() : 100
      const values = Float64Array.from(names, (n) => value(r, n))
      const a = outcome(() => JSON.stringify(decoder.tick(packed, values, now)))
      const b = outcome(() => JSON.stringify(JSON.parse(plain.tickValuesDecisions(values, now))))
      t.deepEqual(a, b, `tick ${i + 1}`)
      if ('ok' in a) {
        compared++
        const d = JSON.parse(a.ok) as Record<string, unknown>
        for (const [key, v] of Object.entries(d)) if (Array.isArray(v) ? v.length > 0 : v !== null && v !== false) seen.add(key)
        const firings = d.firings as { shadow: unknown[] }
        if (firings.shadow.length > 0) seen.add('firings.shadow')
      }
    }
    t.true(compared > 100)
    if (name === 'samples/engine.json') {
      // The generated ticks reach every part of the format.
      for (const part of ['approved', 'rejected', 'ruleErrors', 'signals', 'firings.shadow', 'audit', 'emergency']) t.true(seen.has(part), part)
    }
  })
}

const PRIORITIES: Priority[] = [Priority.Low, Priority.Normal, Priority.High, Priority.Critical]

/** Without the keys napi leaves undefined: the decoded lease writes only what is there. */
function defined(lease: Allocation): Allocation {
  return JSON.parse(JSON.stringify(lease)) as Allocation
}

test('decoded leases equal the binding’s lease objects over generated operations', (t) => {
  const allocator = new Allocator()
  const resources = allocator.resources()
  t.deepEqual([...resources].sort(), [...resourceTypes()].sort())
  const r = rng(42)
  const live: string[] = []
  let compared = 0
  const check = (decoded: Allocation | null, id: string) => {
    const object = allocator.allocations().find((a) => a.id === id) ?? null
    t.deepEqual(decoded === null ? null : defined(decoded), object === null ? null : defined(object), id)
    if (decoded !== null) compared++
  }
  for (let i = 0; i < 1500; i++) {
    const u = r()
    if (u < 0.55) {
      const resource = resources[Math.floor(r() * resources.length)]!
      const request: AllocationRequest = {
        id: `lease-${i}`,
        resourceType: resource,
        // Whole, fractional, tiny and large amounts: every number must read back exactly.
        amount: r() < 0.5 ? Math.ceil(64 * r()) : r() < 0.5 ? 100 * r() : r() < 0.5 ? 1e-9 + r() / 3 : 2 ** 20 * r(),
        priority: PRIORITIES[Math.floor(r() * 4)]!,
      }
      if (r() < 0.3) request.ttlTicks = Math.floor(10 * r())
      if (r() < 0.3) request.contiguous = r() < 0.5
      if (r() < 0.2) request.weight = 0.1 + 10 * r()
      let lease: Allocation
      try {
        lease = allocator.allocate(request)
      } catch {
        continue
      }
      live.push(lease.id)
      check(lease, lease.id)
    } else if (u < 0.75 && live.length > 0) {
      const id = live.splice(Math.floor(r() * live.length), 1)[0]!
      const before = allocator.get(id)
      check(before, id)
      if (before !== null) t.deepEqual(defined(allocator.release(id)), defined(before))
    } else if (u < 0.85) {
      allocator.tick(Math.floor(3 * r()))
    } else if (u < 0.9) {
      const resource = resources[Math.floor(r() * resources.length)]!
      try {
        allocator.setCapacity(resource, allocator.stats(resource).capacity * (0.8 + 0.4 * r()))
      } catch {
        // A capacity a pool cannot take: nothing changed.
      }
    } else {
      for (const id of live) check(allocator.get(id), id)
    }
  }
  t.true(compared > 500)
})
