// The experience store: one writer (EXPERIENCE_LOCKED for a second, in this process and in
// another), the schema migrated from an older file and refused from a newer one or from a file
// that is no store, retention by rows, age and bytes, the query API, the reward judged one tick
// later from the config's expression, and simulations as sources (backtest, replay).
import test from 'ava'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import * as core from '@gamesa/core'
import { MIGRATIONS, SCHEMA_VERSION } from '../src/guardian/experience/schema.js'
import { experienceRow } from './helpers/experience_rows.js'

const work = mkdtempSync(join(tmpdir(), 'gamesa-experience-'))
test.after.always(() => rmSync(work, { recursive: true, force: true }))
const file = (name: string) => join(work, name)
const ENGINE_TEXT = readFileSync('samples/engine.json', 'utf8')
const NODE_ARGS = ['--conditions=gamesa-source', '--import', '@oxc-node/core/register', 'src/cli/gamesa.ts']
function gamesa(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [...NODE_ARGS, ...args], { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024 })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}
function thrown(call: () => unknown): Error & { code?: string; path?: string; line?: number; column?: number } {
  try {
    call()
  } catch (err) {
    return err as Error & { code?: string }
  }
  throw new Error('no error thrown')
}

test('a second writer gets EXPERIENCE_LOCKED, in this process and from another; readers need no lock', (t) => {
  const path = file('locked.db')
  const writer = core.ExperienceWriter.open(path)
  const run = writer.beginRun('api', 'lock test')
  writer.append(run, experienceRow(0))
  writer.flush()
  const e = thrown(() => core.ExperienceWriter.open(path))
  t.is(e.code, 'EXPERIENCE_LOCKED')
  t.true(core.isGamesaError(e, 'EXPERIENCE_LOCKED'))
  t.regex(e.message, /another process is writing/)
  const r = gamesa('backtest', '--scenario', 'heat_soak', '--config', 'samples/engine.json', '--experience', path)
  t.is(r.code, 1, r.stderr)
  t.regex(r.stderr, /EXPERIENCE_LOCKED/)
  // Reading while the writer holds the file.
  const reader = core.ExperienceReader.open(path)
  t.is(reader.stats().rows, 1)
  reader.close()
  writer.close()
  // Released on close: the next writer opens.
  core.ExperienceWriter.open(path).close()
})

test('an older schema is migrated in place; a newer one, another database or another file is EXPERIENCE_INVALID', (t) => {
  const path = file('v1.db')
  const db = new Database(path)
  db.exec(MIGRATIONS[0]!)
  db.pragma('user_version = 1')
  db.prepare("INSERT INTO runs (source, label, started_ms) VALUES ('api', 'old', 0)").run()
  db.prepare("INSERT INTO ticks (run, tick, time_ms, recorded_ms, emergency, state, violations) VALUES (1, 7, 700, 0, 0, '{\"features\":{},\"variables\":{}}', '[]')").run()
  db.close()
  const writer = core.ExperienceWriter.open(path)
  writer.close()
  const reader = core.ExperienceReader.open(path)
  t.is(reader.schemaVersion, SCHEMA_VERSION)
  t.deepEqual(reader.ticks().map((x) => x.tick), [7])
  reader.close()
  const check = new Database(path, { readonly: true })
  t.truthy(check.prepare("SELECT name FROM sqlite_schema WHERE name = 'actions_kind'").get())
  check.close()

  const newer = file('newer.db')
  const n = new Database(newer)
  n.exec(MIGRATIONS[0]!)
  n.pragma(`user_version = ${SCHEMA_VERSION + 1}`)
  n.close()
  t.is(thrown(() => core.ExperienceWriter.open(newer)).code, 'EXPERIENCE_INVALID')
  t.is(thrown(() => core.ExperienceReader.open(newer)).code, 'EXPERIENCE_INVALID')

  const other = file('other.db')
  const o = new Database(other)
  o.exec('CREATE TABLE things (x)')
  o.close()
  t.regex(thrown(() => core.ExperienceWriter.open(other)).message, /not an experience store/)

  const text = file('text.db')
  writeFileSync(text, 'this is not a database, it is a long enough line of text to be read as a header')
  t.is(thrown(() => core.ExperienceWriter.open(text)).code, 'EXPERIENCE_INVALID')
  t.is(thrown(() => core.ExperienceReader.open(text)).code, 'EXPERIENCE_INVALID')
  t.is(thrown(() => core.ExperienceReader.open(file('missing.db'))).code, 'IO_ERROR')
  const cli = gamesa('experience', 'stats', text)
  t.is(cli.code, 1)
  t.regex(cli.stderr, /EXPERIENCE_INVALID/)
})

test('bad options are INVALID_ARGUMENT naming the option', (t) => {
  t.regex(thrown(() => core.ExperienceWriter.open(file('o.db'), { batchSize: 0 })).message, /batchSize/)
  t.regex(thrown(() => core.ExperienceWriter.open(file('o.db'), { retention: { maxRows: -1 } })).message, /retention\.maxRows/)
  t.regex(thrown(() => core.ExperienceWriter.open(file('o.db'), { flushIntervalMs: 1.5 })).message, /flushIntervalMs/)
})

test('batches: nothing is written before the batch is full or due; flush and close write the rest', async (t) => {
  const path = file('batches.db')
  const writer = core.ExperienceWriter.open(path, { batchSize: 10, flushIntervalMs: 200 })
  const run = writer.beginRun('api', 'batches')
  const rows = () => {
    const r = core.ExperienceReader.open(path)
    const n = r.stats().rows
    r.close()
    return n
  }
  for (let i = 0; i < 9; i++) writer.append(run, experienceRow(i))
  t.is(rows(), 0)
  t.is(writer.pending, 9)
  writer.append(run, experienceRow(9))
  t.is(rows(), 10)
  writer.append(run, experienceRow(10))
  // The interval: a quiet writer still writes within flushIntervalMs (its timer).
  await new Promise((resolve) => setTimeout(resolve, 400))
  t.is(rows(), 11)
  writer.append(run, experienceRow(11))
  writer.close()
  t.is(rows(), 12)
})

test('retention: by rows, by age, by bytes; the newest ticks stay', async (t) => {
  const byRows = file('rows.db')
  const w = core.ExperienceWriter.open(byRows, { batchSize: 50, retention: { maxRows: 100 } })
  const run = w.beginRun('api', 'rows')
  for (let i = 0; i < 330; i++) w.append(run, experienceRow(i))
  w.close()
  let r = core.ExperienceReader.open(byRows)
  const ticks = r.ticks().map((x) => x.tick)
  t.true(ticks.length <= 100 && ticks.length >= 80, `${ticks.length}`)
  t.is(ticks.at(-1), 329)
  t.is(ticks[0], 330 - ticks.length)
  r.close()

  const byAge = file('age.db')
  const a = core.ExperienceWriter.open(byAge, { batchSize: 10, retention: { maxAgeMs: 150 } })
  const ra = a.beginRun('api', 'age')
  for (let i = 0; i < 10; i++) a.append(ra, experienceRow(i))
  await new Promise((resolve) => setTimeout(resolve, 300))
  for (let i = 10; i < 20; i++) a.append(ra, experienceRow(i))
  a.close()
  r = core.ExperienceReader.open(byAge)
  t.deepEqual(r.ticks().map((x) => x.tick), Array.from({ length: 10 }, (_, i) => 10 + i))
  r.close()

  const bySize = file('bytes.db')
  const maxBytes = 256 * 1024
  const s = core.ExperienceWriter.open(bySize, { batchSize: 100, retention: { maxBytes } })
  const rs = s.beginRun('api', 'bytes')
  for (let i = 0; i < 3000; i++) s.append(rs, experienceRow(i))
  s.close()
  r = core.ExperienceReader.open(bySize)
  const stats = r.stats()
  t.true(stats.bytes <= maxBytes, `${stats.bytes} bytes used`)
  t.true(stats.rows > 100 && stats.rows < 3000, `${stats.rows} rows`)
  t.is(r.ticks().at(-1)?.tick, 2999)
  r.close()
  // Pages freed go back: the file stays near the bound instead of growing with every tick.
  t.true(statSync(bySize).size <= 2 * maxBytes, `${statSync(bySize).size} bytes on disk`)
})

test('the reward is judged one tick later, from the config expression, on the next tick\'s state and outcome', (t) => {
  const path = file('backtest.db')
  const writer = core.ExperienceWriter.open(path)
  const { report, run, ticks } = core.recordBacktest(writer, 'game_and_compile', ENGINE_TEXT)
  writer.close()
  t.is(ticks, report.runs[0]!.summary.ticks ?? -1)
  const reader = core.ExperienceReader.open(path)
  const rows = reader.ticks({ run })
  t.is(rows.length, ticks)
  const applied = rows.flatMap((r) => r.actions).filter((a) => a.outcome === 'applied').length
  t.is(applied, report.runs[0]!.summary.actionsApplied)
  let judged = 0
  for (let i = 0; i + 1 < rows.length; i++) {
    const next = rows[i + 1]!
    const v = next.state.variables
    if (v['wl.priority.deadline_miss_rate'] === undefined || v['power.total_w'] === undefined) {
      t.is(rows[i]!.reward, null)
      continue
    }
    const failed = rows[i]!.actions.filter((a) => a.outcome === 'failed').length
    const expected = -10 * v['wl.priority.deadline_miss_rate']! - 0.01 * v['power.total_w']! - 100 * next.violations.length - 20 * (next.emergency ? 1 : 0) - failed
    t.true(Math.abs(rows[i]!.reward! - expected) < 1e-9, `tick ${i}: ${rows[i]!.reward} vs ${expected}`)
    judged++
  }
  t.true(judged > rows.length / 2, `${judged} judged`)
  t.is(rows.at(-1)!.reward, null)
  t.regex(rows.at(-1)!.rewardError ?? '', /ended/)
  // Shadow rules are recorded as such.
  t.true(rows.some((r) => r.firings.some((f) => f.mode === 'shadow')))
  reader.close()
})

test('a reward that does not compile is EXPR_COMPILE at $.reward with line and column, before anything runs', (t) => {
  const config = { ...JSON.parse(ENGINE_TEXT), reward: '-power.total_wx' }
  const e = thrown(() => new core.ExperiencePlan(config))
  t.is(e.code, 'EXPR_COMPILE')
  t.is(e.path, '$.reward')
  t.is(e.line, 1)
  t.is(e.column, 2)
  const notDouble = thrown(() => new core.ExperiencePlan({ ...config, reward: 'power.total_w > 1.0' }))
  t.regex(notDouble.message, /must be a double/)
  const bad = file('bad-reward.json')
  writeFileSync(bad, JSON.stringify(config))
  const r = gamesa('backtest', '--scenario', 'heat_soak', '--config', bad, '--experience', file('bad-reward.db'))
  t.is(r.code, 1)
  t.regex(r.stderr, /EXPR_COMPILE: \$\.reward/)
  const v = gamesa('validate', bad)
  t.is(v.code, 1)
  t.regex(v.stdout, /\$\.reward \(line 1, column 2\): .*power\.total_wx.*did you mean `power\.total_w`/)
  // The engine itself refuses a reward that is not a string, at its path.
  t.regex(thrown(() => new core.Engine({ ...config, reward: 5 })).message, /\$\.reward/)
})

test('the query API: by time, by rule, by action kind, by run, with a limit', (t) => {
  const path = file('query.db')
  const writer = core.ExperienceWriter.open(path)
  const a = writer.beginRun('api', 'a')
  const b = writer.beginRun('api', 'b')
  for (let i = 0; i < 60; i++) writer.append(i < 30 ? a : b, experienceRow(i))
  writer.close()
  const reader = core.ExperienceReader.open(path)
  t.deepEqual(reader.runs().map((r) => r.label), ['a', 'b'])
  t.deepEqual(reader.ticks({ fromMs: 1000, toMs: 1500 }).map((x) => x.tick), [10, 11, 12, 13, 14])
  t.true(reader.ticks({ rule: 'trial' }).every((x) => x.tick % 2 === 1))
  t.is(reader.ticks({ rule: 'trial' }).length, 30)
  const gpu = reader.ticks({ action: 'set_gpu_power_limit' })
  t.true(gpu.length > 0 && gpu.every((x) => x.tick % 3 === 2))
  t.is(reader.ticks({ run: b }).length, 30)
  t.is(reader.ticks({ run: b, limit: 3 })[0]!.tick, 30)
  t.is(thrown(() => reader.ticks({ limit: -1 })).code, 'INVALID_ARGUMENT')
  const stats = reader.stats()
  t.is(stats.rows, 60)
  t.is(stats.runs, 2)
  t.is(stats.firings.active + stats.firings.shadow, 60)
  reader.close()
})

test('gamesa experience stats --json and export ndjson / csv; replay --experience records dry runs', (t) => {
  const path = file('cli.db')
  const trace = 'fuzz/corpus/trace_replay/valid_sim_heating_8_ticks.ndjson'
  const replay = gamesa('replay', trace, '--config', 'samples/engine.json', '--out', file('decisions.ndjson'), '--experience', path)
  t.is(replay.code, 0, replay.stderr)
  t.regex(replay.stdout, /experience: 8 ticks recorded/)
  const back = gamesa('backtest', '--scenario', 'heat_soak', '--config', 'samples/engine.json', '--experience', path)
  t.is(back.code, 0, back.stderr)
  const stats = gamesa('experience', 'stats', path, '--json')
  t.is(stats.code, 0, stats.stderr)
  const s = JSON.parse(stats.stdout) as core.ExperienceStats
  t.is(s.runs, 2)
  t.is(s.perRun[0]!.ticks, 8)
  t.is(s.rows, 8 + s.perRun[1]!.ticks)
  const ndjson = gamesa('experience', 'export', path, '--format', 'ndjson', '--run', '1')
  t.is(ndjson.code, 0, ndjson.stderr)
  const lines = ndjson.stdout.trim().split('\n').map((l) => JSON.parse(l) as core.ExperienceTick)
  t.is(lines.length, 8)
  t.true(lines.flatMap((l) => l.actions).filter((x) => x.decision === 'approved').every((x) => x.outcome === 'dry_run'))
  const csv = gamesa('experience', 'export', path, '--format', 'csv')
  t.is(csv.code, 0, csv.stderr)
  const rows = csv.stdout.trim().split('\n')
  t.is(rows.length, s.rows + 1)
  t.true(rows[0]!.startsWith('run,tick,time_ms,emergency,reward'))
  t.regex(rows[0]!, /var:power\.total_w/)
  t.is(gamesa('experience', 'export', path).code, 2)
  t.is(gamesa('experience', 'stats', path, '--format', 'csv').code, 2)
  t.is(gamesa('backtest', '--all', '--config', 'samples/engine.json', '--experience', path).code, 2)
})

test('experience export --format parquet: DuckDB reads back every tick, its state and actions; the API writes the same; usage errors', async (t) => {
  const path = file('parquet.db')
  const scenario = JSON.parse(readFileSync('samples/scenarios/game_and_compile.json', 'utf8')) as { durationS: number }
  scenario.durationS = 15
  writeFileSync(file('short.json'), JSON.stringify(scenario))
  const back = gamesa('backtest', '--scenario', file('short.json'), '--config', 'samples/engine.json', '--experience', path)
  t.is(back.code, 0, back.stderr)
  const out = file('ticks.parquet')
  const r = gamesa('experience', 'export', path, '--format', 'parquet', '--out', out)
  t.is(r.code, 0, r.stderr)
  t.regex(r.stderr, /wrote 150 ticks/)
  const ndjson = gamesa('experience', 'export', path, '--format', 'ndjson').stdout.trim().split('\n').map((l) => JSON.parse(l) as core.ExperienceTick)
  const { DuckDBInstance } = await import('@duckdb/node-api')
  const db = await DuckDBInstance.create(':memory:')
  const c = await db.connect()
  t.teardown(() => {
    c.closeSync()
    db.closeSync()
  })
  const q = async (sql: string) => (await c.runAndReadAll(sql)).getRowObjectsJson()
  const [summary] = await q(`SELECT count(*) AS n, sum(tick) AS ticks, count(reward) AS judged, sum(len(actions)) AS actions FROM read_parquet('${out}')`)
  t.is(Number(summary!.n), ndjson.length)
  t.is(Number(summary!.ticks), ndjson.reduce((a, x) => a + x.tick, 0))
  t.is(Number(summary!.judged), ndjson.filter((x) => x.reward !== null).length)
  t.is(Number(summary!.actions), ndjson.reduce((a, x) => a + x.actions.length, 0))
  // A nested reading survives as a struct field, tick by tick.
  const power = await q(`SELECT tick, state.variables."power.total_w" AS w FROM read_parquet('${out}') ORDER BY tick LIMIT 3`)
  t.deepEqual(power.map((p) => Number(p.w)), ndjson.slice(0, 3).map((x) => x.state.variables['power.total_w']!))
  // The API, with a filter: only the ticks of run 1 up to 10.
  const reader = core.ExperienceReader.open(path)
  try {
    t.is(await core.exportExperienceParquet(reader, file('ten.parquet'), { limit: 10 }), 10)
  } finally {
    reader.close()
  }
  const [ten] = await q(`SELECT count(*) AS n FROM read_parquet('${file('ten.parquet')}')`)
  t.is(Number(ten!.n), 10)
  t.is(gamesa('experience', 'export', path, '--format', 'parquet').code, 2, 'parquet needs --out')
  t.is(gamesa('experience', 'export', path, '--format', 'csv', '--out', out).code, 2, '--out is for parquet')
})

test('gamesa run --experience records the live ticks (dry run) and closes the store at the end', (t) => {
  const path = file('live.db')
  const r = gamesa('run', '--duration', '1500ms', '--rate', '10', '--json', '--quiet', '--experience', path)
  t.is(r.code, 0, r.stderr)
  const lines = r.stdout.trim().split('\n').length
  const reader = core.ExperienceReader.open(path)
  const stats = reader.stats()
  t.is(stats.rows, lines)
  t.is(stats.perRun[0]!.source, 'run')
  t.is(stats.actions.applied, 0)
  t.is(stats.actions.failed, 0)
  reader.close()
  // Closed: the next writer opens at once.
  core.ExperienceWriter.open(path).close()
})
