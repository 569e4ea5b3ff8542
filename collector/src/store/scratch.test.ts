import { describe, expect, it } from 'vitest'
import { scratchF64, scratchU32, scratchU8 } from './scratch.ts'

describe('scratch arrays', () => {
  it('hand a slot its memory again, filled as asked, and grow it when a report needs more', () => {
    const a = scratchU32('test.a', 4)
    a.set([1, 2, 3, 4])
    const again = scratchU32('test.a', 3)
    expect(again.buffer).toBe(a.buffer)
    expect([...again]).toEqual([0, 0, 0])
    again.set([7, 8, 9])
    // Left as it was for an array its user writes whole before reading.
    expect([...scratchU32('test.a', 3, null)]).toEqual([7, 8, 9])
    expect([...scratchF64('test.b', 2, -1)]).toEqual([-1, -1])
    const big = scratchU32('test.a', 1000)
    expect(big.buffer).not.toBe(a.buffer)
    expect(big.every((x) => x === 0)).toBe(true)
    // Slots never share memory.
    expect(scratchU8('test.c', 4).buffer).not.toBe(scratchU8('test.d', 4).buffer)
  })
})
