// The configurations a promotion replaced, so `gamesa promote --rollback` can restore them, one
// promotion at a time. Beside the configuration `engine.json` lives `.engine.json.promotions/`,
// holding one numbered entry per promotion: the configuration it replaced, the SHA-256 of the
// one it wrote, the proposal's id and the pipeline's report. A rollback restores the newest
// entry's configuration, but only while the file is still what that promotion wrote: a
// configuration someone changed since is left alone and reported.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { GamesaError } from '../../errors.js'
import { configSha256 } from '../proposals/validate.js'

/** One promotion, as kept for rollback. */
export interface HistoryEntry {
  seq: number
  proposalId: string
  /** The configuration the promotion replaced (text). */
  previous: string
  /** SHA-256 of the configuration it wrote. */
  writtenSha256: string
  report: unknown
}

/** The history directory of `configPath`. */
export function historyDir(configPath: string): string {
  return join(dirname(configPath), `.${basename(configPath)}.promotions`)
}

/** Writes `text` to `path` so a crash leaves either the old or the new file: a temporary file, fsynced, renamed over it. */
export function writeAtomically(path: string, text: string): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`)
  const fd = openSync(tmp, 'w', 0o644)
  try {
    writeSync(fd, text)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  renameSync(tmp, path)
}

function entries(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => /^\d{6}\.json$/.test(f))
      .sort()
  } catch {
    return []
  }
}

/** Records a promotion of `configPath` from `previous` to `written`, then writes `written`. */
export function promoteFile(configPath: string, previous: string, written: string, proposalId: string, report: unknown): HistoryEntry {
  const dir = historyDir(configPath)
  mkdirSync(dir, { recursive: true })
  const last = entries(dir).at(-1)
  const seq = last === undefined ? 1 : Number(last.slice(0, 6)) + 1
  const entry: HistoryEntry = { seq, proposalId, previous, writtenSha256: configSha256(written), report }
  // The entry first: a crash between the two leaves an entry whose configuration was never
  // written, which a rollback recognises (the file's hash is not writtenSha256) and refuses.
  writeAtomically(join(dir, `${String(seq).padStart(6, '0')}.json`), `${JSON.stringify(entry, null, 2)}\n`)
  writeAtomically(configPath, written)
  return entry
}

/** The newest promotion of `configPath`, or null when there is none. */
export function latestPromotion(configPath: string): HistoryEntry | null {
  const dir = historyDir(configPath)
  const last = entries(dir).at(-1)
  return last === undefined ? null : (JSON.parse(readFileSync(join(dir, last), 'utf8')) as HistoryEntry)
}

/** Restores the configuration the newest promotion replaced, and forgets that promotion. */
export function rollbackFile(configPath: string): HistoryEntry {
  const entry = latestPromotion(configPath)
  if (!entry) throw new GamesaError('INVALID_ARGUMENT', `${configPath}: no promotion to roll back (${historyDir(configPath)} holds none)`, { path: configPath })
  const current = readFileSync(configPath, 'utf8')
  if (configSha256(current) !== entry.writtenSha256) {
    throw new GamesaError(
      'INVALID_ARGUMENT',
      `${configPath} is not what promotion ${entry.seq} (${entry.proposalId}) wrote: it was changed since, so it is left alone`,
      { path: configPath },
    )
  }
  writeAtomically(configPath, entry.previous)
  rmSync(join(historyDir(configPath), `${String(entry.seq).padStart(6, '0')}.json`))
  return entry
}
