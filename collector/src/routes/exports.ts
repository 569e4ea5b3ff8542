/**
 * Conversions for the ad platforms: `GET /api/sites/:site/exports/:platform` answers the
 * file (or request body) that platform takes, for the conversions it can be credited with.
 */
import { Hono } from 'hono'
import { z } from 'zod'
import type { AppDeps } from '../app.ts'
import { systemClock } from '../clock.ts'
import { apiError } from '../http/errors.ts'
import { parseSummaryQuery, todayIn } from '../reports/service.ts'
import { EXPORT_PLATFORMS } from '../exports/formats.ts'
import { exportFile } from '../exports/service.ts'
import { siteAccess } from './site-access.ts'

/** Options of a conversions export (also read by the OpenAPI description). */
export const options = z.object({
  conversion: z.string().min(1).max(200).optional(),
  account: z.string().regex(/^\d{10}$/, 'a 10-digit Google Ads customer id without dashes').optional(),
  conversionAction: z.string().regex(/^\d{1,20}$/, 'a Google Ads conversion action id').optional(),
})

/**
 * The export routes, to mount at `/api/sites`.
 *
 * @example
 * app.route('/api/sites', exportRoutes(deps))
 * // GET /api/sites/shop/exports/google-ads?conversion=purchase&from=2026-11-01&to=2026-11-30
 */
export function exportRoutes(deps: AppDeps): Hono {
  const app = new Hono()
  const { admin, siteOf } = siteAccess(deps)
  const clock = deps.clock ?? systemClock

  app.get('/:site/exports/:platform', admin, async function conversionsExport(c) {
    const site = await siteOf(c)
    const platform = z.enum(EXPORT_PLATFORMS).safeParse(c.req.param('platform'))
    if (!platform.success) throw apiError(404, 'unknown_platform', `Exports are for ${EXPORT_PLATFORMS.join(', ')}`)
    const params = new URL(c.req.url).searchParams
    const range = parseSummaryQuery(params, todayIn(site, clock.now()))
    const o = options.safeParse(Object.fromEntries(['conversion', 'account', 'conversionAction'].map((k) => [k, params.get(k) ?? undefined])))
    if (!o.success) {
      const issues = o.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }))
      throw apiError(400, 'invalid_query', issues.map((i) => `${i.path}: ${i.message}`).join('; '), issues)
    }
    // Conversions acknowledged before the request are in the file.
    await deps.deriver?.settle()
    const file = await exportFile(deps.store.reports, site, platform.data, { ...range, conversion: o.data.conversion ?? null }, {
      googleAccount: o.data.account, googleConversionAction: o.data.conversionAction,
    })
    return c.body(file.body, 200, {
      'content-type': file.type,
      'content-disposition': `attachment; filename="${file.filename}"`,
      'x-conversions': String(file.count),
    })
  })

  return app
}
