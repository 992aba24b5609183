// `gamesa top`: a live terminal view of the key telemetry variables, each with a short
// history sparkline. Runs a TelemetrySampler at --rate, redraws on the alternate screen,
// and restores the terminal on q, Ctrl-C, SIGINT or SIGTERM. `--once` prints one frame
// (after two readings, so CPU utilization is present) without escape codes.
import { TelemetrySampler, type TelemetrySnapshot } from '../index.js'
import type { Command } from './commands.js'
import { formatValue, readSettledSnapshot } from './snapshot.js'
import { parseCommandLine } from './args.js'
import { parseRate } from './telemetry_options.js'

const HELP = `usage: gamesa top [--rate <Hz>] [--once]

A live view of the key telemetry variables — CPU (total and per core), load, memory,
swap, pressure (PSI), temperatures and headroom, CPU power, GPUs — each with a sparkline
of its recent history. A variable that cannot be read shows its reason.

options:
  --rate <Hz>    refresh rate, 0.1 to 50 (default 2)
  --once         print one frame and exit (for scripts and tests)
  -h, --help     show this help

keys: q or Ctrl-C quits.
exit codes: 0 success, 2 usage error.`

const BARS = '▁▂▃▄▅▆▇█'
/** Samples kept per variable for its sparkline. */
const HISTORY = 40

/**
 * A sparkline of `values` (oldest first). Ratios and percentages use their fixed scale so the
 * height means the same thing on every line; other units scale between the window's min and max.
 */
export function sparkline(values: readonly number[], scale?: readonly [number, number]): string {
  if (values.length === 0) return ''
  const lo = scale ? scale[0] : Math.min(...values)
  const hi = scale ? scale[1] : Math.max(...values)
  const span = hi - lo
  return values
    .map((v) => {
      const t = span > 0 ? (v - lo) / span : 0.5
      return BARS[Math.max(0, Math.min(BARS.length - 1, Math.round(t * (BARS.length - 1))))]
    })
    .join('')
}

function scaleOf(name: string): readonly [number, number] | undefined {
  if (name.endsWith('util') || name.endsWith('_ratio')) return [0, 1]
  if (name.endsWith('avg10')) return [0, 100]
  return undefined
}

/** The variables shown, in order: fixed names, then every core and every GPU present. */
export function keyVariables(s: TelemetrySnapshot): string[] {
  const known = new Set([...Object.keys(s.values), ...Object.keys(s.absent)])
  const numeric = (re: RegExp) =>
    [...known].filter((n) => re.test(n)).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
  return [
    'cpu.util',
    ...numeric(/^cpu\.core\d+\.util$/),
    'cpu.freq_mhz',
    'cpu.load1',
    'cpu.load5',
    'cpu.load15',
    'mem.used_ratio',
    'mem.available_mb',
    'swap.used_ratio',
    'cpu.psi_some_avg10',
    'mem.psi_some_avg10',
    'io.psi_some_avg10',
    'thermal.cpu_c',
    'thermal.headroom_c',
    'power.cpu_w',
    'gpu.count',
    ...numeric(/^gpu\d+\.(util|mem_util|temp_c|power_w|power_limit_w|sm_clock_mhz|mem_used_mb)$/),
  ]
}

/** Per-variable history of the readings seen, oldest first, capped at HISTORY. */
export class History {
  private readonly series = new Map<string, number[]>()
  push(s: TelemetrySnapshot): void {
    for (const [name, value] of Object.entries(s.values)) {
      let list = this.series.get(name)
      if (!list) this.series.set(name, (list = []))
      list.push(value)
      if (list.length > HISTORY) list.shift()
    }
  }
  of(name: string): number[] {
    return this.series.get(name) ?? []
  }
}

/** One frame: a title line, then one line per key variable: name, value, sparkline or reason. */
export function renderFrame(s: TelemetrySnapshot, history: History, columns = 100): string {
  const names = keyVariables(s)
  const width = Math.max(...names.map((n) => n.length))
  const lines = [`gamesa top — ${new Date(s.timestampMs).toISOString()}   (q to quit)`, '']
  for (const name of names) {
    const value = s.values[name]
    let line: string
    if (value !== undefined) {
      line = `${name.padEnd(width)}  ${formatValue(name, value).padStart(10)}  ${sparkline(history.of(name), scaleOf(name))}`
    } else {
      const reason = s.absent[name]
      // Variables neither read nor explained on this host (e.g. no GPU lines) are left out.
      if (reason === undefined) continue
      line = `${name.padEnd(width)}  ${'—'.padStart(10)}  ${reason}`
    }
    lines.push(line.length > columns ? `${line.slice(0, columns - 1)}…` : line)
  }
  return lines.join('\n')
}

function parseOptions(args: string[]): { rateHz: number; once: boolean } | number {
  const options = { rate: { type: 'string' }, once: { type: 'boolean' } } as const
  return parseCommandLine('top', HELP, args, { options }, (line) => {
    const rate = line.string('rate')
    return { rateHz: rate === undefined ? 2 : parseRate('--rate', rate, 0.1, 50), once: line.flag('once') }
  })
}

async function run(args: string[]): Promise<number> {
  const options = parseOptions(args)
  if (typeof options === 'number') return options

  const history = new History()
  if (options.once) {
    const s = await readSettledSnapshot()
    history.push(s)
    console.log(renderFrame(s, history, process.stdout.columns || 100))
    return 0
  }

  const out = process.stdout
  const tty = out.isTTY === true
  const stdin = process.stdin
  return new Promise<number>((resolve) => {
    let done = false
    const sampler = new TelemetrySampler({ rateHz: options.rateHz })
    const finish = (code: number) => {
      if (done) return
      done = true
      unsubscribe()
      sampler.stop()
      process.off('SIGINT', onInt)
      process.off('SIGTERM', onTerm)
      out.off('error', onOutError)
      if (stdin.isTTY) {
        stdin.setRawMode(false)
        stdin.off('data', onKey)
        stdin.pause()
      }
      // Show the cursor again and leave the alternate screen: the shell's screen comes back.
      if (tty) out.write('\x1b[?25h\x1b[?1049l')
      resolve(code)
    }
    const onInt = () => finish(0)
    const onTerm = () => finish(143)
    const onKey = (data: Buffer) => {
      // Raw mode turns Ctrl-C into the byte 0x03 instead of SIGINT.
      if (data.includes(0x71 /* q */) || data.includes(0x51 /* Q */) || data.includes(0x03)) finish(0)
    }
    // A closed pipe (`gamesa top | head`) ends the view quietly, as it would end `top`.
    const onOutError = () => finish(0)
    process.on('SIGINT', onInt)
    process.on('SIGTERM', onTerm)
    out.on('error', onOutError)
    if (stdin.isTTY) {
      stdin.setRawMode(true)
      stdin.resume()
      stdin.on('data', onKey)
    }
    if (tty) out.write('\x1b[?1049h\x1b[?25l')
    const unsubscribe = sampler.subscribe((s: TelemetrySnapshot) => {
      if (done) return
      history.push(s)
      const frame = renderFrame(s, history, out.columns || 100)
      // Home the cursor, draw, clear what an earlier, longer frame left below.
      out.write(tty ? `\x1b[H${frame.split('\n').join('\x1b[K\n')}\x1b[K\x1b[J` : `${frame}\n\n`)
    })
  })
}

export const topCommand: Command = {
  name: 'top',
  summary: 'a live terminal view of the key telemetry variables with sparklines',
  run,
}
