// Reading an experience store: the query API (by time, by rule, by action kind, by run), the
// totals `gamesa experience stats` shows, and a streaming walk for export and analysis.
// Read-only and lock-free: WAL gives a reader a consistent snapshot while a writer goes on.
import type Database from 'better-sqlite3'
import { GamesaError } from '../../errors.js'
import { openDatabase, sqliteError } from './open.js'
import { SCHEMA_VERSION, checkStore } from './schema.js'
import { usedBytes } from './retention.js'
import type { ExperienceAction, ExperienceFiring, ExperienceRun, ExperienceSource, ExperienceTick } from './types.js'

/** Which ticks a query selects; every bound is optional, and all given must hold. */
export interface ExperienceQuery {
  /** Ticks at or after this time, ms. */
  fromMs?: number
  /** Ticks before this time, ms. */
  toMs?: number
  /** Ticks of this run. */
  run?: number
  /** Ticks where this rule fired (active or shadow) or proposed an action. */
  rule?: string
  /** Ticks with an action of this kind (approved or rejected). */
  action?: string
  /** At most this many ticks (default all). */
  limit?: number
}

/** Totals of a store. */
export interface ExperienceStats {
  path: string
  schemaVersion: number
  /** Ticks stored. */
  rows: number
  runs: number
  /** Bytes of the file's used pages. */
  bytes: number
  firstMs: number | null
  lastMs: number | null
  reward: { count: number; mean: number | null; min: number | null; max: number | null }
  actions: { approved: number; rejected: number; applied: number; dryRun: number; failed: number }
  firings: { active: number; shadow: number }
  emergencyTicks: number
  /** Per run: id, source, label, ticks. */
  perRun: (ExperienceRun & { ticks: number })[]
}

interface TickRow {
  id: number
  run: number
  tick: number
  time_ms: number
  emergency: number
  state: string
  violations: string
  reward: number | null
  reward_error: string | null
}

interface FiringRow {
  rule: string
  mode: 'active' | 'shadow'
  held: number
  domain?: string | null
  kind?: string | null
  target?: string | null
}

interface ActionRow {
  tick_id: number
  rule: string
  kind: string
  target: string
  agent: string | null
  decision: 'approved' | 'rejected'
  reason: string | null
  value: number | null
  previous: number | null
  outcome: ExperienceAction['outcome']
  detail: string | null
}

function finiteOption(name: string, value: unknown): void {
  if (value !== undefined && (typeof value !== 'number' || Number.isNaN(value))) {
    throw new GamesaError('INVALID_ARGUMENT', `query.${name} must be a number, got ${String(value)}`)
  }
}

/** A read-only view of an experience store. */
export class ExperienceReader {
  readonly path: string
  readonly schemaVersion: number
  private readonly db: Database.Database

  /** Same as {@link ExperienceReader.open}. */
  constructor(path: string) {
    this.path = path
    this.db = openDatabase(path, true)
    try {
      this.schemaVersion = checkStore(this.db, path)
      if (this.schemaVersion === 0) throw new GamesaError('EXPERIENCE_INVALID', `${path}: an empty file, not an experience store`, { path })
    } catch (err) {
      this.db.close()
      throw sqliteError(err, path, 'reading the schema')
    }
  }

  /** Opens the store at `path` to read. Errors: EXPERIENCE_INVALID, IO_ERROR (missing file). */
  static open(path: string): ExperienceReader {
    if (typeof path !== 'string' || path === '') throw new GamesaError('INVALID_ARGUMENT', 'path must be a file name')
    return new ExperienceReader(path)
  }

  close(): void {
    this.db.close()
  }

  /** The runs, oldest first. */
  runs(): ExperienceRun[] {
    const rows = this.#all<{ id: number; source: ExperienceSource; label: string; reward: string | null; config: string | null; started_ms: number }>('SELECT * FROM runs ORDER BY id')
    return rows.map((r) => ({
      id: r.id,
      source: r.source,
      label: r.label,
      startedMs: r.started_ms,
      ...(r.reward === null ? {} : { reward: r.reward }),
      ...(r.config === null ? {} : { config: r.config }),
    }))
  }

  /** The ticks `query` selects, in the order they were recorded. */
  ticks(query: ExperienceQuery = {}): ExperienceTick[] {
    return [...this.iterate(query)]
  }

  /** The ticks `query` selects, one at a time (for stores too large to hold). */
  *iterate(query: ExperienceQuery = {}): Generator<ExperienceTick> {
    if (typeof query !== 'object' || query === null) throw new GamesaError('INVALID_ARGUMENT', 'query must be an object')
    finiteOption('fromMs', query.fromMs)
    finiteOption('toMs', query.toMs)
    finiteOption('run', query.run)
    if (query.limit !== undefined && (!Number.isInteger(query.limit) || query.limit < 0)) {
      throw new GamesaError('INVALID_ARGUMENT', `query.limit must be a whole number >= 0, got ${String(query.limit)}`)
    }
    for (const k of ['rule', 'action'] as const) {
      if (query[k] !== undefined && typeof query[k] !== 'string') throw new GamesaError('INVALID_ARGUMENT', `query.${k} must be a string`)
    }
    const where: string[] = []
    const params: (string | number)[] = []
    const bound = (clause: string, value: string | number) => {
      where.push(clause)
      params.push(value)
    }
    if (query.fromMs !== undefined) bound('t.time_ms >= ?', query.fromMs)
    if (query.toMs !== undefined) bound('t.time_ms < ?', query.toMs)
    if (query.run !== undefined) bound('t.run = ?', query.run)
    if (query.rule !== undefined) {
      where.push('(t.id IN (SELECT tick_id FROM firings WHERE rule = ?) OR t.id IN (SELECT tick_id FROM actions WHERE rule = ?))')
      params.push(query.rule, query.rule)
    }
    if (query.action !== undefined) bound('t.id IN (SELECT tick_id FROM actions WHERE kind = ?)', query.action)
    const sql = `SELECT t.* FROM ticks t${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY t.id${query.limit !== undefined ? ` LIMIT ${query.limit}` : ''}`
    const actionsOf = this.db.prepare('SELECT * FROM actions WHERE tick_id = ? ORDER BY rowid')
    // Version 2 files (read, never migrated, by a reader) have no domain, kind or target.
    const firingsOf = this.db.prepare(
      `SELECT rule, mode, held${this.schemaVersion >= 3 ? ', domain, kind, target' : ''} FROM firings WHERE tick_id = ? ORDER BY rowid`,
    )
    let rows: IterableIterator<unknown>
    try {
      rows = this.db.prepare(sql).iterate(...params)
    } catch (err) {
      throw sqliteError(err, this.path, 'querying')
    }
    for (const raw of rows) {
      const t = raw as TickRow
      const actions = (actionsOf.all(t.id) as ActionRow[]).map(toAction)
      const firings = (firingsOf.all(t.id) as FiringRow[]).map((f): ExperienceFiring => {
        const out: ExperienceFiring = { rule: f.rule, mode: f.mode, held: f.held === 1 }
        if (f.domain) out.domain = f.domain
        if (f.kind) out.kind = f.kind
        if (f.target) out.target = f.target
        return out
      })
      yield {
        run: t.run,
        tick: t.tick,
        timeMs: t.time_ms,
        emergency: t.emergency === 1,
        state: JSON.parse(t.state) as ExperienceTick['state'],
        firings,
        actions,
        violations: JSON.parse(t.violations) as ExperienceTick['violations'],
        reward: t.reward,
        ...(t.reward_error === null ? {} : { rewardError: t.reward_error }),
      }
    }
  }

  /** Totals: rows, runs, time span, reward, actions by decision and outcome, firings. */
  stats(): ExperienceStats {
    const one = <T>(sql: string): T => this.db.prepare(sql).get() as T
    const ticks = one<{ rows: number; first: number | null; last: number | null; emergency: number | null }>(
      'SELECT count(*) AS rows, min(time_ms) AS first, max(time_ms) AS last, sum(emergency) AS emergency FROM ticks',
    )
    const reward = one<{ count: number; mean: number | null; min: number | null; max: number | null }>(
      'SELECT count(reward) AS count, avg(reward) AS mean, min(reward) AS min, max(reward) AS max FROM ticks',
    )
    const byOutcome = new Map(this.#all<{ outcome: string; n: number }>('SELECT outcome, count(*) AS n FROM actions GROUP BY outcome').map((r) => [r.outcome, r.n]))
    const byMode = new Map(this.#all<{ mode: string; n: number }>('SELECT mode, count(*) AS n FROM firings GROUP BY mode').map((r) => [r.mode, r.n]))
    const perRunTicks = new Map(this.#all<{ run: number; n: number }>('SELECT run, count(*) AS n FROM ticks GROUP BY run').map((r) => [r.run, r.n]))
    const runs = this.runs()
    const rejected = byOutcome.get('rejected') ?? 0
    const applied = byOutcome.get('applied') ?? 0
    const dryRun = byOutcome.get('dry_run') ?? 0
    const failed = byOutcome.get('failed') ?? 0
    return {
      path: this.path,
      schemaVersion: this.schemaVersion,
      rows: ticks.rows,
      runs: runs.length,
      bytes: usedBytes(this.db),
      firstMs: ticks.first,
      lastMs: ticks.last,
      reward,
      actions: { approved: applied + dryRun + failed, rejected, applied, dryRun, failed },
      firings: { active: byMode.get('active') ?? 0, shadow: byMode.get('shadow') ?? 0 },
      emergencyTicks: ticks.emergency ?? 0,
      perRun: runs.map((r) => ({ ...r, ticks: perRunTicks.get(r.id) ?? 0 })),
    }
  }

  /** Runs `PRAGMA integrity_check`: 'ok' or SQLite's list of problems. */
  integrityCheck(): string {
    const rows = this.db.pragma('integrity_check') as { integrity_check: string }[]
    return rows.map((r) => r.integrity_check).join('; ')
  }

  #all<T>(sql: string): T[] {
    try {
      return this.db.prepare(sql).all() as T[]
    } catch (err) {
      throw sqliteError(err, this.path, 'reading')
    }
  }
}

function toAction(a: ActionRow): ExperienceAction {
  const out: ExperienceAction = { rule: a.rule, kind: a.kind, target: a.target, decision: a.decision, outcome: a.outcome }
  if (a.agent !== null) out.agent = a.agent
  if (a.reason !== null) out.reason = a.reason
  if (a.value !== null) out.value = a.value
  if (a.previous !== null) out.previous = a.previous
  if (a.detail !== null) out.detail = a.detail
  return out
}

export { SCHEMA_VERSION }
