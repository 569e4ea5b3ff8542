/**
 * The reports service: the JSON routes, CSV exports and the dashboard all call this, so
 * every surface shows the same numbers. It turns validated queries into store scans and
 * runs the pure maths (funnel matching, credit splitting, statistics) over the results.
 */
import type { Props, Site } from '../model.ts'
import type {
  AttributionQuery, AttributionReport, CampaignsQuery, CampaignsReport, ChannelsQuery, ChannelsReport,
  DateRangeQuery, ExperimentQuery, ExperimentReport, FunnelQuery, FunnelReport, SummaryReport,
} from './types.ts'
import type { AttributionModel, AttributionRow, ChannelRow, CampaignRow, Money } from './types.ts'
import type { FunnelEvent, FunnelScan, ReportStore, TouchAttrs, TouchSession, VisitorShare } from '../store/report-types.ts'
import { dateIn, dayRange } from './dates.ts'
import { CreditLedger, creditColumns, creditVisitor, ledgerOf, rolledUpCredit } from './credit.ts'
import { dataDriven, dataDrivenCount } from './data-driven.ts'
import { dataDrivenReport, type DataDrivenShare } from './data-driven-shares.ts'
import { attributionReport } from './attribution-report.ts'
import { attributionKey, dimensionValue, isTouch } from './dimensions.ts'
import { columnMatch, FunnelTally, matchFunnel, matchFunnelColumns, stepMatrix, type ColumnLookups, type FunnelMatch } from './funnel.ts'
import { matchesStep } from './steps.ts'
import { funnelReport, shareOf, type FunnelCount, type FunnelShare } from './funnel-shares.ts'
import { metricsByKey } from './table.ts'
import { matchSpend } from './spend-match.ts'
import { ratio } from './stats.ts'
import { readout, resolveWeights } from './experiment.ts'
import { queryError } from './query-error.ts'
import { channelOf } from '../ingest/channel.ts'
import { resolveSegment, segmentOf, segmentSplitsSpend, spendInSegment, spendTouch } from './segment.ts'
import type { SegmentCond, SpendTotal } from '../store/report-types.ts'

export * from './types.ts'
export {
  parseSummaryQuery, parseFunnelQuery, parseChannelsQuery, parseCampaignsQuery,
  parseAttributionQuery, parseExperimentQuery,
} from './query.ts'

/** Today's date in the site's timezone: the default end of a report's range. */
export function todayIn(site: Pick<Site, 'timezone'>, now: number = Date.now()): string {
  return dateIn(site.timezone, now)
}

export interface Reports {
  summary(site: Site, q: DateRangeQuery): Promise<SummaryReport>
  funnel(site: Site, q: FunnelQuery): Promise<FunnelReport>
  channels(site: Site, q: ChannelsQuery): Promise<ChannelsReport>
  campaigns(site: Site, q: CampaignsQuery): Promise<CampaignsReport>
  attribution(site: Site, q: AttributionQuery): Promise<AttributionReport>
  experiment(site: Site, name: string, q: ExperimentQuery): Promise<ExperimentReport>
}

/** The reports, and a funnel's count over a share of its visitors (report workers split one funnel: `funnel-shares.ts`). */
export interface ReportService extends Reports {
  funnelShare(site: Site, q: FunnelQuery, share: VisitorShare | null): Promise<FunnelShare | null>
  /** Data-driven attribution's count over a share of its visitors (`data-driven-shares.ts`); null for other models, or where the columns cannot answer. */
  attributionShare(site: Site, q: AttributionQuery, share: VisitorShare | null): Promise<DataDrivenShare | null>
}

/**
 * Builds the reports service over a store.
 *
 * @example
 * const reports = createReports(store.reports)
 * const site = await store.getSite('shop')
 * const q = parseFunnelQuery(new URLSearchParams('step=pageview:/pricing&step=conversion:purchase'), todayIn(site))
 * const { steps } = await reports.funnel(site, q)
 */
export function createReports(rs: ReportStore): ReportService {

  /** Credits conversions in the range to values of `keyOf`, by the chosen model. */
  async function credit(site: Site, q: DateRangeQuery & { model: AttributionModel; conversion: string | null; lookbackMs: number }, keyOf: (t: TouchAttrs | null) => string, segment: SegmentCond | null): Promise<CreditLedger> {
    if (q.model === 'data_driven') return (await dataDriven(rs, site, q, keyOf, segment)).ledger
    const model = q.model
    const range = dayRange(q.from, q.to, site.timezone)
    const totals = await rolledUpCredit(rs, site.id, { range, models: [model], conversion: q.conversion, lookbackMs: q.lookbackMs, segment })
    if (totals) return ledgerOf(totals, model, keyOf, site.currency)
    const ledger = new CreditLedger()
    const scan = { range, lookbackMs: q.lookbackMs, conversion: q.conversion, segment }
    if (rs.attributionColumns && await rs.attributionColumns(site.id, scan, (j) => creditColumns([model], j, q.lookbackMs, keyOf, [ledger], site.currency))) return ledger
    await rs.scanAttribution(site.id, scan, (touches, conversions) => {
      creditVisitor(model, touches.filter(isTouch), conversions, q.lookbackMs, keyOf, ledger, site.currency)
    })
    return ledger
  }

  /**
   * The range's spend for tables: the rows a channel, source, medium or campaign filter
   * keeps; none at all under a segment spend cannot be split by (device, country, …).
   */
  async function spendOf(site: Site, q: DateRangeQuery): Promise<SpendTotal[]> {
    return segmentSplitsSpend(q.segment) ? [] : spendInSegment(q.segment, await rs.spendTotals(site.id, q.from, q.to))
  }

  /**
   * The funnel counted over the visitors of `share` (null: all), before its rows: report
   * workers that split one funnel put theirs together (`countOfShares`). Null where a share
   * was asked and the columns cannot answer: the scan answers whole funnels only.
   */
  async function countFunnel(site: Site, q: FunnelQuery, share: VisitorShare | null): Promise<FunnelCount | null> {
    const range = dayRange(q.from, q.to, site.timezone)
    const labels = q.steps.map((s) => s.label)
    const total = new FunnelTally(labels)
    const parts = new Map<string, { entries: number; tally: FunnelTally }>()
    const opts = { range, windowMs: q.windowMs, strict: q.mode === 'strict' }
    const scan: FunnelScan = {
      range, windowMs: q.windowMs, unit: q.unit, allEvents: q.mode === 'strict', segment: await resolveSegment(rs, site.id, q.segment),
      steps: q.steps.map(({ type, name, pathGlob, props }) => ({ type, name, pathGlob, needsProps: Object.keys(props).length > 0 })),
      withProps: q.steps.some((s) => Object.keys(s.props).length > 0),
      withEntry: q.breakdown !== null && q.breakdown !== 'experiment',
      experiment: q.breakdown === 'experiment' ? q.experiment : null,
      share,
      // Only where a step filters on properties: otherwise every event of a step's key fits.
      propsFit: q.steps.some((s) => Object.keys(s.props).length > 0) ? (key, props) => q.steps.some((s) => matchesStep(s, { ...key, props })) : null,
    }
    const partOf = (key: string) => {
      let part = parts.get(key)
      if (!part) parts.set(key, (part = { entries: 0, tally: new FunnelTally(labels) }))
      return part
    }
    const keyOf = (e: FunnelEvent['entry'] | null | undefined) => (q.breakdown === 'experiment' ? (e?.variant ?? '(none)') : dimensionValue(q.breakdown!, e ?? null))
    const count = (m: Pick<FunnelMatch, 'reached' | 'times'>, entry: FunnelEvent['entry'] | null) => {
      total.add(m)
      if (q.breakdown === null) return
      const part = partOf(keyOf(entry))
      part.entries++
      part.tally.add(m)
    }
    // The columns' entrants share a few thousand entries: each one's part is found once, by its number.
    const partByEntry = new Map<number, { entries: number; tally: FunnelTally }>()
    const fromColumns = rs.funnelColumns && await rs.funnelColumns(site.id, scan, (cols) => {
      const matrix = stepMatrix(cols.keys, q.steps)
      // A step's property test by the event's properties alone (its key passed the rest):
      // once per distinct properties object and step, as the columns share them.
      const tested = new Map<Props | null, Int8Array>()
      const lookups: ColumnLookups = {
        strict: opts.strict,
        propsMatch: (j, s) => {
          const props = cols.props(j)
          let hit = tested.get(props)
          if (!hit) tested.set(props, (hit = new Int8Array(q.steps.length).fill(-1)))
          if (hit[s] < 0) hit[s] = matchesStep(q.steps[s], { ...cols.keys[cols.key[j]], props }) ? 1 : 0
          return hit[s] === 1
        },
        follows: (i, j) => cols.follows(i, j),
      }
      const out = columnMatch(q.steps.length)
      for (let u = 0; u + 1 < cols.unitStart.length; u++) {
        const m = matchFunnelColumns(cols, cols.unitStart[u], cols.unitStart[u + 1], matrix, q.steps.length, range, q.windowMs, lookups, out)
        if (!m) continue
        total.add(m)
        if (q.breakdown === null) continue
        const id = cols.entryId(m.entry)
        let part = partByEntry.get(id)
        if (!part) partByEntry.set(id, (part = partOf(keyOf(cols.entry(m.entry)))))
        part.entries++
        part.tally.add(m)
      }
    })
    if (!fromColumns) {
      if (share) return null
      await rs.scanFunnel(site.id, scan, (events) => {
        const m = matchFunnel(events, q.steps, opts)
        if (m) count(m, m.entry.entry)
      })
    }
    return { total, parts }
  }

  return {
    async summary(site, q) {
      const c = await rs.summary(site.id, dayRange(q.from, q.to, site.timezone), await resolveSegment(rs, site.id, q.segment))
      const revenue: Money = {}
      for (const r of c.revenue) revenue[r.currency ?? site.currency] = (revenue[r.currency ?? site.currency] ?? 0) + r.amount
      return {
        from: q.from, to: q.to, timezone: site.timezone,
        visitors: c.visitors, sessions: c.sessions, pageviews: c.pageviews, conversions: c.conversions,
        convertingVisitors: c.convertingVisitors, conversionRate: ratio(c.convertingVisitors, c.visitors), revenue,
        ...segmentOf(q),
      }
    },

    funnel: async (site, q) => funnelReport(q, (await countFunnel(site, q, null))!),
    funnelShare: async (site, q, share) => {
      const c = await countFunnel(site, q, share)
      return c && shareOf(c)
    },

    async channels(site, q) {
      const keyOf = (t: TouchAttrs | null) => dimensionValue('channel', t)
      const segment = await resolveSegment(rs, site.id, q.segment)
      const range = dayRange(q.from, q.to, site.timezone)
      const ledger = await credit(site, q, keyOf, segment)
      const groups = await rs.sessionGroups(site.id, range, segment)
      // Spend rows carry no channel: the ingest's own rules classify their source and medium.
      const spend = (await spendOf(site, q)).map((s) => ({ ...s, key: channelOf(spendTouch(s)) }))
      const rows: ChannelRow[] = metricsByKey(groups.map((g) => [keyOf(g), g.sessions]), ledger, spend)
        .map(([channel, m]) => ({ channel, ...m }))
      return { from: q.from, to: q.to, model: q.model, rows, ...segmentOf(q, true) }
    },

    async campaigns(site, q) {
      const keyOf = attributionKey('campaign')
      const segment = await resolveSegment(rs, site.id, q.segment)
      const range = dayRange(q.from, q.to, site.timezone)
      const ledger = await credit(site, q, keyOf, segment)
      const groups = await rs.sessionGroups(site.id, range, segment)
      const totals = await spendOf(site, q)
      const ids = totals.some((s) => s.campaignId) ? await rs.campaignIds(site.id, range, segment) : []
      const matched = matchSpend(totals, groups, ids)
      const spend = totals.map((s, i) => ({ ...s, key: campaignKey(...(matched[i] ?? [s.source, s.medium, s.campaign])) }))
      const rows: CampaignRow[] = metricsByKey(groups.map((g) => [keyOf(g), g.sessions]), ledger, spend).map(([k, m]) => {
        const [source, medium, campaign] = JSON.parse(k) as [string, string, string]
        return { source, medium, campaign, ...m }
      })
      return { from: q.from, to: q.to, model: q.model, rows, ...segmentOf(q, true) }
    },

    async attribution(site, q) {
      const keyOf = attributionKey(q.dimension)
      const segment = await resolveSegment(rs, site.id, q.segment)
      if (q.model === 'data_driven') return dataDrivenReport(q, (await dataDrivenCount(rs, site, q, keyOf, segment, null))!)
      return attributionReport(q, await credit(site, q, keyOf, segment))
    },

    async attributionShare(site, q, share) {
      if (q.model !== 'data_driven') return null
      const dd = await dataDrivenCount(rs, site, q, attributionKey(q.dimension), await resolveSegment(rs, site.id, q.segment), share)
      return dd && dd.state()
    },

    async experiment(site, name, q) {
      const range = dayRange(q.from, q.to, site.timezone)
      const segment = await resolveSegment(rs, site.id, q.segment)
      const counts = await rs.experiment(site.id, { experiment: name, range, conversion: q.conversion, segment })
      const weights = resolveWeights(counts.map((c) => c.variant), q.weights)
      if (typeof weights === 'string') throw queryError(weights, [{ path: 'weights', message: weights }])
      return { ...readout(name, q, counts, weights), ...segmentOf(q) }
    },
  }
}

/** A stable key for a (source, medium, campaign) triple. */
function campaignKey(source: string, medium: string, campaign: string): string {
  return JSON.stringify([source, medium, campaign])
}
