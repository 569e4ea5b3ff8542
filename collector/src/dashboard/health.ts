/**
 * The tracking-health panel's data: events per hour over the last day, rejected events
 * by reason, and visitors per consent state, all asked of the report store.
 */
import type { ReportStore } from '../store/report-types.ts'
import { sinceSlot, type ConsentShare, type EventCatalog, type HourCount } from '../store/health-types.ts'

const DAY = 86_400_000

export interface HealthData {
  hourly: HourCount[] | null
  lastReceived: number | null
  /** Rejected events per reason: last 24 hours and last 7 days. */
  rejected: { reason: string; day: number; week: number }[]
  consent: ConsentShare[] | null
}

export type Catalog = EventCatalog

/**
 * Loads the health panel for a site. Consent shares cover the last 7 days from the start of
 * their 15-minute slot, which the rollups answer without reading the week's events.
 *
 * @example
 * const health = await loadHealth(store, 'demo', Date.now())
 * health.rejected // [{ reason: 'invalid_field', day: 2, week: 9 }]
 */
export async function loadHealth(rs: ReportStore, site: string, now: number): Promise<HealthData> {
  const [day, week] = await Promise.all([rs.quarantineCounts(site, now - DAY), rs.quarantineCounts(site, now - 7 * DAY)])
  const rejected = Object.entries(week)
    .map(([reason, n]) => ({ reason, day: day[reason] ?? 0, week: n }))
    .sort((a, b) => b.week - a.week)
  const q = rs.health
  const [hourly, lastReceived, consent] = await Promise.all([q.eventsPerHour(site, now), q.lastReceived(site), q.consentShares(site, sinceSlot(now - 7 * DAY))])
  return { hourly, lastReceived, rejected, consent }
}

const CATALOG_TTL_MS = 5 * 60_000
const catalogs = new WeakMap<ReportStore, Map<string, { at: number; catalog: Catalog }>>()

/**
 * Experiment, conversion and event names and top paths of the last 90 days. They only
 * feed the pickers and change rarely, while the scan grows with the data, so each site's
 * catalog is reused for five minutes.
 */
export async function loadCatalog(rs: ReportStore, site: string, now: number): Promise<Catalog> {
  let bySite = catalogs.get(rs)
  if (!bySite) catalogs.set(rs, (bySite = new Map()))
  const hit = bySite.get(site)
  if (hit && now - hit.at >= 0 && now - hit.at < CATALOG_TTL_MS) return hit.catalog
  const catalog = await rs.health.eventNames(site, now - 90 * DAY)
  bySite.set(site, { at: now, catalog })
  return catalog
}
