import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'

/** The flags this machine's Chromium needs: no sandbox as root, no GPU, no calls home. */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking']

/**
 * Debian's Chromium (or CHROMIUM_PATH) driven by playwright-core, which cannot download
 * its own browsers here.
 *
 * @example
 * const browser = await launchChromium()
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS })
}

/**
 * Polls until `check` stops throwing or the time is up: the SDK batches for about a
 * second and retries back off, so what a browser sent arrives a little later.
 *
 * @example
 * await eventually(() => expect(storedEvents()).toHaveLength(2))
 */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 10_000, everyMs = 120): Promise<T> {
  const end = Date.now() + timeoutMs
  for (;;) {
    try {
      return await check()
    } catch (err) {
      if (Date.now() > end) throw err
      await new Promise((r) => setTimeout(r, everyMs))
    }
  }
}

/** What a browser test works with: one Chromium per file, a fresh server, context and page per test. */
export interface BrowserPage<S> {
  browser: Browser
  server: S
  context: BrowserContext
  page: Page
}

/**
 * Registers the hooks every browser test file needs and answers the object they fill:
 * Chromium once per file; per test a fresh server from `start`, a new context and page.
 * `afterPage` runs once the page exists, `beforeClose` before anything is closed (the
 * place for assertions about the whole test, such as "no console errors").
 *
 * @example
 * const s = useBrowserPage(startShop)
 * it('loads', async () => { await s.page.goto(s.server.url) })
 */
export function useBrowserPage<S extends { close(): Promise<void> }>(
  start: () => Promise<S>,
  hooks: { afterPage?: (s: BrowserPage<S>) => void; beforeClose?: (s: BrowserPage<S>) => void } = {},
): BrowserPage<S> {
  const s = {} as BrowserPage<S>
  beforeAll(async () => { s.browser = await launchChromium() })
  afterAll(async () => { await s.browser?.close() })
  beforeEach(async () => {
    s.server = await start()
    s.context = await s.browser.newContext()
    s.page = await s.context.newPage()
    hooks.afterPage?.(s)
  })
  afterEach(async () => {
    hooks.beforeClose?.(s)
    await s.context?.close()
    await s.server?.close()
  })
  return s
}
