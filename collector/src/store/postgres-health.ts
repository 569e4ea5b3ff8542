/** Tracking-health queries on the PostgreSQL store (see `health-types.ts`). */
import type pg from 'pg'
import { CONSENT_KINDS, PATH_SAMPLE, catalogOf, fillHours, hourWindow, HOUR_MS, sinceSlot, type HealthQueries } from './health-types.ts'

/**
 * The health queries over a pg pool. Counts come back as strings (bigint), hence Number().
 *
 * @example
 * const shares = await postgresHealth(store.pool).consentShares('shop', Date.now() - 7 * 86_400_000)
 */
export function postgresHealth(pool: pg.Pool): HealthQueries {
  return {
    async eventsPerHour(site, now) {
      const { start, end } = hourWindow(now)
      const r = await pool.query<{ hour: string; events: string }>(`SELECT (ts / ${HOUR_MS}) * ${HOUR_MS} AS hour, count(*) AS events
        FROM events WHERE site = $1 AND ts >= $2 AND ts < $3 AND NOT bot AND origin <> 'goal' GROUP BY 1`, [site, start, end])
      return fillHours(start, r.rows.map((x) => ({ hour: Number(x.hour), events: Number(x.events) })))
    },
    async lastReceived(site) {
      const r = await pool.query<{ t: string | null }>(`SELECT GREATEST((SELECT max(received) FROM events WHERE site = $1), (SELECT max(received) FROM inbox WHERE site = $1)) AS t`, [site])
      return r.rows[0]?.t == null ? null : Number(r.rows[0].t)
    },
    async consentShares(site, since) {
      if (since !== sinceSlot(since)) return this.scanConsentShares(site, since)
      const r = await pool.query<{ consent: number; visitors: string }>(CONSENT_KINDS.map((k) => `SELECT ${k - 2} AS consent, COUNT(*) AS visitors
        FROM rollup_visitors WHERE site = $1 AND kind = ${k} AND slot >= $2 AND prev < $2`).join(' UNION ALL '), [site, since])
      return r.rows.map((x) => ({ consent: Number(x.consent), visitors: Number(x.visitors) })).filter((x) => x.visitors > 0)
    },
    async scanConsentShares(site, since) {
      const r = await pool.query<{ consent: number; visitors: string }>(`SELECT consent, count(DISTINCT visitor) AS visitors FROM events
        WHERE site = $1 AND ts >= $2 AND NOT bot AND visitor IS NOT NULL GROUP BY consent ORDER BY consent DESC`, [site, since])
      return r.rows.map((x) => ({ consent: Number(x.consent), visitors: Number(x.visitors) }))
    },
    async eventNames(site, since) {
      // As on SQLite: one index seek per distinct name, paths from the latest pageviews.
      const names = await pool.query<{ type: string; name: string }>(`WITH RECURSIVE t(type) AS (VALUES ('conversion'), ('event'), ('exposure')),
          n(type, name) AS (
            SELECT t.type, (SELECT MIN(name) FROM events WHERE site = $1 AND type = t.type) FROM t
            UNION ALL
            SELECT n.type, (SELECT MIN(e.name) FROM events e WHERE e.site = $1 AND e.type = n.type AND e.name > n.name) FROM n WHERE n.name IS NOT NULL)
        SELECT type, name FROM n WHERE name IS NOT NULL
          AND EXISTS (SELECT 1 FROM events x WHERE x.site = $1 AND x.type = n.type AND x.name = n.name AND x.ts >= $2)
        ORDER BY name LIMIT 300`, [site, since])
      const paths = await pool.query<{ path: string }>(`SELECT path FROM (SELECT path FROM events WHERE site = $1 AND type = 'pageview'
          AND name = 'pageview' AND ts >= $2 ORDER BY ts DESC LIMIT ${PATH_SAMPLE}) p WHERE path IS NOT NULL
        GROUP BY path ORDER BY count(*) DESC, path LIMIT 15`, [site, since])
      return catalogOf(names.rows, paths.rows.map((x) => x.path))
    },
  }
}
