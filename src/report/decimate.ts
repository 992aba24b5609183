// Thinning long series for drawing: a 10-minute run at 100 ms ticks has 6,000 samples per line,
// more than a chart 700 px wide can show. Min/max per bucket keeps every peak and trough.

/** Points to draw: times and values of equal length; `null` is a gap. */
export interface Points {
  t: number[]
  v: Array<number | null>
}

const finite = (x: number | null | undefined): x is number => typeof x === 'number' && Number.isFinite(x)

/**
 * Pairs `t` with `values` (as far as both go, dropping samples whose time is not finite) and,
 * when there are more than `maxPoints`, keeps the lowest and highest value of each bucket of
 * consecutive samples, in time order. A bucket with no finite value becomes one gap.
 */
export function decimate(t: readonly number[], values: ReadonlyArray<number | null>, maxPoints: number): Points {
  const n = Math.min(t.length, values.length)
  const out: Points = { t: [], v: [] }
  const push = (i: number, v: number | null) => {
    out.t.push(t[i]!)
    out.v.push(v)
  }
  if (n <= maxPoints) {
    for (let i = 0; i < n; i++) if (finite(t[i])) push(i, finite(values[i]) ? values[i]! : null)
    return out
  }
  const size = Math.ceil(n / Math.max(1, Math.floor(maxPoints / 2)))
  for (let start = 0; start < n; start += size) {
    const end = Math.min(n, start + size)
    let lo = -1
    let hi = -1
    let firstTime = -1
    for (let i = start; i < end; i++) {
      if (!finite(t[i])) continue
      if (firstTime < 0) firstTime = i
      const v = values[i]
      if (!finite(v)) continue
      if (lo < 0 || v < values[lo]!) lo = i
      if (hi < 0 || v > values[hi]!) hi = i
    }
    if (firstTime < 0) continue
    if (lo < 0) {
      push(firstTime, null)
      continue
    }
    const [a, b] = lo <= hi ? [lo, hi] : [hi, lo]
    push(a, values[a]!)
    if (b !== a) push(b, values[b]!)
  }
  return out
}
