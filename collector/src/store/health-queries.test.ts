import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeTestApp, signIn, TestClock, type TestApp } from '../../../test/helpers/app.ts'
import { openTestPostgres, probePostgres } from '../../../test/helpers/postgres.ts'
import { createApp } from '../app.ts'
import { Deriver } from '../derive/deriver.ts'
import { createSite } from '../routes/sites.ts'
import type { Store } from './types.ts'
import type { HealthQueries } from './health-types.ts'
import { sqliteHealth } from './sqlite-health.ts'
import { postgresHealth } from './postgres-health.ts'
import type { PostgresStore } from './postgres.ts'

const NOW = Date.parse('2026-11-24T12:30:00Z')
const clock = new TestClock(NOW)

/** Five events through the real server API: consents 3, 3, 1, 0 today and one four days ago. */
async function seed(app: { request: TestApp['app']['request'] }, secret: string, store: Store) {
  const ev = (ts: string, extra: object) => ({ type: 'pageview', name: 'pageview', ts, url: 'https://shop.example/pricing', ip: '198.51.100.7', userAgent: 'Mozilla/5.0 (Windows NT 10.0) Chrome/130', ...extra })
  const res = await app.request('/api/events', {
    method: 'POST', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
    body: JSON.stringify({ events: [
      ev('2026-11-24T12:05:00Z', { visitorId: 'a', consent: { analytics: true, ads: true } }),
      ev('2026-11-24T12:10:00Z', { visitorId: 'a', consent: { analytics: true, ads: true }, type: 'conversion', name: 'purchase' }),
      ev('2026-11-24T09:00:00Z', { visitorId: 'b', consent: { analytics: true, ads: false }, type: 'exposure', name: 'hero', props: { variant: 'x' } }),
      ev('2026-11-24T09:30:00Z', { consent: { analytics: false, ads: false } }),
      ev('2026-11-20T09:30:00Z', { visitorId: 'old', consent: { analytics: true, ads: true } }),
    ] }),
  })
  expect((await res.json()).accepted).toBe(5)
  // Health reads derived events: let derivation catch up, as the dashboard does.
  await new Deriver(store, { log: () => {} }).settle()
}

function contract(name: string, open: () => Promise<{ q: HealthQueries; close(): Promise<void> }>) {
  describe(`tracking-health queries on ${name}`, () => {
    let h: { q: HealthQueries; close(): Promise<void> }
    beforeAll(async () => { h = await open() })
    afterAll(async () => { await h?.close() })

    it('counts events per hour over the last 24 hours, with empty hours as zero', async () => {
      const hours = await h.q.eventsPerHour('shop', NOW)
      expect(hours).toHaveLength(24)
      expect(hours[23]).toEqual({ hour: Date.parse('2026-11-24T12:00:00Z'), events: 2 })
      expect(hours[20]).toEqual({ hour: Date.parse('2026-11-24T09:00:00Z'), events: 2 })
      expect(hours.reduce((s, x) => s + x.events, 0)).toBe(4)
    })

    it('counts visitors per consent state', async () => {
      expect(await h.q.consentShares('shop', NOW - 86_400_000)).toEqual([{ consent: 3, visitors: 1 }, { consent: 1, visitors: 1 }, { consent: 0, visitors: 1 }])
    })

    it('lists experiments, conversions and top paths, and when the last event arrived', async () => {
      expect(await h.q.eventNames('shop', 0)).toEqual({ experiments: ['hero'], conversions: ['purchase'], events: [], paths: ['/pricing'] })
      // A name last seen before `since` is not offered.
      expect(await h.q.eventNames('shop', Date.parse('2026-11-24T10:00:00Z'))).toEqual({ experiments: [], conversions: ['purchase'], events: [], paths: ['/pricing'] })
      expect(await h.q.lastReceived('shop')).toBe(NOW)
      expect(await h.q.lastReceived('nosuchsite')).toBeNull()
    })
  })
}

contract('SQLite', async () => {
  const t = await makeTestApp({ clock })
  const { secret } = await t.createSite('shop')
  await seed(t.app, secret, t.store)
  return { q: sqliteHealth(t.store.db), close: () => t.close() }
})

describe('the SQLite catalog once the funnel chunks are built', () => {
  it('suggests the busiest paths of the latest built week from the chunks, without reading events', async () => {
    const t = await makeTestApp({ clock })
    try {
      const { secret } = await t.createSite('shop')
      const pv = (path: string, ts: string) => ({ type: 'pageview', name: 'pageview', ts, url: `https://shop.example${path}`, visitorId: `v-${path}-${ts}`, consent: { analytics: true } })
      const res = await t.app.request('/api/events', {
        method: 'POST', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
        body: JSON.stringify({ events: [
          pv('/a', '2026-11-23T10:00:00Z'), pv('/b', '2026-11-23T10:00:00Z'), pv('/b', '2026-11-24T10:00:00Z'),
          // Nine days before the latest built day: outside its week.
          pv('/old', '2026-11-14T10:00:00Z'), pv('/old', '2026-11-14T11:00:00Z'), pv('/old', '2026-11-14T12:00:00Z'),
        ] }),
      })
      expect((await res.json()).accepted).toBe(6)
      await new Deriver(t.store, { log: () => {} }).settle()
      const q = sqliteHealth(t.store.db)
      // Not built yet: the latest pageviews answer, the old ones first by count.
      expect((await q.eventNames('shop', 0)).paths).toEqual(['/old', '/b', '/a'])
      while ((await t.store.refreshFunnel(1000, 0)) > 0);
      // Built: the pageview rows are no longer needed for it.
      t.store.db.prepare("UPDATE events SET path = '/gone' WHERE type = 'pageview'").run()
      expect((await q.eventNames('shop', 0)).paths).toEqual(['/b', '/a'])
    } finally {
      await t.close()
    }
  })
})

const noPostgres = await probePostgres()
if (noPostgres) console.warn(`skipping PostgreSQL health queries: ${noPostgres}`)
describe.skipIf(noPostgres !== null)('PostgreSQL', () => {
  contract('PostgreSQL', async () => {
    const pgStore = await openTestPostgres()
    const store = pgStore.store as PostgresStore & Store
    const made = await createSite(store, clock, { id: 'shop', origins: [] })
    const t = await makeTestApp({ clock })
    const app = createApp({ store, config: t.config, clock, log: () => {} })
    await seed(app, made!.secret, store)
    await t.close()
    return { q: postgresHealth(store.pool), close: () => pgStore.drop() }
  })

  it('renders the dashboard with its health panel on PostgreSQL', async () => {
    const pgStore = await openTestPostgres()
    try {
      const made = await createSite(pgStore.store, clock, { id: 'shop', origins: [] })
      const t = await makeTestApp({ clock })
      const app = createApp({ store: pgStore.store, config: t.config, clock, log: () => {} })
      await seed(app, made!.secret, pgStore.store)
      const res = await app.request('/dashboard/shop', { headers: { cookie: await signIn((p, i) => app.request(p, i), t.adminToken) } })
      await t.close()
      expect(res.status).toBe(200)
      const html = await res.text()
      expect(html).not.toContain('report is unavailable')
      expect(html).toContain('4 events')
      expect(html).toContain('Analytics and ads')
    } finally {
      await pgStore.drop()
    }
  })
})
