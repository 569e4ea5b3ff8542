import { describe, expect, it } from 'vitest'
import { batchSize, MAX_BYTES, MAX_EVENTS } from './batch'

const utf8Length = (s: string) => Buffer.byteLength(s)

const ser = (evs: unknown[]) => JSON.stringify({ s: 'shop', t: 0, e: evs })

describe('batchSize', () => {
  it('takes at most 100 events', () => {
    const evs = Array.from({ length: 250 }, (_, i) => ({ i, n: 'pageview', u: 'https://shop.example/pricing?plan=pro' }))
    expect(batchSize(evs, ser)).toBe(MAX_EVENTS)
    expect(batchSize(evs.slice(0, 7), ser)).toBe(7)
    expect(batchSize([], ser)).toBe(0)
  })

  it('halves until the body fits 64 KiB, counting UTF-8 bytes', () => {
    const big = Array.from({ length: 100 }, () => ({ p: 'ü'.repeat(700) }))
    const n = batchSize(big, ser)
    expect(utf8Length(ser(big.slice(0, n)))).toBeLessThanOrEqual(MAX_BYTES)
    expect(MAX_BYTES).toBeLessThan(64 * 1024)
    expect(n).toBeGreaterThan(5)
  })

  it('always sends at least one event, so a huge one is answered (413) instead of stuck', () => {
    expect(batchSize([{ p: 'x'.repeat(100_000) }, { p: 'y' }], ser)).toBe(1)
  })
})
