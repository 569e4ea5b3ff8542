// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest'
import { BUILDS, openPage, type TestPage } from './harness'

let p: TestPage
afterEach(() => p?.close())

const names = (evs: { n: string }[]) => evs.map((e) => e.n)

describe.each(BUILDS)('delivery (%s build)', (build) => {
  it('batches events made together into one request after a short delay', async () => {
    p = await openPage(build)
    p.fb.track('a')
    p.fb.track('b')
    expect(p.posts).toHaveLength(0)
    expect(p.delays).toContain(1000)
    await p.settle()
    expect(p.posts).toHaveLength(1)
    expect(names(p.events())).toEqual(['pageview', 'a', 'b'])
  })

  it('flushes on pagehide and when the page is hidden', async () => {
    p = await openPage(build)
    p.window.dispatchEvent(new p.window.Event('pagehide'))
    expect(p.posts).toHaveLength(1)
    p.fb.track('later')
    Object.defineProperty(p.window.document, 'hidden', { value: true, configurable: true })
    p.window.document.dispatchEvent(new p.window.Event('visibilitychange'))
    expect(p.posts).toHaveLength(2)
    expect(names(p.posts[1].batch.e)).toEqual(['later'])
  })

  it('retries failed batches with growing backoff until they are delivered, same ids each time', async () => {
    p = await openPage(build, { respond: (_, n) => (n < 3 ? (n == 1 ? 'network' : { status: 503 }) : { status: 200 }) })
    const id = p.fb.track('x')
    await p.fb.flush()
    await p.settle()
    expect(p.posts.length).toBe(4)
    expect(new Set(p.posts.map((x) => x.batch.e.map((e) => e.i).join()))).toEqual(new Set([p.posts[0].batch.e.map((e) => e.i).join()]))
    expect(p.delivered().map((e) => e.i)).toContain(id)
    const backoffs = p.delays.filter((d) => d != 1000)
    expect(backoffs).toHaveLength(3)
    expect(backoffs[1]).toBeGreaterThan(backoffs[0] * 1.2 - 600)
    expect(backoffs[2]).toBeGreaterThanOrEqual(2000)
    // A failed fetch hands the batch to sendBeacon too; the collector deduplicates.
    expect(p.beacons).toHaveLength(1)
  })

  it('waits as long as a 429 Retry-After asks', async () => {
    p = await openPage(build, { respond: (_, n) => (n == 0 ? { status: 429, headers: { 'retry-after': '7' } } : { status: 200 }) })
    await p.fb.flush()
    await p.settle()
    expect(p.delays).toContain(7000)
    expect(p.delivered()).toHaveLength(1)
  })

  it('keeps retrying on 403 (a site not set up yet), and drops for good only on 400, 413 and 422', async () => {
    for (const status of [403, 400, 413, 422]) {
      p = await openPage(build, { respond: (_, n) => (n == 0 ? { status } : { status: 200 }) })
      await p.fb.flush()
      await p.settle()
      expect(p.posts.length, String(status)).toBe(status == 403 ? 2 : 1)
      p.close()
    }
  })

  it('keeps undelivered events in a bounded outbox that survives a reload, with consent', async () => {
    const first = await openPage(build, { consent: 'opt-out', respond: () => 'network' })
    const ids = [first.fb.track('a'), first.fb.track('b')]
    await first.fb.flush()
    const storage = first.kept().local
    first.close()
    expect(JSON.parse(storage._fb).o.map((e: { i: string }) => e.i)).toEqual([expect.any(String), ...ids])

    p = await openPage(build, { consent: 'opt-out', storage })
    await p.fb.flush()
    await p.settle()
    expect(p.delivered().map((e) => e.i)).toEqual(expect.arrayContaining(ids))
    expect(JSON.parse(p.kept().local._fb).o).toEqual([])
  })

  it('bounds the outbox at 200 events, dropping the oldest', async () => {
    p = await openPage(build, { consent: 'opt-out', respond: () => ({ status: 503 }) })
    const ids = Array.from({ length: 250 }, (_, i) => p.fb.track('e' + i))
    const kept = JSON.parse(p.kept().local._fb).o.map((e: { i: string }) => e.i)
    expect(kept).toHaveLength(200)
    expect(kept).toEqual(ids.slice(50))
  })

  it('splits more than 100 events into several batches', async () => {
    p = await openPage(build)
    for (let i = 0; i < 150; i++) p.fb.track('e' + i)
    await p.fb.flush()
    expect(p.posts.map((x) => x.batch.e.length)).toEqual([100, 51])
    expect(new Set(p.events().map((e) => e.i)).size).toBe(151)
  })

  it('accepts an endpoint with a trailing slash or a path', async () => {
    for (const [endpoint, collect] of [['https://stats.example/', 'https://stats.example/collect'], ['https://stats.example/fb/', 'https://stats.example/fb/collect']]) {
      p = await openPage(build, { configuredEndpoint: endpoint })
      await p.fb.flush()
      expect(p.posts[0].url).toBe(collect)
      p.close()
    }
  })

  it('sets the batch time at send time, so the collector can correct queued event times', async () => {
    p = await openPage(build, { respond: (_, n) => (n == 0 ? { status: 503 } : { status: 200 }) })
    await p.fb.flush()
    await new Promise((r) => setTimeout(r, 30))
    await p.settle()
    const [a, b] = p.posts
    expect(b.batch.e[0].t).toBe(a.batch.e[0].t)
    expect(b.batch.t).toBeGreaterThan(a.batch.t)
  })
})

describe.each(BUILDS)('robustness (%s build)', (build) => {
  it('never throws into the host page, whatever it is given', async () => {
    p = await openPage(build)
    const fb = p.fb as unknown as Record<string, (...a: unknown[]) => unknown>
    const calls: unknown[][] = [
      ['track'], ['track', null], ['track', 'x', 'not props'], ['page', 'http://[bad'], ['convert', 'x', null],
      ['convert', 'x', { currency: 5 }], ['consent', null], ['consent', 'yes'], ['identify'], ['experiment'], ['experiment', 'x', 'ab'],
      ['attribution', 1], ['flush', 1],
    ]
    for (const [k, ...a] of calls) expect(() => fb[k as string](...a), String(k)).not.toThrow()
    await expect(p.fb.flush()).resolves.toBeUndefined()
  })

  it('explains in debug mode why an event was ignored', async () => {
    p = await openPage(build, { debug: true, consent: 'opt-in' })
    p.fb.page()
    p.fb.consent({ analytics: false })
    p.fb.track('x')
    expect(p.logs).toEqual(['[funnelbeam] same url', '[funnelbeam] no consent'])
  })

  it('stays quiet without debug', async () => {
    p = await openPage(build, { consent: 'opt-in' })
    p.fb.page()
    p.fb.consent({ analytics: false })
    p.fb.track('x')
    expect(p.logs).toEqual([])
  })
})
