// TypeScript layer of the signal scheduler. The scheduler, the signal kinds and the kind →
// domain table all live in Rust (crates/gamesa-core/src/signals); this file only adds the
// conversion from signal objects to the columnar batch form, the fastest way to hand many
// signals to the native scheduler (see bench/signals.bench.ts and docs in BENCHMARKS.md).
import { type Signal, type SignalColumns, type SignalDomain, type SignalKind, signalDomains, signalKinds } from '../index.js'

/** `SignalColumns.kinds` code of each kind (its position in `signalKinds()`, read from Rust). */
export const SIGNAL_KIND_CODES: Readonly<Record<SignalKind, number>> = Object.freeze(
  Object.fromEntries(signalKinds().map((kind, code) => [kind, code])) as Record<SignalKind, number>,
)

/** `SignalColumns.domains` code of each domain (its position in `signalDomains()`). */
export const SIGNAL_DOMAIN_CODES: Readonly<Record<SignalDomain, number>> = Object.freeze(
  Object.fromEntries(signalDomains().map((domain, code) => [domain, code])) as Record<SignalDomain, number>,
)

/**
 * The columnar form of `signals`, field for field (ids, domains, times and payloads
 * included), so `scheduler.enqueueColumns(toSignalColumns(s))` does exactly what
 * `scheduler.enqueueBatch(s)` does. Sources are stored once each and referenced by index.
 * An unknown kind or domain throws a `TypeError` naming the index; range checks on numbers
 * are left to the native call, which throws a `GamesaError` (`INVALID_ARGUMENT`).
 */
export function toSignalColumns(signals: readonly Signal[]): SignalColumns {
  const n = signals.length
  const kinds = new Uint8Array(n)
  const domains = new Uint8Array(n)
  const strengths = new Float64Array(n)
  const createdAtMs = new Float64Array(n)
  const ttlMs = new Float64Array(n)
  const sourceIndex = new Uint32Array(n)
  const ids: string[] = new Array<string>(n)
  const sources: string[] = []
  const sourceCodes = new Map<string, number>()
  let payloads: Array<string | null> | undefined
  for (let i = 0; i < n; i++) {
    const s = signals[i]!
    const kind = SIGNAL_KIND_CODES[s.kind]
    const domain = SIGNAL_DOMAIN_CODES[s.domain]
    if (kind === undefined) throw new TypeError(`signals[${i}].kind: '${String(s.kind)}' is not a signal kind`)
    if (domain === undefined) throw new TypeError(`signals[${i}].domain: '${String(s.domain)}' is not a signal domain`)
    kinds[i] = kind
    domains[i] = domain
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
      payloads ??= new Array<string | null>(n).fill(null)
      payloads[i] = s.payload
    }
  }
  const columns: SignalColumns = { kinds, strengths, domains, createdAtMs, ttlMs, ids, sources, sourceIndex }
  if (payloads !== undefined) columns.payloads = payloads
  return columns
}
