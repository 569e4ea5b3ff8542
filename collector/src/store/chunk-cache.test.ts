import { afterEach, describe, expect, it, vi } from 'vitest'
import { ChunkCache } from './chunk-cache.ts'

afterEach(() => { vi.useRealTimers() })

describe('ChunkCache', () => {
  it('gives back a chunk only at the version it was kept at, and forgets an older one', () => {
    const c = new ChunkCache(100)
    const cols = { n: 1 }
    c.put('session\nshop\n1', 7, 10, cols)
    expect(c.get('session\nshop\n1', 7)).toBe(cols)
    expect(c.get('session\nshop\n1', 8)).toBeUndefined()
    expect(c.get('session\nshop\n1', 7)).toBeUndefined()
    expect(c.size).toBe(0)
  })

  it('keeps at most its bytes, letting the least recently read go first', () => {
    const c = new ChunkCache(30)
    c.put('a', 1, 10, 'A')
    c.put('b', 1, 10, 'B')
    c.put('c', 1, 10, 'C')
    expect(c.get('a', 1)).toBe('A') // now b is the least recent
    c.put('d', 1, 10, 'D')
    expect(c.get('b', 1)).toBeUndefined()
    expect([c.get('a', 1), c.get('c', 1), c.get('d', 1)]).toEqual(['A', 'C', 'D'])
    expect(c.size).toBe(30)
    c.put('huge', 1, 31, 'H')
    expect(c.get('huge', 1)).toBeUndefined()
    expect(c.size).toBe(30)
    c.put('a', 2, 5, 'A2')
    expect(c.size).toBe(25)
  })

  it('keeps chunks read in the same order every time while it has room, letting nothing go for them', () => {
    const c = new ChunkCache(30)
    for (const k of ['a', 'b', 'c', 'd']) c.putIfRoom(k, 1, 10, k.toUpperCase())
    // A read in the same order again finds the first three: evicting the least recent would have kept none.
    expect(['a', 'b', 'c', 'd'].map((k) => c.get(k, 1))).toEqual(['A', 'B', 'C', undefined])
    // A kept chunk's newer version takes its place.
    c.putIfRoom('a', 2, 10, 'A2')
    expect([c.get('a', 2), c.size]).toEqual(['A2', 30])
  })

  it('lets everything go after five minutes without a read', () => {
    vi.useFakeTimers()
    const c = new ChunkCache(100)
    c.put('a', 1, 10, 'A')
    vi.advanceTimersByTime(4 * 60_000)
    expect(c.get('a', 1)).toBe('A')
    vi.advanceTimersByTime(4 * 60_000)
    expect(c.get('a', 1)).toBe('A')
    vi.advanceTimersByTime(5 * 60_000)
    expect(c.get('a', 1)).toBeUndefined()
    expect(c.size).toBe(0)
  })
})
