import { beforeEach, describe, expect, it } from 'vitest'
import { call, eventually, fixture, ready, type Build, useRigPage } from './harness.ts'

const s = useRigPage()
let sent: string[]

beforeEach(() => {
  sent = []
  s.context.on('request', (r) => { if (new URL(r.url()).pathname == '/collect') sent.push(r.postData() ?? '') })
})

const AD = '?utm_source=google&utm_medium=cpc&utm_campaign=brand&gclid=CHROMIUM-GCLID'
const BODY = `<a id="out" href="https://partner.example/">partner</a>
<form data-fb-convert="lead" onsubmit="return false"><input type="hidden" name="gclid" data-fb-attribution="gclid"><button>Send</button></form>`

/** Cookies, localStorage and sessionStorage: everything the page could keep about the visitor. */
async function kept() {
  const state = await s.context.storageState()
  const session = await s.page.evaluate(() => Object.keys(sessionStorage))
  return { cookies: state.cookies.map((c) => c.name), local: state.origins.flatMap((o) => o.localStorage.map((i) => i.name)), session }
}

/** Clicks, a form, SPA moves, an experiment, identify, a conversion and a hidden tab. */
async function useEverything() {
  await s.page.route('https://partner.example/**', (r) => r.fulfill({ body: 'partner' }))
  await call(s.page, 'track', 'cta_click', { plan: 'pro' })
  await call(s.page, 'experiment', 'hero', ['a', 'b'])
  await call(s.page, 'identify', 'user-7')
  await call(s.page, 'convert', 'purchase', { value: 9, currency: 'EUR', orderId: 'C-1' })
  await s.page.evaluate(() => history.pushState({}, '', location.pathname + '/next'))
  await s.page.getByRole('button', { name: 'Send' }).click()
  await call(s.page, 'attribution')
  await call(s.page, 'flush')
  await s.page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')))
}

/**
 * Another tab of the same origin hears every localStorage write (set or remove) as a
 * `storage` event, also one undone a moment later: a stricter witness than reading the
 * storage at the end.
 */
async function watchStorageWrites(path: string) {
  const witness = await s.context.newPage()
  await witness.goto(`${s.server.url}${path}`)
  await witness.evaluate(() => {
    (window as unknown as { writes: string[] }).writes = []
    addEventListener('storage', (e) => (window as unknown as { writes: string[] }).writes.push(String(e.key)))
  })
  return () => witness.evaluate(() => (window as unknown as { writes: string[] }).writes)
}

describe.each(['script', 'esm'] as Build[])('consent in Chromium (%s build)', (build) => {
  it('anonymous: not a single storage write before the choice, as another tab sees it', async () => {
    s.server.page('/p/witness', '<!doctype html><title>witness</title>')
    s.server.page('/p/anon-w', fixture({ build, body: BODY }))
    const writes = await watchStorageWrites('/p/witness')
    await s.page.goto(`${s.server.url}/p/anon-w${AD}`)
    await ready(s.page)
    await useEverything()
    await s.page.goto(`${s.server.url}/p/anon-w`) // a second page of the visit
    await ready(s.page)
    await call(s.page, 'flush')
    await eventually(() => expect(s.server.stored().length).toBeGreaterThanOrEqual(5))
    expect(await writes()).toEqual([])
    await call(s.page, 'consent', { analytics: false })
    await eventually(async () => expect(await writes()).toEqual(['_fb_c']))
  })

  it('anonymous: nothing in cookies, localStorage or sessionStorage before a choice; the choice is kept once made', async () => {
    s.server.page('/p/anon', fixture({ build, body: BODY }))
    await s.page.goto(`${s.server.url}/p/anon${AD}`)
    await ready(s.page)
    await useEverything()
    await eventually(() => expect(s.server.stored().length).toBeGreaterThanOrEqual(5))
    expect(await kept()).toEqual({ cookies: [], local: [], session: [] })
    expect(sent.join('\n')).not.toContain('CHROMIUM-GCLID')
    expect(s.server.stored().every((e) => e.consent == 0)).toBe(true)

    await call(s.page, 'consent', { analytics: false })
    expect((await kept()).local).toEqual(['_fb_c'])
    await call(s.page, 'consent', { analytics: true })
    await call(s.page, 'track', 'after_consent')
    await call(s.page, 'flush')
    expect((await kept()).local.sort()).toEqual(['_fb', '_fb_c'])
    await eventually(() => expect(s.server.stored().find((e) => e.name == 'after_consent')).toMatchObject({ consent: 1 }))
  })

  it('opt-in: nothing is sent before consent; what waited is sent on grant', async () => {
    s.server.page('/p/optin', fixture({ build, body: BODY, options: { consent: 'opt-in' } }))
    await s.page.goto(`${s.server.url}/p/optin${AD}`)
    await ready(s.page)
    await useEverything()
    await new Promise((r) => setTimeout(r, 1500))
    expect(sent).toEqual([])
    expect(await kept()).toEqual({ cookies: [], local: [], session: [] })
    await call(s.page, 'consent', { analytics: true, ads: true })
    await call(s.page, 'flush')
    const rows = await eventually(() => {
      const r = s.server.stored()
      expect(r.map((e) => e.name)).toEqual(expect.arrayContaining(['pageview', 'cta_click', 'purchase', 'lead', 'hero']))
      return r
    })
    expect(rows.every((e) => e.consent == 3 && e.visitor && !e.visitor.startsWith('h:'))).toBe(true)
  })

  it('opt-in: denying drops what waited, and nothing is ever sent', async () => {
    s.server.page('/p/deny', fixture({ build, body: BODY, options: { consent: 'opt-in' } }))
    await s.page.goto(`${s.server.url}/p/deny${AD}`)
    await ready(s.page)
    await useEverything()
    await call(s.page, 'consent', { analytics: false, ads: false })
    await call(s.page, 'track', 'after_deny')
    await s.page.goto(`${s.server.url}/p/deny`) // the next page remembers the choice
    await ready(s.page)
    await call(s.page, 'track', 'next_page')
    await call(s.page, 'flush')
    await new Promise((r) => setTimeout(r, 1500))
    expect(sent).toEqual([])
    expect(s.server.stored()).toEqual([])
    expect((await kept()).local).toEqual(['_fb_c'])
  })

  it('revoking analytics wipes the visitor id, attribution and outbox, but keeps the choice', async () => {
    s.server.page('/p/revoke', fixture({ build, options: { consent: 'opt-out' } }))
    await s.page.route('**/collect', (r) => r.abort('failed'))
    await s.page.goto(`${s.server.url}/p/revoke${AD}`)
    await ready(s.page)
    await call(s.page, 'track', 'queued')
    await call(s.page, 'flush')
    const before = await s.page.evaluate(() => localStorage.getItem('_fb'))
    expect(before).toContain('CHROMIUM-GCLID')
    expect(before).toContain('queued')
    await call(s.page, 'consent', { analytics: false, ads: false })
    expect(await s.page.evaluate(() => ({ ...localStorage }))).toEqual({ _fb_c: JSON.stringify({ analytics: false, ads: false }) })
  })
})
