/**
 * Sending conversions to ad platform destinations from the durable outbox, against a local
 * stand-in of the Meta, Google Data Manager and Yandex Metrica APIs that checks each
 * request against their documented contract: every conversion arrives once per
 * destination, a failure is retried after its backoff, a refusal fails for good, and a
 * collector restart on the same database sends nothing twice. Tokens never show.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeTestApp, signIn, TestClock, type TestApp } from '../helpers/app.ts'
import { startAdPlatforms, type StandIn } from '../helpers/ad-platforms.ts'
import { SqliteStore } from '../../collector/src/store/sqlite.ts'
import { Metrics } from '../../collector/src/http/metrics.ts'
import { OutboxWorker } from '../../collector/src/exports/outbox.ts'
import type { Config } from '../../collector/src/config.ts'

const SHOP = 'https://shop.example'
const TOKENS = { meta: 'meta-token-0123456789', google: 'google-token-0123456789', yandex: 'yandex-token-0123456789' }
const clock = new TestClock(Date.parse('2026-11-25T12:00:00Z'))
const iso = (minutesAgo: number) => new Date(clock.now() - minutesAgo * 60_000).toISOString()
const id = (n: number) => `0190f1aa-0000-7000-8000-${String(n).padStart(12, '0')}`

/** A visitor clicking an ad with these click ids, then buying. */
function buyer(n: number, query: string, minutesAgo: number, more: object = {}) {
  return [
    { type: 'pageview', name: 'pageview', ts: iso(minutesAgo + 5), visitorId: `v${n}`, url: `${SHOP}/?${query}` },
    { id: id(n), type: 'conversion', name: 'purchase', ts: iso(minutesAgo), visitorId: `v${n}`, value: 10 * n, currency: 'EUR', orderId: `O-${n}`, url: `${SHOP}/thanks`, ...more },
  ]
}

describe('ad platform destinations and the outbox', () => {
  let dir: string
  let api: StandIn
  let t: TestApp
  let secret: string
  let worker: OutboxWorker
  const logs: string[] = []
  const log = (msg: string, err?: unknown) => { logs.push(`${msg} ${err instanceof Error ? err.message : String(err ?? '')}`) }
  let metrics: Metrics
  let config: Partial<Config>

  async function open() {
    metrics = new Metrics()
    t = await makeTestApp({ clock, store: new SqliteStore(join(dir, 'funnelbeam.db')), config, metrics, log })
    worker = new OutboxWorker({ store: t.store, config: t.config, clock, metrics, log })
  }
  const auth = () => ({ authorization: `Bearer ${t.adminToken}`, 'content-type': 'application/json' })
  const put = (platform: string, body: object) => t.app.request(`/api/sites/shop/destinations/${platform}`, { method: 'PUT', headers: auth(), body: JSON.stringify(body) })
  const getJson = async (path: string) => (await t.app.request(path, { headers: auth() })).json() as Promise<any>

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'funnelbeam-outbox-'))
    api = await startAdPlatforms(TOKENS, () => clock.now())
    config = { adPlatforms: api.urls }
    await open()
    secret = (await t.createSite('shop', { origins: [SHOP], currency: 'EUR', timezone: 'UTC' })).secret
  })
  afterAll(async () => {
    await worker.stop()
    await t.close()
    await api.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('stores destinations without ever showing their tokens', async () => {
    expect((await put('meta', { pixelId: '1234567890', accessToken: TOKENS.meta, conversion: 'purchase' })).status).toBe(200)
    expect((await put('google-data-manager', { customerId: '1234567890', conversionAction: '555', accessToken: TOKENS.google, conversion: 'purchase' })).status).toBe(200)
    expect((await put('yandex-metrica', { counterId: '4444', oauthToken: TOKENS.yandex })).status).toBe(200)
    expect((await put('google-ads', { accessToken: 'x' })).status).toBe(404)
    expect((await put('meta', { pixelId: 'abc', accessToken: TOKENS.meta })).status).toBe(400)
    const listed = await getJson('/api/sites/shop/destinations')
    expect(listed.destinations.map((d: any) => [d.platform, d.token])).toEqual([['google-data-manager', 'set'], ['meta', 'set'], ['yandex-metrica', 'set']])
    expect(JSON.stringify(listed)).not.toMatch(/token-0123456789/)
  })

  it('sends each new conversion once, retrying a failure after its backoff', async () => {
    clock.advance(20 * 60_000) // conversions after the destinations were set up
    const sent = await t.sendServerEvents(secret, [
      ...buyer(1, 'gclid=G1', 10), ...buyer(2, 'fbclid=IwAR-2', 9), ...buyer(3, 'yclid=3333', 8), ...buyer(4, 'gbraid=B4', 7),
      ...buyer(5, 'gclid=G5', 6, { consent: { analytics: true, ads: false } }), // no ads consent: never sent
    ])
    expect(sent.body).toMatchObject({ accepted: 10 })
    await t.settle()
    api.failNext('meta', 503)
    await worker.tick()
    expect(api.received).toEqual({ meta: [], google: ['O-1', 'O-4'], yandex: ['3333,purchase'] })
    const meta = await getJson('/api/sites/shop/destinations/meta/deliveries')
    expect(meta.deliveries).toMatchObject([{ eventId: id(2), status: 'pending', attempts: 1, lastError: expect.stringMatching(/^HTTP 503/) }])
    await worker.tick() // not due yet
    expect(api.received.meta).toEqual([])
    clock.advance(31_000)
    await worker.tick()
    await worker.tick()
    expect(api.received).toEqual({ meta: [id(2)], google: ['O-1', 'O-4'], yandex: ['3333,purchase'] })
    expect(api.violations).toEqual([])
    expect((await getJson('/api/sites/shop/destinations')).destinations.map((d: any) => d.deliveries)).toEqual([{ sent: 2 }, { sent: 1 }, { sent: 1 }])
    const text = await (await t.app.request('/metrics')).text()
    expect(text).toContain('funnelbeam_outbox_sent_total{platform="google-data-manager"} 2')
    expect(text).toContain('funnelbeam_outbox_retries_total{platform="meta"} 1')
  })

  it('sends nothing twice across a restart, and new conversions once', async () => {
    await worker.stop()
    await t.close()
    await open()
    await worker.tick()
    expect(api.received).toEqual({ meta: [id(2)], google: ['O-1', 'O-4'], yandex: ['3333,purchase'] })
    await t.sendServerEvents(secret, [...buyer(6, 'gclid=G6', 1), ...buyer(7, 'fbclid=IwAR-7', 1)])
    await t.settle()
    worker.start()
    await worker.tick()
    await worker.tick()
    expect(api.received).toEqual({ meta: [id(2), id(7)], google: ['O-1', 'O-4', 'O-6'], yandex: ['3333,purchase'] })
  })

  it('fails a batch the platform refuses, without retrying it or logging a token', async () => {
    await t.sendServerEvents(secret, buyer(8, 'gclid=G8', 0))
    await t.settle()
    api.failNext('google', 400)
    await worker.tick()
    clock.advance(3_600_000)
    await worker.tick()
    const google = await getJson('/api/sites/shop/destinations/google-data-manager/deliveries')
    expect(google.deliveries[0]).toMatchObject({ eventId: id(8), status: 'failed', attempts: 1, lastError: expect.stringMatching(/^HTTP 400/) })
    expect(api.received.google).not.toContain('O-8')
    expect(logs.join('\n')).toMatch(/google-data-manager for site shop: HTTP 400/)
    expect(logs.join('\n')).not.toMatch(/token-0123456789/)
    const page = await (await t.app.request('http://localhost/dashboard/shop/ads', { headers: { cookie: await signIn((p, i) => t.app.request(p, i), t.adminToken) } })).text()
    expect(page).toContain('Google Data Manager (JSON) · purchase')
    expect(page).toMatch(/3 sent · 0 pending · 1 failed/)
    expect(page).not.toMatch(/token-0123456789/)
    expect((await t.app.request('/api/sites/shop/destinations/meta', { method: 'DELETE', headers: auth() })).status).toBe(200)
    expect((await getJson('/api/sites/shop/destinations')).destinations).toHaveLength(2)
  })
})
