/**
 * What every report route needs: auth (`reader`: admin or the site's report token, or a
 * dashboard session; `admin` for what changes data), the
 * site from `:site`, a checked `format`, and an answer in JSON or, with `?format=csv`,
 * CSV. Shared by the report routes and the cockpit routes, so both behave alike.
 */
import type { Context, MiddlewareHandler } from 'hono'
import { z } from 'zod'
import type { AppDeps } from '../app.ts'
import { systemClock } from '../clock.ts'
import { siteGuards } from '../http/access.ts'
import { toCsv } from '../http/csv.ts'
import { apiError } from '../http/errors.ts'
import type { Site } from '../store/types.ts'

const siteParam = z.string().min(1).max(100)
const format = z.enum(['json', 'csv']).default('json')

/**
 * @example
 * const { admin, formatParam, siteOf, answer, params } = reportKit(deps)
 * app.get('/:site/pacing', admin, formatParam, async (c) => answer(c, await siteOf(c), 'pacing', '2026-11', json, () => rows))
 */
export function reportKit(deps: AppDeps) {
  const clock = deps.clock ?? systemClock
  // The dashboard's session works here too, so its CSV links need no token in the URL.
  const { admin, reader } = siteGuards(deps)

  async function siteOf(c: Context): Promise<Site> {
    const id = siteParam.safeParse(c.req.param('site'))
    const site = id.success ? await deps.store.getSite(id.data) : null
    if (!site) throw apiError(404, 'site_not_found', 'No such site')
    return site
  }

  /** Checks `format` before any work is done for a report. */
  const formatParam: MiddlewareHandler = async function formatParam(c, next) {
    if (!format.safeParse(c.req.query('format') ?? undefined).success) {
      throw apiError(400, 'invalid_query', 'format must be json or csv', [{ path: 'format', message: 'json or csv' }])
    }
    await next()
  }

  /** Answers JSON, or `rows` as CSV with `?format=csv`; `period` names the file (`2026-11-01-2026-11-30`). */
  function answer(c: Context, site: Site, name: string, period: string, json: object, rows: () => Record<string, unknown>[]): Response {
    if (c.req.query('format') !== 'csv') return c.json(json)
    return c.body(toCsv(rows()), 200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${site.id.replace(/[^\w.-]/g, '_')}-${name}-${period}.csv"`,
    })
  }

  const params = (c: Context) => new URL(c.req.url).searchParams

  return { clock, admin, reader, siteOf, formatParam, answer, params }
}
