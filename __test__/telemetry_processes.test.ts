// The process table as users read it: readProcesses() and TelemetrySampler.processes().
// ava runs each file in its own worker, so the first readProcesses() here is the process's first.
import test from 'ava'
import { GamesaError, GamesaErrorCode, TelemetrySampler, readProcesses } from '@gamesa/core'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

test.serial('readProcesses: first call needs two readings, the second lists this process', async (t) => {
  const first = t.throws(() => readProcesses())
  t.true(first instanceof GamesaError)
  t.is((first as GamesaError).code, GamesaErrorCode.NeedsTwoReadings)
  await sleep(300)
  const list = readProcesses(100000)
  const me = list.find((p) => p.pid === process.pid)
  t.truthy(me, 'current process listed')
  t.true((me?.memoryMb ?? 0) > 0)
  t.true((me?.name.length ?? 0) > 0)
  t.true(me?.cpuRatio === null || typeof me?.cpuRatio === 'number')
  t.true(readProcesses(3).length <= 3)
})

test.serial('readProcesses rejects a bad limit with INVALID_ARGUMENT', (t) => {
  const err = t.throws(() => readProcesses(-1))
  t.is((err as GamesaError).code, GamesaErrorCode.InvalidArgument)
})

test.serial('TelemetrySampler.processes() has a list after two slow ticks', async (t) => {
  const sampler = new TelemetrySampler({ rateHz: 20, slowEvery: 2 })
  let r = sampler.processes()
  const deadline = Date.now() + 3000
  while ((r === null || r.processes === null) && Date.now() < deadline) {
    await sleep(50)
    r = sampler.processes()
  }
  sampler.stop()
  t.truthy(r?.processes, `reading ${JSON.stringify(r)}`)
  t.is(r?.error, null)
  t.true((r?.timestampMs ?? 0) > 0)
  t.true((r?.processes?.length ?? 0) > 0)
})
