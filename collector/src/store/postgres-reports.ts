/**
 * Report queries on PostgreSQL, one port of each SQLite query in `sqlite-reports.ts`, so
 * the shared maths gets the same rows in the same order. Scans stream through a
 * server-side cursor and hand each unit to a synchronous callback. Bot rows never count.
 *
 * Money is summed exactly (see `exactSum`) and rounded once, so the total does not depend
 * on the order the rows happen to be read in, and matches SQLite's compensated sum.
 */
import { postgresHealth } from './postgres-health.ts'
import type { HealthQueries } from './health-types.ts'
import { attributionGrouper } from './attribution-rows.ts'
import { BUDGET_COLUMNS, budgetRow, scopeColumns } from './budget-rows.ts'
import type pg from 'pg'
import type { EventType, Props } from './types.ts'
import { streamRows } from './postgres-pool.ts'
import { funnelSql } from './postgres-funnel.ts'
import { entryAttrs } from './derived-rows.ts'
import { PostgresAds } from './postgres-ads.ts'
import type {
  CreditTotal, CreditTotalsScan,
  Activity, AttributionScan, Budget, BudgetScope, CampaignIdTouch, ConversionClick, ConversionClickScan, ConversionRow, DailySpend,
  ExperimentScan, FunnelEvent, FunnelScan, ReportStore, SessionGroup, SpendFilter, SpendRow, SpendTotal, SummaryCounts, TimeRange,
  TouchSession, VariantCounts,
} from './report-types.ts'
import { SLOT_MS } from './report-types.ts'
import type { SegmentCond } from './report-types.ts'
import { binder, eventInSegment, eventInSegmentRange, sessionInSegment } from './segment-sql.ts'
import { rollupActivity, rollupSessionGroups, rollupSummary } from './postgres-rollups.ts'
import { slotAligned } from './rollup-range.ts'
import { creditTotalsPostgres, experimentFromRollupsPostgres } from './postgres-credit-experiment.ts'

/**
 * @example
 * const reports = new PostgresReports(pool)
 * await reports.summary('shop', { start: Date.parse('2026-11-01'), end: Date.parse('2026-12-01') })
 */
export class PostgresReports implements ReportStore {
  readonly health: HealthQueries

  readonly ads: PostgresAds

  constructor(private readonly pool: pg.Pool) {
    this.health = postgresHealth(pool)
    this.ads = new PostgresAds(pool)
  }

  async quarantineCounts(site: string, since: number): Promise<Record<string, number>> {
    const r = await this.pool.query<{ reason: string; n: number }>(
      'SELECT reason, count(*)::int AS n FROM quarantine WHERE site = $1 AND received >= $2 GROUP BY reason', [site, since])
    return Object.fromEntries(r.rows.map((x) => [x.reason, x.n]))
  }

  async summary(site: string, range: TimeRange, segment?: SegmentCond | null): Promise<SummaryCounts> {
    return !segment && slotAligned(range) ? rollupSummary(this.pool, site, range) : this.scanSummary(site, range, segment)
  }

  /** The summary straight from events and sessions: any range, any segment; the rollups must agree with it. */
  async scanSummary(site: string, range: TimeRange, segment?: SegmentCond | null): Promise<SummaryCounts> {
    const args: unknown[] = [site, range.start, range.end]
    const inE = eventInSegmentRange(segment, 'postgres', binder('postgres', args), 'e', site, range)
    const sArgs: unknown[] = [site, range.start, range.end]
    const inS = sessionInSegment(segment, 'postgres', binder('postgres', sArgs), 's')
    const [ev, sessions, revenue] = await Promise.all([
      this.pool.query(`SELECT COUNT(DISTINCT visitor) AS visitors,
          COUNT(*) FILTER (WHERE type = 'pageview') AS pageviews, COUNT(*) FILTER (WHERE type = 'conversion') AS conversions,
          COUNT(DISTINCT visitor) FILTER (WHERE type = 'conversion') AS "convertingVisitors"
        FROM events e WHERE site = $1 AND ts >= $2 AND ts < $3 AND NOT bot AND ${inE}`, args),
      this.pool.query(`SELECT COUNT(*) AS n FROM sessions s WHERE site = $1 AND started >= $2 AND started < $3 AND NOT bot AND ${inS}`, sArgs),
      this.pool.query<{ currency: string | null; amount: number }>(`SELECT currency, ${exactSum('value')} AS amount FROM events e
        WHERE site = $1 AND type = 'conversion' AND ts >= $2 AND ts < $3 AND NOT bot AND value IS NOT NULL AND ${inE}
        GROUP BY currency ORDER BY currency NULLS FIRST`, args),
    ])
    const e = ev.rows[0]
    return {
      visitors: e.visitors, sessions: sessions.rows[0].n, pageviews: e.pageviews, conversions: e.conversions,
      convertingVisitors: e.convertingVisitors, revenue: revenue.rows,
    }
  }

  async referrerHosts(site: string): Promise<string[]> {
    // A loose index scan: one seek per distinct host on sessions_site_referrer (the first seek
    // says IS NOT NULL too, or the partial index does not apply).
    const r = await this.pool.query<{ host: string }>(`WITH RECURSIVE h(host) AS (
        SELECT MIN(referrer_host) FROM sessions WHERE site = $1 AND referrer_host IS NOT NULL
        UNION ALL SELECT (SELECT MIN(referrer_host) FROM sessions WHERE site = $1 AND referrer_host > h.host) FROM h WHERE h.host IS NOT NULL)
      SELECT host FROM h WHERE host IS NOT NULL`, [site])
    return r.rows.map((x) => x.host)
  }

  async scanFunnel(site: string, q: FunnelScan, onUnit: (events: FunnelEvent[]) => void): Promise<void> {
    const { sql, args, filters, firstArm } = funnelSql(site, q)
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
        if (withEntry && arm === firstArm && (r[8] !== null || r[19] !== null)) ev.entry = entryOf(r)
        buf.push(ev)
      }
    })
    if (buf.length) onUnit(buf)
  }

  async scanAttribution(site: string, q: AttributionScan, onVisitor: (touches: TouchSession[], conversions: ConversionRow[]) => void): Promise<void> {
    await this.scanVisitors(site, q, false, onVisitor)
  }

  async scanJourneys(site: string, q: AttributionScan, onVisitor: (sessions: TouchSession[], conversions: ConversionRow[]) => void): Promise<void> {
    await this.scanVisitors(site, q, true, onVisitor)
  }

  /** As SQLite's `scanVisitors`: converting visitors' touches, or (`journeys`) every visitor's sessions. */
  private async scanVisitors(site: string, q: AttributionScan, journeys: boolean, onVisitor: (touches: TouchSession[], conversions: ConversionRow[]) => void): Promise<void> {
    const args: unknown[] = [site, q.range.start, q.range.end, q.range.start - q.lookbackMs]
    const b = binder('postgres', args)
    const nameFilter = q.conversion === null ? '' : `AND name = ${b(q.conversion)}`
    const which = journeys ? 'AND (started >= $2 OR visitor IN (SELECT visitor FROM conv))' : "AND channel <> 'Direct' AND visitor IN (SELECT visitor FROM conv)"
    // Conversions without a visitor cannot have touches; a per-event key keeps them apart (credited to Direct).
    const sql = `WITH conv AS (
        SELECT COALESCE(visitor, 'event:' || seq) AS visitor, ts, value, currency FROM events e
        WHERE site = $1 AND type = 'conversion' AND ts >= $2 AND ts < $3 AND NOT bot ${nameFilter}
          AND ${eventInSegmentRange(q.segment, 'postgres', b, 'e', site, q.range)})
      SELECT visitor, ts, 1 AS kind, value, currency, NULL::text, NULL::text, NULL::text, NULL::text, NULL::text, NULL::text FROM conv
      UNION ALL
      SELECT visitor, started, 0, NULL, NULL, channel, source, medium, campaign, click_id_type, referrer_host FROM sessions s
      WHERE site = $1 AND started >= $4 AND started < $3 AND NOT bot ${which} AND ${sessionInSegment(q.segment, 'postgres', b, 's')}
      ORDER BY 1, 2, 3`
    const group = attributionGrouper(onVisitor, journeys)
    await streamRows(this.pool, sql, args, (rows) => { for (const r of rows) group.push(r) })
    group.end()
  }

  async sessionGroups(site: string, range: TimeRange, segment?: SegmentCond | null): Promise<SessionGroup[]> {
    return !segment && slotAligned(range) ? rollupSessionGroups(this.pool, site, range) : this.scanSessionGroups(site, range, segment)
  }

  /** Session groups straight from sessions (see `scanSummary`). */
  async scanSessionGroups(site: string, range: TimeRange, segment?: SegmentCond | null): Promise<SessionGroup[]> {
    const args: unknown[] = [site, range.start, range.end]
    return (await this.pool.query<SessionGroup>(`SELECT channel, source, medium, campaign, click_id_type AS "clickIdType",
        referrer_host AS "referrerHost", COUNT(*) AS sessions
      FROM sessions s WHERE site = $1 AND started >= $2 AND started < $3 AND NOT bot
        AND ${sessionInSegment(segment, 'postgres', binder('postgres', args), 's')}
      GROUP BY channel, source, medium, campaign, click_id_type, referrer_host`, args)).rows
  }

  async spendTotals(site: string, fromDate: string, toDate: string): Promise<SpendTotal[]> {
    return (await this.pool.query<SpendTotal>(`SELECT source, medium, campaign, MAX(campaign_id) AS "campaignId", currency, ${exactSum('cost')} AS cost,
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
    await this.pool.query(`INSERT INTO spend (site, date, source, medium, campaign, cost, impressions, clicks, currency, campaign_id)
      SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::float8[], $7::bigint[], $8::bigint[], $9::text[], $10::text[])
      ON CONFLICT (site, date, source, medium, campaign) DO UPDATE SET cost = excluded.cost,
        impressions = excluded.impressions, clicks = excluded.clicks, currency = excluded.currency,
        campaign_id = excluded.campaign_id`, [
      site, last.map((r) => r.date), last.map((r) => r.source), last.map((r) => r.medium), last.map((r) => r.campaign),
      last.map((r) => r.cost), last.map((r) => r.impressions), last.map((r) => r.clicks), last.map((r) => r.currency),
      last.map((r) => r.campaignId ?? null),
    ])
    return rows.length
  }

  async listSpend(site: string, filter: SpendFilter, limit: number): Promise<SpendRow[]> {
    const { where, args } = spendWhere(site, filter)
    return (await this.pool.query<SpendRow>(`SELECT date, source, medium, campaign, campaign_id AS "campaignId", cost,
        impressions::float8 AS impressions, clicks::float8 AS clicks, currency
      FROM spend WHERE ${where} ORDER BY date, source, medium, campaign LIMIT $${args.push(limit)}`, args)).rows
  }

  async deleteSpend(site: string, filter: SpendFilter): Promise<number> {
    const { where, args } = spendWhere(site, filter)
    return (await this.pool.query(`DELETE FROM spend WHERE ${where}`, args)).rowCount ?? 0
  }

  async campaignIds(site: string, range: TimeRange, segment?: SegmentCond | null): Promise<CampaignIdTouch[]> {
    const args: unknown[] = [site, range.start, range.end]
    return (await this.pool.query<CampaignIdTouch>(`SELECT DISTINCT utm_id AS "utmId", channel, source, medium, campaign,
        click_id_type AS "clickIdType", referrer_host AS "referrerHost"
      FROM events e WHERE site = $1 AND ts >= $2 AND ts < $3 AND NOT bot AND utm_id IS NOT NULL
        AND ${eventInSegmentRange(segment, 'postgres', binder('postgres', args), 'e', site, range)}`, args)).rows
  }

  async conversionClicks(site: string, q: ConversionClickScan): Promise<ConversionClick[]> {
    const args: unknown[] = [site, q.range.start, q.range.end, q.lookbackMs, q.clickIdTypes, q.consentMask]
    const nameFilter = q.conversion === null ? '' : `AND c.name = $${args.push(q.conversion)}`
    // As on SQLite: the visitor's last click of the platform at or before the conversion.
    return (await this.pool.query<ConversionClick>(`SELECT c.id, c.name, c.ts, c.value, c.currency, c.order_id AS "orderId", c.url,
        k.click_id_type AS "clickIdType", k.click_id AS "clickId", k.ts AS "clickTs", k.url AS "clickUrl",
        u.email_sha256 AS "emailSha256", u.phone_sha256 AS "phoneSha256", u.phone_digits_sha256 AS "phoneDigitsSha256"
      FROM events c CROSS JOIN LATERAL (
        SELECT k2.click_id_type, k2.click_id, k2.ts, k2.url FROM events k2
        WHERE k2.site = c.site AND k2.visitor = c.visitor AND k2.ts <= c.ts AND k2.ts >= c.ts - $4
          AND k2.click_id_type = ANY($5::text[]) AND k2.click_id IS NOT NULL AND NOT k2.bot AND (k2.consent & $6) = $6
        ORDER BY k2.ts DESC, k2.seq DESC LIMIT 1) k
      LEFT JOIN user_hashes u ON u.site = c.site AND u.event_id = c.id
      WHERE c.site = $1 AND c.type = 'conversion' AND c.ts >= $2 AND c.ts < $3 AND NOT c.bot AND c.visitor IS NOT NULL
        AND (c.consent & $6) = $6 ${nameFilter}
      ORDER BY c.ts, c.seq`, args)).rows
  }

  async experiment(site: string, q: ExperimentScan): Promise<VariantCounts[]> {
    return (await this.rolledUpExperiment(site, q)) ?? this.scanExperiment(site, q)
  }

  /** The readout from the experiment rollups; null when they cannot answer (a segment, or visitors still to work out). */
  rolledUpExperiment(site: string, q: ExperimentScan): Promise<VariantCounts[] | null> {
    return experimentFromRollupsPostgres(this.pool, site, q)
  }

  async creditTotals(site: string, q: CreditTotalsScan): Promise<CreditTotal[] | null> {
    return creditTotalsPostgres(this.pool, site, q)
  }

  /** The readout straight from events: any segment; the rollups must agree with it. */
  async scanExperiment(site: string, q: ExperimentScan): Promise<VariantCounts[]> {
    const args: unknown[] = [site, q.experiment, q.range.start, q.range.end]
    const b = binder('postgres', args)
    const nameFilter = q.conversion === null ? '' : `AND name = ${b(q.conversion)}`
    const inE = eventInSegment(q.segment, 'postgres', b, 'e')
    // "Converted after the first exposure" is "the visitor's latest conversion is not
    // before it": two grouped scans and a hash join, where a correlated EXISTS per
    // exposed visitor can turn into exposures × conversions.
    return (await this.pool.query<VariantCounts>(`WITH first AS (
        SELECT DISTINCT ON (visitor) visitor, COALESCE(props->>'variant', '(none)') AS variant, ts
        FROM events e WHERE site = $1 AND type = 'exposure' AND name = $2 AND ts < $4 AND NOT bot AND visitor IS NOT NULL AND ${inE}
        ORDER BY visitor, ts, seq),
      latest AS (
        SELECT visitor, max(ts) AS ts FROM events e
        WHERE site = $1 AND type = 'conversion' AND ts < $4 AND NOT bot AND visitor IS NOT NULL ${nameFilter} AND ${inE}
        GROUP BY visitor)
      SELECT f.variant, COUNT(*) AS visitors, COUNT(*) FILTER (WHERE l.ts >= f.ts) AS converters
      FROM first f LEFT JOIN latest l ON l.visitor = f.visitor
      WHERE f.ts >= $3 GROUP BY f.variant ORDER BY f.variant COLLATE "C"`, args)).rows
  }

  async activity(site: string, range: TimeRange, conversion: string | null, segment?: SegmentCond | null): Promise<Activity> {
    return !segment && slotAligned(range) ? rollupActivity(this.pool, site, range, conversion) : this.scanActivity(site, range, conversion, segment)
  }

  /** Activity straight from events and sessions (see `scanSummary`). */
  async scanActivity(site: string, range: TimeRange, conversion: string | null, segment?: SegmentCond | null): Promise<Activity> {
    const sArgs: unknown[] = [site, range.start, range.end]
    const inS = sessionInSegment(segment, 'postgres', binder('postgres', sArgs), 's')
    const args: unknown[] = [site, range.start, range.end]
    const nameFilter = conversion === null ? '' : `AND name = $${args.push(conversion)}`
    const inE = eventInSegmentRange(segment, 'postgres', binder('postgres', args), 'e', site, range)
    const [sessions, conversions] = await Promise.all([
      this.pool.query(`SELECT started / ${SLOT_MS} * ${SLOT_MS} AS slot, COUNT(*) AS n FROM sessions s
        WHERE site = $1 AND started >= $2 AND started < $3 AND NOT bot AND ${inS} GROUP BY 1 ORDER BY 1`, sArgs),
      this.pool.query(`SELECT ts / ${SLOT_MS} * ${SLOT_MS} AS slot, currency, COUNT(*) AS n, COALESCE(SUM(round(value * 1000000)::bigint), 0)::bigint AS micros
        FROM events e WHERE site = $1 AND type = 'conversion' AND ts >= $2 AND ts < $3 AND NOT bot ${nameFilter} AND ${inE}
        GROUP BY 1, 2 ORDER BY 1, 2 NULLS FIRST`, args),
    ])
    return { sessions: sessions.rows, conversions: conversions.rows }
  }

  async spendByDate(site: string, fromDate: string, toDate: string): Promise<DailySpend[]> {
    return (await this.pool.query<DailySpend>(`SELECT date, currency, SUM(round(cost * 1000000)::bigint)::bigint AS micros FROM spend
      WHERE site = $1 AND date >= $2 AND date <= $3 GROUP BY date, currency ORDER BY date, currency`, [site, fromDate, toDate])).rows
  }

  async budgets(site: string, month: string | null): Promise<Budget[]> {
    const r = await this.pool.query(`SELECT ${BUDGET_COLUMNS} FROM budgets WHERE site = $1 AND ($2::text IS NULL OR month = $2)
      ORDER BY month, channel, source, medium, campaign`, [site, month])
    return r.rows.map(budgetRow)
  }

  async upsertBudgets(site: string, budgets: Budget[]): Promise<number> {
    // One statement may not update a row twice: a later budget for the same month and scope wins.
    const byKey = new Map<string, Budget>()
    for (const b of budgets) byKey.set(JSON.stringify([b.month, ...scopeColumns(b)]), b)
    const last = [...byKey.values()]
    const col = (f: (b: Budget) => unknown) => last.map(f)
    await this.pool.query(`INSERT INTO budgets (site, ${BUDGET_COLUMNS})
      SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::float8[], $8::text[], $9::float8[], $10::float8[])
      ON CONFLICT (site, month, channel, source, medium, campaign) DO UPDATE SET amount = excluded.amount,
        currency = excluded.currency, target_cpa = excluded.target_cpa, target_roas = excluded.target_roas`, [
      site, col((b) => b.month), col((b) => scopeColumns(b)[0]), col((b) => scopeColumns(b)[1]), col((b) => scopeColumns(b)[2]),
      col((b) => scopeColumns(b)[3]), col((b) => b.amount), col((b) => b.currency), col((b) => b.targetCpa), col((b) => b.targetRoas),
    ])
    return budgets.length
  }

  async deleteBudgets(site: string, month: string, scope: BudgetScope | null): Promise<number> {
    const r = scope === null
      ? await this.pool.query('DELETE FROM budgets WHERE site = $1 AND month = $2', [site, month])
      : await this.pool.query('DELETE FROM budgets WHERE site = $1 AND month = $2 AND channel = $3 AND source = $4 AND medium = $5 AND campaign = $6',
        [site, month, ...scopeColumns(scope)])
    return r.rowCount ?? 0
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

/** Session attributes and variant from columns 8–17 of a funnel row. */
function entryOf(r: unknown[]): NonNullable<FunnelEvent['entry']> {
  return { ...entryAttrs(r, 8), variant: r[19] as string | null, firstSession: r[18] === null ? undefined : r[18] === 'true' }
}

/** node-postgres parses jsonb already; only an object counts as props. */
function propsOf(v: unknown): Props | null {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Props) : null
}

/** The WHERE clause of a spend filter, with `$n` placeholders. */
function spendWhere(site: string, f: SpendFilter): { where: string; args: unknown[] } {
  const args: unknown[] = [site]
  const parts = ['site = $1']
  if (f.from !== undefined) parts.push(`date >= $${args.push(f.from)}`)
  if (f.to !== undefined) parts.push(`date <= $${args.push(f.to)}`)
  for (const col of ['source', 'medium', 'campaign'] as const) {
    if (f[col] !== undefined) parts.push(`${col} = $${args.push(f[col])}`)
  }
  return { where: parts.join(' AND '), args }
}
