import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import type { Hono } from 'hono'
import { createApp } from '../../collector/src/app.ts'
import { Deriver } from '../../collector/src/derive/deriver.ts'
import { DEFAULT_CONFIG, type Config } from '../../collector/src/config.ts'
import { SqliteStore } from '../../collector/src/store/sqlite.ts'
import type { Store } from '../../collector/src/store/types.ts'
import { createSite } from '../../collector/src/routes/sites.ts'
import type { Site } from '../../collector/src/model.ts'
import type { Clock } from '../../collector/src/clock.ts'
import type { Metrics } from '../../collector/src/http/metrics.ts'

/** A clock tests can set and move; starts at the real time unless told otherwise. */
export class TestClock implements Clock {
  constructor(public t = Date.now()) {}
  now(): number { return this.t }
  set(iso: string | number): void { this.t = typeof iso === 'number' ? iso : Date.parse(iso) }
  advance(ms: number): void { this.t += ms }
}

export interface TestApp<S extends Store = SqliteStore> {
  app: Hono
  store: S
  config: Config
  adminToken: string
  clock: Clock
  dir: string
  /** Waits until derivation has caught up with what was acknowledged (sessions, report rows). */
  settle(): Promise<void>
  /**
   * Stops the app's own derivation (it also runs every second), so a test can keep events
   * pending for as long as it needs; `settle()` then derives with a deriver of its own.
   */
  pauseDerivation(): Promise<void>
  /** Creates a site and returns its secret. */
  createSite(id: string, opts?: { origins?: string[]; currency?: string; timezone?: string }): Promise<{ id: string; secret: string }>
  /** POST /api/events with the site secret; returns the parsed JSON body and status. */
  sendServerEvents(secret: string, events: unknown[]): Promise<{ status: number; body: any }>
  close(): Promise<void>
}

/**
 * The real collector on a real SQLite file in a fresh temp dir.
 *
 * @example
 * const t = await makeTestApp()
 * const { secret } = await t.createSite('shop', { origins: ['https://shop.example'] })
 * const res = await t.app.request('/healthz')
 */
export async function makeTestApp<S extends Store = SqliteStore>(opts: { config?: Partial<Config>; clock?: Clock; store?: S; metrics?: Metrics; log?: (msg: string, err?: unknown) => void; housekeepingMs?: number } = {}): Promise<TestApp<S>> {
  const dir = mkdtempSync(join(tmpdir(), 'funnelbeam-test-'))
  const adminToken = 'test-admin-token'
  const config: Config = {
    ...DEFAULT_CONFIG, dataDir: dir, adminToken, rateLimit: { max: 100_000, windowMs: 60_000 }, ...opts.config,
  }
  const clock = opts.clock ?? { now: () => Date.now() }
  // A given store (e.g. PostgreSQL) is the app's from now on: close() closes it.
  const store = opts.store ?? (new SqliteStore(join(dir, 'funnelbeam.db')) as Store as S)
  const deriver = new Deriver(store, { log: () => {} })
  let paused = false
  const app = createApp({ store, config, clock, log: opts.log ?? (() => {}), deriver, metrics: opts.metrics, housekeepingMs: opts.housekeepingMs })
  return {
    app, store, config, adminToken, clock, dir,
    async settle() {
      if (!paused) return deriver.settle()
      const own = new Deriver(store, { log: () => {} })
      await own.settle()
      await own.close()
    },
    async pauseDerivation() {
      paused = true
      await deriver.close()
    },
    async createSite(id, o = {}) {
      const made = await createSite(store, clock, { id, origins: o.origins ?? [], currency: o.currency, timezone: o.timezone })
      if (!made) throw new Error(`site ${id} exists`)
      return made
    },
    async sendServerEvents(secret, events) {
      const res = await app.request('/api/events', {
        method: 'POST', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
        body: JSON.stringify({ events }),
      })
      return { status: res.status, body: await res.json() }
    },
    async close() {
      await store.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/**
 * Serves an app over real HTTP on 127.0.0.1 and a free port, for browser tests.
 *
 * @example
 * const server = await startTestServer(t.app)
 * await page.goto(`${server.url}/`)
 */
export async function startTestServer(app: { fetch: Hono['fetch'] }): Promise<{ url: string; port: number; close(): Promise<void> }> {
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) => {
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        port: info.port,
        close: () => new Promise<void>((done) => { server.close(() => done()); (server as any).closeAllConnections?.() }),
      })
    })
  })
}

/**
 * Signs in to the dashboard with a token (admin or report) and answers the `Cookie` header
 * value of the session it starts (`fb_session=…`).
 *
 * @example
 * const cookie = await signIn((path, init) => t.app.request(path, init), t.adminToken)
 * await t.app.request('/dashboard/shop', { headers: { cookie } })
 */
export async function signIn(request: (path: string, init: RequestInit) => Response | Promise<Response>, token: string): Promise<string> {
  const res = await request('/dashboard/login', { method: 'POST', body: new URLSearchParams({ token }), redirect: 'manual' })
  const set = res.headers.get('set-cookie') ?? ''
  const m = /fb_session=([^;]+)/.exec(set)
  if (res.status !== 303 || !m) throw new Error(`sign-in failed: ${res.status}`)
  return `fb_session=${m[1]}`
}

/**
 * A test app at 20:00 UTC on `today` with one site, `shop` (EUR, UTC): the fixture of the
 * attribution, pacing and shared-scan tests.
 *
 * @example
 * const { t, secret, site } = await makeShopApp('2026-11-24')
 */
export async function makeShopApp(today: string): Promise<{ t: TestApp; secret: string; site: Site }> {
  const t = await makeTestApp({ clock: new TestClock(Date.parse(`${today}T20:00:00Z`)) })
  const { secret } = await t.createSite('shop', { currency: 'EUR', timezone: 'UTC' })
  return { t, secret, site: (await t.store.getSite('shop'))! }
}
