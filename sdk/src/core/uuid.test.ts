import { describe, expect, it } from 'vitest'
import { uuidv7 } from './uuid'

const rnd = Math.random

describe('uuidv7', () => {
  it('is an RFC 9562 version 7 UUID carrying the millisecond time', () => {
    const ms = Date.UTC(2026, 10, 24, 21, 0, 0, 123)
    const id = uuidv7(ms, rnd)
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(uuidv7(ms, () => 0.9999)).toBe(id.slice(0, 15) + 'fff-8fff-ffffffffffff')
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(ms)
  })

  it('sorts by creation time, so ids arrive in index order at the collector', () => {
    const ids = [0, 1, 2, 1000, 86_400_000].map((d) => uuidv7(1_790_000_000_000 + d, rnd))
    expect([...ids].sort()).toEqual(ids)
  })

  it('never repeats within one millisecond', () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => uuidv7(1_790_000_000_000, rnd)))
    expect(ids.size).toBe(10_000)
  })
})
