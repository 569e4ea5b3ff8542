import { describe, expect, it } from 'vitest'
import { fmtAgo, fmtCount, fmtDuration, fmtLift, fmtMoney, fmtMoneyRatio, fmtMultiple, fmtPercent } from './format.ts'

describe('dashboard number formats', () => {
  it('shows a dash for anything missing', () => {
    for (const f of [fmtCount, fmtPercent, fmtLift, fmtDuration]) expect(f(null)).toBe('—')
    expect(fmtMoney({})).toBe('—')
    expect(fmtMoneyRatio({ EUR: null })).toBe('—')
    expect(fmtMultiple(null)).toBe('—')
  })
  it('counts with separators and keeps fractional credit', () => {
    expect(fmtCount(12345)).toBe('12,345')
    expect(fmtCount(12.5)).toBe('12.5')
  })
  it('keeps each currency apart', () => {
    expect(fmtMoney({ USD: 80, EUR: 1200 })).toBe('€1,200 · $80.00')
    expect(fmtMoneyRatio({ EUR: 12.4 })).toBe('€12.40')
    expect(fmtMultiple({ EUR: 3.254 })).toBe('3.25×')
    expect(fmtMultiple({ EUR: 2, USD: 1 })).toBe('EUR 2.00× · USD 1.00×')
  })
  it('writes shares, lifts and durations the way people read them', () => {
    expect(fmtPercent(0.1234)).toBe('12.3%')
    expect(fmtLift(0.042)).toBe('+4.2%')
    expect(fmtLift(-0.01)).toBe('−1.0%')
    expect([fmtDuration(45), fmtDuration(600), fmtDuration(7200), fmtDuration(3 * 86400)]).toEqual(['45s', '10m', '2.0h', '3.0d'])
    expect(fmtAgo(1_000_000 - 5 * 60_000, 1_000_000)).toBe('5 min ago')
  })
})
