// `gamesa exec [run options] -- CMD ARGS...`: launches a command as the priority workload (the
// process, its threads and every descendant), governs while it runs, and exits with its exit
// code, like `gamemoderun`. The loop is `gamesa run`'s (govern in run.ts).
import { spawn } from 'node:child_process'
import { constants } from 'node:os'
import type { Command } from './commands.js'
import { UsageError, parseCommandLine } from './args.js'
import { type LoadedEngine, type Options, RUN_OPTIONS, govern, openLive, readEngine, runOptions } from './run.js'

const HELP = `usage: gamesa exec [--apply [--no-restore-on-exit]] [--config <engine.json>]
                   [--rate <Hz>] [--journal <file>] [--experience <file>] [--json] [--quiet]
                   [--metrics [<host>:]<port>]
                   -- <command> [args...]

Starts <command> as the priority workload: the process, its threads and all its descendants
(also those started later) are wl.priority; every other process that uses CPU, except the
exclusion list, is background. The governor runs as \`gamesa run\` does (dry run unless
--apply; the view goes to standard error, so the command keeps the terminal's standard
output) until the command exits, then restores what it applied. The command's standard
input, output and error are the terminal's.

options: as for gamesa run (--config, --rate, --apply, --no-restore-on-exit, --journal,
--experience, --json, --quiet, --metrics); --protect, --workloads, --once and --duration do
not apply.
  -h, --help   show this help

exit codes: the command's exit code (128 + signal number when a signal ended it); 1 the
configuration is invalid or --apply lacks a capability, 2 usage error or the command could
not be started, 130 / 143 the governor was stopped by SIGINT / SIGTERM (the command gets it too).`

function parseOptions(args: string[]): { options: Options; command: string[] } | number {
  return parseCommandLine('exec', HELP, args, { options: RUN_OPTIONS, positionals: true }, (line) => {
    const options = runOptions(line)
    if (line.positionals.length === 0) throw new UsageError('a command to run is needed: gamesa exec -- <command> [args...]')
    if (options.protect.length > 0 || options.workloads !== undefined) throw new UsageError('--protect and --workloads do not apply: the command is the priority workload')
    if (options.once || options.durationMs !== undefined) throw new UsageError('--once and --duration do not apply: the run lasts as long as the command')
    return { options, command: line.positionals }
  })
}

async function run(args: string[]): Promise<number> {
  const parsed = parseOptions(args)
  if (typeof parsed === 'number') return parsed
  const { options, command } = parsed
  let loaded: LoadedEngine
  try {
    loaded = readEngine(options.config)
  } catch (err) {
    console.error(`gamesa exec: ${err instanceof Error ? err.message : String(err)}`)
    return 1
  }
  const child = spawn(command[0] as string, command.slice(1), { stdio: 'inherit' })
  const started = new Promise<number | string>((resolve) => {
    child.once('spawn', () => resolve(child.pid ?? 0))
    child.once('error', (err) => resolve(err.message))
  })
  const pid = await started
  if (typeof pid === 'string' || pid === 0) {
    console.error(`gamesa exec: cannot start ${command[0]}: ${pid}`)
    return 2
  }
  const exited = new Promise<number>((resolve) => {
    child.once('exit', (code, signal) => {
      const number = signal === null ? 0 : (constants.signals[signal] ?? 0)
      resolve(code ?? 128 + number)
    })
  })
  const live = openLive('exec', options, { workloads: [{ name: 'exec', priority: true, select: [{ pid }], children: true }] })
  if (typeof live === 'number') {
    child.kill('SIGTERM')
    await exited
    return live
  }
  // The terminal belongs to the command: no full-screen view on its standard output.
  const code = await govern(loaded, options, live, { until: exited, forCommand: true })
  if (child.exitCode === null && child.signalCode === null) {
    // The governor was stopped (SIGINT/SIGTERM), and has restored: the command got the same
    // signal from the terminal or the service manager, or is told now; its code is the answer.
    child.kill(code === 130 ? 'SIGINT' : 'SIGTERM')
    return exited
  }
  return code
}

export const execCommand: Command = {
  name: 'exec',
  summary: 'launch a command as the priority workload and govern while it runs (dry-run unless --apply)',
  run,
}
