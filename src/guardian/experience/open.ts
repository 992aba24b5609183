// Opening the store's SQLite file, with SQLite's failures turned into GamesaErrors: a file
// that is no database is EXPERIENCE_INVALID, one that cannot be opened is IO_ERROR.
import Database from 'better-sqlite3'
import { GamesaError } from '../../errors.js'

/** How long a statement waits for SQLite's own lock (a checkpoint, a reader's snapshot) before it fails. */
const BUSY_TIMEOUT_MS = 5000

/** Maps an error from better-sqlite3 to a GamesaError; anything else is returned as is. */
export function sqliteError(err: unknown, path: string, doing: string): unknown {
  if (err instanceof GamesaError) return err
  const code = (err as { code?: unknown } | null)?.code
  const message = err instanceof Error ? err.message : String(err)
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return err
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT' || code.startsWith('SQLITE_CORRUPT')) {
    return new GamesaError('EXPERIENCE_INVALID', `${path}: not an experience store (${doing}: ${message})`, { path, cause: err })
  }
  return new GamesaError('IO_ERROR', `${path}: ${doing}: ${code}: ${message}`, { path, cause: err })
}

/** Opens `path` (created when missing unless `readonly`). */
export function openDatabase(path: string, readonly: boolean): Database.Database {
  try {
    const db = new Database(path, { readonly, fileMustExist: readonly, timeout: BUSY_TIMEOUT_MS })
    // Reading the schema is the first touch of the file's contents: a file that is not a
    // database fails here, not at the first query.
    db.pragma('schema_version')
    return db
  } catch (err) {
    throw sqliteError(err, path, 'opening')
  }
}
