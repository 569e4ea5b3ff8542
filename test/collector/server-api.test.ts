import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { makeTestApp, TestClock, type TestApp } from '../helpers/app.ts'

let t: TestApp
let clock: TestClock
let secret: string

beforeEach(async () => {
  clock = new TestClock(Date.parse('2026-11-20T12:00:00Z'))
  t = await makeTestApp({ clock })
  secret = (await t.createSite('shop', { origins: ['https://shop.example'] })).secret
})
afterEach(() => t.close())

const rows = (sql: string) => t.store.db.prepare(sql).all() as Record<string, any>[]
const admin = (token = t.adminToken) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' })

describe('POST /api/sites', () => {
  it('creates a site with a secret that authorizes /api/events for that site only', async () => {
    const res = await t.app.request('/api/sites', { method: 'POST', headers: admin(), body: JSON.stringify({ id: 'blog', origins: ['https://blog.example'], currency: 'USD', timezone: 'America/New_York' }) })
    expect(res.status).toBe(201)
    const made = await res.json()
    expect(made.id).toBe('blog')
    expect(made.secret.length).toBeGreaterThan(30)
    const ok = await t.sendServerEvents(made.secret, [{ type: 'event', name: 'signup' }])
    expect(ok.status).toBe(200)
    expect(rows("SELECT site FROM events")).toEqual([{ site: 'blog' }])
    const site = await (await t.app.request('/api/sites/blog', { headers: admin() })).json()
    expect(site).toMatchObject({ id: 'blog', currency: 'USD', timezone: 'America/New_York', origins: ['https://blog.example'] })
    expect(JSON.stringify(site)).not.toContain(made.secret)
    // The secret is not stored, only its hash.
    expect(JSON.stringify(rows('SELECT * FROM sites'))).not.toContain(made.secret)
  })
  it('answers 409 for an existing site, 400 for a bad id or time zone', async () => {
    const dup = await t.app.request('/api/sites', { method: 'POST', headers: admin(), body: JSON.stringify({ id: 'shop' }) })
    expect(dup.status).toBe(409)
    const bad = await t.app.request('/api/sites', { method: 'POST', headers: admin(), body: JSON.stringify({ id: 'Bad Site!', timezone: 'Mars/Olympus' }) })
    expect(bad.status).toBe(400)
    const body = await bad.json()
    expect(body.error.issues.map((i: any) => i.path).sort()).toEqual(['id', 'timezone'])
  })
  it('needs the admin token: 401 without, 403 with a wrong one', async () => {
    const none = await t.app.request('/api/sites', { method: 'POST', body: JSON.stringify({ id: 'x' }) })
    expect(none.status).toBe(401)
    const wrong = await t.app.request('/api/sites', { method: 'POST', headers: admin('nope'), body: JSON.stringify({ id: 'x' }) })
    expect(wrong.status).toBe(403)
    expect((await wrong.json()).error.code).toBe('forbidden')
  })
  it('updates origins, currency and time zone with PATCH, leaving the rest', async () => {
    const res = await t.app.request('/api/sites/shop', { method: 'PATCH', headers: admin(), body: JSON.stringify({ timezone: 'Europe/Berlin' }) })
    expect(await res.json()).toMatchObject({ timezone: 'Europe/Berlin', currency: 'EUR', origins: ['https://shop.example'] })
  })
})

describe('POST /api/events', () => {
  it('stores the documented event shape with explicit timestamps', async () => {
    const res = await t.sendServerEvents(secret, [{
      id: '4f6c8a2e-1d2b-4c3a-9f8e-7d6c5b4a3f21', type: 'conversion', name: 'purchase', ts: '2026-11-19T10:00:00Z',
      visitorId: 'v-123', userId: 'u-9', url: 'https://shop.example/thanks?utm_source=google&utm_medium=cpc&gclid=abc',
      referrer: 'https://www.google.com/', value: 49.9, currency: 'EUR', orderId: 'A-1001', props: { plan: 'pro' },
      consent: { analytics: true, ads: true }, userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1', ip: '203.0.113.5',
    }])
    expect(res).toEqual({ status: 200, body: { accepted: 1, duplicates: 0, rejected: [] } })
    const [r] = rows('SELECT * FROM events')
    expect(r).toMatchObject({
      id: '4f6c8a2e-1d2b-4c3a-9f8e-7d6c5b4a3f21', ts: Date.parse('2026-11-19T10:00:00Z'), visitor: 'v-123', user_id: 'u-9',
      value: 49.9, currency: 'EUR', order_id: 'A-1001', click_id: 'abc', channel: 'Paid Search', device: 'mobile', origin: 'server',
    })
    expect(JSON.stringify(r)).not.toContain('203.0.113.5')
  })
  it('deduplicates against browser events by id and by order id', async () => {
    const id = '0193a1b2-0000-7000-8000-00000000abcd'
    await t.app.request('/collect', { method: 'POST', body: JSON.stringify({ s: 'shop', t: clock.now(), e: [
      { i: id, y: 'c', n: 'purchase', t: clock.now(), u: 'https://shop.example/thanks', c: 1, v: 'v1', o: 'A-7', a: 10, m: 'EUR' },
    ] }) })
    const res = await t.sendServerEvents(secret, [
      { id, type: 'conversion', name: 'purchase' },
      { type: 'conversion', name: 'purchase', orderId: 'A-7', value: 10, currency: 'EUR' },
      { type: 'conversion', name: 'refund', orderId: 'A-7' },
    ])
    expect(res.body).toEqual({ accepted: 1, duplicates: 2, rejected: [] })
  })
  it('generates an id when absent and accepts up to 90 days back, not more', async () => {
    const day = 86_400_000
    const res = await t.sendServerEvents(secret, [
      { type: 'event', name: 'crm_stage', ts: new Date(clock.now() - 89 * day).toISOString() },
      { type: 'event', name: 'crm_stage', ts: new Date(clock.now() - 91 * day).toISOString() },
      { type: 'event', name: 'crm_stage', ts: new Date(clock.now() + 3600_000).toISOString() },
      { type: 'event', name: 'crm_stage' },
    ])
    expect(res.body.accepted).toBe(2)
    expect(res.body.rejected.map((r: any) => [r.index, r.code])).toEqual([[1, 'too_old'], [2, 'in_future']])
    expect(rows('SELECT ts FROM events ORDER BY ts').map((r) => r.ts)).toEqual([clock.now() - 89 * day, clock.now()])
  })
  it('reports each invalid event by index and reason, storing the rest', async () => {
    const res = await t.sendServerEvents(secret, [
      { type: 'purchase', name: 'x' }, { type: 'event' }, { type: 'event', name: 'ok' }, { type: 'exposure', name: 'exp' },
      { type: 'event', name: 'ok', ts: 'yesterday' }, { type: 'event', name: 'ok', colour: 'red' }, { type: 'conversion', name: 'p', currency: 'euro' },
    ])
    expect(res.body.accepted).toBe(1)
    expect(res.body.rejected.map((r: any) => [r.index, r.code])).toEqual([
      [0, 'invalid_field'], [1, 'missing_field'], [3, 'invalid_field'], [4, 'invalid_field'], [5, 'unknown_field'], [6, 'invalid_field'],
    ])
    expect(rows('SELECT count(*) AS n FROM quarantine')).toEqual([{ n: 6 }])
  })
  it('drops identifiers when the consent it carries denies them', async () => {
    await t.sendServerEvents(secret, [{ type: 'event', name: 'x', visitorId: 'v1', userId: 'u1', ip: '203.0.113.1', userAgent: 'UA', consent: { analytics: false, ads: false }, url: 'https://shop.example/?gclid=G' }])
    const [r] = rows('SELECT visitor, user_id, click_id, url FROM events')
    expect(r.visitor).toMatch(/^h:/)
    expect(r.user_id).toBeNull()
    expect(r.click_id).toBeNull()
    expect(r.url).toBe('https://shop.example/')
  })
  it('needs the site secret: 401 without, 403 with a wrong or another site\'s secret', async () => {
    const other = (await t.createSite('other')).secret
    const send = (auth?: string) => t.app.request('/api/events', { method: 'POST', headers: auth ? { authorization: auth } : {}, body: JSON.stringify({ events: [{ type: 'event', name: 'x' }] }) })
    expect((await send()).status).toBe(401)
    expect((await send(`Bearer ${secret}x`)).status).toBe(403)
    expect((await send(`Bearer shop.${other.split('.')[1]}`)).status).toBe(403)
    expect((await send(`Bearer ${t.adminToken}`)).status).toBe(403)
    expect(rows('SELECT * FROM events')).toHaveLength(0)
  })
  it('answers 400 for more than 100 events or a body without events', async () => {
    const many = await t.sendServerEvents(secret, Array.from({ length: 101 }, () => ({ type: 'event', name: 'x' })))
    expect(many.status).toBe(400)
    const res = await t.app.request('/api/events', { method: 'POST', headers: { authorization: `Bearer ${secret}` }, body: '[]' })
    expect(res.status).toBe(400)
    expect((await res.json()).error.code).toBe('invalid_batch')
  })
})

describe('GET /pixel.gif', () => {
  const gif = (qs: string, headers: Record<string, string> = {}) => t.app.request(`/pixel.gif?${qs}`, { headers })
  it('stores one event from query parameters and answers a GIF', async () => {
    const res = await gif('s=shop&y=c&n=purchase&a=49.9&m=EUR&o=A-1&u=https%3A%2F%2Fshop.example%2Fthanks&p.plan=pro')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('image/gif')
    expect(new Uint8Array(await res.arrayBuffer()).slice(0, 3)).toEqual(new Uint8Array([0x47, 0x49, 0x46]))
    const [r] = rows('SELECT type, name, value, currency, order_id, props, origin, path FROM events')
    expect(r).toEqual({ type: 'conversion', name: 'purchase', value: 49.9, currency: 'EUR', order_id: 'A-1', props: '{"plan":"pro"}', origin: 'pixel', path: '/thanks' })
  })
  it('uses the Referer as the page for a plain <img> pageview', async () => {
    await gif('s=shop', { referer: 'https://shop.example/pricing?token=x' })
    expect(rows('SELECT type, url FROM events')).toEqual([{ type: 'pageview', url: 'https://shop.example/pricing' }])
  })
  it('still answers a GIF for bad input, an unknown site or a foreign origin, with the reason in a header', async () => {
    for (const [qs, headers] of [['', {}], ['s=nope', {}], ['s=shop&a=lots&y=c&n=x', {}], ['s=shop', { referer: 'https://evil.example/' }]] as const) {
      const res = await gif(qs, headers)
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toBe('image/gif')
      expect(res.headers.get('x-funnelbeam-error')).toBeTruthy()
    }
    expect(rows('SELECT * FROM events')).toHaveLength(0)
  })
})

describe('operations', () => {
  it('answers /healthz and unknown routes with JSON', async () => {
    expect(await (await t.app.request('/healthz')).json()).toEqual({ ok: true, derivation: { pendingEvents: 0, lagSeconds: 0 } })
    const res = await t.app.request('/nope')
    expect(res.status).toBe(404)
    expect((await res.json()).error.code).toBe('not_found')
  })
  it('exposes request latency per route in /metrics', async () => {
    await t.app.request('/healthz')
    const text = await (await t.app.request('/metrics')).text()
    expect(text).toMatch(/funnelbeam_http_request_duration_seconds_count\{route="\/healthz"\} 1/)
  })
  it('answers an internal failure with a generic 500 that leaks nothing', async () => {
    await t.store.close()
    const res = await t.sendServerEvents(secret, [{ type: 'event', name: 'x' }])
    expect(res.status).toBe(500)
    expect(res.body).toEqual({ error: { code: 'internal', message: 'Internal server error' } })
  })
})
