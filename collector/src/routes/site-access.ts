/**
 * What the admin API routes outside `reports.ts` share: the admin check (Bearer admin
 * token, or an admin's dashboard session so its download links need no token; never a
 * report token) and the `:site` lookup.
 */
import type { Context, MiddlewareHandler } from 'hono'
import { z } from 'zod'
import type { AppDeps } from '../app.ts'
import { siteGuards } from '../http/access.ts'
import { apiError } from '../http/errors.ts'
import type { Site } from '../store/types.ts'

const siteParam = z.string().min(1).max(100)

/**
 * The admin middleware and the site lookup of a route module.
 *
 * @example
 * const { admin, siteOf } = siteAccess(deps)
 * app.get('/:site/spend', admin, async (c) => c.json(await deps.store.reports.listSpend((await siteOf(c)).id, {}, 10)))
 */
export function siteAccess(deps: AppDeps): { admin: MiddlewareHandler; siteOf(c: Context): Promise<Site> } {
  return {
    admin: siteGuards(deps).admin,
    async siteOf(c) {
      const id = siteParam.safeParse(c.req.param('site'))
      const site = id.success ? await deps.store.getSite(id.data) : null
      if (!site) throw apiError(404, 'site_not_found', 'No such site')
      return site
    },
  }
}
