/**
 * Report queries on PostgreSQL, one port of each SQLite query in `sqlite-reports.ts`, so
 * the shared maths gets the same rows in the same order. Scans stream through a
 * server-side cursor and hand each unit to a synchronous callback. Bot rows never count.
 *
 * Money is summed exactly (see `exactSum`) and rounded once, so the total does not depend
 * on the order the rows happen to be read in, and matches SQLite's compensated sum.
 */
import type pg from 'pg'
import type { EventType, Props } from './types.ts'
import { streamRows } from './postgres-pool.ts'
import type {
  AttributionScan, ConversionRow, ExperimentScan, FunnelEvent, FunnelScan, ReportStore, SessionGroup,
  SpendRow, SpendTotal, StepFilter, SummaryCounts, TimeRange, TouchSession, VariantCounts,
} from './report-types.ts'

/**
 * @example
 * const reports = new PostgresReports(pool)
 * await reports.summary('shop', { start: Date.parse('2026-11-01'), end: Date.parse('2026-12-01') })
 */
export class PostgresReports implements ReportStore {
  constructor(private readonly pool: pg.Pool) {}

  async summary(site: string, range: TimeRange): Promise<SummaryCounts> {
    const args = [site, range.start, range.end]
    const [ev, sessions, revenue] = await Promise.all([
      this.pool.query(`SELECT COUNT(DISTINCT visitor) AS visitors,
          COUNT(*) FILTER (WHERE type = 'pageview') AS pageviews, COUNT(*) FILTER (WHERE type = 'conversion') AS conversions,
          COUNT(DISTINCT visitor) FILTER (WHERE type = 'conversion') AS "convertingVisitors"
        FROM events WHERE site = $1 AND ts >= $2 AND ts < $3 AND NOT bot`, args),
      this.pool.query(`SELECT COUNT(*) AS n FROM sessions WHERE site = $1 AND started >= $2 AND started < $3 AND NOT bot`, args),
      this.pool.query<{ currency: string | null; amount: number }>(`SELECT currency, ${exactSum('value')} AS amount FROM events
        WHERE site = $1 AND type = 'conversion' AND ts >= $2 AND ts < $3 AND NOT bot AND value IS NOT NULL
        GROUP BY currency ORDER BY currency NULLS FIRST`, args),
    ])
    const e = ev.rows[0]
    return {
      visitors: e.visitors, sessions: sessions.rows[0].n, pageviews: e.pageviews, conversions: e.conversions,
      convertingVisitors: e.convertingVisitors, revenue: revenue.rows,
    }
  }

  async scanFunnel(site: string, q: FunnelScan, onUnit: (events: FunnelEvent[]) => void): Promise<void> {
    const args: unknown[] = [site, q.range.start, q.range.end + q.windowMs + 1]
    const arg = (v: unknown) => `$${args.push(v)}`
    const unitCol = q.unit === 'visitor' ? 'e.visitor' : 'e.session_id'
    // One arm per distinct step filter, so each can use its index; repeated steps share an
    // arm, and an event that overlapping globs return twice is dropped below by its seq.
    const filters: StepFilter[] = []
    const keyOf = (f: StepFilter) => `${f.type}\n${f.name}\n${f.pathGlob}`
    for (const f of q.steps) {
      const same = filters.find((g) => keyOf(g) === keyOf(f))
      if (!same) filters.push({ ...f })
      else if (f.needsProps) same.needsProps = true
    }
    const firstArm = filters.findIndex((f) => keyOf(f) === keyOf(q.steps[0]))
    // Props live in the heap, outside the covering indexes: read them only where a step tests them.
    const propsCol = (f: StepFilter) => (q.withProps && (f.needsProps ?? true) ? 'e.props' : 'NULL::jsonb')
    const where = (f: StepFilter): string => {
      if (f.pathGlob === null) return `e.type = ${arg(f.type)} AND e.name = ${arg(f.name)}`
      // Under the "C" collation a LIKE with a literal prefix is an index range scan.
      if (!f.pathGlob.includes('*')) return `e.type = 'pageview' AND e.path = ${arg(f.pathGlob)}`
      return `e.type = 'pageview' AND e.path LIKE ${arg(likePattern(f.pathGlob))}`
    }
    const base = `e.site = $1 AND e.ts >= $2 AND e.ts < $3 AND NOT e.bot AND ${unitCol} IS NOT NULL`
    // The entry's attributes (session columns, then the variant), joined only to rows of the
    // first step's arm: only those can be entries.
    const nulls = (n: number) => ', NULL::text'.repeat(n)
    const entry = (on: boolean, sid: string, vis: string, only = 'true'): [cols: string, joins: string] => {
      if (!on || (!q.withEntry && q.experiment === null)) return [nulls(10), '']
      let cols = nulls(9)
      let joins = ''
      if (q.withEntry) {
        cols = ', s.channel, s.source, s.medium, s.campaign, s.click_id_type, s.referrer_host, s.device, s.browser, s.country'
        joins += ` LEFT JOIN sessions s ON ${only} AND s.site = $1 AND s.id = ${sid}`
      }
      if (q.experiment === null) return [cols + nulls(1), joins]
      // The visitor's first exposure decides the variant.
      joins += ` LEFT JOIN (SELECT DISTINCT ON (visitor) visitor, props->>'variant' AS variant
        FROM events WHERE site = $1 AND type = 'exposure' AND name = ${arg(q.experiment)} AND NOT bot AND visitor IS NOT NULL
        ORDER BY visitor, ts, seq) x ON x.visitor = ${vis}`
      return [`${cols}, x.variant`, joins]
    }
    let sql: string
    if (q.allEvents) {
      // Strict mode needs what comes right after each event. The database walks every event
      // of the units that entered (step 1 inside the range), tags each with the first filter
      // it meets (or -1) and the seq of the unit's next event; only events some step can
      // match cross into JS.
      const entered = `${unitCol} IN (SELECT ${unitCol} FROM events e WHERE e.site = $1 AND e.ts >= $2 AND e.ts < ${arg(q.range.end)} AND NOT e.bot
        AND ${where(q.steps[0])})`
      const cases = filters.map((f, k) => `WHEN ${where(f)} THEN ${k}`).join(' ')
      const [cols, joins] = entry(true, 't.sid', 't.vis', `t.arm = ${firstArm}`)
      sql = `SELECT t.unit, t.ts, t.seq, t.arm, t.next, NULL::text, t.path, t.props${cols} FROM (
          SELECT ${unitCol} AS unit, e.ts, e.seq, CASE ${cases} ELSE -1 END AS arm,
            CASE WHEN e.type = 'pageview' THEN e.path END AS path, ${q.withProps ? 'e.props' : 'NULL::jsonb'} AS props,
            e.session_id AS sid, e.visitor AS vis,
            LEAD(e.seq) OVER (PARTITION BY ${unitCol} ORDER BY e.ts, e.seq) AS next
          FROM events e WHERE ${base} AND ${entered}) t${joins}
        WHERE t.arm >= 0 ORDER BY 1, 2, 3`
    } else {
      // One arm per distinct step filter, so each can use its index; repeated steps share an
      // arm, and an event that overlapping globs return twice is dropped below by its seq.
      const arms = filters.map((f, k) => {
        const [cols, joins] = entry(k === firstArm, 'e.session_id', 'e.visitor')
        return `SELECT ${unitCol}, e.ts, e.seq, ${k}, NULL::bigint, NULL::text, ${f.pathGlob !== null ? 'e.path' : 'NULL::text'},
            ${propsCol(f)}${cols}
          FROM events e${joins} WHERE ${base} AND ${where(f)}`
      })
      sql = `${arms.join(' UNION ALL ')} ORDER BY 1, 2, 3, 4`
    }
    let unit: unknown = undefined
    let lastSeq = -1
    let buf: FunnelEvent[] = []
    const withEntry = q.withEntry || q.experiment !== null
    await streamRows(this.pool, sql, args, (rows) => {
      for (const r of rows) {
        if (r[0] !== unit) {
          if (buf.length) onUnit(buf)
          buf = []
          unit = r[0]
        } else if (r[2] === lastSeq) continue
        lastSeq = r[2] as number
        const arm = r[3] as number
        const f = filters[arm]
        const ev: FunnelEvent = {
          seq: r[2] as number, ts: r[1] as number, type: f.type, name: f.name ?? 'pageview',
          path: r[6] as string | null, props: propsOf(r[7]),
        }
        if (q.allEvents) ev.next = r[4] as number | null
        if (withEntry && arm === firstArm && (r[8] !== null || r[17] !== null)) ev.entry = entryOf(r)
        buf.push(ev)
      }
    })
    if (buf.length) onUnit(buf)
  }

  async scanAttribution(site: string, q: AttributionScan, onVisitor: (touches: TouchSession[], conversions: ConversionRow[]) => void): Promise<void> {
    const args: unknown[] = [site, q.range.start, q.range.end, q.range.start - q.lookbackMs]
    const nameFilter = q.conversion === null ? '' : `AND name = $${args.push(q.conversion)}`
    // Conversions without a visitor cannot have touches; a per-event key keeps them apart (credited to Direct).
    const sql = `WITH conv AS (
        SELECT COALESCE(visitor, 'event:' || seq) AS visitor, ts, value, currency FROM events
        WHERE site = $1 AND type = 'conversion' AND ts >= $2 AND ts < $3 AND NOT bot ${nameFilter})
      SELECT visitor, ts, 1 AS kind, value, currency, NULL::text, NULL::text, NULL::text, NULL::text, NULL::text, NULL::text FROM conv
      UNION ALL
      SELECT visitor, started, 0, NULL, NULL, channel, source, medium, campaign, click_id_type, referrer_host FROM sessions
      WHERE site = $1 AND started >= $4 AND started < $3 AND NOT bot AND channel <> 'Direct'
        AND visitor IN (SELECT visitor FROM conv)
      ORDER BY 1, 2, 3`
    let visitor: unknown = undefined
    let touches: TouchSession[] = []
    let convs: ConversionRow[] = []
    const flush = () => { if (convs.length) onVisitor(touches, convs) }
    await streamRows(this.pool, sql, args, (rows) => {
      for (const r of rows) {
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
    })
    flush()
  }

  async sessionGroups(site: string, range: TimeRange): Promise<SessionGroup[]> {
    return (await this.pool.query<SessionGroup>(`SELECT channel, source, medium, campaign, click_id_type AS "clickIdType",
        referrer_host AS "referrerHost", COUNT(*) AS sessions
      FROM sessions WHERE site = $1 AND started >= $2 AND started < $3 AND NOT bot
      GROUP BY channel, source, medium, campaign, click_id_type, referrer_host`, [site, range.start, range.end])).rows
  }

  async spendTotals(site: string, fromDate: string, toDate: string): Promise<SpendTotal[]> {
    return (await this.pool.query<SpendTotal>(`SELECT source, medium, campaign, currency, ${exactSum('cost')} AS cost,
        SUM(impressions)::float8 AS impressions, SUM(clicks)::float8 AS clicks
      FROM spend WHERE site = $1 AND date >= $2 AND date <= $3
      GROUP BY source, medium, campaign, currency ORDER BY source, medium, campaign, currency`, [site, fromDate, toDate])).rows
  }

  async upsertSpend(site: string, rows: SpendRow[]): Promise<number> {
    // One statement may not update a row twice: a later row with the same key replaces an
    // earlier one, as it would row by row.
    const byKey = new Map<string, SpendRow>()
    for (const r of rows) byKey.set(JSON.stringify([r.date, r.source, r.medium, r.campaign]), r)
    const last = [...byKey.values()]
    await this.pool.query(`INSERT INTO spend (site, date, source, medium, campaign, cost, impressions, clicks, currency)
      SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::float8[], $7::bigint[], $8::bigint[], $9::text[])
      ON CONFLICT (site, date, source, medium, campaign) DO UPDATE SET cost = excluded.cost,
        impressions = excluded.impressions, clicks = excluded.clicks, currency = excluded.currency`, [
      site, last.map((r) => r.date), last.map((r) => r.source), last.map((r) => r.medium), last.map((r) => r.campaign),
      last.map((r) => r.cost), last.map((r) => r.impressions), last.map((r) => r.clicks), last.map((r) => r.currency),
    ])
    return rows.length
  }

  async experiment(site: string, q: ExperimentScan): Promise<VariantCounts[]> {
    const args: unknown[] = [site, q.experiment, q.range.start, q.range.end]
    const nameFilter = q.conversion === null ? '' : `AND name = $${args.push(q.conversion)}`
    // "Converted after the first exposure" is "the visitor's latest conversion is not
    // before it": two grouped scans and a hash join, where a correlated EXISTS per
    // exposed visitor can turn into exposures × conversions.
    return (await this.pool.query<VariantCounts>(`WITH first AS (
        SELECT DISTINCT ON (visitor) visitor, COALESCE(props->>'variant', '(none)') AS variant, ts
        FROM events WHERE site = $1 AND type = 'exposure' AND name = $2 AND ts < $4 AND NOT bot AND visitor IS NOT NULL
        ORDER BY visitor, ts, seq),
      latest AS (
        SELECT visitor, max(ts) AS ts FROM events
        WHERE site = $1 AND type = 'conversion' AND ts < $4 AND NOT bot AND visitor IS NOT NULL ${nameFilter}
        GROUP BY visitor)
      SELECT f.variant, COUNT(*) AS visitors, COUNT(*) FILTER (WHERE l.ts >= f.ts) AS converters
      FROM first f LEFT JOIN latest l ON l.visitor = f.visitor
      WHERE f.ts >= $3 GROUP BY f.variant ORDER BY f.variant COLLATE "C"`, args)).rows
  }
}

/**
 * The sum of a float8 column, exact until the one final rounding. A plain float8 SUM
 * depends on row order, and float8 → numeric keeps only 15 digits; so each value is
 * split into those 15 digits and the rest (exact as float8), both summed as numeric:
 * about 30 significant digits, so the result is the correctly rounded sum.
 */
function exactSum(col: string): string {
  return `SUM(${col}::numeric + (${col} - ${col}::numeric::float8)::numeric)::float8`
}

/**
 * A pageview step's path glob as a LIKE pattern matching a superset of the same paths
 * (`*` and `**` both become `%`); the exact segment test runs in JS afterwards.
 */
export function likePattern(glob: string): string {
  return glob.replace(/[\\%_]/g, (c) => `\\${c}`).replace(/\*+/g, '%')
}

/** Session attributes and variant from columns 8–17 of a funnel row. */
function entryOf(r: unknown[]): NonNullable<FunnelEvent['entry']> {
  const col = (i: number) => r[8 + i] as string | null
  return {
    channel: col(0) ?? 'Direct', source: col(1), medium: col(2), campaign: col(3), clickIdType: col(4),
    referrerHost: col(5), device: col(6), browser: col(7), country: col(8), variant: col(9),
  }
}

/** node-postgres parses jsonb already; only an object counts as props. */
function propsOf(v: unknown): Props | null {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Props) : null
}
