import { Hono } from 'hono'
import type { Metrics } from '../http/metrics.ts'
import type { DerivationBacklog } from '../store/types.ts'

export interface HealthDeps {
  metrics: Metrics
  /** What is acknowledged but not yet derived into sessions and reports. */
  backlog: () => Promise<DerivationBacklog>
  now: () => number
}

/**
 * `GET /healthz` (liveness, and how far reports lag behind ingest) and `GET /metrics`
 * (Prometheus text, with the same lag as gauges).
 */
export function healthRoutes(deps: HealthDeps): Hono {
  const app = new Hono()
  const lag = async () => {
    const b = await deps.backlog()
    return { pendingEvents: b.events, lagSeconds: b.oldestReceived === null ? 0 : Math.max(0, (deps.now() - b.oldestReceived) / 1000) }
  }
  app.get('/healthz', async (c) => c.json({ ok: true, derivation: await lag() }))
  app.get('/metrics', async (c) => {
    const l = await lag()
    const gauges = [
      '# HELP funnelbeam_derivation_pending_events Acknowledged events not yet derived into sessions and reports.',
      '# TYPE funnelbeam_derivation_pending_events gauge',
      `funnelbeam_derivation_pending_events ${l.pendingEvents}`,
      '# HELP funnelbeam_derivation_lag_seconds Age of the oldest acknowledged event not yet derived.',
      '# TYPE funnelbeam_derivation_lag_seconds gauge',
      `funnelbeam_derivation_lag_seconds ${l.lagSeconds.toFixed(3)}`,
    ].join('\n')
    return c.text(`${deps.metrics.render()}${gauges}\n`, 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' })
  })
  return app
}
