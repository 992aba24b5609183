// `gamesa run`: live telemetry into the engine, dry-run. A TelemetrySampler at --rate feeds
// each snapshot to the engine; the output is either a live terminal view (redrawn in place on a
// terminal; it ticks through Engine.tickValues, the decisions only) or, with --json, one NDJSON
// line per tick on standard output (Engine.tickJson, the full output). Nothing is
// applied to the machine. Ctrl-C / SIGTERM stop cleanly with a summary on standard error.
import { realpathSync, readFileSync, writeSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { performance } from 'node:perf_hooks'
import { Engine, type TickOutput } from '../engine.js'
import { isGamesaError } from '../errors.js'
import { type LiveTickOutput, renderRunFrame } from '../report/run_frame.js'
import { type CountedTick, RunStats, formatMs } from '../report/run_stats.js'
import { TelemetrySampler, type TelemetrySnapshot } from '../telemetry.js'
import type { Command } from './commands.js'
import { readSettledSnapshot } from './snapshot.js'
import { UsageError, parseCommandLine } from './args.js'
import { Deadline, parseDuration, parseRate } from './telemetry_options.js'

const HELP = `usage: gamesa run [--config <engine.json>] [--rate <Hz>] [--duration <time>]
                  [--json] [--once] [--quiet]

Feeds live telemetry into the engine, one tick per reading, in dry-run: decisions are
priced, gated and audited but nothing is applied to the machine. On a terminal it shows
a live view, redrawn in place: prices per resource (with each price in units of the first
resource), the strongest signals, fired rules (active and shadow), approved and rejected
actions with the gate's reasons, and tick timing. When standard output is not a terminal,
a frame is printed once a second instead.

options:
  --config <file>      engine configuration (default: samples/engine.json of the package)
  --rate <Hz>          telemetry readings (= engine ticks) per second, 0.1 to 100 (default 10)
  --duration <time>    stop after this long: 500ms, 10s, 2m, 1h; a bare number is seconds
                       (default: until interrupted)
  --json               stream every tick's output as one JSON line (NDJSON) on standard
                       output, exactly as the engine writes it; no view
  --once               one tick on a settled reading (CPU utilization present), print it
                       (a frame, or one JSON line with --json) and exit
  --quiet              no progress or closing summary on standard error
  -h, --help           show this help

keys: q or Ctrl-C stops (on a terminal).
The closing summary (standard error) gives ticks, actions approved and rejected by reason,
and the mean and p99 time the engine took per tick.
exit codes: 0 ran for the whole duration (or --once), 1 the configuration is invalid or
the output could not be written, 2 usage error (bad option, a file that cannot be read),
130 stopped by SIGINT (Ctrl-C, q), 143 stopped by SIGTERM.`

interface Options {
  config: string
  rateHz: number
  durationMs?: number
  json: boolean
  once: boolean
  quiet: boolean
}

/**
 * The package root: the nearest folder above the running `gamesa` script (src/cli/gamesa.ts
 * or dist/cli/gamesa.js, through an npm bin link) whose package.json is @gamesa/core. Found
 * this way because the same file runs as an ES module from source and as CommonJS from dist,
 * so neither import.meta nor __dirname is available in both.
 */
export function packageRoot(): string | undefined {
  const script = process.argv[1]
  if (!script) return undefined
  let dir: string
  try {
    dir = dirname(realpathSync(script))
  } catch {
    return undefined
  }
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown }
      if (pkg.name === '@gamesa/core') return dir
    } catch {
      // no package.json here, or not JSON: keep climbing
    }
    const up = dirname(dir)
    if (up === dir) return undefined
    dir = up
  }
}

/** samples/engine.json of the package, or of the working directory when the root is unknown. */
export function defaultConfigPath(): string {
  return join(packageRoot() ?? process.cwd(), 'samples', 'engine.json')
}

function parseOptions(args: string[]): Options | number {
  const options = {
    config: { type: 'string' },
    rate: { type: 'string' },
    duration: { type: 'string' },
    json: { type: 'boolean' },
    once: { type: 'boolean' },
    quiet: { type: 'boolean', short: 'q' },
  } as const
  return parseCommandLine('run', HELP, args, { options }, (line) => {
    const config = line.string('config')
    if (config === '') throw new UsageError('--config needs a file name')
    const rate = line.string('rate')
    const duration = line.string('duration')
    const rateHz = rate === undefined ? 10 : parseRate('--rate', rate, 0.1, 100)
    const durationMs = duration === undefined ? undefined : parseDuration('--duration', duration)
    const once = line.flag('once')
    if (once && durationMs !== undefined) throw new UsageError('--once and --duration do not go together')
    return { config: config ?? defaultConfigPath(), rateHz, durationMs, json: line.flag('json'), once, quiet: line.flag('quiet') }
  })
}

/** The config path as shown in the view: relative to the working directory when shorter. */
function shownPath(path: string): string {
  const rel = relative(process.cwd(), path)
  return rel && !rel.startsWith('..') && rel.length < path.length ? rel : path
}

/** Loads the engine; an error is printed here and turned into the exit code. */
function loadEngine(path: string): Engine | number {
  try {
    return Engine.fromFile(path)
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err)
    if (isGamesaError(err, 'IO_ERROR')) {
      console.error(`gamesa run: ${message}`)
      return 2
    }
    console.error(`gamesa run: ${shownPath(path)}: ${message}`)
    return 1
  }
}

/** One timed tick: what the run shows and counts, the JSON line when `--json` wants one, and how long the engine took. */
interface TimedTick {
  output: LiveTickOutput & CountedTick
  text?: string
  ms: number
}

/**
 * How the run ticks. With `--json` every line is the full output, so it asks for that; the live
 * view needs only the decisions and the prices, so it takes the fast path (`tickValues`:
 * values in `inputNames` order, a few KB back instead of the whole output).
 */
function ticker(engine: Engine, json: boolean): (snapshot: TelemetrySnapshot) => TimedTick {
  if (json) {
    return (snapshot) => {
      const start = performance.now()
      const text = engine.tickJson(snapshot, snapshot.timestampMs)
      const ms = performance.now() - start
      return { text, output: JSON.parse(text) as TickOutput, ms }
    }
  }
  const slot = new Map(engine.inputNames.map((name, i) => [name, i]))
  return (snapshot) => {
    const values = new Float64Array(slot.size).fill(Number.NaN)
    for (const [name, value] of Object.entries(snapshot.values)) {
      const i = slot.get(name)
      if (i !== undefined && typeof value === 'number') values[i] = value
    }
    const start = performance.now()
    const d = engine.tickValues(values, snapshot.timestampMs)
    const ms = performance.now() - start
    return { output: { ...d, market: { prices: d.prices, nextPrices: d.nextPrices, demand: d.demand, supply: d.supply } }, ms }
  }
}

async function runOnce(engine: Engine, options: Options): Promise<number> {
  const snapshot = await readSettledSnapshot()
  const stats = new RunStats()
  const { text, output, ms } = ticker(engine, options.json)(snapshot)
  stats.record(output, ms)
  if (text !== undefined) process.stdout.write(`${text}\n`)
  else {
    const frame = renderRunFrame(output, stats, {
      columns: process.stdout.columns || 120,
      config: shownPath(options.config),
      rateHz: options.rateHz,
      elapsedMs: 0,
    })
    process.stdout.write(`${frame}\n`)
  }
  return 0
}

async function run(args: string[]): Promise<number> {
  const options = parseOptions(args)
  if (typeof options === 'number') return options

  const engine = loadEngine(options.config)
  if (typeof engine === 'number') return engine
  if (options.once) return runOnce(engine, options)

  const out = process.stdout
  const view = !options.json
  const tty = view && out.isTTY === true
  const stdin = process.stdin
  const keys = tty && stdin.isTTY === true
  const progressTty = options.json && !options.quiet && process.stderr.isTTY === true
  const stats = new RunStats()
  const started = performance.now()
  const shown = shownPath(options.config)
  const errorsSeen = new Set<string>()
  const tickOnce = ticker(engine, options.json)

  return new Promise<number>((resolve) => {
    let done = false
    let lastFrame = ''
    let lastPrinted = -Infinity
    let lastProgress = -Infinity
    let timer: Deadline | undefined
    let unsubscribe: (() => void) | undefined
    const sampler = new TelemetrySampler({ rateHz: options.rateHz })

    const finish = (code: number) => {
      if (done) return
      done = true
      timer?.clear()
      unsubscribe?.()
      sampler.stop()
      process.off('SIGINT', onInt)
      process.off('SIGTERM', onTerm)
      out.off('error', onOutError)
      if (keys) {
        stdin.setRawMode(false)
        stdin.off('data', onKey)
        stdin.pause()
      }
      if (tty) {
        // Back to the shell's screen, cursor shown; the last frame stays visible there.
        out.write('\x1b[?25h\x1b[?1049l')
        if (lastFrame) out.write(`${lastFrame}\n`)
      }
      if (progressTty) process.stderr.write('\r\x1b[K')
      if (!options.quiet) process.stderr.write(`${stats.summary(performance.now() - started)}\n`)
      resolve(code)
    }
    const onInt = () => finish(130)
    const onTerm = () => finish(143)
    const onKey = (data: Buffer) => {
      // Raw mode turns Ctrl-C into the byte 0x03 instead of SIGINT.
      if (data.includes(0x71 /* q */) || data.includes(0x51 /* Q */) || data.includes(0x03)) finish(130)
    }
    // A closed pipe (`gamesa run | head`) ends the run quietly, as for other Unix filters.
    const onOutError = () => finish(0)

    const writeJsonLine = (line: string): void => {
      try {
        // One synchronous write per line: every line on stdout is whole, even when stopped.
        writeSync(1, `${line}\n`)
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EPIPE') return finish(0)
        console.error(`gamesa run: writing standard output failed: ${err instanceof Error ? err.message : String(err)}`)
        finish(1)
      }
    }

    const onSnapshot = (snapshot: TelemetrySnapshot) => {
      if (done) return
      let tick: TimedTick
      try {
        tick = tickOnce(snapshot)
      } catch (err) {
        // A reading the engine cannot take is counted and reported once per distinct message;
        // the run goes on with the next reading.
        stats.errors++
        const message = err instanceof Error ? err.message : String(err)
        if (!errorsSeen.has(message)) {
          errorsSeen.add(message)
          console.error(`gamesa run: tick failed: ${message}`)
        }
        return
      }
      stats.record(tick.output, tick.ms)
      const now = performance.now()
      if (options.json) {
        if (tick.text !== undefined) writeJsonLine(tick.text)
        if (progressTty && now - lastProgress >= 250) {
          lastProgress = now
          process.stderr.write(`\r\x1b[Ktick ${stats.ticks} · ${stats.approved} approved · ${stats.rejected} rejected · p99 ${formatMs(stats.p99Ms)}`)
        }
        return
      }
      lastFrame = renderRunFrame(tick.output, stats, { columns: out.columns || 120, config: shown, rateHz: options.rateHz, elapsedMs: now - started })
      if (tty) {
        // Home the cursor, draw (only as many lines as fit), clear what a longer frame left.
        const rows = out.rows || 50
        const lines = lastFrame.split('\n').slice(0, Math.max(1, rows - 1))
        out.write(`\x1b[H${lines.join('\x1b[K\n')}\x1b[K\x1b[J`)
      } else if (now - lastPrinted >= 1000) {
        lastPrinted = now
        out.write(`${lastFrame}\n\n`)
      }
    }

    process.on('SIGINT', onInt)
    process.on('SIGTERM', onTerm)
    out.on('error', onOutError)
    if (keys) {
      stdin.setRawMode(true)
      stdin.resume()
      stdin.on('data', onKey)
    }
    if (tty) out.write('\x1b[?1049h\x1b[?25l')
    unsubscribe = sampler.subscribe(onSnapshot)
    if (options.durationMs !== undefined) timer = new Deadline(options.durationMs, () => finish(0))
  })
}

export const runCommand: Command = {
  name: 'run',
  summary: 'live telemetry into the engine (dry-run): a live view of prices, signals, rules and decisions',
  run,
}
