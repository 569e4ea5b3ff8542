/**
 * Summary, session groups and activity answered from the rollup tables (see
 * `sqlite-rollup-schema.ts`) instead of scanning events and sessions. They give the scans'
 * answers exactly (the summary's revenue up to float rounding: it adds per-slot sums), but
 * only for ranges that start and end on slot boundaries: callers check `slotAligned` first.
 */
import type Database from 'better-sqlite3'
import type { Activity, SessionGroup, SummaryCounts, TimeRange } from './report-types.ts'

/** Decodes a rollup's nullable text column (NULL is stored as '', text x as '=' || x). */
const dec = (col: string, as = col) => `CASE WHEN ${col} = '' THEN NULL ELSE substr(${col}, 2) END AS ${as}`

/**
 * The summary's counts for a slot-aligned range, as `SqliteReports.scanSummary` counts them.
 *
 * @example
 * if (slotAligned(range)) return rollupSummary(db, 'shop', range)
 */
export function rollupSummary(db: Database.Database, site: string, range: TimeRange): SummaryCounts {
  const args = [site, range.start, range.end]
  const distinct = db.prepare(`SELECT COUNT(*) FROM rollup_visitors WHERE site = ? AND kind = ? AND slot >= ? AND slot < ? AND prev < ?`).pluck()
  const counts = db.prepare(`SELECT COALESCE(SUM(CASE WHEN type = 'pageview' THEN n END), 0) AS pageviews,
      COALESCE(SUM(CASE WHEN type = 'conversion' THEN n END), 0) AS conversions
    FROM rollup_events WHERE site = ? AND slot >= ? AND slot < ?`).get(...args) as { pageviews: number; conversions: number }
  const sessions = db.prepare('SELECT COALESCE(SUM(n), 0) FROM rollup_sessions WHERE site = ? AND slot >= ? AND slot < ?').pluck().get(...args) as number
  // Slots whose valued rows all went keep amount 0, so the sum only has to skip currencies with no valued row.
  const revenue = db.prepare(`SELECT ${dec('currency')}, SUM(amount) AS amount FROM rollup_events
    WHERE site = ? AND type = 'conversion' AND slot >= ? AND slot < ?
    GROUP BY rollup_events.currency HAVING SUM(valued) > 0 ORDER BY rollup_events.currency`).all(...args) as SummaryCounts['revenue']
  return {
    visitors: distinct.get(site, 0, range.start, range.end, range.start) as number,
    sessions,
    pageviews: counts.pageviews,
    conversions: counts.conversions,
    convertingVisitors: distinct.get(site, 1, range.start, range.end, range.start) as number,
    revenue,
  }
}

/** Sessions started in a slot-aligned range per attribute set, as `SqliteReports.scanSessionGroups` groups them. */
export function rollupSessionGroups(db: Database.Database, site: string, range: TimeRange): SessionGroup[] {
  return db.prepare(`SELECT channel, ${dec('source')}, ${dec('medium')}, ${dec('campaign')}, ${dec('click_id_type', 'clickIdType')},
      ${dec('referrer_host', 'referrerHost')}, SUM(n) AS sessions
    FROM rollup_sessions WHERE site = ? AND slot >= ? AND slot < ?
    GROUP BY rollup_sessions.channel, rollup_sessions.source, rollup_sessions.medium, rollup_sessions.campaign,
      rollup_sessions.click_id_type, rollup_sessions.referrer_host`).all(site, range.start, range.end) as SessionGroup[]
}

/** Sessions and conversions per slot of a slot-aligned range, as `SqliteReports.scanActivity` counts them. */
export function rollupActivity(db: Database.Database, site: string, range: TimeRange, conversion: string | null): Activity {
  const sessions = db.prepare(`SELECT slot, SUM(n) AS n FROM rollup_sessions WHERE site = ? AND slot >= ? AND slot < ?
    GROUP BY slot ORDER BY slot`).all(site, range.start, range.end) as Activity['sessions']
  const conversions = db.prepare(`SELECT slot, ${dec('currency')}, SUM(n) AS n, SUM(micros) AS micros FROM rollup_events
    WHERE site = ? AND type = 'conversion' AND slot >= ? AND slot < ? ${conversion === null ? '' : 'AND name = ?'}
    GROUP BY slot, rollup_events.currency ORDER BY slot, rollup_events.currency`)
    .all(site, range.start, range.end, ...(conversion === null ? [] : [conversion])) as Activity['conversions']
  return { sessions, conversions }
}
