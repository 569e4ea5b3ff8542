import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { makeTestApp, startTestServer, TestClock, type TestApp } from '../helpers/app.ts'
import { uuidv7 } from '../../collector/src/ingest/uuid.ts'

const ORIGIN = 'https://shop.example'
const UA = 'Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0 Safari/537.36'
let t: TestApp
let clock: TestClock

beforeEach(async () => {
  clock = new TestClock(Date.parse('2026-11-20T12:00:00Z'))
  t = await makeTestApp({ clock, config: { rateLimit: { max: 6, windowMs: 60_000 } } })
  await t.createSite('shop', { origins: [ORIGIN] })
})
afterEach(() => t.close())

const batch = (site = 'shop') => JSON.stringify({ s: site, t: clock.now(), e: [{ i: uuidv7(clock.now()), y: 'p', n: 'pageview', t: clock.now(), u: `${ORIGIN}/`, c: 0 }] })

function collect(body: string, headers: Record<string, string> = {}): Promise<Response> {
  return Promise.resolve(t.app.request('/collect', {
    method: 'POST', body, headers: { 'content-type': 'text/plain', origin: ORIGIN, 'user-agent': UA, ...headers },
  }))
}

async function refused(): Promise<Record<string, number>> {
  const text = await (await t.app.request('/metrics')).text()
  const out: Record<string, number> = {}
  for (const m of text.matchAll(/^funnelbeam_requests_refused_total\{reason="([^"]+)"\} (\d+)$/gm)) out[m[1]] = Number(m[2])
  return out
}

describe('CORS on /collect', () => {
  it('exposes Retry-After, so the SDK can read it on a cross-origin 429', async () => {
    let res: Response | undefined
    for (let i = 0; i < 7; i++) res = await collect(batch(), { 'x-forwarded-for': '203.0.113.9' })
    expect(res!.status).toBe(429)
    expect(res!.headers.get('access-control-allow-origin')).toBe(ORIGIN)
    expect(res!.headers.get('access-control-expose-headers')?.toLowerCase().split(/,\s*/)).toContain('retry-after')
    expect(Number(res!.headers.get('retry-after'))).toBeGreaterThan(0)
  })
})

describe('refusals in /metrics', () => {
  it('counts 403 and 429 answers by reason, and nothing for accepted batches', async () => {
    expect((await collect(batch())).status).toBe(200)
    expect(await refused()).toEqual({})
    expect((await collect(batch(), { origin: 'https://evil.example' })).status).toBe(403)
    expect((await collect(batch(), { origin: 'https://evil.example' })).status).toBe(403)
    expect((await collect(batch('nosuchsite'))).status).toBe(403)
    // The pixel answers its GIF even when refused; the refusal still counts.
    expect((await t.app.request('/pixel.gif?s=nosuchsite&n=pageview')).headers.get('x-funnelbeam-error')).toMatch(/Unknown site/)
    const wrongSecret = await t.app.request('/api/events', { method: 'POST', headers: { authorization: 'Bearer nope', 'content-type': 'application/json' }, body: '{"events":[]}' })
    expect(wrongSecret.status).toBe(403)
    const wrongAdmin = await t.app.request('/api/sites', { method: 'POST', headers: { authorization: 'Bearer nope', 'content-type': 'application/json' }, body: '{}' })
    expect(wrongAdmin.status).toBe(403)
    // The limit is 6 requests a minute per client, and the ingest routes above made 6.
    expect((await collect(batch())).status).toBe(429)
    expect(await refused()).toEqual({ origin_not_allowed: 2, unknown_site: 2, forbidden: 2, rate_limited: 1 })
  })
})

describe('a flood of refused requests', () => {
  it('leaves the process answering /healthz quickly (bounded, loopback only)', async () => {
    const server = await startTestServer(t.app)
    try {
      const body = batch()
      const FLOOD = 2000
      const CONCURRENCY = 32
      let sent = 0
      const statuses = new Map<number, number>()
      const worker = async () => {
        while (sent < FLOOD) {
          sent++
          const res = await fetch(`${server.url}/collect`, { method: 'POST', body, headers: { 'content-type': 'text/plain', origin: 'https://evil.example' } })
          await res.arrayBuffer()
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1)
        }
      }
      const flood = Promise.all(Array.from({ length: CONCURRENCY }, worker))
      const latencies: number[] = []
      const probes = (async () => {
        for (let i = 0; i < 10; i++) {
          const start = performance.now()
          const res = await fetch(`${server.url}/healthz`)
          expect(res.status).toBe(200)
          await res.arrayBuffer()
          latencies.push(performance.now() - start)
          await new Promise((r) => setTimeout(r, 20))
        }
      })()
      await Promise.all([flood, probes])
      // Every flood request was refused (origin first, then the rate limit), none failed.
      expect([...statuses.keys()].every((s) => s === 403 || s === 429)).toBe(true)
      expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBe(FLOOD)
      // A probe waits behind at most one round of the 32 in-flight refusals (~2 ms each
      // here, so ~0.1 s); 5 s leaves room for a shared, overloaded 2-core machine and is
      // still far below what a blocked event loop would show.
      expect(Math.max(...latencies)).toBeLessThan(5000)
      const counted = await refused()
      expect((counted.origin_not_allowed ?? 0) + (counted.rate_limited ?? 0)).toBe(FLOOD)
    } finally {
      await server.close()
    }
  }, 90_000)
})
