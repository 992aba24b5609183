// The allocator as users call it from TypeScript: every strategy, every error code, leases with
// TTLs, preemption and weighted shares, stats.
import test, { type ExecutionContext } from 'ava'
import {
  type Allocation,
  type AllocatorConfig,
  GamesaError,
  type GamesaErrorCode,
  Priority,
  ResourceType,
  createAllocator,
  createDefaultAllocator,
} from '@gamesa/core'

/** Asserts that `fn` throws a GamesaError with `code`, and returns it. */
function throwsCode(t: ExecutionContext, fn: () => unknown, code: GamesaErrorCode): GamesaError {
  const err = t.throws(fn)
  t.true(err instanceof GamesaError, `${err?.message} is a GamesaError`)
  t.is((err as GamesaError).code, code, err?.message)
  return err as GamesaError
}

test('enums are the documented strings', (t) => {
  t.is(ResourceType.CpuCores as string, 'cpu_cores')
  t.is(ResourceType.CpuTime as string, 'cpu_time')
  t.is(ResourceType.GpuCompute as string, 'gpu_compute')
  t.is(ResourceType.GpuMemory as string, 'gpu_memory')
  t.is(ResourceType.ThermalHeadroom as string, 'thermal_headroom')
  t.is(ResourceType.PowerBudget as string, 'power_budget')
  t.deepEqual([Priority.Low, Priority.Normal, Priority.High, Priority.Critical] as string[], ['low', 'normal', 'high', 'critical'])
  t.deepEqual(createDefaultAllocator().resources(), [
    ResourceType.CpuCores,
    ResourceType.CpuTime,
    ResourceType.GpuCompute,
    ResourceType.GpuMemory,
    ResourceType.ThermalHeadroom,
    ResourceType.PowerBudget,
  ])
})

test('first fit: lowest free core ids, contiguous runs, release', (t) => {
  const a = createDefaultAllocator()
  const first = a.allocate({ id: 'a', resourceType: ResourceType.CpuCores, amount: 2 })
  t.deepEqual(first.placement.units, [0, 1])
  t.is(first.priority, Priority.Normal)
  a.allocate({ id: 'b', resourceType: ResourceType.CpuCores, amount: 1 })
  a.release('a')
  // Cores 0 and 1 are free again, core 2 is held: a contiguous 3 must start at 3.
  t.deepEqual(a.allocate({ id: 'c', resourceType: ResourceType.CpuCores, amount: 3, contiguous: true }).placement.units, [3, 4, 5])
  t.deepEqual(a.allocate({ id: 'd', resourceType: ResourceType.CpuCores, amount: 3 }).placement.units, [0, 1, 6])
  const s = a.stats(ResourceType.CpuCores)
  t.deepEqual([s.capacity, s.used, s.free], [16, 7, 9])
})

test('best fit: smallest hole that fits, coalescing on release', (t) => {
  const a = createDefaultAllocator()
  const r = (id: string, amount: number) => a.allocate({ id, resourceType: ResourceType.CpuTime, amount }).placement
  t.deepEqual(r('x', 3000), { offset: 0, size: 3000 })
  t.deepEqual(r('y', 2000), { offset: 3000, size: 2000 })
  a.release('x')
  // Holes [0, 3000) and [5000, 10000): 1000 goes into the smaller one.
  t.deepEqual(r('z', 1000), { offset: 0, size: 1000 })
  t.is(a.stats(ResourceType.CpuTime).largestFreeBlock, 5000)
  a.release('y')
  a.release('z')
  const s = a.stats(ResourceType.CpuTime)
  t.is(s.largestFreeBlock, 10_000)
  t.is(s.fragmentation, 0)
})

test('buddy: requests round up to a power of two, waste is reported', (t) => {
  const a = createDefaultAllocator()
  const m = a.allocate({ id: 'tex', resourceType: ResourceType.GpuMemory, amount: 1000 })
  t.is(m.requested, 1000)
  t.is(m.granted, 1024)
  t.is(m.placement.size, 1024)
  t.is(m.placement.offset! % 1024, 0)
  const s = a.stats(ResourceType.GpuMemory)
  t.is(s.used, 1024)
  t.is(s.internalWaste, 24)
  t.is(a.allocate({ id: 'k', resourceType: ResourceType.GpuCompute, amount: 30 }).granted, 32)
  a.release('tex')
  t.is(a.stats(ResourceType.GpuMemory).largestFreeBlock, 8192)
})

test('priority: a preemptive pool lets a higher priority take the place of a lower one', (t) => {
  const a = createDefaultAllocator()
  a.allocate({ id: 'bg', resourceType: ResourceType.ThermalHeadroom, amount: 20, priority: Priority.Low })
  const crit = a.allocate({ id: 'crit', resourceType: ResourceType.ThermalHeadroom, amount: 15, priority: Priority.Critical })
  t.is(crit.granted, 15)
  t.deepEqual(crit.placement, {})
  t.deepEqual(a.takePreempted(), ['bg'])
  t.deepEqual(a.takePreempted(), [])
  t.is(a.get('bg'), null)
  // Nothing lower than critical is left to preempt.
  throwsCode(t, () => a.allocate({ id: 'more', resourceType: ResourceType.ThermalHeadroom, amount: 20, priority: Priority.Critical }), 'INSUFFICIENT_CAPACITY')
})

test('setCapacity on thermal headroom preempts the lowest priority first, then the newest', (t) => {
  const a = createDefaultAllocator()
  const th = ResourceType.ThermalHeadroom
  a.allocate({ id: 'n1', resourceType: th, amount: 8, priority: Priority.Normal })
  a.allocate({ id: 'l1', resourceType: th, amount: 6, priority: Priority.Low })
  a.allocate({ id: 'n2', resourceType: th, amount: 8, priority: Priority.Normal })
  a.allocate({ id: 'h1', resourceType: th, amount: 5, priority: Priority.High })
  t.is(a.stats(th).used, 27)
  // Telemetry: only 14 °C left. Drop l1 (low; 21 held), then n2 (newest normal; 13 held).
  t.deepEqual(a.setCapacity(th, 14), { preempted: ['l1', 'n2'] })
  t.deepEqual(a.allocations().map((x) => x.id), ['n1', 'h1'])
  const s = a.stats(th)
  t.deepEqual([s.capacity, s.used, s.free], [14, 13, 1])
  t.deepEqual(a.takePreempted(), ['l1', 'n2'])
  t.deepEqual(a.setCapacity(th, 40), { preempted: [] })
})

test('weighted: max-min fair shares by priority weight or explicit weight, visible on every lease', (t) => {
  const a = createDefaultAllocator()
  const pb = ResourceType.PowerBudget
  t.is(a.allocate({ id: 'low', resourceType: pb, amount: 150_000, priority: Priority.Low }).granted, 150_000)
  const high = a.allocate({ id: 'high', resourceType: pb, amount: 150_000, priority: Priority.High })
  // Weights 1 and 4: 30,000 and 120,000.
  t.is(high.granted, 120_000)
  t.is(a.get('low')?.granted, 30_000)
  t.is(high.requested, 150_000)
  // A small demand is met in full and the rest is shared again (water-filling).
  a.allocate({ id: 'small', resourceType: pb, amount: 1000, weight: 100 })
  t.is(a.get('small')?.granted, 1000)
  t.is(a.get('low')?.granted, 29_800)
  t.is(a.get('high')?.granted, 119_200)
  a.release('high')
  t.is(a.get('low')?.granted, 149_000)
  t.is(a.stats(pb).used, 150_000)
  // Telemetry shrinks the budget: shares follow, nobody is preempted.
  t.deepEqual(a.setCapacity(pb, 11_000), { preempted: [] })
  t.is(a.get('low')?.granted, 10_000)
})

test('leases with a TTL expire through tick', (t) => {
  const a = createDefaultAllocator()
  t.is(a.nowTick, 0)
  const lease = a.allocate({ id: 'short', resourceType: ResourceType.CpuCores, amount: 1, ttlTicks: 3 })
  t.is(lease.createdTick, 0)
  t.is(lease.expiresAtTick, 3)
  a.allocate({ id: 'forever', resourceType: ResourceType.CpuCores, amount: 1 })
  t.deepEqual(a.tick(2), [])
  t.deepEqual(a.tick(), ['short'])
  t.is(a.nowTick, 3)
  t.is(a.get('short'), null)
  t.is(a.get('forever')?.expiresAtTick, undefined)
  t.is(a.stats(ResourceType.CpuCores).used, 1)
  throwsCode(t, () => a.tick(-1), 'INVALID_ARGUMENT')
  throwsCode(t, () => a.allocate({ id: 'x', resourceType: ResourceType.CpuCores, amount: 1, ttlTicks: 1.5 }), 'INVALID_ARGUMENT')
})

test('every error code is a GamesaError with its code', (t) => {
  const a = createDefaultAllocator()
  const cores = (id: string, amount: number) => () => a.allocate({ id, resourceType: ResourceType.CpuCores, amount })
  const full = throwsCode(t, cores('big', 17), 'INSUFFICIENT_CAPACITY')
  t.regex(full.message, /cpu_cores/)
  for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, -2, 1.5]) {
    throwsCode(t, cores('bad', bad), 'INVALID_AMOUNT')
  }
  // Divisible pools take fractions.
  t.is(a.allocate({ id: 'frac', resourceType: ResourceType.ThermalHeadroom, amount: 1.5 }).granted, 1.5)
  throwsCode(t, () => a.allocate({ id: 'w', resourceType: ResourceType.PowerBudget, amount: 10, weight: 0 }), 'INVALID_AMOUNT')
  throwsCode(t, () => a.setCapacity(ResourceType.CpuCores, 8), 'INVALID_AMOUNT')
  a.allocate({ id: 'one', resourceType: ResourceType.CpuCores, amount: 1 })
  throwsCode(t, cores('one', 1), 'DUPLICATE_ID')
  throwsCode(t, () => a.release('nobody'), 'UNKNOWN_LEASE')
  const small = createAllocator({ pools: [{ resource: 'cpu_cores', strategy: 'first_fit', capacity: 4 }] })
  throwsCode(t, () => small.stats(ResourceType.GpuMemory), 'UNKNOWN_RESOURCE')
  throwsCode(t, () => small.allocate({ id: 'g', resourceType: ResourceType.GpuMemory, amount: 1 }), 'UNKNOWN_RESOURCE')
  const config = throwsCode(t, () => createAllocator({ pools: [{ resource: 'cpu_cores', strategy: 'buddy', capacity: 4 }] }), 'INVALID_CONFIG')
  t.is(config.path, '$.pools[0].strategy')
  throwsCode(t, () => a.allocate({ id: 'r', resourceType: 'cpu' as ResourceType, amount: 1 }), 'INVALID_ARGUMENT')
  throwsCode(t, () => a.allocate({ id: 'p', resourceType: ResourceType.CpuCores, amount: 1, priority: 'urgent' as Priority }), 'INVALID_ARGUMENT')
  // Wrong JS types from untyped callers: a GamesaError naming the field, not Node-API's code.
  const wrongAmount = throwsCode(t, () => a.allocate({ id: 's', resourceType: ResourceType.CpuCores, amount: '4' as unknown as number }), 'INVALID_ARGUMENT')
  t.is(wrongAmount.path, '$.amount')
  const wrongId = throwsCode(t, () => a.allocate({ id: 7 as unknown as string, resourceType: ResourceType.CpuCores, amount: 1 }), 'INVALID_ARGUMENT')
  t.is(wrongId.path, '$.id')
  const wrongTtl = throwsCode(t, () => a.allocate({ id: 't', resourceType: ResourceType.CpuCores, amount: 1, ttlTicks: 'soon' as unknown as number }), 'INVALID_ARGUMENT')
  t.is(wrongTtl.path, '$.ttlTicks')
})

test('createAllocator takes any valid config, typed', (t) => {
  const config: AllocatorConfig = {
    description: 'a GPU box',
    pools: [
      { resource: 'gpu_memory', strategy: 'best_fit', capacity: 24_576 },
      { resource: 'cpu_time', strategy: 'buddy', capacity: 1024, minBlock: 64 },
      { resource: 'thermal_headroom', strategy: 'weighted', capacity: 10, weights: { low: 1, normal: 1, high: 1, critical: 1 } },
    ],
  }
  const a = createAllocator(config)
  t.deepEqual(a.resources(), [ResourceType.CpuTime, ResourceType.GpuMemory, ResourceType.ThermalHeadroom])
  t.deepEqual(a.allocate({ id: 'm', resourceType: ResourceType.GpuMemory, amount: 1000 }).placement, { offset: 0, size: 1000 })
  t.is(a.allocate({ id: 't', resourceType: ResourceType.CpuTime, amount: 10 }).granted, 64)
  a.allocate({ id: 'h1', resourceType: ResourceType.ThermalHeadroom, amount: 10, priority: Priority.Critical })
  a.allocate({ id: 'h2', resourceType: ResourceType.ThermalHeadroom, amount: 10, priority: Priority.Low })
  t.is(a.get('h1')?.granted, 5)
  const all: Allocation[] = a.allocations()
  t.deepEqual(all.map((x) => [x.id, x.resourceType]), [
    ['m', 'gpu_memory'],
    ['t', 'cpu_time'],
    ['h1', 'thermal_headroom'],
    ['h2', 'thermal_headroom'],
  ])
  const released = a.release('m')
  t.is(released.id, 'm')
  t.is(a.stats(ResourceType.GpuMemory).used, 0)
})

test('the compact native lease form reads back exactly as the object form', (t) => {
  const a = createDefaultAllocator()
  const every: [ResourceType, number][] = [
    [ResourceType.CpuCores, 3],
    [ResourceType.CpuTime, 1234],
    [ResourceType.GpuCompute, 20],
    [ResourceType.GpuMemory, 100],
    [ResourceType.ThermalHeadroom, 0.1 + 0.2],
    [ResourceType.PowerBudget, 1e-7],
  ]
  const priorities = [Priority.Low, Priority.Normal, Priority.High, Priority.Critical]
  every.forEach(([resourceType, amount], i) => {
    const priority = priorities[i % 4]!
    const lease = a.allocate({ id: `l${i}`, resourceType, amount, priority, ttlTicks: i % 2 === 0 ? 5 : undefined })
    t.is(lease.resourceType, resourceType)
    t.is(lease.priority, priority)
    t.is(lease.requested, amount)
    t.true(a.stats(resourceType).used > 0, `${resourceType} is the pool that was used`)
  })
  a.tick(2)
  // get() and release() go through the compact form, allocations() through objects.
  for (const lease of a.allocations()) t.deepEqual(a.get(lease.id), lease)
  const objects = a.allocations()
  t.deepEqual(objects.map((l) => a.release(l.id)), objects)
})
