// TypeScript layer of the telemetry readers (crates/gamesa-telemetry). Readers, rates and the
// sampler thread live in Rust; this file gives the native records their precise types and
// adds what only JS can: an async iterator over a sampler's snapshots.
import { nativeReadSnapshot } from '../index.js'

/** How a source fared in one reading. */
export type TelemetrySourceStatus = 'present' | 'missing' | 'permission_denied' | 'unsupported' | 'error'

/** One reading of every telemetry source (variable names: docs/telemetry.md). */
export interface TelemetrySnapshot {
  /** Wall-clock time of the reading, milliseconds since the Unix epoch. */
  timestampMs: number
  /** Variables that were read, by catalog name. */
  values: Record<string, number>
  /** Variables that could not be read this time, with the reason. */
  absent: Record<string, string>
  /** Every source by name; `reason` says why for anything but `present`. */
  sources: Record<string, { status: TelemetrySourceStatus; reason?: string }>
}

/**
 * Reads every source once. The process keeps one collector, so rates (CPU utilization, RAPL
 * watts, cgroup CPU) are the change since the previous call: the very first call reports them
 * absent with reason "needs two readings".
 */
export function readSnapshot(): TelemetrySnapshot {
  // The native record has exactly this shape; only `status` is typed as a plain string there.
  return nativeReadSnapshot() as TelemetrySnapshot
}
