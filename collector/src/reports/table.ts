/**
 * Assembles channel and campaign tables: sessions, credited conversions and spend meet on
 * one key per row, and every key seen in any of the three gets a row (spend without
 * sessions still shows its cost; conversions credited to a touch before the range still
 * show). Pure.
 */
import type { CreditLedger } from './credit.ts'
import { addSpend, campaignMetrics, type SpendAgg } from './metrics.ts'
import type { CampaignMetrics, Money } from './types.ts'

export interface KeyedSpend {
  key: string
  cost: number
  currency: string
  impressions: number
  clicks: number
}

/**
 * Metrics per key, by sessions, then conversions, then cost, then key.
 *
 * @example
 * metricsByKey([['Email', 10]], ledger, [{ key: 'Email', cost: 5, currency: 'EUR', impressions: 0, clicks: 0 }])
 * // [['Email', { sessions: 10, conversions: …, cost: { EUR: 5 }, … }]]
 */
export function metricsByKey(sessions: Iterable<[string, number]>, ledger: CreditLedger, spend: KeyedSpend[]): [string, CampaignMetrics][] {
  const sessionsBy = new Map<string, number>()
  for (const [k, n] of sessions) sessionsBy.set(k, (sessionsBy.get(k) ?? 0) + n)
  const spendBy = new Map<string, SpendAgg>()
  for (const s of spend) {
    let agg = spendBy.get(s.key)
    if (!agg) spendBy.set(s.key, (agg = { cost: {}, impressions: 0, clicks: 0 }))
    addSpend(agg, s.cost, s.currency, s.impressions, s.clicks)
  }
  const keys = new Set([...sessionsBy.keys(), ...ledger.rows().map((r) => r.value), ...spendBy.keys()])
  const rows: [string, CampaignMetrics][] = [...keys].map((k) => [k, campaignMetrics(sessionsBy.get(k) ?? 0, ledger.get(k), spendBy.get(k))])
  return rows.sort(([ka, a], [kb, b]) => b.sessions - a.sessions || b.conversions - a.conversions ||
    sumMoney(b.cost) - sumMoney(a.cost) || (ka < kb ? -1 : ka > kb ? 1 : 0))
}

/** Only for ordering rows: sums amounts across currencies, never shown. */
function sumMoney(m: Money): number {
  return Object.values(m).reduce((a, b) => a + b, 0)
}
