/**
 * Campaign metrics (DESIGN.md, "Campaign metrics") from sessions, credited conversions and
 * spend. Money stays per currency: ratios of money (CPC, CPA, ROAS, ROI) are computed per
 * cost currency against revenue in that same currency, never across currencies. Every
 * ratio with a zero denominator is null.
 */
import { ratio } from './stats.ts'
import type { AttributionRow, CampaignMetrics, Money, MoneyRatio } from './types.ts'

export interface SpendAgg {
  cost: Money
  impressions: number
  clicks: number
}

/** Adds spend into an aggregate (per currency for cost). */
export function addSpend(agg: SpendAgg, cost: number, currency: string, impressions: number, clicks: number): void {
  agg.cost[currency] = (agg.cost[currency] ?? 0) + cost
  agg.impressions += impressions
  agg.clicks += clicks
}

function perCurrency(cost: Money, f: (amount: number, currency: string) => number | null): MoneyRatio {
  const out: MoneyRatio = {}
  for (const cur of Object.keys(cost).sort()) out[cur] = f(cost[cur], cur)
  return out
}

/**
 * The metrics of one row.
 *
 * @example
 * campaignMetrics(200, { value: 'x', conversions: 4, revenue: { EUR: 500 } }, { cost: { EUR: 100 }, impressions: 10000, clicks: 250 })
 * // { sessions: 200, conversions: 4, conversionRate: 0.02, ctr: 0.025, cpc: { EUR: 0.4 }, cpa: { EUR: 25 }, roas: { EUR: 5 }, roi: { EUR: 4 }, … }
 */
export function campaignMetrics(sessions: number, credited: AttributionRow | undefined, spend: SpendAgg | undefined): CampaignMetrics {
  const conversions = credited?.conversions ?? 0
  const revenue = credited?.revenue ?? {}
  const cost = spend?.cost ?? {}
  const clicks = spend?.clicks ?? 0
  const impressions = spend?.impressions ?? 0
  return {
    sessions,
    conversions,
    conversionRate: ratio(conversions, sessions),
    revenue,
    cost,
    impressions,
    clicks,
    ctr: ratio(clicks, impressions),
    cpc: perCurrency(cost, (c) => ratio(c, clicks)),
    cpa: perCurrency(cost, (c) => ratio(c, conversions)),
    roas: perCurrency(cost, (c, cur) => ratio(revenue[cur] ?? 0, c)),
    roi: perCurrency(cost, (c, cur) => ratio((revenue[cur] ?? 0) - c, c)),
  }
}
