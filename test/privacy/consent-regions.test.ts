import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TestClock, type TestApp } from '../helpers/app.ts'
import { eachStore } from '../helpers/stores.ts'
import { uuidv7 } from '../../collector/src/ingest/uuid.ts'
import { consentPrefix } from '../../collector/src/routes/script.ts'
import type { Store } from '../../collector/src/store/types.ts'

const ORIGIN = 'https://shop.example'
const UA = 'Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0 Safari/537.36'
const SDK_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../dist')
const REGIONS = { default: 'anonymous', rules: [{ countries: ['EEA', 'GB', 'CH'], mode: 'opt-in' }] }

eachStore('region-aware consent defaults', (open) => {
  let t: TestApp<Store>
  const clock = new TestClock(Date.parse('2026-11-20T12:00:00Z'))
  const admin = () => ({ authorization: `Bearer ${t.adminToken}`, 'content-type': 'application/json' })
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await t.app.request(path, { method, headers: admin(), body: body === undefined ? undefined : JSON.stringify(body) })
    return { status: res.status, body: await res.json() as any }
  }
  // Requests come through app.request (loopback only); TRUST_PROXY makes their X-Forwarded-For the client.
  const script = (headers: Record<string, string> = {}, query = '?site=shop') => Promise.resolve(t.app.request(`/funnelbeam.js${query}`, { headers }))

  beforeAll(async () => {
    t = await open(clock, { trustProxy: true, sdkDir: SDK_DIR })
    expect((await api('POST', '/api/sites', { id: 'shop', origins: [ORIGIN], consentRegions: REGIONS })).status).toBe(201)
    expect((await api('POST', '/api/sites', { id: 'blog', origins: [ORIGIN] })).status).toBe(201)
  })
  afterAll(() => t.close())

  it('stores the setting given at creation, and PATCH replaces or (with null) removes it', async () => {
    expect((await api('GET', '/api/sites/shop')).body.consentRegions).toEqual(REGIONS)
    expect((await api('GET', '/api/sites/blog')).body.consentRegions).toBeNull()
    const eu = { default: 'opt-out', rules: [{ countries: ['EU'], mode: 'opt-in' }] }
    expect((await api('PATCH', '/api/sites/blog', { consentRegions: eu })).body.consentRegions).toEqual(eu)
    const cleared = await api('PATCH', '/api/sites/blog', { consentRegions: null })
    expect(cleared.body).toMatchObject({ id: 'blog', origins: [ORIGIN], consentRegions: null })
    // Rules default to none.
    expect((await api('PATCH', '/api/sites/blog', { consentRegions: { default: 'opt-in' } })).body.consentRegions).toEqual({ default: 'opt-in', rules: [] })
    expect((await api('PATCH', '/api/sites/blog', { timezone: 'Europe/Berlin' })).body.consentRegions).toEqual({ default: 'opt-in', rules: [] })
    await api('PATCH', '/api/sites/blog', { consentRegions: null })
  })

  it('refuses a bad setting with the field named, and keeps the old one', async () => {
    const bad = await api('PATCH', '/api/sites/shop', { consentRegions: { default: 'anonymous', rules: [{ countries: ['DE', 'UK'], mode: 'opt-in' }] } })
    expect(bad.status).toBe(400)
    expect(bad.body.error.issues[0]).toMatchObject({ path: 'consentRegions.rules.0.countries.1', message: 'UK is not an ISO 3166-1 code: use GB' })
    const mode = await api('POST', '/api/sites', { id: 'shop2', consentRegions: { default: 'ask', rules: [] } })
    expect(mode.status).toBe(400)
    expect(mode.body.error.issues[0].path).toBe('consentRegions.default')
    expect((await api('GET', '/api/sites/shop')).body.consentRegions).toEqual(REGIONS)
  })

  it("serves the script with the default for the visitor's country, from a trusted header or the IP", async () => {
    const plain = await (await script({}, '')).text()
    const cases: [Record<string, string>, string][] = [
      [{ 'cf-ipcountry': 'DE' }, 'opt-in'],
      [{ 'cf-ipcountry': 'CH' }, 'opt-in'],
      [{ 'cf-ipcountry': 'US' }, 'anonymous'],
      [{ 'x-forwarded-for': '5.9.0.1' }, 'opt-in'], // Hetzner, Germany
      [{ 'x-forwarded-for': '2a01:4f8::1, 10.0.0.1' }, 'opt-in'], // Hetzner over IPv6, via one more proxy
      [{ 'x-forwarded-for': '8.8.8.8' }, 'anonymous'], // Google, United States
      [{ 'x-forwarded-for': '10.1.2.3' }, 'anonymous'], // private: country unknown, the default
      [{}, 'anonymous'],
    ]
    for (const [headers, mode] of cases) {
      const res = await script(headers)
      expect(res.status, JSON.stringify(headers)).toBe(200)
      expect(await res.text(), JSON.stringify(headers)).toBe(consentPrefix(mode as 'opt-in') + plain)
      // It depends on who asks: no shared cache may keep it.
      expect(res.headers.get('cache-control')).toBe('private, no-cache')
    }
  })

  it('answers 304 to a revalidation while the mode stays, and the new script when the country changes', async () => {
    const etag = (await script({ 'cf-ipcountry': 'FR' })).headers.get('etag')!
    expect((await script({ 'cf-ipcountry': 'IT', 'if-none-match': etag })).status).toBe(304)
    const us = await script({ 'cf-ipcountry': 'US', 'if-none-match': etag })
    expect(us.status).toBe(200)
    expect(await us.text()).toContain('"anonymous"')
  })

  it('serves the plain script to a site without regions, and refuses unknown or invalid sites', async () => {
    const plain = await script({}, '')
    expect(plain.headers.get('cache-control')).toBe('public, max-age=3600')
    const blog = await script({ 'cf-ipcountry': 'DE' }, '?site=blog')
    expect(await blog.text()).toBe(await plain.text())
    expect(blog.headers.get('etag')).toBe(plain.headers.get('etag'))
    expect((await script({}, '?site=nope')).status).toBe(404)
    expect((await script({}, '?site=Bad%20Site')).status).toBe(400)
  })

  it("fills events' country from the IP when no proxy names it, as the country breakdown shows", async () => {
    const send = (headers: Record<string, string>, n = 'pageview', y = 'p') => t.app.request('/collect', {
      method: 'POST',
      headers: { 'content-type': 'text/plain', origin: ORIGIN, 'user-agent': UA, ...headers },
      body: JSON.stringify({ s: 'shop', t: clock.now(), e: [{ i: uuidv7(clock.now()), y, n, t: clock.now(), u: `${ORIGIN}/`, c: 0 }] }),
    })
    const requests: Record<string, string>[] = [{ 'x-forwarded-for': '5.9.0.1' }, { 'x-forwarded-for': '193.99.144.80' }, { 'x-forwarded-for': '8.8.8.8' },
      { 'x-forwarded-for': '2001:4860:4860::8888' }, { 'x-forwarded-for': '198.51.100.9', 'cf-ipcountry': 'JP' }, { 'x-forwarded-for': '10.0.0.7' }]
    for (const h of requests) expect((await send(h)).status).toBe(200)
    await t.settle()
    const res = await t.app.request('/api/sites/shop/funnel?step=pageview:/&step=event:signup&from=2026-11-20&to=2026-11-20&breakdown=country', { headers: admin() })
    expect(res.status).toBe(200)
    const { breakdown } = await res.json() as { breakdown: Record<string, { visitors: number }[]> }
    const firstStep = Object.fromEntries(Object.entries(breakdown).map(([k, v]) => [k, v[0].visitors]))
    expect(firstStep).toEqual({ DE: 2, US: 2, JP: 1, '(unknown)': 1 })

    // A backend's conversion names its visitor's IP: that IP's country, too.
    const { secret } = await t.createSite('crm')
    const sent = await t.sendServerEvents(secret, [{ type: 'conversion', name: 'purchase', ip: '85.214.0.1', ts: '2026-11-20T11:00:00Z' }])
    expect(sent.status).toBe(200)
    await t.settle()
    const crm = await t.app.request('/api/sites/crm/funnel?step=conversion:purchase&step=event:x&from=2026-11-20&to=2026-11-20&breakdown=country', { headers: admin() })
    expect(Object.keys((await crm.json() as { breakdown: object }).breakdown)).toEqual(['DE'])
  })
})
