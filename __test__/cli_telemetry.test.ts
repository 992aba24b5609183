// `gamesa snapshot`, `record` and `top` end to end: the CLI from source (the same code tsc
// compiles into dist/cli/gamesa.js) against this machine's real telemetry, including a
// recording interrupted with SIGINT, which must leave a file whose every line parses.
import test from 'ava'
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const NODE_ARGS = ['--conditions=gamesa-source', '--import', '@oxc-node/core/register', 'src/cli/gamesa.ts']

function gamesa(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [...NODE_ARGS, ...args], { encoding: 'utf8', timeout: 60_000 })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

const work = mkdtempSync(join(tmpdir(), 'gamesa-cli-telemetry-'))
test.after.always(() => rmSync(work, { recursive: true, force: true }))

interface Snapshot {
  timestampMs: number
  values: Record<string, number>
  absent: Record<string, string>
  sources: Record<string, { status: string; reason?: string }>
}

/** Checks a trace: a versioned header, then snapshots; returns the snapshots. */
function readTrace(t: import('ava').ExecutionContext, file: string): Snapshot[] {
  const text = readFileSync(file, 'utf8')
  t.true(text.endsWith('\n'), 'the last line is complete')
  const lines = text.split('\n').slice(0, -1)
  const parsed = lines.map((line, i) => {
    try {
      return JSON.parse(line) as unknown
    } catch {
      return t.fail(`line ${i + 1} is not JSON: ${line.slice(0, 80)}`)
    }
  })
  const header = parsed[0] as { format: string; version: number; rateHz: number; host: { cpus: number }; variables: string[] }
  t.is(header.format, 'gamesa-trace')
  t.is(header.version, 1)
  t.true(header.host.cpus > 0)
  t.true(header.variables.includes('cpu.load1'))
  const snapshots = parsed.slice(1) as Snapshot[]
  for (const s of snapshots) {
    t.is(typeof s.timestampMs, 'number')
    t.is(typeof s.sources, 'object')
  }
  return snapshots
}

test('snapshot --json is the whole snapshot, with CPU utilization and every source status', (t) => {
  const r = gamesa('snapshot', '--json')
  t.is(r.code, 0, r.stderr)
  const s = JSON.parse(r.stdout) as Snapshot
  t.true(Object.keys(s.sources).length > 0)
  t.is(s.sources.proc_stat?.status, 'present')
  t.is(s.sources.meminfo?.status, 'present')
  // Two readings ~100 ms apart: utilization is a delta, present and a ratio.
  t.true(s.values['cpu.util']! >= 0 && s.values['cpu.util']! <= 1, JSON.stringify(s.absent['cpu.util']))
  t.true(s.values['cpu.load1']! >= 0)
})

test('snapshot prints every source with its status, and rejects unknown options', (t) => {
  const r = gamesa('snapshot')
  t.is(r.code, 0, r.stderr)
  t.regex(r.stdout, /^proc_stat: present$/m)
  t.regex(r.stdout, /^meminfo: present$/m)
  t.regex(r.stdout, /cpu\.util\s+\d+\.\d %/)
  t.is(gamesa('snapshot', '--bogus').code, 2)
})

test('record at 20 Hz for 600 ms writes a header and at least 5 snapshots', (t) => {
  const out = join(work, 'trace.ndjson')
  const r = gamesa('record', '--rate', '20', '--duration', '600ms', '--out', out)
  t.is(r.code, 0, r.stderr)
  const snapshots = readTrace(t, out)
  t.true(snapshots.length >= 5, `${snapshots.length} snapshots`)
  t.regex(r.stderr, new RegExp(`wrote ${snapshots.length} snapshots`))
  // Timestamps move forward.
  for (let i = 1; i < snapshots.length; i++) t.true(snapshots[i]!.timestampMs >= snapshots[i - 1]!.timestampMs)
})

test('record --out - writes the trace to stdout; --quiet prints nothing on stderr', (t) => {
  const r = gamesa('record', '--rate', '20', '--duration', '300ms', '--out', '-', '--quiet')
  t.is(r.code, 0, r.stderr)
  t.is(r.stderr, '')
  const lines = r.stdout.trim().split('\n')
  t.is((JSON.parse(lines[0]!) as { format: string }).format, 'gamesa-trace')
  t.true(lines.length >= 2)
})

test('record: bad options are usage errors naming the option', (t) => {
  const cases: [string[], RegExp][] = [
    [['--rate', '10'], /--out is required/],
    [['--out', join(work, 'x'), '--rate', 'fast'], /--rate 'fast' is not a number/],
    [['--out', join(work, 'x'), '--rate', '0'], /--rate must be between/],
    [['--out', join(work, 'x'), '--duration', '10 parsecs'], /--duration '10 parsecs' is not a duration/],
    [['--out', join(work, 'x'), '--duration', '0s'], /--duration must be greater than zero/],
    [['--out', join(work, 'x'), '--verbose'], /unknown option '--verbose'/],
    [['--out', join(work, 'no-such-dir', 'x'), '--duration', '1s'], /cannot open/],
  ]
  for (const [args, message] of cases) {
    const r = gamesa('record', ...args)
    t.is(r.code, 2, args.join(' '))
    t.regex(r.stderr, message)
  }
  t.false(existsSync(join(work, 'x')))
})

for (const [signal, code, word] of [
  ['SIGINT', 130, 'interrupted'],
  ['SIGTERM', 143, 'terminated'],
] as const) {
  test(`record stopped by ${signal} leaves a clean file and exits ${code}`, async (t) => {
    const out = join(work, `${signal}.ndjson`)
    const child = spawn(process.execPath, [...NODE_ARGS, 'record', '--rate', '50', '--out', out], { stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)))
    // Wait until a few snapshots are on disk (the CLI's start-up time varies on a busy machine).
    const deadline = Date.now() + 30_000
    while (Date.now() < deadline) {
      if (existsSync(out) && readFileSync(out, 'utf8').split('\n').length > 4) break
      await new Promise((r) => setTimeout(r, 50))
    }
    child.kill(signal)
    t.is(await exited, code, stderr)
    const snapshots = readTrace(t, out)
    t.true(snapshots.length >= 3)
    t.regex(stderr, new RegExp(`${word}: wrote ${snapshots.length} snapshots`))
  })
}

test('top --once prints one frame with the CPU lines', (t) => {
  const r = gamesa('top', '--once')
  t.is(r.code, 0, r.stderr)
  t.regex(r.stdout, /^cpu\.util\s+\d+\.\d %\s+[▁▂▃▄▅▆▇█]/m)
  t.regex(r.stdout, /^cpu\.core0\.util/m)
  t.regex(r.stdout, /^mem\.used_ratio/m)
  t.false(r.stdout.includes('\x1b['), 'no escape codes in --once')
  t.is(gamesa('top', '--rate', '500').code, 2)
})

test('record --out - ends cleanly (exit 0) when the reader closes the pipe', async (t) => {
  const child = spawn(process.execPath, [...NODE_ARGS, 'record', '--rate', '50', '--out', '-'], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)))
  let text = ''
  await new Promise<void>((resolve) => {
    child.stdout.on('data', (d: Buffer) => {
      text += d.toString()
      // Like `| head -3`: read three lines, then close the pipe.
      if (text.split('\n').length > 3) {
        child.stdout.destroy()
        resolve()
      }
    })
  })
  t.is(await exited, 0, stderr)
  t.regex(stderr, /output closed: wrote \d+ snapshots to standard output/)
})

test('record --duration longer than a timer can hold keeps recording (no instant exit)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gamesa-long-'))
  const out = join(dir, 'long.ndjson')
  const child = spawn(process.execPath, [...NODE_ARGS, 'record', '--duration', '700h', '--rate', '10', '--out', out, '--quiet'], { stdio: 'ignore' })
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  const early = await Promise.race([exited, new Promise<'running'>((resolve) => setTimeout(() => resolve('running'), 3000))])
  t.is(early, 'running', '700 h is more than setTimeout holds (2^31 ms); it must not fire at once')
  // SIGTERM once it records (a header and a snapshot written: its signal handlers are in place);
  // on a loaded machine the start-up alone can take longer than the 3 s above.
  const lines = () => (existsSync(out) ? readFileSync(out, 'utf8').split('\n').filter(Boolean).length : 0)
  for (let waited = 0; lines() < 2 && waited < 60_000; waited += 100) await new Promise((resolve) => setTimeout(resolve, 100))
  child.kill('SIGTERM')
  t.is(await exited, 143)
  t.true(readFileSync(out, 'utf8').split('\n').filter(Boolean).length >= 2, 'a header and snapshots')
  rmSync(dir, { recursive: true, force: true })
})

test('a second record to the same trace is refused and leaves the first one whole', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gamesa-lock-'))
  const out = join(dir, 'shared.ndjson')
  const first = spawn(process.execPath, [...NODE_ARGS, 'record', '--duration', '60s', '--rate', '10', '--out', out, '--quiet'], { stdio: 'ignore' })
  const exited = new Promise<number | null>((resolve) => first.on('exit', (code) => resolve(code)))
  // Wait for the first snapshots, so the lock is held.
  for (let i = 0; i < 100 && !(existsSync(out) && readFileSync(out, 'utf8').split('\n').length > 2); i++) await new Promise((r) => setTimeout(r, 100))
  const second = gamesa('record', '--duration', '1s', '--out', out, '--quiet')
  t.is(second.code, 1)
  t.regex(second.stderr, /FILE_LOCKED/)
  first.kill('SIGTERM')
  t.is(await exited, 143)
  const lines = readFileSync(out, 'utf8').trim().split('\n')
  t.is(JSON.parse(lines[0]!).format, 'gamesa-trace')
  for (const line of lines.slice(1)) t.notThrows(() => JSON.parse(line))
  rmSync(dir, { recursive: true, force: true })
})
