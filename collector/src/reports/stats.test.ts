import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { chiSquarePValue, compareProportions, median, normalCdf, ratio, sampleRatioMismatch, twoSidedP } from './stats.ts'

describe('normalCdf', () => {
  it('matches table values', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 12)
    expect(normalCdf(1.959963984540054)).toBeCloseTo(0.975, 10)
    expect(normalCdf(-1)).toBeCloseTo(0.15865525393145707, 10)
    expect(normalCdf(3)).toBeCloseTo(0.9986501019683699, 10)
  })
  it('keeps far tails instead of rounding them to 0', () => {
    // 1 − Φ(8) ≈ 6.22e-16, below double precision around 1; the tail itself is exact.
    expect(twoSidedP(8) / 2).toBeCloseTo(6.22096057427178e-16, 25)
    expect(normalCdf(-8)).toBeGreaterThan(0)
  })
})

describe('chiSquarePValue', () => {
  it('gives the textbook 5% critical values', () => {
    expect(chiSquarePValue(3.841458820694124, 1)).toBeCloseTo(0.05, 10)
    expect(chiSquarePValue(7.814727903251178, 3)).toBeCloseTo(0.05, 10)
  })
  it('is exp(-x/2) for two degrees of freedom', () => {
    expect(chiSquarePValue(2, 2)).toBeCloseTo(Math.exp(-1), 12)
    expect(chiSquarePValue(30, 2)).toBeCloseTo(Math.exp(-15), 15)
  })
  it('is 1 at zero', () => {
    expect(chiSquarePValue(0, 1)).toBe(1)
  })
})

describe('compareProportions', () => {
  it('computes lift, intervals and p-value by hand', () => {
    // pB = .12, pA = .10; pooled .11: se = sqrt(.11·.89·(2/1000)) = .0139929, z = 1.42929, p = .15293
    // unpooled se = sqrt(.12·.88/1000 + .1·.9/1000) = .0139857 → ±.0274113
    // relative: 0.2, se = sqrt(.0001056/.01 + 144·.00009) = sqrt(.02352) = .153362 → ±.300584
    const r = compareProportions(120, 1000, 100, 1000)
    expect(r.absoluteLift).toBeCloseTo(0.02, 12)
    expect(r.absoluteLiftCI![0]).toBeCloseTo(0.02 - 0.0274113, 6)
    expect(r.absoluteLiftCI![1]).toBeCloseTo(0.02 + 0.0274113, 6)
    expect(r.relativeLift).toBeCloseTo(0.2, 12)
    expect(r.relativeLiftCI![0]).toBeCloseTo(0.2 - 0.300584, 5)
    expect(r.relativeLiftCI![1]).toBeCloseTo(0.2 + 0.300584, 5)
    expect(r.pValue).toBeCloseTo(0.15293, 4)
  })
  it('answers null, not NaN or Infinity, without visitors or conversions', () => {
    expect(compareProportions(0, 0, 5, 10)).toEqual({ absoluteLift: null, absoluteLiftCI: null, relativeLift: null, relativeLiftCI: null, pValue: null })
    const zero = compareProportions(0, 100, 0, 100)
    expect(zero.absoluteLift).toBe(0)
    expect(zero.pValue).toBeNull()
    expect(zero.relativeLift).toBeNull()
    const fromZero = compareProportions(5, 100, 0, 100)
    expect(fromZero.relativeLift).toBeNull()
    expect(fromZero.absoluteLift).toBeCloseTo(0.05, 12)
    expect(Number.isFinite(fromZero.pValue)).toBe(true)
  })
})

describe('sampleRatioMismatch', () => {
  it('computes chi-square by hand', () => {
    // expected 1050 each: 2 · 50² / 1050 = 4.7619; df 1 → p = 2(1 − Φ(2.18218)) = .02909
    const r = sampleRatioMismatch([1000, 1100], [50, 50])
    expect(r.chiSquare).toBeCloseTo(4.761904761904762, 12)
    expect(r.pValue).toBeCloseTo(0.02909, 4)
  })
  it('respects unequal weights', () => {
    // 20/80 planned, 200/800 seen: a perfect fit
    expect(sampleRatioMismatch([200, 800], [20, 80])).toEqual({ chiSquare: 0, pValue: 1 })
  })
  it('is null without observations', () => {
    expect(sampleRatioMismatch([0, 0], [1, 1])).toEqual({ chiSquare: null, pValue: null })
  })
})

describe('median and ratio', () => {
  it('medians odd, even and empty lists', () => {
    expect(median([3, 1, 2])).toBe(2)
    expect(median([4, 1, 3, 2])).toBe(2.5)
    expect(median([])).toBeNull()
  })
  it('medians any list as sorting it would, duplicates and runs included, and leaves the list alone', () => {
    const bySorting = (xs: number[]) => {
      const s = [...xs].sort((a, b) => a - b)
      return s.length % 2 ? s[s.length >> 1] : (s[(s.length >> 1) - 1] + s[s.length >> 1]) / 2
    }
    const values = fc.oneof(fc.integer({ min: -5, max: 5 }), fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }))
    fc.assert(fc.property(fc.array(values, { minLength: 1, maxLength: 300, size: 'max' }), (xs) => {
      const copy = [...xs]
      // === : the sign of a zero median may differ (sorting does not order -0 and 0 either).
      expect(median(xs) === bySorting(xs), JSON.stringify(xs)).toBe(true)
      expect(xs).toEqual(copy)
    }), { numRuns: 500 })
    const sorted = Array.from({ length: 10_001 }, (_, i) => i)
    expect(median(sorted)).toBe(5000)
    expect(median(sorted.reverse())).toBe(5000)
    expect(median(Array(1000).fill(7))).toBe(7)
  })
  it('ratio is null on a zero denominator', () => {
    expect(ratio(5, 0)).toBeNull()
    expect(ratio(0, 0)).toBeNull()
    expect(ratio(1, 4)).toBe(0.25)
  })
})
