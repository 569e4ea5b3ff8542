import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeTestApp, type TestApp } from '../helpers/app.ts'
import { uuidv7 } from '../../collector/src/ingest/uuid.ts'

// README recipe "Offline conversions from your backend": the page makes the conversion's
// event id (convert() returns it) and sends it to the backend with the order; the backend
// reports the conversion with that id once the payment clears. The collector keeps one
// copy: the browser's when it got through (credited to the visitor's campaign), the
// backend's when a blocker stopped the browser's.
let t: TestApp
let secret: string
beforeAll(async () => {
  t = await makeTestApp()
  secret = (await t.createSite('shop', { origins: ['https://shop.example'] })).secret
})
afterAll(() => t.close())

const collect = async (events: unknown[]) => (await t.app.request('/collect', {
  method: 'POST', headers: { 'content-type': 'text/plain', origin: 'https://shop.example' },
  body: JSON.stringify({ s: 'shop', t: Date.now(), e: events }),
})).json()
const admin = () => ({ headers: { authorization: `Bearer ${t.adminToken}` } })

describe('recipe: an offline conversion with the browser\'s event id', () => {
  it('counts each order once, credited to the campaign when the browser\'s copy got through', async () => {
    const now = Date.now()
    const visitor = 'f3b0c4de-0000-4000-8000-000000000001'
    const seen = uuidv7(now)
    const blocked = uuidv7(now + 1)
    await collect([
      { i: uuidv7(now - 60_000), y: 'p', n: 'pageview', t: now - 60_000, u: 'https://shop.example/?utm_source=google&utm_medium=cpc&utm_campaign=brand', c: 3, v: visitor },
      { i: seen, y: 'c', n: 'purchase', t: now, u: 'https://shop.example/thanks', c: 3, v: visitor, a: 120, m: 'EUR', o: 'A-77' },
    ])
    // The backend, after the payments cleared: one order the browser reported, one it could not.
    const server = await t.sendServerEvents(secret, [
      { id: seen, type: 'conversion', name: 'purchase', value: 120, currency: 'EUR', orderId: 'A-77' },
      { id: blocked, type: 'conversion', name: 'purchase', value: 80, currency: 'EUR', orderId: 'A-78' },
    ])
    expect(server.body).toEqual({ accepted: 1, duplicates: 1, rejected: [] })
    await t.settle()
    const summary = await (await t.app.request('/api/sites/shop/summary', admin())).json()
    expect([summary.conversions, summary.revenue]).toEqual([2, { EUR: 200 }])
    const res = await t.app.request('/api/sites/shop/campaigns?conversion=purchase', admin())
    const rows = (await res.json()).rows as { source: string; campaign: string; conversions: number; revenue: Record<string, number> }[]
    expect(rows.find((r) => r.campaign === 'brand')).toMatchObject({ source: 'google', conversions: 1, revenue: { EUR: 120 } })
  })
})
