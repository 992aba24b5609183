// `gamesa status`: the live workloads (two dry-run passes half a second apart, so CPU figures
// exist), whether a governor is applying, the settings it holds and the rest of its journal.
// Changes nothing.
import { type JournalView, defaultJournalPath, readJournal } from '../actuation.js'
import { GamesaError } from '../errors.js'
import { type WorkloadsConfig, protectConfig } from '../workloads.js'
import type { Command } from './commands.js'
import { UsageError, parseCommandLine } from './args.js'
import { LiveRun, readWorkloadsFile } from './live.js'

const HELP = `usage: gamesa status [--journal <file>] [--protect <name>]... [--workloads <file>] [--json]

Shows, without changing anything: the live workloads (priority and background processes with
their CPU use over half a second; the priority workload as --protect or --workloads select
it), whether a governor is applying (it holds the journal), the settings it made (cgroup
groups and knobs, moved processes: journal entries with the value before and the value set),
and a torn last journal line if there is one.

options:
  --journal <file>    the actuation journal (default: as for gamesa restore)
  --protect <name>    the priority workload, by comm or executable name (repeatable)
  --workloads <file>  workloads configuration (docs/workloads.md)
  --json              one JSON object: { journal: { path, locked, entries, tornTail }, workloads }
  -h, --help          show this help

exit codes: 0 shown, 1 the journal or the configuration is invalid, 2 usage error.`

const show = (v: unknown) => JSON.stringify(v)

/** One line per journal entry, grouped by what it changed. */
function journalLines(path: string, view: JournalView): string[] {
  const out = [`journal ${path}: ${view.entries.length} entries; ${view.locked ? 'a governor is applying (it holds the journal)' : 'no governor is applying'}`]
  const groups = view.entries.filter((e) => e.target.kind === 'cgroup_dir').map((e) => String(e.target.path))
  if (groups.length > 0) out.push(`  groups created: ${groups.join(', ')}`)
  for (const e of view.entries) {
    const t = e.target
    if (t.kind === 'cgroup_file' || t.kind === 'sysfs') out.push(`  setting ${String(t.path)}: ${show(e.prev)} -> ${show(e.new)}`)
    else if (t.kind === 'cgroup_membership') out.push(`  moved pid ${String(t.pid)} (${String(t.controller) || 'v2'}): ${show(e.prev)} -> ${show(e.new)}`)
    else if (t.kind !== 'cgroup_dir') out.push(`  ${t.kind} ${show(t)}: ${show(e.prev)} -> ${show(e.new)}`)
  }
  if (view.tornTail !== null) out.push(`  torn last line ${view.tornTail.line} (never applied)`)
  return out
}

async function run(args: string[]): Promise<number> {
  const options = { journal: { type: 'string' }, protect: { type: 'string', multiple: true }, workloads: { type: 'string' }, json: { type: 'boolean' } } as const
  const parsed = parseCommandLine('status', HELP, args, { options }, (line) => {
    const protect = line.strings('protect').flatMap((p) => p.split(',')).map((p) => p.trim())
    if (protect.some((p) => p === '' || p.includes('/'))) throw new UsageError('--protect needs process names')
    if (protect.length > 0 && line.string('workloads') !== undefined) throw new UsageError('--protect and --workloads do not go together')
    return { journal: line.string('journal') ?? defaultJournalPath(), protect, workloads: line.string('workloads'), json: line.flag('json') }
  })
  if (typeof parsed === 'number') return parsed
  let live: LiveRun
  let view: JournalView
  try {
    view = readJournal(parsed.journal)
    const config: WorkloadsConfig = parsed.workloads !== undefined ? readWorkloadsFile(parsed.workloads) : parsed.protect.length > 0 ? protectConfig(parsed.protect) : {}
    live = new LiveRun({ config, apply: false, restoreOnExit: false }, (line) => console.error(`gamesa status: ${line}`))
  } catch (err) {
    if (err instanceof GamesaError) {
      console.error(`gamesa status: ${err.code}: ${err.message}`)
      return 1
    }
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      console.error(`gamesa status: ${(err as Error).message}`)
      return 2
    }
    throw err
  }
  live.scan({})
  await new Promise((r) => setTimeout(r, 500))
  live.scan({})
  live.finish()
  if (parsed.json) {
    console.log(JSON.stringify({ journal: { path: parsed.journal, ...view }, workloads: live.last }))
  } else {
    const lines = live.lines()
    lines[0] = (lines[0] ?? '').replace('; dry run: would apply', '')
    console.log([...journalLines(parsed.journal, view), '', ...lines].join('\n'))
  }
  return 0
}

export const statusCommand: Command = {
  name: 'status',
  summary: 'the live workloads, whether a governor is applying, and the settings its journal holds',
  run,
}
