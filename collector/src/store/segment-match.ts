/**
 * A segment condition (`SegmentCond`) tested on a session held as columns rather than a row
 * SQL can read: the same meaning as `segment-sql.ts` (a column test never matches NULL unless
 * it asks `isNull`; globs as funnel steps), for the SQLite funnel columns.
 */
import type { SegmentColumn, SegmentCond } from './report-types.ts'
import { globRegExp, matchPathRegExp } from '../reports/steps.ts'

/** A session as the condition sees it: a column's value (null where unknown) and whether it is its visitor's first. */
export interface SegmentSession {
  col(c: SegmentColumn): string | null
  first: boolean
  /**
   * The variant of the visitor's first exposure to `experiment` ('(none)' when it named
   * none) if that came at or before the session's last event; null otherwise. Needed only
   * for a condition that tests exposures (`experimentsOf`).
   */
  variant?(experiment: string): string | null
}

/** The experiments whose exposures the condition tests (a session's own columns cannot answer those). */
export function experimentsOf(c: SegmentCond): string[] {
  if ('all' in c) return [...new Set(c.all.flatMap(experimentsOf))]
  if ('any' in c) return [...new Set(c.any.flatMap(experimentsOf))]
  if ('not' in c) return experimentsOf(c.not)
  return 'experiment' in c ? [c.experiment] : []
}

/**
 * Whether the session is in the segment; an experiment test throws unless the session says its `variant`.
 *
 * @example
 * segmentMatches({ col: 'device', eq: 'mobile' }, { col: (c) => (c === 'device' ? 'mobile' : null), first: true }) // true
 */
export function segmentMatches(c: SegmentCond, s: SegmentSession): boolean {
  if ('all' in c) return c.all.every((x) => segmentMatches(x, s))
  if ('any' in c) return c.any.some((x) => segmentMatches(x, s))
  if ('not' in c) return !segmentMatches(c.not, s)
  if ('firstSession' in c) return c.firstSession === s.first
  if ('experiment' in c) {
    if (!s.variant) throw new Error('an experiment segment needs the exposures, not the session alone')
    return s.variant(c.experiment) === c.variant
  }
  const v = s.col(c.col)
  if ('isNull' in c) return v === null
  if (v === null) return false
  if ('eq' in c) return v === c.eq
  if ('in' in c) return c.in.includes(v)
  return matchPathRegExp(globRegExp(c.glob)).test(v)
}
