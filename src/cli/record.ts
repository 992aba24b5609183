// `gamesa record`: samples telemetry at a fixed rate into an NDJSON trace — a versioned
// header line, then one snapshot per line. Every line is written whole with one synchronous
// write, so a trace cut by Ctrl-C (SIGINT) or SIGTERM still parses line by line: the
// sampler is stopped, the file closed, the count printed, and the exit code is 130 / 143.
import { closeSync, openSync, writeSync } from 'node:fs'
import { arch, cpus, hostname, platform, release, totalmem } from 'node:os'
import { readSnapshot, TelemetrySampler, type TelemetrySnapshot } from '../index.js'
import { NativeFileLock } from '../../index.js'
import type { Command } from './commands.js'
import { UsageError, parseCommandLine } from './args.js'
import { Deadline, parseDuration, parseRate } from './telemetry_options.js'

const HELP = `usage: gamesa record --out <file> [--rate <Hz>] [--duration <time>] [--quiet]

Samples telemetry at a fixed rate and writes an NDJSON trace: a header line
  {"format":"gamesa-trace","version":1,"rateHz":..,"startedAtMs":..,"host":{..},"variables":[..]}
then one snapshot per line ({ timestampMs, values, absent, sources }). Progress goes to
standard error. Ctrl-C stops cleanly: every line written is complete.

options:
  --out <file>         where to write the trace; - for standard output (required)
  --rate <Hz>          samples per second, 0.1 to 1000 (default 10)
  --duration <time>    how long to record: 500ms, 60s, 5m, 1h; a bare number is seconds
                       (default: until interrupted)
  --quiet              no progress or summary on standard error
  -h, --help           show this help

exit codes: 0 recorded for the whole duration, 1 a write failed, 2 usage error (bad option,
a file that cannot be opened), 130 stopped by SIGINT, 143 stopped by SIGTERM.`

/** The trace format's name and version, written in the header line. */
export const TRACE_FORMAT = 'gamesa-trace'
export const TRACE_VERSION = 1

/** The first line of a trace. */
export interface TraceHeader {
  format: typeof TRACE_FORMAT
  version: typeof TRACE_VERSION
  rateHz: number
  startedAtMs: number
  host: { hostname: string; platform: string; release: string; arch: string; cpus: number; totalMemMb: number; node: string }
  /** Every variable the first reading knew of, present or absent, sorted. */
  variables: string[]
}

interface Options {
  out: string
  rateHz: number
  durationMs?: number
  quiet: boolean
}

function parseOptions(args: string[]): Options | number {
  const options = {
    out: { type: 'string' },
    rate: { type: 'string' },
    duration: { type: 'string' },
    quiet: { type: 'boolean', short: 'q' },
  } as const
  return parseCommandLine('record', HELP, args, { options }, (line) => {
    const out = line.string('out')
    if (out === undefined) throw new UsageError('--out is required (a file, or - for standard output)')
    if (out === '') throw new UsageError('--out needs a file name (or - for standard output)')
    const rate = line.string('rate')
    const duration = line.string('duration')
    return {
      out,
      rateHz: rate === undefined ? 10 : parseRate('--rate', rate),
      durationMs: duration === undefined ? undefined : parseDuration('--duration', duration),
      quiet: line.flag('quiet'),
    }
  })
}

function hostInfo(): TraceHeader['host'] {
  return {
    hostname: hostname(),
    platform: platform(),
    release: release(),
    arch: arch(),
    cpus: cpus().length,
    totalMemMb: Math.round(totalmem() / 1048576),
    node: process.version,
  }
}

/** Progress on stderr: one line rewritten in place on a terminal, a plain line every 5 s otherwise. */
class Progress {
  private lastMs = 0
  private readonly tty = process.stderr.isTTY === true
  constructor(private readonly quiet: boolean, private readonly startedMs: number) {}
  update(count: number, force = false): void {
    if (this.quiet) return
    const now = Date.now()
    if (!force && now - this.lastMs < (this.tty ? 250 : 5000)) return
    this.lastMs = now
    const elapsed = (now - this.startedMs) / 1000
    const line = `recorded ${count} snapshots in ${elapsed.toFixed(1)} s (${elapsed > 0 ? (count / elapsed).toFixed(1) : '0.0'} Hz)`
    process.stderr.write(this.tty ? `\r\x1b[K${line}` : `${line}\n`)
  }
  finish(message: string): void {
    if (this.quiet) return
    process.stderr.write(this.tty ? `\r\x1b[K${message}\n` : `${message}\n`)
  }
}

async function run(args: string[]): Promise<number> {
  const options = parseOptions(args)
  if (typeof options === 'number') return options

  const toStdout = options.out === '-'
  let fd: number
  // One writer per trace: a second `gamesa record` to the same file would interleave lines.
  // The lock is taken before the file is truncated, so a refused writer changes nothing.
  let lock: NativeFileLock | undefined
  try {
    if (!toStdout) lock = new NativeFileLock(options.out)
    fd = toStdout ? 1 : openSync(options.out, 'w')
  } catch (err) {
    lock?.release()
    const code = (err as { code?: unknown }).code
    console.error(`gamesa record: cannot open '${options.out}': ${code === 'FILE_LOCKED' ? 'FILE_LOCKED: ' : ''}${err instanceof Error ? err.message : String(err)}`)
    return code === 'FILE_LOCKED' ? 1 : 2
  }

  const first = readSnapshot()
  const header: TraceHeader = {
    format: TRACE_FORMAT,
    version: TRACE_VERSION,
    rateHz: options.rateHz,
    startedAtMs: Date.now(),
    host: hostInfo(),
    variables: [...new Set([...Object.keys(first.values), ...Object.keys(first.absent)])].sort((a, b) =>
      a.localeCompare(b, 'en', { numeric: true }),
    ),
  }
  const where = toStdout ? 'standard output' : options.out
  const progress = new Progress(options.quiet, header.startedAtMs)
  let count = 0

  return new Promise<number>((resolve) => {
    let done = false
    let sampler: TelemetrySampler | undefined
    let unsubscribe: (() => void) | undefined
    let timer: Deadline | undefined

    // Ends the recording once: later snapshots already queued to the event loop are dropped,
    // so the file ends on the last whole line.
    const finish = (code: number, why: string) => {
      if (done) return
      done = true
      timer?.clear()
      unsubscribe?.()
      sampler?.stop()
      process.off('SIGINT', onInt)
      process.off('SIGTERM', onTerm)
      if (!toStdout) closeSync(fd)
      lock?.release()
      progress.update(count, true)
      progress.finish(`${why}: wrote ${count} snapshots to ${where}`)
      resolve(code)
    }
    const write = (line: string): boolean => {
      try {
        writeSync(fd, `${line}\n`)
        return true
      } catch (err) {
        // The reader of standard output went away (`gamesa record --out - | head`): an
        // ordinary end, as for other Unix filters, not an error.
        if (toStdout && (err as NodeJS.ErrnoException).code === 'EPIPE') {
          finish(0, 'output closed')
          return false
        }
        // Reported even with --quiet: a failed write is an error, not progress.
        console.error(`gamesa record: writing ${where} failed: ${err instanceof Error ? err.message : String(err)}`)
        finish(1, 'stopped')
        return false
      }
    }
    const onInt = () => finish(130, 'interrupted')
    const onTerm = () => finish(143, 'terminated')
    process.on('SIGINT', onInt)
    process.on('SIGTERM', onTerm)

    if (!write(JSON.stringify(header))) return
    sampler = new TelemetrySampler({ rateHz: options.rateHz })
    unsubscribe = sampler.subscribe((snapshot: TelemetrySnapshot) => {
      if (done) return
      if (!write(JSON.stringify(snapshot))) return
      count++
      progress.update(count)
    })
    if (options.durationMs !== undefined) timer = new Deadline(options.durationMs, () => finish(0, 'done'))
  })
}

export const recordCommand: Command = {
  name: 'record',
  summary: 'sample telemetry at a fixed rate into an NDJSON trace file',
  run,
}
