import { describe, expect, it } from 'vitest'
import { daysInMonth, efficiency, pacingRow, reallocationHints } from './pacing.ts'
import { parseBudgets, spendInScope, type Budget } from './budgets.ts'

const budget = (o: Partial<Budget>): Budget => ({
  month: '2026-11', channel: null, source: null, medium: null, campaign: null, amount: 1000, currency: 'EUR', targetCpa: null, targetRoas: null, ...o,
})
const f = (spend: number, conversions: number, revenue = 0) => ({ spend, conversions, revenue })

describe('pacingRow', () => {
  it('paces spend against the elapsed share of the month', () => {
    // 3000 over 30 days, 10 days gone: expected 1000; spent 1200 → pacing 1.2;
    // projected 1200 / 10 × 30 = 3600; CPA 1200 / 30 = 40; ROAS 4800 / 1200 = 4.
    const r = pacingRow(budget({ channel: 'Paid Search', amount: 3000, targetCpa: 40 }), f(1200, 30, 4800), f(1000, 30, 4000), 10, 30)
    expect(r).toMatchObject({ channel: 'Paid Search', expected: 1000, pacing: 1.2, projected: 3600, cpa: 40, roas: 4, spend: 1200, conversions: 30, revenue: 4800 })
    expect(r.last14.cpa).toBeCloseTo(1000 / 30, 12)
    expect(r).not.toHaveProperty('source')
  })
  it('has no pacing or projection before the month starts, and null ratios without a base', () => {
    const r = pacingRow(budget({ source: 'google' }), f(0, 0), f(0, 0), 0, 30)
    expect(r).toMatchObject({ source: 'google', medium: null, campaign: null, expected: 0, pacing: null, projected: null, cpa: null, roas: null })
  })
  it('knows the length of months', () => {
    expect([daysInMonth('2026-11'), daysInMonth('2026-12'), daysInMonth('2028-02'), daysInMonth('2026-02')]).toEqual([30, 31, 29, 28])
  })
})

describe('reallocationHints', () => {
  it('moves money from scopes missing their targets to budget-limited scopes meeting them, per currency', () => {
    const rows = [
      // Paid Search: CPA 1000/30 ≈ 33.3 against 40 → meets it (efficiency 1.2); projected 3600 ≥ 3000 → raise.
      pacingRow(budget({ channel: 'Paid Search', amount: 3000, targetCpa: 40 }), f(1200, 30), f(1000, 30), 10, 30),
      // Display: CPA 500/5 = 100 against 50 → efficiency 0.5; unspent 2000 − 500 = 1500 → cut 1500 × 0.5 = 750.
      pacingRow(budget({ channel: 'Display', amount: 2000, targetCpa: 50 }), f(500, 5), f(500, 5), 10, 30),
      // Email: ROAS 400/100 = 4 against 5 → efficiency 0.8; unspent 900 → cut 900 × 0.2 = 180.
      pacingRow(budget({ channel: 'Email', amount: 1000, targetRoas: 5 }), f(100, 2, 400), f(100, 2, 400), 10, 30),
      // USD google/cpc: CPA 300/2 = 150 against 10 → efficiency 1/15, the cut caps at 50% of 200 unspent = 100 USD.
      // No USD budget to raise: the cut stands alone (EUR money never goes to USD budgets).
      pacingRow(budget({ source: 'google', medium: 'cpc', amount: 500, currency: 'USD', targetCpa: 10 }), f(300, 2), f(300, 2), 10, 30),
      // No target: never judged.
      pacingRow(budget({ channel: 'Organic Search', amount: 100 }), f(50, 1), f(50, 1), 10, 30),
    ]
    expect(efficiency(rows[0])).toBeCloseTo(1.2, 12)
    expect(efficiency(rows[4])).toBeNull()
    const hints = reallocationHints(rows)
    const brief = hints.map((h) => [h.action, h.scope.channel ?? h.scope.source, h.currency, Math.round(h.change * 1e9) / 1e9])
    expect(brief).toEqual([
      ['cut', 'Display', 'EUR', 750],
      ['cut', 'Email', 'EUR', 180],
      // The pool of 930 EUR goes to the one EUR budget meeting its target and spending its amount.
      ['raise', 'Paid Search', 'EUR', 930],
      ['cut', 'google', 'USD', 100],
    ])
    expect(hints[2]).toMatchObject({ amount: 3000, newAmount: 3930, projected: 3600, targetCpa: 40 })
    expect(hints[0].reason).toMatch(/50% of its target/)
  })
  it('splits the pool over several raised budgets by their amounts, and raises nothing without cuts', () => {
    // CPA over 14 days amount/2 ÷ 20: 75 and 25, under the target of 100; projected 2 × amount.
    const good = (channel: string, amount: number) => pacingRow(budget({ channel, amount, targetCpa: 100 }), f(amount, 40), f(amount / 2, 20), 15, 30)
    const bad = pacingRow(budget({ channel: 'Display', amount: 1000, targetCpa: 10 }), f(200, 2), f(200, 2), 15, 30)
    // Display: CPA 100 vs 10 → cut min(0.5, 0.9) × 800 = 400 → 300 and 100 for budgets of 3000 and 1000.
    const hints = reallocationHints([good('Paid Search', 3000), good('Email', 1000), bad])
    expect(hints.map((h) => [h.scope.channel, h.change])).toEqual([['Display', 400], ['Paid Search', 300], ['Email', 100]])
    expect(reallocationHints([good('Paid Search', 3000)])).toEqual([])
  })
})

describe('parseBudgets', () => {
  it('takes a channel or a source scope, defaults the currency, lower-cases source and medium', () => {
    const r = parseBudgets([
      { month: '2026-12', channel: 'Paid Search', amount: 3000, targetCpa: 40 },
      { month: '2026-12', source: 'Google', medium: 'CPC', campaign: 'Brand', amount: 500, currency: 'usd', targetRoas: 4 },
    ], 'EUR')
    expect(r).toEqual({ budgets: [
      { month: '2026-12', channel: 'Paid Search', source: null, medium: null, campaign: null, amount: 3000, currency: 'EUR', targetCpa: 40, targetRoas: null },
      { month: '2026-12', channel: null, source: 'google', medium: 'cpc', campaign: 'Brand', amount: 500, currency: 'USD', targetCpa: null, targetRoas: 4 },
    ] })
  })
  it('names the row and field of every error', () => {
    const r = parseBudgets([
      { month: '2026-13', channel: 'Paid Search', amount: 1 },
      { month: '2026-12', channel: 'Paid Search', source: 'google', amount: 1 },
      { month: '2026-12', channel: 'TV', amount: -5 },
      { month: '2026-12', source: 'x', amount: 1, color: 'red' },
    ], 'EUR')
    if (!('message' in r)) throw new Error('expected errors')
    expect(r.issues.map((i) => `${i.index}:${i.path}`)).toEqual(['0:month', '1:channel', '2:channel', '2:amount', '3:color'])
    expect(r.message).toMatch(/row 1, field month: must be YYYY-MM/)
    expect(parseBudgets({}, 'EUR')).toMatchObject({ message: 'Budgets must be a JSON array' })
  })
  it('matches spend to a scope by channel rules or by source, medium and campaign', () => {
    const s = { source: 'google', medium: 'cpc', campaign: 'brand' }
    expect(spendInScope(budget({ channel: 'Paid Search' }), s)).toBe(true)
    expect(spendInScope(budget({ channel: 'Display' }), s)).toBe(false)
    expect(spendInScope(budget({ source: 'google' }), s)).toBe(true)
    expect(spendInScope(budget({ source: 'google', campaign: 'generic' }), s)).toBe(false)
  })
})
