import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeTestApp, signIn, TestClock, type TestApp } from '../../../test/helpers/app.ts'

let t: TestApp
let cookie: string

beforeAll(async () => {
  t = await makeTestApp()
  const { secret } = await t.createSite('demo')
  const res = await t.sendServerEvents(secret, [
    { type: 'pageview', name: 'pageview', visitorId: 'v1', consent: { analytics: true, ads: true }, url: 'https://shop.example/?utm_source=news&utm_medium=email&utm_campaign=%3Cscript%3Ealert(1)%3C%2Fscript%3E' },
    { type: 'conversion', name: 'purchase', visitorId: 'v1', consent: { analytics: true, ads: true }, url: 'https://shop.example/thanks', value: 49, currency: 'EUR', orderId: 'A-1' },
  ])
  expect(res.body.accepted).toBe(2)
  cookie = await signIn((p, i) => t.app.request(p, i), t.adminToken)
})
afterAll(async () => { await t.close() })

const login = (body: Record<string, string>, headers: Record<string, string> = {}) =>
  t.app.request('http://localhost/dashboard/login', { method: 'POST', body: new URLSearchParams(body), headers })

describe('dashboard sign-in', () => {
  it('asks for the token with a login form, under a strict CSP', async () => {
    const res = await t.app.request('/dashboard/demo?model=linear')
    expect(res.status).toBe(401)
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
    const html = await res.text()
    expect(html).toContain('action="/dashboard/login"')
    expect(html).toContain('value="/dashboard/demo?model=linear"')
  })

  it('turns the right token into an HttpOnly, SameSite=Strict cookie and goes back', async () => {
    const res = await login({ token: t.adminToken, next: '/dashboard/demo?model=linear' })
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/dashboard/demo?model=linear')
    const set = res.headers.get('set-cookie')!
    // The cookie holds a random session id, never the token itself, and it expires.
    expect(set).toMatch(/^fb_session=[A-Za-z0-9_-]{43};/)
    expect(set).not.toContain(t.adminToken)
    expect(set).toMatch(/Max-Age=\d+/)
    expect(set).toContain('HttpOnly')
    expect(set).toContain('SameSite=Strict')
    expect(set).toContain('Path=/')
  })

  it('refuses a wrong token without setting a cookie', async () => {
    const res = await login({ token: 'nope', next: '/dashboard/demo' })
    expect(res.status).toBe(401)
    expect(res.headers.get('set-cookie')).toBeNull()
    expect(await res.text()).toContain('not right')
  })

  it('refuses a login posted from another site', async () => {
    const res = await login({ token: t.adminToken }, { origin: 'https://evil.example' })
    expect(res.status).toBe(403)
    expect(res.headers.get('set-cookie')).toBeNull()
  })

  it('never redirects off the dashboard after login', async () => {
    for (const next of ['//evil.example', 'https://evil.example/', '/dashboard/demo//evil', '/api/sites/demo/summary']) {
      expect((await login({ token: t.adminToken, next })).headers.get('location'), next).toBe('/dashboard')
    }
  })

  it('slows down token guessing: after 10 attempts in 15 minutes a client must wait', async () => {
    const guess = (ip: string) => t.app.request('http://localhost/dashboard/login', {
      method: 'POST', body: new URLSearchParams({ token: 'guess' }), headers: { 'x-forwarded-for': ip },
    })
    t.config.trustProxy = true
    try {
      for (let i = 0; i < 10; i++) expect((await guess('203.0.113.9')).status).toBe(401)
      const blocked = await guess('203.0.113.9')
      expect(blocked.status).toBe(429)
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0)
      expect(await blocked.text()).toContain('Too many sign-in attempts')
      expect((await guess('203.0.113.10')).status).toBe(401)
    } finally {
      t.config.trustProxy = false
    }
  })

  it('signs out by revoking the session, not only clearing the cookie', async () => {
    const own = await signIn((p, i) => t.app.request(p, i), t.adminToken)
    expect((await t.app.request('/dashboard/demo', { headers: { cookie: own } })).status).toBe(200)
    const res = await t.app.request('/dashboard/logout', { headers: { cookie: own } })
    expect(res.status).toBe(303)
    expect(res.headers.get('set-cookie')).toMatch(/fb_session=;.*Max-Age=0/)
    // A copy of the old cookie is worthless now.
    const after = await t.app.request('/dashboard/demo', { headers: { cookie: own } })
    expect(after.status).toBe(401)
    expect(await after.text()).toContain('session has expired')
    expect((await t.app.request('/api/sites/demo/summary', { headers: { cookie: own } })).status).toBe(401)
  })

  it('expires a session after its lifetime', async () => {
    const clock = new TestClock(Date.parse('2026-11-24T12:00:00Z'))
    const fresh = await makeTestApp({ clock })
    try {
      await fresh.createSite('demo')
      const own = await signIn((p, i) => fresh.app.request(p, i), fresh.adminToken)
      clock.advance(6 * 86_400_000)
      expect((await fresh.app.request('/dashboard/demo', { headers: { cookie: own } })).status).toBe(200)
      clock.advance(86_400_000 + 1)
      expect((await fresh.app.request('/dashboard/demo', { headers: { cookie: own } })).status).toBe(401)
    } finally {
      await fresh.close()
    }
  })

  it('lets the CSV exports use the same cookie, and only the right one', async () => {
    const ok = await t.app.request('/api/sites/demo/summary?format=csv', { headers: { cookie } })
    expect(ok.status).toBe(200)
    expect(ok.headers.get('content-type')).toContain('text/csv')
    // The old cookie, holding the admin token itself, opens nothing any more.
    expect((await t.app.request('/api/sites/demo/summary', { headers: { cookie: `fb_admin=${t.adminToken}` } })).status).toBe(401)
    expect((await t.app.request('/api/sites/demo/summary', { headers: { cookie: `fb_session=${'x'.repeat(43)}` } })).status).toBe(401)
  })
})

describe('dashboard page', () => {
  it('renders the reports with every event value escaped', async () => {
    const res = await t.app.request('/dashboard/demo', { headers: { cookie } })
    expect(res.status).toBe(200)
    expect(res.headers.get('cache-control')).toBe('no-store')
    const html = await res.text()
    expect(html).toContain('€49.00')
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
    expect(html).not.toMatch(/<script/i)
    expect(html).not.toMatch(/ style=/)
  })

  it('shows a bad funnel step as a notice in its section, not an error page', async () => {
    const res = await t.app.request('/dashboard/demo?step=nonsense&step=pageview:/', { headers: { cookie } })
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(html).toMatch(/This report is unavailable: [^<]*nonsense/)
    expect(html).toContain('id="channels"')
  })

  it('reuses figures for a minute and says so in the footer', async () => {
    const clock = new TestClock(Date.parse('2026-11-24T12:00:00Z'))
    const fresh = await makeTestApp({ clock })
    try {
      const { secret } = await fresh.createSite('demo')
      const buy = (orderId: string) => ({ type: 'conversion', name: 'purchase', visitorId: orderId, value: 10, currency: 'EUR', orderId, consent: { analytics: true } })
      await fresh.sendServerEvents(secret, [buy('A-1')])
      const freshCookie = await signIn((p, i) => fresh.app.request(p, i), fresh.adminToken)
      const page = async () => (await fresh.app.request('/dashboard/demo', { headers: { cookie: freshCookie } })).text()
      const first = await page()
      expect(first).toContain('figures computed now')
      expect(first).toContain('€10.00')
      clock.advance(30_000)
      await fresh.sendServerEvents(secret, [buy('A-2')])
      const second = await page()
      expect(second).toContain('some figures cached, computed 2026-11-24 12:00:00 UTC')
      expect(second).toContain('€10.00')
      clock.advance(30_000)
      const third = await page()
      expect(third).toContain('figures computed now')
      expect(third).toContain('€20.00')
    } finally {
      await fresh.close()
    }
  })

  it('answers 404 for an unknown site', async () => {
    expect((await t.app.request('/dashboard/nosuchsite', { headers: { cookie } })).status).toBe(404)
  })

  it('serves its stylesheet', async () => {
    const res = await t.app.request('/dashboard/_/dashboard.css')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('text/css')
  })
})

describe('experiment readout with planned weights', () => {
  // 366 control and 234 b exposures: a planned 60/40 split fits (expected 360/240:
  // chi² = 36/360 + 36/240 = 0.25, p = 0.617), an equal split does not (p < 0.001).
  beforeAll(async () => {
    const { secret } = await t.createSite('lab')
    const ts = new Date(Date.now() - 3_600_000).toISOString()
    const exposures = Array.from({ length: 600 }, (_, i) => ({
      type: 'exposure', name: 'checkout', ts, visitorId: `x${i}`, consent: { analytics: true, ads: true }, props: { variant: i < 366 ? 'control' : 'b' },
    }))
    for (let i = 0; i < exposures.length; i += 100) expect((await t.sendServerEvents(secret, exposures.slice(i, i + 100))).body.accepted).toBe(100)
  })
  const page = async (qs: string) => (await t.app.request(`/dashboard/lab?${qs}`, { headers: { cookie } })).text()

  it('checks the split against the weights in the filter form, kept in the URL', async () => {
    const html = await page('experiment=checkout&weights=control:60,b:40')
    expect(html).toContain('the planned split control 60 : b 40: p = 0.617')
    expect(html).toContain('the split matches the planned weights')
    expect(html).not.toContain('Sample ratio mismatch')
    expect(html).toMatch(/<input name="weights" value="control:60,b:40"/)
    // Other links and forms on the page carry the weights along.
    expect(html).toContain('weights=control%3A60%2Cb%3A40')
    // The API gives the same p-value for the same weights.
    const api = await t.app.request('/api/sites/lab/experiments/checkout?weights=control:60,b:40', { headers: { authorization: `Bearer ${t.adminToken}` } })
    expect((await api.json()).srm.pValue).toBeCloseTo(0.617, 3)
  })

  it('without weights checks an equal split, and raises the mismatch', async () => {
    const html = await page('experiment=checkout')
    expect(html).toContain('the planned split (equal): p = &lt; 0.001')
    expect(html).toContain('Sample ratio mismatch')
  })

  it('shows bad weights as a message in the experiment card, the rest of the page intact', async () => {
    const html = await page('experiment=checkout&weights=60,x')
    expect(html).toContain('weights must be numbers like 50,50')
    expect(html).toContain('id="funnel"')
  })
})
