/**
 * Gathers everything the dashboard page shows, each report on its own so one failing
 * query shows as a notice in its section instead of an error page.
 */
import { HTTPException } from 'hono/http-exception'
import type { Store, Site } from '../store/types.ts'
import {
  parseAttributionQuery, parseCampaignsQuery, parseChannelsQuery, parseExperimentQuery, parseFunnelQuery,
  parseSummaryQuery, type AttributionModel, type AttributionReport, type Reports,
} from '../reports/service.ts'
import { loadCatalog, loadHealth } from './health.ts'
import type { DashboardData } from './page.tsx'
import type { Loaded } from './sections.tsx'
import { MODELS, filterParams, funnelBreakdownParam, readFilters } from './filters.ts'

async function settle<T>(run: () => Promise<T>, log: (msg: string, err?: unknown) => void): Promise<Loaded<T>> {
  try {
    return { ok: true, value: await run() }
  } catch (err) {
    // Bad filters come back as 400s with a message written for people; anything else is
    // our fault, logged, and not described to the browser.
    if (err instanceof HTTPException && err.status < 500) return { ok: false, error: await messageOf(err) }
    log('dashboard report failed', err)
    return { ok: false, error: 'an internal error occurred (see the collector log)' }
  }
}

async function messageOf(err: HTTPException): Promise<string> {
  try {
    const body = await err.getResponse().clone().json() as { error?: { message?: string } }
    return body.error?.message ?? err.message
  } catch {
    return err.message || 'invalid query'
  }
}

/**
 * Loads the dashboard for a site and the filters in `params`.
 *
 * @example
 * const data = await loadDashboard({ store, reports, site, today: '2026-11-24', now: Date.now(), params, log })
 */
export async function loadDashboard(o: {
  store: Store
  reports: Reports
  site: Site
  today: string
  now: number
  params: URLSearchParams
  log: (msg: string, err?: unknown) => void
}): Promise<DashboardData> {
  const { reports, site, today, log } = o
  const catalog = await loadCatalog(o.store, site.id, o.now)
  const filters = readFilters(o.params, today, catalog)
  const p = filterParams(filters)
  const q = (extra: Record<string, string> = {}) => {
    const out = new URLSearchParams(p)
    if (!filters.conversion) out.delete('conversion')
    out.delete('experiment')
    out.delete('breakdown')
    for (const [k, v] of Object.entries(extra)) out.set(k, v)
    return out
  }
  const attribution: Partial<Record<AttributionModel, AttributionReport>> = {}
  const [summary, funnel, channels, campaigns, attributionResults, experiment, health] = await Promise.all([
    settle(() => reports.summary(site, parseSummaryQuery(q(), today)), log),
    settle(() => {
      const breakdown = funnelBreakdownParam(filters)
      return reports.funnel(site, parseFunnelQuery(q(breakdown ? { breakdown } : {}), today))
    }, log),
    settle(() => reports.channels(site, parseChannelsQuery(q(), today)), log),
    settle(() => reports.campaigns(site, parseCampaignsQuery(q(), today)), log),
    Promise.all(MODELS.map((m) => settle(() => reports.attribution(site, parseAttributionQuery(q({ model: m.id, dimension: 'channel' }), today)), log))),
    filters.experiment ? settle(() => reports.experiment(site, filters.experiment!, parseExperimentQuery(q(), today)), log) : Promise.resolve(null),
    settle(() => loadHealth(o.store, site.id, o.now), log),
  ])
  let attributionError: string | null = null
  attributionResults.forEach((r, i) => {
    if (r.ok) attribution[MODELS[i].id] = r.value
    else attributionError ??= r.error
  })
  return { site: site.id, today, now: o.now, filters, catalog, summary, funnel, channels, campaigns, attribution, attributionError, experiment, health }
}
