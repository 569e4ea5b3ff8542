/**
 * End-to-end harness: the real collector (createApp on a real SQLite file in a temp dir)
 * with the demo shop mounted as `npm start` does, served over HTTP on 127.0.0.1, and a
 * real headless Chromium. Tests read what arrived straight from the store's database.
 */
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import type { BrowserContext, Page } from 'playwright-core'
import { expect } from 'vitest'
import { makeTestApp, startTestServer, type TestApp } from '../helpers/app.ts'
import { useBrowserPage, type BrowserPage } from '../helpers/browser.ts'
import { demoSiteRoutes } from '../../demo-site/routes.ts'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
export const DEMO_DIR = `${ROOT}demo-site/public`
export const SDK_DIR = `${ROOT}dist`

export { CHROMIUM_ARGS, eventually, launchChromium } from '../helpers/browser.ts'

export interface Shop {
  t: TestApp
  url: string
  secret: string
  close(): Promise<void>
}

/**
 * Starts collector + demo shop with a `demo` site that allows the server's own origin.
 * Headless Chromium sets `navigator.webdriver`, so bots are allowed as in a real test setup.
 */
export async function startShop(): Promise<Shop> {
  if (!existsSync(`${SDK_DIR}/funnelbeam.js`)) throw new Error('dist/funnelbeam.js is missing: build the SDK first (npm run build; npm test does it)')
  const t = await makeTestApp({ config: { allowBots: true, sdkDir: SDK_DIR } })
  t.app.route('/', demoSiteRoutes(DEMO_DIR))
  const server = await startTestServer({ fetch: (req: Request) => withFixtures(t, req) })
  const { secret } = await t.createSite('demo', { origins: [server.url] })
  return {
    t, url: server.url, secret,
    async close() {
      await server.close()
      await t.close()
    },
  }
}

/** The collector answers everything except the test-only fixture pages under `/_e2e/`. */
async function withFixtures(t: TestApp, req: Request): Promise<Response> {
  return (await e2eFixture(new URL(req.url).pathname)) ?? t.app.fetch(req)
}

const FIXTURES = `${ROOT}test/e2e/fixtures/`
const JS = { 'content-type': 'text/javascript; charset=utf-8' }

/**
 * Test-only pages under `/_e2e/`: an SPA built on the ESM build (`dist/esm/index.js`),
 * the way an app developer uses `import { track } from 'funnelbeam'`.
 */
async function e2eFixture(path: string): Promise<Response | null> {
  if (path === '/_e2e/esm/index.js') return new Response(await readFile(`${SDK_DIR}/esm/index.js`), { headers: JS })
  if (path === '/_e2e/esm-app.js') return new Response(await readFile(`${FIXTURES}esm-app.js`), { headers: JS })
  if (path.startsWith('/_e2e/app/')) return new Response(await readFile(`${FIXTURES}esm-app.html`), { headers: { 'content-type': 'text/html; charset=utf-8' } })
  // The README's recipe pages (test/e2e/recipes.test.ts); names are checked, never joined as given.
  const recipe = path.match(/^\/_e2e\/recipes\/([a-z-]{1,40})\.html$/)
  if (recipe) return new Response(await readFile(`${FIXTURES}recipes/${recipe[1]}.html`), { headers: { 'content-type': 'text/html; charset=utf-8' } })
  return null
}

export interface StoredEvent {
  type: string
  name: string
  path: string | null
  url: string | null
  visitor: string | null
  session_id: string | null
  source: string | null
  medium: string | null
  campaign: string | null
  click_id_type: string | null
  click_id: string | null
  channel: string
  value: number | null
  currency: string | null
  order_id: string | null
  consent: number
  props: string | null
}

/** Every stored event of a site, in time order. */
export function storedEvents(shop: Shop, site = 'demo'): StoredEvent[] {
  return shop.t.store.db.prepare('SELECT * FROM events WHERE site = ? ORDER BY ts, rowid').all(site) as StoredEvent[]
}

export interface CollectLog {
  /** Every request the page made to the collector's ingest endpoints. */
  requests: { url: string; body: string }[]
  /** Events in those requests (parsed from `/collect` batches). */
  events(): { y: string; n: string; u: string; o?: string; c: number; v?: string }[]
}

/** Records the page's requests to `/collect` and `/pixel.gif`. */
export function watchCollect(target: Page | BrowserContext): CollectLog {
  const requests: { url: string; body: string }[] = []
  target.on('request', (req) => {
    const path = new URL(req.url()).pathname
    if (path === '/collect' || path === '/pixel.gif') requests.push({ url: req.url(), body: req.postData() ?? '' })
  })
  return {
    requests,
    events: () => requests.flatMap((r) => {
      try {
        return (JSON.parse(r.body) as { e: never[] }).e
      } catch {
        return []
      }
    }),
  }
}

/**
 * Collects console errors and uncaught exceptions of a page: a CSP violation, a broken
 * shop script or an SDK error would show up here.
 */
export function pageProblems(page: Page): string[] {
  const problems: string[] = []
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()) })
  page.on('pageerror', (e) => problems.push(String(e)))
  return problems
}

/** Waits until the SDK has replaced the stub (its API is on `window.funnelbeam`). */
export async function sdkReady(page: Page): Promise<void> {
  await page.waitForFunction(() => typeof (window as unknown as { funnelbeam?: { flush?: unknown } }).funnelbeam?.flush === 'function')
}

/** Asks the SDK to send what it has queued now, instead of waiting for its timer. */
export async function flush(page: Page): Promise<void> {
  await page.evaluate(() => (window as unknown as { funnelbeam: { flush(): Promise<void> } }).funnelbeam.flush())
}

/** Admin GET of a report, parsed. */
export async function report<T = any>(shop: Shop, path: string): Promise<T> {
  const res = await shop.t.app.request(`/api/sites/demo/${path}`, { headers: { authorization: `Bearer ${shop.t.adminToken}` } })
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`)
  return res.json() as Promise<T>
}

/** A shop test's browser page, plus the page's console/CSP problems and its /collect log. */
export interface ShopPage extends BrowserPage<Shop> {
  problems: string[]
  log: CollectLog
}

/**
 * The hooks of a shop test file: a fresh shop and page per test, and a test fails on any
 * console error or CSP violation, since the shop runs under its strict policy.
 *
 * @example
 * const s = useShopPage()
 * it('lands', async () => { await s.page.goto(s.server.url) })
 */
export function useShopPage(): ShopPage {
  return useBrowserPage(startShop, {
    afterPage: (s) => {
      const shop = s as ShopPage
      shop.problems = pageProblems(s.page)
      shop.log = watchCollect(s.context)
    },
    beforeClose: (s) => { expect((s as ShopPage).problems).toEqual([]) },
  }) as ShopPage
}
