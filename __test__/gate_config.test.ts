// The gate configuration corpus (samples/gate_configs/) through the package: every valid file
// passes the structure schema and the core's check, every invalid one is refused at the JSON
// path recorded in invalid_paths.json, as text and as a value.
import test from 'ava'
import { readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { GamesaError, checkEngineConfig } from '@gamesa/core'
import { GATE_REJECT_REASONS, checkGateConfig, gateConfigSchema, parseGateConfig, templateProblem } from '../src/gate.js'

// ava runs from the package root.
const corpus = resolve('samples/gate_configs')
const files = (dir: string) =>
  readdirSync(join(corpus, dir))
    .filter((f) => f.endsWith('.json'))
    .sort()
const expectedPaths = JSON.parse(readFileSync(join(corpus, 'invalid_paths.json'), 'utf8')) as Record<string, string>

/** The TypeScript verdict: null when valid, else the GamesaError's path. */
function tsPath(text: string): string | null {
  try {
    parseGateConfig(text)
    return null
  } catch (e) {
    if (!(e instanceof Error) || (e as { code?: unknown }).code !== 'INVALID_GATE') throw e
    return (e as GamesaError).path ?? '(no path)'
  }
}

test('the corpus is big enough and fully listed', (t) => {
  t.true(files('valid').length >= 10)
  t.true(files('invalid').length >= 30)
  t.deepEqual(files('invalid'), Object.keys(expectedPaths).sort())
})

for (const file of files('valid')) {
  test(`valid/${file}: accepted`, (t) => {
    const text = readFileSync(join(corpus, 'valid', file), 'utf8')
    t.is(tsPath(text), null)
    t.true(gateConfigSchema.safeParse(JSON.parse(text)).success)
  })
}

for (const file of files('invalid')) {
  test(`invalid/${file}: rejected at ${expectedPaths[file]}`, (t) => {
    const text = readFileSync(join(corpus, 'invalid', file), 'utf8')
    t.is(tsPath(text), expectedPaths[file]!)
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      return // malformed JSON never reaches the value entry points
    }
    // Re-serializing loses what only the text shows (a number beyond a double's range).
    if (!/out_of_double|duplicate/.test(file)) t.is(checkGateConfig(value)?.path, expectedPaths[file]!)
  })
}

test('the sample gate config is valid', (t) => {
  t.is(checkGateConfig(JSON.parse(readFileSync('samples/gate/gate.json', 'utf8'))), null)
})

test('inside an engine configuration, a gate problem keeps its path under the section', (t) => {
  const bad = { actions: { k: { agent: 'a', effect: 'cpu_control', targets: ['cpu'], maxStep: 5, hysteresis: 6 } } }
  t.is(checkGateConfig(bad)?.path, '$.actions.k.hysteresis')
  t.true(gateConfigSchema.safeParse(bad).success, 'the structure is sound; the meaning is the core\'s')
  const paths = checkEngineConfig(JSON.stringify({ gate: bad })).map((p) => p.path)
  t.true(paths.includes('$.gate.actions.k.hysteresis'), paths.join(', '))
})

test('NaN in a value is refused at its path, not read as the default', (t) => {
  const bad = { actions: { k: { agent: 'a', effect: 'cpu_control', targets: ['cpu'], cooldownMs: Number.NaN } } }
  t.deepEqual(checkGateConfig(bad), { path: '$.actions.k.cooldownMs', message: 'must be a finite number, got NaN' })
})

test('templates: only {target} may use braces', (t) => {
  t.is(templateProblem('{target}.power_min_w'), null)
  t.is(templateProblem('thermal.headroom_c'), null)
  t.not(templateProblem('{targt}.x'), null)
  t.not(templateProblem('a b'), null)
  t.not(templateProblem(''), null)
})

test('reject reasons are the stable snake_case codes', (t) => {
  t.true(GATE_REJECT_REASONS.includes('not_selected'))
  t.is(new Set(GATE_REJECT_REASONS).size, GATE_REJECT_REASONS.length)
  for (const r of GATE_REJECT_REASONS) t.regex(r, /^[a-z]+(_[a-z]+)*$/)
})

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
type Mutation = { at: (string | number)[]; set?: Json; delete?: true; path: string | null }

/** Same as `apply` in crates/gamesa-core/tests/gate_config_mutations.rs. */
function apply(root: Json, path: (string | number)[], set: Json | undefined): Json {
  const isObject = (v: Json): v is { [key: string]: Json } => typeof v === 'object' && v !== null && !Array.isArray(v)
  const holder: { root: Json } = { root }
  let parent: { [key: string]: Json } | Json[] = holder as unknown as { [key: string]: Json }
  let key: string | number = 'root'
  const node = () => (parent as Record<string | number, Json>)[key]!
  const put = (v: Json) => {
    ;(parent as Record<string | number, Json>)[key] = v
  }
  for (const seg of path.slice(0, -1)) {
    if (typeof seg === 'number') {
      if (!Array.isArray(node())) put([])
      const a = node() as Json[]
      if (seg >= a.length) a.push({})
      parent = a
      key = Math.min(seg, a.length - 1)
    } else {
      if (!isObject(node())) put({})
      const o = node() as { [key: string]: Json }
      if (!Object.hasOwn(o, seg)) o[seg] = {}
      parent = o
      key = seg
    }
  }
  const last = path[path.length - 1]!
  if (typeof last === 'number') {
    if (!Array.isArray(node())) put([])
    const a = node() as Json[]
    if (set !== undefined) {
      if (last < a.length) a[last] = set
      else a.push(set)
    } else if (last < a.length) a.splice(last, 1)
  } else {
    if (!isObject(node())) put({})
    const o = node() as { [key: string]: Json }
    if (set !== undefined) o[last] = set
    else delete o[last]
  }
  return holder.root
}

test('mutation corpus: every mutation of the sample is judged at the path the core records', (t) => {
  const sample = readFileSync('samples/gate/gate.json', 'utf8')
  const cases = JSON.parse(readFileSync(join(corpus, 'mutations.json'), 'utf8')) as Mutation[]
  t.true(cases.length > 800)
  const disagreements: string[] = []
  for (const c of cases) {
    const doc = apply(JSON.parse(sample) as Json, c.at, c.delete === true ? undefined : c.set)
    const problem = checkGateConfig(doc)
    const got = problem === null ? null : problem.path
    if (got !== c.path) disagreements.push(`${JSON.stringify(c.at)} ${c.delete ? 'deleted' : JSON.stringify(c.set)}: recorded ${c.path}, got ${got}`)
  }
  t.deepEqual(disagreements, [])
})
