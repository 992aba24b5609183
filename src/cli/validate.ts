// `gamesa validate <file>...`: checks GAMESA JSON files — allocator configs, rules, rule sets,
// scale presets, contracts, engine configs, scenarios, gate configs, market documents — and
// reports every problem with its JSON path and, inside an expression, its line and column.
// Exit codes: 0 all valid, 1 a file is invalid, 2 usage error (bad option, unknown kind, a
// file that cannot be read).
import { readFileSync } from 'node:fs'
import { decodeUtf8, readDocument } from '../files.js'
import { type Features, compileFeatures } from '../index.js'
import { UsageError, parseCommandLine } from './args.js'
import type { Command } from './commands.js'
import { type CheckContext, FILE_KINDS, type FileKind, type ValidationProblem, kindNamed, kindOfSchemaRef } from './kinds.js'

const HELP = `usage: gamesa validate [--kind <kind>] [--features <presets.json>] [--config <engine.json> [--allow-loosen]] [--json] <file>...

Validates GAMESA JSON files and reports every problem, not only the first: its JSON path
(e.g. $.rules[2].when) and, inside an expression, the line and column there.

The kind of each file comes from its "$schema" (the schema file it names, e.g.
"../schemas/contract.schema.json"), or from --kind for every file given. A file
named - is read from standard input.

kinds:
${FILE_KINDS.map((k) => `  ${k.kind.padEnd(17)}${k.schemaFile}`).join('\n')}

Rules and rule sets compile against the telemetry catalog (cpu.util, gpu0.temp_c, ...);
with --features, also against the feat.<name> variables of that scale-presets file.

An engine configuration is checked by its schema, then built by the native engine: every
expression compiled (line and column given), every reference between sections resolved (the
gate's agents, invariants' contracts, capacityFrom and bind variables). Allocator configs,
scenarios, gate configs and market documents are checked by their schema (every structure
problem), then, when the structure is sound, by the native core's rules (the first problem).

A policy proposal is checked by its schema; with --config, also against that active engine
configuration: its diffs applied, the resulting configuration built natively, and no gate
limit, contract or safety rule loosened (unless --allow-loosen, given by a person).

options:
  --kind <kind>        treat every file as this kind (overrides detection)
  --features <file>    a scale-presets file whose features rules may read (feat.<name>)
  --config <file>      the active engine configuration policy proposals are checked against
  --allow-loosen       a person allows proposals to loosen gate limits, contracts or safety rules
  --json               print one JSON object: { valid, files: [{ file, kind, valid, problems }] }
  -h, --help           show this help

exit codes: 0 every file is valid, 1 a file is invalid, 2 usage error (unknown option or
kind, no file given, a file that cannot be read or whose kind cannot be told).`

/** The outcome for one file. */
export interface FileReport {
  file: string
  kind: string | null
  valid: boolean
  problems: ValidationProblem[]
}

interface Options {
  kind?: FileKind
  features?: string
  config?: string
  allowLoosen: boolean
  json: boolean
  files: string[]
}

function parseOptions(args: string[]): Options | number {
  const options = {
    kind: { type: 'string' },
    features: { type: 'string' },
    config: { type: 'string' },
    'allow-loosen': { type: 'boolean' },
    json: { type: 'boolean' },
  } as const
  return parseCommandLine('validate', HELP, args, { options, positionals: true }, (line) => {
    const parsed: Options = { json: line.flag('json'), allowLoosen: line.flag('allow-loosen'), files: line.positionals }
    const name = line.string('kind')
    if (name !== undefined) {
      const kind = kindNamed(name)
      if (!kind) throw new UsageError(`unknown kind '${name}' (kinds: ${FILE_KINDS.map((k) => k.kind).join(', ')})`)
      parsed.kind = kind
    }
    const features = line.string('features')
    if (features === '') throw new UsageError('--features needs a file')
    if (features !== undefined) parsed.features = features
    const config = line.string('config')
    if (config === '') throw new UsageError('--config needs a file')
    if (config !== undefined) parsed.config = config
    if (parsed.allowLoosen && config === undefined) throw new UsageError('--allow-loosen needs --config')
    if (parsed.files.length === 0) throw new UsageError('no file given')
    return parsed
  })
}

/** Validates one file's text. Throws UsageError when the kind cannot be told. */
export function validateText(file: string, text: string, forced?: FileKind, context: CheckContext = {}): FileReport {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (e) {
    return { file, kind: forced?.kind ?? null, valid: false, problems: [{ path: '$', message: malformed(text, e as Error) }] }
  }
  const ref = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>).$schema : undefined
  const named = typeof ref === 'string' ? kindOfSchemaRef(ref) : undefined
  const kind = forced ?? named
  if (!kind) {
    const why = typeof ref === 'string' ? `its "$schema" (${ref}) names no GAMESA schema` : 'it has no "$schema"'
    throw new UsageError(
      `${file}: cannot tell what kind of file this is: ${why}; pass --kind (${FILE_KINDS.map((k) => k.kind).join(', ')})`,
    )
  }
  const problems: ValidationProblem[] = []
  // A `$schema` naming another GAMESA kind contradicts --kind; one naming no GAMESA schema is
  // left alone (a file may point at its own copy of the schema).
  if (forced && named && named !== forced) {
    problems.push({ path: '$.$schema', message: `names ${ref}, but the file is validated as ${forced.kind} (${forced.schemaFile})` })
  }
  for (const p of kind.check(value, text, context)) {
    // An undeclared feat.* name usually means the features were not given.
    const hint = !context.features && /undeclared/.test(p.message) && /`feat\./.test(p.message)
    problems.push(hint ? { ...p, message: `${p.message} (declare features with --features <scale-presets file>)` } : p)
  }
  return { file, kind: kind.kind, valid: problems.length === 0, problems }
}

/** JSON.parse's message, with the line and column when it gives a position. */
function malformed(text: string, e: Error): string {
  const at = /at position (\d+)/.exec(e.message)
  if (!at || /\(line \d+ column \d+\)/.test(e.message)) return `malformed JSON: ${e.message}`
  const before = text.slice(0, Number(at[1]))
  const line = before.split('\n').length
  const column = before.length - before.lastIndexOf('\n')
  return `malformed JSON at line ${line}, column ${column}: ${e.message}`
}

function formatProblem(p: ValidationProblem): string {
  const where = p.line !== undefined && p.column !== undefined ? ` (line ${p.line}, column ${p.column})` : ''
  return `${p.path}${where}: ${p.message}`
}

function run(args: string[]): number {
  const options = parseOptions(args)
  if (typeof options === 'number') return options
  const context: CheckContext = { allowLoosen: options.allowLoosen }
  if (options.config !== undefined) {
    const text = read(options.config)
    if (text === null) return 2
    const report = validateText(options.config, text, kindNamed('engine'))
    if (!report.valid) {
      console.error(`gamesa validate: --config ${options.config} is not a valid engine configuration:\n${report.problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`)
      return 2
    }
    context.config = text
  }
  if (options.features !== undefined) {
    const text = read(options.features)
    if (text === null) return 2
    try {
      context.features = loadFeatures(options.features, text)
    } catch (e) {
      if (!(e instanceof UsageError)) throw e
      console.error(`gamesa validate: ${e.message}`)
      return 2
    }
  }
  const reports: FileReport[] = []
  for (const file of options.files) {
    const text = read(file)
    if (text === null) return 2
    try {
      reports.push(validateText(file, text, options.kind, context))
    } catch (e) {
      if (!(e instanceof UsageError)) throw e
      console.error(`gamesa validate: ${e.message}`)
      return 2
    }
  }
  const valid = reports.every((r) => r.valid)
  if (options.json) {
    console.log(JSON.stringify({ valid, files: reports }, null, 2))
  } else {
    for (const r of reports) {
      if (r.valid) {
        console.log(`${r.file} (${r.kind}): valid`)
      } else {
        const n = r.problems.length
        console.log(`${r.file} (${r.kind ?? 'unknown kind'}): ${n} problem${n === 1 ? '' : 's'}`)
        for (const p of r.problems) console.log(`  ${formatProblem(p)}`)
      }
    }
  }
  return valid ? 0 : 1
}

/** The file's text, or null after reporting why it cannot be read. */
function read(file: string): string | null {
  try {
    return file === '-' ? decodeUtf8(readFileSync(0), 'standard input') : readDocument(file, '')
  } catch (e) {
    // readDocument's message names the file and why (no such file, not a regular file, not UTF-8).
    console.error(`gamesa validate: ${(e as Error).message}`)
    return null
  }
}

/** The features of a scale-presets file, or a UsageError listing why they do not compile. */
function loadFeatures(file: string, text: string): Features {
  const report = validateText(file, text, kindNamed('scale-presets'))
  if (!report.valid) {
    throw new UsageError(`--features ${file} is not a valid scale-presets file:\n${report.problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`)
  }
  return compileFeatures(text)
}

export const validateCommand: Command = {
  name: 'validate',
  summary: 'check GAMESA JSON files (configs, rules, presets, contracts, scenarios): every error with its path',
  run,
}
