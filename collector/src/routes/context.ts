import type { Context } from 'hono'
import type { Config } from '../config.ts'
import type { Store } from '../store/types.ts'
import type { Site } from '../model.ts'
import type { Ingestor } from '../ingest/ingestor.ts'
import type { Metrics } from '../http/metrics.ts'
import type { RateLimiter } from '../http/rate-limit.ts'
import type { Clock } from '../clock.ts'
import { apiError } from '../http/errors.ts'
import type { SiteCache } from '../http/site-cache.ts'
import { clientIp, originAllowed, requestOrigin } from '../http/client.ts'
import { noteSite } from '../http/request-log.ts'

/** What the ingest routes share, settled once in createApp. */
export interface IngestDeps {
  store: Store
  config: Config
  clock: Clock
  ingestor: Ingestor
  metrics: Metrics
  limiter: RateLimiter
  sites: SiteCache
}

/** Counts the request against the client's rate limit (429 once over). */
export function limitClient(c: Context, deps: IngestDeps): string | null {
  const ip = clientIp(c, deps.config.trustProxy)
  deps.limiter.hit(ip ?? 'unknown')
  return ip
}

/** The site a browser event names, checked against the request's origin: 403 otherwise. */
export async function browserSite(c: Context, deps: IngestDeps, siteId: string): Promise<Site> {
  const site = await deps.sites.get(siteId)
  if (!site) throw apiError(403, 'unknown_site', `Unknown site ${siteId}`)
  noteSite(c, site.id)
  const origin = requestOrigin(c)
  // Requests without Origin or Referer are not from a browser page; an allowlist cannot
  // verify them either way, so they pass (as in Plausible and Umami).
  if (origin && !originAllowed(origin, site.origins)) {
    throw apiError(403, 'origin_not_allowed', `Origin ${origin.slice(0, 200)} is not allowed for site ${siteId}`)
  }
  return site
}
