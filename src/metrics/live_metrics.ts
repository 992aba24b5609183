// The live workloads' side of a run: what became of each actuation (the approved actions made
// settings, and processes moved into their role's group), the protected workload's scheduling
// latency and CPU use where a pass measured them, and how many entries the restore journal
// holds (read from the file at scrape time, only for a run that applies).
import { readFileSync } from 'node:fs'
import { type Registry, Counter, Gauge } from 'prom-client'
import type { LiveActionResult, WorkloadPass } from '../workloads.js'

const ROLES = ['priority', 'background'] as const

/** The counter's kind for each per-process change of a pass. */
const MOVE_KINDS: Record<WorkloadPass['moves'][number]['setting'], string> = { group: 'move_to_group', nice: 'set_nice', sched_policy: 'set_sched_policy', affinity: 'pin_cores' }

/** Complete lines of the journal file: its entries (NDJSON, one per line; a torn last line is not one). */
export function journalEntries(path: string): number {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    // Not written yet: nothing to undo.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0
    throw err
  }
  let lines = 0
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lines++
  return lines
}

export class LiveMetrics {
  readonly #actuations: Counter<'kind' | 'outcome'>
  readonly #runqDelay: Gauge<'role'>
  readonly #cpu: Gauge<'role'>
  readonly #processes: Gauge<'role'>

  /** `journal`: the applying run's journal file, or undefined for a dry run (which journals nothing). */
  constructor(registry: Registry, journal: string | undefined) {
    const registers = [registry]
    this.#actuations = new Counter({
      name: 'gamesa_actuations_total',
      help: 'What approved actions and group moves came to on the machine, by kind and outcome (applied, dry_run, refused, gone, conflict, error).',
      labelNames: ['kind', 'outcome'],
      registers,
    })
    this.#runqDelay = new Gauge({
      name: 'gamesa_workload_runq_delay_seconds',
      help: "Mean wait for a CPU per time slice of the role's threads over the last pass (wl.<role>.runq_delay_ms); absent until measured.",
      labelNames: ['role'],
      registers,
    })
    this.#cpu = new Gauge({ name: 'gamesa_workload_cpu_cores', help: "CPU the role's processes used over the last pass, in cores (wl.<role>.cpu_cores).", labelNames: ['role'], registers })
    this.#processes = new Gauge({ name: 'gamesa_workload_processes', help: "The role's member processes in the last pass (wl.<role>.processes).", labelNames: ['role'], registers })
    if (journal !== undefined) {
      new Gauge({
        name: 'gamesa_restore_journal_entries',
        help: 'Entries in the actuation journal: changes a restore would undo (read at scrape time).',
        registers,
        collect() {
          this.set(journalEntries(journal))
        },
      })
    }
  }

  /** A pass over the processes: its moves, and the roles' variables. */
  observePass(pass: WorkloadPass): void {
    // A move into a group, or a role's nice value, policy or pinned CPUs given to one of its processes.
    for (const m of pass.moves) this.#actuations.inc({ kind: MOVE_KINDS[m.setting], outcome: m.outcome?.outcome ?? 'error' })
    // ms → s by division: the exact quotient a reader of the variable would compute.
    for (const [gauge, field, divisor] of [
      [this.#runqDelay, 'runq_delay_ms', 1000],
      [this.#cpu, 'cpu_cores', 1],
      [this.#processes, 'processes', 1],
    ] as const) {
      gauge.reset()
      for (const role of ROLES) {
        const value = pass.variables[`wl.${role}.${field}`]
        if (typeof value === 'number' && Number.isFinite(value)) gauge.set({ role }, value / divisor)
      }
    }
  }

  /** What the approved actions of one tick came to. */
  observeActuations(results: readonly LiveActionResult[]): void {
    for (const r of results) this.#actuations.inc({ kind: r.kind, outcome: r.status })
  }
}
