// `gamesa pause` and `gamesa resume`: tell the running `gamesa run --apply` (or `exec --apply`)
// to restore everything and stop acting (SIGUSR1), or to act again (SIGUSR2). The governor's
// pid is in its journal's path + `.pid`, or given with --pid.
import { readFileSync } from 'node:fs'
import type { Command } from './commands.js'
import { UsageError, parseCommandLine } from './args.js'
import { runPidPath } from './live.js'

const help = (name: string, what: string) => `usage: gamesa ${name} [--journal <file> | --pid <pid>]

${what}

options:
  --journal <file>  the running governor's journal (default: as for gamesa restore); its pid is
                    read from <file>.pid
  --pid <pid>       the governor's pid instead
  -h, --help        show this help

exit codes: 0 told, 1 no governor is running (or it cannot be signalled), 2 usage error.`

const PAUSE_HELP = help('pause', `Tells the running \`gamesa run --apply\` to restore every setting it made, to the exact
previous value, and to apply nothing until \`gamesa resume\` (the same as sending it SIGUSR1).
It keeps running, scanning and deciding (its view says "paused").`)
const RESUME_HELP = help('resume', 'Tells a paused `gamesa run --apply` to act again (the same as sending it SIGUSR2).')
const RELOAD_HELP = help('reload', `Tells the running \`gamesa run\` to read its --config again (the same as sending it SIGHUP).
When only the rules changed (as \`gamesa promote\` writes a rule proposal), they are swapped into
the running engine between two ticks: prices, budgets, leases, the gate's state and the audit
chain carry on. Any other change is reported and needs a restart. The run says which on its
standard error. A dry-run governor writes no pid file: give it --pid.`)

function signalGovernor(name: string, text: string, signal: NodeJS.Signals, args: string[]): number {
  const options = { journal: { type: 'string' }, pid: { type: 'string' } } as const
  const parsed = parseCommandLine(name, text, args, { options }, (line) => {
    const pid = line.string('pid')
    if (pid !== undefined && line.string('journal') !== undefined) throw new UsageError('--pid and --journal do not go together')
    if (pid !== undefined && !/^[1-9][0-9]*$/.test(pid)) throw new UsageError(`--pid ${pid}: a process id`)
    return { pid: pid === undefined ? undefined : Number(pid), journal: line.string('journal') }
  })
  if (typeof parsed === 'number') return parsed
  let pid = parsed.pid
  if (pid === undefined) {
    const path = runPidPath(parsed.journal)
    try {
      pid = Number(readFileSync(path, 'utf8').trim())
    } catch {
      console.error(`gamesa ${name}: no governor is applying (no ${path})`)
      return 1
    }
    if (!Number.isSafeInteger(pid) || pid <= 0) {
      console.error(`gamesa ${name}: ${path} holds no pid`)
      return 1
    }
  }
  try {
    process.kill(pid, signal)
  } catch (err) {
    console.error(`gamesa ${name}: cannot signal ${pid}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`)
    return 1
  }
  console.log(`gamesa ${name}: sent ${signal} to ${pid}`)
  return 0
}

export const pauseCommand: Command = {
  name: 'pause',
  summary: 'make the running governor restore everything and stop acting until resumed',
  run: (args) => signalGovernor('pause', PAUSE_HELP, 'SIGUSR1', args),
}

export const reloadCommand: Command = {
  name: 'reload',
  summary: "make the running governor swap in its config file's rules without a restart",
  run: (args) => signalGovernor('reload', RELOAD_HELP, 'SIGHUP', args),
}

export const resumeCommand: Command = {
  name: 'resume',
  summary: 'make a paused governor act again',
  run: (args) => signalGovernor('resume', RESUME_HELP, 'SIGUSR2', args),
}
