/**
 * The spend upload: bytes in, the format detected (or given), rows out. Pure: the route
 * does HTTP and the store writes.
 */
import { decodeSpendBytes } from './decode.ts'
import { isCanonical, parseCanonical } from './canonical.ts'
import { googleAdsSpec, parseGoogleAds } from './google-ads.ts'
import { metaSpec, parseMeta } from './meta.ts'
import { parseYandex, yandexSpec } from './yandex.ts'
import { findHeader } from './report.ts'
import { fail, type SpendFormat, type SpendOptions, type SpendResult } from './types.ts'

export * from './types.ts'

const PARSERS: Record<SpendFormat, (text: string, opts: SpendOptions) => SpendResult> = {
  canonical: (text, opts) => parseCanonical(text, opts),
  'google-ads': parseGoogleAds,
  meta: parseMeta,
  yandex: parseYandex,
}

/**
 * The format of an upload's text: canonical first (its header is unambiguous), then the
 * platforms by their headers. Meta before Google: both say "Impressions", only Meta says
 * "Reporting starts".
 *
 * @example
 * detectSpendFormat('Дата;Кампания;Расход (руб.)\n01.11.2026;Бренд;10,5\n') // 'yandex'
 */
export function detectSpendFormat(text: string): SpendFormat | null {
  if (isCanonical(text)) return 'canonical'
  if (findHeader(text, metaSpec)) return 'meta'
  if (findHeader(text, yandexSpec)) return 'yandex'
  if (findHeader(text, googleAdsSpec)) return 'google-ads'
  return null
}

/**
 * Parses an uploaded spend file as downloaded from an ad platform, or in the canonical
 * shape. `json` (from the request's content type) reads canonical JSON.
 *
 * @example
 * parseSpendUpload(await readFile('google-ads.csv'), { currency: 'EUR' })
 * // { format: 'google-ads', rows: [...], skipped: [{ line: 9, reason: 'totals row' }] }
 */
export function parseSpendUpload(bytes: Uint8Array, opts: SpendOptions & { format?: SpendFormat; json?: boolean }): SpendResult {
  const { text } = decodeSpendBytes(bytes)
  if (text.trim() === '') return fail('The spend file is empty')
  if (opts.json && (opts.format ?? 'canonical') === 'canonical') return parseCanonical(text, opts, true)
  const format = opts.format ?? detectSpendFormat(text)
  if (!format) {
    return fail('Unknown spend file: expected a Google Ads campaign report, a Meta Ads Manager export, a Yandex Direct report, ' +
      'or CSV with the header date,source,medium,campaign,cost,impressions,clicks')
  }
  return PARSERS[format](text, opts)
}
