// Restoring what the governor changed on the machine (docs/actuation.md): the journal of every
// actuation is undone by the host crate (gamesa_host::restore); this file types its report.
import { defaultJournalPath, peekJournalJson, restoreJournalJson } from '../index.js'

/**
 * Where the actuation journal is kept by default: `/var/lib/gamesa/actuation.journal` as root,
 * `$XDG_STATE_HOME/gamesa/actuation.journal` otherwise.
 */
export { defaultJournalPath }

/** What `restoreJournal` did (targets and values in the journal's form). */
export interface RestoreReport {
  journal: string
  entries: number
  restored: number
  unchanged: number
  skippedExited: number
  conflicts: Array<{ target: Record<string, unknown>; ours: unknown; current: unknown; prev: unknown }>
  removedGroups: string[]
  keptGroups: string[]
  /** Processes born in a group the governor created, moved back to where their moved ancestor came from before it was removed. */
  returnedBorn: number
  failed: Array<{ target: Record<string, unknown>; errno: number | null; message: string }>
  tornTail: { line: number; content: string } | null
}

/**
 * Undoes every change the journal at `path` (default {@link defaultJournalPath}) records,
 * newest first, to the exact value it replaced; a value someone else changed since is kept and
 * reported as a conflict. `JOURNAL_LOCKED` while a governor holds the journal.
 */
export function restoreJournal(path: string = defaultJournalPath()): RestoreReport {
  return JSON.parse(restoreJournalJson(path)) as RestoreReport
}

/** One journaled write (docs/actuation.md): the target with its process identity, the value before and the value written. */
export interface JournalEntry {
  seq: number
  at_ms: number
  target: Record<string, unknown> & { kind: string }
  prev: unknown
  new: unknown
}

/** A journal read without being changed. */
export interface JournalView {
  entries: JournalEntry[]
  tornTail: { line: number; content: string } | null
  /** A running governor (or a restore) holds the journal. */
  locked: boolean
}

/** Reads the journal at `path` (default {@link defaultJournalPath}) without changing or keeping it. */
export function readJournal(path: string = defaultJournalPath()): JournalView {
  return JSON.parse(peekJournalJson(path)) as JournalView
}
