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

describe('a site embedding the collector from another origin', () => {
  it('sends text/plain batches without a CORS preflight, reads the answers, and they are stored', async () => {
    const collector = rig.url // http://127.0.0.1:port
    const site = rig.url.replace('127.0.0.1', 'localhost')
    rig.page('/p/cross', fixture({ src: `${collector}/funnelbeam.js` }))
    const requests: { method: string; type: string | undefined }[] = []
    context.on('request', (r) => {
      if (new URL(r.url()).pathname == '/collect') requests.push({ method: r.method(), type: r.headers()['content-type'] })
    })
    await page.goto(`${site}/p/cross`)
    await ready(page)
    const id = await call<string>(page, 'track', 'cross_origin')
    await call(page, 'flush')
    await eventually(() => expect(rig.stored().map((e) => e.id)).toContain(id))
    expect(requests.length).toBeGreaterThan(0)
    // Only POSTs: a preflight would show up here as OPTIONS.
    expect(requests).toEqual(requests.map(() => ({ method: 'POST', type: 'text/plain;charset=UTF-8' })))
    expect(new URL(site).origin).not.toBe(new URL(collector).origin)
    // The answer was readable (CORS): a delivered batch is not sent again.
    await new Promise((r) => setTimeout(r, 1500))
    const sent = requests.length
    await call(page, 'flush')
    expect(requests.length).toBe(sent)
  })
})

describe.each(['script', 'esm'] as Build[])('delivery in Chromium (%s build)', (build) => {
  it('a flaky network ends with every event stored exactly once', async () => {
    rig.page('/p/flaky', fixture({ build, options: { consent: 'opt-out' } }))
    // Requests fail in three ways, in turn: lost before reaching the collector, lost after
    // the collector stored them (the browser never sees the answer), and delivered.
    let n = 0
    const outcomes: string[] = []
    const bodies: string[] = []
    await page.route('**/collect', async (route) => {
      const kind = n++ % 3
      outcomes.push(['lost', 'stored-but-lost', 'ok'][kind])
      bodies.push(route.request().postData() ?? '')
      if (kind == 0) return route.abort('connectionreset')
      if (kind == 1) {
        await route.fetch()
        return route.abort('connectionreset')
      }
      return route.continue()
    })
    await page.goto(`${rig.url}/p/flaky`)
    await ready(page)
    const ids: string[] = []
    for (let i = 0; i < 6; i++) {
      ids.push(await call<string>(page, 'track', 'step', { i }))
      if (i % 2) await call(page, 'flush')
    }
    ids.push(await call<string>(page, 'convert', 'purchase', { value: 5, currency: 'EUR', orderId: `FLAKY-${build}` }))
    await call(page, 'flush')
    const stored = await eventually(() => {
      const rows = rig.stored()
      expect(rows.filter((e) => e.type != 'pageview').map((e) => e.id).sort()).toEqual([...ids].sort())
      return rows
    }, 20_000)
    expect(new Set(stored.map((e) => e.id)).size).toBe(stored.length)
    expect(stored.filter((e) => e.type == 'pageview')).toHaveLength(1)
    expect(outcomes).toContain('stored-but-lost')
    // Retries really happened: some event ids went over the wire more than once.
    const sent = bodies.flatMap((b) => (JSON.parse(b).e as { i: string }[]).map((e) => e.i))
    expect(sent.length).toBeGreaterThan(new Set(sent).size)
    // navigator.webdriver is set under automation: batches say so, and events are kept, flagged.
    expect(bodies.every((b) => JSON.parse(b).b === 1)).toBe(true)
    expect(stored.every((e) => e.bot == 1)).toBe(true)
  })

  it('delivers events made right before the page is left', async () => {
    rig.page('/p/leave', fixture({ build }))
    await page.goto(`${rig.url}/p/leave`)
    await ready(page)
    const id = await call<string>(page, 'convert', 'purchase', { value: 49, currency: 'EUR', orderId: `LEAVE-${build}` })
    await page.goto('about:blank') // pagehide, well before the one-second batch timer
    const row = await eventually(() => {
      const r = rig.stored().find((e) => e.id == id)
      expect(r).toBeDefined()
      return r!
    })
    expect(row).toMatchObject({ type: 'conversion', value: 49, currency: 'EUR', order_id: `LEAVE-${build}` })
  })

  it('falls back to sendBeacon when fetch fails', async () => {
    rig.page('/p/beacon', fixture({ build }))
    const types: string[] = []
    await page.route('**/collect', (route) => {
      types.push(route.request().resourceType())
      return route.request().resourceType() == 'fetch' ? route.abort('failed') : route.continue()
    })
    await page.goto(`${rig.url}/p/beacon`)
    await ready(page)
    const id = await call<string>(page, 'track', 'via_beacon')
    await call(page, 'flush')
    await eventually(() => expect(rig.stored().map((e) => e.id)).toContain(id))
    expect(types).toContain('fetch')
    expect(types.some((t) => t != 'fetch')).toBe(true)
  })

  it('keeps undelivered events in the outbox across a reload, with consent', async () => {
    rig.page('/p/outbox', fixture({ build, options: { consent: 'opt-out' } }))
    await page.route('**/collect', (route) => route.abort('internetdisconnected'))
    await page.goto(`${rig.url}/p/outbox`)
    await ready(page)
    const id = await call<string>(page, 'track', 'offline_click')
    await call(page, 'flush')
    expect(rig.stored()).toEqual([])
    await page.unroute('**/collect')
    await page.reload()
    await ready(page)
    await call(page, 'flush')
    await eventually(() => expect(rig.stored().map((e) => e.id)).toContain(id))
    expect(rig.stored().filter((e) => e.id == id)).toHaveLength(1)
  })
})
