/**
 * A funnel counted in shares of the visitors and put together: report workers split one
 * funnel between them (`report-runner/pool.ts`), each counting its share of the visitors.
 * Counts add up, and each step's median is taken over every share's gaps, so the report is
 * the one a single count over all visitors gives.
 */
import type { FunnelQuery, FunnelReport } from './types.ts'
import { FunnelTally, type TallyState } from './funnel.ts'
import { segmentOf } from './segment.ts'

/** A funnel's count: the total, and each breakdown value's entrants and tally. */
export interface FunnelCount {
  total: FunnelTally
  parts: Map<string, { entries: number; tally: FunnelTally }>
}

/** A `FunnelCount` as plain data, to cross from a report worker. */
export interface FunnelShare {
  total: TallyState
  parts: [key: string, entries: number, tally: TallyState][]
}

/** A count as plain data (`FunnelShare`). */
export function shareOf(c: FunnelCount): FunnelShare {
  return { total: c.total.state(), parts: [...c.parts].map(([key, p]) => [key, p.entries, p.tally.state()]) }
}

/**
 * The count of shares over disjoint visitors: as one count over all of them.
 *
 * @example
 * funnelReport(q, countOfShares(q, await Promise.all([0, 1].map((part) => reports.funnelShare(site, q, { part, of: 2, bits: 16 })))))
 */
export function countOfShares(q: FunnelQuery, shares: FunnelShare[]): FunnelCount {
  const labels = q.steps.map((s) => s.label)
  const out: FunnelCount = { total: new FunnelTally(labels), parts: new Map() }
  for (const share of shares) {
    out.total.merge(share.total)
    for (const [key, entries, tally] of share.parts) {
      let part = out.parts.get(key)
      if (!part) out.parts.set(key, (part = { entries: 0, tally: new FunnelTally(labels) }))
      part.entries += entries
      part.tally.merge(tally)
    }
  }
  return out
}

/** The funnel report of a count: breakdown values by entrants, most first. */
export function funnelReport(q: FunnelQuery, c: FunnelCount): FunnelReport {
  const breakdown: FunnelReport['breakdown'] = {}
  for (const [key, part] of [...c.parts].sort((a, b) => b[1].entries - a[1].entries || (a[0] < b[0] ? -1 : 1))) {
    breakdown[key] = part.tally.rows()
  }
  return {
    from: q.from, to: q.to, unit: q.unit, mode: q.mode, windowSeconds: q.windowMs / 1000,
    steps: c.total.rows(), breakdown, ...segmentOf(q),
  }
}
