// The first half of the original Quick Start, unchanged, then what it should have produced.
import test from 'ava'
import { createDefaultAllocator, ResourceType, Priority, SignalScheduler,
         telemetrySignal, SignalKind, createDefaultChecker, Effect } from '@gamesa/core'

test('the Quick Start runs unchanged', (t) => {
  const allocator = createDefaultAllocator()
  const allocation = allocator.allocate({ id: 'cpu-agent-001', resourceType: ResourceType.CpuCores,
                                          amount: 4, priority: Priority.High })
  const scheduler = new SignalScheduler()
  scheduler.enqueue(telemetrySignal(SignalKind.CpuBottleneck, 0.8))
  const signal = scheduler.dequeue()            // highest priority wins
  const checker = createDefaultChecker()
  let permitted = false
  if (checker.canPerform('cpu_agent', Effect.CpuControl)) { /* permitted */ permitted = true }

  t.is(allocation.id, 'cpu-agent-001')
  t.is(allocation.resourceType as string, 'cpu_cores')
  t.is(allocation.granted, 4)
  t.deepEqual(allocation.placement.units, [0, 1, 2, 3])
  t.is(allocation.priority as string, 'high')
  t.truthy(signal)
  t.is(signal?.kind as unknown, 'cpu_bottleneck')
  t.is(signal?.strength, 0.8)
  t.falsy(scheduler.dequeue(), 'the queue is empty again')
  t.true(permitted)
})
