import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { serve } from '@hono/node-server'
import { makeTestApp, type TestApp } from '../helpers/app.ts'
import { uuidv7 } from '../../collector/src/ingest/uuid.ts'

// README recipe "First-party collection through a reverse proxy": the shop's own server
// forwards /fb/* to the collector, so the script and /collect are same-site requests.
// This proxy does what the recipe's nginx lines do: strip the prefix, pass Origin and
// Referer, and SET X-Forwarded-For to the address it saw (never append to the client's).
const root = join(import.meta.dirname, '../..')
let t: TestApp
let collector: http.Server
let proxy: http.Server
let proxyPort = 0

beforeAll(async () => {
  t = await makeTestApp({ config: { trustProxy: true, rateLimit: { max: 3, windowMs: 60_000 }, sdkDir: join(root, 'dist') } })
  await t.createSite('shop', { origins: ['https://shop.example'] })
  collector = serve({ fetch: t.app.fetch, port: 0, hostname: '127.0.0.1' }) as http.Server
  await new Promise((r) => collector.once('listening', r))
  const upstream = (collector.address() as AddressInfo).port
  proxy = http.createServer((req, res) => {
    if (!req.url?.startsWith('/fb/')) { res.writeHead(404).end(); return }
    const headers = { ...req.headers, 'x-forwarded-for': req.socket.remoteAddress ?? '', 'x-forwarded-proto': 'https', host: `127.0.0.1:${upstream}` }
    const out = http.request({ host: '127.0.0.1', port: upstream, method: req.method, path: req.url.slice(3), headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers)
      up.pipe(res)
    })
    out.on('error', () => res.writeHead(502).end())
    req.pipe(out)
  }).listen(0, '127.0.0.1')
  await new Promise((r) => proxy.once('listening', r))
  proxyPort = (proxy.address() as AddressInfo).port
})
afterAll(async () => {
  proxy.close()
  collector.close()
  await t.close()
})

/** A request to the proxy from a given loopback address (each one a different client). */
function send(from: string, path: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: proxyPort, localAddress: from, path, method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      let body = ''
      res.on('data', (d) => { body += d })
      res.on('end', () => resolve({ status: res.statusCode!, body }))
    })
    req.on('error', reject)
    req.end(opts.body)
  })
}

const pageview = (from: string, origin = 'https://shop.example', extra: Record<string, string> = {}) => {
  const now = Date.now()
  const id = uuidv7(now)
  // No consent: the visitor is the cookieless hash of the day's salt, site, IP and user agent.
  const body = JSON.stringify({ s: 'shop', t: now, e: [{ i: id, y: 'p', n: 'pageview', t: now, u: 'https://shop.example/', c: 0 }] })
  return send(from, '/fb/collect', { method: 'POST', body, headers: { 'content-type': 'text/plain', origin, 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0', ...extra } })
    .then((r) => ({ ...r, id }))
}

const visitorOf = async (id: string) => {
  await t.settle()
  return (t.store.db.prepare('SELECT visitor FROM events WHERE id = ?').get(id) as { visitor: string }).visitor
}

describe('recipe: the collector behind the site\'s own reverse proxy', () => {
  it('serves the script under the shop\'s path', async () => {
    const r = await send('127.0.0.1', '/fb/funnelbeam.js')
    expect(r.status).toBe(200)
    expect(r.body).toContain('collect')
  })

  it('takes the client\'s address, not the proxy\'s: visitors and rate limits are per client', async () => {
    const a1 = await pageview('127.0.0.11')
    const a2 = await pageview('127.0.0.11')
    const b = await pageview('127.0.0.12')
    expect([a1.status, a2.status, b.status]).toEqual([200, 200, 200])
    expect(await visitorOf(a1.id)).toBe(await visitorOf(a2.id))
    expect(await visitorOf(b.id)).not.toBe(await visitorOf(a1.id))
    // The limit is 3 requests per client: the fourth from .11 is refused, .13 is not.
    expect((await pageview('127.0.0.11')).status).toBe(200)
    expect((await pageview('127.0.0.11')).status).toBe(429)
    expect((await pageview('127.0.0.13')).status).toBe(200)
  })

  it('ignores an X-Forwarded-For the client made up, since the proxy sets it', async () => {
    const real = await pageview('127.0.0.21')
    const spoofed = await pageview('127.0.0.22', undefined, { 'x-forwarded-for': '127.0.0.21' })
    expect(await visitorOf(spoofed.id)).not.toBe(await visitorOf(real.id))
  })

  it('still refuses pages of other origins', async () => {
    const r = await pageview('127.0.0.31', 'https://evil.example')
    expect(r.status).toBe(403)
    expect(JSON.parse(r.body).error.code).toBe('origin_not_allowed')
  })
})
