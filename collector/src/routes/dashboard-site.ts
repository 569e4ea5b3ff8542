/**
 * The site of an admin dashboard page's path (ad platforms, alerts), or the page to answer
 * instead: the login form (coming back to the same page) when not signed in or expired,
 * "Admin only" for a report-token session, "No such site" when unknown.
 */
import type { Context } from 'hono'
import { z } from 'zod'
import type { AppDeps } from '../app.ts'
import { systemClock } from '../clock.ts'
import { LoginPage, MessagePage } from '../dashboard/layout.tsx'
import { safeNext, sessionOf } from '../dashboard/session.ts'
import type { Site } from '../store/types.ts'

const siteId = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/)

/**
 * @example
 * const site = await dashboardSite(deps, c, 'alerts')
 * if (site instanceof Response) return site
 */
export async function dashboardSite(deps: AppDeps, c: Context, page: string): Promise<Site | Response> {
  const id = siteId.safeParse(c.req.param('site'))
  const p = await sessionOf(c, deps.store.trust, (deps.clock ?? systemClock).now())
  if (p === null || p === 'expired') {
    const error = p === 'expired' ? 'Your session has expired. Please sign in again.' : undefined
    return c.html(LoginPage({ next: safeNext(`/dashboard/${id.success ? id.data : ''}/${page}`), error }), 401)
  }
  // Spend uploads, conversion exports (click ids) and alert webhooks are the admin's: a report token only reads reports.
  if (p.role !== 'admin') return c.html(MessagePage({ title: 'Admin only', message: 'This page needs the admin token. Sign out and sign in with it.' }), 403)
  const site = id.success ? await deps.store.getSite(id.data) : null
  return site ?? c.html(MessagePage({ title: 'No such site', message: 'There is no site with that id on this collector.' }), 404)
}
