// `gamesa replay`: a recorded trace through the engine, open loop, writing every tick's
// decisions as NDJSON. The output depends only on the config and the trace: two runs, in two
// processes, give byte-identical files (tested by hash in __test__/cli_replay.test.ts).
import { readFileSync } from 'node:fs'
import { GamesaError, replayTrace } from '../index.js'
import type { Command } from './commands.js'
import { StderrProgress } from './stderr_progress.js'
import { UsageError, commandOptions, optionValue } from './telemetry_options.js'

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

function parseArgs(args: string[]): Options | 'help' {
  let trace: string | undefined
  let config: string | undefined
  let out: string | undefined
  let json = false
  let quiet = false
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    const next = () => args[++i]
    let value: string | undefined
    if (arg === '-h' || arg === '--help') return 'help'
    if (arg === '--json') json = true
    else if (arg === '--quiet' || arg === '-q') quiet = true
    else if ((value = optionValue(arg, '--config', next)) !== undefined) config = value
    else if ((value = optionValue(arg, '--out', next)) !== undefined) out = value
    else if (arg.startsWith('-')) throw new UsageError(`unknown option '${arg}'`)
    else if (trace === undefined) trace = arg
    else throw new UsageError(`unexpected argument '${arg}' (one trace at a time)`)
  }
  if (trace === undefined) throw new UsageError('give the trace file to replay')
  if (config === undefined) throw new UsageError('--config <engine.json> is required')
  return { trace, config, out: out ?? `${trace.replace(/\.ndjson$/, '')}.decisions.ndjson`, json, quiet }
}

function run(args: string[]): number {
  const options = commandOptions('replay', HELP, args, parseArgs)
  if (typeof options === 'number') return options
  let config: string
  try {
    config = readFileSync(options.config, 'utf8')
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
