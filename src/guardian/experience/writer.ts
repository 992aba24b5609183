// The experience store's writer: one process at a time appends ticks to one SQLite file.
//
// Durability: the file is in WAL mode and rows go in batches, one transaction each, when the
// batch is full or when the oldest buffered row has waited `flushIntervalMs`. A committed
// batch is in the WAL, which the kernel keeps when the process is killed (SIGKILL included),
// so a kill loses at most the rows still buffered: the last batch. `synchronous = NORMAL`
// makes a power cut (not a kill) lose the last commits too, never corrupt the file.
//
// One writer: the file itself is locked (flock, the same lock as the audit file and the
// journal), held until close or the end of the process; a second writer gets
// EXPERIENCE_LOCKED. Readers (`ExperienceReader`) need no lock: WAL gives them a snapshot.
import type Database from 'better-sqlite3'
import { NativeFileLock } from '../../../index.js'
import { GamesaError } from '../../errors.js'
import { openDatabase, sqliteError } from './open.js'
import { migrate } from './schema.js'
import { type Retention, applyRetention, checkRetention } from './retention.js'
import type { ExperienceSource, ExperienceTick } from './types.js'

/** How a writer batches and what it keeps. */
export interface ExperienceWriterOptions {
  /** Rows per batch (default 64). */
  batchSize?: number
  /** The longest a row waits before its batch is written, ms (default 1000). */
  flushIntervalMs?: number
  /** What to keep (default: everything). */
  retention?: Retention
}

/** A row before it has a run: what {@link ExperienceWriter.append} takes. */
export type ExperienceRow = Omit<ExperienceTick, 'run'>

const DEFAULT_BATCH = 64
const DEFAULT_INTERVAL_MS = 1000

function positiveInteger(name: string, value: unknown, fallback: number, max: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw new GamesaError('INVALID_ARGUMENT', `${name} must be a whole number from 1 to ${max}, got ${String(value)}`)
  }
  return value
}

/** Appends ticks to an experience store. */
export class ExperienceWriter {
  readonly path: string
  readonly batchSize: number
  readonly flushIntervalMs: number
  /** Rows written (committed) by this writer so far. */
  written = 0
  private readonly db: Database.Database
  private lock: NativeFileLock | undefined
  private readonly retention: Retention
  private readonly buffer: { run: number; row: ExperienceRow; recordedMs: number }[] = []
  private readonly timer: NodeJS.Timeout
  private firstBufferedMs = 0
  private closed = false
  private readonly insertTick: Database.Statement
  private readonly insertAction: Database.Statement
  private readonly insertFiring: Database.Statement
  private readonly insertRun: Database.Statement
  private readonly writeBatch: (rows: ExperienceWriter['buffer']) => void

  /** Same as {@link ExperienceWriter.open}. */
  constructor(path: string, options: ExperienceWriterOptions = {}) {
    this.path = path
    this.batchSize = positiveInteger('batchSize', options.batchSize, DEFAULT_BATCH, 1_000_000)
    this.flushIntervalMs = positiveInteger('flushIntervalMs', options.flushIntervalMs, DEFAULT_INTERVAL_MS, 86_400_000)
    this.retention = checkRetention(options.retention)
    try {
      this.lock = new NativeFileLock(path)
    } catch (err) {
      const code = (err as { code?: unknown }).code
      if (code === 'FILE_LOCKED') {
        throw new GamesaError('EXPERIENCE_LOCKED', `${path}: another process is writing this experience store (one writer at a time)`, { path, cause: err })
      }
      throw err
    }
    let db: Database.Database | undefined
    try {
      db = openDatabase(path, false)
      // Set before the first table exists (it cannot change later without a VACUUM), so
      // retention by size can give pages back to the file system.
      if ((db.pragma('page_count', { simple: true }) as number) === 0) db.pragma('auto_vacuum = INCREMENTAL')
      db.pragma('journal_mode = WAL')
      db.pragma('synchronous = NORMAL')
      db.pragma('foreign_keys = ON')
      migrate(db, path)
      this.db = db
      this.insertRun = db.prepare('INSERT INTO runs (source, label, reward, config, started_ms) VALUES (?, ?, ?, ?, ?)')
      this.insertTick = db.prepare(
        'INSERT INTO ticks (run, tick, time_ms, recorded_ms, emergency, state, violations, reward, reward_error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      )
      this.insertAction = db.prepare(
        'INSERT INTO actions (tick_id, rule, kind, target, agent, decision, reason, value, previous, outcome, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      )
      this.insertFiring = db.prepare('INSERT INTO firings (tick_id, rule, mode, held, domain, kind, target) VALUES (?, ?, ?, ?, ?, ?, ?)')
    } catch (err) {
      db?.close()
      this.lock.release()
      throw sqliteError(err, path, 'opening')
    }
    this.writeBatch = this.db.transaction((rows: ExperienceWriter['buffer']) => {
      for (const { run, row, recordedMs } of rows) this.#insert(run, row, recordedMs)
    })
    // A bounded interval even when nothing more is appended (a quiet live run); unref'd so an
    // open writer never keeps the process alive.
    this.timer = setInterval(() => this.#flushIfDue(), Math.max(10, Math.floor(this.flushIntervalMs / 2)))
    this.timer.unref()
  }

  /**
   * Opens (creating or migrating) the store at `path` for writing. Errors: EXPERIENCE_LOCKED
   * (another writer), EXPERIENCE_INVALID (not a store, or a newer schema), IO_ERROR.
   */
  static open(path: string, options: ExperienceWriterOptions = {}): ExperienceWriter {
    if (typeof path !== 'string' || path === '') throw new GamesaError('INVALID_ARGUMENT', 'path must be a file name')
    if (typeof options !== 'object' || options === null) throw new GamesaError('INVALID_ARGUMENT', 'options must be an object')
    return new ExperienceWriter(path, options)
  }

  /** Starts a run (with the engine configuration it runs under, as JSON text); its id goes with each row appended for it. Written at once. */
  beginRun(source: ExperienceSource, label: string, reward?: string, config?: string): number {
    this.#ensureOpen()
    try {
      const info = this.insertRun.run(source, label, reward ?? null, config ?? null, Date.now())
      return Number(info.lastInsertRowid)
    } catch (err) {
      throw sqliteError(err, this.path, 'starting a run')
    }
  }

  /** Buffers one tick of `run`; the batch is written when full or due. */
  append(run: number, row: ExperienceRow): void {
    this.#ensureOpen()
    const now = Date.now()
    if (this.buffer.length === 0) this.firstBufferedMs = now
    this.buffer.push({ run, row, recordedMs: now })
    if (this.buffer.length >= this.batchSize || now - this.firstBufferedMs >= this.flushIntervalMs) this.flush()
  }

  /** Writes the buffered rows as one transaction (then applies retention). Returns how many. */
  flush(): number {
    this.#ensureOpen()
    if (this.buffer.length === 0) return 0
    const rows = this.buffer.splice(0)
    try {
      this.writeBatch(rows)
    } catch (err) {
      throw sqliteError(err, this.path, 'writing a batch')
    }
    this.written += rows.length
    if (this.retention.maxAgeMs !== undefined || this.retention.maxRows !== undefined || this.retention.maxBytes !== undefined) {
      applyRetention(this.db, this.retention, Date.now())
    }
    return rows.length
  }

  /** Rows buffered, not yet written. */
  get pending(): number {
    return this.buffer.length
  }

  /** Writes what is buffered, checkpoints the WAL into the file, and releases the lock. */
  close(): void {
    if (this.closed) return
    clearInterval(this.timer)
    try {
      this.flush()
      this.db.pragma('wal_checkpoint(TRUNCATE)')
    } finally {
      this.closed = true
      this.db.close()
      this.lock?.release()
      this.lock = undefined
    }
  }

  #flushIfDue(): void {
    if (!this.closed && this.buffer.length > 0 && Date.now() - this.firstBufferedMs >= this.flushIntervalMs) {
      try {
        this.flush()
      } catch (err) {
        // A timer has no caller to throw to: keep the rows for the next flush, which reports it.
        process.emitWarning(`experience store ${this.path}: ${err instanceof Error ? err.message : String(err)}`)
      }
    }
  }

  #ensureOpen(): void {
    if (this.closed) throw new GamesaError('INVALID_ARGUMENT', `${this.path}: the experience writer is closed`)
  }

  #insert(run: number, row: ExperienceRow, recordedMs: number): void {
    const info = this.insertTick.run(
      run,
      row.tick,
      row.timeMs,
      recordedMs,
      row.emergency ? 1 : 0,
      JSON.stringify(row.state),
      JSON.stringify(row.violations),
      row.reward,
      row.rewardError ?? null,
    )
    const id = info.lastInsertRowid
    for (const a of row.actions) {
      this.insertAction.run(id, a.rule, a.kind, a.target, a.agent ?? null, a.decision, a.reason ?? null, a.value ?? null, a.previous ?? null, a.outcome, a.detail ?? null)
    }
    for (const f of row.firings) this.insertFiring.run(id, f.rule, f.mode, f.held ? 1 : 0, f.domain ?? null, f.kind ?? null, f.target ?? null)
  }
}
