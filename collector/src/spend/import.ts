/**
 * An upload end to end, shared by `PUT …/spend` and the dashboard's form: parse, write in
 * one transaction, and name the campaigns no tracked session matches yet.
 */
import { dayRange } from '../reports/dates.ts'
import { matchSpend } from '../reports/spend-match.ts'
import type { SpendRow } from '../store/report-types.ts'
import type { Site, Store } from '../store/types.ts'
import { parseSpendUpload, type SkippedLine, type SpendFailure, type SpendFormat } from './parse.ts'

export interface UnmatchedCampaign {
  source: string
  medium: string
  campaign: string
  campaignId: string | null
}

export interface SpendImportResult {
  format: SpendFormat
  upserted: number
  skipped: SkippedLine[]
  unmatchedCampaigns: UnmatchedCampaign[]
}

/**
 * Imports an uploaded file for a site; a failure writes nothing.
 *
 * @example
 * await importSpend(store, site, bytes, { format: undefined, json: false })
 * // { format: 'google-ads', upserted: 62, skipped: [{ line: 65, reason: 'totals row' }], unmatchedCampaigns: [] }
 */
export async function importSpend(store: Store, site: Site, bytes: Uint8Array, opts: { format?: SpendFormat; json?: boolean; source?: string; medium?: string }): Promise<SpendImportResult | SpendFailure> {
  const parsed = parseSpendUpload(bytes, { ...opts, currency: site.currency })
  if ('message' in parsed) return parsed
  const upserted = await store.reports.upsertSpend(site.id, parsed.rows)
  return { format: parsed.format, upserted, skipped: parsed.skipped, unmatchedCampaigns: await unmatched(store, site, parsed.rows) }
}

/** The uploaded campaigns no tracked session of those days matches (see `matchSpend`). */
async function unmatched(store: Store, site: Site, rows: SpendRow[]): Promise<UnmatchedCampaign[]> {
  const campaigns = new Map<string, UnmatchedCampaign>()
  let from = rows[0].date
  let to = rows[0].date
  for (const r of rows) {
    if (r.date < from) from = r.date
    if (r.date > to) to = r.date
    const key = JSON.stringify([r.source, r.medium, r.campaign])
    const seen = campaigns.get(key)
    if (!seen) campaigns.set(key, { source: r.source, medium: r.medium, campaign: r.campaign, campaignId: r.campaignId ?? null })
    else seen.campaignId ??= r.campaignId ?? null
  }
  const range = dayRange(from, to, site.timezone)
  const list = [...campaigns.values()]
  const [groups, ids] = await Promise.all([
    store.reports.sessionGroups(site.id, range),
    list.some((c) => c.campaignId) ? store.reports.campaignIds(site.id, range) : [],
  ])
  const matched = matchSpend(list, groups, ids)
  return list.filter((_, i) => matched[i] === null)
}
