/**
 * PostgreSQL benchmark, beside SQLite on the same machine and the same data.
 *
 *   npx tsx test/bench/postgres.ts ingest [events]            group-committed inserts, both stores
 *   npx tsx test/bench/postgres.ts reports --db bench.db      reports on a copy of a SQLite bench file
 *
 * `reports` copies the file that `test/bench/reports.ts N --keep` made into a fresh
 * PostgreSQL schema (rows in rowid order, so arrival order is the same), times every
 * report on both stores and checks that both give the same answers. The database is
 * TEST_DATABASE_URL or the local test server; the schema is dropped at the end.
 */
import Database from 'better-sqlite3'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isDeepStrictEqual } from 'node:util'
import { PostgresStore } from '../../collector/src/store/postgres.ts'
import { creditSlot } from '../../collector/src/derive/credit-slots.ts'
import { exposureRows } from '../../collector/src/derive/exposure-rows.ts'
import { SqliteStore } from '../../collector/src/store/sqlite.ts'
import { createReports } from '../../collector/src/reports/service.ts'
import {
  parseAttributionQuery, parseCampaignsQuery, parseChannelsQuery, parseExperimentQuery, parseFunnelQuery, parseSummaryQuery,
} from '../../collector/src/reports/query.ts'
import { uuidv7 } from '../../collector/src/ingest/uuid.ts'
import type { Store } from '../../collector/src/store/types.ts'
import type { EnrichedEvent, Site } from '../../collector/src/model.ts'
import { dropSchema, TEST_PG_URL, testSchema } from '../helpers/postgres.ts'

const mode = process.argv[2]
const arg = (flag: string) => (process.argv.includes(flag) ? process.argv[process.argv.indexOf(flag) + 1] : null)

function event(i: number, ts: number): EnrichedEvent {
  return {
    id: uuidv7(ts), type: i % 5 === 4 ? 'event' : 'pageview', name: i % 5 === 4 ? 'cta_click' : 'pageview', ts, received: ts,
    visitor: `v${i % 5000}`, userId: null, path: '/pricing', url: 'https://shop.example/pricing', referrer: null, title: 'Pricing',
    touch: { source: null, medium: null, campaign: null, term: null, content: null, utmId: null, clickIdType: null, clickId: null, referrerHost: null },
    channel: 'Direct', device: 'desktop', browser: 'Chrome', country: 'DE', lang: 'de', screen: 1440, value: null, currency: null,
    orderId: null, props: i % 5 === 4 ? { plan: 'pro' } : null, consent: 3, bot: false, origin: 'browser',
  }
}

/** `calls` concurrent insertEvents calls of `size` events each; events/s and p99 latency per call. */
async function ingestRun(store: Store, calls: number, size: number, t0: number): Promise<string> {
  const lat: number[] = []
  const start = performance.now()
  await Promise.all(Array.from({ length: calls }, async (_, c) => {
    const batch = Array.from({ length: size }, (_, j) => event(c * size + j, t0 + c * size + j))
    const s = performance.now()
    await store.insertEvents('bench', batch)
    lat.push(performance.now() - s)
  }))
  const secs = (performance.now() - start) / 1000
  lat.sort((a, b) => a - b)
  return `${Math.round((calls * size) / secs).toLocaleString('en').padStart(8)} events/s, p99 ${lat[Math.floor(lat.length * 0.99)].toFixed(0)} ms per call`
}

async function ingest(n: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'funnelbeam-pgbench-'))
  const schema = testSchema()
  const stores: [string, Store][] = [
    ['SQLite', new SqliteStore(join(dir, 'bench.db'))],
    ['PostgreSQL', await PostgresStore.open(TEST_PG_URL, { schema })],
  ]
  try {
    for (const [name, store] of stores) {
      let t0 = Date.parse('2026-11-01T00:00:00Z')
      for (const [calls, size] of [[n / 100, 100], [n / 10, 10], [Math.min(n, 20_000), 1]]) {
        console.log(`${name.padEnd(11)} ${String(calls).padStart(6)} concurrent calls × ${String(size).padStart(3)} events: ${await ingestRun(store, calls, size, t0)}`)
        t0 += n * 1000
      }
    }
  } finally {
    for (const [, s] of stores) await s.close()
    rmSync(dir, { recursive: true, force: true })
    await dropSchema(schema)
  }
}

const EVENT_COLS = ['site', 'id', 'type', 'name', 'ts', 'received', 'visitor', 'session_id', 'path', 'url', 'referrer', 'title',
  'source', 'medium', 'campaign', 'term', 'content', 'utm_id', 'click_id_type', 'click_id', 'referrer_host', 'channel', 'device',
  'browser', 'country', 'lang', 'screen', 'value', 'currency', 'order_id', 'props', 'consent', 'bot', 'origin']
const EVENT_TYPES: Record<string, string> = { ts: 'bigint', received: 'bigint', screen: 'int', value: 'float8', consent: 'int', bot: 'bool' }
const SESSION_COLS = ['site', 'id', 'visitor', 'started', 'last_ts', 'campaign_key', 'source', 'medium', 'campaign', 'term', 'content',
  'click_id_type', 'referrer_host', 'channel', 'landing_path', 'device', 'browser', 'country', 'consent', 'bot', 'events', 'pageviews']
const SESSION_TYPES: Record<string, string> = { started: 'bigint', last_ts: 'bigint', consent: 'int', bot: 'bool', events: 'int', pageviews: 'int' }
const SPEND_COLS = ['site', 'date', 'source', 'medium', 'campaign', 'cost', 'impressions', 'clicks', 'currency']
const SPEND_TYPES: Record<string, string> = { cost: 'float8', impressions: 'bigint', clicks: 'bigint' }

/** Copies one SQLite table into PostgreSQL in rowid order, 10,000 rows a statement. */
async function copyTable(lite: Database.Database, pg: PostgresStore, table: string, cols: string[], types: Record<string, string>): Promise<number> {
  const select = cols.join(', ')
  const cast = (c: string) => (c === 'props' ? 'props::jsonb' : c)
  const sql = `INSERT INTO ${table} (${cols.join(', ')}) SELECT ${cols.map(cast).join(', ')}
    FROM unnest(${cols.map((c, i) => `$${i + 1}::${types[c] ?? 'text'}[]`).join(', ')}) AS u(${cols.join(', ')})`
  let rows = 0
  let buf: unknown[][] = []
  const flush = async () => {
    if (!buf.length) return
    await pg.pool.query(sql, cols.map((_, i) => buf.map((r) => r[i])))
    rows += buf.length
    buf = []
  }
  for (const r of lite.prepare(`SELECT ${select} FROM ${table} ORDER BY rowid`).raw(true).iterate() as IterableIterator<unknown[]>) {
    buf.push(r.map((v, i) => (cols[i] === 'bot' ? v === 1 : v)))
    if (buf.length === 10_000) await flush()
  }
  await flush()
  return rows
}

async function time<T>(label: string, f: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const runs: number[] = []
  let result!: T
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now()
    result = await f()
    runs.push(performance.now() - t0)
  }
  runs.sort((a, b) => a - b)
  return { ms: runs[1], result }
}

async function reports(file: string): Promise<void> {
  const schema = testSchema()
  const pg = await PostgresStore.open(TEST_PG_URL, { schema })
  const lite = new SqliteStore(file)
  try {
    let t0 = performance.now()
    const ro = new Database(file, { readonly: true })
    await pg.createSite({ id: 'bench', origins: [], secretHash: 'x', currency: 'EUR', timezone: 'UTC', created: 0 })
    const events = await copyTable(ro, pg, 'events', EVENT_COLS, EVENT_TYPES)
    const sessions = await copyTable(ro, pg, 'sessions', SESSION_COLS, SESSION_TYPES)
    await copyTable(ro, pg, 'spend', SPEND_COLS, SPEND_TYPES)
    ro.close()
    console.log(`copied ${events.toLocaleString('en')} events, ${sessions.toLocaleString('en')} sessions in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
    t0 = performance.now()
    // What autovacuum would have done on a live database: statistics, and a visibility map for index-only scans.
    await pg.pool.query('VACUUM (ANALYZE) events, sessions, spend')
    console.log(`VACUUM ANALYZE ${((performance.now() - t0) / 1000).toFixed(1)} s`)
    // The copy's triggers noted every conversion and exposed visitor; derivation works them out, here all at once.
    t0 = performance.now()
    while ((await pg.refreshCredit(5000, creditSlot)) > 0);
    while ((await pg.refreshExposures(5000, exposureRows)) > 0);
    await pg.pool.query('VACUUM (ANALYZE) rollup_credit, exposure_first, exposure_converted')
    console.log(`credit and experiment rollups worked out in ${((performance.now() - t0) / 1000).toFixed(1)} s`)

    const site: Site = { id: 'bench', origins: [], secretHash: 'x', currency: 'EUR', timezone: 'UTC', created: 0 }
    const p = (s: string) => new URLSearchParams(`from=2026-10-01&to=2026-10-30&${s}`)
    const today = '2026-10-30'
    const cases: [string, (r: ReturnType<typeof createReports>) => Promise<unknown>][] = [
      ['funnel 3 steps, ordered, visitor', (r) => r.funnel(site, parseFunnelQuery(p('step=pageview:/pricing&step=event:signup&step=conversion:purchase'), today))],
      ['funnel 3 steps, strict, visitor', (r) => r.funnel(site, parseFunnelQuery(p('step=pageview:/pricing&step=event:signup&step=conversion:purchase&mode=strict'), today))],
      ['funnel 3 steps, ordered, session', (r) => r.funnel(site, parseFunnelQuery(p('step=pageview:/pricing&step=event:signup&step=conversion:purchase&unit=session'), today))],
      ['funnel glob + props, breakdown=channel', (r) => r.funnel(site, parseFunnelQuery(p('step=pageview:/blog/*&step=event:signup%3Fplan%3Dpro&step=conversion:purchase&breakdown=channel'), today))],
      ['funnel breakdown=experiment:checkout', (r) => r.funnel(site, parseFunnelQuery(p('step=pageview:/pricing&step=conversion:purchase&breakdown=experiment:checkout'), today))],
      ['attribution last_non_direct, channel', (r) => r.attribution(site, parseAttributionQuery(p('conversion=purchase'), today))],
      ['attribution time_decay, campaign', (r) => r.attribution(site, parseAttributionQuery(p('conversion=purchase&model=time_decay&dimension=campaign'), today))],
      ['campaigns (last_non_direct) + spend', (r) => r.campaigns(site, parseCampaignsQuery(p(''), today))],
      ['channels (linear) + spend', (r) => r.channels(site, parseChannelsQuery(p('model=linear'), today))],
      ['summary', (r) => r.summary(site, parseSummaryQuery(p(''), today))],
      ['experiment checkout', (r) => r.experiment(site, 'checkout', parseExperimentQuery(p('conversion=purchase'), today))],
    ]
    const [rl, rp] = [createReports(lite.reports), createReports(pg.reports)]
    console.log(`${'report'.padEnd(40)} ${'SQLite'.padStart(9)} ${'PostgreSQL'.padStart(11)}  same answer`)
    for (const [label, run] of cases) {
      const a = await time(label, () => run(rl))
      const b = await time(label, () => run(rp))
      console.log(`${label.padEnd(40)} ${a.ms.toFixed(0).padStart(6)} ms ${b.ms.toFixed(0).padStart(8)} ms  ${isDeepStrictEqual(a.result, b.result) ? 'yes' : 'NO'}`)
    }
  } finally {
    await lite.close()
    await pg.close()
    await dropSchema(schema)
  }
}

if (mode === 'ingest') await ingest(Number(process.argv[3] ?? 20_000))
else if (mode === 'reports' && arg('--db')) await reports(arg('--db')!)
else console.error('usage: npx tsx test/bench/postgres.ts ingest [events] | reports --db <file from test/bench/reports.ts N --keep>')
