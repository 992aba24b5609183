// TypeScript layer of the signal scheduler. The queue, its rules, the signal kinds and the
// kind → domain table all live in Rust (crates/gamesa-core/src/signals); this file only moves
// data across cheaply:
// - `SignalScheduler` wraps the native scheduler and hands `enqueue` a signal's fields as
//   arguments (reading an object's properties through Node-API cost 2.5× the whole call);
//   single dequeued signals come back as native objects (a packed-string form measured only
//   ~10 % faster once parsed in JS), batches as columns rebuilt into objects here;
// - `toSignalColumns` turns signal objects into the columnar batch form, the fastest way to
//   enqueue many signals (figures in bench/signals.bench.ts).
import { checkCount, rejectUnknownOptions } from './options.js'
import {
  type EnqueueResult,
  NativeSignalScheduler,
  type Signal,
  type SignalBatchResult,
  type SignalColumns,
  type SignalDomain,
  type SignalKind,
  type SignalSchedulerOptions,
  type SignalStats,
  signalDomains,
  signalKinds,
} from '../index.js'
import { GamesaError } from './errors.js'

const KINDS: readonly SignalKind[] = signalKinds()
const DOMAINS: readonly SignalDomain[] = signalDomains()

// Codes come from Rust (the order of `SignalKind::ALL` / `SignalDomain::ALL`). Maps, not plain
// objects, so that a bogus kind such as 'toString' finds nothing.
const KIND_CODES: ReadonlyMap<string, number> = new Map(KINDS.map((kind, code) => [kind, code]))
const DOMAIN_CODES: ReadonlyMap<string, number> = new Map(DOMAINS.map((domain, code) => [domain, code]))

/** `SignalColumns.kinds` code of each kind (its position in `signalKinds()`, read from Rust). */
export const SIGNAL_KIND_CODES: Readonly<Record<SignalKind, number>> = Object.freeze(
  Object.fromEntries(KIND_CODES) as Record<SignalKind, number>,
)

/** `SignalColumns.domains` code of each domain (its position in `signalDomains()`). */
export const SIGNAL_DOMAIN_CODES: Readonly<Record<SignalDomain, number>> = Object.freeze(
  Object.fromEntries(DOMAIN_CODES) as Record<SignalDomain, number>,
)

function kindCode(kind: unknown, where: string): number {
  const code = KIND_CODES.get(kind as string)
  if (code === undefined) throw new GamesaError('INVALID_ARGUMENT', `${where}.kind: '${String(kind)}' is not a signal kind`)
  return code
}

function domainCode(domain: unknown, where: string): number {
  const code = DOMAIN_CODES.get(domain as string)
  if (code === undefined) throw new GamesaError('INVALID_ARGUMENT', `${where}.domain: '${String(domain)}' is not a signal domain`)
  return code
}

/**
 * Checks the JS types of a signal's fields, so that a wrong type is a `GamesaError`
 * (`INVALID_ARGUMENT`, naming the field) instead of a Node-API conversion error or, in a typed
 * array, a silent conversion. Ranges are checked in Rust.
 */
function checkTypes(s: Signal, where: string): void {
  if (typeof s !== 'object' || s === null) throw new GamesaError('INVALID_ARGUMENT', `${where} must be a signal object`)
  const bad =
    typeof s.id !== 'string' ? 'id' :
    typeof s.source !== 'string' ? 'source' :
    typeof s.strength !== 'number' ? 'strength' :
    typeof s.createdAtMs !== 'number' ? 'createdAtMs' :
    typeof s.ttlMs !== 'number' ? 'ttlMs' :
    s.payload != null && typeof s.payload !== 'string' ? 'payload' : undefined
  if (bad !== undefined) {
    const value = (s as unknown as Record<string, unknown>)[bad]
    throw new GamesaError('INVALID_ARGUMENT', `${where}.${bad}: expected ${bad === 'strength' || bad.endsWith('Ms') ? 'a number' : 'a string'}, got ${typeof value}`)
  }
}

/**
 * The domain-ranked, bounded, coalescing signal queue.
 *
 * - Dequeue order: domain rank (safety > thermal > power > performance > efficiency >
 *   maintenance unless `domainRanks` says otherwise), then strength (higher first), then
 *   arrival (first in).
 * - Expiry: `dequeue(nowMs)`/`peek(nowMs)` drop signals with `nowMs >= createdAtMs + ttlMs`
 *   and count them in `stats().expired`; `nowMs` defaults to `Date.now()`.
 * - Coalescing: a signal with the same `(kind, source)` as a pending one merges into it; the
 *   merged signal keeps the pending one's place in line and the higher strength, and takes
 *   `id`, `domain`, `createdAtMs`, `ttlMs` and `payload` from whichever has the later
 *   `createdAtMs` (the incoming one on a tie).
 * - Capacity (default 4096): when full, the lowest-ranked signal (lowest domain, then
 *   weakest, then newest) is dropped and counted in `stats().droppedFull`; an incoming signal
 *   that ranks lowest is the one dropped.
 *
 * Invalid input throws a `GamesaError`: `INVALID_ARGUMENT` for a signal (strength outside
 * [0, 1] or NaN, negative or NaN ttl, non-finite createdAtMs, unknown kind or domain),
 * `INVALID_CONFIG` for options.
 */
export class SignalScheduler {
  // A plain (TypeScript-private) field: `#native` is transpiled to a WeakMap lookup by the
  // source loader, which measured ~0.2 µs a call.
  private readonly native: NativeSignalScheduler

  constructor(options?: SignalSchedulerOptions) {
    rejectUnknownOptions(options, ['capacity', 'domainRanks'], 'SignalScheduler options')
    // Node-API converts a number to u32 by truncating (1.5 → 1, 2^32 → 0): check it first so a
    // bad capacity is an error, not silently another capacity.
    const capacity: unknown = options?.capacity
    if (capacity != null && !(typeof capacity === 'number' && Number.isInteger(capacity) && capacity >= 1 && capacity <= 0xffff_ffff)) {
      throw new GamesaError('INVALID_CONFIG', `options.capacity must be a whole number from 1 to 4294967295, got ${String(capacity)}`, {
        path: '$.capacity',
      })
    }
    this.native = new NativeSignalScheduler(options)
  }

  /** Adds one signal; says whether it was queued, coalesced, queued by evicting, or dropped. */
  enqueue(signal: Signal): EnqueueResult {
    checkTypes(signal, 'signal')
    return this.native.enqueueFields(
      kindCode(signal.kind, 'signal'),
      domainCode(signal.domain, 'signal'),
      signal.strength,
      signal.source,
      signal.createdAtMs,
      signal.ttlMs,
      signal.id,
      signal.payload,
    )
  }

  /**
   * Adds signals in order, all or nothing: if one is invalid, it throws (naming
   * `signals[i]`) and none is added. Goes through the columnar form, which measured about 3×
   * faster than handing Node-API the objects.
   */
  enqueueBatch(signals: readonly Signal[]): SignalBatchResult {
    return this.native.enqueueColumns(toSignalColumns(signals))
  }

  /** Adds the signals described by `columns` (see `toSignalColumns`), all or nothing. */
  enqueueColumns(columns: SignalColumns): SignalBatchResult {
    return this.native.enqueueColumns(columns)
  }

  /** Removes and returns the first signal not expired at `nowMs`; `null` when none. */
  dequeue(nowMs?: number): Signal | null {
    return this.native.dequeue(nowMs)
  }

  /**
   * Dequeues up to `max` signals, in order (all at the same `nowMs`, default now). Comes
   * across as columns and is rebuilt into objects here, several times cheaper than one native
   * object per signal.
   */
  dequeueBatch(max: number, nowMs?: number): Signal[] {
    return fromSignalColumns(this.native.dequeueColumns(checkCount(max, 'max'), nowMs))
  }

  /** Dequeues up to `max` signals, in order, as columns (every optional column filled). */
  dequeueColumns(max: number, nowMs?: number): SignalColumns {
    return this.native.dequeueColumns(checkCount(max, 'max'), nowMs)
  }

  /** What `dequeue(nowMs)` would return, left in place (expired signals met are dropped). */
  peek(nowMs?: number): Signal | null {
    return this.native.peek(nowMs)
  }

  /** Signals pending now (expired ones count until a dequeue or peek meets them). */
  len(): number {
    return this.native.len()
  }

  /** The most signals pending at once. */
  get capacity(): number {
    return this.native.capacity
  }

  /** Counters: `enqueued = dequeued + expired + droppedFull + coalesced + cleared + len`. */
  stats(): SignalStats {
    return this.native.stats()
  }

  /** Removes every pending signal (counted in `stats().cleared`). */
  clear(): void {
    this.native.clear()
  }
}

/**
 * The signals described by `columns`, as objects (the inverse of `toSignalColumns`). Missing
 * optional columns must not be relied on here: it reads the columns `dequeueColumns` fills
 * (ids, sources, sourceIndex, domains, createdAtMs, ttlMs, payloads) and throws a
 * `GamesaError` (`INVALID_ARGUMENT`) naming the first one that is absent.
 */
export function fromSignalColumns(columns: SignalColumns): Signal[] {
  const { kinds, strengths, ids, sources, sourceIndex, domains, createdAtMs, ttlMs, payloads } = columns
  const need = <T>(column: T | undefined | null, name: string): T => {
    if (column == null) throw new GamesaError('INVALID_ARGUMENT', `columns.${name} is required to rebuild signals`)
    return column
  }
  const id = need(ids, 'ids')
  const src = need(sources, 'sources')
  const srcIndex = need(sourceIndex, 'sourceIndex')
  const dom = need(domains, 'domains')
  const created = need(createdAtMs, 'createdAtMs')
  const ttl = need(ttlMs, 'ttlMs')
  // oxlint-disable-next-line no-new-array -- preallocated to its length and filled by index (batch hot path)
  const out: Signal[] = new Array<Signal>(kinds.length)
  for (let i = 0; i < kinds.length; i++) {
    const signal: Signal = {
      id: id[i]!,
      kind: KINDS[kinds[i]!]!,
      domain: DOMAINS[dom[i]!]!,
      strength: strengths[i]!,
      source: src[srcIndex[i]!]!,
      createdAtMs: created[i]!,
      ttlMs: ttl[i]!,
    }
    const payload = payloads?.[i]
    if (payload != null) signal.payload = payload
    out[i] = signal
  }
  return out
}

/**
 * The columnar form of `signals`, field for field (ids, domains, times and payloads
 * included), so `scheduler.enqueueColumns(toSignalColumns(s))` does exactly what
 * `scheduler.enqueueBatch(s)` does. Sources are stored once each and referenced by index.
 * A field of the wrong type or an unknown kind or domain throws `GamesaError`
 * `INVALID_ARGUMENT` naming the index; range checks on numbers are the native call's.
 */
export function toSignalColumns(signals: readonly Signal[]): SignalColumns {
  const n = signals.length
  const kinds = new Uint8Array(n)
  const domains = new Uint8Array(n)
  const strengths = new Float64Array(n)
  const createdAtMs = new Float64Array(n)
  const ttlMs = new Float64Array(n)
  const sourceIndex = new Uint32Array(n)
  // oxlint-disable-next-line no-new-array -- preallocated to its length and filled by index (batch hot path)
  const ids: string[] = new Array<string>(n)
  const sources: string[] = []
  const sourceCodes = new Map<string, number>()
  let payloads: Array<string | null> | undefined
  for (let i = 0; i < n; i++) {
    const s = signals[i]!
    checkTypes(s, `signals[${i}]`)
    kinds[i] = kindCode(s.kind, `signals[${i}]`)
    domains[i] = domainCode(s.domain, `signals[${i}]`)
    strengths[i] = s.strength
    createdAtMs[i] = s.createdAtMs
    ttlMs[i] = s.ttlMs
    ids[i] = s.id
    let code = sourceCodes.get(s.source)
    if (code === undefined) {
      code = sources.length
      sources.push(s.source)
      sourceCodes.set(s.source, code)
    }
    sourceIndex[i] = code
    if (s.payload != null) {
      // oxlint-disable-next-line no-new-array -- a length, then filled: one slot per signal
      payloads ??= new Array<string | null>(n).fill(null)
      payloads[i] = s.payload
    }
  }
  const columns: SignalColumns = { kinds, strengths, domains, createdAtMs, ttlMs, ids, sources, sourceIndex }
  if (payloads !== undefined) columns.payloads = payloads
  return columns
}
