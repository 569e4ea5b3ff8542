import { describe, expect, it } from 'vitest'
import { call, eventually, fixture, ready, type Build, useRigPage } from './harness.ts'

const s = useRigPage()

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
    for (const p of ['/p/spa', '/p/spa/inbox', '/p/spa/reports']) s.server.page(p, fixture({ build, body: ROUTER, title: 'Home' }))
    await s.page.goto(`${s.server.url}/p/spa`)
    await ready(s.page)
    await s.page.getByRole('link', { name: 'Inbox' }).click()
    await s.page.getByRole('link', { name: 'Inbox' }).click()
    await s.page.getByRole('link', { name: 'FAQ' }).click()
    await s.page.getByRole('link', { name: 'Reports' }).click()
    await s.page.evaluate(() => history.replaceState({ kept: 1 }, '', location.href))
    await s.page.goBack()
    await expect.poll(() => s.page.evaluate(() => location.pathname)).toBe('/p/spa/inbox')
    await s.page.goForward()
    await expect.poll(() => s.page.evaluate(() => location.pathname)).toBe('/p/spa/reports')
    await call(s.page, 'flush')
    const rows = await eventually(() => {
      const r = s.server.stored().filter((e) => e.type == 'pageview')
      expect(r.map((e) => e.path)).toEqual(['/p/spa', '/p/spa/inbox', '/p/spa/reports', '/p/spa/inbox', '/p/spa/reports'])
      return r
    })
    // The referrer of a route change is the previous route; the title is the new one.
    expect(rows.map((e) => e.referrer && new URL(e.referrer).pathname)).toEqual([null, '/p/spa', '/p/spa/inbox', '/p/spa/reports', '/p/spa/inbox'])
    expect(rows[1].title).toBe('Inbox')
    expect(await s.page.evaluate(() => performance.getEntriesByType('navigation').length)).toBe(1)
  })

  it('hash routes: setting location.hash and hash links are pageviews', async () => {
    s.server.page('/p/hash', fixture({ build, body: '<a href="#/cart">Cart</a>' }))
    await s.page.goto(`${s.server.url}/p/hash#/home`)
    await ready(s.page)
    await s.page.evaluate(() => { location.hash = '#/plans' })
    await s.page.getByRole('link', { name: 'Cart' }).click()
    await s.page.goBack()
    await expect.poll(() => s.page.evaluate(() => location.hash)).toBe('#/plans')
    await call(s.page, 'flush')
    // The collector stores a hash route as the rest of the path.
    await eventually(() => expect(s.server.stored().filter((e) => e.type == 'pageview').map((e) => e.path)).toEqual(['/p/hash/home', '/p/hash/plans', '/p/hash/cart', '/p/hash/plans']))
  })

  it('a back/forward-cache restore (pageshow, persisted) counts the page again', async () => {
    // Chromium under automation keeps no back/forward cache, so the browser's own event is dispatched.
    s.server.page('/p/bf', fixture({ build }))
    await s.page.goto(`${s.server.url}/p/bf`)
    await ready(s.page)
    await s.page.evaluate(() => dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true })))
    await call(s.page, 'flush')
    await eventually(() => expect(s.server.stored().filter((e) => e.type == 'pageview').map((e) => e.path)).toEqual(['/p/bf', '/p/bf']))
  })
})

describe('script tag in Chromium', () => {
  it('replays calls queued before load, in order, and one bad call does not stop the rest', async () => {
    s.server.page('/p/queue', fixture({ queue: [['track', 'first', { n: 1 }], ['no_such_command'], ['track'], ['convert', 'lead'], ['track', 'last']] }))
    await s.page.goto(`${s.server.url}/p/queue`)
    await ready(s.page)
    await s.page.evaluate(() => (window as unknown as { funnelbeam: { track(n: string): void } }).funnelbeam.track('after_load'))
    await call(s.page, 'flush')
    await eventually(() => expect(s.server.stored().map((e) => e.name)).toEqual(['pageview', 'first', 'lead', 'last', 'after_load']))
  })

  it('tracks outbound clicks without holding the navigation back', async () => {
    s.server.page('/p/out', fixture({ body: '<a href="/p/elsewhere?from=out" data-fb-event="cta_click" data-fb-prop-plan="pro">Go</a>' }))
    s.server.page('/p/elsewhere', '<!doctype html><title>elsewhere</title>')
    await s.page.goto(`${s.server.url}/p/out`)
    await ready(s.page)
    // The collector does not answer until the new page has loaded: a tracker that waited
    // for its request (or for a fixed delay longer than the held request) would never get there.
    const held: (() => Promise<void>)[] = []
    await s.page.route('**/collect**', (route) => { held.push(() => route.continue()) })
    await s.page.getByRole('link', { name: 'Go' }).click()
    await s.page.waitForURL('**/p/elsewhere?from=out', { timeout: 15_000 })
    await s.page.unroute('**/collect**')
    for (const release of held) await release().catch(() => {})
    await eventually(() => expect(s.server.stored().find((e) => e.name == 'cta_click')).toMatchObject({ props: JSON.stringify({ plan: 'pro' }) }))
  })
})
