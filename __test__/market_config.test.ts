// The market configuration corpus (samples/market_configs/) through zod: every valid file is
// accepted, every invalid file is rejected at the JSON path recorded in invalid_paths.json —
// the same verdicts and paths `cargo test -p gamesa-core --test economics_corpus` checks on
// the Rust side (serde). The exported section schemas agree with the document check.
import test from 'ava'
import { readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { z } from 'zod'
import {
  GamesaError,
  MARKET_DEFAULTS,
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
  test(`valid/${file}: accepted by zod`, (t) => {
    const text = readFileSync(join(corpus, 'valid', file), 'utf8')
    t.is(tsPath(text), null)
    const value = JSON.parse(text) as { agents?: unknown[] }
    t.true(marketDocumentSchema.safeParse(value).success)
    t.true(sectionsAccept(value))
    for (const agent of value.agents ?? []) t.true(agentSchema.safeParse(agent).success)
  })
}

for (const file of files('invalid')) {
  test(`invalid/${file}: rejected by zod at ${expectedPaths[file]}`, (t) => {
    const text = readFileSync(join(corpus, 'invalid', file), 'utf8')
    t.is(tsPath(text), expectedPaths[file]!)
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      return // malformed JSON never reaches a schema
    }
    t.false(marketDocumentSchema.safeParse(value).success, 'the document schema agrees')
    // The section schemas see only `market` and `agents`; a problem elsewhere is not theirs.
    const path = expectedPaths[file]!
    if (path.startsWith('$.market') || path.startsWith('$.agents')) t.false(sectionsAccept(value), 'the section schemas agree')
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

test('section schemas report paths relative to the section, so an engine schema can nest them', (t) => {
  const market = marketConfigSchema.safeParse({ reserve: { power: { variables: ['a', ' '] } } })
  t.false(market.success)
  t.deepEqual(market.error?.issues[0]?.path, ['reserve', 'power', 'variables', 1])
  const agents = agentsSchema.safeParse([{ id: 'a', budgetPerTick: 1 }, { id: 'a', budgetPerTick: 1 }])
  t.deepEqual(agents.error?.issues[0]?.path, [1, 'id'])
  const one = agentSchema.safeParse({ id: 'a', budgetPerTick: 1, bids: [{ resource: 'cpu_cores', amount: -1, maxUnitPrice: 1 }] })
  t.deepEqual(one.error?.issues[0]?.path, ['bids', 0, 'amount'])
  // Nested as the engine schema nests them, the paths start at the document root.
  const engineLike = z.strictObject({ market: marketConfigSchema.optional(), agents: agentsSchema.optional() })
  const nested = engineLike.safeParse({ market: { priceMin: 2, priceMax: 1 }, agents: [{ id: 'a', budgetPerTick: 1 }] })
  t.deepEqual(nested.error?.issues.map((i) => i.path), [['market', 'priceMax']])
  const nestedAgents = engineLike.safeParse({ agents: [{ id: 'a', budgetPerTick: 1 }, { id: 'b', budgetPerTick: 1, effects: ['gpu_control', 'gpu_control'] }] })
  t.deepEqual(nestedAgents.error?.issues.map((i) => i.path), [['agents', 1, 'effects', 1]])
})

test('the documented defaults are valid and within their own bounds', (t) => {
  const d = MARKET_DEFAULTS
  t.true(marketConfigSchema.safeParse({ kappa: d.kappa, targetUtilization: d.targetUtilization, priceMin: d.priceMin, priceMax: d.priceMax, reserve: d.reserve }).success)
  t.true(d.priceMin <= d.initialPrice && d.initialPrice <= d.priceMax)
})
