import { describe, expect, it } from 'vitest'
import { call, eventually, fixture, ready, type Build, useRigPage } from './harness.ts'

const s = useRigPage()

describe('a site embedding the collector from another origin', () => {
  it('sends text/plain batches without a CORS preflight, reads the answers, and they are stored', async () => {
    const collector = s.server.url // http://127.0.0.1:port
    const site = s.server.url.replace('127.0.0.1', 'localhost')
    s.server.page('/p/cross', fixture({ src: `${collector}/funnelbeam.js` }))
    const requests: { method: string; type: string | undefined }[] = []
    s.context.on('request', (r) => {
      if (new URL(r.url()).pathname == '/collect') requests.push({ method: r.method(), type: r.headers()['content-type'] })
    })
    await s.page.goto(`${site}/p/cross`)
    await ready(s.page)
    const id = await call<string>(s.page, 'track', 'cross_origin')
    await call(s.page, 'flush')
    await eventually(() => expect(s.server.stored().map((e) => e.id)).toContain(id))
    expect(requests.length).toBeGreaterThan(0)
    // Only POSTs: a preflight would show up here as OPTIONS.
    expect(requests).toEqual(requests.map(() => ({ method: 'POST', type: 'text/plain;charset=UTF-8' })))
    expect(new URL(site).origin).not.toBe(new URL(collector).origin)
    // The answer was readable (CORS): a delivered batch is not sent again.
    await new Promise((r) => setTimeout(r, 1500))
    const sent = requests.length
    await call(s.page, 'flush')
    expect(requests.length).toBe(sent)
  })
})

describe.each(['script', 'esm'] as Build[])('delivery in Chromium (%s build)', (build) => {
  it('a flaky network ends with every event stored exactly once', async () => {
    s.server.page('/p/flaky', fixture({ build, options: { consent: 'opt-out' } }))
    // Requests fail in three ways, in turn: lost before reaching the collector, lost after
    // the collector stored them (the browser never sees the answer), and delivered.
    let n = 0
    const outcomes: string[] = []
    const bodies: string[] = []
    await s.page.route('**/collect', async (route) => {
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
    await s.page.goto(`${s.server.url}/p/flaky`)
    await ready(s.page)
    const ids: string[] = []
    for (let i = 0; i < 6; i++) {
      ids.push(await call<string>(s.page, 'track', 'step', { i }))
      if (i % 2) await call(s.page, 'flush')
    }
    ids.push(await call<string>(s.page, 'convert', 'purchase', { value: 5, currency: 'EUR', orderId: `FLAKY-${build}` }))
    await call(s.page, 'flush')
    const stored = await eventually(() => {
      const rows = s.server.stored()
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
    s.server.page('/p/leave', fixture({ build }))
    await s.page.goto(`${s.server.url}/p/leave`)
    await ready(s.page)
    const id = await call<string>(s.page, 'convert', 'purchase', { value: 49, currency: 'EUR', orderId: `LEAVE-${build}` })
    await s.page.goto('about:blank') // pagehide, well before the one-second batch timer
    const row = await eventually(() => {
      const r = s.server.stored().find((e) => e.id == id)
      expect(r).toBeDefined()
      return r!
    })
    expect(row).toMatchObject({ type: 'conversion', value: 49, currency: 'EUR', order_id: `LEAVE-${build}` })
  })

  it('falls back to sendBeacon when fetch fails', async () => {
    s.server.page('/p/beacon', fixture({ build }))
    const types: string[] = []
    await s.page.route('**/collect', (route) => {
      types.push(route.request().resourceType())
      return route.request().resourceType() == 'fetch' ? route.abort('failed') : route.continue()
    })
    await s.page.goto(`${s.server.url}/p/beacon`)
    await ready(s.page)
    const id = await call<string>(s.page, 'track', 'via_beacon')
    await call(s.page, 'flush')
    await eventually(() => expect(s.server.stored().map((e) => e.id)).toContain(id))
    expect(types).toContain('fetch')
    expect(types.some((t) => t != 'fetch')).toBe(true)
  })

  it('keeps undelivered events in the outbox across a reload, with consent', async () => {
    s.server.page('/p/outbox', fixture({ build, options: { consent: 'opt-out' } }))
    await s.page.route('**/collect', (route) => route.abort('internetdisconnected'))
    await s.page.goto(`${s.server.url}/p/outbox`)
    await ready(s.page)
    const id = await call<string>(s.page, 'track', 'offline_click')
    await call(s.page, 'flush')
    expect(s.server.stored()).toEqual([])
    await s.page.unroute('**/collect')
    await s.page.reload()
    await ready(s.page)
    await call(s.page, 'flush')
    await eventually(() => expect(s.server.stored().map((e) => e.id)).toContain(id))
    expect(s.server.stored().filter((e) => e.id == id)).toHaveLength(1)
  })
})
