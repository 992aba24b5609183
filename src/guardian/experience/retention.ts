// Retention: the store keeps ticks by age (when they were recorded) and by size (rows, bytes),
// dropping the oldest first. Run after each batch, so a long live run stays within bounds.
import type Database from 'better-sqlite3'
import { GamesaError } from '../../errors.js'

/** What a store keeps; each bound is optional. */
export interface Retention {
  /** Drop ticks recorded longer ago than this, ms. */
  maxAgeMs?: number
  /** Keep at most this many ticks (the newest). */
  maxRows?: number
  /** Keep the file's used pages under this many bytes (the newest ticks stay). */
  maxBytes?: number
}

/** Checks the bounds (`INVALID_ARGUMENT` naming the bad one). */
export function checkRetention(retention: Retention | undefined): Retention {
  if (retention === undefined) return {}
  if (typeof retention !== 'object' || retention === null) throw new GamesaError('INVALID_ARGUMENT', 'retention must be an object')
  for (const key of ['maxAgeMs', 'maxRows', 'maxBytes'] as const) {
    const v = retention[key]
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)) {
      throw new GamesaError('INVALID_ARGUMENT', `retention.${key} must be a number > 0, got ${String(v)}`)
    }
  }
  if (retention.maxBytes !== undefined && retention.maxBytes < 65536) {
    throw new GamesaError('INVALID_ARGUMENT', `retention.maxBytes must be at least 65536 (the schema alone takes pages), got ${retention.maxBytes}`)
  }
  return { ...retention }
}

/** The bytes the file's used pages take. */
export function usedBytes(db: Database.Database): number {
  const pages = db.pragma('page_count', { simple: true }) as number
  const free = db.pragma('freelist_count', { simple: true }) as number
  const size = db.pragma('page_size', { simple: true }) as number
  return (pages - free) * size
}

/** Drops what `retention` does not keep, as of `nowMs`. Returns the ticks dropped. */
export function applyRetention(db: Database.Database, retention: Retention, nowMs: number): number {
  let dropped = 0
  const drop = db.transaction((sql: string, ...params: number[]) => {
    dropped += db.prepare(sql).run(...params).changes
    db.prepare('DELETE FROM runs WHERE id NOT IN (SELECT DISTINCT run FROM ticks) AND id < (SELECT coalesce(max(run), 0) FROM ticks)').run()
  })
  if (retention.maxAgeMs !== undefined) drop('DELETE FROM ticks WHERE recorded_ms < ?', nowMs - retention.maxAgeMs)
  if (retention.maxRows !== undefined) {
    drop('DELETE FROM ticks WHERE id <= (SELECT max(id) FROM ticks) - ?', Math.floor(retention.maxRows))
  }
  if (retention.maxBytes !== undefined) {
    // Drop the oldest tenth (at least one tick) until the used pages fit; the pages freed go
    // back to the file system with an incremental vacuum.
    for (let guard = 0; guard < 64 && usedBytes(db) > retention.maxBytes; guard++) {
      const count = (db.prepare('SELECT count(*) AS n FROM ticks').get() as { n: number }).n
      if (count === 0) break
      drop('DELETE FROM ticks WHERE id IN (SELECT id FROM ticks ORDER BY id LIMIT ?)', Math.max(1, Math.ceil(count / 10)))
    }
  }
  if (dropped > 0) db.pragma('incremental_vacuum')
  return dropped
}
