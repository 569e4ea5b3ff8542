import { Hono } from 'hono'
import { requestCountry } from '../http/client.ts'
import { countRefusal } from '../http/refusals.ts'
import { BROWSER_MAX_AGE_MS } from '../ingest/time.ts'
import { uuidv7 } from '../ingest/uuid.ts'
import { siteId } from '../schemas/events.ts'
import { browserSite, limitClient, type IngestDeps } from './context.ts'
import { wireCandidate } from './collect.ts'

/** The smallest transparent GIF. */
const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64')

const NUMERIC = new Set(['t', 'w', 'c', 'a'])

/** Query parameters to a wire event: the same keys as /collect, props as `p.<key>`. */
export function pixelEvent(query: Record<string, string>, now: number, referer: string | null): Record<string, unknown> {
  // Without a prototype, `__proto__` in the query is a key like any other, which the
  // schema then refuses by name, instead of a setter that silently swallows it.
  const e: Record<string, unknown> = Object.assign(Object.create(null), { i: uuidv7(now), y: 'p', n: 'pageview', t: now, c: 0, u: referer ?? '' })
  const props: Record<string, string> = Object.create(null)
  for (const [k, v] of Object.entries(query)) {
    if (k === 's') continue
    if (k.startsWith('p.')) props[k.slice(2)] = v
    else e[k] = NUMERIC.has(k) && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v
  }
  if (Object.keys(props).length) e.p = props
  return e
}

/**
 * `GET /pixel.gif?s=shop&y=c&n=purchase&a=49.9&m=EUR&o=A-1`: one event for `<img>` and
 * `<noscript>` tags. It always answers the GIF, since an image tag cannot show an error;
 * what went wrong is in the X-Funnelbeam-Error header, the quarantine and /metrics.
 */
export function pixelRoutes(deps: IngestDeps): Hono {
  const app = new Hono()
  app.get('/pixel.gif', async function pixel(c) {
    let error: string | null = null
    try {
      const ip = limitClient(c, deps)
      const query = c.req.query()
      const site = siteId.safeParse(query.s)
      if (!site.success) throw new Error('s: a site id is required')
      await browserSite(c, deps, site.data)
      const now = deps.clock.now()
      const raw = pixelEvent(query, now, c.req.header('referer') ?? null)
      const result = await deps.ingestor.ingest([wireCandidate(raw, 0, now, now)], {
        site: site.data, origin: 'pixel', ip, userAgent: c.req.header('user-agent')?.slice(0, 512) ?? null,
        country: await requestCountry(c, deps.config.trustProxy, ip), webdriver: false, allowBots: deps.config.allowBots,
        maxAgeMs: BROWSER_MAX_AGE_MS,
      })
      if (result.rejected.length) error = `${result.rejected[0].code}: ${result.rejected[0].message}`
    } catch (err) {
      countRefusal(deps.metrics, err)
      error = (err as Error).message.slice(0, 200)
    }
    const headers: Record<string, string> = { 'content-type': 'image/gif', 'cache-control': 'no-store' }
    if (error) headers['x-funnelbeam-error'] = error.replace(/[^\x20-\x7e]/g, '?')
    return c.body(new Uint8Array(GIF), 200, headers)
  })
  return app
}
