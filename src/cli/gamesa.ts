#!/usr/bin/env node
// The `gamesa` command: a thin dispatcher over subcommands, each in its own file under
// src/cli/, registered in `commands` below. Exit codes: 0 success, 1 the command found problems
// (e.g. an invalid file), 2 usage errors.
import { nativeVersion } from '../index.js'
import { commands } from './commands.js'

function usage(): string {
  const width = Math.max(...commands.map((c) => c.name.length))
  return [
    'gamesa — a real-time hardware resource governor built as a market',
    '',
    'usage: gamesa <command> [options]',
    '',
    'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `gamesa <command> --help` for a command\'s options; snapshot, validate, run, replay and backtest take --json for scripts.',
  ].join('\n')
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage())
    return name === undefined ? 2 : 0
  }
  if (name === '--version' || name === '-V') {
    // The native addon's version, which is the package's (checked by the smoke test).
    console.log(nativeVersion())
    return 0
  }
  const command = commands.find((c) => c.name === name)
  if (!command) {
    console.error(`gamesa: unknown command '${name}'\n\n${usage()}`)
    return 2
  }
  return command.run(rest)
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (err: unknown) => {
    console.error(`gamesa: ${err instanceof Error ? err.message : String(err)}`)
    process.exitCode = 1
  },
)
