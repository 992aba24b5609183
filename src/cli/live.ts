// The live side of `gamesa run` and `gamesa exec`: the workloads of real processes feed the
// engine their `wl.*` variables before each tick, and the tick's approved actions become their
// settings (only with --apply; otherwise the run says what it would do). Opening, the pause
// toggle, the restore at the end and the view's lines live here so both commands share them.
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { GamesaError } from '../errors.js'
import { type RestoreReport, defaultJournalPath } from '../actuation.js'
import type { ApprovedAction } from '../engine.js'
import { type GameModeEvent, type GameModeStatus, type LiveActionResult, LiveWorkloads, type WorkloadPass, type WorkloadsConfig } from '../workloads.js'

/** What the command line says about live workloads. */
export interface LiveOptions {
  config: WorkloadsConfig
  apply: boolean
  restoreOnExit: boolean
  journal?: string
  cgroupSubtree?: string
  /** Serve GameMode's D-Bus interface (`--gamemode`): its audit file and bound. */
  gamemode?: { audit?: string; maxGames?: number }
  /**
   * How often the processes are scanned when none starts, ms (`--scan-every`; default 0:
   * every tick). A tick between two scans reuses the last scan's variables and moves nothing.
   */
  scanEveryMs?: number
}

/** Where `--gamemode` audits registrations by default: beside the journal. */
export function defaultGameModeAuditPath(journal: string | undefined): string {
  return join(dirname(journal ?? defaultJournalPath()), 'gamemode-audit.ndjson')
}

/** One line for a GameMode client's call. */
export function gameModeEventLine(e: GameModeEvent): string {
  const who = e.caller ? ` from pid ${e.caller.pid ?? '?'} (uid ${e.caller.uid})` : ''
  const what = e.outcome === 'refused' ? `refused ${e.method}${who} (returned ${e.result})` : `${e.method}${who}`
  return `gamemode: ${what}: ${e.reason}`
}

/** Where an applying run writes its pid, for `gamesa pause` / `resume`: its journal's path + `.pid` (one governor per journal, the journal's lock sees to it). */
export function runPidPath(journal: string | undefined): string {
  return `${journal ?? defaultJournalPath()}.pid`
}

/** Reads a workloads configuration file; the message names the file. */
export function readWorkloadsFile(path: string): WorkloadsConfig {
  const text = readFileSync(path, 'utf8')
  try {
    return JSON.parse(text) as WorkloadsConfig
  } catch (err) {
    throw new GamesaError('INVALID_CONFIG', `${path}: ${err instanceof Error ? err.message : String(err)}`)
  }
}

const show = (v: number | null | undefined, digits = 2) => (v === null || v === undefined ? '–' : v.toFixed(digits))

/** The live workloads of one run: scan before each tick, act after it. */
export class LiveRun {
  readonly live: LiveWorkloads
  last: WorkloadPass | undefined
  /** Whether `last` was scanned for this tick (not reused from an earlier one). */
  private fresh = false
  /** The last scan was early, for a process that started: scan on the next tick too. */
  private followUp = false
  private lastScanMs = -Infinity
  lastResults: LiveActionResult[] = []
  /** This tick's results (empty when it approved nothing). */
  private tickResults: LiveActionResult[] = []
  /** Counts by result status over the run, and moves made. */
  readonly counts = new Map<string, number>()
  moves = 0
  private readonly failures = new Set<string>()
  /** Whether this run acts on the machine (known before the journal is released). */
  readonly applying: boolean
  /** The GameMode service's status (with `--gamemode`). */
  gamemodeStatus: GameModeStatus | undefined
  /** GameMode registrations and refusals over the run. */
  gamemodeCalls = 0

  constructor(
    readonly options: LiveOptions,
    private readonly warn: (line: string) => void,
  ) {
    this.live = new LiveWorkloads(options.config, { apply: options.apply, journalPath: options.journal, cgroupSubtree: options.cgroupSubtree })
    this.applying = this.live.isLive
    if (options.gamemode) {
      try {
        this.gamemodeStatus = this.live.enableGameMode({ audit: options.gamemode.audit ?? defaultGameModeAuditPath(options.journal), maxGames: options.gamemode.maxGames })
      } catch (err) {
        this.live.close()
        throw err
      }
      // Whether it serves or someone else owns the name: a line the user must see.
      console.error(`gamesa: gamemode: ${this.gamemodeStatus.message}`)
    }
    if (this.applying) {
      try {
        writeFileSync(runPidPath(options.journal), `${process.pid}\n`, { mode: 0o644 })
      } catch (err) {
        // A problem, not progress: shown even with --quiet.
        console.error(`gamesa: cannot write ${runPidPath(options.journal)} (gamesa pause will need --pid): ${err instanceof Error ? err.message : String(err)}`)
      }
    }
    const left = this.live.leftover
    if (left !== null && left.entries > 0) {
      warn(`undid ${left.restored} changes a previous run left in ${left.journal} (${left.conflicts.length} conflicts kept)`)
    }
  }

  /**
   * One pass, or the last one's variables when it is younger than `scanEveryMs` (`nowMs`: a
   * monotonic clock, `performance.now()` by default); the variables go into `values` (they
   * replace readings of the same name).
   */
  beforeTick(values: Record<string, number>, nowMs = performance.now()): void {
    // Due at 90 % of the interval: ticks come on a fixed grid with a little jitter, and a scan
    // due at exactly 500 ms would otherwise wait for the tick after a tick 1 ms early. Due at
    // once when a process started since the last scan, and again on the tick after (a new
    // process's CPU use counts from its second pass), so new processes are classified, and
    // moved, within two ticks instead of an interval.
    const every = this.options.scanEveryMs ?? 0
    const followUp = this.followUp
    this.followUp = false
    const due = this.last === undefined || nowMs - this.lastScanMs >= 0.9 * every
    const started = every > 0 && !followUp && this.last !== undefined && this.live.processesStarted()
    if (!due && !followUp && !started) {
      this.fresh = false
      Object.assign(values, this.last?.variables)
      return
    }
    this.followUp = started
    this.scan(values, nowMs)
  }

  /** One pass now, whatever `scanEveryMs` says; its variables go into `values`. */
  scan(values: Record<string, number>, nowMs = performance.now()): void {
    this.lastScanMs = nowMs
    this.fresh = true
    const pass = this.live.pass()
    this.last = pass
    this.moves += pass.moves.length
    for (const m of pass.moves) {
      const o = m.outcome
      const what = m.setting === 'group' ? `move of ${m.comm} (${m.pid}) into ${m.role}` : `${m.setting} of ${m.comm} (${m.pid}, ${m.role})`
      if (o === null) this.once(`${what}: ${m.code}: ${m.message}`)
      else if (o.outcome === 'refused' || o.outcome === 'conflict') this.once(`${what}: ${o.outcome}${o.message ? `: ${o.message}` : ''}`)
    }
    const gm = pass.gamemode
    if (gm) {
      if (gm.statusChanged) console.error(`gamesa: gamemode: ${gm.status.message}`)
      // A conflict is a problem, not progress: shown even with --quiet.
      for (const other of gm.conflicts) console.error(`gamesa: gamemode: conflict: ${other} also asked for com.feralinteractive.GameMode (a gamemoded started after gamesa?); gamesa keeps it until it stops`)
      this.gamemodeStatus = gm.status
      this.gamemodeCalls += gm.events.length
      for (const e of gm.events) this.warn(gameModeEventLine(e))
    }
    for (const r of pass.released ?? []) {
      const how = r.code ? `${r.code}: ${r.message}` : r.exited > 0 && r.restored === 0 ? 'it exited' : `${r.restored} settings restored${r.conflicts > 0 ? `, ${r.conflicts} conflicts kept` : ''}`
      this.warn(`process ${r.pid} left the priority workload: ${how}`)
    }
    Object.assign(values, pass.variables)
  }

  /** The tick's approved actions: the live kinds become settings, the rest are ignored. */
  afterTick(approved: ReadonlyArray<Pick<ApprovedAction, 'kind' | 'target' | 'value'>>): void {
    this.tickResults = []
    if (approved.length === 0) return
    this.lastResults = this.live.apply(approved).filter((r) => r.status !== 'ignored')
    this.tickResults = this.lastResults
    for (const r of this.lastResults) {
      this.counts.set(r.status, (this.counts.get(r.status) ?? 0) + 1)
      if (r.status === 'error' || r.status === 'refused') this.once(`${r.kind} ${r.target} = ${r.value}: ${r.status}: ${r.message ?? JSON.stringify(r.outcomes.at(-1))}`)
    }
  }

  /** SIGUSR1 (`gamesa pause`): restore everything and ignore actions. Returns the line to show. */
  pause(): string {
    const r = this.live.pause()
    return `paused: ${r.restored} settings restored; nothing is applied until SIGUSR2 (gamesa resume)`
  }

  /** SIGUSR2 (`gamesa resume`): act again on the next approved actions. */
  resume(): string {
    const back = this.live.resume()
    const applied = back.filter((r) => r.status === 'applied').length
    return `resumed: ${applied} of ${back.length} settings applied again; acting on approved actions`
  }

  /** The end of the run: restore (unless told not to) and release the journal. */
  finish(): RestoreReport | undefined {
    let report: RestoreReport | undefined
    try {
      if (this.applying && this.options.restoreOnExit) report = this.live.restore()
    } finally {
      this.live.close()
      if (this.applying) this.removePidFile()
    }
    return report
  }

  /** The view's lines: the workloads, their settings, and what the last actions came to. */
  lines(): string[] {
    const p = this.last
    if (!p) return []
    const mode = this.applying ? 'applying' : 'dry run: would apply'
    const out = [`live workloads (${p.scanned} processes scanned; ${mode})`]
    for (const role of ['priority', 'background'] as const) {
      const v = (f: string) => p.variables[`wl.${role}.${f}`]
      const members = p.processes.filter((x) => x.role === role)
      const names = [...new Set(members.map((x) => x.comm))].slice(0, 6).join(', ')
      const s = p.settings[role]
      const setting = s ? ` · weight ${s.cpuWeight ?? 'default'}${s.cpuQuotaCores !== null ? ` · quota ${s.cpuQuotaCores} cores` : ''}${s.cpuIdle ? ' · cpu.idle' : ''}${s.cpus ? ` · cpus ${s.cpus.join(',')}` : ''}${s.nice !== null ? ` · nice ${s.nice}` : ''}${s.schedPolicy ? ` · ${s.schedPolicy}` : ''} · ${s.members} in group` : ''
      out.push(`  ${role.padEnd(10)} ${String(members.length).padStart(4)} proc · ${show(v('cpu_cores'))} cores · runq ${show(v('runq_delay_ms'), 3)} ms${setting}${names ? ` · ${names}` : ''}`)
    }
    if (p.gamemode) {
      const g = p.gamemode
      const games = g.games.map((x) => x.pid).join(', ')
      out.push(`  gamemode   ${g.status.serving ? 'serving' : 'not serving'} · ${g.games.length} games${games ? `: ${games}` : ''}${g.status.other ? ` · ${g.status.serving ? 'waiting for the name' : 'name owned by'}: ${g.status.other}` : ''}`)
    }
    const machine = Object.entries(p.machine)
    if (machine.length > 0) out.push(`  machine    ${machine.map(([k, v]) => `${k} = ${v}`).join(' · ')}`)
    if (p.paused) out.push('  paused (SIGUSR2 or gamesa resume acts again)')
    for (const r of this.lastResults.slice(0, 4)) out.push(`  ${r.kind} ${r.target} = ${r.value}: ${r.status}${r.message ? ` (${r.message})` : ''}`)
    return out
  }

  /**
   * A `--json` line: the engine's output (`tickJson`'s text, one object) with `live` added —
   * what this tick's approved actions came to, the pass's moves, the settings in force.
   */
  jsonLine(engineText: string): string {
    const p = this.last
    const live = {
      applying: this.applying,
      paused: p?.paused ?? false,
      results: this.tickResults,
      // A reused pass's moves were made, and said, in the tick that scanned.
      moves: this.fresh ? (p?.moves ?? []) : [],
      settings: p?.settings ?? {},
      machine: p?.machine ?? {},
    }
    const end = engineText.lastIndexOf('}')
    return `${engineText.slice(0, end)},"live":${JSON.stringify(live)}}`
  }

  /** One line for the closing summary. */
  summary(): string {
    const counts = [...this.counts].map(([k, n]) => `${n} ${k}`).join(', ')
    const gm = this.gamemodeStatus ? `; gamemode: ${this.gamemodeCalls} registrations and refusals` : ''
    return `live: ${this.moves} processes moved into groups${counts ? `; actions: ${counts}` : ''}${gm}`
  }

  private removePidFile(): void {
    const path = runPidPath(this.options.journal)
    try {
      if (readFileSync(path, 'utf8').trim() === String(process.pid)) rmSync(path)
    } catch {
      // already gone
    }
  }

  private once(line: string): void {
    if (this.failures.has(line)) return
    this.failures.add(line)
    this.warn(line)
  }
}
