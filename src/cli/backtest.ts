// `gamesa backtest`: a policy (an engine config) in closed loop with the plant simulator on a
// scenario, beside a baseline, with a summary table and an optional self-contained HTML report.
import { writeFileSync } from 'node:fs'
import { readDocument } from '../files.js'
import { type BacktestReport, GamesaError, builtinScenarios, renderBacktestReport, runBacktest, runBacktestSuite } from '../index.js'
import { suiteTable } from './backtest_suite.js'
import { experienceHelp, openExperience } from './experience_option.js'
import { recordBacktest } from '../guardian/experience/index.js'
import type { Command } from './commands.js'
import { StderrProgress } from './stderr_progress.js'
import { UsageError, parseCommandLine } from './args.js'

const HELP_TEXT = `usage: gamesa backtest --scenario <name|file> --config <engine.json> [--baseline none|static]
                       [--report <report.html>] [--experience <file>] [--json] [--quiet]
       gamesa backtest --all --config <engine.json> [--json] [--quiet]
       gamesa backtest --list

Runs the engine in closed loop with the deterministic plant simulator: each simulated tick the
engine sees the plant's telemetry, and its approved actions (power limits, CPU weights, quotas,
pinning, frequency caps) change what the plant does next. The same scenario also runs under a
baseline, and a table compares them: seconds above thermal limits, power-cap overshoot, the
priority workload's deadline misses and throughput, total throughput, actions applied and
rejected. Same inputs, same numbers, every time.

With --all, every shipped scenario runs under the policy, the static settings and with nothing
done, and one line per scenario says whether the policy meets every line: safe (0 s above
thermal limits, 0 W·s over the power cap), priority deadline misses <= the static settings',
priority throughput >= the static settings' and >= 95 % of the nothing-done run's where that
run is safe, total throughput >= 97 % of the static settings'.

options:
  --scenario <s>    a shipped scenario name (see --list) or a scenario JSON file
  --config <file>   engine configuration (required; see samples/engine.json)
  --baseline <b>    none: nothing is changed; static: the scenario's static settings (default none)
  --report <file>   also write a self-contained HTML report with charts (opens offline)
EXPERIENCE_HELP_HERE
  --json            print the whole report (summaries and series) as JSON on standard output
  --all             run the suite over every shipped scenario (with --config; --json for the rows)
  --list            print the shipped scenarios, one per line: name, then description
  --quiet           no progress on standard error (shown only on a terminal)
  -h, --help        show this help

exit codes: 0 done, 1 invalid scenario or config (the message names the JSON path), or the
experience store is another writer's (EXPERIENCE_LOCKED) or not a store, 2 usage error.`
const HELP = HELP_TEXT.replace('EXPERIENCE_HELP_HERE', experienceHelp(20))

interface Options {
  /** A scenario, or every shipped one (`--all`). */
  scenario: string | 'all'
  all: boolean
  config: string
  baseline: 'none' | 'static'
  report?: string
  experience?: string
  json: boolean
  quiet: boolean
}

function parseOptions(args: string[]): Options | 'list' | number {
  const options = {
    scenario: { type: 'string' },
    config: { type: 'string' },
    baseline: { type: 'string' },
    report: { type: 'string' },
    experience: { type: 'string' },
    json: { type: 'boolean' },
    list: { type: 'boolean' },
    all: { type: 'boolean' },
    quiet: { type: 'boolean', short: 'q' },
  } as const
  return parseCommandLine('backtest', HELP, args, { options }, (line): Options | 'list' => {
    if (line.flag('list')) return 'list'
    const baseline = line.string('baseline') ?? 'none'
    if (baseline !== 'none' && baseline !== 'static') throw new UsageError(`--baseline must be none or static, got '${baseline}'`)
    const all = line.flag('all')
    const scenario = line.string('scenario')
    if (all && scenario !== undefined) throw new UsageError('--all runs every shipped scenario: give it or --scenario, not both')
    if (all && (line.string('report') !== undefined || line.string('baseline') !== undefined || line.string('experience') !== undefined)) {
      throw new UsageError('--all compares with both baselines and writes no HTML report or experience: drop --baseline, --report and --experience')
    }
    if (!all && scenario === undefined) throw new UsageError('--scenario <name|file> (or --all) is required (gamesa backtest --list shows the names)')
    const config = line.string('config')
    if (config === undefined) throw new UsageError('--config <engine.json> is required')
    return { scenario: scenario ?? 'all', all, config, baseline, report: line.string('report'), experience: line.string('experience'), json: line.flag('json'), quiet: line.flag('quiet') }
  })
}

const ROWS: [keyof BacktestReport['runs'][number]['summary'], string, number][] = [
  ['secondsAboveThermalLimit', 'seconds above thermal limits', 1],
  ['powerCapOvershootS', 'power-cap overshoot (s)', 1],
  ['powerCapOvershootWs', 'power-cap overshoot (W·s)', 0],
  ['priorityDeadlineMisses', 'priority deadline misses', 0],
  ['priorityThroughput', 'priority throughput', 1],
  ['totalThroughput', 'total throughput', 1],
  ['actionsApplied', 'actions applied', 0],
  ['actionsRejected', 'actions rejected', 0],
]

/** The summary table, policy and baseline side by side. */
export function summaryTable(report: BacktestReport): string {
  const runs = report.runs
  const head = ['metric', ...runs.map((r) => (r.label === 'baseline' ? `baseline (${r.baseline ?? 'none'})` : r.label))]
  const rows = ROWS.map(([key, label, digits]) => [label, ...runs.map((r) => Number(r.summary[key]).toFixed(digits))])
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n')
}

function readScenario(scenario: string): string {
  if (builtinScenarios().some((s) => s.name === scenario)) return scenario
  try {
    return readDocument(scenario, 'scenario')
  } catch (err) {
    const names = builtinScenarios()
      .map((s) => s.name)
      .join(', ')
    throw new UsageError(`'${scenario}' is neither a shipped scenario (${names}) nor a readable file: ${(err as Error).message}`)
  }
}

function run(args: string[]): number {
  const options = parseOptions(args)
  if (typeof options === 'number') return options
  if (options === 'list') {
    for (const s of builtinScenarios()) console.log(`${s.name}\t${s.description}`)
    return 0
  }
  if (options.all) return runAll(options)
  let scenario: string
  let config: string
  try {
    scenario = readScenario(options.scenario)
    config = readConfig(options.config)
  } catch (err) {
    return usageError(err)
  }
  const writer = options.experience === undefined ? undefined : openExperience('backtest', options.experience)
  if (typeof writer === 'number') return writer
  let report: BacktestReport | number
  try {
    report = simulate(options.quiet, `simulating ${options.scenario}: policy and baseline (${options.baseline})…`, () =>
      writer === undefined ? runBacktest(scenario, config, options.baseline) : recordBacktest(writer, scenario, config, options.baseline).report,
    )
  } finally {
    writer?.close()
  }
  if (typeof report === 'number') return report
  if (options.report !== undefined) {
    try {
      writeFileSync(options.report, renderBacktestReport(report))
    } catch (err) {
      console.error(`gamesa backtest: cannot write report '${options.report}': ${(err as Error).message}`)
      return 2
    }
  }
  if (options.json) {
    console.log(JSON.stringify(report))
  } else {
    console.log(`scenario ${report.scenario.name}: ${report.scenario.durationS} s simulated at ${report.scenario.tickMs} ms per tick`)
    console.log(summaryTable(report))
    if (options.report !== undefined) console.log(`report: ${options.report}`)
    if (options.experience !== undefined) console.log(`experience: ${report.runs[0]?.summary.ticks ?? 0} ticks recorded in ${options.experience}`)
  }
  return 0
}

/** `--all`: the suite over every shipped scenario. */
function runAll(options: Options): number {
  let config: string
  try {
    config = readConfig(options.config)
  } catch (err) {
    return usageError(err)
  }
  const rows = simulate(options.quiet, `simulating ${builtinScenarios().length} scenarios: policy, static settings, nothing done…`, () =>
    runBacktestSuite(config),
  )
  if (typeof rows === 'number') return rows
  console.log(options.json ? JSON.stringify(rows) : suiteTable(rows))
  return 0
}

/** The config's text, or a UsageError saying why it cannot be read. */
function readConfig(path: string): string {
  try {
    return readDocument(path, 'config')
  } catch (err) {
    throw new UsageError(`cannot read config '${path}': ${(err as Error).message}`)
  }
}

/** Prints a UsageError with the help and returns exit code 2; anything else is rethrown. */
function usageError(err: unknown): number {
  if (!(err instanceof UsageError)) throw err
  console.error(`gamesa backtest: ${err.message}\n\n${HELP}`)
  return 2
}

/** Runs `work` with progress on standard error; a GamesaError is printed and gives exit code 1. */
function simulate<T>(quiet: boolean, message: string, work: () => T): T | number {
  const progress = new StderrProgress(quiet)
  progress.update(message, true)
  let result: T
  try {
    result = work()
  } catch (err) {
    progress.done()
    if (!(err instanceof GamesaError)) throw err
    console.error(`gamesa backtest: ${err.code}: ${err.message}`)
    return 1
  }
  progress.done()
  return result
}

export const backtestCommand: Command = {
  name: 'backtest',
  summary: 'closed-loop backtest of an engine config on a simulated scenario vs a baseline (--report html; --all: every scenario, both baselines)',
  run,
}
