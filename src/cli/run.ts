// `gamesa run`: live telemetry and live workloads into the engine. A TelemetrySampler at --rate
// feeds each snapshot, with the `wl.*` variables of the last pass over the processes (live.ts,
// every --scan-every), to the engine, which ticks through Engine.tickValues (the decisions
// only); the output is either a live terminal view (redrawn in place on a terminal) or, with
// --json, one NDJSON line per tick on standard output (Engine.lastTickJson, the full output,
// with the live results added). Dry run
// unless --apply: then the approved live actions (docs/workloads.md) become settings of the
// roles' groups, their processes and the machine, undone at the end. Ctrl-C / SIGTERM stop cleanly with a summary on standard error; SIGUSR1 pauses
// (restores everything), SIGUSR2 resumes.
import { realpathSync, readFileSync, writeSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { performance } from 'node:perf_hooks'
import type { RestoreReport } from '../actuation.js'
import { Engine } from '../engine.js'
import { readDocument } from '../files.js'
import { GamesaError, isGamesaError } from '../errors.js'
import { type WorkloadsConfig, protectConfig } from '../workloads.js'
import { InactiveRules } from './inactive_rules.js'
import { LiveRun, readWorkloadsFile } from './live.js'
import { type LiveTickOutput, renderRunFrame } from '../report/run_frame.js'
import { type CountedTick, RunStats, formatMs } from '../report/run_stats.js'
import { TelemetrySampler, type TelemetrySnapshot } from '../telemetry.js'
import type { Command } from './commands.js'
import { readSettledSnapshot } from './snapshot.js'
import { type CommandLine, UsageError, parseCommandLine } from './args.js'
import { Deadline, parseDuration, parseRate } from './telemetry_options.js'
import { type MetricsAddress, parseMetricsAddress } from '../metrics/address.js'
import { RunMetrics } from '../metrics/run_metrics.js'
import { defaultJournalPath } from '../actuation.js'
import { experienceHelp, type LiveRecording, finishLiveRecording, recordLiveTick, startLiveRecording } from './experience_option.js'
import { reloadRules } from './reload_rules.js'

/** `--scan-every`'s default: a machine where no process starts is scanned twice a second. */
export const DEFAULT_SCAN_EVERY_MS = 500

const HELP_TEXT = `usage: gamesa run [--config <engine.json>] [--rate <Hz>] [--scan-every <time>] [--duration <time>]
                  [--protect <name>]... [--workloads <workloads.json>]
                  [--apply [--no-restore-on-exit] [--journal <file>] [--cgroup-subtree <name>]
                   [--gamemode [--gamemode-audit <file>] [--gamemode-max <n>]]]
                  [--experience <file>] [--json] [--once] [--quiet] [--metrics [<host>:]<port>]

Feeds live telemetry and the live workloads into the engine, one tick per reading. Every
process that uses CPU is classified as priority (selected by --protect or --workloads, with
its threads and descendants) or background (anything else but the exclusion list: kernel
threads, init and systemd daemons, sshd, display servers, audio servers, the governor); their
wl.priority.* and wl.background.* variables are the simulator's. By default this is a dry run:
decisions are priced, gated and audited, and the view says what would be applied. With --apply,
approved actions on priority or background become the cgroup settings of that role's group
(set_cpu_weight, set_cpu_quota, set_cpu_idle, pin_cores; every process of the role, also one
started later, is moved into it) or of its processes (set_nice, set_sched_policy), and
set_cpu_power_limit, set_cpu_freq_max and set_gpu_power_limit set RAPL, cpufreq and the GPU;
all of it is journaled and undone on exit. On a terminal it shows
a live view, redrawn in place: prices per resource (with each price in units of the first
resource), the strongest signals, fired rules (active and shadow), approved and rejected
actions with the gate's reasons, and tick timing. When standard output is not a terminal,
a frame is printed once a second instead.

options:
  --config <file>      engine configuration (default: samples/engine.json of the package)
  --protect <name>     the priority workload: processes whose comm or executable name is
                       <name> (repeat it, or give a comma-separated list), like gamemoderun
  --workloads <file>   workloads configuration (JSON: workloads with selectors by name,
                       cmdline regex, cgroup, uid, pid, pidfile; extra exclusions); see
                       docs/workloads.md
  --apply              act on the machine: needs root, or CAP_SYS_NICE and CAP_SYS_ADMIN
  --no-restore-on-exit with --apply: keep the settings when the run ends (gamesa restore
                       undoes them later)
  --journal <file>     the actuation journal (default: as for gamesa restore)
  --cgroup-subtree <name>  the governor's cgroup folder under each hierarchy (default gamesa)
  --gamemode           with --apply: answer GameMode's D-Bus interface on the session bus
                       (com.feralinteractive.GameMode), so games started with gamemoderun or
                       linking libgamemode join the priority workload while they run; never
                       taken from a running gamemoded (see docs/gamemode.md)
  --gamemode-audit <file>  where every registration is audited (default: gamemode-audit.ndjson
                       beside the journal)
  --gamemode-max <n>   the most games registered at once, 1 to 4096 (default 32)
  --rate <Hz>          telemetry readings (= engine ticks) per second, 0.1 to 100 (default 10)
  --scan-every <time>  how often the processes are scanned, 0 (every tick) to 1s (default
                       500ms), and at once when a process has started since the last scan
                       (so it gets its settings within about two ticks); a tick between two
                       scans reuses the last one's wl.* variables
  --duration <time>    stop after this long: 500ms, 10s, 2m, 1h; a bare number is seconds
                       (default: until interrupted)
EXPERIENCE_HELP_HERE
  --json               stream every tick's output as one JSON line (NDJSON) on standard
                       output: the engine's output with "live" added (what the tick's
                       approved actions came to on the machine, the pass's moves, the
                       settings in force); no view
  --once               one tick on a settled reading (CPU utilization present), print it
                       (a frame, or one JSON line with --json) and exit
  --quiet              no progress or closing summary on standard error
  --metrics [<host>:]<port>  serve Prometheus metrics at http://<host>:<port>/metrics
                       (docs/metrics.md); a bare port listens on 127.0.0.1 only: other
                       machines reach it only with an address that says so (0.0.0.0:<port>,
                       [::]:<port>)
  -h, --help           show this help

keys: q or Ctrl-C stops (on a terminal). SIGUSR1 (gamesa pause) pauses: everything is
restored and nothing is applied until SIGUSR2 (gamesa resume). SIGHUP (gamesa reload) reads
--config again and, when only its rules changed (as gamesa promote writes them), swaps them
into the running engine between two ticks; any other change needs a restart. After a crash or kill -9,
gamesa restore (or the next --apply run) undoes what the journal records.
The closing summary (standard error) gives ticks, actions approved and rejected by reason,
and the mean and p99 time the engine took per tick.
exit codes: 0 ran for the whole duration (or --once), 1 the configuration is invalid, the
output could not be written, or --apply lacks a capability (ACTUATION_PERMISSION_DENIED) or
the journal is held by another governor, or --gamemode finds no session bus
(GAMEMODE_UNAVAILABLE), 2 usage error (bad option, a file that cannot be read,
a --metrics address that cannot be listened on),
130 stopped by SIGINT (Ctrl-C, q), 143 stopped by SIGTERM. An experience store that another
process writes (EXPERIENCE_LOCKED), or a bad reward expression, is exit code 1 before anything runs.`
const HELP = HELP_TEXT.replace('EXPERIENCE_HELP_HERE', experienceHelp(23))

export interface Options {
  config: string
  rateHz: number
  /** How often the processes are scanned when none starts, ms (0: every tick). */
  scanEveryMs: number
  durationMs?: number
  json: boolean
  once: boolean
  quiet: boolean
  protect: string[]
  workloads?: string
  apply: boolean
  restoreOnExit: boolean
  journal?: string
  cgroupSubtree?: string
  gamemode: boolean
  gamemodeAudit?: string
  gamemodeMax?: number
  /** Where `--metrics` serves /metrics; undefined without it. */
  metrics?: MetricsAddress
  experience?: string
}

/** The options `gamesa run` and `gamesa exec` share (exec adds none of its own). */
export const RUN_OPTIONS = {
  config: { type: 'string' },
  rate: { type: 'string' },
  'scan-every': { type: 'string' },
  duration: { type: 'string' },
  json: { type: 'boolean' },
  once: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  protect: { type: 'string', multiple: true },
  workloads: { type: 'string' },
  apply: { type: 'boolean' },
  'no-restore-on-exit': { type: 'boolean' },
  journal: { type: 'string' },
  'cgroup-subtree': { type: 'string' },
  gamemode: { type: 'boolean' },
  'gamemode-audit': { type: 'string' },
  'gamemode-max': { type: 'string' },
  metrics: { type: 'string' },
  experience: { type: 'string' },
} as const

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

/** The run options of a parsed command line (`UsageError` for a bad one). */
export function runOptions(line: CommandLine): Options {
  const config = line.string('config')
  if (config === '') throw new UsageError('--config needs a file name')
  const rate = line.string('rate')
  const duration = line.string('duration')
  const rateHz = rate === undefined ? 10 : parseRate('--rate', rate, 0.1, 100)
  const scanEvery = line.string('scan-every')
  const scanEveryMs = scanEvery === undefined ? DEFAULT_SCAN_EVERY_MS : scanEvery.trim() === '0' ? 0 : parseDuration('--scan-every', scanEvery)
  if (scanEveryMs > 1000) throw new UsageError(`--scan-every ${scanEvery}: at most 1s (a new process must get its settings within a second)`)
  const durationMs = duration === undefined ? undefined : parseDuration('--duration', duration)
  const once = line.flag('once')
  if (once && durationMs !== undefined) throw new UsageError('--once and --duration do not go together')
  const protect = line.strings('protect').flatMap((p) => p.split(',')).map((p) => p.trim())
  if (protect.some((p) => p === '' || p.includes('/'))) throw new UsageError('--protect needs process names (no empty name, no /)')
  const workloads = line.string('workloads')
  if (workloads !== undefined && protect.length > 0) throw new UsageError('--protect and --workloads do not go together (list the names in the file)')
  const apply = line.flag('apply')
  const keep = line.flag('no-restore-on-exit')
  if (keep && !apply) throw new UsageError('--no-restore-on-exit needs --apply')
  if (apply && once) throw new UsageError('--apply and --once do not go together')
  const gamemode = line.flag('gamemode')
  if (gamemode && !apply) throw new UsageError('--gamemode needs --apply (a registered game must get what it was promised)')
  const gamemodeAudit = line.string('gamemode-audit')
  const max = line.string('gamemode-max')
  if ((gamemodeAudit !== undefined || max !== undefined) && !gamemode) throw new UsageError('--gamemode-audit and --gamemode-max need --gamemode')
  if (gamemodeAudit === '') throw new UsageError('--gamemode-audit needs a file name')
  const gamemodeMax = max === undefined ? undefined : Number(max)
  if (gamemodeMax !== undefined && !(Number.isInteger(gamemodeMax) && gamemodeMax >= 1 && gamemodeMax <= 4096)) throw new UsageError(`--gamemode-max ${max}: a whole number from 1 to 4096`)
  const metrics = line.string('metrics')
  if (metrics !== undefined && once) throw new UsageError('--metrics and --once do not go together (one tick is over before a scrape)')
  return {
    config: config ?? defaultConfigPath(),
    rateHz,
    scanEveryMs,
    durationMs,
    json: line.flag('json'),
    once,
    quiet: line.flag('quiet'),
    protect,
    workloads,
    apply,
    restoreOnExit: !keep,
    journal: line.string('journal'),
    cgroupSubtree: line.string('cgroup-subtree'),
    gamemode,
    gamemodeAudit,
    gamemodeMax,
    metrics: metrics === undefined ? undefined : metricsAddress(metrics),
    experience: line.string('experience'),
  }
}

function metricsAddress(text: string): MetricsAddress {
  try {
    return parseMetricsAddress(text)
  } catch (err) {
    throw new UsageError(`--metrics ${err instanceof Error ? err.message : String(err)}`)
  }
}

function parseOptions(args: string[]): Options | number {
  return parseCommandLine('run', HELP, args, { options: RUN_OPTIONS }, runOptions)
}

/** Opens the live workloads for `options` (or `config` instead of its selectors); an error is printed here and becomes the exit code. */
export function openLive(command: string, options: Options, config?: WorkloadsConfig): LiveRun | number {
  const warn = (line: string) => {
    if (!options.quiet) console.error(`gamesa ${command}: ${line}`)
  }
  try {
    const workloads = config ?? (options.workloads !== undefined ? readWorkloadsFile(options.workloads) : options.protect.length > 0 ? protectConfig(options.protect) : {})
    const gamemode = options.gamemode ? { audit: options.gamemodeAudit, maxGames: options.gamemodeMax } : undefined
    return new LiveRun({ config: workloads, apply: options.apply, restoreOnExit: options.restoreOnExit, journal: options.journal, cgroupSubtree: options.cgroupSubtree, gamemode, scanEveryMs: options.scanEveryMs }, warn)
  } catch (err) {
    if (err instanceof GamesaError) {
      console.error(`gamesa ${command}: ${err.code}: ${err.message}`)
      return 1
    }
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'EACCES') {
      console.error(`gamesa ${command}: ${err instanceof Error ? err.message : String(err)}`)
      return 2
    }
    throw err
  }
}

/** The config path as shown in the view: relative to the working directory when shorter. */
function shownPath(path: string): string {
  const rel = relative(process.cwd(), path)
  return rel && !rel.startsWith('..') && rel.length < path.length ? rel : path
}

/** An engine with the configuration text it was built from (the baseline `gamesa reload` compares with). */
export interface LoadedEngine {
  engine: Engine
  text: string
}

/** Reads the engine configuration in `path` once and builds the engine from that text. */
export function readEngine(path: string): LoadedEngine {
  const text = readDocument(path, 'engine config')
  return { engine: new Engine(text), text }
}

/** Loads the engine; an error is printed here and turned into the exit code. */
function loadEngine(path: string): LoadedEngine | number {
  try {
    return readEngine(path)
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
 * How the run ticks: the fast path (`tickValues`: values in `inputNames` order, the decisions
 * back packed, the full output kept on the native side). With `--json` the line is the full
 * output, asked for once the tick is done (`lastTickJson`), so the run never parses back what
 * the engine just wrote, nor writes the snapshot as JSON for the engine to parse.
 */
function ticker(engine: Engine, json: boolean): (snapshot: TelemetrySnapshot) => TimedTick {
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
    const text = json ? (engine.lastTickJson() ?? undefined) : undefined
    return { text, output: { ...d, market: { prices: d.prices, nextPrices: d.nextPrices, demand: d.demand, supply: d.supply } }, ms }
  }
}

async function runOnce(engine: Engine, options: Options, live: LiveRun): Promise<number> {
  // A first pass starts the workloads' CPU intervals; the settled reading takes long enough.
  live.scan({})
  const snapshot = await readSettledSnapshot()
  live.scan(snapshot.values)
  const stats = new RunStats()
  const recording = options.experience === undefined ? undefined : startLiveRecording('run', options.experience, options.config)
  if (typeof recording === 'number') {
    live.finish()
    return recording
  }
  const { text, output, ms } = ticker(engine, options.json)(snapshot)
  const inactive = new InactiveRules((line) => {
    if (!options.quiet) console.error(`gamesa run: ${line}`)
  })
  output.ruleErrors = inactive.filter(output.ruleErrors)
  stats.record(output, ms)
  live.afterTick(output.approved)
  if (recording) recordLiveTick(recording, engine, snapshot.values, live.lastResults)
  live.finish()
  if (!finishLiveRecording('run', recording)) return 1
  if (text !== undefined) process.stdout.write(`${live.jsonLine(text)}\n`)
  else {
    const frame = renderRunFrame(output, stats, {
      columns: process.stdout.columns || 120,
      config: shownPath(options.config),
      rateHz: options.rateHz,
      elapsedMs: 0,
    })
    process.stdout.write(`${[frame, ...inactive.lines(), ...live.lines()].join('\n')}\n`)
  }
  return 0
}

async function run(args: string[]): Promise<number> {
  const options = parseOptions(args)
  if (typeof options === 'number') return options

  const loaded = loadEngine(options.config)
  if (typeof loaded === 'number') return loaded
  const live = openLive('run', options)
  if (typeof live === 'number') return live
  if (options.once) return runOnce(loaded.engine, options, live)
  return govern(loaded, options, live)
}

/**
 * The run loop of `gamesa run` and `gamesa exec`: ticks until the duration ends, a signal or
 * `q` stops it, or `until` resolves (with the exit code to return). Restores on every way out
 * (unless --no-restore-on-exit) and releases the journal. `gamesa exec` leaves the terminal to
 * its command: no view and no keys (`quiet` view), JSON lines on standard error.
 */
export function govern({ engine, text: configText }: LoadedEngine, options: Options, live: LiveRun, extra: { until?: Promise<number>; forCommand?: boolean } = {}): Promise<number> {
  const out = process.stdout
  const jsonFd = extra.forCommand ? 2 : 1
  const view = !options.json && !extra.forCommand
  const tty = view && out.isTTY === true
  const stdin = process.stdin
  const keys = tty && stdin.isTTY === true
  const progressTty = options.json && !options.quiet && !extra.forCommand && process.stderr.isTTY === true
  const stats = new RunStats()
  const started = performance.now()
  const shown = shownPath(options.config)
  const errorsSeen = new Set<string>()
  const tickOnce = ticker(engine, options.json)
  const metrics = options.metrics && RunMetrics.forConfigFile(options.config, engine, live.applying ? (options.journal ?? defaultJournalPath()) : undefined)
  const command = extra.forCommand ? 'exec' : 'run'
  let recording: LiveRecording | undefined
  if (options.experience !== undefined) {
    const opened = startLiveRecording(command, options.experience, options.config)
    if (typeof opened === 'number') {
      live.finish()
      return Promise.resolve(opened)
    }
    recording = opened
  }

  return new Promise<number>((resolve) => {
    let done = false
    let lastFrame = ''
    let lastPrinted = -Infinity
    let lastProgress = -Infinity
    let timer: Deadline | undefined
    let unsubscribe: (() => void) | undefined
    // Neither the sampler's process table nor the GPU's processes are read here: the live
    // workloads scan the processes themselves, more cheaply.
    const sampler = new TelemetrySampler({ rateHz: options.rateHz, slowEvery: 0 })

    const finish = (code: number) => {
      if (done) return
      done = true
      timer?.clear()
      unsubscribe?.()
      sampler.stop()
      metrics?.close()
      process.off('SIGINT', onInt)
      process.off('SIGTERM', onTerm)
      process.off('SIGUSR1', onPause)
      process.off('SIGUSR2', onResume)
      process.off('SIGHUP', onHangup)
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
      let restored: RestoreReport | undefined
      try {
        restored = live.finish()
      } catch (err) {
        console.error(`gamesa run: restoring failed (gamesa restore retries): ${err instanceof Error ? err.message : String(err)}`)
        code = code === 0 ? 1 : code
      }
      if (!finishLiveRecording(command, recording)) code = code === 0 ? 1 : code
      if (!options.quiet) {
        const keep = live.applying && !options.restoreOnExit ? '; settings kept (--no-restore-on-exit)' : ''
        const back = restored ? `; restored ${restored.restored} settings${restored.conflicts.length > 0 ? `, ${restored.conflicts.length} conflicts kept` : ''}` : ''
        process.stderr.write(`${stats.summary(performance.now() - started, live.applying)}\n${live.summary()}${back}${keep}\n`)
      }
      resolve(code)
    }
    const say = (line: string) => {
      if (!options.quiet) console.error(`gamesa run: ${line}`)
    }
    const inactive = new InactiveRules(say)
    const onPause = () => say(live.pause())
    const onResume = () => say(live.resume())
    // SIGHUP (gamesa reload): the config file's rules are swapped in between two ticks when
    // nothing else in it changed (reload_rules.ts); said even with --quiet, as an error is.
    // The text the engine was built from: a file changed since is compared with what runs.
    let runningText = configText
    const onHangup = () => {
      const reload = reloadRules(engine, options.config, runningText)
      if (reload.text !== undefined) runningText = reload.text
      console.error(`gamesa ${command}: ${reload.message}`)
    }
    const onInt = () => finish(130)
    const onTerm = () => finish(143)
    const onKey = (data: Buffer) => {
      // Raw mode turns Ctrl-C into the byte 0x03 instead of SIGINT.
      if (data.includes(0x71 /* q */) || data.includes(0x51 /* Q */) || data.includes(0x03)) finish(130)
    }
    // A closed pipe (`gamesa run | head`) ends the run quietly, as for other Unix filters.
    const onOutError = () => finish(0)

    const pipeWait = new Int32Array(new SharedArrayBuffer(4))
    const writeJsonLine = (line: string): void => {
      try {
        // Synchronous writes: every line on stdout is whole, even when stopped. A pipe may be
        // non-blocking and full while its reader is slow (EAGAIN, or a short write): wait for
        // it and write the rest, as a blocking write would, instead of dying mid-run with the
        // settings restored.
        const bytes = Buffer.from(`${line}\n`)
        let done = 0
        while (done < bytes.length) {
          try {
            done += writeSync(jsonFd, bytes, done)
          } catch (err) {
            if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err
            Atomics.wait(pipeWait, 0, 0, 2)
          }
        }
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
        live.beforeTick(snapshot.values)
        tick = tickOnce(snapshot)
        tick.output.ruleErrors = inactive.filter(tick.output.ruleErrors)
        live.afterTick(tick.output.approved)
        if (recording) recordLiveTick(recording, engine, snapshot.values, live.lastResults)
      } catch (err) {
        // A reading the engine cannot take is counted and reported once per distinct message;
        // the run goes on with the next reading.
        stats.errors++
        metrics?.tickFailed()
        const message = err instanceof Error ? err.message : String(err)
        if (!errorsSeen.has(message)) {
          errorsSeen.add(message)
          console.error(`gamesa run: tick failed: ${message}`)
        }
        return
      }
      stats.record(tick.output, tick.ms)
      if (metrics) {
        if (tick.output.approved.length > 0) metrics.actuated(live.lastResults)
        metrics.afterTick(tick.output, tick.ms / 1000, snapshot, live.last)
      }
      const now = performance.now()
      if (options.json) {
        if (tick.text !== undefined) writeJsonLine(live.jsonLine(tick.text))
        if (progressTty && now - lastProgress >= 250) {
          lastProgress = now
          process.stderr.write(`\r\x1b[Ktick ${stats.ticks} · ${stats.approved} approved · ${stats.rejected} rejected · p99 ${formatMs(stats.p99Ms)}`)
        }
        return
      }
      if (!view) return
      lastFrame = [renderRunFrame(tick.output, stats, { columns: out.columns || 120, config: shown, rateHz: options.rateHz, elapsedMs: now - started }), ...inactive.lines(), ...live.lines()].join('\n')
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
    process.on('SIGUSR1', onPause)
    process.on('SIGUSR2', onResume)
    process.on('SIGHUP', onHangup)
    extra.until?.then((code) => finish(code))
    out.on('error', onOutError)
    if (keys) {
      stdin.setRawMode(true)
      stdin.resume()
      stdin.on('data', onKey)
    }
    if (tty) out.write('\x1b[?1049h\x1b[?25l')
    const start = () => {
      unsubscribe = sampler.subscribe(onSnapshot)
      if (options.durationMs !== undefined) timer = new Deadline(options.durationMs, () => finish(0))
    }
    // With --metrics, ticking starts once the endpoint listens; an address it cannot take (in
    // use, not this machine's) ends the run as a usage error.
    if (!metrics || !options.metrics) return start()
    metrics.listen(options.metrics).then(
      (url) => {
        if (done) return metrics.close() // stopped while it was binding
        say(`metrics at ${url}`)
        start()
      },
      (err: unknown) => {
        console.error(`gamesa run: --metrics: cannot listen: ${err instanceof Error ? err.message : String(err)}`)
        finish(2)
      },
    )
  })
}

export const runCommand: Command = {
  name: 'run',
  summary: 'live telemetry into the engine, with the live workloads: prices, signals, rules, decisions; dry-run unless --apply',
  run,
}
