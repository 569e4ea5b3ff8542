/**
 * The trends report over a store: the range and the previous period of equal length,
 * each counted per 15-minute slot and folded into the site's local days or hours.
 */
import { z } from 'zod'
import type { ReportStore } from '../store/report-types.ts'
import type { Site } from '../store/types.ts'
import { dateRange, parse, single } from './query.ts'
import { buckets, fold, granularityOf, pairPeriods, previousPeriod, trendChange, type TimeseriesReport } from './timeseries.ts'
import type { DateRangeQuery, SegmentFilters } from './types.ts'
import type { DailySpend } from '../store/report-types.ts'
import { resolveSegment, segmentOf, segmentSplitsSpend, spendInSegment } from './segment.ts'

/** Enough rows for 400 days of every campaign a site runs. */
const MAX_SPEND_ROWS = 1_000_000

/**
 * Spend per date and currency in micros; under a segment only the rows its channel,
 * source, medium and campaign filters keep, and none under one spend cannot be split by.
 */
async function spendByDate(rs: Pick<ReportStore, 'spendByDate' | 'listSpend'>, site: Site, p: DateRangeQuery, f: SegmentFilters | undefined): Promise<DailySpend[]> {
  if (!f) return rs.spendByDate(site.id, p.from, p.to)
  if (segmentSplitsSpend(f)) return []
  const byKey = new Map<string, DailySpend>()
  for (const r of spendInSegment(f, await rs.listSpend(site.id, { from: p.from, to: p.to }, MAX_SPEND_ROWS))) {
    const key = `${r.date}\n${r.currency}`
    const d = byKey.get(key) ?? { date: r.date, currency: r.currency, micros: 0 }
    // As the store sums: each row rounded to whole micros first.
    d.micros += Math.round(r.cost * 1_000_000)
    byKey.set(key, d)
  }
  return [...byKey.values()].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.currency < b.currency ? -1 : 1))
}

export interface TimeseriesQuery extends DateRangeQuery {
  conversion: string | null
}

/** The trend's own parameter beside the date range (also read by the OpenAPI description). */
export const timeseriesParams = z.object({ conversion: z.string().min(1).max(200).optional() })

/**
 * `?from&to` (default: the last 30 days) and `conversion` (default: every conversion).
 *
 * @example
 * parseTimeseriesQuery(new URLSearchParams('from=2026-11-01&to=2026-11-02'), '2026-11-25') // hourly
 */
export function parseTimeseriesQuery(params: URLSearchParams, today: string): TimeseriesQuery {
  const range = dateRange(params, today)
  const o = parse(timeseriesParams, single(params, ['conversion']))
  return { ...range, conversion: o.conversion ?? null }
}

/**
 * @example
 * const r = await timeseries(store.reports, site, { from: '2026-11-08', to: '2026-11-14', conversion: null })
 * r.totals.change.sessions // 0.25: a quarter more sessions than 11-01 … 11-07
 */
export async function timeseries(rs: Pick<ReportStore, 'activity' | 'spendByDate' | 'listSpend' | 'referrerHosts'>, site: Site, q: TimeseriesQuery): Promise<TimeseriesReport & { segment?: SegmentFilters; spendNote?: string }> {
  const granularity = granularityOf(q.from, q.to)
  const prev = previousPeriod(q.from, q.to)
  const segment = await resolveSegment(rs, site.id, q.segment)
  const period = async (p: DateRangeQuery) => {
    const bs = buckets(p.from, p.to, site.timezone, granularity)
    const range = { start: bs[0].start, end: bs[bs.length - 1].end }
    const [activity, spend] = await Promise.all([rs.activity(site.id, range, q.conversion, segment), spendByDate(rs, site, p, q.segment)])
    return { buckets: bs, ...fold(bs, activity, spend, site.currency) }
  }
  const [cur, before] = await Promise.all([period(q), period(prev)])
  return {
    from: q.from, to: q.to, timezone: site.timezone, granularity, previousFrom: prev.from, previousTo: prev.to, conversion: q.conversion,
    points: pairPeriods(cur, before),
    totals: { current: cur.total, previous: before.total, change: trendChange(cur.total, before.total) },
    ...segmentOf(q, true),
  }
}
