/**
 * Real Chromium against the real collector (createApp on a SQLite file), with small HTML
 * fixture pages served by the same server, so the SDK runs on an allowed origin.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Page } from 'playwright-core'
import { makeTestApp, startTestServer, type TestApp } from '../helpers/app.ts'
import { useBrowserPage, type BrowserPage } from '../helpers/browser.ts'

export const DIST = fileURLToPath(new URL('../../dist', import.meta.url))
export const SITE = 'shop'

export { eventually, launchChromium } from '../helpers/browser.ts'

export type Build = 'script' | 'esm'

export interface PageSpec {
  build?: Build
  /** Where the script tag loads the SDK from (default: the page's own server). */
  src?: string
  /** Extra `data-*` attributes of the script tag, or init() options of the ESM build. */
  options?: Record<string, string | boolean>
  /** Stub calls made before the script loads, e.g. [['track', 'early']]. */
  queue?: unknown[][]
  body?: string
  title?: string
}

/** The fixture page: the stub snippet from DESIGN.md and the script tag, or an ESM import. */
export function fixture(spec: PageSpec = {}): string {
  const opts = spec.options ?? {}
  const head = spec.build == 'esm'
    ? `<script type="module">import * as fb from '/esm/index.js'; fb.init(${JSON.stringify({ site: SITE, endpoint: location_origin(), ...opts })}); window.fb = fb; window.fbEsm = true</script>`
    : `<script>window.funnelbeam=window.funnelbeam||function(){(funnelbeam.q=funnelbeam.q||[]).push(arguments)}</script>
<script>${(spec.queue ?? []).map((c) => `funnelbeam(${c.map((a) => JSON.stringify(a)).join(',')});`).join('')}</script>
<script async src="${spec.src ?? '/funnelbeam.js'}" data-site="${SITE}"${Object.entries(opts).map(([k, v]) => ` data-${k}="${v}"`).join('')}></script>
<script>window.fb = new Proxy({}, { get: (_, k) => (...a) => window.funnelbeam[k](...a) })</script>`
  return `<!doctype html><html><head><meta charset="utf-8"><title>${spec.title ?? 'Fixture'}</title>${head}</head><body>${spec.body ?? ''}</body></html>`
}
// The ESM page reads its endpoint from the page's own origin at run time.
const location_origin = () => '__ORIGIN__'

export interface Rig {
  t: TestApp
  url: string
  /** Serves `html` at `path` (and any query string). */
  page(path: string, html: string): void
  stored(): StoredEvent[]
  close(): Promise<void>
}

export interface StoredEvent {
  id: string
  type: string
  name: string
  path: string | null
  url: string | null
  referrer: string | null
  title: string | null
  visitor: string | null
  consent: number
  bot: number
  value: number | null
  currency: string | null
  order_id: string | null
  props: string | null
  ts: number
}

/** Starts the collector with fixture routes and a site that allows its own origin. */
export async function startRig(): Promise<Rig> {
  // allowBots stays off: headless Chromium sets navigator.webdriver, so events are stored flagged as bots.
  const t = await makeTestApp({ config: { sdkDir: DIST } })
  const pages = new Map<string, string>()
  t.app.get('/esm/:file', (c) => c.body(readFileSync(`${DIST}/esm/${c.req.param('file')}`, 'utf8'), 200, { 'content-type': 'text/javascript' }))
  t.app.get('/p/*', (c) => {
    const html = pages.get(c.req.path)
    return html ? c.html(html.replace('"__ORIGIN__"', JSON.stringify(new URL(c.req.url).origin))) : c.text('no fixture', 404)
  })
  const server = await startTestServer(t.app)
  // The site also allows the same server under the name localhost, a second origin for cross-origin tests.
  await t.createSite(SITE, { origins: [server.url, server.url.replace('127.0.0.1', 'localhost')] })
  return {
    t, url: server.url,
    page: (path, html) => void pages.set(path, html),
    stored: () => t.store.db.prepare('SELECT * FROM events WHERE site = ? ORDER BY ts, rowid').all(SITE) as StoredEvent[],
    async close() {
      await server.close()
      await t.close()
    },
  }
}

/** Waits until the script tag (or the ESM module) has set up the API. */
export async function ready(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const w = window as unknown as { funnelbeam?: { flush?: unknown }; fbEsm?: boolean }
    return typeof w.funnelbeam?.flush == 'function' || w.fbEsm == true
  })
}

/** Calls an SDK method in the page (either build) and answers its result. */
export function call<T = unknown>(page: Page, method: string, ...args: unknown[]): Promise<T> {
  return page.evaluate(([m, a]) => (window as unknown as { fb: Record<string, (...x: unknown[]) => unknown> }).fb[m as string](...(a as unknown[])), [method, args] as const) as Promise<T>
}


/**
 * The hooks of an SDK browser test file: a fresh collector rig, context and page per test.
 *
 * @example
 * const s = useRigPage()
 * it('loads', async () => { await s.page.goto(s.server.url) })
 */
export function useRigPage(): BrowserPage<Rig> {
  return useBrowserPage(startRig)
}
