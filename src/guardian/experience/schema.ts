// The experience store's SQLite schema and its migrations. `PRAGMA user_version` is the
// schema version; each migration takes a file from one version to the next inside one
// transaction, so a file is always at some version, never between two. A file written by a
// newer version is refused rather than guessed at.
import type Database from 'better-sqlite3'
import { GamesaError } from '../../errors.js'

/** Stored in `meta` so another SQLite file is never mistaken for (and written into as) a store. */
export const EXPERIENCE_FORMAT = 'gamesa-experience'

/** The migrations, in order: `MIGRATIONS[i]` takes a file from version i to i + 1. */
export const MIGRATIONS: readonly string[] = [
  // 1: runs, ticks, their actions and firings.
  `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   INSERT INTO meta (key, value) VALUES ('format', '${EXPERIENCE_FORMAT}');
   CREATE TABLE runs (
     id INTEGER PRIMARY KEY,
     source TEXT NOT NULL,
     label TEXT NOT NULL,
     reward TEXT,
     started_ms REAL NOT NULL
   );
   CREATE TABLE ticks (
     id INTEGER PRIMARY KEY,
     run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
     tick INTEGER NOT NULL,
     time_ms REAL NOT NULL,
     recorded_ms REAL NOT NULL,
     emergency INTEGER NOT NULL,
     state TEXT NOT NULL,
     violations TEXT NOT NULL,
     reward REAL,
     reward_error TEXT
   );
   CREATE TABLE actions (
     tick_id INTEGER NOT NULL REFERENCES ticks(id) ON DELETE CASCADE,
     rule TEXT NOT NULL,
     kind TEXT NOT NULL,
     target TEXT NOT NULL,
     agent TEXT,
     decision TEXT NOT NULL,
     reason TEXT,
     value REAL,
     previous REAL,
     outcome TEXT NOT NULL,
     detail TEXT
   );
   CREATE TABLE firings (
     tick_id INTEGER NOT NULL REFERENCES ticks(id) ON DELETE CASCADE,
     rule TEXT NOT NULL,
     mode TEXT NOT NULL,
     held INTEGER NOT NULL
   );
   CREATE INDEX actions_tick ON actions(tick_id);
   CREATE INDEX firings_tick ON firings(tick_id);`,
  // 2: the query API's lookups (by time, by rule, by action kind) and retention by age.
  `CREATE INDEX ticks_time ON ticks(time_ms);
   CREATE INDEX ticks_recorded ON ticks(recorded_ms);
   CREATE INDEX actions_rule ON actions(rule, tick_id);
   CREATE INDEX actions_kind ON actions(kind, tick_id);
   CREATE INDEX firings_rule ON firings(rule, tick_id);`,
  // 3: what each firing would do (its action's kind and target, the rule's domain), so shadow
  // rules can be compared with what the active ones did.
  `ALTER TABLE firings ADD COLUMN domain TEXT;
   ALTER TABLE firings ADD COLUMN kind TEXT;
   ALTER TABLE firings ADD COLUMN target TEXT;`,
  // 4: the engine configuration each run used, as its JSON text, so what learns from a store
  // (gamesa learn --experience) knows the rules the experience was made under.
  `ALTER TABLE runs ADD COLUMN config TEXT;`,
]

/** The schema version this package writes. */
export const SCHEMA_VERSION = MIGRATIONS.length

/** The file's schema version (0 for a new, empty file). */
export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number
}

/** Refuses a file that is not a store (or is one from a newer version). */
export function checkStore(db: Database.Database, path: string): number {
  const version = schemaVersion(db)
  if (version > SCHEMA_VERSION) {
    throw new GamesaError('EXPERIENCE_INVALID', `${path}: experience schema version ${version} is newer than this version reads (${SCHEMA_VERSION})`, { path })
  }
  if (version === 0) {
    const tables = db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table'").get() as { n: number }
    if (tables.n > 0) throw new GamesaError('EXPERIENCE_INVALID', `${path}: an SQLite database, but not an experience store (it has other tables)`, { path })
    return version
  }
  let format: { value: string } | undefined
  try {
    format = db.prepare("SELECT value FROM meta WHERE key = 'format'").get() as { value: string } | undefined
  } catch {
    format = undefined
  }
  if (format?.value !== EXPERIENCE_FORMAT) {
    throw new GamesaError('EXPERIENCE_INVALID', `${path}: an SQLite database, but not an experience store (no format '${EXPERIENCE_FORMAT}' in meta)`, { path })
  }
  return version
}

/** Brings the file to {@link SCHEMA_VERSION}, one transaction per migration. Returns the version it was at. */
export function migrate(db: Database.Database, path: string): number {
  const from = checkStore(db, path)
  for (let v = from; v < SCHEMA_VERSION; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v] as string)
      db.pragma(`user_version = ${v + 1}`)
    })()
  }
  return from
}
