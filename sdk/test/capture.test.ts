// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest'
import { BUILDS, click, openPage, type TestPage } from './harness'

let p: TestPage
afterEach(() => p?.close())

const $ = (sel: string) => p.window.document.querySelector(sel)! as unknown as HTMLElement
const custom = () => p.events().filter((e) => e.y != 'p')

describe.each(BUILDS)('what the SDK captures (%s build)', (build) => {
  describe('attribution', () => {
    it('keeps the first and the last touch across visits, with click ids under ads consent', async () => {
      const ad = await openPage(build, { url: 'https://shop.example/?utm_source=google&utm_medium=cpc&utm_campaign=brand&gclid=G-1', consent: 'opt-out' })
      const storage = ad.kept().local
      ad.close()
      p = await openPage(build, { url: 'https://shop.example/blog', referrer: 'https://news.example/story', consent: 'opt-out', storage })
      const a = p.fb.attribution()
      expect(a.first).toMatchObject({ utm_source: 'google', utm_medium: 'cpc', utm_campaign: 'brand', gclid: 'G-1', time: expect.any(Number) })
      expect(a.last).toEqual({ referrer: 'https://news.example/story', time: expect.any(Number) })
      expect(a.clickIds).toEqual({ gclid: 'G-1' })
    })

    it('a direct revisit keeps the last campaign', async () => {
      const ad = await openPage(build, { url: 'https://shop.example/?utm_source=mail&utm_campaign=nov', consent: 'opt-out' })
      const storage = ad.kept().local
      ad.close()
      p = await openPage(build, { url: 'https://shop.example/', consent: 'opt-out', storage })
      expect(p.fb.attribution().last).toMatchObject({ utm_source: 'mail', utm_campaign: 'nov' })
    })

    it('forgets touches older than 90 days', async () => {
      const old = Date.now() - 91 * 864e5
      const storage = { _fb_c: '{"analytics":true}', _fb: JSON.stringify({ a: { first: { utm_source: 'old', time: old }, last: { utm_source: 'old', time: old } } }) }
      p = await openPage(build, { url: 'https://shop.example/', storage })
      expect(p.fb.attribution()).toEqual({ first: undefined, last: undefined, clickIds: {} })
    })

    it('fills hidden inputs marked data-fb-attribution with any captured key', async () => {
      p = await openPage(build, {
        url: 'https://shop.example/signup?utm_source=linkedin&utm_content=hero&li_fat_id=L-1', consent: 'opt-out',
        html: '<form><input data-fb-attribution="utm_source"><input data-fb-attribution="utm_content"><input data-fb-attribution="li_fat_id"><input data-fb-attribution="utm_term" value="kept"></form>',
      })
      const values = [...p.window.document.querySelectorAll('input')].map((i) => (i as unknown as HTMLInputElement).value)
      expect(values).toEqual(['linkedin', 'hero', 'L-1', 'kept'])
    })
  })

  describe('clicks and forms', () => {
    it('tracks data-fb-event elements with their data-fb-prop-* props, without delaying the click', async () => {
      p = await openPage(build, { html: '<a href="/pricing" data-fb-event="cta_click" data-fb-prop-plan="pro" data-fb-prop-place="hero"><span id="in">Go</span></a>' })
      const { prevented } = click(p, $('#in'))
      await p.fb.flush()
      expect(prevented).toBe(false)
      expect(custom()).toEqual([expect.objectContaining({ y: 'e', n: 'cta_click', p: { plan: 'pro', place: 'hero' } })])
    })

    it('tracks outbound links and file downloads, never preventing the navigation', async () => {
      p = await openPage(build, {
        html: '<a id="out" href="https://partner.example/deal">x</a><a id="pdf" href="/files/price-list.pdf">x</a><a id="dl" href="/export?x=1" download>x</a><a id="in" href="/about">x</a><a id="mail" href="mailto:a@b.example">x</a>',
      })
      const results = ['#out', '#pdf', '#dl', '#in', '#mail'].map((s) => click(p, $(s)).prevented)
      await p.fb.flush()
      expect(results).toEqual([false, false, false, false, false])
      expect(custom().map((e) => [e.n, e.p?.url])).toEqual([
        ['outbound', 'https://partner.example/deal'],
        ['download', 'https://shop.example/files/price-list.pdf'],
        ['download', 'https://shop.example/export?x=1'],
      ])
    })

    it('sends a link click at once (keepalive), not after the batch timer', async () => {
      p = await openPage(build, { html: '<a id="out" href="https://partner.example/">x</a>' })
      await p.fb.flush()
      const before = p.posts.length
      click(p, $('#out'))
      expect(p.posts.length).toBe(before + 1)
      expect(p.posts.at(-1)!.keepalive).toBe(true)
    })

    it('converts data-fb-convert forms on submit', async () => {
      p = await openPage(build, { html: '<form data-fb-convert="lead"><button>Send</button></form><form id="search"></form>' })
      for (const f of p.window.document.querySelectorAll('form')) f.dispatchEvent(new p.window.Event('submit', { bubbles: true, cancelable: true }))
      await p.fb.flush()
      expect(custom()).toEqual([expect.objectContaining({ y: 'c', n: 'lead' })])
    })

    it('captures nothing from the DOM when autocapture is off', async () => {
      p = await openPage(build, { autocapture: false, html: '<a id="out" href="https://partner.example/" data-fb-event="x">x</a><form data-fb-convert="lead"></form>' })
      click(p, $('#out'))
      $('form').dispatchEvent(new p.window.Event('submit', { bubbles: true, cancelable: true }) as unknown as Event)
      await p.fb.flush()
      expect(custom()).toEqual([])
    })
  })

  describe('conversions', () => {
    it('carry value, currency and order id, and answer the event id for server-side copies', async () => {
      p = await openPage(build)
      const id = p.fb.convert('purchase', { value: 49.9, currency: 'eur', orderId: 'A-1001', props: { plan: 'pro' } })
      await p.fb.flush()
      expect(custom()).toEqual([expect.objectContaining({ i: id, y: 'c', n: 'purchase', a: 49.9, m: 'EUR', o: 'A-1001', p: { plan: 'pro' } })])
    })

    it('track props keep only what the wire carries', async () => {
      p = await openPage(build)
      p.fb.track('signup', { plan: 'team', seats: 5, trial: true, nested: { no: 1 } as never, gone: undefined as never })
      await p.fb.flush()
      expect(custom()[0].p).toEqual({ plan: 'team', seats: 5, trial: true })
    })
  })

  describe('experiments', () => {
    it('assign a sticky variant and send one exposure per visitor and experiment', async () => {
      const first = await openPage(build, { consent: 'opt-out' })
      const v1 = first.fb.experiment('hero', ['control', 'bold'])
      expect(first.fb.experiment('hero', ['control', 'bold'])).toBe(v1)
      await first.fb.flush()
      const storage = first.kept().local
      const exposures1 = first.events().filter((e) => e.y == 'x')
      first.close()
      expect(exposures1).toEqual([expect.objectContaining({ n: 'hero', p: { variant: v1 } })])

      p = await openPage(build, { consent: 'opt-out', storage })
      expect(p.fb.experiment('hero', ['control', 'bold'])).toBe(v1)
      await p.fb.flush()
      expect(p.events().filter((e) => e.y == 'x')).toEqual([])
    })

    it('respect weights', async () => {
      p = await openPage(build)
      expect(p.fb.experiment('all-b', ['a', 'b'], [0, 100])).toBe('b')
    })

    it('answer nothing for an experiment without variants, and do not throw', async () => {
      p = await openPage(build)
      expect(p.fb.experiment('x', [])).toBeUndefined()
      expect(p.fb.experiment('x', null as never)).toBeUndefined()
    })
  })
})
