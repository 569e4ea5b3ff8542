import { describe, expect, it } from 'vitest'
import { niceMax, tickIndexes, trendLines } from './trend-geometry.ts'

describe('trend geometry', () => {
  it('rounds the axis top up to 1, 2 or 5 × 10ⁿ', () => {
    expect([0, 1, 3, 37, 100, 101, 4200].map(niceMax)).toEqual([1, 1, 5, 50, 100, 200, 5000])
  })
  it('draws both periods on one scale, the previous only as far as it goes', () => {
    // max 5: y = 40 − v/5 × 40; x every 50.
    expect(trendLines([0, 5, 2.5], [1, null, 3], 100, 40)).toEqual({ current: 'M0 40 L50 0 L100 20', previous: 'M0 32 L100 16', max: 5, xs: [0, 50, 100] })
    expect(trendLines([3], [], 100, 40)).toEqual({ current: 'M0 16', previous: '', max: 5, xs: [0] }) // 40 − 3/5 × 40
  })
  it('labels at most a handful of ticks, always the first and the last', () => {
    expect(tickIndexes(5)).toEqual([0, 1, 2, 3, 4])
    expect(tickIndexes(30)).toEqual([0, 5, 10, 15, 20, 25, 29])
    expect(tickIndexes(24, 6)).toEqual([0, 5, 10, 15, 20, 23])
    expect(tickIndexes(22, 6)).toEqual([0, 5, 10, 15, 21]) // 20 sits too close to 21
  })
})
