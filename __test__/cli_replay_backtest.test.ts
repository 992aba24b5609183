// `gamesa replay` and `gamesa backtest` end to end: a trace recorded on this machine replayed
// twice in two processes (same bytes, by hash), a malformed line reported by number, and the
// backtest table, JSON and report.
import test from 'ava'
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { appendFileSync, copyFileSync, linkSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const NODE_ARGS = ['--conditions=gamesa-source', '--import', '@oxc-node/core/register', 'src/cli/gamesa.ts']

function gamesa(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [...NODE_ARGS, ...args], { encoding: 'utf8', timeout: 120_000, maxBuffer: 256 * 1024 * 1024 })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex')
const work = mkdtempSync(join(tmpdir(), 'gamesa-cli-replay-'))
test.after.always(() => rmSync(work, { recursive: true, force: true }))

const trace = join(work, 'trace.ndjson')
test.before(() => {
  const r = gamesa('record', '--rate', '20', '--duration', '1s', '--out', trace, '--quiet')
  if (r.code !== 0) throw new Error(`record failed: ${r.stderr}`)
})

test('replay twice, in two processes: byte-identical decisions', (t) => {
  const a = join(work, 'a.ndjson')
  const b = join(work, 'b.ndjson')
  const ra = gamesa('replay', trace, '--config', 'samples/engine.json', '--out', a)
  const rb = gamesa('replay', trace, '--config', 'samples/engine.json', '--out', b, '--json')
  t.is(ra.code, 0, ra.stderr)
  t.is(rb.code, 0, rb.stderr)
  t.is(sha256(a), sha256(b))
  const lines = readFileSync(a, 'utf8').trim().split('\n')
  const snapshots = readFileSync(trace, 'utf8').trim().split('\n').length - 1
  t.is(lines.length, snapshots + 1)
  t.is(JSON.parse(lines[0]!).format, 'gamesa-decisions')
  const first = JSON.parse(lines[1]!)
  t.is(first.tick, 1)
  t.regex(ra.stdout, new RegExp(`replayed ${snapshots} ticks`))
  const summary = JSON.parse(rb.stdout)
  t.is(summary.ticks, snapshots)
  // Not a terminal: no progress on stderr.
  t.is(ra.stderr, '')
})

test('replay: a malformed line is an error with its line number', (t) => {
  const bad = join(work, 'bad.ndjson')
  copyFileSync(trace, bad)
  const lines = readFileSync(bad, 'utf8').trim().split('\n').length
  appendFileSync(bad, '{"timestampMs": "soon", "values": {}}\n')
  const r = gamesa('replay', bad, '--config', 'samples/engine.json', '--out', join(work, 'bad.out'))
  t.is(r.code, 1)
  t.regex(r.stderr, new RegExp(`INVALID_TRACE: .*line ${lines + 1}`))
  t.is(gamesa('replay', '--config', 'samples/engine.json').code, 2)
  t.is(gamesa('replay', trace).code, 2)
  const cfg = gamesa('replay', trace, '--config', 'package.json', '--out', join(work, 'x'))
  t.is(cfg.code, 1)
  t.regex(cfg.stderr, /INVALID_ENGINE_CONFIG/)
})

test('backtest --list prints one scenario per line, name first', (t) => {
  const r = gamesa('backtest', '--list')
  t.is(r.code, 0)
  const names = r.stdout
    .trim()
    .split('\n')
    .map((l) => l.split('\t')[0])
  // Every file of samples/scenarios/ ships, sorted by name.
  const files = readdirSync('samples/scenarios').filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -'.json'.length)).sort()
  t.true(files.length >= 9)
  t.deepEqual(names, files)
})

test('backtest prints the side-by-side table, writes the report, and --json the whole report', (t) => {
  const html = join(work, 'report.html')
  const r = gamesa('backtest', '--scenario', 'gpu_training_power_cap', '--config', 'samples/engine.json', '--baseline', 'static', '--report', html)
  t.is(r.code, 0, r.stderr)
  t.regex(r.stdout, /metric\s+policy\s+baseline \(static\)/)
  t.regex(r.stdout, /power-cap overshoot \(W·s\)/)
  t.regex(readFileSync(html, 'utf8'), /<svg/)
  const j = gamesa('backtest', '--scenario', 'samples/scenarios/heat_soak.json', '--config', 'samples/engine.json', '--json')
  t.is(j.code, 0, j.stderr)
  const report = JSON.parse(j.stdout)
  t.is(report.scenario.name, 'heat_soak')
  t.true(report.runs[0].summary.secondsAboveThermalLimit < report.runs[1].summary.secondsAboveThermalLimit)
  t.is(gamesa('backtest', '--scenario', 'nope', '--config', 'samples/engine.json').code, 2)
  t.is(gamesa('backtest', '--scenario', 'heat_soak', '--config', 'samples/engine.json', '--baseline', 'max').code, 2)
})

test('backtest --all judges the policy on every shipped scenario against both baselines', (t) => {
  const r = gamesa('backtest', '--all', '--config', 'samples/engine.json', '--json', '--quiet')
  t.is(r.code, 0, r.stderr)
  const rows = JSON.parse(r.stdout) as Array<{
    scenario: string
    pass: boolean
    checks: Record<string, boolean>
    policy: { secondsAboveThermalLimit: number; powerCapOvershootWs: number; priorityDeadlineMisses: number }
    static: { priorityDeadlineMisses: number; secondsAboveThermalLimit: number; powerCapOvershootWs: number }
  }>
  const listed = gamesa('backtest', '--list')
    .stdout.trim()
    .split('\n')
    .map((l) => l.split('\t')[0])
  t.deepEqual(
    rows.map((row) => row.scenario),
    listed,
  )
  for (const row of rows) {
    // The verdict is the lines, and each line says what the numbers say.
    t.is(row.pass, Object.values(row.checks).every(Boolean), row.scenario)
    t.is(row.checks.safe, row.policy.secondsAboveThermalLimit === 0 && row.policy.powerCapOvershootWs === 0, row.scenario)
    t.is(row.checks.misses, row.policy.priorityDeadlineMisses <= row.static.priorityDeadlineMisses, row.scenario)
    // Every shipped scenario has a static setting that meets the lines a policy is held to.
    t.is(row.static.secondsAboveThermalLimit + row.static.powerCapOvershootWs, 0, row.scenario)
    t.is(row.static.priorityDeadlineMisses, 0, row.scenario)
  }
  const table = gamesa('backtest', '--all', '--config', 'samples/engine.json', '--quiet')
  t.is(table.code, 0)
  t.regex(table.stdout, /scenario\s+verdict\s+hot s\s+over W·s\s+misses P \/ S \/ N/)
  t.regex(table.stdout, /\d+ of \d+ scenarios meet every line/)
  t.is(gamesa('backtest', '--all', '--scenario', 'heat_soak', '--config', 'samples/engine.json').code, 2)
  t.is(gamesa('backtest', '--all', '--config', 'samples/engine.json', '--report', 'x.html').code, 2)
})

test('replay refuses to write over the trace it reads, and the trace is untouched', (t) => {
  const own = join(work, 'own.ndjson')
  copyFileSync(trace, own)
  const before = sha256(own)
  const r = gamesa('replay', own, '--config', 'samples/engine.json', '--out', own)
  t.is(r.code, 1)
  t.regex(r.stderr, /INVALID_ARGUMENT: refusing to write the decisions to .*it is the trace being replayed/)
  t.is(sha256(own), before)
  // The same file under another name (a hard link) is the same file.
  const alias = join(work, 'alias.ndjson')
  linkSync(own, alias)
  t.is(gamesa('replay', own, '--config', 'samples/engine.json', '--out', alias).code, 1)
  t.is(sha256(own), before)
})

test('a device, a directory or bytes that are not UTF-8 are refused at once, with what they are', (t) => {
  const zero = gamesa('replay', '/dev/zero', '--config', 'samples/engine.json', '--out', join(work, 'zero.out'))
  t.is(zero.code, 1)
  t.regex(zero.stderr, /IO_ERROR: .*\/dev\/zero.*a character device, not a regular file/)
  const dir = gamesa('replay', trace, '--config', work, '--out', join(work, 'dir.out'))
  t.is(dir.code, 2)
  t.regex(dir.stderr, /is a directory: give a regular file/)
  const binary = join(work, 'binary.ndjson')
  writeFileSync(binary, Buffer.concat([Buffer.from(readFileSync(trace, 'utf8').split('\n')[0]! + '\n'), Buffer.from([0x7b, 0xff, 0x7d, 0x0a])]))
  const bad = gamesa('replay', binary, '--config', 'samples/engine.json', '--out', join(work, 'binary.out'))
  t.is(bad.code, 1)
  t.regex(bad.stderr, /INVALID_TRACE: .*line 2.*not UTF-8 at byte 1/)
})
