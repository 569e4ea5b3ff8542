import { afterEach, describe, expect, it, vi } from 'vitest'
import { scratchF64, scratchU32, scratchU8 } from './scratch.ts'

afterEach(() => { vi.useRealTimers() })

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

  it('keeps a slot\'s memory through a pause of a few minutes between reports, and lets it go after five idle', async () => {
    vi.useFakeTimers()
    // A fresh module, so its idle timer is one of the fake ones.
    vi.resetModules()
    const { scratchU32 } = await import('./scratch.ts')
    const first = scratchU32('test.idle', 1000)
    vi.advanceTimersByTime(4 * 60_000)
    const afterPause = scratchU32('test.idle', 1000)
    expect(afterPause.buffer).toBe(first.buffer)
    vi.advanceTimersByTime(4 * 60_000)
    expect(scratchU32('test.idle', 1000).buffer).toBe(first.buffer)
    vi.advanceTimersByTime(5 * 60_000 + 1)
    expect(scratchU32('test.idle', 1000).buffer).not.toBe(first.buffer)
  })

  it('keeps a slot\'s memory through a night without reports once told to keep it (a worker warmed on start)', async () => {
    vi.useFakeTimers()
    vi.resetModules()
    const { scratchU32, keepReportMemory, reportMemoryIdleMs } = await import('./scratch.ts')
    const first = scratchU32('test.kept', 1000)
    // Told after its timer was set: the timer goes too.
    keepReportMemory(Infinity)
    expect(reportMemoryIdleMs()).toBe(Infinity)
    vi.advanceTimersByTime(12 * 60 * 60_000)
    expect(scratchU32('test.kept', 1000).buffer).toBe(first.buffer)
  })
})
