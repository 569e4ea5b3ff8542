/**
 * Budgets and pacing over HTTP, on SQLite and PostgreSQL. Site in EUR, UTC; now is
 * 2026-11-25 12:00, so pacing defaults to November as of the 24th: 24 of 30 days gone.
 *
 * Spend (PUT /spend): google/cpc/brand 600 on 11-05 and 600 on 11-20, 999 on 11-25 (after
 * asOf); bing/cpc/x 100 USD on 11-20 (Paid Search, but not in a EUR budget);
 * newsletter/email/nov 50 on 11-15.
 * Purchases (last non-direct): v1 11-10 after a gclid visit, 100 EUR; v2 11-18 after
 * google/cpc/brand, 200 EUR; v3 11-15 after the newsletter, 30 EUR.
 *
 * Paid Search, 3000 EUR, target CPA 400: spend 1200, expected 3000 × 24/30 = 2400, pacing
 * 0.5, projected 1200/24 × 30 = 1500, 2 conversions, 300 EUR, CPA 600, ROAS 0.25.
 * Last 14 days (11-11 … 11-24): spend 600, 1 conversion → CPA 600, efficiency 400/600 =
 * 2/3 → cut (3000 − 1200) × 1/3 = 600.
 * Email, 100 EUR, target ROAS 2: spend 50, expected 80, pacing 0.625, projected 62.5, 1
 * conversion, 30 EUR, ROAS 0.6 → efficiency 0.3 → cut (100 − 50) × 50% = 25.
 * google/cpc (any campaign), 1500 EUR, no target: the same 1200 and 2 conversions, no hint.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { TestClock, type TestApp } from '../helpers/app.ts'
import { eachStore } from '../helpers/stores.ts'
import type { Store } from '../../collector/src/store/types.ts'

const SHOP = 'https://shop.example'

eachStore('budgets and pacing', (open) => {
  let t: TestApp<Store>
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await t.app.request(path, {
      method, headers: { authorization: `Bearer ${t.adminToken}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await res.text()
    return { status: res.status, text, body: res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : null }
  }

  beforeAll(async () => {
    t = await open(new TestClock(Date.parse('2026-11-25T12:00:00Z')))
    const { secret } = await t.createSite('shop', { origins: [SHOP], currency: 'EUR', timezone: 'UTC' })
    const pv = (visitorId: string, ts: string, query: string) => ({ type: 'pageview', name: 'pageview', ts, visitorId, url: `${SHOP}/?${query}` })
    const buy = (visitorId: string, ts: string, value: number) => ({ type: 'conversion', name: 'purchase', ts, visitorId, value, currency: 'EUR', orderId: visitorId })
    const r = await t.sendServerEvents(secret, [
      pv('v1', '2026-11-10T10:00:00Z', 'gclid=abc'), buy('v1', '2026-11-10T10:05:00Z', 100),
      pv('v2', '2026-11-18T10:00:00Z', 'utm_source=google&utm_medium=cpc&utm_campaign=brand'), buy('v2', '2026-11-18T10:05:00Z', 200),
      pv('v3', '2026-11-15T10:00:00Z', 'utm_source=newsletter&utm_medium=email&utm_campaign=nov'), buy('v3', '2026-11-15T10:05:00Z', 30),
    ])
    expect(r.body.rejected).toEqual([])
    const spend = (date: string, source: string, medium: string, campaign: string, cost: number, currency = 'EUR') => ({ date, source, medium, campaign, cost, impressions: 0, clicks: 0, currency })
    const s = await call('PUT', '/api/sites/shop/spend', [
      spend('2026-11-05', 'google', 'cpc', 'brand', 600), spend('2026-11-20', 'google', 'cpc', 'brand', 600),
      spend('2026-11-25', 'google', 'cpc', 'brand', 999), spend('2026-11-20', 'bing', 'cpc', 'x', 100, 'USD'),
      spend('2026-11-15', 'newsletter', 'email', 'nov', 50),
    ])
    expect(s.status).toBe(200)
  })
  afterAll(async () => { await t.close() })

  it('stores budgets; the same month and scope replace each other', async () => {
    expect((await call('PUT', '/api/sites/shop/budgets', [
      { month: '2026-11', channel: 'Paid Search', amount: 2000 },
      { month: '2026-11', channel: 'Email', amount: 100, targetRoas: 2 },
      { month: '2026-11', source: 'Google', medium: 'cpc', amount: 1500 },
      { month: '2026-12', channel: 'Paid Search', amount: 4000 },
    ])).body).toEqual({ upserted: 4 })
    expect((await call('PUT', '/api/sites/shop/budgets', [{ month: '2026-11', channel: 'Paid Search', amount: 3000, targetCpa: 400 }])).status).toBe(200)
    const { body } = await call('GET', '/api/sites/shop/budgets?month=2026-11')
    expect(body.budgets).toEqual([
      { month: '2026-11', channel: null, source: 'google', medium: 'cpc', campaign: null, amount: 1500, currency: 'EUR', targetCpa: null, targetRoas: null },
      { month: '2026-11', channel: 'Email', source: null, medium: null, campaign: null, amount: 100, currency: 'EUR', targetCpa: null, targetRoas: 2 },
      { month: '2026-11', channel: 'Paid Search', source: null, medium: null, campaign: null, amount: 3000, currency: 'EUR', targetCpa: 400, targetRoas: null },
    ])
    expect((await call('GET', '/api/sites/shop/budgets')).body.budgets).toHaveLength(4)
  })

  it('paces each budget to yesterday and hints what to cut, by the stated rule', async () => {
    const { status, body } = await call('GET', '/api/sites/shop/pacing?month=2026-11')
    expect(status).toBe(200)
    expect(body).toMatchObject({ month: '2026-11', asOf: '2026-11-24', elapsedDays: 24, daysInMonth: 30, model: 'last_non_direct' })
    expect(body.rule).toMatch(/^Within each currency/)
    const [google, email, paid] = body.rows
    expect(paid).toMatchObject({ channel: 'Paid Search', amount: 3000, spend: 1200, expected: 2400, pacing: 0.5, projected: 1500, conversions: 2, revenue: 300, cpa: 600, roas: 0.25 })
    expect(email).toMatchObject({ channel: 'Email', spend: 50, expected: 80, pacing: 0.625, projected: 62.5, conversions: 1, revenue: 30, cpa: 50, roas: 0.6 })
    expect(google).toMatchObject({ source: 'google', medium: 'cpc', campaign: null, spend: 1200, conversions: 2, revenue: 300 })
    expect(body.hints.map((h: any) => [h.action, h.scope.channel, h.currency, h.change])).toEqual([['cut', 'Email', 'EUR', 25], ['cut', 'Paid Search', 'EUR', 600]])
    expect(body.hints[1]).toMatchObject({ amount: 3000, newAmount: 2400, cpa14: 600, targetCpa: 400 })
  })

  it('takes asOf, answers CSV, and counts nothing before the month starts', async () => {
    const early = await call('GET', '/api/sites/shop/pacing?month=2026-11&asOf=2026-11-10')
    // 10 days: only the 600 of 11-05 and v1's purchase.
    expect(early.body.rows[2]).toMatchObject({ spend: 600, expected: 1000, conversions: 1, revenue: 100, projected: 1800 })
    const csv = await call('GET', '/api/sites/shop/pacing?month=2026-11&format=csv')
    expect(csv.text.split('\r\n')[0]).toContain('month,source,medium,campaign,amount,currency')
    const dec = await call('GET', '/api/sites/shop/pacing?month=2026-12')
    expect(dec.body.rows[0]).toMatchObject({ channel: 'Paid Search', spend: 0, expected: 0, pacing: null, projected: null })
    expect(dec.body.elapsedDays).toBe(0)
  })

  it('rejects bad budgets naming the row and field, and needs the admin token', async () => {
    const bad = await call('PUT', '/api/sites/shop/budgets', [{ month: '2026-11', channel: 'Paid Search', amount: 1 }, { month: '11/2026', channel: 'TV', amount: 0 }])
    expect(bad.status).toBe(400)
    expect(bad.body.error.issues.map((i: any) => `${i.index}:${i.path}`)).toEqual(['1:month', '1:channel', '1:amount'])
    expect((await call('GET', '/api/sites/shop/pacing?month=2026-13')).body.error.issues[0].path).toBe('month')
    expect((await call('DELETE', '/api/sites/shop/budgets')).status).toBe(400)
    expect((await t.app.request('/api/sites/shop/budgets')).status).toBe(401)
  })

  it('deletes one budget by scope, or a whole month', async () => {
    expect((await call('DELETE', '/api/sites/shop/budgets?month=2026-11&source=google&medium=cpc')).body).toEqual({ deleted: 1 })
    expect((await call('DELETE', '/api/sites/shop/budgets?month=2026-11&source=google&medium=cpc')).body).toEqual({ deleted: 0 })
    expect((await call('DELETE', '/api/sites/shop/budgets?month=2026-12')).body).toEqual({ deleted: 1 })
    expect((await call('GET', '/api/sites/shop/budgets')).body.budgets.map((b: any) => b.channel)).toEqual(['Email', 'Paid Search'])
  })
})
