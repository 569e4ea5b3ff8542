import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Hono } from 'hono'
import type { Config } from '../config.ts'
import { apiError } from '../http/errors.ts'
import { clientIp, requestCountry } from '../http/client.ts'
import type { SiteCache } from '../http/site-cache.ts'
import { consentModeFor, type ConsentModeName } from '../privacy/consent-regions.ts'
import { siteId } from '../schemas/events.ts'

interface Script {
  body: Uint8Array
  etag: string
}

/**
 * The line served before the SDK for a site with consent regions: it gives the tag the
 * visitor's default as `data-consent`, unless the tag has its own, which therefore wins.
 * The SDK reads the attribute as usual, so it needs no code (and no bytes) for this.
 *
 * @example
 * consentPrefix('opt-in') // '(function(s){…})(document.currentScript);\n'
 */
export function consentPrefix(mode: ConsentModeName): string {
  return `(function(s){s&&!s.hasAttribute("data-consent")&&s.setAttribute("data-consent",${JSON.stringify(mode)})})(document.currentScript);\n`
}

/**
 * `GET /funnelbeam.js`: the script-tag build of the SDK, read once from `config.sdkDir`
 * and kept in memory, with a strong ETag (a hash of the bytes).
 *
 * Browsers may reuse it for an hour without asking (every page of a site loads it, so
 * this saves a request per page view); after that a conditional request answers 304
 * until the file changes. An hour bounds how long an SDK update takes to reach visitors.
 *
 * `GET /funnelbeam.js?site=shop` is that script for a site with consent regions: prefixed
 * with the consent mode for the visitor's country (`consentPrefix`). That answer depends
 * on who asks, so it is `private, no-cache`: no shared cache keeps it, and the browser
 * asks every time, getting 304 (its ETag names the mode) while the country's mode stays.
 * A site without consent regions gets the plain script, also uncached, so adding regions
 * applies at once.
 *
 * @example
 * app.route('/', scriptRoutes(config, sites))
 */
export function scriptRoutes(config: Config, sites: Pick<SiteCache, 'get'>): Hono {
  let cached: Promise<Script> | undefined
  const load = (): Promise<Script> =>
    (cached ??= readFile(join(config.sdkDir, 'funnelbeam.js')).then(
      (body) => ({ body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"` }),
      (err) => {
        // Not built yet: answer 503 now, and look again on the next request.
        cached = undefined
        throw apiError(503, 'sdk_not_built', `The SDK build is missing (${(err as Error).message}); run npm run build`)
      },
    ))

  const app = new Hono()
  app.get('/funnelbeam.js', async function script(c) {
    const script = await load()
    let { body, etag } = script
    let cacheControl = 'public, max-age=3600'
    const siteParam = c.req.query('site')
    if (siteParam !== undefined) {
      const id = siteId.safeParse(siteParam)
      if (!id.success) throw apiError(400, 'invalid_site', `site: ${id.error.issues[0].message}`)
      const site = await sites.get(id.data)
      if (!site) throw apiError(404, 'unknown_site', `Unknown site ${id.data}`)
      cacheControl = 'private, no-cache'
      if (site.consentRegions) {
        const country = await requestCountry(c, config.trustProxy, clientIp(c, config.trustProxy))
        const mode = consentModeFor(site.consentRegions, country)
        body = Buffer.concat([Buffer.from(consentPrefix(mode)), script.body])
        etag = `${etag.slice(0, -1)}-${mode}"`
      }
    }
    const headers = {
      'content-type': 'application/javascript; charset=utf-8',
      'cache-control': cacheControl,
      etag,
      // Sites that isolate themselves (COEP) may still embed the script from our origin.
      'cross-origin-resource-policy': 'cross-origin',
    }
    const ifNoneMatch = c.req.header('if-none-match')
    if (ifNoneMatch && (ifNoneMatch.trim() == '*' || ifNoneMatch.split(',').some((t) => t.trim().replace(/^W\//, '') == etag))) {
      return c.body(null, 304, headers)
    }
    return c.body(body as Uint8Array<ArrayBuffer>, 200, headers)
  })
  return app
}
