import { describe, expect, it } from 'vitest'
import { buckets, fold, granularityOf, previousPeriod, trendChange } from './timeseries.ts'

const Z = (iso: string) => Date.parse(iso)

describe('buckets', () => {
  it('are local days, or local hours for ranges of two days or less', () => {
    expect(granularityOf('2026-11-01', '2026-11-02')).toBe('hour')
    expect(granularityOf('2026-11-01', '2026-11-03')).toBe('day')
    const days = buckets('2026-11-01', '2026-11-03', 'Asia/Kolkata', 'day')
    expect(days.map((b) => b.label)).toEqual(['2026-11-01', '2026-11-02', '2026-11-03'])
    expect(days[0].start).toBe(Z('2026-10-31T18:30:00Z')) // midnight at +05:30
    expect(buckets('2026-11-01', '2026-11-02', 'UTC', 'hour')).toHaveLength(48)
  })
  it('follow the local clock across DST: 23 hours in spring, 25 in autumn', () => {
    const spring = buckets('2026-03-29', '2026-03-29', 'Europe/Berlin', 'hour').map((b) => b.label.slice(11))
    expect(spring).toHaveLength(23)
    expect(spring.slice(0, 3)).toEqual(['00:00', '01:00', '03:00'])
    const autumn = buckets('2026-10-25', '2026-10-25', 'Europe/Berlin', 'hour').map((b) => b.label.slice(11))
    expect(autumn).toHaveLength(25)
    expect(autumn.slice(1, 5)).toEqual(['01:00', '02:00', '02:00', '03:00'])
  })
  it('have a previous period of equal length right before', () => {
    expect(previousPeriod('2026-11-08', '2026-11-14')).toEqual({ from: '2026-11-01', to: '2026-11-07' })
    expect(previousPeriod('2026-03-01', '2026-03-01')).toEqual({ from: '2026-02-28', to: '2026-02-28' })
  })
})

describe('fold', () => {
  const activity = {
    // 23:45 UTC is still 11-01 in UTC; 00:00 is 11-02.
    sessions: [{ slot: Z('2026-11-01T23:45:00Z'), n: 3 }, { slot: Z('2026-11-02T00:00:00Z'), n: 1 }, { slot: Z('2026-11-05T00:00:00Z'), n: 9 }],
    conversions: [
      { slot: Z('2026-11-01T10:00:00Z'), currency: 'EUR', n: 2, micros: 30e6 },
      { slot: Z('2026-11-02T10:00:00Z'), currency: null, n: 1, micros: 10e6 },
      { slot: Z('2026-11-02T11:00:00Z'), currency: 'USD', n: 1, micros: 0 },
    ],
  }
  const spend = [{ date: '2026-11-01', currency: 'EUR', micros: 15e6 }, { date: '2026-11-02', currency: 'EUR', micros: 5e6 }]

  it('sums slots into days with CPA and ROAS per spend currency, ignoring slots outside', () => {
    const { points, total } = fold(buckets('2026-11-01', '2026-11-02', 'UTC', 'day'), activity, spend, 'EUR')
    // Day 1: 3 sessions, 2 conversions, 30 EUR, spend 15 → CPA 7.5, ROAS 2.
    expect(points[0]).toEqual({ sessions: 3, conversions: 2, revenue: { EUR: 30 }, spend: { EUR: 15 }, cpa: { EUR: 7.5 }, roas: { EUR: 2 } })
    // Day 2: the null currency is the site's; a 0-value USD conversion adds a conversion, no revenue.
    expect(points[1]).toEqual({ sessions: 1, conversions: 2, revenue: { EUR: 10 }, spend: { EUR: 5 }, cpa: { EUR: 2.5 }, roas: { EUR: 2 } })
    expect(total).toEqual({ sessions: 4, conversions: 4, revenue: { EUR: 40 }, spend: { EUR: 20 }, cpa: { EUR: 5 }, roas: { EUR: 2 } })
  })
  it('gives hours no spend (imported per day) but keeps it in the total', () => {
    const { points, total } = fold(buckets('2026-11-01', '2026-11-01', 'UTC', 'hour'), activity, spend, 'EUR')
    expect(points[10]).toEqual({ sessions: 0, conversions: 2, revenue: { EUR: 30 }, spend: null, cpa: {}, roas: {} })
    expect(points[23].sessions).toBe(3)
    expect(total.spend).toEqual({ EUR: 15 })
  })
})

describe('trendChange', () => {
  it('is relative to the previous period, null where that was 0 or absent', () => {
    const cur = { sessions: 125, conversions: 4, revenue: { EUR: 70, USD: 5 }, spend: { EUR: 10 }, cpa: { EUR: 2.5 }, roas: { EUR: 7 } }
    const prev = { sessions: 100, conversions: 0, revenue: { EUR: 40 }, spend: { EUR: 20 }, cpa: { EUR: null }, roas: { EUR: 2 } }
    expect(trendChange(cur, prev)).toEqual({
      sessions: 0.25, conversions: null, revenue: { EUR: 0.75, USD: null }, spend: { EUR: -0.5 }, cpa: { EUR: null }, roas: { EUR: 2.5 },
    })
  })
})
