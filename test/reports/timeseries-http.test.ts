/**
 * Trends over HTTP, on SQLite and PostgreSQL, for a site in Europe/Berlin (UTC+1 in
 * November). Range 11-08 … 11-14, so the previous period is 11-01 … 11-07.
 *
 * v1 11-08 10:00Z (11:00 local) pageview, purchase 50 EUR   current, 11-08
 * v2 11-10 pageview                                          current, 11-10
 * v3 11-13 23:30Z (11-14 00:30 local) pageview, purchase 20  current, 11-14
 * v4 11-02 pageview, purchase 40 EUR                          previous, 11-02
 * v5 11-07 23:30Z (11-08 00:30 local) pageview                current, 11-08 (not previous)
 * Spend: 10 EUR on 11-08, 20 EUR on 11-02.
 *
 * Current: 4 sessions, 2 conversions, 70 EUR, spend 10, CPA 5, ROAS 7.
 * Previous: 1 session, 1 conversion, 40 EUR, spend 20, CPA 20, ROAS 2.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { TestClock, type TestApp } from '../helpers/app.ts'
import { eachStore } from '../helpers/stores.ts'
import type { Store } from '../../collector/src/store/types.ts'

const SHOP = 'https://shop.example'

eachStore('trends', (open) => {
  let t: TestApp<Store>
  const get = async (path: string) => {
    const res = await t.app.request(path, { headers: { authorization: `Bearer ${t.adminToken}` } })
    const text = await res.text()
    return { status: res.status, text, body: res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : null }
  }

  beforeAll(async () => {
    t = await open(new TestClock(Date.parse('2026-11-25T12:00:00Z')))
    const { secret } = await t.createSite('shop', { origins: [SHOP], currency: 'EUR', timezone: 'Europe/Berlin' })
    const pv = (visitorId: string, ts: string) => ({ type: 'pageview', name: 'pageview', ts, visitorId, url: `${SHOP}/` })
    const buy = (visitorId: string, ts: string, value: number) => ({ type: 'conversion', name: 'purchase', ts, visitorId, value, currency: 'EUR', orderId: visitorId })
    const r = await t.sendServerEvents(secret, [
      pv('v1', '2026-11-08T10:00:00Z'), buy('v1', '2026-11-08T10:01:00Z', 50),
      pv('v2', '2026-11-10T10:00:00Z'),
      pv('v3', '2026-11-13T23:30:00Z'), buy('v3', '2026-11-13T23:31:00Z', 20),
      pv('v4', '2026-11-02T10:00:00Z'), buy('v4', '2026-11-02T10:01:00Z', 40),
      pv('v5', '2026-11-07T23:30:00Z'),
    ])
    expect(r.body.rejected).toEqual([])
    const res = await t.app.request('/api/sites/shop/spend', {
      method: 'PUT', headers: { authorization: `Bearer ${t.adminToken}`, 'content-type': 'text/csv' },
      body: 'date,source,medium,campaign,cost,impressions,clicks\n2026-11-08,google,cpc,brand,10,0,0\n2026-11-02,google,cpc,brand,20,0,0\n',
    })
    expect(res.status).toBe(200)
  })
  afterAll(async () => { await t.close() })

  it('gives a daily series in the site\'s days beside the previous period, with totals and change', async () => {
    const { status, body } = await get('/api/sites/shop/timeseries?from=2026-11-08&to=2026-11-14')
    expect(status).toBe(200)
    expect(body).toMatchObject({ granularity: 'day', timezone: 'Europe/Berlin', previousFrom: '2026-11-01', previousTo: '2026-11-07' })
    expect(body.points.map((p: any) => [p.start, p.sessions, p.conversions])).toEqual([
      ['2026-11-08', 2, 1], ['2026-11-09', 0, 0], ['2026-11-10', 1, 0], ['2026-11-11', 0, 0], ['2026-11-12', 0, 0], ['2026-11-13', 0, 0], ['2026-11-14', 1, 1],
    ])
    expect(body.points[0]).toMatchObject({ revenue: { EUR: 50 }, spend: { EUR: 10 }, cpa: { EUR: 10 }, roas: { EUR: 5 } })
    expect(body.points[1].previous).toMatchObject({ start: '2026-11-02', sessions: 1, conversions: 1, revenue: { EUR: 40 }, spend: { EUR: 20 } })
    expect(body.totals.current).toEqual({ sessions: 4, conversions: 2, revenue: { EUR: 70 }, spend: { EUR: 10 }, cpa: { EUR: 5 }, roas: { EUR: 7 } })
    expect(body.totals.previous).toEqual({ sessions: 1, conversions: 1, revenue: { EUR: 40 }, spend: { EUR: 20 }, cpa: { EUR: 20 }, roas: { EUR: 2 } })
    expect(body.totals.change).toEqual({ sessions: 3, conversions: 1, revenue: { EUR: 0.75 }, spend: { EUR: -0.5 }, cpa: { EUR: -0.75 }, roas: { EUR: 2.5 } })
  })

  it('goes hourly for two days or less, on the local clock', async () => {
    const { body } = await get('/api/sites/shop/timeseries?from=2026-11-08&to=2026-11-08')
    expect(body.granularity).toBe('hour')
    expect(body.points).toHaveLength(24)
    expect(body.points[0]).toMatchObject({ start: '2026-11-08T00:00', sessions: 1, spend: null })
    expect(body.points[11]).toMatchObject({ start: '2026-11-08T11:00', sessions: 1, conversions: 1 })
    expect(body.points[0].previous.start).toBe('2026-11-07T00:00')
    expect(body.totals.current.spend).toEqual({ EUR: 10 })
  })

  it('answers CSV and rejects bad ranges', async () => {
    const csv = await get('/api/sites/shop/timeseries?from=2026-11-08&to=2026-11-14&format=csv')
    expect(csv.text.split('\r\n')[0]).toMatch(/^start,sessions,conversions,revenue.EUR,spend.EUR,cpa.EUR,roas.EUR,previous.start,previous.sessions/)
    expect(csv.text.split('\r\n')).toHaveLength(9) // header, 7 days, final empty line
    expect((await get('/api/sites/shop/timeseries?from=2026-11-14&to=2026-11-08')).status).toBe(400)
    expect((await t.app.request('/api/sites/shop/timeseries')).status).toBe(401)
  })
})
