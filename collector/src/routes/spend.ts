/**
 * Ad spend under `/api/sites/:site/spend`: upload a file as the ad platform exported it
 * (or the canonical CSV/JSON), list and delete stored rows. Parsing lives in
 * `collector/src/spend/`, matching spend to tracked campaigns in `reports/spend-match.ts`.
 */
import { Hono, type Context } from 'hono'
import { z } from 'zod'
import type { AppDeps } from '../app.ts'
import { readBytesBody } from '../http/body.ts'
import { apiError } from '../http/errors.ts'
import type { HTTPException } from 'hono/http-exception'
import { SPEND_FORMATS, type SpendFailure, type SpendFormat } from '../spend/parse.ts'
import { importSpend } from '../spend/import.ts'
import type { SpendFilter } from '../store/report-types.ts'
import { siteAccess } from './site-access.ts'

/** Spend exports are bigger than event batches; a UTF-16 month of 300 campaigns fits easily. */
export const MAX_SPEND_BYTES = 4 * 1024 * 1024
/** Rows one GET answers; narrow the filter for more. */
const LIST_LIMIT = 10_000

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD')
const label = z.string().trim().min(1).max(100)
/** Query of an upload; exported for the OpenAPI description, like the other schemas here. */
export const uploadQuery = z.strictObject({
  format: z.enum(SPEND_FORMATS).optional(),
  source: label.transform((s) => s.toLowerCase()).optional(),
  medium: label.transform((s) => s.toLowerCase()).optional(),
})
export const filterQuery = z.strictObject({
  from: date.optional(),
  to: date.optional(),
  source: label.transform((s) => s.toLowerCase()).optional(),
  medium: label.transform((s) => s.toLowerCase()).optional(),
  campaign: z.string().trim().min(1).max(200).optional(),
})

function query<T extends z.ZodType>(c: Context, schema: T): z.infer<T> {
  const r = schema.safeParse(c.req.query())
  if (r.success) return r.data
  const issues = r.error.issues.map((i) => ({ path: i.path.join('.') || (i as { keys?: string[] }).keys?.join(',') || '', message: i.message }))
  throw apiError(400, 'invalid_query', issues.map((i) => `${i.path}: ${i.message}`).join('; '), issues)
}

/**
 * The 400 of a file that cannot be imported; `issues[]` carry the line.
 *
 * @example
 * throw spendError({ message: 'line 5, column "Cost": …', line: 5, column: 'Cost', issues: [...] })
 */
export function spendError(f: SpendFailure): HTTPException {
  const issues = f.issues.map((i) => (f.line === undefined ? i : { ...i, line: f.line }))
  return apiError(400, 'invalid_spend', f.message, issues.length ? issues : undefined)
}

/**
 * The spend routes, to mount at `/api/sites`.
 *
 * @example
 * app.route('/api/sites', spendRoutes(deps))
 * // PUT /api/sites/shop/spend?source=google&medium=cpc  with a Google Ads report as the body
 */
export function spendRoutes(deps: AppDeps): Hono {
  const app = new Hono()
  const { admin, siteOf } = siteAccess(deps)

  app.put('/:site/spend', admin, async function uploadSpend(c) {
    const site = await siteOf(c)
    const q = query(c, uploadQuery)
    const bytes = await readBytesBody(c, MAX_SPEND_BYTES)
    const json = (c.req.header('content-type') ?? '').includes('json')
    await deps.deriver?.settle() // so sessions sent before the upload can match its campaigns
    const result = await importSpend(deps.store, site, bytes, { format: q.format as SpendFormat | undefined, json, source: q.source, medium: q.medium })
    if ('message' in result) throw spendError(result)
    return c.json(result)
  })

  app.get('/:site/spend', admin, async function listSpend(c) {
    const site = await siteOf(c)
    const filter: SpendFilter = query(c, filterQuery)
    const rows = await deps.store.reports.listSpend(site.id, filter, LIST_LIMIT + 1)
    return c.json({ rows: rows.slice(0, LIST_LIMIT), truncated: rows.length > LIST_LIMIT })
  })

  app.delete('/:site/spend', admin, async function deleteSpend(c) {
    const site = await siteOf(c)
    const filter: SpendFilter = query(c, filterQuery)
    if (Object.keys(filter).length === 0) {
      throw apiError(400, 'invalid_query', 'Say which spend to delete: from, to, source, medium or campaign')
    }
    return c.json({ deleted: await deps.store.reports.deleteSpend(site.id, filter) })
  })

  return app
}
