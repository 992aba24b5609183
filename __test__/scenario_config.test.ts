// The scenario corpus through the package (src/scenario.ts, checked by the core): the shipped
// scenarios are valid, every file under samples/scenarios/invalid/ is rejected at the JSON path
// recorded in _expected_paths.json, as text and as a value.
import test from 'ava'
import { readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { checkScenario, parseScenario, scenarioSchema, validateScenario } from '../src/scenario.ts'

// ava runs from the package root.
const dir = resolve('samples/scenarios')
const jsonFiles = (sub: string) =>
  readdirSync(join(dir, sub))
    .filter((f) => f.endsWith('.json') && !f.startsWith('_'))
    .sort()
const expectedPaths = JSON.parse(readFileSync(join(dir, 'invalid', '_expected_paths.json'), 'utf8')) as Record<string, string>

/** The TypeScript verdict: null when valid, else the error's path. */
function tsPath(text: string): string | null {
  try {
    parseScenario(text)
    return null
  } catch (e) {
    const err = e as Error & { code?: string; path?: string }
    if (err.code !== 'INVALID_SCENARIO') throw e
    return err.path ?? '(no path)'
  }
}

test('the shipped scenarios are there and the invalid corpus is listed', (t) => {
  const shipped = jsonFiles('.')
  for (const name of ['game_and_compile', 'gpu_training_power_cap', 'heat_soak']) t.true(shipped.includes(`${name}.json`), name)
  t.true(jsonFiles('invalid').length >= 30)
  t.deepEqual(jsonFiles('invalid'), Object.keys(expectedPaths).sort(), '_expected_paths.json lists every invalid file')
})

for (const file of jsonFiles('.')) {
  test(`${file}: valid, named after itself, with a priority workload`, (t) => {
    const text = readFileSync(join(dir, file), 'utf8')
    t.is(tsPath(text), null)
    const parsed = scenarioSchema.safeParse(JSON.parse(text))
    t.true(parsed.success)
    const scenario = parseScenario(text)
    t.is(`${scenario.name}.json`, file)
    t.is(scenario.workloads.filter((w) => w.priority === true).length, 1)
  })
}

for (const file of jsonFiles('invalid')) {
  test(`invalid/${file}: rejected at ${expectedPaths[file]}`, (t) => {
    const text = readFileSync(join(dir, 'invalid', file), 'utf8')
    t.is(tsPath(text), expectedPaths[file]!)
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      return // malformed JSON never reaches the schema
    }
    t.is(checkScenario(value)?.path, expectedPaths[file])
  })
}

test('errors carry the code, the path, and the path in the message', (t) => {
  const base = JSON.parse(readFileSync(join(dir, 'heat_soak.json'), 'utf8')) as Record<string, unknown>
  const err = t.throws(() => validateScenario({ ...base, tickMs: 0 })) as Error & { code?: string; path?: string }
  t.is(err.code, 'INVALID_SCENARIO')
  t.is(err.path, '$.tickMs')
  t.regex(err.message, /^\$\.tickMs: /)
  const malformed = t.throws(() => parseScenario('{"name": ')) as Error & { path?: string }
  t.is(malformed.path, '$')
})

test('the schema holds the structure; the core judges the values', (t) => {
  const base = JSON.parse(readFileSync(join(dir, 'game_and_compile.json'), 'utf8')) as { workloads: Record<string, unknown>[] }
  const bad = structuredClone(base)
  bad.workloads[1]!.cpuQuota = 100
  t.true(scenarioSchema.safeParse(bad).success)
  t.is(checkScenario(bad)?.path, '$.workloads[1].cpuQuota')
  bad.workloads[1]!.cpuQuota = 'all'
  t.false(scenarioSchema.safeParse(bad).success)
  bad.workloads[1]!.cpuQuota = Number.NaN
  t.deepEqual(checkScenario(bad), { path: '$.workloads[1].cpuQuota', message: 'must be a finite number, got NaN' })
})

test('defaults and nullable options are accepted as serde accepts them', (t) => {
  const minimal = {
    name: 'min',
    durationS: 2,
    machine: {
      cpu: { cores: 2, freqMinMhz: 800, freqMaxMhz: 3000, idleW: 5, dynamicW: 30, thermalResistanceCPerW: 1, timeConstantS: 5, limitC: 80, criticalC: 95, initialC: null },
      powerCapW: null,
    },
    workloads: [{ name: 'w', steady: {}, batch: null, cpuWeight: null }],
  }
  t.is(checkScenario(minimal), null)
  // A defaulted field that is not optional in Rust rejects null, as serde does.
  t.is(checkScenario({ ...minimal, tickMs: null })?.path, '$.tickMs')
})
