import { afterEach, describe, expect, it, vi } from 'vitest'
import { randomUUID } from 'node:crypto'
import { ChunkCache, turnOrder } from './chunk-cache.ts'
import { chunkPeers } from '../report-runner/chunk-peers.ts'

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

  it('keeps everything through a night without reads in a worker told to keep its report memory (warmed on start)', async () => {
    vi.useFakeTimers()
    vi.resetModules()
    const { keepReportMemory } = await import('./scratch.ts')
    const { ChunkCache } = await import('./chunk-cache.ts')
    keepReportMemory(Infinity)
    const c = new ChunkCache(100)
    c.put('a', 1, 10, 'A')
    vi.advanceTimersByTime(12 * 60 * 60_000)
    expect([c.get('a', 1), c.size]).toEqual(['A', 10])
  })

  it('hands what one cache reads to the others on its channel, as views on the same memory, kept as its reader kept it', () => {
    // Real channels: in one thread as between the worker threads of a pool.
    const name = `test-${randomUUID()}`
    const [a, b] = [new ChunkCache(30), new ChunkCache(30)]
    a.sharedWith(chunkPeers(name))
    b.sharedWith(chunkPeers(name))
    const blob = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8])
    const mem = a.memoryOf(blob)
    expect(mem.buffer).toBeInstanceOf(SharedArrayBuffer)
    const cols = { x: new Uint32Array(mem.buffer, 0, 2) }
    a.put('s', 1, 10, cols)
    const got = b.get<typeof cols>('s', 1)!
    expect([...got.x]).toEqual([...new Uint32Array(blob.buffer)])
    // The same memory, not a copy.
    cols.x[0] = 99
    expect(got.x[0]).toBe(99)
    expect(a.stats()).toEqual({ keptBytes: 10, readBytes: 8, received: 0 })
    expect(b.stats()).toEqual({ keptBytes: 10, readBytes: 0, received: 1 })
    // Chunks kept only while there is room are not kept by letting others go, on either side:
    // one handed over to a full cache is held apart and given once (the read that wants it next).
    b.put('t', 1, 20, 'T')
    a.putIfRoom('k', 1, 10, 'K')
    expect([a.get('k', 1), b.get('k', 1), b.get('k', 1)]).toEqual(['K', 'K', undefined])
    expect([b.get('s', 1), b.get('t', 1)]).toEqual([got, 'T'])
    // A newer version kept is not replaced by an older one arriving late.
    b.put('v', 5, 1, 'V5')
    a.put('v', 4, 1, 'V4')
    expect(b.get('v', 5)).toBe('V5')
  })

  it('holds what its workers together would hold apart: its bytes times the workers sharing', () => {
    const c = new ChunkCache(10)
    c.sharedWith(chunkPeers(`test-${randomUUID()}`), 2)
    c.put('x', 1, 20, 'X')
    expect([c.get('x', 1), c.size]).toEqual(['X', 20])
  })

  it('reads a blob in place without peers', () => {
    const c = new ChunkCache(30)
    const blob = new Uint8Array(8)
    expect(c.memoryOf(blob)).toBe(blob)
    expect(c.stats().readBytes).toBe(8)
  })
})

describe('turnOrder', () => {
  it('puts a worker\'s own turns first, then the rest, each index once', () => {
    expect(turnOrder(5, { part: 1, of: 2 })).toEqual([1, 3, 0, 2, 4])
    expect(turnOrder(5, { part: 0, of: 2 })).toEqual([0, 2, 4, 1, 3])
    expect(turnOrder(4, null)).toEqual([0, 1, 2, 3])
    expect(turnOrder(7, { part: 2, of: 3 }).slice().sort()).toEqual([0, 1, 2, 3, 4, 5, 6])
  })
})
