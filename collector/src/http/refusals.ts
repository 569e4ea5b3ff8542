import type { MiddlewareHandler } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { Metrics } from './metrics.ts'

/** The statuses that mean "refused", not "broken": a wrong allowlist or a flood shows here. */
const REFUSED = new Set([403, 429])
const REFUSED_TOTAL = 'funnelbeam_requests_refused_total'

/**
 * Counts an error in `funnelbeam_requests_refused_total{reason}` when it is a 403 or 429,
 * the reason being the error code it carries (`origin_not_allowed`, `unknown_site`,
 * `rate_limited`, `forbidden`). For routes that answer refusals with a 200 anyway (the
 * pixel always answers its GIF).
 *
 * @example
 * try { … } catch (err) { countRefusal(metrics, err) }
 */
export function countRefusal(metrics: Metrics, err: unknown): void {
  if (!(err instanceof HTTPException) || !REFUSED.has(err.status)) return
  const reason = typeof err.cause === 'string' ? err.cause : err.status === 429 ? 'rate_limited' : 'forbidden'
  metrics.inc(REFUSED_TOTAL, { reason })
}

/**
 * Middleware counting every 403 and 429 a route throws. Refused batches store nothing,
 * so without this counter a wrong allowlist would show only as missing traffic hours later.
 *
 * @example
 * app.use('*', countRefusals(metrics))
 */
export function countRefusals(metrics: Metrics): MiddlewareHandler {
  return async function refusals(c, next) {
    await next()
    if (c.error) countRefusal(metrics, c.error)
  }
}

/** Refused requests of one reason, as the dashboard's tracking-health panel lists them. */
export interface RefusalCount {
  reason: string
  count: number
}

/**
 * This process's refusal counters, most frequent first. They are counted per process and
 * per reason only (a site label would let anyone mint label values with made-up site ids).
 *
 * @example
 * refusalCounts(metrics) // [{ reason: 'origin_not_allowed', count: 12 }]
 */
export function refusalCounts(metrics: Metrics): RefusalCount[] {
  return metrics.samples(REFUSED_TOTAL)
    .map(([labels, count]) => ({ reason: /reason="([^"]*)"/.exec(labels)?.[1] ?? 'unknown', count }))
    .sort((a, b) => b.count - a.count || (a.reason < b.reason ? -1 : 1))
}
