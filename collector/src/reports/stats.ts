/**
 * Statistics for experiment readouts: the normal CDF, chi-square p-values, the
 * two-proportion z-test and sample-ratio-mismatch. Everything answers null rather than
 * NaN or Infinity where a figure is undefined (no visitors, a zero baseline).
 */

/**
 * ln Γ(x) for x > 0: shifted up to x ≥ 15 by Γ(x + 1) = x Γ(x), then Stirling's series,
 * whose first omitted term there is below 1e-16.
 */
export function lnGamma(x: number): number {
  let shift = 0
  while (x < 15) {
    shift += Math.log(x)
    x += 1
  }
  const x2 = x * x
  const series = (1 / x) * (1 / 12 - (1 / x2) * (1 / 360 - (1 / x2) * (1 / 1260 - (1 / x2) * (1 / 1680 - (1 / x2) * (1 / 1188)))))
  return (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + series - shift
}

/**
 * The regularized upper incomplete gamma function Q(a, x) = Γ(a, x) / Γ(a): a series
 * below x < a + 1, a continued fraction above (Numerical Recipes §6.2).
 */
export function gammaQ(a: number, x: number): number {
  if (x <= 0) return 1
  const lnPre = a * Math.log(x) - x - lnGamma(a)
  if (x < a + 1) {
    let sum = 1 / a
    let term = sum
    for (let n = 1; n < 1000; n++) {
      term *= x / (a + n)
      sum += term
      if (Math.abs(term) < Math.abs(sum) * 1e-16) break
    }
    return Math.max(0, 1 - sum * Math.exp(lnPre))
  }
  const tiny = 1e-300
  let b = x + 1 - a
  let c = 1 / tiny
  let d = 1 / b
  let h = d
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a)
    b += 2
    d = an * d + b
    if (Math.abs(d) < tiny) d = tiny
    c = b + an / c
    if (Math.abs(c) < tiny) c = tiny
    d = 1 / d
    const delta = d * c
    h *= delta
    if (Math.abs(delta - 1) < 1e-16) break
  }
  return Math.exp(lnPre) * h
}

/**
 * Φ(z), the standard normal CDF, via erf(x) = P(½, x²) so both tails stay accurate.
 *
 * @example
 * normalCdf(1.959963984540054) // 0.975
 */
export function normalCdf(z: number): number {
  const tail = 0.5 * gammaQ(0.5, (z * z) / 2)
  return z >= 0 ? 1 - tail : tail
}

/** Two-sided p-value of a standard normal statistic: 2·(1 − Φ(|z|)), computed from the tail directly. */
export function twoSidedP(z: number): number {
  return Math.min(1, gammaQ(0.5, (z * z) / 2))
}

/**
 * P(X ≥ x) for X chi-square distributed with `df` degrees of freedom.
 *
 * @example
 * chiSquarePValue(3.841458820694124, 1) // 0.05
 */
export function chiSquarePValue(x: number, df: number): number {
  return gammaQ(df / 2, x / 2)
}

/** z for a 95% two-sided interval. */
export const Z95 = 1.959963984540054

export interface LiftResult {
  absoluteLift: number | null
  absoluteLiftCI: [number, number] | null
  relativeLift: number | null
  relativeLiftCI: [number, number] | null
  pValue: number | null
}

/**
 * Compares a variant's conversion rate (c / n) with control's (cc / nc).
 * Absolute lift pB − pA with an unpooled (Wald) 95% interval; relative lift pB/pA − 1 with
 * a delta-method 95% interval; p-value of the pooled two-proportion z-test. Figures whose
 * denominators vanish (no visitors, a 0% baseline, no variance) are null.
 *
 * @example
 * compareProportions(120, 1000, 100, 1000).pValue // ≈ 0.1530
 */
export function compareProportions(c: number, n: number, cc: number, nc: number): LiftResult {
  const none: LiftResult = { absoluteLift: null, absoluteLiftCI: null, relativeLift: null, relativeLiftCI: null, pValue: null }
  if (n === 0 || nc === 0) return none
  const p = c / n
  const pc = cc / nc
  const abs = p - pc
  const se = Math.sqrt((p * (1 - p)) / n + (pc * (1 - pc)) / nc)
  const pooled = (c + cc) / (n + nc)
  const sePooled = Math.sqrt(pooled * (1 - pooled) * (1 / n + 1 / nc))
  const out: LiftResult = {
    ...none,
    absoluteLift: abs,
    absoluteLiftCI: [abs - Z95 * se, abs + Z95 * se],
    pValue: sePooled > 0 ? twoSidedP(abs / sePooled) : null,
  }
  if (pc > 0) {
    const rel = p / pc - 1
    // Var(p/pc) ≈ (1/pc)²·Var(p) + (p/pc²)²·Var(pc)
    const seRel = Math.sqrt((p * (1 - p)) / n / pc ** 2 + ((p / pc ** 2) ** 2 * pc * (1 - pc)) / nc)
    out.relativeLift = rel
    out.relativeLiftCI = [rel - Z95 * seRel, rel + Z95 * seRel]
  }
  return out
}

/**
 * Sample-ratio-mismatch: Pearson's chi-square of observed counts against the planned
 * weights (any positive scale), with k − 1 degrees of freedom. Null without observations
 * or with fewer than two groups.
 *
 * @example
 * sampleRatioMismatch([1000, 1100], [1, 1]) // { chiSquare: 4.7619…, pValue: 0.0290… }
 */
export function sampleRatioMismatch(observed: number[], weights: number[]): { chiSquare: number | null; pValue: number | null } {
  const total = observed.reduce((a, b) => a + b, 0)
  const wsum = weights.reduce((a, b) => a + b, 0)
  if (total === 0 || observed.length < 2 || wsum <= 0) return { chiSquare: null, pValue: null }
  let chi = 0
  observed.forEach((o, i) => {
    const e = (total * weights[i]) / wsum
    chi += ((o - e) * (o - e)) / e
  })
  return { chiSquare: chi, pValue: chiSquarePValue(chi, observed.length - 1) }
}

/**
 * The median, or null for no values; averages the middle two of an even count.
 *
 * @example
 * median([3, 1, 2, 10]) // 2.5
 */
export function median(values: ArrayLike<number>): number | null {
  if (values.length === 0) return null
  // A funnel's gaps run to millions: selecting the middle is linear, where sorting them all
  // was a tenth of the dashboard funnel's time at 10M events. Selecting reorders: a copy.
  const s = new Float64Array(values)
  const mid = s.length >> 1
  const upper = select(s, mid)
  if (s.length % 2) return upper
  // Everything left of the middle is no greater than it: the lower middle is their largest.
  let lower = s[0]
  for (let i = 1; i < mid; i++) if (s[i] > lower) lower = s[i]
  return (lower + upper) / 2
}

/** Moves the k-th smallest of `a` to `a[k]`, smaller ones before it and larger ones after, and answers it (Hoare's selection, median-of-three pivots). */
function select(a: Float64Array, k: number): number {
  let [lo, hi] = [0, a.length - 1]
  while (hi > lo) {
    const m = (lo + hi) >> 1
    const pivot = Math.max(Math.min(a[lo], a[m]), Math.min(Math.max(a[lo], a[m]), a[hi]))
    let [i, j] = [lo, hi]
    while (i <= j) {
      while (a[i] < pivot) i++
      while (a[j] > pivot) j--
      if (i <= j) {
        const t = a[i]
        a[i++] = a[j]
        a[j--] = t
      }
    }
    // Now a[lo..j] <= pivot <= a[i..hi], and anything between equals the pivot.
    if (k <= j) hi = j
    else if (k >= i) lo = i
    else return a[k]
  }
  return a[k]
}

/** a / b, or null when b is zero (never Infinity or NaN). */
export function ratio(a: number, b: number): number | null {
  return b === 0 ? null : a / b
}
