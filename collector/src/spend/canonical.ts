/**
 * Funnelbeam's own spend shape (CSV or JSON, see `reports/spend.ts`) as one of the
 * upload formats: it carries its own source and medium, and skips nothing.
 */
import { parseSpendCsv, parseSpendJson } from '../reports/spend.ts'
import type { SpendOptions, SpendResult } from './types.ts'
import { fail } from './types.ts'

/**
 * Parses canonical spend text: a JSON array when it starts with `[` (or `json` says so), CSV otherwise.
 *
 * @example
 * parseCanonical('date,source,medium,campaign,cost,impressions,clicks\n2026-11-01,google,cpc,brand,12.5,1000,40\n', { currency: 'EUR' })
 * // { format: 'canonical', rows: [{ date: '2026-11-01', source: 'google', … }], skipped: [] }
 */
export function parseCanonical(text: string, opts: SpendOptions, json = /^\s*\[/.test(text)): SpendResult {
  let parsed
  if (json) {
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch (err) {
      return fail(`The spend JSON is not valid JSON: ${(err as Error).message.slice(0, 120)}`)
    }
    parsed = parseSpendJson(body, opts.currency)
  } else parsed = parseSpendCsv(text, opts.currency)
  return 'rows' in parsed ? { format: 'canonical', rows: parsed.rows, skipped: [] } : parsed
}

/** Whether text looks like the canonical CSV or JSON (its header starts with `date` and names `source`). */
export function isCanonical(text: string): boolean {
  if (/^\s*\[/.test(text)) return true
  const first = text.replace(/^\uFEFF/, '').trimStart().split(/\r?\n/, 1)[0].toLowerCase()
  return /^"?date"?,/.test(first) && first.includes('source')
}
