/**
 * Alert rules and their history under `/api/sites` (admin): `PUT/GET/DELETE
 * /:site/alerts[/:id]` and `GET /:site/alerts/history`. Validation lives in
 * `alerts/rules.ts`; evaluation and delivery in the background (`alerts/worker.ts`).
 */
import { Hono } from 'hono'
import { z } from 'zod'
import type { AppDeps } from '../app.ts'
import { readJsonBody } from '../http/body.ts'
import { apiError } from '../http/errors.ts'
import { ALERT_ID, parseAlert } from '../alerts/rules.ts'
import { parse, single } from '../reports/query.ts'
import { reportKit } from './report-kit.ts'


/** `?limit` of the incident history (also read by the OpenAPI description). */
export const historyParams = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) })
/**
 * @example
 * app.route('/api/sites', alertRoutes(deps))
 * // PUT /api/sites/shop/alerts/stopped { "type": "tracking_stopped", "webhook": "https://hooks.slack.com/…" }
 */
export function alertRoutes(deps: AppDeps): Hono {
  const app = new Hono()
  const { clock, admin, siteOf, formatParam, answer, params } = reportKit(deps)
  const alerts = deps.store.alerts

  app.get('/:site/alerts/history', admin, formatParam, async function alertHistory(c) {
    const site = await siteOf(c)
    const { limit } = parse(historyParams, single(params(c), ['limit']))
    const incidents = await alerts.history(site.id, limit)
    return answer(c, site, 'alert-history', 'latest', { incidents }, () => incidents.map(({ messages, ...i }) => ({
      ...i, opened: new Date(i.opened).toISOString(), resolved: i.resolved === null ? null : new Date(i.resolved).toISOString(),
      messages: messages.map((m) => `${m.state}:${m.status}`).join(' '),
    })))
  })

  app.get('/:site/alerts', admin, formatParam, async function listAlerts(c) {
    const site = await siteOf(c)
    const rules = (await alerts.rules(site.id)).map((r) => ({ id: r.id, ...r.definition, created: r.created }))
    return answer(c, site, 'alerts', 'all', { alerts: rules }, () => rules as unknown as Record<string, unknown>[])
  })

  app.get('/:site/alerts/:id', admin, async function getAlert(c) {
    const site = await siteOf(c)
    const rule = (await alerts.rules(site.id)).find((r) => r.id === c.req.param('id'))
    if (!rule) throw apiError(404, 'alert_not_found', 'No such alert')
    const open = await alerts.openIncident(site.id, rule.id)
    return c.json({ id: rule.id, ...rule.definition, created: rule.created, incident: open })
  })

  app.put('/:site/alerts/:id', admin, async function putAlert(c) {
    const site = await siteOf(c)
    const id = c.req.param('id')
    const definition = parseAlert(id, await readJsonBody(c))
    if ('message' in definition) throw apiError(400, 'invalid_alert', definition.message, definition.issues)
    const created = await alerts.putRule({ site: site.id, id, definition, created: clock.now() })
    return c.json({ id, ...definition }, created ? 201 : 200)
  })

  app.delete('/:site/alerts/:id', admin, async function deleteAlert(c) {
    const site = await siteOf(c)
    const id = c.req.param('id')
    if (!ALERT_ID.test(id) || !(await alerts.deleteRule(site.id, id, clock.now()))) throw apiError(404, 'alert_not_found', 'No such alert')
    return c.json({ deleted: id })
  })

  return app
}
