// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest'
import { BUILDS, ENDPOINT, openPage, type TestPage } from './harness'

let p: TestPage
afterEach(() => p?.close())

const pageviews = () => p.events().filter((e) => e.y == 'p')

describe.each(BUILDS)('pageviews (%s build)', (build) => {
  it('sends one on load with URL, referrer, title, screen width and language, batched as text', async () => {
    p = await openPage(build, { url: 'https://shop.example/pricing?plan=pro', referrer: 'https://www.google.com/', title: 'Pricing' })
    await p.fb.flush()
    expect(p.posts).toHaveLength(1)
    const [post] = p.posts
    expect(post).toMatchObject({ url: `${ENDPOINT}/collect`, method: 'POST', keepalive: true, bodyIsString: true })
    expect(post.batch.s).toMatch(/^site\d+$/)
    expect(post.batch.t).toBeGreaterThanOrEqual(post.batch.e[0].t)
    expect(post.batch.b).toBeUndefined()
    expect(post.batch.e).toEqual([expect.objectContaining({
      y: 'p', n: 'pageview', u: 'https://shop.example/pricing?plan=pro', r: 'https://www.google.com/', h: 'Pricing', w: 1024, l: 'en-US', c: 0,
    })])
    expect(post.batch.e[0].i).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/)
  })

  it('counts history navigation, with the previous URL as referrer, never twice in a row for one URL', async () => {
    p = await openPage(build, { referrer: 'https://www.google.com/' })
    const h = p.window.history
    h.pushState({}, '', '/app/inbox')
    h.pushState({}, '', '/app/inbox') // a repeated click on the same route
    h.replaceState({ scroll: 10 }, '', '/app/inbox') // routers store state without moving
    h.replaceState({}, '', '/app/reports') // a redirect is a page
    h.pushState({}, '', '/app/reports#details') // an anchor is not a page
    await p.fb.flush()
    expect(pageviews().map((e) => [new URL(e.u).pathname, e.r && new URL(e.r).pathname])).toEqual([
      ['/landing', '/'], ['/app/inbox', '/landing'], ['/app/reports', '/app/inbox'],
    ])
  })

  // (Setting location.hash in a real browser fires popstate too: test/sdk covers that in Chromium.)
  it('counts hash routes and going back (popstate), but not anchors', async () => {
    p = await openPage(build, { url: 'https://shop.example/#/home' })
    p.window.history.pushState({}, '', '#/cart')
    p.window.history.back()
    await p.settle()
    p.window.history.pushState({}, '', '/docs')
    p.window.history.pushState({}, '', '/docs#install')
    await p.fb.flush()
    expect(pageviews().map((e) => e.u.slice(20))).toEqual(['/#/home', '/#/cart', '/#/home', '/docs'])
  })

  it('counts a page restored from the back/forward cache again', async () => {
    p = await openPage(build)
    const restored = new p.window.Event('pageshow')
    Object.defineProperty(restored, 'persisted', { value: true })
    p.window.dispatchEvent(new p.window.Event('pageshow')) // a normal load: already counted
    p.window.dispatchEvent(restored)
    await p.fb.flush()
    expect(pageviews().map((e) => e.u)).toEqual(['https://shop.example/landing', 'https://shop.example/landing'])
  })

  it('leaves history alone when SPA tracking is off, but page() still works', async () => {
    p = await openPage(build, { spa: false })
    p.window.history.pushState({}, '', '/elsewhere')
    p.fb.page('/virtual/step-2')
    await p.fb.flush()
    expect(pageviews().map((e) => e.u)).toEqual(['https://shop.example/landing', 'https://shop.example/virtual/step-2'])
  })

  it('sends batches in order and keeps each event time', async () => {
    p = await openPage(build)
    for (let i = 0; i < 5; i++) p.fb.track('step', { i })
    await p.fb.flush()
    expect(p.posts).toHaveLength(1)
    const times = p.events().map((e) => e.t)
    expect([...times].sort()).toEqual(times)
    expect(p.events().filter((e) => e.y == 'e').map((e) => e.p!.i)).toEqual([0, 1, 2, 3, 4])
  })

  it('cuts titles and URLs to what the collector accepts (300 and 2048 characters), instead of losing the pageview', async () => {
    p = await openPage(build, { url: 'https://shop.example/?q=' + 'x'.repeat(3000), title: 'T'.repeat(400) })
    await p.fb.flush()
    expect(p.events()[0].h).toHaveLength(300)
    expect(p.events()[0].u).toHaveLength(2048)
  })

  it('flags automated browsers (navigator.webdriver) as bots instead of dropping them', async () => {
    p = await openPage(build, { webdriver: true })
    await p.fb.flush()
    expect(p.posts[0].batch.b).toBe(1)
    expect(p.events()).toHaveLength(1)
  })
})
