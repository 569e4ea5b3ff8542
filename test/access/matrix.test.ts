/**
 * The access matrix: every route of the app × every kind of credential answers exactly as
 * README.md documents. Routes are read from the app itself (`app.routes`), so a new route
 * without a row here fails the test. Also: origins off a site's allowlist are refused.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeTestApp, signIn, TestClock, type TestApp } from '../helpers/app.ts'
import { uuidv7 } from '../../collector/src/ingest/uuid.ts'

const ORIGIN = 'https://shop.example'
const UA = 'Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0 Safari/537.36'

/** The credentials, in the column order of the table. */
const CREDS = ['none', 'wrong', 'otherSecret', 'otherReport', 'report', 'secret', 'admin'] as const
type Cred = typeof CREDS[number]

/**
 * How a credential is sent: as `Authorization: Bearer`, as the sign-in form's token, or as
 * the session cookie a sign-in with it gave (none when the sign-in was refused).
 */
type Via = 'bearer' | 'form' | 'cookie'

interface Row {
  via: Via
  /** Statuses for none, wrong token, another site's secret, another site's report token, this site's report token, this site's secret, admin. */
  expect: [number, number, number, number, number, number, number]
  request: () => { path: string; init?: RequestInit }
}

const ALL = (s: number): Row['expect'] => [s, s, s, s, s, s, s]
/** Admin only: 401 without a token, 403 with any other. */
const ADMIN = (ok: number): Row['expect'] => [401, 403, 403, 403, 403, 403, ok]
/** Readers of the site: the admin or the site's report token. */
const READER: Row['expect'] = [401, 403, 403, 403, 200, 403, 200]

const json = (method: string, body: unknown): RequestInit => ({ method, body: JSON.stringify(body), headers: { 'content-type': 'application/json' } })
let clock: TestClock
const batch = () => ({
  method: 'POST', headers: { 'content-type': 'text/plain', origin: ORIGIN, 'user-agent': UA },
  body: JSON.stringify({ s: 'shop', t: clock.now(), e: [{ i: uuidv7(clock.now()), y: 'p', n: 'pageview', t: clock.now(), u: `${ORIGIN}/`, c: 0 }] }),
})
let revocable: string

const MATRIX: Record<string, Row> = {
  'POST /collect': { via: 'bearer', expect: ALL(200), request: () => ({ path: '/collect', init: batch() }) },
  'GET /pixel.gif': { via: 'bearer', expect: ALL(200), request: () => ({ path: `/pixel.gif?s=shop&n=pageview&u=${encodeURIComponent(ORIGIN + '/')}` }) },
  // The secret names its site: another site's secret stores events for that other site.
  'POST /api/events': { via: 'bearer', expect: [401, 403, 200, 403, 403, 200, 403], request: () => ({ path: '/api/events', init: json('POST', { events: [{ type: 'event', name: 'signup' }] }) }) },
  'GET /api/sites': { via: 'bearer', expect: ADMIN(200), request: () => ({ path: '/api/sites' }) },
  'POST /api/sites': { via: 'bearer', expect: ADMIN(201), request: () => ({ path: '/api/sites', init: json('POST', { id: 'made', origins: [] }) }) },
  'GET /api/sites/:site': { via: 'bearer', expect: ADMIN(200), request: () => ({ path: '/api/sites/shop' }) },
  'PATCH /api/sites/:site': { via: 'bearer', expect: ADMIN(200), request: () => ({ path: '/api/sites/shop', init: json('PATCH', { origins: [ORIGIN] }) }) },
  'POST /api/sites/:site/tokens': { via: 'bearer', expect: ADMIN(201), request: () => ({ path: '/api/sites/shop/tokens', init: json('POST', { label: 'made' }) }) },
  'GET /api/sites/:site/tokens': { via: 'bearer', expect: ADMIN(200), request: () => ({ path: '/api/sites/shop/tokens' }) },
  'DELETE /api/sites/:site/tokens/:id': { via: 'bearer', expect: ADMIN(200), request: () => ({ path: `/api/sites/shop/tokens/${revocable}`, init: { method: 'DELETE' } }) },
  'GET /api/sites/:site/visitors/:id': { via: 'bearer', expect: ADMIN(200), request: () => ({ path: '/api/sites/shop/visitors/v1' }) },
  'DELETE /api/sites/:site/visitors/:id': { via: 'bearer', expect: ADMIN(200), request: () => ({ path: '/api/sites/shop/visitors/v1', init: { method: 'DELETE' } }) },
  'GET /api/sites/:site/users/:id': { via: 'bearer', expect: ADMIN(200), request: () => ({ path: '/api/sites/shop/users/u1' }) },
  'DELETE /api/sites/:site/users/:id': { via: 'bearer', expect: ADMIN(200), request: () => ({ path: '/api/sites/shop/users/u1', init: { method: 'DELETE' } }) },
  'GET /api/sites/:site/summary': { via: 'bearer', expect: READER, request: () => ({ path: '/api/sites/shop/summary?format=csv' }) },
  'GET /api/sites/:site/funnel': { via: 'bearer', expect: READER, request: () => ({ path: '/api/sites/shop/funnel?step=pageview:/&step=event:signup' }) },
  'GET /api/sites/:site/channels': { via: 'bearer', expect: READER, request: () => ({ path: '/api/sites/shop/channels' }) },
  'GET /api/sites/:site/campaigns': { via: 'bearer', expect: READER, request: () => ({ path: '/api/sites/shop/campaigns' }) },
  'GET /api/sites/:site/attribution': { via: 'bearer', expect: READER, request: () => ({ path: '/api/sites/shop/attribution?conversion=purchase' }) },
  'GET /api/sites/:site/experiments/:name': { via: 'bearer', expect: READER, request: () => ({ path: '/api/sites/shop/experiments/hero' }) },
  'PUT /api/sites/:site/spend': {
    via: 'bearer', expect: ADMIN(200),
    request: () => ({ path: '/api/sites/shop/spend', init: { method: 'PUT', headers: { 'content-type': 'text/csv' }, body: 'date,source,medium,campaign,cost,impressions,clicks\n2026-11-19,google,cpc,x,1.5,10,2\n' } }),
  },
  'GET /api/sites/:site/spend': { via: 'bearer', expect: ADMIN(200), request: () => ({ path: '/api/sites/shop/spend' }) },
  'DELETE /api/sites/:site/spend': { via: 'bearer', expect: ADMIN(200), request: () => ({ path: '/api/sites/shop/spend?source=google', init: { method: 'DELETE' } }) },
  'PUT /api/sites/:site/budgets': { via: 'bearer', expect: ADMIN(200), request: () => ({ path: '/api/sites/shop/budgets', init: json('PUT', [{ month: '2026-11', channel: 'Paid Search', amount: 3000 }]) }) },
  'GET /api/sites/:site/budgets': { via: 'bearer', expect: ADMIN(200), request: () => ({ path: '/api/sites/shop/budgets' }) },
  'DELETE /api/sites/:site/budgets': { via: 'bearer', expect: ADMIN(200), request: () => ({ path: '/api/sites/shop/budgets?month=2026-11', init: { method: 'DELETE' } }) },
  'GET /api/sites/:site/pacing': { via: 'bearer', expect: READER, request: () => ({ path: '/api/sites/shop/pacing?month=2026-11' }) },
  'GET /api/sites/:site/timeseries': { via: 'bearer', expect: READER, request: () => ({ path: '/api/sites/shop/timeseries' }) },
  // Conversion exports carry click ids and hashed users, and destinations hold platform tokens: admin only.
  'GET /api/sites/:site/exports/:platform': { via: 'bearer', expect: ADMIN(200), request: () => ({ path: '/api/sites/shop/exports/google-ads' }) },
  'PUT /api/sites/:site/destinations/:platform': { via: 'bearer', expect: ADMIN(200), request: () => ({ path: '/api/sites/shop/destinations/meta', init: json('PUT', { pixelId: '123', accessToken: 'EAAB-test-token', conversion: 'purchase' }) }) },
  'GET /api/sites/:site/destinations': { via: 'bearer', expect: ADMIN(200), request: () => ({ path: '/api/sites/shop/destinations' }) },
  'GET /api/sites/:site/destinations/:platform/deliveries': { via: 'bearer', expect: ADMIN(200), request: () => ({ path: '/api/sites/shop/destinations/meta/deliveries' }) },
  'DELETE /api/sites/:site/destinations/:platform': { via: 'bearer', expect: ADMIN(200), request: () => ({ path: '/api/sites/shop/destinations/meta', init: { method: 'DELETE' } }) },
  // Goals and alerts change what counts and where messages go: admin only.
  'PUT /api/sites/:site/goals/:name': { via: 'bearer', expect: ADMIN(200), request: () => ({ path: '/api/sites/shop/goals/thanks', init: json('PUT', { path: '/thanks*' }) }) },
  'GET /api/sites/:site/goals': { via: 'bearer', expect: ADMIN(200), request: () => ({ path: '/api/sites/shop/goals' }) },
  'DELETE /api/sites/:site/goals/:name': { via: 'bearer', expect: ADMIN(200), request: () => ({ path: '/api/sites/shop/goals/thanks', init: { method: 'DELETE' } }) },
  'PUT /api/sites/:site/alerts/:id': { via: 'bearer', expect: ADMIN(201), request: () => ({ path: '/api/sites/shop/alerts/stopped', init: json('PUT', { type: 'tracking_stopped', webhook: 'https://hooks.example/x', minutes: 30, minEvents: 10 }) }) },
  'GET /api/sites/:site/alerts': { via: 'bearer', expect: ADMIN(200), request: () => ({ path: '/api/sites/shop/alerts' }) },
  'GET /api/sites/:site/alerts/history': { via: 'bearer', expect: ADMIN(200), request: () => ({ path: '/api/sites/shop/alerts/history' }) },
  'GET /api/sites/:site/alerts/:id': { via: 'bearer', expect: ADMIN(200), request: () => ({ path: '/api/sites/shop/alerts/stopped' }) },
  'DELETE /api/sites/:site/alerts/:id': { via: 'bearer', expect: ADMIN(200), request: () => ({ path: '/api/sites/shop/alerts/stopped', init: { method: 'DELETE' } }) },
  'GET /healthz': { via: 'bearer', expect: ALL(200), request: () => ({ path: '/healthz' }) },
  'GET /metrics': { via: 'bearer', expect: ALL(200), request: () => ({ path: '/metrics' }) },
  'GET /funnelbeam.js': { via: 'bearer', expect: ALL(200), request: () => ({ path: '/funnelbeam.js' }) },
  // The API description is public: it holds no data, only what every request may send.
  'GET /openapi.json': { via: 'bearer', expect: ALL(200), request: () => ({ path: '/openapi.json' }) },
  'GET /docs': { via: 'bearer', expect: ALL(200), request: () => ({ path: '/docs' }) },
  'GET /dashboard/_/dashboard.css': { via: 'bearer', expect: ALL(200), request: () => ({ path: '/dashboard/_/dashboard.css' }) },
  // A Bearer header opens no dashboard page: the dashboard knows only its session cookie.
  'GET /dashboard': { via: 'cookie', expect: [401, 401, 401, 303, 303, 401, 200], request: () => ({ path: '/dashboard' }) },
  'POST /dashboard/login': { via: 'form', expect: [401, 401, 401, 303, 303, 401, 303], request: () => ({ path: '/dashboard/login' }) },
  'GET /dashboard/logout': { via: 'cookie', expect: ALL(303), request: () => ({ path: '/dashboard/logout' }) },
  'GET /dashboard/open': { via: 'cookie', expect: ALL(303), request: () => ({ path: '/dashboard/open?site=shop' }) },
  // The ad platforms page uploads spend and links the conversion exports: admin sessions only.
  'GET /dashboard/:site/ads': { via: 'cookie', expect: [401, 401, 401, 403, 403, 401, 200], request: () => ({ path: '/dashboard/shop/ads' }) },
  'POST /dashboard/:site/spend': { via: 'cookie', expect: [401, 401, 401, 403, 403, 401, 400], request: () => ({ path: '/dashboard/shop/spend', init: { method: 'POST', body: new FormData() } }) },
  'GET /dashboard/:site/alerts': { via: 'cookie', expect: [401, 401, 401, 403, 403, 401, 200], request: () => ({ path: '/dashboard/shop/alerts' }) },
  'GET /dashboard/:site': { via: 'cookie', expect: [401, 401, 401, 403, 200, 401, 200], request: () => ({ path: '/dashboard/shop' }) },
}

let t: TestApp
let sdkDir: string
const token: Record<Cred, string | null> = { none: null, wrong: 'wrong-token', otherSecret: '', otherReport: '', report: '', secret: '', admin: '' }
let ip = 0

async function newReportToken(site: string): Promise<string> {
  const res = await t.app.request(`/api/sites/${site}/tokens`, { method: 'POST', headers: { authorization: `Bearer ${t.adminToken}` } })
  expect(res.status).toBe(201)
  return (await res.json()).token
}

/** A request from its own client address, so the sign-in limiter never counts the matrix's sign-ins together. */
function request(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers)
  headers.set('x-forwarded-for', `198.51.100.${++ip % 250}`)
  return Promise.resolve(t.app.request(path, { ...init, headers }))
}

async function send(row: Row, cred: Cred): Promise<Response> {
  const { path, init = {} } = row.request()
  const secret = token[cred]
  const headers = new Headers(init.headers)
  if (row.via === 'bearer' && secret) headers.set('authorization', `Bearer ${secret}`)
  if (row.via === 'form') return request(path, { method: 'POST', body: new URLSearchParams(secret ? { token: secret } : {}) })
  if (row.via === 'cookie' && secret) {
    const cookie = await signIn((p, i) => request(p, i), secret).catch(() => null)
    if (cookie) headers.set('cookie', cookie)
  }
  return request(path, { ...init, headers })
}

beforeAll(async () => {
  clock = new TestClock(Date.parse('2026-11-20T12:00:00Z'))
  // A stand-in for the built SDK: the matrix is about who may fetch it, not what it holds.
  sdkDir = mkdtempSync(join(tmpdir(), 'fb-sdk-'))
  writeFileSync(join(sdkDir, 'funnelbeam.js'), '/* sdk */')
  t = await makeTestApp({ clock, config: { trustProxy: true, sdkDir } })
  token.secret = (await t.createSite('shop', { origins: [ORIGIN] })).secret
  token.otherSecret = (await t.createSite('blog', { origins: ['https://blog.example'] })).secret
  token.admin = t.adminToken
  token.report = await newReportToken('shop')
  token.otherReport = await newReportToken('blog')
})
afterAll(async () => {
  await t.close()
  rmSync(sdkDir, { recursive: true, force: true })
})

describe('access matrix', () => {
  it('has a row for every route the app serves', () => {
    const served = [...new Set(t.app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${r.path}`))].sort()
    expect(served).toEqual(Object.keys(MATRIX).sort())
  })

  for (const [route, row] of Object.entries(MATRIX)) {
    it(`${route} answers as documented`, async () => {
      const got: Record<string, number> = {}
      const want: Record<string, number> = {}
      for (const [i, cred] of CREDS.entries()) {
        if (route === 'DELETE /api/sites/:site/tokens/:id') revocable = (await (await request('/api/sites/shop/tokens', { method: 'POST', headers: { authorization: `Bearer ${t.adminToken}` } })).json()).id
        got[cred] = (await send(row, cred)).status
        want[cred] = row.expect[i]
      }
      expect(got).toEqual(want)
    })
  }

  it('a revoked report token opens nothing, and its dashboard sessions end with it', async () => {
    const fresh = await newReportToken('shop')
    const cookie = await signIn((p, i) => request(p, i), fresh)
    const id = /^fbr_([0-9a-f]{16})\./.exec(fresh)![1]
    expect((await request('/api/sites/shop/summary', { headers: { authorization: `Bearer ${fresh}` } })).status).toBe(200)
    expect((await request(`/api/sites/shop/tokens/${id}`, { method: 'DELETE', headers: { authorization: `Bearer ${t.adminToken}` } })).status).toBe(200)
    expect((await request('/api/sites/shop/summary', { headers: { authorization: `Bearer ${fresh}` } })).status).toBe(403)
    expect((await request('/dashboard/shop', { headers: { cookie } })).status).toBe(401)
  })

  it('lists tokens without their secrets', async () => {
    const res = await request('/api/sites/shop/tokens', { headers: { authorization: `Bearer ${t.adminToken}` } })
    const text = await res.text()
    expect(JSON.parse(text).tokens.length).toBeGreaterThan(0)
    expect(text).not.toContain(token.report!.split('.')[1])
    expect(text).not.toMatch(/fbr_/)
  })
})

describe('origins', () => {
  it('refuses a batch from an origin off the allowlist, and counts it', async () => {
    const init = batch()
    const res = await request('/collect', { ...init, headers: { ...init.headers as Record<string, string>, origin: 'https://evil.example' } })
    expect(res.status).toBe(403)
    expect((await res.json()).error.code).toBe('origin_not_allowed')
    expect(await (await request('/metrics')).text()).toMatch(/funnelbeam_requests_refused_total\{reason="origin_not_allowed"\} [1-9]/)
  })
})
