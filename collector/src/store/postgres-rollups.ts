/**
 * Summary, session groups and activity answered from the rollup tables (see
 * `postgres-rollup-schema.ts`), for ranges that start and end on slot boundaries
 * (`slotAligned`); equal to the scans in `postgres-reports.ts`, revenue to the last bit.
 */
import type pg from 'pg'
import type { Activity, SessionGroup, SummaryCounts, TimeRange } from './report-types.ts'

/** Decodes a rollup's nullable text column (NULL is stored as '', text x as '=' || x). */
const dec = (col: string, as = col) => `CASE WHEN r.${col} = '' THEN NULL ELSE substr(r.${col}, 2) END AS "${as}"`

/**
 * The summary's counts for a slot-aligned range, as `PostgresReports.scanSummary` counts them.
 *
 * @example
 * if (slotAligned(range)) return rollupSummary(pool, 'shop', range)
 */
export async function rollupSummary(pool: pg.Pool, site: string, range: TimeRange): Promise<SummaryCounts> {
  const args = [site, range.start, range.end]
  const [visitors, counts, revenue] = await Promise.all([
    // Each visitor counts once: through its first slot in the range, the one whose previous slot lies before it.
    pool.query(`SELECT
        (SELECT COUNT(*) FROM rollup_visitors WHERE site = $1 AND kind = 0 AND slot >= $2 AND slot < $3 AND prev < $2) AS visitors,
        (SELECT COUNT(*) FROM rollup_visitors WHERE site = $1 AND kind = 1 AND slot >= $2 AND slot < $3 AND prev < $2) AS "convertingVisitors"`, args),
    pool.query(`SELECT COALESCE(SUM(n) FILTER (WHERE type = 'pageview'), 0)::bigint AS pageviews,
        COALESCE(SUM(n) FILTER (WHERE type = 'conversion'), 0)::bigint AS conversions,
        (SELECT COALESCE(SUM(n), 0)::bigint FROM rollup_sessions WHERE site = $1 AND slot >= $2 AND slot < $3) AS sessions
      FROM rollup_events WHERE site = $1 AND slot >= $2 AND slot < $3`, args),
    pool.query<SummaryCounts['revenue'][number]>(`SELECT ${dec('currency')}, SUM(r.amount)::float8 AS amount FROM rollup_events r
      WHERE r.site = $1 AND r.type = 'conversion' AND r.slot >= $2 AND r.slot < $3
      GROUP BY r.currency HAVING SUM(r.valued) > 0 ORDER BY r.currency`, args),
  ])
  const v = visitors.rows[0]
  const c = counts.rows[0]
  return {
    visitors: v.visitors, sessions: c.sessions, pageviews: c.pageviews, conversions: c.conversions,
    convertingVisitors: v.convertingVisitors, revenue: revenue.rows,
  }
}

/** Sessions started in a slot-aligned range per attribute set, as `PostgresReports.scanSessionGroups` groups them. */
export async function rollupSessionGroups(pool: pg.Pool, site: string, range: TimeRange): Promise<SessionGroup[]> {
  return (await pool.query<SessionGroup>(`SELECT r.channel, ${dec('source')}, ${dec('medium')}, ${dec('campaign')},
      ${dec('click_id_type', 'clickIdType')}, ${dec('referrer_host', 'referrerHost')}, SUM(r.n)::bigint AS sessions
    FROM rollup_sessions r WHERE r.site = $1 AND r.slot >= $2 AND r.slot < $3
    GROUP BY r.channel, r.source, r.medium, r.campaign, r.click_id_type, r.referrer_host`, [site, range.start, range.end])).rows
}

/** Sessions and conversions per slot of a slot-aligned range, as `PostgresReports.scanActivity` counts them. */
export async function rollupActivity(pool: pg.Pool, site: string, range: TimeRange, conversion: string | null): Promise<Activity> {
  const args: unknown[] = [site, range.start, range.end]
  const nameFilter = conversion === null ? '' : `AND r.name = $${args.push(conversion)}`
  const [sessions, conversions] = await Promise.all([
    pool.query(`SELECT slot, SUM(n)::bigint AS n FROM rollup_sessions WHERE site = $1 AND slot >= $2 AND slot < $3
      GROUP BY slot ORDER BY slot`, args.slice(0, 3)),
    pool.query(`SELECT r.slot, ${dec('currency')}, SUM(r.n)::bigint AS n, SUM(r.micros)::bigint AS micros FROM rollup_events r
      WHERE r.site = $1 AND r.type = 'conversion' AND r.slot >= $2 AND r.slot < $3 ${nameFilter}
      GROUP BY r.slot, r.currency ORDER BY r.slot, r.currency`, args),
  ])
  return { sessions: sessions.rows, conversions: conversions.rows }
}
