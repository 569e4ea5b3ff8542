/** Tracking-health queries on the SQLite store (see `health-types.ts`). */
import type Database from 'better-sqlite3'
import type { EventType } from '../model.ts'
import { DAY_MS } from './sqlite-funnel-schema.ts'
import { distinctVisitors } from './sqlite-rollups.ts'
import { CONSENT_KINDS, PATH_SAMPLE, catalogOf, fillHours, hourWindow, HOUR_MS, sinceSlot, type ConsentShare, type HealthQueries } from './health-types.ts'

export type { ConsentShare, EventCatalog, HourCount } from './health-types.ts'

/**
 * A recursive CTE `n(type, name)` of the site's (`@site`) distinct names of each type, one
 * index seek per name instead of a walk over every event; `people`: of people's events only,
 * off their index. Each type's list ends in a row with name NULL.
 */
function namesOf(types: EventType[], people: boolean): string {
  const [from, bot] = people ? ['events INDEXED BY events_report_name_ts', ' AND bot = 0'] : ['events', '']
  return `WITH RECURSIVE t(type) AS (VALUES ${types.map((t) => `('${t}')`).join(', ')}),
    n(type, name) AS (
      SELECT t.type, (SELECT MIN(name) FROM ${from} WHERE site = @site AND type = t.type${bot}) FROM t
      UNION ALL
      SELECT n.type, (SELECT MIN(name) FROM ${from} WHERE site = @site AND type = n.type AND name > n.name${bot}) FROM n WHERE n.name IS NOT NULL)`
}

/**
 * The health queries over a better-sqlite3 database.
 *
 * @example
 * const hours = await sqliteHealth(store.db).eventsPerHour('shop', Date.now()) // 24 rows
 */
export function sqliteHealth(db: Database.Database): HealthQueries {
  return {
    async eventsPerHour(site, now) {
      const { start, end } = hourWindow(now)
      // Counted off the people's index by (type, name), one range per name (a day of a busy
      // site is ~300k events: reading each row for bot and origin took 0.3-0.5 s); only
      // conversions are read for their origin, as goals make only conversions.
      const rows = db.prepare(`${namesOf(['pageview', 'event', 'exposure', 'conversion'], true)}
        SELECT hour, SUM(events) AS events FROM (
          SELECT (e.ts / ${HOUR_MS}) * ${HOUR_MS} AS hour, COUNT(*) AS events
          FROM n CROSS JOIN events e INDEXED BY events_report_name_ts ON e.site = @site AND e.type = n.type AND e.name = n.name AND e.bot = 0
            AND e.ts >= @start AND e.ts < @end
          WHERE n.name IS NOT NULL AND n.type <> 'conversion' GROUP BY hour
          UNION ALL
          SELECT (e.ts / ${HOUR_MS}) * ${HOUR_MS} AS hour, COUNT(*)
          FROM n CROSS JOIN events e INDEXED BY events_report_name_ts ON e.site = @site AND e.type = n.type AND e.name = n.name AND e.bot = 0
            AND e.ts >= @start AND e.ts < @end AND e.origin <> 'goal'
          WHERE n.name IS NOT NULL AND n.type = 'conversion' GROUP BY hour)
        GROUP BY hour`).all({ site, start, end }) as { hour: number; events: number }[]
      return fillHours(start, rows)
    },
    async lastReceived(site) {
      // Events still waiting for derivation count too: this is arrival, not derivation. Named
      // index: one seek, whatever statistics the planner has (another index walked 10M entries).
      return (db.prepare(`SELECT max(t) AS t FROM (SELECT max(received) AS t FROM events INDEXED BY events_site_received WHERE site = ?
        UNION ALL SELECT max(received) FROM inbox WHERE site = ?)`)
        .get(site, site) as { t: number | null }).t
    },
    async consentShares(site, since) {
      if (since !== sinceSlot(since)) return this.scanConsentShares(site, since)
      // Each consent state's visitors since then, counted as the summary's are (mostly from per-day counts).
      return CONSENT_KINDS.map((k) => ({ consent: k - 2, visitors: distinctVisitors(db, site, k, { start: since, end: Number.MAX_SAFE_INTEGER }) }))
        .filter((r) => r.visitors > 0)
    },
    async scanConsentShares(site, since) {
      return db.prepare(`SELECT consent, count(DISTINCT visitor) AS visitors FROM events
        WHERE site = ? AND ts >= ? AND bot = 0 AND visitor IS NOT NULL GROUP BY consent ORDER BY consent DESC`)
        .all(site, since) as ConsentShare[]
    },
    async eventNames(site, since) {
      // One index seek per distinct name (not a walk over every event), and the busiest
      // paths among the latest pageviews: a cold dashboard on 10M events waited seconds here.
      const names = db.prepare(`${namesOf(['conversion', 'event', 'exposure'], false)}
        SELECT type, name FROM n WHERE name IS NOT NULL
          AND EXISTS (SELECT 1 FROM events x WHERE x.site = @site AND x.type = n.type AND x.name = n.name AND x.ts >= @since)
        ORDER BY name LIMIT 300`).all({ site, since }) as { type: string; name: string }[]
      // Paths by pageviews in the funnel chunks of the latest built week (their counts are
      // stored: no event is read); among the latest pageviews while none is built, as on a new site.
      const built = db.prepare(`SELECT k.path FROM funnel_chunks c JOIN funnel_keys k ON k.id = c.key
          WHERE c.site = @site AND k.type = 'pageview' AND c.n > 0 AND c.day >= MAX(@since / ${DAY_MS}, (SELECT MAX(day) FROM funnel_chunks WHERE site = @site) - 6)
          GROUP BY k.path ORDER BY SUM(c.n) DESC, k.path LIMIT 15`).all({ site, since }) as { path: string }[]
      const paths = built.length > 0 ? built : db.prepare(`SELECT path FROM (SELECT path FROM events WHERE site = ? AND type = 'pageview' AND name = 'pageview' AND ts >= ?
          ORDER BY ts DESC LIMIT ${PATH_SAMPLE}) WHERE path IS NOT NULL GROUP BY path ORDER BY count(*) DESC, path LIMIT 15`).all(site, since) as { path: string }[]
      return catalogOf(names, paths.map((r) => r.path))
    },
  }
}
