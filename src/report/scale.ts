// Axis arithmetic for the SVG charts: data ranges, "nice" tick values (1, 2, 5 × 10^k) and
// number formatting for tick labels and table cells.

/** A closed numeric interval. */
export interface Range {
  min: number
  max: number
}

/**
 * The range of the finite values in `lists`, or undefined when there are none. With
 * `includeZero` the range is stretched to contain 0 (counts and amounts start at zero).
 */
export function dataRange(lists: Iterable<ReadonlyArray<number | null>>, includeZero = false): Range | undefined {
  let min = Infinity
  let max = -Infinity
  for (const list of lists) {
    for (const v of list) {
      if (v === null || !Number.isFinite(v)) continue
      if (v < min) min = v
      if (v > max) max = v
    }
  }
  if (min > max) return undefined
  if (includeZero) {
    min = Math.min(min, 0)
    max = Math.max(max, 0)
  }
  return { min, max }
}

/** A tick step of 1, 2 or 5 × 10^k that splits `span` into about `count` intervals. */
function niceStep(span: number, count: number): number {
  const raw = span / Math.max(1, count)
  const magnitude = 10 ** Math.floor(Math.log10(raw))
  const fraction = raw / magnitude
  const nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
  return nice * magnitude
}

/**
 * Widens `range` outward to whole tick steps and lists the ticks. A flat range (one value) is
 * widened around its value so the line sits in the middle instead of on an edge.
 */
export function niceAxis(range: Range, count = 5): { min: number; max: number; ticks: number[] } {
  let { min, max } = range
  if (max - min <= Math.abs(max) * 1e-12 || max === min) {
    const pad = Math.abs(min) > 0 ? Math.abs(min) * 0.1 : 1
    min -= pad
    max += pad
  }
  const step = niceStep(max - min, count)
  const lo = Math.floor(min / step) * step
  const hi = Math.ceil(max / step) * step
  const ticks: number[] = []
  // Counting steps (not adding them up) keeps ticks like 0.3 free of accumulated rounding.
  const n = Math.round((hi - lo) / step)
  for (let i = 0; i <= n; i++) ticks.push(roundToStep(lo + i * step, step))
  return { min: lo, max: hi, ticks }
}

/** Rounds `v` to the number of decimals `step` needs, so 0.30000000000000004 prints as 0.3. */
function roundToStep(v: number, step: number): number {
  const decimals = Math.max(0, -Math.floor(Math.log10(step)) + 1)
  const rounded = Number(v.toFixed(Math.min(decimals, 12)))
  return rounded === 0 ? 0 : rounded // no "-0" labels
}

/**
 * A short label for a number: integers plainly, large values with k/M, small ones with up to
 * three significant decimals; non-finite values as "—".
 */
export function formatNumber(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—'
  const a = Math.abs(v)
  if (a >= 1e6) return `${trim((v / 1e6).toFixed(2))}M`
  if (a >= 1e4) return `${trim((v / 1e3).toFixed(1))}k`
  if (Number.isInteger(v)) return String(v)
  if (a >= 100) return trim(v.toFixed(1))
  if (a >= 1) return trim(v.toFixed(2))
  if (a < 1e-3) {
    const [mantissa, exponent] = v.toExponential(2).split('e')
    return `${trim(mantissa!)}e${exponent}`
  }
  return trim(v.toPrecision(3))
}

/**
 * A base-10 logarithmic axis over a positive range: from the decade at or below `min` to the
 * decade at or above `max`, ticks at every decade, plus 2× and 5× when it spans at most two
 * decades (so there are always a few labels).
 */
export function logAxis(range: Range): { min: number; max: number; ticks: number[] } {
  const lo = Math.floor(Math.log10(range.min))
  let hi = Math.ceil(Math.log10(range.max))
  if (hi === lo) hi = lo + 1
  const ticks: number[] = []
  for (let k = lo; k <= hi; k++) {
    const decade = Number(`1e${k}`) // exact decimal powers: 1e-3, not 0.0010000000000000002
    ticks.push(decade)
    if (hi - lo <= 2 && k < hi) ticks.push(Number(`2e${k}`), Number(`5e${k}`))
  }
  return { min: Number(`1e${lo}`), max: Number(`1e${hi}`), ticks }
}

function trim(s: string): string {
  return s.includes('.') && !s.includes('e') ? s.replace(/\.?0+$/, '') : s
}

/** Maps `v` in [d0, d1] linearly onto [r0, r1]; a zero-width domain maps to the middle. */
export function linear(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  const span = d1 - d0
  if (span === 0) return () => (r0 + r1) / 2
  return (v) => r0 + ((v - d0) / span) * (r1 - r0)
}

/**
 * A table cell: integers in full, fractions to 1-3 decimals by size (no k/M shortening, so
 * columns compare digit by digit); non-finite values as "—".
 */
export function formatCell(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—'
  if (Number.isInteger(v)) return String(v)
  const a = Math.abs(v)
  const s = trim(v.toFixed(a >= 100 ? 1 : a >= 1 ? 2 : 3))
  return s === '-0' ? '0' : s
}
