/**
 * The funnel scan on SQLite: the events that may fill funnel steps, grouped by unit and in
 * sequence order, streamed with `.iterate()` to a synchronous callback.
 *
 * - One UNION ALL arm per distinct step filter, each served by a covering partial index
 *   (migration 2); SQLite sorts the matching rows by unit, time and rowid.
 * - Strict mode adds to each row the rowid of the unit's next stored event of any type,
 *   so only matching events reach JS and the maths can still tell what came between.
 * - Breakdowns: rows carry session and visitor ids; the entry's attributes are looked up
 *   only for the events the maths asks about (each unit's winning step-1 event).
 */
import type Database from 'better-sqlite3'
import type { EventType, Props } from './types.ts'
import { sqlGlob } from '../reports/steps.ts'
import type { FunnelEvent, FunnelScan, StepFilter } from './report-types.ts'

/**
 * Streams one site's funnel candidates per unit.
 *
 * @example
 * scanFunnel(db, 'shop', { range, windowMs, steps, allEvents: false, unit: 'visitor', withProps: false, withEntry: false, experiment: null }, (events) => tally(events))
 */
export function scanFunnel(db: Database.Database, site: string, q: FunnelScan, onUnit: (events: FunnelEvent[]) => void): void {
  const unitCol = q.unit === 'visitor' ? 'e.visitor' : 'e.session_id'
  // One arm per distinct step filter; repeated steps share an arm, overlapping globs may
  // return an event twice (dropped below by its rowid).
  const filters: StepFilter[] = []
  const keyOf = (f: StepFilter) => `${f.type}\n${f.name}\n${f.pathGlob}`
  for (const f of q.steps) {
    const same = filters.find((g) => keyOf(g) === keyOf(f))
    if (!same) filters.push({ ...f })
    else if (f.needsProps) same.needsProps = true
  }
  // Props sit outside the covering indexes: read them only for filters that test them.
  const propsOf = (f: StepFilter) => (q.withProps && (f.needsProps ?? true) ? 'e.props' : 'NULL')
  const where = (f: StepFilter): [string, unknown[]] => {
    if (f.pathGlob === null) return ['e.type = ? AND e.name = ?', [f.type, f.name]]
    if (!f.pathGlob.includes('*')) return [`e.type = 'pageview' AND e.path = ?`, [f.pathGlob]]
    // SQLite narrows GLOB to an index range only for a literal pattern, not a parameter.
    return [`e.type = 'pageview' AND e.path GLOB ${sqlString(sqlGlob(f.pathGlob))}`, []]
  }
  const base = `e.site = ? AND e.ts >= ? AND e.ts < ? AND e.bot = 0 AND ${unitCol} IS NOT NULL`
  const baseArgs = [site, q.range.start, q.range.end + q.windowMs + 1]
  // Strict mode must know what came right after each matching event: the rowid of the
  // unit's next stored event, one step along the visitor index. Cheaper than handing every
  // event to JS; an event without a visitor has no known successor and ends a chain.
  const next = !q.allEvents ? 'NULL' : `(SELECT x.rowid FROM events x
    WHERE x.site = e.site AND x.visitor = e.visitor AND x.bot = 0 AND x.ts >= e.ts AND (x.ts > e.ts OR x.rowid > e.rowid)
      ${q.unit === 'session' ? 'AND x.session_id = e.session_id' : ''}
    ORDER BY x.ts, x.rowid LIMIT 1)`
  const withEntry = q.withEntry || q.experiment !== null
  // Breakdowns need the entry's session (and variant) only for each unit's winning step-1
  // event, so rows carry the ids and the attributes are looked up when first read.
  const entryCols = withEntry ? ', e.session_id, e.visitor' : ''
  const lookup = withEntry ? entryLookup(db, site, q) : null
  const arms: string[] = []
  const args: unknown[] = []
  const firstKey = keyOf(q.steps[0])
  filters.forEach((f, k) => {
    const [w, wargs] = where(f)
    // Only step-1 events can be entries.
    const ids = keyOf(f) === firstKey ? entryCols : entryCols.replace(/e\.\w+/g, 'NULL')
    // +unit: sorting the few matching rows beats walking the whole visitor index in order.
    arms.push(`SELECT +${unitCol}, e.ts, e.rowid, ${k}, ${next}, NULL, ${f.pathGlob !== null ? 'e.path' : 'NULL'}, ${propsOf(f)}${ids}
      FROM events e WHERE ${base} AND ${w}`)
    args.push(...baseArgs, ...wargs)
  })
  const sql = `${arms.join(' UNION ALL ')} ORDER BY 1, 2, 3, 4`
  let unit: unknown = undefined
  let lastSeq = -1
  let buf: FunnelEvent[] = []
  for (const r of db.prepare(sql).raw(true).iterate(...args) as IterableIterator<unknown[]>) {
    if (r[0] !== unit) {
      if (buf.length) onUnit(buf)
      buf = []
      unit = r[0]
    } else if (r[2] === lastSeq) continue
    lastSeq = r[2] as number
    const f = filters[r[3] as number]
    const name = f.name ?? 'pageview'
    const path = r[6] as string | null
    const props = r[7] ? parseProps(r[7] as string) : null
    const next = q.allEvents ? (r[4] as number | null) : undefined
    buf.push(lookup && (r[8] !== null || r[9] !== null)
      ? new LazyEntryEvent(r[2] as number, r[1] as number, f.type, name, path, props, next, r[8] as string | null, r[9] as string | null, lookup)
      : { seq: r[2] as number, ts: r[1] as number, type: f.type, name, path, props, next })
  }
  if (buf.length) onUnit(buf)
}

/** Reads an entry's session attributes and the visitor's first exposure variant. */
function entryLookup(db: Database.Database, site: string, q: FunnelScan): EntryLookup {
  const session = db.prepare(`SELECT channel, source, medium, campaign, click_id_type, referrer_host, device, browser, country
    FROM sessions WHERE site = ? AND id = ?`).raw(true)
  // One experiment's exposed visitors fit in memory easily and a point lookup per entrant
  // would read every event of that visitor. The bare column beside MIN() takes its value
  // from the row holding the minimum: the first exposure decides.
  const variants = new Map<string, string | null>()
  if (q.experiment !== null) {
    const rows = db.prepare(`SELECT visitor, CAST(json_extract(props, '$.variant') AS TEXT), MIN(ts) FROM events
      WHERE site = ? AND type = 'exposure' AND name = ? AND bot = 0 AND visitor IS NOT NULL GROUP BY visitor`).raw(true)
    for (const [v, variant] of rows.iterate(site, q.experiment) as IterableIterator<[string, string | null]>) variants.set(v, variant)
  }
  return (sessionId, visitor) => {
    const s = q.withEntry && sessionId !== null ? (session.get(site, sessionId) as (string | null)[] | undefined) : undefined
    const col = (i: number) => s?.[i] ?? null
    return {
      channel: col(0) ?? 'Direct', source: col(1), medium: col(2), campaign: col(3), clickIdType: col(4),
      referrerHost: col(5), device: col(6), browser: col(7), country: col(8),
      variant: visitor !== null ? (variants.get(visitor) ?? null) : null,
    }
  }
}

type EntryLookup = (sessionId: string | null, visitor: string | null) => NonNullable<FunnelEvent['entry']>

/** A funnel event whose entry attributes are read only if a report asks (the winning step-1 events). */
class LazyEntryEvent implements FunnelEvent {
  constructor(
    readonly seq: number, readonly ts: number, readonly type: EventType, readonly name: string,
    readonly path: string | null, readonly props: Props | null, readonly next: number | null | undefined,
    private readonly sessionId: string | null, private readonly visitor: string | null, private readonly lookup: EntryLookup,
  ) {}

  get entry(): NonNullable<FunnelEvent['entry']> {
    return this.lookup(this.sessionId, this.visitor)
  }
}

/** A string as an SQL literal (quotes doubled). */
function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`
}

function parseProps(json: string): Props | null {
  try {
    const v = JSON.parse(json) as unknown
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Props) : null
  } catch {
    return null
  }
}
