import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { apportion, conversionCredit, CreditLedger, creditColumns, creditVisitor, creditWeights, equalPart, touchesInLookback } from './credit.ts'
import { isTouch } from './dimensions.ts'
import type { JourneyColumns, TouchSession } from '../store/report-types.ts'

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

describe('creditColumns', () => {
  // Touch labels: 0 is Direct (no touch), 1-3 channels; currency labels: 0 none, 1 EUR, 2 USD.
  const attrs = [
    { channel: 'Direct', source: null, medium: null, campaign: null, clickIdType: null, referrerHost: null },
    touch(0, 'Paid Search'), touch(0, 'Email'), touch(0, 'Organic Social'),
  ]
  const currencies = [null, 'EUR', 'USD']
  const visitor = fc.record({
    sessions: fc.array(fc.record({ started: fc.integer({ min: 0, max: 60 * DAY }), label: fc.integer({ min: 0, max: 3 }) }), { maxLength: 6 }),
    conversions: fc.array(fc.record({
      ts: fc.integer({ min: 0, max: 60 * DAY }),
      value: fc.option(fc.oneof(fc.integer({ min: -500, max: 10_000 }).map((c) => c / 100), fc.constant(0)), { nil: null }),
      currency: fc.integer({ min: 0, max: 2 }),
    }), { minLength: 1, maxLength: 4 }),
  })

  it('leaves every model\'s ledger as crediting visitor by visitor does', () => {
    fc.assert(fc.property(fc.array(visitor, { maxLength: 12 }), (visitors) => {
      const sorted = visitors.map((v) => ({ ...v, sessions: [...v.sessions].sort((a, b) => a.started - b.started) }))
      // The columns of those visitors, as the store hands them.
      const sessions = sorted.flatMap((v) => v.sessions)
      const conversions = sorted.flatMap((v) => v.conversions)
      const starts = (lens: number[]) => Uint32Array.from([0, ...lens.map((_, i) => lens.slice(0, i + 1).reduce((a, b) => a + b, 0))])
      const j: JourneyColumns = {
        visitors: sorted.length,
        sessionStart: starts(sorted.map((v) => v.sessions.length)),
        started: Float64Array.from(sessions, (s) => s.started),
        label: Uint32Array.from(sessions, (s) => s.label),
        convStart: starts(sorted.map((v) => v.conversions.length)),
        convTs: Float64Array.from(conversions, (c) => c.ts),
        convValue: Float64Array.from(conversions, (c) => c.value ?? NaN),
        convCurrency: Uint32Array.from(conversions, (c) => c.currency),
        touch: (l) => attrs[l],
        currency: (l) => currencies[l],
      }
      const models = ['first', 'last_non_direct', 'linear', 'position', 'time_decay'] as const
      const keyOf = (t: TouchSession | { channel: string } | null) => t?.channel ?? 'Direct'
      const columns = models.map(() => new CreditLedger())
      creditColumns(models, j, 30 * DAY, keyOf, columns, 'GBP')
      models.forEach((model, m) => {
        const byVisitor = new CreditLedger()
        for (const v of sorted) {
          const touches = v.sessions.map((s) => ({ ...attrs[s.label], started: s.started })).filter(isTouch)
          creditVisitor(model, touches, v.conversions.map((c) => ({ ts: c.ts, value: c.value, currency: currencies[c.currency] })), 30 * DAY, keyOf, byVisitor, 'GBP')
        }
        expect(columns[m].rows()).toEqual(byVisitor.rows())
      })
    }), { numRuns: 300 })
  })
})

describe('equalPart', () => {
  it('is apportion\'s part for equal weights, negative and odd totals too', () => {
    fc.assert(fc.property(fc.integer({ min: -2e12, max: 2e12 }), fc.integer({ min: 1, max: 40 }), (total, n) => {
      const parts = apportion(total, Array.from({ length: n }, () => 1 / n))
      expect(parts.map((_, i) => equalPart(total, n, i) + 0)).toEqual(parts.map((p) => p + 0))
    }), { numRuns: 2000 })
  })
})
