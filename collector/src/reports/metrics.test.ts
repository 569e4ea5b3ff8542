import { describe, expect, it } from 'vitest'
import { campaignMetrics } from './metrics.ts'

describe('campaignMetrics', () => {
  it('computes CTR, CPC, CPA, ROAS and ROI by hand', () => {
    // 250/10000 = .025; 100/250 = .4; 100/4 = 25; 500/100 = 5; (500-100)/100 = 4; 4/200 = .02
    const m = campaignMetrics(200, { value: 'x', conversions: 4, revenue: { EUR: 500 } }, { cost: { EUR: 100 }, impressions: 10_000, clicks: 250 })
    expect(m).toEqual({
      sessions: 200, conversions: 4, conversionRate: 0.02, revenue: { EUR: 500 }, cost: { EUR: 100 },
      impressions: 10_000, clicks: 250, ctr: 0.025, cpc: { EUR: 0.4 }, cpa: { EUR: 25 }, roas: { EUR: 5 }, roi: { EUR: 4 },
    })
  })
  it('answers null for zero spend, clicks, impressions, sessions or conversions', () => {
    const m = campaignMetrics(0, undefined, { cost: { EUR: 0 }, impressions: 0, clicks: 0 })
    expect(m).toMatchObject({ conversionRate: null, ctr: null, cpc: { EUR: null }, cpa: { EUR: null }, roas: { EUR: null }, roi: { EUR: null } })
    const noConv = campaignMetrics(10, undefined, { cost: { EUR: 50 }, impressions: 100, clicks: 10 })
    expect(noConv).toMatchObject({ conversions: 0, conversionRate: 0, cpa: { EUR: null }, roas: { EUR: 0 }, roi: { EUR: -1 } })
    expect(campaignMetrics(5, undefined, undefined)).toMatchObject({ cost: {}, cpa: {}, roas: {}, ctr: null })
  })
  it('never mixes currencies: ROAS uses revenue in the cost currency only', () => {
    const m = campaignMetrics(10, { value: 'x', conversions: 2, revenue: { USD: 300 } }, { cost: { EUR: 100 }, impressions: 0, clicks: 0 })
    expect(m.roas).toEqual({ EUR: 0 })
    expect(m.revenue).toEqual({ USD: 300 })
  })
})
