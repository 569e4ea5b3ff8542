import { describe, expect, it } from 'vitest'
import { assignVariant, hash32 } from './experiment'

const visitors = Array.from({ length: 20_000 }, (_, i) => `visitor-${i}-${(i * 7919) % 104729}`)

function shares(name: string, variants: string[], weights?: number[]) {
  const count: Record<string, number> = {}
  for (const v of visitors) {
    const x = assignVariant(v, name, variants, weights)
    count[x] = (count[x] ?? 0) + 1
  }
  return Object.fromEntries(variants.map((v) => [v, (count[v] ?? 0) / visitors.length]))
}

describe('assignVariant', () => {
  it('is deterministic: the same visitor and experiment always get the same variant', () => {
    for (const v of visitors.slice(0, 100)) expect(assignVariant(v, 'hero', ['a', 'b', 'c'])).toBe(assignVariant(v, 'hero', ['a', 'b', 'c']))
  })

  it('splits evenly without weights', () => {
    for (const share of Object.values(shares('hero', ['a', 'b', 'c']))) expect(share).toBeCloseTo(1 / 3, 1)
  })

  it('respects weights, and a zero weight gets nobody', () => {
    const s = shares('pricing', ['control', 'b', 'off'], [90, 10, 0])
    expect(s.control).toBeGreaterThan(0.88)
    expect(s.control).toBeLessThan(0.92)
    expect(s.b).toBeGreaterThan(0.08)
    expect(s.off).toBe(0)
    expect(shares('x', ['a', 'b'], [0, 1])).toEqual({ a: 0, b: 1 })
  })

  it('assigns experiments independently of each other', () => {
    const both = visitors.filter((v) => assignVariant(v, 'one', ['a', 'b']) == 'a' && assignVariant(v, 'two', ['a', 'b']) == 'a').length
    expect(both / visitors.length).toBeCloseTo(0.25, 1)
  })
})

describe('hash32', () => {
  it('answers an unsigned 32-bit integer, the same for the same input', () => {
    expect(hash32('abc')).toBe(hash32('abc'))
    expect(hash32('abc')).not.toBe(hash32('abd'))
    for (const v of visitors.slice(0, 100)) expect(hash32(v)).toBeGreaterThanOrEqual(0), expect(hash32(v)).toBeLessThan(2 ** 32)
  })
})
