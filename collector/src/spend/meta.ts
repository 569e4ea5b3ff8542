/**
 * Meta Ads Manager export (Reports → Export table data, CSV). Each row covers
 * `Reporting starts` to `Reporting ends`; the cost column names the account's currency
 * (`Amount spent (EUR)`); the summary row at the top has no campaign name. A row covering
 * several days (no "Day" breakdown) is spread evenly over them: cents stay exact with the
 * remainder on the last day, and impressions and clicks are spread as whole numbers the
 * same way.
 */
import type { SpendOptions, SpendResult, SkippedLine } from './types.ts'
import { fail } from './types.ts'
import { currencyInHeader, findHeader, finish, isFailure, LineReader, measures, type Draft, type ReportSpec } from './report.ts'
import { addDays, daysBetween } from '../reports/dates.ts'

type Key = 'day' | 'starts' | 'ends' | 'campaign' | 'campaignId' | 'cost' | 'impressions' | 'linkClicks' | 'allClicks'

/** A lifetime row is spread over at most this many days (about three years). */
const MAX_SPREAD_DAYS = 1100

export const metaSpec: ReportSpec<Key> = {
  format: 'meta',
  source: 'facebook',
  medium: 'paid',
  delimiters: [',', '\t', ';'],
  dialects: [
    {
      lang: 'en', decimal: '.', slash: 'mdy', required: ['campaign', 'cost', 'starts', 'ends'],
      columns: {
        day: ['Day'], starts: ['Reporting starts'], ends: ['Reporting ends'], campaign: ['Campaign name'], campaignId: ['Campaign ID'],
        cost: [/^Amount spent( \([A-Z]{3}\))?$/i], impressions: ['Impressions'], linkClicks: ['Link clicks'], allClicks: ['Clicks (all)'],
      },
    },
  ],
}

/**
 * Parses a Meta Ads Manager campaign export.
 *
 * @example
 * parseMeta('Campaign name,Reporting starts,Reporting ends,Amount spent (EUR),Impressions,Link clicks\nRetargeting,2026-11-01,2026-11-03,10.00,1000,10\n', { currency: 'USD' })
 * // rows: 2026-11-01 3.33 EUR 333 imp. 3 clicks, 2026-11-02 3.33 / 333 / 3, 2026-11-03 3.34 / 334 / 4
 */
export function parseMeta(text: string, opts: SpendOptions): SpendResult {
  const h = findHeader(text, metaSpec)
  if (!h) return fail('Meta export: no header with Campaign name, Reporting starts, Reporting ends and Amount spent')
  const currency = currencyInHeader(h.names.cost) ?? opts.currency
  const clicks = h.index.linkClicks !== undefined ? 'linkClicks' : 'allClicks'
  const drafts: Draft[] = []
  const skipped: SkippedLine[] = []
  for (const row of h.data) {
    const r = new LineReader(h, row)
    const campaign = r.name('campaign')
    if (isFailure(campaign)) return campaign
    if (campaign === null) { skipped.push({ line: row.line, reason: 'summary row (no campaign name)' }); continue }
    const day = r.has('day') && r.text('day') !== '' ? r.date('day') : null
    if (isFailure(day)) return day
    const starts = day ?? r.date('starts')
    if (isFailure(starts)) return starts
    const ends = day ?? r.date('ends')
    if (isFailure(ends)) return ends
    const days = daysBetween(starts, ends) + 1
    if (days < 1) return r.fail('ends', `ends before it starts (${starts})`)
    if (days > MAX_SPREAD_DAYS) return r.fail('ends', `a row may cover at most ${MAX_SPREAD_DAYS} days`)
    const m = measures(r, { cost: 'cost', impressions: 'impressions', clicks })
    if (isFailure(m)) return m
    const campaignId = r.name('campaignId')
    if (isFailure(campaignId)) return campaignId
    const cents = spread(Math.round(m.cost * 100), days)
    const impressions = spread(m.impressions, days)
    const clickShares = spread(m.clicks, days)
    for (let i = 0; i < days; i++) {
      drafts.push({
        line: row.line, date: addDays(starts, i), campaign, campaignId, cost: cents[i] / 100,
        impressions: impressions[i], clicks: clickShares[i], currency,
      })
    }
  }
  return finish(metaSpec, drafts, skipped, opts)
}

/**
 * A whole number split into n whole shares, equal but for the remainder on the last.
 *
 * @example
 * spread(1000, 3) // [333, 333, 334]
 */
export function spread(total: number, n: number): number[] {
  const share = Math.floor(total / n)
  const out = new Array<number>(n).fill(share)
  out[n - 1] = total - share * (n - 1)
  return out
}
