/**
 * The reports over HTTP, on data loaded through POST /api/events into a real SQLite file.
 * Every expected number is worked out by hand from the story below (times UTC, Nov 2026,
 * report range 11-05 … 11-24, site timezone UTC):
 *
 * v1  11-10 10:00 pageview /pricing ?utm google/cpc/brand + gclid  (Paid Search)
 *     10:05 signup {plan: pro}   10:10 purchase 100 EUR
 * v2  11-01 09:00 pageview /blog/x, referrer www.google.com         (Organic Search, before the range)
 *     11-11 09:00 pageview /pricing ?utm newsletter/email/nov        (Email)
 *     09:02 pageview /about   09:03 signup {plan: basic}
 *     11-13 09:00 pageview /pricing, no referrer (Direct session)   09:01 purchase 50 EUR
 * v3  11-12 12:00 pageview /pricing, referrer www.facebook.com       (Organic Social)
 * v4  11-20 08:00 pageview / ?utm google/cpc/brand                   (Paid Search)
 *     08:01 purchase 30 USD
 * v6  11-02 10:00 pageview /pricing (before the range)   11-06 10:00 signup {plan: pro} (Direct)
 * v7  11-15 00:00:00 pageview /pricing (Direct)
 *     11-22 00:00:00 signup {plan: pro} (exactly 7 days later)   00:00:01 purchase 20 EUR
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeTestApp, TestClock, type TestApp } from '../helpers/app.ts'

const SHOP = 'https://shop.example'
const RANGE = 'from=2026-11-05&to=2026-11-24'
let t: TestApp

const pv = (visitorId: string, ts: string, path: string, o: { query?: string; referrer?: string } = {}) => ({
  type: 'pageview', name: 'pageview', ts, visitorId, url: `${SHOP}${path}${o.query ? `?${o.query}` : ''}`, ...(o.referrer ? { referrer: o.referrer } : {}),
})
const signup = (visitorId: string, ts: string, plan: string) => ({ type: 'event', name: 'signup', ts, visitorId, props: { plan } })
const purchase = (visitorId: string, ts: string, value: number, currency: string, orderId: string) => ({
  type: 'conversion', name: 'purchase', ts, visitorId, value, currency, orderId,
})
const exposure = (visitorId: string, ts: string, variant: string) => ({ type: 'exposure', name: 'checkout', ts, visitorId, props: { variant } })

async function get(path: string, token: string | null = t.adminToken): Promise<{ status: number; body: any; res: Response }> {
  const res = await t.app.request(path, { headers: token ? { authorization: `Bearer ${token}` } : {} })
  const text = await res.text()
  const isJson = res.headers.get('content-type')?.includes('json')
  return { status: res.status, body: isJson ? JSON.parse(text) : text, res }
}

async function putSpend(site: string, body: string, type: string) {
  const res = await t.app.request(`/api/sites/${site}/spend`, {
    method: 'PUT', body, headers: { authorization: `Bearer ${t.adminToken}`, 'content-type': type },
  })
  return { status: res.status, body: await res.json() }
}

beforeAll(async () => {
  t = await makeTestApp({ clock: new TestClock(Date.parse('2026-11-25T12:00:00Z')) })
  const { secret } = await t.createSite('shop', { origins: [SHOP], currency: 'EUR', timezone: 'UTC' })
  const events = [
    pv('v1', '2026-11-10T10:00:00Z', '/pricing', { query: 'utm_source=google&utm_medium=cpc&utm_campaign=brand&gclid=g1' }),
    signup('v1', '2026-11-10T10:05:00Z', 'pro'),
    purchase('v1', '2026-11-10T10:10:00Z', 100, 'EUR', 'A-1'),
    pv('v2', '2026-11-01T09:00:00Z', '/blog/x', { referrer: 'https://www.google.com/' }),
    pv('v2', '2026-11-11T09:00:00Z', '/pricing', { query: 'utm_source=newsletter&utm_medium=email&utm_campaign=nov' }),
    pv('v2', '2026-11-11T09:02:00Z', '/about'),
    signup('v2', '2026-11-11T09:03:00Z', 'basic'),
    pv('v2', '2026-11-13T09:00:00Z', '/pricing'),
    purchase('v2', '2026-11-13T09:01:00Z', 50, 'EUR', 'A-2'),
    pv('v3', '2026-11-12T12:00:00Z', '/pricing', { referrer: 'https://www.facebook.com/' }),
    pv('v4', '2026-11-20T08:00:00Z', '/', { query: 'utm_source=google&utm_medium=cpc&utm_campaign=brand' }),
    purchase('v4', '2026-11-20T08:01:00Z', 30, 'USD', 'A-3'),
    pv('v6', '2026-11-02T10:00:00Z', '/pricing'),
    signup('v6', '2026-11-06T10:00:00Z', 'pro'),
    pv('v7', '2026-11-15T00:00:00Z', '/pricing'),
    signup('v7', '2026-11-22T00:00:00Z', 'pro'),
    purchase('v7', '2026-11-22T00:00:01Z', 20, 'EUR', 'A-4'),
  ]
  const r = await t.sendServerEvents(secret, events)
  expect(r.body).toMatchObject({ accepted: events.length, duplicates: 0, rejected: [] })
})

afterAll(async () => { await t?.close() })

describe('auth and errors', () => {
  it('answers 401 without a token, 403 with a wrong one, 404 for an unknown site', async () => {
    expect((await get(`/api/sites/shop/summary?${RANGE}`, null)).status).toBe(401)
    expect((await get(`/api/sites/shop/summary?${RANGE}`, 'nope')).status).toBe(403)
    const missing = await get(`/api/sites/nosuch/funnel?${RANGE}&step=event:a&step=event:b`)
    expect(missing.status).toBe(404)
    expect(missing.body.error.code).toBe('site_not_found')
    const put = await t.app.request('/api/sites/shop/spend', { method: 'PUT', body: 'x' })
    expect(put.status).toBe(401)
  })
  it('rejects bad queries with 400 and names the parameter', async () => {
    const one = await get(`/api/sites/shop/funnel?${RANGE}&step=pageview:/pricing`)
    expect(one.status).toBe(400)
    expect(one.body.error.issues[0].path).toBe('step')
    const bad = await get(`/api/sites/shop/funnel?${RANGE}&step=click:x&step=event:signup`)
    expect(bad.status).toBe(400)
    expect(bad.body.error.message).toMatch(/type must be one of/)
    const dates = await get('/api/sites/shop/summary?from=2026-11-30&to=2026-11-01')
    expect(dates.status).toBe(400)
    const model = await get(`/api/sites/shop/attribution?${RANGE}&model=magic`)
    expect(model.status).toBe(400)
    expect(model.body.error.issues[0].path).toBe('model')
    expect((await get(`/api/sites/shop/attribution?${RANGE}&lookback=91d`)).status).toBe(400)
    expect((await get(`/api/sites/shop/summary?${RANGE}&format=xml`)).body.error.issues[0].path).toBe('format')
  })
})

describe('summary', () => {
  it('counts visitors, sessions, pageviews, conversions and revenue per currency', async () => {
    const { status, body } = await get(`/api/sites/shop/summary?${RANGE}`)
    expect(status).toBe(200)
    // visitors v1 v2 v3 v4 v6 v7; sessions v1:1 v2:2 v3:1 v4:1 v6:1 v7:2; pageviews 1+3+1+1+0+1
    expect(body).toEqual({
      from: '2026-11-05', to: '2026-11-24', timezone: 'UTC',
      visitors: 6, sessions: 8, pageviews: 7, conversions: 4, convertingVisitors: 4, conversionRate: 4 / 6,
      revenue: { EUR: 170, USD: 30 },
    })
  })
  it('uses the site timezone for dates and leaves bots out', async () => {
    const { secret } = await t.createSite('berlin', { timezone: 'Europe/Berlin' })
    await t.sendServerEvents(secret, [
      pv('b1', '2026-11-09T23:30:00Z', '/a'), // 11-10 00:30 in Berlin
      pv('b1', '2026-11-10T23:30:00Z', '/b'), // 11-11 00:30 in Berlin
    ])
    // Server events are never flagged as bots, so a bot pageview (as /collect stores one) goes in through the store.
    const ts = Date.parse('2026-11-10T10:00:00Z')
    await t.store.insertEvents('berlin', [{
      id: '0193a000-0000-7000-8000-0000000000b1', type: 'pageview', name: 'pageview', ts, received: ts, visitor: 'crawler',
      userId: null, path: '/a', url: 'https://shop.example/a', referrer: null, title: null,
      touch: { source: null, medium: null, campaign: null, term: null, content: null, utmId: null, clickIdType: null, clickId: null, referrerHost: null },
      channel: 'Direct', device: null, browser: null, country: null, lang: null, screen: null, value: null, currency: null,
      orderId: null, props: null, consent: 3, bot: true, origin: 'browser',
    }])
    const { body } = await get('/api/sites/berlin/summary?from=2026-11-10&to=2026-11-10')
    expect(body).toMatchObject({ pageviews: 1, visitors: 1, conversionRate: 0, revenue: {} })
  })
})

describe('funnel', () => {
  const steps = 'step=pageview:/pricing&step=event:signup&step=conversion:purchase'

  it('counts ordered steps per visitor within the window from step 1', async () => {
    const { status, body } = await get(`/api/sites/shop/funnel?${RANGE}&${steps}&window=7d`)
    expect(status).toBe(200)
    // entrants v1 v2 v3 v7 (v6 entered before the range); signup v1 (300 s) v2 (180 s) v7 (604800 s, at the window's end);
    // purchase v1 (300 s after signup) v2 (11-11 09:03 → 11-13 09:01 = 172680 s); v7's purchase is 1 s past the window
    expect(body.steps).toEqual([
      { step: 'pageview:/pricing', visitors: 4, conversionFromStart: 1, conversionFromPrevious: 1, dropoff: 0, medianSecondsFromPrevious: null },
      { step: 'event:signup', visitors: 3, conversionFromStart: 0.75, conversionFromPrevious: 0.75, dropoff: 1, medianSecondsFromPrevious: 300 },
      { step: 'conversion:purchase', visitors: 2, conversionFromStart: 0.5, conversionFromPrevious: 2 / 3, dropoff: 1, medianSecondsFromPrevious: (300 + 172680) / 2 },
    ])
    expect(body).toMatchObject({ unit: 'visitor', mode: 'ordered', windowSeconds: 604800, breakdown: {} })
  })

  it('strict mode allows no other event between steps', async () => {
    // v1 consecutive (3); v2 has /about between pricing and signup (1); v3 (1); v7 pricing → signup next (2)
    const { body } = await get(`/api/sites/shop/funnel?${RANGE}&${steps}&mode=strict`)
    expect(body.steps.map((s: any) => s.visitors)).toEqual([4, 2, 1])
    expect(body.steps[1].medianSecondsFromPrevious).toBe((300 + 604800) / 2)
  })

  it('strict mode per session looks only at events of the same session', async () => {
    // v1's session has all three back to back; v7's signup is in a later session
    const { body } = await get(`/api/sites/shop/funnel?${RANGE}&${steps}&mode=strict&unit=session`)
    expect(body.steps.map((s: any) => s.visitors)).toEqual([5, 1, 1])
  })

  it('counts sessions with unit=session', async () => {
    // sessions with /pricing in range: v1 (all 3), v2 11-11 (pricing, signup), v2 11-13 (pricing; purchase is not signup), v3, v7 11-15
    const { body } = await get(`/api/sites/shop/funnel?${RANGE}&${steps}&unit=session`)
    expect(body.steps.map((s: any) => s.visitors)).toEqual([5, 2, 1])
  })

  it('filters on properties and breaks down by the entry channel', async () => {
    const { body } = await get(`/api/sites/shop/funnel?${RANGE}&step=pageview:/pricing&step=${encodeURIComponent('event:signup?plan=pro')}&breakdown=channel`)
    // pro signups: v1 and v7 (v2 signed up for basic)
    expect(body.steps.map((s: any) => s.visitors)).toEqual([4, 2])
    const counts = Object.fromEntries(Object.entries(body.breakdown).map(([k, v]: [string, any]) => [k, v.map((s: any) => s.visitors)]))
    expect(counts).toEqual({ 'Paid Search': [1, 1], Email: [1, 0], 'Organic Social': [1, 0], Direct: [1, 1] })
  })

  it('needs two events for a repeated step, also when globs overlap', async () => {
    // /pricing twice within 7 days: only v2 (11-11 and 11-13)
    const twice = await get(`/api/sites/shop/funnel?${RANGE}&step=pageview:/pricing&step=pageview:/pricing`)
    expect(twice.body.steps.map((s: any) => s.visitors)).toEqual([4, 1])
    // any one-segment page, then /pricing: entrants v1 v2 v3 v4 v7; only v2 has a later /pricing
    const overlap = await get(`/api/sites/shop/funnel?${RANGE}&step=pageview:/*&step=pageview:/pricing`)
    expect(overlap.body.steps.map((s: any) => s.visitors)).toEqual([5, 1])
  })

  it('answers CSV with a breakdown column', async () => {
    const { res, body } = await get(`/api/sites/shop/funnel?${RANGE}&${steps}&format=csv`)
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/)
    const lines = (body as string).trim().split('\r\n')
    expect(lines[0]).toBe('breakdown,step,visitors,conversionFromStart,conversionFromPrevious,dropoff,medianSecondsFromPrevious')
    expect(lines[2]).toBe('(all),event:signup,3,0.75,0.75,1,300')
  })
})

describe('attribution', () => {
  const rows = async (q: string) => (await get(`/api/sites/shop/attribution?${RANGE}&conversion=purchase&${q}`)).body.rows

  it('credits the last non-direct touch by default; no touch means Direct', async () => {
    // v1 → Paid Search (100 EUR); v2 → Email (50 EUR; its 11-13 session is direct); v4 → Paid Search (30 USD); v7 → Direct (20 EUR)
    expect(await rows('')).toEqual([
      { value: 'Paid Search', conversions: 2, revenue: { EUR: 100, USD: 30 } },
      { value: 'Direct', conversions: 1, revenue: { EUR: 20 } },
      { value: 'Email', conversions: 1, revenue: { EUR: 50 } },
    ])
  })

  it('first touch reaches back into the lookback before the range', async () => {
    // v2's first touch is the 11-01 Google referral, 12 days before its purchase
    const r = await rows('model=first')
    expect(r.find((x: any) => x.value === 'Organic Search')).toEqual({ value: 'Organic Search', conversions: 1, revenue: { EUR: 50 } })
    expect(r.find((x: any) => x.value === 'Email')).toBeUndefined()
    // a 10-day lookback no longer reaches it
    expect((await rows('model=first&lookback=10d')).find((x: any) => x.value === 'Email')?.conversions).toBe(1)
  })

  it('splits linear, position and time decay credit', async () => {
    const half = { conversions: 0.5, revenue: { EUR: 25 } }
    for (const model of ['linear', 'position']) {
      const r = await rows(`model=${model}`)
      expect(r.find((x: any) => x.value === 'Email')).toEqual({ value: 'Email', ...half })
      expect(r.find((x: any) => x.value === 'Organic Search')).toEqual({ value: 'Organic Search', ...half })
    }
    // ages 12d+1min and 2d+1min: weights 2^(-age/7d); the Google touch gets r/(1+r) with r = 2^(-10/7)
    const ratio = 2 ** (-10 / 7)
    const r = await rows('model=time_decay')
    const organic = r.find((x: any) => x.value === 'Organic Search')
    expect(organic.conversions).toBeCloseTo(ratio / (1 + ratio), 8) // credit is kept in billionths of a conversion
    expect(organic.revenue.EUR).toBeCloseTo((50 * ratio) / (1 + ratio), 5) // and revenue in micros
    expect(r.reduce((s: number, x: any) => s + x.conversions, 0)).toBeCloseTo(4, 10)
  })

  it('groups by source', async () => {
    expect(await rows('dimension=source')).toEqual([
      { value: 'google', conversions: 2, revenue: { EUR: 100, USD: 30 } },
      { value: '(direct)', conversions: 1, revenue: { EUR: 20 } },
      { value: 'newsletter', conversions: 1, revenue: { EUR: 50 } },
    ])
  })
})

describe('spend, channels and campaigns', () => {
  it('imports spend as CSV and JSON, idempotently, and names bad rows', async () => {
    const csv = 'date,source,medium,campaign,cost,impressions,clicks\n' +
      '2026-11-10,google,cpc,brand,40,1000,50\n2026-11-20,Google,cpc,brand,20,500,25\n' +
      '2026-11-11,newsletter,email,nov,0,0,0\n2026-11-30,google,cpc,brand,999,1,1\n'
    expect(await putSpend('shop', csv, 'text/csv')).toEqual({ status: 200, body: { format: 'canonical', upserted: 4, skipped: [], unmatchedCampaigns: [] } })
    // the same key again replaces the row: 11-20 now costs 10
    expect((await putSpend('shop', 'date,source,medium,campaign,cost,impressions,clicks\n2026-11-20,google,cpc,brand,10,500,25\n', 'text/csv')).status).toBe(200)
    const json = JSON.stringify([{ date: '2026-11-12', source: 'facebook', medium: 'paid_social', campaign: 'retarget', cost: 15, impressions: 300, clicks: 0, currency: 'USD' }])
    expect((await putSpend('shop', json, 'application/json')).status).toBe(200)
    const bad = await putSpend('shop', 'date,source,medium,campaign,cost,impressions,clicks\n2026-11-10,google,cpc,brand,abc,1,1\n', 'text/csv')
    expect(bad.status).toBe(400)
    expect(bad.body.error.message).toMatch(/row 1 \(line 2\), column cost/)
    expect(bad.body.error.issues[0]).toMatchObject({ index: 0, path: 'cost' })
  })

  it('reports campaigns with spend, CPA, ROAS and ROI, never mixing currencies', async () => {
    const { body } = await get(`/api/sites/shop/campaigns?${RANGE}`)
    const find = (s: string, m: string, c: string) => body.rows.find((r: any) => r.source === s && r.medium === m && r.campaign === c)
    // google/cpc/brand: sessions v1 v4, conversions 2, cost 40 + 10 (11-30 is outside), 1500 impressions, 75 clicks
    expect(find('google', 'cpc', 'brand')).toEqual({
      source: 'google', medium: 'cpc', campaign: 'brand', sessions: 2, conversions: 2, conversionRate: 1,
      revenue: { EUR: 100, USD: 30 }, cost: { EUR: 50 }, impressions: 1500, clicks: 75, ctr: 0.05,
      cpc: { EUR: 50 / 75 }, cpa: { EUR: 25 }, roas: { EUR: 2 }, roi: { EUR: 1 },
    })
    // zero spend: ratios over cost are null, CPA is 0 / 1 conversion
    expect(find('newsletter', 'email', 'nov')).toMatchObject({ sessions: 1, conversions: 1, cost: { EUR: 0 }, ctr: null, cpc: { EUR: null }, cpa: { EUR: 0 }, roas: { EUR: null }, roi: { EUR: null } })
    // spend without sessions or conversions: USD cost against no USD revenue
    expect(find('facebook', 'paid_social', 'retarget')).toMatchObject({ sessions: 0, conversions: 0, conversionRate: null, cost: { USD: 15 }, ctr: 0, cpc: { USD: null }, cpa: { USD: null }, roas: { USD: 0 }, roi: { USD: -1 } })
    expect(find('(direct)', '(direct)', '(direct)')).toMatchObject({ sessions: 4, conversions: 1, revenue: { EUR: 20 }, cost: {} })
    expect(find('facebook.com', 'referral', '(not set)')).toMatchObject({ sessions: 1, conversions: 0 })
  })

  it('reports channels, with spend classified by source and medium', async () => {
    const { body } = await get(`/api/sites/shop/channels?${RANGE}`)
    const by = Object.fromEntries(body.rows.map((r: any) => [r.channel, r]))
    expect(by['Paid Search']).toMatchObject({ sessions: 2, conversions: 2, revenue: { EUR: 100, USD: 30 }, cost: { EUR: 50 }, roas: { EUR: 2 } })
    expect(by.Direct).toMatchObject({ sessions: 4, conversions: 1, conversionRate: 0.25 })
    expect(by.Email).toMatchObject({ sessions: 1, conversions: 1, cost: { EUR: 0 } })
    expect(by['Organic Social']).toMatchObject({ sessions: 1, conversions: 0, conversionRate: 0 })
    expect(by['Paid Social']).toMatchObject({ sessions: 0, cost: { USD: 15 } })
    expect(body.rows[0].channel).toBe('Direct')
  })

  it('uses the chosen model for campaign conversions', async () => {
    const { body } = await get(`/api/sites/shop/campaigns?${RANGE}&model=first`)
    // GA4 names organic search by the engine: google / organic, not www.google.com / referral.
    const organic = body.rows.find((r: any) => r.source === 'google' && r.medium === 'organic')
    expect(organic).toMatchObject({ campaign: '(not set)', sessions: 0, conversions: 1, revenue: { EUR: 50 } })
  })

  it('exports campaigns as CSV with one column per currency', async () => {
    const { body } = await get(`/api/sites/shop/campaigns?${RANGE}&format=csv`)
    const [header, ...lines] = (body as string).trim().split('\r\n')
    expect(header.split(',')).toEqual(expect.arrayContaining(['source', 'revenue.EUR', 'revenue.USD', 'cost.EUR', 'cost.USD', 'roas.EUR']))
    expect(lines).toHaveLength(5)
  })
})

describe('experiments', () => {
  it('reads out variants with lift, p-value and sample-ratio mismatch', async () => {
    const { secret } = await t.createSite('lab')
    await t.sendServerEvents(secret, [
      exposure('a1', '2026-11-10T10:00:00Z', 'control'), purchase('a1', '2026-11-10T11:00:00Z', 10, 'EUR', 'L-1'),
      exposure('a2', '2026-11-10T10:00:00Z', 'control'), purchase('a2', '2026-11-10T09:00:00Z', 10, 'EUR', 'L-2'), // before exposure
      exposure('a3', '2026-11-11T10:00:00Z', 'control'), purchase('a3', '2026-11-12T10:00:00Z', 10, 'EUR', 'L-3'),
      exposure('b1', '2026-11-10T10:00:00Z', 'b'), purchase('b1', '2026-11-10T10:30:00Z', 10, 'EUR', 'L-4'),
      exposure('b2', '2026-11-10T10:00:00Z', 'b'),
      exposure('b2', '2026-11-11T10:00:00Z', 'control'), // a second exposure does not move b2
      exposure('x1', '2026-11-01T10:00:00Z', 'b'), // first exposed before the range
    ])
    const { status, body } = await get(`/api/sites/lab/experiments/checkout?${RANGE}&conversion=purchase`)
    expect(status).toBe(200)
    expect(body.control).toBe('control')
    // control 2/3 (a1, a3), b 1/2; lift −1/6, relative (1/2)/(2/3) − 1 = −0.25
    // pooled 3/5: se = sqrt(.24 · (1/2 + 1/3)) = sqrt(.2), z = −(1/6)/sqrt(.2) = −0.372678 → p = 0.70939
    const [b, control] = body.variants
    expect(control).toMatchObject({ variant: 'control', visitors: 3, conversions: 2, rate: 2 / 3, absoluteLift: null, pValue: null })
    expect(b).toMatchObject({ variant: 'b', visitors: 2, conversions: 1, rate: 0.5 })
    expect(b.absoluteLift).toBeCloseTo(-1 / 6, 12)
    expect(b.relativeLift).toBeCloseTo(-0.25, 12)
    expect(b.pValue).toBeCloseTo(0.70939, 4)
    // unpooled se = sqrt(.25/2 + (2/9)/3) = sqrt(0.199074) = 0.446177
    expect(b.absoluteLiftCI[0]).toBeCloseTo(-1 / 6 - 1.959964 * 0.446177, 4)
    // equal weights: expected 2.5 each → chi² = 2 · .25 / 2.5 = 0.2, p = 2(1 − Φ(0.447214)) = 0.65472
    expect(body.srm.chiSquare).toBeCloseTo(0.2, 12)
    expect(body.srm.pValue).toBeCloseTo(0.65472, 4)
    expect(body.srm.warning).toBe(false)
  })

  it('breaks a funnel down by the variant of the first exposure', async () => {
    // entrants a1 a2 a3 b1 b2 (x1 was exposed before the range); purchases after exposure: a1 a3 b1
    const { body } = await get(`/api/sites/lab/funnel?${RANGE}&step=exposure:checkout&step=conversion:purchase&breakdown=experiment:checkout`)
    expect(body.steps.map((s: any) => s.visitors)).toEqual([5, 3])
    const counts = Object.fromEntries(Object.entries(body.breakdown).map(([k, v]: [string, any]) => [k, v.map((s: any) => s.visitors)]))
    expect(counts).toEqual({ control: [3, 2], b: [2, 1] })
  })

  it('checks the split against given weights', async () => {
    // control 80, b 20 of 5: expected 4 and 1 → chi² = 1/4 + 1 = 1.25, p = 2(1 − Φ(1.118034)) = 0.26355
    const { body } = await get(`/api/sites/lab/experiments/checkout?${RANGE}&conversion=purchase&weights=control:80,b:20`)
    expect(body.srm.chiSquare).toBeCloseTo(1.25, 12)
    expect(body.srm.pValue).toBeCloseTo(0.26355, 4)
    const listed = await get(`/api/sites/lab/experiments/checkout?${RANGE}&weights=20,80`) // alphabetical: b, control
    expect(listed.body.srm.chiSquare).toBeCloseTo(1.25, 12)
    expect((await get(`/api/sites/lab/experiments/checkout?${RANGE}&weights=50,25,25`)).status).toBe(400)
  })

  it('exports variants as CSV with interval bounds as columns', async () => {
    const { body } = await get(`/api/sites/lab/experiments/checkout?${RANGE}&conversion=purchase&format=csv`)
    const [header, b, control] = (body as string).trim().split('\r\n')
    expect(header).toBe('variant,visitors,conversions,rate,absoluteLift,relativeLift,pValue,absoluteLiftLow,absoluteLiftHigh,relativeLiftLow,relativeLiftHigh,control')
    expect(b.startsWith('b,2,1,0.5,')).toBe(true)
    expect(control).toBe(`control,3,2,${2 / 3},,,,,,,,true`)
  })

  it('answers an empty readout for an unknown experiment', async () => {
    const { body } = await get(`/api/sites/lab/experiments/nothing?${RANGE}`)
    expect(body).toMatchObject({ control: null, variants: [], srm: { chiSquare: null, pValue: null, warning: false } })
  })
})
