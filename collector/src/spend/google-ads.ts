/**
 * Google Ads campaign report, as downloaded from Reports or the Campaigns table (CSV, or
 * "CSV (Excel)": UTF-16LE, tab-separated). A title line and a date-range line come before
 * the header; `Total: …` rows close the table; `--` means none. English, German and
 * French exports differ in column names and in how they write numbers.
 */
import type { SpendOptions, SpendResult, SkippedLine } from './types.ts'
import { fail } from './types.ts'
import { dayLine, findHeader, finish, isFailure, LineReader, type Draft, type ReportSpec } from './report.ts'

type Key = 'date' | 'campaign' | 'campaignId' | 'currency' | 'cost' | 'impressions' | 'clicks'

export const googleAdsSpec: ReportSpec<Key> = {
  format: 'google-ads',
  source: 'google',
  medium: 'cpc',
  delimiters: ['\t', ',', ';'],
  dialects: [
    {
      lang: 'en', decimal: '.', slash: 'mdy', required: ['date', 'campaign', 'cost'],
      columns: {
        date: ['Day', 'Date'], campaign: ['Campaign'], campaignId: ['Campaign ID'], currency: ['Currency code', 'Currency'],
        cost: ['Cost'], impressions: ['Impr.', 'Impressions'], clicks: ['Clicks'],
      },
    },
    {
      lang: 'de', decimal: ',', required: ['date', 'campaign', 'cost'],
      columns: {
        date: ['Tag', 'Datum'], campaign: ['Kampagne'], campaignId: ['Kampagnen-ID', 'Kampagnen-Id'], currency: ['Währungscode', 'Währung'],
        cost: ['Kosten'], impressions: ['Impr.', 'Impressionen'], clicks: ['Klicks'],
      },
    },
    {
      lang: 'fr', decimal: ',', required: ['date', 'campaign', 'cost'],
      columns: {
        date: ['Jour', 'Date'], campaign: ['Campagne'], campaignId: ['ID de la campagne', 'ID campagne'],
        currency: ['Code de la devise', 'Devise'], cost: ['Coût', 'Cout'], impressions: ['Impr.', 'Impressions'], clicks: ['Clics'],
      },
    },
  ],
}

/** `Total: Account`, `Gesamt: Konto`, `Total : compte` … */
const TOTAL = /^(total|gesamt|insgesamt)\s*:/i

/**
 * Parses a Google Ads campaign report segmented by day.
 *
 * @example
 * parseGoogleAds('Campaign report\n"November 1, 2026 - November 30, 2026"\nDay,Campaign,Currency code,Cost,Impr.,Clicks\n2026-11-01,Brand,EUR,"1,234.56","12,000",800\n', { currency: 'EUR' })
 * // { format: 'google-ads', rows: [{ date: '2026-11-01', source: 'google', medium: 'cpc', campaign: 'Brand', cost: 1234.56, … }], skipped: [] }
 */
export function parseGoogleAds(text: string, opts: SpendOptions): SpendResult {
  const h = findHeader(text, googleAdsSpec)
  if (!h) return fail('Google Ads report: no header with Day, Campaign and Cost (segment the report by day, and download it as CSV)')
  const drafts: Draft[] = []
  const skipped: SkippedLine[] = []
  for (const row of h.data) {
    if (row.fields.some((f) => TOTAL.test(f.trim()))) { skipped.push({ line: row.line, reason: 'totals row' }); continue }
    const r = new LineReader(h, row)
    const cells = dayLine(r)
    if (cells === null) { skipped.push({ line: row.line, reason: 'no campaign' }); continue }
    if (isFailure(cells)) return cells
    const currency = r.text('currency').toUpperCase()
    if (currency && !/^[A-Z]{3}$/.test(currency)) return r.fail('currency', `"${currency.slice(0, 20)}" is not a currency code like EUR`)
    drafts.push({ line: row.line, ...cells, currency: currency || opts.currency })
  }
  return finish(googleAdsSpec, drafts, skipped, opts)
}
