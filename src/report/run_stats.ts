// Running figures of a `gamesa run` session: ticks, actions approved and rejected (by reason),
// and the engine's tick time (mean, p99). Printed live in the view and as the closing summary.

/** The parts of a tick's output that the statistics count. */
export interface CountedTick {
  approved: ReadonlyArray<unknown>
  rejected: ReadonlyArray<{ reason: string }>
}

/** The value at quantile `q` (0..1) of `sorted` (ascending), nearest-rank; NaN-free: 0 when empty. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return 0
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)))
  return sorted[rank - 1]!
}

/** Accumulates per-tick outcomes and durations. */
export class RunStats {
  ticks = 0
  approved = 0
  rejected = 0
  /** Rejections by reason (gate reasons such as `cooldown`, `out_of_bounds`). */
  readonly rejectedByReason = new Map<string, number>()
  /** Snapshots the engine could not take (an error thrown by tick), counted, not fatal. */
  errors = 0
  private durations = new Float64Array(1024)
  private count = 0
  private sum = 0
  /** Duration of the latest tick, ms. */
  lastMs = 0

  /** Records one tick's output and how long the engine took for it, ms. */
  record(output: CountedTick, durationMs: number): void {
    this.ticks++
    this.approved += output.approved.length
    this.rejected += output.rejected.length
    for (const r of output.rejected) this.rejectedByReason.set(r.reason, (this.rejectedByReason.get(r.reason) ?? 0) + 1)
    this.addDuration(durationMs)
  }

  private addDuration(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) return
    if (this.count === this.durations.length) {
      const grown = new Float64Array(this.durations.length * 2)
      grown.set(this.durations)
      this.durations = grown
    }
    this.durations[this.count++] = ms
    this.sum += ms
    this.lastMs = ms
  }

  /** Mean tick time, ms (0 before the first tick). */
  get meanMs(): number {
    return this.count === 0 ? 0 : this.sum / this.count
  }

  /** 99th-percentile tick time, ms (nearest rank over every tick so far). */
  get p99Ms(): number {
    return quantile(this.durations.slice(0, this.count).sort(), 0.99)
  }

  /** Reasons with their counts, most frequent first, ties by name. */
  reasons(): Array<[string, number]> {
    return [...this.rejectedByReason].sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
  }

  /** The closing summary: a few plain lines for standard error (`applied`: the run acted, see the live line). */
  summary(elapsedMs: number, applied = false): string {
    const reasons = this.reasons()
    const lines = [
      `${this.ticks} ticks in ${(elapsedMs / 1000).toFixed(1)} s (${applied ? 'applied: approved cpu weight and quota actions were set' : 'dry-run: nothing was applied'})`,
      `actions: ${this.approved} approved, ${this.rejected} rejected${reasons.length ? ` (${reasons.map(([r, n]) => `${r} ${n}`).join(', ')})` : ''}`,
      `tick time: mean ${formatMs(this.meanMs)}, p99 ${formatMs(this.p99Ms)}`,
    ]
    if (this.errors > 0) lines.push(`engine errors: ${this.errors} ticks failed`)
    return lines.join('\n')
  }
}

/** A duration for people: µs below a millisecond, ms otherwise. */
export function formatMs(ms: number): string {
  return ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : `${ms.toFixed(2)} ms`
}
