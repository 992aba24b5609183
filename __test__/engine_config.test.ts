// The engine configuration corpus (samples/engine_configs/) through checkEngineConfig — zod
// first, then the native engine — and through zod alone: every valid file passes both; every
// invalid file is reported at the JSON path recorded in invalid_paths.json, the path
// `cargo test -p gamesa-core --test engine_configs` checks on the Rust side. Structural files
// get the same verdict from zod and serde; `semantic_*` files are well-formed (zod passes) and
// only the engine's build rejects them (expressions, references between sections).
import test from 'ava'
import { readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { EngineConfigSchema, checkEngineConfig, zodProblems } from '@gamesa/core'
import { checkEngineConfigJson } from '../index.js'

// ava runs from the package root.
const corpus = resolve('samples/engine_configs')
const files = (dir: string) =>
  readdirSync(join(corpus, dir))
    .filter((f) => f.endsWith('.json'))
    .sort()
const expectedPaths = JSON.parse(readFileSync(join(corpus, 'invalid_paths.json'), 'utf8')) as Record<string, string>
const read = (dir: string, file: string) => readFileSync(join(corpus, dir, file), 'utf8')

/** zod's verdict on the text: null when it passes, else its problems' paths ('malformed' for bad JSON). */
function zodPaths(text: string): string[] | null | 'malformed' {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return 'malformed'
  }
  const result = EngineConfigSchema.safeParse(value)
  return result.success ? null : zodProblems(result.error.issues).map((p) => p.path)
}

test('the corpus is big enough and every invalid file has its expected path', (t) => {
  t.true(files('valid').length >= 8)
  t.true(files('invalid').length >= 30)
  t.true(files('invalid').filter((f) => f.startsWith('semantic_')).length >= 10)
  t.deepEqual(files('invalid'), Object.keys(expectedPaths).sort())
})

for (const file of files('valid')) {
  test(`valid/${file}: zod and the native engine accept it`, (t) => {
    const text = read('valid', file)
    t.is(zodPaths(text), null)
    t.deepEqual(checkEngineConfig(text), [])
    t.deepEqual(checkEngineConfigJson(text), [])
    t.is((JSON.parse(text) as { $schema?: string }).$schema, '../../../schemas/engine.schema.json')
  })
}

for (const file of files('invalid')) {
  const path = expectedPaths[file]!
  const semantic = file.startsWith('semantic_')
  test(`invalid/${file}: reported at ${path}${semantic ? ' by the native engine only' : ''}`, (t) => {
    const text = read('invalid', file)
    const problems = checkEngineConfig(text)
    t.true(
      problems.some((p) => p.path === path),
      `expected a problem at ${path}, got ${JSON.stringify(problems)}`,
    )
    const zod = zodPaths(text)
    const native = checkEngineConfigJson(text)
    t.true(native.length > 0, 'the native engine rejects it')
    if (semantic) t.is(zod, null, 'well-formed: zod passes')
    // zod holds the structure, the core the meaning: whichever finds the problem names its path.
    if (zod === null) t.true(native.some((p) => p.path === path), `native: ${JSON.stringify(native)}`)
    else if (zod !== 'malformed') t.true(zod.includes(path), `zod: ${JSON.stringify(zod)}`)
  })
}

test('expression problems carry the line and column inside the expression', (t) => {
  const text = read('invalid', 'semantic_rule_when_undeclared_variable.json')
  const [problem] = checkEngineConfig(text).filter((p) => p.path === '$.rules[0].when')
  t.is(problem?.line, 1)
  t.is(problem?.column, 1)
  t.regex(problem!.message, /wl\.game\.miss_rate/)
})

test('structure problems of every section are reported together, before any expression is compiled', (t) => {
  const config = JSON.parse(read('valid', 'base.json')) as Record<string, any>
  config.tickMs = 0
  config.market.gain = 1
  config.signals.capacity = 0
  config.rules[0].when = 'not an expression ((' // would be a native problem, but structure comes first
  const paths = checkEngineConfig(JSON.stringify(config)).map((p) => p.path)
  t.deepEqual(paths.sort(), ['$.market.gain', '$.signals.capacity', '$.tickMs'])
})
