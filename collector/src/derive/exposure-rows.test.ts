import { describe, expect, it } from 'vitest'
import { exposureRows, type VisitorMark } from './exposure-rows.ts'

const exposure = (name: string, ts: number, variant: string): VisitorMark => ({ type: 'exposure', name, ts, variant })
const conversion = (name: string, ts: number): VisitorMark => ({ type: 'conversion', name, ts, variant: '(none)' })

describe('exposureRows', () => {
  it('keeps the first exposure per experiment and the first conversion of each name at or after it', () => {
    const rows = exposureRows([
      conversion('lead', 1), // before any exposure: no experiment counts it
      exposure('checkout', 2, 'b'),
      conversion('purchase', 2), // the same instant counts
      exposure('checkout', 3, 'control'), // a later exposure changes nothing
      exposure('hero', 4, 'a'),
      conversion('purchase', 5),
      conversion('lead', 6),
    ])
    expect(rows.first).toEqual([
      { experiment: 'checkout', ts: 2, variant: 'b' },
      { experiment: 'hero', ts: 4, variant: 'a' },
    ])
    expect(rows.converted).toEqual([
      { experiment: 'checkout', name: 'purchase', exposed: 2, variant: 'b', ts: 2 },
      { experiment: 'checkout', name: '', exposed: 2, variant: 'b', ts: 2 },
      { experiment: 'checkout', name: 'lead', exposed: 2, variant: 'b', ts: 6 },
      { experiment: 'hero', name: 'purchase', exposed: 4, variant: 'a', ts: 5 },
      { experiment: 'hero', name: '', exposed: 4, variant: 'a', ts: 5 },
      { experiment: 'hero', name: 'lead', exposed: 4, variant: 'a', ts: 6 },
    ])
  })

  it('has no rows for a visitor never exposed', () => {
    expect(exposureRows([conversion('purchase', 1)])).toEqual({ first: [], converted: [] })
  })
})
