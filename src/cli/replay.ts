// `gamesa replay`: a recorded trace through the engine, open loop, writing every tick's
// decisions as NDJSON. The output depends only on the config and the trace: two runs, in two
// processes, give byte-identical files (tested by hash in __test__/cli_replay.test.ts).
import { readDocument } from '../files.js'
import { GamesaError, replayTrace } from '../index.js'
import type { Command } from './commands.js'
import { StderrProgress } from './stderr_progress.js'
import { experienceHelp, openExperience } from './experience_option.js'
import { recordReplay } from '../guardian/experience/index.js'
import { UsageError, parseCommandLine } from './args.js'

const HELP_TEXT = `usage: gamesa replay <trace.ndjson> --config <engine.json> [--out <decisions.ndjson>]
                     [--experience <file>] [--json] [--quiet]

Runs a trace recorded by \`gamesa record\` through the engine, one tick per snapshot, at the
snapshot's own timestamps (open loop: decisions do not change the recorded machine). Writes a
header line {"format":"gamesa-decisions","version":1,..}, then one tick output per line
(features, signals, firings, market, scored/approved/rejected actions, contracts, audit).
The same config and trace always give byte-identical output.

options:
  --config <file>   engine configuration (required; see samples/engine.json)
  --out <file>      where to write the decisions (default: <trace>.decisions.ndjson)
EXPERIENCE_HELP_HERE
  --json            print the summary as JSON on standard output
  --quiet           no progress on standard error (progress is shown only on a terminal)
  -h, --help        show this help

exit codes: 0 done, 1 the trace or config is invalid (message names the line or JSON path),
or the experience store is another writer's (EXPERIENCE_LOCKED) or not a store, 2 usage error.`
const HELP = HELP_TEXT.replace('EXPERIENCE_HELP_HERE', experienceHelp(20))

interface Options {
  trace: string
  config: string
  out: string
  experience?: string
  json: boolean
  quiet: boolean
}

function parseOptions(args: string[]): Options | number {
  const options = {
    config: { type: 'string' },
    out: { type: 'string' },
    experience: { type: 'string' },
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
    return { trace, config, out, experience: line.string('experience'), json: line.flag('json'), quiet: line.flag('quiet') }
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
  const writer = options.experience === undefined ? undefined : openExperience('replay', options.experience)
  if (typeof writer === 'number') return writer
  try {
    const replayOptions = {
      onProgress: (read: number, total: number, ticks: number) => {
        const pct = total > 0 ? ` (${((100 * read) / total).toFixed(0)} %)` : ''
        progress.update(`replayed ${ticks} ticks${pct}`)
      },
    }
    const summary =
      writer === undefined ? replayTrace(config, options.trace, options.out, replayOptions) : recordReplay(writer, config, options.trace, options.out, replayOptions).summary
    writer?.close()
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
          ...(options.experience === undefined ? [] : [`  experience: ${summary.ticks} ticks recorded in ${options.experience}`]),
        ].join('\n'),
      )
    }
    return 0
  } catch (err) {
    progress.done()
    writer?.close()
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
