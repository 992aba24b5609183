// `gamesa replay`: a recorded trace through the engine, open loop, writing every tick's
// decisions as NDJSON. The output depends only on the config and the trace: two runs, in two
// processes, give byte-identical files (tested by hash in __test__/cli_replay.test.ts).
import { readDocument } from '../files.js'
import { GamesaError, replayTrace } from '../index.js'
import type { Command } from './commands.js'
import { StderrProgress } from './stderr_progress.js'
import { UsageError, parseCommandLine } from './args.js'

const HELP = `usage: gamesa replay <trace.ndjson> --config <engine.json> [--out <decisions.ndjson>] [--json] [--quiet]

Runs a trace recorded by \`gamesa record\` through the engine, one tick per snapshot, at the
snapshot's own timestamps (open loop: decisions do not change the recorded machine). Writes a
header line {"format":"gamesa-decisions","version":1,..}, then one tick output per line
(features, signals, firings, market, scored/approved/rejected actions, contracts, audit).
The same config and trace always give byte-identical output.

options:
  --config <file>   engine configuration (required; see samples/engine.json)
  --out <file>      where to write the decisions (default: <trace>.decisions.ndjson)
  --json            print the summary as JSON on standard output
  --quiet           no progress on standard error (progress is shown only on a terminal)
  -h, --help        show this help

exit codes: 0 done, 1 the trace or config is invalid (message names the line or JSON path),
2 usage error.`

interface Options {
  trace: string
  config: string
  out: string
  json: boolean
  quiet: boolean
}

function parseOptions(args: string[]): Options | number {
  const options = {
    config: { type: 'string' },
    out: { type: 'string' },
    json: { type: 'boolean' },
    quiet: { type: 'boolean', short: 'q' },
  } as const
  return parseCommandLine('replay', HELP, args, { options, positionals: true }, (line) => {
    const [trace, extra] = line.positionals
    if (trace === undefined) throw new UsageError('give the trace file to replay')
    if (extra !== undefined) throw new UsageError(`unexpected argument '${extra}' (one trace at a time)`)
    const config = line.string('config')
    if (config === undefined) throw new UsageError('--config <engine.json> is required')
    const out = line.string('out') ?? `${trace.replace(/\.ndjson$/, '')}.decisions.ndjson`
    return { trace, config, out, json: line.flag('json'), quiet: line.flag('quiet') }
  })
}

function run(args: string[]): number {
  const options = parseOptions(args)
  if (typeof options === 'number') return options
  let config: string
  try {
    config = readDocument(options.config, 'config')
  } catch (err) {
    console.error(`gamesa replay: cannot read config '${options.config}': ${(err as Error).message}`)
    return 2
  }
  const progress = new StderrProgress(options.quiet)
  const started = performance.now()
  try {
    const summary = replayTrace(config, options.trace, options.out, {
      onProgress: (read, total, ticks) => {
        const pct = total > 0 ? ` (${((100 * read) / total).toFixed(0)} %)` : ''
        progress.update(`replayed ${ticks} ticks${pct}`)
      },
    })
    progress.done()
    const seconds = (performance.now() - started) / 1000
    if (options.json) {
      console.log(JSON.stringify({ ...summary, out: options.out, seconds }))
    } else {
      const reasons = Object.entries(summary.rejectedByReason)
        .map(([r, n]) => `${r} ${n}`)
        .join(', ')
      console.log(
        [
          `replayed ${summary.ticks} ticks in ${seconds.toFixed(2)} s → ${options.out}`,
          `  approved ${summary.approved}, rejected ${summary.rejected}${reasons ? ` (${reasons})` : ''}`,
          `  firings ${summary.activeFirings} active, ${summary.shadowFirings} shadow; rule errors ${summary.ruleErrors}`,
          `  emergency ticks ${summary.emergencyTicks}, contract violations ${summary.contractViolations}, audit records ${summary.auditRecords}`,
        ].join('\n'),
      )
    }
    return 0
  } catch (err) {
    progress.done()
    if (err instanceof GamesaError) {
      console.error(`gamesa replay: ${err.code}: ${err.message}`)
      return 1
    }
    throw err
  }
}

export const replayCommand: Command = {
  name: 'replay',
  summary: 'run a recorded trace through the engine (open loop), decisions as NDJSON',
  run,
}
