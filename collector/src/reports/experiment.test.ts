import { describe, expect, it } from 'vitest'
import { readout, resolveWeights } from './experiment.ts'

const q = { from: '2026-11-01', to: '2026-11-30', conversion: 'purchase', weights: null }

describe('readout', () => {
  it('takes the first variant alphabetically as control when none is named control', () => {
    const counts = [{ variant: 'green', visitors: 100, converters: 20 }, { variant: 'blue', visitors: 100, converters: 10 }]
    const r = readout('btn', q, counts, resolveWeights(['green', 'blue'], null) as Record<string, number>)
    expect(r.control).toBe('blue')
    expect(r.variants.map((v) => v.variant)).toEqual(['blue', 'green'])
    // 0.2 − 0.1 = 0.1 absolute, 0.2 / 0.1 − 1 = 1 relative
    expect(r.variants[1].absoluteLift).toBeCloseTo(0.1, 12)
    expect(r.variants[1].relativeLift).toBeCloseTo(1, 12)
    expect(r.variants[0].pValue).toBeNull()
  })

  it('lists a planned variant nobody saw, which the SRM check then flags', () => {
    // planned 1:1:1, seen 500/500/0: expected 333.3 each → χ² = 2·(166.7²/333.3) + 333.3 = 500, p ≈ 0
    const counts = [{ variant: 'control', visitors: 500, converters: 50 }, { variant: 'b', visitors: 500, converters: 50 }]
    const r = readout('t', q, counts, resolveWeights(['control', 'b'], { control: 1, b: 1, c: 1 }) as Record<string, number>)
    expect(r.variants.find((v) => v.variant === 'c')).toMatchObject({ visitors: 0, rate: null, absoluteLift: null })
    expect(r.srm.chiSquare).toBeCloseTo(500, 9)
    expect(r.srm.warning).toBe(true)
  })
})

describe('resolveWeights', () => {
  it('pairs a list with the variants in alphabetical order and explains mismatches', () => {
    expect(resolveWeights(['control', 'b'], [20, 80])).toEqual({ b: 20, control: 80 })
    expect(resolveWeights(['a', 'b'], [1, 2, 3])).toMatch(/3 weights given but 2 variants/)
    expect(resolveWeights(['a', 'b'], { a: 1 })).toMatch(/no weight for variant\(s\) b/)
  })
})
