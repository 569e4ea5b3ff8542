/**
 * The funnel scan on SQLite: the events that may fill funnel steps, grouped by unit and in
 * sequence order, streamed with `.iterate()` to a synchronous callback.
 *
 * - One UNION ALL arm per distinct step filter, each served by a covering partial index
 *   (migration 2); SQLite sorts the matching rows by unit, time and rowid.
 * - Rows carry only what the maths reads: each row costs about a microsecond to sort and
 *   hand to JS, and every extra column adds to that. An exact-path arm's path is its filter.
 * - Strict mode looks an event's successor up only where the maths asks (a step candidate
 *   follows it), and breakdowns look the entry's attributes up only for each unit's winning
 *   step-1 event (`sqlite-funnel-lookups.ts`).
 */
import type Database from 'better-sqlite3'
import type { Props } from './types.ts'
import { sqlGlob } from '../reports/steps.ts'
import type { FunnelEvent, FunnelScan, StepFilter } from './report-types.ts'
import { LazyFunnelEvent, scanLookups } from './sqlite-funnel-lookups.ts'
import { distinctStepFilters } from './funnel-filters.ts'
import { binder, eventInSegmentRange } from './segment-sql.ts'

/**
 * Streams one site's funnel candidates per unit.
 *
 * @example
 * scanFunnel(db, 'shop', { range, windowMs, steps, allEvents: false, unit: 'visitor', withProps: false, withEntry: false, experiment: null }, (events) => tally(events))
 */
export function scanFunnel(db: Database.Database, site: string, q: FunnelScan, onUnit: (events: FunnelEvent[]) => void, span?: number | null): void {
  const byVisitor = q.unit === 'visitor'
  const unitCol = byVisitor ? 'e.visitor' : 'e.session_id'
  // One arm per distinct step filter; repeated steps share an arm, overlapping globs may
  // return an event twice (dropped below by its rowid).
  const filters = distinctStepFilters(q.steps)
  const isGlob = (f: StepFilter) => f.pathGlob !== null && f.pathGlob.includes('*')
  const where = (f: StepFilter): [string, unknown[]] => {
    if (f.pathGlob === null) return ['e.type = ? AND e.name = ?', [f.type, f.name]]
    if (!isGlob(f)) return [`e.type = 'pageview' AND e.path = ?`, [f.pathGlob]]
    // SQLite narrows GLOB to an index range only for a literal pattern, not a parameter.
    return [`e.type = 'pageview' AND e.path GLOB ${sqlString(sqlGlob(f.pathGlob))}`, []]
  }
  const segArgs = binder('sqlite')
  const inSegment = eventInSegmentRange(q.segment, 'sqlite', segArgs, 'e', site, { start: q.range.start, end: q.range.end + q.windowMs + 1 }, span)
  const base = `e.site = ? AND e.ts >= ? AND e.ts < ? AND e.bot = 0 AND ${unitCol} IS NOT NULL AND ${inSegment}`
  const baseArgs = [site, q.range.start, q.range.end + q.windowMs + 1, ...segArgs.args]
  const strict = q.allEvents
  const withEntry = q.withEntry || q.experiment !== null
  // The unit column gives one of session and visitor; the other is read only where a lookup
  // needs it: the entry's session (breakdowns), the visitor for strict successors and variants.
  const wantsOther = (first: boolean) => (byVisitor ? first && q.withEntry : strict || (first && q.experiment !== null))
  const otherCol = wantsOther(true) ? (byVisitor ? 'e.session_id' : 'e.visitor') : null
  const propsCol = filters.some((f) => q.withProps && (f.needsProps ?? true))
  const pathCol = filters.some(isGlob)
  const lookups = strict || withEntry ? scanLookups(db, site, q) : null
  const arms: string[] = []
  const args: unknown[] = []
  filters.forEach((f, k) => {
    const [w, wargs] = where(f)
    const cols = [`+${unitCol}`, 'e.ts', 'e.rowid', String(k)]
    if (pathCol) cols.push(isGlob(f) ? 'e.path' : 'NULL')
    // Props sit outside the covering indexes: read them only for filters that test them.
    if (propsCol) cols.push(q.withProps && (f.needsProps ?? true) ? 'e.props' : 'NULL')
    if (otherCol !== null) cols.push(wantsOther(k === 0) ? otherCol : 'NULL')
    // +unit: sorting the few matching rows beats walking the whole visitor index in order.
    arms.push(`SELECT ${cols.join(', ')} FROM events e WHERE ${base} AND ${w}`)
    args.push(...baseArgs, ...wargs)
  })
  const sql = `${arms.join(' UNION ALL ')} ORDER BY 1, 2, 3, 4`
  const propsAt = pathCol ? 5 : 4
  const otherAt = propsAt + (propsCol ? 1 : 0)
  let unit: unknown = undefined
  let lastSeq = -1
  let buf: FunnelEvent[] = []
  for (const r of db.prepare(sql).raw(true).iterate(...args) as IterableIterator<unknown[]>) {
    if (r[0] !== unit) {
      if (buf.length) onUnit(buf)
      buf = []
      unit = r[0]
    } else if (r[2] === lastSeq) continue
    const seq = r[2] as number
    lastSeq = seq
    const f = filters[r[3] as number]
    const ts = r[1] as number
    const name = f.name ?? 'pageview'
    const path = f.pathGlob === null ? null : pathCol && isGlob(f) ? (r[4] as string) : f.pathGlob
    const props = propsCol && r[propsAt] ? parseProps(r[propsAt] as string) : null
    if (lookups === null) {
      buf.push({ seq, ts, type: f.type, name, path, props })
      continue
    }
    const other = otherCol !== null ? (r[otherAt] as string | null) : null
    const [sessionId, visitor] = byVisitor ? [other, r[0] as string] : [r[0] as string, other]
    buf.push(new LazyFunnelEvent(seq, ts, f.type, name, path, props, strict, sessionId, visitor, lookups))
  }
  if (buf.length) onUnit(buf)
}

/** A string as an SQL literal (quotes doubled). */
function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`
}

/** A stored props column as an object (null: none, or not an object). */
export function parseProps(json: string | null | undefined): Props | null {
  if (!json) return null
  try {
    const v = JSON.parse(json) as unknown
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Props) : null
  } catch {
    return null
  }
}
