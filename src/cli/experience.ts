// `gamesa experience stats|export`: what an experience store holds, and its ticks as NDJSON or
// CSV for other tools.
import { writeSync } from 'node:fs'
import { GamesaError } from '../errors.js'
import { ExperienceReader, type ExperienceQuery, type ExperienceStats, exportExperience, exportExperienceParquet } from '../guardian/experience/index.js'
import type { Command } from './commands.js'
import { UsageError, parseCommandLine } from './args.js'

const HELP = `usage: gamesa experience stats <file> [--json]
       gamesa experience export <file> --format ndjson|csv [--run <id>] [--rule <id>] [--action <kind>]
                                [--from <ms>] [--to <ms>] [--limit <n>]
       gamesa experience export <file> --format parquet --out <file.parquet> [filters as above]

An experience store is the SQLite file that gamesa run, replay and backtest write with
--experience <file>: per engine tick, the state (features and the variables the rules read),
the actions approved and rejected with what became of them, and the reward the config's
reward expression gave on the next tick.

stats    rows (ticks), runs, time span, reward (count, mean, min, max), actions by outcome,
         rule firings, emergency ticks, and each run's source and ticks. --json for scripts
         (the object has "rows").
export   writes the ticks to standard output: ndjson, one tick per line as the query API
         returns it; csv, one tick per row with a column per feature and variable;
         parquet (to --out, through DuckDB), one row per tick with the NDJSON fields as
         columns (state, actions and firings as structs and lists), for DuckDB, Spark or
         pandas over a fleet's stores (docs/fleet.md). The filters select ticks of one run, where a rule fired or proposed, with an action of
         a kind, or in a time range (ms, [from, to)).

Reading needs no lock: a store can be read while gamesa run writes it.

exit codes: 0 done, 1 not an experience store (EXPERIENCE_INVALID) or unreadable, 2 usage error.`

interface Options {
  action: 'stats' | 'export'
  file: string
  json: boolean
  format?: 'ndjson' | 'csv' | 'parquet'
  /** Where --format parquet writes. */
  out?: string
  query: ExperienceQuery
}

function number(name: string, text: string | undefined, integer: boolean): number | undefined {
  if (text === undefined) return undefined
  const n = Number(text)
  if (text.trim() === '' || !Number.isFinite(n) || (integer && (!Number.isInteger(n) || n < 0))) {
    throw new UsageError(`${name} needs ${integer ? 'a whole number >= 0' : 'a number'}, got '${text}'`)
  }
  return n
}

function parseOptions(args: string[]): Options | number {
  const options = {
    json: { type: 'boolean' },
    format: { type: 'string' },
    out: { type: 'string' },
    run: { type: 'string' },
    rule: { type: 'string' },
    action: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    limit: { type: 'string' },
  } as const
  return parseCommandLine('experience', HELP, args, { options, positionals: true }, (line): Options => {
    const [action, file, extra] = line.positionals
    if (action !== 'stats' && action !== 'export') throw new UsageError(action === undefined ? 'give stats or export' : `unknown action '${action}' (stats or export)`)
    if (file === undefined) throw new UsageError('give the experience file')
    if (extra !== undefined) throw new UsageError(`unexpected argument '${extra}'`)
    const format = line.string('format')
    const filters = ['run', 'rule', 'action', 'from', 'to', 'limit'].filter((k) => line.string(k) !== undefined)
    const out = line.string('out')
    if (action === 'stats') {
      if (format !== undefined || out !== undefined || filters.length > 0) throw new UsageError(`stats takes only --json (--${format !== undefined ? 'format' : out !== undefined ? 'out' : filters[0]} is for export)`)
      return { action, file, json: line.flag('json'), query: {} }
    }
    if (line.flag('json')) throw new UsageError('export writes --format ndjson, csv or parquet; --json is for stats')
    if (format !== 'ndjson' && format !== 'csv' && format !== 'parquet') throw new UsageError(format === undefined ? '--format ndjson|csv|parquet is required' : `--format must be ndjson, csv or parquet, got '${format}'`)
    if (format === 'parquet' && (out === undefined || out === '')) throw new UsageError('--format parquet writes a file: give --out <file.parquet>')
    if (format !== 'parquet' && out !== undefined) throw new UsageError(`--out is for --format parquet; ${format} goes to standard output`)
    const query: ExperienceQuery = {}
    const run = number('--run', line.string('run'), true)
    if (run !== undefined) query.run = run
    const from = number('--from', line.string('from'), false)
    if (from !== undefined) query.fromMs = from
    const to = number('--to', line.string('to'), false)
    if (to !== undefined) query.toMs = to
    const limit = number('--limit', line.string('limit'), true)
    if (limit !== undefined) query.limit = limit
    const rule = line.string('rule')
    if (rule !== undefined) query.rule = rule
    const kind = line.string('action')
    if (kind !== undefined) query.action = kind
    return { action, file, json: false, format, query, ...(out === undefined ? {} : { out }) }
  })
}

function formatTime(ms: number | null): string {
  if (ms === null) return '–'
  // Live runs and traces carry epoch times; simulations start at 0.
  return ms > 1e11 ? new Date(ms).toISOString() : `${(ms / 1000).toFixed(1)} s`
}

/** The stats as text. */
export function statsText(s: ExperienceStats): string {
  const r = s.reward
  const lines = [
    `${s.path}: experience store, schema version ${s.schemaVersion}, ${(s.bytes / 1024).toFixed(0)} KiB used`,
    `  rows ${s.rows} in ${s.runs} run${s.runs === 1 ? '' : 's'}, from ${formatTime(s.firstMs)} to ${formatTime(s.lastMs)}`,
    `  reward: ${r.count} judged${r.mean === null ? '' : `, mean ${r.mean.toFixed(4)}, min ${r.min?.toFixed(4)}, max ${r.max?.toFixed(4)}`}`,
    `  actions: ${s.actions.approved} approved (${s.actions.applied} applied, ${s.actions.dryRun} dry run, ${s.actions.failed} failed), ${s.actions.rejected} rejected`,
    `  firings: ${s.firings.active} active, ${s.firings.shadow} shadow; emergency ticks ${s.emergencyTicks}`,
  ]
  for (const run of s.perRun) lines.push(`  run ${run.id}: ${run.source} · ${run.label} · ${run.ticks} ticks${run.reward ? ` · reward ${run.reward}` : ''}`)
  return lines.join('\n')
}

function run(args: string[]): number | Promise<number> {
  const options = parseOptions(args)
  if (typeof options === 'number') return options
  let reader: ExperienceReader
  try {
    reader = ExperienceReader.open(options.file)
  } catch (err) {
    if (err instanceof GamesaError) {
      console.error(`gamesa experience: ${err.code}: ${err.message}`)
      return 1
    }
    throw err
  }
  let closeLater: Promise<number> | undefined
  try {
    if (options.action === 'stats') {
      const stats = reader.stats()
      console.log(options.json ? JSON.stringify(stats) : statsText(stats))
    } else if (options.format === 'parquet') {
      const opened = reader
      const done = exportExperienceParquet(opened, options.out!, options.query).then(
        (ticks) => {
          console.error(`gamesa experience: wrote ${ticks} ticks to ${options.out}`)
          return 0
        },
        (err: unknown) => {
          if (!(err instanceof GamesaError)) throw err
          console.error(`gamesa experience: ${err.code}: ${err.message}`)
          return 1
        },
      )
      // Closed once the export has read it, not when this function returns.
      closeLater = done.finally(() => opened.close())
      return closeLater
    } else {
      exportExperience(reader, options.format ?? 'ndjson', (text) => writeAll(text), options.query)
    }
    return 0
  } catch (err) {
    if (err instanceof GamesaError) {
      console.error(`gamesa experience: ${err.code}: ${err.message}`)
      return 1
    }
    if ((err as NodeJS.ErrnoException).code === 'EPIPE') return 0
    throw err
  } finally {
    if (closeLater === undefined) reader.close()
  }
}

/** Writes all of `text` to standard output, synchronously (a pipe may take it in parts). */
function writeAll(text: string): void {
  const buffer = Buffer.from(text)
  let offset = 0
  while (offset < buffer.length) {
    try {
      offset += writeSync(1, buffer, offset)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EAGAIN') continue
      throw err
    }
  }
}

export const experienceCommand: Command = {
  name: 'experience',
  summary: 'what an experience store holds (stats) and its ticks as NDJSON, CSV or Parquet (export)',
  run,
}
