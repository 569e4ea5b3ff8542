/**
 * The site of a dashboard page's path, or the page to answer instead: the login form
 * (coming back to the same page) when not signed in, "No such site" when unknown.
 */
import type { Context } from 'hono'
import { z } from 'zod'
import type { AppDeps } from '../app.ts'
import { LoginPage, MessagePage } from '../dashboard/layout.tsx'
import { safeNext, signedIn } from '../dashboard/session.ts'
import type { Site } from '../store/types.ts'

const siteId = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/)

/**
 * @example
 * const site = await dashboardSite(deps, c, 'alerts')
 * if (site instanceof Response) return site
 */
export async function dashboardSite(deps: AppDeps, c: Context, page: string): Promise<Site | Response> {
  const id = siteId.safeParse(c.req.param('site'))
  if (!signedIn(c, deps.config.adminToken)) return c.html(LoginPage({ next: safeNext(`/dashboard/${id.success ? id.data : ''}/${page}`) }), 401)
  const site = id.success ? await deps.store.getSite(id.data) : null
  return site ?? c.html(MessagePage({ title: 'No such site', message: 'There is no site with that id on this collector.' }), 404)
}
