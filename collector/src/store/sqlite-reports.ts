/**
 * Report queries on SQLite. Scans stream rows with `.iterate()` in unit order and hand
 * each group to a synchronous callback, so memory holds one visitor's events, not a table.
 * Bot rows never count.
 */
import type Database from 'better-sqlite3'
import type { EventType, Props } from './types.ts'
import { sqlGlob } from '../reports/steps.ts'
import type {
  AttributionScan, ConversionRow, ExperimentScan, FunnelEvent, FunnelScan, ReportStore, SessionGroup,
  SpendRow, SpendTotal, StepFilter, SummaryCounts, TimeRange, TouchSession, VariantCounts,
} from './report-types.ts'

type Row = Record<string, unknown>

export class SqliteReports implements ReportStore {
  constructor(private readonly db: Database.Database) {}

  async summary(site: string, range: TimeRange): Promise<SummaryCounts> {
    const args = [site, range.start, range.end]
    const ev = this.db.prepare(`SELECT COUNT(DISTINCT visitor) AS visitors,
        COALESCE(SUM(type = 'pageview'), 0) AS pageviews, COALESCE(SUM(type = 'conversion'), 0) AS conversions,
        COUNT(DISTINCT CASE WHEN type = 'conversion' THEN visitor END) AS convertingVisitors
      FROM events WHERE site = ? AND ts >= ? AND ts < ? AND bot = 0`).get(...args) as Row
    const sessions = this.db.prepare(`SELECT COUNT(*) AS n FROM sessions
      WHERE site = ? AND started >= ? AND started < ? AND bot = 0`).get(...args) as { n: number }
    const revenue = this.db.prepare(`SELECT currency, SUM(value) AS amount FROM events
      WHERE site = ? AND type = 'conversion' AND ts >= ? AND ts < ? AND bot = 0 AND value IS NOT NULL
      GROUP BY currency ORDER BY currency`).all(...args) as { currency: string | null; amount: number }[]
    return {
      visitors: ev.visitors as number,
      sessions: sessions.n,
      pageviews: ev.pageviews as number,
      conversions: ev.conversions as number,
      convertingVisitors: ev.convertingVisitors as number,
      revenue,
    }
  }

  async scanFunnel(site: string, q: FunnelScan, onUnit: (events: FunnelEvent[]) => void): Promise<void> {
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
    const [firstWhere, firstArgs] = where(q.steps[0])
    const base = `e.site = ? AND e.ts >= ? AND e.ts < ? AND e.bot = 0 AND ${unitCol} IS NOT NULL`
    const baseArgs = [site, q.range.start, q.range.end + q.windowMs + 1]
    // Units that entered: only their events can matter. Strict mode reads every event, so
    // it filters by them; in ordered mode the arms are selective already and the probe
    // costs more than it saves.
    // The unary + keeps the planner from walking the IN list through the visitor index.
    const entered = `+${unitCol} IN (SELECT ${unitCol} FROM events e WHERE e.site = ? AND e.ts >= ? AND e.ts < ? AND e.bot = 0 AND ${firstWhere})`
    const enteredArgs = [site, q.range.start, q.range.end, ...firstArgs]
    const withEntry = q.withEntry || q.experiment !== null
    // Breakdowns need the entry's session (and variant) only for each unit's winning step-1
    // event, so rows carry the ids and the attributes are looked up when first read.
    const entryCols = withEntry ? ', e.session_id, e.visitor' : ''
    const lookup = withEntry ? this.entryLookup(site, q) : null
    let sql: string
    let args: unknown[]
    if (q.allEvents) {
      // Strict mode needs to know what comes right after each event. SQLite walks every event
      // of the entered units, tags each with the first filter it meets (or -1) and the rowid
      // of the unit's next event; only events some step can match cross into JS.
      const caseArgs: unknown[] = []
      const cases = filters.map((f, k) => {
        const [w, wargs] = where(f)
        caseArgs.push(...wargs)
        return `WHEN ${w} THEN ${k}`
      }).join(' ')
      const ids = withEntry ? ', sid, vis' : ''
      sql = `SELECT unit, ts, seq, arm, next, NULL, path, props${ids} FROM (
          SELECT +${unitCol} AS unit, e.ts AS ts, e.rowid AS seq, CASE ${cases} ELSE -1 END AS arm,
            CASE WHEN e.type = 'pageview' THEN e.path END AS path, ${q.withProps ? 'e.props' : 'NULL'} AS props
            ${withEntry ? ', e.session_id AS sid, e.visitor AS vis' : ''},
            LEAD(e.rowid) OVER (PARTITION BY +${unitCol} ORDER BY e.ts, e.rowid) AS next
          FROM events e WHERE ${base} AND ${entered})
        WHERE arm >= 0 ORDER BY 1, 2, 3`
      args = [...caseArgs, ...baseArgs, ...enteredArgs]
    } else {
      const arms: string[] = []
      args = []
      const firstKey = keyOf(q.steps[0])
      filters.forEach((f, k) => {
        const [w, wargs] = where(f)
        // Only step-1 events can be entries.
        const ids = keyOf(f) === firstKey ? entryCols : entryCols.replace(/e\.\w+/g, 'NULL')
        // +unit: sorting the few matching rows beats walking the whole visitor index in order.
        arms.push(`SELECT +${unitCol}, e.ts, e.rowid, ${k}, NULL, NULL, ${f.pathGlob !== null ? 'e.path' : 'NULL'}, ${propsOf(f)}${ids}
          FROM events e WHERE ${base} AND ${w}`)
        args.push(...baseArgs, ...wargs)
      })
      sql = `${arms.join(' UNION ALL ')} ORDER BY 1, 2, 3, 4`
    }
    let unit: unknown = undefined
    let lastSeq = -1
    let buf: FunnelEvent[] = []
    for (const r of this.db.prepare(sql).raw(true).iterate(...args) as IterableIterator<unknown[]>) {
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
  private entryLookup(site: string, q: FunnelScan): EntryLookup {
    const session = this.db.prepare(`SELECT channel, source, medium, campaign, click_id_type, referrer_host, device, browser, country
      FROM sessions WHERE site = ? AND id = ?`).raw(true)
    // One experiment's exposed visitors fit in memory easily and a point lookup per entrant
    // would read every event of that visitor. The bare column beside MIN() takes its value
    // from the row holding the minimum: the first exposure decides.
    const variants = new Map<string, string | null>()
    if (q.experiment !== null) {
      const rows = this.db.prepare(`SELECT visitor, CAST(json_extract(props, '$.variant') AS TEXT), MIN(ts) FROM events
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

  async scanAttribution(site: string, q: AttributionScan, onVisitor: (touches: TouchSession[], conversions: ConversionRow[]) => void): Promise<void> {
    const nameFilter = q.conversion === null ? '' : 'AND name = ?'
    const convArgs = [site, q.range.start, q.range.end, ...(q.conversion === null ? [] : [q.conversion])]
    // Conversions without a visitor cannot have touches; a per-event key keeps them apart (credited to Direct).
    const sql = `WITH conv AS (
        SELECT COALESCE(visitor, 'event:' || rowid) AS visitor, ts, value, currency FROM events
        WHERE site = ? AND type = 'conversion' AND ts >= ? AND ts < ? AND bot = 0 ${nameFilter})
      SELECT visitor, ts, 1 AS kind, value, currency, NULL, NULL, NULL, NULL, NULL, NULL FROM conv
      UNION ALL
      SELECT visitor, started, 0, NULL, NULL, channel, source, medium, campaign, click_id_type, referrer_host FROM sessions
      WHERE site = ? AND started >= ? AND started < ? AND bot = 0 AND channel <> 'Direct'
        AND visitor IN (SELECT visitor FROM conv)
      ORDER BY 1, 2, 3`
    const stmt = this.db.prepare(sql).raw(true)
    let visitor: unknown = undefined
    let touches: TouchSession[] = []
    let convs: ConversionRow[] = []
    const flush = () => { if (convs.length) onVisitor(touches, convs) }
    for (const r of stmt.iterate(...convArgs, site, q.range.start - q.lookbackMs, q.range.end) as IterableIterator<unknown[]>) {
      if (r[0] !== visitor) {
        flush()
        touches = []
        convs = []
        visitor = r[0]
      }
      if (r[2] === 1) convs.push({ ts: r[1] as number, value: r[3] as number | null, currency: r[4] as string | null })
      else {
        touches.push({
          started: r[1] as number, channel: r[5] as string, source: r[6] as string | null, medium: r[7] as string | null,
          campaign: r[8] as string | null, clickIdType: r[9] as string | null, referrerHost: r[10] as string | null,
        })
      }
    }
    flush()
  }

  async sessionGroups(site: string, range: TimeRange): Promise<SessionGroup[]> {
    return this.db.prepare(`SELECT channel, source, medium, campaign, click_id_type AS clickIdType,
        referrer_host AS referrerHost, COUNT(*) AS sessions
      FROM sessions WHERE site = ? AND started >= ? AND started < ? AND bot = 0
      GROUP BY channel, source, medium, campaign, click_id_type, referrer_host`).all(site, range.start, range.end) as SessionGroup[]
  }

  async spendTotals(site: string, fromDate: string, toDate: string): Promise<SpendTotal[]> {
    return this.db.prepare(`SELECT source, medium, campaign, currency, SUM(cost) AS cost,
        SUM(impressions) AS impressions, SUM(clicks) AS clicks
      FROM spend WHERE site = ? AND date >= ? AND date <= ?
      GROUP BY source, medium, campaign, currency ORDER BY source, medium, campaign, currency`).all(site, fromDate, toDate) as SpendTotal[]
  }

  async upsertSpend(site: string, rows: SpendRow[]): Promise<number> {
    const stmt = this.db.prepare(`INSERT INTO spend (site, date, source, medium, campaign, cost, impressions, clicks, currency)
      VALUES (@site, @date, @source, @medium, @campaign, @cost, @impressions, @clicks, @currency)
      ON CONFLICT (site, date, source, medium, campaign) DO UPDATE SET cost = excluded.cost,
        impressions = excluded.impressions, clicks = excluded.clicks, currency = excluded.currency`)
    this.db.transaction(() => { for (const r of rows) stmt.run({ site, ...r }) })()
    return rows.length
  }

  async experiment(site: string, q: ExperimentScan): Promise<VariantCounts[]> {
    const nameFilter = q.conversion === null ? '' : 'AND c.name = ?'
    const sql = `WITH first AS (
        SELECT visitor, COALESCE(CAST(json_extract(props, '$.variant') AS TEXT), '(none)') AS variant, MIN(ts) AS ts
        FROM events WHERE site = ? AND type = 'exposure' AND name = ? AND ts < ? AND bot = 0 AND visitor IS NOT NULL
        GROUP BY visitor)
      SELECT variant, COUNT(*) AS visitors,
        SUM(EXISTS (SELECT 1 FROM events c WHERE c.site = ? AND c.visitor = first.visitor AND c.type = 'conversion'
          AND c.ts >= first.ts AND c.ts < ? AND c.bot = 0 ${nameFilter})) AS converters
      FROM first WHERE ts >= ? GROUP BY variant ORDER BY variant`
    const args = [site, q.experiment, q.range.end, site, q.range.end, ...(q.conversion === null ? [] : [q.conversion]), q.range.start]
    return this.db.prepare(sql).all(...args) as VariantCounts[]
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
