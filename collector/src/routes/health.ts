import { Hono } from 'hono'
import type { Metrics } from '../http/metrics.ts'

/** `GET /healthz` (liveness) and `GET /metrics` (Prometheus text). */
export function healthRoutes(deps: { metrics: Metrics }): Hono {
  const app = new Hono()
  app.get('/healthz', (c) => c.json({ ok: true }))
  app.get('/metrics', (c) => c.text(deps.metrics.render(), 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }))
  return app
}
