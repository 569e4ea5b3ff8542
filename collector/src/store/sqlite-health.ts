/**
 * Tracking-health queries for the dashboard on the SQLite store: is data arriving, and
 * under which consent. Kept beside the store but outside the `Store` interface, because
 * only the dashboard asks and a networked store can answer the panel without them.
 */
import type Database from 'better-sqlite3'

const HOUR = 3_600_000

export interface HourCount {
  /** Start of the hour, ms since the epoch. */
  hour: number
  events: number
}

export interface ConsentShare {
  /** Consent bitmask: 1 analytics, 2 ads. */
  consent: number
  visitors: number
}

/**
 * Events per hour (by event time) for the 24 whole hours ending with the current one,
 * zero-filled, so a tag that stopped sending shows as a gap.
 *
 * @example
 * eventsPerHour(store.db, 'shop', Date.now()) // [{ hour: 1764000000000, events: 12 }, … 24 rows]
 */
export function eventsPerHour(db: Database.Database, site: string, now: number): HourCount[] {
  const end = Math.floor(now / HOUR) * HOUR + HOUR
  const start = end - 24 * HOUR
  const rows = db.prepare(`SELECT (ts / ${HOUR}) * ${HOUR} AS hour, count(*) AS n FROM events
    WHERE site = ? AND ts >= ? AND ts < ? AND bot = 0 GROUP BY hour`).all(site, start, end) as { hour: number; n: number }[]
  const byHour = new Map(rows.map((r) => [r.hour, r.n]))
  return Array.from({ length: 24 }, (_, i) => ({ hour: start + i * HOUR, events: byHour.get(start + i * HOUR) ?? 0 }))
}

/** When the site's newest event arrived (receive time), or null before the first one. */
export function lastReceived(db: Database.Database, site: string): number | null {
  const row = db.prepare('SELECT max(received) AS t FROM events WHERE site = ?').get(site) as { t: number | null }
  return row.t
}

/** Distinct visitors per consent state since `since`; anonymous visitors count by their daily hash. */
export function consentShares(db: Database.Database, site: string, since: number): ConsentShare[] {
  return db.prepare(`SELECT consent, count(DISTINCT visitor) AS visitors FROM events
    WHERE site = ? AND ts >= ? AND bot = 0 AND visitor IS NOT NULL GROUP BY consent ORDER BY consent DESC`)
    .all(site, since) as ConsentShare[]
}

/**
 * Names seen since `since`, for the dashboard's pickers: experiments, conversions, custom
 * events, and the most visited paths.
 */
export function eventNames(db: Database.Database, site: string, since: number): { experiments: string[]; conversions: string[]; events: string[]; paths: string[] } {
  const rows = db.prepare(`SELECT DISTINCT type, name FROM events
    WHERE site = ? AND ts >= ? AND type IN ('exposure', 'conversion', 'event') ORDER BY name LIMIT 300`)
    .all(site, since) as { type: string; name: string }[]
  const paths = db.prepare(`SELECT path FROM events WHERE site = ? AND ts >= ? AND type = 'pageview' AND path IS NOT NULL
    GROUP BY path ORDER BY count(*) DESC LIMIT 15`).all(site, since) as { path: string }[]
  const of = (type: string) => rows.filter((r) => r.type === type).map((r) => r.name)
  return { experiments: of('exposure'), conversions: of('conversion'), events: of('event'), paths: paths.map((r) => r.path) }
}
