/**
 * The tracking-health panel's data: events per hour over the last day, rejected events
 * by reason, and visitors per consent state. The quarantine counts come through the
 * `Store` interface; the rest from the store's own health queries (SQLite or
 * PostgreSQL), and a store without them shows those parts as unavailable.
 */
import type Database from 'better-sqlite3'
import type pg from 'pg'
import type { Store } from '../store/types.ts'
import type { ConsentShare, EventCatalog, HealthQueries, HourCount } from '../store/health-types.ts'
import { sqliteHealth } from '../store/sqlite-health.ts'
import { postgresHealth } from '../store/postgres-health.ts'

const DAY = 86_400_000

export interface HealthData {
  hourly: HourCount[] | null
  lastReceived: number | null
  /** Rejected events per reason: last 24 hours and last 7 days. */
  rejected: { reason: string; day: number; week: number }[]
  consent: ConsentShare[] | null
}

export type Catalog = EventCatalog

const queries = new WeakMap<Store, HealthQueries | null>()

/** The health queries of a store: by its SQLite database or its PostgreSQL pool. */
export function healthQueries(store: Store): HealthQueries | null {
  if (queries.has(store)) return queries.get(store)!
  const s = store as Partial<{ db: Database.Database; pool: pg.Pool }>
  const q = s.db && typeof s.db.prepare === 'function' ? sqliteHealth(s.db)
    : s.pool && typeof s.pool.query === 'function' ? postgresHealth(s.pool)
    : null
  queries.set(store, q)
  return q
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
  const q = healthQueries(store)
  if (!q) return { hourly: null, lastReceived: null, rejected, consent: null }
  const [hourly, lastReceived, consent] = await Promise.all([q.eventsPerHour(site, now), q.lastReceived(site), q.consentShares(site, now - 7 * DAY)])
  return { hourly, lastReceived, rejected, consent }
}

const CATALOG_TTL_MS = 5 * 60_000
const EMPTY: Catalog = { experiments: [], conversions: [], events: [], paths: [] }
const catalogs = new WeakMap<Store, Map<string, { at: number; catalog: Catalog }>>()

/**
 * Experiment, conversion and event names and top paths of the last 90 days. They only
 * feed the pickers and change rarely, while the scan grows with the data, so each site's
 * catalog is reused for five minutes.
 */
export async function loadCatalog(store: Store, site: string, now: number): Promise<Catalog> {
  const q = healthQueries(store)
  if (!q) return EMPTY
  let bySite = catalogs.get(store)
  if (!bySite) catalogs.set(store, (bySite = new Map()))
  const hit = bySite.get(site)
  if (hit && now - hit.at >= 0 && now - hit.at < CATALOG_TTL_MS) return hit.catalog
  const catalog = await q.eventNames(site, now - 90 * DAY)
  bySite.set(site, { at: now, catalog })
  return catalog
}
