/**
 * SQLite and PostgreSQL must give the same numbers. The same history (the demo seed plus
 * a few awkward cases: fractional amounts, ties in time, a bot, a conversion without a
 * visitor) goes through the real HTTP app into each store, and every report the service
 * makes is compared whole. Both stores get the same daily salt first, so anonymous
 * visitors hash to the same ids and rows reach the maths in the same order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeTestApp, TestClock, type TestApp } from '../helpers/app.ts'
import { derived, openTestPostgres, probePostgres } from '../helpers/postgres.ts'
import { seedDemo } from '../../demo-site/seed-run.ts'
import { SEED_ORIGIN } from '../../demo-site/seed-data.ts'
import {
  createReports, parseAttributionQuery, parseChannelsQuery, parseExperimentQuery, parseFunnelQuery, parseSummaryQuery,
} from '../../collector/src/reports/service.ts'
import { parseTimeseriesQuery, timeseries } from '../../collector/src/reports/timeseries-service.ts'
import type { PostgresStore } from '../../collector/src/store/postgres.ts'
import type { SqliteStore } from '../../collector/src/store/sqlite.ts'
import type { Store } from '../../collector/src/store/types.ts'
import type { Site } from '../../collector/src/model.ts'

const noPostgres = await probePostgres()
if (noPostgres) console.warn(`Skipping the SQLite/PostgreSQL report parity test: ${noPostgres}`)

const NOW = Date.parse('2026-11-25T12:00:00Z')
const TODAY = '2026-11-25'
const SALT = 'ab'.repeat(32)
const RANGE = 'from=2026-10-29&to=2026-11-25'

/** Awkward cases the seed does not make. */
function extraEvents(): unknown[] {
  const at = (iso: string) => `2026-11-${iso}Z`
  const id = (n: number) => `0193a000-0000-7000-8000-${n.toString(16).padStart(12, '0')}`
  const ev: unknown[] = []
  const amounts = [0.1, 0.2, 19.99, 49.9, 0.3, 1234.56, 7.77]
  amounts.forEach((value, i) => {
    const visitorId = `frac-${i}`
    const source = i % 2 ? 'google' : 'bing'
    ev.push({ id: id(100 + i), type: 'pageview', name: 'pageview', ts: at(`1${i}T10:00:00`), visitorId, url: `${SEED_ORIGIN}/pricing?utm_source=${source}&utm_medium=cpc&utm_campaign=frac` })
    // A tie: the signup step and a click at the very same millisecond.
    ev.push({ id: id(200 + i), type: 'event', name: 'plan_select', ts: at(`1${i}T10:01:00`), visitorId, props: { plan: 'pro' } })
    ev.push({ id: id(300 + i), type: 'event', name: 'cta_click', ts: at(`1${i}T10:01:00`), visitorId })
    ev.push({ id: id(400 + i), type: 'pageview', name: 'pageview', ts: at(`1${i}T11:00:00`), visitorId, url: `${SEED_ORIGIN}/?utm_source=newsletter&utm_medium=email&utm_campaign=frac` })
    ev.push({ id: id(500 + i), type: 'conversion', name: 'purchase', ts: at(`1${i}T11:05:00`), visitorId, value, currency: i % 3 ? 'USD' : 'EUR', orderId: `FRAC-${i}` })
  })
  ev.push({ id: id(600), type: 'pageview', name: 'pageview', ts: at('20T09:00:00'), visitorId: 'bot-1', url: `${SEED_ORIGIN}/pricing`, userAgent: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)' })
  ev.push({ id: id(601), type: 'conversion', name: 'purchase', ts: at('21T09:00:00'), value: 12.5, currency: 'EUR', orderId: 'OFFLINE-1' })
  return ev
}

async function load(t: TestApp<Store>): Promise<void> {
  const { secret } = await t.createSite('demo', { origins: [SEED_ORIGIN], currency: 'EUR', timezone: 'Europe/Berlin' })
  const r = await seedDemo({ app: t.app, site: 'demo', secret, adminToken: t.adminToken, now: NOW, days: 28, visitorsPerDay: 40 })
  expect(r.accepted).toBeGreaterThan(1000)
  const extra = await t.sendServerEvents(secret, extraEvents())
  expect(extra.body.rejected).toEqual([])
}

/** Every report, keyed by a label, from one store. */
async function allReports(store: Store): Promise<Record<string, unknown>> {
  const reports = createReports(store.reports)
  const site = (await store.getSite('demo')) as Site
  const p = (q: string) => new URLSearchParams(`${RANGE}&${q}`)
  const out: Record<string, unknown> = {}
  out.summary = await reports.summary(site, parseSummaryQuery(p(''), TODAY))
  out.summaryWeek = await reports.summary(site, parseSummaryQuery(new URLSearchParams('from=2026-11-10&to=2026-11-16'), TODAY))
  const funnel = 'step=pageview:/pricing&step=event:plan_select&step=conversion:lead&step=conversion:purchase'
  for (const extra of ['', 'mode=strict', 'unit=session', 'breakdown=channel', 'breakdown=campaign', 'breakdown=device',
    'breakdown=experiment:checkout_button', 'window=1h&mode=strict&unit=session&breakdown=source',
    'mode=strict&breakdown=experiment:checkout_button']) {
    out[`funnel ${extra}`] = await reports.funnel(site, parseFunnelQuery(p(`${funnel}&${extra}`), TODAY))
  }
  out['funnel props'] = await reports.funnel(site, parseFunnelQuery(p('step=pageview:/*&step=event:plan_select?plan=pro&step=conversion:purchase?plan=pro'), TODAY))
  out['funnel glob'] = await reports.funnel(site, parseFunnelQuery(p('step=pageview:/app/**&step=pageview:/pricing&step=event:cta_click'), TODAY))
  for (const model of ['first', 'last_non_direct', 'linear', 'position', 'time_decay', 'data_driven']) {
    out[`channels ${model}`] = await reports.channels(site, parseChannelsQuery(p(`model=${model}`), TODAY))
    out[`campaigns ${model}`] = await reports.campaigns(site, parseChannelsQuery(p(`model=${model}&conversion=purchase`), TODAY))
    for (const dimension of ['channel', 'source', 'medium', 'campaign']) {
      out[`attribution ${model} ${dimension}`] = await reports.attribution(site, parseAttributionQuery(p(`model=${model}&dimension=${dimension}&conversion=purchase`), TODAY))
    }
    out[`attribution ${model} lead 7d`] = await reports.attribution(site, parseAttributionQuery(p(`model=${model}&conversion=lead&lookback=7d`), TODAY))
  }
  out.trends = await timeseries(store.reports, site, parseTimeseriesQuery(p('conversion=purchase'), TODAY))
  out['trends hourly'] = await timeseries(store.reports, site, parseTimeseriesQuery(new URLSearchParams('from=2026-11-20&to=2026-11-21'), TODAY))
  out.experiment = await reports.experiment(site, 'checkout_button', parseExperimentQuery(p('conversion=purchase'), TODAY))
  out['funnel breakdown=landing'] = await reports.funnel(site, parseFunnelQuery(p(`${funnel}&mode=strict&breakdown=landing`), TODAY))
  out['funnel breakdown=visitor'] = await reports.funnel(site, parseFunnelQuery(p(`${funnel}&unit=session&breakdown=visitor`), TODAY))
  // Segments (issue 11): each store's SQL for the same filters.
  for (const seg of ['device=mobile&channel=Paid%20Search', 'source=google', 'medium=referral&visitor=returning', 'variant=checkout_button:green', 'landing=/pricing&visitor=new']) {
    const s = (q: string) => p(`${q}&${seg}`)
    out[`${seg} summary`] = await reports.summary(site, parseSummaryQuery(s(''), TODAY))
    out[`${seg} funnel`] = await reports.funnel(site, parseFunnelQuery(s(funnel), TODAY))
    out[`${seg} funnel strict`] = await reports.funnel(site, parseFunnelQuery(s(`${funnel}&mode=strict&breakdown=channel`), TODAY))
    out[`${seg} channels`] = await reports.channels(site, parseChannelsQuery(s('model=linear'), TODAY))
    out[`${seg} campaigns`] = await reports.campaigns(site, parseChannelsQuery(s('model=first&conversion=purchase'), TODAY))
    out[`${seg} attribution`] = await reports.attribution(site, parseAttributionQuery(s('model=data_driven&dimension=campaign'), TODAY))
    out[`${seg} experiment`] = await reports.experiment(site, 'checkout_button', parseExperimentQuery(s('conversion=purchase'), TODAY))
    out[`${seg} trends`] = await timeseries(store.reports, site, parseTimeseriesQuery(s('conversion=purchase'), TODAY))
  }
  out['experiment any'] = await reports.experiment(site, 'checkout_button', parseExperimentQuery(new URLSearchParams('from=2026-11-10&to=2026-11-20'), TODAY))
  return out
}

describe.skipIf(noPostgres !== null)('SQLite and PostgreSQL report parity', () => {
  let sqlite: TestApp<SqliteStore>
  let postgres: TestApp<PostgresStore>
  let dropPostgres: () => Promise<void>

  beforeAll(async () => {
    const clock = new TestClock(NOW)
    const pg = await openTestPostgres()
    dropPostgres = pg.drop
    sqlite = await makeTestApp({ clock })
    postgres = await makeTestApp({ clock, store: pg.store })
    const day = TODAY
    sqlite.store.db.prepare('INSERT INTO salts (day, salt, created) VALUES (?, ?, ?)').run(day, SALT, NOW)
    await postgres.store.pool.query('INSERT INTO salts (day, salt, created) VALUES ($1, $2, $3)', [day, SALT, NOW])
    await Promise.all([load(sqlite), load(postgres)])
    // Reports below read the stores directly: let derivation catch up first.
    await Promise.all([derived(sqlite.store), derived(postgres.store)])
    // A live database has statistics (autovacuum analyzes it); without them the planner
    // takes every table for one row and picks nested loops that make scans crawl.
    await postgres.store.pool.query('ANALYZE events, sessions, spend')
  }, 120_000)

  afterAll(async () => {
    await sqlite?.close()
    // The app's close() closes the PostgreSQL store; drop() then removes its schema.
    await postgres?.close()
    await dropPostgres?.()
  })

  it('gives identical summary, funnel, channels, campaigns, attribution and experiment reports', async () => {
    const [a, b] = [await allReports(sqlite.store), await allReports(postgres.store)]
    expect(Object.keys(b)).toEqual(Object.keys(a))
    for (const key of Object.keys(a)) expect(b[key], key).toEqual(a[key])
    // The comparison means something only if the reports are not empty.
    expect(a.summary).toMatchObject({ conversions: expect.any(Number) })
    expect((a.summary as { conversions: number }).conversions).toBeGreaterThan(50)
    expect(((a['attribution time_decay channel'] as { rows: unknown[] }).rows).length).toBeGreaterThan(3)
    expect(((a['attribution data_driven channel'] as { rows: unknown[] }).rows).length).toBeGreaterThan(3)
    const segmented = a['device=mobile&channel=Paid%20Search summary'] as { sessions: number }
    expect(segmented.sessions).toBeGreaterThan(0)
    expect(segmented.sessions).toBeLessThan((a.summary as { sessions: number }).sessions)
  })

  it('stores the same events, sessions and quarantine rows', async () => {
    const counts = sqlite.store.db.prepare(`SELECT (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM sessions) AS sessions,
      (SELECT count(*) FROM events WHERE session_id IS NULL) AS sessionless, (SELECT count(*) FROM quarantine) AS quarantined`).get()
    const pgCounts = (await postgres.store.pool.query(`SELECT (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM sessions) AS sessions,
      (SELECT count(*) FROM events WHERE session_id IS NULL) AS sessionless, (SELECT count(*) FROM quarantine) AS quarantined`)).rows[0]
    expect(pgCounts).toEqual(counts)
  })
})
