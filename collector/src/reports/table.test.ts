import { describe, expect, it } from 'vitest'
import { CreditLedger } from './credit.ts'
import { metricsByKey } from './table.ts'

describe('metricsByKey', () => {
  it('gives every key from sessions, credit or spend a row, merged per key', () => {
    const ledger = new CreditLedger()
    ledger.addUnits('Email', 1e9, 'EUR', 30e6) // one conversion worth 30 EUR
    ledger.addUnits('Old', 0.5e9, null, 0) // half a conversion without a value
    const rows = metricsByKey([['Email', 3], ['Direct', 5], ['Email', 1]], ledger, [
      { key: 'Email', cost: 4, currency: 'EUR', impressions: 100, clicks: 10 },
      { key: 'Email', cost: 6, currency: 'EUR', impressions: 100, clicks: 10 },
      { key: 'Ads', cost: 2, currency: 'USD', impressions: 0, clicks: 0 },
    ])
    // by sessions (Direct 5, Email 4), then conversions (Old .5), then cost (Ads)
    expect(rows.map(([k]) => k)).toEqual(['Direct', 'Email', 'Old', 'Ads'])
    // Email: 4 sessions, 1 conversion, cost 10 EUR over 20 clicks and 200 impressions
    expect(rows[1][1]).toMatchObject({ sessions: 4, conversions: 1, conversionRate: 0.25, cost: { EUR: 10 }, ctr: 0.1, cpc: { EUR: 0.5 }, cpa: { EUR: 10 }, roas: { EUR: 3 }, roi: { EUR: 2 } })
    expect(rows[2][1]).toMatchObject({ sessions: 0, conversions: 0.5, conversionRate: null, cost: {} })
  })
})
