// `gamesa learn --config <engine.json> --out <dir>`: the policy generator. A seeded coordinate
// search over the configuration's thresholds, hysteresis bands, cooldowns, action parameters
// and bid valuations against the simulator scenarios, written as a policy proposal for
// `gamesa promote`.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { readDocument } from '../files.js'
import { GamesaError } from '../errors.js'
import { ExperienceReader } from '../guardian/experience/index.js'
import { type ThresholdHints, thresholdHints } from '../guardian/generator/experience_hints.js'
import { proposalFrom } from '../guardian/generator/proposal.js'
import { search } from '../guardian/generator/search.js'
import { shippedScenarioNames } from '../guardian/promotion/scenarios.js'
import { configSha256 } from '../guardian/proposals/validate.js'
import { checkEngineConfig } from '../engine.js'
import { UsageError, parseCommandLine } from './args.js'
import type { Command } from './commands.js'
import { StderrProgress } from './stderr_progress.js'

const DEFAULTS = { seed: 1, seeds: [1, 3, 5], maxDurationS: 60, budget: 60 }

const HELP = `usage: gamesa learn --config <engine.json> --out <dir> [--experience <store>] [--seed <n>] [--seeds 1,3,5]
       gamesa learn --experience <store> --out <dir> [...]
                    [--scenarios <name,...>] [--max-duration <s>] [--budget <n>] [--json] [--quiet]

Proposes a better configuration: a seeded coordinate search over the numbers a person would
tune — the thresholds and hysteresis bands in the rules' expressions, their cooldowns and action
parameters, the agents' bid valuations and amounts — scored by the reward (docs/guardian.md) of
closed-loop simulator runs on every scenario with each seed. Each round visits every parameter
in an order drawn from --seed and tries it ×f and ÷f (f = 2, then √2, then ⁴√2), repeating a kept
move while it pays; a move is kept only when the mean reward rises and no run is less safe
(more time above a thermal limit, more energy over the power cap) than under --config. At the
end, parameters are put back, newest first, while that wins back a line of the backtest suite's
table (gamesa backtest --all) that --config meets and the result does not.

With --experience (a store recorded by gamesa run, replay or backtest --experience), the first
round also tries each threshold at the 10/25/50/75/90 % quantiles of the recorded values of the
variable it is compared with, and the proposal cites the store as evidence. Without --config,
the configuration to improve is the one the store's last run was recorded under (each run
keeps its configuration); the proposal is based on it, so promote it against that file.

Rules in the safety domain, gate limits and contracts are never touched. The result is one
policy proposal (author "generator") in --out, to be judged by gamesa promote, which tests it
on other seeds; nothing is applied here. Same inputs, same proposal.

options:
  --config <file>      the engine configuration to improve (required without --experience)
  --out <dir>          where to write the proposal and learn-report.json (required; created)
  --experience <file>  an experience store whose recorded values give candidate thresholds
  --seed <n>           seed of the search order (default ${DEFAULTS.seed})
  --seeds <list>       scenario seeds to learn on, comma-separated (default ${DEFAULTS.seeds.join(',')})
  --scenarios <list>   shipped scenario names or scenario files (default: every shipped scenario)
  --max-duration <s>   cut each scenario to at most this many simulated seconds (default ${DEFAULTS.maxDurationS})
  --budget <n>         most configurations evaluated (default ${DEFAULTS.budget})
  --json               print { proposal, report } as JSON on standard output
  --quiet              no progress on standard error (shown only on a terminal)
  -h, --help           show this help

exit codes: 0 done (a proposal written, or none when no move paid: said so), 1 invalid
configuration or experience store, 2 usage error (or a file that cannot be read).`

interface Options {
  /** The configuration file; absent: the one the experience store's last run recorded. */
  config?: string
  out: string
  experience?: string
  seed: number
  seeds: number[]
  scenarios?: string[]
  maxDurationS: number
  budget: number
  json: boolean
  quiet: boolean
}

function wholeNumber(text: string, what: string, max = Number.MAX_SAFE_INTEGER): number {
  if (!/^\d{1,16}$/.test(text) || Number(text) > max) throw new UsageError(`${what} must be a whole number from 0 to ${max}, got '${text}'`)
  return Number(text)
}

function parseOptions(args: string[]): Options | number {
  const options = {
    config: { type: 'string' },
    out: { type: 'string' },
    experience: { type: 'string' },
    seed: { type: 'string' },
    seeds: { type: 'string' },
    scenarios: { type: 'string' },
    'max-duration': { type: 'string' },
    budget: { type: 'string' },
    json: { type: 'boolean' },
    quiet: { type: 'boolean', short: 'q' },
  } as const
  return parseCommandLine('learn', HELP, args, { options }, (line): Options => {
    const config = line.string('config')
    const experience = line.string('experience')
    if (experience === '') throw new UsageError('--experience needs a file')
    if (config === '' || (config === undefined && experience === undefined)) throw new UsageError('--config <engine.json> is required (or --experience <store>, whose last run recorded its configuration)')
    const out = line.string('out')
    if (!out) throw new UsageError('--out <dir> is required')
    const parsed: Options = { out, ...DEFAULTS, json: line.flag('json'), quiet: line.flag('quiet') }
    if (config !== undefined) parsed.config = config
    if (experience !== undefined) parsed.experience = experience
    const seed = line.string('seed')
    if (seed !== undefined) parsed.seed = wholeNumber(seed, '--seed', 0xffff_ffff)
    const seeds = line.string('seeds')
    if (seeds !== undefined) {
      parsed.seeds = seeds.split(',').map((s) => wholeNumber(s.trim(), '--seeds'))
      if (new Set(parsed.seeds).size !== parsed.seeds.length) throw new UsageError('--seeds lists a seed twice')
    }
    const scenarios = line.string('scenarios')
    if (scenarios !== undefined) {
      parsed.scenarios = scenarios.split(',').map((s) => {
        const name = s.trim()
        if (name === '') throw new UsageError(`--scenarios has an empty item: '${scenarios}'`)
        if (!name.endsWith('.json')) {
          const names = shippedScenarioNames()
          if (!names.includes(name)) throw new UsageError(`--scenarios: '${name}' is not a shipped scenario (${names.join(', ')}) nor a .json file`)
          return name
        }
        try {
          return readDocument(name, 'scenario')
        } catch (err) {
          throw new UsageError(`cannot read scenario '${name}': ${(err as Error).message}`)
        }
      })
    }
    const maxDuration = line.string('max-duration')
    if (maxDuration !== undefined) {
      const n = Number(maxDuration)
      if (maxDuration.trim() === '' || !(n > 0) || !Number.isFinite(n)) throw new UsageError(`--max-duration must be a positive number of seconds, got '${maxDuration}'`)
      parsed.maxDurationS = n
    }
    const budget = line.string('budget')
    if (budget !== undefined) parsed.budget = wholeNumber(budget, '--budget', 100_000)
    return parsed
  })
}

function run(args: string[]): number {
  const options = parseOptions(args)
  if (typeof options === 'number') return options
  let hints: ThresholdHints | undefined
  /** Where the configuration came from, for the messages and the report. */
  let configFrom: string | undefined = options.config
  let text: string | undefined
  if (options.experience !== undefined) {
    try {
      const reader = ExperienceReader.open(options.experience)
      try {
        hints = thresholdHints(reader.iterate())
        if (options.config === undefined) {
          const recorded = reader.runs().filter((r) => r.config !== undefined)
          const last = recorded[recorded.length - 1]
          if (last === undefined) {
            console.error(`gamesa learn: --experience ${options.experience}: no run in it recorded its configuration (stores written before schema 4 do not); give --config`)
            return 1
          }
          text = last.config
          configFrom = `run ${last.id} of ${options.experience} (${last.label})`
          if (!options.quiet) console.error(`gamesa learn: improving the configuration recorded with ${configFrom}, sha256 ${configSha256(last.config!)}`)
        }
      } finally {
        reader.close()
      }
    } catch (err) {
      if (!(err instanceof GamesaError)) throw err
      console.error(`gamesa learn: --experience ${options.experience}: ${err.code}: ${err.message}`)
      return err.code === 'IO_ERROR' ? 2 : 1
    }
  }
  if (text === undefined) {
    try {
      text = readDocument(options.config!, 'config')
    } catch (err) {
      console.error(`gamesa learn: cannot read config '${options.config}': ${(err as Error).message}`)
      return 2
    }
  }
  const problems = checkEngineConfig(text)
  if (problems.length > 0) {
    console.error(`gamesa learn: ${configFrom} is not a valid engine configuration:`)
    for (const p of problems) console.error(`  ${p.path}: ${p.message}`)
    return 1
  }
  const progress = new StderrProgress(options.quiet)
  let result
  try {
    result = search(JSON.parse(text) as Record<string, unknown>, {
      seed: options.seed,
      seeds: options.seeds,
      maxDurationS: options.maxDurationS,
      budget: options.budget,
      ...(options.scenarios ? { scenarios: options.scenarios } : {}),
      ...(hints ? { hints } : {}),
      onProgress: (n, budget, best, note) => progress.update(`learn: ${n}/${budget} configurations, best reward ${best.toFixed(4)} (${note})`),
    })
  } catch (err) {
    progress.done()
    if (!(err instanceof GamesaError)) throw err
    console.error(`gamesa learn: ${err.code}: ${err.message}`)
    return 1
  }
  progress.done()
  const proposal = proposalFrom(result, configSha256(text), options.seed, hints && options.experience ? { file: options.experience, hints } : undefined)
  const report = {
    config: configFrom,
    experience: options.experience ?? null,
    experienceTicks: hints?.ticks ?? null,
    seed: options.seed,
    seeds: options.seeds,
    maxDurationS: options.maxDurationS,
    budget: options.budget,
    evaluated: result.evaluated,
    startReward: result.startReward,
    bestReward: result.bestReward,
    moves: result.moves,
    reverted: result.reverted,
    tableRegressions: result.tableRegressions,
    proposal: proposal?.id ?? null,
  }
  try {
    mkdirSync(options.out, { recursive: true })
    if (proposal) writeFileSync(join(options.out, `${proposal.id}.json`), `${JSON.stringify({ $schema: '@gamesa/core/schemas/policy_proposal.schema.json', ...proposal }, null, 2)}\n`)
    writeFileSync(join(options.out, 'learn-report.json'), `${JSON.stringify(report, null, 2)}\n`)
  } catch (err) {
    console.error(`gamesa learn: cannot write to '${options.out}': ${(err as Error).message}`)
    return 2
  }
  if (options.json) {
    console.log(JSON.stringify({ proposal, report }))
  } else if (proposal) {
    console.log(`${result.evaluated} configurations evaluated; mean reward ${result.startReward.toFixed(4)} → ${result.bestReward.toFixed(4)}`)
    for (const m of result.moves) console.log(`  ${m.parameter}: ${m.from} → ${m.to} (reward ${m.reward.toFixed(4)})`)
    for (const name of result.reverted) console.log(`  ${name}: put back (the backtest suite's table lost a line with it)`)
    for (const line of result.tableRegressions) console.log(`  the table still loses: ${line}`)
    console.log(`proposal: ${join(options.out, `${proposal.id}.json`)} (judge it: gamesa promote ${join(options.out, `${proposal.id}.json`)} --config ${options.config})`)
  } else {
    console.log(`${result.evaluated} configurations evaluated; no move raised the mean reward (${result.startReward.toFixed(4)}) safely: nothing to propose`)
  }
  return 0
}

export const learnCommand: Command = {
  name: 'learn',
  summary: 'propose a better configuration: seeded search of rule thresholds, cooldowns and bids against the simulator',
  run,
}
