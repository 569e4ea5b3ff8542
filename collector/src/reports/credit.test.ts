import { describe, expect, it } from 'vitest'
import { apportion, conversionCredit, CreditLedger, creditVisitor, creditWeights, touchesInLookback } from './credit.ts'
import type { TouchSession } from '../store/report-types.ts'

const DAY = 86_400_000

function touch(started: number, channel: string): TouchSession {
  return { started, channel, source: channel.toLowerCase(), medium: 'x', campaign: null, clickIdType: null, referrerHost: null }
}

describe('creditWeights', () => {
  const t = [1, 2, 3, 4]
  it('first and last non-direct take everything', () => {
    expect(creditWeights('first', t, 5)).toEqual([1, 0, 0, 0])
    expect(creditWeights('last_non_direct', t, 5)).toEqual([0, 0, 0, 1])
  })
  it('linear splits equally', () => {
    expect(creditWeights('linear', [1, 2, 3], 5)).toEqual([1 / 3, 1 / 3, 1 / 3])
  })
  it('position is 40/20/40, 50/50 for two, everything for one', () => {
    expect(creditWeights('position', [1, 2, 3], 5)).toEqual([0.4, 0.2, 0.4])
    expect(creditWeights('position', t, 5)).toEqual([0.4, 0.1, 0.1, 0.4])
    expect(creditWeights('position', [1, 2], 5)).toEqual([0.5, 0.5])
    expect(creditWeights('position', [1], 5)).toEqual([1])
  })
  it('time decay halves per 7 days', () => {
    // ages 14d, 7d, 0d → weights 1/4, 1/2, 1 → sum 7/4 → 1/7, 2/7, 4/7
    const w = creditWeights('time_decay', [0, 7 * DAY, 14 * DAY], 14 * DAY)
    expect(w[0]).toBeCloseTo(1 / 7, 12)
    expect(w[1]).toBeCloseTo(2 / 7, 12)
    expect(w[2]).toBeCloseTo(4 / 7, 12)
  })
  it('gives nothing to split without touches', () => {
    expect(creditWeights('linear', [], 5)).toEqual([])
  })
})

describe('touchesInLookback', () => {
  it('includes both ends and nothing after the conversion', () => {
    const ts = [touch(0, 'A'), touch(DAY, 'B'), touch(30 * DAY, 'C'), touch(30 * DAY + 1, 'D')]
    // conversion at day 30, lookback 30d: from day 0 (inclusive) to the conversion (inclusive)
    expect(touchesInLookback(ts, 30 * DAY, 30 * DAY).map((t) => t.channel)).toEqual(['A', 'B', 'C'])
    expect(touchesInLookback(ts, 30 * DAY, 30 * DAY - 1).map((t) => t.channel)).toEqual(['B', 'C'])
  })
})

describe('creditVisitor', () => {
  const key = (t: TouchSession | null) => t?.channel ?? 'Direct'
  it('never lets a later visit change an earlier conversion', () => {
    // touch A day 0, purchase 100 EUR day 1, touch B day 2, purchase 50 EUR day 3 (linear)
    // first: A 1 / 100 EUR; second: A .5 / 25, B .5 / 25 → A 1.5 / 125, B .5 / 25
    const ledger = new CreditLedger()
    creditVisitor('linear', [touch(0, 'A'), touch(2 * DAY, 'B')],
      [{ ts: DAY, value: 100, currency: 'EUR' }, { ts: 3 * DAY, value: 50, currency: 'EUR' }], 30 * DAY, key, ledger, 'EUR')
    expect(ledger.rows()).toEqual([
      { value: 'A', conversions: 1.5, revenue: { EUR: 125 } },
      { value: 'B', conversions: 0.5, revenue: { EUR: 25 } },
    ])
  })
  it('credits a conversion without touches to Direct, in the site currency when it names none', () => {
    const ledger = new CreditLedger()
    creditVisitor('position', [touch(0, 'A')], [{ ts: 40 * DAY, value: 10, currency: null }], 30 * DAY, key, ledger, 'USD')
    expect(ledger.rows()).toEqual([{ value: 'Direct', conversions: 1, revenue: { USD: 10 } }])
  })
  it('keeps currencies apart and sums fractions to the conversion count', () => {
    const ledger = new CreditLedger()
    creditVisitor('position', [touch(0, 'A'), touch(DAY, 'B'), touch(2 * DAY, 'A')],
      [{ ts: 3 * DAY, value: 10, currency: 'EUR' }, { ts: 3 * DAY, value: 20, currency: 'USD' }], 30 * DAY, key, ledger, 'EUR')
    // A: .4 + .4 per conversion = .8 · 2; B: .2 · 2
    const rows = ledger.rows()
    expect(rows.map((r) => r.value)).toEqual(['A', 'B'])
    expect(rows[0].conversions).toBeCloseTo(1.6, 12)
    expect(rows[0].revenue.EUR).toBeCloseTo(8, 12)
    expect(rows[0].revenue.USD).toBeCloseTo(16, 12)
    expect(rows[1].conversions).toBeCloseTo(0.4, 12)
    expect(rows.reduce((s, r) => s + r.conversions, 0)).toBeCloseTo(2, 12)
  })
})

describe('apportion', () => {
  it('gives each part its floor and the rest to the largest remainders, earlier first on ties', () => {
    expect(apportion(1_000_000_000, [1 / 3, 1 / 3, 1 / 3])).toEqual([333333334, 333333333, 333333333])
    expect(apportion(10, [0.24, 0.38, 0.38])).toEqual([2, 4, 4])
    expect(apportion(-5, [0.5, 0.5])).toEqual([-3, -2])
  })
})

describe('conversionCredit', () => {
  it('splits a conversion and its value over the touches so the parts add up exactly', () => {
    const touches = [touch(1 * DAY, 'A'), touch(2 * DAY, 'B'), touch(3 * DAY, 'C')]
    const conv = { ts: 4 * DAY, value: 100, currency: 'EUR' }
    const parts = conversionCredit('linear', touches, conv, 30 * DAY)
    expect(parts.map((p) => p.touch?.channel)).toEqual(['A', 'B', 'C'])
    expect(parts.map((p) => p.units)).toEqual([333333334, 333333333, 333333333])
    expect(parts.map((p) => p.micros)).toEqual([33333334, 33333333, 33333333])
    for (const model of ['first', 'last_non_direct', 'position', 'time_decay'] as const) {
      const split = conversionCredit(model, touches, conv, 30 * DAY)
      expect(split.reduce((a, p) => a + p.units, 0), model).toBe(1e9)
      expect(split.reduce((a, p) => a + p.micros, 0), model).toBe(100e6)
    }
    // Touches with no share (first touch: all but the first) are left out.
    expect(conversionCredit('first', touches, conv, 30 * DAY).map((p) => p.touch?.channel)).toEqual(['A'])
  })

  it('gives a conversion without a touch in the lookback whole to null (Direct)', () => {
    expect(conversionCredit('linear', [touch(0, 'A')], { ts: 40 * DAY, value: null, currency: null }, 30 * DAY))
      .toEqual([{ touch: null, units: 1e9, micros: 0 }])
  })
})
