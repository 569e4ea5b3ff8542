/**
 * Geometry of the trend charts: SVG paths for a period and its previous period on one
 * scale, and tick labels. Pure, so the numbers behind every line are tested directly.
 */

export interface TrendLines {
  /** `M x y L x y …` of the current period, and of the previous one (shorter where it has fewer points). */
  current: string
  previous: string
  /** Top of the y axis: a round number at or above the largest value. */
  max: number
  /** x of each point, for ticks. */
  xs: number[]
}

/**
 * The smallest 1, 2 or 5 × 10ⁿ at or above `x` (1 for nothing), so the axis reads well.
 *
 * @example
 * niceMax(0) // 1
 * niceMax(37) // 50
 */
export function niceMax(x: number): number {
  if (x <= 0) return 1
  const p = 10 ** Math.floor(Math.log10(x))
  for (const m of [1, 2, 5, 10]) if (m * p >= x) return m * p
  return 10 * p
}

/**
 * Both periods' lines in a `width` × `height` box, y growing downwards.
 *
 * @example
 * trendLines([1, 2], [2, 0], 100, 50) // { current: 'M0 25 L100 0', previous: 'M0 0 L100 50', max: 2, xs: [0, 100] }
 */
export function trendLines(current: number[], previous: (number | null)[], width: number, height: number): TrendLines {
  const max = niceMax(Math.max(0, ...current, ...previous.map((v) => v ?? 0)))
  const step = current.length > 1 ? width / (current.length - 1) : 0
  const xs = current.map((_, i) => round(i * step))
  const y = (v: number) => round(height - (v / max) * height)
  const path = (vs: (number | null)[]) => vs
    .map((v, i) => (v === null ? null : `${xs[i]} ${y(v)}`))
    .filter((p) => p !== null)
    .map((p, i) => `${i === 0 ? 'M' : 'L'}${p}`)
    .join(' ')
  return { current: path(current), previous: path(previous.slice(0, current.length)), max, xs }
}

/** Which of n points get an x label: at most `most`, evenly spread, always the first and last. */
export function tickIndexes(n: number, most = 8): number[] {
  if (n <= most) return [...Array(n).keys()]
  const every = Math.ceil((n - 1) / (most - 1))
  const out: number[] = []
  for (let i = 0; i < n - 1; i += every) out.push(i)
  if (n - 1 - out[out.length - 1] < every / 2) out.pop()
  out.push(n - 1)
  return out
}

const round = (x: number) => Math.round(x * 10) / 10
