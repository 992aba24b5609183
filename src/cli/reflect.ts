// `gamesa reflect`: how the governor is doing, from its experience store (and audit trail):
// reward trend, rules, shadow rules, gate rejections, contract violations, actuation failures,
// and the top findings in words. Deterministic: the same store gives the same report.
import { writeFileSync } from 'node:fs'
import { GamesaError } from '../errors.js'
import { ExperienceReader } from '../guardian/experience/index.js'
import { type Reflection, reflect, reflectionText, renderReflectionHtml } from '../guardian/reflect/index.js'
import type { Command } from './commands.js'
import { StderrProgress } from './stderr_progress.js'
import { UsageError, parseCommandLine } from './args.js'

const HELP = `usage: gamesa reflect --experience <file> [--audit <file>] [--run <id>] [--window <ticks>]
                      [--html <out.html>] [--json] [--quiet]

Reads an experience store (written by gamesa run, replay or backtest with --experience) and
reports how the governor is doing:
  - the reward trend (the config's reward expression, judged one tick later);
  - each rule's firing rate, and the mean reward in the ticks before it starts firing and
    from then on;
  - each shadow rule's agreement with the active set (ticks where it fired exactly when an
    action of the same kind and target was approved) and its regret (mean reward when it
    fired and was followed, minus when it fired and was not: an observational estimate);
  - gate rejections by reason, contract violations, actuation failures;
  - with --audit, the audit trail's verification and its refusals;
  - the top findings, in words, safety first.
The same store and options always give the same report.

options:
  --experience <file>  the experience store (required)
  --audit <file>       an audit trail file to verify and summarise
  --run <id>           only this run of the store (gamesa experience stats lists them)
  --window <ticks>     ticks before and after a rule starts firing to compare (default 10)
  --html <file>        also write a self-contained HTML report (opens offline)
  --json               print the whole analysis as JSON on standard output
  --quiet              no progress on standard error (shown only on a terminal)
  -h, --help           show this help

exit codes: 0 done, 1 not an experience store (EXPERIENCE_INVALID) or unreadable, 2 usage error.`

interface Options {
  experience: string
  audit?: string
  run?: number
  window?: number
  html?: string
  json: boolean
  quiet: boolean
}

function wholeNumber(name: string, text: string | undefined, min: number): number | undefined {
  if (text === undefined) return undefined
  const n = Number(text)
  if (text.trim() === '' || !Number.isInteger(n) || n < min) throw new UsageError(`${name} needs a whole number >= ${min}, got '${text}'`)
  return n
}

function parseOptions(args: string[]): Options | number {
  const options = {
    experience: { type: 'string' },
    audit: { type: 'string' },
    run: { type: 'string' },
    window: { type: 'string' },
    html: { type: 'string' },
    json: { type: 'boolean' },
    quiet: { type: 'boolean', short: 'q' },
  } as const
  return parseCommandLine('reflect', HELP, args, { options }, (line): Options => {
    const experience = line.string('experience')
    if (experience === undefined || experience === '') throw new UsageError('--experience <file> is required')
    const window = wholeNumber('--window', line.string('window'), 1)
    if (window !== undefined && window > 100_000) throw new UsageError(`--window is at most 100000, got ${window}`)
    return {
      experience,
      audit: line.string('audit'),
      run: wholeNumber('--run', line.string('run'), 1),
      window,
      html: line.string('html'),
      json: line.flag('json'),
      quiet: line.flag('quiet'),
    }
  })
}

function run(args: string[]): number {
  const options = parseOptions(args)
  if (typeof options === 'number') return options
  const progress = new StderrProgress(options.quiet)
  let reflection: Reflection
  try {
    progress.update(`reading ${options.experience}…`, true)
    const reader = ExperienceReader.open(options.experience)
    try {
      reflection = reflect(reader, {
        ...(options.run === undefined ? {} : { run: options.run }),
        ...(options.audit === undefined ? {} : { audit: options.audit }),
        ...(options.window === undefined ? {} : { window: options.window }),
      })
    } finally {
      reader.close()
    }
  } catch (err) {
    progress.done()
    if (err instanceof GamesaError) {
      console.error(`gamesa reflect: ${err.code}: ${err.message}`)
      return 1
    }
    throw err
  }
  progress.done()
  if (options.run !== undefined && reflection.ticks === 0) {
    console.error(`gamesa reflect: run ${options.run} has no ticks in ${options.experience}`)
    return 1
  }
  if (options.html !== undefined) {
    try {
      writeFileSync(options.html, renderReflectionHtml(reflection))
    } catch (err) {
      console.error(`gamesa reflect: cannot write '${options.html}': ${(err as Error).message}`)
      return 2
    }
  }
  if (options.json) console.log(JSON.stringify(reflection))
  else {
    console.log(reflectionText(reflection))
    if (options.html !== undefined) console.log(`\nreport: ${options.html}`)
  }
  return 0
}

export const reflectCommand: Command = {
  name: 'reflect',
  summary: 'how the governor is doing, from an experience store: reward trend, rules, shadow rules, rejections, violations, findings (--html)',
  run,
}
