// The market configuration corpus (samples/market_configs/) through the package: every valid
// file passes the structure schemas and the core's check, every invalid file is refused at the
// JSON path recorded in invalid_paths.json, as text and as a value.
import test from 'ava'
import { readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import {
  GamesaError,
  MARKET_DEFAULTS,
  checkEngineConfig,
  agentSchema,
  agentsSchema,
  checkMarketDocument,
  marketConfigSchema,
  marketDocumentSchema,
  parseMarketDocument,
} from '@gamesa/core'

// ava runs from the package root.
const corpus = resolve('samples/market_configs')
const files = (dir: string) =>
  readdirSync(join(corpus, dir))
    .filter((f) => f.endsWith('.json'))
    .sort()
const expectedPaths = JSON.parse(readFileSync(join(corpus, 'invalid_paths.json'), 'utf8')) as Record<string, string>

/** The TypeScript verdict: null when valid, else the GamesaError's path. */
function tsPath(text: string): string | null {
  try {
    parseMarketDocument(text)
    return null
  } catch (e) {
    if (!(e instanceof GamesaError) || e.code !== 'INVALID_CONFIG') throw e
    return e.path ?? '(no path)'
  }
}

/** The verdict of the exported section schemas on a parsed document. */
function sectionsAccept(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const { market, agents } = value as { market?: unknown; agents?: unknown }
  const marketOk = market === undefined || marketConfigSchema.safeParse(market).success
  const agentsOk = agents === undefined || agentsSchema.safeParse(agents).success
  return marketOk && agentsOk
}

test('the corpus is big enough and every invalid file has its expected path', (t) => {
  t.true(files('valid').length >= 10)
  t.true(files('invalid').length >= 25)
  t.deepEqual(files('invalid'), Object.keys(expectedPaths).sort())
})

for (const file of files('valid')) {
  test(`valid/${file}: accepted`, (t) => {
    const text = readFileSync(join(corpus, 'valid', file), 'utf8')
    t.is(tsPath(text), null)
    const value = JSON.parse(text) as { agents?: unknown[] }
    t.true(marketDocumentSchema.safeParse(value).success)
    t.true(sectionsAccept(value))
    for (const agent of value.agents ?? []) t.true(agentSchema.safeParse(agent).success)
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
    // Re-serializing loses what only the text shows (duplicate keys, numbers beyond a double).
    if (!/duplicate_key|overflow|1e999/.test(file + text)) t.is(checkMarketDocument(value)?.path, expectedPaths[file]!)
  })
}

test('errors carry the path in the message and as a property', (t) => {
  const err = t.throws(() => parseMarketDocument('{"agents":[{"id":"a","budgetPerTick":2,"budgetCap":1}]}'))
  t.true(err instanceof GamesaError)
  t.is((err as GamesaError).code, 'INVALID_CONFIG')
  t.is((err as GamesaError).path, '$.agents[0].budgetCap')
  t.regex(err!.message, /^\$\.agents\[0\]\.budgetCap: must be at least budgetPerTick/)
  t.deepEqual(checkMarketDocument({ market: { kappa: 0 } }), { path: '$.market.kappa', message: 'must be > 0 and <= 10, got 0' })
  t.is(checkMarketDocument({}), null)
})

test('inside an engine configuration, market problems keep their path under the section', (t) => {
  const paths = (doc: unknown) => checkEngineConfig(JSON.stringify(doc)).map((p) => p.path)
  t.true(paths({ market: { priceMin: 2, priceMax: 1 } }).includes('$.market.priceMax'))
  t.true(paths({ agents: [{ id: 'a', budgetPerTick: 1 }, { id: 'a', budgetPerTick: 1 }] }).includes('$.agents[1].id'))
  t.true(paths({ agents: [{ id: 'a', budgetPerTick: 1, bids: [{ resource: 'cpu_cores', amount: -1, maxUnitPrice: 1 }] }] }).includes('$.agents[0].bids[0].amount'))
  // The section schemas hold the structure only: their values mean what the core says.
  t.true(marketConfigSchema.safeParse({ priceMin: 2, priceMax: 1 }).success)
  t.false(marketConfigSchema.safeParse({ kappa: 'fast' }).success)
})

test('the documented defaults are valid and within their own bounds', (t) => {
  const d = MARKET_DEFAULTS
  const market = { kappa: d.kappa, targetUtilization: d.targetUtilization, priceMin: d.priceMin, priceMax: d.priceMax, reserve: d.reserve }
  t.true(marketConfigSchema.safeParse(market).success)
  t.is(checkMarketDocument({ market }), null)
  t.true(d.priceMin <= d.initialPrice && d.initialPrice <= d.priceMax)
})
