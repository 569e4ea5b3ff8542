// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest'
import { BUILDS, openPage, type TestPage } from './harness'

let p: TestPage
afterEach(() => p?.close())

const AD = 'https://shop.example/?utm_source=google&utm_medium=cpc&gclid=G-1&fbclid=F-1'
const FORM = '<form data-fb-convert="lead"><input type="hidden" name="g" data-fb-attribution="gclid"><input type="hidden" name="s" data-fb-attribution="utm_source"></form>'
const nothingKept = { local: {}, session: [], cookie: '' }

/** Everything a visitor can do on a page, each of which might tempt an SDK to store something. */
async function useEverything(page: TestPage) {
  page.fb.track('cta_click', { plan: 'pro' })
  page.fb.experiment('hero', ['a', 'b'])
  page.fb.identify('u-1')
  page.fb.convert('purchase', { value: 9, currency: 'EUR', orderId: 'O-1' })
  page.window.history.pushState({}, '', '/pricing?utm_campaign=spring&gclid=G-2')
  page.fb.attribution()
  page.window.document.querySelector('form')?.dispatchEvent(new page.window.Event('submit', { bubbles: true, cancelable: true }))
  page.window.document.dispatchEvent(new page.window.Event('visibilitychange'))
  page.window.dispatchEvent(new page.window.Event('pagehide'))
  await page.fb.flush()
  await page.settle()
}

describe.each(BUILDS)('consent (%s build)', (build) => {
  describe('anonymous (the default)', () => {
    it('before any choice, writes nothing to cookies, localStorage or sessionStorage', async () => {
      p = await openPage(build, { url: AD, html: FORM, respond: (_, n) => (n == 0 ? { status: 503 } : { status: 200 }) })
      await useEverything(p)
      expect(p.kept()).toEqual(nothingKept)
      expect(p.events().length).toBeGreaterThan(4)
    })

    it('before any choice, sends no visitor id, no user id and no click id', async () => {
      p = await openPage(build, { url: AD, html: FORM, referrer: 'https://ads.example/?gclid=R-1' })
      await useEverything(p)
      const sent = JSON.stringify(p.posts)
      expect(sent).not.toMatch(/G-1|G-2|F-1|R-1|gclid|fbclid/)
      expect(p.events().every((e) => e.c == 0 && e.v === undefined && e.d === undefined)).toBe(true)
      expect(p.events()[0].u).toBe('https://shop.example/?utm_source=google&utm_medium=cpc')
    })

    it('remembers the choice itself once made, and turns on a persistent visitor id with analytics', async () => {
      p = await openPage(build, { url: AD })
      p.fb.consent({ analytics: true })
      p.fb.track('after')
      await p.fb.flush()
      const kept = p.kept().local
      expect(JSON.parse(kept._fb_c)).toEqual({ analytics: true })
      const after = p.events().find((e) => e.n == 'after')!
      expect(after).toMatchObject({ c: 1 })
      expect(after.v).toMatch(/^[0-9a-f-]{36}$/)
      expect(JSON.parse(kept._fb).v).toBe(after.v)
      // Analytics only: the click id is still removed from what is sent.
      expect(after.u).not.toContain('gclid')
    })

    it('granting analytics sends a consent event at the landing URL, so the visit\'s campaign reaches the visitor id', async () => {
      p = await openPage(build, { url: AD, referrer: 'https://www.google.com/' })
      await p.fb.flush()
      p.window.history.pushState({}, '', '/pricing')
      p.fb.consent({ analytics: true, ads: true })
      p.fb.consent({ analytics: true }) // no change: no second event
      await p.fb.flush()
      const consent = p.events().filter((e) => e.n == 'consent')
      expect(consent).toEqual([expect.objectContaining({ y: 'e', u: AD, r: 'https://www.google.com/', c: 3, v: expect.any(String) })])
    })

    it('with ads consent, sends and stores click ids', async () => {
      p = await openPage(build, { url: AD })
      p.fb.consent({ analytics: true, ads: true })
      await p.fb.flush()
      expect(p.events()[0]).toMatchObject({ c: 3, u: AD })
      expect(p.fb.attribution().clickIds).toEqual({ gclid: 'G-1', fbclid: 'F-1' })
      expect(p.kept().local._fb).toContain('G-1')
    })

    it('a remembered choice applies on the next page, and is sent with every event', async () => {
      const first = await openPage(build, { url: AD })
      first.fb.consent({ analytics: true, ads: false })
      const storage = first.kept().local
      first.close()
      p = await openPage(build, { url: 'https://shop.example/next', storage })
      p.fb.track('x')
      await p.fb.flush()
      // The first page's pageview never left (the page closed first): the outbox brings it along.
      expect(p.events().map((e) => [e.u, e.n, e.c])).toEqual([
        ['https://shop.example/?utm_source=google&utm_medium=cpc', 'pageview', 1],
        ['https://shop.example/?utm_source=google&utm_medium=cpc', 'consent', 1],
        ['https://shop.example/next', 'pageview', 1], ['https://shop.example/next', 'x', 1],
      ])
      expect(new Set(p.events().map((e) => e.v)).size).toBe(1)
    })
  })

  describe('opt-in', () => {
    it('sends nothing and stores nothing before consent', async () => {
      p = await openPage(build, { url: AD, html: FORM, consent: 'opt-in' })
      await useEverything(p)
      expect(p.posts).toEqual([])
      expect(p.beacons).toEqual([])
      expect(p.kept()).toEqual(nothingKept)
    })

    it('sends what waited in memory once analytics is granted, stamped with the consent', async () => {
      p = await openPage(build, { url: AD, consent: 'opt-in' })
      const id = p.fb.track('early')
      p.fb.consent({ analytics: true })
      await p.fb.flush()
      await p.settle()
      // No consent event: the held pageview itself carries the campaign to the visitor id.
      expect(p.events().map((e) => [e.n, e.c])).toEqual([['pageview', 1], ['early', 1]])
      expect(p.events()[1].i).toBe(id)
      expect(p.events().every((e) => e.v && !e.u.includes('gclid'))).toBe(true)
    })

    it('drops what waited when the visitor denies, and sends nothing afterwards', async () => {
      p = await openPage(build, { url: AD, consent: 'opt-in', debug: true })
      p.fb.track('early')
      p.fb.consent({ analytics: false, ads: false })
      p.fb.track('late')
      p.window.history.pushState({}, '', '/later')
      await p.fb.flush()
      await p.settle()
      expect(p.posts).toEqual([])
      expect(p.logs.some((l) => l.includes('no consent'))).toBe(true)
      // Only the choice is kept.
      expect(Object.keys(p.kept().local)).toEqual(['_fb_c'])
    })
  })

  describe('opt-out', () => {
    it('grants both until the visitor says otherwise', async () => {
      p = await openPage(build, { url: AD, consent: 'opt-out' })
      await p.fb.flush()
      expect(p.events()[0]).toMatchObject({ c: 3, u: AD })
      expect(p.events()[0].v).toBeTruthy()
    })

    it('revoking analytics deletes the visitor id, attribution and queued events', async () => {
      p = await openPage(build, { url: AD, consent: 'opt-out', respond: () => ({ status: 503 }) })
      p.fb.identify('u-1')
      p.fb.experiment('hero', ['a', 'b'])
      await p.fb.flush()
      expect(JSON.parse(p.kept().local._fb)).toMatchObject({ d: 'u-1', x: { hero: expect.any(String) }, o: expect.any(Array) })
      const before = p.events()[0].v
      p.fb.consent({ analytics: false, ads: false })
      expect(p.kept().local).toEqual({ _fb_c: JSON.stringify({ analytics: false, ads: false }) })
      expect(p.fb.attribution()).toMatchObject({ clickIds: {} })
      const posts = p.posts.length
      await p.settle()
      // The undelivered events are gone: retries send nothing of them.
      expect(p.posts.slice(posts).flatMap((x) => x.batch.e)).toEqual([])
      p.fb.track('after')
      await p.fb.flush()
      const after = p.events().at(-1)!
      expect(after).toMatchObject({ n: 'after', c: 0 })
      expect(after.v).toBeUndefined()
      expect(before).toBeTruthy()
    })
  })

  describe('privacy signals', () => {
    it('Global Privacy Control denies ads even when the visitor grants them', async () => {
      p = await openPage(build, { url: AD, gpc: true, consent: 'opt-out' })
      p.fb.consent({ analytics: true, ads: true })
      await p.fb.flush()
      expect(p.events().every((e) => e.c == 1 && !e.u.includes('gclid'))).toBe(true)
      expect(p.fb.attribution().clickIds).toEqual({})
      expect(p.kept().local._fb).not.toContain('G-1')
    })

    it('with respectDnt, Do Not Track denies everything: nothing sent, nothing stored', async () => {
      p = await openPage(build, { url: AD, html: FORM, dnt: true, respectDnt: true, consent: 'opt-out' })
      await useEverything(p)
      expect(p.posts).toEqual([])
      expect(p.kept()).toEqual(nothingKept)
    })

    it('without respectDnt, Do Not Track changes nothing', async () => {
      p = await openPage(build, { dnt: true })
      await p.fb.flush()
      expect(p.events()).toHaveLength(1)
    })
  })

  it('filling hidden inputs needs no consent, but click ids need ads consent', async () => {
    p = await openPage(build, { url: AD, html: FORM })
    const input = (k: string) => (p.window.document.querySelector(`[data-fb-attribution="${k}"]`) as unknown as HTMLInputElement).value
    expect(input('utm_source')).toBe('google')
    expect(input('gclid')).toBe('')
    p.fb.consent({ analytics: true, ads: true })
    p.window.document.querySelector('form')!.dispatchEvent(new p.window.Event('submit', { bubbles: true, cancelable: true }))
    expect(input('gclid')).toBe('G-1')
  })
})

describe('storage the SDK can touch at all', () => {
  it('neither build mentions cookies or sessionStorage: localStorage, behind consent, is the only store', async () => {
    const { readFileSync } = await import('node:fs')
    const { dirname, resolve } = await import('node:path')
    const { fileURLToPath } = await import('node:url')
    const dist = resolve(dirname(fileURLToPath(import.meta.url)), '../../dist')
    for (const f of ['funnelbeam.js', 'esm/index.js']) {
      const code = readFileSync(resolve(dist, f), 'utf8')
      expect(code, f).not.toMatch(/cookie|sessionStorage|indexedDB/i)
      expect(code, f).toContain('localStorage')
    }
  })
})
