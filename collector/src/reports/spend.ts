/**
 * Spend import in Funnelbeam's own shape: CSV with the header
 * `date,source,medium,campaign,cost,impressions,clicks[,currency][,campaign_id]` or a JSON
 * array of the same objects (`campaign_id` or `campaignId`). The ad platforms' own
 * exports are read by `collector/src/spend/`. Every row is validated; errors name the row (1 =
 * the first data row, for CSV also the line) and the column.
 *
 * Source and medium are lower-cased because the collector lower-cases utm_source and
 * utm_medium, so `Google` in an ad platform export still meets `google` in the sessions.
 * Campaign names are kept as they are, as the collector does.
 */
import { z } from 'zod'
import { parseCsv } from '../http/csv.ts'
import type { SpendRow } from '../store/report-types.ts'
import type { ErrorIssue } from '../http/errors.ts'
import { isCalendarDate } from './dates.ts'

export const MAX_SPEND_ROWS = 10_000
const REQUIRED = ['date', 'source', 'medium', 'campaign', 'cost', 'impressions', 'clicks'] as const
const COLUMNS: readonly string[] = [...REQUIRED, 'currency', 'campaign_id']

const text = z.string().trim().min(1, 'must not be empty').max(200, 'at most 200 characters')
const count = z.union([z.number(), z.string().trim().regex(/^\d*$/, 'must be a whole number').transform((s) => (s === '' ? 0 : Number(s)))])
  .pipe(z.number().int('must be a whole number').min(0, 'must not be negative').max(1e12))
  .optional()
  .transform((n) => n ?? 0)
const amount = z.union([z.number(), z.string().trim().regex(/^\d+(\.\d+)?$/, 'must be a number like 12.50').transform(Number)])
  .pipe(z.number().finite().min(0, 'must not be negative').max(1e12))

/** One spend row as validated (CSV cells or JSON values); rows without a currency get `defaultCurrency`. */
export function rowSchema(defaultCurrency: string) {
  return z.object({
    date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD')
      .refine(isCalendarDate, 'not a calendar date')
      .refine((d) => d >= '1970' && d < '3000', 'must be between 1970 and 2999'),
    source: text.transform((s) => s.toLowerCase()),
    medium: text.transform((s) => s.toLowerCase()),
    campaign: text,
    cost: amount,
    impressions: count,
    clicks: count,
    currency: z.string().trim().toUpperCase().regex(/^([A-Z]{3})?$/, 'must be an ISO 4217 code like EUR').optional()
      .transform((c) => c || defaultCurrency),
    campaign_id: campaignId,
    campaignId,
  }).transform(({ campaign_id, campaignId, ...r }): SpendRow => ({ ...r, campaignId: campaign_id ?? campaignId ?? null }))
}

const campaignId = z.union([z.string().trim().max(200, 'at most 200 characters'), z.number().int().min(0).transform(String)])
  .optional().transform((s) => s || undefined)

export type SpendParse = { rows: SpendRow[] } | { message: string; issues: ErrorIssue[] }

function validate(objects: unknown[], defaultCurrency: string, where: (i: number) => string): SpendParse {
  if (objects.length === 0) return { message: 'No spend rows', issues: [] }
  if (objects.length > MAX_SPEND_ROWS) return { message: `At most ${MAX_SPEND_ROWS} spend rows per request`, issues: [] }
  const schema = rowSchema(defaultCurrency)
  const rows: SpendRow[] = []
  const issues: ErrorIssue[] = []
  objects.forEach((o, i) => {
    const r = schema.safeParse(o)
    if (r.success) rows.push(r.data)
    else for (const e of r.error.issues) {
      const column = String(e.path[0] ?? '')
      issues.push({ index: i, path: column, code: e.code, message: `${where(i)}, column ${column}: ${e.message}` })
    }
  })
  if (issues.length) return { message: issues.slice(0, 5).map((x) => x.message).join('; '), issues: issues.slice(0, 100) }
  return { rows }
}

/**
 * Parses a spend CSV.
 *
 * @example
 * parseSpendCsv('date,source,medium,campaign,cost,impressions,clicks\n2026-11-01,google,cpc,brand,12.5,1000,40\n', 'EUR')
 * // { rows: [{ date: '2026-11-01', source: 'google', medium: 'cpc', campaign: 'brand', cost: 12.5, impressions: 1000, clicks: 40, currency: 'EUR' }] }
 */
export function parseSpendCsv(csv: string, defaultCurrency: string): SpendParse {
  const table = parseCsv(csv)
  if (typeof table === 'string') return { message: `Spend CSV: ${table}`, issues: [] }
  const [header, ...data] = table
  const cols = (header ?? []).map((h) => h.trim().toLowerCase())
  const missing = REQUIRED.filter((c) => !cols.includes(c))
  const unknown = cols.filter((c) => !COLUMNS.includes(c))
  if (missing.length || unknown.length) {
    const msg = `Spend CSV header must be ${REQUIRED.join(',')}[,currency][,campaign_id]` +
      (missing.length ? `; missing: ${missing.join(', ')}` : '') + (unknown.length ? `; unknown: ${unknown.join(', ')}` : '')
    return { message: msg, issues: [{ path: 'header', message: msg }] }
  }
  const objects: Record<string, string>[] = []
  for (const [i, fields] of data.entries()) {
    if (fields.length !== cols.length) {
      const msg = `row ${i + 1} (line ${i + 2}) has ${fields.length} fields, the header has ${cols.length}`
      return { message: msg, issues: [{ index: i, message: msg }] }
    }
    objects.push(Object.fromEntries(cols.map((c, j) => [c, fields[j]])))
  }
  return validate(objects, defaultCurrency, (i) => `row ${i + 1} (line ${i + 2})`)
}

/**
 * Validates spend rows sent as a JSON array.
 *
 * @example
 * parseSpendJson([{ date: '2026-11-01', source: 'google', medium: 'cpc', campaign: 'brand', cost: 12.5, impressions: 1000, clicks: 40 }], 'EUR')
 */
export function parseSpendJson(body: unknown, defaultCurrency: string): SpendParse {
  if (!Array.isArray(body)) return { message: 'Spend JSON must be an array of rows', issues: [] }
  const notObject = body.findIndex((o) => o === null || typeof o !== 'object' || Array.isArray(o))
  if (notObject >= 0) return { message: `row ${notObject + 1} is not an object`, issues: [{ index: notObject, message: 'not an object' }] }
  return validate(body, defaultCurrency, (i) => `row ${i + 1}`)
}
