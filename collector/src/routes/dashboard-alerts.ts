/** The dashboard's alerts page, `/dashboard/:site/alerts`: rules and incident history, behind the login cookie. */
import { Hono } from 'hono'
import type { AppDeps } from '../app.ts'
import { AlertsPage } from '../dashboard/alerts-page.tsx'
import { dashboardHeaders } from './dashboard.ts'
import { dashboardSite } from './dashboard-site.ts'

/**
 * @example
 * app.route('/dashboard', dashboardAlertsRoutes(deps))
 */
export function dashboardAlertsRoutes(deps: AppDeps): Hono {
  const app = new Hono()
  app.use('*', dashboardHeaders)
  app.get('/:site/alerts', async function alertsPage(c) {
    const site = await dashboardSite(deps, c, 'alerts')
    if (site instanceof Response) return site
    const [rules, incidents] = await Promise.all([deps.store.alerts.rules(site.id), deps.store.alerts.history(site.id, 100)])
    return c.html(AlertsPage({ d: { site: site.id, rules, incidents } }))
  })
  return app
}
