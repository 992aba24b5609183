// The engine as users call it: build from the sample config, tick on real and synthetic
// snapshots, errors with codes and JSON paths, byte-identical outputs, the fast path.
import test from 'ava'
import { readFileSync, readdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { NativeEngine } from '../index.js'
import { DecisionDecoder } from '../src/decisions.ts'
import { reading } from './helpers/inputs.ts'
import { Engine, EngineConfigSchema, GamesaError, type TickOutput, checkEngineConfig, readSnapshot, runBacktest, builtinScenarios } from '@gamesa/core'

const SAMPLE = readFileSync('samples/engine.json', 'utf8')

test('the sample config passes zod and builds; a tick has every part of the output', (t) => {
  t.true(EngineConfigSchema.safeParse(JSON.parse(SAMPLE)).success)
  t.deepEqual(checkEngineConfig(SAMPLE), [])
  const engine = new Engine(SAMPLE)
  const out = engine.tick(reading(0), 1000)
  t.is(out.tick, 1)
  t.is(out.nowMs, 1000)
  t.is(typeof out.features['feat.cpu_heat'], 'number')
  t.true(out.firings.active.length > 0)
  t.true(out.market.grants.length > 0)
  t.true(out.allocations.length > 0)
  t.is(typeof out.rates.cpu_cores.power_budget, 'number')
  t.true(out.audit.length > 0)
  t.true(out.approved.length + out.rejected.length > 0)
  t.is(engine.ticks, 1)
  t.true(engine.inputNames.includes('cpu.util'))
  t.true(engine.auditNdjson().split('\n').length > 1)
})

test('two engines fed the same snapshots give byte-identical outputs', (t) => {
  const a = new Engine(SAMPLE)
  const b = new Engine(JSON.parse(SAMPLE))
  for (let i = 0; i < 100; i++) {
    t.is(a.tickJson(reading(i), 1000 + 100 * i), b.tickJson(reading(i), 1000 + 100 * i))
  }
})

test('the fast path takes values in inputNames order, NaN for absent', (t) => {
  const engine = new Engine(SAMPLE)
  const values = new Float64Array(engine.inputNames.length).fill(Number.NaN)
  const r = reading(0).values
  engine.inputNames.forEach((name, i) => {
    if (r[name] !== undefined) values[i] = r[name]!
  })
  const viaValues = JSON.parse(engine.tickValuesJson(values, 1000))
  const other = new Engine(SAMPLE)
  t.deepEqual(viaValues, other.tick(reading(0), 1000))
  const error = t.throws(() => engine.tickValuesJson(new Float64Array(3), 2000))
  t.is((error as GamesaError).code, 'INVALID_ARGUMENT')
})

test('tickValues returns the decisions; lastTick is the full output of the same tick', (t) => {
  const engine = new Engine(SAMPLE)
  const full = new Engine(SAMPLE)
  t.is(engine.lastTick(), null)
  for (let i = 0; i < 30; i++) {
    const r = reading(i).values
    const values = new Float64Array(engine.inputNames.length).fill(Number.NaN)
    engine.inputNames.forEach((name, k) => {
      if (r[name] !== undefined) values[k] = r[name]!
    })
    const decisions = engine.tickValues(values, 1000 + 100 * i)
    const expectedJson = full.tickJson(reading(i), 1000 + 100 * i)
    const expected = JSON.parse(expectedJson) as TickOutput
    // The full output stays native until asked for, and is the tick the decisions came from.
    t.is(engine.lastTickJson(), expectedJson)
    t.deepEqual(engine.lastTick(), expected)
    t.is(decisions.tick, expected.tick)
    t.is(decisions.emergency, expected.emergency)
    t.deepEqual(decisions.prices, expected.market.prices)
    t.deepEqual(decisions.nextPrices, expected.market.nextPrices)
    t.deepEqual(decisions.demand, expected.market.demand)
    t.deepEqual(decisions.supply, expected.market.supply)
    t.deepEqual(decisions.signals, expected.signals)
    t.deepEqual(decisions.firings, expected.firings)
    t.deepEqual(decisions.approved, expected.approved)
    t.deepEqual(decisions.rejected, expected.rejected)
    t.is(decisions.leaseChanges, expected.allocations.length)
    t.is(decisions.violations, expected.contracts.filter((c) => c.status === 'violated').length)
    if (expected.audit.length > 0) {
      t.deepEqual(decisions.audit, [expected.audit[0]!.seq, expected.audit.at(-1)!.seq])
    } else {
      t.is(decisions.audit, undefined)
    }
  }
  const error = t.throws(() => engine.tickValues(new Float64Array(2), 99_999))
  t.is((error as GamesaError).code, 'INVALID_ARGUMENT')
})

test('this machine: a live snapshot goes through; absent sensors are skipped, not faked', (t) => {
  const engine = new Engine(SAMPLE)
  readSnapshot()
  const snapshot = readSnapshot()
  const out = engine.tick(snapshot)
  t.is(out.nowMs, snapshot.timestampMs)
  // A feature is either computed or absent with the reason, never both; an absent one names
  // an input this reading does not have (it is not computed from a stand-in 0).
  const absent = out.featuresAbsent ?? {}
  for (const [name, reason] of Object.entries(absent)) {
    t.false(name in out.features, `${name} is both computed and absent`)
    const input = /`([^`]+)` is absent/.exec(reason)?.[1]
    t.truthy(input, `${name}: ${reason}`)
    t.false(input! in snapshot.values, `${name} is absent for ${input}, which the reading has`)
  }
  // The sample's safety contract reads temp_cpu from thermal.cpu_c. Without that sensor its
  // checks on temp_cpu are skipped with a reason, and the contract is not judged violated;
  // with it, they are evaluated.
  const safety = out.contracts.find((c) => c.contract === 'safety_check')
  if (!safety) return t.fail('no safety_check result in the tick output')
  const skippedCpu = (safety.skipped ?? []).filter((s) => /temp_cpu/.test(s))
  if (snapshot.values['thermal.cpu_c'] === undefined) {
    t.not(safety.status, 'violated')
    t.true(skippedCpu.length > 0, `temp_cpu has no sensor but nothing was skipped: ${JSON.stringify(safety)}`)
    t.true(skippedCpu.every((s) => /no sensor for temp_cpu|temp_cpu absent/.test(s)), skippedCpu.join('; '))
  } else {
    t.deepEqual(skippedCpu, [], 'thermal.cpu_c is read, so temp_cpu checks are evaluated')
  }
})

test('time may not go backwards; errors are GamesaErrors with codes', (t) => {
  const engine = new Engine(SAMPLE)
  engine.tick(reading(0), 1000)
  const error = t.throws(() => engine.tick(reading(1), 999))
  t.true(error instanceof GamesaError)
  t.is((error as GamesaError).code, 'INVALID_ARGUMENT')
  t.regex(error!.message, /not earlier than the previous one/)
  t.throws(() => engine.tick({ values: {} }), { message: /nowMs/ })
})

test('bad configs: zod problems with JSON paths, then the engine’s (expressions with line and column)', (t) => {
  const doc = JSON.parse(SAMPLE)
  doc.market.kappa = 'fast'
  const problems = checkEngineConfig(doc)
  t.true(problems.some((p) => p.path === '$.market.kappa'), JSON.stringify(problems))

  const doc2 = JSON.parse(SAMPLE)
  doc2.rules[2].when = 'thermal.headroom_cc > 18.0'
  doc2.gate.actions.pin_cores.agent = 'nobody'
  const p2 = checkEngineConfig(doc2)
  const when = p2.find((p) => p.path === '$.rules[2].when')
  t.truthy(when, JSON.stringify(p2))
  t.regex(when!.message, /thermal\.headroom_c/)
  t.is(typeof when!.column, 'number')
  t.true(p2.some((p) => p.path === '$.gate.actions.pin_cores.agent'))

  const error = t.throws(() => new Engine(doc2))
  t.is((error as GamesaError).code, 'INVALID_ENGINE_CONFIG')
  t.true(error instanceof GamesaError)
  t.is(checkEngineConfig('{ nope')[0]!.path, '$')
})

test('backtest: the sample policy beats no policy on the game scenario; scenarios are listed', (t) => {
  const names = builtinScenarios().map((s) => s.name)
  // Every file of samples/scenarios/ ships, sorted by name.
  const files = readdirSync('samples/scenarios').filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -'.json'.length)).sort()
  t.true(files.length >= 9)
  t.deepEqual(names, files)
  const report = runBacktest('game_and_compile', SAMPLE, 'none')
  const [policy, baseline] = report.runs
  t.is(policy!.label, 'policy')
  t.is(baseline!.label, 'baseline')
  t.true(policy!.summary.priorityDeadlineMisses * 10 < baseline!.summary.priorityDeadlineMisses)
  t.is(policy!.series.tMs.length, 1200)
  t.truthy(policy!.series.extra['prices.cpu_cores'])
  const error = t.throws(() => runBacktest('{"name": 3}', SAMPLE))
  t.is((error as GamesaError).code, 'INVALID_SCENARIO')
})

test('the README snippet runs as written', (t) => {
  // As the README's CommonJS note has it: the sample resolves through the package's exports.
  const config = createRequire(join(process.cwd(), 'package.json')).resolve('@gamesa/core/samples/engine.json')
  t.is(config, join(process.cwd(), 'samples', 'engine.json'))
  const engine = Engine.fromFile(config)
  const out = engine.tick(readSnapshot()) // nowMs defaults to the snapshot's timestamp
  t.is(typeof out.market.prices.cpu_cores, 'number')
  t.true(Array.isArray(out.approved))
  t.true(out.rejected.map((r) => r.reason).every((r) => typeof r === 'string'))
  const error = t.throws(() => Engine.fromFile('no/such/engine.json'))
  t.is((error as GamesaError).code, 'IO_ERROR')
})

test('tickValues decodes to exactly the JSON of the decisions, key order included (64-agent fixture)', (t) => {
  const fixture = readFileSync('bench/fixtures/engine_64x200.json', 'utf8')
  const live = new Engine(fixture)
  const twin = new Engine(fixture)
  let state = 7
  const frame = () =>
    Float64Array.from(live.inputNames, (name) => {
      state = (state * 1103515245 + 12345) % 2147483648
      const u = (state % 10000) / 10000
      return name === 'gpu.count' ? 8 : name.endsWith('.power_min_w') ? 100 : name.endsWith('.power_max_w') ? 400 : name.endsWith('_mhz') ? 3500 : 100 * u
    })
  let rejected = 0
  for (let i = 0; i < 200; i++) {
    const values = frame()
    const decisions = live.tickValues(values, 100 * i)
    const json = twin.tickValuesDecisionsJson(values, 100 * i)
    t.is(JSON.stringify(decisions), JSON.stringify(JSON.parse(json)))
    rejected += decisions.rejected.length
  }
  // The fixture's rules propose out-of-bounds values: rejections (and their messages) crossed.
  t.true(rejected > 0)
})

test('the decisions decoder grows its array when a tick packs more numbers than it holds', (t) => {
  const native = new NativeEngine(SAMPLE)
  const twin = new Engine(SAMPLE)
  const decoder = new DecisionDecoder(2)
  for (let i = 0; i < 5; i++) {
    const r = reading(i).values
    const values = Float64Array.from(twin.inputNames, (name) => r[name] ?? Number.NaN)
    const decisions = decoder.tick(native, values, 1000 + 100 * i)
    t.is(JSON.stringify(decisions), JSON.stringify(JSON.parse(twin.tickValuesDecisionsJson(values, 1000 + 100 * i))))
  }
})

test('a reading that is not a finite number is absent, not the loss of the tick', (t) => {
  const engine = Engine.fromFile('samples/engine.json')
  const values = { ...reading(0).values, 'thermal.cpu_c': Number.NaN, 'gpu0.temp_c': Number.POSITIVE_INFINITY }
  const out = engine.tick({ timestampMs: 1_000, values })
  t.is(out.tick, 1)
  // The feature computed from the absent reading is absent, with the reason.
  t.false('feat.cpu_heat' in out.features)
})

test('an infinite temperature is a reading that breaks the safety limit, not a missing sensor', (t) => {
  for (const values of [
    (engine: Engine) => engine.tick({ timestampMs: 1_000, values: { ...reading(0).values, 'thermal.cpu_c': Number.POSITIVE_INFINITY } }),
    (engine: Engine) => {
      const v = new Float64Array(engine.inputNames.length).fill(Number.NaN)
      for (const [k, x] of Object.entries({ ...reading(0).values, 'thermal.cpu_c': Number.POSITIVE_INFINITY })) {
        const i = engine.inputNames.indexOf(k)
        if (i >= 0) v[i] = x
      }
      return JSON.parse(engine.tickValuesJson(v, 1_000)) as TickOutput
    },
  ]) {
    const out = values(Engine.fromFile('samples/engine.json'))
    t.true(out.emergency, 'the safety invariant is violated')
    t.true(JSON.stringify(out.contracts).includes('temp_cpu < 95.0'), JSON.stringify(out.contracts))
  }
})

test('a tick time out of range is refused and the engine keeps ticking', (t) => {
  const engine = Engine.fromFile('samples/engine.json')
  engine.tick(reading(0), 1_000)
  for (const bad of [1e300, -5, Number.NaN]) {
    const err = t.throws(() => engine.tick(reading(1), bad)) as GamesaError
    t.is(err.code, 'INVALID_ARGUMENT')
  }
  t.is(engine.tick(reading(1), 1_100).tick, 2)
})
