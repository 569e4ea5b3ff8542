/**
 * The tracking-health panel's data: events per hour over the last day, rejected events
 * by reason, and visitors per consent state. The quarantine counts come through the
 * `Store` interface; the rest needs SQL that only the SQLite store answers here, so a
 * store without it shows those parts as unavailable rather than failing the page.
 */
import type Database from 'better-sqlite3'
import type { Store } from '../store/types.ts'
import { consentShares, eventNames, eventsPerHour, lastReceived, type ConsentShare, type HourCount } from '../store/sqlite-health.ts'

const DAY = 86_400_000

export interface HealthData {
  hourly: HourCount[] | null
  lastReceived: number | null
  /** Rejected events per reason: last 24 hours and last 7 days. */
  rejected: { reason: string; day: number; week: number }[]
  consent: ConsentShare[] | null
}

export interface Catalog {
  experiments: string[]
  conversions: string[]
  events: string[]
  /** The most visited paths, most first. */
  paths: string[]
}

function sqliteDb(store: Store): Database.Database | null {
  const db = (store as Partial<{ db: Database.Database }>).db
  return db && typeof db.prepare === 'function' ? db : null
}

/**
 * Loads the health panel for a site.
 *
 * @example
 * const health = await loadHealth(store, 'demo', Date.now())
 * health.rejected // [{ reason: 'invalid_field', day: 2, week: 9 }]
 */
export async function loadHealth(store: Store, site: string, now: number): Promise<HealthData> {
  const [day, week] = await Promise.all([store.quarantineCounts(site, now - DAY), store.quarantineCounts(site, now - 7 * DAY)])
  const rejected = Object.entries(week)
    .map(([reason, n]) => ({ reason, day: day[reason] ?? 0, week: n }))
    .sort((a, b) => b.week - a.week)
  const db = sqliteDb(store)
  if (!db) return { hourly: null, lastReceived: null, rejected, consent: null }
  return {
    hourly: eventsPerHour(db, site, now),
    lastReceived: lastReceived(db, site),
    rejected,
    consent: consentShares(db, site, now - 7 * DAY),
  }
}

const CATALOG_TTL_MS = 5 * 60_000
const catalogs = new WeakMap<Store, Map<string, { at: number; catalog: Catalog }>>()

/**
 * Experiment, conversion and event names and top paths of the last 90 days (empty without
 * SQLite). They only feed the pickers and change rarely, while the scan grows with the
 * data, so each site's catalog is reused for five minutes.
 */
export function loadCatalog(store: Store, site: string, now: number): Catalog {
  const db = sqliteDb(store)
  if (!db) return { experiments: [], conversions: [], events: [], paths: [] }
  let bySite = catalogs.get(store)
  if (!bySite) catalogs.set(store, (bySite = new Map()))
  const hit = bySite.get(site)
  if (hit && now - hit.at >= 0 && now - hit.at < CATALOG_TTL_MS) return hit.catalog
  const catalog = eventNames(db, site, now - 90 * DAY)
  bySite.set(site, { at: now, catalog })
  return catalog
}
