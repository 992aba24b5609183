// The output types written by hand in TypeScript (src/engine.ts, src/report/types.ts) against
// what the Rust side really serializes. Real outputs (ticks on every shipped engine config over
// generated inputs, backtests, the suite, a replay) are written into a TypeScript file as
// literals of the declared types and compiled: an undeclared key is an excess-property error,
// a missing required key or a value of the wrong type is a type error. The other way round,
// every property the types declare must occur in some output. The live path's decisions
// (TickDecisions) are checked the same way.
import test from 'ava'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { Engine, builtinScenarios, replayTrace, runBacktest, runBacktestSuite } from '@gamesa/core'
import { generatedValue as value, reading, rng } from './helpers/inputs.ts'

const ROOT = process.cwd()

/** Every key path of a JSON value (`a.b[].c`): what an output adds to the corpus. */
function paths(v: unknown, at: string, out: Set<string>): void {
  if (Array.isArray(v)) {
    for (const item of v) paths(item, `${at}[]`, out)
  } else if (typeof v === 'object' && v !== null) {
    for (const [k, item] of Object.entries(v)) {
      out.add(`${at}.${k}`)
      paths(item, `${at}.${k}`, out)
    }
  } else {
    out.add(`${at}:${v === null ? 'null' : typeof v}`)
  }
}

/** Keeps only the outputs that show a key path (or a value kind at one) not seen before. */
function distinct(outputs: unknown[]): unknown[] {
  const seen = new Set<string>()
  return outputs.filter((o) => {
    const mine = new Set<string>()
    paths(o, '$', mine)
    const fresh = [...mine].some((p) => !seen.has(p))
    for (const p of mine) seen.add(p)
    return fresh
  })
}

/** Series shortened to a few samples: the types are per element, the file stays small. */
function shortSeries(v: unknown): unknown {
  if (Array.isArray(v)) return v.length > 3 ? v.slice(0, 3).map(shortSeries) : v.map(shortSeries)
  if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shortSeries(x)]))
  return v
}

/** The property names an interface declares, nested inline object types included. */
function declaredKeys(source: string, name: string): string[] {
  const start = source.search(new RegExp(`export interface ${name}\\b`))
  if (start < 0) throw new Error(`no interface ${name}`)
  let depth = 0
  let i = source.indexOf('{', start)
  const open = i
  for (; i < source.length; i++) {
    if (source[i] === '{') depth++
    else if (source[i] === '}' && --depth === 0) break
  }
  const body = source
    .slice(open + 1, i)
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\/\/.*$/gm, '')
  return [...body.matchAll(/(?:^|[{;,\s])([A-Za-z_][A-Za-z0-9_]*)\??:/g)].map((m) => m[1]!)
}

test('real outputs compile as the declared TypeScript types, and every declared key occurs', (t) => {
  const ticks: unknown[] = []
  const decisions: unknown[] = []
  const configs = [
    readFileSync('samples/engine.json', 'utf8'),
    readFileSync('bench/fixtures/engine_64x200.json', 'utf8'),
    ...readdirSync('samples/engine_configs/valid')
      .filter((f) => f.endsWith('.json'))
      .map((f) => readFileSync(join('samples/engine_configs/valid', f), 'utf8')),
  ]
  configs.forEach((config, c) => {
    const engine = new Engine(config)
    const r = rng(c + 1)
    for (let i = 0; i < 60; i++) {
      const values = Float64Array.from(engine.inputNames, (n) => value(r, n))
      ticks.push(JSON.parse(engine.tickValuesJson(values, 1000 + 100 * i)))
      decisions.push(JSON.parse(engine.tickValuesDecisionsJson(values, 1000 + 100 * i + 50)))
    }
  })
  // Plausible readings too: actions approved on them get their postconditions checked.
  for (const file of ['samples/engine.json', 'samples/engine_configs/valid/gpu_power_rules.json']) {
    const live = new Engine(readFileSync(file, 'utf8'))
    for (let i = 0; i < 60; i++) ticks.push(live.tick(reading(i), 1000 + 100 * i))
  }
  const scenarios = builtinScenarios()
  const sample = readFileSync('samples/engine.json', 'utf8')
  const reports = [
    runBacktest(scenarios[0]!.json, sample, 'none'),
    runBacktest(scenarios[1]!.json, sample, 'static'),
  ].map(shortSeries)
  const rows = runBacktestSuite(sample, scenarios.slice(0, 2).map((s) => s.name))

  const dir = mkdtempSync(join(tmpdir(), 'gamesa-output-types-'))
  try {
    // A replay of a short trace in `gamesa record`'s format.
    const engine = new Engine(sample)
    const r = rng(99)
    const lines = [JSON.stringify({ format: 'gamesa-trace', version: 1, rateHz: 10, startedAtMs: 1e12, host: {}, variables: [] })]
    for (let i = 0; i < 30; i++) {
      const values = Object.fromEntries(engine.inputNames.map((n) => [n, value(r, n)]).filter(([, x]) => Number.isFinite(x)))
      lines.push(JSON.stringify({ timestampMs: 1e12 + 100 * i, values, absent: {}, sources: {} }))
    }
    writeFileSync(join(dir, 'trace.ndjson'), `${lines.join('\n')}\n`)
    const summary = replayTrace(sample, join(dir, 'trace.ndjson'), join(dir, 'out.ndjson'))
    t.is(summary.ticks, 30)

    const corpus = { ticks: distinct(ticks), decisions: distinct(decisions), reports, rows, summaries: [summary] }
    const src = (p: string) => JSON.stringify(resolve(ROOT, p))
    writeFileSync(
      join(dir, 'outputs.ts'),
      [
        `import type { TickOutput, TickDecisions, SuiteRow, ReplaySummary } from ${src('src/engine.ts')}`,
        `import type { BacktestReport } from ${src('src/report/types.ts')}`,
        `export const ticks: TickOutput[] = ${JSON.stringify(corpus.ticks)}`,
        `export const decisions: TickDecisions[] = ${JSON.stringify(corpus.decisions)}`,
        `export const reports: BacktestReport[] = ${JSON.stringify(corpus.reports)}`,
        `export const rows: SuiteRow[] = ${JSON.stringify(corpus.rows)}`,
        `export const summaries: ReplaySummary[] = ${JSON.stringify(corpus.summaries)}`,
        '',
      ].join('\n'),
    )
    const options = JSON.parse(readFileSync('tsconfig.json', 'utf8')).compilerOptions as Record<string, unknown>
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { ...options, typeRoots: [resolve(ROOT, 'node_modules/@types')] }, files: ['outputs.ts'] }))
    let errors: string[] = []
    try {
      execFileSync(process.execPath, [resolve(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(dir, 'tsconfig.json')], { encoding: 'utf8' })
    } catch (e) {
      // One line per distinct complaint (the same key is usually wrong in many outputs).
      const out = String((e as { stdout?: string }).stdout ?? e)
      errors = [...new Set(out.split('\n').map((l) => l.replace(/^.*?error (TS\d+)/, '$1').trim()))].filter((l) => l !== '')
    }
    t.deepEqual(errors, [], 'the outputs do not match their declared types')

    // The other way: each declared property occurs in some output.
    const all = new Set<string>()
    paths(corpus, '$', all)
    const keys = new Set([...all].map((p) => /\.([^.[:]+)$/.exec(p.replace(/\[\]$/, ''))?.[1]).filter((k) => k !== undefined))
    const engineTs = readFileSync('src/engine.ts', 'utf8')
    const reportTs = readFileSync('src/report/types.ts', 'utf8')
    const declared = [
      ...['TickOutput', 'TickDecisions', 'TickSignal', 'TickFiring', 'ScoredAction', 'ApprovedAction', 'RejectedAction', 'SuiteRun', 'SuiteChecks', 'SuiteRow', 'ReplaySummary'].flatMap((n) => declaredKeys(engineTs, n)),
      ...['BacktestScenarioInfo', 'BacktestSummary', 'BacktestSeries', 'BacktestRun', 'BacktestReport'].flatMap((n) => declaredKeys(reportTs, n)),
    ]
    // `error` is the allocator's refusal on a `failed` lease change. Since the market clears
    // against whole pool capacities its grants always fit, so no input here reaches it; the
    // Rust side still emits it (stream/leases.rs) should the allocator refuse.
    const unreachable = new Set(['error'])
    t.deepEqual(
      [...new Set(declared)].filter((k) => !keys.has(k) && !unreachable.has(k)),
      [],
      'declared but never in an output',
    )
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
