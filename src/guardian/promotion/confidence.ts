// A one-sided lower confidence bound on a mean, from Student's t: with n paired differences
// (one per scenario seed), the mean minus t(1 − α, n − 1) · s / √n. A proposal wins only when
// this bound clears the margin, so one lucky seed does not promote anything.

// One-sided 95 % quantiles of Student's t by degrees of freedom (1..30), then the normal's.
const T95 = [6.314, 2.92, 2.353, 2.132, 2.015, 1.943, 1.895, 1.86, 1.833, 1.812, 1.796, 1.782, 1.771, 1.761, 1.753, 1.746, 1.74, 1.734, 1.729, 1.725, 1.721, 1.717, 1.714, 1.711, 1.708, 1.706, 1.703, 1.701, 1.699, 1.697]

/** The mean, its sample standard deviation, and the one-sided 95 % lower bound (−∞ with fewer than 2 values). */
export function lowerBound95(values: readonly number[]): { mean: number; sd: number; lower: number; n: number } {
  const n = values.length
  if (n === 0) return { mean: Number.NaN, sd: Number.NaN, lower: Number.NEGATIVE_INFINITY, n }
  const mean = values.reduce((a, b) => a + b, 0) / n
  if (n < 2) return { mean, sd: Number.NaN, lower: Number.NEGATIVE_INFINITY, n }
  const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1))
  const t = T95[n - 2] ?? 1.645
  return { mean, sd, lower: mean - (t * sd) / Math.sqrt(n), n }
}
