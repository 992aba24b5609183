// The config corpus through the package: every valid file passes the structure schema and the
// core's check and builds an allocator; every invalid one is refused at the JSON path recorded
// in samples/allocation_configs/invalid_paths.json, by every entry point.
import test from 'ava'
import { readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import {
  AllocatorConfigSchema,
  GamesaError,
  ResourceType,
  createAllocator,
  createDefaultAllocator,
  parseAllocatorConfig,
  checkAllocatorConfig,
  validateAllocatorConfig,
} from '@gamesa/core'
import { NativeAllocator, checkAllocatorConfigJson } from '../index.js'

// ava runs from the package root.
const corpus = resolve('samples/allocation_configs')
const files = (dir: string) =>
  readdirSync(join(corpus, dir))
    .filter((f) => f.endsWith('.json'))
    .sort()
const expectedPaths = JSON.parse(readFileSync(join(corpus, 'invalid_paths.json'), 'utf8')) as Record<string, string>

/** The TypeScript verdict: null when valid, else the GamesaError's path. */
function tsPath(text: string): string | null {
  try {
    parseAllocatorConfig(text)
    return null
  } catch (e) {
    if (!(e instanceof GamesaError) || e.code !== 'INVALID_CONFIG') throw e
    return e.path ?? '(no path)'
  }
}

test('the corpus is big enough', (t) => {
  t.true(files('valid').length >= 10)
  t.true(files('invalid').length >= 25)
  t.deepEqual(files('invalid'), Object.keys(expectedPaths).sort(), 'invalid_paths.json lists every invalid file')
})

for (const file of files('valid')) {
  test(`valid/${file}: accepted by the schema and the core, and builds an allocator`, (t) => {
    const text = readFileSync(join(corpus, 'valid', file), 'utf8')
    t.is(checkAllocatorConfigJson(text), null)
    t.is(tsPath(text), null)
    t.true(AllocatorConfigSchema.safeParse(JSON.parse(text)).success)
    const allocator = createAllocator(parseAllocatorConfig(text))
    t.true(allocator.resources().length > 0)
  })
}

for (const file of files('invalid')) {
  test(`invalid/${file}: rejected at ${expectedPaths[file]}`, (t) => {
    const text = readFileSync(join(corpus, 'invalid', file), 'utf8')
    const expected = expectedPaths[file]!
    const rust = checkAllocatorConfigJson(text)
    t.not(rust, null, 'Rust accepted it')
    t.is(rust?.path, expected, `Rust: ${rust?.message}`)
    t.is(tsPath(text), expected)
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      return // malformed JSON never reaches the value entry points
    }
    // A value re-serialized by JSON.stringify loses duplicate keys and out-of-range numbers,
    // which only the text shows; the rest must be found at the same path. A value holds only
    // the last of two equal keys, which may well be valid.
    if (/duplicate_key/.test(file)) return
    if (!/duplicate|1e999|out_of_double/i.test(file + text)) t.is(checkAllocatorConfig(value)?.path, expected)
    const err = t.throws(() => createAllocator(value as never))
    t.true(err instanceof GamesaError)
    t.is((err as GamesaError).code, 'INVALID_CONFIG')
  })
}

test('the sample is the default configuration', (t) => {
  const sample = parseAllocatorConfig(readFileSync('samples/allocation_schema.json', 'utf8'))
  const fromSample = createAllocator(sample)
  const defaults = createDefaultAllocator()
  t.deepEqual(fromSample.resources(), defaults.resources())
  for (const r of defaults.resources()) t.deepEqual(fromSample.stats(r), defaults.stats(r))
  t.is(defaults.stats(ResourceType.PowerBudget).capacity, 150_000)
})

test('validation errors carry the path in the message and as a property', (t) => {
  const err = t.throws(() =>
    validateAllocatorConfig({ pools: [{ resource: 'cpu_cores', strategy: 'first_fit', capacity: 16 }, { resource: 'cpu_time', strategy: 'best_fit', capacity: -1 }] }),
  )
  t.true(err instanceof GamesaError)
  t.is((err as GamesaError).path, '$.pools[1].capacity')
  t.regex(err!.message, /^\$\.pools\[1\]\.capacity: /)
  const native = t.throws(() => createAllocator({ pools: [] }))
  t.is((native as GamesaError).code, 'INVALID_CONFIG')
})

test('a number JSON cannot hold is refused at its path, not read as the default', (t) => {
  for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) {
    const err = t.throws(() => validateAllocatorConfig({ pools: [{ resource: 'cpu_cores', strategy: 'first_fit', capacity: bad }] }))
    t.is((err as GamesaError).code, 'INVALID_CONFIG')
    t.is((err as GamesaError).path, '$.pools[0].capacity')
  }
})

test('Rust reports malformed JSON with its line and column', (t) => {
  const problem = checkAllocatorConfigJson('{\n  "pools": [,]\n}')
  t.is(problem?.path, '$')
  t.regex(problem?.message ?? '', /line 2 column \d+/)
})

test('the native constructor validates again, with the same codes and paths', (t) => {
  const err = t.throws(() => new NativeAllocator('{"pools":[{"resource":"cpu_cores","strategy":"first_fit","capacity":2.5}]}'))
  t.true(err instanceof GamesaError)
  t.is((err as GamesaError).code, 'INVALID_CONFIG')
  t.regex(err!.message, /^\$\.pools\[0\]\.capacity: /)
  t.deepEqual(new NativeAllocator().resources(), createDefaultAllocator().resources())
})
