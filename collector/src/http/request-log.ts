import type { Context, MiddlewareHandler } from 'hono'
import type { Logger } from '../log.ts'
import { siteId } from '../schemas/events.ts'

/** The site each request was for, noted by the route once it has checked the site exists. */
const sites = new WeakMap<Request, string>()

/**
 * Notes the site a request turned out to be for (ingest routes learn it from the body or
 * the secret), for its log line.
 *
 * @example
 * noteSite(c, site.id)
 */
export function noteSite(c: Context, site: string): void {
  sites.set(c.req.raw, site)
}

/**
 * One log line per request: method, route pattern (never the URL: query strings can hold
 * anything), status, latency in ms and the site. No IP, user agent, token or body.
 * 5xx answers log at error level, the rest at info.
 *
 * @example
 * app.use('*', requestLog(logger))
 */
export function requestLog(logger: Logger): MiddlewareHandler {
  return async function logRequest(c, next) {
    const start = performance.now()
    try {
      await next()
    } finally {
      const status = c.res.status
      const param = c.req.param('site' as never) as string | undefined
      const site = sites.get(c.req.raw) ?? (param && siteId.safeParse(param).success ? param : null)
      const fields = {
        method: c.req.method, route: c.req.routePath || 'unmatched', status,
        ms: Math.round((performance.now() - start) * 10) / 10, site,
      }
      if (status >= 500) logger.error('request', fields)
      else logger.info('request', fields)
    }
  }
}
