/**
 * The report benchmarks' data: N events with their sessions written straight into a
 * SQLite store file (as derivation would leave them), deterministic (seeded PRNG): ~10
 * events per visitor over 30 days, 1–3 sessions each, a GA4-like channel mix, a 3-step
 * shop funnel, 4% buyers, an A/B test, and a month of spend.
 */
import Database from 'better-sqlite3'
import { migrate } from '../../collector/src/store/sqlite.ts'
import { SQLITE_CONSENT_ROLLUP_BACKFILL, SQLITE_ROLLUP_BACKFILL } from '../../collector/src/store/sqlite-rollup-schema.ts'
import { SQLITE_CREDIT_MARK_ALL } from '../../collector/src/store/sqlite-credit-schema.ts'
import { SQLITE_EVENT_CHUNKS_MARK_ALL, SQLITE_FUNNEL_MARK_ALL, SQLITE_SESSION_CHUNKS_MARK_ALL } from '../../collector/src/store/sqlite-funnel-schema.ts'
import { SqliteFunnelChunks } from '../../collector/src/store/sqlite-funnel-chunks.ts'
import { SqliteCreditRollup } from '../../collector/src/store/sqlite-credit.ts'
import { creditSlot } from '../../collector/src/derive/credit-slots.ts'
import { SQLITE_EXPERIMENT_MARK_ALL } from '../../collector/src/store/sqlite-experiment-schema.ts'
import { SqliteExperimentRollup } from '../../collector/src/store/sqlite-experiment.ts'
import { exposureRows } from '../../collector/src/derive/exposure-rows.ts'
import { prng } from '../../demo-site/seeded-random.ts'
import { BENCH_BUDGETS } from './cases.ts'
import { scopeColumns } from '../../collector/src/store/budget-rows.ts'

const DAY = 86_400_000
export const BENCH_START = Date.UTC(2026, 9, 1)
export const BENCH_DAYS = 30
const START = BENCH_START
const DAYS = BENCH_DAYS

let rnd = prng(42)
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]

type Touch = [channel: string, source: string | null, medium: string | null, campaign: string | null, clickIdType: string | null, referrerHost: string | null]
const TOUCHES: readonly Touch[] = [
  ['Direct', null, null, null, null, null],
  ['Direct', null, null, null, null, null],
  ['Direct', null, null, null, null, null],
  ['Paid Search', 'google', 'cpc', 'brand', 'gclid', 'www.google.com'],
  ['Paid Search', 'google', 'cpc', 'generic', 'gclid', 'www.google.com'],
  ['Paid Search', 'bing', 'cpc', 'brand', 'msclkid', 'www.bing.com'],
  ['Paid Social', 'facebook', 'paid_social', 'retarget', 'fbclid', null],
  ['Paid Social', 'facebook', 'paid_social', 'prospecting', 'fbclid', null],
  ['Organic Search', null, null, null, null, 'www.google.com'],
  ['Organic Search', null, null, null, null, 'www.google.com'],
  ['Organic Social', null, null, null, null, 'www.linkedin.com'],
  ['Email', 'newsletter', 'email', 'weekly', null, null],
  ['Referral', null, null, null, null, 'news.ycombinator.com'],
  ['Display', 'google', 'display', 'remarketing', null, null],
]
const PATHS = ['/', '/', '/blog/a', '/blog/b', '/about', '/features', '/pricing']
const DEVICES = ['desktop', 'mobile', 'tablet']
const BROWSERS = ['Chrome', 'Safari', 'Firefox', 'Edge']
const COUNTRIES = ['DE', 'US', 'FR', 'GB', 'NL']

/**
 * Writes `N` events into a new store file at `file`.
 *
 * @example
 * generateBenchDb('/tmp/bench.db', 1_000_000) // { events: 1000000, sessions: … }
 */
export function generateBenchDb(file: string, N: number): { events: number; sessions: number } {
  rnd = prng(42)
  const db = new Database(file)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = OFF')
  migrate(db)
  // Indexes are built after the rows are in: a sort per index instead of millions of
  // B-tree inserts (10M events: minutes instead of most of an hour).
  const indexes = db.prepare(`SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('events', 'sessions') AND sql IS NOT NULL`).pluck().all() as string[]
  for (const sql of indexes) db.exec(`DROP INDEX ${/INDEX\s+(\S+)/i.exec(sql)![1]}`)
  // Likewise the rollups: filled once at the end by the migration's backfill, not by a trigger per row.
  const triggers = db.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ('events', 'sessions')`).all() as { name: string; sql: string }[]
  for (const t of triggers) db.exec(`DROP TRIGGER ${t.name}`)
  db.prepare(`INSERT INTO sites (id, origins, secret_hash, currency, timezone, created) VALUES ('bench', '[]', 'x', 'EUR', 'UTC', 0)`).run()
  const ev = db.prepare(`INSERT INTO events (site, id, type, name, ts, received, visitor, session_id, path, source, medium,
    campaign, click_id_type, referrer_host, channel, device, browser, country, value, currency, order_id, props, consent, origin)
    VALUES ('bench', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 3, 'browser')`)
  const se = db.prepare(`INSERT INTO sessions (site, id, visitor, started, last_ts, source, medium, campaign, click_id_type,
    referrer_host, channel, landing_path, device, browser, country, consent, events, pageviews)
    VALUES ('bench', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 3, ?, ?)`)
  let events = 0
  let sessions = 0
  let visitorNo = 0
  let order = 0
  const batch = db.transaction((visitors: number) => {
    for (let v = 0; v < visitors && events < N; v++) {
      const visitor = `v${(visitorNo++).toString(36)}`
      const device = pick(DEVICES)
      const browser = pick(BROWSERS)
      const country = pick(COUNTRIES)
      const variant = rnd() < 0.5 ? 'control' : 'b'
      let exposed = false
      let t = START + Math.floor(rnd() * (DAYS - 3) * DAY)
      const nSessions = 1 + Math.floor(rnd() * 3)
      for (let s = 0; s < nSessions && events < N; s++) {
        const touch = pick(TOUCHES)
        const sid = `${visitor}-${s}`
        const started = t
        const nEvents = 2 + Math.floor(rnd() * 5)
        let pageviews = 0
        for (let e = 0; e < nEvents && events < N; e++) {
          const r = rnd()
          let type = 'pageview'
          let name = 'pageview'
          let path: string | null = e === 0 ? pick(PATHS) : pick([...PATHS, '/pricing', '/signup'])
          let value: number | null = null
          let currency: string | null = null
          let orderId: string | null = null
          let props: string | null = null
          if (e > 0 && r < 0.12) { type = 'event'; name = 'signup'; path = null; props = JSON.stringify({ plan: rnd() < 0.3 ? 'pro' : 'basic' }) }
          else if (e > 0 && r < 0.16) { type = 'conversion'; name = 'purchase'; path = null; value = 20 + Math.floor(rnd() * 200); currency = 'EUR'; orderId = `o${order++}` }
          else if (!exposed && r > 0.9) { type = 'exposure'; name = 'checkout'; path = null; props = JSON.stringify({ variant }); exposed = true }
          if (type === 'pageview') pageviews++
          const first = e === 0
          ev.run(`${t.toString(16)}-${events.toString(16)}`, type, name, t, t, visitor, sid, path,
            first ? touch[1] : null, first ? touch[2] : null, first ? touch[3] : null, first ? touch[4] : null, first ? touch[5] : null,
            first ? touch[0] : 'Direct', device, browser, country, value, currency, orderId, props)
          events++
          t += 5_000 + Math.floor(rnd() * 120_000)
        }
        se.run(sid, visitor, started, t, touch[1], touch[2], touch[3], touch[4], touch[5], touch[0], '/', device, browser, country, nEvents, pageviews)
        sessions++
        t += DAY / 4 + Math.floor(rnd() * 3 * DAY)
      }
    }
  })
  while (events < N) batch(5000)
  const spend = db.prepare(`INSERT INTO spend (site, date, source, medium, campaign, cost, impressions, clicks, currency)
    VALUES ('bench', ?, ?, ?, ?, ?, ?, ?, 'EUR')`)
  db.transaction(() => {
    for (let d = 0; d < DAYS; d++) {
      const date = new Date(START + d * DAY).toISOString().slice(0, 10)
      for (const [, source, medium, campaign] of TOUCHES) {
        if (source && medium && campaign) spend.run(date, source, medium, campaign, 50 + rnd() * 100, 10_000, 300)
      }
    }
  })()
  // October's budgets, for pacing.
  const budget = db.prepare(`INSERT INTO budgets (site, month, channel, source, medium, campaign, amount, currency, target_cpa, target_roas)
    VALUES ('bench', ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
  for (const b of BENCH_BUDGETS) budget.run(b.month, ...scopeColumns(b), b.amount, b.currency, b.targetCpa, b.targetRoas)
  for (const sql of indexes) db.exec(sql)
  // Rows written here bypass derivation, which keeps the longest session per site.
  db.exec('INSERT OR REPLACE INTO session_span (site, max_ms) SELECT site, MAX(last_ts - started) FROM sessions GROUP BY site')
  db.exec(SQLITE_ROLLUP_BACKFILL)
  db.exec(SQLITE_CONSENT_ROLLUP_BACKFILL)
  for (const t of triggers) db.exec(t.sql)
  // The credit and experiment rollups, as derivation would have kept them.
  db.exec(SQLITE_CREDIT_MARK_ALL)
  const credit = new SqliteCreditRollup(db)
  while (credit.refresh(10_000, creditSlot) > 0);
  db.exec(SQLITE_EXPERIMENT_MARK_ALL)
  const exposures = new SqliteExperimentRollup(db)
  while (exposures.refresh(10_000, exposureRows) > 0);
  db.exec(SQLITE_FUNNEL_MARK_ALL)
  db.exec(SQLITE_SESSION_CHUNKS_MARK_ALL)
  db.exec(SQLITE_EVENT_CHUNKS_MARK_ALL)
  const chunks = new SqliteFunnelChunks(db)
  while (chunks.refresh(2_000_000, 0) > 0);
  db.exec('ANALYZE')
  db.close()
  return { events, sessions }
}

