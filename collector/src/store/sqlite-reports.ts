/**
 * Report queries on SQLite. Scans stream rows with `.iterate()` in unit order and hand
 * each group to a synchronous callback, so memory holds one visitor's events, not a table.
 * Bot rows never count. The funnel scan lives in `sqlite-funnel.ts`.
 */
import { attributionGrouper } from './attribution-rows.ts'
import { BUDGET_COLUMNS, budgetRow, scopeColumns } from './budget-rows.ts'
import type Database from 'better-sqlite3'
import { scanFunnel } from './sqlite-funnel.ts'
import { useFunnelColumns } from './sqlite-funnel-columns.ts'
import { journeyColumns, journeysFromColumns } from './sqlite-journey-columns.ts'
import { sessionSpan } from './sqlite-funnel-chunks.ts'
import { segmentedActivity, segmentedSessionGroups, segmentedSummary } from './sqlite-segment-columns.ts'
import { segmentedExperiment } from './sqlite-experiment-columns.ts'
import { sqliteHealth } from './sqlite-health.ts'
import type { HealthQueries } from './health-types.ts'
import { SqliteAds } from './sqlite-ads.ts'
import type {
  Activity, AttributionScan, Budget, CreditTotal, CreditTotalsScan, BudgetScope, CampaignIdTouch, ConversionClick, ConversionClickScan, ConversionRow, DailySpend,
  ExperimentScan, FunnelColumns, FunnelEvent, FunnelScan, ReportStore, SessionGroup, SpendFilter, SpendRow, SpendTotal, SummaryCounts, TimeRange,
  JourneyColumns, TouchSession, VariantCounts,
} from './report-types.ts'
import { SLOT_MS } from './report-types.ts'
import type { SegmentCond } from './report-types.ts'
import { binder, eventInSegment, eventInSegmentRange, sessionInSegment, type Bind } from './segment-sql.ts'
import { matchPathRegExp } from '../reports/steps.ts'
import { rollupActivity, rollupSessionGroups, rollupSummary } from './sqlite-rollups.ts'
import { slotAligned } from './rollup-range.ts'
import { creditTotals } from './sqlite-credit.ts'
import { experimentFromRollups } from './sqlite-experiment.ts'

type Row = Record<string, unknown>

export class SqliteReports implements ReportStore {
  readonly health: HealthQueries
  private readonly quarantineStmt

  readonly ads: SqliteAds

  constructor(private readonly db: Database.Database) {
    this.health = sqliteHealth(db)
    this.ads = new SqliteAds(db)
    // Segments by landing page test paths with the funnel's glob rules (`segment-sql.ts`).
    db.function('fb_regexp', { deterministic: true }, (re: unknown, path: unknown) =>
      (typeof re === 'string' && typeof path === 'string' && matchPathRegExp(re).test(path) ? 1 : 0))
    this.quarantineStmt = db.prepare('SELECT reason, count(*) AS n FROM quarantine WHERE site = ? AND received >= ? GROUP BY reason')
  }

  /** The site's longest session (`session_span`), read only for a segmented query; null when none is known. */
  private span(site: string, segment: SegmentCond | null | undefined): number | null {
    if (!segment) return null
    return sessionSpan(this.db, site)
  }

  async quarantineCounts(site: string, since: number): Promise<Record<string, number>> {
    const rows = this.quarantineStmt.all(site, since) as { reason: string; n: number }[]
    return Object.fromEntries(rows.map((r) => [r.reason, r.n]))
  }

  async summary(site: string, range: TimeRange, segment?: SegmentCond | null): Promise<SummaryCounts> {
    if (!segment) return slotAligned(range) ? rollupSummary(this.db, site, range) : this.scanSummary(site, range)
    return segmentedSummary(this.db, site, range, segment) ?? this.scanSummary(site, range, segment)
  }

  /** The summary straight from events and sessions: any range, any segment; the rollups must agree with it. */
  async scanSummary(site: string, range: TimeRange, segment?: SegmentCond | null): Promise<SummaryCounts> {
    const span = this.span(site, segment)
    const run = <T>(sql: (b: Bind) => string, all = false): T => {
      const b = binder('sqlite')
      const stmt = this.db.prepare(sql(b))
      return (all ? stmt.all(...b.args) : stmt.get(...b.args)) as T
    }
    const inRange = (b: Bind, col: string) => `site = ${b(site)} AND ${col} >= ${b(range.start)} AND ${col} < ${b(range.end)} AND bot = 0`
    const inSegment = (b: Bind) => eventInSegmentRange(segment, 'sqlite', b, 'e', site, range, span)
    const ev = run<Row>((b) => `SELECT COUNT(DISTINCT visitor) AS visitors,
        COALESCE(SUM(type = 'pageview'), 0) AS pageviews, COALESCE(SUM(type = 'conversion'), 0) AS conversions,
        COUNT(DISTINCT CASE WHEN type = 'conversion' THEN visitor END) AS convertingVisitors
      FROM events e WHERE ${inRange(b, 'ts')} AND ${inSegment(b)}`)
    const sessions = run<{ n: number }>((b) => `SELECT COUNT(*) AS n FROM sessions s
      WHERE ${inRange(b, 'started')} AND ${sessionInSegment(segment, 'sqlite', b, 's')}`)
    const revenue = run<{ currency: string | null; amount: number }[]>((b) => `SELECT currency, SUM(value) AS amount FROM events e
      WHERE ${inRange(b, 'ts')} AND type = 'conversion' AND value IS NOT NULL AND ${inSegment(b)}
      GROUP BY currency ORDER BY currency`, true)
    return {
      visitors: ev.visitors as number,
      sessions: sessions.n,
      pageviews: ev.pageviews as number,
      conversions: ev.conversions as number,
      convertingVisitors: ev.convertingVisitors as number,
      revenue,
    }
  }

  async referrerHosts(site: string): Promise<string[]> {
    // A loose index scan: one seek per distinct host on sessions_site_referrer. The first seek
    // says IS NOT NULL too: without it the partial index does not apply and SQLite reads every
    // session of the site (0.5-3.4 s at 10M events, for every segment by source or medium).
    return this.db.prepare(`WITH RECURSIVE h(host) AS (
        SELECT MIN(referrer_host) FROM sessions WHERE site = ? AND referrer_host IS NOT NULL
        UNION ALL SELECT (SELECT MIN(referrer_host) FROM sessions WHERE site = ? AND referrer_host > h.host) FROM h WHERE h.host IS NOT NULL)
      SELECT host FROM h WHERE host IS NOT NULL`).pluck(true).all(site, site) as string[]
  }

  async funnelColumns(site: string, q: FunnelScan, use: (cols: FunnelColumns) => void): Promise<boolean> {
    return useFunnelColumns(this.db, site, q, use)
  }

  async scanFunnel(site: string, q: FunnelScan, onUnit: (events: FunnelEvent[]) => void): Promise<void> {
    scanFunnel(this.db, site, q, onUnit, this.span(site, q.segment))
  }

  async scanAttribution(site: string, q: AttributionScan, onVisitor: (touches: TouchSession[], conversions: ConversionRow[]) => void): Promise<void> {
    if (!journeysFromColumns(this.db, site, q, false, onVisitor)) this.scanVisitors(site, q, false, onVisitor)
  }

  async scanJourneys(site: string, q: AttributionScan, onVisitor: (sessions: TouchSession[], conversions: ConversionRow[]) => void): Promise<void> {
    if (!journeysFromColumns(this.db, site, q, true, onVisitor)) this.scanVisitors(site, q, true, onVisitor)
  }

  async journeyColumns(site: string, q: AttributionScan, use: (j: JourneyColumns) => void): Promise<boolean> {
    return this.useJourneys(site, q, true, use)
  }

  async attributionColumns(site: string, q: AttributionScan, use: (j: JourneyColumns) => void): Promise<boolean> {
    return this.useJourneys(site, q, false, use)
  }

  private useJourneys(site: string, q: AttributionScan, journeys: boolean, use: (j: JourneyColumns) => void): boolean {
    const j = journeyColumns(this.db, site, q, journeys)
    if (j) use(j)
    return j !== null
  }

  /** The attribution (`journeys` false) or journeys scan as the events and sessions tables give it (the scans above read the columns where they can). */
  async scanVisitorsFromTables(site: string, q: AttributionScan, journeys: boolean, onVisitor: (sessions: TouchSession[], conversions: ConversionRow[]) => void): Promise<void> {
    this.scanVisitors(site, q, journeys, onVisitor)
  }

  /**
   * Converting visitors' touches (`journeys` false: non-direct sessions of visitors who
   * convert), or every visitor's sessions (`journeys` true: also Direct, also visitors
   * with sessions in the range and no conversion).
   */
  private scanVisitors(site: string, q: AttributionScan, journeys: boolean, onVisitor: (touches: TouchSession[], conversions: ConversionRow[]) => void): void {
    const b = binder('sqlite')
    const seg = q.segment ?? null
    // Conversions without a visitor cannot have touches; a per-event key keeps them apart (credited to Direct).
    const conv = `SELECT COALESCE(visitor, 'event:' || rowid) AS visitor, ts, value, currency FROM events e
        WHERE site = ${b(site)} AND type = 'conversion' AND ts >= ${b(q.range.start)} AND ts < ${b(q.range.end)} AND bot = 0
        ${q.conversion === null ? '' : `AND name = ${b(q.conversion)}`} AND ${eventInSegmentRange(seg, 'sqlite', b, 'e', site, q.range, this.span(site, seg))}`
    const sessions = `site = ${b(site)} AND started >= ${b(q.range.start - q.lookbackMs)} AND started < ${b(q.range.end)} AND bot = 0
      ${journeys ? `AND (started >= ${b(q.range.start)} OR visitor IN (SELECT visitor FROM conv))` : "AND channel <> 'Direct' AND visitor IN (SELECT visitor FROM conv)"}
      AND ${sessionInSegment(seg, 'sqlite', b, 's')}`
    const sql = `WITH conv AS (${conv})
      SELECT visitor, ts, 1 AS kind, value, currency, NULL, NULL, NULL, NULL, NULL, NULL FROM conv
      UNION ALL
      SELECT visitor, started, 0, NULL, NULL, channel, source, medium, campaign, click_id_type, referrer_host FROM sessions s
      WHERE ${sessions}
      ORDER BY 1, 2, 3`
    const stmt = this.db.prepare(sql).raw(true)
    const group = attributionGrouper(onVisitor, journeys)
    for (const r of stmt.iterate(...b.args) as IterableIterator<unknown[]>) group.push(r)
    group.end()
  }

  async creditTotals(site: string, q: CreditTotalsScan): Promise<CreditTotal[] | null> {
    return creditTotals(this.db, site, q)
  }

  async sessionGroups(site: string, range: TimeRange, segment?: SegmentCond | null): Promise<SessionGroup[]> {
    if (!segment) return slotAligned(range) ? rollupSessionGroups(this.db, site, range) : this.scanSessionGroups(site, range)
    return segmentedSessionGroups(this.db, site, range, segment) ?? this.scanSessionGroups(site, range, segment)
  }

  /** Session groups straight from sessions (see `scanSummary`). */
  async scanSessionGroups(site: string, range: TimeRange, segment?: SegmentCond | null): Promise<SessionGroup[]> {
    const b = binder('sqlite', [site, range.start, range.end])
    return this.db.prepare(`SELECT channel, source, medium, campaign, click_id_type AS clickIdType,
        referrer_host AS referrerHost, COUNT(*) AS sessions
      FROM sessions s WHERE site = ? AND started >= ? AND started < ? AND bot = 0 AND ${sessionInSegment(segment, 'sqlite', b, 's')}
      GROUP BY channel, source, medium, campaign, click_id_type, referrer_host`).all(...b.args) as SessionGroup[]
  }

  async spendTotals(site: string, fromDate: string, toDate: string): Promise<SpendTotal[]> {
    return this.db.prepare(`SELECT source, medium, campaign, MAX(campaign_id) AS campaignId, currency, SUM(cost) AS cost,
        SUM(impressions) AS impressions, SUM(clicks) AS clicks
      FROM spend WHERE site = ? AND date >= ? AND date <= ?
      GROUP BY source, medium, campaign, currency ORDER BY source, medium, campaign, currency`).all(site, fromDate, toDate) as SpendTotal[]
  }

  async upsertSpend(site: string, rows: SpendRow[]): Promise<number> {
    const stmt = this.db.prepare(`INSERT INTO spend (site, date, source, medium, campaign, cost, impressions, clicks, currency, campaign_id)
      VALUES (@site, @date, @source, @medium, @campaign, @cost, @impressions, @clicks, @currency, @campaignId)
      ON CONFLICT (site, date, source, medium, campaign) DO UPDATE SET cost = excluded.cost,
        impressions = excluded.impressions, clicks = excluded.clicks, currency = excluded.currency,
        campaign_id = excluded.campaign_id`)
    this.db.transaction(() => { for (const r of rows) stmt.run({ site, ...r, campaignId: r.campaignId ?? null }) })()
    return rows.length
  }

  async listSpend(site: string, filter: SpendFilter, limit: number): Promise<SpendRow[]> {
    const { where, args } = spendWhere(site, filter)
    return this.db.prepare(`SELECT date, source, medium, campaign, campaign_id AS campaignId, cost, impressions, clicks, currency
      FROM spend WHERE ${where} ORDER BY date, source, medium, campaign LIMIT ?`).all(...args, limit) as SpendRow[]
  }

  async deleteSpend(site: string, filter: SpendFilter): Promise<number> {
    const { where, args } = spendWhere(site, filter)
    return this.db.prepare(`DELETE FROM spend WHERE ${where}`).run(...args).changes
  }

  async campaignIds(site: string, range: TimeRange, segment?: SegmentCond | null): Promise<CampaignIdTouch[]> {
    const b = binder('sqlite', [site, range.start, range.end])
    return this.db.prepare(`SELECT DISTINCT utm_id AS utmId, channel, source, medium, campaign, click_id_type AS clickIdType,
        referrer_host AS referrerHost
      FROM events e WHERE site = ? AND ts >= ? AND ts < ? AND bot = 0 AND utm_id IS NOT NULL
        AND ${eventInSegmentRange(segment, 'sqlite', b, 'e', site, range, this.span(site, segment))}`).all(...b.args) as CampaignIdTouch[]
  }

  async conversionClicks(site: string, q: ConversionClickScan): Promise<ConversionClick[]> {
    const types = q.clickIdTypes.map(() => '?').join(', ')
    const nameFilter = q.conversion === null ? '' : 'AND c.name = ?'
    // The visitor's last click of the platform at or before the conversion: one index
    // seek on (site, visitor, ts) per conversion.
    const sql = `SELECT c.id, c.name, c.ts, c.value, c.currency, c.order_id AS orderId, c.url,
        k.click_id_type AS clickIdType, k.click_id AS clickId, k.ts AS clickTs, k.url AS clickUrl,
        u.email_sha256 AS emailSha256, u.phone_sha256 AS phoneSha256, u.phone_digits_sha256 AS phoneDigitsSha256
      FROM events c JOIN events k ON k.rowid = (
        SELECT k2.rowid FROM events k2 WHERE k2.site = c.site AND k2.visitor = c.visitor AND k2.ts <= c.ts AND k2.ts >= c.ts - ?
          AND k2.click_id_type IN (${types}) AND k2.click_id IS NOT NULL AND k2.bot = 0 AND (k2.consent & ?) = ?
        ORDER BY k2.ts DESC, k2.rowid DESC LIMIT 1)
      LEFT JOIN user_hashes u ON u.site = c.site AND u.event_id = c.id
      WHERE c.site = ? AND c.type = 'conversion' AND c.ts >= ? AND c.ts < ? AND c.bot = 0 AND c.visitor IS NOT NULL
        AND (c.consent & ?) = ? ${nameFilter}
      ORDER BY c.ts, c.rowid`
    return this.db.prepare(sql).all(
      q.lookbackMs, ...q.clickIdTypes, q.consentMask, q.consentMask, site, q.range.start, q.range.end, q.consentMask, q.consentMask,
      ...(q.conversion === null ? [] : [q.conversion]),
    ) as ConversionClick[]
  }

  async experiment(site: string, q: ExperimentScan): Promise<VariantCounts[]> {
    return this.rolledUpExperiment(site, q) ?? (q.segment ? segmentedExperiment(this.db, site, q, q.segment) : null) ?? this.scanExperiment(site, q)
  }

  /** The readout from the experiment rollups; null when they cannot answer (a segment, or visitors still to work out). */
  rolledUpExperiment(site: string, q: ExperimentScan): VariantCounts[] | null {
    return experimentFromRollups(this.db, site, q)
  }

  /** The readout straight from events: any segment; the rollups must agree with it. */
  async scanExperiment(site: string, q: ExperimentScan): Promise<VariantCounts[]> {
    const b = binder('sqlite')
    const seg = q.segment ?? null
    // As on PostgreSQL: "converted after the first exposure" is "the visitor's latest
    // conversion is not before it", two grouped index scans instead of a probe of every
    // exposed visitor's events. INDEXED BY: the planner prices the variant expression as a
    // table read and would not pick the exposure index (migration 3) that holds it.
    const sql = `WITH first AS (
        SELECT visitor, COALESCE(CAST(json_extract(props, '$.variant') AS TEXT), '(none)') AS variant, MIN(ts) AS ts
        FROM events e INDEXED BY events_exposure_variant
        WHERE site = ${b(site)} AND type = 'exposure' AND name = ${b(q.experiment)} AND ts < ${b(q.range.end)} AND bot = 0
          AND visitor IS NOT NULL AND ${eventInSegment(seg, 'sqlite', b, 'e')}
        GROUP BY visitor),
      latest AS (
        SELECT visitor, MAX(ts) AS ts FROM events c
        WHERE site = ${b(site)} AND type = 'conversion' AND ts < ${b(q.range.end)} AND bot = 0 AND visitor IS NOT NULL
          ${q.conversion === null ? '' : `AND name = ${b(q.conversion)}`} AND ${eventInSegment(seg, 'sqlite', b, 'c')}
        GROUP BY visitor)
      SELECT f.variant, COUNT(*) AS visitors, COALESCE(SUM(l.ts >= f.ts), 0) AS converters
      FROM first f LEFT JOIN latest l ON l.visitor = f.visitor
      WHERE f.ts >= ${b(q.range.start)} GROUP BY f.variant ORDER BY f.variant`
    return this.db.prepare(sql).all(...b.args) as VariantCounts[]
  }

  async activity(site: string, range: TimeRange, conversion: string | null, segment?: SegmentCond | null): Promise<Activity> {
    if (!segment) return slotAligned(range) ? rollupActivity(this.db, site, range, conversion) : this.scanActivity(site, range, conversion)
    return segmentedActivity(this.db, site, range, conversion, segment) ?? this.scanActivity(site, range, conversion, segment)
  }

  /** Activity straight from events and sessions (see `scanSummary`). */
  async scanActivity(site: string, range: TimeRange, conversion: string | null, segment?: SegmentCond | null): Promise<Activity> {
    const sb = binder('sqlite', [site, range.start, range.end])
    const sessions = this.db.prepare(`SELECT started / ${SLOT_MS} * ${SLOT_MS} AS slot, COUNT(*) AS n FROM sessions s
      WHERE site = ? AND started >= ? AND started < ? AND bot = 0 AND ${sessionInSegment(segment, 'sqlite', sb, 's')}
      GROUP BY 1 ORDER BY 1`).all(...sb.args) as Activity['sessions']
    const cb = binder('sqlite', [site, range.start, range.end, ...(conversion === null ? [] : [conversion])])
    const conversions = this.db.prepare(`SELECT ts / ${SLOT_MS} * ${SLOT_MS} AS slot, currency, COUNT(*) AS n, COALESCE(SUM(CAST(ROUND(value * 1000000) AS INTEGER)), 0) AS micros
      FROM events e WHERE site = ? AND type = 'conversion' AND ts >= ? AND ts < ? AND bot = 0 ${conversion === null ? '' : 'AND name = ?'}
        AND ${eventInSegmentRange(segment, 'sqlite', cb, 'e', site, range, this.span(site, segment))}
      GROUP BY 1, 2 ORDER BY 1, 2`).all(...cb.args) as Activity['conversions']
    return { sessions, conversions }
  }

  async spendByDate(site: string, fromDate: string, toDate: string): Promise<DailySpend[]> {
    return this.db.prepare(`SELECT date, currency, SUM(CAST(ROUND(cost * 1000000) AS INTEGER)) AS micros FROM spend WHERE site = ? AND date >= ? AND date <= ?
      GROUP BY date, currency ORDER BY date, currency`).all(site, fromDate, toDate) as DailySpend[]
  }

  async budgets(site: string, month: string | null): Promise<Budget[]> {
    const rows = this.db.prepare(`SELECT ${BUDGET_COLUMNS} FROM budgets WHERE site = ? AND (? IS NULL OR month = ?)
      ORDER BY month, channel, source, medium, campaign`).all(site, month, month) as Record<string, unknown>[]
    return rows.map(budgetRow)
  }

  async upsertBudgets(site: string, budgets: Budget[]): Promise<number> {
    const stmt = this.db.prepare(`INSERT INTO budgets (site, ${BUDGET_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (site, month, channel, source, medium, campaign) DO UPDATE SET amount = excluded.amount,
        currency = excluded.currency, target_cpa = excluded.target_cpa, target_roas = excluded.target_roas`)
    this.db.transaction(() => {
      for (const b of budgets) stmt.run(site, b.month, ...scopeColumns(b), b.amount, b.currency, b.targetCpa, b.targetRoas)
    })()
    return budgets.length
  }

  async deleteBudgets(site: string, month: string, scope: BudgetScope | null): Promise<number> {
    if (scope === null) return this.db.prepare('DELETE FROM budgets WHERE site = ? AND month = ?').run(site, month).changes
    return this.db.prepare(`DELETE FROM budgets WHERE site = ? AND month = ? AND channel = ? AND source = ? AND medium = ? AND campaign = ?`)
      .run(site, month, ...scopeColumns(scope)).changes
  }
}

/** The WHERE clause of a spend filter, with `?` placeholders. */
function spendWhere(site: string, f: SpendFilter): { where: string; args: unknown[] } {
  const parts = ['site = ?']
  const args: unknown[] = [site]
  if (f.from !== undefined) { parts.push('date >= ?'); args.push(f.from) }
  if (f.to !== undefined) { parts.push('date <= ?'); args.push(f.to) }
  for (const col of ['source', 'medium', 'campaign'] as const) {
    if (f[col] !== undefined) { parts.push(`${col} = ?`); args.push(f[col]) }
  }
  return { where: parts.join(' AND '), args }
}
