// `gamesa restore [--journal PATH] [--json]`: undoes what a governor's actuation journal
// records, after a crash or a kill. The work is native (gamesa_host::restore); this file
// parses the arguments and prints the report.
import { GamesaError, type RestoreReport, restoreJournal } from '../index.js'
import type { Command } from './commands.js'
import { parseCommandLine } from './args.js'

const HELP = `usage: gamesa restore [--journal <file>] [--json]

Undoes every change an actuation journal records, newest first, back to the exact value
it replaced. A value someone else changed after the governor set it is left alone and
reported as a conflict; processes that exited (or whose pid was reused) are skipped; groups
the governor created are removed once empty. A torn last line (a crash in mid-append) is
reported, not fatal. What could not be undone stays in the journal; the rest is removed.
See docs/actuation.md.

options:
  --journal <file>  the journal (default: /var/lib/gamesa/actuation.journal as root,
                    $XDG_STATE_HOME/gamesa/actuation.journal otherwise)
  --json            print the report as one JSON object:
                    { journal, entries, restored, unchanged, skippedExited, conflicts,
                      removedGroups, keptGroups, returnedBorn, failed, tornTail }
  -h, --help        show this help

exit codes: 0 restored (conflicts are kept and listed), 1 some entries could not be undone,
or the journal is locked by a running governor or corrupt, 2 usage error.`

interface Options {
  journal: string | undefined
  json: boolean
}

function parseOptions(args: string[]): Options | number {
  const options = { journal: { type: 'string' }, json: { type: 'boolean' } } as const
  return parseCommandLine('restore', HELP, args, { options }, (line) => ({ journal: line.string('journal'), json: line.flag('json') }))
}

const show = (v: unknown) => JSON.stringify(v)

function run(args: string[]): number {
  const options = parseOptions(args)
  if (typeof options === 'number') return options
  let report: RestoreReport
  try {
    report = restoreJournal(options.journal)
  } catch (err) {
    if (err instanceof GamesaError) {
      console.error(`gamesa restore: ${err.code}: ${err.message}`)
      return 1
    }
    throw err
  }
  if (options.json) {
    console.log(JSON.stringify(report))
  } else {
    const lines = [
      `${report.journal}: ${report.entries} entries; ${report.restored} restored, ${report.unchanged} already at their previous value, ${report.skippedExited} skipped (process exited)`,
    ]
    if (report.removedGroups.length > 0) lines.push(`  removed groups: ${report.removedGroups.join(', ')}`)
    if (report.returnedBorn > 0) lines.push(`  ${report.returnedBorn} processes born in the governor's groups moved back with their parents`)
    if (report.keptGroups.length > 0) lines.push(`  kept groups (not empty): ${report.keptGroups.join(', ')}`)
    for (const c of report.conflicts) {
      lines.push(`  conflict (kept): ${show(c.target)}: now ${show(c.current)}, ours was ${show(c.ours)}, before us ${show(c.prev)}`)
    }
    for (const f of report.failed) {
      lines.push(`  not undone (kept in the journal): ${show(f.target)}: ${f.message}`)
    }
    if (report.tornTail !== null) lines.push(`  torn last line ${report.tornTail.line} cut off (never applied)`)
    console.log(lines.join('\n'))
  }
  return report.failed.length > 0 ? 1 : 0
}

export const restoreCommand: Command = {
  name: 'restore',
  summary: "undo an actuation journal's changes (after a crash or kill)",
  run,
}
