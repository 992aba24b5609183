// `gamesa reflect`: how the governor is doing, from its experience store (and audit trail):
// reward trend, rules, shadow rules, gate rejections, contract violations, actuation failures,
// and the top findings in words. Deterministic: the same store gives the same report.
import { writeFileSync } from 'node:fs'
import { GamesaError } from '../errors.js'
import { ExperienceReader } from '../guardian/experience/index.js'
import { type Reflection, reflect, reflectionText, renderReflectionHtml } from '../guardian/reflect/index.js'
import type { Command } from './commands.js'
import { StderrProgress } from './stderr_progress.js'
import { readDocument } from '../files.js'
import { type LlmProposal, localModelBackend, openAiBackend, proposeWithLlm } from '../guardian/llm/index.js'
import { defaultConfigPath } from './run.js'
import { parseDuration } from './telemetry_options.js'
import { UsageError, parseCommandLine } from './args.js'

const HELP = `usage: gamesa reflect --experience <file> [--audit <file>] [--run <id>] [--window <ticks>]
                      [--html <out.html>] [--json] [--quiet]
                      [--llm (--llm-url <url> --llm-model <name> | --llm-model-file <model.gguf>)
                       [--config <engine.json>] [--proposal <out.json>] [--llm-timeout <time>]
                       [--llm-retries <n>] [--llm-max-tokens <n>] [--llm-token-budget <n>]]

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

With --llm, the report goes to a language model, which answers with one policy proposal held to
the proposal's JSON Schema (author "llm"): through any OpenAI-compatible chat-completions
endpoint (--llm-url, --llm-model; the key from the GAMESA_LLM_API_KEY environment variable),
or a local GGUF model in-process (--llm-model-file; needs the optional node-llama-cpp; CPU,
2 threads). The proposal is never trusted: it is validated at once against the active config
(schema, diffs, expressions, no loosening of gate limits, contracts or the safety domain), and
gamesa promote shadow-tests and evaluates it before anything changes.

options:
  --experience <file>  the experience store (required)
  --audit <file>       an audit trail file to verify and summarise
  --run <id>           only this run of the store (gamesa experience stats lists them)
  --window <ticks>     ticks before and after a rule starts firing to compare (default 10)
  --html <file>        also write a self-contained HTML report (opens offline)
  --json               print the whole analysis as JSON on standard output
  --quiet              no progress on standard error (shown only on a terminal)
  --llm                ask a language model for a policy proposal (see above)
  --llm-url <url>      the endpoint's base URL (http://localhost:11434/v1) or chat-completions URL
  --llm-model <name>   the model the endpoint serves
  --llm-model-file <f> a local GGUF model instead of an endpoint
  --config <file>      the active engine configuration the store was recorded under (default:
                       samples/engine.json of the package): shown to the model, and what the
                       proposal is validated against
  --proposal <file>    write the proposal there (for gamesa validate / gamesa promote)
  --llm-timeout <time> one attempt's time limit: 30s, 2m (default 60s; a local model: 10m)
  --llm-retries <n>    attempts after the first on a timeout, 429 or 5xx (default 2)
  --llm-max-tokens <n> most tokens of one answer (default 1024)
  --llm-token-budget <n>  most tokens all attempts may use, prompt included (default 8192)
  -h, --help           show this help

exit codes: 0 done (with --llm: the proposal is valid), 1 not an experience store
(EXPERIENCE_INVALID) or unreadable, or with --llm the model gave no answer (LLM_FAILED) or its
proposal is invalid (every problem is listed), 2 usage error.`

interface Options {
  experience: string
  audit?: string
  run?: number
  window?: number
  html?: string
  json: boolean
  quiet: boolean
  llm?: LlmOptions
}

interface LlmOptions {
  url?: string
  model?: string
  modelFile?: string
  config: string
  proposal?: string
  timeoutMs?: number
  retries?: number
  maxTokens?: number
  tokenBudget?: number
}

function wholeNumber(name: string, text: string | undefined, min: number): number | undefined {
  if (text === undefined) return undefined
  const n = Number(text)
  if (text.trim() === '' || !Number.isInteger(n) || n < min) throw new UsageError(`${name} needs a whole number >= ${min}, got '${text}'`)
  return n
}

function optionalNumber<K extends string>(key: K, value: number | undefined): Partial<Record<K, number>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, number>)
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
    llm: { type: 'boolean' },
    'llm-url': { type: 'string' },
    'llm-model': { type: 'string' },
    'llm-model-file': { type: 'string' },
    config: { type: 'string' },
    proposal: { type: 'string' },
    'llm-timeout': { type: 'string' },
    'llm-retries': { type: 'string' },
    'llm-max-tokens': { type: 'string' },
    'llm-token-budget': { type: 'string' },
  } as const
  return parseCommandLine('reflect', HELP, args, { options }, (line): Options => {
    const experience = line.string('experience')
    if (experience === undefined || experience === '') throw new UsageError('--experience <file> is required')
    const window = wholeNumber('--window', line.string('window'), 1)
    if (window !== undefined && window > 100_000) throw new UsageError(`--window is at most 100000, got ${window}`)
    const llmFlags = ['llm-url', 'llm-model', 'llm-model-file', 'config', 'proposal', 'llm-timeout', 'llm-retries', 'llm-max-tokens', 'llm-token-budget'].filter((k) => line.string(k) !== undefined)
    let llm: LlmOptions | undefined
    if (!line.flag('llm')) {
      if (llmFlags.length > 0) throw new UsageError(`--${llmFlags[0]} needs --llm`)
    } else {
      const url = line.string('llm-url')
      const model = line.string('llm-model')
      const modelFile = line.string('llm-model-file')
      if (modelFile !== undefined && (url !== undefined || model !== undefined)) throw new UsageError('--llm-model-file is a local model: give it, or --llm-url with --llm-model, not both')
      if (modelFile === undefined && (url === undefined || model === undefined)) throw new UsageError('--llm needs --llm-url and --llm-model (an endpoint), or --llm-model-file (a local GGUF model)')
      const timeout = line.string('llm-timeout')
      llm = {
        ...(url === undefined ? {} : { url }),
        ...(model === undefined ? {} : { model }),
        ...(modelFile === undefined ? {} : { modelFile }),
        config: line.string('config') ?? defaultConfigPath(),
        ...(line.string('proposal') === undefined ? {} : { proposal: line.string('proposal') }),
        ...(timeout === undefined ? {} : { timeoutMs: parseDuration('--llm-timeout', timeout) }),
        ...optionalNumber('retries', wholeNumber('--llm-retries', line.string('llm-retries'), 0)),
        ...optionalNumber('maxTokens', wholeNumber('--llm-max-tokens', line.string('llm-max-tokens'), 1)),
        ...optionalNumber('tokenBudget', wholeNumber('--llm-token-budget', line.string('llm-token-budget'), 1)),
      }
    }
    return {
      llm,
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

async function run(args: string[]): Promise<number> {
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
  if (options.llm === undefined) {
    if (options.json) console.log(JSON.stringify(reflection))
    else {
      console.log(reflectionText(reflection))
      if (options.html !== undefined) console.log(`\nreport: ${options.html}`)
    }
    return 0
  }
  if (!options.json) {
    console.log(reflectionText(reflection))
    if (options.html !== undefined) console.log(`\nreport: ${options.html}`)
  }
  return askModel(reflection, options.llm, options)
}

/** --llm: the model's proposal, validated; printed (and written with --proposal). */
async function askModel(reflection: Reflection, llm: LlmOptions, options: Options): Promise<number> {
  let config: string
  try {
    config = readDocument(llm.config, 'engine config')
  } catch (err) {
    console.error(`gamesa reflect: cannot read config '${llm.config}': ${(err as Error).message}`)
    return 2
  }
  const progress = new StderrProgress(options.quiet)
  let result: LlmProposal
  try {
    const backend =
      llm.modelFile !== undefined
        ? localModelBackend({ modelFile: llm.modelFile, ...(llm.maxTokens === undefined ? {} : { maxTokens: llm.maxTokens }), ...(llm.timeoutMs === undefined ? {} : { timeoutMs: llm.timeoutMs }) })
        : openAiBackend({
            url: llm.url as string,
            model: llm.model as string,
            ...(llm.timeoutMs === undefined ? {} : { timeoutMs: llm.timeoutMs }),
            ...(llm.retries === undefined ? {} : { retries: llm.retries }),
            ...(llm.maxTokens === undefined ? {} : { maxTokens: llm.maxTokens }),
            ...(llm.tokenBudget === undefined ? {} : { tokenBudget: llm.tokenBudget }),
          })
    progress.update(`asking ${llm.modelFile ?? `${llm.model} at ${llm.url}`} for a proposal…`, true)
    result = await proposeWithLlm(reflection, config, backend)
  } catch (err) {
    progress.done()
    if (err instanceof GamesaError) {
      console.error(`gamesa reflect: ${err.code}: ${err.message}`)
      return err.code === 'INVALID_ARGUMENT' ? 2 : 1
    }
    throw err
  }
  progress.done()
  const text = typeof result.document === 'string' ? result.document : `${JSON.stringify(result.document, null, 2)}\n`
  if (llm.proposal !== undefined) {
    try {
      writeFileSync(llm.proposal, text)
    } catch (err) {
      console.error(`gamesa reflect: cannot write '${llm.proposal}': ${(err as Error).message}`)
      return 2
    }
  }
  const v = result.validation
  if (options.json) {
    console.log(JSON.stringify({ reflection, llm: { answer: result.answer, proposal: result.document, validation: { valid: v.valid, problems: v.problems, loosenings: v.loosenings } } }))
  } else {
    const a = result.answer
    console.log(`\nlanguage model: ${a.backend}; ${a.promptTokens} prompt + ${a.completionTokens} answer tokens, ${a.attempts} attempt${a.attempts === 1 ? '' : 's'}${a.truncated ? ' (cut short by the token limit)' : ''}`)
    if (llm.proposal !== undefined) console.log(`proposal: ${llm.proposal}`)
    if (v.valid) console.log(`the proposal is valid: gamesa promote ${llm.proposal ?? '<proposal.json>'} --config ${llm.config} shadow-tests and evaluates it`)
    else {
      console.log(`the proposal is REJECTED by validation (${v.problems.length} problem${v.problems.length === 1 ? '' : 's'}):`)
      for (const p of v.problems.slice(0, 20)) console.log(`  ${p.path}: ${p.message}`)
    }
  }
  return v.valid ? 0 : 1
}

export const reflectCommand: Command = {
  name: 'reflect',
  summary: 'how the governor is doing, from an experience store: reward trend, rules, shadow rules, rejections, violations, findings (--html)',
  run,
}
