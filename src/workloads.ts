// Live workloads of real processes (crates/gamesa-host/src/workloads): which processes are the
// priority workload and the background, what they use (the `wl.*` variables the engine reads,
// under the simulator's names), and the settings the engine's approved actions give them.
// Scanning, classification and actuation are native; this file types the reports.
import { NativeLiveWorkloads } from '../index.js'
import type { RestoreReport } from './actuation.js'
import type { ApprovedAction } from './engine.js'
import { rejectUnknownOptions } from './options.js'

/** One selector: every field given must match (docs/workloads.md). */
export interface WorkloadSelector {
  /** `comm` (first 15 bytes) or executable file name, any of these. */
  name?: string[]
  /** A regular expression (Rust `regex` syntax) found in the command line. */
  cmdline?: string
  /** The process's group is this path or below it (as /proc/PID/cgroup shows it). */
  cgroup?: string
  /** Effective uid. */
  uid?: number
  pid?: number
  /** A file holding the pid, read again on every pass. */
  pidfile?: string
}

/** A named workload: processes any selector matches, their threads and (by default) descendants. */
export interface WorkloadDefinition {
  name: string
  priority?: boolean
  select: WorkloadSelector[]
  /** Descendants follow their parent, also those started later (default true). */
  children?: boolean
}

/** A workloads configuration: the named workloads and names never classified. */
export interface WorkloadsConfig {
  workloads?: WorkloadDefinition[]
  /** `comm` names (a trailing `*` matches a prefix) added to the default exclusion list. */
  exclude?: string[]
  noDefaultExclude?: boolean
}

/** What a process was classified as. */
export type WorkloadRole = 'priority' | 'background'

/** A priority or background process of one pass. */
export interface WorkloadProcess {
  pid: number
  /** Clock ticks since boot (`/proc/PID/stat` field 22): with the pid, the identity. */
  startTime: number
  ppid: number
  comm: string
  threads: number
  /** CPU used over the last interval, cores; null on a process's first pass. */
  cpuCores: number | null
  /** The named workload it belongs to, if any. */
  workload: string | null
  role: WorkloadRole
}

/** What one actuator change came to (`outcome`: applied, dry_run, refused, process_gone, conflict). */
export interface ActuationOutcome {
  outcome: 'applied' | 'dry_run' | 'refused' | 'process_gone' | 'conflict'
  writes?: number
  target?: Record<string, unknown>
  errno?: number | null
  message?: string
  ours?: unknown
  current?: unknown
}

/** A process moved into its role's group on a pass, or given its role's nice value or scheduling policy (dry run: would be); `code` and `message` when the change could not be made at all. */
export interface WorkloadMove {
  pid: number
  comm: string
  role: WorkloadRole
  /** What was set. */
  setting: 'group' | 'nice' | 'sched_policy' | 'affinity'
  outcome: ActuationOutcome | null
  code: string | null
  message: string | null
}

/** What the governor set on a role's group. */
export interface RoleSettings {
  cpuWeight: number | null
  cpuQuotaCores: number | null
  /** `cpu.idle` of the group. */
  cpuIdle: boolean | null
  /** The group's `cpuset.cpus` (`pin_cores`). */
  cpus: number[] | null
  /** The nice value and scheduling policy every thread of the role's processes gets. */
  nice: number | null
  schedPolicy: 'other' | 'batch' | 'idle' | null
  /** Processes moved into the group, alive. */
  members: number
}

/** How to start the GameMode-compatible service ({@link LiveWorkloads.enableGameMode}). */
export interface GameModeOptions {
  /** The bus address (default: the session bus, `DBUS_SESSION_BUS_ADDRESS`). */
  address?: string
  /** The most games registered at once, 1 to 4096 (default 32). */
  maxGames?: number
  /** The audit file registrations are recorded in (hash-chained NDJSON); default memory only. */
  audit?: string
}

/** Where the GameMode service stands. */
export interface GameModeStatus {
  /** This process owns `com.feralinteractive.GameMode` and answers its clients. */
  serving: boolean
  /** Who owns the name when this process does not, or who waits for it while it does. */
  other: string | null
  message: string
}

/** Who called, as the bus vouches for the connection. */
export interface GameModeCaller {
  uid: number
  pid: number | null
}

/** A registered game. */
export interface GameModeGame {
  pid: number
  startTime: number
  uid: number
  /** The process that asked (the game, or a launcher with the `…ByPID` variants). */
  requester: number
  caller: GameModeCaller
}

/** What a GameMode client's call came to (each is in the service's audit trail). */
export interface GameModeEvent {
  /** The D-Bus method, or `expired` for a game that exited without unregistering. */
  method: string
  outcome: 'registered' | 'unregistered' | 'refused' | 'expired'
  pid: number
  requester: number
  caller: GameModeCaller | null
  /** What the method returned (GameMode's codes: 0 done, -1 refused). */
  result: number
  reason: string
  auditSeq: number | null
}

/** The GameMode service on one pass. */
export interface GameModeReport {
  status: GameModeStatus
  /** The status changed on this pass (the name was free and taken). */
  statusChanged: boolean
  /** Others that asked for the name while this process serves it (`pid N`, or a bus name). */
  conflicts: string[]
  events: GameModeEvent[]
  games: GameModeGame[]
}

/** A process that left the priority workload and had its settings restored. */
export interface ReleasedProcess {
  pid: number
  restored: number
  exited: number
  conflicts: number
  code: string | null
  message: string | null
}

/** One pass over the live processes. */
export interface WorkloadPass {
  /** Milliseconds since the previous pass; null on the first. */
  intervalMs: number | null
  /** Processes read. */
  scanned: number
  processes: WorkloadProcess[]
  /** `wl.<name>.*`, `wl.priority.*`, `wl.background.*` (docs/workloads.md). */
  variables: Record<string, number>
  moves: WorkloadMove[]
  settings: Partial<Record<WorkloadRole, RoleSettings>>
  /** Machine-wide settings in force, by `"<kind> <target>"` (`"set_cpu_freq_max cpu"`), in the engine's units. */
  machine: Record<string, number>
  paused: boolean
  /** With the GameMode service on. */
  gamemode?: GameModeReport
  /** Processes that left the priority workload on this pass (GameMode service on). */
  released?: ReleasedProcess[]
}

/** What became of one approved action. */
export interface LiveActionResult {
  kind: string
  target: string
  value: number
  status: 'applied' | 'dry_run' | 'refused' | 'gone' | 'conflict' | 'ignored' | 'error'
  outcomes: ActuationOutcome[]
  code: string | null
  message: string | null
}

/** How to open {@link LiveWorkloads}. */
export interface LiveWorkloadsOptions {
  /** Act on the machine (default false: dry run). Needs CAP_SYS_NICE and CAP_SYS_ADMIN. */
  apply?: boolean
  /** The actuation journal (default `defaultJournalPath()`). */
  journalPath?: string
  /** The governor's cgroup subtree under each hierarchy's root (default `gamesa`). */
  cgroupSubtree?: string
}

/**
 * Live workloads: each {@link pass} scans /proc, classifies every process as priority or
 * background, moves processes into their role's group once it has settings, and returns the
 * variables for the engine; {@link apply} turns approved actions into settings: of the roles'
 * groups (`set_cpu_weight`, `set_cpu_quota`, `set_cpu_idle`, `pin_cores`), of their processes
 * (`set_nice`, `set_sched_policy`), of the machine (`set_cpu_power_limit`, `set_cpu_freq_max`,
 * `set_gpu_power_limit`); docs/workloads.md. Dry run unless `apply: true`.
 */
export class LiveWorkloads {
  readonly #native: NativeLiveWorkloads
  /** What opening the journal undid (a crashed run's leftovers); null for a dry run. */
  readonly leftover: RestoreReport | null

  constructor(config: WorkloadsConfig, options: LiveWorkloadsOptions = {}) {
    rejectUnknownOptions(options, ['apply', 'journalPath', 'cgroupSubtree'], 'LiveWorkloads options', 'INVALID_ARGUMENT')
    this.#native = new NativeLiveWorkloads(JSON.stringify(config), options.apply === true, options.journalPath, options.cgroupSubtree)
    const leftover = this.#native.leftoverJson()
    this.leftover = leftover === null || leftover === undefined ? null : (JSON.parse(leftover) as RestoreReport)
  }

  /** Whether this acts on the machine. */
  get isLive(): boolean {
    return this.#native.isLive()
  }

  pass(): WorkloadPass {
    return JSON.parse(this.#native.passJson()) as WorkloadPass
  }

  /**
   * Whether a process or thread started since the last {@link pass} listed `/proc` (one read
   * of `/proc/loadavg`): a caller that passes less often than it ticks passes early then.
   */
  processesStarted(): boolean {
    return this.#native.processesStarted()
  }

  /** Applies approved actions (others than the live kinds and targets come back `ignored`). */
  apply(actions: ReadonlyArray<Pick<ApprovedAction, 'kind' | 'target' | 'value'>>): LiveActionResult[] {
    const plain = actions.map(({ kind, target, value }) => ({ kind, target, value }))
    return JSON.parse(this.#native.applyJson(JSON.stringify(plain))) as LiveActionResult[]
  }

  /**
   * Serves GameMode's D-Bus interface: the processes its clients (gamemoderun, libgamemode)
   * register join the priority workload from the next {@link pass}, and leave it (their
   * settings restored) when they unregister or exit. `GAMEMODE_UNAVAILABLE` without a bus; a
   * name another process owns is not taken (the status says so). docs/gamemode.md.
   */
  enableGameMode(options: GameModeOptions = {}): GameModeStatus {
    rejectUnknownOptions(options, ['address', 'maxGames', 'audit'], 'GameMode options', 'INVALID_ARGUMENT')
    return JSON.parse(this.#native.enableGamemodeJson(JSON.stringify(options))) as GameModeStatus
  }

  /** Undoes every change to its exact previous value. */
  restore(): RestoreReport {
    return JSON.parse(this.#native.restoreJson()) as RestoreReport
  }

  /** Restores everything and ignores actions until {@link resume}. */
  pause(): RestoreReport {
    return JSON.parse(this.#native.pauseJson()) as RestoreReport
  }

  /** Acts again after {@link pause}: the settings in force before it are applied anew. */
  resume(): LiveActionResult[] {
    return JSON.parse(this.#native.resumeJson()) as LiveActionResult[]
  }

  /** Releases the journal; call {@link restore} first unless the settings should stay. */
  close(): void {
    this.#native.close()
  }
}

/** The configuration of `gamesa run --protect NAME...`: one priority workload selected by name. */
export function protectConfig(names: string[]): WorkloadsConfig {
  return { workloads: [{ name: 'protected', priority: true, select: [{ name: names }] }] }
}
