// The argument parsing every `gamesa` command shares, on Node's `util.parseArgs`. One place
// decides what `--help`, an unknown option, a missing value and a stray argument do, so every
// command behaves the same: `-h`/`--help` prints the command's help on standard output and
// exits 0; a bad command line prints `gamesa <command>: <what is wrong>` and the help on
// standard error and exits 2.
import { parseArgs } from 'node:util'

/** A bad command line: the command prints the message and its help, and exits 2. */
export class UsageError extends Error {}

/** A command's options: `--name` with a value (`string`) or without (`boolean`). */
export type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>

/** What was given on the command line, after the generic checks. */
export interface CommandLine {
  /** The value of a `string` option (the last one given wins), or undefined when absent. */
  string(name: string): string | undefined
  /** Every value of a `string` option given with `multiple` (in order; empty when absent). */
  strings(name: string): string[]
  /** Whether a `boolean` option was given. */
  flag(name: string): boolean
  /** The arguments that are not options, in order (everything after `--` included). */
  positionals: string[]
}

/**
 * Parses `args` against `options` (plus `-h`/`--help`, added here) and hands the result to
 * `build`, which checks what only the command knows (required options, values) and throws
 * `UsageError` for a bad command line. Returns what `build` returns, or the exit code once the
 * help (0) or a usage error with the help (2) was printed. Without `positionals`, any argument
 * that is not an option is a usage error.
 */
export function parseCommandLine<T>(
  command: string,
  help: string,
  args: string[],
  spec: { options: OptionSpec; positionals?: boolean },
  build: (line: CommandLine) => T,
): T | number {
  const options: OptionSpec = { ...spec.options, help: { type: 'boolean', short: 'h' } }
  try {
    // Not strict: unknown options come back as tokens, and the messages below name them.
    const { values, tokens } = parseArgs({ args, options, allowPositionals: true, strict: false, tokens: true })
    const positionals: string[] = []
    // Help wins wherever it is given (before `--`), even beside a mistake.
    if (tokens.some((token) => token.kind === 'option' && token.name === 'help')) {
      console.log(help)
      return 0
    }
    for (const token of tokens) {
      if (token.kind === 'option-terminator') continue
      if (token.kind === 'positional') {
        if (!spec.positionals) throw new UsageError(`unexpected argument '${token.value}'`)
        positionals.push(token.value)
      } else {
        const option = Object.hasOwn(options, token.name) ? options[token.name] : undefined
        if (option === undefined) throw new UsageError(`unknown option '${token.rawName}'`)
        if (option.type === 'string' && token.value === undefined) throw new UsageError(`${token.rawName} needs a value`)
        if (option.type === 'boolean' && token.value !== undefined) throw new UsageError(`${token.rawName} takes no value`)
      }
    }
    const line: CommandLine = {
      string: (name) => {
        const value = values[name]
        if (Array.isArray(value)) return value.findLast((v): v is string => typeof v === 'string')
        return typeof value === 'string' ? value : undefined
      },
      strings: (name) => {
        const value = values[name]
        if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string')
        return typeof value === 'string' ? [value] : []
      },
      flag: (name) => values[name] === true,
      positionals,
    }
    return build(line)
  } catch (err) {
    if (!(err instanceof UsageError)) throw err
    console.error(`gamesa ${command}: ${err.message}\n\n${help}`)
    return 2
  }
}
