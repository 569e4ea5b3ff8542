import { describe, expect, it } from 'vitest'
import { uuidv7 } from './uuid.ts'

const FORMAT = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

describe('uuidv7', () => {
  it('is a lower-case version 7 UUID with the RFC 9562 variant bits', () => {
    for (let i = 0; i < 200; i++) expect(uuidv7(Date.now())).toMatch(FORMAT)
  })

  it('carries the millisecond time in its first 48 bits', () => {
    const ms = Date.UTC(2026, 10, 20, 10, 0, 0, 123)
    const id = uuidv7(ms)
    const hex = id.slice(0, 8) + id.slice(9, 13)
    expect(parseInt(hex, 16)).toBe(ms)
  })

  it('puts 0 in the time field for the epoch and for a negative time', () => {
    expect(uuidv7(0).startsWith('00000000-0000-7')).toBe(true)
    expect(uuidv7(-5).startsWith('00000000-0000-7')).toBe(true)
  })

  it('encodes a known time big-endian', () => {
    // 0x0123456789ab ms
    expect(uuidv7(0x0123456789ab).startsWith('01234567-89ab-7')).toBe(true)
  })

  it('is unique for the same millisecond', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => uuidv7(1_700_000_000_000)))
    expect(ids.size).toBe(1000)
  })

  it('sorts lexicographically in time order', () => {
    const times = [1, 255, 256, 65_535, 65_536, 1_700_000_000_000, 1_700_000_000_001, 1_800_000_000_000, 2 ** 47]
    const ids = times.map((t) => uuidv7(t))
    expect([...ids].sort()).toEqual(ids)
  })
})
