/**
 * The dashboard's cockpit sections, rendered on the server without JavaScript: trends
 * (SVG with a title, a description in words and a table), the tiles' change against the
 * previous period, budget pacing with its rule and hints, and data-driven attribution.
 * Same story as test/reports/timeseries-http.test.ts: 4 sessions against 1, 2
 * conversions against 1, 70 EUR against 40, in Europe/Berlin.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeTestApp, signIn, TestClock, type TestApp } from '../../../test/helpers/app.ts'

const SHOP = 'https://shop.example'
let t: TestApp
let html: string

beforeAll(async () => {
  t = await makeTestApp({ clock: new TestClock(Date.parse('2026-11-25T12:00:00Z')) })
  const { secret } = await t.createSite('shop', { origins: [SHOP], currency: 'EUR', timezone: 'Europe/Berlin' })
  const pv = (visitorId: string, ts: string, q = '') => ({ type: 'pageview', name: 'pageview', ts, visitorId, url: `${SHOP}/${q}` })
  const buy = (visitorId: string, ts: string, value: number) => ({ type: 'conversion', name: 'purchase', ts, visitorId, value, currency: 'EUR', orderId: visitorId })
  await t.sendServerEvents(secret, [
    pv('v1', '2026-11-08T10:00:00Z', '?gclid=x'), buy('v1', '2026-11-08T10:01:00Z', 50),
    pv('v2', '2026-11-10T10:00:00Z'),
    pv('v3', '2026-11-13T23:30:00Z'), buy('v3', '2026-11-13T23:31:00Z', 20),
    pv('v4', '2026-11-02T10:00:00Z'), buy('v4', '2026-11-02T10:01:00Z', 40),
    pv('v5', '2026-11-07T23:30:00Z'),
  ])
  const put = (path: string, body: string, type: string) => t.app.request(`/api/sites/shop/${path}`, {
    method: 'PUT', body, headers: { authorization: `Bearer ${t.adminToken}`, 'content-type': type },
  })
  expect((await put('spend', 'date,source,medium,campaign,cost,impressions,clicks\n2026-11-08,google,cpc,brand,10,0,0\n2026-11-02,google,cpc,brand,20,0,0\n', 'text/csv')).status).toBe(200)
  expect((await put('budgets', JSON.stringify([{ month: '2026-11', channel: 'Paid Search', amount: 300, targetCpa: 5 }]), 'application/json')).status).toBe(200)
  const res = await t.app.request('/dashboard/shop?from=2026-11-08&to=2026-11-14&conversion=all', { headers: { cookie: await signIn((p, i) => t.app.request(p, i), t.adminToken) } })
  expect(res.status).toBe(200)
  html = await res.text()
})
afterAll(async () => { await t.close() })

describe('dashboard cockpit', () => {
  it('draws trends as SVG with a title, a description in words and the numbers as a table', () => {
    expect(html).toContain('<svg class="trend-svg"')
    expect(html).toContain('aria-labelledby="trend-sessions-title trend-sessions-desc"')
    expect(html).toContain('Sessions per day from 2026-11-08 to 2026-11-14: 4 in all, against 1 from 2026-11-01 to 2026-11-07 (+300.0%); highest 2 on 2026-11-08.')
    expect(html).toContain('Revenue (EUR) per day')
    expect(html).toMatch(/<summary>The numbers behind the charts<\/summary>/)
    expect(html).toMatch(/<th scope="row">2026-11-14<\/th><td class="num">1<\/td><td class="num">1<\/td><td class="num">€20.00<\/td>/)
  })

  it('shows each tile\'s change against the previous period in words', () => {
    expect(html).toMatch(/Sessions<\/p><p class="tile-value"[^>]*>4<\/p>.*?▲ \+300\.0%<\/span> vs previous 7 days/s)
    expect(html).toMatch(/Revenue<\/p><p class="tile-value"[^>]*>€70\.00<\/p>.*?▲ \+75\.0%<\/span> vs previous 7 days/s)
    expect(html).toMatch(/Ad spend<\/p><p class="tile-value"[^>]*>€10\.00<\/p>.*?▼ −50\.0%<\/span>/s)
  })

  it('paces budgets to the range\'s end with the hint rule spelled out', () => {
    // As of 11-14: 14 of 30 days, expected 300 × 14/30 = 140; November's spend 20 + 10 = 30 → 21% (under).
    expect(html).toContain('2026-11 as of 2026-11-14 (14 of 30 days)')
    expect(html).toMatch(/<th scope="row">Paid Search<\/th><td class="num">€300.00<\/td><td class="num">€30.00<\/td><td class="num">€140.00<\/td><td class="num pace-under">21% \(under\)<\/td>/)
    // Last 14 days 11-01 … 11-14: CPA 30 against 5 → 1/6 of target → cut 50% of 270 unspent.
    expect(html).toContain('<strong>Cut Paid Search</strong> by €135.00 (to €165.00)')
    expect(html).toContain('Within each currency, a budget whose CPA over the last 14 days is above its target')
  })

  it('compares data-driven with the other models, and stays free of scripts and inline styles', () => {
    expect(html).toMatch(/<th scope="col" class="num(?: selected)?">Data-driven<\/th>/)
    expect(html).not.toMatch(/<script/i)
    expect(html).not.toMatch(/ style=/)
  })
})
