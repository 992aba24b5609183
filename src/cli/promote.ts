// `gamesa promote <proposal.json> --config <engine.json>`: a policy proposal through the
// promotion pipeline (validate → shadow → evaluate → promote), every step audited; the new
// configuration is written only when the proposal wins, the previous one kept for
// `gamesa promote --rollback`.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readDocument } from '../files.js'
import { GamesaError } from '../errors.js'
import { PromotionAudit } from '../guardian/promotion/audit.js'
import { latestPromotion, rollbackFile } from '../guardian/promotion/history.js'
import { shippedScenarioNames } from '../guardian/promotion/scenarios.js'
import { DEFAULT_EVALUATION_SEEDS, type PipelineOptions, type PipelineReport, judgeProposal, promote } from '../guardian/promotion/pipeline.js'
import { UsageError, parseCommandLine } from './args.js'
import type { Command } from './commands.js'
import { recordCommand } from './record.js'
import { StderrProgress } from './stderr_progress.js'
import { parseDuration } from './telemetry_options.js'

const HELP = `usage: gamesa promote <proposal.json> --config <engine.json> [--allow-loosen] [--dry-run]
                      [--seeds 1,2,3,4] [--scenarios <name,...>] [--max-duration <s>] [--margin <x>]
                      [--trace <trace.ndjson>]... [--live <time>] [--shadow-config <out.json>] [--audit <file>]
                      [--report <out.json>] [--json] [--quiet]
       gamesa promote --rollback --config <engine.json> [--audit <file>] [--json]

Takes a policy proposal (samples/policy_proposal.json; from gamesa learn, a language model or a
person) through four steps, in order, and stops at the first that fails:

  1. validate  the schema holds, every diff applies to the configuration, the configuration it
               makes is built by the engine (every expression compiled), and it loosens no gate
               limit, contract or safety rule (unless --allow-loosen, given by a person)
  2. shadow    the proposed rules run as shadow rules beside the active ones on every simulator
               scenario and on each --trace: recorded, scored, never acted on
  3. evaluate  the proposed and the active configuration in closed loop on every scenario with
               each seed: the reward's relative improvement, averaged per seed, must have a 95 %
               lower confidence bound over the seeds of at least --margin; no run may spend more
               time above a thermal limit or more energy over the power cap than the active
               configuration's run of the same scenario and seed; and no line of the backtest
               suite's table (gamesa backtest --all) the active configuration meets may be lost
  4. promote   the new configuration replaces --config (written atomically); the previous one is
               kept in .<config>.promotions/ for --rollback

A running engine picks the new file up at its next start; see docs/guardian.md for replacing the
rules of a running one. Every step is one record in the hash-chained audit file (default
<config>.audit.ndjson; gamesa status and verifyAuditFile check it).

options:
  --config <file>        the active engine configuration (required)
  --allow-loosen         a person allows the proposal to loosen gate limits, contracts or safety rules
  --dry-run              judge only: run every step, write no configuration
  --seeds <list>         scenario seeds to evaluate on, comma-separated (default ${DEFAULT_EVALUATION_SEEDS.join(',')})
  --scenarios <list>     shipped scenario names or scenario files, comma-separated (default: all shipped)
  --max-duration <s>     cut each scenario to at most this many simulated seconds (default: full)
  --margin <x>           least relative reward improvement the bound must clear (default 0.01 = 1 %)
  --trace <file>         a recorded trace (gamesa record) to shadow the proposed rules on; repeatable
  --live <time>          also shadow them live: this machine's telemetry, sampled at the
                         configuration's tick rate for this long (e.g. 60s), first
  --shadow-config <out>  write the active configuration with the proposed rules in shadow, to run
                         them live in shadow: gamesa run --config <out>
  --audit <file>         the audit file (default <config>.audit.ndjson)
  --report <out.json>    write the pipeline's full report (every run's figures) as JSON
  --rollback             restore the configuration the last promotion replaced
  --json                 print the report as JSON on standard output
  --quiet                no progress on standard error (shown only on a terminal)
  -h, --help             show this help

exit codes: 0 promoted (with --dry-run: would be promoted; with --rollback: rolled back),
1 rejected (the reasons are printed, each with its step), an invalid --config, a locked audit
file or nothing to roll back, 2 usage error (or a file that cannot be read).`

interface Options {
  proposal?: string
  config: string
  rollback: boolean
  dryRun: boolean
  pipeline: PipelineOptions
  shadowConfig?: string
  /** How long to sample live telemetry for the shadow step, ms. */
  liveMs?: number
  audit?: string
  report?: string
  json: boolean
  quiet: boolean
}

function list(value: string | undefined, what: string): string[] | undefined {
  if (value === undefined) return undefined
  const items = value.split(',').map((s) => s.trim())
  if (items.some((s) => s.length === 0)) throw new UsageError(`${what} is a comma-separated list without empty items, got '${value}'`)
  return items
}

function parseOptions(args: string[]): Options | number {
  const options = {
    config: { type: 'string' },
    rollback: { type: 'boolean' },
    'allow-loosen': { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    seeds: { type: 'string' },
    scenarios: { type: 'string' },
    'max-duration': { type: 'string' },
    margin: { type: 'string' },
    trace: { type: 'string', multiple: true },
    live: { type: 'string' },
    'shadow-config': { type: 'string' },
    audit: { type: 'string' },
    report: { type: 'string' },
    json: { type: 'boolean' },
    quiet: { type: 'boolean', short: 'q' },
  } as const
  return parseCommandLine('promote', HELP, args, { options, positionals: true }, (line): Options => {
    const config = line.string('config')
    if (config === undefined || config === '') throw new UsageError('--config <engine.json> is required')
    const rollback = line.flag('rollback')
    if (rollback && line.positionals.length > 0) throw new UsageError('--rollback takes no proposal')
    if (!rollback && line.positionals.length !== 1) throw new UsageError(line.positionals.length === 0 ? 'no proposal given' : 'one proposal at a time')
    const pipeline: PipelineOptions = { allowLoosen: line.flag('allow-loosen') }
    const seeds = list(line.string('seeds'), '--seeds')
    if (seeds) {
      pipeline.seeds = seeds.map((s) => {
        if (!/^\d{1,15}$/.test(s)) throw new UsageError(`--seeds: '${s}' is not a whole number from 0 to 999999999999999`)
        return Number(s)
      })
      if (new Set(pipeline.seeds).size !== pipeline.seeds.length) throw new UsageError('--seeds lists a seed twice')
    }
    const scenarios = list(line.string('scenarios'), '--scenarios')
    if (scenarios) pipeline.scenarios = scenarios.map(readScenario)
    const maxDuration = line.string('max-duration')
    if (maxDuration !== undefined) {
      const n = Number(maxDuration)
      if (!(n > 0) || !Number.isFinite(n)) throw new UsageError(`--max-duration must be a positive number of seconds, got '${maxDuration}'`)
      pipeline.maxDurationS = n
    }
    const margin = line.string('margin')
    if (margin !== undefined) {
      const n = Number(margin)
      if (margin.trim() === '' || !Number.isFinite(n) || n < 0) throw new UsageError(`--margin must be a number >= 0, got '${margin}'`)
      pipeline.margin = n
    }
    const traces = line.strings('trace')
    if (traces.length > 0) pipeline.traces = traces
    const live = line.string('live')
    if (rollback && (seeds || scenarios || traces.length > 0 || live !== undefined || line.flag('dry-run') || line.flag('allow-loosen'))) {
      throw new UsageError('--rollback restores the previous configuration: it takes only --config, --audit and --json')
    }
    const parsed: Options = { config, rollback, dryRun: line.flag('dry-run'), pipeline, json: line.flag('json'), quiet: line.flag('quiet') }
    if (line.positionals[0] !== undefined) parsed.proposal = line.positionals[0]
    if (live !== undefined) parsed.liveMs = parseDuration('--live', live)
    const shadowConfig = line.string('shadow-config')
    if (shadowConfig !== undefined) parsed.shadowConfig = shadowConfig
    const audit = line.string('audit')
    if (audit !== undefined) parsed.audit = audit
    const report = line.string('report')
    if (report !== undefined) parsed.report = report
    return parsed
  })
}

function readScenario(s: string): string {
  if (!s.endsWith('.json')) {
    const names = shippedScenarioNames()
    if (!names.includes(s)) throw new UsageError(`--scenarios: '${s}' is not a shipped scenario (${names.join(', ')}) nor a .json file`)
    return s
  }
  try {
    return readDocument(s, 'scenario')
  } catch (err) {
    throw new UsageError(`cannot read scenario '${s}': ${(err as Error).message}`)
  }
}

async function run(args: string[]): Promise<number> {
  let options: Options | number
  try {
    options = parseOptions(args)
  } catch (err) {
    if (!(err instanceof UsageError)) throw err
    console.error(`gamesa promote: ${err.message}\n\n${HELP}`)
    return 2
  }
  if (typeof options === 'number') return options
  let configText: string
  try {
    configText = readDocument(options.config, 'config')
  } catch (err) {
    console.error(`gamesa promote: cannot read config '${options.config}': ${(err as Error).message}`)
    return 2
  }
  let liveDir: string | undefined
  try {
    if (options.liveMs !== undefined && !options.rollback) {
      liveDir = mkdtempSync(join(tmpdir(), 'gamesa-promote-live-'))
      const trace = join(liveDir, 'live.ndjson')
      const code = await recordLive(trace, options.liveMs, configText, options.quiet)
      if (code !== 0) return code
      options.pipeline.traces = [...(options.pipeline.traces ?? []), trace]
    }
    return options.rollback ? rollback(options) : judge(options, configText)
  } catch (err) {
    if (!(err instanceof GamesaError)) throw err
    console.error(`gamesa promote: ${err.code}: ${err.message}`)
    return 1
  } finally {
    if (liveDir !== undefined) rmSync(liveDir, { recursive: true, force: true })
  }
}

/** Samples this machine's telemetry into `trace` for `ms`, at the configuration's tick rate (as `gamesa record`). */
async function recordLive(trace: string, ms: number, configText: string, quiet: boolean): Promise<number> {
  const tickMs = (JSON.parse(configText) as { tickMs?: unknown }).tickMs
  const rateHz = Math.min(1000, Math.max(0.1, 1000 / (typeof tickMs === 'number' && tickMs > 0 ? tickMs : 100)))
  if (!quiet) process.stderr.write(`shadow: sampling live telemetry for ${ms / 1000} s at ${rateHz} Hz…\n`)
  const code = await recordCommand.run(['--out', trace, '--rate', String(rateHz), '--duration', `${ms}ms`, '--quiet'])
  if (code !== 0) console.error(`gamesa promote: --live: sampling telemetry failed (gamesa record exit code ${code})`)
  return code
}

function rollback(options: Options): number {
  if (latestPromotion(options.config) === null) {
    console.error(`gamesa promote: ${options.config}: no promotion to roll back`)
    return 1
  }
  const audit = new PromotionAudit(options.audit ?? `${options.config}.audit.ndjson`)
  try {
    audit.requireWrite(options.config)
    const entry = rollbackFile(options.config)
    audit.step('rollback', 'done', entry.proposalId, { historySeq: entry.seq })
    if (options.json) console.log(JSON.stringify({ rolledBack: true, proposalId: entry.proposalId, historySeq: entry.seq }))
    else console.log(`${options.config}: promotion ${entry.seq} (${entry.proposalId}) rolled back; the configuration it replaced is active again`)
    return 0
  } finally {
    audit.close()
  }
}

function judge(options: Options, configText: string): number {
  let proposalText: string
  try {
    proposalText = readDocument(options.proposal!, 'proposal')
  } catch (err) {
    console.error(`gamesa promote: cannot read proposal '${options.proposal}': ${(err as Error).message}`)
    return 2
  }
  const progress = new StderrProgress(options.quiet)
  const pipeline: PipelineOptions = {
    ...options.pipeline,
    onProgress: (step, done, total, label) => progress.update(`${step}: ${done}/${total} simulator runs (${label})`),
  }
  let report: PipelineReport
  let promoted = false
  let shadowConfig: string | undefined
  try {
    if (options.dryRun) {
      const audit = new PromotionAudit(options.audit ?? `${options.config}.audit.ndjson`)
      try {
        const outcome = judgeProposal(proposalText, configText, pipeline, audit)
        report = outcome.report
        shadowConfig = outcome.shadowConfig
      } finally {
        audit.close()
      }
    } else {
      const result = promote(proposalText, options.config, { ...pipeline, ...(options.audit ? { auditPath: options.audit } : {}) })
      report = result.report
      promoted = result.promoted
      shadowConfig = result.shadowConfig
    }
  } finally {
    progress.done()
  }
  if (options.shadowConfig !== undefined && shadowConfig !== undefined) writeFileSync(options.shadowConfig, shadowConfig)
  if (options.report !== undefined) writeFileSync(options.report, `${JSON.stringify(report, null, 2)}\n`)
  if (options.json) {
    console.log(JSON.stringify({ promoted, dryRun: options.dryRun, ...report }))
  } else {
    console.log(summary(report, promoted, options))
  }
  return report.wins ? 0 : 1
}

function summary(report: PipelineReport, promoted: boolean, options: Options): string {
  const id = report.proposalId ?? '(no id)'
  const out: string[] = []
  const ev = report.evaluation
  if (ev) {
    out.push(`reward per seed (active → proposed):`)
    for (const s of ev.perSeed) out.push(`  seed ${s.seed}: ${s.active.toFixed(4)} → ${s.proposed.toFixed(4)} (${(s.improvement * 100).toFixed(2)} %)`)
    out.push(`mean improvement ${(ev.meanImprovement * 100).toFixed(2)} %, 95 % lower bound ${(ev.lowerBound * 100).toFixed(2)} % (margin ${(ev.margin * 100).toFixed(2)} %)`)
  }
  if (report.wins) {
    out.push(promoted ? `${id}: promoted; ${options.config} written (gamesa promote --rollback --config ${options.config} restores the previous one)` : `${id}: would be promoted (dry run; nothing written)`)
  } else {
    out.push(`${id}: rejected at ${report.failedStep}:`)
    for (const r of report.reasons) out.push(`  ${r.step}: ${r.path ? `${r.path}: ` : ''}${r.message}`)
  }
  return out.join('\n')
}

export const promoteCommand: Command = {
  name: 'promote',
  summary: 'take a policy proposal through validate → shadow → evaluate → promote, audited; or --rollback',
  run,
}
