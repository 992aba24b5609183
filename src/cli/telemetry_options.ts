// Option parsing shared by the telemetry commands (snapshot, record, top): rates, durations,
// and the usage error that makes a command exit 2.

/** A bad command line: the command prints the message and its help, and exits 2. */
export class UsageError extends Error {}

/**
 * A command's arguments through its `parse`: the options, or the exit code once `--help` was
 * printed (0) or a usage error was printed with the help (2).
 */
export function commandOptions<T extends object>(command: string, help: string, args: string[], parse: (args: string[]) => T | 'help'): T | number {
  try {
    const parsed = parse(args)
    if (parsed === 'help') {
      console.log(help)
      return 0
    }
    return parsed
  } catch (err) {
    if (!(err instanceof UsageError)) throw err
    console.error(`gamesa ${command}: ${err.message}\n\n${help}`)
    return 2
  }
}

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/**
 * Parses a duration such as `500ms`, `60s`, `5m`, `1.5h` into milliseconds. A bare number is
 * seconds. Throws UsageError naming the option for anything else, zero or negative.
 */
export function parseDuration(option: string, text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim())
  if (!m) throw new UsageError(`${option} '${text}' is not a duration (examples: 500ms, 60s, 5m)`)
  const ms = Number(m[1]) * UNIT_MS[m[2] ?? 's']!
  if (!(ms > 0) || !Number.isFinite(ms)) throw new UsageError(`${option} must be greater than zero, got '${text}'`)
  return ms
}

/** Parses a sampling rate in Hz within [min, max]; throws UsageError naming the option. */
export function parseRate(option: string, text: string, min = 0.1, max = 1000): number {
  const rate = /^\d+(\.\d+)?$/.test(text.trim()) ? Number(text) : Number.NaN
  if (!Number.isFinite(rate)) throw new UsageError(`${option} '${text}' is not a number of Hz`)
  if (rate < min || rate > max) throw new UsageError(`${option} must be between ${min} and ${max} Hz, got ${text}`)
  return rate
}

/**
 * Takes an option's value from `--name value` or `--name=value`; returns undefined when `arg`
 * is another option. Advances past the consumed value through `next`.
 */
export function optionValue(arg: string, name: string, next: () => string | undefined): string | undefined {
  if (arg === name) {
    const value = next()
    if (value === undefined) throw new UsageError(`${name} needs a value`)
    return value
  }
  if (arg.startsWith(`${name}=`)) return arg.slice(name.length + 1)
  return undefined
}
