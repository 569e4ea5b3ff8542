/**
 * Gathers everything the dashboard page shows, each report on its own so one failing
 * query shows as a notice in its section instead of an error page, and fast enough for
 * large sites: cached per report, shared scans, all attribution models in one pass.
 */
import { QueryError } from '../reports/query-error.ts'
import type { Store } from '../store/types.ts'
import type { Site } from '../model.ts'
import type { ReportStore } from '../store/report-types.ts'
import {
  createReports, parseAttributionQuery, parseCampaignsQuery, parseChannelsQuery, parseExperimentQuery, parseFunnelQuery,
  parseSummaryQuery, type AttributionModel, type AttributionReport,
} from '../reports/service.ts'
import { compareModels } from '../reports/attribution-compare.ts'
import type { ReportCache } from './report-cache.ts'
import { sharedScans } from './shared-scans.ts'
import { loadCatalog, loadHealth } from './health.ts'
import type { DashboardData } from './page.tsx'
import type { Loaded } from './sections.tsx'
import { MODELS, filterParams, funnelBreakdownParam, readFilters } from './filters.ts'
import { addDays } from '../reports/dates.ts'
import { pacing, parsePacingQuery } from '../reports/pacing-service.ts'
import { previousPeriod } from '../reports/timeseries.ts'
import { parseTimeseriesQuery, timeseries } from '../reports/timeseries-service.ts'
import { ALL_SECTIONS, type Section } from './lanes.ts'

async function settle<T>(run: () => Promise<T>, log: (msg: string, err?: unknown) => void): Promise<Loaded<T>> {
  try {
    return { ok: true, value: await run() }
  } catch (err) {
    // Bad filters come back as 400s with a message written for people; anything else is
    // our fault, logged, and not described to the browser.
    if (err instanceof QueryError) return { ok: false, error: err.message }
    log('dashboard report failed', err)
    return { ok: false, error: 'an internal error occurred (see the collector log)' }
  }
}

/**
 * Loads the dashboard for a site and the filters in `params`.
 *
 * Each report comes from `cache` when the same site asked the same question less than
 * its TTL ago; the rest share one page's store scans (see `shared-scans.ts`), and the
 * five attribution models are credited in one pass over the data.
 *
 * @example
 * const cache = new ReportCache(() => Date.now())
 * const data = await loadDashboard({ reports: store.reports, cache, site, today: '2026-11-24', now: Date.now(), params, log })
 */
export async function loadDashboard(o: {
  reports: ReportStore
  cache: ReportCache
  site: Site
  today: string
  now: number
  params: URLSearchParams
  log: (msg: string, err?: unknown) => void
  /** The sections to load (default: all); another worker loads the rest (`lanes.ts`), and this page's are placeholders. */
  sections?: readonly Section[]
}): Promise<DashboardData> {
  const { site, today, log } = o
  const wanted = new Set(o.sections ?? ALL_SECTIONS)
  const skipped: Loaded<never> = { ok: false, error: 'loaded by another report worker' }
  const rs = sharedScans(o.reports)
  const reports = createReports(rs)
  const catalog = await loadCatalog(o.reports, site.id, o.now)
  const filters = readFilters(o.params, today, catalog)
  const p = filterParams(filters)
  const q = (extra: Record<string, string> = {}) => {
    const out = new URLSearchParams(p)
    if (!filters.conversion) out.delete('conversion')
    out.delete('experiment')
    out.delete('weights')
    out.delete('breakdown')
    for (const [k, v] of Object.entries(extra)) out.set(k, v)
    return out
  }
  // Oldest computation time of any figure taken from the cache; the footer shows it.
  let cachedAt: number | null = null
  /**
   * One report through the cache. The key is the parsed query, which holds exactly what
   * the answer depends on: switching the model does not recompute the summary or funnel.
   * Parsing happens inside, so a bad filter still fails only its own section.
   */
  const cached = <Q, T>(name: string, parse: () => Q, run: (query: Q) => Promise<T>) => async () => {
    const query = parse()
    const hit = await o.cache.get(JSON.stringify([site.id, site.timezone, site.currency, name, query]), () => run(query))
    if (hit.at < o.now) cachedAt = Math.min(cachedAt ?? hit.at, hit.at)
    return hit.value
  }
  const breakdown = funnelBreakdownParam(filters)
  const experiment = filters.experiment
  const prev = previousPeriod(filters.from, filters.to)
  const yesterday = addDays(today, -1)
  /** A section through the cache (`cached`), settled; a placeholder where another worker loads it. */
  const section = <Q, T>(name: Section, key: string, parse: () => Q, run: (query: Q) => Promise<T>): Promise<Loaded<T>> =>
    wanted.has(name) ? settle(cached(key, parse, run), log) : Promise.resolve(skipped)
  const [summary, funnel, channels, campaigns, compared, readout, health, previousSummary, trends, pacingReport] = await Promise.all([
    section('summary', 'summary', () => parseSummaryQuery(q(), today), (sq) => reports.summary(site, sq)),
    section('funnel', 'funnel', () => parseFunnelQuery(q(breakdown ? { breakdown } : {}), today), (fq) => reports.funnel(site, fq)),
    section('channels', 'channels', () => parseChannelsQuery(q(), today), (cq) => reports.channels(site, cq)),
    section('campaigns', 'campaigns', () => parseCampaignsQuery(q(), today), (cq) => reports.campaigns(site, cq)),
    // Every model at once, whichever is chosen: one entry serves all six choices.
    section('compare', 'compare', () => ({ ...parseAttributionQuery(q({ dimension: 'channel' }), today), model: null }),
      (aq) => compareModels(rs, site, aq, MODELS.map((m) => m.id))),
    experiment
      ? section('experiment', 'experiment', () => ({ name: experiment, ...parseExperimentQuery(q(filters.weights ? { weights: filters.weights } : {}), today) }), (eq) => reports.experiment(site, eq.name, eq))
      : Promise.resolve(null),
    section('health', 'health', () => null, () => loadHealth(o.reports, site.id, o.now)),
    // Cockpit (issue 11): the tiles' previous period, trends, and the pacing of the range's last month.
    section('previousSummary', 'summary', () => parseSummaryQuery(q({ from: prev.from, to: prev.to }), today), (sq) => reports.summary(site, sq)),
    section('trends', 'trends', () => parseTimeseriesQuery(q(), today), (tq) => timeseries(rs, site, tq)),
    section('pacing', 'pacing', () => parsePacingQuery(new URLSearchParams([['month', filters.to.slice(0, 7)], ['asOf', filters.to < yesterday ? filters.to : yesterday], ...filters.segment]), today),
      (pq) => pacing(rs, site, pq)),
  ])
  const attribution: Partial<Record<AttributionModel, AttributionReport>> = compared.ok ? compared.value : {}
  const attributionError = compared.ok ? null : compared.error
  return {
    site: site.id, today, now: o.now, filters, catalog, summary, funnel, channels, campaigns, attribution, attributionError, experiment: readout, health,
    previousSummary, trends, pacing: pacingReport,
    cachedAt, cacheSeconds: o.cache.ttlMs / 1000,
  }
}
