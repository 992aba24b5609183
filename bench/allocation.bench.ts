// The binding's cost: one allocate (+ release) from JavaScript, end to end (request object in,
// Allocation object out), beside an empty native call and the raw native call underneath.
// Run after a release build:
//   npm run build:native
//   node --conditions=gamesa-source --import @oxc-node/core/register bench/allocation.bench.ts
import { Priority, ResourceType, createAllocator, createDefaultAllocator } from '@gamesa/core'
import { NativeAllocator, noop } from '../index.js'
import { bench, report } from './harness.ts'

const cores = createDefaultAllocator()
const request = { id: 'bench', resourceType: ResourceType.CpuCores, amount: 1, priority: Priority.High }

// A range pool far larger than the run, so allocate alone never fills it.
const wide = createAllocator({ pools: [{ resource: 'cpu_time', strategy: 'best_fit', capacity: Number.MAX_SAFE_INTEGER }] })
const ids = Array.from({ length: 400_000 }, (_, i) => `lease-${i}`)

const power = createDefaultAllocator()
for (let i = 0; i < 8; i++) power.allocate({ id: `bg-${i}`, resourceType: ResourceType.PowerBudget, amount: 30_000 })

// The native class under `Allocator`: positional arguments, one compact string back.
const raw = new NativeAllocator()

const results = [
  bench('noop() (empty native call)', () => noop()),
  bench('allocate alone, cpu_time best_fit', (i) => wide.allocate({ id: ids[i]!, resourceType: ResourceType.CpuTime, amount: 1 }), {
    samples: 150,
    warmup: 20,
    opsPerSample: 2000,
  }),
  bench('allocate + release, cpu_cores first_fit', () => {
    cores.allocate(request)
    return cores.release('bench')
  }),
  bench('  same, raw NativeAllocator (no decoding)', () => {
    raw.allocate('bench', 0, 1, 2, undefined, undefined, undefined)
    return raw.release('bench')
  }),
  bench('allocate + release, power_budget weighted (8 live)', () => {
    power.allocate({ id: 'bench', resourceType: ResourceType.PowerBudget, amount: 10_000 })
    return power.release('bench')
  }),
  bench('stats(cpu_cores) (object return)', () => cores.stats(ResourceType.CpuCores)),
]
report('allocator binding', results)
