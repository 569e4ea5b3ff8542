/**
 * What a SQLite funnel scan looks up on demand rather than for every row: a breakdown's
 * entry attributes (needed for each unit's winning step-1 event only) and, in strict mode,
 * an event's successor (needed only where a step candidate follows it in the scan).
 */
import type Database from 'better-sqlite3'
import type { EventType, Props } from './types.ts'
import type { FunnelEvent, FunnelScan } from './report-types.ts'
import { binder, eventInSegment, segmentSql } from './segment-sql.ts'
import { ENTRY_COLS, entryAttrs } from './derived-rows.ts'

type Entry = NonNullable<FunnelEvent['entry']>

/** The lookups one scan shares among its events. */
export interface ScanLookups {
  /** The entry attributes of an event in this session of this visitor. */
  entry(sessionId: string | null, visitor: string | null): Entry
  /** The rowid of the unit's next stored event after (ts, seq), of any type; null when none. */
  next(ts: number, seq: number, visitor: string, sessionId: string | null): number | null
}

/**
 * Prepares the lookups a scan needs.
 *
 * @example
 * const lookups = scanLookups(db, 'shop', scan) // then new LazyFunnelEvent(…, lookups)
 */
export function scanLookups(db: Database.Database, site: string, q: FunnelScan): ScanLookups {
  // Point lookups take their keys from a one-row CTE, not as `col = ?`: once ANALYZE has
  // written stat4 samples, the planner probes them with a bound value and marks the
  // statement to be re-prepared whenever that parameter is bound again, which made each
  // lookup cost ~15-40 µs of planning instead of ~3 µs of searching.
  const session = db.prepare(`WITH k(site, id) AS (SELECT ?, ?)
    SELECT ${ENTRY_COLS.map((c) => `s.${c}`).join(', ')}, ${segmentSql({ firstSession: true }, 'sqlite', binder('sqlite'), 's')}
    FROM k JOIN sessions s ON s.site = k.site AND s.id = k.id`).raw(true)
  // One experiment's exposed visitors fit in memory easily and a point lookup per entrant
  // would read every event of that visitor. Exposures come in time order off migration 3's
  // index, variant included, so the first one seen per visitor decides (as the PostgreSQL
  // store's DISTINCT ON … ORDER BY ts, seq) with neither a GROUP BY sort nor table reads.
  // INDEXED BY: the planner prices the expression as a table read and would not pick it.
  const variants = new Map<string, string | null>()
  if (q.experiment !== null) {
    const rows = db.prepare(`SELECT visitor, CAST(json_extract(props, '$.variant') AS TEXT) FROM events INDEXED BY events_exposure_variant
      WHERE site = ? AND type = 'exposure' AND name = ? AND bot = 0 AND visitor IS NOT NULL ORDER BY ts, rowid`).raw(true)
    for (const [v, variant] of rows.iterate(site, q.experiment) as IterableIterator<[string, string | null]>) {
      if (!variants.has(v)) variants.set(v, variant)
    }
  }
  // One step along the visitor index. In session mode the unit's next event is the next
  // one of the same session, so other sessions' events are stepped over.
  // In a segment, the unit's next event is its next one in the segment's sessions.
  const seg = binder('sqlite')
  const inSegment = eventInSegment(q.segment, 'sqlite', seg, 'x')
  const next = db.prepare(`WITH k(site, visitor, ts, seq, session_id) AS (SELECT ?, ?, ?, ?, ?)
    SELECT x.rowid FROM k JOIN events x ON x.site = k.site AND x.visitor = k.visitor
    WHERE x.bot = 0 AND x.ts >= k.ts AND (x.ts > k.ts OR x.rowid > k.seq)
      ${q.unit === 'session' ? 'AND x.session_id = k.session_id' : ''} AND ${inSegment}
    ORDER BY x.ts, x.rowid LIMIT 1`).pluck(true)
  return {
    entry(sessionId, visitor) {
      const s = q.withEntry && sessionId !== null ? (session.get(site, sessionId) as (string | number | null)[] | undefined) : undefined
      return {
        ...entryAttrs(s ?? []),
        firstSession: s ? s[ENTRY_COLS.length] === 1 : undefined,
        variant: visitor !== null ? (variants.get(visitor) ?? null) : null,
      }
    },
    next(ts, seq, visitor, sessionId) {
      return (next.get(site, visitor, ts, seq, sessionId, ...seg.args) as number | undefined) ?? null
    },
  }
}

/**
 * A funnel event whose entry attributes and successor are read only if the maths asks:
 * the entry for each unit's winning step-1 event, the successor (strict mode) where a
 * step candidate follows in the scan. An event without a visitor has no known successor,
 * so it ends a strict chain.
 */
export class LazyFunnelEvent implements FunnelEvent {
  private nextSeq: number | null | undefined = undefined
  private looked = false

  constructor(
    readonly seq: number, readonly ts: number, readonly type: EventType, readonly name: string,
    readonly path: string | null, readonly props: Props | null,
    private readonly strict: boolean, private readonly sessionId: string | null, private readonly visitor: string | null,
    private readonly lookups: ScanLookups,
  ) {}

  get next(): number | null | undefined {
    if (!this.strict) return undefined
    if (!this.looked) {
      this.nextSeq = this.visitor === null ? null : this.lookups.next(this.ts, this.seq, this.visitor, this.sessionId)
      this.looked = true
    }
    return this.nextSeq
  }

  get entry(): Entry {
    return this.lookups.entry(this.sessionId, this.visitor)
  }
}
