import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { call, eventually, fixture, launchChromium, ready, startRig, type Build, type Rig } from './harness.ts'

let browser: Browser
let rig: Rig
let context: BrowserContext
let page: Page

beforeAll(async () => { browser = await launchChromium() })
afterAll(async () => { await browser?.close() })
beforeEach(async () => {
  rig = await startRig()
  context = await browser.newContext()
  page = await context.newPage()
})
afterEach(async () => {
  await context?.close()
  await rig?.close()
})

const ROUTER = `<nav><a data-route href="/p/spa/inbox">Inbox</a> <a data-route href="/p/spa/reports">Reports</a> <a href="#faq">FAQ</a></nav>
<h2 id="faq">FAQ</h2>
<script>
  document.addEventListener('click', (e) => {
    const a = e.target.closest('a[data-route]')
    if (!a) return
    e.preventDefault()
    document.title = a.textContent
    history.pushState({}, '', a.getAttribute('href'))
  })
</script>`

describe.each(['script', 'esm'] as Build[])('SPA navigation in Chromium (%s build)', (build) => {
  it('one pageview per route: pushState, replaceState, back, forward; anchors and repeats are not pages', async () => {
    for (const p of ['/p/spa', '/p/spa/inbox', '/p/spa/reports']) rig.page(p, fixture({ build, body: ROUTER, title: 'Home' }))
    await page.goto(`${rig.url}/p/spa`)
    await ready(page)
    await page.getByRole('link', { name: 'Inbox' }).click()
    await page.getByRole('link', { name: 'Inbox' }).click()
    await page.getByRole('link', { name: 'FAQ' }).click()
    await page.getByRole('link', { name: 'Reports' }).click()
    await page.evaluate(() => history.replaceState({ kept: 1 }, '', location.href))
    await page.goBack()
    await expect.poll(() => page.evaluate(() => location.pathname)).toBe('/p/spa/inbox')
    await page.goForward()
    await expect.poll(() => page.evaluate(() => location.pathname)).toBe('/p/spa/reports')
    await call(page, 'flush')
    const rows = await eventually(() => {
      const r = rig.stored().filter((e) => e.type == 'pageview')
      expect(r.map((e) => e.path)).toEqual(['/p/spa', '/p/spa/inbox', '/p/spa/reports', '/p/spa/inbox', '/p/spa/reports'])
      return r
    })
    // The referrer of a route change is the previous route; the title is the new one.
    expect(rows.map((e) => e.referrer && new URL(e.referrer).pathname)).toEqual([null, '/p/spa', '/p/spa/inbox', '/p/spa/reports', '/p/spa/inbox'])
    expect(rows[1].title).toBe('Inbox')
    expect(await page.evaluate(() => performance.getEntriesByType('navigation').length)).toBe(1)
  })

  it('hash routes: setting location.hash and hash links are pageviews', async () => {
    rig.page('/p/hash', fixture({ build, body: '<a href="#/cart">Cart</a>' }))
    await page.goto(`${rig.url}/p/hash#/home`)
    await ready(page)
    await page.evaluate(() => { location.hash = '#/plans' })
    await page.getByRole('link', { name: 'Cart' }).click()
    await page.goBack()
    await expect.poll(() => page.evaluate(() => location.hash)).toBe('#/plans')
    await call(page, 'flush')
    // The collector stores a hash route as the rest of the path.
    await eventually(() => expect(rig.stored().filter((e) => e.type == 'pageview').map((e) => e.path)).toEqual(['/p/hash/home', '/p/hash/plans', '/p/hash/cart', '/p/hash/plans']))
  })

  it('a back/forward-cache restore (pageshow, persisted) counts the page again', async () => {
    // Chromium under automation keeps no back/forward cache, so the browser's own event is dispatched.
    rig.page('/p/bf', fixture({ build }))
    await page.goto(`${rig.url}/p/bf`)
    await ready(page)
    await page.evaluate(() => dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true })))
    await call(page, 'flush')
    await eventually(() => expect(rig.stored().filter((e) => e.type == 'pageview').map((e) => e.path)).toEqual(['/p/bf', '/p/bf']))
  })
})

describe('script tag in Chromium', () => {
  it('replays calls queued before load, in order, and one bad call does not stop the rest', async () => {
    rig.page('/p/queue', fixture({ queue: [['track', 'first', { n: 1 }], ['no_such_command'], ['track'], ['convert', 'lead'], ['track', 'last']] }))
    await page.goto(`${rig.url}/p/queue`)
    await ready(page)
    await page.evaluate(() => (window as unknown as { funnelbeam: { track(n: string): void } }).funnelbeam.track('after_load'))
    await call(page, 'flush')
    await eventually(() => expect(rig.stored().map((e) => e.name)).toEqual(['pageview', 'first', 'lead', 'last', 'after_load']))
  })

  it('tracks outbound clicks without holding the navigation back', async () => {
    rig.page('/p/out', fixture({ body: '<a href="/p/elsewhere?from=out" data-fb-event="cta_click" data-fb-prop-plan="pro">Go</a>' }))
    rig.page('/p/elsewhere', '<!doctype html><title>elsewhere</title>')
    await page.goto(`${rig.url}/p/out`)
    await ready(page)
    const t0 = Date.now()
    await page.getByRole('link', { name: 'Go' }).click()
    await page.waitForURL('**/p/elsewhere?from=out')
    expect(Date.now() - t0).toBeLessThan(1000)
    await eventually(() => expect(rig.stored().find((e) => e.name == 'cta_click')).toMatchObject({ props: JSON.stringify({ plan: 'pro' }) }))
  })
})
