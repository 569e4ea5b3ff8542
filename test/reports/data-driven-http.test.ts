/**
 * Data-driven attribution over HTTP, on SQLite and PostgreSQL. The story (UTC, Nov 2026,
 * range 11-10 … 11-20, lookback 30 days) is the one worked by hand in
 * collector/src/reports/markov.test.ts:
 *
 * v1  11-05 newsletter/email (Email, before the range but in the lookback)
 *     11-12 gclid (Paid Search), purchase 30 EUR        → Email → Paid Search → conversion
 * v2  11-13 gclid (Paid Search), 11-14 no referrer (Direct), no purchase → Paid Search → Direct → null
 * v3  11-01 newsletter (before the range: not in a null path), 11-15 Direct → Direct → null
 * v4  11-16 Direct, purchase 10 USD                      → Direct → conversion
 * --  11-17 a server purchase without a visitor           → start → conversion
 *
 * Removal effects: Email 2/9, Paid Search 4/9, Direct 1/3 (they sum to 1), so of 3
 * purchases, 30 EUR and 10 USD: Email 2/3 (20/3 EUR, 20/9 USD), Paid Search 4/3
 * (40/3 EUR, 40/9 USD), Direct 1 (10 EUR, 10/3 USD).
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { TestClock, type TestApp } from '../helpers/app.ts'
import { eachStore } from '../helpers/stores.ts'
import type { Store } from '../../collector/src/store/types.ts'

const SHOP = 'https://shop.example'
const RANGE = 'from=2026-11-10&to=2026-11-20'
const EMAIL = 'utm_source=newsletter&utm_medium=email&utm_campaign=nov'
const GCLID = 'utm_source=google&utm_medium=cpc&utm_campaign=brand&gclid=g'

const pv = (visitorId: string, day: string, query = '') => ({
  type: 'pageview', name: 'pageview', ts: `2026-11-${day}T10:00:00Z`, visitorId, url: `${SHOP}/${query ? `?${query}` : ''}`,
})
const purchase = (visitorId: string | null, day: string, value: number, currency: string) => ({
  type: 'conversion', name: 'purchase', ts: `2026-11-${day}T10:05:00Z`, value, currency, orderId: `${visitorId}-${day}`,
  ...(visitorId ? { visitorId } : {}),
})

eachStore('data-driven attribution', (open) => {
  let t: TestApp<Store>
  const get = async (path: string) => {
    const res = await t.app.request(path, { headers: { authorization: `Bearer ${t.adminToken}` } })
    return { status: res.status, text: await res.clone().text(), body: res.headers.get('content-type')?.includes('json') ? await res.json() : null }
  }

  beforeAll(async () => {
    t = await open(new TestClock(Date.parse('2026-11-25T12:00:00Z')))
    const { secret } = await t.createSite('shop', { origins: [SHOP], currency: 'EUR', timezone: 'UTC' })
    const r = await t.sendServerEvents(secret, [
      pv('v1', '05', EMAIL), pv('v1', '12', GCLID), purchase('v1', '12', 30, 'EUR'),
      pv('v2', '13', GCLID), pv('v2', '14'),
      pv('v3', '01', EMAIL), pv('v3', '15'),
      pv('v4', '16'), purchase('v4', '16', 10, 'USD'),
      purchase(null, '17', 0, 'EUR'),
    ])
    expect(r.body.rejected).toEqual([])
  })
  afterAll(async () => { await t.close() })

  it('splits conversions and revenue by removal effect, per channel', async () => {
    const { status, body } = await get(`/api/sites/shop/attribution?${RANGE}&model=data_driven&conversion=purchase`)
    expect(status).toBe(200)
    expect(body.model).toBe('data_driven')
    expect(body.rows.map((r: any) => r.value)).toEqual(['Paid Search', 'Direct', 'Email'])
    const [paid, direct, email] = body.rows
    expect(paid.conversions).toBeCloseTo(4 / 3, 9)
    expect(paid.revenue.EUR).toBeCloseTo(40 / 3, 9)
    expect(paid.revenue.USD).toBeCloseTo(40 / 9, 9)
    expect(direct.conversions).toBeCloseTo(1, 9)
    expect(direct.revenue.EUR).toBeCloseTo(10, 9)
    expect(email.conversions).toBeCloseTo(2 / 3, 9)
    expect(body.removalEffects.Email).toBeCloseTo(2 / 9, 9)
    expect(body.removalEffects['Paid Search']).toBeCloseTo(4 / 9, 9)
  })

  it('uses the dimension\'s values as states, Direct sessions being (direct)', async () => {
    const { body } = await get(`/api/sites/shop/attribution?${RANGE}&model=data_driven&dimension=source`)
    const by = Object.fromEntries(body.rows.map((r: any) => [r.value, r.conversions]))
    expect(Object.keys(by).sort()).toEqual(['(direct)', 'google', 'newsletter'])
    expect(by.google).toBeCloseTo(4 / 3, 9)
    expect(by['(direct)']).toBeCloseTo(1, 9)
    expect(by.newsletter).toBeCloseTo(2 / 3, 9)
  })

  it('is a model of the channels table and exports as CSV', async () => {
    const channels = await get(`/api/sites/shop/channels?${RANGE}&model=data_driven`)
    const paid = channels.body.rows.find((r: any) => r.channel === 'Paid Search')
    expect(paid.conversions).toBeCloseTo(4 / 3, 9)
    const csv = await get(`/api/sites/shop/attribution?${RANGE}&model=data_driven&format=csv`)
    expect(csv.text.split('\r\n')[0]).toBe('value,conversions,revenue.EUR,revenue.USD')
    expect(csv.text).toContain('Email,')
  })

  it('with a shorter lookback, v1\'s email visit drops out of the path', async () => {
    // Lookback 1d: v1's path is Paid Search → conversion; Email appears in no path, and
    // with the rest unchanged Paid Search and Direct share everything.
    const { body } = await get(`/api/sites/shop/attribution?${RANGE}&model=data_driven&lookback=1d`)
    expect(body.rows.map((r: any) => r.value).sort()).toEqual(['Direct', 'Paid Search'])
  })
})
