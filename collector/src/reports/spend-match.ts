/**
 * Which tracked campaign a spend row pays for. Ad platforms and UTM tags rarely spell a
 * campaign the same way (`Brand Search` in Google Ads, `brand-search` in utm_campaign), and
 * a campaign may be renamed while its links keep the old tag, so a spend row matches, in
 * this order, sessions of the same source and medium whose campaign is
 *   1. its name exactly,
 *   2. its name with case, spaces, `-` and `_` treated alike (the busiest such campaign),
 *   3. its campaign id;
 * or, from any source, sessions that arrived with its campaign id as `utm_id`.
 * Unmatched spend keeps its own (source, medium, campaign). Pure.
 */
import type { CampaignIdTouch, SpendTotal, TouchAttrs } from '../store/report-types.ts'
import { dimensionValue } from './dimensions.ts'

export type CampaignTriple = [source: string, medium: string, campaign: string]

/**
 * The form two campaign names share when they are "the same" campaign.
 *
 * @example
 * normalizeCampaign(' Brand_Search-DE ') === normalizeCampaign('brand search de') // true
 */
export function normalizeCampaign(name: string): string {
  return name.toLowerCase().replace(/[\s_-]+/g, ' ').trim()
}

function tripleOf(t: TouchAttrs): CampaignTriple {
  return [dimensionValue('source', t), dimensionValue('medium', t), dimensionValue('campaign', t)]
}

/**
 * For each spend total, the tracked campaign it matches, or null.
 *
 * @example
 * matchSpend([{ source: 'google', medium: 'cpc', campaign: 'Brand Search', campaignId: '42', … }],
 *   [{ source: 'google', medium: 'cpc', campaign: 'brand-search', sessions: 10, … }], [])
 * // [['google', 'cpc', 'brand-search']]
 */
export function matchSpend(
  spend: Pick<SpendTotal, 'source' | 'medium' | 'campaign' | 'campaignId'>[],
  sessions: (TouchAttrs & { sessions: number })[],
  ids: CampaignIdTouch[],
): (CampaignTriple | null)[] {
  // Per source and medium: exact names, then normalized names with their busiest spelling.
  const exact = new Map<string, CampaignTriple>()
  const loose = new Map<string, { triple: CampaignTriple; sessions: number }>()
  const count = new Map<string, number>()
  for (const g of sessions) {
    const triple = tripleOf(g)
    const key = JSON.stringify(triple)
    count.set(key, (count.get(key) ?? 0) + g.sessions)
    exact.set(key, triple)
  }
  for (const [key, triple] of [...exact].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    const lk = JSON.stringify([triple[0], triple[1], normalizeCampaign(triple[2])])
    const n = count.get(key) ?? 0
    const best = loose.get(lk)
    if (!best || n > best.sessions) loose.set(lk, { triple, sessions: n })
  }
  const byUtmId = new Map<string, CampaignTriple>()
  for (const t of ids) if (!byUtmId.has(t.utmId)) byUtmId.set(t.utmId, tripleOf(t))
  return spend.map((s) => exact.get(JSON.stringify([s.source, s.medium, s.campaign])) ??
    loose.get(JSON.stringify([s.source, s.medium, normalizeCampaign(s.campaign)]))?.triple ??
    (s.campaignId ? exact.get(JSON.stringify([s.source, s.medium, s.campaignId])) ?? byUtmId.get(s.campaignId) : undefined) ??
    null)
}
