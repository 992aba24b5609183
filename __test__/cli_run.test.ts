// `gamesa run`: the live view's frame (renderRunFrame) and the run statistics (RunStats) on a
// hand-built tick output in the shape of the engine's TickOutput; then the command end to end
// (from source, as the other CLI tests) on this machine's live telemetry with samples/engine.json.
import test from 'ava'
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type LiveTickOutput, renderRunFrame } from '../src/report/run_frame.js'
import { RunStats, quantile } from '../src/report/run_stats.js'

const RES = ['cpu_cores', 'cpu_time', 'gpu_compute', 'gpu_memory', 'thermal_headroom', 'power_budget'] as const
const per = (f: (r: string, i: number) => number) => Object.fromEntries(RES.map((r, i) => [r, f(r, i)]))

function tickOutput(): LiveTickOutput {
  const prices = per((_, i) => [2, 1, 4, 0.5, 8, 2.5][i]!)
  return {
    tick: 42,
    nowMs: 1_764_000_004_200,
    emergency: false,
    signals: [
      { kind: 'cpu_bottleneck', domain: 'performance', strength: 0.31, source: 'frame_late' },
      { kind: 'thermal_warning', domain: 'thermal', strength: 0.74, source: 'gpu_hot' },
    ],
    firings: {
      active: [{ rule: 'gpu_hot', priority: 'high', domain: 'thermal', held: true, strength: 0.74 }],
      shadow: [{ rule: 'try_cpu_cap', priority: 'normal', domain: 'power', held: false }],
    },
    market: {
      prices,
      nextPrices: per((r) => prices[r]! * (r === 'thermal_headroom' ? 1.25 : 1)),
      demand: per(() => 3),
      supply: per(() => 8),
    },
    ruleErrors: [{ rule: 'game_frames_late', message: 'variable `wl.game.fps` is absent from the snapshot' }],
    approved: [{ id: 'a1', rule: 'gpu_hot', kind: 'set_gpu_power_limit', target: 'gpu0', agent: 'governor', value: 220, previous: 250, healing: false }],
    rejected: [
      { id: 'a2', rule: 'frame_late', kind: 'set_cpu_weight', target: 'game', reason: 'cooldown', message: 'acted on 300 ms ago, cooldown 1000 ms' },
      { id: 'a3', rule: 'gpu_hot', kind: 'set_gpu_power_limit', target: 'gpu1', reason: 'unknown_target', message: 'gpu1 does not exist' },
    ],
  }
}

const OPTIONS = { columns: 200, config: 'samples/engine.json', rateHz: 10, elapsedMs: 4200 }

test('a frame shows prices with the exchange-rate hint, signals by strength, firings, approvals and rejections', (t) => {
  const stats = new RunStats()
  const o = tickOutput()
  stats.record(o, 0.25)
  const frame = renderRunFrame(o, stats, OPTIONS)
  const lines = frame.split('\n')
  t.regex(lines[0]!, /^gamesa run — tick 42 · 4\.2 s · 10\.0 Hz · dry-run \(nothing applied\) · samples\/engine\.json$/)
  t.regex(frame, /tick time {2}last 250 µs · mean 250 µs · p99 250 µs {4}actions so far {2}1 approved · 2 rejected/)
  // Prices: price, next, change, demand/supply, and 1 unit in cpu_cores (p_r / p_cpu_cores).
  t.regex(frame, /^ {2}thermal_headroom\s+8\.000\s+10\.000\s+\+25\.0%\s+3\.00 \/ 8\.00\s+4\.000$/m)
  t.regex(frame, /^ {2}gpu_memory\s+0\.500\s+0\.500\s+\+0\.0%\s+3\.00 \/ 8\.00\s+0\.250$/m)
  t.regex(frame, /demand \/ supply    value in cpu_cores$/m)
  // Signals strongest first.
  const thermal = lines.findIndex((l) => l.includes('thermal_warning'))
  const cpu = lines.findIndex((l) => l.includes('cpu_bottleneck'))
  t.true(thermal > 0 && thermal < cpu)
  t.regex(frame, /TOP SIGNALS \(2\)/)
  t.regex(frame, /FIRED RULES — 1 active, 1 shadow \(2\)/)
  t.regex(frame, /^ {2}active {2}gpu_hot\s+high\s+thermal\s+0\.74 {2}held$/m)
  t.regex(frame, /^ {2}shadow {2}try_cpu_cap\s+normal\s+power\s*$/m)
  t.regex(frame, /set_gpu_power_limit gpu0 = 220\.0 \(was 250\.0\) {2}rule gpu_hot · agent governor/)
  t.regex(frame, /set_cpu_weight game {2}cooldown — acted on 300 ms ago, cooldown 1000 ms {2}\(rule frame_late\)/)
  t.regex(frame, /so far by reason: cooldown 1, unknown_target 1/)
  t.regex(frame, /^RULE ERRORS — not evaluated this tick \(1\)\n {2}game_frames_late: variable `wl\.game\.fps` is absent from the snapshot$/m)
  t.notRegex(frame, /NaN|undefined/)
  t.false(frame.includes('\x1b'), 'no escape character')
  t.false(frame.includes('EMERGENCY'))
})

test('a frame marks an emergency, cuts long lists and lines, and neutralizes control characters from names', (t) => {
  const o = tickOutput()
  o.emergency = true
  o.rejected = Array.from({ length: 9 }, (_, i) => ({ id: `r${i}`, rule: 'spam', kind: 'pin_cores', target: `w${i}`, reason: 'rate_limited', message: '' }))
  o.firings = { active: [{ rule: 'evil\x1b]0;pwned\x07\x1b[2J', priority: 'low', domain: 'safety', held: false }], shadow: [] }
  const stats = new RunStats()
  stats.record(o, 1.5)
  const frame = renderRunFrame(o, stats, { ...OPTIONS, columns: 60 })
  t.regex(frame.split('\n')[0]!, /⚠ EMERGENCY|…$/)
  t.regex(frame, /REJECTED this tick \(9\)\n(?: {2}pin_cores.*\n){6} {2}… and 3 more/)
  // oxlint-disable-next-line no-control-regex -- the point: no control character may be left
  t.false(/[\x00-\x1f\x7f]/.test(frame.replaceAll('\n', '')), 'no control characters but newlines')
  t.regex(frame, /evil\ufffd\]0;pwned\ufffd\ufffd\[2J/)
  for (const line of frame.split('\n')) t.true([...line].length <= 60, line)
  t.regex(renderRunFrame(o, stats, { ...OPTIONS, columns: 400 }), /⚠ EMERGENCY: only safety actions pass/)
})

test('a frame without a market or anything fired still renders', (t) => {
  const o: LiveTickOutput = { tick: 1, nowMs: 0, signals: [], firings: { active: [], shadow: [] }, market: { prices: {} }, approved: [], rejected: [] }
  const frame = renderRunFrame(o, new RunStats(), OPTIONS)
  t.regex(frame, /no market resources/)
  t.false(frame.includes('RULE ERRORS'), 'no section without errors')
  t.regex(frame, /TOP SIGNALS \(0\)\n {2}none this tick/)
  t.regex(frame, /tick time {2}last 0 µs · mean 0 µs · p99 0 µs/)
  t.notRegex(frame, /NaN|undefined/)
})

test('RunStats: counts, rejections by reason, mean and nearest-rank p99, summary', (t) => {
  const stats = new RunStats()
  // 100 ticks of 1..100 ms: mean 50.5, p99 = the 99th value = 99.
  for (let i = 1; i <= 100; i++) {
    stats.record(
      { approved: i % 10 === 0 ? [{}] : [], rejected: i % 4 === 0 ? [{ reason: 'cooldown' }] : i % 25 === 1 ? [{ reason: 'out_of_bounds' }] : [] },
      i,
    )
  }
  t.is(stats.ticks, 100)
  t.is(stats.approved, 10)
  t.is(stats.rejected, 25 + 3) // i = 1, 26, 51 (76 is a multiple of 4)
  t.deepEqual(stats.reasons(), [
    ['cooldown', 25],
    ['out_of_bounds', 3],
  ])
  t.is(stats.meanMs, 50.5)
  t.is(stats.p99Ms, 99)
  t.is(stats.lastMs, 100)
  t.is(
    stats.summary(10_000),
    '100 ticks in 10.0 s (dry-run: nothing was applied)\nactions: 10 approved, 28 rejected (cooldown 25, out_of_bounds 3)\ntick time: mean 50.50 ms, p99 99.00 ms',
  )
  t.is(quantile([], 0.99), 0)
  t.is(quantile([5], 0.99), 5)
  t.is(new RunStats().summary(0), '0 ticks in 0.0 s (dry-run: nothing was applied)\nactions: 0 approved, 0 rejected\ntick time: mean 0 µs, p99 0 µs')
})

// ---------------------------------------------------------------- the command end to end

const NODE_ARGS = ['--conditions=gamesa-source', '--import', '@oxc-node/core/register', 'src/cli/gamesa.ts']

function gamesa(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [...NODE_ARGS, ...args], { encoding: 'utf8', timeout: 60_000 })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

const work = mkdtempSync(join(tmpdir(), 'gamesa-cli-run-'))
test.after.always(() => rmSync(work, { recursive: true, force: true }))

interface Line {
  tick: number
  nowMs: number
  market: { prices: Record<string, number> }
  approved: unknown[]
  rejected: Array<{ reason: string }>
}

/** Parses NDJSON, failing the test on the first line that is not JSON. */
function ndjson(t: import('ava').ExecutionContext, text: string): Line[] {
  t.true(text.endsWith('\n'), 'the last line is complete')
  return text
    .split('\n')
    .slice(0, -1)
    .map((line, i) => {
      try {
        return JSON.parse(line) as Line
      } catch {
        return t.fail(`line ${i + 1} is not JSON: ${line.slice(0, 80)}`)
      }
    })
}

test.serial('run --duration 2s --json streams one tick output per line at 10 Hz, then a summary on stderr', (t) => {
  const r = gamesa('run', '--duration', '2s', '--json')
  t.is(r.code, 0, r.stderr)
  const lines = ndjson(t, r.stdout)
  t.true(lines.length >= 10, `${lines.length} lines`)
  lines.forEach((l, i) => {
    t.is(l.tick, i + 1, 'ticks count from 1 without gaps')
    t.is(typeof l.nowMs, 'number')
    t.true(Object.keys(l.market.prices).length > 0)
  })
  for (let i = 1; i < lines.length; i++) t.true(lines[i]!.nowMs >= lines[i - 1]!.nowMs)
  const approved = lines.reduce((n, l) => n + l.approved.length, 0)
  const rejected = lines.reduce((n, l) => n + l.rejected.length, 0)
  t.regex(r.stderr, new RegExp(`^${lines.length} ticks in \\d+\\.\\d s \\(dry-run: nothing was applied\\)$`, 'm'))
  t.regex(r.stderr, new RegExp(`^actions: ${approved} approved, ${rejected} rejected`, 'm'))
  t.regex(r.stderr, /^tick time: mean \d+(\.\d+)? (µs|ms), p99 \d+(\.\d+)? (µs|ms)$/m)
})

test.serial('run --once prints one frame without escape codes; --once --json one line', (t) => {
  const frame = gamesa('run', '--once')
  t.is(frame.code, 0, frame.stderr)
  t.regex(frame.stdout, /^gamesa run — tick 1 · /)
  t.regex(frame.stdout, /^PRICES \(credits per unit\)$/m)
  t.regex(frame.stdout, /^ {2}cpu_cores\s+\d/m)
  t.regex(frame.stdout, /^TOP SIGNALS \(\d+\)$/m)
  t.regex(frame.stdout, /^FIRED RULES — \d+ active, \d+ shadow/m)
  t.regex(frame.stdout, /^APPROVED this tick \(\d+\)$/m)
  t.regex(frame.stdout, /^REJECTED this tick \(\d+\)$/m)
  t.false(frame.stdout.includes('\x1b['), 'no escape codes')
  // A rule whose sensor is absent is inactive, said once, not a rule error: the frame-time
  // rules read a variable no live reading has, on any machine.
  t.regex(frame.stderr, /^gamesa run: rule priority_frames_late is inactive: it reads `wl\.priority\.deadline_miss_rate`, which is absent on this machine$/m)
  t.false(frame.stdout.includes('is absent from the snapshot'), frame.stdout)
  t.regex(frame.stdout, /^rules inactive here \(a sensor is absent\): .*priority_frames_late/m)
  const json = gamesa('run', '--once', '--json', '--quiet')
  t.is(json.code, 0, json.stderr)
  const lines = ndjson(t, json.stdout)
  t.is(lines.length, 1)
  t.is(lines[0]!.tick, 1)
  // The live side rides along: a dry run, its pass's moves and settings.
  const live = (lines[0] as unknown as { live: { applying: boolean; results: unknown[]; moves: unknown[]; machine: object } }).live
  t.is(live.applying, false)
  t.true(Array.isArray(live.results) && Array.isArray(live.moves), JSON.stringify(live))
  t.deepEqual(live.machine, {})
})

test.serial('run stopped by SIGINT exits 130 with whole lines and a summary; SIGTERM exits 143', async (t) => {
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    const child = spawn(process.execPath, [...NODE_ARGS, 'run', '--json', '--rate', '20'], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)))
    const deadline = Date.now() + 30_000
    while (Date.now() < deadline && stdout.split('\n').length <= 4) await new Promise((r) => setTimeout(r, 50))
    child.kill(signal)
    t.is(await exited, code, stderr)
    const lines = ndjson(t, stdout)
    t.true(lines.length >= 3)
    t.regex(stderr, new RegExp(`^${lines.length} ticks in `, 'm'), signal)
  }
})

test('run: bad options and configurations are errors naming the problem', (t) => {
  const invalid = join(work, 'invalid.json')
  writeFileSync(invalid, JSON.stringify({ notAnEngineSection: true }))
  const cases: [string[], number, RegExp][] = [
    [['--rate', '0'], 2, /--rate must be between 0\.1 and 100 Hz/],
    [['--rate', 'fast'], 2, /--rate 'fast' is not a number/],
    [['--duration', 'soon'], 2, /--duration 'soon' is not a duration/],
    [['--once', '--duration', '1s'], 2, /--once and --duration do not go together/],
    [['--verbose'], 2, /unknown option '--verbose'/],
    [['--config', join(work, 'missing.json'), '--once'], 2, /cannot read engine config/],
    [['--config', invalid, '--once'], 1, /invalid engine config/],
  ]
  for (const [args, code, message] of cases) {
    const r = gamesa('run', ...args)
    t.is(r.code, code, `${args.join(' ')}: ${r.stderr}`)
    t.regex(r.stderr, message, args.join(' '))
    t.is(r.stdout, '', 'nothing on stdout')
  }
  const help = gamesa('run', '--help')
  t.is(help.code, 0)
  for (const option of ['--config', '--rate', '--duration', '--json', '--once', '--quiet']) t.true(help.stdout.includes(option), option)
  t.regex(gamesa('--help').stdout, /^ {2}run {2,}live telemetry into the engine/m)
})
